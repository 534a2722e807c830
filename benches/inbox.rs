//! Replies count, how fast: a reply put in the mailbox of a real IMAP server (Dovecot on
//! 127.0.0.1, which offers IDLE) → the acknowledgement in the incident's journal, recorded by a
//! running `hikeshi inbox --watch`, the same watch an open screen runs (the screen then shows
//! it within its 200 ms refresh). Each sample starts before the reply's IMAP APPEND (a Python
//! imaplib client, about 50 ms of it) and ends when the journal holds the record.
//!
//! Run: `cargo bench --bench inbox` (Unix; needs `dovecot`, as the tests do).
//! Results: docs/performance.md.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[cfg(unix)]
#[path = "../tests/common/imap.rs"]
mod imap;
#[cfg(unix)]
#[path = "../tests/common/smtp.rs"]
mod smtp;

use criterion::{Criterion, criterion_group, criterion_main};

/// The repository root (the SMTP helper finds its Python scripts from here).
#[cfg(unix)]
fn root() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[cfg(unix)]
fn reply_to_screen(c: &mut Criterion) {
    use std::path::Path;
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    let server = imap::ImapServer::start(Path::new("."));
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let toml = dir.path().join("hikeshi.toml");
    std::fs::write(
        &toml,
        format!(
            "[mail]\nfrom = \"koho@city.example.jp\"\n{}",
            server.config("none")
        ),
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
        "返信の速さ",
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
    let mut watch = Command::new(env!("CARGO_BIN_EXE_hikeshi"))
        .current_dir(dir.path())
        .env("HIKESHI_CONFIG", &toml)
        .env("HIKESHI_OPERATOR", "田中")
        .env("TEST_IMAP_PASSWORD", imap::PASSWORD)
        .args(["inbox", inc, "--watch"])
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let journal = incident.join("journal.jsonl");
    let recorded = || {
        std::fs::read_to_string(&journal)
            .unwrap_or_default()
            .matches("\"kind\":\"reply_recorded\"")
            .count()
    };
    let mut n = 0u64;
    c.bench_function("reply in the mailbox to its record (IDLE)", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                n += 1;
                let id = format!("bench-{n}@city.example.jp");
                let before = recorded();
                let reply = imap::Reply::to(&first, &id, "了解しました");
                let t = Instant::now();
                server.append(&reply.bytes());
                while recorded() == before {
                    assert!(
                        t.elapsed() < Duration::from_secs(60),
                        "the reply was never recorded"
                    );
                    std::thread::sleep(Duration::from_millis(2));
                }
                total += t.elapsed();
            }
            total
        });
    });
    let _ = watch.kill();
    let _ = watch.wait();
}

#[cfg(not(unix))]
fn reply_to_screen(_: &mut Criterion) {}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).measurement_time(std::time::Duration::from_secs(20));
    targets = reply_to_screen
}
criterion_main!(benches);
