//! A first register made from the directory: every official account its divisions list under
//! `accounts:`, with its owner, and everything else left for the division to fill in. Checked
//! as it is, it lists what is missing account by account.

use std::fmt::Write as _;

use chrono::NaiveDate;

use crate::directory::{Directory, DivisionKind, account_key};
use crate::playbook::Platform;

/// The platform an account's address names, if it names one.
fn platform_of(account: &str) -> Option<Platform> {
    let a = account.to_lowercase();
    let host = a.split("://").nth(1)?.split('/').next()?;
    let host = host.trim_start_matches("www.").trim_start_matches("m.");
    Some(match host {
        "x.com" | "twitter.com" => Platform::X,
        "instagram.com" => Platform::Instagram,
        "facebook.com" | "fb.com" => Platform::Facebook,
        "youtube.com" | "youtu.be" => Platform::Youtube,
        "tiktok.com" => Platform::Tiktok,
        "threads.net" | "threads.com" => Platform::Threads,
        h if h == "line.me" || h.ends_with(".line.me") => Platform::Line,
        _ => return None,
    })
}

/// The YAML of a first register for `directory`, dated `today`.
pub fn skeleton(directory: &Directory, today: NaiveDate) -> String {
    let mut out = String::new();
    let organization = &directory.organization;
    let _ = writeln!(
        out,
        "# yaml-language-server: $schema=../docs/accounts.schema.json\n\
         # {organization} ソーシャルメディア アカウント管理者一覧表（宇部市ガイドライン4(5)）。\n\
         # {today} に連絡先（divisions.yaml）の公式アカウントから作成した。各課が空欄を埋め、\n\
         # `hikeshi register check` で点検する（docs/register.md）。パスワードそのものは書かない。\n\
         personnel_change: \"04-01\"\n\
         dormant_after_months: 6"
    );
    let mut entries = String::new();
    // One entry per account: the same account may be listed by its name and its address.
    let mut seen: Vec<String> = Vec::new();
    for division in directory
        .divisions
        .iter()
        .filter(|d| d.kind != DivisionKind::External)
    {
        for account in &division.accounts {
            let key = account_key(account);
            if seen.contains(&key) {
                continue;
            }
            seen.push(key.clone());
            let same: Vec<&String> = division
                .accounts
                .iter()
                .filter(|a| account_key(a) == key)
                .collect();
            let handle = same.iter().find(|a| a.starts_with('@')).unwrap_or(&account);
            let url = same.iter().find(|a| a.contains("://"));
            let platform = same.iter().find_map(|a| platform_of(a));
            let _ = writeln!(entries, "  - handle: {}", quoted(handle));
            match platform {
                Some(p) => {
                    let _ = writeln!(entries, "    platform: {}", p.as_str());
                }
                None => {
                    let _ = writeln!(
                        entries,
                        "    platform: x   # 要確認: ユーザー名だけでは媒体が分からない（x, instagram, facebook, line, youtube, tiktok, threads）"
                    );
                }
            }
            if let Some(url) = url {
                let _ = writeln!(entries, "    url: {}", quoted(url));
            }
            let _ = writeln!(entries, "    division: {}", quoted(&division.id));
            let _ = writeln!(
                entries,
                "    administrators: []   # 原則2名: - {{name: 氏名, division: 所属課}}\n\
                 \x20   # numeric_id: \"\"          # 恒久的な数字のID\n\
                 \x20   # two_factor: app          # none | sms | app | security_key\n\
                 \x20   # recovery_codes_kept: 保管場所\n\
                 \x20   # recovery_email: 所管課のアドレス\n\
                 \x20   # password_kept: 保管場所（パスワードそのものは書かない）\n\
                 \x20   # devices: [city_terminal]\n\
                 \x20   # reviewed: {{on: \"YYYY-MM-DD\", by: 見直した人}}\n\
                 \x20   # last_post: \"YYYY-MM-DD\""
            );
        }
    }
    if entries.is_empty() {
        out.push_str("accounts: []   # 連絡先の accounts: に公式アカウントがありません\n");
    } else {
        out.push_str("accounts:\n");
        out.push_str(&entries);
    }
    out
}

/// A YAML double-quoted scalar.
pub(super) fn quoted(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| format!("\"{text}\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_names_its_platform_and_a_bare_name_does_not() {
        assert_eq!(
            platform_of("https://www.instagram.com/city_event"),
            Some(Platform::Instagram)
        );
        assert_eq!(platform_of("https://x.com/city"), Some(Platform::X));
        assert_eq!(
            platform_of("https://page.line.me/abc"),
            Some(Platform::Line)
        );
        assert_eq!(platform_of("@city"), None);
        assert_eq!(platform_of("https://example.jp/x.com"), None);
    }
}
