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

/// The id of the incident a `start` made: the last part of the folder it prints last.
fn started_id(out: &std::process::Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let folder = stdout.lines().last().unwrap_or_default();
    folder
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .to_string()
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
            .replace('\\', "/")
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
            .replace('\\', "/")
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

/// `register remind` in `dir` at [`TIME`] with no config (the reminders outbox is the
/// delivery).
fn remind_to_outbox(dir: &Path, accounts: &Path, divisions: &Path) -> std::process::Output {
    hikeshi()
        .current_dir(dir)
        .env("HIKESHI_TIME", TIME)
        .env_remove("HIKESHI_CONFIG")
        .args(["register", "remind", "--accounts"])
        .arg(accounts)
        .arg("--divisions")
        .arg(divisions)
        .output()
        .unwrap()
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
    // Each attempt is recorded before it is made, then its outcome.
    assert_eq!(record.lines().count(), 4, "{record}");
    assert_eq!(record.matches("\"sent\":null").count(), 2, "{record}");
    let eml =
        std::fs::read_to_string(dir.path().join("reminders/outbox/20261207-0001.eml")).unwrap();
    assert!(eml.contains("MIME-Version: 1.0"), "{eml}");
    assert!(eml.contains("Auto-Submitted: auto-generated"), "{eml}");
    server.stop();

    // Without [smtp]: saved in the reminders outbox, which is the delivery.
    let other = tempfile::tempdir().unwrap();
    let out = remind_to_outbox(other.path(), &weak, &divisions);
    assert!(out.status.success(), "{out:?}");
    let saved: Vec<_> = std::fs::read_dir(other.path().join("reminders/outbox"))
        .unwrap()
        .collect();
    assert_eq!(saved.len(), 2);
}

/// An account that falls due after its division was reminded (a new account, months after
/// the 人事異動) is mailed then, not a year later; the division already reminded of the rest,
/// and the other division, are not mailed again for what they were told.
#[test]
fn an_account_due_after_the_reminder_is_mailed_then() {
    let dir = tempfile::tempdir().unwrap();
    let divisions = root().join("playbooks/divisions.yaml");
    let register = dir.path().join("accounts.yaml");
    let weak = std::fs::read_to_string(fixture("register/weak.yaml")).unwrap();
    std::fs::write(&register, &weak).unwrap();
    let remind = || remind_to_outbox(dir.path(), &register, &divisions);
    let first = remind();
    assert!(first.status.success(), "{first:?}");
    let outbox = dir.path().join("reminders/outbox");
    assert_eq!(std::fs::read_dir(&outbox).unwrap().count(), 2);
    // The same handle on another platform is another account, never reviewed.
    std::fs::write(
        &register,
        format!(
            "{weak}  - handle: \"@city_official\"\n    platform: instagram\n    division: 広報広聴課\n"
        ),
    )
    .unwrap();
    let second = remind();
    assert!(second.status.success(), "{second:?}");
    let text = String::from_utf8_lossy(&second.stdout);
    assert!(text.contains("広報広聴課: 送信しました"), "{text}");
    assert!(text.contains("観光交流課: 送信済み"), "{text}");
    let body = body_of(&outbox.join("20261207-0003.eml"));
    assert_eq!(body.matches("■ @city_official").count(), 2, "{body}");
    assert!(!outbox.join("20261207-0004.eml").exists());
    // Nothing new: nothing sent.
    let third = remind();
    assert!(third.status.success(), "{third:?}");
    assert!(String::from_utf8_lossy(&third.stdout).contains("広報広聴課: 送信済み"));
    assert!(!outbox.join("20261207-0004.eml").exists());
    // An account its division was told of falls due for a new reason (an administrator gone
    // from the directory): told again, of that.
    let grown = std::fs::read_to_string(&register).unwrap();
    std::fs::write(
        &register,
        grown.replace(
            "{name: 広報 三太, division: 広報広聴課}",
            "{name: 広報 退職, division: 広報広聴課}",
        ),
    )
    .unwrap();
    let fourth = remind();
    assert!(fourth.status.success(), "{fourth:?}");
    let text = String::from_utf8_lossy(&fourth.stdout);
    assert!(text.contains("広報広聴課: 送信しました"), "{text}");
    assert!(text.contains("観光交流課: 送信済み"), "{text}");
    assert!(body_of(&outbox.join("20261207-0004.eml")).contains("広報 退職"));
}

/// The text of a saved message, as a mail reader shows it.
fn body_of(eml: &Path) -> String {
    let bytes = std::fs::read(eml).unwrap();
    let parsed = mail_parser::MessageParser::default().parse(&bytes).unwrap();
    parsed.body_text(0).unwrap().to_string()
}

// --- The 一覧表 as filed: `register export` and `register import` (issue 29 item 3) ---

/// `hikeshi register ARGS` in `dir` at [`TIME`].
fn ledger(dir: &Path, args: &[&str]) -> std::process::Output {
    hikeshi()
        .current_dir(dir)
        .env("HIKESHI_TIME", TIME)
        .arg("register")
        .args(args)
        .output()
        .unwrap()
}

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The example register as its directory checks it, with each account's line (where it is
/// in the file, not what it says) set to 0.
fn loaded(register: &Path, divisions: &Path) -> hikeshi::register::Register {
    let limits = hikeshi::source::Limits::default();
    let directory_source = hikeshi::source::SourceFile::read(divisions, &limits).unwrap();
    let directory = hikeshi::directory::Directory::load(&directory_source, &limits).unwrap();
    let source = hikeshi::source::SourceFile::read(register, &limits).unwrap();
    let (mut register, _) = hikeshi::register::Register::load(&source, &directory, &limits)
        .unwrap_or_else(|d| panic!("{d:?}"));
    for a in &mut register.accounts {
        a.line = 0;
    }
    register
}

/// A city folder in a temporary directory: the example city's directory, no register.
fn city() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("playbooks")).unwrap();
    std::fs::copy(
        root().join("playbooks/divisions.yaml"),
        dir.path().join("playbooks/divisions.yaml"),
    )
    .unwrap();
    dir
}

/// The handles and administrators of the example register (the tests that read documents
/// back run Python, on Unix).
#[cfg(unix)]
const ACCOUNTS: [&str; 5] = [
    "@city_official",
    "@hikeshi_city_official",
    "https://www.facebook.com/city.official",
    "@city_bousai",
    "@city_event",
];
#[cfg(unix)]
const ADMINISTRATORS: [&str; 6] = [
    "広報 一郎（広報広聴課）",
    "広報 二葉（広報広聴課）",
    "防災 一子（防災危機管理課）",
    "防災 二郎（防災危機管理課）",
    "観光 一美（観光交流課）",
    "観光 二郎（観光交流課）",
];

/// The body of a .docx as python-docx reads it: paragraphs and tables, and the page.
#[cfg(unix)]
const READ_DOCX: &str = r#"
import io, sys, json
import docx
from docx.oxml.ns import qn
d = docx.Document(io.BytesIO(sys.stdin.buffer.read()))
s = d.sections[0]
body = []
for child in d.element.body.iterchildren():
    if child.tag == qn('w:p'):
        p = docx.text.paragraph.Paragraph(child, d)
        if p.text:
            body.append({"p": p.text, "style": p.style.name if p.style is not None else None})
    elif child.tag == qn('w:tbl'):
        t = docx.table.Table(child, d)
        body.append({"table": [[c.text for c in row.cells] for row in t.rows]})
print(json.dumps({"body": body, "orientation": str(s.orientation),
                  "width": s.page_width, "height": s.page_height,
                  "footer": [p.text for p in s.footer.paragraphs]}, ensure_ascii=False))
"#;

/// Every sheet of a workbook as openpyxl reads it, with its page setup.
#[cfg(unix)]
const READ_XLSX: &str = r#"
import io, sys, json, openpyxl
wb = openpyxl.load_workbook(io.BytesIO(sys.stdin.buffer.read()))
out = {}
for ws in wb.worksheets:
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    out[ws.title] = {"rows": rows, "freeze": ws.freeze_panes,
                     "orientation": ws.page_setup.orientation,
                     "paper": ws.page_setup.paperSize, "titles": ws.print_title_rows,
                     "formats": {c.coordinate: c.number_format for c in ws[8]}}
print(json.dumps({"sheets": wb.sheetnames, "data": out}, ensure_ascii=False))
"#;

#[test]
#[cfg(unix)] // python-docx
fn the_register_exports_as_a_valid_word_file_with_every_account_and_administrator() {
    let dir = tempfile::tempdir().unwrap();
    let out = ledger(dir.path(), &["export", "--format", "docx"]);
    assert!(out.status.success(), "{out:?}");
    let bytes = std::fs::read(dir.path().join("アカウント管理者一覧表.docx")).unwrap();
    common::ooxml::assert_valid_docx(&bytes);
    let doc: Value = serde_json::from_str(&common::smtp::run_python(READ_DOCX, &bytes)).unwrap();
    let text = doc.to_string();
    // A4 on its side.
    assert_eq!(doc["orientation"], "LANDSCAPE (1)", "{doc}");
    assert!(doc["width"].as_i64().unwrap() > doc["height"].as_i64().unwrap());
    let body = doc["body"].as_array().unwrap();
    // The 決裁欄 first, as the report has it, then 文書番号 and 日付, the organisation and
    // the title with the day.
    assert_eq!(
        body[0]["table"][0],
        serde_json::json!(["課長", "課長補佐", "係長", "担当"])
    );
    assert_eq!(body[1]["table"][0][0], "文書番号");
    assert_eq!(body[1]["table"][1][0], "日付");
    assert!(body.iter().any(|b| b["p"] == "例示市"), "{text}");
    assert!(
        body.iter().any(|b| b["p"]
            == "ソーシャルメディア アカウント管理者一覧表"
            && b["style"] == "Title"),
        "{text}"
    );
    assert!(text.contains("2026年12月7日現在"), "{text}");
    // One row per account, each with its administrators.
    let table = body
        .iter()
        .find_map(|b| {
            b["table"]
                .as_array()
                .filter(|t| t[0][1] == "媒体・アカウント")
        })
        .unwrap();
    assert_eq!(table.len(), 1 + ACCOUNTS.len(), "{table:?}");
    for (row, handle) in table.iter().skip(1).zip(ACCOUNTS) {
        assert!(row[1].as_str().unwrap().contains(handle), "{row}");
    }
    for admin in ADMINISTRATORS {
        assert!(text.contains(admin), "{admin}: {text}");
    }
    assert!(text.contains("ID 1234567890123456789"), "{text}");
    assert!(text.contains("セキュリティキー"), "{text}");
    assert!(text.contains("情報セキュリティ担当課のパスワード管理簿（封緘）"));
    assert!(
        doc["footer"][0]
            .as_str()
            .unwrap()
            .contains("アカウント管理者一覧表")
    );

    // In English with --lang en, under its own name.
    let out = hikeshi()
        .current_dir(dir.path())
        .env("HIKESHI_TIME", TIME)
        .args(["--lang", "en", "register", "export", "--format", "docx"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let bytes = std::fs::read(dir.path().join("account-register.docx")).unwrap();
    common::ooxml::assert_valid_docx(&bytes);
    let text = common::smtp::run_python(READ_DOCX, &bytes);
    for words in [
        "Social media account register",
        "Platform and account",
        "as of 2026-12-07",
        "Head",
    ] {
        assert!(text.contains(words), "{words}: {text}");
    }
    for handle in ACCOUNTS {
        assert!(text.contains(handle), "{handle}");
    }
    // An existing file is replaced only with --force.
    let again = ledger(dir.path(), &["export", "--format", "docx"]);
    assert!(!again.status.success());
    assert!(
        stderr_of(&again).contains("--force"),
        "{}",
        stderr_of(&again)
    );
}

#[test]
#[cfg(unix)] // openpyxl
fn the_register_exports_as_excel_one_row_per_account_below_the_approval_box() {
    let dir = tempfile::tempdir().unwrap();
    let out = ledger(
        dir.path(),
        &["export", "--format", "xlsx", "--out", "一覧表.xlsx"],
    );
    assert!(out.status.success(), "{out:?}");
    let bytes = std::fs::read(dir.path().join("一覧表.xlsx")).unwrap();
    let book: Value = serde_json::from_str(&common::smtp::run_python(READ_XLSX, &bytes)).unwrap();
    assert_eq!(
        book["sheets"],
        serde_json::json!(["アカウント管理者一覧表"])
    );
    let sheet = &book["data"]["アカウント管理者一覧表"];
    let rows = sheet["rows"].as_array().unwrap();
    assert_eq!(rows[0][0], "ソーシャルメディア アカウント管理者一覧表");
    assert_eq!(rows[1][0], "例示市");
    assert_eq!(rows[2][0], "2026年12月7日現在");
    // The 決裁欄 at the right of the title.
    let stamps: Vec<&Value> = rows[0].as_array().unwrap().iter().skip(14).collect();
    assert_eq!(stamps, ["課長", "課長補佐", "係長", "担当"]);
    assert_eq!(rows[3][0], "文書番号");
    assert_eq!(rows[4][0], "日付");
    // The header on row 7, printed on every page and frozen; one row per account.
    assert_eq!(rows[6][0], "媒体");
    assert_eq!(rows[6][5], "管理者");
    assert_eq!(sheet["freeze"], "A8");
    assert_eq!(sheet["titles"], "$7:$7");
    assert_eq!(sheet["orientation"], "landscape");
    assert_eq!(sheet["paper"], 9);
    assert_eq!(rows.len(), 7 + ACCOUNTS.len());
    for (row, handle) in rows.iter().skip(7).zip(ACCOUNTS) {
        assert_eq!(row[1], handle);
    }
    assert_eq!(rows[7][0], "X");
    assert_eq!(rows[7][2], "1234567890123456789", "the ID as text");
    assert_eq!(sheet["formats"]["C8"], "@");
    assert_eq!(
        rows[7][5], "広報 一郎（広報広聴課）\n広報 二葉（広報広聴課）",
        "administrators one a line"
    );
    let text = book.to_string();
    for admin in ADMINISTRATORS {
        assert!(text.contains(admin), "{admin}");
    }
    assert_eq!(rows[7][14], "運用中");
    assert_eq!(rows[7][15], "2026-04-10");
}

#[test]
fn an_exported_register_imports_back_as_it_was() {
    let original = root().join("playbooks/accounts.yaml");
    let divisions = root().join("playbooks/divisions.yaml");
    for lang in ["ja", "en"] {
        let dir = city();
        let out = hikeshi()
            .current_dir(dir.path())
            .env("HIKESHI_TIME", TIME)
            .args(["--lang", lang, "register", "export", "--format", "xlsx"])
            .args([
                "--accounts",
                original.to_str().unwrap(),
                "--out",
                "sheet.xlsx",
            ])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        let out = ledger(dir.path(), &["import", "sheet.xlsx"]);
        assert!(out.status.success(), "{lang}: {}", stderr_of(&out));
        let written = dir.path().join("playbooks/accounts.yaml");
        assert_eq!(
            loaded(&written, &divisions),
            loaded(&original, &divisions),
            "{lang}: {}",
            std::fs::read_to_string(&written).unwrap()
        );
        // It checks as the original does.
        let json = json_of(&register(dir.path(), &["--json"]));
        assert_eq!(json["findings"], serde_json::json!([]), "{json:#}");
    }
}

#[test]
fn an_import_keeps_the_register_s_settings_and_replaces_it_only_with_force() {
    let dir = city();
    // A city folder without a register exports none (it is not the example city's) …
    let out = ledger(dir.path(), &["export", "--format", "xlsx"]);
    assert!(!out.status.success());
    assert!(
        stderr_of(&out).contains("register init"),
        "{}",
        stderr_of(&out)
    );
    // … but the example city's sheet, named, is read into it.
    let example = root().join("playbooks/accounts.yaml");
    let out = ledger(
        dir.path(),
        &[
            "export",
            "--format",
            "xlsx",
            "--out",
            "sheet.xlsx",
            "--accounts",
            example.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{out:?}");
    let register = dir.path().join("playbooks/accounts.yaml");
    std::fs::write(
        &register,
        "personnel_change: \"03-15\"\ndormant_after_months: 3\ndomains: [city.example.jp]\naccounts: []\n",
    )
    .unwrap();
    let refused = ledger(dir.path(), &["import", "sheet.xlsx"]);
    assert!(!refused.status.success());
    assert!(
        stderr_of(&refused).contains("--force"),
        "{}",
        stderr_of(&refused)
    );
    // A dry run says what it would write, and writes nothing.
    let dry = ledger(dir.path(), &["import", "sheet.xlsx", "--dry-run"]);
    assert!(dry.status.success(), "{dry:?}");
    let said = String::from_utf8_lossy(&dry.stdout);
    assert!(said.contains("アカウント 5 件、読めない行 0 行"), "{said}");
    assert!(
        said.contains("@city_bousai（X、防災危機管理課、管理者 2 名）"),
        "{said}"
    );
    assert!(
        std::fs::read_to_string(&register)
            .unwrap()
            .contains("accounts: []")
    );
    let out = ledger(dir.path(), &["import", "sheet.xlsx", "--force"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    let divisions = dir.path().join("playbooks/divisions.yaml");
    let r = loaded(&register, &divisions);
    assert_eq!(r.personnel_change, (3, 15));
    assert_eq!(r.dormant_after_months, 3);
    assert_eq!(r.domains, ["city.example.jp"]);
    assert_eq!(r.accounts.len(), 5);
}

/// A city's own sheet, saved by Japanese Excel as CSV (cp932), with English and Japanese
/// headers and its own words.
#[test]
fn a_city_s_csv_in_shift_jis_is_read_with_its_own_headers_and_words() {
    let dir = city();
    let csv = "\
No.,SNS,ユーザー名,所管,管理者,二要素認証,パスワード保管場所,メール,状態,確認日,確認者,最終投稿,備考
1,Twitter,@city_official,広報広聴課,\"広報 一郎（広報広聴課）、広報 二葉\",アプリ,情報セキュリティ担当課の金庫,sns-koho@city.example.jp,運用,2026/4/10,広報広聴課長,2026年12月1日,メモ
";
    let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode(csv);
    std::fs::write(dir.path().join("一覧.csv"), &bytes).unwrap();
    let out = ledger(dir.path(), &["import", "一覧.csv"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    // Columns it does not read are named.
    let warned = stderr_of(&out);
    assert!(warned.contains("A列「No.」"), "{warned}");
    assert!(warned.contains("M列「備考」"), "{warned}");
    let r = loaded(
        &dir.path().join("playbooks/accounts.yaml"),
        &dir.path().join("playbooks/divisions.yaml"),
    );
    let a = &r.accounts[0];
    assert_eq!(a.handle, "@city_official");
    assert_eq!(a.platform, hikeshi::playbook::Platform::X);
    assert_eq!(a.administrators.len(), 2);
    assert_eq!(a.administrators[1].name, "広報 二葉");
    assert_eq!(
        a.administrators[1].division, "広報広聴課",
        "a name alone: the owner's"
    );
    assert_eq!(a.two_factor, Some(hikeshi::register::TwoFactor::App));
    assert_eq!(a.reviewed.as_ref().unwrap().on.to_string(), "2026-04-10");
    assert_eq!(a.last_post.unwrap().to_string(), "2026-12-01");
}

/// Each bad row named with its row, column and why; nothing written unless --skip-bad, and
/// then the rows that were read, with the bad ones still listed.
#[test]
fn each_bad_row_is_named_and_nothing_is_written_without_skip_bad() {
    let dir = city();
    let csv = "\
媒体,アカウント,所管課,管理者,二段階認証,パスワードの保管場所,復旧用メールアドレス,最終確認日,最終確認者
X,@city_official,広報広聴課,広報 一郎（広報広聴課）,認証アプリ,情報セキュリティ担当課の金庫,sns-koho@city.example.jp,2026-04-10,広報広聴課長
Mastodon,@city_m,広報広聴課,広報 一郎（広報広聴課）,,,,,
X,@city_bousai,防災危機管理,広報 一郎（広報広聴課）,,,,,
X,@city_event,観光交流課,（観光交流課）,たぶん,,,,
Instagram,@hikeshi_city_official,広報広聴課,広報 一郎（広報広聴課）,,Koho2024!x,sns-koho@@city,2026-13-01,
X,@City_Official,広報広聴課,広報 一郎（広報広聴課）,,,,,
";
    std::fs::write(dir.path().join("一覧.csv"), csv).unwrap();
    let register = dir.path().join("playbooks/accounts.yaml");
    let out = ledger(dir.path(), &["import", "一覧.csv"]);
    assert!(!out.status.success());
    let err = stderr_of(&out);
    for line in [
        "3行目 A列「媒体」: 媒体「Mastodon」が分かりません",
        "4行目 C列「所管課」: 所管課「防災危機管理」が連絡先（divisions.yaml）にありません（「防災危機管理課」の誤り？）",
        "5行目 D列「管理者」: 「（観光交流課）」を 氏名（所属課） として読めません",
        "5行目 E列「二段階認証」: 「たぶん」はこの列の値として分かりません",
        "6行目 F列「パスワードの保管場所」: 保管場所ではなくパスワード又はコードそのもののように見えます",
        "6行目 G列「復旧用メールアドレス」: メールアドレス「sns-koho@@city」を解釈できません",
        "6行目 H列「最終確認日」: 日付「2026-13-01」を解釈できません",
        "7行目 B列「アカウント」: このアカウントは 2行目にもあります",
        "読めない行が 5 行あるため、何も書き込んでいません",
    ] {
        assert!(err.contains(line), "{line}:\n{err}");
    }
    assert!(
        !err.contains("Koho2024!x"),
        "a secret is never echoed: {err}"
    );
    assert!(!register.exists(), "nothing written");
    // --skip-bad writes the row that was read.
    let out = ledger(dir.path(), &["import", "一覧.csv", "--skip-bad"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(stderr_of(&out).contains("3行目 A列「媒体」"));
    let r = loaded(&register, &dir.path().join("playbooks/divisions.yaml"));
    assert_eq!(r.accounts.len(), 1);
    assert_eq!(r.accounts[0].handle, "@city_official");
    assert!(
        !std::fs::read_to_string(&register)
            .unwrap()
            .contains("Koho2024")
    );
}

#[test]
fn a_sheet_with_a_password_column_is_refused_whole() {
    let dir = city();
    for header in ["パスワード", "Password", "リカバリーコード"] {
        let csv = format!(
            "媒体,アカウント,所管課,{header},管理者\nX,@city_official,広報広聴課,Koho2024!x,広報 一郎（広報広聴課）\n"
        );
        std::fs::write(dir.path().join("一覧.csv"), csv).unwrap();
        let out = ledger(dir.path(), &["import", "一覧.csv", "--skip-bad"]);
        assert!(!out.status.success(), "{header}");
        let err = stderr_of(&out);
        assert!(
            err.contains(&format!(
                "D「{header}」 はパスワード又はリカバリーコードそのものの列です"
            )),
            "{err}"
        );
        assert!(!err.contains("Koho2024"), "{err}");
        assert!(!dir.path().join("playbooks/accounts.yaml").exists());
    }
    // In English too.
    let out = hikeshi()
        .current_dir(dir.path())
        .args(["--lang", "en", "register", "import", "一覧.csv"])
        .output()
        .unwrap();
    assert!(
        stderr_of(&out).contains("is a column for passwords or recovery codes themselves"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn an_owner_the_directory_disagrees_with_is_named_by_row() {
    let dir = city();
    let csv = "媒体,アカウント,所管課,管理者\nX,@city_bousai,広報広聴課,広報 一郎（広報広聴課）\n";
    std::fs::write(dir.path().join("一覧.csv"), csv).unwrap();
    let out = ledger(dir.path(), &["import", "一覧.csv"]);
    assert!(!out.status.success());
    let err = stderr_of(&out);
    assert!(
        err.contains("2行目 C列「所管課」: 連絡先（divisions.yaml）ではこのアカウントを「防災危機管理課」が所管しています"),
        "{err}"
    );
    // A sheet without the header row names the columns it needs.
    std::fs::write(dir.path().join("一覧.csv"), "a,b\n1,2\n").unwrap();
    let out = ledger(dir.path(), &["import", "一覧.csv"]);
    assert!(
        stderr_of(&out).contains("見出しの行が見つかりません"),
        "{}",
        stderr_of(&out)
    );
}

/// A workbook of the city's own: the sheet named, its header below a title, a numeric ID
/// typed as a number (digits lost) and a reviewer without a day named by row and column.
#[test]
fn a_workbook_s_number_cells_and_half_reviews_are_named() {
    let dir = city();
    let mut book = rust_xlsxwriter::Workbook::new();
    book.add_worksheet().set_name("表紙").unwrap();
    let sheet = book.add_worksheet().set_name("令和8年度").unwrap();
    sheet.write_string(0, 0, "公式アカウント一覧").unwrap();
    for (c, h) in ["媒体", "アカウント", "所管課", "数値ID", "最終確認者"]
        .iter()
        .enumerate()
    {
        sheet.write_string(2, c as u16, *h).unwrap();
    }
    let row = ["X", "@city_official", "広報広聴課"];
    for (c, v) in row.iter().enumerate() {
        sheet.write_string(3, c as u16, *v).unwrap();
    }
    sheet
        .write_number(3, 3, 1_234_567_890_123_456_789.0)
        .unwrap();
    sheet.write_string(3, 4, "広報広聴課長").unwrap();
    book.save(dir.path().join("一覧.xlsx")).unwrap();
    let out = ledger(dir.path(), &["import", "一覧.xlsx", "--sheet", "令和8年度"]);
    assert!(!out.status.success());
    let err = stderr_of(&out);
    assert!(
        err.contains("4行目 D列「数値ID」: 数値として入力されているため桁が失われています"),
        "{err}"
    );
    assert!(
        err.contains("4行目 E列「最終確認者」: 最終確認日と最終確認者は両方書いてください"),
        "{err}"
    );
    let out = ledger(dir.path(), &["import", "一覧.xlsx", "--sheet", "なし"]);
    assert!(
        stderr_of(&out).contains("シート「なし」がありません（あるシート: 表紙、令和8年度）"),
        "{}",
        stderr_of(&out)
    );
}

/// The post-incident review proposes what the incident showed the register should now say
/// (the review done in it, two-factor set up again), and with --apply writes it into the
/// register, leaving the rest of the file as it was, and records it in the incident.
#[test]
fn an_incident_s_register_changes_are_proposed_applied_and_journalled() {
    let city = tempfile::tempdir().unwrap();
    std::fs::create_dir(city.path().join("playbooks")).unwrap();
    std::fs::copy(
        root().join("playbooks/divisions.yaml"),
        city.path().join("playbooks/divisions.yaml"),
    )
    .unwrap();
    let weak = std::fs::read_to_string(fixture("register/weak.yaml")).unwrap();
    std::fs::write(city.path().join("playbooks/accounts.yaml"), &weak).unwrap();
    let run = |args: &[&str]| {
        hikeshi()
            .current_dir(city.path())
            .env("HIKESHI_TIME", TIME)
            .env("HIKESHI_OPERATOR", "広報 一郎")
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&[
        "start",
        "unauthorized-access",
        "--account",
        "@city_official",
        "--platform",
        "x",
        "--divisions",
        "playbooks/divisions.yaml",
    ]);
    assert!(out.status.success(), "{out:?}");
    let id = started_id(&out);
    let out = run(&["register", "update", &id]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("一覧表に反映する変更はありません"),
        "{out:?}"
    );
    for step in ["enable-2fa", "review-admins"] {
        let out = run(&["done", &id, step, "--force", "--reason", "訓練で先に実施"]);
        assert!(out.status.success(), "{out:?}");
    }
    let out = run(&["register", "update", &id]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("@city_official: 見直しの記録（reviewed）を 2026-12-07（広報 一郎）にする — 手順 review-admins の完了"), "{text}");
    assert!(text.contains("--two-factor で方法を指定"), "{text}");
    // The method is not in the record: --apply needs it, and writes nothing without it.
    let out = run(&["register", "update", &id, "--apply"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--two-factor で指定してください"));
    assert_eq!(
        std::fs::read_to_string(city.path().join("playbooks/accounts.yaml")).unwrap(),
        weak
    );
    let out = run(&[
        "register",
        "update",
        &id,
        "--two-factor",
        "security-key",
        "--apply",
    ]);
    assert!(out.status.success(), "{out:?}");
    let written = std::fs::read_to_string(city.path().join("playbooks/accounts.yaml")).unwrap();
    assert!(
        written.contains("    two_factor: security_key\n"),
        "{written}"
    );
    assert!(
        written.contains("    reviewed: {on: \"2026-12-07\", by: \"広報 一郎\"}\n"),
        "{written}"
    );
    assert!(
        written.starts_with("# 弱い一覧表"),
        "comments kept: {written}"
    );
    assert_eq!(written.lines().count(), weak.lines().count(), "{written}");
    // The register judges the account again: no 2FA and review findings any more.
    let out = run(&["register", "check", "--json"]);
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let now = codes(&json, "@city_official");
    for gone in ["no_two_factor", "not_reviewed_since_personnel_change"] {
        assert!(!now.contains(&gone.to_string()), "{now:?}");
    }
    // The incident records it.
    let journal = std::fs::read_to_string(
        city.path()
            .join("incidents")
            .join(&id)
            .join("journal.jsonl"),
    )
    .unwrap();
    assert!(journal.contains("アカウント管理者一覧表"), "{journal}");
    assert!(journal.contains("two_factor"), "{journal}");
    // Applied once: nothing is left to propose.
    let out = run(&["register", "update", &id]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("一覧表に反映する変更はありません"),
        "{out:?}"
    );
    // A drill never changes the register.
    let out = run(&[
        "start",
        "unauthorized-access",
        "--account",
        "@city_official",
        "--platform",
        "x",
        "--divisions",
        "playbooks/divisions.yaml",
        "--exercise",
    ]);
    let drill = started_id(&out);
    let out = run(&["register", "update", &drill, "--apply"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("訓練の事案からはアカウント管理者一覧表を変更しません"),
        "{out:?}"
    );
}

/// One handle on two platforms (`@city` on X and Instagram) is two accounts: an incident
/// takes the facts of its own platform's, and without a platform, neither's.
#[test]
fn a_handle_on_two_platforms_is_told_apart_by_the_platform() {
    let city = tempfile::tempdir().unwrap();
    std::fs::create_dir(city.path().join("playbooks")).unwrap();
    std::fs::copy(
        root().join("playbooks/divisions.yaml"),
        city.path().join("playbooks/divisions.yaml"),
    )
    .unwrap();
    let register = std::fs::read_to_string(root().join("playbooks/accounts.yaml"))
        .unwrap()
        .replacen(
            "  - handle: \"@city_bousai\"",
            "  - handle: \"@city_official\"\n    platform: instagram\n    numeric_id: \"555\"\n    division: 広報広聴課\n\n  - handle: \"@city_bousai\"",
            1,
        );
    std::fs::write(city.path().join("playbooks/accounts.yaml"), register).unwrap();
    let numeric_id = |platform: Option<&str>| {
        let mut args = vec![
            "start",
            "unauthorized-access",
            "--account",
            "@city_official",
            "--divisions",
            "playbooks/divisions.yaml",
            "--exercise",
        ];
        if let Some(p) = platform {
            args.extend(["--platform", p]);
        }
        let out = hikeshi()
            .current_dir(city.path())
            .env("HIKESHI_TIME", TIME)
            .args(&args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        let id = started_id(&out);
        let status = hikeshi()
            .current_dir(city.path())
            .args(["status", "--json", &id])
            .output()
            .unwrap();
        let json: Value = serde_json::from_slice(&status.stdout).unwrap();
        json["facts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == "account_numeric_id")
            .map(|f| f["value"].clone())
            .unwrap_or(Value::Null)
    };
    assert_eq!(numeric_id(Some("instagram")), "555");
    assert_eq!(numeric_id(Some("x")), "1234567890123456789");
    assert!(numeric_id(None).is_null(), "ambiguous without a platform");
}

/// A list fact given empty at the start is refused, as any fact given empty.
#[test]
fn an_empty_list_value_at_the_start_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = hikeshi()
        .current_dir(dir.path())
        .env("HIKESHI_TIME", TIME)
        .args([
            "start",
            "impersonation",
            "--account",
            "@city_official",
            "--fact",
            "genuine_account=@city_official",
            "--fact",
            "fake_account=",
            "--exercise",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
}
/// A run cut off while delivering a reminder left its attempt recorded with no outcome: the
/// next run names it for someone to check and does not send it a second time.
#[test]
fn a_reminder_cut_off_mid_delivery_is_not_sent_twice() {
    let dir = tempfile::tempdir().unwrap();
    let weak = fixture("register/weak.yaml");
    let divisions = root().join("playbooks/divisions.yaml");
    let reminders = dir.path().join("reminders");
    std::fs::create_dir_all(reminders.join("outbox")).unwrap();
    std::fs::write(
        reminders.join("outbox/20261207-0001.eml"),
        "From: x\r\n\r\nsaved\r\n",
    )
    .unwrap();
    // The attempt for 広報広聴課, then a torn line (the crash).
    std::fs::write(
        reminders.join("sent.jsonl"),
        "{\"keys\":[\"review|広報広聴課|2026-04-01|x:@city_official|administrator-gone:異動 済男\",\"review|広報広聴課|2026-04-01|x:@city_official|not-reviewed\",\"review|広報広聴課|2026-04-01|instagram:@hikeshi_city_official|not-reviewed\",\"review|広報広聴課|2026-04-01|facebook:https://www.facebook.com/city.official|never-reviewed\"],\"to\":\"広報広聴課\",\"address\":\"koho@city.example.jp\",\"file\":\"outbox/20261207-0001.eml\",\"sha256\":\"0\",\"at\":\"2026-12-07T10:00:00+09:00\",\"sent\":null,\"transport\":null,\"detail\":\"\"}\n{\"key\":\"rev",
    )
    .unwrap();
    let out = remind_to_outbox(dir.path(), &weak, &divisions);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("広報広聴課: 前回の送信が途中で止まりました"),
        "{err}"
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("観光交流課: 送信しました"), "{text}");
    // The other division's reminder is a new file, numbered past the one there.
    assert!(reminders.join("outbox/20261207-0002.eml").is_file());
    let record = std::fs::read_to_string(reminders.join("sent.jsonl")).unwrap();
    // The torn line stays on its own; the new records follow on lines of their own.
    assert!(record.contains("{\"key\":\"rev\n{"), "{record}");
    assert_eq!(
        record.matches("\"to\":\"広報広聴課\"").count(),
        1,
        "not tried again: {record}"
    );
    // An account due since is news the cut-off reminder never carried: the division hears of
    // it (and, once more, of the rest).
    let grown = dir.path().join("accounts.yaml");
    std::fs::write(
        &grown,
        format!(
            "{}  - handle: \"@city_official\"\n    platform: instagram\n    division: 広報広聴課\n",
            std::fs::read_to_string(&weak).unwrap()
        ),
    )
    .unwrap();
    let out = remind_to_outbox(dir.path(), &grown, &divisions);
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("広報広聴課: 送信しました"), "{text}");
    assert!(reminders.join("outbox/20261207-0003.eml").is_file());
}
