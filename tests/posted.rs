//! The text as posted: a post's statement as the operator published it (edited in
//! `statements/<step>.txt`, or the playbook's text filled in) is journalled with its SHA-256
//! when the post is completed, and every report format prints it, not the template.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};

use common::native;

const T0: &str = "2026-11-22T14:03:00+09:00";
const T1: &str = "2026-11-22T14:30:00+09:00";
const EDITED: &str = "【訂正とおわび】11月20日の「ごみ収集日程」に関する投稿の内容に誤りがありました。\n（誤）11月23日（月）\n（正）11月24日（火）\n";

fn h(cwd: &Path, time: &str) -> common::Hikeshi {
    common::hikeshi_at(cwd, time)
}

fn start_flaming(cwd: &Path) -> PathBuf {
    h(cwd, T0)
        .args(["start", "flaming", "--title", "誤った収集日の投稿"])
        .assert()
        .success();
    cwd.join(native("incidents/20261122-1403-flaming"))
}

fn post(cwd: &Path, dir: &Path, step: &str) -> assert_cmd::assert::Assert {
    h(cwd, T1)
        .args(["done", dir.to_str().unwrap(), step])
        .args(["--force", "--reason", "電話で承認を得て先に投稿"])
        .assert()
}

fn report(cwd: &Path, dir: &Path, format: &str) -> String {
    let out = h(cwd, T1)
        .args([
            "report",
            dir.to_str().unwrap(),
            "--format",
            format,
            "-o",
            "-",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).unwrap()
}

#[test]
fn an_edited_statement_is_journalled_with_its_hash_and_reported_in_every_format() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = start_flaming(tmp.path());
    std::fs::create_dir_all(dir.join("statements")).unwrap();
    // Saved by an editor on Windows: CRLF and a byte-order mark.
    let on_disk = format!("\u{feff}{}", EDITED.replace('\n', "\r\n"));
    std::fs::write(dir.join("statements/correction-post.txt"), on_disk).unwrap();
    post(tmp.path(), &dir, "correction-post").success();

    let posted = EDITED.trim_end();
    let sha = hikeshi::digest::sha256_hex(posted.as_bytes());
    let journal = std::fs::read_to_string(dir.join("journal.jsonl")).unwrap();
    let line = journal
        .lines()
        .find(|l| l.contains("step_completed"))
        .unwrap();
    let entry: serde_json::Value = serde_json::from_str(line).unwrap();
    let payload = &entry["payload"];
    assert_eq!(payload["posted"]["text"], posted, "{line}");
    assert_eq!(payload["posted"]["sha256"], sha.as_str());
    assert_eq!(payload["posted"]["file"], "statements/correction-post.txt");

    let json: serde_json::Value = serde_json::from_str(&report(tmp.path(), &dir, "json")).unwrap();
    let row = json["statements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == "correction-post")
        .unwrap();
    assert_eq!(row["text"], posted);
    assert_eq!(row["as_posted"], true);
    assert_eq!(row["sha256"], sha.as_str());
    for format in ["html", "md"] {
        let text = report(tmp.path(), &dir, format);
        assert!(text.contains("（正）11月24日（火）"), "{format}: {text}");
        assert!(text.contains(&sha), "{format}: the hash");
        assert!(!text.contains("（誤）○○"), "{format}: not the template");
    }
    // The workbook is written under its own name in the incident folder.
    h(tmp.path(), T1)
        .args(["report", dir.to_str().unwrap(), "--format", "xlsx"])
        .assert()
        .success();
    let xlsx = std::fs::read(dir.join("report.xlsx")).unwrap();
    assert!(xlsx.starts_with(b"PK"), "a zip archive");
    let csv = report(tmp.path(), &dir, "csv");
    assert!(
        csv.contains("（誤）11月23日（月）\r\n（正）11月24日（火）"),
        "{csv}"
    );
    assert!(!csv.contains("（誤）○○"));
}

#[test]
fn without_an_edited_file_the_filled_statement_is_journalled() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = start_flaming(tmp.path());
    // Forced, the post does not wait for its facts, but a text with gaps is not posted.
    let out = post(tmp.path(), &dir, "correction-post").failure();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(stderr.contains("hikeshi fact"), "{stderr}");
    for fact in [
        "target_post=11月20日の「ごみ収集日程」",
        "wrong_info=11月23日（月）",
        "right_info=11月24日（火）",
    ] {
        h(tmp.path(), T1)
            .args(["fact", dir.to_str().unwrap(), fact])
            .assert()
            .success();
    }
    post(tmp.path(), &dir, "correction-post").success();
    let json: serde_json::Value = serde_json::from_str(&report(tmp.path(), &dir, "json")).unwrap();
    let row = json["statements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == "correction-post")
        .unwrap();
    let text = row["text"].as_str().unwrap();
    assert!(
        text.starts_with("【訂正とおわび】11月20日の「ごみ収集日程」"),
        "{text}"
    );
    assert!(text.contains("（正）11月24日（火）"), "{text}");
    assert_eq!(row["as_posted"], true);
    assert_eq!(row["file"], serde_json::Value::Null);
    assert_eq!(
        row["sha256"],
        hikeshi::digest::sha256_hex(text.as_bytes()).as_str()
    );
}

#[test]
fn an_empty_or_binary_statement_file_is_refused_and_nothing_is_journalled() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = start_flaming(tmp.path());
    let before = std::fs::read_to_string(dir.join("journal.jsonl")).unwrap();
    std::fs::create_dir_all(dir.join("statements")).unwrap();
    let file = dir.join("statements/correction-post.txt");
    std::fs::write(&file, "\n\n").unwrap();
    post(tmp.path(), &dir, "correction-post").failure();
    std::fs::write(&file, b"\xff\xfe\x00binary").unwrap();
    post(tmp.path(), &dir, "correction-post").failure();
    std::fs::write(&file, "text with a \u{1b}[31m control character").unwrap();
    post(tmp.path(), &dir, "correction-post").failure();
    let after = std::fs::read_to_string(dir.join("journal.jsonl")).unwrap();
    assert_eq!(before, after);
}

/// An approval given on the command line (in person, by phone) covers the statement as it
/// read then: `statements/<step>.txt` edited after it, the post is refused, saying the text
/// changed since the approval and how to ask again, and nothing is journalled; approved again,
/// the post publishes the text approved.
#[test]
fn an_approval_covers_the_statement_as_it_read_when_given() {
    let tmp = tempfile::tempdir().unwrap();
    h(tmp.path(), T0)
        .arg("start")
        .arg(common::fixture("mail/approval.yaml"))
        .args(["--title", "なりすまし"])
        .assert()
        .success();
    let dir = tmp
        .path()
        .join(native("incidents/20261122-1403-approval-test"));
    let inc = dir.to_str().unwrap();
    for args in [
        vec!["done", inc, "detect"],
        vec!["fact", inc, "fake=@city_0fficial"],
    ] {
        h(tmp.path(), T0).args(args).assert().success();
    }
    let file = dir.join("statements").join("notice.txt");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, "偽アカウントに御注意ください（案1）\n").unwrap();
    h(tmp.path(), T0)
        .args(["approve", inc, "notice", "--by", "佐藤 課長"])
        .assert()
        .success();
    std::fs::write(&file, "偽アカウントに御注意ください（案2）\n").unwrap();
    let journal = std::fs::read_to_string(dir.join("journal.jsonl")).unwrap();
    let refused = h(tmp.path(), T1)
        .args(["done", inc, "notice"])
        .assert()
        .failure()
        .get_output()
        .stderr
        .clone();
    let refused = String::from_utf8(refused).unwrap();
    assert!(
        refused.contains("承認（notice）の後に変わったため"),
        "{refused}"
    );
    assert!(
        refused.contains("hikeshi request-approval INCIDENT notice"),
        "{refused}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("journal.jsonl")).unwrap(),
        journal
    );
    // Approved as it reads now, it is posted as approved.
    h(tmp.path(), T1)
        .args(["approve", inc, "notice", "--by", "佐藤 課長"])
        .assert()
        .success();
    h(tmp.path(), T1)
        .args(["done", inc, "notice"])
        .assert()
        .success();
    let journal = std::fs::read_to_string(dir.join("journal.jsonl")).unwrap();
    let posted = journal
        .lines()
        .find(|l| l.contains("\"kind\":\"step_completed\"") && l.contains("\"notice\""))
        .unwrap();
    assert!(posted.contains("（案2）"), "{posted}");
}

/// The playbook's statement as filled in, saved to `statements/<step>.txt` later (the screen's
/// `y`, to copy it for posting) with the time of that moment, is still the text approved: an
/// approval covers the statement "as of" the time it is posted.
#[test]
fn the_approved_statement_saved_later_with_its_time_is_still_approved() {
    let tmp = tempfile::tempdir().unwrap();
    let fixtures = common::fixture("mail");
    let playbook = std::fs::read_to_string(fixtures.join("approval.yaml"))
        .unwrap()
        .replace(
            "に御注意ください。\"",
            "に御注意ください。（{{now|datetime}}現在）\"",
        );
    assert!(playbook.contains("{{now|datetime}}"));
    std::fs::write(tmp.path().join("approval.yaml"), playbook).unwrap();
    std::fs::copy(
        fixtures.join("divisions.yaml"),
        tmp.path().join("divisions.yaml"),
    )
    .unwrap();
    h(tmp.path(), T0)
        .args(["start", "approval.yaml", "--title", "なりすまし"])
        .assert()
        .success();
    let dir = tmp
        .path()
        .join(native("incidents/20261122-1403-approval-test"));
    let inc = dir.to_str().unwrap();
    for args in [
        vec!["done", inc, "detect"],
        vec!["fact", inc, "fake=@city_0fficial"],
        vec!["approve", inc, "notice", "--by", "佐藤 課長"],
    ] {
        h(tmp.path(), T0).args(args).assert().success();
    }
    // Saved at 14:30, as `y` fills it in then (an editor's final line break).
    let saved = "例示市を名乗る偽のアカウント（@city_0fficial）に御注意ください。（11月22日（日）午後2時30分現在）\n";
    let file = dir.join("statements").join("notice.txt");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, saved).unwrap();
    h(tmp.path(), T1)
        .args(["done", inc, "notice"])
        .assert()
        .success();
    let journal = std::fs::read_to_string(dir.join("journal.jsonl")).unwrap();
    let posted = journal
        .lines()
        .find(|l| l.contains("\"kind\":\"step_completed\"") && l.contains("\"notice\""))
        .unwrap();
    assert!(posted.contains("午後2時30分現在"), "{posted}");
}

/// A text still holding a mark to fill in (○○, （…を記載）) is never published, forced or
/// not: the refusal names the line, the column and the mark, says how to fix it, and nothing
/// is journalled. Corrected, the same post goes out.
#[test]
fn a_text_with_a_mark_to_fill_in_is_refused_with_its_place() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = start_flaming(tmp.path());
    let before = std::fs::read_to_string(dir.join("journal.jsonl")).unwrap();
    std::fs::create_dir_all(dir.join("statements")).unwrap();
    let file = dir.join("statements/correction-post.txt");
    std::fs::write(
        &file,
        "【訂正とおわび】11月20日の「ごみ収集日程」に関する投稿に誤りがありました。\n（誤）○○\n（正）11月24日（火）\n",
    )
    .unwrap();
    let out = post(tmp.path(), &dir, "correction-post").failure();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(stderr.contains("2行4文字目「○○」"), "{stderr}");
    assert!(
        stderr.contains("statements/correction-post.txt"),
        "{stderr}"
    );
    std::fs::write(
        &file,
        "【補足説明】次のとおり補足します。\n（補足する内容を記載）\n",
    )
    .unwrap();
    let out = post(tmp.path(), &dir, "correction-post").failure();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(stderr.contains("（補足する内容を記載）"), "{stderr}");
    assert_eq!(
        before,
        std::fs::read_to_string(dir.join("journal.jsonl")).unwrap()
    );
    std::fs::write(&file, EDITED).unwrap();
    post(tmp.path(), &dir, "correction-post").success();
}

/// A post longer than the affected account's platform takes is refused with the count as the
/// platform counts it (X: a CJK character 2, a URL 23) and the limit; the same text fits once
/// shortened.
#[test]
fn a_post_over_its_platforms_limit_is_refused_with_the_count() {
    let tmp = tempfile::tempdir().unwrap();
    h(tmp.path(), T0)
        .args([
            "start",
            "flaming",
            "--title",
            "長すぎる訂正",
            "--platform",
            "x",
        ])
        .assert()
        .success();
    let dir = tmp.path().join(native("incidents/20261122-1403-flaming"));
    std::fs::create_dir_all(dir.join("statements")).unwrap();
    let file = dir.join("statements/correction-post.txt");
    let url = "https://www.city.example.jp/kurashi/gomi/2026/schedule-correction.html";
    // 139 CJK characters (278), a line break (1) and the URL (23): 302.
    std::fs::write(&file, format!("{}\n{url}", "訂".repeat(139))).unwrap();
    let out = post(tmp.path(), &dir, "correction-post").failure();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        stderr.contains("X の上限を超えています（302／280、22 超過"),
        "{stderr}"
    );
    std::fs::write(&file, format!("{}\n{url}", "訂".repeat(128))).unwrap();
    post(tmp.path(), &dir, "correction-post").success();
}
