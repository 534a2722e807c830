//! The checks on the whole graph, once every step is built: cycles, conditions that can be
//! decided in time, steps that can never apply, and deadlines counted from the start.

use chrono::TimeDelta;

use super::{Compiler, PendingWhen};
use crate::playbook::diagnostic::{Position, Problem};
use crate::playbook::graph::{StepGraph, StepIx};
use crate::playbook::{Due, DueFrom, StepKind};

impl Compiler<'_> {
    pub(super) fn cycle(
        &mut self,
        cycle: &[StepIx],
        ids: &[String],
        after_spans: &[Vec<(usize, Position)>],
    ) {
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
    pub(super) fn check_when_is_decidable(&mut self, graph: &StepGraph, pending: &[PendingWhen]) {
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
    pub(super) fn check_applicability(
        &mut self,
        graph: &StepGraph,
        id_at: &[Position],
        ids: &[String],
    ) {
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
    pub(super) fn check_start_deadlines(
        &mut self,
        graph: &StepGraph,
        after_spans: &[Vec<(usize, Position)>],
    ) {
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
                        due_seconds: within.num_seconds(),
                        chain_seconds: latest.num_seconds(),
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
