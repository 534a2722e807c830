//! Tabletop exercises (机上訓練): a scenario runs the real playbook on a simulated clock,
//! injects arrive as the story unfolds, every message is marked 【訓練】, and the run is
//! scored against target times.
//!
//! - [`scenario`]: the scenario file and its checks;
//! - [`session`]: an exercise under way: the clock, injects, facilitator controls, and the
//!   scripted participant ([`autopilot::autopilot`]);
//! - [`score`]: the score, from the incident's state alone.
//!
//! Nothing here knows a terminal or SMTP: the screen drives a [`Session`], and mail goes
//! through [`crate::notify`].

pub mod autopilot;
pub mod scenario;
pub mod score;
pub mod session;

use std::path::{Path, PathBuf};

pub use autopilot::{AutopilotRun, autopilot};
pub use scenario::{Effect, Inject, Scenario, ScenarioFile};
pub use score::{Score, score};
pub use session::{FACILITATOR, Fired, Session};

use crate::catalog::{self, DivisionsRef, LoadFailure, LoadedPlaybook, PlaybookRef};
use crate::incident::IncidentError;
use crate::lang::Lang;
use crate::notify::NotifyError;
use crate::playbook::{CompileOptions, Diagnostic, Limits, Position, Problem, SourceFile};
use crate::stock;

/// Something went wrong running an exercise.
#[derive(Debug, thiserror::Error)]
pub enum ExerciseError {
    /// The incident could not be started, read or written.
    #[error(transparent)]
    Incident(#[from] IncidentError),
    /// Mail could not be composed or queued.
    #[error(transparent)]
    Notify(#[from] NotifyError),
    /// The incident is not an exercise (or its exercise never began).
    #[error("{} is not an exercise (exercises start with `hikeshi exercise SCENARIO`)", .0.display())]
    NotAnExercise(PathBuf),
    /// The frozen scenario cannot be read, or no longer matches what the exercise began with.
    #[error("the frozen scenario {}: {reason}", path.display())]
    FrozenScenario {
        /// The scenario.yaml.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A file could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

impl ExerciseError {
    /// The message in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            ExerciseError::Incident(e) => e.message(lang),
            ExerciseError::Notify(e) => e.message(lang),
            ExerciseError::Io { path, source } => {
                let path = path.display();
                crate::tr!(
                    lang,
                    "{path} に書き込めません: {source}",
                    "cannot write {path}: {source}"
                )
            }
            ExerciseError::NotAnExercise(dir) => {
                let dir = dir.display();
                crate::tr!(
                    lang,
                    "{dir} は訓練ではありません（訓練は `hikeshi exercise シナリオ` で開始します）",
                    "{dir} is not an exercise (exercises start with `hikeshi exercise SCENARIO`)"
                )
            }
            ExerciseError::FrozenScenario { path, reason } => {
                let path = path.display();
                crate::tr!(
                    lang,
                    "凍結した訓練シナリオ {path}: {reason}",
                    "the frozen scenario {path}: {reason}"
                )
            }
        }
    }
}

/// Where a scenario comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScenarioRef {
    /// A file.
    File(PathBuf),
    /// A stock scenario embedded in the binary, by id.
    Stock(String),
}

/// The stock scenarios as sources.
pub fn stock_scenarios() -> Vec<SourceFile> {
    stock::EXERCISES
        .iter()
        .map(|f| SourceFile::new(stock::exercise_display_name(f), f.text))
        .collect()
}

/// The ids of the stock scenarios.
pub fn stock_ids() -> Vec<&'static str> {
    stock::EXERCISES
        .iter()
        .map(|f| f.name.trim_end_matches(".yaml"))
        .collect()
}

impl ScenarioRef {
    /// A path if it exists, else a stock id, else an error listing the stock ids.
    pub fn resolve(spec: &str) -> Result<ScenarioRef, catalog::CatalogError> {
        let path = Path::new(spec);
        if path.exists() {
            return Ok(ScenarioRef::File(path.to_path_buf()));
        }
        if stock_ids().contains(&spec) {
            return Ok(ScenarioRef::Stock(spec.to_string()));
        }
        Err(catalog::CatalogError::ScenarioNotFound {
            name: spec.to_string(),
            stock: stock_ids().join(", "),
        })
    }

    fn source(&self, limits: &Limits) -> Result<SourceFile, Box<Diagnostic>> {
        match self {
            ScenarioRef::File(p) => SourceFile::read(p, limits),
            ScenarioRef::Stock(id) => stock::EXERCISES
                .iter()
                .find(|f| f.name.trim_end_matches(".yaml") == id)
                .map(|f| SourceFile::new(stock::exercise_display_name(f), f.text))
                .ok_or_else(|| {
                    Box::new(Diagnostic::error(
                        id,
                        Position::start(),
                        "",
                        Problem::Unreadable {
                            reason: "not a stock scenario".into(),
                        },
                    ))
                }),
        }
    }

    /// The playbook a scenario names: for a file, a `.yaml` path relative to it, else
    /// `ID.yaml` beside it or in its parent folder; then a stock playbook with that id.
    /// Returns the places looked in when nothing is found.
    pub fn playbook(&self, name: &str) -> Result<PlaybookRef, Vec<String>> {
        let mut looked = Vec::new();
        if let ScenarioRef::File(path) = self {
            let dir = path.parent().unwrap_or(Path::new("."));
            let candidates: Vec<PathBuf> = if name.ends_with(".yaml") || name.ends_with(".yml") {
                vec![dir.join(name)]
            } else {
                vec![
                    dir.join(format!("{name}.yaml")),
                    dir.join("..").join(format!("{name}.yaml")),
                ]
            };
            for c in candidates {
                if c.is_file() {
                    return Ok(PlaybookRef::File(c));
                }
                looked.push(c.display().to_string());
            }
        }
        if catalog::stock_playbook(name).is_some() {
            return Ok(PlaybookRef::Stock(name.to_string()));
        }
        looked.push(format!("stock: {}", catalog::stock_ids().join(", ")));
        Err(looked)
    }
}

/// A scenario loaded and checked, with the playbook it runs.
#[derive(Debug, Clone)]
pub struct LoadedScenario {
    /// The scenario's text.
    pub source: SourceFile,
    /// The checked scenario.
    pub scenario: Scenario,
    /// The playbook, compiled with its directory.
    pub playbook: LoadedPlaybook,
}

/// Loads a scenario and its playbook and checks both; every problem comes back at once with
/// the sources to render it from.
pub fn load(
    scenario: &ScenarioRef,
    options: &CompileOptions,
) -> Result<LoadedScenario, LoadFailure> {
    let source = scenario.source(&options.limits).map_err(|d| LoadFailure {
        diagnostics: vec![*d],
        sources: Vec::new(),
    })?;
    load_source(scenario, source, options)
}

/// [`load`] for a scenario already read.
pub fn load_source(
    scenario: &ScenarioRef,
    source: SourceFile,
    options: &CompileOptions,
) -> Result<LoadedScenario, LoadFailure> {
    let fail = |diagnostics: Vec<Diagnostic>, source: &SourceFile| LoadFailure {
        diagnostics,
        sources: vec![source.clone()],
    };
    let file = scenario::parse(&source, &options.limits).map_err(|d| fail(vec![*d], &source))?;
    let playbook_ref = scenario.playbook(&file.playbook.value).map_err(|looked| {
        fail(
            vec![Diagnostic::error(
                &source.name,
                Position::from_location(&file.playbook.referenced),
                &file.playbook.value,
                Problem::ScenarioPlaybook {
                    name: file.playbook.value.clone(),
                    looked,
                },
            )],
            &source,
        )
    })?;
    let divisions: DivisionsRef = playbook_ref.divisions_source(None);
    let playbook =
        catalog::load_playbook(&playbook_ref, &divisions, options).map_err(|mut f| {
            f.sources.push(source.clone());
            f
        })?;
    let checked = scenario::check(&source, file, &playbook.compiled.playbook)
        .map_err(|d| fail(d, &source))?;
    Ok(LoadedScenario {
        source,
        scenario: checked,
        playbook,
    })
}
