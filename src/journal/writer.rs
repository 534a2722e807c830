//! Writing a journal that several processes share: the lock taken for one append at a time,
//! what others appended read before each append, appends that are fsync'd or undone, and a
//! torn tail moved aside by whoever holds the lock next.

use std::fs::{File, OpenOptions};
use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::line::encode;
use super::read::collect_after;
use super::{Entry, GENESIS, JournalError, NewEntry, TornTail};
use crate::lang::io;

/// How long a writer waits for another to finish its append before giving up. An append
/// takes milliseconds; only a process stuck in the middle of one (a frozen file share) holds
/// the lock this long.
pub const LOCK_WAIT: Duration = Duration::from_secs(10);

/// One writer of a journal among any number, in this process or others. It holds no lock of
/// its own between appends: [`JournalWriter::lock`] takes the journal's lock for one append,
/// and [`JournalWriter::catch_up`] reads what others appended before it.
#[derive(Debug)]
pub struct JournalWriter {
    path: PathBuf,
    lock_path: PathBuf,
    file: File,
    /// Bytes of complete lines this writer has read or written (the others' included).
    len: u64,
    last_seq: u64,
    head: String,
    /// A failed append could not be undone: the file may hold a partial line, so nothing more
    /// is appended through this writer (the next writer to take the lock moves it aside).
    poisoned: bool,
}

/// The journal's lock, held for one append (released when dropped, and by the operating
/// system when the process dies, so a killed writer never leaves the journal locked).
///
/// The lock is a separate file (`journal.lock` beside the journal) rather than the journal
/// itself: on Windows a file lock is mandatory and would stop every reader of the journal
/// while an append is under way.
#[derive(Debug)]
pub struct JournalLock {
    file: File,
}

impl Drop for JournalLock {
    fn drop(&mut self) {
        let _ = self.file.unlock();
    }
}

/// What others appended since a writer last looked.
#[derive(Debug, Default)]
pub struct CaughtUp {
    /// Their entries, in order, verified and chained to what the writer had.
    pub entries: Vec<Entry>,
    /// A partial line left by a writer that died in the middle of an append, moved aside.
    pub torn: Option<TornTail>,
}

/// The lock file of the journal at `path`.
pub fn lock_path(path: &Path) -> PathBuf {
    path.with_extension("lock")
}

/// Makes a directory entry durable (a new file survives a crash only once its folder is synced).
fn sync_dir(dir: &Path) -> Result<(), JournalError> {
    crate::platform::sync_dir(dir).map_err(|e| JournalError::io(io::SYNC_FOLDER, dir, e))
}

impl JournalWriter {
    /// Creates a new, empty journal (failing if one exists) and its lock file.
    pub fn create(path: &Path) -> Result<JournalWriter, JournalError> {
        let file = OpenOptions::new()
            .read(true)
            .append(true)
            .create_new(true)
            .open(path)
            .map_err(|e| JournalError::io(io::CREATE, path, e))?;
        let lock_path = lock_path(path);
        open_lock_file(&lock_path)?;
        if let Some(dir) = path.parent() {
            sync_dir(dir)?;
        }
        Ok(JournalWriter {
            path: path.to_path_buf(),
            lock_path,
            file,
            len: 0,
            last_seq: 0,
            head: GENESIS.to_string(),
            poisoned: false,
        })
    }

    /// Opens an existing journal for appending and reads it whole, verifying every line (under
    /// the lock for a moment, so that a torn tail is told from an append under way and moved
    /// aside). Fails, appending nothing, if any complete line is bad.
    pub fn open(path: &Path) -> Result<(JournalWriter, CaughtUp), JournalError> {
        let file =
            crate::platform::open_no_follow(OpenOptions::new().read(true).append(true), path)
                .map_err(|e| JournalError::io(io::OPEN, path, e))?;
        let mut writer = JournalWriter {
            path: path.to_path_buf(),
            lock_path: lock_path(path),
            file,
            len: 0,
            last_seq: 0,
            head: GENESIS.to_string(),
            poisoned: false,
        };
        let lock = writer.lock()?;
        let caught_up = writer.catch_up(&lock)?;
        Ok((writer, caught_up))
    }

    /// The journal's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Sequence number of the last entry this writer knows (0 when empty).
    pub fn last_seq(&self) -> u64 {
        self.last_seq
    }

    /// Hash of the last entry this writer knows, or [`GENESIS`].
    pub fn head(&self) -> &str {
        &self.head
    }

    /// Takes the journal's lock, waiting up to [`LOCK_WAIT`] for another writer's append to
    /// finish.
    pub fn lock(&self) -> Result<JournalLock, JournalError> {
        let file = open_lock_file(&self.lock_path)?;
        wait_for_lock(&file, &self.path)?;
        Ok(JournalLock { file })
    }

    /// Reads, under the lock, every line appended since this writer last looked, verified and
    /// chained to what it had. A partial last line can only be a writer that died in the
    /// middle of an append (a live one would hold the lock): it is moved to `journal.torn`
    /// and the journal cut back to its complete lines.
    pub fn catch_up(&mut self, _lock: &JournalLock) -> Result<CaughtUp, JournalError> {
        let bytes = self.read_new()?;
        let entries = self.take_complete(&bytes)?;
        let complete = entries.1;
        let mut caught_up = CaughtUp {
            entries: entries.0,
            torn: None,
        };
        if complete < bytes.len() {
            let torn_path = self.path.with_extension("torn");
            let mut aside = crate::platform::open_no_follow(
                OpenOptions::new().create(true).append(true),
                &torn_path,
            )
            .map_err(|e| JournalError::io(io::CREATE, &torn_path, e))?;
            aside
                .write_all(&bytes[complete..])
                .and_then(|()| aside.write_all(b"\n"))
                .and_then(|()| aside.sync_all())
                .map_err(|e| JournalError::io(io::WRITE, &torn_path, e))?;
            self.file
                .set_len(self.len)
                .and_then(|()| self.file.sync_all())
                .map_err(|e| JournalError::io(io::TRUNCATE, &self.path, e))?;
            caught_up.torn = Some(TornTail {
                bytes: bytes.len() - complete,
                moved_to: Some(torn_path),
            });
        }
        Ok(caught_up)
    }

    /// Reads, without the lock, the complete lines others appended since this writer last
    /// looked (what an open screen polls). A partial last line is left for later: it may be
    /// an append under way.
    pub fn refresh(&mut self) -> Result<Vec<Entry>, JournalError> {
        let size = self
            .file
            .metadata()
            .map_err(|e| JournalError::io(io::READ, &self.path, e))?
            .len();
        if size <= self.len {
            return Ok(Vec::new());
        }
        let bytes = self.read_new()?;
        Ok(self.take_complete(&bytes)?.0)
    }

    /// The bytes after what this writer knows.
    fn read_new(&mut self) -> Result<Vec<u8>, JournalError> {
        let mut bytes = Vec::new();
        self.file
            .seek(SeekFrom::Start(self.len))
            .and_then(|_| self.file.read_to_end(&mut bytes))
            .map_err(|e| JournalError::io(io::READ, &self.path, e))?;
        Ok(bytes)
    }

    /// Verifies the complete lines at the start of `bytes` against this writer's head and
    /// takes them in; returns them and where they end.
    fn take_complete(&mut self, bytes: &[u8]) -> Result<(Vec<Entry>, usize), JournalError> {
        let mut entries = Vec::new();
        let (last_seq, complete) =
            collect_after(&self.path, bytes, (self.last_seq, &self.head), &mut entries)?;
        if let Some(last) = entries.last() {
            self.head.clone_from(&last.hash);
        }
        self.last_seq = last_seq;
        self.len += complete as u64;
        Ok((entries, complete))
    }

    /// Appends entries in one write and fsyncs them; returns them as written. The caller holds
    /// the lock and has caught up (so the entries follow the journal's real last line). On
    /// any error the file is cut back to its previous length, so a failed append (a full
    /// disk, a file size limit) leaves the journal exactly as it was.
    pub fn append(
        &mut self,
        _lock: &JournalLock,
        new: &[NewEntry<'_>],
    ) -> Result<Vec<Entry>, JournalError> {
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
            // If even the undo fails, the partial line is moved aside by the next catch-up.
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

/// Takes the lock on `file` (the lock file of the journal at `journal`), waiting up to
/// [`LOCK_WAIT`] for another writer's append to finish.
pub(super) fn wait_for_lock(file: &File, journal: &Path) -> Result<(), JournalError> {
    let began = Instant::now();
    let mut pause = Duration::from_millis(1);
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(()),
            Err(std::fs::TryLockError::WouldBlock) if began.elapsed() < LOCK_WAIT => {
                // Appends take milliseconds: poll briefly, backing off to 20 ms.
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(20));
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(JournalError::Locked {
                    path: journal.to_path_buf(),
                });
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(JournalError::io(io::LOCK, &lock_path(journal), e));
            }
        }
    }
}

/// Opens (creating if missing: incidents from before the lock file have none) the lock file.
fn open_lock_file(path: &Path) -> Result<File, JournalError> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    crate::platform::open_no_follow(&options, path).map_err(|e| JournalError::io(io::LOCK, path, e))
}
