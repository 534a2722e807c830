//! `extends:`: a city's playbook on a stock one. The example overlays run end to end, are
//! frozen with their base, and problems are reported in the file and line where they were
//! written.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::HashSet;
use std::sync::Arc;

use common::{check_json, fixture, root};
use hikeshi::catalog::{self, PlaybookRef};
use hikeshi::clock::SimulatedClock;
use hikeshi::incident::{Command, Incident, IncidentRecord, StartParams, StepStatus};
use hikeshi::notify::{self, Config, Transport};
use hikeshi::playbook::{CompileOptions, StepKind};

fn start(path: &str, facts: &[(&str, &str)]) -> (tempfile::TempDir, Incident) {
    let dir = tempfile::tempdir().unwrap();
    let pb = PlaybookRef::File(root().join(path));
    let divisions = pb.divisions_source(None);
    let loaded = catalog::load_playbook(&pb, &divisions, &CompileOptions::default())
        .map_err(|f| f.diagnostics)
        .unwrap();
    let clock = Arc::new(SimulatedClock::fixed(
        chrono::DateTime::parse_from_rfc3339("2026-11-27T22:00:00+09:00").unwrap(),
    ));
    let incident = Incident::start(
        dir.path(),
        &loaded,
        StartParams {
            title: "町の事案".into(),
            account: Some("@town_official".into()),
            platform: Some(hikeshi::playbook::Platform::X),
            operator: "田中".into(),
            severity: None,
            exercise: false,
            facts: facts
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            origin: None,
        },
        clock,
    )
    .unwrap();
    (dir, incident)
}

/// Does whatever each ready step asks, the first option of every decision, until none is
/// ready; every step is then settled.
fn run_to_the_end(incident: &mut Incident) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for _ in 0..200 {
        let playbook = incident.playbook().clone();
        let Some(ix) = playbook
            .graph
            .order()
            .iter()
            .copied()
            .find(|ix| incident.state().status_of(*ix) == StepStatus::Ready)
        else {
            break;
        };
        let step = playbook.graph.step(ix).unwrap();
        let id = step.id.clone();
        let done = Command::Complete {
            step: id.clone(),
            note: None,
            force: None,
            statement: None,
        };
        match &step.kind {
            StepKind::Decision(_) => {
                let option = match &step.kind {
                    StepKind::Decision(d) => d.options[0].id.clone(),
                    _ => unreachable!(),
                };
                let decide = Command::Decide {
                    step: id,
                    option,
                    reason: None,
                    force: None,
                };
                incident.execute("田中", &decide).unwrap();
            }
            StepKind::Notify(_) => {
                notify::queue(incident, "田中", &id, &Config::default()).unwrap();
                for job in notify::due(incident, &HashSet::new(), false) {
                    let outcome = runtime.block_on(Transport::File.deliver(&job));
                    notify::record(incident, &outcome).unwrap();
                }
            }
            StepKind::Approval { .. } | StepKind::Post(_) => {
                let approve = Command::Approve {
                    step: id.clone(),
                    by: "課長".into(),
                    statements: None,
                };
                incident.execute("田中", &approve).unwrap();
                if matches!(step.kind, StepKind::Post(_)) {
                    incident.execute("田中", &done).unwrap();
                }
            }
            StepKind::Monitor(_) => {
                let observe = Command::Observe {
                    step: id,
                    text: "変化なし".into(),
                };
                incident.execute("田中", &observe).unwrap();
                incident.execute("田中", &done).unwrap();
            }
            StepKind::Action => {
                incident.execute("田中", &done).unwrap();
            }
        }
    }
}

#[test]
fn each_example_overlay_runs_to_the_end_and_is_frozen_with_its_base() {
    let facts = [
        ("genuine_account", "@town_official"),
        ("fake_account", "@town_0fficial"),
    ];
    for (path, stock, added, removed) in [
        (
            "playbooks/examples/flaming-town.yaml",
            "flaming",
            "call-chief",
            "notify-mayor",
        ),
        (
            "playbooks/examples/impersonation-town.yaml",
            "impersonation",
            "notify-neighbors",
            "prevention",
        ),
        (
            "playbooks/examples/unauthorized-access-town.yaml",
            "unauthorized-access",
            "check-other-accounts",
            "press-release",
        ),
    ] {
        let flaming = [
            ("target_post", "12月1日の「年末年始のごみ収集」"),
            ("wrong_info", "12月29日から"),
            ("right_info", "12月30日から"),
            ("explanation", "収集日は地区により異なります"),
        ];
        let facts: &[(&str, &str)] = match stock {
            "impersonation" => &facts,
            "flaming" => &flaming,
            _ => &[],
        };
        let (_dir, mut incident) = start(path, facts);
        let playbook = incident.playbook();
        assert!(playbook.graph.find(added).is_some(), "{path}: {added}");
        assert!(playbook.graph.find(removed).is_none(), "{path}: {removed}");
        run_to_the_end(&mut incident);
        let p = incident.state().progress();
        assert_eq!(p.ready + p.pending, 0, "{path}: every step settled: {p:?}");
        // The frozen copy: the overlay pointing at its frozen base, and the base as it was.
        let folder = incident.dir();
        let frozen = std::fs::read_to_string(folder.join("playbook.yaml")).unwrap();
        assert!(
            frozen.contains("\nextends: playbook.base.yaml\n"),
            "{frozen}"
        );
        let base = std::fs::read_to_string(folder.join("playbook.base.yaml")).unwrap();
        assert_eq!(base, hikeshi::stock::playbook(stock).unwrap());
        let reread = IncidentRecord::load(folder).unwrap();
        assert_eq!(&reread.state, incident.state());
    }
}

#[test]
fn the_changed_deadlines_and_owner_are_the_overlays() {
    let (_dir, incident) = start("playbooks/examples/flaming-town.yaml", &[]);
    let pb = incident.playbook();
    let step = |id: &str| pb.graph.step(pb.graph.find(id).unwrap()).unwrap();
    assert_eq!(
        step("detect").due.unwrap().within,
        chrono::TimeDelta::minutes(15)
    );
    assert_eq!(step("assess-severity").owner.as_deref(), Some("所属長"));
    assert!(step("call-chief").practice.is_some());
    // Steps that waited for the removed step wait for what it waited for.
    let final_report = step("final-report");
    let assess = pb.graph.find("assess-severity").unwrap();
    assert!(
        final_report.after.contains(&assess),
        "{:?}",
        final_report.after
    );
}

/// A problem in the overlay is reported in the overlay, at its line; one in the base's text
/// (here: none) would be reported in the base.
#[test]
fn problems_are_reported_where_they_were_written() {
    let (diagnostics, code) = check_json(&fixture("extend/bad-overlay.yaml"));
    assert_eq!(code, 1);
    let find = |code: &str| {
        diagnostics
            .iter()
            .find(|d| d["problem"]["code"] == code)
            .unwrap_or_else(|| panic!("no {code}: {diagnostics:#?}"))
    };
    let unknown = find("unknown_step");
    assert!(
        unknown["file"]
            .as_str()
            .unwrap()
            .ends_with("bad-overlay.yaml")
    );
    assert_eq!(unknown["position"]["line"], 6);
    assert!(unknown["hint"].as_str().unwrap().contains("`detect`"));
    let removal = find("removal_without_reason");
    assert_eq!(removal["position"]["line"], 13);
}

/// `hikeshi show` prints the merged playbook with the overlay's additions (+) and changes (~)
/// marked and its removals listed with their reasons.
#[test]
fn show_prints_the_merged_playbook_with_the_overlays_marks() {
    let out = common::hikeshi()
        .args(["--lang", "en", "show"])
        .arg(root().join("playbooks/examples/flaming-town.yaml"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("extends: flaming (+ added, ~ changed)"),
        "{text}"
    );
    assert!(text.contains("~ detect (action)"), "{text}");
    assert!(text.contains("after: []  due: 15m"), "{text}");
    assert!(text.contains("+ call-chief (action)"), "{text}");
    assert!(text.contains("  report-to-supervisor (notify)"), "{text}");
    assert!(
        text.contains("- notify-mayor (removed: 町長への報告は"),
        "{text}"
    );
    assert!(!text.contains("notify-mayor (notify)"), "{text}");
}

/// Issue 26 (5): `show` of an overlay prints, for a changed step, its condition, what its
/// deadline counts from, its approver or recipients, and each field the overlay changed with
/// what the playbook extended had; a deadline by a decision's answer is shown whole.
#[test]
fn show_prints_what_an_overlay_changed_and_what_the_base_had() {
    let dir = tempfile::tempdir().unwrap();
    let overlay = dir.path().join("correction-town.yaml");
    std::fs::write(
        &overlay,
        "id: correction-town\nextends: correction\nchange:\n  - id: correction-post\n    due: {safety: 10m, default: 1h}\n    approver: 所属長\n  - id: report-to-supervisor\n    to: [所属長, \"{{owner_division}}\"]\n    due_from: ready\n",
    )
    .unwrap();
    let out = common::hikeshi()
        .args(["--lang", "en", "show"])
        .arg(&overlay)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    let block = |id: &str| {
        let start = text
            .find(&format!("~ {id} ("))
            .unwrap_or_else(|| panic!("{text}"));
        let mut lines = text[start..].lines();
        let head = lines.next().unwrap_or_default().to_string();
        lines
            .take_while(|l| l.starts_with("    "))
            .fold(head, |block, l| format!("{block}\n{l}"))
    };
    let post = block("correction-post");
    assert!(
        post.contains(
            "due: assess-impact: safety 10m / personal-data 1h / daily-life 1h / minor 1h"
        ),
        "{post}"
    );
    assert!(
        post.contains(
            "when: assess-impact in [safety, daily-life]  due_from: start  approver: 所属長"
        ),
        "{post}"
    );
    assert!(
        post.contains("changed due: {default: 2h, safety: 15m} → {default: 1h, safety: 10m}"),
        "{post}"
    );
    assert!(
        post.contains("changed approver: 発信管理者 → 所属長"),
        "{post}"
    );
    let report = block("report-to-supervisor");
    assert!(
        report.contains("due_from: ready  to: [所属長, {{owner_division}}]"),
        "{report}"
    );
    assert!(
        report.contains(
            "changed to: [所属長, 運用管理者, {{owner_division}}] → [所属長, {{owner_division}}]"
        ),
        "{report}"
    );
    assert!(
        report.contains("changed due_from: start → ready"),
        "{report}"
    );
    // An unchanged step shows only its line.
    assert!(text.contains("\n  detect (action)"), "{text}");
    assert!(!text.contains("changed title"), "{text}");
}

/// 炎上: the 「確認中」 post never holds back a correction that is ready, and once the
/// correction is out it no longer applies (it would say what is no longer true): `until:`.
#[test]
fn the_checking_post_never_delays_a_ready_correction_and_ends_with_it() {
    let (_dir, mut incident) = start(
        "playbooks/flaming.yaml",
        &[
            ("target_post", "12月1日の「年末年始のごみ収集」"),
            ("wrong_info", "12月29日から"),
            ("right_info", "12月30日から"),
        ],
    );
    let force = || Some("訓練のため".to_string());
    let decide = |step: &str, option: &str| Command::Decide {
        step: step.into(),
        option: option.into(),
        reason: None,
        force: force(),
    };
    incident
        .execute("田中", &decide("assess-severity", "medium"))
        .unwrap();
    let status = |incident: &Incident, id: &str| {
        let pb = incident.playbook();
        incident.state().status_of(pb.graph.find(id).unwrap())
    };
    assert_eq!(status(&incident, "in-progress-post"), StepStatus::Ready);
    incident
        .execute("田中", &decide("decide-response", "error"))
        .unwrap();
    let complete = |step: &str| Command::Complete {
        step: step.into(),
        note: None,
        force: force(),
        statement: None,
    };
    incident
        .execute("田中", &complete("approve-original-handling"))
        .unwrap();
    // The 「確認中」 post is not done, and the correction is ready all the same.
    assert_eq!(status(&incident, "correction-post"), StepStatus::Ready);
    let approve = Command::Approve {
        step: "correction-post".into(),
        by: "課長".into(),
        statements: None,
    };
    incident.execute("田中", &approve).unwrap();
    let post = Command::Complete {
        step: "correction-post".into(),
        note: None,
        force: None,
        statement: None,
    };
    incident.execute("田中", &post).unwrap();
    assert_eq!(
        status(&incident, "in-progress-post"),
        StepStatus::NotApplicable
    );
    let late = Command::Complete {
        step: "in-progress-post".into(),
        note: None,
        force: None,
        statement: None,
    };
    assert!(
        matches!(
            incident.check(&late),
            Err(hikeshi::incident::Refusal::NotApplicable { .. })
        ),
        "{:?}",
        incident.check(&late)
    );
}

/// 炎上 whose post holds a life-and-safety error: answered so (even later, the answer
/// changed with a reason), the correction is due within minutes of being ready, without
/// waiting for the cause or the response; once out, the slow correction and the 「確認中」
/// post no longer apply (the same correction is not posted twice).
#[test]
fn a_safety_error_inside_flaming_takes_the_fast_correction() {
    let (_dir, mut incident) = start(
        "playbooks/flaming.yaml",
        &[
            ("target_post", "9月14日14時の「避難所開設」"),
            ("wrong_info", "ペットは同伴できません"),
            ("right_info", "ペットと一緒に避難できます"),
        ],
    );
    let status = |incident: &Incident, id: &str| {
        let pb = incident.playbook();
        incident.state().status_of(pb.graph.find(id).unwrap())
    };
    let complete = |step: &str| Command::Complete {
        step: step.into(),
        note: None,
        force: None,
        statement: None,
    };
    incident.execute("田中", &complete("detect")).unwrap();
    let decide = |option: &str, reason: Option<&str>| Command::Decide {
        step: "safety-check".into(),
        option: option.into(),
        reason: reason.map(str::to_string),
        force: None,
    };
    incident.execute("田中", &decide("none", None)).unwrap();
    assert_eq!(
        status(&incident, "safety-correction"),
        StepStatus::NotApplicable
    );
    // Found later: the answer changed with a reason.
    incident
        .execute("田中", &decide("safety-error", Some("避難所の誤りと確認")))
        .unwrap();
    assert_eq!(status(&incident, "safety-correction"), StepStatus::Ready);
    let pb = incident.playbook().clone();
    let due = pb
        .graph
        .step(pb.graph.find("safety-correction").unwrap())
        .unwrap()
        .due
        .unwrap()
        .within;
    assert_eq!(due, chrono::TimeDelta::minutes(10));
    let approve = Command::Approve {
        step: "safety-correction".into(),
        by: "課長".into(),
        statements: None,
    };
    incident.execute("田中", &approve).unwrap();
    incident
        .execute("田中", &complete("safety-correction"))
        .unwrap();
    assert_eq!(
        status(&incident, "correction-post"),
        StepStatus::NotApplicable
    );
    assert_eq!(
        status(&incident, "in-progress-post"),
        StepStatus::NotApplicable
    );
}

/// `hikeshi --lang en check --json PATH`, at most 30 s (a FIFO read would hang it).
fn check_within(path: &std::path::Path) -> (Vec<serde_json::Value>, i32) {
    let output = common::hikeshi()
        .args(["--lang", "en", "check", "--json"])
        .arg(path)
        .timeout(std::time::Duration::from_secs(30))
        .output()
        .unwrap();
    let diagnostics = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|_| panic!("check --json printed a JSON array: {output:?}"));
    (diagnostics, output.status.code().unwrap_or(-1))
}

/// Issue 30 item 8: the playbook extended is a stock id or a regular file inside the
/// overlay's own folder. `../x.yaml`, an absolute path and a link out of the folder are
/// refused without being read (nothing of theirs is echoed); a FIFO is refused, not waited on.
#[test]
fn extends_reads_only_a_regular_file_inside_the_playbooks_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let city = tmp.path().join("city");
    std::fs::create_dir(&city).unwrap();
    let secret = tmp.path().join("secret.yaml");
    std::fs::write(&secret, "db_password_hunter2: 1\n").unwrap();
    let targets = {
        #[cfg_attr(not(unix), allow(unused_mut))]
        let mut targets = vec![
            "../secret.yaml".to_string(),
            secret.display().to_string().replace('\\', "/"),
        ];
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(&secret, city.join("link.yaml")).unwrap();
            targets.push("link.yaml".into());
            let fifo = city.join("pipe.yaml");
            let made = std::process::Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .unwrap();
            assert!(made.success());
            targets.push("pipe.yaml".into());
        }
        targets
    };
    for target in &targets {
        let overlay = city.join("overlay.yaml");
        std::fs::write(&overlay, format!("id: city\nextends: {target}\n")).unwrap();
        let (diagnostics, code) = check_within(&overlay);
        assert_eq!(code, 1, "{target}: {diagnostics:#?}");
        let text = serde_json::to_string(&diagnostics).unwrap();
        assert!(!text.contains("hunter2"), "{target}: {text}");
        assert!(
            diagnostics
                .iter()
                .any(|d| d["problem"]["code"] == "unreadable" && d["position"]["line"] == 2),
            "{target}: {diagnostics:#?}"
        );
    }
    // A file beside the overlay, and a stock id, still extend.
    std::fs::copy(
        common::root().join("playbooks/flaming.yaml"),
        city.join("base.yaml"),
    )
    .unwrap();
    for target in ["base.yaml", "./base.yaml", "flaming"] {
        let overlay = city.join("overlay.yaml");
        std::fs::write(&overlay, format!("id: city\nextends: {target}\n")).unwrap();
        let (diagnostics, code) = check_within(&overlay);
        assert!(
            !diagnostics
                .iter()
                .any(|d| d["problem"]["code"] == "unreadable"),
            "{target}: {diagnostics:#?}"
        );
        assert_ne!(code, -1);
    }
}
