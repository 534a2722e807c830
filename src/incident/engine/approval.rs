//! Approvals that cover later statements: an approval step approves the text of the posts
//! that name it in `approved_in`; the hash of each text as approved is journalled, and a
//! post whose text has changed since (a fact it uses, say) needs its own approval.

use super::Refusal;
use crate::incident::event::ApprovedText;
use crate::incident::state::IncidentState;
use crate::journal::sha256_hex;
use crate::playbook::{Playbook, Post, StepIx, StepKind};

/// The hash of a statement as it would read now, but for the time of posting: its template
/// and every value it is filled with that can change during the incident. The directory's
/// names are frozen with the incident, so they need not be in it.
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

/// The statements an approval step approves, each with the hash of its text now.
pub(super) fn texts(
    state: &IncidentState,
    playbook: &Playbook,
    approval: StepIx,
) -> Vec<ApprovedText> {
    playbook
        .graph
        .steps()
        .iter()
        .filter_map(|s| match &s.kind {
            StepKind::Post(p) if p.approved_in == Some(approval) => Some(ApprovedText {
                step: s.id.clone(),
                sha256: fingerprint(state, playbook, p),
            }),
            _ => None,
        })
        .collect()
}

/// What an approval request for `step` asks the approver to approve: an approval step's
/// statements (`approved_in`), or a post's own, each with the hash of its text now.
pub(super) fn requested(
    state: &IncidentState,
    playbook: &Playbook,
    ix: StepIx,
) -> Vec<ApprovedText> {
    match playbook.graph.step(ix).map(|s| (&s.id, &s.kind)) {
        Some((id, StepKind::Post(post))) => vec![ApprovedText {
            step: id.clone(),
            sha256: fingerprint(state, playbook, post),
        }],
        Some((_, StepKind::Approval { .. })) => texts(state, playbook, ix),
        _ => Vec::new(),
    }
}

/// Whether a post is approved: by its own approval, or by its approval step's, if its text
/// is the one approved there.
pub(super) fn approved(
    state: &IncidentState,
    playbook: &Playbook,
    ix: StepIx,
    post: &Post,
) -> Result<(), Refusal> {
    if state.step(ix).and_then(|r| r.approval.as_ref()).is_some() {
        return Ok(());
    }
    let id = playbook
        .graph
        .step(ix)
        .map(|s| s.id.clone())
        .unwrap_or_default();
    let needs = || Refusal::NeedsApproval {
        step: id.clone(),
        approver: post.approver.clone(),
    };
    let Some(a) = post.approved_in else {
        return Err(needs());
    };
    let Some(record) = state.step(a).filter(|r| r.approval.is_some()) else {
        return Err(needs());
    };
    let now = fingerprint(state, playbook, post);
    if record
        .approved_texts
        .iter()
        .any(|t| t.step == id && t.sha256 == now)
    {
        Ok(())
    } else {
        Err(Refusal::ApprovalOutdated {
            step: id.clone(),
            approval: playbook
                .graph
                .step(a)
                .map(|s| s.id.clone())
                .unwrap_or_default(),
            approver: post.approver.clone(),
        })
    }
}
