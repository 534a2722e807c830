//! The only code that knows Windows from Unix: what the rest of hikeshi needs from the
//! operating system beyond `std`, behind one interface.
//!
//! Everything else (file locks through `File::try_lock`, paths through `Path`, the terminal
//! through crossterm) is already portable in `std` and the crates, so it does not come here.

use std::fs::{File, OpenOptions};
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

/// Opens `path` with `options`, but never through a symbolic link (on Windows, any reparse
/// point) at its last component: a link planted in an incident folder must not make hikeshi
/// write, or read, a file elsewhere. Every file hikeshi writes inside an incident folder
/// (journal, torn tail, lock and claim files, messages, evidence copies, reports) is opened
/// through this. A link is refused with an error saying so.
///
/// On Unix the open itself refuses (`O_NOFOLLOW`). On Windows the link itself is opened
/// (`FILE_FLAG_OPEN_REPARSE_POINT`) and refused before anything is written.
pub fn open_no_follow(options: &OpenOptions, path: &Path) -> std::io::Result<File> {
    imp::open_no_follow(options, path)
}

/// Opens an existing regular file for reading: never a FIFO, a device or a folder (opening
/// one never blocks), and with `follow` false never through a link. Evidence is read through
/// this: a FIFO given as evidence would otherwise hang hikeshi forever.
pub fn open_regular(path: &Path, follow: bool) -> std::io::Result<File> {
    let file = imp::open_for_reading(path, follow)?;
    if file.metadata()?.is_file() {
        Ok(file)
    } else {
        Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file (a folder, device or pipe is not taken)",
        ))
    }
}

/// Checks that `dir`, a folder hikeshi writes into or packs from (`evidence/`, `outbox/`,
/// `claims/`), is a real folder and not a link to one elsewhere.
pub fn real_dir(dir: &Path) -> std::io::Result<()> {
    let meta = std::fs::symlink_metadata(dir)?;
    if meta.file_type().is_symlink() {
        Err(link_refused())
    } else if meta.is_dir() {
        Ok(())
    } else {
        Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a folder",
        ))
    }
}

/// Makes a write beyond the file-size limit (`ulimit -f`) fail with an error, which the
/// journal cuts back, instead of killing the process with SIGXFSZ (Unix); nothing to do on
/// Windows. Called once at program start.
pub fn handle_file_size_limit() {
    imp::handle_file_size_limit();
}

/// The error for a link where hikeshi never follows one.
fn link_refused() -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidInput,
        "a link: hikeshi does not follow links inside an incident folder",
    )
}
