//! Approvals cover the text the approver saw: an approval (given on the screen or the command
//! line, or by a reply to a request) journals the hash of each statement it covers as it
//! read then — a post's own, or the posts an approval step approves (`approved_in`) — and a
//! post whose text no longer hashes as approved (an edit of `statements/<step>.txt`, a fact
//! it uses changed) is refused until it is approved again.
//!
//! The faces read the statements (the engine reads no file) and pass them in the command:
//! [`PostStatement`]s with an approval, a request or a reply, the [`Statement`] with a post's
//! completion.

use super::{PostStatement, Refusal, Statement};
use crate::digest::sha256_hex;
use crate::incident::event::ApprovedText;
use crate::incident::state::IncidentState;
use crate::playbook::{Playbook, Post, StepIx, StepKind};

/// The hash of a statement as it would be published: the text exactly (the bytes posted, the
/// hash journalled with the post), but for the time of posting when it is the playbook's
/// statement filled in ([`Statement::timeless`]: an approver approves it "as of" the moment
/// it is posted). Without a statement from the face (the engine alone), the [`fingerprint`].
fn hash(
    state: &IncidentState,
    playbook: &Playbook,
    post: &Post,
    statement: Option<&Statement>,
) -> String {
    match statement {
        Some(s) => sha256_hex(s.timeless.as_deref().unwrap_or(&s.text).as_bytes()),
        None => fingerprint(state, playbook, post),
    }
}

/// The template with every value it is filled with that can change during the incident, the
/// time of posting aside (the directory's names are frozen with the incident, so they need
/// not be in it): what approvals hashed before the faces passed the statements.
fn fingerprint(state: &IncidentState, playbook: &Playbook, post: &Post) -> String {
    let mut text = post.statement.source().to_string();
    for (name, _) in post.statement.placeholders() {
        let value = match name {
            "title" => Some(state.title.clone()),
            "account" => state.account.clone(),
            "platform" => state.platform.map(|p| p.as_str().to_string()),
            "started_at" => state.started_at.map(|t| t.to_rfc3339()),
            "operator" => Some(state.operator.clone()),
            "severity" => state.severity_title(playbook).map(str::to_string),
            fact => state.facts.get(fact).cloned(),
        };
        text.push('\u{1f}');
        text.push_str(name);
        text.push('=');
        text.push_str(&value.unwrap_or_default());
    }
    sha256_hex(text.as_bytes())
}

/// Whether `sha256`, journalled by an approval or a request, covers `statement` as it reads
/// now: its hash; or, for the playbook's statement filled in, the [`fingerprint`] an earlier
/// hikeshi journalled, if every value it is filled with is unchanged (an incident under way
/// when hikeshi was updated keeps its approvals of the unedited statements).
fn covers(
    state: &IncidentState,
    playbook: &Playbook,
    post: &Post,
    statement: Option<&Statement>,
    sha256: &str,
) -> bool {
    sha256 == hash(state, playbook, post, statement)
        || (statement.is_none_or(|s| s.timeless.is_some())
            && sha256 == fingerprint(state, playbook, post))
}

/// The statement of post `step` among those a face passed.
fn statement_of<'a>(statements: Option<&'a [PostStatement]>, step: &str) -> Option<&'a Statement> {
    statements?
        .iter()
        .find(|s| s.step == step)
        .map(|s| &s.statement)
}

/// The posts an approval of `ix` covers: an approval step's (`approved_in`), or a post itself.
fn posts(playbook: &Playbook, ix: StepIx) -> Vec<(&String, &Post)> {
    match playbook.graph.step(ix).map(|s| (&s.id, &s.kind)) {
        Some((id, StepKind::Post(post))) => vec![(id, post)],
        Some((_, StepKind::Approval { .. })) => playbook
            .graph
            .steps()
            .iter()
            .filter_map(|s| match &s.kind {
                StepKind::Post(p) if p.approved_in == Some(ix) => Some((&s.id, p)),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// What an approval of `ix` covers, each statement with the hash of its text now (as
/// `statements` read): an approval step's posts (`approved_in`), or a post's own statement.
/// An approval request asks for exactly these, and an approval records them.
pub(super) fn requested(
    state: &IncidentState,
    playbook: &Playbook,
    ix: StepIx,
    statements: Option<&[PostStatement]>,
) -> Vec<ApprovedText> {
    posts(playbook, ix)
        .into_iter()
        .map(|(id, post)| ApprovedText {
            step: id.clone(),
            sha256: hash(state, playbook, post, statement_of(statements, id)),
        })
        .collect()
}

/// Whether the texts an approval request `asked` about still read as asked (as `statements`
/// read now): a reply approves only what the approver saw.
pub(super) fn still_as_asked(
    state: &IncidentState,
    playbook: &Playbook,
    ix: StepIx,
    statements: Option<&[PostStatement]>,
    asked: &[ApprovedText],
) -> bool {
    let posts = posts(playbook, ix);
    posts.len() == asked.len()
        && posts.iter().all(|(id, post)| {
            asked.iter().any(|a| {
                a.step == **id
                    && covers(
                        state,
                        playbook,
                        post,
                        statement_of(statements, id),
                        &a.sha256,
                    )
            })
        })
}

/// Whether a post publishing `statement` is approved: by its own approval or by its approval
/// step's, if that approval covers this text. An approval of another text is outdated.
pub(super) fn approved(
    state: &IncidentState,
    playbook: &Playbook,
    ix: StepIx,
    post: &Post,
    statement: Option<&Statement>,
) -> Result<(), Refusal> {
    let id = playbook
        .graph
        .step(ix)
        .map(|s| s.id.clone())
        .unwrap_or_default();
    // Its own approval first, then its approval step's: the first that covers this text.
    let approvals: Vec<StepIx> = std::iter::once(ix).chain(post.approved_in).collect();
    let mut outdated = None;
    for a in approvals {
        let Some(record) = state.step(a).filter(|r| r.approval.is_some()) else {
            continue;
        };
        if record
            .approved_texts
            .iter()
            .any(|t| t.step == id && covers(state, playbook, post, statement, &t.sha256))
        {
            return Ok(());
        }
        outdated.get_or_insert(a);
    }
    match outdated {
        Some(a) => Err(Refusal::ApprovalOutdated {
            step: id.clone(),
            approval: playbook
                .graph
                .step(a)
                .map(|s| s.id.clone())
                .unwrap_or_default(),
            approver: post.approver.clone(),
        }),
        None => Err(Refusal::NeedsApproval {
            step: id,
            approver: post.approver.clone(),
        }),
    }
}
