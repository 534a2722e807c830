//! The journal: replaying a 100,000-event incident; appending with an fsync per event (the lock
//! held, as one writer once did, and taken per append, as several writers do) side by side with
//! a bare write+fsync loop on the same disk; and what a live view pays to see another's append.
//!
//! Run: `cargo bench --bench journal`. Results: docs/performance.md.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::fs::OpenOptions;
use std::hint::black_box;
use std::io::Write as _;

use chrono::DateTime;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hikeshi::incident::IncidentRecord;
use hikeshi::journal::{JournalWriter, NewEntry};

#[path = "support/generate.rs"]
mod generate;
use generate::generated_incident;

fn replay(c: &mut Criterion) {
    let root = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let dir = generated_incident(root.path(), 100_000);
    let record = IncidentRecord::load(&dir).unwrap();
    assert_eq!(record.entries, 100_000);
    let mut group = c.benchmark_group("replay");
    group.sample_size(10);
    group.throughput(Throughput::Elements(100_000));
    group.bench_function("100000-events", |b| {
        b.iter(|| IncidentRecord::load(black_box(&dir)).map(|r| r.entries))
    });
    // The journal alone: read, check every hash and the chain, no events decoded.
    let path = dir.join("journal.jsonl");
    group.bench_function("100000-events-verify-only", |b| {
        b.iter(|| {
            hikeshi::journal::read_with(black_box(&path), |_| {
                Ok::<(), hikeshi::journal::JournalError>(())
            })
            .map(|s| s.entries)
        })
    });
    group.finish();
}

fn append(c: &mut Criterion) {
    let root = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let time = DateTime::parse_from_rfc3339("2026-11-22T14:03:00+09:00").unwrap();
    let payload = r#"{"text":"経過メモ: 広報広聴課へ電話で連絡済み","step":"report-to-divisions"}"#;
    let mut journal = JournalWriter::create(&root.path().join("journal.jsonl")).unwrap();
    let note = [NewEntry {
        time,
        actor: "田中",
        kind: "note_added",
        payload,
    }];
    let held = journal.lock().unwrap();
    // The bare loop writes a line of the same length as the journal's.
    let sample = journal.append(&held, &note).unwrap();
    let line_len = {
        let text = std::fs::read_to_string(root.path().join("journal.jsonl")).unwrap();
        text.len()
    };
    drop(sample);
    let bare_line = format!("{}\n", "x".repeat(line_len - 1));
    let mut bare = OpenOptions::new()
        .create(true)
        .append(true)
        .open(root.path().join("bare.jsonl"))
        .unwrap();

    let mut group = c.benchmark_group("append-fsync");
    group.throughput(Throughput::Elements(1));
    // As one writer alone once worked: the lock taken once and held for the session.
    group.bench_function("journal-lock-held", |b| {
        b.iter(|| journal.append(&held, &note).map(|e| e.len()))
    });
    drop(held);
    // As several writers share a journal: per append, take the lock, read what others
    // appended, append, let go.
    group.bench_function("journal-lock-per-append", |b| {
        b.iter(|| {
            let lock = journal.lock().unwrap();
            let others = journal.catch_up(&lock).unwrap();
            journal
                .append(&lock, &note)
                .map(|e| e.len() + others.entries.len())
        })
    });
    group.bench_function("bare-write-fsync", |b| {
        b.iter(|| {
            bare.write_all(bare_line.as_bytes())
                .and_then(|()| bare.sync_data())
        })
    });
    group.finish();
}

/// What a live view (another person's screen) pays to see an append: its unlocked refresh,
/// reading and verifying the new line. The screen looks every 200 ms, so another process's act
/// appears after at most that interval plus this.
fn refresh(c: &mut Criterion) {
    let root = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let time = DateTime::parse_from_rfc3339("2026-11-22T14:03:00+09:00").unwrap();
    let payload = r#"{"text":"経過メモ: 広報広聴課へ電話で連絡済み","step":"report-to-divisions"}"#;
    let path = root.path().join("journal.jsonl");
    let mut writer = JournalWriter::create(&path).unwrap();
    let (mut viewer, _) = JournalWriter::open(&path).unwrap();
    let mut group = c.benchmark_group("live-view");
    group.bench_function("refresh-after-one-append", |b| {
        b.iter_custom(|iterations| {
            let mut spent = std::time::Duration::ZERO;
            for _ in 0..iterations {
                let lock = writer.lock().unwrap();
                writer.catch_up(&lock).unwrap();
                writer
                    .append(
                        &lock,
                        &[NewEntry {
                            time,
                            actor: "鈴木",
                            kind: "note_added",
                            payload,
                        }],
                    )
                    .unwrap();
                drop(lock);
                let began = std::time::Instant::now();
                let seen = viewer.refresh().unwrap();
                spent += began.elapsed();
                assert_eq!(seen.len(), 1);
            }
            spent
        })
    });
    group.bench_function("refresh-nothing-new", |b| {
        b.iter(|| viewer.refresh().map(|e| e.len()))
    });
    group.finish();
}

criterion_group!(benches, replay, append, refresh);
criterion_main!(benches);
