//! The state of an incident: a pure fold over its events, and what follows from it at a given
//! time (ready, overdue, time left, progress, remaining critical path).

use chrono::{DateTime, FixedOffset, TimeDelta};
use serde::Serialize;

use super::event::{Event, EvidenceRecord, Letter};
use crate::playbook::{DueFrom, Platform, Playbook, StepIx, StepKind};

/// Where a step stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    /// Waiting for prerequisites or for a decision.
    Pending,
    /// Can be done now.
    Ready,
    /// Done.
    Done,
    /// Skipped, with a reason.
    Skipped,
    /// Does not apply under the decisions taken.
    NotApplicable,
}

impl StepStatus {
    /// Done, skipped or not applicable: nothing more to do.
    pub fn is_settled(self) -> bool {
        matches!(
            self,
            StepStatus::Done | StepStatus::Skipped | StepStatus::NotApplicable
        )
    }
}

/// A timestamped record of who did what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stamp {
    /// When.
    pub at: DateTime<FixedOffset>,
    /// Who.
    pub by: String,
}

/// A timestamped text (reason, note, observation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Remark {
    /// When.
    pub at: DateTime<FixedOffset>,
    /// Who.
    pub by: String,
    /// What.
    pub text: String,
}

/// What has happened to one step.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StepRecord {
    /// When and by whom it was completed (cleared by a reopen).
    pub done: Option<Stamp>,
    /// The note given when completing.
    pub done_note: Option<String>,
    /// Completed without being ready: the reason (a deviation).
    pub forced: Option<String>,
    /// Skipped: when, by whom, why (cleared by a reopen).
    pub skipped: Option<Remark>,
    /// A decision's current answer (index into its options).
    pub answer: Option<usize>,
    /// Every answer given, in order, with its reason.
    pub answers: Vec<Remark>,
    /// The approval in force (cleared by a rejection or reopen).
    pub approval: Option<Stamp>,
    /// Rejections, in order.
    pub rejections: Vec<Remark>,
    /// Checklist items ticked (indices into the step's checklist).
    pub checked: std::collections::BTreeSet<usize>,
    /// Monitor observations, in order.
    pub observations: Vec<Remark>,
    /// Reopenings, in order.
    pub reopened: Vec<Remark>,
    /// Evidence recorded for the step.
    pub evidence: Vec<(Remark, EvidenceRecord)>,
    /// Since when the step has been ready (cleared when it stops being ready).
    pub ready_since: Option<DateTime<FixedOffset>>,
    /// A notify step's current round of mail starts at this message number (raised when the
    /// step is reopened, so old messages neither block nor complete the new round).
    pub messages_from: u32,
    /// When it was first completed (kept through a reopen; an exercise is scored by it).
    pub first_done: Option<DateTime<FixedOffset>>,
    /// Since when it was first ready (kept through a reopen).
    pub first_ready: Option<DateTime<FixedOffset>>,
}

/// A handover (交代).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Handover {
    /// When.
    pub at: DateTime<FixedOffset>,
    /// From whom.
    pub from: String,
    /// To whom.
    pub to: String,
    /// The summary given.
    pub summary: String,
}

/// Where a message's delivery stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Delivery {
    /// Queued, not yet tried (or tried by a process that stopped before recording it).
    Pending,
    /// Delivered.
    Sent {
        /// When.
        at: DateTime<FixedOffset>,
        /// `smtp` or `file`.
        transport: String,
        /// The server's reply, or the file.
        reply: String,
    },
    /// The last attempt failed.
    Failed {
        /// When.
        at: DateTime<FixedOffset>,
        /// Which attempt.
        attempt: u32,
        /// What went wrong.
        error: String,
        /// Permanent: retried only when the operator asks.
        permanent: bool,
        /// When it is due to be retried.
        next_retry: Option<DateTime<FixedOffset>>,
    },
}

/// One message to one division or role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MessageRecord {
    /// Its number in the incident (from 1).
    pub number: u32,
    /// The notify step.
    pub step: String,
    /// Who it is for and where its bytes are.
    #[serde(flatten)]
    pub letter: Letter,
    /// When and by whom it was queued.
    pub queued: Stamp,
    /// Where its delivery stands.
    pub delivery: Delivery,
    /// Every failed attempt, in order.
    pub failures: Vec<Remark>,
    /// The acknowledgement, if any.
    pub acknowledged: Option<Remark>,
    /// A call that reached the recipient after it was queued.
    pub called: Option<Remark>,
    /// No longer to be sent: its step was completed another way (forced or skipped), reopened
    /// for a new round of mail, or does not apply any more. Why, and when.
    pub cancelled: Option<Remark>,
}

/// Where a message stands, as one word: the first that holds of delivered, reached by phone,
/// cancelled, waiting, failed. The screen, `hikeshi outbox` and the report all show this.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Delivered.
    Sent,
    /// Not delivered, but its recipient was reached by phone.
    Called,
    /// No longer to be sent.
    Cancelled,
    /// Queued, not yet tried.
    Pending,
    /// The last attempt failed; it is retried.
    Failed,
    /// The last attempt failed permanently; retried only when the operator asks.
    FailedPermanent,
}

impl Phase {
    /// The word `hikeshi outbox --json` and the report use: `sent`, `called`, `cancelled`,
    /// `pending`, `failed` or `failed_permanent`.
    pub fn word(self) -> &'static str {
        match self {
            Phase::Sent => "sent",
            Phase::Called => "called",
            Phase::Cancelled => "cancelled",
            Phase::Pending => "pending",
            Phase::Failed => "failed",
            Phase::FailedPermanent => "failed_permanent",
        }
    }
}

impl Serialize for Phase {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.word())
    }
}

impl MessageRecord {
    /// Where the message stands.
    pub fn phase(&self) -> Phase {
        match &self.delivery {
            Delivery::Sent { .. } => Phase::Sent,
            _ if self.called.is_some() => Phase::Called,
            _ if self.cancelled.is_some() => Phase::Cancelled,
            Delivery::Pending => Phase::Pending,
            Delivery::Failed {
                permanent: true, ..
            } => Phase::FailedPermanent,
            Delivery::Failed { .. } => Phase::Failed,
        }
    }

    /// Delivered, or its recipient was reached by phone: nothing more to send.
    pub fn is_settled(&self) -> bool {
        matches!(self.delivery, Delivery::Sent { .. })
            || self.called.is_some()
            || self.cancelled.is_some()
    }

    /// Failed attempts so far.
    pub fn attempts(&self) -> u32 {
        u32::try_from(self.failures.len()).unwrap_or(u32::MAX)
    }

    /// When it was delivered.
    pub fn sent_at(&self) -> Option<DateTime<FixedOffset>> {
        match &self.delivery {
            Delivery::Sent { at, .. } => Some(*at),
            _ => None,
        }
    }
}

/// A phone call to a division or role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CallRecord {
    /// When and by whom.
    pub at: DateTime<FixedOffset>,
    /// Who called.
    pub by: String,
    /// The division or role.
    pub division: String,
    /// The number shown.
    pub number: Option<String>,
    /// What was said.
    pub note: String,
}

/// An inject as it was given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InjectRecord {
    /// Inject id.
    pub id: String,
    /// Its headline.
    pub title: String,
    /// What the participants were told.
    pub text: String,
    /// When the scenario scheduled it, in seconds from the start.
    pub at_seconds: i64,
    /// When it was given.
    pub fired: Stamp,
    /// Given early by the facilitator.
    pub early: bool,
}

/// A review (振り返り) as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewRecord {
    /// When and by whom.
    pub recorded: Stamp,
    /// What went well (良かった点).
    pub good: String,
    /// What was difficult (課題).
    pub issues: String,
    /// What to change (改善策).
    pub improvements: String,
}

/// The exercise run on an incident: scenario, targets, injects and reviews.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExerciseRun {
    /// Scenario id.
    pub scenario: String,
    /// Scenario title.
    pub title: String,
    /// SHA-256 of the frozen scenario.yaml.
    pub scenario_sha256: String,
    /// Mail went over SMTP.
    pub live_mail: bool,
    /// Target times per step.
    pub targets: Vec<super::event::TargetTime>,
    /// Injects given so far, in order.
    pub injects: Vec<InjectRecord>,
    /// Reviews recorded, in order (the last one is current).
    pub reviews: Vec<ReviewRecord>,
}

impl ExerciseRun {
    /// Whether the inject has been given.
    pub fn fired(&self, inject: &str) -> bool {
        self.injects.iter().any(|i| i.id == inject)
    }

    /// The target time of a step, in seconds from the start.
    pub fn target(&self, step: &str) -> Option<i64> {
        self.targets
            .iter()
            .find(|t| t.step == step)
            .map(|t| t.seconds)
    }
}

/// The state of an incident after some events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IncidentState {
    /// Incident title.
    pub title: String,
    /// The affected account.
    pub account: Option<String>,
    /// The affected platform.
    pub platform: Option<Platform>,
    /// When it started.
    pub started_at: Option<DateTime<FixedOffset>>,
    /// The operator on duty now.
    pub operator: String,
    /// Everyone who has been on duty, in order.
    pub operators: Vec<String>,
    /// Severity given at the start (the severity decision, once made, takes over).
    pub initial_severity: Option<String>,
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
            started_at: None,
            operator: String::new(),
            operators: Vec::new(),
            initial_severity: None,
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
                m.acknowledged.is_none()
                    && m.called.is_none()
                    && m.cancelled.is_none()
                    && m.queued.at + w < now
            })
        })
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

    /// Folds one event in. Events naming steps the playbook does not have are ignored (the
    /// engine never produces them; the journal is verified before folding).
    pub fn apply(
        &mut self,
        playbook: &Playbook,
        time: DateTime<FixedOffset>,
        actor: &str,
        event: &Event,
    ) {
        self.events += 1;
        self.last_event_at = Some(time);
        let stamp = || Stamp {
            at: time,
            by: actor.to_string(),
        };
        let remark = |text: &str| Remark {
            at: time,
            by: actor.to_string(),
            text: text.to_string(),
        };
        let ix = event.step().and_then(|id| playbook.graph.find(id));
        let mut affects_status = true;
        match (event, ix) {
            (Event::IncidentStarted { params, .. }, _) => {
                self.exercise = params.exercise;
                self.title.clone_from(&params.title);
                self.account.clone_from(&params.account);
                self.platform = params.platform;
                self.started_at = Some(time);
                self.operator.clone_from(&params.operator);
                self.operators = vec![params.operator.clone()];
                self.initial_severity.clone_from(&params.severity);
            }
            (
                Event::StepCompleted {
                    step, note, forced, ..
                },
                Some(ix),
            ) => {
                if let Some(reason) = forced {
                    self.cancel_messages(step, &remark(reason));
                }
                let r = &mut self.steps[ix.index()];
                r.done = Some(stamp());
                r.done_note.clone_from(note);
                r.forced.clone_from(forced);
                r.skipped = None;
            }
            (Event::StepSkipped { step, reason }, Some(ix)) => {
                self.cancel_messages(step, &remark(reason));
                let r = &mut self.steps[ix.index()];
                r.skipped = Some(remark(reason));
                r.done = None;
            }
            (
                Event::DecisionMade {
                    option,
                    reason,
                    forced,
                    ..
                },
                Some(ix),
            ) => {
                let options = match playbook.graph.step(ix).map(|s| &s.kind) {
                    Some(StepKind::Decision(d)) => &d.options,
                    _ => return,
                };
                let r = &mut self.steps[ix.index()];
                r.answer = options.iter().position(|o| o.id == *option);
                r.answers.push(Remark {
                    at: time,
                    by: actor.to_string(),
                    text: reason.clone().unwrap_or_default(),
                });
                if r.done.is_none() {
                    r.done = Some(stamp());
                    r.forced.clone_from(forced);
                }
                r.skipped = None;
            }
            (Event::ApprovalGiven { by, .. }, Some(ix)) => {
                let is_approval_step = matches!(
                    playbook.graph.step(ix).map(|s| &s.kind),
                    Some(StepKind::Approval { .. })
                );
                let r = &mut self.steps[ix.index()];
                // The approver is who decided, not who typed it in.
                r.approval = Some(Stamp {
                    at: time,
                    by: by.clone(),
                });
                // For a 決裁 step the approval is the step; a post still has to be posted.
                if is_approval_step && r.done.is_none() {
                    r.done = Some(stamp());
                }
            }
            (Event::ApprovalRejected { by, reason, .. }, Some(ix)) => {
                let r = &mut self.steps[ix.index()];
                r.approval = None;
                // Who refused, not who typed it in.
                r.rejections.push(Remark {
                    at: time,
                    by: by.clone(),
                    text: reason.clone(),
                });
                affects_status = false;
            }
            (Event::ChecklistChecked { item, checked, .. }, Some(ix)) => {
                let r = &mut self.steps[ix.index()];
                if *checked {
                    r.checked.insert(*item);
                } else {
                    r.checked.remove(item);
                }
                affects_status = false;
            }
            (Event::ObservationRecorded { text, .. }, Some(ix)) => {
                self.steps[ix.index()].observations.push(remark(text));
                affects_status = false;
            }
            (Event::StepReopened { step, reason }, Some(ix)) => {
                let is_decision = matches!(
                    playbook.graph.step(ix).map(|s| &s.kind),
                    Some(StepKind::Decision(_))
                );
                // A reopened notify step starts a new round of mail.
                self.cancel_messages(step, &remark(reason));
                let next = self.next_message();
                let r = &mut self.steps[ix.index()];
                r.messages_from = next;
                r.reopened.push(remark(reason));
                // Its clock restarts now: it is due again from the moment it is reopened.
                r.ready_since = None;
                r.done = None;
                r.done_note = None;
                r.forced = None;
                r.skipped = None;
                r.approval = None;
                if is_decision {
                    r.answer = None;
                }
            }
            (Event::NoteAdded { text, .. }, _) => {
                self.notes.push(remark(text));
                affects_status = false;
            }
            (Event::EvidenceAttached { evidence, note, .. }, Some(ix)) => {
                self.steps[ix.index()].evidence.push((
                    remark(note.as_deref().unwrap_or_default()),
                    evidence.clone(),
                ));
                affects_status = false;
            }
            (Event::AccountIdentified { account, platform }, _) => {
                if account.is_some() {
                    self.account.clone_from(account);
                }
                if platform.is_some() {
                    self.platform = *platform;
                }
                affects_status = false;
            }
            (
                Event::ExerciseBegan {
                    scenario,
                    title,
                    scenario_sha256,
                    live_mail,
                    targets,
                },
                _,
            ) => {
                self.run = Some(ExerciseRun {
                    scenario: scenario.clone(),
                    title: title.clone(),
                    scenario_sha256: scenario_sha256.clone(),
                    live_mail: *live_mail,
                    targets: targets.clone(),
                    injects: Vec::new(),
                    reviews: Vec::new(),
                });
                affects_status = false;
            }
            (
                Event::InjectFired {
                    inject,
                    title,
                    text,
                    at_seconds,
                    early,
                },
                _,
            ) => {
                if let Some(run) = &mut self.run {
                    run.injects.push(InjectRecord {
                        id: inject.clone(),
                        title: title.clone(),
                        text: text.clone(),
                        at_seconds: *at_seconds,
                        fired: stamp(),
                        early: *early,
                    });
                }
                affects_status = false;
            }
            (
                Event::ReviewRecorded {
                    good,
                    issues,
                    improvements,
                },
                _,
            ) => {
                if let Some(run) = &mut self.run {
                    run.reviews.push(ReviewRecord {
                        recorded: stamp(),
                        good: good.clone(),
                        issues: issues.clone(),
                        improvements: improvements.clone(),
                    });
                }
                affects_status = false;
            }
            (Event::HandedOver { from, to, summary }, _) => {
                self.handovers.push(Handover {
                    at: time,
                    from: from.clone(),
                    to: to.clone(),
                    summary: summary.clone(),
                });
                self.operator.clone_from(to);
                if !self.operators.contains(to) {
                    self.operators.push(to.clone());
                }
                affects_status = false;
            }
            (
                Event::NotificationQueued {
                    message,
                    step,
                    letter,
                },
                _,
            ) => {
                self.messages.push(MessageRecord {
                    number: *message,
                    step: step.clone(),
                    letter: letter.clone(),
                    queued: stamp(),
                    delivery: Delivery::Pending,
                    failures: Vec::new(),
                    acknowledged: None,
                    called: None,
                    cancelled: None,
                });
                affects_status = false;
            }
            (
                Event::NotificationSent {
                    message,
                    transport,
                    reply,
                },
                _,
            ) => {
                if let Some(m) = self.message_mut(*message) {
                    m.delivery = Delivery::Sent {
                        at: time,
                        transport: transport.clone(),
                        reply: reply.clone(),
                    };
                }
                affects_status = false;
            }
            (
                Event::NotificationFailed {
                    message,
                    attempt,
                    error,
                    permanent,
                    next_retry,
                },
                _,
            ) => {
                if let Some(m) = self.message_mut(*message) {
                    m.failures.push(remark(error));
                    m.delivery = Delivery::Failed {
                        at: time,
                        attempt: *attempt,
                        error: error.clone(),
                        permanent: *permanent,
                        next_retry: *next_retry,
                    };
                }
                affects_status = false;
            }
            (Event::NotificationAcknowledged { message, by, note }, _) => {
                if let Some(m) = self.message_mut(*message) {
                    m.acknowledged = Some(Remark {
                        at: time,
                        by: by.clone(),
                        text: note.clone().unwrap_or_default(),
                    });
                }
                affects_status = false;
            }
            (
                Event::DivisionCalled {
                    division,
                    number,
                    note,
                },
                _,
            ) => {
                for m in self
                    .messages
                    .iter_mut()
                    .filter(|m| m.letter.to == *division)
                {
                    if m.called.is_none() {
                        m.called = Some(remark(note));
                    }
                }
                self.calls.push(CallRecord {
                    at: time,
                    by: actor.to_string(),
                    division: division.clone(),
                    number: number.clone(),
                    note: note.clone(),
                });
                affects_status = false;
            }
            (Event::IncidentClosed { reason, .. }, _) => {
                // Nothing is sent after the close; what was not delivered stays on record.
                let why = remark(reason.as_deref().unwrap_or_default());
                for m in self.messages.iter_mut().filter(|m| !m.is_settled()) {
                    m.cancelled = Some(why.clone());
                }
                self.closed = Some(stamp());
            }
            _ => affects_status = false,
        }
        if let Some(r) = ix.and_then(|ix| self.steps.get_mut(ix.index()))
            && r.first_done.is_none()
        {
            r.first_done = r.done.as_ref().map(|d| d.at);
        }
        if affects_status {
            self.refresh_status(playbook, time);
            // Mail of a step that no longer applies is not sent.
            let not_applicable: Vec<String> = self
                .messages
                .iter()
                .filter(|m| !m.is_settled())
                .filter(|m| {
                    playbook
                        .graph
                        .find(&m.step)
                        .is_some_and(|ix| self.status_of(ix) == StepStatus::NotApplicable)
                })
                .map(|m| m.step.clone())
                .collect();
            for step in not_applicable {
                let why = remark("対象外 / not applicable");
                self.cancel_messages(&step, &why);
            }
        }
    }

    /// Marks the step's messages that are not yet settled as cancelled.
    fn cancel_messages(&mut self, step: &str, why: &Remark) {
        for m in self
            .messages
            .iter_mut()
            .filter(|m| m.step == step && !m.is_settled())
        {
            m.cancelled = Some(why.clone());
        }
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
            .filter(move |m| m.step == step && m.number >= from)
    }

    fn message_mut(&mut self, number: u32) -> Option<&mut MessageRecord> {
        let i = usize::try_from(number).ok()?.checked_sub(1)?;
        self.messages.get_mut(i)
    }

    /// Recomputes every step's status in dependency order, and when each became ready.
    fn refresh_status(&mut self, playbook: &Playbook, time: DateTime<FixedOffset>) {
        let graph = &playbook.graph;
        for &ix in graph.order() {
            let Some(step) = graph.step(ix) else { continue };
            let i = ix.index();
            let r = &self.steps[i];
            let status = if r.done.is_some() {
                StepStatus::Done
            } else if r.skipped.is_some() {
                StepStatus::Skipped
            } else {
                // A condition holds, fails, or is undecided (None).
                let condition = step.when.as_ref().map(|c| {
                    if self.status[c.decision.index()] == StepStatus::NotApplicable {
                        Some(false)
                    } else {
                        self.steps[c.decision.index()].answer.map(|a| c.holds(a))
                    }
                });
                let all_prerequisites_na = !step.after.is_empty()
                    && step
                        .after
                        .iter()
                        .all(|p| self.status[p.index()] == StepStatus::NotApplicable);
                let prerequisites_settled = step
                    .after
                    .iter()
                    .all(|p| self.status[p.index()].is_settled());
                if condition == Some(Some(false)) || all_prerequisites_na {
                    StepStatus::NotApplicable
                } else if prerequisites_settled
                    && condition != Some(None)
                    && self.started_at.is_some()
                {
                    StepStatus::Ready
                } else {
                    StepStatus::Pending
                }
            };
            self.status[i] = status;
            let r = &mut self.steps[i];
            match status {
                StepStatus::Ready if r.ready_since.is_none() => {
                    r.ready_since = Some(time);
                    r.first_ready.get_or_insert(time);
                }
                StepStatus::Ready | StepStatus::Done | StepStatus::Skipped => {}
                StepStatus::Pending | StepStatus::NotApplicable => r.ready_since = None,
            }
        }
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

    /// What a step looks like at `now`: deadline, time left, next monitor check.
    pub fn view(&self, playbook: &Playbook, ix: StepIx, now: DateTime<FixedOffset>) -> StepView {
        let status = self.status_of(ix);
        let record = self.step(ix);
        let step = playbook.graph.step(ix);
        let ready_since = record.and_then(|r| r.ready_since);
        let due_at = step.and_then(|s| s.due).and_then(|due| match due.from {
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
            let end = match (step.due, view.due_at) {
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
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
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

#[cfg(test)]
mod tests {
    use super::*;

    fn message(delivery: Delivery) -> MessageRecord {
        let at = DateTime::parse_from_rfc3339("2026-11-22T14:03:00+09:00").unwrap();
        MessageRecord {
            number: 1,
            step: "tell".into(),
            letter: Letter {
                to: "所属長".into(),
                address: "a@example.jp".into(),
                subject: "件名".into(),
                file: "outbox/0001-tell.eml".into(),
                sha256: "0".repeat(64),
                message_id: "1@example.jp".into(),
            },
            queued: Stamp {
                at,
                by: "田中".into(),
            },
            delivery,
            failures: Vec::new(),
            acknowledged: None,
            called: None,
            cancelled: None,
        }
    }

    /// Sent › called › cancelled › pending › failed: the first that holds is the phase.
    #[test]
    fn a_message_phase_is_the_first_that_holds() {
        let at = DateTime::parse_from_rfc3339("2026-11-22T14:05:00+09:00").unwrap();
        let remark = Remark {
            at,
            by: "田中".into(),
            text: "済".into(),
        };
        let sent = Delivery::Sent {
            at,
            transport: "smtp".into(),
            reply: "250".into(),
        };
        let failed = |permanent| Delivery::Failed {
            at,
            attempt: 1,
            error: "550".into(),
            permanent,
            next_retry: None,
        };
        let mut m = message(sent);
        m.called = Some(remark.clone());
        m.cancelled = Some(remark.clone());
        assert_eq!(m.phase(), Phase::Sent);
        m.delivery = failed(true);
        assert_eq!(m.phase(), Phase::Called);
        m.called = None;
        assert_eq!(m.phase(), Phase::Cancelled);
        m.cancelled = None;
        assert_eq!(m.phase(), Phase::FailedPermanent);
        m.delivery = failed(false);
        assert_eq!(m.phase(), Phase::Failed);
        m.delivery = Delivery::Pending;
        assert_eq!((m.phase(), m.phase().word()), (Phase::Pending, "pending"));
        assert_eq!(
            serde_json::to_string(&Phase::FailedPermanent).unwrap(),
            r#""failed_permanent""#
        );
    }
}
