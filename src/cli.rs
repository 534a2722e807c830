//! The command line: clap definitions and what each command does. Command names, flags and
//! exit codes are a contract that scripts depend on:
//! 0 = success (warnings allowed), 1 = errors found or the command failed, 2 = usage error.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::{FixedOffset, NaiveDate, Utc};
use clap::{Parser, Subcommand, ValueEnum};
use unicode_width::UnicodeWidthStr;

use crate::catalog::{
    self, DivisionsRef, LoadFailure, PlaybookRef, is_divisions_file, yaml_files_in,
};
use crate::directory::Directory;
use crate::lang::Lang;
use crate::playbook::duration::format_duration;
use crate::playbook::export::{divisions_schema, playbook_schema, to_dot, to_mermaid};
use crate::playbook::{CompileOptions, Diagnostic, SourceFile, compile_source};
use crate::stock;

/// hikeshi (火消し): incident-response runbooks for social-media crises at municipalities.
#[derive(Debug, Parser)]
#[command(name = "hikeshi", version, about, long_about = None)]
#[command(
    after_help = "Exit codes: 0 success (warnings allowed), 1 errors found, 2 usage error.\n\
Playbooks: a file path, or a stock playbook id (unauthorized-access, impersonation, flaming)."
)]
pub struct Cli {
    /// Language of messages: ja (default) or en.
    #[arg(long, global = true, env = "HIKESHI_LANG", default_value = "ja")]
    pub lang: Lang,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check playbooks and divisions files; report every problem with file, line and column.
    ///
    /// PATHs are files or folders (the YAML files directly inside). Without PATH: ./playbooks
    /// if it exists, else the stock playbooks embedded in hikeshi. Playbooks are checked
    /// against --divisions FILE if given, else the divisions.yaml beside them, else the
    /// stock example directory.
    Check {
        /// Playbook or divisions files, or folders of them.
        paths: Vec<PathBuf>,
        /// The divisions file to check playbooks against.
        #[arg(long, value_name = "FILE")]
        divisions: Option<PathBuf>,
        /// Print diagnostics as JSON on stdout instead of text on stderr.
        #[arg(long)]
        json: bool,
    },
    /// Print a playbook's step graph (decisions and the critical path marked).
    Graph {
        /// A playbook file, or a stock playbook id.
        playbook: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
        format: GraphFormat,
        /// The divisions file to check the playbook against.
        #[arg(long, value_name = "FILE")]
        divisions: Option<PathBuf>,
    },
    /// Print the JSON Schema of the playbook format (or of divisions.yaml).
    Schema {
        /// The schema of divisions.yaml instead.
        #[arg(long)]
        divisions: bool,
    },
    /// List playbooks with their step counts and critical-path durations.
    List {
        /// A folder of playbooks (default ./playbooks, else the stock playbooks).
        path: Option<PathBuf>,
    },
    /// Write the stock playbooks, divisions.yaml, schemas and a commented hikeshi.toml into
    /// DIR, for a municipality to adapt.
    Init {
        /// The folder to create or fill.
        dir: PathBuf,
        /// Overwrite files that already exist.
        #[arg(long)]
        force: bool,
    },
}

/// Formats of `hikeshi graph`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// Graphviz DOT (`dot -Tsvg`).
    Dot,
    /// Mermaid flowchart (renders in GitLab, GitHub and many wikis).
    Mermaid,
}

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

/// What a command ended with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Exit 0.
    Success,
    /// Exit 1: problems were found and reported.
    Problems,
}

impl From<Outcome> for ExitCode {
    fn from(o: Outcome) -> Self {
        match o {
            Outcome::Success => ExitCode::SUCCESS,
            Outcome::Problems => ExitCode::from(1),
        }
    }
}

/// Today's date in Japan (for review-overdue warnings).
fn today_jst() -> Option<NaiveDate> {
    let jst = FixedOffset::east_opt(9 * 3600)?;
    Some(Utc::now().with_timezone(&jst).date_naive())
}

fn compile_options() -> CompileOptions {
    CompileOptions {
        today: today_jst(),
        ..CompileOptions::default()
    }
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<Outcome, CliError> {
    let lang = cli.lang;
    match cli.command {
        Command::Check {
            paths,
            divisions,
            json,
        } => check(&paths, divisions.as_deref(), json, lang),
        Command::Graph {
            playbook,
            format,
            divisions,
        } => graph(&playbook, format, divisions.as_deref(), lang),
        Command::Schema { divisions } => {
            let text = if divisions {
                divisions_schema()
            } else {
                playbook_schema()
            };
            std::io::stdout().write_all(text.as_bytes())?;
            Ok(Outcome::Success)
        }
        Command::List { path } => list(path.as_deref(), lang),
        Command::Init { dir, force } => init(&dir, force, lang),
    }
}

/// Renders diagnostics to stderr, each with the source line it points into.
fn report(diagnostics: &[Diagnostic], sources: &[SourceFile], lang: Lang) -> std::io::Result<()> {
    let mut err = std::io::stderr().lock();
    for d in diagnostics {
        let text = sources
            .iter()
            .find(|s| s.name == d.file)
            .map(|s| s.text.as_str());
        writeln!(err, "{}", d.render(text, lang))?;
    }
    Ok(())
}

/// A diagnostic with its message and hint rendered, for `--json`.
#[derive(serde::Serialize)]
struct JsonDiagnostic<'a> {
    #[serde(flatten)]
    diagnostic: &'a Diagnostic,
    message: String,
    hint: Option<String>,
}

/// What `check` looks at: playbooks grouped with the directory they are checked against.
struct CheckSet {
    divisions: DivisionsRef,
    divisions_is_target: bool,
    playbooks: Vec<PlaybookSource>,
}

enum PlaybookSource {
    File(PathBuf),
    Embedded(SourceFile),
}

fn check_sets(paths: &[PathBuf], explicit: Option<&Path>) -> Result<Vec<CheckSet>, CliError> {
    let with = |d: DivisionsRef| explicit.map_or(d, |p| DivisionsRef::File(p.to_path_buf()));
    if paths.is_empty() {
        let default = Path::new("playbooks");
        if default.is_dir() {
            return check_sets(&[default.to_path_buf()], explicit);
        }
        return Ok(vec![CheckSet {
            divisions: with(DivisionsRef::Stock),
            divisions_is_target: explicit.is_none(),
            playbooks: catalog::stock_playbooks()
                .into_iter()
                .map(PlaybookSource::Embedded)
                .collect(),
        }]);
    }
    let mut sets: Vec<CheckSet> = Vec::new();
    for path in paths {
        let files = if path.is_dir() {
            yaml_files_in(path)?
        } else {
            vec![path.clone()]
        };
        for file in files {
            if is_divisions_file(&file) {
                sets.push(CheckSet {
                    divisions: DivisionsRef::File(file),
                    divisions_is_target: true,
                    playbooks: Vec::new(),
                });
                continue;
            }
            let divisions = with(PlaybookRef::File(file.clone()).divisions_source(None));
            match sets.iter_mut().find(|s| s.divisions == divisions) {
                Some(set) => set.playbooks.push(PlaybookSource::File(file)),
                None => sets.push(CheckSet {
                    divisions,
                    divisions_is_target: false,
                    playbooks: vec![PlaybookSource::File(file)],
                }),
            }
        }
    }
    // A divisions file named directly and also found beside a playbook is checked once.
    let mut merged: Vec<CheckSet> = Vec::new();
    for set in sets {
        match merged.iter_mut().find(|m| m.divisions == set.divisions) {
            Some(m) => {
                m.divisions_is_target |= set.divisions_is_target;
                m.playbooks.extend(set.playbooks);
            }
            None => merged.push(set),
        }
    }
    Ok(merged)
}

fn check(
    paths: &[PathBuf],
    explicit: Option<&Path>,
    json: bool,
    lang: Lang,
) -> Result<Outcome, CliError> {
    let options = compile_options();
    let sets = check_sets(paths, explicit)?;
    let mut all: Vec<Diagnostic> = Vec::new();
    let mut sources: Vec<SourceFile> = Vec::new();
    let mut files = 0usize;
    let mut out = std::io::stdout().lock();
    for set in sets {
        let directory: Option<Directory> = match set.divisions.load(&options.limits) {
            Ok((source, directory)) => {
                if set.divisions_is_target {
                    files += 1;
                    if !json {
                        writeln!(out, "{} {}", lang.pick("OK  ", "ok  "), source.name)?;
                    }
                }
                sources.push(source);
                Some(directory)
            }
            Err(diagnostics) => {
                files += 1;
                if let DivisionsRef::File(p) = &set.divisions
                    && let Ok(s) = SourceFile::read(p, &options.limits)
                {
                    sources.push(s);
                }
                all.extend(diagnostics);
                None
            }
        };
        for playbook in set.playbooks {
            files += 1;
            let source = match playbook {
                PlaybookSource::Embedded(s) => s,
                PlaybookSource::File(p) => match SourceFile::read(&p, &options.limits) {
                    Ok(s) => s,
                    Err(d) => {
                        all.push(*d);
                        continue;
                    }
                },
            };
            let Some(directory) = &directory else {
                let mut err = std::io::stderr().lock();
                writeln!(
                    err,
                    "{}",
                    match lang {
                        Lang::Ja => format!(
                            "{}: 部署ファイルにエラーがあるため検査できません",
                            source.name
                        ),
                        Lang::En => format!(
                            "{}: not checked, because its divisions file has errors",
                            source.name
                        ),
                    }
                )?;
                sources.push(source);
                continue;
            };
            match compile_source(&source, directory, &options) {
                Ok(compiled) => {
                    if !json {
                        let graph = &compiled.playbook.graph;
                        writeln!(
                            out,
                            "{} {} ({} {}, {} {})",
                            lang.pick("OK  ", "ok  "),
                            source.name,
                            graph.len(),
                            lang.pick("手順", "steps"),
                            lang.pick("クリティカルパス", "critical path"),
                            format_duration(graph.critical_duration(), lang)
                        )?;
                    }
                    all.extend(compiled.warnings);
                }
                Err(diagnostics) => all.extend(diagnostics),
            }
            sources.push(source);
        }
    }
    let errors = all.iter().filter(|d| d.is_error()).count();
    let warnings = all.len() - errors;
    if json {
        let items: Vec<JsonDiagnostic> = all
            .iter()
            .map(|d| JsonDiagnostic {
                diagnostic: d,
                message: d.message(lang),
                hint: d.hint(lang),
            })
            .collect();
        serde_json::to_writer_pretty(&mut out, &items).map_err(std::io::Error::other)?;
        writeln!(out)?;
    } else {
        drop(out);
        report(&all, &sources, lang)?;
        let mut err = std::io::stderr().lock();
        match lang {
            Lang::Ja => writeln!(
                err,
                "{files} ファイルを検査: エラー {errors} 件、警告 {warnings} 件"
            )?,
            Lang::En => writeln!(
                err,
                "checked {files} file(s): {errors} error(s), {warnings} warning(s)"
            )?,
        }
    }
    Ok(if errors > 0 {
        Outcome::Problems
    } else {
        Outcome::Success
    })
}

fn report_failure(failure: &LoadFailure, lang: Lang) -> Result<Outcome, CliError> {
    report(&failure.diagnostics, &failure.sources, lang)?;
    Ok(Outcome::Problems)
}

fn graph(
    spec: &str,
    format: GraphFormat,
    divisions: Option<&Path>,
    lang: Lang,
) -> Result<Outcome, CliError> {
    let playbook = PlaybookRef::resolve(spec)?;
    let divisions = playbook.divisions_source(divisions);
    let loaded = match catalog::load_playbook(&playbook, &divisions, &compile_options()) {
        Ok(l) => l,
        Err(failure) => return report_failure(&failure, lang),
    };
    let text = match format {
        GraphFormat::Dot => to_dot(&loaded.compiled.playbook, lang),
        GraphFormat::Mermaid => to_mermaid(&loaded.compiled.playbook, lang),
    };
    std::io::stdout().write_all(text.as_bytes())?;
    Ok(Outcome::Success)
}

fn pad(text: &str, width: usize) -> String {
    let w = text.width();
    format!("{text}{}", " ".repeat(width.saturating_sub(w)))
}

fn list(path: Option<&Path>, lang: Lang) -> Result<Outcome, CliError> {
    let options = compile_options();
    let refs: Vec<PlaybookRef> = match path {
        Some(p) if p.is_file() => vec![PlaybookRef::File(p.to_path_buf())],
        Some(p) => yaml_files_in(p)?
            .into_iter()
            .filter(|f| !is_divisions_file(f))
            .map(PlaybookRef::File)
            .collect(),
        None if Path::new("playbooks").is_dir() => yaml_files_in(Path::new("playbooks"))?
            .into_iter()
            .filter(|f| !is_divisions_file(f))
            .map(PlaybookRef::File)
            .collect(),
        None => catalog::stock_ids()
            .into_iter()
            .map(|id| PlaybookRef::Stock(id.to_string()))
            .collect(),
    };
    let header = [
        lang.pick("ID", "ID"),
        lang.pick("手順書", "title"),
        lang.pick("手順数", "steps"),
        lang.pick("クリティカルパス", "critical path"),
        lang.pick("ファイル", "file"),
    ];
    let mut rows: Vec<[String; 5]> = Vec::new();
    let mut problems = false;
    for r in &refs {
        let divisions = r.divisions_source(None);
        match catalog::load_playbook(r, &divisions, &options) {
            Ok(loaded) => {
                let p = &loaded.compiled.playbook;
                rows.push([
                    p.id.clone(),
                    p.title.clone(),
                    p.graph.len().to_string(),
                    format_duration(p.graph.critical_duration(), lang),
                    loaded.source.name.clone(),
                ]);
            }
            Err(failure) => {
                problems = true;
                report_failure(&failure, lang)?;
            }
        }
    }
    let widths: Vec<usize> = (0..5)
        .map(|i| {
            rows.iter()
                .map(|r| r[i].width())
                .chain([header[i].width()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = std::io::stdout().lock();
    let line = |cells: [&str; 5]| {
        cells
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (c, w))| if i == 4 { c.to_string() } else { pad(c, *w) })
            .collect::<Vec<_>>()
            .join("  ")
    };
    writeln!(out, "{}", line(header))?;
    for r in &rows {
        writeln!(out, "{}", line([&r[0], &r[1], &r[2], &r[3], &r[4]]))?;
    }
    Ok(if problems {
        Outcome::Problems
    } else {
        Outcome::Success
    })
}

fn init(dir: &Path, force: bool, lang: Lang) -> Result<Outcome, CliError> {
    let mut files: Vec<(PathBuf, String)> = stock::PLAYBOOKS
        .iter()
        .chain([&stock::DIVISIONS])
        .map(|f| (dir.join("playbooks").join(f.name), f.text.to_string()))
        .collect();
    files.push((dir.join(stock::CONFIG.name), stock::CONFIG.text.to_string()));
    files.push((
        dir.join("docs").join("playbook.schema.json"),
        playbook_schema(),
    ));
    files.push((
        dir.join("docs").join("divisions.schema.json"),
        divisions_schema(),
    ));
    let existing: Vec<&PathBuf> = files
        .iter()
        .map(|(p, _)| p)
        .filter(|p| p.exists())
        .collect();
    if let (false, Some(first)) = (force, existing.first()) {
        return Err(CliError::WouldOverwrite {
            dir: dir.to_path_buf(),
            count: existing.len(),
            first: (*first).clone(),
        });
    }
    let mut out = std::io::stdout().lock();
    for (path, text) in &files {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| CliError::Write {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        std::fs::write(path, text).map_err(|source| CliError::Write {
            path: path.clone(),
            source,
        })?;
        writeln!(out, "{}", path.display())?;
    }
    match lang {
        Lang::Ja => writeln!(
            out,
            "{} に書き出しました。playbooks/divisions.yaml の連絡先を自団体のものに直し、`hikeshi check {}` で検査してください。",
            dir.display(),
            dir.join("playbooks").display()
        )?,
        Lang::En => writeln!(
            out,
            "Written to {}. Put your own contacts into playbooks/divisions.yaml, then run `hikeshi check {}`.",
            dir.display(),
            dir.join("playbooks").display()
        )?,
    }
    Ok(Outcome::Success)
}
