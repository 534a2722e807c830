//! `hikeshi summary` over 200 incidents: 100 exercises played to the end by the autopilot
//! (the ten stock scenarios in turn: hundreds of events, mail, injects, reviews) and 100 real
//! incidents of 300 events each on the stock 不正アクセス playbook. Each iteration reads and
//! audits every folder, measures every incident and renders the summary, as the command does.
//!
//! Run: `cargo bench --bench summary`. Results: docs/performance.md.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use chrono::DateTime;
use criterion::{Criterion, criterion_group, criterion_main};
use hikeshi::Lang;
use hikeshi::exercise::{self, ScenarioRef, Session};
use hikeshi::notify::{Config, Transport};
use hikeshi::playbook::CompileOptions;
use hikeshi::summary::{self, Format, Period};

#[path = "support/generate.rs"]
mod generate;

fn summary_200(c: &mut Criterion) {
    let root = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let incidents = root.path().join("incidents");
    let ids = exercise::stock_ids();
    for i in 0..100 {
        let scenario = ScenarioRef::Stock(ids[i % ids.len()].to_string());
        let loaded = exercise::load(&scenario, &CompileOptions::default()).unwrap();
        let (mut session, mut incident) =
            Session::begin(&incidents, &loaded, "訓練", 0.0, false).unwrap();
        exercise::autopilot(
            &mut session,
            &mut incident,
            &Config::default(),
            &Transport::File,
            "訓練",
        )
        .unwrap();
    }
    for _ in 0..100 {
        generate::generated_incident(&incidents, 300);
    }
    let now = DateTime::parse_from_rfc3339("2027-04-01T09:00:00+09:00").unwrap();
    let built = summary::summarize(&incidents, Period::default(), Lang::Ja, now).unwrap();
    assert_eq!(built.incidents.len(), 200);
    assert_eq!(built.totals.exercises, 100);

    let mut group = c.benchmark_group("summary_200_incidents");
    group.sample_size(10);
    group.bench_function("read_build_html", |b| {
        b.iter(|| {
            let built = summary::summarize(&incidents, Period::default(), Lang::Ja, now).unwrap();
            black_box(summary::render(&built, Format::Html, None).unwrap())
        });
    });
    group.bench_function("read_and_build", |b| {
        b.iter(|| {
            black_box(summary::summarize(&incidents, Period::default(), Lang::Ja, now).unwrap())
        });
    });
    for format in [Format::Html, Format::Markdown, Format::Json, Format::Xlsx] {
        group.bench_function(format!("render_{}", format.extension()), |b| {
            b.iter(|| black_box(summary::render(&built, format, None).unwrap()));
        });
    }
    group.finish();
}

criterion_group!(benches, summary_200);
criterion_main!(benches);
