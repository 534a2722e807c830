//! The language users read: Japanese by default, English as an option.

use std::fmt;
use std::str::FromStr;

/// The language of user-facing text (diagnostics, TUI, mail, reports).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Lang {
    /// 日本語 (the default: the users are Japanese municipal staff).
    #[default]
    Ja,
    /// English.
    En,
}

impl Lang {
    /// Picks the text for this language. Prefer [`tr!`](crate::tr) where the text is written;
    /// this is the primitive it and [`Text`] are built on.
    pub fn pick<'a>(self, ja: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Ja => ja,
            Lang::En => en,
        }
    }
}

/// A user-facing text in both languages, for tables that must be constants (the key map,
/// report headings). Everywhere else, write the text where it is used with [`tr!`](crate::tr).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Text {
    ja: &'static str,
    en: &'static str,
}

impl Text {
    /// Both languages, Japanese first.
    pub const fn new(ja: &'static str, en: &'static str) -> Text {
        Text { ja, en }
    }

    /// The text in `lang`.
    pub fn get(self, lang: Lang) -> &'static str {
        lang.pick(self.ja, self.en)
    }
}

/// The one way to write a user-facing text: both languages side by side where the text is
/// used, Japanese first, as `format!` strings (inline `{name}` captures work; extra arguments
/// after the English text are passed to both). Gives a `String` in the language asked for.
///
/// ```
/// use hikeshi::{Lang, tr};
/// let n = 3;
/// assert_eq!(tr!(Lang::Ja, "{n} 件の手順", "{n} steps"), "3 件の手順");
/// assert_eq!(tr!(Lang::En, "{n} 件の手順", "{n} steps"), "3 steps");
/// assert_eq!(tr!(Lang::En, "{} 件", "{} items", n + 1), "4 items");
/// ```
#[macro_export]
macro_rules! tr {
    ($lang:expr, $ja:literal, $en:literal $(,)?) => {
        match $lang {
            $crate::Lang::Ja => ::std::format!($ja),
            $crate::Lang::En => ::std::format!($en),
        }
    };
    ($lang:expr, $ja:literal, $en:literal, $($arg:tt)+) => {
        match $lang {
            $crate::Lang::Ja => ::std::format!($ja, $($arg)+),
            $crate::Lang::En => ::std::format!($en, $($arg)+),
        }
    };
}

/// The value given for a language was neither `ja` nor `en`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown language `{0}`: use `ja` or `en`")]
pub struct UnknownLang(pub String);

impl FromStr for Lang {
    type Err = UnknownLang;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "ja" | "jp" | "ja_jp" | "ja-jp" | "japanese" => Ok(Lang::Ja),
            "en" | "english" | "en_us" | "en-us" | "en_gb" => Ok(Lang::En),
            other => Err(UnknownLang(other.to_string())),
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        })
    }
}

/// What was being done when a file operation failed: the `action` of the library's I/O
/// errors. The Japanese follows the path, with its particle (`{path} を読み込めません`); the
/// English comes before it (`cannot read {path}`). See [`io_failure`].
pub mod io {
    use super::Text;

    /// Reading a file or folder.
    pub const READ: Text = Text::new("を読み込めません", "cannot read");
    /// Writing a file.
    pub const WRITE: Text = Text::new("に書き込めません", "cannot write");
    /// Creating a file or folder.
    pub const CREATE: Text = Text::new("を作成できません", "cannot create");
    /// Opening a file.
    pub const OPEN: Text = Text::new("を開けません", "cannot open");
    /// Taking a file's lock.
    pub const LOCK: Text = Text::new("をロックできません", "cannot lock");
    /// Flushing a file to disk.
    pub const SYNC: Text = Text::new("をディスクに書き出せません", "cannot sync");
    /// Flushing a folder's entries to disk.
    pub const SYNC_FOLDER: Text = Text::new(
        "（フォルダ）をディスクに書き出せません",
        "cannot sync folder",
    );
    /// Cutting a file back.
    pub const TRUNCATE: Text = Text::new("を切り詰められません", "cannot truncate");
    /// Moving within a file.
    pub const SEEK: Text = Text::new("の読み書き位置を移せません", "cannot seek");
    /// Replacing a folder.
    pub const REPLACE: Text = Text::new("を置き換えられません", "cannot replace");
    /// Copying an evidence file.
    pub const COPY_EVIDENCE: Text = Text::new(
        "へ証拠のファイルをコピーできません",
        "cannot copy evidence to",
    );
    /// Saving a message in the outbox.
    pub const SAVE_MESSAGE: Text =
        Text::new("にメッセージを保存できません", "cannot save the message to");
    /// Reading the TLS CA file.
    pub const READ_CA_FILE: Text =
        Text::new("（CA ファイル）を読み込めません", "cannot read the CA file");
    /// A file operation that failed: what was being done, to which file or folder, and why.
    /// Every module's error wraps it as its `Io` variant, so its words are written once.
    #[derive(Debug)]
    pub struct FileError {
        /// What was being done.
        pub action: Text,
        /// The file or folder.
        pub path: std::path::PathBuf,
        /// Why, as the system says.
        pub source: std::io::Error,
    }

    impl FileError {
        /// `action` on `path` failed with `source`.
        pub fn new(
            action: Text,
            path: impl Into<std::path::PathBuf>,
            source: std::io::Error,
        ) -> FileError {
            FileError {
                action,
                path: path.into(),
                source,
            }
        }

        /// The message in `lang`.
        pub fn message(&self, lang: super::Lang) -> String {
            super::io_failure(lang, self.action, &self.path, &self.source)
        }
    }

    /// The English of [`FileError::message`].
    impl std::fmt::Display for FileError {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(&self.message(super::Lang::En))
        }
    }

    impl std::error::Error for FileError {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.source)
        }
    }

    /// Reading a report template.
    pub const READ_TEMPLATE: Text = Text::new(
        "（テンプレート）を読み込めません",
        "cannot read the template",
    );
}

/// The message of a failed file operation in `lang`: `{path} を読み込めません: {source}` /
/// `cannot read {path}: {source}` (the system's reason is left as the system gives it).
pub fn io_failure(
    lang: Lang,
    action: Text,
    path: &std::path::Path,
    source: &std::io::Error,
) -> String {
    let (action, path) = (action.get(lang), path.display());
    crate::tr!(
        lang,
        "{path} {action}: {source}",
        "{action} {path}: {source}"
    )
}
