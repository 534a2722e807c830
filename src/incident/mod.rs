//! Incidents: a playbook being executed. The engine ([`engine::apply`]) is pure; this module
//! does the I/O around it: the incident folder, the frozen playbook, the journal, evidence
//! files. A command is done only once its event is on disk.
//!
//! An incident folder (`incidents/20261122-1403-unauthorized-access/`) holds `journal.jsonl`,
//! the frozen `playbook.yaml` and `divisions.yaml` exactly as used, `outbox/` and `evidence/`.

pub mod describe;
pub mod engine;
pub mod event;
pub mod state;
pub mod status;

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, FixedOffset};

pub use engine::{Command, Refusal, apply};
pub use event::{Event, EvidenceRecord, Letter, StartParams};
pub use state::{IncidentState, StepStatus, StepView};

use crate::catalog::LoadedPlaybook;
use crate::clock::{Clock, format_jst};
use crate::directory::Directory;
use crate::journal::{self, Entry, GENESIS, JournalError, JournalWriter, NewEntry, TornTail};
use crate::lang::{Lang, Text, io, io_failure};
use crate::playbook::duration::format_duration;
use crate::playbook::{
    CompileOptions, Diagnostic, Limits, Playbook, SourceFile, StepKind, compile_source,
};
use crate::tr;

/// File names inside an incident folder.
pub mod files {
    /// The journal.
    pub const JOURNAL: &str = "journal.jsonl";
    /// The frozen playbook.
    pub const PLAYBOOK: &str = "playbook.yaml";
    /// The frozen directory of divisions.
    pub const DIVISIONS: &str = "divisions.yaml";
    /// Messages, as .eml files.
    pub const OUTBOX: &str = "outbox";
    /// Evidence files.
    pub const EVIDENCE: &str = "evidence";
    /// The frozen exercise scenario (exercises only).
    pub const SCENARIO: &str = "scenario.yaml";
}

/// Something went wrong with an incident (other than a refused command's reason, which is
/// [`IncidentError::Refused`]).
#[derive(Debug, thiserror::Error)]
pub enum IncidentError {
    /// The engine refused the command; nothing was written.
    #[error("{}", .0.message(Lang::En))]
    Refused(Refusal),
    /// The journal could not be read, verified or written.
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// A file operation failed.
    #[error("{} {path}: {source}", action.get(Lang::En))]
    Io {
        /// What was being done.
        action: Text,
        /// The file or folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// No incident by that name or path.
    #[error("no incident `{name}` (looked in {incidents})")]
    NotFound {
        /// As given.
        name: String,
        /// The incidents folder searched.
        incidents: PathBuf,
    },
    /// The folder lacks a file every incident has.
    #[error("{path} is missing: this folder is not a complete incident")]
    Incomplete {
        /// The missing file.
        path: PathBuf,
    },
    /// The frozen playbook or divisions file does not compile.
    #[error("the frozen playbook of this incident does not compile ({} problem(s))", .0.len())]
    FrozenPlaybook(Vec<Diagnostic>),
    /// A frozen file no longer has the SHA-256 recorded when the incident started.
    #[error(
        "{file} was changed after the incident started (recorded SHA-256 {recorded}, now {found})"
    )]
    FrozenChanged {
        /// `playbook.yaml` or `divisions.yaml`.
        file: &'static str,
        /// The hash in the journal's start event.
        recorded: String,
        /// The hash of the file now.
        found: String,
    },
    /// A journal entry that is not a known event.
    #[error("journal entry {seq}: {reason}")]
    BadEvent {
        /// The entry.
        seq: u64,
        /// Why.
        reason: String,
    },
}

impl IncidentError {
    fn io(action: Text, path: &Path, source: std::io::Error) -> Self {
        IncidentError::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }

    /// The message in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            IncidentError::Refused(r) => r.message(lang),
            IncidentError::Journal(e) => e.message(lang),
            IncidentError::Io {
                action,
                path,
                source,
            } => io_failure(lang, *action, path, source),
            IncidentError::NotFound { name, incidents } => {
                let incidents = incidents.display();
                tr!(
                    lang,
                    "事案 `{name}` が見つかりません（{incidents} を探しました）",
                    "no incident `{name}` (looked in {incidents})"
                )
            }
            IncidentError::Incomplete { path } => {
                let path = path.display();
                tr!(
                    lang,
                    "{path} がありません: このフォルダは完全な事案ではありません",
                    "{path} is missing: this folder is not a complete incident"
                )
            }
            IncidentError::FrozenPlaybook(diagnostics) => {
                let n = diagnostics.len();
                tr!(
                    lang,
                    "この事案の凍結した手順書がコンパイルできません（問題 {n} 件）",
                    "the frozen playbook of this incident does not compile ({n} problem(s))"
                )
            }
            IncidentError::FrozenChanged {
                file,
                recorded,
                found,
            } => tr!(
                lang,
                "事案の開始後に {file} が変更されています（記録と SHA-256 が一致しません）。事案フォルダの {file} を元に戻してください",
                "{file} was changed after the incident started (recorded SHA-256 {recorded}, now {found})"
            ),
            IncidentError::BadEvent { seq, reason } => tr!(
                lang,
                "記録の {seq} 番目の項目が読めません: {reason}",
                "journal entry {seq}: {reason}"
            ),
        }
    }
}

/// An event as it was just written: its journal entry (seq, time, actor, hash) and the event
/// itself, so whoever ran the command never decodes the entry again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The journal entry.
    pub entry: Entry,
    /// The event it holds.
    pub event: Event,
}

/// An incident read from its folder (playbook, directory and state), without a lock.
#[derive(Debug, Clone)]
pub struct IncidentRecord {
    /// The incident folder.
    pub dir: PathBuf,
    /// The incident id (the folder name).
    pub id: String,
    /// The frozen playbook, compiled.
    pub playbook: Playbook,
    /// The frozen directory.
    pub directory: Directory,
    /// SHA-256 of the frozen playbook.yaml.
    pub playbook_sha256: String,
    /// The state after every journal entry.
    pub state: IncidentState,
    /// Number of journal entries.
    pub entries: u64,
    /// Hash of the first journal entry.
    pub first_hash: Option<String>,
    /// Hash of the last journal entry.
    pub head: String,
    /// An unterminated last line found in the journal.
    pub torn: Option<TornTail>,
}

/// The frozen playbook and directory of an incident, compiled, with their hashes.
struct Frozen {
    playbook: Playbook,
    directory: Directory,
    playbook_sha256: String,
    divisions_sha256: String,
}

impl Frozen {
    /// Checks the start event against the frozen files: the journal must begin with the
    /// start, and the files must be the ones it recorded.
    fn check_start(&self, seq: u64, event: &Event) -> Result<(), IncidentError> {
        let Event::IncidentStarted {
            playbook,
            playbook_sha256,
            divisions_sha256,
            ..
        } = event
        else {
            return Err(IncidentError::BadEvent {
                seq,
                reason: "the journal does not begin with the start of an incident".into(),
            });
        };
        if *playbook != self.playbook.id || *playbook_sha256 != self.playbook_sha256 {
            return Err(IncidentError::FrozenChanged {
                file: files::PLAYBOOK,
                recorded: playbook_sha256.clone(),
                found: self.playbook_sha256.clone(),
            });
        }
        if *divisions_sha256 != self.divisions_sha256 {
            return Err(IncidentError::FrozenChanged {
                file: files::DIVISIONS,
                recorded: divisions_sha256.clone(),
                found: self.divisions_sha256.clone(),
            });
        }
        Ok(())
    }

    fn into_parts(self) -> (Playbook, Directory, String) {
        (self.playbook, self.directory, self.playbook_sha256)
    }
}

fn read_frozen(dir: &Path) -> Result<Frozen, IncidentError> {
    let limits = Limits::default();
    let read = |name: &str| -> Result<SourceFile, IncidentError> {
        let path = dir.join(name);
        if !path.is_file() {
            return Err(IncidentError::Incomplete { path });
        }
        SourceFile::read(&path, &limits).map_err(|d| IncidentError::FrozenPlaybook(vec![*d]))
    };
    let divisions = read(files::DIVISIONS)?;
    let playbook = read(files::PLAYBOOK)?;
    let directory = Directory::load(&divisions, &limits).map_err(IncidentError::FrozenPlaybook)?;
    // No review-date check: the frozen copy records what was followed, stale or not.
    let compiled = compile_source(&playbook, &directory, &CompileOptions::default())
        .map_err(IncidentError::FrozenPlaybook)?;
    Ok(Frozen {
        playbook: compiled.playbook,
        directory,
        playbook_sha256: journal::sha256_hex(playbook.text.as_bytes()),
        divisions_sha256: journal::sha256_hex(divisions.text.as_bytes()),
    })
}

/// The one replay loop (behind `load`, `open` and `audit`): each journal entry's event is
/// decoded, the first is checked against the frozen files, and each is folded into the state.
struct Replayer<'a> {
    frozen: &'a Frozen,
    state: IncidentState,
    started: bool,
}

impl<'a> Replayer<'a> {
    fn new(frozen: &'a Frozen) -> Self {
        Replayer {
            frozen,
            state: IncidentState::new(&frozen.playbook),
            started: false,
        }
    }

    /// Decodes and folds one entry. An event that cannot be decoded is an error and is not
    /// folded; a first entry that does not match the frozen files is folded all the same and
    /// its problem returned beside it (a strict read stops at it, an audit lists it).
    fn fold(
        &mut self,
        seq: u64,
        time: DateTime<FixedOffset>,
        actor: &str,
        kind: &str,
        payload: &str,
    ) -> Result<(Event, Option<IncidentError>), IncidentError> {
        let event = Event::decode(kind, payload).map_err(|e| IncidentError::BadEvent {
            seq,
            reason: e.to_string(),
        })?;
        let mut problem = None;
        if seq == 1 && !self.started {
            self.started = true;
            problem = self.frozen.check_start(seq, &event).err();
        }
        self.state.apply(&self.frozen.playbook, time, actor, &event);
        Ok((event, problem))
    }

    /// Folds one entry, stopping at any problem.
    fn fold_strict(
        &mut self,
        seq: u64,
        time: DateTime<FixedOffset>,
        actor: &str,
        kind: &str,
        payload: &str,
    ) -> Result<Event, IncidentError> {
        match self.fold(seq, time, actor, kind, payload)? {
            (_, Some(problem)) => Err(problem),
            (event, None) => Ok(event),
        }
    }
}

impl IncidentRecord {
    fn from_parts(dir: &Path, frozen: (Playbook, Directory, String), state: IncidentState) -> Self {
        let (playbook, directory, playbook_sha256) = frozen;
        IncidentRecord {
            dir: dir.to_path_buf(),
            id: incident_id(dir),
            playbook,
            directory,
            playbook_sha256,
            state,
            entries: 0,
            first_hash: None,
            head: GENESIS.to_string(),
            torn: None,
        }
    }

    /// Reads an incident folder: frozen playbook, verified journal, state. Takes no lock and
    /// changes nothing, so it works while another process writes.
    pub fn load(dir: &Path) -> Result<IncidentRecord, IncidentError> {
        let frozen = read_frozen(dir)?;
        let journal_path = dir.join(files::JOURNAL);
        if !journal_path.is_file() {
            return Err(IncidentError::Incomplete { path: journal_path });
        }
        // Fold while reading: entries are borrowed from the file's bytes, never copied.
        let mut replayer = Replayer::new(&frozen);
        let summary = journal::read_with(&journal_path, |e| {
            replayer
                .fold_strict(e.seq, e.time, &e.actor, e.kind, e.payload)
                .map(drop)
        })??;
        let state = replayer.state;
        Ok(IncidentRecord {
            entries: summary.entries,
            first_hash: summary.first_hash,
            head: summary.head,
            torn: summary.torn,
            ..IncidentRecord::from_parts(dir, frozen.into_parts(), state)
        })
    }
}

/// An incident read for a report: the state folded from every readable event, and what did
/// not verify (the journal's damaged lines, changed frozen files, undecodable events).
#[derive(Debug)]
pub struct AuditedIncident {
    /// The incident, as far as it can be read.
    pub record: IncidentRecord,
    /// The journal as read, with its damaged lines.
    pub journal: journal::Audit,
    /// Problems besides damaged lines: a frozen file changed, an event that cannot be decoded.
    pub problems: Vec<IncidentError>,
    /// Each journal line's event, decoded once (`None` for a line that cannot be read or
    /// decoded), aligned with `journal.lines`.
    pub events: Vec<Option<Event>>,
}

impl AuditedIncident {
    /// Whether everything verified.
    pub fn is_intact(&self) -> bool {
        self.journal.is_intact() && self.problems.is_empty()
    }
}

impl IncidentRecord {
    /// Reads an incident without stopping at damage: every readable event is folded, and
    /// everything that does not verify is listed. Fails only if the frozen playbook cannot be
    /// read at all (without it, no event can be understood).
    pub fn audit(dir: &Path) -> Result<AuditedIncident, IncidentError> {
        let frozen = read_frozen(dir)?;
        let journal_path = dir.join(files::JOURNAL);
        if !journal_path.is_file() {
            return Err(IncidentError::Incomplete { path: journal_path });
        }
        let audit = journal::audit(&journal_path)?;
        let mut problems = Vec::new();
        let mut events = Vec::with_capacity(audit.lines.len());
        let mut replayer = Replayer::new(&frozen);
        for line in &audit.lines {
            let Some(e) = &line.entry else {
                events.push(None);
                continue;
            };
            match replayer.fold(e.seq, e.time, &e.actor, &e.kind, &e.payload) {
                Ok((event, problem)) => {
                    problems.extend(problem);
                    events.push(Some(event));
                }
                Err(problem) => {
                    problems.push(problem);
                    events.push(None);
                }
            }
        }
        let (state, started) = (replayer.state, replayer.started);
        if !started {
            problems.push(IncidentError::BadEvent {
                seq: 1,
                reason: "the journal does not begin with the start of an incident".into(),
            });
        }
        let readable: Vec<&Entry> = audit.entries().collect();
        let record = IncidentRecord {
            entries: readable.len() as u64,
            first_hash: readable.first().map(|e| e.hash.clone()),
            head: readable
                .last()
                .map_or_else(|| GENESIS.to_string(), |e| e.hash.clone()),
            torn: audit.torn.clone(),
            ..IncidentRecord::from_parts(dir, frozen.into_parts(), state)
        };
        Ok(AuditedIncident {
            record,
            journal: audit,
            problems,
            events,
        })
    }
}

/// An exercise's frozen `scenario.yaml`, read and checked against the SHA-256 journalled when
/// the exercise began.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrozenScenario {
    /// The file.
    pub path: PathBuf,
    /// Its text, or why it cannot be read.
    pub text: Result<String, String>,
    /// Whether it is the scenario the exercise began with.
    pub verified: bool,
}

impl FrozenScenario {
    /// The text, if it is the scenario the exercise began with; else what is wrong.
    pub fn verified_text(&self) -> Result<&str, String> {
        match &self.text {
            Ok(text) if self.verified => Ok(text),
            Ok(_) => Err("it differs from the scenario the exercise began with".into()),
            Err(reason) => Err(reason.clone()),
        }
    }
}

impl IncidentRecord {
    /// The frozen scenario of an exercise (`None` if no exercise has begun on the incident),
    /// checked against the hash in its `exercise_began`: the one check that `verify`, the
    /// report and resuming an exercise rely on.
    pub fn frozen_scenario(&self) -> Option<FrozenScenario> {
        let run = self.state.run.as_ref()?;
        let path = self.dir.join(files::SCENARIO);
        let text = std::fs::read_to_string(&path).map_err(|e| e.to_string());
        let verified = text
            .as_ref()
            .is_ok_and(|t| journal::sha256_hex(t.as_bytes()) == run.scenario_sha256);
        Some(FrozenScenario {
            path,
            text,
            verified,
        })
    }
}

fn incident_id(dir: &Path) -> String {
    dir.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Finds an incident by folder path or by id inside `incidents`.
pub fn resolve(name: &str, incidents: &Path) -> Result<PathBuf, IncidentError> {
    let as_path = Path::new(name);
    if as_path.join(files::JOURNAL).is_file() || as_path.join(files::PLAYBOOK).is_file() {
        return Ok(as_path.to_path_buf());
    }
    let in_folder = incidents.join(name);
    if in_folder.is_dir() {
        return Ok(in_folder);
    }
    Err(IncidentError::NotFound {
        name: name.to_string(),
        incidents: incidents.to_path_buf(),
    })
}

/// The incident folders inside `incidents`, newest first (ids sort by time).
pub fn list(incidents: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(incidents) else {
        return Vec::new();
    };
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join(files::JOURNAL).is_file())
        .collect();
    dirs.sort();
    dirs.reverse();
    dirs
}

/// An open incident: the single writer of its journal.
pub struct Incident {
    record: IncidentRecord,
    journal: JournalWriter,
    clock: Arc<dyn Clock>,
    /// The last events read or written, oldest first (at most [`RECENT`]).
    recent: VecDeque<Written>,
}

/// How many of the last events an open incident keeps at hand (the screen's timeline).
pub const RECENT: usize = 200;

impl std::fmt::Debug for Incident {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Incident")
            .field("dir", &self.record.dir)
            .field("entries", &self.record.entries)
            .finish_non_exhaustive()
    }
}

/// Makes new entries of a folder durable (a new file or folder survives a power loss only
/// once its parent folder is synced).
fn sync_dir(dir: &Path) -> Result<(), IncidentError> {
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| IncidentError::io(io::SYNC, dir, e))
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), IncidentError> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| IncidentError::io(io::CREATE, path, e))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| IncidentError::io(io::WRITE, path, e))
}

impl Incident {
    /// Starts a new incident from a loaded playbook: makes its folder (id from the start time,
    /// e.g. `20261122-1403-unauthorized-access`), freezes the playbook and divisions files
    /// exactly as read, and journals the start.
    pub fn start(
        incidents: &Path,
        loaded: &LoadedPlaybook,
        params: StartParams,
        clock: Arc<dyn Clock>,
    ) -> Result<Incident, IncidentError> {
        let playbook = &loaded.compiled.playbook;
        let now = clock.now();
        let playbook_sha256 = journal::sha256_hex(loaded.source.text.as_bytes());
        let divisions_sha256 = journal::sha256_hex(loaded.divisions_source.text.as_bytes());
        let operator = params.operator.clone();
        let start = Command::Start {
            params,
            playbook_sha256: playbook_sha256.clone(),
            divisions_sha256,
        };
        // Check before creating anything, so a refused start leaves no folder behind.
        let events = apply(&IncidentState::new(playbook), playbook, &start)
            .map_err(IncidentError::Refused)?;

        std::fs::create_dir_all(incidents)
            .map_err(|e| IncidentError::io(io::CREATE, incidents, e))?;
        let base = format!("{}-{}", now.format("%Y%m%d-%H%M"), playbook.id);
        let dir = (1..1000)
            .map(|n| {
                if n == 1 {
                    incidents.join(&base)
                } else {
                    incidents.join(format!("{base}-{n}"))
                }
            })
            .find_map(|dir| match std::fs::create_dir(&dir) {
                Ok(()) => Some(sync_dir(incidents).map(|()| dir)),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => None,
                Err(e) => Some(Err(IncidentError::io(io::CREATE, &dir, e))),
            })
            .unwrap_or_else(|| {
                Err(IncidentError::io(
                    io::CREATE,
                    &incidents.join(&base),
                    std::io::Error::from(std::io::ErrorKind::AlreadyExists),
                ))
            })?;
        // If anything below fails, the half-made folder is removed: it holds nothing yet.
        let made = (|| -> Result<(JournalWriter, Vec<Written>), IncidentError> {
            for sub in [files::OUTBOX, files::EVIDENCE] {
                let p = dir.join(sub);
                std::fs::create_dir(&p).map_err(|e| IncidentError::io(io::CREATE, &p, e))?;
            }
            write_synced(&dir.join(files::PLAYBOOK), loaded.source.text.as_bytes())?;
            write_synced(
                &dir.join(files::DIVISIONS),
                loaded.divisions_source.text.as_bytes(),
            )?;
            let mut journal = JournalWriter::create(&dir.join(files::JOURNAL))?;
            let written = append(&mut journal, &operator, now, events)?;
            Ok((journal, written))
        })();
        let (journal, written) = match made {
            Ok(j) => j,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&dir);
                return Err(e);
            }
        };
        let record = IncidentRecord::from_parts(
            &dir,
            (playbook.clone(), loaded.directory.clone(), playbook_sha256),
            IncidentState::new(playbook),
        );
        let mut incident = Incident {
            record,
            journal,
            clock,
            recent: VecDeque::new(),
        };
        incident.absorb(written);
        Ok(incident)
    }

    /// Opens an incident for writing: takes the lock (a second writer gets
    /// [`JournalError::Locked`]), verifies the journal, moves a torn tail aside (see
    /// [`IncidentRecord::torn`]) and replays it.
    pub fn open(dir: &Path, clock: Arc<dyn Clock>) -> Result<Incident, IncidentError> {
        let frozen = read_frozen(dir)?;
        let journal_path = dir.join(files::JOURNAL);
        if !journal_path.is_file() {
            return Err(IncidentError::Incomplete { path: journal_path });
        }
        let (journal, replay) = JournalWriter::open(&journal_path)?;
        let mut replayer = Replayer::new(&frozen);
        let mut recent = VecDeque::with_capacity(RECENT);
        let keep_from = replay.entries.len().saturating_sub(RECENT);
        for (i, e) in replay.entries.iter().enumerate() {
            let event = replayer.fold_strict(e.seq, e.time, &e.actor, &e.kind, &e.payload)?;
            if i >= keep_from {
                recent.push_back(Written {
                    entry: e.clone(),
                    event,
                });
            }
        }
        let state = replayer.state;
        Ok(Incident {
            record: IncidentRecord {
                entries: replay.entries.len() as u64,
                first_hash: replay.entries.first().map(|e| e.hash.clone()),
                head: replay.head().to_string(),
                torn: replay.torn.clone(),
                ..IncidentRecord::from_parts(dir, frozen.into_parts(), state)
            },
            journal,
            clock,
            recent,
        })
    }

    /// The incident as it stands.
    pub fn record(&self) -> &IncidentRecord {
        &self.record
    }

    /// The state.
    pub fn state(&self) -> &IncidentState {
        &self.record.state
    }

    /// The playbook.
    pub fn playbook(&self) -> &Playbook {
        &self.record.playbook
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.record.dir
    }

    /// Reads time from `clock` from now on (an exercise's simulated clock, found only once
    /// the journal is read).
    pub fn set_clock(&mut self, clock: Arc<dyn Clock>) {
        self.clock = clock;
    }

    /// The current time on the incident's clock.
    pub fn now(&self) -> DateTime<FixedOffset> {
        self.clock.now()
    }

    /// The last events read or written, oldest first (at most [`RECENT`]): the screen's
    /// timeline starts from these without reading the journal again.
    pub fn recent(&self) -> impl ExactSizeIterator<Item = &Written> {
        self.recent.iter()
    }

    /// Folds what was just written into the state and keeps it at hand; returns it.
    fn absorb(&mut self, written: Vec<Written>) -> Vec<Written> {
        for w in &written {
            let (entry, event) = (&w.entry, &w.event);
            self.record
                .state
                .apply(&self.record.playbook, entry.time, &entry.actor, event);
            if self.record.first_hash.is_none() {
                self.record.first_hash = Some(entry.hash.clone());
            }
        }
        self.record.entries = self.journal.last_seq();
        self.record.head = self.journal.head().to_string();
        let excess = (self.recent.len() + written.len()).saturating_sub(RECENT);
        self.recent.drain(..excess.min(self.recent.len()));
        let skip = written.len().saturating_sub(RECENT);
        self.recent.extend(written.iter().skip(skip).cloned());
        written
    }

    /// Checks a command against the state without writing anything: what [`Incident::execute`]
    /// would refuse, so a caller can refuse before it prepares files (an .eml, an evidence
    /// copy) for the command.
    pub fn check(&self, command: &Command) -> Result<Vec<Event>, Refusal> {
        apply(&self.record.state, &self.record.playbook, command)
    }

    /// Runs a command: the engine checks it, its events are appended and fsync'd, then the
    /// state is updated. Returns what was written, event by event. A refused command writes
    /// nothing.
    pub fn execute(
        &mut self,
        actor: &str,
        command: &Command,
    ) -> Result<Vec<Written>, IncidentError> {
        let events = self.check(command).map_err(IncidentError::Refused)?;
        let now = self.clock.now();
        let written = append(&mut self.journal, actor, now, events)?;
        Ok(self.absorb(written))
    }

    /// Records evidence for `step` as the operator gave it: a URL (`http://` or `https://`)
    /// is recorded as such, anything else is a file to copy in (see
    /// [`Incident::attach_file`]). Every face passes the text here, so they cannot disagree
    /// on which is which.
    pub fn attach(
        &mut self,
        actor: &str,
        step: &str,
        target: &str,
        note: Option<String>,
    ) -> Result<Vec<Written>, IncidentError> {
        if is_url(target) {
            let command = Command::AttachEvidence {
                step: step.to_string(),
                evidence: EvidenceRecord::Url {
                    url: target.to_string(),
                },
                note,
            };
            self.execute(actor, &command)
        } else {
            self.attach_file(actor, step, Path::new(target), note)
        }
    }

    /// Copies a file into `evidence/` (named `<seq>-<file name>`), hashing it on the way, and
    /// records it for `step`. If the command is refused, the copy is removed again.
    pub fn attach_file(
        &mut self,
        actor: &str,
        step: &str,
        source: &Path,
        note: Option<String>,
    ) -> Result<Vec<Written>, IncidentError> {
        let original = source.display().to_string();
        let base = source
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "evidence".into());
        // Ask the engine first with a stand-in, so nothing is copied for a refused command.
        let probe = Command::AttachEvidence {
            step: step.to_string(),
            evidence: EvidenceRecord::Url {
                url: original.clone(),
            },
            note: note.clone(),
        };
        self.check(&probe).map_err(IncidentError::Refused)?;
        let folder = self.record.dir.join(files::EVIDENCE);
        // A copy left by a crash must not block a retry: find a free name.
        let seq = self.journal.last_seq() + 1;
        let (name, target) = (1..1000)
            .map(|n| {
                let name = if n == 1 {
                    format!("{seq:06}-{base}")
                } else {
                    format!("{seq:06}-{n}-{base}")
                };
                let target = folder.join(&name);
                (name, target)
            })
            .find(|(_, target)| !target.exists())
            .unwrap_or_else(|| {
                (
                    format!("{seq:06}-{base}"),
                    folder.join(format!("{seq:06}-{base}")),
                )
            });
        let (sha256, bytes) = copy_hashed(source, &target)?;
        sync_dir(&folder)?;
        let command = Command::AttachEvidence {
            step: step.to_string(),
            evidence: EvidenceRecord::File {
                name,
                original,
                sha256,
                bytes,
            },
            note,
        };
        self.execute(actor, &command).inspect_err(|_| {
            let _ = std::fs::remove_file(&target);
        })
    }
}

/// Whether evidence given as text is a URL rather than a file path.
fn is_url(target: &str) -> bool {
    target.starts_with("http://") || target.starts_with("https://")
}

fn append(
    journal: &mut JournalWriter,
    actor: &str,
    time: DateTime<FixedOffset>,
    events: Vec<Event>,
) -> Result<Vec<Written>, IncidentError> {
    let encoded: Vec<(String, String)> = events
        .iter()
        .map(|e| {
            e.encode().map_err(|err| IncidentError::BadEvent {
                seq: journal.last_seq() + 1,
                reason: err.to_string(),
            })
        })
        .collect::<Result<_, _>>()?;
    let new: Vec<NewEntry<'_>> = encoded
        .iter()
        .map(|(kind, payload)| NewEntry {
            time,
            actor,
            kind,
            payload,
        })
        .collect();
    let entries = journal.append(&new)?;
    Ok(entries
        .into_iter()
        .zip(events)
        .map(|(entry, event)| Written { entry, event })
        .collect())
}

/// Copies `from` to a new file `to`, returning its SHA-256 and size; fsyncs the copy.
fn copy_hashed(from: &Path, to: &Path) -> Result<(String, u64), IncidentError> {
    use sha2::{Digest as _, Sha256};
    let mut input = std::fs::File::open(from).map_err(|e| IncidentError::io(io::OPEN, from, e))?;
    let mut output = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(to)
        .map_err(|e| IncidentError::io(io::CREATE, to, e))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 64 * 1024];
    let mut total = 0u64;
    let result = (|| -> std::io::Result<()> {
        loop {
            let n = input.read(&mut buffer)?;
            if n == 0 {
                break;
            }
            hasher.update(&buffer[..n]);
            output.write_all(&buffer[..n])?;
            total += n as u64;
        }
        output.sync_all()
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(to);
        return Err(IncidentError::io(io::COPY_EVIDENCE, to, e));
    }
    let digest = hasher.finalize();
    let mut hex = String::with_capacity(64);
    for b in digest {
        let _ = write!(hex, "{b:02x}");
    }
    Ok((hex, total))
}

/// The handover summary (交代時の引き継ぎ): open and overdue steps, the last decisions.
pub fn handover_summary(record: &IncidentRecord, now: DateTime<FixedOffset>, lang: Lang) -> String {
    let playbook = &record.playbook;
    let state = &record.state;
    let mut out = String::new();
    let p = state.progress();
    let title = |ix| {
        playbook
            .graph
            .step(ix)
            .map(|s| format!("{} {}", s.id, s.title))
            .unwrap_or_default()
    };
    let _ = writeln!(
        out,
        "{} {} / {} ({}: {}, {}: {}, {}: {})",
        lang.pick("進捗", "progress"),
        p.settled(),
        p.total,
        lang.pick("実施可", "ready"),
        p.ready,
        lang.pick("待機", "pending"),
        p.pending,
        lang.pick("期限超過", "overdue"),
        state.overdue(playbook, now).len()
    );
    let overdue = state.overdue(playbook, now);
    if !overdue.is_empty() {
        let _ = writeln!(out, "{}", lang.pick("期限超過:", "overdue:"));
        for ix in &overdue {
            let view = state.view(playbook, *ix, now);
            let by = view
                .time_left
                .map(|t| format_duration(-t, lang))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  - {} ({}{by})",
                title(*ix),
                lang.pick("超過 ", "by ")
            );
        }
    }
    let ready: Vec<_> = state
        .open_steps(playbook)
        .into_iter()
        .filter(|ix| state.status_of(*ix) == StepStatus::Ready && !overdue.contains(ix))
        .collect();
    if !ready.is_empty() {
        let _ = writeln!(out, "{}", lang.pick("実施可能な手順:", "ready steps:"));
        for ix in ready {
            let _ = writeln!(out, "  - {}", title(ix));
        }
    }
    let mut decisions: Vec<(DateTime<FixedOffset>, String)> = Vec::new();
    for &ix in playbook.graph.order() {
        let (Some(r), Some(step)) = (state.step(ix), playbook.graph.step(ix)) else {
            continue;
        };
        if let (Some(answer), StepKind::Decision(d), Some(last)) =
            (r.answer, &step.kind, r.answers.last())
        {
            let option = d.options.get(answer).map_or("", |o| o.title.as_str());
            decisions.push((
                last.at,
                format!("{}: {option} ({})", step.title, format_jst(last.at, false)),
            ));
        }
    }
    decisions.sort();
    if !decisions.is_empty() {
        let _ = writeln!(out, "{}", lang.pick("これまでの判断:", "decisions:"));
        for (_, d) in decisions.iter().rev().take(5) {
            let _ = writeln!(out, "  - {d}");
        }
    }
    out
}
