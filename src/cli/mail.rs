//! Mail commands: notify, outbox, ack, call.

use std::collections::HashSet;
use std::io::Write as _;

use clap::Subcommand;

use super::context::{Context, fail, fail_message, now_for, open, say, step_title};
use super::{CliError, Outcome};
use crate::clock::format_jst;
use crate::directory::in_office_hours;
use crate::incident::{self, Command as Act, IncidentRecord, Refusal};
use crate::notify::{
    self, Config, NotifyError, OutboxReport, Outcome as Delivered, Transport, compose_step,
};
use crate::tr;

/// The mail commands.
#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Send a notify step's mail to its divisions (saved in outbox/, sent over SMTP if set up).
    ///
    /// One message per division or role, saved in outbox/ and delivered (over SMTP with [smtp]
    /// in hikeshi.toml). The step is done once every message is delivered. Exit 1 if any is
    /// not: it stays queued (see `outbox --retry`).
    Notify {
        /// Incident folder or id.
        incident: String,
        /// The notify step.
        step: String,
        /// Print the exact messages (as .eml) and send nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// List every message of an incident and its state: delivered, pending, failed, called.
    Outbox {
        /// Incident folder or id.
        incident: String,
        /// Print as JSON (see docs/notifications.md).
        #[arg(long)]
        json: bool,
        /// Send every undelivered message now, permanent failures included.
        #[arg(long)]
        retry: bool,
    },
    /// Record that a division acknowledged a message (its number from `outbox`).
    Ack {
        /// Incident folder or id.
        incident: String,
        /// The message number (e.g. 3 or #3).
        message: String,
        /// Who acknowledged.
        #[arg(long)]
        by: String,
        /// What they said.
        #[arg(long)]
        note: Option<String>,
    },
    /// Show a division's phone numbers; with --note, record that they were phoned.
    ///
    /// Out of office hours (weekdays 8:30–17:15 JST) the night/holiday number comes first.
    /// With --note the call is recorded: the division's undelivered messages then count as
    /// reached, and a notify step whose recipients are all reached is done.
    Call {
        /// Incident folder or id.
        incident: String,
        /// The division or role.
        division: String,
        /// What was said (records the call).
        #[arg(long)]
        note: Option<String>,
    },
}

impl Cmd {
    /// Runs the command.
    pub(super) fn run(self, ctx: &Context) -> Result<Outcome, CliError> {
        match self {
            Cmd::Notify {
                incident,
                step,
                dry_run: true,
            } => preview(ctx, &incident, &step),
            Cmd::Notify {
                incident,
                step,
                dry_run: false,
            } => notify(ctx, &incident, &step),
            Cmd::Outbox {
                incident,
                json,
                retry,
            } => outbox(ctx, &incident, json, retry),
            Cmd::Ack {
                incident,
                message,
                by,
                note,
            } => ack(ctx, &incident, &message, &by, note),
            Cmd::Call {
                incident,
                division,
                note,
            } => call(ctx, &incident, &division, note),
        }
    }
}

fn fail_notify(ctx: &Context, error: &NotifyError) -> Result<Outcome, CliError> {
    fail_message(&error.message(ctx.lang))
}

/// Sends `jobs` and journals each outcome the moment it is known.
fn deliver_and_record(
    incident: &mut incident::Incident,
    transport: &Transport,
    jobs: Vec<notify::Job>,
) -> Result<Result<Vec<Delivered>, NotifyError>, CliError> {
    let mut outcomes = Vec::new();
    let mut failure = None;
    runtime()?.block_on(notify::deliver_each(transport, jobs, |outcome| {
        if failure.is_none()
            && let Err(e) = notify::record(incident, &outcome)
        {
            failure = Some(e);
        }
        outcomes.push(outcome);
    }));
    Ok(match failure {
        Some(e) => Err(e),
        None => Ok(outcomes),
    })
}

fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

/// One line per delivery outcome.
fn report_outcomes(
    ctx: &Context,
    record: &IncidentRecord,
    outcomes: &[Delivered],
) -> Result<(), CliError> {
    let lang = ctx.lang;
    let mut sorted: Vec<&Delivered> = outcomes.iter().collect();
    sorted.sort_by_key(|o| o.message());
    for outcome in sorted {
        let Some(m) = record.state.message(outcome.message()) else {
            continue;
        };
        let who = format!("#{} {} <{}>", m.number, m.letter.to, m.letter.address);
        let text = match outcome {
            Delivered::Sent { reply, .. } => {
                tr!(lang, "{who}: 送達（{reply}）", "{who}: delivered ({reply})")
            }
            Delivered::Failed { error, .. } => {
                let retry = match &m.delivery {
                    incident::state::Delivery::Failed {
                        next_retry: Some(t),
                        ..
                    } => {
                        let at = format_jst(*t, true);
                        tr!(lang, "再送予定 {at}", "retry at {at}")
                    }
                    _ => tr!(
                        lang,
                        "再送しません（宛先または設定を確認してください）",
                        "not retried (check the address or the settings)"
                    ),
                };
                tr!(
                    lang,
                    "{who}: 送信失敗: {error} — {retry}",
                    "{who}: failed: {error} — {retry}"
                )
            }
        };
        say(&text)?;
    }
    Ok(())
}

/// After delivering `sent`: exit 1 if any of them is still undelivered, saying how many of
/// the incident's messages are.
fn settle(ctx: &Context, record: &IncidentRecord, sent: &[u32]) -> Result<Outcome, CliError> {
    let undelivered = record.state.undelivered().count();
    if !record.state.undelivered().any(|m| sent.contains(&m.number)) {
        return Ok(Outcome::Success);
    }
    let id = &record.id;
    fail_message(&tr!(
        ctx.lang,
        "未送達の通知が {undelivered} 通あります。送信待ちのまま残っています: `hikeshi outbox {id} --retry` で再送するか、画面（hikeshi tui）を開いておくと自動で再送します。届かない部署には電話し `hikeshi call` で記録してください",
        "{undelivered} message(s) not delivered; they stay queued: `hikeshi outbox {id} --retry` sends them again, and the screen (hikeshi tui) retries by itself. Phone a division that cannot be reached and record it with `hikeshi call`"
    ))
}

/// `notify --dry-run`: the exact messages, and whether they could be sent now.
fn preview(ctx: &Context, name: &str, step: &str) -> Result<Outcome, CliError> {
    let lang = ctx.lang;
    // A preview takes no lock and writes nothing.
    let dir = match incident::resolve(name, &ctx.incidents) {
        Ok(d) => d,
        Err(e) => return fail(ctx, &e),
    };
    let record = match IncidentRecord::load(&dir) {
        Ok(r) => r,
        Err(e) => return fail(ctx, &e),
    };
    let config = match Config::load(ctx.config.as_deref()) {
        Ok(c) => c,
        Err(e) => return fail_notify(ctx, &e.into()),
    };
    let now = now_for(&record.state);
    let composed = match compose_step(&record, step, &config, now) {
        Ok(c) => c,
        Err(e) => return fail_notify(ctx, &e),
    };
    let mut out = std::io::stdout().lock();
    for c in &composed {
        let (number, to, address, subject, file) = (
            c.number,
            &c.letter.to,
            &c.letter.address,
            &c.letter.subject,
            &c.letter.file,
        );
        let lines = tr!(
            lang,
            "===== #{number} {to} <{address}> (送信しません) =====\n宛先: {to} <{address}>\n件名: {subject}",
            "===== #{number} {to} <{address}> (not sent) =====\nTo: {to} <{address}>\nSubject: {subject}"
        );
        writeln!(out, "{lines}")?;
        writeln!(out, "\n{}\n", c.body.trim_end())?;
        let eml = tr!(lang, "送信される .eml（そのまま）", "the exact .eml");
        writeln!(out, "----- {eml} {file} -----")?;
        out.write_all(&c.bytes)?;
        writeln!(out)?;
    }
    // Say whether it could be sent now, as the real command would.
    let probe = Act::QueueNotifications {
        step: step.to_string(),
        messages: Vec::new(),
    };
    match incident::apply(&record.state, &record.playbook, &probe) {
        Err(Refusal::NoRecipients { .. }) => Ok(Outcome::Success),
        Err(r) => {
            drop(out);
            fail(ctx, &incident::IncidentError::Refused(r))
        }
        Ok(_) => Ok(Outcome::Success),
    }
}

fn notify(ctx: &Context, name: &str, step: &str) -> Result<Outcome, CliError> {
    let lang = ctx.lang;
    let config = match Config::load(ctx.config.as_deref()) {
        Ok(c) => c,
        Err(e) => return fail_notify(ctx, &e.into()),
    };
    let mut incident = match open(ctx, name) {
        Ok(i) => i,
        Err(e) => return fail(ctx, &e),
    };
    let transport = match Transport::for_incident(incident.state(), &config) {
        Ok(t) => t,
        Err(e) => return fail_notify(ctx, &e),
    };
    let queued = match notify::queue(&mut incident, &ctx.operator, step, &config) {
        Ok(q) => q,
        Err(e) => return fail_notify(ctx, &e),
    };
    let (count, via, title) = (
        queued.numbers.len(),
        transport.describe(),
        step_title(incident.playbook(), step),
    );
    say(&tr!(
        lang,
        "{count} 通を送信します（{via}）: {title}",
        "sending {count} message(s) via {via}: {title}"
    ))?;
    let jobs = notify::due(&incident, &HashSet::new(), false);
    let outcomes = match deliver_and_record(&mut incident, &transport, jobs)? {
        Ok(o) => o,
        Err(e) => return fail_notify(ctx, &e),
    };
    report_outcomes(ctx, incident.record(), &outcomes)?;
    if let Some(ix) = incident.playbook().graph.find(step)
        && incident.state().status_of(ix) == incident::StepStatus::Done
    {
        let title = step_title(incident.playbook(), step);
        say(&tr!(
            lang,
            "完了（全員に送達）: {step} {title}",
            "done (all delivered): {step} {title}"
        ))?;
    }
    settle(ctx, incident.record(), &queued.numbers)
}

fn outbox(ctx: &Context, name: &str, json: bool, retry: bool) -> Result<Outcome, CliError> {
    // Listing needs no working login; only a retry builds the transport.
    let config = match Config::load(ctx.config.as_deref()) {
        Ok(c) => c,
        Err(e) => return fail_notify(ctx, &e.into()),
    };
    let mut retried = Vec::new();
    let record = if retry {
        let mut incident = match open(ctx, name) {
            Ok(i) => i,
            Err(e) => return fail(ctx, &e),
        };
        let transport = match Transport::for_incident(incident.state(), &config) {
            Ok(t) => t,
            Err(e) => return fail_notify(ctx, &e),
        };
        let jobs = notify::due(&incident, &HashSet::new(), true);
        retried = jobs.iter().map(|j| j.message).collect();
        if !json {
            let (count, via) = (jobs.len(), transport.describe());
            say(&tr!(
                ctx.lang,
                "{count} 通を再送します（{via}）",
                "retrying {count} message(s) via {via}"
            ))?;
        }
        let outcomes = match deliver_and_record(&mut incident, &transport, jobs)? {
            Ok(o) => o,
            Err(e) => return fail_notify(ctx, &e),
        };
        if !json {
            report_outcomes(ctx, incident.record(), &outcomes)?;
        }
        incident.record().clone()
    } else {
        let dir = match incident::resolve(name, &ctx.incidents) {
            Ok(d) => d,
            Err(e) => return fail(ctx, &e),
        };
        match IncidentRecord::load(&dir) {
            Ok(r) => r,
            Err(e) => return fail(ctx, &e),
        }
    };
    let report = OutboxReport::new(
        &record.id,
        &record.state,
        &record.playbook,
        config.destination(),
        now_for(&record.state),
    );
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, &report).map_err(std::io::Error::other)?;
        writeln!(out)?;
    } else {
        write!(out, "{}", report.render(ctx.lang))?;
    }
    drop(out);
    if retry {
        settle(ctx, &record, &retried)
    } else {
        Ok(Outcome::Success)
    }
}

fn ack(
    ctx: &Context,
    name: &str,
    message: &str,
    by: &str,
    note: Option<String>,
) -> Result<Outcome, CliError> {
    let Some(number) = message.trim().trim_start_matches('#').parse::<u32>().ok() else {
        return fail(
            ctx,
            &incident::IncidentError::Refused(Refusal::UnknownMessage {
                message: message.to_string(),
            }),
        );
    };
    let mut incident = match open(ctx, name) {
        Ok(i) => i,
        Err(e) => return fail(ctx, &e),
    };
    let command = Act::Acknowledge {
        message: number,
        by: by.to_string(),
        note,
    };
    if let Err(e) = incident.execute(&ctx.operator, &command) {
        return fail(ctx, &e);
    }
    let to = incident
        .state()
        .message(number)
        .map(|m| m.letter.to.clone())
        .unwrap_or_default();
    say(&tr!(
        ctx.lang,
        "確認を記録しました: #{number}（{to}）{by}",
        "acknowledgement recorded: #{number} ({to}) by {by}"
    ))?;
    Ok(Outcome::Success)
}

fn call(
    ctx: &Context,
    name: &str,
    division: &str,
    note: Option<String>,
) -> Result<Outcome, CliError> {
    let lang = ctx.lang;
    let dir = match incident::resolve(name, &ctx.incidents) {
        Ok(d) => d,
        Err(e) => return fail(ctx, &e),
    };
    let record = match IncidentRecord::load(&dir) {
        Ok(r) => r,
        Err(e) => return fail(ctx, &e),
    };
    // The engine judges whom a call may name, before any number is shown.
    if let Err(refusal) = incident::engine::known_party(&record.playbook, division) {
        return fail(ctx, &incident::IncidentError::Refused(refusal));
    }
    let Some(party) = record.directory.party(division) else {
        return Ok(Outcome::Problems);
    };
    let now = now_for(&record.state);
    let chosen = party.number_at(now);
    let office = in_office_hours(now);
    let id = party.id();
    say(&if office {
        tr!(lang, "{id}: 開庁時間内", "{id}: office hours")
    } else {
        tr!(lang, "{id}: 時間外・休日", "{id}: out of hours")
    })?;
    let day = party.phone().unwrap_or("-");
    say(&tr!(lang, "  電話（昼間）: {day}", "  phone (day): {day}"))?;
    if let Some(after) = party.after_hours() {
        let phone = after.phone.as_deref().unwrap_or("-");
        let note = after
            .note
            .as_deref()
            .map(|n| format!("（{n}）"))
            .unwrap_or_default();
        say(&tr!(
            lang,
            "  夜間・休日: {phone}{note}",
            "  night/holiday: {phone}{note}"
        ))?;
    }
    if let Some((number, _)) = chosen {
        say(&tr!(
            lang,
            "  → いま掛ける番号: {number}",
            "  → call now: {number}"
        ))?;
    }
    let Some(note) = note else {
        say(&tr!(
            lang,
            "通話後、`--note 内容` を付けて実行すると記録します（祝日は夜間・休日の番号に掛けてください）",
            "after the call, run this again with --note TEXT to record it (on a public holiday, use the night/holiday number)"
        ))?;
        return Ok(Outcome::Success);
    };
    let number = chosen.map(|(n, _)| n.to_string());
    let mut incident = match open(ctx, name) {
        Ok(i) => i,
        Err(e) => return fail(ctx, &e),
    };
    let command = Act::Call {
        division: division.to_string(),
        number,
        note,
    };
    let written = match incident.execute(&ctx.operator, &command) {
        Ok(w) => w,
        Err(e) => return fail(ctx, &e),
    };
    say(&tr!(
        lang,
        "電話連絡を記録しました: {division}",
        "call recorded: {division}"
    ))?;
    for w in written.iter().skip(1) {
        if let incident::Event::StepCompleted { step, .. } = &w.event {
            let title = step_title(incident.playbook(), step);
            say(&tr!(
                lang,
                "完了（全員に連絡済み）: {step} {title}",
                "done (everyone reached): {step} {title}"
            ))?;
        }
    }
    Ok(Outcome::Success)
}
