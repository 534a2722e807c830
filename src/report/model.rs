//! The report's content: everything the 事案報告書 says, built only from the journal and the
//! frozen playbook. Every format renders this one model; `--format json` is it as JSON.

use chrono::{DateTime, FixedOffset};
use schemars::JsonSchema;
use serde::Serialize;

use crate::incident::AuditedIncident;
use crate::incident::state::StepStatus;
use crate::incident::status::PlaybookInfo;
use crate::lang::Lang;
use crate::tr;

/// The format version of the report's JSON.
pub const FORMAT: u32 = 1;

/// A 事案報告書.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(title = "hikeshi report")]
pub struct Report {
    /// The format version of this JSON (1).
    pub format: u32,
    /// When the report was made.
    pub generated_at: DateTime<FixedOffset>,
    /// The language of its sentences: `ja` or `en`.
    pub lang: String,
    /// The incident id (its folder name).
    pub incident: String,
    /// A drill (訓練), not a real incident.
    pub exercise: bool,
    /// Whether the record can be trusted: the hash chain and the frozen files.
    pub integrity: Integrity,
    /// What happened, in brief.
    pub overview: Overview,
    /// 経過: every event in order.
    pub timeline: Vec<TimelineEntry>,
    /// Every step of the playbook and what became of it.
    pub steps: Vec<StepRow>,
    /// Every message sent (or not).
    pub notifications: Vec<NotificationRow>,
    /// Phone calls to divisions.
    pub calls: Vec<CallRow>,
    /// The public statements (公表文) and who approved them.
    pub statements: Vec<StatementRow>,
    /// Evidence recorded.
    pub evidence: Vec<EvidenceRow>,
    /// The tabletop exercise: scenario, injects, score and review (exercises only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drill: Option<Drill>,
}

/// A tabletop exercise as the report shows it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Drill {
    /// Scenario id.
    pub scenario: String,
    /// Scenario title.
    pub title: String,
    /// SHA-256 of the frozen scenario.yaml, as journalled.
    pub scenario_sha256: String,
    /// The frozen scenario.yaml still has that hash.
    pub scenario_verified: bool,
    /// Mail and chat posts left the machine (`--live`).
    pub live_mail: bool,
    /// The situation at the start (from the frozen scenario).
    pub narrative: Option<String>,
    /// Participants and their roles (from the frozen scenario).
    pub participants: Vec<String>,
    /// Injects given, in order.
    pub injects: Vec<InjectRow>,
    /// The score, 0–100.
    pub score: u32,
    /// How it was computed, with the counts.
    pub formula: String,
    /// Each step with a target, and each step skipped or forced.
    pub targets: Vec<TargetRow>,
    /// Divisions notified late or not at all.
    pub notices: Vec<NoticeRow>,
    /// The reviews (振り返り), the last one current.
    pub reviews: Vec<ReviewRow>,
}

/// An inject as given.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct InjectRow {
    /// Inject id.
    pub id: String,
    /// Headline.
    pub title: String,
    /// Text.
    pub text: String,
    /// Scheduled, in seconds from the start.
    pub scheduled_seconds: i64,
    /// When it was given.
    pub at: DateTime<FixedOffset>,
    /// Given early by the facilitator.
    pub early: bool,
}

/// A step against its target.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TargetRow {
    /// Step id.
    pub step: String,
    /// Step title.
    pub title: String,
    /// Target, seconds from the start.
    pub target_seconds: Option<i64>,
    /// Done (or skipped), seconds from the start.
    pub actual_seconds: Option<i64>,
    /// `on_time`, `late`, `missed`, `done`, `open`, `skipped`, `not_applicable`.
    pub verdict: String,
    /// The verdict in words.
    pub verdict_text: String,
    /// Completed or decided by force.
    pub forced: bool,
}

/// A division notified late or not at all.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct NoticeRow {
    /// The notify step.
    pub step: String,
    /// The division or role.
    pub to: String,
    /// The deadline.
    pub deadline: Option<DateTime<FixedOffset>>,
    /// When first delivered or phoned.
    pub reached: Option<DateTime<FixedOffset>>,
    /// The verdict in words.
    pub verdict_text: String,
}

/// A review (振り返り).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ReviewRow {
    /// When.
    pub at: DateTime<FixedOffset>,
    /// Who recorded it.
    pub by: String,
    /// 良かった点.
    pub good: String,
    /// 課題.
    pub issues: String,
    /// 改善策.
    pub improvements: String,
}

/// The exercise section, if the incident is one.
pub(super) fn drill(
    audited: &AuditedIncident,
    lang: Lang,
    now: DateTime<FixedOffset>,
    problems: &mut Vec<IntegrityProblem>,
) -> Option<Drill> {
    use crate::exercise::score::{NoticeVerdict, StepVerdict};
    let record = &audited.record;
    let state = &record.state;
    let run = state.run.as_ref()?;
    let score = crate::exercise::score(state, &record.playbook, now)?;
    let frozen = record.frozen_scenario()?;
    let scenario_verified = frozen.verified;
    if !scenario_verified {
        problems.push(IntegrityProblem {
            line: None,
            seq: None,
            description: tr!(
                lang,
                "訓練シナリオ（scenario.yaml）が無いか、開始時の内容と異なります",
                "the exercise scenario (scenario.yaml) is missing or differs from the one the exercise began with"
            ),
        });
    }
    let parsed = frozen.text.ok().and_then(|t| {
        let source = crate::playbook::SourceFile::new("scenario.yaml", t);
        crate::exercise::scenario::parse(&source, &crate::playbook::Limits::default()).ok()
    });
    let verdict_name = |v: StepVerdict| {
        serde_json::to_value(v)
            .ok()
            .and_then(|j| j.as_str().map(str::to_string))
            .unwrap_or_default()
    };
    Some(Drill {
        scenario: run.scenario.clone(),
        title: run.title.clone(),
        scenario_sha256: run.scenario_sha256.clone(),
        scenario_verified,
        live_mail: run.live_mail,
        narrative: parsed.as_ref().map(|p| p.narrative.trim_end().to_string()),
        participants: parsed
            .as_ref()
            .map(|p| {
                p.participants
                    .iter()
                    .map(|x| match (&x.name, &x.tasks) {
                        (Some(n), Some(t)) => format!("{}（{n}）: {t}", x.role),
                        (Some(n), None) => format!("{}（{n}）", x.role),
                        (None, Some(t)) => format!("{}: {t}", x.role),
                        (None, None) => x.role.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        injects: run
            .injects
            .iter()
            .map(|i| InjectRow {
                id: i.id.clone(),
                title: i.title.clone(),
                text: i.text.trim_end().to_string(),
                scheduled_seconds: i.at_seconds,
                at: i.fired.at,
                early: i.early,
            })
            .collect(),
        score: score.total,
        formula: score.formula(lang),
        targets: score
            .steps
            .iter()
            .filter(|s| s.target_seconds.is_some() || s.forced || s.verdict == StepVerdict::Skipped)
            .map(|s| TargetRow {
                step: s.step.clone(),
                title: s.title.clone(),
                target_seconds: s.target_seconds,
                actual_seconds: s.actual_seconds,
                verdict: verdict_name(s.verdict),
                verdict_text: s.verdict.label(lang).to_string(),
                forced: s.forced,
            })
            .collect(),
        notices: score
            .notices
            .iter()
            .filter(|n| n.verdict != NoticeVerdict::OnTime)
            .map(|n| NoticeRow {
                step: n.step.clone(),
                to: n.to.clone(),
                deadline: n.deadline,
                reached: n.reached,
                verdict_text: n.verdict.label(lang).to_string(),
            })
            .collect(),
        reviews: run
            .reviews
            .iter()
            .map(|r| ReviewRow {
                at: r.recorded.at,
                by: r.recorded.by.clone(),
                good: r.good.clone(),
                issues: r.issues.clone(),
                improvements: r.improvements.clone(),
            })
            .collect(),
    })
}

/// The journal's verification.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Integrity {
    /// Every line verified, and the frozen files are the ones the start recorded.
    pub verified: bool,
    /// Journal entries read.
    pub entries: u64,
    /// Hash of the first entry.
    pub first_hash: Option<String>,
    /// Hash of the last entry (the chain head).
    pub last_hash: String,
    /// The head as a witness line, `X-Hikeshi-Report: <incident> <seq> <sha256>`: a copy of
    /// this report lets `hikeshi verify --witness` show that the journal was later cut back.
    pub witness: String,
    /// SHA-256 of the frozen playbook.yaml.
    pub playbook_sha256: String,
    /// What did not verify.
    pub problems: Vec<IntegrityProblem>,
    /// Entries whose time is earlier than an entry before them: the record's time runs
    /// backwards there (a clock set wrong, `--allow-earlier-time`, or an edit).
    pub out_of_order: Vec<IntegrityProblem>,
    /// Bytes of an unfinished last line (a crash while writing), if any.
    pub torn_bytes: Option<usize>,
}

/// One thing that did not verify.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct IntegrityProblem {
    /// The journal line, if the problem is in one.
    pub line: Option<usize>,
    /// Its sequence number.
    pub seq: Option<u64>,
    /// What is wrong.
    pub description: String,
}

impl IntegrityProblem {
    /// The problem as one line of a warning: `line 3 (seq 3): what is wrong`.
    pub fn line_text(&self) -> String {
        match (self.line, self.seq) {
            (Some(l), Some(s)) => format!("line {l} (seq {s}): {}", self.description),
            (Some(l), None) => format!("line {l}: {}", self.description),
            _ => self.description.clone(),
        }
    }
}

/// The overview.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Overview {
    /// The incident's title.
    pub title: String,
    /// The playbook followed.
    pub playbook: PlaybookInfo,
    /// The organisation.
    pub organization: String,
    /// The affected account.
    pub account: Option<String>,
    /// The affected platform, by name.
    pub platform: Option<String>,
    /// Start.
    pub started_at: Option<DateTime<FixedOffset>>,
    /// Close, if closed.
    pub closed_at: Option<DateTime<FixedOffset>>,
    /// Why it was closed with steps open, if it was.
    pub close_reason: Option<String>,
    /// Seconds from start to close (or to the last event if open).
    pub duration_seconds: i64,
    /// Everyone who was on duty, in order.
    pub operators: Vec<String>,
    /// Handovers (交代).
    pub handovers: Vec<HandoverRow>,
    /// The severity in force at the end, by title.
    pub severity: Option<String>,
    /// Every decision taken, in order (changes included).
    pub decisions: Vec<DecisionRow>,
    /// The guideline clauses of the steps that were done.
    pub clauses: Vec<ClauseGroup>,
    /// The steps done that rest on practice, not on a guideline clause.
    pub practice: Vec<PracticeRow>,
    /// The clauses steps done depart from on purpose, with the reason: not followed, and
    /// said so.
    pub departures: Vec<DepartureRow>,
    /// Steps by status at the end.
    pub progress: ProgressRow,
}

/// A handover.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct HandoverRow {
    /// When.
    pub at: DateTime<FixedOffset>,
    /// From whom.
    pub from: String,
    /// To whom.
    pub to: String,
}

/// A decision taken.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct DecisionRow {
    /// The decision step.
    pub step: String,
    /// Its question.
    pub question: String,
    /// The option chosen (id).
    pub option: String,
    /// The option chosen (title).
    pub answer: String,
    /// The earlier answer it replaced (title), if it changed one.
    pub previous: Option<String>,
    /// When.
    pub at: DateTime<FixedOffset>,
    /// By whom.
    pub by: String,
    /// Why.
    pub reason: Option<String>,
    /// Whether its journal line verified.
    pub verified: bool,
}

/// The clauses of one guideline document that the steps done cite.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ClauseGroup {
    /// The document's id in the playbook.
    pub source: String,
    /// Its title.
    pub title: String,
    /// Its issuer.
    pub issuer: Option<String>,
    /// The clauses, in playbook order, each once.
    pub clauses: Vec<String>,
    /// The clauses whose words the playbook quotes, each once, with their words.
    pub quoted: Vec<QuotedClause>,
}

/// A clause cited, with its own words.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct QuotedClause {
    /// The clause (e.g. `7(1)`).
    pub clause: String,
    /// Its words.
    pub text: String,
}

/// A step done that rests on practice rather than a guideline clause (`basis: practice`).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PracticeRow {
    /// The step id.
    pub step: String,
    /// Its title.
    pub title: String,
    /// Why it is done, as the playbook says.
    pub reason: String,
}

/// A guideline clause a step done departs from on purpose (`departs_from`).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct DepartureRow {
    /// The step id.
    pub step: String,
    /// Its title.
    pub title: String,
    /// The document's title.
    pub document: String,
    /// The clause (e.g. `4(4)`).
    pub clause: String,
    /// The clause's words, if the playbook quotes them.
    pub text: Option<String>,
    /// Why the step does not follow it, as the playbook says.
    pub reason: String,
}

/// Steps by status.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ProgressRow {
    /// Done.
    pub done: usize,
    /// Skipped.
    pub skipped: usize,
    /// Not applicable.
    pub not_applicable: usize,
    /// Still open.
    pub open: usize,
    /// All steps.
    pub total: usize,
}

/// One event of the timeline (one line of the journal).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TimelineEntry {
    /// The line in journal.jsonl.
    pub line: usize,
    /// Sequence number in the journal (none for a line that cannot be read).
    pub seq: Option<u64>,
    /// When (none for a line that cannot be read).
    pub time: Option<DateTime<FixedOffset>>,
    /// When, as people read it: Japan time, `YYYY-MM-DD HH:MM:SS`.
    pub time_text: String,
    /// Who.
    pub actor: String,
    /// The event kind (for machines; people read `text`).
    pub kind: String,
    /// The step it is about.
    pub step: Option<String>,
    /// What happened, in a plain sentence.
    pub text: String,
    /// Whether this line of the journal verified.
    pub verified: bool,
    /// The line's hash (none for a line that cannot be read).
    pub hash: Option<String>,
    /// A post's completion: the statement as published.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statement: Option<String>,
}

/// A step and what became of it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct StepRow {
    /// Step id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Kind: action, notify, decision, approval, post, monitor.
    pub kind: String,
    /// Owner (a role or division).
    pub owner: Option<String>,
    /// `done`, `skipped`, `not_applicable`, `ready`, `pending`.
    pub status: StepStatus,
    /// The status in words.
    pub status_text: String,
    /// When it became ready (could be done).
    pub ready_at: Option<DateTime<FixedOffset>>,
    /// When it was done.
    pub done_at: Option<DateTime<FixedOffset>>,
    /// Who did it.
    pub done_by: Option<String>,
    /// Seconds from ready to done.
    pub taken_seconds: Option<i64>,
    /// Its deadline.
    pub due_at: Option<DateTime<FixedOffset>>,
    /// Whether it was done by its deadline (none: no deadline, or not done and not yet due).
    pub due_met: Option<bool>,
    /// Why it was skipped.
    pub skipped_reason: Option<String>,
    /// Who skipped it.
    pub skipped_by: Option<String>,
    /// Done before it was ready or without its usual way: the reason (a deviation).
    pub forced_reason: Option<String>,
    /// Who approved it (決裁, or a post's approval), and when.
    pub approved_by: Option<String>,
    /// When it was approved.
    pub approved_at: Option<DateTime<FixedOffset>>,
    /// Refused approvals, with reasons.
    pub rejections: Vec<String>,
    /// How often it was reopened.
    pub reopened: usize,
    /// Guideline clauses it follows (`document clause`).
    pub sources: Vec<String>,
    /// `basis: practice`: why it is done (it cites no guideline clause for this).
    pub practice: Option<String>,
    /// Clauses it departs from on purpose (`document clause`), each with the reason.
    pub departures: Vec<String>,
    /// What it still waited for from others when the report was made, in words: an approval
    /// asked for by mail and not answered, delivered messages not acknowledged.
    pub pending: Vec<String>,
}

/// A message and what became of it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct NotificationRow {
    /// Its number.
    pub number: u32,
    /// The notify step.
    pub step: String,
    /// The division or role.
    pub to: String,
    /// The address (a chat post: `kind:channel`).
    pub address: String,
    /// A chat post: the channel's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// The subject.
    pub subject: String,
    /// `sent`, `pending`, `failed`, `failed_permanent`, `called`, `cancelled`.
    pub state: String,
    /// When it was queued.
    pub queued_at: DateTime<FixedOffset>,
    /// When it was delivered.
    pub delivered_at: Option<DateTime<FixedOffset>>,
    /// `smtp` or `file`.
    pub transport: Option<String>,
    /// Failed attempts, each with its time and error.
    pub failures: Vec<String>,
    /// Who acknowledged it.
    pub acknowledged_by: Option<String>,
    /// When.
    pub acknowledged_at: Option<DateTime<FixedOffset>>,
    /// When its recipient was phoned instead.
    pub called_at: Option<DateTime<FixedOffset>>,
    /// Why it was not sent any more.
    pub cancelled_reason: Option<String>,
}

/// A phone call.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CallRow {
    /// When.
    pub at: DateTime<FixedOffset>,
    /// Who called.
    pub by: String,
    /// The division or role.
    pub division: String,
    /// The number.
    pub number: Option<String>,
    /// What was said.
    pub note: String,
}

/// A public statement.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct StatementRow {
    /// The post step.
    pub step: String,
    /// Its title.
    pub title: String,
    /// Its status: only a `done` post was published.
    pub status: StepStatus,
    /// The status in words.
    pub status_text: String,
    /// The text as the operator published it (journalled when it was posted); for a post
    /// journalled without its text (before hikeshi recorded it), the statement as filled in
    /// when it was posted; for a post not yet done, as it would read now; none for one
    /// skipped or not applicable.
    pub text: Option<String>,
    /// The text is the one journalled at the moment of posting.
    pub as_posted: bool,
    /// SHA-256 of the published text, as journalled.
    pub sha256: Option<String>,
    /// The file the operator edited it in (`statements/<step>.txt`), if any.
    pub file: Option<String>,
    /// Who approved it.
    pub approved_by: Option<String>,
    /// When.
    pub approved_at: Option<DateTime<FixedOffset>>,
    /// When it was posted (the step done).
    pub posted_at: Option<DateTime<FixedOffset>>,
}

/// A piece of evidence.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct EvidenceRow {
    /// The step it was recorded for.
    pub step: String,
    /// When.
    pub at: DateTime<FixedOffset>,
    /// By whom.
    pub by: String,
    /// `file` or `url`.
    pub kind: String,
    /// The file in `evidence/`, or the URL.
    pub what: String,
    /// SHA-256 of the file.
    pub sha256: Option<String>,
    /// Its size.
    pub bytes: Option<u64>,
    /// What it shows.
    pub note: Option<String>,
}
