//! The engine: a command, checked against the step graph and the current state, becomes
//! events — or a refusal that says why and what to do. Pure and synchronous: no disk,
//! terminal, network or clock.

use super::event::{Event, EvidenceRecord, Letter, StartParams, TargetTime};
use chrono::{DateTime, FixedOffset};

use super::state::{Delivery, IncidentState, StepStatus};
use crate::lang::Lang;
use crate::playbook::diagnostic::suggest;
use crate::playbook::{Platform, Playbook, StepIx, StepKind};

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
    /// Record that the recipient acknowledged a message.
    Acknowledge {
        /// The message number.
        message: u32,
        /// Who acknowledged.
        by: String,
        /// How, or what they said.
        note: Option<String>,
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

/// Why a command was refused. Nothing is written when a command is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The incident has not started (only `Start` is possible).
    NotStarted,
    /// The incident has started already.
    AlreadyStarted,
    /// The incident is closed.
    Closed,
    /// No such step.
    UnknownStep {
        /// As given.
        step: String,
        /// The closest step id.
        suggestion: Option<String>,
    },
    /// The step is waiting for other steps or a decision.
    NotReady {
        /// Step id.
        step: String,
        /// What it waits for (step ids).
        waiting_for: Vec<String>,
        /// Whether the command can be forced with a reason.
        forceable: bool,
    },
    /// The step does not apply under the decisions taken.
    NotApplicable {
        /// Step id.
        step: String,
        /// Whether the command can be forced with a reason.
        forceable: bool,
    },
    /// The step is done already.
    AlreadyDone {
        /// Step id.
        step: String,
    },
    /// The step was skipped.
    AlreadySkipped {
        /// Step id.
        step: String,
    },
    /// A decision must be answered with `decide`.
    UseDecide {
        /// Step id.
        step: String,
    },
    /// A 決裁 step is completed by `approve`.
    UseApprove {
        /// Step id.
        step: String,
        /// Who approves.
        approver: String,
    },
    /// Not a decision step.
    NotADecision {
        /// Step id.
        step: String,
    },
    /// No such option.
    UnknownOption {
        /// Step id.
        step: String,
        /// As given.
        option: String,
        /// The options.
        options: Vec<String>,
    },
    /// Changing an answer needs a reason.
    AlreadyDecided {
        /// Step id.
        step: String,
        /// The current answer.
        current: String,
    },
    /// The answer given is the current one.
    SameAnswer {
        /// Step id.
        step: String,
    },
    /// Not an approval or post step.
    NotApprovable {
        /// Step id.
        step: String,
    },
    /// A post counts as posted only once approved.
    NeedsApproval {
        /// Step id.
        step: String,
        /// Who must approve.
        approver: String,
    },
    /// No such checklist item.
    NoChecklistItem {
        /// Step id.
        step: String,
        /// The item number given (from 1).
        item: usize,
        /// How many items the step has.
        count: usize,
    },
    /// Not a monitor step.
    NotAMonitor {
        /// Step id.
        step: String,
    },
    /// Only done or skipped steps can be reopened.
    NotReopenable {
        /// Step id.
        step: String,
    },
    /// A reason, text or name is required and was empty.
    Empty {
        /// Which (e.g. `--reason`).
        what: &'static str,
    },
    /// Closing with steps open needs `--force --reason`.
    OpenSteps {
        /// The open steps.
        steps: Vec<String>,
    },
    /// Handing over to the operator already on duty.
    SameOperator {
        /// The name.
        name: String,
    },
    /// A one-line value (it may end up in a mail header) holds a line break or another
    /// control character.
    ControlCharacter {
        /// Which (e.g. `--account`).
        what: &'static str,
    },
    /// A notify step is done when its messages are delivered.
    UseNotify {
        /// Step id.
        step: String,
    },
    /// Not a notify step.
    NotANotify {
        /// Step id.
        step: String,
    },
    /// The step's messages are already queued and not all delivered.
    AlreadyQueued {
        /// Step id.
        step: String,
        /// The outstanding message numbers.
        messages: Vec<u32>,
    },
    /// No such message.
    UnknownMessage {
        /// As given.
        message: String,
    },
    /// The message was delivered already (it is never sent twice).
    AlreadyDelivered {
        /// The message number.
        message: u32,
    },
    /// A message that was never delivered cannot be acknowledged.
    NotDelivered {
        /// The message number.
        message: u32,
        /// Its recipient.
        to: String,
    },
    /// A call to a division or role that is not in the incident's directory.
    UnknownParty {
        /// As given.
        name: String,
        /// The closest name.
        suggestion: Option<String>,
    },
    /// An evidence file name that is not a plain name inside `evidence/`.
    BadEvidenceName {
        /// The name.
        name: String,
    },
    /// A notify step with nobody to tell.
    NoRecipients {
        /// Step id.
        step: String,
    },
    /// A severity that the playbook does not define.
    UnknownSeverity {
        /// As given.
        severity: String,
        /// The severities.
        options: Vec<String>,
    },
    /// Exercise commands need an incident started as an exercise.
    NotAnExercise,
    /// The exercise has begun already, or has not begun.
    ExerciseBegun {
        /// Whether it has.
        begun: bool,
    },
    /// The inject was given already.
    InjectAlreadyFired {
        /// Inject id.
        inject: String,
    },
}

impl Refusal {
    /// One line: why, and what to do.
    pub fn message(&self, lang: Lang) -> String {
        use Lang::{En, Ja};
        match (self, lang) {
            (Refusal::NotStarted, Ja) => {
                "事案がまだ開始されていません。`hikeshi start` で開始してください".into()
            }
            (Refusal::NotStarted, En) => {
                "the incident has not started; start it with `hikeshi start`".into()
            }
            (Refusal::AlreadyStarted, Ja) => "事案は既に開始されています".into(),
            (Refusal::AlreadyStarted, En) => "the incident has already started".into(),
            (Refusal::Closed, Ja) => {
                "事案は終了しています。記録は `hikeshi status` で確認できます".into()
            }
            (Refusal::Closed, En) => {
                "the incident is closed; `hikeshi status` shows its record".into()
            }
            (Refusal::UnknownStep { step, suggestion }, Ja) => match suggestion {
                Some(s) => format!("手順 `{step}` はありません。`{s}` のことですか？"),
                None => format!(
                    "手順 `{step}` はありません。`hikeshi status` で手順の一覧を確認してください"
                ),
            },
            (Refusal::UnknownStep { step, suggestion }, En) => match suggestion {
                Some(s) => format!("no step `{step}`; did you mean `{s}`?"),
                None => format!("no step `{step}`; `hikeshi status` lists the steps"),
            },
            (
                Refusal::NotReady {
                    step,
                    waiting_for,
                    forceable: true,
                },
                Ja,
            ) => format!(
                "手順 `{step}` はまだ実施できません（{} の完了待ち）。先に実施するか、`--force --reason` で理由を記録して実施してください",
                waiting_for.join("、")
            ),
            (
                Refusal::NotReady {
                    step,
                    waiting_for,
                    forceable: true,
                },
                En,
            ) => format!(
                "step `{step}` is not ready (waiting for {}); do those first, or use --force --reason to record a deviation",
                waiting_for.join(", ")
            ),
            (
                Refusal::NotReady {
                    step,
                    waiting_for,
                    forceable: false,
                },
                Ja,
            ) => format!(
                "手順 `{step}` はまだ実施できません（{} の完了待ち）。先に実施してください",
                waiting_for.join("、")
            ),
            (
                Refusal::NotReady {
                    step,
                    waiting_for,
                    forceable: false,
                },
                En,
            ) => format!(
                "step `{step}` is not ready (waiting for {}); do those first",
                waiting_for.join(", ")
            ),
            (
                Refusal::NotApplicable {
                    step,
                    forceable: true,
                },
                Ja,
            ) => format!(
                "手順 `{step}` はこれまでの判断では対象外です。必要なら `--force --reason` で理由を記録して実施してください"
            ),
            (
                Refusal::NotApplicable {
                    step,
                    forceable: true,
                },
                En,
            ) => format!(
                "step `{step}` does not apply under the decisions taken; use --force --reason to do it anyway"
            ),
            (
                Refusal::NotApplicable {
                    step,
                    forceable: false,
                },
                Ja,
            ) => {
                format!("手順 `{step}` はこれまでの判断では対象外です")
            }
            (
                Refusal::NotApplicable {
                    step,
                    forceable: false,
                },
                En,
            ) => {
                format!("step `{step}` does not apply under the decisions taken")
            }
            (Refusal::AlreadyDone { step }, Ja) => format!(
                "手順 `{step}` は完了済みです。やり直すには `hikeshi reopen` を使ってください"
            ),
            (Refusal::AlreadyDone { step }, En) => {
                format!("step `{step}` is already done; use `hikeshi reopen` to do it again")
            }
            (Refusal::AlreadySkipped { step }, Ja) => format!(
                "手順 `{step}` は省略済みです。実施するには `hikeshi reopen` で再開してください"
            ),
            (Refusal::AlreadySkipped { step }, En) => {
                format!("step `{step}` was skipped; `hikeshi reopen` it first")
            }
            (Refusal::UseDecide { step }, Ja) => format!(
                "手順 `{step}` は判断です。`hikeshi decide INCIDENT {step} 選択肢` で判断してください"
            ),
            (Refusal::UseDecide { step }, En) => format!(
                "step `{step}` is a decision; answer it with `hikeshi decide INCIDENT {step} OPTION`"
            ),
            (Refusal::UseApprove { step, approver }, Ja) => format!(
                "手順 `{step}` は{approver}の決裁です。`hikeshi approve INCIDENT {step} --by 氏名` で記録してください"
            ),
            (Refusal::UseApprove { step, approver }, En) => format!(
                "step `{step}` is an approval by {approver}; record it with `hikeshi approve INCIDENT {step} --by NAME`"
            ),
            (Refusal::NotADecision { step }, Ja) => {
                format!("手順 `{step}` は判断の手順ではありません")
            }
            (Refusal::NotADecision { step }, En) => format!("step `{step}` is not a decision"),
            (
                Refusal::UnknownOption {
                    step,
                    option,
                    options,
                },
                Ja,
            ) => format!(
                "判断 `{step}` に選択肢 `{option}` はありません（選択肢: {}）",
                options.join(", ")
            ),
            (
                Refusal::UnknownOption {
                    step,
                    option,
                    options,
                },
                En,
            ) => format!(
                "decision `{step}` has no option `{option}` (options: {})",
                options.join(", ")
            ),
            (Refusal::AlreadyDecided { step, current }, Ja) => format!(
                "判断 `{step}` は `{current}` と判断済みです。変更するには `--reason` で理由を記録してください"
            ),
            (Refusal::AlreadyDecided { step, current }, En) => {
                format!("decision `{step}` is already `{current}`; give --reason to change it")
            }
            (Refusal::SameAnswer { step }, Ja) => format!("判断 `{step}` は既にその選択肢です"),
            (Refusal::SameAnswer { step }, En) => {
                format!("decision `{step}` already has that answer")
            }
            (Refusal::NotApprovable { step }, Ja) => {
                format!("手順 `{step}` は決裁や公表文の手順ではないため、承認できません")
            }
            (Refusal::NotApprovable { step }, En) => {
                format!("step `{step}` is neither an approval nor a post; nothing to approve")
            }
            (Refusal::NeedsApproval { step, approver }, Ja) => format!(
                "公表文 `{step}` は{approver}の承認がまだです。`hikeshi approve INCIDENT {step} --by 氏名` の後に完了してください"
            ),
            (Refusal::NeedsApproval { step, approver }, En) => format!(
                "post `{step}` is not approved by {approver} yet; `hikeshi approve INCIDENT {step} --by NAME` first"
            ),
            (Refusal::NoChecklistItem { step, item, count }, Ja) => {
                format!("手順 `{step}` のチェック項目 {item} はありません（{count} 項目）")
            }
            (Refusal::NoChecklistItem { step, item, count }, En) => {
                format!("step `{step}` has no checklist item {item} ({count} items)")
            }
            (Refusal::NotAMonitor { step }, Ja) => format!(
                "手順 `{step}` は監視（monitor）の手順ではありません。記録は `hikeshi note` を使ってください"
            ),
            (Refusal::NotAMonitor { step }, En) => {
                format!("step `{step}` is not a monitor; use `hikeshi note` for other records")
            }
            (Refusal::NotReopenable { step }, Ja) => {
                format!("手順 `{step}` は完了も省略もしていないため、再開できません")
            }
            (Refusal::NotReopenable { step }, En) => {
                format!("step `{step}` is neither done nor skipped; nothing to reopen")
            }
            (Refusal::Empty { what }, Ja) => format!("{what} が空です。内容を入力してください"),
            (Refusal::Empty { what }, En) => format!("{what} is empty; please give one"),
            (Refusal::OpenSteps { steps }, Ja) => format!(
                "未完了の手順が {} 件あります（{}）。終了するには `--force --reason` で理由を記録してください",
                steps.len(),
                steps.join("、")
            ),
            (Refusal::OpenSteps { steps }, En) => format!(
                "{} step(s) still open ({}); use --force --reason to close anyway",
                steps.len(),
                steps.join(", ")
            ),
            (Refusal::SameOperator { name }, Ja) => format!("{name} さんが既に担当しています"),
            (Refusal::SameOperator { name }, En) => format!("{name} is already on duty"),
            (Refusal::ControlCharacter { what }, Ja) => format!(
                "{what} に改行や制御文字は使えません（メールのヘッダーに入るため）。1 行で入力してください"
            ),
            (Refusal::ControlCharacter { what }, En) => format!(
                "{what} must not contain line breaks or other control characters (it goes into mail headers); give it on one line"
            ),
            (Refusal::UseNotify { step }, Ja) => format!(
                "手順 `{step}` は通知です。`hikeshi notify INCIDENT {step}` で送信すると、全員に届いた時点で完了します（電話などで伝えた場合は `--force --reason` で理由を記録してください）"
            ),
            (Refusal::UseNotify { step }, En) => format!(
                "step `{step}` is a notification; send it with `hikeshi notify INCIDENT {step}` and it is done once every message is delivered (if everyone was told another way, use --force --reason)"
            ),
            (Refusal::NotANotify { step }, Ja) => {
                format!("手順 `{step}` は通知（notify）の手順ではありません")
            }
            (Refusal::NotANotify { step }, En) => format!("step `{step}` is not a notification"),
            (Refusal::AlreadyQueued { step, messages }, Ja) => format!(
                "手順 `{step}` の通知は送信待ちです（{}）。`hikeshi outbox INCIDENT --retry` で再送できます",
                numbers(messages)
            ),
            (Refusal::AlreadyQueued { step, messages }, En) => format!(
                "the messages of step `{step}` are queued and not all delivered ({}); `hikeshi outbox INCIDENT --retry` sends them again",
                numbers(messages)
            ),
            (Refusal::UnknownMessage { message }, Ja) => format!(
                "通知 `{message}` はありません。`hikeshi outbox INCIDENT` で番号を確認してください"
            ),
            (Refusal::UnknownMessage { message }, En) => {
                format!("no message `{message}`; `hikeshi outbox INCIDENT` lists them")
            }
            (Refusal::AlreadyDelivered { message }, Ja) => {
                format!("通知 #{message} は送達済みです（同じ通知を二度送ることはありません）")
            }
            (Refusal::AlreadyDelivered { message }, En) => {
                format!("message #{message} is already delivered (it is never sent twice)")
            }
            (Refusal::NotDelivered { message, to }, Ja) => format!(
                "通知 #{message}（{to}宛て）はまだ届いていません。電話で伝えた場合は `hikeshi call INCIDENT {to} --note 内容` で記録してください"
            ),
            (Refusal::NotDelivered { message, to }, En) => format!(
                "message #{message} to {to} has not been delivered; if you told them by phone, record it with `hikeshi call INCIDENT {to} --note TEXT`"
            ),
            (Refusal::UnknownParty { name, suggestion }, Ja) => match suggestion {
                Some(s) => {
                    format!("`{name}` は事案の divisions.yaml にありません。`{s}` のことですか？")
                }
                None => format!("`{name}` は事案の divisions.yaml にありません"),
            },
            (Refusal::UnknownParty { name, suggestion }, En) => match suggestion {
                Some(s) => {
                    format!("`{name}` is not in the incident's divisions.yaml; did you mean `{s}`?")
                }
                None => format!("`{name}` is not in the incident's divisions.yaml"),
            },
            (Refusal::BadEvidenceName { name }, Ja) => format!(
                "証拠のファイル名 `{}` は使えません（evidence/ の中の単純な名前に限ります）",
                name.escape_debug()
            ),
            (Refusal::BadEvidenceName { name }, En) => format!(
                "evidence file name `{}` is not allowed (only a plain name inside evidence/)",
                name.escape_debug()
            ),
            (Refusal::NoRecipients { step }, Ja) => {
                format!("手順 `{step}` には宛先がありません")
            }
            (Refusal::NoRecipients { step }, En) => format!("step `{step}` has no recipients"),
            (Refusal::UnknownSeverity { severity, options }, Ja) => {
                format!("重大度 `{severity}` はありません（{}）", options.join(", "))
            }
            (Refusal::UnknownSeverity { severity, options }, En) => format!(
                "no severity `{severity}` (severities: {})",
                options.join(", ")
            ),
            (Refusal::NotAnExercise, Ja) => {
                "この事案は訓練ではありません（訓練は `hikeshi exercise` で開始します）".into()
            }
            (Refusal::NotAnExercise, En) => {
                "this incident is not an exercise (exercises start with `hikeshi exercise`)".into()
            }
            (Refusal::ExerciseBegun { begun: true }, Ja) => "訓練は既に開始されています".into(),
            (Refusal::ExerciseBegun { begun: true }, En) => "the exercise has already begun".into(),
            (Refusal::ExerciseBegun { begun: false }, Ja) => {
                "訓練のシナリオが開始されていません".into()
            }
            (Refusal::ExerciseBegun { begun: false }, En) => {
                "no exercise scenario has begun on this incident".into()
            }
            (Refusal::InjectAlreadyFired { inject }, Ja) => {
                format!("状況付与 `{inject}` は既に付与済みです")
            }
            (Refusal::InjectAlreadyFired { inject }, En) => {
                format!("inject `{inject}` has already been given")
            }
        }
    }
}

fn numbers(messages: &[u32]) -> String {
    messages
        .iter()
        .map(|m| format!("#{m}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Values that end up in mail headers must be one line of text: a CR or LF would let them
/// add headers of their own.
fn single_line(text: &str, what: &'static str) -> Result<(), Refusal> {
    if text.chars().any(char::is_control) {
        Err(Refusal::ControlCharacter { what })
    } else {
        Ok(())
    }
}

fn non_empty(text: &str, what: &'static str) -> Result<(), Refusal> {
    if text.trim().is_empty() {
        Err(Refusal::Empty { what })
    } else {
        Ok(())
    }
}

/// Checks that `name` is a division or role of the incident's directory (the one its
/// playbook was compiled against), so a call is recorded only for someone who exists.
pub fn known_party(playbook: &Playbook, name: &str) -> Result<(), Refusal> {
    if playbook.parties.iter().any(|p| p == name) {
        Ok(())
    } else {
        Err(Refusal::UnknownParty {
            name: name.to_string(),
            suggestion: suggest(name, playbook.parties.iter().map(String::as_str)),
        })
    }
}

fn find_step(playbook: &Playbook, id: &str) -> Result<StepIx, Refusal> {
    playbook.graph.find(id).ok_or_else(|| Refusal::UnknownStep {
        step: id.to_string(),
        suggestion: suggest(id, playbook.graph.steps().iter().map(|s| s.id.as_str())),
    })
}

/// The steps `ix` waits for: unsettled prerequisites, and an unanswered decision.
fn waiting_for(state: &IncidentState, playbook: &Playbook, ix: StepIx) -> Vec<String> {
    let Some(step) = playbook.graph.step(ix) else {
        return Vec::new();
    };
    let mut out: Vec<String> = step
        .after
        .iter()
        .filter(|p| !state.status_of(**p).is_settled())
        .filter_map(|p| playbook.graph.step(*p).map(|s| s.id.clone()))
        .collect();
    if let Some(cond) = &step.when
        && state.step(cond.decision).and_then(|r| r.answer).is_none()
        && let Some(d) = playbook.graph.step(cond.decision)
        && !out.contains(&d.id)
    {
        out.push(d.id.clone());
    }
    out
}

/// Checks that a step can be acted on now: ready, or forced with a reason. `forceable` says
/// whether the command takes `--force`, so the refusal only suggests it where it works.
fn ensure_actionable(
    state: &IncidentState,
    playbook: &Playbook,
    ix: StepIx,
    force: Option<&str>,
    forceable: bool,
) -> Result<(), Refusal> {
    let id = playbook
        .graph
        .step(ix)
        .map(|s| s.id.clone())
        .unwrap_or_default();
    match state.status_of(ix) {
        StepStatus::Ready => Ok(()),
        StepStatus::Done => Err(Refusal::AlreadyDone { step: id }),
        StepStatus::Skipped => Err(Refusal::AlreadySkipped { step: id }),
        _ if force.is_some() => Ok(()),
        StepStatus::NotApplicable => Err(Refusal::NotApplicable {
            step: id,
            forceable,
        }),
        StepStatus::Pending => Err(Refusal::NotReady {
            step: id,
            waiting_for: waiting_for(state, playbook, ix),
            forceable,
        }),
    }
}

/// Checks a command against the playbook and the state; returns the events it produces.
pub fn apply(
    state: &IncidentState,
    playbook: &Playbook,
    command: &Command,
) -> Result<Vec<Event>, Refusal> {
    if let Command::Start {
        params,
        playbook_sha256,
        divisions_sha256,
    } = command
    {
        if state.is_started() {
            return Err(Refusal::AlreadyStarted);
        }
        non_empty(&params.title, "--title")?;
        non_empty(&params.operator, "--operator")?;
        single_line(&params.title, "--title")?;
        single_line(&params.operator, "--operator")?;
        if let Some(a) = &params.account {
            single_line(a, "--account")?;
        }
        if let Some(s) = &params.severity
            && !playbook.severities.iter().any(|c| c.id == *s)
        {
            return Err(Refusal::UnknownSeverity {
                severity: s.clone(),
                options: playbook.severities.iter().map(|c| c.id.clone()).collect(),
            });
        }
        return Ok(vec![Event::IncidentStarted {
            playbook: playbook.id.clone(),
            playbook_title: playbook.title.clone(),
            playbook_version: playbook.version.clone(),
            playbook_sha256: playbook_sha256.clone(),
            divisions_sha256: divisions_sha256.clone(),
            params: params.clone(),
        }]);
    }
    if !state.is_started() {
        return Err(Refusal::NotStarted);
    }
    // The review is written after the exercise, once the incident is closed.
    if let Command::RecordReview {
        good,
        issues,
        improvements,
    } = command
    {
        if state.run.is_none() {
            return Err(if state.exercise {
                Refusal::ExerciseBegun { begun: false }
            } else {
                Refusal::NotAnExercise
            });
        }
        if [good, issues, improvements]
            .iter()
            .all(|t| t.trim().is_empty())
        {
            return Err(Refusal::Empty { what: "REVIEW" });
        }
        return Ok(vec![Event::ReviewRecorded {
            good: good.trim().to_string(),
            issues: issues.trim().to_string(),
            improvements: improvements.trim().to_string(),
        }]);
    }
    if state.is_closed() {
        return Err(Refusal::Closed);
    }
    let event = match command {
        Command::Start { .. } => return Err(Refusal::AlreadyStarted),
        Command::Complete { step, note, force } => {
            let ix = find_step(playbook, step)?;
            if let Some(reason) = force {
                non_empty(reason, "--reason")?;
            }
            let kind = playbook.graph.step(ix).map(|s| &s.kind);
            match kind {
                Some(StepKind::Decision(_)) => {
                    return Err(Refusal::UseDecide { step: step.clone() });
                }
                Some(StepKind::Approval { approver }) if force.is_none() => {
                    return Err(Refusal::UseApprove {
                        step: step.clone(),
                        approver: approver.clone(),
                    });
                }

                _ => {}
            }
            ensure_actionable(state, playbook, ix, force.as_deref(), true)?;
            if let Some(StepKind::Notify(_)) = kind
                && force.is_none()
            {
                return Err(Refusal::UseNotify { step: step.clone() });
            }
            if let Some(StepKind::Post(post)) = kind
                && force.is_none()
                && state.step(ix).and_then(|r| r.approval.as_ref()).is_none()
            {
                return Err(Refusal::NeedsApproval {
                    step: step.clone(),
                    approver: post.approver.clone(),
                });
            }
            Event::StepCompleted {
                step: step.clone(),
                note: note.clone().filter(|n| !n.trim().is_empty()),
                forced: force.clone(),
            }
        }
        Command::Skip { step, reason } => {
            let ix = find_step(playbook, step)?;
            non_empty(reason, "--reason")?;
            // Steps after a decision wait for its answer; skipping it would leave them waiting.
            if matches!(
                playbook.graph.step(ix).map(|s| &s.kind),
                Some(StepKind::Decision(_))
            ) {
                return Err(Refusal::UseDecide { step: step.clone() });
            }
            match state.status_of(ix) {
                StepStatus::Done => return Err(Refusal::AlreadyDone { step: step.clone() }),
                StepStatus::Skipped => {
                    return Err(Refusal::AlreadySkipped { step: step.clone() });
                }
                _ => {}
            }
            Event::StepSkipped {
                step: step.clone(),
                reason: reason.clone(),
            }
        }
        Command::Decide {
            step,
            option,
            reason,
            force,
        } => {
            let ix = find_step(playbook, step)?;
            let Some(StepKind::Decision(decision)) = playbook.graph.step(ix).map(|s| &s.kind)
            else {
                return Err(Refusal::NotADecision { step: step.clone() });
            };
            let Some(chosen) = decision.options.iter().position(|o| o.id == *option) else {
                return Err(Refusal::UnknownOption {
                    step: step.clone(),
                    option: option.clone(),
                    options: decision.options.iter().map(|o| o.id.clone()).collect(),
                });
            };
            let current = state.step(ix).and_then(|r| r.answer);
            let previous = match current {
                Some(c) => {
                    let current_id = decision
                        .options
                        .get(c)
                        .map(|o| o.id.clone())
                        .unwrap_or_default();
                    if c == chosen {
                        return Err(Refusal::SameAnswer { step: step.clone() });
                    }
                    if reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
                        return Err(Refusal::AlreadyDecided {
                            step: step.clone(),
                            current: current_id,
                        });
                    }
                    Some(current_id)
                }
                None => {
                    if let Some(r) = force {
                        non_empty(r, "--reason")?;
                    }
                    ensure_actionable(state, playbook, ix, force.as_deref(), true)?;
                    None
                }
            };
            Event::DecisionMade {
                step: step.clone(),
                option: option.clone(),
                reason: reason.clone().filter(|r| !r.trim().is_empty()),
                previous,
                forced: if current.is_none() {
                    force.clone()
                } else {
                    None
                },
            }
        }
        Command::Approve { step, by } => {
            let ix = find_step(playbook, step)?;
            non_empty(by, "--by")?;
            if !matches!(
                playbook.graph.step(ix).map(|s| &s.kind),
                Some(StepKind::Approval { .. } | StepKind::Post(_))
            ) {
                return Err(Refusal::NotApprovable { step: step.clone() });
            }
            ensure_actionable(state, playbook, ix, None, false)?;
            Event::ApprovalGiven {
                step: step.clone(),
                by: by.clone(),
            }
        }
        Command::Reject { step, by, reason } => {
            let ix = find_step(playbook, step)?;
            non_empty(by, "--by")?;
            non_empty(reason, "--reason")?;
            if !matches!(
                playbook.graph.step(ix).map(|s| &s.kind),
                Some(StepKind::Approval { .. } | StepKind::Post(_))
            ) {
                return Err(Refusal::NotApprovable { step: step.clone() });
            }
            ensure_actionable(state, playbook, ix, None, false)?;
            Event::ApprovalRejected {
                step: step.clone(),
                by: by.clone(),
                reason: reason.clone(),
            }
        }
        Command::Check {
            step,
            item,
            checked,
        } => {
            let ix = find_step(playbook, step)?;
            let count = playbook.graph.step(ix).map_or(0, |s| s.checklist.len());
            if *item >= count {
                return Err(Refusal::NoChecklistItem {
                    step: step.clone(),
                    item: item + 1,
                    count,
                });
            }
            Event::ChecklistChecked {
                step: step.clone(),
                item: *item,
                checked: *checked,
            }
        }
        Command::Observe { step, text } => {
            let ix = find_step(playbook, step)?;
            non_empty(text, "TEXT")?;
            if !matches!(
                playbook.graph.step(ix).map(|s| &s.kind),
                Some(StepKind::Monitor(_))
            ) {
                return Err(Refusal::NotAMonitor { step: step.clone() });
            }
            ensure_actionable(state, playbook, ix, None, false)?;
            Event::ObservationRecorded {
                step: step.clone(),
                text: text.clone(),
            }
        }
        Command::Reopen { step, reason } => {
            let ix = find_step(playbook, step)?;
            non_empty(reason, "--reason")?;
            if !matches!(state.status_of(ix), StepStatus::Done | StepStatus::Skipped) {
                return Err(Refusal::NotReopenable { step: step.clone() });
            }
            Event::StepReopened {
                step: step.clone(),
                reason: reason.clone(),
            }
        }
        Command::Note { text, step } => {
            non_empty(text, "TEXT")?;
            if let Some(s) = step {
                find_step(playbook, s)?;
            }
            Event::NoteAdded {
                text: text.clone(),
                step: step.clone(),
            }
        }
        Command::AttachEvidence {
            step,
            evidence,
            note,
        } => {
            find_step(playbook, step)?;
            match evidence {
                EvidenceRecord::Url { url } => non_empty(url, "URL")?,
                // A file lives in `evidence/` under a plain name: never a path out of it.
                EvidenceRecord::File { name, .. } => {
                    if name.is_empty()
                        || name == "."
                        || name == ".."
                        || name.contains(['/', '\\'])
                        || name.chars().any(char::is_control)
                    {
                        return Err(Refusal::BadEvidenceName { name: name.clone() });
                    }
                }
            }
            Event::EvidenceAttached {
                step: step.clone(),
                evidence: evidence.clone(),
                note: note.clone().filter(|n| !n.trim().is_empty()),
            }
        }
        Command::Handover { to, summary } => {
            non_empty(to, "--to")?;
            single_line(to, "--to")?;
            if *to == state.operator {
                return Err(Refusal::SameOperator { name: to.clone() });
            }
            Event::HandedOver {
                from: state.operator.clone(),
                to: to.clone(),
                summary: summary.clone(),
            }
        }
        Command::IdentifyAccount { account, platform } => {
            if let Some(a) = account {
                non_empty(a, "--account")?;
                single_line(a, "--account")?;
            }
            if account.is_none() && platform.is_none() {
                return Err(Refusal::Empty { what: "--account" });
            }
            Event::AccountIdentified {
                account: account.clone(),
                platform: *platform,
            }
        }
        Command::BeginExercise { .. } | Command::FireInject { .. } => {
            return exercise(state, command);
        }
        Command::RecordReview { .. } => return Err(Refusal::Closed),
        Command::QueueNotifications { .. }
        | Command::RecordDelivery { .. }
        | Command::RecordFailure { .. }
        | Command::Acknowledge { .. }
        | Command::Call { .. } => return notification(state, playbook, command),
        Command::Close { force } => {
            let open: Vec<String> = state
                .open_steps(playbook)
                .into_iter()
                .filter_map(|ix| playbook.graph.step(ix).map(|s| s.id.clone()))
                .collect();
            // Every undelivered message belongs to an open step (forcing, skipping or a step
            // ceasing to apply cancels its mail), so the open steps already need --force.
            let undelivered: Vec<u32> = state.undelivered().map(|m| m.number).collect();
            match force {
                Some(reason) => non_empty(reason, "--reason")?,
                None if !open.is_empty() => return Err(Refusal::OpenSteps { steps: open }),
                None => {}
            }
            Event::IncidentClosed {
                reason: force.clone(),
                open_steps: open,
                undelivered,
            }
        }
    };
    Ok(vec![event])
}

/// The exercise commands: begin a scenario, give an inject.
fn exercise(state: &IncidentState, command: &Command) -> Result<Vec<Event>, Refusal> {
    if !state.exercise {
        return Err(Refusal::NotAnExercise);
    }
    match command {
        Command::BeginExercise {
            scenario,
            title,
            scenario_sha256,
            live_mail,
            targets,
        } => {
            if state.run.is_some() {
                return Err(Refusal::ExerciseBegun { begun: true });
            }
            non_empty(scenario, "SCENARIO")?;
            Ok(vec![Event::ExerciseBegan {
                scenario: scenario.clone(),
                title: title.clone(),
                scenario_sha256: scenario_sha256.clone(),
                live_mail: *live_mail,
                targets: targets.clone(),
            }])
        }
        Command::FireInject {
            inject,
            title,
            text,
            at_seconds,
            early,
        } => {
            let Some(run) = &state.run else {
                return Err(Refusal::ExerciseBegun { begun: false });
            };
            non_empty(inject, "INJECT")?;
            if run.fired(inject) {
                return Err(Refusal::InjectAlreadyFired {
                    inject: inject.clone(),
                });
            }
            Ok(vec![Event::InjectFired {
                inject: inject.clone(),
                title: title.clone(),
                text: text.clone(),
                at_seconds: *at_seconds,
                early: *early,
            }])
        }
        _ => Ok(Vec::new()),
    }
}

/// The notification commands: queue, delivery outcomes, acknowledgement, calls.
fn notification(
    state: &IncidentState,
    playbook: &Playbook,
    command: &Command,
) -> Result<Vec<Event>, Refusal> {
    let known = |message: u32| {
        state
            .message(message)
            .ok_or_else(|| Refusal::UnknownMessage {
                message: format!("#{message}"),
            })
    };
    match command {
        Command::QueueNotifications { step, messages } => {
            let ix = find_step(playbook, step)?;
            if !matches!(
                playbook.graph.step(ix).map(|s| &s.kind),
                Some(StepKind::Notify(_))
            ) {
                return Err(Refusal::NotANotify { step: step.clone() });
            }
            ensure_actionable(state, playbook, ix, None, false)?;
            let outstanding: Vec<u32> = state
                .messages
                .iter()
                .filter(|m| m.step == *step && !m.is_settled())
                .map(|m| m.number)
                .collect();
            if !outstanding.is_empty() {
                return Err(Refusal::AlreadyQueued {
                    step: step.clone(),
                    messages: outstanding,
                });
            }
            if messages.is_empty() {
                return Err(Refusal::NoRecipients { step: step.clone() });
            }
            let first = state.next_message();
            Ok(messages
                .iter()
                .zip(first..)
                .map(|(letter, number)| Event::NotificationQueued {
                    message: number,
                    step: step.clone(),
                    letter: letter.clone(),
                })
                .collect())
        }
        Command::RecordDelivery {
            message,
            transport,
            reply,
        } => {
            let record = known(*message)?;
            if matches!(record.delivery, Delivery::Sent { .. }) {
                return Err(Refusal::AlreadyDelivered { message: *message });
            }
            let mut events = vec![Event::NotificationSent {
                message: *message,
                transport: transport.clone(),
                reply: reply.clone(),
            }];
            let settled = |m: &super::state::MessageRecord| m.number == *message || m.is_settled();
            events.extend(complete_notified(state, playbook, &record.step, settled));
            Ok(events)
        }
        Command::RecordFailure {
            message,
            error,
            permanent,
            next_retry,
        } => {
            let record = known(*message)?;
            if matches!(record.delivery, Delivery::Sent { .. }) {
                return Err(Refusal::AlreadyDelivered { message: *message });
            }
            Ok(vec![Event::NotificationFailed {
                message: *message,
                attempt: record.attempts() + 1,
                error: error.clone(),
                permanent: *permanent,
                next_retry: if *permanent { None } else { *next_retry },
            }])
        }
        Command::Acknowledge { message, by, note } => {
            let record = known(*message)?;
            non_empty(by, "--by")?;
            single_line(by, "--by")?;
            if !matches!(record.delivery, Delivery::Sent { .. }) {
                return Err(Refusal::NotDelivered {
                    message: *message,
                    to: record.letter.to.clone(),
                });
            }
            Ok(vec![Event::NotificationAcknowledged {
                message: *message,
                by: by.clone(),
                note: note.clone().filter(|n| !n.trim().is_empty()),
            }])
        }
        Command::Call {
            division,
            number,
            note,
        } => {
            non_empty(division, "DIVISION")?;
            known_party(playbook, division)?;
            non_empty(note, "--note")?;
            let mut events = vec![Event::DivisionCalled {
                division: division.clone(),
                number: number.clone(),
                note: note.clone(),
            }];
            // A call reaches the division for every message to it: steps whose messages
            // are all settled by it are done.
            let mut steps: Vec<&str> = state
                .messages
                .iter()
                .filter(|m| m.letter.to == *division && !m.is_settled())
                .map(|m| m.step.as_str())
                .collect();
            steps.sort_unstable();
            steps.dedup();
            for step in steps {
                let settled =
                    |m: &super::state::MessageRecord| m.letter.to == *division || m.is_settled();
                events.extend(complete_notified(state, playbook, step, settled));
            }
            Ok(events)
        }
        _ => Ok(Vec::new()),
    }
}

/// The completion of a notify step, if every one of its messages is settled once the event
/// being recorded is counted (`settled` says which are).
fn complete_notified(
    state: &IncidentState,
    playbook: &Playbook,
    step: &str,
    settled: impl Fn(&super::state::MessageRecord) -> bool,
) -> Option<Event> {
    let ix = playbook.graph.find(step)?;
    if state.status_of(ix).is_settled() {
        return None;
    }
    let mut messages = state.current_messages(playbook, step).peekable();
    messages.peek()?;
    messages.all(settled).then(|| Event::StepCompleted {
        step: step.to_string(),
        note: None,
        forced: None,
    })
}
