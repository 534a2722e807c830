//! The compiler: a [`PlaybookFile`] as written → a checked [`Playbook`], with every problem
//! reported at once, each at its file, line and column with a hint.

use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDate, TimeDelta};
use serde_saphyr::Spanned;

use super::condition::parse_condition;
use super::diagnostic::{Diagnostic, Position, Problem, suggest};
use super::duration::{format_duration, parse_duration};
use super::graph::{StepGraph, StepIx};
use super::load::{Limits, SourceFile, parse_yaml};
use super::model::{PlaybookFile, StepDef, StepKindName};
use super::template::{Template, TemplateError};
use super::{
    Choice, Citation, Condition, Decision, Due, DueFrom, Monitor, Notify, Playbook, Post,
    SourceDocument, Step, StepKind,
};
use crate::directory::Directory;
use crate::lang::Lang;

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
    compile(source, file, directory, options)
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
    };
    let result = c.playbook(file, options);
    let mut diagnostics = c.diagnostics;
    diagnostics.sort_by_key(|d| (d.position, d.severity));
    match result {
        Some(playbook) if !diagnostics.iter().any(Diagnostic::is_error) => Ok(Compiled {
            playbook,
            warnings: diagnostics,
        }),
        _ => Err(diagnostics),
    }
}

struct Compiler<'a> {
    source: &'a SourceFile,
    directory: &'a Directory,
    diagnostics: Vec<Diagnostic>,
}

/// What a step's raw `when` resolved to, kept for the analyses after the graph is built.
struct PendingWhen {
    step: usize,
    condition: Condition,
    at: Position,
    decision_name: String,
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
        let parsed = parse_duration(&value.value);
        if parsed.is_none() {
            self.error(
                pos(value),
                value.value.clone(),
                Problem::BadDuration {
                    text: value.value.clone(),
                },
            );
        }
        parsed
    }

    /// Parses a template; `{{division}}` (the recipient) exists only in notify mail.
    fn template(&mut self, value: &Spanned<String>, in_mail: bool) -> Option<Template> {
        match Template::parse(&value.value) {
            Ok(t) if !in_mail && t.uses("division") => {
                let at = self.find_from(pos(value), "{{").unwrap_or(pos(value));
                let at = self
                    .find_from(at, "division")
                    .map_or(at, |p| Position::new(p.line, p.column.saturating_sub(2)));
                self.error(
                    at,
                    "{{division}}",
                    Problem::PlaceholderOnlyInMail {
                        name: "division".into(),
                    },
                );
                None
            }
            Ok(t) => Some(t),
            Err(errors) => {
                for e in errors {
                    match e {
                        TemplateError::Unknown { name, .. } => {
                            let at = self
                                .find_from(pos(value), &format!("{{{{{name}"))
                                .or_else(|| self.find_from(pos(value), "{{"))
                                .unwrap_or(pos(value));
                            let suggestion =
                                suggest(&name, super::template::PLACEHOLDERS.iter().copied());
                            self.error(
                                at,
                                format!("{{{{{name}}}}}"),
                                Problem::UnknownPlaceholder { name, suggestion },
                            );
                        }
                        TemplateError::Unclosed { .. } => {
                            let at = self.find_from(pos(value), "{{").unwrap_or(pos(value));
                            self.error(at, "{{", Problem::UnclosedPlaceholder);
                        }
                    }
                }
                None
            }
        }
    }

    fn party(&mut self, value: &Spanned<String>, recipient: bool) -> Option<String> {
        if self.directory.party(&value.value).is_some() {
            return Some(value.value.clone());
        }
        let suggestion = suggest(&value.value, self.directory.names());
        let name = value.value.clone();
        let problem = if recipient {
            Problem::UnknownRecipient { name, suggestion }
        } else {
            Problem::UnknownRole { name, suggestion }
        };
        self.error(pos(value), value.value.clone(), problem);
        None
    }

    fn choices(&mut self, defs: Vec<super::model::OptionDef>, what: &str) -> Vec<Choice> {
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
        if !valid_id(&file.id.value) {
            self.error(
                pos(&file.id),
                file.id.value.clone(),
                Problem::InvalidId {
                    what: "playbook".into(),
                },
            );
        }
        let mut sources = Vec::new();
        let mut source_lines: HashMap<String, usize> = HashMap::new();
        for doc in file.sources {
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
            });
        }
        let reviewed = file.reviewed.as_ref().and_then(|r| {
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
        let review_every = file.review_every.as_ref().and_then(|r| self.duration(r));
        if let (Some(reviewed), Some(every), Some(today), Some(at)) = (
            reviewed,
            review_every,
            options.today,
            file.reviewed.as_ref(),
        ) {
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

        // Pass 1: ids.
        let mut index: HashMap<String, usize> = HashMap::with_capacity(file.steps.len());
        for (i, step) in file.steps.iter().enumerate() {
            let at = pos(&step.id);
            if !valid_id(&step.id.value) {
                self.error(
                    at,
                    step.id.value.clone(),
                    Problem::InvalidId {
                        what: "step".into(),
                    },
                );
            }
            if let Some(first) = index.get(&step.id.value) {
                let first_line = pos(&file.steps[*first].id).line;
                self.error(
                    at,
                    step.id.value.clone(),
                    Problem::DuplicateStep {
                        id: step.id.value.clone(),
                        first_line,
                    },
                );
            } else {
                index.insert(step.id.value.clone(), i);
            }
        }

        // Pass 2: everything a step says about itself and its references.
        let decision_options: Vec<Option<Vec<String>>> = file
            .steps
            .iter()
            .map(|s| match s.kind.value {
                StepKindName::Decision if s.severity.as_ref().is_some_and(|v| v.value) => {
                    Some(severities.iter().map(|c| c.id.clone()).collect())
                }
                StepKindName::Decision => Some(
                    s.options
                        .as_ref()
                        .map(|o| o.value.iter().map(|c| c.id.value.clone()).collect())
                        .unwrap_or_default(),
                ),
                _ => None,
            })
            .collect();
        let ids: Vec<String> = file.steps.iter().map(|s| s.id.value.clone()).collect();
        let id_at: Vec<Position> = file.steps.iter().map(|s| pos(&s.id)).collect();
        let mut after_spans: Vec<Vec<(usize, Position)>> = Vec::with_capacity(file.steps.len());
        let mut pending_when = Vec::new();
        let mut edges: Vec<Vec<StepIx>> = Vec::with_capacity(file.steps.len());
        let mut severity_decision: Option<(usize, String)> = None;
        let mut steps = Vec::with_capacity(file.steps.len());
        let mut ok = true;
        for (i, def) in file.steps.into_iter().enumerate() {
            let mut after = Vec::with_capacity(def.after.len());
            let mut spans = Vec::with_capacity(def.after.len());
            for a in &def.after {
                match index.get(&a.value) {
                    Some(&j) => {
                        if !after.contains(&StepIx::from_index(j)) {
                            after.push(StepIx::from_index(j));
                            spans.push((j, pos(a)));
                        }
                    }
                    None => {
                        let suggestion = suggest(&a.value, ids.iter().map(String::as_str));
                        self.error(
                            pos(a),
                            a.value.clone(),
                            Problem::UnknownStep {
                                id: a.value.clone(),
                                suggestion,
                            },
                        );
                    }
                }
            }
            after_spans.push(spans);
            edges.push(after.clone());
            if let Some(w) = &def.when
                && let Some(p) = self.when(i, w, &index, &ids, &decision_options)
            {
                pending_when.push(p);
            }
            if def.kind.value == StepKindName::Decision
                && def.severity.as_ref().is_some_and(|v| v.value)
            {
                if let Some((_, first)) = &severity_decision {
                    let at = def.severity.as_ref().map_or(pos(&def.kind), pos);
                    self.error(
                        at,
                        "severity",
                        Problem::SecondSeverityDecision {
                            first: first.clone(),
                        },
                    );
                } else {
                    severity_decision = Some((i, def.id.value.clone()));
                }
            }
            match self.step(def, &severities, &platforms, &sources) {
                Some(mut step) => {
                    step.after = after;
                    step.when = pending_when
                        .last()
                        .filter(|p| p.step == i)
                        .map(|p| p.condition.clone());
                    steps.push(step);
                }
                None => ok = false,
            }
        }
        // Cycles are looked for even when other steps have errors: every problem at once.
        let cycles = super::graph::cycles_in(&edges);
        for cycle in &cycles {
            self.cycle(cycle, &ids, &after_spans);
        }
        if !ok || self.diagnostics.iter().any(Diagnostic::is_error) {
            return None;
        }
        let graph = match StepGraph::new(steps) {
            Ok(g) => g,
            Err(_) => return None,
        };
        self.check_when_is_decidable(&graph, &pending_when);
        if self.diagnostics.iter().any(Diagnostic::is_error) {
            return None;
        }
        self.check_applicability(&graph, &id_at, &ids);
        self.check_start_deadlines(&graph, &after_spans);

        Some(Playbook {
            id: file.id.value,
            title: file.title,
            version: file.version,
            description: file.description,
            sources,
            reviewed,
            review_every,
            platforms,
            severities,
            severity_decision: severity_decision.map(|(i, _)| StepIx::from_index(i)),
            graph,
            parties: self.directory.names().map(str::to_string).collect(),
        })
    }

    fn when(
        &mut self,
        step: usize,
        w: &Spanned<String>,
        index: &HashMap<String, usize>,
        ids: &[String],
        decision_options: &[Option<Vec<String>>],
    ) -> Option<PendingWhen> {
        let at = pos(w);
        let Some(syntax) = parse_condition(&w.value) else {
            self.error(
                at,
                w.value.clone(),
                Problem::ConditionSyntax {
                    condition: w.value.clone(),
                },
            );
            return None;
        };
        let name = &syntax.decision.text;
        let name_at = self.inside_scalar(at, syntax.decision.offset);
        let Some(&d) = index.get(name) else {
            let decisions = ids
                .iter()
                .zip(decision_options)
                .filter(|(_, o)| o.is_some())
                .map(|(id, _)| id.as_str());
            let suggestion = suggest(name, decisions);
            self.error(
                name_at,
                name.clone(),
                Problem::WhenUnknownDecision {
                    name: name.clone(),
                    suggestion,
                },
            );
            return None;
        };
        let Some(Some(option_ids)) = decision_options.get(d) else {
            self.error(
                name_at,
                name.clone(),
                Problem::WhenNotDecision { step: name.clone() },
            );
            return None;
        };
        let mut options = Vec::new();
        for o in &syntax.options {
            match option_ids.iter().position(|x| *x == o.text) {
                Some(k) => options.push(k),
                None => self.error(
                    self.inside_scalar(at, o.offset),
                    o.text.clone(),
                    Problem::WhenUnknownOption {
                        decision: name.clone(),
                        option: o.text.clone(),
                        options: option_ids.clone(),
                    },
                ),
            }
        }
        (options.len() == syntax.options.len()).then(|| PendingWhen {
            step,
            condition: Condition {
                decision: StepIx::from_index(d),
                options,
                negated: syntax.negated,
            },
            at: name_at,
            decision_name: name.clone(),
        })
    }

    /// Builds a step's kind-independent and kind-specific parts; `None` if it cannot be built.
    fn step(
        &mut self,
        def: StepDef,
        severities: &[Choice],
        platforms: &[super::Platform],
        sources: &[SourceDocument],
    ) -> Option<Step> {
        let kind_name = def.kind.value;
        let kind_at = pos(&def.kind);
        let owner = def.owner.as_ref().and_then(|o| self.party(o, false));
        let contacts: Vec<String> = def
            .contacts
            .iter()
            .filter_map(|c| self.party(c, true))
            .collect();
        let draft = def.draft.as_ref().and_then(|d| self.template(d, false));
        let due = def
            .due
            .as_ref()
            .and_then(|d| self.duration(d))
            .map(|within| Due {
                within,
                from: def.due_from,
            });
        let mut platform_guidance = BTreeMap::new();
        for (platform, text) in def.platform_guidance {
            if !platforms.contains(&platform) {
                let at = self.key_position(pos(&text), platform.as_str());
                self.error(
                    at,
                    platform.as_str(),
                    Problem::PlatformNotListed {
                        platform: platform.as_str().into(),
                    },
                );
            }
            platform_guidance.insert(platform, text.value);
        }
        let mut citations = Vec::new();
        for s in &def.source {
            let text = s.value.trim();
            let Some((doc, clause)) = text.split_once(char::is_whitespace) else {
                self.error(
                    pos(s),
                    s.value.clone(),
                    Problem::BadCitation {
                        citation: s.value.clone(),
                    },
                );
                continue;
            };
            if !sources.iter().any(|d| d.id == doc) {
                let suggestion = suggest(doc, sources.iter().map(|d| d.id.as_str()));
                self.error(
                    pos(s),
                    doc,
                    Problem::UnknownSource {
                        id: doc.into(),
                        suggestion,
                    },
                );
                continue;
            }
            citations.push(Citation {
                source: doc.into(),
                clause: clause.trim().into(),
            });
        }
        if def.source.is_empty() {
            self.warning(
                pos(&def.id),
                def.id.value.clone(),
                Problem::NoSource {
                    step: def.id.value.clone(),
                },
            );
        }

        // Fields that belong to other kinds.
        let present: [(&str, Option<Position>, &[StepKindName]); 14] = [
            (
                "draft",
                def.draft.as_ref().map(pos),
                &[StepKindName::Action],
            ),
            ("to", def.to.as_ref().map(pos), &[StepKindName::Notify]),
            (
                "subject",
                def.subject.as_ref().map(pos),
                &[StepKindName::Notify],
            ),
            ("body", def.body.as_ref().map(pos), &[StepKindName::Notify]),
            (
                "ack_within",
                def.ack_within.as_ref().map(pos),
                &[StepKindName::Notify],
            ),
            (
                "question",
                def.question.as_ref().map(pos),
                &[StepKindName::Decision],
            ),
            (
                "options",
                def.options.as_ref().map(pos),
                &[StepKindName::Decision],
            ),
            (
                "severity",
                def.severity.as_ref().map(pos),
                &[StepKindName::Decision],
            ),
            (
                "approver",
                def.approver.as_ref().map(pos),
                &[StepKindName::Approval, StepKindName::Post],
            ),
            (
                "purpose",
                def.purpose.as_ref().map(pos),
                &[StepKindName::Post],
            ),
            (
                "channel",
                def.channel.as_ref().map(pos),
                &[StepKindName::Post],
            ),
            (
                "statement",
                def.statement.as_ref().map(pos),
                &[StepKindName::Post],
            ),
            (
                "every",
                def.every.as_ref().map(pos),
                &[StepKindName::Monitor],
            ),
            (
                "observe",
                def.observe.as_ref().map(pos),
                &[StepKindName::Monitor],
            ),
        ];
        let mut fits = true;
        for (field, at, kinds) in present {
            if let Some(at) = at
                && !kinds.contains(&kind_name)
            {
                let at = self.key_position(at, field);
                self.error(
                    at,
                    field,
                    Problem::FieldNotForKind {
                        field: field.into(),
                        kind: kind_name.as_str().into(),
                    },
                );
                fits = false;
            }
        }
        let missing = |c: &mut Self, field: &str| {
            c.error(
                kind_at,
                kind_name.as_str(),
                Problem::MissingForKind {
                    field: field.into(),
                    kind: kind_name.as_str().into(),
                },
            );
        };

        let kind = match kind_name {
            StepKindName::Action => Some(StepKind::Action),
            StepKindName::Notify => {
                let to = match &def.to {
                    Some(to) if !to.value.is_empty() => Some(
                        to.value
                            .iter()
                            .filter_map(|t| self.party(t, true))
                            .collect::<Vec<_>>(),
                    ),
                    _ => {
                        missing(self, "to");
                        None
                    }
                };
                let subject = match &def.subject {
                    Some(s) if s.value.chars().any(char::is_control) => {
                        self.error(
                            pos(s),
                            s.value.escape_debug().to_string(),
                            Problem::ControlInHeader {
                                field: "subject".into(),
                            },
                        );
                        None
                    }
                    Some(s) => self.template(s, true),
                    None => {
                        missing(self, "subject");
                        None
                    }
                };
                let body = match &def.body {
                    Some(b) => self.template(b, true),
                    None => {
                        missing(self, "body");
                        None
                    }
                };
                let ack_within = def.ack_within.as_ref().and_then(|a| self.duration(a));
                match (to, subject, body) {
                    (Some(to), Some(subject), Some(body)) => Some(StepKind::Notify(Notify {
                        to,
                        subject,
                        body,
                        ack_within,
                    })),
                    _ => None,
                }
            }
            StepKindName::Decision => {
                let severity = def.severity.as_ref().is_some_and(|s| s.value);
                let question = def.question.as_ref().map(|q| q.value.clone());
                if question.is_none() {
                    missing(self, "question");
                }
                let options = if severity {
                    if let Some(o) = &def.options {
                        let at = self.key_position(pos(o), "options");
                        self.error(
                            at,
                            "options",
                            Problem::FieldNotForKind {
                                field: "options".into(),
                                kind: "decision (severity: true)".into(),
                            },
                        );
                    }
                    if severities.is_empty() {
                        let at = def.severity.as_ref().map_or(kind_at, pos);
                        self.error(at, "true", Problem::NoSeverities);
                    }
                    severities.to_vec()
                } else {
                    match def.options {
                        Some(o) if !o.value.is_empty() => {
                            let at = pos(&o);
                            let choices = self.choices(o.value, "option");
                            if choices.len() > MAX_OPTIONS {
                                self.error(at, "", Problem::TooManyOptions { limit: MAX_OPTIONS });
                            }
                            choices
                        }
                        _ => {
                            missing(self, "options");
                            Vec::new()
                        }
                    }
                };
                question.map(|question| {
                    StepKind::Decision(Decision {
                        question,
                        options,
                        severity,
                    })
                })
            }
            StepKindName::Approval => match &def.approver {
                Some(a) => self
                    .party(a, false)
                    .map(|approver| StepKind::Approval { approver }),
                None => {
                    missing(self, "approver");
                    None
                }
            },
            StepKindName::Post => {
                let approver = match &def.approver {
                    Some(a) => self.party(a, false),
                    None => {
                        missing(self, "approver");
                        None
                    }
                };
                let statement = match &def.statement {
                    Some(s) => self.template(s, false),
                    None => {
                        missing(self, "statement");
                        None
                    }
                };
                if def.purpose.is_none() {
                    missing(self, "purpose");
                }
                if def.channel.is_none() {
                    missing(self, "channel");
                }
                match (approver, statement, &def.purpose, &def.channel) {
                    (Some(approver), Some(statement), Some(purpose), Some(channel)) => {
                        Some(StepKind::Post(Post {
                            purpose: purpose.value,
                            channel: channel.value,
                            approver,
                            statement,
                        }))
                    }
                    _ => None,
                }
            }
            StepKindName::Monitor => match &def.every {
                Some(e) => self.duration(e).map(|every| {
                    StepKind::Monitor(Monitor {
                        every,
                        observe: def
                            .observe
                            .as_ref()
                            .map(|o| o.value.clone())
                            .unwrap_or_default(),
                    })
                }),
                None => {
                    missing(self, "every");
                    None
                }
            },
        };
        if !fits {
            return None;
        }
        Some(Step {
            id: def.id.value,
            title: def.title,
            kind: kind?,
            after: Vec::new(),
            when: None,
            owner,
            due,
            guidance: def.guidance,
            platform_guidance,
            sources: citations,
            checklist: def.checklist,
            evidence: def.evidence,
            contacts,
            draft,
        })
    }

    fn cycle(&mut self, cycle: &[StepIx], ids: &[String], after_spans: &[Vec<(usize, Position)>]) {
        let path: Vec<String> = cycle
            .iter()
            .filter_map(|ix| ids.get(ix.index()).cloned())
            .collect();
        // Point at the `after` entry that closes the cycle: in the last step of the path,
        // the entry naming the step before it.
        let at = match cycle {
            [.., before, last] => after_spans
                .get(last.index())
                .and_then(|spans| spans.iter().find(|(j, _)| *j == before.index()))
                .map(|(_, p)| *p),
            _ => None,
        }
        .unwrap_or_else(Position::start);
        let text = cycle
            .iter()
            .rev()
            .nth(1)
            .and_then(|ix| ids.get(ix.index()))
            .cloned()
            .unwrap_or_default();
        self.error(at, text, Problem::Cycle { path });
    }

    /// Every `when` must name a decision among the step's transitive prerequisites; otherwise
    /// the step could become ready before the question is answered.
    fn check_when_is_decidable(&mut self, graph: &StepGraph, pending: &[PendingWhen]) {
        let mut seen = vec![usize::MAX; graph.len()];
        for (n, p) in pending.iter().enumerate() {
            let target = p.condition.decision;
            let mut stack: Vec<StepIx> = graph
                .step(StepIx::from_index(p.step))
                .map(|s| s.after.clone())
                .unwrap_or_default();
            let mut found = false;
            while let Some(ix) = stack.pop() {
                if ix == target {
                    found = true;
                    break;
                }
                if seen[ix.index()] == n {
                    continue;
                }
                seen[ix.index()] = n;
                if let Some(s) = graph.step(ix) {
                    stack.extend(s.after.iter().copied());
                }
            }
            if !found {
                let step = graph
                    .step(StepIx::from_index(p.step))
                    .map(|s| s.id.clone())
                    .unwrap_or_default();
                self.error(
                    p.at,
                    p.decision_name.clone(),
                    Problem::WhenUndecidable {
                        step,
                        decision: p.decision_name.clone(),
                    },
                );
            }
        }
    }

    /// Reports steps that are not applicable under any combination of decision outcomes.
    fn check_applicability(&mut self, graph: &StepGraph, id_at: &[Position], ids: &[String]) {
        let formulas = applicability(graph);
        for ix in graph.order() {
            if formulas[ix.index()].is_empty() {
                let id = ids.get(ix.index()).cloned().unwrap_or_default();
                let at = id_at
                    .get(ix.index())
                    .copied()
                    .unwrap_or_else(Position::start);
                self.error(at, id.clone(), Problem::Unreachable { step: id });
            }
        }
    }

    /// Warns where a deadline counted from the start falls before a prerequisite's target.
    fn check_start_deadlines(&mut self, graph: &StepGraph, after_spans: &[Vec<(usize, Position)>]) {
        for (i, step) in graph.steps().iter().enumerate() {
            let Some(Due {
                within,
                from: DueFrom::Start,
            }) = step.due
            else {
                continue;
            };
            let latest = step
                .after
                .iter()
                .map(|p| graph.target(*p))
                .max()
                .unwrap_or_else(TimeDelta::zero);
            if latest > within {
                let at = after_spans
                    .get(i)
                    .and_then(|s| s.first())
                    .map(|(_, p)| *p)
                    .unwrap_or_else(Position::start);
                let at = self.find_from(at, "due:").unwrap_or(at);
                self.warning(
                    at,
                    "due",
                    Problem::DeadlineBeforePrerequisites {
                        step: step.id.clone(),
                        due: format_duration(within, Lang::En),
                    },
                );
            }
        }
    }
}

/// A conjunction of "decision's answer is in this set" literals, sorted by decision.
type Term = Vec<(StepIx, u64)>;

/// Above this many alternatives a formula is treated as "always possible": the analysis
/// may then miss an unreachable step, but never reports a reachable one.
const MAX_TERMS: usize = 64;

fn and_terms(a: &Term, b: &Term) -> Option<Term> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) if x.0 == y.0 => {
                let mask = x.1 & y.1;
                if mask == 0 {
                    return None;
                }
                out.push((x.0, mask));
                i += 1;
                j += 1;
            }
            (Some(x), Some(y)) if x.0 < y.0 => {
                out.push(*x);
                i += 1;
            }
            (Some(_), Some(y)) | (None, Some(y)) => {
                out.push(*y);
                j += 1;
            }
            (Some(x), None) => {
                out.push(*x);
                i += 1;
            }
            (None, None) => break,
        }
    }
    Some(out)
}

fn and(a: &[Term], b: &[Term]) -> Vec<Term> {
    let mut out: Vec<Term> = Vec::new();
    for x in a {
        for y in b {
            if let Some(t) = and_terms(x, y)
                && !out.contains(&t)
            {
                out.push(t);
            }
        }
    }
    if out.len() > MAX_TERMS {
        return vec![Vec::new()];
    }
    out
}

/// For each step, the condition on decision outcomes under which it is applicable, as a
/// disjunction of terms (empty = never; a single empty term = always). A step applies when
/// its `when` holds, its decision applies, and (if it has prerequisites) at least one of them
/// applies — the same rule the engine uses at run time.
fn applicability(graph: &StepGraph) -> Vec<Vec<Term>> {
    let always: Vec<Term> = vec![Vec::new()];
    let mut formulas: Vec<Vec<Term>> = vec![Vec::new(); graph.len()];
    for &ix in graph.order() {
        let Some(step) = graph.step(ix) else {
            continue;
        };
        let mut f = if step.after.is_empty() {
            always.clone()
        } else {
            let mut any: Vec<Term> = Vec::new();
            for p in &step.after {
                let pf = &formulas[p.index()];
                if pf.iter().any(Vec::is_empty) {
                    any = always.clone();
                    break;
                }
                for t in pf {
                    if !any.contains(t) {
                        any.push(t.clone());
                    }
                }
                if any.len() > MAX_TERMS {
                    any = always.clone();
                    break;
                }
            }
            any
        };
        if let Some(cond) = &step.when {
            let count = graph
                .step(cond.decision)
                .and_then(|d| match &d.kind {
                    StepKind::Decision(d) => Some(d.options.len()),
                    _ => None,
                })
                .unwrap_or(0);
            let all = if count >= 64 {
                u64::MAX
            } else {
                (1u64 << count) - 1
            };
            let chosen = cond.options.iter().fold(0u64, |m, o| m | (1u64 << o));
            let mask = if cond.negated { all & !chosen } else { chosen };
            let literal = vec![vec![(cond.decision, mask)]];
            f = and(&f, &literal);
            f = and(&f, &formulas[cond.decision.index()]);
        }
        formulas[ix.index()] = f;
    }
    formulas
}
