//! Mail commands: notify, outbox, ack, call.

use std::collections::HashSet;
use std::io::Write as _;

use super::incident::{Context, fail, now_for, open, say, step_title};
use super::{CliError, Outcome};
use crate::clock::format_jst;
use crate::directory::in_office_hours;
use crate::incident::{self, Command as Act, IncidentRecord, Refusal};
use crate::lang::Lang;
use crate::notify::{
    self, Config, NotifyError, OutboxReport, Outcome as Delivered, Transport, compose_step,
};

fn fail_notify(ctx: &Context, error: &NotifyError) -> Result<Outcome, CliError> {
    super::incident::fail_message(&error.message(ctx.lang))
}

/// The screen's mail: the config and transport. Unusable settings do not keep the screen
/// from opening (the incident must still be workable): nothing is sent, messages stay
/// queued, and both the terminal and the screen say why.
pub(super) fn screen_mail(
    ctx: &Context,
    state: &incident::IncidentState,
) -> Result<crate::tui::app::Mail, CliError> {
    use crate::tui::app::Mail;
    let (config, result) = match Config::load(ctx.config.as_deref()) {
        Ok(config) => {
            let transport = Transport::for_incident(state, &config);
            (Some(config), transport)
        }
        Err(e) => (None, Err(e.into())),
    };
    match result {
        Ok(transport) => Ok(Mail::new(config.unwrap_or_default(), transport)),
        Err(e) => {
            let problem = e.message(ctx.lang);
            let mut err = std::io::stderr().lock();
            writeln!(
                err,
                "hikeshi: {}: {problem}",
                ctx.lang.pick(
                    "メールを送信できません（通知は送信待ちのまま残ります）",
                    "mail cannot be sent (messages stay queued)"
                )
            )?;
            Ok(Mail::unavailable(config, problem))
        }
    }
}

/// After the screen: a reminder of messages still undelivered.
pub(super) fn remind_undelivered(ctx: &Context, record: &IncidentRecord) -> Result<(), CliError> {
    let n = record.state.undelivered().count();
    if n > 0 {
        say(&match ctx.lang {
            Lang::Ja => format!(
                "未送達の通知が {n} 通あります: 画面を再び開くと再送します（`hikeshi outbox {} --retry` でも再送できます）",
                record.id
            ),
            Lang::En => format!(
                "{n} message(s) not delivered: they are sent again when the screen reopens (or by `hikeshi outbox {} --retry`)",
                record.id
            ),
        })?;
    }
    Ok(())
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
        let text = match (outcome, lang) {
            (Delivered::Sent { reply, .. }, Lang::Ja) => {
                format!(
                    "#{} {} <{}>: 送達（{reply}）",
                    m.number, m.letter.to, m.letter.address
                )
            }
            (Delivered::Sent { reply, .. }, Lang::En) => {
                format!(
                    "#{} {} <{}>: delivered ({reply})",
                    m.number, m.letter.to, m.letter.address
                )
            }
            (Delivered::Failed { error, .. }, _) => {
                let retry = match &m.delivery {
                    incident::state::Delivery::Failed {
                        next_retry: Some(t),
                        ..
                    } => format!(
                        "{} {}",
                        lang.pick("再送予定", "retry at"),
                        format_jst(*t, true)
                    ),
                    _ => lang
                        .pick(
                            "再送しません（宛先または設定を確認してください）",
                            "not retried (check the address or the settings)",
                        )
                        .to_string(),
                };
                format!(
                    "#{} {} <{}>: {}: {error} — {retry}",
                    m.number,
                    m.letter.to,
                    m.letter.address,
                    lang.pick("送信失敗", "failed")
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
    let mut err = std::io::stderr().lock();
    writeln!(
        err,
        "hikeshi: {}",
        match ctx.lang {
            Lang::Ja => format!(
                "未送達の通知が {undelivered} 通あります。送信待ちのまま残っています: `hikeshi outbox {} --retry` で再送するか、画面（hikeshi tui）を開いておくと自動で再送します。届かない部署には電話し `hikeshi call` で記録してください",
                record.id
            ),
            Lang::En => format!(
                "{undelivered} message(s) not delivered; they stay queued: `hikeshi outbox {} --retry` sends them again, and the screen (hikeshi tui) retries by itself. Phone a division that cannot be reached and record it with `hikeshi call`",
                record.id
            ),
        }
    )?;
    Ok(Outcome::Problems)
}

pub(super) fn notify(
    ctx: &Context,
    name: &str,
    step: &str,
    dry_run: bool,
) -> Result<Outcome, CliError> {
    let lang = ctx.lang;
    if dry_run {
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
            writeln!(
                out,
                "===== #{} {} <{}> ({}) =====",
                c.number,
                c.letter.to,
                c.letter.address,
                lang.pick("送信しません", "not sent")
            )?;
            writeln!(
                out,
                "{}: {} <{}>",
                lang.pick("宛先", "To"),
                c.letter.to,
                c.letter.address
            )?;
            writeln!(
                out,
                "{}: {}",
                lang.pick("件名", "Subject"),
                c.letter.subject
            )?;
            writeln!(out, "\n{}\n", c.body.trim_end())?;
            writeln!(
                out,
                "----- {} {} -----",
                lang.pick("送信される .eml（そのまま）", "the exact .eml"),
                c.letter.file
            )?;
            out.write_all(&c.bytes)?;
            writeln!(out)?;
        }
        // Say whether it could be sent now, as the real command would.
        let probe = Act::QueueNotifications {
            step: step.to_string(),
            messages: Vec::new(),
        };
        return match incident::apply(&record.state, &record.playbook, &probe) {
            Err(Refusal::NoRecipients { .. }) => Ok(Outcome::Success),
            Err(r) => {
                drop(out);
                fail(ctx, &incident::IncidentError::Refused(r))
            }
            Ok(_) => Ok(Outcome::Success),
        };
    }
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
    say(&match lang {
        Lang::Ja => format!(
            "{} 通を送信します（{}）: {}",
            queued.numbers.len(),
            transport.describe(),
            step_title(incident.playbook(), step)
        ),
        Lang::En => format!(
            "sending {} message(s) via {}: {}",
            queued.numbers.len(),
            transport.describe(),
            step_title(incident.playbook(), step)
        ),
    })?;
    let jobs = notify::due(&incident, &HashSet::new(), false);
    let outcomes = match deliver_and_record(&mut incident, &transport, jobs)? {
        Ok(o) => o,
        Err(e) => return fail_notify(ctx, &e),
    };
    report_outcomes(ctx, incident.record(), &outcomes)?;
    if let Some(ix) = incident.playbook().graph.find(step)
        && incident.state().status_of(ix) == incident::StepStatus::Done
    {
        say(&format!(
            "{}: {step} {}",
            lang.pick("完了（全員に送達）", "done (all delivered)"),
            step_title(incident.playbook(), step)
        ))?;
    }
    settle(ctx, incident.record(), &queued.numbers)
}

pub(super) fn outbox(
    ctx: &Context,
    name: &str,
    json: bool,
    retry: bool,
) -> Result<Outcome, CliError> {
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
            say(&match ctx.lang {
                Lang::Ja => format!("{} 通を再送します（{}）", jobs.len(), transport.describe()),
                Lang::En => format!(
                    "retrying {} message(s) via {}",
                    jobs.len(),
                    transport.describe()
                ),
            })?;
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

pub(super) fn ack(
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
    say(&match ctx.lang {
        Lang::Ja => format!("確認を記録しました: #{number}（{to}）{by}"),
        Lang::En => format!("acknowledgement recorded: #{number} ({to}) by {by}"),
    })?;
    Ok(Outcome::Success)
}

pub(super) fn call(
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
    say(&format!(
        "{}: {}",
        party.id(),
        if office {
            lang.pick("開庁時間内", "office hours")
        } else {
            lang.pick("時間外・休日", "out of hours")
        }
    ))?;
    say(&format!(
        "  {}: {}",
        lang.pick("電話（昼間）", "phone (day)"),
        party.phone().unwrap_or("-")
    ))?;
    if let Some(after) = party.after_hours() {
        say(&format!(
            "  {}: {}{}",
            lang.pick("夜間・休日", "night/holiday"),
            after.phone.as_deref().unwrap_or("-"),
            after
                .note
                .as_deref()
                .map(|n| format!("（{n}）"))
                .unwrap_or_default()
        ))?;
    }
    if let Some((number, _)) = chosen {
        say(&format!(
            "  → {}: {number}",
            lang.pick("いま掛ける番号", "call now")
        ))?;
    }
    let Some(note) = note else {
        say(lang.pick(
            "通話後、`--note 内容` を付けて実行すると記録します（祝日は夜間・休日の番号に掛けてください）",
            "after the call, run this again with --note TEXT to record it (on a public holiday, use the night/holiday number)",
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
    say(&match lang {
        Lang::Ja => format!("電話連絡を記録しました: {division}"),
        Lang::En => format!("call recorded: {division}"),
    })?;
    for w in written.iter().skip(1) {
        if let incident::Event::StepCompleted { step, .. } = &w.event {
            say(&format!(
                "{}: {step} {}",
                lang.pick("完了（全員に連絡済み）", "done (everyone reached)"),
                step_title(incident.playbook(), step)
            ))?;
        }
    }
    Ok(Outcome::Success)
}
