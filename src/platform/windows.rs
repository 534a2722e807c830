//! Windows: a folder opens only with backup semantics, and NTFS may refuse to flush it.

use std::fs::{File, OpenOptions};
use std::os::windows::fs::{MetadataExt as _, OpenOptionsExt as _};
use std::path::Path;

/// `FILE_FLAG_OPEN_REPARSE_POINT`: opens a link (a reparse point) itself, not its target.
const FILE_FLAG_OPEN_REPARSE_POINT: u32 = 0x0020_0000;
/// `FILE_ATTRIBUTE_REPARSE_POINT`: the file is a link (symbolic link, junction, …).
const FILE_ATTRIBUTE_REPARSE_POINT: u32 = 0x0400;

/// Refuses a handle that is a link itself (opened with `FILE_FLAG_OPEN_REPARSE_POINT`).
fn not_a_link(file: File) -> std::io::Result<File> {
    if file.metadata()?.file_attributes() & FILE_ATTRIBUTE_REPARSE_POINT != 0 {
        Err(super::link_refused())
    } else {
        Ok(file)
    }
}

pub(super) fn open_no_follow(options: &OpenOptions, path: &Path) -> std::io::Result<File> {
    not_a_link(
        options
            .clone()
            .custom_flags(FILE_FLAG_OPEN_REPARSE_POINT)
            .open(path)?,
    )
}

pub(super) fn open_for_reading(path: &Path, follow: bool) -> std::io::Result<File> {
    if follow {
        OpenOptions::new().read(true).open(path)
    } else {
        not_a_link(
            OpenOptions::new()
                .read(true)
                .custom_flags(FILE_FLAG_OPEN_REPARSE_POINT)
                .open(path)?,
        )
    }
}

/// Windows has no file-size signal: a write past a quota fails with an error already.
pub(super) fn handle_file_size_limit() {}

/// `FILE_FLAG_BACKUP_SEMANTICS`: lets `CreateFileW` open a directory.
const FILE_FLAG_BACKUP_SEMANTICS: u32 = 0x0200_0000;

pub(super) fn sync_dir(dir: &Path) -> std::io::Result<()> {
    // Flushing needs write access; a folder that cannot be opened for writing is opened for
    // reading, so that a missing or unreadable folder is still an error.
    let folder = OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(FILE_FLAG_BACKUP_SEMANTICS)
        .open(dir)
        .or_else(|_| {
            OpenOptions::new()
                .read(true)
                .custom_flags(FILE_FLAG_BACKUP_SEMANTICS)
                .open(dir)
        })?;
    match folder.sync_all() {
        // FlushFileBuffers on a folder is refused (access denied, or not supported) by some
        // file systems and versions: NTFS journals the folder's metadata, so the entry is
        // durable once the file itself was flushed. This is the platform's limit, not a fault.
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::PermissionDenied
                    | std::io::ErrorKind::InvalidInput
                    | std::io::ErrorKind::Unsupported
            ) || e.raw_os_error() == Some(1) =>
        {
            Ok(())
        }
        other => other,
    }
}
