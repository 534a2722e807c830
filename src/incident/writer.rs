//! The one writer of an incident: it starts the folder, opens it under a lock, and runs
//! commands through the engine, appending (and fsyncing) their events before the state
//! changes.

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::io::{Read as _, Write as _};
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset};

use super::record::{Replayer, read_frozen};
use super::staging::{self, Staged};
use super::{
    Command, Event, EvidenceRecord, IncidentError, IncidentRecord, IncidentState, Refusal,
    StartParams, Written, apply, files,
};
use crate::catalog::LoadedPlaybook;
use crate::clock::Clock;
use crate::journal::{self, JournalWriter, NewEntry};
use crate::lang::io;
use crate::playbook::Playbook;

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
    crate::platform::sync_dir(dir).map_err(|e| IncidentError::io(io::SYNC, dir, e))
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
        Incident::start_with(incidents, loaded, params, clock, &[])
    }

    /// [`Incident::start`], freezing `extra` files (name in the folder, bytes) too before the
    /// folder appears (an exercise's scenario), so that it never appears without them.
    pub fn start_with(
        incidents: &Path,
        loaded: &LoadedPlaybook,
        params: StartParams,
        clock: Arc<dyn Clock>,
        extra: &[(&str, &[u8])],
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
        staging::clean_leftovers(incidents);
        let base = format!("{}-{}", now.format("%Y%m%d-%H%M"), playbook.id);
        // Built under a temporary name and renamed into place once complete: a crash leaves
        // no half-made incident, only a temporary folder that listing ignores.
        let staged = Staged::begin(incidents, &base)?;
        let tmp = staged.dir();
        for sub in [files::OUTBOX, files::EVIDENCE] {
            let p = tmp.join(sub);
            std::fs::create_dir(&p).map_err(|e| IncidentError::io(io::CREATE, &p, e))?;
        }
        write_synced(&tmp.join(files::PLAYBOOK), loaded.source.text.as_bytes())?;
        write_synced(
            &tmp.join(files::DIVISIONS),
            loaded.divisions_source.text.as_bytes(),
        )?;
        for (name, bytes) in extra {
            write_synced(&tmp.join(name), bytes)?;
        }
        let written = {
            // Closed before the rename: Windows does not rename a folder with a file open in it.
            let mut journal = JournalWriter::create(&tmp.join(files::JOURNAL))?;
            append(&mut journal, &operator, now, events)?
        };
        let dir = staged.finish((1..1000).map(|n| {
            if n == 1 {
                incidents.join(&base)
            } else {
                incidents.join(format!("{base}-{n}"))
            }
        }))?;
        let (journal, _) = JournalWriter::open(&dir.join(files::JOURNAL))?;
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
            let event = replayer.fold_strict(&e.borrowed())?;
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
