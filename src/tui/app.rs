//! The screen's state and its one update function. Every key that changes the incident
//! becomes an engine [`Command`]; the screen shows a step as done only after the incident has
//! journaled it. Drawing never mutates (see `view`).

use std::collections::HashSet;
use std::path::PathBuf;
use std::pin::Pin;

use chrono::{DateTime, FixedOffset};

use super::strings::{dialog as dlg, message};
use crate::incident::describe::{describe, fill};
use crate::incident::{
    Command, Event, Incident, IncidentError, Refusal, StepStatus, Written, handover_summary,
};
use crate::lang::Lang;
use crate::notify::{self, Config, Job, Outcome, Transport};
use crate::playbook::{StepIx, StepKind, Template};
use crate::tr;

/// What the operator asked for (from a key) or what happened (a tick).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Select the step above.
    Up,
    /// Select the step below.
    Down,
    /// Select the first step.
    Top,
    /// Select the last step.
    Bottom,
    /// Scroll the detail pane down.
    PageDown,
    /// Scroll the detail pane up.
    PageUp,
    /// Do the selected step's natural action.
    Primary,
    /// Complete the selected step.
    Done,
    /// Skip it (asks for a reason).
    Skip,
    /// Decide it (asks for the option).
    Decide,
    /// Approve it (asks for the name).
    Approve,
    /// Reject it (asks for the reason).
    Reject,
    /// Record an observation (asks for the text).
    Observe,
    /// Add a note (asks for the text).
    Note,
    /// Record evidence (asks for a path or URL).
    Evidence,
    /// Complete before ready (asks for the reason).
    Force,
    /// Hand over (asks for the name).
    Handover,
    /// Close the incident.
    Close,
    /// Copy the selected step's statement or draft.
    Copy,
    /// Toggle checklist item n (from 0).
    Toggle(usize),
    /// Show or hide the help.
    Help,
    /// Leave (everything is saved already).
    Quit,
    /// A second passed.
    Tick,
    /// A character typed into a dialog.
    Char(char),
    /// Delete the last character in a dialog.
    Backspace,
    /// Clear a text field (Ctrl-U).
    Clear,
    /// Put a field's suggestion into it, to edit it (Tab).
    TakeSuggestion,
    /// Confirm the dialog.
    Submit,
    /// Cancel the dialog or the help.
    Cancel,
    /// Select option n (from 0) in a decision dialog (Enter answers with it).
    Choose(usize),
    /// Send every undelivered message now, permanent failures included.
    Retry,
    /// Record a phone call to a recipient of the selected notify step (asks what was said).
    Call,
    /// Record a recipient's acknowledgement (asks for the name).
    Ack,
    /// A delivery attempt finished (from the outbox worker).
    Delivered(Outcome),
    /// Exercise: pause or resume the simulated clock (facilitator).
    Pause,
    /// Exercise: give the next inject now (facilitator).
    NextInject,
    /// Exercise: show the last inject again.
    ShowInject,
    /// Exercise: record the review (振り返り) now.
    Review,
}

/// What a dialog will do when confirmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialogKind {
    /// Skip with a reason.
    Skip,
    /// Choose a decision's option.
    Decide,
    /// Approve, by a name.
    Approve,
    /// Reject, with a reason.
    Reject,
    /// Reject: who refused (after the reason).
    RejectBy,
    /// A note.
    Note,
    /// Evidence path or URL.
    Evidence,
    /// A monitor observation.
    Observe,
    /// Handover to a name.
    Handover,
    /// Force-complete with a reason.
    Force,
    /// Close (a reason when steps are open).
    Close,
    /// A phone call to the message's recipient: what was said.
    Call,
    /// The message's acknowledgement: who.
    Ack,
}

impl DialogKind {
    /// The dialog's prompt.
    pub fn prompt(self, lang: Lang, open_steps: bool) -> &'static str {
        match self {
            DialogKind::Skip => dlg::SKIP.get(lang),
            DialogKind::Decide => dlg::DECIDE.get(lang),
            DialogKind::Approve => dlg::APPROVE.get(lang),
            DialogKind::Reject => dlg::REJECT.get(lang),
            DialogKind::RejectBy => dlg::REJECT_BY.get(lang),
            DialogKind::Note => dlg::NOTE.get(lang),
            DialogKind::Evidence => dlg::EVIDENCE.get(lang),
            DialogKind::Observe => dlg::OBSERVE.get(lang),
            DialogKind::Handover => dlg::HANDOVER.get(lang),
            DialogKind::Force => dlg::FORCE.get(lang),
            DialogKind::Close if open_steps => dlg::CLOSE_FORCE.get(lang),
            DialogKind::Close => dlg::CLOSE.get(lang),
            DialogKind::Call => dlg::CALL.get(lang),
            DialogKind::Ack => dlg::ACK.get(lang),
        }
    }
}

/// An open dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dialog {
    /// What it does.
    pub kind: DialogKind,
    /// The step it acts on.
    pub step: StepIx,
    /// Text typed so far.
    pub input: String,
    /// Whether it has a text field (a decision's only when changing the answer: the reason).
    pub takes_text: bool,
    /// Text offered for an empty field: shown, taken by Tab (to edit) or by Enter on the
    /// empty field; typing replaces it.
    pub suggestion: Option<String>,
    /// What an earlier dialog of the same act asked (a rejection's reason, while who
    /// refused is asked).
    pub carried: Option<String>,
    /// The highlighted option (decisions).
    pub choice: usize,
    /// A decision already answered: changing it needs a typed reason, so digits are text.
    pub needs_reason: bool,
    /// The message a call or acknowledgement is about.
    pub message: Option<u32>,
}

/// An inject as the screen pops it up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InjectCard {
    /// Headline.
    pub title: String,
    /// What the participants are told.
    pub text: String,
    /// When it was given (simulated time).
    pub at: DateTime<FixedOffset>,
    /// Given early by the facilitator.
    pub early: bool,
    /// Effects the engine refused, in words.
    pub refused: Vec<String>,
}

/// The review (振り返り) being typed: three answers, one at a time.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReviewForm {
    /// Which answer is being typed (0 良かった点, 1 課題, 2 改善策).
    pub field: usize,
    /// The answers.
    pub answers: [String; 3],
}

/// What the screen is doing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// Browsing steps.
    Normal,
    /// The help overlay.
    Help,
    /// A dialog.
    Dialog(Dialog),
    /// An inject, popped up until a key is pressed.
    Inject(InjectCard),
    /// The review after an exercise.
    Review(ReviewForm),
    /// The exercise score, shown after the review.
    Score(Vec<String>),
}

/// A line for the message bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flash {
    /// The text.
    pub text: String,
    /// An error (shown in red) or information.
    pub error: bool,
}

/// One timeline entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    /// When.
    pub at: DateTime<FixedOffset>,
    /// Who.
    pub actor: String,
    /// What, in words.
    pub text: String,
}

/// The whole screen state.
pub struct App {
    /// The open incident (the only way anything is changed).
    pub incident: Incident,
    /// Language of the screen.
    pub lang: Lang,
    /// Who is at the keyboard.
    pub operator: String,
    /// Selected position in the step order.
    pub selected: usize,
    /// What the screen is doing.
    pub mode: Mode,
    /// The message bar.
    pub flash: Option<Flash>,
    /// Latest timeline entries, oldest first.
    pub log: Vec<LogLine>,
    /// The time shown (updated every tick).
    pub now: DateTime<FixedOffset>,
    /// Set when the operator quits.
    pub quit: bool,
    /// The name last recorded for each approving role, offered again for that role.
    pub approvers: std::collections::HashMap<String, String>,
    /// Lines the detail pane is scrolled down (reset when the selection moves).
    pub detail_scroll: usize,
    /// How mail leaves, and what is being sent.
    pub mail: Mail,
    /// The exercise being run, if this is one (the simulated clock, injects, controls).
    pub exercise: Option<crate::exercise::Session>,
    /// Injects given while something else was on screen, to pop up next.
    pub cards: Vec<InjectCard>,
    /// The last inject shown.
    pub last_card: Option<InjectCard>,
}

/// The screen's side of the outbox: the config, the transport, and the deliveries under way.
#[derive(Debug)]
pub struct Mail {
    /// The mail settings (`None`: the config file could not be read, so nothing is queued).
    pub config: Option<Config>,
    /// Where messages go; `None` when the mail settings are unusable (nothing is sent, and
    /// the screen says why, but the incident can still be worked).
    pub transport: Option<Transport>,
    /// Why mail cannot be sent, if it cannot.
    pub problem: Option<String>,
    /// Messages being sent now.
    pub in_flight: HashSet<u32>,
    /// Messages sent whose outcome could not be journalled: never sent again by this screen.
    unrecorded: HashSet<u32>,
    /// Deliveries to start (taken by the screen loop).
    queue: Vec<Job>,
}

impl Default for Mail {
    fn default() -> Mail {
        Mail::new(Config::default(), Transport::File)
    }
}

impl Mail {
    /// Mail as `config` says.
    pub fn new(config: Config, transport: Transport) -> Mail {
        Mail {
            config: Some(config),
            transport: Some(transport),
            problem: None,
            in_flight: HashSet::new(),
            unrecorded: HashSet::new(),
            queue: Vec::new(),
        }
    }

    /// Mail settings that cannot be used: with the config read but no transport (e.g. the
    /// SMTP password is not set), messages are queued and shown but not sent until the screen
    /// is opened with working settings; without a readable config, nothing is queued.
    pub fn unavailable(config: Option<Config>, problem: String) -> Mail {
        Mail {
            config,
            transport: None,
            problem: Some(problem),
            in_flight: HashSet::new(),
            unrecorded: HashSet::new(),
            queue: Vec::new(),
        }
    }

    /// Where messages go, for people.
    pub fn describe(&self) -> String {
        self.transport
            .as_ref()
            .map_or_else(|| "-".to_string(), Transport::describe)
    }
}

/// A delivery under way, as the screen loop polls it.
pub type Work = Pin<Box<dyn Future<Output = Action>>>;

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("selected", &self.selected)
            .field("mode", &self.mode)
            .finish_non_exhaustive()
    }
}

/// How many timeline entries the app keeps.
const LOG_KEEP: usize = 200;

impl App {
    /// The screen for an open incident with mail going to its outbox; reads the timeline
    /// from its journal.
    pub fn new(incident: Incident, operator: String, lang: Lang) -> App {
        App::with_mail(incident, operator, lang, Mail::default())
    }

    /// The screen for an open incident, sending mail as `mail` says. Messages left queued
    /// (by a failure, or by a process that stopped) are sent again at once.
    pub fn with_mail(incident: Incident, operator: String, lang: Lang, mail: Mail) -> App {
        let now = incident.now();
        let mut app = App {
            incident,
            lang,
            operator,
            selected: 0,
            mode: Mode::Normal,
            flash: None,
            log: Vec::new(),
            now,
            quit: false,
            approvers: std::collections::HashMap::new(),
            detail_scroll: 0,
            mail,
            exercise: None,
            cards: Vec::new(),
            last_card: None,
        };
        let recent: Vec<Written> = app.incident.recent().cloned().collect();
        app.push_log(&recent);
        app.select_next_ready();
        if let Some(problem) = app.mail.problem.clone() {
            let text = tr!(
                app.lang,
                "メールを送信できません（通知は送信待ちのまま残ります）: {problem}",
                "mail cannot be sent (messages stay queued): {problem}"
            );
            app.error(text);
        }
        app.schedule(false);
        app
    }

    /// Runs an exercise on this screen: injects arrive on the session's clock as it ticks,
    /// and the facilitator's keys (P, N, I) work. The injects already due are given now.
    pub fn with_exercise(mut self, session: crate::exercise::Session) -> App {
        self.exercise = Some(session);
        self.give_due_injects();
        self.show_next_card();
        // A closed exercise resumed without its review asks for it again.
        if self.mode == Mode::Normal {
            self.ask_review();
        }
        self
    }

    /// Gives the injects whose time has come and queues their pop-ups.
    fn give_due_injects(&mut self) {
        let Some(session) = self.exercise.as_mut() else {
            return;
        };
        match session.fire_due(&mut self.incident) {
            Ok(fired) => {
                for f in fired {
                    self.inject_given(f);
                }
            }
            Err(e) => self.error(e.message(self.lang)),
        }
    }

    fn inject_given(&mut self, fired: crate::exercise::Fired) {
        self.push_log(&fired.written);
        let at = fired
            .written
            .first()
            .map_or_else(|| self.incident.now(), |w| w.entry.time);
        self.cards.push(InjectCard {
            title: fired.inject.title.clone(),
            text: fired.inject.text.clone(),
            at,
            early: fired.early,
            refused: fired.refused.iter().map(|r| r.message(self.lang)).collect(),
        });
        self.now = self.incident.now();
        self.select_next_ready();
    }

    /// Pops up the next queued inject when nothing else is on screen.
    fn show_next_card(&mut self) {
        if self.mode == Mode::Normal && !self.cards.is_empty() {
            let card = self.cards.remove(0);
            self.last_card = Some(card.clone());
            self.mode = Mode::Inject(card);
        }
    }

    /// After the exercise closes, asks for the review once.
    fn ask_review(&mut self) {
        let Some(run) = self.incident.state().run.as_ref() else {
            return;
        };
        if self.incident.state().is_closed() && run.reviews.is_empty() {
            self.mode = Mode::Review(ReviewForm::default());
        }
    }

    fn submit_review(&mut self, form: ReviewForm) {
        let [good, issues, improvements] = form.answers.clone();
        let command = Command::RecordReview {
            good,
            issues,
            improvements,
        };
        match self.incident.execute(&self.operator, &command) {
            Ok(entries) => {
                self.push_log(&entries);
                self.show_score();
            }
            Err(e) => {
                // Nothing typed is lost: the form stays open at its first answer.
                self.error(e.message(self.lang));
                self.mode = Mode::Review(ReviewForm { field: 0, ..form });
            }
        }
    }

    fn show_score(&mut self) {
        let now = self.incident.now();
        if let Some(score) =
            crate::exercise::score(self.incident.state(), self.incident.playbook(), now)
        {
            self.mode = Mode::Score(score.lines(self.lang));
        }
    }

    fn facilitator(&mut self, action: Action) {
        let lang = self.lang;
        let Some(session) = self.exercise.as_mut() else {
            self.error(tr!(
                lang,
                "訓練ではないため使えません",
                "only in an exercise (hikeshi exercise)"
            ));
            return;
        };
        match action {
            Action::Pause => {
                let paused = session.toggle_pause();
                self.info(if paused {
                    tr!(
                        lang,
                        "訓練の時計を一時停止しました（P で再開）",
                        "exercise clock paused (P resumes)"
                    )
                } else {
                    tr!(lang, "訓練の時計を再開しました", "exercise clock resumed")
                });
            }
            Action::NextInject => match session.fire_next(&mut self.incident) {
                Ok(Some(fired)) => {
                    self.inject_given(fired);
                    self.show_next_card();
                }
                Ok(None) => self.info(tr!(
                    lang,
                    "これ以上の状況付与はありません",
                    "no more injects"
                )),
                Err(e) => self.error(e.message(lang)),
            },
            Action::ShowInject => match self.last_card.clone() {
                Some(card) => self.mode = Mode::Inject(card),
                None => self.info(tr!(lang, "状況付与はまだありません", "no inject yet")),
            },
            Action::Review => self.mode = Mode::Review(ReviewForm::default()),
            _ => {}
        }
    }

    /// Queues for delivery every message that is due (with `everything`, every undelivered
    /// message), leaving out those being sent now.
    fn schedule(&mut self, everything: bool) -> usize {
        if self.mail.transport.is_none() {
            return 0;
        }
        let room = notify::CONCURRENT_SENDS.saturating_sub(self.mail.in_flight.len());
        let unrecorded = &self.mail.unrecorded;
        let jobs: Vec<Job> = notify::due(&self.incident, &self.mail.in_flight, everything)
            .into_iter()
            .filter(|j| !unrecorded.contains(&j.message))
            .take(room)
            .collect();
        let n = jobs.len();
        for job in jobs {
            self.mail.in_flight.insert(job.message);
            self.mail.queue.push(job);
        }
        n
    }

    /// The deliveries to start now; each ends in an [`Action::Delivered`].
    pub fn take_work(&mut self) -> Vec<Work> {
        let Some(transport) = self.mail.transport.clone() else {
            return Vec::new();
        };
        self.mail
            .queue
            .drain(..)
            .map(|job| {
                let transport = transport.clone();
                Box::pin(async move { Action::Delivered(transport.deliver(&job).await) }) as Work
            })
            .collect()
    }

    fn delivered(&mut self, outcome: &Outcome) {
        self.mail.in_flight.remove(&outcome.message());
        match notify::record(&mut self.incident, outcome) {
            Ok(entries) => {
                self.push_log(&entries);
                if let Outcome::Failed { message, error, .. } = outcome {
                    let text = tr!(
                        self.lang,
                        "通知 #{message} の送信に失敗: {error}",
                        "message #{message} failed: {error}"
                    );
                    self.error(text);
                } else if !entries.is_empty() {
                    let last = self.log.last().map(|l| l.text.clone()).unwrap_or_default();
                    self.info(format!("{}: {last}", message::SAVED.get(self.lang)));
                }
                self.select_next_ready();
            }
            Err(e) => {
                // The outcome is not on record: a delivered message must not go out again,
                // so this screen does not retry it (the next start, reading the journal, will).
                if matches!(outcome, Outcome::Sent { .. }) {
                    self.mail.unrecorded.insert(outcome.message());
                }
                self.error(e.message(self.lang));
            }
        }
    }

    /// Queues the selected notify step's messages and starts sending them. If the engine
    /// refuses because they are queued already, says where they stand: the worker retries
    /// them by itself, R retries now, c records a call.
    fn notify(&mut self, ix: StepIx) {
        let step = self.step_id(ix);
        let operator = self.operator.clone();
        let Some(config) = self.mail.config.as_ref() else {
            let problem = self.mail.problem.clone().unwrap_or_default();
            self.error(problem);
            return;
        };
        match notify::queue(&mut self.incident, &operator, &step, config) {
            Ok(queued) => {
                self.push_log(&queued.written);
                let n = queued.numbers.len();
                let via = self.mail.describe();
                let text = tr!(
                    self.lang,
                    "{n} 通を送信します（{via}）",
                    "sending {n} message(s) via {via}"
                );
                self.info(text);
                self.schedule(false);
            }
            Err(notify::NotifyError::Refused(Refusal::AlreadyQueued { messages, .. })) => {
                let outstanding = messages.len();
                let text = tr!(
                    self.lang,
                    "この手順の通知 {outstanding} 通が未送達です（自動で再送します）。R で今すぐ再送、c で電話連絡を記録",
                    "{outstanding} message(s) of this step are not delivered yet (retried automatically); R retries now, c records a call"
                );
                self.info(text);
            }
            Err(notify::NotifyError::Refused(r)) => self.error(r.message(self.lang)),
            Err(e) => self.error(e.message(self.lang)),
        }
    }

    /// The selected notify step's first message that still needs someone: undelivered, or
    /// (for a call) awaiting an overdue acknowledgement; for an acknowledgement, delivered
    /// and not yet acknowledged.
    fn message_for(&self, kind: DialogKind) -> Option<u32> {
        let ix = self.selected_step()?;
        let step = self.step_id(ix);
        let state = self.incident.state();
        let playbook = self.incident.playbook();
        match kind {
            DialogKind::Call => {
                let needing: HashSet<u32> = state
                    .needs_call(playbook, self.now)
                    .map(|m| m.number)
                    .collect();
                state
                    .messages
                    .iter()
                    .filter(|m| m.step == step && m.called.is_none())
                    .find(|m| !m.is_settled() || needing.contains(&m.number))
                    .map(|m| m.number)
            }
            _ => state
                .messages
                .iter()
                .filter(|m| m.step == step && m.acknowledged.is_none())
                .find(|m| m.sent_at().is_some())
                .map(|m| m.number),
        }
    }

    fn push_log(&mut self, written: &[Written]) {
        for Written { entry, event } in written {
            if let Event::ApprovalGiven { step, by } = event
                && let Some(role) = self.approver_role_of(step)
            {
                self.approvers.insert(role, by.clone());
            }
            self.log.push(LogLine {
                at: entry.time,
                actor: entry.actor.clone(),
                text: describe(event, self.incident.playbook(), self.lang),
            });
        }
        let excess = self.log.len().saturating_sub(LOG_KEEP);
        self.log.drain(..excess);
    }

    /// The steps in display (dependency) order.
    pub fn order(&self) -> &[StepIx] {
        self.incident.playbook().graph.order()
    }

    /// The selected step.
    pub fn selected_step(&self) -> Option<StepIx> {
        self.order().get(self.selected).copied()
    }

    fn status(&self, ix: StepIx) -> StepStatus {
        self.incident.state().status_of(ix)
    }

    /// Moves the selection to the first ready step, if any.
    fn select_next_ready(&mut self) {
        let current = self.selected_step();
        if current.is_some_and(|ix| self.status(ix) == StepStatus::Ready) {
            return;
        }
        if let Some(pos) = self
            .order()
            .iter()
            .position(|ix| self.status(*ix) == StepStatus::Ready)
        {
            self.selected = pos;
        }
    }

    fn info(&mut self, text: impl Into<String>) {
        self.flash = Some(Flash {
            text: text.into(),
            error: false,
        });
    }

    fn error(&mut self, text: impl Into<String>) {
        self.flash = Some(Flash {
            text: text.into(),
            error: true,
        });
    }

    /// Runs a command through the incident; reports a refusal on the message bar.
    fn execute(&mut self, command: Command) -> bool {
        match self.incident.execute(&self.operator, &command) {
            Ok(entries) => {
                self.push_log(&entries);
                let last = self.log.last().map(|l| l.text.clone()).unwrap_or_default();
                self.info(format!("{}: {last}", message::SAVED.get(self.lang)));
                self.now = self.incident.now();
                self.select_next_ready();
                if self
                    .incident
                    .state()
                    .open_steps(self.incident.playbook())
                    .is_empty()
                    && !self.incident.state().is_closed()
                {
                    self.info(message::ALL_DONE.get(self.lang));
                }
                self.ask_review();
                true
            }
            Err(IncidentError::Refused(refusal)) => {
                let mut text = refusal.message(self.lang);
                if matches!(
                    refusal,
                    Refusal::NotReady {
                        forceable: true,
                        ..
                    } | Refusal::NotApplicable {
                        forceable: true,
                        ..
                    }
                ) {
                    text.push_str(message::FORCE_HINT.get(self.lang));
                }
                self.error(text);
                false
            }
            Err(other) => {
                self.error(other.message(self.lang));
                false
            }
        }
    }

    fn step_id(&self, ix: StepIx) -> String {
        self.incident
            .playbook()
            .graph
            .step(ix)
            .map(|s| s.id.clone())
            .unwrap_or_default()
    }

    /// The role that approves a step, if it is an approval or a post.
    fn approver_role_of(&self, step: &str) -> Option<String> {
        let graph = &self.incident.playbook().graph;
        match graph
            .find(step)
            .and_then(|ix| graph.step(ix))
            .map(|s| &s.kind)
        {
            Some(StepKind::Approval { approver }) => Some(approver.clone()),
            Some(StepKind::Post(p)) => Some(p.approver.clone()),
            _ => None,
        }
    }

    /// The name to offer as a step's approver: the one last recorded for its role, else the
    /// role itself.
    fn approver_name(&self, ix: StepIx) -> String {
        let role = self.approver_role_of(&self.step_id(ix)).unwrap_or_default();
        self.approvers.get(&role).cloned().unwrap_or(role)
    }

    fn open(&mut self, kind: DialogKind) {
        let Some(step) = self.selected_step() else {
            return;
        };
        let message = match kind {
            DialogKind::Call | DialogKind::Ack => {
                let Some(m) = self.message_for(kind) else {
                    self.info(message::NO_ONE.get(self.lang));
                    return;
                };
                Some(m)
            }
            _ => None,
        };
        let answer = self.incident.state().step(step).and_then(|r| r.answer);
        let needs_reason = kind == DialogKind::Decide && answer.is_some();
        let takes_text = match kind {
            DialogKind::Decide => needs_reason,
            DialogKind::Close => !self
                .incident
                .state()
                .open_steps(self.incident.playbook())
                .is_empty(),
            _ => true,
        };
        self.mode = Mode::Dialog(Dialog {
            kind,
            step,
            input: String::new(),
            takes_text,
            suggestion: (kind == DialogKind::Approve).then(|| self.approver_name(step)),
            carried: None,
            choice: answer.unwrap_or(0),
            needs_reason,
            message,
        });
    }

    fn primary(&mut self) {
        let Some(ix) = self.selected_step() else {
            return;
        };
        if self.status(ix).is_settled() {
            self.info(message::NOTHING_TO_DO.get(self.lang));
            return;
        }
        let kind = self
            .incident
            .playbook()
            .graph
            .step(ix)
            .map(|s| s.kind.clone());
        match kind {
            Some(StepKind::Decision(_)) => self.open(DialogKind::Decide),
            Some(StepKind::Approval { .. }) => self.open(DialogKind::Approve),
            Some(StepKind::Monitor(_)) => self.open(DialogKind::Observe),
            Some(StepKind::Notify(_)) => self.notify(ix),
            _ => {
                let command = Command::Complete {
                    step: self.step_id(ix),
                    note: None,
                    force: None,
                };
                // The engine knows what a step still needs: a post its approval, asked for
                // here; anything else it refuses is shown as it says.
                if let Err(Refusal::NeedsApproval { .. }) = self.incident.check(&command) {
                    self.open(DialogKind::Approve);
                } else {
                    self.execute(command);
                }
            }
        }
    }

    /// The text `y` copies for a step: a post's statement or an action's draft, filled in.
    pub fn copy_text(&self, ix: StepIx) -> Option<String> {
        let step = self.incident.playbook().graph.step(ix)?;
        let template: &Template = match &step.kind {
            StepKind::Post(p) => &p.statement,
            _ => step.draft.as_ref()?,
        };
        Some(fill(template, self.incident.record(), ix, self.now, None))
    }

    fn copy(&mut self) {
        let Some(ix) = self.selected_step() else {
            return;
        };
        let Some(text) = self.copy_text(ix) else {
            self.info(message::NOTHING_TO_COPY.get(self.lang));
            return;
        };
        let dir = self.incident.dir().join("statements");
        let path = dir.join(format!("{}.txt", self.step_id(ix)));
        match std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, &text)) {
            Ok(()) => {
                let clip = copy_to_clipboard(&text);
                let mut msg = format!("{} {}", message::COPIED_TO.get(self.lang), path.display());
                if clip {
                    msg.push_str(". ");
                    msg.push_str(message::CLIPBOARD.get(self.lang));
                }
                self.info(msg);
            }
            Err(e) => self.error(format!("{}: {e}", path.display())),
        }
    }

    fn submit(&mut self, dialog: Dialog) {
        let step = self.step_id(dialog.step);
        let mut text = dialog.input.trim().to_string();
        if text.is_empty()
            && let Some(suggestion) = &dialog.suggestion
        {
            text = suggestion.clone();
        }
        // A decision's text is only the reason for changing it, which the engine asks for.
        if dialog.takes_text && dialog.kind != DialogKind::Decide && text.is_empty() {
            self.error(message::NEEDS_INPUT.get(self.lang));
            self.mode = Mode::Dialog(dialog);
            return;
        }
        let command = match dialog.kind {
            DialogKind::Skip => Command::Skip { step, reason: text },
            DialogKind::Decide => {
                let option = match self
                    .incident
                    .playbook()
                    .graph
                    .step(dialog.step)
                    .map(|s| &s.kind)
                {
                    Some(StepKind::Decision(d)) => {
                        d.options.get(dialog.choice).map(|o| o.id.clone())
                    }
                    _ => None,
                };
                let Some(option) = option else { return };
                let answered = self
                    .incident
                    .state()
                    .step(dialog.step)
                    .is_some_and(|r| r.answer.is_some());
                // Changing an answer needs a reason; the dialog's text is it.
                Command::Decide {
                    step,
                    option,
                    reason: answered.then_some(text).filter(|t| !t.is_empty()),
                    force: None,
                }
            }
            DialogKind::Approve => Command::Approve { step, by: text },
            // The reason first; then who refused, the operator unless someone else is named.
            DialogKind::Reject => {
                self.mode = Mode::Dialog(Dialog {
                    kind: DialogKind::RejectBy,
                    input: String::new(),
                    suggestion: Some(self.operator.clone()),
                    carried: Some(text),
                    ..dialog
                });
                return;
            }
            DialogKind::RejectBy => Command::Reject {
                step,
                by: text,
                reason: dialog.carried.unwrap_or_default(),
            },
            DialogKind::Note => Command::Note {
                text,
                step: Some(step),
            },
            DialogKind::Observe => Command::Observe { step, text },
            DialogKind::Force => Command::Complete {
                step,
                note: None,
                force: Some(text),
            },
            DialogKind::Handover => {
                let summary = handover_summary(self.incident.record(), self.now, self.lang);
                let command = Command::Handover {
                    to: text.clone(),
                    summary,
                };
                // Whoever takes over types from now on: record their actions under their name.
                if self.execute(command) {
                    self.operator = text;
                }
                return;
            }
            DialogKind::Close => Command::Close {
                force: dialog.takes_text.then_some(text),
            },
            DialogKind::Call => {
                let Some(m) = dialog
                    .message
                    .and_then(|n| self.incident.state().message(n))
                else {
                    return;
                };
                let division = m.letter.to.clone();
                let number = self
                    .incident
                    .record()
                    .directory
                    .party(&division)
                    .and_then(|p| p.number_at(self.now).map(|(n, _)| n.to_string()));
                Command::Call {
                    division,
                    number,
                    note: text,
                }
            }
            DialogKind::Ack => {
                let Some(message) = dialog.message else {
                    return;
                };
                Command::Acknowledge {
                    message,
                    by: text,
                    note: None,
                }
            }
            DialogKind::Evidence => {
                let operator = self.operator.clone();
                // The library decides whether the text is a URL or a file.
                match self.incident.attach(&operator, &step, &text, None) {
                    Ok(written) => {
                        self.push_log(&written);
                        let last = self.log.last().map(|l| l.text.clone()).unwrap_or_default();
                        self.info(format!("{}: {last}", message::SAVED.get(self.lang)));
                    }
                    Err(e) => self.error(e.message(self.lang)),
                }
                return;
            }
        };
        self.execute(command);
    }

    /// Applies one action. Returns a follow-up action, if any.
    pub fn update(&mut self, action: Action) -> Option<Action> {
        match (&mut self.mode, action) {
            (_, Action::Tick) => {
                self.give_due_injects();
                self.now = self.incident.now();
                self.schedule(false);
            }
            (_, Action::Delivered(outcome)) => self.delivered(&outcome),
            (Mode::Inject(_), Action::Quit) => self.quit = true,
            (Mode::Inject(_), _) => self.mode = Mode::Normal,
            (Mode::Score(_), Action::Quit) => self.quit = true,
            (Mode::Score(_), _) => self.mode = Mode::Normal,
            (Mode::Review(_), Action::Cancel) => self.mode = Mode::Normal,
            (Mode::Review(f), Action::Char(c)) => {
                if let Some(a) = f.answers.get_mut(f.field) {
                    a.push(c);
                }
            }
            (Mode::Review(f), Action::Backspace) => {
                if let Some(a) = f.answers.get_mut(f.field) {
                    a.pop();
                }
            }
            (Mode::Review(f), Action::Clear) => {
                if let Some(a) = f.answers.get_mut(f.field) {
                    a.clear();
                }
            }
            (Mode::Review(f), Action::Submit) => {
                if f.field + 1 < f.answers.len() {
                    f.field += 1;
                } else if let Mode::Review(form) = std::mem::replace(&mut self.mode, Mode::Normal) {
                    self.submit_review(form);
                }
            }
            (Mode::Review(f), Action::Up) => f.field = f.field.saturating_sub(1),
            (Mode::Review(_), _) => {}
            (Mode::Help, Action::Quit) => self.quit = true,
            (Mode::Help, _) => self.mode = Mode::Normal,
            (Mode::Dialog(_), Action::Cancel) => self.mode = Mode::Normal,
            (Mode::Dialog(d), Action::Char(c)) => d.input.push(c),
            (Mode::Dialog(d), Action::Backspace) => {
                d.input.pop();
            }
            (Mode::Dialog(d), Action::Clear) => d.input.clear(),
            (Mode::Dialog(d), Action::TakeSuggestion) => {
                if let Some(s) = &d.suggestion {
                    d.input.clone_from(s);
                }
            }
            (Mode::Dialog(d), Action::Up) => d.choice = d.choice.saturating_sub(1),
            (Mode::Dialog(d), Action::Down) => {
                let last = option_count(&self.incident, d.step).saturating_sub(1);
                d.choice = (d.choice + 1).min(last);
            }
            (Mode::Dialog(d), Action::Choose(n)) => {
                // Selecting only: Enter answers, as the footer says.
                let step = d.step;
                if self.has_option(step, n)
                    && let Mode::Dialog(d) = &mut self.mode
                {
                    d.choice = n;
                }
            }
            (Mode::Dialog(_), Action::Submit) => {
                if let Mode::Dialog(d) = std::mem::replace(&mut self.mode, Mode::Normal) {
                    self.submit(d);
                }
            }
            (Mode::Dialog(_), _) => {}
            (Mode::Normal, action) => self.normal(action),
        }
        self.show_next_card();
        None
    }

    fn normal(&mut self, action: Action) {
        let last = self.order().len().saturating_sub(1);
        let before = self.selected;
        self.normal_action(action, last);
        if self.selected != before {
            self.detail_scroll = 0;
        }
    }

    fn normal_action(&mut self, action: Action, last: usize) {
        match action {
            Action::PageDown => self.detail_scroll += 10,
            Action::PageUp => self.detail_scroll = self.detail_scroll.saturating_sub(10),
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Down => self.selected = (self.selected + 1).min(last),
            Action::Top => self.selected = 0,
            Action::Bottom => self.selected = last,
            Action::Primary | Action::Submit => self.primary(),
            Action::Done
                if self.selected_step().is_some_and(|ix| {
                    matches!(
                        self.incident.playbook().graph.step(ix).map(|s| &s.kind),
                        Some(StepKind::Notify(_))
                    ) && !self.status(ix).is_settled()
                }) =>
            {
                // A notify step is done by delivering its messages.
                if let Some(ix) = self.selected_step() {
                    self.notify(ix);
                }
            }
            Action::Done => {
                if let Some(ix) = self.selected_step() {
                    let step = self.step_id(ix);
                    self.execute(Command::Complete {
                        step,
                        note: None,
                        force: None,
                    });
                }
            }
            Action::Skip => self.open(DialogKind::Skip),
            Action::Decide => self.open(DialogKind::Decide),
            Action::Approve => self.open(DialogKind::Approve),
            Action::Reject => self.open(DialogKind::Reject),
            Action::Observe => self.open(DialogKind::Observe),
            Action::Note => self.open(DialogKind::Note),
            Action::Evidence => self.open(DialogKind::Evidence),
            Action::Force => self.open(DialogKind::Force),
            Action::Handover => self.open(DialogKind::Handover),
            Action::Close => self.open(DialogKind::Close),
            Action::Copy => self.copy(),
            Action::Toggle(item) if self.is_unanswered_decision_without_checklist() => {
                // On a decision, a number answers it: one key instead of two.
                if !self
                    .selected_step()
                    .is_some_and(|ix| self.has_option(ix, item))
                {
                    return;
                }
                self.open(DialogKind::Decide);
                if let Mode::Dialog(d) = &mut self.mode {
                    d.choice = item;
                }
                if let Mode::Dialog(d) = std::mem::replace(&mut self.mode, Mode::Normal) {
                    self.submit(d);
                }
            }
            Action::Toggle(item) => {
                if let Some(ix) = self.selected_step() {
                    let checked = self
                        .incident
                        .state()
                        .step(ix)
                        .is_some_and(|r| r.checked.contains(&item));
                    let step = self.step_id(ix);
                    self.execute(Command::Check {
                        step,
                        item,
                        checked: !checked,
                    });
                }
            }
            Action::Help => self.mode = Mode::Help,
            Action::Quit => self.quit = true,
            Action::Cancel => self.flash = None,
            Action::Retry => {
                let n = self.schedule(true);
                let text = tr!(self.lang, "{n} 通を再送します", "retrying {n} message(s)");
                self.info(text);
            }
            Action::Call => self.open(DialogKind::Call),
            Action::Ack => self.open(DialogKind::Ack),
            Action::Pause | Action::NextInject | Action::ShowInject | Action::Review => {
                self.facilitator(action);
            }
            Action::Tick
            | Action::Char(_)
            | Action::Backspace
            | Action::Clear
            | Action::TakeSuggestion
            | Action::Choose(_)
            | Action::Delivered(_) => {}
        }
    }

    fn is_unanswered_decision_without_checklist(&self) -> bool {
        self.selected_step().is_some_and(|ix| {
            let unanswered = self
                .incident
                .state()
                .step(ix)
                .is_some_and(|r| r.answer.is_none());
            self.incident
                .playbook()
                .graph
                .step(ix)
                .is_some_and(|s| matches!(s.kind, StepKind::Decision(_)) && s.checklist.is_empty())
                && unanswered
        })
    }

    /// Where the incident lives.
    pub fn dir(&self) -> PathBuf {
        self.incident.dir().to_path_buf()
    }
}

impl App {
    /// Whether a decision has option `n` (from 0); says so on the message line if not.
    fn has_option(&mut self, step: StepIx, n: usize) -> bool {
        if n < option_count(&self.incident, step) {
            return true;
        }
        let shown = n + 1;
        self.error(tr!(
            self.lang,
            "選択肢 {shown} はありません",
            "there is no option {shown}"
        ));
        false
    }
}

/// How many options a decision step has (0 for other steps).
fn option_count(incident: &Incident, step: StepIx) -> usize {
    match incident.playbook().graph.step(step).map(|s| &s.kind) {
        Some(StepKind::Decision(d)) => d.options.len(),
        _ => 0,
    }
}

/// Puts text on the clipboard with whichever tool this machine has; false if none worked.
fn copy_to_clipboard(text: &str) -> bool {
    use std::io::Write as _;
    const TOOLS: [(&str, &[&str]); 4] = [
        ("wl-copy", &[]),
        ("xclip", &["-selection", "clipboard"]),
        ("xsel", &["--clipboard", "--input"]),
        ("pbcopy", &[]),
    ];
    for (tool, args) in TOOLS {
        let child = std::process::Command::new(tool)
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
        let Ok(mut child) = child else { continue };
        let wrote = child
            .stdin
            .take()
            .is_some_and(|mut stdin| stdin.write_all(text.as_bytes()).is_ok());
        if wrote && child.wait().is_ok_and(|s| s.success()) {
            return true;
        }
    }
    false
}
