//! The account register (アカウント管理者一覧表) through the command line: `hikeshi register
//! check` on the example city's, a town's with its own names, a deliberately weak one (every
//! readiness finding with the clause it cites) and a broken one (file, line and column).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;

use common::{fixture, hikeshi, root};
use serde_json::Value;

/// 2026-12-07 in Japan: after the 人事異動 of 2026-04-01.
const TIME: &str = "2026-12-07T10:00:00+09:00";

fn register(dir: &Path, args: &[&str]) -> std::process::Output {
    hikeshi()
        .current_dir(dir)
        .env("HIKESHI_TIME", TIME)
        .args(["register", "check"])
        .args(args)
        .output()
        .unwrap()
}

fn json_of(out: &std::process::Output) -> Value {
    assert!(out.status.success(), "{out:?}");
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The codes found for one account, in order.
fn codes(json: &Value, account: &str) -> Vec<String> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["account"] == account)
        .map(|f| f["shortfall"]["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_example_city_s_register_checks_clean_and_ready() {
    let dir = tempfile::tempdir().unwrap();
    // Outside a city folder: the embedded example register and directory.
    let out = register(dir.path(), &[]);
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("<embedded>/playbooks/accounts.yaml"),
        "{text}"
    );
    assert!(
        text.contains("@city_official（X、広報広聴課）: 不足なし"),
        "{text}"
    );
    assert!(text.contains("合計: 重大 0、要対応 0、軽微 0"), "{text}");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The repository's own playbooks folder is a city folder: the same register.
    let json = json_of(&register(&root(), &["--json"]));
    assert_eq!(json["accounts"], 5);
    assert_eq!(json["findings"], serde_json::json!([]));
}

#[test]
fn a_town_s_register_with_its_own_names_checks_clean() {
    let dir = tempfile::tempdir().unwrap();
    let json = json_of(&register(
        dir.path(),
        &[
            "--json",
            "--accounts",
            fixture("town/accounts.yaml").to_str().unwrap(),
        ],
    ));
    assert_eq!(json["accounts"], 5);
    assert!(
        json["divisions"]
            .as_str()
            .unwrap()
            .ends_with("town/divisions.yaml"),
        "the directory beside the register: {json}"
    );
    assert_eq!(json["findings"], serde_json::json!([]), "{json:#}");
}

/// One administrator, no 2FA, private recovery mail, dormant, not reviewed since the 人事異動,
/// a private device …: every finding, each with its clause; a closed account is not judged.
#[test]
fn a_weak_register_is_reported_with_every_finding_and_its_clause() {
    let dir = tempfile::tempdir().unwrap();
    let weak = fixture("register/weak.yaml");
    let divisions = root().join("playbooks/divisions.yaml");
    let args = [
        "--json",
        "--accounts",
        weak.to_str().unwrap(),
        "--divisions",
        divisions.to_str().unwrap(),
    ];
    let json = json_of(&register(dir.path(), &args));
    assert_eq!(json["last_personnel_change"], "2026-04-01");
    assert_eq!(
        codes(&json, "@city_official"),
        [
            "one_administrator",
            "administrator_not_in_directory",
            "no_two_factor",
            "recovery_mail_outside",
            "password_place_unknown",
            "not_reviewed_since_personnel_change",
            "dormant_and_open",
            "private_device",
            "numeric_id_unknown",
        ]
    );
    assert_eq!(
        codes(&json, "@hikeshi_city_official"),
        [
            "recovery_codes_not_kept",
            "not_reviewed_since_personnel_change",
            "dormant_and_open",
            "too_many_administrators",
            "two_factor_by_sms",
        ]
    );
    assert_eq!(
        codes(&json, "https://www.facebook.com/city.official"),
        [
            "no_administrator",
            "never_reviewed",
            "two_factor_unknown",
            "recovery_mail_unknown",
            "password_place_unknown",
        ]
    );
    assert_eq!(codes(&json, "@city_bousai"), Vec::<String>::new(), "closed");
    assert_eq!(
        codes(&json, "@city_event"),
        ["not_reviewed_since_personnel_change"]
    );
    // Each finding cites the clause that asks for it, with its words.
    let cites = |code: &str| -> Vec<String> {
        let f = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["shortfall"]["code"] == code)
            .unwrap_or_else(|| panic!("no {code}"));
        assert!(!f["text"].as_str().unwrap().is_empty());
        f["clauses"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                assert!(!c["words"].as_str().unwrap().is_empty(), "{c}");
                format!(
                    "{} {}",
                    c["source"].as_str().unwrap(),
                    c["clause"].as_str().unwrap()
                )
            })
            .collect()
    };
    assert_eq!(cites("one_administrator"), ["ube 4(1)"]);
    assert_eq!(cites("no_administrator"), ["ube 4(1)"]);
    assert_eq!(cites("too_many_administrators"), ["ube 4(1)"]);
    assert_eq!(
        cites("administrator_not_in_directory"),
        ["ube 4(4)", "ube 4(5)"]
    );
    assert_eq!(cites("no_two_factor"), ["ube 4(2)", "komoro 5(6)"]);
    assert_eq!(cites("two_factor_by_sms"), ["ube 4(2)", "komoro 5(6)"]);
    assert_eq!(cites("two_factor_unknown"), ["ube 4(2)", "komoro 5(6)"]);
    assert_eq!(
        cites("recovery_mail_outside"),
        ["nagareyama メールアドレス", "nagareyama 利用者ID"]
    );
    assert_eq!(
        cites("password_place_unknown"),
        ["ube 4(3)", "nagareyama パスワード", "mine-shakyo 4(4)"]
    );
    assert_eq!(
        cites("not_reviewed_since_personnel_change"),
        ["ube 4(4)", "ube 4(5)"]
    );
    assert_eq!(cites("never_reviewed"), ["ube 4(4)", "ube 4(5)"]);
    assert_eq!(cites("private_device"), ["nagareyama 利用媒体"]);
    for practice in [
        "dormant_and_open",
        "numeric_id_unknown",
        "recovery_codes_not_kept",
    ] {
        assert_eq!(cites(practice), ["practice "], "{practice}");
    }
    let severity = |code: &str| {
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["shortfall"]["code"] == code)
            .unwrap()["severity"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(severity("one_administrator"), "high");
    assert_eq!(severity("recovery_mail_outside"), "high");
    assert_eq!(severity("dormant_and_open"), "medium");
    assert_eq!(severity("numeric_id_unknown"), "low");

    // On the terminal: account by account, worst first, with the clause's words.
    let out = register(dir.path(), &args[1..]);
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("@city_official（X、広報広聴課）: 9 件"),
        "{text}"
    );
    assert!(
        text.contains("  重大  管理者が1名（異動 済男）だけです。"),
        "{text}"
    );
    assert!(
        text.contains("宇部市ソーシャルメディアの利用に関するガイドライン 4(1)「ユーザーアカウント管理者は原則2名とし"),
        "{text}"
    );
    assert!(
        text.contains("@city_bousai（X、防災危機管理課）: 閉鎖済み"),
        "{text}"
    );
    assert!(text.contains("合計: 重大 6、要対応 11、軽微 3"), "{text}");
    // --strict: a scheduled check fails on a 重大 finding.
    let mut strict = args[1..].to_vec();
    strict.push("--strict");
    assert_eq!(register(dir.path(), &strict).status.code(), Some(1));
    let en = hikeshi()
        .current_dir(dir.path())
        .env("HIKESHI_TIME", TIME)
        .args(["--lang", "en", "register", "check"])
        .args(&args[1..])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&en.stdout);
    assert!(
        text.contains("  high  one administrator only (異動 済男)"),
        "{text}"
    );
}

/// A file problem is named with file, line and column and stops the check; a password is
/// refused by its place and never printed.
#[test]
fn a_broken_register_is_refused_with_its_places_and_no_secret_is_echoed() {
    let dir = tempfile::tempdir().unwrap();
    let broken = fixture("register/broken.yaml");
    let divisions = root().join("playbooks/divisions.yaml");
    let out = hikeshi()
        .current_dir(dir.path())
        .env("HIKESHI_TIME", TIME)
        .args(["--lang", "en", "register", "check", "--accounts"])
        .arg(&broken)
        .arg("--divisions")
        .arg(&divisions)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    let file = broken.display().to_string();
    for (message, line, column) in [
        ("unknown division `広報公聴課`", 4, 15),
        (
            "the register must not hold a password or recovery codes (`password`)",
            5,
            15,
        ),
        (
            "is owned by `広報広聴課` in the register but by `観光交流課` in the directory (divisions.yaml)",
            8,
            15,
        ),
        (
            "the register must not hold a password or recovery codes (`password_kept`)",
            9,
            20,
        ),
        ("invalid date `2026/12/01`", 10, 16),
        (
            "duplicate account id `@City_Official` (first defined on line 2)",
            11,
            13,
        ),
    ] {
        let at = format!("{message}\n  --> {file}:{line}:{column}");
        assert!(err.contains(&at), "{at}\n{err}");
    }
    assert!(err.contains("did you mean `広報広聴課`?"), "{err}");
    // The unknown division is not also reported as a different owner.
    assert_eq!(err.matches("is owned by").count(), 1, "{err}");
    assert!(!err.contains("Koho2024"), "a secret is never echoed: {err}");
    // Accounts the directory lists and the register does not: warnings.
    assert!(
        err.contains("`防災危機管理課`'s official account `@city_bousai` (divisions.yaml) is not in the register"),
        "{err}"
    );
}

/// An administrator moved at the 人事異動: the directory's staff list no longer names them,
/// or their division is gone; the register still loads and says so.
#[test]
fn an_administrator_who_left_the_division_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let divisions = std::fs::read_to_string(root().join("playbooks/divisions.yaml"))
        .unwrap()
        .replace(
            "staff: [広報広聴課長, 広報 一郎, 広報 二葉, 広報 三太]",
            "staff: [広報広聴課長, 広報 二葉, 広報 三太, 広報 四郎]",
        );
    std::fs::write(dir.path().join("divisions.yaml"), divisions).unwrap();
    let accounts = std::fs::read_to_string(root().join("playbooks/accounts.yaml"))
        .unwrap()
        .replacen("division: 観光交流課\n    administrators:\n      - name: 観光 一美\n        division: 観光交流課", "division: 観光交流課\n    administrators:\n      - name: 観光 一美\n        division: 観光課", 1);
    std::fs::write(dir.path().join("accounts.yaml"), accounts).unwrap();
    let json = json_of(&register(
        dir.path(),
        &["--json", "--accounts", "accounts.yaml"],
    ));
    let moved: Vec<(String, String)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["shortfall"]["code"] == "administrator_not_in_directory")
        .map(|f| {
            (
                f["account"].as_str().unwrap().to_string(),
                f["shortfall"]["name"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        moved,
        [
            ("@city_official".to_string(), "広報 一郎".to_string()),
            (
                "@hikeshi_city_official".to_string(),
                "広報 一郎".to_string()
            ),
            (
                "https://www.facebook.com/city.official".to_string(),
                "広報 一郎".to_string()
            ),
            ("@city_event".to_string(), "観光 一美".to_string()),
        ]
    );
}

/// A town folder of its own is never judged by the example's register: `register check` says
/// to make one, `register init` makes it from the town's directory (each account with its
/// owner, the rest to fill in, every gap then a finding), and refuses to replace it.
#[test]
fn a_town_makes_its_first_register_from_its_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let run = |cwd: &Path, args: &[&str]| {
        hikeshi()
            .current_dir(cwd)
            .env("HIKESHI_TIME", TIME)
            .args(["--lang", "en"])
            .args(args)
            .output()
            .unwrap()
    };
    assert!(run(tmp.path(), &["init", "town"]).status.success());
    let town = tmp.path().join("town");
    std::fs::copy(
        fixture("town/divisions.yaml"),
        town.join("playbooks/divisions.yaml"),
    )
    .unwrap();
    let out = run(&town, &["register", "check"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("no account register at playbooks/accounts.yaml; `hikeshi register init`"),
        "{out:?}"
    );
    assert!(run(&town, &["register", "init"]).status.success());
    let written = std::fs::read_to_string(town.join("playbooks/accounts.yaml")).unwrap();
    assert!(
        written.contains("# 架空町 ソーシャルメディア アカウント管理者一覧表"),
        "{written}"
    );
    assert!(
        !written.contains("広報広聴課"),
        "the town's names only: {written}"
    );
    let out = run(&town, &["register", "check", "--json"]);
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["accounts"], 5, "{json}");
    assert_eq!(
        codes(&json, "@kakuu_town"),
        [
            "no_administrator",
            "never_reviewed",
            "two_factor_unknown",
            "recovery_mail_unknown",
            "password_place_unknown",
            "numeric_id_unknown",
        ]
    );
    // `hikeshi check` reads it too (as the register, not as a playbook).
    let out = run(&town, &["check"]);
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("account register, 5 accounts"));
    let again = run(&town, &["register", "init"]);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists; use --force"));
}

/// An incident on a registered account starts with what the register knows, as facts the
/// takeover playbook shows where they are needed; a value given wins; an account the register
/// does not hold takes nothing; a register that cannot be read never stops the start.
#[test]
fn an_incident_on_a_registered_account_starts_with_its_facts() {
    let dir = tempfile::tempdir().unwrap();
    let start = |cwd: &Path, extra: &[&str]| {
        hikeshi()
            .current_dir(cwd)
            .env("HIKESHI_TIME", TIME)
            .args(["start", "unauthorized-access", "--platform", "x"])
            .args(extra)
            .output()
            .unwrap()
    };
    let facts_of = |cwd: &Path| -> serde_json::Map<String, Value> {
        let incidents = std::fs::read_dir(cwd.join("incidents")).unwrap();
        let id = incidents
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .max()
            .unwrap();
        let out = hikeshi()
            .current_dir(cwd)
            .env("HIKESHI_TIME", TIME)
            .args(["status", "--json", &id])
            .output()
            .unwrap();
        let json: Value = serde_json::from_slice(&out.stdout).unwrap();
        json["facts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| (f["name"].as_str().unwrap().to_string(), f["value"].clone()))
            .collect()
    };
    let out = start(
        dir.path(),
        &[
            "--account",
            "@city_official",
            "--fact",
            "account_numeric_id=42",
        ],
    );
    assert!(out.status.success(), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(
            "アカウント管理者一覧表から記録: account_admins, recovery_email, recovery_phone, linked_apps, registered_two_factor"
        ),
        "{out:?}"
    );
    let facts = facts_of(dir.path());
    assert_eq!(facts["account_numeric_id"], "42", "the value given wins");
    assert_eq!(
        facts["account_admins"],
        "広報 一郎（広報広聴課）\n広報 二葉（広報広聴課）"
    );
    assert_eq!(facts["recovery_email"], "sns-koho@city.example.jp");
    assert_eq!(facts["registered_two_factor"], "security_key");

    // A city folder whose register is broken: said, and the start goes on without it.
    let city = tempfile::tempdir().unwrap();
    std::fs::create_dir(city.path().join("playbooks")).unwrap();
    std::fs::copy(
        root().join("playbooks/divisions.yaml"),
        city.path().join("playbooks/divisions.yaml"),
    )
    .unwrap();
    std::fs::write(
        city.path().join("playbooks/accounts.yaml"),
        "accounts:\n  - handle: \"@city_official\"\n    platform: x\n    division: 無い課\n",
    )
    .unwrap();
    let out = start(
        city.path(),
        &[
            "--account",
            "@city_official",
            "--divisions",
            "playbooks/divisions.yaml",
        ],
    );
    assert!(out.status.success(), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("アカウント管理者一覧表に問題があるため"),
        "{out:?}"
    );
    assert!(facts_of(city.path())["account_admins"].is_null());
    // An account the register does not hold takes nothing from it.
    let out = start(dir.path(), &["--account", "@city_kanko_old", "--exercise"]);
    assert!(out.status.success(), "{out:?}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("一覧表から記録"));
}

/// After the 人事異動 each division whose accounts are due for review gets one mail naming
/// what to review (over a real SMTP server); a second run sends nothing again; with no
/// [smtp] the reminder is saved in the reminders outbox. Every attempt is recorded.
#[test]
#[cfg(unix)] // a real SMTP server (aiosmtpd)
fn reminders_reach_each_division_once() {
    use common::smtp::{Security, SmtpServer, free_port};
    let dir = tempfile::tempdir().unwrap();
    let weak = fixture("register/weak.yaml");
    let divisions = root().join("playbooks/divisions.yaml");
    let server = SmtpServer::start(dir.path(), free_port(), Security::Plain, None);
    let config = dir.path().join("hikeshi.toml");
    std::fs::write(
        &config,
        format!(
            "[smtp]\nhost = \"127.0.0.1\"\nport = {}\ntls = \"none\"\nfrom = \"koho@city.example.jp\"\ntimeout_secs = 20\n",
            server.port
        ),
    )
    .unwrap();
    let remind = |extra: &[&str]| {
        hikeshi()
            .current_dir(dir.path())
            .env("HIKESHI_TIME", TIME)
            .env("HIKESHI_CONFIG", &config)
            .args(["register", "remind", "--accounts"])
            .arg(&weak)
            .arg("--divisions")
            .arg(&divisions)
            .args(extra)
            .output()
            .unwrap()
    };
    let dry = remind(&["--dry-run"]);
    assert!(dry.status.success(), "{dry:?}");
    assert!(String::from_utf8_lossy(&dry.stdout).contains("（--dry-run: 送信していません）"));
    assert!(!dir.path().join("reminders").exists());
    let out = remind(&[]);
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("広報広聴課: 送信しました"), "{text}");
    assert!(text.contains("観光交流課: 送信しました"), "{text}");
    let mail = server.wait_for(2);
    assert_eq!(mail.len(), 2);
    let koho = mail
        .iter()
        .find(|m| m["to"].as_str().unwrap().contains("koho@city.example.jp"))
        .unwrap();
    let body = koho["body"].as_str().unwrap();
    assert!(body.starts_with("広報広聴課 御中"), "{body}");
    assert!(body.contains("2026-04-01 の人事異動の後"), "{body}");
    for account in [
        "■ @city_official",
        "■ @hikeshi_city_official",
        "■ https://www.facebook.com/city.official",
    ] {
        assert!(body.contains(account), "{body}");
    }
    assert!(
        body.contains("・管理者が1名（異動 済男）だけです。"),
        "{body}"
    );
    assert!(!body.contains("@city_bousai"), "a closed account: {body}");
    // Once: the second run sends nothing.
    let again = remind(&[]);
    assert!(again.status.success(), "{again:?}");
    assert!(String::from_utf8_lossy(&again.stdout).contains("広報広聴課: 送信済み"));
    assert_eq!(server.messages().len(), 2);
    let record = std::fs::read_to_string(dir.path().join("reminders/sent.jsonl")).unwrap();
    assert_eq!(record.lines().count(), 2, "{record}");
    let eml =
        std::fs::read_to_string(dir.path().join("reminders/outbox/20261207-0001.eml")).unwrap();
    assert!(eml.contains("MIME-Version: 1.0"), "{eml}");
    assert!(eml.contains("Auto-Submitted: auto-generated"), "{eml}");
    server.stop();

    // Without [smtp]: saved in the reminders outbox, which is the delivery.
    let other = tempfile::tempdir().unwrap();
    let out = hikeshi()
        .current_dir(other.path())
        .env("HIKESHI_TIME", TIME)
        .env_remove("HIKESHI_CONFIG")
        .args(["register", "remind", "--accounts"])
        .arg(&weak)
        .arg("--divisions")
        .arg(&divisions)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let saved: Vec<_> = std::fs::read_dir(other.path().join("reminders/outbox"))
        .unwrap()
        .collect();
    assert_eq!(saved.len(), 2);
}
