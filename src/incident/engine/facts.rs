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
        // A division may be named by a part it plays: those names are offered too.
        options: fact
            .options
            .iter()
            .chain(fact.parts.keys())
            .cloned()
            .collect(),
    })
}

/// Whether two values of `fact` are the same: an account however it is written.
fn same_value(fact: &Fact, a: &str, b: &str) -> bool {
    match fact.kind {
        crate::playbook::FactKind::Account => {
            crate::playbook::account_key(a) == crate::playbook::account_key(b)
        }
        _ => a == b,
    }
}

/// The values recorded for the fact `name` (a list's each).
fn entries_of<'v>(playbook: &Playbook, name: &str, recorded: Option<&'v String>) -> Vec<&'v str> {
    match (playbook.facts.iter().find(|f| f.id == name), recorded) {
        (Some(f), Some(v)) => f.entries(v),
        (None, Some(v)) => vec![v.as_str()],
        _ => Vec::new(),
    }
}

/// An account fact's value against the account rules: one of the organisation's own accounts
/// (`official`), never the account another fact names (`differs_from`, in either direction).
/// `known` gives the other facts' values (and `account`, the affected account).
fn consistent<'a>(
    playbook: &Playbook,
    fact: &Fact,
    value: &str,
    known: impl Fn(&str) -> Vec<&'a str>,
) -> Result<(), Refusal> {
    use crate::playbook::account_key;
    let key = account_key(value);
    if let Some(own) = &fact.official
        && !own.contains(&key)
    {
        let skeleton = crate::directory::account_skeleton(&key);
        return Err(Refusal::NotAnOwnAccount {
            fact: fact.id.clone(),
            value: value.to_string(),
            lookalike: own
                .iter()
                .find(|o| crate::directory::account_skeleton(o) == skeleton)
                .cloned(),
        });
    }
    let others = fact.differs_from.iter().map(String::as_str).chain(
        playbook
            .facts
            .iter()
            .filter(|f| f.differs_from.as_deref() == Some(fact.id.as_str()))
            .map(|f| f.id.as_str()),
    );
    for other in others {
        if known(other).iter().any(|v| account_key(v) == key) {
            return Err(Refusal::SameAccount {
                fact: fact.id.clone(),
                other: other.to_string(),
                value: value.to_string(),
            });
        }
    }
    Ok(())
}

/// The facts given at the start, as recorded; every required fact must be among them.
pub(super) fn at_start(
    playbook: &Playbook,
    given: &BTreeMap<String, String>,
    account: Option<&str>,
) -> Result<BTreeMap<String, String>, Refusal> {
    let mut out = BTreeMap::new();
    for (name, value) in given {
        let fact = declared(playbook, name)?;
        // A list may start with several values, one per line (each checked).
        let value = if fact.list {
            let mut entries: Vec<String> = Vec::new();
            for entry in value.lines().filter(|l| !l.trim().is_empty()) {
                let entry = value_of(fact, entry)?;
                if !entries.contains(&entry) {
                    entries.push(entry);
                }
            }
            if entries.is_empty() {
                // Nothing given is refused as for any fact.
                value_of(fact, value)?
            } else {
                entries.join("\n")
            }
        } else {
            value_of(fact, value)?
        };
        out.insert(name.clone(), value);
    }
    // The account rules, between the values given (a list's each) and the affected account.
    for (name, value) in &out {
        let fact = declared(playbook, name)?;
        for entry in fact.entries(value) {
            consistent(playbook, fact, entry, |other| match other {
                ACCOUNT => account.map(|a| vec![a]).unwrap_or_default(),
                other => entries_of(playbook, other, out.get(other)),
            })?;
        }
    }
    let known = out.clone();
    let sources = account
        .map(|a| (ACCOUNT, a))
        .into_iter()
        .chain(known.iter().map(|(n, v)| (n.as_str(), v.as_str())));
    for (name, value) in sources {
        for (fact, division) in owners(playbook, name, value) {
            out.entry(fact).or_insert(division);
        }
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

/// The built-in placeholder for the incident's affected account, which a `division` fact
/// may follow like a declared account fact.
const ACCOUNT: &str = "account";

/// The account is identified (`hikeshi account`): the `division` facts that follow it and are
/// not yet known are set to the division that owns it.
pub(super) fn account_identified(
    state: &IncidentState,
    playbook: &Playbook,
    account: &str,
) -> Vec<Event> {
    followers(state, playbook, ACCOUNT, account)
}

fn followers(state: &IncidentState, playbook: &Playbook, name: &str, value: &str) -> Vec<Event> {
    owners(playbook, name, value)
        .filter(|(f, _)| !state.facts.contains_key(f))
        .map(|(fact, value)| Event::FactSet {
            fact,
            value,
            previous: None,
        })
        .collect()
}

/// The `division` facts that follow the account fact `name` (`from_account`), with the
/// division that owns `value` in the directory's list of accounts.
fn owners<'p>(
    playbook: &'p Playbook,
    name: &'p str,
    value: &str,
) -> impl Iterator<Item = (String, String)> + 'p {
    let key = crate::playbook::account_key(value);
    playbook.facts.iter().filter_map(move |f| {
        let (account, owners) = f.from_account.as_ref()?;
        (account == name)
            .then(|| owners.get(&key))
            .flatten()
            .map(|division| (f.id.clone(), division.clone()))
    })
}

/// `hikeshi fact` / an inject: set or change one fact. Setting an account also sets the
/// `division` facts that follow it and are not yet known, to the division that owns it.
pub(super) fn set(
    state: &IncidentState,
    playbook: &Playbook,
    name: &str,
    value: &str,
) -> Result<Vec<Event>, Refusal> {
    let fact = declared(playbook, name)?;
    let entry = value_of(fact, value)?;
    consistent(playbook, fact, &entry, |other| match other {
        ACCOUNT => state
            .account
            .as_deref()
            .map(|a| vec![a])
            .unwrap_or_default(),
        other => entries_of(playbook, other, state.facts.get(other)),
    })?;
    let previous = state.facts.get(name).cloned();
    // A list gains the value (once: an account however it is written); another fact takes it.
    let known = previous
        .as_deref()
        .map(|p| fact.entries(p))
        .unwrap_or_default();
    let same = |v: &str| same_value(fact, v, &entry);
    if (fact.list && known.iter().any(|v| same(v)))
        || (!fact.list && previous.as_deref() == Some(entry.as_str()))
    {
        return Err(Refusal::FactUnchanged {
            fact: name.to_string(),
            value: entry,
        });
    }
    let value = match (&previous, fact.list) {
        (Some(p), true) => format!("{p}\n{entry}"),
        _ => entry,
    };
    let followers = followers(state, playbook, name, &value);
    let mut events = vec![Event::FactSet {
        fact: name.to_string(),
        value,
        previous,
    }];
    events.extend(followers);
    Ok(events)
}

/// `hikeshi fact --remove`: one value taken back from a list fact, the rest kept (an account
/// compared however it is written). Only a list's value can be taken back.
pub(super) fn remove(
    state: &IncidentState,
    playbook: &Playbook,
    name: &str,
    value: &str,
) -> Result<Vec<Event>, Refusal> {
    let fact = declared(playbook, name)?;
    let recorded = state.facts.get(name);
    // Named as it was given (a division by the part it plays, a time as written).
    let given = fact
        .normalize(value.trim())
        .unwrap_or_else(|| value.trim().to_string());
    let same = |v: &str| same_value(fact, v, &given);
    let entries = recorded.map(|r| fact.entries(r)).unwrap_or_default();
    if !fact.list || !entries.iter().any(|v| same(v)) {
        return Err(Refusal::NotAFactValue {
            fact: name.to_string(),
            value: value.to_string(),
        });
    }
    let kept: Vec<&str> = entries.into_iter().filter(|v| !same(v)).collect();
    if kept.is_empty() {
        // A list never becomes empty: the last value is changed, not taken back.
        return Err(Refusal::LastFactValue {
            fact: name.to_string(),
        });
    }
    Ok(vec![Event::FactSet {
        fact: name.to_string(),
        value: kept.join("\n"),
        previous: recorded.cloned(),
    }])
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::playbook::FactKind;

    fn division_list() -> Fact {
        Fact {
            id: "told".into(),
            label: "知らせた課".into(),
            kind: FactKind::Division,
            required: false,
            options: vec!["広報広聴課".into(), "人事課".into()],
            parts: BTreeMap::from([("広報担当課".into(), "広報広聴課".into())]),
            from_account: None,
            official: None,
            differs_from: None,
            list: true,
            register: None,
        }
    }

    #[test]
    fn a_division_given_by_its_part_is_recorded_and_taken_back_as_the_division() {
        let fact = division_list();
        assert_eq!(value_of(&fact, "広報担当課").unwrap(), "広報広聴課");
        assert_eq!(value_of(&fact, "人事課").unwrap(), "人事課");
        let Err(Refusal::BadFactValue { options, .. }) = value_of(&fact, "運用管理者") else {
            panic!("a role is no division");
        };
        assert_eq!(options, ["広報広聴課", "人事課", "広報担当課"]);
        let given = fact.normalize("広報担当課").unwrap();
        assert!(same_value(&fact, "広報広聴課", &given));
    }
}
