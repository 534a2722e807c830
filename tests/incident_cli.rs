//! The incident commands through the real binary: the contract scripts depend on.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};

use common::{fixture, native};
use predicates::prelude::*;

const T0: &str = "2026-11-22T14:03:00+09:00";

/// `hikeshi` in `cwd` with a fixed clock and an operator.
fn h(cwd: &Path, time: &str) -> common::Hikeshi {
    common::hikeshi_at(cwd, time)
}

fn start_stock(cwd: &Path) -> PathBuf {
    let out = h(cwd, T0)
        .args([
            "start",
            "unauthorized-access",
            "--account",
            "@city_official",
            "--platform",
            "x",
            "--title",
            "公式Xの乗っ取り",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    let last = text.lines().last().unwrap().to_string();
    assert_eq!(last, native("incidents/20261122-1403-unauthorized-access"));
    cwd.join(last)
}

fn status_json(cwd: &Path, incident: &str, time: &str) -> serde_json::Value {
    let out = h(cwd, time)
        .args(["status", incident, "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).unwrap()
}

fn step<'a>(status: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    status["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap()
}

#[test]
fn start_makes_the_incident_folder_and_prints_its_path_last() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = start_stock(tmp.path());
    for name in [
        "journal.jsonl",
        "playbook.yaml",
        "divisions.yaml",
        "outbox",
        "evidence",
    ] {
        assert!(dir.join(name).exists(), "{name}");
    }
    let frozen = std::fs::read_to_string(dir.join("playbook.yaml")).unwrap();
    assert_eq!(frozen, hikeshi::stock::PLAYBOOKS[0].text);
    // A second incident in the same minute gets its own folder.
    let out = h(tmp.path(), T0)
        .args(["start", "unauthorized-access"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        text.lines().last(),
        Some(native("incidents/20261122-1403-unauthorized-access-2").as_str())
    );
}

#[test]
fn status_json_shows_steps_deadlines_and_progress() {
    let tmp = tempfile::tempdir().unwrap();
    start_stock(tmp.path());
    let id = "20261122-1403-unauthorized-access";
    let s = status_json(tmp.path(), id, "2026-11-22T14:23:00+09:00");
    assert_eq!(s["format"], 1);
    assert_eq!(s["id"], id);
    assert_eq!(s["title"], "公式Xの乗っ取り");
    assert_eq!(s["account"], "@city_official");
    assert_eq!(s["platform"], "x");
    assert_eq!(s["operator"], "田中");
    assert_eq!(s["started_at"], T0);
    assert_eq!(s["elapsed_seconds"], 1200);
    assert_eq!(s["playbook"]["id"], "unauthorized-access");
    assert_eq!(s["playbook"]["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(s["progress"]["total"], 26);
    assert_eq!(s["journal"]["entries"], 1);
    let detect = step(&s, "detect");
    assert_eq!(detect["status"], "ready");
    assert_eq!(detect["ready_since"], T0);
    assert_eq!(detect["due_at"], "2026-11-22T14:18:00+09:00");
    assert_eq!(detect["time_left_seconds"], -300);
    assert_eq!(detect["overdue"], true);
    assert_eq!(s["overdue"], serde_json::json!(["detect"]));
    assert_eq!(step(&s, "change-password")["status"], "pending");
}

#[test]
fn a_walk_through_commands_changes_state_and_reports_what_became_ready() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = start_stock(tmp.path());
    let inc = dir.to_str().unwrap();
    let t = "2026-11-22T14:10:00+09:00";
    h(tmp.path(), t)
        .args([
            "--lang",
            "en",
            "done",
            inc,
            "detect",
            "--note",
            "不審な投稿3件",
        ])
        .assert()
        .success()
        // The words the timeline uses, the one description of an event.
        .stdout(predicate::str::contains("recorded: completed “"))
        .stdout(predicate::str::contains(
            "”: 不審な投稿3件 (2026-11-22 14:10)",
        ))
        .stdout(predicate::str::contains(
            "now ready: report-to-supervisor, login-check",
        ));
    h(tmp.path(), t)
        .args(["--lang", "en", "decide", inc, "login-check", "accessible"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "no longer applicable: platform-recovery",
        ))
        .stdout(predicate::str::contains("change-password"));
    h(tmp.path(), t)
        .args(["--lang", "en", "decide", inc, "login-check", "locked-out"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("give --reason to change it"));
    h(tmp.path(), t)
        .args([
            "skip",
            inc,
            "takeover-notice",
            "--reason",
            "他の公式アカウントがない",
        ])
        .assert()
        .success();
    h(tmp.path(), t)
        .args([
            "note",
            inc,
            "広報広聴課長に電話で報告",
            "--step",
            "report-to-supervisor",
        ])
        .assert()
        .success();
    let s = status_json(tmp.path(), inc, t);
    assert_eq!(step(&s, "detect")["status"], "done");
    assert_eq!(step(&s, "detect")["done_by"], "田中");
    assert_eq!(step(&s, "login-check")["answer"], "accessible");
    assert_eq!(step(&s, "platform-recovery")["status"], "not_applicable");
    assert_eq!(
        step(&s, "takeover-notice")["skipped_reason"],
        "他の公式アカウントがない"
    );
    assert_eq!(s["journal"]["entries"], 5);
}

#[test]
fn every_refusal_is_one_line_exit_one_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = start_stock(tmp.path());
    let inc = dir.to_str().unwrap();
    let journal = dir.join("journal.jsonl");
    let before = std::fs::read(&journal).unwrap();
    let cases: &[(&[&str], &str)] = &[
        (
            &["done", inc, "change-password"],
            "is not ready (waiting for login-check, platform-recovery)",
        ),
        (&["done", inc, "no-such-step"], "no step `no-such-step`"),
        (
            &["skip", inc, "detect", "--reason", " "],
            "`--reason` is empty",
        ),
        (&["decide", inc, "detect", "yes"], "is not a decision"),
        (
            &["approve", inc, "detect", "--by", "課長"],
            "neither an approval nor a post",
        ),
        (&["observe", inc, "detect", "見た"], "is not a monitor"),
        (
            &["reopen", inc, "detect", "--reason", "x"],
            "neither done nor skipped",
        ),
        (&["close", inc], "still open"),
        (&["handover", inc, "--to", "田中"], "is already on duty"),
        (
            &["done", "no-such-incident", "detect"],
            "no incident `no-such-incident`",
        ),
    ];
    for (args, message) in cases {
        let out = h(tmp.path(), T0)
            .arg("--lang")
            .arg("en")
            .args(*args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(message), "{args:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert_eq!(
            std::fs::read(&journal).unwrap(),
            before,
            "{args:?} wrote something"
        );
    }
    // And in Japanese by default.
    h(tmp.path(), T0)
        .args(["done", inc, "change-password"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("まだ実施できません"));
    // `--force` needs `--reason` (a usage error).
    h(tmp.path(), T0)
        .args(["done", inc, "detect", "--force"])
        .assert()
        .code(2);
}

/// A refusal's fix is data in the core; the command line says it as the command that does
/// it, with the incident's step filled in (the screen says the same fix as a key).
#[test]
fn a_refusal_s_remedy_is_said_as_a_command_line() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = start_stock(tmp.path());
    let inc = dir.to_str().unwrap();
    let refused = |args: &[&str], lang: &str| {
        let out = h(tmp.path(), T0)
            .args(["--lang", lang])
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        String::from_utf8(out.stderr).unwrap()
    };
    let err = refused(&["done", inc, "change-password"], "en");
    assert!(
        err.contains("do those first, or use --force --reason to record a deviation"),
        "{err}"
    );
    let err = refused(&["done", inc, "change-password"], "ja");
    assert!(
        err.contains(
            "先に実施してください。または、`--force --reason` で理由を記録して実施してください"
        ),
        "{err}"
    );
    let err = refused(&["done", inc, "login-check"], "en");
    assert!(
        err.contains("answer it with `hikeshi decide INCIDENT login-check OPTION`"),
        "{err}"
    );
    h(tmp.path(), T0)
        .args(["done", inc, "detect"])
        .assert()
        .success();
    let err = refused(&["done", inc, "detect"], "en");
    assert!(
        err.contains("use `hikeshi reopen INCIDENT detect --reason TEXT` to do it again"),
        "{err}"
    );
    let err = refused(&["close", inc], "en");
    assert!(
        err.contains("use --force --reason to close anyway"),
        "{err}"
    );
}

#[test]
fn incidents_are_found_by_id_in_the_incidents_folder_from_flag_or_environment() {
    let tmp = tempfile::tempdir().unwrap();
    let elsewhere = tmp.path().join("records");
    h(tmp.path(), T0)
        .args(["--incidents"])
        .arg(&elsewhere)
        .args(["start", "flaming"])
        .assert()
        .success();
    let id = "20261122-1403-flaming";
    assert!(elsewhere.join(id).join("journal.jsonl").is_file());
    h(tmp.path(), T0)
        .env("HIKESHI_INCIDENTS", &elsewhere)
        .args(["status", id])
        .assert()
        .success()
        .stdout(predicate::str::contains("SNS公式アカウントの炎上対応"));
    h(tmp.path(), T0)
        .env("HIKESHI_INCIDENTS", &elsewhere)
        .args(["--lang", "en", "incidents"])
        .assert()
        .success()
        .stdout(predicate::str::contains(id).and(predicate::str::contains("open")));
}

#[test]
fn evidence_files_are_copied_with_their_hash_and_urls_recorded() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = start_stock(tmp.path());
    let inc = dir.to_str().unwrap();
    let shot = tmp.path().join("screenshot.png");
    std::fs::write(&shot, b"not really a png, but bytes to hash").unwrap();
    h(tmp.path(), T0)
        .args(["--lang", "en", "evidence", inc, "detect"])
        .arg(&shot)
        .args(["--note", "不審な投稿の画面"])
        .assert()
        .success()
        .stdout(predicate::str::contains(native(
            "evidence/000002-screenshot.png",
        )));
    let copied = std::fs::read(dir.join("evidence/000002-screenshot.png")).unwrap();
    assert_eq!(copied, b"not really a png, but bytes to hash");
    let expected = hikeshi::digest::sha256_hex(&copied);
    let journal = std::fs::read_to_string(dir.join("journal.jsonl")).unwrap();
    assert!(journal.contains(&format!("\"sha256\":\"{expected}\"")));
    h(tmp.path(), T0)
        .args([
            "evidence",
            inc,
            "detect",
            "https://x.example/city_official/status/1",
        ])
        .assert()
        .success();
    h(tmp.path(), T0)
        .args(["--lang", "en", "evidence", inc, "detect"])
        .arg(tmp.path().join("missing.png"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("cannot open"));
    let s = status_json(tmp.path(), inc, T0);
    assert_eq!(step(&s, "detect")["evidence"], 2);
}

#[test]
fn handover_prints_the_summary_and_changes_the_operator() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = start_stock(tmp.path());
    let inc = dir.to_str().unwrap();
    h(tmp.path(), "2026-11-22T14:30:00+09:00")
        .args(["--lang", "en", "handover", inc, "--to", "佐藤"])
        .assert()
        .success()
        .stdout(predicate::str::contains("progress 0 / 26"))
        .stdout(predicate::str::contains("overdue:\n  - detect"))
        .stdout(predicate::str::contains("handed over: 田中 → 佐藤"));
    let s = status_json(tmp.path(), inc, T0);
    assert_eq!(s["operator"], "佐藤");
}

#[test]
fn close_with_force_records_the_reason_and_then_refuses_changes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = start_stock(tmp.path());
    let inc = dir.to_str().unwrap();
    h(tmp.path(), T0)
        .args(["close", inc, "--force", "--reason", "誤報と判明"])
        .assert()
        .success();
    h(tmp.path(), T0)
        .args(["--lang", "en", "done", inc, "detect"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("the incident is closed"));
    let s = status_json(tmp.path(), inc, T0);
    assert_eq!(s["closed_at"], T0);
    h(tmp.path(), T0).args(["verify", inc]).assert().success();
}

#[test]
fn a_playbook_with_a_severity_given_at_start_reports_it() {
    let tmp = tempfile::tempdir().unwrap();
    h(tmp.path(), T0)
        .args(["start"])
        .arg(fixture("engine/playbook.yaml"))
        .args(["--severity", "high"])
        .assert()
        .success();
    let s = status_json(tmp.path(), "20261122-1403-engine-test", T0);
    assert_eq!(s["severity"], "high");
    // People read its title, as mail and the report show it; the id stays in the data.
    assert_eq!(s["severity_title"], "重大");
    h(tmp.path(), T0)
        .args(["status", "20261122-1403-engine-test"])
        .assert()
        .success()
        .stdout(predicate::str::contains("重大度: 重大"));
    h(tmp.path(), T0)
        .args(["--lang", "en", "start"])
        .arg(fixture("engine/playbook.yaml"))
        .args(["--severity", "extreme"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no severity `extreme`"));
}

#[test]
fn run_without_a_terminal_says_so_and_keeps_the_incident() {
    let tmp = tempfile::tempdir().unwrap();
    h(tmp.path(), T0)
        .args(["--lang", "en", "run", "flaming"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("incident started"))
        .stderr(predicate::str::contains("not a terminal"))
        .stderr(predicate::str::contains(format!(
            "hikeshi tui {}",
            native("incidents/20261122-1403-flaming")
        )));
    assert!(
        tmp.path()
            .join("incidents/20261122-1403-flaming/journal.jsonl")
            .is_file()
    );
    h(tmp.path(), T0)
        .args(["--lang", "en"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("not a terminal"));
}

#[test]
fn a_frozen_playbook_changed_after_the_start_is_detected() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = start_stock(tmp.path());
    let inc = dir.to_str().unwrap();
    let frozen = dir.join("playbook.yaml");
    let text = std::fs::read_to_string(&frozen).unwrap();
    std::fs::write(
        &frozen,
        text.replacen("title: 報道発表を行う", "title: 報道発表を行わない", 1),
    )
    .unwrap();
    for args in [
        vec!["verify", inc],
        vec!["done", inc, "detect"],
        vec!["status", inc],
    ] {
        h(tmp.path(), T0)
            .args(["--lang", "en"])
            .args(&args)
            .assert()
            .code(1)
            .stderr(predicate::str::contains(
                "playbook.yaml was changed after the incident started",
            ));
    }
    std::fs::write(&frozen, &text).unwrap();
    h(tmp.path(), T0).args(["verify", inc]).assert().success();
}

#[test]
fn a_leftover_evidence_copy_does_not_block_a_retry() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = start_stock(tmp.path());
    let inc = dir.to_str().unwrap();
    let shot = tmp.path().join("shot.png");
    std::fs::write(&shot, b"bytes").unwrap();
    // As if a killed process had copied the file but never journaled it.
    std::fs::write(dir.join("evidence/000002-shot.png"), b"partial").unwrap();
    h(tmp.path(), T0)
        .args(["--lang", "en", "evidence", inc, "detect"])
        .arg(&shot)
        .assert()
        .success()
        .stdout(predicate::str::contains(native(
            "evidence/000002-2-shot.png",
        )));
    assert_eq!(
        std::fs::read(dir.join("evidence/000002-2-shot.png")).unwrap(),
        b"bytes"
    );
}

/// なりすまし started with the genuine account as a fact, the fake one found: its id.
fn impersonation_detected(cwd: &Path) -> &'static str {
    h(cwd, T0)
        .args(["start", "impersonation", "--account", "@city_official"])
        .args([
            "--fact",
            "genuine_account=@city_official",
            "--platform",
            "x",
        ])
        .assert()
        .success();
    let id = "20261122-1403-impersonation";
    h(cwd, T0)
        .args(["done", id, "detect-fake"])
        .assert()
        .success();
    id
}

/// Facts from the command line: given at the start with `--fact`, changed later with
/// `hikeshi fact`, each journalled; a value the fact cannot hold is refused in the language
/// asked for, and a step that needs a missing fact says which.
#[test]
fn facts_are_given_at_the_start_and_later_and_journalled() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    let id = impersonation_detected(cwd);
    h(cwd, T0)
        .args(["done", id, "report-to-platform"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "なりすましアカウントのID（fake_account）",
        ));
    h(cwd, T0)
        .args(["--lang", "en", "fact", id, "fake_account=@city 0fficial"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "invalid value for the fact `fake_account`",
        ));
    h(cwd, T0)
        .args(["fact", id, "fake_account=@city_0fficial"])
        .assert()
        .success()
        // In the timeline's words: the fact's label and its value.
        .stdout(predicate::str::contains(
            "記録しました: なりすましアカウントのID: @city_0fficial",
        ));
    h(cwd, T0)
        .args(["done", id, "report-to-platform"])
        .assert()
        .success();
    let status = status_json(cwd, id, T0);
    assert_eq!(
        status["facts"],
        serde_json::json!([
            {"name": "genuine_account", "label": "本物の公式アカウント（なりすまされたもの）", "value": "@city_official", "shown": "@city_official"},
            {"name": "fake_account", "label": "なりすましアカウントのID", "value": "@city_0fficial", "shown": "@city_0fficial"},
            {"name": "owner_division", "label": "対象アカウントを所管する課（所属課）", "value": "広報広聴課", "shown": "広報広聴課"},
        ])
    );
    h(cwd, T0)
        .args(["status", id])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "なりすましアカウントのID (fake_account): @city_0fficial",
        ));
    let journal =
        std::fs::read_to_string(cwd.join("incidents").join(id).join("journal.jsonl")).unwrap();
    assert!(
        journal.contains(
            r#""facts":{"genuine_account":"@city_official","owner_division":"広報広聴課"}"#
        )
    );
    assert!(journal.contains(
        r#""kind":"fact_set","payload":{"fact":"fake_account","value":"@city_0fficial"}"#
    ));
}

/// The 所属課 is the division that owns the affected account: divisions.yaml lists the
/// accounts each division owns, the start (or `hikeshi account`) sets the playbook's
/// `owner_division` fact to the owner, and the first report mails that division. An account
/// nobody lists leaves the fact to the operator, and the first report waits for it. (An
/// account identified later, by an inject, is in tests/exercise.rs.)
#[test]
fn the_first_report_mails_the_division_that_owns_the_account() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    // Listed: @City_Event (any case) belongs to 観光交流課.
    h(cwd, T0)
        .args([
            "start",
            "flaming",
            "--account",
            "@City_Event",
            "--platform",
            "x",
        ])
        .assert()
        .success();
    let id = "20261122-1403-flaming";
    let journal =
        std::fs::read_to_string(cwd.join("incidents").join(id).join("journal.jsonl")).unwrap();
    assert!(
        journal.contains(r#""owner_division":"観光交流課""#),
        "{journal}"
    );
    let status = status_json(cwd, id, T0);
    let first_report = status["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == "notify")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let detect = step(&status, "detect")["id"].as_str().unwrap().to_string();
    h(cwd, T0).args(["done", id, &detect]).assert().success();
    h(cwd, T0)
        .args(["notify", id, &first_report])
        .assert()
        .success();
    let journal =
        std::fs::read_to_string(cwd.join("incidents").join(id).join("journal.jsonl")).unwrap();
    assert!(journal.contains(r#""to":"観光交流課""#), "{journal}");
    let outbox = std::fs::read_dir(cwd.join("incidents").join(id).join("outbox"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(outbox.contains("kanko@city.example.jp"), "{outbox}");

    // Not listed: the first report waits for the fact, which names a division.
    let other = tempfile::tempdir().unwrap();
    let cwd = other.path();
    h(cwd, T0)
        .args(["start", "unauthorized-access", "--platform", "x"])
        .args(["--account", "@someone_else"])
        .assert()
        .success();
    let id = "20261122-1403-unauthorized-access";
    h(cwd, T0).args(["done", id, "detect"]).assert().success();
    h(cwd, T0)
        .args(["--lang", "en", "notify", id, "report-to-supervisor"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("owner_division"));
    h(cwd, T0)
        .args(["--lang", "en", "fact", id, "owner_division=経理課"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("a division of divisions.yaml"));
    // A role is no division.
    h(cwd, T0)
        .args(["--lang", "en", "fact", id, "owner_division=運用管理者"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("危機管理担当課"));
    // A part a division plays names that division: the town's own name is recorded.
    h(cwd, T0)
        .args(["fact", id, "owner_division=危機管理担当課"])
        .assert()
        .success();
    h(cwd, T0)
        .args(["notify", id, "report-to-supervisor"])
        .assert()
        .success();
    let journal =
        std::fs::read_to_string(cwd.join("incidents").join(id).join("journal.jsonl")).unwrap();
    assert!(journal.contains(r#""to":"防災危機管理課""#), "{journal}");
}

/// `notify --to` adds a recipient the step offers (`add_to`), journalled before the mail is
/// sent; one it does not offer is refused with what it offers.
#[test]
fn notify_to_adds_a_recipient_the_step_offers_and_journals_it() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    let id = impersonation_detected(cwd);
    h(cwd, T0)
        .args(["notify", id, "report-to-supervisor"])
        .assert()
        .success();
    h(cwd, T0)
        .args([
            "--lang",
            "en",
            "notify",
            id,
            "share-internally",
            "--to",
            "危機管理担当課",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("it offers: 秘書担当課"));
    let preview = h(cwd, T0)
        .args([
            "notify",
            id,
            "share-internally",
            "--to",
            "秘書担当課",
            "--dry-run",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8(preview).unwrap().contains("秘書担当課 <"));
    h(cwd, T0)
        .args(["notify", id, "share-internally", "--to", "秘書担当課"])
        .assert()
        .success()
        .stdout(predicate::str::contains("通知先に追加: 秘書担当課"));
    let journal =
        std::fs::read_to_string(cwd.join("incidents").join(id).join("journal.jsonl")).unwrap();
    assert!(journal.contains(
        r#""kind":"recipients_added","payload":{"step":"share-internally","to":["秘書担当課"]}"#
    ));
    assert!(
        journal.contains(r#""to":"秘書担当課""#),
        "the mail went to 秘書担当課"
    );
}

/// A date and time fact is stored as RFC 3339 but read as `2026-12-10 17:32` (JST): in
/// `status`, in `hikeshi fact`'s answer, in the timeline and in the mail that uses it without
/// a filter (issue 26, item 5).
#[test]
fn a_datetime_fact_reads_as_jst_where_people_read_it() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    h(cwd, T0)
        .args(["start", "correction", "--account", "@city_official"])
        .args(["--platform", "x", "--title", "誤った投稿"])
        .args([
            "--fact",
            "wrong_info=12月10日",
            "--fact",
            "right_info=12月11日",
        ])
        .args(["--fact", "wrong_posted_at=2026-12-10T08:32:00Z"])
        .assert()
        .success();
    let id = "20261122-1403-correction";
    let incident = cwd.join("incidents").join(id);
    let journal = std::fs::read_to_string(incident.join("journal.jsonl")).unwrap();
    assert!(
        journal.contains(r#""wrong_posted_at":"2026-12-10T08:32:00+00:00""#),
        "stored as given, in RFC 3339: {journal}"
    );
    h(cwd, T0)
        .args(["status", id])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "誤った投稿の日時 (wrong_posted_at): 2026-12-10 17:32\n",
        ))
        .stdout(predicate::str::contains("08:32:00").not());
    let status = status_json(cwd, id, T0);
    let fact = status["facts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "wrong_posted_at")
        .unwrap();
    assert_eq!(fact["value"], "2026-12-10T08:32:00+00:00");
    assert_eq!(fact["shown"], "2026-12-10 17:32");
    h(cwd, T0)
        .args(["fact", id, "wrong_posted_at=2026-12-10 18:05"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "「2026-12-10 17:32」から「2026-12-10 18:05」に変更",
        ));
    // The timeline (here the report's) tells the change in the same words.
    h(cwd, T0)
        .args(["report", id, "--format", "md", "-o", "-"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "「2026-12-10 17:32」から「2026-12-10 18:05」に変更",
        ));
    h(cwd, T0).args(["done", id, "detect"]).assert().success();
    h(cwd, T0)
        .args(["decide", id, "assess-impact", "minor"])
        .assert()
        .success();
    h(cwd, T0)
        .args(["notify", id, "report-to-supervisor"])
        .assert()
        .success();
    let mut bodies = Vec::new();
    for entry in std::fs::read_dir(incident.join("outbox")).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let message = mail_parser::MessageParser::default().parse(&bytes).unwrap();
        bodies.push(message.body_text(0).unwrap_or_default().into_owned());
    }
    assert!(!bodies.is_empty());
    for body in &bodies {
        assert!(
            body.contains("■ 誤った投稿の日時：2026-12-10 18:05"),
            "{body}"
        );
        assert!(!body.contains("18:05:00"), "{body}");
    }
}

/// A drill started with `start --exercise` is marked 【訓練】 as a scenario's exercise is: in
/// `status` and in `incidents`, once, beside a real incident that is not (issue 26, item 5).
#[test]
fn a_drill_started_by_hand_is_marked_as_one() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    h(cwd, T0)
        .args(["start", "flaming", "--account", "@city_official"])
        .args(["--platform", "x", "--title", "炎上の訓練", "--exercise"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "事案を開始しました: 【訓練】炎上の訓練\n",
        ));
    h(cwd, "2026-11-22T14:05:00+09:00")
        .args(["start", "impersonation", "--account", "@city_official"])
        .args([
            "--platform",
            "x",
            "--title",
            "【訓練】なりすまし",
            "--exercise",
        ])
        .assert()
        .success();
    h(cwd, "2026-11-22T14:07:00+09:00")
        .args([
            "start",
            "unauthorized-access",
            "--account",
            "@city_official",
        ])
        .args(["--platform", "x", "--title", "本物の乗っ取り"])
        .assert()
        .success();
    h(cwd, T0)
        .args(["status", "20261122-1403-flaming"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("【訓練】炎上の訓練  ["));
    let out = h(cwd, "2026-11-22T14:08:00+09:00")
        .args(["incidents"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let list = String::from_utf8(out).unwrap();
    assert!(list.contains("【訓練】炎上の訓練"), "{list}");
    assert!(list.contains("【訓練】なりすまし"), "{list}");
    assert!(!list.contains("【訓練】【訓練】"), "marked once: {list}");
    assert!(!list.contains("【訓練】本物"), "{list}");
    assert!(list.contains("本物の乗っ取り"), "{list}");
}

/// なりすまし: the genuine account must be one of the organisation's own (a look-alike of one
/// is named as such), and the fake can never be the genuine account, whatever its case or
/// full-width form: refused at the start and by `fact`, nothing journalled.
#[test]
fn the_genuine_account_is_the_citys_own_and_never_the_fake() {
    let tmp = tempfile::tempdir().unwrap();
    let start = |facts: &[&str]| {
        let mut cmd = common::hikeshi_at(tmp.path(), "2026-11-22T14:03:00+09:00");
        cmd.args([
            "--lang",
            "ja",
            "start",
            "impersonation",
            "--title",
            "なりすまし",
        ]);
        for f in facts {
            cmd.args(["--fact", f]);
        }
        cmd.assert()
    };
    let out = start(&["genuine_account=@city_0fficial"]).failure();
    let said = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        said.contains("公式の @city_official に似せたもの"),
        "{said}"
    );
    let out = start(&[
        "genuine_account=@city_official",
        "fake_account=＠ＣＩＴＹ_official",
    ])
    .failure();
    let said = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(said.contains("同じアカウント"), "{said}");
    assert!(
        !tmp.path().join("incidents").exists()
            || common::files_under(&tmp.path().join("incidents")).is_empty()
    );
    let out = start(&["genuine_account=@city_official"]).success();
    let dir = String::from_utf8_lossy(&out.get_output().stdout)
        .lines()
        .last()
        .unwrap()
        .to_string();
    let fact = |value: &str| {
        common::hikeshi_at(tmp.path(), "2026-11-22T14:05:00+09:00")
            .args(["--lang", "ja", "fact", &dir, value])
            .assert()
    };
    let out = fact("fake_account=City_Official").failure();
    let said = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(said.contains("同じアカウント（City_Official）"), "{said}");
    fact("fake_account=@city_0fficial").success();
    let out = fact("genuine_account=@city_0fficial").failure();
    let said = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(said.contains("似せたもの"), "{said}");
}

/// なりすまし: a fake found later is added to the fake accounts, not put in place of the first;
/// the same account again (in any case) changes nothing; texts name them all.
#[test]
fn several_fake_accounts_are_recorded_and_named() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = started(
        common::hikeshi_at(tmp.path(), "2026-11-22T14:03:00+09:00")
            .args([
                "--lang",
                "en",
                "start",
                "impersonation",
                "--title",
                "なりすまし",
            ])
            .args(["--fact", "genuine_account=@city_official"])
            .args(["--fact", "fake_account=@city_0fficial"]),
    );
    let fact = |value: &str| {
        common::hikeshi_at(tmp.path(), "2026-11-22T14:05:00+09:00")
            .args(["--lang", "en", "fact", &dir, value])
            .assert()
    };
    fact("fake_account=@city_officia1").success();
    fact("fake_account=@CITY_0FFICIAL").failure();
    // One recorded by mistake is taken back; the others stay.
    fact("fake_account=@innocent_user").success();
    common::hikeshi_at(tmp.path(), "2026-11-22T14:05:30+09:00")
        .args([
            "--lang",
            "en",
            "fact",
            &dir,
            "fake_account=@Innocent_User",
            "--remove",
        ])
        .assert()
        .success();
    let status = common::hikeshi_at(tmp.path(), "2026-11-22T14:06:00+09:00")
        .args(["status", &dir, "--json"])
        .output()
        .unwrap();
    let status: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    let fake = status["facts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "fake_account")
        .unwrap();
    assert_eq!(fake["shown"], "@city_0fficial、@city_officia1", "{fake}");
    assert_eq!(fake["value"], "@city_0fficial\n@city_officia1", "{fake}");
}

/// 誤投稿 of personal data: the first report goes out without the wrong and right contents
/// being typed (they would be the leaked data), says the contents are not in the mail, and
/// the other branches' report is not applicable.
#[test]
fn a_report_of_leaked_personal_data_never_asks_for_or_mails_the_data() {
    let tmp = tempfile::tempdir().unwrap();
    let at = "2026-11-22T14:03:00+09:00";
    let dir = started(
        common::hikeshi_at(tmp.path(), at)
            .args(["start", "correction", "--title", "個人情報の誤掲載"])
            .args(["--account", "@city_official", "--platform", "x"])
            .args(["--fact", "wrong_posted_at=2026-11-22 13:50"]),
    );
    let run = |args: &[&str]| common::hikeshi_at(tmp.path(), at).args(args).assert();
    run(&["done", &dir, "detect"]).success();
    run(&["decide", &dir, "assess-impact", "personal-data"]).success();
    run(&["notify", &dir, "report-personal-data"]).success();
    let status = common::hikeshi_at(tmp.path(), at)
        .args(["status", &dir, "--json"])
        .output()
        .unwrap();
    let status: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    let step = |id: &str| {
        status["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id)
            .unwrap()["status"]
            .clone()
    };
    assert_eq!(step("report-to-supervisor"), "not_applicable");
    assert_eq!(step("correction-post"), "not_applicable");
    let facts = status["facts"].as_array().unwrap();
    assert!(
        facts
            .iter()
            .filter(|f| f["name"] == "wrong_info" || f["name"] == "right_info")
            .all(|f| f["value"].is_null()),
        "{facts:?}"
    );
    let outbox = std::path::Path::new(&dir).join("outbox");
    let outbox = if outbox.is_absolute() {
        outbox
    } else {
        tmp.path().join(outbox)
    };
    let mails: Vec<_> = std::fs::read_dir(&outbox).unwrap().collect();
    assert_eq!(mails.len(), 3, "所属長, 運用管理者 and the owning division");
}

/// デマ: the answer to what the check found decides the post. A rumour that turned out true is
/// never called untrue; one not yet checked is said to be under checking; neither repeats
/// the rumour's words.
#[test]
fn a_rumour_found_true_or_not_yet_checked_is_never_called_untrue() {
    for (answer, post, other) in [
        ("confirmed", "confirmed-post", "fact-post"),
        ("unverified", "checking-post", "fact-post"),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let at = "2026-11-22T14:03:00+09:00";
        let dir = started(
            common::hikeshi_at(tmp.path(), at)
                .args(["start", "rumor", "--title", "水道水の噂"])
                .args(["--account", "@city_official", "--platform", "x"])
                .args(["--fact", "rumor=浄水場に毒が入れられた"])
                .args(["--fact", "rumor_topic=市の水道水の安全"])
                .args([
                    "--fact",
                    "fact_text=3月8日6時の水質検査で異常はありませんでした",
                ]),
        );
        let run = |args: &[&str]| common::hikeshi_at(tmp.path(), at).args(args).assert();
        run(&["done", &dir, "detect"]).success();
        run(&["done", &dir, "verify"]).success();
        run(&["decide", &dir, "assess", "safety"]).success();
        run(&["decide", &dir, "truth", answer]).success();
        run(&["approve", &dir, post, "--by", "課長"]).success();
        run(&["done", &dir, post]).success();
        run(&["done", &dir, other]).failure();
        let journal = std::fs::read_to_string(tmp.path().join(&dir).join("journal.jsonl"))
            .or_else(|_| std::fs::read_to_string(std::path::Path::new(&dir).join("journal.jsonl")))
            .unwrap();
        let posted: Vec<serde_json::Value> = journal
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .filter(|e| e["payload"]["posted"]["text"].is_string())
            .collect();
        assert_eq!(posted.len(), 1, "{answer}");
        let text = posted[0]["payload"]["posted"]["text"].as_str().unwrap();
        assert!(!text.contains("事実ではありません"), "{answer}: {text}");
        assert!(!text.contains("毒"), "{answer}: the rumour's words: {text}");
        assert!(text.contains("市の水道水の安全"), "{answer}: {text}");
    }
}

/// The incident folder a successful `start` printed last.
fn started(start: &mut common::Hikeshi) -> String {
    let out = start.assert().success();
    String::from_utf8_lossy(&out.get_output().stdout)
        .lines()
        .last()
        .unwrap_or_default()
        .to_string()
}

/// Fails unless `doc` validates against docs/status.schema.json (Python's jsonschema).
#[cfg(unix)]
fn assert_matches_status_schema(doc: &serde_json::Value) {
    let schema = std::fs::read_to_string(common::root().join("docs/status.schema.json")).unwrap();
    let input = serde_json::json!({
        "schema": serde_json::from_str::<serde_json::Value>(&schema).unwrap(),
        "doc": doc,
    });
    let out = common::smtp::run_python(
        r#"
import json, sys, jsonschema
data = json.load(sys.stdin)
cls = jsonschema.Draft202012Validator
errors = list(cls(data["schema"], format_checker=cls.FORMAT_CHECKER).iter_errors(data["doc"]))
print("\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors) or "valid")
"#,
        input.to_string().as_bytes(),
    );
    assert_eq!(out.trim(), "valid", "{doc:#}");
}

/// Issue 30 item 7: `status --json` keeps to its committed schema (docs/status.schema.json,
/// `hikeshi schema --status`) when fresh, with a step done and a message waiting for its
/// acknowledgement, and closed.
#[test]
#[cfg(unix)] // Python's jsonschema
fn status_json_matches_its_committed_schema() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();
    start_stock(cwd);
    let id = "20261122-1403-unauthorized-access";
    let fresh = status_json(cwd, id, T0);
    assert_matches_status_schema(&fresh);
    let detect = step(&fresh, "detect")["id"].as_str().unwrap().to_string();
    h(cwd, T0).args(["done", id, &detect]).assert().success();
    let notify = status_json(cwd, id, T0)["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == "notify" && s["status"] == "ready")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    h(cwd, T0).args(["notify", id, &notify]).assert().success();
    let later = "2026-11-22T16:03:00+09:00";
    let working = status_json(cwd, id, later);
    assert!(
        working["messages"]["total"].as_u64().unwrap() > 0,
        "{working:#}"
    );
    assert_matches_status_schema(&working);
    h(cwd, later)
        .args(["close", id, "--force", "--reason", "誤報と判明"])
        .assert()
        .success();
    assert_matches_status_schema(&status_json(cwd, id, later));
}

/// 管理できないアカウント: once the outcome is decided the 「投稿できない状態です」 notices no
/// longer apply (they would be untrue, and would hold the outcome's posts back), and the
/// website says only the outcome decided: an answer changed from recovered to closed after
/// the account was secured drops the recovery sentence.
#[test]
fn a_lost_account_s_notices_end_with_the_outcome_and_say_only_the_one_decided() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    h(cwd, T0)
        .args(["start", "account-lost", "--exercise", "--platform", "x"])
        .args(["--account", "@city_bousai"])
        .assert()
        .success();
    let id = "20261122-1403-account-lost";
    let force = ["--force", "--reason", "訓練"];
    h(cwd, T0)
        .args(["decide", id, "cause", "admin-gone"])
        .args(force)
        .assert()
        .success();
    let notices = |status: &serde_json::Value| {
        ["status-notice", "website-notice"].map(|s| step(status, s)["status"].clone())
    };
    assert_eq!(
        notices(&status_json(cwd, id, T0)),
        [serde_json::json!("pending"), serde_json::json!("pending")]
    );
    h(cwd, T0)
        .args(["decide", id, "outcome", "recovered"])
        .args(force)
        .assert()
        .success();
    assert_eq!(
        notices(&status_json(cwd, id, T0)),
        [
            serde_json::json!("not_applicable"),
            serde_json::json!("not_applicable")
        ]
    );
    h(cwd, T0)
        .args(["done", id, "secure-account"])
        .args(force)
        .assert()
        .success();
    h(cwd, T0)
        .args([
            "decide",
            id,
            "outcome",
            "closed",
            "--reason",
            "使い続けない",
        ])
        .assert()
        .success();
    h(cwd, T0)
        .args(["done", id, "close-account"])
        .args(force)
        .assert()
        .success();
    let out = h(cwd, T0)
        .args(["report", id, "--format", "json", "-o", "-"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let report: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let update = report["statements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == "website-update")
        .unwrap()["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(update.contains("利用を終了しました"), "{update}");
    assert!(!update.contains("管理を回復"), "{update}");
}
