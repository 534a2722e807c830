//! Compile generated playbooks of 1,000 to 100,000 steps (random DAGs, about three
//! prerequisites a step), to show the compiler's cost and that it grows about linearly.
//!
//! Run: `cargo bench --bench compile`. Results: docs/performance.md.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::fmt::Write as _;
use std::hint::black_box;

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hikeshi::directory::Directory;
use hikeshi::playbook::load::parse_yaml;
use hikeshi::playbook::model::PlaybookFile;
use hikeshi::playbook::{CompileOptions, Limits, SourceFile, compile, compile_source};

/// A deterministic xorshift generator, so every run compiles the same playbooks.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// A playbook of `steps` steps; each step after the first has up to three prerequisites
/// drawn from the 50 steps before it (a random DAG by construction), a deadline, an owner and
/// a citation, like a real playbook's steps.
fn generated_playbook(steps: usize) -> String {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut y = String::with_capacity(steps * 160);
    y.push_str("id: generated\ntitle: 生成した手順書\nsources:\n  - id: ube\n    title: 宇部市ガイドライン\nsteps:\n");
    for i in 0..steps {
        let _ = write!(
            y,
            "  - id: s{i}\n    title: 手順{i}\n    kind: action\n    owner: 運用管理者\n    due: {}m\n    source: [ube 7(1)]\n",
            5 + rng.below(55)
        );
        if i > 0 {
            let mut after: Vec<usize> = (0..3)
                .map(|_| i - 1 - rng.below(i.min(50) as u64) as usize)
                .collect();
            after.sort_unstable();
            after.dedup();
            let names: Vec<String> = after.iter().map(|a| format!("s{a}")).collect();
            let _ = writeln!(y, "    after: [{}]", names.join(", "));
        }
    }
    y
}

fn directory() -> Directory {
    let text = "organization: 例示市\ndivisions:\n  - id: 広報広聴課\n    email: koho@city.example.jp\nroles:\n  - id: 運用管理者\n    division: 広報広聴課\n    email: kacho@city.example.jp\n";
    Directory::load(&SourceFile::new("divisions.yaml", text), &Limits::default()).unwrap()
}

fn compile_generated(c: &mut Criterion) {
    let directory = directory();
    let options = CompileOptions {
        limits: Limits::generous(),
        ..CompileOptions::default()
    };
    let mut group = c.benchmark_group("compile");
    group.sample_size(10);
    for steps in [1_000usize, 10_000, 100_000] {
        let source = SourceFile::new("generated.yaml", generated_playbook(steps));
        // Fail loudly rather than time an error path.
        let compiled =
            compile_source(&source, &directory, &options).expect("generated playbook compiles");
        assert_eq!(compiled.playbook.graph.len(), steps);
        group.throughput(Throughput::Elements(steps as u64));
        group.bench_with_input(BenchmarkId::from_parameter(steps), &source, |b, source| {
            b.iter(|| {
                compile_source(black_box(source), &directory, &options)
                    .map(|c| c.playbook.graph.len())
            })
        });
    }
    group.finish();

    // The two stages apart: YAML parsing (serde-saphyr) and the checks that build the graph.
    let inputs: Vec<(usize, SourceFile, PlaybookFile)> = [1_000usize, 10_000, 100_000]
        .into_iter()
        .map(|steps| {
            let source = SourceFile::new("generated.yaml", generated_playbook(steps));
            let file: PlaybookFile = parse_yaml(&source, &options.limits).unwrap();
            (steps, source, file)
        })
        .collect();
    let mut parse = c.benchmark_group("parse");
    parse.sample_size(10);
    for (steps, source, _) in &inputs {
        parse.throughput(Throughput::Elements(*steps as u64));
        parse.bench_with_input(BenchmarkId::from_parameter(steps), source, |b, source| {
            b.iter(|| {
                parse_yaml::<PlaybookFile>(black_box(source), &options.limits)
                    .map(|f| f.steps.len())
            })
        });
    }
    parse.finish();
    let mut check = c.benchmark_group("check");
    check.sample_size(10);
    for (steps, source, file) in &inputs {
        check.throughput(Throughput::Elements(*steps as u64));
        check.bench_with_input(BenchmarkId::from_parameter(steps), file, |b, file| {
            b.iter_batched(
                || file.clone(),
                |file| compile(source, file, &directory, &options).map(|c| c.playbook.graph.len()),
                BatchSize::LargeInput,
            )
        });
    }
    check.finish();
}

fn compile_stock(c: &mut Criterion) {
    let (_, directory) = hikeshi::catalog::DivisionsRef::Stock
        .load(&Limits::default())
        .unwrap();
    let options = CompileOptions::default();
    for source in hikeshi::catalog::stock_playbooks() {
        let name = source
            .name
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_string();
        c.bench_function(&format!("compile-stock/{name}"), |b| {
            b.iter(|| {
                compile_source(black_box(&source), &directory, &options)
                    .map(|c| c.playbook.graph.len())
            })
        });
    }
}

criterion_group!(benches, compile_generated, compile_stock);
criterion_main!(benches);
