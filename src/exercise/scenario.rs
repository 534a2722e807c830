//! Exercise scenarios (`playbooks/exercises/*.yaml`): the story, the injects on a simulated
//! clock, the target times and the scripted participant. The file model is what is written;
//! [`check`] turns it into a [`Scenario`] checked against the playbook it runs, with every
//! problem reported at its file, line and column.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, FixedOffset, TimeDelta};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::clock::jst;
use crate::playbook::diagnostic::suggest;
use crate::playbook::duration::parse_duration;
use crate::playbook::{
    Diagnostic, Limits, Platform, Playbook, Position, Problem, SourceFile, Step, StepKind,
};

/// A scenario file.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "hikeshi exercise scenario")]
pub struct ScenarioFile {
    /// Identifier, lower-case ASCII with hyphens (e.g. `takeover-friday-night`).
    #[schemars(with = "String")]
    pub scenario: Spanned<String>,
    /// Title in Japanese.
    pub title: String,
    /// Version of this scenario.
    #[serde(default)]
    pub version: Option<String>,
    /// The playbook to run: the id of a playbook beside this folder or its parent (e.g.
    /// `unauthorized-access` finds `../unauthorized-access.yaml`), a file path relative to
    /// this file, or a stock playbook id.
    #[schemars(with = "String")]
    pub playbook: Spanned<String>,
    /// When the story begins, RFC 3339 (e.g. `2026-11-27T22:00:00+09:00`): the simulated
    /// clock starts here.
    #[schemars(with = "String")]
    pub starts_at: Spanned<String>,
    /// The incident as the participants first hear of it.
    pub incident: IncidentDef,
    /// The situation given at the start (状況付与), read out by the facilitator.
    pub narrative: String,
    /// Who takes part, and as what.
    #[serde(default)]
    pub participants: Vec<Participant>,
    /// What happens during the exercise, at simulated times.
    #[serde(default)]
    pub injects: Vec<InjectDef>,
    /// Target completion times per step, from the start (e.g. `detect: 10m`). The score
    /// compares the actual times with these.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, String>")]
    pub targets: BTreeMap<String, Spanned<String>>,
    /// How the scripted participant of `--autopilot` plays.
    #[serde(default)]
    pub autopilot: AutopilotDef,
}

/// The incident an exercise opens.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IncidentDef {
    /// Incident title (【訓練】 is added on screen and in mail).
    pub title: String,
    /// The affected account, if known at the start.
    #[serde(default)]
    pub account: Option<String>,
    /// The affected platform, if known at the start.
    #[serde(default)]
    pub platform: Option<Platform>,
    /// Severity at the start, one of the playbook's `severities`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub severity: Option<Spanned<String>>,
    /// The playbook's declared facts known at the start (e.g. `genuine_account: "@city"`).
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, String>")]
    pub facts: BTreeMap<String, Spanned<String>>,
}

/// A participant and their role.
#[derive(Debug, Clone, Deserialize, JsonSchema, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Participant {
    /// The role in the exercise (e.g. `当番職員`, `広報広聴課長`).
    pub role: String,
    /// Who plays it, if assigned.
    #[serde(default)]
    pub name: Option<String>,
    /// What they are expected to do.
    #[serde(default)]
    pub tasks: Option<String>,
}

/// An inject: something that happens at a simulated time.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InjectDef {
    /// Identifier, lower-case ASCII with hyphens.
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// When, from the start: `0m`, `5m`, `1h30m`.
    #[schemars(with = "String")]
    pub at: Spanned<String>,
    /// A headline for the pop-up.
    pub title: String,
    /// What the participants are told.
    pub text: String,
    /// What the inject changes in the incident.
    #[serde(default)]
    pub effects: EffectsDef,
}

/// The effects of an inject.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EffectsDef {
    /// The affected account becomes known (e.g. `"@city_official"`).
    #[serde(default)]
    pub account: Option<String>,
    /// The affected platform becomes known.
    #[serde(default)]
    pub platform: Option<Platform>,
    /// Declared facts that become known or change (e.g. `fake_account: "@city_0fficial"`).
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, String>")]
    pub facts: BTreeMap<String, Spanned<String>>,
    /// The answer a decision must get (e.g. the mayor has decided): given as soon as the
    /// decision is ready, or at once if it is.
    #[serde(default)]
    pub decide: Option<DecideDef>,
    /// A complication: a note for the participants, optionally re-opening a done step.
    #[serde(default)]
    pub complication: Option<ComplicationDef>,
    /// A new mention count for a 炎上 monitor step, recorded as its observation.
    #[serde(default)]
    pub mentions: Option<MentionsDef>,
}

/// A decision's answer given by an inject.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DecideDef {
    /// The decision step.
    #[schemars(with = "String")]
    pub step: Spanned<String>,
    /// The option.
    #[schemars(with = "String")]
    pub option: Spanned<String>,
}

/// A complication.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ComplicationDef {
    /// What goes wrong (e.g. `2段階認証の端末が見つからない`).
    pub text: String,
    /// The step it is about.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub step: Option<Spanned<String>>,
    /// Re-open that step if it is done (it must be done again).
    #[serde(default)]
    pub reopen: bool,
}

/// A mention count for a monitor.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MentionsDef {
    /// The monitor step.
    #[schemars(with = "String")]
    pub step: Spanned<String>,
    /// Mentions per hour now.
    pub count: u64,
}

/// The scripted participant.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AutopilotDef {
    /// How long a step takes once it is ready, unless `delays` says otherwise (default 3m).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub default_delay: Option<Spanned<String>>,
    /// How long particular steps take once ready.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, String>")]
    pub delays: BTreeMap<String, Spanned<String>>,
    /// The option chosen at each decision (default: the first option).
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, String>")]
    pub decisions: BTreeMap<String, Spanned<String>>,
    /// Steps skipped, with the reason.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, String>")]
    pub skip: BTreeMap<String, Spanned<String>>,
    /// The name recorded for approvals (default: the approving role, marked 訓練); a
    /// person's name, never a division's, role's or part's.
    #[serde(default)]
    pub approver: Option<String>,
    /// The review recorded at the end.
    #[serde(default)]
    pub review: Option<ReviewDef>,
}

/// A review (振り返り).
#[derive(Debug, Clone, Deserialize, JsonSchema, serde::Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ReviewDef {
    /// 良かった点.
    pub good: String,
    /// 課題.
    pub issues: String,
    /// 改善策.
    pub improvements: String,
}

/// A checked scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Identifier.
    pub id: String,
    /// Title.
    pub title: String,
    /// Version.
    pub version: Option<String>,
    /// The playbook as written.
    pub playbook: String,
    /// When the story begins.
    pub starts_at: DateTime<FixedOffset>,
    /// Incident title.
    pub incident_title: String,
    /// Account at the start.
    pub account: Option<String>,
    /// Platform at the start.
    pub platform: Option<Platform>,
    /// Severity at the start.
    pub severity: Option<String>,
    /// The declared facts known at the start.
    pub facts: BTreeMap<String, String>,
    /// The situation at the start.
    pub narrative: String,
    /// Participants.
    pub participants: Vec<Participant>,
    /// Injects, in the order they fire (by time, then as written).
    pub injects: Vec<Inject>,
    /// Target times by step id.
    pub targets: Vec<(String, TimeDelta)>,
    /// The scripted participant.
    pub autopilot: Autopilot,
}

/// A checked inject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inject {
    /// Identifier.
    pub id: String,
    /// From the start.
    pub at: TimeDelta,
    /// Headline.
    pub title: String,
    /// Text.
    pub text: String,
    /// What it changes.
    pub effects: Vec<Effect>,
}

/// One thing an inject changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// The affected account or platform becomes known.
    Account {
        /// Account.
        account: Option<String>,
        /// Platform.
        platform: Option<Platform>,
    },
    /// Declared facts become known or change, in order.
    Facts(Vec<(String, String)>),
    /// A decision's answer.
    Decide {
        /// Decision step id.
        step: String,
        /// Option id.
        option: String,
    },
    /// A complication.
    Complication {
        /// What goes wrong.
        text: String,
        /// The step.
        step: Option<String>,
        /// Re-open it if done.
        reopen: bool,
    },
    /// A mention count for a monitor.
    Mentions {
        /// Monitor step id.
        step: String,
        /// Mentions per hour.
        count: u64,
    },
}

/// The checked scripted participant.
#[derive(Debug, Clone)]
pub struct Autopilot {
    /// Default time a step takes once ready.
    pub default_delay: TimeDelta,
    /// Per-step times.
    pub delays: HashMap<String, TimeDelta>,
    /// Decision answers.
    pub decisions: HashMap<String, String>,
    /// Steps skipped, with reasons.
    pub skip: HashMap<String, String>,
    /// Approver name.
    pub approver: Option<String>,
    /// The review to record.
    pub review: Option<ReviewDef>,
}

/// The time a step takes by default in autopilot.
const DEFAULT_DELAY_MINUTES: i64 = 3;

/// Parses an inject time: a duration, or zero (`0`, `0m`, `0s`) for the start.
fn parse_offset(text: &str) -> Option<TimeDelta> {
    let t = text.trim();
    if matches!(t, "0" | "0s" | "0m" | "0h") {
        return Some(TimeDelta::zero());
    }
    parse_duration(t)
}

fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.starts_with('-')
}

/// Parses a scenario file (shape only). A file that does not parse gets one diagnostic.
pub fn parse(source: &SourceFile, limits: &Limits) -> Result<ScenarioFile, Box<Diagnostic>> {
    crate::playbook::load::parse_yaml(source, limits)
}

/// Whether a YAML text looks like a scenario (a top-level `scenario:` key) rather than a
/// playbook, so `check` can tell them apart in one folder.
pub fn looks_like_scenario(text: &str) -> bool {
    text.lines().any(|l| l.starts_with("scenario:"))
}

/// Collects diagnostics for one file.
struct Checker<'a> {
    source: &'a SourceFile,
    playbook: &'a Playbook,
    diagnostics: Vec<Diagnostic>,
}

impl Checker<'_> {
    fn error(&mut self, span: &serde_saphyr::Location, text: &str, problem: Problem) {
        let position = Position::from_location(span);
        self.diagnostics.push(Diagnostic::error(
            &self.source.name,
            position,
            text,
            problem,
        ));
    }

    fn error_at_key(&mut self, key: &str, span: &serde_saphyr::Location, problem: Problem) {
        // Map keys carry no position of their own: point at the value's line, at the key.
        let line = span.line() as usize;
        let column = self
            .source
            .text
            .lines()
            .nth(line.saturating_sub(1))
            .and_then(|l| l.find(key).map(|b| l[..b].chars().count() + 1))
            .unwrap_or(1);
        self.diagnostics.push(Diagnostic::error(
            &self.source.name,
            Position::new(line, column),
            key,
            problem,
        ));
    }

    /// The step with this id, or a diagnostic at `span`.
    fn step(
        &mut self,
        id: &str,
        span: &serde_saphyr::Location,
        at_key: bool,
    ) -> Option<&crate::playbook::Step> {
        let graph = &self.playbook.graph;
        if let Some(step) = graph.find(id).and_then(|ix| graph.step(ix)) {
            return Some(step);
        }
        let suggestion = suggest(
            id,
            graph
                .order()
                .iter()
                .filter_map(|ix| graph.step(*ix).map(|s| s.id.as_str())),
        );
        let problem = Problem::UnknownStep {
            id: id.to_string(),
            suggestion,
        };
        if at_key {
            self.error_at_key(id, span, problem);
        } else {
            self.error(span, id, problem);
        }
        None
    }

    fn duration(&mut self, value: &Spanned<String>, allow_zero: bool) -> Option<TimeDelta> {
        let parsed = if allow_zero {
            parse_offset(&value.value)
        } else {
            parse_duration(&value.value)
        };
        if parsed.is_none() {
            self.error(
                &value.referenced,
                &value.value,
                Problem::BadDuration {
                    text: value.value.clone(),
                },
            );
        }
        parsed
    }

    fn decision_option(&mut self, step: &str, option: &Spanned<String>) {
        let graph = &self.playbook.graph;
        let Some(s) = graph.find(step).and_then(|ix| graph.step(ix)) else {
            return;
        };
        let crate::playbook::StepKind::Decision(d) = &s.kind else {
            return;
        };
        if !d.options.iter().any(|o| o.id == option.value) {
            let options = d.options.iter().map(|o| o.id.clone()).collect();
            self.error(
                &option.referenced,
                &option.value,
                Problem::UnknownChoice {
                    step: step.to_string(),
                    option: option.value.clone(),
                    options,
                },
            );
        }
    }

    fn kind(
        &mut self,
        step: &crate::playbook::Step,
        span: &serde_saphyr::Location,
        expected: &str,
        ok: bool,
    ) {
        if !ok {
            let id = step.id.clone();
            self.error(
                span,
                &id,
                Problem::WrongStepKind {
                    step: id.clone(),
                    expected: expected.to_string(),
                },
            );
        }
    }
}

/// Checks a parsed scenario against the playbook it runs: ids, times, steps, options and
/// kinds. Returns every problem at once.
pub fn check(
    source: &SourceFile,
    file: ScenarioFile,
    playbook: &Playbook,
) -> Result<Scenario, Vec<Diagnostic>> {
    let mut c = Checker {
        source,
        playbook,
        diagnostics: Vec::new(),
    };
    let starts_at = c.header(&file);
    let mut injects = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for def in &file.injects {
        if let Some(inject) = c.inject(def, &mut seen) {
            injects.push(inject);
        }
    }
    // Stable: injects at the same time fire in the order written.
    injects.sort_by_key(|i| i.at);
    let mut targets = Vec::new();
    for (step, within) in &file.targets {
        let known = c.step(step, &within.referenced, true).is_some();
        if let Some(d) = c.duration(within, false)
            && known
        {
            targets.push((step.clone(), d));
        }
    }
    let autopilot = c.autopilot(&file.autopilot);
    let facts = c.facts(&file.incident.facts).into_iter().collect();
    if !c.diagnostics.is_empty() {
        return Err(c.diagnostics);
    }
    let Some(starts_at) = starts_at else {
        return Err(c.diagnostics);
    };
    Ok(Scenario {
        id: file.scenario.value,
        title: file.title,
        version: file.version,
        playbook: file.playbook.value,
        starts_at,
        incident_title: file.incident.title,
        account: file.incident.account,
        platform: file.incident.platform,
        severity: file.incident.severity.map(|s| s.value),
        facts,
        narrative: file.narrative,
        participants: file.participants,
        injects,
        targets,
        autopilot,
    })
}

impl Checker<'_> {
    /// The scenario's id, start time and the incident's severity; the start time if valid.
    fn header(&mut self, file: &ScenarioFile) -> Option<DateTime<FixedOffset>> {
        if !is_id(&file.scenario.value) {
            self.error(
                &file.scenario.referenced,
                &file.scenario.value,
                Problem::InvalidId {
                    what: "scenario".into(),
                },
            );
        }
        // A start far from now would only overflow the clock arithmetic: keep it plausible.
        let starts_at = DateTime::parse_from_rfc3339(file.starts_at.value.trim())
            .ok()
            .filter(|t| (2000..=2200).contains(&chrono::Datelike::year(t)))
            .map(|t| t.with_timezone(&jst()));
        if starts_at.is_none() {
            self.error(
                &file.starts_at.referenced,
                &file.starts_at.value,
                Problem::BadDate {
                    text: file.starts_at.value.clone(),
                },
            );
        }
        let severities = &self.playbook.severities;
        if let Some(sev) = &file.incident.severity
            && !severities.iter().any(|s| s.id == sev.value)
        {
            let problem = Problem::UnknownVariant {
                value: sev.value.clone(),
                suggestion: suggest(&sev.value, severities.iter().map(|s| s.id.as_str())),
                expected: severities.iter().map(|s| s.id.clone()).collect(),
            };
            self.error(&sev.referenced, &sev.value, problem);
        }
        starts_at
    }

    /// One inject and its effects; `None` if its time is not valid. `seen` holds the ids so
    /// far, with their lines.
    fn inject(&mut self, def: &InjectDef, seen: &mut HashMap<String, usize>) -> Option<Inject> {
        let id = def.id.value.clone();
        if !is_id(&id) {
            self.error(
                &def.id.referenced,
                &id,
                Problem::InvalidId {
                    what: "inject".into(),
                },
            );
        }
        if let Some(first_line) = seen.get(&id) {
            self.error(
                &def.id.referenced,
                &id,
                Problem::DuplicateId {
                    what: "inject".into(),
                    id: id.clone(),
                    first_line: *first_line,
                },
            );
        } else {
            seen.insert(id.clone(), def.id.referenced.line() as usize);
        }
        let at = self.duration(&def.at, true);
        let mut effects = Vec::new();
        let e = &def.effects;
        if e.account.is_some() || e.platform.is_some() {
            effects.push(Effect::Account {
                account: e.account.clone(),
                platform: e.platform,
            });
        }
        if !e.facts.is_empty() {
            effects.push(Effect::Facts(self.facts(&e.facts)));
        }
        if let Some(d) = &e.decide
            && let Some(step) = self.step(&d.step.value, &d.step.referenced, false).cloned()
        {
            self.decision(&step, &d.step.referenced, &d.option);
            effects.push(Effect::Decide {
                step: step.id.clone(),
                option: d.option.value.clone(),
            });
        }
        if let Some(k) = &e.complication {
            if k.reopen && k.step.is_none() {
                self.error(
                    &def.id.referenced,
                    &id,
                    Problem::MissingField {
                        field: "complication.step".into(),
                    },
                );
            }
            let step = match &k.step {
                Some(s) => self
                    .step(&s.value, &s.referenced, false)
                    .map(|s| s.id.clone()),
                None => None,
            };
            effects.push(Effect::Complication {
                text: k.text.clone(),
                step,
                reopen: k.reopen,
            });
        }
        if let Some(m) = &e.mentions
            && let Some(step) = self.step(&m.step.value, &m.step.referenced, false).cloned()
        {
            let ok = matches!(step.kind, StepKind::Monitor(_));
            self.kind(&step, &m.step.referenced, "monitor", ok);
            effects.push(Effect::Mentions {
                step: step.id.clone(),
                count: m.count,
            });
        }
        Some(Inject {
            id,
            at: at?,
            title: def.title.clone(),
            text: def.text.clone(),
            effects,
        })
    }

    /// A decision an inject or the autopilot takes: the step must be a decision and the
    /// option one of its options.
    fn decision(&mut self, step: &Step, span: &serde_saphyr::Location, option: &Spanned<String>) {
        let ok = matches!(step.kind, StepKind::Decision(_));
        self.kind(step, span, "decision", ok);
        if ok {
            self.decision_option(&step.id, option);
        }
    }

    /// Facts given by the scenario: each declared by the playbook, each value one it can hold.
    fn facts(&mut self, given: &BTreeMap<String, Spanned<String>>) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (name, value) in given {
            let Some(fact) = self.playbook.facts.iter().find(|f| f.id == *name) else {
                let suggestion = suggest(name, self.playbook.facts.iter().map(|f| f.id.as_str()));
                self.error(
                    &value.referenced,
                    name,
                    Problem::UnknownFact {
                        name: name.clone(),
                        suggestion,
                    },
                );
                continue;
            };
            match fact.normalize(&value.value) {
                Some(v) => out.push((name.clone(), v)),
                None => self.error(
                    &value.referenced,
                    &value.value,
                    Problem::BadFactValue { name: name.clone() },
                ),
            }
        }
        out
    }

    /// The scripted participant's settings.
    fn autopilot(&mut self, a: &AutopilotDef) -> Autopilot {
        let default_delay = match &a.default_delay {
            Some(d) => self
                .duration(d, true)
                .unwrap_or(TimeDelta::minutes(DEFAULT_DELAY_MINUTES)),
            None => TimeDelta::minutes(DEFAULT_DELAY_MINUTES),
        };
        let mut delays = HashMap::new();
        for (step, d) in &a.delays {
            let known = self.step(step, &d.referenced, true).is_some();
            if let Some(t) = self.duration(d, true)
                && known
            {
                delays.insert(step.clone(), t);
            }
        }
        let mut decisions = HashMap::new();
        for (step, option) in &a.decisions {
            if let Some(s) = self.step(step, &option.referenced, true).cloned() {
                self.decision(&s, &option.referenced, option);
                decisions.insert(step.clone(), option.value.clone());
            }
        }
        let mut skip = HashMap::new();
        for (step, reason) in &a.skip {
            if let Some(s) = self.step(step, &reason.referenced, true).cloned() {
                // A decision cannot be skipped (steps after it wait for its answer).
                self.kind(
                    &s,
                    &reason.referenced,
                    "action, notify, approval, post or monitor",
                    !matches!(s.kind, StepKind::Decision(_)),
                );
                skip.insert(step.clone(), reason.value.clone());
            }
        }
        if let Some(r) = &a.review
            && [&r.good, &r.issues, &r.improvements]
                .iter()
                .all(|t| t.trim().is_empty())
        {
            let position = self.source.find("review:").unwrap_or_else(Position::start);
            self.diagnostics.push(Diagnostic::error(
                &self.source.name,
                position,
                "review",
                Problem::MissingField {
                    field: "review.good".into(),
                },
            ));
        }
        // The engine refuses an approval under a part's name: every one would stall the run.
        if let Some(name) = &a.approver
            && self.playbook.names_a_party(name)
        {
            let position = self
                .source
                .find("approver:")
                .unwrap_or_else(Position::start);
            self.diagnostics.push(Diagnostic::error(
                &self.source.name,
                position,
                name,
                Problem::ApproverNotAPerson {
                    name: name.trim().to_string(),
                },
            ));
        }
        Autopilot {
            default_delay,
            delays,
            decisions,
            skip,
            approver: a.approver.clone(),
            review: a.review.clone(),
        }
    }
}

impl Scenario {
    /// The target time of a step.
    pub fn target(&self, step: &str) -> Option<TimeDelta> {
        self.targets
            .iter()
            .find(|(s, _)| s == step)
            .map(|(_, d)| *d)
    }
}

/// The JSON Schema of scenario files.
pub fn schema() -> String {
    let schema = schemars::schema_for!(ScenarioFile);
    serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n"
}
