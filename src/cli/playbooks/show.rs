//! `hikeshi show`: a playbook as compiled, step by step; an overlay's changes with what the
//! base had.

use std::io::Write;
use std::path::Path;

use crate::catalog::{self, PlaybookRef};
use crate::cli::context::compile_options;
use crate::cli::{Error, Outcome};
use crate::lang::Lang;
use crate::playbook::SourceFile;
use crate::playbook::duration::format_duration;
use crate::tr;

/// `hikeshi show`: the playbook as compiled, one step a line with what it waits for, its
/// deadline and owner; an overlay's additions and changes marked, its removals listed.
pub(super) fn show(spec: &str, divisions: Option<&Path>, lang: Lang) -> Result<Outcome, Error> {
    let playbook = PlaybookRef::resolve(spec)?;
    let divisions = playbook.divisions_source(divisions);
    let loaded = catalog::load_playbook(&playbook, &divisions, &compile_options())?;
    let pb = &loaded.compiled.playbook;
    let overlay = loaded.compiled.overlay.clone().unwrap_or_default();
    let changes = loaded
        .compiled
        .base
        .as_ref()
        .map(|base| overlay_changes(base, &loaded.source))
        .unwrap_or_default();
    let mut out = String::new();
    let (title, id) = (&pb.title, &pb.id);
    out.push_str(&format!("{title} ({id})\n"));
    let (file, divisions) = (&loaded.origin.playbook, &loaded.origin.divisions);
    out.push_str(&tr!(
        lang,
        "ファイル: {file}\n連絡先: {divisions}\n",
        "file: {file}\ndivisions: {divisions}\n"
    ));
    if !overlay.base.is_empty() {
        let base = &overlay.base;
        out.push_str(&tr!(
            lang,
            "元の手順書: {base}（+ 追加、~ 変更）\n",
            "extends: {base} (+ added, ~ changed)\n"
        ));
    }
    // The facts an incident of it is asked for (`start --fact NAME=VALUE`).
    if !pb.facts.is_empty() {
        out.push_str(&tr!(
            lang,
            "事実（--fact 名前=値）:\n",
            "facts (--fact NAME=VALUE):\n"
        ));
    }
    for fact in &pb.facts {
        let kind = fact.kind.name();
        let required = if fact.required {
            tr!(lang, "、開始時に必須", ", required at the start")
        } else {
            String::new()
        };
        let options = if fact.options.is_empty() || fact.kind != crate::playbook::FactKind::Choice {
            String::new()
        } else {
            format!(": {}", fact.options.join(" | "))
        };
        let (id, label) = (&fact.id, &fact.label);
        out.push_str(&format!("  {id} — {label} ({kind}{required}{options})\n"));
    }
    for &ix in pb.graph.order() {
        let Some(step) = pb.graph.step(ix) else {
            continue;
        };
        let mark = if overlay.added.contains(&step.id) {
            '+'
        } else if overlay.changed.contains(&step.id) {
            '~'
        } else {
            ' '
        };
        let after: Vec<&str> = step
            .after
            .iter()
            .filter_map(|a| pb.graph.step(*a).map(|s| s.id.as_str()))
            .collect();
        let due = due_of(step, pb, lang);
        let owner = step.owner.as_deref().unwrap_or("-");
        let (sid, kind, stitle, after) =
            (&step.id, step.kind.name(), &step.title, after.join(", "));
        out.push_str(&format!("{mark} {sid} ({kind}) {stitle}\n"));
        out.push_str(&tr!(
            lang,
            "    前提: [{after}]  期限: {due}  担当: {owner}\n",
            "    after: [{after}]  due: {due}  owner: {owner}\n"
        ));
        out.push_str(&basis_of(step, pb, lang));
        // What an overlay's step is now, beyond the line above, and what it changed.
        if mark != ' ' {
            out.push_str(&step_details(step, pb, lang));
        }
        for (field, base, now) in changes.get(&step.id).into_iter().flatten() {
            out.push_str(&tr!(
                lang,
                "    変更 {field}: {base} → {now}\n",
                "    changed {field}: {base} → {now}\n"
            ));
        }
    }
    for (id, reason) in &overlay.removed {
        out.push_str(&tr!(
            lang,
            "- {id}（除いた理由: {reason}）\n",
            "- {id} (removed: {reason})\n"
        ));
    }
    std::io::stdout().write_all(out.as_bytes())?;
    Ok(Outcome::Success)
}

/// What a step rests on, as `show` prints it: the clauses it follows, or practice with the
/// reason; then the clauses it departs from on purpose, with the reason.
fn basis_of(step: &crate::playbook::Step, pb: &crate::playbook::Playbook, lang: Lang) -> String {
    let mut out = String::new();
    if let Some(reason) = &step.practice {
        out.push_str(&tr!(
            lang,
            "    根拠: 実務 — {reason}\n",
            "    basis: practice — {reason}\n"
        ));
    } else if !step.sources.is_empty() {
        let cites = step
            .sources
            .iter()
            .map(|c| pb.cited(c, false))
            .collect::<Vec<_>>()
            .join(" / ");
        out.push_str(&tr!(lang, "    根拠: {cites}\n", "    source: {cites}\n"));
    }
    if let Some(d) = &step.departure {
        let (clauses, reason) = (
            d.clauses
                .iter()
                .map(|c| pb.cited(c, true))
                .collect::<Vec<_>>()
                .join(" / "),
            &d.reason,
        );
        out.push_str(&tr!(
            lang,
            "    従わない規定: {clauses} — {reason}\n",
            "    departs from: {clauses} — {reason}\n"
        ));
    }
    out
}

/// A step's deadline as `show` prints it: one duration, or a deadline by a decision's
/// answer whole (`high 15m / medium 30m / low 1h`), not only its longest.
fn due_of(step: &crate::playbook::Step, pb: &crate::playbook::Playbook, lang: Lang) -> String {
    let Some(by) = &step.due_by else {
        return step
            .due
            .map(|d| format_duration(d.within, lang))
            .unwrap_or_else(|| "-".into());
    };
    let options = match pb.graph.step(by.decision).map(|s| &s.kind) {
        Some(crate::playbook::StepKind::Decision(d)) => {
            d.options.iter().map(|o| o.id.clone()).collect()
        }
        _ => Vec::new(),
    };
    let each: Vec<String> = by
        .values
        .iter()
        .enumerate()
        .map(|(i, due)| {
            let option = options.get(i).map_or("?", String::as_str);
            let within = due.map_or_else(|| "-".into(), |d| format_duration(d.within, lang));
            format!("{option} {within}")
        })
        .collect();
    let decision = pb.graph.step(by.decision).map_or("", |s| s.id.as_str());
    format!("{decision}: {}", each.join(" / "))
}

/// An overlay's added or changed step: its condition, what its deadline counts from, and
/// its approver or recipients, as the compiled playbook has them.
fn step_details(
    step: &crate::playbook::Step,
    pb: &crate::playbook::Playbook,
    lang: Lang,
) -> String {
    use crate::playbook::{DueFrom, StepKind};
    let mut parts = Vec::new();
    let when = step.when.as_ref().map_or_else(
        || "-".to_string(),
        |c| {
            let decision = pb.graph.step(c.decision);
            let names: Vec<&str> = match decision.map(|s| &s.kind) {
                Some(StepKind::Decision(d)) => c
                    .options
                    .iter()
                    .filter_map(|i| d.options.get(*i).map(|o| o.id.as_str()))
                    .collect(),
                _ => Vec::new(),
            };
            let id = decision.map_or("?", |s| s.id.as_str());
            let op = if c.negated { "not in" } else { "in" };
            format!("{id} {op} [{}]", names.join(", "))
        },
    );
    parts.push(tr!(lang, "条件: {when}", "when: {when}"));
    let from = match step.due.map(|d| d.from) {
        Some(DueFrom::Start) => "start",
        Some(DueFrom::Ready) => "ready",
        None => "-",
    };
    parts.push(tr!(lang, "期限の起点: {from}", "due_from: {from}"));
    match &step.kind {
        StepKind::Approval { approver } => {
            parts.push(tr!(lang, "承認者: {approver}", "approver: {approver}"));
        }
        StepKind::Post(post) => {
            let approver = &post.approver;
            parts.push(tr!(lang, "承認者: {approver}", "approver: {approver}"));
        }
        StepKind::Notify(n) => {
            let to: Vec<String> =
                n.to.iter()
                    .cloned()
                    .chain(n.to_facts.iter().map(|f| format!("{{{{{f}}}}}")))
                    .collect();
            let to = to.join(", ");
            parts.push(tr!(lang, "通知先: [{to}]", "to: [{to}]"));
        }
        _ => {}
    }
    format!("    {}\n", parts.join("  "))
}

/// The fields each `change:` of an overlay gives, with what the playbook extended had and
/// what the overlay made them, by step id, as written (a map whole, a long text by its first
/// line). Read from the two texts (the base need not check against this directory).
fn overlay_changes(
    base: &SourceFile,
    overlay: &SourceFile,
) -> std::collections::BTreeMap<String, Vec<(String, String, String)>> {
    use serde_json::Value;
    let limits = compile_options().limits;
    let read = |s: &SourceFile| crate::playbook::load::parse_yaml::<Value>(s, &limits).ok();
    let mut out = std::collections::BTreeMap::new();
    let (Some(base), Some(overlay)) = (read(base), read(overlay)) else {
        return out;
    };
    let steps = base["steps"].as_array().cloned().unwrap_or_default();
    for change in overlay["change"].as_array().into_iter().flatten() {
        let Some(id) = change["id"].as_str() else {
            continue;
        };
        let before = steps.iter().find(|s| s["id"].as_str() == Some(id));
        let Some(fields) = change.as_object() else {
            continue;
        };
        let rows = fields
            .iter()
            .filter(|(field, _)| *field != "id")
            .map(|(field, now)| {
                let was = before.and_then(|b| b.get(field)).unwrap_or(&Value::Null);
                (field.clone(), inline(was), inline(now))
            })
            .collect();
        out.insert(id.to_string(), rows);
    }
    out
}

/// A YAML value on one line: a list in brackets, a map in braces, a text of several lines
/// by its first line.
fn inline(value: &serde_json::Value) -> String {
    use serde_json::Value;
    match value {
        Value::Null => "-".to_string(),
        Value::String(s) => match s.trim_end().split_once('\n') {
            Some((first, _)) => format!("{first}…"),
            None => s.clone(),
        },
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(inline).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Object(map) => {
            let items: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{k}: {}", inline(v)))
                .collect();
            format!("{{{}}}", items.join(", "))
        }
        other => other.to_string(),
    }
}
