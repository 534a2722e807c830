//! What an adversarial try found (issue 18), one test per defect, through the real binary:
//! each failed before its fix.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};

use predicates::prelude::*;

const T0: &str = "2026-11-22T14:03:00+09:00";
const T1: &str = "2026-11-22T14:10:00+09:00";

/// `hikeshi --lang en` in `cwd` with a fixed clock and an operator.
fn h(cwd: &Path, time: &str) -> common::Hikeshi {
    let mut cmd = common::hikeshi_at(cwd, time);
    cmd.args(["--lang", "en"]);
    cmd
}

/// Starts the stock unauthorized-access playbook; returns the incident folder.
fn start(cwd: &Path) -> PathBuf {
    let out = h(cwd, T0)
        .args(["start", "unauthorized-access", "--title", "公式Xの乗っ取り"])
        .args(["--account", "@city_official"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    cwd.join(text.lines().last().unwrap())
}

/// Starts the incident and completes its first step, `detect`.
fn detected(cwd: &Path) -> PathBuf {
    let dir = start(cwd);
    h(cwd, T1)
        .args(["done", &id(&dir), "detect"])
        .assert()
        .success();
    dir
}

fn id(dir: &Path) -> String {
    dir.file_name().unwrap().to_string_lossy().into_owned()
}

fn journal(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("journal.jsonl")).unwrap()
}

/// Defect 1: an emptied journal is not a clean incident.
#[test]
fn an_empty_journal_fails_verify_and_status() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = start(tmp.path());
    std::fs::write(dir.join("journal.jsonl"), "").unwrap();
    h(tmp.path(), T1)
        .args(["verify", &id(&dir)])
        .assert()
        .failure()
        .stderr(predicate::str::contains("does not begin with the start"));
    h(tmp.path(), T1)
        .args(["status", &id(&dir)])
        .assert()
        .failure();
    h(tmp.path(), T1)
        .args(["note", &id(&dir), "x"])
        .assert()
        .failure();
}

/// Defect 2: approve/reject --by, and the operator, are one line of visible text; nothing
/// typed is echoed raw to the terminal.
#[test]
fn names_with_line_breaks_or_escapes_are_refused_and_never_echoed_raw() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = detected(tmp.path());
    let before = journal(&dir);
    for by in ["a\nb", "x\u{1b}]0;T\u{7}"] {
        for command in ["approve", "reject"] {
            let mut cmd = h(tmp.path(), T1);
            cmd.args([command, &id(&dir), "takeover-notice", "--by", by]);
            if command == "reject" {
                cmd.args(["--reason", "表現"]);
            }
            let out = cmd.assert().failure().get_output().clone();
            let all = [out.stdout, out.stderr].concat();
            assert!(!all.contains(&0x1b), "{command}: an escape was echoed");
        }
    }
    h(tmp.path(), T1)
        .env("HIKESHI_OPERATOR", "x\u{1b}[2J")
        .args(["note", &id(&dir), "メモ"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("--operator"));
    assert_eq!(journal(&dir), before, "nothing was journalled");
}

/// Defect 11: a right-to-left override or a line separator in a title or an evidence name
/// is refused like a control character.
#[test]
fn text_direction_characters_are_refused_in_titles_and_evidence_names() {
    let tmp = tempfile::tempdir().unwrap();
    h(tmp.path(), T0)
        .args([
            "start",
            "unauthorized-access",
            "--title",
            "乗っ取り\u{202e}txt.exe",
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains("--title"));
    let dir = start(tmp.path());
    let file = tmp.path().join("\u{202e}gnp.exe");
    std::fs::write(&file, b"MZ").unwrap();
    h(tmp.path(), T1)
        .args(["evidence", &id(&dir), "detect"])
        .arg(&file)
        .assert()
        .failure();
    assert_eq!(std::fs::read_dir(dir.join("evidence")).unwrap().count(), 0);
}

/// Defect 3: a report never overwrites the journal, nor someone's file without --force.
#[test]
fn a_report_cannot_overwrite_the_journal_or_a_file_that_is_not_a_report() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = start(tmp.path());
    let before = journal(&dir);
    for target in [
        "journal.jsonl",
        "playbook.yaml",
        "outbox/x.csv",
        "notes.csv",
    ] {
        h(tmp.path(), T1)
            .args(["report", &id(&dir), "--format", "csv", "-o"])
            .arg(dir.join(target))
            .assert()
            .failure()
            .stderr(predicate::str::contains("refusing to write"));
    }
    // Through `..` too.
    h(tmp.path(), T1)
        .args(["report", &id(&dir), "--format", "csv", "-o"])
        .arg(dir.join("outbox").join("..").join("journal.jsonl"))
        .assert()
        .failure();
    assert_eq!(journal(&dir), before);
    // The report's own names in the folder are fine, again and again.
    for _ in 0..2 {
        h(tmp.path(), T1)
            .args(["report", &id(&dir), "--format", "csv", "-o"])
            .arg(dir.join("report.csv"))
            .assert()
            .success();
    }
    // Outside: a file that is not a report needs --force; an earlier report does not.
    let mine = tmp.path().join("mine.csv");
    std::fs::write(&mine, "mine").unwrap();
    h(tmp.path(), T1)
        .args(["report", &id(&dir), "--format", "csv", "-o"])
        .arg(&mine)
        .assert()
        .failure()
        .stderr(predicate::str::contains("--force"));
    assert_eq!(std::fs::read_to_string(&mine).unwrap(), "mine");
    h(tmp.path(), T1)
        .args(["report", &id(&dir), "--format", "csv", "--force", "-o"])
        .arg(&mine)
        .assert()
        .success();
    for format in ["html", "md", "json", "csv"] {
        let out = tmp.path().join(format!("earlier.{format}"));
        for _ in 0..2 {
            h(tmp.path(), T1)
                .args(["report", &id(&dir), "--format", format, "-o"])
                .arg(&out)
                .assert()
                .success();
        }
    }
}

/// Replaces `path` (a file or folder of an incident) by a link to `target`.
#[cfg(unix)]
fn link(target: &Path, path: &Path) {
    if path.is_dir() {
        std::fs::remove_dir_all(path).unwrap();
    } else if path.exists() {
        std::fs::remove_file(path).unwrap();
    }
    std::os::unix::fs::symlink(target, path).unwrap();
}

/// Defect 4: links inside an incident are never followed for what hikeshi writes or packs.
#[test]
#[cfg(unix)] // symbolic links
fn links_inside_an_incident_are_not_followed() {
    let tmp = tempfile::tempdir().unwrap();
    let outside = tmp.path().join("outside");
    std::fs::create_dir(&outside).unwrap();
    let dir = detected(tmp.path());
    let shot = tmp.path().join("shot.png");
    std::fs::write(&shot, b"png").unwrap();
    h(tmp.path(), T1)
        .args(["evidence", &id(&dir), "detect"])
        .arg(&shot)
        .assert()
        .success();
    let recorded = std::fs::read_dir(dir.join("evidence"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .file_name();
    // evidence/ and outbox/ as links to a folder outside.
    std::fs::write(outside.join(&recorded), b"someone else's file").unwrap();
    link(&outside, &dir.join("evidence"));
    link(&outside, &dir.join("outbox"));
    h(tmp.path(), T1)
        .args(["evidence", &id(&dir), "detect"])
        .arg(&shot)
        .assert()
        .failure()
        .stderr(predicate::str::contains("link"));
    h(tmp.path(), T1)
        .args(["notify", &id(&dir), "report-to-supervisor"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("link"));
    assert_eq!(
        std::fs::read_dir(&outside).unwrap().count(),
        1,
        "nothing written outside"
    );
    // The evidence pack does not read through the link either.
    let pack = tmp.path().join("pack");
    h(tmp.path(), T1)
        .args(["report", &id(&dir), "--evidence-pack"])
        .arg(&pack)
        .assert()
        .success();
    assert_eq!(std::fs::read_dir(pack.join("files")).unwrap().count(), 0);
    // journal.torn as a link: the torn tail is not moved out of the incident.
    let elsewhere = outside.join("elsewhere.txt");
    std::fs::write(&elsewhere, "keep").unwrap();
    link(&elsewhere, &dir.join("journal.torn"));
    let mut journal = std::fs::OpenOptions::new()
        .append(true)
        .open(dir.join("journal.jsonl"))
        .unwrap();
    std::io::Write::write_all(&mut journal, b"{\"seq\":9,\"ti").unwrap();
    drop(journal);
    h(tmp.path(), T1)
        .args(["note", &id(&dir), "メモ"])
        .assert()
        .failure();
    assert_eq!(std::fs::read_to_string(&elsewhere).unwrap(), "keep");
    // journal.jsonl itself as a link to a copy outside: not written through.
    std::fs::remove_file(dir.join("journal.torn")).unwrap();
    let copy = outside.join("copy.jsonl");
    std::fs::copy(dir.join("journal.jsonl"), &copy).unwrap();
    let before = std::fs::read(&copy).unwrap();
    link(&copy, &dir.join("journal.jsonl"));
    h(tmp.path(), T1)
        .args(["note", &id(&dir), "メモ"])
        .assert()
        .failure();
    assert_eq!(std::fs::read(&copy).unwrap(), before);
}

/// Defect 6: under a file-size limit the write fails and is cut back; SIGXFSZ does not kill
/// the process (the shell here does not ignore the signal for it).
#[test]
#[cfg(unix)] // `ulimit -f` in sh
fn a_file_size_limit_is_an_error_not_a_killed_process() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = start(tmp.path());
    let before = journal(&dir);
    let blocks = before.len() / 1024 + 1;
    let bin = assert_cmd::cargo::cargo_bin!("hikeshi");
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -f {blocks}; exec \"$0\" --lang en note \"$1\" \"$2\""
        ))
        .arg(bin)
        .arg(&dir)
        .arg("長い記録".repeat(600))
        .env("HIKESHI_TIME", T1)
        .env("HIKESHI_OPERATOR", "田中")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(journal(&dir), before, "cut back to where it was");
    h(tmp.path(), T1)
        .args(["verify", &id(&dir)])
        .assert()
        .success();
}

/// Defect 7: a FIFO (or a device) given as evidence is refused at once, not waited on.
#[test]
#[cfg(unix)] // mkfifo and /dev/zero
fn a_fifo_or_a_device_is_not_taken_as_evidence() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = start(tmp.path());
    let fifo = tmp.path().join("pipe");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    for source in [fifo.as_path(), Path::new("/dev/zero"), tmp.path()] {
        h(tmp.path(), T1)
            .args(["evidence", &id(&dir), "detect"])
            .arg(source)
            .timeout(std::time::Duration::from_secs(20))
            .assert()
            .failure()
            .stderr(predicate::str::contains("regular file"));
    }
    assert_eq!(std::fs::read_dir(dir.join("evidence")).unwrap().count(), 0);
    h(tmp.path(), T1)
        .args(["evidence", &id(&dir), "detect", "https://"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("not a URL"));
}

/// Defect 10: a command whose time is earlier than the journal's last event is refused unless
/// forced, and verify and the report show the time running backwards.
#[test]
fn time_running_backwards_is_refused_unless_allowed_and_then_shown() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = start(tmp.path());
    let before = journal(&dir);
    let earlier = "2026-11-22T13:00:00+09:00";
    h(tmp.path(), earlier)
        .args(["done", &id(&dir), "detect"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("--allow-earlier-time"));
    assert_eq!(journal(&dir), before);
    h(tmp.path(), earlier)
        .args(["--allow-earlier-time", "done", &id(&dir), "detect"])
        .assert()
        .success();
    h(tmp.path(), T1)
        .args(["verify", &id(&dir)])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("warning: entry 2")
                .and(predicate::str::contains("runs backwards")),
        );
    let json = h(tmp.path(), T1)
        .args(["report", &id(&dir), "--format", "json", "-o", "-"])
        .output()
        .unwrap()
        .stdout;
    let report: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(report["integrity"]["out_of_order"][0]["seq"], 2);
}

/// The tail's witness: a mail's and a report's copy of the journal's head show a journal cut
/// back (or rewritten) after they were made; an intact journal passes.
#[test]
fn witnesses_in_mail_and_reports_reveal_a_journal_cut_back() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = detected(tmp.path());
    h(tmp.path(), T1)
        .args(["notify", &id(&dir), "report-to-supervisor"])
        .assert()
        .success();
    let mail = tmp.path().join("received.eml");
    std::fs::copy(dir.join("outbox/0001-report-to-supervisor.eml"), &mail).unwrap();
    let text = std::fs::read_to_string(&mail).unwrap();
    assert!(text.contains("X-Hikeshi-Journal: 2"), "{text}");
    h(tmp.path(), T1)
        .args(["note", &id(&dir), "記者から問い合わせ"])
        .assert()
        .success();
    let report = tmp.path().join("earlier.md");
    h(tmp.path(), T1)
        .args(["report", &id(&dir), "--format", "md", "-o"])
        .arg(&report)
        .assert()
        .success();
    // A mailbox export with another incident's message in it too.
    let mbox = tmp.path().join("inbox.mbox");
    let other = text
        .replace(&id(&dir), "20250101-0000-other")
        .replace("X-Hikeshi-Journal: 2", "X-Hikeshi-Journal: 99");
    std::fs::write(
        &mbox,
        format!(
            "From koho Sun Nov 22 14:10:00 2026\n{text}\nFrom x Sun Nov 22 14:11:00 2026\n{other}\n"
        ),
    )
    .unwrap();
    h(tmp.path(), T1)
        .args(["verify", &id(&dir), "--witness"])
        .args([&mail, &report, &mbox])
        .assert()
        .success()
        .stdout(predicate::str::contains("ok: the journal holds all"));
    // Cut back to the start: the mail (head 2) and the report (the note) contradict it.
    let full = journal(&dir);
    let kept: String = full.lines().take(1).map(|l| format!("{l}\n")).collect();
    std::fs::write(dir.join("journal.jsonl"), &kept).unwrap();
    h(tmp.path(), T1)
        .args(["verify", &id(&dir)])
        .assert()
        .success();
    h(tmp.path(), T1)
        .args(["verify", &id(&dir), "--witness"])
        .arg(&mail)
        .assert()
        .failure()
        .stdout(predicate::str::contains("MISMATCH").and(predicate::str::contains("cut back")));
    // Cut back only past the mail: the report still shows it.
    let upto_mail: String = full.lines().take(2).map(|l| format!("{l}\n")).collect();
    std::fs::write(dir.join("journal.jsonl"), &upto_mail).unwrap();
    h(tmp.path(), T1)
        .args(["verify", &id(&dir), "--witness"])
        .arg(&mail)
        .assert()
        .success();
    h(tmp.path(), T1)
        .args(["verify", &id(&dir), "--witness"])
        .args([&mail, &report])
        .assert()
        .failure()
        .stdout(predicate::str::contains("earlier.md"));
    // Rewritten after the mail: another entry 2 in its place.
    std::fs::write(dir.join("journal.jsonl"), &kept).unwrap();
    h(tmp.path(), T1)
        .args(["note", &id(&dir), "別の内容"])
        .assert()
        .success();
    h(tmp.path(), T1)
        .args(["verify", &id(&dir), "--witness"])
        .arg(&mail)
        .assert()
        .failure()
        .stdout(predicate::str::contains("rewritten"));
}

/// Defect 8: what people typed and what the playbook says is escaped in the report's
/// Markdown (the incident id and the playbook version too) and in the pack's summary.md.
#[test]
#[cfg(unix)] // `|`, `<` and `>` in a folder name
fn markdown_escapes_ids_versions_and_the_packs_summary() {
    let tmp = tempfile::tempdir().unwrap();
    let fixture = common::fixture("engine/playbook.yaml");
    let playbook = std::fs::read_to_string(&fixture).unwrap().replacen(
        "title: エンジン検査用\n",
        "title: エンジン検査用\nversion: \"1.0|<b>v</b>\"\n",
        1,
    );
    std::fs::write(tmp.path().join("playbook.yaml"), playbook).unwrap();
    std::fs::copy(
        common::fixture("engine/divisions.yaml"),
        tmp.path().join("divisions.yaml"),
    )
    .unwrap();
    let out = h(tmp.path(), T0)
        .args([
            "start",
            "playbook.yaml",
            "--title",
            "[x](javascript:alert(1)) <b>|",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let made = tmp
        .path()
        .join(String::from_utf8(out).unwrap().lines().last().unwrap());
    let dir = made.with_file_name("20261122-1403-a|b<i>");
    std::fs::rename(&made, &dir).unwrap();
    h(tmp.path(), T1)
        .args([
            "evidence",
            &id(&dir),
            "detect",
            "https://a.example/<script>",
        ])
        .args(["--note", "*bold* [link](http://evil.example) <img>"])
        .assert()
        .success();
    let md = h(tmp.path(), T1)
        .args(["report", &id(&dir), "--format", "md", "-o", "-"])
        .output()
        .unwrap()
        .stdout;
    let md = String::from_utf8(md).unwrap();
    assert!(md.contains("20261122-1403-a\\|b&lt;i&gt;"), "{md}");
    assert!(md.contains("1.0\\|&lt;b&gt;v&lt;/b&gt;"), "{md}");
    let pack = tmp.path().join("pack");
    h(tmp.path(), T1)
        .args(["report", &id(&dir), "--evidence-pack"])
        .arg(&pack)
        .assert()
        .success();
    let summary = std::fs::read_to_string(pack.join("summary.md")).unwrap();
    for raw in ["<script>", "<img>", "<b>", "[link](", "[x](", "a|b<i>"] {
        assert!(!summary.contains(raw), "{raw} unescaped in:\n{summary}");
    }
}

/// Defect 9: a value from hikeshi.toml is never echoed raw in an error.
#[test]
fn config_errors_do_not_echo_control_characters() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = detected(tmp.path());
    for from in [
        r#"a\r\nBcc: x@example.jp"#,
        r#"x\u001b]0;T\u0007@example.jp"#,
    ] {
        std::fs::write(
            tmp.path().join("hikeshi.toml"),
            format!(
                "[smtp]\nhost = \"127.0.0.1\"\nport = 2525\ntls = \"none\"\nfrom = \"{from}\"\n"
            ),
        )
        .unwrap();
        let out = h(tmp.path(), T1)
            .args(["notify", &id(&dir), "report-to-supervisor"])
            .output()
            .unwrap();
        assert!(!out.status.success());
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(!err.is_empty());
        assert!(
            !err.trim_end().contains(['\r', '\n', '\u{1b}', '\u{7}']),
            "raw: {err:?}"
        );
    }
}

/// Issue 30 item 7: a Word report re-saved by Word or LibreOffice is compressed and may have
/// its witness line split into runs; an Excel report is compressed as written. Both are read
/// back inflated, their text joined per paragraph or cell, and still show a journal cut back.
#[test]
#[cfg(unix)] // Python's zipfile plays the re-save
fn a_word_report_re_saved_and_an_excel_report_still_witness_the_journal() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = detected(tmp.path());
    let (docx, xlsx) = (tmp.path().join("filed.docx"), tmp.path().join("filed.xlsx"));
    for (format, path) in [("docx", &docx), ("xlsx", &xlsx)] {
        h(tmp.path(), T1)
            .args(["report", &id(&dir), "--format", format, "-o"])
            .arg(path)
            .assert()
            .success();
    }
    // What a re-save does: every part deflated, the witness's run split in two (Word puts
    // <w:proofErr/> and rsid runs inside a long word).
    let resaved = tmp.path().join("resaved.docx");
    let script = r#"
import io, sys, zipfile
src = zipfile.ZipFile(io.BytesIO(sys.stdin.buffer.read()))
out = io.BytesIO()
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
    for name in src.namelist():
        data = src.read(name)
        if name == "word/document.xml":
            text = data.decode("utf-8")
            at = text.index("X-Hikeshi-Report: ") + 40
            text = text[:at] + '</w:t></w:r><w:proofErr w:type="spellStart"/><w:r w:rsidR="00A1"><w:t>' + text[at:]
            data = text.encode("utf-8")
        dst.writestr(name, data)
sys.stdout.buffer.write(out.getvalue().hex().encode())
"#;
    let hex = common::smtp::run_python(script, &std::fs::read(&docx).unwrap());
    let bytes: Vec<u8> = (0..hex.trim().len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    std::fs::write(&resaved, bytes).unwrap();
    let raw = std::fs::read(&resaved).unwrap();
    assert!(
        !raw.windows(16).any(|w| w == b"X-Hikeshi-Report"),
        "the re-saved document is compressed"
    );
    h(tmp.path(), T1)
        .args(["verify", &id(&dir), "--witness"])
        .args([&resaved, &xlsx])
        .assert()
        .success()
        .stdout(predicate::str::contains("holds all 2 head(s)"));
    // Cut back: both show it.
    let kept: String = journal(&dir)
        .lines()
        .take(1)
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(dir.join("journal.jsonl"), kept).unwrap();
    h(tmp.path(), T1)
        .args(["verify", &id(&dir), "--witness"])
        .args([&resaved, &xlsx])
        .assert()
        .failure()
        .stdout(
            predicate::str::contains("resaved.docx").and(predicate::str::contains("filed.xlsx")),
        );
}

/// Issue 30 item 8: a witness is read as a stream. A 700 MB file (sparse, no line breaks)
/// is read under a 600 MB address-space limit; read whole, it could not be.
#[test]
#[cfg(target_os = "linux")] // `ulimit -v` and a sparse file
fn a_huge_witness_is_streamed_not_read_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = detected(tmp.path());
    let big = tmp.path().join("mailbox.mbox");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(700 * 1024 * 1024)
        .unwrap();
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 614400; exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_hikeshi"))
        .args(["--lang", "en", "verify", &id(&dir), "--witness"])
        .arg(&big)
        .current_dir(tmp.path())
        .env("HIKESHI_TIME", T1)
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    // Read to its end: no head in it (exit 1), and no failure to read it.
    assert!(
        stdout.contains("no head of a journal"),
        "{stdout}\n{stderr}"
    );
    assert!(!stderr.contains("cannot read"), "{stderr}");
    assert!(!stderr.contains("memory"), "{stderr}");
}
