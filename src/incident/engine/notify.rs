//! The mail and phone commands: queue a notify step's messages, record delivery outcomes,
//! acknowledgements and calls. A notify step is completed here, when the last of its
//! current messages is settled.

use chrono::{DateTime, FixedOffset};

use super::{
    PostStatement, Refusal, ensure_actionable, find_step, given, kind, known_party, non_empty,
};
use crate::incident::event::{Event, Letter, Reply, Verdict};
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
        return Err(Refusal::Empty { what: "--to" });
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
    non_empty(by, "--by")?;
    if !matches!(record.delivery, Delivery::Sent { .. }) {
        return Err(Refusal::NotDelivered {
            message,
            to: record.letter.to.clone(),
        });
    }
    Ok(Event::NotificationAcknowledged {
        message,
        by: by.to_string(),
        note: given(note),
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

/// A reply that counts: an acknowledgement of a notice; to an approval request, the
/// approval (if the texts still read as asked) or the refusal, as the approver's own act.
pub(super) fn reply(
    state: &IncidentState,
    playbook: &Playbook,
    message: u32,
    reply: &Reply,
    statements: Option<&[PostStatement]>,
) -> Result<Vec<Event>, Refusal> {
    let record = known(state, message)?;
    if !record.letter.address.eq_ignore_ascii_case(&reply.from) {
        return Err(Refusal::ReplyFromElsewhere {
            message,
            from: reply.from.clone(),
        });
    }
    if state
        .messages
        .iter()
        .any(|m| m.replies.iter().any(|r| r.reply_id == reply.reply_id))
    {
        return Err(Refusal::ReplyAlreadyRecorded {
            reply_id: reply.reply_id.clone(),
        });
    }
    if !matches!(record.delivery, Delivery::Sent { .. }) {
        return Err(Refusal::NotDelivered {
            message,
            to: record.letter.to.clone(),
        });
    }
    let recorded = Event::ReplyRecorded {
        message,
        reply: reply.clone(),
    };
    let Some(asked) = &record.letter.approval else {
        if reply.verdict != Verdict::Acknowledged {
            return Err(Refusal::NotAnApprovalRequest { message });
        }
        return Ok(vec![recorded]);
    };
    let step = record.step.clone();
    super::steps::ensure_approvable(state, playbook, &step, &[])?;
    let by = format!("{} <{}>", reply.name, reply.from);
    let answer = match reply.verdict {
        Verdict::Acknowledged => return Err(Refusal::ApprovalRequestNeedsAnswer { message }),
        Verdict::Approved => {
            let ix = find_step(playbook, &step)?;
            // The approver saw the texts as asked: if any reads otherwise now (an edited
            // statement file, a fact changed), the reply approves nothing.
            if !super::approval::still_as_asked(state, playbook, ix, statements, asked) {
                return Err(Refusal::RequestOutdated { message, step });
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
    };
    Ok(vec![recorded, answer])
}

pub(super) fn call(
    state: &IncidentState,
    playbook: &Playbook,
    division: &str,
    number: &Option<String>,
    note: &str,
) -> Result<Vec<Event>, Refusal> {
    non_empty(division, "DIVISION")?;
    known_party(playbook, division)?;
    non_empty(note, "--note")?;
    let mut events = vec![Event::DivisionCalled {
        division: division.to_string(),
        number: number.clone(),
        note: note.to_string(),
    }];
    // A call reaches the division for every message to it: steps whose messages are all
    // settled by it are done.
    let mut steps: Vec<&str> = state
        .messages
        .iter()
        .filter(|m| m.letter.to == division && !m.is_settled())
        .map(|m| m.step.as_str())
        .collect();
    steps.sort_unstable();
    steps.dedup();
    for step in steps {
        let settled = |m: &MessageRecord| m.letter.to == division || m.is_settled();
        events.extend(complete_notified(state, playbook, step, settled));
    }
    Ok(events)
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
