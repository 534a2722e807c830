//! A real IMAP server for the reply tests: Dovecot (`dovecot -F -c CONF`) with its own config
//! under target/, passwd-file users, Maildir, 127.0.0.1 on free high ports, plain (STARTTLS
//! offered) and TLS with a throwaway CA (made by trustme, as for the SMTP server). Replies
//! are put in the mailbox with IMAP APPEND (Python's imaplib). Unix only; as root (CI) Dovecot
//! gives the mail to `nobody`, as an ordinary user it runs everything as that user.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::smtp::{free_port, python};

/// The login of the test mailbox.
pub const USER: &str = "hikeshi";
/// Its password (given to hikeshi through the environment only).
pub const PASSWORD: &str = "imap-Secret-4711";

pub struct ImapServer {
    child: Option<Child>,
    dir: PathBuf,
    conf: PathBuf,
    /// Plain port (STARTTLS offered).
    pub port: u16,
    /// TLS port.
    pub tls_port: u16,
    /// The throwaway CA that signed the server's certificate.
    pub ca: PathBuf,
}

fn make_certs(dir: &Path) {
    let script = r#"
import sys, trustme
ca = trustme.CA()
cert = ca.issue_cert("localhost", "127.0.0.1")
d = sys.argv[1]
ca.cert_pem.write_to_path(d + "/ca.pem")
cert.private_key_pem.write_to_path(d + "/key.pem")
with open(d + "/cert.pem", "wb") as f:
    for blob in cert.cert_chain_pems:
        f.write(blob.bytes())
"#;
    let status = Command::new(python())
        .args(["-c", script])
        .arg(dir)
        .status()
        .unwrap();
    assert!(status.success(), "making the test certificates failed");
}

/// Who Dovecot runs the mail as: `nobody` when the tests run as root (Dovecot drops to it;
/// the mail folder is given to it), else the user running the tests (Dovecot cannot change
/// user, and needs no other). `(uid, gid, user, group, root)`.
fn mail_owner() -> (String, String, String, String, bool) {
    let id = |flag: &str| {
        let out = Command::new("id").arg(flag).output().unwrap();
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    };
    let uid = id("-u");
    if uid == "0" {
        (
            "65534".into(),
            "65534".into(),
            "dovenull".into(),
            "dovecot".into(),
            true,
        )
    } else {
        (uid, id("-g"), id("-un"), id("-gn"), false)
    }
}

/// The program: on PATH, or where Debian puts it (/usr/sbin is not on an ordinary user's PATH).
fn dovecot() -> PathBuf {
    let sbin = PathBuf::from("/usr/sbin/dovecot");
    if sbin.exists() {
        sbin
    } else {
        PathBuf::from("dovecot")
    }
}

/// Gives the mail folder to `nobody` when Dovecot runs as root (nothing to do otherwise).
fn hand_over_mail(dir: &Path) {
    if !mail_owner().4 {
        return;
    }
    let status = Command::new("chown")
        .args(["-R", "nobody:nogroup"])
        .arg(dir)
        .status()
        .unwrap();
    assert!(status.success());
}

impl ImapServer {
    pub fn start(parent: &Path) -> ImapServer {
        // Under target/ (the mail must be reachable by `nobody`; a tempdir may be private).
        let dir =
            PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("dovecot-{}", free_port()));
        let _ = parent;
        std::fs::create_dir_all(dir.join("mail")).unwrap();
        make_certs(&dir);
        let (port, tls_port) = (free_port(), free_port());
        let (uid, gid, login_user, internal_user, root) = mail_owner();
        std::fs::write(
            dir.join("passwd"),
            format!(
                "{USER}:{{PLAIN}}{PASSWORD}:{uid}:{gid}::{}::\n",
                dir.join("mail").display()
            ),
        )
        .unwrap();
        // As an ordinary user every service runs as that user, in its own group (and no
        // service chroots: only root may; none is needed on 127.0.0.1).
        let internal_group = if root {
            String::new()
        } else {
            format!(
                "default_internal_group = {internal_user}\n",
                internal_user = mail_owner().3
            )
        };
        let internal_user = if root {
            internal_user
        } else {
            login_user.clone()
        };
        let d = dir.display();
        let conf = dir.join("dovecot.conf");
        std::fs::write(
            &conf,
            format!(
                r#"protocols = imap
listen = 127.0.0.1
base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
ssl = yes
ssl_cert = <{d}/cert.pem
ssl_key = <{d}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = {login_user}
default_internal_user = {internal_user}
{internal_group}first_valid_uid = 1
mail_location = maildir:{d}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/passwd
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {d}/passwd
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
    ssl = yes
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"#
            ),
        )
        .unwrap();
        // As root the mail is `nobody`'s; the folders above it must let it through.
        hand_over_mail(&dir.join("mail"));
        let mut server = ImapServer {
            child: None,
            dir,
            conf,
            port,
            tls_port,
            ca: PathBuf::new(),
        };
        server.ca = server.dir.join("ca.pem");
        server.up();
        server
    }

    /// Starts (or restarts) the server and waits until it accepts connections.
    pub fn up(&mut self) {
        let child = Command::new(dovecot())
            .arg("-F")
            .arg("-c")
            .arg(&self.conf)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("dovecot runs (apt-get install dovecot-imapd; .ci/run installs it)");
        self.child = Some(child);
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "dovecot did not start: {}",
                std::fs::read_to_string(self.dir.join("dovecot.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stops the server (the test of a server down).
    pub fn down(&mut self) {
        if let Some(mut child) = self.child.take() {
            // Its IMAP processes first: a server that goes down drops the connections it
            // serves (a screen waiting in IDLE must see it), which the master alone might not.
            let _ = Command::new("pkill")
                .args(["-KILL", "-P", &child.id().to_string(), "imap"])
                .status();
            let _ = Command::new("kill").arg(child.id().to_string()).status();
            let _ = child.wait();
        }
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", self.port)).is_ok()
            && start.elapsed() < Duration::from_secs(10)
        {
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Puts a message in the mailbox with IMAP APPEND (Python's imaplib).
    pub fn append(&self, message: &[u8]) {
        let script = r#"
import imaplib, sys
m = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]))
m.login(sys.argv[2], sys.argv[3])
m.append("INBOX", None, None, sys.stdin.buffer.read())
m.logout()
"#;
        let mut child = Command::new("python3")
            .args(["-c", script, &self.port.to_string(), USER, PASSWORD])
            .stdin(Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write as _;
        child.stdin.take().unwrap().write_all(message).unwrap();
        assert!(child.wait().unwrap().success(), "APPEND failed");
    }

    /// Puts `n` mails that are no replies to hikeshi in the mailbox, the way years of a
    /// division's mail sit there: written straight into its Maildir (`new/`, picked up and
    /// numbered by the server's next look), about 2 KB each, received one every ten minutes
    /// up to `days_back` days before now, some of them replies to other mail and some carrying
    /// other incidents' codes. Returns their total size in bytes.
    pub fn fill(&self, n: usize, days_back: u64) -> u64 {
        let maildir = self.dir.join("mail").join(USER);
        for sub in ["cur", "new", "tmp"] {
            std::fs::create_dir_all(maildir.join(sub)).unwrap();
        }
        let now = std::time::SystemTime::now();
        let span = Duration::from_secs(days_back * 86_400);
        let padding =
            "市民の皆様からのお問い合わせへの回答案を添付します。ご確認ください。\r\n".repeat(20);
        let mut total = 0u64;
        for i in 0..n {
            let (subject, thread) = match i % 10 {
                0 => (
                    format!("Re: 【第一報】別件 [HK-{:08}]", i % 99_999_999),
                    String::new(),
                ),
                1 => (
                    format!("Re: 会議の件 {i}"),
                    format!("In-Reply-To: <other-{i}@city.example.jp>\r\n"),
                ),
                _ => (format!("定例報告 第{i}号"), String::new()),
            };
            let mail = format!(
                "From: 職員{i} <staff{i}@city.example.jp>\r\nTo: koho@city.example.jp\r\nSubject: {subject}\r\nMessage-ID: <filler-{i}@city.example.jp>\r\n{thread}Date: Fri, 20 Nov 2026 09:00:00 +0900\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{padding}"
            );
            let path = maildir
                .join("new")
                .join(format!("1700000000.M{i}P1.filler"));
            std::fs::write(&path, mail.as_bytes()).unwrap();
            total += mail.len() as u64;
            let back = span.saturating_sub(Duration::from_secs(600 * i as u64));
            let received = now.checked_sub(back).unwrap_or(now);
            std::fs::File::options()
                .write(true)
                .open(&path)
                .unwrap()
                .set_modified(received)
                .unwrap();
        }
        hand_over_mail(&self.dir.join("mail"));
        total
    }

    /// The `[imap]` table for hikeshi.toml, plain on 127.0.0.1 at `port` (a proxy in front of
    /// the server), with `timeout_secs`.
    pub fn config_at(&self, port: u16, timeout_secs: u64) -> String {
        format!(
            "[imap]\nhost = \"127.0.0.1\"\nport = {port}\ntls = \"none\"\nusername = \"{USER}\"\npassword_env = \"TEST_IMAP_PASSWORD\"\ntimeout_secs = {timeout_secs}\n"
        )
    }

    /// The `[imap]` table for hikeshi.toml.
    pub fn config(&self, tls: &str) -> String {
        let (host, port) = match tls {
            "tls" => ("localhost", self.tls_port),
            "starttls" => ("localhost", self.port),
            _ => ("127.0.0.1", self.port),
        };
        format!(
            "[imap]\nhost = \"{host}\"\nport = {port}\ntls = \"{tls}\"\nusername = \"{USER}\"\npassword_env = \"TEST_IMAP_PASSWORD\"\nca_file = \"{}\"\ntimeout_secs = 10\n",
            self.ca.display()
        )
    }
}

impl Drop for ImapServer {
    fn drop(&mut self) {
        self.down();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A reply to `message` (as listed by `outbox --json`): who sends it, its Message-ID, its
/// subject, whether it threads to the message, and its first line; optionally in another
/// charset (the whole mail as a Japanese client writes it), with an HTML part, or with
/// extra headers above the others (what the receiving server adds).
pub struct Reply<'a> {
    pub to: &'a Value,
    pub from: String,
    pub id: &'a str,
    pub subject: String,
    pub threads: bool,
    pub first_line: &'a str,
    /// `utf-8` (8bit), or `iso-2022-jp`, `shift_jis`, `cp932`, `euc-jp` (headers as encoded
    /// words).
    pub charset: &'static str,
    /// An HTML part beside the plain one (multipart/alternative).
    pub html: Option<String>,
    /// Header lines put first, e.g. `Authentication-Results: …`.
    pub headers: String,
}

impl<'a> Reply<'a> {
    pub fn to(message: &'a Value, id: &'a str, first_line: &'a str) -> Reply<'a> {
        Reply {
            to: message,
            from: message["address"].as_str().unwrap().to_string(),
            id,
            subject: format!("Re: {}", message["subject"].as_str().unwrap()),
            threads: true,
            first_line,
            charset: "utf-8",
            html: None,
            headers: String::new(),
        }
    }

    /// The text in this reply's charset, and an encoded word for headers.
    fn encode(&self, text: &str) -> (Vec<u8>, String) {
        use base64::Engine as _;
        // Windows' name for Shift_JIS as Microsoft extends it, which WHATWG does not list.
        let label = if self.charset == "cp932" {
            "shift_jis"
        } else {
            self.charset
        };
        let encoding = encoding_rs::Encoding::for_label(label.as_bytes()).unwrap();
        let (bytes, _, lossy) = encoding.encode(text);
        assert!(!lossy, "{text} has no {} form", self.charset);
        let word = format!(
            "=?{}?B?{}?=",
            self.charset,
            base64::engine::general_purpose::STANDARD.encode(&bytes)
        );
        (bytes.into_owned(), word)
    }

    pub fn bytes(&self) -> Vec<u8> {
        let original = self.to["message_id"].as_str().unwrap();
        let thread = if self.threads {
            format!("In-Reply-To: <{original}>\r\nReferences: <{original}>\r\n")
        } else {
            String::new()
        };
        let text = format!("{}\r\n\r\n> 元のメール\r\n", self.first_line);
        let (name, subject, body, cte) = if self.charset == "utf-8" {
            (
                "佐藤 課長".to_string(),
                self.subject.clone(),
                text.into_bytes(),
                "8bit",
            )
        } else {
            let cte = if self.charset == "iso-2022-jp" {
                "7bit"
            } else {
                "8bit"
            };
            (
                self.encode("佐藤 課長").1,
                self.encode(&self.subject).1,
                self.encode(&text).0,
                cte,
            )
        };
        let mut out = format!(
            "{}From: {name} <{}>\r\nTo: koho@city.example.jp\r\nSubject: {subject}\r\nMessage-ID: <{}>\r\n{thread}Date: Fri, 20 Nov 2026 22:30:00 +0900\r\nMIME-Version: 1.0\r\n",
            self.headers, self.from, self.id
        )
        .into_bytes();
        let plain_headers = format!(
            "Content-Type: text/plain; charset={}\r\nContent-Transfer-Encoding: {cte}\r\n\r\n",
            self.charset
        );
        match &self.html {
            None => {
                out.extend(plain_headers.as_bytes());
                out.extend(body);
            }
            Some(html) => {
                out.extend(b"Content-Type: multipart/alternative; boundary=\"b0\"\r\n\r\n--b0\r\n");
                out.extend(plain_headers.as_bytes());
                out.extend(body);
                out.extend(
                    format!(
                        "\r\n--b0\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{html}\r\n--b0--\r\n"
                    )
                    .as_bytes(),
                );
            }
        }
        out
    }
}
