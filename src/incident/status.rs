//! `hikeshi status`: the state of an incident at a moment, as data (`--json`, documented in
//! docs/incidents.md) and as text for people.

use std::fmt::Write as _;

use chrono::{DateTime, FixedOffset};
use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use super::IncidentRecord;
use super::state::{Progress, StepStatus};
use crate::clock::format_jst;
use crate::lang::Lang;
use crate::playbook::StepKind;
use crate::playbook::duration::format_duration;

/// The status report (the JSON of `hikeshi status --json`).
#[derive(Debug, Clone, Serialize)]
pub struct StatusReport {
    /// Format version of this report.
    pub format: u32,
    /// Incident id.
    pub id: String,
    /// Incident folder.
    pub dir: String,
    /// Incident title.
    pub title: String,
    /// The frozen playbook.
    pub playbook: PlaybookInfo,
    /// Affected account.
    pub account: Option<String>,
    /// Affected platform id.
    pub platform: Option<String>,
    /// Start (RFC 3339, JST).
    pub started_at: Option<DateTime<FixedOffset>>,
    /// Close, if closed.
    pub closed_at: Option<DateTime<FixedOffset>>,
    /// The time of this report.
    pub now: DateTime<FixedOffset>,
    /// Seconds from start to now (or to close).
    pub elapsed_seconds: i64,
    /// Operator on duty.
    pub operator: String,
    /// Everyone who has been on duty.
    pub operators: Vec<String>,
    /// Current severity id.
    pub severity: Option<String>,
    /// Current severity as people read it (its title in the playbook).
    pub severity_title: Option<String>,
    /// Steps by status.
    pub progress: Progress,
    /// Ids of overdue steps.
    pub overdue: Vec<String>,
    /// Seconds the open steps still need if each takes its full deadline.
    pub remaining_critical_path_seconds: i64,
    /// Notification mail: how many messages, how many not delivered, how many need a call.
    pub messages: MessageCounts,
    /// Journal summary.
    pub journal: JournalInfo,
    /// Every step, in dependency order.
    pub steps: Vec<StepReport>,
}

/// The playbook part of a status report.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct PlaybookInfo {
    /// Playbook id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Version.
    pub version: Option<String>,
    /// SHA-256 of the frozen copy.
    pub sha256: String,
}

impl PlaybookInfo {
    /// The frozen playbook of an incident.
    pub fn of(record: &IncidentRecord) -> PlaybookInfo {
        PlaybookInfo {
            id: record.playbook.id.clone(),
            title: record.playbook.title.clone(),
            version: record.playbook.version.clone(),
            sha256: record.playbook_sha256.clone(),
        }
    }
}

/// The journal part of a status report.
#[derive(Debug, Clone, Serialize)]
pub struct JournalInfo {
    /// Number of entries.
    pub entries: u64,
    /// Hash of the last entry.
    pub head: String,
    /// Bytes of an unterminated last line, if any.
    pub torn_bytes: Option<usize>,
}

/// One step in a status report.
#[derive(Debug, Clone, Serialize)]
pub struct StepReport {
    /// Step id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Kind.
    pub kind: String,
    /// Status.
    pub status: StepStatus,
    /// Responsible role.
    pub owner: Option<String>,
    /// Since when ready.
    pub ready_since: Option<DateTime<FixedOffset>>,
    /// Deadline.
    pub due_at: Option<DateTime<FixedOffset>>,
    /// Seconds to the deadline (negative: overdue), open steps only.
    pub time_left_seconds: Option<i64>,
    /// Past its deadline or next check.
    pub overdue: bool,
    /// A ready monitor's next check.
    pub next_check: Option<DateTime<FixedOffset>>,
    /// When done.
    pub done_at: Option<DateTime<FixedOffset>>,
    /// By whom.
    pub done_by: Option<String>,
    /// The deviation reason if completed without being ready.
    pub forced: Option<String>,
    /// The skip reason.
    pub skipped_reason: Option<String>,
    /// A decision's current answer (option id).
    pub answer: Option<String>,
    /// Who approved, for approval and post steps.
    pub approved_by: Option<String>,
    /// Observations recorded (monitor steps).
    pub observations: usize,
    /// Evidence items recorded.
    pub evidence: usize,
}

/// Counts of an incident's messages (details: `hikeshi outbox`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MessageCounts {
    /// Messages queued so far.
    pub total: usize,
    /// Not delivered and not reached by phone.
    pub undelivered: usize,
    /// Acknowledgement overdue and nobody called.
    pub needs_call: usize,
}

impl StatusReport {
    /// Builds the report at `now`.
    pub fn new(record: &IncidentRecord, now: DateTime<FixedOffset>) -> StatusReport {
        let playbook = &record.playbook;
        let state = &record.state;
        let end = state.closed.as_ref().map_or(now, |c| c.at);
        let steps = playbook
            .graph
            .order()
            .iter()
            .filter_map(|&ix| {
                let step = playbook.graph.step(ix)?;
                let r = state.step(ix)?;
                let view = state.view(playbook, ix, now);
                let answer = match (&step.kind, r.answer) {
                    (StepKind::Decision(d), Some(a)) => d.options.get(a).map(|o| o.id.clone()),
                    _ => None,
                };
                Some(StepReport {
                    id: step.id.clone(),
                    title: step.title.clone(),
                    kind: step.kind.name().to_string(),
                    status: view.status,
                    owner: step.owner.clone(),
                    ready_since: view.ready_since,
                    due_at: view.due_at,
                    time_left_seconds: view.time_left.map(|t| t.num_seconds()),
                    overdue: view.overdue,
                    next_check: view.next_check,
                    done_at: r.done.as_ref().map(|d| d.at),
                    done_by: r.done.as_ref().map(|d| d.by.clone()),
                    forced: r.forced.clone(),
                    skipped_reason: r.skipped.as_ref().map(|s| s.text.clone()),
                    answer,
                    approved_by: r.approval.as_ref().map(|a| a.by.clone()),
                    observations: r.observations.len(),
                    evidence: r.evidence.len(),
                })
            })
            .collect();
        StatusReport {
            format: 1,
            id: record.id.clone(),
            dir: record.dir.display().to_string(),
            title: state.title.clone(),
            playbook: PlaybookInfo::of(record),
            account: state.account.clone(),
            platform: state.platform.map(|p| p.as_str().to_string()),
            started_at: state.started_at,
            closed_at: state.closed.as_ref().map(|c| c.at),
            now,
            elapsed_seconds: state
                .started_at
                .map_or(0, |s| (end - s).num_seconds().max(0)),
            operator: state.operator.clone(),
            operators: state.operators.clone(),
            severity: state.severity(playbook).map(str::to_string),
            severity_title: state.severity_title(playbook).map(str::to_string),
            progress: state.progress(),
            overdue: state
                .overdue(playbook, now)
                .into_iter()
                .filter_map(|ix| playbook.graph.step(ix).map(|s| s.id.clone()))
                .collect(),
            remaining_critical_path_seconds: state
                .remaining_critical_path(playbook, now)
                .num_seconds(),
            messages: MessageCounts {
                total: state.messages.len(),
                undelivered: state.undelivered().count(),
                needs_call: state.needs_call(playbook, now).count(),
            },
            journal: JournalInfo {
                entries: record.entries,
                head: record.head.clone(),
                torn_bytes: record.torn.as_ref().map(|t| t.bytes),
            },
            steps,
        }
    }
}

/// The status word for people.
pub fn status_label(status: StepStatus, lang: Lang) -> &'static str {
    match (status, lang) {
        (StepStatus::Done, Lang::Ja) => "完了",
        (StepStatus::Ready, Lang::Ja) => "実施可",
        (StepStatus::Pending, Lang::Ja) => "待機",
        (StepStatus::Skipped, Lang::Ja) => "省略",
        (StepStatus::NotApplicable, Lang::Ja) => "対象外",
        (StepStatus::Done, Lang::En) => "done",
        (StepStatus::Ready, Lang::En) => "ready",
        (StepStatus::Pending, Lang::En) => "pending",
        (StepStatus::Skipped, Lang::En) => "skipped",
        (StepStatus::NotApplicable, Lang::En) => "n/a",
    }
}

fn pad(text: &str, width: usize) -> String {
    format!("{text}{}", " ".repeat(width.saturating_sub(text.width())))
}

/// The report as text for a terminal.
pub fn render(report: &StatusReport, lang: Lang) -> String {
    let mut out = String::new();
    let p = &report.progress;
    let _ = writeln!(out, "{}  [{}]", report.title, report.id);
    let _ = writeln!(
        out,
        "{}: {} ({})",
        lang.pick("手順書", "playbook"),
        report.playbook.title,
        report.playbook.id
    );
    if report.account.is_some() || report.platform.is_some() {
        let _ = writeln!(
            out,
            "{}: {} {}",
            lang.pick("対象", "account"),
            report.platform.as_deref().unwrap_or(""),
            report.account.as_deref().unwrap_or("")
        );
    }
    let elapsed = format_duration(chrono::TimeDelta::seconds(report.elapsed_seconds), lang);
    let _ = writeln!(
        out,
        "{}: {} ({} {elapsed})  {}: {}  {}: {}",
        lang.pick("開始", "started"),
        report
            .started_at
            .map(|t| format_jst(t, false))
            .unwrap_or_default(),
        lang.pick("経過", "elapsed"),
        lang.pick("担当", "operator"),
        report.operator,
        lang.pick("重大度", "severity"),
        report.severity_title.as_deref().unwrap_or("-"),
    );
    if let Some(closed) = report.closed_at {
        let _ = writeln!(
            out,
            "{}: {}",
            lang.pick("終了", "closed"),
            format_jst(closed, false)
        );
    }
    let _ = writeln!(
        out,
        "{}: {}/{}  {}: {}  {}: {}  {}: {}",
        lang.pick("進捗", "progress"),
        p.settled(),
        p.total,
        lang.pick("実施可", "ready"),
        p.ready,
        lang.pick("期限超過", "overdue"),
        report.overdue.len(),
        lang.pick("残りの見込み", "remaining"),
        format_duration(
            chrono::TimeDelta::seconds(report.remaining_critical_path_seconds),
            lang
        ),
    );
    let m = &report.messages;
    if m.total > 0 {
        let _ = writeln!(
            out,
            "{}: {}  {}: {}  {}: {}",
            lang.pick("通知", "messages"),
            m.total,
            lang.pick("未送達", "undelivered"),
            m.undelivered,
            lang.pick("要電話", "need a call"),
            m.needs_call,
        );
    }
    let _ = writeln!(out);
    let id_width = report.steps.iter().map(|s| s.id.width()).max().unwrap_or(0);
    for s in &report.steps {
        let label = status_label(s.status, lang);
        let timing = match (s.status, s.time_left_seconds, s.done_at) {
            (StepStatus::Done, _, Some(at)) => format_jst(at, false),
            (_, Some(left), _) if left < 0 => format!(
                "{}{}",
                lang.pick("期限超過 ", "overdue "),
                format_duration(chrono::TimeDelta::seconds(-left), lang)
            ),
            (_, Some(left), _) => format!(
                "{}{}",
                lang.pick("残り ", "left "),
                format_duration(chrono::TimeDelta::seconds(left), lang)
            ),
            _ => String::new(),
        };
        let mark = if s.overdue { "!" } else { " " };
        let line = format!(
            "{mark} {} {} {}  {timing}",
            pad(label, 7),
            pad(&s.id, id_width),
            s.title
        );
        let _ = writeln!(out, "{}", line.trim_end());
    }
    if let Some(bytes) = report.journal.torn_bytes {
        let _ = writeln!(
            out,
            "\n{}",
            match lang {
                Lang::Ja => format!(
                    "注意: 記録の末尾に書きかけの {bytes} バイトがあります（次の書き込み時に journal.torn へ移します）"
                ),
                Lang::En => format!(
                    "note: the journal ends in {bytes} torn bytes (moved to journal.torn on the next write)"
                ),
            }
        );
    }
    out
}

/// The handover summary (交代時の引き継ぎ): open and overdue steps, the last decisions.
pub fn handover_summary(record: &IncidentRecord, now: DateTime<FixedOffset>, lang: Lang) -> String {
    let playbook = &record.playbook;
    let state = &record.state;
    let mut out = String::new();
    let p = state.progress();
    let title = |ix| {
        playbook
            .graph
            .step(ix)
            .map(|s| format!("{} {}", s.id, s.title))
            .unwrap_or_default()
    };
    let _ = writeln!(
        out,
        "{} {} / {} ({}: {}, {}: {}, {}: {})",
        lang.pick("進捗", "progress"),
        p.settled(),
        p.total,
        lang.pick("実施可", "ready"),
        p.ready,
        lang.pick("待機", "pending"),
        p.pending,
        lang.pick("期限超過", "overdue"),
        state.overdue(playbook, now).len()
    );
    let overdue = state.overdue(playbook, now);
    if !overdue.is_empty() {
        let _ = writeln!(out, "{}", lang.pick("期限超過:", "overdue:"));
        for ix in &overdue {
            let view = state.view(playbook, *ix, now);
            let by = view
                .time_left
                .map(|t| format_duration(-t, lang))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  - {} ({}{by})",
                title(*ix),
                lang.pick("超過 ", "by ")
            );
        }
    }
    let ready: Vec<_> = state
        .open_steps(playbook)
        .into_iter()
        .filter(|ix| state.status_of(*ix) == StepStatus::Ready && !overdue.contains(ix))
        .collect();
    if !ready.is_empty() {
        let _ = writeln!(out, "{}", lang.pick("実施可能な手順:", "ready steps:"));
        for ix in ready {
            let _ = writeln!(out, "  - {}", title(ix));
        }
    }
    let mut decisions: Vec<(DateTime<FixedOffset>, String)> = Vec::new();
    for &ix in playbook.graph.order() {
        let (Some(r), Some(step)) = (state.step(ix), playbook.graph.step(ix)) else {
            continue;
        };
        if let (Some(answer), StepKind::Decision(d), Some(last)) =
            (r.answer, &step.kind, r.answers.last())
        {
            let option = d.options.get(answer).map_or("", |o| o.title.as_str());
            decisions.push((
                last.at,
                format!("{}: {option} ({})", step.title, format_jst(last.at, false)),
            ));
        }
    }
    decisions.sort();
    if !decisions.is_empty() {
        let _ = writeln!(out, "{}", lang.pick("これまでの判断:", "decisions:"));
        for (_, d) in decisions.iter().rev().take(5) {
            let _ = writeln!(out, "  - {d}");
        }
    }
    out
}
