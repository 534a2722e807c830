//! The summary's content: what `hikeshi summary` says about every incident and exercise of a
//! period. Every format renders this one model; `--format json` is it as JSON
//! (docs/summary.schema.json).

use chrono::{DateTime, FixedOffset, NaiveDate};
use schemars::JsonSchema;
use serde::Serialize;

/// The format version of the summary's JSON.
pub const FORMAT: u32 = 1;

/// The summary of the incidents and exercises in one incidents folder over a period.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(title = "hikeshi summary")]
pub struct Summary {
    /// The format version of this JSON (1).
    pub format: u32,
    /// When the summary was made.
    pub generated_at: DateTime<FixedOffset>,
    /// The language of its words: `ja` or `en`.
    pub lang: String,
    /// The organisation, from the divisions file frozen in the latest incident.
    pub organization: Option<String>,
    /// The incidents folder read.
    pub folder: String,
    /// The period: incidents that started on these dates (in Japan), both included.
    pub period: Period,
    /// How many, in all.
    pub totals: Totals,
    /// How many, by playbook.
    pub by_playbook: Vec<PlaybookCount>,
    /// How many, by severity at the end.
    pub by_severity: Vec<SeverityCount>,
    /// The time from the start to each milestone and to the close: median and worst, for
    /// real incidents and exercises apart.
    pub measures: Vec<MeasureRow>,
    /// Exercise scores: median and worst.
    pub score: ScoreStats,
    /// Every incident and exercise, in the order they started.
    pub incidents: Vec<IncidentRow>,
    /// Every step completed by force or skipped.
    pub deviations: Vec<DeviationRow>,
    /// Every message delivered after its step's deadline, or not delivered.
    pub mail: Vec<MailRow>,
    /// Every exercise's score, in the order they started.
    pub scores: Vec<ScoreRow>,
    /// Lessons (振り返り) still open: each exercise's current review, and closed exercises
    /// with none.
    pub lessons: Vec<LessonRow>,
    /// Folders in the incidents folder that are not incidents, or cannot be read at all:
    /// named, and left out of every count.
    pub skipped_folders: Vec<SkippedFolder>,
    /// The accounts' readiness as the register stands when the summary is made (none
    /// without a register).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub readiness: Option<ReadinessSummary>,
}

/// The account register's readiness findings, counted and listed (docs/register.md).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ReadinessSummary {
    /// The register read.
    pub register: String,
    /// The day judged.
    pub today: NaiveDate,
    /// The last 人事異動 on or before it.
    pub last_personnel_change: NaiveDate,
    /// Accounts in the register (closed ones included).
    pub accounts: usize,
    /// Accounts with no finding.
    pub ready: usize,
    /// Findings by severity: 重大, 要対応, 軽微.
    pub high: usize,
    /// 要対応.
    pub medium: usize,
    /// 軽微.
    pub low: usize,
    /// Every finding, account by account, worst first.
    pub findings: Vec<ReadinessRow>,
}

/// One readiness finding as the summary lists it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ReadinessRow {
    /// The account.
    pub account: String,
    /// Its owning division.
    pub division: String,
    /// `high`, `medium` or `low`.
    pub severity: String,
    /// The severity in words.
    pub severity_text: String,
    /// What falls short, in words.
    pub text: String,
    /// The clauses that ask for it, as cited.
    pub clauses: Vec<String>,
}

/// A period of start dates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Period {
    /// The first day (none: from the earliest).
    pub from: Option<NaiveDate>,
    /// The last day (none: to the latest).
    pub to: Option<NaiveDate>,
}

impl Period {
    /// Whether a start date falls in the period.
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.from.is_none_or(|f| date >= f) && self.to.is_none_or(|t| date <= t)
    }
}

/// The counts of the whole period.
#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct Totals {
    /// Real incidents.
    pub incidents: usize,
    /// Exercises (drills, with a scenario or `start --exercise`).
    pub exercises: usize,
    /// Of both, those still open.
    pub open: usize,
    /// Of both, those whose record failed verification (counted all the same).
    pub unverified: usize,
    /// Steps completed by force.
    pub forced: usize,
    /// Steps skipped.
    pub skipped: usize,
    /// Messages delivered after their step's deadline.
    pub mail_late: usize,
    /// Messages not delivered (reached by phone instead, withdrawn, failed, or still
    /// waiting).
    pub mail_undelivered: usize,
}

/// Incidents and exercises of one playbook.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PlaybookCount {
    /// Playbook id.
    pub playbook: String,
    /// Its title.
    pub title: String,
    /// Real incidents.
    pub incidents: usize,
    /// Exercises.
    pub exercises: usize,
}

/// Incidents and exercises of one severity.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SeverityCount {
    /// The severity's title (`—`: not judged, or the playbook has none).
    pub severity: String,
    /// Real incidents.
    pub incidents: usize,
    /// Exercises.
    pub exercises: usize,
}

/// What is measured from the start of an incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// The first report to 所属長 (the step marked `milestone: first_report`).
    FirstReport,
    /// Containment (`milestone: containment`).
    Containment,
    /// The public notice (`milestone: public_notice`).
    PublicNotice,
    /// The close.
    Close,
}

impl Measure {
    /// Every measure, in the order of an incident.
    pub const ALL: [Measure; 4] = [
        Measure::FirstReport,
        Measure::Containment,
        Measure::PublicNotice,
        Measure::Close,
    ];

    /// The id, as in the JSON.
    pub fn id(self) -> &'static str {
        match self {
            Measure::FirstReport => "first_report",
            Measure::Containment => "containment",
            Measure::PublicNotice => "public_notice",
            Measure::Close => "close",
        }
    }
}

/// One measure over the period.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct MeasureRow {
    /// What is measured.
    pub measure: Measure,
    /// Its name in words.
    pub title: String,
    /// Over real incidents.
    pub incidents: Stats,
    /// Over exercises (simulated time).
    pub exercises: Stats,
}

/// Median and worst of one measure over one group.
#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct Stats {
    /// Incidents of the group that reached it.
    pub count: usize,
    /// Incidents of the group whose playbook marks it (for the close: every one).
    pub marked: usize,
    /// The median in seconds (of an even count, the mean of the middle two, to the second).
    pub median_seconds: Option<i64>,
    /// The longest, in seconds.
    pub worst_seconds: Option<i64>,
    /// The incident with the longest.
    pub worst_incident: Option<String>,
}

/// Median and worst (lowest) exercise score.
#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct ScoreStats {
    /// Exercises scored.
    pub count: usize,
    /// The median score (of an even count, the mean of the middle two, rounded down).
    pub median: Option<u32>,
    /// The lowest score.
    pub worst: Option<u32>,
    /// The exercise with the lowest.
    pub worst_incident: Option<String>,
}

/// How far an incident got to a milestone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Reached {
    /// Reached: `seconds` after the start.
    Reached,
    /// Not yet (or the incident was closed without it).
    Open,
    /// The step was skipped.
    Skipped,
    /// The step does not apply under the decisions taken.
    NotApplicable,
    /// The playbook marks no step for it (shown as `—`, never as 0).
    Unmarked,
}

/// The time from an incident's start to one milestone (or to its close).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct MilestoneTime {
    /// What is measured.
    pub measure: Measure,
    /// The step marked with it.
    pub step: Option<String>,
    /// How far it got.
    pub reached: Reached,
    /// Seconds from the start, when reached.
    pub seconds: Option<i64>,
    /// As shown: the time, or `—` (not marked), 対象外, 省略, 対応中 or 未実施.
    pub text: String,
}

/// One incident or exercise.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct IncidentRow {
    /// The incident id (its folder name).
    pub id: String,
    /// Its title.
    pub title: String,
    /// A drill (訓練).
    pub exercise: bool,
    /// The scenario, for an exercise run from one.
    pub scenario: Option<String>,
    /// Playbook id.
    pub playbook: String,
    /// Playbook title.
    pub playbook_title: String,
    /// The severity at the end, by its title.
    pub severity: Option<String>,
    /// When it started.
    pub started_at: Option<DateTime<FixedOffset>>,
    /// When it was closed.
    pub closed_at: Option<DateTime<FixedOffset>>,
    /// Whether its record verified (hash chain, frozen files, scenario).
    pub verified: bool,
    /// What did not verify.
    pub problems: Vec<String>,
    /// The time to each milestone and to the close, in this order: `first_report`,
    /// `containment`, `public_notice`, `close`.
    pub times: Vec<MilestoneTime>,
    /// Steps completed by force.
    pub forced: usize,
    /// Steps skipped.
    pub skipped: usize,
    /// Steps still open (at the close, if it was closed with steps open).
    pub steps_open: usize,
    /// Messages queued.
    pub messages: usize,
    /// Messages delivered after their step's deadline.
    pub mail_late: usize,
    /// Messages not delivered.
    pub mail_undelivered: usize,
    /// The exercise score, 0–100.
    pub score: Option<u32>,
}

/// A step completed by force or skipped.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct DeviationRow {
    /// The incident.
    pub incident: String,
    /// A drill.
    pub exercise: bool,
    /// Step id.
    pub step: String,
    /// Step title.
    pub title: String,
    /// `forced` or `skipped`.
    pub kind: String,
    /// In words.
    pub kind_text: String,
    /// When.
    pub at: Option<DateTime<FixedOffset>>,
    /// The reason given.
    pub reason: String,
}

/// A message delivered late or not at all.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct MailRow {
    /// The incident.
    pub incident: String,
    /// A drill.
    pub exercise: bool,
    /// The message number in the incident.
    pub number: u32,
    /// The notify step.
    pub step: String,
    /// The division or role.
    pub to: String,
    /// `sent` (late), `called`, `cancelled`, `pending`, `failed` or `failed_permanent`.
    pub state: String,
    /// In words.
    pub state_text: String,
    /// When it was queued.
    pub queued_at: DateTime<FixedOffset>,
    /// Its step's deadline.
    pub deadline: Option<DateTime<FixedOffset>>,
    /// When it was delivered.
    pub delivered_at: Option<DateTime<FixedOffset>>,
    /// Delivered this many seconds after the deadline.
    pub late_seconds: Option<i64>,
    /// Failed attempts.
    pub attempts: u32,
}

/// An exercise's score.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ScoreRow {
    /// The incident.
    pub incident: String,
    /// Scenario id.
    pub scenario: String,
    /// Scenario title.
    pub title: String,
    /// When it started (simulated time).
    pub started_at: Option<DateTime<FixedOffset>>,
    /// 0–100.
    pub score: u32,
    /// How it was computed.
    pub formula: String,
}

/// A lesson still open.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct LessonRow {
    /// The exercise.
    pub incident: String,
    /// Its scenario's title.
    pub title: String,
    /// When the review was recorded, in the exercise's (simulated) time (none: the exercise
    /// was closed without a review).
    pub recorded_at: Option<DateTime<FixedOffset>>,
    /// Who recorded it.
    pub by: Option<String>,
    /// 課題: what was difficult.
    pub issues: String,
    /// 改善策: what to change.
    pub improvements: String,
}

/// A folder left out.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SkippedFolder {
    /// The folder's name.
    pub folder: String,
    /// Why.
    pub reason: String,
}
