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
pub mod lengths;
pub mod scenario;
pub mod score;
pub mod session;

use std::path::{Path, PathBuf};

pub use autopilot::{AutopilotRun, autopilot};
pub use scenario::{Effect, Inject, Scenario, ScenarioFile};
pub use score::{Score, score};
pub use session::{FACILITATOR, Fired, Session, drill_title};

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
    NotAnExercise(PathBuf),
    /// The frozen scenario cannot be read, or no longer matches what the exercise began with.
    FrozenScenario {
        /// The scenario.yaml.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The asynchronous runtime the autopilot's mail needs could not be made (the system
    /// refused threads or handles).
    Runtime(std::io::Error),
}

/// The English of [`ExerciseError::message`]: each failure's text is written once.
impl std::fmt::Display for ExerciseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(crate::Lang::En))
    }
}

impl ExerciseError {
    /// The refusal it is, however wrapped: a face renders it with its own fixes.
    pub fn refusal(&self) -> Option<&crate::incident::Refusal> {
        match self {
            ExerciseError::Incident(e) => e.refusal(),
            ExerciseError::Notify(e) => e.refusal(),
            _ => None,
        }
    }

    /// The message in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            ExerciseError::Incident(e) => e.message(lang),
            ExerciseError::Notify(e) => e.message(lang),
            ExerciseError::Runtime(source) => crate::tr!(
                lang,
                "非同期処理を準備できません: {source}",
                "cannot prepare the asynchronous runtime: {source}"
            ),
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
    /// What a name on the command line means, by the rule playbooks follow
    /// ([`PlaybookRef::resolve`]): a path that exists is that file; else an id, looked up in
    /// the city's `playbooks/exercises/` (`ID.yaml`, then the scenario whose `scenario:` it is, as
    /// `hikeshi list --exercises` shows it), then in the stock set. The error lists every
    /// place looked in.
    pub fn resolve(spec: &str) -> Result<ScenarioRef, catalog::CatalogError> {
        let path = Path::new(spec);
        if path.exists() {
            return Ok(ScenarioRef::File(path.to_path_buf()));
        }
        let mut looked = vec![path.display().to_string()];
        let folder = Path::new(catalog::CITY_FOLDER).join("exercises");
        if let Some(file) = city_scenario(spec, &folder, &mut looked) {
            return Ok(ScenarioRef::File(file));
        }
        if stock_ids().contains(&spec) {
            return Ok(ScenarioRef::Stock(spec.to_string()));
        }
        looked.push(format!("<embedded>/playbooks/exercises/{spec}.yaml"));
        Err(catalog::CatalogError::ScenarioNotFound {
            name: spec.to_string(),
            looked,
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

    /// The playbook a scenario names, by the one rule: for a file, a `.yaml` path relative
    /// to it; an id as `ID.yaml` beside it, then in its parent folder (`ID.yaml` or the
    /// playbook with that id: a city's `playbooks/` above its `exercises/`); then, for every
    /// scenario, in the city's folder `./playbooks` and the stock set
    /// ([`PlaybookRef::by_id`]). Returns the places looked in when nothing is found.
    pub fn playbook(&self, name: &str) -> Result<PlaybookRef, Vec<String>> {
        let mut looked = Vec::new();
        let is_path = name.ends_with(".yaml") || name.ends_with(".yml");
        if let ScenarioRef::File(path) = self {
            let dir = path.parent().unwrap_or(Path::new("."));
            let beside = if is_path {
                dir.join(name)
            } else {
                dir.join(format!("{name}.yaml"))
            };
            if beside.is_file() {
                return Ok(PlaybookRef::File(beside));
            }
            looked.push(beside.display().to_string());
            if !is_path
                && let Some(file) = catalog::city_playbook(name, &dir.join(".."), &mut looked)
            {
                return Ok(PlaybookRef::File(file));
            }
        }
        if is_path {
            return Err(looked);
        }
        PlaybookRef::by_id(name, Path::new(catalog::CITY_FOLDER), &mut looked).ok_or(looked)
    }
}

/// The scenario file in `folder` that `id` names: `ID.yaml` or `ID.yml`, else the one whose
/// `scenario:` is `id`. Each place looked in is added to `looked`.
fn city_scenario(id: &str, folder: &Path, looked: &mut Vec<String>) -> Option<PathBuf> {
    if !folder.is_dir() || id.is_empty() || id.contains(['/', '\\']) {
        return None;
    }
    for ext in ["yaml", "yml"] {
        let candidate = folder.join(format!("{id}.{ext}"));
        if candidate.is_file() {
            return Some(candidate);
        }
    }
    looked.push(folder.join(format!("{id}.yaml")).display().to_string());
    looked.push(folder.join("*.yaml (scenario:)").display().to_string());
    let limits = Limits::default();
    catalog::yaml_files_in(folder).ok()?.into_iter().find(|f| {
        SourceFile::read(f, &limits)
            .ok()
            .and_then(|source| scenario::parse(&source, &limits).ok())
            .is_some_and(|file| file.scenario.value == id)
    })
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
