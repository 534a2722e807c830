//! `hikeshi check`: playbooks, divisions files and scenarios, every problem with file, line
//! and column; the parts map of each directory.

use std::io::Write;
use std::path::{Path, PathBuf};

use unicode_width::UnicodeWidthStr;

use super::pad;
use crate::catalog::{self, DivisionsRef, PlaybookRef, is_divisions_file, yaml_files_in};
use crate::cli::context::{compile_options, print_diagnostics};
use crate::cli::{Error, Outcome};
use crate::directory::{Directory, StockPart};
use crate::exercise::{self, ScenarioRef, scenario::looks_like_scenario};
use crate::lang::Lang;
use crate::playbook::diagnostic::Problem;
use crate::playbook::duration::format_duration;
use crate::playbook::{CompileOptions, Diagnostic, SourceFile, compile_source};
use crate::tr;

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
    /// Account registers (accounts.yaml) checked against the same directory.
    registers: Vec<PathBuf>,
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
pub(super) fn is_scenario_file(path: &Path) -> bool {
    std::fs::read_to_string(path).is_ok_and(|t| looks_like_scenario(&t))
}

/// The scenarios `check` looks at: scenario files named or inside the folders named, and the
/// `exercises/` folder inside each (without PATH: ./playbooks/exercises, else the stock
/// scenarios).
pub(super) fn scenario_sources(
    paths: &[PathBuf],
) -> Result<Vec<(ScenarioRef, Option<SourceFile>)>, Error> {
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
            registers: Vec::new(),
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
                        registers: Vec::new(),
                    });
                    continue;
                }
                PlaybookRef::File(file) => {
                    let divisions = with(PlaybookRef::File(file.clone()).divisions_source(None));
                    sets.push(CheckSet {
                        divisions,
                        divisions_is_target: false,
                        playbooks: vec![PlaybookSource::File(file)],
                        registers: Vec::new(),
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
            if catalog::is_register_file(&file) {
                let divisions = with(PlaybookRef::File(file.clone()).divisions_source(None));
                match sets.iter_mut().find(|s| s.divisions == divisions) {
                    Some(set) => set.registers.push(file),
                    None => sets.push(CheckSet {
                        divisions,
                        divisions_is_target: false,
                        playbooks: Vec::new(),
                        registers: vec![file],
                    }),
                }
                continue;
            }
            if is_divisions_file(&file) {
                sets.push(CheckSet {
                    divisions: DivisionsRef::File(file),
                    divisions_is_target: true,
                    playbooks: Vec::new(),
                    registers: Vec::new(),
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
                    registers: Vec::new(),
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
                m.registers.extend(set.registers);
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
        for path in set.registers {
            self.files += 1;
            let source = match SourceFile::read(&path, &options.limits) {
                Ok(s) => s,
                Err(d) => {
                    self.diagnostics.push(*d);
                    continue;
                }
            };
            if let Some(directory) = &directory {
                match crate::register::Register::load(&source, directory, &options.limits) {
                    Ok((register, warnings)) => {
                        let (name, count) = (&source.name, register.accounts.len());
                        self.ok(&tr!(
                            lang,
                            "{name} (アカウント管理者一覧表, {count} 件。準備の点検は hikeshi register check)",
                            "{name} (account register, {count} accounts; readiness: hikeshi register check)"
                        ))?;
                        self.diagnostics.extend(warnings);
                    }
                    Err(diagnostics) => self.diagnostics.extend(diagnostics),
                }
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
                let warnings = exercise::lengths::warnings(&loaded);
                if !warnings.is_empty() && !self.sources.iter().any(|k| k.name == source.name) {
                    self.sources.push(source.clone());
                }
                self.diagnostics.extend(warnings);
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

pub(super) fn check(
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
