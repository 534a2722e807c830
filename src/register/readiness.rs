//! Readiness: each account of the register judged against the guideline clauses that ask for
//! preparation before a crisis (宇部市ガイドライン4, 流山市ガイドライン 利用者ID・パスワード・
//! メールアドレス・利用媒体, 美祢市社協ガイドライン4(4), 小諸市ガイドライン5(6)). The findings are
//! facts (what, which account, which clause, how bad); the faces word them.

use chrono::{Datelike as _, Months, NaiveDate};
use serde::Serialize;

use super::{Account, AccountStatus, Device, Register, TwoFactor};
use crate::directory::Directory;
use crate::lang::Lang;
use crate::playbook::Platform;
use crate::tr;

/// How much a finding matters before a crisis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// A takeover is likely to succeed or to be unrecoverable because of it.
    High,
    /// It slows recovery or leaves a gap the clause asks to close.
    Medium,
    /// Worth fixing at the next review.
    Low,
}

/// A clause a finding rests on, or practice with the reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Clause {
    /// The guideline's id as the stock playbooks use it (`ube`, `nagareyama` …), or
    /// `practice`.
    pub source: &'static str,
    /// The guideline's title.
    pub title: &'static str,
    /// The clause (`4(1)`), or empty for practice.
    pub clause: &'static str,
    /// The clause's words (or, for practice, why).
    pub words: &'static str,
}

const UBE: &str = "宇部市ソーシャルメディアの利用に関するガイドライン";
const NAGAREYAMA: &str = "流山市職員のソーシャルメディアの利用に関するガイドライン";
const MINE: &str = "美祢市社会福祉協議会ソーシャルメディア運用ガイドライン";
const KOMORO: &str = "職員のソーシャルメディア利用に関するガイドライン（小諸市）";

/// 宇部 4(1).
pub const UBE_4_1: Clause = Clause {
    source: "ube",
    title: UBE,
    clause: "4(1)",
    words: "ユーザーアカウント管理者は原則2名とし、他は編集者権限等を付与すること。",
};
/// 宇部 4(2).
pub const UBE_4_2: Clause = Clause {
    source: "ube",
    title: UBE,
    clause: "4(2)",
    words: "二重認証の設定などを行い、セキュリティ対策を取ること。",
};
/// 宇部 4(3).
pub const UBE_4_3: Clause = Clause {
    source: "ube",
    title: UBE,
    clause: "4(3)",
    words: "パスワードは、…容易に推測できるものは使用しないこと。また、他のユーザーアカウントと同じパスワードは使用しないこと。",
};
/// 宇部 4(4).
pub const UBE_4_4: Clause = Clause {
    source: "ube",
    title: UBE,
    clause: "4(4)",
    words: "人事異動及び担当者変更時は、アカウント管理者等の見直しを行うこと。",
};
/// 宇部 4(5).
pub const UBE_4_5: Clause = Clause {
    source: "ube",
    title: UBE,
    clause: "4(5)",
    words: "「ソーシャルメディア アカウント管理者一覧表」を作成し、広報広聴課へ提出すること。これは、管理者の変更があった場合も同様とする。",
};
/// 流山 メールアドレス.
pub const NAGAREYAMA_MAIL: Clause = Clause {
    source: "nagareyama",
    title: NAGAREYAMA,
    clause: "メールアドレス",
    words: "情報発信の内容に関連する部署のメールアドレスとします。公開及び非公開を設定可能である場合は非公開とします。",
};
/// 流山 利用者ID.
pub const NAGAREYAMA_ID: Clause = Clause {
    source: "nagareyama",
    title: NAGAREYAMA,
    clause: "利用者ID",
    words: "メールアドレスを利用者IDとする場合は、情報発信の内容に関連する部署のメールアドレスを設定します。",
};
/// 流山 パスワード (the sentence the register can check: kept safe).
pub const NAGAREYAMA_PASSWORD: Clause = Clause {
    source: "nagareyama",
    title: NAGAREYAMA,
    clause: "パスワード",
    words: "漏えい等の無いよう厳重に管理し…",
};
/// 流山 利用媒体.
pub const NAGAREYAMA_DEVICES: Clause = Clause {
    source: "nagareyama",
    title: NAGAREYAMA,
    clause: "利用媒体",
    words: "原則として、投稿に利用する機器は、流山市が管理する全庁ネットワーク端末とします。ただし、緊急時、災害時、その他やむを得ない場合はこの限りではありません。",
};
/// 美祢 4(4).
pub const MINE_4_4: Clause = Clause {
    source: "mine-shakyo",
    title: MINE,
    clause: "4(4)",
    words: "…推測されやすいものは避け、第三者に知られることのないように厳重に管理し…",
};
/// 小諸 5(6).
pub const KOMORO_5_6: Clause = Clause {
    source: "komoro",
    title: KOMORO,
    clause: "5(6)",
    words: "ID、パスワードの保護、安易な友達承認によるアカウント乗っ取り被害の防止など情報セキュリティの正しい知識と対策に関心を持ち、適切な利用を行ってください。",
};
/// Practice: the numeric ID.
pub const PRACTICE_NUMERIC_ID: Clause = Clause {
    source: "practice",
    title: "実務",
    clause: "",
    words: "ユーザー名は変えられるため、乗っ取り・なりすましの通報フォームは恒久的な数字のIDを求める",
};
/// Practice: dormant accounts.
pub const PRACTICE_DORMANT: Clause = Clause {
    source: "practice",
    title: "実務",
    clause: "",
    words: "誰も見ていない休眠アカウントは乗っ取られても気付かれない（2024年、町の10年来の休眠アカウントが乗っ取られた）",
};
/// Practice: recovery codes.
pub const PRACTICE_RECOVERY_CODES: Clause = Clause {
    source: "practice",
    title: "実務",
    clause: "",
    words: "二段階認証の端末を失ったときに復旧できるのは、保管したリカバリーコードだけである",
};

/// What falls short, with the values that say how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Shortfall {
    /// No administrator is registered.
    NoAdministrator,
    /// One administrator: if they are away or leave, nobody can recover the account.
    OneAdministrator {
        /// The one.
        name: String,
    },
    /// More than two administrators: the others should be editors.
    TooManyAdministrators {
        /// How many.
        count: usize,
    },
    /// An administrator whose division is not in the directory, or whose division lists
    /// its staff without them (moved or left).
    AdministratorNotInDirectory {
        /// The person.
        name: String,
        /// The division the register has them in.
        division: String,
    },
    /// No two-factor authentication.
    NoTwoFactor,
    /// The register does not say whether two-factor authentication is on.
    TwoFactorUnknown,
    /// Codes by SMS only.
    TwoFactorBySms,
    /// Two-factor authentication without a recorded place for the recovery codes.
    RecoveryCodesNotKept,
    /// The recovery address is not one of the organisation's own domains.
    RecoveryMailOutside {
        /// The address.
        address: String,
    },
    /// No recovery address recorded.
    RecoveryMailUnknown,
    /// Where the password is kept is not recorded.
    PasswordPlaceUnknown,
    /// Never reviewed.
    NeverReviewed,
    /// Not reviewed since the last 人事異動 (at most a year ago, so this is also "not
    /// reviewed for a year").
    NotReviewedSincePersonnelChange {
        /// The last review.
        reviewed: NaiveDate,
        /// The last 人事異動.
        personnel_change: NaiveDate,
    },
    /// Open, and no post for the dormancy period (or marked dormant).
    DormantAndOpen {
        /// The last post, if known.
        last_post: Option<NaiveDate>,
        /// The dormancy period, in months.
        months: u32,
    },
    /// The permanent numeric ID is not recorded.
    NumericIdUnknown,
    /// Posted from a private device.
    PrivateDevice,
}

impl Shortfall {
    /// How much it matters.
    pub fn severity(&self) -> Severity {
        use Shortfall::*;
        match self {
            NoAdministrator
            | OneAdministrator { .. }
            | AdministratorNotInDirectory { .. }
            | NoTwoFactor
            | RecoveryMailOutside { .. }
            | NeverReviewed => Severity::High,
            TwoFactorUnknown
            | RecoveryMailUnknown
            | PasswordPlaceUnknown
            | NotReviewedSincePersonnelChange { .. }
            | DormantAndOpen { .. }
            | PrivateDevice
            | RecoveryCodesNotKept => Severity::Medium,
            TooManyAdministrators { .. } | TwoFactorBySms | NumericIdUnknown => Severity::Low,
        }
    }

    /// The clauses that ask for what is missing.
    pub fn clauses(&self) -> &'static [Clause] {
        use Shortfall::*;
        match self {
            NoAdministrator | OneAdministrator { .. } | TooManyAdministrators { .. } => &[UBE_4_1],
            AdministratorNotInDirectory { .. } => &[UBE_4_4, UBE_4_5],
            NoTwoFactor | TwoFactorUnknown | TwoFactorBySms => &[UBE_4_2, KOMORO_5_6],
            RecoveryCodesNotKept => &[PRACTICE_RECOVERY_CODES],
            RecoveryMailOutside { .. } | RecoveryMailUnknown => &[NAGAREYAMA_MAIL, NAGAREYAMA_ID],
            PasswordPlaceUnknown => &[UBE_4_3, NAGAREYAMA_PASSWORD, MINE_4_4],
            NeverReviewed | NotReviewedSincePersonnelChange { .. } => &[UBE_4_4, UBE_4_5],
            DormantAndOpen { .. } => &[PRACTICE_DORMANT],
            NumericIdUnknown => &[PRACTICE_NUMERIC_ID],
            PrivateDevice => &[NAGAREYAMA_DEVICES],
        }
    }
}

/// One finding about one account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The account's handle.
    pub account: String,
    /// Its line in the register.
    pub line: usize,
    /// How much it matters.
    pub severity: Severity,
    /// What falls short.
    pub shortfall: Shortfall,
    /// The clauses that ask for it.
    pub clauses: Vec<Clause>,
}

/// Every finding, account by account in register order, the worst first within an account.
/// Closed accounts are records only and are not judged.
pub fn assess(register: &Register, directory: &Directory, today: NaiveDate) -> Vec<Finding> {
    let mut out = Vec::new();
    let personnel_change = last_personnel_change(register.personnel_change, today);
    for account in &register.accounts {
        if account.status == AccountStatus::Closed {
            continue;
        }
        let mut found = shortfalls(account, register, directory, today, personnel_change);
        found.sort_by_key(Shortfall::severity);
        out.extend(found.into_iter().map(|shortfall| Finding {
            account: account.handle.clone(),
            line: account.line,
            severity: shortfall.severity(),
            clauses: shortfall.clauses().to_vec(),
            shortfall,
        }));
    }
    out
}

/// The last 人事異動 on or before `today`.
pub fn last_personnel_change((month, day): (u32, u32), today: NaiveDate) -> NaiveDate {
    let this_year = NaiveDate::from_ymd_opt(today.year(), month, day);
    match this_year {
        Some(d) if d <= today => d,
        _ => NaiveDate::from_ymd_opt(today.year() - 1, month, day).unwrap_or(today),
    }
}

fn shortfalls(
    account: &Account,
    register: &Register,
    directory: &Directory,
    today: NaiveDate,
    personnel_change: NaiveDate,
) -> Vec<Shortfall> {
    use Shortfall::*;
    let mut out = Vec::new();
    match account.administrators.as_slice() {
        [] => out.push(NoAdministrator),
        [one] => out.push(OneAdministrator {
            name: one.name.clone(),
        }),
        [_, _] => {}
        many => out.push(TooManyAdministrators { count: many.len() }),
    }
    for person in &account.administrators {
        let division = directory.divisions.iter().find(|d| d.id == person.division);
        let present =
            division.is_some_and(|d| d.staff.is_empty() || d.staff.contains(&person.name));
        if !present {
            out.push(AdministratorNotInDirectory {
                name: person.name.clone(),
                division: person.division.clone(),
            });
        }
    }
    match account.two_factor {
        None => out.push(TwoFactorUnknown),
        Some(TwoFactor::None) => out.push(NoTwoFactor),
        Some(TwoFactor::Sms) => out.push(TwoFactorBySms),
        Some(TwoFactor::App | TwoFactor::SecurityKey) => {}
    }
    if matches!(account.two_factor, Some(f) if f != TwoFactor::None)
        && account.recovery_codes_kept.is_none()
    {
        out.push(RecoveryCodesNotKept);
    }
    match &account.recovery_email {
        None => out.push(RecoveryMailUnknown),
        Some(address) => {
            let domain = address
                .rsplit_once('@')
                .map(|(_, d)| d.trim().to_lowercase())
                .unwrap_or_default();
            // A mail domain of the organisation's own (mail.city.example.jp is city.example.jp's).
            let own = register
                .domains
                .iter()
                .any(|d| domain == *d || domain.ends_with(&format!(".{d}")));
            if !own {
                out.push(RecoveryMailOutside {
                    address: address.clone(),
                });
            }
        }
    }
    if account.password_kept.is_none() {
        out.push(PasswordPlaceUnknown);
    }
    match &account.reviewed {
        None => out.push(NeverReviewed),
        Some(r) if r.on < personnel_change => out.push(NotReviewedSincePersonnelChange {
            reviewed: r.on,
            personnel_change,
        }),
        Some(_) => {}
    }
    let months = register.dormant_after_months;
    let quiet = account.last_post.is_some_and(|last| {
        today
            .checked_sub_months(Months::new(months))
            .is_some_and(|cut| last < cut)
    });
    let open = matches!(
        account.status,
        AccountStatus::Active | AccountStatus::Dormant
    );
    if open && (quiet || account.status == AccountStatus::Dormant) {
        out.push(DormantAndOpen {
            last_post: account.last_post,
            months,
        });
    }
    if account.numeric_id.is_none() {
        out.push(NumericIdUnknown);
    }
    if account.devices.contains(&Device::PrivateDevice) {
        out.push(PrivateDevice);
    }
    out
}

impl Severity {
    /// Its id, as JSON writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
        }
    }

    /// The word for it.
    pub fn words(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Severity::High, Lang::Ja) => "重大",
            (Severity::Medium, Lang::Ja) => "要対応",
            (Severity::Low, Lang::Ja) => "軽微",
            (Severity::High, Lang::En) => "high",
            (Severity::Medium, Lang::En) => "medium",
            (Severity::Low, Lang::En) => "low",
        }
    }
}

impl Shortfall {
    /// What falls short, in a sentence, and what to do.
    pub fn words(&self, lang: Lang) -> String {
        use Shortfall::*;
        match self {
            NoAdministrator => tr!(
                lang,
                "管理者が登録されていません。管理者を2名定めてください",
                "no administrator is registered: name two"
            ),
            OneAdministrator { name } => tr!(
                lang,
                "管理者が1名（{name}）だけです。不在や異動のときに誰も復旧できません。2名にしてください",
                "one administrator only ({name}): nobody can recover the account when they are away or move; name a second"
            ),
            TooManyAdministrators { count } => tr!(
                lang,
                "管理者が{count}名います。2名を除き編集者権限にしてください",
                "{count} administrators: keep two, make the others editors"
            ),
            AdministratorNotInDirectory { name, division } => tr!(
                lang,
                "管理者 {name}（{division}）が連絡先にいません（異動・退職の可能性）。管理者を見直し、一覧表を提出し直してください",
                "administrator {name} ({division}) is not in the directory (moved or left?): review the administrators and submit the register again"
            ),
            NoTwoFactor => tr!(
                lang,
                "二段階認証が設定されていません",
                "no two-factor authentication"
            ),
            TwoFactorUnknown => tr!(
                lang,
                "二段階認証の設定が一覧表にありません（two_factor）",
                "the register does not say whether two-factor authentication is on (two_factor)"
            ),
            TwoFactorBySms => tr!(
                lang,
                "二段階認証がSMSだけです。認証アプリ又はセキュリティキーにしてください",
                "two-factor authentication by SMS only: use an authenticator app or a security key"
            ),
            RecoveryCodesNotKept => tr!(
                lang,
                "リカバリーコードの保管場所が記録されていません（recovery_codes_kept）",
                "where the recovery codes are kept is not recorded (recovery_codes_kept)"
            ),
            RecoveryMailOutside { address } => tr!(
                lang,
                "復旧用メールアドレス {address} が組織のドメインではありません（個人のメールの可能性）。所管課のアドレスにしてください",
                "recovery address {address} is not on the organisation's own domains (a private address?): use the owning division's"
            ),
            RecoveryMailUnknown => tr!(
                lang,
                "復旧用メールアドレスが記録されていません（recovery_email）",
                "no recovery address is recorded (recovery_email)"
            ),
            PasswordPlaceUnknown => tr!(
                lang,
                "パスワードの保管場所が記録されていません（password_kept。パスワードそのものは書かない）",
                "where the password is kept is not recorded (password_kept; never the password itself)"
            ),
            NeverReviewed => tr!(
                lang,
                "管理者の見直しの記録がありません（reviewed）",
                "no review of the administrators is recorded (reviewed)"
            ),
            NotReviewedSincePersonnelChange {
                reviewed,
                personnel_change,
            } => tr!(
                lang,
                "{personnel_change} の人事異動の後に見直していません（最後の見直し {reviewed}）",
                "not reviewed since the personnel change of {personnel_change} (last review {reviewed})"
            ),
            DormantAndOpen {
                last_post: Some(last),
                months,
            } => tr!(
                lang,
                "{months}か月以上投稿がないまま開設されています（最後の投稿 {last}）。閉鎖するか、監視と管理を続けてください",
                "open with no post for over {months} months (last post {last}): close it, or keep watching and administering it"
            ),
            DormantAndOpen {
                last_post: None, ..
            } => tr!(
                lang,
                "休眠のまま開設されています。閉鎖するか、監視と管理を続けてください",
                "dormant and still open: close it, or keep watching and administering it"
            ),
            NumericIdUnknown => tr!(
                lang,
                "恒久的な数字のIDが記録されていません（numeric_id）",
                "the permanent numeric ID is not recorded (numeric_id)"
            ),
            PrivateDevice => tr!(
                lang,
                "私物の端末から投稿しています。組織が管理する端末にしてください",
                "posted from a private device: use the organisation's managed devices"
            ),
        }
    }
}

impl Clause {
    /// The clause as cited: `title clause「words」`, or practice with its reason.
    pub fn words(&self, lang: Lang) -> String {
        if self.source == "practice" {
            let why = self.words;
            return tr!(lang, "実務: {why}", "practice: {why}");
        }
        let (title, clause, words) = (self.title, self.clause, self.words);
        format!("{title} {clause}「{words}」")
    }
}

/// A division asked to review its accounts: after the last 人事異動 (or never reviewed, or an
/// administrator gone from the directory); told of each account and reason once per 人事異動.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewDue {
    /// The owning division.
    pub division: String,
    /// Its mail address.
    pub address: String,
    /// The 人事異動 the review follows (part of what makes the reminder once).
    pub personnel_change: NaiveDate,
    /// Each account to review, with everything that falls short of it.
    pub accounts: Vec<DueAccount>,
}

/// An account due for review, and everything that falls short of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DueAccount {
    /// Its platform (one handle on two platforms is two accounts).
    pub platform: Platform,
    /// Its handle.
    pub handle: String,
    /// Its findings.
    pub shortfalls: Vec<Shortfall>,
}

impl ReviewDue {
    /// What makes the reminder once: a key per account and reason it is due after this
    /// 人事異動. What falls due later in the year (a new account; an administrator who left
    /// after the account was reviewed) has a key no reminder carried, so its division hears
    /// of it then, not a year later; what it was told of is not told again.
    pub fn keys(&self) -> Vec<String> {
        self.accounts
            .iter()
            .flat_map(|a| {
                a.shortfalls.iter().filter_map(due_reason).map(|reason| {
                    format!(
                        "review|{}|{}|{}:{}|{reason}",
                        self.division,
                        self.personnel_change,
                        a.platform.as_str(),
                        a.handle
                    )
                })
            })
            .collect()
    }
}

/// Why a finding makes its account due for review, as a reminder's key says it; `None` for a
/// finding that does not (it goes in the letter all the same).
fn due_reason(shortfall: &Shortfall) -> Option<String> {
    match shortfall {
        Shortfall::NeverReviewed => Some("never-reviewed".into()),
        Shortfall::NotReviewedSincePersonnelChange { .. } => Some("not-reviewed".into()),
        Shortfall::AdministratorNotInDirectory { name, .. } => {
            Some(format!("administrator-gone:{name}"))
        }
        _ => None,
    }
}

/// The divisions whose accounts are due for review, from the findings: an account is due
/// when it was never reviewed, not since the last 人事異動, or an administrator has left
/// the directory; all its findings go with it, so the division sees what to fix.
pub fn reviews_due(
    register: &Register,
    directory: &Directory,
    findings: &[Finding],
    today: NaiveDate,
) -> Vec<ReviewDue> {
    let personnel_change = last_personnel_change(register.personnel_change, today);
    let mut out: Vec<ReviewDue> = Vec::new();
    for account in &register.accounts {
        let own: Vec<&Finding> = findings
            .iter()
            .filter(|f| f.account == account.handle && f.line == account.line)
            .collect();
        let due = own.iter().any(|f| due_reason(&f.shortfall).is_some());
        let Some(division) = directory
            .divisions
            .iter()
            .find(|d| d.id == account.division)
        else {
            continue;
        };
        if !due {
            continue;
        }
        let due = DueAccount {
            platform: account.platform,
            handle: account.handle.clone(),
            shortfalls: own.iter().map(|f| f.shortfall.clone()).collect(),
        };
        match out.iter_mut().find(|r| r.division == division.id) {
            Some(r) => r.accounts.push(due),
            None => out.push(ReviewDue {
                division: division.id.clone(),
                address: division.email.clone(),
                personnel_change,
                accounts: vec![due],
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_last_personnel_change_is_this_year_s_once_it_has_come() {
        assert_eq!(
            last_personnel_change((4, 1), day("2026-12-07")),
            day("2026-04-01")
        );
        assert_eq!(
            last_personnel_change((4, 1), day("2026-03-31")),
            day("2025-04-01")
        );
        assert_eq!(
            last_personnel_change((4, 1), day("2026-04-01")),
            day("2026-04-01")
        );
    }
}
