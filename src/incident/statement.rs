//! The statement a post step publishes: the operator's own text in
//! `statements/<step>.txt` if there is one (the screen's `y` writes it there to be edited),
//! else the playbook's statement filled in with the incident's facts now. It is journalled
//! with the step's completion, so the report prints what was published, not the template.

use std::io::Read as _;
use std::path::PathBuf;

use chrono::{DateTime, FixedOffset};

use super::describe::{fill, fill_open, unfilled};
use super::engine::{Command, PostStatement, Statement};
use super::{IncidentError, IncidentRecord, files};
use crate::lang::io;
use crate::playbook::{StepIx, StepKind};

/// A statement file larger than this is not a post (a mistake, or not text at all).
pub const MAX_BYTES: u64 = 64 * 1024;

/// The file a post's statement is edited in, relative to the incident folder (`/`-separated,
/// as the journal records it).
pub fn relative_file(step: &str) -> String {
    format!("{}/{step}.txt", files::STATEMENTS)
}

/// The file a post's statement is edited in, in the incident folder `record.dir`.
pub fn file(record: &IncidentRecord, step: &str) -> PathBuf {
    record
        .dir
        .join(files::STATEMENTS)
        .join(format!("{step}.txt"))
}

/// What [`Incident::save_statement`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    /// The file now holds the text.
    Written,
    /// The file was there already and is kept as it is (a post's: the operator's edit).
    Kept,
}

impl super::Incident {
    /// Saves `text` as `statements/<step>.txt`, where the operator edits it before posting:
    /// with `keep` (a post's statement: what is there is what will be published), a file
    /// already there is kept. Written as the incident's other files are: in a real folder,
    /// never through a link, whole (a temporary file of its own, fsync'd, renamed into
    /// place), the folder synced.
    pub fn save_statement(
        &self,
        step: &str,
        text: &str,
        keep: bool,
    ) -> Result<Saved, IncidentError> {
        let path = file(self.record(), step);
        let folder = self.dir().join(files::STATEMENTS);
        match std::fs::create_dir(&folder) {
            Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => {
                return Err(IncidentError::io(io::CREATE, &folder, e));
            }
            _ => crate::platform::real_dir(&folder)
                .map_err(|e| IncidentError::io(io::CREATE, &folder, e))?,
        }
        if keep {
            match std::fs::symlink_metadata(&path) {
                Ok(_) => return Ok(Saved::Kept),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(IncidentError::io(io::READ, &path, e)),
            }
        }
        static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let tmp = folder.join(format!(".{step}.txt.{}-{n}.tmp", std::process::id()));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        let written = crate::platform::open_no_follow(&options, &tmp)
            .map_err(|e| IncidentError::io(io::CREATE, &tmp, e))
            .and_then(|mut f| {
                use std::io::Write as _;
                f.write_all(text.as_bytes())
                    .and_then(|()| f.sync_all())
                    .map_err(|e| IncidentError::io(io::WRITE, &tmp, e))
            })
            .and_then(|()| place(&tmp, &path, keep));
        // The temporary name goes whatever happened (after a link, the file has two names).
        let _ = std::fs::remove_file(&tmp);
        if written? == Saved::Kept {
            return Ok(Saved::Kept);
        }
        crate::platform::sync_dir(&folder)
            .map_err(|e| IncidentError::io(io::SYNC_FOLDER, &folder, e))?;
        Ok(Saved::Written)
    }
}

/// Puts the written temporary file `tmp` at `path`. With `keep`, a file that appeared at
/// `path` since it was looked for (the operator's editor saving) is kept: a hard link never
/// replaces a name. Where the file system has no hard links, a rename after the look.
/// Without `keep`, a rename, which replaces a link at `path` itself, never what it points to.
fn place(
    tmp: &std::path::Path,
    path: &std::path::Path,
    keep: bool,
) -> Result<Saved, IncidentError> {
    if keep {
        match std::fs::hard_link(tmp, path) {
            Ok(()) => return Ok(Saved::Written),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Ok(Saved::Kept),
            Err(_) => {}
        }
    }
    std::fs::rename(tmp, path).map_err(|e| IncidentError::io(io::WRITE, path, e))?;
    Ok(Saved::Written)
}

/// The text a post step would publish now: the edited file, or the template filled in.
/// None for a step that is not a post.
pub fn to_post(
    record: &IncidentRecord,
    ix: StepIx,
    now: DateTime<FixedOffset>,
) -> Result<Option<Statement>, IncidentError> {
    let Some(step) = record.playbook.graph.step(ix) else {
        return Ok(None);
    };
    let StepKind::Post(post) = &step.kind else {
        return Ok(None);
    };
    let path = file(record, &step.id);
    // The playbook's statement with the time of posting left open: what an approval covers
    // when this is the text posted (an editor's final line break aside, as below).
    let open = fill_open(&post.statement, record, ix, OPEN_TIME)
        .trim_end_matches('\n')
        .to_string();
    if !path.exists() {
        return Ok(Some(Statement {
            text: fill(&post.statement, record, ix, now, None),
            file: None,
            timeless: Some(open),
            unfilled: unfilled(&post.statement, record, ix),
        }));
    }
    let failed = |e| IncidentError::io(io::READ, &path, e);
    let mut bytes = Vec::new();
    crate::platform::open_regular(&path, false)
        .and_then(|f| f.take(MAX_BYTES + 1).read_to_end(&mut bytes))
        .map_err(failed)?;
    if bytes.len() as u64 > MAX_BYTES {
        return Err(failed(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("larger than {MAX_BYTES} bytes"),
        )));
    }
    let text = String::from_utf8(bytes)
        .map_err(|e| failed(std::io::Error::new(std::io::ErrorKind::InvalidData, e)))?;
    // An editor's line ends: CRLF on Windows, and the final line break most editors add.
    let text = text.replace("\r\n", "\n");
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let text = text.trim_end_matches('\n').to_string();
    Ok(Some(Statement {
        timeless: is_filled(&text, &open).then_some(open),
        text,
        file: Some(relative_file(&step.id)),
        unfilled: Vec::new(),
    }))
}

/// What stands for the time of posting in a statement filled in with that time left open (a
/// control character: no typed text holds one).
const OPEN_TIME: &str = "\u{1f}now\u{1f}";

/// The longest a time written into a statement can be (`令和10年12月31日（金）午後11時59分`:
/// 22; `2026-11-20 22:05`: 16).
const TIME_CHARS: usize = 24;

/// Whether `c` can be part of a time as statements write it (`2026-11-20 22:05`,
/// `11月20日（金）午後10時5分`, `令和8年11月20日（金）`).
fn in_time(c: char) -> bool {
    c.is_ascii_digit() || "-: 年月日時分午前後（）令和平成元火水木金土".contains(c)
}

/// Whether `text` is `open` with a time written where it says [`OPEN_TIME`]: the playbook's
/// statement as filled in at some moment (the screen's `y` saves it so), not the operator's
/// own text. Each time is at most [`TIME_CHARS`] characters of a date and time.
fn is_filled(text: &str, open: &str) -> bool {
    let mut parts = open.split(OPEN_TIME);
    let Some(first) = parts.next() else {
        return false;
    };
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    for part in parts {
        // A time (1 to TIME_CHARS characters of one), then `part`: the nearest.
        let mut found = None;
        let ends = rest
            .char_indices()
            .chain(std::iter::once((rest.len(), '\n')));
        for (n, (i, c)) in ends.enumerate().take(TIME_CHARS + 1) {
            let after = &rest[i..];
            if n > 0 && after.starts_with(part) && (!part.is_empty() || after.is_empty()) {
                found = Some(i);
                break;
            }
            if !in_time(c) {
                break;
            }
        }
        match found {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    rest.is_empty()
}

/// The statements an approval of step `ix` covers, each as it would be published now: an
/// approval step's posts (`approved_in`, in the playbook's order), or a post's own. What a
/// request shows the approver, and what an approval (or a reply to the request) is checked
/// against. Empty for any other step.
pub fn covered(
    record: &IncidentRecord,
    ix: StepIx,
    now: DateTime<FixedOffset>,
) -> Result<Vec<PostStatement>, IncidentError> {
    let graph = &record.playbook.graph;
    let posts: Vec<StepIx> = match graph.step(ix).map(|s| &s.kind) {
        Some(StepKind::Post(_)) => vec![ix],
        Some(StepKind::Approval { .. }) => graph
            .order()
            .iter()
            .copied()
            .filter(|p| {
                matches!(graph.step(*p).map(|s| &s.kind),
                    Some(StepKind::Post(post)) if post.approved_in == Some(ix))
            })
            .collect(),
        _ => Vec::new(),
    };
    let mut out = Vec::new();
    for p in posts {
        if let (Some(step), Some(statement)) = (graph.step(p), to_post(record, p, now)?) {
            out.push(PostStatement {
                step: step.id.clone(),
                statement,
            });
        }
    }
    Ok(out)
}

/// `command` with the statements it concerns as they read now, where it names none: the
/// statement a post's completion publishes, and those an approval, an approval request or a
/// reply to one covers (the engine hashes them; it reads no file).
pub(super) fn attach(
    record: &IncidentRecord,
    command: &Command,
    now: DateTime<FixedOffset>,
) -> Result<Command, IncidentError> {
    let find = |step: &str| record.playbook.graph.find(step);
    let mut command = command.clone();
    match &mut command {
        Command::Complete {
            step,
            statement: statement @ None,
            ..
        } => {
            if let Some(ix) = find(step) {
                *statement = to_post(record, ix, now)?;
            }
        }
        Command::Approve {
            step,
            statements: statements @ None,
            ..
        }
        | Command::RequestApproval {
            step,
            statements: statements @ None,
            ..
        } => {
            if let Some(ix) = find(step) {
                *statements = Some(covered(record, ix, now)?);
            }
        }
        Command::RecordReply {
            message,
            statements: statements @ None,
            ..
        } => {
            let step = record.state.message(*message).map(|m| m.step.as_str());
            if let Some(ix) = step.and_then(find) {
                *statements = Some(covered(record, ix, now)?);
            }
        }
        Command::ApplyHeldReply {
            reply_id,
            statements: statements @ None,
            ..
        } => {
            let step = record
                .state
                .messages
                .iter()
                .find(|m| m.held.iter().any(|r| r.reply_id == *reply_id))
                .map(|m| m.step.as_str());
            if let Some(ix) = step.and_then(find) {
                *statements = Some(covered(record, ix, now)?);
            }
        }
        _ => {}
    }
    Ok(command)
}

#[cfg(test)]
mod tests {
    use super::{OPEN_TIME, is_filled};

    fn open(parts: &[&str]) -> String {
        parts.join(OPEN_TIME)
    }

    #[test]
    fn the_statement_as_filled_at_any_time_is_recognised() {
        let template = open(&[
            "偽アカウントに御注意ください。\n（",
            "現在）\n送信日時：",
            "",
        ]);
        for text in [
            "偽アカウントに御注意ください。\n（11月22日（日）午後2時30分現在）\n送信日時：2026-11-22 14:30",
            "偽アカウントに御注意ください。\n（令和8年11月22日（日）午前0時現在）\n送信日時：2026-11-22 00:00",
        ] {
            assert!(is_filled(text, &template), "{text}");
        }
        assert!(is_filled("本文のみ", "本文のみ"));
    }

    #[test]
    fn any_other_text_is_the_operators_own() {
        let template = open(&[
            "偽アカウントに御注意ください。\n（",
            "現在）\n送信日時：",
            "",
        ]);
        for text in [
            // A word changed, added, or removed.
            "偽アカウントに御注意ください！\n（11月22日（日）午後2時30分現在）\n送信日時：2026-11-22 14:30",
            "偽アカウントに御注意ください。\n（11月22日（日）午後2時30分現在）\n送信日時：2026-11-22 14:30\n追記",
            "偽アカウントに御注意ください。\n（現在）\n送信日時：2026-11-22 14:30",
            // A sentence where the time goes: more than a line, or longer than a time.
            "偽アカウントに御注意ください。\n（11月22日\n追加の一文現在）\n送信日時：2026-11-22 14:30",
            "偽アカウントに御注意ください。\n（これは時刻ではなく説明の文章です現在）\n送信日時：2026-11-22 14:30",
            "偽アカウントに御注意ください。\n（11月22日（日）午後2時30分現在）\n送信日時：2026-11-22 14:30 削除済み",
            "",
        ] {
            assert!(!is_filled(text, &template), "{text}");
        }
        assert!(!is_filled("本文のみ。", "本文のみ"));
    }
}
