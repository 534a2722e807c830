//! `y`: a post's statement or an action's draft, filled in, saved to a file in the incident
//! folder (through the incident: [`crate::incident::Incident::save_statement`]) and put on
//! the clipboard. A post's file (`statements/<step>.txt`) is where the operator edits it;
//! once there it is never overwritten, and completing the post journals that text.
//!
//! The clipboard is the system's (arboard: Windows, macOS, an X11 display or XWayland) where
//! there is a display, else the terminal's (OSC 52: the clipboard of the computer the person
//! sits at, through SSH too); the message line says which, and where the text was saved in
//! case neither could be used.

use super::App;
use crate::incident::describe::fill;
use crate::incident::files;
use crate::incident::statement::{self, Saved};
use crate::playbook::{StepIx, StepKind, Template};
use crate::tr;

/// A way to put text on the clipboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Way {
    /// The system's clipboard: it says whether the text is on it.
    System,
    /// The terminal's (OSC 52): whether the terminal took it is not known.
    Terminal,
}

/// Where the screen runs, as far as a clipboard is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Place {
    /// A system clipboard may be reached: always on Windows and macOS; on other systems
    /// with an X11 or Wayland display.
    display: bool,
    /// The terminal is at the other end of an SSH connection.
    ssh: bool,
}

impl Place {
    fn here() -> Place {
        let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
        Place {
            display: cfg!(any(windows, target_os = "macos"))
                || set("DISPLAY")
                || set("WAYLAND_DISPLAY"),
            ssh: set("SSH_CONNECTION") || set("SSH_TTY"),
        }
    }
}

/// The ways to try, in order: the system's clipboard where there is a display (it tells
/// whether it worked), then the terminal's (Windows Terminal and most terminals take OSC 52,
/// a Wayland-only desktop's too); over SSH without a display, only the terminal's; on a
/// console with neither, none (the file is where the text is).
fn ways(place: Place) -> &'static [Way] {
    match (place.display, place.ssh) {
        (true, _) => &[Way::System, Way::Terminal],
        (false, true) => &[Way::Terminal],
        (false, false) => &[],
    }
}

/// The clipboard the screen copies to, kept while it is open: on X11 the text is served by
/// the program that copied it, for as long as it holds the clipboard.
#[derive(Default)]
pub struct Clipboard {
    system: Option<arboard::Clipboard>,
}

impl Clipboard {
    /// Puts `text` on the first clipboard of `ways` that takes it.
    fn put(&mut self, text: &str, ways: &[Way]) -> Option<Way> {
        ways.iter().copied().find(|way| match way {
            Way::System => {
                if self.system.is_none() {
                    self.system = arboard::Clipboard::new().ok();
                }
                self.system
                    .as_mut()
                    .is_some_and(|c| c.set_text(text).is_ok())
            }
            Way::Terminal => osc52(text).is_ok(),
        })
    }
}

/// Sends `text` to the terminal's clipboard (OSC 52, base64).
fn osc52(text: &str) -> std::io::Result<()> {
    use base64::Engine as _;
    use std::io::Write as _;
    let encoded = base64::engine::general_purpose::STANDARD.encode(text);
    let mut out = std::io::stdout().lock();
    write!(out, "\x1b]52;c;{encoded}\x07")?;
    out.flush()
}

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
        let step = self.step_id(ix);
        let is_post = matches!(
            self.incident.playbook().graph.step(ix).map(|s| &s.kind),
            Some(StepKind::Post(_))
        );
        // The operator's edit of a post is what will be published: never overwritten.
        let saved = match self.incident.save_statement(&step, &text, is_post) {
            Ok(saved) => saved,
            Err(e) => {
                self.error(e.message(self.lang));
                return;
            }
        };
        // Short enough for the message line: the file within the incident's folder.
        let path = files::shown(&statement::relative_file(&step));
        let lang = self.lang;
        let what = if is_post {
            tr!(lang, "公表文", "the statement")
        } else {
            tr!(lang, "文案", "the draft")
        };
        let chars = text.chars().count();
        let kept = match saved {
            Saved::Kept => tr!(lang, "（編集した文面）", " (the edited text)"),
            Saved::Written => String::new(),
        };
        let said = match self.clipboard.put(&text, ways(Place::here())) {
            Some(Way::System) => tr!(
                lang,
                "{what}{kept}（{chars} 文字）をクリップボードにコピーしました。事案フォルダの {path} にもあります",
                "copied {what}{kept} ({chars} characters) to the clipboard; also in {path} of the incident folder"
            ),
            Some(Way::Terminal) => tr!(
                lang,
                "{what}{kept}（{chars} 文字）を端末経由（OSC 52）でクリップボードに送りました。貼り付けられなければ事案フォルダの {path} から",
                "sent {what}{kept} ({chars} characters) to the clipboard through the terminal (OSC 52); if it does not paste: {path} of the incident folder"
            ),
            None => tr!(
                lang,
                "クリップボードが使えません: {what}{kept}（{chars} 文字）は事案フォルダの {path} にあります",
                "no clipboard here: {what}{kept} ({chars} characters) is in {path} of the incident folder"
            ),
        };
        self.info(said);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The system clipboard first wherever there is one, the terminal's after it (or alone
    /// over SSH without a display), none on a bare console.
    #[test]
    fn the_clipboards_are_tried_in_order() {
        let place = |display, ssh| Place { display, ssh };
        assert_eq!(ways(place(true, false)), [Way::System, Way::Terminal]);
        assert_eq!(ways(place(true, true)), [Way::System, Way::Terminal]);
        assert_eq!(ways(place(false, true)), [Way::Terminal]);
        assert!(ways(place(false, false)).is_empty());
    }
}

/// On Windows (run under Wine in the test suite) `y` reaches the system clipboard: the text
/// put there is the text read back, Japanese included.
#[cfg(all(test, windows))]
mod windows_tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_system_clipboard_takes_the_statement_on_windows() {
        let text =
            "【お知らせ】本市公式Xアカウントへの不正アクセスについて\n詳細は後ほどお知らせします。";
        let mut clipboard = Clipboard::default();
        assert_eq!(
            clipboard.put(text, ways(Place::here())),
            Some(Way::System),
            "Windows always has a system clipboard"
        );
        let read = arboard::Clipboard::new().unwrap().get_text().unwrap();
        assert_eq!(read.replace("\r\n", "\n"), text);
    }
}
