//! A town with its own names: its divisions are called nothing like 例示市's, and its
//! directory says once which of them plays each part the stock playbooks name. All ten stock
//! playbooks then check clean, every stock scenario runs, and the mail and the public texts
//! use the town's names and words (町民, 総務課 御中), with no playbook edited.
//! The fixture `tests/fixtures/town/divisions.yaml` is written from docs/adopting.md.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};

use common::{fixture, hikeshi};
use serde_json::Value;

/// 例示市's division names, which the stock playbooks no longer name.
const EXAMPLE_DIVISIONS: [&str; 5] = [
    "広報広聴課",
    "デジタル推進課",
    "防災危機管理課",
    "秘書課",
    "人事課",
];
/// The town's own divisions and roles.
const TOWN_NAMES: [&str; 7] = [
    "総務課",
    "企画課",
    "住民安全課",
    "総務課長",
    "企画課長",
    "警察（サイバー犯罪相談窓口）",
    "プラットフォーム通報窓口",
];
const SCENARIOS: [&str; 12] = [
    "anonymous-staff-account",
    "bousai-account-locked-out",
    "dormant-campaign-takeover",
    "earthquake-water-rumor",
    "event-account-suspended",
    "fake-mayor-gift-campaign",
    "former-agency-wrong-post",
    "mayor-deepfake-benefit",
    "scam-link-comments",
    "shelter-post-backlash",
    "takeover-friday-night",
    "wrong-shelter-heavy-rain",
];

fn in_dir(cwd: &Path) -> common::Hikeshi {
    let mut cmd = hikeshi();
    cmd.current_dir(cwd)
        .env("HIKESHI_TIME", "2026-11-20T10:00:00+09:00")
        .env("HIKESHI_OPERATOR", "田中");
    cmd
}

fn run(cwd: &Path, args: &[&str]) -> (bool, String, String) {
    let out = in_dir(cwd).args(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// `init town`, then the town's own directory in place of the example one.
fn town(divisions: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let (ok, _, err) = run(tmp.path(), &["init", "town"]);
    assert!(ok, "{err}");
    let town = tmp.path().join("town");
    std::fs::write(town.join("playbooks/divisions.yaml"), divisions).unwrap();
    (tmp, town)
}

fn town_divisions() -> String {
    std::fs::read_to_string(fixture("town/divisions.yaml")).unwrap()
}

#[test]
fn the_town_s_own_names_and_parts_check_all_ten_stock_playbooks_clean() {
    let (_tmp, town) = town(&town_divisions());
    let (ok, out, err) = run(&town, &["check"]);
    assert!(ok, "{out}\n{err}");
    assert!(err.contains("エラー 0 件"), "{err}");
    // The map says who plays each part, and every part the stock playbooks name is played.
    assert!(out.contains("担当（parts）の割当て"), "{out}");
    let row = |part: &str| {
        out.lines()
            .find(|l| l.trim_start().starts_with(part))
            .unwrap_or_else(|| panic!("no row for {part}:\n{out}"))
            .to_string()
    };
    assert!(row("広報担当課").contains("→ 総務課"), "{out}");
    assert!(row("危機管理担当課").contains("→ 住民安全課"), "{out}");
    assert!(row("発信管理者").contains("→ 総務課長"), "{out}");
    assert!(!out.contains("未設定"), "{out}");
}

#[test]
fn a_part_nobody_plays_is_one_error_naming_every_step_that_needs_it() {
    let text = town_divisions().replace("  秘書担当課: 総務課\n", "");
    let (_tmp, town) = town(&text);
    let (ok, out, err) = run(&town, &["check"]);
    assert!(!ok, "{out}\n{err}");
    assert!(err.contains("エラー 1 件"), "{err}");
    let error = err
        .lines()
        .find(|l| l.contains("`秘書担当課`"))
        .unwrap_or_else(|| panic!("{err}"));
    for step in ["flaming/notify-mayor", "impersonation/share-internally"] {
        assert!(error.contains(step), "{error}");
    }
    assert!(err.contains("`秘書担当課: 部署名`"), "the hint: {err}");
    let row = out
        .lines()
        .find(|l| l.trim_start().starts_with("秘書担当課"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(row.contains("未設定"), "{row}");
    // The same as JSON: one diagnostic, with the steps.
    let (_, json, _) = run(&town, &["check", "--json"]);
    let items: Vec<Value> = serde_json::from_str(&json).unwrap();
    let unfilled: Vec<&Value> = items
        .iter()
        .filter(|d| d["problem"]["code"] == "unfilled_part")
        .collect();
    assert_eq!(unfilled.len(), 1, "{json}");
    assert!(
        unfilled[0]["problem"]["needed_by"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s == "flaming/notify-mayor"),
        "{json}"
    );
}

#[test]
fn a_part_played_by_nobody_the_directory_knows_is_named_with_a_suggestion() {
    let text = town_divisions().replace("広報担当課: 総務課", "広報担当課: 総務科");
    let (_tmp, town) = town(&text);
    let (ok, _, err) = run(&town, &["check", "playbooks/divisions.yaml"]);
    assert!(!ok);
    assert!(
        err.contains("`広報担当課` を担う `総務科` は部署・役割にありません"),
        "{err}"
    );
    assert!(err.contains("`総務課` のことですか"), "{err}");
    assert!(
        err.contains("divisions.yaml:11:"),
        "the line of the entry: {err}"
    );
}

#[test]
fn an_organisation_that_is_no_municipality_gives_its_words() {
    let text =
        town_divisions().replace("organization: 架空町", "organization: 架空町社会福祉協議会");
    let (_tmp, town) = town(&text);
    // The directory alone is fine (an incident frozen on it opens); the stock texts that use
    // the words are refused where they use them, with the way out.
    let (ok, _, err) = run(&town, &["check", "playbooks/divisions.yaml"]);
    assert!(ok, "{err}");
    let (ok, _, err) = run(&town, &["check"]);
    assert!(!ok);
    assert!(err.contains("公表文で使う語"), "{err}");
    assert!(err.contains("{{residents}}"), "at the placeholder: {err}");
    assert!(err.contains("organization_kind"), "the hint: {err}");
    let text = text.replace(
        "website:",
        "organization_kind: その他\nwords:\n  org_kind: 会\n  head: 会長\n  residents: 利用者\nwebsite:",
    );
    std::fs::write(town.join("playbooks/divisions.yaml"), text).unwrap();
    let (ok, _, err) = run(&town, &["check"]);
    assert!(ok, "{err}");
    let (ok, out, err) = run(
        &town,
        &[
            "exercise",
            "anonymous-staff-account",
            "--autopilot",
            "--json",
        ],
    );
    assert!(ok, "{err}");
    let result: Value = serde_json::from_str(&out).unwrap();
    let incident = town.join(result["incident"].as_str().unwrap());
    let posted = posted_texts(&incident);
    assert!(
        posted
            .iter()
            .any(|t| t.contains("本会職員") && t.contains("利用者の皆様")),
        "{posted:#?}"
    );
    assert!(
        posted
            .iter()
            .all(|t| !t.contains("本本") && !t.contains("会政")),
        "{posted:#?}"
    );
}

/// Every posted text in an incident's journal.
fn posted_texts(incident: &Path) -> Vec<String> {
    std::fs::read_to_string(incident.join("journal.jsonl"))
        .unwrap()
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(|e| e["payload"]["posted"]["text"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn every_stock_scenario_runs_on_the_town_s_directory_and_speaks_the_town_s_names() {
    let (_tmp, town) = town(&town_divisions());
    let mut mail = 0;
    let mut greetings = 0;
    let mut posted = Vec::new();
    for scenario in SCENARIOS {
        let (ok, out, err) = run(&town, &["exercise", scenario, "--autopilot", "--json"]);
        assert!(ok, "{scenario}: {err}");
        let result: Value = serde_json::from_str(&out).unwrap();
        let incident = PathBuf::from(result["incident"].as_str().unwrap());
        let incident = if incident.is_absolute() {
            incident
        } else {
            town.join(incident)
        };
        // Nothing the autopilot meant to do was refused for want of a division or part.
        assert_eq!(
            result["refused"].as_array().map_or(0, Vec::len),
            0,
            "{scenario}: {out}"
        );
        for file in common::files_under(&incident.join("outbox")) {
            if file.extension().is_none_or(|e| e != "eml") {
                continue;
            }
            mail += 1;
            let bytes = std::fs::read(&file).unwrap();
            let message = mail_parser::MessageParser::default().parse(&bytes).unwrap();
            for to in message.to().into_iter().flat_map(|a| a.iter()) {
                let name = to.name().unwrap_or_default();
                assert!(
                    TOWN_NAMES.contains(&name),
                    "{}: addressed to {name:?}",
                    file.display()
                );
            }
            let body = message.body_text(0).unwrap_or_default();
            for name in EXAMPLE_DIVISIONS {
                assert!(
                    !body.contains(name),
                    "{} names {name}:\n{body}",
                    file.display()
                );
            }
            if body.contains("総務課 御中") || body.contains("総務課長 様") {
                greetings += 1;
            }
        }
        posted.extend(posted_texts(&incident));
    }
    assert!(mail >= 20, "only {mail} messages");
    assert!(greetings > 0, "no mail greets the town's own division");
    assert!(!posted.is_empty());
    for text in &posted {
        for word in EXAMPLE_DIVISIONS
            .iter()
            .chain(&["市民の皆様", "本市", "市長"])
        {
            assert!(!text.contains(word), "a posted text says {word}:\n{text}");
        }
    }
    assert!(
        posted.iter().any(|t| t.contains("町民の皆様")),
        "{posted:#?}"
    );
    assert!(
        posted.iter().any(|t| t.contains("架空町 総務課")),
        "{posted:#?}"
    );
}

#[test]
fn init_brings_the_town_overlays_which_check_clean_on_the_town_s_own_division_names() {
    let (_tmp, town) = town(&town_divisions());
    let examples = town.join("playbooks/examples");
    for name in [
        "divisions.yaml",
        "flaming-town.yaml",
        "impersonation-town.yaml",
        "unauthorized-access-town.yaml",
    ] {
        assert!(examples.join(name).is_file(), "init wrote no {name}");
    }
    let text = std::fs::read_to_string(examples.join("divisions.yaml")).unwrap();
    for name in EXAMPLE_DIVISIONS {
        assert!(
            !text.contains(&format!("id: {name}")),
            "the town example still has {name}"
        );
    }
    let (ok, out, err) = run(&town, &["check", "playbooks/examples"]);
    assert!(ok, "{out}\n{err}");
    assert!(
        out.contains("広報担当課") && out.contains("→ 総務課"),
        "{out}"
    );
}

#[test]
fn a_call_or_an_acknowledgement_by_the_town_s_own_name_reaches_the_part_it_plays() {
    let (_tmp, town) = town(&town_divisions());
    let (ok, out, err) = run(
        &town,
        &[
            "start",
            "unauthorized-access",
            "--account",
            "@kakuu_town",
            "--platform",
            "x",
        ],
    );
    assert!(ok, "{err}");
    let incident = out.lines().last().unwrap().trim().to_string();
    for args in [
        vec!["done", incident.as_str(), "detect"],
        vec!["notify", incident.as_str(), "report-to-supervisor"],
        // The mail went to セキュリティ監督者, played by 企画課長: acknowledged by that name.
        vec!["ack", incident.as_str(), "企画課長", "--by", "佐藤"],
        // 総務課長 plays 所属長 and 運用管理者, who share one message.
        vec![
            "call",
            incident.as_str(),
            "総務課長",
            "--note",
            "電話で伝えた",
        ],
    ] {
        let (ok, _, err) = run(&town, &args);
        assert!(ok, "{args:?}: {err}");
    }
    let journal = std::fs::read_to_string(town.join(&incident).join("journal.jsonl")).unwrap();
    assert!(
        journal.contains(r#""kind":"notification_acknowledged","payload":{"message":2"#),
        "{journal}"
    );
    assert!(
        journal.contains(r#""division":"総務課長","number":"0123-45-1002","note":"電話で伝えた","covers":["所属長"]"#),
        "{journal}"
    );
}
