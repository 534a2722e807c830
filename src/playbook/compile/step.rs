//! One step as written → a [`Step`]: the parts every kind has, the fields that belong to
//! other kinds, and one builder per kind; and a step's `when`, resolved against the decisions.

use std::collections::{BTreeMap, HashMap};

use serde_saphyr::Spanned;

use super::{Compiler, MAX_OPTIONS, PendingWhen, pos, valid_id};
use crate::playbook::condition::parse_condition;
use crate::playbook::diagnostic::{Position, Problem, suggest};
use crate::playbook::graph::StepIx;
use crate::playbook::model::{Basis, FactKind, Milestone, StepDef, StepKindName};
use crate::playbook::template::Template;
use crate::playbook::{
    Choice, Citation, Condition, Decision, Departure, Monitor, Notify, Platform, Post,
    SourceDocument, Step, StepKind,
};

/// The option id meant by what was written in a condition: the option with that title (an
/// author often writes the title shown on screen), else the closest id or title.
fn option_meant(written: &str, options: &[(String, String)]) -> Option<String> {
    if let Some((id, _)) = options.iter().find(|(_, title)| title == written) {
        return Some(id.clone());
    }
    if let Some(id) = suggest(written, options.iter().map(|(id, _)| id.as_str())) {
        return Some(id);
    }
    let title = suggest(written, options.iter().map(|(_, t)| t.as_str()))?;
    options
        .iter()
        .find(|(_, t)| *t == title)
        .map(|(id, _)| id.clone())
}

/// What the fields of a step say about its kind: whether each belongs to it.
type FieldUse<'a> = (&'a str, Option<Position>, &'a [StepKindName]);

/// The steps built, with what the graph-wide checks need to point at the source.
pub(super) struct Built {
    /// The steps, in file order; complete only if `ok`.
    pub steps: Vec<Step>,
    /// Every step could be built.
    pub ok: bool,
    /// Step ids in file order.
    pub ids: Vec<String>,
    /// Where each step's id is written.
    pub id_at: Vec<Position>,
    /// Each step's prerequisites (`after`), by index.
    pub edges: Vec<Vec<StepIx>>,
    /// Each step's `after` entries: the prerequisite's index and where it is written.
    pub after_spans: Vec<Vec<(usize, Position)>>,
    /// The resolved `when` conditions.
    pub pending_when: Vec<PendingWhen>,
    /// The severity decision's index, if there is one.
    pub severity_decision: Option<usize>,
}

impl Compiler<'_> {
    /// Builds every step: first the ids (so references can be resolved in any order), then
    /// each step with its `after`, `when` and kind.
    pub(super) fn steps(
        &mut self,
        defs: Vec<StepDef>,
        severities: &[Choice],
        platforms: &[Platform],
        sources: &[SourceDocument],
    ) -> Built {
        let index = self.step_index(&defs);
        let decision_options: Vec<Option<Vec<(String, String)>>> = defs
            .iter()
            .map(|s| match s.kind.value {
                StepKindName::Decision if s.severity.as_ref().is_some_and(|v| v.value) => Some(
                    severities
                        .iter()
                        .map(|c| (c.id.clone(), c.title.clone()))
                        .collect(),
                ),
                StepKindName::Decision => Some(
                    s.options
                        .as_ref()
                        .map(|o| {
                            o.value
                                .iter()
                                .map(|c| (c.id.value.clone(), c.title.clone()))
                                .collect()
                        })
                        .unwrap_or_default(),
                ),
                _ => None,
            })
            .collect();
        let mut built = Built {
            steps: Vec::with_capacity(defs.len()),
            ok: true,
            ids: defs.iter().map(|s| s.id.value.clone()).collect(),
            id_at: defs.iter().map(|s| pos(&s.id)).collect(),
            edges: Vec::with_capacity(defs.len()),
            after_spans: Vec::with_capacity(defs.len()),
            pending_when: Vec::new(),
            severity_decision: None,
        };
        let mut severity_name: Option<String> = None;
        // Each milestone with the step that carries it first.
        let mut milestones: Vec<(Milestone, String)> = Vec::new();
        for (i, def) in defs.into_iter().enumerate() {
            if let Some(m) = &def.milestone {
                match milestones.iter().find(|(k, _)| *k == m.value) {
                    Some((_, first)) => self.error(
                        pos(m),
                        m.value.as_str(),
                        Problem::DuplicateMilestone {
                            milestone: m.value.as_str().into(),
                            first: first.clone(),
                        },
                    ),
                    None => milestones.push((m.value, def.id.value.clone())),
                }
            }
            let (after, spans) = self.after(&def, &index, &built.ids);
            built.after_spans.push(spans);
            built.edges.push(after.clone());
            if let Some(w) = &def.when
                && let Some(p) = self.when(i, w, &index, &built.ids, &decision_options)
            {
                built.pending_when.push(p);
            }
            if def.kind.value == StepKindName::Decision
                && def.severity.as_ref().is_some_and(|v| v.value)
            {
                if let Some(first) = &severity_name {
                    let at = def.severity.as_ref().map_or(pos(&def.kind), pos);
                    self.error(
                        at,
                        "severity",
                        Problem::SecondSeverityDecision {
                            first: first.clone(),
                        },
                    );
                } else {
                    built.severity_decision = Some(i);
                    severity_name = Some(def.id.value.clone());
                }
            }
            let until = self.until(&def, &index, &built.ids);
            match self.step(def, severities, platforms, sources) {
                Some(mut step) => {
                    step.after = after;
                    step.until = until;
                    step.when = built
                        .pending_when
                        .last()
                        .filter(|p| p.step == i)
                        .map(|p| p.condition.clone());
                    built.steps.push(step);
                }
                None => built.ok = false,
            }
        }
        built
    }

    /// Step ids to their index; reports ids that are malformed or repeated.
    fn step_index(&mut self, defs: &[StepDef]) -> HashMap<String, usize> {
        let mut index: HashMap<String, usize> = HashMap::with_capacity(defs.len());
        for (i, step) in defs.iter().enumerate() {
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
                let first_line = pos(&defs[*first].id).line;
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
        index
    }

    /// A step's prerequisites, each once, with where each is written; unknown ids are
    /// reported with the closest one.
    fn after(
        &mut self,
        def: &StepDef,
        index: &HashMap<String, usize>,
        ids: &[String],
    ) -> (Vec<StepIx>, Vec<(usize, Position)>) {
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
        (after, spans)
    }

    /// The steps that end a step (`until`): each a known step other than itself.
    fn until(
        &mut self,
        def: &StepDef,
        index: &HashMap<String, usize>,
        ids: &[String],
    ) -> Vec<StepIx> {
        let mut until = Vec::new();
        for u in &def.until {
            match index.get(&u.value) {
                Some(&j) if u.value != def.id.value => {
                    let ix = StepIx::from_index(j);
                    if !until.contains(&ix) {
                        until.push(ix);
                    }
                }
                _ => {
                    let suggestion = suggest(&u.value, ids.iter().map(String::as_str));
                    self.error(
                        pos(u),
                        u.value.clone(),
                        Problem::UnknownStep {
                            id: u.value.clone(),
                            suggestion,
                        },
                    );
                }
            }
        }
        until
    }

    /// Resolves a step's `when` against the decisions: the decision must exist and be one,
    /// and every option must be one of its options.
    pub(super) fn when(
        &mut self,
        step: usize,
        w: &Spanned<String>,
        index: &HashMap<String, usize>,
        ids: &[String],
        decision_options: &[Option<Vec<(String, String)>>],
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
            match option_ids.iter().position(|(x, _)| *x == o.text) {
                Some(k) => options.push(k),
                None => self.error(
                    self.inside_scalar(at, o.offset),
                    o.text.clone(),
                    Problem::WhenUnknownOption {
                        decision: name.clone(),
                        option: o.text.clone(),
                        suggestion: option_meant(&o.text, option_ids),
                        options: option_ids.iter().map(|(id, _)| id.clone()).collect(),
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
    pub(super) fn step(
        &mut self,
        mut def: StepDef,
        severities: &[Choice],
        platforms: &[Platform],
        sources: &[SourceDocument],
    ) -> Option<Step> {
        let owner = def
            .owner
            .as_ref()
            .and_then(|o| self.owner(&def.id.value, o));
        let contacts: Vec<String> = def
            .contacts
            .iter()
            .filter_map(|c| self.party(c, true))
            .collect();
        let draft = def.draft.as_ref().and_then(|d| self.template(d, false));
        let due = def
            .due
            .as_ref()
            .and_then(|d| self.due(&def.id.value, d, def.due_from));
        let mut platform_guidance = BTreeMap::new();
        for (platform, text) in std::mem::take(&mut def.platform_guidance) {
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
        let citations = self.citations(&def, sources);
        let practice = self.basis(&def);
        let departure = self.departure(&def, sources, &citations);
        let shows = self.shown_facts(&def);
        let fits = self.fields_fit_kind(&def);
        let facts = self.facts_used(&def);
        let kind = match def.kind.value {
            StepKindName::Action => Some(StepKind::Action),
            StepKindName::Notify => self.notify(&def),
            StepKindName::Decision => self.decision(&def, severities),
            StepKindName::Approval => match &def.approver {
                Some(a) => self
                    .party(a, false)
                    .map(|approver| StepKind::Approval { approver }),
                None => {
                    self.missing(&def, "approver");
                    None
                }
            },
            StepKindName::Post => self.post(&def),
            StepKindName::Monitor => self.monitor(&def),
        };
        if !fits {
            return None;
        }
        Some(Step {
            id: def.id.value,
            title: def.title,
            kind: kind?,
            after: Vec::new(),
            until: Vec::new(),
            when: None,
            owner,
            due,
            owner_by: None,
            due_by: None,
            guidance: def.guidance,
            platform_guidance,
            sources: citations,
            practice,
            departure,
            checklist: def.checklist,
            evidence: def.evidence,
            contacts,
            draft,
            facts,
            milestone: def.milestone.map(|m| m.value),
            announces: def.announces,
            shows,
        })
    }

    /// A recipient `{{name}}`: the declared fact of kind `division` it names.
    fn division_fact(&mut self, at: &Spanned<String>, name: &str) -> Option<String> {
        match self.facts.iter().find(|f| f.id == name) {
            Some(f) if f.kind == FactKind::Division => Some(name.to_string()),
            Some(_) => {
                self.error(
                    pos(at),
                    at.value.clone(),
                    Problem::FactNotOfKind {
                        name: name.to_string(),
                        field: "to".into(),
                        kind: "division".into(),
                    },
                );
                None
            }
            None => {
                let suggestion = suggest(name, self.fact_names());
                self.error(
                    pos(at),
                    at.value.clone(),
                    Problem::UnknownFact {
                        name: name.to_string(),
                        suggestion,
                    },
                );
                None
            }
        }
    }

    /// The declared facts a step's texts use (they must be known before it is done), and
    /// the facts it mails (`to: ["{{name}}"]`).
    fn facts_used(&self, def: &StepDef) -> Vec<String> {
        let names = self.fact_names();
        let known = self.template_names();
        let texts = [&def.draft, &def.subject, &def.body, &def.statement];
        let mut used: Vec<String> = Vec::new();
        for text in texts.into_iter().flatten() {
            let Ok(template) = Template::parse_with(&text.value, &known) else {
                continue;
            };
            for (name, _) in template.placeholders() {
                if names.contains(&name) && !used.iter().any(|u| u == name) {
                    used.push(name.to_string());
                }
            }
        }
        let recipients = def.to.iter().flat_map(|to| to.value.iter());
        for name in recipients.filter_map(|t| recipient_fact(&t.value)) {
            if names.contains(&name) && !used.iter().any(|u| u == name) {
                used.push(name.to_string());
            }
        }
        used
    }

    /// `shows:`: each a declared fact.
    fn shown_facts(&mut self, def: &StepDef) -> Vec<String> {
        let mut out = Vec::new();
        for name in &def.shows {
            if self.facts.iter().any(|f| f.id == name.value) {
                out.push(name.value.clone());
            } else {
                let suggestion = suggest(&name.value, self.facts.iter().map(|f| f.id.as_str()));
                self.error(
                    pos(name),
                    name.value.clone(),
                    Problem::UnknownFact {
                        name: name.value.clone(),
                        suggestion,
                    },
                );
            }
        }
        out
    }

    /// The guideline clauses a step cites (`source:`), each naming a listed document; a step
    /// citing none gets a warning.
    fn citations(&mut self, def: &StepDef, sources: &[SourceDocument]) -> Vec<Citation> {
        let citations = def
            .source
            .iter()
            .filter_map(|s| self.citation(s, sources))
            .collect();
        let practice = def
            .basis
            .as_ref()
            .is_some_and(|b| b.value == Basis::Practice);
        if def.source.is_empty() && !practice {
            self.warning(
                pos(&def.id),
                def.id.value.clone(),
                Problem::NoSource {
                    step: def.id.value.clone(),
                },
            );
        }
        citations
    }

    /// One citation, `document-id clause` with the clause's words optionally in 「」, naming
    /// a listed document; `None` (reported) if it does not.
    fn citation(&mut self, s: &Spanned<String>, sources: &[SourceDocument]) -> Option<Citation> {
        let text = s.value.trim();
        let Some((doc, clause)) = text.split_once(char::is_whitespace) else {
            self.error(
                pos(s),
                s.value.clone(),
                Problem::BadCitation {
                    citation: s.value.clone(),
                },
            );
            return None;
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
            return None;
        }
        // The clause's own words may follow in 「」.
        let (clause, quoted) = match clause.split_once('「') {
            Some((c, rest)) => (c, Some(rest.trim_end().trim_end_matches('」').to_string())),
            None => (clause, None),
        };
        let clause = clause.trim().to_string();
        let text = quoted.filter(|q| !q.trim().is_empty()).or_else(|| {
            sources
                .iter()
                .find(|d| d.id == doc)
                .and_then(|d| d.clauses.get(&clause).cloned())
        });
        Some(Citation {
            source: doc.into(),
            clause,
            text,
        })
    }

    /// `departs_from` with its one-line `departure_reason`: the clauses a step departs from
    /// on purpose. The same words both followed and departed from, a departure without a
    /// reason and a reason without a departure are errors.
    fn departure(
        &mut self,
        def: &StepDef,
        sources: &[SourceDocument],
        followed: &[Citation],
    ) -> Option<Departure> {
        let mut clauses = Vec::new();
        for s in &def.departs_from {
            let Some(c) = self.citation(s, sources) else {
                continue;
            };
            // One sentence of a clause may be followed and another departed from, each quoted.
            if followed.iter().any(|f| {
                f.source == c.source
                    && f.clause == c.clause
                    && (f.text == c.text || f.text.is_none())
            }) {
                self.error(
                    pos(s),
                    s.value.clone(),
                    Problem::FollowedAndDeparted {
                        clause: format!("{} {}", c.source, c.clause),
                    },
                );
                continue;
            }
            clauses.push(c);
        }
        let reason = def
            .departure_reason
            .as_ref()
            .map(|r| (r, r.value.trim()))
            .filter(|(_, r)| !r.is_empty() && !r.contains('\n'));
        match (def.departs_from.first(), &def.departure_reason) {
            (Some(first), _) if reason.is_none() => {
                let at = def
                    .departure_reason
                    .as_ref()
                    .map_or_else(|| pos(first), pos);
                self.error(at, "departure_reason", Problem::DepartureNeedsReason);
                None
            }
            (None, Some(r)) => {
                let at = self.key_position(pos(r), "departure_reason");
                self.error(at, "departure_reason", Problem::ReasonWithoutDeparture);
                None
            }
            _ => reason
                .filter(|_| !clauses.is_empty())
                .map(|(_, r)| Departure {
                    clauses,
                    reason: r.to_string(),
                }),
        }
    }

    /// `basis: practice` with its one-line reason: the reason, or what is missing.
    fn basis(&mut self, def: &StepDef) -> Option<String> {
        let practice = def.basis.as_ref().filter(|b| b.value == Basis::Practice);
        match (practice, &def.basis_reason) {
            (Some(_), Some(r)) if !r.value.trim().is_empty() && !r.value.trim().contains('\n') => {
                Some(r.value.trim().to_string())
            }
            (Some(_), Some(r)) => {
                self.error(pos(r), r.value.clone(), Problem::PracticeNeedsReason);
                None
            }
            (Some(b), None) => {
                self.error(pos(b), "practice", Problem::PracticeNeedsReason);
                None
            }
            (None, Some(r)) => {
                let at = self.key_position(pos(r), "basis_reason");
                self.error(at, "basis_reason", Problem::ReasonWithoutPractice);
                None
            }
            (None, None) => None,
        }
    }

    /// Reports every field that belongs to another kind; `false` if there was one.
    fn fields_fit_kind(&mut self, def: &StepDef) -> bool {
        use StepKindName::{Action, Approval, Decision, Monitor, Notify, Post};
        let present: [FieldUse; 17] = [
            ("draft", def.draft.as_ref().map(pos), &[Action]),
            ("to", def.to.as_ref().map(pos), &[Notify]),
            ("add_to", def.add_to.as_ref().map(pos), &[Notify]),
            ("subject", def.subject.as_ref().map(pos), &[Notify]),
            ("body", def.body.as_ref().map(pos), &[Notify]),
            ("ack_within", def.ack_within.as_ref().map(pos), &[Notify]),
            ("question", def.question.as_ref().map(pos), &[Decision]),
            ("options", def.options.as_ref().map(pos), &[Decision]),
            ("severity", def.severity.as_ref().map(pos), &[Decision]),
            (
                "approver",
                def.approver.as_ref().map(pos),
                &[Approval, Post],
            ),
            ("purpose", def.purpose.as_ref().map(pos), &[Post]),
            ("channel", def.channel.as_ref().map(pos), &[Post]),
            ("statement", def.statement.as_ref().map(pos), &[Post]),
            ("approved_in", def.approved_in.as_ref().map(pos), &[Post]),
            (
                "claims",
                (!def.claims.is_empty()).then(|| pos(&def.id)),
                &[Post],
            ),
            ("every", def.every.as_ref().map(pos), &[Monitor]),
            ("observe", def.observe.as_ref().map(pos), &[Monitor]),
        ];
        let kind = def.kind.value;
        let mut fits = true;
        for (field, at, kinds) in present {
            if let Some(at) = at
                && !kinds.contains(&kind)
            {
                let at = self.key_position(at, field);
                self.error(
                    at,
                    field,
                    Problem::FieldNotForKind {
                        field: field.into(),
                        kind: kind.as_str().into(),
                    },
                );
                fits = false;
            }
        }
        fits
    }

    /// A field the step's kind needs is missing: reported at `kind:`.
    fn missing(&mut self, def: &StepDef, field: &str) {
        let kind = def.kind.value.as_str();
        self.error(
            pos(&def.kind),
            kind,
            Problem::MissingForKind {
                field: field.into(),
                kind: kind.into(),
            },
        );
    }

    fn notify(&mut self, def: &StepDef) -> Option<StepKind> {
        let mut to_facts = Vec::new();
        let to = match &def.to {
            Some(to) if !to.value.is_empty() => {
                let mut parties = Vec::new();
                for t in &to.value {
                    match recipient_fact(&t.value) {
                        Some(name) => to_facts.extend(self.division_fact(t, name)),
                        None => parties.extend(self.party(t, true)),
                    }
                }
                Some(parties)
            }
            _ => {
                self.missing(def, "to");
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
                self.missing(def, "subject");
                None
            }
        };
        let body = match &def.body {
            Some(b) => self.template(b, true),
            None => {
                self.missing(def, "body");
                None
            }
        };
        let ack_within = def.ack_within.as_ref().and_then(|a| self.duration(a));
        let add_to = def
            .add_to
            .iter()
            .flat_map(|a| a.value.iter())
            .filter_map(|t| self.party(t, true))
            .collect();
        Some(StepKind::Notify(Notify {
            add_to,
            to: to?,
            to_facts,
            subject: subject?,
            body: body?,
            ack_within,
        }))
    }

    /// A decision: its own options, or the playbook's severities (`severity: true`).
    fn decision(&mut self, def: &StepDef, severities: &[Choice]) -> Option<StepKind> {
        let kind_at = pos(&def.kind);
        let severity = def.severity.as_ref().is_some_and(|s| s.value);
        let question = def.question.as_ref().map(|q| q.value.clone());
        if question.is_none() {
            self.missing(def, "question");
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
            match &def.options {
                Some(o) if !o.value.is_empty() => {
                    let choices = self.choices(o.value.clone(), "option");
                    if choices.len() > MAX_OPTIONS {
                        self.error(pos(o), "", Problem::TooManyOptions { limit: MAX_OPTIONS });
                    }
                    choices
                }
                _ => {
                    self.missing(def, "options");
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

    fn post(&mut self, def: &StepDef) -> Option<StepKind> {
        let approver = match (&def.approver, &def.approved_in) {
            (Some(a), _) => self.party(a, false),
            // The approval step's approver, once it is resolved.
            (None, Some(step)) => {
                self.approvals.push((def.id.value.clone(), step.clone()));
                Some(String::new())
            }
            (None, None) => {
                self.missing(def, "approver");
                None
            }
        };
        if let (Some(_), Some(step)) = (&def.approver, &def.approved_in) {
            self.approvals.push((def.id.value.clone(), step.clone()));
        }
        if let Some(s) = &def.statement
            && let Some(u) = crate::text::unfinished::unfinished(&s.value)
            // A placeholder is checked as a placeholder, not as a mark left in the text.
            && !u.mark.starts_with("{{")
        {
            self.warning(
                pos(s),
                u.mark.clone(),
                Problem::UnfinishedStatement {
                    step: def.id.value.clone(),
                    mark: u.mark,
                },
            );
        }
        let statement = match &def.statement {
            Some(s) => self.template(s, false),
            None => {
                self.missing(def, "statement");
                None
            }
        };
        if let Some(s) = &def.statement {
            self.claims
                .push((def.id.value.clone(), def.claims.clone(), s.clone()));
        }
        if def.purpose.is_none() {
            self.missing(def, "purpose");
        }
        if def.channel.is_none() {
            self.missing(def, "channel");
        }
        Some(StepKind::Post(Post {
            purpose: def.purpose.as_ref()?.value,
            channel: def.channel.as_ref()?.value,
            approver: approver?,
            statement: statement?,
            approved_in: None,
            claims: Vec::new(),
        }))
    }

    fn monitor(&mut self, def: &StepDef) -> Option<StepKind> {
        let Some(e) = &def.every else {
            self.missing(def, "every");
            return None;
        };
        self.duration(e).map(|every| {
            StepKind::Monitor(Monitor {
                every,
                observe: def
                    .observe
                    .as_ref()
                    .map(|o| o.value.clone())
                    .unwrap_or_default(),
            })
        })
    }
}

/// `{{name}}` as a recipient: the fact's name.
fn recipient_fact(recipient: &str) -> Option<&str> {
    recipient
        .trim()
        .strip_prefix("{{")?
        .strip_suffix("}}")
        .map(str::trim)
}
