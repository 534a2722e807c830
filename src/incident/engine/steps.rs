//! The commands on the incident and its steps: start, complete, skip, decide, approve,
//! reject, tick, observe, reopen, note, evidence, handover, the account, close. One function
//! per command; each returns its one event or a refusal.

use super::{
    Field, PostStatement, Refusal, Statement, ensure_actionable, find_step, given, kind, non_empty,
};
use crate::digest::sha256_hex;
use crate::incident::event::{Event, EvidenceRecord, PostedText, StartParams};
use crate::incident::state::{IncidentState, StepStatus};
use crate::playbook::{Platform, Playbook, PostChannel, StepKind};

pub(super) fn start(
    state: &IncidentState,
    playbook: &Playbook,
    params: &StartParams,
    playbook_sha256: &str,
    divisions_sha256: &str,
) -> Result<Event, Refusal> {
    if state.is_started() {
        return Err(Refusal::AlreadyStarted);
    }
    non_empty(&params.title, Field::Title)?;
    non_empty(&params.operator, Field::Operator)?;
    if let Some(s) = &params.severity
        && !playbook.severities.iter().any(|c| c.id == *s)
    {
        return Err(Refusal::UnknownSeverity {
            severity: s.clone(),
            options: playbook.severities.iter().map(|c| c.id.clone()).collect(),
        });
    }
    let facts = super::facts::at_start(playbook, &params.facts, params.account.as_deref())?;
    Ok(Event::IncidentStarted {
        playbook: playbook.id.clone(),
        playbook_title: playbook.title.clone(),
        playbook_version: playbook.version.clone(),
        playbook_sha256: playbook_sha256.to_string(),
        divisions_sha256: divisions_sha256.to_string(),
        params: StartParams {
            facts,
            ..params.clone()
        },
    })
}

pub(super) fn complete(
    state: &IncidentState,
    playbook: &Playbook,
    step: &str,
    note: &Option<String>,
    force: &Option<String>,
    statement: Option<&Statement>,
) -> Result<Event, Refusal> {
    let ix = find_step(playbook, step)?;
    if let Some(reason) = force {
        non_empty(reason, Field::Reason)?;
    }
    let kind = kind(playbook, ix);
    match kind {
        Some(StepKind::Decision(_)) => {
            return Err(Refusal::UseDecide {
                step: step.to_string(),
            });
        }
        Some(StepKind::Approval { approver }) if force.is_none() => {
            return Err(Refusal::UseApprove {
                step: step.to_string(),
                approver: approver.clone(),
            });
        }
        _ => {}
    }
    ensure_actionable(state, playbook, ix, force.as_deref(), true)?;
    if let Some(StepKind::Notify(_)) = kind
        && force.is_none()
    {
        return Err(Refusal::UseNotify {
            step: step.to_string(),
        });
    }
    // Only a post publishes a text; a statement given with another step is not recorded. The
    // text is checked before its approval: a text that cannot be posted is not worth one.
    let posted = match (kind, statement) {
        (Some(StepKind::Post(post)), Some(s)) => {
            non_empty(&s.text, Field::Statement)?;
            // Nothing unfinished is published, forced or not: forcing is about readiness.
            // A fact not yet known (a forced post does not wait for it) is asked for as such.
            let facts: Vec<(String, String)> = playbook
                .facts
                .iter()
                .filter(|f| s.unfilled.contains(&f.id))
                .map(|f| (f.id.clone(), f.label.clone()))
                .collect();
            if !facts.is_empty() {
                return Err(Refusal::FactsNeeded {
                    step: Some(step.to_string()),
                    facts,
                });
            }
            if !s.unfilled.is_empty() {
                return Err(Refusal::UnfilledValues {
                    step: step.to_string(),
                    names: s.unfilled.clone(),
                });
            }
            if let Some(u) = crate::text::unfinished::unfinished(&s.text) {
                return Err(Refusal::UnfinishedText {
                    step: step.to_string(),
                    line: u.line,
                    column: u.column,
                    mark: u.mark,
                });
            }
            // The text claims only acts done now (a prerequisite reopened since, an edit that
            // says more): forcing records that it was posted all the same.
            if force.is_none()
                && let Some((act, phrase)) = playbook.graph.order().iter().find_map(|&other| {
                    let act = playbook.graph.step(other)?;
                    if other == ix || state.status_of(other) == StepStatus::Done {
                        return None;
                    }
                    let phrase = act.announces.iter().find(|p| s.text.contains(p.as_str()))?;
                    Some((act.id.clone(), phrase.clone()))
                })
            {
                return Err(Refusal::ClaimNotDone {
                    step: step.to_string(),
                    act,
                    phrase,
                });
            }
            // The affected account's platform refuses a longer post: the operator would
            // rewrite it under time pressure, on the platform's screen.
            if post.channel == PostChannel::Official
                && let Some(platform) = state.platform
                && let Some((count, limit)) = crate::text::length::over(&s.text, platform)
            {
                return Err(Refusal::TooLong {
                    step: step.to_string(),
                    platform: platform.display_name().to_string(),
                    count,
                    max: limit.max,
                });
            }
            Some(PostedText {
                text: s.text.clone(),
                sha256: sha256_hex(s.text.as_bytes()),
                file: s.file.clone(),
            })
        }
        _ => None,
    };
    if let Some(StepKind::Post(post)) = kind
        && force.is_none()
    {
        super::approval::approved(state, playbook, ix, post, statement)?;
    }
    Ok(Event::StepCompleted {
        step: step.to_string(),
        note: given(note),
        forced: force.clone(),
        posted,
    })
}

pub(super) fn skip(
    state: &IncidentState,
    playbook: &Playbook,
    step: &str,
    reason: &str,
) -> Result<Event, Refusal> {
    let ix = find_step(playbook, step)?;
    non_empty(reason, Field::Reason)?;
    let step = step.to_string();
    // Steps after a decision wait for its answer; skipping it would leave them waiting.
    if let Some(StepKind::Decision(_)) = kind(playbook, ix) {
        return Err(Refusal::UseDecide { step });
    }
    match state.status_of(ix) {
        StepStatus::Done | StepStatus::Skipped => Err(super::finished(state, ix, step)),
        _ => Ok(Event::StepSkipped {
            step,
            reason: reason.to_string(),
        }),
    }
}

pub(super) fn decide(
    state: &IncidentState,
    playbook: &Playbook,
    step: &str,
    option: &str,
    reason: &Option<String>,
    force: &Option<String>,
) -> Result<Event, Refusal> {
    let ix = find_step(playbook, step)?;
    let Some(StepKind::Decision(decision)) = kind(playbook, ix) else {
        return Err(Refusal::NotADecision {
            step: step.to_string(),
        });
    };
    let Some(chosen) = decision.options.iter().position(|o| o.id == option) else {
        return Err(Refusal::UnknownOption {
            step: step.to_string(),
            option: option.to_string(),
            options: decision.options.iter().map(|o| o.id.clone()).collect(),
        });
    };
    let current = state.step(ix).and_then(|r| r.answer);
    let previous = match current {
        Some(c) => {
            let current_id = decision
                .options
                .get(c)
                .map(|o| o.id.clone())
                .unwrap_or_default();
            if c == chosen {
                return Err(Refusal::SameAnswer {
                    step: step.to_string(),
                });
            }
            if reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
                return Err(Refusal::AlreadyDecided {
                    step: step.to_string(),
                    current: current_id,
                });
            }
            Some(current_id)
        }
        None => {
            if let Some(r) = force {
                non_empty(r, Field::Reason)?;
            }
            ensure_actionable(state, playbook, ix, force.as_deref(), true)?;
            None
        }
    };
    Ok(Event::DecisionMade {
        step: step.to_string(),
        option: option.to_string(),
        reason: given(reason),
        previous,
        // Changing an answer is not a deviation: only a first answer can be forced.
        forced: if current.is_none() {
            force.clone()
        } else {
            None
        },
    })
}

/// Checks an approval or a rejection: the step exists, the texts (who, and why) are given,
/// it is an approval or a post, and it is ready.
pub(super) fn ensure_approvable(
    state: &IncidentState,
    playbook: &Playbook,
    step: &str,
    texts: &[(&str, Field)],
) -> Result<(), Refusal> {
    let ix = find_step(playbook, step)?;
    for (text, what) in texts {
        non_empty(text, *what)?;
    }
    if !matches!(
        kind(playbook, ix),
        Some(StepKind::Approval { .. } | StepKind::Post(_))
    ) {
        return Err(Refusal::NotApprovable {
            step: step.to_string(),
        });
    }
    ensure_actionable(state, playbook, ix, None, false)
}

/// An approval or refusal typed in is recorded under a person's name, never under the
/// part (発信管理者) or division that gives it: the record must say who. (A reply by mail is
/// recorded with its sender's address and the saved mail, so it is not checked here.)
fn ensure_a_person(playbook: &Playbook, step: &str, by: &str) -> Result<(), Refusal> {
    let approver = find_step(playbook, step)
        .ok()
        .and_then(|ix| match kind(playbook, ix) {
            Some(StepKind::Approval { approver }) => Some(approver.as_str()),
            Some(StepKind::Post(p)) => Some(p.approver.as_str()),
            _ => None,
        });
    if playbook.names_a_party(by) || approver == Some(by.trim()) {
        return Err(Refusal::NotAPerson {
            step: step.to_string(),
            name: by.trim().to_string(),
        });
    }
    Ok(())
}

pub(super) fn approve(
    state: &IncidentState,
    playbook: &Playbook,
    step: &str,
    by: &str,
    statements: Option<&[PostStatement]>,
) -> Result<Event, Refusal> {
    ensure_approvable(state, playbook, step, &[(by, Field::By)])?;
    ensure_a_person(playbook, step, by)?;
    // The approval covers the statements as they read now: the post's own, or an approval
    // step's posts'.
    let texts = find_step(playbook, step)
        .map(|ix| super::approval::requested(state, playbook, ix, statements))
        .unwrap_or_default();
    Ok(Event::ApprovalGiven {
        step: step.to_string(),
        by: by.to_string(),
        texts,
        reply: None,
    })
}

pub(super) fn reject(
    state: &IncidentState,
    playbook: &Playbook,
    step: &str,
    by: &str,
    reason: &str,
) -> Result<Event, Refusal> {
    ensure_approvable(
        state,
        playbook,
        step,
        &[(by, Field::By), (reason, Field::Reason)],
    )?;
    ensure_a_person(playbook, step, by)?;
    Ok(Event::ApprovalRejected {
        step: step.to_string(),
        by: by.to_string(),
        reason: reason.to_string(),
        reply: None,
    })
}

pub(super) fn check(
    playbook: &Playbook,
    step: &str,
    item: usize,
    checked: bool,
) -> Result<Event, Refusal> {
    let ix = find_step(playbook, step)?;
    let count = playbook.graph.step(ix).map_or(0, |s| s.checklist.len());
    if item >= count {
        return Err(Refusal::NoChecklistItem {
            step: step.to_string(),
            item: item + 1,
            count,
        });
    }
    Ok(Event::ChecklistChecked {
        step: step.to_string(),
        item,
        checked,
    })
}

pub(super) fn observe(
    state: &IncidentState,
    playbook: &Playbook,
    step: &str,
    text: &str,
) -> Result<Event, Refusal> {
    let ix = find_step(playbook, step)?;
    non_empty(text, Field::Text)?;
    if !matches!(kind(playbook, ix), Some(StepKind::Monitor(_))) {
        return Err(Refusal::NotAMonitor {
            step: step.to_string(),
        });
    }
    ensure_actionable(state, playbook, ix, None, false)?;
    Ok(Event::ObservationRecorded {
        step: step.to_string(),
        text: text.to_string(),
    })
}

pub(super) fn reopen(
    state: &IncidentState,
    playbook: &Playbook,
    step: &str,
    reason: &str,
) -> Result<Event, Refusal> {
    let ix = find_step(playbook, step)?;
    non_empty(reason, Field::Reason)?;
    if !matches!(state.status_of(ix), StepStatus::Done | StepStatus::Skipped) {
        return Err(Refusal::NotReopenable {
            step: step.to_string(),
        });
    }
    Ok(Event::StepReopened {
        step: step.to_string(),
        reason: reason.to_string(),
    })
}

pub(super) fn note(
    playbook: &Playbook,
    text: &str,
    step: &Option<String>,
) -> Result<Event, Refusal> {
    non_empty(text, Field::Text)?;
    if let Some(s) = step {
        find_step(playbook, s)?;
    }
    Ok(Event::NoteAdded {
        text: text.to_string(),
        step: step.clone(),
    })
}

pub(super) fn attach_evidence(
    playbook: &Playbook,
    step: &str,
    evidence: &EvidenceRecord,
    note: &Option<String>,
) -> Result<Event, Refusal> {
    find_step(playbook, step)?;
    match evidence {
        EvidenceRecord::Url { url } => non_empty(url, Field::Url)?,
        // A file lives in `evidence/` under a plain name: never a path out of it (its
        // characters were checked with every typed name).
        EvidenceRecord::File { name, .. } => {
            if name.is_empty() || name == "." || name == ".." || name.contains(['/', '\\']) {
                return Err(Refusal::BadEvidenceName { name: name.clone() });
            }
        }
    }
    Ok(Event::EvidenceAttached {
        step: step.to_string(),
        evidence: evidence.clone(),
        note: given(note),
    })
}

pub(super) fn handover(state: &IncidentState, to: &str, summary: &str) -> Result<Event, Refusal> {
    non_empty(to, Field::To)?;
    if to == state.operator {
        return Err(Refusal::SameOperator {
            name: to.to_string(),
        });
    }
    Ok(Event::HandedOver {
        from: state.operator.clone(),
        to: to.to_string(),
        summary: summary.to_string(),
    })
}

pub(super) fn identify_account(
    account: &Option<String>,
    platform: Option<Platform>,
) -> Result<Event, Refusal> {
    if let Some(a) = account {
        non_empty(a, Field::Account)?;
    }
    if account.is_none() && platform.is_none() {
        return Err(Refusal::Empty {
            what: Field::Account,
        });
    }
    Ok(Event::AccountIdentified {
        account: account.clone(),
        platform,
    })
}

pub(super) fn close(
    state: &IncidentState,
    playbook: &Playbook,
    force: &Option<String>,
) -> Result<Event, Refusal> {
    let open: Vec<String> = state
        .open_steps(playbook)
        .into_iter()
        .filter_map(|ix| playbook.graph.step(ix).map(|s| s.id.clone()))
        .collect();
    // Every undelivered message belongs to an open step (forcing, skipping or a step ceasing
    // to apply cancels its mail), so the open steps already need forcing.
    let undelivered: Vec<u32> = state.undelivered().map(|m| m.number).collect();
    match force {
        Some(reason) => non_empty(reason, Field::Reason)?,
        None if !open.is_empty() => return Err(Refusal::OpenSteps { steps: open }),
        None => {}
    }
    Ok(Event::IncidentClosed {
        reason: force.clone(),
        open_steps: open,
        undelivered,
    })
}
