//! What a command can fail with, other than problems it has already reported.

use std::path::PathBuf;

use crate::catalog;

/// A failure that is not a diagnostic in a file.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// A playbook or folder could not be found.
    #[error(transparent)]
    Catalog(#[from] catalog::CatalogError),
    /// Writing a file failed.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// `init` would overwrite files.
    #[error("{count} file(s) already exist in {dir} (first: {first}); use --force to overwrite")]
    WouldOverwrite {
        /// The folder.
        dir: PathBuf,
        /// How many.
        count: usize,
        /// The first one.
        first: PathBuf,
    },
    /// Writing to stdout or stderr failed.
    #[error("cannot write output: {0}")]
    Output(#[from] std::io::Error),
}
