//! Replies count: the real binary reads a real IMAP server (Dovecot) and records the replies
//! that answer its messages as the repliers' own acts; every bad reply changes nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg(unix)] // Dovecot and Python's imaplib: the test server runs on Unix only

mod common;

use std::path::PathBuf;

use common::imap::{ImapServer, PASSWORD, Reply};
use common::proxy::Proxy;
use common::{fixture, hikeshi};
use serde_json::Value;

const NIGHT: &str = "2026-11-20T22:05:00+09:00";

struct Case {
    dir: tempfile::TempDir,
    incident: PathBuf,
}

/// A running `inbox --watch` and what it printed so far.
struct Watch {
    child: std::process::Child,
    out: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Watch {
    fn printed(&self) -> String {
        self.out.lock().unwrap().clone()
    }

    /// Waits (up to 30 s) until the watch has printed `text` `times` times in all.
    fn wait_for(&self, text: &str, times: usize) {
        until(&format!("the watch printing {text:?}"), || {
            self.printed().matches(text).count() >= times
        });
        assert_eq!(
            self.printed().matches(text).count(),
            times,
            "{}",
            self.printed()
        );
    }

    fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.printed()
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits (up to 30 s, looking every 20 ms) until `done`.
fn until(what: &str, mut done: impl FnMut() -> bool) {
    let start = std::time::Instant::now();
    while !done() {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(30),
            "timed out waiting for {what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

impl Case {
    /// An incident whose first report went out (to the outbox) to three divisions.
    fn start(server: &ImapServer, tls: &str) -> Case {
        Case::start_with(server, tls, "mail/playbook.yaml")
    }

    /// An incident of the fixture `playbook` whose first report went out (to the outbox).
    fn start_with(server: &ImapServer, tls: &str, playbook: &str) -> Case {
        Case::start_config(&server.config(tls), playbook)
    }

    /// The same, with `imap` as hikeshi.toml's `[imap]` table.
    fn start_config(imap: &str, playbook: &str) -> Case {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("hikeshi.toml"),
            format!("[mail]\nfrom = \"koho@city.example.jp\"\n{imap}"),
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

    /// [`Case::start_with`], with lines added to the `[imap]` table.
    fn start_with_imap(server: &ImapServer, playbook: &str, imap: &str) -> Case {
        let case = Case::start_with(server, "none", playbook);
        let config = case.dir.path().join("hikeshi.toml");
        let text = std::fs::read_to_string(&config).unwrap();
        std::fs::write(&config, format!("{text}{imap}\n")).unwrap();
        case
    }

    /// Messages in the outbox that answer a reply.
    fn answers(&self) -> Vec<Value> {
        let out: Value = serde_json::from_str(&self.ok(&["outbox", "INC", "--json"])).unwrap();
        out["messages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["answers"].is_string())
            .cloned()
            .collect()
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

    /// `hikeshi inbox INC --watch`, running, its output collected as it comes.
    fn watch(&self) -> Watch {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_hikeshi"))
            .current_dir(self.dir.path())
            .env("HIKESHI_OPERATOR", "田中")
            .env("HIKESHI_CONFIG", self.dir.path().join("hikeshi.toml"))
            .env("TEST_IMAP_PASSWORD", PASSWORD)
            .args(["--lang", "en", "inbox"])
            .arg(&self.incident)
            .arg("--watch")
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let out = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let stdout = child.stdout.take().unwrap();
        let collected = out.clone();
        std::thread::spawn(move || {
            use std::io::BufRead as _;
            for line in std::io::BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let mut all = collected.lock().unwrap();
                all.push_str(&line);
                all.push('\n');
            }
        });
        Watch { child, out }
    }

    /// Whether some process holds the incident's mailbox reader claim.
    fn mailbox_claimed(&self) -> bool {
        let Ok(file) = std::fs::File::open(self.incident.join("claims/inbox.lock")) else {
            return false;
        };
        matches!(file.try_lock(), Err(std::fs::TryLockError::WouldBlock))
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
    assert!(journal.contains(&hikeshi::digest::sha256_hex(&saved)));
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
    // A subject full of codes (guesses): refused whatever else it carries.
    let mut guesses = Reply::to(&first, "b5@x", "了解");
    guesses.subject = format!(
        "{} [HK-0000AAAA] [HK-1111BBBB]",
        first["subject"].as_str().unwrap()
    );
    // From the addressee, sent by someone on their behalf (a delegate's Sender:): the words
    // are the delegate's.
    let mut delegated = Reply::to(&first, "b7@x", "承認します");
    delegated.headers = "Sender: hisho@city.example.jp\r\n".into();
    for r in [
        &wrong_code,
        &wrong_sender,
        &unthreaded,
        &crossed,
        &guesses,
        &delegated,
    ] {
        server.append(&r.bytes());
    }
    // Malformed (names none of the incident's messages: not its mail, neither downloaded nor
    // listed), and huge.
    server.append(b"this is not a mail\r\n");
    let mut huge = Reply::to(&first, "b6@x", "了解").bytes();
    huge.extend(std::iter::repeat_n(b'x', 300 * 1024));
    server.append(&huge);
    let out = case.ok(&["inbox", "INC"]);
    assert_eq!(out.matches("not recorded").count(), 7, "{out}");
    assert!(out.contains("no reply code"), "{out}");
    assert!(out.contains("mallory@evil.example"), "{out}");
    assert!(out.contains("hisho@city.example.jp"), "{out}");
    assert!(out.contains("does not answer message #1"), "{out}");
    assert!(out.contains("does not answer message #2"), "{out}");
    assert!(out.contains("3 reply codes in the subject"), "{out}");
    assert!(out.contains("too large"), "{out}");
    assert_eq!(case.journal(), before);
    // A closed incident reads no mail, and says so.
    case.ok(&["close", "INC", "--force", "--reason", "テスト"]);
    let closed = case.journal();
    server.append(&Reply::to(&first, "late@x", "了解").bytes());
    let out = case.run(&["inbox", "INC"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("the incident is closed"), "{err}");
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
    // The server is back: the screen says so before any new mail (no stale "cannot be
    // reached" stays on the message line; the timeline keeps the outage).
    let screen = tmux.wait_for("connected to IMAP server");
    assert!(
        !screen
            .lines()
            .any(|l| l.starts_with("reply mail") && l.contains("cannot be reached")),
        "{screen}"
    );
    assert!(screen.contains("reply mail IMAP server"), "{screen}");
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

/// The screen reads the mailbox itself, on its own incident: every mail it could not count
/// reaches the screen (both of two on the timeline), and a reply it counts is applied once (one event in the journal).
#[test]
fn an_open_screen_shows_every_mail_it_cannot_count_and_applies_a_reply_once() {
    let server = ImapServer::start(std::path::Path::new("."));
    let case = Case::start(&server, "none");
    let first = case.message(1);
    let tmux = common::tmux::Tmux::new(case.dir.path(), case.dir.path());
    tmux.type_line(&format!(
        "HIKESHI_OPERATOR=田中 HIKESHI_CONFIG={} TEST_IMAP_PASSWORD={PASSWORD} {} --lang en tui {}",
        case.dir.path().join("hikeshi.toml").display(),
        assert_cmd::cargo::cargo_bin!("hikeshi").display(),
        case.incident.display()
    ));
    tmux.wait_for("公式X乗っ取り");
    let mut forged = Reply::to(&first, "u1@x", "了解");
    forged.from = "mallory@evil.example".into();
    let mut unthreaded = Reply::to(&first, "u2@x", "了解");
    unthreaded.threads = false;
    server.append(&forged.bytes());
    server.append(&unthreaded.bytes());
    until("both mails on the screen", || {
        tmux.screen()
            .matches("reply mail not recorded (UID")
            .count()
            == 2
    });
    let screen = tmux.screen();
    assert!(screen.contains("mallory@evil.example"), "{screen}");
    assert!(screen.contains("does not answer message #1"), "{screen}");
    server.append(&Reply::to(&first, "u3@x", "了解しました。").bytes());
    tmux.wait_for("reply mail: recorded: message #1");
    tmux.keys(&["q"]);
    tmux.wait_for("everything is saved in");
    let journal = case.journal();
    assert_eq!(journal.matches("\"kind\":\"reply_recorded\"").count(), 1);
    assert!(journal.contains("\"reply_id\":\"u3@x\""), "{journal}");
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
    // 了解 answers no approval request: counted as nothing, and the approver is told.
    server.append(&Reply::to(&request, "a0@city.example.jp", "了解").bytes());
    let out = case.ok(&["inbox", "INC"]);
    assert!(out.contains("an approval request needs 承認"), "{out}");
    assert!(out.contains("answer #3 sent"), "{out}");
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
    assert!(out.contains("the text to approve changed"), "{out}");
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

/// A refusal worded with an approval word (承認できません) is no approval: it counts as
/// nothing, is kept, and the approver is told why and what to reply, in the request's thread,
/// once; a clear 承認 in that thread then approves.
#[test]
fn a_refusal_never_approves_and_the_replier_is_told_once() {
    let server = ImapServer::start(std::path::Path::new("."));
    let case = Case::start_with(&server, "none", "mail/approval.yaml");
    case.ok(&["fact", "INC", "fake=@city_0fficial"]);
    case.ok(&["request-approval", "INC", "notice"]);
    let request = case.message(2);
    server.append(&Reply::to(&request, "no1@city.example.jp", "承認できません").bytes());
    let out = case.ok(&["inbox", "INC"]);
    assert!(out.contains("not counted: message #2"), "{out}");
    assert!(out.contains("承認できません"), "{out}");
    assert!(out.contains("answer #3 sent"), "{out}");
    let journal = case.journal();
    assert!(
        journal.contains("\"kind\":\"reply_not_counted\""),
        "{journal}"
    );
    assert!(!journal.contains("approval_given"), "{journal}");
    assert!(!case.run(&["done", "INC", "notice"]).status.success());
    // The reply is kept as received.
    assert!(journal.contains("\"file\":\"inbox/"), "{journal}");
    // The answer: to the approver, in the thread, the request's one code, why and what to do.
    let answers = case.answers();
    assert_eq!(answers.len(), 1, "{answers:?}");
    let answer = &answers[0];
    assert_eq!(answer["address"], "hasshin@city.example.jp");
    assert_eq!(answer["answers"], "no1@city.example.jp");
    let code = request["subject"]
        .as_str()
        .unwrap()
        .rsplit('[')
        .next()
        .unwrap()
        .trim_end_matches(']');
    let subject = answer["subject"].as_str().unwrap();
    assert_eq!(subject.matches("[HK-").count(), 1, "{subject}");
    assert!(subject.contains(code), "{subject}");
    let eml =
        std::fs::read_to_string(case.incident.join(answer["file"].as_str().unwrap())).unwrap();
    assert!(eml.contains("In-Reply-To: <no1@city.example.jp>"), "{eml}");
    assert!(
        eml.contains(&format!("<{}>", request["message_id"].as_str().unwrap())),
        "{eml}"
    );
    // Another look: nothing read twice, nothing answered twice.
    let again = case.ok(&["inbox", "INC"]);
    assert!(again.contains("no new mail"), "{again}");
    assert_eq!(case.answers().len(), 1);
    // 了解できません clears nothing either; a clear 承認 in the answer's thread approves.
    let mut clear = Reply::to(&request, "ok1@city.example.jp", "承認します");
    clear.subject = format!("Re: {subject}");
    server.append(&clear.bytes());
    let out = case.ok(&["inbox", "INC"]);
    assert!(out.contains("recorded: message #2"), "{out}");
    assert!(case.journal().contains("\"kind\":\"approval_given\""));
    case.ok(&["done", "INC", "notice"]);
}

/// A reply that comes before its step can be approved is kept (saved, journalled as held)
/// and counted at a later look once the step is ready again.
#[test]
fn a_reply_before_its_step_is_ready_is_kept_and_counted_when_it_is() {
    let server = ImapServer::start(std::path::Path::new("."));
    let case = Case::start_with(&server, "none", "mail/approval.yaml");
    case.ok(&["fact", "INC", "fake=@city_0fficial"]);
    case.ok(&["request-approval", "INC", "notice"]);
    let request = case.message(2);
    case.ok(&["reopen", "INC", "detect", "--reason", "確認をやり直す"]);
    server.append(&Reply::to(&request, "early@city.example.jp", "承認").bytes());
    let out = case.ok(&["inbox", "INC"]);
    assert!(out.contains("held:"), "{out}");
    let journal = case.journal();
    assert!(journal.contains("\"kind\":\"reply_held\""), "{journal}");
    assert!(!journal.contains("approval_given"));
    let saved = common::files_under(&case.incident.join("inbox"))
        .into_iter()
        .filter(|f| f.extension().is_some_and(|e| e == "eml"))
        .count();
    assert_eq!(saved, 1, "the early reply is saved");
    let status = case.ok(&["status", "INC"]);
    assert!(
        status.contains("held reply: 佐藤 課長 <hasshin@city.example.jp>"),
        "{status}"
    );
    // Still not ready: it keeps waiting, silently.
    let out = case.ok(&["inbox", "INC"]);
    assert!(out.contains("no new mail"), "{out}");
    case.ok(&["done", "INC", "detect"]);
    let out = case.ok(&["inbox", "INC"]);
    assert!(out.contains("recorded: message #2"), "{out}");
    assert!(case.journal().contains("\"kind\":\"approval_given\""));
    assert!(case.answers().is_empty());
    case.ok(&["done", "INC", "notice"]);
}

/// Japanese mail clients write ISO-2022-JP, Shift_JIS (labelled `cp932` by some) or EUC-JP: a
/// reply in each counts.
#[test]
fn replies_in_every_japanese_charset_count() {
    let server = ImapServer::start(std::path::Path::new("."));
    let case = Case::start_with(&server, "none", "mail/approval.yaml");
    case.ok(&["fact", "INC", "fake=@city_0fficial"]);
    case.ok(&["request-approval", "INC", "notice"]);
    let (first, request) = (case.message(1), case.message(2));
    for (n, charset) in ["iso-2022-jp", "shift_jis", "cp932", "euc-jp"]
        .into_iter()
        .enumerate()
    {
        let id = format!("{charset}@city.example.jp");
        let mut reply = Reply::to(&first, &id, "了解しました。");
        reply.charset = charset;
        server.append(&reply.bytes());
        let out = case.ok(&["inbox", "INC"]);
        assert!(out.contains("recorded: message #1"), "{charset}: {out}");
        assert_eq!(
            case.journal()
                .matches("\"kind\":\"reply_recorded\"")
                .count(),
            n + 1
        );
    }
    let mut approval = Reply::to(&request, "jis-ok@city.example.jp", "承認いたします。");
    approval.charset = "iso-2022-jp";
    server.append(&approval.bytes());
    let out = case.ok(&["inbox", "INC"]);
    assert!(out.contains("recorded: message #2"), "{out}");
    let journal = case.journal();
    assert!(journal.contains("\"kind\":\"approval_given\""), "{journal}");
    assert!(
        journal.contains("佐藤 課長"),
        "the name is decoded: {journal}"
    );
}

/// What the approver saw decides: an approval hidden in the HTML part, or a plain part that
/// says otherwise than the HTML part, counts as nothing.
#[test]
fn a_hidden_or_contradicted_approval_counts_as_nothing() {
    let server = ImapServer::start(std::path::Path::new("."));
    let case = Case::start_with(&server, "none", "mail/approval.yaml");
    case.ok(&["fact", "INC", "fake=@city_0fficial"]);
    case.ok(&["request-approval", "INC", "notice"]);
    let request = case.message(2);
    let mut two_faced = Reply::to(&request, "html1@city.example.jp", "承認します");
    two_faced.html = Some(
        "<div>却下：表記を確認してください</div><div style=\"display:none\">承認します</div>"
            .into(),
    );
    server.append(&two_faced.bytes());
    let out = case.ok(&["inbox", "INC"]);
    assert!(
        out.contains("plain-text and HTML parts say different things"),
        "{out}"
    );
    assert!(!case.journal().contains("approval_given"));
    assert_eq!(case.answers().len(), 1);
}

/// With `[imap] authserv_id`, a reply counts only if the city's receiving server vouches for
/// its sender: a forged From with the right code and thread is refused.
#[test]
fn a_forged_sender_counts_only_with_the_city_servers_word() {
    let server = ImapServer::start(std::path::Path::new("."));
    let case = Case::start_with_imap(
        &server,
        "mail/approval.yaml",
        "authserv_id = \"mx.city.example.jp\"",
    );
    case.ok(&["fact", "INC", "fake=@city_0fficial"]);
    case.ok(&["request-approval", "INC", "notice"]);
    let request = case.message(2);
    let forged = [
        ("f1@evil.example", String::new(), "no Authentication-Results from mx.city.example.jp"),
        (
            "f2@evil.example",
            "Authentication-Results: mx.city.example.jp; dmarc=fail header.from=city.example.jp\r\n".to_string(),
            "dmarc=fail",
        ),
        (
            "f3@evil.example",
            "Authentication-Results: mx.city.example.jp; spf=pass smtp.mailfrom=evil.example\r\n".to_string(),
            "no dmarc, aligned dkim or auth pass",
        ),
        (
            "f4@evil.example",
            // Another server's word is not the city's.
            "Authentication-Results: mx.evil.example; dmarc=pass header.from=city.example.jp\r\n".to_string(),
            "no Authentication-Results from mx.city.example.jp",
        ),
        (
            "f5@evil.example",
            // A pass smuggled in a quoted value, a failure hidden behind an open comment.
            "Authentication-Results: mx.city.example.jp; spf=pass smtp.mailfrom=\"x;dmarc=pass header.from=city.example.jp;(\"@evil.example; dkim=fail header.d=city.example.jp\r\n".to_string(),
            "dkim=fail",
        ),
        (
            "f6@evil.example",
            // A pass in one header, a failure in another of the same server (a second filter).
            "Authentication-Results: mx.city.example.jp; dmarc=pass header.from=city.example.jp\r\nAuthentication-Results: mx.city.example.jp; dkim=fail header.d=city.example.jp\r\n".to_string(),
            "dkim=fail",
        ),
        (
            "f7@evil.example",
            // DMARC passed for another domain than the From address's.
            "Authentication-Results: mx.city.example.jp; dmarc=pass header.from=evil.example\r\n".to_string(),
            "no dmarc, aligned dkim or auth pass",
        ),
        (
            "f8@evil.example",
            // Two From headers: which one the server checked is not known.
            "Authentication-Results: mx.city.example.jp; dmarc=pass header.from=city.example.jp\r\nFrom: mallory@evil.example\r\n".to_string(),
            "2 From headers",
        ),
    ];
    for (id, headers, why) in &forged {
        let mut reply = Reply::to(&request, id, "承認");
        reply.headers = headers.clone();
        server.append(&reply.bytes());
        let out = case.ok(&["inbox", "INC"]);
        assert!(out.contains("does not vouch for its sender"), "{out}");
        assert!(out.contains(why), "{why}: {out}");
    }
    assert!(!case.journal().contains("approval_given"));
    assert!(
        case.answers().is_empty(),
        "a forged reply is never answered"
    );
    let mut genuine = Reply::to(&request, "g1@city.example.jp", "承認");
    genuine.headers = "Authentication-Results: mx.city.example.jp;\r\n dkim=pass (good signature) header.d=city.example.jp;\r\n dmarc=pass header.from=city.example.jp\r\n".into();
    server.append(&genuine.bytes());
    let out = case.ok(&["inbox", "INC"]);
    assert!(out.contains("recorded: message #2"), "{out}");
}

/// A reply refused for a reason that passes (this PC's clock behind the journal's) is not
/// marked as read: the look fails, and the next look with the clock right records it.
#[test]
fn a_reply_refused_by_a_clock_behind_is_read_again() {
    let server = ImapServer::start(std::path::Path::new("."));
    let case = Case::start(&server, "none");
    let first = case.message(1);
    server.append(&Reply::to(&first, "c1@city.example.jp", "了解").bytes());
    let mut cmd = hikeshi();
    cmd.current_dir(case.dir.path())
        .env("HIKESHI_TIME", "2026-11-20T21:50:00+09:00")
        .env("HIKESHI_OPERATOR", "田中")
        .env("HIKESHI_CONFIG", case.dir.path().join("hikeshi.toml"))
        .env("TEST_IMAP_PASSWORD", PASSWORD)
        .args(["--lang", "en"]);
    let behind = common::run_on(cmd, &case.incident, &["inbox", "INC"]);
    assert!(!behind.status.success(), "{behind:?}");
    assert!(!case.journal().contains("reply_recorded"));
    let out = case.ok(&["inbox", "INC"]);
    assert!(out.contains("recorded: message #1"), "{out}");
}

/// The mailbox of a real 課: thousands of other mails (received over the last weeks, some of
/// them replies to other mail or carrying other incidents' codes) sit before the reply, and
/// the server is a 10 ms round trip away. The reply counts at once, and of the megabytes in
/// the box only the reply and a few lines of protocol cross the network.
#[test]
fn a_reply_counts_in_a_busy_mailbox_far_away_and_nothing_else_is_downloaded() {
    let server = ImapServer::start(std::path::Path::new("."));
    let others = server.fill(3_000, 21);
    let proxy = Proxy::start(server.port, std::time::Duration::from_millis(5));
    let case = Case::start_config(&server.config_at(proxy.port, 3), "mail/playbook.yaml");
    let first = case.message(1);
    server.append(&Reply::to(&first, "busy@city.example.jp", "了解しました。").bytes());
    let out = case.ok(&["inbox", "INC"]);
    assert!(out.contains("recorded: message #1"), "{out}");
    assert!(
        !out.contains("not recorded"),
        "other mail is not listed: {out}"
    );
    let downloaded = proxy.bytes_from_server();
    assert!(
        downloaded < 30_000,
        "{downloaded} bytes downloaded from a box of {others} bytes"
    );
    assert_eq!(case.journal().matches("reply_recorded").count(), 1);
    // The next look reads only what arrived since.
    let before = proxy.bytes_from_server();
    let again = case.ok(&["inbox", "INC"]);
    assert!(again.contains("no new mail"), "{again}");
    assert!(proxy.bytes_from_server() - before < 5_000);
}

/// A server that answers, but too slowly, is not "unreachable": the error says what did not
/// come back in time.
#[test]
fn a_slow_server_is_said_to_be_slow_not_unreachable() {
    let server = ImapServer::start(std::path::Path::new("."));
    let proxy = Proxy::start(server.port, std::time::Duration::from_millis(1_500));
    let case = Case::start_config(&server.config_at(proxy.port, 1), "mail/playbook.yaml");
    let out = case.run(&["inbox", "INC"]);
    assert_ne!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("did not answer within 1 s"), "{err}");
    assert!(err.contains("the greeting"), "{err}");
    assert!(!err.contains("cannot be reached"), "{err}");
}

/// Two screens (here two watches) on one incident: one reads the mailbox, the other says so
/// and records nothing of its own; a single `inbox` meanwhile says so too. When the reader
/// goes, the other takes over.
#[test]
fn one_process_reads_an_incidents_mailbox_and_the_others_say_so() {
    let server = ImapServer::start(std::path::Path::new("."));
    let case = Case::start(&server, "none");
    let first = case.message(1);
    let reader = case.watch();
    until("the first watch to claim the mailbox", || {
        case.mailbox_claimed()
    });
    let other = case.watch();
    other.wait_for("another screen (or hikeshi inbox) reads the mailbox", 1);
    let once = case.ok(&["inbox", "INC"]);
    assert!(
        once.contains("another screen (or hikeshi inbox) reads the mailbox"),
        "{once}"
    );
    server.append(&Reply::to(&first, "two1@city.example.jp", "了解しました").bytes());
    reader.wait_for("recorded: message #1", 1);
    assert_eq!(case.journal().matches("reply_recorded").count(), 1);
    // The reader goes; the other takes over and reads what arrives next.
    reader.stop();
    other.wait_for(
        "this screen reads the mailbox of this incident from now on",
        1,
    );
    server.append(&Reply::to(&first, "two2@city.example.jp", "受領").bytes());
    other.wait_for("recorded: message #1", 1);
    let printed = other.stop();
    assert!(!printed.contains("not recorded"), "{printed}");
    assert!(!printed.contains("cannot"), "{printed}");
    assert_eq!(case.journal().matches("reply_recorded").count(), 2);
}

/// Closing the incident ends the watch: it says so and exits.
#[test]
fn a_watch_ends_when_the_incident_is_closed() {
    let server = ImapServer::start(std::path::Path::new("."));
    let case = Case::start(&server, "none");
    let mut watch = case.watch();
    until("the watch to claim the mailbox", || case.mailbox_claimed());
    case.ok(&["close", "INC", "--force", "--reason", "テスト"]);
    until("the watch to end", || {
        watch.child.try_wait().unwrap().is_some()
    });
    assert!(watch.child.try_wait().unwrap().unwrap().success());
    let printed = watch.printed();
    assert!(
        printed.contains("the incident is closed: replies are no longer read"),
        "{printed}"
    );
}

/// A `seen.json` that says the last possible UID was read (damaged, or a mailbox restored
/// without a new UIDVALIDITY) does not stop reading: the mailbox is searched again from the
/// incident's start, and says so.
#[test]
fn a_seen_file_beyond_the_mailbox_does_not_stop_reading() {
    let server = ImapServer::start(std::path::Path::new("."));
    let case = Case::start(&server, "none");
    let first = case.message(1);
    server.append(&Reply::to(&first, "max1@city.example.jp", "了解しました").bytes());
    assert!(case.ok(&["inbox", "INC"]).contains("recorded: message #1"));
    let seen_file = case.incident.join("inbox/seen.json");
    let mut seen: Value = serde_json::from_slice(&std::fs::read(&seen_file).unwrap()).unwrap();
    seen["last_uid"] = u32::MAX.into();
    std::fs::write(&seen_file, serde_json::to_vec(&seen).unwrap()).unwrap();
    server.append(&Reply::to(&first, "max2@city.example.jp", "確認しました").bytes());
    let out = case.ok(&["inbox", "INC"]);
    assert!(
        out.contains("reading again from the incident's start"),
        "{out}"
    );
    assert!(out.contains("recorded: message #1"), "{out}");
    assert!(
        out.contains("already"),
        "the first reply is not recorded twice: {out}"
    );
    assert_eq!(case.journal().matches("reply_recorded").count(), 2);
    let again = case.ok(&["inbox", "INC"]);
    assert!(again.contains("no new mail"), "{again}");
}

/// The server is asked for the incident's mail by what a reply carries: a subject encoded as
/// Japanese mail clients send it (MIME encoded-words, so the code is not in the raw bytes) is
/// found by its code, and a reply that names the message only in `References` still counts.
#[test]
fn a_reply_with_an_encoded_subject_and_only_references_is_found() {
    use base64::Engine as _;
    let server = ImapServer::start(std::path::Path::new("."));
    let case = Case::start(&server, "none");
    let first = case.message(1);
    let subject = format!("Re: {}", first["subject"].as_str().unwrap());
    let encoded = base64::engine::general_purpose::STANDARD.encode(subject.as_bytes());
    let original = first["message_id"].as_str().unwrap();
    let address = first["address"].as_str().unwrap();
    let mail = format!(
        "From: 佐藤 課長 <{address}>\r\nTo: koho@city.example.jp\r\nSubject: =?UTF-8?B?{encoded}?=\r\nMessage-ID: <enc1@city.example.jp>\r\nReferences: <other@city.example.jp> <{original}>\r\nDate: Fri, 20 Nov 2026 22:30:00 +0900\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n了解しました\r\n"
    );
    assert!(!mail.contains("HK-"));
    server.append(mail.as_bytes());
    let out = case.ok(&["inbox", "INC"]);
    assert!(out.contains("recorded: message #1"), "{out}");
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
    assert!(out.contains("the text to approve changed"), "{out}");
    assert!(out.contains("answer #3 sent"), "{out}");
    assert!(!case.journal().contains("\"kind\":\"approval_given\""));
    let refused = case.run(&["done", "INC", "notice"]);
    assert!(!refused.status.success(), "{refused:?}");
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("is not approved"),
        "{refused:?}"
    );
    // Asked again (message 3 was the answer): the request shows 案2, and the reply approves it.
    case.ok(&["request-approval", "INC", "notice"]);
    let again = case.message(4);
    let decoded = common::smtp::parse_mail(&[&case.incident.join(again["file"].as_str().unwrap())]);
    assert!(decoded[0]["body"].as_str().unwrap().contains("（案2）"));
    server.append(&Reply::to(&again, "c2@city.example.jp", "承認します").bytes());
    let out = case.ok(&["inbox", "INC"]);
    assert!(out.contains("recorded: message #4"), "{out}");
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

/// A reply to a request already decided counts as nothing (a late 承認 never overrides a
/// refusal); an automatic reply is neither counted nor answered; and however often a sender
/// replies unclearly, a message's replies get at most three answers.
#[test]
fn late_automatic_and_repeated_replies_decide_nothing() {
    let server = ImapServer::start(std::path::Path::new("."));
    let case = Case::start_with(&server, "none", "mail/approval.yaml");
    case.ok(&["fact", "INC", "fake=@city_0fficial"]);
    case.ok(&["request-approval", "INC", "notice"]);
    let request = case.message(2);
    case.ok(&[
        "reject",
        "INC",
        "notice",
        "--by",
        "佐藤課長",
        "--reason",
        "電話で却下",
    ]);
    server.append(&Reply::to(&request, "late@city.example.jp", "承認します").bytes());
    let out = case.ok(&["inbox", "INC"]);
    assert!(out.contains("decided already or replaced"), "{out}");
    assert!(!case.journal().contains("\"kind\":\"approval_given\""));
    assert_eq!(case.answers().len(), 1);
    // An out-of-office reply: listed, never recorded or answered.
    let before = case.journal();
    let mut away = Reply::to(&request, "away@city.example.jp", "承認");
    away.headers = "Auto-Submitted: auto-replied\r\n".into();
    server.append(&away.bytes());
    let out = case.ok(&["inbox", "INC"]);
    assert!(out.contains("an automatic reply to message #2"), "{out}");
    assert_eq!(case.journal(), before);
    // Unclear again and again: three answers in all, then only the record.
    for n in 0..3 {
        let id = format!("again{n}@city.example.jp");
        server.append(&Reply::to(&request, &id, "？").bytes());
    }
    let out = case.ok(&["inbox", "INC"]);
    assert!(out.contains("answered 3 times already"), "{out}");
    assert_eq!(case.answers().len(), 3);
    assert_eq!(
        case.journal()
            .matches("\"kind\":\"reply_not_counted\"")
            .count(),
        4
    );
}

/// A batch of mail is recorded one mail per step, so a screen running the watch in its event
/// loop draws and reads keys between two mails (each record is fsync'd) rather than freezing
/// for the whole batch. No server: the round trips' answers are given by hand.
#[test]
fn a_batch_is_recorded_one_mail_per_step() {
    use hikeshi::notify::imap::{Fetched, Snapshot};
    use hikeshi::notify::inbox::{Answer, Ask, Next, Watch};
    let imap = "[imap]\nhost = \"127.0.0.1\"\nport = 9\ntls = \"none\"\nusername = \"u\"\npassword_env = \"TEST_IMAP_PASSWORD\"\n";
    let case = Case::start_config(imap, "mail/playbook.yaml");
    let config = hikeshi::config::Config::read(&case.dir.path().join("hikeshi.toml")).unwrap();
    let mut incident = hikeshi::incident::Incident::open(
        &case.incident,
        std::sync::Arc::new(hikeshi::clock::SystemClock),
    )
    .unwrap();
    let (mut watch, _connection) = Watch::new(config, hikeshi::Lang::En, false).unwrap();
    let ask = |step: hikeshi::notify::inbox::Step| match step.next {
        Next::Ask(ask) => ask,
        other => panic!(
            "expected a round trip, got {other:?} after {:?}",
            step.lines
        ),
    };
    assert_eq!(ask(watch.step(&mut incident, None)), Ask::Look);
    let looked = Answer::Looked(Snapshot {
        validity: 7,
        next: 4,
    });
    assert!(matches!(
        ask(watch.step(&mut incident, Some(Ok(looked)))),
        Ask::Search { from: 1, to: 3, .. }
    ));
    let searched = Answer::Searched(vec![1, 2, 3]);
    assert_eq!(
        ask(watch.step(&mut incident, Some(Ok(searched)))),
        Ask::Fetch(vec![1, 2, 3])
    );
    let mail = |uid: u32| {
        Fetched {
        uid,
        size: 200,
        bytes: Some(
            format!(
                "From: someone@elsewhere.example\r\nTo: koho@city.example.jp\r\nSubject: hello {uid}\r\nMessage-ID: <m{uid}@elsewhere.example>\r\n\r\nhello\r\n"
            )
            .into_bytes(),
        ),
    }
    };
    let mut step = watch.step(
        &mut incident,
        Some(Ok(Answer::Fetched(vec![mail(1), mail(2), mail(3)]))),
    );
    let mut found = Vec::new();
    loop {
        assert!(step.found.len() <= 1, "one mail per step: {:?}", step.lines);
        found.extend(step.lines.iter().cloned());
        match step.next {
            Next::Ask(Ask::Yield) => step = watch.step(&mut incident, Some(Ok(Answer::Yielded))),
            Next::Done => break,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(found.len(), 3, "{found:?}");
    let seen = std::fs::read_to_string(case.incident.join("inbox/seen.json")).unwrap();
    assert!(seen.contains("\"last_uid\":3"), "{seen}");
}
