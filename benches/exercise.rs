//! A stock scenario played to the end by the autopilot, through the library: load and check
//! the scenario, start the incident (folder, frozen files, journal), give every inject, work
//! every step, write every message to the outbox, close, record the review and score. Each
//! run makes a new incident in a temporary folder, with the fsyncs a real one has.
//!
//! Run: `cargo bench --bench exercise`. Results: docs/performance.md.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use hikeshi::exercise::{self, ScenarioRef, Session};
use hikeshi::notify::{Config, Transport};
use hikeshi::playbook::CompileOptions;

fn autopilot(c: &mut Criterion) {
    let mut group = c.benchmark_group("exercise_autopilot");
    group.sample_size(20);
    for id in exercise::stock_ids() {
        let scenario = ScenarioRef::Stock(id.to_string());
        group.bench_with_input(BenchmarkId::from_parameter(id), &scenario, |b, scenario| {
            b.iter(|| {
                let dir = tempfile::tempdir().unwrap();
                let loaded = exercise::load(scenario, &CompileOptions::default()).unwrap();
                let (mut session, mut incident) =
                    Session::begin(dir.path(), &loaded, "訓練", 0.0, false).unwrap();
                let run = exercise::autopilot(
                    &mut session,
                    &mut incident,
                    &Config::default(),
                    &Transport::File,
                    "訓練",
                )
                .unwrap();
                black_box(run.score)
            });
        });
    }
    group.finish();
}

criterion_group!(benches, autopilot);
criterion_main!(benches);
