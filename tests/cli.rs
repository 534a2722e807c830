//! The command-line contract: commands, exit codes, embedded defaults, and golden pictures
//! of the stock playbooks' graphs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{fixture, hikeshi, native, root};
use predicates::prelude::*;

/// The stock playbooks, in the order `list` shows them.
const STOCK_IDS: [&str; 10] = [
    "unauthorized-access",
    "impersonation",
    "flaming",
    "correction",
    "staff-conduct",
    "rumor",
    "comments",
    "contractor",
    "deepfake",
    "account-lost",
];

#[test]
fn check_of_the_repository_playbooks_exits_zero() {
    let ok = |line: &str| predicate::str::contains(format!("ok   {}", native(line)));
    hikeshi()
        .current_dir(root())
        .args(["--lang", "en", "check"])
        .assert()
        .success()
        .stdout(ok("playbooks/divisions.yaml"))
        .stdout(ok("playbooks/accounts.yaml (account register, 5 accounts"))
        .stdout(ok("playbooks/unauthorized-access.yaml"))
        .stdout(ok("playbooks/impersonation.yaml"))
        .stdout(ok("playbooks/flaming.yaml"))
        .stdout(ok("playbooks/correction.yaml"))
        .stdout(ok("playbooks/staff-conduct.yaml"))
        .stdout(ok("playbooks/rumor.yaml"))
        .stdout(ok("playbooks/comments.yaml"))
        .stdout(ok("playbooks/contractor.yaml"))
        .stdout(ok("playbooks/deepfake.yaml"))
        .stdout(ok("playbooks/account-lost.yaml"))
        .stdout(ok(
            "playbooks/exercises/takeover-friday-night.yaml (exercise scenario unauthorized-access",
        ))
        .stdout(ok("playbooks/exercises/fake-mayor-gift-campaign.yaml"))
        .stdout(ok("playbooks/exercises/shelter-post-backlash.yaml"))
        .stdout(ok("playbooks/exercises/wrong-shelter-heavy-rain.yaml"))
        .stdout(ok("playbooks/exercises/anonymous-staff-account.yaml"))
        .stdout(ok("playbooks/exercises/earthquake-water-rumor.yaml"))
        .stdout(ok("playbooks/exercises/scam-link-comments.yaml"))
        .stdout(ok("playbooks/exercises/former-agency-wrong-post.yaml"))
        .stdout(ok("playbooks/exercises/mayor-deepfake-benefit.yaml"))
        .stdout(ok("playbooks/exercises/bousai-account-locked-out.yaml"))
        .stdout(ok("playbooks/exercises/event-account-suspended.yaml"))
        .stdout(ok("playbooks/exercises/dormant-campaign-takeover.yaml"))
        .stderr(predicate::str::contains("checked 24 file(s): 0 error(s)"));
}

#[test]
fn check_without_a_playbooks_folder_checks_the_embedded_stock() {
    let dir = tempfile::tempdir().unwrap();
    hikeshi()
        .current_dir(dir.path())
        .args(["--lang", "en", "check"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "<embedded>/playbooks/unauthorized-access.yaml",
        ))
        .stdout(predicate::str::contains(
            "<embedded>/playbooks/exercises/shelter-post-backlash.yaml",
        ))
        .stderr(predicate::str::contains("checked 23 file(s): 0 error(s)"));
}

#[test]
fn check_exit_codes_are_zero_one_and_two() {
    hikeshi()
        .args(["check"])
        .arg(fixture("diagnostics/valid.yaml"))
        .assert()
        .code(0);
    hikeshi()
        .args(["check"])
        .arg(fixture("diagnostics/cycle.yaml"))
        .assert()
        .code(1);
    hikeshi().args(["check", "--no-such-flag"]).assert().code(2);
    hikeshi().arg("no-such-command").assert().code(2);
}

#[test]
fn a_broken_divisions_file_is_reported_and_its_playbooks_are_not_checked() {
    let output = hikeshi()
        .args(["--lang", "en", "check", "--json"])
        .arg(fixture("bad-divisions"))
        .assert()
        .code(1)
        .get_output()
        .clone();
    let diagnostics: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    let found: Vec<(String, u64)> = diagnostics
        .iter()
        .map(|d| {
            (
                d["problem"]["code"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                d["position"]["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("duplicate_id".to_string(), 5),
            ("bad_email".to_string(), 8),
            ("unknown_division".to_string(), 11)
        ]
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("playbook.yaml: not checked, because its divisions file has errors"),
        "{stderr}"
    );
}

#[test]
fn a_playbook_checked_against_another_divisions_file_uses_its_names() {
    // valid.yaml names 広報広聴課 and デジタル推進課; the stock directory has both, so it passes
    // with --divisions pointing at the stock file too.
    hikeshi()
        .args(["check", "--divisions"])
        .arg(root().join("playbooks/divisions.yaml"))
        .arg(fixture("diagnostics/valid.yaml"))
        .assert()
        .success();
    hikeshi()
        .args(["--lang", "en", "check", "--divisions"])
        .arg(fixture("bad-divisions/divisions.yaml"))
        .arg(fixture("diagnostics/valid.yaml"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "duplicate division id `広報広聴課`",
        ));
}

#[test]
fn schema_matches_the_committed_copy() {
    let committed = std::fs::read_to_string(root().join("docs/playbook.schema.json")).unwrap();
    hikeshi()
        .arg("schema")
        .assert()
        .success()
        .stdout(predicate::eq(committed));
    let report = std::fs::read_to_string(root().join("docs/report.schema.json")).unwrap();
    let out = hikeshi().args(["schema", "--report"]).output().unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), report);
    let committed = std::fs::read_to_string(root().join("docs/divisions.schema.json")).unwrap();
    hikeshi()
        .args(["schema", "--divisions"])
        .assert()
        .success()
        .stdout(predicate::eq(committed));
    let committed = std::fs::read_to_string(root().join("docs/accounts.schema.json")).unwrap();
    hikeshi()
        .args(["schema", "--accounts"])
        .assert()
        .success()
        .stdout(predicate::eq(committed));
    let committed = std::fs::read_to_string(root().join("docs/exercise.schema.json")).unwrap();
    hikeshi()
        .args(["schema", "--exercise"])
        .assert()
        .success()
        .stdout(predicate::eq(committed));
    // `hikeshi schema --status > docs/status.schema.json` when status --json changes.
    let committed = std::fs::read_to_string(root().join("docs/status.schema.json")).unwrap();
    hikeshi()
        .args(["schema", "--status"])
        .assert()
        .success()
        .stdout(predicate::eq(committed));
}

#[test]
fn schema_describes_the_step_kinds_and_fields() {
    let out = hikeshi().arg("schema").output().unwrap();
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let text = schema.to_string();
    for needle in [
        "\"notify\"",
        "\"decision\"",
        "\"monitor\"",
        "\"due_from\"",
        "\"platform_guidance\"",
        "\"takeover_notice\"",
    ] {
        assert!(text.contains(needle), "schema lacks {needle}");
    }
    assert_eq!(schema["required"], serde_json::json!(["id"]));
    // A title unless the playbook extends another.
    assert_eq!(
        schema["anyOf"],
        serde_json::json!([{"required": ["title"]}, {"required": ["extends"]}])
    );
}

#[test]
fn every_stock_playbook_points_editors_at_the_schema() {
    for name in [
        "unauthorized-access.yaml",
        "impersonation.yaml",
        "flaming.yaml",
        "correction.yaml",
        "staff-conduct.yaml",
        "rumor.yaml",
        "comments.yaml",
        "contractor.yaml",
        "deepfake.yaml",
        "account-lost.yaml",
    ] {
        let text = std::fs::read_to_string(root().join("playbooks").join(name)).unwrap();
        assert!(
            text.starts_with("# yaml-language-server: $schema=../docs/playbook.schema.json\n"),
            "{name}"
        );
    }
    let text = std::fs::read_to_string(root().join("playbooks/divisions.yaml")).unwrap();
    assert!(text.starts_with("# yaml-language-server: $schema=../docs/divisions.schema.json\n"));
    for entry in std::fs::read_dir(root().join("playbooks/exercises")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with("# yaml-language-server: $schema=../../docs/exercise.schema.json\n"),
            "{}",
            path.display()
        );
    }
}

#[test]
fn list_shows_each_playbook_with_steps_and_critical_path() {
    let dir = tempfile::tempdir().unwrap();
    let out = hikeshi()
        .current_dir(dir.path())
        .args(["--lang", "en", "list"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 11, "{text}");
    assert!(lines[0].starts_with("ID"));
    for (line, id) in lines[1..].iter().zip(STOCK_IDS) {
        assert!(line.starts_with(id), "{line}");
        let cells: Vec<&str> = line.split("  ").filter(|c| !c.trim().is_empty()).collect();
        let steps: usize = cells[2].trim().parse().unwrap_or(0);
        assert!(steps >= 10, "{line}");
    }
}

#[test]
fn list_exercises_shows_each_scenario_with_its_playbook() {
    let dir = tempfile::tempdir().unwrap();
    let out = hikeshi()
        .current_dir(dir.path())
        .args(["--lang", "en", "list", "--exercises"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 13, "{text}");
    for (line, (id, playbook)) in lines[1..].iter().zip([
        ("takeover-friday-night", "unauthorized-access"),
        ("fake-mayor-gift-campaign", "impersonation"),
        ("shelter-post-backlash", "flaming"),
        ("wrong-shelter-heavy-rain", "correction"),
        ("anonymous-staff-account", "staff-conduct"),
        ("earthquake-water-rumor", "rumor"),
        ("scam-link-comments", "comments"),
        ("former-agency-wrong-post", "contractor"),
        ("mayor-deepfake-benefit", "deepfake"),
        ("bousai-account-locked-out", "account-lost"),
        ("event-account-suspended", "account-lost"),
        ("dormant-campaign-takeover", "account-lost"),
    ]) {
        assert!(line.starts_with(id), "{line}");
        assert!(line.contains(playbook), "{line}");
    }
}

#[test]
fn init_writes_a_working_set_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("city");
    hikeshi()
        .args(["--lang", "en", "init"])
        .arg(&target)
        .assert()
        .success()
        .stdout(predicate::str::contains("Written to"));
    for file in [
        "playbooks/unauthorized-access.yaml",
        "playbooks/impersonation.yaml",
        "playbooks/flaming.yaml",
        "playbooks/correction.yaml",
        "playbooks/staff-conduct.yaml",
        "playbooks/rumor.yaml",
        "playbooks/comments.yaml",
        "playbooks/contractor.yaml",
        "playbooks/deepfake.yaml",
        "playbooks/account-lost.yaml",
        "playbooks/divisions.yaml",
        "hikeshi.toml",
        "docs/playbook.schema.json",
        "docs/divisions.schema.json",
        "docs/exercise.schema.json",
        "playbooks/exercises/takeover-friday-night.yaml",
        "playbooks/exercises/fake-mayor-gift-campaign.yaml",
        "playbooks/exercises/shelter-post-backlash.yaml",
        "playbooks/exercises/wrong-shelter-heavy-rain.yaml",
        "playbooks/exercises/anonymous-staff-account.yaml",
        "playbooks/exercises/earthquake-water-rumor.yaml",
        "playbooks/exercises/scam-link-comments.yaml",
        "playbooks/exercises/former-agency-wrong-post.yaml",
        "playbooks/exercises/mayor-deepfake-benefit.yaml",
        "playbooks/exercises/bousai-account-locked-out.yaml",
        "playbooks/exercises/event-account-suspended.yaml",
        "playbooks/exercises/dormant-campaign-takeover.yaml",
    ] {
        assert!(target.join(file).is_file(), "{file} missing");
    }
    hikeshi()
        .current_dir(&target)
        .args(["--lang", "en", "check"])
        .assert()
        .success()
        .stderr(predicate::str::contains("checked 23 file(s): 0 error(s)"));
    // A scenario copied with its playbooks runs against the copy, not the stock one.
    hikeshi()
        .current_dir(&target)
        .args([
            "--lang",
            "en",
            "exercise",
            "playbooks/exercises/shelter-post-backlash.yaml",
        ])
        .args(["--autopilot"])
        .assert()
        .success()
        .stdout(predicate::str::contains("score "));
    hikeshi()
        .args(["--lang", "en", "init"])
        .arg(&target)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("already exist"))
        .stderr(predicate::str::contains("--force"));
    hikeshi()
        .arg("init")
        .arg(&target)
        .arg("--force")
        .assert()
        .success();
}

#[test]
fn graph_of_an_unknown_playbook_names_the_stock_ones() {
    hikeshi()
        .args(["graph", "no-such-playbook"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "unauthorized-access, impersonation, flaming, correction, staff-conduct, rumor, comments, contractor, deepfake, account-lost",
        ))
        .stderr(predicate::str::contains(
            "`no-such-playbook` という手順書が見つかりません（探した場所: ",
        ));
}

#[test]
fn an_error_is_printed_once_in_the_language_asked_for() {
    // Before the one error path this was English whatever the language, and printed by main.
    let stock = "stock playbooks: unauthorized-access, impersonation, flaming, correction, staff-conduct, rumor, comments, contractor, deepfake, account-lost)";
    let out = hikeshi()
        .args(["--lang", "en", "start", "no-such-playbook"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with(
            "hikeshi: no playbook file or playbook named `no-such-playbook` (looked in: "
        ) && err.ends_with(&format!("; {stock}\n")),
        "{err}"
    );
    let out = hikeshi()
        .args(["start", "no-such-playbook"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("hikeshi: `no-such-playbook` という手順書が見つかりません（探した場所: "),
        "{err}"
    );
}

#[test]
fn graph_of_a_broken_playbook_prints_diagnostics_not_a_graph() {
    hikeshi()
        .args(["--lang", "en", "graph"])
        .arg(fixture("diagnostics/cycle.yaml"))
        .assert()
        .code(1)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains("the steps form a cycle"));
}

fn graph(playbook: &str, format: &str, lang: &str) -> String {
    let out = hikeshi()
        .args(["--lang", lang, "graph", playbook, "--format", format])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).unwrap()
}

#[test]
fn graph_golden_dot_and_mermaid() {
    for id in STOCK_IDS {
        insta::assert_snapshot!(format!("{id}.dot"), graph(id, "dot", "ja"));
        insta::assert_snapshot!(format!("{id}.mmd"), graph(id, "mermaid", "ja"));
    }
    let valid = fixture("diagnostics/valid.yaml");
    let valid = valid.to_str().unwrap();
    insta::assert_snapshot!("valid.en.dot", graph(valid, "dot", "en"));
    insta::assert_snapshot!("valid.en.mmd", graph(valid, "mermaid", "en"));
}

#[test]
fn help_answers_the_common_questions() {
    hikeshi()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("check"))
        .stdout(predicate::str::contains("graph"))
        .stdout(predicate::str::contains("Exit codes: 0 success"));
    // Every stock playbook is named, as `list` names them.
    let help = hikeshi().arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout).replace('\n', " ");
    for id in STOCK_IDS {
        assert!(help.contains(id), "{id} is not in --help: {help}");
    }
    hikeshi()
        .args(["check", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("--divisions FILE"))
        .stdout(predicate::str::contains("stock playbooks embedded"));
}

/// `start --help` sends the operator to `show` for the facts, and `show` lists them: name,
/// label, kind, whether the start needs it, a choice's options.
#[test]
fn show_lists_the_facts_a_start_may_give() {
    let help = hikeshi().args(["start", "--help"]).output().unwrap();
    assert!(String::from_utf8_lossy(&help.stdout).contains("hikeshi show PLAYBOOK"));
    let out = hikeshi()
        .current_dir(std::env::temp_dir())
        .args(["--lang", "en", "show", "impersonation"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("facts (--fact NAME=VALUE):"), "{text}");
    assert!(text.contains("  fake_account — "), "{text}");
    assert!(text.contains("(account"), "{text}");
}

/// `check` takes an id as the other commands do (the city's playbook, else the stock one),
/// and says where it looked for a name it cannot find.
#[test]
fn check_takes_an_id() {
    let dir = tempfile::tempdir().unwrap();
    hikeshi()
        .current_dir(dir.path())
        .args(["--lang", "en", "check", "flaming"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "<embedded>/playbooks/flaming.yaml",
        ));
    let out = hikeshi()
        .current_dir(dir.path())
        .args(["--lang", "en", "check", "no-such-playbook"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no-such-playbook"), "{err}");
    assert!(err.contains("playbooks"), "where it looked: {err}");
}

/// A broken playbook that a scenario uses is reported once, not again through the scenario
/// (`exercises/../flaming.yaml`).
#[test]
fn check_reports_a_playbooks_error_once() {
    let dir = tempfile::tempdir().unwrap();
    let playbooks = dir.path().join("playbooks");
    std::fs::create_dir_all(playbooks.join("exercises")).unwrap();
    let flaming = std::fs::read_to_string(root().join("playbooks/flaming.yaml"))
        .unwrap()
        .replacen("after: [detect]", "after: [detectx]", 1);
    std::fs::write(playbooks.join("flaming.yaml"), flaming).unwrap();
    std::fs::copy(
        root().join("playbooks/divisions.yaml"),
        playbooks.join("divisions.yaml"),
    )
    .unwrap();
    std::fs::copy(
        fixture("exercise/scored.yaml"),
        playbooks.join("exercises/scored.yaml"),
    )
    .unwrap();
    let (diagnostics, code) = common::check_json(&playbooks);
    assert_eq!(code, 1);
    let unknown: Vec<_> = diagnostics
        .iter()
        .filter(|d| d.to_string().contains("detectx"))
        .collect();
    assert_eq!(unknown.len(), 1, "{diagnostics:#?}");
}

/// `show` says what each step rests on: the clauses it follows, practice with its reason, and
/// the clauses it departs from on purpose with the words and the reason.
#[test]
fn show_prints_each_step_s_basis_and_departures() {
    let out = hikeshi()
        .current_dir(std::env::temp_dir())
        .args(["show", "unauthorized-access"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    let step = text
        .split("\n  password-rules ")
        .nth(1)
        .and_then(|s| s.split("\n  review-admins ").next())
        .unwrap_or_default();
    assert!(
        step.contains("    根拠: 宇部市ソーシャルメディアの利用に関するガイドライン 4(3)"),
        "{text}"
    );
    assert!(
        step.contains("    従わない規定: 流山市職員のソーシャルメディアの利用に関するガイドライン パスワード「…定期的に更新します。」"),
        "{text}"
    );
    assert!(step.contains("— 定期的な変更は求めず"), "{text}");
    assert!(text.contains("    根拠: 実務 — "), "{text}");
}
