//! What can go wrong: the import's errors, a row it cannot read (row, column, why), and
//! the warnings it gives.

use std::path::PathBuf;

use super::*;
use crate::lang::Lang;
use crate::tr;

/// Why the contacts could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum ContactsError {
    /// The file could not be read.
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The workbook could not be opened or a sheet read.
    Workbook {
        /// The file.
        path: PathBuf,
        /// The reader's message.
        message: String,
    },
    /// The CSV file could not be parsed.
    Csv {
        /// The file.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// `--sheet` names no sheet of the workbook.
    NoSuchSheet {
        /// The name asked for.
        name: String,
        /// The sheets there are.
        sheets: Vec<String>,
    },
    /// No sheet (or not the one asked for) has a header row with a name and a mail column.
    NoHeader {
        /// The sheets looked at.
        sheets: Vec<String>,
    },
    /// Two columns of the header row mean the same thing.
    DuplicateColumn {
        /// What they mean.
        field: Field,
        /// The first column (letter and header).
        first: String,
        /// The second one.
        second: String,
    },
    /// Rows could not be read, and `--skip-bad` was not given: nothing was written.
    BadRows {
        /// How many.
        count: usize,
    },
    /// Every row with content was bad (or there was none): nothing to write.
    NothingRead,
    /// The output file exists and `--force` was not given.
    Exists {
        /// The file.
        path: PathBuf,
    },
    /// A new directory file needs the organisation's name.
    NeedOrganization {
        /// The file.
        path: PathBuf,
    },
    /// The existing directory file (whose organisation and settings are kept) does not parse.
    Existing {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// The file made does not load as a directory (a check the rows missed).
    Invalid(Vec<String>),
    /// Writing failed.
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Building the spreadsheet failed.
    Xlsx(String),
}

/// The English of [`ContactsError::message`]: each failure's text is written once.
impl std::fmt::Display for ContactsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(crate::Lang::En))
    }
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
    /// Staff on a role's row: only divisions have members.
    StaffOnRole,
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
            Reason::StaffOnRole => tr!(
                lang,
                "職員は部署の行にだけ書けます（職員が所属する課の行に書いてください）",
                "staff go on a division's row only (the division they belong to)"
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
    /// The sheet has no parts column: the existing file's `parts:` map is kept.
    PartsKept {
        /// How many parts it maps.
        count: usize,
    },
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
            Warning::PartsKept { count } => tr!(
                lang,
                "表に「担う役割」の列がないため、既存の divisions.yaml の担当の割当て（parts、{count} 件）をそのまま残します",
                "the sheet has no parts column: the existing file's parts map ({count} part(s)) is kept"
            ),
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
