//! The 一覧表 as an Excel sheet: the title, the organisation and the day it is as of, the
//! 決裁欄 (a box under each configured title) with the 文書番号 and 日付, then a header row
//! and one row per account with exactly the columns `register import` reads. Filed, it is
//! the list 宇部 4(5) asks for; filled in by the divisions, it is read back.

use rust_xlsxwriter::{DataValidation, Format, FormatAlign, FormatBorder, Workbook, XlsxError};
use unicode_width::UnicodeWidthStr as _;

use super::{Field, LedgerError, TITLE, day_words, status_words, two_factor_words};
use crate::config::ReportConfig;
use crate::lang::{Lang, Text};
use crate::playbook::Platform;
use crate::register::{AccountStatus, Register, TwoFactor};

/// The sheet's name.
pub const SHEET: Text = Text::new("アカウント管理者一覧表", "Account register");
/// The font of every cell: a Japanese UI font Excel has on Windows and macOS.
const FONT: &str = "游ゴシック";
/// The row of the header (0-based): below the title, the 決裁欄 and the document's lines.
pub const HEADER_ROW: u32 = 6;
/// The height of one line of text in a row, in points.
const LINE_HEIGHT: f64 = 18.75;
/// The widest a column is made.
const WIDTH_MAX: usize = 40;

/// What goes above the table.
#[derive(Debug, Clone)]
pub struct Heading<'a> {
    /// The organisation's name.
    pub organization: &'a str,
    /// The day the list is as of.
    pub as_of: chrono::NaiveDate,
    /// The 決裁欄 and the 文書番号 and 日付.
    pub config: &'a ReportConfig,
    /// The language of the words.
    pub lang: Lang,
}

/// How many lines `text` takes in a column `width` units wide.
fn lines_in(text: &str, width: usize) -> usize {
    let room = width.saturating_sub(1).max(1);
    text.lines()
        .map(|l| l.width().div_ceil(room).max(1))
        .sum::<usize>()
        .max(1)
}

/// The register as an .xlsx file.
pub fn to_xlsx(register: &Register, heading: &Heading<'_>) -> Result<Vec<u8>, LedgerError> {
    workbook(register, heading).map_err(|e| LedgerError::Xlsx(e.to_string()))
}

fn workbook(register: &Register, heading: &Heading<'_>) -> Result<Vec<u8>, XlsxError> {
    let lang = heading.lang;
    let base = Format::new()
        .set_font_name(FONT)
        .set_align(FormatAlign::Top);
    let title = base.clone().set_bold().set_font_size(14);
    let header = base
        .clone()
        .set_bold()
        .set_background_color(0xDDDDDD)
        .set_border(FormatBorder::Thin)
        .set_text_wrap();
    let cell = base.clone().set_border(FormatBorder::Thin).set_text_wrap();
    // Numbers kept as typed: a 19-digit ID or a phone's leading 0 survives as text.
    let as_text = cell.clone().set_num_format("@");
    let boxed = base
        .clone()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center);
    let line = base.clone().set_border_bottom(FormatBorder::Thin);

    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(SHEET.get(lang))?;
    let columns = Field::ALL;
    let last_col = (columns.len() - 1) as u16;

    // The widths first: the rows' heights depend on them.
    let rows: Vec<Vec<String>> = register
        .accounts
        .iter()
        .map(|a| columns.iter().map(|f| f.value(a, lang)).collect())
        .collect();
    let mut widths: Vec<usize> = columns
        .iter()
        .map(|f| f.header(lang).width().min(24) + 2)
        .collect();
    for row in &rows {
        for (w, value) in widths.iter_mut().zip(row) {
            let widest = value.lines().map(|l| l.width()).max().unwrap_or(0);
            *w = (*w).max(widest + 2).min(WIDTH_MAX);
        }
    }
    for (c, w) in widths.iter().enumerate() {
        sheet.set_column_width(c as u16, *w as f64)?;
    }

    // The title, the organisation and the day; the 決裁欄 at the right.
    sheet.write_string_with_format(0, 0, TITLE.get(lang), &title)?;
    sheet.write_string_with_format(1, 0, heading.organization, &base)?;
    let day = day_words(heading.as_of, lang);
    let as_of = crate::tr!(lang, "{day}現在", "as of {day}");
    sheet.write_string_with_format(2, 0, &as_of, &base)?;
    let stamps = heading.config.stamps(lang);
    let first = columns.len().saturating_sub(stamps.len());
    for (i, stamp) in stamps.iter().take(columns.len()).enumerate() {
        let col = (first + i) as u16;
        sheet.write_string_with_format(0, col, stamp, &boxed)?;
        sheet.write_blank(1, col, &boxed)?;
        sheet.write_blank(2, col, &boxed)?;
    }
    if !stamps.is_empty() {
        sheet.set_row_height(1, 27.0)?;
        sheet.set_row_height(2, 27.0)?;
    }
    let labels = [
        (
            crate::report::label("document_number", lang),
            heading.config.document_number.as_deref(),
        ),
        (
            crate::report::label("date", lang),
            heading.config.date.as_deref(),
        ),
    ];
    for (i, (label, value)) in labels.into_iter().enumerate() {
        let row = 3 + i as u32;
        sheet.write_string_with_format(row, 0, label, &base)?;
        match value {
            Some(v) => sheet.write_string_with_format(row, 1, v, &base)?,
            // A line to write on.
            None => sheet.write_blank(row, 1, &line)?,
        };
    }

    for (c, field) in columns.iter().enumerate() {
        sheet.write_string_with_format(HEADER_ROW, c as u16, field.header(lang), &header)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let at = HEADER_ROW + 1 + r as u32;
        let mut lines = 1;
        for (c, (field, value)) in columns.iter().zip(row).enumerate() {
            let format = match field {
                Field::NumericId | Field::RecoveryPhone => &as_text,
                _ => &cell,
            };
            if value.is_empty() {
                sheet.write_blank(at, c as u16, format)?;
            } else {
                sheet.write_string_with_format(at, c as u16, value, format)?;
            }
            let width = widths.get(c).copied().unwrap_or(WIDTH_MAX);
            lines = lines.max(lines_in(value, width));
        }
        if lines > 1 {
            sheet.set_row_height(at, (lines as f64 * LINE_HEIGHT).min(409.0))?;
        }
    }
    // Lists of the words the import reads, where the words are few.
    let last_row = HEADER_ROW + rows.len().max(1) as u32 + 200;
    let choices: [(Field, Vec<&str>); 3] = [
        (
            Field::Platform,
            Platform::ALL.iter().map(|p| p.display_name()).collect(),
        ),
        (
            Field::TwoFactor,
            [
                TwoFactor::None,
                TwoFactor::Sms,
                TwoFactor::App,
                TwoFactor::SecurityKey,
            ]
            .into_iter()
            .map(|t| two_factor_words(t, lang))
            .collect(),
        ),
        (
            Field::Status,
            [
                AccountStatus::Active,
                AccountStatus::Dormant,
                AccountStatus::Closing,
                AccountStatus::Closed,
            ]
            .into_iter()
            .map(|s| status_words(s, lang))
            .collect(),
        ),
    ];
    for (field, words) in choices {
        if let Some(col) = columns.iter().position(|f| *f == field) {
            let validation = DataValidation::new()
                .allow_list_strings(&words)?
                .ignore_blank(true);
            let col = col as u16;
            sheet.add_data_validation(HEADER_ROW + 1, col, last_row, col, &validation)?;
        }
    }
    sheet.set_freeze_panes(HEADER_ROW + 1, 0)?;
    sheet.autofilter(HEADER_ROW, 0, HEADER_ROW + rows.len() as u32, last_col)?;
    sheet.set_paper_size(9);
    sheet.set_landscape();
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_margins(0.59, 0.59, 0.79, 0.79, 0.31, 0.31);
    sheet.set_footer("&8&A  &P / &N");
    sheet.set_repeat_rows(HEADER_ROW, HEADER_ROW)?;
    book.save_to_buffer()
}
