//! Dialogs: which one a key opens, what typing does in it, and the command it becomes.

use super::{Action, App, Mode};
use crate::incident::{Command, Incident, Refusal, handover_summary};
use crate::lang::Lang;
use crate::playbook::{StepIx, StepKind};
use crate::tr;

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
    /// Which of the step's delivered messages an acknowledgement is about (when several).
    AckPick,
    /// Withdrawing the message's acknowledgement: why.
    AckWithdraw,
    /// One of the playbook's facts: `name=value`.
    Fact,
    /// A recipient the notify step offers (`add_to`).
    AddRecipient,
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
    /// The messages to choose from (whose acknowledgement), in order.
    pub messages: Vec<u32>,
    /// The acknowledgement a withdrawal dialog showed (its time): only that one is withdrawn.
    pub acknowledged_at: Option<chrono::DateTime<chrono::FixedOffset>>,
    /// The fact a fact dialog asks for (its id): what is typed is its value.
    pub fact: Option<String>,
    /// The texts an approval dialog is for (the posts it covers, as they read when it
    /// opened): the approval covers these, not what a colleague may have saved since.
    pub approving: Option<Vec<crate::incident::PostStatement>>,
}

impl Dialog {
    /// What Enter takes: the typed text, or the suggestion if nothing is typed.
    fn answer(&self) -> String {
        let typed = self.input.trim();
        match &self.suggestion {
            Some(s) if typed.is_empty() => s.clone(),
            _ => typed.to_string(),
        }
    }

    /// The dialog's title: what it asks.
    pub fn prompt(&self, lang: Lang) -> String {
        match self.kind {
            DialogKind::Skip => tr!(lang, "省略する理由", "Reason for skipping"),
            DialogKind::Decide => tr!(lang, "判断（数字キーで選択）", "Decide (a number selects)"),
            DialogKind::Approve => tr!(lang, "承認した人の氏名", "Name of the approver"),
            DialogKind::Reject => tr!(lang, "差戻しの理由", "Reason for the rejection"),
            DialogKind::RejectBy => tr!(lang, "差し戻した人の氏名", "Name of who refused"),
            DialogKind::Note => tr!(lang, "メモ", "Note"),
            DialogKind::Evidence => tr!(
                lang,
                "証拠のファイルのパス又はURL",
                "Evidence: file path or URL"
            ),
            DialogKind::Observe => tr!(
                lang,
                "観測した内容（言及数など）",
                "What was observed (mentions, …)"
            ),
            DialogKind::Handover => tr!(lang, "交代する人の氏名", "Name of the next operator"),
            DialogKind::Force => tr!(
                lang,
                "準備が整う前に完了する理由（逸脱として記録）",
                "Reason to complete before ready (recorded as a deviation)"
            ),
            // Steps still open: closing needs a reason, typed here.
            DialogKind::Close if self.takes_text => tr!(
                lang,
                "未完了の手順があります。終了する理由",
                "Steps are still open. Reason to close"
            ),
            DialogKind::Close => tr!(lang, "事案を終了する", "Close the incident"),
            DialogKind::Call => tr!(
                lang,
                "電話で伝えた内容（記録すると未送達の通知は連絡済みになります）",
                "What you told them by phone (their undelivered messages then count as reached)"
            ),
            DialogKind::Ack => tr!(lang, "確認した人の氏名", "Name of who acknowledged it"),
            DialogKind::AckPick => tr!(
                lang,
                "どの通知の受領確認ですか（数字キーで選択）",
                "Which message's acknowledgement? (a number selects)"
            ),
            DialogKind::AckWithdraw => tr!(
                lang,
                "受領確認を取り消す理由",
                "Reason to withdraw the acknowledgement"
            ),
            // The fact asked for is named in the dialog (its label); another is `name=value`.
            DialogKind::Fact if self.fact.is_some() => tr!(
                lang,
                "事実を記録（値を入力。他の事実は 名前=値）",
                "Record a fact (type its value; another fact: name=value)"
            ),
            DialogKind::Fact => tr!(
                lang,
                "事実を記録（名前=値。一覧の値を取り消すには 名前-=値）",
                "Record a fact (name=value; take a listed value back: name-=value)"
            ),
            DialogKind::AddRecipient => tr!(
                lang,
                "追加する通知先（手順書の add_to から）",
                "Recipient to add (from the playbook's add_to)"
            ),
        }
    }
}

impl App {
    pub(super) fn open(&mut self, kind: DialogKind) {
        let Some(step) = self.selected_step() else {
            return;
        };
        // Every dialog records something: on a closed incident it is refused before anything
        // is typed, not after.
        if self.incident.state().is_closed() {
            self.error(super::keys::Screen::refused(
                &crate::incident::Refusal::Closed,
                self.lang,
            ));
            return;
        }
        if kind == DialogKind::Ack {
            self.open_ack(step);
            return;
        }
        let message = match kind {
            DialogKind::Call => {
                let Some(m) = self.message_for() else {
                    self.info(tr!(
                        self.lang,
                        "この手順には対象の通知がありません",
                        "no message of this step needs that"
                    ));
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
            suggestion: match kind {
                // Only a person remembered for the part: a part's name is no approver's.
                DialogKind::Approve => self.remembered_approver(step),
                // Someone on duty at another screen: the person here is likely taking over.
                DialogKind::Handover if self.incident.state().operator != self.operator => {
                    Some(self.operator.clone())
                }
                DialogKind::AddRecipient => self.recipient_to_offer(step),
                _ => None,
            },
            carried: None,
            choice: answer.unwrap_or(0),
            needs_reason,
            message,
            messages: Vec::new(),
            acknowledged_at: None,
            fact: (kind == DialogKind::Fact)
                .then(|| self.fact_to_ask(step))
                .flatten(),
            // Unreadable now, it is read (and refused) when the approval is recorded.
            approving: (kind == DialogKind::Approve)
                .then(|| {
                    crate::incident::statement::covered(self.incident.record(), step, self.now).ok()
                })
                .flatten(),
        });
    }

    /// `A`: the step's delivered messages, each named by its recipient. With one, its
    /// acknowledgement is asked for at once (or, if it has one, the reason to withdraw it);
    /// with several, the person chooses which first.
    fn open_ack(&mut self, step: StepIx) {
        let id = self.step_id(step);
        let messages: Vec<u32> = self
            .incident
            .state()
            .messages
            .iter()
            // An answer to a reply or an approval request is not acknowledged.
            .filter(|m| m.step == id && m.sent_at().is_some())
            .filter(|m| m.letter.answers.is_none() && m.letter.approval.is_none())
            .map(|m| m.number)
            .collect();
        match messages.as_slice() {
            [] => self.info(tr!(
                self.lang,
                "この手順には届いた通知がありません（受領確認は届いた通知に記録します）",
                "no message of this step has been delivered (acknowledgements are of delivered messages)"
            )),
            [one] => self.open_ack_of(step, *one),
            _ => {
                // The first not yet acknowledged is offered.
                let choice = messages
                    .iter()
                    .position(|n| {
                        self.incident
                            .state()
                            .message(*n)
                            .is_some_and(|m| m.acknowledged.is_none())
                    })
                    .unwrap_or(0);
                self.mode = Mode::Dialog(Dialog {
                    kind: DialogKind::AckPick,
                    step,
                    input: String::new(),
                    takes_text: false,
                    suggestion: None,
                    carried: None,
                    choice,
                    needs_reason: false,
                    message: None,
                    messages,
                    acknowledged_at: None,
                    fact: None,
                    approving: None,
                });
            }
        }
    }

    /// The acknowledgement of one message: who (if it has none), or why it is withdrawn.
    fn open_ack_of(&mut self, step: StepIx, message: u32) {
        let acknowledged_at = self
            .incident
            .state()
            .message(message)
            .and_then(|m| m.acknowledged.as_ref())
            .map(|a| a.at);
        let acknowledged = acknowledged_at.is_some();
        self.mode = Mode::Dialog(Dialog {
            kind: if acknowledged {
                DialogKind::AckWithdraw
            } else {
                DialogKind::Ack
            },
            step,
            input: String::new(),
            takes_text: true,
            suggestion: None,
            carried: None,
            choice: 0,
            needs_reason: false,
            message: Some(message),
            messages: Vec::new(),
            acknowledged_at,
            fact: None,
            approving: None,
        });
    }

    /// How many options the dialog offers (a decision's, or the messages to choose from).
    fn choices(&self, dialog: &Dialog) -> usize {
        match dialog.kind {
            DialogKind::AckPick => dialog.messages.len(),
            _ => option_count(&self.incident, dialog.step),
        }
    }

    /// A key while a dialog is open.
    pub(super) fn dialog_action(&mut self, action: Action) {
        let Mode::Dialog(d) = &mut self.mode else {
            return;
        };
        match action {
            Action::Cancel => self.mode = Mode::Normal,
            Action::Char(c) => {
                let mut buffer = [0; 4];
                if let Err(e) = App::type_into(&mut d.input, c.encode_utf8(&mut buffer), self.lang)
                {
                    self.error(e);
                }
            }
            Action::Paste(text) if d.takes_text => {
                if let Err(e) = App::type_into(&mut d.input, &text, self.lang) {
                    self.error(e);
                }
            }
            Action::Backspace => {
                d.input.pop();
            }
            Action::Clear => d.input.clear(),
            Action::TakeSuggestion => {
                if let Some(s) = &d.suggestion {
                    d.input.clone_from(s);
                }
            }
            Action::Up => d.choice = d.choice.saturating_sub(1),
            Action::Down => {
                let count = match &self.mode {
                    Mode::Dialog(d) => self.choices(d),
                    _ => 0,
                };
                if let Mode::Dialog(d) = &mut self.mode {
                    d.choice = (d.choice + 1).min(count.saturating_sub(1));
                }
            }
            Action::Choose(n) => {
                // Selecting only: Enter answers, as the footer says.
                let (step, pick) = (d.step, d.kind == DialogKind::AckPick);
                let count = match &self.mode {
                    Mode::Dialog(d) => self.choices(d),
                    _ => 0,
                };
                let exists = if pick {
                    n < count || {
                        let shown = n + 1;
                        self.error(tr!(
                            self.lang,
                            "選択肢 {shown} はありません",
                            "there is no option {shown}"
                        ));
                        false
                    }
                } else {
                    self.has_option(step, n)
                };
                if exists && let Mode::Dialog(d) = &mut self.mode {
                    d.choice = n;
                }
            }
            Action::Submit => {
                // What the dialog is about may have changed under it: the dialog (and what
                // was typed) stays while the key is held.
                let acts_on_step = !matches!(d.kind, DialogKind::Handover | DialogKind::Close);
                if acts_on_step && self.held() {
                    return;
                }
                if let Mode::Dialog(d) = std::mem::replace(&mut self.mode, Mode::Normal) {
                    self.submit(d);
                }
            }
            _ => {}
        }
    }

    /// Enter in a dialog: the typed text (or the suggestion) becomes a command.
    pub(super) fn submit(&mut self, dialog: Dialog) {
        let text = dialog.answer();
        let step = self.step_id(dialog.step);
        match dialog.kind {
            DialogKind::AckPick => {
                if let Some(message) = dialog.messages.get(dialog.choice) {
                    self.open_ack_of(dialog.step, *message);
                }
            }
            // The reason first; then who refused, the operator unless someone else is named.
            DialogKind::Reject => {
                let reject = Command::Reject {
                    step: step.clone(),
                    by: self.operator.clone(),
                    reason: text.clone(),
                };
                // Only the reason is judged here: who refused is asked next (an operator
                // named after a division is asked for the person).
                let by_a_party = matches!(
                    self.incident.check(&reject),
                    Err(Refusal::NotAPerson { .. })
                );
                if !by_a_party && self.typed_refused(&reject, &dialog) {
                    return;
                }
                self.mode = Mode::Dialog(Dialog {
                    kind: DialogKind::RejectBy,
                    input: String::new(),
                    suggestion: (!by_a_party).then(|| self.operator.clone()),
                    carried: Some(text),
                    ..dialog
                });
            }
            DialogKind::Handover => {
                let summary = handover_summary(self.incident.record(), self.now, self.lang);
                let command = Command::Handover {
                    to: text.clone(),
                    summary,
                };
                if self.typed_refused(&command, &dialog) {
                    return;
                }
                // Whoever takes over types from now on: record their actions under their name.
                if self.execute(command) {
                    self.operator = text;
                }
            }
            DialogKind::Evidence => {
                // Nothing typed is refused as an empty address would be.
                let empty = Command::AttachEvidence {
                    step: step.clone(),
                    evidence: crate::incident::EvidenceRecord::Url { url: text.clone() },
                    note: None,
                };
                if !(text.is_empty() && self.typed_refused(&empty, &dialog)) {
                    self.attach_evidence(step, text);
                }
            }
            _ => {
                if let Some(command) = self.command_for(dialog.clone(), step, text)
                    && !self.typed_refused(&command, &dialog)
                {
                    self.execute(command);
                }
            }
        }
    }

    /// Whether the engine refuses what was typed into `dialog` (empty, a control character,
    /// a value the fact cannot hold): then the refusal is shown and the dialog stays open
    /// with the text, to be corrected. Other refusals are the command's, shown when it runs.
    fn typed_refused(&mut self, command: &Command, dialog: &Dialog) -> bool {
        match self.incident.check(command) {
            Err(
                refusal @ (Refusal::Empty { .. }
                | Refusal::ControlCharacter { .. }
                | Refusal::ControlInText { .. }
                | Refusal::BadFactValue { .. }
                | Refusal::NotAnOwnAccount { .. }
                | Refusal::SameAccount { .. }
                | Refusal::BadUrl { .. }
                | Refusal::NotAPerson { .. }),
            ) => {
                self.error(super::keys::Screen::refused(&refusal, self.lang));
                self.mode = Mode::Dialog(dialog.clone());
                true
            }
            _ => false,
        }
    }

    /// The command a dialog that records one thing becomes.
    fn command_for(&self, dialog: Dialog, step: String, text: String) -> Option<Command> {
        Some(match dialog.kind {
            DialogKind::Skip => Command::Skip { step, reason: text },
            DialogKind::Decide => {
                let option = match self.incident.playbook().graph.step(dialog.step)?.kind {
                    StepKind::Decision(ref d) => d.options.get(dialog.choice)?.id.clone(),
                    _ => return None,
                };
                // Changing an answer needs a reason; the dialog's text is it.
                Command::Decide {
                    step,
                    option,
                    reason: dialog
                        .needs_reason
                        .then_some(text)
                        .filter(|t| !t.is_empty()),
                    force: None,
                }
            }
            DialogKind::Approve => Command::Approve {
                step,
                by: text,
                statements: dialog.approving,
            },
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
                statement: None,
            },
            DialogKind::Close => Command::Close {
                force: dialog.takes_text.then_some(text),
            },
            DialogKind::Call => {
                let division = self
                    .incident
                    .state()
                    .message(dialog.message?)?
                    .letter
                    .to
                    .clone();
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
            DialogKind::Ack => Command::Acknowledge {
                message: dialog.message?,
                by: text,
                note: None,
            },
            DialogKind::AckWithdraw => Command::WithdrawAcknowledgement {
                message: dialog.message?,
                reason: text,
                seen: dialog.acknowledged_at,
            },
            DialogKind::AddRecipient => Command::AddRecipients {
                step,
                to: text
                    .split(['、', ','])
                    .map(|t| t.trim().to_string())
                    .filter(|t| !t.is_empty())
                    .collect(),
            },
            // The value of the fact asked for (one not yet known), unless another declared
            // fact is named.
            DialogKind::Fact if dialog.fact.is_some() => {
                match named_fact(self.incident.playbook(), &text) {
                    Some(command) => command,
                    None => Command::SetFact {
                        fact: dialog.fact?,
                        value: text,
                    },
                }
            }
            DialogKind::Fact => match named_fact(self.incident.playbook(), &text) {
                Some(command) => command,
                None => {
                    let (fact, value) = text.split_once('=').unwrap_or((&text, ""));
                    Command::SetFact {
                        fact: fact.trim().to_string(),
                        value: value.trim().to_string(),
                    }
                }
            },
            DialogKind::Reject
            | DialogKind::Handover
            | DialogKind::Evidence
            | DialogKind::AckPick => return None,
        })
    }

    /// The recipients the notify step offers and does not have yet, joined (`、`): Enter takes
    /// them all, or type one of them.
    fn recipient_to_offer(&self, step: StepIx) -> Option<String> {
        let playbook = self.incident.playbook();
        let StepKind::Notify(notify) = &playbook.graph.step(step)?.kind else {
            return None;
        };
        let current = self.incident.state().recipients(notify, step);
        let left: Vec<&str> = notify
            .add_to
            .iter()
            .filter(|c| !current.contains(c))
            .map(String::as_str)
            .collect();
        (!left.is_empty()).then(|| left.join("、"))
    }

    /// The fact the fact dialog asks for: the first the step needs and nobody has
    /// recorded, else the first declared one not yet known.
    fn fact_to_ask(&self, step: StepIx) -> Option<String> {
        let playbook = self.incident.playbook();
        let known = &self.incident.state().facts;
        let needed = playbook.graph.step(step).map(|s| s.facts.clone());
        needed
            .unwrap_or_default()
            .into_iter()
            .chain(playbook.facts.iter().map(|f| f.id.clone()))
            .find(|f| !known.contains_key(f))
    }

    /// Evidence: the library decides whether the text is a URL or a file to copy.
    fn attach_evidence(&mut self, step: String, text: String) {
        let operator = self.operator.clone();
        match self.incident.attach(&operator, &step, &text, None) {
            Ok(written) => {
                self.push_log(&written);
                self.say_recorded();
            }
            Err(e) => self.error(super::keys::Screen::error(
                e.refusal(),
                |l| e.message(l),
                self.lang,
            )),
        }
    }

    /// The selected notify step's first message that still needs a call: undelivered, or
    /// awaiting an overdue acknowledgement.
    pub(super) fn message_for(&self) -> Option<u32> {
        let ix = self.selected_step()?;
        let step = self.step_id(ix);
        let state = self.incident.state();
        let needing: std::collections::HashSet<u32> = state
            .needs_call(self.incident.playbook(), self.now)
            .map(|m| m.number)
            .collect();
        state
            .messages
            .iter()
            .filter(|m| m.step == step && m.called.is_none())
            .find(|m| !m.is_settled() || needing.contains(&m.number))
            .map(|m| m.number)
    }

    /// The role that approves a step, if it is an approval or a post.
    pub(super) fn approver_role_of(&self, step: &str) -> Option<String> {
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

    /// The person to offer as a step's approver: the one last recorded for its part, if any.
    pub(super) fn remembered_approver(&self, ix: StepIx) -> Option<String> {
        let role = self.approver_role_of(&self.step_id(ix))?;
        self.approvers.get(&role).cloned()
    }

    /// Whether a decision has option `n` (from 0); says so on the message line if not.
    pub(super) fn has_option(&mut self, step: StepIx, n: usize) -> bool {
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

/// `NAME=VALUE` for a declared fact, or `NAME-=VALUE` taking a value of a list fact back.
fn named_fact(playbook: &crate::playbook::Playbook, text: &str) -> Option<Command> {
    let (name, value) = text.split_once('=')?;
    let (name, remove) = match name.trim().strip_suffix('-') {
        Some(name) => (name.trim(), true),
        None => (name.trim(), false),
    };
    let fact = playbook.facts.iter().find(|f| f.id == name)?.id.clone();
    let value = value.trim().to_string();
    // The engine refuses taking back from a fact that is no list, and says why.
    Some(if remove {
        Command::RemoveFactValue { fact, value }
    } else {
        Command::SetFact { fact, value }
    })
}
