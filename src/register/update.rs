//! What an incident shows the register should now say of its account, and the register's
//! text with it written in: the review done in the incident (its date and reviewer), two-factor
//! authentication set up again, an account closed. The rest of the file, comments included,
//! is left as it was.

use chrono::NaiveDate;
use serde::Serialize;

use super::{Account, AccountStatus, TwoFactor};
use crate::clock::jst;
use crate::incident::IncidentState;
use crate::playbook::{Playbook, StepKind};

/// Steps whose completion is a review of the account's administrators.
const REVIEW_STEPS: [&str; 3] = ["review-admins", "update-register", "secure-account"];
/// Steps whose completion set two-factor authentication up again.
const TWO_FACTOR_STEPS: [&str; 2] = ["enable-2fa", "secure-account"];

/// One change the incident shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "field", rename_all = "snake_case")]
pub enum Change {
    /// The administrators were reviewed in the incident.
    Reviewed {
        /// When (the step's completion, in Japan).
        on: NaiveDate,
        /// By whom.
        by: String,
        /// The step.
        step: String,
    },
    /// Two-factor authentication was set up in the incident: its method, as the operator
    /// gives it (the record does not say which).
    TwoFactor {
        /// The method given, if any.
        method: Option<TwoFactor>,
        /// The step.
        step: String,
    },
    /// The account was closed (the lost-account playbook's outcome).
    Closed {
        /// The decision.
        step: String,
    },
}

/// The changes incident `state` of `playbook` shows for `account`, given the two-factor
/// method the operator names (if any).
pub fn changes(
    state: &IncidentState,
    playbook: &Playbook,
    account: &Account,
    two_factor: Option<TwoFactor>,
) -> Vec<Change> {
    let mut out = Vec::new();
    let done = |id: &str| {
        let ix = playbook.graph.find(id)?;
        state.step(ix)?.done.clone().map(|d| (ix, d))
    };
    let reviewed = REVIEW_STEPS
        .iter()
        .filter_map(|id| done(id).map(|(_, d)| (*id, d)))
        .max_by_key(|(_, d)| d.at);
    if let Some((step, stamp)) = reviewed {
        let on = stamp.at.with_timezone(&jst()).date_naive();
        if account.reviewed.as_ref().is_none_or(|r| r.on < on) {
            out.push(Change::Reviewed {
                on,
                by: stamp.by.clone(),
                step: step.to_string(),
            });
        }
    }
    if let Some(step) = TWO_FACTOR_STEPS.iter().find(|id| done(id).is_some()) {
        let weak = !matches!(
            account.two_factor,
            Some(TwoFactor::App | TwoFactor::SecurityKey)
        );
        if weak || two_factor.is_some_and(|m| Some(m) != account.two_factor) {
            out.push(Change::TwoFactor {
                method: two_factor,
                step: step.to_string(),
            });
        }
    }
    // The lost-account playbook's outcome: closed.
    if let Some(ix) = playbook.graph.find("outcome")
        && let Some(StepKind::Decision(d)) = playbook.graph.step(ix).map(|s| &s.kind)
        && let Some(answer) = state.step(ix).and_then(|r| r.answer)
        && d.options.get(answer).is_some_and(|o| o.id == "closed")
        && account.status != AccountStatus::Closed
    {
        out.push(Change::Closed {
            step: "outcome".into(),
        });
    }
    out
}

/// `text` (the register's file) with `changes` written into the entry of the account that
/// starts on line `line` (1-based): each field's line replaced, or added at the entry's end.
/// `None` if a change needs a value not given (the two-factor method).
pub fn apply(text: &str, line: usize, changes: &[Change]) -> Option<String> {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let start = line.checked_sub(1)?;
    let head = lines.get(start)?;
    // The entry's fields are indented past its `- ` (or at the handle's column).
    let dash = head.find('-')?;
    let indent = " ".repeat(dash + 2);
    for change in changes {
        let (key, value) = match change {
            Change::Reviewed { on, by, .. } => {
                ("reviewed", format!("{{on: \"{on}\", by: {}}}", quoted(by)))
            }
            Change::TwoFactor { method, .. } => {
                let method = match (*method)? {
                    TwoFactor::None => "none",
                    TwoFactor::Sms => "sms",
                    TwoFactor::App => "app",
                    TwoFactor::SecurityKey => "security_key",
                };
                ("two_factor", method.to_string())
            }
            Change::Closed { .. } => ("status", "closed".to_string()),
        };
        let end = entry_end(&lines, start, &indent);
        let new = format!("{indent}{key}: {value}");
        let found = (start..end).find(|&i| {
            let l = &lines[i];
            let body = if i == start {
                &l[dash + 2..]
            } else {
                l.as_str()
            };
            body.trim_start().starts_with(&format!("{key}:"))
                && (i == start || l.starts_with(&indent) && !l[indent.len()..].starts_with(' '))
        });
        match found {
            Some(i) if i != start => {
                // The field's own lines: its line and any more indented after it.
                let mut j = i + 1;
                while j < end && lines[j].starts_with(&format!("{indent} ")) {
                    j += 1;
                }
                lines.splice(i..j, [new]);
            }
            _ => {
                // Added after the entry's last line that is not blank.
                let mut at = end;
                while at > start + 1 && lines[at - 1].trim().is_empty() {
                    at -= 1;
                }
                lines.insert(at, new);
            }
        }
    }
    let mut out = lines.join("\n");
    out.push('\n');
    Some(out)
}

/// The line after the entry that starts on `start`: the next line indented less than its
/// fields (the next `- ` or the end of the list).
fn entry_end(lines: &[String], start: usize, indent: &str) -> usize {
    (start + 1..lines.len())
        .find(|&i| {
            let l = &lines[i];
            !l.trim().is_empty() && !l.starts_with(indent)
        })
        .unwrap_or(lines.len())
}

/// A YAML double-quoted scalar.
fn quoted(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| format!("\"{text}\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "accounts:\n  - handle: \"@a\"\n    platform: x\n    reviewed:\n      on: \"2025-04-01\"\n      by: 前任\n    # a comment\n    status: active\n\n  - handle: \"@b\"\n    platform: x\n";

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn a_field_is_replaced_in_its_entry_and_comments_stay() {
        let changes = [
            Change::Reviewed {
                on: day("2026-12-07"),
                by: "広報 一郎".into(),
                step: "review-admins".into(),
            },
            Change::Closed {
                step: "outcome".into(),
            },
        ];
        let out = apply(TEXT, 2, &changes).unwrap_or_default();
        assert_eq!(
            out,
            "accounts:\n  - handle: \"@a\"\n    platform: x\n    reviewed: {on: \"2026-12-07\", by: \"広報 一郎\"}\n    # a comment\n    status: closed\n\n  - handle: \"@b\"\n    platform: x\n"
        );
    }

    #[test]
    fn a_missing_field_is_added_at_the_entry_s_end() {
        let changes = [Change::TwoFactor {
            method: Some(TwoFactor::App),
            step: "enable-2fa".into(),
        }];
        let out = apply(TEXT, 10, &changes).unwrap_or_default();
        assert!(
            out.ends_with("  - handle: \"@b\"\n    platform: x\n    two_factor: app\n"),
            "{out}"
        );
        let out = apply(TEXT, 2, &changes).unwrap_or_default();
        assert!(
            out.contains("    status: active\n    two_factor: app\n\n  - handle"),
            "{out}"
        );
        // No method given: nothing can be written.
        let unknown = [Change::TwoFactor {
            method: None,
            step: "enable-2fa".into(),
        }];
        assert_eq!(apply(TEXT, 2, &unknown), None);
    }
}
