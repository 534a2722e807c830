//! Pictures of a step graph: Graphviz DOT and Mermaid, with decisions and conditional steps
//! drawn apart and the critical path marked. Also the JSON Schema of the file formats.

use std::fmt::Write as _;

use super::duration::format_duration;
use super::{Due, DueFrom, Playbook, Step, StepKind};
use crate::lang::Lang;
use crate::tr;

/// The colour of the critical path.
const CRITICAL: &str = "#c00000";

fn condition_text(playbook: &Playbook, step: &Step) -> Option<String> {
    let cond = step.when.as_ref()?;
    let (decision, options) = cond.named(playbook)?;
    let names: Vec<&str> = options.iter().map(|c| c.id.as_str()).collect();
    Some(match (cond.negated, names.as_slice()) {
        (true, [one]) => format!("{} != {one}", decision.id),
        (false, [one]) => format!("{} == {one}", decision.id),
        (_, many) => format!("{} in [{}]", decision.id, many.join(", ")),
    })
}

fn due_text(due: &Due, lang: Lang) -> String {
    let d = format_duration(due.within, lang);
    match due.from {
        DueFrom::Ready => tr!(lang, "期限 {d}", "due {d}"),
        DueFrom::Start => tr!(lang, "期限 開始から{d}", "due {d} from start"),
    }
}

/// The lines of a node label: title, id and kind, condition, deadline.
fn label_lines(playbook: &Playbook, step: &Step, lang: Lang) -> Vec<String> {
    let mut lines = vec![
        step.title.clone(),
        format!("{} ({})", step.id, step.kind.name()),
    ];
    if let Some(c) = condition_text(playbook, step) {
        lines.push(tr!(lang, "条件: {c}", "when: {c}"));
    }
    if let Some(due) = &step.due {
        lines.push(due_text(due, lang));
    }
    lines
}

fn dot_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// The graph in Graphviz DOT.
pub fn to_dot(playbook: &Playbook, lang: Lang) -> String {
    let graph = &playbook.graph;
    let critical = graph.critical_path();
    let length = format_duration(graph.critical_duration(), lang);
    let mut out = String::new();
    let _ = writeln!(out, "digraph \"{}\" {{", dot_escape(&playbook.id));
    let _ = writeln!(
        out,
        "  graph [label=\"{}\\n{}\", labelloc=t, rankdir=TB, fontname=\"sans-serif\"];",
        dot_escape(&playbook.title),
        tr!(lang, "クリティカルパス: {}", "critical path: {}", length),
    );
    let _ = writeln!(
        out,
        "  node [shape=box, style=rounded, fontname=\"sans-serif\"];"
    );
    let _ = writeln!(out, "  edge [fontname=\"sans-serif\"];");
    for &ix in graph.order() {
        let Some(step) = graph.step(ix) else { continue };
        let label = label_lines(playbook, step, lang)
            .iter()
            .map(|l| dot_escape(l))
            .collect::<Vec<_>>()
            .join("\\n");
        let shape = match step.kind {
            StepKind::Action => "box",
            StepKind::Notify(_) => "parallelogram",
            StepKind::Decision(_) => "diamond",
            StepKind::Approval { .. } => "hexagon",
            StepKind::Post(_) => "note",
            StepKind::Monitor(_) => "ellipse",
        };
        let mut attrs = vec![format!("label=\"{label}\""), format!("shape={shape}")];
        let mut style = vec![];
        if shape == "box" {
            style.push("rounded");
        }
        if step.when.is_some() {
            style.push("dashed");
        }
        if !style.is_empty() {
            attrs.push(format!("style=\"{}\"", style.join(",")));
        }
        if critical.contains(&ix) {
            attrs.push(format!("color=\"{CRITICAL}\", penwidth=2"));
        }
        let _ = writeln!(
            out,
            "  \"{}\" [{}];",
            dot_escape(&step.id),
            attrs.join(", ")
        );
    }
    for &ix in graph.order() {
        let Some(step) = graph.step(ix) else { continue };
        for &pre in &step.after {
            let Some(p) = graph.step(pre) else { continue };
            let mut attrs = Vec::new();
            if graph.is_critical_edge(pre, ix) {
                attrs.push(format!("color=\"{CRITICAL}\", penwidth=2"));
            }
            if let Some(cond) = &step.when
                && cond.decision == pre
                && let Some(text) = condition_text(playbook, step)
            {
                attrs.push(format!("label=\"{}\"", dot_escape(&text)));
            }
            let attrs = if attrs.is_empty() {
                String::new()
            } else {
                format!(" [{}]", attrs.join(", "))
            };
            let _ = writeln!(
                out,
                "  \"{}\" -> \"{}\"{attrs};",
                dot_escape(&p.id),
                dot_escape(&step.id)
            );
        }
    }
    out.push_str("}\n");
    out
}

fn mermaid_id(id: &str) -> String {
    // Step ids are [a-z0-9-] (checked by the compiler); `-` confuses Mermaid's edge syntax,
    // and replacing it with `_` cannot make two ids collide.
    format!("s_{}", id.replace('-', "_"))
}

fn mermaid_escape(s: &str) -> String {
    s.replace('"', "#quot;")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
}

/// The graph as a Mermaid flowchart.
pub fn to_mermaid(playbook: &Playbook, lang: Lang) -> String {
    let graph = &playbook.graph;
    let critical = graph.critical_path();
    let length = format_duration(graph.critical_duration(), lang);
    let mut out = String::new();
    let _ = writeln!(out, "---");
    let _ = writeln!(
        out,
        "title: \"{} ({})\"",
        mermaid_escape(&playbook.title),
        tr!(lang, "クリティカルパス {}", "critical path {}", length)
    );
    let _ = writeln!(out, "---");
    let _ = writeln!(out, "flowchart TD");
    for &ix in graph.order() {
        let Some(step) = graph.step(ix) else { continue };
        let label = label_lines(playbook, step, lang)
            .iter()
            .map(|l| mermaid_escape(l))
            .collect::<Vec<_>>()
            .join("<br/>");
        let (open, close) = match step.kind {
            StepKind::Action => ("[\"", "\"]"),
            StepKind::Notify(_) => ("[/\"", "\"/]"),
            StepKind::Decision(_) => ("{\"", "\"}"),
            StepKind::Approval { .. } => ("{{\"", "\"}}"),
            StepKind::Post(_) => (">\"", "\"]"),
            StepKind::Monitor(_) => ("([\"", "\"])"),
        };
        let _ = writeln!(out, "  {}{open}{label}{close}", mermaid_id(&step.id));
    }
    let mut critical_links = Vec::new();
    let mut link = 0usize;
    for &ix in graph.order() {
        let Some(step) = graph.step(ix) else { continue };
        for &pre in &step.after {
            let Some(p) = graph.step(pre) else { continue };
            let arrow = match &step.when {
                Some(cond) if cond.decision == pre => condition_text(playbook, step)
                    .map(|t| format!("-- \"{}\" -->", mermaid_escape(&t)))
                    .unwrap_or_else(|| "-->".into()),
                _ => "-->".into(),
            };
            let _ = writeln!(
                out,
                "  {} {arrow} {}",
                mermaid_id(&p.id),
                mermaid_id(&step.id)
            );
            if graph.is_critical_edge(pre, ix) {
                critical_links.push(link.to_string());
            }
            link += 1;
        }
    }
    let _ = writeln!(
        out,
        "  classDef critical stroke:{CRITICAL},stroke-width:3px"
    );
    let _ = writeln!(out, "  classDef conditional stroke-dasharray: 5 5");
    let critical_nodes: Vec<String> = critical
        .iter()
        .filter_map(|ix| graph.step(*ix))
        .map(|s| mermaid_id(&s.id))
        .collect();
    if !critical_nodes.is_empty() {
        let _ = writeln!(out, "  class {} critical", critical_nodes.join(","));
    }
    let conditional: Vec<String> = graph
        .steps()
        .iter()
        .filter(|s| {
            s.when.is_some()
                && !critical
                    .iter()
                    .any(|c| graph.step(*c).is_some_and(|cs| cs.id == s.id))
        })
        .map(|s| mermaid_id(&s.id))
        .collect();
    if !conditional.is_empty() {
        let _ = writeln!(out, "  class {} conditional", conditional.join(","));
    }
    if !critical_links.is_empty() {
        let _ = writeln!(
            out,
            "  linkStyle {} stroke:{CRITICAL},stroke-width:3px",
            critical_links.join(",")
        );
    }
    out
}

/// JSON Schema of the playbook format, from the same types the compiler reads.
pub fn playbook_schema() -> String {
    let schema = schemars::schema_for!(super::model::PlaybookFile);
    serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n"
}

/// JSON Schema of `divisions.yaml`.
pub fn divisions_schema() -> String {
    let schema = schemars::schema_for!(crate::directory::DivisionsFile);
    serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n"
}
