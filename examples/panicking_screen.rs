//! A screen that panics on its first key, to show that the terminal is restored on a panic
//! (run by tests/tui_pty.rs in a real pseudo-terminal).
#![allow(missing_docs, clippy::panic)]

use hikeshi::tui::{Action, Screen, run};
use ratatui::widgets::Paragraph;

struct Panicking;

impl Screen for Panicking {
    fn draw(&self, frame: &mut ratatui::Frame) {
        frame.render_widget(Paragraph::new("panicking-screen-ready"), frame.area());
    }
    fn key(&self, _key: crossterm::event::KeyEvent) -> Option<Action> {
        Some(Action::Quit)
    }
    fn update(&mut self, action: Action) -> Option<Action> {
        if action == Action::Quit {
            panic!("deliberate panic from the test screen");
        }
        None
    }
    fn done(&self) -> bool {
        false
    }
}

fn main() {
    let _ = run(&mut Panicking);
}
