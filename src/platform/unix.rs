//! Unix: a folder opens like a file and fsyncs; `O_NOFOLLOW` refuses a link as it opens.

use std::fs::{File, OpenOptions};
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::Path;

pub(super) fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

/// A link refused by `O_NOFOLLOW` is `ELOOP`: said plainly instead.
fn plain(e: std::io::Error) -> std::io::Error {
    if e.raw_os_error() == Some(libc::ELOOP) {
        super::link_refused()
    } else {
        e
    }
}

pub(super) fn open_no_follow(options: &OpenOptions, path: &Path) -> std::io::Result<File> {
    options
        .clone()
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
        .map_err(plain)
}

pub(super) fn open_for_reading(path: &Path, follow: bool) -> std::io::Result<File> {
    // O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting forever
    // (it has no meaning for the regular files that are then taken).
    let flags = if follow {
        libc::O_NONBLOCK
    } else {
        libc::O_NONBLOCK | libc::O_NOFOLLOW
    };
    OpenOptions::new()
        .read(true)
        .custom_flags(flags)
        .open(path)
        .map_err(plain)
}

pub(super) fn handle_file_size_limit() {
    // A handler (that only sets a flag no one reads) replaces the default action, which kills
    // the process; the write then returns EFBIG, and the journal's undo runs. If it cannot be
    // installed, the default stays: nothing better can be done.
    let flag = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let _ = signal_hook::flag::register(signal_hook::consts::SIGXFSZ, flag);
}
