//! Replies count: the real binary reads a real IMAP server (Dovecot) and records the replies
//! that answer its messages as the repliers' own acts; every bad reply changes nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg(unix)] // Dovecot and Python's imaplib: the test server runs on Unix only

mod common;

use std::path::PathBuf;

use common::imap::{ImapServer, PASSWORD, Reply};
use common::{fixture, hikeshi};
use serde_json::Value;

const NIGHT: &str = "2026-11-20T22:05:00+09:00";

struct Case {
    dir: tempfile::TempDir,
    incident: PathBuf,
}

impl Case {
    /// An incident whose first report went out (to the outbox) to three divisions.
    fn start(server: &ImapServer, tls: &str) -> Case {
        Case::start_with(server, tls, "mail/playbook.yaml")
    }

    /// An incident of the fixture `playbook` whose first report went out (to the outbox).
    fn start_with(server: &ImapServer, tls: &str, playbook: &str) -> Case {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("hikeshi.toml"),
            format!(
                "[mail]\nfrom = \"koho@city.example.jp\"\n{}",
                server.config(tls)
            ),
        )
        .unwrap();
        let output = hikeshi()
            .current_dir(dir.path())
            .env("HIKESHI_TIME", NIGHT)
            .env("HIKESHI_OPERATOR", "田中")
            .args(["start"])
            .arg(fixture(playbook))
            .args(["--title", "公式X乗っ取り", "--account", "@city_official"])
            .args(["--platform", "x"])
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        let last = String::from_utf8(output.stdout).unwrap();
        let incident = dir.path().join(last.lines().last().unwrap());
        let case = Case { dir, incident };
        case.ok(&["done", "INC", "detect"]);
        case.ok(&["notify", "INC", "first-report"]);
        case
    }

    fn run(&self, args: &[&str]) -> std::process::Output {
        let mut cmd = hikeshi();
        cmd.current_dir(self.dir.path())
            .env("HIKESHI_TIME", NIGHT)
            .env("HIKESHI_OPERATOR", "田中")
            .env("HIKESHI_CONFIG", self.dir.path().join("hikeshi.toml"))
            .env("TEST_IMAP_PASSWORD", PASSWORD)
            .args(["--lang", "en"]);
        common::run_on(cmd, &self.incident, args)
    }

    fn ok(&self, args: &[&str]) -> String {
        common::succeeded(args, self.run(args))
    }

    fn message(&self, number: u64) -> Value {
        let out: Value = serde_json::from_str(&self.ok(&["outbox", "INC", "--json"])).unwrap();
        out["messages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["number"] == number)
            .cloned()
            .unwrap()
    }

    fn journal(&self) -> String {
        std::fs::read_to_string(self.incident.join("journal.jsonl")).unwrap()
    }

    /// Everything the incident wrote, as text.
    fn everything(&self) -> String {
        let mut all = String::new();
        for entry in common::files_under(&self.incident) {
            all.push_str(&String::from_utf8_lossy(&std::fs::read(entry).unwrap()));
        }
        all
    }
}

#[test]
fn an_acknowledgement_by_reply_is_the_repliers_own_act_and_counts_once() {
    let server = ImapServer::start(std::path::Path::new("."));
    let case = Case::start(&server, "starttls");
    let first = case.message(1);
    server.append(&Reply::to(&first, "r1@city.example.jp", "了解しました。").bytes());
    let out = case.ok(&["inbox", "INC"]);
    assert!(out.contains("recorded: message #1"), "{out}");
    let journal = case.journal();
    assert!(journal.contains("\"kind\":\"reply_recorded\""), "{journal}");
    assert!(journal.contains("\"actor\":\"佐藤 課長\""), "{journal}");
    assert!(journal.contains("\"reply_id\":\"r1@city.example.jp\""));
    assert!(journal.contains("\"verdict\":\"acknowledged\""));
    let acked = case.message(1);
    assert_eq!(acked["acknowledged_by"], "佐藤 課長", "{acked}");
    // The reply is kept, with its hash on record.
    let file = journal
        .split("\"file\":\"inbox/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let saved = std::fs::read(case.incident.join("inbox").join(file)).unwrap();
    assert!(journal.contains(&hikeshi::journal::sha256_hex(&saved)));
    // Again (a restart): nothing is read twice.
    let again = case.ok(&["inbox", "INC"]);
    assert!(again.contains("no new mail"), "{again}");
    assert_eq!(case.journal().matches("reply_recorded").count(), 1);
    // The password is nowhere the incident writes.
    assert!(!case.everything().contains(PASSWORD));
}

#[test]
fn bad_replies_change_nothing_and_are_shown() {
    let server = ImapServer::start(std::path::Path::new("."));
    let case = Case::start(&server, "tls");
    let first = case.message(1);
    let second = case.message(2);
    let before = case.journal();
    // Wrong code: the code of another message.
    let mut wrong_code = Reply::to(&first, "b1@x", "了解");
    wrong_code.subject = format!("Re: 件名 [{}]", "HK-0000AAAA");
    // Wrong sender.
    let mut wrong_sender = Reply::to(&first, "b2@x", "了解");
    wrong_sender.from = "mallory@evil.example".into();
    // Not threaded to the message.
    let mut unthreaded = Reply::to(&first, "b3@x", "了解");
    unthreaded.threads = false;
    // Threads to message 1 but carries message 2's code.
    let mut crossed = Reply::to(&first, "b4@x", "了解");
    crossed.subject = format!("Re: {}", second["subject"].as_str().unwrap());
    // Says nothing that counts.
    let unclear = Reply::to(&first, "b5@x", "よろしくお願いします");
    for r in [&wrong_code, &wrong_sender, &unthreaded, &crossed, &unclear] {
        server.append(&r.bytes());
    }
    // Malformed, and huge.
    server.append(b"this is not a mail\r\n");
    let mut huge = Reply::to(&first, "b6@x", "了解").bytes();
    huge.extend(std::iter::repeat_n(b'x', 300 * 1024));
    server.append(&huge);
    let out = case.ok(&["inbox", "INC"]);
    assert_eq!(out.matches("not recorded").count(), 7, "{out}");
    assert!(out.contains("no reply code"), "{out}");
    assert!(out.contains("mallory@evil.example"), "{out}");
    assert!(out.contains("does not answer message #1"), "{out}");
    assert!(out.contains("does not answer message #2"), "{out}");
    assert!(out.contains("よろしくお願いします"), "{out}");
    assert!(out.contains("too large"), "{out}");
    assert_eq!(case.journal(), before);
    // A closed incident records no reply either.
    case.ok(&["close", "INC", "--force", "--reason", "テスト"]);
    let closed = case.journal();
    server.append(&Reply::to(&first, "late@x", "了解").bytes());
    let out = case.ok(&["inbox", "INC"]);
    assert!(out.contains("not recorded"), "{out}");
    assert_eq!(case.journal(), closed);
}

#[test]
fn the_server_down_is_said_and_the_watch_carries_on() {
    let mut server = ImapServer::start(std::path::Path::new("."));
    let case = Case::start(&server, "none");
    server.down();
    let out = case.run(&["inbox", "INC"]);
    assert_ne!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot be reached"), "{err}");
    assert!(!err.contains(PASSWORD));
    // --watch: says the server is down, retries, and reads the reply once it is back.
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_hikeshi"));
    cmd.current_dir(case.dir.path())
        .env("HIKESHI_OPERATOR", "田中")
        .env("HIKESHI_CONFIG", case.dir.path().join("hikeshi.toml"))
        .env("TEST_IMAP_PASSWORD", PASSWORD)
        .args(["--lang", "en", "inbox"])
        .arg(&case.incident)
        .arg("--watch")
        .stdout(std::process::Stdio::piped());
    let mut watch = cmd.spawn().unwrap();
    std::thread::sleep(std::time::Duration::from_secs(2));
    server.up();
    let first = case.message(1);
    server.append(&Reply::to(&first, "w1@city.example.jp", "受領").bytes());
    let start = std::time::Instant::now();
    while !case.journal().contains("reply_recorded") {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(30),
            "the watch never recorded the reply"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let _ = watch.kill();
    let output = watch.wait_with_output().unwrap();
    let out = String::from_utf8_lossy(&output.stdout);
    // (The reply's line may not be printed yet when the watch is stopped: the journal said it.)
    assert!(out.contains("trying again"), "{out}");
}

/// The screen reads replies while it is open: an acknowledgement and an approval appended to
/// the mailbox show on an open screen (a real terminal) as the repliers' acts; with the server
/// down the screen says so and tries again, and a reply that arrives after it is back counts.
#[test]
fn an_open_screen_records_replies_and_says_when_the_server_is_down() {
    let mut server = ImapServer::start(std::path::Path::new("."));
    let case = Case::start_with(&server, "none", "mail/approval.yaml");
    case.ok(&["fact", "INC", "fake=@city_0fficial"]);
    case.ok(&["request-approval", "INC", "notice"]);
    let (first, request) = (case.message(1), case.message(2));
    let tmux = common::tmux::Tmux::new(case.dir.path(), case.dir.path());
    tmux.type_line(&format!(
        "HIKESHI_OPERATOR=田中 HIKESHI_CONFIG={} TEST_IMAP_PASSWORD={PASSWORD} {} --lang en tui {}",
        case.dir.path().join("hikeshi.toml").display(),
        assert_cmd::cargo::cargo_bin!("hikeshi").display(),
        case.incident.display()
    ));
    tmux.wait_for("公式X乗っ取り");
    server.append(&Reply::to(&first, "s1@city.example.jp", "了解しました。").bytes());
    let screen = tmux.wait_for("reply mail: recorded: message #1");
    assert!(screen.contains("佐藤 課長"), "{screen}");
    server.append(&Reply::to(&request, "s2@city.example.jp", "承認します").bytes());
    tmux.wait_for("reply mail: recorded: message #2");
    server.down();
    tmux.wait_for("cannot be reached: Connection refused");
    server.up();
    server.append(&Reply::to(&first, "s3@city.example.jp", "確認しました").bytes());
    tmux.wait_for("reply mail: recorded: message #1");
    tmux.keys(&["q"]);
    tmux.wait_for("everything is saved in");
    let journal = case.journal();
    assert_eq!(journal.matches("\"kind\":\"reply_recorded\"").count(), 3);
    assert_eq!(journal.matches("\"kind\":\"approval_given\"").count(), 1);
    assert!(journal.contains("\"reply_id\":\"s3@city.example.jp\""));
    // The password is nowhere the incident wrote.
    assert!(!case.everything().contains(PASSWORD));
}

/// Approval by reply: `request-approval` mails the approver the text to approve; a reply 承認
/// from the approver's address records the approval as their own act (the post can then be
/// done), 却下 with a reason records the refusal, 了解 answers nothing, and a reply to a request
/// whose text changed since is not an approval.
#[test]
fn an_approval_by_reply_is_the_approvers_own_act_for_the_text_they_read() {
    let server = ImapServer::start(std::path::Path::new("."));
    let case = Case::start_with(&server, "none", "mail/approval.yaml");
    case.ok(&["fact", "INC", "fake=@city_0fficial"]);
    let out = case.ok(&["request-approval", "INC", "notice"]);
    assert!(out.contains("approval request"), "{out}");
    let request = case.message(2);
    assert_eq!(request["address"], "hasshin@city.example.jp");
    assert!(
        request["subject"]
            .as_str()
            .unwrap()
            .starts_with("[Approval request]")
    );
    let eml =
        std::fs::read_to_string(case.incident.join(request["file"].as_str().unwrap())).unwrap();
    assert!(
        eml.contains("@city_0fficial"),
        "the text to approve is in the mail: {eml}"
    );
    // 了解 answers no approval request.
    server.append(&Reply::to(&request, "a0@city.example.jp", "了解").bytes());
    let out = case.ok(&["inbox", "INC"]);
    assert!(out.contains("is an approval request"), "{out}");
    // The approval, by the approver's reply.
    server.append(&Reply::to(&request, "a1@city.example.jp", "承認します").bytes());
    let out = case.ok(&["inbox", "INC"]);
    assert!(out.contains("recorded: message #2"), "{out}");
    let journal = case.journal();
    assert!(journal.contains("\"kind\":\"approval_given\""), "{journal}");
    assert!(journal.contains("\"reply\":2"), "{journal}");
    assert!(
        journal.contains("佐藤 課長 <hasshin@city.example.jp>"),
        "{journal}"
    );
    case.ok(&["done", "INC", "notice"]);

    // A second incident: the text changes after the request, so 承認 is not an approval;
    // 却下 with a reason is a refusal.
    let case = Case::start_with(&server, "none", "mail/approval.yaml");
    case.ok(&["fact", "INC", "fake=@city_0fficial"]);
    case.ok(&["request-approval", "INC", "notice"]);
    let request = case.message(2);
    case.ok(&["fact", "INC", "fake=@city_offic1al"]);
    server.append(&Reply::to(&request, "b1@city.example.jp", "承認").bytes());
    let out = case.ok(&["inbox", "INC"]);
    assert!(out.contains("changed after approval request #2"), "{out}");
    assert!(!case.journal().contains("\"kind\":\"approval_given\""));
    let refused = case.run(&["done", "INC", "notice"]);
    assert!(!refused.status.success());
    server.append(
        &Reply::to(
            &request,
            "b2@city.example.jp",
            "却下 アカウント名を確認のこと",
        )
        .bytes(),
    );
    let out = case.ok(&["inbox", "INC"]);
    assert!(out.contains("recorded: message #2"), "{out}");
    let journal = case.journal();
    assert!(
        journal.contains("\"kind\":\"approval_rejected\""),
        "{journal}"
    );
    assert!(journal.contains("アカウント名を確認のこと"), "{journal}");
}

/// An approval by reply covers the statement the approver read, the operator's edited
/// `statements/<step>.txt` included: the request shows the edited text; edited again after the
/// request, the reply 承認 approves nothing (the replier's text is outdated) and the post is
/// refused; asked again, the reply approves the text as it reads, and that text is posted.
#[test]
fn an_approval_by_reply_covers_the_edited_statement_the_approver_read() {
    let server = ImapServer::start(std::path::Path::new("."));
    let case = Case::start_with(&server, "none", "mail/approval.yaml");
    case.ok(&["fact", "INC", "fake=@city_0fficial"]);
    let file = case.incident.join("statements").join("notice.txt");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(
        &file,
        "偽アカウント @city_0fficial に御注意ください（案1）\n",
    )
    .unwrap();
    case.ok(&["request-approval", "INC", "notice"]);
    let request = case.message(2);
    let eml =
        std::fs::read_to_string(case.incident.join(request["file"].as_str().unwrap())).unwrap();
    let decoded =
        common::smtp::parse_mail(&[&case.incident.join(request["file"].as_str().unwrap())]);
    let body = decoded[0]["body"].as_str().unwrap().to_string();
    assert!(
        body.contains("（案1）"),
        "the edited text is asked about: {eml}"
    );
    // Edited after the request: the approver's 承認 is for 案1, which will not be posted.
    std::fs::write(
        &file,
        "偽アカウント @city_0fficial に御注意ください（案2）\n",
    )
    .unwrap();
    server.append(&Reply::to(&request, "c1@city.example.jp", "承認").bytes());
    let out = case.ok(&["inbox", "INC"]);
    assert!(out.contains("changed after approval request #2"), "{out}");
    assert!(!case.journal().contains("\"kind\":\"approval_given\""));
    let refused = case.run(&["done", "INC", "notice"]);
    assert!(!refused.status.success(), "{refused:?}");
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("is not approved"),
        "{refused:?}"
    );
    // Asked again: the request shows 案2, and the reply approves it.
    case.ok(&["request-approval", "INC", "notice"]);
    let again = case.message(3);
    let decoded = common::smtp::parse_mail(&[&case.incident.join(again["file"].as_str().unwrap())]);
    assert!(decoded[0]["body"].as_str().unwrap().contains("（案2）"));
    server.append(&Reply::to(&again, "c2@city.example.jp", "承認します").bytes());
    let out = case.ok(&["inbox", "INC"]);
    assert!(out.contains("recorded: message #3"), "{out}");
    // Approved by reply, then edited: not what was approved, so not posted.
    std::fs::write(
        &file,
        "偽アカウント @city_0fficial に御注意ください（案3）\n",
    )
    .unwrap();
    let refused = case.run(&["done", "INC", "notice"]);
    assert!(!refused.status.success(), "{refused:?}");
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("changed after it was approved"),
        "{refused:?}"
    );
    // The approved text back (an editor's line end does not matter), it is posted.
    std::fs::write(
        &file,
        "偽アカウント @city_0fficial に御注意ください（案2）\r\n",
    )
    .unwrap();
    case.ok(&["done", "INC", "notice"]);
    let journal = case.journal();
    let posted = journal
        .lines()
        .find(|l| l.contains("\"kind\":\"step_completed\"") && l.contains("\"notice\""))
        .unwrap();
    assert!(posted.contains("（案2）"), "{posted}");
}
