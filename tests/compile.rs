//! The compiler through its library API: graph order, the critical path, applicability of
//! conditional steps, and the stock playbooks.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{NaiveDate, TimeDelta};
use hikeshi::catalog;
use hikeshi::directory::Directory;
use hikeshi::playbook::{
    CompileOptions, Compiled, Diagnostic, EvidenceKind, Limits, SourceFile, StepKind,
    compile_source,
};

const DIVISIONS: &str = "organization: 例示市\ndivisions:\n  - id: 広報広聴課\n    email: koho@city.example.jp\nroles:\n  - id: 発信管理者\n    division: 広報広聴課\n    email: hasshin@city.example.jp\n";

fn directory() -> Directory {
    Directory::load(
        &SourceFile::new("divisions.yaml", DIVISIONS),
        &Limits::default(),
    )
    .expect("test directory is valid")
}

fn compile(yaml: &str) -> Result<Compiled, Vec<Diagnostic>> {
    compile_source(
        &SourceFile::new("test.yaml", yaml),
        &directory(),
        &CompileOptions::default(),
    )
}

fn codes(result: Result<Compiled, Vec<Diagnostic>>) -> Vec<(String, usize)> {
    let diagnostics = match result {
        Ok(c) => c.warnings,
        Err(d) => d,
    };
    diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| {
            let json = serde_json::to_value(&d.problem).unwrap_or_default();
            (
                json["code"].as_str().unwrap_or_default().to_string(),
                d.position.line,
            )
        })
        .collect()
}

/// Warning codes, leaving out "cites no source" (the test playbooks here cite nothing).
fn warning_codes(compiled: &Compiled) -> Vec<String> {
    compiled
        .warnings
        .iter()
        .map(|d| serde_json::to_value(&d.problem).unwrap_or_default()["code"].to_string())
        .map(|c| c.trim_matches('"').to_string())
        .filter(|c| c != "no_source")
        .collect()
}

const HEADER: &str = "id: t\ntitle: テスト\n";

fn decision(id: &str, after: &str, options: &[&str]) -> String {
    let mut s = format!(
        "  - id: {id}\n    title: 判断\n    kind: decision\n    question: どうするか\n    after: [{after}]\n    options:\n"
    );
    for o in options {
        s.push_str(&format!("      - id: {o}\n        title: {o}\n"));
    }
    s
}

fn action(id: &str, after: &str, when: Option<&str>, due: Option<&str>) -> String {
    let mut s = format!("  - id: {id}\n    title: 作業\n    kind: action\n    after: [{after}]\n");
    if let Some(w) = when {
        s.push_str(&format!("    when: \"{w}\"\n"));
    }
    if let Some(d) = due {
        s.push_str(&format!("    due: {d}\n"));
    }
    s
}

#[test]
fn order_follows_dependencies_then_file_order() {
    let yaml = format!(
        "{HEADER}steps:\n{}{}{}{}",
        action("late", "early", None, None),
        action("early", "", None, None),
        action("free", "", None, None),
        action("last", "late, free", None, None),
    );
    let compiled = compile(&yaml).expect("compiles");
    let graph = &compiled.playbook.graph;
    let order: Vec<&str> = graph
        .order()
        .iter()
        .filter_map(|ix| graph.step(*ix))
        .map(|s| s.id.as_str())
        .collect();
    assert_eq!(order, ["early", "late", "free", "last"]);
}

#[test]
fn critical_path_is_the_longest_chain_of_due_targets() {
    let yaml = format!(
        "{HEADER}steps:\n{}{}{}{}{}",
        action("a", "", None, Some("15m")),
        action("b", "a", None, Some("30m")),
        action("c", "a", None, Some("2h")),
        action("d", "b, c", None, Some("10m")),
        // A deadline from incident start that is later than the chain stands on its own.
        "  - id: e\n    title: 作業\n    kind: action\n    due: 4h\n    due_from: start\n",
    );
    let compiled = compile(&yaml).expect("compiles");
    let graph = &compiled.playbook.graph;
    let path: Vec<&str> = graph
        .critical_path()
        .iter()
        .filter_map(|ix| graph.step(*ix))
        .map(|s| s.id.as_str())
        .collect();
    assert_eq!(path, ["e"]);
    assert_eq!(graph.critical_duration(), TimeDelta::hours(4));
    let d = graph.find("d").expect("d exists");
    assert_eq!(graph.target(d), TimeDelta::minutes(15 + 120 + 10));

    let without_e = yaml
        .split("  - id: e")
        .next()
        .unwrap_or_default()
        .to_string();
    let compiled = compile(&without_e).expect("compiles");
    let graph = &compiled.playbook.graph;
    let path: Vec<&str> = graph
        .critical_path()
        .iter()
        .filter_map(|ix| graph.step(*ix))
        .map(|s| s.id.as_str())
        .collect();
    assert_eq!(path, ["a", "c", "d"]);
    assert_eq!(graph.critical_duration(), TimeDelta::minutes(145));
}

#[test]
fn a_start_deadline_before_its_prerequisites_is_a_warning() {
    let yaml = format!(
        "{HEADER}steps:\n{}  - id: b\n    title: 作業\n    kind: action\n    after: [a]\n    due: 30m\n    due_from: start\n",
        action("a", "", None, Some("1h")),
    );
    let compiled = compile(&yaml).expect("only a warning");
    assert_eq!(warning_codes(&compiled), ["deadline_before_prerequisites"]);
}

#[test]
fn a_join_after_branches_is_reachable_if_any_branch_is() {
    let yaml = format!(
        "{HEADER}steps:\n{}{}{}{}",
        decision("scope", "", &["narrow", "wide"]),
        action("web", "scope", Some("scope == wide"), None),
        action("press", "scope", Some("scope == narrow"), None),
        action("after-both", "web, press", None, None),
    );
    assert!(compile(&yaml).is_ok());
}

#[test]
fn contradictions_through_chains_and_negation_are_unreachable() {
    let yaml = format!(
        "{HEADER}steps:\n{}{}{}{}",
        decision("scope", "", &["narrow", "mid", "wide"]),
        action("not-narrow", "scope", Some("scope != narrow"), None),
        action("then-narrow", "not-narrow", Some("scope in [narrow]"), None),
        action(
            "then-mid",
            "not-narrow",
            Some("scope in [narrow, mid]"),
            None
        ),
    );
    assert_eq!(codes(compile(&yaml)), [("unreachable".to_string(), 21)]);
}

#[test]
fn a_step_under_an_unreachable_decision_is_unreachable_too() {
    let yaml = format!(
        "{HEADER}steps:\n{}{}{}{}",
        decision("first", "", &["yes", "no"]),
        action("only-yes", "first", Some("first == yes"), None),
        decision("second", "only-yes", &["a", "b"]),
        action("needs-a", "second", Some("second == a"), None),
    );
    // Reachable: first == yes, second == a.
    assert!(compile(&yaml).is_ok());
    let contradictory = yaml.replace("first == yes", "first == no").replace(
        "    after: [only-yes]\n",
        "    after: [only-yes]\n    when: first == yes\n",
    );
    let found = codes(compile(&contradictory));
    assert!(found.iter().any(|(c, _)| c == "unreachable"), "{found:?}");
}

#[test]
fn cycles_are_reported_alongside_other_errors() {
    let yaml = format!(
        "{HEADER}steps:\n{}{}{}",
        action("a", "b", None, Some("15x")),
        action("b", "a", None, None),
        action("c", "nowhere", None, None),
    );
    let found: Vec<String> = codes(compile(&yaml)).into_iter().map(|(c, _)| c).collect();
    assert!(found.contains(&"cycle".to_string()), "{found:?}");
    assert!(found.contains(&"bad_duration".to_string()), "{found:?}");
    assert!(found.contains(&"unknown_step".to_string()), "{found:?}");
}

#[test]
fn the_severity_decision_takes_the_playbook_severities() {
    let yaml = format!(
        "{HEADER}severities:\n  - id: low\n    title: 軽微\n  - id: high\n    title: 重大\nsteps:\n  - id: sev\n    title: 重大度\n    kind: decision\n    severity: true\n    question: 重大度は\n{}",
        action("press", "sev", Some("sev == high"), None),
    );
    let compiled = compile(&yaml).expect("compiles");
    let p = &compiled.playbook;
    let sev = p.severity_decision.expect("a severity decision");
    let Some(StepKind::Decision(d)) = p.graph.step(sev).map(|s| &s.kind) else {
        panic!("not a decision");
    };
    let ids: Vec<&str> = d.options.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(ids, ["low", "high"]);
    let press = p
        .graph
        .find("press")
        .and_then(|ix| p.graph.step(ix))
        .expect("press");
    let cond = press.when.as_ref().expect("a condition");
    assert!(cond.holds(1) && !cond.holds(0));
}

#[test]
fn review_is_overdue_only_after_the_interval() {
    let yaml = format!(
        "{HEADER}reviewed: \"2026-01-01\"\nreview_every: 30d\nsteps:\n{}",
        action("a", "", None, None)
    );
    let at = |y, m, d| CompileOptions {
        today: NaiveDate::from_ymd_opt(y, m, d),
        ..CompileOptions::default()
    };
    let source = SourceFile::new("t.yaml", yaml);
    let on_time = compile_source(&source, &directory(), &at(2026, 1, 31)).expect("compiles");
    assert!(warning_codes(&on_time).is_empty());
    let late = compile_source(&source, &directory(), &at(2026, 2, 1)).expect("compiles");
    assert_eq!(warning_codes(&late), ["review_overdue"]);
}

#[test]
fn every_stock_playbook_compiles_against_the_stock_directory() {
    let (_, directory) = catalog::DivisionsRef::Stock
        .load(&Limits::default())
        .expect("stock divisions are valid");
    for source in catalog::stock_playbooks() {
        let compiled = compile_source(&source, &directory, &CompileOptions::default())
            .unwrap_or_else(|d| panic!("{}: {d:#?}", source.name));
        let p = &compiled.playbook;
        assert!(
            p.graph.len() >= 10,
            "{}: only {} steps",
            p.id,
            p.graph.len()
        );
        assert!(
            compiled.warnings.is_empty(),
            "{}: {:#?}",
            p.id,
            compiled.warnings
        );
        // Each step cites a clause or says it rests on practice, and why; each clause cited
        // comes with its words, so that the report shows what the guideline says.
        for step in p.graph.steps() {
            for c in &step.sources {
                assert!(
                    c.text.as_ref().is_some_and(|t| !t.trim().is_empty()),
                    "{}: step {} cites {} {} without its words",
                    p.id,
                    step.id,
                    c.source,
                    c.clause
                );
            }
            assert!(
                !step.sources.is_empty() || step.practice.as_ref().is_some_and(|r| !r.is_empty()),
                "{}: step {} cites nothing and is not labelled practice",
                p.id,
                step.id
            );
        }
        // 流山 投稿方法: every post on an account is made under the 投稿管理者's responsibility,
        // so each one cites the clause and waits for its approver.
        for step in p.graph.steps() {
            if let StepKind::Post(post) = &step.kind
                && matches!(
                    post.channel,
                    hikeshi::playbook::model::PostChannel::Official
                        | hikeshi::playbook::model::PostChannel::Alternate
                )
            {
                assert!(
                    step.sources
                        .iter()
                        .any(|c| c.source == "nagareyama" && c.clause == "投稿方法"),
                    "{}: post {} does not cite 流山 投稿方法",
                    p.id,
                    step.id
                );
                assert!(!post.approver.is_empty(), "{}: {}", p.id, step.id);
            }
        }
        // Where the operator reports to or recovers from a platform, each platform's guidance
        // names its official form or help page by its address.
        for step in p
            .graph
            .steps()
            .iter()
            .filter(|s| ["report-to-platform", "platform-recovery"].contains(&s.id.as_str()))
        {
            assert_eq!(step.platform_guidance.len(), 5, "{}: {}", p.id, step.id);
            for (platform, text) in &step.platform_guidance {
                assert!(
                    text.contains("窓口: https://"),
                    "{}: step {} gives no form address for {platform:?}",
                    p.id,
                    step.id
                );
            }
        }
        // An account is recorded by its permanent numeric ID too: on X and Instagram the URL
        // is the user name, which an attacker or impostor can change.
        for step in p.graph.steps() {
            for e in step
                .evidence
                .iter()
                .filter(|e| e.kind == EvidenceKind::AccountId)
            {
                assert!(
                    e.label.contains("恒久的な数字のID"),
                    "{}: step {} records an account by its name only: {}",
                    p.id,
                    step.id,
                    e.label
                );
            }
        }
        assert!(p.graph.critical_duration() > TimeDelta::zero());
    }
}

/// The milestones the yearly summary measures by, as docs/playbook-format.md and
/// docs/summary.md table them: each stock playbook marks the step of each moment it has.
#[test]
fn every_stock_playbook_marks_its_milestones() {
    use hikeshi::playbook::Milestone::{Containment, FirstReport, PublicNotice};
    let expected = [
        (
            "unauthorized-access",
            [
                Some("report-to-supervisor"),
                Some("change-password"),
                Some("takeover-notice"),
            ],
        ),
        (
            "impersonation",
            [
                Some("report-to-supervisor"),
                Some("report-to-platform"),
                Some("warning-post"),
            ],
        ),
        (
            "flaming",
            [
                Some("report-to-supervisor"),
                Some("hold-replies"),
                Some("in-progress-post"),
            ],
        ),
        (
            "correction",
            [
                Some("report-to-supervisor"),
                Some("fix-original-post"),
                Some("correction-post"),
            ],
        ),
        (
            "staff-conduct",
            [
                Some("detect"),
                Some("interview-staff"),
                Some("city-statement"),
            ],
        ),
        ("rumor", [Some("detect"), None, Some("fact-post")]),
        ("comments", [Some("report"), Some("delete-comment"), None]),
        (
            "contractor",
            [
                Some("report-to-supervisor"),
                Some("stop-posting"),
                Some("correction-post"),
            ],
        ),
        (
            "deepfake",
            [
                Some("report-first"),
                Some("report-to-platform"),
                Some("warning-post"),
            ],
        ),
        (
            "account-lost",
            [
                Some("report-to-supervisor"),
                Some("secure-account"),
                Some("status-notice"),
            ],
        ),
    ];
    let (_, directory) = catalog::DivisionsRef::Stock
        .load(&Limits::default())
        .expect("stock divisions are valid");
    let stock = catalog::stock_playbooks();
    assert_eq!(stock.len(), expected.len());
    for (id, steps) in expected {
        let source = catalog::stock_playbook(id).unwrap();
        let p = compile_source(&source, &directory, &CompileOptions::default())
            .unwrap()
            .playbook;
        for (milestone, step) in [FirstReport, Containment, PublicNotice]
            .into_iter()
            .zip(steps)
        {
            let marked = p
                .milestone(milestone)
                .and_then(|ix| p.graph.step(ix))
                .map(|s| s.id.as_str());
            assert_eq!(marked, step, "{id}: {}", milestone.as_str());
        }
    }
}

/// An overlay may mark a step of its base with a milestone (`change:`); a second step with the
/// same milestone is refused there as anywhere.
#[test]
fn an_overlay_marks_a_milestone_with_change() {
    let (_, directory) = catalog::DivisionsRef::Stock
        .load(&Limits::default())
        .expect("stock divisions are valid");
    let overlay = |step: &str| {
        format!("id: town\nextends: rumor\nchange:\n  - id: {step}\n    milestone: containment\n")
    };
    let compiled = compile_source(
        &SourceFile::new("town.yaml", overlay("request-removal")),
        &directory,
        &CompileOptions::default(),
    )
    .unwrap();
    let p = &compiled.playbook;
    let marked = p
        .milestone(hikeshi::playbook::Milestone::Containment)
        .and_then(|ix| p.graph.step(ix))
        .map(|s| s.id.clone());
    assert_eq!(marked.as_deref(), Some("request-removal"));
    // `fact-post` is the public notice already.
    let twice = compile_source(
        &SourceFile::new(
            "town.yaml",
            overlay("website-notice").replace("containment", "public_notice"),
        ),
        &directory,
        &CompileOptions::default(),
    );
    let Err(diagnostics) = twice else {
        panic!("a second public notice compiled")
    };
    let codes: Vec<String> = diagnostics
        .iter()
        .map(|d| serde_json::to_value(&d.problem).unwrap()["code"].to_string())
        .collect();
    assert_eq!(codes, ["\"duplicate_milestone\""]);
}
