//! The screen's state and its one update function. Every key that changes the incident
//! becomes an engine [`Command`]; the screen shows a step as done only after the incident has
//! journaled it. Drawing never mutates (see `view`).
//!
//! `update` routes an [`Action`] by the mode: dialogs are in `dialog`, the mail worker in
//! `mail`, the exercise's pop-ups and facilitator keys in `exercise`, copying a statement in
//! `clipboard`; browsing and running commands are here.

mod clipboard;
mod dialog;
mod exercise;
mod inbox;
mod mail;

use std::path::PathBuf;

use chrono::{DateTime, FixedOffset};

pub use dialog::{Dialog, DialogKind};
pub use exercise::{InjectCard, ReviewForm};
pub use inbox::{Answered, Replies};
pub use mail::{Mail, Work};

use super::keys;
use crate::incident::describe::describe;
use crate::incident::{Command, Event, Incident, Refusal, StepStatus, Written, engine};
use crate::lang::Lang;
use crate::notify::Outcome;
use crate::playbook::{StepIx, StepKind};
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
    /// Ask its approver for the approval by mail (approval and post steps).
    RequestApproval,
    /// Reject it (asks for the reason).
    Reject,
    /// Record an observation (asks for the text).
    Observe,
    /// Add a note (asks for the text).
    Note,
    /// Record one of the playbook's facts (asks for `name=value`).
    Fact,
    /// Add a recipient the notify step offers (asks which; the first not yet added is offered).
    AddRecipient,
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
    /// Time to look for what others appended to the journal (several times a second).
    Refresh,
    /// A character typed into a dialog.
    Char(char),
    /// Text pasted into a dialog, whole (bracketed paste: one event, however long).
    Paste(String),
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
    /// A round trip to the reply mailbox came back.
    Replies(Answered),
    /// Exercise: pause or resume the simulated clock (facilitator).
    Pause,
    /// Exercise: give the next inject now (facilitator).
    NextInject,
    /// Exercise: show the last inject again.
    ShowInject,
    /// Exercise: record the review (振り返り) now.
    Review,
}

/// The most characters a text field of the screen takes: a note or reason of several pages,
/// and a bound on what a runaway paste can put into one journal line.
pub const FIELD_LIMIT: usize = 10_000;

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
    /// Recorded by someone else (another screen or command) and shown highlighted for a
    /// moment after it appeared.
    pub highlight: bool,
}

/// How long what others recorded stays highlighted on the timeline.
const HIGHLIGHT: std::time::Duration = std::time::Duration::from_secs(5);

/// How long after someone else changed the step list (or the selected step) a key that acts
/// on the selected step is held: it was pressed for what the screen showed a moment before,
/// and does nothing but say so. Long enough for a key already on its way (people react in
/// 0.3–1 s), short enough that pressing it again soon after works (once the keyboard has
/// been quiet for [`KEY_QUIET`]).
pub const KEY_HOLD: std::time::Duration = std::time::Duration::from_millis(1500);

/// How long the keyboard must have been quiet since a held key for the hold to end, however
/// long ago the change was: a key held down (or stuck) repeats at 2.5–30 times a second
/// after a delay of up to 1 s, and is held as long as it repeats, instead of acting on one
/// step after another once [`KEY_HOLD`] has passed. A person who reads the message and
/// presses again is slower.
pub const KEY_QUIET: std::time::Duration = std::time::Duration::from_millis(1100);

/// What a key on the selected step acts on: every step's status, the selected step's record
/// and messages, and the facts. When others change it, keys are held for [`KEY_HOLD`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Seen {
    statuses: Vec<StepStatus>,
    selected: Option<crate::incident::state::StepRecord>,
    messages: Vec<crate::incident::state::MessageRecord>,
    /// What texts are filled in with: a fact changed by another changes what an approval
    /// or a post would say.
    facts: std::collections::BTreeMap<String, String>,
}

/// The whole screen state.
pub struct App {
    /// The open incident (the only way anything is changed).
    pub incident: Incident,
    /// Language of the screen.
    pub lang: Lang,
    /// Who is at the keyboard.
    pub operator: String,
    /// Selected position in the step order. The order is the frozen playbook's and never
    /// changes while the screen is open, so this names one step: it moves only by the
    /// person's keys or after their own act, never because someone else recorded something.
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
    /// When the highlight of what others recorded last ends.
    highlight_until: Option<std::time::Instant>,
    /// What the person saw the selected step and the list as, after their last key.
    seen: Seen,
    /// When what a key acts on last changed without a key of this screen's (others' records,
    /// this screen's mail settling, an inject): keys on the selected step are held for
    /// [`KEY_HOLD`] after. `None` once the person has had time to see the change.
    pub changed_at: Option<std::time::Instant>,
    /// The hold at `changed_at` is this screen's own act moving the selection on: a key
    /// pressed again at once (a double Enter, a key held down) was meant for the step before.
    /// Moving the selection oneself chooses the step, and ends it.
    moved_on: bool,
    /// When a key was last held: the hold lasts until [`KEY_QUIET`] after it.
    held_key_at: Option<std::time::Instant>,
    /// The reply mailbox read for this screen, if `[imap]` is set up.
    replies: Option<Replies>,
    /// The clipboard `y` copies to.
    clipboard: clipboard::Clipboard,
}

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

/// Whether a key, while browsing, acts on the selected step (and is held for [`KEY_HOLD`]
/// after others changed it).
fn acts_on_selected_step(action: &Action) -> bool {
    matches!(
        action,
        Action::Primary
            | Action::Submit
            | Action::Done
            | Action::Skip
            | Action::Decide
            | Action::Approve
            | Action::RequestApproval
            | Action::Reject
            | Action::Observe
            | Action::Note
            | Action::Fact
            | Action::AddRecipient
            | Action::Evidence
            | Action::Force
            | Action::Copy
            | Action::Toggle(_)
            | Action::Call
            | Action::Ack
    )
}

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
            highlight_until: None,
            seen: Seen::default(),
            changed_at: None,
            moved_on: false,
            held_key_at: None,
            replies: None,
            clipboard: clipboard::Clipboard::default(),
        };
        let recent: Vec<Written> = app.incident.recent().cloned().collect();
        app.push_log(&recent);
        app.select_next_ready();
        app.seen = app.seen_now();
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

    /// Applies one action. Returns a follow-up action, if any.
    pub fn update(&mut self, action: Action) -> Option<Action> {
        match (&self.mode, action) {
            (_, Action::Tick) => {
                self.give_due_injects();
                self.now = self.incident.now();
                self.schedule(false);
                if self
                    .highlight_until
                    .is_some_and(|t| std::time::Instant::now() >= t)
                {
                    self.highlight_until = None;
                    self.log.iter_mut().for_each(|l| l.highlight = false);
                }
            }
            (_, Action::Refresh) => self.refresh(),
            (_, Action::Delivered(outcome)) => self.delivered(&outcome),
            (_, Action::Replies(answered)) => self.replies_answered(&answered),
            (Mode::Help | Mode::Inject(_) | Mode::Score(_), Action::Quit) => self.quit = true,
            // Anything else closes what is shown over the screen.
            (Mode::Help | Mode::Inject(_) | Mode::Score(_), _) => self.mode = Mode::Normal,
            (Mode::Review(_), action) => self.review_action(action),
            (Mode::Dialog(_), action) => self.dialog_action(action),
            (Mode::Normal, action) => self.normal(action),
        }
        // Anything others recorded that an action folded on the way (a send's claim reads
        // the journal, too) is on the timeline at once.
        if self.flash.as_ref().is_some_and(|f| f.error) {
            let keep = self.flash.take();
            self.show_arrivals();
            self.flash = keep;
        } else {
            self.show_arrivals();
        }
        self.show_next_card();
        self.seen = self.seen_now();
        None
    }

    /// What a key on the selected step acts on, as the state has it now.
    fn seen_now(&self) -> Seen {
        let state = self.incident.state();
        let selected = self.selected_step();
        let id = selected.map(|ix| self.step_id(ix));
        Seen {
            statuses: state.status.clone(),
            selected: selected.and_then(|ix| state.step(ix).cloned()),
            messages: state
                .messages
                .iter()
                .filter(|m| Some(&m.step) == id.as_ref())
                .cloned()
                .collect(),
            facts: state.facts.clone(),
        }
    }

    /// Whether a key that acts on the selected step must be held: others changed the list
    /// or the step a moment ago (looked for now, too, so a key that arrives before the next
    /// refresh is judged on what others recorded), or this screen's own act moved the
    /// selection onto it a moment ago; or a key was held less than [`KEY_QUIET`] ago (a key
    /// held down repeats). Says so on the message line.
    fn held(&mut self) -> bool {
        // Only the journal: what the reply mailbox's watch reported waits for its own look.
        if let Err(e) = self.incident.refresh() {
            self.error(e.message(self.lang));
        }
        self.show_arrivals();
        let Some(at) = self.changed_at else {
            return false;
        };
        let quiet = self
            .held_key_at
            .is_none_or(|held| held.elapsed() >= KEY_QUIET);
        if at.elapsed() >= KEY_HOLD && quiet {
            self.held_key_at = None;
            return false;
        }
        self.held_key_at = Some(std::time::Instant::now());
        if !self.moved_on {
            return self.held_for_others();
        }
        let title = self
            .selected_step()
            .and_then(|ix| self.incident.playbook().graph.step(ix))
            .map(|s| s.title.clone())
            .unwrap_or_default();
        self.error(tr!(
            self.lang,
            "このキーは実行しませんでした。記録したので次の手順「{title}」に移っています。この手順でよければもう一度押してください",
            "this key did nothing: recorded, and moved on to \"{title}\"; press it again for this step"
        ));
        true
    }

    /// Holds a key after others changed what it acts on, saying who.
    fn held_for_others(&mut self) -> bool {
        let who = self
            .log
            .iter()
            .rev()
            .find(|l| l.highlight)
            .map(|l| l.actor.clone());
        let text = match who {
            Some(who) => tr!(
                self.lang,
                "{who} が今記録したため、このキーは実行しませんでした。画面を確かめてからもう一度押してください",
                "{who} just recorded something, so this key did nothing; check the screen and press it again"
            ),
            // This screen's own mail settled, or an inject arrived.
            None => tr!(
                self.lang,
                "選んでいる手順の状態が今変わったため、このキーは実行しませんでした。画面を確かめてからもう一度押してください",
                "the selected step just changed, so this key did nothing; check the screen and press it again"
            ),
        };
        self.error(text);
        true
    }

    fn normal(&mut self, action: Action) {
        let last = self.order().len().saturating_sub(1);
        let before = self.selected;
        if acts_on_selected_step(&action) && self.held() {
            return;
        }
        self.normal_action(action, last);
        if self.selected != before {
            self.detail_scroll = 0;
        }
    }

    /// The person choosing a step: a key on it is meant for it, so a hold of this screen's
    /// own moving on ends (one for others' records stays).
    fn choose(&mut self, position: usize) {
        self.selected = position;
        if std::mem::take(&mut self.moved_on) {
            self.changed_at = None;
            self.held_key_at = None;
        }
    }

    fn normal_action(&mut self, action: Action, last: usize) {
        match action {
            Action::PageDown => self.detail_scroll += 10,
            Action::PageUp => self.detail_scroll = self.detail_scroll.saturating_sub(10),
            Action::Up => self.choose(self.selected.saturating_sub(1)),
            Action::Down => self.choose((self.selected + 1).min(last)),
            Action::Top => self.choose(0),
            Action::Bottom => self.choose(last),
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
                        statement: None,
                    });
                }
            }
            Action::Skip => self.open(DialogKind::Skip),
            Action::Decide => self.open(DialogKind::Decide),
            Action::Approve => self.open(DialogKind::Approve),
            Action::RequestApproval => {
                if let Some(ix) = self.selected_step() {
                    self.request_approval(ix);
                }
            }
            Action::Reject => self.open(DialogKind::Reject),
            Action::Observe => self.open(DialogKind::Observe),
            Action::Note => self.open(DialogKind::Note),
            Action::Fact => self.open(DialogKind::Fact),
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
                // What stops the retry (the clock behind the journal, say) stays shown.
                self.flash = None;
                let n = self.schedule(true);
                if self.flash.is_none() {
                    let text = tr!(self.lang, "{n} 通を再送します", "retrying {n} message(s)");
                    self.info(text);
                }
            }
            Action::Call => self.open(DialogKind::Call),
            Action::Ack => self.open(DialogKind::Ack),
            Action::AddRecipient => self.open(DialogKind::AddRecipient),
            Action::Pause | Action::NextInject | Action::ShowInject | Action::Review => {
                self.facilitator(action);
            }
            Action::Tick
            | Action::Refresh
            | Action::Char(_)
            | Action::Paste(_)
            | Action::Backspace
            | Action::Clear
            | Action::TakeSuggestion
            | Action::Choose(_)
            | Action::Delivered(_)
            | Action::Replies(_) => {}
        }
    }

    fn primary(&mut self) {
        let Some(ix) = self.selected_step() else {
            return;
        };
        if self.status(ix).is_settled() {
            self.info(tr!(
                self.lang,
                "この手順は完了・省略・対象外です",
                "this step is done, skipped or not applicable"
            ));
            return;
        }
        // A fact the step needs is asked for first, whatever the step's kind (a notify step's
        // mail, a decision's or an approval's text may use it), before anything is recorded.
        if let Err(Refusal::FactsNeeded { .. }) =
            engine::actionable(self.incident.state(), self.incident.playbook(), ix)
        {
            self.open(DialogKind::Fact);
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
                    statement: None,
                };
                // The engine knows what a step still needs: a post its approval, asked for
                // here (its facts were asked above); anything else it refuses is shown as it says.
                match self.incident.check(&command) {
                    Err(Refusal::NeedsApproval { .. } | Refusal::ApprovalOutdated { .. }) => {
                        self.open(DialogKind::Approve)
                    }
                    _ => {
                        self.execute(command);
                    }
                }
            }
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

    /// Runs a command through the incident; reports a refusal on the message bar.
    fn execute(&mut self, command: Command) -> bool {
        let result = self.incident.execute(&self.operator, &command);
        // What others recorded just before comes first (a refusal may be because of it).
        self.show_arrivals();
        match result {
            Ok(entries) => {
                self.push_log(&entries);
                self.say_recorded();
                self.now = self.incident.now();
                let before = self.selected_step();
                self.select_next_ready();
                if self.selected_step() != before {
                    self.changed_at = Some(std::time::Instant::now());
                    self.moved_on = true;
                }
                if self
                    .incident
                    .state()
                    .open_steps(self.incident.playbook())
                    .is_empty()
                    && !self.incident.state().is_closed()
                {
                    let close = keys::name_of(&Action::Close);
                    self.info(tr!(
                        self.lang,
                        "全ての手順が完了しました。{close} で事案を終了できます",
                        "every step is settled; {close} closes the incident"
                    ));
                }
                self.ask_review();
                true
            }
            Err(e) => {
                self.error(keys::Screen::error(
                    e.refusal(),
                    |l| e.message(l),
                    self.lang,
                ));
                false
            }
        }
    }

    /// Folds what others appended since the screen last looked, and shows it.
    fn refresh(&mut self) {
        if let Err(e) = self.incident.refresh() {
            self.error(e.message(self.lang));
        }
        self.show_arrivals();
    }

    /// Puts what others recorded (folded by a refresh, or before this screen's own command)
    /// on the timeline, highlighted, and names who did the last of it.
    fn show_arrivals(&mut self) {
        let arrived = self.incident.take_arrivals();
        let Some(last) = arrived.last() else {
            return;
        };
        let (who, what) = (
            last.entry.actor.clone(),
            describe(&last.event, self.incident.playbook(), self.lang),
        );
        self.log_lines(&arrived, true);
        self.highlight_until = Some(std::time::Instant::now() + HIGHLIGHT);
        let text = match &last.event {
            Event::HandedOver { to, .. } if *to == self.operator => tr!(
                self.lang,
                "{who}: {what}。担当は あなた（{to}）です",
                "{who}: {what}; you ({to}) are on duty now"
            ),
            Event::HandedOver { .. } => {
                let me = &self.operator;
                tr!(
                    self.lang,
                    "{who}: {what}（この画面の記録者は {me} のままです）",
                    "{who}: {what} (this screen still records as {me})"
                )
            }
            _ => tr!(self.lang, "{who} が記録: {what}", "{who} recorded: {what}"),
        };
        self.info(text);
        self.now = self.incident.now();
        self.hold_if_changed();
    }

    /// If what a key would act on changed without a key of this screen's (others' records,
    /// this screen's mail settling, an inject), keys on it are held for a moment.
    pub(super) fn hold_if_changed(&mut self) {
        if self.seen_now() != self.seen {
            self.changed_at = Some(std::time::Instant::now());
            self.moved_on = false;
            self.seen = self.seen_now();
        }
    }

    /// Adds this screen's own entries to the timeline, after whatever others recorded before
    /// them.
    fn push_log(&mut self, written: &[Written]) {
        self.show_arrivals();
        self.log_lines(written, false);
    }

    fn log_lines(&mut self, written: &[Written], highlight: bool) {
        for (i, Written { entry, event }) in written.iter().enumerate() {
            // A reply that approves or refuses is one act: the approval (or refusal) that
            // follows it says it all, and the reply is not a line of its own.
            if let Event::ReplyRecorded { message, .. } = event
                && written.get(i + 1).is_some_and(|next| {
                    matches!(&next.event,
                        Event::ApprovalGiven { reply: Some(m), .. }
                        | Event::ApprovalRejected { reply: Some(m), .. } if m == message)
                })
            {
                continue;
            }
            // Only a name typed in is offered again: a reply is recorded as its sender's name
            // and address (or, without a name in its From, its division or role and address).
            if let Event::ApprovalGiven {
                step,
                by,
                reply: None,
                ..
            } = event
                && let Some(role) = self.approver_role_of(step)
            {
                self.approvers.insert(role, by.clone());
            }
            self.log.push(LogLine {
                at: entry.time,
                actor: entry.actor.clone(),
                text: describe(event, self.incident.playbook(), self.lang),
                highlight,
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

    /// Says on the message line that the last timeline entry is on record.
    fn say_recorded(&mut self) {
        let last = self.log.last().map(|l| l.text.clone()).unwrap_or_default();
        self.info(tr!(self.lang, "記録しました: {last}", "recorded: {last}"));
    }

    fn info(&mut self, text: impl Into<String>) {
        self.flash = Some(Flash {
            text: text.into(),
            error: false,
        });
    }

    /// Types `text` at the end of a text field, up to [`FIELD_LIMIT`] characters; says so
    /// if some of it did not fit. Linear in what is added, so a long paste costs its length.
    fn type_into(field: &mut String, text: &str, lang: Lang) -> Result<(), String> {
        let room = FIELD_LIMIT.saturating_sub(field.chars().count());
        let mut taken = text.char_indices().map(|(i, _)| i).chain([text.len()]);
        let end = taken.nth(room).unwrap_or(text.len());
        field.push_str(text.get(..end).unwrap_or_default());
        if end < text.len() {
            Err(tr!(
                lang,
                "入力できるのは {FIELD_LIMIT} 文字までです。超えた分は入力されていません（長い記録はファイルにして証拠として添付してください）",
                "a field takes at most {FIELD_LIMIT} characters; the rest was not entered (attach a long record as an evidence file instead)"
            ))
        } else {
            Ok(())
        }
    }

    /// Shows a warning on the message line, as a refusal is shown (the example-contacts
    /// warning when the screen opens), unless the line already says why mail is not sent:
    /// that is more urgent, and the terminal said the warning before the screen opened.
    pub fn warn(&mut self, text: impl Into<String>) {
        if self.flash.is_none() {
            self.error(text);
        }
    }

    fn error(&mut self, text: impl Into<String>) {
        self.flash = Some(Flash {
            text: text.into(),
            error: true,
        });
    }

    fn step_id(&self, ix: StepIx) -> String {
        self.incident
            .playbook()
            .graph
            .step(ix)
            .map(|s| s.id.clone())
            .unwrap_or_default()
    }

    /// Where the incident lives.
    pub fn dir(&self) -> PathBuf {
        self.incident.dir().to_path_buf()
    }
}
