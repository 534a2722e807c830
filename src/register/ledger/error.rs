//! Why the 一覧表 could not be written or read back.

use std::path::PathBuf;

use super::Field;
use crate::directory::import::ContactsError;
use crate::lang::Lang;
use crate::tr;

/// Why the 一覧表 could not be exported or imported.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// The spreadsheet could not be read, or a file written (as for the contact list).
    File(#[from] ContactsError),
    /// `--sheet` names no sheet of the workbook.
    NoSuchSheet {
        /// The name asked for.
        name: String,
        /// The sheets there are.
        sheets: Vec<String>,
    },
    /// No sheet has a header row with the account, its platform and its owning division.
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
    /// A column for a password or recovery codes themselves: nothing is read from the sheet.
    SecretColumn {
        /// The column (letter and header).
        column: String,
    },
    /// Rows could not be read, and `--skip-bad` was not given: nothing was written.
    BadRows {
        /// How many.
        count: usize,
    },
    /// No row could be read.
    NothingRead,
    /// The register exists and `--force` was not given.
    Exists {
        /// The file.
        path: PathBuf,
    },
    /// The file `register export` would write exists and `--force` was not given.
    OutputExists {
        /// The file.
        path: PathBuf,
    },
    /// The existing register (whose settings are kept) does not parse.
    Existing {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// The register made does not load against the directory.
    Invalid(Vec<String>),
    /// Building the spreadsheet failed.
    Xlsx(String),
}

/// The English of [`LedgerError::message`].
impl std::fmt::Display for LedgerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl LedgerError {
    /// The message in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            LedgerError::File(e) => e.message(lang),
            LedgerError::NoSuchSheet { name, sheets } => {
                let sheets = sheets.join("、");
                tr!(
                    lang,
                    "シート「{name}」がありません（あるシート: {sheets}）",
                    "there is no sheet {name} (the sheets: {sheets})"
                )
            }
            LedgerError::NoHeader { sheets } => {
                let sheets = sheets.join("、");
                let names = |f: Field| f.names().join("／");
                let (a, p, d) = (
                    names(Field::Handle),
                    names(Field::Platform),
                    names(Field::Division),
                );
                tr!(
                    lang,
                    "見出しの行が見つかりません（見たシート: {sheets}）。アカウントの列（{a}）、媒体の列（{p}）と所管課の列（{d}）の見出しがある行が必要です。`hikeshi register export --format xlsx` でひな形を作れます",
                    "no header row found (sheets looked at: {sheets}): a row with an account column ({a}), a platform column ({p}) and an owning division column ({d}) is needed; `hikeshi register export --format xlsx` makes a template"
                )
            }
            LedgerError::DuplicateColumn {
                field,
                first,
                second,
            } => {
                let header = field.header(lang);
                tr!(
                    lang,
                    "{first} と {second} の列がどちらも「{header}」です。どちらか一方にしてください",
                    "columns {first} and {second} both mean {header}; keep one"
                )
            }
            LedgerError::SecretColumn { column } => tr!(
                lang,
                "{column} はパスワード又はリカバリーコードそのものの列です。一覧表には秘密を書きません（保管場所だけを「パスワードの保管場所」の列に書きます）。何も読み込んでいません。この列を削除し、書かれていたパスワードは漏えいしたものとして変更してください",
                "{column} is a column for passwords or recovery codes themselves: the register never holds a secret (only where it is kept, in a password kept column). Nothing was read; delete the column, and change every password written there as leaked"
            ),
            LedgerError::BadRows { count } => tr!(
                lang,
                "読めない行が {count} 行あるため、何も書き込んでいません。表を直して取り込み直すか、--skip-bad で読めた行だけを書き込んでください",
                "{count} row(s) could not be read, so nothing was written; fix the sheet and import again, or use --skip-bad to write the rows that were read"
            ),
            LedgerError::NothingRead => tr!(
                lang,
                "読めた行が 1 行もありません。何も書き込んでいません",
                "no row could be read; nothing was written"
            ),
            LedgerError::Exists { path } => {
                let path = path.display();
                tr!(
                    lang,
                    "{path} は既にあります。置き換えるには --force を付けてください（人事異動の日などの設定は引き継ぎます）",
                    "{path} already exists; use --force to replace it (its settings, such as personnel_change, are kept)"
                )
            }
            LedgerError::OutputExists { path } => {
                let path = path.display();
                tr!(
                    lang,
                    "{path} は既にあります。置き換えるには --force を付けてください",
                    "{path} already exists; use --force to replace it"
                )
            }
            LedgerError::Existing { path, message } => {
                let path = path.display();
                tr!(
                    lang,
                    "{path} の設定を引き継げません（YAML として読めません: {message}）。直すか、別の --out を指定してください",
                    "cannot keep the settings of {path} (it does not parse as YAML: {message}); fix it, or give another --out"
                )
            }
            LedgerError::Invalid(lines) => {
                let lines = lines.join("\n");
                tr!(
                    lang,
                    "取り込んだ一覧表がアカウント管理者一覧表（accounts.yaml）として読めません。何も書き込んでいません:\n{lines}",
                    "the accounts read do not load as a register; nothing was written:\n{lines}"
                )
            }
            LedgerError::Xlsx(message) => tr!(
                lang,
                "表計算ファイルを作れません: {message}",
                "cannot make the spreadsheet: {message}"
            ),
        }
    }
}
