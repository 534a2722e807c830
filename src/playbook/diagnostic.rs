//! Compiler diagnostics: every problem carries its file, line, column, the offending text and
//! a hint, and renders for a person who fixes YAML from the message alone.

use std::fmt::Write as _;

use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use crate::lang::Lang;

/// Characters of a long source line shown before the column.
const SNIPPET_LEAD: usize = 40;
/// Characters of a long source line shown in all.
const SNIPPET_WIDTH: usize = 80;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The file cannot be used until this is fixed.
    Error,
    /// The file works, but something should be looked at (e.g. an overdue review).
    Warning,
}

/// A position in a source file: 1-based line and column, the column counted in characters
/// (not bytes, not display cells), so full-width text does not shift it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize)]
pub struct Position {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

impl Position {
    /// A position at `line`, `column` (both 1-based).
    pub fn new(line: usize, column: usize) -> Self {
        Self {
            line: line.max(1),
            column: column.max(1),
        }
    }

    /// The start of the file.
    pub fn start() -> Self {
        Self::new(1, 1)
    }

    /// The position of a serde-saphyr location (unknown locations become the file start).
    pub fn from_location(location: &serde_saphyr::Location) -> Self {
        Self::new(location.line() as usize, location.column() as usize)
    }
}

/// One problem in one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The file as the user named it.
    pub file: String,
    /// Where the offending text starts.
    pub position: Position,
    /// The offending text as written (may be empty when the problem is an absence).
    pub text: String,
    /// What is wrong, with the data needed to say it in either language.
    pub problem: Problem,
}

impl Diagnostic {
    /// An error at `position` about `text`.
    pub fn error(
        file: &str,
        position: Position,
        text: impl Into<String>,
        problem: Problem,
    ) -> Self {
        Self {
            severity: Severity::Error,
            file: file.to_string(),
            position,
            text: text.into(),
            problem,
        }
    }

    /// A warning at `position` about `text`.
    pub fn warning(
        file: &str,
        position: Position,
        text: impl Into<String>,
        problem: Problem,
    ) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(file, position, text, problem)
        }
    }

    /// Whether this diagnostic stops the file from being used.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The one-line message, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        self.problem.message(lang)
    }

    /// The hint, in `lang`, if there is one.
    pub fn hint(&self, lang: Lang) -> Option<String> {
        self.problem.hint(lang)
    }

    /// Renders the diagnostic like a compiler does: a headline, the location, the source line
    /// with the offending text underlined (aligned by display width, so full-width text lines
    /// up), and the hint.
    pub fn render(&self, source: Option<&str>, lang: Lang) -> String {
        let mut out = String::new();
        let label = match (self.severity, lang) {
            (Severity::Error, Lang::Ja) => "エラー",
            (Severity::Error, Lang::En) => "error",
            (Severity::Warning, Lang::Ja) => "警告",
            (Severity::Warning, Lang::En) => "warning",
        };
        let _ = writeln!(out, "{label}: {}", self.message(lang));
        let _ = writeln!(
            out,
            "  --> {}:{}:{}",
            self.file, self.position.line, self.position.column
        );
        if let Some(line_text) =
            source.and_then(|s| s.lines().nth(self.position.line.saturating_sub(1)))
        {
            let line_text = line_text.trim_end_matches('\r');
            let number = self.position.line.to_string();
            let gutter = " ".repeat(number.len());
            let chars: Vec<char> = line_text.replace('\t', " ").chars().collect();
            let column = self.position.column.saturating_sub(1).min(chars.len());
            // Long lines (minified or hostile input) are cut to a window around the column.
            let start = column.saturating_sub(SNIPPET_LEAD);
            let end = chars.len().min(start + SNIPPET_WIDTH);
            let mut shown: String = chars[start..end].iter().collect();
            let mut before: String = chars[start..column].iter().collect();
            if start > 0 {
                shown.insert(0, '…');
                before.insert(0, '…');
            }
            if end < chars.len() {
                shown.push('…');
            }
            let rest: String = chars[column..end].iter().collect();
            let underline_chars = if !self.text.is_empty() && rest.starts_with(self.text.as_str()) {
                self.text.chars().count()
            } else {
                rest.chars()
                    .take_while(|c| !c.is_whitespace())
                    .count()
                    .max(1)
            };
            let underlined: String = rest.chars().take(underline_chars).collect();
            let _ = writeln!(out, " {gutter} |");
            let _ = writeln!(out, " {number} | {shown}");
            let _ = writeln!(
                out,
                " {gutter} | {}{}",
                " ".repeat(before.width()),
                "^".repeat(underlined.width().max(1))
            );
        }
        if let Some(hint) = self.hint(lang) {
            let label = lang.pick("ヒント", "hint");
            let _ = writeln!(out, "  = {label}: {hint}");
        }
        out
    }
}

/// Everything the compiler can object to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Problem {
    /// The file could not be read.
    Unreadable {
        /// The operating system's reason.
        reason: String,
    },
    /// The file is larger than a playbook can sensibly be.
    TooLarge {
        /// Size of the file in bytes.
        bytes: u64,
        /// The limit in bytes.
        limit: u64,
    },
    /// The file is not UTF-8.
    NotUtf8,
    /// A tab character in indentation.
    TabIndent,
    /// The YAML parser rejected the text.
    Syntax {
        /// The parser's own description.
        detail: String,
    },
    /// Nesting, aliases or size beyond the parser's budget (e.g. an alias bomb).
    ResourceLimit {
        /// Which budget was exceeded.
        detail: String,
    },
    /// A mapping key the format does not know.
    UnknownField {
        /// The key as written.
        field: String,
        /// The keys allowed here.
        expected: Vec<String>,
        /// The closest allowed key, if any is close.
        suggestion: Option<String>,
    },
    /// A required key is missing.
    MissingField {
        /// The missing key.
        field: String,
    },
    /// A value of the wrong shape (e.g. a list where text is expected).
    WrongType {
        /// The parser's description of what it found and expected.
        detail: String,
    },
    /// A value outside a closed set (step kind, platform, …).
    UnknownVariant {
        /// The value as written.
        value: String,
        /// The values allowed here.
        expected: Vec<String>,
        /// The closest allowed value, if any is close.
        suggestion: Option<String>,
    },
    /// The same key twice in one mapping.
    DuplicateKey {
        /// The repeated key.
        key: String,
    },
    /// The playbook has no steps.
    EmptyPlaybook,
    /// An id that is not lower-case ASCII with hyphens.
    InvalidId {
        /// What the id names ("step", "option", …).
        what: String,
    },
    /// Two steps with one id.
    DuplicateStep {
        /// The repeated id.
        id: String,
        /// Line of the first definition.
        first_line: usize,
    },
    /// Two things of one kind (options, sources, divisions, roles) with one id.
    DuplicateId {
        /// What kind of thing.
        what: String,
        /// The repeated id.
        id: String,
        /// Line of the first definition.
        first_line: usize,
    },
    /// An `after` entry that names no step.
    UnknownStep {
        /// The id as written.
        id: String,
        /// The closest step id, if any is close.
        suggestion: Option<String>,
    },
    /// Steps that depend on each other in a circle.
    Cycle {
        /// The step ids around the cycle, first repeated at the end.
        path: Vec<String>,
    },
    /// A notify recipient that is neither a division nor a role in divisions.yaml.
    UnknownRecipient {
        /// The name as written.
        name: String,
        /// The closest known name, if any is close.
        suggestion: Option<String>,
    },
    /// An owner or approver that is not a role or division in divisions.yaml.
    UnknownRole {
        /// The name as written.
        name: String,
        /// The closest known name, if any is close.
        suggestion: Option<String>,
    },
    /// A `when` that cannot be parsed.
    ConditionSyntax {
        /// The condition as written.
        condition: String,
    },
    /// `when` names a step that is not a decision.
    WhenNotDecision {
        /// The step named.
        step: String,
    },
    /// `when` names no step at all.
    WhenUnknownDecision {
        /// The name as written.
        name: String,
        /// The closest decision id, if any is close.
        suggestion: Option<String>,
    },
    /// `when` names an option the decision does not have.
    WhenUnknownOption {
        /// The decision.
        decision: String,
        /// The option as written.
        option: String,
        /// The decision's options.
        options: Vec<String>,
    },
    /// `when` names a decision that is not among the step's prerequisites, so the step could
    /// become ready before the question is answered.
    WhenUndecidable {
        /// The step carrying the `when`.
        step: String,
        /// The decision it names.
        decision: String,
    },
    /// A step that is not applicable under any combination of decision outcomes.
    Unreachable {
        /// The step.
        step: String,
    },
    /// A duration that cannot be parsed.
    BadDuration {
        /// The text as written.
        text: String,
    },
    /// A date that cannot be parsed.
    BadDate {
        /// The text as written.
        text: String,
    },
    /// A `{{placeholder}}` the templates do not provide.
    UnknownPlaceholder {
        /// The placeholder name.
        name: String,
        /// The closest known placeholder, if any is close.
        suggestion: Option<String>,
    },
    /// A `{{` without its `}}`.
    UnclosedPlaceholder,
    /// A placeholder that only mail has (the recipient), used in a statement or draft.
    PlaceholderOnlyInMail {
        /// The placeholder name.
        name: String,
    },
    /// A field that does not belong to this step kind.
    FieldNotForKind {
        /// The field.
        field: String,
        /// The step's kind.
        kind: String,
    },
    /// A field this step kind requires.
    MissingForKind {
        /// The field.
        field: String,
        /// The step's kind.
        kind: String,
    },
    /// A platform key in `platform_guidance` that the playbook does not list in `platforms`.
    PlatformNotListed {
        /// The platform.
        platform: String,
    },
    /// A `source` citation whose document id is not in `sources`.
    UnknownSource {
        /// The document id as written.
        id: String,
        /// The closest document id, if any is close.
        suggestion: Option<String>,
    },
    /// A `source` citation without a clause after the document id.
    BadCitation {
        /// The citation as written.
        citation: String,
    },
    /// `severity: true` on a decision, but the playbook has no `severities`.
    NoSeverities,
    /// More than one decision with `severity: true`.
    SecondSeverityDecision {
        /// The first such decision.
        first: String,
    },
    /// More options than a decision may have.
    TooManyOptions {
        /// The limit.
        limit: usize,
    },
    /// A role's division that does not exist.
    UnknownDivision {
        /// The name as written.
        name: String,
        /// The closest known division, if any is close.
        suggestion: Option<String>,
    },
    /// A mail address that cannot be one.
    BadEmail {
        /// The address as written.
        address: String,
    },
    /// A mail header value (a subject, a name) holds a line break or another control
    /// character, which could add headers of its own.
    ControlInHeader {
        /// The field.
        field: String,
    },
    /// The playbook is past its review date (warning).
    ReviewOverdue {
        /// The date it was last reviewed.
        reviewed: String,
        /// The date the next review was due.
        due: String,
    },
    /// A step that cites no guideline clause (warning).
    NoSource {
        /// The step.
        step: String,
    },
    /// A deadline from incident start that falls before its prerequisites' deadlines (warning).
    DeadlineBeforePrerequisites {
        /// The step.
        step: String,
        /// Its deadline as written.
        due: String,
    },
    /// An exercise scenario names a playbook that cannot be found.
    ScenarioPlaybook {
        /// The playbook as written.
        name: String,
        /// Where it was looked for.
        looked: Vec<String>,
    },
    /// A scenario names a step of the wrong kind (e.g. `mentions` on a step that is not a
    /// monitor).
    WrongStepKind {
        /// The step.
        step: String,
        /// The kind needed.
        expected: String,
    },
    /// A scenario names an option its decision does not have.
    UnknownChoice {
        /// The decision.
        step: String,
        /// The option as written.
        option: String,
        /// The decision's options.
        options: Vec<String>,
    },
}

/// The closest candidate to `given`, if it is close enough to be a likely typo: a small edit
/// distance (transpositions count once), or, for Japanese names, one written inside the
/// other (`広報課` → `広報広聴課`).
pub fn suggest<'a, I>(given: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    let given_len = given.chars().count();
    let mut best: Option<(f64, &str)> = None;
    for candidate in candidates {
        if candidate == given {
            continue;
        }
        let similarity = strsim::normalized_damerau_levenshtein(given, candidate)
            .max(strsim::jaro_winkler(given, candidate) - 0.3);
        let close = similarity >= 0.5 && given_len >= 3
            || given_len >= 2
                && (is_subsequence(given, candidate) || is_subsequence(candidate, given));
        let score = if close { similarity.max(0.5) } else { 0.0 };
        if close && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, c)| c.to_string())
}

/// Whether every character of `short` appears in `long`, in order.
fn is_subsequence(short: &str, long: &str) -> bool {
    let mut rest = long.chars();
    short.chars().all(|c| rest.any(|l| l == c))
}

fn did_you_mean(lang: Lang, suggestion: &Option<String>) -> Option<String> {
    suggestion.as_ref().map(|s| match lang {
        Lang::Ja => format!("`{s}` のことですか？"),
        Lang::En => format!("did you mean `{s}`?"),
    })
}

fn list(items: &[String]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Problem {
    /// The one-line message, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        use Lang::{En, Ja};
        match (self, lang) {
            (Problem::Unreadable { reason }, Ja) => format!("ファイルを読めません: {reason}"),
            (Problem::Unreadable { reason }, En) => format!("cannot read the file: {reason}"),
            (Problem::TooLarge { bytes, limit }, Ja) => {
                format!("ファイルが大きすぎます（{bytes} バイト、上限 {limit} バイト）")
            }
            (Problem::TooLarge { bytes, limit }, En) => {
                format!("the file is too large ({bytes} bytes; the limit is {limit} bytes)")
            }
            (Problem::NotUtf8, Ja) => "UTF-8 ではない文字コードが含まれています".into(),
            (Problem::NotUtf8, En) => "the file is not valid UTF-8".into(),
            (Problem::TabIndent, Ja) => "インデントにタブ文字が使われています".into(),
            (Problem::TabIndent, En) => "a tab character is used for indentation".into(),
            (Problem::Syntax { detail }, Ja) => format!("YAML の構文エラー: {detail}"),
            (Problem::Syntax { detail }, En) => format!("YAML syntax error: {detail}"),
            (Problem::ResourceLimit { detail }, Ja) => {
                format!("入れ子・エイリアス・サイズが上限を超えています: {detail}")
            }
            (Problem::ResourceLimit { detail }, En) => {
                format!("nesting, aliases or size exceed the limit: {detail}")
            }
            (Problem::UnknownField { field, .. }, Ja) => format!("未知の項目 `{field}`"),
            (Problem::UnknownField { field, .. }, En) => format!("unknown field `{field}`"),
            (Problem::MissingField { field }, Ja) => format!("必須の項目 `{field}` がありません"),
            (Problem::MissingField { field }, En) => format!("missing field `{field}`"),
            (Problem::WrongType { detail }, Ja) => format!("値の型が違います: {detail}"),
            (Problem::WrongType { detail }, En) => format!("wrong type: {detail}"),
            (Problem::UnknownVariant { value, .. }, Ja) => format!("使えない値 `{value}`"),
            (Problem::UnknownVariant { value, .. }, En) => format!("unknown value `{value}`"),
            (Problem::DuplicateKey { key }, Ja) => format!("項目 `{key}` が重複しています"),
            (Problem::DuplicateKey { key }, En) => format!("duplicate key `{key}`"),
            (Problem::EmptyPlaybook, Ja) => "手順（steps）が1つもありません".into(),
            (Problem::EmptyPlaybook, En) => "the playbook has no steps".into(),
            (Problem::InvalidId { what }, Ja) => format!("{what} の id に使えない文字があります"),
            (Problem::InvalidId { what }, En) => format!("invalid {what} id"),
            (Problem::DuplicateStep { id, first_line }, Ja) => {
                format!("手順 id `{id}` が重複しています（最初の定義は {first_line} 行目）")
            }
            (Problem::DuplicateStep { id, first_line }, En) => {
                format!("duplicate step id `{id}` (first defined on line {first_line})")
            }
            (
                Problem::DuplicateId {
                    what,
                    id,
                    first_line,
                },
                Ja,
            ) => format!("{what} の id `{id}` が重複しています（最初の定義は {first_line} 行目）"),
            (
                Problem::DuplicateId {
                    what,
                    id,
                    first_line,
                },
                En,
            ) => format!("duplicate {what} id `{id}` (first defined on line {first_line})"),
            (Problem::UnknownStep { id, .. }, Ja) => format!("手順 `{id}` は存在しません"),
            (Problem::UnknownStep { id, .. }, En) => format!("unknown step `{id}`"),
            (Problem::Cycle { path }, Ja) => {
                format!("手順が循環しています: {}", path.join(" → "))
            }
            (Problem::Cycle { path }, En) => {
                format!("the steps form a cycle: {}", path.join(" -> "))
            }
            (Problem::UnknownRecipient { name, .. }, Ja) => {
                format!("通知先 `{name}` は divisions.yaml にありません")
            }
            (Problem::UnknownRecipient { name, .. }, En) => {
                format!("unknown division or role `{name}`")
            }
            (Problem::UnknownRole { name, .. }, Ja) => {
                format!("役割・部署 `{name}` は divisions.yaml にありません")
            }
            (Problem::UnknownRole { name, .. }, En) => {
                format!("unknown role or division `{name}`")
            }
            (Problem::ConditionSyntax { condition }, Ja) => {
                format!("条件 `{condition}` を解釈できません")
            }
            (Problem::ConditionSyntax { condition }, En) => {
                format!("cannot parse the condition `{condition}`")
            }
            (Problem::WhenNotDecision { step }, Ja) => {
                format!("`when` の `{step}` は判断（decision）の手順ではありません")
            }
            (Problem::WhenNotDecision { step }, En) => {
                format!("`when` refers to `{step}`, which is not a decision")
            }
            (Problem::WhenUnknownDecision { name, .. }, Ja) => {
                format!("`when` の判断 `{name}` は存在しません")
            }
            (Problem::WhenUnknownDecision { name, .. }, En) => {
                format!("`when` refers to an unknown decision `{name}`")
            }
            (
                Problem::WhenUnknownOption {
                    decision, option, ..
                },
                Ja,
            ) => format!("判断 `{decision}` に選択肢 `{option}` はありません"),
            (
                Problem::WhenUnknownOption {
                    decision, option, ..
                },
                En,
            ) => format!("decision `{decision}` has no option `{option}`"),
            (Problem::WhenUndecidable { step, decision }, Ja) => format!(
                "手順 `{step}` の条件は判断 `{decision}` によりますが、`{decision}` は前提の手順に含まれていません"
            ),
            (Problem::WhenUndecidable { step, decision }, En) => format!(
                "step `{step}` depends on decision `{decision}`, which is not among its prerequisites"
            ),
            (Problem::Unreachable { step }, Ja) => {
                format!("手順 `{step}` はどの判断結果でも実施されることがありません")
            }
            (Problem::Unreachable { step }, En) => {
                format!("step `{step}` is not applicable under any decision outcome")
            }
            (Problem::BadDuration { text }, Ja) => format!("時間の指定 `{text}` が不正です"),
            (Problem::BadDuration { text }, En) => format!("invalid duration `{text}`"),
            (Problem::BadDate { text }, Ja) => format!("日付 `{text}` が不正です"),
            (Problem::BadDate { text }, En) => format!("invalid date `{text}`"),
            (Problem::UnknownPlaceholder { name, .. }, Ja) => {
                format!("差し込み項目 `{{{{{name}}}}}` はありません")
            }
            (Problem::UnknownPlaceholder { name, .. }, En) => {
                format!("unknown placeholder `{{{{{name}}}}}`")
            }
            (Problem::PlaceholderOnlyInMail { name }, Ja) => {
                format!("差し込み項目 `{{{{{name}}}}}` は通知メール（notify）の中でだけ使えます")
            }
            (Problem::PlaceholderOnlyInMail { name }, En) => {
                format!("the placeholder `{{{{{name}}}}}` exists only in notify mail")
            }
            (Problem::UnclosedPlaceholder, Ja) => "`{{` に対応する `}}` がありません".into(),
            (Problem::UnclosedPlaceholder, En) => "`{{` without a closing `}}`".into(),
            (Problem::FieldNotForKind { field, kind }, Ja) => {
                format!("項目 `{field}` は `kind: {kind}` の手順には使えません")
            }
            (Problem::FieldNotForKind { field, kind }, En) => {
                format!("field `{field}` does not apply to `kind: {kind}`")
            }
            (Problem::MissingForKind { field, kind }, Ja) => {
                format!("`kind: {kind}` の手順には項目 `{field}` が必要です")
            }
            (Problem::MissingForKind { field, kind }, En) => {
                format!("`kind: {kind}` needs the field `{field}`")
            }
            (Problem::PlatformNotListed { platform }, Ja) => {
                format!("プラットフォーム `{platform}` は `platforms` にありません")
            }
            (Problem::PlatformNotListed { platform }, En) => {
                format!("platform `{platform}` is not listed in `platforms`")
            }
            (Problem::UnknownSource { id, .. }, Ja) => {
                format!("出典 `{id}` は `sources` にありません")
            }
            (Problem::UnknownSource { id, .. }, En) => {
                format!("source document `{id}` is not listed in `sources`")
            }
            (Problem::BadCitation { citation }, Ja) => {
                format!("出典 `{citation}` に条項がありません")
            }
            (Problem::BadCitation { citation }, En) => {
                format!("citation `{citation}` names no clause")
            }
            (Problem::NoSeverities, Ja) => {
                "`severity: true` ですが、`severities` が定義されていません".into()
            }
            (Problem::NoSeverities, En) => {
                "`severity: true`, but the playbook defines no `severities`".into()
            }
            (Problem::SecondSeverityDecision { first }, Ja) => {
                format!("重大度の判断は `{first}` で既に定義されています")
            }
            (Problem::SecondSeverityDecision { first }, En) => {
                format!("the severity decision is already `{first}`")
            }
            (Problem::TooManyOptions { limit }, Ja) => {
                format!("選択肢が多すぎます（上限 {limit}）")
            }
            (Problem::TooManyOptions { limit }, En) => {
                format!("too many options (the limit is {limit})")
            }
            (Problem::UnknownDivision { name, .. }, Ja) => format!("部署 `{name}` はありません"),
            (Problem::UnknownDivision { name, .. }, En) => format!("unknown division `{name}`"),
            (Problem::BadEmail { address }, Ja) => {
                format!("メールアドレス `{address}` が不正です")
            }
            (Problem::BadEmail { address }, En) => format!("invalid mail address `{address}`"),
            (Problem::ControlInHeader { field }, Ja) => {
                format!(
                    "`{field}` に改行や制御文字があります（メールのヘッダーになるため使えません）"
                )
            }
            (Problem::ControlInHeader { field }, En) => format!(
                "`{field}` contains a line break or control character (it becomes a mail header)"
            ),
            (Problem::ReviewOverdue { reviewed, due }, Ja) => {
                format!("見直し期限（{due}）を過ぎています（最終見直し {reviewed}）")
            }
            (Problem::ReviewOverdue { reviewed, due }, En) => {
                format!("the playbook was due for review on {due} (last reviewed {reviewed})")
            }
            (Problem::NoSource { step }, Ja) => {
                format!("手順 `{step}` に根拠（source）がありません")
            }
            (Problem::NoSource { step }, En) => {
                format!("step `{step}` cites no guideline clause (`source`)")
            }
            (Problem::DeadlineBeforePrerequisites { step, due }, Ja) => format!(
                "手順 `{step}` の期限（開始から {due}）が前提の手順の期限より早くなっています"
            ),
            (Problem::DeadlineBeforePrerequisites { step, due }, En) => {
                format!("step `{step}` is due {due} after start, before its prerequisites are due")
            }
            (Problem::ScenarioPlaybook { name, .. }, Ja) => {
                format!("シナリオの手順書 `{name}` が見つかりません")
            }
            (Problem::ScenarioPlaybook { name, .. }, En) => {
                format!("the scenario's playbook `{name}` cannot be found")
            }
            (Problem::WrongStepKind { step, expected }, Ja) => {
                format!("手順 `{step}` は {expected} の手順ではありません")
            }
            (Problem::WrongStepKind { step, expected }, En) => {
                format!("step `{step}` is not a {expected} step")
            }
            (Problem::UnknownChoice { step, option, .. }, Ja) => {
                format!("判断 `{step}` に選択肢 `{option}` はありません")
            }
            (Problem::UnknownChoice { step, option, .. }, En) => {
                format!("decision `{step}` has no option `{option}`")
            }
        }
    }

    /// A hint on how to fix it, in `lang`.
    pub fn hint(&self, lang: Lang) -> Option<String> {
        use Lang::{En, Ja};
        let text = match (self, lang) {
            (Problem::TooLarge { .. }, Ja) => {
                "手順書を分割するか、正しいファイルか確認してください".into()
            }
            (Problem::TooLarge { .. }, En) => {
                "split the playbook, or check that this is the right file".into()
            }
            (Problem::NotUtf8, Ja) => {
                "Shift_JIS などで保存されていないか確認し、UTF-8 で保存し直してください".into()
            }
            (Problem::NotUtf8, En) => "save the file as UTF-8 (not Shift_JIS)".into(),
            (Problem::TabIndent, Ja) => "YAML のインデントには半角スペースを使ってください".into(),
            (Problem::TabIndent, En) => "YAML indentation must use spaces".into(),
            (Problem::Syntax { .. }, Ja) => {
                "インデントのずれ、閉じていない引用符、`: ` を含む値の引用符漏れを確認してください"
                    .into()
            }
            (Problem::Syntax { .. }, En) => {
                "check indentation, unclosed quotes, and values containing `: ` that need quotes"
                    .into()
            }
            (Problem::ResourceLimit { .. }, Ja) => {
                "深すぎる入れ子やエイリアス（*）の多用をやめてください".into()
            }
            (Problem::ResourceLimit { .. }, En) => {
                "remove the deep nesting or the heavy use of aliases (*)".into()
            }
            (
                Problem::UnknownField {
                    suggestion,
                    expected,
                    ..
                },
                _,
            ) => did_you_mean(lang, suggestion).unwrap_or_else(|| {
                format!(
                    "{}{}",
                    lang.pick("使える項目: ", "allowed here: "),
                    list(expected)
                )
            }),
            (
                Problem::UnknownVariant {
                    suggestion,
                    expected,
                    ..
                },
                _,
            ) => did_you_mean(lang, suggestion).unwrap_or_else(|| {
                format!(
                    "{}{}",
                    lang.pick("使える値: ", "allowed values: "),
                    list(expected)
                )
            }),
            (Problem::MissingField { field }, Ja) => format!("`{field}:` を追加してください"),
            (Problem::MissingField { field }, En) => format!("add `{field}:`"),
            (Problem::DuplicateKey { .. }, Ja) => "どちらか一方を削除してください".into(),
            (Problem::DuplicateKey { .. }, En) => "remove one of them".into(),
            (Problem::EmptyPlaybook, Ja) => "`steps:` に少なくとも1つの手順を書いてください".into(),
            (Problem::EmptyPlaybook, En) => "add at least one step under `steps:`".into(),
            (Problem::InvalidId { .. }, Ja) => {
                "半角英小文字・数字・ハイフンを使ってください（例: `change-password`）".into()
            }
            (Problem::InvalidId { .. }, En) => {
                "use lower-case ASCII letters, digits and hyphens (e.g. `change-password`)".into()
            }
            (Problem::DuplicateStep { .. } | Problem::DuplicateId { .. }, Ja) => {
                "どちらかの id を変更してください".into()
            }
            (Problem::DuplicateStep { .. } | Problem::DuplicateId { .. }, En) => {
                "rename one of them".into()
            }
            (Problem::UnknownStep { suggestion, .. }, _) => did_you_mean(lang, suggestion)
                .unwrap_or_else(|| {
                    lang.pick(
                        "`after` には steps に定義した手順の id を書いてください",
                        "`after` lists ids of steps defined under `steps:`",
                    )
                    .into()
                }),
            (Problem::Cycle { .. }, Ja) => {
                "どれかの手順の `after` から循環の原因となる手順を外してください".into()
            }
            (Problem::Cycle { .. }, En) => {
                "remove one of these prerequisites from an `after` list".into()
            }
            (Problem::UnknownRecipient { suggestion, .. }, _)
            | (Problem::UnknownRole { suggestion, .. }, _)
            | (Problem::UnknownDivision { suggestion, .. }, _) => did_you_mean(lang, suggestion)
                .unwrap_or_else(|| {
                    lang.pick(
                        "divisions.yaml の divisions または roles に追加してください",
                        "add it to `divisions` or `roles` in divisions.yaml",
                    )
                    .into()
                }),
            (Problem::ConditionSyntax { .. }, Ja) => {
                "`判断id == 選択肢id`、`!=`、`判断id in [a, b]` の形で書いてください".into()
            }
            (Problem::ConditionSyntax { .. }, En) => {
                "write `decision == option`, `!=`, or `decision in [a, b]`".into()
            }
            (Problem::WhenNotDecision { .. }, Ja) => {
                "`when` には `kind: decision` の手順の id を書いてください".into()
            }
            (Problem::WhenNotDecision { .. }, En) => {
                "`when` must name a step of `kind: decision`".into()
            }
            (Problem::WhenUnknownDecision { suggestion, .. }, _) => did_you_mean(lang, suggestion)?,
            (Problem::WhenUnknownOption { options, .. }, _) => {
                format!("{}{}", lang.pick("選択肢: ", "options: "), list(options))
            }
            (Problem::WhenUndecidable { decision, .. }, Ja) => {
                format!("`after` に `{decision}`（またはその後の手順）を加えてください")
            }
            (Problem::WhenUndecidable { decision, .. }, En) => {
                format!("add `{decision}` (or a step after it) to `after`")
            }
            (Problem::Unreachable { .. }, Ja) => {
                "`when` の条件と前提の手順の条件が両立しません。条件を見直してください".into()
            }
            (Problem::Unreachable { .. }, En) => {
                "its `when` contradicts the conditions of its prerequisites".into()
            }
            (Problem::BadDuration { .. }, Ja) => {
                "`15m`、`2h`、`1d`、`1h30m` のように書いてください（s, m, h, d, w）".into()
            }
            (Problem::BadDuration { .. }, En) => {
                "write e.g. `15m`, `2h`, `1d`, `1h30m` (units s, m, h, d, w)".into()
            }
            (Problem::BadDate { .. }, Ja) => "`2026-11-23` の形で書いてください".into(),
            (Problem::BadDate { .. }, En) => "write the date as `2026-11-23`".into(),
            (Problem::UnknownPlaceholder { suggestion, .. }, _) => did_you_mean(lang, suggestion)
                .unwrap_or_else(|| {
                    format!(
                        "{}{}",
                        lang.pick("使える差し込み項目: ", "placeholders: "),
                        crate::playbook::template::PLACEHOLDERS
                            .iter()
                            .map(|p| format!("{{{{{p}}}}}"))
                            .collect::<Vec<_>>()
                            .join(" ")
                    )
                }),
            (Problem::PlaceholderOnlyInMail { .. }, Ja) => {
                "宛先の名前は、公表文や下書きでは直接書いてください".into()
            }
            (Problem::PlaceholderOnlyInMail { .. }, En) => {
                "write the addressee's name out in statements and drafts".into()
            }
            (Problem::UnclosedPlaceholder, Ja) => "`{{title}}` のように閉じてください".into(),
            (Problem::UnclosedPlaceholder, En) => "close it like `{{title}}`".into(),
            (Problem::FieldNotForKind { .. }, Ja) => {
                "`kind` が正しいか、項目を削除すべきか確認してください".into()
            }
            (Problem::FieldNotForKind { .. }, En) => {
                "check the step's `kind`, or remove the field".into()
            }
            (Problem::MissingForKind { field, .. }, Ja) => format!("`{field}:` を追加してください"),
            (Problem::MissingForKind { field, .. }, En) => format!("add `{field}:`"),
            (Problem::PlatformNotListed { platform }, Ja) => {
                format!("`platforms` に `{platform}` を加えるか、この記述を削除してください")
            }
            (Problem::PlatformNotListed { platform }, En) => {
                format!("add `{platform}` to `platforms`, or remove this guidance")
            }
            (Problem::UnknownSource { suggestion, .. }, _) => did_you_mean(lang, suggestion)
                .unwrap_or_else(|| {
                    lang.pick(
                        "先頭の `sources:` に文書を追加してください",
                        "add the document to `sources:` at the top",
                    )
                    .into()
                }),
            (Problem::BadCitation { .. }, Ja) => {
                "`文書id 条項` の形で書いてください（例: `ube 7(1)`）".into()
            }
            (Problem::BadCitation { .. }, En) => {
                "write `document-id clause`, e.g. `ube 7(1)`".into()
            }
            (Problem::NoSeverities, Ja) => {
                "先頭に `severities:` を定義するか、`options:` を書いてください".into()
            }
            (Problem::NoSeverities, En) => "define `severities:`, or list `options:`".into(),
            (Problem::SecondSeverityDecision { .. }, Ja) => {
                "重大度は1つの判断で決め、見直しは同じ判断の再判断で行ってください".into()
            }
            (Problem::SecondSeverityDecision { .. }, En) => {
                "decide severity in one step; re-decide that step to change it".into()
            }
            (Problem::TooManyOptions { .. }, Ja) => "判断を分割してください".into(),
            (Problem::TooManyOptions { .. }, En) => "split the decision".into(),
            (Problem::BadEmail { .. }, Ja) => "`koho@city.example.jp` の形で書いてください".into(),
            (Problem::BadEmail { .. }, En) => "write e.g. `koho@city.example.jp`".into(),
            (Problem::ControlInHeader { .. }, Ja) => {
                "1 行で書いてください（YAML の `|` や `\\n` を使わない）".into()
            }
            (Problem::ControlInHeader { .. }, En) => {
                "write it on one line (no `|` block or `\\n` in YAML)".into()
            }
            (Problem::ReviewOverdue { .. }, Ja) => {
                "内容を見直し、`reviewed:` を見直した日付に更新してください".into()
            }
            (Problem::ReviewOverdue { .. }, En) => {
                "review the playbook and set `reviewed:` to the review date".into()
            }
            (Problem::NoSource { .. }, Ja) => {
                "根拠となるガイドラインの条項を `source: [ube 7(1)]` のように書いてください".into()
            }
            (Problem::NoSource { .. }, En) => {
                "cite the guideline clause, e.g. `source: [ube 7(1)]`".into()
            }
            (Problem::DeadlineBeforePrerequisites { .. }, Ja) => {
                "期限を延ばすか、`due_from: ready` にしてください".into()
            }
            (Problem::DeadlineBeforePrerequisites { .. }, En) => {
                "give it a later deadline, or use `due_from: ready`".into()
            }
            (Problem::ScenarioPlaybook { looked, .. }, Ja) => format!(
                "手順書の id（例: `unauthorized-access`）かファイルを書いてください。探した場所: {}",
                looked.join(", ")
            ),
            (Problem::ScenarioPlaybook { looked, .. }, En) => format!(
                "name a playbook id (e.g. `unauthorized-access`) or file; looked in: {}",
                looked.join(", ")
            ),
            (Problem::WrongStepKind { expected, .. }, Ja) => {
                format!("種類が {expected} の手順の id を書いてください")
            }
            (Problem::WrongStepKind { expected, .. }, En) => {
                format!("name a step whose kind is {expected}")
            }
            (Problem::UnknownChoice { options, .. }, Ja) => {
                format!("選択肢: {}", list(options))
            }
            (Problem::UnknownChoice { options, .. }, En) => format!("options: {}", list(options)),
            (Problem::WrongType { .. }, Ja) => {
                "リストは `[a, b]` か各行 `- ` で、対応表は `項目: 値` の行で書きます".into()
            }
            (Problem::WrongType { .. }, En) => {
                "a list is `[a, b]` or lines starting with `- `; a mapping is `key: value` lines"
                    .into()
            }
            (Problem::Unreadable { .. }, _) => return None,
        };
        Some(text)
    }
}
