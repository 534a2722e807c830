//! The playbook language: the file model ([`model`]), its compiler ([`compile`]) into a checked
//! [`Playbook`] whose steps form a [`StepGraph`], diagnostics, and exports (DOT, Mermaid, JSON
//! Schema).
//!
//! A `Playbook` that exists is a valid one: every check happens once, in [`compile()`], and the
//! engine never re-checks.

pub mod compile;
pub mod condition;
pub mod duration;
pub mod export;
pub mod extend;
pub mod graph;
pub mod model;
pub mod template;

use std::collections::BTreeMap;

use chrono::{NaiveDate, TimeDelta};
use serde::Serialize;

// The checked file's text and its diagnostics are shared with the directory and scenarios;
// the paths under `playbook` stay for the callers that name them so.
pub use crate::diagnostic;
pub use crate::source as load;
pub use compile::{CompileOptions, Compiled, compile, compile_source};
pub use diagnostic::{Diagnostic, Position, Problem, Severity};
pub use graph::{StepGraph, StepIx};
pub use load::{Limits, SourceFile};
pub use model::{
    DueFrom, EvidenceKind, EvidencePrompt, FactKind, Milestone, Platform, PostChannel, PostPurpose,
    RegisterField,
};
pub use template::Template;

/// A checked playbook: an incident procedure whose steps form a DAG.
#[derive(Debug, Clone)]
pub struct Playbook {
    /// Identifier (e.g. `unauthorized-access`).
    pub id: String,
    /// Title in Japanese.
    pub title: String,
    /// Version as written.
    pub version: Option<String>,
    /// What the playbook is for.
    pub description: Option<String>,
    /// The guideline documents it follows.
    pub sources: Vec<SourceDocument>,
    /// When it was last reviewed.
    pub reviewed: Option<NaiveDate>,
    /// How often it must be reviewed.
    pub review_every: Option<TimeDelta>,
    /// Platforms it applies to.
    pub platforms: Vec<Platform>,
    /// Severity levels (options of the severity decision).
    pub severities: Vec<Choice>,
    /// The decision whose answer is the incident's severity, if any.
    pub severity_decision: Option<StepIx>,
    /// The incident's declared facts.
    pub facts: Vec<Fact>,
    /// The steps and their dependencies.
    pub graph: StepGraph,
    /// Every division, role and part of the directory it was compiled against, divisions
    /// first: the names a notify step or a phone call may address.
    pub parties: Vec<String>,
    /// Each of those names with the division or role that answers to it (a part's player;
    /// a division or role itself), so that a call to 総務課 reaches mail to 広報担当課.
    pub holders: std::collections::BTreeMap<String, String>,
}

impl Playbook {
    /// The title of one of its guideline documents, by id (the id if none is listed).
    pub fn source_title<'a>(&'a self, id: &'a str) -> &'a str {
        self.sources
            .iter()
            .find(|s| s.id == id)
            .map_or(id, |s| s.title.as_str())
    }

    /// A citation as people read it: the document's title and the clause, with the words
    /// it quotes in 「」 when `words`.
    pub fn cited(&self, c: &Citation, words: bool) -> String {
        let doc = self.source_title(&c.source);
        match (&c.text, words) {
            (Some(text), true) => format!("{doc} {}「{text}」", c.clause),
            _ => format!("{doc} {}", c.clause),
        }
    }

    /// The division or role that answers to `name` (the name itself if the directory does
    /// not know it).
    pub fn holder_of<'a>(&'a self, name: &'a str) -> &'a str {
        self.holders.get(name).map_or(name, String::as_str)
    }

    /// Whether `name` names a division, role or part rather than a person: one of the
    /// directory's names, or a part the stock playbooks name.
    pub fn names_a_party(&self, name: &str) -> bool {
        let name = name.trim();
        self.parties.iter().any(|p| p == name)
            || crate::directory::parts::StockPart::named(name).is_some()
    }

    /// The step marked with a milestone, if the playbook marks one.
    pub fn milestone(&self, milestone: Milestone) -> Option<StepIx> {
        self.graph
            .order()
            .iter()
            .copied()
            .find(|ix| self.graph.step(*ix).and_then(|s| s.milestone) == Some(milestone))
    }
}

/// A fact of the incident the playbook declares (see `facts:` in docs/playbook-format.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fact {
    /// Its name, as a placeholder and on the command line.
    pub id: String,
    /// What it is, as the operator is asked for it.
    pub label: String,
    /// What kind of value it holds.
    pub kind: FactKind,
    /// It must be given at the start.
    pub required: bool,
    /// `choice`: the values it may take; `division`: the directory's divisions.
    pub options: Vec<String>,
    /// `division`: the parts a division of the directory plays (part → division), so a
    /// part's name (広報担当課) given as the value records the town's division that plays it.
    pub parts: BTreeMap<String, String>,
    /// `division`: the account fact whose owning division it follows, and the owners the
    /// directory lists (account as [`account_key`] makes it → division).
    pub from_account: Option<(String, BTreeMap<String, String>)>,
    /// `account` with `official`: the organisation's own accounts the directory lists (as
    /// [`account_key`] makes them); a value not among them is refused. `None` where the
    /// directory lists none (nothing to check against).
    pub official: Option<std::collections::BTreeSet<String>>,
    /// `account`: the account fact (or `account`) this one can never be.
    pub differs_from: Option<String>,
    /// Several values, each added when set; recorded one per line.
    pub list: bool,
    /// What of the account register it takes when the incident starts.
    pub register: Option<RegisterField>,
}

pub use crate::directory::account_key;

impl Fact {
    /// The values recorded for it (a list's each; another fact's one).
    pub fn entries<'v>(&self, recorded: &'v str) -> Vec<&'v str> {
        if self.list {
            recorded.lines().filter(|l| !l.is_empty()).collect()
        } else {
            vec![recorded]
        }
    }

    /// The value as recorded, if it is one this fact can hold: text on one line, a URL, an
    /// account, a date and time (stored as RFC 3339, read in JST), or one of the options.
    pub fn normalize(&self, value: &str) -> Option<String> {
        let value = value.trim();
        if value.is_empty() || value.chars().any(char::is_control) {
            return None;
        }
        match self.kind {
            FactKind::Text => Some(value.to_string()),
            FactKind::Url => (value.starts_with("https://") || value.starts_with("http://"))
                .then(|| value.to_string()),
            FactKind::Account => (!value.contains(char::is_whitespace)).then(|| value.to_string()),
            FactKind::Datetime => chrono::DateTime::parse_from_rfc3339(value)
                .ok()
                .or_else(|| {
                    ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y/%m/%d %H:%M"]
                        .iter()
                        .find_map(|f| chrono::NaiveDateTime::parse_from_str(value, f).ok())
                        .and_then(|t| t.and_local_timezone(crate::clock::jst()).single())
                })
                .map(|t| t.to_rfc3339()),
            FactKind::Choice => self
                .options
                .iter()
                .any(|o| o == value)
                .then(|| value.to_string()),
            FactKind::Division => {
                if self.options.iter().any(|o| o == value) {
                    Some(value.to_string())
                } else {
                    self.parts.get(value).cloned()
                }
            }
        }
    }

    /// A date and time fact's value as the time it is (stored as RFC 3339); `None` for other
    /// kinds, or a value that is not one.
    pub fn time(&self, value: &str) -> Option<chrono::DateTime<chrono::FixedOffset>> {
        (self.kind == FactKind::Datetime)
            .then(|| chrono::DateTime::parse_from_rfc3339(value).ok())
            .flatten()
    }

    /// The value as people read it: a list's values joined with 「、」, a date and time as
    /// `2026-12-10 17:32` (JST), anything else as recorded.
    pub fn shown(&self, value: &str) -> String {
        if self.list {
            return self.entries(value).join("、");
        }
        self.time(value)
            .map_or_else(|| value.to_string(), |t| crate::clock::format_jst(t, false))
    }
}

/// A guideline document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceDocument {
    /// Short id used in citations.
    pub id: String,
    /// Title.
    pub title: String,
    /// Issuer.
    pub issuer: Option<String>,
    /// Issue date as written.
    pub issued: Option<String>,
    /// URL.
    pub url: Option<String>,
    /// The words of its clauses, by clause.
    pub clauses: BTreeMap<String, String>,
}

/// A clause of a guideline document that a step implements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Citation {
    /// Id of the document in the playbook's `sources`.
    pub source: String,
    /// The clause (e.g. `7(1)`).
    pub clause: String,
    /// The clause's words, as quoted by the step or the document's `clauses`.
    pub text: Option<String>,
}

/// Guideline clauses a step departs from on purpose (`departs_from`), with the reason: a
/// report prints them as departures, not among the clauses followed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Departure {
    /// The clauses.
    pub clauses: Vec<Citation>,
    /// Why, in one line.
    pub reason: String,
}

/// An option of a decision, or a severity level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Choice {
    /// Id used in conditions and on the command line.
    pub id: String,
    /// Title shown to people.
    pub title: String,
    /// When to choose it.
    pub description: Option<String>,
}

/// A deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Due {
    /// How long.
    pub within: TimeDelta,
    /// Counted from when.
    pub from: DueFrom,
}

/// A checked `when:` condition: holds when the decision's answer is one of `options`
/// (or, when `negated`, none of them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Condition {
    /// The decision step.
    pub decision: StepIx,
    /// Indices into the decision's options.
    pub options: Vec<usize>,
    /// `!=`.
    pub negated: bool,
}

impl Condition {
    /// Whether the condition holds for the decision's answer (an option index).
    pub fn holds(&self, answer: usize) -> bool {
        self.options.contains(&answer) != self.negated
    }

    /// The decision step and the options the condition names, as the playbook has them.
    pub fn named<'p>(&self, playbook: &'p Playbook) -> Option<(&'p Step, Vec<&'p Choice>)> {
        let decision = playbook.graph.step(self.decision)?;
        let StepKind::Decision(d) = &decision.kind else {
            return None;
        };
        let options = self
            .options
            .iter()
            .filter_map(|o| d.options.get(*o))
            .collect();
        Some((decision, options))
    }
}

/// One checked step.
#[derive(Debug, Clone)]
pub struct Step {
    /// Identifier.
    pub id: String,
    /// Title.
    pub title: String,
    /// What it is, with its kind-specific data.
    pub kind: StepKind,
    /// Prerequisites.
    pub after: Vec<StepIx>,
    /// Steps whose completion ends this one (it no longer applies).
    pub until: Vec<StepIx>,
    /// Condition on a decision.
    pub when: Option<Condition>,
    /// Responsible role or division (with `owner_by`: the `default`, if any).
    pub owner: Option<String>,
    /// Deadline (with `due_by`: the longest of them, for the critical path).
    pub due: Option<Due>,
    /// The owner by a decision's answer (`owner: {option: role, default: role}`).
    pub owner_by: Option<ByOption<String>>,
    /// The deadline by a decision's answer (`due: {option: 4m, default: 30m}`).
    pub due_by: Option<ByOption<Due>>,
    /// What to do.
    pub guidance: Option<String>,
    /// Platform-specific additions to the guidance.
    pub platform_guidance: BTreeMap<Platform, String>,
    /// Guideline clauses implemented.
    pub sources: Vec<Citation>,
    /// `basis: practice`: the step rests on practice, not on a guideline clause; why.
    pub practice: Option<String>,
    /// Clauses the step departs from on purpose, and why.
    pub departure: Option<Departure>,
    /// Sub-items.
    pub checklist: Vec<String>,
    /// Evidence to record.
    pub evidence: Vec<EvidencePrompt>,
    /// Divisions or roles to reach by phone or form in this step.
    pub contacts: Vec<String>,
    /// `action`: text to paste into a form or document.
    pub draft: Option<Template>,
    /// The facts that must be known before the step can be done: those its texts use and
    /// those declared `ask_before` it.
    pub facts: Vec<String>,
    /// The moment of the incident its first completion marks (for the yearly summary).
    pub milestone: Option<Milestone>,
    /// Phrases a public text uses to say this step's act is done.
    pub announces: Vec<String>,
    /// Facts shown with the step, with their values.
    pub shows: Vec<String>,
}

/// A value that depends on a decision's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ByOption<T> {
    /// The decision (one of the step's prerequisites).
    pub decision: StepIx,
    /// The value for each of its options, by index (`None`: none for that answer).
    pub values: Vec<Option<T>>,
}

impl<T> ByOption<T> {
    /// The value for the decision's answer, if it is answered.
    pub fn given(&self, answer: impl Fn(StepIx) -> Option<usize>) -> Option<Option<&T>> {
        answer(self.decision).map(|a| self.values.get(a).and_then(Option::as_ref))
    }
}

impl Step {
    /// The deadline once the decisions are answered as `answer` says (the step's own
    /// deadline until the decision it depends on is answered).
    pub fn due_given(&self, answer: impl Fn(StepIx) -> Option<usize>) -> Option<Due> {
        match self.due_by.as_ref().and_then(|b| b.given(answer)) {
            Some(due) => due.copied(),
            None => self.due,
        }
    }

    /// The owner once the decisions are answered as `answer` says.
    pub fn owner_given(&self, answer: impl Fn(StepIx) -> Option<usize>) -> Option<&str> {
        match self.owner_by.as_ref().and_then(|b| b.given(answer)) {
            Some(owner) => owner.map(String::as_str),
            None => self.owner.as_deref(),
        }
    }

    /// Every division, role or part the step names: its owner (by any answer), contacts,
    /// recipients, approver, and the names its texts write out (`{{広報担当課}}`). Facts
    /// used in texts are among them; the caller keeps the names it knows.
    pub fn names(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        out.extend(self.owner.as_deref());
        if let Some(by) = &self.owner_by {
            out.extend(by.values.iter().flatten().map(String::as_str));
        }
        out.extend(self.contacts.iter().map(String::as_str));
        let mut texts: Vec<&Template> = self.draft.iter().collect();
        match &self.kind {
            StepKind::Notify(n) => {
                out.extend(n.to.iter().chain(&n.add_to).map(String::as_str));
                texts.extend([&n.subject, &n.body]);
            }
            StepKind::Post(p) => {
                out.push(&p.approver);
                texts.push(&p.statement);
            }
            StepKind::Approval { approver } => out.push(approver),
            _ => {}
        }
        out.extend(texts.iter().flat_map(|t| t.placeholders().map(|(n, _)| n)));
        let mut seen = Vec::new();
        out.retain(|n| {
            let new = !seen.contains(n);
            seen.push(*n);
            new
        });
        out
    }

    /// The guidance for a platform: the general text followed by the platform's addition.
    pub fn guidance_for(&self, platform: Option<Platform>) -> String {
        let mut text = self.guidance.clone().unwrap_or_default();
        if let Some(extra) = platform.and_then(|p| self.platform_guidance.get(&p)) {
            if !text.is_empty() && !text.ends_with('\n') {
                text.push('\n');
            }
            text.push_str(extra);
        }
        text
    }
}

/// What a step is, with the data of that kind.
#[derive(Debug, Clone)]
pub enum StepKind {
    /// Something to do.
    Action,
    /// Mail to divisions or roles.
    Notify(Notify),
    /// A question with options.
    Decision(Decision),
    /// 決裁 by a role.
    Approval {
        /// The role that approves.
        approver: String,
    },
    /// A public statement.
    Post(Post),
    /// A recurring check.
    Monitor(Monitor),
}

impl StepKind {
    /// The kind's name as written in YAML.
    pub fn name(&self) -> &'static str {
        match self {
            StepKind::Action => "action",
            StepKind::Notify(_) => "notify",
            StepKind::Decision(_) => "decision",
            StepKind::Approval { .. } => "approval",
            StepKind::Post(_) => "post",
            StepKind::Monitor(_) => "monitor",
        }
    }
}

/// A notify step's data.
#[derive(Debug, Clone)]
pub struct Notify {
    /// Divisions or roles to mail (names in the directory).
    pub to: Vec<String>,
    /// Facts of kind `division` whose value is mailed too (`to: ["{{name}}"]`): the step
    /// waits until they are known.
    pub to_facts: Vec<String>,
    /// Divisions or roles the operator may add at run time.
    pub add_to: Vec<String>,
    /// Subject template.
    pub subject: Template,
    /// Body template.
    pub body: Template,
    /// Each recipient must acknowledge within this time.
    pub ack_within: Option<TimeDelta>,
}

/// A decision step's data.
#[derive(Debug, Clone)]
pub struct Decision {
    /// The question.
    pub question: String,
    /// The options (for a severity decision, the playbook's severities).
    pub options: Vec<Choice>,
    /// Whether the answer is the incident's severity.
    pub severity: bool,
}

/// A post step's data.
#[derive(Debug, Clone)]
pub struct Post {
    /// What it is for.
    pub purpose: PostPurpose,
    /// Where it is published.
    pub channel: PostChannel,
    /// The role that approves it.
    pub approver: String,
    /// The statement template.
    pub statement: Template,
    /// The approval step whose approval covers this statement's text.
    pub approved_in: Option<StepIx>,
    /// Sentences said once a step is done (`{{claims}}`), in order.
    pub claims: Vec<Claim>,
}

/// A sentence of a post's statement said only once a step is done, or when a decision's
/// answer holds.
#[derive(Debug, Clone)]
pub struct Claim {
    /// What it rests on.
    pub on: ClaimOn,
    /// Said once it is done.
    pub text: Template,
    /// Said while it is not; `None`: left out.
    pub otherwise: Option<Template>,
}

/// What a claim rests on.
#[derive(Debug, Clone)]
pub enum ClaimOn {
    /// A step done.
    Done(StepIx),
    /// A decision's answer.
    When(Condition),
}

/// A monitor step's data.
#[derive(Debug, Clone)]
pub struct Monitor {
    /// How often.
    pub every: TimeDelta,
    /// What to observe.
    pub observe: Vec<String>,
}
