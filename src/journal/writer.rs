//! The single writer of a journal: the lock, appends that are fsync'd or undone, and the
//! torn tail moved aside on open.

use std::fs::{File, OpenOptions};
use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};

use super::line::encode;
use super::read::collect;
use super::{Entry, GENESIS, JournalError, NewEntry, Replay, TornTail};
use crate::lang::io;

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
    crate::platform::sync_dir(dir).map_err(|e| JournalError::io(io::SYNC_FOLDER, dir, e))
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
