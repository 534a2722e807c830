//! Tabletop exercises: the stock scenarios played to the end by the autopilot, the marking
//! and routing of their mail (a real SMTP server on 127.0.0.1), a score computed by hand,
//! injects and facilitator controls through the library, and the review on the screen.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};

use chrono::TimeDelta;
// The SMTP server and the mail parser are Python (aiosmtpd, the email package): Unix only.
#[cfg(unix)]
use common::smtp::{Security, SmtpServer, free_port, parse_mail};
use common::{fixture, hikeshi};
use hikeshi::Lang;
use hikeshi::exercise::score::PenaltyKind;
use hikeshi::exercise::{self, ScenarioRef, Session};
use hikeshi::incident::{Command, StepStatus};
use hikeshi::playbook::CompileOptions;
use hikeshi::tui::app::{Action, Mode};
use serde_json::Value;

const STOCK: [&str; 12] = [
    "takeover-friday-night",
    "fake-mayor-gift-campaign",
    "shelter-post-backlash",
    "wrong-shelter-heavy-rain",
    "anonymous-staff-account",
    "earthquake-water-rumor",
    "scam-link-comments",
    "former-agency-wrong-post",
    "mayor-deepfake-benefit",
    "bousai-account-locked-out",
    "event-account-suspended",
    "dormant-campaign-takeover",
];

/// Runs `hikeshi exercise … --autopilot --json` in `dir`; returns the JSON.
fn autopilot(dir: &Path, scenario: &str, extra: &[&str], config: Option<&Path>) -> Value {
    let mut cmd = hikeshi();
    cmd.current_dir(dir)
        .env("HIKESHI_OPERATOR", "訓練 太郎")
        .env_remove("HIKESHI_CONFIG")
        .args(["exercise", scenario, "--autopilot", "--json"])
        .args(extra);
    if let Some(c) = config {
        cmd.env("HIKESHI_CONFIG", c);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A hikeshi.toml in `dir` that sends over plain SMTP to `server`.
#[cfg(unix)]
fn smtp_config(dir: &Path, server: &SmtpServer) -> PathBuf {
    let config = dir.join("hikeshi.toml");
    std::fs::write(
        &config,
        format!(
            "[smtp]\nhost = \"127.0.0.1\"\nport = {}\ntls = \"none\"\nfrom = \"koho@city.example.jp\"\n",
            server.port
        ),
    )
    .unwrap();
    config
}

fn status(dir: &Path, incident: &str) -> Value {
    let out = hikeshi()
        .current_dir(dir)
        .args(["status", incident, "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).unwrap()
}

fn emls(incident: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(incident.join("outbox"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    files.sort();
    files
}

fn journal_kinds(incident: &Path) -> Vec<String> {
    std::fs::read_to_string(incident.join("journal.jsonl"))
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["kind"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

#[test]
fn every_stock_scenario_runs_to_the_end_with_marked_mail_in_the_outbox_only() {
    let dir = tempfile::tempdir().unwrap();
    for scenario in STOCK {
        let run = autopilot(dir.path(), scenario, &[], None);
        let incident = PathBuf::from(run["incident"].as_str().unwrap());
        let incident = dir.path().join(incident);
        // Finished: closed with nothing open, every inject given, the review recorded.
        let s = status(dir.path(), incident.to_str().unwrap());
        assert!(s["closed_at"].is_string(), "{scenario}");
        assert_eq!(s["progress"]["ready"], 0, "{scenario}: {}", s["progress"]);
        assert_eq!(s["progress"]["pending"], 0, "{scenario}: {}", s["progress"]);
        let loaded = exercise::load(
            &ScenarioRef::Stock(scenario.to_string()),
            &CompileOptions::default(),
        )
        .unwrap();
        assert_eq!(run["injects"], loaded.scenario.injects.len(), "{scenario}");
        let kinds = journal_kinds(&incident);
        assert_eq!(
            kinds.iter().filter(|k| *k == "inject_fired").count(),
            loaded.scenario.injects.len()
        );
        assert!(kinds.contains(&"exercise_began".to_string()));
        assert!(kinds.contains(&"review_recorded".to_string()));
        assert!(
            std::fs::read_to_string(incident.join("scenario.yaml"))
                .unwrap()
                .contains(&format!("scenario: {scenario}"))
        );
        // Hours of story, and a score; nothing the scripted participant tried was refused.
        assert!(run["simulated_seconds"].as_i64().unwrap() > 3600, "{run}");
        assert_eq!(run["refused"], serde_json::json!([]), "{scenario}");
        assert!(run["score"]["total"].as_u64().unwrap() <= 100);
        // Every text posted is finished: no mark to fill in (○○, （…を記載）), no gap; and
        // it claims only acts done before it (a step's phrases only once that step is done).
        let playbook = &loaded.playbook.compiled.playbook;
        let mut done: Vec<String> = Vec::new();
        let journal = std::fs::read_to_string(incident.join("journal.jsonl")).unwrap();
        for line in journal.lines() {
            let entry: Value = serde_json::from_str(line).unwrap();
            if let Some(text) = entry["payload"]["posted"]["text"].as_str() {
                for ix in playbook.graph.order() {
                    let act = playbook.graph.step(*ix).unwrap();
                    if let Some(p) = act.announces.iter().find(|p| text.contains(p.as_str())) {
                        assert!(
                            done.contains(&act.id),
                            "{scenario}: a post says {p:?} before {} was done: {text}",
                            act.id
                        );
                    }
                }
                assert_eq!(
                    hikeshi::text::unfinished::unfinished(text),
                    None,
                    "{scenario}: {text}"
                );
                assert!(!text.contains("「」"), "{scenario}: a gap in {text}");
            }
            if entry["kind"] == "step_completed" {
                done.extend(entry["payload"]["step"].as_str().map(str::to_string));
            }
        }
        // Every message: in the outbox, delivered by the file transport, marked twice.
        assert_eq!(run["transport"], "file");
        let files = emls(&incident);
        assert!(!files.is_empty(), "{scenario} sent no mail");
        assert_eq!(files.len() as u64, run["messages"].as_u64().unwrap());
        // Read back by Python's email package (Unix only).
        #[cfg(unix)]
        {
            let paths: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
            for m in parse_mail(&paths) {
                assert!(
                    m["subject"].as_str().unwrap().starts_with("【訓練】"),
                    "{m}"
                );
                assert_eq!(m["exercise"], "yes", "{m}");
                assert!(m["body"].as_str().unwrap().starts_with("【訓練】"), "{m}");
            }
        }
        let outbox = hikeshi()
            .current_dir(dir.path())
            .args(["outbox", incident.to_str().unwrap(), "--json"])
            .output()
            .unwrap();
        let outbox: Value = serde_json::from_slice(&outbox.stdout).unwrap();
        for m in outbox["messages"].as_array().unwrap() {
            assert_eq!(m["state"], "sent", "{m}");
            assert_eq!(m["transport"], "file", "{m}");
        }
    }
}

/// The なりすまし warning must name the city's genuine account as official and never the
/// impersonator's: the scenario once put the fake account in `{{account}}`, and the published
/// text then told citizens the fake was the city. The genuine and the fake account are facts
/// of their own now: the fake is named only in a form that is no link or mention (＠).
#[test]
fn impersonation_statements_name_the_genuine_account_as_official_never_the_fake() {
    const GENUINE: &str = "@hikeshi_city_official";
    const FAKE: &str = "mayor_hikeshi_city70";
    let dir = tempfile::tempdir().unwrap();
    let run = autopilot(dir.path(), "fake-mayor-gift-campaign", &[], None);
    let report = report_json(dir.path(), &run);
    let posted: Vec<(&str, &str)> = report["statements"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["status"] == "done")
        .map(|s| (s["step"].as_str().unwrap(), s["text"].as_str().unwrap()))
        .collect();
    assert!(
        posted.iter().any(|(step, _)| *step == "warning-post"),
        "{posted:?}"
    );
    for (step, text) in &posted {
        assert!(
            !text.contains(&format!("@{FAKE}")),
            "{step} names the fake account as a mention: {text}"
        );
        assert!(
            !text.contains(&format!("（{GENUINE}）"))
                || !text.contains(&format!("（＠{FAKE}）です")),
            "{step} presents the fake account as official: {text}"
        );
    }
    // The copycat found later is recorded too, and the resolution names both fakes.
    let resolution = posted
        .iter()
        .find(|(s, _)| *s == "resolution-notice")
        .unwrap()
        .1;
    assert!(
        resolution.contains(&format!("（＠{FAKE}、＠hikeshi_mayor_official）")),
        "{resolution}"
    );
    let warning = posted.iter().find(|(s, _)| *s == "warning-post").unwrap().1;
    // The mayor, a person, is worded as a person: not as an official account imitated.
    assert!(
        warning.starts_with("【注意】市長の氏名や写真を使った偽アカウント"),
        "{warning}"
    );
    assert!(!warning.contains("公式Instagramを装った"), "{warning}");
    assert!(
        warning.contains(&format!("公式アカウントは{GENUINE}です")),
        "{warning}"
    );
    assert!(
        warning.contains(&format!("偽アカウント（＠{FAKE}）")),
        "{warning}"
    );
    // The promise is narrowed to what a city can keep (some take applications through LINE).
    assert!(
        !warning.contains("SNSで個人情報や金銭を求めることはありません"),
        "{warning}"
    );
    // The mail to the divisions names the genuine account as the one imitated, too (bodies
    // are base64: read back by Python's email package, Unix only).
    #[cfg(unix)]
    {
        let files = emls(&dir.path().join(run["incident"].as_str().unwrap()));
        let paths: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
        let mails = parse_mail(&paths);
        assert!(!mails.is_empty());
        for m in mails {
            let body = m["body"].as_str().unwrap();
            assert!(body.contains(&format!("アカウント（{GENUINE}）")), "{body}");
            assert!(!body.contains(FAKE), "{body}");
        }
    }
}

/// A wrong post of life-and-safety information (the wrong shelter) is corrected within 15
/// minutes of the start: no approval chain and no report mail before the correction (the
/// 発信管理者 approves by phone; the record is made after), and no 「確認中」 holding post at all.
/// Once it was a branch of 炎上, reached after up to 5 h 30 min of chained deadlines.
#[test]
fn a_wrong_safety_post_is_corrected_within_fifteen_minutes_of_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let run = autopilot(dir.path(), "wrong-shelter-heavy-rain", &[], None);
    let at = done_at(&run, "correction-post");
    assert!(
        at <= 15 * 60,
        "the correction was posted {at} s after start"
    );
    let verdict = run["score"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == "correction-post")
        .unwrap()["verdict"]
        .clone();
    assert_eq!(verdict, "on_time");
    // The report mail and the written record of the spoken approval come after it.
    assert!(done_at(&run, "report-to-supervisor") >= at);
    assert!(done_at(&run, "record-approval") > at);
    let report = report_json(dir.path(), &run);
    let posted: Vec<&Value> = report["statements"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["status"] == "done")
        .collect();
    // The correction is the first statement out, and says what was wrong and what is right.
    assert_eq!(posted[0]["step"], "correction-post", "{posted:?}");
    let text = posted[0]["text"].as_str().unwrap();
    assert!(
        text.contains("（誤）第一小学校体育館を避難所として開設しました"),
        "{text}"
    );
    assert!(
        text.contains("（正）第一小学校は浸水のおそれがあるため開設していません"),
        "{text}"
    );
    assert!(text.contains("7月3日（金）午後7時頃の投稿"), "{text}");
    assert!(
        !posted
            .iter()
            .any(|s| s["text"].as_str().unwrap().contains("確認中"))
    );
}

/// The report of an autopilot run of a stock scenario, as JSON.
fn report_json(dir: &Path, run: &Value) -> Value {
    let out = hikeshi()
        .current_dir(dir)
        .args(["report", run["incident"].as_str().unwrap()])
        .args(["--format", "json", "-o", "-"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The seconds from the start at which a step was done, from a run's score.
fn done_at(run: &Value, step: &str) -> i64 {
    run["score"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == step)
        .and_then(|s| s["actual_seconds"].as_i64())
        .unwrap_or_else(|| panic!("{step} not done: {}", run["score"]))
}

/// 職員の私的利用: 人事課 (服務) is told, and the city's statement names no one.
/// デマ: the true fact comes first and the rumour's source is never named or linked.
/// 不適切なコメント: a comment is removed only after the 発信管理者 approved it.
#[test]
fn staff_rumour_and_comment_scenarios_do_what_their_clauses_say() {
    let dir = tempfile::tempdir().unwrap();
    let staff = autopilot(dir.path(), "anonymous-staff-account", &[], None);
    let report = report_json(dir.path(), &staff);
    let told: Vec<&str> = report["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["to"].as_str().unwrap())
        .collect();
    assert!(told.contains(&"人事担当課"), "{told:?}");
    let statement = &report["statements"][0];
    assert_eq!(statement["step"], "city-statement");
    let text = statement["text"].as_str().unwrap();
    assert!(!text.contains("madoguchi_naka"), "{text}");
    assert!(done_at(&staff, "interview-staff") <= done_at(&staff, "city-statement"));

    let rumour = autopilot(dir.path(), "earthquake-water-rumor", &[], None);
    let report = report_json(dir.path(), &rumour);
    let post = report["statements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == "fact-post")
        .unwrap();
    assert_eq!(post["status"], "done");
    let text = post["text"].as_str().unwrap();
    assert!(
        text.starts_with("【正しい情報】市の水道水は、3月8日6時の水質検査で異常がなく"),
        "{text}"
    );
    assert!(!text.contains("saigai_sokuho"), "{text}");
    // Out within the hour a rumour about safety gets.
    assert!(done_at(&rumour, "fact-post") <= 3600);

    let comments = autopilot(dir.path(), "scam-link-comments", &[], None);
    assert!(
        done_at(&comments, "approve-deletion") <= done_at(&comments, "delete-comment"),
        "{}",
        comments["score"]
    );
    let report = report_json(dir.path(), &comments);
    let approved = report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "approve-deletion")
        .unwrap();
    assert_eq!(approved["status"], "done", "{approved}");
}

/// The posted statements of a run, done ones only: (step, text, seconds from the start).
fn posted(dir: &Path, run: &Value) -> Vec<(String, String, i64)> {
    let report = report_json(dir, run);
    report["statements"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["status"] == "done")
        .map(|s| {
            let step = s["step"].as_str().unwrap().to_string();
            let at = done_at(run, &step);
            (step, s["text"].as_str().unwrap().to_string(), at)
        })
        .collect()
}

/// Runs a stock scenario on autopilot and holds it to a score of 90 or more (the scripted
/// participant keeps the targets); returns the run.
fn well_scored(dir: &Path, scenario: &str) -> Value {
    let run = autopilot(dir, scenario, &[], None);
    assert!(
        run["score"]["total"].as_u64().unwrap() >= 90,
        "{scenario}: {}",
        run["score"]
    );
    run
}

/// 委託業者: the contractor's stray post on the city's account is deleted, the password changed
/// and the contractor's access revoked before the apology says so; the apology is the city's,
/// and names no contractor.
#[test]
fn the_contractor_apology_claims_the_revoked_access_only_once_it_was_revoked() {
    let dir = tempfile::tempdir().unwrap();
    let run = well_scored(dir.path(), "former-agency-wrong-post");
    let posted = posted(dir.path(), &run);
    assert_eq!(posted.len(), 1, "{posted:?}");
    let (step, text, at) = &posted[0];
    assert_eq!(step, "account-notice");
    for (act, phrase) in [
        ("fix-original-post", "該当の投稿は削除しました"),
        ("change-password", "パスワードを変更しました"),
        ("revoke-access", "事業者の権限を取り消しました"),
    ] {
        assert!(text.contains(phrase), "{text}");
        assert!(done_at(&run, act) <= *at, "{act} after the apology: {text}");
    }
    assert!(text.contains("4月3日（金）午前9時15分頃"), "{text}");
    assert!(
        !text.contains("ハレノヒ"),
        "the contractor is named: {text}"
    );
    // The contractor's posting was stopped first; the contract is read and decided on.
    assert!(done_at(&run, "stop-posting") <= done_at(&run, "fix-original-post"));
    let report = report_json(dir.path(), &run);
    let status = |id: &str| step_status(&report, id);
    for id in [
        "check-contract",
        "receive-incident-report",
        "contract-decision",
    ] {
        assert_eq!(status(id), "done", "{id}");
    }
    for id in ["correction-post", "remove-personal-data", "report-takeover"] {
        assert_eq!(status(id), "not_applicable", "{id}");
    }
}

/// 偽動画: a person impersonated, not an account. Every public text names the person by
/// title and never says アカウント, nor links or quotes the fake; 「事実ではありません」 only
/// once the person confirmed (the mayor is in flight at first: the warning says the city is
/// checking), and the removal request is claimed only once made.
#[test]
fn the_deepfake_texts_name_the_person_and_deny_only_after_the_person_confirmed() {
    let dir = tempfile::tempdir().unwrap();
    let run = well_scored(dir.path(), "mayor-deepfake-benefit");
    let posted = posted(dir.path(), &run);
    let steps: Vec<&str> = posted.iter().map(|(s, _, _)| s.as_str()).collect();
    assert_eq!(
        steps,
        [
            "warning-post",
            "website-notice",
            "person-statement",
            "press-info"
        ],
        "{posted:?}"
    );
    for (step, text, _) in &posted {
        assert!(
            !text.contains("アカウント"),
            "{step} says アカウント: {text}"
        );
        assert!(
            text.contains("市長"),
            "{step} does not name the person: {text}"
        );
        for fake in [
            "kyufu_info_2026",
            "youtube.com/shorts",
            "5万円",
            "口座を登録して",
        ] {
            assert!(
                !text.contains(fake),
                "{step} repeats the fake ({fake}): {text}"
            );
        }
    }
    // The mayor confirmed at 2 h 30 min (an inject answering confirm-fake again).
    let confirmed = 2 * 3600 + 30 * 60;
    let (_, warning, at) = &posted[0];
    assert!(*at < confirmed, "the warning waited for the mayor");
    assert!(
        warning
            .starts_with("【注意】SNSで、市長が臨時給付金の申請を呼びかける動画が広がっています。"),
        "{warning}"
    );
    assert!(
        warning.contains("例示市で事実を確認しています。"),
        "{warning}"
    );
    assert!(!warning.contains("事実ではありません"), "{warning}");
    assert!(
        warning.contains("振込や個人情報の入力をしないでください"),
        "{warning}"
    );
    for (step, text, at) in &posted[1..] {
        assert!(*at > confirmed, "{step}");
        assert!(!text.contains("確認しています"), "{step}: {text}");
    }
    let (_, notice, _) = &posted[1];
    assert!(notice.contains("この動画は事実ではありません"), "{notice}");
    assert!(notice.contains("運営会社に削除を依頼しました"), "{notice}");
    assert!(done_at(&run, "report-to-platform") < posted[1].2);
    let (_, statement, _) = &posted[2];
    assert!(
        statement.contains("私はそのような発言をしていません"),
        "{statement}"
    );
    assert!(statement.trim_end().ends_with("市長）"), "{statement}");
}

/// 管理できないアカウント: nobody can log in to the disaster X account (the administrators left,
/// the recovery address was abolished in April). The status notice on the other accounts says
/// the application was made only once it was made, and never tells the public the internal
/// reasons; recovery is announced on the account and the website only after X restored access
/// (an inject at 3 days) and the account was secured; the 一覧表 is mailed to 広報 after the
/// register was put right. The branches of a takeover, a closure and a new account stay out.
#[test]
fn the_lost_account_notices_claim_the_recovery_only_once_it_was_recovered() {
    use hikeshi::text::length::{Unit, count};
    let dir = tempfile::tempdir().unwrap();
    let run = well_scored(dir.path(), "bousai-account-locked-out");
    let posted = posted(dir.path(), &run);
    let steps: Vec<&str> = posted.iter().map(|(s, _, _)| s.as_str()).collect();
    assert_eq!(
        steps,
        [
            "status-notice",
            "website-notice",
            "recovered-post",
            "website-update"
        ],
        "{posted:?}"
    );
    for (step, text, _) in &posted {
        // The internal reasons would help someone claim the account.
        for inside in ["退職", "異動", "廃止", "二段階認証", "パスワード"] {
            assert!(!text.contains(inside), "{step} tells {inside}: {text}");
        }
    }
    // The first notice went out before the application: it promises, it does not claim.
    let (_, status_notice, at) = &posted[0];
    assert!(*at < done_at(&run, "platform-recovery"), "{status_notice}");
    assert!(
        status_notice
            .contains("例示市公式Xアカウント（@city_bousai）は、現在投稿できない状態です。"),
        "{status_notice}"
    );
    assert!(
        status_notice.contains("回復の手続を進めています。"),
        "{status_notice}"
    );
    assert!(!status_notice.contains("申請しました"), "{status_notice}");
    assert!(
        count(status_notice, Unit::Weighted) <= 280,
        "{status_notice}"
    );
    let (_, website_notice, at) = &posted[1];
    assert!(done_at(&run, "platform-recovery") <= *at);
    assert!(
        website_notice.contains("運営会社に回復を申請しました。"),
        "{website_notice}"
    );
    assert!(!website_notice.contains("管理を回復"), "{website_notice}");
    // Access came back at 3 days (the inject answering outcome): only then is it said.
    let restored = 3 * 86_400;
    assert!(done_at(&run, "secure-account") >= restored);
    for (step, text, at) in &posted[2..] {
        assert!(*at >= done_at(&run, "secure-account"), "{step}");
        assert!(
            text.contains("管理を回復し、安全対策を講じました。"),
            "{step}: {text}"
        );
    }
    let (_, recovered, _) = &posted[2];
    assert!(count(recovered, Unit::Weighted) <= 280, "{recovered}");
    for text in posted.iter().map(|(_, t, _)| t) {
        assert!(!text.contains("回復を申請しました") || !text.contains("管理を回復し"));
    }
    // The cause was answered again (the reset mail went to an abolished address), which
    // brought in the mailbox's temporary restoring; the 一覧表 followed the register's repair.
    assert!(done_at(&run, "restore-recovery-mail") > 0);
    assert!(done_at(&run, "update-register") <= done_at(&run, "submit-admin-list"));
    let report = report_json(dir.path(), &run);
    let status = |id: &str| step_status(&report, id);
    for id in [
        "ask-former-admin",
        "proof-of-authority",
        "update-register",
        "prevent-recurrence",
    ] {
        assert_eq!(status(id), "done", "{id}");
    }
    for id in [
        "report-takeover",
        "close-account",
        "consult-new-account",
        "open-new-account",
        "new-account-notice",
        "watch-name",
    ] {
        assert_eq!(status(id), "not_applicable", "{id}");
    }
}

/// The status of each step in a run's report.
fn step_status(report: &Value, id: &str) -> Value {
    report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("no step {id}"))["status"]
        .clone()
}

/// 管理できないアカウント, a new account: the suspended account is said to be suspended, the
/// appeal only once filed; after the refusal the new account is agreed with the 運用管理者
/// before it is opened, and announced only once it is open (never linking the old one); the
/// recovery is never announced and the old name is watched.
#[test]
fn a_new_account_is_announced_only_once_it_was_opened_and_never_links_the_old_one() {
    let dir = tempfile::tempdir().unwrap();
    let run = well_scored(dir.path(), "event-account-suspended");
    let posted = posted(dir.path(), &run);
    let steps: Vec<&str> = posted.iter().map(|(s, _, _)| s.as_str()).collect();
    assert_eq!(
        steps,
        [
            "status-notice",
            "website-notice",
            "new-account-notice",
            "website-update"
        ],
        "{posted:?}"
    );
    let (_, status_notice, _) = &posted[0];
    assert!(
        status_notice.contains("運営会社により利用が停止されています。"),
        "{status_notice}"
    );
    for (step, text, at) in &posted {
        assert!(!text.contains("管理を回復"), "{step}: {text}");
        if text.contains("回復を申請しました") {
            assert!(*at >= done_at(&run, "platform-recovery"), "{step}");
        }
    }
    let opened = done_at(&run, "open-new-account");
    assert!(done_at(&run, "consult-new-account") <= opened);
    let (_, notice, at) = &posted[2];
    assert!(*at >= opened, "{notice}");
    assert!(
        notice.contains("（@city_kanko_event）を開設しました"),
        "{notice}"
    );
    // The old account is named but not linked (it may fall to someone else).
    assert!(!notice.contains("@city_event"), "{notice}");
    assert!(notice.contains("＠city_event"), "{notice}");
    let (_, update, at) = &posted[3];
    assert!(*at >= opened);
    assert!(
        update.contains("新しい公式Instagramアカウントを開設しました"),
        "{update}"
    );
    assert!(!update.contains("利用を終了しました"), "{update}");
    let report = report_json(dir.path(), &run);
    for id in ["watch-name", "update-register", "submit-admin-list"] {
        assert_eq!(step_status(&report, id), "done", "{id}");
    }
    for id in [
        "report-takeover",
        "secure-account",
        "recovered-post",
        "close-account",
        "ask-former-admin",
    ] {
        assert_eq!(step_status(&report, id), "not_applicable", "{id}");
    }
}

/// 管理できないアカウント, closed after a takeover: an account in neither register nor
/// directory (its division given by its part) is reported to the platform as a takeover (the 不正アクセス playbook does the
/// rest: no status notice or recovery application of its own); the closure is said on the
/// website only once the account is closed, and the old name is watched.
#[test]
fn a_hijacked_dormant_account_is_closed_and_said_closed_only_once_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let run = well_scored(dir.path(), "dormant-campaign-takeover");
    let posted = posted(dir.path(), &run);
    assert_eq!(posted.len(), 1, "{posted:?}");
    let (step, text, at) = &posted[0];
    assert_eq!(step, "website-update");
    assert!(*at >= done_at(&run, "close-account"), "{text}");
    assert!(
        text.contains("同アカウントは、利用を終了しました。"),
        "{text}"
    );
    assert!(
        !text.contains("開設しました") && !text.contains("管理を回復"),
        "{text}"
    );
    assert!(done_at(&run, "report-takeover") < done_at(&run, "outcome"));
    let report = report_json(dir.path(), &run);
    for id in ["watch-name", "update-register", "prevent-recurrence"] {
        assert_eq!(step_status(&report, id), "done", "{id}");
    }
    for id in [
        "status-notice",
        "website-notice",
        "platform-recovery",
        "proof-of-authority",
        "recovered-post",
        "consult-new-account",
        "new-account-notice",
    ] {
        assert_eq!(step_status(&report, id), "not_applicable", "{id}");
    }
    // The account is in no directory: the scenario names its division by its part
    // (広報担当課), recorded as the division that plays it here, which had the first report.
    let facts = status(dir.path(), run["incident"].as_str().unwrap())["facts"].clone();
    let owner = facts
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "owner_division")
        .unwrap()
        .clone();
    assert_eq!(owner["value"], "広報広聴課", "{facts}");
    let outbox = dir
        .path()
        .join(run["incident"].as_str().unwrap())
        .join("outbox");
    let to_owner = std::fs::read_dir(&outbox)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with("-report-to-supervisor.eml"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .any(|m| m.contains("<koho@city.example.jp>"));
    assert!(to_owner);
}

#[test]
#[cfg(unix)] // a real SMTP server (aiosmtpd)
fn without_live_mail_nothing_reaches_smtp_and_with_it_everything_does_marked() {
    let dir = tempfile::tempdir().unwrap();
    let server = SmtpServer::start(dir.path(), free_port(), Security::Plain, None);
    let config = smtp_config(dir.path(), &server);
    // [smtp] is set up for real incidents, but a drill without --live-mail stays local.
    let quiet = autopilot(dir.path(), "fake-mayor-gift-campaign", &[], Some(&config));
    assert_eq!(quiet["transport"], "file");
    assert!(quiet["messages"].as_u64().unwrap() > 0);
    assert!(
        server.messages().is_empty(),
        "a drill reached the SMTP server"
    );

    let live = autopilot(
        dir.path(),
        "fake-mayor-gift-campaign",
        &["--live"],
        Some(&config),
    );
    assert_eq!(live["transport"], "smtp");
    let n = live["messages"].as_u64().unwrap() as usize;
    let received = server.wait_for(n);
    assert_eq!(received.len(), n);
    for m in &received {
        assert!(
            m["subject"].as_str().unwrap().starts_with("【訓練】"),
            "{m}"
        );
        assert_eq!(m["exercise"], "yes");
    }
    // The outbox says they went over SMTP.
    let outbox = hikeshi()
        .current_dir(dir.path())
        .args(["outbox", live["incident"].as_str().unwrap(), "--json"])
        .output()
        .unwrap();
    let outbox: Value = serde_json::from_slice(&outbox.stdout).unwrap();
    for m in outbox["messages"].as_array().unwrap() {
        assert_eq!(m["transport"], "smtp", "{m}");
    }

    // --live-mail without [smtp] is refused before anything starts.
    let elsewhere = tempfile::tempdir().unwrap();
    let out = hikeshi()
        .current_dir(elsewhere.path())
        .env_remove("HIKESHI_CONFIG")
        .args([
            "--lang",
            "en",
            "exercise",
            "fake-mayor-gift-campaign",
            "--autopilot",
        ])
        .arg("--live-mail")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("--live needs an [smtp] table or a [channels.NAME]")
    );
    assert!(!elsewhere.path().join("incidents").exists());
}

#[test]
fn the_score_of_a_scripted_run_equals_the_hand_computed_value() {
    let dir = tempfile::tempdir().unwrap();
    let run = autopilot(
        dir.path(),
        fixture("exercise/scored.yaml").to_str().unwrap(),
        &[],
        None,
    );
    // By hand (tests/fixtures/exercise/scored.yaml, 10-minute default delay):
    // - detect, target 3m, done at 5m: late (−5)
    // - report-to-supervisor, target 10m, ready at 5m, done at 15m: late (−5); its three
    //   divisions (所属長, 運用管理者, and 防災危機管理課, which owns the scenario's account
    //   @city_bousai) reached at 15m, after the 10m deadline: 3 late (−2 each)
    // - analyze-cause, target 1h, done at 25m: on time
    // - hold-replies and notify-koho skipped (−5 each); 広報広聴課 never told (−5)
    // 100 − 5×2 − 10×0 − 5×2 − 5×0 − 2×3 − 5×1 = 69
    // The inject two days in is still given, after the last step.
    assert_eq!(run["injects"], 3);
    assert!(run["simulated_seconds"].as_i64().unwrap() >= 2 * 86_400);
    let score = &run["score"];
    assert_eq!(score["total"], 69, "{score}");
    let count = |kind: &str| {
        score["penalties"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["kind"] == kind)
            .unwrap()["count"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(count("late_step"), 2);
    assert_eq!(count("missed_step"), 0);
    assert_eq!(count("skipped_step"), 2);
    assert_eq!(count("forced_step"), 0);
    assert_eq!(count("late_notice"), 3);
    assert_eq!(count("missing_notice"), 1);
    let step = |id: &str| {
        score["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["step"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(step("detect")["actual_seconds"], 300);
    assert_eq!(step("detect")["verdict"], "late");
    assert_eq!(step("report-to-supervisor")["actual_seconds"], 900);
    assert_eq!(step("analyze-cause")["verdict"], "on_time");
    assert_eq!(step("hold-replies")["verdict"], "skipped");

    // The same score, with its formula, in the report.
    let out = hikeshi()
        .current_dir(dir.path())
        .args([
            "report",
            run["incident"].as_str().unwrap(),
            "--format",
            "md",
            "-o",
            "-",
        ])
        .output()
        .unwrap();
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(md.contains("## 訓練の評価"), "{md}");
    assert!(md.contains(
        "100 - 5x2（目標超過） - 10x0（未完了） - 5x2（省略） - 5x0（強制） - 2x3（通知遅れ） - 5x1（通知なし） = 69"
    ));
    assert!(
        md.contains("| 状況を確認し、記録する (`detect`) | 3分 | 5分 | **目標超過** |"),
        "{md}"
    );
    assert!(md.contains("振り返りは未記録です"));
}

/// One person holding two roles gets one mail, and both roles count as told on time or late
/// as that mail was: the hand-computed score of `scored.yaml` does not change.
#[test]
fn a_mail_to_one_person_holding_two_roles_tells_both() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixture("exercise/scored.yaml"),
        dir.path().join("scored.yaml"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("flaming.yaml"),
        hikeshi::stock::playbook("flaming").unwrap(),
    )
    .unwrap();
    let divisions = hikeshi::stock::DIVISIONS
        .text
        .replace("koho-kacho@city.example.jp", "shozokucho@city.example.jp");
    std::fs::write(dir.path().join("divisions.yaml"), divisions).unwrap();
    let scenario = dir.path().join("scored.yaml");
    let run = autopilot(dir.path(), scenario.to_str().unwrap(), &[], None);
    let supervisor: Vec<&Value> = run["score"]["notices"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["step"] == "report-to-supervisor")
        .collect();
    assert_eq!(supervisor.len(), 3, "{supervisor:?}");
    for n in &supervisor {
        assert_eq!(n["verdict"], "late", "{n}");
    }
    assert_eq!(run["score"]["total"], 69, "{}", run["score"]);
    let incident = dir.path().join(run["incident"].as_str().unwrap());
    let mails = emls(&incident)
        .into_iter()
        .filter(|p| p.to_string_lossy().contains("report-to-supervisor"))
        .count();
    // One mail to the person holding both roles, one to 防災危機管理課 (the 所属課).
    assert_eq!(mails, 2);
}

#[test]
fn a_forced_step_and_a_missed_target_cost_points() {
    let dir = tempfile::tempdir().unwrap();
    let loaded = exercise::load(
        &ScenarioRef::File(fixture("exercise/scored.yaml")),
        &CompileOptions::default(),
    )
    .unwrap();
    let (mut session, mut incident) =
        Session::begin(dir.path(), &loaded, "訓練 花子", 0.0, false).unwrap();
    session.fire_due(&mut incident).unwrap();
    session.clock().advance(TimeDelta::minutes(2));
    incident
        .execute(
            "訓練 花子",
            &Command::Complete {
                step: "detect".into(),
                note: None,
                force: None,
                statement: None,
            },
        )
        .unwrap();
    // analyze-cause is not ready (it waits for the report): done by force at 20m.
    session.clock().advance(TimeDelta::minutes(18));
    incident
        .execute(
            "訓練 花子",
            &Command::Complete {
                step: "analyze-cause".into(),
                note: None,
                force: Some("訓練: 先に原因を調べた".into()),
                statement: None,
            },
        )
        .unwrap();
    session.clock().advance(TimeDelta::minutes(40));
    let score = exercise::score(incident.state(), incident.playbook(), incident.now()).unwrap();
    // At 1h: detect on time (2m ≤ 3m); report-to-supervisor not done (missed, −10);
    // analyze-cause on time but forced (−5). No notify step has sent anything yet, and none
    // has been ruled out, so every division they name counts as not told (−5 each):
    // report-to-supervisor 3 (with 防災危機管理課, the owner of @city_bousai), notify-koho 1,
    // notify-mayor 1, final-report 2. 100 − 10 − 5 − 5×7 = 50.
    assert_eq!(score.count(PenaltyKind::MissedStep), 1);
    assert_eq!(score.count(PenaltyKind::ForcedStep), 1);
    assert_eq!(score.count(PenaltyKind::MissingNotice), 7);
    assert_eq!(score.count(PenaltyKind::LateStep), 0);
    assert_eq!(score.total, 50, "{}", score.formula(Lang::En));
    assert!(score.formula(Lang::En).ends_with("= 50"));
}

#[test]
fn injects_fire_on_the_clock_change_the_incident_and_can_be_given_early() {
    let dir = tempfile::tempdir().unwrap();
    let loaded = exercise::load(
        &ScenarioRef::Stock("takeover-friday-night".into()),
        &CompileOptions::default(),
    )
    .unwrap();
    let (mut session, mut incident) =
        Session::begin(dir.path(), &loaded, "当番", 0.0, false).unwrap();
    assert!(incident.state().title.starts_with("【訓練】"));
    assert_eq!(incident.state().account, None);
    // 0m: the citizen's call names the account.
    let fired = session.fire_due(&mut incident).unwrap();
    assert_eq!(fired.len(), 1);
    assert_eq!(fired[0].inject.id, "citizen-call");
    assert_eq!(incident.state().account.as_deref(), Some("@city_official"));
    assert!(session.fire_due(&mut incident).unwrap().is_empty());
    // 8m: "locked out" answers login-check as soon as it is ready (after detect).
    session.clock().advance(TimeDelta::minutes(8));
    let fired = session.fire_due(&mut incident).unwrap();
    assert_eq!(fired[0].inject.id, "locked-out");
    let login = incident.playbook().graph.find("login-check").unwrap();
    assert_eq!(incident.state().status_of(login), StepStatus::Pending);
    incident
        .execute(
            "当番",
            &Command::Complete {
                step: "detect".into(),
                note: None,
                force: None,
                statement: None,
            },
        )
        .unwrap();
    session.fire_due(&mut incident).unwrap();
    assert_eq!(incident.state().status_of(login), StepStatus::Done);
    let platform_recovery = incident.playbook().graph.find("platform-recovery").unwrap();
    assert_eq!(
        incident.state().status_of(platform_recovery),
        StepStatus::Ready
    );
    // The facilitator gives the next inject (due at 25m) now, and pauses the clock.
    let early = session.fire_next(&mut incident).unwrap().unwrap();
    assert_eq!(early.inject.id, "dm-spreading");
    assert!(early.early);
    assert!(session.toggle_pause());
    let t = incident.now();
    session.clock().advance(TimeDelta::zero());
    assert_eq!(incident.now(), t);
    assert!(!session.toggle_pause());
    let run = incident.state().run.as_ref().unwrap();
    assert_eq!(run.injects.len(), 3);
    assert!(run.injects[2].early);
    // The journal holds the injects under the facilitator's name.
    let journal = std::fs::read_to_string(incident.dir().join("journal.jsonl")).unwrap();
    assert!(journal.contains("\"kind\":\"inject_fired\""));
    assert!(journal.contains("\"actor\":\"訓練進行\""));
}

#[test]
fn a_mention_count_inject_is_recorded_on_the_monitor() {
    let dir = tempfile::tempdir().unwrap();
    let run = autopilot(dir.path(), "shelter-post-backlash", &[], None);
    let journal = std::fs::read_to_string(
        dir.path()
            .join(run["incident"].as_str().unwrap())
            .join("journal.jsonl"),
    )
    .unwrap();
    assert!(journal.contains("言及数 1200 件/時（状況付与）"));
    assert!(journal.contains("言及数 5000 件/時（状況付与）"));
    // The TV inject raised the severity the participant had judged low, and in the takeover
    // the missing 2FA device re-opens the step done before it.
    let takeover = autopilot(dir.path(), "takeover-friday-night", &[], None);
    let takeover_journal = std::fs::read_to_string(
        dir.path()
            .join(takeover["incident"].as_str().unwrap())
            .join("journal.jsonl"),
    )
    .unwrap();
    assert!(
        takeover_journal
            .contains("\"kind\":\"step_reopened\",\"payload\":{\"step\":\"enable-2fa\""),
        "{takeover_journal}"
    );
    // Done at 1h53m, re-opened by the inject at 2h, done again at 2h10m: judged by the first
    // completion, so the scenario's own complication costs the participants nothing.
    let enable_2fa = takeover["score"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == "enable-2fa")
        .unwrap()
        .clone();
    assert_eq!(enable_2fa["actual_seconds"], 6780, "{enable_2fa}");
    assert_eq!(enable_2fa["verdict"], "on_time");
    assert!(
        journal.contains("\"option\":\"high\",\"reason\":\"状況付与: テレビが報道\""),
        "{journal}"
    );
}

#[test]
fn the_screen_asks_for_the_review_after_closing_and_shows_the_score() {
    let dir = tempfile::tempdir().unwrap();
    let loaded = exercise::load(
        &ScenarioRef::File(fixture("exercise/scored.yaml")),
        &CompileOptions::default(),
    )
    .unwrap();
    let (session, incident) = Session::begin(dir.path(), &loaded, "当番", 0.0, false).unwrap();
    let mut app = hikeshi::tui::App::new(incident, "当番".into(), Lang::Ja).with_exercise(session);
    // The situation at the start comes first, then the inject due at the start; any key
    // closes each.
    assert!(
        matches!(&app.mode, Mode::Inject(c) if c.opening),
        "{:?}",
        app.mode
    );
    app.update(Action::Cancel);
    assert!(matches!(&app.mode, Mode::Inject(c) if c.title == "開始"));
    app.update(Action::Cancel);
    assert_eq!(app.mode, Mode::Normal);
    // Close with steps open (a reason is asked), then the review is asked.
    app.update(Action::Close);
    for c in "訓練終了".chars() {
        app.update(Action::Char(c));
    }
    app.update(Action::Submit);
    assert!(matches!(app.mode, Mode::Review(_)), "{:?}", app.mode);
    // Esc puts it off; V (Action::Review) brings it back.
    app.update(Action::Cancel);
    assert_eq!(app.mode, Mode::Normal);
    app.update(Action::Review);
    assert!(matches!(app.mode, Mode::Review(_)), "{:?}", app.mode);
    // Three empty answers are refused, and the form stays open.
    for _ in 0..3 {
        app.update(Action::Submit);
    }
    assert!(
        matches!(&app.mode, Mode::Review(f) if f.field == 0),
        "{:?}",
        app.mode
    );
    assert!(app.flash.as_ref().is_some_and(|f| f.error));
    for answer in ["連絡が早かった", "判断が遅れた", "ひな形を用意する"] {
        for c in answer.chars() {
            app.update(Action::Char(c));
        }
        app.update(Action::Submit);
    }
    let Mode::Score(lines) = &app.mode else {
        panic!("no score shown: {:?}", app.mode);
    };
    assert!(lines[0].starts_with("得点 "), "{lines:?}");
    let run = app.incident.state().run.as_ref().unwrap();
    assert_eq!(run.reviews.len(), 1);
    assert_eq!(run.reviews[0].issues, "判断が遅れた");
    // The report carries the review.
    let dirpath = app.dir();
    let out = hikeshi()
        .args([
            "report",
            dirpath.to_str().unwrap(),
            "--format",
            "md",
            "-o",
            "-",
        ])
        .output()
        .unwrap();
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(md.contains("| 改善策 | ひな形を用意する |"), "{md}");
}

#[test]
fn an_exercise_left_off_resumes_on_its_own_clock_and_commands_keep_its_time() {
    let dir = tempfile::tempdir().unwrap();
    let loaded = exercise::load(
        &ScenarioRef::Stock("takeover-friday-night".into()),
        &CompileOptions::default(),
    )
    .unwrap();
    let incident_dir = {
        let (mut session, mut incident) =
            Session::begin(dir.path(), &loaded, "当番", 0.0, false).unwrap();
        session.fire_due(&mut incident).unwrap();
        // 8m: login-check is answered by the inject while still waiting for detect.
        session.clock().advance(TimeDelta::minutes(8));
        session.fire_due(&mut incident).unwrap();
        incident.dir().to_path_buf()
    };
    let last = hikeshi::incident::IncidentRecord::load(&incident_dir)
        .unwrap()
        .state
        .last_event_at
        .unwrap();
    // A command from the command line is recorded at the exercise's time, not today's.
    let out = hikeshi()
        .current_dir(dir.path())
        .env_remove("HIKESHI_TIME")
        .args(["done", incident_dir.to_str().unwrap(), "detect"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let record = hikeshi::incident::IncidentRecord::load(&incident_dir).unwrap();
    let detect = record.playbook.graph.find("detect").unwrap();
    assert_eq!(
        record.state.step(detect).unwrap().done.as_ref().unwrap().at,
        last
    );
    // Resuming gives the owed answer as soon as the decision is ready.
    let (mut session, mut incident) = Session::resume(&incident_dir, 0.0).unwrap();
    assert_eq!(hikeshi::clock::Clock::now(session.clock().as_ref()), last);
    let login = incident.playbook().graph.find("login-check").unwrap();
    assert_eq!(incident.state().status_of(login), StepStatus::Ready);
    session.fire_due(&mut incident).unwrap();
    assert_eq!(incident.state().status_of(login), StepStatus::Done);
    assert_eq!(
        session.next_inject(&incident).map(|i| i.id.as_str()),
        Some("dm-spreading")
    );
    // The participants re-open the answered decision: resuming does not answer it again.
    act(
        &mut incident,
        Command::Reopen {
            step: "login-check".into(),
            reason: "確認し直す".into(),
        },
    );
    drop(incident);
    let (mut session, mut incident) = Session::resume(&incident_dir, 0.0).unwrap();
    session.fire_due(&mut incident).unwrap();
    assert_eq!(incident.state().status_of(login), StepStatus::Ready);
    drop(incident);
    // A changed scenario.yaml is refused, and `verify` says so: the record checks it once.
    let scenario = |dir: &std::path::Path| {
        hikeshi::incident::IncidentRecord::load(dir)
            .unwrap()
            .frozen_scenario()
            .unwrap()
    };
    assert!(scenario(&incident_dir).verified);
    let frozen = incident_dir.join("scenario.yaml");
    let text = std::fs::read_to_string(&frozen).unwrap();
    std::fs::write(&frozen, text.replace("ログインできない", "ログインできる")).unwrap();
    let changed = scenario(&incident_dir);
    assert!(!changed.verified);
    assert!(changed.verified_text().unwrap_err().contains("differs"));
    let err = Session::resume(&incident_dir, 0.0).unwrap_err();
    assert!(err.to_string().contains("differs"), "{err}");
    let out = hikeshi()
        .args(["--lang", "en", "verify"])
        .arg(&incident_dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("differs from the scenario"));
}

#[test]
#[cfg(unix)] // Python's jsonschema
fn the_stock_scenarios_validate_against_the_committed_schema() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(common::root().join("docs/exercise.schema.json")).unwrap(),
    )
    .unwrap();
    let docs: Vec<Value> = STOCK
        .iter()
        .map(|id| {
            let path = common::root().join(format!("playbooks/exercises/{id}.yaml"));
            serde_saphyr::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
        })
        .collect();
    let input = serde_json::json!({"schema": schema, "docs": docs});
    let out = common::smtp::run_python(
        "import json, sys, jsonschema\nd = json.load(sys.stdin)\nfor doc in d['docs']:\n    jsonschema.validate(doc, d['schema'], cls=jsonschema.Draft202012Validator)\nprint('valid')",
        input.to_string().as_bytes(),
    );
    assert_eq!(out.trim(), "valid");
}

#[test]
fn check_reports_every_problem_of_a_scenario_with_its_position() {
    // A folder with an exercises/ subfolder: the scenario in it is checked too.
    let (diagnostics, code) = common::check_json(&fixture("exercise/broken"));
    assert_eq!(code, 1);
    let found: Vec<(String, u64, u64, String)> = diagnostics
        .iter()
        .map(|d| {
            (
                d["problem"]["code"].as_str().unwrap().to_string(),
                d["position"]["line"].as_u64().unwrap(),
                d["position"]["column"].as_u64().unwrap(),
                d["text"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected = [
        ("bad_duration", 10, 9, "5x"),
        ("unknown_step", 14, 22, "login-chek"),
        ("wrong_step_kind", 15, 24, "detect"),
        ("unknown_choice", 21, 43, "lockedout"),
        // `reopen: true` without the step to re-open (pointed at the inject).
        ("missing_field", 16, 9, "b"),
        ("unknown_step", 24, 3, "detct"),
        ("unknown_choice", 27, 22, "extreme"),
        // A review with nothing in it.
        ("missing_field", 28, 3, "review"),
        // Approvals under a part's name, each of which the engine would refuse.
        ("approver_not_a_person", 29, 3, "発信管理者"),
    ];
    assert_eq!(
        found,
        expected
            .iter()
            .map(|(c, l, col, t)| (c.to_string(), *l, *col, t.to_string()))
            .collect::<Vec<_>>()
    );
    assert!(diagnostics.iter().all(|d| {
        d["file"]
            .as_str()
            .unwrap()
            .ends_with(&common::native("exercises/broken.yaml"))
    }));
    assert_eq!(diagnostics[1]["hint"], "did you mean `login-check`?");
    // The same scenario cannot be run.
    let out = hikeshi()
        .args(["--lang", "en", "exercise", "--autopilot"])
        .arg(fixture("exercise/broken/exercises/broken.yaml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid duration `5x`"));
    // An unknown scenario names the stock ones.
    let out = hikeshi()
        .args(["exercise", "no-such-drill", "--autopilot"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("takeover-friday-night"));
}

fn begin(dir: &Path, scenario: ScenarioRef) -> (Session, hikeshi::incident::Incident) {
    let loaded = exercise::load(&scenario, &CompileOptions::default()).unwrap();
    Session::begin(dir, &loaded, "当番", 0.0, false).unwrap()
}

fn act(incident: &mut hikeshi::incident::Incident, command: Command) {
    incident.execute("当番", &command).unwrap();
}

fn done(step: &str) -> Command {
    Command::Complete {
        step: step.into(),
        note: None,
        force: None,
        statement: None,
    }
}

#[test]
fn a_division_phoned_before_any_mail_counts_as_told() {
    let dir = tempfile::tempdir().unwrap();
    let (mut session, mut incident) = begin(
        dir.path(),
        ScenarioRef::File(fixture("exercise/scored.yaml")),
    );
    session.fire_due(&mut incident).unwrap();
    session.clock().advance(TimeDelta::minutes(2));
    act(&mut incident, done("detect"));
    // The scenario's account (@city_bousai) belongs to 防災危機管理課: the 所属課 is told too.
    for (minute, division) in [(3, "所属長"), (4, "運用管理者"), (5, "防災危機管理課")]
    {
        session
            .clock()
            .set(incident.state().started_at.unwrap() + TimeDelta::minutes(minute));
        act(
            &mut incident,
            Command::Call {
                division: division.into(),
                number: None,
                note: "電話で第一報".into(),
            },
        );
    }
    act(
        &mut incident,
        Command::Complete {
            step: "report-to-supervisor".into(),
            note: None,
            force: Some("電話で報告済み".into()),
            statement: None,
        },
    );
    let score = exercise::score(incident.state(), incident.playbook(), incident.now()).unwrap();
    let told: Vec<_> = score
        .notices
        .iter()
        .filter(|n| n.step == "report-to-supervisor")
        .map(|n| n.verdict)
        .collect();
    assert_eq!(
        told,
        [
            exercise::score::NoticeVerdict::OnTime,
            exercise::score::NoticeVerdict::OnTime,
            exercise::score::NoticeVerdict::OnTime
        ]
    );
    assert_eq!(score.count(PenaltyKind::ForcedStep), 1);
}

#[test]
fn an_inject_answer_stands_even_if_the_participants_answered_first() {
    let dir = tempfile::tempdir().unwrap();
    let (mut session, mut incident) = begin(
        dir.path(),
        ScenarioRef::Stock("takeover-friday-night".into()),
    );
    session.fire_due(&mut incident).unwrap();
    session.clock().advance(TimeDelta::minutes(8));
    session.fire_due(&mut incident).unwrap(); // "locked out": login-check is not ready yet
    act(&mut incident, done("detect"));
    // The participants answer before the next tick.
    act(
        &mut incident,
        Command::Decide {
            step: "login-check".into(),
            option: "accessible".into(),
            reason: None,
            force: None,
        },
    );
    session.fire_due(&mut incident).unwrap();
    let login = incident.playbook().graph.find("login-check").unwrap();
    let record = incident.state().step(login).unwrap();
    assert_eq!(
        record.answer,
        Some(1),
        "the scenario's answer (locked-out) stands"
    );
    assert_eq!(record.answers.last().unwrap().by, "訓練進行");
    assert_eq!(
        record.answers.last().unwrap().text,
        "状況付与: ログインできない"
    );
}

#[test]
#[cfg(unix)] // a real SMTP server (aiosmtpd)
fn notify_and_retry_on_an_exercise_keep_its_mail_in_the_outbox() {
    let dir = tempfile::tempdir().unwrap();
    let server = SmtpServer::start(dir.path(), free_port(), Security::Plain, None);
    let config = smtp_config(dir.path(), &server);
    let incident_dir = {
        let (mut session, mut incident) = begin(
            dir.path(),
            ScenarioRef::Stock("takeover-friday-night".into()),
        );
        session.fire_due(&mut incident).unwrap();
        act(&mut incident, done("detect"));
        incident.dir().to_path_buf()
    };
    let run = |args: &[&str]| {
        hikeshi()
            .current_dir(dir.path())
            .env("HIKESHI_CONFIG", &config)
            .args(args)
            .arg(&incident_dir)
            .args(
                ["report-to-supervisor"]
                    .iter()
                    .filter(|_| args[0] == "notify"),
            )
            .output()
            .unwrap()
    };
    let out = run(&["notify"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("outbox/"));
    let out = run(&["outbox", "--retry"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        server.messages().is_empty(),
        "an exercise's mail reached SMTP"
    );
    // 所属長, 運用管理者, セキュリティ監督者 and 広報広聴課, which owns @city_official: the
    // inject that identified the account set the owning division.
    let files = emls(&incident_dir);
    assert_eq!(files.len(), 4);
    let journal = std::fs::read_to_string(incident_dir.join("journal.jsonl")).unwrap();
    assert!(
        journal.contains(
            r#""kind":"fact_set","payload":{"fact":"owner_division","value":"広報広聴課"}"#
        )
    );
}

#[test]
fn a_tampered_target_in_the_journal_is_reported_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let run = autopilot(dir.path(), "shelter-post-backlash", &[], None);
    let incident = dir.path().join(run["incident"].as_str().unwrap());
    let journal = incident.join("journal.jsonl");
    let text = std::fs::read_to_string(&journal).unwrap();
    let tampered = text.replacen("\"seconds\":600", "\"seconds\":9223372036854775807", 1);
    assert_ne!(text, tampered);
    std::fs::write(&journal, tampered).unwrap();
    for format in ["md", "html", "json"] {
        let out = hikeshi()
            .args(["--lang", "en", "report"])
            .arg(&incident)
            .args(["--format", format, "-o", "-"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{format}: {out:?}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("verif"),
            "{format}"
        );
    }
}

#[test]
fn a_closed_exercise_resumed_without_its_review_asks_for_it() {
    let dir = tempfile::tempdir().unwrap();
    let incident_dir = {
        let (mut session, mut incident) = begin(
            dir.path(),
            ScenarioRef::File(fixture("exercise/scored.yaml")),
        );
        session.fire_due(&mut incident).unwrap();
        act(
            &mut incident,
            Command::Close {
                force: Some("時間切れ".into()),
            },
        );
        incident.dir().to_path_buf()
    };
    let (session, incident) = Session::resume(&incident_dir, 10.0).unwrap();
    let app = hikeshi::tui::App::new(incident, "当番".into(), Lang::Ja).with_exercise(session);
    assert!(matches!(app.mode, Mode::Review(_)), "{:?}", app.mode);
}

/// The summary of `dir`'s incidents, as JSON.
fn summary_json(dir: &Path) -> Value {
    let out = hikeshi()
        .current_dir(dir)
        .args(["summary", "--format", "json", "-o", "-"])
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Issue 26 (5): the review (振り返り) of an exercise played without the screen is recorded
/// from the command line, as the screen records it (`review_recorded`, by the operator); the
/// summary then shows it instead of "not recorded". Only an exercise takes one.
#[test]
fn the_review_of_an_exercise_is_recorded_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    // A scenario whose autopilot records no review.
    let stock = std::fs::read_to_string(
        common::root().join("playbooks/exercises/takeover-friday-night.yaml"),
    )
    .unwrap();
    let cut = stock.find("\n  review:").unwrap();
    let scenario = dir.path().join("no-review.yaml");
    std::fs::write(&scenario, &stock[..=cut]).unwrap();
    let run = autopilot(dir.path(), scenario.to_str().unwrap(), &[], None);
    let id = run["incident"]
        .as_str()
        .unwrap()
        .rsplit(['/', '\\'])
        .next()
        .unwrap()
        .to_string();
    let lessons = summary_json(dir.path())["lessons"].clone();
    assert_eq!(lessons[0]["incident"], id.as_str(), "{lessons}");
    assert!(lessons[0]["recorded_at"].is_null(), "{lessons}");

    let review = |args: &[&str]| {
        hikeshi()
            .current_dir(dir.path())
            .env("HIKESHI_OPERATOR", "鈴木 花子")
            .arg("review")
            .args(args)
            .output()
            .unwrap()
    };
    // Nothing to record is refused before the incident is opened.
    let out = review(&[&id]);
    assert_eq!(out.status.code(), Some(2));
    let out = review(&[
        &id,
        "--good",
        "第一報が早かった",
        "--issues",
        "通報フォームが見つからなかった",
        "--improvements",
        "通報フォームのURLを連絡先に載せる",
    ]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains("記録しました: 振り返りを記録"), "{said}");
    assert!(said.contains("\n得点 "), "{said}");
    let kinds = journal_kinds(&dir.path().join("incidents").join(&id));
    assert_eq!(kinds.last().map(String::as_str), Some("review_recorded"));
    let lessons = summary_json(dir.path())["lessons"].clone();
    assert_eq!(lessons[0]["by"], "鈴木 花子", "{lessons}");
    assert_eq!(lessons[0]["issues"], "通報フォームが見つからなかった");
    assert_eq!(
        lessons[0]["improvements"],
        "通報フォームのURLを連絡先に載せる"
    );
    assert!(lessons[0]["recorded_at"].is_string(), "{lessons}");

    // A real incident has no review.
    hikeshi()
        .current_dir(dir.path())
        .args([
            "start",
            "flaming",
            "--account",
            "@city_official",
            "--platform",
            "x",
        ])
        .assert()
        .success();
    let real = std::fs::read_dir(dir.path().join("incidents"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .find(|n| n.ends_with("flaming"))
        .unwrap();
    let out = review(&[&real, "--good", "x"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("訓練ではありません"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The Word and Excel reports of an exercise are dated (作成) the day they are made, by the
/// real clock, while the drill's own times stay simulated (issue 26, item 5).
#[test]
#[cfg(unix)] // python-docx and openpyxl
fn an_exercise_report_is_dated_the_day_it_is_made() {
    const READ: &str = r#"
import io, sys, json, zipfile
data = sys.stdin.buffer.read()
if data[:2] != b"PK":
    raise SystemExit("not a zip")
names = zipfile.ZipFile(io.BytesIO(data)).namelist()
out = {}
if "word/document.xml" in names:
    import docx
    d = docx.Document(io.BytesIO(data))
    out["made"] = [p.text for p in d.paragraphs if p.text.startswith("作成: ")]
    out["created"] = d.core_properties.created.isoformat()
    out["text"] = "\n".join(p.text for p in d.paragraphs) + "\n".join(
        c.text for t in d.tables for r in t.rows for c in r.cells)
else:
    import openpyxl
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb["概要"]
    out["made"] = [str(r[1].value) for r in ws.iter_rows() if r[0].value == "作成"]
    out["text"] = "\n".join(str(c.value) for r in ws.iter_rows() for c in r)
print(json.dumps(out, ensure_ascii=False))
"#;
    let dir = tempfile::tempdir().unwrap();
    let run = autopilot(dir.path(), "takeover-friday-night", &[], None);
    let incident = run["incident"].as_str().unwrap().to_string();
    let today = || {
        chrono::Utc::now()
            .with_timezone(&hikeshi::clock::jst())
            .format("%Y-%m-%d")
            .to_string()
    };
    let before = today();
    let mut read = Vec::new();
    for format in ["docx", "xlsx"] {
        let file = dir.path().join(format!("report.{format}"));
        hikeshi()
            .current_dir(dir.path())
            .args(["report", &incident, "--format", format, "-o"])
            .arg(&file)
            .assert()
            .success();
        let bytes = std::fs::read(&file).unwrap();
        let out: Value = serde_json::from_str(&common::smtp::run_python(READ, &bytes)).unwrap();
        read.push(out);
    }
    let after = today();
    let made_today = |text: &str| text.contains(&before) || text.contains(&after);
    let (word, excel) = (&read[0], &read[1]);
    let made = word["made"][0].as_str().unwrap();
    assert!(made_today(made), "Word 作成 {made}, today {after}");
    let created = word["created"].as_str().unwrap();
    let created_day = chrono::DateTime::parse_from_rfc3339(created)
        .map(|t| {
            t.with_timezone(&hikeshi::clock::jst())
                .format("%Y-%m-%d")
                .to_string()
        })
        .unwrap_or_else(|_| created.to_string());
    assert!(made_today(&created_day), "Word created {created}");
    let made = excel["made"][0].as_str().unwrap();
    assert!(made_today(made), "Excel 作成 {made}, today {after}");
    // The drill's own times are the scenario's: it began on 2026-11-27 at 22:00.
    assert!(
        word["text"].as_str().unwrap().contains("2026-11-27 22:00"),
        "{word}"
    );
    assert!(
        excel["text"].as_str().unwrap().contains("2026-11-27 22:00"),
        "{excel}"
    );
}

/// `check` of a scenario fills each post to the affected account with the scenario's values
/// (each fact at its longest in the story) and warns of one its platform would refuse, at the
/// scenario's platform; the stock scenarios have none.
#[test]
fn check_warns_of_a_post_the_scenarios_values_make_too_long() {
    let dir = tempfile::tempdir().unwrap();
    let stock = hikeshi::stock::EXERCISES
        .iter()
        .find(|f| f.text.contains("scenario: shelter-post-backlash"))
        .unwrap()
        .text;
    let long = stock.replacen(
        "        right_info: 市民体育館の避難所には15時からペットと一緒に避難できます",
        "        right_info: 市民体育館の避難所には15時からペットと一緒に避難できます。ケージやリード、ペットフード、トイレ用品などは各自で御用意ください。詳しくは防災担当課まで",
        1,
    );
    assert_ne!(stock, long);
    let path = dir.path().join("long.yaml");
    std::fs::write(&path, long).unwrap();
    let (out, diagnostics) = check_in(dir.path(), &path);
    assert!(out.status.success(), "a warning: {out:?}");
    let d = diagnostics
        .as_array()
        .unwrap()
        .iter()
        .find(|d| {
            d["problem"]["code"] == "post_too_long" && d["problem"]["step"] == "correction-post"
        })
        .unwrap_or_else(|| panic!("{diagnostics:#}"));
    assert_eq!(d["severity"], "warning");
    assert_eq!(d["problem"]["platform"], "X");
    assert!(d["problem"]["count"].as_u64().unwrap() > 280);
    assert_eq!(d["position"]["line"], 14, "{d}");
    // The stock scenarios: none.
    for file in hikeshi::stock::EXERCISES {
        let path = dir.path().join("stock.yaml");
        std::fs::write(&path, file.text).unwrap();
        let (_, diagnostics) = check_in(dir.path(), &path);
        let text = diagnostics.to_string();
        assert!(!text.contains("post_too_long"), "{}: {text}", file.name);
    }
}

/// `hikeshi check --json PATH` run in `dir`: the run and its diagnostics.
fn check_in(dir: &Path, path: &Path) -> (std::process::Output, Value) {
    let out = hikeshi()
        .current_dir(dir)
        .args(["check", "--json"])
        .arg(path)
        .output()
        .unwrap();
    let diagnostics = serde_json::from_slice(&out.stdout).unwrap();
    (out, diagnostics)
}
