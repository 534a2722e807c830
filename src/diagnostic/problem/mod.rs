//! What the compiler can object to, and how each reads in Japanese and English: one match
//! per text (`message`, `hint`) with both languages side by side in every arm, so a new
//! problem is one variant plus one arm in each.

use serde::Serialize;

mod hint;
mod message;

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
    /// A scenario's autopilot approves under the name of a division, role or part: the
    /// engine records approvals under a person's name only, so every approval would be
    /// refused.
    ApproverNotAPerson {
        /// The name given.
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
    /// `departs_from` without a one-line `departure_reason`.
    DepartureNeedsReason,
    /// `departure_reason` on a step that departs from no clause.
    ReasonWithoutDeparture,
    /// A clause in both `source` and `departs_from` of one step.
    FollowedAndDeparted {
        /// The clause (`document clause`).
        clause: String,
    },
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
    /// The register names another owner for an account than the directory's `accounts:`.
    AccountOwnerDiffers {
        /// The account.
        account: String,
        /// The division the register names.
        register: String,
        /// The division whose `accounts:` lists it.
        directory: String,
    },
    /// A registered account that no division of the directory lists under `accounts:`.
    AccountNotInDirectory {
        /// The account.
        account: String,
        /// The division the register names.
        division: String,
    },
    /// An account of the directory's `accounts:` that the register does not list.
    AccountNotRegistered {
        /// The account.
        account: String,
        /// The division whose `accounts:` lists it.
        division: String,
    },
    /// A password or recovery codes written into the register.
    SecretInRegister {
        /// The field.
        field: String,
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
    /// A claim rests on neither or both of `done:` and `when:`.
    ClaimNeedsOneOf {
        /// The post step.
        step: String,
    },
    /// A post's statement names a step's act (one of its `announces:` phrases) without
    /// waiting for that step or saying it among its `claims:`: posted before it, the text
    /// would claim what was not done.
    ClaimWithoutDependency {
        /// The post step.
        step: String,
        /// The step whose act it names.
        act: String,
        /// The phrase.
        phrase: String,
    },
    /// A scenario's values make a post to the affected account longer than its platform takes
    /// (warning): the engine would refuse it in the drill.
    PostTooLong {
        /// The post step.
        step: String,
        /// The platform.
        platform: String,
        /// The count, as the platform counts.
        count: usize,
        /// The platform's limit.
        max: usize,
    },
    /// A post's statement holds a mark to fill in by hand (○○, （…を記載）): every post of
    /// it is refused until the operator edits the text (warning).
    UnfinishedStatement {
        /// The post step.
        step: String,
        /// The mark.
        mark: String,
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
        "account" => "アカウント",
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
