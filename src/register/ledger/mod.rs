//! The register as filed (ソーシャルメディア アカウント管理者一覧表, 宇部市ガイドライン4(5)): as
//! an Excel sheet, one row per account with the 決裁欄 above it, which is also the template
//! the city fills in and [`import`] reads back into `accounts.yaml`; the Word file is the
//! report's (`report::ledger_docx`), from the same columns and words.
//!
//! Nothing here ever holds a secret: the columns say where a password and the recovery
//! codes are kept, and a sheet with a column for the password itself is refused.

mod error;
pub mod import;
mod xlsx;

pub use error::LedgerError;
pub use xlsx::{Heading, SHEET, to_xlsx};

use chrono::NaiveDate;

use super::{Account, AccountStatus, Device, Person, TwoFactor};
use crate::lang::{Lang, Text};
use crate::tr;

/// The title of the 一覧表.
pub const TITLE: Text = Text::new(
    "ソーシャルメディア アカウント管理者一覧表",
    "Social media account register",
);

/// A column of the 一覧表 (the sheet has one per field; import reads them back).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    /// The platform.
    Platform,
    /// The user name, or the page's URL.
    Handle,
    /// The permanent numeric ID.
    NumericId,
    /// The account's address.
    Url,
    /// The owning division.
    Division,
    /// Administrators, one a line as `氏名（所属課）`.
    Administrators,
    /// Editors, the same way.
    Editors,
    /// Two-factor authentication.
    TwoFactor,
    /// Where the recovery codes are kept.
    RecoveryCodesKept,
    /// Where the password is kept.
    PasswordKept,
    /// The recovery mail address.
    RecoveryEmail,
    /// The recovery phone.
    RecoveryPhone,
    /// Linked apps, one a line.
    LinkedApps,
    /// What the account is posted from, one a line.
    Devices,
    /// Active, dormant, closing, closed.
    Status,
    /// The day of the last review.
    ReviewedOn,
    /// Who reviewed.
    ReviewedBy,
    /// The day of the last post.
    LastPost,
}

impl Field {
    /// Every column, in the order the sheet has them.
    pub const ALL: [Field; 18] = [
        Field::Platform,
        Field::Handle,
        Field::NumericId,
        Field::Url,
        Field::Division,
        Field::Administrators,
        Field::Editors,
        Field::TwoFactor,
        Field::RecoveryCodesKept,
        Field::PasswordKept,
        Field::RecoveryEmail,
        Field::RecoveryPhone,
        Field::LinkedApps,
        Field::Devices,
        Field::Status,
        Field::ReviewedOn,
        Field::ReviewedBy,
        Field::LastPost,
    ];

    /// The header the sheet writes in `lang`.
    pub fn header(self, lang: Lang) -> &'static str {
        let (ja, en) = match self {
            Field::Platform => ("媒体", "Platform"),
            Field::Handle => ("アカウント", "Account"),
            Field::NumericId => ("数値ID", "Numeric ID"),
            Field::Url => ("URL", "URL"),
            Field::Division => ("所管課", "Owning division"),
            Field::Administrators => ("管理者", "Administrators"),
            Field::Editors => ("編集者", "Editors"),
            Field::TwoFactor => ("二段階認証", "Two-factor"),
            Field::RecoveryCodesKept => ("リカバリーコードの保管場所", "Recovery codes kept"),
            Field::PasswordKept => ("パスワードの保管場所", "Password kept"),
            Field::RecoveryEmail => ("復旧用メールアドレス", "Recovery email"),
            Field::RecoveryPhone => ("復旧用電話", "Recovery phone"),
            Field::LinkedApps => ("連携アプリ", "Linked apps"),
            Field::Devices => ("利用端末", "Devices"),
            Field::Status => ("状態", "Status"),
            Field::ReviewedOn => ("最終確認日", "Reviewed on"),
            Field::ReviewedBy => ("最終確認者", "Reviewed by"),
            Field::LastPost => ("最終投稿日", "Last post"),
        };
        if lang == Lang::En { en } else { ja }
    }

    /// The header names the import accepts, Japanese and English. Matching ignores case,
    /// full- or half-width letters, spaces, `・`, `_`, `-` and anything in parentheses.
    pub fn names(self) -> &'static [&'static str] {
        match self {
            Field::Platform => &[
                "媒体",
                "SNS",
                "ソーシャルメディア",
                "サービス",
                "プラットフォーム",
                "platform",
                "service",
            ],
            Field::Handle => &[
                "アカウント",
                "アカウント名",
                "ユーザー名",
                "ユーザーID",
                "利用者ID",
                "account",
                "handle",
                "user name",
            ],
            Field::NumericId => &[
                "数値ID",
                "数字ID",
                "固有ID",
                "numeric ID",
                "numeric_id",
                "user ID",
            ],
            Field::Url => &["URL", "ページ", "address", "page"],
            Field::Division => &[
                "所管課",
                "所管",
                "所管部署",
                "担当課",
                "owning division",
                "division",
                "owner",
            ],
            Field::Administrators => &[
                "管理者",
                "アカウント管理者",
                "ユーザーアカウント管理者",
                "administrators",
                "administrator",
                "admins",
            ],
            Field::Editors => &["編集者", "編集権限", "投稿者", "editors", "editor"],
            Field::TwoFactor => &[
                "二段階認証",
                "2段階認証",
                "二要素認証",
                "多要素認証",
                "2FA",
                "MFA",
                "two-factor",
                "two_factor",
                "two-factor authentication",
            ],
            Field::RecoveryCodesKept => &[
                "リカバリーコードの保管場所",
                "リカバリーコード保管場所",
                "バックアップコードの保管場所",
                "recovery codes kept",
                "recovery_codes_kept",
            ],
            Field::PasswordKept => &[
                "パスワードの保管場所",
                "パスワード保管場所",
                "password kept",
                "password_kept",
            ],
            Field::RecoveryEmail => &[
                "復旧用メールアドレス",
                "復旧用メール",
                "登録メールアドレス",
                "メールアドレス",
                "recovery email",
                "recovery_email",
                "email",
            ],
            Field::RecoveryPhone => &[
                "復旧用電話",
                "復旧用電話番号",
                "登録電話番号",
                "電話番号",
                "recovery phone",
                "recovery_phone",
                "phone",
            ],
            Field::LinkedApps => &[
                "連携アプリ",
                "連携アプリケーション",
                "外部連携",
                "linked apps",
                "linked_apps",
            ],
            Field::Devices => &["利用端末", "利用媒体", "使用端末", "端末", "devices"],
            Field::Status => &["状態", "ステータス", "運用状況", "status"],
            Field::ReviewedOn => &[
                "最終確認日",
                "確認日",
                "見直し日",
                "最終見直し日",
                "reviewed on",
                "reviewed_on",
                "last reviewed",
            ],
            Field::ReviewedBy => &[
                "最終確認者",
                "確認者",
                "見直した人",
                "reviewed by",
                "reviewed_by",
            ],
            Field::LastPost => &["最終投稿日", "最終投稿", "last post", "last_post"],
        }
    }

    /// Whether the cell holds several values, one a line.
    pub fn is_list(self) -> bool {
        matches!(
            self,
            Field::Administrators | Field::Editors | Field::LinkedApps | Field::Devices
        )
    }

    /// The column for a header cell, if it names one.
    pub fn from_header(header: &str) -> Option<Field> {
        let key = crate::directory::import::header_key(header);
        if key.is_empty() {
            return None;
        }
        Field::ALL.into_iter().find(|f| {
            f.names()
                .iter()
                .any(|n| crate::directory::import::header_key(n) == key)
        })
    }

    /// One account's value of this column, as the sheet shows it in `lang`.
    pub fn value(self, account: &Account, lang: Lang) -> String {
        let lines = |list: &[String]| list.join("\n");
        match self {
            Field::Platform => account.platform.display_name().to_string(),
            Field::Handle => account.handle.clone(),
            Field::NumericId => account.numeric_id.clone().unwrap_or_default(),
            Field::Url => account.url.clone().unwrap_or_default(),
            Field::Division => account.division.clone(),
            Field::Administrators => people(&account.administrators),
            Field::Editors => people(&account.editors),
            Field::TwoFactor => account
                .two_factor
                .map(|t| two_factor_words(t, lang).to_string())
                .unwrap_or_default(),
            Field::RecoveryCodesKept => account.recovery_codes_kept.clone().unwrap_or_default(),
            Field::PasswordKept => account.password_kept.clone().unwrap_or_default(),
            Field::RecoveryEmail => account.recovery_email.clone().unwrap_or_default(),
            Field::RecoveryPhone => account.recovery_phone.clone().unwrap_or_default(),
            Field::LinkedApps => lines(&account.linked_apps),
            Field::Devices => account
                .devices
                .iter()
                .map(|d| device_words(*d, lang))
                .collect::<Vec<_>>()
                .join("\n"),
            Field::Status => status_words(account.status, lang).to_string(),
            Field::ReviewedOn => account
                .reviewed
                .as_ref()
                .map(|r| r.on.to_string())
                .unwrap_or_default(),
            Field::ReviewedBy => account
                .reviewed
                .as_ref()
                .map(|r| r.by.clone())
                .unwrap_or_default(),
            Field::LastPost => account.last_post.map(|d| d.to_string()).unwrap_or_default(),
        }
    }
}

/// People one a line, as `氏名（所属課）`.
pub fn people(list: &[Person]) -> String {
    list.iter()
        .map(|p| format!("{}（{}）", p.name, p.division))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The words for a two-factor method.
pub fn two_factor_words(t: TwoFactor, lang: Lang) -> &'static str {
    match (t, lang) {
        (TwoFactor::None, Lang::En) => "none",
        (TwoFactor::None, _) => "なし",
        (TwoFactor::Sms, _) => "SMS",
        (TwoFactor::App, Lang::En) => "authenticator app",
        (TwoFactor::App, _) => "認証アプリ",
        (TwoFactor::SecurityKey, Lang::En) => "security key",
        (TwoFactor::SecurityKey, _) => "セキュリティキー",
    }
}

/// The words for a status.
pub fn status_words(s: AccountStatus, lang: Lang) -> &'static str {
    match (s, lang) {
        (AccountStatus::Active, Lang::En) => "active",
        (AccountStatus::Active, _) => "運用中",
        (AccountStatus::Dormant, Lang::En) => "dormant",
        (AccountStatus::Dormant, _) => "休眠",
        (AccountStatus::Closing, Lang::En) => "closing",
        (AccountStatus::Closing, _) => "閉鎖手続中",
        (AccountStatus::Closed, Lang::En) => "closed",
        (AccountStatus::Closed, _) => "閉鎖済み",
    }
}

/// The words for a device.
pub fn device_words(d: Device, lang: Lang) -> &'static str {
    match (d, lang) {
        (Device::CityTerminal, Lang::En) => "city terminal",
        (Device::CityTerminal, _) => "庁内端末",
        (Device::CityMobile, Lang::En) => "city mobile",
        (Device::CityMobile, _) => "公用携帯端末",
        (Device::PrivateDevice, Lang::En) => "private device",
        (Device::PrivateDevice, _) => "私物端末",
    }
}

/// Whether `text` (as a header key) names one of `words` in either language or as the
/// YAML id.
fn word_of<T: Copy>(
    text: &str,
    all: &[T],
    words: impl Fn(T, Lang) -> &'static str,
    ids: &[&str],
    extra: &[(&str, T)],
) -> Option<T> {
    let key = crate::directory::import::header_key(text);
    let same = |w: &str| crate::directory::import::header_key(w) == key;
    all.iter()
        .zip(ids)
        .find(|(t, id)| same(words(**t, Lang::Ja)) || same(words(**t, Lang::En)) || same(id))
        .map(|(t, _)| *t)
        .or_else(|| extra.iter().find(|(w, _)| same(w)).map(|(_, t)| *t))
}

/// A two-factor method as written in the sheet.
pub fn parse_two_factor(text: &str) -> Option<TwoFactor> {
    use TwoFactor::*;
    word_of(
        text,
        &[None, Sms, App, SecurityKey],
        two_factor_words,
        &["none", "sms", "app", "security_key"],
        &[
            ("無", None),
            ("未設定", None),
            ("ショートメッセージ", Sms),
            ("アプリ", App),
            ("認証アプリ（TOTP）", App),
            ("TOTP", App),
            ("パスキー", SecurityKey),
            ("passkey", SecurityKey),
            ("セキュリティーキー", SecurityKey),
        ],
    )
}

/// A status as written in the sheet.
pub fn parse_status(text: &str) -> Option<AccountStatus> {
    use AccountStatus::*;
    word_of(
        text,
        &[Active, Dormant, Closing, Closed],
        status_words,
        &["active", "dormant", "closing", "closed"],
        &[
            ("運用", Active),
            ("稼働中", Active),
            ("公開中", Active),
            ("休止", Dormant),
            ("休止中", Dormant),
            ("閉鎖予定", Closing),
            ("閉鎖中", Closing),
            ("閉鎖", Closed),
            ("廃止", Closed),
        ],
    )
}

/// A device as written in the sheet.
pub fn parse_device(text: &str) -> Option<Device> {
    use Device::*;
    word_of(
        text,
        &[CityTerminal, CityMobile, PrivateDevice],
        device_words,
        &["city_terminal", "city_mobile", "private_device"],
        &[
            ("庁内パソコン", CityTerminal),
            ("庁内PC", CityTerminal),
            ("公用端末", CityTerminal),
            ("公用携帯", CityMobile),
            ("公用スマートフォン", CityMobile),
            ("業務用携帯", CityMobile),
            ("私物", PrivateDevice),
            ("私用端末", PrivateDevice),
        ],
    )
}

/// A day as a sheet may hold it: `2026-04-10`, `2026/4/10`, `2026.4.10`, `2026年4月10日`, or
/// a date cell with a time of midnight.
pub fn parse_day(text: &str) -> Option<NaiveDate> {
    let t: String = text
        .trim()
        .chars()
        .map(crate::directory::import::half_width)
        .collect();
    let t = t.strip_suffix(" 00:00").unwrap_or(&t);
    let t = t.strip_suffix('日').unwrap_or(t);
    let t = t.replace(['年', '月', '/', '.'], "-");
    let mut parts = t.split('-').map(str::trim);
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// A day as the documents print it.
pub fn day_words(day: NaiveDate, lang: Lang) -> String {
    use chrono::Datelike as _;
    let (y, m, d) = (day.year(), day.month(), day.day());
    tr!(lang, "{y}年{m}月{d}日", "{day}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_words_written_are_read_back_in_either_language() {
        for t in [
            TwoFactor::None,
            TwoFactor::Sms,
            TwoFactor::App,
            TwoFactor::SecurityKey,
        ] {
            for lang in [Lang::Ja, Lang::En] {
                assert_eq!(parse_two_factor(two_factor_words(t, lang)), Some(t));
            }
        }
        for s in [
            AccountStatus::Active,
            AccountStatus::Dormant,
            AccountStatus::Closing,
            AccountStatus::Closed,
        ] {
            for lang in [Lang::Ja, Lang::En] {
                assert_eq!(parse_status(status_words(s, lang)), Some(s));
            }
        }
        for d in [
            Device::CityTerminal,
            Device::CityMobile,
            Device::PrivateDevice,
        ] {
            for lang in [Lang::Ja, Lang::En] {
                assert_eq!(parse_device(device_words(d, lang)), Some(d));
            }
        }
        assert_eq!(
            parse_two_factor("security_key"),
            Some(TwoFactor::SecurityKey)
        );
        assert_eq!(parse_status("たぶん"), None);
    }

    #[test]
    fn days_are_read_as_sheets_write_them() {
        let day = NaiveDate::from_ymd_opt(2026, 4, 10);
        for text in [
            "2026-04-10",
            "2026/4/10",
            "２０２６年４月１０日",
            "2026.04.10",
            "2026-04-10 00:00",
        ] {
            assert_eq!(parse_day(text), day, "{text}");
        }
        assert_eq!(parse_day("2026-02-30"), None);
        assert_eq!(parse_day("令和8年4月10日"), None);
    }

    #[test]
    fn every_header_written_is_read_back_and_no_two_columns_share_a_name() {
        for f in Field::ALL {
            for lang in [Lang::Ja, Lang::En] {
                assert_eq!(Field::from_header(f.header(lang)), Some(f), "{f:?}");
            }
            for n in f.names() {
                assert_eq!(Field::from_header(n), Some(f), "{n}");
            }
        }
    }
}
