//! `y`: a post's statement or an action's draft, filled in, saved to a file in the incident
//! folder and put on the clipboard when this machine has a tool for it. A post's file
//! (`statements/<step>.txt`) is where the operator edits it; once there it is never
//! overwritten, and completing the post journals that text.

use super::App;
use crate::incident::describe::fill;
use crate::incident::{files, statement};
use crate::playbook::{StepIx, StepKind, Template};
use crate::tr;

impl App {
    /// The text `y` copies for a step: a post's statement or an action's draft, filled in.
    pub fn copy_text(&self, ix: StepIx) -> Option<String> {
        let step = self.incident.playbook().graph.step(ix)?;
        let template: &Template = match &step.kind {
            StepKind::Post(_) => {
                return statement::to_post(self.incident.record(), ix, self.now)
                    .ok()
                    .flatten()
                    .map(|s| s.text);
            }
            _ => step.draft.as_ref()?,
        };
        Some(fill(template, self.incident.record(), ix, self.now, None))
    }

    pub(super) fn copy(&mut self) {
        let Some(ix) = self.selected_step() else {
            return;
        };
        let Some(text) = self.copy_text(ix) else {
            self.info(tr!(
                self.lang,
                "この手順にコピーする文面はありません",
                "this step has no text to copy"
            ));
            return;
        };
        let dir = self.incident.dir().join(files::STATEMENTS);
        let path = dir.join(format!("{}.txt", self.step_id(ix)));
        let is_post = matches!(
            self.incident.playbook().graph.step(ix).map(|s| &s.kind),
            Some(StepKind::Post(_))
        );
        // The operator's edit of a post is what will be published: never overwrite it.
        let write = || {
            if is_post && path.exists() {
                return Ok(());
            }
            std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, &text))
        };
        match write() {
            Ok(()) => {
                let path = path.display();
                self.info(if copy_to_clipboard(&text) {
                    tr!(
                        self.lang,
                        "保存しました {path}. クリップボードにもコピーしました",
                        "saved to {path}. also copied to the clipboard"
                    )
                } else {
                    tr!(self.lang, "保存しました {path}", "saved to {path}")
                });
            }
            Err(e) => self.error(format!("{}: {e}", path.display())),
        }
    }
}

/// Puts text on the clipboard with whichever tool this machine has; false if none worked.
fn copy_to_clipboard(text: &str) -> bool {
    use std::io::Write as _;
    const TOOLS: [(&str, &[&str]); 4] = [
        ("wl-copy", &[]),
        ("xclip", &["-selection", "clipboard"]),
        ("xsel", &["--clipboard", "--input"]),
        ("pbcopy", &[]),
    ];
    for (tool, args) in TOOLS {
        let child = std::process::Command::new(tool)
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
        let Ok(mut child) = child else { continue };
        let wrote = child
            .stdin
            .take()
            .is_some_and(|mut stdin| stdin.write_all(text.as_bytes()).is_ok());
        if wrote && child.wait().is_ok_and(|s| s.success()) {
            return true;
        }
    }
    false
}
