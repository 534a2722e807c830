//! Sending 50 messages to a real SMTP server (aiosmtpd on 127.0.0.1): hikeshi's outbox
//! worker (pooled connections, up to 8 at once) beside a naive sender that opens one
//! connection per message, one message after another, in the same run.
//!
//! Run: `cargo bench --bench notify` (installs aiosmtpd into target/ on first use).
//! Results: docs/performance.md.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../tests/common/smtp.rs"]
mod smtp;

use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hikeshi::digest::sha256_hex;
use hikeshi::notify::{CONCURRENT_SENDS, Config, Job, Outcome, Transport};

/// What `notify::deliver_each` does with claimed jobs: up to [`CONCURRENT_SENDS`] at once over
/// the transport's pooled connections (the claims are files of an incident, left out here).
async fn deliver_all(transport: &Transport, jobs: Vec<Job>) -> Vec<Outcome> {
    use futures_util::StreamExt as _;
    futures_util::stream::iter(jobs)
        .map(|job| async move { transport.deliver(&job).await })
        .buffer_unordered(CONCURRENT_SENDS)
        .collect()
        .await
}

/// The repository root (the SMTP helper finds its Python scripts from here).
fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

const MESSAGES: usize = 50;

/// 50 realistic messages (a Japanese subject and body, base64) saved as .eml files.
fn jobs(dir: &Path) -> Vec<Job> {
    (1..=MESSAGES as u32)
        .map(|n| {
            let body = "情報政策課 御中\r\n\r\n例示市公式Xアカウントで不正アクセスの疑いがあります。\r\n".repeat(8);
            let eml = format!(
                "From: koho@city.example.jp\r\nTo: joho{n}@city.example.jp\r\nSubject: =?utf-8?b?44CQ6Iez5oCl44CR?=\r\nMessage-ID: <bench.{n}@city.example.jp>\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}"
            );
            let path = dir.join(format!("{n:04}.eml"));
            std::fs::write(&path, &eml).unwrap();
            Job {
                message: n,
                address: format!("joho{n}@city.example.jp"),
                path,
                file: format!("outbox/{n:04}.eml"),
                sha256: sha256_hex(eml.as_bytes()),
                channel: None,
                key: format!("bench.{n}@city.example.jp"),
            }
        })
        .collect()
}

fn config(dir: &Path, port: u16) -> Config {
    let path = dir.join("hikeshi.toml");
    std::fs::write(
        &path,
        format!(
            "[smtp]\nhost = \"127.0.0.1\"\nport = {port}\ntls = \"none\"\nfrom = \"koho@city.example.jp\"\n"
        ),
    )
    .unwrap();
    Config::read(&path).unwrap()
}

fn all_sent(outcomes: &[Outcome]) {
    assert_eq!(outcomes.len(), MESSAGES);
    for o in outcomes {
        assert!(matches!(o, Outcome::Sent { .. }), "{o:?}");
    }
}

fn send_50(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let server =
        smtp::SmtpServer::start(dir.path(), smtp::free_port(), smtp::Security::Plain, None);
    let jobs = jobs(dir.path());
    let config = config(dir.path(), server.port);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut group = c.benchmark_group("send_50_messages");
    group.sample_size(10);
    group.throughput(Throughput::Elements(MESSAGES as u64));
    // hikeshi: one transport for the incident, its pool shared by every send.
    let transport = Transport::from_config(&config).unwrap();
    group.bench_function("hikeshi_pooled", |b| {
        b.iter(|| {
            let outcomes = runtime.block_on(deliver_all(&transport, jobs.clone()));
            all_sent(&outcomes);
        });
    });
    // Naive: a new connection for every message, one after another.
    group.bench_function("naive_connection_per_message", |b| {
        b.iter(|| {
            let outcomes: Vec<Outcome> = runtime.block_on(async {
                let mut out = Vec::new();
                for job in &jobs {
                    let fresh = Transport::from_config(&config).unwrap();
                    out.push(fresh.deliver(job).await);
                }
                out
            });
            all_sent(&outcomes);
        });
    });
    group.finish();
    drop(transport);
    server.stop();
}

criterion_group!(benches, send_50);
criterion_main!(benches);
