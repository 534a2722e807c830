//! The report as an Excel workbook (rust_xlsxwriter): an overview sheet first (with the
//! warning when the record failed verification), then one sheet each for the timeline, the
//! steps, the mail, the evidence and the decisions. Cells are typed: times are Excel dates in
//! Japan time, durations Excel durations (`[h]:mm:ss`), counts numbers; every sheet has its
//! header row frozen, a filter on it, and columns as wide as their Japanese text.

use chrono::{DateTime, Datelike as _, FixedOffset, Timelike as _};
use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, Workbook, Worksheet, XlsxError};
use unicode_width::UnicodeWidthStr as _;

use super::model::{Report, StepRow};
use super::{ReportError, label};
use crate::clock::jst;
use crate::lang::{Lang, Text};
use crate::tr;

/// The font of every cell: a Japanese UI font Excel has on Windows and macOS.
const FONT: &str = "游ゴシック";
/// Excel's limit on the characters of one cell.
const CELL_MAX: usize = 32_767;
/// The widest a column is made (in Excel's units, about one half-width character).
const WIDTH_MAX: usize = 60;
/// The height of one line of text in a row, in points (游ゴシック 11 pt: Excel's 18.75).
const LINE_HEIGHT: f64 = 18.75;
/// Excel's tallest row, in points.
const ROW_MAX: f64 = 409.0;
/// A sheet wider than this (in column units) is printed landscape: about what fits across
/// an A4 page upright at the fit-to-width scale that keeps 游ゴシック readable.
const PORTRAIT_MAX: usize = 100;
/// The paper: A4 (Excel's paper size 9).
const A4: u8 = 9;

/// How many lines `text` takes in a column `width` units wide, when it wraps there (a
/// full-width character takes two units, as in the column widths).
fn lines_in(text: &str, width: usize) -> usize {
    let room = width.saturating_sub(1).max(1);
    text.lines()
        .map(|l| l.width().div_ceil(room).max(1))
        .sum::<usize>()
        .max(1)
}

/// Page setup of every sheet: A4, landscape when wide, one page wide (as many pages tall as
/// it takes), the header row printed at the top of each page, 15 mm margins, and the sheet's
/// name and the page number in the footer.
fn page_setup(sheet: &mut Worksheet, width: usize) {
    sheet.set_paper_size(A4);
    if width > PORTRAIT_MAX {
        sheet.set_landscape();
    }
    sheet.set_print_fit_to_pages(1, 0);
    // Inches: 15 mm on each side, 20 mm top and bottom, header and footer 8 mm from the edge.
    sheet.set_margins(0.59, 0.59, 0.79, 0.79, 0.31, 0.31);
    sheet.set_footer("&8&A  &P / &N");
}

/// One cell's value.
pub(crate) enum Cell {
    Text(String),
    Time(Option<DateTime<FixedOffset>>),
    Seconds(Option<i64>),
    Number(Option<f64>),
}

use Cell::{Number, Seconds, Time};

pub(crate) fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

pub(crate) fn opt(s: Option<&str>) -> Cell {
    Cell::Text(s.unwrap_or_default().to_string())
}

/// The formats a sheet writes with.
pub(crate) struct Formats {
    header: Format,
    text: Format,
    wrap: Format,
    time: Format,
    duration: Format,
    number: Format,
    /// Bold dark red: a warning in a cell.
    pub(crate) alert: Format,
}

impl Formats {
    /// The house formats: Japanese font, dates in JST, durations, a grey bold header.
    pub(crate) fn new() -> Formats {
        let base = Format::new()
            .set_font_name(FONT)
            .set_align(FormatAlign::Top);
        Formats {
            header: base.clone().set_bold().set_background_color(0xDDDDDD),
            text: base.clone(),
            wrap: base.clone().set_text_wrap(),
            time: base.clone().set_num_format("yyyy-mm-dd hh:mm:ss"),
            duration: base.clone().set_num_format("[h]:mm:ss"),
            number: base.clone(),
            alert: base.set_bold().set_font_color(0xC00000),
        }
    }
}

/// An Excel date and time in Japan time (Excel has no time zones: the cell shows JST).
fn excel_time(t: DateTime<FixedOffset>) -> Result<ExcelDateTime, XlsxError> {
    let t = t.with_timezone(&jst());
    // Excel's dates start in 1900; a damaged journal's year is clamped rather than refused.
    let year = u16::try_from(t.year().clamp(1900, 9999)).unwrap_or(1900);
    ExcelDateTime::from_ymd(year, t.month() as u8, t.day() as u8)?.and_hms(
        t.hour() as u16,
        t.minute() as u8,
        t.second(),
    )
}

/// Writes one sheet: a frozen, filtered header and the rows; `wrap` are the columns of long
/// text (wrapped, and not wider than [`WIDTH_MAX`]).
pub(crate) fn sheet(
    sheet: &mut Worksheet,
    formats: &Formats,
    header: &[Text],
    rows: Vec<Vec<Cell>>,
    wrap: &[usize],
    lang: Lang,
) -> Result<(), XlsxError> {
    let mut widths: Vec<usize> = header.iter().map(|h| h.get(lang).width() + 4).collect();
    for (col, h) in header.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, h.get(lang), &formats.header)?;
    }
    // The columns' widths first: a wrapped cell's lines depend on them.
    for cells in &rows {
        for (c, cell) in cells.iter().enumerate() {
            let width = match cell {
                Cell::Text(s) => s.lines().map(|l| l.width()).max().unwrap_or(0),
                Time(Some(_)) => 19,
                Seconds(Some(_)) => 10,
                Number(Some(_)) => 8,
                Time(None) | Seconds(None) | Number(None) => 0,
            };
            if let Some(w) = widths.get_mut(c) {
                *w = (*w).max(width + 2).min(WIDTH_MAX);
            }
        }
    }
    for (r, cells) in rows.iter().enumerate() {
        let row = r as u32 + 1;
        let mut lines = 1;
        for (c, cell) in cells.iter().enumerate() {
            let col = c as u16;
            match cell {
                Cell::Text(s) => {
                    let s: String = s.chars().take(CELL_MAX).collect();
                    let f = if wrap.contains(&c) {
                        &formats.wrap
                    } else {
                        &formats.text
                    };
                    sheet.write_string_with_format(row, col, &s, f)?;
                    let width = widths.get(c).copied().unwrap_or(WIDTH_MAX);
                    lines = lines.max(if wrap.contains(&c) {
                        lines_in(&s, width)
                    } else {
                        s.lines().count()
                    });
                }
                Time(Some(t)) => {
                    sheet.write_datetime_with_format(row, col, excel_time(*t)?, &formats.time)?;
                }
                Seconds(Some(s)) => {
                    let days = *s as f64 / 86_400.0;
                    sheet.write_number_with_format(row, col, days, &formats.duration)?;
                }
                Number(Some(n)) => {
                    sheet.write_number_with_format(row, col, *n, &formats.number)?;
                }
                Time(None) | Seconds(None) | Number(None) => {}
            }
        }
        // Excel does not grow a row for text it wraps when the file is written by a program:
        // the row is made as tall as its lines.
        if lines > 1 {
            sheet.set_row_height(row, (lines as f64 * LINE_HEIGHT).min(ROW_MAX))?;
        }
    }
    for (c, w) in widths.iter().enumerate() {
        sheet.set_column_width(c as u16, *w as f64)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    let last_row = rows.len() as u32;
    sheet.autofilter(0, 0, last_row, header.len().saturating_sub(1) as u16)?;
    page_setup(sheet, widths.iter().sum());
    sheet.set_repeat_rows(0, 0)?;
    Ok(())
}

const TIMELINE: [Text; 9] = [
    Text::new("番号", "Seq"),
    Text::new("日時", "Time"),
    Text::new("記録者", "By"),
    Text::new("種別", "Kind"),
    Text::new("手順ID", "Step id"),
    Text::new("手順", "Step"),
    Text::new("内容", "What happened"),
    Text::new("検証", "Verified"),
    Text::new("ハッシュ", "Hash"),
];

const STEPS: [Text; 18] = [
    Text::new("手順ID", "Step id"),
    Text::new("手順", "Step"),
    Text::new("種類", "Kind"),
    Text::new("担当", "Owner"),
    Text::new("状態", "Status"),
    Text::new("実施可能", "Ready"),
    Text::new("実施", "Done"),
    Text::new("実施者", "Done by"),
    Text::new("所要", "Took"),
    Text::new("期限", "Due"),
    Text::new("期限内", "On time"),
    Text::new("省略の理由", "Skipped because"),
    Text::new("逸脱", "Deviation"),
    Text::new("承認", "Approved by"),
    Text::new("承認日時", "Approved at"),
    Text::new("再開", "Reopened"),
    Text::new("根拠", "Basis"),
    Text::new("意図的に従わない規定", "Departs from on purpose"),
];

const MAIL: [Text; 13] = [
    Text::new("番号", "Number"),
    Text::new("手順", "Step"),
    Text::new("宛先", "To"),
    Text::new("アドレス", "Address"),
    Text::new("件名", "Subject"),
    Text::new("状態", "State"),
    Text::new("送信", "Queued"),
    Text::new("送達", "Delivered"),
    Text::new("方法", "Transport"),
    Text::new("受領確認", "Acknowledged by"),
    Text::new("受領日時", "Acknowledged at"),
    Text::new("電話連絡", "Phoned"),
    Text::new("失敗と再送", "Failures and retries"),
];

const EVIDENCE: [Text; 8] = [
    Text::new("日時", "Time"),
    Text::new("手順", "Step"),
    Text::new("記録者", "By"),
    Text::new("種別", "Kind"),
    Text::new("ファイル・URL", "File or URL"),
    Text::new("SHA-256", "SHA-256"),
    Text::new("バイト数", "Bytes"),
    Text::new("内容", "What it shows"),
];

const DECISIONS: [Text; 8] = [
    Text::new("日時", "Time"),
    Text::new("手順", "Step"),
    Text::new("判断事項", "Question"),
    Text::new("判断", "Answer"),
    Text::new("変更前", "Before"),
    Text::new("記録者", "By"),
    Text::new("理由", "Reason"),
    Text::new("検証", "Verified"),
];

const OVERVIEW: [Text; 2] = [Text::new("項目", "Item"), Text::new("内容", "Value")];

/// What a step rests on, in one cell: the clauses it follows, one a line, or practice
/// with its reason.
fn basis_of(step: &StepRow, lang: Lang) -> String {
    match &step.practice {
        Some(reason) => tr!(lang, "実務: {reason}", "practice: {reason}"),
        None => step.sources.join("\n"),
    }
}

fn verified_word(ok: bool, lang: Lang) -> String {
    if ok {
        "OK".into()
    } else {
        crate::tr!(lang, "不一致", "FAILED")
    }
}

/// The overview's rows: the title, the record's integrity (first, so a failed verification is
/// the first thing on the first sheet), the incident and its times.
fn overview_rows(report: &Report, lang: Lang) -> Vec<Vec<Cell>> {
    let o = &report.overview;
    let mut rows = Vec::new();
    if !report.integrity.verified {
        rows.push(vec![text(label("broken", lang)), text(String::new())]);
        for p in &report.integrity.problems {
            let line = p.line.map(|l| format!("line {l}")).unwrap_or_default();
            rows.push(vec![text(line), text(p.description.clone())]);
        }
    }
    let mut pair = |k: &str, v: Cell| rows.push(vec![text(label(k, lang)), v]);
    pair("report", text(o.title.clone()));
    pair("incident_id", text(report.incident.clone()));
    pair("organization", text(o.organization.clone()));
    pair(
        "playbook",
        text(match &o.playbook.version {
            Some(v) => format!("{} {} ({v})", o.playbook.id, o.playbook.title),
            None => format!("{} {}", o.playbook.id, o.playbook.title),
        }),
    );
    pair("account", opt(o.account.as_deref()));
    pair("platform", opt(o.platform.as_deref()));
    pair("started", Time(o.started_at));
    pair("closed", Time(o.closed_at));
    pair("duration", Seconds(Some(o.duration_seconds)));
    pair("severity", opt(o.severity.as_deref()));
    pair("operators", text(o.operators.join("、")));
    pair(
        "integrity",
        text(if report.integrity.verified {
            label("verified", lang)
        } else {
            label("not_verified", lang)
        }),
    );
    pair("entries", Number(Some(report.integrity.entries as f64)));
    pair("witness", text(report.integrity.witness.clone()));
    pair("generated", Time(Some(report.generated_at)));
    rows
}

/// The workbook's bytes.
pub(super) fn xlsx(report: &Report) -> Result<Vec<u8>, ReportError> {
    let lang: Lang = report.lang.parse().unwrap_or_default();
    workbook(report, lang).map_err(|e| ReportError::Xlsx(e.to_string()))
}

fn workbook(report: &Report, lang: Lang) -> Result<Vec<u8>, XlsxError> {
    let f = Formats::new();
    let mut book = Workbook::new();
    let titles = |id: &str| {
        report
            .steps
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.title.clone())
            .unwrap_or_else(|| id.to_string())
    };

    let overview = book.add_worksheet().set_name(label("overview", lang))?;
    sheet(
        overview,
        &f,
        &OVERVIEW,
        overview_rows(report, lang),
        &[1],
        lang,
    )?;
    if !report.integrity.verified {
        overview.write_string_with_format(1, 0, label("broken", lang), &f.alert)?;
    }

    let timeline = report
        .timeline
        .iter()
        .map(|e| {
            let content = match &e.statement {
                Some(s) => format!("{}\n{s}", e.text),
                None => e.text.clone(),
            };
            vec![
                Number(e.seq.map(|s| s as f64)),
                Time(e.time),
                text(e.actor.clone()),
                text(e.kind.clone()),
                opt(e.step.as_deref()),
                text(e.step.as_deref().map(titles).unwrap_or_default()),
                text(content),
                text(verified_word(e.verified, lang)),
                opt(e.hash.as_deref()),
            ]
        })
        .collect();
    let ws = book.add_worksheet().set_name(label("timeline", lang))?;
    sheet(ws, &f, &TIMELINE, timeline, &[6], lang)?;

    let steps = report
        .steps
        .iter()
        .map(|s| {
            let met = s.due_met.map(|m| {
                if m {
                    label("met", lang)
                } else {
                    label("missed", lang)
                }
            });
            vec![
                text(s.id.clone()),
                text(s.title.clone()),
                text(s.kind.clone()),
                opt(s.owner.as_deref()),
                text(s.status_text.clone()),
                Time(s.ready_at),
                Time(s.done_at),
                opt(s.done_by.as_deref()),
                Seconds(s.taken_seconds),
                Time(s.due_at),
                opt(met),
                opt(s.skipped_reason.as_deref()),
                opt(s.forced_reason.as_deref()),
                opt(s.approved_by.as_deref()),
                Time(s.approved_at),
                Number(Some(s.reopened as f64)),
                text(basis_of(s, lang)),
                text(s.departures.join("\n")),
            ]
        })
        .collect();
    let ws = book.add_worksheet().set_name(label("steps", lang))?;
    sheet(ws, &f, &STEPS, steps, &[11, 12, 16, 17], lang)?;

    let mail = report
        .notifications
        .iter()
        .map(|m| {
            vec![
                Number(Some(f64::from(m.number))),
                text(titles(&m.step)),
                text(m.to.clone()),
                text(m.address.clone()),
                text(m.subject.clone()),
                text(m.state.clone()),
                Time(Some(m.queued_at)),
                Time(m.delivered_at),
                opt(m.transport.as_deref()),
                opt(m.acknowledged_by.as_deref()),
                Time(m.acknowledged_at),
                Time(m.called_at),
                text(m.failures.join("\n")),
            ]
        })
        .collect();
    let ws = book
        .add_worksheet()
        .set_name(label("notifications", lang))?;
    sheet(ws, &f, &MAIL, mail, &[4, 12], lang)?;

    let evidence = report
        .evidence
        .iter()
        .map(|e| {
            vec![
                Time(Some(e.at)),
                text(titles(&e.step)),
                text(e.by.clone()),
                text(e.kind.clone()),
                text(e.what.clone()),
                opt(e.sha256.as_deref()),
                Number(e.bytes.map(|b| b as f64)),
                opt(e.note.as_deref()),
            ]
        })
        .collect();
    let ws = book.add_worksheet().set_name(label("evidence", lang))?;
    sheet(ws, &f, &EVIDENCE, evidence, &[7], lang)?;

    let decisions = report
        .overview
        .decisions
        .iter()
        .map(|d| {
            vec![
                Time(Some(d.at)),
                text(titles(&d.step)),
                text(d.question.clone()),
                text(d.answer.clone()),
                opt(d.previous.as_deref()),
                text(d.by.clone()),
                opt(d.reason.as_deref()),
                text(verified_word(d.verified, lang)),
            ]
        })
        .collect();
    let ws = book.add_worksheet().set_name(label("decisions", lang))?;
    sheet(ws, &f, &DECISIONS, decisions, &[2, 6], lang)?;

    book.save_to_buffer()
}
