//! The one rule for what people type into hikeshi: which characters a name or a text may
//! hold, and how a refused value is shown back.
//!
//! A name (a title, an account, an operator, an approver, an evidence file name, a URL) is one
//! line: it goes into mail headers, file names and one-line displays. A text (a note, a
//! reason, a summary) may have line breaks and tabs. Neither may hold other control characters
//! (an escape sequence would drive the terminal that shows it) nor the invisible characters
//! that change how text around them reads: the bidirectional overrides and isolates (U+202E
//! in `000004-<U+202E>gnp.exe` makes it display as `000004-exe.png`) and the Unicode line and paragraph
//! separators (U+2028, U+2029), which break lines where no one sees a line break.

use std::borrow::Cow;

pub mod length;
pub mod unfinished;

/// Whether `c` changes the direction or the lines of the text around it without being seen:
/// bidirectional marks, embeddings, overrides and isolates, and the Unicode line and
/// paragraph separators.
fn invisible_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}'
            | '\u{200E}'
            | '\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2066}'..='\u{2069}'
            | '\u{2028}'
            | '\u{2029}'
    )
}

/// The first character a one-line name must not hold: any control character (line breaks
/// included) or an invisible one that changes how the text reads.
pub fn bad_in_name(name: &str) -> Option<char> {
    name.chars()
        .find(|c| c.is_control() || invisible_control(*c))
}

/// The first character a text must not hold: as for a name, except that line breaks and tabs
/// are allowed.
pub fn bad_in_text(text: &str) -> Option<char> {
    text.chars()
        .find(|c| (c.is_control() && !matches!(c, '\n' | '\r' | '\t')) || invisible_control(*c))
}

/// `value` as it may be shown back in a message: control and invisible characters written
/// as escapes (`\n`, `\u{202e}`), so a refused value can neither drive the terminal nor
/// disguise itself. Other text is shown as it is.
pub fn shown(value: &str) -> Cow<'_, str> {
    escaped(value, bad_in_name(value).is_some(), |c| {
        c.is_control() || invisible_control(c)
    })
}

/// A text of several lines (a parser's message quoting a file) as it may be shown: as
/// [`shown`], but its line breaks and tabs stay.
pub fn shown_text(value: &str) -> Cow<'_, str> {
    escaped(value, bad_in_text(value).is_some(), |c| {
        bad_in_text(c.encode_utf8(&mut [0; 4])).is_some()
    })
}

fn escaped(value: &str, any: bool, bad: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !any {
        return Cow::Borrowed(value);
    }
    let mut out = String::with_capacity(value.len() + 8);
    for c in value.chars() {
        if bad(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Whether `url` is a URL hikeshi records as evidence: `http://` or `https://`, a host, and
/// no white space, control or invisible characters.
pub fn is_web_url(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &url[8..]
    } else if lower.starts_with("http://") {
        &url[7..]
    } else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    // The host is what follows any `user@`; a port may follow it.
    let host = authority.rsplit('@').next().unwrap_or_default();
    let host = host.split(':').next().unwrap_or_default();
    !host.is_empty() && bad_in_name(url).is_none() && !url.chars().any(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_one_line_of_visible_text() {
        assert_eq!(bad_in_name("佐藤 花子"), None);
        assert_eq!(bad_in_name("a\nb"), Some('\n'));
        assert_eq!(bad_in_name("x\u{1b}]0;T\u{7}"), Some('\u{1b}'));
        assert_eq!(bad_in_name("000004-\u{202e}gnp.exe"), Some('\u{202e}'));
        assert_eq!(bad_in_name("a\u{2028}b"), Some('\u{2028}'));
    }

    #[test]
    fn texts_may_have_line_breaks_and_tabs_only() {
        assert_eq!(bad_in_text("一行目\r\n二行目\tタブ"), None);
        assert_eq!(bad_in_text("x\u{1b}[2J"), Some('\u{1b}'));
        assert_eq!(bad_in_text("a\u{2029}b"), Some('\u{2029}'));
    }

    #[test]
    fn refused_values_are_shown_escaped() {
        assert_eq!(shown("普通の名前"), "普通の名前");
        assert_eq!(shown("x\u{1b}]0;T\u{7}"), "x\\u{1b}]0;T\\u{7}");
        assert_eq!(shown("a\r\nb"), "a\\r\\nb");
        assert_eq!(shown("\u{202e}gnp"), "\\u{202e}gnp");
        assert_eq!(
            shown_text("line 1\nfrom = \"a\u{1b}b\""),
            "line 1\nfrom = \"a\\u{1b}b\""
        );
    }

    #[test]
    fn web_urls_need_a_scheme_a_host_and_no_odd_characters() {
        assert!(is_web_url("https://x.com/city_official/status/1"));
        assert!(is_web_url("HTTP://example.jp:8080/a?b#c"));
        assert!(!is_web_url("https://"));
        assert!(!is_web_url("https:///path"));
        assert!(!is_web_url("javascript:alert(1)"));
        assert!(!is_web_url("file:///etc/passwd"));
        assert!(!is_web_url("https://a.example/\u{1b}[2J"));
        assert!(!is_web_url("https://a.example/ b"));
        assert!(!is_web_url("https://a.example/\u{202e}"));
    }
}
