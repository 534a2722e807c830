//! Windows: a folder opens only with backup semantics, and NTFS may refuse to flush it.

use std::fs::OpenOptions;
use std::os::windows::fs::OpenOptionsExt as _;
use std::path::Path;

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
