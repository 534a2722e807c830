//! What the state records: a step's history, a message and where it stands, calls, the
//! exercise run. Plain data, filled in by the fold.

use chrono::{DateTime, FixedOffset};
use serde::Serialize;

use crate::incident::event::{EvidenceRecord, Letter, TargetTime};
use crate::lang::{Lang, Text};

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

    /// The status in words, the one place every face takes them from (the screen, `status`,
    /// the report).
    pub fn words(self, lang: Lang) -> &'static str {
        match self {
            StepStatus::Done => Text::new("完了", "done"),
            StepStatus::Ready => Text::new("実施可", "ready"),
            StepStatus::Pending => Text::new("待機", "pending"),
            StepStatus::Skipped => Text::new("省略", "skipped"),
            StepStatus::NotApplicable => Text::new("対象外", "n/a"),
        }
        .get(lang)
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
    /// A post: the statement as published at its last completion.
    pub posted: Option<crate::incident::event::PostedText>,
    /// Skipped: when, by whom, why (cleared by a reopen).
    pub skipped: Option<Remark>,
    /// A decision's current answer (index into its options).
    pub answer: Option<usize>,
    /// Every answer given, in order, with its reason.
    pub answers: Vec<Remark>,
    /// A notify step: the recipients the operator added at run time.
    pub added_to: Vec<String>,
    /// The approval in force (cleared by a rejection or reopen).
    pub approval: Option<Stamp>,
    /// An approval step: the statements its approval covers, with their texts' hashes.
    pub approved_texts: Vec<crate::incident::event::ApprovedText>,
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
    /// The acknowledgement in force, if any (cleared by a withdrawal).
    pub acknowledged: Option<Remark>,
    /// Acknowledgements taken back: when, by whom, why.
    pub withdrawn: Vec<Remark>,
    /// The replies counted for it (mail matched by its code, thread and sender).
    pub replies: Vec<crate::incident::event::Reply>,
    /// Replies to an approval request that came before its step could be approved: counted
    /// when it can be.
    pub held: Vec<crate::incident::event::Reply>,
    /// Replies from its addressee that counted as nothing, and why.
    pub uncounted: Vec<(
        crate::incident::event::ReplyIssue,
        crate::incident::event::Reply,
    )>,
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

    /// Where the message stands in words, the one place every face takes them from (the
    /// screen, `outbox`, the yearly summary); each face adds its own details (when, why).
    pub fn words(self, lang: Lang) -> &'static str {
        match self {
            Phase::Sent => Text::new("送達", "delivered"),
            Phase::Called => Text::new("電話で連絡済み", "reached by phone"),
            Phase::Cancelled => Text::new("送信中止", "not sent"),
            Phase::Pending => Text::new("送信待ち", "queued"),
            Phase::Failed => Text::new("送信失敗", "failed"),
            Phase::FailedPermanent => Text::new("送信失敗・再送しない", "failed, not retried"),
        }
        .get(lang)
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
    pub targets: Vec<TargetTime>,
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every variant, each listed by an exhaustive match (a new variant does not compile
    /// until it is placed here, and then its words are checked below).
    fn every_phase() -> Vec<Phase> {
        let place = |p: Phase| match p {
            Phase::Sent => 0,
            Phase::Called => 1,
            Phase::Cancelled => 2,
            Phase::Pending => 3,
            Phase::Failed => 4,
            Phase::FailedPermanent => 5,
        };
        let all = vec![
            Phase::Sent,
            Phase::Called,
            Phase::Cancelled,
            Phase::Pending,
            Phase::Failed,
            Phase::FailedPermanent,
        ];
        assert!(all.iter().enumerate().all(|(i, p)| place(*p) == i));
        all
    }

    fn every_status() -> Vec<StepStatus> {
        let place = |s: StepStatus| match s {
            StepStatus::Pending => 0,
            StepStatus::Ready => 1,
            StepStatus::Done => 2,
            StepStatus::Skipped => 3,
            StepStatus::NotApplicable => 4,
        };
        let all = vec![
            StepStatus::Pending,
            StepStatus::Ready,
            StepStatus::Done,
            StepStatus::Skipped,
            StepStatus::NotApplicable,
        ];
        assert!(all.iter().enumerate().all(|(i, s)| place(*s) == i));
        all
    }

    /// Words in both languages, different for each variant (two states never read alike).
    fn words_are_complete<T: Copy>(all: &[T], words: impl Fn(T, Lang) -> &'static str) {
        for lang in [Lang::Ja, Lang::En] {
            let mut seen: Vec<&str> = all.iter().map(|v| words(*v, lang)).collect();
            assert!(seen.iter().all(|w| !w.trim().is_empty()), "{seen:?}");
            seen.sort_unstable();
            seen.dedup();
            assert_eq!(seen.len(), all.len(), "{lang:?}: two variants share words");
        }
        let japanese = |v: T| !words(v, Lang::Ja).is_ascii();
        assert!(all.iter().all(|v| japanese(*v)));
        assert!(all.iter().all(|v| words(*v, Lang::En).is_ascii()));
    }

    #[test]
    fn every_message_phase_has_words_in_both_languages() {
        words_are_complete(&every_phase(), Phase::words);
    }

    #[test]
    fn every_step_status_has_words_in_both_languages() {
        words_are_complete(&every_status(), StepStatus::words);
    }

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
                reply_code: None,
                channel: None,
                also: Vec::new(),
                approval: None,
                answers: None,
            },
            queued: Stamp {
                at,
                by: "田中".into(),
            },
            delivery,
            failures: Vec::new(),
            acknowledged: None,
            withdrawn: Vec::new(),
            replies: Vec::new(),
            held: Vec::new(),
            uncounted: Vec::new(),
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
