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
//! An append returns only after the lines are written and fsync'd. Any number of processes
//! may write one journal (several people on one incident, the incidents folder on a shared
//! drive): each append takes the lock file `journal.lock` for its duration only, first reads
//! and verifies what others appended, and then writes after it. The operating system releases
//! the lock when a process dies, so a killed process never leaves an incident locked. A crash
//! in the middle of a write leaves an unterminated last line (a torn tail); the next writer to
//! take the lock moves those bytes to `journal.torn` and keeps the intact prefix.

mod line;
mod read;
mod writer;

use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};

pub use line::EntryRef;
pub use read::{Audit, AuditLine, ReplaySummary, audit, read, read_with};
pub use writer::{CaughtUp, JournalLock, JournalWriter, LOCK_WAIT, lock_path};

use crate::lang::{Lang, Text};
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

impl Entry {
    /// The entry borrowed, as a reader sees it while replaying.
    pub fn borrowed(&self) -> EntryRef<'_> {
        EntryRef {
            seq: self.seq,
            time: self.time,
            actor: std::borrow::Cow::Borrowed(&self.actor),
            kind: &self.kind,
            payload: &self.payload,
            prev: &self.prev,
            hash: &self.hash,
        }
    }
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

/// Why a line is not a valid journal line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Corruption {
    /// Not UTF-8.
    NotUtf8,
    /// Not a journal record.
    NotARecord(String),
    /// The line's own hash does not match its content.
    HashMismatch,
    /// The line does not chain to the line before.
    BrokenChain {
        /// `prev` of the line.
        found: String,
        /// `hash` of the line before.
        expected: String,
    },
    /// The next line does not chain to this one: this line may have been changed and its
    /// hash recomputed, or the next line was changed.
    ChainBreaksAfter,
    /// A sequence number out of order.
    BadSequence {
        /// The seq found.
        found: u64,
        /// The seq expected.
        expected: u64,
    },
}

/// The English of [`Corruption::message`]: each failure's text is written once.
impl std::fmt::Display for Corruption {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(crate::Lang::En))
    }
}

/// Something went wrong with a journal.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// A file operation failed.
    Io(#[from] crate::lang::io::FileError),
    /// Another process has held the journal's lock for longer than an append takes
    /// ([`LOCK_WAIT`]).
    Locked {
        /// The journal.
        path: PathBuf,
    },
    /// A line in the journal is bad; nothing can be appended until it is dealt with.
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
    Encode(String),
}

/// The English of [`JournalError::message`]: each failure's text is written once.
impl std::fmt::Display for JournalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(crate::Lang::En))
    }
}

impl JournalError {
    fn io(action: Text, path: &Path, source: std::io::Error) -> Self {
        JournalError::Io(crate::lang::io::FileError::new(
            action,
            path.to_path_buf(),
            source,
        ))
    }

    /// The message in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            JournalError::Io(e) => e.message(lang),
            JournalError::Locked { path } => {
                let path = path.display();
                tr!(
                    lang,
                    "{path} は別の hikeshi が書き込み中のまま応答しません（10 秒待ちました）。もう一度実行してください",
                    "{path} is in use by another hikeshi process that has not finished writing for 10 s; try again"
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

/// How far a writer's clock may be behind the journal's last event before its time counts as
/// running backwards: several people write one incident from their own PCs, whose clocks
/// differ by seconds even when they follow the network's time.
pub const CLOCK_SKEW: chrono::TimeDelta = chrono::TimeDelta::seconds(120);

/// How far ahead of the computer's own clock an entry may be dated. The past is bounded by
/// [`CLOCK_SKEW`] against the journal's last entry; without a bound ahead, one entry dated
/// years ahead (a clock set wrong, or `HIKESHI_TIME`) would make every later entry "earlier
/// than the journal" on every other computer. A week is far beyond any PC's drift or a
/// time-zone slip, and still refuses the entry dated years ahead; an exercise's story time,
/// which may be days ahead, is not held to it.
pub const FUTURE_LIMIT: chrono::TimeDelta = chrono::TimeDelta::days(7);

/// The entries dated more than [`FUTURE_LIMIT`] ahead of `computer` (this computer's clock).
pub fn ahead_of<'a>(
    entries: impl IntoIterator<Item = &'a Entry>,
    computer: DateTime<FixedOffset>,
) -> Vec<&'a Entry> {
    entries
        .into_iter()
        .filter(|e| e.time > computer + FUTURE_LIMIT)
        .collect()
}

/// An entry whose time is earlier than an entry before it by more than [`CLOCK_SKEW`]: the record's time ran backwards
/// (a clock set back, another computer's clock ahead, or an edit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutOfOrder {
    /// The entry's seq.
    pub seq: u64,
    /// Its time.
    pub time: DateTime<FixedOffset>,
    /// The latest time before it, and the seq that has it.
    pub after: (u64, DateTime<FixedOffset>),
}

/// Every entry whose time is earlier than the latest time of the entries before it.
pub fn out_of_order<'a>(entries: impl IntoIterator<Item = &'a Entry>) -> Vec<OutOfOrder> {
    let mut latest: Option<(u64, DateTime<FixedOffset>)> = None;
    let mut out = Vec::new();
    for e in entries {
        match latest {
            Some((seq, time)) if e.time < time - CLOCK_SKEW => out.push(OutOfOrder {
                seq: e.seq,
                time: e.time,
                after: (seq, time),
            }),
            Some((_, time)) if e.time < time => {}
            _ => latest = Some((e.seq, e.time)),
        }
    }
    out
}

#[cfg(test)]
mod skew_tests {
    use super::*;

    fn entry(seq: u64, time: &str) -> Entry {
        Entry {
            seq,
            time: DateTime::parse_from_rfc3339(time).unwrap_or_default(),
            actor: "田中".into(),
            kind: "note_added".into(),
            payload: "{}".into(),
            prev: GENESIS.into(),
            hash: GENESIS.into(),
        }
    }

    #[test]
    fn seconds_between_pcs_are_not_out_of_order_minutes_are() {
        let entries = [
            entry(1, "2026-12-02T10:00:00+09:00"),
            // Another PC's clock 40 s behind: normal between PCs.
            entry(2, "2026-12-02T09:59:20+09:00"),
            // Three minutes behind the latest: the time ran backwards.
            entry(3, "2026-12-02T09:57:00+09:00"),
        ];
        let found = out_of_order(&entries);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].seq, 3);
        assert_eq!(found[0].after.0, 1);
    }
}
