//! A scenario's posts against their platform's limit, before the drill: each post to the
//! affected account filled with the scenario's values — its facts (the longest each takes in
//! the story), account, platform and title, the directory's names and words, every claim
//! (said or not, whichever is longer) — and counted as the platform counts. The engine refuses
//! such a post when it is completed; `check` says so while the text can still be rewritten.

use chrono::{DateTime, FixedOffset};

use super::LoadedScenario;
use super::scenario::Effect;
use crate::diagnostic::{Diagnostic, Position, Problem};
use crate::playbook::template::Value;
use crate::playbook::{ClaimOn, PostChannel, StepIx, StepKind, Template};

/// A warning for each post of the scenario's playbook that its values make too long.
pub fn warnings(loaded: &LoadedScenario) -> Vec<Diagnostic> {
    let scenario = &loaded.scenario;
    let Some(platform) = scenario.platform.or_else(|| {
        scenario
            .injects
            .iter()
            .flat_map(|i| &i.effects)
            .find_map(|e| match e {
                Effect::Account { platform, .. } => *platform,
                _ => None,
            })
    }) else {
        return Vec::new();
    };
    let Some(limit) = crate::text::length::limit(platform) else {
        return Vec::new();
    };
    let playbook = &loaded.playbook.compiled.playbook;
    let directory = &loaded.playbook.directory;
    // Each fact at its longest in the story: the text is checked at its worst.
    let mut facts = scenario.facts.clone();
    for effect in scenario.injects.iter().flat_map(|i| &i.effects) {
        if let Effect::Facts(set) = effect {
            for (name, value) in set {
                let list = playbook.facts.iter().any(|f| f.id == *name && f.list);
                if list {
                    // A list gathers every value the story gives it.
                    let all = match facts.get(name) {
                        Some(v) => format!("{v}\n{value}"),
                        None => value.clone(),
                    };
                    facts.insert(name.clone(), all);
                    continue;
                }
                let longer = facts
                    .get(name)
                    .is_none_or(|v| v.chars().count() < value.chars().count());
                if longer {
                    facts.insert(name.clone(), value.clone());
                }
            }
        }
    }
    let account = scenario.account.clone().or_else(|| {
        scenario
            .injects
            .iter()
            .flat_map(|i| &i.effects)
            .find_map(|e| match e {
                Effect::Account { account, .. } => account.clone(),
                _ => None,
            })
    });
    let now: DateTime<FixedOffset> = scenario.starts_at;
    let mut out = Vec::new();
    for ix in playbook.graph.order() {
        let Some(step) = playbook.graph.step(*ix) else {
            continue;
        };
        let StepKind::Post(post) = &step.kind else {
            continue;
        };
        if post.channel != PostChannel::Official {
            continue;
        }
        let value = |name: &str| -> Option<Value> {
            let text = |s: &str| Some(Value::Text(s.to_string()));
            match name {
                "title" => text(&scenario.incident_title),
                "account" => account.as_deref().and_then(text),
                "platform" => text(platform.display_name()),
                "started_at" | "now" => Some(Value::Time(now)),
                "organization" => text(&directory.organization),
                "org_kind" | "head" | "deputy_head" | "residents" => {
                    let words = directory.words.as_ref()?;
                    text(match name {
                        "org_kind" => &words.org_kind,
                        "head" => &words.head,
                        "deputy_head" => &words.deputy_head,
                        _ => &words.residents,
                    })
                }
                "website" => directory.website.as_deref().and_then(text),
                "step" => text(&step.title),
                name => match facts.get(name) {
                    Some(v) => match playbook.facts.iter().find(|f| f.id == name) {
                        Some(f) if f.list => text(&f.shown(v)),
                        f => f
                            .and_then(|f| f.time(v))
                            .map(Value::Time)
                            .or_else(|| text(v)),
                    },
                    None => directory.party(name).and_then(|p| text(p.id())),
                },
            }
        };
        let render = |t: &Template| t.render(value);
        // Every claim at its longer wording (said once done, or its `otherwise`); of the
        // claims on one decision's answers, which exclude each other, the longest.
        let longer = |a: String, b: String| {
            if a.chars().count() >= b.chars().count() {
                a
            } else {
                b
            }
        };
        let mut lines: Vec<(Option<StepIx>, String)> = Vec::new();
        for c in &post.claims {
            let said = longer(
                render(&c.text),
                c.otherwise.as_ref().map(render).unwrap_or_default(),
            );
            match &c.on {
                ClaimOn::When(w) => match lines.iter_mut().find(|(d, _)| *d == Some(w.decision)) {
                    Some((_, line)) => *line = longer(std::mem::take(line), said),
                    None => lines.push((Some(w.decision), said)),
                },
                ClaimOn::Done(_) => lines.push((None, said)),
            }
        }
        let claims = lines
            .into_iter()
            .map(|(_, l)| l)
            .collect::<Vec<_>>()
            .join("\n");
        let text = post.statement.render(|name| match name {
            "claims" => Some(Value::Text(claims.clone())),
            name => value(name),
        });
        let count = crate::text::length::count(text.trim_end(), limit.unit);
        if count > limit.max {
            // At the scenario's platform, which sets the limit.
            let at = loaded
                .source
                .find("platform:")
                .unwrap_or_else(Position::start);
            out.push(Diagnostic::warning(
                &loaded.source.name,
                at,
                step.id.clone(),
                Problem::PostTooLong {
                    step: step.id.clone(),
                    platform: platform.display_name().to_string(),
                    count,
                    max: limit.max,
                },
            ));
        }
    }
    out
}
