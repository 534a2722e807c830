//! The post-incident report: goldens of every format on fixed journals made with the
//! simulated clock, checked again by independent readers (an HTML5 parser, Python's csv
//! module with the BOM, a JSON Schema validator), and the CLI's contract.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};

use common::engine::{Harness, at, decide, done, start};
use common::hikeshi;
use hikeshi::Lang;
use hikeshi::incident::{Command, IncidentRecord};
use hikeshi::notify::{self, Config, Outcome, Transport};
use hikeshi::report::{self, Format};

const END: &str = "2026-11-22T17:30:00+09:00";

/// Queues a notify step's mail and delivers it with the file transport.
fn send(h: &mut Harness, step: &str) {
    notify::queue(&mut h.incident, "田中", step, &Config::default()).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let jobs = notify::due(&h.incident, &Default::default(), false);
    for job in jobs {
        let outcome = runtime.block_on(Transport::File.deliver(&job));
        notify::record(&mut h.incident, &outcome).unwrap();
    }
}

/// A finished incident: every kind of step, evidence, mail, a handover, closed.
fn finished() -> Harness {
    let mut h = start();
    let shot = h.dir.path().join("screenshot.png");
    std::fs::write(&shot, b"\x89PNG fake screenshot").unwrap();
    h.advance(4);
    h.incident
        .attach_file(
            "田中",
            "detect",
            &shot,
            Some("乗っ取り後の投稿の画面".into()),
        )
        .unwrap();
    h.ok(Command::AttachEvidence {
        step: "detect".into(),
        evidence: hikeshi::incident::EvidenceRecord::Url {
            url: "https://x.com/city_official/status/1".into(),
        },
        note: Some("不正な投稿".into()),
    });
    h.ok(done("detect"));
    h.advance(6);
    send(&mut h, "report");
    h.advance(5);
    h.ok(decide("severity", "high", None));
    h.advance(10);
    h.ok(Command::Approve {
        step: "press".into(),
        by: "広報課長 山本".into(),
        statements: None,
    });
    h.ok(done("press"));
    h.ok(Command::Observe {
        step: "watch".into(),
        text: "言及 120件/時".into(),
    });
    h.advance(30);
    h.ok(Command::Handover {
        to: "佐藤".into(),
        summary: "引継ぎ".into(),
    });
    h.ok(done("watch"));
    h.ok(Command::Approve {
        step: "sign-off".into(),
        by: "広報課長 山本".into(),
        statements: None,
    });
    h.advance(20);
    h.ok(done("close-out"));
    h.ok(Command::Close { force: None });
    h
}

/// An incident with a failed message and a call, a skip, a changed decision, a deviation.
fn troubled() -> Harness {
    let mut h = start();
    h.ok(done("detect"));
    h.advance(3);
    notify::queue(&mut h.incident, "田中", "report", &Config::default()).unwrap();
    notify::record(
        &mut h.incident,
        &Outcome::Failed {
            message: 1,
            error: "Connection error: Connection refused (os error 111)".into(),
            permanent: false,
            retry_after: None,
        },
    )
    .unwrap();
    h.advance(1);
    notify::record(
        &mut h.incident,
        &Outcome::Failed {
            message: 1,
            error: "permanent error (550): mailbox unavailable".into(),
            permanent: true,
            retry_after: None,
        },
    )
    .unwrap();
    h.advance(2);
    h.ok(Command::Call {
        division: "広報広聴課".into(),
        number: Some("0836-00-1111".into()),
        note: "課長に電話で伝えた".into(),
    });
    h.ok(decide("severity", "low", None));
    h.advance(40);
    h.ok(decide(
        "severity",
        "high",
        Some("報道機関から問合せがあり重大と判断"),
    ));
    h.ok(Command::Skip {
        step: "watch".into(),
        reason: "監視は広報広聴課が別途実施".into(),
    });
    h.ok(Command::Reject {
        step: "press".into(),
        by: "広報課長 山本".into(),
        reason: "表現を修正".into(),
    });
    h.ok(Command::Complete {
        step: "close-out".into(),
        note: None,
        force: Some("市長判断で先に終結".into()),
        statement: None,
    });
    h.clock.set(at(END));
    h.ok(Command::Close {
        force: Some("報道発表は見送り".into()),
    });
    h
}

/// Hashes depend on the temporary folder the evidence was copied from: the goldens show them
/// as placeholders (their presence and place are what the goldens check).
macro_rules! golden {
    ($name:expr, $value:expr) => {
        insta::with_settings!({filters => vec![
            (r"[0-9a-f]{64}", "[sha256]"),
            (r"\.[0-9a-f]{12}@", ".[token]@"),
            (r"\[HK-[0-9A-Z]{8}\]", "[HK-code]"),
        ]}, {
            insta::assert_snapshot!($name, $value);
        })
    };
}

fn render(dir: &Path, format: Format, lang: Lang) -> String {
    let audited = IncidentRecord::audit(dir).unwrap();
    let report = report::build(&audited, lang, at(END));
    String::from_utf8(report::render(&report, format, None).unwrap()).unwrap()
}

#[test]
fn a_finished_incident_in_every_format() {
    let h = finished();
    let dir = h.incident.dir().to_path_buf();
    for (format, name) in [
        (Format::Markdown, "finished-md"),
        (Format::Csv, "finished-csv"),
        (Format::Json, "finished-json"),
        (Format::Html, "finished-html"),
    ] {
        golden!(name, render(&dir, format, Lang::Ja));
    }
    golden!("finished-md-en", render(&dir, Format::Markdown, Lang::En));
}

#[test]
fn failures_skips_and_changed_decisions_are_on_record() {
    let h = troubled();
    let md = render(h.incident.dir(), Format::Markdown, Lang::Ja);
    for needle in [
        "報道機関から問合せがあり重大と判断",
        "監視は広報広聴課が別途実施",
        "**逸脱**: 市長判断で先に終結",
        "mailbox unavailable",
        "課長に電話で伝えた",
        "差戻し",
        "報道発表は見送り",
    ] {
        assert!(md.contains(needle), "{needle} missing:\n{md}");
    }
    golden!("troubled-md", md);
}

#[test]
fn a_broken_chain_is_reported_at_the_top() {
    let h = finished();
    let journal = h.incident.dir().join("journal.jsonl");
    let text = std::fs::read_to_string(&journal).unwrap();
    // Someone edits what the first reporter noted: line 3's payload.
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines[2] = lines[2].replacen("不正な投稿", "問題のない投稿", 1);
    assert_ne!(lines[2], text.lines().nth(2).unwrap());
    std::fs::write(&journal, lines.join("\n") + "\n").unwrap();
    let md = render(h.incident.dir(), Format::Markdown, Lang::Ja);
    let top: String = md.lines().take(6).collect::<Vec<_>>().join("\n");
    assert!(top.contains("検証に失敗しました"), "{top}");
    assert!(top.contains("line 3 (seq 3)"), "{top}");
    assert!(md.contains("status/1 **（未検証）**"), "{md}");
    assert!(md.contains("問題のない投稿"), "{md}");
    golden!("broken-md", md);
    let html = render(h.incident.dir(), Format::Html, Lang::Ja);
    let alert = html.find("class=\"alert\"").unwrap();
    assert!(
        alert < html.find("<h2>").unwrap(),
        "the warning comes first: {html}"
    );
}

#[test]
#[cfg(unix)] // Python's html5lib
fn the_html_is_valid_html5_and_holds_the_svg_timeline() {
    let h = finished();
    let html = render(h.incident.dir(), Format::Html, Lang::Ja);
    assert!(!html.contains("<script"), "no JavaScript");
    assert!(!html.contains("http://") || html.contains("http://www.w3.org/2000/svg"));
    assert!(!html.contains("<link"), "no external assets");
    assert!(html.contains("@page { size: A4"));
    assert!(html.contains("Noto Sans CJK JP"), "Japanese font fallbacks");
    let out = common::smtp::run_python(
        r#"
import sys, html5lib
doc = sys.stdin.buffer.read()
parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
tree = parser.parse(doc)
svg = tree.findall('.//{http://www.w3.org/2000/svg}svg') or tree.findall('.//svg')
rects = [e for e in tree.iter() if str(e.tag).endswith('rect')]
marks = [e for e in tree.iter() if str(e.tag).endswith('circle') or str(e.tag).endswith('path')]
print(len(svg), len(rects), len(marks), len(tree.findall('.//h2')))
"#,
        html.as_bytes(),
    );
    let counts: Vec<usize> = out.split_whitespace().map(|n| n.parse().unwrap()).collect();
    assert_eq!(counts[0], 1, "one SVG: {out}");
    assert!(counts[1] >= 5, "a bar per step done: {out}");
    assert!(counts[2] >= 2, "mail and decision markers: {out}");
    assert!(counts[3] >= 8, "the sections: {out}");
}

#[test]
#[cfg(unix)] // Python's csv module
fn the_csv_opens_in_excel_and_round_trips() {
    let h = finished();
    let audited = IncidentRecord::audit(h.incident.dir()).unwrap();
    let events = audited.journal.lines.len();
    let bytes = report::render(
        &report::build(&audited, Lang::Ja, at(END)),
        Format::Csv,
        None,
    )
    .unwrap();
    assert!(
        bytes.starts_with("\u{feff}".as_bytes()),
        "UTF-8 BOM for Excel"
    );
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(text.contains("\r\n") && !text.replace("\r\n", "").contains('\n'));
    let out = common::smtp::run_python(
        r#"
import csv, io, sys, json
rows = list(csv.reader(io.StringIO(sys.stdin.buffer.read().decode('utf-8-sig'), newline='')))
print(json.dumps(rows, ensure_ascii=False))
"#,
        &bytes,
    );
    let rows: Vec<Vec<String>> = serde_json::from_str(&out).unwrap();
    assert_eq!(
        rows.len(),
        events + 2,
        "a header, one row per event and the journal's head as a witness"
    );
    assert_eq!(rows[events + 1][3], "witness");
    assert!(rows[events + 1][6].starts_with("X-Hikeshi-Report: "));
    assert_eq!(rows[0][0], "番号");
    assert_eq!(rows[1][6], "事案「テスト事案」を開始");
    assert!(rows.iter().all(|r| r.len() == 9));
    assert!(rows.iter().skip(1).take(events).all(|r| r[7] == "OK"));
}

#[test]
#[cfg(unix)] // Python's jsonschema
fn the_json_matches_its_schema() {
    let h = troubled();
    let json = render(h.incident.dir(), Format::Json, Lang::Ja);
    let schema = std::fs::read_to_string(common::root().join("docs/report.schema.json")).unwrap();
    let input = serde_json::json!({"schema": serde_json::from_str::<serde_json::Value>(&schema).unwrap(), "doc": serde_json::from_str::<serde_json::Value>(&json).unwrap()});
    let out = common::smtp::run_python(
        r#"
import json, sys, jsonschema
data = json.load(sys.stdin)
jsonschema.validate(data["doc"], data["schema"], cls=jsonschema.Draft202012Validator)
print("valid")
"#,
        input.to_string().as_bytes(),
    );
    assert_eq!(out.trim(), "valid");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["format"], 1);
    assert_eq!(v["integrity"]["verified"], true);
    assert_eq!(v["overview"]["decisions"].as_array().unwrap().len(), 2);
    assert_eq!(v["notifications"][0]["state"], "called");
}

fn incidents_of(h: &Harness) -> PathBuf {
    h.dir.path().to_path_buf()
}

#[test]
fn the_command_writes_each_format_and_an_evidence_pack() {
    let h = finished();
    let id = h.incident.record().id.clone();
    let run = |args: &[&str]| {
        hikeshi()
            .env("HIKESHI_INCIDENTS", incidents_of(&h))
            .env("HIKESHI_TIME", END)
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&["report", &id]);
    assert!(out.status.success(), "{out:?}");
    assert!(h.incident.dir().join("report.html").is_file());
    let out = run(&["report", &id, "--format", "csv", "-o", "-"]);
    assert!(out.stdout.starts_with("\u{feff}".as_bytes()));
    let target = h.dir.path().join("out.md");
    let out = run(&[
        "report",
        &id,
        "--format",
        "md",
        "-o",
        target.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    assert!(
        std::fs::read_to_string(&target)
            .unwrap()
            .starts_with("# 事案報告書")
    );

    let pack = h.dir.path().join("pack");
    let out = run(&["report", &id, "--evidence-pack", pack.to_str().unwrap()]);
    assert!(out.status.success(), "{out:?}");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(pack.join("manifest.json")).unwrap())
            .unwrap();
    let items = manifest["evidence"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    let file = items.iter().find(|i| i["kind"] == "file").unwrap();
    assert_eq!(file["intact"], true);
    let copied = pack.join(file["what"].as_str().unwrap());
    assert_eq!(std::fs::read(&copied).unwrap(), b"\x89PNG fake screenshot");
    let summary = std::fs::read_to_string(pack.join("summary.md")).unwrap();
    assert!(
        summary.contains("https://x.com/city_official/status/1 — 不正な投稿"),
        "{summary}"
    );
    assert!(summary.contains("@city_official"), "{summary}");
    assert!(
        std::fs::read(pack.join("manifest.csv"))
            .unwrap()
            .starts_with("\u{feff}".as_bytes())
    );
    // A pack is never written over an existing one.
    let out = run(&["report", &id, "--evidence-pack", pack.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));

    // A damaged journal: the report is still written, and the command exits 1.
    let journal = h.incident.dir().join("journal.jsonl");
    let text = std::fs::read_to_string(&journal)
        .unwrap()
        .replacen("田中", "鈴木", 1);
    std::fs::write(&journal, text).unwrap();
    let out = run(&["report", &id, "--format", "md", "-o", "-"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("検証に失敗しました"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("検証に失敗しました"));
}

#[test]
fn a_municipality_can_use_its_own_template() {
    let h = finished();
    let folder = h.dir.path().join("templates");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(
        folder.join("report.md.j2"),
        "例示市様式第1号\n件名: {{ r.overview.title }}\n{% for e in r.timeline %}{{ e.time | jst }} {{ e.text }}\n{% endfor %}",
    )
    .unwrap();
    std::fs::write(
        h.dir.path().join("hikeshi.toml"),
        "[report]\ntemplates = \"templates\"\n",
    )
    .unwrap();
    let out = hikeshi()
        .env("HIKESHI_INCIDENTS", incidents_of(&h))
        .env("HIKESHI_CONFIG", h.dir.path().join("hikeshi.toml"))
        .args([
            "report",
            &h.incident.record().id,
            "--format",
            "md",
            "-o",
            "-",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with(
            "例示市様式第1号\n件名: テスト事案\n2026-11-22 14:03 事案「テスト事案」を開始"
        ),
        "{text}"
    );
    // A broken template is an error with its line, not a half report.
    std::fs::write(folder.join("report.md.j2"), "ok\n{% for x in %}\n").unwrap();
    let out = hikeshi()
        .env("HIKESHI_INCIDENTS", incidents_of(&h))
        .env("HIKESHI_CONFIG", h.dir.path().join("hikeshi.toml"))
        .args(["report", &h.incident.record().id, "--format", "md"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("report.md.j2") && err.contains("line 2"),
        "{err}"
    );
}

/// Rewrites a journal line's hash so the line verifies on its own (what someone editing the
/// record by hand, knowing the format, would do).
fn rehash(line: &str) -> String {
    let cut = line.rfind(",\"hash\":\"").unwrap();
    let body = format!("{}}}", &line[..cut]);
    format!(
        "{},\"hash\":\"{}\"}}",
        &line[..cut],
        hikeshi::digest::sha256_hex(body.as_bytes())
    )
}

fn damaged(edit: impl FnOnce(&mut Vec<Vec<u8>>)) -> report::Report {
    let h = finished();
    let journal = h.incident.dir().join("journal.jsonl");
    let bytes = std::fs::read(&journal).unwrap();
    let mut lines: Vec<Vec<u8>> = bytes
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(<[u8]>::to_vec)
        .collect();
    edit(&mut lines);
    let mut out = Vec::new();
    for l in &lines {
        out.extend_from_slice(l);
        out.push(b'\n');
    }
    std::fs::write(&journal, out).unwrap();
    let audited = IncidentRecord::audit(h.incident.dir()).unwrap();
    report::build(&audited, Lang::Ja, at(END))
}

fn flagged(r: &report::Report) -> Vec<usize> {
    r.timeline
        .iter()
        .filter(|e| !e.verified)
        .map(|e| e.line)
        .collect()
}

#[test]
fn damage_is_marked_on_the_lines_where_it_is() {
    // A deleted line: the line now in its place does not follow.
    let r = damaged(|l| {
        l.remove(2);
    });
    assert!(!r.integrity.verified);
    assert_eq!(flagged(&r), [3], "{:?}", r.integrity.problems);
    // A line inserted that is not a record: shown as unreadable, the rest verifies.
    let r = damaged(|l| l.insert(2, b"hello".to_vec()));
    assert_eq!(flagged(&r), [3], "{:?}", r.integrity.problems);
    assert!(r.timeline[2].text.contains("読み取れない行: hello"));
    assert_eq!(r.timeline.len(), 17, "one row per line");
    // Not UTF-8.
    let r = damaged(|l| l.insert(1, vec![0xff, 0xfe, b'x']));
    assert_eq!(flagged(&r), [2]);
    // Edited and re-hashed: the edited line and the one after it are both flagged.
    let r = damaged(|l| {
        let text = String::from_utf8(l[2].clone())
            .unwrap()
            .replace("status/1", "status/2");
        l[2] = rehash(&text).into_bytes();
    });
    assert_eq!(flagged(&r), [3, 4], "{:?}", r.integrity.problems);
    // An unfinished last line.
    let r = damaged(|l| {
        let last = l.len() - 1;
        l[last].truncate(40);
    });
    assert!(!r.integrity.verified);
    let csv = String::from_utf8(report::render(&r, Format::Csv, None).unwrap()).unwrap();
    assert!(csv.contains("不一致"));
}

#[test]
fn an_empty_journal_is_not_a_verified_record() {
    let r = damaged(Vec::clear);
    assert!(!r.integrity.verified);
    let md = String::from_utf8(report::render(&r, Format::Markdown, None).unwrap()).unwrap();
    assert!(md.contains("検証に失敗しました"), "{md}");
    // Nothing to chart and no events: the Word document is still made, and says so.
    let docx = report::render(&r, Format::Docx, None).unwrap();
    assert!(String::from_utf8_lossy(&docx).contains("検証に失敗しました"));
}

#[test]
fn the_record_speaks_for_what_it_was_when_it_was_written() {
    let h = finished();
    let md = render(h.incident.dir(), Format::Markdown, Lang::Ja);
    // Posted by 田中 before the handover to 佐藤: the statement names 田中.
    assert!(
        md.contains("例示市からのお知らせ（担当 田中、重大度 重大）"),
        "{md}"
    );
    let h = troubled();
    let md = render(h.incident.dir(), Format::Markdown, Lang::Ja);
    // The one who refused, not who typed it in.
    assert!(md.contains("広報課長 山本: 表現を修正"), "{md}");
    // A post never published is not shown as a published text.
    assert!(md.contains("（未公表。"), "{md}");
}

#[test]
fn operator_text_cannot_inject_markup_or_formulas() {
    let mut h = start();
    h.incident
        .execute(
            "=HYPERLINK(\"http://evil\")",
            &Command::Note {
                text: "<script>alert(1)</script> | 列 ```".into(),
                step: None,
            },
        )
        .unwrap();
    let dir = h.incident.dir().to_path_buf();
    let md = render(&dir, Format::Markdown, Lang::Ja);
    assert!(
        md.contains("&lt;script&gt;alert(1)&lt;/script&gt; \\| 列"),
        "{md}"
    );
    assert!(!md.contains("<script>"));
    let html = render(&dir, Format::Html, Lang::Ja);
    assert!(!html.contains("<script>"));
    let csv = render(&dir, Format::Csv, Lang::Ja);
    assert!(csv.contains("'=HYPERLINK"), "{csv}");
    // The Word document's parts are stored uncompressed: its XML can be searched as it is.
    let audited = IncidentRecord::audit(&dir).unwrap();
    let r = report::build(&audited, Lang::Ja, at(END));
    let docx = report::render(&r, Format::Docx, None).unwrap();
    let xml = String::from_utf8_lossy(&docx);
    assert!(
        xml.contains("&lt;script&gt;alert(1)&lt;/script&gt; | 列"),
        "escaped"
    );
    assert!(!xml.contains("<script>"));
}

#[test]
fn an_evidence_pack_lists_a_missing_file_instead_of_failing() {
    let h = finished();
    for entry in std::fs::read_dir(h.incident.dir().join("evidence")).unwrap() {
        std::fs::remove_file(entry.unwrap().path()).unwrap();
    }
    let audited = IncidentRecord::audit(h.incident.dir()).unwrap();
    let r = report::build(&audited, Lang::Ja, at(END));
    let out = h.dir.path().join("pack");
    let manifest = report::pack::write(&r, h.incident.dir(), &out, Lang::Ja).unwrap();
    let file = manifest.evidence.iter().find(|e| e.kind == "file").unwrap();
    assert_eq!(file.intact, Some(false));
    assert!(file.what.contains("見つからない"), "{}", file.what);
    assert!(out.join("summary.md").is_file());
    // A file name that leads out of evidence/ is refused when it is recorded.
    let mut h = start();
    let refused = h.run(Command::AttachEvidence {
        step: "detect".into(),
        evidence: hikeshi::incident::EvidenceRecord::File {
            name: "../../etc/hostname".into(),
            original: "/etc/hostname".into(),
            sha256: "0".repeat(64),
            bytes: 1,
        },
        note: None,
    });
    assert!(
        matches!(
            refused,
            Err(hikeshi::incident::Refusal::BadEvidenceName { .. })
        ),
        "{refused:?}"
    );
}

#[test]
fn the_chart_marks_skipped_steps_and_a_missing_template_folder_is_an_error() {
    let h = troubled();
    let html = render(h.incident.dir(), Format::Html, Lang::Ja);
    assert!(html.contains("×<title>反応を監視する"), "skipped marker");
    let audited = IncidentRecord::audit(h.incident.dir()).unwrap();
    let r = report::build(&audited, Lang::Ja, at(END));
    let missing = h.dir.path().join("no-such-folder");
    let err = report::render(&r, Format::Html, Some(&missing)).unwrap_err();
    assert!(err.to_string().contains("report.html.j2"), "{err}");
}

/// A clause cited by two steps, once with its words and once without, is listed once with
/// its words; a clause whose words the document carries is quoted too; a step that rests on
/// practice is listed apart, with its reason.
#[test]
fn each_clause_is_listed_once_with_its_words_and_practice_apart() {
    let mut h = common::engine::start_with("engine/sources.yaml");
    for step in ["a", "b", "c"] {
        h.ok(done(step));
    }
    let json: serde_json::Value =
        serde_json::from_str(&render(h.incident.dir(), Format::Json, Lang::Ja)).unwrap();
    let groups = json["overview"]["clauses"].as_array().unwrap();
    assert_eq!(groups.len(), 1, "{groups:?}");
    assert_eq!(json["overview"]["departures"], serde_json::json!([]));
    assert_eq!(groups[0]["clauses"], serde_json::json!(["7(1)", "7(2)"]));
    assert_eq!(
        groups[0]["quoted"],
        serde_json::json!([
            {"clause": "7(1)", "text": "不正アクセスを受けた場合は、直ちに所属長に報告する"},
            {"clause": "7(2)", "text": "パスワードを変更し、第三者が利用できない状態にする"},
        ])
    );
    assert_eq!(
        json["overview"]["practice"],
        serde_json::json!([{"step": "c", "title": "通報する", "reason": "各社の通報フォームの実務による（ガイドラインに定めなし）"}])
    );
    let md = render(h.incident.dir(), Format::Markdown, Lang::Ja);
    assert_eq!(
        md.matches("7(1)「不正アクセスを受けた場合は").count(),
        1,
        "{md}"
    );
    assert!(
        md.contains("### ガイドラインに定めのない実務による手順"),
        "{md}"
    );
    assert!(
        md.contains("- 通報する: 各社の通報フォームの実務による"),
        "{md}"
    );
}

/// A clause a step departs from on purpose is printed as a departure with its reason in every
/// format's 根拠 section, never among the clauses followed; the sentence the step does follow
/// stays there.
#[test]
fn a_deliberate_departure_is_printed_as_one_not_as_followed() {
    let mut h = common::engine::start_with("engine/sources.yaml");
    for step in ["a", "b", "c", "d"] {
        h.ok(done(step));
    }
    let dir = h.incident.dir();
    let json: serde_json::Value =
        serde_json::from_str(&render(dir, Format::Json, Lang::Ja)).unwrap();
    let followed = json["overview"]["clauses"].to_string();
    assert!(followed.contains("厳重に管理し"), "{followed}");
    assert!(!followed.contains("定期的"), "{followed}");
    assert_eq!(
        json["overview"]["departures"],
        serde_json::json!([{
            "step": "d",
            "title": "パスワードを点検する",
            "document": "美祢市社会福祉協議会ソーシャルメディア運用ガイドライン",
            "clause": "4(4)",
            "text": "定期的に変更することとする",
            "reason": "定期的な変更は求めない（NIST SP 800-63B）",
        }])
    );
    let step = json["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "d")
        .unwrap();
    assert_eq!(
        step["departures"],
        serde_json::json!([
            "美祢市社会福祉協議会ソーシャルメディア運用ガイドライン 4(4) — 定期的な変更は求めない（NIST SP 800-63B）"
        ])
    );
    let line = "パスワードを点検する: 美祢市社会福祉協議会ソーシャルメディア運用ガイドライン 4(4) — 定期的な変更は求めない";
    let md = render(dir, Format::Markdown, Lang::Ja);
    assert!(md.contains("### 意図的に従わない規定（理由）"), "{md}");
    assert!(md.contains(&format!("- {line}")), "{md}");
    assert!(md.contains("> 4(4)「定期的に変更することとする」"), "{md}");
    let html = render(dir, Format::Html, Lang::Ja);
    assert!(
        html.contains("<h3>意図的に従わない規定（理由）</h3>"),
        "{html}"
    );
    assert!(html.contains(&format!("<li>{line}")), "{html}");
    let en = render(dir, Format::Markdown, Lang::En);
    assert!(
        en.contains("### Clauses departed from on purpose (why)"),
        "{en}"
    );
    #[cfg(unix)]
    {
        let (_, bytes) = bytes_of(dir, Format::Docx, Lang::Ja);
        common::ooxml::assert_valid_docx(&bytes);
        let doc: serde_json::Value =
            serde_json::from_str(&common::smtp::run_python(READ_DOCX, &bytes)).unwrap();
        let text = doc.to_string();
        assert!(text.contains("意図的に従わない規定（理由）"), "{text}");
        assert!(text.contains(&format!("・{line}")), "{text}");
        let (_, bytes) = bytes_of(dir, Format::Xlsx, Lang::Ja);
        let book = common::smtp::run_python(READ_XLSX, &bytes);
        assert!(book.contains("意図的に従わない規定"), "{book}");
        assert!(
            book.contains("4(4) — 定期的な変更は求めない（NIST SP 800-63B）"),
            "{book}"
        );
    }
}

#[cfg(unix)] // used only by the openpyxl tests
fn bytes_of(dir: &Path, format: Format, lang: Lang) -> (report::Report, Vec<u8>) {
    let audited = IncidentRecord::audit(dir).unwrap();
    let report = report::build(&audited, lang, at(END));
    let bytes = report::render(&report, format, None).unwrap();
    (report, bytes)
}

/// Reads a workbook with openpyxl: each sheet's frozen cell, filter, widths and cells, with
/// each cell's Python type.
#[cfg(unix)]
const READ_XLSX: &str = r#"
import io, sys, json, datetime, openpyxl
wb = openpyxl.load_workbook(io.BytesIO(sys.stdin.buffer.read()))
out = {}
for ws in wb.worksheets:
    rows = []
    for row in ws.iter_rows():
        cells = []
        for c in row:
            v = c.value
            kind = type(v).__name__
            if isinstance(v, (datetime.datetime, datetime.timedelta)):
                v = str(v)
            cells.append([kind, v])
        rows.append(cells)
    widths = {k: d.width for k, d in ws.column_dimensions.items()}
    heights = {str(k): d.height for k, d in ws.row_dimensions.items() if d.height}
    ps, m = ws.page_setup, ws.page_margins
    out[ws.title] = {"freeze": ws.freeze_panes, "filter": ws.auto_filter.ref,
                     "widths": widths, "heights": heights, "rows": rows,
                     "page": {"paper": ps.paperSize, "orientation": ps.orientation,
                              "fit": ws.sheet_properties.pageSetUpPr.fitToPage,
                              "wide": ps.fitToWidth, "tall": ps.fitToHeight,
                              "titles": ws.print_title_rows,
                              "margins_in": [m.left, m.right, m.top, m.bottom]}}
print(json.dumps({"sheets": wb.sheetnames, "data": out}, ensure_ascii=False))
"#;

#[test]
#[cfg(unix)] // Python's openpyxl
fn the_workbook_has_typed_cells_frozen_headers_and_filters() {
    let h = finished();
    let (r, bytes) = bytes_of(h.incident.dir(), Format::Xlsx, Lang::Ja);
    let out: serde_json::Value =
        serde_json::from_str(&common::smtp::run_python(READ_XLSX, &bytes)).unwrap();
    let names: Vec<&str> = out["sheets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["概要", "経過", "手順の実施状況", "通知", "証拠", "判断"]
    );
    for name in &names[1..] {
        let sheet = &out["data"][name];
        assert_eq!(sheet["freeze"], "A2", "{name}: header frozen");
        assert!(
            sheet["filter"].as_str().unwrap().starts_with("A1:"),
            "{name}"
        );
    }
    // Every timeline event, in order, with its time as an Excel date in Japan time.
    let timeline = out["data"]["経過"]["rows"].as_array().unwrap();
    assert_eq!(timeline.len(), r.timeline.len() + 1);
    assert_eq!(timeline[0][6][1], "内容");
    for (row, e) in timeline[1..].iter().zip(&r.timeline) {
        assert_eq!(row[1][0], "datetime", "{row:?}");
        assert_eq!(row[1][1], e.time_text.as_str());
        assert!(row[6][1].as_str().unwrap().starts_with(&e.text), "{row:?}");
    }
    // Durations as durations, and the timeline's text columns wide enough for Japanese.
    let steps = out["data"]["手順の実施状況"]["rows"].as_array().unwrap();
    let took = steps[1..]
        .iter()
        .find(|row| row[8][0] == "timedelta")
        .expect("a step's time taken is a duration");
    let s = r.steps.iter().find(|s| s.id == took[0][1]).unwrap();
    let seconds = s.taken_seconds.unwrap();
    let shown = format!(
        "{}:{:02}:{:02}",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    );
    assert_eq!(took[8][1], shown);
    let width = out["data"]["経過"]["widths"]["G"].as_f64().unwrap();
    assert!(
        width >= 40.0,
        "the 内容 column fits its Japanese text: {width}"
    );
    // Mail, evidence and decisions are there, with dates typed.
    let mail = out["data"]["通知"]["rows"].as_array().unwrap();
    assert_eq!(mail.len(), r.notifications.len() + 1);
    assert_eq!(mail[1][6][0], "datetime");
    let evidence = out["data"]["証拠"]["rows"].as_array().unwrap();
    assert_eq!(evidence.len(), r.evidence.len() + 1);
    assert!(
        evidence
            .iter()
            .any(|row| row[7][1] == "乗っ取り後の投稿の画面")
    );
    let decisions = out["data"]["判断"]["rows"].as_array().unwrap();
    assert_eq!(decisions.len(), r.overview.decisions.len() + 1);
    let overview = out["data"]["概要"]["rows"].as_array().unwrap();
    assert_eq!(overview[1][1][1], "テスト事案");
    // Printed on A4, one page wide (as many tall as it takes), the header row on every page,
    // landscape where the sheet is wide.
    for name in &names {
        let page = &out["data"][name]["page"];
        assert_eq!(page["paper"], 9, "{name}: A4 {page}");
        assert_eq!(page["fit"], true, "{name}: {page}");
        // fitToWidth 1 is the attribute's default, so it may be left out.
        let wide = page["wide"].as_i64().unwrap_or(1);
        assert_eq!(
            (wide, page["tall"].as_i64()),
            (1, Some(0)),
            "{name}: {page}"
        );
        assert_eq!(page["titles"], "$1:$1", "{name}: {page}");
        assert!(page["margins_in"][0].as_f64().unwrap() > 0.5, "{page}");
    }
    assert_eq!(out["data"]["経過"]["page"]["orientation"], "landscape");
    // A row grows with its lines: the witness (longer than its column is wide) and the
    // timeline's text of several lines.
    let (witness_row, _) = overview
        .iter()
        .enumerate()
        .find(|(_, row)| {
            row[1][1]
                .as_str()
                .is_some_and(|t| t.starts_with("X-Hikeshi-Report:"))
        })
        .expect("a witness row");
    let heights = &out["data"]["概要"]["heights"];
    let height = heights[(witness_row + 1).to_string()]
        .as_f64()
        .unwrap_or(0.0);
    assert!(height >= 30.0, "the witness row holds two lines: {heights}");
    let heights = &out["data"]["経過"]["heights"];
    for (i, row) in timeline.iter().enumerate().skip(1) {
        let text = row[6][1].as_str().unwrap_or("");
        if text.lines().count() > 1 {
            assert!(
                heights[(i + 1).to_string()].as_f64().is_some(),
                "row {} with {} lines grows: {heights}",
                i + 1,
                text.lines().count()
            );
        }
    }
}

#[test]
#[cfg(unix)] // Python's openpyxl
fn a_workbook_of_a_broken_record_says_so_first() {
    let h = finished();
    let journal = h.incident.dir().join("journal.jsonl");
    let text = std::fs::read_to_string(&journal).unwrap();
    std::fs::write(&journal, text.replacen("不正な投稿", "問題のない投稿", 1)).unwrap();
    let (_, bytes) = bytes_of(h.incident.dir(), Format::Xlsx, Lang::Ja);
    let out: serde_json::Value =
        serde_json::from_str(&common::smtp::run_python(READ_XLSX, &bytes)).unwrap();
    assert_eq!(out["sheets"][0], "概要");
    let first = &out["data"]["概要"]["rows"][1][0][1];
    assert!(
        first.as_str().unwrap().contains("検証に失敗しました"),
        "{first}"
    );
    let timeline = out["data"]["経過"]["rows"].as_array().unwrap();
    assert!(timeline.iter().any(|row| row[7][1] == "不一致"));
}

#[test]
fn the_csv_of_a_broken_record_says_so_under_its_header() {
    let h = finished();
    let id = h.incident.record().id.clone();
    let csv_of = || {
        let out = hikeshi()
            .env("HIKESHI_INCIDENTS", incidents_of(&h))
            .env("HIKESHI_TIME", END)
            .args(["report", &id, "--format", "csv", "-o", "-"])
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        let rows: Vec<Vec<String>> = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text.trim_start_matches('\u{feff}').as_bytes())
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect();
        (out.status.code(), rows)
    };
    let (code, rows) = csv_of();
    assert_eq!(code, Some(0));
    assert!(rows.iter().all(|r| r[3] != "unverified"), "{rows:?}");
    let events = rows.len() - 2;

    let journal = h.incident.dir().join("journal.jsonl");
    let text = std::fs::read_to_string(&journal).unwrap();
    std::fs::write(&journal, text.replacen("不正な投稿", "問題のない投稿", 1)).unwrap();
    let (code, rows) = csv_of();
    assert_eq!(code, Some(1), "written, and the command fails");
    assert_eq!(rows[0][0], "番号", "the header stays the first row");
    assert_eq!(rows[1][3], "unverified");
    assert!(rows[1][6].contains("検証に失敗しました"), "{:?}", rows[1]);
    assert_eq!(rows[1][7], "不一致");
    assert_eq!(rows[2][3], "unverified");
    assert!(rows[2][6].starts_with("line 3 (seq 3): "), "{:?}", rows[2]);
    assert!(
        rows.iter().all(|r| r.len() == 9),
        "every row has the columns"
    );
    assert_eq!(
        rows.len(),
        events + 2 + 2,
        "two warning rows, then every event"
    );
    assert_eq!(rows[3][6], "事案「テスト事案」を開始");
    assert_eq!(rows.last().unwrap()[3], "witness");
}

/// Reads a Word document with python-docx: the page, the East Asian fonts (document defaults
/// and styles) and the font table, the pictures, the header, the footer, the properties, and
/// the body in order: paragraphs (with their style and runs) and tables (cell texts, whether
/// the header row repeats on every page, how many cells are lines to write on).
#[cfg(unix)]
const READ_DOCX: &str = r#"
import io, sys, json, zipfile
import xml.etree.ElementTree as ET
import docx
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
data = sys.stdin.buffer.read()
d = docx.Document(io.BytesIO(data))
s = d.sections[0]
def east_asia(el):
    rpr = el.find(qn('w:rPr')) if el is not None else None
    fonts = rpr.find(qn('w:rFonts')) if rpr is not None else None
    return None if fonts is None else fonts.get(qn('w:eastAsia'))
defaults = d.styles.element.find(qn('w:docDefaults')).find(qn('w:rPrDefault'))
body = []
for child in d.element.body.iterchildren():
    if child.tag == qn('w:p'):
        p = docx.text.paragraph.Paragraph(child, d)
        pictures = len(child.findall('.//' + qn('w:drawing')))
        if p.text or pictures:
            body.append({"p": p.text, "style": p.style.name if p.style is not None else None,
                         "pictures": pictures})
    elif child.tag == qn('w:tbl'):
        t = docx.table.Table(child, d)
        tr = t.rows[0]._tr
        repeat = tr.trPr is not None and tr.trPr.find(qn('w:tblHeader')) is not None
        lines = len(child.findall('.//' + qn('w:tcBorders') + '/' + qn('w:bottom')))
        body.append({"table": [[c.text for c in row.cells] for row in t.rows],
                     "repeat": repeat, "lines": lines})
z = zipfile.ZipFile(io.BytesIO(data))
W = '{http://schemas.openxmlformats.org/wordprocessingml/2006/main}'
fonts = {}
for f in ET.fromstring(z.read('word/fontTable.xml')).findall(W + 'font'):
    alt = f.find(W + 'altName')
    fonts[f.get(W + 'name')] = alt.get(W + 'val') if alt is not None else None
print(json.dumps({
    "page_mm": [round(s.page_width.mm), round(s.page_height.mm)],
    "portrait": s.orientation == WD_ORIENT.PORTRAIT,
    "margins_mm": [round(m.mm) for m in (s.top_margin, s.bottom_margin, s.left_margin, s.right_margin)],
    "east_asia": {name: east_asia(d.styles[name].element) for name in ("Title", "Heading 1", "Heading 2")}
                 | {"default": east_asia(defaults)},
    "default_style": d.styles.default(docx.enum.style.WD_STYLE_TYPE.PARAGRAPH).name,
    "font_table": fonts,
    "pictures": [z.read(n)[:8].hex() for n in z.namelist()
                 if n.startswith('word/media/') and not n.endswith('/')],
    "header": "\n".join(p.text for p in s.header.paragraphs),
    "footer": "\n".join(p.text for p in s.footer.paragraphs),
    "footer_runs": [[r.findtext(qn('w:instrText')) or r.findtext(qn('w:t')),
                     r.find(qn('w:rPr') + '/' + qn('w:sz')).get(qn('w:val'))
                     if r.find(qn('w:rPr') + '/' + qn('w:sz')) is not None else None,
                     r.find(qn('w:rPr') + '/' + qn('w:color')).get(qn('w:val'))
                     if r.find(qn('w:rPr') + '/' + qn('w:color')) is not None else None]
                    for r in s.footer._element.iter(qn('w:r'))],
    "title": d.core_properties.title,
    "author": d.core_properties.author,
    "body": body,
}, ensure_ascii=False))
"#;

/// `hikeshi report INCIDENT --format docx` with `extra` arguments and `config`, read back.
#[cfg(unix)]
fn word(h: &Harness, extra: &[&str], config: Option<&Path>) -> (Option<i32>, serde_json::Value) {
    let id = h.incident.record().id.clone();
    let mut cmd = hikeshi();
    cmd.env("HIKESHI_INCIDENTS", incidents_of(h))
        .env("HIKESHI_TIME", END)
        .args(extra)
        .args(["report", &id, "--format", "docx"]);
    if let Some(c) = config {
        cmd.env("HIKESHI_CONFIG", c);
    }
    let out = cmd.output().unwrap();
    let bytes = std::fs::read(h.incident.dir().join("report.docx")).unwrap();
    assert!(bytes.starts_with(b"PK"), "a zip archive");
    common::ooxml::assert_valid_docx(&bytes);
    let read = common::smtp::run_python(READ_DOCX, &bytes);
    (out.status.code(), serde_json::from_str(&read).unwrap())
}

#[cfg(unix)]
fn body(doc: &serde_json::Value) -> &Vec<serde_json::Value> {
    doc["body"].as_array().unwrap()
}

#[cfg(unix)]
fn headings<'a>(doc: &'a serde_json::Value, style: &str) -> Vec<&'a str> {
    body(doc)
        .iter()
        .filter(|b| b["style"] == style)
        .map(|b| b["p"].as_str().unwrap())
        .collect()
}

/// The table whose header row is `header`.
#[cfg(unix)]
fn table<'a>(doc: &'a serde_json::Value, header: &[&str]) -> &'a serde_json::Value {
    body(doc)
        .iter()
        .find(|b| b["table"][0] == serde_json::json!(header))
        .unwrap_or_else(|| panic!("no table {header:?}: {doc}"))
}

#[cfg(unix)]
fn cell_texts(doc: &serde_json::Value) -> String {
    body(doc)
        .iter()
        .filter_map(|b| b["table"].as_array())
        .flatten()
        .flat_map(|row| row.as_array().unwrap())
        .map(|c| c.as_str().unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
#[cfg(unix)] // Python's python-docx
fn the_word_report_reads_back_with_headings_tables_japanese_fonts_and_a4() {
    let h = finished();
    let config = h.dir.path().join("hikeshi.toml");
    std::fs::write(
        &config,
        "[report]\norganization = \"例示市 総務部 広報広聴課\"\ndocument_number = \"例広第123号\"\ndate = \"令和8年11月25日\"\n",
    )
    .unwrap();
    let (code, doc) = word(&h, &[], Some(&config));
    assert_eq!(code, Some(0));
    assert_eq!(doc["page_mm"], serde_json::json!([210, 297]), "A4");
    assert_eq!(doc["portrait"], true);
    assert_eq!(doc["margins_mm"], serde_json::json!([20, 20, 25, 20]));
    // Japanese fonts for East Asian text, each with its stand-in in the font table.
    assert_eq!(doc["east_asia"]["default"], "ＭＳ 明朝");
    assert_eq!(doc["east_asia"]["Heading 1"], "游ゴシック");
    assert_eq!(doc["east_asia"]["Heading 2"], "游ゴシック");
    assert_eq!(doc["east_asia"]["Title"], "游ゴシック");
    assert_eq!(doc["font_table"]["ＭＳ 明朝"], "游明朝");
    assert_eq!(doc["font_table"]["游ゴシック"], "ＭＳ ゴシック");
    assert_eq!(doc["default_style"], "Normal");
    assert_eq!(doc["title"], "事案報告書: テスト事案");
    assert_eq!(doc["author"], "hikeshi");
    assert!(
        doc["footer"]
            .as_str()
            .unwrap()
            .contains(&h.incident.record().id)
    );
    assert_eq!(doc["header"], "", "not an exercise");
    // The page number and the number of pages are fields in the footer's small grey print.
    let footer_runs = doc["footer_runs"].as_array().unwrap();
    let fields: Vec<&str> = footer_runs
        .iter()
        .filter_map(|r| r[0].as_str())
        .filter(|t| ["PAGE", "NUMPAGES"].contains(t))
        .collect();
    assert_eq!(fields, ["PAGE", "NUMPAGES"], "{footer_runs:?}");
    for r in footer_runs {
        assert_eq!(r[1], "16", "8 pt: {footer_runs:?}");
        assert_eq!(r[2], "666666", "grey: {footer_runs:?}");
    }
    assert_eq!(
        headings(&doc, "Heading 1"),
        [
            "概要",
            "判断",
            "根拠としたガイドライン",
            "経過",
            "手順の実施状況",
            "逸脱と省略",
            "通知",
            "公表文",
            "証拠",
            "記録の完全性"
        ]
    );
    assert_eq!(headings(&doc, "Title"), ["事案報告書"]);
    // The letterhead: the 決裁欄, 文書番号 and 日付 as configured, the office.
    let first = body(&doc);
    assert_eq!(
        first[0]["table"][0],
        serde_json::json!(["課長", "課長補佐", "係長", "担当"])
    );
    assert_eq!(
        first[1]["table"],
        serde_json::json!([["文書番号", "例広第123号"], ["日付", "令和8年11月25日"]])
    );
    assert_eq!(first[1]["lines"], 0, "nothing left to fill in");
    assert_eq!(first[2]["p"], "例示市 総務部 広報広聴課");
    // Every timeline event, in order, with its time, under a header repeated on each page.
    let audited = IncidentRecord::audit(h.incident.dir()).unwrap();
    let r = report::build(&audited, Lang::Ja, at(END));
    let timeline = table(&doc, &["日時", "記録者", "内容"]);
    assert_eq!(timeline["repeat"], true);
    let rows = timeline["table"].as_array().unwrap();
    assert_eq!(rows.len(), r.timeline.len() + 1);
    for (row, e) in rows[1..].iter().zip(&r.timeline) {
        assert_eq!(row[0], e.time_text.as_str());
        assert_eq!(row[1], e.actor.as_str());
        assert!(row[2].as_str().unwrap().starts_with(&e.text), "{row}");
    }
    // The chart is a PNG picture, its rows named in the table below it.
    assert_eq!(doc["pictures"], serde_json::json!(["89504e470d0a1a0a"]));
    let chart = body(&doc).iter().position(|b| b["pictures"] == 1).unwrap();
    assert_eq!(body(&doc)[chart - 1]["p"], "経過");
    let legend = table(&doc, &["図の行", "手順", "実施可能", "実施", "状態"]);
    let shown = r
        .steps
        .iter()
        .filter(|s| s.status != hikeshi::incident::state::StepStatus::NotApplicable)
        .count();
    assert_eq!(legend["table"].as_array().unwrap().len(), shown + 1);
    assert_eq!(legend["table"][1][1], r.steps[0].title.as_str());
    // Facts tables have no header row to repeat.
    let overview = body(&doc)
        .iter()
        .find(|b| b["table"][0][0] == "事案名")
        .unwrap();
    assert_eq!(overview["table"][0][1], "テスト事案");
    assert_eq!(overview["repeat"], false);
    // The text as posted, the evidence, the decisions, the integrity and its witness.
    let cells = cell_texts(&doc);
    for needle in [
        "例示市からのお知らせ（担当 田中、重大度 重大）",
        "乗っ取り後の投稿の画面",
        "https://x.com/city_official/status/1",
        "ハッシュ連鎖を検証済み",
        "X-Hikeshi-Report: ",
    ] {
        assert!(cells.contains(needle), "{needle} missing:\n{cells}");
    }
    // The witness can be read back from the file, and it is an earlier report: writing it
    // again to the same place needs no --force.
    let path = h.incident.dir().join("report.docx");
    let out = hikeshi()
        .env("HIKESHI_INCIDENTS", incidents_of(&h))
        .args(["verify", &h.incident.record().id, "--witness"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("1 件の控え"),
        "{out:?}"
    );
    let elsewhere = h.dir.path().join("filed.docx");
    for _ in 0..2 {
        let out = hikeshi()
            .env("HIKESHI_INCIDENTS", incidents_of(&h))
            .env("HIKESHI_TIME", END)
            .args(["report", &h.incident.record().id, "--format", "docx", "-o"])
            .arg(&elsewhere)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
    }
}

#[test]
#[cfg(unix)] // Python's python-docx
fn the_word_report_leaves_lines_to_fill_in_and_speaks_english() {
    let h = finished();
    let (code, doc) = word(&h, &["--lang", "en"], None);
    assert_eq!(code, Some(0));
    assert_eq!(
        headings(&doc, "Heading 1"),
        [
            "Overview",
            "Decisions",
            "Guideline clauses followed",
            "Timeline",
            "Steps",
            "Deviations and skipped steps",
            "Notifications",
            "Public statements",
            "Evidence",
            "Integrity of the record"
        ]
    );
    let first = body(&doc);
    assert_eq!(
        first[0]["table"][0],
        serde_json::json!(["Head", "Deputy", "Chief", "Officer"])
    );
    assert_eq!(
        first[1]["table"],
        serde_json::json!([["Document No.", ""], ["Date", ""]])
    );
    assert_eq!(first[1]["lines"], 2, "a line to write each on");
    assert_eq!(first[2]["p"], "例示市", "the playbook's organisation");
    table(&doc, &["Time", "By", "What happened"]);
}

#[test]
#[cfg(unix)] // Python's python-docx
fn a_word_report_of_a_broken_record_says_so_on_its_first_page() {
    let h = finished();
    let journal = h.incident.dir().join("journal.jsonl");
    let text = std::fs::read_to_string(&journal).unwrap();
    std::fs::write(&journal, text.replacen("不正な投稿", "問題のない投稿", 1)).unwrap();
    let (code, doc) = word(&h, &[], None);
    assert_eq!(code, Some(1), "written, and the command fails");
    let blocks = body(&doc);
    let warning = blocks
        .iter()
        .position(|b| {
            b["table"][0][0]
                .as_str()
                .is_some_and(|t| t.starts_with("注意: この記録は検証に失敗しました"))
        })
        .unwrap_or_else(|| panic!("no warning: {doc}"));
    let overview = blocks.iter().position(|b| b["p"] == "概要").unwrap();
    assert!(
        warning < overview,
        "the warning comes before the first section"
    );
    assert!(
        blocks[warning]["table"][0][0]
            .as_str()
            .unwrap()
            .contains("line 3 (seq 3)"),
        "{}",
        blocks[warning]
    );
    let cells = cell_texts(&doc);
    assert!(cells.contains("status/1（未検証）"), "{cells}");
    assert!(cells.contains("検証に失敗"), "{cells}");
}

/// The structure of a Word report as text: headings, paragraphs, tables by their size and
/// header, pictures.
#[cfg(unix)]
fn structure(doc: &serde_json::Value) -> String {
    let mut out = format!(
        "page {} portrait={} margins {}\nfonts {} / table {}\nheader: {}\nfooter: {}\n\n",
        doc["page_mm"],
        doc["portrait"],
        doc["margins_mm"],
        doc["east_asia"],
        doc["font_table"],
        doc["header"],
        doc["footer"]
    );
    for b in body(doc) {
        if let Some(rows) = b["table"].as_array() {
            let first: Vec<&str> = rows[0]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap().lines().next().unwrap_or(""))
                .collect();
            out += &format!(
                "  [table {}×{}{}] {}\n",
                rows.len(),
                first.len(),
                if b["repeat"] == true {
                    ", header repeats"
                } else {
                    ""
                },
                first.join(" | ")
            );
        } else if b["pictures"] != 0 {
            out += "  [picture]\n";
        } else {
            let text = b["p"].as_str().unwrap();
            let short: String = text.lines().next().unwrap_or("").chars().take(30).collect();
            match b["style"].as_str() {
                Some("Title") => out += &format!("= {short}\n"),
                Some("Heading 1") => out += &format!("# {short}\n"),
                Some("Heading 2") => out += &format!("## {short}\n"),
                _ => out += &format!("  {short}\n"),
            }
        }
    }
    // Hashes, whole or cut short, are not structure.
    let mut hashes_out = String::with_capacity(out.len());
    let mut run = String::new();
    for c in out.chars().chain(std::iter::once('\n')) {
        if c.is_ascii_hexdigit() {
            run.push(c);
            continue;
        }
        hashes_out += if run.len() >= 16 { "[hash]" } else { &run };
        run.clear();
        hashes_out.push(c);
    }
    hashes_out.pop();
    hashes_out
}

#[test]
#[cfg(unix)] // Python's python-docx
fn the_word_report_of_a_stock_exercise_keeps_its_structure() {
    let dir = tempfile::tempdir().unwrap();
    let out = hikeshi()
        .current_dir(dir.path())
        .env("HIKESHI_OPERATOR", "訓練 太郎")
        .args(["exercise", "takeover-friday-night", "--autopilot", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let run: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let incident = dir.path().join(run["incident"].as_str().unwrap());
    // Made on a day of its own (作成 is the real day, not the drill's simulated time).
    let out = hikeshi()
        .current_dir(dir.path())
        .env("HIKESHI_TIME", "2026-12-07T09:00:00+09:00")
        .args([
            "report",
            run["incident"].as_str().unwrap(),
            "--format",
            "docx",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let bytes = std::fs::read(incident.join("report.docx")).unwrap();
    let parts = common::ooxml::assert_valid_docx(&bytes);
    assert!(parts.contains(&"word/header1.xml".to_string()), "{parts:?}");
    let doc: serde_json::Value =
        serde_json::from_str(&common::smtp::run_python(READ_DOCX, &bytes)).unwrap();
    assert_eq!(doc["header"], "【訓練】", "every page of a drill says so");
    golden!("exercise-docx", structure(&doc));
}
