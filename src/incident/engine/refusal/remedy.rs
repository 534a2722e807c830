//! What a refusal points at, as data: the values typed ([`Field`]) and the fixes
//! ([`Remedy`]); each face ([`Face`]) words them its own way.

use super::Refusal;
use crate::lang::{Lang, Text};

/// A value someone gives a command, as a refusal names it. Each face names it its own way:
/// the CLI by its flag or argument, the screen by its words ([`Field::words`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// The incident's title.
    Title,
    /// The operator's name.
    Operator,
    /// The affected account.
    Account,
    /// The severity.
    Severity,
    /// A fact's name.
    FactName,
    /// A fact's value.
    FactValue,
    /// A step id.
    Step,
    /// A decision's option.
    Option,
    /// A note.
    Note,
    /// A reason (a deviation, a skip, a change, a rejection, a withdrawal, a close).
    Reason,
    /// A free text (an observation, a note without a step).
    Text,
    /// A post's statement text.
    Statement,
    /// Who approves, rejects or acknowledges.
    By,
    /// Who takes over, or a recipient added.
    To,
    /// A division or role called.
    Division,
    /// An evidence file.
    File,
    /// An evidence URL.
    Url,
    /// A review's texts.
    Review,
    /// An exercise's scenario.
    Scenario,
    /// An exercise's inject.
    Inject,
    /// A reply's sender's name (from the mail).
    ReplyName,
    /// A reply's reason (from the mail).
    ReplyReason,
}

impl Field {
    /// The value in plain words (the screen's, and text outside a face).
    pub fn words(self, lang: Lang) -> &'static str {
        match self {
            Field::Title => Text::new("件名", "the title"),
            Field::Operator => Text::new("担当者名", "the operator's name"),
            Field::Account => Text::new("アカウント", "the account"),
            Field::Severity => Text::new("重大度", "the severity"),
            Field::FactName => Text::new("事実の名前", "the fact's name"),
            Field::FactValue => Text::new("事実の値", "the fact's value"),
            Field::Step => Text::new("手順", "the step"),
            Field::Option => Text::new("選択肢", "the option"),
            Field::Note => Text::new("メモ", "the note"),
            Field::Reason => Text::new("理由", "the reason"),
            Field::Text => Text::new("内容", "the text"),
            Field::Statement => Text::new("公表文", "the statement"),
            Field::By => Text::new("氏名", "the name"),
            Field::To => Text::new("相手", "the recipient"),
            Field::Division => Text::new("連絡先", "the division"),
            Field::File => Text::new("ファイル", "the file"),
            Field::Url => Text::new("URL", "the URL"),
            Field::Review => Text::new("振り返り", "the review"),
            Field::Scenario => Text::new("シナリオ", "the scenario"),
            Field::Inject => Text::new("状況付与", "the inject"),
            Field::ReplyName => Text::new("返信の差出人名", "the reply's sender name"),
            Field::ReplyReason => Text::new("返信の理由", "the reply's reason"),
        }
        .get(lang)
    }
}

/// What would fix a refusal, as data. The CLI renders a remedy as a command line, the screen
/// as a key from its key table; a face with no way to do it says nothing of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Remedy {
    /// Start the incident.
    Start,
    /// Look at the incident's record.
    ShowRecord,
    /// Look at the list of steps.
    ListSteps,
    /// Do the steps waited for first.
    DoFirst,
    /// Do it anyway, recording the reason as a deviation.
    Force,
    /// Close anyway, recording the reason.
    ForceClose,
    /// Reopen the step (with a reason) and do it again.
    Reopen {
        /// The step.
        step: String,
    },
    /// Answer the decision.
    Decide {
        /// The step.
        step: String,
    },
    /// Record the approval given (in person, by phone).
    Approve {
        /// The step.
        step: String,
    },
    /// Ask the approver for the approval by mail.
    RequestApproval {
        /// The step.
        step: String,
    },
    /// Give a reason (for changing a decision).
    Reason,
    /// Record a note instead.
    Note,
    /// Send the step's messages.
    Notify {
        /// The step.
        step: String,
    },
    /// Send the outstanding messages again now.
    Retry,
    /// Record a phone call that told them.
    Call {
        /// Who (a division or role), if one is known.
        to: Option<String>,
    },
    /// Withdraw the acknowledgement (with a reason).
    WithdrawAcknowledgement {
        /// The message number.
        message: u32,
    },
    /// Look at the list of messages.
    ListMessages,
    /// Record these facts.
    Facts {
        /// The facts' names.
        names: Vec<String>,
    },
    /// Give these facts when starting.
    FactsAtStart {
        /// The facts' names.
        names: Vec<String>,
    },
    /// Write the text to be posted in the post's statement file and edit it there.
    EditStatement {
        /// The post step.
        step: String,
    },
    /// Record with this computer's (earlier) time all the same.
    AllowEarlierTime,
    /// Start an exercise.
    StartExercise,
}

/// How a face words what a refusal points at: the values typed and the fixes.
pub trait Face {
    /// How this face names a value typed into a command.
    fn field(&self, field: Field, lang: Lang) -> String;
    /// What this face says would fix it: a clause in `lang`, or none where it has no way.
    fn remedy(&self, remedy: &Remedy, lang: Lang) -> Option<String>;
}

/// Plain words and no fix: text outside a face (a log, a mail's answer).
#[derive(Debug, Clone, Copy, Default)]
pub struct Plain;

impl Face for Plain {
    fn field(&self, field: Field, lang: Lang) -> String {
        field.words(lang).to_string()
    }

    fn remedy(&self, _: &Remedy, _: Lang) -> Option<String> {
        None
    }
}

impl Refusal {
    /// What would fix the refusal, as data, in the order a face offers them (alternatives).
    /// One arm per refusal; empty where only a different value would.
    pub fn remedies(&self) -> Vec<Remedy> {
        match self {
            Refusal::NotStarted => vec![Remedy::Start],
            Refusal::Closed => vec![Remedy::ShowRecord],
            Refusal::UnknownStep {
                suggestion: None, ..
            } => vec![Remedy::ListSteps],
            Refusal::NotReady { forceable, .. } => {
                let mut out = vec![Remedy::DoFirst];
                out.extend(forceable.then_some(Remedy::Force));
                out
            }
            Refusal::NotApplicable { forceable, .. } => {
                forceable.then_some(Remedy::Force).into_iter().collect()
            }
            Refusal::AlreadyDone { step, .. } | Refusal::AlreadySkipped { step, .. } => {
                vec![Remedy::Reopen { step: step.clone() }]
            }
            Refusal::UseDecide { step } => vec![Remedy::Decide { step: step.clone() }],
            Refusal::UseApprove { step, .. } | Refusal::NeedsApproval { step, .. } => {
                vec![Remedy::Approve { step: step.clone() }]
            }
            Refusal::AlreadyDecided { .. } => vec![Remedy::Reason],
            Refusal::NotAMonitor { .. } => vec![Remedy::Note],
            Refusal::OpenSteps { .. } => vec![Remedy::ForceClose],
            Refusal::UseNotify { step } => {
                vec![Remedy::Notify { step: step.clone() }, Remedy::Force]
            }
            Refusal::AlreadyQueued { .. } => vec![Remedy::Retry, Remedy::Call { to: None }],
            Refusal::UnknownMessage { .. } => vec![Remedy::ListMessages],
            Refusal::NotDelivered { to, .. } => vec![Remedy::Call {
                to: Some(to.clone()),
            }],
            Refusal::NotACandidate {
                name, candidates, ..
            } if candidates.is_empty() => vec![Remedy::Call {
                to: Some(name.clone()),
            }],
            Refusal::AlreadyAcknowledged { message, .. } => {
                vec![Remedy::WithdrawAcknowledgement { message: *message }]
            }
            Refusal::ApprovalOutdated { step, .. } => vec![
                Remedy::RequestApproval { step: step.clone() },
                Remedy::Approve { step: step.clone() },
            ],
            Refusal::FactsNeeded {
                step: Some(_),
                facts,
            } => vec![Remedy::Facts {
                names: facts.iter().map(|(name, _)| name.clone()).collect(),
            }],
            Refusal::FactsNeeded { step: None, facts } => vec![Remedy::FactsAtStart {
                names: facts.iter().map(|(name, _)| name.clone()).collect(),
            }],
            Refusal::EarlierThanJournal { .. } => vec![Remedy::AllowEarlierTime],
            Refusal::UnfinishedText { step, .. } => {
                vec![Remedy::EditStatement { step: step.clone() }]
            }
            Refusal::UnfilledValues { step, .. } | Refusal::TooLong { step, .. } => {
                vec![Remedy::EditStatement { step: step.clone() }]
            }
            Refusal::ClaimNotDone { step, .. } => vec![
                Remedy::DoFirst,
                Remedy::EditStatement { step: step.clone() },
                Remedy::Force,
            ],
            Refusal::NotAnExercise => vec![Remedy::StartExercise],
            Refusal::AlreadyStarted
            | Refusal::UnknownStep { .. }
            | Refusal::NotADecision { .. }
            | Refusal::UnknownOption { .. }
            | Refusal::SameAnswer { .. }
            | Refusal::NotApprovable { .. }
            | Refusal::NotAPerson { .. }
            | Refusal::NoChecklistItem { .. }
            | Refusal::NotReopenable { .. }
            | Refusal::Empty { .. }
            | Refusal::SameOperator { .. }
            | Refusal::ControlCharacter { .. }
            | Refusal::ControlInText { .. }
            | Refusal::BadUrl { .. }
            | Refusal::NotANotify { .. }
            | Refusal::ReplyFromElsewhere { .. }
            | Refusal::ReplyAlreadyRecorded { .. }
            | Refusal::AnswerNotNeeded { .. }
            | Refusal::AnswerMismatch { .. }
            | Refusal::NoHeldReply { .. }
            | Refusal::ReplyStillHeld { .. }
            | Refusal::NotTheApprover { .. }
            | Refusal::AlreadyDelivered { .. }
            | Refusal::NotAcknowledged { .. }
            | Refusal::AcknowledgementChanged { .. }
            | Refusal::UnknownParty { .. }
            | Refusal::AlreadyRecipient { .. }
            | Refusal::NotACandidate { .. }
            | Refusal::UnknownFact { .. }
            | Refusal::BadFactValue { .. }
            | Refusal::NotAnOwnAccount { .. }
            | Refusal::SameAccount { .. }
            | Refusal::NotAFactValue { .. }
            | Refusal::LastFactValue { .. }
            | Refusal::FactUnchanged { .. }
            | Refusal::BadEvidenceName { .. }
            | Refusal::NoRecipients { .. }
            | Refusal::UnknownSeverity { .. }
            | Refusal::ExerciseBegun { .. }
            | Refusal::InjectAlreadyFired { .. } => Vec::new(),
        }
    }
}
