//! The yearly summary (`hikeshi summary`): every incident and exercise in an incidents folder
//! over a period, as 広報広聴課 hands it to the セキュリティ監督者 once a year. Counts by
//! playbook and severity; for each incident the time from its start to the first report to
//! 所属長, to containment and to the public notice (the steps its playbook marks with
//! `milestone:`) and to the close, with medians and worst cases; steps forced or skipped; mail
//! delivered late or not at all; exercise scores; the lessons still open.
//!
//! Incidents are read only through [`crate::incident::IncidentRecord::audit`], as the report
//! reads them: a record that fails verification is still counted, and marked. The summary is
//! one model ([`Summary`]) that every format renders: JSON is the model, HTML and Markdown are
//! minijinja templates over it (with an SVG chart per measure in HTML), and the workbook has a
//! sheet per table.

mod build;
pub mod model;
mod svg;
mod xlsx;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use minijinja::{Value, context};

pub use build::summarize;
pub use model::{Measure, Period, ReadinessRow, ReadinessSummary, Summary};

use crate::lang::{Lang, Text};
use crate::report::ReportError;

/// The built-in HTML template.
pub const HTML_TEMPLATE: &str = include_str!("templates/summary.html.j2");
/// The built-in Markdown template.
pub const MARKDOWN_TEMPLATE: &str = include_str!("templates/summary.md.j2");

/// JSON Schema of `hikeshi summary --format json` (committed as docs/summary.schema.json).
pub fn schema() -> String {
    let schema = schemars::schema_for!(Summary);
    serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n"
}

/// The formats of a summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One self-contained HTML file with a chart per measure; prints on A4.
    Html,
    /// Markdown.
    Markdown,
    /// JSON (docs/summary.schema.json).
    Json,
    /// An Excel workbook: a sheet per table, typed cells.
    Xlsx,
}

impl Format {
    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Markdown => "md",
            Format::Json => "json",
            Format::Xlsx => "xlsx",
        }
    }
}

/// The summary could not be made.
#[derive(Debug, thiserror::Error)]
pub enum SummaryError {
    /// The incidents folder cannot be listed.
    Folder {
        /// The folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A template or the workbook could not be made.
    #[error(transparent)]
    Render(#[from] ReportError),
}

/// The English of [`SummaryError::message`]: each failure's text is written once.
impl std::fmt::Display for SummaryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(crate::Lang::En))
    }
}

impl SummaryError {
    /// The message in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            SummaryError::Folder { path, source } => {
                crate::lang::io_failure(lang, crate::lang::io::READ, path, source)
            }
            SummaryError::Render(e) => e.message(lang),
        }
    }
}

/// Renders a summary. `templates` is a municipality's folder (`[report] templates` in
/// hikeshi.toml): its `summary.html.j2` or `summary.md.j2`, if there, is used instead of the
/// built-in one.
pub fn render(
    summary: &Summary,
    format: Format,
    templates: Option<&Path>,
) -> Result<Vec<u8>, SummaryError> {
    let lang: Lang = summary.lang.parse().unwrap_or_default();
    match format {
        Format::Json => {
            let mut out =
                serde_json::to_vec_pretty(summary).map_err(|e| ReportError::Csv(e.to_string()))?;
            out.push(b'\n');
            Ok(out)
        }
        Format::Xlsx => Ok(xlsx::xlsx(summary, lang)?),
        Format::Html => templated(summary, lang, "summary.html.j2", HTML_TEMPLATE, templates),
        Format::Markdown => templated(summary, lang, "summary.md.j2", MARKDOWN_TEMPLATE, templates),
    }
}

fn templated(
    summary: &Summary,
    lang: Lang,
    name: &str,
    builtin: &str,
    folder: Option<&Path>,
) -> Result<Vec<u8>, SummaryError> {
    let context = context! {
        s => Value::from_serialize(summary),
        t => Value::from_serialize(labels(lang)),
        charts => charts(summary, lang),
    };
    let text = crate::report::render_template(lang, name, builtin, folder, true, context)?;
    Ok(text.into_bytes())
}

/// The charts of the HTML: `charts.incidents.<measure>`, `charts.exercises.<measure>` and
/// `charts.scores` (each missing where there is nothing to draw).
fn charts(summary: &Summary, lang: Lang) -> Value {
    let mut groups: BTreeMap<&str, Value> = BTreeMap::new();
    for (group, exercise) in [("incidents", false), ("exercises", true)] {
        let rows: Vec<&model::IncidentRow> = summary
            .incidents
            .iter()
            .filter(|r| r.exercise == exercise)
            .collect();
        let mut charts: BTreeMap<&str, Value> = BTreeMap::new();
        for m in &summary.measures {
            let stats = if exercise { &m.exercises } else { &m.incidents };
            if let Some(svg) = svg::measure(&rows, m.measure, stats, lang) {
                charts.insert(m.measure.id(), Value::from_safe_string(svg));
            }
        }
        groups.insert(group, Value::from_object(charts));
    }
    if let Some(svg) = svg::scores(&summary.scores, summary.score.median, lang) {
        groups.insert("scores", Value::from_safe_string(svg));
    }
    Value::from_object(groups)
}

/// The headings and words of the templates and the workbook (`t.<key>` in a template).
const LABELS: &[(&str, Text)] = &[
    (
        "summary",
        Text::new(
            "SNS事案・訓練の年次集計",
            "Social-media incidents and exercises: the year at a glance",
        ),
    ),
    (
        "broken",
        Text::new(
            "注意: 次の事案の記録は検証に失敗しました（改ざん又は破損の可能性）。集計には含めています",
            "WARNING: the records of these incidents failed verification (altered or damaged); they are counted all the same",
        ),
    ),
    (
        "skipped_folders",
        Text::new(
            "集計から除いたフォルダ（事案ではないもの・読めないもの）",
            "Folders left out (not incidents, or unreadable)",
        ),
    ),
    ("folder", Text::new("フォルダ", "Folder")),
    ("reason", Text::new("理由", "Reason")),
    ("organization", Text::new("団体", "Organisation")),
    (
        "period",
        Text::new("対象期間（開始日）", "Period (start date)"),
    ),
    ("from_start", Text::new("最初から", "the beginning")),
    ("to_end", Text::new("最後まで", "the end")),
    (
        "incidents_folder",
        Text::new("事案フォルダ", "Incidents folder"),
    ),
    ("generated", Text::new("作成", "Generated")),
    ("overview", Text::new("概要", "Overview")),
    ("incidents", Text::new("事案", "Incidents")),
    ("exercises", Text::new("訓練", "Exercises")),
    ("open", Text::new("対応中", "Still open")),
    ("unverified", Text::new("検証失敗", "Failed verification")),
    ("forced", Text::new("強制", "Forced")),
    ("skipped", Text::new("省略", "Skipped")),
    ("mail_late", Text::new("通知の遅れ", "Mail late")),
    (
        "mail_undelivered",
        Text::new("通知の未達", "Mail not delivered"),
    ),
    ("by_playbook", Text::new("手順書別の件数", "By playbook")),
    ("by_severity", Text::new("重大度別の件数", "By severity")),
    ("playbook", Text::new("手順書", "Playbook")),
    ("severity", Text::new("重大度", "Severity")),
    ("total", Text::new("計", "Total")),
    ("measures", Text::new("対応の所要時間", "Time taken")),
    (
        "measures_note",
        Text::new(
            "開始から、手順書が節目（milestone）とする手順の最初の完了まで。— は手順書にその節目がないもの、対象外は判断によりその手順が該当しなかったもの。訓練は模擬時間で測ります",
            "From the start to the first completion of the step the playbook marks as each milestone. — : the playbook marks none; n/a: the step did not apply under the decisions taken. Exercises are measured in simulated time",
        ),
    ),
    ("measure", Text::new("項目", "Measure")),
    ("group", Text::new("区分", "Group")),
    ("reached", Text::new("件数", "Reached")),
    ("median", Text::new("中央値", "Median")),
    ("worst", Text::new("最長", "Worst")),
    ("worst_score", Text::new("最低", "Lowest")),
    ("worst_incident", Text::new("最長の事案", "Worst incident")),
    (
        "list",
        Text::new("事案・訓練の一覧", "Every incident and exercise"),
    ),
    ("id", Text::new("事案番号", "Incident id")),
    ("title", Text::new("事案名", "Title")),
    ("kind", Text::new("区分", "Kind")),
    ("incident", Text::new("事案", "incident")),
    ("exercise", Text::new("訓練", "exercise")),
    ("started", Text::new("開始", "Started")),
    ("closed", Text::new("終結", "Closed")),
    ("steps_open", Text::new("未完了の手順", "Steps open")),
    ("messages", Text::new("通知", "Messages")),
    ("score", Text::new("得点", "Score")),
    ("verified", Text::new("検証", "Verified")),
    ("not_verified", Text::new("検証失敗", "FAILED")),
    (
        "deviations",
        Text::new("省略・強制した手順", "Steps skipped or forced"),
    ),
    ("step", Text::new("手順", "Step")),
    ("at", Text::new("日時", "Time")),
    (
        "mail",
        Text::new(
            "遅れた・届かなかった通知",
            "Mail delivered late or not at all",
        ),
    ),
    (
        "mail_note",
        Text::new(
            "遅れ: 手順書の期限より後に送達したもの。未達: 送達されなかったもの（電話で連絡したもの、送らずに取りやめたものを含む）",
            "Late: delivered after the step's deadline in the playbook. Not delivered: never delivered (phoned instead, or withdrawn, included)",
        ),
    ),
    ("number", Text::new("番号", "No.")),
    ("to", Text::new("宛先", "To")),
    ("state", Text::new("状況", "What became of it")),
    ("queued", Text::new("送信", "Queued")),
    ("deadline", Text::new("期限", "Deadline")),
    ("delivered", Text::new("送達", "Delivered")),
    ("late_by", Text::new("遅れ", "Late by")),
    ("attempts", Text::new("失敗回数", "Failed attempts")),
    (
        "scores",
        Text::new("訓練の得点の推移", "Exercise scores over time"),
    ),
    ("scenario", Text::new("シナリオ", "Scenario")),
    ("formula", Text::new("計算方法", "How it is computed")),
    ("lessons", Text::new("未了の振り返り", "Lessons still open")),
    (
        "lessons_note",
        Text::new(
            "各訓練の最新の振り返りの課題と改善策、及び振り返りを記録しないまま終結した訓練",
            "The issues and changes of each exercise's current review, and exercises closed without a review",
        ),
    ),
    ("recorded", Text::new("記録", "Recorded")),
    ("issues", Text::new("課題", "What was difficult")),
    ("improvements", Text::new("改善策", "What to change")),
    (
        "no_review",
        Text::new("振り返り未記録", "no review recorded"),
    ),
    ("none", Text::new("なし", "none")),
    (
        "readiness",
        Text::new(
            "公式アカウントの準備（アカウント管理者一覧表）",
            "Readiness of the official accounts (account register)",
        ),
    ),
    (
        "readiness_note",
        Text::new(
            "集計の作成日時点の一覧表を、ガイドラインの条項に照らして点検した結果（hikeshi register check）",
            "The register as it stands when the summary is made, checked against the guidelines' clauses (hikeshi register check)",
        ),
    ),
    ("register", Text::new("一覧表", "Register")),
    ("accounts", Text::new("アカウント", "Accounts")),
    ("ready", Text::new("不足なし", "Ready")),
    (
        "last_change",
        Text::new("直近の人事異動", "Last personnel change"),
    ),
    ("account", Text::new("アカウント", "Account")),
    ("division", Text::new("所管課", "Division")),
    ("severity", Text::new("重大性", "Severity")),
    ("finding", Text::new("不足", "Finding")),
    ("clauses", Text::new("根拠", "Clauses")),
    (
        "findings_count",
        Text::new("重大・要対応・軽微", "High, medium, low"),
    ),
    (
        "chart",
        Text::new(
            "（縦の破線は中央値、橙は最長）",
            "(dashed line: the median; orange: the worst)",
        ),
    ),
];

/// One word of [`LABELS`] in `lang` (empty for an unknown key).
pub(crate) fn label(key: &str, lang: Lang) -> &'static str {
    LABELS
        .iter()
        .find(|(k, _)| *k == key)
        .map_or("", |(_, text)| text.get(lang))
}

fn labels(lang: Lang) -> BTreeMap<&'static str, &'static str> {
    LABELS
        .iter()
        .map(|(k, text)| (*k, text.get(lang)))
        .collect()
}
