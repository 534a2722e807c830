//! Notifications end to end: the real binary, a real SMTP server (aiosmtpd) on 127.0.0.1,
//! and a real mail parser (Python's email package) reading what arrived.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::PathBuf;

use common::smtp::free_port;
// The SMTP server and the mail parser are Python (aiosmtpd, the email package): Unix only.
#[cfg(unix)]
use common::smtp::{Security, SmtpServer, parse_mail};
use common::{fixture, hikeshi};
use serde_json::Value;

/// Friday 22:05 JST: out of office hours.
const NIGHT: &str = "2026-11-20T22:05:00+09:00";

struct Case {
    dir: tempfile::TempDir,
    incident: PathBuf,
    config: Option<PathBuf>,
    env: Vec<(String, String)>,
}

impl Case {
    fn start(extra: &[&str]) -> Case {
        Case::start_with(&fixture("mail/playbook.yaml"), extra)
    }

    /// Starts an incident of `playbook` (with the divisions.yaml beside it), detect done.
    fn start_with(playbook: &std::path::Path, extra: &[&str]) -> Case {
        let dir = tempfile::tempdir().unwrap();
        let output = hikeshi()
            .current_dir(dir.path())
            .env("HIKESHI_TIME", NIGHT)
            .env("HIKESHI_OPERATOR", "田中")
            .args(["start"])
            .arg(playbook)
            .args(["--title", "公式X乗っ取り", "--account", "@city_official"])
            .args(["--platform", "x"])
            .args(extra)
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        let last = String::from_utf8(output.stdout).unwrap();
        let incident = dir.path().join(last.lines().last().unwrap());
        let case = Case {
            dir,
            incident,
            config: None,
            env: Vec::new(),
        };
        case.ok(&["done", "INC", "detect"]);
        case
    }

    fn configure(&mut self, toml: &str) {
        let path = self.dir.path().join("hikeshi.toml");
        std::fs::write(&path, toml).unwrap();
        self.config = Some(path);
    }

    #[cfg(unix)]
    fn smtp(&mut self, server: &SmtpServer, tls: &str, extra: &str) {
        let host = if tls == "none" {
            "127.0.0.1"
        } else {
            "localhost"
        };
        let ca = server
            .ca
            .as_ref()
            .map(|p| format!("ca_file = \"{}\"\n", p.display()))
            .unwrap_or_default();
        self.configure(&format!(
            "[smtp]\nhost = \"{host}\"\nport = {}\ntls = \"{tls}\"\nfrom = \"koho@city.example.jp\"\ntimeout_secs = 20\n{ca}{extra}",
            server.port
        ));
    }

    /// Runs hikeshi; `INC` in the arguments stands for the incident folder.
    fn run_at(&self, time: &str, args: &[&str]) -> std::process::Output {
        let mut cmd = hikeshi();
        cmd.current_dir(self.dir.path())
            .env("HIKESHI_TIME", time)
            .env("HIKESHI_OPERATOR", "田中");
        if let Some(config) = &self.config {
            cmd.env("HIKESHI_CONFIG", config);
        }
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        common::run_on(cmd, &self.incident, args)
    }

    fn run(&self, args: &[&str]) -> std::process::Output {
        self.run_at(NIGHT, args)
    }

    fn ok(&self, args: &[&str]) -> String {
        common::succeeded(args, self.run(args))
    }

    fn outbox(&self) -> Value {
        let out = self.ok(&["outbox", "INC", "--json"]);
        serde_json::from_str(&out).unwrap()
    }

    fn message_state(&self, number: u64) -> Value {
        self.outbox()["messages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["number"] == number)
            .cloned()
            .unwrap()
    }

    fn step_status(&self, step: &str) -> String {
        let out = self.ok(&["status", "INC", "--json"]);
        let v: Value = serde_json::from_str(&out).unwrap();
        v["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == step)
            .map(|s| s["status"].as_str().unwrap().to_string())
            .unwrap()
    }

    fn eml_files(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.incident.join("outbox"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        files
    }

    fn journal(&self) -> String {
        std::fs::read_to_string(self.incident.join("journal.jsonl")).unwrap()
    }
}

#[cfg(unix)]
fn rcpt(m: &Value) -> &str {
    m["rcpt_to"].as_str().unwrap()
}

#[cfg(unix)]
fn find<'a>(messages: &'a [Value], to: &str) -> &'a Value {
    messages
        .iter()
        .find(|m| rcpt(m) == to)
        .unwrap_or_else(|| panic!("no message to {to} in {messages:#?}"))
}

#[test]
fn with_no_setup_mail_goes_to_the_outbox_and_the_step_is_done() {
    let case = Case::start(&[]);
    let out = case.ok(&["notify", "INC", "first-report"]);
    assert!(
        out.contains(&format!(
            "3 通を送信します（{}）",
            common::native("outbox/")
        )),
        "{out}"
    );
    assert!(out.contains("完了（全員に送達）: first-report"), "{out}");
    assert_eq!(case.step_status("first-report"), "done");
    let files = case.eml_files();
    assert_eq!(files.len(), 3, "{files:?}");
    // RFC 2045 §4: every message says it is MIME, or a receiver may ignore its charset.
    for file in &files {
        let raw = std::fs::read(file).unwrap();
        let head = &raw[..raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap_or(raw.len())];
        assert!(
            String::from_utf8_lossy(head)
                .split("\r\n")
                .any(|line| line == "MIME-Version: 1.0"),
            "{}: no MIME-Version",
            file.display()
        );
    }
    // Read back by Python's email package (Unix only).
    #[cfg(unix)]
    {
        let paths: Vec<&std::path::Path> = files.iter().map(PathBuf::as_path).collect();
        let mail = parse_mail(&paths);
        let first = &mail[0];
        assert_eq!(
            plain(&first["subject"]),
            "【第一報】公式X乗っ取り（@city_official）広報広聴課御中"
        );
        assert!(first["to"].as_str().unwrap().contains("広報広聴課"));
        assert!(
            first["from"]
                .as_str()
                .unwrap()
                .contains("例示市（hikeshi）")
        );
        let body = first["body"].as_str().unwrap();
        assert!(
            body.contains("例示市のXアカウント @city_official"),
            "{body}"
        );
        assert!(body.contains("送信日時: 2026-11-20 22:05"), "{body}");
        assert!(body.contains("報告者: 田中"), "{body}");
        let id = case.incident.file_name().unwrap().to_str().unwrap();
        assert!(body.contains(&format!("事案番号: {id}")), "{body}");
        assert_eq!(first["date"], "Fri, 20 Nov 2026 22:05:00 +0900");
        assert_eq!(first["incident"], id);
        assert!(first["exercise"].is_null());
        assert_eq!(first["defects"], serde_json::json!([]));
        for m in &mail {
            assert_eq!(m["mime_version"], "1.0", "{m}");
        }
        // One thread: every later message answers the first.
        let root = first["message_id"].as_str().unwrap();
        for m in &mail[1..] {
            assert_eq!(m["in_reply_to"], root);
            assert_eq!(m["references"], root);
            assert_ne!(m["message_id"], root);
        }
    }
    let journal = case.journal();
    assert_eq!(journal.matches("\"notification_queued\"").count(), 3);
    assert_eq!(journal.matches("\"notification_sent\"").count(), 3);
    assert!(journal.contains("\"transport\":\"file\""));
    // Each message carries its own reply code in its subject, recorded with it.
    let messages = case.outbox()["messages"].as_array().unwrap().clone();
    let codes: std::collections::BTreeSet<String> = messages
        .iter()
        .map(|m| {
            let code = m["reply_code"].as_str().unwrap().to_string();
            assert!(
                m["subject"]
                    .as_str()
                    .unwrap()
                    .ends_with(&format!(" [{code}]")),
                "{m}"
            );
            assert!(journal.contains(&format!("\"reply_code\":\"{code}\"")));
            code
        })
        .collect();
    assert_eq!(codes.len(), 3, "{codes:?}");
    // Sending the same step again is refused: it is done.
    let again = case.run(&["notify", "INC", "first-report"]);
    assert_eq!(again.status.code(), Some(1));
}

/// 所属長, 投稿管理者 and 発信管理者 are often one person: recipients of a step that share an
/// address (whatever its case) get one message, addressed by all their names, and all count
/// as told.
#[test]
fn recipients_at_one_address_get_one_message() {
    let folder = tempfile::tempdir().unwrap();
    let playbook = folder.path().join("playbook.yaml");
    std::fs::copy(fixture("mail/playbook.yaml"), &playbook).unwrap();
    let divisions = std::fs::read_to_string(fixture("mail/divisions.yaml"))
        .unwrap()
        .replace("hasshin@city.example.jp", "KOHO@city.example.jp");
    std::fs::write(folder.path().join("divisions.yaml"), divisions).unwrap();
    let case = Case::start_with(&playbook, &[]);
    let out = case.ok(&["notify", "INC", "first-report"]);
    assert!(out.contains("2 通を送信します"), "{out}");
    assert!(out.contains("完了（全員に送達）: first-report"), "{out}");
    assert_eq!(case.eml_files().len(), 2);
    let messages = case.outbox()["messages"].as_array().unwrap().clone();
    let koho = messages.iter().find(|m| m["to"] == "広報広聴課").unwrap();
    assert_eq!(koho["also"], serde_json::json!(["発信管理者"]), "{koho}");
    assert!(
        koho["subject"]
            .as_str()
            .unwrap()
            .contains("広報広聴課・発信管理者御中"),
        "{koho}"
    );
    assert!(case.journal().contains("\"also\":[\"発信管理者\"]"));
}

#[test]
fn done_on_a_notify_step_points_to_notify_unless_forced() {
    let case = Case::start(&[]);
    let out = case.run(&["done", "INC", "first-report"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("hikeshi notify INCIDENT first-report"),
        "{err}"
    );
    case.ok(&[
        "done",
        "INC",
        "first-report",
        "--force",
        "--reason",
        "全員に電話で伝えた",
    ]);
    assert_eq!(case.step_status("first-report"), "done");
    assert!(case.eml_files().is_empty());
}

#[test]
fn dry_run_prints_the_exact_messages_and_sends_nothing() {
    let case = Case::start(&[]);
    let before = case.journal();
    let out = case.ok(&["notify", "INC", "first-report", "--dry-run"]);
    assert!(
        out.contains("件名: 【第一報】公式X乗っ取り（@city_official）情報政策課御中"),
        "{out}"
    );
    assert!(out.contains("Subject: =?utf-8?"), "{out}");
    assert!(
        out.contains("Date: Fri, 20 Nov 2026 22:05:00 +0900"),
        "{out}"
    );
    assert_eq!(out.matches("=====").count(), 6, "three messages: {out}");
    assert_eq!(case.journal(), before);
    assert!(case.eml_files().is_empty());
    // A step that is not ready says so, as the real command would.
    let out = case.run(&["notify", "INC", "second-report", "--dry-run"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
#[cfg(unix)] // a real SMTP server (aiosmtpd)
fn smtp_delivers_one_message_per_recipient_with_japanese_intact() {
    let mut case = Case::start(&[]);
    let server = SmtpServer::start(case.dir.path(), free_port(), Security::Plain, None);
    case.smtp(&server, "none", "");
    let out = case.ok(&["notify", "INC", "first-report"]);
    assert!(out.contains(&format!("127.0.0.1:{}", server.port)), "{out}");
    let mail = server.wait_for(3);
    assert_eq!(mail.len(), 3);
    for (to, name) in [
        ("koho@city.example.jp", "広報広聴課"),
        ("joho@city.example.jp", "情報政策課"),
        ("hasshin@city.example.jp", "発信管理者"),
    ] {
        let m = find(&mail, to);
        assert_eq!(
            plain(&m["subject"]),
            format!("【第一報】公式X乗っ取り（@city_official）{name}御中")
        );
        assert!(m["to"].as_str().unwrap().starts_with(name), "{m}");
        assert!(
            m["body"]
                .as_str()
                .unwrap()
                .starts_with(&format!("{name} 御中"))
        );
        assert_eq!(m["charset"], "utf-8");
        // RFC 2045 §4, as the server received it.
        assert_eq!(m["mime_version"], "1.0", "{m}");
    }
    // The message sent is the message saved: same Message-ID as the .eml in outbox/.
    let files = case.eml_files();
    let paths: Vec<&std::path::Path> = files.iter().map(PathBuf::as_path).collect();
    let saved = parse_mail(&paths);
    let sent_ids: Vec<&Value> = mail.iter().map(|m| &m["message_id"]).collect();
    for s in &saved {
        assert!(sent_ids.contains(&&s["message_id"]));
    }
    assert_eq!(case.step_status("first-report"), "done");
    let report = case.outbox();
    assert_eq!(report["undelivered"], 0);
    assert!(
        report["messages"][0]["reply"]
            .as_str()
            .unwrap()
            .starts_with("250")
    );
    // Later mail of the incident joins the same thread.
    case.ok(&["skip", "INC", "tell-mayor", "--reason", "不要"]);
    let out = case.run(&["notify", "INC", "second-report"]);
    // 危機管理課's server answers 451 first (see tests/support/smtpd.py).
    assert_eq!(out.status.code(), Some(1));
    case.ok(&["outbox", "INC", "--retry"]);
    let mail = server.wait_for(4);
    let second = find(&mail, "tempfail-kiki@city.example.jp");
    let root = saved[0]["message_id"].as_str().unwrap();
    assert_eq!(second["in_reply_to"], root);
}

#[test]
#[cfg(unix)] // a real SMTP server (aiosmtpd)
fn starttls_with_a_municipal_ca_and_a_login_keeps_the_password_out_of_every_file() {
    const PASSWORD: &str = "Sup3r-Secret-Pa55word-4402";
    let mut case = Case::start(&[]);
    let server = SmtpServer::start(
        case.dir.path(),
        free_port(),
        Security::StartTls,
        Some(&format!("koho:{PASSWORD}")),
    );
    case.smtp(
        &server,
        "starttls",
        "username = \"koho\"\npassword_env = \"TEST_SMTP_PASSWORD\"\n",
    );
    // Without the password in the environment: a clear error, and nothing queued.
    let before = case.journal();
    let out = case.run(&["notify", "INC", "first-report"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("TEST_SMTP_PASSWORD"), "{err}");
    assert_eq!(case.journal(), before);
    // With it: delivered over STARTTLS, the server's certificate checked against the CA.
    case.env
        .push(("TEST_SMTP_PASSWORD".into(), PASSWORD.into()));
    case.ok(&["notify", "INC", "first-report"]);
    assert_eq!(server.wait_for(3).len(), 3);
    // A wrong password is a permanent failure, shown, and the password is in no file.
    case.env[0].1 = "wrong-password".into();
    case.ok(&["skip", "INC", "tell-mayor", "--reason", "不要"]);
    let out = case.run(&["notify", "INC", "second-report"]);
    assert_eq!(out.status.code(), Some(1));
    let m = case.message_state(4);
    assert_eq!(m["state"], "failed_permanent", "{m}");
    for entry in common::files_under(case.dir.path()) {
        if entry.starts_with(&server.maildir) {
            continue;
        }
        let bytes = std::fs::read(&entry).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains(PASSWORD),
            "{} holds the password",
            entry.display()
        );
        assert!(!text.contains("wrong-password"), "{}", entry.display());
    }
}

#[test]
#[cfg(unix)] // a real SMTP server (aiosmtpd)
fn implicit_tls() {
    let mut case = Case::start(&[]);
    let server = SmtpServer::start(case.dir.path(), free_port(), Security::Smtps, None);
    case.smtp(&server, "tls", "");
    case.ok(&["notify", "INC", "first-report"]);
    assert_eq!(server.wait_for(3).len(), 3);
    // Without the municipal CA the certificate does not verify: a permanent failure.
    let mut bare = Case::start(&[]);
    bare.configure(&format!(
        "[smtp]\nhost = \"localhost\"\nport = {}\ntls = \"tls\"\nfrom = \"koho@city.example.jp\"\n",
        server.port
    ));
    let out = bare.run(&["notify", "INC", "first-report"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(bare.message_state(1)["state"], "failed_permanent");
    assert_eq!(server.messages().len(), 3);
}

#[test]
#[cfg(unix)] // a real SMTP server (aiosmtpd)
fn a_server_that_is_down_gets_the_mail_once_it_is_up() {
    let mut case = Case::start(&[]);
    let port = free_port();
    let dir = case.dir.path().to_path_buf();
    case.configure(&format!(
        "[smtp]\nhost = \"127.0.0.1\"\nport = {port}\ntls = \"none\"\nfrom = \"koho@city.example.jp\"\n"
    ));
    let out = case.run(&["notify", "INC", "first-report"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("未送達の通知が 3 通"), "{err}");
    let m = case.message_state(1);
    assert_eq!(m["state"], "failed");
    assert_eq!(m["attempts"], 1);
    assert_eq!(m["next_retry"], "2026-11-20T22:05:15+09:00");
    assert_eq!(case.step_status("first-report"), "ready");
    let listing = case.ok(&["outbox", "INC"]);
    assert!(listing.contains("未送達 3"), "{listing}");
    assert!(
        listing.contains("送信失敗（1 回、2026-11-20 22:05:15 に再送）"),
        "{listing}"
    );

    let server = SmtpServer::start(&dir, port, Security::Plain, None);
    let out = case.ok(&["outbox", "INC", "--retry"]);
    assert!(out.contains("3 通を再送します"), "{out}");
    assert_eq!(server.wait_for(3).len(), 3);
    assert_eq!(case.step_status("first-report"), "done");
    // Nothing is sent twice.
    let out = case.ok(&["outbox", "INC", "--retry"]);
    assert!(out.contains("0 通を再送します"), "{out}");
    assert_eq!(server.messages().len(), 3);
    assert_eq!(case.message_state(2)["attempts"], 1);
}

#[test]
#[cfg(unix)] // a real SMTP server (aiosmtpd)
fn a_4xx_is_retried_and_a_5xx_stays_failed_until_someone_calls() {
    let mut case = Case::start(&[]);
    let server = SmtpServer::start(case.dir.path(), free_port(), Security::Plain, None);
    case.smtp(&server, "none", "");
    // 550: permanent, visible, not retried by itself.
    let out = case.run(&["notify", "INC", "tell-mayor"]);
    assert_eq!(out.status.code(), Some(1));
    let m = case.message_state(1);
    assert_eq!(m["state"], "failed_permanent");
    assert!(m["last_error"].as_str().unwrap().contains("550"), "{m}");
    assert!(m["next_retry"].is_null());
    let listing = case.ok(&["outbox", "INC"]);
    assert!(listing.contains("再送しない"), "{listing}");
    // The operator's retry tries it again, and it fails again.
    let out = case.run(&["outbox", "INC", "--retry"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(case.message_state(1)["attempts"], 2);
    // 451: transient, retried.
    case.ok(&["notify", "INC", "first-report"]);
    let out = case.run(&["notify", "INC", "second-report"]);
    assert_eq!(out.status.code(), Some(1));
    let m = case.message_state(5);
    assert_eq!(m["state"], "failed");
    assert!(m["last_error"].as_str().unwrap().contains("451"), "{m}");
    case.run(&["outbox", "INC", "--retry"]);
    assert_eq!(case.message_state(5)["state"], "sent");
    assert_eq!(case.step_status("second-report"), "done");
    assert!(find(&server.messages(), "tempfail-kiki@city.example.jp").is_object());
    // 秘書課 is phoned instead: out of hours, the night number is the one to call.
    let out = case.ok(&["call", "INC", "秘書課"]);
    assert!(out.contains("→ いま掛ける番号: 090-0000-4444"), "{out}");
    // What the call will count as told, before it is made.
    assert!(
        out.contains("この電話で伝えたことになる通知:\n    #1 秘書課に伝える\n"),
        "{out}"
    );
    assert!(out.contains("--note"), "{out}");
    let out = case.ok(&["call", "INC", "秘書課", "--note", "秘書課長に電話で伝達"]);
    assert!(out.contains("完了（全員に連絡済み）: tell-mayor"), "{out}");
    assert_eq!(case.message_state(1)["state"], "called");
    assert_eq!(case.outbox()["undelivered"], 0);
    assert!(case.journal().contains("\"number\":\"090-0000-4444\""));
    // An unknown division gets a suggestion.
    let out = case.run(&["call", "INC", "秘書"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("秘書課"));
}

#[test]
#[cfg(unix)] // a real SMTP server (aiosmtpd)
fn a_send_cut_off_by_a_crash_is_delivered_exactly_once_after_a_restart() {
    use common::StartAgain as _;
    let mut case = Case::start(&[]);
    // A server that accepts the connection and never answers: the send hangs.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    case.configure(&format!(
        "[smtp]\nhost = \"127.0.0.1\"\nport = {port}\ntls = \"none\"\nfrom = \"koho@city.example.jp\"\ntimeout_secs = 120\n"
    ));
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin!("hikeshi"))
        .current_dir(case.dir.path())
        .env("HIKESHI_TIME", NIGHT)
        .env("HIKESHI_CONFIG", case.config.as_ref().unwrap())
        .arg("notify")
        .arg(&case.incident)
        .arg("first-report")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn_again()
        .unwrap();
    // Once the three messages are journalled as queued, the process is killed mid-send.
    let start = std::time::Instant::now();
    while case.journal().matches("notification_queued").count() < 3 {
        assert!(start.elapsed().as_secs() < 30, "nothing was queued");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    drop(silent);
    assert_eq!(case.outbox()["undelivered"], 3);

    let server = SmtpServer::start(case.dir.path(), free_port(), Security::Plain, None);
    case.smtp(&server, "none", "");
    case.ok(&["outbox", "INC", "--retry"]);
    case.ok(&["outbox", "INC", "--retry"]);
    let mail = server.wait_for(3);
    assert_eq!(mail.len(), 3, "each message exactly once");
    let mut ids: Vec<&str> = mail
        .iter()
        .map(|m| m["message_id"].as_str().unwrap())
        .collect();
    ids.dedup();
    assert_eq!(ids.len(), 3);
    case.ok(&["verify", "INC"]);
    assert_eq!(case.step_status("first-report"), "done");
}

#[test]
#[cfg(unix)] // a real SMTP server (aiosmtpd)
fn exercise_mail_is_always_marked() {
    let mut case = Case::start(&["--exercise"]);
    let server = SmtpServer::start(case.dir.path(), free_port(), Security::Plain, None);
    case.smtp(&server, "none", "");
    case.ok(&["notify", "INC", "first-report"]);
    for m in server.wait_for(3) {
        assert!(
            m["subject"]
                .as_str()
                .unwrap()
                .starts_with("【訓練】【第一報】"),
            "{m}"
        );
        assert_eq!(m["exercise"], "yes");
        assert!(m["body"].as_str().unwrap().starts_with("【訓練】"), "{m}");
    }
}

#[test]
fn iso_2022_jp_for_old_mail_systems() {
    let mut case = Case::start(&[]);
    case.configure("[mail]\ncharset = \"iso-2022-jp\"\nfrom = \"koho@city.example.jp\"\n");
    case.ok(&["notify", "INC", "first-report"]);
    let files = case.eml_files();
    let raw = std::fs::read_to_string(&files[0]).unwrap();
    assert!(
        raw.to_ascii_lowercase().contains("charset=iso-2022-jp"),
        "{raw}"
    );
    assert!(raw.contains("=?ISO-2022-JP?B?"), "{raw}");
    assert!(raw.split("\r\n").any(|l| l == "MIME-Version: 1.0"), "{raw}");
    assert!(raw.is_ascii());
    // Read back by Python's email package (Unix only).
    #[cfg(unix)]
    {
        let paths: Vec<&std::path::Path> = files.iter().map(PathBuf::as_path).collect();
        let mail = parse_mail(&paths);
        let first = find_subject(&mail, "広報広聴課御中");
        assert_eq!(
            plain(&first["subject"]),
            "【第一報】公式X乗っ取り（@city_official）広報広聴課御中"
        );
        assert_eq!(first["charset"], "iso-2022-jp");
        assert!(first["body"].as_str().unwrap().contains("報告者: 田中"));
        assert!(first["to"].as_str().unwrap().starts_with("広報広聴課"));
    }
}

#[cfg(unix)]
fn find_subject<'a>(mail: &'a [Value], ending: &str) -> &'a Value {
    mail.iter()
        .find(|m| plain(&m["subject"]).ends_with(ending))
        .unwrap()
}

/// A subject without its reply code, which must be there: `件名 [HK-7H3K9Q2M]` → `件名`.
#[cfg(unix)]
fn plain(subject: &Value) -> String {
    let subject = subject.as_str().unwrap();
    let (text, code) = subject
        .rsplit_once(" [")
        .unwrap_or_else(|| panic!("{subject}"));
    let code = code.strip_suffix(']').unwrap();
    assert!(code.starts_with("HK-") && code.len() == 11, "{subject}");
    text.to_string()
}

#[test]
fn acknowledgements_and_overdue_ones_that_need_a_call() {
    let case = Case::start(&[]);
    case.ok(&["notify", "INC", "first-report"]);
    let out = case.ok(&["ack", "INC", "#1", "--by", "佐藤課長"]);
    assert!(out.contains("#1（広報広聴課宛て）佐藤課長"), "{out}");
    // ack_within: 30m. At 22:36 the other two have not acknowledged: call them.
    let later = "2026-11-20T22:36:00+09:00";
    let out = case.run_at(later, &["outbox", "INC", "--json"]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["needs_call"], 2);
    let flags: Vec<bool> = report["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["needs_call"].as_bool().unwrap())
        .collect();
    assert_eq!(flags, [false, true, true]);
    assert_eq!(report["messages"][0]["acknowledged_by"], "佐藤課長");
    let listing = String::from_utf8(case.run_at(later, &["outbox", "INC"]).stdout).unwrap();
    assert!(listing.contains("確認なし・要電話"), "{listing}");
    // A call settles it.
    let out = case.run_at(
        later,
        &["call", "INC", "情報政策課", "--note", "当直に伝達"],
    );
    assert!(out.status.success());
    let out = case.run_at(later, &["outbox", "INC", "--json"]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["needs_call"], 1);
    // Bad message numbers are refused.
    for bad in ["#9", "abc"] {
        let out = case.run(&["ack", "INC", bad, "--by", "佐藤"]);
        assert_eq!(out.status.code(), Some(1));
    }
}

/// Issue 25 (11): `ack` names the message and its recipient, takes the recipient instead of
/// a number (refusing when that is ambiguous), and a wrong acknowledgement is withdrawn with a
/// reason: the message is unacknowledged again, and needs a call again once overdue.
#[test]
fn ack_names_the_recipient_and_a_wrong_one_is_withdrawn() {
    let case = Case::start(&[]);
    case.ok(&["notify", "INC", "first-report"]);
    // By recipient: their one delivered, unacknowledged message.
    let out = case.ok(&["ack", "INC", "情報政策課", "--by", "山田"]);
    assert!(out.contains("#2（情報政策課宛て）山田"), "{out}");
    // A second acknowledgement of the same message is refused, pointing to --withdraw.
    let out = case.run(&["ack", "INC", "2", "--by", "鈴木"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("山田 の受領確認が記録済み"), "{err}");
    assert!(err.contains("--withdraw"), "{err}");
    // The withdrawal needs a reason (clap says so) and is journalled.
    let out = case.run(&["ack", "INC", "2", "--withdraw"]);
    assert_eq!(out.status.code(), Some(2));
    let out = case.ok(&[
        "ack",
        "INC",
        "情報政策課",
        "--withdraw",
        "--reason",
        "広報広聴課の確認を取り違えた",
    ]);
    assert!(out.contains("#2（情報政策課宛て、山田 の確認）"), "{out}");
    assert!(
        case.journal()
            .contains("\"kind\":\"acknowledgement_withdrawn\"")
    );
    let later = "2026-11-20T22:36:00+09:00";
    let out = case.run_at(later, &["outbox", "INC", "--json"]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["messages"][1]["acknowledged_by"], Value::Null);
    assert_eq!(report["messages"][1]["needs_call"], true);
    // Nothing left to withdraw.
    let out = case.run(&["ack", "INC", "2", "--withdraw", "--reason", "x"]);
    assert_eq!(out.status.code(), Some(1));
    // A second round of mail: a recipient with two messages in question is named by number.
    case.ok(&["reopen", "INC", "first-report", "--reason", "続報"]);
    case.ok(&["notify", "INC", "first-report"]);
    let out = case.run(&["ack", "INC", "情報政策課", "--by", "山田"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("情報政策課宛ての通知が複数あります（#2, #5）"),
        "{err}"
    );
    let out = case.ok(&["ack", "INC", "#5", "--by", "山田"]);
    assert!(out.contains("#5（情報政策課宛て）山田"), "{out}");
}

#[test]
fn line_breaks_never_reach_a_mail_header() {
    // Operator input.
    let dir = tempfile::tempdir().unwrap();
    let out = hikeshi()
        .current_dir(dir.path())
        .args(["start", "unauthorized-access", "--account"])
        .arg("@x\r\nBcc: attacker@example.com")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--account"), "{err}");
    assert!(
        !dir.path().join("incidents").exists()
            || common::files_under(&dir.path().join("incidents")).is_empty()
    );
    // A playbook's subject.
    let playbook = dir.path().join("playbook.yaml");
    let text = std::fs::read_to_string(fixture("mail/playbook.yaml"))
        .unwrap()
        .replace(
            "subject: \"【第二報】{{title}}\"",
            "subject: \"【第二報】\\r\\nBcc: attacker@example.com\"",
        );
    std::fs::write(&playbook, text).unwrap();
    std::fs::copy(
        fixture("mail/divisions.yaml"),
        dir.path().join("divisions.yaml"),
    )
    .unwrap();
    let (diagnostics, code) = common::check_json(&playbook);
    assert_eq!(code, 1);
    assert!(
        diagnostics
            .iter()
            .any(|d| d["problem"]["code"] == "control_in_header" && d["position"]["line"] == 32),
        "{diagnostics:#?}"
    );
    // An address in divisions.yaml.
    let divisions = dir.path().join("divisions.yaml");
    let text = std::fs::read_to_string(&divisions)
        .unwrap()
        .replace("koho@city.example.jp", "koho@@city.example.jp");
    std::fs::write(&divisions, text).unwrap();
    let (diagnostics, _) = common::check_json(&divisions);
    assert!(
        diagnostics
            .iter()
            .any(|d| d["problem"]["code"] == "bad_email"),
        "{diagnostics:#?}"
    );
}

#[test]
fn a_broken_config_is_reported_with_its_line() {
    let mut case = Case::start(&[]);
    case.configure("[smtp]\nhost = \"x\"\nport = \"five\"\nfrom = \"a@b.jp\"\n");
    let before = case.journal();
    let out = case.run(&["notify", "INC", "first-report"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("hikeshi.toml") && err.contains("line 3"),
        "{err}"
    );
    assert_eq!(case.journal(), before);
    // A config named but missing is an error too, not a silent default.
    case.config = Some(case.dir.path().join("missing.toml"));
    let out = case.run(&["outbox", "INC"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.toml"));
}

#[test]
fn a_closed_incident_sends_nothing_more() {
    let mut case = Case::start(&[]);
    case.configure(&format!(
        "[smtp]\nhost = \"127.0.0.1\"\nport = {}\ntls = \"none\"\nfrom = \"koho@city.example.jp\"\n",
        free_port()
    ));
    assert_eq!(
        case.run(&["notify", "INC", "first-report"]).status.code(),
        Some(1)
    );
    case.ok(&["close", "INC", "--force", "--reason", "訓練のため中断"]);
    let out = case.ok(&["outbox", "INC", "--retry"]);
    assert!(out.contains("0 通を再送します"), "{out}");
    assert!(out.contains("送信中止（訓練のため中断）"), "{out}");
    let m = case.message_state(1);
    assert_eq!(m["state"], "cancelled", "{m}");
    assert_eq!(m["attempts"], 1);
    assert_eq!(case.outbox()["undelivered"], 0);
    assert!(case.journal().contains("\"undelivered\":[1,2,3]"));
}

#[test]
fn forcing_a_notify_step_stops_its_queued_mail() {
    let mut case = Case::start(&[]);
    case.configure(&format!(
        "[smtp]\nhost = \"127.0.0.1\"\nport = {}\ntls = \"none\"\nfrom = \"koho@city.example.jp\"\n",
        free_port()
    ));
    assert_eq!(
        case.run(&["notify", "INC", "tell-mayor"]).status.code(),
        Some(1)
    );
    // Told by phone instead: the step is forced, and its queued message is not sent any more.
    case.ok(&[
        "done",
        "INC",
        "tell-mayor",
        "--force",
        "--reason",
        "秘書課に電話で伝えた",
    ]);
    let m = case.message_state(1);
    assert_eq!(m["state"], "cancelled");
    assert_eq!(m["cancelled_reason"], "秘書課に電話で伝えた");
    assert_eq!(case.outbox()["undelivered"], 0);
    let out = case.ok(&["outbox", "INC", "--retry"]);
    assert!(out.contains("0 通を再送します"), "{out}");
}

#[test]
fn a_login_over_an_unencrypted_connection_is_refused() {
    let mut case = Case::start(&[]);
    case.configure(
        "[smtp]\nhost = \"smtp.city.example.jp\"\ntls = \"none\"\nfrom = \"koho@city.example.jp\"\nusername = \"koho\"\n",
    );
    case.env.push(("HIKESHI_SMTP_PASSWORD".into(), "pw".into()));
    let before = case.journal();
    let out = case.run(&["notify", "INC", "first-report"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("starttls"));
    assert_eq!(case.journal(), before);
    // Reading the outbox needs no working login.
    case.ok(&["outbox", "INC"]);
}

/// Two people retry the outbox at the same moment (two PCs, one incident): each message
/// reaches the server once, and both commands end knowing every message was delivered.
#[test]
#[cfg(unix)] // a real SMTP server (aiosmtpd)
fn two_retries_at_once_deliver_each_message_once() {
    let mut case = Case::start(&[]);
    // Queued while the server is down: every message failed and waits for a retry.
    let port = free_port();
    case.configure(&format!(
        "[smtp]\nhost = \"127.0.0.1\"\nport = {port}\ntls = \"none\"\nfrom = \"koho@city.example.jp\"\n"
    ));
    let out = case.run(&["notify", "INC", "first-report"]);
    assert_eq!(out.status.code(), Some(1));
    let queued = case.outbox()["messages"].as_array().unwrap().len();
    assert!(queued >= 2, "{queued}");
    let server = SmtpServer::start(case.dir.path(), port, Security::Plain, None);
    case.smtp(&server, "none", "");
    for _ in 0..3 {
        let outputs: Vec<std::process::Output> = std::thread::scope(|s| {
            let retries: Vec<_> = (0..2)
                .map(|_| s.spawn(|| case.run(&["outbox", "INC", "--retry"])))
                .collect();
            retries.into_iter().map(|r| r.join().unwrap()).collect()
        });
        for out in &outputs {
            assert!(out.status.success(), "{out:?}");
        }
    }
    let mail = server.messages();
    assert_eq!(mail.len(), queued, "{mail:#?}");
    let mut ids: Vec<&str> = mail
        .iter()
        .map(|m| m["message_id"].as_str().unwrap())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), queued);
    assert_eq!(case.outbox()["undelivered"], 0);
    hikeshi()
        .arg("verify")
        .arg(&case.incident)
        .assert()
        .success();
}

/// Issue 25 (12, 13): what others still owe (an approval asked by mail, an acknowledgement)
/// shows in `status` (text and JSON), the handover summary and the report, and goes once
/// answered; a notify step done by its mail is credited to who sent it; the report's overview
/// names everyone who recorded an act.
#[test]
fn what_others_still_owe_shows_in_status_handover_and_report() {
    let mut case = Case::start_with(&fixture("mail/approval.yaml"), &[]);
    case.ok(&["notify", "INC", "first-report"]);
    case.ok(&["fact", "INC", "fake=@city_0fficial"]);
    case.ok(&["request-approval", "INC", "notice"]);
    let status = |case: &Case| -> Value {
        serde_json::from_str(&case.ok(&["status", "INC", "--json"])).unwrap()
    };
    let step = |v: &Value, id: &str| -> Value {
        v["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id)
            .cloned()
            .unwrap()
    };
    let v = status(&case);
    let first = step(&v, "first-report");
    assert_eq!(first["done_by"], "田中", "{first}");
    assert_eq!(first["unacknowledged"][0]["message"], 1, "{first}");
    assert_eq!(first["unacknowledged"][0]["to"], "広報広聴課", "{first}");
    let notice = step(&v, "notice");
    assert_eq!(notice["awaiting_approval"]["message"], 2, "{notice}");
    assert_eq!(notice["awaiting_approval"]["to"], "発信管理者", "{notice}");
    assert_eq!(notice["unacknowledged"], serde_json::json!([]), "{notice}");
    let text = case.ok(&["status", "INC"]);
    assert!(
        text.contains("承認待ち: 承認依頼 #2（発信管理者宛て"),
        "{text}"
    );
    assert!(text.contains("受領未確認: #1 広報広聴課"), "{text}");
    // The handover summary carries it to the next person.
    case.ok(&["handover", "INC", "--to", "鈴木"]);
    let journal = case.journal();
    assert!(journal.contains("返事を待っているもの"), "{journal}");
    assert!(journal.contains("承認待ち: 承認依頼 #2"), "{journal}");
    // 高橋 records the acknowledgement from another PC; the approval is given in person.
    case.env = vec![("HIKESHI_OPERATOR".into(), "高橋".into())];
    case.ok(&["ack", "INC", "1", "--by", "広報課長"]);
    case.env.clear();
    case.ok(&["approve", "INC", "notice", "--by", "佐藤"]);
    let v = status(&case);
    assert_eq!(
        step(&v, "first-report")["unacknowledged"],
        serde_json::json!([])
    );
    assert_eq!(step(&v, "notice")["awaiting_approval"], Value::Null);
    let text = case.ok(&["status", "INC"]);
    assert!(
        !text.contains("承認待ち") && !text.contains("受領未確認"),
        "{text}"
    );
    let report: Value =
        serde_json::from_str(&case.ok(&["report", "INC", "--format", "json", "-o", "-"])).unwrap();
    let operators = &report["overview"]["operators"];
    assert_eq!(
        operators,
        &serde_json::json!(["田中", "鈴木", "高橋"]),
        "{operators}"
    );
}

/// A PC whose clock is more than two minutes behind the journal's last event (written by a
/// PC whose clock is ahead) could not record a delivery: it sends nothing, says by how much
/// its clock is behind, and each message reaches the server once, when a PC whose clock is
/// right retries (not once per attempt of the PC behind).
#[test]
#[cfg(unix)] // a real SMTP server (aiosmtpd)
fn a_clock_behind_the_journal_sends_nothing_it_could_not_record() {
    let mut case = Case::start(&[]);
    // Queued while the server is down, on a PC whose clock says 22:05.
    let port = free_port();
    case.configure(&format!(
        "[smtp]\nhost = \"127.0.0.1\"\nport = {port}\ntls = \"none\"\nfrom = \"koho@city.example.jp\"\n"
    ));
    let out = case.run(&["notify", "INC", "first-report"]);
    assert_eq!(out.status.code(), Some(1));
    let queued = case.outbox()["messages"].as_array().unwrap().len();
    assert!(queued >= 2, "{queued}");
    let server = SmtpServer::start(case.dir.path(), port, Security::Plain, None);
    case.smtp(&server, "none", "");
    // Another PC, its clock 10 minutes behind, retries three times.
    const BEHIND: &str = "2026-11-20T21:55:00+09:00";
    let before = case.journal();
    for _ in 0..3 {
        let out = case.run_at(BEHIND, &["outbox", "INC", "--retry"]);
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("10 分 遅れているため送信しません"),
            "{stderr}"
        );
        // Not announced as a retry first.
        assert!(
            !String::from_utf8_lossy(&out.stdout).contains("再送します"),
            "{out:?}"
        );
    }
    assert_eq!(server.messages().len(), 0, "{:#?}", server.messages());
    assert_eq!(case.journal(), before);
    // The PC whose clock is right delivers each message once.
    let out = case.run_at("2026-11-20T22:06:00+09:00", &["outbox", "INC", "--retry"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(server.wait_for(queued).len(), queued);
    assert_eq!(case.outbox()["undelivered"], 0);
    hikeshi()
        .arg("verify")
        .arg(&case.incident)
        .assert()
        .success();
}

/// The screen opened on a PC whose clock is behind the journal delivers nothing (opening it,
/// its one-second ticks, R) and says why; the messages stay queued for a PC whose clock is
/// right.
#[test]
#[cfg(unix)] // a real SMTP server (aiosmtpd) and a real terminal (tmux)
fn the_screen_on_a_clock_behind_the_journal_sends_nothing() {
    let mut case = Case::start(&[]);
    let port = free_port();
    case.configure(&format!(
        "[smtp]\nhost = \"127.0.0.1\"\nport = {port}\ntls = \"none\"\nfrom = \"koho@city.example.jp\"\n"
    ));
    let out = case.run(&["notify", "INC", "first-report"]);
    assert_eq!(out.status.code(), Some(1));
    // A PC whose clock is ahead writes a note at 22:30; the retries (due at 22:05:15) are
    // due on a PC whose clock says 22:20, but their outcome could not be recorded there.
    common::succeeded(
        &["note"],
        case.run_at("2026-11-20T22:30:00+09:00", &["note", "INC", "メモ"]),
    );
    let server = SmtpServer::start(case.dir.path(), port, Security::Plain, None);
    case.smtp(&server, "none", "");
    let before = case.journal();
    let tmux = common::tmux::Tmux::new(case.dir.path(), case.dir.path());
    let bin = assert_cmd::cargo::cargo_bin!("hikeshi");
    tmux.type_line(&format!(
        "HIKESHI_OPERATOR=田中 HIKESHI_TIME=2026-11-20T22:20:00+09:00 HIKESHI_CONFIG={} {} tui {}",
        case.config.as_ref().unwrap().display(),
        bin.display(),
        case.incident.display()
    ));
    tmux.wait_for("10 分 遅れているため送信しません");
    // R (send every undelivered message now) is refused the same way, and says so again.
    tmux.keys(&["Escape"]);
    tmux.wait_gone("遅れているため");
    tmux.keys(&["R"]);
    tmux.wait_for("10 分 遅れているため送信しません");
    tmux.keys(&["q"]);
    tmux.wait_for("記録は保存されています");
    assert_eq!(server.messages().len(), 0, "{:#?}", server.messages());
    assert_eq!(case.journal(), before);
}
