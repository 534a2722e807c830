//! The post-incident report (事案報告書), made only from the journal and the frozen playbook:
//! HTML (self-contained, with an SVG timeline, for print on A4), Markdown (for wikis), CSV
//! (one row per event, for Excel), JSON, Excel (`xlsx`) and Word (`docx`). HTML and Markdown come from minijinja templates
//! embedded here, which a municipality may replace with its own (`[report] templates` in
//! `hikeshi.toml`) to follow its 様式.

mod build;
mod docx;
pub mod model;
pub mod pack;
pub mod svg;
pub(crate) mod xlsx;

use std::path::{Path, PathBuf};

use minijinja::{AutoEscape, Environment, Value, context};

pub use build::{build, build_at};
pub(crate) use docx::ledger::ledger_docx;
pub use model::Report;

use crate::clock::format_jst;
use crate::config::ReportConfig;
use crate::lang::{Lang, Text};
use crate::playbook::duration::format_duration;
use crate::tr;

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
    /// An Excel workbook: one sheet per section, typed cells.
    Xlsx,
    /// A Word document (A4), to edit, stamp and file.
    Docx,
}

impl Format {
    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Markdown => "md",
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Xlsx => "xlsx",
            Format::Docx => "docx",
        }
    }
}

/// The report could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A template does not parse or fails to render.
    Template {
        /// The template file.
        name: String,
        /// What is wrong (with the line).
        message: String,
    },
    /// A file could not be read or written.
    Io(#[from] crate::lang::io::FileError),
    /// CSV writing failed.
    Csv(String),
    /// The Excel workbook could not be made.
    Xlsx(String),
    /// The Word document could not be made.
    Docx(String),
    /// The evidence pack's folder is not empty.
    NotEmpty(PathBuf),
}

/// The English of [`ReportError::message`]: each failure's text is written once.
impl std::fmt::Display for ReportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(crate::Lang::En))
    }
}

impl ReportError {
    /// The message in `lang`.
    pub fn message(&self, lang: crate::Lang) -> String {
        match self {
            ReportError::Template { name, message } => crate::tr!(
                lang,
                "テンプレート {name} に誤りがあります: {message}",
                "template {name}: {message}"
            ),
            ReportError::Io(e) => e.message(lang),
            ReportError::Csv(reason) => {
                crate::tr!(lang, "CSV を書き出せません: {reason}", "CSV: {reason}")
            }
            ReportError::Xlsx(reason) => crate::tr!(
                lang,
                "Excel ファイルを作成できません: {reason}",
                "cannot make the Excel workbook: {reason}"
            ),
            ReportError::Docx(reason) => crate::tr!(
                lang,
                "Word ファイルを作成できません: {reason}",
                "cannot make the Word document: {reason}"
            ),
            ReportError::NotEmpty(dir) => {
                let dir = dir.display();
                crate::tr!(
                    lang,
                    "{dir} は既にあり、空ではありません。新しいフォルダを指定してください",
                    "{dir} already exists and is not empty; choose a new folder"
                )
            }
        }
    }
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
/// `report.md.j2` to use instead of the built-in ones; a Word document has the default
/// letterhead and fonts ([`render_with`] takes them from `[report]`).
pub fn render(
    report: &Report,
    format: Format,
    templates: Option<&Path>,
) -> Result<Vec<u8>, ReportError> {
    let config = ReportConfig {
        templates: templates.map(Path::to_path_buf),
        ..ReportConfig::default()
    };
    render_with(report, format, &config)
}

/// Renders a report with a municipality's `[report]` settings: its templates, and the Word
/// document's letterhead, 決裁欄 and fonts.
pub fn render_with(
    report: &Report,
    format: Format,
    config: &ReportConfig,
) -> Result<Vec<u8>, ReportError> {
    let templates = config.templates.as_deref();
    match format {
        Format::Json => {
            let mut out =
                serde_json::to_vec_pretty(report).map_err(|e| ReportError::Csv(e.to_string()))?;
            out.push(b'\n');
            Ok(out)
        }
        Format::Csv => csv(report),
        Format::Xlsx => xlsx::xlsx(report),
        Format::Docx => docx::docx(report, config),
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
    let lang: Lang = report.lang.parse().unwrap_or_default();
    let svg = svg::gantt(report).unwrap_or_default();
    let context = context! {
        r => Value::from_serialize(report),
        t => Value::from_serialize(labels(lang)),
        svg => Value::from_safe_string(svg),
    };
    let text = render_template(lang, name, builtin, folder, false, context)?;
    Ok(text.into_bytes())
}

/// Renders template `name` — the municipality's file of that name in `folder` if there is
/// one, else `builtin` — in the documents' [`environment`]; `keep_newline` keeps the
/// template's final line break. Errors name the file (or `<built-in>/name`) and the line.
pub(crate) fn render_template(
    lang: Lang,
    name: &str,
    builtin: &str,
    folder: Option<&Path>,
    keep_newline: bool,
    context: Value,
) -> Result<String, ReportError> {
    let custom = folder.map(|f| f.join(name)).filter(|p| p.is_file());
    let source = match &custom {
        Some(path) => std::fs::read_to_string(path).map_err(|e| {
            ReportError::Io(crate::lang::io::FileError::new(
                crate::lang::io::READ_TEMPLATE,
                path.clone(),
                e,
            ))
        })?,
        None => builtin.to_string(),
    };
    let shown = custom
        .as_ref()
        .map_or_else(|| format!("<built-in>/{name}"), |p| p.display().to_string());
    let mut env = environment(lang);
    env.set_keep_trailing_newline(keep_newline);
    env.add_template_owned(name.to_string(), source)
        .map_err(|e| template_error(&shown, &e))?;
    env.get_template(name)
        .and_then(|t| t.render(context))
        .map_err(|e| template_error(&shown, &e))
}

/// The template environment of the report's documents (the summary's too): HTML escaping for
/// `.html.j2` templates, and the filters `jst`, `jst_seconds`, `duration`, `cell` and `fence`.
pub(crate) fn environment(lang: Lang) -> Environment<'static> {
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
        match v.as_str().map(md_cell) {
            // Most text needs nothing: hand the value back without copying it.
            Some(std::borrow::Cow::Borrowed(_)) | None => v,
            Some(std::borrow::Cow::Owned(text)) => Value::from(text),
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
    env
}

/// Text for Markdown, in a table cell or running text: no pipe or line break may end a cell
/// early, no HTML in operator input may reach a wiki that renders HTML, and no link, image,
/// autolink or code either: `[`, `]`, backticks and `\` are escaped, `<` and `>` written as
/// entities, and a `!` before a `[` escaped, so `![x](https://outside.example/t.png)` in a note
/// stays text and loads nothing. With both brackets escaped no `(…)` can be a link's
/// destination, so parentheses stay as they are (`7(1)`, `(seq 3)` read as written), as do
/// emphasis and `_`, so URLs and account names stay readable.
pub(crate) fn md_cell(text: &str) -> std::borrow::Cow<'_, str> {
    const SPECIAL: [char; 10] = ['|', '\n', '\r', '<', '>', '&', '[', ']', '`', '\\'];
    if !text.contains(SPECIAL) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => out.push_str("<br>"),
            '!' if chars.peek() == Some(&'[') => out.push_str("\\!"),
            '|' | '[' | ']' | '`' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Operator text in running Markdown (a list item): escaped as in a cell ([`md_cell`]).
pub(crate) fn md_text(text: &str) -> String {
    md_cell(text).into_owned()
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

/// The columns of the report's CSV.
const CSV_HEADER: [Text; 9] = [
    Text::new("番号", "seq"),
    Text::new("日時", "time"),
    Text::new("記録者", "actor"),
    Text::new("種別", "kind"),
    Text::new("手順ID", "step id"),
    Text::new("手順", "step"),
    Text::new("内容", "what happened"),
    Text::new("検証", "verified"),
    Text::new("ハッシュ", "hash"),
];

/// The report's CSV: one row per journal line, after the warning rows of a record that failed
/// verification, and the witness row last.
fn csv(report: &Report) -> Result<Vec<u8>, ReportError> {
    let lang: Lang = report.lang.parse().unwrap_or_default();
    let header = CSV_HEADER.map(|h| h.get(lang));
    let rows = report.timeline.iter().map(|e| {
        let title = e
            .step
            .as_deref()
            .and_then(|id| report.steps.iter().find(|s| s.id == id))
            .map(|s| s.title.clone())
            .unwrap_or_default();
        let verified = if e.verified {
            "OK".to_string()
        } else {
            tr!(lang, "不一致", "FAILED")
        };
        [
            e.seq.map(|s| s.to_string()).unwrap_or_default(),
            e.time_text.clone(),
            e.actor.clone(),
            e.kind.clone(),
            e.step.clone().unwrap_or_default(),
            title,
            match &e.statement {
                // Line breaks inside a cell are CRLF too, like the file's.
                Some(s) => format!("{}\r\n{}", e.text, s.replace('\n', "\r\n")),
                None => e.text.clone(),
            },
            verified,
            e.hash.clone().unwrap_or_default(),
        ]
    });
    // A record that failed verification says so first, under the header: a row of kind
    // `unverified` with the warning, then one per thing that did not verify.
    let mut warning = Vec::new();
    if !report.integrity.verified {
        let row = |text: String| {
            [
                String::new(),
                String::new(),
                String::new(),
                "unverified".to_string(),
                String::new(),
                String::new(),
                text,
                tr!(lang, "不一致", "FAILED"),
                String::new(),
            ]
        };
        warning.push(row(label("broken", lang).to_string()));
        for p in &report.integrity.problems {
            warning.push(row(p.line_text()));
        }
    }
    // The last row is the journal's head as a witness line (see `incident::witness`).
    let witness = [
        String::new(),
        String::new(),
        String::new(),
        "witness".to_string(),
        String::new(),
        String::new(),
        report.integrity.witness.clone(),
        String::new(),
        report.integrity.last_hash.clone(),
    ];
    excel_csv(
        header,
        warning
            .into_iter()
            .chain(rows)
            .chain(std::iter::once(witness)),
    )
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

/// The headings and words of the HTML and Markdown templates (`t.<key>` in a template).
const LABELS: &[(&str, Text)] = &[
    ("report", Text::new("事案報告書", "Incident report")),
    ("document_number", Text::new("文書番号", "Document No.")),
    ("date", Text::new("日付", "Date")),
    (
        "exercise",
        Text::new(
            "【訓練】これは訓練の記録です",
            "EXERCISE: this is the record of a drill",
        ),
    ),
    (
        "broken",
        Text::new(
            "注意: この記録は検証に失敗しました。改ざん又は破損の可能性があります",
            "WARNING: this record failed verification; it may have been altered or damaged",
        ),
    ),
    (
        "broken_lines",
        Text::new("検証できなかった箇所", "What did not verify"),
    ),
    ("overview", Text::new("概要", "Overview")),
    ("title", Text::new("事案名", "Incident")),
    ("incident_id", Text::new("事案番号", "Incident id")),
    ("organization", Text::new("団体", "Organisation")),
    ("playbook", Text::new("手順書", "Playbook")),
    ("version", Text::new("版", "version")),
    ("account", Text::new("対象アカウント", "Account")),
    ("platform", Text::new("サービス", "Platform")),
    ("started", Text::new("開始", "Started")),
    ("closed", Text::new("終了", "Closed")),
    ("open", Text::new("対応中", "still open")),
    ("duration", Text::new("所要時間", "Duration")),
    ("operators", Text::new("担当者", "Operators")),
    ("handovers", Text::new("交代", "Handovers")),
    ("severity", Text::new("重大度", "Severity")),
    ("progress", Text::new("手順", "Steps")),
    ("done", Text::new("完了", "done")),
    ("skipped", Text::new("省略", "skipped")),
    ("not_applicable", Text::new("対象外", "not applicable")),
    ("still_open", Text::new("未完了", "open")),
    (
        "close_reason",
        Text::new("未完了のまま終了した理由", "Closed with steps open because"),
    ),
    ("decisions", Text::new("判断", "Decisions")),
    ("question", Text::new("判断事項", "Question")),
    ("answer", Text::new("判断", "Answer")),
    ("previous", Text::new("変更前", "Before")),
    ("reason", Text::new("理由", "Reason")),
    (
        "clauses",
        Text::new("根拠としたガイドライン", "Guideline clauses followed"),
    ),
    (
        "practice",
        Text::new(
            "ガイドラインに定めのない実務による手順",
            "Steps resting on practice (no guideline clause)",
        ),
    ),
    (
        "departures",
        Text::new(
            "意図的に従わない規定（理由）",
            "Clauses departed from on purpose (why)",
        ),
    ),
    ("timeline", Text::new("経過", "Timeline")),
    ("time", Text::new("日時", "Time")),
    ("actor", Text::new("記録者", "By")),
    ("what", Text::new("内容", "What happened")),
    ("unverified", Text::new("（未検証）", " (unverified)")),
    ("steps", Text::new("手順の実施状況", "Steps")),
    ("step", Text::new("手順", "Step")),
    ("status", Text::new("状態", "Status")),
    ("ready_at", Text::new("実施可能", "Ready")),
    ("done_at", Text::new("実施", "Done")),
    ("who", Text::new("実施者", "By")),
    ("taken", Text::new("所要", "Took")),
    ("due", Text::new("期限", "Due")),
    ("met", Text::new("期限内", "on time")),
    ("missed", Text::new("期限超過", "late")),
    ("deviation", Text::new("逸脱", "Deviation")),
    ("approved", Text::new("承認", "Approved")),
    ("rejected", Text::new("差戻し", "Rejected")),
    ("reopened", Text::new("再開", "Reopened")),
    ("notifications", Text::new("通知", "Notifications")),
    ("to", Text::new("宛先", "To")),
    ("subject", Text::new("件名", "Subject")),
    ("queued", Text::new("送信", "Queued")),
    ("delivered", Text::new("送達", "Delivered")),
    ("acknowledged", Text::new("受領確認", "Acknowledged")),
    ("called", Text::new("電話連絡", "Phoned")),
    ("chat_post", Text::new("チャット投稿", "Chat post")),
    ("failures", Text::new("失敗と再送", "Failures and retries")),
    ("calls", Text::new("電話連絡", "Phone calls")),
    ("number", Text::new("番号", "Number")),
    ("statements", Text::new("公表文", "Public statements")),
    ("posted", Text::new("公表", "Posted")),
    (
        "draft",
        Text::new(
            "（未公表。現時点の内容で差し込んだ下書き）",
            "(not published; a draft filled in with the facts as they are now)",
        ),
    ),
    (
        "posted_hash",
        Text::new("公表した文面の SHA-256", "SHA-256 of the text as posted"),
    ),
    ("edited_in", Text::new("編集:", "edited in")),
    (
        "not_recorded",
        Text::new(
            "（公表時の文面は記録されていません。手順書の文案に当時の値を差し込んだもの）",
            "(the text as posted was not recorded; the playbook's statement filled in as it was then)",
        ),
    ),
    ("evidence", Text::new("証拠", "Evidence")),
    ("shows", Text::new("内容", "What it shows")),
    (
        "integrity",
        Text::new("記録の完全性", "Integrity of the record"),
    ),
    (
        "verified",
        Text::new("ハッシュ連鎖を検証済み", "Hash chain verified"),
    ),
    (
        "not_verified",
        Text::new("検証に失敗", "Verification FAILED"),
    ),
    ("entries", Text::new("記録件数", "Entries")),
    ("first_hash", Text::new("最初のハッシュ", "First hash")),
    ("last_hash", Text::new("最後のハッシュ", "Last hash")),
    (
        "playbook_hash",
        Text::new("手順書の SHA-256", "Playbook SHA-256"),
    ),
    (
        "out_of_order",
        Text::new("時刻の逆行", "Time running backwards"),
    ),
    (
        "witness",
        Text::new(
            "記録の控え（hikeshi verify --witness 用）",
            "Witness of the record (for hikeshi verify --witness)",
        ),
    ),
    ("generated", Text::new("作成", "Generated")),
    (
        "chart",
        Text::new(
            "経過図（手順の実施可能から完了まで。● 通知の送達、◆ 判断）",
            "Timeline (each step from ready to done; ● mail delivered, ◆ decision)",
        ),
    ),
    ("none", Text::new("なし", "none")),
    ("chart_row", Text::new("図の行", "Row")),
    (
        "deviations",
        Text::new("逸脱と省略", "Deviations and skipped steps"),
    ),
    ("drill", Text::new("訓練の評価", "Exercise assessment")),
    ("scenario", Text::new("シナリオ", "Scenario")),
    ("mail_mode", Text::new("メール", "Mail")),
    (
        "live_mail",
        Text::new(
            "SMTP で送信（【訓練】付き）",
            "sent over SMTP (marked as an exercise)",
        ),
    ),
    (
        "outbox_only",
        Text::new(
            "送信箱（outbox）のみ。外部には送信していません",
            "outbox only; nothing was sent outside",
        ),
    ),
    ("score", Text::new("得点", "Score")),
    ("formula", Text::new("計算方法", "How it is computed")),
    (
        "narrative",
        Text::new("状況付与（開始時）", "The situation at the start"),
    ),
    (
        "participants",
        Text::new("参加者と役割", "Participants and roles"),
    ),
    ("injects", Text::new("状況付与", "Injects")),
    ("inject", Text::new("内容", "What happened")),
    ("scheduled", Text::new("予定", "Scheduled")),
    ("early", Text::new("前倒し", "early")),
    (
        "against_targets",
        Text::new("目標時間との比較", "Against the target times"),
    ),
    ("target", Text::new("目標", "Target")),
    ("actual", Text::new("実際", "Actual")),
    ("verdict", Text::new("評価", "Verdict")),
    (
        "late_notices",
        Text::new("遅れた・届かなかった通知", "Notices late or not sent"),
    ),
    ("review", Text::new("振り返り", "Review")),
    ("good", Text::new("良かった点", "What went well")),
    ("issues", Text::new("課題", "What was difficult")),
    ("improvements", Text::new("改善策", "What to change")),
    (
        "no_review",
        Text::new("振り返りは未記録です", "no review recorded"),
    ),
];

/// One heading or word of [`LABELS`] in `lang` (empty for an unknown key).
pub(crate) fn label(key: &str, lang: Lang) -> &'static str {
    LABELS
        .iter()
        .find(|(k, _)| *k == key)
        .map_or("", |(_, text)| text.get(lang))
}

/// The template labels in the report's language.
fn labels(lang: Lang) -> std::collections::BTreeMap<&'static str, &'static str> {
    LABELS
        .iter()
        .map(|(k, text)| (*k, text.get(lang)))
        .collect()
}
