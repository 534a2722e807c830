//! Reply codes: a short unguessable code per message, in its subject, so that a reply can be
//! matched to the message it answers (and a guessed or copied code from elsewhere cannot).

use mail_parser::MessageParser;

use crate::incident::IncidentState;
use crate::incident::event::{Reply, Verdict};
use crate::notify::NotifyError;

/// Crockford's base 32: no I, L, O or U, so a code read aloud or retyped is not misread.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Eight characters of base 32: 40 random bits.
const LEN: usize = 8;
/// What every code starts with, inside its brackets.
pub const PREFIX: &str = "HK-";

/// A new code (`HK-` and 8 characters, 40 bits from the operating system's random source).
pub fn new_code() -> Result<String, NotifyError> {
    let mut bytes = [0u8; 5];
    getrandom::fill(&mut bytes).map_err(|e| NotifyError::Compose(format!("random: {e}")))?;
    let mut bits = bytes.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
    let mut out = [0u8; LEN];
    for slot in out.iter_mut().rev() {
        *slot = ALPHABET[(bits & 31) as usize];
        bits >>= 5;
    }
    Ok(format!("{PREFIX}{}", String::from_utf8_lossy(&out)))
}

/// The subject with its code: `件名 [HK-7H3K9Q2M]`.
pub fn tag_subject(subject: &str, code: &str) -> String {
    format!("{subject} [{code}]")
}

/// Every well-formed code found in `text` (a reply's subject), in order.
pub fn codes_in(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(PREFIX) {
        let tail = &rest[at + PREFIX.len()..];
        let code: String = tail.chars().take(LEN).collect();
        if code.len() == LEN
            && code
                .bytes()
                .all(|b| ALPHABET.contains(&b.to_ascii_uppercase()))
            && !tail[LEN..].starts_with(|c: char| c.is_ascii_alphanumeric())
        {
            found.push(format!("{PREFIX}{}", code.to_ascii_uppercase()));
        }
        rest = tail;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_forty_bits_of_base_32_and_differ() {
        let a = new_code().unwrap_or_default();
        let b = new_code().unwrap_or_default();
        assert_eq!(a.len(), PREFIX.len() + LEN);
        assert!(a.starts_with(PREFIX));
        assert_ne!(a, b);
        assert_eq!(codes_in(&tag_subject("Re: 【第一報】件名", &a)), vec![a]);
    }

    #[test]
    fn codes_are_found_only_whole() {
        assert_eq!(codes_in("Re: x [HK-7H3K9Q2M]"), vec!["HK-7H3K9Q2M"]);
        assert_eq!(codes_in("RE: [hk-7h3k9q2m]"), Vec::<String>::new()); // prefix is case-sensitive
        assert_eq!(codes_in("[HK-7H3K9Q2]"), Vec::<String>::new());
        assert_eq!(codes_in("[HK-7H3K9Q2MX]"), Vec::<String>::new());
        assert_eq!(codes_in("[HK-7H3K9Q2I]"), Vec::<String>::new());
    }
}

/// The largest reply read (bytes): anything bigger is refused unread.
pub const MAX_REPLY_BYTES: u32 = 256 * 1024;

/// Why a mail in the mailbox does not count as a reply to this incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unmatched {
    /// Bigger than [`MAX_REPLY_BYTES`].
    TooLarge(u32),
    /// Not a mail message that can be read (no sender or no Message-ID).
    Malformed,
    /// No reply code of this incident in its subject (another incident's, or none).
    NoCode,
    /// It does not thread to the message its code belongs to.
    NotThreaded(u32),
    /// It comes from an address other than the one the message went to.
    WrongSender(u32, String),
    /// Its first line says none of the words that count.
    Unclear(u32, String),
}

impl Unmatched {
    /// In words, for the listing.
    pub fn message(&self, lang: crate::Lang) -> String {
        match self {
            Unmatched::TooLarge(bytes) => crate::tr!(
                lang,
                "大きすぎるため読みません（{bytes} バイト）",
                "too large, not read ({bytes} bytes)"
            ),
            Unmatched::Malformed => crate::tr!(
                lang,
                "メールとして読めません（差出人か Message-ID がない）",
                "not a readable mail (no sender or Message-ID)"
            ),
            Unmatched::NoCode => crate::tr!(
                lang,
                "この事案の返信コードがありません",
                "no reply code of this incident"
            ),
            Unmatched::NotThreaded(n) => crate::tr!(
                lang,
                "通知 #{n} への返信になっていません（In-Reply-To/References）",
                "does not answer message #{n} (In-Reply-To/References)"
            ),
            Unmatched::WrongSender(n, from) => crate::tr!(
                lang,
                "差出人 {from} は通知 #{n} の宛先ではありません",
                "{from} is not the address message #{n} went to"
            ),
            Unmatched::Unclear(n, line) => crate::tr!(
                lang,
                "通知 #{n} への返信ですが、1 行目「{line}」は確認・承認・却下のどれでもありません",
                "answers message #{n}, but its first line \"{line}\" is no acknowledgement, approval or rejection"
            ),
        }
    }
}

/// A reply matched to one of the incident's messages, ready to be recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matched {
    /// The message it answers.
    pub message: u32,
    /// The reply as it will be journalled (`file` still to be set by the caller).
    pub reply: Reply,
}

/// Matches raw mail against the incident's messages: the code in its subject, its thread,
/// its sender, then its first unquoted line. Nothing is written.
pub fn match_reply(state: &IncidentState, raw: &[u8]) -> Result<Matched, Unmatched> {
    let size = u32::try_from(raw.len()).unwrap_or(u32::MAX);
    if size > MAX_REPLY_BYTES {
        return Err(Unmatched::TooLarge(size));
    }
    let mail = MessageParser::default()
        .parse(raw)
        .ok_or(Unmatched::Malformed)?;
    let reply_id = mail.message_id().ok_or(Unmatched::Malformed)?.to_string();
    let from = mail
        .from()
        .and_then(|f| f.first())
        .ok_or(Unmatched::Malformed)?;
    let address = from.address().ok_or(Unmatched::Malformed)?.to_string();
    let codes = codes_in(mail.subject().unwrap_or_default());
    let record = state
        .messages
        .iter()
        .find(|m| {
            m.letter
                .reply_code
                .as_ref()
                .is_some_and(|c| codes.contains(c))
        })
        .ok_or(Unmatched::NoCode)?;
    let number = record.number;
    let threads = [mail.in_reply_to(), mail.references()]
        .iter()
        .filter_map(|h| h.as_text_list())
        .flatten()
        .any(|id| id.trim_matches(['<', '>', ' ']) == record.letter.message_id);
    if !threads {
        return Err(Unmatched::NotThreaded(number));
    }
    if !address.eq_ignore_ascii_case(&record.letter.address) {
        return Err(Unmatched::WrongSender(number, clean(&address)));
    }
    let body = mail.body_text(0).unwrap_or_default();
    let line = first_line(&body);
    let (verdict, reason) =
        verdict(&line).ok_or_else(|| Unmatched::Unclear(number, clean(&line)))?;
    let name = from
        .name()
        .map(clean)
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| record.letter.to.clone());
    Ok(Matched {
        message: number,
        reply: Reply {
            from: address,
            name,
            reply_id,
            file: String::new(),
            sha256: crate::journal::sha256_hex(raw),
            verdict,
            reason,
        },
    })
}

/// A stranger's text made safe to show and record: no control or text-direction characters,
/// at most 200 characters.
fn clean(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control() && !matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'))
        .take(200)
        .collect::<String>()
        .trim()
        .to_string()
}

/// The first line that is neither empty nor quoted (`>`).
fn first_line(body: &str) -> String {
    body.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('>') && !l.starts_with('＞'))
        .unwrap_or_default()
        .to_string()
}

/// The words that count, in the order they are tried.
const WORDS: [(&str, Verdict); 8] = [
    ("確認しました", Verdict::Acknowledged),
    ("了解", Verdict::Acknowledged),
    ("受領", Verdict::Acknowledged),
    ("承認", Verdict::Approved),
    ("了承", Verdict::Approved),
    ("OK", Verdict::Approved),
    ("却下", Verdict::Rejected),
    ("不可", Verdict::Rejected),
];

/// What a first line says: the verdict and, for a rejection, its reason (required).
pub fn verdict(line: &str) -> Option<(Verdict, Option<String>)> {
    let (rest, verdict) = WORDS.iter().find_map(|(word, v)| {
        let head = line.get(..word.len())?;
        head.eq_ignore_ascii_case(word)
            .then(|| (&line[word.len()..], *v))
    })?;
    // "OK" must be a word of its own ("OKAY…", "OKINAWA" are not approvals).
    if verdict == Verdict::Approved && rest.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return None;
    }
    let reason = clean(rest.trim_start_matches([' ', '　', ':', '：', '、', '。', ',', '.', '-']));
    match verdict {
        Verdict::Rejected if reason.is_empty() => None,
        Verdict::Rejected => Some((verdict, Some(reason))),
        _ => Some((verdict, None)),
    }
}

#[cfg(test)]
mod verdict_tests {
    use super::*;

    #[test]
    fn the_first_unquoted_line_decides() {
        assert_eq!(first_line("\n> 引用\n了解です\n"), "了解です");
        assert_eq!(
            verdict("了解しました").map(|v| v.0),
            Some(Verdict::Acknowledged)
        );
        assert_eq!(
            verdict("確認しました。").map(|v| v.0),
            Some(Verdict::Acknowledged)
        );
        assert_eq!(verdict("ok").map(|v| v.0), Some(Verdict::Approved));
        assert_eq!(verdict("承認します").map(|v| v.0), Some(Verdict::Approved));
        assert_eq!(verdict("OKINAWA"), None);
        assert_eq!(verdict("却下"), None, "a rejection needs a reason");
        assert_eq!(
            verdict("却下：表現を再検討"),
            Some((Verdict::Rejected, Some("表現を再検討".into())))
        );
        assert_eq!(verdict("よろしくお願いします"), None);
    }
}
