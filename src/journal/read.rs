//! Reading a journal: verified replay (stopping at the first bad line) and the audit (every
//! line checked on its own, damage listed, what still parses kept).

use std::path::Path;

use chrono::DateTime;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::line::{EntryRef, decode};
use super::{Corruption, Entry, GENESIS, JournalError, Replay, TornTail};
use crate::lang::io;

/// The journal's bytes, read without taking part in writing. If they end in a partial line, it
/// may be another process's append under way rather than a crash's torn tail: the read waits
/// for that append (the journal's lock, for a moment) and reads again, so that readers do not
/// report a crash that is not one.
fn read_settled(path: &Path) -> Result<Vec<u8>, JournalError> {
    let read = || std::fs::read(path).map_err(|e| JournalError::io(io::READ, path, e));
    let bytes = read()?;
    if bytes.is_empty() || bytes.ends_with(b"\n") {
        return Ok(bytes);
    }
    // Opened read-only and never created: a reader may have no right to write here, and an
    // incident no writer of this version has touched has no lock file (nor appends under way).
    let Ok(lock) = std::fs::File::open(super::writer::lock_path(path)) else {
        return Ok(bytes);
    };
    match super::writer::wait_for_lock(&lock, path) {
        Ok(()) => {
            let again = read();
            let _ = lock.unlock();
            again
        }
        // Still held after the wait: report what is there.
        Err(_) => Ok(bytes),
    }
}

/// Checks every complete line of `bytes`, handing each to `visit` in order; returns the
/// number of entries and where the intact prefix ends. The visitor's error type takes the
/// journal's own errors too, so a caller sees one error, whichever side stopped the replay.
fn replay_bytes<E: From<JournalError>>(
    path: &Path,
    bytes: &[u8],
    visit: impl FnMut(EntryRef<'_>) -> Result<(), E>,
) -> Result<(u64, usize), E> {
    replay_bytes_after(path, bytes, (0, GENESIS), visit)
}

/// [`replay_bytes`] for the bytes that follow entry `after.0` (whose hash is `after.1`): what
/// a writer reads of the lines others appended since it last looked. Returns the last seq and
/// where the complete lines end within `bytes`.
fn replay_bytes_after<E: From<JournalError>>(
    path: &Path,
    bytes: &[u8],
    after: (u64, &str),
    mut visit: impl FnMut(EntryRef<'_>) -> Result<(), E>,
) -> Result<(u64, usize), E> {
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
                .count() as u64
                + 1
                + after.0;
            return Err(corrupt(line as usize, line, Corruption::NotUtf8).into());
        }
    };
    let mut prev_hash: String = after.1.to_string();
    let mut seq = after.0;
    for line in text.split_terminator('\n') {
        seq += 1;
        // One line per entry: the line number is the seq.
        let number = seq as usize;
        if line.is_empty() {
            return Err(corrupt(number, seq, Corruption::NotARecord("empty line".into())).into());
        }
        let entry = decode(line, seq, &prev_hash).map_err(|p| corrupt(number, seq, p))?;
        prev_hash.clear();
        prev_hash.push_str(entry.hash);
        visit(entry)?;
    }
    Ok((seq, complete))
}

/// Reads and verifies a journal without locking it, handing each entry to `visit` (borrowed,
/// no copies). Returns the number of entries and the last hash, or the first error: the
/// journal's (converted into `E`) or the visitor's.
pub fn read_with<E: From<JournalError>>(
    path: &Path,
    mut visit: impl FnMut(EntryRef<'_>) -> Result<(), E>,
) -> Result<ReplaySummary, E> {
    let bytes = read_settled(path)?;
    let mut first: Option<String> = None;
    let mut last: Option<String> = None;
    let (entries, complete) = replay_bytes(path, &bytes, |entry| {
        if first.is_none() {
            first = Some(entry.hash.to_string());
        }
        visit(entry)
    })?;
    // The head is re-read from the last line rather than copied on every entry.
    if entries > 0 {
        let text = std::str::from_utf8(&bytes[..complete.saturating_sub(1)]).unwrap_or("");
        let line = text.rsplit('\n').next().unwrap_or("");
        if line.len() >= 66 {
            last = Some(line[line.len() - 66..line.len() - 2].to_string());
        }
    }
    Ok(ReplaySummary {
        entries,
        first_hash: first,
        head: last.unwrap_or_else(|| GENESIS.to_string()),
        torn: (complete < bytes.len()).then(|| TornTail {
            bytes: bytes.len() - complete,
            moved_to: None,
        }),
    })
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
    let bytes = read_settled(path)?;
    let mut entries = Vec::new();
    let (_, complete) = collect(path, &bytes, &mut entries)?;
    let torn = (complete < bytes.len()).then(|| TornTail {
        bytes: bytes.len() - complete,
        moved_to: None,
    });
    Ok(Replay { entries, torn })
}

pub(super) fn collect(
    path: &Path,
    bytes: &[u8],
    entries: &mut Vec<Entry>,
) -> Result<(u64, usize), JournalError> {
    collect_after(path, bytes, (0, GENESIS), entries)
}

/// The complete lines of `bytes`, which follow entry `after.0` (hash `after.1`), verified and
/// chained to it; returns the last seq and where the complete lines end.
pub(super) fn collect_after(
    path: &Path,
    bytes: &[u8],
    after: (u64, &str),
    entries: &mut Vec<Entry>,
) -> Result<(u64, usize), JournalError> {
    replay_bytes_after(path, bytes, after, |e| {
        entries.push(e.to_entry());
        Ok::<(), JournalError>(())
    })
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
    let bytes = read_settled(path)?;
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
