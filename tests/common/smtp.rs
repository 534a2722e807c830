//! A real SMTP server (Python's aiosmtpd) on 127.0.0.1 for the mail tests, and a real mail
//! parser (Python's email package) to read what it received; the same Python checks the
//! reports (html5lib, csv, jsonschema). The first test to need them
//! installs both into a virtualenv under target/ (one install, shared by every test
//! process through a file lock); if that fails, the test fails: these tests are never
//! skipped.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// Real, independent tools the tests check hikeshi's output with: an SMTP server, a test
/// certificate authority, an HTML5 parser, a JSON Schema validator, readers of Excel and Word
/// files.
const PACKAGES: [&str; 6] = [
    "aiosmtpd==1.4.6",
    "trustme==1.2.1",
    "html5lib==1.1",
    "jsonschema==4.23.0",
    "openpyxl==3.1.5",
    "python-docx==1.2.0",
];

fn venv() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("smtp-venv")
}

/// The virtualenv's Python, with aiosmtpd and trustme installed.
pub fn python() -> PathBuf {
    let venv = venv();
    let python = venv.join("bin").join("python");
    std::fs::create_dir_all(venv.parent().unwrap()).unwrap();
    let lock = std::fs::File::create(venv.with_extension("lock")).unwrap();
    lock.lock().unwrap();
    let ready = venv.join(".ready");
    // Reinstalled when the list changes.
    if std::fs::read_to_string(&ready).ok().as_deref() != Some(PACKAGES.join("\n").as_str()) {
        let _ = std::fs::remove_dir_all(&venv);
        let status = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .expect("python3 runs (needed for the SMTP test server)");
        assert!(status.success(), "python3 -m venv failed");
        let output = Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ])
            .args(PACKAGES)
            .output()
            .expect("pip runs");
        assert!(
            output.status.success(),
            "installing {PACKAGES:?} for the SMTP tests failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        std::fs::write(&ready, PACKAGES.join("\n")).unwrap();
    }
    drop(lock);
    python
}

/// Runs `script` with the test virtualenv's Python, `input` on its standard input; its
/// standard output (a failing script fails the test with its standard error). Unix only: the
/// test process on Windows cannot start Linux's python3.
pub fn run_python(script: &str, input: &[u8]) -> String {
    let mut child = Command::new(python())
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A free port on 127.0.0.1 (nothing listens on it when this returns).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// How the server protects its connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// Plain SMTP.
    Plain,
    /// STARTTLS required.
    StartTls,
    /// TLS from the first byte.
    Smtps,
}

/// A running aiosmtpd; stopped when dropped.
pub struct SmtpServer {
    child: Child,
    stdin: Option<ChildStdin>,
    pub port: u16,
    pub maildir: PathBuf,
    /// The CA certificate that signed the server's certificate (TLS modes).
    pub ca: Option<PathBuf>,
}

impl SmtpServer {
    /// Starts a server on `port`, storing mail under `dir/maildir`.
    pub fn start(dir: &Path, port: u16, security: Security, auth: Option<&str>) -> SmtpServer {
        let maildir = dir.join(format!("maildir-{port}"));
        let certs = dir.join(format!("certs-{port}"));
        std::fs::create_dir_all(&certs).unwrap();
        let script = super::root().join("tests/support/smtpd.py");
        let mut cmd = Command::new(python());
        cmd.arg(script)
            .arg("--port")
            .arg(port.to_string())
            .arg("--maildir")
            .arg(&maildir);
        match security {
            Security::Plain => {}
            Security::StartTls => {
                cmd.arg("--starttls").arg(&certs);
            }
            Security::Smtps => {
                cmd.arg("--smtps").arg(&certs);
            }
        }
        if let Some(auth) = auth {
            cmd.arg("--auth").arg(auth);
        }
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the SMTP test server starts");
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        assert_eq!(line.trim(), "READY", "the SMTP test server did not start");
        let stdin = child.stdin.take();
        SmtpServer {
            child,
            stdin,
            port,
            maildir,
            ca: (security != Security::Plain).then(|| certs.join("ca.pem")),
        }
    }

    /// Every message the server has accepted, parsed by Python's email package.
    pub fn messages(&self) -> Vec<Value> {
        if !self.maildir.exists() {
            return Vec::new();
        }
        parse_mail(&[self.maildir.as_path()])
    }

    /// Waits until the server holds `n` messages (or fails after 30 s).
    pub fn wait_for(&self, n: usize) -> Vec<Value> {
        let start = Instant::now();
        loop {
            let messages = self.messages();
            if messages.len() >= n {
                return messages;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "the server got {} of {n} messages",
                messages.len()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stops the server.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Some(mut stdin) = self.stdin.take() {
            let _ = stdin.flush();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Parses .eml files or Maildir folders with Python's email package.
pub fn parse_mail(paths: &[&Path]) -> Vec<Value> {
    let output = Command::new(python())
        .arg(super::root().join("tests/support/maildump.py"))
        .args(paths)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "maildump failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    match serde_json::from_slice::<Value>(&output.stdout).unwrap() {
        Value::Array(a) => a,
        other => panic!("maildump printed {other}"),
    }
}
