//! `hikeshi summary` through the real binary: an incidents folder holding the three stock
//! exercises played by the autopilot and two incidents worked with the CLI at fixed times,
//! summarised and checked against medians computed by hand; the period; folders that are not
//! incidents; a record that fails verification; the JSON against its schema; the workbook read
//! back with openpyxl.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::{hikeshi, native};
use serde_json::Value;

/// When every summary here is made.
const NOW: &str = "2027-01-10T09:00:00+09:00";

/// The incident worked by hand on the stock 不正アクセス playbook (started 2026-11-22 14:03).
const A: &str = "20261122-1403-unauthorized-access";
/// The incident worked by hand on the stock デマ playbook (started 2026-12-10 08:30 JST, which
/// is still 2026-12-09 in UTC).
const B: &str = "20261210-0830-rumor";
/// The stock exercises, in the order they start (their scenarios' `starts_at`).
const SHELTER: &str = "20260914-1600-flaming";
const TAKEOVER: &str = "20261127-2200-unauthorized-access";
const MAYOR: &str = "20261202-1030-impersonation";

/// `hikeshi` in `dir` at `time`, acting as 田中.
fn at(dir: &Path, time: &str) -> common::Hikeshi {
    let mut cmd = hikeshi();
    cmd.current_dir(dir)
        .env("HIKESHI_TIME", time)
        .env("HIKESHI_OPERATOR", "田中");
    cmd
}

/// Runs a command that must succeed.
fn ok(dir: &Path, time: &str, args: &[&str]) {
    let out = at(dir, time).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The folder every test starts from, built once: the three stock exercises played to the
/// end by the autopilot, and two incidents worked step by step with `HIKESHI_TIME`.
struct Base {
    dir: tempfile::TempDir,
    /// Each exercise's score as the autopilot printed it.
    scores: Vec<(String, u64)>,
}

fn base() -> &'static Base {
    static BASE: OnceLock<Base> = OnceLock::new();
    BASE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let mut scores = Vec::new();
        for scenario in [
            "takeover-friday-night",
            "fake-mayor-gift-campaign",
            "shelter-post-backlash",
        ] {
            let out = hikeshi()
                .current_dir(d)
                .env("HIKESHI_OPERATOR", "訓練 太郎")
                .args(["exercise", scenario, "--autopilot", "--json"])
                .output()
                .unwrap();
            assert!(out.status.success(), "{scenario}");
            let run: Value = serde_json::from_slice(&out.stdout).unwrap();
            let id = Path::new(run["incident"].as_str().unwrap())
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            scores.push((id, run["score"]["total"].as_u64().unwrap()));
        }

        // A: first report 14:15 (12m), public notice 14:33 (30m), containment 14:45 (42m),
        // one step skipped, one forced, mail to the divisions 7 minutes after its deadline
        // (1h from the start, 15:03), closed 17:03 (3h).
        let t = |hm: &str| format!("2026-11-22T{hm}:00+09:00");
        ok(
            d,
            &t("14:03"),
            &[
                "start",
                "unauthorized-access",
                "--title",
                "公式Xの乗っ取り",
                "--account",
                "@city_official",
                "--platform",
                "x",
                "--severity",
                "high",
            ],
        );
        ok(d, &t("14:10"), &["done", A, "detect"]);
        ok(d, &t("14:15"), &["notify", A, "report-to-supervisor"]);
        ok(d, &t("14:20"), &["decide", A, "login-check", "accessible"]);
        ok(d, &t("14:33"), &["approve", A, "takeover-notice", "--by", "広報課長"]);
        ok(d, &t("14:33"), &["done", A, "takeover-notice"]);
        ok(d, &t("14:45"), &["done", A, "change-password"]);
        ok(
            d,
            &t("14:50"),
            &["skip", A, "report-to-platform", "--reason", "通報フォームが停止中"],
        );
        ok(
            d,
            &t("14:55"),
            &[
                "done",
                A,
                "password-rules",
                "--force",
                "--reason",
                "前倒しで点検した",
            ],
        );
        ok(d, &t("15:10"), &["notify", A, "report-to-divisions"]);
        ok(
            d,
            &t("17:03"),
            &["close", A, "--force", "--reason", "残りは通常業務で対応する"],
        );

        // B: first report (the `detect` step, which reports to 所属長) 08:50 (20m); the mail
        // to 運用管理者 and 広報広聴課 fails (nothing listens on port 9), 運用管理者 is phoned,
        // the other is withdrawn at the close; public notice 10:00 (1h30m); closed 14:30 (6h).
        // The playbook marks no containment.
        let t = |hm: &str| format!("2026-12-10T{hm}:00+09:00");
        let smtp = d.join("unreachable.toml");
        std::fs::write(
            &smtp,
            "[smtp]\nhost = \"127.0.0.1\"\nport = 9\ntls = \"none\"\nfrom = \"koho@city.example.jp\"\n",
        )
        .unwrap();
        ok(
            d,
            &t("08:30"),
            &[
                "start",
                "rumor",
                "--title",
                "給水所のデマ",
                "--fact",
                "rumor=給水所が閉鎖された",
                "--fact",
                "rumor_topic=給水所",
                "--fact",
                "fact_text=給水所は開設中です",
            ],
        );
        ok(d, &t("08:50"), &["done", B, "detect"]);
        ok(d, &t("09:00"), &["done", B, "verify"]);
        ok(d, &t("09:10"), &["decide", B, "assess", "safety"]);
        let failed = at(d, &t("09:15"))
            .arg("--config")
            .arg(&smtp)
            .args(["notify", B, "report"])
            .output()
            .unwrap();
        assert_eq!(failed.status.code(), Some(1), "the mail cannot be delivered");
        ok(
            d,
            &t("09:20"),
            &["call", B, "運用管理者", "--note", "電話で伝えた"],
        );
        ok(d, &t("09:50"), &["decide", B, "truth", "untrue"]);
        ok(d, &t("10:00"), &["approve", B, "fact-post", "--by", "広報課長"]);
        ok(d, &t("10:00"), &["done", B, "fact-post"]);
        ok(
            d,
            &t("14:30"),
            &["close", B, "--force", "--reason", "沈静化した"],
        );
        std::fs::remove_file(&smtp).unwrap();
        Base { dir, scores }
    })
}

/// A copy of the base folder a test may change.
fn copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(base().dir.path(), dir.path());
    dir
}

/// `hikeshi summary ARGS -o -` in `dir`: its standard output, error and exit code.
fn summary(dir: &Path, args: &[&str]) -> (Vec<u8>, String, i32) {
    let out = at(dir, NOW)
        .arg("summary")
        .args(args)
        .args(["-o", "-"])
        .output()
        .unwrap();
    (
        out.stdout,
        String::from_utf8(out.stderr).unwrap(),
        out.status.code().unwrap_or(-1),
    )
}

fn json(dir: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let (out, err, code) = summary(dir, &all);
    assert_eq!(code, 0, "{err}");
    serde_json::from_slice(&out).unwrap()
}

fn measure<'a>(s: &'a Value, id: &str) -> &'a Value {
    s["measures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["measure"] == id)
        .unwrap()
}

fn row<'a>(s: &'a Value, id: &str) -> &'a Value {
    s["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no {id} in {}", s["incidents"]))
}

/// An incident's time to a measure: (how far it got, seconds, as shown).
fn time(s: &Value, id: &str, measure: &str) -> (String, Option<i64>, String) {
    let t = row(s, id)["times"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["measure"] == measure)
        .unwrap()
        .clone();
    (
        t["reached"].as_str().unwrap().to_string(),
        t["seconds"].as_i64(),
        t["text"].as_str().unwrap().to_string(),
    )
}

fn ids(s: &Value) -> Vec<String> {
    s["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

/// Seconds from an exercise's start to its close, as `hikeshi status --json` says.
fn closed_after(dir: &Path, id: &str) -> i64 {
    let out = hikeshi()
        .current_dir(dir)
        .args(["status", id, "--json"])
        .output()
        .unwrap();
    let s: Value = serde_json::from_slice(&out.stdout).unwrap();
    let t = |k: &str| chrono::DateTime::parse_from_rfc3339(s[k].as_str().unwrap()).unwrap();
    (t("closed_at") - t("started_at")).num_seconds()
}

#[test]
fn the_medians_and_worst_cases_are_those_computed_by_hand() {
    let dir = base().dir.path();
    let s = json(dir, &[]);
    assert_eq!(s["format"], 1);
    assert_eq!(s["lang"], "ja");
    assert_eq!(s["generated_at"], NOW);
    assert_eq!(s["organization"], "例示市");
    // Every incident and exercise, in the order they started.
    assert_eq!(ids(&s), [SHELTER, A, TAKEOVER, MAYOR, B]);
    let totals = &s["totals"];
    assert_eq!(
        (totals["incidents"].as_u64(), totals["exercises"].as_u64()),
        (Some(2), Some(3))
    );
    assert_eq!(totals["open"], 0);
    assert_eq!(totals["unverified"], 0);

    // Real incidents. First report: A 12m (720 s), B 20m (1200 s): median 960 s (16分).
    let first = &measure(&s, "first_report")["incidents"];
    assert_eq!(first["count"], 2);
    assert_eq!(first["median_seconds"], 960);
    assert_eq!(first["worst_seconds"], 1200);
    assert_eq!(first["worst_incident"], B);
    // Containment: only A's playbook marks it: 42m; B shows "—", never 0.
    let containment = &measure(&s, "containment")["incidents"];
    assert_eq!(
        (
            containment["count"].as_u64(),
            containment["marked"].as_u64()
        ),
        (Some(1), Some(1))
    );
    assert_eq!(containment["median_seconds"], 2520);
    assert_eq!(containment["worst_incident"], A);
    assert_eq!(
        time(&s, B, "containment"),
        ("unmarked".to_string(), None, "—".to_string())
    );
    // Public notice: A 30m (1800 s), B 1h30m (5400 s): median 3600 s.
    let notice = &measure(&s, "public_notice")["incidents"];
    assert_eq!(notice["median_seconds"], 3600);
    assert_eq!(notice["worst_seconds"], 5400);
    // Close: A 3h (10800 s), B 6h (21600 s): median 4h30m (16200 s).
    let close = &measure(&s, "close")["incidents"];
    assert_eq!(close["median_seconds"], 16200);
    assert_eq!(close["worst_seconds"], 21600);
    assert_eq!(
        time(&s, A, "first_report"),
        ("reached".into(), Some(720), "12分".into())
    );
    assert_eq!(
        time(&s, A, "close"),
        ("reached".into(), Some(10800), "3時間".into())
    );

    // Exercises, from their scenarios' autopilot delays. First report: detect then the report
    // (5m+5m, 10m+10m, 5m+10m): 10m, 20m, 15m → median 15m, worst the 市長 one.
    let first = &measure(&s, "first_report")["exercises"];
    assert_eq!(first["median_seconds"], 900);
    assert_eq!(first["worst_seconds"], 1200);
    assert_eq!(first["worst_incident"], MAYOR);
    // Containment: takeover detect 5m, login-check 3m, platform-recovery 1h30m,
    // change-password 5m = 1h43m; 市長 detect 10m + report-to-platform 20m = 30m; shelter
    // detect 5m + hold-replies 5m = 10m → median 30m, worst 1h43m.
    let containment = &measure(&s, "containment")["exercises"];
    assert_eq!(containment["median_seconds"], 1800);
    assert_eq!(containment["worst_seconds"], 103 * 60);
    assert_eq!(containment["worst_incident"], TAKEOVER);
    // Public notice: takeover-notice 5m + 15m = 20m; 市長 warning-post after assess-harm and
    // the report (20m) + 1h30m = 1h50m; shelter: in-progress-post applies once the TV inject
    // (1h) raises the severity, but the correction, ready since the decision at 45m, goes
    // out first at 1h05m and ends it (`until`): the notice is the correction's → median 1h05m,
    // worst 1h50m.
    let notice = &measure(&s, "public_notice")["exercises"];
    assert_eq!(notice["median_seconds"], 65 * 60);
    assert_eq!(notice["worst_seconds"], 110 * 60);
    assert_eq!(notice["worst_incident"], MAYOR);
    // Close: as `status` reads each exercise.
    let mut closes: Vec<i64> = [SHELTER, TAKEOVER, MAYOR]
        .iter()
        .map(|id| closed_after(dir, id))
        .collect();
    closes.sort_unstable();
    let close = &measure(&s, "close")["exercises"];
    assert_eq!(close["median_seconds"], closes[1]);
    assert_eq!(close["worst_seconds"], closes[2]);

    // Counts by playbook and by severity.
    let by_playbook: Vec<(String, u64, u64)> = s["by_playbook"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["playbook"].as_str().unwrap().to_string(),
                p["incidents"].as_u64().unwrap(),
                p["exercises"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        by_playbook,
        [
            ("flaming".to_string(), 0, 1),
            ("impersonation".to_string(), 0, 1),
            ("rumor".to_string(), 1, 0),
            ("unauthorized-access".to_string(), 1, 1),
        ]
    );
    let severity = |name: &str| {
        s["by_severity"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["severity"] == name)
            .map(|v| {
                (
                    v["incidents"].as_u64().unwrap(),
                    v["exercises"].as_u64().unwrap(),
                )
            })
    };
    // A started as 重大; B's playbook has no severities.
    assert_eq!(severity("重大").map(|c| c.0), Some(1));
    assert_eq!(severity("—").map(|c| c.0), Some(1));

    // Deviations: A's skip and forced step, with their reasons.
    assert_eq!(
        (totals["forced"].as_u64(), totals["skipped"].as_u64()),
        (Some(1), Some(1))
    );
    let deviations: Vec<(String, String, String)> = s["deviations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["step"].as_str().unwrap().to_string(),
                d["kind"].as_str().unwrap().to_string(),
                d["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(deviations.contains(&(
        "report-to-platform".into(),
        "skipped".into(),
        "通報フォームが停止中".into()
    )));
    assert!(deviations.contains(&(
        "password-rules".into(),
        "forced".into(),
        "前倒しで点検した".into()
    )));

    // Mail: A's three messages to the divisions 7 minutes late; B's two never delivered, one
    // phoned, one withdrawn at the close.
    assert_eq!(totals["mail_late"], 3);
    assert_eq!(totals["mail_undelivered"], 2);
    let mail = s["mail"].as_array().unwrap();
    let late: Vec<&Value> = mail.iter().filter(|m| m["incident"] == A).collect();
    assert_eq!(late.len(), 3);
    assert!(
        late.iter()
            .all(|m| m["late_seconds"] == 420 && m["state"] == "sent")
    );
    assert!(
        late.iter()
            .all(|m| m["deadline"] == "2026-11-22T15:03:00+09:00")
    );
    let states: Vec<&str> = mail
        .iter()
        .filter(|m| m["incident"] == B)
        .map(|m| m["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["called", "cancelled"]);
    assert_eq!(row(&s, B)["mail_undelivered"], 2);

    // Exercise scores in the order they were played, as the autopilot printed them; the
    // median and the lowest (the first with it).
    let scores: Vec<(String, u64)> = s["scores"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["incident"].as_str().unwrap().to_string(),
                x["score"].as_u64().unwrap(),
            )
        })
        .collect();
    let mut expected = base().scores.clone();
    expected.sort();
    let mut sorted = scores.clone();
    sorted.sort();
    assert_eq!(sorted, expected);
    assert_eq!(
        scores.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>(),
        [SHELTER, TAKEOVER, MAYOR]
    );
    let mut values: Vec<u64> = scores.iter().map(|(_, v)| *v).collect();
    values.sort_unstable();
    assert_eq!(s["score"]["median"], values[1]);
    assert_eq!(s["score"]["worst"], values[0]);

    // The lessons: each exercise's review, as its scenario scripted it.
    let lessons = s["lessons"].as_array().unwrap();
    assert_eq!(lessons.len(), 3);
    let takeover = lessons.iter().find(|l| l["incident"] == TAKEOVER).unwrap();
    assert!(
        takeover["improvements"]
            .as_str()
            .unwrap()
            .starts_with("通報フォームの URL を手順書の連絡先に載せる"),
        "{takeover}"
    );
    assert_eq!(takeover["by"], "訓練 太郎");
    assert!(s["skipped_folders"].as_array().unwrap().is_empty());
}

#[test]
fn from_and_to_choose_incidents_by_their_start_date_in_japan() {
    let dir = base().dir.path();
    let s = json(dir, &["--from", "2026-11-01", "--to", "2026-11-30"]);
    assert_eq!(ids(&s), [A, TAKEOVER]);
    assert_eq!(s["period"]["from"], "2026-11-01");
    assert_eq!(s["period"]["to"], "2026-11-30");
    assert_eq!(
        measure(&s, "first_report")["incidents"]["median_seconds"],
        720
    );
    assert_eq!(ids(&json(dir, &["--from", "2026-12-01"])), [MAYOR, B]);
    assert_eq!(ids(&json(dir, &["--to", "2026-09-14"])), [SHELTER]);
    // B started at 08:30 in Japan, the evening before in UTC: its day is the Japanese one.
    assert_eq!(
        ids(&json(dir, &["--from", "2026-12-10", "--to", "2026-12-10"])),
        [B]
    );
    assert!(ids(&json(dir, &["--to", "2026-09-13"])).is_empty());
    let (_, err, code) = summary(dir, &["--from", "2027-03-31", "--to", "2026-04-01"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("--from 2027-03-31 が --to 2026-04-01 より後です"),
        "{err}"
    );
    let (_, err, code) = summary(dir, &["--from", "2026-13-01"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn a_folder_that_is_not_an_incident_is_named_and_left_out() {
    let dir = copy();
    let incidents = dir.path().join("incidents");
    std::fs::create_dir(incidents.join("notes")).unwrap();
    std::fs::write(incidents.join("notes").join("memo.txt"), "メモ").unwrap();
    // A journal alone: its playbook is missing, so no event of it can be read.
    let lone = incidents.join("20261201-0900-copied-journal");
    std::fs::create_dir(&lone).unwrap();
    std::fs::copy(
        incidents.join(A).join("journal.jsonl"),
        lone.join("journal.jsonl"),
    )
    .unwrap();
    // A file and a hidden folder are not named.
    std::fs::write(incidents.join("summary.html"), "").unwrap();
    std::fs::create_dir(incidents.join(".git")).unwrap();

    let out = at(dir.path(), NOW)
        .args(["--lang", "en", "summary", "--format", "json", "-o", "-"])
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(0), "a warning, not an error: {err}");
    assert!(
        err.contains("warning: notes left out: not an incident folder (no journal.jsonl)"),
        "{err}"
    );
    assert!(
        err.contains("warning: 20261201-0900-copied-journal left out:")
            && err.contains("is missing: this folder is not a complete incident"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 2, "{err}");
    let s: Value = serde_json::from_slice(&out.stdout).unwrap();
    let skipped: Vec<&str> = s["skipped_folders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["folder"].as_str().unwrap())
        .collect();
    assert_eq!(skipped, ["20261201-0900-copied-journal", "notes"]);
    assert_eq!(ids(&s).len(), 5, "the incidents are all still there");
    // The document names them too, in Japanese by default.
    let (html, _, code) = summary(dir.path(), &[]);
    assert_eq!(code, 0);
    let html = String::from_utf8(html).unwrap();
    assert!(html.contains("集計から除いたフォルダ"), "{html}");
    assert!(
        html.contains("<li>notes: 事案のフォルダではありません（journal.jsonl がありません）</li>")
    );
}

#[test]
fn a_record_that_fails_verification_is_counted_and_marked_at_the_top() {
    let dir = copy();
    let journal = dir.path().join("incidents").join(A).join("journal.jsonl");
    let text = std::fs::read_to_string(&journal).unwrap();
    std::fs::write(
        &journal,
        text.replacen("通報フォームが停止中", "通報した", 1),
    )
    .unwrap();

    let (out, err, code) = summary(dir.path(), &["--format", "json"]);
    assert_eq!(code, 1, "scripts notice: {err}");
    assert!(err.contains("1 件の記録が検証に失敗しました"), "{err}");
    let s: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(s["totals"]["incidents"], 2, "still counted");
    assert_eq!(s["totals"]["unverified"], 1);
    let a = row(&s, A);
    assert_eq!(a["verified"], false);
    assert!(
        a["problems"][0].as_str().unwrap().contains("行目"),
        "{}",
        a["problems"]
    );
    assert_eq!(row(&s, B)["verified"], true);
    // Everything the journal still says is summarised (the changed line is the skip).
    assert_eq!(time(&s, A, "first_report").1, Some(720));

    // First in the HTML and the Markdown: before the overview, naming the incident.
    let (html, _, _) = summary(dir.path(), &[]);
    let html = String::from_utf8(html).unwrap();
    let alert = html.find(r#"<div class="alert">"#).expect("an alert");
    assert!(alert < html.find("<h2>").unwrap());
    assert!(
        html[alert..].starts_with(r#"<div class="alert">注意: 次の事案の記録は検証に失敗しました"#)
    );
    assert!(html[alert..html.find("<h2>").unwrap()].contains(A));
    let (md, _, _) = summary(dir.path(), &["--format", "md", "--lang", "en"]);
    let md = String::from_utf8(md).unwrap();
    let mut lines = md.lines().skip_while(|l| l.is_empty());
    assert!(lines.next().unwrap().starts_with("# "));
    assert_eq!(
        lines.nth(1).unwrap(),
        "> **WARNING: the records of these incidents failed verification (altered or damaged); they are counted all the same**"
    );
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with(&format!("> - {A} 公式Xの乗っ取り: line "))
    );
}

#[test]
fn an_open_incident_and_an_exercise_closed_without_a_review() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(
        d,
        "2026-11-22T14:03:00+09:00",
        &[
            "start",
            "impersonation",
            "--account",
            "@city_official",
            "--fact",
            "fake_account=@city_0fficial",
        ],
    );
    // The stock 不適切なコメント scenario without its scripted review.
    let scenario: String =
        std::fs::read_to_string(common::root().join("playbooks/exercises/scam-link-comments.yaml"))
            .unwrap()
            .lines()
            .scan(false, |in_review, line| {
                if line == "  review:" {
                    *in_review = true;
                } else if !line.starts_with("    ") {
                    *in_review = false;
                }
                Some((!*in_review).then(|| format!("{line}\n")))
            })
            .flatten()
            .collect();
    assert!(!scenario.contains("improvements"));
    let file = d.join("no-review.yaml");
    std::fs::write(&file, scenario).unwrap();
    let out = hikeshi()
        .current_dir(d)
        .args(["exercise", file.to_str().unwrap(), "--autopilot"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let s = json(d, &["--lang", "en"]);
    assert_eq!(s["totals"]["open"], 1);
    let open = "20261122-1403-impersonation";
    assert_eq!(
        time(&s, open, "close"),
        ("open".into(), None, "open".into())
    );
    assert_eq!(measure(&s, "close")["incidents"]["count"], 0);
    // Its playbook marks the public notice, not yet posted.
    assert_eq!(time(&s, open, "public_notice").0, "open");
    assert_eq!(measure(&s, "public_notice")["incidents"]["marked"], 1);
    // The comments playbook marks no public notice.
    let drill = s["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["exercise"] == true)
        .unwrap();
    let notice = drill["times"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["measure"] == "public_notice")
        .unwrap();
    assert_eq!(notice["text"], "—");
    let lessons = s["lessons"].as_array().unwrap();
    assert_eq!(lessons.len(), 1);
    assert!(lessons[0]["recorded_at"].is_null());
    let (md, _, _) = summary(d, &["--format", "md", "--lang", "en"]);
    assert!(
        String::from_utf8(md)
            .unwrap()
            .contains("**no review recorded**")
    );
}

#[test]
fn the_html_has_a_chart_per_measure_and_english_with_the_option() {
    let dir = base().dir.path();
    let (html, _, code) = summary(dir, &["--lang", "en"]);
    assert_eq!(code, 0);
    let html = String::from_utf8(html).unwrap();
    // Four measures for incidents, four for exercises, and the scores.
    assert_eq!(html.matches("<svg ").count(), 9);
    assert!(html.contains(r#"aria-label="first_report""#));
    assert!(html.contains(r#"aria-label="scores""#));
    assert!(html.contains("<h1>Social-media incidents and exercises: the year at a glance</h1>"));
    assert!(html.contains("<td>First report to 所属長</td>"));
    assert!(!html.contains("所要時間"));
    // The median of the exercises' first report as a dashed line, with its value.
    assert!(html.contains("<title>median 15m</title>"), "{html}");
    // Japanese by default.
    let (html, _, _) = summary(dir, &[]);
    let html = String::from_utf8(html).unwrap();
    assert!(html.contains("<h2>対応の所要時間</h2>"));
    assert!(html.contains("<title>中央値 15分</title>"));
}

#[test]
fn it_is_written_to_a_file_never_over_one_without_force_nor_into_an_incident() {
    let dir = copy();
    let d = dir.path();
    let out = at(d, NOW)
        .args(["summary", "--format", "md"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().trim(),
        "集計を作成しました: summary.md"
    );
    assert!(
        std::fs::read_to_string(d.join("summary.md"))
            .unwrap()
            .starts_with("# SNS事案・訓練の年次集計")
    );
    let again = at(d, NOW)
        .args(["summary", "--format", "md"])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8(again.stderr).unwrap().contains("--force"));
    at(d, NOW)
        .args(["summary", "--format", "md", "--force"])
        .assert()
        .success();
    let inside = PathBuf::from("incidents").join(A).join("summary.html");
    let refused = at(d, NOW)
        .args(["summary", "--force", "-o"])
        .arg(&inside)
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(1));
    let err = String::from_utf8(refused.stderr).unwrap();
    assert!(
        err.contains("事案フォルダーの中には集計を置きません"),
        "{err}"
    );
    assert!(
        err.contains(&native(&format!("incidents/{A}/summary.html"))),
        "{err}"
    );
    assert!(!d.join(&inside).exists());
}

#[test]
fn the_json_schema_is_the_committed_one() {
    let committed =
        std::fs::read_to_string(common::root().join("docs/summary.schema.json")).unwrap();
    let out = hikeshi().args(["schema", "--summary"]).output().unwrap();
    assert!(
        String::from_utf8(out.stdout).unwrap() == committed,
        "docs/summary.schema.json is out of date: hikeshi schema --summary > docs/summary.schema.json"
    );
}

#[test]
#[cfg(unix)] // Python's jsonschema and html5lib
fn the_json_matches_its_schema_and_the_html_is_valid() {
    let dir = base().dir.path();
    let (json, _, _) = summary(dir, &["--format", "json"]);
    let schema = std::fs::read_to_string(common::root().join("docs/summary.schema.json")).unwrap();
    let input = serde_json::json!({
        "schema": serde_json::from_str::<Value>(&schema).unwrap(),
        "doc": serde_json::from_slice::<Value>(&json).unwrap(),
    });
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
    let (html, _, _) = summary(dir, &[]);
    let out = common::smtp::run_python(
        r#"
import sys, html5lib
html5lib.HTMLParser(strict=True).parse(sys.stdin.buffer.read())
print("valid")
"#,
        &html,
    );
    assert_eq!(out.trim(), "valid");
}

#[test]
#[cfg(unix)] // Python's openpyxl
fn the_workbook_has_typed_cells_frozen_headers_and_filters() {
    let dir = copy();
    let journal = dir.path().join("incidents").join(A).join("journal.jsonl");
    let text = std::fs::read_to_string(&journal).unwrap();
    std::fs::write(
        &journal,
        text.replacen("通報フォームが停止中", "通報した", 1),
    )
    .unwrap();
    let (bytes, _, code) = summary(dir.path(), &["--format", "xlsx"]);
    assert_eq!(code, 1);
    let out = common::smtp::run_python(
        r#"
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
    ps = ws.page_setup
    out[ws.title] = {"freeze": ws.freeze_panes, "filter": ws.auto_filter.ref, "rows": rows,
                     "page": [ps.paperSize, ps.orientation, ws.sheet_properties.pageSetUpPr.fitToPage,
                              ps.fitToWidth, ps.fitToHeight, ws.print_title_rows]}
print(json.dumps({"sheets": wb.sheetnames, "data": out}, ensure_ascii=False))
"#,
        &bytes,
    );
    let out: Value = serde_json::from_str(&out).unwrap();
    let names: Vec<&str> = out["sheets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "概要",
            "所要時間",
            "件数",
            "事案・訓練の一覧",
            "省略・強制",
            "通知の遅れ・未達",
            "訓練の得点",
            "未了の振り返り",
            "除外したフォルダ"
        ]
    );
    for name in &names {
        let sheet = &out["data"][name];
        assert_eq!(sheet["freeze"], "A2", "{name}: header frozen");
        // A4 (paper size 9), one page wide, as many tall as it takes, the header on each.
        let page = &sheet["page"];
        assert_eq!(page[0], 9, "{name}: A4");
        assert_eq!(page[2], true, "{name}: fit to the page");
        // fitToWidth 1 is the attribute's default, so it may be left out.
        assert_eq!(page[3].as_i64().unwrap_or(1), 1, "{name}: one page wide");
        assert_eq!(page[4], 0, "{name}: as many pages tall as it takes");
        assert_eq!(page[5], "$1:$1", "{name}: header row repeated");
        assert!(
            sheet["filter"].as_str().unwrap().starts_with("A1:"),
            "{name}"
        );
    }
    // The failed verification first on the first sheet, naming the incident.
    let overview = out["data"]["概要"]["rows"].as_array().unwrap();
    assert!(
        overview[1][0][1]
            .as_str()
            .unwrap()
            .contains("検証に失敗しました")
    );
    assert_eq!(overview[1][1][1], A);
    // The exercises' score says which it is: the median, then the lowest and whose it is.
    let labelled: Vec<&str> = overview
        .iter()
        .filter_map(|r| r[0][1].as_str())
        .filter(|k| k.starts_with("得点"))
        .collect();
    assert_eq!(
        labelled,
        ["得点（中央値）", "得点（最低）", "得点（最低）: 事案番号"],
        "{overview:?}"
    );
    assert!(overview.iter().all(|r| r[0][1] != "得点"), "no bare score");
    // The wide list prints landscape, the narrow folder list upright.
    assert_eq!(out["data"]["事案・訓練の一覧"]["page"][1], "landscape");
    assert_eq!(out["data"]["除外したフォルダ"]["page"][1], "portrait");
    // Medians as durations: the incidents' first report, 16 minutes.
    let times = out["data"]["所要時間"]["rows"].as_array().unwrap();
    assert_eq!(times[1][0][1], "所属長への第一報");
    assert_eq!(times[1][4], serde_json::json!(["timedelta", "0:16:00"]));
    // Every incident: dates as dates, a milestone reached as a duration, one the playbook does
    // not mark as "—".
    let list = out["data"]["事案・訓練の一覧"]["rows"].as_array().unwrap();
    assert_eq!(list.len(), 6);
    let b = list.iter().find(|r| r[0][1] == B).unwrap();
    assert_eq!(b[5], serde_json::json!(["datetime", "2026-12-10 08:30:00"]));
    assert_eq!(b[7], serde_json::json!(["timedelta", "0:20:00"]));
    assert_eq!(b[8], serde_json::json!(["str", "—"]));
    let a = list.iter().find(|r| r[0][1] == A).unwrap();
    assert_eq!(a[18][1], "検証失敗");
    let mail = out["data"]["通知の遅れ・未達"]["rows"].as_array().unwrap();
    assert!(
        mail[1..]
            .iter()
            .any(|r| r[9] == serde_json::json!(["timedelta", "0:07:00"]))
    );
    let scores = out["data"]["訓練の得点"]["rows"].as_array().unwrap();
    assert_eq!(scores.len(), 4);
    assert_eq!(scores[1][3][0], "int");
}

#[test]
fn a_missing_incidents_folder_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = at(dir.path(), NOW)
        .args([
            "--lang",
            "en",
            "--incidents",
            "nowhere",
            "summary",
            "-o",
            "-",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.starts_with("hikeshi: cannot read nowhere: "), "{err}");
    assert!(out.stdout.is_empty());
}

/// The yearly summary carries the account register's readiness as it stands: counted by
/// severity and listed account by account with the clauses, in every format; without a
/// register of the city's there is no such section.
#[test]
fn the_summary_shows_the_register_s_readiness() {
    let dir = copy();
    let weak = common::fixture("register/weak.yaml");
    let weak = weak.to_str().unwrap();
    let s = json(dir.path(), &["--accounts", weak]);
    let r = &s["readiness"];
    assert_eq!(r["accounts"], 5);
    assert_eq!(r["ready"], 0);
    assert_eq!(
        (r["high"].as_u64(), r["medium"].as_u64(), r["low"].as_u64()),
        (Some(6), Some(11), Some(3))
    );
    let first = &r["findings"][0];
    assert_eq!(first["account"], "@city_official");
    assert_eq!(first["division"], "広報広聴課");
    assert_eq!(first["severity"], "high");
    assert!(
        first["clauses"][0]
            .as_str()
            .unwrap()
            .contains("4(1)「ユーザーアカウント管理者は原則2名")
    );
    let (md, _, code) = summary(dir.path(), &["--format", "md", "--accounts", weak]);
    assert_eq!(code, 0);
    let md = String::from_utf8(md).unwrap();
    assert!(
        md.contains("## 公式アカウントの準備（アカウント管理者一覧表）"),
        "{md}"
    );
    assert!(md.contains("| 重大・要対応・軽微 | 6 / 11 / 3 |"), "{md}");
    let (html, _, _) = summary(dir.path(), &["--format", "html", "--accounts", weak]);
    let html = String::from_utf8(html).unwrap();
    assert!(html.contains("<h2>公式アカウントの準備（アカウント管理者一覧表）</h2>"));
    assert!(
        html.contains("<tr class=\"bad\"><td>@city_official</td>"),
        "{html}"
    );
    // No register of the city's: no section, and the JSON has no such key.
    let s = json(dir.path(), &[]);
    assert!(s.get("readiness").is_none(), "{s}");
    #[cfg(unix)]
    {
        let (bytes, _, code) = summary(dir.path(), &["--format", "xlsx", "--accounts", weak]);
        assert_eq!(code, 0);
        let sheets = common::smtp::run_python(
            "import io, sys, openpyxl\nwb = openpyxl.load_workbook(io.BytesIO(sys.stdin.buffer.read()))\nws = wb['アカウントの準備']\nprint(ws.max_row, ws['A2'].value, ws['C2'].value)\n",
            &bytes,
        );
        assert_eq!(sheets.trim(), "21 @city_official 重大");
    }
}

/// Issue 30 item 8: a folder's name comes from outside (anyone can make a folder on the
/// share); escape sequences and a right-to-left override in it reach neither the terminal
/// nor summary.html / summary.md raw.
#[test]
#[cfg(unix)] // control characters in a folder name
fn a_folders_name_is_shown_escaped_on_the_terminal_and_in_the_files() {
    let dir = copy();
    let incidents = dir.path().join("incidents");
    std::fs::create_dir(incidents.join("x\u{1b}]0;pwned\u{7}\u{202e}fdp.exe")).unwrap();
    let out = at(dir.path(), NOW)
        .args(["--lang", "en", "summary", "--format", "json", "-o", "-"])
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(0), "{err}");
    let clean = |text: &str| {
        !text.contains('\u{1b}') && !text.contains('\u{7}') && !text.contains('\u{202e}')
    };
    assert!(clean(&err), "{err:?}");
    assert!(
        err.contains("x\\u{1b}]0;pwned\\u{7}\\u{202e}fdp.exe"),
        "{err}"
    );
    for format in ["html", "md"] {
        let (doc, err, code) = summary(dir.path(), &["--format", format]);
        assert_eq!(code, 0, "{err}");
        let doc = String::from_utf8(doc).unwrap();
        assert!(clean(&doc) && clean(&err), "{format}: {doc:?}");
        assert!(doc.contains("pwned"), "{format}: the folder is named");
    }
}

/// The yearly summary of incidents never fails for the city's register: a register with a
/// problem is named on standard error and the section is left out.
#[test]
fn a_broken_city_register_leaves_the_readiness_out_with_a_warning() {
    let dir = copy();
    std::fs::create_dir_all(dir.path().join("playbooks")).unwrap();
    std::fs::write(
        dir.path().join("playbooks/accounts.yaml"),
        "accounts:\n  - handle: \"@city_official\"\n    platform: x\n    division: 無い課\n",
    )
    .unwrap();
    let (out, err, code) = summary(dir.path(), &["--format", "json"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("アカウントの準備は集計に含めません"), "{err}");
    let s: Value = serde_json::from_slice(&out).unwrap();
    assert!(s.get("readiness").is_none());
}
