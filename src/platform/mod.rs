//! The only code that knows Windows from Unix: what the rest of hikeshi needs from the
//! operating system beyond `std`, behind one interface.
//!
//! Everything else (file locks through `File::try_lock`, paths through `Path`, the terminal
//! through crossterm) is already portable in `std` and the crates, so it does not come here.

use std::path::Path;

#[cfg(unix)]
mod unix;
#[cfg(unix)]
use unix as imp;

#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as imp;

/// Makes a folder's entries durable: a file created, renamed or removed inside `dir` survives
/// a power loss only once its folder is synced (the file's own data is flushed separately,
/// with `File::sync_all`).
///
/// On Unix the folder is opened and fsync'd. On Windows it is opened with backup semantics and
/// flushed; where the file system refuses to flush a folder, its metadata journal already
/// makes the entry durable (see docs/architecture.md, "Durability on Windows").
pub fn sync_dir(dir: &Path) -> std::io::Result<()> {
    imp::sync_dir(dir)
}
