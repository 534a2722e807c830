//! The post-incident report (事案報告書), made only from the journal and the frozen playbook:
//! HTML (self-contained, with an SVG timeline, for print on A4), Markdown (for wikis), CSV
//! (one row per event, for Excel) and JSON. HTML and Markdown come from minijinja templates
//! embedded here, which a municipality may replace with its own (`[report] templates` in
//! `hikeshi.toml`) to follow its 様式.

pub mod model;
pub mod pack;
pub mod svg;

use std::path::{Path, PathBuf};

use minijinja::{AutoEscape, Environment, Value, context};

pub use model::{Report, build};

use crate::clock::format_jst;
use crate::lang::Lang;
use crate::playbook::duration::format_duration;

/// The built-in HTML template.
pub const HTML_TEMPLATE: &str = include_str!("templates/report.html.j2");
/// The built-in Markdown template.
pub const MARKDOWN_TEMPLATE: &str = include_str!("templates/report.md.j2");

/// JSON Schema of `hikeshi report --format json` (committed as docs/report.schema.json).
pub fn schema() -> String {
    let schema = schemars::schema_for!(Report);
    serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n"
}

/// The formats of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One self-contained HTML file.
    Html,
    /// Markdown.
    Markdown,
    /// CSV: UTF-8 with BOM, CRLF, one row per event.
    Csv,
    /// JSON (see docs/report.md).
    Json,
}

impl Format {
    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Markdown => "md",
            Format::Csv => "csv",
            Format::Json => "json",
        }
    }
}

/// The report could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A template does not parse or fails to render.
    #[error("template {name}: {message}")]
    Template {
        /// The template file.
        name: String,
        /// What is wrong (with the line).
        message: String,
    },
    /// A file could not be read or written.
    #[error("{action} {}: {source}", path.display())]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// CSV writing failed.
    #[error("CSV: {0}")]
    Csv(String),
    /// The evidence pack's folder is not empty.
    #[error("{} already exists and is not empty; choose a new folder", .0.display())]
    NotEmpty(PathBuf),
}

fn template_error(name: &str, e: &minijinja::Error) -> ReportError {
    let mut message = e.to_string();
    if let Some(line) = e.line() {
        message = format!("line {line}: {message}");
    }
    ReportError::Template {
        name: name.to_string(),
        message,
    }
}

/// Renders a report. `templates` is a municipality's folder with `report.html.j2` or
/// `report.md.j2` to use instead of the built-in ones.
pub fn render(
    report: &Report,
    format: Format,
    templates: Option<&Path>,
) -> Result<Vec<u8>, ReportError> {
    match format {
        Format::Json => {
            let mut out =
                serde_json::to_vec_pretty(report).map_err(|e| ReportError::Csv(e.to_string()))?;
            out.push(b'\n');
            Ok(out)
        }
        Format::Csv => csv(report),
        Format::Html => templated(report, "report.html.j2", HTML_TEMPLATE, templates),
        Format::Markdown => templated(report, "report.md.j2", MARKDOWN_TEMPLATE, templates),
    }
}

fn templated(
    report: &Report,
    name: &str,
    builtin: &str,
    folder: Option<&Path>,
) -> Result<Vec<u8>, ReportError> {
    if let Some(f) = folder
        && !(f.join("report.html.j2").is_file() || f.join("report.md.j2").is_file())
    {
        return Err(ReportError::Template {
            name: f.display().to_string(),
            message: "[report] templates names a folder without report.html.j2 or report.md.j2"
                .into(),
        });
    }
    let custom = folder.map(|f| f.join(name)).filter(|p| p.is_file());
    let source = match &custom {
        Some(path) => std::fs::read_to_string(path).map_err(|e| ReportError::Io {
            action: "cannot read the template",
            path: path.clone(),
            source: e,
        })?,
        None => builtin.to_string(),
    };
    let shown = custom
        .as_ref()
        .map_or_else(|| format!("<built-in>/{name}"), |p| p.display().to_string());
    let lang: Lang = report.lang.parse().unwrap_or_default();
    let mut env = Environment::new();
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".html.j2") {
            AutoEscape::Html
        } else {
            AutoEscape::None
        }
    });
    env.add_filter("jst", |v: Value| -> String {
        v.as_str()
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
            .map(|t| format_jst(t, false))
            .unwrap_or_default()
    });
    env.add_filter("jst_seconds", |v: Value| -> String {
        v.as_str()
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
            .map(|t| format_jst(t, true))
            .unwrap_or_default()
    });
    env.add_filter("duration", move |v: i64| -> String {
        // A value from a damaged journal may be out of range: show a dash, never panic.
        chrono::TimeDelta::try_seconds(v)
            .map_or_else(|| "-".to_string(), |d| format_duration(d, lang))
    });
    // Text in Markdown: no pipe or line break may end a table cell early, and no HTML in
    // operator input may reach a wiki that renders HTML.
    env.add_filter("cell", |v: Value| -> Value {
        if v.is_none() || v.is_undefined() {
            return Value::from("");
        }
        match v.as_str() {
            // Most text needs nothing: hand the value back without copying it.
            Some(text) if !text.contains(['|', '\n', '\r', '<', '>', '&']) => v,
            Some(text) => Value::from(
                text.replace('&', "&amp;")
                    .replace('<', "&lt;")
                    .replace('>', "&gt;")
                    .replace('|', "\\|")
                    .replace("\r\n", "<br>")
                    .replace(['\n', '\r'], "<br>"),
            ),
            None => v,
        }
    });
    // A code fence longer than any run of backticks in the text it encloses.
    env.add_filter("fence", |v: Value| -> String {
        let text = v.as_str().unwrap_or_default();
        let mut longest = 0;
        let mut run = 0;
        for c in text.chars() {
            run = if c == '`' { run + 1 } else { 0 };
            longest = longest.max(run);
        }
        "`".repeat(longest.max(2) + 1)
    });
    env.add_template_owned(name.to_string(), source)
        .map_err(|e| template_error(&shown, &e))?;
    let template = env
        .get_template(name)
        .map_err(|e| template_error(&shown, &e))?;
    let svg = svg::gantt(report).unwrap_or_default();
    let text = template
        .render(context! {
            r => Value::from_serialize(report),
            t => Value::from_serialize(labels(lang)),
            svg => Value::from_safe_string(svg),
        })
        .map_err(|e| template_error(&shown, &e))?;
    Ok(text.into_bytes())
}

/// CSV for Excel: UTF-8 with a byte-order mark (so Excel reads the Japanese), CRLF line ends,
/// and every cell made safe from formula injection ([`excel_safe`]).
pub(crate) fn excel_csv<const N: usize>(
    header: [&str; N],
    rows: impl IntoIterator<Item = [String; N]>,
) -> Result<Vec<u8>, ReportError> {
    let csv_error = |e: ::csv::Error| ReportError::Csv(e.to_string());
    let mut out = Vec::from("\u{feff}".as_bytes());
    {
        let mut w = ::csv::WriterBuilder::new()
            .terminator(::csv::Terminator::CRLF)
            .from_writer(&mut out);
        w.write_record(header).map_err(csv_error)?;
        for row in rows {
            w.write_record(row.iter().map(|cell| excel_safe(cell).into_owned()))
                .map_err(csv_error)?;
        }
        w.flush().map_err(|e| ReportError::Csv(e.to_string()))?;
    }
    Ok(out)
}

/// The report's CSV: one row per journal line.
fn csv(report: &Report) -> Result<Vec<u8>, ReportError> {
    let lang: Lang = report.lang.parse().unwrap_or_default();
    let header = match lang {
        Lang::Ja => [
            "番号",
            "日時",
            "記録者",
            "種別",
            "手順ID",
            "手順",
            "内容",
            "検証",
            "ハッシュ",
        ],
        Lang::En => [
            "seq",
            "time",
            "actor",
            "kind",
            "step id",
            "step",
            "what happened",
            "verified",
            "hash",
        ],
    };
    let rows = report.timeline.iter().map(|e| {
        let title = e
            .step
            .as_deref()
            .and_then(|id| report.steps.iter().find(|s| s.id == id))
            .map(|s| s.title.clone())
            .unwrap_or_default();
        let verified = match (e.verified, lang) {
            (true, _) => "OK",
            (false, Lang::Ja) => "不一致",
            (false, Lang::En) => "FAILED",
        };
        [
            e.seq.map(|s| s.to_string()).unwrap_or_default(),
            e.time_text.clone(),
            e.actor.clone(),
            e.kind.clone(),
            e.step.clone().unwrap_or_default(),
            title,
            e.text.clone(),
            verified.to_string(),
            e.hash.clone().unwrap_or_default(),
        ]
    });
    excel_csv(header, rows)
}

/// A cell Excel will not take for a formula: text starting with `=`, `+`, `-`, `@` (or a tab
/// or carriage return) gets a leading apostrophe, as OWASP advises for CSV exports.
pub(crate) fn excel_safe(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// The headings and words of the HTML and Markdown templates, in the report's language.
fn labels(lang: Lang) -> std::collections::BTreeMap<&'static str, &'static str> {
    const LABELS: &[(&str, &str, &str)] = &[
        ("report", "事案報告書", "Incident report"),
        (
            "exercise",
            "【訓練】これは訓練の記録です",
            "EXERCISE: this is the record of a drill",
        ),
        (
            "broken",
            "注意: この記録は検証に失敗しました。改ざん又は破損の可能性があります",
            "WARNING: this record failed verification; it may have been altered or damaged",
        ),
        (
            "broken_lines",
            "検証できなかった箇所",
            "What did not verify",
        ),
        ("overview", "概要", "Overview"),
        ("title", "事案名", "Incident"),
        ("incident_id", "事案番号", "Incident id"),
        ("organization", "団体", "Organisation"),
        ("playbook", "手順書", "Playbook"),
        ("version", "版", "version"),
        ("account", "対象アカウント", "Account"),
        ("platform", "サービス", "Platform"),
        ("started", "開始", "Started"),
        ("closed", "終了", "Closed"),
        ("open", "対応中", "still open"),
        ("duration", "所要時間", "Duration"),
        ("operators", "担当者", "Operators"),
        ("handovers", "交代", "Handovers"),
        ("severity", "重大度", "Severity"),
        ("progress", "手順", "Steps"),
        ("done", "完了", "done"),
        ("skipped", "省略", "skipped"),
        ("not_applicable", "対象外", "not applicable"),
        ("still_open", "未完了", "open"),
        (
            "close_reason",
            "未完了のまま終了した理由",
            "Closed with steps open because",
        ),
        ("decisions", "判断", "Decisions"),
        ("question", "判断事項", "Question"),
        ("answer", "判断", "Answer"),
        ("previous", "変更前", "Before"),
        ("reason", "理由", "Reason"),
        (
            "clauses",
            "根拠としたガイドライン",
            "Guideline clauses followed",
        ),
        ("timeline", "経過", "Timeline"),
        ("time", "日時", "Time"),
        ("actor", "記録者", "By"),
        ("what", "内容", "What happened"),
        ("unverified", "（未検証）", " (unverified)"),
        ("steps", "手順の実施状況", "Steps"),
        ("step", "手順", "Step"),
        ("status", "状態", "Status"),
        ("ready_at", "実施可能", "Ready"),
        ("done_at", "実施", "Done"),
        ("taken", "所要", "Took"),
        ("due", "期限", "Due"),
        ("met", "期限内", "on time"),
        ("missed", "期限超過", "late"),
        ("deviation", "逸脱", "Deviation"),
        ("approved", "承認", "Approved"),
        ("rejected", "差戻し", "Rejected"),
        ("reopened", "再開", "Reopened"),
        ("notifications", "通知", "Notifications"),
        ("to", "宛先", "To"),
        ("subject", "件名", "Subject"),
        ("queued", "送信", "Queued"),
        ("delivered", "送達", "Delivered"),
        ("acknowledged", "受領確認", "Acknowledged"),
        ("called", "電話連絡", "Phoned"),
        ("failures", "失敗と再送", "Failures and retries"),
        ("calls", "電話連絡", "Phone calls"),
        ("number", "番号", "Number"),
        ("statements", "公表文", "Public statements"),
        ("posted", "公表", "Posted"),
        (
            "draft",
            "（未公表。現時点の内容で差し込んだ下書き）",
            "(not published; a draft filled in with the facts as they are now)",
        ),
        ("evidence", "証拠", "Evidence"),
        ("shows", "内容", "What it shows"),
        ("integrity", "記録の完全性", "Integrity of the record"),
        ("verified", "ハッシュ連鎖を検証済み", "Hash chain verified"),
        ("not_verified", "検証に失敗", "Verification FAILED"),
        ("entries", "記録件数", "Entries"),
        ("first_hash", "最初のハッシュ", "First hash"),
        ("last_hash", "最後のハッシュ", "Last hash"),
        ("playbook_hash", "手順書の SHA-256", "Playbook SHA-256"),
        ("generated", "作成", "Generated"),
        (
            "chart",
            "経過図（手順の実施可能から完了まで。● 通知の送達、◆ 判断）",
            "Timeline (each step from ready to done; ● mail delivered, ◆ decision)",
        ),
        ("none", "なし", "none"),
        ("drill", "訓練の評価", "Exercise assessment"),
        ("scenario", "シナリオ", "Scenario"),
        ("mail_mode", "メール", "Mail"),
        (
            "live_mail",
            "SMTP で送信（【訓練】付き）",
            "sent over SMTP (marked as an exercise)",
        ),
        (
            "outbox_only",
            "送信箱（outbox）のみ。外部には送信していません",
            "outbox only; nothing was sent outside",
        ),
        ("score", "得点", "Score"),
        ("formula", "計算方法", "How it is computed"),
        (
            "narrative",
            "状況付与（開始時）",
            "The situation at the start",
        ),
        ("participants", "参加者と役割", "Participants and roles"),
        ("injects", "状況付与", "Injects"),
        ("inject", "内容", "What happened"),
        ("scheduled", "予定", "Scheduled"),
        ("early", "前倒し", "early"),
        (
            "against_targets",
            "目標時間との比較",
            "Against the target times",
        ),
        ("target", "目標", "Target"),
        ("actual", "実際", "Actual"),
        ("verdict", "評価", "Verdict"),
        (
            "late_notices",
            "遅れた・届かなかった通知",
            "Notices late or not sent",
        ),
        ("review", "振り返り", "Review"),
        ("good", "良かった点", "What went well"),
        ("issues", "課題", "What was difficult"),
        ("improvements", "改善策", "What to change"),
        ("no_review", "振り返りは未記録です", "no review recorded"),
    ];
    LABELS
        .iter()
        .map(|(k, ja, en)| (*k, if lang == Lang::Ja { *ja } else { *en }))
        .collect()
}
