//! The commands: what the operator (or the exercise autopilot, or a test) asks of an incident.
//! A new command is a variant here, an arm in [`super::apply`] and its check beside the others
//! of its kind (`steps.rs`, `notify.rs`, `exercise.rs`).

use chrono::{DateTime, FixedOffset};

use crate::incident::event::{EvidenceRecord, Letter, StartParams, TargetTime};
use crate::playbook::Platform;

/// A post's statement as the operator publishes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The text.
    pub text: String,
    /// The file it was read from, relative to the incident folder, if any.
    pub file: Option<String>,
    /// When the text is the playbook's statement as filled in (from the file, as the screen's
    /// `y` saved it, or not): the same with the time of posting left open (`{{now}}` not yet a
    /// time). An approval covers this, so that posting later does not make it another text;
    /// any other text (the operator's own edit) is covered exactly.
    pub timeless: Option<String>,
    /// The placeholders of the playbook's statement that had no value when it was filled in
    /// (empty for the operator's own text): such a text has gaps and is not posted.
    pub unfilled: Vec<String>,
}

/// The statement of a post an approval concerns, as it would be published now: what an
/// approval, an approval request and an approval by reply cover. The engine hashes it (an
/// edited file's text exactly; a template with the values it is filled with, the time of
/// posting aside).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostStatement {
    /// The post step's id.
    pub step: String,
    /// Its statement now.
    pub statement: Statement,
}

/// What the operator (or the exercise autopilot, or a test) asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Open the incident.
    Start {
        /// What it is about.
        params: StartParams,
        /// SHA-256 of the frozen playbook.
        playbook_sha256: String,
        /// SHA-256 of the frozen divisions file.
        divisions_sha256: String,
    },
    /// Complete a step.
    Complete {
        /// Step id.
        step: String,
        /// A note.
        note: Option<String>,
        /// Complete it although it is not ready, for this reason (a deviation).
        force: Option<String>,
        /// A post step: the statement as published. [`crate::incident::Incident::execute`]
        /// fills it in when none is given (from `statements/<step>.txt` or the template).
        statement: Option<Statement>,
    },
    /// Skip a step.
    Skip {
        /// Step id.
        step: String,
        /// Why (required).
        reason: String,
    },
    /// Answer a decision (or change the answer, with a reason).
    Decide {
        /// Decision step id.
        step: String,
        /// Option id.
        option: String,
        /// Why.
        reason: Option<String>,
        /// Decide although the step is not ready, for this reason.
        force: Option<String>,
    },
    /// Approve an approval or post step.
    Approve {
        /// Step id.
        step: String,
        /// Who approves.
        by: String,
        /// The statements the approval covers, as they read now (the post's own, or an
        /// approval step's posts'). [`crate::incident::Incident::execute`] fills them in when
        /// none are given (`None`), from `statements/<step>.txt` or the template.
        statements: Option<Vec<PostStatement>>,
    },
    /// Refuse an approval or post step.
    Reject {
        /// Step id.
        step: String,
        /// Who refuses.
        by: String,
        /// Why.
        reason: String,
    },
    /// Tick or untick a checklist item.
    Check {
        /// Step id.
        step: String,
        /// Index of the item (from 0).
        item: usize,
        /// Ticked or not.
        checked: bool,
    },
    /// Record a monitor check.
    Observe {
        /// Monitor step id.
        step: String,
        /// What was observed.
        text: String,
    },
    /// Open a done or skipped step again.
    Reopen {
        /// Step id.
        step: String,
        /// Why.
        reason: String,
    },
    /// A free note.
    Note {
        /// The note.
        text: String,
        /// The step it is about.
        step: Option<String>,
    },
    /// Record evidence (a file already copied into `evidence/`, or a URL).
    AttachEvidence {
        /// Step id.
        step: String,
        /// The evidence.
        evidence: EvidenceRecord,
        /// What it shows.
        note: Option<String>,
    },
    /// Hand the duty to another operator.
    Handover {
        /// The next operator.
        to: String,
        /// The summary shown to both.
        summary: String,
    },
    /// Queue a notify step's messages, already composed and saved in `outbox/`. They are
    /// numbered from [`IncidentState::next_message`] in order.
    QueueNotifications {
        /// The notify step.
        step: String,
        /// The messages, one per recipient.
        messages: Vec<Letter>,
    },
    /// Add recipients to a notify step at run time (from its `add_to`).
    AddRecipients {
        /// The notify step.
        step: String,
        /// Divisions or roles to add.
        to: Vec<String>,
    },
    /// Record that a message was delivered (by the outbox worker).
    RecordDelivery {
        /// The message number.
        message: u32,
        /// `smtp` or `file`.
        transport: String,
        /// The server's reply, or where the file is.
        reply: String,
    },
    /// Record that a delivery attempt failed (by the outbox worker).
    RecordFailure {
        /// The message number.
        message: u32,
        /// What went wrong.
        error: String,
        /// Permanent (5xx): not retried until asked.
        permanent: bool,
        /// When to retry (transient failures).
        next_retry: Option<DateTime<FixedOffset>>,
    },
    /// Queue an approval request: mail to the step's approver (an approval or post step)
    /// with the text to approve; a reply 承認 or 却下 to it is the approver's own act.
    RequestApproval {
        /// The approval or post step.
        step: String,
        /// The request as composed (its `approval` is filled in by the engine).
        letter: Letter,
        /// The statements the request shows, as they read now (filled in as for
        /// [`Command::Approve`] when `None`).
        statements: Option<Vec<PostStatement>>,
    },
    /// Record that the recipient acknowledged a message.
    Acknowledge {
        /// The message number.
        message: u32,
        /// Who acknowledged.
        by: String,
        /// How, or what they said.
        note: Option<String>,
    },
    /// Take back an acknowledgement recorded for the wrong recipient or by mistake: the
    /// message is unacknowledged again (and may need a call again), with the reason on record.
    WithdrawAcknowledgement {
        /// The message number.
        message: u32,
        /// Why (required).
        reason: String,
        /// The acknowledgement the person saw (its time), if a face showed one: refused if
        /// another has replaced it since (a dialog left open while someone else recorded).
        seen: Option<chrono::DateTime<chrono::FixedOffset>>,
    },
    /// Record a reply mail matched to a message (its code, thread and sender checked by
    /// `notify::reply`): acknowledges the message as the replier's own act.
    RecordReply {
        /// The message it answers.
        message: u32,
        /// The reply.
        reply: crate::incident::event::Reply,
        /// The statements the request asked about, as they read now (filled in as for
        /// [`Command::Approve`] when `None`): an approval counts only if they hash as asked.
        statements: Option<Vec<PostStatement>>,
        /// The answer to the replier, composed and saved, for a reply that counts as nothing
        /// (queued with it); none for a reply that counts or is held.
        answer: Option<crate::incident::Letter>,
    },
    /// Take up a held reply again (`reply_held`): counted if its step can now be approved
    /// and the texts still read as asked, counted as nothing (with `answer`) if it never
    /// can be; refused while the step is still not ready.
    ApplyHeldReply {
        /// The held reply's Message-ID.
        reply_id: String,
        /// The answer to the replier, for a reply that now counts as nothing.
        answer: Option<crate::incident::Letter>,
        /// The statements the request asked about, as they read now (filled in when `None`).
        statements: Option<Vec<PostStatement>>,
    },
    /// Record that a division or role was reached by phone.
    Call {
        /// The division or role (checked against the directory by the caller).
        division: String,
        /// The number shown for the call.
        number: Option<String>,
        /// What was said.
        note: String,
    },
    /// Record that the affected account or platform became known or changed.
    IdentifyAccount {
        /// The account.
        account: Option<String>,
        /// The platform.
        platform: Option<Platform>,
    },
    /// Set or change one of the playbook's declared facts.
    SetFact {
        /// The fact's name.
        fact: String,
        /// Its value.
        value: String,
    },
    /// Take one value back from a list fact (a fake account recorded by mistake).
    RemoveFactValue {
        /// The fact's name.
        fact: String,
        /// The value to take back.
        value: String,
    },
    /// Begin a tabletop exercise on an incident started as an exercise.
    BeginExercise {
        /// Scenario id.
        scenario: String,
        /// Scenario title.
        title: String,
        /// SHA-256 of the frozen scenario.yaml.
        scenario_sha256: String,
        /// Mail goes over SMTP.
        live_mail: bool,
        /// Target times per step.
        targets: Vec<TargetTime>,
    },
    /// Give an inject to the participants.
    FireInject {
        /// Inject id.
        inject: String,
        /// Headline.
        title: String,
        /// Text.
        text: String,
        /// Scheduled time, seconds from the start.
        at_seconds: i64,
        /// Fired early by the facilitator.
        early: bool,
    },
    /// Record the review (振り返り). Allowed after the incident is closed: it is written then.
    RecordReview {
        /// What went well.
        good: String,
        /// What was difficult.
        issues: String,
        /// What to change.
        improvements: String,
    },
    /// Close the incident.
    Close {
        /// Close with steps still open, for this reason.
        force: Option<String>,
    },
}
