//! The journal: replaying a 100,000-event incident, and appending with an fsync per event
//! side by side with a bare write+fsync loop on the same disk.
//!
//! Run: `cargo bench --bench journal`. Results: docs/performance.md.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::fs::OpenOptions;
use std::hint::black_box;
use std::io::Write as _;
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, TimeDelta};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hikeshi::catalog::{self, DivisionsRef, PlaybookRef};
use hikeshi::clock::SimulatedClock;
use hikeshi::incident::{Event, Incident, IncidentRecord, StartParams};
use hikeshi::journal::{JournalWriter, NewEntry};
use hikeshi::playbook::CompileOptions;

/// Starts an incident on the stock 不正アクセス playbook and appends `events` realistic
/// events (notes, observations, evidence, steps done and reopened, decisions changed) in
/// batches, so generating it does not take 100,000 fsyncs.
fn generated_incident(root: &Path, events: usize) -> std::path::PathBuf {
    let start = DateTime::parse_from_rfc3339("2026-11-22T14:03:00+09:00").unwrap();
    let clock = Arc::new(SimulatedClock::fixed(start));
    let playbook = PlaybookRef::Stock("unauthorized-access".into());
    let loaded =
        catalog::load_playbook(&playbook, &DivisionsRef::Stock, &CompileOptions::default())
            .unwrap();
    let params = StartParams {
        title: "公式Xアカウントの乗っ取り".into(),
        account: Some("@city_official".into()),
        platform: Some(hikeshi::playbook::Platform::X),
        operator: "田中".into(),
        severity: None,
        exercise: false,
    };
    let incident = Incident::start(root, &loaded, params, clock).unwrap();
    let dir = incident.dir().to_path_buf();
    let steps: Vec<String> = incident
        .playbook()
        .graph
        .steps()
        .iter()
        .map(|s| s.id.clone())
        .collect();
    drop(incident);
    let (mut journal, _) = JournalWriter::open(&dir.join("journal.jsonl")).unwrap();
    let mut batch: Vec<(String, String, DateTime<chrono::FixedOffset>)> = Vec::new();
    for i in 1..events {
        let step = steps[i % steps.len()].clone();
        let event = match i % 10 {
            0..=2 => Event::NoteAdded {
                text: format!("経過メモ {i}: 問合せ対応中"),
                step: None,
            },
            3 | 4 => Event::ObservationRecorded {
                step: step.clone(),
                text: format!("言及数 {} 件/時", i % 500),
            },
            5 => Event::EvidenceAttached {
                step: step.clone(),
                evidence: hikeshi::incident::EvidenceRecord::Url {
                    url: format!("https://x.example/city_official/status/{i}"),
                },
                note: Some("不審な投稿".into()),
            },
            6 | 7 => Event::StepCompleted {
                step: step.clone(),
                note: Some("対応済み".into()),
                forced: None,
            },
            8 => Event::StepReopened {
                step: step.clone(),
                reason: "再確認".into(),
            },
            _ => Event::DecisionMade {
                step: "assess-severity".into(),
                option: ["low", "medium", "high"][i % 3].into(),
                reason: Some("状況の変化".into()),
                previous: None,
                forced: None,
            },
        };
        let (kind, payload) = event.encode().unwrap();
        batch.push((kind, payload, start + TimeDelta::seconds(i as i64)));
        if batch.len() == 5_000 || i + 1 == events {
            let new: Vec<NewEntry<'_>> = batch
                .iter()
                .map(|(kind, payload, time)| NewEntry {
                    time: *time,
                    actor: "田中",
                    kind,
                    payload,
                })
                .collect();
            journal.append(&new).unwrap();
            batch.clear();
        }
    }
    dir
}

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
            hikeshi::journal::read_with(black_box(&path), |_| Ok::<(), ()>(()))
                .map(|r| r.map(|s| s.entries))
        })
    });
    group.finish();
}

fn append(c: &mut Criterion) {
    let root = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let time = DateTime::parse_from_rfc3339("2026-11-22T14:03:00+09:00").unwrap();
    let payload = r#"{"text":"経過メモ: 広報広聴課へ電話で連絡済み","step":"report-to-divisions"}"#;
    let mut journal = JournalWriter::create(&root.path().join("journal.jsonl")).unwrap();
    // The bare loop writes a line of the same length as the journal's.
    let sample = journal
        .append(&[NewEntry {
            time,
            actor: "田中",
            kind: "note_added",
            payload,
        }])
        .unwrap();
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
    group.bench_function("journal", |b| {
        b.iter(|| {
            journal
                .append(&[NewEntry {
                    time,
                    actor: "田中",
                    kind: "note_added",
                    payload,
                }])
                .map(|e| e.len())
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

criterion_group!(benches, replay, append);
criterion_main!(benches);
