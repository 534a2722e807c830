//! The report of a 100,000-event incident: read and verify the journal, build the report,
//! and render all four text formats; and the Word and Excel documents of a 2,000-event one.
//!
//! Run: `cargo bench --bench report` (`-- report_2k` for the documents alone). Results:
//! docs/performance.md.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use chrono::DateTime;
use criterion::{Criterion, criterion_group, criterion_main};
use hikeshi::Lang;
use hikeshi::incident::IncidentRecord;
use hikeshi::report::{self, Format};

#[path = "support/generate.rs"]
mod generate;

fn report_100k(c: &mut Criterion) {
    let root = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let dir = generate::generated_incident(root.path(), 100_000);
    let now = DateTime::parse_from_rfc3339("2026-11-24T10:00:00+09:00").unwrap();
    let mut group = c.benchmark_group("report_100k_events");
    group.sample_size(10);
    group.bench_function("all_formats", |b| {
        b.iter(|| {
            let audited = IncidentRecord::audit(&dir).unwrap();
            let built = report::build(&audited, Lang::Ja, now);
            for format in [Format::Html, Format::Markdown, Format::Csv, Format::Json] {
                black_box(report::render(&built, format, None).unwrap());
            }
        });
    });
    let audited = IncidentRecord::audit(&dir).unwrap();
    assert_eq!(audited.journal.lines.len(), 100_000);
    group.bench_function("read_and_build", |b| {
        b.iter(|| {
            let audited = IncidentRecord::audit(&dir).unwrap();
            black_box(report::build(&audited, Lang::Ja, now));
        });
    });
    let built = report::build(&audited, Lang::Ja, now);
    for format in [Format::Html, Format::Markdown, Format::Csv, Format::Json] {
        group.bench_function(format!("render_{}", format.extension()), |b| {
            b.iter(|| black_box(report::render(&built, format, None).unwrap()));
        });
    }
    group.finish();
}

/// The Word and Excel documents of a 2,000-event incident: what `hikeshi report --format
/// docx|xlsx` does (read, audit, build, render), and the rendering alone.
fn documents_2k(c: &mut Criterion) {
    let root = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let dir = generate::generated_incident(root.path(), 2_000);
    let now = DateTime::parse_from_rfc3339("2026-11-24T10:00:00+09:00").unwrap();
    let audited = IncidentRecord::audit(&dir).unwrap();
    assert_eq!(audited.journal.lines.len(), 2_000);
    let built = report::build(&audited, Lang::Ja, now);
    for format in [Format::Docx, Format::Xlsx] {
        let bytes = report::render(&built, format, None).unwrap().len();
        eprintln!("report_2k_events: {} is {bytes} bytes", format.extension());
    }
    let mut group = c.benchmark_group("report_2k_events");
    group.sample_size(20);
    for format in [Format::Docx, Format::Xlsx] {
        group.bench_function(format.extension(), |b| {
            b.iter(|| {
                let audited = IncidentRecord::audit(&dir).unwrap();
                let built = report::build(&audited, Lang::Ja, now);
                black_box(report::render(&built, format, None).unwrap());
            });
        });
        group.bench_function(format!("render_{}", format.extension()), |b| {
            b.iter(|| black_box(report::render(&built, format, None).unwrap()));
        });
    }
    group.finish();
}

criterion_group!(benches, report_100k, documents_2k);
criterion_main!(benches);
