//! Reply codes: a short unguessable code per message, in its subject, so that a reply can be
//! matched to the message it answers (and a guessed or copied code from elsewhere cannot).

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
