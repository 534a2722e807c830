//! An exercise under way: the simulated clock, the injects as they fall due, the
//! facilitator's controls, and the scripted participant of `--autopilot`.
//!
//! Injects and their effects go through the same engine commands as everything else, under
//! the facilitator's name ([`FACILITATOR`]), so the journal tells the story as it was played.

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, TimeDelta};

use super::scenario::{Effect, Inject, Scenario};
use super::{ExerciseError, LoadedScenario};
use crate::clock::{Clock, SimulatedClock};
use crate::incident::event::TargetTime;
use crate::incident::{
    Command, Incident, IncidentError, Refusal, StartParams, StepStatus, Written, files,
};
use crate::playbook::StepKind;

/// The actor recorded for injects and their effects.
pub const FACILITATOR: &str = "訓練進行";

/// The marker put before an exercise incident's title.
const TITLE_MARK: &str = "【訓練】";

/// A drill's title: marked 【訓練】 at its start (once), so that `status`, `incidents`, the
/// screen and the report name it a drill, whether a scenario or `start --exercise` began it.
pub fn drill_title(title: &str) -> String {
    if title.starts_with(TITLE_MARK) {
        title.to_string()
    } else {
        format!("{TITLE_MARK}{title}")
    }
}

/// A decision an inject has answered before it was ready: given as soon as it is.
#[derive(Debug, Clone)]
struct PendingDecision {
    step: String,
    option: String,
    /// The inject's headline, given as the reason if an answer has to be changed.
    inject: String,
}

/// An inject that has just been given, for the screen to pop up.
#[derive(Debug, Clone)]
pub struct Fired {
    /// The inject.
    pub inject: Inject,
    /// Given before its time by the facilitator.
    pub early: bool,
    /// What was journalled (the inject and its effects).
    pub written: Vec<Written>,
    /// Effects the engine refused (e.g. a decision answer the state does not allow): the
    /// inject is still given; these say what did not happen.
    pub refused: Vec<Refusal>,
}

/// An exercise under way on an incident.
#[derive(Debug)]
pub struct Session {
    pub(super) scenario: Scenario,
    pub(super) clock: Arc<SimulatedClock>,
    pending: Vec<PendingDecision>,
}

/// The scenario's facts, and what the account register beside the directory knows of its
/// account for the playbook's `register:` facts (the scenario's own values win): a drill
/// meets the register as a real incident does. A register that cannot be read is left out.
fn drill_facts(loaded: &LoadedScenario) -> std::collections::BTreeMap<String, String> {
    let mut facts = loaded.scenario.facts.clone();
    let account = loaded.scenario.account.as_deref();
    // A register that cannot be read adds nothing (`register check` names its problems).
    let _ = crate::register::add_known_facts(
        &loaded.playbook,
        account,
        loaded.scenario.platform,
        &mut facts,
    );
    facts
}

impl Session {
    /// Starts an exercise: opens an incident marked as an exercise at the scenario's start
    /// time on a simulated clock running at `speed`× (0 stands still until moved), freezes
    /// the scenario into the incident folder, and journals its beginning and targets.
    pub fn begin(
        incidents: &Path,
        loaded: &LoadedScenario,
        operator: &str,
        speed: f64,
        live_mail: bool,
    ) -> Result<(Session, Incident), ExerciseError> {
        let s = &loaded.scenario;
        let clock = Arc::new(SimulatedClock::new(s.starts_at, speed));
        let title = drill_title(&s.incident_title);
        let params = StartParams {
            title,
            account: s.account.clone(),
            platform: s.platform,
            operator: operator.to_string(),
            severity: s.severity.clone(),
            exercise: true,
            facts: drill_facts(loaded),
            origin: None,
        };
        // The scenario is frozen inside the folder before it appears.
        let mut incident = Incident::start_with(
            incidents,
            &loaded.playbook,
            params,
            clock.clone(),
            &[(files::SCENARIO, loaded.source.text.as_bytes())],
        )?;
        incident.execute(
            FACILITATOR,
            &Command::BeginExercise {
                scenario: s.id.clone(),
                title: s.title.clone(),
                scenario_sha256: crate::digest::sha256_hex(loaded.source.text.as_bytes()),
                live_mail,
                targets: s
                    .targets
                    .iter()
                    .map(|(step, d)| TargetTime {
                        step: step.clone(),
                        seconds: d.num_seconds(),
                    })
                    .collect(),
            },
        )?;
        Ok((
            Session {
                scenario: s.clone(),
                clock,
                pending: Vec::new(),
            },
            incident,
        ))
    }

    /// Resumes an exercise left off (the screen was closed): the simulated clock starts again
    /// at the time of the last event, at `speed`×, with the scenario frozen in the incident
    /// folder (which must still be the one the exercise began with).
    pub fn resume(dir: &Path, speed: f64) -> Result<(Session, Incident), ExerciseError> {
        let incident = Incident::open(dir, Arc::new(crate::clock::SystemClock))?;
        Session::resume_opened(incident, speed)
    }

    /// [`Session::resume`] for an incident already open (read once, locked once); its clock
    /// becomes the session's.
    pub fn resume_opened(
        mut incident: Incident,
        speed: f64,
    ) -> Result<(Session, Incident), ExerciseError> {
        let Some(scenario) = incident.record().frozen_scenario() else {
            return Err(ExerciseError::NotAnExercise(incident.dir().to_path_buf()));
        };
        let path = scenario.path.clone();
        let frozen = |reason: String| ExerciseError::FrozenScenario {
            path: path.clone(),
            reason,
        };
        let text = scenario.verified_text().map_err(frozen)?.to_string();
        let state = incident.state();
        let source = crate::playbook::SourceFile::new(path.display().to_string(), text);
        let file = super::scenario::parse(&source, &crate::playbook::Limits::default())
            .map_err(|d| frozen(d.message(crate::lang::Lang::En)))?;
        let scenario = super::scenario::check(&source, file, incident.playbook()).map_err(|d| {
            frozen(
                d.iter()
                    .map(|d| d.message(crate::lang::Lang::En))
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        })?;
        let at = state
            .last_event_at
            .or(state.started_at)
            .unwrap_or(scenario.starts_at);
        let clock = Arc::new(SimulatedClock::new(at, speed));
        incident.set_clock(clock.clone());
        // Owed: an inject's answer that the facilitator has not given since the inject.
        let mut pending = Vec::new();
        if let Some(run) = incident.state().run.as_ref() {
            for fired in &run.injects {
                let Some(inject) = scenario.injects.iter().find(|i| i.id == fired.id) else {
                    continue;
                };
                for effect in &inject.effects {
                    if let Effect::Decide { step, option } = effect
                        && let Some(ix) = incident.playbook().graph.find(step)
                        && incident.state().status_of(ix) != StepStatus::NotApplicable
                        && !incident.state().step(ix).is_some_and(|r| {
                            r.answers
                                .iter()
                                .any(|a| a.by == FACILITATOR && a.at >= fired.fired.at)
                        })
                    {
                        pending.push(PendingDecision {
                            step: step.clone(),
                            option: option.clone(),
                            inject: inject.title.clone(),
                        });
                    }
                }
            }
        }
        Ok((
            Session {
                scenario,
                clock,
                pending,
            },
            incident,
        ))
    }

    /// The scenario.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The simulated clock (the incident reads the same one).
    pub fn clock(&self) -> &Arc<SimulatedClock> {
        &self.clock
    }

    /// Simulated time since the exercise began.
    pub fn elapsed(&self, incident: &Incident) -> TimeDelta {
        incident
            .state()
            .started_at
            .map_or(TimeDelta::zero(), |s| self.clock.now() - s)
    }

    /// The next inject not yet given.
    pub fn next_inject(&self, incident: &Incident) -> Option<&Inject> {
        let run = incident.state().run.as_ref()?;
        self.scenario.injects.iter().find(|i| !run.fired(&i.id))
    }

    /// When the next inject falls due.
    pub fn next_inject_at(&self, incident: &Incident) -> Option<DateTime<FixedOffset>> {
        if incident.state().is_closed() {
            return None;
        }
        let start = incident.state().started_at?;
        self.next_inject(incident)
            .and_then(|i| start.checked_add_signed(i.at))
    }

    /// Stops or restarts the clock; returns whether it is paused now.
    pub fn toggle_pause(&self) -> bool {
        if self.clock.is_paused() {
            self.clock.resume();
            false
        } else {
            self.clock.pause();
            true
        }
    }

    /// Whether the clock is paused.
    pub fn is_paused(&self) -> bool {
        self.clock.is_paused()
    }

    /// The clock's speed, for people: `10`, `2.5`.
    pub fn speed(&self) -> String {
        let speed = self.clock.speed();
        if speed.fract() == 0.0 {
            format!("{speed:.0}")
        } else {
            format!("{speed}")
        }
    }

    /// Gives every inject whose time has come, then any decision an inject answered that has
    /// become ready.
    pub fn fire_due(&mut self, incident: &mut Incident) -> Result<Vec<Fired>, ExerciseError> {
        let mut fired = Vec::new();
        if incident.state().is_closed() {
            return Ok(fired);
        }
        let elapsed = self.elapsed(incident);
        while let Some(next) = self
            .next_inject(incident)
            .filter(|i| i.at <= elapsed)
            .cloned()
        {
            fired.push(self.fire(incident, next, false)?);
        }
        if let Some(last) = fired.last_mut() {
            let (entries, refused) = self.settle_pending(incident)?;
            last.written.extend(entries);
            last.refused.extend(refused);
        } else {
            self.settle_pending(incident)?;
        }
        Ok(fired)
    }

    /// Gives the next inject now, before its time (the facilitator's "next").
    pub fn fire_next(&mut self, incident: &mut Incident) -> Result<Option<Fired>, ExerciseError> {
        if incident.state().is_closed() {
            return Ok(None);
        }
        let Some(next) = self.next_inject(incident).cloned() else {
            return Ok(None);
        };
        let early = next.at > self.elapsed(incident);
        let mut fired = self.fire(incident, next, early)?;
        let (entries, refused) = self.settle_pending(incident)?;
        fired.written.extend(entries);
        fired.refused.extend(refused);
        Ok(Some(fired))
    }

    /// Runs a facilitator command; a refusal is collected, not fatal.
    fn run(
        incident: &mut Incident,
        command: &Command,
        entries: &mut Vec<Written>,
        refused: &mut Vec<Refusal>,
    ) -> Result<(), ExerciseError> {
        if let Some(e) = attempt(incident, FACILITATOR, command, refused)? {
            entries.extend(e);
        }
        Ok(())
    }

    fn fire(
        &mut self,
        incident: &mut Incident,
        inject: Inject,
        early: bool,
    ) -> Result<Fired, ExerciseError> {
        let mut entries = incident.execute(
            FACILITATOR,
            &Command::FireInject {
                inject: inject.id.clone(),
                title: inject.title.clone(),
                text: inject.text.clone(),
                at_seconds: inject.at.num_seconds(),
                early,
            },
        )?;
        let mut refused = Vec::new();
        for effect in &inject.effects {
            match effect {
                Effect::Account { account, platform } => Self::run(
                    incident,
                    &Command::IdentifyAccount {
                        account: account.clone(),
                        platform: *platform,
                    },
                    &mut entries,
                    &mut refused,
                )?,
                Effect::Facts(facts) => {
                    for (fact, value) in facts {
                        let set = Command::SetFact {
                            fact: fact.clone(),
                            value: value.clone(),
                        };
                        Self::run(incident, &set, &mut entries, &mut refused)?;
                    }
                }
                Effect::Decide { step, option } => {
                    let Some(ix) = incident.playbook().graph.find(step) else {
                        continue;
                    };
                    let answered = incident.state().step(ix).and_then(|r| r.answer);
                    match incident.state().status_of(ix) {
                        StepStatus::Ready => Self::run(
                            incident,
                            &Command::Decide {
                                step: step.clone(),
                                option: option.clone(),
                                reason: None,
                                force: None,
                            },
                            &mut entries,
                            &mut refused,
                        )?,
                        StepStatus::Done
                            if answered.is_some()
                                && current_answer(incident, step).as_deref()
                                    != Some(option.as_str()) =>
                        {
                            Self::run(
                                incident,
                                &Command::Decide {
                                    step: step.clone(),
                                    option: option.clone(),
                                    reason: Some(format!("状況付与: {}", inject.title)),
                                    force: None,
                                },
                                &mut entries,
                                &mut refused,
                            )?;
                        }
                        StepStatus::Pending => self.pending.push(PendingDecision {
                            step: step.clone(),
                            option: option.clone(),
                            inject: inject.title.clone(),
                        }),
                        _ => {}
                    }
                }
                Effect::Complication { text, step, reopen } => {
                    Self::run(
                        incident,
                        &Command::Note {
                            text: format!("【状況付与】{text}"),
                            step: step.clone(),
                        },
                        &mut entries,
                        &mut refused,
                    )?;
                    if let Some(step) = step
                        && *reopen
                        && let Some(ix) = incident.playbook().graph.find(step)
                        && matches!(
                            incident.state().status_of(ix),
                            StepStatus::Done | StepStatus::Skipped
                        )
                    {
                        Self::run(
                            incident,
                            &Command::Reopen {
                                step: step.clone(),
                                reason: format!("状況付与: {text}"),
                            },
                            &mut entries,
                            &mut refused,
                        )?;
                    }
                }
                Effect::Mentions { step, count } => {
                    let text = format!("言及数 {count} 件/時（状況付与）");
                    let ready = incident
                        .playbook()
                        .graph
                        .find(step)
                        .is_some_and(|ix| incident.state().status_of(ix) == StepStatus::Ready);
                    let command = if ready {
                        Command::Observe {
                            step: step.clone(),
                            text,
                        }
                    } else {
                        Command::Note {
                            text,
                            step: Some(step.clone()),
                        }
                    };
                    Self::run(incident, &command, &mut entries, &mut refused)?;
                }
            }
        }
        Ok(Fired {
            inject,
            early,
            written: entries,
            refused,
        })
    }

    /// Gives the answers injects decided, for decisions that have become ready.
    fn settle_pending(
        &mut self,
        incident: &mut Incident,
    ) -> Result<(Vec<Written>, Vec<Refusal>), ExerciseError> {
        let mut entries = Vec::new();
        let mut refused = Vec::new();
        let pending = std::mem::take(&mut self.pending);
        for p in pending {
            let status = incident
                .playbook()
                .graph
                .find(&p.step)
                .map(|ix| incident.state().status_of(ix));
            match status {
                Some(StepStatus::Ready) => Self::run(
                    incident,
                    &Command::Decide {
                        step: p.step.clone(),
                        option: p.option.clone(),
                        reason: None,
                        force: None,
                    },
                    &mut entries,
                    &mut refused,
                )?,
                Some(StepStatus::Pending) => self.pending.push(p),
                // Answered by the participants first: the scenario's answer still stands.
                Some(StepStatus::Done)
                    if current_answer(incident, &p.step).as_deref() != Some(p.option.as_str()) =>
                {
                    Self::run(
                        incident,
                        &Command::Decide {
                            step: p.step.clone(),
                            option: p.option.clone(),
                            reason: Some(format!("状況付与: {}", p.inject)),
                            force: None,
                        },
                        &mut entries,
                        &mut refused,
                    )?;
                }
                _ => {}
            }
        }
        Ok((entries, refused))
    }

    /// Whether an inject has answered this decision (the participant should not).
    pub(super) fn decided_by_inject(&self, step: &str) -> bool {
        self.pending.iter().any(|p| p.step == step)
    }
}

/// Runs a command as `actor`: the entries written, or `None` when the engine refused (the
/// refusal is collected: an exercise goes on). Anything else (a disk error) is an error.
pub(super) fn attempt(
    incident: &mut Incident,
    actor: &str,
    command: &Command,
    refused: &mut Vec<Refusal>,
) -> Result<Option<Vec<Written>>, ExerciseError> {
    match incident.execute(actor, command) {
        Ok(e) => Ok(Some(e)),
        Err(IncidentError::Refused(r)) => {
            refused.push(r);
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

/// The option id a decision is answered with now.
fn current_answer(incident: &Incident, step: &str) -> Option<String> {
    let ix = incident.playbook().graph.find(step)?;
    let answer = incident.state().step(ix)?.answer?;
    match &incident.playbook().graph.step(ix)?.kind {
        StepKind::Decision(d) => d.options.get(answer).map(|o| o.id.clone()),
        _ => None,
    }
}
