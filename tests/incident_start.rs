//! No half-made incident: `start` builds the folder under a temporary name and renames it into
//! place, so listing never shows an incomplete incident, and leftovers of a dead start are
//! cleaned up by the next one (docs/incidents.md, "Starting").
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::fs::File;
use std::path::{Path, PathBuf};

use common::StartAgain as _;
use common::hikeshi;

const T0: &str = "2026-11-22T14:03:00+09:00";

fn h(cwd: &Path) -> common::Hikeshi {
    let mut cmd = hikeshi();
    cmd.current_dir(cwd)
        .env("HIKESHI_TIME", T0)
        .env("HIKESHI_OPERATOR", "田中")
        .env("HIKESHI_LANG", "en");
    cmd
}

fn start_args() -> [&'static str; 6] {
    [
        "start",
        "unauthorized-access",
        "--account",
        "@city_official",
        "--platform",
        "x",
    ]
}

fn start(cwd: &Path) -> PathBuf {
    let out = h(cwd).args(start_args()).assert().success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    cwd.join(text.lines().last().unwrap())
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn incidents_listing(cwd: &Path) -> String {
    let out = h(cwd).arg("incidents").assert().success();
    String::from_utf8(out.get_output().stdout.clone()).unwrap()
}

#[test]
fn leftover_temporary_folders_are_not_listed_and_a_dead_starts_are_removed() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();
    let first = start(cwd);
    let incidents = cwd.join("incidents");
    // Left by a start that died (its lock is free), by one still building (its lock is held
    // here), and one without a lock file (nothing says whose it is).
    let dead = ".tmp-20261122-1403-unauthorized-access-4000001";
    let live = ".tmp-20261122-1403-unauthorized-access-4000002";
    let unknown = ".tmp-20261122-1403-unauthorized-access-4000003";
    for name in [dead, live, unknown] {
        common::copy_dir(&first, &incidents.join(name));
    }
    File::create(incidents.join(format!("{dead}.lock"))).unwrap();
    let held = File::create(incidents.join(format!("{live}.lock"))).unwrap();
    held.try_lock().unwrap();

    let listing = incidents_listing(cwd);
    assert_eq!(listing.lines().count(), 1, "{listing}");
    assert!(!listing.contains(".tmp-"), "{listing}");
    h(cwd).args(["status", dead]).assert().failure();

    let second = start(cwd);
    assert!(second.ends_with("20261122-1403-unauthorized-access-2"));
    let left = names(&incidents);
    assert_eq!(
        left,
        [
            live.to_string(),
            format!("{live}.lock"),
            unknown.to_string(),
            "20261122-1403-unauthorized-access".to_string(),
            "20261122-1403-unauthorized-access-2".to_string(),
        ]
        .into_iter()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect::<Vec<_>>(),
        "the dead start's folder and lock are gone, the live one's stay"
    );
    assert_eq!(incidents_listing(cwd).lines().count(), 2);

    // Once its builder is gone, the next start removes it too.
    drop(held);
    start(cwd);
    assert!(!incidents.join(live).exists());
    assert!(!incidents.join(format!("{live}.lock")).exists());
}

#[test]
fn a_finished_start_leaves_no_temporary_folder_or_lock() {
    let tmp = tempfile::tempdir().unwrap();
    start(tmp.path());
    start(tmp.path());
    assert_eq!(
        names(&tmp.path().join("incidents")),
        [
            "20261122-1403-unauthorized-access",
            "20261122-1403-unauthorized-access-2"
        ]
    );
}

/// Every listed incident is complete: its frozen files are there and `status` reads it.
fn assert_all_complete(cwd: &Path, round: usize, checked: &mut std::collections::HashSet<PathBuf>) {
    for dir in hikeshi::incident::list(&cwd.join("incidents")) {
        if !checked.insert(dir.clone()) {
            continue;
        }
        for file in [
            "journal.jsonl",
            "playbook.yaml",
            "divisions.yaml",
            "outbox",
            "evidence",
        ] {
            assert!(
                dir.join(file).exists(),
                "round {round}: {} lacks {file}",
                dir.display()
            );
        }
        hikeshi::incident::IncidentRecord::load(&dir)
            .unwrap_or_else(|e| panic!("round {round}: {}: {e}", dir.display()));
    }
}

// `Child::kill` is SIGKILL on Unix and TerminateProcess on Windows: both platforms are tested.
#[test]
fn killed_at_random_moments_during_start_no_incomplete_incident_is_listed() {
    use std::time::{Duration, Instant};

    struct Rng(u64);
    impl Rng {
        fn below(&mut self, n: u64) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 % n
        }
    }

    // At least ROUNDS kills, and more (up to MAX_ROUNDS) until one has landed mid-build: under
    // Wine most of a start is the process starting, so fewer kills land inside the build.
    const ROUNDS: usize = 80;
    const MAX_ROUNDS: usize = 400;
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();
    // The kills are timed against how long one `start` takes on this machine, so that some
    // land before, some during and some after the folder is built, however fast the machine.
    let start_time = (0..3)
        .map(|_| {
            let began = Instant::now();
            start(cwd);
            began.elapsed()
        })
        .min()
        .unwrap()
        .as_micros()
        .max(2_000) as u64;
    let bin = assert_cmd::cargo::cargo_bin!("hikeshi");
    let mut rng = Rng(0x5eed_5747_a27f_0001);
    let mut leftovers_seen = 0;
    let mut checked = std::collections::HashSet::new();
    for round in 0..MAX_ROUNDS {
        if round >= ROUNDS && leftovers_seen > 0 {
            break;
        }
        let mut child = std::process::Command::new(bin)
            .args(start_args())
            .current_dir(cwd)
            .env_remove("HIKESHI_LANG")
            .env("HIKESHI_TIME", T0)
            .env("HIKESHI_OPERATOR", "田中")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn_again()
            .unwrap();
        std::thread::sleep(Duration::from_micros(rng.below(start_time * 3 / 2)));
        // A kill that races the process's own exit may fail (Wine reports "Internal error"
        // for a process that is already ending); waiting settles it either way.
        let _ = child.kill();
        child.wait().unwrap();
        if names(&cwd.join("incidents"))
            .iter()
            .any(|n| n.starts_with(".tmp-"))
        {
            leftovers_seen += 1;
        }
        assert_all_complete(cwd, round, &mut checked);
    }
    eprintln!("kills that left a temporary folder: {leftovers_seen}");
    assert!(
        leftovers_seen > 0,
        "no kill landed while a folder was built"
    );
    // Later commands work, and a new start cleans every leftover up.
    let listing = incidents_listing(cwd);
    for line in listing.lines() {
        let id = line.split_whitespace().next().unwrap();
        h(cwd).args(["status", id]).assert().success();
    }
    let last = start(cwd);
    h(cwd).arg("verify").arg(&last).assert().success();
    assert!(
        !names(&cwd.join("incidents"))
            .iter()
            .any(|n| n.starts_with(".tmp-")),
        "{:?}",
        names(&cwd.join("incidents"))
    );
}

fn params() -> hikeshi::incident::StartParams {
    hikeshi::incident::StartParams {
        title: "テスト事案".into(),
        account: Some("@city_official".into()),
        platform: Some(hikeshi::playbook::Platform::X),
        operator: "田中".into(),
        severity: None,
        exercise: false,
        facts: Default::default(),
        origin: None,
    }
}

#[test]
fn extra_frozen_files_are_in_the_folder_when_it_appears_and_a_failed_build_leaves_nothing() {
    use hikeshi::incident::Incident;
    let tmp = tempfile::tempdir().unwrap();
    let loaded = common::engine::loaded("engine/playbook.yaml");
    let clock = std::sync::Arc::new(hikeshi::clock::SimulatedClock::fixed(common::engine::at(
        T0,
    )));
    let incident = Incident::start_with(
        tmp.path(),
        &loaded,
        params(),
        clock.clone(),
        &[("scenario.yaml", b"id: drill\n")],
    )
    .unwrap();
    assert_eq!(
        std::fs::read(incident.dir().join("scenario.yaml")).unwrap(),
        b"id: drill\n"
    );
    let before = names(tmp.path());
    drop(incident);
    // A build that fails half-way (here: a second file named like the frozen playbook)
    // leaves neither an incident nor a temporary folder or lock.
    let failed = Incident::start_with(
        tmp.path(),
        &loaded,
        params(),
        clock,
        &[("playbook.yaml", b"x")],
    );
    assert!(failed.is_err());
    assert_eq!(names(tmp.path()), before);
}
