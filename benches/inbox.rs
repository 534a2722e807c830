//! Replies count, how fast: a reply put in the mailbox of a real IMAP server (Dovecot on
//! 127.0.0.1, which offers IDLE) → the acknowledgement in the incident's journal, recorded by a
//! running `hikeshi inbox --watch`, the same watch an open screen runs (the screen then shows
//! it within its 200 ms refresh). Each sample starts before the reply's IMAP APPEND (a Python
//! imaplib client, about 50 ms of it) and ends when the journal holds the record.
//!
//! The mailbox of a real 課: the same over a box of 10,000 other mails, with hikeshi behind a
//! delaying TCP proxy (tests/common/proxy.rs) at 6 and 20 ms round trip. The first look (the
//! watch started, to `inbox/seen.json` written), the watch's peak memory (VmHWM) and the bytes
//! the server sent are printed beside criterion's figures.
//!
//! Run: `cargo bench --bench inbox` (Unix; needs `dovecot`, as the tests do).
//! Results: docs/performance.md.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[cfg(unix)]
#[path = "../tests/common/imap.rs"]
mod imap;
#[cfg(unix)]
#[path = "../tests/common/proxy.rs"]
mod proxy;
#[cfg(unix)]
#[path = "../tests/common/smtp.rs"]
mod smtp;

use criterion::{Criterion, criterion_group, criterion_main};

/// The repository root (the SMTP helper finds its Python scripts from here).
#[cfg(unix)]
fn root() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// An incident whose first report went to the outbox, `[imap]` as given, and a running
/// `hikeshi inbox --watch` on it.
#[cfg(unix)]
struct Watched {
    _dir: tempfile::TempDir,
    incident: std::path::PathBuf,
    first: serde_json::Value,
    watch: std::process::Child,
    started: std::time::Instant,
}

#[cfg(unix)]
impl Watched {
    fn start(imap: &str, title: &str) -> Watched {
        use std::path::Path;
        use std::process::{Command, Stdio};

        let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
        let toml = dir.path().join("hikeshi.toml");
        std::fs::write(
            &toml,
            format!("[mail]\nfrom = \"koho@city.example.jp\"\n{imap}"),
        )
        .unwrap();
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mail");
        let hikeshi = |args: &[&str]| {
            let out = Command::new(env!("CARGO_BIN_EXE_hikeshi"))
                .current_dir(dir.path())
                .env("HIKESHI_CONFIG", &toml)
                .env("HIKESHI_OPERATOR", "田中")
                .args(args)
                .output()
                .unwrap();
            assert!(out.status.success(), "{args:?}: {out:?}");
            String::from_utf8(out.stdout).unwrap()
        };
        let playbook = fixtures.join("playbook.yaml");
        let started = hikeshi(&[
            "start",
            playbook.to_str().unwrap(),
            "--title",
            title,
            "--account",
            "@city_official",
        ]);
        let incident = dir.path().join(started.lines().last().unwrap());
        let inc = incident.to_str().unwrap();
        hikeshi(&["done", inc, "detect"]);
        hikeshi(&["notify", inc, "first-report"]);
        let outbox: serde_json::Value =
            serde_json::from_str(&hikeshi(&["outbox", inc, "--json"])).unwrap();
        let first = outbox["messages"][0].clone();
        let started = std::time::Instant::now();
        let watch = Command::new(env!("CARGO_BIN_EXE_hikeshi"))
            .current_dir(dir.path())
            .env("HIKESHI_CONFIG", &toml)
            .env("HIKESHI_OPERATOR", "田中")
            .env("TEST_IMAP_PASSWORD", imap::PASSWORD)
            .args(["inbox", inc, "--watch"])
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        Watched {
            _dir: dir,
            incident,
            first,
            watch,
            started,
        }
    }

    /// How long the watch's first look took (from its start to `inbox/seen.json`).
    fn first_look(&self) -> std::time::Duration {
        let seen = self.incident.join("inbox").join("seen.json");
        while !seen.exists() {
            assert!(
                self.started.elapsed() < std::time::Duration::from_secs(120),
                "the first look never ended"
            );
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        self.started.elapsed()
    }

    fn recorded(&self) -> usize {
        std::fs::read_to_string(self.incident.join("journal.jsonl"))
            .unwrap_or_default()
            .matches("\"kind\":\"reply_recorded\"")
            .count()
    }

    /// The watch's peak resident memory so far (VmHWM), in KiB.
    fn peak_kib(&self) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.watch.id()))
            .unwrap_or_default()
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    }

    /// Measures `iters` replies: APPEND → the record in the journal.
    fn replies(&self, server: &imap::ImapServer, n: &mut u64, iters: u64) -> std::time::Duration {
        use std::time::{Duration, Instant};
        let mut total = Duration::ZERO;
        for _ in 0..iters {
            *n += 1;
            let id = format!("bench-{n}@city.example.jp");
            let before = self.recorded();
            let reply = imap::Reply::to(&self.first, &id, "了解しました");
            let t = Instant::now();
            server.append(&reply.bytes());
            while self.recorded() == before {
                assert!(
                    t.elapsed() < Duration::from_secs(60),
                    "the reply was never recorded"
                );
                std::thread::sleep(Duration::from_millis(2));
            }
            total += t.elapsed();
        }
        total
    }
}

#[cfg(unix)]
impl Drop for Watched {
    fn drop(&mut self) {
        let _ = self.watch.kill();
        let _ = self.watch.wait();
    }
}

#[cfg(unix)]
fn reply_to_screen(c: &mut Criterion) {
    let server = imap::ImapServer::start(std::path::Path::new("."));
    let watched = Watched::start(&server.config("none"), "返信の速さ");
    let first_look = watched.first_look();
    let mut n = 0u64;
    c.bench_function("reply in the mailbox to its record (IDLE)", |b| {
        b.iter_custom(|iters| watched.replies(&server, &mut n, iters));
    });
    eprintln!(
        "empty mailbox: first look {first_look:?}; watch peak memory {} KiB after {n} replies",
        watched.peak_kib()
    );
}

/// The mailbox of a real 課: 10,000 other mails, all received today (the hardest case: the
/// first look's `SINCE` excludes none of them), hikeshi 6 or 20 ms of round trip away.
#[cfg(unix)]
fn reply_in_a_busy_mailbox(c: &mut Criterion) {
    use std::time::Duration;

    let server = imap::ImapServer::start(std::path::Path::new("."));
    let bytes = server.fill(10_000, 0);
    eprintln!("mailbox: 10,000 other mails, {bytes} bytes");
    for rtt in [6u64, 20] {
        let proxy = proxy::Proxy::start(server.port, Duration::from_micros(rtt * 500));
        let watched = Watched::start(&server.config_at(proxy.port, 10), "混み合った受信箱");
        let first_look = watched.first_look();
        let (peak_first, bytes_first) = (watched.peak_kib(), proxy.bytes_from_server());
        let mut n = 0u64;
        c.bench_function(
            &format!("reply to its record, 10,000 other mails, {rtt} ms RTT (IDLE)"),
            |b| b.iter_custom(|iters| watched.replies(&server, &mut n, iters)),
        );
        eprintln!(
            "{rtt} ms RTT: first look {first_look:?}, {bytes_first} bytes from the server, peak memory {peak_first} KiB; after {n} replies: {} bytes from the server, peak memory {} KiB",
            proxy.bytes_from_server(),
            watched.peak_kib()
        );
    }
}

#[cfg(not(unix))]
fn reply_to_screen(_: &mut Criterion) {}

#[cfg(not(unix))]
fn reply_in_a_busy_mailbox(_: &mut Criterion) {}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).measurement_time(std::time::Duration::from_secs(20));
    targets = reply_to_screen, reply_in_a_busy_mailbox
}
criterion_main!(benches);
