//! The engine: a command, checked against the step graph and the current state, becomes
//! events — or a refusal that says why and what to do. Pure and synchronous: no disk,
//! terminal, network or clock.
//!
//! [`apply`] is the one entry: it checks what holds for every command (started, not closed)
//! and hands each command to its own function — the steps' commands in `steps.rs`, mail and
//! calls in `notify.rs`, the exercise's in `exercise.rs`. What people typed is checked first,
//! for every command at once (`typed.rs`); the checks the commands share (a step that exists,
//! is ready, a text that is not empty) are below.

mod approval;
mod command;
mod exercise;
mod facts;
mod notify;
mod refusal;
mod steps;
mod typed;

pub use command::{Command, PostStatement, Statement};
pub use notify::settled_by_call;
pub use refusal::{Face, Field, Plain, Refusal, Remedy};

use super::event::Event;
use super::state::{IncidentState, Stamp, StepStatus};
use crate::playbook::diagnostic::suggest;
use crate::playbook::{Playbook, StepIx, StepKind};

/// Checks a command against the playbook and the state; returns the events it produces.
pub fn apply(
    state: &IncidentState,
    playbook: &Playbook,
    command: &Command,
) -> Result<Vec<Event>, Refusal> {
    typed::check(command)?;
    if let Command::Start {
        params,
        playbook_sha256,
        divisions_sha256,
    } = command
    {
        return one(steps::start(
            state,
            playbook,
            params,
            playbook_sha256,
            divisions_sha256,
        ));
    }
    if !state.is_started() {
        return Err(Refusal::NotStarted);
    }
    // The review is written after the exercise, once the incident is closed.
    if let Command::RecordReview {
        good,
        issues,
        improvements,
    } = command
    {
        return one(exercise::review(state, good, issues, improvements));
    }
    if state.is_closed() {
        return Err(Refusal::Closed);
    }
    let (s, p) = (state, playbook);
    match command {
        Command::Start { .. } => Err(Refusal::AlreadyStarted),
        Command::RecordReview { .. } => Err(Refusal::Closed),
        Command::Complete {
            step,
            note,
            force,
            statement,
        } => one(steps::complete(s, p, step, note, force, statement.as_ref())),
        Command::Skip { step, reason } => one(steps::skip(s, p, step, reason)),
        Command::Decide {
            step,
            option,
            reason,
            force,
        } => one(steps::decide(s, p, step, option, reason, force)),
        Command::Approve {
            step,
            by,
            statements,
        } => one(steps::approve(s, p, step, by, statements.as_deref())),
        Command::Reject { step, by, reason } => one(steps::reject(s, p, step, by, reason)),
        Command::Check {
            step,
            item,
            checked,
        } => one(steps::check(p, step, *item, *checked)),
        Command::Observe { step, text } => one(steps::observe(s, p, step, text)),
        Command::Reopen { step, reason } => one(steps::reopen(s, p, step, reason)),
        Command::Note { text, step } => one(steps::note(p, text, step)),
        Command::AttachEvidence {
            step,
            evidence,
            note,
        } => one(steps::attach_evidence(p, step, evidence, note)),
        Command::Handover { to, summary } => one(steps::handover(s, to, summary)),
        Command::IdentifyAccount { account, platform } => {
            let mut events = one(steps::identify_account(account, *platform))?;
            if let Some(account) = account {
                events.extend(facts::account_identified(s, p, account));
            }
            Ok(events)
        }
        Command::Close { force } => one(steps::close(s, p, force)),
        Command::SetFact { fact, value } => facts::set(s, p, fact, value),
        Command::RemoveFactValue { fact, value } => facts::remove(s, p, fact, value),
        Command::QueueNotifications { step, messages } => notify::queue(s, p, step, messages),
        Command::AddRecipients { step, to } => one(notify::add_recipients(s, p, step, to)),
        Command::RecordDelivery {
            message,
            transport,
            reply,
        } => notify::delivered(s, p, *message, transport, reply),
        Command::RecordFailure {
            message,
            error,
            permanent,
            next_retry,
        } => one(notify::failed(s, *message, error, *permanent, *next_retry)),
        Command::Acknowledge { message, by, note } => {
            one(notify::acknowledge(s, *message, by, note))
        }
        Command::WithdrawAcknowledgement {
            message,
            reason,
            seen,
        } => one(notify::withdraw_acknowledgement(s, *message, reason, *seen)),
        Command::RecordReply {
            message,
            reply,
            answer,
            statements,
        } => notify::reply(s, p, *message, reply, answer, statements.as_deref()),
        Command::ApplyHeldReply {
            reply_id,
            answer,
            statements,
        } => notify::apply_held(s, p, reply_id, answer, statements.as_deref()),
        Command::RequestApproval {
            step,
            letter,
            statements,
        } => one(notify::request_approval(
            s,
            p,
            step,
            letter,
            statements.as_deref(),
        )),
        Command::Call {
            division,
            number,
            note,
        } => notify::call(s, p, division, number, note),
        Command::BeginExercise {
            scenario,
            title,
            scenario_sha256,
            live_mail,
            targets,
        } => one(exercise::begin(
            s,
            scenario,
            title,
            scenario_sha256,
            *live_mail,
            targets,
        )),
        Command::FireInject {
            inject,
            title,
            text,
            at_seconds,
            early,
        } => one(exercise::fire(s, inject, title, text, *at_seconds, *early)),
    }
}

/// [`apply`] at the time `at` the events would be journalled with: refused if that is earlier
/// than the journal's last event by more than [`crate::journal::CLOCK_SKEW`] (a clock set
/// back, another computer's clock well ahead; a few seconds between PCs is normal), unless
/// `earlier_ok` (the operator's `--allow-earlier-time`), so the record's times never run
/// backwards unnoticed. The time is an argument: the engine still reads no clock.
pub fn apply_at(
    state: &IncidentState,
    playbook: &Playbook,
    command: &Command,
    at: chrono::DateTime<chrono::FixedOffset>,
    earlier_ok: bool,
) -> Result<Vec<Event>, Refusal> {
    let events = apply(state, playbook, command)?;
    journal_time(state, at, earlier_ok)?;
    Ok(events)
}

/// Whether an event at `at` may be journalled after what `state` holds: the time check of
/// [`apply_at`] alone, for a face that must know before it acts outside the journal (a
/// delivery whose outcome could not be recorded must not be made).
pub fn journal_time(
    state: &IncidentState,
    at: chrono::DateTime<chrono::FixedOffset>,
    earlier_ok: bool,
) -> Result<(), Refusal> {
    match state.last_event_at {
        Some(last) if at < last - crate::journal::CLOCK_SKEW && !earlier_ok => {
            Err(Refusal::EarlierThanJournal { last, at })
        }
        _ => Ok(()),
    }
}

/// Most commands produce exactly one event.
fn one(event: Result<Event, Refusal>) -> Result<Vec<Event>, Refusal> {
    event.map(|e| vec![e])
}

fn non_empty(text: &str, what: Field) -> Result<(), Refusal> {
    if text.trim().is_empty() {
        Err(Refusal::Empty { what })
    } else {
        Ok(())
    }
}

/// A note or reason given as optional text: blank is none.
fn given(text: &Option<String>) -> Option<String> {
    text.clone().filter(|t| !t.trim().is_empty())
}

/// Checks that `name` is a division or role of the incident's directory (the one its
/// playbook was compiled against), so a call is recorded only for someone who exists.
pub fn known_party(playbook: &Playbook, name: &str) -> Result<(), Refusal> {
    if playbook.parties.iter().any(|p| p == name) {
        Ok(())
    } else {
        Err(Refusal::UnknownParty {
            name: name.to_string(),
            suggestion: suggest(name, playbook.parties.iter().map(String::as_str)),
        })
    }
}

fn find_step(playbook: &Playbook, id: &str) -> Result<StepIx, Refusal> {
    playbook.graph.find(id).ok_or_else(|| Refusal::UnknownStep {
        step: id.to_string(),
        suggestion: suggest(id, playbook.graph.steps().iter().map(|s| s.id.as_str())),
    })
}

/// The kind of a step.
fn kind(playbook: &Playbook, ix: StepIx) -> Option<&StepKind> {
    playbook.graph.step(ix).map(|s| &s.kind)
}

/// The steps `ix` waits for: unsettled prerequisites, and an unanswered decision.
fn waiting_for(state: &IncidentState, playbook: &Playbook, ix: StepIx) -> Vec<String> {
    let Some(step) = playbook.graph.step(ix) else {
        return Vec::new();
    };
    let mut out: Vec<String> = step
        .after
        .iter()
        .filter(|p| !state.status_of(**p).is_settled())
        .filter_map(|p| playbook.graph.step(*p).map(|s| s.id.clone()))
        .collect();
    if let Some(cond) = &step.when
        && state.step(cond.decision).and_then(|r| r.answer).is_none()
        && let Some(d) = playbook.graph.step(cond.decision)
        && !out.contains(&d.id)
    {
        out.push(d.id.clone());
    }
    out
}

/// Whether a step can be acted on now, unforced: what a face asks before offering the
/// step's own dialog (a ready step whose facts are unknown is refused with
/// [`Refusal::FactsNeeded`], naming them, whatever its kind).
pub fn actionable(state: &IncidentState, playbook: &Playbook, ix: StepIx) -> Result<(), Refusal> {
    ensure_actionable(state, playbook, ix, None, false)
}

/// Checks that a step can be acted on now: ready, or forced with a reason. `forceable` says
/// whether the command can be forced, so the refusal only offers that where it works.
fn ensure_actionable(
    state: &IncidentState,
    playbook: &Playbook,
    ix: StepIx,
    force: Option<&str>,
    forceable: bool,
) -> Result<(), Refusal> {
    let id = playbook
        .graph
        .step(ix)
        .map(|s| s.id.clone())
        .unwrap_or_default();
    match state.status_of(ix) {
        // A ready step that uses facts waits for them (its texts would be incomplete).
        // Forcing records a deviation (done outside hikeshi), which needs no texts.
        StepStatus::Ready if force.is_none() => facts::needed_by(state, playbook, ix),
        StepStatus::Ready => Ok(()),
        StepStatus::Done | StepStatus::Skipped => Err(finished(state, ix, id)),
        _ if force.is_some() => Ok(()),
        StepStatus::NotApplicable => Err(Refusal::NotApplicable {
            step: id,
            forceable,
        }),
        StepStatus::Pending => Err(Refusal::NotReady {
            step: id,
            waiting_for: waiting_for(state, playbook, ix),
            forceable,
        }),
    }
}

/// The refusal for a step that is done or skipped already, naming who did it and when.
pub(super) fn finished(state: &IncidentState, ix: StepIx, step: String) -> Refusal {
    let record = state.step(ix);
    match state.status_of(ix) {
        StepStatus::Skipped => Refusal::AlreadySkipped {
            step,
            by: record.and_then(|r| r.skipped.as_ref()).map(|r| Stamp {
                at: r.at,
                by: r.by.clone(),
            }),
        },
        _ => Refusal::AlreadyDone {
            step,
            by: record.and_then(|r| r.done.clone()),
        },
    }
}
