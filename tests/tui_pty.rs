//! The real binary in a real pseudo-terminal (tmux): start an incident, walk the whole
//! 不正アクセス playbook by keys, quit, resume, and check the journal and the screen. It also
//! measures keystrokes per step.
// tmux is Unix only; the screen's logic runs on Windows too, in tests/tui.rs.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::hikeshi;
use common::tmux::Tmux;

/// Starts an incident of the mail test playbook; returns its folder (the last line printed).
fn start_mail_incident(incidents: &Path) -> String {
    let out = hikeshi()
        .env("HIKESHI_INCIDENTS", incidents)
        .args(["start"])
        .arg(common::fixture("mail/playbook.yaml"))
        .output()
        .unwrap();
    let dir = String::from_utf8(out.stdout).unwrap();
    dir.lines().last().unwrap().to_string()
}

fn status(incidents: &Path, id: &str) -> serde_json::Value {
    let out = hikeshi()
        .env("HIKESHI_INCIDENTS", incidents)
        .args(["status", id, "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Waits (bounded) until the incident's status satisfies `done`.
fn wait_until(
    incidents: &Path,
    id: &str,
    done: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let s = status(incidents, id);
        if done(&s) {
            return s;
        }
        assert!(Instant::now() < deadline, "the status never got there: {s}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Starts `playbook` in the TUI and completes every step by keys, always doing what the
/// screen offers next; returns the incident id and the keystrokes per step.
fn walk(tmux: &Tmux, env: &str, incidents: &Path, playbook: &str, total: u64) -> (String, f64) {
    let bin = assert_cmd::cargo::cargo_bin!("hikeshi");
    // なりすまし declares the genuine and the fake account: known at the start here.
    // 炎上 posts name the post criticised and its correction: known at the start too.
    let facts = match playbook {
        "impersonation" => {
            " --fact genuine_account=@city_official --fact fake_account=@city_0fficial"
        }
        "flaming" => {
            " --fact target_post=11月20日の「ごみ収集日程」 --fact wrong_info=11月23日 --fact right_info=11月24日"
        }
        _ => "",
    };
    tmux.type_line(&format!(
        "{env}{} run {playbook} --account @city_official --platform x --title 公式Xの乗っ取り{facts}",
        bin.display()
    ));
    tmux.wait_for(&format!("進捗 0/{total}"));
    let id = std::fs::read_dir(incidents)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|n| n.ends_with(playbook))
        .unwrap();

    let mut keystrokes = 0usize;
    let mut current: Option<String> = None;
    let mut s = status(incidents, &id);
    loop {
        let steps = s["steps"].as_array().unwrap().clone();
        let ready = |id: &str| {
            steps
                .iter()
                .any(|st| st["id"] == id && st["status"] == "ready")
        };
        let target = match &current {
            Some(c) if ready(c) => steps.iter().find(|st| st["id"] == c.as_str()),
            _ => steps.iter().find(|st| st["status"] == "ready"),
        };
        let Some(target) = target.cloned() else { break };
        let keys: &[&str] = match (
            target["kind"].as_str().unwrap(),
            target["approved_by"].is_null(),
        ) {
            // A number on a decision answers it.
            ("decision", _) => &["1"],
            // The approval dialog asks for the approver's own name (a part's is refused).
            ("approval", _) | ("post", true) => &["Enter", "佐藤", "Enter"],
            ("monitor", _) => &["d"],
            _ => &["Enter"],
        };
        keystrokes += keys.len();
        let entries = s["journal"]["entries"].as_u64().unwrap();
        tmux.keys(keys);
        // Keys that come right after the screen moved on by itself (a notify step's mail
        // settled) are held and say so: the person looks, and presses them again.
        s = wait_until(incidents, &id, |s| {
            let recorded = s["journal"]["entries"].as_u64().unwrap_or(0) > entries;
            if !recorded && tmux.screen().contains("このキーは実行しませんでした") {
                tmux.keys(&["Escape"]);
                tmux.wait_gone("このキーは実行しませんでした");
                std::thread::sleep(hikeshi::tui::app::KEY_QUIET);
                tmux.keys(keys);
            }
            recorded
        });
        // A notify step is done once the worker has delivered its mail, a moment after the
        // queue is journalled: wait for that, or the next round would press Enter on it again.
        if target["kind"] == "notify" {
            s = wait_until(incidents, &id, |s| {
                s["steps"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|st| st["id"] == target["id"] && st["status"] != "ready")
            });
        }
        current = target["id"].as_str().map(str::to_string);
    }
    let p = &s["progress"];
    assert_eq!(p["ready"], 0);
    assert_eq!(p["pending"], 0, "every step settled: {p}");
    let steps = p["total"].as_u64().unwrap() as f64;
    let per_step = keystrokes as f64 / steps;
    eprintln!("{playbook}: {keystrokes} keystrokes for {steps} steps = {per_step:.2} per step");
    tmux.wait_for("全ての手順が完了しました");
    (id, per_step)
}

#[test]
fn walk_the_stock_playbooks_in_a_real_terminal() {
    let tmp = tempfile::tempdir().unwrap();
    let incidents = tmp.path().join("incidents");
    let bin = assert_cmd::cargo::cargo_bin!("hikeshi");
    let tmux = Tmux::new(tmp.path(), tmp.path());
    let env = format!(
        "HIKESHI_OPERATOR=田中 HIKESHI_INCIDENTS={} ",
        incidents.display()
    );
    for (playbook, total) in [("impersonation", 16), ("flaming", 20)] {
        walk(&tmux, &env, &incidents, playbook, total);
        tmux.keys(&["q"]);
        tmux.wait_for("記録は保存されています");
        tmux.keys(&["C-l"]);
    }
    let (id, per_step) = walk(&tmux, &env, &incidents, "unauthorized-access", 26);
    assert!(per_step <= 2.0, "{per_step:.2} keystrokes per step");
    // Enter on each notify step sent its mail: every message is in outbox/, delivered.
    let out = hikeshi()
        .env("HIKESHI_INCIDENTS", &incidents)
        .args(["outbox", &id, "--json"])
        .output()
        .unwrap();
    let outbox: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(outbox["undelivered"], 0, "{outbox}");
    let messages = outbox["messages"].as_array().unwrap();
    assert!(messages.len() >= 5, "{outbox}");
    assert!(messages.iter().all(|m| m["state"] == "sent"), "{outbox}");

    // Quit: the record is on disk already; the shell gets the terminal back.
    tmux.keys(&["q"]);
    tmux.wait_for("記録は保存されています");
    // Raw mode is off again: typed text echoes at the shell prompt.
    tmux.type_line("echo terminal-ok-$((1+1))");
    tmux.wait_for("terminal-ok-2");

    // Resume: the screen shows the finished state read back from the journal.
    tmux.type_line(&format!("{env}{} tui {id}", bin.display()));
    let screen = tmux.wait_for("進捗 26/26");
    assert!(screen.contains("公式Xの乗っ取り"), "{screen}");
    assert!(screen.contains("[x]"), "{screen}");
    tmux.keys(&["?"]);
    tmux.wait_for("このヘルプ");
    tmux.keys(&["Escape"]);
    tmux.wait_gone("このヘルプ");
    tmux.keys(&["q"]);
    tmux.wait_for("記録は保存されています");
    hikeshi()
        .env("HIKESHI_INCIDENTS", &incidents)
        .args(["verify", &id])
        .assert()
        .success();
}

#[test]
fn a_panic_restores_the_terminal() {
    let tmp = tempfile::tempdir().unwrap();
    // Examples are built by `cargo test`, next to the test binaries' folder.
    let exe = std::env::current_exe().unwrap();
    let example = exe
        .parent()
        .and_then(Path::parent)
        .unwrap()
        .join("examples/panicking_screen");
    assert!(
        example.is_file(),
        "{} is missing: run the whole `cargo test`, which builds the examples",
        example.display()
    );
    let tmux = Tmux::new(tmp.path(), tmp.path());
    tmux.type_line(&example.display().to_string());
    tmux.wait_for("panicking-screen-ready");
    tmux.keys(&["x"]);
    let screen = tmux.wait_for("deliberate panic from the test screen");
    assert!(
        !screen.contains("panicking-screen-ready"),
        "still on the alternate screen:\n{screen}"
    );
    // Raw mode is off: the shell echoes and runs what is typed.
    tmux.type_line("echo restored-$((40+2))");
    tmux.wait_for("restored-42");
}

#[test]
fn the_launcher_starts_a_playbook_and_resumes_an_incident() {
    let tmp = tempfile::tempdir().unwrap();
    let incidents = tmp.path().join("incidents");
    let bin = assert_cmd::cargo::cargo_bin!("hikeshi");
    let tmux = Tmux::new(tmp.path(), tmp.path());
    let env = format!(
        "HIKESHI_OPERATOR=田中 HIKESHI_INCIDENTS={} ",
        incidents.display()
    );
    // No ./playbooks here: the launcher offers the stock playbooks.
    tmux.type_line(&format!("{env}{}", bin.display()));
    tmux.wait_for("3. 開始: SNS公式アカウントの炎上対応");
    // 3 = the 炎上 playbook, then 1 = its first platform (X).
    tmux.keys(&["3"]);
    tmux.wait_for("1 X");
    tmux.keys(&["1"]);
    tmux.wait_for("0/20");
    tmux.keys(&["q"]);
    tmux.wait_for("記録は保存されています");
    tmux.keys(&["C-l"]);
    let s = {
        let dir = std::fs::read_dir(&incidents)
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path();
        status(&incidents, &dir.file_name().unwrap().to_string_lossy())
    };
    assert_eq!(s["playbook"]["id"], "flaming");
    assert_eq!(s["platform"], "x");
    // The open incident is offered for resuming, after the stock playbooks.
    let resume = hikeshi::stock::PLAYBOOKS.len() + 1;
    tmux.type_line(&format!("{env}{}", bin.display()));
    tmux.wait_for(&format!("{resume}. 再開:"));
    tmux.keys(&[&resume.to_string()]);
    tmux.wait_for("0/20");
    tmux.keys(&["q"]);
    tmux.wait_for("記録は保存されています");
}

#[test]
fn the_screen_sends_over_smtp_and_shows_what_did_not_arrive() {
    let tmp = tempfile::tempdir().unwrap();
    let incidents = tmp.path().join("incidents");
    // An SMTP server that refuses connections: the screen must show the failure, not crash.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = tmp.path().join("hikeshi.toml");
    std::fs::write(
        &config,
        format!(
            "[smtp]\nhost = \"127.0.0.1\"\nport = {port}\ntls = \"none\"\nfrom = \"koho@city.example.jp\"\n"
        ),
    )
    .unwrap();
    let dir = start_mail_incident(&incidents);
    hikeshi()
        .env("HIKESHI_INCIDENTS", &incidents)
        .args(["done", &dir, "detect"])
        .assert()
        .success();
    let bin = assert_cmd::cargo::cargo_bin!("hikeshi");
    let tmux = Tmux::new(tmp.path(), tmp.path());
    tmux.type_line(&format!(
        "HIKESHI_OPERATOR=田中 HIKESHI_CONFIG={} {} tui {dir}",
        config.display(),
        bin.display()
    ));
    tmux.wait_for("進捗 1/5");
    // The first ready step is the first report: Enter sends its three messages.
    tmux.keys(&["Enter"]);
    // Wait for the failures themselves: the messages count as undelivered from the moment
    // they are queued, while they are still being sent.
    let screen = tmux.wait_for("送信失敗");
    assert!(screen.contains("未送達 3"), "{screen}");
    tmux.keys(&["q"]);
    tmux.wait_for("未送達の通知が 3 通あります");
    tmux.type_line("echo mail-screen-ok-$((2+3))");
    tmux.wait_for("mail-screen-ok-5");
    let id = Path::new(&dir)
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let s = status(&incidents, &id);
    assert_eq!(s["messages"]["undelivered"], 3, "{s}");
}

#[test]
fn an_exercise_pops_up_injects_and_the_facilitator_controls_the_clock() {
    let tmp = tempfile::tempdir().unwrap();
    let incidents = tmp.path().join("incidents");
    let bin = assert_cmd::cargo::cargo_bin!("hikeshi");
    let tmux = Tmux::new(tmp.path(), tmp.path());
    tmux.type_line(&format!(
        "HIKESHI_OPERATOR=当番 HIKESHI_INCIDENTS={} {} exercise takeover-friday-night --speed 1",
        incidents.display(),
        bin.display()
    ));
    // The situation at the start is the first thing shown (issue 26, item 5): the
    // scenario's narrative, whole, wrapped in its pop-up.
    let screen = tmux.wait_for("【訓練】状況付与（開始時）");
    assert!(
        screen.contains("金曜22時、公式Xアカウントの乗っ取り発覚"),
        "{screen}"
    );
    assert!(screen.contains("2026-11-27 22:00 JST 訓練開始"), "{screen}");
    assert!(screen.contains("11月27日（金）22時。"), "{screen}");
    assert!(screen.contains("所属長に報告すること。"), "{screen}");
    tmux.keys(&["Enter"]);
    // Then the inject due at the start.
    tmux.wait_gone("（開始時）");
    let screen = tmux.wait_for("市民からの通報");
    assert!(screen.contains("【訓練】状況付与"), "{screen}");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("次の状況付与まで");
    assert!(screen.contains("訓練 進行中 x1"), "{screen}");
    // N gives the next inject (due at 8 minutes) now, marked as early.
    tmux.keys(&["N"]);
    let screen = tmux.wait_for("ログインできない");
    assert!(screen.contains("（前倒し）"), "{screen}");
    tmux.keys(&["Escape"]);
    // The pop-up closed before the next key: ESC and P in one read would be Alt+P.
    tmux.wait_gone("【訓練】状況付与");
    // P pauses the simulated clock, P again resumes it.
    tmux.keys(&["P"]);
    tmux.wait_for("一時停止中");
    tmux.keys(&["P"]);
    tmux.wait_for("訓練 進行中");
    tmux.keys(&["q"]);
    let screen = tmux.wait_for("記録は保存されています");
    assert!(screen.contains("得点 "), "{screen}");
    let dir = std::fs::read_dir(&incidents)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let journal = std::fs::read_to_string(dir.join("journal.jsonl")).unwrap();
    assert_eq!(journal.matches("\"kind\":\"inject_fired\"").count(), 2);
    assert!(journal.contains("\"early\":true"));
    // `hikeshi tui` on the exercise resumes it on its own clock, with its injects.
    tmux.keys(&["C-l"]);
    tmux.type_line(&format!(
        "HIKESHI_OPERATOR=当番 {} tui {}",
        bin.display(),
        dir.display()
    ));
    let screen = tmux.wait_for("次の状況付与まで");
    assert!(screen.contains("訓練 進行中 x10"), "{screen}");
    tmux.keys(&["q"]);
    tmux.wait_for("hikeshi exercise --resume");
}

/// A screen open in a real terminal while four other processes write to the same incident:
/// it keeps up, shows who did what, and ends showing the journal's last record.
#[test]
fn an_open_screen_shows_what_other_processes_record() {
    let tmp = tempfile::tempdir().unwrap();
    let incidents = tmp.path().join("incidents");
    let dir = start_mail_incident(&incidents);
    let bin = assert_cmd::cargo::cargo_bin!("hikeshi");
    let tmux = Tmux::new(tmp.path(), tmp.path());
    tmux.type_line(&format!(
        "HIKESHI_OPERATOR=田中 {} tui {dir}",
        bin.display()
    ));
    tmux.wait_for("進捗 0/5");
    // Another person completes a step from their own PC.
    let began = Instant::now();
    hikeshi()
        .env("HIKESHI_OPERATOR", "鈴木")
        .args(["done", &dir, "detect"])
        .assert()
        .success();
    let screen = tmux.wait_for("鈴木 が記録");
    eprintln!(
        "another process's act on screen after {:?}",
        began.elapsed()
    );
    assert!(screen.contains("進捗 1/5"), "{screen}");
    // Four writers at once, 25 notes each, while the screen is open.
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let dir = dir.clone();
            std::thread::spawn(move || {
                for i in 0..25 {
                    hikeshi()
                        .env("HIKESHI_OPERATOR", format!("職員{w}"))
                        .args(["note", &dir, &format!("メモ{w}-{i}")])
                        .assert()
                        .success();
                }
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }
    hikeshi()
        .env("HIKESHI_OPERATOR", "佐藤")
        .args(["note", &dir, "最後のメモ"])
        .assert()
        .success();
    tmux.wait_for("佐藤 が記録: メモ: 最後のメモ");
    // The screen still works: it records as its own person.
    tmux.keys(&["q"]);
    tmux.wait_for("記録は保存されています");
    hikeshi().arg("verify").arg(&dir).assert().success();
    let replay = hikeshi::journal::read(&Path::new(&dir).join("journal.jsonl")).unwrap();
    assert_eq!(replay.entries.len(), 1 + 1 + 100 + 1);
}

/// Another person completes the step this screen has selected, and a key is already on its
/// way: the selection stays on that step (it does not jump to the next ready one, where the
/// key would act on a step nobody chose), and a key within a moment of the change is held
/// and said so. After the moment, the key acts on the step the person sees.
#[test]
fn a_key_in_flight_never_lands_on_a_step_nobody_chose() {
    let tmp = tempfile::tempdir().unwrap();
    let incidents = tmp.path().join("incidents");
    let dir = start_mail_incident(&incidents);
    let id = Path::new(&dir)
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let bin = assert_cmd::cargo::cargo_bin!("hikeshi");
    let tmux = Tmux::new(tmp.path(), tmp.path());
    tmux.type_line(&format!(
        "HIKESHI_OPERATOR=田中 {} tui {dir}",
        bin.display()
    ));
    // The first ready step, 確認する (detect), is selected (awaited whole: a capture may
    // land while the first frame is still being written).
    let screen = tmux.wait_for("実施可  detect (action)");
    assert!(screen.contains("進捗 0/5"), "{screen}");
    // 鈴木 completes it from another PC; 田中's Enter, meant for it, is already on its way.
    hikeshi()
        .env("HIKESHI_OPERATOR", "鈴木")
        .args(["done", &dir, "detect"])
        .assert()
        .success();
    tmux.keys(&["Enter"]);
    // Held, and said so; or, if this loaded machine took longer than the hold to deliver the
    // key, acting on the step still selected, which is done. Never on another step.
    let held = "このキーは実行しませんでした";
    let on_detect = "この手順は完了・省略・対象外です";
    let deadline = Instant::now() + Duration::from_secs(60);
    let screen = loop {
        let screen = tmux.screen();
        if screen.contains(held) || screen.contains(on_detect) {
            break screen;
        }
        assert!(Instant::now() < deadline, "neither message:\n{screen}");
        std::thread::sleep(Duration::from_millis(20));
    };
    if screen.contains(held) {
        assert!(screen.contains("鈴木 が今記録したため"), "{screen}");
    } else {
        eprintln!("the key reached the screen after the hold: it acted on detect");
    }
    // Still on detect, now done; the 第一報 (the next ready step) was not sent.
    let screen = tmux.wait_for("完了  detect (action)");
    assert!(screen.contains("進捗 1/5"), "{screen}");
    let s = status(&incidents, &id);
    assert_eq!(s["messages"]["total"], 0, "{s}");
    assert_eq!(s["journal"]["entries"], 2, "{s}");
    // Once the moment has passed, the key acts on what the person sees: the step is done.
    std::thread::sleep(hikeshi::tui::app::KEY_HOLD);
    tmux.keys(&["Enter"]);
    tmux.wait_for("この手順は完了・省略・対象外です");
    let s = status(&incidents, &id);
    assert_eq!(s["journal"]["entries"], 2, "{s}");
    assert_eq!(s["steps"][0]["done_by"], "鈴木", "{s}");
    tmux.keys(&["q"]);
    tmux.wait_for("記録は保存されています");
}

/// Enter on the stock first report, with the account's owning division unknown, asks for
/// it (by its label) instead of printing a refusal; the value typed is journalled, and Enter
/// then sends the report to that division (issue 26, item 5).
#[test]
fn enter_on_a_notify_step_asks_for_the_fact_it_needs() {
    let tmp = tempfile::tempdir().unwrap();
    let incidents = tmp.path().join("incidents");
    let bin = assert_cmd::cargo::cargo_bin!("hikeshi");
    let tmux = Tmux::new(tmp.path(), tmp.path());
    let env = format!(
        "HIKESHI_OPERATOR=田中 HIKESHI_INCIDENTS={} ",
        incidents.display()
    );
    // An account divisions.yaml does not list: its owner is not known.
    tmux.type_line(&format!(
        "{env}{} run unauthorized-access --account @not_listed --platform x --title 公式Xの乗っ取り",
        bin.display()
    ));
    tmux.wait_for("進捗 0/26");
    let id = std::fs::read_dir(&incidents)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .next()
        .unwrap();
    tmux.keys(&["Enter"]); // detect
    tmux.wait_for("進捗 1/26");
    // The first report is the second step of the list.
    tmux.keys(&["Home", "Down"]);
    tmux.wait_for("実施可  report-to-supervisor (notify)");
    tmux.keys(&["Enter"]);
    // Awaited by the line asserted on: a capture may land mid-frame.
    tmux.wait_for("事実を記録（値を入力");
    let screen = tmux.wait_for("対象アカウントを所管する課（所属課）（owner_division）");
    assert!(!screen.contains("次の事実を記録してください"), "{screen}");
    tmux.type_line("デジタル推進課");
    let s = wait_until(&incidents, &id, |s| {
        s["facts"][0]["value"] == "デジタル推進課"
    });
    assert_eq!(s["messages"]["total"], 0, "only the fact: {s}");
    // Now Enter sends the report, the division among its recipients.
    tmux.keys(&["Enter"]);
    wait_until(&incidents, &id, |s| {
        s["steps"]
            .as_array()
            .unwrap()
            .iter()
            .any(|st| st["id"] == "report-to-supervisor" && st["status"] == "done")
    });
    let out = hikeshi()
        .env("HIKESHI_INCIDENTS", &incidents)
        .args(["outbox", &id, "--json"])
        .output()
        .unwrap();
    let outbox = String::from_utf8(out.stdout).unwrap();
    assert!(outbox.contains("デジタル推進課"), "{outbox}");
    tmux.keys(&["q"]);
    tmux.wait_for("記録は保存されています");
}

/// `y` on a post where no clipboard can be reached (no display, no SSH: a bare console)
/// saves the statement through the incident and says so: what was saved, and where. A
/// second `y` keeps the operator's edit of the file.
#[test]
fn copy_without_a_clipboard_says_where_the_statement_was_saved() {
    let tmp = tempfile::tempdir().unwrap();
    let incidents = tmp.path().join("incidents");
    let bin = assert_cmd::cargo::cargo_bin!("hikeshi");
    let tmux = Tmux::new(tmp.path(), tmp.path());
    tmux.type_line(&format!(
        "env -u DISPLAY -u WAYLAND_DISPLAY -u SSH_CONNECTION -u SSH_TTY HIKESHI_OPERATOR=田中 HIKESHI_INCIDENTS={} {} --lang en run unauthorized-access --account @city_official --platform x --title 公式Xの乗っ取り",
        incidents.display(),
        bin.display()
    ));
    tmux.wait_for("0/26");
    let mut found = false;
    for _ in 0..40 {
        if tmux.screen().contains("takeover-notice (post)") {
            found = true;
            break;
        }
        tmux.keys(&["Down"]);
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(found, "{}", tmux.screen());
    tmux.keys(&["y"]);
    let screen = tmux.wait_for("no clipboard here");
    assert!(
        screen.contains("the statement (")
            && screen.contains("is in statements/takeover-notice.txt of the incident folder"),
        "{screen}"
    );
    let dir = std::fs::read_dir(&incidents)
        .unwrap()
        .filter_map(Result::ok)
        .next()
        .unwrap()
        .path();
    let file = dir.join("statements").join("takeover-notice.txt");
    let saved = std::fs::read_to_string(&file).unwrap();
    assert!(saved.contains("@city_official"), "{saved}");
    // The operator edits the file: a second `y` keeps the edit, copies it, and says so.
    std::fs::write(&file, "編集した公表文").unwrap();
    tmux.keys(&["y"]);
    tmux.wait_for("no clipboard here: the statement (the edited text) (7 characters)");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "編集した公表文");
    tmux.keys(&["q"]);
    tmux.wait_for("everything is saved in");
}
