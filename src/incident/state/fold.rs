//! The fold: one event into the state. The same function runs live (after an append) and on
//! replay, so the two cannot differ. Events are grouped as the engine groups commands: the
//! incident's own, a step's, mail and calls, the exercise's. A new event gets an arm in
//! [`IncidentState::apply`] and its fold in the group it belongs to.

use chrono::{DateTime, FixedOffset};

use super::{
    CallRecord, Delivery, ExerciseRun, Handover, IncidentState, InjectRecord, MessageRecord,
    Remark, ReviewRecord, Stamp, StepStatus,
};
use crate::incident::event::Event;
use crate::playbook::{Playbook, StepIx, StepKind};

/// When and by whom the event being folded happened, and the playbook it is read against.
struct At<'a> {
    playbook: &'a Playbook,
    time: DateTime<FixedOffset>,
    actor: &'a str,
}

impl At<'_> {
    fn stamp(&self) -> Stamp {
        Stamp {
            at: self.time,
            by: self.actor.to_string(),
        }
    }

    fn remark(&self, text: &str) -> Remark {
        Remark {
            at: self.time,
            by: self.actor.to_string(),
            text: text.to_string(),
        }
    }

    /// A remark by someone other than the actor (an approver, who decided; the actor only
    /// typed it in).
    fn remark_by(&self, by: &str, text: &str) -> Remark {
        Remark {
            at: self.time,
            by: by.to_string(),
            text: text.to_string(),
        }
    }

    fn kind(&self, ix: StepIx) -> Option<&StepKind> {
        self.playbook.graph.step(ix).map(|s| &s.kind)
    }
}

impl IncidentState {
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
        let at = At {
            playbook,
            time,
            actor,
        };
        let ix = event.step().and_then(|id| playbook.graph.find(id));
        let affects_status = match event {
            Event::IncidentStarted { .. }
            | Event::NoteAdded { .. }
            | Event::HandedOver { .. }
            | Event::AccountIdentified { .. }
            | Event::FactSet { .. }
            | Event::IncidentClosed { .. } => self.fold_incident(&at, event),
            Event::StepCompleted { .. }
            | Event::StepSkipped { .. }
            | Event::DecisionMade { .. }
            | Event::ApprovalGiven { .. }
            | Event::ApprovalRejected { .. }
            | Event::ChecklistChecked { .. }
            | Event::ObservationRecorded { .. }
            | Event::StepReopened { .. }
            | Event::RecipientsAdded { .. }
            | Event::EvidenceAttached { .. } => ix.is_some_and(|ix| self.fold_step(&at, ix, event)),
            Event::NotificationQueued { .. }
            | Event::NotificationSent { .. }
            | Event::NotificationFailed { .. }
            | Event::NotificationAcknowledged { .. }
            | Event::AcknowledgementWithdrawn { .. }
            | Event::ReplyRecorded { .. }
            | Event::ReplyHeld { .. }
            | Event::ReplyNotCounted { .. }
            | Event::DivisionCalled { .. } => self.fold_mail(&at, event),
            Event::ExerciseBegan { .. }
            | Event::InjectFired { .. }
            | Event::ReviewRecorded { .. } => self.fold_exercise(&at, event),
        };
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
                // An answer to a reply is still owed to the replier.
                .filter(|m| !m.is_settled() && m.letter.answers.is_none())
                .filter(|m| {
                    playbook
                        .graph
                        .find(&m.step)
                        .is_some_and(|ix| self.status_of(ix) == StepStatus::NotApplicable)
                })
                .map(|m| m.step.clone())
                .collect();
            for step in not_applicable {
                self.cancel_messages(&step, &at.remark("対象外 / not applicable"));
            }
        }
    }

    /// The incident's own events. Returns whether step statuses may have changed.
    fn fold_incident(&mut self, at: &At<'_>, event: &Event) -> bool {
        match event {
            Event::IncidentStarted { params, .. } => {
                self.exercise = params.exercise;
                self.title.clone_from(&params.title);
                self.account.clone_from(&params.account);
                self.platform = params.platform;
                self.started_at = Some(at.time);
                self.operator.clone_from(&params.operator);
                self.operators = vec![params.operator.clone()];
                self.initial_severity.clone_from(&params.severity);
                self.origin.clone_from(&params.origin);
                self.facts.clone_from(&params.facts);
                true
            }
            Event::NoteAdded { text, .. } => {
                self.notes.push(at.remark(text));
                false
            }
            Event::HandedOver { from, to, summary } => {
                self.handovers.push(Handover {
                    at: at.time,
                    from: from.clone(),
                    to: to.clone(),
                    summary: summary.clone(),
                });
                self.operator.clone_from(to);
                if !self.operators.contains(to) {
                    self.operators.push(to.clone());
                }
                false
            }
            Event::AccountIdentified { account, platform } => {
                if account.is_some() {
                    self.account.clone_from(account);
                }
                if platform.is_some() {
                    self.platform = *platform;
                }
                false
            }
            Event::FactSet { fact, value, .. } => {
                self.facts.insert(fact.clone(), value.clone());
                false
            }
            Event::IncidentClosed { reason, .. } => {
                // Nothing is sent after the close; what was not delivered stays on record.
                let why = at.remark(reason.as_deref().unwrap_or_default());
                for m in self.messages.iter_mut().filter(|m| !m.is_settled()) {
                    m.cancelled = Some(why.clone());
                }
                self.closed = Some(at.stamp());
                true
            }
            _ => false,
        }
    }

    /// The events of one step (`ix`). Returns whether step statuses may have changed.
    fn fold_step(&mut self, at: &At<'_>, ix: StepIx, event: &Event) -> bool {
        match event {
            Event::StepCompleted {
                step,
                note,
                forced,
                posted,
            } => {
                if let Some(reason) = forced {
                    self.cancel_messages(step, &at.remark(reason));
                }
                // A statement posted under an approval step's approval shows that approval.
                let covering = match at.kind(ix) {
                    Some(StepKind::Post(p)) => p.approved_in,
                    _ => None,
                }
                .and_then(|a| self.steps.get(a.index()))
                .and_then(|a| a.approval.clone());
                let r = &mut self.steps[ix.index()];
                if r.approval.is_none() && forced.is_none() {
                    r.approval = covering;
                }
                r.done = Some(at.stamp());
                r.done_note.clone_from(note);
                r.forced.clone_from(forced);
                r.posted.clone_from(posted);
                r.skipped = None;
                true
            }
            Event::StepSkipped { step, reason } => {
                self.cancel_messages(step, &at.remark(reason));
                let r = &mut self.steps[ix.index()];
                r.skipped = Some(at.remark(reason));
                r.done = None;
                true
            }
            Event::DecisionMade {
                option,
                reason,
                forced,
                ..
            } => {
                let Some(StepKind::Decision(d)) = at.kind(ix) else {
                    return false;
                };
                let r = &mut self.steps[ix.index()];
                r.answer = d.options.iter().position(|o| o.id == *option);
                r.answers
                    .push(at.remark(reason.as_deref().unwrap_or_default()));
                if r.done.is_none() {
                    r.done = Some(at.stamp());
                    r.forced.clone_from(forced);
                }
                r.skipped = None;
                true
            }
            Event::ApprovalGiven { by, texts, .. } => {
                let is_approval_step = matches!(at.kind(ix), Some(StepKind::Approval { .. }));
                let r = &mut self.steps[ix.index()];
                // The approver is who decided, not who typed it in.
                r.approval = Some(Stamp {
                    at: at.time,
                    by: by.clone(),
                });
                r.approved_texts.clone_from(texts);
                // For a 決裁 step the approval is the step; a post still has to be posted.
                if is_approval_step && r.done.is_none() {
                    r.done = Some(at.stamp());
                }
                true
            }
            Event::ApprovalRejected { by, reason, .. } => {
                let r = &mut self.steps[ix.index()];
                r.approval = None;
                // Who refused, not who typed it in.
                r.rejections.push(at.remark_by(by, reason));
                false
            }
            Event::RecipientsAdded { to, .. } => {
                self.steps[ix.index()].added_to.extend(to.iter().cloned());
                false
            }
            Event::ChecklistChecked { item, checked, .. } => {
                let r = &mut self.steps[ix.index()];
                if *checked {
                    r.checked.insert(*item);
                } else {
                    r.checked.remove(item);
                }
                false
            }
            Event::ObservationRecorded { text, .. } => {
                self.steps[ix.index()].observations.push(at.remark(text));
                false
            }
            Event::StepReopened { step, reason } => {
                self.reopen(at, ix, step, reason);
                true
            }
            Event::EvidenceAttached { evidence, note, .. } => {
                self.steps[ix.index()].evidence.push((
                    at.remark(note.as_deref().unwrap_or_default()),
                    evidence.clone(),
                ));
                false
            }
            _ => false,
        }
    }

    fn reopen(&mut self, at: &At<'_>, ix: StepIx, step: &str, reason: &str) {
        let is_decision = matches!(at.kind(ix), Some(StepKind::Decision(_)));
        // A reopened notify step starts a new round of mail.
        self.cancel_messages(step, &at.remark(reason));
        let next = self.next_message();
        let r = &mut self.steps[ix.index()];
        r.messages_from = next;
        r.reopened.push(at.remark(reason));
        // Its clock restarts now: it is due again from the moment it is reopened.
        r.ready_since = None;
        r.done = None;
        r.done_note = None;
        r.forced = None;
        r.skipped = None;
        r.approval = None;
        // Its checklist is worked through again.
        r.checked.clear();
        if is_decision {
            r.answer = None;
        }
    }

    /// Mail and calls: they never change a step's status themselves (the engine completes a
    /// notify step with an event of its own).
    fn fold_mail(&mut self, at: &At<'_>, event: &Event) -> bool {
        match event {
            Event::NotificationQueued {
                message,
                step,
                letter,
            } => self.messages.push(MessageRecord {
                number: *message,
                step: step.clone(),
                letter: letter.clone(),
                queued: at.stamp(),
                delivery: Delivery::Pending,
                failures: Vec::new(),
                acknowledged: None,
                withdrawn: Vec::new(),
                replies: Vec::new(),
                held: Vec::new(),
                uncounted: Vec::new(),
                called: None,
                cancelled: None,
            }),
            Event::NotificationSent {
                message,
                transport,
                reply,
            } => {
                if let Some(m) = self.message_mut(*message) {
                    m.delivery = Delivery::Sent {
                        at: at.time,
                        transport: transport.clone(),
                        reply: reply.clone(),
                    };
                }
            }
            Event::NotificationFailed {
                message,
                attempt,
                error,
                permanent,
                next_retry,
            } => {
                if let Some(m) = self.message_mut(*message) {
                    m.failures.push(at.remark(error));
                    m.delivery = Delivery::Failed {
                        at: at.time,
                        attempt: *attempt,
                        error: error.clone(),
                        permanent: *permanent,
                        next_retry: *next_retry,
                    };
                }
            }
            Event::NotificationAcknowledged { message, by, note } => {
                if let Some(m) = self.message_mut(*message) {
                    m.acknowledged = Some(at.remark_by(by, note.as_deref().unwrap_or_default()));
                }
            }
            Event::AcknowledgementWithdrawn { message, reason } => {
                if let Some(m) = self.message_mut(*message) {
                    m.acknowledged = None;
                    m.withdrawn.push(at.remark(reason));
                }
            }
            Event::ReplyRecorded { message, reply } => {
                if let Some(m) = self.message_mut(*message) {
                    if m.acknowledged.is_none() {
                        m.acknowledged = Some(at.remark_by(&reply.name, &reply.reply_id));
                    }
                    // A held reply counted now leaves the waiting list.
                    m.held.retain(|h| h.reply_id != reply.reply_id);
                    m.replies.push(reply.clone());
                }
            }
            Event::ReplyHeld { message, reply } => {
                if let Some(m) = self.message_mut(*message) {
                    m.held.push(reply.clone());
                }
            }
            Event::ReplyNotCounted {
                message,
                issue,
                reply,
            } => {
                if let Some(m) = self.message_mut(*message) {
                    m.held.retain(|h| h.reply_id != reply.reply_id);
                    m.uncounted.push((*issue, reply.clone()));
                }
            }
            Event::DivisionCalled {
                division,
                number,
                note,
                covers,
            } => {
                for m in self
                    .messages
                    .iter_mut()
                    .filter(|m| m.letter.to == *division || covers.contains(&m.letter.to))
                {
                    if m.called.is_none() {
                        m.called = Some(at.remark(note));
                    }
                }
                self.calls.push(CallRecord {
                    at: at.time,
                    by: at.actor.to_string(),
                    division: division.clone(),
                    number: number.clone(),
                    note: note.clone(),
                });
            }
            _ => {}
        }
        false
    }

    /// The exercise's events: they change no step's status.
    fn fold_exercise(&mut self, at: &At<'_>, event: &Event) -> bool {
        match event {
            Event::ExerciseBegan {
                scenario,
                title,
                scenario_sha256,
                live_mail,
                targets,
            } => {
                self.run = Some(ExerciseRun {
                    scenario: scenario.clone(),
                    title: title.clone(),
                    scenario_sha256: scenario_sha256.clone(),
                    live_mail: *live_mail,
                    targets: targets.clone(),
                    injects: Vec::new(),
                    reviews: Vec::new(),
                });
            }
            Event::InjectFired {
                inject,
                title,
                text,
                at_seconds,
                early,
            } => {
                if let Some(run) = &mut self.run {
                    run.injects.push(InjectRecord {
                        id: inject.clone(),
                        title: title.clone(),
                        text: text.clone(),
                        at_seconds: *at_seconds,
                        fired: at.stamp(),
                        early: *early,
                    });
                }
            }
            Event::ReviewRecorded {
                good,
                issues,
                improvements,
            } => {
                if let Some(run) = &mut self.run {
                    run.reviews.push(ReviewRecord {
                        recorded: at.stamp(),
                        good: good.clone(),
                        issues: issues.clone(),
                        improvements: improvements.clone(),
                    });
                }
            }
            _ => {}
        }
        false
    }

    /// Marks the step's messages that are not yet settled as cancelled (but for answers to
    /// replies, which are owed to the replier whatever becomes of the step).
    fn cancel_messages(&mut self, step: &str, why: &Remark) {
        for m in self
            .messages
            .iter_mut()
            .filter(|m| m.step == step && !m.is_settled() && m.letter.answers.is_none())
        {
            m.cancelled = Some(why.clone());
        }
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
                // Ended by a step done since (its record, whatever the order of the pass).
                let ended = step
                    .until
                    .iter()
                    .any(|u| self.steps[u.index()].done.is_some());
                if condition == Some(Some(false)) || all_prerequisites_na || ended {
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
}
