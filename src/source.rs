//! Reading YAML sources safely: bounded size, UTF-8 checked, parser budgets on, and every
//! parser or shape error turned into a [`Diagnostic`] with its position.

use std::io::Read as _;
use std::path::Path;

use serde::de::DeserializeOwned;

use crate::diagnostic::{Diagnostic, Position, Problem, suggest};

/// Input limits, so hostile input (a 10 MB file, an alias bomb, 10,000-deep nesting) gets a
/// clear error fast instead of a hang or unbounded memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest file accepted, in bytes.
    pub max_bytes: u64,
    /// Most YAML parser events (scalars, mapping and sequence starts/ends).
    pub max_events: usize,
    /// Deepest nesting of mappings and sequences.
    pub max_depth: usize,
    /// Most nodes in the document.
    pub max_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        // A real playbook is a few hundred lines; 2 MiB leaves room for thousands of steps.
        Self {
            max_bytes: 2 * 1024 * 1024,
            max_events: 500_000,
            max_depth: 32,
            max_nodes: 200_000,
        }
    }
}

impl Limits {
    /// Limits large enough for generated benchmark playbooks of 100,000 steps.
    pub fn generous() -> Self {
        Self {
            max_bytes: 256 * 1024 * 1024,
            max_events: 50_000_000,
            max_depth: 32,
            max_nodes: 20_000_000,
        }
    }
}

/// A YAML text with the name it is reported under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// The file name as the user gave it (or `<embedded>/…` for stock playbooks).
    pub name: String,
    /// The full text.
    pub text: String,
}

impl SourceFile {
    /// A source from text already in memory.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            text: text.into(),
        }
    }

    /// Reads a file, refusing one over `limits.max_bytes` before reading it whole.
    pub fn read(path: &Path, limits: &Limits) -> Result<SourceFile, Box<Diagnostic>> {
        let name = path.display().to_string();
        let unreadable = |e: std::io::Error| {
            Box::new(Diagnostic::error(
                &name,
                Position::start(),
                "",
                Problem::Unreadable {
                    reason: e.to_string(),
                },
            ))
        };
        // A regular file only: a FIFO or a device would never end, or never open.
        let file = crate::platform::open_regular(path, true).map_err(unreadable)?;
        let mut bytes = Vec::new();
        // Read one byte past the limit: enough to know it is too large, never more.
        file.take(limits.max_bytes.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(unreadable)?;
        if bytes.len() as u64 > limits.max_bytes {
            let bytes = std::fs::metadata(path)
                .map(|m| m.len())
                .unwrap_or(bytes.len() as u64);
            return Err(Box::new(Diagnostic::error(
                &name,
                Position::start(),
                "",
                Problem::TooLarge {
                    bytes,
                    limit: limits.max_bytes,
                },
            )));
        }
        Self::from_bytes(name, bytes)
    }

    /// A source from raw bytes, which must be UTF-8.
    pub fn from_bytes(name: String, bytes: Vec<u8>) -> Result<SourceFile, Box<Diagnostic>> {
        match String::from_utf8(bytes) {
            Ok(text) => Ok(SourceFile { name, text }),
            Err(e) => {
                let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
                // The valid prefix is UTF-8 by definition, so this never loses text.
                let prefix = String::from_utf8_lossy(valid);
                let line = prefix.matches('\n').count() + 1;
                let column = prefix.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
                Err(Box::new(Diagnostic::error(
                    &name,
                    Position::new(line, column),
                    "",
                    Problem::NotUtf8,
                )))
            }
        }
    }

    /// The text is empty or only comments and blank lines.
    pub fn is_blank(&self) -> bool {
        self.text.lines().all(|l| {
            let t = l.trim();
            t.is_empty() || t.starts_with('#') || t == "---"
        })
    }

    /// Position of the first match of `needle`, for diagnostics about things the parser gave
    /// no location for (e.g. an empty `steps:` list).
    pub fn find(&self, needle: &str) -> Option<Position> {
        let byte = self.text.find(needle)?;
        let before = &self.text[..byte];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Some(Position::new(line, column))
    }
}

/// Parses `source` as YAML into `T`, with the parser's budgets set from `limits`.
///
/// Serde stops at the first shape error, so this returns one diagnostic at most; the checks
/// after parsing (in `compile`) report everything at once.
pub fn parse_yaml<T: DeserializeOwned>(
    source: &SourceFile,
    limits: &Limits,
) -> Result<T, Box<Diagnostic>> {
    let options = serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_events: limits.max_events,
            max_depth: limits.max_depth,
            max_nodes: limits.max_nodes,
            max_total_scalar_bytes: usize::try_from(limits.max_bytes).unwrap_or(usize::MAX),
        },
        with_snippet: false,
    };
    serde_saphyr::from_str_with_options::<T>(&source.text, options)
        .map_err(|e| Box::new(diagnostic_from_yaml_error(source, &e)))
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// Turns a serde-saphyr error into a diagnostic with position, offending text and hint.
pub fn diagnostic_from_yaml_error(source: &SourceFile, error: &serde_saphyr::Error) -> Diagnostic {
    use serde_saphyr::Error as E;
    let position = error
        .location()
        .filter(|l| l.line() > 0)
        .map(|l| Position::from_location(&l))
        .unwrap_or_else(Position::start);
    if let E::AliasError { error: inner, .. } | E::WithSnippet { error: inner, .. } = error {
        // Classify by the wrapped error, but point at the use site (the alias).
        let mut d = diagnostic_from_yaml_error(source, inner);
        if error.location().is_some_and(|l| l.line() > 0) {
            d.position = position;
        }
        return d;
    }
    let (text, problem) = match error {
        E::SerdeUnknownField {
            field, expected, ..
        } => (
            field.clone(),
            Problem::UnknownField {
                field: field.clone(),
                suggestion: suggest(field, expected.iter().copied()),
                expected: strings(expected),
            },
        ),
        E::SerdeUnknownVariant {
            variant, expected, ..
        } => (
            variant.clone(),
            Problem::UnknownVariant {
                value: variant.clone(),
                suggestion: suggest(variant, expected.iter().copied()),
                expected: strings(expected),
            },
        ),
        E::SerdeMissingField { field, .. } => (
            String::new(),
            Problem::MissingField {
                field: field.to_string(),
            },
        ),
        E::SerdeInvalidType {
            unexpected,
            expected,
            ..
        }
        | E::SerdeInvalidValue {
            unexpected,
            expected,
            ..
        } => (
            String::new(),
            Problem::WrongType {
                expected: shape(expected),
                found: Some(shape(unexpected)),
            },
        ),
        E::Unexpected { expected, .. } => (
            String::new(),
            Problem::WrongType {
                expected: shape(expected),
                found: None,
            },
        ),
        E::DuplicateMappingKey { key, .. } => {
            let key = key.clone().unwrap_or_default();
            (key.clone(), Problem::DuplicateKey { key })
        }
        E::Budget { breach, .. } => (
            String::new(),
            Problem::ResourceLimit {
                detail: format!("{breach:?}"),
            },
        ),
        E::AliasReplayCounterOverflow { .. }
        | E::AliasReplayLimitExceeded { .. }
        | E::AliasExpansionLimitExceeded { .. }
        | E::AliasReplayStackDepthExceeded { .. }
        | E::RecursiveReferencesRequireWeakTypes { .. } => (
            String::new(),
            Problem::ResourceLimit {
                detail: error.to_string(),
            },
        ),
        E::InvalidUtf8Input => (String::new(), Problem::NotUtf8),
        _ if error.to_string().contains("recursion limit") => (
            String::new(),
            Problem::ResourceLimit {
                detail: lang_neutral_depth(error),
            },
        ),
        _ => {
            // A tab in indentation makes the parser fail with a generic message; say so plainly.
            if let Some(tab) = first_tab_indent(&source.text, position.line) {
                return Diagnostic::error(&source.name, tab, "\t", Problem::TabIndent);
            }
            (
                String::new(),
                Problem::Syntax {
                    detail: lang_neutral_depth(error),
                },
            )
        }
    };
    Diagnostic::error(&source.name, position, text, problem)
}

/// The parser's nesting-limit message without its position (the diagnostic has that).
fn lang_neutral_depth(error: &serde_saphyr::Error) -> String {
    let text = error.to_string();
    text.split(" at line ").next().unwrap_or(&text).to_string()
}

/// The parser's (or serde's) name for a YAML shape, as one of the words the diagnostics
/// say in either language: `text`, `list`, `mapping`, `boolean`, `number`; anything else
/// is kept as written.
fn shape(expected: &str) -> String {
    let e = expected.to_ascii_lowercase();
    let word = if e.contains("sequence") || e.contains("list") || e.starts_with("a vec") {
        "list"
    } else if e.contains("mapping") || e.contains("map") || e.contains("struct") {
        "mapping"
    } else if e.contains("bool") {
        "boolean"
    } else if e.contains("integer") || e.contains("float") || e.contains("number") {
        "number"
    } else if e.contains("string") || e.contains("scalar") || e.contains("char") {
        "text"
    } else {
        return expected.to_string();
    };
    word.to_string()
}

/// The first tab in the leading whitespace of a line up to `line` (1-based).
fn first_tab_indent(text: &str, line: usize) -> Option<Position> {
    text.lines().take(line).enumerate().find_map(|(i, l)| {
        let indent: String = l.chars().take_while(|c| *c == ' ' || *c == '\t').collect();
        indent
            .chars()
            .position(|c| c == '\t')
            .map(|col| Position::new(i + 1, col + 1))
    })
}
