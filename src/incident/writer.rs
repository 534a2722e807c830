//! A writer of an incident: it starts the folder, opens it, and runs commands through the
//! engine, appending (and fsyncing) their events before the state changes. Any number of
//! writers may have one incident open, in this process or on other PCs: each command takes
//! the journal's lock for its append only, folds what the others appended first, and is
//! checked against that state.

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
    StartParams, Written, apply, apply_at, files,
};
use crate::catalog::LoadedPlaybook;
use crate::clock::Clock;
use crate::journal::{self, JournalLock, JournalWriter, NewEntry};
use crate::lang::io;
use crate::playbook::Playbook;

/// An open incident: one of its journal's writers.
pub struct Incident {
    record: IncidentRecord,
    journal: JournalWriter,
    clock: Arc<dyn Clock>,
    /// The last events read or written, oldest first (at most [`RECENT`]).
    recent: VecDeque<Written>,
    /// What others appended, folded since [`Incident::take_arrivals`] was last called (at
    /// most [`RECENT`]).
    arrivals: VecDeque<Written>,
    /// Journal events although the clock is behind the journal's last event.
    earlier_time_ok: bool,
}

/// How often a live view (a screen, `status --watch`) looks for what others appended: well
/// within the second in which another person's act should appear.
pub const REFRESH: std::time::Duration = std::time::Duration::from_millis(200);

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
        mut params: StartParams,
        clock: Arc<dyn Clock>,
        extra: &[(&str, &[u8])],
    ) -> Result<Incident, IncidentError> {
        if params.origin.is_none() {
            params.origin = Some(loaded.origin.clone());
        }
        let playbook = &loaded.compiled.playbook;
        let now = clock.now();
        if !params.exercise {
            not_ahead(now)?;
        }
        let playbook_sha256 = crate::digest::sha256_hex(loaded.source.text.as_bytes());
        let divisions_sha256 = crate::digest::sha256_hex(loaded.divisions_source.text.as_bytes());
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
        // A playbook that extends another is frozen with it (its `extends` points there).
        if let Some(base) = &loaded.compiled.base {
            let path = tmp.join(crate::playbook::extend::FROZEN_BASE);
            write_synced(&path, base.text.as_bytes())?;
        }
        let written = {
            // Closed before the rename: Windows does not rename a folder with a file open in it.
            let mut journal = JournalWriter::create(&tmp.join(files::JOURNAL))?;
            let lock = journal.lock()?;
            append(&mut journal, &lock, &operator, now, events)?
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
            arrivals: VecDeque::new(),
            earlier_time_ok: false,
        };
        incident.absorb(written);
        Ok(incident)
    }

    /// Opens an incident for writing beside any others: verifies the journal, moves a torn
    /// tail aside (see [`IncidentRecord::torn`]) and replays it. Nothing stays locked: each
    /// command takes the journal's lock for its own append.
    ///
    /// [`JournalError::Locked`]: crate::journal::JournalError::Locked
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
        let state = replayer.finish()?;
        Ok(Incident {
            record: IncidentRecord {
                entries: journal.last_seq(),
                first_hash: replay.entries.first().map(|e| e.hash.clone()),
                head: journal.head().to_string(),
                torn: replay.torn.clone(),
                ..IncidentRecord::from_parts(dir, frozen.into_parts(), state)
            },
            journal,
            clock,
            recent,
            arrivals: VecDeque::new(),
            earlier_time_ok: false,
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

    /// Lets commands be journalled although the clock is behind the journal's last event
    /// (`--allow-earlier-time`); verify and the report still show the time running backwards.
    pub fn allow_earlier_time(&mut self, allow: bool) {
        self.earlier_time_ok = allow;
    }

    /// The current time on the incident's clock.
    pub fn now(&self) -> DateTime<FixedOffset> {
        self.clock.now()
    }

    /// Whether an event could be journalled now, as far as time goes (the check every
    /// command passes, [`super::engine::journal_time`]), on the state as last read: a sender
    /// asks before it sends, since an outcome that cannot be recorded is sent again later.
    pub fn journal_time_ok(&self) -> Result<(), Refusal> {
        super::engine::journal_time(&self.record.state, self.clock.now(), self.earlier_time_ok)
    }

    /// The last events read or written, oldest first (at most [`RECENT`]): the screen's
    /// timeline starts from these without reading the journal again.
    pub fn recent(&self) -> impl ExactSizeIterator<Item = &Written> {
        self.recent.iter()
    }

    /// What others appended that this incident has folded since the last call, oldest first
    /// (the screen names who did it and highlights it).
    pub fn take_arrivals(&mut self) -> Vec<Written> {
        self.arrivals.drain(..).collect()
    }

    /// Folds what others appended since this incident last looked, without taking the lock
    /// (an open screen calls this every few hundred milliseconds); returns it. A line being
    /// written at this moment is left for the next call.
    pub fn refresh(&mut self) -> Result<Vec<Written>, IncidentError> {
        let entries = self.journal.refresh()?;
        self.fold_arrivals(entries)
    }

    /// Decodes and folds entries others appended.
    fn fold_arrivals(
        &mut self,
        entries: Vec<journal::Entry>,
    ) -> Result<Vec<Written>, IncidentError> {
        if entries.is_empty() {
            return Ok(Vec::new());
        }
        let mut arrived = Vec::with_capacity(entries.len());
        for entry in entries {
            let event = Event::decode(&entry.kind, &entry.payload).map_err(|err| {
                IncidentError::BadEvent {
                    seq: entry.seq,
                    reason: err.to_string(),
                }
            })?;
            arrived.push(Written { entry, event });
        }
        let arrived = self.absorb(arrived);
        let excess = (self.arrivals.len() + arrived.len()).saturating_sub(RECENT);
        self.arrivals.drain(..excess.min(self.arrivals.len()));
        let skip = arrived.len().saturating_sub(RECENT);
        self.arrivals.extend(arrived.iter().skip(skip).cloned());
        Ok(arrived)
    }

    /// Takes the journal's lock and folds what others appended before it: the state a command
    /// is checked against.
    fn lock_and_catch_up(&mut self) -> Result<JournalLock, IncidentError> {
        let lock = self.journal.lock()?;
        let caught_up = self.journal.catch_up(&lock)?;
        if caught_up.torn.is_some() {
            self.record.torn = caught_up.torn;
        }
        self.fold_arrivals(caught_up.entries)?;
        Ok(lock)
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
        // With the statements it concerns, as execute reads them; a file that cannot be read
        // is execute's error to report.
        let command = super::statement::attach(&self.record, command, self.clock.now())
            .unwrap_or_else(|_| command.clone());
        apply(&self.record.state, &self.record.playbook, &command)
    }

    /// Runs a command: under the journal's lock, what others appended is folded first, then
    /// the engine checks the command against that state, its events are appended and
    /// fsync'd, and the state is updated. Returns what was written, event by event. A refused
    /// command writes nothing (and says who did it first, when another was quicker).
    pub fn execute(
        &mut self,
        actor: &str,
        command: &Command,
    ) -> Result<Vec<Written>, IncidentError> {
        self.execute_with(actor, |_| Ok::<_, IncidentError>(command.clone()))
    }

    /// [`Incident::execute`] for a command that depends on the state it is checked against
    /// (message numbers and files, composed from it): `prepare` runs under the lock, after
    /// others' events are folded, and may write the files its command refers to. If the
    /// command is then refused or cannot be journalled, the error is returned and the caller
    /// removes what `prepare` wrote.
    pub fn execute_with<E: From<IncidentError>>(
        &mut self,
        actor: &str,
        prepare: impl FnOnce(&Incident) -> Result<Command, E>,
    ) -> Result<Vec<Written>, E> {
        let lock = self.lock_and_catch_up()?;
        let command = prepare(self)?;
        let now = self.clock.now();
        if !self.record.state.exercise {
            not_ahead(now)?;
        }
        // A post publishes the text it has at this moment, and an approval covers the texts
        // as they read at this moment: read under the lock, where the command does not carry
        // them already.
        let command = super::statement::attach(&self.record, &command, now)?;
        let events = apply_at(
            &self.record.state,
            &self.record.playbook,
            &command,
            now,
            self.earlier_time_ok,
        )
        .map_err(|r| E::from(IncidentError::Refused(r)))?;
        let written = append(&mut self.journal, &lock, actor, now, events)?;
        drop(lock);
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
            evidence: EvidenceRecord::File {
                name: base.clone(),
                original: original.clone(),
                sha256: String::new(),
                bytes: 0,
            },
            note: note.clone(),
        };
        self.check(&probe).map_err(IncidentError::Refused)?;
        let folder = self.record.dir.join(files::EVIDENCE);
        crate::platform::real_dir(&folder)
            .map_err(|e| IncidentError::io(io::CREATE, &folder, e))?;
        // Named after the entry it will likely be (others may append first: the name is a
        // label, not a reference). A copy left by a crash, or another writer's copy made at
        // the same moment, must not block this one: the first free name is taken.
        self.refresh()?;
        let seq = self.journal.last_seq() + 1;
        let (name, target, file) = create_free(&folder, |n| {
            if n == 1 {
                format!("{seq:06}-{base}")
            } else {
                format!("{seq:06}-{n}-{base}")
            }
        })?;
        let (sha256, bytes) = copy_hashed(source, &target, file)?;
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

/// Refuses a time more than [`crate::journal::FUTURE_LIMIT`] ahead of this computer's own
/// clock (whatever clock the incident runs on).
fn not_ahead(now: DateTime<FixedOffset>) -> Result<(), IncidentError> {
    let computer = crate::clock::SystemClock.now();
    if now > computer + crate::journal::FUTURE_LIMIT {
        return Err(IncidentError::AheadOfComputer { at: now, computer });
    }
    Ok(())
}

fn append(
    journal: &mut JournalWriter,
    lock: &JournalLock,
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
    let entries = journal.append(lock, &new)?;
    Ok(entries
        .into_iter()
        .zip(events)
        .map(|(entry, event)| Written { entry, event })
        .collect())
}

/// Creates the first file in `folder` whose `name(n)` (n = 1, 2, …) is free, atomically (two
/// writers never get the same one); returns its name and the file.
fn create_free(
    folder: &Path,
    name: impl Fn(u32) -> String,
) -> Result<(String, std::path::PathBuf, std::fs::File), IncidentError> {
    let mut last = None;
    for n in 1..1000 {
        let candidate = name(n);
        let path = folder.join(&candidate);
        match crate::platform::open_no_follow(
            std::fs::OpenOptions::new().write(true).create_new(true),
            &path,
        ) {
            Ok(file) => return Ok((candidate, path, file)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some((path, e)),
            Err(e) => return Err(IncidentError::io(io::CREATE, &path, e)),
        }
    }
    let (path, e) = last.unwrap_or_else(|| {
        (
            folder.to_path_buf(),
            std::io::ErrorKind::AlreadyExists.into(),
        )
    });
    Err(IncidentError::io(io::CREATE, &path, e))
}

/// Copies `from` into the new file `to`, returning its SHA-256 and size; fsyncs the copy.
fn copy_hashed(
    from: &Path,
    to: &Path,
    mut output: std::fs::File,
) -> Result<(String, u64), IncidentError> {
    use sha2::{Digest as _, Sha256};
    // Only a regular file: a FIFO or a device would block the copy forever.
    let mut input = match crate::platform::open_regular(from, true) {
        Ok(input) => input,
        Err(e) => {
            drop(output);
            let _ = std::fs::remove_file(to);
            return Err(IncidentError::io(io::OPEN, from, e));
        }
    };
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
