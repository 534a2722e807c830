//! Events: what happened in an incident, as recorded in the journal. State is a fold over them.

use chrono::{DateTime, FixedOffset};
use serde::de::value::{BorrowedStrDeserializer, MapAccessDeserializer};
use serde::de::{DeserializeSeed, MapAccess};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use std::collections::BTreeMap;

use crate::playbook::Platform;

/// A piece of evidence as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EvidenceRecord {
    /// A file copied into the incident's `evidence/` folder.
    File {
        /// Its name inside `evidence/`.
        name: String,
        /// The path it was copied from.
        original: String,
        /// SHA-256 of its content.
        sha256: String,
        /// Its size.
        bytes: u64,
    },
    /// A URL.
    Url {
        /// The URL.
        url: String,
    },
}

/// What a new incident is about: given to [`crate::incident::Incident::start`], carried by
/// the start command and journalled in `incident_started` (its fields sit in that event's
/// payload as they always have).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartParams {
    /// Incident title (e.g. `公式Xアカウントの乗っ取り`).
    pub title: String,
    /// The affected account (e.g. `@city_official`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// The affected platform.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
    /// The duty officer.
    pub operator: String,
    /// Severity, if known at the start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    /// A drill (訓練): every message is marked 【訓練】.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub exercise: bool,
    /// The playbook's declared facts known at the start (`--fact name=value`), as recorded.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub facts: BTreeMap<String, String>,
    /// Where the playbook and the directory were read from before they were frozen into the
    /// folder (journals from before this field have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

/// Where an incident's playbook and directory came from: a file's absolute path, or the
/// embedded name of a stock one (`<embedded>/playbooks/unauthorized-access.yaml`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Origin {
    /// The playbook file.
    pub playbook: String,
    /// The divisions file.
    pub divisions: String,
}

/// One message to one division or role, as composed and saved in `outbox/`. Written once
/// here and carried by the queue command, `notification_queued` (flattened: the payload's
/// fields are unchanged), the state's message record and the outbox listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Letter {
    /// The division or role it is for.
    pub to: String,
    /// The address it goes to.
    pub address: String,
    /// Its subject as sent.
    pub subject: String,
    /// The .eml file, relative to the incident folder.
    pub file: String,
    /// SHA-256 of the .eml file.
    pub sha256: String,
    /// Its `Message-ID` (without angle brackets).
    pub message_id: String,
    /// The code in its subject (`HK-7H3K9Q2M`) that a reply must carry to count; journals
    /// from before reply codes have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_code: Option<String>,
    /// A chat post rather than a mail: the channel's name in hikeshi.toml (`[channels.NAME]`).
    /// Its `address` is then `kind:name` (`teams:koho-room`), never the URL, and its `file`
    /// the JSON posted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// Other recipients of the step at the same address, told by this one message (所属長,
    /// 投稿管理者 and 発信管理者 are often one person, who gets one mail, not three).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<String>,
    /// An approval request (`hikeshi request-approval`): the texts it asks the approver to
    /// approve, each with its hash when asked. A reply 承認 approves them if they still read
    /// so; 却下 with a reason refuses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval: Option<Vec<ApprovedText>>,
    /// An answer to a reply that counted as nothing (its Message-ID): tells the replier why
    /// and what to reply. Not one of its step's messages (nobody is told of the incident by it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answers: Option<String>,
}

/// A statement's text as an approval step approved it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovedText {
    /// The post step.
    pub step: String,
    /// SHA-256 of the statement's template and the values it was filled with (all but the
    /// time of posting).
    pub sha256: String,
}

/// A public statement as the operator published it (a post step's completion).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostedText {
    /// The text, exactly as published.
    pub text: String,
    /// SHA-256 of the text's UTF-8 bytes.
    pub sha256: String,
    /// The file in the incident folder it was taken from (`statements/<step>.txt`), if the
    /// operator edited it there; none when it is the playbook's statement filled in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
}

/// What a reply said, by the words its writer wrote (`notify::reading`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// 了解 / 確認しました / 受領: the message was read.
    Acknowledged,
    /// 承認 / 了承 / OK.
    Approved,
    /// 却下 / 不可, with a reason.
    Rejected,
    /// Nothing that counts: why.
    Unclear(Unclear),
}

/// Why a reply's words decide nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unclear {
    /// No words of its writer's own (only quoted text, a signature, or nothing).
    Empty,
    /// Its first line is none of the answers that count.
    NotAnAnswer,
    /// The answer is negated, questioned or made conditional (承認できません, OK？, 承認、ただし…).
    Qualified,
    /// 却下 without a reason.
    NoReason,
    /// Its plain-text and HTML parts say different things.
    PartsDisagree,
    /// Its HTML part hides text by style-sheet rules hikeshi does not follow.
    HiddenText,
}

/// Why a reply from the right person, in the right thread, counts as nothing. The replier is
/// told (an answer in the same thread).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReplyIssue {
    /// Its words decide nothing (the reply's verdict says why).
    Unclear,
    /// An approval or a rejection of a message that asked for none.
    NotAnApprovalRequest,
    /// An acknowledgement of an approval request, which needs 承認 or 却下.
    NeedsAnswer,
    /// The texts to approve changed after the request.
    TextChanged,
    /// The step was done or skipped already.
    StepSettled,
    /// The step does not apply to this incident (any more).
    NotApplicable,
    /// The request it answers was decided already (approved, refused) or a newer request
    /// replaced it.
    Superseded,
    /// Held for its step, then a later reply from the same person came: their last words
    /// count, not these.
    Replaced,
}

/// A reply mail to one of the incident's messages, as received and saved under `inbox/`:
/// the replier's own act, recorded with their address, name and the reply's Message-ID.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reply {
    /// The address it came from (the message's recipient).
    pub from: String,
    /// The replier's name (the From header's name, else the division or role).
    pub name: String,
    /// The reply's own `Message-ID` (without angle brackets).
    pub reply_id: String,
    /// The saved reply, relative to the incident folder.
    pub file: String,
    /// SHA-256 of the saved reply.
    pub sha256: String,
    /// What it said.
    pub verdict: Verdict,
    /// The rest of the deciding line (a rejection's reason).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The deciding line as its writer wrote it (cleaned, at most 200 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<String>,
}

/// Everything that can happen in an incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "payload", rename_all = "snake_case")]
pub enum Event {
    /// The incident was opened.
    IncidentStarted {
        /// Playbook id.
        playbook: String,
        /// Playbook title.
        playbook_title: String,
        /// Playbook version.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        playbook_version: Option<String>,
        /// SHA-256 of the frozen playbook.yaml.
        playbook_sha256: String,
        /// SHA-256 of the frozen divisions.yaml.
        divisions_sha256: String,
        /// What the incident is about, as given at the start.
        #[serde(flatten)]
        params: StartParams,
    },
    /// A step was completed.
    StepCompleted {
        /// Step id.
        step: String,
        /// What the operator noted.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
        /// Completed although not ready: the reason (a recorded deviation).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        forced: Option<String>,
        /// A post step: the statement as it was published, at the moment of posting.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        posted: Option<PostedText>,
    },
    /// A step was skipped.
    StepSkipped {
        /// Step id.
        step: String,
        /// Why.
        reason: String,
    },
    /// A decision was made (or changed).
    DecisionMade {
        /// Decision step id.
        step: String,
        /// The option chosen.
        option: String,
        /// Why (required when changing an earlier answer).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
        /// The earlier answer, when this changes it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        previous: Option<String>,
        /// Decided although not ready: the reason (a recorded deviation).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        forced: Option<String>,
    },
    /// An approval (決裁) was given.
    ApprovalGiven {
        /// Step id.
        step: String,
        /// Who approved.
        by: String,
        /// An approval step: the statements it approves (`approved_in`), each with the hash
        /// of its text as approved; a changed text is no longer covered.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        texts: Vec<ApprovedText>,
        /// Given by a reply to this approval request (its message number): the approver's
        /// own act, with the reply on record (`reply_recorded`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reply: Option<u32>,
    },
    /// An approval was refused.
    ApprovalRejected {
        /// Step id.
        step: String,
        /// Who refused.
        by: String,
        /// Why.
        reason: String,
        /// Refused by a reply to this approval request (its message number).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reply: Option<u32>,
    },
    /// A checklist item of a step was ticked or unticked.
    ChecklistChecked {
        /// Step id.
        step: String,
        /// Index of the item in the step's checklist.
        item: usize,
        /// Ticked (true) or unticked.
        checked: bool,
    },
    /// A monitor check was recorded.
    ObservationRecorded {
        /// Monitor step id.
        step: String,
        /// What was observed.
        text: String,
    },
    /// A done or skipped step was opened again.
    StepReopened {
        /// Step id.
        step: String,
        /// Why.
        reason: String,
    },
    /// A free note.
    NoteAdded {
        /// The note.
        text: String,
        /// The step it is about, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        step: Option<String>,
    },
    /// Evidence was recorded.
    EvidenceAttached {
        /// Step id.
        step: String,
        /// The file or URL.
        evidence: EvidenceRecord,
        /// What it shows.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// The duty passed to another operator (交代).
    HandedOver {
        /// The operator before.
        from: String,
        /// The operator after.
        to: String,
        /// The handover summary as shown to both.
        summary: String,
    },
    /// A message was composed, saved to `outbox/` and queued for delivery.
    NotificationQueued {
        /// Its number in the incident (from 1).
        message: u32,
        /// The notify step.
        step: String,
        /// Who it is for and where its bytes are.
        #[serde(flatten)]
        letter: Letter,
    },
    /// A message was delivered: accepted by the SMTP server, or written to the outbox.
    NotificationSent {
        /// The message number.
        message: u32,
        /// `smtp` or `file`.
        transport: String,
        /// The server's reply (or where the file is).
        reply: String,
    },
    /// A delivery attempt failed.
    NotificationFailed {
        /// The message number.
        message: u32,
        /// Which attempt (from 1).
        attempt: u32,
        /// What went wrong.
        error: String,
        /// A permanent failure (5xx): not retried until the operator asks.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        permanent: bool,
        /// When it will be retried (transient failures).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        next_retry: Option<DateTime<FixedOffset>>,
    },
    /// The recipient acknowledged a message.
    NotificationAcknowledged {
        /// The message number.
        message: u32,
        /// Who acknowledged.
        by: String,
        /// How or what they said.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// An acknowledgement was taken back (recorded for the wrong recipient, or by mistake):
    /// the message is unacknowledged again.
    AcknowledgementWithdrawn {
        /// The message number.
        message: u32,
        /// Why.
        reason: String,
    },
    /// A reply mail to a message was matched and counted: the replier's own act.
    ReplyRecorded {
        /// The message it answers.
        message: u32,
        /// The reply.
        #[serde(flatten)]
        reply: Reply,
    },
    /// A reply that answers an approval request before its step can be approved: kept, and
    /// counted when the step becomes actionable if the texts still read as asked.
    ReplyHeld {
        /// The message it answers.
        message: u32,
        /// The reply.
        #[serde(flatten)]
        reply: Reply,
    },
    /// A reply from the message's addressee, in its thread, that counts as nothing (kept as
    /// received; the replier is told in an answer queued with it).
    ReplyNotCounted {
        /// The message it answers.
        message: u32,
        /// Why it counts as nothing.
        issue: ReplyIssue,
        /// The reply.
        #[serde(flatten)]
        reply: Reply,
    },
    /// A division or role was reached by phone (instead of, or as well as, mail).
    DivisionCalled {
        /// The division or role.
        division: String,
        /// The number shown for the call.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        number: Option<String>,
        /// What was said.
        note: String,
        /// The names of the messages the call reaches besides `division` itself: the parts
        /// the called division plays, and names sharing its address (one person, several
        /// roles). Empty in journals from before parts.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        covers: Vec<String>,
    },
    /// The affected account or platform became known or changed (e.g. told by an inject).
    AccountIdentified {
        /// The account, if it changed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        account: Option<String>,
        /// The platform, if it changed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        platform: Option<Platform>,
    },
    /// The operator added recipients to a notify step (from its `add_to`).
    RecipientsAdded {
        /// The notify step.
        step: String,
        /// The divisions or roles added.
        to: Vec<String>,
    },
    /// A declared fact of the incident was set or changed (by the operator or an inject).
    FactSet {
        /// The fact's name.
        fact: String,
        /// Its value as recorded.
        value: String,
        /// The value before, when this changes it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        previous: Option<String>,
    },
    /// A tabletop exercise began on this incident: the scenario (frozen as `scenario.yaml`)
    /// and the target times it is scored against.
    ExerciseBegan {
        /// Scenario id.
        scenario: String,
        /// Scenario title.
        title: String,
        /// SHA-256 of the frozen scenario.yaml.
        scenario_sha256: String,
        /// Mail goes over SMTP (`--live-mail`) rather than only to the outbox.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        live_mail: bool,
        /// Target completion times, from the start of the exercise.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        targets: Vec<TargetTime>,
    },
    /// An inject (状況付与) was given to the participants.
    InjectFired {
        /// Inject id.
        inject: String,
        /// Its headline.
        title: String,
        /// What the participants are told.
        text: String,
        /// When the scenario schedules it, in seconds from the start.
        at_seconds: i64,
        /// Fired early by the facilitator.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        early: bool,
    },
    /// The lessons learned after an exercise (振り返り).
    ReviewRecorded {
        /// What went well (良かった点).
        good: String,
        /// What was difficult (課題).
        issues: String,
        /// What to change (改善策).
        improvements: String,
    },
    /// The incident was closed.
    IncidentClosed {
        /// Closed with steps still open: why.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
        /// Steps still open when it was closed.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        open_steps: Vec<String>,
        /// Messages not delivered when it was closed (they are not sent afterwards).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        undelivered: Vec<u32>,
    },
}

/// A step's target completion time in an exercise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetTime {
    /// Step id.
    pub step: String,
    /// Seconds from the start of the exercise.
    pub seconds: i64,
}

/// Presents a kind and a payload as the `{"kind": …, "payload": …}` map the adjacently
/// tagged `Event` expects, without building that text.
struct KindAndPayload<'a> {
    kind: &'a str,
    payload: &'a str,
    next: u8,
}

impl<'de> MapAccess<'de> for KindAndPayload<'de> {
    type Error = serde_json::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Self::Error> {
        let key = match self.next {
            0 => "kind",
            1 => "payload",
            _ => return Ok(None),
        };
        seed.deserialize(BorrowedStrDeserializer::new(key))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, Self::Error> {
        self.next += 1;
        if self.next == 1 {
            return seed.deserialize(BorrowedStrDeserializer::new(self.kind));
        }
        let mut json = serde_json::Deserializer::from_str(self.payload);
        let value = seed.deserialize(&mut json)?;
        json.end()?;
        Ok(value)
    }
}

#[derive(Deserialize)]
struct Tagged<'a> {
    #[serde(borrow)]
    kind: &'a str,
    #[serde(borrow)]
    payload: &'a RawValue,
}

/// An event that could not be encoded or decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("event `{kind}`: {reason}")]
pub struct EventCodecError {
    /// The event kind.
    pub kind: String,
    /// What went wrong.
    pub reason: String,
}

impl Event {
    /// Splits the event into its kind and its payload as JSON text, for the journal.
    pub fn encode(&self) -> Result<(String, String), EventCodecError> {
        let err = |reason: String| EventCodecError {
            kind: "?".into(),
            reason,
        };
        let whole = serde_json::to_string(self).map_err(|e| err(e.to_string()))?;
        let tagged: Tagged<'_> = serde_json::from_str(&whole).map_err(|e| err(e.to_string()))?;
        Ok((tagged.kind.to_string(), tagged.payload.get().to_string()))
    }

    /// Rebuilds an event from a journal entry's kind and payload, parsing the payload once,
    /// in place (replay decodes every event of a journal this way).
    pub fn decode(kind: &str, payload: &str) -> Result<Event, EventCodecError> {
        Event::deserialize(MapAccessDeserializer::new(KindAndPayload {
            kind,
            payload,
            next: 0,
        }))
        .map_err(|e| EventCodecError {
            kind: kind.into(),
            reason: e.to_string(),
        })
    }

    /// The step the event is about, if any.
    pub fn step(&self) -> Option<&str> {
        match self {
            Event::StepCompleted { step, .. }
            | Event::StepSkipped { step, .. }
            | Event::DecisionMade { step, .. }
            | Event::ApprovalGiven { step, .. }
            | Event::ApprovalRejected { step, .. }
            | Event::ObservationRecorded { step, .. }
            | Event::ChecklistChecked { step, .. }
            | Event::StepReopened { step, .. }
            | Event::EvidenceAttached { step, .. }
            | Event::RecipientsAdded { step, .. } => Some(step),
            Event::NoteAdded { step, .. } => step.as_deref(),
            Event::NotificationQueued { step, .. } => Some(step),
            Event::IncidentStarted { .. }
            | Event::NotificationSent { .. }
            | Event::NotificationFailed { .. }
            | Event::NotificationAcknowledged { .. }
            | Event::AcknowledgementWithdrawn { .. }
            | Event::ReplyRecorded { .. }
            | Event::ReplyHeld { .. }
            | Event::ReplyNotCounted { .. }
            | Event::DivisionCalled { .. }
            | Event::HandedOver { .. }
            | Event::AccountIdentified { .. }
            | Event::FactSet { .. }
            | Event::ExerciseBegan { .. }
            | Event::InjectFired { .. }
            | Event::ReviewRecorded { .. }
            | Event::IncidentClosed { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_round_trip_through_kind_and_payload() {
        let events = [
            Event::StepCompleted {
                step: "change-password".into(),
                note: Some("変更済み".into()),
                forced: None,
                posted: None,
            },
            Event::StepCompleted {
                step: "takeover-notice".into(),
                note: None,
                forced: None,
                posted: Some(PostedText {
                    text: "【重要】本市公式アカウントの乗っ取りについて\n（正）11月24日".into(),
                    sha256: "0".repeat(64),
                    file: Some("statements/takeover-notice.txt".into()),
                }),
            },
            Event::EvidenceAttached {
                step: "detect".into(),
                evidence: EvidenceRecord::Url {
                    url: "https://x.example/status/1".into(),
                },
                note: None,
            },
            Event::IncidentClosed {
                reason: None,
                open_steps: vec![],
                undelivered: vec![],
            },
        ];
        for e in events {
            let (kind, payload) = e.encode().unwrap();
            assert!(!payload.contains("null"), "{payload}");
            assert_eq!(Event::decode(&kind, &payload).unwrap(), e);
        }
        let (kind, payload) = Event::StepSkipped {
            step: "a".into(),
            reason: "不要".into(),
        }
        .encode()
        .unwrap();
        assert_eq!(kind, "step_skipped");
        assert_eq!(payload, r#"{"step":"a","reason":"不要"}"#);
    }

    /// The start's facts and a message's letter are flattened: their payloads are the very
    /// text journals have always held, so old journals replay and verify.
    #[test]
    fn shared_records_keep_the_journal_payload() {
        let started = r#"{"playbook":"p","playbook_title":"P","playbook_sha256":"a","divisions_sha256":"b","title":"乗っ取り","platform":"x","operator":"佐藤","exercise":true}"#;
        let queued = r#"{"message":3,"step":"tell","to":"所属長","address":"a@example.jp","subject":"件名","file":"outbox/0003-tell.eml","sha256":"c","message_id":"m@example.jp"}"#;
        for (kind, payload) in [
            ("incident_started", started),
            ("notification_queued", queued),
        ] {
            let event = Event::decode(kind, payload).unwrap();
            assert_eq!(
                event.encode().unwrap(),
                (kind.to_string(), payload.to_string())
            );
        }
        let Event::NotificationQueued { letter, .. } =
            Event::decode("notification_queued", queued).unwrap()
        else {
            panic!("not a queued message");
        };
        assert_eq!(letter.to, "所属長");
        let Event::IncidentStarted { params, .. } =
            Event::decode("incident_started", started).unwrap()
        else {
            panic!("not a start");
        };
        assert_eq!(params.platform, Some(Platform::X));
        assert_eq!((params.account, params.exercise), (None, true));
    }

    #[test]
    fn unknown_kinds_are_errors() {
        assert!(Event::decode("step_exploded", "{}").is_err());
    }
}
