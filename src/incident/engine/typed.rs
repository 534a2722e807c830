//! What people typed into a command, checked once, before anything else: every name and id
//! is one line of visible text and every free text holds no control character but line breaks
//! and tabs ([`crate::text`] is the rule). One match over every command, so a new command's
//! fields are considered here by the compiler's exhaustiveness check.

use super::{Command, Field, Refusal};
use crate::incident::event::EvidenceRecord;
use crate::text::{bad_in_name, bad_in_text, is_web_url};

/// A value typed by someone: a one-line name, or a text that may span lines.
enum Typed<'a> {
    Name(&'a str, Field),
    Text(&'a str, Field),
}

use Typed::{Name, Text};

/// Checks every name and text of `command`.
pub(super) fn check(command: &Command) -> Result<(), Refusal> {
    for typed in fields(command) {
        match typed {
            Name(value, what) if bad_in_name(value).is_some() => {
                return Err(Refusal::ControlCharacter { what });
            }
            Text(value, what) if bad_in_text(value).is_some() => {
                return Err(Refusal::ControlInText { what });
            }
            _ => {}
        }
    }
    if let Command::AttachEvidence {
        evidence: EvidenceRecord::Url { url },
        ..
    } = command
        && !url.trim().is_empty()
        && !is_web_url(url)
    {
        return Err(Refusal::BadUrl { url: url.clone() });
    }
    Ok(())
}

fn opt<'a>(value: &'a Option<String>, what: Field) -> Option<Typed<'a>> {
    value.as_deref().map(|v| Text(v, what))
}

/// The typed fields of a command. What hikeshi itself composes (a delivery's reply, an
/// inject's text from the frozen scenario, a handover summary) is not typed and not listed.
fn fields(command: &Command) -> Vec<Typed<'_>> {
    match command {
        Command::Start { params, .. } => {
            let mut out = vec![
                Name(&params.title, Field::Title),
                Name(&params.operator, Field::Operator),
            ];
            out.extend(params.account.as_deref().map(|a| Name(a, Field::Account)));
            out.extend(params.severity.as_deref().map(|s| Name(s, Field::Severity)));
            for (fact, value) in &params.facts {
                out.push(Name(fact, Field::FactName));
                out.push(Text(value, Field::FactValue));
            }
            out
        }
        Command::Complete {
            step,
            note,
            force,
            statement,
        } => [
            Some(Name(step, Field::Step)),
            opt(note, Field::Note),
            opt(force, Field::Reason),
            statement.as_ref().map(|s| Text(&s.text, Field::Statement)),
        ]
        .into_iter()
        .flatten()
        .collect(),
        Command::Skip { step, reason } | Command::Reopen { step, reason } => {
            vec![Name(step, Field::Step), Text(reason, Field::Reason)]
        }
        Command::Decide {
            step,
            option,
            reason,
            force,
        } => [
            Some(Name(step, Field::Step)),
            Some(Name(option, Field::Option)),
            opt(reason, Field::Reason),
            opt(force, Field::Reason),
        ]
        .into_iter()
        .flatten()
        .collect(),
        Command::Approve { step, by, .. } => vec![Name(step, Field::Step), Name(by, Field::By)],
        Command::Reject { step, by, reason } => vec![
            Name(step, Field::Step),
            Name(by, Field::By),
            Text(reason, Field::Reason),
        ],
        Command::Check { step, .. } => vec![Name(step, Field::Step)],
        // A reply's name and reason come from a stranger's mail: the same rule as typed text.
        Command::ApplyHeldReply { .. } => Vec::new(),
        Command::RecordReply { reply, .. } => {
            let mut out = vec![Name(&reply.name, Field::ReplyName)];
            out.extend(opt(&reply.reason, Field::ReplyReason));
            out
        }
        Command::Observe { step, text } => vec![Name(step, Field::Step), Text(text, Field::Text)],
        Command::Note { text, step } => {
            let mut out = vec![Text(text, Field::Text)];
            out.extend(step.as_deref().map(|s| Name(s, Field::Step)));
            out
        }
        Command::AttachEvidence {
            step,
            evidence,
            note,
        } => {
            let mut out = vec![Name(step, Field::Step)];
            match evidence {
                EvidenceRecord::File { name, original, .. } => {
                    out.push(Name(name, Field::File));
                    out.push(Name(original, Field::File));
                }
                EvidenceRecord::Url { url } => out.push(Name(url, Field::Url)),
            }
            out.extend(opt(note, Field::Note));
            out
        }
        Command::Handover { to, .. } => vec![Name(to, Field::To)],
        Command::QueueNotifications { step, .. } | Command::RequestApproval { step, .. } => {
            vec![Name(step, Field::Step)]
        }
        Command::AddRecipients { step, to } => std::iter::once(Name(step, Field::Step))
            .chain(to.iter().map(|t| Name(t, Field::To)))
            .collect(),
        Command::Acknowledge { by, note, .. } => {
            let mut out = vec![Name(by, Field::By)];
            out.extend(opt(note, Field::Note));
            out
        }
        Command::WithdrawAcknowledgement { reason, .. } => vec![Text(reason, Field::Reason)],
        Command::Call { division, note, .. } => {
            vec![Name(division, Field::Division), Text(note, Field::Note)]
        }
        Command::IdentifyAccount { account, .. } => account
            .as_deref()
            .map(|a| Name(a, Field::Account))
            .into_iter()
            .collect(),
        Command::RecordReview {
            good,
            issues,
            improvements,
        } => vec![
            Text(good, Field::Review),
            Text(issues, Field::Review),
            Text(improvements, Field::Review),
        ],
        Command::Close { force } => opt(force, Field::Reason).into_iter().collect(),
        Command::SetFact { fact, value } | Command::RemoveFactValue { fact, value } => {
            vec![Name(fact, Field::FactName), Text(value, Field::FactValue)]
        }
        Command::RecordDelivery { .. }
        | Command::RecordFailure { .. }
        | Command::BeginExercise { .. }
        | Command::FireInject { .. } => Vec::new(),
    }
}
