//! A post's length as its platform counts it, and the platform's limit. X counts by weight
//! (twitter-text's configuration v3: characters in a few Latin and punctuation ranges weigh 1,
//! every other character, CJK included, weighs 2; a URL weighs 23 whatever its length; the text
//! is counted in its NFC form) against 280. The other platforms count characters.
//!
//! Where this differs from X it counts more, never less: an emoji sequence joined by U+200D
//! counts each part (X counts the sequence as 2), and a bare domain without `http(s)://`
//! counts by its characters (X may count it as a URL).

use std::sync::LazyLock;

use regex::Regex;
use unicode_normalization::UnicodeNormalization as _;

use crate::playbook::Platform;

/// How a platform counts a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// X's weighted count (a CJK character counts 2, a URL 23).
    Weighted,
    /// Characters (Unicode scalar values of the NFC form).
    Characters,
}

/// The most a post on a platform may hold, and how it is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// The most.
    pub max: usize,
    /// How it is counted.
    pub unit: Unit,
}

/// The limit of a post on `platform` as an organisation's account writes it (the platforms'
/// published limits: X 280 weighted; LINE公式アカウント's text message 500; Threads 500;
/// Instagram's caption 2,200; TikTok's caption 4,000; Facebook 63,206). YouTube's community
/// post has no published limit: none.
pub fn limit(platform: Platform) -> Option<Limit> {
    let characters = |max| {
        Some(Limit {
            max,
            unit: Unit::Characters,
        })
    };
    match platform {
        Platform::X => Some(Limit {
            max: 280,
            unit: Unit::Weighted,
        }),
        Platform::Line | Platform::Threads => characters(500),
        Platform::Instagram => characters(2_200),
        Platform::Tiktok => characters(4_000),
        Platform::Facebook => characters(63_206),
        Platform::Youtube => None,
    }
}

/// What X counts a URL as, whatever its length.
pub const URL_WEIGHT: usize = 23;

/// A URL as X finds one in text: `http://` or `https://` and the characters a URL may hold
/// (a Japanese full stop or bracket after it ends it).
static URL: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(?i)https?://[A-Za-z0-9\-._~:/?#\[\]@!$&'*+,;=%]+").ok());

/// Whether X weighs `c` as 1 (twitter-text v3's ranges), not 2.
fn light(c: char) -> bool {
    matches!(u32::from(c), 0..=4351 | 8192..=8205 | 8208..=8223 | 8242..=8247)
}

/// `text`'s length on `unit`'s terms.
pub fn count(text: &str, unit: Unit) -> usize {
    let text: String = text.nfc().collect();
    match unit {
        Unit::Characters => text.chars().count(),
        Unit::Weighted => {
            let weigh = |s: &str| {
                s.chars()
                    .map(|c| if light(c) { 1 } else { 2 })
                    .sum::<usize>()
            };
            let Some(url) = URL.as_ref() else {
                return weigh(&text);
            };
            let mut total = 0;
            let mut last = 0;
            for found in url.find_iter(&text) {
                total += weigh(&text[last..found.start()]) + URL_WEIGHT;
                last = found.end();
            }
            total + weigh(&text[last..])
        }
    }
}

/// How far a post on `platform` is over its limit: the count and the limit, if over.
pub fn over(text: &str, platform: Platform) -> Option<(usize, Limit)> {
    let limit = limit(platform)?;
    let n = count(text, limit.unit);
    (n > limit.max).then_some((n, limit))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn x_counts_cjk_twice_latin_once_and_a_url_as_23() {
        assert_eq!(count("abc", Unit::Weighted), 3);
        assert_eq!(count("お知らせ", Unit::Weighted), 8);
        assert_eq!(count("「市」、。", Unit::Weighted), 10);
        // U+2014 (em dash) and U+2019 weigh 1; the full-width colon weighs 2.
        assert_eq!(count("—’：", Unit::Weighted), 4);
        let url = "https://www.city.example.jp/kurashi/bosai/2026/12/shelter-open-notice.html";
        assert!(url.len() > 23);
        assert_eq!(count(url, Unit::Weighted), 23);
        assert_eq!(count(&format!("詳細：{url}。"), Unit::Weighted), 6 + 23 + 2);
        // Counted in NFC: a decomposed が (か + U+3099) is one character.
        assert_eq!(count("か\u{3099}", Unit::Weighted), 2);
        assert_eq!(count("か\u{3099}", Unit::Characters), 1);
    }

    #[test]
    fn a_post_is_over_the_limit_only_past_it() {
        let full = "あ".repeat(140);
        assert_eq!(over(&full, Platform::X), None);
        let (n, limit) = over(&format!("{full}a"), Platform::X).unwrap();
        assert_eq!((n, limit.max), (281, 280));
        assert_eq!(over(&"あ".repeat(500), Platform::Line), None);
        assert!(over(&"あ".repeat(501), Platform::Line).is_some());
        assert_eq!(over(&"あ".repeat(100_000), Platform::Youtube), None);
    }
}
