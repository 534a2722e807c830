//! A new incident folder is built under a temporary name beside its final place and renamed
//! into place only once complete, so an incident appears whole or not at all.
//!
//! The builder holds a lock on `.tmp-<id>-<pid>.lock` (beside the folder, not inside it:
//! Windows will not rename a folder while a file in it is open) from before the folder exists
//! until after the rename. A later start removes every temporary folder whose lock it can
//! take: its builder is gone. Listing ignores temporary folders (see [`is_temporary`]).

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use super::IncidentError;
use crate::lang::io;

/// Names of folders (and their lock files) being built; never an incident id (ids start with
/// a date).
const PREFIX: &str = ".tmp-";
const LOCK: &str = ".lock";

/// Whether `name` (a file name inside the incidents folder) is a temporary folder or its lock.
pub(super) fn is_temporary(name: &str) -> bool {
    name.starts_with(PREFIX)
}

/// A folder being built: removed with its lock if dropped before [`Staged::finish`].
pub(super) struct Staged {
    dir: PathBuf,
    lock_path: PathBuf,
    lock: Option<File>,
}

impl Staged {
    /// Takes the lock and makes an empty temporary folder for `base` in `incidents`.
    pub(super) fn begin(incidents: &Path, base: &str) -> Result<Staged, IncidentError> {
        let name = format!("{PREFIX}{base}-{}", std::process::id());
        let dir = incidents.join(&name);
        let lock_path = incidents.join(format!("{name}{LOCK}"));
        let lock = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&lock_path)
            .map_err(|e| IncidentError::io(io::CREATE, &lock_path, e))?;
        lock.try_lock()
            .map_err(|e| IncidentError::io(io::LOCK, &lock_path, e.into()))?;
        let staged = Staged {
            dir,
            lock_path,
            lock: Some(lock),
        };
        // A folder of this name can only be left by a dead process that had our pid.
        remove_dir(&staged.dir);
        std::fs::create_dir(&staged.dir)
            .map_err(|e| IncidentError::io(io::CREATE, &staged.dir, e))?;
        Ok(staged)
    }

    /// The temporary folder.
    pub(super) fn dir(&self) -> &Path {
        &self.dir
    }

    /// Syncs the complete folder and renames it to the first free name of `candidates`, then
    /// syncs the incidents folder so that the rename survives a power loss.
    pub(super) fn finish(
        mut self,
        candidates: impl IntoIterator<Item = PathBuf>,
    ) -> Result<PathBuf, IncidentError> {
        sync(&self.dir)?;
        let mut last = None;
        for target in candidates {
            if target.symlink_metadata().is_ok() {
                continue;
            }
            match std::fs::rename(&self.dir, &target) {
                Ok(()) => {
                    if let Some(parent) = target.parent() {
                        sync(parent)?;
                    }
                    self.release();
                    return Ok(target);
                }
                // Another start took the name in between: try the next.
                Err(_) if target.symlink_metadata().is_ok() => last = Some(target),
                Err(e) => return Err(IncidentError::io(io::CREATE, &target, e)),
            }
        }
        Err(IncidentError::io(
            io::CREATE,
            last.as_deref().unwrap_or(&self.dir),
            std::io::Error::from(std::io::ErrorKind::AlreadyExists),
        ))
    }

    fn release(&mut self) {
        if self.lock.take().is_some() {
            let _ = std::fs::remove_file(&self.lock_path);
        }
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if self.lock.is_some() {
            remove_dir(&self.dir);
            self.release();
        }
    }
}

fn sync(dir: &Path) -> Result<(), IncidentError> {
    crate::platform::sync_dir(dir).map_err(|e| IncidentError::io(io::SYNC_FOLDER, dir, e))
}

fn remove_dir(dir: &Path) {
    let _ = std::fs::remove_dir_all(dir);
}

/// Removes the temporary folders left in `incidents` by starts that died (their lock is free);
/// folders still being built are left alone. Best effort: what cannot be removed stays
/// ignored by listing.
pub(super) fn clean_leftovers(incidents: &Path) {
    let Ok(entries) = std::fs::read_dir(incidents) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(folder) = name
            .strip_suffix(LOCK)
            .filter(|folder| is_temporary(folder))
        else {
            continue;
        };
        let lock_path = entry.path();
        let Ok(lock) = OpenOptions::new().read(true).write(true).open(&lock_path) else {
            continue;
        };
        if lock.try_lock().is_ok() {
            remove_dir(&incidents.join(folder));
            drop(lock);
            let _ = std::fs::remove_file(&lock_path);
        }
    }
}
