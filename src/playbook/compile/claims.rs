//! A post's claims: what its public text says was done is done when it is posted. A
//! statement that names a step's act (one of the step's `announces:` phrases) must wait for
//! that step, or say it among its `claims:` (said once the step is done); the engine checks
//! the text again when it is posted.

use super::Compiler;
use super::branches::prerequisites;
use super::step::Built;
use crate::playbook::diagnostic::{Position, Problem, suggest};
use crate::playbook::graph::StepIx;
use crate::playbook::model::ClaimDef;
use crate::playbook::{Claim, ClaimOn, StepKind};

impl Compiler<'_> {
    /// Each post's `claims:` built (each `done:` a step of the playbook), and every text of
    /// the post checked against the steps' phrases: a phrase of a step the text neither
    /// waits for nor is said under is an error where it is written.
    pub(super) fn resolve_claims(&mut self, built: &mut Built) {
        for (post, defs, statement) in std::mem::take(&mut self.claims) {
            let Some(i) = built.ids.iter().position(|id| *id == post) else {
                continue;
            };
            let waits_for = prerequisites(built, i);
            let at = super::pos(&statement);
            self.check_phrases(built, i, &statement.value, &waits_for, None, at);
            let mut claims = Vec::new();
            for def in &defs {
                claims.extend(self.claim(built, i, def, &waits_for, at));
            }
            if let Some(StepKind::Post(p)) = built.steps.get_mut(i).map(|s| &mut s.kind) {
                p.claims = claims;
            }
        }
    }

    fn claim(
        &mut self,
        built: &Built,
        post: usize,
        def: &ClaimDef,
        waits_for: &[usize],
        at: Position,
    ) -> Option<Claim> {
        let on = match (&def.done, &def.when) {
            (Some(done), None) => {
                let Some(step) = built.ids.iter().position(|id| *id == done.value) else {
                    let suggestion = suggest(&done.value, built.ids.iter().map(String::as_str));
                    self.error(
                        super::pos(done),
                        done.value.clone(),
                        Problem::UnknownStep {
                            id: done.value.clone(),
                            suggestion,
                        },
                    );
                    return None;
                };
                ClaimOn::Done(StepIx::from_index(step))
            }
            (None, Some(when)) => ClaimOn::When(self.claim_when(built, post, when, waits_for)?),
            _ => {
                self.error(
                    at,
                    def.text.clone(),
                    Problem::ClaimNeedsOneOf {
                        step: built.ids[post].clone(),
                    },
                );
                return None;
            }
        };
        // Said once the step is done: its own phrases may be in it; the text said until then
        // may not. A claim on a decision's answer names no act the post does not wait for.
        let said_under = match &on {
            ClaimOn::Done(s) => Some(s.index()),
            ClaimOn::When(_) => None,
        };
        // Looked for from the claim's own `done:` or `when:` (claims are written apart from
        // the statement).
        let from = def
            .done
            .as_ref()
            .or(def.when.as_ref())
            .map_or(at, super::pos);
        self.check_phrases(built, post, &def.text, waits_for, said_under, from);
        if let Some(otherwise) = &def.otherwise {
            self.check_phrases(built, post, otherwise, waits_for, None, from);
        }
        let names = self.template_names();
        let parse = |text: &str| crate::playbook::template::Template::parse_with(text, &names);
        let text = parse(&def.text).ok()?;
        let otherwise = match &def.otherwise {
            Some(o) => Some(parse(o).ok()?),
            None => None,
        };
        Some(Claim {
            on,
            text,
            otherwise,
        })
    }

    /// A claim's `when`: a condition on a decision among the post's prerequisites (so it is
    /// answered before the post is ready).
    fn claim_when(
        &mut self,
        built: &Built,
        post: usize,
        when: &serde_saphyr::Spanned<String>,
        waits_for: &[usize],
    ) -> Option<crate::playbook::Condition> {
        let index: std::collections::HashMap<String, usize> = built
            .ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id.clone(), i))
            .collect();
        let options: Vec<Option<Vec<(String, String)>>> = built
            .steps
            .iter()
            .map(|s| match &s.kind {
                StepKind::Decision(d) => Some(
                    d.options
                        .iter()
                        .map(|o| (o.id.clone(), o.title.clone()))
                        .collect(),
                ),
                _ => None,
            })
            .collect();
        let pending = self.when(post, when, &index, &built.ids, &options)?;
        if !waits_for.contains(&pending.condition.decision.index()) {
            self.error(
                pending.at,
                pending.decision_name.clone(),
                Problem::WhenUndecidable {
                    step: built.ids[post].clone(),
                    decision: pending.decision_name.clone(),
                },
            );
            return None;
        }
        Some(pending.condition)
    }

    /// Every phrase in `text` of a step other than the post itself, `said_under` and the
    /// steps it waits for: an error each (the text would claim an act not yet done).
    fn check_phrases(
        &mut self,
        built: &Built,
        post: usize,
        text: &str,
        waits_for: &[usize],
        said_under: Option<usize>,
        at: Position,
    ) {
        for (s, step) in built.steps.iter().enumerate() {
            if s == post || Some(s) == said_under || waits_for.contains(&s) {
                continue;
            }
            if let Some(phrase) = step.announces.iter().find(|p| text.contains(p.as_str())) {
                // Where the phrase is written, from where its text begins.
                let at = self.find_from(at, phrase).unwrap_or(at);
                self.error(
                    at,
                    phrase.clone(),
                    Problem::ClaimWithoutDependency {
                        step: built.ids[post].clone(),
                        act: step.id.clone(),
                        phrase: phrase.clone(),
                    },
                );
            }
        }
    }
}
