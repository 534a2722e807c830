//! Commands about playbooks: check, graph, list, schema, init.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{FixedOffset, NaiveDate, Utc};
use unicode_width::UnicodeWidthStr;

use super::{CliError, GraphFormat, Outcome};
use crate::catalog::{
    self, DivisionsRef, LoadFailure, PlaybookRef, is_divisions_file, yaml_files_in,
};
use crate::directory::Directory;
use crate::exercise::{self, ScenarioRef, scenario::looks_like_scenario};
use crate::lang::Lang;
use crate::playbook::duration::format_duration;
use crate::playbook::export::{divisions_schema, playbook_schema, to_dot, to_mermaid};
use crate::playbook::{CompileOptions, Diagnostic, SourceFile, compile_source};
use crate::stock;

/// Today's date in Japan (for review-overdue warnings).
fn today_jst() -> Option<NaiveDate> {
    let jst = FixedOffset::east_opt(9 * 3600)?;
    Some(Utc::now().with_timezone(&jst).date_naive())
}

pub(super) fn compile_options() -> CompileOptions {
    CompileOptions {
        today: today_jst(),
        ..CompileOptions::default()
    }
}

/// Renders diagnostics to stderr, each with the source line it points into.
pub(super) fn report(
    diagnostics: &[Diagnostic],
    sources: &[SourceFile],
    lang: Lang,
) -> std::io::Result<()> {
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

/// Whether a file holds an exercise scenario rather than a playbook.
fn is_scenario_file(path: &Path) -> bool {
    std::fs::read_to_string(path).is_ok_and(|t| looks_like_scenario(&t))
}

/// The scenarios `check` looks at: scenario files named or inside the folders named, and the
/// `exercises/` folder inside each (without PATH: ./playbooks/exercises, else the stock
/// scenarios).
fn scenario_sources(paths: &[PathBuf]) -> Result<Vec<(ScenarioRef, Option<SourceFile>)>, CliError> {
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

pub(super) fn check(
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
    for (scenario, embedded) in scenario_sources(paths)? {
        files += 1;
        let source = match embedded {
            Some(s) => s,
            None => match &scenario {
                ScenarioRef::File(p) => match SourceFile::read(p, &options.limits) {
                    Ok(s) => s,
                    Err(d) => {
                        all.push(*d);
                        continue;
                    }
                },
                ScenarioRef::Stock(_) => continue,
            },
        };
        match exercise::load_source(&scenario, source.clone(), &options) {
            Ok(loaded) => {
                if !json {
                    writeln!(
                        out,
                        "{} {} ({} {}, {} {}, {} {})",
                        lang.pick("OK  ", "ok  "),
                        source.name,
                        lang.pick("訓練シナリオ", "exercise scenario"),
                        loaded.scenario.playbook,
                        lang.pick("状況付与", "injects"),
                        loaded.scenario.injects.len(),
                        lang.pick("目標", "targets"),
                        loaded.scenario.targets.len(),
                    )?;
                }
            }
            Err(failure) => {
                // A broken playbook is reported once, with the playbook, not again here.
                for d in failure.diagnostics {
                    if !all.contains(&d) {
                        all.push(d);
                    }
                }
                for s in failure.sources {
                    if !sources.iter().any(|k| k.name == s.name) {
                        sources.push(s);
                    }
                }
            }
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

pub(super) fn report_failure(failure: &LoadFailure, lang: Lang) -> Result<Outcome, CliError> {
    report(&failure.diagnostics, &failure.sources, lang)?;
    Ok(Outcome::Problems)
}

pub(super) fn graph(
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

pub(super) fn list(path: Option<&Path>, lang: Lang) -> Result<Outcome, CliError> {
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
                report_failure(&failure, lang)?;
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
fn print_table<const N: usize>(header: &[&str; N], rows: &[[String; N]]) -> Result<(), CliError> {
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
pub(super) fn list_exercises(path: Option<&Path>, lang: Lang) -> Result<Outcome, CliError> {
    let options = compile_options();
    let paths: Vec<PathBuf> = path.map(Path::to_path_buf).into_iter().collect();
    let header = [
        lang.pick("ID", "ID"),
        lang.pick("訓練シナリオ", "scenario"),
        lang.pick("手順書", "playbook"),
        lang.pick("開始（模擬）", "starts (simulated)"),
        lang.pick("状況付与", "injects"),
        lang.pick("目標", "targets"),
        lang.pick("ファイル", "file"),
    ];
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
                report_failure(&failure, lang)?;
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

pub(super) fn init(dir: &Path, force: bool, lang: Lang) -> Result<Outcome, CliError> {
    let mut files: Vec<(PathBuf, String)> = stock::PLAYBOOKS
        .iter()
        .chain([&stock::DIVISIONS])
        .map(|f| (dir.join("playbooks").join(f.name), f.text.to_string()))
        .collect();
    files.extend(stock::EXERCISES.iter().map(|f| {
        (
            dir.join("playbooks").join("exercises").join(f.name),
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
