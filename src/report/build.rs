//! Building the report model from an audited incident, one section at a time: the walk
//! through the journal (timeline, decisions, facts as they were), the steps with their
//! statements and evidence, the messages, the integrity, the overview.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, FixedOffset};

use super::model::*;
use crate::clock::format_jst;
use crate::incident::describe::{describe, fill};
use crate::incident::state::{Delivery, IncidentState, StepStatus};
use crate::incident::status::{PlaybookInfo, pending_of};
use crate::incident::{AuditedIncident, Event, EvidenceRecord, IncidentRecord};
use crate::lang::Lang;
use crate::playbook::{Playbook, StepKind};
use crate::tr;

/// Builds the report of an audited incident at `now`.
pub fn build(audited: &AuditedIncident, lang: Lang, now: DateTime<FixedOffset>) -> Report {
    build_at(audited, lang, now, now)
}

/// [`build`], judged at `now` (deadlines, the time left, an open incident's duration) but
/// made at `made` (its 作成 date): an exercise is judged on its simulated clock, and its
/// report is made on the day it is, by the real one.
pub fn build_at(
    audited: &AuditedIncident,
    lang: Lang,
    now: DateTime<FixedOffset>,
    made: DateTime<FixedOffset>,
) -> Report {
    let record = &audited.record;
    let state = &record.state;
    let journal = walk(audited, lang);
    // Deadlines and the duration are judged at the close, or now while the incident is open.
    let end = state.closed.as_ref().map_or(now, |c| c.at);
    let posted = posted_texts(record, &journal.posted_facts);
    let sections = steps(record, lang, now, end, &posted);
    let mut problems = integrity_problems(audited, lang);
    let drill = drill(audited, lang, now, &mut problems);
    let close_reason = audited.events.iter().rev().find_map(|e| match e {
        Some(Event::IncidentClosed { reason, .. }) => reason.clone(),
        _ => None,
    });
    // Everyone on duty, then everyone else who recorded an act (another PC, a reply), in the
    // order they first appear; hikeshi's own mail worker and the exercise's facilitator are
    // not people.
    let mut operators = state.operators.clone();
    for entry in &journal.timeline {
        let actor = &entry.actor;
        if !actor.is_empty()
            && actor != crate::notify::WORKER
            && actor != crate::exercise::FACILITATOR
            && !operators.contains(actor)
        {
            operators.push(actor.clone());
        }
    }
    Report {
        format: FORMAT,
        generated_at: made,
        lang: lang.to_string(),
        incident: record.id.clone(),
        exercise: state.exercise,
        integrity: Integrity {
            verified: audited.is_intact() && drill.as_ref().is_none_or(|d| d.scenario_verified),
            entries: record.entries,
            first_hash: record.first_hash.clone(),
            last_hash: record.head.clone(),
            witness: crate::incident::witness::report_line(
                &record.id,
                audited.journal.entries().last().map_or(0, |e| e.seq),
                &record.head,
            ),
            playbook_sha256: record.playbook_sha256.clone(),
            problems,
            out_of_order: out_of_order(audited, lang),
            torn_bytes: record.torn.as_ref().map(|t| t.bytes),
        },
        overview: overview(
            record,
            operators,
            end,
            close_reason,
            journal.decisions,
            sections.grounds,
        ),
        timeline: journal.timeline,
        steps: sections.steps,
        notifications: notifications(state),
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
        statements: sections.statements,
        evidence: sections.evidence,
        drill,
    }
}

/// Who was on duty, the severity answer, the time, the account and the declared facts, when
/// a step was last completed.
#[derive(Clone)]
struct Facts {
    operator: String,
    severity: Option<usize>,
    at: DateTime<FixedOffset>,
    account: Option<String>,
    facts: BTreeMap<String, String>,
}

/// What one pass through the journal gives.
struct Walk<'a> {
    timeline: Vec<TimelineEntry>,
    decisions: Vec<DecisionRow>,
    /// For each step, the facts as of its last completion (a statement is filled in as it
    /// was when posted).
    posted_facts: HashMap<&'a str, Facts>,
}

/// Every journal line in order: the timeline, the decisions, and the facts of each moment.
fn walk<'a>(audited: &'a AuditedIncident, lang: Lang) -> Walk<'a> {
    let playbook = &audited.record.playbook;
    let mut walk = Walk {
        timeline: Vec::with_capacity(audited.journal.lines.len()),
        decisions: Vec::new(),
        posted_facts: HashMap::new(),
    };
    // Who was on duty and the severity answer as of each event.
    let mut then = Facts {
        operator: String::new(),
        severity: None,
        at: DateTime::UNIX_EPOCH.fixed_offset(),
        account: None,
        facts: BTreeMap::new(),
    };
    let is_severity = |step: &str| {
        playbook
            .severity_decision
            .and_then(|ix| playbook.graph.step(ix))
            .is_some_and(|s| s.id == step)
    };
    for (line, event) in audited.journal.lines.iter().zip(&audited.events) {
        let verified = line.verified();
        let Some(entry) = &line.entry else {
            let excerpt = line.excerpt.as_deref().unwrap_or_default();
            walk.timeline.push(TimelineEntry {
                line: line.line,
                seq: None,
                time: None,
                time_text: String::new(),
                actor: String::new(),
                kind: String::new(),
                step: None,
                text: tr!(
                    lang,
                    "読み取れない行: {excerpt}",
                    "unreadable line: {excerpt}"
                ),
                verified,
                hash: None,
                statement: None,
            });
            continue;
        };
        let text = match event {
            Some(event) => describe(event, playbook, lang),
            None => {
                let (kind, payload) = (&entry.kind, entry.payload.chars().take(80));
                let payload: String = payload.collect();
                tr!(
                    lang,
                    "解読できない記録: {kind} {payload}",
                    "undecodable record: {kind} {payload}"
                )
            }
        };
        match event {
            Some(Event::IncidentStarted { params, .. }) => {
                then.operator.clone_from(&params.operator);
                then.account.clone_from(&params.account);
                then.facts.clone_from(&params.facts);
            }
            Some(Event::HandedOver { to, .. }) => then.operator.clone_from(to),
            Some(Event::AccountIdentified {
                account: Some(a), ..
            }) => then.account = Some(a.clone()),
            Some(Event::FactSet { fact, value, .. }) => {
                then.facts.insert(fact.clone(), value.clone());
            }
            Some(Event::DecisionMade { step, option, .. }) if is_severity(step) => {
                then.severity = playbook.severities.iter().position(|c| c.id == *option);
            }
            Some(Event::StepReopened { step, .. }) if is_severity(step) => then.severity = None,
            Some(Event::StepCompleted { step, .. }) => {
                then.at = entry.time;
                walk.posted_facts.insert(step.as_str(), then.clone());
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
            walk.decisions.push(DecisionRow {
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
        walk.timeline.push(TimelineEntry {
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
            statement: match event {
                Some(Event::StepCompleted {
                    posted: Some(p), ..
                }) => Some(p.text.clone()),
                _ => None,
            },
        });
    }
    walk
}

/// Each published statement filled in with the incident's facts as they were when it was
/// posted: the operator, the severity, the account and the declared facts change after the
/// start, so a small state holding those (tracked through the timeline) is enough.
fn posted_texts<'a>(
    record: &IncidentRecord,
    posted_facts: &HashMap<&'a str, Facts>,
) -> HashMap<&'a str, String> {
    let state = &record.state;
    let playbook = &record.playbook;
    let mut posted_texts = HashMap::new();
    for (id, facts) in posted_facts {
        let (operator, answer, at) = (&facts.operator, &facts.severity, &facts.at);
        let Some(ix) = playbook.graph.find(id) else {
            continue;
        };
        let Some(StepKind::Post(post)) = playbook.graph.step(ix).map(|s| &s.kind) else {
            continue;
        };
        let mut then = IncidentState::new(playbook);
        then.title.clone_from(&state.title);
        then.account.clone_from(&facts.account);
        then.facts.clone_from(&facts.facts);
        then.platform = state.platform;
        then.started_at = state.started_at;
        then.initial_severity.clone_from(&state.initial_severity);
        then.operator.clone_from(operator);
        if let (Some(sev), Some(a)) = (playbook.severity_decision, answer)
            && let Some(r) = then.steps.get_mut(sev.index())
        {
            r.answer = Some(*a);
        }
        let past = IncidentRecord {
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
        posted_texts.insert(*id, fill(&post.statement, &past, ix, *at, None));
    }
    posted_texts
}

/// The sections made step by step.
struct StepSections {
    steps: Vec<StepRow>,
    statements: Vec<StatementRow>,
    evidence: Vec<EvidenceRow>,
    /// What the steps done rest on.
    grounds: Grounds,
}

/// What the steps done rest on: the report's 根拠.
#[derive(Default)]
struct Grounds {
    /// The guideline clauses followed (cited by steps done), by source document: each
    /// clause once, with its words if any citation or the document quotes them.
    cited: BTreeMap<String, Vec<(String, Option<String>)>>,
    /// The steps done that rest on practice.
    practice: Vec<PracticeRow>,
    /// The clauses the steps done depart from on purpose.
    departures: Vec<DepartureRow>,
}

/// Every step in order with its outcome, the public statements, and the evidence.
fn steps(
    record: &IncidentRecord,
    lang: Lang,
    now: DateTime<FixedOffset>,
    end: DateTime<FixedOffset>,
    posted_texts: &HashMap<&str, String>,
) -> StepSections {
    let state = &record.state;
    let playbook = &record.playbook;
    let mut out = StepSections {
        steps: Vec::new(),
        statements: Vec::new(),
        evidence: Vec::new(),
        grounds: Grounds::default(),
    };
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
                let clauses = out.grounds.cited.entry(c.source.clone()).or_default();
                match clauses.iter_mut().find(|(clause, _)| *clause == c.clause) {
                    Some((_, text)) if text.is_none() => text.clone_from(&c.text),
                    Some(_) => {}
                    None => clauses.push((c.clause.clone(), c.text.clone())),
                }
            }
            if let Some(reason) = &step.practice {
                out.grounds.practice.push(PracticeRow {
                    step: step.id.clone(),
                    title: step.title.clone(),
                    reason: reason.clone(),
                });
            }
            for c in step.departure.iter().flat_map(|d| &d.clauses) {
                out.grounds.departures.push(DepartureRow {
                    step: step.id.clone(),
                    title: step.title.clone(),
                    document: playbook.source_title(&c.source).to_string(),
                    clause: c.clause.clone(),
                    text: c.text.clone(),
                    reason: step
                        .departure
                        .as_ref()
                        .map(|d| d.reason.clone())
                        .unwrap_or_default(),
                });
            }
        }
        out.steps.push(StepRow {
            id: step.id.clone(),
            title: step.title.clone(),
            kind: step.kind.name().to_string(),
            owner: state.owner_of(step).map(str::to_string),
            status,
            status_text: status.words(lang).to_string(),
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
            skipped_by: r.skipped.as_ref().map(|s| s.by.clone()),
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
                .map(|c| playbook.cited(c, false))
                .collect(),
            practice: step.practice.clone(),
            departures: step
                .departure
                .iter()
                .flat_map(|d| {
                    d.clauses
                        .iter()
                        .map(|c| format!("{} — {}", playbook.cited(c, false), d.reason))
                })
                .collect(),
            pending: pending_of(state, playbook, ix, lang),
        });
        if let StepKind::Post(post) = &step.kind {
            let posted = r.posted.as_ref().filter(|_| status == StepStatus::Done);
            let text = match (status, done_at) {
                (StepStatus::Skipped | StepStatus::NotApplicable, _) => None,
                (StepStatus::Done, _) if posted.is_some() => posted.map(|p| p.text.clone()),
                (StepStatus::Done, Some(at)) => Some(
                    posted_texts
                        .get(step.id.as_str())
                        .cloned()
                        .unwrap_or_else(|| fill(&post.statement, record, ix, at, None)),
                ),
                _ => Some(fill(&post.statement, record, ix, now, None)),
            };
            out.statements.push(StatementRow {
                step: step.id.clone(),
                title: step.title.clone(),
                status,
                status_text: status.words(lang).to_string(),
                text,
                as_posted: posted.is_some(),
                sha256: posted.map(|p| p.sha256.clone()),
                file: posted.and_then(|p| p.file.clone()),
                approved_by: r.approval.as_ref().map(|a| a.by.clone()),
                approved_at: r.approval.as_ref().map(|a| a.at),
                posted_at: done_at,
            });
        }
        for (remark, ev) in &r.evidence {
            out.evidence.push(evidence_row(&step.id, remark, ev));
        }
    }
    out.evidence.sort_by_key(|e| e.at);
    out
}

fn evidence_row(
    step: &str,
    remark: &crate::incident::state::Remark,
    evidence: &EvidenceRecord,
) -> EvidenceRow {
    let (kind, what, sha256, bytes) = match evidence {
        EvidenceRecord::File {
            name,
            sha256,
            bytes,
            ..
        } => (
            "file",
            // The report is a document, the same on every platform: `/` as in the journal.
            format!("{}/{name}", crate::incident::files::EVIDENCE),
            Some(sha256.clone()),
            Some(*bytes),
        ),
        EvidenceRecord::Url { url } => ("url", url.clone(), None, None),
    };
    EvidenceRow {
        step: step.to_string(),
        at: remark.at,
        by: remark.by.clone(),
        kind: kind.to_string(),
        what,
        sha256,
        bytes,
        note: Some(remark.text.clone()).filter(|t| !t.is_empty()),
    }
}

/// Every message, with what became of it.
fn notifications(state: &IncidentState) -> Vec<NotificationRow> {
    state
        .messages
        .iter()
        .map(|m| NotificationRow {
            number: m.number,
            step: m.step.clone(),
            to: m.letter.to.clone(),
            address: m.letter.address.clone(),
            channel: m.letter.channel.clone(),
            // The reply code stays out of a report that is printed and filed.
            subject: crate::notify::reply::without_codes(&m.letter.subject),
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
        .collect()
}

/// What did not verify: journal lines, a torn last line, the frozen files.
/// The entries whose time runs backwards, each with the time it follows.
fn out_of_order(audited: &AuditedIncident, lang: Lang) -> Vec<IntegrityProblem> {
    let line_of = |seq: u64| {
        audited
            .journal
            .lines
            .iter()
            .position(|l| l.entry.as_ref().is_some_and(|e| e.seq == seq))
            .map(|i| i + 1)
    };
    crate::journal::out_of_order(audited.journal.entries())
        .into_iter()
        .map(|o| {
            let (time, before, before_time) = (
                format_jst(o.time, true),
                o.after.0,
                format_jst(o.after.1, true),
            );
            IntegrityProblem {
                line: line_of(o.seq),
                seq: Some(o.seq),
                description: tr!(
                    lang,
                    "時刻 {time} が記録 {before} の時刻 {before_time} より前です（時刻の逆行）",
                    "its time {time} is earlier than entry {before}'s {before_time} (the time runs backwards)"
                ),
            }
        })
        .collect()
}

fn integrity_problems(audited: &AuditedIncident, lang: Lang) -> Vec<IntegrityProblem> {
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
        let bytes = torn.bytes;
        problems.push(IntegrityProblem {
            line: Some(audited.journal.lines.len() + 1),
            seq: None,
            description: tr!(
                lang,
                "最後の行が書きかけです（{bytes} バイト。書込み中の異常終了の跡で、記録には含まれません）",
                "the last line is unfinished ({bytes} bytes, from a crash while writing; not part of the record)"
            ),
        });
    }
    problems.extend(audited.problems.iter().map(|e| IntegrityProblem {
        line: None,
        seq: None,
        description: e.message(lang),
    }));
    problems
}

/// The overview: what happened, who handled it, how far it got.
fn overview(
    record: &IncidentRecord,
    operators: Vec<String>,
    end: DateTime<FixedOffset>,
    close_reason: Option<String>,
    decisions: Vec<DecisionRow>,
    grounds: Grounds,
) -> Overview {
    let Grounds {
        cited,
        practice,
        departures,
    } = grounds;
    let state = &record.state;
    let playbook: &Playbook = &record.playbook;
    let progress = state.progress();
    Overview {
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
        operators,
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
        clauses: playbook
            .sources
            .iter()
            .filter_map(|doc| {
                cited.get(&doc.id).map(|clauses| ClauseGroup {
                    source: doc.id.clone(),
                    title: doc.title.clone(),
                    issuer: doc.issuer.clone(),
                    clauses: clauses.iter().map(|(c, _)| c.clone()).collect(),
                    quoted: clauses
                        .iter()
                        .filter_map(|(clause, text)| {
                            text.as_ref().map(|text| QuotedClause {
                                clause: clause.clone(),
                                text: text.clone(),
                            })
                        })
                        .collect(),
                })
            })
            .collect(),
        practice,
        departures,
        progress: ProgressRow {
            done: progress.done,
            skipped: progress.skipped,
            not_applicable: progress.not_applicable,
            open: progress.ready + progress.pending,
            total: progress.total,
        },
    }
}
