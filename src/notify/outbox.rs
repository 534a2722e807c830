//! The outbox: queueing (the .eml saved before the event), what is due for delivery, recording
//! outcomes with a retry time, and the listing that `hikeshi outbox` and the screen show.

use std::collections::HashSet;
use std::io::Write as _;

use chrono::{DateTime, FixedOffset, TimeDelta};
use serde::Serialize;

use super::compose::{Composed, compose_approval_request, compose_step};
use super::transport::{Job, Outcome};
use super::{NotifyError, WORKER};
use crate::clock::format_jst;
use crate::config::Config;
use crate::incident::Letter;
use crate::incident::state::{Delivery, Phase};
use crate::incident::{Command, Incident, IncidentState, Written};
use crate::lang::Lang;
use crate::playbook::Playbook;
use crate::tr;

/// How long to wait before retrying after `attempt` failed attempts: 15 s, doubling each
/// time, at most 10 minutes (a division must not wait long, nor the server be hammered).
pub fn retry_delay(attempt: u32) -> TimeDelta {
    let seconds = 15i64.saturating_mul(1i64 << attempt.saturating_sub(1).min(10));
    TimeDelta::seconds(seconds.min(600))
}

/// What was queued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queued {
    /// The message numbers.
    pub numbers: Vec<u32>,
    /// The events journalled (one `notification_queued` per message).
    pub written: Vec<Written>,
}

/// Composes the step's messages, saves each .eml (fsync'd) and journals them as queued. This
/// runs under the journal's lock, on the state with every other writer's events folded in:
/// message numbers and file names are then the incident's next ones, and two people sending
/// one step at once queue it once (the other is refused). A refused step leaves no file.
pub fn queue(
    incident: &mut Incident,
    actor: &str,
    step: &str,
    config: &Config,
) -> Result<Queued, NotifyError> {
    save_and_queue(incident, actor, |incident| {
        let composed = compose_step(incident.record(), step, config, incident.now())?;
        let command = Command::QueueNotifications {
            step: step.to_string(),
            messages: composed.iter().map(|c| c.letter.clone()).collect(),
        };
        Ok((composed, command))
    })
}

/// Composes the approval request of an approval or post step (to its approver, with the text
/// to approve), saves it and journals it as queued, as [`queue`] does a notify step's mail.
pub fn request_approval(
    incident: &mut Incident,
    actor: &str,
    step: &str,
    config: &Config,
    lang: Lang,
) -> Result<Queued, NotifyError> {
    save_and_queue(incident, actor, |incident| {
        let (composed, statements) =
            compose_approval_request(incident.record(), step, config, incident.now(), lang)?;
        // The request covers the statements exactly as its mail shows them.
        let command = Command::RequestApproval {
            step: step.to_string(),
            letter: composed.letter.clone(),
            statements: Some(statements),
        };
        Ok((vec![composed], command))
    })
}

/// At most this many answers go to one sender about one message's replies.
pub const MAX_ANSWERS: usize = 3;

/// A reply recorded (`record_reply`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedReply {
    /// The events journalled: the reply's, and the answer's when it counts as nothing.
    pub written: Vec<Written>,
    /// A reply counting as nothing that could not be answered: why (the answer could not be
    /// composed; the reply is recorded all the same).
    pub unanswered: Option<String>,
}

/// Records a reply (`Command::RecordReply` or `Command::ApplyHeldReply`, without an
/// answer): under the journal's lock the engine judges it; `save` keeps the reply's own
/// file first; a reply that counts as nothing gets its answer composed, saved and queued
/// with it, in one append, so that a reply is answered once or not recorded at all.
pub fn record_reply(
    incident: &mut Incident,
    actor: &str,
    command: Command,
    save: impl FnOnce(&Incident) -> Result<(), NotifyError>,
    config: &Config,
    lang: Lang,
) -> Result<RecordedReply, NotifyError> {
    use crate::incident::Event;
    let mut unanswered = None;
    let queued = save_and_queue(incident, actor, |incident| {
        let events = incident.check(&command).map_err(NotifyError::Refused)?;
        save(incident)?;
        let not_counted = events.iter().find_map(|e| match e {
            Event::ReplyNotCounted {
                message,
                issue,
                reply,
            } => Some((*message, *issue, reply)),
            _ => None,
        });
        let Some((message, issue, reply)) = not_counted else {
            return Ok((Vec::new(), command));
        };
        // However a sender keeps replying, a message gets a few answers to them, no more.
        let answered = incident
            .state()
            .messages
            .iter()
            .filter(|m| {
                m.letter.answers.is_some() && m.letter.address.eq_ignore_ascii_case(&reply.from)
            })
            .filter(|m| {
                incident.state().messages.iter().any(|r| {
                    r.number == message
                        && r.uncounted
                            .iter()
                            .any(|(_, u)| Some(&u.reply_id) == m.letter.answers.as_ref())
                })
            })
            .count();
        if answered >= MAX_ANSWERS {
            unanswered = Some(tr!(
                lang,
                "通知 #{message} への返信にはすでに {answered} 回返答しました",
                "replies to message #{message} were answered {answered} times already"
            ));
            return Ok((Vec::new(), command));
        }
        let composed = match super::compose::compose_answer(
            incident.record(),
            message,
            reply,
            issue,
            config,
            incident.now(),
            lang,
        ) {
            Ok(c) => c,
            Err(e) => {
                unanswered = Some(e.message(lang));
                return Ok((Vec::new(), command));
            }
        };
        let letter = Some(composed.letter.clone());
        let command = match command {
            Command::RecordReply {
                message,
                reply,
                statements,
                ..
            } => Command::RecordReply {
                message,
                reply,
                answer: letter,
                statements,
            },
            Command::ApplyHeldReply {
                reply_id,
                statements,
                ..
            } => Command::ApplyHeldReply {
                reply_id,
                answer: letter,
                statements,
            },
            other => other,
        };
        Ok((vec![composed], command))
    })?;
    Ok(RecordedReply {
        written: queued.written,
        unanswered,
    })
}

/// Under the journal's lock: composes (`compose`), checks the command, saves each .eml
/// (fsync'd) and journals the command. A refusal leaves no file.
fn save_and_queue(
    incident: &mut Incident,
    actor: &str,
    compose: impl FnOnce(&Incident) -> Result<(Vec<Composed>, Command), NotifyError>,
) -> Result<Queued, NotifyError> {
    let mut saved: Vec<std::path::PathBuf> = Vec::new();
    let mut numbers = Vec::new();
    let result = incident.execute_with(actor, |incident| {
        let (composed, command) = compose(incident)?;
        incident.check(&command).map_err(NotifyError::Refused)?;
        let dir = incident.dir();
        let outbox = dir.join(crate::incident::files::OUTBOX);
        crate::platform::real_dir(&outbox).map_err(|e| {
            NotifyError::Io(crate::lang::io::FileError::new(
                crate::lang::io::SAVE_MESSAGE,
                outbox.clone(),
                e,
            ))
        })?;
        for c in &composed {
            let path = dir.join(&c.letter.file);
            // Under the lock, a file of this name can only be left by a crash before its
            // event was written: it was never queued, so it is replaced.
            let mut tmp = path.clone().into_os_string();
            tmp.push(".tmp");
            let tmp = std::path::PathBuf::from(tmp);
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create(true).truncate(true);
            crate::platform::open_no_follow(&options, &tmp)
                .and_then(|mut f| f.write_all(&c.bytes).and_then(|()| f.sync_all()))
                .and_then(|()| std::fs::rename(&tmp, &path))
                .map_err(|e| {
                    let _ = std::fs::remove_file(&tmp);
                    NotifyError::Io(crate::lang::io::FileError::new(
                        crate::lang::io::SAVE_MESSAGE,
                        path.clone(),
                        e,
                    ))
                })?;
            saved.push(path);
        }
        crate::platform::sync_dir(&outbox).map_err(|e| {
            NotifyError::Io(crate::lang::io::FileError::new(
                crate::lang::io::SYNC,
                outbox,
                e,
            ))
        })?;
        numbers = composed.iter().map(|c| c.number).collect();
        Ok(command)
    });
    match result {
        Ok(written) => Ok(Queued { numbers, written }),
        Err(e) => {
            // Only a refusal or a failure before the append certainly wrote nothing; after a
            // journal error the events may be on disk, and their files must stay (a leftover
            // is replaced by the next queue).
            let wrote_nothing = !matches!(
                e,
                NotifyError::Incident(ref i) if !matches!(i, crate::incident::IncidentError::Refused(_))
            );
            if wrote_nothing {
                for p in &saved {
                    let _ = std::fs::remove_file(p);
                }
            }
            Err(e)
        }
    }
}

/// The messages to deliver now: queued and never tried (also those a stopped process left),
/// and transient failures whose retry time has come — or, with `everything`, every message
/// not yet delivered, permanent failures included (the operator's retry). Messages in
/// `in_flight` are being sent already and are left out, and nothing is due once the incident
/// is closed.
pub fn due(incident: &Incident, in_flight: &HashSet<u32>, everything: bool) -> Vec<Job> {
    // A closed incident accepts no more events, so an outcome could not be recorded: nothing
    // is sent (closing with messages undelivered needed a reason, which the record keeps).
    if incident.state().is_closed() {
        return Vec::new();
    }
    let now = incident.now();
    let dir = incident.dir();
    incident
        .state()
        .undelivered()
        .filter(|m| !in_flight.contains(&m.number))
        .filter(|m| {
            everything
                || match &m.delivery {
                    Delivery::Pending => true,
                    Delivery::Failed {
                        permanent: false,
                        next_retry,
                        ..
                    } => next_retry.is_none_or(|t| t <= now),
                    Delivery::Failed { .. } | Delivery::Sent { .. } => false,
                }
        })
        .map(|m| Job {
            message: m.number,
            address: m.letter.address.clone(),
            path: dir.join(&m.letter.file),
            file: m.letter.file.clone(),
            sha256: m.letter.sha256.clone(),
            channel: m.letter.channel.clone(),
            key: m.letter.message_id.clone(),
        })
        .collect()
}

/// The earliest time a transient failure is due to be retried.
pub fn next_retry(state: &IncidentState) -> Option<DateTime<FixedOffset>> {
    state
        .undelivered()
        .filter_map(|m| match &m.delivery {
            Delivery::Failed {
                permanent: false,
                next_retry,
                ..
            } => *next_retry,
            _ => None,
        })
        .min()
}

/// Journals a delivery outcome under hikeshi's own name ([`WORKER`]): for deliveries nobody
/// asked for in person. See [`record_as`].
pub fn record(incident: &mut Incident, outcome: &Outcome) -> Result<Vec<Written>, NotifyError> {
    record_as(incident, WORKER, outcome)
}

/// Journals a delivery outcome as `actor`, the person whose screen or command sent it (a
/// notify step completed by its last delivery is theirs). A message already recorded as
/// delivered is left alone (it is never recorded, nor sent, twice).
pub fn record_as(
    incident: &mut Incident,
    actor: &str,
    outcome: &Outcome,
) -> Result<Vec<Written>, NotifyError> {
    let command = match outcome {
        Outcome::Sent {
            message,
            transport,
            reply,
        } => Command::RecordDelivery {
            message: *message,
            transport: (*transport).to_string(),
            reply: reply.clone(),
        },
        Outcome::Failed {
            message,
            error,
            permanent,
            retry_after,
        } => {
            let attempts = incident
                .state()
                .message(*message)
                .map_or(0, |m| m.attempts());
            // The backoff, or longer if the service asked for it (`Retry-After`).
            let asked = retry_after
                .and_then(|d| TimeDelta::from_std(d).ok())
                .unwrap_or_default();
            let wait = retry_delay(attempts + 1).max(asked);
            Command::RecordFailure {
                message: *message,
                error: error.clone(),
                permanent: *permanent,
                next_retry: (!permanent).then(|| incident.now() + wait),
            }
        }
    };
    match incident.execute(actor, &command) {
        Ok(written) => Ok(written),
        Err(crate::incident::IncidentError::Refused(
            crate::incident::Refusal::AlreadyDelivered { .. },
        )) => Ok(Vec::new()),
        Err(e) => Err(e.into()),
    }
}

/// One message as `hikeshi outbox` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct OutboxEntry {
    /// Its number.
    pub number: u32,
    /// The notify step.
    pub step: String,
    /// Who it is for and where its bytes are.
    #[serde(flatten)]
    pub letter: Letter,
    /// Where it stands (serialized as its word, e.g. `failed_permanent`).
    pub state: Phase,
    /// Why it is not sent any more (`cancelled`).
    pub cancelled_reason: Option<String>,
    /// When it was queued.
    pub queued_at: DateTime<FixedOffset>,
    /// When it was delivered.
    pub sent_at: Option<DateTime<FixedOffset>>,
    /// `smtp` or `file`, once delivered.
    pub transport: Option<String>,
    /// The server's reply, once delivered.
    pub reply: Option<String>,
    /// Failed attempts.
    pub attempts: u32,
    /// The last error.
    pub last_error: Option<String>,
    /// When it will be retried.
    pub next_retry: Option<DateTime<FixedOffset>>,
    /// Who acknowledged it, and when.
    pub acknowledged_by: Option<String>,
    /// When it was acknowledged.
    pub acknowledged_at: Option<DateTime<FixedOffset>>,
    /// A call that reached the recipient.
    pub called_at: Option<DateTime<FixedOffset>>,
    /// Its acknowledgement is overdue and nobody has called.
    pub needs_call: bool,
}

/// Every message of an incident and its state (`hikeshi outbox --json`, format 1).
#[derive(Debug, Clone, Serialize)]
pub struct OutboxReport {
    /// The format version of this JSON.
    pub format: u32,
    /// The incident id.
    pub incident: String,
    /// When this was produced.
    pub now: DateTime<FixedOffset>,
    /// Where messages go now: `outbox/` or `host:port`.
    pub transport: String,
    /// Messages not delivered and not covered by a call.
    pub undelivered: usize,
    /// Messages whose acknowledgement is overdue.
    pub needs_call: usize,
    /// Every message, by number.
    pub messages: Vec<OutboxEntry>,
}

impl OutboxReport {
    /// The report of `state` at `now`.
    pub fn new(
        incident: &str,
        state: &IncidentState,
        playbook: &Playbook,
        transport: String,
        now: DateTime<FixedOffset>,
    ) -> OutboxReport {
        let needing: HashSet<u32> = state.needs_call(playbook, now).map(|m| m.number).collect();
        let messages: Vec<OutboxEntry> = state
            .messages
            .iter()
            .map(|m| {
                let (transport, reply) = match &m.delivery {
                    Delivery::Sent {
                        transport, reply, ..
                    } => (Some(transport.clone()), Some(reply.clone())),
                    _ => (None, None),
                };
                OutboxEntry {
                    number: m.number,
                    step: m.step.clone(),
                    letter: m.letter.clone(),
                    state: m.phase(),
                    cancelled_reason: m.cancelled.as_ref().map(|c| c.text.clone()),
                    queued_at: m.queued.at,
                    sent_at: m.sent_at(),
                    transport,
                    reply,
                    attempts: m.attempts(),
                    last_error: m.failures.last().map(|f| f.text.clone()),
                    next_retry: match &m.delivery {
                        Delivery::Failed { next_retry, .. } => *next_retry,
                        _ => None,
                    },
                    acknowledged_by: m.acknowledged.as_ref().map(|a| a.by.clone()),
                    acknowledged_at: m.acknowledged.as_ref().map(|a| a.at),
                    called_at: m.called.as_ref().map(|c| c.at),
                    needs_call: needing.contains(&m.number),
                }
            })
            .collect();
        OutboxReport {
            format: 1,
            incident: incident.to_string(),
            now,
            transport,
            undelivered: state.undelivered().count(),
            needs_call: needing.len(),
            messages,
        }
    }

    /// The report as lines of text.
    pub fn render(&self, lang: Lang) -> String {
        let (count, undelivered, needs_call, via) = (
            self.messages.len(),
            self.undelivered,
            self.needs_call,
            &self.transport,
        );
        let mut out = tr!(
            lang,
            "送信箱: {count} 通（未送達 {undelivered}、要電話 {needs_call}）　送信先: {via}\n",
            "outbox: {count} message(s) ({undelivered} undelivered, {needs_call} need a call); sending via {via}\n"
        );
        for m in &self.messages {
            // A server's or service's words come from outside: never raw on a terminal.
            let (attempts, error) = (
                m.attempts,
                crate::text::shown(m.last_error.as_deref().unwrap_or_default()),
            );
            let words = m.state.words(lang);
            let state = match m.state {
                Phase::Sent => {
                    let at = m.sent_at.map(|t| format_jst(t, false)).unwrap_or_default();
                    format!("{words} {at}")
                }
                Phase::Called | Phase::Pending => words.to_string(),
                Phase::Cancelled => {
                    let why = m.cancelled_reason.as_deref().unwrap_or_default();
                    tr!(lang, "{words}（{why}）", "{words} ({why})")
                }
                Phase::FailedPermanent => tr!(
                    lang,
                    "{words}（{attempts} 回）: {error}",
                    "{words} ({attempts} attempt(s)): {error}"
                ),
                Phase::Failed => {
                    let at = m
                        .next_retry
                        .map(|t| format_jst(t, true))
                        .unwrap_or_default();
                    tr!(
                        lang,
                        "{words}（{attempts} 回、{at} に再送）: {error}",
                        "{words} ({attempts} attempt(s), retry at {at}): {error}"
                    )
                }
            };
            let ack = match (&m.acknowledged_by, m.needs_call) {
                (Some(by), _) => tr!(lang, "　確認: {by}", "; acknowledged by {by}"),
                (None, true) => tr!(
                    lang,
                    "　確認なし・要電話",
                    "; no acknowledgement, call them"
                ),
                (None, false) => String::new(),
            };
            let address = &m.letter.address;
            let to = match &m.letter.channel {
                Some(_) => tr!(lang, "チャット {address}", "chat {address}"),
                None => format!("<{address}>"),
            };
            out.push_str(&format!(
                "#{:<3} {} {to}  [{}]  {}{}\n      {}\n",
                m.number,
                m.letter.to,
                m.step,
                state,
                ack,
                super::reply::without_codes(&m.letter.subject)
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_to_ten_minutes() {
        let secs: Vec<i64> = (1..=8).map(|a| retry_delay(a).num_seconds()).collect();
        assert_eq!(secs, [15, 30, 60, 120, 240, 480, 600, 600]);
        assert_eq!(retry_delay(u32::MAX).num_seconds(), 600);
    }
}
