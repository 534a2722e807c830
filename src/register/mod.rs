//! The account register (ソーシャルメディア アカウント管理者一覧表, 宇部市ガイドライン4(5)): every
//! official account with its owner, administrators, protection and recovery, from
//! `accounts.yaml` beside the city's `divisions.yaml`. It is checked like a playbook (file,
//! line and column for every problem) and against the directory, and never holds a secret:
//! it says where a password or recovery codes are kept, not what they are.
//!
//! `readiness` judges each account against the guideline clauses before a crisis.

pub mod ledger;
pub mod readiness;
mod skeleton;
pub mod update;

pub use skeleton::skeleton;

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

use crate::diagnostic::{Diagnostic, Position, Problem, suggest};
use crate::directory::{Directory, account_key, plausible_email};
use crate::playbook::Platform;
use crate::source::{Limits, SourceFile, parse_yaml};

/// The register's file name, beside `divisions.yaml`.
pub const FILE_NAME: &str = "accounts.yaml";

/// `accounts.yaml` as written.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "hikeshi account register")]
pub struct RegisterFile {
    /// The day of the yearly 人事異動 as `MM-DD` (default `04-01`): an account not reviewed
    /// since the last one falls short of 宇部市ガイドライン4(4).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub personnel_change: Option<Spanned<String>>,
    /// Months without a post after which an open account counts as dormant (default 6).
    #[serde(default)]
    pub dormant_after_months: Option<u32>,
    /// The organisation's own mail domains (e.g. `city.example.jp`); a recovery address
    /// elsewhere is someone's private mail. Default: the domains of the directory's own
    /// divisions and roles.
    #[serde(default)]
    pub domains: Vec<String>,
    /// The accounts.
    #[serde(default)]
    pub accounts: Vec<AccountDef>,
}

/// One official account as written.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountDef {
    /// The user name (`@city_official`) or, where a platform has none, the page's URL.
    #[schemars(with = "String")]
    pub handle: Spanned<String>,
    /// The platform.
    pub platform: Platform,
    /// The permanent numeric ID (a user name can be changed; the platform's forms ask for
    /// the ID).
    #[serde(default)]
    pub numeric_id: Option<String>,
    /// The account's address.
    #[serde(default)]
    pub url: Option<String>,
    /// The owning division (a division of the directory).
    #[schemars(with = "String")]
    pub division: Spanned<String>,
    /// The administrators (ユーザーアカウント管理者): people, in principle two.
    #[serde(default)]
    pub administrators: Vec<PersonDef>,
    /// Editors (編集者権限): people who post but do not administer.
    #[serde(default)]
    pub editors: Vec<PersonDef>,
    /// Two-factor authentication.
    #[serde(default)]
    pub two_factor: Option<TwoFactor>,
    /// Where the recovery (backup) codes are kept — never the codes.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub recovery_codes_kept: Option<Spanned<String>>,
    /// The mail address the platform sends recovery mail to (and the user ID where the
    /// platform logs in by mail: 流山 利用者ID・メールアドレス).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub recovery_email: Option<Spanned<String>>,
    /// The phone the platform sends codes to (whose: e.g. 広報広聴課の業務用携帯).
    #[serde(default)]
    pub recovery_phone: Option<String>,
    /// Where the password is kept (e.g. 情報セキュリティ担当課の管理簿) — never the password.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub password_kept: Option<Spanned<String>>,
    /// Apps linked to the account (scheduling tools, analytics): each can post or read.
    #[serde(default)]
    pub linked_apps: Vec<String>,
    /// What the account is posted from (流山 利用媒体).
    #[serde(default)]
    pub devices: Vec<Device>,
    /// Active, dormant, closing or closed.
    #[serde(default)]
    pub status: AccountStatus,
    /// The last review of administrators and protection.
    #[serde(default)]
    pub reviewed: Option<ReviewDef>,
    /// The day of the last post (`YYYY-MM-DD`).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub last_post: Option<Spanned<String>>,
    /// Never written: read only to refuse it by name (the register holds no secret).
    #[serde(default)]
    #[schemars(skip)]
    pub password: Option<Spanned<serde::de::IgnoredAny>>,
    /// Never written: read only to refuse it by name.
    #[serde(default)]
    #[schemars(skip)]
    pub recovery_codes: Option<Spanned<serde::de::IgnoredAny>>,
}

/// A person named in the register.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonDef {
    /// The person's name.
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    /// The division they belong to now (a division of the directory).
    #[schemars(with = "String")]
    pub division: Spanned<String>,
}

/// A review as written.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewDef {
    /// The day (`YYYY-MM-DD`).
    #[schemars(with = "String")]
    pub on: Spanned<String>,
    /// Who reviewed.
    pub by: String,
}

/// How a login is protected beyond the password.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TwoFactor {
    /// None.
    None,
    /// Codes by SMS (weakest: a SIM can be taken over).
    Sms,
    /// An authenticator app.
    App,
    /// A security key or passkey.
    SecurityKey,
}

impl TwoFactor {
    /// The id as written in the register.
    pub fn as_str(self) -> &'static str {
        match self {
            TwoFactor::None => "none",
            TwoFactor::Sms => "sms",
            TwoFactor::App => "app",
            TwoFactor::SecurityKey => "security_key",
        }
    }
}

/// What an account is posted from (流山 利用媒体).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Device {
    /// The organisation's managed network terminals.
    CityTerminal,
    /// The organisation's own mobile phones or tablets.
    CityMobile,
    /// A staff member's private device.
    PrivateDevice,
}

/// Where an account is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    /// In use.
    #[default]
    Active,
    /// Open but no longer posted to.
    Dormant,
    /// Being closed.
    Closing,
    /// Closed (kept in the register as a record).
    Closed,
}

/// A person in the checked register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Person {
    /// Name.
    pub name: String,
    /// Division.
    pub division: String,
}

/// A review in the checked register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Review {
    /// The day.
    pub on: NaiveDate,
    /// By whom.
    pub by: String,
}

/// One account, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    /// User name or page URL.
    pub handle: String,
    /// The line it starts on in the file (findings point there).
    pub line: usize,
    /// Platform.
    pub platform: Platform,
    /// Permanent numeric ID.
    pub numeric_id: Option<String>,
    /// Address.
    pub url: Option<String>,
    /// Owning division.
    pub division: String,
    /// Administrators.
    pub administrators: Vec<Person>,
    /// Editors.
    pub editors: Vec<Person>,
    /// Two-factor authentication, if the register says.
    pub two_factor: Option<TwoFactor>,
    /// Where the recovery codes are kept.
    pub recovery_codes_kept: Option<String>,
    /// Recovery mail address.
    pub recovery_email: Option<String>,
    /// Recovery phone.
    pub recovery_phone: Option<String>,
    /// Where the password is kept.
    pub password_kept: Option<String>,
    /// Linked apps.
    pub linked_apps: Vec<String>,
    /// Devices posted from.
    pub devices: Vec<Device>,
    /// Status.
    pub status: AccountStatus,
    /// Last review.
    pub reviewed: Option<Review>,
    /// Last post.
    pub last_post: Option<NaiveDate>,
}

/// A register checked: itself and its warnings, or every problem that stops it.
pub type Checked = Result<(Register, Vec<Diagnostic>), Vec<Diagnostic>>;

/// The checked register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Register {
    /// The 人事異動 day: month and day.
    pub personnel_change: (u32, u32),
    /// Months without a post that make an open account dormant.
    pub dormant_after_months: u32,
    /// The organisation's own mail domains, lower case.
    pub domains: Vec<String>,
    /// The accounts.
    pub accounts: Vec<Account>,
}

impl Register {
    /// Reads and checks a register against the directory: errors stop it; warnings come
    /// with it.
    pub fn load(source: &SourceFile, directory: &Directory, limits: &Limits) -> Checked {
        let file: RegisterFile = parse_yaml(source, limits).map_err(|d| vec![*d])?;
        let mut check = Check {
            file: &source.name,
            directory,
            diagnostics: Vec::new(),
        };
        let register = check.register(file);
        let (errors, warnings): (Vec<_>, Vec<_>) = check
            .diagnostics
            .into_iter()
            .partition(Diagnostic::is_error);
        if errors.is_empty() {
            Ok((register, warnings))
        } else {
            Err(errors.into_iter().chain(warnings).collect())
        }
    }

    /// The account with this handle (compared as the directory compares accounts) on this
    /// platform. One handle is often used on several platforms (`@city` on X and Instagram):
    /// without the platform, a handle registered more than once names no account.
    pub fn account(&self, handle: &str, platform: Option<Platform>) -> Option<&Account> {
        let key = account_key(handle);
        let mut same = self
            .accounts
            .iter()
            .filter(|a| account_key(&a.handle) == key);
        match platform {
            Some(p) => same.find(|a| a.platform == p),
            None => {
                let first = same.next()?;
                same.next().is_none().then_some(first)
            }
        }
    }
}

/// The register beside a directory: `accounts.yaml` in the directory file's folder, or the
/// example city's beside the example directory. `None` where there is none; the load's
/// errors where it cannot be used.
pub fn beside(divisions: &SourceFile, directory: &Directory, limits: &Limits) -> Option<Checked> {
    let source = if divisions.name == crate::stock::display_name(&crate::stock::DIVISIONS) {
        SourceFile::new(
            crate::stock::display_name(&crate::stock::ACCOUNTS),
            crate::stock::ACCOUNTS.text,
        )
    } else {
        let path = std::path::Path::new(&divisions.name)
            .parent()?
            .join(FILE_NAME);
        if !path.is_file() {
            return None;
        }
        match SourceFile::read(&path, limits) {
            Ok(s) => s,
            Err(d) => return Some(Err(vec![*d])),
        }
    };
    Some(Register::load(&source, directory, limits))
}

/// What the register beside a loaded playbook's directory gives `given` for the account an
/// incident starts on: each `register:` fact not given is added. The facts added, in order;
/// nothing without such facts, an account or a register; `Err` (nothing added) where the
/// register cannot be read — a start goes on without it.
pub fn add_known_facts(
    loaded: &crate::catalog::LoadedPlaybook,
    account: Option<&str>,
    platform: Option<Platform>,
    given: &mut std::collections::BTreeMap<String, String>,
) -> Result<Vec<String>, Vec<Diagnostic>> {
    let playbook = &loaded.compiled.playbook;
    let Some(account) = account else {
        return Ok(Vec::new());
    };
    if !playbook.facts.iter().any(|f| f.register.is_some()) {
        return Ok(Vec::new());
    }
    let Some(checked) = beside(
        &loaded.divisions_source,
        &loaded.directory,
        &Limits::default(),
    ) else {
        return Ok(Vec::new());
    };
    let (register, _) = checked?;
    let mut added = Vec::new();
    for (fact, value) in facts_for(&register, playbook, account, platform) {
        if !given.contains_key(&fact) {
            given.insert(fact.clone(), value);
            added.push(fact);
        }
    }
    Ok(added)
}

/// The values the register gives a playbook's `register:` facts for an incident on
/// `account`: (fact, value) for each such fact the register knows, a list's values one per
/// line. Empty when the account is not registered.
pub fn facts_for(
    register: &Register,
    playbook: &crate::playbook::Playbook,
    account: &str,
    platform: Option<Platform>,
) -> Vec<(String, String)> {
    use crate::playbook::RegisterField as F;
    let Some(a) = register.account(account, platform) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for fact in &playbook.facts {
        let Some(field) = fact.register else {
            continue;
        };
        let values: Vec<String> = match field {
            F::NumericId => a.numeric_id.iter().cloned().collect(),
            F::Administrators => a
                .administrators
                .iter()
                .map(|p| format!("{}（{}）", p.name, p.division))
                .collect(),
            F::RecoveryEmail => a.recovery_email.iter().cloned().collect(),
            F::RecoveryPhone => a.recovery_phone.iter().cloned().collect(),
            F::LinkedApps => a.linked_apps.clone(),
            F::TwoFactor => a
                .two_factor
                .iter()
                .map(|t| t.as_str().to_string())
                .collect(),
        };
        // Only what the fact can hold (a choice's options, one line of text …): a register
        // value the fact would refuse is left out rather than stop the start.
        let joined = if fact.list {
            let kept: Vec<String> = values.iter().filter_map(|v| fact.normalize(v)).collect();
            if kept.is_empty() {
                continue;
            }
            kept.join("\n")
        } else {
            match fact.normalize(&values.join("、")) {
                Some(v) => v,
                None => continue,
            }
        };
        out.push((fact.id.clone(), joined));
    }
    out
}

/// The JSON Schema of `accounts.yaml`, for editors and `docs/accounts.schema.json`.
pub fn schema() -> String {
    let schema = schemars::schema_for!(RegisterFile);
    serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n"
}

/// The checks of one file.
struct Check<'a> {
    file: &'a str,
    directory: &'a Directory,
    diagnostics: Vec<Diagnostic>,
}

impl Check<'_> {
    fn error(&mut self, at: Position, text: impl Into<String>, problem: Problem) {
        self.diagnostics
            .push(Diagnostic::error(self.file, at, text, problem));
    }

    fn warning(&mut self, at: Position, text: impl Into<String>, problem: Problem) {
        self.diagnostics
            .push(Diagnostic::warning(self.file, at, text, problem));
    }

    fn register(&mut self, file: RegisterFile) -> Register {
        let personnel_change = match &file.personnel_change {
            None => (4, 1),
            Some(s) => month_day(&s.value).unwrap_or_else(|| {
                self.error(
                    pos(s),
                    s.value.clone(),
                    Problem::BadDate {
                        text: s.value.clone(),
                    },
                );
                (4, 1)
            }),
        };
        let mut domains: Vec<String> = if file.domains.is_empty() {
            own_domains(self.directory)
        } else {
            file.domains
                .iter()
                .map(|d| d.trim().to_lowercase())
                .collect()
        };
        domains.sort();
        domains.dedup();
        let mut seen: Vec<(String, Platform, usize)> = Vec::new();
        let mut accounts = Vec::new();
        for def in file.accounts {
            let at = pos(&def.handle);
            let key = account_key(&def.handle.value);
            if let Some((_, _, first)) = seen
                .iter()
                .find(|(k, p, _)| *k == key && *p == def.platform)
            {
                let first = *first;
                self.error(
                    at,
                    def.handle.value.clone(),
                    Problem::DuplicateId {
                        what: "account".into(),
                        id: def.handle.value.clone(),
                        first_line: first,
                    },
                );
                continue;
            }
            seen.push((key, def.platform, at.line));
            accounts.push(self.account(def));
        }
        // Every account the directory lists must be in the register (宇部 4(5): the list
        // covers the organisation's accounts).
        let listed: Vec<String> = accounts.iter().map(|a| account_key(&a.handle)).collect();
        for division in &self.directory.divisions {
            for account in &division.accounts {
                if !listed.contains(&account_key(account)) {
                    self.warning(
                        Position::start(),
                        account.clone(),
                        Problem::AccountNotRegistered {
                            account: account.clone(),
                            division: division.id.clone(),
                        },
                    );
                }
            }
        }
        Register {
            personnel_change,
            dormant_after_months: file.dormant_after_months.unwrap_or(6),
            domains,
            accounts,
        }
    }

    fn account(&mut self, def: AccountDef) -> Account {
        let handle = def.handle.value.trim().to_string();
        let known = self.division(&def.division);
        // The directory's `accounts:` and the register must agree on the owner.
        match self.directory.owner_of(&handle) {
            Some(owner) if known && owner.id != def.division.value.trim() => self.error(
                pos(&def.division),
                def.division.value.clone(),
                Problem::AccountOwnerDiffers {
                    account: handle.clone(),
                    register: def.division.value.clone(),
                    directory: owner.id.clone(),
                },
            ),
            Some(_) => {}
            None => self.warning(
                pos(&def.handle),
                handle.clone(),
                Problem::AccountNotInDirectory {
                    account: handle.clone(),
                    division: def.division.value.clone(),
                },
            ),
        }
        // A person's division that is gone (renamed, merged) is a readiness finding, not a
        // fault of the file: the register still loads and says what to review.
        let places = [
            (&def.password_kept, "password_kept"),
            (&def.recovery_codes_kept, "recovery_codes_kept"),
        ];
        for (place, field) in places {
            if let Some(place) = place
                && looks_like_secret(&place.value)
            {
                let field = field.to_string();
                self.error(pos(place), "", Problem::SecretInRegister { field });
            }
        }
        // A secret written under its own name is refused by name, and never echoed.
        for (secret, field) in [
            (&def.password, "password"),
            (&def.recovery_codes, "recovery_codes"),
        ] {
            if let Some(secret) = secret {
                let field = field.to_string();
                self.error(pos(secret), "", Problem::SecretInRegister { field });
            }
        }
        if let Some(mail) = &def.recovery_email
            && !plausible_email(mail.value.trim())
        {
            self.error(
                pos(mail),
                mail.value.clone(),
                Problem::BadEmail {
                    address: mail.value.clone(),
                },
            );
        }
        let reviewed = def.reviewed.as_ref().and_then(|r| {
            self.date(&r.on).map(|on| Review {
                on,
                by: r.by.trim().to_string(),
            })
        });
        let last_post = def.last_post.as_ref().and_then(|d| self.date(d));
        let people = |list: &[PersonDef]| {
            list.iter()
                .map(|p| Person {
                    name: p.name.value.trim().to_string(),
                    division: p.division.value.trim().to_string(),
                })
                .collect()
        };
        Account {
            line: pos(&def.handle).line,
            handle,
            platform: def.platform,
            numeric_id: non_empty(def.numeric_id),
            url: non_empty(def.url),
            division: def.division.value.trim().to_string(),
            administrators: people(&def.administrators),
            editors: people(&def.editors),
            two_factor: def.two_factor,
            recovery_codes_kept: non_empty(def.recovery_codes_kept.map(|s| s.value)),
            recovery_email: non_empty(def.recovery_email.map(|s| s.value)),
            recovery_phone: non_empty(def.recovery_phone),
            password_kept: non_empty(def.password_kept.map(|s| s.value)),
            linked_apps: def
                .linked_apps
                .into_iter()
                .filter_map(|a| non_empty(Some(a)))
                .collect(),
            devices: def.devices,
            status: def.status,
            reviewed,
            last_post,
        }
    }

    /// A division named in the register must be one of the directory's; `false` if not.
    fn division(&mut self, name: &Spanned<String>) -> bool {
        let id = name.value.trim();
        let known = self.directory.divisions.iter().any(|d| d.id == id);
        if !known {
            let suggestion = suggest(id, self.directory.divisions.iter().map(|d| d.id.as_str()));
            self.error(
                pos(name),
                id,
                Problem::UnknownDivision {
                    name: id.into(),
                    suggestion,
                },
            );
        }
        known
    }

    fn date(&mut self, text: &Spanned<String>) -> Option<NaiveDate> {
        match NaiveDate::parse_from_str(text.value.trim(), "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                self.error(
                    pos(text),
                    text.value.clone(),
                    Problem::BadDate {
                        text: text.value.clone(),
                    },
                );
                None
            }
        }
    }
}

fn pos<T>(s: &Spanned<T>) -> Position {
    Position::from_location(&s.referenced)
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// `MM-DD` as month and day (a day every year has: 02-29 is refused).
fn month_day(text: &str) -> Option<(u32, u32)> {
    let (m, d) = text.trim().split_once('-')?;
    let (m, d) = (m.parse().ok()?, d.parse().ok()?);
    NaiveDate::from_ymd_opt(2025, m, d).map(|_| (m, d))
}

/// The domains of the directory's own divisions and roles (outside contacts excluded).
fn own_domains(directory: &Directory) -> Vec<String> {
    let divisions = directory
        .divisions
        .iter()
        .filter(|d| d.kind != crate::directory::DivisionKind::External)
        .map(|d| d.email.as_str());
    divisions
        .chain(directory.roles.iter().map(|r| r.email.as_str()))
        .filter_map(|e| e.rsplit_once('@').map(|(_, d)| d.trim().to_lowercase()))
        .collect()
}

/// Text that reads as a password or a code rather than a place: one word of ASCII letters,
/// digits and symbols, at least 8 long, mixing digits with letters or symbols. A place
/// (「情報セキュリティ担当課の金庫」, `vault: SNS/X`) has spaces, Japanese or a `:` label.
pub(crate) fn looks_like_secret(text: &str) -> bool {
    let t = text.trim();
    let one_word = !t.chars().any(char::is_whitespace);
    let ascii = t.chars().all(|c| c.is_ascii_graphic());
    let digits = t.chars().any(|c| c.is_ascii_digit());
    let others = t.chars().any(|c| !c.is_ascii_digit());
    one_word && ascii && t.chars().count() >= 8 && digits && others && !t.contains(':')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_place_is_no_secret_and_a_token_is() {
        assert!(!looks_like_secret("情報セキュリティ担当課の金庫（封筒）"));
        assert!(!looks_like_secret("1Password: 広報/X"));
        assert!(!looks_like_secret("safe"));
        assert!(looks_like_secret("Koho2024!x"));
        assert!(looks_like_secret("8f3k-2j9d-7h1q"));
    }

    #[test]
    fn the_personnel_change_day_is_a_day_of_every_year() {
        assert_eq!(month_day("04-01"), Some((4, 1)));
        assert_eq!(month_day("02-29"), None);
        assert_eq!(month_day("13-01"), None);
        assert_eq!(month_day("April"), None);
    }
}
