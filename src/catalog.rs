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
    /// Neither a file, nor a playbook of the city's folder, nor a stock playbook.
    NotFound {
        /// What was asked for.
        name: String,
        /// Where it was looked for, in order.
        looked: Vec<String>,
        /// The stock ids.
        stock: String,
    },
    /// Neither a file, nor a scenario of the city's folder, nor a stock scenario.
    ScenarioNotFound {
        /// What was asked for.
        name: String,
        /// Where it was looked for, in order.
        looked: Vec<String>,
        /// The stock ids.
        stock: String,
    },
    /// A folder could not be listed.
    Folder {
        /// The folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// The English of [`CatalogError::message`]: each failure's text is written once.
impl std::fmt::Display for CatalogError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(crate::Lang::En))
    }
}

impl CatalogError {
    /// The message in `lang`.
    pub fn message(&self, lang: crate::Lang) -> String {
        match self {
            CatalogError::NotFound {
                name,
                looked,
                stock,
            } => {
                let looked = looked.join(", ");
                crate::tr!(
                    lang,
                    "`{name}` という手順書が見つかりません（探した場所: {looked}。標準の手順書: {stock}）",
                    "no playbook file or playbook named `{name}` (looked in: {looked}; stock playbooks: {stock})"
                )
            }
            CatalogError::ScenarioNotFound {
                name,
                looked,
                stock,
            } => {
                let looked = looked.join(", ");
                crate::tr!(
                    lang,
                    "`{name}` という訓練シナリオが見つかりません（探した場所: {looked}。標準のシナリオ: {stock}）",
                    "no scenario file or scenario named `{name}` (looked in: {looked}; stock scenarios: {stock})"
                )
            }
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

/// The city's folder of playbooks, relative to the current folder: what `hikeshi list`,
/// `check` and the launcher show, and where an id is looked up before the stock set.
pub const CITY_FOLDER: &str = "playbooks";

/// A path made absolute (against the current folder) for the record, as text, with `.` and
/// `..` taken out (a scenario's `../ID.yaml` shows as the playbook's own path).
fn absolute(path: &Path) -> String {
    let full = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for part in full.components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out.display().to_string()
}

/// The playbook file in `folder` that `id` names: `ID.yaml` or `ID.yml`, else the one whose
/// compiled id is `id` (overlays and files named otherwise), compiled with the directory
/// beside it exactly as `hikeshi list` does. Each place looked in is added to `looked`.
pub(crate) fn city_playbook(id: &str, folder: &Path, looked: &mut Vec<String>) -> Option<PathBuf> {
    if !folder.is_dir() || id.is_empty() || id.contains(['/', '\\']) {
        return None;
    }
    for ext in ["yaml", "yml"] {
        let candidate = folder.join(format!("{id}.{ext}"));
        if candidate.is_file() && !is_not_a_playbook(&candidate) {
            return Some(candidate);
        }
    }
    looked.push(folder.join(format!("{id}.yaml")).display().to_string());
    looked.push(folder.join("*.yaml (id:)").display().to_string());
    let options = CompileOptions::default();
    yaml_files_in(folder)
        .ok()?
        .into_iter()
        .filter(|f| !is_not_a_playbook(f))
        .find(|f| {
            let r = PlaybookRef::File(f.clone());
            load_playbook(&r, &r.divisions_source(None), &options)
                .is_ok_and(|l| l.compiled.playbook.id == id)
        })
}

/// Whether a path names a divisions file.
pub fn is_divisions_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| DIVISIONS_FILE_NAMES.contains(&n))
}

/// Whether a path names an account register (`accounts.yaml`), which is no playbook.
pub fn is_register_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n == crate::register::FILE_NAME)
}

/// A file in a playbooks folder that is no playbook: the directory or the register.
pub fn is_not_a_playbook(path: &Path) -> bool {
    is_divisions_file(path) || is_register_file(path)
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
    /// What a name on the command line means (the one rule, docs/playbook-format.md
    /// "Which file a name means"): a path that exists is that file; else an id, looked up in
    /// the city's folder ([`CITY_FOLDER`], the one `hikeshi list` shows) and then in the
    /// stock set. The error lists every place looked in.
    pub fn resolve(spec: &str) -> Result<PlaybookRef, CatalogError> {
        let path = Path::new(spec);
        if path.exists() {
            return Ok(PlaybookRef::File(path.to_path_buf()));
        }
        let mut looked = vec![path.display().to_string()];
        // A name written as a file (a folder, or .yaml) is only that file: no id is looked for.
        let file_like = path.components().count() > 1
            || path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"));
        let found = if file_like {
            None
        } else {
            PlaybookRef::by_id(spec, Path::new(CITY_FOLDER), &mut looked)
        };
        found.ok_or_else(|| CatalogError::NotFound {
            name: spec.to_string(),
            looked,
            stock: stock_ids().join(", "),
        })
    }

    /// An id looked up in a city's folder (`ID.yaml`, `ID.yml`, then the playbook whose
    /// compiled id it is, as `hikeshi list` shows it), then in the stock set; each place
    /// looked in is added to `looked`.
    pub fn by_id(id: &str, folder: &Path, looked: &mut Vec<String>) -> Option<PlaybookRef> {
        if let Some(file) = city_playbook(id, folder, looked) {
            return Some(PlaybookRef::File(file));
        }
        if stock_playbook(id).is_some() {
            return Some(PlaybookRef::Stock(id.to_string()));
        }
        looked.push(format!("<embedded>/playbooks/{id}.yaml"));
        None
    }

    /// Where it comes from, as `status` and `show` print it: the file's absolute path, or
    /// the stock playbook's embedded name.
    pub fn origin(&self) -> String {
        match self {
            PlaybookRef::File(p) => absolute(p),
            PlaybookRef::Stock(id) => format!("<embedded>/playbooks/{id}.yaml"),
        }
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
    /// The directory a command uses: `explicit` if given, else `divisions.yaml` in the folder
    /// `beside` (a register's, a spreadsheet's output), else the city's
    /// `./playbooks/divisions.yaml`, else the stock example.
    pub fn find(explicit: Option<&Path>, beside: Option<&Path>) -> DivisionsRef {
        if let Some(p) = explicit {
            return DivisionsRef::File(p.to_path_buf());
        }
        let city = Path::new("playbooks").join(stock::DIVISIONS.name);
        beside
            .map(|folder| folder.join(stock::DIVISIONS.name))
            .into_iter()
            .chain([city])
            .find(|p| p.is_file())
            .map_or(DivisionsRef::Stock, DivisionsRef::File)
    }

    /// Where it comes from, as `status` and `show` print it.
    pub fn origin(&self) -> String {
        match self {
            DivisionsRef::File(p) => absolute(p),
            DivisionsRef::Stock => stock::display_name(&stock::DIVISIONS),
        }
    }

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
    /// Where the playbook and the directory were read from.
    pub origin: crate::incident::Origin,
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
            origin: crate::incident::Origin {
                playbook: playbook.origin(),
                divisions: divisions.origin(),
            },
        }),
        Err(diagnostics) => Err(LoadFailure {
            diagnostics,
            sources: vec![source, divisions_source],
        }),
    }
}
