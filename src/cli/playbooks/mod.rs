//! Commands about playbooks: check, show, graph, schema, list, init.

mod check;
mod show;

use check::{is_scenario_file, scenario_sources};

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Subcommand, ValueEnum};
use unicode_width::UnicodeWidthStr;

use super::context::{Context, compile_options, print_failure};
use super::{Error, Outcome};
use crate::catalog::{self, PlaybookRef, yaml_files_in};
use crate::exercise::{self};
use crate::lang::{Lang, Text};
use crate::playbook::SourceFile;
use crate::playbook::duration::format_duration;
use crate::playbook::export::{divisions_schema, playbook_schema, to_dot, to_mermaid};
use crate::stock;
use crate::tr;

/// The playbook commands.
#[derive(Debug, Subcommand)]
pub enum Cmd {
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
        /// A playbook file, or an id: the city's ./playbooks/ID.yaml (or the file there with
        /// that id, as `list` shows it), else the stock playbook.
        playbook: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
        format: GraphFormat,
        /// The divisions file to check the playbook against.
        #[arg(long, value_name = "FILE")]
        divisions: Option<PathBuf>,
    },
    /// Print a playbook as hikeshi reads it: with `extends`, the merged steps, marked `+`
    /// (added) and `~` (changed), and the steps removed with their reasons.
    Show {
        /// A playbook file, or an id: the city's ./playbooks/ID.yaml (or the file there with
        /// that id, as `list` shows it), else the stock playbook.
        playbook: String,
        /// The divisions file to check the playbook against.
        #[arg(long, value_name = "FILE")]
        divisions: Option<PathBuf>,
    },
    /// Print the JSON Schema of the playbook format (or of divisions.yaml, a report, a summary,
    /// an exercise scenario or `status --json`).
    Schema {
        /// The schema of divisions.yaml instead.
        #[arg(long, conflicts_with_all = ["report", "exercise", "summary", "status"])]
        divisions: bool,
        /// The schema of `hikeshi report --format json` instead.
        #[arg(long, conflicts_with_all = ["exercise", "summary", "status"])]
        report: bool,
        /// The schema of exercise scenarios (playbooks/exercises/*.yaml) instead.
        #[arg(long, conflicts_with_all = ["summary", "status"])]
        exercise: bool,
        /// The schema of `hikeshi summary --format json` instead.
        #[arg(long, conflicts_with = "status")]
        summary: bool,
        /// The schema of `hikeshi status --json` instead.
        #[arg(long)]
        status: bool,
        /// The schema of the account register (accounts.yaml) instead.
        #[arg(long, conflicts_with_all = ["divisions", "report", "exercise", "summary", "status"])]
        accounts: bool,
    },
    /// List playbooks with their step counts and critical-path durations.
    List {
        /// A folder of playbooks (default ./playbooks, else the stock playbooks).
        path: Option<PathBuf>,
        /// List the exercise scenarios instead (the folder's exercises/, else the stock ones).
        #[arg(long)]
        exercises: bool,
    },
    /// Write the stock playbooks, divisions.yaml, schemas and a commented hikeshi.toml into
    /// DIR, for a municipality to adapt.
    ///
    /// With --contacts FILE, playbooks/divisions.yaml is the city's contact list read from
    /// that spreadsheet (.xlsx, .xls, .ods or .csv) instead of the example, exactly as
    /// `hikeshi contacts import` reads it (see its --help for the columns); if a row cannot
    /// be read, nothing is written unless --skip-bad.
    Init {
        /// The folder to create or fill.
        dir: PathBuf,
        /// Overwrite files that already exist.
        #[arg(long)]
        force: bool,
        /// The city's contact list to use instead of the example directory.
        #[arg(long, value_name = "FILE")]
        contacts: Option<PathBuf>,
        /// The sheet of --contacts to read [default: the first with a header row].
        #[arg(long, value_name = "NAME", requires = "contacts")]
        sheet: Option<String>,
        /// Write the rows of --contacts that were read although some could not be.
        #[arg(long, requires = "contacts")]
        skip_bad: bool,
        /// The organisation's name for the directory [default: the example's, 例示市].
        #[arg(long, value_name = "NAME", requires = "contacts")]
        organization: Option<String>,
        /// The organisation's website for the directory.
        #[arg(long, value_name = "URL", requires = "contacts")]
        website: Option<String>,
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

impl Cmd {
    /// Runs the command.
    pub(super) fn run(self, ctx: &Context) -> Result<Outcome, Error> {
        let lang = ctx.lang;
        match self {
            Cmd::Check {
                paths,
                divisions,
                json,
            } => check::check(&paths, divisions.as_deref(), json, lang),
            Cmd::Graph {
                playbook,
                format,
                divisions,
            } => graph(&playbook, format, divisions.as_deref(), lang),
            Cmd::Show {
                playbook,
                divisions,
            } => show::show(&playbook, divisions.as_deref(), lang),
            Cmd::Schema {
                divisions,
                report,
                exercise,
                summary,
                status,
                accounts,
            } => {
                if accounts {
                    std::io::stdout().write_all(crate::register::schema().as_bytes())?;
                    return Ok(Outcome::Success);
                }
                schema(divisions, report, exercise, summary, status)
            }
            Cmd::List {
                path,
                exercises: true,
            } => list_exercises(path.as_deref(), lang),
            Cmd::List {
                path,
                exercises: false,
            } => list(path.as_deref(), lang),
            Cmd::Init {
                dir,
                force,
                contacts,
                sheet,
                skip_bad,
                organization,
                website,
            } => {
                let contacts = contacts.map(|file| InitContacts {
                    file,
                    sheet,
                    skip_bad,
                    organization,
                    website,
                });
                init(&dir, force, contacts.as_ref(), lang)
            }
        }
    }
}

fn schema(
    divisions: bool,
    report: bool,
    exercise: bool,
    summary: bool,
    status: bool,
) -> Result<Outcome, Error> {
    let text = if status {
        crate::incident::status::schema()
    } else if summary {
        crate::summary::schema()
    } else if divisions {
        divisions_schema()
    } else if exercise {
        crate::exercise::scenario::schema()
    } else if report {
        crate::report::schema()
    } else {
        playbook_schema()
    };
    std::io::stdout().write_all(text.as_bytes())?;
    Ok(Outcome::Success)
}

fn graph(
    spec: &str,
    format: GraphFormat,
    divisions: Option<&Path>,
    lang: Lang,
) -> Result<Outcome, Error> {
    let playbook = PlaybookRef::resolve(spec)?;
    let divisions = playbook.divisions_source(divisions);
    let loaded = catalog::load_playbook(&playbook, &divisions, &compile_options())?;
    let text = match format {
        GraphFormat::Dot => to_dot(&loaded.compiled.playbook, lang),
        GraphFormat::Mermaid => to_mermaid(&loaded.compiled.playbook, lang),
    };
    std::io::stdout().write_all(text.as_bytes())?;
    Ok(Outcome::Success)
}

/// The columns of `hikeshi list`.
const PLAYBOOK_COLUMNS: [Text; 5] = [
    Text::new("ID", "ID"),
    Text::new("手順書", "title"),
    Text::new("手順数", "steps"),
    Text::new("クリティカルパス", "critical path"),
    Text::new("ファイル", "file"),
];

/// The columns of `hikeshi list --exercises`.
const SCENARIO_COLUMNS: [Text; 7] = [
    Text::new("ID", "ID"),
    Text::new("訓練シナリオ", "scenario"),
    Text::new("手順書", "playbook"),
    Text::new("開始（模擬）", "starts (simulated)"),
    Text::new("状況付与", "injects"),
    Text::new("目標", "targets"),
    Text::new("ファイル", "file"),
];

fn pad(text: &str, width: usize) -> String {
    let w = text.width();
    format!("{text}{}", " ".repeat(width.saturating_sub(w)))
}

fn list(path: Option<&Path>, lang: Lang) -> Result<Outcome, Error> {
    let options = compile_options();
    let refs: Vec<PlaybookRef> = match path {
        Some(p) if p.is_file() => vec![PlaybookRef::File(p.to_path_buf())],
        Some(p) => yaml_files_in(p)?
            .into_iter()
            .filter(|f| !catalog::is_not_a_playbook(f))
            .map(PlaybookRef::File)
            .collect(),
        None if Path::new("playbooks").is_dir() => yaml_files_in(Path::new("playbooks"))?
            .into_iter()
            .filter(|f| !catalog::is_not_a_playbook(f))
            .map(PlaybookRef::File)
            .collect(),
        None => catalog::stock_ids()
            .into_iter()
            .map(|id| PlaybookRef::Stock(id.to_string()))
            .collect(),
    };
    let header = PLAYBOOK_COLUMNS.map(|t| t.get(lang));
    let mut rows: Vec<[String; 5]> = Vec::new();
    let mut problems = false;
    for r in refs
        .iter()
        .filter(|r| !matches!(r, PlaybookRef::File(p) if is_scenario_file(p)))
    {
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
                print_failure(&failure, lang)?;
            }
        }
    }
    print_table(&header, &rows)?;
    Ok(if problems {
        Outcome::Problems
    } else {
        Outcome::Success
    })
}

/// Prints rows under a header, columns padded by display width (the last one is not).
fn print_table<const N: usize>(header: &[&str; N], rows: &[[String; N]]) -> Result<(), Error> {
    let widths: Vec<usize> = (0..N)
        .map(|i| {
            rows.iter()
                .map(|r| r[i].width())
                .chain([header[i].width()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = std::io::stdout().lock();
    let line = |cells: Vec<&str>| {
        cells
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (c, w))| {
                if i + 1 == N {
                    c.to_string()
                } else {
                    pad(c, *w)
                }
            })
            .collect::<Vec<_>>()
            .join("  ")
    };
    writeln!(out, "{}", line(header.to_vec()))?;
    for r in rows {
        writeln!(out, "{}", line(r.iter().map(String::as_str).collect()))?;
    }
    Ok(())
}

/// `hikeshi list --exercises`: each scenario with its playbook, start, injects and targets.
fn list_exercises(path: Option<&Path>, lang: Lang) -> Result<Outcome, Error> {
    let options = compile_options();
    let paths: Vec<PathBuf> = path.map(Path::to_path_buf).into_iter().collect();
    let header = SCENARIO_COLUMNS.map(|t| t.get(lang));
    let mut rows: Vec<[String; 7]> = Vec::new();
    let mut problems = false;
    for (scenario, embedded) in scenario_sources(&paths)? {
        let loaded = match (embedded, &scenario) {
            (Some(source), _) => exercise::load_source(&scenario, source, &options),
            (None, _) => exercise::load(&scenario, &options),
        };
        match loaded {
            Ok(l) => rows.push([
                l.scenario.id.clone(),
                l.scenario.title.clone(),
                l.playbook.compiled.playbook.id.clone(),
                crate::clock::format_jst(l.scenario.starts_at, false),
                l.scenario.injects.len().to_string(),
                l.scenario.targets.len().to_string(),
                l.source.name.clone(),
            ]),
            Err(failure) => {
                problems = true;
                print_failure(&failure, lang)?;
            }
        }
    }
    print_table(&header, &rows)?;
    Ok(if problems {
        Outcome::Problems
    } else {
        Outcome::Success
    })
}

/// `init --contacts`: the spreadsheet to read the directory from.
struct InitContacts {
    file: PathBuf,
    sheet: Option<String>,
    skip_bad: bool,
    organization: Option<String>,
    website: Option<String>,
}

/// The directory `init --contacts` writes: the example's settings (or the organisation and
/// website given; an organisation given drops the example's website), the contacts read.
fn init_directory(path: &Path, contacts: &InitContacts, lang: Lang) -> Result<String, Error> {
    use crate::directory::import::{self, Settings};
    let example = SourceFile::new(
        stock::display_name(&stock::DIVISIONS),
        stock::DIVISIONS.text,
    );
    let mut settings = Settings::of_text(&example).map_err(|message| {
        crate::directory::import::ContactsError::Existing {
            path: PathBuf::from(example.name.clone()),
            message,
        }
    })?;
    // The example's parts name the example's divisions: the city's sheet says its own.
    settings.parts.clear();
    if let Some(name) = &contacts.organization {
        settings.organization = name.clone();
        settings.website = None;
    }
    if contacts.website.is_some() {
        settings.website = contacts.website.clone();
    }
    let imported = import::import(
        &contacts.file,
        contacts.sheet.as_deref(),
        &settings,
        super::context::clock().now(),
        &path.display().to_string(),
        contacts.skip_bad,
    )?;
    for line in imported.contacts.report_lines(lang) {
        super::context::warn(&line)?;
    }
    let (text, _) = imported.file?;
    let summary = imported.contacts.summary(lang);
    let file = contacts.file.display();
    writeln!(
        std::io::stdout().lock(),
        "{}",
        tr!(
            lang,
            "連絡先を {file} から読み込みました（{summary}）",
            "contacts read from {file} ({summary})"
        )
    )?;
    if contacts.organization.is_none() {
        let org = &settings.organization;
        super::context::warn(&tr!(
            lang,
            "団体名は例示の「{org}」のままです。--organization で指定するか、divisions.yaml の organization を直してください",
            "the organisation is still the example's ({org}); give --organization, or edit organization in divisions.yaml"
        ))?;
    }
    Ok(text)
}

fn init(
    dir: &Path,
    force: bool,
    contacts: Option<&InitContacts>,
    lang: Lang,
) -> Result<Outcome, Error> {
    let divisions_path = dir.join("playbooks").join(stock::DIVISIONS.name);
    // Read first: a contact list that cannot be read leaves the folder untouched.
    let divisions = match contacts {
        Some(c) if force || !divisions_path.exists() => init_directory(&divisions_path, c, lang)?,
        _ => stock::DIVISIONS.text.to_string(),
    };
    let mut files: Vec<(PathBuf, String)> = stock::PLAYBOOKS
        .iter()
        .map(|f| (dir.join("playbooks").join(f.name), f.text.to_string()))
        .collect();
    files.push((divisions_path, divisions));
    files.extend(stock::EXERCISES.iter().map(|f| {
        (
            dir.join("playbooks").join("exercises").join(f.name),
            f.text.to_string(),
        )
    }));
    files.extend(stock::EXAMPLES.iter().map(|f| {
        (
            dir.join("playbooks").join("examples").join(f.name),
            f.text.to_string(),
        )
    }));
    files.push((dir.join(stock::CONFIG.name), stock::CONFIG.text.to_string()));
    files.push((
        dir.join("docs").join("exercise.schema.json"),
        exercise::scenario::schema(),
    ));
    files.push((
        dir.join("docs").join("playbook.schema.json"),
        playbook_schema(),
    ));
    files.push((
        dir.join("docs").join("divisions.schema.json"),
        divisions_schema(),
    ));
    files.push((
        dir.join("docs").join("accounts.schema.json"),
        crate::register::schema(),
    ));
    let existing: Vec<&PathBuf> = files
        .iter()
        .map(|(p, _)| p)
        .filter(|p| p.exists())
        .collect();
    if let (false, Some(first)) = (force, existing.first()) {
        return Err(Error::WouldOverwrite {
            dir: dir.to_path_buf(),
            count: existing.len(),
            first: (*first).clone(),
        });
    }
    let mut out = std::io::stdout().lock();
    for (path, text) in &files {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| Error::Write {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        std::fs::write(path, text).map_err(|source| Error::Write {
            path: path.clone(),
            source,
        })?;
        writeln!(out, "{}", path.display())?;
    }
    let (folder, playbooks) = (dir.display(), dir.join("playbooks"));
    let playbooks = playbooks.display();
    let next = if contacts.is_some() {
        tr!(
            lang,
            "{folder} に書き出しました。playbooks/divisions.yaml は連絡先一覧から作りました。`hikeshi check {playbooks}` で検査してください。",
            "Written to {folder}, with playbooks/divisions.yaml made from the contact list. Run `hikeshi check {playbooks}`."
        )
    } else {
        tr!(
            lang,
            "{folder} に書き出しました。playbooks/divisions.yaml の連絡先を自団体のものに直し、`hikeshi check {playbooks}` で検査してください。",
            "Written to {folder}. Put your own contacts into playbooks/divisions.yaml, then run `hikeshi check {playbooks}`."
        )
    };
    writeln!(out, "{next}")?;
    Ok(Outcome::Success)
}
