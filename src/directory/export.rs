//! The directory as a spreadsheet: one sheet with exactly the columns `contacts import`
//! reads, Japanese headers, widths set, the header frozen. Exported, filled in by the city
//! and imported again, it is the template of the contact list.

use rust_xlsxwriter::{DataValidation, Format, FormatAlign, FormatBorder, Workbook};

use super::import::{ContactsError, Field, parts_of};
use super::{Directory, DivisionKind};

/// The name of the sheet written.
pub const SHEET: &str = "連絡先";

/// The words the 種別 column takes, as the template writes them.
const KIND_INTERNAL: &str = "部署";
const KIND_EXTERNAL: &str = "外部";
const KIND_ROLE: &str = "役割";

/// A column's width, in characters (full-width Japanese counts two).
fn width(field: Field) -> f64 {
    match field {
        Field::Name | Field::Division => 22.0,
        Field::Kind => 8.0,
        Field::Email | Field::AfterHoursEmail => 30.0,
        Field::Phone | Field::AfterHoursPhone => 16.0,
        Field::AfterHoursNote | Field::HeldBy | Field::Accounts | Field::Parts => 30.0,
        Field::Staff => 24.0,
        Field::Channels => 16.0,
        Field::Note => 60.0,
    }
}

/// The directory as an .xlsx file: a header row, then every division and role, one a row.
pub fn to_xlsx(directory: &Directory) -> Result<Vec<u8>, ContactsError> {
    let failed = |e: rust_xlsxwriter::XlsxError| ContactsError::Xlsx(e.to_string());
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(SHEET).map_err(failed)?;
    let header = Format::new()
        .set_bold()
        .set_background_color("D9E1F2")
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_text_wrap();
    // Phone numbers are text: typed into a number cell, 0312345678 would lose its 0.
    let text = Format::new().set_num_format("@").set_text_wrap();
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let columns = Field::ALL;
    for (j, field) in columns.iter().enumerate() {
        let col = u16::try_from(j).map_err(|_| ContactsError::Xlsx("column".into()))?;
        sheet
            .write_string_with_format(0, col, field.header(), &header)
            .map_err(failed)?;
        sheet.set_column_width(col, width(*field)).map_err(failed)?;
        let format = match field {
            Field::Phone | Field::AfterHoursPhone => &text,
            _ => &wrap,
        };
        sheet.set_column_format(col, format).map_err(failed)?;
    }
    sheet.set_freeze_panes(1, 0).map_err(failed)?;
    if let Some(kind) = columns.iter().position(|f| *f == Field::Kind)
        && let Ok(col) = u16::try_from(kind)
    {
        let validation = DataValidation::new()
            .allow_list_strings(&[KIND_INTERNAL, KIND_EXTERNAL, KIND_ROLE])
            .map_err(failed)?
            .set_input_title("種別")
            .map_err(failed)?
            .set_input_message("部署（庁内の課）、外部（警察など）、役割（運用管理者など）")
            .map_err(failed)?;
        sheet
            .add_data_validation(1, col, 10_000, col, &validation)
            .map_err(failed)?;
    }
    let parts = parts_of(directory);
    let parts_of_id = |id: &str| -> String {
        parts
            .iter()
            .filter(|(_, who)| who == id)
            .map(|(part, _)| part.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let mut rows: Vec<Vec<String>> = Vec::new();
    for d in &directory.divisions {
        let after = d.after_hours.as_ref();
        rows.push(
            columns
                .iter()
                .map(|f| match f {
                    Field::Name => d.id.clone(),
                    Field::Kind => match d.kind {
                        DivisionKind::Internal => KIND_INTERNAL.to_string(),
                        DivisionKind::External => KIND_EXTERNAL.to_string(),
                    },
                    Field::Email => d.email.clone(),
                    Field::Phone => d.phone.clone().unwrap_or_default(),
                    Field::AfterHoursPhone => {
                        after.and_then(|a| a.phone.clone()).unwrap_or_default()
                    }
                    Field::AfterHoursEmail => {
                        after.and_then(|a| a.email.clone()).unwrap_or_default()
                    }
                    Field::AfterHoursNote => after.and_then(|a| a.note.clone()).unwrap_or_default(),
                    Field::HeldBy | Field::Division => String::new(),
                    Field::Accounts => d.accounts.join("\n"),
                    Field::Staff => d.staff.join("\n"),
                    Field::Parts => parts_of_id(&d.id),
                    Field::Channels => d.channels.join("\n"),
                    Field::Note => d.note.clone().unwrap_or_default(),
                })
                .collect(),
        );
    }
    for r in &directory.roles {
        let after = r.after_hours.as_ref();
        rows.push(
            columns
                .iter()
                .map(|f| match f {
                    Field::Name => r.id.clone(),
                    Field::Kind => KIND_ROLE.to_string(),
                    Field::Email => r.email.clone(),
                    Field::Phone => r.phone.clone().unwrap_or_default(),
                    Field::AfterHoursPhone => {
                        after.and_then(|a| a.phone.clone()).unwrap_or_default()
                    }
                    Field::AfterHoursEmail => {
                        after.and_then(|a| a.email.clone()).unwrap_or_default()
                    }
                    Field::AfterHoursNote => after.and_then(|a| a.note.clone()).unwrap_or_default(),
                    Field::HeldBy => r.held_by.clone().unwrap_or_default(),
                    Field::Division => r.division.clone().unwrap_or_default(),
                    Field::Accounts | Field::Staff => String::new(),
                    Field::Parts => parts_of_id(&r.id),
                    Field::Channels => r.channels.join("\n"),
                    Field::Note => r.note.clone().unwrap_or_default(),
                })
                .collect(),
        );
    }
    for (i, row) in rows.iter().enumerate() {
        let r = u32::try_from(i + 1).map_err(|_| ContactsError::Xlsx("row".into()))?;
        for (j, value) in row.iter().enumerate() {
            if value.is_empty() {
                continue;
            }
            let col = u16::try_from(j).map_err(|_| ContactsError::Xlsx("column".into()))?;
            let format = match columns.get(j) {
                Some(Field::Phone | Field::AfterHoursPhone) => &text,
                _ => &wrap,
            };
            sheet
                .write_string_with_format(r, col, value, format)
                .map_err(failed)?;
        }
    }
    book.save_to_buffer().map_err(failed)
}
