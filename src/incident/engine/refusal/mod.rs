//! Refusals: why the engine will not run a command, and what would fix it, as data. A new
//! refusal is a variant here, an arm in [`Refusal::problem`] (what is wrong, both languages
//! side by side) and one in [`Refusal::remedies`] (what would fix it). The core names no
//! command line and no key: each face renders a [`Field`] and a [`Remedy`] its own way
//! (the CLI as flags and command lines, the screen as words and keys), through [`Face`].

use crate::clock::format_jst;
use crate::incident::state::Stamp;
use crate::lang::Lang;
use crate::playbook::FactKind;
use crate::tr;

mod remedy;

pub use remedy::{Face, Field, Plain, Remedy};

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
        /// Who completed it and when (with several people on one incident, often someone
        /// else a moment ago).
        by: Option<Stamp>,
    },
    /// The step was skipped.
    AlreadySkipped {
        /// Step id.
        step: String,
        /// Who skipped it and when.
        by: Option<Stamp>,
    },
    /// A decision is answered by deciding, not completing.
    UseDecide {
        /// Step id.
        step: String,
    },
    /// A 決裁 step is completed by an approval.
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
    /// An approval or a refusal typed in names a division, role or part, not the person
    /// who gave it: the record must say who.
    NotAPerson {
        /// Step id.
        step: String,
        /// The name given.
        name: String,
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
        /// Which.
        what: Field,
    },
    /// Closing with steps open needs a reason (forced).
    OpenSteps {
        /// The open steps.
        steps: Vec<String>,
    },
    /// Handing over to the operator already on duty.
    SameOperator {
        /// The name.
        name: String,
    },
    /// A one-line value (a name or id: it may end up in a mail header, a file name or one
    /// line of a screen) holds a line break, another control character or an invisible
    /// character that changes how text reads (see [`crate::text`]).
    ControlCharacter {
        /// Which.
        what: Field,
    },
    /// A text (a note, a reason) holds a control character other than a line break or a tab,
    /// or an invisible character that changes how text reads.
    ControlInText {
        /// Which.
        what: Field,
    },
    /// A post's text still holds a mark to fill in by hand (○○, （…を記載）, ＿＿): posted,
    /// it would tell the public the text was never finished.
    UnfinishedText {
        /// The post step.
        step: String,
        /// The line of the first mark (from 1).
        line: usize,
        /// Its column in characters (from 1).
        column: usize,
        /// The mark as written.
        mark: String,
    },
    /// A post's text says a step's act was done (one of its phrases) while that step is not
    /// done now.
    ClaimNotDone {
        /// The post step.
        step: String,
        /// The step whose act it names.
        act: String,
        /// The phrase.
        phrase: String,
    },
    /// A post's text is longer than its platform takes (counted as the platform counts).
    TooLong {
        /// The post step.
        step: String,
        /// The platform.
        platform: String,
        /// The text's count.
        count: usize,
        /// The platform's limit.
        max: usize,
    },
    /// A post's statement uses values the incident does not have (the account, the
    /// organisation's website): filled in now, the text would have gaps.
    UnfilledValues {
        /// The post step.
        step: String,
        /// The placeholders with no value.
        names: Vec<String>,
    },
    /// Evidence given as a URL that is not an `http://` or `https://` address with a host.
    BadUrl {
        /// As given.
        url: String,
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
    /// A reply came from an address other than the one its message was sent to.
    ReplyFromElsewhere {
        /// The message it claims to answer.
        message: u32,
        /// Where it came from.
        from: String,
    },
    /// This reply (its Message-ID) is on record already.
    ReplyAlreadyRecorded {
        /// The reply's Message-ID.
        reply_id: String,
    },
    /// An answer to a reply that counts (or is held): only a reply that counts as nothing
    /// is answered.
    AnswerNotNeeded {
        /// The reply's Message-ID.
        reply_id: String,
    },
    /// An answer that is not addressed to the replier about this reply, or carries a code.
    AnswerMismatch {
        /// The reply's Message-ID.
        reply_id: String,
    },
    /// No held reply has this Message-ID.
    NoHeldReply {
        /// The Message-ID.
        reply_id: String,
    },
    /// A held reply's step still cannot be approved: it waits.
    ReplyStillHeld {
        /// The approval request it answers.
        message: u32,
        /// The step.
        step: String,
    },
    /// An approval request goes to the step's approver only.
    NotTheApprover {
        /// The step.
        step: String,
        /// Its approver.
        approver: String,
        /// Who the request was for.
        to: String,
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
    /// The message is acknowledged already (withdraw that first, with a reason).
    AlreadyAcknowledged {
        /// The message number.
        message: u32,
        /// Its recipient.
        to: String,
        /// Who acknowledged it.
        by: String,
    },
    /// There is no acknowledgement to withdraw.
    NotAcknowledged {
        /// The message number.
        message: u32,
        /// Its recipient.
        to: String,
    },
    /// The acknowledgement to withdraw is not the one the person saw: another replaced it.
    AcknowledgementChanged {
        /// The message number.
        message: u32,
        /// Its recipient.
        to: String,
        /// Who recorded the acknowledgement now in force.
        by: String,
    },
    /// A call to a division or role that is not in the incident's directory.
    UnknownParty {
        /// As given.
        name: String,
        /// The closest name.
        suggestion: Option<String>,
    },
    /// A recipient added to a notify step that is one already.
    AlreadyRecipient {
        /// The notify step.
        step: String,
        /// The division or role.
        name: String,
    },
    /// A recipient added to a notify step whose `add_to` does not offer it.
    NotACandidate {
        /// The notify step.
        step: String,
        /// The division or role.
        name: String,
        /// What `add_to` offers.
        candidates: Vec<String>,
    },
    /// A post's text changed after it was approved (its own approval, or the approval step
    /// that covered it).
    ApprovalOutdated {
        /// The post.
        step: String,
        /// The step whose approval covered another text: the post itself, or its approval step.
        approval: String,
        /// Who approves the post now.
        approver: String,
    },
    /// A fact the playbook does not declare.
    UnknownFact {
        /// As given.
        name: String,
        /// The closest declared fact.
        suggestion: Option<String>,
        /// Every declared fact.
        known: Vec<String>,
    },
    /// A value the fact cannot hold.
    BadFactValue {
        /// The fact.
        fact: String,
        /// What it holds.
        kind: FactKind,
        /// `choice`: its options.
        options: Vec<String>,
    },
    /// An account fact that must be one of the organisation's own accounts names one the
    /// directory does not list (the fake typed as the genuine account, say).
    NotAnOwnAccount {
        /// The fact.
        fact: String,
        /// The value given.
        value: String,
        /// The organisation's own account it looks like, if one does.
        lookalike: Option<String>,
    },
    /// An account fact names the very account another fact names, which it can never be
    /// (the fake of a なりすまし as the genuine account).
    SameAccount {
        /// The fact.
        fact: String,
        /// The other fact.
        other: String,
        /// The account both would name.
        value: String,
    },
    /// A value to take back that the list fact does not hold (or a fact that is no list).
    NotAFactValue {
        /// The fact.
        fact: String,
        /// The value.
        value: String,
    },
    /// The last value of a list fact cannot be taken back, only changed.
    LastFactValue {
        /// The fact.
        fact: String,
    },
    /// The fact has this value already.
    FactUnchanged {
        /// The fact.
        fact: String,
        /// Its value.
        value: String,
    },
    /// Facts that must be known first: at the start (`step: None`) or before the step.
    FactsNeeded {
        /// The step waiting for them.
        step: Option<String>,
        /// Each missing fact: name and label.
        facts: Vec<(String, String)>,
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
    /// The time the events would carry is earlier than the journal's last event.
    EarlierThanJournal {
        /// The journal's last event's time.
        last: chrono::DateTime<chrono::FixedOffset>,
        /// The time now, on this computer's clock.
        at: chrono::DateTime<chrono::FixedOffset>,
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
    /// One line in plain words: what is wrong, values named by their words, no fix (for text
    /// outside a face: a log, a mail's answer). A face uses [`Refusal::render`].
    pub fn message(&self, lang: Lang) -> String {
        self.problem(lang, &Plain)
    }

    /// One line for `face`: what is wrong, then each fix the face has a way to say, as
    /// alternatives.
    pub fn render(&self, lang: Lang, face: &dyn Face) -> String {
        let problem = self.problem(lang, face);
        let fixes: Vec<String> = self
            .remedies()
            .iter()
            .filter_map(|r| face.remedy(r, lang))
            .collect();
        if fixes.is_empty() {
            return problem;
        }
        match lang {
            Lang::Ja => format!("{problem}。{}", fixes.join("。または、")),
            Lang::En => format!("{problem}; {}", fixes.join(", or ")),
        }
    }

    /// What is wrong, values named as `face` names them. One arm per refusal, both
    /// languages side by side.
    fn problem(&self, lang: Lang, face: &dyn Face) -> String {
        let list = |items: &[String]| items.join(&tr!(lang, "、", ", "));
        match self {
            Refusal::NotStarted => tr!(
                lang,
                "事案がまだ開始されていません",
                "the incident has not started"
            ),
            Refusal::AlreadyStarted => tr!(
                lang,
                "事案は既に開始されています",
                "the incident has already started"
            ),
            Refusal::Closed => tr!(lang, "事案は終了しています", "the incident is closed"),
            Refusal::UnknownStep {
                step,
                suggestion: Some(s),
            } => tr!(
                lang,
                "手順 `{step}` はありません。`{s}` のことですか？",
                "no step `{step}`; did you mean `{s}`?"
            ),
            Refusal::UnknownStep {
                step,
                suggestion: None,
            } => tr!(lang, "手順 `{step}` はありません", "no step `{step}`"),
            Refusal::NotReady {
                step, waiting_for, ..
            } => tr!(
                lang,
                "手順 `{step}` はまだ実施できません（{} の完了待ち）",
                "step `{step}` is not ready (waiting for {})",
                list(waiting_for)
            ),
            Refusal::NotApplicable { step, .. } => tr!(
                lang,
                "手順 `{step}` はこれまでの判断では対象外です",
                "step `{step}` does not apply under the decisions taken"
            ),
            Refusal::AlreadyDone { step, by } => {
                let who = by_whom(lang, by.as_ref());
                tr!(
                    lang,
                    "手順 `{step}` は{who}完了済みです",
                    "step `{step}` is already done{who}"
                )
            }
            Refusal::AlreadySkipped { step, by } => {
                let who = by_whom(lang, by.as_ref());
                tr!(
                    lang,
                    "手順 `{step}` は{who}省略済みです",
                    "step `{step}` was skipped{who}"
                )
            }
            Refusal::UseDecide { step } => tr!(
                lang,
                "手順 `{step}` は判断です",
                "step `{step}` is a decision"
            ),
            Refusal::UseApprove { step, approver } => tr!(
                lang,
                "手順 `{step}` は{approver}の決裁です",
                "step `{step}` is an approval by {approver}"
            ),
            Refusal::NotADecision { step } => tr!(
                lang,
                "手順 `{step}` は判断の手順ではありません",
                "step `{step}` is not a decision"
            ),
            Refusal::UnknownOption {
                step,
                option,
                options,
            } => tr!(
                lang,
                "判断 `{step}` に選択肢 `{option}` はありません（選択肢: {}）",
                "decision `{step}` has no option `{option}` (options: {})",
                options.join(", ")
            ),
            Refusal::AlreadyDecided { step, current } => tr!(
                lang,
                "判断 `{step}` は `{current}` と判断済みです",
                "decision `{step}` is already `{current}`"
            ),
            Refusal::SameAnswer { step } => tr!(
                lang,
                "判断 `{step}` は既にその選択肢です",
                "decision `{step}` already has that answer"
            ),
            Refusal::NotApprovable { step } => tr!(
                lang,
                "手順 `{step}` は決裁や公表文の手順ではないため、承認できません",
                "step `{step}` is neither an approval nor a post; nothing to approve"
            ),
            Refusal::NotAPerson { step, name } => tr!(
                lang,
                "「{name}」は部署・役割・担当の名前です。手順 `{step}` を承認又は差戻しした本人の氏名を記録してください",
                "“{name}” names a division, role or part; record the name of the person who approved or refused step `{step}`"
            ),
            Refusal::NeedsApproval { step, approver } => tr!(
                lang,
                "公表文 `{step}` は{approver}の承認がまだです",
                "post `{step}` is not approved by {approver} yet"
            ),
            Refusal::NoChecklistItem { step, item, count } => tr!(
                lang,
                "手順 `{step}` のチェック項目 {item} はありません（{count} 項目）",
                "step `{step}` has no checklist item {item} ({count} items)"
            ),
            Refusal::NotAMonitor { step } => tr!(
                lang,
                "手順 `{step}` は監視（monitor）の手順ではありません",
                "step `{step}` is not a monitor"
            ),
            Refusal::NotReopenable { step } => tr!(
                lang,
                "手順 `{step}` は完了も省略もしていないため、再開できません",
                "step `{step}` is neither done nor skipped; nothing to reopen"
            ),
            Refusal::Empty { what } => {
                let what = face.field(*what, lang);
                tr!(
                    lang,
                    "{what}が空です。内容を入力してください",
                    "{what} is empty; please give one"
                )
            }
            Refusal::OpenSteps { steps } => tr!(
                lang,
                "未完了の手順が {} 件あります（{}）",
                "{} step(s) still open ({})",
                steps.len(),
                list(steps)
            ),
            Refusal::SameOperator { name } => tr!(
                lang,
                "{name} さんが既に担当しています",
                "{name} is already on duty"
            ),
            Refusal::ControlCharacter { what } => {
                let what = face.field(*what, lang);
                tr!(
                    lang,
                    "{what}に改行や制御文字、文字の向きを変える文字は使えません（メールのヘッダーやファイル名に入るため）。1 行で入力してください",
                    "{what} must not contain line breaks, other control characters or text-direction characters (it goes into mail headers and file names); give it on one line"
                )
            }
            Refusal::UnfinishedText {
                step,
                line,
                column,
                mark,
            } => tr!(
                lang,
                "投稿 `{step}` の文面に書き換えていない箇所があります（{line}行{column}文字目「{mark}」）。そのまま公開すると未完成の文面が出ます",
                "the text of post `{step}` still holds a mark to fill in (line {line}, column {column}: \"{mark}\"); posted as it is, the public would read an unfinished text"
            ),
            Refusal::ClaimNotDone { step, act, phrase } => tr!(
                lang,
                "投稿 `{step}` の文面は「{phrase}」と述べていますが、手順 `{act}` はまだ実施されていません",
                "the text of post `{step}` says \"{phrase}\" but step `{act}` is not done"
            ),
            Refusal::TooLong {
                step,
                platform,
                count,
                max,
            } => {
                let over = count.saturating_sub(*max);
                tr!(
                    lang,
                    "投稿 `{step}` の文面は {platform} の上限を超えています（{count}／{max}、{over} 超過。{platform} の数え方）",
                    "the text of post `{step}` is over {platform}'s limit ({count} of {max}, {over} over, counted as {platform} counts)"
                )
            }
            Refusal::UnfilledValues { step, names } => {
                let names = names
                    .iter()
                    .map(|n| format!("{{{{{n}}}}}"))
                    .collect::<Vec<_>>()
                    .join(lang.pick("、", ", "));
                tr!(
                    lang,
                    "投稿 `{step}` の文面に値のない差込み項目があります（{names}）。このままでは文面が欠けます",
                    "the statement of post `{step}` uses values this incident does not have ({names}); the text would have gaps"
                )
            }
            Refusal::ControlInText { what } => {
                let what = face.field(*what, lang);
                tr!(
                    lang,
                    "{what}に制御文字や文字の向きを変える文字は使えません（改行とタブは使えます）",
                    "{what} must not contain control characters or text-direction characters (line breaks and tabs are fine)"
                )
            }
            Refusal::BadUrl { url } => tr!(
                lang,
                "`{}` は証拠として記録できる URL ではありません（http:// か https:// で始まり、ホスト名があり、空白や制御文字のないもの）",
                "`{}` is not a URL that can be recorded as evidence (http:// or https://, a host, no spaces or control characters)",
                crate::text::shown(url)
            ),
            Refusal::UseNotify { step } => tr!(
                lang,
                "手順 `{step}` は通知です。送信した通知が全員に届いた時点で完了します",
                "step `{step}` is a notification: it is done once every message is delivered"
            ),
            Refusal::NotANotify { step } => tr!(
                lang,
                "手順 `{step}` は通知（notify）の手順ではありません",
                "step `{step}` is not a notification"
            ),
            Refusal::AlreadyQueued { step, messages } => tr!(
                lang,
                "手順 `{step}` の通知は未送達です（{}）",
                "the messages of step `{step}` are queued and not all delivered ({})",
                numbers(messages)
            ),
            Refusal::ReplyFromElsewhere { message, from } => {
                let from = crate::text::shown(from);
                tr!(
                    lang,
                    "返信の差出人 {from} は通知 #{message} の宛先ではありません（記録しません）",
                    "the reply comes from {from}, not the address message #{message} went to (not recorded)"
                )
            }
            Refusal::ReplyAlreadyRecorded { reply_id } => {
                // A Message-ID comes from outside: never raw on a terminal.
                let reply_id = crate::text::shown(reply_id);
                tr!(
                    lang,
                    "返信 <{reply_id}> は記録済みです",
                    "reply <{reply_id}> is on record already"
                )
            }
            Refusal::AnswerNotNeeded { reply_id } => {
                // A Message-ID comes from outside: never raw on a terminal.
                let reply_id = crate::text::shown(reply_id);
                tr!(
                    lang,
                    "返信 <{reply_id}> は記録される（又は保留される）ため、返答は送りません",
                    "reply <{reply_id}> counts (or is held): it gets no answer"
                )
            }
            Refusal::AnswerMismatch { reply_id } => {
                // A Message-ID comes from outside: never raw on a terminal.
                let reply_id = crate::text::shown(reply_id);
                tr!(
                    lang,
                    "返答が返信 <{reply_id}> の差出人あての、その返信についてのものではありません",
                    "the answer is not to the sender of reply <{reply_id}> about that reply"
                )
            }
            Refusal::NoHeldReply { reply_id } => {
                // A Message-ID comes from outside: never raw on a terminal.
                let reply_id = crate::text::shown(reply_id);
                tr!(
                    lang,
                    "保留中の返信 <{reply_id}> はありません",
                    "no held reply <{reply_id}>"
                )
            }
            Refusal::ReplyStillHeld { message, step } => tr!(
                lang,
                "承認依頼 #{message} への返信は、手順 `{step}` が承認できるようになるまで保留します",
                "the reply to approval request #{message} stays held until step `{step}` can be approved"
            ),
            Refusal::NotTheApprover { step, approver, to } => tr!(
                lang,
                "`{step}` の承認者は {approver} です（{to} ではありません）",
                "the approver of `{step}` is {approver}, not {to}"
            ),
            Refusal::UnknownMessage { message } => tr!(
                lang,
                "通知 `{message}` はありません",
                "no message `{message}`"
            ),
            Refusal::AlreadyDelivered { message } => tr!(
                lang,
                "通知 #{message} は送達済みです（同じ通知を二度送ることはありません）",
                "message #{message} is already delivered (it is never sent twice)"
            ),
            Refusal::NotDelivered { message, to } => tr!(
                lang,
                "通知 #{message}（{to}宛て）はまだ届いていません",
                "message #{message} to {to} has not been delivered"
            ),
            Refusal::AlreadyAcknowledged { message, to, by } => tr!(
                lang,
                "通知 #{message}（{to}宛て）は {by} の受領確認が記録済みです",
                "message #{message} to {to} is already acknowledged by {by}"
            ),
            Refusal::AcknowledgementChanged { message, to, by } => tr!(
                lang,
                "通知 #{message}（{to}宛て）の受領確認は、表示の後に {by} の記録に変わりました。確かめてからもう一度取り消してください",
                "the acknowledgement of message #{message} to {to} changed since it was shown (now {by}'s); check it and withdraw again"
            ),
            Refusal::NotAcknowledged { message, to } => tr!(
                lang,
                "通知 #{message}（{to}宛て）には取り消す受領確認がありません",
                "message #{message} to {to} has no acknowledgement to withdraw"
            ),
            Refusal::UnknownParty {
                name,
                suggestion: Some(s),
            } => tr!(
                lang,
                "`{name}` は事案の divisions.yaml にありません。`{s}` のことですか？",
                "`{name}` is not in the incident's divisions.yaml; did you mean `{s}`?"
            ),
            Refusal::UnknownParty {
                name,
                suggestion: None,
            } => tr!(
                lang,
                "`{name}` は事案の divisions.yaml にありません",
                "`{name}` is not in the incident's divisions.yaml"
            ),
            Refusal::UnknownFact {
                name,
                suggestion,
                known,
            } => {
                let hint = match suggestion {
                    Some(s) => tr!(lang, "`{s}` のことですか？", "did you mean `{s}`?"),
                    None if known.is_empty() => tr!(
                        lang,
                        "この手順書は事実を宣言していません",
                        "this playbook declares no facts"
                    ),
                    None => tr!(
                        lang,
                        "宣言された事実: {}",
                        "declared facts: {}",
                        known.join(", ")
                    ),
                };
                tr!(
                    lang,
                    "事実 `{name}` は手順書で宣言されていません。{hint}",
                    "the playbook declares no fact `{name}`; {hint}"
                )
            }
            Refusal::NotAnOwnAccount {
                fact,
                value,
                lookalike,
            } => match lookalike {
                Some(own) => tr!(
                    lang,
                    "事実 `{fact}` の {value} は、この組織のアカウントではありません（公式の @{own} に似せたものです。なりすましのアカウントではありませんか）",
                    "fact `{fact}`: {value} is not one of the organisation's accounts (it looks like the official @{own}: is it the fake?)"
                ),
                None => tr!(
                    lang,
                    "事実 `{fact}` の {value} は、連絡先（divisions.yaml）の公式アカウントにありません",
                    "fact `{fact}`: {value} is not among the official accounts of the directory (divisions.yaml)"
                ),
            },
            Refusal::NotAFactValue { fact, value } => tr!(
                lang,
                "事実 `{fact}` に {value} は記録されていません（取り消せるのは複数の値を持つ事実の値だけです）",
                "fact `{fact}` does not hold {value} (only a value of a fact with several values can be taken back)"
            ),
            Refusal::LastFactValue { fact } => tr!(
                lang,
                "事実 `{fact}` の最後の値は取り消せません。正しい値を記録してから取り消してください",
                "the last value of fact `{fact}` cannot be taken back: record the right value first, then take this one back"
            ),
            Refusal::SameAccount { fact, other, value } => tr!(
                lang,
                "事実 `{fact}` と `{other}` が同じアカウント（{value}）です。この二つは別のアカウントでなければなりません",
                "facts `{fact}` and `{other}` name the same account ({value}); they must be different accounts"
            ),
            Refusal::BadFactValue {
                fact,
                kind,
                options,
            } => {
                let expected = match kind {
                    FactKind::Text => tr!(lang, "1行の文字列", "one line of text"),
                    FactKind::Url => {
                        tr!(lang, "https:// で始まるURL", "a URL starting with https://")
                    }
                    FactKind::Account => tr!(
                        lang,
                        "空白を含まないアカウントID（例: @city_official）",
                        "an account id without spaces (e.g. @city_official)"
                    ),
                    FactKind::Datetime => tr!(
                        lang,
                        "日時（例: 2026-11-27 22:00）",
                        "a date and time (e.g. 2026-11-27 22:00)"
                    ),
                    FactKind::Choice => {
                        tr!(lang, "次のいずれか: {}", "one of: {}", options.join(", "))
                    }
                    FactKind::Division => tr!(
                        lang,
                        "divisions.yaml の部署又はその担当（次のいずれか: {}）",
                        "a division of divisions.yaml or a part one plays (one of: {})",
                        options.join(", ")
                    ),
                };
                tr!(
                    lang,
                    "事実 `{fact}` の値が不正です。{expected}を指定してください",
                    "invalid value for the fact `{fact}`: give {expected}"
                )
            }
            Refusal::AlreadyRecipient { step, name } => tr!(
                lang,
                "{name} は既に `{step}` の通知先です",
                "{name} is already a recipient of `{step}`"
            ),
            Refusal::NotACandidate {
                step,
                name,
                candidates,
            } if candidates.is_empty() => tr!(
                lang,
                "`{step}` に {name} を通知先として加えることはできません（手順書に `add_to` がありません）",
                "`{step}` takes no added recipients such as {name} (the playbook gives no `add_to`)"
            ),
            Refusal::NotACandidate {
                step,
                name,
                candidates,
            } => tr!(
                lang,
                "{name} は `{step}` に加えられる通知先ではありません。加えられるのは: {}",
                "{name} cannot be added to `{step}`; it offers: {}",
                candidates.join("、")
            ),
            Refusal::ApprovalOutdated {
                step,
                approval,
                approver,
            } => tr!(
                lang,
                "`{step}` の文面は承認（{approval}）の後に変わったため、公表できません（statements/{step}.txt の編集、差し込む事実の変更など）。承認された文面に戻すか、{approver}の承認を改めて得てください",
                "the text of `{step}` changed after it was approved (by `{approval}`), so it cannot be posted (statements/{step}.txt edited, a fact it uses changed, …); restore the approved text, or get {approver}'s approval again"
            ),
            Refusal::FactUnchanged { fact, value } => tr!(
                lang,
                "事実 `{fact}` は既に「{value}」です",
                "the fact `{fact}` is already “{value}”"
            ),
            Refusal::FactsNeeded { step, facts } => {
                let list = facts
                    .iter()
                    .map(|(name, label)| format!("{label}（{name}）"))
                    .collect::<Vec<_>>()
                    .join("、");
                match step {
                    Some(step) => tr!(
                        lang,
                        "手順 `{step}` の前に、次の事実を記録してください: {list}",
                        "record these facts before step `{step}`: {list}"
                    ),
                    None => tr!(
                        lang,
                        "開始時に次の事実が必要です: {list}",
                        "these facts are needed at the start: {list}"
                    ),
                }
            }
            Refusal::BadEvidenceName { name } => tr!(
                lang,
                "証拠のファイル名 `{}` は使えません（evidence/ の中の単純な名前に限ります）",
                "evidence file name `{}` is not allowed (only a plain name inside evidence/)",
                crate::text::shown(name)
            ),
            Refusal::NoRecipients { step } => tr!(
                lang,
                "手順 `{step}` には宛先がありません",
                "step `{step}` has no recipients"
            ),
            Refusal::UnknownSeverity { severity, options } => tr!(
                lang,
                "重大度 `{severity}` はありません（{}）",
                "no severity `{severity}` (severities: {})",
                options.join(", ")
            ),
            Refusal::EarlierThanJournal { last, at } => tr!(
                lang,
                "この PC の時刻（{}）が記録の最後の出来事（{}）より前です。時計を確認してください",
                "this computer's time ({}) is earlier than the journal's last event ({}); check the clock",
                crate::clock::format_jst(*at, true),
                crate::clock::format_jst(*last, true)
            ),
            Refusal::NotAnExercise => tr!(
                lang,
                "この事案は訓練ではありません",
                "this incident is not an exercise"
            ),
            Refusal::ExerciseBegun { begun: true } => tr!(
                lang,
                "訓練は既に開始されています",
                "the exercise has already begun"
            ),
            Refusal::ExerciseBegun { begun: false } => tr!(
                lang,
                "訓練のシナリオが開始されていません",
                "no exercise scenario has begun on this incident"
            ),
            Refusal::InjectAlreadyFired { inject } => tr!(
                lang,
                "状況付与 `{inject}` は既に付与済みです",
                "inject `{inject}` has already been given"
            ),
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

/// " by 田中 at 14:03:05" / "田中 が 14:03:05 に": who did it first, for a refusal.
fn by_whom(lang: Lang, stamp: Option<&Stamp>) -> String {
    match stamp {
        Some(Stamp { at, by }) => {
            let at = format_jst(*at, true);
            tr!(lang, " {by} が {at} に", " by {by} at {at}")
        }
        None => String::new(),
    }
}
