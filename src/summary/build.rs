//! Reading the incidents folder and building the summary: each incident is read with the same
//! audit the report uses (every readable event folded, everything that does not verify
//! listed), measured on its own, then the period's counts, medians and worst cases.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, FixedOffset, NaiveDate};

use super::SummaryError;
use super::model::*;
use crate::clock::jst;
use crate::incident::state::{Phase, StepStatus};
use crate::incident::{AuditedIncident, IncidentRecord, files};
use crate::lang::{Lang, Text};
use crate::playbook::duration::format_duration;
use crate::playbook::{Milestone, StepIx};
use crate::tr;

/// What one incident adds to the summary.
struct One {
    row: IncidentRow,
    organization: String,
    deviations: Vec<DeviationRow>,
    mail: Vec<MailRow>,
    score: Option<ScoreRow>,
    lesson: Option<LessonRow>,
}

/// Reads every incident in `folder` that started in `period` and summarises them at `now`.
/// Folders that are not incidents, or whose frozen playbook cannot be read at all, are named in
/// [`Summary::skipped_folders`]; staging folders of an incident being created and hidden
/// folders (`.git`) are passed over silently. Fails only if the folder cannot be listed.
pub fn summarize(
    folder: &Path,
    period: Period,
    lang: Lang,
    now: DateTime<FixedOffset>,
) -> Result<Summary, SummaryError> {
    let entries = std::fs::read_dir(folder).map_err(|source| SummaryError::Folder {
        path: folder.to_path_buf(),
        source,
    })?;
    let mut dirs: Vec<_> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| !n.to_string_lossy().starts_with('.'))
        })
        .collect();
    dirs.sort();
    let mut skipped = Vec::new();
    let mut ones = Vec::new();
    for dir in &dirs {
        // A folder's name comes from outside (anyone can make a folder on the share): shown
        // with control and invisible characters escaped, on the terminal and in every file.
        let name = dir
            .file_name()
            .map(|n| crate::text::shown(&n.to_string_lossy()).into_owned())
            .unwrap_or_default();
        if !dir.join(files::JOURNAL).is_file() {
            skipped.push(SkippedFolder {
                folder: name,
                reason: tr!(
                    lang,
                    "事案のフォルダではありません（{journal} がありません）",
                    "not an incident folder (no {journal})",
                    journal = files::JOURNAL
                ),
            });
            continue;
        }
        let audited = match IncidentRecord::audit(dir) {
            Ok(a) => a,
            Err(e) => {
                skipped.push(SkippedFolder {
                    folder: name,
                    reason: crate::text::shown_text(&e.message(lang)).into_owned(),
                });
                continue;
            }
        };
        let day = start_day(&audited);
        if day.is_some_and(|d| !period.contains(d))
            || (day.is_none() && period != Period::default())
        {
            continue;
        }
        ones.push(one(&audited, lang, now));
    }
    Ok(assemble(ones, skipped, folder, period, lang, now))
}

/// The day an incident started, in Japan: from its record, else from its folder name
/// (`20261122-1403-…`), which is made from the start.
fn start_day(audited: &AuditedIncident) -> Option<NaiveDate> {
    let record = &audited.record;
    record
        .state
        .started_at
        .map(|t| t.with_timezone(&jst()).date_naive())
        .or_else(|| {
            let prefix = record.id.get(..8)?;
            NaiveDate::parse_from_str(prefix, "%Y%m%d").ok()
        })
}

/// `12分` / `12m`, never negative (a clock set wrong is shown by verify and the report).
fn shown(seconds: i64, lang: Lang) -> String {
    chrono::TimeDelta::try_seconds(seconds.max(0))
        .map_or_else(|| "-".to_string(), |d| format_duration(d, lang))
}

/// The word for a milestone not reached.
fn reached_text(reached: Reached, closed: bool, lang: Lang) -> String {
    match reached {
        Reached::Reached => String::new(),
        Reached::Open if closed => Text::new("未実施", "not done").get(lang).into(),
        Reached::Open => Text::new("対応中", "open").get(lang).into(),
        Reached::Skipped => StepStatus::Skipped.words(lang).into(),
        Reached::NotApplicable => StepStatus::NotApplicable.words(lang).into(),
        Reached::Unmarked => "—".into(),
    }
}

/// The milestone a measure is, if it is one.
fn milestone_of(measure: Measure) -> Option<Milestone> {
    match measure {
        Measure::FirstReport => Some(Milestone::FirstReport),
        Measure::Containment => Some(Milestone::Containment),
        Measure::PublicNotice => Some(Milestone::PublicNotice),
        Measure::Close => None,
    }
}

/// The time from the start of an incident to each milestone and to the close.
fn times(record: &IncidentRecord, lang: Lang) -> Vec<MilestoneTime> {
    let state = &record.state;
    let playbook = &record.playbook;
    let closed = state.closed.as_ref().map(|c| c.at);
    let since = |t: DateTime<FixedOffset>| state.started_at.map(|s| (t - s).num_seconds().max(0));
    Measure::ALL
        .iter()
        .map(|&measure| {
            let (step, reached, seconds) = match milestone_of(measure) {
                None => match closed.and_then(since) {
                    Some(s) => (None, Reached::Reached, Some(s)),
                    None => (None, Reached::Open, None),
                },
                Some(m) => match playbook.milestone(m) {
                    None => (None, Reached::Unmarked, None),
                    Some(ix) => {
                        let id = playbook.graph.step(ix).map(|s| s.id.clone());
                        // Judged by its first completion, as an exercise's score is: a
                        // reopening later does not move it.
                        let first_done = |ix: StepIx| {
                            state
                                .step(ix)
                                .and_then(|r| r.first_done.or(r.done.as_ref().map(|d| d.at)))
                        };
                        // A step ended by another (`until`: the 「確認中」 post by the
                        // correction) marks the moment when the one that ended it was done.
                        let ended_by = playbook
                            .graph
                            .step(ix)
                            .into_iter()
                            .flat_map(|s| s.until.iter().filter_map(|&u| first_done(u)));
                        let first = first_done(ix).or_else(|| ended_by.min());
                        match (first.and_then(since), state.status_of(ix)) {
                            (Some(s), _) => (id, Reached::Reached, Some(s)),
                            (None, StepStatus::Skipped) => (id, Reached::Skipped, None),
                            (None, StepStatus::NotApplicable) => (id, Reached::NotApplicable, None),
                            (None, _) => (id, Reached::Open, None),
                        }
                    }
                },
            };
            MilestoneTime {
                measure,
                step,
                reached,
                text: match seconds {
                    Some(s) => shown(s, lang),
                    None => reached_text(reached, closed.is_some(), lang),
                },
                seconds,
            }
        })
        .collect()
}

/// What did not verify, in a line each.
fn problems(audited: &AuditedIncident, scenario_verified: bool, lang: Lang) -> Vec<String> {
    let mut out: Vec<String> = audited
        .journal
        .lines
        .iter()
        .filter_map(|l| {
            let line = l.line;
            l.problem.as_ref().map(|p| {
                let what = p.message(lang);
                tr!(lang, "{line} 行目: {what}", "line {line}: {what}")
            })
        })
        .collect();
    if let Some(torn) = &audited.journal.torn {
        let bytes = torn.bytes;
        out.push(tr!(
            lang,
            "最後の行が書きかけです（{bytes} バイト）",
            "the last line is unfinished ({bytes} bytes)"
        ));
    }
    out.extend(audited.problems.iter().map(|e| e.message(lang)));
    if !scenario_verified {
        out.push(tr!(
            lang,
            "訓練シナリオ（scenario.yaml）が無いか、開始時の内容と異なります",
            "the exercise scenario (scenario.yaml) is missing or differs from the one the exercise began with"
        ));
    }
    out
}

/// One incident measured.
fn one(audited: &AuditedIncident, lang: Lang, now: DateTime<FixedOffset>) -> One {
    let record = &audited.record;
    let state = &record.state;
    let playbook = &record.playbook;
    // An exercise runs on simulated time: while it is open, its "now" is its last event.
    let now = match (&state.run, state.last_event_at) {
        (Some(_), Some(last)) => last,
        _ => now,
    };
    let end = state.closed.as_ref().map_or(now, |c| c.at);
    let scenario_verified = record.frozen_scenario().is_none_or(|s| s.verified);
    let exercise = state.exercise || state.run.is_some();

    let mut deviations = Vec::new();
    for &ix in playbook.graph.order() {
        let (Some(step), Some(r)) = (playbook.graph.step(ix), state.step(ix)) else {
            continue;
        };
        let row = |kind: &str, kind_text: Text, at, reason: &str| DeviationRow {
            incident: record.id.clone(),
            exercise,
            step: step.id.clone(),
            title: step.title.clone(),
            kind: kind.to_string(),
            kind_text: kind_text.get(lang).to_string(),
            at,
            reason: reason.to_string(),
        };
        match (state.status_of(ix), &r.forced, &r.skipped) {
            (StepStatus::Done, Some(reason), _) => deviations.push(row(
                "forced",
                Text::new("強制", "forced"),
                r.done.as_ref().map(|d| d.at),
                reason,
            )),
            (StepStatus::Skipped, _, Some(skip)) => deviations.push(row(
                "skipped",
                Text::new("省略", "skipped"),
                Some(skip.at),
                &skip.text,
            )),
            _ => {}
        }
    }

    let mut mail = Vec::new();
    let (mut late, mut undelivered) = (0, 0);
    for m in &state.messages {
        let deadline = playbook
            .graph
            .find(&m.step)
            .and_then(|ix| state.view(playbook, ix, end).due_at);
        let delivered_at = m.sent_at();
        let words = m.phase().words(lang);
        let (state_text, late_seconds) = match (m.phase(), delivered_at, deadline) {
            (Phase::Sent, Some(at), Some(due)) if at > due => (
                tr!(lang, "期限後に{words}", "{words} late"),
                Some((at - due).num_seconds()),
            ),
            (Phase::Sent, ..) => continue,
            // Withdrawn before it was delivered (the step done another way, reopened, or the
            // incident closed): its recipient never had it.
            (Phase::Cancelled, ..) => {
                let reason = m.cancelled.as_ref().map(|c| c.text.as_str()).unwrap_or("");
                (
                    tr!(
                        lang,
                        "未達（{words}: {reason}）",
                        "not delivered ({words}: {reason})"
                    ),
                    None,
                )
            }
            (Phase::Called | Phase::Pending | Phase::Failed | Phase::FailedPermanent, ..) => (
                tr!(lang, "未達（{words}）", "not delivered ({words})"),
                None,
            ),
        };
        if late_seconds.is_some() {
            late += 1;
        } else {
            undelivered += 1;
        }
        mail.push(MailRow {
            incident: record.id.clone(),
            exercise,
            number: m.number,
            step: m.step.clone(),
            to: m.letter.to.clone(),
            state: m.phase().word().to_string(),
            state_text,
            queued_at: m.queued.at,
            deadline,
            delivered_at,
            late_seconds,
            attempts: m.attempts(),
        });
    }

    let score = state.run.as_ref().and_then(|run| {
        let score = crate::exercise::score(state, playbook, now)?;
        Some(ScoreRow {
            incident: record.id.clone(),
            scenario: run.scenario.clone(),
            title: run.title.clone(),
            started_at: state.started_at,
            score: score.total,
            formula: score.formula(lang),
        })
    });
    let lesson = state.run.as_ref().and_then(|run| match run.reviews.last() {
        Some(review) if !(review.issues.is_empty() && review.improvements.is_empty()) => {
            Some(LessonRow {
                incident: record.id.clone(),
                title: run.title.clone(),
                recorded_at: Some(review.recorded.at),
                by: Some(review.recorded.by.clone()),
                issues: review.issues.clone(),
                improvements: review.improvements.clone(),
            })
        }
        Some(_) => None,
        None => state.closed.as_ref().map(|_| LessonRow {
            incident: record.id.clone(),
            title: run.title.clone(),
            recorded_at: None,
            by: None,
            issues: String::new(),
            improvements: String::new(),
        }),
    });

    let progress = state.progress();
    let verified = audited.is_intact() && scenario_verified;
    One {
        row: IncidentRow {
            id: crate::text::shown(&record.id).into_owned(),
            title: state.title.clone(),
            exercise,
            scenario: state.run.as_ref().map(|r| r.scenario.clone()),
            playbook: playbook.id.clone(),
            playbook_title: playbook.title.clone(),
            severity: state.severity_title(playbook).map(str::to_string),
            started_at: state.started_at,
            closed_at: state.closed.as_ref().map(|c| c.at),
            verified,
            problems: if verified {
                Vec::new()
            } else {
                problems(audited, scenario_verified, lang)
            },
            times: times(record, lang),
            forced: deviations.iter().filter(|d| d.kind == "forced").count(),
            skipped: deviations.iter().filter(|d| d.kind == "skipped").count(),
            steps_open: progress.ready + progress.pending,
            messages: state.messages.len(),
            mail_late: late,
            mail_undelivered: undelivered,
            score: score.as_ref().map(|s| s.score),
        },
        organization: record.directory.organization.clone(),
        deviations,
        mail,
        score,
        lesson,
    }
}

/// The median of sorted values: the middle one, or the mean of the middle two (rounded
/// down).
fn median(sorted: &[i64]) -> Option<i64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => sorted.get(n / 2).copied(),
        _ => {
            let (a, b) = (sorted.get(n / 2 - 1)?, sorted.get(n / 2)?);
            Some(a + (b - a) / 2)
        }
    }
}

/// Median and worst of one measure over the rows of one group.
fn stats(rows: &[&IncidentRow], measure: Measure) -> Stats {
    let mut values: Vec<(i64, &str)> = Vec::new();
    let mut marked = 0;
    for row in rows {
        let Some(t) = row.times.iter().find(|t| t.measure == measure) else {
            continue;
        };
        if t.reached != Reached::Unmarked {
            marked += 1;
        }
        if let Some(s) = t.seconds {
            values.push((s, &row.id));
        }
    }
    let mut sorted: Vec<i64> = values.iter().map(|(s, _)| *s).collect();
    sorted.sort_unstable();
    // The first incident (in start order) with the longest time.
    let worst = values
        .iter()
        .fold(None, |w: Option<(i64, &str)>, &(s, id)| match w {
            Some((ws, _)) if ws >= s => w,
            _ => Some((s, id)),
        });
    Stats {
        count: values.len(),
        marked,
        median_seconds: median(&sorted),
        worst_seconds: worst.map(|(s, _)| s),
        worst_incident: worst.map(|(_, id)| id.to_string()),
    }
}

/// The name of a measure.
pub(super) fn measure_title(measure: Measure, lang: Lang) -> &'static str {
    match measure {
        Measure::FirstReport => Text::new("所属長への第一報", "First report to 所属長"),
        Measure::Containment => Text::new("封じ込め", "Containment"),
        Measure::PublicNotice => Text::new("公表（最初の周知）", "Public notice"),
        Measure::Close => Text::new("終結", "Close"),
    }
    .get(lang)
}

/// The period's counts, medians and worst cases from the incidents measured.
fn assemble(
    mut ones: Vec<One>,
    skipped_folders: Vec<SkippedFolder>,
    folder: &Path,
    period: Period,
    lang: Lang,
    now: DateTime<FixedOffset>,
) -> Summary {
    // In the order they started (a record without a start by its folder name, which is
    // made from it).
    ones.sort_by(|a, b| (a.row.started_at, &a.row.id).cmp(&(b.row.started_at, &b.row.id)));
    let organization = ones
        .last()
        .map(|o| o.organization.clone())
        .filter(|o| !o.is_empty());
    let rows: Vec<IncidentRow> = ones.iter().map(|o| o.row.clone()).collect();
    let (real, drills): (Vec<&IncidentRow>, Vec<&IncidentRow>) =
        rows.iter().partition(|r| !r.exercise);

    let mut by_playbook: BTreeMap<&str, PlaybookCount> = BTreeMap::new();
    let mut by_severity: BTreeMap<String, SeverityCount> = BTreeMap::new();
    for r in &rows {
        let p = by_playbook
            .entry(r.playbook.as_str())
            .or_insert_with(|| PlaybookCount {
                playbook: r.playbook.clone(),
                title: r.playbook_title.clone(),
                incidents: 0,
                exercises: 0,
            });
        let severity = r.severity.clone().unwrap_or_else(|| "—".to_string());
        let s = by_severity
            .entry(severity.clone())
            .or_insert_with(|| SeverityCount {
                severity,
                incidents: 0,
                exercises: 0,
            });
        if r.exercise {
            p.exercises += 1;
            s.exercises += 1;
        } else {
            p.incidents += 1;
            s.incidents += 1;
        }
    }

    let mut scores: Vec<ScoreRow> = Vec::new();
    let mut deviations = Vec::new();
    let mut mail = Vec::new();
    let mut lessons = Vec::new();
    for one in ones {
        scores.extend(one.score);
        deviations.extend(one.deviations);
        mail.extend(one.mail);
        lessons.extend(one.lesson);
    }
    let mut sorted: Vec<i64> = scores.iter().map(|s| i64::from(s.score)).collect();
    sorted.sort_unstable();
    let lowest = scores.iter().fold(None, |w: Option<&ScoreRow>, s| match w {
        Some(w) if w.score <= s.score => Some(w),
        _ => Some(s),
    });
    let score = ScoreStats {
        count: scores.len(),
        median: median(&sorted).and_then(|m| u32::try_from(m).ok()),
        worst: lowest.map(|s| s.score),
        worst_incident: lowest.map(|s| s.incident.clone()),
    };

    Summary {
        format: FORMAT,
        generated_at: now,
        lang: lang.to_string(),
        organization,
        folder: crate::text::shown(&folder.display().to_string()).into_owned(),
        period,
        totals: Totals {
            incidents: real.len(),
            exercises: drills.len(),
            open: rows.iter().filter(|r| r.closed_at.is_none()).count(),
            unverified: rows.iter().filter(|r| !r.verified).count(),
            forced: rows.iter().map(|r| r.forced).sum(),
            skipped: rows.iter().map(|r| r.skipped).sum(),
            mail_late: rows.iter().map(|r| r.mail_late).sum(),
            mail_undelivered: rows.iter().map(|r| r.mail_undelivered).sum(),
        },
        by_playbook: by_playbook.into_values().collect(),
        by_severity: by_severity.into_values().collect(),
        measures: Measure::ALL
            .iter()
            .map(|&m| MeasureRow {
                measure: m,
                title: measure_title(m, lang).to_string(),
                incidents: stats(&real, m),
                exercises: stats(&drills, m),
            })
            .collect(),
        score,
        incidents: rows.clone(),
        deviations,
        mail,
        scores,
        lessons,
        skipped_folders,
        readiness: None,
    }
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[7]), Some(7));
        assert_eq!(median(&[1, 5, 9]), Some(5));
        assert_eq!(median(&[60, 120]), Some(90));
        assert_eq!(median(&[60, 121]), Some(90));
        assert_eq!(median(&[1, 2, 10, 40]), Some(6));
    }
}
