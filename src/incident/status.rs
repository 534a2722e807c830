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
use crate::tr;

/// The status report (the JSON of `hikeshi status --json`, its schema committed as
/// docs/status.schema.json).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
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
    /// Where the playbook and the directory were read from before they were frozen
    /// (incidents started before this was recorded have none).
    pub origin: Option<crate::incident::Origin>,
    /// Affected account.
    pub account: Option<String>,
    /// Affected platform id.
    pub platform: Option<String>,
    /// The playbook's declared facts, in its order: name, label and value (`None`: not yet
    /// known).
    pub facts: Vec<FactRow>,
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

/// One declared fact in the status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct FactRow {
    /// Its name.
    pub name: String,
    /// What it is.
    pub label: String,
    /// Its value, once recorded (as stored: a date and time in RFC 3339).
    pub value: Option<String>,
    /// Its value as people read it (a date and time as `2026-12-10 17:32`, JST).
    pub shown: Option<String>,
}

/// The journal part of a status report.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct JournalInfo {
    /// Number of entries.
    pub entries: u64,
    /// Hash of the last entry.
    pub head: String,
    /// Bytes of an unterminated last line, if any.
    pub torn_bytes: Option<usize>,
}

/// One step in a status report.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
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
    /// An approval asked for by mail (`request-approval`) and not answered yet.
    pub awaiting_approval: Option<PendingMessage>,
    /// Delivered messages of the step nobody has acknowledged yet.
    pub unacknowledged: Vec<PendingMessage>,
}

/// A message still waiting for its recipient: an approval request not yet answered, or a
/// delivered message not yet acknowledged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct PendingMessage {
    /// The message number.
    pub message: u32,
    /// Its recipient (division or role).
    pub to: String,
    /// When it was queued (an approval: when it was asked for).
    pub queued_at: DateTime<FixedOffset>,
    /// When it was delivered.
    pub delivered_at: Option<DateTime<FixedOffset>>,
    /// Replies to it kept until its step can be approved (`reply_held`): who sent them;
    /// left out when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub held_replies: Vec<String>,
}

impl PendingMessage {
    /// The message as pending.
    pub fn of(m: &super::state::MessageRecord) -> PendingMessage {
        PendingMessage {
            message: m.number,
            to: m.letter.to.clone(),
            queued_at: m.queued.at,
            delivered_at: m.sent_at(),
            held_replies: m
                .held
                .iter()
                .map(|r| format!("{} <{}>", r.name, r.from))
                .collect(),
        }
    }
}

/// What step `ix` is still waiting for from others, as lines for people (the screen's detail,
/// the handover, the report): [`pending_lines`] of its open approval request and its
/// unacknowledged messages.
pub fn pending_of(
    state: &super::IncidentState,
    playbook: &crate::playbook::Playbook,
    ix: crate::playbook::StepIx,
    lang: Lang,
) -> Vec<String> {
    let Some(step) = playbook.graph.step(ix) else {
        return Vec::new();
    };
    let awaiting = state
        .awaiting_approval(playbook, ix)
        .map(PendingMessage::of);
    let unacknowledged: Vec<PendingMessage> = state
        .unacknowledged(&step.id)
        .map(PendingMessage::of)
        .collect();
    pending_lines(awaiting.as_ref(), &unacknowledged, lang)
}

/// What a step is still waiting for from others, as lines for people: an approval asked for
/// by mail, and delivered messages not acknowledged. Empty when nothing is pending.
pub fn pending_lines(
    awaiting: Option<&PendingMessage>,
    unacknowledged: &[PendingMessage],
    lang: Lang,
) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(p) = awaiting {
        let (m, to, at) = (p.message, &p.to, format_jst(p.queued_at, false));
        out.push(tr!(
            lang,
            "承認待ち: 承認依頼 #{m}（{to}宛て、{at} 依頼）に返信がありません",
            "awaiting approval: request #{m} to {to} ({at}) not answered"
        ));
        for who in &p.held_replies {
            out.push(tr!(
                lang,
                "保留中の返信: 承認依頼 #{m} への {who} の返信（手順が承認できるようになったら記録）",
                "held reply: {who}'s answer to request #{m} (recorded once the step can be approved)"
            ));
        }
    }
    if !unacknowledged.is_empty() {
        let list = unacknowledged
            .iter()
            .map(|p| format!("#{} {}", p.message, p.to))
            .collect::<Vec<_>>()
            .join("、");
        out.push(tr!(lang, "受領未確認: {list}", "not acknowledged: {list}"));
    }
    out
}

/// Counts of an incident's messages (details: `hikeshi outbox`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct MessageCounts {
    /// Messages queued so far.
    pub total: usize,
    /// Not delivered and not reached by phone.
    pub undelivered: usize,
    /// Acknowledgement overdue and nobody called.
    pub needs_call: usize,
}

/// JSON Schema of `hikeshi status --json` (committed as docs/status.schema.json).
pub fn schema() -> String {
    let schema = schemars::schema_for!(StatusReport);
    serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n"
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
                    owner: state.owner_of(step).map(str::to_string),
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
                    awaiting_approval: state
                        .awaiting_approval(playbook, ix)
                        .map(PendingMessage::of),
                    unacknowledged: state
                        .unacknowledged(&step.id)
                        .map(PendingMessage::of)
                        .collect(),
                })
            })
            .collect();
        StatusReport {
            format: 1,
            id: record.id.clone(),
            dir: record.dir.display().to_string(),
            title: state.title.clone(),
            playbook: PlaybookInfo::of(record),
            origin: state.origin.clone(),
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
            facts: playbook
                .facts
                .iter()
                .map(|f| FactRow {
                    name: f.id.clone(),
                    label: f.label.clone(),
                    value: state.facts.get(&f.id).cloned(),
                    shown: state.facts.get(&f.id).map(|v| f.shown(v)),
                })
                .collect(),
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

fn pad(text: &str, width: usize) -> String {
    format!("{text}{}", " ".repeat(width.saturating_sub(text.width())))
}

/// The report as text for a terminal.
pub fn render(report: &StatusReport, lang: Lang) -> String {
    let mut out = String::new();
    let p = &report.progress;
    let (title, id) = (&report.playbook.title, &report.playbook.id);
    let _ = writeln!(out, "{}  [{}]", report.title, report.id);
    let _ = writeln!(
        out,
        "{}",
        tr!(lang, "手順書: {title} ({id})", "playbook: {title} ({id})")
    );
    if let Some(origin) = &report.origin {
        let (playbook, divisions) = (&origin.playbook, &origin.divisions);
        let _ = writeln!(
            out,
            "{}",
            tr!(
                lang,
                "読み込んだファイル: 手順書 {playbook}、連絡先 {divisions}",
                "read from: playbook {playbook}, divisions {divisions}"
            )
        );
    }
    if report.account.is_some() || report.platform.is_some() {
        let platform = report.platform.as_deref().unwrap_or("");
        let account = report.account.as_deref().unwrap_or("");
        let _ = writeln!(
            out,
            "{}",
            tr!(
                lang,
                "対象: {platform} {account}",
                "account: {platform} {account}"
            )
        );
    }
    for f in &report.facts {
        let (label, name) = (&f.label, &f.name);
        let value = f
            .shown
            .clone()
            .unwrap_or_else(|| tr!(lang, "（未記録）", "(not recorded)"));
        let _ = writeln!(out, "{label} ({name}): {value}");
    }
    let elapsed = format_duration(chrono::TimeDelta::seconds(report.elapsed_seconds), lang);
    let started = report
        .started_at
        .map(|t| format_jst(t, false))
        .unwrap_or_default();
    let (operator, severity) = (
        &report.operator,
        report.severity_title.as_deref().unwrap_or("-"),
    );
    let _ = writeln!(
        out,
        "{}",
        tr!(
            lang,
            "開始: {started} (経過 {elapsed})  担当: {operator}  重大度: {severity}",
            "started: {started} (elapsed {elapsed})  operator: {operator}  severity: {severity}"
        )
    );
    if let Some(closed) = report.closed_at {
        let closed = format_jst(closed, false);
        let _ = writeln!(out, "{}", tr!(lang, "終了: {closed}", "closed: {closed}"));
    }
    let (settled, total, ready, overdue) = (p.settled(), p.total, p.ready, report.overdue.len());
    let remaining = format_duration(
        chrono::TimeDelta::seconds(report.remaining_critical_path_seconds),
        lang,
    );
    let _ = writeln!(
        out,
        "{}",
        tr!(
            lang,
            "進捗: {settled}/{total}  実施可: {ready}  期限超過: {overdue}  残りの見込み: {remaining}",
            "progress: {settled}/{total}  ready: {ready}  overdue: {overdue}  remaining: {remaining}"
        )
    );
    let m = &report.messages;
    if m.total > 0 {
        let (total, undelivered, needs_call) = (m.total, m.undelivered, m.needs_call);
        let _ = writeln!(
            out,
            "{}",
            tr!(
                lang,
                "通知: {total}  未送達: {undelivered}  要電話: {needs_call}",
                "messages: {total}  undelivered: {undelivered}  need a call: {needs_call}"
            )
        );
    }
    let _ = writeln!(out);
    let id_width = report.steps.iter().map(|s| s.id.width()).max().unwrap_or(0);
    for s in &report.steps {
        let label = s.status.words(lang);
        let timing = match (s.status, s.time_left_seconds, s.done_at) {
            (StepStatus::Done, _, Some(at)) => format_jst(at, false),
            (_, Some(left), _) if left < 0 => {
                let by = format_duration(chrono::TimeDelta::seconds(-left), lang);
                tr!(lang, "期限超過 {by}", "overdue {by}")
            }
            (_, Some(left), _) => {
                let left = format_duration(chrono::TimeDelta::seconds(left), lang);
                tr!(lang, "残り {left}", "left {left}")
            }
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
        for pending in pending_lines(s.awaiting_approval.as_ref(), &s.unacknowledged, lang) {
            let _ = writeln!(out, "    {pending}");
        }
    }
    if let Some(bytes) = report.journal.torn_bytes {
        let _ = writeln!(
            out,
            "\n{}",
            tr!(
                lang,
                "注意: 記録の末尾に書きかけの {bytes} バイトがあります（次の書き込み時に journal.torn へ移します）",
                "note: the journal ends in {bytes} torn bytes (moved to journal.torn on the next write)"
            )
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
    let overdue = state.overdue(playbook, now);
    let (settled, total, ready, pending, late) =
        (p.settled(), p.total, p.ready, p.pending, overdue.len());
    let _ = writeln!(
        out,
        "{}",
        tr!(
            lang,
            "進捗 {settled} / {total} (実施可: {ready}, 待機: {pending}, 期限超過: {late})",
            "progress {settled} / {total} (ready: {ready}, pending: {pending}, overdue: {late})"
        )
    );
    if !overdue.is_empty() {
        let _ = writeln!(out, "{}", tr!(lang, "期限超過:", "overdue:"));
        for ix in &overdue {
            let view = state.view(playbook, *ix, now);
            let by = view
                .time_left
                .map(|t| format_duration(-t, lang))
                .unwrap_or_default();
            let step = title(*ix);
            let _ = writeln!(
                out,
                "{}",
                tr!(lang, "  - {step} (超過 {by})", "  - {step} (by {by})")
            );
        }
    }
    let ready: Vec<_> = state
        .open_steps(playbook)
        .into_iter()
        .filter(|ix| state.status_of(*ix) == StepStatus::Ready && !overdue.contains(ix))
        .collect();
    if !ready.is_empty() {
        let _ = writeln!(out, "{}", tr!(lang, "実施可能な手順:", "ready steps:"));
        for ix in ready {
            let _ = writeln!(out, "  - {}", title(ix));
        }
    }
    // What others still owe: approvals asked for by mail, acknowledgements of delivered mail.
    let pending: Vec<String> = playbook
        .graph
        .order()
        .iter()
        .filter_map(|&ix| {
            let lines = pending_of(state, playbook, ix, lang);
            (!lines.is_empty()).then(|| format!("  - {}: {}", title(ix), lines.join(" / ")))
        })
        .collect();
    if !pending.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            tr!(lang, "返事を待っているもの:", "waiting for others:")
        );
        for line in pending {
            let _ = writeln!(out, "{line}");
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
        let _ = writeln!(out, "{}", tr!(lang, "これまでの判断:", "decisions:"));
        for (_, d) in decisions.iter().rev().take(5) {
            let _ = writeln!(out, "  - {d}");
        }
    }
    out
}
