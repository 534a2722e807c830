//! The 一覧表 from the city's spreadsheet back into `accounts.yaml`: the sheet is read as the
//! contact list's is (calamine or CSV, `directory::import::read_file`), its header row found
//! and matched ([`Field::from_header`]), each row read into an account and every row that
//! cannot be read named with its row, column and why. The file made keeps the register's
//! settings, and loads with [`Register::load`] against the directory before it is written.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::Serialize;

use super::{Field, LedgerError, parse_day, parse_device, parse_status, parse_two_factor};
use crate::diagnostic::Diagnostic;
use crate::directory::import::sheet::{self, Header};
use crate::directory::import::{Cell, Column, Grid, header_key, read_file};
use crate::directory::{Directory, account_key, plausible_email};
use crate::lang::Lang;
use crate::playbook::Platform;
use crate::register::{AccountStatus, Device, Register, TwoFactor, looks_like_secret};
use crate::source::{Limits, SourceFile};
use crate::tr;

/// Header names of a column that would hold a secret itself: a sheet with one is refused.
const SECRET_HEADERS: &[&str] = &[
    "パスワード",
    "ログインパスワード",
    "初期パスワード",
    "暗証番号",
    "password",
    "passwd",
    "passcode",
    "pass",
    "pw",
    "リカバリーコード",
    "バックアップコード",
    "復旧コード",
    "recovery codes",
    "recovery code",
    "backup codes",
];

/// Whether a header names a column for a secret.
fn is_secret_header(header: &str) -> bool {
    let key = header_key(header);
    !key.is_empty() && SECRET_HEADERS.iter().any(|h| header_key(h) == key)
}

/// Why a row could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// A required cell is empty.
    Missing,
    /// A platform hikeshi does not know.
    UnknownPlatform {
        /// As written.
        value: String,
    },
    /// A division that is not in the directory.
    UnknownDivision {
        /// As written.
        name: String,
        /// The closest division.
        suggestion: Option<String>,
    },
    /// The directory says another division owns the account.
    OwnerDiffers {
        /// The directory's owner.
        directory: String,
    },
    /// A word the column does not take (two-factor, status, device).
    UnknownWord {
        /// As written.
        value: String,
    },
    /// A day that does not read as one.
    BadDay {
        /// As written.
        value: String,
    },
    /// A mail address that does not parse.
    BadEmail {
        /// As written.
        address: String,
    },
    /// A person not written as `氏名（所属課）`.
    BadPerson {
        /// As written.
        value: String,
    },
    /// A place that reads as a password or a code (never echoed).
    LooksLikeSecret,
    /// A numeric ID typed as a number too long for Excel to keep every digit.
    NumberTooLong,
    /// A reviewer without a day, or a day without a reviewer.
    HalfReview,
    /// The account is in an earlier row too.
    DuplicateAccount {
        /// The earlier row.
        first_row: usize,
    },
    /// A line break or control character in a one-line value.
    NotOneLine,
    /// A control or invisible character.
    ControlCharacter,
    /// A date where text belongs.
    DateCell {
        /// As read.
        value: String,
    },
    /// A formula's error value.
    ErrorCell {
        /// As read.
        value: String,
    },
}

/// A row that could not be read: where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    /// The row as the spreadsheet numbers it.
    pub row: usize,
    /// The column at fault.
    pub column: Column,
    /// Why.
    pub reason: Reason,
}

fn shown_column(c: &Column, lang: Lang) -> String {
    let (letter, header) = (&c.letter, &c.header);
    tr!(lang, "{letter}列「{header}」", "column {letter} ({header})")
}

impl RowProblem {
    /// The problem in one line, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        let row = self.row;
        let c = shown_column(&self.column, lang);
        let place = tr!(lang, "{row}行目 {c}", "row {row}, {c}");
        let why = match &self.reason {
            Reason::Missing => tr!(lang, "空欄です（必須）", "is empty (required)"),
            Reason::UnknownPlatform { value } => {
                let names: Vec<&str> = Platform::ALL.iter().map(|p| p.display_name()).collect();
                let names = names.join("、");
                tr!(
                    lang,
                    "媒体「{value}」が分かりません（{names} のいずれか）",
                    "unknown platform {value} (one of {names})"
                )
            }
            Reason::UnknownDivision { name, suggestion } => {
                let hint = match suggestion {
                    Some(s) => tr!(lang, "（「{s}」の誤り？）", " (did you mean {s}?)"),
                    None => String::new(),
                };
                tr!(
                    lang,
                    "所管課「{name}」が連絡先（divisions.yaml）にありません{hint}",
                    "the division {name} is not in the directory (divisions.yaml){hint}"
                )
            }
            Reason::OwnerDiffers { directory } => tr!(
                lang,
                "連絡先（divisions.yaml）ではこのアカウントを「{directory}」が所管しています。どちらかを直してください",
                "the directory says {directory} owns this account; correct one of them"
            ),
            Reason::UnknownWord { value } => tr!(
                lang,
                "「{value}」はこの列の値として分かりません（ひな形の選択肢を使ってください）",
                "{value} is not a value this column takes (use the template's choices)"
            ),
            Reason::BadDay { value } => tr!(
                lang,
                "日付「{value}」を解釈できません（2026-04-10 又は 2026/4/10 の形で）",
                "the day {value} does not read as one (write 2026-04-10 or 2026/4/10)"
            ),
            Reason::BadEmail { address } => {
                let address = crate::text::shown(address);
                tr!(
                    lang,
                    "メールアドレス「{address}」を解釈できません",
                    "the mail address {address} does not parse"
                )
            }
            Reason::BadPerson { value } => tr!(
                lang,
                "「{value}」を 氏名（所属課） として読めません（1 行に 1 人）",
                "{value} does not read as 氏名（所属課） (name (division)), one a line"
            ),
            Reason::LooksLikeSecret => tr!(
                lang,
                "保管場所ではなくパスワード又はコードそのもののように見えます（値は表示しません）。保管場所だけを書き、書かれていたものは漏えいしたものとして変更してください",
                "reads as a password or code rather than a place (the value is not shown); write only where it is kept, and change what was written there as leaked"
            ),
            Reason::NumberTooLong => tr!(
                lang,
                "数値として入力されているため桁が失われています。セルの書式を「文字列」にして入力し直してください",
                "is a number too long for a spreadsheet to keep every digit; set the cell's format to text and type it again"
            ),
            Reason::HalfReview => tr!(
                lang,
                "最終確認日と最終確認者は両方書いてください",
                "write both the day of the review and who reviewed"
            ),
            Reason::DuplicateAccount { first_row } => tr!(
                lang,
                "このアカウントは {first_row}行目にもあります",
                "this account is also in row {first_row}"
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
                "日付（{value}）になっています。セルの書式を「文字列」にして入力し直してください",
                "is a date ({value}); set the cell's format to text and type it again"
            ),
            Reason::ErrorCell { value } => tr!(
                lang,
                "数式のエラー（{value}）です",
                "is a formula error ({value})"
            ),
        };
        format!("{place}: {why}")
    }
}

/// A person as written to the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonOut {
    /// Name.
    pub name: String,
    /// Division.
    pub division: String,
}

/// A review as written to the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewOut {
    /// The day.
    pub on: String,
    /// By whom.
    pub by: String,
}

/// One account as read from a row, as it is written to the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountOut {
    /// User name or page URL.
    pub handle: String,
    /// Platform.
    pub platform: Platform,
    /// Numeric ID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub numeric_id: Option<String>,
    /// Address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Owning division.
    pub division: String,
    /// Administrators.
    pub administrators: Vec<PersonOut>,
    /// Editors.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub editors: Vec<PersonOut>,
    /// Two-factor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub two_factor: Option<TwoFactor>,
    /// Where the recovery codes are kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery_codes_kept: Option<String>,
    /// Recovery mail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery_email: Option<String>,
    /// Recovery phone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery_phone: Option<String>,
    /// Where the password is kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_kept: Option<String>,
    /// Linked apps.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub linked_apps: Vec<String>,
    /// Devices.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub devices: Vec<Device>,
    /// Status.
    pub status: AccountStatus,
    /// Last review.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reviewed: Option<ReviewOut>,
    /// Last post.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_post: Option<String>,
}

/// The settings of the register file a import keeps: `personnel_change`,
/// `dormant_after_months` and `domains` of an existing file, or the defaults.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Settings {
    /// The 人事異動 day.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub personnel_change: Option<serde_json::Value>,
    /// Months to dormant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dormant_after_months: Option<serde_json::Value>,
    /// The organisation's own mail domains.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domains: Option<serde_json::Value>,
}

impl Settings {
    /// A new register's: the 人事異動 on 1 April, dormant after six months.
    pub fn new_file() -> Settings {
        Settings {
            personnel_change: Some(serde_json::json!("04-01")),
            dormant_after_months: Some(serde_json::json!(6)),
            domains: None,
        }
    }

    /// The settings of an existing register file.
    pub fn of_file(path: &Path) -> Result<Settings, LedgerError> {
        let existing = |message: String| LedgerError::Existing {
            path: path.to_path_buf(),
            message,
        };
        let source = SourceFile::read(path, &Limits::default())
            .map_err(|d| existing(d.render(None, Lang::En)))?;
        let mut map: BTreeMap<String, serde_json::Value> =
            crate::source::parse_yaml(&source, &Limits::default())
                .map_err(|d| existing(d.render(Some(&source.text), Lang::En)))?;
        Ok(Settings {
            personnel_change: map.remove("personnel_change"),
            dormant_after_months: map.remove("dormant_after_months"),
            domains: map.remove("domains"),
        })
    }
}

#[derive(Serialize)]
struct FileOut<'a> {
    #[serde(flatten)]
    settings: &'a Settings,
    accounts: &'a [AccountOut],
}

/// What an import made of a sheet.
#[derive(Debug)]
pub struct Imported {
    /// The sheet read (none for a CSV file).
    pub sheet: Option<String>,
    /// The accounts read, in row order.
    pub accounts: Vec<AccountOut>,
    /// Rows that could not be read.
    pub problems: Vec<RowProblem>,
    /// Headers the import does not read.
    pub ignored: Vec<Column>,
    /// The file's text, the register it loads as and its warnings; an error when rows were
    /// bad (without `skip_bad`), none was read, or it does not load.
    pub file: Result<(String, Register, Vec<Diagnostic>), LedgerError>,
}

impl Imported {
    /// How many rows could not be read.
    pub fn bad_rows(&self) -> usize {
        let rows: std::collections::BTreeSet<usize> = self.problems.iter().map(|p| p.row).collect();
        rows.len()
    }

    /// Every bad row and ignored column, one line each, in `lang`.
    pub fn report_lines(&self, lang: Lang) -> Vec<String> {
        let bad = self.problems.iter().map(|p| {
            let m = p.message(lang);
            tr!(lang, "読めない行: {m}", "bad row: {m}")
        });
        let ignored = self.ignored.iter().map(|c| {
            let c = shown_column(c, lang);
            tr!(
                lang,
                "注意: {c} は読み込まない列です（`hikeshi register import --help` を参照）",
                "warning: {c} is not a column the import reads (see `hikeshi register import --help`)"
            )
        });
        bad.chain(ignored).collect()
    }

    /// The counts in one line.
    pub fn summary(&self, lang: Lang) -> String {
        let (a, b) = (self.accounts.len(), self.bad_rows());
        tr!(
            lang,
            "アカウント {a} 件、読めない行 {b} 行",
            "{a} account(s), {b} bad row(s)"
        )
    }
}

/// The header row: the first with the account, its platform and its owning division. A
/// password column refuses the sheet.
fn find_header(grid: &Grid) -> Result<Option<Header<Field>>, LedgerError> {
    for i in 0..grid.rows.len() {
        let header = Header::scan(grid, i, Field::from_header);
        let secret = header
            .columns
            .iter()
            .position(|c| is_secret_header(&c.header));
        if header.has(&[Field::Handle, Field::Platform, Field::Division]) {
            if let Some(j) = secret {
                return Err(LedgerError::SecretColumn {
                    column: header.shown(j),
                });
            }
            if let Some((field, first, second)) = header.duplicate_shown() {
                return Err(LedgerError::DuplicateColumn {
                    field,
                    first,
                    second,
                });
            }
            return Ok(Some(header));
        }
        // A sheet whose header is not recognised is refused all the same if it has a
        // password column: nothing of it is read.
        if let Some(j) = secret
            && !header.fields.is_empty()
        {
            return Err(LedgerError::SecretColumn {
                column: header.shown(j),
            });
        }
    }
    Ok(None)
}

/// One row's cells by field, checked cell by cell.
struct RowReader<'a> {
    grid: &'a Grid,
    row: usize,
    header: &'a Header<Field>,
    problems: Vec<RowProblem>,
}

impl RowReader<'_> {
    fn problem(&mut self, field: Field, reason: Reason) {
        let col = self.header.fields.get(&field).copied().unwrap_or_default();
        self.problems.push(RowProblem {
            row: self.row + 1,
            column: self.header.column(col),
            reason,
        });
    }

    /// The text of a field's cell, if the column exists and the cell has a value.
    fn get(&mut self, field: Field) -> Option<String> {
        let (cell, text) = self.header.cell(self.grid, self.row, field)?;
        let day = matches!(field, Field::ReviewedOn | Field::LastPost);
        match cell {
            Cell::Error(v) => {
                self.problem(field, Reason::ErrorCell { value: v.clone() });
                return None;
            }
            Cell::Date(v) if !day => {
                self.problem(field, Reason::DateCell { value: v.clone() });
                return None;
            }
            Cell::Number(v)
                if field == Field::NumericId
                    && v.chars().filter(char::is_ascii_digit).count() > 15 =>
            {
                self.problem(field, Reason::NumberTooLong);
                return None;
            }
            _ => {}
        }
        let bad = if field.is_list() {
            crate::text::bad_in_text(&text).map(|_| Reason::ControlCharacter)
        } else {
            crate::text::bad_in_name(&text).map(|_| Reason::NotOneLine)
        };
        if let Some(reason) = bad {
            self.problem(field, reason);
            return None;
        }
        Some(text)
    }

    fn required(&mut self, field: Field) -> Option<String> {
        let col = *self.header.fields.get(&field)?;
        if self.grid.cell(self.row, col).is_blank() {
            self.problem(field, Reason::Missing);
            return None;
        }
        self.get(field)
    }

    fn day(&mut self, field: Field) -> Option<NaiveDate> {
        let text = self.get(field)?;
        let day = parse_day(&text);
        if day.is_none() {
            self.problem(field, Reason::BadDay { value: text });
        }
        day
    }

    fn place(&mut self, field: Field) -> Option<String> {
        let text = self.get(field)?;
        if looks_like_secret(&text) {
            self.problem(field, Reason::LooksLikeSecret);
            return None;
        }
        Some(text)
    }

    fn word<T>(&mut self, field: Field, parse: fn(&str) -> Option<T>) -> Option<T> {
        let text = self.get(field)?;
        let value = parse(&text);
        if value.is_none() {
            self.problem(field, Reason::UnknownWord { value: text });
        }
        value
    }

    fn lines(&mut self, field: Field) -> Vec<String> {
        self.get(field)
            .unwrap_or_default()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect()
    }

    fn people(&mut self, field: Field, owner: Option<&str>) -> Vec<PersonOut> {
        let text = self.get(field).unwrap_or_default();
        let mut out = Vec::new();
        for item in split_people(&text) {
            match person(&item, owner) {
                Some(p) => out.push(p),
                None => self.problem(field, Reason::BadPerson { value: item }),
            }
        }
        out
    }
}

/// People in one cell: one a line, or separated by `、` or `;` outside parentheses (a name
/// has a space in it, so spaces do not part them).
fn split_people(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut current = String::new();
    for c in text.chars() {
        match c {
            '(' | '（' => depth += 1,
            ')' | '）' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth == 0 && matches!(c, '\n' | '、' | ';' | '；') {
            out.push(std::mem::take(&mut current));
        } else {
            current.push(c);
        }
    }
    out.push(current);
    out.into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// `氏名（所属課）` (full- or half-width parentheses); a name alone belongs to `owner`.
fn person(item: &str, owner: Option<&str>) -> Option<PersonOut> {
    let item = item.trim();
    let inner = item.strip_suffix('）').or_else(|| item.strip_suffix(')'));
    let (name, division) = match inner {
        Some(inner) => {
            let open = inner.rfind(['（', '('])?;
            let (name, rest) = inner.split_at(open);
            let division = rest.trim_start_matches(['（', '(']);
            (name.trim(), division.trim())
        }
        None if item.contains(['（', '(', ')', '）']) => return None,
        None => (item, owner?),
    };
    if name.is_empty() || division.is_empty() {
        return None;
    }
    Some(PersonOut {
        name: name.to_string(),
        division: division.to_string(),
    })
}

/// What a sheet gave: its name, the accounts, the bad rows and the columns not read.
type SheetRead = (
    Option<String>,
    Vec<AccountOut>,
    Vec<RowProblem>,
    Vec<Column>,
);

/// Reads the accounts of the first grid with a header row (or the one named `sheet`).
fn read_accounts(
    grids: &[Grid],
    sheet: Option<&str>,
    directory: &Directory,
) -> Result<SheetRead, LedgerError> {
    let (grid, header) = sheet::first_with_header(
        grids,
        sheet,
        find_header,
        |name, sheets| LedgerError::NoSuchSheet { name, sheets },
        |sheets| LedgerError::NoHeader { sheets },
    )?;
    let (accounts, problems) = read_rows(grid, &header, directory);
    Ok((grid.sheet.clone(), accounts, problems, header.ignored()))
}

fn read_rows(
    grid: &Grid,
    header: &Header<Field>,
    directory: &Directory,
) -> (Vec<AccountOut>, Vec<RowProblem>) {
    let mut accounts = Vec::new();
    let mut problems = Vec::new();
    let mut seen: Vec<(String, Platform, usize)> = Vec::new();
    for row in header.rows(grid) {
        let mut r = RowReader {
            grid,
            row,
            header,
            problems: Vec::new(),
        };
        let handle = r.required(Field::Handle);
        let platform = r.required(Field::Platform).and_then(|p| {
            let found = p.parse::<Platform>().ok().or_else(|| {
                Platform::ALL
                    .into_iter()
                    .find(|x| header_key(x.display_name()) == header_key(&p))
            });
            if found.is_none() {
                r.problem(Field::Platform, Reason::UnknownPlatform { value: p });
            }
            found
        });
        let division = r.required(Field::Division).filter(|d| {
            let known = directory.divisions.iter().any(|x| x.id == *d);
            if !known {
                let suggestion = crate::diagnostic::suggest(
                    d,
                    directory.divisions.iter().map(|x| x.id.as_str()),
                );
                r.problem(
                    Field::Division,
                    Reason::UnknownDivision {
                        name: d.clone(),
                        suggestion,
                    },
                );
            }
            known
        });
        if let (Some(h), Some(d)) = (&handle, &division)
            && let Some(owner) = directory.owner_of(h)
            && owner.id != *d
        {
            r.problem(
                Field::Division,
                Reason::OwnerDiffers {
                    directory: owner.id.clone(),
                },
            );
        }
        let numeric_id = r.get(Field::NumericId);
        let url = r.get(Field::Url);
        let administrators = r.people(Field::Administrators, division.as_deref());
        let editors = r.people(Field::Editors, division.as_deref());
        let two_factor = r.word(Field::TwoFactor, parse_two_factor);
        let recovery_codes_kept = r.place(Field::RecoveryCodesKept);
        let password_kept = r.place(Field::PasswordKept);
        let recovery_email = r.get(Field::RecoveryEmail).filter(|m| {
            let ok = plausible_email(m);
            if !ok {
                r.problem(
                    Field::RecoveryEmail,
                    Reason::BadEmail { address: m.clone() },
                );
            }
            ok
        });
        let recovery_phone = r.get(Field::RecoveryPhone);
        let linked_apps = r.lines(Field::LinkedApps);
        let devices = r
            .get(Field::Devices)
            .unwrap_or_default()
            .split(['\n', '、', ',', '，', ';', '；'])
            .map(str::trim)
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect::<Vec<_>>()
            .into_iter()
            .filter_map(|w| {
                let d = parse_device(&w);
                if d.is_none() {
                    r.problem(Field::Devices, Reason::UnknownWord { value: w });
                }
                d
            })
            .collect();
        let status = r.word(Field::Status, parse_status).unwrap_or_default();
        let reviewed_on = r.day(Field::ReviewedOn);
        let reviewed_by = r.get(Field::ReviewedBy);
        let blank = |f: Field| {
            header
                .fields
                .get(&f)
                .is_none_or(|c| grid.cell(row, *c).is_blank())
        };
        let reviewed = match (reviewed_on, reviewed_by) {
            (Some(on), Some(by)) => Some(ReviewOut {
                on: on.to_string(),
                by,
            }),
            (None, None) => None,
            // Named at the cell that is filled in (the other column may be missing).
            (Some(_), None) if blank(Field::ReviewedBy) => {
                r.problem(Field::ReviewedOn, Reason::HalfReview);
                None
            }
            (None, Some(_)) if blank(Field::ReviewedOn) => {
                r.problem(Field::ReviewedBy, Reason::HalfReview);
                None
            }
            _ => None,
        };
        let last_post = r.day(Field::LastPost).map(|d| d.to_string());
        if let (Some(h), Some(p)) = (&handle, platform) {
            let key = account_key(h);
            match seen.iter().find(|(k, q, _)| *k == key && *q == p) {
                Some((_, _, first_row)) => {
                    let first_row = *first_row;
                    r.problem(Field::Handle, Reason::DuplicateAccount { first_row });
                }
                None => seen.push((key, p, row + 1)),
            }
        }
        let row_problems = r.problems;
        match (row_problems.is_empty(), handle, platform, division) {
            (true, Some(handle), Some(platform), Some(division)) => accounts.push(AccountOut {
                handle,
                platform,
                numeric_id,
                url,
                division,
                administrators,
                editors,
                two_factor,
                recovery_codes_kept,
                recovery_email,
                recovery_phone,
                password_kept,
                linked_apps,
                devices,
                status,
                reviewed,
                last_post,
            }),
            _ => problems.extend(row_problems),
        }
    }
    (accounts, problems)
}

/// Where the accounts came from, for the file's header comment.
#[derive(Debug, Clone)]
pub struct Origin<'a> {
    /// The spreadsheet's file name as given.
    pub file: &'a str,
    /// The sheet read.
    pub sheet: Option<&'a str>,
    /// The organisation.
    pub organization: &'a str,
    /// The time of the import.
    pub at: DateTime<FixedOffset>,
}

/// The register file's text for `accounts`, with `settings` kept.
pub fn render(
    accounts: &[AccountOut],
    settings: &Settings,
    origin: &Origin<'_>,
) -> Result<String, LedgerError> {
    let body = serde_saphyr::to_string(&FileOut { settings, accounts })
        .map_err(|e| LedgerError::Invalid(vec![e.to_string()]))?;
    let one_line = |s: &str| s.replace(['\n', '\r'], " ");
    let at = crate::clock::format_jst(origin.at, false);
    let name = Path::new(origin.file)
        .file_name()
        .map_or(origin.file.to_string(), |n| {
            n.to_string_lossy().into_owned()
        });
    let name = one_line(&name);
    let (sheet_ja, sheet_en) = match origin.sheet {
        Some(s) => (
            format!("（シート「{}」）", one_line(s)),
            format!(" (sheet {})", one_line(s)),
        ),
        None => (String::new(), String::new()),
    };
    Ok(format!(
        "# yaml-language-server: $schema=../docs/accounts.schema.json\n\
#\n\
# {organization} ソーシャルメディア アカウント管理者一覧表（宇部市ガイドライン4(5)）\n\
# {name}{sheet_ja}から {at}（日本時間）に `hikeshi register import` で取り込んだもの。\n\
# 一覧表を直すときは表の方を直し、もう一度取り込むこと（このファイルへの直接の修正は次の取り込みで失われる）。\n\
# パスワードそのものは書かない（保管場所だけを書く）。\n\
# Imported from {name}{sheet_en} at {at} JST by `hikeshi register import`.\n\
# Edit the spreadsheet and import it again: edits made here are lost at the next import.\n\
\n{body}",
        organization = one_line(origin.organization),
    ))
}

/// Reads `file` (its `sheet`, or the first sheet with a header row) and makes the register
/// file: `settings` kept, the accounts replaced, checked to load against `directory`. Bad
/// rows stop it unless `skip_bad`.
pub fn import(
    file: &Path,
    sheet: Option<&str>,
    settings: &Settings,
    directory: &Directory,
    at: DateTime<FixedOffset>,
    out_name: &str,
    skip_bad: bool,
) -> Result<Imported, LedgerError> {
    let grids = read_file(file)?;
    let (sheet, accounts, problems, ignored) = read_accounts(&grids, sheet, directory)?;
    let mut imported = Imported {
        sheet,
        accounts,
        problems,
        ignored,
        file: Err(LedgerError::NothingRead),
    };
    imported.file = if !imported.problems.is_empty() && !skip_bad {
        Err(LedgerError::BadRows {
            count: imported.bad_rows(),
        })
    } else if imported.accounts.is_empty() {
        Err(LedgerError::NothingRead)
    } else {
        let file_name = file.to_string_lossy();
        let origin = Origin {
            file: &file_name,
            sheet: imported.sheet.as_deref(),
            organization: &directory.organization,
            at,
        };
        render(&imported.accounts, settings, &origin).and_then(|text| {
            let source = SourceFile::new(out_name, text.clone());
            match Register::load(&source, directory, &Limits::default()) {
                Ok((register, warnings)) => Ok((text, register, warnings)),
                Err(diagnostics) => Err(LedgerError::Invalid(
                    diagnostics
                        .iter()
                        .map(|d| d.render(Some(&source.text), Lang::En))
                        .collect(),
                )),
            }
        })
    };
    Ok(imported)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_are_read_one_a_line_as_name_and_division() {
        let list = split_people("広報 一郎（広報広聴課）\n広報 二葉(広報広聴課)、防災 一子");
        assert_eq!(list.len(), 3);
        let p = |s: &str| person(s, Some("広報広聴課")).map(|p| (p.name, p.division));
        assert_eq!(p(&list[0]), Some(("広報 一郎".into(), "広報広聴課".into())));
        assert_eq!(p(&list[1]), Some(("広報 二葉".into(), "広報広聴課".into())));
        assert_eq!(p(&list[2]), Some(("防災 一子".into(), "広報広聴課".into())));
        assert_eq!(p("（広報広聴課）"), None);
        assert_eq!(p("広報 一郎（"), None);
        assert_eq!(person("広報 一郎", None), None);
    }

    #[test]
    fn a_password_column_is_named_and_a_place_column_is_not() {
        assert!(is_secret_header("パスワード"));
        assert!(is_secret_header("パスワード（初期）"));
        assert!(is_secret_header("Password"));
        assert!(is_secret_header("リカバリーコード"));
        assert!(!is_secret_header("パスワードの保管場所"));
        assert!(!is_secret_header("リカバリーコードの保管場所"));
        assert!(!is_secret_header(""));
    }
}
