//! The append-only, hash-chained journal: the single source of truth of an incident.
//!
//! One JSON object per line:
//!
//! ```text
//! {"seq":1,"time":"2026-11-22T14:03:00+09:00","actor":"田中","kind":"incident_started","payload":{…},"prev":"000…0","hash":"9f2c…"}
//! ```
//!
//! `hash` is the SHA-256 of the line's bytes without its `,"hash":"…"` member (that is, of
//! `{"seq":…,"prev":"…"}`), and `prev` is the `hash` of the line before (64 zeros for the
//! first). Changing any byte of any line breaks that line's hash or the next line's `prev`.
//!
//! An append returns only after the lines are written and fsync'd. One writer at a time: the
//! journal file is locked with `flock`, which the kernel releases when the process dies, so a
//! killed process never leaves an incident locked. A crash in the middle of a write leaves an
//! unterminated last line (a torn tail); opening for writing moves those bytes to
//! `journal.torn` and keeps the intact prefix.

use std::fs::{File, OpenOptions};
use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use sha2::{Digest as _, Sha256};

use crate::lang::{Lang, Text, io, io_failure};
use crate::tr;

/// `prev` of the first line.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The `,"hash":"<64 hex>"}` at the end of every line.
const HASH_SUFFIX_LEN: usize = 75;
const HASH_MEMBER: &str = ",\"hash\":\"";

/// One journal line, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// 1, 2, 3, … without gaps.
    pub seq: u64,
    /// When the event happened (RFC 3339 with offset, from the incident's clock).
    pub time: DateTime<FixedOffset>,
    /// Who did it (the operator's name, or `hikeshi` for automatic events).
    pub actor: String,
    /// The event kind, e.g. `step_completed`.
    pub kind: String,
    /// The event payload as JSON text.
    pub payload: String,
    /// Hash of the line before.
    pub prev: String,
    /// Hash of this line.
    pub hash: String,
}

/// An event to append.
#[derive(Debug, Clone, Copy)]
pub struct NewEntry<'a> {
    /// When it happened.
    pub time: DateTime<FixedOffset>,
    /// Who did it.
    pub actor: &'a str,
    /// The event kind.
    pub kind: &'a str,
    /// The payload as JSON text (must be valid JSON).
    pub payload: &'a str,
}

#[derive(Serialize)]
struct LineOut<'a> {
    seq: u64,
    time: String,
    actor: &'a str,
    kind: &'a str,
    payload: &'a RawValue,
    prev: &'a str,
}

/// Why a line is not a valid journal line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Corruption {
    /// Not UTF-8.
    #[error("the line is not UTF-8")]
    NotUtf8,
    /// Not a journal record.
    #[error("the line is not a journal record: {0}")]
    NotARecord(String),
    /// The line's own hash does not match its content.
    #[error("the line's content does not match its hash (it was changed after it was written)")]
    HashMismatch,
    /// The line does not chain to the line before.
    #[error("the line does not follow the line before (prev {found}, expected {expected})")]
    BrokenChain {
        /// `prev` of the line.
        found: String,
        /// `hash` of the line before.
        expected: String,
    },
    /// The next line does not chain to this one: this line may have been changed and its
    /// hash recomputed, or the next line was changed.
    #[error(
        "the line after it does not follow it: this line may have been changed and re-hashed, or the next one changed"
    )]
    ChainBreaksAfter,
    /// A sequence number out of order.
    #[error("sequence number {found} where {expected} was expected")]
    BadSequence {
        /// The seq found.
        found: u64,
        /// The seq expected.
        expected: u64,
    },
}

/// Something went wrong with a journal.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// A file operation failed.
    #[error("{} {path}: {source}", action.get(Lang::En))]
    Io {
        /// What was being done.
        action: Text,
        /// The file.
        path: PathBuf,
        /// Why it failed.
        source: std::io::Error,
    },
    /// Another process holds the journal.
    #[error("{path} is in use by another hikeshi process")]
    Locked {
        /// The journal.
        path: PathBuf,
    },
    /// A line in the journal is bad; nothing can be appended until it is dealt with.
    #[error("{path}: line {line} (seq {seq}): {problem}")]
    Corrupt {
        /// The journal.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// The sequence number the line should have had.
        seq: u64,
        /// What is wrong.
        problem: Corruption,
    },
    /// An event could not be encoded (never expected: payloads are our own types).
    #[error("cannot encode an event: {0}")]
    Encode(String),
}

impl JournalError {
    fn io(action: Text, path: &Path, source: std::io::Error) -> Self {
        JournalError::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }

    /// The message in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            JournalError::Io {
                action,
                path,
                source,
            } => io_failure(lang, *action, path, source),
            JournalError::Locked { path } => {
                let path = path.display();
                tr!(
                    lang,
                    "{path} は別の hikeshi が使用中です。そちらを終了してから実行してください",
                    "{path} is in use by another hikeshi process"
                )
            }
            JournalError::Corrupt {
                path,
                line,
                seq,
                problem,
            } => {
                let (path, problem) = (path.display(), problem.message(lang));
                tr!(
                    lang,
                    "記録（journal.jsonl）の {line} 行目（seq {seq}）が壊れているため追記できません: {problem}。`hikeshi verify` で確認してください",
                    "{path}: line {line} (seq {seq}): {problem}"
                )
            }
            JournalError::Encode(reason) => tr!(
                lang,
                "記録する出来事を書き出せません: {reason}",
                "cannot encode an event: {reason}"
            ),
        }
    }
}

impl Corruption {
    /// The message in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            Corruption::NotUtf8 => tr!(
                lang,
                "この行は UTF-8 ではありません",
                "the line is not UTF-8"
            ),
            Corruption::NotARecord(reason) => tr!(
                lang,
                "この行は記録の形式ではありません: {reason}",
                "the line is not a journal record: {reason}"
            ),
            Corruption::HashMismatch => tr!(
                lang,
                "この行の内容がハッシュと一致しません（書き込まれた後に変更されています）",
                "the line's content does not match its hash (it was changed after it was written)"
            ),
            Corruption::BrokenChain { found, expected } => tr!(
                lang,
                "この行は前の行に続いていません（prev {found}、前の行のハッシュ {expected}）",
                "the line does not follow the line before (prev {found}, expected {expected})"
            ),
            Corruption::ChainBreaksAfter => tr!(
                lang,
                "次の行がこの行に続いていません: この行が変更されてハッシュを計算し直されたか、次の行が変更されています",
                "the line after it does not follow it: this line may have been changed and re-hashed, or the next one changed"
            ),
            Corruption::BadSequence { found, expected } => tr!(
                lang,
                "連番 {expected} のはずの所が {found} です",
                "sequence number {found} where {expected} was expected"
            ),
        }
    }
}

/// Bytes after the last complete line: what a crash in the middle of a write leaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TornTail {
    /// How many bytes.
    pub bytes: usize,
    /// Where they were moved (`journal.torn`), if they were.
    pub moved_to: Option<PathBuf>,
}

/// What reading a journal found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replay {
    /// Every intact entry, in order.
    pub entries: Vec<Entry>,
    /// An unterminated last line, if any.
    pub torn: Option<TornTail>,
}

impl Replay {
    /// Hash of the last entry (the chain head), or [`GENESIS`].
    pub fn head(&self) -> &str {
        self.entries.last().map_or(GENESIS, |e| e.hash.as_str())
    }
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    s
}

/// SHA-256 of `bytes`, as lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Encodes one line (without the newline) and returns it with its hash.
fn encode(seq: u64, entry: &NewEntry<'_>, prev: &str) -> Result<(String, String), JournalError> {
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
fn decode<'a>(text: &'a str, expected_seq: u64, prev: &str) -> Result<EntryRef<'a>, Corruption> {
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

/// Checks every complete line of `bytes`, handing each to `visit` in order; returns the
/// number of entries and where the intact prefix ends.
fn replay_bytes<E>(
    path: &Path,
    bytes: &[u8],
    mut visit: impl FnMut(EntryRef<'_>) -> Result<(), E>,
) -> Result<Result<(u64, usize), E>, JournalError> {
    let complete = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
    let corrupt = |line: usize, seq: u64, problem: Corruption| JournalError::Corrupt {
        path: path.to_path_buf(),
        line,
        seq,
        problem,
    };
    // Validate the whole prefix once; then splitting on '\n' is a fast memchr search.
    let text = match std::str::from_utf8(&bytes[..complete]) {
        Ok(t) => t,
        Err(e) => {
            let line = bytes[..e.valid_up_to()]
                .iter()
                .filter(|b| **b == b'\n')
                .count()
                + 1;
            return Err(corrupt(line, line as u64, Corruption::NotUtf8));
        }
    };
    let mut prev_hash: String = GENESIS.to_string();
    let mut seq = 0u64;
    for (i, line) in text.split_terminator('\n').enumerate() {
        seq += 1;
        if line.is_empty() {
            return Err(corrupt(
                i + 1,
                seq,
                Corruption::NotARecord("empty line".into()),
            ));
        }
        let entry = decode(line, seq, &prev_hash).map_err(|p| corrupt(i + 1, seq, p))?;
        prev_hash.clear();
        prev_hash.push_str(entry.hash);
        if let Err(e) = visit(entry) {
            return Ok(Err(e));
        }
    }
    Ok(Ok((seq, complete)))
}

/// Reads and verifies a journal without locking it, handing each entry to `visit` (borrowed,
/// no copies). Returns the number of entries and the last hash, or the visitor's error.
pub fn read_with<E>(
    path: &Path,
    mut visit: impl FnMut(EntryRef<'_>) -> Result<(), E>,
) -> Result<Result<ReplaySummary, E>, JournalError> {
    let bytes = std::fs::read(path).map_err(|e| JournalError::io(io::READ, path, e))?;
    let mut first: Option<String> = None;
    let mut last: Option<String> = None;
    let result = replay_bytes(path, &bytes, |entry| {
        if first.is_none() {
            first = Some(entry.hash.to_string());
        }
        visit(entry)?;
        Ok(())
    })?;
    // The head is re-read from the last line rather than copied on every entry.
    let (entries, complete) = match result {
        Ok(v) => v,
        Err(e) => return Ok(Err(e)),
    };
    if entries > 0 {
        let text = std::str::from_utf8(&bytes[..complete.saturating_sub(1)]).unwrap_or("");
        let line = text.rsplit('\n').next().unwrap_or("");
        if line.len() >= 66 {
            last = Some(line[line.len() - 66..line.len() - 2].to_string());
        }
    }
    Ok(Ok(ReplaySummary {
        entries,
        first_hash: first,
        head: last.unwrap_or_else(|| GENESIS.to_string()),
        torn: (complete < bytes.len()).then(|| TornTail {
            bytes: bytes.len() - complete,
            moved_to: None,
        }),
    }))
}

/// What [`read_with`] found besides the entries it handed over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplaySummary {
    /// Number of entries.
    pub entries: u64,
    /// Hash of the first entry.
    pub first_hash: Option<String>,
    /// Hash of the last entry, or [`GENESIS`].
    pub head: String,
    /// An unterminated last line, if any.
    pub torn: Option<TornTail>,
}

/// Reads and verifies a journal without locking it or changing anything (for `status` and
/// `verify` while another process may be writing). An unterminated last line is reported,
/// not moved.
pub fn read(path: &Path) -> Result<Replay, JournalError> {
    let bytes = std::fs::read(path).map_err(|e| JournalError::io(io::READ, path, e))?;
    let mut entries = Vec::new();
    let (_, complete) = collect(path, &bytes, &mut entries)?;
    let torn = (complete < bytes.len()).then(|| TornTail {
        bytes: bytes.len() - complete,
        moved_to: None,
    });
    Ok(Replay { entries, torn })
}

fn collect(
    path: &Path,
    bytes: &[u8],
    entries: &mut Vec<Entry>,
) -> Result<(u64, usize), JournalError> {
    match replay_bytes(path, bytes, |e| {
        entries.push(e.to_entry());
        Ok::<(), std::convert::Infallible>(())
    })? {
        Ok(v) => Ok(v),
        Err(never) => match never {},
    }
}

/// One line of a journal as an audit found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditLine {
    /// 1-based line number in the file.
    pub line: usize,
    /// The record, if the line can be read as one (verified or not).
    pub entry: Option<Entry>,
    /// Why the line does not verify; `None` for a verified line.
    pub problem: Option<Corruption>,
    /// The start of an unreadable line, to show what is there.
    pub excerpt: Option<String>,
}

impl AuditLine {
    /// Whether the line verified.
    pub fn verified(&self) -> bool {
        self.problem.is_none()
    }
}

/// Every line of a journal, each checked on its own and against the line before: what a
/// report of a damaged journal shows, and where the damage is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Audit {
    /// Every complete line, in file order.
    pub lines: Vec<AuditLine>,
    /// An unterminated last line, if any.
    pub torn: Option<TornTail>,
}

impl Audit {
    /// Whether every line verified and nothing was left unfinished.
    pub fn is_intact(&self) -> bool {
        self.torn.is_none() && self.lines.iter().all(AuditLine::verified)
    }

    /// The readable records, in file order.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.lines.iter().filter_map(|l| l.entry.as_ref())
    }
}

#[derive(Deserialize)]
struct LooseLine {
    seq: u64,
    time: String,
    actor: String,
    kind: String,
    payload: Box<RawValue>,
    prev: String,
    hash: String,
}

fn loose(text: &str) -> Option<Entry> {
    let l = serde_json::from_str::<LooseLine>(text).ok()?;
    let time = DateTime::parse_from_rfc3339(&l.time).ok()?;
    Some(Entry {
        seq: l.seq,
        time,
        actor: l.actor,
        kind: l.kind,
        payload: l.payload.get().to_string(),
        prev: l.prev,
        hash: l.hash,
    })
}

fn excerpt(raw: &[u8]) -> String {
    String::from_utf8_lossy(raw).chars().take(80).collect()
}

/// Reads a journal without stopping at the first bad line. Each line is checked on its own
/// (its hash) and against the line before (seq and prev). A line that does not verify but
/// still parses as a record is kept, and the count picks up from it; a line that cannot be
/// read is reported with an excerpt and skipped, without using up a sequence number. When the
/// chain breaks, the line before the break is flagged too: it may be the one that was edited
/// and re-hashed. Changes nothing and takes no lock.
pub fn audit(path: &Path) -> Result<Audit, JournalError> {
    let bytes = std::fs::read(path).map_err(|e| JournalError::io(io::READ, path, e))?;
    let complete = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
    let mut lines: Vec<AuditLine> = Vec::new();
    let mut prev = GENESIS.to_string();
    let mut seq = 1u64;
    // The complete lines, without the newline that ends the last one.
    let body = match complete {
        0 => None,
        n => bytes.get(..n - 1),
    };
    for (i, raw) in body
        .into_iter()
        .flat_map(|b| b.split(|c| *c == b'\n'))
        .enumerate()
    {
        let line = i + 1;
        let unreadable = |problem: Corruption| AuditLine {
            line,
            entry: None,
            problem: Some(problem),
            excerpt: Some(excerpt(raw)),
        };
        let Ok(text) = std::str::from_utf8(raw) else {
            lines.push(unreadable(Corruption::NotUtf8));
            continue;
        };
        match decode(text, seq, &prev) {
            Ok(entry) => {
                prev = entry.hash.to_string();
                seq += 1;
                lines.push(AuditLine {
                    line,
                    entry: Some(entry.to_entry()),
                    problem: None,
                    excerpt: None,
                });
            }
            Err(problem) => match loose(text) {
                Some(entry) => {
                    if matches!(problem, Corruption::BrokenChain { .. })
                        && let Some(before) = lines.iter_mut().rev().find(|l| l.entry.is_some())
                        && before.problem.is_none()
                    {
                        before.problem = Some(Corruption::ChainBreaksAfter);
                    }
                    prev.clone_from(&entry.hash);
                    seq = entry.seq.saturating_add(1);
                    lines.push(AuditLine {
                        line,
                        entry: Some(entry),
                        problem: Some(problem),
                        excerpt: None,
                    });
                }
                None => lines.push(unreadable(problem)),
            },
        }
    }
    Ok(Audit {
        lines,
        torn: (complete < bytes.len()).then(|| TornTail {
            bytes: bytes.len() - complete,
            moved_to: None,
        }),
    })
}

/// The single writer of a journal. Holds the lock until dropped.
#[derive(Debug)]
pub struct JournalWriter {
    path: PathBuf,
    file: File,
    len: u64,
    last_seq: u64,
    head: String,
    /// A failed append could not be undone: the file may hold a partial line, so nothing more
    /// is appended through this writer (reopening moves the partial line aside).
    poisoned: bool,
}

fn lock(file: &File, path: &Path) -> Result<(), JournalError> {
    match file.try_lock() {
        Ok(()) => Ok(()),
        Err(std::fs::TryLockError::WouldBlock) => Err(JournalError::Locked {
            path: path.to_path_buf(),
        }),
        Err(std::fs::TryLockError::Error(e)) => Err(JournalError::io(io::LOCK, path, e)),
    }
}

/// Makes a directory entry durable (a new file survives a crash only once its folder is synced).
fn sync_dir(dir: &Path) -> Result<(), JournalError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| JournalError::io(io::SYNC_FOLDER, dir, e))
}

impl JournalWriter {
    /// Creates a new, empty journal (failing if one exists) and locks it.
    pub fn create(path: &Path) -> Result<JournalWriter, JournalError> {
        let file = OpenOptions::new()
            .read(true)
            .append(true)
            .create_new(true)
            .open(path)
            .map_err(|e| JournalError::io(io::CREATE, path, e))?;
        lock(&file, path)?;
        if let Some(dir) = path.parent() {
            sync_dir(dir)?;
        }
        Ok(JournalWriter {
            path: path.to_path_buf(),
            file,
            len: 0,
            last_seq: 0,
            head: GENESIS.to_string(),
            poisoned: false,
        })
    }

    /// Opens an existing journal for appending: locks it, verifies every line, and moves a
    /// torn tail aside. Fails (appending nothing) if any complete line is bad.
    pub fn open(path: &Path) -> Result<(JournalWriter, Replay), JournalError> {
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .open(path)
            .map_err(|e| JournalError::io(io::OPEN, path, e))?;
        lock(&file, path)?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)
            .map_err(|e| JournalError::io(io::READ, path, e))?;
        let mut entries = Vec::new();
        let (_, complete) = collect(path, &bytes, &mut entries)?;
        let mut torn = None;
        if complete < bytes.len() {
            let torn_path = path.with_extension("torn");
            let mut aside = OpenOptions::new()
                .create(true)
                .append(true)
                .open(&torn_path)
                .map_err(|e| JournalError::io(io::CREATE, &torn_path, e))?;
            aside
                .write_all(&bytes[complete..])
                .and_then(|()| aside.write_all(b"\n"))
                .and_then(|()| aside.sync_all())
                .map_err(|e| JournalError::io(io::WRITE, &torn_path, e))?;
            file.set_len(complete as u64)
                .and_then(|()| file.sync_all())
                .map_err(|e| JournalError::io(io::TRUNCATE, path, e))?;
            torn = Some(TornTail {
                bytes: bytes.len() - complete,
                moved_to: Some(torn_path),
            });
        }
        file.seek(SeekFrom::End(0))
            .map_err(|e| JournalError::io(io::SEEK, path, e))?;
        let writer = JournalWriter {
            path: path.to_path_buf(),
            file,
            len: complete as u64,
            last_seq: entries.last().map_or(0, |e| e.seq),
            head: entries
                .last()
                .map_or_else(|| GENESIS.to_string(), |e| e.hash.clone()),
            poisoned: false,
        };
        Ok((writer, Replay { entries, torn }))
    }

    /// The journal's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Sequence number of the last entry (0 when empty).
    pub fn last_seq(&self) -> u64 {
        self.last_seq
    }

    /// Hash of the last entry, or [`GENESIS`].
    pub fn head(&self) -> &str {
        &self.head
    }

    /// Appends entries in one write and fsyncs them; returns them as written. On any error
    /// the file is cut back to its previous length, so a failed append (a full disk, a file
    /// size limit) leaves the journal exactly as it was.
    pub fn append(&mut self, new: &[NewEntry<'_>]) -> Result<Vec<Entry>, JournalError> {
        if self.poisoned {
            return Err(JournalError::io(
                io::WRITE,
                &self.path,
                std::io::Error::other(
                    "an earlier write failed and could not be undone; reopen the incident",
                ),
            ));
        }
        let mut text = String::new();
        let mut written = Vec::with_capacity(new.len());
        let mut prev = self.head.clone();
        let mut seq = self.last_seq;
        for entry in new {
            seq += 1;
            let (line, hash) = encode(seq, entry, &prev)?;
            text.push_str(&line);
            text.push('\n');
            written.push(Entry {
                seq,
                time: entry.time,
                actor: entry.actor.to_string(),
                kind: entry.kind.to_string(),
                payload: entry.payload.to_string(),
                prev: std::mem::replace(&mut prev, hash.clone()),
                hash,
            });
        }
        let result = self
            .file
            .write_all(text.as_bytes())
            .and_then(|()| self.file.sync_data());
        if let Err(e) = result {
            // If even the undo fails, the partial line is moved aside on the next open.
            if self
                .file
                .set_len(self.len)
                .and_then(|()| self.file.sync_all())
                .is_err()
            {
                self.poisoned = true;
            }
            return Err(JournalError::io(io::WRITE, &self.path, e));
        }
        self.len += text.len() as u64;
        self.last_seq = seq;
        self.head = prev;
        Ok(written)
    }
}
