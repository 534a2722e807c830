//! The contact list (連絡先一覧) from a city's spreadsheet into `divisions.yaml`.
//!
//! A workbook (.xlsx, .xls, .ods, read by calamine) or a CSV file (UTF-8, or Shift_JIS/cp932
//! as Japanese Excel saves it) becomes a [`Grid`] of cells; [`read_contacts`] finds the header
//! row, matches its column names ([`Field::from_header`]) and reads each row into a division
//! or a role, naming every row it cannot read ([`RowProblem`]). [`render`] writes the
//! directory file, [`write`] checks that it loads with [`Directory::load`] and replaces the
//! file atomically.

use std::collections::HashMap;
use std::path::Path;

use super::{AfterHours, Division, DivisionKind, Role};
use crate::lang::Lang;
use crate::tr;
use sheet::Header;

mod fields;
mod problems;
pub mod sheet;
mod write;

pub use fields::*;
pub use problems::*;
pub use write::*;

/// One cell as the spreadsheet holds it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Cell {
    /// Nothing in it.
    #[default]
    Empty,
    /// Text (every cell of a CSV file).
    Text(String),
    /// A number, written as the spreadsheet would show it without formatting (`312345678`).
    Number(String),
    /// A date or time (`2026-04-01`).
    Date(String),
    /// An error value of a formula (`#N/A`).
    Error(String),
}

impl Cell {
    /// Whether the cell is empty or only spaces.
    pub(crate) fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(t) => t.trim().is_empty(),
            _ => false,
        }
    }

    /// The cell as text (trimmed), for the header and for values.
    pub(crate) fn text(&self) -> &str {
        match self {
            Cell::Empty => "",
            Cell::Text(t) | Cell::Number(t) | Cell::Date(t) | Cell::Error(t) => t.trim(),
        }
    }
}

impl From<&calamine::Data> for Cell {
    fn from(data: &calamine::Data) -> Self {
        use calamine::Data;
        match data {
            Data::Empty => Cell::Empty,
            Data::String(s) => Cell::Text(s.clone()),
            Data::Bool(b) => Cell::Text(if *b { "TRUE" } else { "FALSE" }.to_string()),
            Data::Int(i) => Cell::Number(i.to_string()),
            Data::Float(f) => Cell::Number(number_text(*f)),
            Data::DateTime(d) => Cell::Date(match d.as_datetime() {
                Some(t) if t.time() == chrono::NaiveTime::MIN => t.format("%Y-%m-%d").to_string(),
                Some(t) => t.format("%Y-%m-%d %H:%M").to_string(),
                None => number_text(d.as_f64()),
            }),
            Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Date(s.clone()),
            Data::Error(e) => Cell::Error(e.to_string()),
        }
    }
}

/// A number as typed: whole numbers without `.0`.
fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{f:.0}")
    } else {
        f.to_string()
    }
}

/// A sheet's cells, as the reader found them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Grid {
    /// The sheet's name (none for a CSV file).
    pub sheet: Option<String>,
    /// Rows from the sheet's first row; `rows[i][j]` is the cell at row `i + 1`, column `j`
    /// (0 = A).
    pub rows: Vec<Vec<Cell>>,
}

impl Grid {
    /// The cell at `row` and `col` (0-based), empty beyond the sheet's edge.
    pub(crate) fn cell(&self, row: usize, col: usize) -> &Cell {
        static EMPTY: Cell = Cell::Empty;
        self.rows
            .get(row)
            .and_then(|r| r.get(col))
            .unwrap_or(&EMPTY)
    }
}

/// The letters of a column (0 = `A`, 26 = `AA`).
pub fn column_letter(col: usize) -> String {
    let mut n = col + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + u8::try_from(rem).unwrap_or(0)));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// Reads a contact list: a CSV file by its extension (`.csv`, `.tsv`, `.txt`), else a
/// workbook (.xlsx, .xlsm, .xls, .xlsb, .ods). A workbook gives every sheet, in order.
pub fn read_file(path: &Path) -> Result<Vec<Grid>, ContactsError> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    if matches!(ext.as_str(), "csv" | "tsv" | "txt") {
        let bytes = std::fs::read(path).map_err(|source| ContactsError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        return read_csv(&bytes)
            .map(|g| vec![g])
            .map_err(|message| ContactsError::Csv {
                path: path.to_path_buf(),
                message,
            });
    }
    read_workbook(path)
}

fn read_workbook(path: &Path) -> Result<Vec<Grid>, ContactsError> {
    use calamine::{Reader as _, Sheets};
    if let Err(source) = std::fs::metadata(path) {
        return Err(ContactsError::Read {
            path: path.to_path_buf(),
            source,
        });
    }
    let failed = |message: String| ContactsError::Workbook {
        path: path.to_path_buf(),
        message,
    };
    let mut book = calamine::open_workbook_auto(path).map_err(|e| failed(e.to_string()))?;
    let mut grids = Vec::new();
    for name in book.sheet_names() {
        let range = book
            .worksheet_range(&name)
            .map_err(|e| failed(e.to_string()))?;
        // Merged cells hold their value in the first cell only; every cell of the region
        // means it (a 所属 merged down several roles). The ODS reader does not report them.
        let merged = match &mut book {
            Sheets::Xlsx(x) => x
                .merge_cells_by_sheet_name(&name)
                .map_err(|e| failed(e.to_string()))?,
            Sheets::Xls(x) => x
                .merge_cells_by_sheet_name(&name)
                .map_err(|e| failed(e.to_string()))?,
            Sheets::Xlsb(_) | Sheets::Ods(_) => Vec::new(),
        };
        let mut rows: Vec<Vec<Cell>> = Vec::new();
        if let Some((row0, col0)) = range.start() {
            let (row0, col0) = (row0 as usize, col0 as usize);
            rows.resize(row0, Vec::new());
            for r in range.rows() {
                let mut cells = vec![Cell::Empty; col0];
                cells.extend(r.iter().map(Cell::from));
                rows.push(cells);
            }
        }
        for region in merged {
            let (top, left) = (region.start.0 as usize, region.start.1 as usize);
            let (bottom, right) = (region.end.0 as usize, region.end.1 as usize);
            let value = rows
                .get(top)
                .and_then(|r| r.get(left))
                .cloned()
                .unwrap_or_default();
            if value == Cell::Empty {
                continue;
            }
            for row in rows.iter_mut().take(bottom + 1).skip(top) {
                if row.len() <= right {
                    row.resize(right + 1, Cell::Empty);
                }
                for cell in row.iter_mut().take(right + 1).skip(left) {
                    *cell = value.clone();
                }
            }
        }
        grids.push(Grid {
            sheet: Some(name),
            rows,
        });
    }
    Ok(grids)
}

/// The text of a CSV file: UTF-8 (with or without a BOM), UTF-16 with a BOM (Excel's
/// "Unicode text"), else Shift_JIS as Japanese Excel writes it (cp932, which is what
/// encoding_rs's Shift_JIS decodes).
pub fn decode_text(bytes: &[u8]) -> String {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom..]);
        return text.into_owned();
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => encoding_rs::SHIFT_JIS
            .decode_without_bom_handling(bytes)
            .0
            .into_owned(),
    }
}

/// A CSV file's rows (a tab-separated one when its first line has tabs and no commas).
pub fn read_csv(bytes: &[u8]) -> Result<Grid, String> {
    let text = decode_text(bytes);
    let first = text.lines().next().unwrap_or_default();
    let delimiter = if first.contains('\t') && !first.contains(',') {
        b'\t'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| e.to_string())?;
        rows.push(
            record
                .iter()
                .map(|f| {
                    if f.is_empty() {
                        Cell::Empty
                    } else {
                        Cell::Text(f.to_string())
                    }
                })
                .collect(),
        );
    }
    Ok(Grid { sheet: None, rows })
}

/// What a sheet gave: the divisions and roles it could read, the parts they play, and every
/// row it could not.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Contacts {
    /// The sheet read (none for a CSV file).
    pub sheet: Option<String>,
    /// The header row, as the spreadsheet numbers it.
    pub header_row: usize,
    /// Divisions, in row order.
    pub divisions: Vec<Division>,
    /// Roles, in row order.
    pub roles: Vec<Role>,
    /// Part → the id of the division or role that plays it, in row order.
    pub parts: Vec<(String, String)>,
    /// Whether the sheet has a parts column (without one, an existing map is kept).
    pub parts_column: bool,
    /// Rows that could not be read, in row order.
    pub problems: Vec<RowProblem>,
    /// Things read that may not be what was meant.
    pub warnings: Vec<Warning>,
}

impl Contacts {
    /// The counts in one line, in `lang`.
    pub fn summary(&self, lang: Lang) -> String {
        let (d, r, p, b_rows) = (
            self.divisions.len(),
            self.roles.len(),
            self.parts.len(),
            self.bad_rows(),
        );
        tr!(
            lang,
            "部署 {d} 件、役割 {r} 件、担う役割 {p} 件、読めない行 {b_rows} 行",
            "{d} division(s), {r} role(s), {p} part(s), {b_rows} bad row(s)"
        )
    }

    /// How many rows could not be read.
    pub fn bad_rows(&self) -> usize {
        let rows: std::collections::BTreeSet<usize> = self.problems.iter().map(|p| p.row).collect();
        rows.len()
    }
}

/// The header row of a grid: the first with a name and a mail column.
fn find_header(grid: &Grid) -> Result<Option<Header<Field>>, ContactsError> {
    for i in 0..grid.rows.len() {
        let header = Header::scan(grid, i, Field::from_header);
        if header.has(&[Field::Name, Field::Email]) {
            if let Some((field, first, second)) = header.duplicate_shown() {
                return Err(ContactsError::DuplicateColumn {
                    field,
                    first,
                    second,
                });
            }
            return Ok(Some(header));
        }
    }
    Ok(None)
}

/// What a row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RowKind {
    Division(DivisionKind),
    Role,
}

/// The kind a 種別 cell names.
fn kind_of(value: &str) -> Option<RowKind> {
    let key = header_key(value);
    let is = |names: &[&str]| names.iter().any(|n| header_key(n) == key);
    if is(&[
        "部署", "課", "部", "局", "室", "内部", "庁内", "internal", "division",
    ]) {
        Some(RowKind::Division(DivisionKind::Internal))
    } else if is(&["外部", "関係機関", "外部機関", "庁外", "external"]) {
        Some(RowKind::Division(DivisionKind::External))
    } else if is(&["役割", "担当者", "役職", "role", "person"]) {
        Some(RowKind::Role)
    } else {
        None
    }
}

/// Several values in one cell: separated by line breaks, `、`, `，`, `,`, `；`, `;` or spaces.
fn split_list(text: &str) -> Vec<String> {
    text.split(|c: char| {
        c.is_whitespace() || matches!(c, '、' | ',' | '，' | ';' | '；' | '\u{3000}')
    })
    .map(str::trim)
    .filter(|s| !s.is_empty())
    .map(str::to_string)
    .collect()
}

/// A phone number with full-width digits and hyphens written as ASCII.
fn phone_text(text: &str) -> String {
    text.chars()
        .map(|c| match half_width(c) {
            'ー' | '－' | '―' | '‐' | '−' | '–' | '—' => '-',
            c => c,
        })
        .collect()
}

/// One row's cells by field, checked cell by cell.
struct RowReader<'a> {
    grid: &'a Grid,
    row: usize,
    header: &'a Header<Field>,
    problems: Vec<RowProblem>,
    warnings: Vec<Warning>,
}

impl RowReader<'_> {
    fn problem(&mut self, field: Option<Field>, reason: Reason) {
        self.problems.push(RowProblem {
            row: self.row + 1,
            column: field.and_then(|f| self.header.column_of(f)),
            reason,
        });
    }

    /// The value of a field's cell, if the column exists and the cell has one; a cell that
    /// cannot be one (a date, an error, a line break in a one-line value) is a problem.
    fn get(&mut self, field: Field) -> Option<String> {
        let col = *self.header.fields.get(&field)?;
        let (cell, text) = self.header.cell(self.grid, self.row, field)?;
        match cell {
            Cell::Error(v) => {
                self.problem(Some(field), Reason::ErrorCell { value: v.clone() });
                return None;
            }
            Cell::Date(v) if field.one_line() => {
                self.problem(Some(field), Reason::DateCell { value: v.clone() });
                return None;
            }
            Cell::Number(v) if matches!(field, Field::Phone | Field::AfterHoursPhone) => {
                self.warnings.push(Warning::PhoneAsNumber {
                    row: self.row + 1,
                    column: self.header.column(col),
                    value: v.clone(),
                });
            }
            _ => {}
        }
        let bad = if field.one_line() && !field.is_list() {
            crate::text::bad_in_name(&text).map(|_| Reason::NotOneLine)
        } else {
            crate::text::bad_in_text(&text).map(|_| Reason::ControlCharacter)
        };
        if let Some(reason) = bad {
            self.problem(Some(field), reason);
            return None;
        }
        let text = match field {
            Field::Phone | Field::AfterHoursPhone => {
                let phone = phone_text(&text);
                if matches!(cell, Cell::Text(_))
                    && phone.len() >= 9
                    && phone.chars().all(|c| c.is_ascii_digit())
                    && !phone.starts_with('0')
                {
                    self.warnings.push(Warning::PhoneWithoutZero {
                        row: self.row + 1,
                        column: self.header.column(col),
                        value: phone.clone(),
                    });
                }
                phone
            }
            _ => text,
        };
        Some(text)
    }

    fn list(&mut self, field: Field) -> Vec<String> {
        let text = self.get(field).unwrap_or_default();
        if field == Field::Staff {
            // A person's name has a space in it (広報 一郎): names part at line breaks and
            // commas only.
            return text
                .split(['\n', '、', ',', '，'])
                .map(|n| n.trim().to_string())
                .filter(|n| !n.is_empty())
                .collect();
        }
        split_list(&text)
    }

    fn email(&mut self, field: Field) -> Option<String> {
        let address = self.get(field)?;
        if super::plausible_email(&address) {
            Some(address)
        } else {
            self.problem(Some(field), Reason::BadEmail { address });
            None
        }
    }
}

/// One row as read, before the checks across rows.
struct Read {
    row: usize,
    kind: RowKind,
    name: String,
    email: String,
    phone: Option<String>,
    after_hours: Option<AfterHours>,
    held_by: Option<String>,
    division: Option<String>,
    accounts: Vec<String>,
    staff: Vec<String>,
    parts: Vec<String>,
    channels: Vec<String>,
    note: Option<String>,
}

/// Reads the contacts from the first grid with a header row (or the one named `sheet`).
pub fn read_contacts(grids: &[Grid], sheet: Option<&str>) -> Result<Contacts, ContactsError> {
    let (grid, header) = sheet::first_with_header(
        grids,
        sheet,
        find_header,
        |name, sheets| ContactsError::NoSuchSheet { name, sheets },
        |sheets| ContactsError::NoHeader { sheets },
    )?;
    Ok(read_rows(grid, &header))
}

fn read_rows(grid: &Grid, header: &Header<Field>) -> Contacts {
    let mut contacts = Contacts {
        sheet: grid.sheet.clone(),
        header_row: header.row + 1,
        ..Contacts::default()
    };
    contacts.parts_column = header.fields.contains_key(&Field::Parts);
    contacts
        .warnings
        .extend(header.ignored().into_iter().map(Warning::IgnoredColumn));
    let mut read = Vec::new();
    // Every name in the sheet with its row, readable or not (for the cross-row checks).
    let mut named: HashMap<String, (usize, Option<RowKind>)> = HashMap::new();
    let mut bad_names: HashMap<String, usize> = HashMap::new();
    for row in header.rows(grid) {
        let mut r = RowReader {
            grid,
            row,
            header,
            problems: Vec::new(),
            warnings: Vec::new(),
        };
        let name = r.get(Field::Name);
        let kind_text = r.get(Field::Kind);
        let email = r.email(Field::Email);
        let phone = r.get(Field::Phone);
        let night_phone = r.get(Field::AfterHoursPhone);
        let night_email = r.email(Field::AfterHoursEmail);
        let night_note = r.get(Field::AfterHoursNote);
        let held_by = r.get(Field::HeldBy);
        let division = r.get(Field::Division);
        let accounts = r.list(Field::Accounts);
        let staff = r.list(Field::Staff);
        let parts = r.list(Field::Parts);
        let channels = r.list(Field::Channels);
        let note = r.get(Field::Note);
        let kind = match kind_text.as_deref() {
            Some(k) => kind_of(k).or_else(|| {
                r.problem(
                    Some(Field::Kind),
                    Reason::UnknownKind {
                        value: k.to_string(),
                    },
                );
                None
            }),
            // Without a kind, a row with a holder or a division is a role.
            None if held_by.is_some() || division.is_some() => Some(RowKind::Role),
            None => Some(RowKind::Division(DivisionKind::Internal)),
        };
        let blank = |f: Field| {
            header
                .fields
                .get(&f)
                .is_none_or(|c| grid.cell(row, *c).is_blank())
        };
        if blank(Field::Name) {
            r.problem(Some(Field::Name), Reason::MissingName);
        }
        if blank(Field::Email) {
            r.problem(Some(Field::Email), Reason::MissingEmail);
        }
        match kind {
            Some(RowKind::Division(_)) if held_by.is_some() || division.is_some() => {
                let f = if held_by.is_some() {
                    Field::HeldBy
                } else {
                    Field::Division
                };
                r.problem(Some(f), Reason::RoleColumnOnDivision);
            }
            Some(RowKind::Role) if !accounts.is_empty() => {
                r.problem(Some(Field::Accounts), Reason::AccountsOnRole);
            }
            Some(RowKind::Role) if !staff.is_empty() => {
                r.problem(Some(Field::Staff), Reason::StaffOnRole);
            }
            _ => {}
        }
        if let Some(name) = &name {
            match named.get(name) {
                Some((first_row, _)) => r.problem(
                    Some(Field::Name),
                    Reason::DuplicateName {
                        name: name.clone(),
                        first_row: *first_row,
                    },
                ),
                None => {
                    named.insert(name.clone(), (row + 1, kind));
                }
            }
        }
        let RowReader {
            problems, warnings, ..
        } = r;
        contacts.warnings.extend(warnings);
        match (problems.is_empty(), name, email, kind) {
            (true, Some(name), Some(email), Some(kind)) => {
                let after_hours =
                    (night_phone.is_some() || night_email.is_some() || night_note.is_some())
                        .then_some(AfterHours {
                            phone: night_phone,
                            email: night_email,
                            note: night_note,
                        });
                read.push(Read {
                    row: row + 1,
                    kind,
                    name,
                    email,
                    phone,
                    after_hours,
                    held_by,
                    division,
                    accounts,
                    staff,
                    parts,
                    channels,
                    note,
                });
            }
            (_, name, ..) => {
                if let Some(name) = name {
                    bad_names.entry(name).or_insert(row + 1);
                }
                contacts.problems.extend(problems);
            }
        }
    }
    // Checks across rows: a role's division, parts and accounts named once.
    let mut part_rows: HashMap<String, usize> = HashMap::new();
    let mut account_rows: HashMap<String, (String, usize)> = HashMap::new();
    let column = |f: Field| header.column_of(f);
    let mut good = Vec::new();
    let mut late_problems = Vec::new();
    let mut dropped: HashMap<String, usize> = HashMap::new();
    for r in read {
        let mut problems = Vec::new();
        let mut problem = |f: Field, reason: Reason| {
            problems.push(RowProblem {
                row: r.row,
                column: column(f),
                reason,
            });
        };
        if let Some(div) = &r.division {
            match (named.get(div), bad_names.get(div)) {
                (_, Some(bad)) => problem(
                    Field::Division,
                    Reason::UnknownDivision {
                        name: div.clone(),
                        bad_row: Some(*bad),
                    },
                ),
                (Some((_, Some(RowKind::Role))), _) => problem(
                    Field::Division,
                    Reason::DivisionIsRole { name: div.clone() },
                ),
                (Some(_), None) => {}
                (None, None) => problem(
                    Field::Division,
                    Reason::UnknownDivision {
                        name: div.clone(),
                        bad_row: None,
                    },
                ),
            }
        }
        for part in &r.parts {
            match part_rows.get(part) {
                Some(first_row) => problem(
                    Field::Parts,
                    Reason::PartTwice {
                        part: part.clone(),
                        first_row: *first_row,
                    },
                ),
                None => {
                    part_rows.insert(part.clone(), r.row);
                }
            }
        }
        for account in &r.accounts {
            let key = crate::directory::account_key(account);
            match account_rows.get(&key) {
                Some((owner, _)) if *owner == r.name => {}
                Some((_, first_row)) => problem(
                    Field::Accounts,
                    Reason::AccountTwice {
                        account: account.clone(),
                        first_row: *first_row,
                    },
                ),
                None => {
                    account_rows.insert(key, (r.name.clone(), r.row));
                }
            }
        }
        if problems.is_empty() {
            good.push(r);
        } else {
            dropped.insert(r.name.clone(), r.row);
            late_problems.extend(problems);
        }
    }
    // A role whose division's row failed a check across rows has no division either.
    let (good, orphans): (Vec<Read>, Vec<Read>) = good
        .into_iter()
        .partition(|r| r.division.as_ref().is_none_or(|d| !dropped.contains_key(d)));
    for r in orphans {
        let name = r.division.clone().unwrap_or_default();
        let bad_row = dropped.get(&name).copied();
        late_problems.push(RowProblem {
            row: r.row,
            column: column(Field::Division),
            reason: Reason::UnknownDivision { name, bad_row },
        });
    }
    contacts.problems.extend(late_problems);
    contacts.problems.sort_by_key(|p| p.row);
    for r in good {
        contacts
            .parts
            .extend(r.parts.iter().map(|p| (p.clone(), r.name.clone())));
        match r.kind {
            RowKind::Division(kind) => contacts.divisions.push(Division {
                id: r.name,
                kind,
                email: r.email,
                phone: r.phone,
                after_hours: r.after_hours,
                note: r.note,
                channels: r.channels,
                accounts: r.accounts,
                staff: r.staff,
            }),
            RowKind::Role => contacts.roles.push(Role {
                id: r.name,
                held_by: r.held_by,
                division: r.division,
                email: r.email,
                phone: r.phone,
                after_hours: r.after_hours,
                note: r.note,
                channels: r.channels,
            }),
        }
    }
    contacts
}

#[cfg(test)]
mod tests;
