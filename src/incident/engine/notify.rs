//! The mail and phone commands: queue a notify step's messages, record delivery outcomes,
//! acknowledgements and calls. A notify step is completed here, when the last of its
//! current messages is settled.

use chrono::{DateTime, FixedOffset};

use super::{
    Field, PostStatement, Refusal, ensure_actionable, find_step, given, kind, known_party,
    non_empty,
};
use crate::incident::event::{Event, Letter, Reply, ReplyIssue, Verdict};
use crate::incident::state::{Delivery, IncidentState, MessageRecord};
use crate::playbook::{Playbook, StepKind};

fn known(state: &IncidentState, message: u32) -> Result<&MessageRecord, Refusal> {
    state
        .message(message)
        .ok_or_else(|| Refusal::UnknownMessage {
            message: format!("#{message}"),
        })
}

/// A message is never delivered, nor recorded as delivered, twice.
fn not_delivered(record: &MessageRecord) -> Result<(), Refusal> {
    if matches!(record.delivery, Delivery::Sent { .. }) {
        Err(Refusal::AlreadyDelivered {
            message: record.number,
        })
    } else {
        Ok(())
    }
}

pub(super) fn queue(
    state: &IncidentState,
    playbook: &Playbook,
    step: &str,
    messages: &[Letter],
) -> Result<Vec<Event>, Refusal> {
    let ix = find_step(playbook, step)?;
    if !matches!(kind(playbook, ix), Some(StepKind::Notify(_))) {
        return Err(Refusal::NotANotify {
            step: step.to_string(),
        });
    }
    ensure_actionable(state, playbook, ix, None, false)?;
    let outstanding: Vec<u32> = state
        .messages
        .iter()
        .filter(|m| m.step == step && !m.is_settled())
        .map(|m| m.number)
        .collect();
    if !outstanding.is_empty() {
        return Err(Refusal::AlreadyQueued {
            step: step.to_string(),
            messages: outstanding,
        });
    }
    if messages.is_empty() {
        return Err(Refusal::NoRecipients {
            step: step.to_string(),
        });
    }
    let first = state.next_message();
    Ok(messages
        .iter()
        .zip(first..)
        .map(|(letter, number)| Event::NotificationQueued {
            message: number,
            step: step.to_string(),
            letter: letter.clone(),
        })
        .collect())
}

/// `notify --to`: divisions the step's `add_to` offers, each once, before its mail is sent.
pub(super) fn add_recipients(
    state: &IncidentState,
    playbook: &Playbook,
    step: &str,
    to: &[String],
) -> Result<Event, Refusal> {
    let ix = find_step(playbook, step)?;
    let Some(StepKind::Notify(notify)) = kind(playbook, ix) else {
        return Err(Refusal::NotANotify {
            step: step.to_string(),
        });
    };
    if state.status_of(ix).is_settled() {
        return Err(super::finished(state, ix, step.to_string()));
    }
    if to.is_empty() {
        return Err(Refusal::Empty { what: Field::To });
    }
    let current = state.recipients(notify, ix);
    for (i, name) in to.iter().enumerate() {
        if current.contains(name) || to[..i].contains(name) {
            return Err(Refusal::AlreadyRecipient {
                step: step.to_string(),
                name: name.clone(),
            });
        }
        if !notify.add_to.contains(name) {
            return Err(Refusal::NotACandidate {
                step: step.to_string(),
                name: name.clone(),
                candidates: notify.add_to.clone(),
            });
        }
    }
    Ok(Event::RecipientsAdded {
        step: step.to_string(),
        to: to.to_vec(),
    })
}

pub(super) fn delivered(
    state: &IncidentState,
    playbook: &Playbook,
    message: u32,
    transport: &str,
    reply: &str,
) -> Result<Vec<Event>, Refusal> {
    let record = known(state, message)?;
    not_delivered(record)?;
    let mut events = vec![Event::NotificationSent {
        message,
        transport: transport.to_string(),
        reply: reply.to_string(),
    }];
    let settled = |m: &MessageRecord| m.number == message || m.is_settled();
    events.extend(complete_notified(state, playbook, &record.step, settled));
    Ok(events)
}

pub(super) fn failed(
    state: &IncidentState,
    message: u32,
    error: &str,
    permanent: bool,
    next_retry: Option<DateTime<FixedOffset>>,
) -> Result<Event, Refusal> {
    let record = known(state, message)?;
    not_delivered(record)?;
    Ok(Event::NotificationFailed {
        message,
        attempt: record.attempts() + 1,
        error: error.to_string(),
        permanent,
        next_retry: if permanent { None } else { next_retry },
    })
}

pub(super) fn acknowledge(
    state: &IncidentState,
    message: u32,
    by: &str,
    note: &Option<String>,
) -> Result<Event, Refusal> {
    let record = known(state, message)?;
    non_empty(by, Field::By)?;
    if !matches!(record.delivery, Delivery::Sent { .. }) {
        return Err(Refusal::NotDelivered {
            message,
            to: record.letter.to.clone(),
        });
    }
    // One acknowledgement in force: a wrong one is withdrawn (with a reason) first.
    if let Some(ack) = &record.acknowledged {
        return Err(Refusal::AlreadyAcknowledged {
            message,
            to: record.letter.to.clone(),
            by: ack.by.clone(),
        });
    }
    Ok(Event::NotificationAcknowledged {
        message,
        by: by.to_string(),
        note: given(note),
    })
}

/// Takes back the acknowledgement in force, with the reason.
pub(super) fn withdraw_acknowledgement(
    state: &IncidentState,
    message: u32,
    reason: &str,
    seen: Option<DateTime<FixedOffset>>,
) -> Result<Event, Refusal> {
    let record = known(state, message)?;
    non_empty(reason, Field::Reason)?;
    let Some(current) = &record.acknowledged else {
        return Err(Refusal::NotAcknowledged {
            message,
            to: record.letter.to.clone(),
        });
    };
    // Only the acknowledgement the person saw is taken back.
    if seen.is_some_and(|at| at != current.at) {
        return Err(Refusal::AcknowledgementChanged {
            message,
            to: record.letter.to.clone(),
            by: current.by.clone(),
        });
    }
    Ok(Event::AcknowledgementWithdrawn {
        message,
        reason: reason.to_string(),
    })
}

/// `hikeshi request-approval`: the request to the step's approver, with the texts it asks
/// about and their hashes now.
pub(super) fn request_approval(
    state: &IncidentState,
    playbook: &Playbook,
    step: &str,
    letter: &Letter,
    statements: Option<&[PostStatement]>,
) -> Result<Event, Refusal> {
    super::steps::ensure_approvable(state, playbook, step, &[])?;
    let ix = find_step(playbook, step)?;
    let approver = match kind(playbook, ix) {
        Some(StepKind::Approval { approver }) => approver.clone(),
        Some(StepKind::Post(post)) => post.approver.clone(),
        _ => {
            return Err(Refusal::NotApprovable {
                step: step.to_string(),
            });
        }
    };
    if letter.to != approver && !letter.also.contains(&approver) {
        return Err(Refusal::NotTheApprover {
            step: step.to_string(),
            approver,
            to: letter.to.clone(),
        });
    }
    Ok(Event::NotificationQueued {
        message: state.next_message(),
        step: step.to_string(),
        letter: Letter {
            approval: Some(super::approval::requested(state, playbook, ix, statements)),
            ..letter.clone()
        },
    })
}

/// What a reply from a message's addressee, in its thread, does.
enum Outcome {
    /// It counts: these events record it.
    Counts(Vec<Event>),
    /// It answers an approval request whose step cannot be approved yet: kept.
    Held,
    /// It counts as nothing, and why.
    NotCounted(ReplyIssue),
}

fn judge(
    state: &IncidentState,
    playbook: &Playbook,
    record: &MessageRecord,
    reply: &Reply,
    statements: Option<&[PostStatement]>,
) -> Result<Outcome, Refusal> {
    let message = record.number;
    let recorded = Event::ReplyRecorded {
        message,
        reply: reply.clone(),
    };
    if let Verdict::Unclear(_) = reply.verdict {
        return Ok(Outcome::NotCounted(ReplyIssue::Unclear));
    }
    let sent = matches!(record.delivery, Delivery::Sent { .. });
    // Never sent (its step was completed another way): nothing to answer for.
    let unsent = || {
        if record.cancelled.is_some() {
            Outcome::NotCounted(ReplyIssue::StepSettled)
        } else {
            // A reply can arrive before the sender has journalled the delivery (another
            // process, a slow disk): kept until it has.
            Outcome::Held
        }
    };
    let Some(asked) = &record.letter.approval else {
        return Ok(if reply.verdict != Verdict::Acknowledged {
            Outcome::NotCounted(ReplyIssue::NotAnApprovalRequest)
        } else if !sent {
            unsent()
        } else {
            Outcome::Counts(vec![recorded])
        });
    };
    if reply.verdict == Verdict::Acknowledged {
        return Ok(Outcome::NotCounted(ReplyIssue::NeedsAnswer));
    }
    let step = record.step.clone();
    match super::steps::ensure_approvable(state, playbook, &step, &[]) {
        Ok(()) => {}
        // Too early: kept until the step can be approved.
        Err(Refusal::NotReady { .. } | Refusal::FactsNeeded { .. }) => return Ok(Outcome::Held),
        Err(Refusal::AlreadyDone { .. } | Refusal::AlreadySkipped { .. }) => {
            return Ok(Outcome::NotCounted(ReplyIssue::StepSettled));
        }
        Err(Refusal::NotApplicable { .. }) => {
            return Ok(Outcome::NotCounted(ReplyIssue::NotApplicable));
        }
        Err(other) => return Err(other),
    }
    if !sent {
        return Ok(unsent());
    }
    // Only the request still waiting for its answer is answered: a reply to an older one,
    // or one that comes after the approval or the refusal, decides nothing.
    let ix = find_step(playbook, &step)?;
    if state.awaiting_approval(playbook, ix).map(|m| m.number) != Some(message) {
        return Ok(Outcome::NotCounted(ReplyIssue::Superseded));
    }
    let by = format!("{} <{}>", reply.name, reply.from);
    let answer = match reply.verdict {
        Verdict::Approved => {
            let ix = find_step(playbook, &step)?;
            // The approver saw the texts as asked: if any reads otherwise now (an edited
            // statement file, a fact changed), the reply approves nothing.
            if !super::approval::still_as_asked(state, playbook, ix, statements, asked) {
                return Ok(Outcome::NotCounted(ReplyIssue::TextChanged));
            }
            Event::ApprovalGiven {
                step,
                by,
                texts: asked.clone(),
                reply: Some(message),
            }
        }
        Verdict::Rejected => Event::ApprovalRejected {
            step,
            by,
            reason: reply.reason.clone().unwrap_or_default(),
            reply: Some(message),
        },
        Verdict::Acknowledged | Verdict::Unclear(_) => {
            return Ok(Outcome::NotCounted(ReplyIssue::Unclear));
        }
    };
    Ok(Outcome::Counts(vec![recorded, answer]))
}

/// The events of a judged reply; `answer` goes with a reply that counts as nothing, and only
/// with one.
fn outcome_events(
    state: &IncidentState,
    record: &MessageRecord,
    reply: &Reply,
    outcome: Outcome,
    answer: &Option<Letter>,
) -> Result<Vec<Event>, Refusal> {
    let message = record.number;
    let issue = match outcome {
        Outcome::Counts(_) | Outcome::Held if answer.is_some() => {
            return Err(Refusal::AnswerNotNeeded {
                reply_id: reply.reply_id.clone(),
            });
        }
        Outcome::Counts(events) => return Ok(events),
        Outcome::Held => {
            return Ok(vec![Event::ReplyHeld {
                message,
                reply: reply.clone(),
            }]);
        }
        Outcome::NotCounted(issue) => issue,
    };
    let mut events = vec![Event::ReplyNotCounted {
        message,
        issue,
        reply: reply.clone(),
    }];
    if let Some(letter) = answer {
        // The answer goes to the replier, about this reply, in the message's thread; it
        // carries the message's code, none of its own.
        if letter.answers.as_deref() != Some(reply.reply_id.as_str())
            || !letter.address.eq_ignore_ascii_case(&reply.from)
            || letter.reply_code.is_some()
            || letter.channel.is_some()
        {
            return Err(Refusal::AnswerMismatch {
                reply_id: reply.reply_id.clone(),
            });
        }
        events.push(Event::NotificationQueued {
            message: state.next_message(),
            step: record.step.clone(),
            letter: letter.clone(),
        });
    }
    Ok(events)
}

/// A reply mail from a message's addressee, in its thread: recorded as the replier's own act
/// if it counts (an acknowledgement of a notice; to an approval request, the approval if the
/// texts still read as asked, or the refusal), held if its approval step is not ready yet,
/// else kept as counting nothing with the answer that tells the replier why.
pub(super) fn reply(
    state: &IncidentState,
    playbook: &Playbook,
    message: u32,
    reply: &Reply,
    answer: &Option<Letter>,
    statements: Option<&[PostStatement]>,
) -> Result<Vec<Event>, Refusal> {
    let record = known(state, message)?;
    if !record.letter.address.eq_ignore_ascii_case(&reply.from) {
        return Err(Refusal::ReplyFromElsewhere {
            message,
            from: reply.from.clone(),
        });
    }
    if state.messages.iter().any(|m| {
        m.replies
            .iter()
            .chain(&m.held)
            .chain(m.uncounted.iter().map(|(_, r)| r))
            .any(|r| r.reply_id == reply.reply_id)
    }) {
        return Err(Refusal::ReplyAlreadyRecorded {
            reply_id: reply.reply_id.clone(),
        });
    }
    // A reply held for its step is replaced by a later one from the same person ("承認", then
    // "却下 日付誤り" or "やっぱり待ってください"): their last words count, not the first.
    let replaced = record.held.iter().map(|held| Event::ReplyNotCounted {
        message,
        issue: ReplyIssue::Replaced,
        reply: held.clone(),
    });
    let mut events: Vec<Event> = replaced.collect();
    let outcome = judge(state, playbook, record, reply, statements)?;
    events.extend(outcome_events(state, record, reply, outcome, answer)?);
    Ok(events)
}

/// A held reply taken up again: counted, or counted as nothing, once its step can be
/// approved or never can be; refused while it must still wait.
pub(super) fn apply_held(
    state: &IncidentState,
    playbook: &Playbook,
    reply_id: &str,
    answer: &Option<Letter>,
    statements: Option<&[PostStatement]>,
) -> Result<Vec<Event>, Refusal> {
    let (record, reply) = state
        .messages
        .iter()
        .find_map(|m| {
            m.held
                .iter()
                .find(|r| r.reply_id == reply_id)
                .map(|r| (m, r))
        })
        .ok_or_else(|| Refusal::NoHeldReply {
            reply_id: reply_id.to_string(),
        })?;
    match judge(state, playbook, record, reply, statements)? {
        Outcome::Held => Err(Refusal::ReplyStillHeld {
            message: record.number,
            step: record.step.clone(),
        }),
        outcome => outcome_events(state, record, reply, outcome, answer),
    }
}

pub(super) fn call(
    state: &IncidentState,
    playbook: &Playbook,
    division: &str,
    number: &Option<String>,
    note: &str,
) -> Result<Vec<Event>, Refusal> {
    non_empty(division, Field::Division)?;
    known_party(playbook, division)?;
    non_empty(note, Field::Note)?;
    let covers = covered_by_call(state, playbook, division);
    let called = |m: &MessageRecord| m.letter.to == division || covers.contains(&m.letter.to);
    // Steps whose messages are all settled by the call are done.
    let mut steps: Vec<&str> = state
        .messages
        .iter()
        .filter(|m| called(m) && !m.is_settled())
        .map(|m| m.step.as_str())
        .collect();
    steps.sort_unstable();
    steps.dedup();
    let mut events = vec![Event::DivisionCalled {
        division: division.to_string(),
        number: number.clone(),
        note: note.to_string(),
        covers: covers.clone(),
    }];
    for step in steps {
        let settled = |m: &MessageRecord| called(m) || m.is_settled();
        events.extend(complete_notified(state, playbook, step, settled));
    }
    Ok(events)
}

/// The other names a call to `division` reaches: a call reaches every message to whoever
/// answers to the name: the division itself, the parts it plays (mail to 広報担当課 when 総務課
/// is called), and the names that share a message with them (one person holding several
/// roles).
fn covered_by_call(state: &IncidentState, playbook: &Playbook, division: &str) -> Vec<String> {
    let holder = playbook.holder_of(division);
    let reaches = |name: &str| name == division || playbook.holder_of(name) == holder;
    let mut covers: Vec<String> = Vec::new();
    for m in &state.messages {
        let letter = &m.letter;
        if letter.to != division
            && (reaches(&letter.to) || letter.also.iter().any(|a| reaches(a)))
            && !covers.contains(&letter.to)
        {
            covers.push(letter.to.clone());
        }
    }
    covers
}

/// The messages a call to `division` recorded now would settle: every one not settled yet
/// to the division or a name the call reaches, of any step, in order. A face shows them
/// before the call is recorded, so that the person says all of them on the phone.
pub fn settled_by_call<'a>(
    state: &'a IncidentState,
    playbook: &Playbook,
    division: &str,
) -> Vec<&'a MessageRecord> {
    let covers = covered_by_call(state, playbook, division);
    state
        .messages
        .iter()
        .filter(|m| !m.is_settled() && (m.letter.to == division || covers.contains(&m.letter.to)))
        .collect()
}

/// The completion of a notify step, if every one of its messages is settled once the event
/// being recorded is counted (`settled` says which are).
fn complete_notified(
    state: &IncidentState,
    playbook: &Playbook,
    step: &str,
    settled: impl Fn(&MessageRecord) -> bool,
) -> Option<Event> {
    let ix = playbook.graph.find(step)?;
    // Only a notify step is done by its mail (an approval request is not the approval).
    if state.status_of(ix).is_settled() || !matches!(kind(playbook, ix), Some(StepKind::Notify(_)))
    {
        return None;
    }
    let mut messages = state.current_messages(playbook, step).peekable();
    messages.peek()?;
    messages.all(settled).then(|| Event::StepCompleted {
        step: step.to_string(),
        note: None,
        forced: None,
        posted: None,
    })
}
