//! What people typed into a command, checked once, before anything else: every name and id
//! is one line of visible text and every free text holds no control character but line breaks
//! and tabs ([`crate::text`] is the rule). One match over every command, so a new command's
//! fields are considered here by the compiler's exhaustiveness check.

use super::{Command, Refusal};
use crate::incident::event::EvidenceRecord;
use crate::text::{bad_in_name, bad_in_text, is_web_url};

/// A value typed by someone: a one-line name, or a text that may span lines.
enum Typed<'a> {
    Name(&'a str, &'static str),
    Text(&'a str, &'static str),
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

fn opt<'a>(value: &'a Option<String>, what: &'static str) -> Option<Typed<'a>> {
    value.as_deref().map(|v| Text(v, what))
}

/// The typed fields of a command. What hikeshi itself composes (a delivery's reply, an
/// inject's text from the frozen scenario, a handover summary) is not typed and not listed.
fn fields(command: &Command) -> Vec<Typed<'_>> {
    match command {
        Command::Start { params, .. } => {
            let mut out = vec![
                Name(&params.title, "--title"),
                Name(&params.operator, "--operator"),
            ];
            out.extend(params.account.as_deref().map(|a| Name(a, "--account")));
            out.extend(params.severity.as_deref().map(|s| Name(s, "--severity")));
            for (fact, value) in &params.facts {
                out.push(Name(fact, "--fact"));
                out.push(Text(value, "--fact"));
            }
            out
        }
        Command::Complete {
            step,
            note,
            force,
            statement,
        } => [
            Some(Name(step, "STEP")),
            opt(note, "--note"),
            opt(force, "--reason"),
            statement.as_ref().map(|s| Text(&s.text, "statements/")),
        ]
        .into_iter()
        .flatten()
        .collect(),
        Command::Skip { step, reason } | Command::Reopen { step, reason } => {
            vec![Name(step, "STEP"), Text(reason, "--reason")]
        }
        Command::Decide {
            step,
            option,
            reason,
            force,
        } => [
            Some(Name(step, "STEP")),
            Some(Name(option, "OPTION")),
            opt(reason, "--reason"),
            opt(force, "--reason"),
        ]
        .into_iter()
        .flatten()
        .collect(),
        Command::Approve { step, by, .. } => vec![Name(step, "STEP"), Name(by, "--by")],
        Command::Reject { step, by, reason } => vec![
            Name(step, "STEP"),
            Name(by, "--by"),
            Text(reason, "--reason"),
        ],
        Command::Check { step, .. } => vec![Name(step, "STEP")],
        // A reply's name and reason come from a stranger's mail: the same rule as typed text.
        Command::ApplyHeldReply { .. } => Vec::new(),
        Command::RecordReply { reply, .. } => {
            let mut out = vec![Name(&reply.name, "From")];
            out.extend(opt(&reply.reason, "reason"));
            out
        }
        Command::Observe { step, text } => vec![Name(step, "STEP"), Text(text, "TEXT")],
        Command::Note { text, step } => {
            let mut out = vec![Text(text, "TEXT")];
            out.extend(step.as_deref().map(|s| Name(s, "--step")));
            out
        }
        Command::AttachEvidence {
            step,
            evidence,
            note,
        } => {
            let mut out = vec![Name(step, "STEP")];
            match evidence {
                EvidenceRecord::File { name, original, .. } => {
                    out.push(Name(name, "FILE"));
                    out.push(Name(original, "FILE"));
                }
                EvidenceRecord::Url { url } => out.push(Name(url, "URL")),
            }
            out.extend(opt(note, "--note"));
            out
        }
        Command::Handover { to, .. } => vec![Name(to, "--to")],
        Command::QueueNotifications { step, .. } | Command::RequestApproval { step, .. } => {
            vec![Name(step, "STEP")]
        }
        Command::AddRecipients { step, to } => std::iter::once(Name(step, "STEP"))
            .chain(to.iter().map(|t| Name(t, "--to")))
            .collect(),
        Command::Acknowledge { by, note, .. } => {
            let mut out = vec![Name(by, "--by")];
            out.extend(opt(note, "--note"));
            out
        }
        Command::WithdrawAcknowledgement { reason, .. } => vec![Text(reason, "--reason")],
        Command::Call { division, note, .. } => {
            vec![Name(division, "DIVISION"), Text(note, "--note")]
        }
        Command::IdentifyAccount { account, .. } => account
            .as_deref()
            .map(|a| Name(a, "--account"))
            .into_iter()
            .collect(),
        Command::RecordReview {
            good,
            issues,
            improvements,
        } => vec![
            Text(good, "REVIEW"),
            Text(issues, "REVIEW"),
            Text(improvements, "REVIEW"),
        ],
        Command::Close { force } => opt(force, "--reason").into_iter().collect(),
        Command::SetFact { fact, value } => vec![Name(fact, "FACT"), Text(value, "VALUE")],
        Command::RecordDelivery { .. }
        | Command::RecordFailure { .. }
        | Command::BeginExercise { .. }
        | Command::FireInject { .. } => Vec::new(),
    }
}
