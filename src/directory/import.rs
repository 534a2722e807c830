//! The contact list (連絡先一覧) from a city's spreadsheet into `divisions.yaml`.
//!
//! A workbook (.xlsx, .xls, .ods, read by calamine) or a CSV file (UTF-8, or Shift_JIS/cp932
//! as Japanese Excel saves it) becomes a [`Grid`] of cells; [`read_contacts`] finds the header
//! row, matches its column names ([`Field::from_header`]) and reads each row into a division
//! or a role, naming every row it cannot read ([`RowProblem`]). [`render`] writes the
//! directory file, [`write`] checks that it loads with [`Directory::load`] and replaces the
//! file atomically.

use std::collections::{BTreeMap, HashMap};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};
use serde::Serialize;

use super::{AfterHours, Directory, Division, DivisionKind, Role};
use crate::lang::Lang;
use crate::playbook::load::{Limits, SourceFile};
use crate::tr;

/// A column the import reads, with the header names it accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    /// The division's or role's name (its id in playbooks).
    Name,
    /// 部署 (internal), 外部 (external) or 役割 (a role).
    Kind,
    /// Mail address.
    Email,
    /// Phone number in office hours.
    Phone,
    /// Night and holiday phone number.
    AfterHoursPhone,
    /// Night and holiday mail address.
    AfterHoursEmail,
    /// How to reach them out of hours.
    AfterHoursNote,
    /// Who holds a role.
    HeldBy,
    /// The division a role's holder belongs to.
    Division,
    /// The official accounts a division owns.
    Accounts,
    /// The parts (担う役割) the row plays.
    Parts,
    /// Chat channels that get a post with every message.
    Channels,
    /// Notes.
    Note,
}

impl Field {
    /// Every column, in the order the template has them.
    pub const ALL: [Field; 13] = [
        Field::Name,
        Field::Kind,
        Field::Email,
        Field::Phone,
        Field::AfterHoursPhone,
        Field::AfterHoursEmail,
        Field::AfterHoursNote,
        Field::HeldBy,
        Field::Division,
        Field::Accounts,
        Field::Parts,
        Field::Channels,
        Field::Note,
    ];

    /// The header the template writes (the first of [`Field::names`]).
    pub fn header(self) -> &'static str {
        self.names()[0]
    }

    /// The header names accepted, Japanese and English, in their usual spellings. Matching
    /// ignores case, full- or half-width letters, spaces, `・`, `_`, `-` and anything in
    /// parentheses (`メールアドレス（必須）`).
    pub fn names(self) -> &'static [&'static str] {
        match self {
            Field::Name => &[
                "名称",
                "部署名",
                "課名",
                "部署・役割名",
                "部署名・役割名",
                "部署",
                "課",
                "部署等",
                "宛先",
                "名前",
                "id",
                "name",
            ],
            Field::Kind => &["種別", "区分", "種類", "kind", "type"],
            Field::Email => &[
                "メールアドレス",
                "メール",
                "電子メール",
                "電子メールアドレス",
                "Eメール",
                "email",
                "e-mail",
                "mail",
                "mail address",
            ],
            Field::Phone => &["電話番号", "電話", "代表電話", "直通電話", "phone", "tel"],
            Field::AfterHoursPhone => &[
                "夜間・休日電話",
                "夜間・休日電話番号",
                "休日・夜間電話",
                "夜間電話",
                "時間外電話",
                "時間外電話番号",
                "after_hours_phone",
                "after-hours phone",
                "night phone",
            ],
            Field::AfterHoursEmail => &[
                "夜間・休日メール",
                "夜間・休日メールアドレス",
                "夜間メール",
                "時間外メール",
                "after_hours_email",
                "after-hours email",
            ],
            Field::AfterHoursNote => &[
                "夜間・休日連絡方法",
                "夜間・休日の連絡方法",
                "夜間連絡方法",
                "時間外連絡方法",
                "after_hours_note",
                "after-hours note",
            ],
            Field::HeldBy => &[
                "担当者",
                "氏名",
                "担当",
                "役職",
                "職名",
                "held_by",
                "held by",
            ],
            Field::Division => &["所属", "所属課", "所属部署", "division"],
            Field::Accounts => &[
                "公式アカウント",
                "アカウント",
                "所管アカウント",
                "accounts",
                "account",
            ],
            Field::Parts => &["担う役割", "担う役割（パート）", "part", "parts"],
            Field::Channels => &["通知チャンネル", "チャンネル", "channels", "channel"],
            Field::Note => &["備考", "説明", "メモ", "note", "notes", "remarks"],
        }
    }

    /// The column a header names, if any.
    pub fn from_header(header: &str) -> Option<Field> {
        let key = header_key(header);
        if key.is_empty() {
            return None;
        }
        Field::ALL
            .into_iter()
            .find(|f| f.names().iter().any(|n| header_key(n) == key))
    }

    /// Whether the column holds one value per line (names, numbers, addresses) rather than
    /// a text.
    fn one_line(self) -> bool {
        !matches!(self, Field::Note | Field::AfterHoursNote)
    }

    /// Whether the column holds several values.
    fn is_list(self) -> bool {
        matches!(self, Field::Accounts | Field::Parts | Field::Channels)
    }
}

/// A header as matched: full-width letters made half-width, lower case, without anything in
/// parentheses and without spaces, `・`, `_`, `-`, `/`, `*`, `※` and colons.
fn header_key(header: &str) -> String {
    let mut depth = 0usize;
    let mut out = String::new();
    for c in header.chars().map(half_width) {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth > 0 => {}
            c if c.is_whitespace() => {}
            '・' | '･' | '_' | '-' | '/' | '*' | '※' | ':' | '.' => {}
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// A full-width ASCII character (`Ａ`, `１`, `＠`, `（`) as its half-width one; the
/// ideographic space as a space.
fn half_width(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
        c => c,
    }
}

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
    fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(t) => t.trim().is_empty(),
            _ => false,
        }
    }

    /// The cell as text (trimmed), for the header and for values.
    fn text(&self) -> &str {
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
    fn cell(&self, row: usize, col: usize) -> &Cell {
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

/// Why the contacts could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum ContactsError {
    /// The file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The workbook could not be opened or a sheet read.
    #[error("cannot read the workbook {}: {message}", path.display())]
    Workbook {
        /// The file.
        path: PathBuf,
        /// The reader's message.
        message: String,
    },
    /// The CSV file could not be parsed.
    #[error("cannot read the CSV file {}: {message}", path.display())]
    Csv {
        /// The file.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// `--sheet` names no sheet of the workbook.
    #[error("no sheet {name} (sheets: {sheets:?})")]
    NoSuchSheet {
        /// The name asked for.
        name: String,
        /// The sheets there are.
        sheets: Vec<String>,
    },
    /// No sheet (or not the one asked for) has a header row with a name and a mail column.
    #[error("no header row with a name and a mail column in {sheets:?}")]
    NoHeader {
        /// The sheets looked at.
        sheets: Vec<String>,
    },
    /// Two columns of the header row mean the same thing.
    #[error("columns {first} and {second} are both {field:?}")]
    DuplicateColumn {
        /// What they mean.
        field: Field,
        /// The first column (letter and header).
        first: String,
        /// The second one.
        second: String,
    },
    /// Rows could not be read, and `--skip-bad` was not given: nothing was written.
    #[error("{count} row(s) could not be read; nothing was written")]
    BadRows {
        /// How many.
        count: usize,
    },
    /// Every row with content was bad (or there was none): nothing to write.
    #[error("no row could be read")]
    NothingRead,
    /// The output file exists and `--force` was not given.
    #[error("{} already exists", path.display())]
    Exists {
        /// The file.
        path: PathBuf,
    },
    /// A new directory file needs the organisation's name.
    #[error("{} is new: give --organization", path.display())]
    NeedOrganization {
        /// The file.
        path: PathBuf,
    },
    /// The existing directory file (whose organisation and settings are kept) does not parse.
    #[error("cannot keep the settings of {}: {message}", path.display())]
    Existing {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// The file made does not load as a directory (a check the rows missed).
    #[error("the directory made does not load: {}", .0.join("; "))]
    Invalid(Vec<String>),
    /// Writing failed.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Building the spreadsheet failed.
    #[error("cannot make the spreadsheet: {0}")]
    Xlsx(String),
}

impl ContactsError {
    /// The message in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            ContactsError::Read { path, source } => {
                crate::lang::io_failure(lang, crate::lang::io::READ, path, source)
            }
            ContactsError::Workbook { path, message } => {
                let path = path.display();
                tr!(
                    lang,
                    "表計算ファイル {path} を読めません: {message}（.xlsx、.xls、.ods 又は .csv のファイルを指定してください）",
                    "cannot read the workbook {path}: {message} (give an .xlsx, .xls, .ods or .csv file)"
                )
            }
            ContactsError::Csv { path, message } => {
                let path = path.display();
                tr!(
                    lang,
                    "CSV ファイル {path} を読めません: {message}",
                    "cannot read the CSV file {path}: {message}"
                )
            }
            ContactsError::NoSuchSheet { name, sheets } => {
                let sheets = sheets.join("、");
                tr!(
                    lang,
                    "シート「{name}」がありません（あるシート: {sheets}）",
                    "there is no sheet {name} (the sheets: {sheets})"
                )
            }
            ContactsError::NoHeader { sheets } => {
                let sheets = sheets.join("、");
                let names = Field::Name.names().join("／");
                let mails = Field::Email.names().join("／");
                tr!(
                    lang,
                    "見出しの行が見つかりません（見たシート: {sheets}）。名称の列（{names}）とメールの列（{mails}）の見出しがある行が必要です。`hikeshi contacts export` でひな形を作れます",
                    "no header row found (sheets looked at: {sheets}): a row with a name column ({names}) and a mail column ({mails}) is needed; `hikeshi contacts export` makes a template"
                )
            }
            ContactsError::DuplicateColumn {
                field,
                first,
                second,
            } => {
                let header = field.header();
                tr!(
                    lang,
                    "{first} と {second} の列がどちらも「{header}」です。どちらか一方にしてください",
                    "columns {first} and {second} both mean {header}; keep one"
                )
            }
            ContactsError::BadRows { count } => tr!(
                lang,
                "読めない行が {count} 行あるため、何も書き込んでいません。表を直して取り込み直すか、--skip-bad で読めた行だけを書き込んでください",
                "{count} row(s) could not be read, so nothing was written; fix the sheet and import again, or use --skip-bad to write the rows that were read"
            ),
            ContactsError::NothingRead => tr!(
                lang,
                "読めた行が 1 行もありません。何も書き込んでいません",
                "no row could be read; nothing was written"
            ),
            ContactsError::Exists { path } => {
                let path = path.display();
                tr!(
                    lang,
                    "{path} は既にあります。置き換えるには --force を付けてください（団体名・ウェブサイト等の設定は引き継ぎます）",
                    "{path} already exists; use --force to replace it (its organisation, website and other settings are kept)"
                )
            }
            ContactsError::NeedOrganization { path } => {
                let path = path.display();
                tr!(
                    lang,
                    "{path} を新しく作るには、団体名を --organization で指定してください（例: --organization 架空町）",
                    "{path} is new: give the organisation's name with --organization (e.g. --organization 架空町)"
                )
            }
            ContactsError::Existing { path, message } => {
                let path = path.display();
                tr!(
                    lang,
                    "{path} の団体名などの設定を引き継げません（YAML として読めません: {message}）。直すか、別の --out を指定してください",
                    "cannot keep the settings of {path} (it does not parse as YAML: {message}); fix it, or give another --out"
                )
            }
            ContactsError::Invalid(lines) => {
                let lines = lines.join("\n");
                tr!(
                    lang,
                    "取り込んだ連絡先が連絡先ファイルとして読めません。何も書き込んでいません:\n{lines}",
                    "the contacts read do not load as a directory; nothing was written:\n{lines}"
                )
            }
            ContactsError::Write { path, source } => {
                crate::lang::io_failure(lang, crate::lang::io::WRITE, path, source)
            }
            ContactsError::Xlsx(message) => tr!(
                lang,
                "表計算ファイルを作れません: {message}",
                "cannot make the spreadsheet: {message}"
            ),
        }
    }
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

/// A column of the sheet: its letter and its header as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// `A`, `B`, … `AA`.
    pub letter: String,
    /// The header cell's text.
    pub header: String,
}

impl Column {
    fn shown(&self, lang: Lang) -> String {
        let (letter, header) = (&self.letter, &self.header);
        tr!(lang, "{letter}列「{header}」", "column {letter} ({header})")
    }
}

/// Why a row could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// No name, though the row has other cells.
    MissingName,
    /// No mail address.
    MissingEmail,
    /// A mail address that does not parse (or has no dotted domain).
    BadEmail {
        /// As written.
        address: String,
    },
    /// A name already used by an earlier row (divisions and roles share names).
    DuplicateName {
        /// The name.
        name: String,
        /// The earlier row.
        first_row: usize,
    },
    /// A kind the import does not know.
    UnknownKind {
        /// As written.
        value: String,
    },
    /// A part named by an earlier row too, or twice in this one.
    PartTwice {
        /// The part.
        part: String,
        /// The row that names it first.
        first_row: usize,
    },
    /// A role's 所属 names no division of the sheet.
    UnknownDivision {
        /// As written.
        name: String,
        /// The division's own row, when it is in the sheet but could not be read.
        bad_row: Option<usize>,
    },
    /// A role's 所属 names a role, not a division.
    DivisionIsRole {
        /// As written.
        name: String,
    },
    /// An account owned by an earlier division too.
    AccountTwice {
        /// As written.
        account: String,
        /// The earlier row.
        first_row: usize,
    },
    /// A value that must be one line has a line break or a control character.
    NotOneLine,
    /// A control or invisible character in a text.
    ControlCharacter,
    /// A date where text is expected (Excel turns `1-2` into a date as it is typed).
    DateCell {
        /// The date as read.
        value: String,
    },
    /// A formula's error value.
    ErrorCell {
        /// `#N/A`, `#REF!`, …
        value: String,
    },
    /// 担当者 or 所属 on a division's row: they belong to roles.
    RoleColumnOnDivision,
    /// Accounts on a role's row: only divisions own accounts.
    AccountsOnRole,
}

/// A row that could not be read: where (row as the spreadsheet numbers it, and the column
/// when one cell is at fault) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    /// The row number as the spreadsheet shows it (1 = the first row).
    pub row: usize,
    /// The column at fault, if one is.
    pub column: Option<Column>,
    /// Why.
    pub reason: Reason,
}

impl RowProblem {
    /// The problem in one line, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        let row = self.row;
        let place = match &self.column {
            Some(c) => {
                let c = c.shown(lang);
                tr!(lang, "{row}行目 {c}", "row {row}, {c}")
            }
            None => tr!(lang, "{row}行目", "row {row}"),
        };
        let why = match &self.reason {
            Reason::MissingName => tr!(
                lang,
                "名称がありません（部署名又は役割名を書いてください）",
                "no name (write the division's or role's name)"
            ),
            Reason::MissingEmail => tr!(
                lang,
                "メールアドレスがありません（通知の宛先に必要です）",
                "no mail address (messages need one)"
            ),
            Reason::BadEmail { address } => {
                let address = crate::text::shown(address);
                tr!(
                    lang,
                    "メールアドレス「{address}」を解釈できません（全角文字、空白、ドメインの「.jp」等の抜けがないか確認してください）",
                    "the mail address {address} does not parse (look for full-width characters, spaces, or a missing part of the domain such as .jp)"
                )
            }
            Reason::DuplicateName { name, first_row } => tr!(
                lang,
                "名称「{name}」は {first_row}行目と重複しています（部署と役割の名称は同じ名前空間です）",
                "the name {name} is already used in row {first_row} (divisions and roles share names)"
            ),
            Reason::UnknownKind { value } => tr!(
                lang,
                "種別「{value}」が分かりません（部署、外部、役割のいずれかを書いてください）",
                "unknown kind {value} (write 部署 (division), 外部 (external) or 役割 (role))"
            ),
            Reason::PartTwice { part, first_row } if *first_row == row => tr!(
                lang,
                "担う役割「{part}」が同じ行に 2 回書かれています",
                "the part {part} is named twice in this row"
            ),
            Reason::PartTwice { part, first_row } => tr!(
                lang,
                "担う役割「{part}」は {first_row}行目にも書かれています（一つの役割を担うのは一つの部署又は役割だけです）",
                "the part {part} is also named in row {first_row} (one division or role plays a part)"
            ),
            Reason::UnknownDivision {
                name,
                bad_row: Some(bad),
            } => tr!(
                lang,
                "所属「{name}」の行（{bad}行目）が読めないため、所属先がありません",
                "the division {name} is in row {bad}, which could not be read"
            ),
            Reason::UnknownDivision {
                name,
                bad_row: None,
            } => tr!(
                lang,
                "所属「{name}」という部署がこの表にありません",
                "there is no division {name} in this sheet"
            ),
            Reason::DivisionIsRole { name } => tr!(
                lang,
                "所属「{name}」は部署ではなく役割です（所属には部署の名称を書いてください）",
                "{name} is a role, not a division (所属 names a division)"
            ),
            Reason::AccountTwice { account, first_row } => tr!(
                lang,
                "アカウント「{account}」は {first_row}行目の部署も所管しています（所管する部署は一つにしてください）",
                "the account {account} is also owned by the division in row {first_row} (one owner per account)"
            ),
            Reason::NotOneLine => tr!(
                lang,
                "改行や制御文字が含まれています（1 行で書いてください）",
                "holds a line break or a control character (write it on one line)"
            ),
            Reason::ControlCharacter => tr!(
                lang,
                "制御文字又は表示されない文字が含まれています",
                "holds a control or invisible character"
            ),
            Reason::DateCell { value } => tr!(
                lang,
                "日付（{value}）になっています。Excel が入力を日付に変えた可能性があります。セルの書式を「文字列」にして入力し直してください",
                "is a date ({value}): Excel may have turned what was typed into a date; set the cell's format to text and type it again"
            ),
            Reason::ErrorCell { value } => tr!(
                lang,
                "数式のエラー（{value}）です",
                "is a formula error ({value})"
            ),
            Reason::RoleColumnOnDivision => tr!(
                lang,
                "担当者・所属は役割の行にだけ書けます（この行の種別は部署です。役割なら種別を「役割」にしてください）",
                "担当者 (held by) and 所属 (division) are for roles only (this row is a division; for a role, set its kind to 役割)"
            ),
            Reason::AccountsOnRole => tr!(
                lang,
                "公式アカウントは部署の行にだけ書けます（アカウントを所管する課の行に書いてください）",
                "accounts go on a division's row only (the division that owns them)"
            ),
        };
        format!("{place}: {why}")
    }
}

/// Something read that may not be what was meant; the row is written all the same.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Warning {
    /// A phone number typed as a number: a leading 0 is gone and is not guessed back.
    PhoneAsNumber {
        /// The row.
        row: usize,
        /// The column.
        column: Column,
        /// The number as read.
        value: String,
    },
    /// A phone number of digits only that does not start with 0 (a CSV file saved from a
    /// number cell).
    PhoneWithoutZero {
        /// The row.
        row: usize,
        /// The column.
        column: Column,
        /// As read.
        value: String,
    },
    /// A header the import does not read.
    IgnoredColumn(Column),
}

impl Warning {
    /// The warning in one line, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            Warning::PhoneAsNumber { row, column, value } => {
                let column = column.shown(lang);
                tr!(
                    lang,
                    "{row}行目 {column}: 電話番号が数値として入力されています（{value}）。先頭の 0 が消えている可能性がありますが、推測では補いません。セルの書式を「文字列」にして入力し直してください",
                    "row {row}, {column}: the phone number is a number ({value}); a leading 0 may be lost, and is not guessed back: set the cell's format to text and type it again"
                )
            }
            Warning::PhoneWithoutZero { row, column, value } => {
                let column = column.shown(lang);
                tr!(
                    lang,
                    "{row}行目 {column}: 電話番号「{value}」が 0 で始まりません。表計算ソフトで先頭の 0 が消えていないか確認してください",
                    "row {row}, {column}: the phone number {value} does not start with 0; check that a spreadsheet did not drop a leading 0"
                )
            }
            Warning::IgnoredColumn(column) => {
                let column = column.shown(lang);
                tr!(
                    lang,
                    "{column} は読み込まない列です（読み込む列は `hikeshi contacts import --help` を参照）",
                    "{column} is not a column the import reads (see `hikeshi contacts import --help`)"
                )
            }
        }
    }
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

/// The header row of a grid: its index and the column of each field.
type Header = (usize, BTreeMap<Field, usize>, Vec<Column>);

fn find_header(grid: &Grid) -> Result<Option<Header>, ContactsError> {
    for (i, row) in grid.rows.iter().enumerate() {
        let mut fields: BTreeMap<Field, usize> = BTreeMap::new();
        let mut columns = Vec::new();
        let mut duplicate = None;
        for (j, cell) in row.iter().enumerate() {
            let header = cell.text();
            columns.push(Column {
                letter: column_letter(j),
                header: header.to_string(),
            });
            if let Some(f) = Field::from_header(header) {
                if let Some(first) = fields.get(&f) {
                    duplicate.get_or_insert((f, *first, j));
                } else {
                    fields.insert(f, j);
                }
            }
        }
        if fields.contains_key(&Field::Name) && fields.contains_key(&Field::Email) {
            if let Some((field, a, b)) = duplicate {
                let shown = |c: &Column| format!("{}「{}」", c.letter, c.header);
                return Err(ContactsError::DuplicateColumn {
                    field,
                    first: columns.get(a).map(shown).unwrap_or_default(),
                    second: columns.get(b).map(shown).unwrap_or_default(),
                });
            }
            return Ok(Some((i, fields, columns)));
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
    fields: &'a BTreeMap<Field, usize>,
    columns: &'a [Column],
    problems: Vec<RowProblem>,
    warnings: Vec<Warning>,
}

impl RowReader<'_> {
    fn column(&self, col: usize) -> Column {
        self.columns.get(col).cloned().unwrap_or_else(|| Column {
            letter: column_letter(col),
            header: String::new(),
        })
    }

    fn problem(&mut self, field: Option<Field>, reason: Reason) {
        let column = field
            .and_then(|f| self.fields.get(&f))
            .map(|c| self.column(*c));
        self.problems.push(RowProblem {
            row: self.row + 1,
            column,
            reason,
        });
    }

    /// The value of a field's cell, if the column exists and the cell has one; a cell that
    /// cannot be one (a date, an error, a line break in a one-line value) is a problem.
    fn get(&mut self, field: Field) -> Option<String> {
        let col = *self.fields.get(&field)?;
        let cell = self.grid.cell(self.row, col).clone();
        let text = cell.text().replace("\r\n", "\n");
        match &cell {
            Cell::Empty => return None,
            Cell::Text(_) if text.is_empty() => return None,
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
                    column: self.column(col),
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
                        column: self.column(col),
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
        self.get(field).map(|t| split_list(&t)).unwrap_or_default()
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
    parts: Vec<String>,
    channels: Vec<String>,
    note: Option<String>,
}

/// Reads the contacts from the first grid with a header row (or the one named `sheet`).
pub fn read_contacts(grids: &[Grid], sheet: Option<&str>) -> Result<Contacts, ContactsError> {
    let names: Vec<String> = grids
        .iter()
        .map(|g| g.sheet.clone().unwrap_or_else(|| "CSV".to_string()))
        .collect();
    let candidates: Vec<&Grid> = match sheet {
        Some(name) => {
            let grid = grids
                .iter()
                .find(|g| g.sheet.as_deref() == Some(name))
                .ok_or_else(|| ContactsError::NoSuchSheet {
                    name: name.to_string(),
                    sheets: names.clone(),
                })?;
            vec![grid]
        }
        None => grids.iter().collect(),
    };
    for grid in &candidates {
        if let Some(header) = find_header(grid)? {
            return Ok(read_rows(grid, header));
        }
    }
    Err(ContactsError::NoHeader {
        sheets: candidates
            .iter()
            .map(|g| g.sheet.clone().unwrap_or_else(|| "CSV".to_string()))
            .collect(),
    })
}

fn read_rows(grid: &Grid, (header_row, fields, columns): Header) -> Contacts {
    let mut contacts = Contacts {
        sheet: grid.sheet.clone(),
        header_row: header_row + 1,
        ..Contacts::default()
    };
    let used: Vec<usize> = fields.values().copied().collect();
    for (j, column) in columns.iter().enumerate() {
        if !used.contains(&j) && !column.header.is_empty() {
            contacts
                .warnings
                .push(Warning::IgnoredColumn(column.clone()));
        }
    }
    let mut read = Vec::new();
    // Every name in the sheet with its row, readable or not (for the cross-row checks).
    let mut named: HashMap<String, (usize, Option<RowKind>)> = HashMap::new();
    let mut bad_names: HashMap<String, usize> = HashMap::new();
    for row in header_row + 1..grid.rows.len() {
        let cells = grid.rows.get(row).map(Vec::as_slice).unwrap_or_default();
        // Only the columns read count: a row with nothing in them is empty.
        if fields
            .values()
            .all(|c| cells.get(*c).is_none_or(Cell::is_blank))
        {
            continue;
        }
        let mut r = RowReader {
            grid,
            row,
            fields: &fields,
            columns: &columns,
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
        let name_cell_empty = fields
            .get(&Field::Name)
            .is_none_or(|c| grid.cell(row, *c).is_blank());
        if name_cell_empty {
            r.problem(Some(Field::Name), Reason::MissingName);
        }
        let email_cell_empty = fields
            .get(&Field::Email)
            .is_none_or(|c| grid.cell(row, *c).is_blank());
        if email_cell_empty {
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
    let column = |f: Field| {
        fields.get(&f).map(|c| {
            columns.get(*c).cloned().unwrap_or_else(|| Column {
                letter: column_letter(*c),
                header: String::new(),
            })
        })
    };
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
            let key = crate::playbook::account_key(account);
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

/// The parts map of a directory, as the export writes it into the 担う役割 column. The one
/// place that reads parts from a [`Directory`].
pub fn parts_of(directory: &Directory) -> Vec<(String, String)> {
    directory
        .parts
        .iter()
        .map(|p| (p.part.clone(), p.played_by.clone()))
        .collect()
}

/// The `parts:` map as written: part → id, in row order.
#[derive(Debug, Default)]
struct PartsMap<'a>(&'a [(String, String)]);

impl Serialize for PartsMap<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (part, id) in self.0 {
            map.serialize_entry(part, id)?;
        }
        map.end()
    }
}

#[derive(Serialize)]
struct FileOut<'a> {
    organization: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    website: Option<&'a str>,
    #[serde(flatten)]
    kept: &'a BTreeMap<String, serde_json::Value>,
    divisions: Vec<DivisionOut<'a>>,
    roles: Vec<RoleOut<'a>>,
    #[serde(skip_serializing_if = "PartsMap::is_empty")]
    parts: PartsMap<'a>,
}

impl PartsMap<'_> {
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[derive(Serialize)]
struct AfterHoursOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    phone: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
}

impl<'a> From<&'a AfterHours> for AfterHoursOut<'a> {
    fn from(a: &'a AfterHours) -> Self {
        AfterHoursOut {
            phone: a.phone.as_deref(),
            email: a.email.as_deref(),
            note: a.note.as_deref(),
        }
    }
}

#[derive(Serialize)]
struct DivisionOut<'a> {
    id: &'a str,
    kind: DivisionKind,
    email: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    phone: Option<&'a str>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    accounts: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    after_hours: Option<AfterHoursOut<'a>>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    channels: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
}

#[derive(Serialize)]
struct RoleOut<'a> {
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    held_by: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    division: Option<&'a str>,
    email: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    phone: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    after_hours: Option<AfterHoursOut<'a>>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    channels: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
}

/// What the directory file keeps besides the contacts: the organisation, its website, and
/// every other top-level setting of an existing file (the organisation's kind and words,
/// for instance), as they were.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Settings {
    /// The organisation's name.
    pub organization: String,
    /// Its website.
    pub website: Option<String>,
    /// Every other top-level key of the existing file except `divisions`, `roles` and
    /// `parts`, which the import replaces.
    pub kept: BTreeMap<String, serde_json::Value>,
}

impl Settings {
    /// The settings of an existing directory file.
    pub fn of_file(path: &Path) -> Result<Settings, ContactsError> {
        let existing = |message: String| ContactsError::Existing {
            path: path.to_path_buf(),
            message,
        };
        let source = SourceFile::read(path, &Limits::default())
            .map_err(|d| existing(d.render(None, Lang::En)))?;
        Settings::of_text(&source).map_err(existing)
    }

    /// The settings of a directory file's text.
    pub fn of_text(source: &SourceFile) -> Result<Settings, String> {
        let mut map: BTreeMap<String, serde_json::Value> =
            crate::playbook::load::parse_yaml(source, &Limits::default())
                .map_err(|d| d.render(Some(&source.text), Lang::En))?;
        for key in ["divisions", "roles", "parts"] {
            map.remove(key);
        }
        let organization = match map.remove("organization") {
            Some(serde_json::Value::String(s)) => s,
            _ => String::new(),
        };
        let website = match map.remove("website") {
            Some(serde_json::Value::String(s)) => Some(s),
            _ => None,
        };
        Ok(Settings {
            organization,
            website,
            kept: map,
        })
    }
}

/// Where the contacts came from, for the file's header comment.
#[derive(Debug, Clone)]
pub struct Origin<'a> {
    /// The spreadsheet's file name as given.
    pub file: &'a str,
    /// The time of the import.
    pub at: DateTime<FixedOffset>,
}

/// The directory file's text: a header comment (imported from which file and sheet, when,
/// and that edits belong in the sheet), the settings kept, the contacts and, when there are
/// any and `with_parts`, the parts map.
fn render_text(
    contacts: &Contacts,
    settings: &Settings,
    origin: &Origin<'_>,
    with_parts: bool,
) -> Result<String, ContactsError> {
    let file = FileOut {
        organization: &settings.organization,
        website: settings.website.as_deref(),
        kept: &settings.kept,
        divisions: contacts
            .divisions
            .iter()
            .map(|d| DivisionOut {
                id: &d.id,
                kind: d.kind,
                email: &d.email,
                phone: d.phone.as_deref(),
                accounts: &d.accounts,
                after_hours: d.after_hours.as_ref().map(AfterHoursOut::from),
                channels: &d.channels,
                note: d.note.as_deref(),
            })
            .collect(),
        roles: contacts
            .roles
            .iter()
            .map(|r| RoleOut {
                id: &r.id,
                held_by: r.held_by.as_deref(),
                division: r.division.as_deref(),
                email: &r.email,
                phone: r.phone.as_deref(),
                after_hours: r.after_hours.as_ref().map(AfterHoursOut::from),
                channels: &r.channels,
                note: r.note.as_deref(),
            })
            .collect(),
        parts: PartsMap(if with_parts { &contacts.parts } else { &[] }),
    };
    let body =
        serde_saphyr::to_string(&file).map_err(|e| ContactsError::Invalid(vec![e.to_string()]))?;
    let at = crate::clock::format_jst(origin.at, false);
    let name = Path::new(origin.file)
        .file_name()
        .map_or(origin.file.to_string(), |n| {
            n.to_string_lossy().into_owned()
        });
    let name = name.replace(['\n', '\r'], " ");
    let (sheet_ja, sheet_en) = match &contacts.sheet {
        Some(s) => (format!("（シート「{s}」）"), format!(" (sheet {s})")),
        None => (String::new(), String::new()),
    };
    let (sheet_ja, sheet_en) = (
        sheet_ja.replace(['\n', '\r'], " "),
        sheet_en.replace(['\n', '\r'], " "),
    );
    Ok(format!(
        "# yaml-language-server: $schema=../docs/divisions.schema.json\n\
#\n\
# {organization} SNS事案対応の連絡先（部署・役割）\n\
# {name}{sheet_ja}から {at}（日本時間）に `hikeshi contacts import` で取り込んだもの。\n\
# 連絡先を直すときは表の方を直し、もう一度取り込むこと（このファイルへの直接の修正は次の取り込みで失われる）。\n\
# Imported from {name}{sheet_en} at {at} JST by `hikeshi contacts import`.\n\
# Edit the spreadsheet and import it again: edits made here are lost at the next import.\n\
\n{body}",
        organization = settings.organization.replace(['\n', '\r'], " "),
    ))
}

/// The directory file for `contacts`, checked to load with [`Directory::load`], and the
/// directory it loads as.
pub fn render(
    contacts: &Contacts,
    settings: &Settings,
    origin: &Origin<'_>,
    out_name: &str,
) -> Result<(String, Directory), ContactsError> {
    let text = render_text(contacts, settings, origin, true)?;
    let source = SourceFile::new(out_name, text.clone());
    let directory = Directory::load(&source, &Limits::default()).map_err(|diagnostics| {
        ContactsError::Invalid(
            diagnostics
                .iter()
                .map(|d| d.render(Some(&source.text), Lang::En))
                .collect(),
        )
    })?;
    Ok((text, directory))
}

/// What an import made of a spreadsheet: the contacts read (with every bad row and
/// warning), and the directory file's text when it can be written.
#[derive(Debug)]
pub struct Imported {
    /// What the sheet gave.
    pub contacts: Contacts,
    /// The file to write and the directory it loads as; an error when rows were bad (without
    /// `skip_bad`), when no row could be read, or when the result does not load.
    pub file: Result<(String, Directory), ContactsError>,
}

/// Reads `file` (its `sheet`, or the first sheet with a header row) and makes the directory
/// file: `settings` kept, the contacts replaced. Bad rows stop it unless `skip_bad`.
pub fn import(
    file: &Path,
    sheet: Option<&str>,
    settings: &Settings,
    at: DateTime<FixedOffset>,
    out_name: &str,
    skip_bad: bool,
) -> Result<Imported, ContactsError> {
    let grids = read_file(file)?;
    let contacts = read_contacts(&grids, sheet)?;
    let file_name = file.to_string_lossy();
    let origin = Origin {
        file: &file_name,
        at,
    };
    let made = if !contacts.problems.is_empty() && !skip_bad {
        Err(ContactsError::BadRows {
            count: contacts.bad_rows(),
        })
    } else if contacts.divisions.is_empty() && contacts.roles.is_empty() {
        Err(ContactsError::NothingRead)
    } else {
        render(&contacts, settings, &origin, out_name)
    };
    Ok(Imported {
        contacts,
        file: made,
    })
}

impl Contacts {
    /// Every bad row and warning, one line each, in `lang`: the bad rows first.
    pub fn report_lines(&self, lang: Lang) -> Vec<String> {
        let bad = self.problems.iter().map(|p| {
            let m = p.message(lang);
            tr!(lang, "読めない行: {m}", "bad row: {m}")
        });
        let warnings = self.warnings.iter().map(|w| {
            let m = w.message(lang);
            tr!(lang, "注意: {m}", "warning: {m}")
        });
        bad.chain(warnings).collect()
    }

    /// What would be written, in `lang`: the counts, then the names of each kind.
    pub fn listing(&self, lang: Lang) -> Vec<String> {
        let mut lines = vec![self.summary(lang)];
        let join = |names: Vec<String>| names.join("、");
        if !self.divisions.is_empty() {
            let names = join(self.divisions.iter().map(|d| d.id.clone()).collect());
            lines.push(tr!(lang, "  部署: {names}", "  divisions: {names}"));
        }
        if !self.roles.is_empty() {
            let names = join(self.roles.iter().map(|r| r.id.clone()).collect());
            lines.push(tr!(lang, "  役割: {names}", "  roles: {names}"));
        }
        if !self.parts.is_empty() {
            let names = join(
                self.parts
                    .iter()
                    .map(|(part, id)| format!("{part} → {id}"))
                    .collect(),
            );
            lines.push(tr!(lang, "  担う役割: {names}", "  parts: {names}"));
        }
        lines
    }
}

/// Writes `text` to `path` atomically: beside it, synced, renamed over it, the folder synced;
/// a reader sees the old file or the new one, never half of one.
pub fn write(path: &Path, text: &str) -> Result<(), ContactsError> {
    write_bytes(path, text.as_bytes())
}

/// Writes `bytes` to `path` atomically, as [`write`] does.
pub fn write_bytes(path: &Path, bytes: &[u8]) -> Result<(), ContactsError> {
    let failed = |source| ContactsError::Write {
        path: path.to_path_buf(),
        source,
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).map_err(failed)?;
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".tmp");
    let tmp = path.with_file_name(name);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    let result = crate::platform::open_no_follow(&options, &tmp)
        .and_then(|mut f| f.write_all(bytes).and_then(|()| f.sync_all()))
        .and_then(|()| std::fs::rename(&tmp, path));
    if let Err(source) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(failed(source));
    }
    crate::platform::sync_dir(&dir).map_err(failed)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    fn text(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }

    fn grid(rows: &[&[&str]]) -> Grid {
        Grid {
            sheet: Some("連絡先".into()),
            rows: rows
                .iter()
                .map(|r| {
                    r.iter()
                        .map(|c| if c.is_empty() { Cell::Empty } else { text(c) })
                        .collect()
                })
                .collect(),
        }
    }

    #[test]
    fn headers_match_in_japanese_and_english_and_their_variants() {
        for (header, field) in [
            ("名称", Field::Name),
            ("課名", Field::Name),
            ("ID", Field::Name),
            ("部署", Field::Name),
            ("部署名", Field::Name),
            ("区分", Field::Kind),
            ("Kind", Field::Kind),
            ("メール", Field::Email),
            ("メールアドレス（必須）", Field::Email),
            ("E-mail", Field::Email),
            ("ｅｍａｉｌ", Field::Email),
            ("電話", Field::Phone),
            ("TEL", Field::Phone),
            ("夜間・休日電話", Field::AfterHoursPhone),
            ("夜間 休日 電話", Field::AfterHoursPhone),
            ("時間外電話", Field::AfterHoursPhone),
            ("after_hours_phone", Field::AfterHoursPhone),
            ("After-hours phone", Field::AfterHoursPhone),
            ("夜間メール", Field::AfterHoursEmail),
            ("夜間連絡方法", Field::AfterHoursNote),
            ("after-hours note", Field::AfterHoursNote),
            ("備考", Field::Note),
            ("氏名", Field::HeldBy),
            ("held_by", Field::HeldBy),
            ("所属", Field::Division),
            ("公式アカウント", Field::Accounts),
            ("担う役割", Field::Parts),
            ("Parts", Field::Parts),
            ("通知チャンネル", Field::Channels),
        ] {
            assert_eq!(Field::from_header(header), Some(field), "{header}");
        }
        for header in ["", "役割", "住所", "（必須）", "No."] {
            assert_eq!(Field::from_header(header), None, "{header}");
        }
        // The template's own headers read back as their fields.
        for f in Field::ALL {
            assert_eq!(Field::from_header(f.header()), Some(f));
        }
    }

    #[test]
    fn column_letters_go_past_z() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }

    #[test]
    fn cells_from_the_reader_keep_what_was_typed() {
        use calamine::Data;
        assert_eq!(
            Cell::from(&Data::Float(312345678.0)),
            Cell::Number("312345678".into())
        );
        assert_eq!(Cell::from(&Data::Float(1.5)), Cell::Number("1.5".into()));
        assert_eq!(Cell::from(&Data::Int(110)), Cell::Number("110".into()));
        assert_eq!(Cell::from(&Data::Bool(true)), Cell::Text("TRUE".into()));
        assert_eq!(
            Cell::from(&Data::Error(calamine::CellErrorType::NA)),
            Cell::Error("#N/A".into())
        );
        let date =
            calamine::ExcelDateTime::new(46113.0, calamine::ExcelDateTimeType::DateTime, false);
        assert_eq!(
            Cell::from(&Data::DateTime(date)),
            Cell::Date("2026-04-01".into())
        );
    }

    #[test]
    fn lists_split_on_line_breaks_commas_and_spaces() {
        assert_eq!(
            split_list("@a、@b,@c\n@d　@e ; @f，@g"),
            ["@a", "@b", "@c", "@d", "@e", "@f", "@g"]
        );
        assert!(split_list(" 、 ").is_empty());
    }

    #[test]
    fn phone_numbers_typed_full_width_are_written_half_width() {
        assert_eq!(phone_text("０３－１２３４－５６７８"), "03-1234-5678");
        assert_eq!(phone_text("03ー1234ー5678"), "03-1234-5678");
    }

    #[test]
    fn csv_text_is_utf8_with_or_without_bom_else_cp932() {
        let text = "名称,メール\n総務課,somu@town.kakuu.lg.jp\n";
        assert_eq!(decode_text(text.as_bytes()), text);
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(text.as_bytes());
        assert_eq!(decode_text(&bom), text);
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(text);
        assert!(std::str::from_utf8(&sjis).is_err());
        assert_eq!(decode_text(&sjis), text);
        // cp932's own characters (NEC special, IBM extension) decode too.
        let (cp932, _, _) = encoding_rs::SHIFT_JIS.encode("①髙");
        assert_eq!(decode_text(&cp932), "①髙");
    }

    #[test]
    fn tab_separated_text_is_read_by_its_tabs() {
        let g = read_csv("名称\tメール\n総務課\ts@t.lg.jp\n".as_bytes()).unwrap();
        assert_eq!(g.rows[1], [text("総務課"), text("s@t.lg.jp")]);
    }

    #[test]
    fn the_header_row_is_the_first_with_a_name_and_a_mail_column() {
        let g = grid(&[
            &["架空町 連絡先一覧"],
            &[],
            &["", "名称", "メール", "住所"],
            &["", "総務課", "somu@town.kakuu.lg.jp", "役場1階"],
        ]);
        let c = read_contacts(&[g], None).unwrap();
        assert_eq!(c.header_row, 3);
        assert_eq!(c.divisions.len(), 1);
        assert_eq!(c.divisions[0].id, "総務課");
        assert_eq!(
            c.warnings,
            [Warning::IgnoredColumn(Column {
                letter: "D".into(),
                header: "住所".into()
            })]
        );
    }

    #[test]
    fn two_columns_meaning_the_same_are_refused() {
        let g = grid(&[&["名称", "メール", "メールアドレス"]]);
        let e = read_contacts(&[g], None).unwrap_err();
        assert!(
            matches!(&e, ContactsError::DuplicateColumn { field: Field::Email, first, second }
                if first == "B「メール」" && second == "C「メールアドレス」"),
            "{e:?}"
        );
    }

    #[test]
    fn a_number_in_a_phone_column_is_kept_with_a_warning_and_a_date_is_a_bad_row() {
        let mut g = grid(&[
            &["名称", "メール", "電話"],
            &["総務課", "somu@town.kakuu.lg.jp", ""],
            &["税務課", "zei@town.kakuu.lg.jp", ""],
        ]);
        g.rows[1][2] = Cell::Number("312345678".into());
        g.rows[2][2] = Cell::Date("2026-01-02".into());
        let c = read_contacts(&[g], None).unwrap();
        assert_eq!(c.divisions.len(), 1);
        assert_eq!(c.divisions[0].phone.as_deref(), Some("312345678"));
        assert!(matches!(
            &c.warnings[..],
            [Warning::PhoneAsNumber { row: 2, .. }]
        ));
        assert_eq!(c.problems.len(), 1);
        assert_eq!(c.problems[0].row, 3);
        assert!(matches!(c.problems[0].reason, Reason::DateCell { .. }));
    }

    #[test]
    fn rows_with_nothing_in_the_columns_read_are_skipped_silently() {
        let g = grid(&[
            &["名称", "メール", "住所"],
            &["", "", "メモだけ"],
            &[],
            &["総務課", "somu@town.kakuu.lg.jp", ""],
        ]);
        let c = read_contacts(&[g], None).unwrap();
        assert!(c.problems.is_empty(), "{:?}", c.problems);
        assert_eq!(c.divisions.len(), 1);
    }

    #[test]
    fn a_role_whose_division_row_is_bad_is_bad_too() {
        let g = grid(&[
            &["名称", "種別", "メール", "所属", "公式アカウント"],
            &["総務課", "部署", "somu@town.kakuu.lg.jp", "", "@town"],
            &["企画課", "部署", "kikaku@town.kakuu.lg.jp", "", "@town"],
            &["運用管理者", "役割", "kacho@town.kakuu.lg.jp", "企画課", ""],
        ]);
        let c = read_contacts(&[g], None).unwrap();
        let rows: Vec<usize> = c.problems.iter().map(|p| p.row).collect();
        assert_eq!(rows, [3, 4], "{:?}", c.problems);
        assert!(matches!(
            c.problems[0].reason,
            Reason::AccountTwice { first_row: 2, .. }
        ));
        assert!(matches!(
            c.problems[1].reason,
            Reason::UnknownDivision {
                bad_row: Some(3),
                ..
            }
        ));
    }

    #[test]
    fn strings_that_yaml_would_read_otherwise_are_quoted() {
        let contacts = Contacts {
            divisions: vec![Division {
                id: "yes".into(),
                kind: DivisionKind::Internal,
                email: "a@b.lg.jp".into(),
                phone: Some("0000-00-1001".into()),
                after_hours: Some(AfterHours {
                    phone: Some("0312345678".into()),
                    email: None,
                    note: Some("夜間は: 当直 # 経由\n二行目".into()),
                }),
                note: Some("- 先頭がダッシュ".into()),
                channels: vec![],
                accounts: vec!["@city".into(), "https://x.com/city".into()],
            }],
            parts: vec![("広報担当課".into(), "yes".into())],
            ..Contacts::default()
        };
        let settings = Settings {
            organization: "架空町".into(),
            website: None,
            kept: BTreeMap::new(),
        };
        let origin = Origin {
            file: "連絡先.xlsx",
            at: DateTime::parse_from_rfc3339("2026-12-07T05:00:00Z").unwrap(),
        };
        let text = render_text(&contacts, &settings, &origin, false).unwrap();
        assert!(text.contains("2026-12-07 14:00"), "{text}");
        assert!(!text.contains("parts"), "{text}");
        let source = SourceFile::new("d.yaml", text.clone());
        let d = Directory::load(&source, &Limits::default()).unwrap_or_else(|e| {
            panic!("{text}\n{e:?}");
        });
        assert_eq!(d.divisions, contacts.divisions);
        let with_parts = render_text(&contacts, &settings, &origin, true).unwrap();
        assert!(
            with_parts.contains("parts:\n  広報担当課: 'yes'")
                || with_parts.contains("parts:\n  広報担当課: \"yes\""),
            "{with_parts}"
        );
    }

    fn town(organization: &str) -> Settings {
        Settings {
            organization: organization.into(),
            ..Settings::default()
        }
    }

    fn origin() -> Origin<'static> {
        Origin {
            file: "連絡先.xlsx",
            at: DateTime::parse_from_rfc3339("2026-12-07T05:00:00Z").unwrap(),
        }
    }

    #[test]
    fn any_text_a_cell_can_hold_comes_back_from_the_file_unchanged() {
        let tricky = [
            "yes",
            "No",
            "null",
            "~",
            "true",
            "0123",
            "1e3",
            "0x1F",
            "12:30",
            "- 箇条",
            "? 質問",
            ": 区切り",
            "# 見出し",
            "@city",
            "*強調",
            "&参照",
            "!タグ",
            "%25",
            "'引用'",
            "\"二重\"",
            "[角]",
            "{波}",
            "a: b",
            "a #b",
            "先頭 ",
            " 先頭の空白",
            "タブ\tあり",
            "二行\n目",
            "空行\n\nあり",
            "末尾の改行\n",
            "｜全角｜",
            "<html>",
            "`code`",
        ];
        let divisions: Vec<Division> = tricky
            .iter()
            .enumerate()
            .map(|(i, t)| Division {
                id: format!("課{i}"),
                kind: DivisionKind::Internal,
                email: format!("d{i}@town.kakuu.lg.jp"),
                phone: Some((*t).to_string()),
                after_hours: Some(AfterHours {
                    phone: None,
                    email: None,
                    note: Some((*t).to_string()),
                }),
                note: Some(format!("{t}\n{t}")),
                channels: vec![],
                accounts: vec![format!("@a{i}")],
            })
            .collect();
        let roles: Vec<Role> = tricky
            .iter()
            .enumerate()
            .filter(|(_, t)| !t.contains('\n') && !t.contains('\t'))
            .map(|(i, t)| Role {
                id: (*t).trim().to_string() + "役",
                held_by: Some((*t).to_string()),
                division: Some(format!("課{i}")),
                email: format!("r{i}@town.kakuu.lg.jp"),
                phone: None,
                after_hours: None,
                note: None,
                channels: vec![],
            })
            .collect();
        let contacts = Contacts {
            divisions,
            roles,
            ..Contacts::default()
        };
        let (text, directory) = render(&contacts, &town("架空町"), &origin(), "d.yaml")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(directory.divisions, contacts.divisions, "{text}");
        assert_eq!(directory.roles, contacts.roles, "{text}");
    }

    #[test]
    fn an_existing_file_keeps_every_setting_but_its_contacts() {
        let source = SourceFile::new(
            "divisions.yaml",
            "# comment\norganization: 架空町\nwebsite: https://www.town.kakuu.lg.jp/\nkind: 町\nwords:\n  site: 町公式ウェブサイト\ndivisions:\n  - id: 旧課\n    email: old@town.kakuu.lg.jp\nroles: []\nparts:\n  広報担当課: 旧課\n",
        );
        let settings = Settings::of_text(&source).unwrap();
        assert_eq!(settings.organization, "架空町");
        assert_eq!(
            settings.website.as_deref(),
            Some("https://www.town.kakuu.lg.jp/")
        );
        let keys: Vec<&str> = settings.kept.keys().map(String::as_str).collect();
        assert_eq!(keys, ["kind", "words"]);
        let contacts = Contacts {
            divisions: vec![Division {
                id: "総務課".into(),
                kind: DivisionKind::Internal,
                email: "somu@town.kakuu.lg.jp".into(),
                phone: None,
                after_hours: None,
                note: None,
                channels: vec![],
                accounts: vec![],
            }],
            ..Contacts::default()
        };
        let text = render_text(&contacts, &settings, &origin(), true).unwrap();
        assert!(
            text.contains("\nkind: 町\nwords:\n  site: 町公式ウェブサイト\n"),
            "{text}"
        );
        assert!(!text.contains("旧課"), "{text}");
    }

    #[test]
    fn every_error_reads_in_both_languages() {
        let io = || std::io::Error::other("disk full");
        let errors = [
            ContactsError::Read {
                path: "a.xlsx".into(),
                source: io(),
            },
            ContactsError::Workbook {
                path: "a.xlsx".into(),
                message: "zip".into(),
            },
            ContactsError::Csv {
                path: "a.csv".into(),
                message: "bad".into(),
            },
            ContactsError::NoSuchSheet {
                name: "x".into(),
                sheets: vec!["連絡先".into()],
            },
            ContactsError::NoHeader {
                sheets: vec!["連絡先".into()],
            },
            ContactsError::DuplicateColumn {
                field: Field::Email,
                first: "B".into(),
                second: "C".into(),
            },
            ContactsError::BadRows { count: 2 },
            ContactsError::NothingRead,
            ContactsError::Exists {
                path: "d.yaml".into(),
            },
            ContactsError::NeedOrganization {
                path: "d.yaml".into(),
            },
            ContactsError::Existing {
                path: "d.yaml".into(),
                message: "tab".into(),
            },
            ContactsError::Invalid(vec!["x".into()]),
            ContactsError::Write {
                path: "d.yaml".into(),
                source: io(),
            },
            ContactsError::Xlsx("x".into()),
        ];
        for e in errors {
            let (ja, en) = (e.message(Lang::Ja), e.message(Lang::En));
            assert_ne!(ja, en, "{e:?}");
            assert!(!ja.is_empty() && !en.is_empty(), "{e:?}");
        }
    }

    #[test]
    fn the_other_reasons_a_row_is_bad() {
        let mut g = grid(&[
            &[
                "名称",
                "種別",
                "メール",
                "夜間メール",
                "担当者",
                "所属",
                "公式アカウント",
            ],
            &["総務課", "部署", "somu@town.kakuu.lg.jp", "", "", "", ""],
            &[
                "運用管理者",
                "役割",
                "kanri@town.kakuu.lg.jp",
                "",
                "総務課長",
                "総務課",
                "",
            ],
            &[
                "副管理者",
                "役割",
                "fuku@town.kakuu.lg.jp",
                "",
                "",
                "運用管理者",
                "",
            ],
            &[
                "税務課",
                "部署",
                "zei@town.kakuu.lg.jp",
                "",
                "税務課長",
                "",
                "",
            ],
            &[
                "発信管理者",
                "役割",
                "hasshin@town.kakuu.lg.jp",
                "",
                "",
                "",
                "@town",
            ],
            &[
                "住民\n課",
                "部署",
                "juumin@town.kakuu.lg.jp",
                "",
                "",
                "",
                "",
            ],
            &[
                "福祉課",
                "部署",
                "fukushi@town.kakuu.lg.jp",
                "night@town",
                "",
                "",
                "",
            ],
            &["教育課", "部署", "", "", "", "", ""],
        ]);
        g.rows[8][2] = Cell::Error("#REF!".into());
        let c = read_contacts(&[g], None).unwrap();
        let found: Vec<(usize, Option<&str>, &Reason)> = c
            .problems
            .iter()
            .map(|p| {
                (
                    p.row,
                    p.column.as_ref().map(|c| c.letter.as_str()),
                    &p.reason,
                )
            })
            .collect();
        assert_eq!(
            found,
            [
                (
                    4,
                    Some("F"),
                    &Reason::DivisionIsRole {
                        name: "運用管理者".into()
                    }
                ),
                (5, Some("E"), &Reason::RoleColumnOnDivision),
                (6, Some("G"), &Reason::AccountsOnRole),
                (7, Some("A"), &Reason::NotOneLine),
                (
                    8,
                    Some("D"),
                    &Reason::BadEmail {
                        address: "night@town".into()
                    }
                ),
                (
                    9,
                    Some("C"),
                    &Reason::ErrorCell {
                        value: "#REF!".into()
                    }
                ),
            ]
        );
        for p in &c.problems {
            assert_ne!(p.message(Lang::Ja), p.message(Lang::En));
        }
        let ids: Vec<&str> = c
            .divisions
            .iter()
            .map(|d| d.id.as_str())
            .chain(c.roles.iter().map(|r| r.id.as_str()))
            .collect();
        assert_eq!(ids, ["総務課", "運用管理者"]);
    }
}
