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
use crate::playbook::{Claim, StepKind};

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
        let Some(step) = built.ids.iter().position(|id| *id == def.done.value) else {
            let suggestion = suggest(&def.done.value, built.ids.iter().map(String::as_str));
            self.error(
                super::pos(&def.done),
                def.done.value.clone(),
                Problem::UnknownStep {
                    id: def.done.value.clone(),
                    suggestion,
                },
            );
            return None;
        };
        // Said once the step is done: its own phrases may be in it; the text said until then
        // may not.
        self.check_phrases(built, post, &def.text, waits_for, Some(step), at);
        if let Some(otherwise) = &def.otherwise {
            self.check_phrases(built, post, otherwise, waits_for, None, at);
        }
        let names = self.template_names();
        let parse = |text: &str| crate::playbook::template::Template::parse_with(text, &names);
        let text = parse(&def.text).ok()?;
        let otherwise = match &def.otherwise {
            Some(o) => Some(parse(o).ok()?),
            None => None,
        };
        Some(Claim {
            step: StepIx::from_index(step),
            text,
            otherwise,
        })
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
