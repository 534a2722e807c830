//! Compiler diagnostics: every problem carries its file, line, column, the offending text and
//! a hint, and renders for a person who fixes YAML from the message alone.

use std::fmt::Write as _;

use serde::Serialize;
use unicode_width::UnicodeWidthStr;

mod problem;

pub use problem::Problem;

use crate::lang::Lang;
use crate::tr;

/// Characters of a long source line shown before the column.
const SNIPPET_LEAD: usize = 40;
/// Characters of a long source line shown in all.
const SNIPPET_WIDTH: usize = 80;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The file cannot be used until this is fixed.
    Error,
    /// The file works, but something should be looked at (e.g. an overdue review).
    Warning,
}

/// A position in a source file: 1-based line and column, the column counted in characters
/// (not bytes, not display cells), so full-width text does not shift it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize)]
pub struct Position {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

impl Position {
    /// A position at `line`, `column` (both 1-based).
    pub fn new(line: usize, column: usize) -> Self {
        Self {
            line: line.max(1),
            column: column.max(1),
        }
    }

    /// The start of the file.
    pub fn start() -> Self {
        Self::new(1, 1)
    }

    /// The position of a serde-saphyr location (unknown locations become the file start).
    pub fn from_location(location: &serde_saphyr::Location) -> Self {
        Self::new(location.line() as usize, location.column() as usize)
    }
}

/// One problem in one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The file as the user named it.
    pub file: String,
    /// Where the offending text starts.
    pub position: Position,
    /// The offending text as written (may be empty when the problem is an absence).
    pub text: String,
    /// What is wrong, with the data needed to say it in either language.
    pub problem: Problem,
}

impl Diagnostic {
    /// An error at `position` about `text`.
    pub fn error(
        file: &str,
        position: Position,
        text: impl Into<String>,
        problem: Problem,
    ) -> Self {
        Self {
            severity: Severity::Error,
            file: file.to_string(),
            position,
            text: text.into(),
            problem,
        }
    }

    /// A warning at `position` about `text`.
    pub fn warning(
        file: &str,
        position: Position,
        text: impl Into<String>,
        problem: Problem,
    ) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(file, position, text, problem)
        }
    }

    /// Whether this diagnostic stops the file from being used.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The one-line message, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        self.problem.message(lang)
    }

    /// The hint, in `lang`, if there is one.
    pub fn hint(&self, lang: Lang) -> Option<String> {
        self.problem.hint(lang)
    }

    /// Renders the diagnostic like a compiler does: a headline, the location, the source line
    /// with the offending text underlined (aligned by display width, so full-width text lines
    /// up), and the hint.
    pub fn render(&self, source: Option<&str>, lang: Lang) -> String {
        let mut out = String::new();
        let label = match self.severity {
            Severity::Error => tr!(lang, "エラー", "error"),
            Severity::Warning => tr!(lang, "警告", "warning"),
        };
        let _ = writeln!(out, "{label}: {}", self.message(lang));
        let _ = writeln!(
            out,
            "  --> {}:{}:{}",
            self.file, self.position.line, self.position.column
        );
        // A secret found in a file is named by its place, never shown.
        let source = source.filter(|_| !matches!(self.problem, Problem::SecretInRegister { .. }));
        if let Some(line_text) =
            source.and_then(|s| s.lines().nth(self.position.line.saturating_sub(1)))
        {
            let line_text = line_text.trim_end_matches('\r');
            let number = self.position.line.to_string();
            let gutter = " ".repeat(number.len());
            let chars: Vec<char> = line_text.replace('\t', " ").chars().collect();
            let column = self.position.column.saturating_sub(1).min(chars.len());
            // Long lines (minified or hostile input) are cut to a window around the column.
            let start = column.saturating_sub(SNIPPET_LEAD);
            let end = chars.len().min(start + SNIPPET_WIDTH);
            let mut shown: String = chars[start..end].iter().collect();
            let mut before: String = chars[start..column].iter().collect();
            if start > 0 {
                shown.insert(0, '…');
                before.insert(0, '…');
            }
            if end < chars.len() {
                shown.push('…');
            }
            let rest: String = chars[column..end].iter().collect();
            let underline_chars = if !self.text.is_empty() && rest.starts_with(self.text.as_str()) {
                self.text.chars().count()
            } else {
                rest.chars()
                    .take_while(|c| !c.is_whitespace())
                    .count()
                    .max(1)
            };
            let underlined: String = rest.chars().take(underline_chars).collect();
            let _ = writeln!(out, " {gutter} |");
            let _ = writeln!(out, " {number} | {shown}");
            let _ = writeln!(
                out,
                " {gutter} | {}{}",
                " ".repeat(before.width()),
                "^".repeat(underlined.width().max(1))
            );
        }
        if let Some(hint) = self.hint(lang) {
            let label = tr!(lang, "ヒント", "hint");
            let _ = writeln!(out, "  = {label}: {hint}");
        }
        out
    }
}

/// The closest candidate to `given`, if it is close enough to be a likely typo: a small edit
/// distance (transpositions count once), or, for Japanese names, one written inside the
/// other (`広報課` → `広報広聴課`).
pub fn suggest<'a, I>(given: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    let given_len = given.chars().count();
    let mut best: Option<(f64, &str)> = None;
    for candidate in candidates {
        if candidate == given {
            continue;
        }
        let similarity = strsim::normalized_damerau_levenshtein(given, candidate)
            .max(strsim::jaro_winkler(given, candidate) - 0.3);
        let close = similarity >= 0.5 && given_len >= 3
            || given_len >= 2
                && (is_subsequence(given, candidate) || is_subsequence(candidate, given));
        let score = if close { similarity.max(0.5) } else { 0.0 };
        if close && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, c)| c.to_string())
}

/// Whether every character of `short` appears in `long`, in order.
fn is_subsequence(short: &str, long: &str) -> bool {
    let mut rest = long.chars();
    short.chars().all(|c| rest.any(|l| l == c))
}
