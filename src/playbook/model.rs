//! The playbook file as written: the serde model, with source positions on every value the
//! compiler may need to point at. A value of these types is *not* checked; `compile` turns it
//! into a [`crate::playbook::Playbook`], which is.
//!
//! The JSON Schema (`hikeshi schema`, `docs/playbook.schema.json`) is generated from these
//! same types, so editors check exactly what the compiler reads.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

/// A playbook file (`playbooks/*.yaml`).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "hikeshi playbook")]
// `title` is required, unless the playbook extends another (it then has the base's).
#[schemars(extend("anyOf" = [{"required": ["title"]}, {"required": ["extends"]}]))]
pub struct PlaybookFile {
    /// Identifier, lower-case ASCII with hyphens (e.g. `unauthorized-access`).
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// Title in Japanese (e.g. `SNS公式アカウントの不正アクセス（乗っ取り）対応`); required
    /// unless the playbook `extends` another.
    #[serde(default)]
    pub title: Option<String>,
    /// The playbook this one adapts: a stock playbook id (`flaming`) or a file beside this one
    /// (`base.yaml`). Its steps are taken, changed by `change`, removed by `remove`, and this
    /// file's `steps` are added.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub extends: Option<Spanned<String>>,
    /// With `extends`: changes to steps of the playbook extended, by step id.
    #[serde(default)]
    pub change: Vec<super::extend::StepPatch>,
    /// With `extends`: steps of the playbook extended that this one does not take, each with
    /// a reason. Steps that waited for one wait for what it waited for.
    #[serde(default)]
    pub remove: Vec<super::extend::Removal>,
    /// Version of this playbook (e.g. `"1.0"`).
    #[serde(default)]
    pub version: Option<String>,
    /// What the playbook is for, when to use it.
    #[serde(default)]
    pub description: Option<String>,
    /// The guideline documents the steps cite in `source`.
    #[serde(default)]
    pub sources: Vec<SourceDocument>,
    /// Date of the last review (`YYYY-MM-DD`).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub reviewed: Option<Spanned<String>>,
    /// How often the playbook must be reviewed (e.g. `180d`); `check` warns when overdue.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub review_every: Option<Spanned<String>>,
    /// The platforms this playbook applies to.
    #[serde(default)]
    #[schemars(with = "Vec<Platform>")]
    pub platforms: Vec<Spanned<Platform>>,
    /// Severity levels, the options of the decision marked `severity: true`.
    #[serde(default)]
    pub severities: Vec<OptionDef>,
    /// The incident's own facts (the genuine account, the fake one, the wrong information
    /// …): set at the start, by an inject or later, journalled, used as `{{placeholders}}`.
    #[serde(default)]
    pub facts: Vec<FactDef>,
    /// The steps, in the order they are shown.
    #[serde(default)]
    pub steps: Vec<StepDef>,
}

/// A guideline document a playbook follows.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceDocument {
    /// Short id used in citations (e.g. `ube` in `source: [ube 7(1)]`).
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// Title of the document.
    pub title: String,
    /// Who issued it (e.g. `宇部市 広報広聴課`).
    #[serde(default)]
    pub issuer: Option<String>,
    /// When it was issued or last revised.
    #[serde(default)]
    pub issued: Option<String>,
    /// Where it is published.
    #[serde(default)]
    pub url: Option<String>,
    /// The words of its clauses that steps cite, by clause (e.g. `"7(1)": "不正アクセスを…"`):
    /// the report quotes each clause cited once, with its words.
    #[serde(default)]
    pub clauses: BTreeMap<String, String>,
}

/// A value that may depend on a decision's answer: one value, or a map from the option ids
/// of a decision among the step's prerequisites (and `default`) to values.
#[derive(Debug, Clone, PartialEq, Eq, JsonSchema)]
#[schemars(untagged)]
pub enum PerOption {
    /// The same for every answer.
    One(String),
    /// By the decision's answer: option id (or `default`) → value.
    ByOption(BTreeMap<String, String>),
}

impl<'de> Deserialize<'de> for PerOption {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = PerOption;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string, or a mapping from options to strings")
            }

            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<PerOption, E> {
                Ok(PerOption::One(v.to_string()))
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<PerOption, A::Error> {
                let mut out = BTreeMap::new();
                while let Some((k, v)) = map.next_entry::<String, String>()? {
                    out.insert(k, v);
                }
                Ok(PerOption::ByOption(out))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// What a step rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// Guideline clauses, cited in `source` (the default).
    #[default]
    Guideline,
    /// Practice that no guideline states (e.g. a platform's own procedure): say why in
    /// `basis_reason`; the screen and the report show it apart from cited clauses.
    Practice,
}

/// A fact of the incident that the playbook declares.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FactDef {
    /// Its name, used as `{{name}}` in templates and in `--fact name=value`: lower-case
    /// ASCII, digits and underscores (e.g. `fake_account`).
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// What it is, as the operator is asked for it (e.g. `なりすましアカウントのID`).
    pub label: String,
    /// What kind of value it holds (default `text`).
    #[serde(default)]
    pub kind: FactKind,
    /// It must be given when the incident starts.
    #[serde(default)]
    pub required: bool,
    /// The step before which it must be known: the step cannot be done until it is set.
    /// Steps whose texts use the fact wait for it anyway.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub ask_before: Option<Spanned<String>>,
    /// `choice`: the values it may take.
    #[serde(default)]
    pub options: Vec<String>,
    /// `division`: the `account` fact whose owner it follows. When that account is set and a
    /// division of divisions.yaml lists it under `accounts` (the list of official accounts and
    /// their divisions), this fact is set to that division, unless it is already set.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub from_account: Option<Spanned<String>>,
    /// What the account register (accounts.yaml) says of the incident's account, recorded
    /// into this fact when the incident starts on a registered account (unless given).
    #[serde(default)]
    #[schemars(with = "Option<RegisterField>")]
    pub register: Option<Spanned<RegisterField>>,
    /// Several values, each added when set (several fake accounts of one なりすまし): texts
    /// name them all, joined with 「、」.
    #[serde(default)]
    pub list: bool,
    /// `account`: one of the organisation's own accounts. When the directory lists its
    /// accounts (`accounts:` of its divisions), a value it does not list is refused, and a
    /// look-alike of one it lists is named as such (the genuine account of a なりすまし).
    #[serde(default)]
    pub official: bool,
    /// `account`: another `account` fact (or `account`, the incident's affected account) this
    /// one can never be: the same account, whatever its case or full-width form, is refused
    /// (the fake of a なりすまし is never the genuine account).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub differs_from: Option<Spanned<String>>,
}

/// What of the account register a fact takes (`register:`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RegisterField {
    /// The permanent numeric ID.
    NumericId,
    /// The administrators, each `氏名（所属課）`.
    Administrators,
    /// The recovery mail address.
    RecoveryEmail,
    /// The recovery phone.
    RecoveryPhone,
    /// The linked apps.
    LinkedApps,
    /// The two-factor method as registered.
    TwoFactor,
}

/// The kind of value a fact holds; the value is checked when it is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FactKind {
    /// Any one line of text.
    #[default]
    Text,
    /// An `http://` or `https://` address.
    Url,
    /// An account id or handle (e.g. `@city_official`).
    Account,
    /// A date and time (`2026-11-27 22:00` or RFC 3339), JST; the date filters apply.
    Datetime,
    /// One of the fact's `options`.
    Choice,
    /// A division of divisions.yaml (its id), e.g. the division that owns the affected
    /// account; a notify step mails it with `to: ["{{name}}"]`.
    Division,
}

impl FactKind {
    /// Its name as written in a playbook (`kind: account`).
    pub fn name(self) -> &'static str {
        match self {
            FactKind::Text => "text",
            FactKind::Url => "url",
            FactKind::Account => "account",
            FactKind::Datetime => "datetime",
            FactKind::Choice => "choice",
            FactKind::Division => "division",
        }
    }
}

/// One option of a decision (or one severity level).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OptionDef {
    /// Id used in `when:` conditions and on the command line (e.g. `high`).
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// Title shown to the operator (e.g. `重大`).
    pub title: String,
    /// When to choose this option.
    #[serde(default)]
    pub description: Option<String>,
}

/// What a step is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StepKindName {
    /// Something the operator does, with an optional checklist.
    Action,
    /// Mail to divisions or roles.
    Notify,
    /// A question with options; later steps carry `when:`.
    Decision,
    /// 決裁: someone must approve.
    Approval,
    /// A public statement that needs approval before it counts as posted.
    Post,
    /// A recurring check (`every: 30m`) recording observations.
    Monitor,
}

impl StepKindName {
    /// The name as written in YAML.
    pub fn as_str(self) -> &'static str {
        match self {
            StepKindName::Action => "action",
            StepKindName::Notify => "notify",
            StepKindName::Decision => "decision",
            StepKindName::Approval => "approval",
            StepKindName::Post => "post",
            StepKindName::Monitor => "monitor",
        }
    }
}

/// The social-media platforms hikeshi knows.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    /// X (旧Twitter).
    X,
    /// Instagram.
    Instagram,
    /// Facebook.
    Facebook,
    /// LINE公式アカウント.
    Line,
    /// YouTube.
    Youtube,
    /// TikTok.
    Tiktok,
    /// Threads.
    Threads,
}

impl Platform {
    /// Every platform, in display order.
    pub const ALL: [Platform; 7] = [
        Platform::X,
        Platform::Instagram,
        Platform::Facebook,
        Platform::Line,
        Platform::Youtube,
        Platform::Tiktok,
        Platform::Threads,
    ];

    /// The id as written in YAML.
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::X => "x",
            Platform::Instagram => "instagram",
            Platform::Facebook => "facebook",
            Platform::Line => "line",
            Platform::Youtube => "youtube",
            Platform::Tiktok => "tiktok",
            Platform::Threads => "threads",
        }
    }

    /// The name people use for it.
    pub fn display_name(self) -> &'static str {
        match self {
            Platform::X => "X",
            Platform::Instagram => "Instagram",
            Platform::Facebook => "Facebook",
            Platform::Line => "LINE",
            Platform::Youtube => "YouTube",
            Platform::Tiktok => "TikTok",
            Platform::Threads => "Threads",
        }
    }
}

impl std::str::FromStr for Platform {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        Platform::ALL
            .into_iter()
            .find(|p| p.as_str() == wanted || p.display_name().to_ascii_lowercase() == wanted)
            .or_else(|| (wanted == "twitter").then_some(Platform::X))
            .ok_or_else(|| {
                let names: Vec<&str> = Platform::ALL.iter().map(|p| p.as_str()).collect();
                format!("unknown platform `{s}` (platforms: {})", names.join(", "))
            })
    }
}

/// A moment the yearly summary (`hikeshi summary`) measures every incident by: the step
/// marked with it is the one whose first completion is that moment. At most one step of a
/// playbook carries each.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Milestone {
    /// The first report to 所属長 (第一報).
    FirstReport,
    /// The harm is contained: the password changed, the account secured, the fake account
    /// reported.
    Containment,
    /// The first public notice (the first public post).
    PublicNotice,
}

impl Milestone {
    /// Every milestone, in the order of an incident.
    pub const ALL: [Milestone; 3] = [
        Milestone::FirstReport,
        Milestone::Containment,
        Milestone::PublicNotice,
    ];

    /// The name as written in YAML.
    pub fn as_str(self) -> &'static str {
        match self {
            Milestone::FirstReport => "first_report",
            Milestone::Containment => "containment",
            Milestone::PublicNotice => "public_notice",
        }
    }
}

/// What a deadline is measured from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DueFrom {
    /// From the moment the step became ready (the default).
    #[default]
    Ready,
    /// From the start of the incident.
    Start,
}

/// The kind of thing the operator records as evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    /// A URL (a post, an account page).
    Url,
    /// A screenshot file.
    Screenshot,
    /// An account id or handle.
    AccountId,
    /// A date and time (e.g. the last legitimate login).
    Datetime,
    /// Free text.
    Text,
    /// Any other file.
    File,
}

/// A prompt for evidence to record in a step.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EvidencePrompt {
    /// What kind of evidence.
    pub kind: EvidenceKind,
    /// What to record, in Japanese (e.g. `乗っ取られたアカウントのURL`).
    pub label: String,
}

/// What a public statement is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PostPurpose {
    /// 注意喚起.
    Warning,
    /// 乗っ取り周知.
    TakeoverNotice,
    /// 対応中のお知らせ.
    InProgress,
    /// お詫び.
    Apology,
    /// 訂正.
    Correction,
    /// 説明 (an explanation of facts or intent, without correcting anything).
    Explanation,
    /// 復旧報告.
    Recovery,
}

/// Where a public statement is published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PostChannel {
    /// The affected official account.
    Official,
    /// Another official account of the organisation.
    Alternate,
    /// The organisation's website (公式ウェブサイト).
    Website,
    /// A press release (報道発表).
    Press,
}

/// A sentence of a post's statement said only once a step is done.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimDef {
    /// The step whose act the sentence states: said once it is done.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub done: Option<Spanned<String>>,
    /// Instead of `done`: a decision's answer (`impersonated == person`), among the post's
    /// prerequisites: said when it holds.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub when: Option<Spanned<String>>,
    /// The sentence, said once that step is done (placeholders as in the statement).
    pub text: String,
    /// Said while it is not done (`管理者のパスワードの変更を進めています`); without it the
    /// sentence is left out.
    #[serde(default)]
    pub otherwise: Option<String>,
}

/// One step as written. Fields that belong to one kind only are checked by the compiler, so
/// that a misplaced field is reported with its position rather than as a parse failure.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StepDef {
    /// Identifier, lower-case ASCII with hyphens (e.g. `change-password`).
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// Short imperative title in Japanese.
    pub title: String,
    /// What the step is.
    #[schemars(with = "StepKindName")]
    pub kind: Spanned<StepKindName>,
    /// Prerequisites: ids of steps that must be done (or skipped) first.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub after: Vec<Spanned<String>>,
    /// Steps that end this one: once any of them is done, this step (not yet done) no longer
    /// applies. A 「確認中」 post after the correction it announced would be untrue; it is
    /// left out instead of holding the correction back.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub until: Vec<Spanned<String>>,
    /// Condition on a decision: `decision == option`, `decision != option`, or
    /// `decision in [a, b]`. The decision must be among the step's prerequisites.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub when: Option<Spanned<String>>,
    /// Who is responsible: a role or division from divisions.yaml; or, by a decision's
    /// answer, a map from its option ids (and `default`) to roles.
    #[serde(default)]
    #[schemars(with = "Option<PerOption>")]
    pub owner: Option<Spanned<PerOption>>,
    /// Deadline, e.g. `15m`, `2h`, `1d`, `1h30m`; or, by a decision's answer, a map from its
    /// option ids (and `default`) to deadlines: `{safety: 4m, daily-life: 30m}`.
    #[serde(default)]
    #[schemars(with = "Option<PerOption>")]
    pub due: Option<Spanned<PerOption>>,
    /// What `due` counts from: `ready` (default) or `start` of the incident.
    #[serde(default)]
    pub due_from: DueFrom,
    /// What to do and how.
    #[serde(default)]
    pub guidance: Option<String>,
    /// Additional guidance per platform.
    #[serde(default)]
    #[schemars(with = "BTreeMap<Platform, String>")]
    pub platform_guidance: BTreeMap<Platform, Spanned<String>>,
    /// Guideline clauses this step implements: `document-id clause`, e.g. `ube 7(1)`,
    /// optionally with the clause's words in 「」: `ube 7(1)「不正アクセスを受けた場合は…」`.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub source: Vec<Spanned<String>>,
    /// What the step rests on: `guideline` (cited in `source`, the default) or `practice`.
    #[serde(default)]
    #[schemars(with = "Option<Basis>")]
    pub basis: Option<Spanned<Basis>>,
    /// `basis: practice`: why, in one line (e.g. `各社の通報フォームの実務による`).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub basis_reason: Option<Spanned<String>>,
    /// Guideline clauses the step departs from on purpose (`document-id clause`, as in
    /// `source`): the report prints them as departures, never among the clauses followed.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub departs_from: Vec<Spanned<String>>,
    /// Why the step departs from `departs_from`, in one line.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub departure_reason: Option<Spanned<String>>,
    /// Sub-items to tick off.
    #[serde(default)]
    pub checklist: Vec<String>,
    /// What to record as evidence.
    #[serde(default)]
    pub evidence: Vec<EvidencePrompt>,
    /// The moment of the incident this step's first completion marks, for the yearly
    /// summary: `first_report` (the first report to 所属長), `containment` or
    /// `public_notice` (the first public post). At most one step per milestone.
    #[serde(default)]
    #[schemars(with = "Option<Milestone>")]
    pub milestone: Option<Spanned<Milestone>>,
    /// Divisions or roles to reach by phone or web form in this step (e.g. the police
    /// consultation desk); their contacts are shown with the step.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub contacts: Vec<Spanned<String>>,

    /// `action`: a text to paste into a web form or document (e.g. a report to the
    /// platform), with placeholders filled.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub draft: Option<Spanned<String>>,

    /// `notify`: divisions or roles to mail.
    #[serde(default)]
    #[schemars(with = "Option<Vec<String>>")]
    pub to: Option<Spanned<Vec<Spanned<String>>>>,
    /// `notify`: divisions or roles the operator may add at run time (`notify --to`, or the
    /// picker on the screen), e.g. the division whose topic the wrong information was.
    #[serde(default)]
    #[schemars(with = "Option<Vec<String>>")]
    pub add_to: Option<Spanned<Vec<Spanned<String>>>>,
    /// `notify`: subject template.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub subject: Option<Spanned<String>>,
    /// `notify`: body template.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub body: Option<Spanned<String>>,
    /// `notify`: each recipient must acknowledge within this time.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub ack_within: Option<Spanned<String>>,

    /// `decision`: the question.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub question: Option<Spanned<String>>,
    /// `decision`: the options.
    #[serde(default)]
    #[schemars(with = "Option<Vec<OptionDef>>")]
    pub options: Option<Spanned<Vec<OptionDef>>>,
    /// `decision`: the options are the playbook's `severities`.
    #[serde(default)]
    #[schemars(with = "Option<bool>")]
    pub severity: Option<Spanned<bool>>,

    /// `approval` and `post`: the role that must approve.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub approver: Option<Spanned<String>>,

    /// `post`: what the statement is for.
    #[serde(default)]
    #[schemars(with = "Option<PostPurpose>")]
    pub purpose: Option<Spanned<PostPurpose>>,
    /// `post`: where it is published.
    #[serde(default)]
    #[schemars(with = "Option<PostChannel>")]
    pub channel: Option<Spanned<PostChannel>>,
    /// `post`: the statement template.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub statement: Option<Spanned<String>>,
    /// `post`: sentences the statement says only once a step is done (`{{claims}}` in the
    /// statement, one line each, in this order); until then each is left out, or said as its
    /// `otherwise`. A public text then never claims an act not yet done.
    #[serde(default)]
    pub claims: Vec<ClaimDef>,
    /// Phrases a public text uses to say this step's act is done (`管理者のパスワードを変更`):
    /// a post whose statement uses one must wait for this step (`after:`), or say it among
    /// its `claims:` with `done:` this step. Checked at compile time and when posting.
    #[serde(default)]
    pub announces: Vec<String>,
    /// Facts the step shows the operator with their values (e.g. what the account register
    /// knows: the administrators to check at the login check).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub shows: Vec<Spanned<String>>,
    /// `post`: an approval step (among its prerequisites) that approves this statement's
    /// text, so that it is not approved twice; `approver` may then be left out. A change of
    /// the text after that approval (a fact it uses, say) voids it for this post.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub approved_in: Option<Spanned<String>>,

    /// `monitor`: how often to check.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub every: Option<Spanned<String>>,
    /// `monitor`: what to observe at each check.
    #[serde(default)]
    #[schemars(with = "Option<Vec<String>>")]
    pub observe: Option<Spanned<Vec<String>>>,
}
