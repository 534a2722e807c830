//! One journal line: encoding it with its hash, and decoding it (checking the hash first, then
//! taking the header fields from their fixed places).

use chrono::{DateTime, FixedOffset};
use serde::Serialize;
use serde_json::value::RawValue;
use sha2::{Digest as _, Sha256};

use super::{Corruption, Entry, HASH_MEMBER, HASH_SUFFIX_LEN, JournalError, NewEntry};
use crate::digest::sha256_hex;

#[derive(Serialize)]
struct LineOut<'a> {
    seq: u64,
    time: String,
    actor: &'a str,
    kind: &'a str,
    payload: &'a RawValue,
    prev: &'a str,
}

/// Encodes one line (without the newline) and returns it with its hash.
pub(super) fn encode(
    seq: u64,
    entry: &NewEntry<'_>,
    prev: &str,
) -> Result<(String, String), JournalError> {
    let payload: &RawValue =
        serde_json::from_str(entry.payload).map_err(|e| JournalError::Encode(e.to_string()))?;
    let body = serde_json::to_string(&LineOut {
        seq,
        time: entry.time.to_rfc3339(),
        actor: entry.actor,
        kind: entry.kind,
        payload,
        prev,
    })
    .map_err(|e| JournalError::Encode(e.to_string()))?;
    let hash = sha256_hex(body.as_bytes());
    let mut line = body;
    line.pop(); // the closing brace, put back after the hash member
    line.push_str(HASH_MEMBER);
    line.push_str(&hash);
    line.push_str("\"}");
    Ok((line, hash))
}

/// One journal line, borrowed from the file's bytes: what a reader sees while replaying.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryRef<'a> {
    /// Sequence number.
    pub seq: u64,
    /// When.
    pub time: DateTime<FixedOffset>,
    /// Who (owned only if the name needed escaping in JSON).
    pub actor: std::borrow::Cow<'a, str>,
    /// Event kind.
    pub kind: &'a str,
    /// Payload JSON.
    pub payload: &'a str,
    /// Hash of the line before.
    pub prev: &'a str,
    /// Hash of this line.
    pub hash: &'a str,
}

impl EntryRef<'_> {
    /// An owned copy.
    pub fn to_entry(&self) -> Entry {
        Entry {
            seq: self.seq,
            time: self.time,
            actor: self.actor.to_string(),
            kind: self.kind.to_string(),
            payload: self.payload.to_string(),
            prev: self.prev.to_string(),
            hash: self.hash.to_string(),
        }
    }
}

/// Whether `text` is the lower-case hex spelling of `digest` (a 32-byte SHA-256).
fn hex_matches(text: &str, digest: &[u8]) -> bool {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut spelled = [0u8; 64];
    if digest.len() != 32 {
        return false;
    }
    for (i, b) in digest.iter().enumerate() {
        spelled[2 * i] = DIGITS[usize::from(b >> 4)];
        spelled[2 * i + 1] = DIGITS[usize::from(b & 0xf)];
    }
    text.as_bytes() == spelled
}

/// The bytes after the payload: `,"prev":"<64 hex>","hash":"<64 hex>"}`.
const TRAILER_LEN: usize = 9 + 64 + 1 + HASH_SUFFIX_LEN;

/// Splits a JSON string's content (escapes kept) from what follows its closing quote.
fn split_json_string(text: &str) -> Option<(&str, &str)> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return Some((&text[..i], &text[i + 1..])),
            _ => i += 1,
        }
    }
    None
}

/// `s` split before the first `c`.
fn until(s: &str, c: char) -> Option<(&str, &str)> {
    s.find(c).map(|i| s.split_at(i))
}

/// The fields of a line in the writer's fixed layout, or `None` if it is not in that layout.
/// Called once the line's hash matched: the line is intact since it was hashed. (The hash has
/// no key, so it does not prove who wrote it; readers of the payload parse it in full.)
#[allow(clippy::type_complexity)]
fn split_fields(text: &str) -> Option<(&str, &str, &str, &str, &str, &str)> {
    // Fixed separators are matched with `strip_prefix`, values end at their closing quote
    // (found with a memchr search): no general substring search per line.
    let rest = text.strip_prefix("{\"seq\":")?;
    let (seq, rest) = until(rest, ',')?;
    let rest = rest.strip_prefix(",\"time\":\"")?;
    let (time, rest) = until(rest, '"')?;
    let rest = rest.strip_prefix("\",\"actor\":\"")?;
    let (actor, rest) = split_json_string(rest)?;
    let rest = rest.strip_prefix(",\"kind\":\"")?;
    let (kind, rest) = until(rest, '"')?;
    let rest = rest.strip_prefix("\",\"payload\":")?;
    let payload_len = rest.len().checked_sub(TRAILER_LEN)?;
    let (payload, trailer) = (rest.get(..payload_len)?, rest.get(payload_len..)?);
    let prev = trailer.strip_prefix(",\"prev\":\"")?.get(..64)?;
    Some((seq, time, actor, kind, payload, prev))
}

/// Decodes and checks one line against the chain so far. The line's hash is checked first;
/// the header fields are then taken from their fixed places without a general JSON parse,
/// and the payload is parsed by its reader (`IncidentRecord::load`, which `verify` also runs).
pub(super) fn decode<'a>(
    text: &'a str,
    expected_seq: u64,
    prev: &str,
) -> Result<EntryRef<'a>, Corruption> {
    let not_a_record = |why: &str| Corruption::NotARecord(why.to_string());
    if text.len() < TRAILER_LEN
        || !text.is_char_boundary(text.len() - HASH_SUFFIX_LEN)
        || !text[text.len() - HASH_SUFFIX_LEN..].starts_with(HASH_MEMBER)
        || !text.ends_with("\"}")
    {
        return Err(not_a_record("no hash at the end"));
    }
    let hash = &text[text.len() - 66..text.len() - 2];
    let mut hasher = Sha256::new();
    hasher.update(&text.as_bytes()[..text.len() - HASH_SUFFIX_LEN]);
    hasher.update(b"}");
    if !hex_matches(hash, &hasher.finalize()) {
        return Err(Corruption::HashMismatch);
    }
    let (seq, time, actor, kind, payload, line_prev) =
        split_fields(text).ok_or_else(|| not_a_record("not in the journal's layout"))?;
    let seq: u64 = seq.parse().map_err(|_| not_a_record("bad seq"))?;
    if seq != expected_seq {
        return Err(Corruption::BadSequence {
            found: seq,
            expected: expected_seq,
        });
    }
    if line_prev != prev {
        return Err(Corruption::BrokenChain {
            found: line_prev.to_string(),
            expected: prev.to_string(),
        });
    }
    let time = DateTime::parse_from_rfc3339(time)
        .map_err(|e| Corruption::NotARecord(format!("bad time: {e}")))?;
    let actor = if actor.contains('\\') {
        std::borrow::Cow::Owned(
            serde_json::from_str::<String>(&format!("\"{actor}\""))
                .map_err(|e| Corruption::NotARecord(format!("bad actor: {e}")))?,
        )
    } else {
        std::borrow::Cow::Borrowed(actor)
    };
    Ok(EntryRef {
        seq,
        time,
        actor,
        kind,
        payload,
        prev: line_prev,
        hash,
    })
}
