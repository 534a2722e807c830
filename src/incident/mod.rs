//! Incidents: a playbook being executed. The engine ([`engine::apply`]) is pure; this module
//! does the I/O around it: the incident folder, the frozen playbook, the journal, evidence
//! files. A command is done only once its event is on disk.
//!
//! An incident folder (`incidents/20261122-1403-unauthorized-access/`) holds `journal.jsonl`,
//! the frozen `playbook.yaml` and `divisions.yaml` exactly as used, `outbox/` and `evidence/`.

pub mod describe;
pub mod engine;
pub mod event;
mod record;
mod staging;
pub mod state;
pub mod statement;
pub mod status;
pub mod witness;
mod writer;

use std::path::{Path, PathBuf};

pub use engine::{
    Command, Face, Field, Plain, PostStatement, Refusal, Remedy, Statement, apply, apply_at,
    settled_by_call,
};
pub use event::{Event, EvidenceRecord, Letter, Origin, PostedText, StartParams};
pub use record::{AuditedIncident, FrozenScenario, IncidentRecord};
pub use state::{IncidentState, StepStatus, StepView};
pub use status::handover_summary;
pub use writer::{Incident, RECENT, REFRESH};

use crate::journal::{Entry, JournalError};
use crate::lang::{Lang, Text};
use crate::playbook::Diagnostic;
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
    /// Public statements as the operator edits them before posting (`<step>.txt`).
    pub const STATEMENTS: &str = "statements";

    /// A file inside the incident folder as shown to people: the journal records relative
    /// paths with `/` (`outbox/0001-x.eml`) on every platform; Windows shows `outbox\0001-x.eml`.
    pub fn shown(relative: &str) -> String {
        relative
            .split('/')
            .collect::<std::path::PathBuf>()
            .display()
            .to_string()
    }

    /// An evidence file (its name in `evidence/`) as shown to people.
    pub fn evidence_shown(name: &str) -> String {
        std::path::Path::new(EVIDENCE)
            .join(name)
            .display()
            .to_string()
    }

    /// The outbox folder as shown to people (`outbox/`, or `outbox\` on Windows).
    pub fn outbox_shown() -> String {
        format!("{OUTBOX}{}", std::path::MAIN_SEPARATOR)
    }
}

/// Something went wrong with an incident (other than a refused command's reason, which is
/// [`IncidentError::Refused`]).
#[derive(Debug, thiserror::Error)]
pub enum IncidentError {
    /// The engine refused the command; nothing was written.
    Refused(Refusal),
    /// The journal could not be read, verified or written.
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// A file operation failed.
    Io(#[from] crate::lang::io::FileError),
    /// No incident by that name or path.
    NotFound {
        /// As given.
        name: String,
        /// The incidents folder searched.
        incidents: PathBuf,
    },
    /// The folder lacks a file every incident has.
    Incomplete {
        /// The missing file.
        path: PathBuf,
    },
    /// The frozen playbook or divisions file does not compile.
    FrozenPlaybook(Vec<Diagnostic>),
    /// A frozen file no longer has the SHA-256 recorded when the incident started.
    FrozenChanged {
        /// `playbook.yaml` or `divisions.yaml`.
        file: &'static str,
        /// The hash in the journal's start event.
        recorded: String,
        /// The hash of the file now.
        found: String,
    },
    /// The time to record is more than a week ahead of this computer's clock
    /// ([`crate::journal::FUTURE_LIMIT`]); nothing was written.
    AheadOfComputer {
        /// The time the entry would have.
        at: chrono::DateTime<chrono::FixedOffset>,
        /// This computer's clock.
        computer: chrono::DateTime<chrono::FixedOffset>,
    },
    /// A journal entry that is not a known event.
    BadEvent {
        /// The entry.
        seq: u64,
        /// Why.
        reason: String,
    },
}

/// The English of [`IncidentError::message`]: each failure's text is written once.
impl std::fmt::Display for IncidentError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(crate::Lang::En))
    }
}

impl IncidentError {
    fn io(action: Text, path: &Path, source: std::io::Error) -> Self {
        IncidentError::Io(crate::lang::io::FileError::new(
            action,
            path.to_path_buf(),
            source,
        ))
    }

    /// The refusal it is, if it is one: a face renders it with its own fixes.
    pub fn refusal(&self) -> Option<&Refusal> {
        match self {
            IncidentError::Refused(r) => Some(r),
            _ => None,
        }
    }

    /// The message in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            IncidentError::Refused(r) => r.message(lang),
            IncidentError::Journal(e) => e.message(lang),
            IncidentError::Io(e) => e.message(lang),
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
            IncidentError::AheadOfComputer { at, computer } => {
                let (at, computer) = (
                    crate::clock::format_jst(*at, false),
                    crate::clock::format_jst(*computer, false),
                );
                tr!(
                    lang,
                    "記録する時刻 {at} がこの PC の時計 {computer} より7日以上先のため記録しません（先の日付の記録があると、以後ほかの PC からの記録がすべて拒否されます）。時計（または HIKESHI_TIME）を確認してください",
                    "not recorded: the time {at} is more than a week ahead of this computer's clock ({computer}); an entry dated ahead would make every other computer's later entries be refused. Check the clock (or HIKESHI_TIME)"
                )
            }
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
    if in_folder.is_dir() && !staging::is_temporary(name) {
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
        .filter(|e| !staging::is_temporary(&e.file_name().to_string_lossy()))
        .map(|e| e.path())
        .filter(|p| p.join(files::JOURNAL).is_file())
        .collect();
    dirs.sort();
    dirs.reverse();
    dirs
}

#[cfg(test)]
mod shown_tests {
    use super::files;
    use std::path::MAIN_SEPARATOR as SEP;

    #[test]
    fn recorded_paths_are_shown_with_the_platforms_separator() {
        assert_eq!(
            files::shown("outbox/0001-tell.eml"),
            format!("outbox{SEP}0001-tell.eml")
        );
        assert_eq!(
            files::evidence_shown("000007-写真.png"),
            format!("evidence{SEP}000007-写真.png")
        );
        assert_eq!(files::outbox_shown(), format!("outbox{SEP}"));
    }
}
