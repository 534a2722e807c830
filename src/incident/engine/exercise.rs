//! The exercise commands: begin a scenario, give an inject, record the review.

use super::{Field, Refusal, non_empty};
use crate::incident::event::{Event, TargetTime};
use crate::incident::state::IncidentState;

fn ensure_exercise(state: &IncidentState) -> Result<(), Refusal> {
    if state.exercise {
        Ok(())
    } else {
        Err(Refusal::NotAnExercise)
    }
}

pub(super) fn begin(
    state: &IncidentState,
    scenario: &str,
    title: &str,
    scenario_sha256: &str,
    live_mail: bool,
    targets: &[TargetTime],
) -> Result<Event, Refusal> {
    ensure_exercise(state)?;
    if state.run.is_some() {
        return Err(Refusal::ExerciseBegun { begun: true });
    }
    non_empty(scenario, Field::Scenario)?;
    Ok(Event::ExerciseBegan {
        scenario: scenario.to_string(),
        title: title.to_string(),
        scenario_sha256: scenario_sha256.to_string(),
        live_mail,
        targets: targets.to_vec(),
    })
}

pub(super) fn fire(
    state: &IncidentState,
    inject: &str,
    title: &str,
    text: &str,
    at_seconds: i64,
    early: bool,
) -> Result<Event, Refusal> {
    ensure_exercise(state)?;
    let Some(run) = &state.run else {
        return Err(Refusal::ExerciseBegun { begun: false });
    };
    non_empty(inject, Field::Inject)?;
    if run.fired(inject) {
        return Err(Refusal::InjectAlreadyFired {
            inject: inject.to_string(),
        });
    }
    Ok(Event::InjectFired {
        inject: inject.to_string(),
        title: title.to_string(),
        text: text.to_string(),
        at_seconds,
        early,
    })
}

/// The review (振り返り): allowed after the incident is closed, as it is written then.
pub(super) fn review(
    state: &IncidentState,
    good: &str,
    issues: &str,
    improvements: &str,
) -> Result<Event, Refusal> {
    if state.run.is_none() {
        return Err(if state.exercise {
            Refusal::ExerciseBegun { begun: false }
        } else {
            Refusal::NotAnExercise
        });
    }
    if [good, issues, improvements]
        .iter()
        .all(|t| t.trim().is_empty())
    {
        return Err(Refusal::Empty {
            what: Field::Review,
        });
    }
    Ok(Event::ReviewRecorded {
        good: good.trim().to_string(),
        issues: issues.trim().to_string(),
        improvements: improvements.trim().to_string(),
    })
}
