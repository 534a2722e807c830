//! The playbook's declared facts: names that do not clash with the built-in placeholders,
//! kinds with what they need, and the step each is asked before.

use std::collections::{BTreeMap, HashMap};

use super::{Compiler, pos};
use crate::playbook::diagnostic::{Problem, suggest};
use crate::playbook::model::{FactDef, FactKind};
use crate::playbook::template::{Filter, PLACEHOLDERS, TIME_PLACEHOLDERS, Template};
use crate::playbook::{Fact, Step};

/// A fact's name: lower-case ASCII, digits and underscores, starting with a letter (it is
/// written inside `{{…}}` and after `--fact`).
fn valid_name(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

impl Compiler<'_> {
    /// Checks the declared facts; they become placeholders for every template after this.
    pub(super) fn facts(&mut self, defs: &[FactDef]) -> Vec<Fact> {
        let mut seen: HashMap<&str, usize> = HashMap::new();
        let mut facts = Vec::new();
        for def in defs {
            let name = def.id.value.as_str();
            let at = pos(&def.id);
            if PLACEHOLDERS.contains(&name) {
                self.error(
                    at,
                    name,
                    Problem::FactIsBuiltIn {
                        name: name.to_string(),
                    },
                );
                continue;
            }
            if !valid_name(name) {
                self.error(
                    at,
                    name,
                    Problem::InvalidFactName {
                        name: name.to_string(),
                    },
                );
                continue;
            }
            if let Some(first_line) = seen.get(name) {
                self.error(
                    at,
                    name,
                    Problem::DuplicateId {
                        what: "fact".into(),
                        id: name.to_string(),
                        first_line: *first_line,
                    },
                );
                continue;
            }
            seen.insert(name, at.line);
            let choice = def.kind == FactKind::Choice;
            if choice && def.options.is_empty() {
                self.error(
                    at,
                    name,
                    Problem::MissingForKind {
                        field: "options".into(),
                        kind: "choice".into(),
                    },
                );
            } else if !choice && !def.options.is_empty() {
                let at = self.find_from(at, "options:").unwrap_or(at);
                self.error(
                    at,
                    "options",
                    Problem::FieldNotForKind {
                        field: "options".into(),
                        kind: "fact".into(),
                    },
                );
            }
            let division = def.kind == FactKind::Division;
            let options: Vec<String> = if division {
                self.directory
                    .divisions
                    .iter()
                    .map(|d| d.id.clone())
                    .collect()
            } else {
                def.options.clone()
            };
            // Only parts a division plays: a role is no division.
            let parts = if division {
                self.directory
                    .parts
                    .iter()
                    .filter(|p| options.contains(&p.played_by))
                    .map(|p| (p.part.clone(), p.played_by.clone()))
                    .collect()
            } else {
                BTreeMap::new()
            };
            facts.push(Fact {
                id: name.to_string(),
                label: def.label.clone(),
                kind: def.kind,
                required: def.required,
                options,
                parts,
                from_account: None,
                official: None,
                differs_from: None,
                list: def.list,
                register: def.register.as_ref().map(|r| r.value),
            });
        }
        self.follow_accounts(defs, &mut facts);
        self.account_rules(defs, &mut facts);
        self.facts = facts.clone();
        facts
    }

    /// `from_account`: only on a `division` fact, naming a declared `account` fact; the
    /// directory's owners of accounts are copied in, so the engine needs no directory.
    fn follow_accounts(&mut self, defs: &[FactDef], facts: &mut [Fact]) {
        for def in defs {
            let Some(account) = &def.from_account else {
                continue;
            };
            let at = pos(account);
            if def.kind != FactKind::Division {
                let at = self.find_from(pos(&def.id), "from_account:").unwrap_or(at);
                self.error(
                    at,
                    "from_account",
                    Problem::FieldNotForKind {
                        field: "from_account".into(),
                        kind: "fact".into(),
                    },
                );
                continue;
            }
            let names: Vec<&str> = defs.iter().map(|d| d.id.value.as_str()).collect();
            match defs.iter().find(|d| d.id.value == account.value) {
                // The incident's affected account (`--account`, `hikeshi account`).
                None if account.value == "account" => {}
                None => {
                    self.error(
                        at,
                        account.value.clone(),
                        Problem::UnknownFact {
                            name: account.value.clone(),
                            suggestion: suggest(&account.value, names),
                        },
                    );
                    continue;
                }
                Some(target) if target.kind != FactKind::Account => {
                    self.error(
                        at,
                        account.value.clone(),
                        Problem::FactNotOfKind {
                            name: account.value.clone(),
                            field: "from_account".into(),
                            kind: "account".into(),
                        },
                    );
                    continue;
                }
                Some(_) => {}
            }
            let owners = self
                .directory
                .divisions
                .iter()
                .flat_map(|d| {
                    d.accounts
                        .iter()
                        .map(|a| (crate::playbook::account_key(a), d.id.clone()))
                })
                .collect();
            if let Some(fact) = facts.iter_mut().find(|f| f.id == def.id.value) {
                fact.from_account = Some((account.value.clone(), owners));
            }
        }
    }

    /// `official` and `differs_from`: only on an `account` fact, the latter naming another
    /// `account` fact (or `account`); the directory's own accounts are copied in, so the
    /// engine needs no directory.
    fn account_rules(&mut self, defs: &[FactDef], facts: &mut [Fact]) {
        let own: std::collections::BTreeSet<String> = self
            .directory
            .divisions
            .iter()
            .flat_map(|d| d.accounts.iter().map(|a| crate::playbook::account_key(a)))
            .collect();
        for def in defs {
            let fields = [
                ("official", def.official),
                ("differs_from", def.differs_from.is_some()),
            ];
            if def.kind != FactKind::Account {
                for (field, given) in fields {
                    if given {
                        let at = pos(&def.id);
                        let at = self.find_from(at, &format!("{field}:")).unwrap_or(at);
                        self.error(
                            at,
                            field,
                            Problem::FieldNotForKind {
                                field: field.into(),
                                kind: "fact".into(),
                            },
                        );
                    }
                }
                continue;
            }
            let mut differs = None;
            if let Some(other) = &def.differs_from {
                let names: Vec<&str> = defs.iter().map(|d| d.id.value.as_str()).collect();
                match defs.iter().find(|d| d.id.value == other.value) {
                    None if other.value == "account" => differs = Some(other.value.clone()),
                    None => self.error(
                        pos(other),
                        other.value.clone(),
                        Problem::UnknownFact {
                            name: other.value.clone(),
                            suggestion: suggest(&other.value, names),
                        },
                    ),
                    Some(target)
                        if target.kind != FactKind::Account || target.id.value == def.id.value =>
                    {
                        self.error(
                            pos(other),
                            other.value.clone(),
                            Problem::FactNotOfKind {
                                name: other.value.clone(),
                                field: "differs_from".into(),
                                kind: "account".into(),
                            },
                        );
                    }
                    Some(_) => differs = Some(other.value.clone()),
                }
            }
            if let Some(fact) = facts.iter_mut().find(|f| f.id == def.id.value) {
                fact.official = (def.official && !own.is_empty()).then(|| own.clone());
                fact.differs_from = differs;
            }
        }
    }

    /// The steps the facts are asked before: each step lists the facts it needs.
    pub(super) fn ask_before(&mut self, defs: &[FactDef], steps: &mut [Step]) {
        for def in defs {
            let Some(step) = &def.ask_before else {
                continue;
            };
            match steps.iter_mut().find(|s| s.id == step.value) {
                Some(s) => {
                    if !s.facts.contains(&def.id.value) {
                        s.facts.push(def.id.value.clone());
                    }
                }
                None => {
                    let suggestion = suggest(&step.value, steps.iter().map(|s| s.id.as_str()));
                    self.error(
                        pos(step),
                        step.value.clone(),
                        Problem::UnknownStep {
                            id: step.value.clone(),
                            suggestion,
                        },
                    );
                }
            }
        }
    }

    /// The names a template may use besides the built-in ones.
    pub(super) fn fact_names(&self) -> Vec<&str> {
        self.facts.iter().map(|f| f.id.as_str()).collect()
    }

    /// A date filter on a placeholder that is not a date and time: the filter, and where
    /// the placeholder is.
    pub(super) fn misplaced_filter(&self, template: &Template) -> Option<(String, Filter)> {
        template.placeholders().find_map(|(name, filter)| {
            let filter = filter.filter(|f| f.needs_time())?;
            let is_time = TIME_PLACEHOLDERS.contains(&name)
                || self
                    .facts
                    .iter()
                    .any(|f| f.id == name && f.kind == FactKind::Datetime);
            (!is_time).then(|| (name.to_string(), filter))
        })
    }
}
