//! Commands about playbooks: check, graph, schema, list, init.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Subcommand, ValueEnum};
use unicode_width::UnicodeWidthStr;

use super::context::{Context, compile_options, print_diagnostics, print_failure};
use super::{Error, Outcome};
use crate::catalog::{self, DivisionsRef, PlaybookRef, is_divisions_file, yaml_files_in};
use crate::directory::{Directory, StockPart};
use crate::exercise::{self, ScenarioRef, scenario::looks_like_scenario};
use crate::lang::{Lang, Text};
use crate::playbook::diagnostic::Problem;
use crate::playbook::duration::format_duration;
use crate::playbook::export::{divisions_schema, playbook_schema, to_dot, to_mermaid};
use crate::playbook::{CompileOptions, Diagnostic, SourceFile, compile_source};
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
    /// Print the JSON Schema of the playbook format (or of divisions.yaml).
    Schema {
        /// The schema of divisions.yaml instead.
        #[arg(long, conflicts_with_all = ["report", "exercise", "summary"])]
        divisions: bool,
        /// The schema of `hikeshi report --format json` instead.
        #[arg(long, conflicts_with_all = ["exercise", "summary"])]
        report: bool,
        /// The schema of exercise scenarios (playbooks/exercises/*.yaml) instead.
        #[arg(long, conflicts_with = "summary")]
        exercise: bool,
        /// The schema of `hikeshi summary --format json` instead.
        #[arg(long)]
        summary: bool,
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
            } => check(&paths, divisions.as_deref(), json, lang),
            Cmd::Graph {
                playbook,
                format,
                divisions,
            } => graph(&playbook, format, divisions.as_deref(), lang),
            Cmd::Show {
                playbook,
                divisions,
            } => show(&playbook, divisions.as_deref(), lang),
            Cmd::Schema {
                divisions,
                report,
                exercise,
                summary,
            } => schema(divisions, report, exercise, summary),
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

fn schema(divisions: bool, report: bool, exercise: bool, summary: bool) -> Result<Outcome, Error> {
    let text = if summary {
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

/// A file name with `x/..` taken out, as written (no disk access): `playbooks/exercises/../a.yaml`
/// is `playbooks/a.yaml`.
fn lexical(name: &str) -> PathBuf {
    let mut out = PathBuf::new();
    for part in Path::new(name).components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir
                if out
                    .components()
                    .next_back()
                    .is_some_and(|c| matches!(c, std::path::Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Whether a file holds an exercise scenario rather than a playbook.
fn is_scenario_file(path: &Path) -> bool {
    std::fs::read_to_string(path).is_ok_and(|t| looks_like_scenario(&t))
}

/// The scenarios `check` looks at: scenario files named or inside the folders named, and the
/// `exercises/` folder inside each (without PATH: ./playbooks/exercises, else the stock
/// scenarios).
fn scenario_sources(paths: &[PathBuf]) -> Result<Vec<(ScenarioRef, Option<SourceFile>)>, Error> {
    if paths.is_empty() {
        let default = Path::new("playbooks");
        if default.is_dir() {
            return scenario_sources(&[default.to_path_buf()]);
        }
        return Ok(exercise::stock_ids()
            .into_iter()
            .zip(exercise::stock_scenarios())
            .map(|(id, s)| (ScenarioRef::Stock(id.to_string()), Some(s)))
            .collect());
    }
    let mut out = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut files: Vec<PathBuf> = yaml_files_in(path)?
                .into_iter()
                .filter(|f| is_scenario_file(f))
                .collect();
            let sub = path.join("exercises");
            if sub.is_dir() {
                files.extend(yaml_files_in(&sub)?);
            }
            out.extend(files.into_iter().map(|f| (ScenarioRef::File(f), None)));
        } else if is_scenario_file(path) {
            out.push((ScenarioRef::File(path.clone()), None));
        }
    }
    Ok(out)
}

fn check_sets(paths: &[PathBuf], explicit: Option<&Path>) -> Result<Vec<CheckSet>, Error> {
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
        // A name that is no file and does not read as one (no folder, no .yaml) is an id, by
        // the one rule (`PlaybookRef::resolve`): the city's playbook, else the stock one. A
        // missing file stays a file that cannot be read.
        let file_like = path.components().count() > 1
            || path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"));
        if !path.exists() && !file_like {
            match PlaybookRef::resolve(&path.to_string_lossy())? {
                PlaybookRef::Stock(id) => {
                    let source = catalog::stock_playbooks()
                        .into_iter()
                        .find(|s| s.name.ends_with(&format!("/{id}.yaml")));
                    sets.push(CheckSet {
                        divisions: with(DivisionsRef::Stock),
                        divisions_is_target: false,
                        playbooks: source.into_iter().map(PlaybookSource::Embedded).collect(),
                    });
                    continue;
                }
                PlaybookRef::File(file) => {
                    let divisions = with(PlaybookRef::File(file.clone()).divisions_source(None));
                    sets.push(CheckSet {
                        divisions,
                        divisions_is_target: false,
                        playbooks: vec![PlaybookSource::File(file)],
                    });
                    continue;
                }
            }
        }
        let files = if path.is_dir() {
            yaml_files_in(path)?
        } else {
            vec![path.clone()]
        };
        for file in files {
            if is_scenario_file(&file) {
                continue;
            }
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

/// What `check` found so far.
struct Findings {
    lang: Lang,
    json: bool,
    diagnostics: Vec<Diagnostic>,
    sources: Vec<SourceFile>,
    files: usize,
}

impl Findings {
    /// Says a file is fine (in text mode; JSON lists only diagnostics).
    fn ok(&self, line: &str) -> Result<(), Error> {
        if !self.json {
            let ok = tr!(self.lang, "OK  ", "ok  ");
            writeln!(std::io::stdout().lock(), "{ok} {line}")?;
        }
        Ok(())
    }

    /// A divisions file and the playbooks checked against it.
    fn check_set(&mut self, set: CheckSet, options: &CompileOptions) -> Result<(), Error> {
        let lang = self.lang;
        let directory: Option<Directory> = match set.divisions.load(&options.limits) {
            Ok((source, directory)) => {
                if set.divisions_is_target {
                    self.files += 1;
                    self.ok(&source.name)?;
                }
                self.sources.push(source);
                Some(directory)
            }
            Err(diagnostics) => {
                self.files += 1;
                if let DivisionsRef::File(p) = &set.divisions
                    && let Ok(s) = SourceFile::read(p, &options.limits)
                {
                    self.sources.push(s);
                }
                self.diagnostics.extend(diagnostics);
                None
            }
        };
        let found = self.diagnostics.len();
        let mut uses: Vec<(String, String)> = Vec::new();
        for playbook in set.playbooks {
            self.files += 1;
            let source = match playbook {
                PlaybookSource::Embedded(s) => s,
                PlaybookSource::File(p) => match SourceFile::read(&p, &options.limits) {
                    Ok(s) => s,
                    Err(d) => {
                        self.diagnostics.push(*d);
                        continue;
                    }
                },
            };
            let name = &source.name;
            match &directory {
                None => writeln!(
                    std::io::stderr().lock(),
                    "{}",
                    tr!(
                        lang,
                        "{name}: 部署ファイルにエラーがあるため検査できません",
                        "{name}: not checked, because its divisions file has errors"
                    )
                )?,
                Some(directory) => match compile_source(&source, directory, options) {
                    Ok(compiled) => {
                        let graph = &compiled.playbook.graph;
                        let (steps, critical) = (
                            graph.len(),
                            format_duration(graph.critical_duration(), lang),
                        );
                        self.ok(&tr!(
                            lang,
                            "{name} ({steps} 手順, クリティカルパス {critical})",
                            "{name} ({steps} steps, critical path {critical})"
                        ))?;
                        self.diagnostics.extend(compiled.warnings);
                        let id = &compiled.playbook.id;
                        for step in graph.steps() {
                            for part in step.names() {
                                if is_part(directory, part) {
                                    uses.push((part.to_string(), format!("{id}/{}", step.id)));
                                }
                            }
                        }
                    }
                    Err(diagnostics) => self.diagnostics.extend(diagnostics),
                },
            }
            self.sources.push(source);
        }
        // One error per part nobody plays, naming every step that needs it.
        let new = self.diagnostics.split_off(found);
        self.diagnostics.extend(merge_unfilled(new));
        if let Some(directory) = &directory
            && !self.json
        {
            let unfilled = self.diagnostics[found..]
                .iter()
                .filter_map(|d| match &d.problem {
                    Problem::UnfilledPart { part, needed_by } => Some((part.as_str(), needed_by)),
                    _ => None,
                });
            let map = parts_map(directory, &uses, unfilled, lang);
            if !map.is_empty() {
                writeln!(std::io::stdout().lock(), "{map}")?;
            }
        }
        Ok(())
    }

    /// An exercise scenario (and the playbook it runs, reported once).
    fn check_scenario(
        &mut self,
        scenario: ScenarioRef,
        embedded: Option<SourceFile>,
        options: &CompileOptions,
    ) -> Result<(), Error> {
        self.files += 1;
        let source = match (embedded, &scenario) {
            (Some(s), _) => s,
            (None, ScenarioRef::File(p)) => match SourceFile::read(p, &options.limits) {
                Ok(s) => s,
                Err(d) => {
                    self.diagnostics.push(*d);
                    return Ok(());
                }
            },
            (None, ScenarioRef::Stock(_)) => return Ok(()),
        };
        match exercise::load_source(&scenario, source.clone(), options) {
            Ok(loaded) => {
                let s = &loaded.scenario;
                let (name, playbook, injects, targets) =
                    (&source.name, &s.playbook, s.injects.len(), s.targets.len());
                self.ok(&tr!(
                    self.lang,
                    "{name} (訓練シナリオ {playbook}, 状況付与 {injects}, 目標 {targets})",
                    "{name} (exercise scenario {playbook}, injects {injects}, targets {targets})"
                ))?;
            }
            Err(failure) => {
                // A broken playbook is reported once, with the playbook, not again here (the
                // scenario names it as `exercises/../x.yaml`: the same file).
                let same = |a: &Diagnostic, b: &Diagnostic| match (&a.problem, &b.problem) {
                    // Listed once per part, with the steps that need it.
                    (
                        Problem::UnfilledPart { part: x, .. },
                        Problem::UnfilledPart { part: y, .. },
                    ) => x == y,
                    _ => {
                        lexical(&a.file) == lexical(&b.file)
                            && a.position == b.position
                            && a.problem == b.problem
                    }
                };
                for d in failure.diagnostics {
                    if !self.diagnostics.iter().any(|k| same(k, &d)) {
                        self.diagnostics.push(d);
                    }
                }
                for s in failure.sources {
                    if !self
                        .sources
                        .iter()
                        .any(|k| lexical(&k.name) == lexical(&s.name))
                    {
                        self.sources.push(s);
                    }
                }
            }
        }
        Ok(())
    }

    /// Prints the diagnostics (text on stderr with a count, or JSON on stdout).
    fn finish(self) -> Result<Outcome, Error> {
        let lang = self.lang;
        let errors = self.diagnostics.iter().filter(|d| d.is_error()).count();
        let warnings = self.diagnostics.len() - errors;
        if self.json {
            let items: Vec<JsonDiagnostic> = self
                .diagnostics
                .iter()
                .map(|d| JsonDiagnostic {
                    diagnostic: d,
                    message: d.message(lang),
                    hint: d.hint(lang),
                })
                .collect();
            let mut out = std::io::stdout().lock();
            serde_json::to_writer_pretty(&mut out, &items).map_err(std::io::Error::other)?;
            writeln!(out)?;
        } else {
            print_diagnostics(&self.diagnostics, &self.sources, lang)?;
            let files = self.files;
            writeln!(
                std::io::stderr().lock(),
                "{}",
                tr!(
                    lang,
                    "{files} ファイルを検査: エラー {errors} 件、警告 {warnings} 件",
                    "checked {files} file(s): {errors} error(s), {warnings} warning(s)"
                )
            )?;
        }
        Ok(if errors > 0 {
            Outcome::Problems
        } else {
            Outcome::Success
        })
    }
}

/// Whether `name` is a part: one the directory maps, or one the stock playbooks name.
fn is_part(directory: &Directory, name: &str) -> bool {
    directory.holder_of(name).is_some() || StockPart::named(name).is_some()
}

/// The unfilled-part errors of one directory merged into one per part (at its first use),
/// every step that needs it listed once; other diagnostics as they are.
fn merge_unfilled(diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = Vec::new();
    for d in diagnostics {
        let Problem::UnfilledPart { part, needed_by } = &d.problem else {
            out.push(d);
            continue;
        };
        let first = out.iter_mut().find_map(|k| match &mut k.problem {
            Problem::UnfilledPart {
                part: p,
                needed_by: n,
            } if p == part => Some(n),
            _ => None,
        });
        match first {
            Some(steps) => {
                for step in needed_by {
                    if !steps.contains(step) {
                        steps.push(step.clone());
                    }
                }
            }
            None => out.push(d),
        }
    }
    out
}

/// Who plays each part the checked playbooks name (and each the directory maps), with the
/// steps that name it; the unfilled ones marked. Empty when no part is named or mapped.
fn parts_map<'a>(
    directory: &Directory,
    uses: &[(String, String)],
    unfilled: impl Iterator<Item = (&'a str, &'a Vec<String>)>,
    lang: Lang,
) -> String {
    let mut rows: Vec<(String, String, Vec<String>)> = Vec::new();
    let mut add = |part: &str, holder: String, step: Option<&String>| match rows
        .iter_mut()
        .find(|(p, _, _)| p == part)
    {
        Some((_, _, steps)) => steps.extend(step.cloned()),
        None => rows.push((
            part.to_string(),
            holder,
            step.into_iter().cloned().collect(),
        )),
    };
    for p in &directory.parts {
        add(&p.part, p.played_by.clone(), None);
    }
    for (part, step) in uses {
        let holder = match directory.holder_of(part) {
            Some(h) => h.to_string(),
            // A stock part played by a role of the same name.
            None => tr!(lang, "役割 {part}", "role {part}"),
        };
        add(part, holder, Some(step));
    }
    let unset = tr!(lang, "未設定", "NOT SET");
    for (part, steps) in unfilled {
        for step in steps {
            add(part, unset.clone(), Some(step));
        }
        add(part, unset.clone(), None);
    }
    if rows.is_empty() {
        return String::new();
    }
    let width = rows.iter().map(|(p, _, _)| p.width()).max().unwrap_or(0);
    let mut out = tr!(
        lang,
        "担当（parts）の割当て:",
        "who plays each part (parts):"
    );
    for (part, holder, steps) in rows {
        let n = steps.len();
        let needed = if n == 0 {
            tr!(
                lang,
                "（手順書では未使用）",
                "(named by no checked playbook)"
            )
        } else {
            let shown: Vec<&str> = steps.iter().take(4).map(String::as_str).collect();
            let more = if n > 4 {
                tr!(lang, " ほか{}", " and {} more", n - 4)
            } else {
                String::new()
            };
            tr!(
                lang,
                "{n} 手順: {}{more}",
                "{n} step(s): {}{more}",
                shown.join(", ")
            )
        };
        out.push_str(&format!("\n  {}  → {holder}  {needed}", pad(&part, width)));
    }
    out
}

fn check(
    paths: &[PathBuf],
    explicit: Option<&Path>,
    json: bool,
    lang: Lang,
) -> Result<Outcome, Error> {
    let options = compile_options();
    let mut findings = Findings {
        lang,
        json,
        diagnostics: Vec::new(),
        sources: Vec::new(),
        files: 0,
    };
    for set in check_sets(paths, explicit)? {
        findings.check_set(set, &options)?;
    }
    for (scenario, embedded) in scenario_sources(paths)? {
        findings.check_scenario(scenario, embedded, &options)?;
    }
    findings.finish()
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

/// `hikeshi show`: the playbook as compiled, one step a line with what it waits for, its
/// deadline and owner; an overlay's additions and changes marked, its removals listed.
fn show(spec: &str, divisions: Option<&Path>, lang: Lang) -> Result<Outcome, Error> {
    let playbook = PlaybookRef::resolve(spec)?;
    let divisions = playbook.divisions_source(divisions);
    let loaded = catalog::load_playbook(&playbook, &divisions, &compile_options())?;
    let pb = &loaded.compiled.playbook;
    let overlay = loaded.compiled.overlay.clone().unwrap_or_default();
    let changes = loaded
        .compiled
        .base
        .as_ref()
        .map(|base| overlay_changes(base, &loaded.source))
        .unwrap_or_default();
    let mut out = String::new();
    let (title, id) = (&pb.title, &pb.id);
    out.push_str(&format!("{title} ({id})\n"));
    let (file, divisions) = (&loaded.origin.playbook, &loaded.origin.divisions);
    out.push_str(&tr!(
        lang,
        "ファイル: {file}\n連絡先: {divisions}\n",
        "file: {file}\ndivisions: {divisions}\n"
    ));
    if !overlay.base.is_empty() {
        let base = &overlay.base;
        out.push_str(&tr!(
            lang,
            "元の手順書: {base}（+ 追加、~ 変更）\n",
            "extends: {base} (+ added, ~ changed)\n"
        ));
    }
    // The facts an incident of it is asked for (`start --fact NAME=VALUE`).
    if !pb.facts.is_empty() {
        out.push_str(&tr!(
            lang,
            "事実（--fact 名前=値）:\n",
            "facts (--fact NAME=VALUE):\n"
        ));
    }
    for fact in &pb.facts {
        let kind = fact.kind.name();
        let required = if fact.required {
            tr!(lang, "、開始時に必須", ", required at the start")
        } else {
            String::new()
        };
        let options = if fact.options.is_empty() || fact.kind != crate::playbook::FactKind::Choice {
            String::new()
        } else {
            format!(": {}", fact.options.join(" | "))
        };
        let (id, label) = (&fact.id, &fact.label);
        out.push_str(&format!("  {id} — {label} ({kind}{required}{options})\n"));
    }
    for &ix in pb.graph.order() {
        let Some(step) = pb.graph.step(ix) else {
            continue;
        };
        let mark = if overlay.added.contains(&step.id) {
            '+'
        } else if overlay.changed.contains(&step.id) {
            '~'
        } else {
            ' '
        };
        let after: Vec<&str> = step
            .after
            .iter()
            .filter_map(|a| pb.graph.step(*a).map(|s| s.id.as_str()))
            .collect();
        let due = due_of(step, pb, lang);
        let owner = step.owner.as_deref().unwrap_or("-");
        let (sid, kind, stitle, after) =
            (&step.id, step.kind.name(), &step.title, after.join(", "));
        out.push_str(&format!("{mark} {sid} ({kind}) {stitle}\n"));
        out.push_str(&tr!(
            lang,
            "    前提: [{after}]  期限: {due}  担当: {owner}\n",
            "    after: [{after}]  due: {due}  owner: {owner}\n"
        ));
        // What an overlay's step is now, beyond the line above, and what it changed.
        if mark != ' ' {
            out.push_str(&step_details(step, pb, lang));
        }
        for (field, base, now) in changes.get(&step.id).into_iter().flatten() {
            out.push_str(&tr!(
                lang,
                "    変更 {field}: {base} → {now}\n",
                "    changed {field}: {base} → {now}\n"
            ));
        }
    }
    for (id, reason) in &overlay.removed {
        out.push_str(&tr!(
            lang,
            "- {id}（除いた理由: {reason}）\n",
            "- {id} (removed: {reason})\n"
        ));
    }
    std::io::stdout().write_all(out.as_bytes())?;
    Ok(Outcome::Success)
}

/// A step's deadline as `show` prints it: one duration, or a deadline by a decision's
/// answer whole (`high 15m / medium 30m / low 1h`), not only its longest.
fn due_of(step: &crate::playbook::Step, pb: &crate::playbook::Playbook, lang: Lang) -> String {
    let Some(by) = &step.due_by else {
        return step
            .due
            .map(|d| format_duration(d.within, lang))
            .unwrap_or_else(|| "-".into());
    };
    let options = match pb.graph.step(by.decision).map(|s| &s.kind) {
        Some(crate::playbook::StepKind::Decision(d)) => {
            d.options.iter().map(|o| o.id.clone()).collect()
        }
        _ => Vec::new(),
    };
    let each: Vec<String> = by
        .values
        .iter()
        .enumerate()
        .map(|(i, due)| {
            let option = options.get(i).map_or("?", String::as_str);
            let within = due.map_or_else(|| "-".into(), |d| format_duration(d.within, lang));
            format!("{option} {within}")
        })
        .collect();
    let decision = pb.graph.step(by.decision).map_or("", |s| s.id.as_str());
    format!("{decision}: {}", each.join(" / "))
}

/// An overlay's added or changed step: its condition, what its deadline counts from, and
/// its approver or recipients, as the compiled playbook has them.
fn step_details(
    step: &crate::playbook::Step,
    pb: &crate::playbook::Playbook,
    lang: Lang,
) -> String {
    use crate::playbook::{DueFrom, StepKind};
    let mut parts = Vec::new();
    let when = step.when.as_ref().map_or_else(
        || "-".to_string(),
        |c| {
            let decision = pb.graph.step(c.decision);
            let names: Vec<&str> = match decision.map(|s| &s.kind) {
                Some(StepKind::Decision(d)) => c
                    .options
                    .iter()
                    .filter_map(|i| d.options.get(*i).map(|o| o.id.as_str()))
                    .collect(),
                _ => Vec::new(),
            };
            let id = decision.map_or("?", |s| s.id.as_str());
            let op = if c.negated { "not in" } else { "in" };
            format!("{id} {op} [{}]", names.join(", "))
        },
    );
    parts.push(tr!(lang, "条件: {when}", "when: {when}"));
    let from = match step.due.map(|d| d.from) {
        Some(DueFrom::Start) => "start",
        Some(DueFrom::Ready) => "ready",
        None => "-",
    };
    parts.push(tr!(lang, "期限の起点: {from}", "due_from: {from}"));
    match &step.kind {
        StepKind::Approval { approver } => {
            parts.push(tr!(lang, "承認者: {approver}", "approver: {approver}"));
        }
        StepKind::Post(post) => {
            let approver = &post.approver;
            parts.push(tr!(lang, "承認者: {approver}", "approver: {approver}"));
        }
        StepKind::Notify(n) => {
            let to: Vec<String> =
                n.to.iter()
                    .cloned()
                    .chain(n.to_facts.iter().map(|f| format!("{{{{{f}}}}}")))
                    .collect();
            let to = to.join(", ");
            parts.push(tr!(lang, "通知先: [{to}]", "to: [{to}]"));
        }
        _ => {}
    }
    format!("    {}\n", parts.join("  "))
}

/// The fields each `change:` of an overlay gives, with what the playbook extended had and
/// what the overlay made them, by step id, as written (a map whole, a long text by its first
/// line). Read from the two texts (the base need not check against this directory).
fn overlay_changes(
    base: &SourceFile,
    overlay: &SourceFile,
) -> std::collections::BTreeMap<String, Vec<(String, String, String)>> {
    use serde_json::Value;
    let limits = compile_options().limits;
    let read = |s: &SourceFile| crate::playbook::load::parse_yaml::<Value>(s, &limits).ok();
    let mut out = std::collections::BTreeMap::new();
    let (Some(base), Some(overlay)) = (read(base), read(overlay)) else {
        return out;
    };
    let steps = base["steps"].as_array().cloned().unwrap_or_default();
    for change in overlay["change"].as_array().into_iter().flatten() {
        let Some(id) = change["id"].as_str() else {
            continue;
        };
        let before = steps.iter().find(|s| s["id"].as_str() == Some(id));
        let Some(fields) = change.as_object() else {
            continue;
        };
        let rows = fields
            .iter()
            .filter(|(field, _)| *field != "id")
            .map(|(field, now)| {
                let was = before.and_then(|b| b.get(field)).unwrap_or(&Value::Null);
                (field.clone(), inline(was), inline(now))
            })
            .collect();
        out.insert(id.to_string(), rows);
    }
    out
}

/// A YAML value on one line: a list in brackets, a map in braces, a text of several lines
/// by its first line.
fn inline(value: &serde_json::Value) -> String {
    use serde_json::Value;
    match value {
        Value::Null => "-".to_string(),
        Value::String(s) => match s.trim_end().split_once('\n') {
            Some((first, _)) => format!("{first}…"),
            None => s.clone(),
        },
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(inline).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Object(map) => {
            let items: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{k}: {}", inline(v)))
                .collect();
            format!("{{{}}}", items.join(", "))
        }
        other => other.to_string(),
    }
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
