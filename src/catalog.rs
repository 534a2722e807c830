//! Finding playbooks and the directory they are checked against: files on disk, or the
//! stock set embedded in the binary.

use std::path::{Path, PathBuf};

use crate::directory::Directory;
use crate::playbook::{CompileOptions, Compiled, Diagnostic, Limits, SourceFile, compile_source};
use crate::stock;

/// File names that hold a directory of divisions rather than a playbook.
pub const DIVISIONS_FILE_NAMES: [&str; 2] = ["divisions.yaml", "divisions.yml"];

/// Something went wrong finding files (not a problem inside a file: those are diagnostics).
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// Neither a file nor a stock playbook id.
    #[error("no playbook file or stock playbook named `{name}` (stock playbooks: {stock})")]
    NotFound {
        /// What was asked for.
        name: String,
        /// The stock ids.
        stock: String,
    },
    /// Neither a file nor a stock scenario id.
    #[error("no scenario file or stock scenario named `{name}` (stock scenarios: {stock})")]
    ScenarioNotFound {
        /// What was asked for.
        name: String,
        /// The stock ids.
        stock: String,
    },
    /// A folder could not be listed.
    #[error("cannot read the folder {path}: {source}")]
    Folder {
        /// The folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

impl CatalogError {
    /// The message in `lang`.
    pub fn message(&self, lang: crate::Lang) -> String {
        match self {
            CatalogError::NotFound { name, stock } => crate::tr!(
                lang,
                "`{name}` という手順書のファイルも標準の手順書もありません（標準の手順書: {stock}）",
                "no playbook file or stock playbook named `{name}` (stock playbooks: {stock})"
            ),
            CatalogError::ScenarioNotFound { name, stock } => crate::tr!(
                lang,
                "`{name}` という訓練シナリオのファイルも標準のシナリオもありません（標準のシナリオ: {stock}）",
                "no scenario file or stock scenario named `{name}` (stock scenarios: {stock})"
            ),
            CatalogError::Folder { path, source } => {
                let path = path.display();
                crate::tr!(
                    lang,
                    "フォルダ {path} を読み込めません: {source}",
                    "cannot read the folder {path}: {source}"
                )
            }
        }
    }
}

/// Whether a path names a divisions file.
pub fn is_divisions_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| DIVISIONS_FILE_NAMES.contains(&n))
}

/// The YAML files directly inside a folder, sorted by name.
pub fn yaml_files_in(folder: &Path) -> Result<Vec<PathBuf>, CatalogError> {
    let entries = std::fs::read_dir(folder).map_err(|source| CatalogError::Folder {
        path: folder.to_path_buf(),
        source,
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.is_file()
                && p.extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| e == "yaml" || e == "yml")
        })
        .collect();
    files.sort();
    Ok(files)
}

/// The stock playbooks as sources.
pub fn stock_playbooks() -> Vec<SourceFile> {
    stock::PLAYBOOKS
        .iter()
        .map(|f| SourceFile::new(stock::display_name(f), f.text))
        .collect()
}

/// The stock directory as a source.
pub fn stock_divisions() -> SourceFile {
    SourceFile::new(
        stock::display_name(&stock::DIVISIONS),
        stock::DIVISIONS.text,
    )
}

/// The stock playbook with this id (`unauthorized-access`, `impersonation`, `flaming`).
pub fn stock_playbook(id: &str) -> Option<SourceFile> {
    stock::PLAYBOOKS
        .iter()
        .find(|f| f.name.trim_end_matches(".yaml") == id)
        .map(|f| SourceFile::new(stock::display_name(f), f.text))
}

/// The ids of the stock playbooks.
pub fn stock_ids() -> Vec<&'static str> {
    stock::PLAYBOOKS
        .iter()
        .map(|f| f.name.trim_end_matches(".yaml"))
        .collect()
}

/// Where a playbook comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlaybookRef {
    /// A file on disk.
    File(PathBuf),
    /// A stock playbook embedded in the binary, by id.
    Stock(String),
}

impl PlaybookRef {
    /// A path if it exists, else a stock id if one matches, else an error listing both.
    pub fn resolve(spec: &str) -> Result<PlaybookRef, CatalogError> {
        let path = Path::new(spec);
        if path.exists() {
            return Ok(PlaybookRef::File(path.to_path_buf()));
        }
        if stock_playbook(spec).is_some() {
            return Ok(PlaybookRef::Stock(spec.to_string()));
        }
        Err(CatalogError::NotFound {
            name: spec.to_string(),
            stock: stock_ids().join(", "),
        })
    }

    /// Reads the playbook's source.
    pub fn source(&self, limits: &Limits) -> Result<SourceFile, Box<Diagnostic>> {
        match self {
            PlaybookRef::File(path) => SourceFile::read(path, limits),
            PlaybookRef::Stock(id) => stock_playbook(id).ok_or_else(|| {
                Box::new(Diagnostic::error(
                    id,
                    crate::playbook::Position::start(),
                    "",
                    crate::playbook::Problem::Unreadable {
                        reason: "not a stock playbook".into(),
                    },
                ))
            }),
        }
    }

    /// The divisions file that goes with it: `explicit` if given, else `divisions.yaml`
    /// beside the playbook file, else the stock directory.
    pub fn divisions_source(&self, explicit: Option<&Path>) -> DivisionsRef {
        if let Some(p) = explicit {
            return DivisionsRef::File(p.to_path_buf());
        }
        if let PlaybookRef::File(path) = self {
            let folder = path.parent().unwrap_or(Path::new("."));
            for name in DIVISIONS_FILE_NAMES {
                let candidate = folder.join(name);
                if candidate.is_file() {
                    return DivisionsRef::File(candidate);
                }
            }
        }
        DivisionsRef::Stock
    }
}

/// Where a directory of divisions comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DivisionsRef {
    /// A file.
    File(PathBuf),
    /// The stock example directory.
    Stock,
}

impl DivisionsRef {
    /// Reads and checks it.
    pub fn load(&self, limits: &Limits) -> Result<(SourceFile, Directory), Vec<Diagnostic>> {
        let source = match self {
            DivisionsRef::File(p) => SourceFile::read(p, limits).map_err(|d| vec![*d])?,
            DivisionsRef::Stock => stock_divisions(),
        };
        let directory = Directory::load(&source, limits)?;
        Ok((source, directory))
    }
}

/// A playbook loaded and compiled with its directory.
#[derive(Debug, Clone)]
pub struct LoadedPlaybook {
    /// The playbook's text.
    pub source: SourceFile,
    /// The directory's text.
    pub divisions_source: SourceFile,
    /// The checked directory.
    pub directory: Directory,
    /// The compiled playbook and its warnings.
    pub compiled: Compiled,
}

/// Diagnostics of a failed load, with the sources they point into.
#[derive(Debug, Clone)]
pub struct LoadFailure {
    /// Every diagnostic.
    pub diagnostics: Vec<Diagnostic>,
    /// The sources read so far, to render snippets from.
    pub sources: Vec<SourceFile>,
}

/// Loads, checks and compiles a playbook and its directory.
pub fn load_playbook(
    playbook: &PlaybookRef,
    divisions: &DivisionsRef,
    options: &CompileOptions,
) -> Result<LoadedPlaybook, LoadFailure> {
    let (divisions_source, directory) =
        divisions
            .load(&options.limits)
            .map_err(|diagnostics| LoadFailure {
                diagnostics,
                sources: Vec::new(),
            })?;
    let source = playbook.source(&options.limits).map_err(|d| LoadFailure {
        diagnostics: vec![*d],
        sources: vec![divisions_source.clone()],
    })?;
    match compile_source(&source, &directory, options) {
        Ok(compiled) => Ok(LoadedPlaybook {
            // Frozen with an incident, an overlay's `extends` names the frozen base.
            source: match &compiled.base {
                Some(_) => SourceFile::new(
                    source.name.clone(),
                    crate::playbook::extend::frozen_overlay(&source.text),
                ),
                None => source,
            },
            divisions_source,
            directory,
            compiled,
        }),
        Err(diagnostics) => Err(LoadFailure {
            diagnostics,
            sources: vec![source, divisions_source],
        }),
    }
}
