//! Mail commands: notify, outbox, ack, call.

use std::collections::HashSet;
use std::io::Write as _;

use clap::Subcommand;

use super::context::{Context, example_contacts_warning, now_for, open, say, step_title, warn};
use super::{Error, Outcome};
use crate::clock::format_jst;
use crate::directory::in_office_hours;
use crate::incident::{self, Command as Act, IncidentRecord, Refusal};
use crate::notify::{self, Config, OutboxReport, Outcome as Delivered, Transport, compose_step};
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
        /// Add a recipient the step offers (its `add_to` in the playbook), recorded in the
        /// journal before the mail is sent (repeatable).
        #[arg(long, value_name = "DIVISION")]
        to: Vec<String>,
    },
    /// Ask a step's approver for approval by mail (approval and post steps).
    ///
    /// One mail to the approver (divisions.yaml) with the text to approve — the post's
    /// statement as it would be published now, or the statements an approval step approves —
    /// and a reply code. A reply whose first line is 承認 / 了承 / OK records the approval as
    /// the approver's own act (`hikeshi inbox`, or an open screen, reads it), unless the text
    /// changed since; 却下 / 不可 with a reason records the refusal. `approve --by` still
    /// records an approval given in person or by phone.
    RequestApproval {
        /// Incident folder or id.
        incident: String,
        /// The approval or post step.
        step: String,
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
    /// Record that a recipient acknowledged a message, or withdraw a wrong acknowledgement.
    ///
    /// MESSAGE is the message's number from `outbox` (3 or #3), or its recipient (a division
    /// or role): the one delivered message to them that is not acknowledged (when there are
    /// several, they are listed and nothing is recorded). The output names the message and its
    /// recipient. An acknowledgement recorded for the wrong recipient is taken back with
    /// `--withdraw --reason TEXT`: the message is unacknowledged again (要電話 again if overdue).
    #[command(
        after_help = "Examples:\n  hikeshi ack INCIDENT 3 --by 佐藤\n  hikeshi ack INCIDENT 情報政策課 --by 佐藤\n  hikeshi ack INCIDENT 3 --withdraw --reason \"別の課の確認だった\""
    )]
    Ack {
        /// Incident folder or id.
        incident: String,
        /// The message: its number (3 or #3), or its recipient (division or role).
        message: String,
        /// Who acknowledged.
        #[arg(
            long,
            required_unless_present = "withdraw",
            conflicts_with = "withdraw"
        )]
        by: Option<String>,
        /// What they said.
        #[arg(long, conflicts_with = "withdraw")]
        note: Option<String>,
        /// Take back the message's acknowledgement (recorded for the wrong recipient, or by
        /// mistake); needs --reason.
        #[arg(long, requires = "reason")]
        withdraw: bool,
        /// Why the acknowledgement is withdrawn.
        #[arg(long, requires = "withdraw")]
        reason: Option<String>,
    },
    /// Read replies to the incident's mail from the [imap] mailbox and record those that count.
    ///
    /// A reply counts if it carries its message's code, threads to it and comes from the
    /// address it went to; its first line decides (了解 / 承認 / 却下 …). The mailbox is searched
    /// on the server for the incident's codes and Message-IDs: every mail of the incident is
    /// listed, counted or not, other mail is never downloaded, and none is read twice. One
    /// process reads an incident's mailbox at a time; a closed incident is not read.
    Inbox {
        /// Incident folder or id.
        incident: String,
        /// Keep watching (IMAP IDLE where the server offers it) until interrupted or the
        /// incident is closed.
        #[arg(long)]
        watch: bool,
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
    pub(super) fn run(self, ctx: &Context) -> Result<Outcome, Error> {
        match self {
            Cmd::Notify {
                incident,
                step,
                dry_run: true,
                to,
            } => preview(ctx, &incident, &step, to),
            Cmd::Notify {
                incident,
                step,
                dry_run: false,
                to,
            } => notify(ctx, &incident, &step, to),
            Cmd::RequestApproval { incident, step } => request_approval(ctx, &incident, &step),
            Cmd::Outbox {
                incident,
                json,
                retry,
            } => outbox(ctx, &incident, json, retry),
            Cmd::Ack {
                incident,
                message,
                by: Some(by),
                note,
                withdraw: false,
                ..
            } => ack(ctx, &incident, &message, &by, note),
            Cmd::Ack {
                incident,
                message,
                reason,
                ..
            } => withdraw_ack(ctx, &incident, &message, reason.unwrap_or_default()),
            Cmd::Call {
                incident,
                division,
                note,
            } => call(ctx, &incident, &division, note),
            Cmd::Inbox { incident, watch } => inbox(ctx, &incident, watch),
        }
    }
}

/// How long `notify` and `outbox --retry` wait for another process that is sending one of
/// their messages (longer than an SMTP attempt may take).
const WAIT_FOR_SENDERS: std::time::Duration = std::time::Duration::from_secs(120);

/// Sends the messages due now that no other process is sending (with `everything`, every
/// undelivered one) and journals each outcome the moment it is known. Then waits for the
/// other processes sending any of `wanted`, so that their outcome is known too.
fn deliver_and_record(
    ctx: &Context,
    incident: &mut incident::Incident,
    transport: &Transport,
    everything: bool,
    wanted: &[u32],
) -> Result<Vec<Delivered>, Error> {
    let outcomes = deliver_claimed(incident, &ctx.operator, transport, everything)?;
    let lang = ctx.lang;
    notify::claim::wait_for_senders(incident, wanted, WAIT_FOR_SENDERS, |n| {
        // On standard error: `outbox --retry --json` keeps standard output for the JSON.
        let _ = writeln!(
            std::io::stderr().lock(),
            "{}",
            tr!(
                lang,
                "{n} 通は別の hikeshi が送信中です。結果を待っています…",
                "{n} message(s) are being sent by another hikeshi; waiting for the outcome…"
            )
        );
    })?;
    Ok(outcomes)
}

/// Sends what is claimed; each outcome is journalled as `operator`'s (who ran the command).
fn deliver_claimed(
    incident: &mut incident::Incident,
    operator: &str,
    transport: &Transport,
    everything: bool,
) -> Result<Vec<Delivered>, Error> {
    let claimed = notify::claim_due(incident, &HashSet::new(), everything, usize::MAX)?;
    let mut outcomes = Vec::new();
    let mut failure = None;
    runtime()?.block_on(notify::deliver_each(
        transport,
        claimed,
        |outcome, claim| {
            if failure.is_none()
                && let Err(e) = notify::record_as(incident, operator, &outcome)
            {
                failure = Some(e);
            }
            // Let go only once the outcome is on record (or recording failed: then another
            // process may send it again, as a restart of this one would).
            drop(claim);
            outcomes.push(outcome);
        },
    ));
    match failure {
        Some(e) => Err(e.into()),
        None => Ok(outcomes),
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

/// One line per delivery outcome.
fn report_outcomes(
    ctx: &Context,
    record: &IncidentRecord,
    outcomes: &[Delivered],
) -> Result<(), Error> {
    let lang = ctx.lang;
    let mut sorted: Vec<&Delivered> = outcomes.iter().collect();
    sorted.sort_by_key(|o| o.message());
    for outcome in sorted {
        let Some(m) = record.state.message(outcome.message()) else {
            continue;
        };
        let who = format!("#{} {} <{}>", m.number, m.letter.to, m.letter.address);
        let text = match outcome {
            // A server's or service's words come from outside: never raw on a terminal.
            Delivered::Sent { reply, .. } => {
                let reply = crate::text::shown(reply);
                tr!(lang, "{who}: 送達（{reply}）", "{who}: delivered ({reply})")
            }
            Delivered::Failed { error, .. } => {
                let error = crate::text::shown(error);
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

/// After delivering `sent`: fails if any of them is still undelivered, saying how many of
/// the incident's messages are.
fn settle(record: &IncidentRecord, sent: &[u32]) -> Result<Outcome, Error> {
    if !record.state.undelivered().any(|m| sent.contains(&m.number)) {
        return Ok(Outcome::Success);
    }
    Err(Error::Undelivered {
        count: record.state.undelivered().count(),
        id: record.id.clone(),
    })
}

/// `notify --dry-run`: the exact messages, and whether they could be sent now.
fn preview(ctx: &Context, name: &str, step: &str, to: Vec<String>) -> Result<Outcome, Error> {
    let lang = ctx.lang;
    // A preview takes no lock and writes nothing.
    let dir = incident::resolve(name, &ctx.incidents)?;
    let mut record = IncidentRecord::load(&dir)?;
    let config = Config::load(ctx.config.as_deref())?;
    let now = now_for(&record.state);
    if !to.is_empty() {
        // The recipients `--to` would add, folded into this copy only.
        let add = Act::AddRecipients {
            step: step.to_string(),
            to,
        };
        for event in incident::apply(&record.state, &record.playbook, &add)? {
            record
                .state
                .apply(&record.playbook, now, &ctx.operator, &event);
        }
    }
    let composed = compose_step(&record, step, &config, now)?;
    let mut out = std::io::stdout().lock();
    for c in &composed {
        let (number, to, address, subject, file) = (
            c.number,
            &c.letter.to,
            &c.letter.address,
            &c.letter.subject,
            crate::incident::files::shown(&c.letter.file),
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
        Err(Refusal::NoRecipients { .. }) | Ok(_) => Ok(Outcome::Success),
        Err(r) => Err(r.into()),
    }
}

fn notify(ctx: &Context, name: &str, step: &str, to: Vec<String>) -> Result<Outcome, Error> {
    let lang = ctx.lang;
    let config = Config::load(ctx.config.as_deref())?;
    let mut incident = open(ctx, name)?;
    if !to.is_empty() {
        let added = to.join("、");
        incident.execute(
            &ctx.operator,
            &Act::AddRecipients {
                step: step.to_string(),
                to,
            },
        )?;
        say(&tr!(
            lang,
            "通知先に追加: {added}",
            "recipients added: {added}"
        ))?;
    }
    let transport = Transport::for_incident(incident.state(), &config)?;
    let record = incident.record();
    if let Some(warning) = example_contacts_warning(&record.state, &record.directory, true, lang) {
        warn(&warning)?;
    }
    let queued = notify::queue(&mut incident, &ctx.operator, step, &config)?;
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
    let outcomes = deliver_and_record(ctx, &mut incident, &transport, false, &queued.numbers)?;
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
    settle(incident.record(), &queued.numbers)
}

/// `hikeshi request-approval`: the request queued, sent, and its outcome reported.
fn request_approval(ctx: &Context, name: &str, step: &str) -> Result<Outcome, Error> {
    let config = Config::load(ctx.config.as_deref())?;
    let mut incident = open(ctx, name)?;
    let transport = Transport::for_incident(incident.state(), &config)?;
    let record = incident.record();
    if let Some(warning) =
        example_contacts_warning(&record.state, &record.directory, true, ctx.lang)
    {
        warn(&warning)?;
    }
    let queued = notify::request_approval(&mut incident, &ctx.operator, step, &config, ctx.lang)?;
    let (via, title) = (transport.describe(), step_title(incident.playbook(), step));
    say(&tr!(
        ctx.lang,
        "承認依頼を送信します（{via}）: {title}",
        "sending the approval request via {via}: {title}"
    ))?;
    let outcomes = deliver_and_record(ctx, &mut incident, &transport, false, &queued.numbers)?;
    report_outcomes(ctx, incident.record(), &outcomes)?;
    settle(incident.record(), &queued.numbers)
}

fn outbox(ctx: &Context, name: &str, json: bool, retry: bool) -> Result<Outcome, Error> {
    // Listing needs no working login; only a retry builds the transport.
    let config = Config::load(ctx.config.as_deref())?;
    let mut retried = Vec::new();
    let record = if retry {
        let mut incident = open(ctx, name)?;
        let transport = Transport::for_incident(incident.state(), &config)?;
        retried = notify::due(&incident, &HashSet::new(), true)
            .iter()
            .map(|j| j.message)
            .collect();
        // Said before "retrying N": nothing is sent from a clock the journal would refuse.
        if !retried.is_empty() {
            notify::claim::recordable(&incident)?;
        }
        if !json {
            let (count, via) = (retried.len(), transport.describe());
            say(&tr!(
                ctx.lang,
                "{count} 通を再送します（{via}）",
                "retrying {count} message(s) via {via}"
            ))?;
        }
        let outcomes = deliver_and_record(ctx, &mut incident, &transport, true, &retried)?;
        if !json {
            report_outcomes(ctx, incident.record(), &outcomes)?;
        }
        incident.record().clone()
    } else {
        IncidentRecord::load(&incident::resolve(name, &ctx.incidents)?)?
    };
    let report = OutboxReport::new(
        &record.id,
        &record.state,
        &record.playbook,
        config.destination(&crate::incident::files::outbox_shown()),
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
        settle(&record, &retried)
    } else {
        Ok(Outcome::Success)
    }
}

/// The message `ack` names: a number, or a recipient with exactly one message in question
/// (`acknowledged`: the one whose acknowledgement is withdrawn, else one still to be
/// acknowledged).
fn message_named(
    state: &incident::IncidentState,
    playbook: &crate::playbook::Playbook,
    given: &str,
    acknowledged: bool,
) -> Result<u32, Error> {
    let trimmed = given.trim();
    if let Ok(number) = trimmed.trim_start_matches('#').parse::<u32>() {
        return Ok(number);
    }
    let candidates: Vec<u32> = state
        .messages
        .iter()
        // An answer to a reply or an approval request is not acknowledged.
        .filter(|m| m.letter.answers.is_none() && m.letter.approval.is_none())
        // By the name the mail used (a part, 広報担当課) or by whoever plays it (総務課).
        .filter(|m| {
            let holder = playbook.holder_of(trimmed);
            std::iter::once(&m.letter.to)
                .chain(&m.letter.also)
                .any(|a| a == trimmed || playbook.holder_of(a) == holder)
        })
        .filter(|m| m.sent_at().is_some() && m.acknowledged.is_some() == acknowledged)
        .map(|m| m.number)
        .collect();
    match candidates.as_slice() {
        [one] => Ok(*one),
        [] => Err(Refusal::UnknownMessage {
            message: given.to_string(),
        }
        .into()),
        several => Err(Error::SeveralMessages {
            to: trimmed.to_string(),
            messages: several.to_vec(),
        }),
    }
}

fn ack(
    ctx: &Context,
    name: &str,
    message: &str,
    by: &str,
    note: Option<String>,
) -> Result<Outcome, Error> {
    let mut incident = open(ctx, name)?;
    let number = message_named(incident.state(), incident.playbook(), message, false)?;
    let command = Act::Acknowledge {
        message: number,
        by: by.to_string(),
        note,
    };
    incident.execute(&ctx.operator, &command)?;
    let to = incident
        .state()
        .message(number)
        .map(|m| m.letter.to.clone())
        .unwrap_or_default();
    say(&tr!(
        ctx.lang,
        "確認を記録しました: #{number}（{to}宛て）{by}",
        "acknowledgement recorded: #{number} (to {to}) by {by}"
    ))?;
    Ok(Outcome::Success)
}

fn withdraw_ack(
    ctx: &Context,
    name: &str,
    message: &str,
    reason: String,
) -> Result<Outcome, Error> {
    let mut incident = open(ctx, name)?;
    let number = message_named(incident.state(), incident.playbook(), message, true)?;
    let before = incident.state().message(number).cloned();
    incident.execute(
        &ctx.operator,
        &Act::WithdrawAcknowledgement {
            message: number,
            reason,
            seen: None,
        },
    )?;
    let (to, by) = before
        .map(|m| {
            (
                m.letter.to,
                m.acknowledged.map(|a| a.by).unwrap_or_default(),
            )
        })
        .unwrap_or_default();
    say(&tr!(
        ctx.lang,
        "受領確認を取り消しました: #{number}（{to}宛て、{by} の確認）。この通知は未確認に戻りました",
        "acknowledgement withdrawn: #{number} (to {to}, by {by}); the message is unacknowledged again"
    ))?;
    Ok(Outcome::Success)
}

fn call(ctx: &Context, name: &str, division: &str, note: Option<String>) -> Result<Outcome, Error> {
    let lang = ctx.lang;
    let dir = incident::resolve(name, &ctx.incidents)?;
    let record = IncidentRecord::load(&dir)?;
    // The engine judges whom a call may name, before any number is shown.
    incident::engine::known_party(&record.playbook, division)?;
    let Some(party) = record.directory.party(division) else {
        // The playbook names it, but its divisions file does not: refused the same way.
        return Err(Refusal::UnknownParty {
            name: division.to_string(),
            suggestion: None,
        }
        .into());
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
    // What the call will count as told, of any step: each is to be said on the phone.
    let settled = incident::settled_by_call(&record.state, &record.playbook, division);
    if !settled.is_empty() {
        say(&tr!(
            lang,
            "  この電話で伝えたことになる通知:",
            "  this call counts as telling them:"
        ))?;
        for m in settled {
            let (number, title) = (m.number, step_title(&record.playbook, &m.step));
            say(&format!("    #{number} {title}"))?;
        }
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
    let mut incident = open(ctx, name)?;
    let command = Act::Call {
        division: division.to_string(),
        number,
        note,
    };
    let written = incident.execute(&ctx.operator, &command)?;
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

/// `hikeshi inbox`: one look at the mailbox, or (`--watch`) a watch until interrupted.
fn inbox(ctx: &Context, name: &str, watch: bool) -> Result<Outcome, Error> {
    let config = Config::load(ctx.config.as_deref())?;
    if config.imap.is_none() {
        return Err(notify::NotifyError::Imap(notify::imap::ImapError::NotConfigured).into());
    }
    let mut incident = open(ctx, name)?;
    // Answers to replies that count nothing go out as the incident's other mail does.
    let transport = Transport::for_incident(incident.state(), &config)?;
    let runtime = runtime()?;
    let mut said = Ok(());
    runtime.block_on(notify::inbox::watch(
        &mut incident,
        &config,
        ctx.lang,
        watch,
        Some(&transport),
        |line| {
            said = say(&line);
            said.is_ok()
        },
    ))?;
    said?;
    Ok(Outcome::Success)
}
