//! The state of an incident: a pure fold over its events, and what follows from it at a given
//! time (ready, overdue, time left, progress, remaining critical path).

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, TimeDelta};
use serde::Serialize;

use crate::playbook::{Due, DueFrom, Platform, Playbook, Step, StepIx, StepKind};

mod fold;
mod records;

pub use records::{
    CallRecord, Delivery, ExerciseRun, Handover, InjectRecord, MessageRecord, Phase, Remark,
    ReviewRecord, Stamp, StepRecord, StepStatus,
};

/// The state of an incident after some events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IncidentState {
    /// Incident title.
    pub title: String,
    /// The affected account.
    pub account: Option<String>,
    /// The affected platform.
    pub platform: Option<Platform>,
    /// The playbook's declared facts that are known, by name.
    pub facts: BTreeMap<String, String>,
    /// When it started.
    pub started_at: Option<DateTime<FixedOffset>>,
    /// The operator on duty now.
    pub operator: String,
    /// Everyone who has been on duty, in order.
    pub operators: Vec<String>,
    /// Severity given at the start (the severity decision, once made, takes over).
    pub initial_severity: Option<String>,
    /// Where the playbook and directory were read from before they were frozen.
    pub origin: Option<crate::incident::event::Origin>,
    /// When it was closed.
    pub closed: Option<Stamp>,
    /// Per step, in playbook order.
    pub steps: Vec<StepRecord>,
    /// Per step, the current status.
    pub status: Vec<StepStatus>,
    /// Free notes.
    pub notes: Vec<Remark>,
    /// Handovers.
    pub handovers: Vec<Handover>,
    /// A drill (訓練).
    pub exercise: bool,
    /// The tabletop exercise run on it, once begun.
    pub run: Option<ExerciseRun>,
    /// Every message, by number (message `n` is at index `n - 1`).
    pub messages: Vec<MessageRecord>,
    /// Phone calls, in order.
    pub calls: Vec<CallRecord>,
    /// Events folded so far.
    pub events: u64,
    /// Time of the last event.
    pub last_event_at: Option<DateTime<FixedOffset>>,
}

impl IncidentState {
    /// The state before any event.
    pub fn new(playbook: &Playbook) -> Self {
        let n = playbook.graph.len();
        IncidentState {
            title: String::new(),
            account: None,
            platform: None,
            facts: BTreeMap::new(),
            started_at: None,
            operator: String::new(),
            operators: Vec::new(),
            initial_severity: None,
            origin: None,
            closed: None,
            steps: vec![StepRecord::default(); n],
            status: vec![StepStatus::Pending; n],
            notes: Vec::new(),
            handovers: Vec::new(),
            exercise: false,
            run: None,
            messages: Vec::new(),
            calls: Vec::new(),
            events: 0,
            last_event_at: None,
        }
    }

    /// Whether the incident has started.
    pub fn is_started(&self) -> bool {
        self.started_at.is_some()
    }

    /// Whether the incident is closed.
    pub fn is_closed(&self) -> bool {
        self.closed.is_some()
    }

    /// The record of a step.
    pub fn step(&self, ix: StepIx) -> Option<&StepRecord> {
        self.steps.get(ix.index())
    }

    /// The status of a step.
    pub fn status_of(&self, ix: StepIx) -> StepStatus {
        self.status
            .get(ix.index())
            .copied()
            .unwrap_or(StepStatus::Pending)
    }

    /// The message with this number.
    pub fn message(&self, number: u32) -> Option<&MessageRecord> {
        let i = usize::try_from(number).ok()?.checked_sub(1)?;
        self.messages.get(i)
    }

    /// The number the next queued message gets.
    pub fn next_message(&self) -> u32 {
        u32::try_from(self.messages.len()).map_or(u32::MAX, |n| n.saturating_add(1))
    }

    /// Messages not yet delivered and whose recipient was not reached by phone.
    pub fn undelivered(&self) -> impl Iterator<Item = &MessageRecord> {
        self.messages.iter().filter(|m| !m.is_settled())
    }

    /// Delivered messages whose step asks for an acknowledgement (`ack_within`) that has not
    /// come in time, and whose recipient was not called: someone should phone them.
    pub fn needs_call<'a>(
        &'a self,
        playbook: &'a Playbook,
        now: DateTime<FixedOffset>,
    ) -> impl Iterator<Item = &'a MessageRecord> + 'a {
        // After the close nobody calls: what needed a call then is what the record shows.
        let now = self.clock_at(now);
        self.messages.iter().filter(move |m| {
            let within = playbook
                .graph
                .find(&m.step)
                .and_then(|ix| playbook.graph.step(ix))
                .and_then(|s| match &s.kind {
                    StepKind::Notify(n) => n.ack_within,
                    _ => None,
                });
            within.is_some_and(|w| {
                m.letter.answers.is_none()
                    && m.acknowledged.is_none()
                    && m.called.is_none()
                    && m.cancelled.is_none()
                    && m.queued.at + w < now
            })
        })
    }

    /// The approval request of a step still waiting for an answer: the step's latest request
    /// (`request-approval`), not cancelled, with no approval, rejection or reopening since,
    /// while the step is open (after the close, what was still unanswered then).
    pub fn awaiting_approval(&self, playbook: &Playbook, ix: StepIx) -> Option<&MessageRecord> {
        if self.status_of(ix).is_settled() {
            return None;
        }
        let id = &playbook.graph.step(ix)?.id;
        let record = self.step(ix)?;
        let request = self
            .messages
            .iter()
            .rev()
            .find(|m| m.step == *id && m.letter.approval.is_some())?;
        let since = request.queued.at;
        let answered = request.cancelled.is_some()
            || record.approval.as_ref().is_some_and(|a| a.at >= since)
            || record.rejections.iter().any(|r| r.at >= since)
            || record.reopened.iter().any(|r| r.at > since);
        (!answered).then_some(request)
    }

    /// A step's delivered messages that nobody has acknowledged (approval requests are
    /// answered instead: see [`IncidentState::awaiting_approval`]).
    pub fn unacknowledged<'a>(&'a self, step: &'a str) -> impl Iterator<Item = &'a MessageRecord> {
        self.messages.iter().filter(move |m| {
            m.step == step
                && m.sent_at().is_some()
                && m.acknowledged.is_none()
                && m.letter.approval.is_none()
                // An answer to a reply asks nothing back.
                && m.letter.answers.is_none()
        })
    }

    /// The time the incident's clocks read at `now`: `now`, or the close once it is closed
    /// (elapsed time and overdue acknowledgements stop counting then).
    pub fn clock_at(&self, now: DateTime<FixedOffset>) -> DateTime<FixedOffset> {
        match &self.closed {
            Some(c) => c.at.min(now),
            None => now,
        }
    }

    /// The current severity id: the severity decision's answer, else the one given at start.
    pub fn severity<'p>(&self, playbook: &'p Playbook) -> Option<&'p str> {
        let from_decision = playbook.severity_decision.and_then(|ix| {
            let answer = self.step(ix)?.answer?;
            playbook.severities.get(answer).map(|c| c.id.as_str())
        });
        from_decision.or_else(|| {
            let initial = self.initial_severity.as_deref()?;
            playbook
                .severities
                .iter()
                .find(|c| c.id == initial)
                .map(|c| c.id.as_str())
        })
    }

    /// The current severity as people read it: its title in the playbook (mail, the report,
    /// the screen and `status` all show this, never the id).
    pub fn severity_title<'p>(&self, playbook: &'p Playbook) -> Option<&'p str> {
        let id = self.severity(playbook)?;
        playbook
            .severities
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.title.as_str())
    }

    /// The messages of a notify step's current round (since it was last reopened).
    pub fn current_messages<'a>(
        &'a self,
        playbook: &Playbook,
        step: &'a str,
    ) -> impl Iterator<Item = &'a MessageRecord> + 'a {
        let from = playbook
            .graph
            .find(step)
            .and_then(|ix| self.step(ix))
            .map_or(0, |r| r.messages_from);
        self.messages
            .iter()
            .filter(move |m| m.step == step && m.number >= from && m.letter.answers.is_none())
    }

    /// Counts of steps by status.
    pub fn progress(&self) -> Progress {
        let mut p = Progress::default();
        for s in &self.status {
            match s {
                StepStatus::Done => p.done += 1,
                StepStatus::Skipped => p.skipped += 1,
                StepStatus::NotApplicable => p.not_applicable += 1,
                StepStatus::Ready => p.ready += 1,
                StepStatus::Pending => p.pending += 1,
            }
        }
        p.total = self.status.len();
        p
    }

    /// Steps still to do (ready or pending), in dependency order.
    pub fn open_steps(&self, playbook: &Playbook) -> Vec<StepIx> {
        playbook
            .graph
            .order()
            .iter()
            .copied()
            .filter(|ix| !self.status_of(*ix).is_settled())
            .collect()
    }

    /// A notify step's recipients: the playbook's, the divisions its `division` facts name
    /// (once each; a fact not yet known adds none), then those added at run time.
    pub fn recipients(&self, notify: &crate::playbook::Notify, ix: StepIx) -> Vec<String> {
        let added = self
            .step(ix)
            .map(|r| r.added_to.as_slice())
            .unwrap_or_default();
        let from_facts = notify.to_facts.iter().filter_map(|f| self.facts.get(f));
        let mut out: Vec<String> = Vec::new();
        for name in notify.to.iter().chain(from_facts).chain(added) {
            if !out.contains(name) {
                out.push(name.clone());
            }
        }
        out
    }

    /// The answer given to a decision, if any.
    pub fn answer(&self, decision: StepIx) -> Option<usize> {
        self.step(decision).and_then(|r| r.answer)
    }

    /// A step's deadline under the answers given (`due` by a decision's option).
    pub fn due_of(&self, step: &Step) -> Option<Due> {
        step.due_given(|d| self.answer(d))
    }

    /// A step's owner under the answers given (`owner` by a decision's option).
    pub fn owner_of<'p>(&self, step: &'p Step) -> Option<&'p str> {
        step.owner_given(|d| self.answer(d))
    }

    /// What a step looks like at `now`: deadline, time left, next monitor check.
    pub fn view(&self, playbook: &Playbook, ix: StepIx, now: DateTime<FixedOffset>) -> StepView {
        let status = self.status_of(ix);
        let record = self.step(ix);
        let step = playbook.graph.step(ix);
        let ready_since = record.and_then(|r| r.ready_since);
        let due_at = step
            .and_then(|s| self.due_of(s))
            .and_then(|due| match due.from {
                DueFrom::Start => self.started_at.map(|t| t + due.within),
                DueFrom::Ready => ready_since.map(|t| t + due.within),
            });
        let open = !status.is_settled();
        let time_left = due_at.filter(|_| open).map(|d| d - now);
        let next_check = match step.map(|s| &s.kind) {
            Some(StepKind::Monitor(m)) if status == StepStatus::Ready => {
                let last = record
                    .and_then(|r| r.observations.last().map(|o| o.at))
                    .or(ready_since);
                last.map(|t| t + m.every)
            }
            _ => None,
        };
        StepView {
            status,
            ready_since,
            due_at,
            time_left,
            overdue: time_left.is_some_and(|t| t < TimeDelta::zero())
                || next_check.is_some_and(|c| c < now),
            next_check,
        }
    }

    /// Open steps past their deadline (or monitors past their next check) at `now`.
    pub fn overdue(&self, playbook: &Playbook, now: DateTime<FixedOffset>) -> Vec<StepIx> {
        self.open_steps(playbook)
            .into_iter()
            .filter(|ix| self.view(playbook, *ix, now).overdue)
            .collect()
    }

    /// How long the open steps still need if each takes its full deadline: the longest chain
    /// through open steps, from `now`.
    pub fn remaining_critical_path(
        &self,
        playbook: &Playbook,
        now: DateTime<FixedOffset>,
    ) -> TimeDelta {
        let graph = &playbook.graph;
        let mut finish: Vec<Option<DateTime<FixedOffset>>> = vec![None; graph.len()];
        let mut latest = now;
        for &ix in graph.order() {
            if self.status_of(ix).is_settled() {
                continue;
            }
            let Some(step) = graph.step(ix) else { continue };
            let start = step
                .after
                .iter()
                .filter_map(|p| finish[p.index()])
                .max()
                .unwrap_or(now)
                .max(now);
            let view = self.view(playbook, ix, now);
            let end = match (self.due_of(step), view.due_at) {
                (Some(_), Some(due_at)) => start.max(due_at),
                (Some(due), None) => start + due.within,
                (None, _) => start,
            };
            finish[ix.index()] = Some(end);
            latest = latest.max(end);
        }
        latest - now
    }
}

/// Counts of steps by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Progress {
    /// Done.
    pub done: usize,
    /// Skipped.
    pub skipped: usize,
    /// Not applicable.
    pub not_applicable: usize,
    /// Ready.
    pub ready: usize,
    /// Pending.
    pub pending: usize,
    /// All steps.
    pub total: usize,
}

impl Progress {
    /// Steps with nothing more to do: done, skipped or not applicable.
    pub fn settled(&self) -> usize {
        self.done + self.skipped + self.not_applicable
    }

    /// Settled steps as a fraction of all (0.0–1.0).
    pub fn ratio(&self) -> f64 {
        if self.total == 0 {
            return 1.0;
        }
        self.settled() as f64 / self.total as f64
    }
}

/// A step at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StepView {
    /// Its status.
    pub status: StepStatus,
    /// Since when it has been ready.
    pub ready_since: Option<DateTime<FixedOffset>>,
    /// Its deadline, if it has one and it can be known yet.
    pub due_at: Option<DateTime<FixedOffset>>,
    /// Time until the deadline (negative: overdue by), for open steps.
    pub time_left: Option<TimeDelta>,
    /// A ready monitor's next check.
    pub next_check: Option<DateTime<FixedOffset>>,
    /// Past its deadline or its next check.
    pub overdue: bool,
}
