//! A long incident for the benchmarks: the stock 不正アクセス playbook with many realistic
//! events, written in batches.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, TimeDelta};
use hikeshi::catalog::{self, DivisionsRef, PlaybookRef};
use hikeshi::clock::SimulatedClock;
use hikeshi::incident::{Event, Incident, StartParams};
use hikeshi::journal::{JournalWriter, NewEntry};
use hikeshi::playbook::CompileOptions;

/// Starts an incident on the stock 不正アクセス playbook and appends `events` realistic
/// events (notes, observations, evidence, steps done and reopened, decisions changed) in
/// batches, so generating it does not take 100,000 fsyncs.
pub fn generated_incident(root: &Path, events: usize) -> std::path::PathBuf {
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
        facts: Default::default(),
        origin: None,
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
    let lock = journal.lock().unwrap();
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
                posted: None,
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
            journal.append(&lock, &new).unwrap();
            batch.clear();
        }
    }
    dir
}
