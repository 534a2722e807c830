//! Hostile input gets a clear error, fast: never a hang, a panic or unbounded memory.
//! (A hang would show as this test never finishing; CI's time limit catches it.)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{check_json, hikeshi};
use predicates::prelude::*;

fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).expect("write fixture");
    path
}

fn only_code(path: &std::path::Path) -> (String, u64, u64) {
    let (diagnostics, code) = check_json(path);
    assert_eq!(code, 1, "{diagnostics:#?}");
    let d = diagnostics
        .iter()
        .find(|d| d["severity"] == "error")
        .expect("an error");
    (
        d["problem"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        d["position"]["line"].as_u64().unwrap_or(0),
        d["position"]["column"].as_u64().unwrap_or(0),
    )
}

#[test]
fn a_ten_megabyte_file_is_refused_before_parsing() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("id: big\ntitle: 大きい\nsteps:\n");
    while text.len() < 10 * 1024 * 1024 {
        text.push_str("  - id: step\n    title: とても長い手順書の一部です\n    kind: action\n");
    }
    let path = write(&dir, "big.yaml", text.as_bytes());
    assert_eq!(only_code(&path).0, "too_large");
}

#[test]
fn an_alias_bomb_is_stopped() {
    let dir = tempfile::tempdir().unwrap();
    // Each level repeats the one before ten times: 10^12 strings if expanded.
    let mut text = String::from(
        "id: bomb\ntitle: 爆弾\nsteps:\n  - id: a\n    title: a\n    kind: action\n    checklist: &l0 [x, x, x, x, x, x, x, x, x, x]\n",
    );
    for i in 1..=12 {
        let refs = vec![format!("*l{}", i - 1); 10].join(", ");
        text.push_str(&format!(
            "  - id: s{i}\n    title: s\n    kind: action\n    evidence: &l{i} [{refs}]\n"
        ));
    }
    let path = write(&dir, "bomb.yaml", text.as_bytes());
    let (code, _, _) = only_code(&path);
    assert!(
        ["resource_limit", "wrong_type"].contains(&code.as_str()),
        "unexpected {code}"
    );
}

#[test]
fn ten_thousand_deep_nesting_is_a_resource_limit() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "id: deep\ntitle: 深い\nsteps: {}{}\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let path = write(&dir, "deep.yaml", text.as_bytes());
    let (code, line, _) = only_code(&path);
    assert_eq!((code.as_str(), line), ("resource_limit", 3));
}

#[test]
fn deep_block_nesting_is_a_resource_limit() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("id: deep\ntitle: 深い\nsteps:\n");
    for depth in 1..200 {
        text.push_str(&"  ".repeat(depth));
        text.push_str("- \n");
    }
    let path = write(&dir, "deep.yaml", text.as_bytes());
    let (code, _, _) = only_code(&path);
    // The deserializer streams: a list where a step belongs is refused at the first level.
    assert!(
        ["resource_limit", "wrong_type"].contains(&code.as_str()),
        "unexpected {code}"
    );
}

#[test]
fn shift_jis_is_reported_with_the_position_of_the_first_bad_byte() {
    let dir = tempfile::tempdir().unwrap();
    // "id: sjis\ntitle: " then 不正 in Shift_JIS.
    let mut bytes = b"id: sjis\ntitle: ".to_vec();
    bytes.extend_from_slice(&[0x95, 0x73, 0x90, 0xb3, b'\n']);
    let path = write(&dir, "sjis.yaml", &bytes);
    assert_eq!(only_code(&path), ("not_utf8".to_string(), 2, 8));
}

#[test]
fn tab_indentation_is_named_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        &dir,
        "tabs.yaml",
        "id: tabs\ntitle: タブ\nsteps:\n\t- id: a\n\t  title: b\n\t  kind: action\n".as_bytes(),
    );
    assert_eq!(only_code(&path), ("tab_indent".to_string(), 4, 1));
}

#[test]
fn a_tab_inside_a_block_scalar_is_fine() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        &dir,
        "tab-in-text.yaml",
        "id: tab-in-text\ntitle: t\nsteps:\n  - id: a\n    title: b\n    kind: action\n    guidance: |\n      一行目\n      \t字下げした二行目\n".as_bytes(),
    );
    let (diagnostics, code) = check_json(&path);
    assert_eq!(code, 0, "{diagnostics:#?}");
}

#[test]
fn a_missing_file_is_a_clear_error() {
    hikeshi()
        .args(["--lang", "en", "check", "no-such-playbook.yaml"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("cannot read the file"))
        .stderr(predicate::str::contains("no-such-playbook.yaml"));
}

#[test]
fn binary_garbage_never_panics() {
    let dir = tempfile::tempdir().unwrap();
    // A deterministic spread of bytes, including NUL and invalid UTF-8.
    let mut seed: u32 = 0x2545_f491;
    let bytes: Vec<u8> = (0..4096)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            (seed & 0xff) as u8
        })
        .collect();
    let path = write(&dir, "garbage.yaml", &bytes);
    hikeshi()
        .args(["--lang", "en", "check"])
        .arg(&path)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("panicked").not());
}

#[test]
fn an_absurd_review_date_does_not_crash_the_check() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        &dir,
        "far.yaml",
        "id: far\ntitle: 遠い未来\nreviewed: \"+262142-12-30\"\nreview_every: 7d\nsteps:\n  - id: a\n    title: b\n    kind: action\n".as_bytes(),
    );
    let out = hikeshi()
        .args(["--lang", "en", "check"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(matches!(out.status.code(), Some(0 | 1)), "{out:?}");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}

/// Issue 30 item 8: a reply's Message-ID comes from outside; a refusal naming it shows it
/// with its control and bidirectional characters escaped.
#[test]
fn a_refusal_shows_a_replys_message_id_escaped() {
    use hikeshi::incident::engine::Refusal;
    let reply_id = "x\u{1b}]0;pwned\u{7}@\u{202e}moc.example".to_string();
    for refusal in [
        Refusal::NoHeldReply {
            reply_id: reply_id.clone(),
        },
        Refusal::ReplyAlreadyRecorded {
            reply_id: reply_id.clone(),
        },
        Refusal::AnswerNotNeeded {
            reply_id: reply_id.clone(),
        },
        Refusal::AnswerMismatch {
            reply_id: reply_id.clone(),
        },
        Refusal::ReplyFromElsewhere {
            message: 1,
            from: reply_id.clone(),
        },
    ] {
        for lang in [hikeshi::Lang::Ja, hikeshi::Lang::En] {
            let text = refusal.message(lang);
            assert!(
                !text.contains('\u{1b}') && !text.contains('\u{7}') && !text.contains('\u{202e}'),
                "{text:?}"
            );
            assert!(
                text.contains("x\\u{1b}]0;pwned\\u{7}@\\u{202e}moc"),
                "{text}"
            );
        }
    }
}

/// Issue 30 item 8: report.md passes no link, image or code from what people typed: a note
/// with an image from outside and a link stays text in every place it is shown.
#[test]
fn report_md_passes_no_link_or_image_from_a_note() {
    let tmp = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        common::hikeshi_at(tmp.path(), "2026-11-22T14:05:00+09:00")
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&[
        "start",
        "unauthorized-access",
        "--title",
        "![t](https://outside.example/t.png)",
    ]);
    assert!(out.status.success(), "{out:?}");
    let id = "20261122-1405-unauthorized-access";
    let note =
        "記者から ![x](https://outside.example/pixel.png) と [ここ](https://evil.example) `code`";
    assert!(run(&["note", id, note]).status.success());
    let out = run(&["report", id, "--format", "md", "-o", "-"]);
    assert!(out.status.success(), "{out:?}");
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(md.contains("pixel.png"), "the note is in the report");
    for bad in ["![x](", "![t](", "[ここ](", "`code`"] {
        assert!(!md.contains(bad), "{bad} in:\n{md}");
    }
    // No `](` that is not the escaped `\](`: nothing can open a link's destination.
    assert!(!md.replace("\\]", "").contains("]("), "{md}");
    assert!(
        md.contains("\\!\\[x\\](https://outside.example/pixel.png)"),
        "{md}"
    );
}

/// Issue 30 item 8: a setting is one line of visible text. `[imap] username` with a CR/LF
/// (which would go into the login and be printed raw in its error) or an escape sequence is
/// refused when hikeshi.toml is read, naming the key and the character, not the value.
#[test]
fn a_setting_with_a_control_character_is_refused_at_load() {
    let tmp = tempfile::tempdir().unwrap();
    for (toml, key, code) in [
        (
            "[imap]\nhost = \"imap.example.jp\"\nusername = \"koho\\r\\nA1 LOGOUT\"\n",
            "[imap] username",
            "U+000D",
        ),
        (
            "[smtp]\nhost = \"smtp.example.jp\"\nfrom = \"koho@city.example.jp\\u001b]0;x\\u0007\"\n",
            "[smtp] from",
            "U+001B",
        ),
        (
            "[report]\nstamps = [\"課長\", \"係長\\u202e\"]\n",
            "[report] stamps",
            "U+202E",
        ),
    ] {
        let config = tmp.path().join("hikeshi.toml");
        std::fs::write(&config, toml).unwrap();
        let out = hikeshi()
            .current_dir(tmp.path())
            .env("HIKESHI_CONFIG", &config)
            .args(["--lang", "en", "outbox", "whatever"])
            .output()
            .unwrap();
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains(key) && err.contains(code), "{key}: {err}");
        assert!(
            !err.contains("LOGOUT") && !err.contains('\u{1b}'),
            "{err:?}"
        );
    }
}
