//! The incident's declared facts: set at the start, by an inject or later (each change
//! journalled), and needed before the steps that use them.

use std::collections::BTreeMap;

use super::Refusal;
use crate::incident::event::Event;
use crate::incident::state::IncidentState;
use crate::playbook::diagnostic::suggest;
use crate::playbook::{Fact, Playbook, StepIx};

fn declared<'p>(playbook: &'p Playbook, name: &str) -> Result<&'p Fact, Refusal> {
    playbook
        .facts
        .iter()
        .find(|f| f.id == name)
        .ok_or_else(|| Refusal::UnknownFact {
            name: name.to_string(),
            suggestion: suggest(name, playbook.facts.iter().map(|f| f.id.as_str())),
            known: playbook.facts.iter().map(|f| f.id.clone()).collect(),
        })
}

/// The value as recorded, or why it cannot be this fact's value.
fn value_of(fact: &Fact, value: &str) -> Result<String, Refusal> {
    fact.normalize(value).ok_or_else(|| Refusal::BadFactValue {
        fact: fact.id.clone(),
        kind: fact.kind,
        options: fact.options.clone(),
    })
}

/// The facts given at the start, as recorded; every required fact must be among them.
pub(super) fn at_start(
    playbook: &Playbook,
    given: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, Refusal> {
    let mut out = BTreeMap::new();
    for (name, value) in given {
        let fact = declared(playbook, name)?;
        out.insert(name.clone(), value_of(fact, value)?);
    }
    let missing: Vec<(String, String)> = playbook
        .facts
        .iter()
        .filter(|f| f.required && !out.contains_key(&f.id))
        .map(|f| (f.id.clone(), f.label.clone()))
        .collect();
    if missing.is_empty() {
        Ok(out)
    } else {
        Err(Refusal::FactsNeeded {
            step: None,
            facts: missing,
        })
    }
}

/// `hikeshi fact` / an inject: set or change one fact.
pub(super) fn set(
    state: &IncidentState,
    playbook: &Playbook,
    name: &str,
    value: &str,
) -> Result<Event, Refusal> {
    let fact = declared(playbook, name)?;
    let value = value_of(fact, value)?;
    let previous = state.facts.get(name).cloned();
    if previous.as_deref() == Some(value.as_str()) {
        return Err(Refusal::FactUnchanged {
            fact: name.to_string(),
            value,
        });
    }
    Ok(Event::FactSet {
        fact: name.to_string(),
        value,
        previous,
    })
}

/// A step that uses facts (or has facts asked before it) waits until they are known.
pub(super) fn needed_by(
    state: &IncidentState,
    playbook: &Playbook,
    ix: StepIx,
) -> Result<(), Refusal> {
    let Some(step) = playbook.graph.step(ix) else {
        return Ok(());
    };
    let missing: Vec<(String, String)> = step
        .facts
        .iter()
        .filter(|f| !state.facts.contains_key(*f))
        .filter_map(|f| playbook.facts.iter().find(|d| d.id == *f))
        .map(|f| (f.id.clone(), f.label.clone()))
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(Refusal::FactsNeeded {
            step: Some(step.id.clone()),
            facts: missing,
        })
    }
}
