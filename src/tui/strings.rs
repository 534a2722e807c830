//! Every piece of text the screen shows, in one place, in Japanese and English.

use crate::lang::Text;

const fn t(ja: &'static str, en: &'static str) -> Text {
    Text::new(ja, en)
}

/// Panel titles and labels.
// Each constant's name says which text it is.
#[allow(missing_docs)]
pub mod label {
    use super::{Text, t};
    pub const STEPS: Text = t("手順", "Steps");
    pub const DETAIL: Text = t("詳細", "Detail");
    pub const LOG: Text = t("経過", "Timeline");
    pub const HELP: Text = t("キー操作", "Keys");
    pub const ELAPSED: Text = t("経過", "elapsed");
    pub const OPERATOR: Text = t("担当", "operator");
    pub const OVERDUE: Text = t("期限超過", "overdue");
    pub const READY: Text = t("実施可", "ready");
    pub const PROGRESS: Text = t("進捗", "progress");
    pub const SEVERITY: Text = t("重大度", "severity");
    pub const OWNER: Text = t("担当", "owner");
    pub const STATUS: Text = t("状態", "status");
    pub const DUE: Text = t("期限", "due");
    pub const LEFT: Text = t("残り", "left");
    pub const LATE: Text = t("超過", "late");
    pub const SOURCE: Text = t("根拠", "source");
    pub const GUIDANCE: Text = t("手順の内容", "guidance");
    pub const CHECKLIST: Text = t(
        "チェック項目（数字キーで切替）",
        "checklist (number keys toggle)",
    );
    pub const EVIDENCE: Text = t("記録する証拠", "evidence to record");
    pub const RECORDED: Text = t("記録済みの証拠", "evidence recorded");
    pub const RECIPIENTS: Text = t("通知先", "recipients");
    pub const MESSAGES: Text = t(
        "送信状況（R 再送  c 電話連絡  A 受領確認）",
        "messages (R retry  c call  A acknowledged)",
    );
    pub const DELIVERED: Text = t("送達", "delivered");
    pub const CALLED: Text = t("電話で連絡済み", "reached by phone");
    pub const CANCELLED: Text = t("送信中止", "not sent");
    pub const SENDING: Text = t("送信中…", "sending…");
    pub const QUEUED: Text = t("送信待ち", "queued");
    pub const FAILED: Text = t("送信失敗", "failed");
    pub const RETRY_AT: Text = t("再送", "retry at");
    pub const NOT_RETRIED: Text = t("再送しない（R で再送）", "not retried (R retries)");
    pub const ACKNOWLEDGED: Text = t("受領確認", "acknowledged by");
    pub const UNDELIVERED: Text = t("未送達", "undelivered");
    pub const MAIL_DOWN: Text = t("メール送信不可（設定を確認）", "mail off (check settings)");
    pub const NEEDS_CALL: Text = t("要電話", "call needed");
    pub const OPTIONS: Text = t("選択肢", "options");
    pub const APPROVER: Text = t("承認者", "approver");
    pub const APPROVED_BY: Text = t("承認済み", "approved by");
    pub const STATEMENT: Text = t("公表文（y でコピー）", "statement (y copies it)");
    pub const DRAFT: Text = t("下書き（y でコピー）", "draft (y copies it)");
    pub const CONTACTS: Text = t("連絡先", "contacts");
    pub const AFTER_HOURS: Text = t("夜間・休日", "after hours");
    pub const EVERY: Text = t("確認間隔", "every");
    pub const NEXT_CHECK: Text = t("次回確認", "next check");
    pub const OBSERVATIONS: Text = t("観測", "observations");
    pub const WHEN: Text = t("条件", "when");
    pub const CLOSED: Text = t("終了", "closed");
}

/// Step statuses as marks and words.
// Each constant's name says which text it is.
#[allow(missing_docs)]
pub mod status {
    use super::{Text, t};
    pub const DONE: Text = t("完了", "done");
    pub const READY: Text = t("実施可", "ready");
    pub const PENDING: Text = t("待機", "pending");
    pub const SKIPPED: Text = t("省略", "skipped");
    pub const NOT_APPLICABLE: Text = t("対象外", "n/a");
}

/// Dialog titles and prompts.
// Each constant's name says which text it is.
#[allow(missing_docs)]
pub mod dialog {
    use super::{Text, t};
    pub const SKIP: Text = t("省略する理由", "Reason for skipping");
    pub const DECIDE: Text = t("判断（数字キーで選択）", "Decide (press a number)");
    pub const APPROVE: Text = t("承認した人の氏名", "Name of the approver");
    pub const REJECT: Text = t("差戻しの理由", "Reason for the rejection");
    pub const REJECT_BY: Text = t("差し戻した人の氏名", "Name of who refused");
    pub const NOTE: Text = t("メモ", "Note");
    pub const EVIDENCE: Text = t("証拠のファイルのパス又はURL", "Evidence: file path or URL");
    pub const OBSERVE: Text = t(
        "観測した内容（言及数など）",
        "What was observed (mentions, …)",
    );
    pub const HANDOVER: Text = t("交代する人の氏名", "Name of the next operator");
    pub const FORCE: Text = t(
        "準備が整う前に完了する理由（逸脱として記録）",
        "Reason to complete before ready (recorded as a deviation)",
    );
    pub const CLOSE: Text = t(
        "事案を終了する（Enter で確定）",
        "Close the incident (Enter confirms)",
    );
    pub const CLOSE_FORCE: Text = t(
        "未完了の手順があります。終了する理由",
        "Steps are still open. Reason to close",
    );
    pub const CALL: Text = t(
        "電話で伝えた内容（記録すると未送達の通知は連絡済みになります）",
        "What you told them by phone (their undelivered messages then count as reached)",
    );
    pub const ACK: Text = t("確認した人の氏名", "Name of who acknowledged it");
}

/// Messages on the message line.
// Each constant's name says which text it is.
#[allow(missing_docs)]
pub mod message {
    use super::{Text, t};
    pub const SAVED: Text = t("記録しました", "recorded");
    pub const NOTHING_TO_DO: Text = t(
        "この手順は完了・省略・対象外です",
        "this step is done, skipped or not applicable",
    );
    pub const FORCE_HINT: Text = t(
        "（f で理由を記録して強制完了）",
        "(f completes it with a recorded reason)",
    );
    pub const COPIED_TO: Text = t("保存しました", "saved to");
    pub const CLIPBOARD: Text = t(
        "クリップボードにもコピーしました",
        "also copied to the clipboard",
    );
    pub const NOTHING_TO_COPY: Text = t(
        "この手順にコピーする文面はありません",
        "this step has no text to copy",
    );
    pub const NO_ONE: Text = t(
        "この手順には対象の通知がありません",
        "no message of this step needs that",
    );
    pub const NEEDS_INPUT: Text = t("入力してください", "please type something");
    pub const ALL_DONE: Text = t(
        "全ての手順が完了しました。C で事案を終了できます",
        "every step is settled; C closes the incident",
    );
}
