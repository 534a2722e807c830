//! The report's content: everything the 事案報告書 says, built only from the journal and the
//! frozen playbook. Every format renders this one model; `--format json` is it as JSON.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use schemars::JsonSchema;
use serde::Serialize;

use crate::clock::format_jst;
use crate::incident::describe::{describe, fill};
use crate::incident::state::{Delivery, StepStatus};
use crate::incident::status::{PlaybookInfo, status_label};
use crate::incident::{AuditedIncident, Event, EvidenceRecord};
use crate::lang::Lang;
use crate::playbook::StepKind;

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
    /// Mail went over SMTP (`--live-mail`).
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
fn drill(
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
            description: lang
                .pick(
                    "訓練シナリオ（scenario.yaml）が無いか、開始時の内容と異なります",
                    "the exercise scenario (scenario.yaml) is missing or differs from the one the exercise began with",
                )
                .to_string(),
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
    /// SHA-256 of the frozen playbook.yaml.
    pub playbook_sha256: String,
    /// What did not verify.
    pub problems: Vec<IntegrityProblem>,
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
    /// The clauses, in playbook order.
    pub clauses: Vec<String>,
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
    /// The address.
    pub address: String,
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
    /// The text as filled in when it was posted (with the incident's facts at that moment);
    /// for a post not yet done, as it would read now; none for one skipped or not applicable.
    pub text: Option<String>,
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

/// Builds the report of an audited incident at `now`.
pub fn build(audited: &AuditedIncident, lang: Lang, now: DateTime<FixedOffset>) -> Report {
    let record = &audited.record;
    let state = &record.state;
    let playbook = &record.playbook;

    let mut timeline = Vec::with_capacity(audited.journal.lines.len());
    let mut decisions = Vec::new();
    // Who was on duty and the severity answer as of each event, kept for the moment each
    // step was last completed (a statement is filled in as it was when posted).
    let mut operator_then = String::new();
    let mut severity_then: Option<usize> = None;
    type Facts = (String, Option<usize>, DateTime<FixedOffset>);
    let mut posted_facts: std::collections::HashMap<&str, Facts> = Default::default();
    for (line, event) in audited.journal.lines.iter().zip(&audited.events) {
        let verified = line.verified();
        let Some(entry) = &line.entry else {
            timeline.push(TimelineEntry {
                line: line.line,
                seq: None,
                time: None,
                time_text: String::new(),
                actor: String::new(),
                kind: String::new(),
                step: None,
                text: format!(
                    "{}: {}",
                    lang.pick("読み取れない行", "unreadable line"),
                    line.excerpt.as_deref().unwrap_or_default()
                ),
                verified,
                hash: None,
            });
            continue;
        };
        let text = match event {
            Some(event) => describe(event, playbook, lang),
            None => format!(
                "{}: {} {}",
                lang.pick("解読できない記録", "undecodable record"),
                entry.kind,
                entry.payload.chars().take(80).collect::<String>()
            ),
        };
        let is_severity = |step: &str| {
            playbook
                .severity_decision
                .and_then(|ix| playbook.graph.step(ix))
                .is_some_and(|s| s.id == step)
        };
        match event {
            Some(Event::IncidentStarted { params, .. }) => {
                operator_then.clone_from(&params.operator);
            }
            Some(Event::HandedOver { to, .. }) => operator_then.clone_from(to),
            Some(Event::DecisionMade { step, option, .. }) if is_severity(step) => {
                severity_then = playbook.severities.iter().position(|c| c.id == *option);
            }
            Some(Event::StepReopened { step, .. }) if is_severity(step) => severity_then = None,
            Some(Event::StepCompleted { step, .. }) => {
                posted_facts.insert(
                    step.as_str(),
                    (operator_then.clone(), severity_then, entry.time),
                );
            }
            _ => {}
        }
        if let Some(Event::DecisionMade {
            step,
            option,
            reason,
            previous,
            ..
        }) = event
            && let Some(StepKind::Decision(d)) = playbook
                .graph
                .find(step)
                .and_then(|ix| playbook.graph.step(ix))
                .map(|s| &s.kind)
        {
            let title = |id: &str| {
                d.options
                    .iter()
                    .find(|o| o.id == id)
                    .map_or_else(|| id.to_string(), |o| o.title.clone())
            };
            decisions.push(DecisionRow {
                step: step.clone(),
                question: d.question.clone(),
                option: option.clone(),
                answer: title(option),
                previous: previous.as_deref().map(title),
                at: entry.time,
                by: entry.actor.clone(),
                reason: reason.clone(),
                verified,
            });
        }
        timeline.push(TimelineEntry {
            line: line.line,
            seq: Some(entry.seq),
            time: Some(entry.time),
            time_text: format_jst(entry.time, true),
            actor: entry.actor.clone(),
            kind: entry.kind.clone(),
            step: event.as_ref().and_then(|e| e.step()).map(str::to_string),
            text,
            verified,
            hash: Some(entry.hash.clone()),
        });
    }

    // Deadlines and the duration are judged at the close, or now while the incident is open.
    let end = state.closed.as_ref().map_or(now, |c| c.at);
    // Each published statement filled in with the incident's facts as they were when it was
    // posted. Only the operator and the severity change after the start, so a small state
    // holding those (tracked through the timeline) is enough.
    let mut posted_texts: std::collections::HashMap<&str, String> = Default::default();
    for (id, (operator, answer, at)) in &posted_facts {
        let Some(ix) = playbook.graph.find(id) else {
            continue;
        };
        let Some(StepKind::Post(post)) = playbook.graph.step(ix).map(|s| &s.kind) else {
            continue;
        };
        let mut then = crate::incident::IncidentState::new(playbook);
        then.title.clone_from(&state.title);
        then.account.clone_from(&state.account);
        then.platform = state.platform;
        then.started_at = state.started_at;
        then.initial_severity.clone_from(&state.initial_severity);
        then.operator.clone_from(operator);
        if let (Some(sev), Some(a)) = (playbook.severity_decision, answer)
            && let Some(r) = then.steps.get_mut(sev.index())
        {
            r.answer = Some(*a);
        }
        let past = crate::incident::IncidentRecord {
            dir: record.dir.clone(),
            id: record.id.clone(),
            playbook: playbook.clone(),
            directory: record.directory.clone(),
            playbook_sha256: record.playbook_sha256.clone(),
            state: then,
            entries: record.entries,
            first_hash: record.first_hash.clone(),
            head: record.head.clone(),
            torn: None,
        };
        posted_texts.insert(id, fill(&post.statement, &past, ix, *at, None));
    }

    let mut steps = Vec::new();
    let mut statements = Vec::new();
    let mut evidence = Vec::new();
    let mut cited: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for &ix in playbook.graph.order() {
        let (Some(step), Some(r)) = (playbook.graph.step(ix), state.step(ix)) else {
            continue;
        };
        let status = state.status_of(ix);
        let view = state.view(playbook, ix, end);
        let done_at = r.done.as_ref().map(|d| d.at);
        let due_met = match (view.due_at, done_at) {
            (Some(due), Some(done)) => Some(done <= due),
            (Some(due), None) if !status.is_settled() => (end > due).then_some(false),
            _ => None,
        };
        if status == StepStatus::Done {
            for c in &step.sources {
                let clauses = cited.entry(c.source.clone()).or_default();
                if !clauses.contains(&c.clause) {
                    clauses.push(c.clause.clone());
                }
            }
        }
        steps.push(StepRow {
            id: step.id.clone(),
            title: step.title.clone(),
            kind: step.kind.name().to_string(),
            owner: step.owner.clone(),
            status,
            status_text: status_label(status, lang).to_string(),
            ready_at: r.ready_since,
            done_at,
            done_by: r.done.as_ref().map(|d| d.by.clone()),
            taken_seconds: match (r.ready_since, done_at) {
                (Some(ready), Some(done)) => Some((done - ready).num_seconds()),
                _ => None,
            },
            due_at: view.due_at,
            due_met,
            skipped_reason: r.skipped.as_ref().map(|s| s.text.clone()),
            forced_reason: r.forced.clone(),
            approved_by: r.approval.as_ref().map(|a| a.by.clone()),
            approved_at: r.approval.as_ref().map(|a| a.at),
            rejections: r
                .rejections
                .iter()
                .map(|j| format!("{} {}: {}", format_jst(j.at, false), j.by, j.text))
                .collect(),
            reopened: r.reopened.len(),
            sources: step
                .sources
                .iter()
                .map(|c| {
                    let title = playbook
                        .sources
                        .iter()
                        .find(|s| s.id == c.source)
                        .map_or(c.source.as_str(), |s| s.title.as_str());
                    format!("{title} {}", c.clause)
                })
                .collect(),
        });
        if let StepKind::Post(post) = &step.kind {
            let text = match (status, done_at) {
                (StepStatus::Skipped | StepStatus::NotApplicable, _) => None,
                (StepStatus::Done, Some(at)) => Some(
                    posted_texts
                        .get(step.id.as_str())
                        .cloned()
                        .unwrap_or_else(|| fill(&post.statement, record, ix, at, None)),
                ),
                _ => Some(fill(&post.statement, record, ix, now, None)),
            };
            statements.push(StatementRow {
                step: step.id.clone(),
                title: step.title.clone(),
                status,
                status_text: status_label(status, lang).to_string(),
                text,
                approved_by: r.approval.as_ref().map(|a| a.by.clone()),
                approved_at: r.approval.as_ref().map(|a| a.at),
                posted_at: done_at,
            });
        }
        for (remark, ev) in &r.evidence {
            let (kind, what, sha256, bytes) = match ev {
                EvidenceRecord::File {
                    name,
                    sha256,
                    bytes,
                    ..
                } => (
                    "file",
                    format!("evidence/{name}"),
                    Some(sha256.clone()),
                    Some(*bytes),
                ),
                EvidenceRecord::Url { url } => ("url", url.clone(), None, None),
            };
            evidence.push(EvidenceRow {
                step: step.id.clone(),
                at: remark.at,
                by: remark.by.clone(),
                kind: kind.to_string(),
                what,
                sha256,
                bytes,
                note: Some(remark.text.clone()).filter(|t| !t.is_empty()),
            });
        }
    }
    evidence.sort_by_key(|e| e.at);

    let notifications = state
        .messages
        .iter()
        .map(|m| NotificationRow {
            number: m.number,
            step: m.step.clone(),
            to: m.letter.to.clone(),
            address: m.letter.address.clone(),
            subject: m.letter.subject.clone(),
            state: m.phase().word().to_string(),
            queued_at: m.queued.at,
            delivered_at: m.sent_at(),
            transport: match &m.delivery {
                Delivery::Sent { transport, .. } => Some(transport.clone()),
                _ => None,
            },
            failures: m
                .failures
                .iter()
                .map(|f| format!("{} {}", format_jst(f.at, true), f.text))
                .collect(),
            acknowledged_by: m.acknowledged.as_ref().map(|a| a.by.clone()),
            acknowledged_at: m.acknowledged.as_ref().map(|a| a.at),
            called_at: m.called.as_ref().map(|c| c.at),
            cancelled_reason: m.cancelled.as_ref().map(|c| c.text.clone()),
        })
        .collect();

    let mut problems: Vec<IntegrityProblem> = audited
        .journal
        .lines
        .iter()
        .filter_map(|l| {
            l.problem.as_ref().map(|p| IntegrityProblem {
                line: Some(l.line),
                seq: l.entry.as_ref().map(|e| e.seq),
                description: p.to_string(),
            })
        })
        .collect();
    if let Some(torn) = &audited.journal.torn {
        problems.push(IntegrityProblem {
            line: Some(audited.journal.lines.len() + 1),
            seq: None,
            description: match lang {
                Lang::Ja => format!(
                    "最後の行が書きかけです（{} バイト。書込み中の異常終了の跡で、記録には含まれません）",
                    torn.bytes
                ),
                Lang::En => format!(
                    "the last line is unfinished ({} bytes, from a crash while writing; not part of the record)",
                    torn.bytes
                ),
            },
        });
    }
    problems.extend(audited.problems.iter().map(|e| IntegrityProblem {
        line: None,
        seq: None,
        description: e.message(lang),
    }));

    let drill = drill(audited, lang, now, &mut problems);
    let progress = state.progress();
    let close_reason = audited.events.iter().rev().find_map(|e| match e {
        Some(Event::IncidentClosed { reason, .. }) => reason.clone(),
        _ => None,
    });
    let clauses = playbook
        .sources
        .iter()
        .filter_map(|doc| {
            cited.get(&doc.id).map(|clauses| ClauseGroup {
                source: doc.id.clone(),
                title: doc.title.clone(),
                issuer: doc.issuer.clone(),
                clauses: clauses.clone(),
            })
        })
        .collect();
    Report {
        format: FORMAT,
        generated_at: now,
        lang: lang.to_string(),
        incident: record.id.clone(),
        exercise: state.exercise,
        integrity: Integrity {
            verified: audited.is_intact() && drill.as_ref().is_none_or(|d| d.scenario_verified),
            entries: record.entries,
            first_hash: record.first_hash.clone(),
            last_hash: record.head.clone(),
            playbook_sha256: record.playbook_sha256.clone(),
            problems,
            torn_bytes: record.torn.as_ref().map(|t| t.bytes),
        },
        overview: Overview {
            title: state.title.clone(),
            playbook: PlaybookInfo::of(record),
            organization: record.directory.organization.clone(),
            account: state.account.clone(),
            platform: state.platform.map(|p| p.display_name().to_string()),
            started_at: state.started_at,
            closed_at: state.closed.as_ref().map(|c| c.at),
            close_reason,
            duration_seconds: state
                .started_at
                .map_or(0, |s| (end - s).num_seconds().max(0)),
            operators: state.operators.clone(),
            handovers: state
                .handovers
                .iter()
                .map(|h| HandoverRow {
                    at: h.at,
                    from: h.from.clone(),
                    to: h.to.clone(),
                })
                .collect(),
            severity: state.severity_title(playbook).map(str::to_string),
            decisions,
            clauses,
            progress: ProgressRow {
                done: progress.done,
                skipped: progress.skipped,
                not_applicable: progress.not_applicable,
                open: progress.ready + progress.pending,
                total: progress.total,
            },
        },
        timeline,
        steps,
        notifications,
        calls: state
            .calls
            .iter()
            .map(|c| CallRow {
                at: c.at,
                by: c.by.clone(),
                division: c.division.clone(),
                number: c.number.clone(),
                note: c.note.clone(),
            })
            .collect(),
        statements,
        evidence,
        drill,
    }
}
