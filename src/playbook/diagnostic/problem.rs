//! What the compiler can object to, and how each reads in Japanese and English: one match
//! per text (`message`, `hint`) with both languages side by side in every arm, so a new
//! problem is one variant plus one arm in each.

use serde::Serialize;

use crate::lang::Lang;
use crate::tr;

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
        /// The shape expected: `text`, `list`, `mapping`, `boolean`, `number` (or the
        /// parser's own word).
        expected: String,
        /// The shape found, when the parser says.
        found: Option<String>,
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
        /// The option id meant (by its title, or the closest id), if any.
        suggestion: Option<String>,
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
        /// The placeholders that may be used where it is written.
        available: Vec<String>,
    },
    /// A `{{name|filter}}` with a filter that does not exist.
    UnknownFilter {
        /// The filter as written.
        filter: String,
        /// The closest filter, if any is close.
        suggestion: Option<String>,
        /// Every filter.
        available: Vec<String>,
    },
    /// A date filter on a placeholder that is not a date and time.
    FilterNeedsTime {
        /// The placeholder.
        name: String,
        /// The filter.
        filter: String,
    },
    /// A scenario names a fact the playbook does not declare.
    UnknownFact {
        /// The name as written.
        name: String,
        /// The closest declared fact, if any is close.
        suggestion: Option<String>,
    },
    /// A field names a fact of the wrong kind (e.g. `to: ["{{x}}"]` where `x` is no
    /// `division` fact).
    FactNotOfKind {
        /// The fact.
        name: String,
        /// The field naming it.
        field: String,
        /// The kind it must be.
        kind: String,
    },
    /// A scenario gives a fact a value it cannot hold (a URL that is not one, …).
    BadFactValue {
        /// The fact.
        name: String,
    },
    /// A `due`/`owner` map whose key is no option of any decision among the step's
    /// prerequisites.
    BranchUnknownOption {
        /// `due` or `owner`.
        field: String,
        /// The key as written.
        option: String,
        /// The closest option id, if any is close.
        suggestion: Option<String>,
    },
    /// A `due`/`owner` map whose keys fit several decisions.
    BranchAmbiguous {
        /// `due` or `owner`.
        field: String,
        /// The decisions they fit.
        decisions: Vec<String>,
    },
    /// A `due`/`owner` map that names not every option and has no `default`.
    BranchNotCovered {
        /// `due` or `owner`.
        field: String,
        /// The decision.
        decision: String,
        /// The options it does not name.
        missing: Vec<String>,
    },
    /// `extends:` names no stock playbook (and no file).
    UnknownBase {
        /// As written.
        name: String,
        /// The closest stock playbook id.
        suggestion: Option<String>,
    },
    /// The playbook extended extends another one.
    ExtendsChain,
    /// A step removed without a reason.
    RemovalWithoutReason {
        /// The step.
        step: String,
    },
    /// `change:` or `remove:` without `extends:`.
    OverlayWithoutBase {
        /// The key.
        field: String,
    },
    /// A post's `approved_in` that is not an approval step among its prerequisites.
    ApprovedInNotAnApproval {
        /// The step named.
        step: String,
    },
    /// `basis: practice` without a one-line `basis_reason`.
    PracticeNeedsReason,
    /// `basis_reason` on a step whose basis is not `practice`.
    ReasonWithoutPractice,
    /// A declared fact named like a built-in placeholder.
    FactIsBuiltIn {
        /// The name.
        name: String,
    },
    /// A fact name that cannot be a placeholder.
    InvalidFactName {
        /// The name.
        name: String,
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
    /// A second step marked with one milestone.
    DuplicateMilestone {
        /// The milestone.
        milestone: String,
        /// The step that carries it first.
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
        /// Its deadline from the start, in seconds.
        due_seconds: i64,
        /// The latest target of its prerequisites (their deadlines added up along the longest
        /// chain), in seconds from the start.
        chain_seconds: i64,
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
    /// A part the playbooks name (広報担当課, 運用管理者, …) that the directory does not say
    /// who plays.
    UnfilledPart {
        /// The part.
        part: String,
        /// The steps that name it (`playbook/step`), when known.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        needed_by: Vec<String>,
    },
    /// A `parts:` entry naming no division or role of the directory.
    UnknownPartHolder {
        /// The part.
        part: String,
        /// The division or role as written.
        name: String,
        /// The closest known name, if any is close.
        suggestion: Option<String>,
    },
    /// The organisation's words (町長, 町民, …) are neither given nor known from its kind.
    MissingOrganizationWords {
        /// The words missing (`org_kind`, `head`, `deputy_head`, `residents`).
        missing: Vec<String>,
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

/// A shape's name (`text`, `list` …) as the diagnostics say it.
fn shape_name(shape: &str, lang: Lang) -> String {
    match shape {
        "text" => tr!(lang, "文字列（1つの値）", "text (one value)"),
        "list" => tr!(lang, "リスト", "a list"),
        "mapping" => tr!(lang, "対応表（項目: 値）", "a mapping (key: value)"),
        "boolean" => tr!(lang, "true か false", "true or false"),
        "number" => tr!(lang, "数値", "a number"),
        other => format!("`{other}`"),
    }
}

/// The parser's words for common syntax errors, in `lang`; others are named only in English
/// (the parser's own words), never inside a Japanese sentence.
fn syntax_message(detail: &str, lang: Lang) -> String {
    if detail.contains("unclosed quote") || detail.contains("quoted scalar") {
        tr!(
            lang,
            "YAML の構文エラー: 引用符が閉じていません",
            "YAML syntax error: unclosed quote"
        )
    } else if detail.contains("mapping values are not allowed") {
        tr!(
            lang,
            "YAML の構文エラー: 値の中に `: ` があるか、インデントがずれています",
            "YAML syntax error: a `: ` inside a value, or indentation that does not line up"
        )
    } else if detail.contains("unknown anchor") {
        tr!(
            lang,
            "YAML の構文エラー: 定義されていないアンカー（`&名前`）を参照しています",
            "YAML syntax error: an alias refers to an anchor (`&name`) that is not defined"
        )
    } else if detail.contains("did not find expected") || detail.contains("while parsing") {
        tr!(
            lang,
            "YAML の構文エラー: 括弧・引用符・インデントの対応が取れていません",
            "YAML syntax error: brackets, quotes or indentation do not match ({detail})"
        )
    } else {
        tr!(lang, "YAML の構文エラーです", "YAML syntax error: {detail}")
    }
}

/// The Japanese name of the kind of thing an id names (`step`, `option` …; the English
/// message uses the word itself).
fn thing(what: &str) -> String {
    let name = match what {
        "step" => "手順",
        "option" => "選択肢",
        "severity" => "重大度",
        "source" => "出典",
        "fact" => "事実",
        "playbook" => "手順書",
        "scenario" => "シナリオ",
        "inject" => "状況付与",
        "division" => "部署",
        "role" => "役割",
        "part" => "担当（parts）",
        other => return format!("`{other}` "),
    };
    name.to_string()
}

/// A number of seconds as a duration in `lang` (`18分`, `18m`).
fn seconds(s: i64, lang: Lang) -> String {
    crate::playbook::duration::format_duration(chrono::TimeDelta::seconds(s), lang)
}

fn did_you_mean(lang: Lang, suggestion: &Option<String>) -> Option<String> {
    suggestion
        .as_ref()
        .map(|s| tr!(lang, "`{s}` のことですか？", "did you mean `{s}`?"))
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
        match self {
            Problem::Unreadable { reason } => tr!(
                lang,
                "ファイルを読めません: {reason}",
                "cannot read the file: {reason}"
            ),
            Problem::TooLarge { bytes, limit } => tr!(
                lang,
                "ファイルが大きすぎます（{bytes} バイト、上限 {limit} バイト）",
                "the file is too large ({bytes} bytes; the limit is {limit} bytes)"
            ),
            Problem::NotUtf8 => tr!(
                lang,
                "UTF-8 ではない文字コードが含まれています",
                "the file is not valid UTF-8"
            ),
            Problem::TabIndent => tr!(
                lang,
                "インデントにタブ文字が使われています",
                "a tab character is used for indentation"
            ),
            Problem::Syntax { detail } => syntax_message(detail, lang),
            Problem::ResourceLimit { detail } => tr!(
                lang,
                "入れ子・エイリアス・サイズが上限を超えています",
                "nesting, aliases or size exceed the limit: {detail}"
            ),
            Problem::UnknownField { field, .. } => {
                tr!(lang, "未知の項目 `{field}`", "unknown field `{field}`")
            }
            Problem::MissingField { field } => tr!(
                lang,
                "必須の項目 `{field}` がありません",
                "missing field `{field}`"
            ),
            Problem::WrongType { expected, found } => {
                let want = shape_name(expected, lang);
                match found {
                    Some(f) if f != expected => {
                        let f = shape_name(f, lang);
                        tr!(
                            lang,
                            "値の型が違います: {want}を書くところに{f}が書かれています",
                            "wrong type: expected {want}, found {f}"
                        )
                    }
                    _ => tr!(
                        lang,
                        "値の型が違います: ここには{want}を書きます",
                        "wrong type: expected {want}"
                    ),
                }
            }
            Problem::UnknownVariant { value, .. } => {
                tr!(lang, "使えない値 `{value}`", "unknown value `{value}`")
            }
            Problem::DuplicateKey { key } => tr!(
                lang,
                "項目 `{key}` が重複しています",
                "duplicate key `{key}`"
            ),
            Problem::EmptyPlaybook => tr!(
                lang,
                "手順（`steps`）が1つもありません",
                "the playbook has no steps"
            ),
            Problem::InvalidId { what } => {
                let name = thing(what);
                tr!(
                    lang,
                    "{name}の id に使えない文字があります",
                    "invalid {what} id"
                )
            }
            Problem::DuplicateStep { id, first_line } => tr!(
                lang,
                "手順 id `{id}` が重複しています（最初の定義は {first_line} 行目）",
                "duplicate step id `{id}` (first defined on line {first_line})"
            ),
            Problem::DuplicateId {
                what,
                id,
                first_line,
            } => {
                let name = thing(what);
                tr!(
                    lang,
                    "{name}の id `{id}` が重複しています（最初の定義は {first_line} 行目）",
                    "duplicate {what} id `{id}` (first defined on line {first_line})"
                )
            }
            Problem::UnknownStep { id, .. } => {
                tr!(lang, "手順 `{id}` は存在しません", "unknown step `{id}`")
            }
            Problem::Cycle { path } => {
                let (ja, en) = (path.join(" → "), path.join(" -> "));
                tr!(
                    lang,
                    "手順が循環しています: {ja}",
                    "the steps form a cycle: {en}"
                )
            }
            Problem::UnknownRecipient { name, .. } => tr!(
                lang,
                "通知先 `{name}` は divisions.yaml にありません",
                "unknown division or role `{name}`"
            ),
            Problem::UnknownRole { name, .. } => tr!(
                lang,
                "役割・部署 `{name}` は divisions.yaml にありません",
                "unknown role or division `{name}`"
            ),
            Problem::ConditionSyntax { condition } => tr!(
                lang,
                "条件 `{condition}` を解釈できません",
                "cannot parse the condition `{condition}`"
            ),
            Problem::WhenNotDecision { step } => tr!(
                lang,
                "`when` の `{step}` は判断（`decision`）の手順ではありません",
                "`when` refers to `{step}`, which is not a decision"
            ),
            Problem::WhenUnknownDecision { name, .. } => tr!(
                lang,
                "`when` の判断 `{name}` は存在しません",
                "`when` refers to an unknown decision `{name}`"
            ),
            Problem::WhenUnknownOption {
                decision, option, ..
            } => tr!(
                lang,
                "判断 `{decision}` に選択肢 `{option}` はありません",
                "decision `{decision}` has no option `{option}`"
            ),
            Problem::WhenUndecidable { step, decision } => tr!(
                lang,
                "手順 `{step}` の条件は判断 `{decision}` によりますが、`{decision}` は前提の手順に含まれていません",
                "step `{step}` depends on decision `{decision}`, which is not among its prerequisites"
            ),
            Problem::Unreachable { step } => tr!(
                lang,
                "手順 `{step}` はどの判断結果でも実施されることがありません",
                "step `{step}` is not applicable under any decision outcome"
            ),
            Problem::BadDuration { text } => tr!(
                lang,
                "時間の指定 `{text}` が不正です",
                "invalid duration `{text}`"
            ),
            Problem::BadDate { text } => {
                tr!(lang, "日付 `{text}` が不正です", "invalid date `{text}`")
            }
            Problem::UnknownPlaceholder { name, .. } => tr!(
                lang,
                "差し込み項目 `{{{{{name}}}}}` はありません",
                "unknown placeholder `{{{{{name}}}}}`"
            ),
            Problem::UnknownFilter { filter, .. } => tr!(
                lang,
                "書式 `|{filter}` はありません",
                "unknown filter `|{filter}`"
            ),
            Problem::FilterNeedsTime { name, filter } => tr!(
                lang,
                "書式 `|{filter}` は日時の差し込み項目にだけ使えます（`{{{{{name}}}}}` は日時ではありません）",
                "the filter `|{filter}` applies to dates and times only (`{{{{{name}}}}}` is not one)"
            ),
            Problem::UnknownFact { name, .. } => tr!(
                lang,
                "事実 `{name}` は手順書の `facts:` にありません",
                "the playbook declares no fact `{name}` under `facts:`"
            ),
            Problem::FactNotOfKind { name, field, kind } => tr!(
                lang,
                "`{field}` の事実 `{name}` は、種類が `{kind}` の事実でなければなりません",
                "the fact `{name}` in `{field}` must be of kind `{kind}`"
            ),
            Problem::BadFactValue { name } => tr!(
                lang,
                "事実 `{name}` の値として使えません",
                "not a valid value for the fact `{name}`"
            ),
            Problem::BranchUnknownOption { field, option, .. } => tr!(
                lang,
                "`{field}` の `{option}` は、前提の手順にある判断の選択肢ではありません",
                "`{option}` in `{field}` is not an option of a decision among the step's prerequisites"
            ),
            Problem::BranchAmbiguous { field, decisions } => tr!(
                lang,
                "`{field}` の選択肢がどの判断のものか決まりません（候補: {}）",
                "the options in `{field}` fit several decisions ({})",
                list(decisions)
            ),
            Problem::BranchNotCovered {
                field,
                decision,
                missing,
            } => tr!(
                lang,
                "`{field}` に判断 `{decision}` の選択肢 {} の値がなく、`default` もありません",
                "`{field}` gives no value for {} of decision `{decision}`, and no `default`",
                list(missing)
            ),
            Problem::UnknownBase { name, .. } => tr!(
                lang,
                "`extends` の手順書 `{name}` が見つかりません",
                "the playbook to extend, `{name}`, cannot be found"
            ),
            Problem::ExtendsChain => tr!(
                lang,
                "`extends` する手順書が、さらに別の手順書を `extends` しています",
                "the playbook extended extends another one"
            ),
            Problem::RemovalWithoutReason { step } => tr!(
                lang,
                "手順 `{step}` を除く理由（`reason`）がありません",
                "no `reason` for removing step `{step}`"
            ),
            Problem::OverlayWithoutBase { field } => tr!(
                lang,
                "`{field}` は `extends` する手順書にだけ書けます",
                "`{field}` belongs to a playbook that `extends` another"
            ),
            Problem::ApprovedInNotAnApproval { step } => tr!(
                lang,
                "`approved_in` の `{step}` は、この手順の前提にある決裁（`kind: approval`）の手順ではありません",
                "`approved_in` names `{step}`, which is not an approval step among this step's prerequisites"
            ),
            Problem::PracticeNeedsReason => tr!(
                lang,
                "`basis: practice` の手順には、理由を1行で `basis_reason` に書きます",
                "a step with `basis: practice` needs a one-line `basis_reason`"
            ),
            Problem::ReasonWithoutPractice => tr!(
                lang,
                "`basis_reason` は `basis: practice` の手順にだけ書きます",
                "`basis_reason` belongs to steps with `basis: practice`"
            ),
            Problem::FactIsBuiltIn { name } => tr!(
                lang,
                "事実 `{name}` は組み込みの差し込み項目と同じ名前です",
                "the fact `{name}` has the name of a built-in placeholder"
            ),
            Problem::InvalidFactName { name } => tr!(
                lang,
                "事実の名前 `{name}` に使えない文字があります",
                "invalid fact name `{name}`"
            ),
            Problem::PlaceholderOnlyInMail { name } => tr!(
                lang,
                "差し込み項目 `{{{{{name}}}}}` は通知メール（`notify`）の中でだけ使えます",
                "the placeholder `{{{{{name}}}}}` exists only in notify mail"
            ),
            Problem::UnclosedPlaceholder => tr!(
                lang,
                "`{{{{` に対応する `}}}}` がありません",
                "`{{{{` without a closing `}}}}`"
            ),
            Problem::FieldNotForKind { field, kind } => tr!(
                lang,
                "項目 `{field}` は `kind: {kind}` の手順には使えません",
                "field `{field}` does not apply to `kind: {kind}`"
            ),
            Problem::MissingForKind { field, kind } => tr!(
                lang,
                "`kind: {kind}` の手順には項目 `{field}` が必要です",
                "`kind: {kind}` needs the field `{field}`"
            ),
            Problem::PlatformNotListed { platform } => tr!(
                lang,
                "プラットフォーム `{platform}` は `platforms` にありません",
                "platform `{platform}` is not listed in `platforms`"
            ),
            Problem::UnknownSource { id, .. } => tr!(
                lang,
                "出典 `{id}` は `sources` にありません",
                "source document `{id}` is not listed in `sources`"
            ),
            Problem::BadCitation { citation } => tr!(
                lang,
                "出典 `{citation}` に条項がありません",
                "citation `{citation}` names no clause"
            ),
            Problem::NoSeverities => tr!(
                lang,
                "`severity: true` ですが、`severities` が定義されていません",
                "`severity: true`, but the playbook defines no `severities`"
            ),
            Problem::SecondSeverityDecision { first } => tr!(
                lang,
                "重大度の判断は `{first}` で既に定義されています",
                "the severity decision is already `{first}`"
            ),
            Problem::DuplicateMilestone { milestone, first } => tr!(
                lang,
                "`milestone: {milestone}` は手順 `{first}` に既に付いています（1つの手順書で各1つ）",
                "`milestone: {milestone}` is already on step `{first}` (one step per milestone)"
            ),
            Problem::TooManyOptions { limit } => tr!(
                lang,
                "選択肢が多すぎます（上限 {limit}）",
                "too many options (the limit is {limit})"
            ),
            Problem::UnknownDivision { name, .. } => tr!(
                lang,
                "部署 `{name}` はありません",
                "unknown division `{name}`"
            ),
            Problem::UnfilledPart { part, needed_by } if needed_by.is_empty() => tr!(
                lang,
                "`{part}` を担う部署・役割が divisions.yaml の `parts` にありません",
                "divisions.yaml does not say who plays `{part}` (`parts`)"
            ),
            Problem::UnfilledPart { part, needed_by } => tr!(
                lang,
                "`{part}` を担う部署・役割が divisions.yaml の `parts` にありません（必要な手順: {}）",
                "divisions.yaml does not say who plays `{part}` (`parts`; needed by {})",
                needed_by.join(", ")
            ),
            Problem::UnknownPartHolder { part, name, .. } => tr!(
                lang,
                "`{part}` を担う `{name}` は部署・役割にありません",
                "`{name}`, named to play `{part}`, is no division or role"
            ),
            Problem::MissingOrganizationWords { missing } => tr!(
                lang,
                "団体の種類が分からないため、公表文で使う語（{}）が決まりません",
                "the organisation's kind is unknown, so the words its texts use ({}) are not known",
                list(missing)
            ),
            Problem::BadEmail { address } => tr!(
                lang,
                "メールアドレス `{address}` が不正です",
                "invalid mail address `{address}`"
            ),
            Problem::ControlInHeader { field } => tr!(
                lang,
                "`{field}` に改行や制御文字があります（メールのヘッダーになるため使えません）",
                "`{field}` contains a line break or control character (it becomes a mail header)"
            ),
            Problem::ReviewOverdue { reviewed, due } => tr!(
                lang,
                "見直し期限（{due}）を過ぎています（最終見直し {reviewed}）",
                "the playbook was due for review on {due} (last reviewed {reviewed})"
            ),
            Problem::NoSource { step } => tr!(
                lang,
                "手順 `{step}` に根拠（`source`）がありません",
                "step `{step}` cites no guideline clause (`source`)"
            ),
            Problem::DeadlineBeforePrerequisites {
                step,
                due_seconds,
                chain_seconds,
            } => {
                let due = seconds(*due_seconds, lang);
                let chain = seconds(*chain_seconds, lang);
                tr!(
                    lang,
                    "手順 `{step}` の期限（開始から {due}）が、前提の手順の期限を順に足した時間（開始から {chain}）より早くなっています",
                    "step `{step}` is due {due} after the start, but the deadlines of its prerequisites add up to {chain}"
                )
            }
            Problem::ScenarioPlaybook { name, .. } => tr!(
                lang,
                "シナリオの手順書 `{name}` が見つかりません",
                "the scenario's playbook `{name}` cannot be found"
            ),
            Problem::WrongStepKind { step, expected } => tr!(
                lang,
                "手順 `{step}` は {expected} の手順ではありません",
                "step `{step}` is not a {expected} step"
            ),
            Problem::UnknownChoice { step, option, .. } => tr!(
                lang,
                "判断 `{step}` に選択肢 `{option}` はありません",
                "decision `{step}` has no option `{option}`"
            ),
        }
    }

    /// A hint on how to fix it, in `lang`.
    pub fn hint(&self, lang: Lang) -> Option<String> {
        let text = match self {
            Problem::TooLarge { .. } => tr!(
                lang,
                "手順書を分割するか、正しいファイルか確認してください",
                "split the playbook, or check that this is the right file"
            ),
            Problem::NotUtf8 => tr!(
                lang,
                "Shift_JIS などで保存されていないか確認し、UTF-8 で保存し直してください",
                "save the file as UTF-8 (not Shift_JIS)"
            ),
            Problem::TabIndent => tr!(
                lang,
                "YAML のインデントには半角スペースを使ってください",
                "YAML indentation must use spaces"
            ),
            Problem::Syntax { .. } => tr!(
                lang,
                "インデントのずれ、閉じていない引用符、`: ` を含む値の引用符漏れを確認してください",
                "check indentation, unclosed quotes, and values containing `: ` that need quotes"
            ),
            Problem::ResourceLimit { .. } => tr!(
                lang,
                "深すぎる入れ子やエイリアス（*）の多用をやめてください",
                "remove the deep nesting or the heavy use of aliases (*)"
            ),
            Problem::UnknownField {
                suggestion,
                expected,
                ..
            } => did_you_mean(lang, suggestion)
                .unwrap_or_else(|| tr!(lang, "使える項目: {}", "allowed here: {}", list(expected))),
            Problem::UnknownVariant {
                suggestion,
                expected,
                ..
            } => did_you_mean(lang, suggestion)
                .unwrap_or_else(|| tr!(lang, "使える値: {}", "allowed values: {}", list(expected))),
            Problem::MissingField { field } => {
                tr!(lang, "`{field}:` を追加してください", "add `{field}:`")
            }
            Problem::DuplicateKey { .. } => {
                tr!(lang, "どちらか一方を削除してください", "remove one of them")
            }
            Problem::EmptyPlaybook => tr!(
                lang,
                "`steps:` に少なくとも1つの手順を書いてください",
                "add at least one step under `steps:`"
            ),
            Problem::InvalidId { .. } => tr!(
                lang,
                "半角英小文字・数字・ハイフンを使ってください（例: `change-password`）",
                "use lower-case ASCII letters, digits and hyphens (e.g. `change-password`)"
            ),
            Problem::DuplicateStep { .. } | Problem::DuplicateId { .. } => tr!(
                lang,
                "どちらかの id を変更してください",
                "rename one of them"
            ),
            Problem::UnknownStep { suggestion, .. } => did_you_mean(lang, suggestion)
                .unwrap_or_else(|| {
                    tr!(
                        lang,
                        "`after` には steps に定義した手順の id を書いてください",
                        "`after` lists ids of steps defined under `steps:`"
                    )
                }),
            Problem::Cycle { .. } => tr!(
                lang,
                "どれかの手順の `after` から循環の原因となる手順を外してください",
                "remove one of these prerequisites from an `after` list"
            ),
            Problem::UnfilledPart { part, .. } => tr!(
                lang,
                "divisions.yaml の `parts` に `{part}: 部署名` を書いてください（部署・役割の id。1つの課が複数を担ってもよい）",
                "add `{part}: DIVISION` under `parts` in divisions.yaml (a division or role id; one division may play several parts)"
            ),
            Problem::UnknownPartHolder { suggestion, .. } => did_you_mean(lang, suggestion)
                .unwrap_or_else(|| {
                    tr!(
                        lang,
                        "`divisions` 又は `roles` の id を書いてください",
                        "name the id of an entry under `divisions` or `roles`"
                    )
                }),
            Problem::MissingOrganizationWords { .. } => tr!(
                lang,
                "`organization_kind: 市`（町・村・区・都・道・府・県）を書くか、`その他` なら `words:` に org_kind・head・deputy_head・residents を書いてください",
                "add `organization_kind: 市` (町, 村, 区, 都, 道, 府, 県), or for `その他` give org_kind, head, deputy_head and residents under `words:`"
            ),
            Problem::UnknownRecipient { suggestion, .. }
            | Problem::UnknownRole { suggestion, .. }
            | Problem::UnknownDivision { suggestion, .. } => did_you_mean(lang, suggestion)
                .unwrap_or_else(|| {
                    tr!(
                        lang,
                        "divisions.yaml の `divisions` 又は `roles` に追加してください",
                        "add it to `divisions` or `roles` in divisions.yaml"
                    )
                }),
            Problem::ConditionSyntax { .. } => tr!(
                lang,
                "`判断id == 選択肢id`、`!=`、`判断id in [a, b]` の形で書いてください",
                "write `decision == option`, `!=`, or `decision in [a, b]`"
            ),
            Problem::WhenNotDecision { .. } => tr!(
                lang,
                "`when` には `kind: decision` の手順の id を書いてください",
                "`when` must name a step of `kind: decision`"
            ),
            Problem::WhenUnknownDecision { suggestion, .. } => did_you_mean(lang, suggestion)?,
            Problem::WhenUnknownOption {
                options,
                suggestion,
                ..
            } => did_you_mean(lang, suggestion)
                .map(|d| {
                    tr!(
                        lang,
                        "{d}（条件には選択肢の id を書きます）",
                        "{d} (conditions name an option's id)"
                    )
                })
                .unwrap_or_else(|| tr!(lang, "選択肢: {}", "options: {}", list(options))),
            Problem::WhenUndecidable { decision, .. } => tr!(
                lang,
                "`after` に `{decision}`（またはその後の手順）を加えてください",
                "add `{decision}` (or a step after it) to `after`"
            ),
            Problem::Unreachable { .. } => tr!(
                lang,
                "`when` の条件と前提の手順の条件が両立しません。条件を見直してください",
                "its `when` contradicts the conditions of its prerequisites"
            ),
            Problem::BadDuration { .. } => tr!(
                lang,
                "`15m`、`2h`、`1d`、`1h30m` のように書いてください（s, m, h, d, w）",
                "write e.g. `15m`, `2h`, `1d`, `1h30m` (units s, m, h, d, w)"
            ),
            Problem::BadDate { .. } => tr!(
                lang,
                "`2026-11-23` の形で書いてください",
                "write the date as `2026-11-23`"
            ),
            Problem::UnknownPlaceholder {
                suggestion,
                available,
                ..
            } => did_you_mean(lang, suggestion).unwrap_or_else(|| {
                let all = available
                    .iter()
                    .map(|p| format!("{{{{{p}}}}}"))
                    .collect::<Vec<_>>()
                    .join(" ");
                tr!(
                    lang,
                    "使える差し込み項目: {all}（事案ごとの事実は先頭の `facts:` で宣言します）",
                    "placeholders: {all} (declare the incident's own facts under `facts:`)"
                )
            }),
            Problem::UnknownFilter {
                suggestion,
                available,
                ..
            } => did_you_mean(lang, suggestion)
                .unwrap_or_else(|| tr!(lang, "使える書式: {}", "filters: {}", list(available))),
            Problem::FilterNeedsTime { .. } => tr!(
                lang,
                "日時の項目（`started_at`、`now`、`kind: datetime` の事実）に付けるか、書式を外してください",
                "use it on `started_at`, `now` or a `kind: datetime` fact, or remove it"
            ),
            Problem::UnknownFact { suggestion, .. } => did_you_mean(lang, suggestion)
                .unwrap_or_else(|| {
                    tr!(
                        lang,
                        "手順書の `facts:` で宣言された名前を書いてください",
                        "use a name declared under the playbook's `facts:`"
                    )
                }),
            Problem::BadFactValue { .. } => tr!(
                lang,
                "事実の `kind` に合う値にしてください（URL は https://…、日時は 2026-11-27 22:00、choice は options のいずれか）",
                "give a value of the fact's `kind` (a URL is https://…, a date-time 2026-11-27 22:00, a choice one of its options)"
            ),
            Problem::BranchUnknownOption { suggestion, .. } => did_you_mean(lang, suggestion)
                .unwrap_or_else(|| {
                    tr!(
                        lang,
                        "キーには前提の手順（`after`）にある判断の選択肢の id か `default` を書きます",
                        "keys are option ids of a decision among the step's prerequisites (`after`), or `default`"
                    )
                }),
            Problem::BranchAmbiguous { .. } => tr!(
                lang,
                "どちらかの判断の選択肢の id を変え、区別できるようにしてください",
                "rename the options of one decision so that they can be told apart"
            ),
            Problem::BranchNotCovered { .. } => tr!(
                lang,
                "残りの選択肢の値を書くか、`default:` を加えてください",
                "give the other options a value, or add `default:`"
            ),
            Problem::UnknownBase { suggestion, .. } => did_you_mean(lang, suggestion)
                .unwrap_or_else(|| {
                    tr!(
                        lang,
                        "標準の手順書の id（`flaming` など）か、この手順書と同じフォルダのファイル名（`base.yaml`）を書いてください",
                        "name a stock playbook id (`flaming` …) or a file beside this one (`base.yaml`)"
                    )
                }),
            Problem::ExtendsChain => tr!(
                lang,
                "元の手順書を直接 `extends` してください（`extends` は1段まで）",
                "extend the original playbook directly (one level of `extends`)"
            ),
            Problem::RemovalWithoutReason { .. } => tr!(
                lang,
                "`remove: [{{id: 手順id, reason: 理由}}]` の形で書いてください",
                "write `remove: [{{id: step-id, reason: why}}]`"
            ),
            Problem::OverlayWithoutBase { .. } => tr!(
                lang,
                "`extends: flaming` のように元の手順書を書くか、手順を `steps` に直接書いてください",
                "add `extends: flaming` (the playbook adapted), or write the steps under `steps`"
            ),
            Problem::ApprovedInNotAnApproval { .. } => tr!(
                lang,
                "文案を決裁する `kind: approval` の手順を `after` に加え、その id を書いてください",
                "name a `kind: approval` step that approves the text, and put it in `after`"
            ),
            Problem::PracticeNeedsReason => tr!(
                lang,
                "例: `basis_reason: 各社の通報フォームの実務による（ガイドラインに定めなし）`",
                "e.g. `basis_reason: the platforms' own report forms (no guideline says so)`"
            ),
            Problem::ReasonWithoutPractice => tr!(
                lang,
                "`basis: practice` を加えるか、`basis_reason` を削除してください",
                "add `basis: practice`, or remove `basis_reason`"
            ),
            Problem::FactIsBuiltIn { .. } => tr!(
                lang,
                "別の名前にしてください（例: `fake_account`）",
                "choose another name (e.g. `fake_account`)"
            ),
            Problem::InvalidFactName { .. } => tr!(
                lang,
                "半角英小文字・数字・アンダースコアを使ってください（例: `fake_account`）",
                "use lower-case ASCII letters, digits and underscores (e.g. `fake_account`)"
            ),
            Problem::PlaceholderOnlyInMail { .. } => tr!(
                lang,
                "宛先の名前は、公表文や下書きでは直接書いてください",
                "write the addressee's name out in statements and drafts"
            ),
            Problem::UnclosedPlaceholder => tr!(
                lang,
                "`{{{{title}}}}` のように閉じてください",
                "close it like `{{{{title}}}}`"
            ),
            Problem::FieldNotForKind { .. } => tr!(
                lang,
                "`kind` が正しいか、項目を削除すべきか確認してください",
                "check the step's `kind`, or remove the field"
            ),
            Problem::MissingForKind { field, .. } => {
                tr!(lang, "`{field}:` を追加してください", "add `{field}:`")
            }
            Problem::PlatformNotListed { platform } => tr!(
                lang,
                "`platforms` に `{platform}` を加えるか、この記述を削除してください",
                "add `{platform}` to `platforms`, or remove this guidance"
            ),
            Problem::UnknownSource { suggestion, .. } => did_you_mean(lang, suggestion)
                .unwrap_or_else(|| {
                    tr!(
                        lang,
                        "先頭の `sources:` に文書を追加してください",
                        "add the document to `sources:` at the top"
                    )
                }),
            Problem::BadCitation { .. } => tr!(
                lang,
                "`文書id 条項` の形で書いてください（例: `ube 7(1)`）",
                "write `document-id clause`, e.g. `ube 7(1)`"
            ),
            Problem::NoSeverities => tr!(
                lang,
                "先頭に `severities:` を定義するか、`options:` を書いてください",
                "define `severities:`, or list `options:`"
            ),
            Problem::SecondSeverityDecision { .. } => tr!(
                lang,
                "重大度は1つの判断で決め、見直しは同じ判断の再判断で行ってください",
                "decide severity in one step; re-decide that step to change it"
            ),
            Problem::DuplicateMilestone { first, .. } => tr!(
                lang,
                "完了した時点がその節目となる1つの手順にだけ付け、`{first}` かこの手順のどちらかから外してください",
                "mark only the step whose completion is that moment: remove it from `{first}` or from this step"
            ),
            Problem::TooManyOptions { .. } => {
                tr!(lang, "判断を分割してください", "split the decision")
            }
            Problem::BadEmail { .. } => tr!(
                lang,
                "`koho@city.example.jp` の形で書いてください",
                "write e.g. `koho@city.example.jp`"
            ),
            Problem::ControlInHeader { .. } => tr!(
                lang,
                "1 行で書いてください（YAML の `|` や `\\n` を使わない）",
                "write it on one line (no `|` block or `\\n` in YAML)"
            ),
            Problem::ReviewOverdue { .. } => tr!(
                lang,
                "内容を見直し、`reviewed:` を見直した日付に更新してください",
                "review the playbook and set `reviewed:` to the review date"
            ),
            Problem::NoSource { .. } => tr!(
                lang,
                "根拠となるガイドラインの条項を `source: [ube 7(1)]` のように書くか、実務による手順なら `basis: practice` と理由（`basis_reason`）を書いてください",
                "cite the guideline clause, e.g. `source: [ube 7(1)]`, or for practice write `basis: practice` with a `basis_reason`"
            ),
            Problem::DeadlineBeforePrerequisites {
                due_seconds,
                chain_seconds,
                ..
            } => {
                let due = seconds(*due_seconds, lang);
                let over = seconds(chain_seconds - due_seconds, lang);
                tr!(
                    lang,
                    "開始からの期限は守るべき時限です。前提の手順の期限を合わせて {over} 縮め、{due} 以内に収めてください",
                    "a deadline from the start is a duty: shorten the prerequisites' deadlines by {over} in all, so that they fit in {due}"
                )
            }
            Problem::ScenarioPlaybook { looked, .. } => tr!(
                lang,
                "手順書の id（例: `unauthorized-access`）かファイルを書いてください。探した場所: {}",
                "name a playbook id (e.g. `unauthorized-access`) or file; looked in: {}",
                looked.join(", ")
            ),
            Problem::WrongStepKind { expected, .. } => tr!(
                lang,
                "種類が {expected} の手順の id を書いてください",
                "name a step whose kind is {expected}"
            ),
            Problem::UnknownChoice { options, .. } => {
                tr!(lang, "選択肢: {}", "options: {}", list(options))
            }
            Problem::FactNotOfKind { name, kind, .. } => tr!(
                lang,
                "`facts:` で `{name}` に `kind: {kind}` を指定するか、`kind: {kind}` の事実を書いてください",
                "give `{name}` `kind: {kind}` under `facts:`, or name a fact of kind {kind}"
            ),
            Problem::WrongType { expected, .. } => match expected.as_str() {
                "list" => tr!(
                    lang,
                    "リストは `[a, b]` か、各行を `- ` で始めて書きます",
                    "a list is `[a, b]` or lines starting with `- `"
                ),
                "mapping" => tr!(
                    lang,
                    "対応表は `項目: 値` の行で書きます",
                    "a mapping is `key: value` lines"
                ),
                "text" => tr!(
                    lang,
                    "1つの値を書きます（`: ` や `[`、`{{` で始まる値は引用符で囲みます）",
                    "write one value (quote a value with `: ` in it or starting with `[` or `{{`)"
                ),
                _ => return None,
            },
            Problem::Unreadable { .. } => return None,
        };
        Some(text)
    }
}
