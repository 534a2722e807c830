//! The journal keeps everything acknowledged: tampering is detected byte by byte, a torn tail
//! is set aside, several writers share it, a full disk or a read-only folder loses nothing, and
//! a process killed at random moments never loses an acknowledged event.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};

use common::StartAgain as _;
use common::engine::{decide, done, start};
use common::hikeshi;
use hikeshi::incident::{Command, Incident};
use hikeshi::journal::{self, JournalError};
use predicates::prelude::*;

/// An incident with a few events, closed by dropping the writer.
fn incident_with_events() -> (tempfile::TempDir, PathBuf) {
    let mut h = start();
    h.ok(done("detect"));
    h.ok(Command::Note {
        text: "広報広聴課へ電話連絡".into(),
        step: None,
    });
    h.ok(decide("severity", "high", None));
    let dir = h.incident.dir().to_path_buf();
    let common::engine::Harness { dir: tmp, .. } = h;
    (tmp, dir)
}

fn journal_of(dir: &Path) -> PathBuf {
    dir.join("journal.jsonl")
}

#[test]
fn changing_any_single_byte_is_detected() {
    let (_tmp, dir) = incident_with_events();
    let path = journal_of(&dir);
    let original = std::fs::read(&path).unwrap();
    assert!(journal::read(&path).is_ok());
    let last = original.len() - 1;
    let mut checked = 0;
    for pos in 0..original.len() {
        for replacement in [original[pos] ^ 0x01, b'0', b'\n', b' '] {
            if replacement == original[pos] {
                continue;
            }
            let mut bytes = original.clone();
            bytes[pos] = replacement;
            std::fs::write(&path, &bytes).unwrap();
            match journal::read(&path) {
                Err(JournalError::Corrupt { .. }) => {}
                // The final newline is the only byte whose change looks like a torn write,
                // and that is reported too.
                Ok(replay) if pos == last => assert!(replay.torn.is_some()),
                other => panic!("byte {pos} changed to {replacement:#x} went unnoticed: {other:?}"),
            }
            checked += 1;
        }
    }
    assert!(checked > 3 * original.len());
    std::fs::write(&path, &original).unwrap();
}

#[test]
fn verify_names_the_bad_line_and_writers_refuse_to_append() {
    let (_tmp, dir) = incident_with_events();
    let path = journal_of(&dir);
    let text = std::fs::read_to_string(&path).unwrap();
    let tampered = text.replacen("広報広聴課へ電話連絡", "広報広聴課へメール連絡", 1);
    std::fs::write(&path, &tampered).unwrap();
    hikeshi()
        .args(["--lang", "en", "verify"])
        .arg(&dir)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("line 3 (seq 3)"))
        .stderr(predicate::str::contains("does not match its hash"));
    hikeshi()
        .args(["--lang", "en", "note"])
        .arg(&dir)
        .arg("追記")
        .assert()
        .code(1);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), tampered);
}

#[test]
fn a_torn_tail_is_reported_then_moved_aside_and_work_continues() {
    let (_tmp, dir) = incident_with_events();
    let path = journal_of(&dir);
    let intact = std::fs::read(&path).unwrap();
    let torn = br#"{"seq":5,"time":"2026-11-22T14:10:00+09:00","actor":"#;
    let mut bytes = intact.clone();
    bytes.extend_from_slice(torn);
    std::fs::write(&path, &bytes).unwrap();
    hikeshi()
        .args(["--lang", "en", "verify"])
        .arg(&dir)
        .assert()
        .success()
        .stdout(predicate::str::contains("4 entries"))
        .stdout(predicate::str::contains(format!(
            "{} torn bytes",
            torn.len()
        )));
    hikeshi()
        .args(["--lang", "en", "note"])
        .arg(&dir)
        .arg("再開後のメモ")
        .assert()
        .success()
        .stderr(predicate::str::contains("torn bytes"));
    let after = std::fs::read(&path).unwrap();
    assert!(after.starts_with(&intact));
    assert!(after.ends_with(b"\n"));
    let moved = std::fs::read(dir.join("journal.torn")).unwrap();
    assert!(moved.starts_with(torn));
    let replay = journal::read(&path).unwrap();
    assert_eq!(replay.entries.len(), 5);
    assert!(replay.torn.is_none());
}

#[test]
fn writers_share_an_incident_and_each_sees_what_the_others_wrote() {
    let (_tmp, dir) = incident_with_events();
    let clock = std::sync::Arc::new(hikeshi::clock::SystemClock);
    // A screen has the incident open: it holds no lock between its own appends.
    let mut screen = Incident::open(&dir, clock.clone()).unwrap();
    hikeshi()
        .args(["note"])
        .arg(&dir)
        .arg("別の端末から")
        .env("HIKESHI_OPERATOR", "鈴木")
        .assert()
        .success();
    // Its next command is appended after the other's, which it folds first.
    let written = screen
        .execute(
            "田中",
            &Command::Note {
                text: "画面から".into(),
                step: None,
            },
        )
        .unwrap();
    assert_eq!(written[0].entry.seq, 6);
    let arrived = screen.take_arrivals();
    assert_eq!(arrived.len(), 1);
    assert_eq!(arrived[0].entry.actor, "鈴木");
    assert_eq!(screen.record().entries, 6);
    hikeshi().arg("verify").arg(&dir).assert().success();
    // Without a command of its own, a refresh finds what others appended.
    hikeshi()
        .arg("note")
        .arg(&dir)
        .arg("三件目")
        .assert()
        .success();
    let seen = screen.refresh().unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(screen.record().entries, 7);
}

#[test]
fn a_writer_stuck_holding_the_lock_gives_a_clear_error_and_nothing_is_written() {
    let (_tmp, dir) = incident_with_events();
    let path = journal_of(&dir);
    let before = std::fs::read(&path).unwrap();
    // A process stuck in the middle of an append (a frozen file share) holds the lock.
    let (writer, _) = hikeshi::journal::JournalWriter::open(&path).unwrap();
    let stuck = writer.lock().unwrap();
    hikeshi()
        .args(["--lang", "en", "note"])
        .arg(&dir)
        .arg("同時に書き込み")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "in use by another hikeshi process that has not finished writing",
        ));
    // Readers need no lock.
    hikeshi().arg("status").arg(&dir).assert().success();
    assert_eq!(std::fs::read(&path).unwrap(), before);
    drop(stuck);
    hikeshi()
        .arg("note")
        .arg(&dir)
        .arg("解放後")
        .assert()
        .success();
}

#[test]
fn concurrent_writers_never_interleave_and_none_is_turned_away() {
    let (_tmp, dir) = incident_with_events();
    let writers: Vec<_> = (0..2)
        .map(|w| {
            let dir = dir.clone();
            std::thread::spawn(move || {
                for i in 0..25 {
                    hikeshi()
                        .args(["--lang", "en", "note"])
                        .arg(&dir)
                        .arg(format!("writer {w} note {i}"))
                        .assert()
                        .success();
                }
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }
    let replay = journal::read(&journal_of(&dir)).unwrap();
    assert_eq!(replay.entries.len(), 4 + 50);
    assert!(replay.torn.is_none());
}

#[test]
#[cfg(unix)] // a full disk is simulated with bash's `ulimit -f`
fn a_full_disk_is_a_clear_error_and_the_journal_stays_intact() {
    let (_tmp, dir) = incident_with_events();
    let path = journal_of(&dir);
    let before = std::fs::read(&path).unwrap();
    // A file-size limit just above the journal makes the next write fail part-way, as a
    // full disk does. The shell ignores SIGXFSZ so the write returns an error instead.
    let blocks = before.len() / 1024 + 1;
    let long_note = "長い記録".repeat(600);
    let bin = assert_cmd::cargo::cargo_bin!("hikeshi");
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "trap '' XFSZ; ulimit -f {blocks}; exec \"$0\" --lang en note \"$1\" \"$2\""
        ))
        .arg(bin)
        .arg(&dir)
        .arg(&long_note)
        .env_remove("HIKESHI_LANG")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot write") && err.contains("journal.jsonl"),
        "{err}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);
    hikeshi().arg("verify").arg(&dir).assert().success();
    hikeshi()
        .arg("note")
        .arg(&dir)
        .arg("短いメモ")
        .assert()
        .success();
}

#[test]
#[cfg(unix)] // a full disk is simulated with bash's `ulimit -f`
fn a_start_that_runs_out_of_space_leaves_no_half_made_incident() {
    let tmp = tempfile::tempdir().unwrap();
    let bin = assert_cmd::cargo::cargo_bin!("hikeshi");
    // 4 KiB is too small for the frozen playbook (about 50 KB).
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 4; exec \"$0\" --lang en start unauthorized-access")
        .arg(bin)
        .current_dir(tmp.path())
        .env_remove("HIKESHI_LANG")
        .env_remove("HIKESHI_INCIDENTS")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot write") && err.contains("playbook.yaml"),
        "{err}"
    );
    let left: Vec<_> = std::fs::read_dir(tmp.path().join("incidents"))
        .unwrap()
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
#[cfg(unix)] // Unix file modes and setpriv
fn a_read_only_folder_is_a_clear_error_and_changes_nothing() {
    let (tmp, dir) = incident_with_events();
    let path = journal_of(&dir);
    let before = std::fs::read(&path).unwrap();
    let bin = assert_cmd::cargo::cargo_bin!("hikeshi");
    let is_root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .unwrap()
        .stdout
        == b"0\n";
    let out = if is_root {
        // Root ignores file modes; run as `nobody`, for whom the folder is read-only.
        use std::os::unix::fs::PermissionsExt as _;
        for p in [tmp.path(), dir.as_path()] {
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        std::process::Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(bin)
            .args(["--lang", "en", "note"])
            .arg(&dir)
            .arg("書けないはず")
            .output()
            .unwrap()
    } else {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
        std::process::Command::new(bin)
            .args(["--lang", "en", "note"])
            .arg(&dir)
            .arg("書けないはず")
            .output()
            .unwrap()
    };
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot open") && err.contains("Permission denied"),
        "{err}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

/// A tiny xorshift so the kill times differ but every run is the same.
#[cfg(unix)]
struct Rng(u64);
#[cfg(unix)]
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

#[test]
#[cfg(unix)] // bash, process groups and kill -KILL
fn killed_at_random_moments_nothing_acknowledged_is_lost() {
    use hikeshi::incident::Event;
    use std::io::{BufRead as _, BufReader};
    use std::os::unix::process::CommandExt as _;
    use std::process::Stdio;
    use std::time::Duration;
    let (_tmp, dir) = incident_with_events();
    let bin = assert_cmd::cargo::cargo_bin!("hikeshi");
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    // The kills are timed against how long one `note` takes on this machine, so that some
    // land mid-write and some after an acknowledgement however fast or loaded the machine is.
    let note_time = (0..3)
        .map(|i| {
            let began = std::time::Instant::now();
            hikeshi()
                .arg("note")
                .arg(&dir)
                .arg(format!("timing-{i}"))
                .assert()
                .success();
            began.elapsed()
        })
        .min()
        .unwrap()
        .as_micros()
        .max(2_000) as u64;
    let mut acknowledged: Vec<String> = Vec::new();
    // 200 rounds, and more while a loaded machine has acknowledged too few notes to tell.
    for round in 0..1000 {
        if round >= 200 && acknowledged.len() > 50 {
            break;
        }
        // A shell runs `hikeshi note` again and again, printing each note's text only after
        // hikeshi has exited 0 — that is, after the event is written and fsync'd.
        let mut child = std::process::Command::new("bash")
            .arg("-c")
            .arg(
                r#"i=0; while :; do i=$((i+1)); "$0" note "$1" "r$2-$i" >/dev/null 2>&1 && echo "r$2-$i"; done"#,
            )
            .arg(bin)
            .arg(&dir)
            .arg(round.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .env_remove("HIKESHI_LANG")
            .process_group(0)
            .spawn_again()
            .unwrap();
        // Between a tenth of a note and three notes' time.
        std::thread::sleep(Duration::from_micros(
            note_time / 10 + rng.below(note_time * 3),
        ));
        // SIGKILL the whole group: the shell and whichever hikeshi is mid-command.
        let status = std::process::Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", child.id())])
            .status()
            .unwrap();
        assert!(status.success());
        let _ = child.wait();
        let stdout = child.stdout.take().unwrap();
        acknowledged.extend(BufReader::new(stdout).lines().map_while(Result::ok));
        // After each kill the chain verifies (a torn tail is allowed and reported).
        let replay = journal::read(&journal_of(&dir)).unwrap();
        let notes: std::collections::HashSet<String> = replay
            .entries
            .iter()
            .filter_map(|e| match Event::decode(&e.kind, &e.payload) {
                Ok(Event::NoteAdded { text, .. }) => Some(text),
                _ => None,
            })
            .collect();
        for a in &acknowledged {
            assert!(
                notes.contains(a),
                "round {round}: acknowledged note {a} is missing"
            );
        }
    }
    assert!(
        acknowledged.len() > 50,
        "only {} notes acknowledged",
        acknowledged.len()
    );
    // Work continues on the same incident: the next writer waits for the lock the last
    // killed process held until the kernel finished it, and moves a torn tail aside.
    hikeshi()
        .arg("note")
        .arg(&dir)
        .arg("最後のメモ")
        .assert()
        .success();
    hikeshi().arg("verify").arg(&dir).assert().success();
}

/// A reader that finds a partial last line waits for the append under way instead of
/// reporting a crash: `status` beside a writer in the middle of an append.
#[test]
fn a_reader_waits_for_an_append_under_way_rather_than_report_a_torn_tail() {
    let (_tmp, dir) = incident_with_events();
    let path = journal_of(&dir);
    let whole = std::fs::read(&path).unwrap();
    // A writer holds the lock and has written half of its line.
    let (writer, _) = hikeshi::journal::JournalWriter::open(&path).unwrap();
    let lock = writer.lock().unwrap();
    std::fs::write(&path, &whole[..whole.len() - 40]).unwrap();
    let status = std::process::Command::new(assert_cmd::cargo::cargo_bin!("hikeshi"))
        .args(["--lang", "en", "status"])
        .arg(&dir)
        .env_remove("HIKESHI_LANG")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn_again()
        .unwrap();
    // Long enough for the reader to have found the partial line (if it finished first, it
    // read the whole journal: the test then proves less, but cannot fail wrongly).
    std::thread::sleep(std::time::Duration::from_millis(500));
    std::fs::write(&path, &whole).unwrap();
    drop(lock);
    let out = status.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(!text.contains("torn"), "{text}");
}

/// Issue 30 item 8: the future is bounded as the past is. A time more than a week ahead of
/// the computer's own clock is not recorded (an entry dated 9999 would make every other
/// computer's later entries "earlier than the journal"); one already in a journal is named
/// by verify.
#[test]
fn an_entry_dated_far_ahead_is_refused_and_named_by_verify() {
    let tmp = tempfile::tempdir().unwrap();
    let at = |time: &str| {
        let mut cmd = common::hikeshi_at(tmp.path(), time);
        cmd.args(["--lang", "en"]);
        cmd
    };
    // A start dated 9999 leaves nothing behind.
    let out = at("9999-01-01T00:00:00+09:00")
        .args(["start", "unauthorized-access", "--title", "t"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("more than a week ahead"), "{err}");
    assert!(
        !tmp.path().join("incidents").exists()
            || common::files_under(&tmp.path().join("incidents")).is_empty()
    );
    // An incident started now refuses an entry dated 9999.
    let now = chrono::Utc::now()
        .with_timezone(&hikeshi::clock::jst())
        .to_rfc3339();
    let out = at(&now)
        .args(["start", "unauthorized-access", "--title", "t"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    let dir = tmp.path().join(stdout.lines().last().unwrap());
    let id = dir.file_name().unwrap().to_str().unwrap().to_string();
    let before = std::fs::read_to_string(dir.join("journal.jsonl")).unwrap();
    let out = at("9999-01-01T00:00:00+09:00")
        .args(["note", &id, "未来から"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("more than a week ahead"));
    assert_eq!(
        std::fs::read_to_string(dir.join("journal.jsonl")).unwrap(),
        before
    );
    // Within a week ahead (a clock some hours or days off) is fine.
    let soon = (chrono::Utc::now() + chrono::TimeDelta::days(2))
        .with_timezone(&hikeshi::clock::jst())
        .to_rfc3339();
    at(&soon).args(["note", &id, "少し先"]).assert().success();
    // A journal that holds one (written before this check, or edited) is named by verify.
    let journal = dir.join("journal.jsonl");
    let text = std::fs::read_to_string(&journal).unwrap();
    let last = text.lines().last().unwrap();
    let time: serde_json::Value = serde_json::from_str(last).unwrap();
    let time = time["time"].as_str().unwrap();
    let line = last.replace(time, "9999-01-01T00:00:00+09:00");
    // Its hash made again, as someone editing the record by hand would.
    let cut = line.rfind(",\"hash\":\"").unwrap();
    let hash = hikeshi::digest::sha256_hex(format!("{}}}", &line[..cut]).as_bytes());
    let line = format!("{},\"hash\":\"{hash}\"}}", &line[..cut]);
    std::fs::write(&journal, text.replace(last, &line)).unwrap();
    let out = at(&now).args(["verify", &id]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("is dated more than a week ahead of this computer's clock"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
