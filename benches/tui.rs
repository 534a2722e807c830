//! Drawing the operator's screen: one frame of a 200-step incident at 200×60.
//!
//! Run: `cargo bench --bench tui`. Results: docs/performance.md.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::fmt::Write as _;
use std::hint::black_box;
use std::sync::Arc;

use chrono::DateTime;
use criterion::{Criterion, criterion_group, criterion_main};
use hikeshi::catalog::{DivisionsRef, LoadedPlaybook};
use hikeshi::clock::SimulatedClock;
use hikeshi::incident::{Command, Incident, StartParams};
use hikeshi::playbook::{CompileOptions, Limits, Platform, SourceFile, compile_source};
use hikeshi::tui::{App, view};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// A 200-step playbook: chains of actions with guidance, checklists and deadlines.
fn playbook_200() -> String {
    let mut y = String::from(
        "id: big\ntitle: 200手順の手順書\nsources:\n  - id: ube\n    title: 宇部市ガイドライン\nplatforms: [x]\nsteps:\n",
    );
    for i in 0..200 {
        let _ = write!(
            y,
            "  - id: s{i}\n    title: 手順{i}を実施し、結果を記録する\n    kind: action\n    owner: 運用管理者\n    due: {}m\n    source: [ube 7(1)]\n    guidance: |\n      手順{i}の内容です。状況を確認し、必要な対応を行い、\n      その結果を記録する。\n    checklist: [確認した, 記録した]\n",
            5 + i % 50
        );
        if i >= 4 {
            let _ = writeln!(y, "    after: [s{}]", i - 4);
        }
    }
    y
}

fn app() -> (tempfile::TempDir, App) {
    let (divisions_source, directory) = DivisionsRef::Stock.load(&Limits::default()).unwrap();
    let source = SourceFile::new("big.yaml", playbook_200());
    let compiled = compile_source(&source, &directory, &CompileOptions::default()).unwrap();
    let loaded = LoadedPlaybook {
        source,
        divisions_source,
        directory,
        compiled,
        origin: hikeshi::incident::Origin {
            playbook: "big.yaml".into(),
            divisions: DivisionsRef::Stock.origin(),
        },
    };
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let start = DateTime::parse_from_rfc3339("2026-11-22T14:03:00+09:00").unwrap();
    let mut incident = Incident::start(
        dir.path(),
        &loaded,
        StartParams {
            title: "公式Xアカウントの乗っ取り".into(),
            account: Some("@city_official".into()),
            platform: Some(Platform::X),
            operator: "田中".into(),
            severity: None,
            exercise: false,
            facts: Default::default(),
            origin: None,
        },
        Arc::new(SimulatedClock::fixed(start)),
    )
    .unwrap();
    for i in 0..60 {
        incident
            .execute(
                "田中",
                &Command::Complete {
                    step: format!("s{i}"),
                    note: Some("対応済み".into()),
                    force: None,
                    statement: None,
                },
            )
            .unwrap();
    }
    let mut app = App::new(incident, "田中".into(), hikeshi::Lang::Ja);
    app.selected = 100;
    (dir, app)
}

fn render(c: &mut Criterion) {
    let (_dir, app) = app();
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).unwrap();
    c.bench_function("render/200-steps-200x60", |b| {
        b.iter(|| {
            terminal
                .draw(|f| view::draw(black_box(&app), f))
                .map(|_| ())
        })
    });
}

criterion_group!(benches, render);
criterion_main!(benches);
