//! `due` and `owner` by a decision's answer: `due: {safety: 4m, daily-life: 30m}`. The keys
//! are the options of one decision among the step's prerequisites (found from the keys, as
//! an author writes them) and `default`; every option needs a value or there is a default.

use serde_saphyr::Spanned;

use super::step::Built;
use super::{Compiler, pos};
use crate::playbook::diagnostic::{Position, Problem, suggest};
use crate::playbook::graph::StepIx;
use crate::playbook::model::{DueFrom, PerOption};
use crate::playbook::{ByOption, Due, StepKind};

/// The key that gives the value for answers the map does not name.
const DEFAULT: &str = "default";

/// What a branch map is for.
#[derive(Debug, Clone)]
pub(super) enum Field {
    Due(Vec<(String, Due)>),
    Owner(Vec<(String, String)>),
}

impl Field {
    fn name(&self) -> &'static str {
        match self {
            Field::Due(_) => "due",
            Field::Owner(_) => "owner",
        }
    }

    fn keys(&self) -> Vec<&str> {
        match self {
            Field::Due(v) => v.iter().map(|(k, _)| k.as_str()).collect(),
            Field::Owner(v) => v.iter().map(|(k, _)| k.as_str()).collect(),
        }
    }
}

/// A map waiting for the graph: which step, the values checked so far, where it is written.
#[derive(Debug, Clone)]
pub(super) struct Pending {
    step: String,
    field: Field,
    at: Position,
}

impl Compiler<'_> {
    /// A step's `owner`: one role, or by option (resolved later; the `default` meanwhile).
    pub(super) fn owner(&mut self, step: &str, value: &Spanned<PerOption>) -> Option<String> {
        let at = pos(value);
        match &value.value {
            PerOption::One(name) => self.party_at(name, at, false),
            PerOption::ByOption(map) => {
                let mut values = Vec::new();
                for (key, name) in map {
                    if let Some(role) = self.party_at(name, at, false) {
                        values.push((key.clone(), role));
                    }
                }
                let default = values
                    .iter()
                    .find(|(k, _)| k == DEFAULT)
                    .map(|(_, v)| v.clone());
                self.branches.push(Pending {
                    step: step.to_string(),
                    field: Field::Owner(values),
                    at,
                });
                default
            }
        }
    }

    /// A step's `due`: one deadline, or by option (the longest meanwhile: the critical path
    /// counts the worst case).
    pub(super) fn due(
        &mut self,
        step: &str,
        value: &Spanned<PerOption>,
        from: DueFrom,
    ) -> Option<Due> {
        let at = pos(value);
        match &value.value {
            PerOption::One(text) => self
                .duration_at(text, at)
                .map(|within| Due { within, from }),
            PerOption::ByOption(map) => {
                let mut values = Vec::new();
                for (key, text) in map {
                    if let Some(within) = self.duration_at(text, at) {
                        values.push((key.clone(), Due { within, from }));
                    }
                }
                let longest = values.iter().map(|(_, d)| *d).max_by_key(|d| d.within);
                self.branches.push(Pending {
                    step: step.to_string(),
                    field: Field::Due(values),
                    at,
                });
                longest
            }
        }
    }

    /// Resolves every branch map against the decisions among its step's prerequisites.
    pub(super) fn resolve_branches(&mut self, built: &mut Built) {
        for pending in std::mem::take(&mut self.branches) {
            let Some(i) = built.ids.iter().position(|id| *id == pending.step) else {
                continue;
            };
            let Some((decision, options)) = self.decision_for(built, i, &pending) else {
                continue;
            };
            let Some(step) = built.steps.get_mut(i) else {
                continue;
            };
            let decision = StepIx::from_index(decision);
            match pending.field {
                Field::Due(values) => step.due_by = Some(by_option(decision, &options, values)),
                Field::Owner(values) => {
                    step.owner_by = Some(by_option(decision, &options, values));
                }
            }
        }
    }

    /// The decision whose options the map's keys are: among the step's prerequisites, direct
    /// or not. Every option needs a value unless there is a `default`.
    fn decision_for(
        &mut self,
        built: &Built,
        step: usize,
        pending: &Pending,
    ) -> Option<(usize, Vec<String>)> {
        let keys: Vec<&str> = pending
            .field
            .keys()
            .into_iter()
            .filter(|k| *k != DEFAULT)
            .collect();
        let decisions: Vec<(usize, Vec<String>)> = prerequisites(built, step)
            .into_iter()
            .filter_map(|d| match &built.steps.get(d)?.kind {
                StepKind::Decision(dec) => {
                    Some((d, dec.options.iter().map(|o| o.id.clone()).collect()))
                }
                _ => None,
            })
            .collect();
        let fitting: Vec<&(usize, Vec<String>)> = decisions
            .iter()
            .filter(|(_, options)| keys.iter().all(|k| options.iter().any(|o| o == k)))
            .collect();
        let field = pending.field.name();
        let (decision, options) = match fitting.as_slice() {
            [one] => (*one).clone(),
            [] => {
                // The key that fits no decision, with the option it was likely meant to be.
                let all = decisions
                    .iter()
                    .flat_map(|(_, o)| o.iter().map(String::as_str));
                let key = keys
                    .iter()
                    .find(|k| !decisions.iter().any(|(_, o)| o.iter().any(|x| x == *k)))
                    .or(keys.first())
                    .copied()
                    .unwrap_or_default();
                self.error(
                    pending.at,
                    key,
                    Problem::BranchUnknownOption {
                        field: field.into(),
                        option: key.to_string(),
                        suggestion: suggest(key, all),
                    },
                );
                return None;
            }
            several => {
                let names = several
                    .iter()
                    .filter_map(|(d, _)| built.ids.get(*d).cloned())
                    .collect();
                self.error(
                    pending.at,
                    field,
                    Problem::BranchAmbiguous {
                        field: field.into(),
                        decisions: names,
                    },
                );
                return None;
            }
        };
        let has_default = pending.field.keys().contains(&DEFAULT);
        let missing: Vec<String> = options
            .iter()
            .filter(|o| !keys.contains(&o.as_str()))
            .cloned()
            .collect();
        if !has_default && !missing.is_empty() {
            self.error(
                pending.at,
                field,
                Problem::BranchNotCovered {
                    field: field.into(),
                    decision: built.ids.get(decision).cloned().unwrap_or_default(),
                    missing,
                },
            );
            return None;
        }
        Some((decision, options))
    }
}

impl Compiler<'_> {
    /// A post's `approved_in`: an approval step among its prerequisites; its approver is the
    /// post's when the post names none.
    pub(super) fn resolve_approvals(&mut self, built: &mut Built) {
        for (post, approval) in std::mem::take(&mut self.approvals) {
            let Some(i) = built.ids.iter().position(|id| *id == post) else {
                continue;
            };
            let Some(a) = built.ids.iter().position(|id| *id == approval.value) else {
                let suggestion = suggest(&approval.value, built.ids.iter().map(String::as_str));
                self.error(
                    pos(&approval),
                    approval.value.clone(),
                    Problem::UnknownStep {
                        id: approval.value.clone(),
                        suggestion,
                    },
                );
                continue;
            };
            let approver = match built.steps.get(a).map(|s| &s.kind) {
                Some(StepKind::Approval { approver }) if prerequisites(built, i).contains(&a) => {
                    approver.clone()
                }
                _ => {
                    self.error(
                        pos(&approval),
                        approval.value.clone(),
                        Problem::ApprovedInNotAnApproval {
                            step: approval.value.clone(),
                        },
                    );
                    continue;
                }
            };
            if let Some(StepKind::Post(p)) = built.steps.get_mut(i).map(|s| &mut s.kind) {
                p.approved_in = Some(StepIx::from_index(a));
                if p.approver.is_empty() {
                    p.approver = approver;
                }
            }
        }
    }
}

/// The value for each of the decision's options: the one named, else the `default`.
fn by_option<T: Clone>(
    decision: StepIx,
    options: &[String],
    values: Vec<(String, T)>,
) -> ByOption<T> {
    let default = values
        .iter()
        .find(|(k, _)| k == DEFAULT)
        .map(|(_, v)| v.clone());
    let mut per = vec![default; options.len()];
    for (k, v) in values {
        if let Some(o) = options.iter().position(|o| *o == k) {
            per[o] = Some(v);
        }
    }
    ByOption {
        decision,
        values: per,
    }
}

/// Every step `step` waits for, directly or not.
pub(super) fn prerequisites(built: &Built, step: usize) -> Vec<usize> {
    let mut seen = vec![false; built.edges.len()];
    let mut stack: Vec<usize> = built
        .edges
        .get(step)
        .map(|e| e.iter().map(|ix| ix.index()).collect())
        .unwrap_or_default();
    let mut out = Vec::new();
    while let Some(i) = stack.pop() {
        if seen.get(i).copied().unwrap_or(true) {
            continue;
        }
        seen[i] = true;
        out.push(i);
        if let Some(e) = built.edges.get(i) {
            stack.extend(e.iter().map(|ix| ix.index()));
        }
    }
    out.sort_unstable();
    out
}
