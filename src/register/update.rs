//! What an incident shows the register should now say of its account, and the register's
//! text with it written in: the review done in the incident (its date and reviewer), two-factor
//! authentication set up again, an account closed. The rest of the file, comments included,
//! is left as it was.

use chrono::NaiveDate;
use serde::Serialize;

use super::skeleton::quoted;
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
        // Set up again in the incident: due when the method given differs from the
        // register's, or, with none given, when the register has no strong one.
        let due = match two_factor {
            Some(m) => Some(m) != account.two_factor,
            None => !matches!(
                account.two_factor,
                Some(TwoFactor::App | TwoFactor::SecurityKey)
            ),
        };
        if due {
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

/// Why changes could not be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApplyError {
    /// A change needs a value the record does not hold (the two-factor method).
    NeedsMethod,
    /// The account's entry is laid out in a way this does not follow (no `- ` line above
    /// the handle).
    Layout,
}

/// `text` (the register's file) with `changes` written into the entry of the account whose
/// handle is on line `line` (1-based): each field's line replaced, or added at the entry's
/// end. The rest of the file is left as it was (its line ends too).
pub fn apply(text: &str, line: usize, changes: &[Change]) -> Result<String, ApplyError> {
    let crlf = text.contains("\r\n");
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let handle = line.checked_sub(1).ok_or(ApplyError::Layout)?;
    // The entry starts at the nearest `- ` at or above the handle's line.
    let start = (0..=handle.min(lines.len().saturating_sub(1)))
        .rev()
        .find(|&i| lines[i].trim_start().starts_with("- "))
        .ok_or(ApplyError::Layout)?;
    let head = &lines[start];
    // Spaces, then `-`, then spaces: all ASCII, so these are character boundaries.
    let dash = head.len() - head.trim_start().len();
    let after = &head[dash + 1..];
    let indent = " ".repeat(dash + 1 + (after.len() - after.trim_start().len()));
    for change in changes {
        let (key, value) = match change {
            Change::Reviewed { on, by, .. } => {
                ("reviewed", format!("{{on: \"{on}\", by: {}}}", quoted(by)))
            }
            Change::TwoFactor { method, .. } => (
                "two_factor",
                method.ok_or(ApplyError::NeedsMethod)?.as_str().to_string(),
            ),
            Change::Closed { .. } => ("status", "closed".to_string()),
        };
        let end = entry_end(&lines, start, &indent);
        let field = format!("{key}:");
        // The field's line: the entry's first (after `- `) or one at the fields' indentation.
        let found = (start..end).find(|&i| {
            let l = &lines[i];
            l.len() >= indent.len()
                && l.is_char_boundary(indent.len())
                && (i == start || l[..indent.len()].trim().is_empty())
                && l[indent.len()..].starts_with(&field)
        });
        match found {
            Some(i) => {
                // The field's own lines: its line and any more indented after it.
                let deeper = format!("{indent} ");
                let mut j = i + 1;
                while j < end && lines[j].starts_with(&deeper) {
                    j += 1;
                }
                let lead = lines[i][..indent.len()].to_string();
                lines.splice(i..j, [format!("{lead}{key}: {value}")]);
            }
            None => {
                // Added after the entry's last line that is not blank.
                let mut at = end;
                while at > start + 1 && lines[at - 1].trim().is_empty() {
                    at -= 1;
                }
                lines.insert(at, format!("{indent}{key}: {value}"));
            }
        }
    }
    let eol = if crlf { "\r\n" } else { "\n" };
    let mut out = lines.join(eol);
    if text.ends_with('\n') {
        out.push_str(eol);
    }
    Ok(out)
}

/// The line after the entry that starts on `start`: the next line, not blank and not a
/// comment, indented less than its fields (the next `- ` or the end of the list).
fn entry_end(lines: &[String], start: usize, indent: &str) -> usize {
    (start + 1..lines.len())
        .find(|&i| {
            let l = &lines[i];
            let t = l.trim();
            !t.is_empty() && !t.starts_with('#') && !l.starts_with(indent)
        })
        .unwrap_or(lines.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_whose_handle_is_not_its_first_key_crlf_and_comments() {
        let text = "accounts:\r\n  - platform: facebook\r\n    handle: \"https://www.facebook.com/宇部-市\"\r\n# 2025年度の見直し\r\n    status: active\r\n  -   handle: \"@b\"\r\n      platform: x";
        let closed = [Change::Closed {
            step: "outcome".into(),
        }];
        let out = apply(text, 3, &closed).unwrap_or_default();
        assert_eq!(
            out,
            "accounts:\r\n  - platform: facebook\r\n    handle: \"https://www.facebook.com/宇部-市\"\r\n# 2025年度の見直し\r\n    status: closed\r\n  -   handle: \"@b\"\r\n      platform: x"
        );
        // Fields indented past `-   `; the first key on the `- ` line itself.
        let out = apply(text, 6, &closed).unwrap_or_default();
        assert!(
            out.ends_with("  -   handle: \"@b\"\r\n      platform: x\r\n      status: closed"),
            "{out}"
        );
        assert_eq!(apply("accounts: []\n", 1, &closed), Err(ApplyError::Layout));
    }

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
        assert_eq!(apply(TEXT, 2, &unknown), Err(ApplyError::NeedsMethod));
    }
}
