//! The scripted participant of `hikeshi exercise --autopilot`: it plays an exercise to its end
//! on the session's clock, doing each step as the scenario's autopilot settings say.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, FixedOffset, TimeDelta};

use super::ExerciseError;
use super::score::{Score, score};
use super::session::{Session, attempt};
use crate::clock::Clock as _;
use crate::incident::state::Delivery;
use crate::incident::{Command, Incident, Refusal, StepStatus};
use crate::notify::{self, Config, Transport};
use crate::playbook::{StepIx, StepKind};

/// What a scripted run did.
#[derive(Debug, Clone)]
pub struct AutopilotRun {
    /// The score at the end.
    pub score: Option<Score>,
    /// Simulated time from start to close.
    pub simulated: TimeDelta,
    /// Injects given.
    pub injects: usize,
    /// Messages queued.
    pub messages: usize,
    /// Commands the engine refused along the way.
    pub refused: Vec<Refusal>,
}

/// At most this many rounds, so a scenario that cannot finish still ends.
const MAX_ROUNDS: usize = 100_000;
/// Failed attempts after which the scripted participant phones the division instead.
const CALL_AFTER_ATTEMPTS: u32 = 3;

/// Plays a scripted participant to the end, on the session's clock (which must stand still:
/// begin the session at speed 0): each ready step is done after the scenario's delay for it,
/// decisions take the scenario's answers (else the first option), approvals are given, mail
/// is queued and delivered through `transport`, and undeliverable mail is phoned. Time jumps
/// from one thing to the next, so hours of story take milliseconds. Closes the incident,
/// records the scenario's review if it has one, and returns the score.
pub fn autopilot(
    session: &mut Session,
    incident: &mut Incident,
    config: &Config,
    transport: &Transport,
    participant: &str,
) -> Result<AutopilotRun, ExerciseError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(ExerciseError::Runtime)?;
    let pilot = session.scenario.autopilot.clone();
    let mut scheduled: HashMap<StepIx, DateTime<FixedOffset>> = HashMap::new();
    let mut given_up: HashSet<StepIx> = HashSet::new();
    let mut refused = Vec::new();

    for _ in 0..MAX_ROUNDS {
        let now = session.clock.now();
        for fired in session.fire_due(incident)? {
            refused.extend(fired.refused);
        }
        // Mail: deliver what is due, then phone whoever mail cannot reach.
        let claimed = notify::claim_due(incident, &HashSet::new(), false, usize::MAX)?;
        if !claimed.is_empty() {
            let mut outcomes = Vec::new();
            runtime.block_on(notify::deliver_each(
                transport,
                claimed,
                |outcome, claim| {
                    outcomes.push((outcome, claim));
                },
            ));
            for (outcome, claim) in outcomes {
                notify::record(incident, &outcome)?;
                drop(claim);
            }
        }
        phone_unreachable(incident, now, participant, &mut refused)?;
        // Done when every step is settled and the story has been told to its end.
        if incident.state().open_steps(incident.playbook()).is_empty()
            && session.next_inject(incident).is_none()
        {
            break;
        }

        let order: Vec<StepIx> = incident.playbook().graph.order().to_vec();
        schedule(session, incident, &order, &given_up, &mut scheduled, now);

        let mut due: Vec<(DateTime<FixedOffset>, usize, StepIx)> = scheduled
            .iter()
            .filter(|(_, t)| **t <= now)
            .map(|(ix, t)| (*t, order.iter().position(|o| o == ix).unwrap_or(0), *ix))
            .collect();
        due.sort();
        if let Some(&(_, _, ix)) = due.first() {
            scheduled.remove(&ix);
            // A post whose text names an act not done now (a step reopened since) waits: the
            // participant posts once it is done again.
            if claims_not_done(incident, ix) {
                scheduled.insert(ix, now + TimeDelta::minutes(5));
                continue;
            }
            if !act(incident, ix, &pilot, config, participant, &mut refused)? {
                given_up.insert(ix);
            }
            continue;
        }

        let start = incident.state().started_at.unwrap_or(now);
        let next = [
            session
                .next_inject(incident)
                .and_then(|i| start.checked_add_signed(i.at)),
            scheduled.values().min().copied(),
            notify::outbox::next_retry(incident.state()),
        ]
        .into_iter()
        .flatten()
        .min();
        match next {
            Some(t) if t > now => session.clock.set(t),
            // Something is due now that nothing above took: move on a second.
            Some(_) => session.clock.advance(TimeDelta::seconds(1)),
            None => break,
        }
    }

    let open = incident.state().open_steps(incident.playbook());
    if !incident.state().is_closed() {
        let force = (!open.is_empty())
            .then(|| "自動進行: これ以上進められない手順が残ったため終了".to_string());
        incident.execute(participant, &Command::Close { force })?;
    }
    if let Some(review) = &pilot.review {
        let command = Command::RecordReview {
            good: review.good.clone(),
            issues: review.issues.clone(),
            improvements: review.improvements.clone(),
        };
        attempt(incident, participant, &command, &mut refused)?;
    }
    let state = incident.state();
    let end = state.closed.as_ref().map_or(session.clock.now(), |c| c.at);
    Ok(AutopilotRun {
        score: score(state, incident.playbook(), end),
        simulated: state.started_at.map_or(TimeDelta::zero(), |s| end - s),
        injects: state.run.as_ref().map_or(0, |r| r.injects.len()),
        messages: state.messages.len(),
        refused,
    })
}

/// Phones the recipients mail cannot reach (failed permanently, or too often).
fn phone_unreachable(
    incident: &mut Incident,
    now: DateTime<FixedOffset>,
    participant: &str,
    refused: &mut Vec<Refusal>,
) -> Result<(), ExerciseError> {
    let unreachable: Vec<(String, Option<String>)> = incident
        .state()
        .undelivered()
        .filter(|m| match &m.delivery {
            Delivery::Failed { permanent, .. } => *permanent || m.attempts() >= CALL_AFTER_ATTEMPTS,
            _ => false,
        })
        .map(|m| {
            let number = incident
                .record()
                .directory
                .party(&m.letter.to)
                .and_then(|p| p.number_at(now).map(|(n, _)| n.to_string()));
            (m.letter.to.clone(), number)
        })
        .collect();
    for (division, number) in unreachable {
        let note = "（自動進行）メールが届かないため電話で連絡".to_string();
        let call = Command::Call {
            division,
            number,
            note,
        };
        attempt(incident, participant, &call, refused)?;
    }
    Ok(())
}

/// Schedules each step that is ready and waiting for the participant, after the scenario's
/// delay for it from when it became ready; forgets steps that stopped waiting.
fn schedule(
    session: &Session,
    incident: &Incident,
    order: &[StepIx],
    given_up: &HashSet<StepIx>,
    scheduled: &mut HashMap<StepIx, DateTime<FixedOffset>>,
    now: DateTime<FixedOffset>,
) {
    let pilot = &session.scenario.autopilot;
    for &ix in order {
        let Some(step) = incident.playbook().graph.step(ix) else {
            continue;
        };
        let state = incident.state();
        let waiting_for_mail = state
            .messages
            .iter()
            .any(|m| m.step == step.id && !m.is_settled());
        if state.status_of(ix) != StepStatus::Ready
            || waiting_for_mail
            || given_up.contains(&ix)
            || session.decided_by_inject(&step.id)
        {
            scheduled.remove(&ix);
            continue;
        }
        let ready = state.step(ix).and_then(|r| r.ready_since).unwrap_or(now);
        let delay = pilot
            .delays
            .get(&step.id)
            .copied()
            .unwrap_or(pilot.default_delay);
        scheduled
            .entry(ix)
            .or_insert(ready.checked_add_signed(delay).unwrap_or(ready));
    }
}

/// Whether the post `ix` would say an act is done that is not done now.
fn claims_not_done(incident: &Incident, ix: StepIx) -> bool {
    let Some(step) = incident.playbook().graph.step(ix) else {
        return false;
    };
    if !matches!(step.kind, StepKind::Post(_)) {
        return false;
    }
    let complete = Command::Complete {
        step: step.id.clone(),
        note: None,
        force: None,
        statement: None,
    };
    matches!(incident.check(&complete), Err(Refusal::ClaimNotDone { .. }))
}

/// Does one step as the scripted participant. Returns false when the engine refused.
fn act(
    incident: &mut Incident,
    ix: StepIx,
    pilot: &super::scenario::Autopilot,
    config: &Config,
    participant: &str,
    refused: &mut Vec<Refusal>,
) -> Result<bool, ExerciseError> {
    let Some(step) = incident.playbook().graph.step(ix).cloned() else {
        return Ok(false);
    };
    let id = step.id.clone();
    let mut run = |incident: &mut Incident, command: Command| {
        attempt(incident, participant, &command, refused).map(|e| e.is_some())
    };
    let complete = |step: String| Command::Complete {
        step,
        note: None,
        force: None,
        statement: None,
    };
    if let Some(reason) = pilot.skip.get(&id) {
        let reason = reason.clone();
        return run(incident, Command::Skip { step: id, reason });
    }
    let approver = |role: &str| {
        pilot
            .approver
            .clone()
            .unwrap_or_else(|| format!("{role}（訓練）"))
    };
    match &step.kind {
        StepKind::Decision(d) => {
            let option = pilot
                .decisions
                .get(&id)
                .cloned()
                .or_else(|| d.options.first().map(|o| o.id.clone()))
                .unwrap_or_default();
            run(
                incident,
                Command::Decide {
                    step: id,
                    option,
                    reason: None,
                    force: None,
                },
            )
        }
        StepKind::Approval { approver: role } => run(
            incident,
            Command::Approve {
                step: id,
                by: approver(role),
                statements: None,
            },
        ),
        StepKind::Post(post) => {
            let approved = incident
                .state()
                .step(ix)
                .is_some_and(|r| r.approval.is_some());
            let by = approver(&post.approver);
            if !approved
                && !run(
                    incident,
                    Command::Approve {
                        step: id.clone(),
                        by,
                        statements: None,
                    },
                )?
            {
                return Ok(false);
            }
            run(incident, complete(id))
        }
        StepKind::Notify(_) => match notify::queue(incident, participant, &id, config) {
            Ok(_) => Ok(true),
            Err(notify::NotifyError::Refused(r)) => {
                refused.push(r);
                Ok(false)
            }
            Err(e) => Err(e.into()),
        },
        StepKind::Monitor(_) => {
            let text = "（自動進行）状況を確認".to_string();
            run(
                incident,
                Command::Observe {
                    step: id.clone(),
                    text,
                },
            )?;
            run(incident, complete(id))
        }
        StepKind::Action => run(incident, complete(id)),
    }
}
