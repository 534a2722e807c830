//! The statement a post step publishes: the operator's own text in
//! `statements/<step>.txt` if there is one (the screen's `y` writes it there to be edited),
//! else the playbook's statement filled in with the incident's facts now. It is journalled
//! with the step's completion, so the report prints what was published, not the template.

use std::io::Read as _;
use std::path::PathBuf;

use chrono::{DateTime, FixedOffset};

use super::describe::fill;
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
    if !path.exists() {
        return Ok(Some(Statement {
            text: fill(&post.statement, record, ix, now, None),
            file: None,
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
    Ok(Some(Statement {
        text: text.trim_end_matches('\n').to_string(),
        file: Some(relative_file(&step.id)),
    }))
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
        _ => {}
    }
    Ok(command)
}
