//! The compiler: a [`PlaybookFile`] as written → a checked [`Playbook`], with every problem
//! reported at once, each at its file, line and column with a hint.

mod analysis;
mod branches;
mod claims;
mod facts;
mod step;

use std::collections::HashMap;

use chrono::{NaiveDate, TimeDelta};
use serde_saphyr::Spanned;

use super::diagnostic::{Diagnostic, Position, Problem, suggest};
use super::duration::parse_duration;
use super::graph::{StepGraph, StepIx};
use super::load::{Limits, SourceFile, parse_yaml};
use super::model::{OptionDef, PlaybookFile, SourceDocument as SourceDef};
use super::template::{Template, TemplateError};
use super::{Choice, Condition, Fact, Playbook, SourceDocument};
use crate::directory::Directory;

/// Most options a decision may have (conditions are checked as 64-bit sets).
pub const MAX_OPTIONS: usize = 64;

/// Settings for one compilation.
#[derive(Debug, Clone, Default)]
pub struct CompileOptions {
    /// Today's date, for the review-overdue warning; `None` skips that check.
    pub today: Option<NaiveDate>,
    /// Input limits.
    pub limits: Limits,
}

/// A compiled playbook with the warnings found on the way.
#[derive(Debug, Clone)]
pub struct Compiled {
    /// The checked playbook.
    pub playbook: Playbook,
    /// Warnings (never errors).
    pub warnings: Vec<Diagnostic>,
    /// With `extends`: the playbook extended, as it is frozen beside this one.
    pub base: Option<SourceFile>,
    /// With `extends`: what this playbook changed in it.
    pub overlay: Option<super::extend::OverlayInfo>,
}

/// Parses and compiles a playbook source against a directory of divisions and roles.
/// On failure, returns every diagnostic found (errors and warnings), in file order.
pub fn compile_source(
    source: &SourceFile,
    directory: &Directory,
    options: &CompileOptions,
) -> Result<Compiled, Vec<Diagnostic>> {
    if source.is_blank() {
        return Err(vec![Diagnostic::error(
            &source.name,
            Position::start(),
            "",
            Problem::EmptyPlaybook,
        )]);
    }
    let file: PlaybookFile = parse_yaml(source, &options.limits).map_err(|d| vec![*d])?;
    if file.extends.is_none() {
        return compile(source, file, directory, options);
    }
    let merged = super::extend::merge(source, file, &options.limits)?;
    let relocate = |mut d: Vec<Diagnostic>| {
        merged.lines.relocate(&mut d);
        d
    };
    match compile(&merged.combined, merged.file, directory, options) {
        Ok(mut compiled) => {
            compiled.warnings = relocate(compiled.warnings);
            compiled.base = Some(merged.base.clone());
            compiled.overlay = Some(merged.overlay.clone());
            Ok(compiled)
        }
        Err(d) => Err(relocate(d)),
    }
}

/// Compiles a parsed playbook file. `source` is the text it was parsed from (for positions).
pub fn compile(
    source: &SourceFile,
    file: PlaybookFile,
    directory: &Directory,
    options: &CompileOptions,
) -> Result<Compiled, Vec<Diagnostic>> {
    let mut c = Compiler {
        source,
        directory,
        diagnostics: Vec::new(),
        facts: Vec::new(),
        branches: Vec::new(),
        approvals: Vec::new(),
        claims: Vec::new(),
    };
    let result = c.playbook(file, options);
    let mut diagnostics = c.diagnostics;
    diagnostics.sort_by_key(|d| (d.position, d.severity));
    // An unfilled part names the step that needs it: `check` lists them per part.
    let playbook_id = result.as_ref().map(|p| p.id.clone());
    for d in &mut diagnostics {
        if let Problem::UnfilledPart { needed_by, .. } = &mut d.problem {
            let step = step_at_line(&source.text, d.position.line);
            let id = playbook_id.clone().or_else(|| playbook_id_of(&source.text));
            needed_by.extend(match (id, step) {
                (Some(p), Some(s)) => Some(format!("{p}/{s}")),
                (None, Some(s)) => Some(s),
                (p, None) => p,
            });
        }
    }
    match result {
        Some(playbook) if !diagnostics.iter().any(Diagnostic::is_error) => Ok(Compiled {
            playbook,
            base: None,
            overlay: None,
            warnings: diagnostics,
        }),
        _ => Err(diagnostics),
    }
}

struct Compiler<'a> {
    source: &'a SourceFile,
    directory: &'a Directory,
    diagnostics: Vec<Diagnostic>,
    /// The declared facts, once checked: templates may use them.
    facts: Vec<Fact>,
    /// `due` and `owner` written by a decision's answer, resolved once every step is built.
    branches: Vec<branches::Pending>,
    /// Posts whose text an approval step approves (`approved_in`): post id, approval step.
    approvals: Vec<(String, Spanned<String>)>,
    /// Each post's claims and statement as written, resolved once every step is known.
    claims: Vec<(
        String,
        Vec<crate::playbook::model::ClaimDef>,
        Spanned<String>,
    )>,
}

/// What a step's raw `when` resolved to, kept for the analyses after the graph is built.
struct PendingWhen {
    step: usize,
    condition: Condition,
    at: Position,
    decision_name: String,
}

/// The id of the step whose definition holds `line` (1-based), read off the text: the last
/// `- id:` under `steps:` at or before it.
fn step_at_line(text: &str, line: usize) -> Option<String> {
    let mut in_steps = false;
    let mut step = None;
    for l in text.lines().take(line) {
        if !l.starts_with(' ') && !l.starts_with('#') && !l.trim().is_empty() {
            in_steps = l.starts_with("steps:");
            step = None;
        } else if in_steps
            && let Some(id) = l.trim_start().strip_prefix("- id:")
            && l.len() - l.trim_start().len() <= 2
        {
            step = Some(id.trim().trim_matches(['"', '\'']).to_string());
        }
    }
    step
}

/// The playbook's `id:` read off the text (when the playbook did not compile).
fn playbook_id_of(text: &str) -> Option<String> {
    text.lines()
        .find_map(|l| l.strip_prefix("id:"))
        .map(|id| id.trim().trim_matches(['"', '\'']).to_string())
}

fn pos<T>(s: &Spanned<T>) -> Position {
    Position::from_location(&s.referenced)
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && id.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
}

impl Compiler<'_> {
    fn error(&mut self, at: Position, text: impl Into<String>, problem: Problem) {
        self.diagnostics
            .push(Diagnostic::error(&self.source.name, at, text, problem));
    }

    fn warning(&mut self, at: Position, text: impl Into<String>, problem: Problem) {
        self.diagnostics
            .push(Diagnostic::warning(&self.source.name, at, text, problem));
    }

    /// The position of `key:` for a value at `value_at` (same line or up to three lines
    /// above), so "this field does not belong here" points at the key.
    fn key_position(&self, value_at: Position, key: &str) -> Position {
        let needle = format!("{key}:");
        let lines: Vec<&str> = self.source.text.lines().collect();
        for line in (value_at.line.saturating_sub(3)..=value_at.line).rev() {
            let Some(text) = line.checked_sub(1).and_then(|i| lines.get(i)) else {
                continue;
            };
            if let Some(byte) = text.find(&needle) {
                let column = text[..byte].chars().count() + 1;
                if line < value_at.line || column < value_at.column {
                    return Position::new(line, column);
                }
            }
        }
        value_at
    }

    /// The position of `needle` at or after `from` (for text inside multi-line values).
    fn find_from(&self, from: Position, needle: &str) -> Option<Position> {
        let text = &self.source.text;
        let mut line_start = 0;
        for _ in 1..from.line {
            line_start += text[line_start..].find('\n')? + 1;
        }
        let byte = line_start + text[line_start..].find(needle)?;
        let before = &text[..byte];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Some(Position::new(line, column))
    }

    /// Position of character `offset` inside a one-line scalar starting at `at`.
    fn inside_scalar(&self, at: Position, offset: usize) -> Position {
        let quoted = self
            .source
            .text
            .lines()
            .nth(at.line.saturating_sub(1))
            .and_then(|l| l.chars().nth(at.column.saturating_sub(1)))
            .is_some_and(|c| c == '"' || c == '\'');
        Position::new(at.line, at.column + offset + usize::from(quoted))
    }

    fn duration(&mut self, value: &Spanned<String>) -> Option<TimeDelta> {
        self.duration_at(&value.value, pos(value))
    }

    fn duration_at(&mut self, text: &str, at: Position) -> Option<TimeDelta> {
        let parsed = parse_duration(text);
        if parsed.is_none() {
            self.error(
                at,
                text,
                Problem::BadDuration {
                    text: text.to_string(),
                },
            );
        }
        parsed
    }

    /// Parses a template; `{{division}}` (the recipient) exists only in notify mail, and the
    /// date filters only on placeholders that are a date and time.
    fn template(&mut self, value: &Spanned<String>, in_mail: bool) -> Option<Template> {
        let names = self.template_names();
        let parsed = Template::parse_with(&value.value, &names);
        match parsed {
            Ok(t) if !in_mail && t.uses("division") => {
                let at = self.placeholder_at(value, "division");
                self.error(
                    at,
                    "{{division}}",
                    Problem::PlaceholderOnlyInMail {
                        name: "division".into(),
                    },
                );
                None
            }
            Ok(t) => {
                // The organisation's words, where its kind does not say them.
                if self.directory.words.is_none()
                    && let Some(word) = super::template::WORD_PLACEHOLDERS
                        .into_iter()
                        .find(|w| t.uses(w))
                {
                    let at = self.placeholder_at(value, word);
                    self.error(
                        at,
                        format!("{{{{{word}}}}}"),
                        Problem::MissingOrganizationWords {
                            missing: super::template::WORD_PLACEHOLDERS
                                .iter()
                                .map(|w| w.to_string())
                                .collect(),
                        },
                    );
                    return None;
                }
                if let Some((name, filter)) = self.misplaced_filter(&t) {
                    let at = self.placeholder_at(value, &name);
                    self.error(
                        at,
                        format!("{{{{{name}|{}}}}}", filter.name()),
                        Problem::FilterNeedsTime {
                            name,
                            filter: filter.name().into(),
                        },
                    );
                    return None;
                }
                Some(t)
            }
            Err(errors) => {
                for e in errors {
                    self.template_error(value, e, in_mail);
                }
                None
            }
        }
    }

    /// Where `{{name` is written inside a template value.
    fn placeholder_at(&self, value: &Spanned<String>, name: &str) -> Position {
        let at = self.find_from(pos(value), "{{").unwrap_or(pos(value));
        self.find_from(at, name)
            .map_or(at, |p| Position::new(p.line, p.column.saturating_sub(2)))
    }

    fn template_error(&mut self, value: &Spanned<String>, error: TemplateError, in_mail: bool) {
        match error {
            TemplateError::Unknown { name, .. } => {
                let at = self
                    .find_from(pos(value), &format!("{{{{{name}"))
                    .or_else(|| self.find_from(pos(value), "{{"))
                    .unwrap_or(pos(value));
                // `{{広報担当課}}` is the division that plays the part: known to hikeshi, but
                // not yet to this directory.
                if crate::directory::StockPart::named(&name).is_some() {
                    self.error(
                        at,
                        format!("{{{{{name}}}}}"),
                        Problem::UnfilledPart {
                            part: name,
                            needed_by: Vec::new(),
                        },
                    );
                    return;
                }
                let available = self.placeholders_here(in_mail);
                let suggestion = suggest(&name, available.iter().map(String::as_str));
                self.error(
                    at,
                    format!("{{{{{name}}}}}"),
                    Problem::UnknownPlaceholder {
                        name,
                        suggestion,
                        available,
                    },
                );
            }
            TemplateError::UnknownFilter { filter, .. } => {
                let at = self
                    .find_from(pos(value), &format!("|{filter}"))
                    .unwrap_or(pos(value));
                let names = super::template::Filter::ALL.map(|(n, _)| n);
                self.error(
                    at,
                    filter.clone(),
                    Problem::UnknownFilter {
                        suggestion: suggest(&filter, names.iter().copied()),
                        filter,
                        available: names.iter().map(|n| n.to_string()).collect(),
                    },
                );
            }
            TemplateError::Unclosed { .. } => {
                let at = self.find_from(pos(value), "{{").unwrap_or(pos(value));
                self.error(at, "{{", Problem::UnclosedPlaceholder);
            }
        }
    }

    /// The placeholders a template may use where it is written: `{{division}}` only in mail,
    /// the declared facts everywhere.
    fn placeholders_here(&self, in_mail: bool) -> Vec<String> {
        super::template::PLACEHOLDERS
            .iter()
            .filter(|p| in_mail || **p != "division")
            .map(|p| p.to_string())
            .chain(self.facts.iter().map(|f| f.id.clone()))
            .chain(self.directory.parts.iter().map(|p| p.part.clone()))
            .collect()
    }

    /// The names a template may use besides the built-in ones: the declared facts, and the
    /// directory's divisions, roles and parts (`{{広報担当課}}` is written as the division
    /// that plays it).
    fn template_names(&self) -> Vec<&str> {
        let mut names = self.fact_names();
        names.extend(self.directory.names());
        names
    }

    fn party(&mut self, value: &Spanned<String>, recipient: bool) -> Option<String> {
        self.party_at(&value.value, pos(value), recipient)
    }

    fn party_at(&mut self, name: &str, at: Position, recipient: bool) -> Option<String> {
        if self.directory.party(name).is_some() {
            return Some(name.to_string());
        }
        if crate::directory::StockPart::named(name).is_some() {
            self.error(
                at,
                name,
                Problem::UnfilledPart {
                    part: name.to_string(),
                    needed_by: Vec::new(),
                },
            );
            return None;
        }
        let suggestion = suggest(name, self.directory.names());
        let problem = if recipient {
            Problem::UnknownRecipient {
                name: name.to_string(),
                suggestion,
            }
        } else {
            Problem::UnknownRole {
                name: name.to_string(),
                suggestion,
            }
        };
        self.error(at, name, problem);
        None
    }

    fn choices(&mut self, defs: Vec<OptionDef>, what: &str) -> Vec<Choice> {
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut out = Vec::new();
        for def in defs {
            let at = pos(&def.id);
            if !valid_id(&def.id.value) {
                self.error(
                    at,
                    def.id.value.clone(),
                    Problem::InvalidId { what: what.into() },
                );
            }
            if let Some(first_line) = seen.get(&def.id.value) {
                self.error(
                    at,
                    def.id.value.clone(),
                    Problem::DuplicateId {
                        what: what.into(),
                        id: def.id.value.clone(),
                        first_line: *first_line,
                    },
                );
                continue;
            }
            seen.insert(def.id.value.clone(), at.line);
            out.push(Choice {
                id: def.id.value,
                title: def.title,
                description: def.description,
            });
        }
        out
    }

    fn playbook(&mut self, file: PlaybookFile, options: &CompileOptions) -> Option<Playbook> {
        let id_at = pos(&file.id);
        if file.title.is_none() {
            self.error(
                id_at,
                "",
                Problem::MissingField {
                    field: "title".into(),
                },
            );
        }
        for (field, given) in [
            ("change", !file.change.is_empty()),
            ("remove", !file.remove.is_empty()),
        ] {
            if given {
                let at = self.source.find(&format!("{field}:")).unwrap_or(id_at);
                self.error(
                    at,
                    field,
                    Problem::OverlayWithoutBase {
                        field: field.into(),
                    },
                );
            }
        }
        if !valid_id(&file.id.value) {
            self.error(
                pos(&file.id),
                file.id.value.clone(),
                Problem::InvalidId {
                    what: "playbook".into(),
                },
            );
        }
        let sources = self.sources(file.sources);
        let (reviewed, review_every) =
            self.review(file.reviewed.as_ref(), file.review_every.as_ref(), options);
        let mut platforms = Vec::new();
        for p in &file.platforms {
            if !platforms.contains(&p.value) {
                platforms.push(p.value);
            }
        }
        let severities = self.choices(file.severities, "severity");
        if severities.len() > MAX_OPTIONS {
            self.error(
                self.source
                    .find("severities:")
                    .unwrap_or_else(Position::start),
                "severities",
                Problem::TooManyOptions { limit: MAX_OPTIONS },
            );
        }

        if file.steps.is_empty() {
            let at = self.source.find("steps:").unwrap_or_else(Position::start);
            self.error(at, "", Problem::EmptyPlaybook);
            return None;
        }
        let facts = self.facts(&file.facts);
        let mut built = self.steps(file.steps, &severities, &platforms, &sources);
        self.ask_before(&file.facts, &mut built.steps);
        // Cycles are looked for even when other steps have errors: every problem at once.
        let cycles = super::graph::cycles_in(&built.edges);
        for cycle in &cycles {
            self.cycle(cycle, &built.ids, &built.after_spans);
        }
        if !built.ok || self.diagnostics.iter().any(Diagnostic::is_error) {
            return None;
        }
        self.resolve_branches(&mut built);
        self.resolve_approvals(&mut built);
        self.resolve_claims(&mut built);
        if self.diagnostics.iter().any(Diagnostic::is_error) {
            return None;
        }
        let graph = StepGraph::new(built.steps).ok()?;
        self.check_when_is_decidable(&graph, &built.pending_when);
        if self.diagnostics.iter().any(Diagnostic::is_error) {
            return None;
        }
        self.check_applicability(&graph, &built.id_at, &built.ids);
        self.check_start_deadlines(&graph, &built.after_spans);

        Some(Playbook {
            id: file.id.value,
            title: file.title.unwrap_or_default(),
            version: file.version,
            description: file.description,
            sources,
            reviewed,
            review_every,
            platforms,
            severities,
            severity_decision: built.severity_decision.map(StepIx::from_index),
            facts,
            graph,
            parties: self.directory.names().map(str::to_string).collect(),
            holders: self
                .directory
                .names()
                .filter_map(|n| {
                    let holder = self.directory.party(n)?.id();
                    Some((n.to_string(), holder.to_string()))
                })
                .collect(),
        })
    }

    /// The guideline documents steps may cite, each id once.
    fn sources(&mut self, docs: Vec<SourceDef>) -> Vec<SourceDocument> {
        let mut sources = Vec::new();
        let mut source_lines: HashMap<String, usize> = HashMap::new();
        for doc in docs {
            if let Some(first_line) = source_lines.get(&doc.id.value) {
                self.error(
                    pos(&doc.id),
                    doc.id.value.clone(),
                    Problem::DuplicateId {
                        what: "source".into(),
                        id: doc.id.value.clone(),
                        first_line: *first_line,
                    },
                );
                continue;
            }
            source_lines.insert(doc.id.value.clone(), pos(&doc.id).line);
            sources.push(SourceDocument {
                id: doc.id.value,
                title: doc.title,
                issuer: doc.issuer,
                issued: doc.issued,
                url: doc.url,
                clauses: doc.clauses,
            });
        }
        sources
    }

    /// When the playbook was last reviewed and how often it must be; warns when a review is
    /// overdue on `options.today`.
    fn review(
        &mut self,
        reviewed_text: Option<&Spanned<String>>,
        every_text: Option<&Spanned<String>>,
        options: &CompileOptions,
    ) -> (Option<NaiveDate>, Option<TimeDelta>) {
        let reviewed = reviewed_text.and_then(|r| {
            let date = NaiveDate::parse_from_str(r.value.trim(), "%Y-%m-%d").ok();
            if date.is_none() {
                self.error(
                    pos(r),
                    r.value.clone(),
                    Problem::BadDate {
                        text: r.value.clone(),
                    },
                );
            }
            date
        });
        let review_every = every_text.and_then(|r| self.duration(r));
        if let (Some(reviewed), Some(every), Some(today), Some(at)) =
            (reviewed, review_every, options.today, reviewed_text)
        {
            // A hostile date plus an interval can overflow: then there is nothing to warn about.
            let due = reviewed.checked_add_signed(every).unwrap_or(NaiveDate::MAX);
            if today > due {
                self.warning(
                    pos(at),
                    at.value.clone(),
                    Problem::ReviewOverdue {
                        reviewed: reviewed.to_string(),
                        due: due.to_string(),
                    },
                );
            }
        }
        (reviewed, review_every)
    }
}
