//! Reply codes: a short unguessable code per message, in its subject, so that a reply can be
//! matched to the message it answers (and a guessed or copied code from elsewhere cannot).

use mail_parser::MessageParser;

use crate::incident::IncidentState;
use crate::incident::event::Reply;
use crate::notify::NotifyError;
use crate::notify::reading::clean;

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

/// A subject as shown in listings and reports: without its reply code (` [HK-…]`), which
/// only the recipient's mail needs; whoever reads a printed report must not be able to
/// answer for them.
pub fn without_codes(subject: &str) -> String {
    let mut out = subject.to_string();
    for code in codes_in(subject) {
        out = out
            .replace(&format!(" [{code}]"), "")
            .replace(&format!("[{code}]"), "");
    }
    out
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
        assert_eq!(
            codes_in(&tag_subject("Re: 【第一報】件名", &a)),
            vec![a.clone()]
        );
        assert_eq!(
            without_codes(&tag_subject("【第一報】件名", &a)),
            "【第一報】件名"
        );
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

/// Why a mail in the mailbox is no reply to this incident's messages (it is not answered:
/// nothing shows it comes from the person the message went to).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unmatched {
    /// Bigger than [`MAX_REPLY_BYTES`].
    TooLarge(u32),
    /// Not a mail message that can be read (no sender or no Message-ID).
    Malformed,
    /// No reply code of this incident in its subject (another incident's, or none).
    NoCode,
    /// More than one reply code in its subject: a reply carries exactly the code of the
    /// message it answers (a subject full of guesses is refused).
    SeveralCodes(usize),
    /// It does not thread to the message its code belongs to.
    NotThreaded(u32),
    /// It comes from an address other than the one the message went to.
    WrongSender(u32, String),
    /// The city's receiving server did not vouch for its sender (`[imap] authserv_id`).
    NotAuthenticated(u32, String),
    /// Sent by a machine (an out-of-office reply, a read receipt, a delivery report): nobody
    /// answered, and nobody is answered.
    Automatic(u32),
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
            Unmatched::SeveralCodes(n) => crate::tr!(
                lang,
                "件名に返信コードが {n} 個あります（返信は 1 個だけを含みます）",
                "{n} reply codes in the subject (a reply carries exactly one)"
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
            Unmatched::Automatic(n) => crate::tr!(
                lang,
                "通知 #{n} への自動応答（不在通知・開封確認・配信通知）です",
                "an automatic reply to message #{n} (out of office, read receipt, delivery report)"
            ),
            Unmatched::NotAuthenticated(n, why) => crate::tr!(
                lang,
                "通知 #{n} への返信ですが、受信サーバーが差出人を確認できません: {why}",
                "answers message #{n}, but the receiving server does not vouch for its sender: {why}"
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

/// Matches raw mail against the incident's messages: exactly one code of the incident in
/// its subject, its thread, its sender, what the city's receiving server says of the sender
/// (when `authserv_id` names that server), then what its writer wrote. Nothing is written.
pub fn match_reply(
    state: &IncidentState,
    raw: &[u8],
    authserv_id: Option<&str>,
) -> Result<Matched, Unmatched> {
    let size = u32::try_from(raw.len()).unwrap_or(u32::MAX);
    if size > MAX_REPLY_BYTES {
        return Err(Unmatched::TooLarge(size));
    }
    let labelled = known_charsets(raw);
    let mail = MessageParser::default()
        .parse(&labelled[..])
        .ok_or(Unmatched::Malformed)?;
    let reply_id = mail.message_id().ok_or(Unmatched::Malformed)?.to_string();
    let from = mail
        .from()
        .and_then(|f| f.first())
        .ok_or(Unmatched::Malformed)?;
    let address = from.address().ok_or(Unmatched::Malformed)?.to_string();
    let mut codes = codes_in(mail.subject().unwrap_or_default());
    codes.sort_unstable();
    codes.dedup();
    if codes.len() > 1 {
        return Err(Unmatched::SeveralCodes(codes.len()));
    }
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
    // Sent on the approver's behalf (a delegate's `Sender:`, Exchange's "on behalf of"): the
    // words are the delegate's, not the approver's.
    if let Some(sender) = mail
        .sender()
        .and_then(|s| s.first())
        .and_then(|s| s.address())
        && !sender.eq_ignore_ascii_case(&address)
    {
        return Err(Unmatched::WrongSender(number, clean(sender)));
    }
    if automatic(&mail) {
        return Err(Unmatched::Automatic(number));
    }
    if let Some(id) = authserv_id {
        vouched(&mail, id, &address).map_err(|why| Unmatched::NotAuthenticated(number, why))?;
    }
    let reading = super::reading::read_mail(&mail);
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
            sha256: crate::digest::sha256_hex(raw),
            verdict: reading.verdict,
            reason: reading.reason,
            line: Some(reading.line).filter(|l| !l.is_empty()),
        },
    })
}

/// The mail with the charset names Japanese clients use that the parser does not know put as
/// ones it does: `cp932` (Windows) is Shift_JIS as Microsoft extends it (`ms932`), and
/// ISO-2022-JP-2 and -3 are read as ISO-2022-JP (their common part). The bytes are kept
/// otherwise; the record keeps the hash of the mail as received.
fn known_charsets(raw: &[u8]) -> Vec<u8> {
    const NAMES: [(&[u8], &[u8]); 3] = [
        (b"cp932", b"ms932"),
        (b"iso-2022-jp-2", b"iso-2022-jp"),
        (b"iso-2022-jp-3", b"iso-2022-jp"),
    ];
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let rest = &raw[i..];
        match NAMES.iter().find(|(from, _)| {
            rest.get(..from.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(from))
        }) {
            Some((from, to)) => {
                out.extend_from_slice(to);
                i += from.len();
            }
            None => {
                out.push(raw[i]);
                i += 1;
            }
        }
    }
    out
}

/// Whether a machine sent it (RFC 3834 `Auto-Submitted`, `Precedence: bulk|junk|list|
/// auto_reply`, the `X-Autoreply` family, a `multipart/report` receipt or delivery report).
fn automatic(mail: &mail_parser::Message<'_>) -> bool {
    use mail_parser::MimeHeaders as _;
    let header = |name: &str| mail.header_raw(name).map(|v| v.trim().to_ascii_lowercase());
    header("Auto-Submitted").is_some_and(|v| !v.starts_with("no"))
        || header("Precedence")
            .is_some_and(|v| ["bulk", "junk", "list", "auto_reply"].contains(&v.as_str()))
        || ["X-Autoreply", "X-Autorespond", "X-Autogenerated"]
            .iter()
            .any(|h| header(h).is_some())
        || mail.content_type().is_some_and(|c| {
            c.ctype().eq_ignore_ascii_case("multipart")
                && c.subtype()
                    .is_some_and(|s| s.eq_ignore_ascii_case("report"))
        })
}

/// Whether the city's own receiving server (`authserv_id`) vouches for the sender. Every
/// `Authentication-Results` header with that authserv-id (RFC 8601; the server adds its own and
/// must remove any that claim its name from outside) is read: none may show a `fail`,
/// `softfail` or `permerror` of DMARC, SPF or DKIM, and one must show a pass that binds the
/// From address: DMARC for the From domain (`header.from`), a DKIM signature of the From
/// domain (`header.d`), or the server's own login as the From address (`auth` with
/// `smtp.auth`, for mail sent inside the city). SPF alone checks only the envelope sender.
/// A mail with more than one From header is refused: which one a check read is not known.
fn vouched(mail: &mail_parser::Message<'_>, authserv_id: &str, from: &str) -> Result<(), String> {
    use mail_parser::HeaderName;
    let froms = mail
        .headers()
        .iter()
        .filter(|h| h.name == HeaderName::From)
        .count();
    if froms != 1 {
        return Err(format!("{froms} From headers"));
    }
    let from = from.to_ascii_lowercase();
    let (local, domain) = from.rsplit_once('@').unwrap_or(("", ""));
    let ours: Vec<Vec<AuthResult>> = mail
        .headers()
        .iter()
        .filter(|h| h.name == HeaderName::AuthenticationResults)
        .filter_map(|h| {
            let start = usize::try_from(h.offset_start).ok()?;
            let end = usize::try_from(h.offset_end).ok()?;
            mail.raw_message.get(start..end)
        })
        .filter_map(|raw| {
            let text = String::from_utf8_lossy(raw);
            let mut parts = results_parts(&text).into_iter();
            let id = parts.next()?;
            let id = id.split_whitespace().next()?.to_ascii_lowercase();
            (id == authserv_id.to_ascii_lowercase())
                .then(|| parts.filter_map(|p| resinfo(&p)).collect())
        })
        .collect();
    if ours.is_empty() {
        return Err(format!("no Authentication-Results from {authserv_id}"));
    }
    let aligned = |d: &str| !d.is_empty() && (domain == d || domain.ends_with(&format!(".{d}")));
    let mut pass = false;
    for (method, result, props) in ours.iter().flatten() {
        let prop = |k: &str| {
            props
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
        };
        match (method.as_str(), result.as_str()) {
            ("dmarc" | "spf" | "dkim", "fail" | "softfail" | "permerror") => {
                return Err(format!("{method}={result}"));
            }
            ("dmarc", "pass") if prop("header.from") == Some(domain) => pass = true,
            ("dkim", "pass") => {
                let signer = prop("header.d")
                    .or_else(|| prop("header.i").and_then(|i| i.rsplit_once('@').map(|(_, d)| d)))
                    .unwrap_or_default();
                pass |= aligned(signer);
            }
            ("auth", "pass") => {
                pass |= prop("smtp.auth")
                    .is_some_and(|u| u == from || (!u.contains('@') && u == local));
            }
            _ => {}
        }
    }
    if pass {
        Ok(())
    } else {
        Err(format!(
            "no dmarc, aligned dkim or auth pass for {from} from {authserv_id}"
        ))
    }
}

/// A header's value split at its `;` separators, without RFC 5322 comments (`(…)`, nested),
/// neither counting what is inside a quoted string (`"…"`, with `\` escapes).
fn results_parts(text: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    let (mut depth, mut quoted, mut escaped) = (0usize, false, false);
    for c in text.chars() {
        let current = parts.last_mut();
        match c {
            _ if escaped => {
                escaped = false;
                if depth == 0
                    && let Some(p) = current
                {
                    p.push(c);
                }
            }
            '\\' if quoted || depth > 0 => escaped = true,
            '"' if depth == 0 => {
                quoted = !quoted;
                if let Some(p) = current {
                    p.push(c);
                }
            }
            '(' if !quoted => depth += 1,
            ')' if !quoted && depth > 0 => depth -= 1,
            ';' if !quoted && depth == 0 => parts.push(String::new()),
            '\r' | '\n' => {
                if depth == 0
                    && let Some(p) = current
                {
                    p.push(' ');
                }
            }
            _ if depth == 0 => {
                if let Some(p) = current {
                    p.push(c);
                }
            }
            _ => {}
        }
    }
    parts
}

/// One authentication result: its method, its result and its properties, lowercased.
type AuthResult = (String, String, Vec<(String, String)>);

/// One result (`method=result prop=value …`), lowercased, values unquoted; none if it is not
/// one.
fn resinfo(part: &str) -> Option<AuthResult> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    for c in part.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    let mut words = words.into_iter();
    let (method, result) = words
        .next()?
        .split_once('=')
        .map(|(m, r)| (m.to_ascii_lowercase(), r.to_ascii_lowercase()))?;
    let props = words
        .filter_map(|w| {
            w.split_once('=')
                .map(|(k, v)| (k.to_ascii_lowercase(), v.to_ascii_lowercase()))
        })
        .collect();
    Some((method, result, props))
}
