//! Reading an incident: the frozen playbook and directory, the journal replayed into a state
//! (strictly for `load` and the writer, without stopping at damage for `audit`), and the
//! frozen scenario of an exercise.

use std::path::{Path, PathBuf};

use super::{Event, IncidentError, IncidentState, files, incident_id};
use crate::directory::Directory;
use crate::journal::{self, Entry, EntryRef, GENESIS, TornTail};
use crate::playbook::{CompileOptions, Limits, Playbook, SourceFile, compile_source};

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
pub(super) struct Frozen {
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
            return Err(not_begun(seq));
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

    pub(super) fn into_parts(self) -> (Playbook, Directory, String) {
        (self.playbook, self.directory, self.playbook_sha256)
    }
}

/// A journal that does not begin with the start of an incident (an empty one included).
fn not_begun(seq: u64) -> IncidentError {
    IncidentError::BadEvent {
        seq,
        reason: "the journal does not begin with the start of an incident".into(),
    }
}

pub(super) fn read_frozen(dir: &Path) -> Result<Frozen, IncidentError> {
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
        playbook_sha256: crate::digest::sha256_hex(playbook.text.as_bytes()),
        divisions_sha256: crate::digest::sha256_hex(divisions.text.as_bytes()),
    })
}

/// The one replay loop (behind `load`, `open` and `audit`): each journal entry's event is
/// decoded, the first is checked against the frozen files, and each is folded into the state.
pub(super) struct Replayer<'a> {
    frozen: &'a Frozen,
    pub(super) state: IncidentState,
    started: bool,
}

impl<'a> Replayer<'a> {
    pub(super) fn new(frozen: &'a Frozen) -> Self {
        Replayer {
            frozen,
            state: IncidentState::new(&frozen.playbook),
            started: false,
        }
    }

    /// Decodes and folds one entry. An event that cannot be decoded is an error and is not
    /// folded; a first entry that does not match the frozen files is folded all the same and
    /// its problem returned beside it (a strict read stops at it, an audit lists it).
    fn fold(&mut self, e: &EntryRef<'_>) -> Result<(Event, Option<IncidentError>), IncidentError> {
        let event = Event::decode(e.kind, e.payload).map_err(|err| IncidentError::BadEvent {
            seq: e.seq,
            reason: err.to_string(),
        })?;
        let mut problem = None;
        if e.seq == 1 && !self.started {
            self.started = true;
            problem = self.frozen.check_start(e.seq, &event).err();
        }
        self.state
            .apply(&self.frozen.playbook, e.time, &e.actor, &event);
        Ok((event, problem))
    }

    /// The state after every entry, for a strict read: a journal with no entry at all is not
    /// an incident either (an emptied journal must not read as a clean one).
    pub(super) fn finish(self) -> Result<IncidentState, IncidentError> {
        if self.started {
            Ok(self.state)
        } else {
            Err(not_begun(1))
        }
    }

    /// Folds one entry, stopping at any problem.
    pub(super) fn fold_strict(&mut self, e: &EntryRef<'_>) -> Result<Event, IncidentError> {
        match self.fold(e)? {
            (_, Some(problem)) => Err(problem),
            (event, None) => Ok(event),
        }
    }
}

impl IncidentRecord {
    pub(super) fn from_parts(
        dir: &Path,
        frozen: (Playbook, Directory, String),
        state: IncidentState,
    ) -> Self {
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
        let summary = journal::read_with(&journal_path, |e| replayer.fold_strict(&e).map(drop))?;
        let state = replayer.finish()?;
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
            match replayer.fold(&e.borrowed()) {
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
            problems.push(not_begun(1));
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
            .is_ok_and(|t| crate::digest::sha256_hex(t.as_bytes()) == run.scenario_sha256);
        Some(FrozenScenario {
            path,
            text,
            verified,
        })
    }
}
