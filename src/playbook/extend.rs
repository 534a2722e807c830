//! `extends:`: a city's playbook built on a stock one (or another file) without forking it.
//! The overlay changes steps by id (`change:`), adds steps (`steps:`), removes steps with a
//! reason (`remove:`), and may add sources and facts or replace the top-level fields it gives.
//!
//! Positions: the overlay is parsed as if it were written after the base (its lines shifted
//! by the base's line count), and the compiler reads one text made of both, so every check
//! that points into the text works unchanged; diagnostics are mapped back to the file and
//! line where the text was written.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_saphyr::Spanned;

use super::diagnostic::{Diagnostic, Position, Problem, suggest};
use super::load::{Limits, SourceFile, parse_yaml};
use super::model::{
    Basis, ClaimDef, DueFrom, EvidencePrompt, Milestone, OptionDef, PerOption, Platform,
    PlaybookFile, PostChannel, PostPurpose, StepDef,
};

/// The name under which an incident freezes the playbook an overlay extends.
pub const FROZEN_BASE: &str = "playbook.base.yaml";

macro_rules! step_patch {
    ($( $(#[$m:meta])* $field:ident : $ty:ty => $how:ident ),* $(,)?) => {
        /// A change to one step of the playbook extended: the fields given replace the
        /// step's (lists are replaced whole).
        #[derive(Debug, Clone, Deserialize, JsonSchema)]
        #[serde(deny_unknown_fields)]
        pub struct StepPatch {
            /// The id of the step to change.
            #[schemars(with = "String")]
            pub id: Spanned<String>,
            $( $(#[$m])* #[serde(default)] pub $field: Option<$ty>, )*
        }

        impl StepPatch {
            fn apply(self, step: &mut StepDef) {
                $( step_patch!(@$how step.$field, self.$field); )*
            }
        }

        /// Every field of a step is either patchable (above) or named here as not: a field
        /// added to `StepDef` and to neither does not compile.
        #[allow(dead_code)]
        fn every_step_field_is_patchable_or_kept(step: StepDef) {
            let StepDef {
                // What a step is: a change of id or kind is a step of the city's own (`steps:`).
                id: _,
                kind: _,
                // Which decision sets the severity shapes the whole playbook's deadlines.
                severity: _,
                $( $field: _, )*
            } = step;
        }
    };
    (@opt $dst:expr, $src:expr) => { if let Some(v) = $src { $dst = Some(v); } };
    (@set $dst:expr, $src:expr) => { if let Some(v) = $src { $dst = v; } };
}

step_patch! {
    /// Title.
    title: String => set,
    /// Prerequisites (replaces the list).
    #[schemars(with = "Option<Vec<String>>")]
    after: Vec<Spanned<String>> => set,
    /// Condition on a decision.
    #[schemars(with = "Option<String>")]
    when: Spanned<String> => opt,
    /// Steps that end this one (replaces the list).
    #[schemars(with = "Option<Vec<String>>")]
    until: Vec<Spanned<String>> => set,
    /// Owner (or by option).
    #[schemars(with = "Option<PerOption>")]
    owner: Spanned<PerOption> => opt,
    /// Deadline (or by option).
    #[schemars(with = "Option<PerOption>")]
    due: Spanned<PerOption> => opt,
    /// What the deadline counts from.
    due_from: DueFrom => set,
    /// Guidance.
    guidance: String => opt,
    /// Guidance for each platform (replaces the map).
    #[schemars(with = "Option<BTreeMap<Platform, String>>")]
    platform_guidance: BTreeMap<Platform, Spanned<String>> => set,
    /// Guideline clauses (replaces the list).
    #[schemars(with = "Option<Vec<String>>")]
    source: Vec<Spanned<String>> => set,
    /// What the step rests on.
    #[schemars(with = "Option<Basis>")]
    basis: Spanned<Basis> => opt,
    /// Why, for `basis: practice`.
    #[schemars(with = "Option<String>")]
    basis_reason: Spanned<String> => opt,
    /// Clauses departed from on purpose (replaces the list).
    #[schemars(with = "Option<Vec<String>>")]
    departs_from: Vec<Spanned<String>> => set,
    /// Why the step departs from them.
    #[schemars(with = "Option<String>")]
    departure_reason: Spanned<String> => opt,
    /// Checklist (replaces the list).
    checklist: Vec<String> => set,
    /// Evidence prompts (replaces the list).
    evidence: Vec<EvidencePrompt> => set,
    /// Contacts (replaces the list).
    #[schemars(with = "Option<Vec<String>>")]
    contacts: Vec<Spanned<String>> => set,
    /// The milestone the step marks (for the yearly summary).
    #[schemars(with = "Option<Milestone>")]
    milestone: Spanned<Milestone> => opt,
    /// `action`: draft.
    #[schemars(with = "Option<String>")]
    draft: Spanned<String> => opt,
    /// `notify`: recipients.
    #[schemars(with = "Option<Vec<String>>")]
    to: Spanned<Vec<Spanned<String>>> => opt,
    /// `notify`: recipients the operator may add.
    #[schemars(with = "Option<Vec<String>>")]
    add_to: Spanned<Vec<Spanned<String>>> => opt,
    /// `notify`: subject.
    #[schemars(with = "Option<String>")]
    subject: Spanned<String> => opt,
    /// `notify`: body.
    #[schemars(with = "Option<String>")]
    body: Spanned<String> => opt,
    /// `notify`: acknowledgement time.
    #[schemars(with = "Option<String>")]
    ack_within: Spanned<String> => opt,
    /// `decision`: question.
    #[schemars(with = "Option<String>")]
    question: Spanned<String> => opt,
    /// `decision`: options.
    #[schemars(with = "Option<Vec<OptionDef>>")]
    options: Spanned<Vec<OptionDef>> => opt,
    /// `approval`, `post`: approver.
    #[schemars(with = "Option<String>")]
    approver: Spanned<String> => opt,
    /// `post`: purpose.
    #[schemars(with = "Option<PostPurpose>")]
    purpose: Spanned<PostPurpose> => opt,
    /// `post`: channel.
    #[schemars(with = "Option<PostChannel>")]
    channel: Spanned<PostChannel> => opt,
    /// `post`: statement.
    #[schemars(with = "Option<String>")]
    statement: Spanned<String> => opt,
    /// `post`: sentences said once a step is done (replaces the list).
    claims: Vec<ClaimDef> => set,
    /// Phrases a public text uses to say this step's act is done (replaces the list).
    announces: Vec<String> => set,
    /// Facts shown (replaces the list).
    #[schemars(with = "Option<Vec<String>>")]
    shows: Vec<Spanned<String>> => set,
    /// `post`: the approval step that approves its text.
    #[schemars(with = "Option<String>")]
    approved_in: Spanned<String> => opt,
    /// `monitor`: interval.
    #[schemars(with = "Option<String>")]
    every: Spanned<String> => opt,
    /// `monitor`: what to observe.
    #[schemars(with = "Option<Vec<String>>")]
    observe: Spanned<Vec<String>> => opt,
}

/// A step of the playbook extended that this one does not take, and why.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Removal {
    /// The step's id.
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// Why the city does not take it (recorded with the playbook).
    #[schemars(with = "String")]
    pub reason: Spanned<String>,
}

/// Which file each line of the combined text was written in.
#[derive(Debug, Clone, Default)]
pub struct LineMap {
    /// (first line in the combined text, file name), in order.
    segments: Vec<(usize, String)>,
}

impl LineMap {
    /// The file and line where a combined-text line was written.
    pub fn locate(&self, line: usize) -> (String, usize) {
        let (start, name) = self
            .segments
            .iter()
            .rev()
            .find(|(start, _)| line >= *start)
            .or(self.segments.first())
            .cloned()
            .unwrap_or((1, String::new()));
        (name, line + 1 - start)
    }

    /// Points every diagnostic at the file and line it belongs to.
    pub fn relocate(&self, diagnostics: &mut [Diagnostic]) {
        if self.segments.len() < 2 {
            return;
        }
        for d in diagnostics {
            let (file, line) = self.locate(d.position.line);
            d.file = file;
            d.position = Position::new(line, d.position.column);
        }
    }
}

/// What an overlay did to the playbook it extends, for `hikeshi show` and `graph`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OverlayInfo {
    /// The playbook extended, as written in `extends`.
    pub base: String,
    /// Steps changed by `change`.
    pub changed: Vec<String>,
    /// Steps added by `steps`.
    pub added: Vec<String>,
    /// Steps removed, with the reasons.
    pub removed: Vec<(String, String)>,
}

/// A playbook that extends another, merged: the combined text the compiler reads, the merged
/// file, the line map, and the base as it is frozen with an incident.
#[derive(Debug)]
pub struct Merged {
    /// The base's text followed by the overlay's.
    pub combined: SourceFile,
    /// The merged playbook as written.
    pub file: PlaybookFile,
    /// Where each line came from.
    pub lines: LineMap,
    /// The base, as an incident freezes it beside the overlay.
    pub base: SourceFile,
    /// What the overlay changed.
    pub overlay: OverlayInfo,
}

/// The overlay's text as an incident freezes it: its `extends:` line points at the frozen
/// copy of the playbook extended ([`FROZEN_BASE`]) beside it.
pub fn frozen_overlay(text: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    for line in text.lines() {
        if line.starts_with("extends:") {
            out.push(format!("extends: {FROZEN_BASE}"));
        } else {
            out.push(line.to_string());
        }
    }
    let mut joined = out.join("\n");
    if text.ends_with('\n') {
        joined.push('\n');
    }
    joined
}

/// Where `extends:` points, by the rule every name follows (docs/playbook-format.md, "Which
/// file a name means"): a path (`.yaml`, `.yml` or with `/`) is a file relative to the
/// overlay; an id is `ID.yaml` (or `.yml`) in the overlay's own folder, the city's, unless
/// that is the overlay itself; else the stock playbook with that id.
fn base_source(
    overlay: &SourceFile,
    target: &Spanned<String>,
    limits: &Limits,
) -> Result<SourceFile, Box<Diagnostic>> {
    let name = target.value.trim();
    let overlay_path = std::path::Path::new(&overlay.name);
    let dir = overlay_path
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or_default();
    let read = |path: &std::path::Path| {
        SourceFile::read(path, limits).map_err(|mut d| {
            d.position = Position::from_location(&target.referenced);
            d.file.clone_from(&overlay.name);
            d
        })
    };
    let outside = |path: &std::path::Path, reason: String| {
        Box::new(Diagnostic::error(
            &overlay.name,
            Position::from_location(&target.referenced),
            name,
            Problem::Unreadable {
                reason: format!(
                    "{}: {reason}",
                    crate::text::shown(&path.display().to_string())
                ),
            },
        ))
    };
    if name.ends_with(".yaml") || name.ends_with(".yml") || name.contains('/') {
        let path = dir.join(name);
        inside_folder(&dir, &path).map_err(|reason| outside(&path, reason))?;
        return read(&path);
    }
    // Only beside an overlay read from a file (an embedded one has no folder).
    if overlay_path.is_file() && !name.contains('\\') {
        let itself = std::fs::canonicalize(overlay_path).ok();
        for ext in ["yaml", "yml"] {
            let candidate = dir.join(format!("{name}.{ext}"));
            if candidate.is_file() && std::fs::canonicalize(&candidate).ok() != itself {
                inside_folder(&dir, &candidate).map_err(|reason| outside(&candidate, reason))?;
                return read(&candidate);
            }
        }
    }
    match crate::stock::playbook(name) {
        Some(text) => Ok(SourceFile::new(format!("<embedded>/{name}.yaml"), text)),
        None => Err(Box::new(Diagnostic::error(
            &overlay.name,
            Position::from_location(&target.referenced),
            name,
            Problem::UnknownBase {
                name: name.to_string(),
                suggestion: suggest(name, crate::stock::ids()),
            },
        ))),
    }
}

/// Whether `path`, a playbook to extend, is a regular file inside `dir`, the overlay's folder
/// (links resolved): `extends: ../x.yaml`, `extends: /etc/passwd` or a link out of the folder
/// would read, and echo in a diagnostic, a file that is not the city's; a FIFO would never end.
fn inside_folder(dir: &std::path::Path, path: &std::path::Path) -> Result<(), String> {
    let here = if dir.as_os_str().is_empty() {
        std::path::Path::new(".")
    } else {
        dir
    };
    let folder = std::fs::canonicalize(here).map_err(|e| e.to_string())?;
    let real = std::fs::canonicalize(path).map_err(|e| e.to_string())?;
    if !real.starts_with(&folder) {
        return Err(
            "the playbook to extend must be a stock id or a file in this playbook's own folder"
                .to_string(),
        );
    }
    if !std::fs::metadata(&real).is_ok_and(|m| m.is_file()) {
        return Err("not a regular file (a folder, device or pipe is not taken)".to_string());
    }
    Ok(())
}

/// Merges an overlay (`file`, parsed from `overlay`) with the playbook it extends.
pub fn merge(
    overlay: &SourceFile,
    file: PlaybookFile,
    limits: &Limits,
) -> Result<Merged, Vec<Diagnostic>> {
    let Some(target) = file.extends.clone() else {
        return Err(Vec::new());
    };
    let base = base_source(overlay, &target, limits).map_err(|d| vec![*d])?;
    let base_file: PlaybookFile = parse_yaml(&base, limits).map_err(|d| vec![*d])?;
    if let Some(chain) = &base_file.extends {
        return Err(vec![Diagnostic::error(
            &base.name,
            Position::from_location(&chain.referenced),
            chain.value.clone(),
            Problem::ExtendsChain,
        )]);
    }
    // The overlay parsed again as if written below the base and a blank line: its positions
    // continue there, in one text the compiler reads.
    let base_lines = base.text.lines().count();
    let offset = base_lines + 1;
    let shifted = SourceFile::new(
        overlay.name.clone(),
        format!("{}{}", "\n".repeat(offset), overlay.text),
    );
    let lines = LineMap {
        segments: vec![(1, base.name.clone()), (offset + 1, overlay.name.clone())],
    };
    let file: PlaybookFile = parse_yaml(&shifted, limits).map_err(|d| {
        let mut v = vec![*d];
        lines.relocate(&mut v);
        v
    })?;
    let base_text: Vec<&str> = base.text.lines().collect();
    let combined = SourceFile::new(
        overlay.name.clone(),
        format!("{}\n\n{}", base_text.join("\n"), overlay.text),
    );
    let mut diagnostics = Vec::new();
    let mut info = OverlayInfo {
        base: target.value.trim().to_string(),
        ..OverlayInfo::default()
    };
    let merged = apply(base_file, file, &overlay.name, &mut diagnostics, &mut info);
    if !diagnostics.is_empty() {
        lines.relocate(&mut diagnostics);
        return Err(diagnostics);
    }
    Ok(Merged {
        combined,
        file: merged,
        lines,
        base,
        overlay: info,
    })
}

/// The base with the overlay's top-level fields, changes, additions and removals applied.
fn apply(
    mut base: PlaybookFile,
    overlay: PlaybookFile,
    name: &str,
    diagnostics: &mut Vec<Diagnostic>,
    info: &mut OverlayInfo,
) -> PlaybookFile {
    let at = |s: &Spanned<String>| Position::from_location(&s.referenced);
    base.id = overlay.id;
    base.extends = None;
    if let Some(t) = overlay.title {
        base.title = Some(t);
    }
    base.version = overlay.version.or(base.version);
    base.description = overlay.description.or(base.description);
    base.reviewed = overlay.reviewed.or(base.reviewed);
    base.review_every = overlay.review_every.or(base.review_every);
    if !overlay.platforms.is_empty() {
        base.platforms = overlay.platforms;
    }
    if !overlay.severities.is_empty() {
        base.severities = overlay.severities;
    }
    base.sources.extend(overlay.sources);
    base.facts.extend(overlay.facts);
    let ids: Vec<String> = base.steps.iter().map(|s| s.id.value.clone()).collect();
    let unknown = |id: &Spanned<String>, diagnostics: &mut Vec<Diagnostic>| {
        diagnostics.push(Diagnostic::error(
            name,
            at(id),
            id.value.clone(),
            Problem::UnknownStep {
                id: id.value.clone(),
                suggestion: suggest(&id.value, ids.iter().map(String::as_str)),
            },
        ));
    };
    for patch in overlay.change {
        match base.steps.iter_mut().find(|s| s.id.value == patch.id.value) {
            Some(step) => {
                info.changed.push(patch.id.value.clone());
                patch.apply(step);
            }
            None => unknown(&patch.id, diagnostics),
        }
    }
    for removal in overlay.remove {
        if removal.reason.value.trim().is_empty() {
            diagnostics.push(Diagnostic::error(
                name,
                at(&removal.reason),
                "",
                Problem::RemovalWithoutReason {
                    step: removal.id.value.clone(),
                },
            ));
            continue;
        }
        let Some(i) = base
            .steps
            .iter()
            .position(|s| s.id.value == removal.id.value)
        else {
            unknown(&removal.id, diagnostics);
            continue;
        };
        let removed = base.steps.remove(i);
        info.removed.push((
            removed.id.value.clone(),
            removal.reason.value.trim().to_string(),
        ));
        // Steps that waited for it wait for what it waited for: the chain stays whole.
        for step in &mut base.steps {
            if let Some(k) = step.after.iter().position(|a| a.value == removed.id.value) {
                step.after.remove(k);
                for a in removed.after.iter().rev() {
                    if !step.after.iter().any(|x| x.value == a.value) {
                        step.after.insert(k, a.clone());
                    }
                }
            }
        }
    }
    info.added = overlay.steps.iter().map(|s| s.id.value.clone()).collect();
    base.steps.extend(overlay.steps);
    base
}
