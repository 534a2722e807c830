//! Divisions (部署) and roles (役割) with their mail addresses and phone numbers, from
//! `divisions.yaml`, and who plays each part (広報担当課, 運用管理者, …). Playbooks name
//! them in `to:`, `owner:` and `approver:`.

pub mod parts;

use std::collections::HashMap;

use indexmap::IndexMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

pub mod export;
pub mod import;

use crate::diagnostic::{Diagnostic, Position, Problem, suggest};
use crate::source::{Limits, SourceFile, parse_yaml};
pub use parts::{OrganizationKind, OrganizationWords, OrganizationWordsDef, PartHolder, StockPart};

/// `divisions.yaml` as written.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "hikeshi divisions")]
pub struct DivisionsFile {
    /// Name of the organisation (e.g. `例示市`), used in mail and statements.
    pub organization: String,
    /// What kind of body it is (`市`, `町`, `村`, `区`, `都`, `道`, `府`, `県`, `その他`): the
    /// words its public texts use (町民, 町長, 「町に関する」). By default the last character of
    /// `organization`.
    #[serde(default)]
    pub organization_kind: Option<OrganizationKind>,
    /// Words for the organisation in public texts, each overriding its kind's; all four for
    /// `その他`.
    #[serde(default)]
    pub words: OrganizationWordsDef,
    /// The organisation's website, used in statements.
    #[serde(default)]
    pub website: Option<String>,
    /// Divisions (部署) and external contacts.
    #[serde(default)]
    pub divisions: Vec<DivisionDef>,
    /// Roles (役割) such as 運用管理者 or 発信管理者, held by a person with contacts of their own.
    #[serde(default)]
    pub roles: Vec<RoleDef>,
    /// Who plays each part the playbooks name (`広報担当課: 総務課`, `運用管理者: 総務課`): the
    /// id of a division or role. One division may play several parts.
    #[serde(default)]
    #[schemars(with = "std::collections::BTreeMap<String, String>")]
    pub parts: IndexMap<String, Spanned<String>>,
}

/// Inside the organisation, or outside it (police, a platform's report desk).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DivisionKind {
    /// A division of the organisation.
    #[default]
    Internal,
    /// An outside contact.
    External,
}

/// A night and holiday contact.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AfterHours {
    /// Phone number out of hours.
    #[serde(default)]
    pub phone: Option<String>,
    /// Mail address out of hours.
    #[serde(default)]
    pub email: Option<String>,
    /// How to reach them (e.g. `当直（守衛室）経由`).
    #[serde(default)]
    pub note: Option<String>,
}

/// A division as written.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DivisionDef {
    /// Name used in playbooks (e.g. `広報広聴課`).
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// Internal division or external contact.
    #[serde(default)]
    pub kind: DivisionKind,
    /// Mail address.
    #[schemars(with = "String")]
    pub email: Spanned<String>,
    /// Phone number in office hours.
    #[serde(default)]
    pub phone: Option<String>,
    /// Night and holiday contact.
    #[serde(default)]
    pub after_hours: Option<AfterHours>,
    /// Anything the duty officer should know.
    #[serde(default)]
    pub note: Option<String>,
    /// Chat channels (`[channels.NAME]` in hikeshi.toml) that get a post with every message.
    #[serde(default)]
    pub channels: Vec<String>,
    /// The official accounts this division owns (e.g. `@city_kanko`, or the account's URL):
    /// the list of accounts and their divisions (宇部市ガイドライン4(5)). A playbook's
    /// `division` fact with `from_account` follows it to the division that owns the
    /// affected account.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub accounts: Vec<Spanned<String>>,
    /// The people who belong to it now (optional; updated at each 人事異動): the account
    /// register's administrators recorded under this division must be among them.
    #[serde(default)]
    pub staff: Vec<String>,
}

/// A role as written.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleDef {
    /// Name used in playbooks (e.g. `運用管理者`).
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// Who holds the role (e.g. `広報担当課長`).
    #[serde(default)]
    pub held_by: Option<String>,
    /// The division the holder belongs to.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub division: Option<Spanned<String>>,
    /// Mail address.
    #[schemars(with = "String")]
    pub email: Spanned<String>,
    /// Phone number in office hours.
    #[serde(default)]
    pub phone: Option<String>,
    /// Night and holiday contact.
    #[serde(default)]
    pub after_hours: Option<AfterHours>,
    /// Where the role comes from and what it covers.
    #[serde(default)]
    pub note: Option<String>,
    /// Chat channels (`[channels.NAME]` in hikeshi.toml) that get a post with every message.
    #[serde(default)]
    pub channels: Vec<String>,
}

/// A checked division.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Division {
    /// Name used in playbooks.
    pub id: String,
    /// Internal or external.
    pub kind: DivisionKind,
    /// Mail address.
    pub email: String,
    /// Phone number.
    pub phone: Option<String>,
    /// Night and holiday contact.
    pub after_hours: Option<AfterHours>,
    /// Notes.
    pub note: Option<String>,
    /// Chat channels that get a post with every message (`[channels.NAME]` in hikeshi.toml).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<String>,
    /// The official accounts it owns, as written.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub accounts: Vec<String>,
    /// The people who belong to it now (empty: not listed).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub staff: Vec<String>,
}

/// A checked role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Role {
    /// Name used in playbooks.
    pub id: String,
    /// Who holds it.
    pub held_by: Option<String>,
    /// The holder's division (checked to exist).
    pub division: Option<String>,
    /// Mail address.
    pub email: String,
    /// Phone number.
    pub phone: Option<String>,
    /// Night and holiday contact.
    pub after_hours: Option<AfterHours>,
    /// Notes.
    pub note: Option<String>,
    /// Chat channels that get a post with every message (`[channels.NAME]` in hikeshi.toml).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<String>,
}

/// Someone a playbook can name: a division or a role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party<'a> {
    /// A division.
    Division(&'a Division),
    /// A role.
    Role(&'a Role),
}

impl<'a> Party<'a> {
    /// The division's or role's own name (for a part: whoever plays it).
    pub fn id(&self) -> &'a str {
        match *self {
            Party::Division(d) => &d.id,
            Party::Role(r) => &r.id,
        }
    }

    /// Mail address.
    pub fn email(&self) -> &str {
        match self {
            Party::Division(d) => &d.email,
            Party::Role(r) => &r.email,
        }
    }

    /// Phone number in office hours.
    pub fn phone(&self) -> Option<&str> {
        match self {
            Party::Division(d) => d.phone.as_deref(),
            Party::Role(r) => r.phone.as_deref(),
        }
    }

    /// Night and holiday contact.
    pub fn after_hours(&self) -> Option<&AfterHours> {
        match self {
            Party::Division(d) => d.after_hours.as_ref(),
            Party::Role(r) => r.after_hours.as_ref(),
        }
    }

    /// The chat channels that also get its messages.
    pub fn channels(&self) -> &[String] {
        match self {
            Party::Division(d) => &d.channels,
            Party::Role(r) => &r.channels,
        }
    }

    /// Who holds a role (none for a division).
    pub fn held_by(&self) -> Option<&str> {
        match self {
            Party::Division(_) => None,
            Party::Role(r) => r.held_by.as_deref(),
        }
    }
}

/// The checked directory of divisions and roles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Directory {
    /// Name of the organisation.
    pub organization: String,
    /// What kind of body it is, as given or read off its name.
    pub organization_kind: Option<OrganizationKind>,
    /// The words its public texts use for it; unknown for a body whose kind is neither given
    /// nor read off its name (a playbook whose texts use them then does not compile).
    pub words: Option<OrganizationWords>,
    /// The organisation's website.
    pub website: Option<String>,
    /// Divisions, in file order.
    pub divisions: Vec<Division>,
    /// Roles, in file order.
    pub roles: Vec<Role>,
    /// Who plays each part, in file order.
    pub parts: Vec<PartHolder>,
    #[serde(skip)]
    index: HashMap<String, PartyRef>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PartyRef {
    Division(usize),
    Role(usize),
}

impl Directory {
    /// Parses and checks a `divisions.yaml`, reporting every problem at once.
    pub fn load(source: &SourceFile, limits: &Limits) -> Result<Directory, Vec<Diagnostic>> {
        let file: DivisionsFile = parse_yaml(source, limits).map_err(|d| vec![*d])?;
        Self::check(source, file)
    }

    fn check(source: &SourceFile, file: DivisionsFile) -> Result<Directory, Vec<Diagnostic>> {
        let name = &source.name;
        let mut diagnostics = Vec::new();
        let mut first_line: HashMap<String, usize> = HashMap::new();
        let mut index = HashMap::new();
        let mut note_id = |id: &Spanned<String>, what: &str, r: PartyRef| {
            let pos = Position::from_location(&id.referenced);
            // The name becomes the display name in the To header.
            if id.value.chars().any(char::is_control) {
                diagnostics.push(Diagnostic::error(
                    name,
                    pos,
                    id.value.escape_debug().to_string(),
                    Problem::ControlInHeader { field: "id".into() },
                ));
            }
            if let Some(line) = first_line.get(&id.value) {
                diagnostics.push(Diagnostic::error(
                    name,
                    pos,
                    id.value.clone(),
                    Problem::DuplicateId {
                        what: what.to_string(),
                        id: id.value.clone(),
                        first_line: *line,
                    },
                ));
            } else {
                first_line.insert(id.value.clone(), pos.line);
                index.insert(id.value.clone(), r);
            }
        };
        for (i, d) in file.divisions.iter().enumerate() {
            note_id(&d.id, "division", PartyRef::Division(i));
        }
        for (i, r) in file.roles.iter().enumerate() {
            note_id(&r.id, "role", PartyRef::Role(i));
        }
        let emails = file
            .divisions
            .iter()
            .map(|d| &d.email)
            .chain(file.roles.iter().map(|r| &r.email));
        for email in emails {
            if !plausible_email(&email.value) {
                diagnostics.push(Diagnostic::error(
                    name,
                    Position::from_location(&email.referenced),
                    email.value.clone(),
                    Problem::BadEmail {
                        address: email.value.clone(),
                    },
                ));
            }
        }
        let division_ids: Vec<&str> = file.divisions.iter().map(|d| d.id.value.as_str()).collect();
        for role in &file.roles {
            if let Some(div) = &role.division
                && !division_ids.contains(&div.value.as_str())
            {
                diagnostics.push(Diagnostic::error(
                    name,
                    Position::from_location(&div.referenced),
                    div.value.clone(),
                    Problem::UnknownDivision {
                        name: div.value.clone(),
                        suggestion: suggest(&div.value, division_ids.iter().copied()),
                    },
                ));
            }
        }
        // One owner per account: the division a `from_account` fact follows must be clear. (The
        // same handle on two platforms of one division is one owner.)
        let mut owners: std::collections::HashMap<String, (&str, usize)> = Default::default();
        let accounts = file
            .divisions
            .iter()
            .flat_map(|d| d.accounts.iter().map(move |a| (d.id.value.as_str(), a)));
        for (division, account) in accounts {
            let key = account_key(&account.value);
            let at = Position::from_location(&account.referenced);
            match owners.get(&key) {
                Some((owner, _)) if *owner == division => {}
                Some((_, first_line)) => diagnostics.push(Diagnostic::error(
                    name,
                    at,
                    account.value.clone(),
                    Problem::DuplicateId {
                        what: "account".into(),
                        id: account.value.clone(),
                        first_line: *first_line,
                    },
                )),
                None => {
                    owners.insert(key, (division, at.line));
                }
            }
        }
        // Parts: each names a division or role; a part is no second name for one of them.
        let mut parts = Vec::new();
        // Only divisions and roles play parts: a part is never played by another part.
        let players = index.clone();
        for (part, holder) in &file.parts {
            let at = Position::from_location(&holder.referenced);
            if part.chars().any(char::is_control) {
                diagnostics.push(Diagnostic::error(
                    name,
                    source.find(&format!("{part}:")).unwrap_or(at),
                    part.escape_debug().to_string(),
                    Problem::ControlInHeader {
                        field: "parts".into(),
                    },
                ));
                continue;
            }
            if index.contains_key(part) {
                diagnostics.push(Diagnostic::error(
                    name,
                    source.find(&format!("{part}:")).unwrap_or(at),
                    part.clone(),
                    Problem::DuplicateId {
                        what: "part".into(),
                        id: part.clone(),
                        first_line: first_line.get(part).copied().unwrap_or(at.line),
                    },
                ));
                continue;
            }
            match players.get(&holder.value).copied() {
                Some(r) => {
                    index.insert(part.clone(), r);
                    parts.push(PartHolder {
                        part: part.clone(),
                        played_by: holder.value.clone(),
                    });
                }
                None => diagnostics.push(Diagnostic::error(
                    name,
                    at,
                    holder.value.clone(),
                    Problem::UnknownPartHolder {
                        part: part.clone(),
                        name: holder.value.clone(),
                        suggestion: suggest(
                            &holder.value,
                            file.divisions
                                .iter()
                                .map(|d| d.id.value.as_str())
                                .chain(file.roles.iter().map(|r| r.id.value.as_str())),
                        ),
                    },
                )),
            }
        }
        let organization_kind = file
            .organization_kind
            .or_else(|| OrganizationKind::from_name(&file.organization));
        // Unknown words are no error here: an incident frozen before the words existed must
        // still open. A playbook whose texts use them is refused when it is compiled.
        let words = file.words.over(organization_kind).ok();
        if !diagnostics.is_empty() {
            return Err(diagnostics);
        }
        Ok(Directory {
            organization: file.organization,
            organization_kind,
            words,
            parts,
            website: file.website,
            divisions: file
                .divisions
                .into_iter()
                .map(|d| Division {
                    id: d.id.value,
                    kind: d.kind,
                    email: d.email.value,
                    phone: d.phone,
                    after_hours: d.after_hours,
                    note: d.note,
                    channels: d.channels,
                    accounts: d.accounts.into_iter().map(|a| a.value).collect(),
                    staff: d
                        .staff
                        .into_iter()
                        .map(|p| p.trim().to_string())
                        .filter(|p| !p.is_empty())
                        .collect(),
                })
                .collect(),
            roles: file
                .roles
                .into_iter()
                .map(|r| Role {
                    id: r.id.value,
                    held_by: r.held_by,
                    division: r.division.map(|d| d.value),
                    email: r.email.value,
                    phone: r.phone,
                    after_hours: r.after_hours,
                    note: r.note,
                    channels: r.channels,
                })
                .collect(),
            index,
        })
    }

    /// The division or role with this name.
    pub fn party(&self, name: &str) -> Option<Party<'_>> {
        match self.index.get(name)? {
            PartyRef::Division(i) => self.divisions.get(*i).map(Party::Division),
            PartyRef::Role(i) => self.roles.get(*i).map(Party::Role),
        }
    }

    /// The division that lists `account` among its official accounts (`accounts:`).
    pub fn owner_of(&self, account: &str) -> Option<&Division> {
        let key = account_key(account);
        self.divisions
            .iter()
            .find(|d| d.accounts.iter().any(|a| account_key(a) == key))
    }

    /// Every name a playbook may use: divisions, roles, then parts.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.divisions
            .iter()
            .map(|d| d.id.as_str())
            .chain(self.roles.iter().map(|r| r.id.as_str()))
            .chain(self.parts.iter().map(|p| p.part.as_str()))
    }

    /// Who plays a part (the division's or role's id); `None` for a name that is no part.
    pub fn holder_of(&self, part: &str) -> Option<&str> {
        self.parts
            .iter()
            .find(|p| p.part == part)
            .map(|p| p.played_by.as_str())
    }

    /// A name as the town knows it: "広報担当課（総務課）" for a part, the name itself
    /// otherwise.
    pub fn label(&self, name: &str, lang: crate::Lang) -> String {
        match self.holder_of(name) {
            Some(holder) => parts::label(name, holder, lang),
            None => name.to_string(),
        }
    }
}

/// An account as compared with the directory's `accounts`: in half-width forms (＠ｃｉｔｙ is
/// typed @city), without a leading `@`, in lower case (handles on X and Instagram are
/// case-insensitive), without a trailing `/`.
pub fn account_key(account: &str) -> String {
    use unicode_normalization::UnicodeNormalization as _;
    let a: String = account.nfkc().collect();
    let a = a.trim().trim_end_matches('/');
    let a = a.rsplit('/').next().unwrap_or(a);
    a.trim_start_matches('@').to_lowercase()
}

/// An account key with the characters a fake uses to look like it folded together (0 and o;
/// 1, i and l; rn and m; vv and w): two different accounts with one skeleton look alike.
pub fn account_skeleton(key: &str) -> String {
    key.replace("rn", "m")
        .replace("vv", "w")
        .chars()
        .map(|c| match c {
            '0' => 'o',
            '1' | 'i' | '|' => 'l',
            c => c,
        })
        .collect()
}

/// The address must parse as mail is sent (lettre's parser) and have a dotted domain, which
/// catches typos such as a missing `.jp`; delivery is the final test.
pub(crate) fn plausible_email(address: &str) -> bool {
    address.parse::<lettre::Address>().is_ok_and(|a| {
        let domain = a.domain();
        domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
    })
}

/// Office hours (開庁時間) in Japan time: weekdays 8:30–17:15, the usual hours of a
/// municipal office. National holidays are not known here, which is why both numbers are
/// always shown.
pub fn in_office_hours(now: chrono::DateTime<chrono::FixedOffset>) -> bool {
    use chrono::{Datelike as _, Timelike as _, Weekday};
    let local = now.with_timezone(&crate::clock::jst());
    let minutes = local.hour() * 60 + local.minute();
    !matches!(local.weekday(), Weekday::Sat | Weekday::Sun)
        && (8 * 60 + 30..17 * 60 + 15).contains(&minutes)
}

impl Party<'_> {
    /// The number to call at `now`: the office number in office hours, else the night and
    /// holiday number (falling back to the other when one is missing). The flag says whether
    /// it is the night and holiday number.
    pub fn number_at(&self, now: chrono::DateTime<chrono::FixedOffset>) -> Option<(&str, bool)> {
        let day = self.phone().map(|p| (p, false));
        let night = self
            .after_hours()
            .and_then(|a| a.phone.as_deref())
            .map(|p| (p, true));
        if in_office_hours(now) {
            day.or(night)
        } else {
            night.or(day)
        }
    }
}

#[cfg(test)]
mod office_hours_tests {
    use super::in_office_hours;

    fn at(s: &str) -> chrono::DateTime<chrono::FixedOffset> {
        chrono::DateTime::parse_from_rfc3339(s).unwrap_or_default()
    }

    #[test]
    fn weekdays_from_half_past_eight_to_quarter_past_five_japan_time() {
        assert!(!in_office_hours(at("2026-11-24T08:29:00+09:00")));
        assert!(in_office_hours(at("2026-11-24T08:30:00+09:00")));
        assert!(in_office_hours(at("2026-11-24T17:14:00+09:00")));
        assert!(!in_office_hours(at("2026-11-24T17:15:00+09:00")));
        // Saturday, and a time given in UTC that is Tuesday 10:00 in Japan.
        assert!(!in_office_hours(at("2026-11-21T10:00:00+09:00")));
        assert!(in_office_hours(at("2026-11-24T01:00:00+00:00")));
    }
}

/// The organisation of the example directory shipped with hikeshi.
pub const EXAMPLE_ORGANIZATION: &str = "例示市";

/// Whether a mail address is an example one: its domain is reserved for examples (RFC 2606:
/// the top-level domains `.example`, `.test`, `.invalid`, `.localhost`, and `example.com`,
/// `.net`, `.org`), or has a label `example` anywhere (`city.example.jp`, `example.jp`,
/// reserved by JPRS the same way). Mail to such an address reaches no one.
pub fn is_example_address(address: &str) -> bool {
    let domain = address
        .rsplit_once('@')
        .map_or(address, |(_, d)| d)
        .trim()
        .trim_end_matches('>')
        .trim_end_matches('.')
        .to_ascii_lowercase();
    let labels: Vec<&str> = domain.split('.').collect();
    let top = labels.last().copied().unwrap_or_default();
    labels.contains(&"example") || ["test", "invalid", "localhost"].contains(&top)
}

/// What in a directory is still the shipped example's: its organisation name, and the mail
/// addresses (of divisions, roles and their after-hours contacts) at example domains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExampleContacts {
    /// The organisation, if it is the example one (例示市).
    pub organization: Option<String>,
    /// Every example address, in file order.
    pub addresses: Vec<String>,
    /// How many addresses the directory has in all.
    pub total: usize,
}

impl Directory {
    /// What in the directory is still the example's; `None` if nothing is.
    pub fn example_contacts(&self) -> Option<ExampleContacts> {
        let parties = self
            .divisions
            .iter()
            .map(|d| (&d.email, d.after_hours.as_ref()))
            .chain(
                self.roles
                    .iter()
                    .map(|r| (&r.email, r.after_hours.as_ref())),
            );
        let mut all: Vec<&String> = Vec::new();
        for (email, after) in parties {
            all.push(email);
            all.extend(after.and_then(|a| a.email.as_ref()));
        }
        let addresses: Vec<String> = all
            .iter()
            .filter(|a| is_example_address(a))
            .map(|a| (*a).clone())
            .collect();
        let organization = self
            .organization
            .contains(EXAMPLE_ORGANIZATION)
            .then(|| self.organization.clone());
        if addresses.is_empty() && organization.is_none() {
            return None;
        }
        Some(ExampleContacts {
            organization,
            addresses,
            total: all.len(),
        })
    }
}

impl ExampleContacts {
    /// The warning in one line, for the screen's message line.
    pub fn short(&self, lang: crate::Lang) -> String {
        let (n, total) = (self.addresses.len(), self.total);
        let org = self.organization.as_deref().unwrap_or("-");
        crate::tr!(
            lang,
            "警告: 連絡先が例示のままです（例示用アドレス {n}/{total} 件、団体名 {org}）。メールは誰にも届きません",
            "WARNING: the contacts are still the example ({n}/{total} example addresses, organisation {org}); mail reaches no one"
        )
    }

    /// The loud warning, in `lang`: what is still the example's, from which file, and what
    /// to do.
    pub fn warning(&self, divisions: &str, lang: crate::Lang) -> String {
        let (n, total) = (self.addresses.len(), self.total);
        let first: Vec<&str> = self.addresses.iter().take(3).map(String::as_str).collect();
        let first = first.join(", ");
        let mut parts = Vec::new();
        if let Some(org) = &self.organization {
            parts.push(crate::tr!(
                lang,
                "団体名が例示の「{org}」のまま",
                "the organisation is still the example's ({org})"
            ));
        }
        if n > 0 {
            parts.push(crate::tr!(
                lang,
                "メールアドレス {total} 件中 {n} 件が例示用（{first}…）で、誰にも届きません",
                "{n} of {total} mail addresses are example ones ({first}…) that reach no one"
            ));
        }
        let parts = parts.join(crate::tr!(lang, "、", "; ").as_str());
        crate::tr!(
            lang,
            "警告: 実際の事案ですが、連絡先 {divisions} は例示のままです（{parts}）。自団体の連絡先に直してください（訓練なら --exercise）。",
            "WARNING: a real incident, but the directory {divisions} is still the example ({parts}). Put in your own contacts (for a drill, use --exercise)."
        )
    }
}

#[cfg(test)]
mod example_address_tests {
    use super::is_example_address;

    #[test]
    fn reserved_example_domains_are_example_addresses() {
        for address in [
            "koho@city.example.jp",
            "a@example.jp",
            "a@example.com",
            "a@mail.example.net",
            "a@EXAMPLE.ORG",
            "a@town.test",
            "a@x.invalid",
            "a@localhost",
            "a@city.example",
        ] {
            assert!(is_example_address(address), "{address}");
        }
        for address in [
            "koho@town.kakuu.lg.jp",
            "a@examples.jp",
            "a@myexample.com",
            "a@city.testing.jp",
        ] {
            assert!(!is_example_address(address), "{address}");
        }
    }
}
