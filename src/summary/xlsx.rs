//! The summary as an Excel workbook, written the way the report's is (`report::xlsx`): an
//! overview sheet first (with the incidents whose record failed verification at its top), then
//! a sheet per table. Cells are typed: times are Excel dates in Japan time, durations Excel
//! durations, counts and scores numbers; a milestone not reached is the word shown for it
//! (`—`, 対象外 …), never 0. Every sheet has its header row frozen and a filter on it.

use rust_xlsxwriter::{Workbook, XlsxError};

use super::label;
use super::model::{Measure, Reached, Stats, Summary};
use crate::lang::{Lang, Text};
use crate::report::ReportError;
use crate::report::xlsx::{Cell, Formats, opt, sheet, text};

fn number(n: usize) -> Cell {
    Cell::Number(Some(n as f64))
}

fn kind(exercise: bool, lang: Lang) -> Cell {
    text(label(if exercise { "exercise" } else { "incident" }, lang))
}

/// The sheets' names (Excel allows 31 characters).
const SHEET_OVERVIEW: Text = Text::new("概要", "Overview");
const SHEET_MEASURES: Text = Text::new("所要時間", "Time taken");
const SHEET_COUNTS: Text = Text::new("件数", "Counts");
const SHEET_LIST: Text = Text::new("事案・訓練の一覧", "Incidents and exercises");
const SHEET_DEVIATIONS: Text = Text::new("省略・強制", "Skipped or forced");
const SHEET_MAIL: Text = Text::new("通知の遅れ・未達", "Mail late or undelivered");
const SHEET_SCORES: Text = Text::new("訓練の得点", "Exercise scores");
const SHEET_LESSONS: Text = Text::new("未了の振り返り", "Lessons still open");
const SHEET_SKIPPED: Text = Text::new("除外したフォルダ", "Folders left out");
const SHEET_READINESS: Text = Text::new("アカウントの準備", "Account readiness");

const READINESS: [Text; 5] = [
    Text::new("アカウント", "Account"),
    Text::new("所管課", "Division"),
    Text::new("重大性", "Severity"),
    Text::new("不足", "Finding"),
    Text::new("根拠", "Clauses"),
];

const OVERVIEW: [Text; 2] = [Text::new("項目", "Item"), Text::new("内容", "Value")];

const MEASURES: [Text; 7] = [
    Text::new("項目", "Measure"),
    Text::new("区分", "Group"),
    Text::new("件数", "Reached"),
    Text::new("節目のある件数", "Marked"),
    Text::new("中央値", "Median"),
    Text::new("最長", "Worst"),
    Text::new("最長の事案", "Worst incident"),
];

const COUNTS: [Text; 4] = [
    Text::new("手順書・重大度", "Playbook or severity"),
    Text::new("名称", "Title"),
    Text::new("事案", "Incidents"),
    Text::new("訓練", "Exercises"),
];

const INCIDENTS: [Text; 19] = [
    Text::new("事案番号", "Incident id"),
    Text::new("事案名", "Title"),
    Text::new("区分", "Kind"),
    Text::new("手順書", "Playbook"),
    Text::new("重大度", "Severity"),
    Text::new("開始", "Started"),
    Text::new("終結", "Closed"),
    Text::new("所属長への第一報", "First report"),
    Text::new("封じ込め", "Containment"),
    Text::new("公表", "Public notice"),
    Text::new("終結まで", "To close"),
    Text::new("強制", "Forced"),
    Text::new("省略", "Skipped"),
    Text::new("未完了の手順", "Steps open"),
    Text::new("通知", "Messages"),
    Text::new("通知の遅れ", "Mail late"),
    Text::new("通知の未達", "Mail not delivered"),
    Text::new("得点", "Score"),
    Text::new("検証", "Verified"),
];

const DEVIATIONS: [Text; 7] = [
    Text::new("事案番号", "Incident id"),
    Text::new("区分", "Kind"),
    Text::new("手順ID", "Step id"),
    Text::new("手順", "Step"),
    Text::new("省略・強制", "Skipped or forced"),
    Text::new("日時", "Time"),
    Text::new("理由", "Reason"),
];

const MAIL: [Text; 11] = [
    Text::new("事案番号", "Incident id"),
    Text::new("区分", "Kind"),
    Text::new("番号", "No."),
    Text::new("手順", "Step"),
    Text::new("宛先", "To"),
    Text::new("状況", "What became of it"),
    Text::new("送信", "Queued"),
    Text::new("期限", "Deadline"),
    Text::new("送達", "Delivered"),
    Text::new("遅れ", "Late by"),
    Text::new("失敗回数", "Failed attempts"),
];

const SCORES: [Text; 5] = [
    Text::new("事案番号", "Incident id"),
    Text::new("シナリオ", "Scenario"),
    Text::new("開始", "Started"),
    Text::new("得点", "Score"),
    Text::new("計算方法", "How it is computed"),
];

const LESSONS: [Text; 6] = [
    Text::new("事案番号", "Incident id"),
    Text::new("シナリオ", "Scenario"),
    Text::new("記録", "Recorded"),
    Text::new("記録者", "By"),
    Text::new("課題", "What was difficult"),
    Text::new("改善策", "What to change"),
];

const SKIPPED: [Text; 2] = [Text::new("フォルダ", "Folder"), Text::new("理由", "Reason")];

/// The workbook's bytes.
pub(super) fn xlsx(summary: &Summary, lang: Lang) -> Result<Vec<u8>, ReportError> {
    workbook(summary, lang).map_err(|e| ReportError::Xlsx(e.to_string()))
}

fn stats_row(title: &str, group: &str, s: &Stats) -> Vec<Cell> {
    vec![
        text(title),
        text(group),
        number(s.count),
        number(s.marked),
        Cell::Seconds(s.median_seconds),
        Cell::Seconds(s.worst_seconds),
        opt(s.worst_incident.as_deref()),
    ]
}

fn overview_rows(summary: &Summary, lang: Lang) -> Vec<Vec<Cell>> {
    let mut rows = Vec::new();
    let unverified: Vec<&str> = summary
        .incidents
        .iter()
        .filter(|r| !r.verified)
        .map(|r| r.id.as_str())
        .collect();
    if !unverified.is_empty() {
        rows.push(vec![
            text(label("broken", lang)),
            text(unverified.join("\n")),
        ]);
    }
    let mut pair = |k: &str, v: Cell| rows.push(vec![text(label(k, lang)), v]);
    pair("organization", opt(summary.organization.as_deref()));
    pair(
        "period",
        text(format!(
            "{} – {}",
            summary
                .period
                .from
                .map_or_else(|| label("from_start", lang).to_string(), |d| d.to_string()),
            summary
                .period
                .to
                .map_or_else(|| label("to_end", lang).to_string(), |d| d.to_string()),
        )),
    );
    pair("incidents_folder", text(summary.folder.clone()));
    pair("generated", Cell::Time(Some(summary.generated_at)));
    let t = &summary.totals;
    pair("incidents", number(t.incidents));
    pair("exercises", number(t.exercises));
    pair("open", number(t.open));
    pair("unverified", number(t.unverified));
    pair("forced", number(t.forced));
    pair("skipped", number(t.skipped));
    pair("mail_late", number(t.mail_late));
    pair("mail_undelivered", number(t.mail_undelivered));
    // What each number is: the median and the lowest of the exercises' scores (as the HTML
    // summary says it), and which exercise scored lowest.
    let s = &summary.score;
    let of_score = |what: &str| match lang {
        Lang::Ja => format!("{}（{}）", label("score", lang), label(what, lang)),
        Lang::En => format!(
            "{} ({})",
            label("score", lang),
            label(what, lang).to_lowercase()
        ),
    };
    rows.push(vec![
        text(of_score("median")),
        Cell::Number(s.median.map(f64::from)),
    ]);
    rows.push(vec![
        text(of_score("worst_score")),
        Cell::Number(s.worst.map(f64::from)),
    ]);
    if let Some(id) = &s.worst_incident {
        rows.push(vec![
            text(format!(
                "{}: {}",
                of_score("worst_score"),
                label("id", lang)
            )),
            text(id.clone()),
        ]);
    }
    rows
}

/// A milestone's cell: its duration when reached, else the word shown for it.
fn time_cell(row: &super::model::IncidentRow, measure: Measure) -> Cell {
    match row.times.iter().find(|t| t.measure == measure) {
        Some(t) if t.reached == Reached::Reached => Cell::Seconds(t.seconds),
        Some(t) => text(t.text.clone()),
        None => text("—"),
    }
}

fn workbook(summary: &Summary, lang: Lang) -> Result<Vec<u8>, XlsxError> {
    let f = Formats::new();
    let mut book = Workbook::new();

    let ws = book.add_worksheet().set_name(SHEET_OVERVIEW.get(lang))?;
    sheet(ws, &f, &OVERVIEW, overview_rows(summary, lang), &[1], lang)?;
    if summary.totals.unverified > 0 {
        ws.write_string_with_format(1, 0, label("broken", lang), &f.alert)?;
    }

    let mut measures = Vec::new();
    for m in &summary.measures {
        measures.push(stats_row(&m.title, label("incidents", lang), &m.incidents));
        measures.push(stats_row(&m.title, label("exercises", lang), &m.exercises));
    }
    let ws = book.add_worksheet().set_name(SHEET_MEASURES.get(lang))?;
    sheet(ws, &f, &MEASURES, measures, &[], lang)?;

    let counts = summary
        .by_playbook
        .iter()
        .map(|p| {
            vec![
                text(p.playbook.clone()),
                text(p.title.clone()),
                number(p.incidents),
                number(p.exercises),
            ]
        })
        .chain(summary.by_severity.iter().map(|s| {
            vec![
                text(label("severity", lang)),
                text(s.severity.clone()),
                number(s.incidents),
                number(s.exercises),
            ]
        }))
        .collect();
    let ws = book.add_worksheet().set_name(SHEET_COUNTS.get(lang))?;
    sheet(ws, &f, &COUNTS, counts, &[1], lang)?;

    let incidents = summary
        .incidents
        .iter()
        .map(|r| {
            let mut cells = vec![
                text(r.id.clone()),
                text(r.title.clone()),
                kind(r.exercise, lang),
                text(r.playbook.clone()),
                opt(r.severity.as_deref()),
                Cell::Time(r.started_at),
                Cell::Time(r.closed_at),
            ];
            cells.extend(Measure::ALL.iter().map(|m| time_cell(r, *m)));
            cells.extend([
                number(r.forced),
                number(r.skipped),
                number(r.steps_open),
                number(r.messages),
                number(r.mail_late),
                number(r.mail_undelivered),
                Cell::Number(r.score.map(f64::from)),
                text(if r.verified {
                    "OK"
                } else {
                    label("not_verified", lang)
                }),
            ]);
            cells
        })
        .collect();
    let ws = book.add_worksheet().set_name(SHEET_LIST.get(lang))?;
    sheet(ws, &f, &INCIDENTS, incidents, &[1], lang)?;

    let deviations = summary
        .deviations
        .iter()
        .map(|d| {
            vec![
                text(d.incident.clone()),
                kind(d.exercise, lang),
                text(d.step.clone()),
                text(d.title.clone()),
                text(d.kind_text.clone()),
                Cell::Time(d.at),
                text(d.reason.clone()),
            ]
        })
        .collect();
    let ws = book.add_worksheet().set_name(SHEET_DEVIATIONS.get(lang))?;
    sheet(ws, &f, &DEVIATIONS, deviations, &[6], lang)?;

    let mail = summary
        .mail
        .iter()
        .map(|m| {
            vec![
                text(m.incident.clone()),
                kind(m.exercise, lang),
                Cell::Number(Some(f64::from(m.number))),
                text(m.step.clone()),
                text(m.to.clone()),
                text(m.state_text.clone()),
                Cell::Time(Some(m.queued_at)),
                Cell::Time(m.deadline),
                Cell::Time(m.delivered_at),
                Cell::Seconds(m.late_seconds),
                Cell::Number(Some(f64::from(m.attempts))),
            ]
        })
        .collect();
    let ws = book.add_worksheet().set_name(SHEET_MAIL.get(lang))?;
    sheet(ws, &f, &MAIL, mail, &[], lang)?;

    let scores = summary
        .scores
        .iter()
        .map(|s| {
            vec![
                text(s.incident.clone()),
                text(s.title.clone()),
                Cell::Time(s.started_at),
                Cell::Number(Some(f64::from(s.score))),
                text(s.formula.clone()),
            ]
        })
        .collect();
    let ws = book.add_worksheet().set_name(SHEET_SCORES.get(lang))?;
    sheet(ws, &f, &SCORES, scores, &[4], lang)?;

    let lessons = summary
        .lessons
        .iter()
        .map(|l| {
            vec![
                text(l.incident.clone()),
                text(l.title.clone()),
                Cell::Time(l.recorded_at),
                opt(l.by.as_deref()),
                if l.recorded_at.is_none() {
                    text(label("no_review", lang))
                } else {
                    text(l.issues.clone())
                },
                text(l.improvements.clone()),
            ]
        })
        .collect();
    let ws = book.add_worksheet().set_name(SHEET_LESSONS.get(lang))?;
    sheet(ws, &f, &LESSONS, lessons, &[4, 5], lang)?;

    if let Some(readiness) = &summary.readiness {
        let rows = readiness
            .findings
            .iter()
            .map(|r| {
                vec![
                    text(r.account.clone()),
                    text(r.division.clone()),
                    text(r.severity_text.clone()),
                    text(r.text.clone()),
                    text(r.clauses.join("\n")),
                ]
            })
            .collect();
        let ws = book.add_worksheet().set_name(SHEET_READINESS.get(lang))?;
        sheet(ws, &f, &READINESS, rows, &[3, 4], lang)?;
    }

    let skipped = summary
        .skipped_folders
        .iter()
        .map(|s| vec![text(s.folder.clone()), text(s.reason.clone())])
        .collect();
    let ws = book.add_worksheet().set_name(SHEET_SKIPPED.get(lang))?;
    sheet(ws, &f, &SKIPPED, skipped, &[1], lang)?;

    book.save_to_buffer()
}
