//! Several people on one incident, each from their own process (their own PC, the incidents
//! folder on a shared drive): many writers on one journal, nothing lost, duplicated or
//! interleaved; the quicker of two people wins and the other is told who; what others record
//! appears to everyone watching; each message is sent once whoever sends it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::StartAgain as _;
use std::collections::HashMap;
use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;

use common::engine::start;
use common::hikeshi;
use hikeshi::clock::SystemClock;
use hikeshi::incident::{Command, Event, EvidenceRecord, Incident, IncidentError, IncidentRecord};

/// An incident of the test playbook, started, with no process holding it.
fn incident() -> (tempfile::TempDir, PathBuf) {
    let h = start();
    let dir = h.incident.dir().to_path_buf();
    let common::engine::Harness { dir: tmp, .. } = h;
    (tmp, dir)
}

/// hikeshi as a process to spawn (several at once), without the caller's HIKESHI_ settings.
fn process() -> std::process::Command {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin!("hikeshi"));
    for (key, _) in std::env::vars() {
        if key.starts_with("HIKESHI_") {
            cmd.env_remove(key);
        }
    }
    cmd
}

/// The environment variable that turns this test binary into one of the writers.
const WORKER: &str = "SEVERAL_WORKER";
const COMMANDS: usize = 250;

/// Run as a child process (see [`four_writers_at_once_lose_nothing_and_duplicate_nothing`]):
/// opens the incident like any hikeshi process and runs [`COMMANDS`] mixed commands as
/// person `n`, printing a line for each one the incident acknowledged (written and fsync'd).
#[test]
fn writer_process() {
    let Ok(spec) = std::env::var(WORKER) else {
        return;
    };
    let (n, dir) = spec.split_once(':').unwrap();
    let me = format!("職員{n}");
    let mut incident = Incident::open(Path::new(dir), Arc::new(SystemClock)).unwrap();
    for i in 0..COMMANDS {
        let tag = format!("w{n}-{i}");
        let command = match i % 5 {
            0 => Command::Note {
                text: tag.clone(),
                step: None,
            },
            // Everyone tries to complete the first step: one wins.
            1 => Command::Complete {
                step: "detect".into(),
                note: Some(tag.clone()),
                force: None,
                statement: None,
            },
            // Refused until someone has completed the first step.
            2 => Command::Observe {
                step: "watch".into(),
                text: tag.clone(),
            },
            3 => Command::AttachEvidence {
                step: "detect".into(),
                evidence: EvidenceRecord::Url {
                    url: format!("https://example.jp/{tag}"),
                },
                note: None,
            },
            _ => Command::Note {
                text: tag.clone(),
                step: Some("detect".into()),
            },
        };
        match incident.execute(&me, &command) {
            Ok(_) => println!("ACK {tag}"),
            Err(IncidentError::Refused(_)) => {}
            Err(e) => panic!("{me}: {e}"),
        }
    }
}

/// Starts `n` writer processes (this test binary, running only [`writer_process`]).
fn spawn_writers(dir: &Path, n: usize) -> Vec<std::process::Child> {
    let exe = std::env::current_exe().unwrap();
    (0..n)
        .map(|w| {
            std::process::Command::new(&exe)
                .args([
                    "writer_process",
                    "--exact",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env(WORKER, format!("{w}:{}", dir.display()))
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .spawn_again()
                .unwrap()
        })
        .collect()
}

/// The tags a writer's output says were acknowledged.
fn acknowledged(child: std::process::Child) -> Vec<String> {
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "a writer failed");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        // The test harness may print on the same line before the first one.
        .filter_map(|l| l.split_once("ACK ").map(|(_, tag)| tag.to_string()))
        .collect()
}

/// The tag an event carries, if it is one of the writers'.
fn tag_of(event: &Event) -> Option<String> {
    match event {
        Event::NoteAdded { text, .. } | Event::ObservationRecorded { text, .. } => {
            Some(text.clone())
        }
        Event::StepCompleted { note: Some(n), .. } => Some(n.clone()),
        Event::EvidenceAttached {
            evidence: EvidenceRecord::Url { url },
            ..
        } => url.rsplit('/').next().map(str::to_string),
        _ => None,
    }
}

#[test]
fn four_writers_at_once_lose_nothing_and_duplicate_nothing() {
    let (_tmp, dir) = incident();
    // A screen-like reader has the incident open all along and folds as it goes.
    let mut watcher = Incident::open(&dir, Arc::new(SystemClock)).unwrap();
    let writers = spawn_writers(&dir, 4);
    // While they write, the watcher keeps up (each refresh verifies the chain it reads).
    let mut seen = 0;
    let done: Vec<Vec<String>> = {
        let mut outputs = Vec::new();
        for w in writers {
            seen += watcher.refresh().unwrap().len();
            outputs.push(acknowledged(w));
        }
        outputs
    };
    seen += watcher.refresh().unwrap().len();
    hikeshi().arg("verify").arg(&dir).assert().success();

    // Every acknowledged command is in the journal exactly once.
    let replay = hikeshi::journal::read(&dir.join("journal.jsonl")).unwrap();
    let mut counts: HashMap<String, usize> = HashMap::new();
    for e in &replay.entries {
        if let Some(tag) = tag_of(&Event::decode(&e.kind, &e.payload).unwrap()) {
            *counts.entry(tag).or_default() += 1;
        }
    }
    let all: Vec<&String> = done.iter().flatten().collect();
    assert!(all.len() > 4 * COMMANDS / 2, "{} acknowledged", all.len());
    for tag in &all {
        assert_eq!(counts.get(*tag), Some(&1), "{tag}");
    }
    // Nothing is in the journal that was not acknowledged (a refusal wrote nothing).
    assert_eq!(counts.len(), all.len());
    // The first step was completed once, by one of them.
    let completions = replay
        .entries
        .iter()
        .filter(|e| e.kind == "step_completed")
        .count();
    assert_eq!(completions, 1);
    // The state folded live equals a replay from the file.
    assert_eq!(seen as u64 + 1, replay.entries.len() as u64);
    let replayed = IncidentRecord::load(&dir).unwrap();
    assert_eq!(watcher.state(), &replayed.state);
    // Each person's acts are under their own name.
    let actors: std::collections::BTreeSet<&str> =
        replay.entries.iter().map(|e| e.actor.as_str()).collect();
    for w in 0..4 {
        assert!(actors.contains(format!("職員{w}").as_str()), "{actors:?}");
    }
}

#[test]
fn a_writer_killed_mid_run_leaves_the_others_working() {
    let (_tmp, dir) = incident();
    let mut writers = spawn_writers(&dir, 3);
    let victim = writers.pop().unwrap();
    let mut victim = victim;
    // Killed once it has acknowledged something: it is then in the middle of its run.
    let mut out = BufReader::new(victim.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    victim.kill().unwrap();
    victim.wait().unwrap();
    let survivors: usize = writers.into_iter().map(|w| acknowledged(w).len()).sum();
    assert!(survivors > 0);
    // The next writer moves any torn tail aside; the record verifies.
    hikeshi()
        .arg("note")
        .arg(&dir)
        .arg("終了後")
        .assert()
        .success();
    hikeshi().arg("verify").arg(&dir).assert().success();
}

#[test]
fn two_people_completing_one_step_one_succeeds_and_the_other_is_told_who() {
    for _ in 0..3 {
        let (_tmp, dir) = incident();
        let run = |who: &str| {
            process()
                .args(["done"])
                .arg(&dir)
                .arg("detect")
                .env("HIKESHI_OPERATOR", who)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn_again()
                .unwrap()
        };
        let (a, b) = (run("田中"), run("鈴木"));
        let results = [
            ("田中", a.wait_with_output().unwrap()),
            ("鈴木", b.wait_with_output().unwrap()),
        ];
        let winners: Vec<&str> = results
            .iter()
            .filter(|(_, o)| o.status.success())
            .map(|(who, _)| *who)
            .collect();
        assert_eq!(winners.len(), 1, "{results:?}");
        let (_, loser) = results.iter().find(|(_, o)| !o.status.success()).unwrap();
        assert_eq!(loser.status.code(), Some(1));
        let err = String::from_utf8_lossy(&loser.stderr);
        assert!(
            err.contains(&format!("{} が", winners[0])) && err.contains("完了済み"),
            "{err}"
        );
        hikeshi().arg("verify").arg(&dir).assert().success();
    }
}

#[test]
fn status_watch_prints_what_others_record_until_the_incident_is_closed() {
    let (_tmp, dir) = incident();
    let mut watch = process()
        .args(["status", "--watch"])
        .arg(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn_again()
        .unwrap();
    let mut lines = BufReader::new(watch.stdout.take().unwrap()).lines();
    // The status, then the line that says records follow.
    for line in lines.by_ref() {
        if line.unwrap().contains("以後の記録") {
            break;
        }
    }
    hikeshi()
        .args(["note"])
        .arg(&dir)
        .arg("別の端末からのメモ")
        .env("HIKESHI_OPERATOR", "鈴木")
        .assert()
        .success();
    let line = lines.next().unwrap().unwrap();
    assert!(
        line.contains("鈴木") && line.contains("別の端末からのメモ"),
        "{line}"
    );
    hikeshi()
        .args(["close", "--force", "--reason", "訓練終了"])
        .arg(&dir)
        .assert()
        .success();
    let rest: Vec<String> = lines.map(Result::unwrap).collect();
    assert!(rest.iter().any(|l| l.contains("終了")), "{rest:?}");
    assert!(watch.wait().unwrap().success());
}
