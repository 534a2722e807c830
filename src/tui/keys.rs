//! The key map: a key, in the screen's current mode, becomes an [`Action`].

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::app::{Action, DialogKind, Mode};

/// The action for a key in `mode`, if any.
pub fn action(mode: &Mode, key: KeyEvent) -> Option<Action> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
        return Some(Action::Quit);
    }
    match mode {
        Mode::Dialog(d) => dialog(d.kind, d.needs_reason, key),
        Mode::Review(_) => match key.code {
            KeyCode::Esc => Some(Action::Cancel),
            KeyCode::Enter => Some(Action::Submit),
            KeyCode::Backspace => Some(Action::Backspace),
            KeyCode::Up => Some(Action::Up),
            KeyCode::Char(c) => Some(Action::Char(c)),
            _ => None,
        },
        Mode::Inject(_) | Mode::Score(_) => Some(match key.code {
            KeyCode::Char('q') => Action::Quit,
            _ => Action::Cancel,
        }),
        Mode::Help => Some(match key.code {
            KeyCode::Char('q') => Action::Quit,
            _ => Action::Cancel,
        }),
        Mode::Normal => normal(key),
    }
}

fn dialog(kind: DialogKind, needs_reason: bool, key: KeyEvent) -> Option<Action> {
    let picking = kind == DialogKind::Decide && !needs_reason;
    match key.code {
        KeyCode::Esc => Some(Action::Cancel),
        KeyCode::Enter => Some(Action::Submit),
        KeyCode::Backspace => Some(Action::Backspace),
        KeyCode::Up => Some(Action::Up),
        KeyCode::Down => Some(Action::Down),
        KeyCode::Char(c) if picking && ('1'..='9').contains(&c) => {
            Some(Action::Choose(c as usize - '1' as usize))
        }
        KeyCode::Char('k') if picking => Some(Action::Up),
        KeyCode::Char('j') if picking => Some(Action::Down),
        KeyCode::Char(c) => Some(Action::Char(c)),
        _ => None,
    }
}

fn normal(key: KeyEvent) -> Option<Action> {
    Some(match key.code {
        KeyCode::Up | KeyCode::Char('k') => Action::Up,
        KeyCode::Down | KeyCode::Char('j') => Action::Down,
        KeyCode::Home | KeyCode::Char('g') => Action::Top,
        KeyCode::End | KeyCode::Char('G') => Action::Bottom,
        KeyCode::PageDown | KeyCode::Char(' ') => Action::PageDown,
        KeyCode::PageUp => Action::PageUp,
        KeyCode::Enter => Action::Primary,
        KeyCode::Esc => Action::Cancel,
        KeyCode::Char('d') => Action::Done,
        KeyCode::Char('s') => Action::Skip,
        KeyCode::Char('x') => Action::Decide,
        KeyCode::Char('a') => Action::Approve,
        KeyCode::Char('r') => Action::Reject,
        KeyCode::Char('o') => Action::Observe,
        KeyCode::Char('n') => Action::Note,
        KeyCode::Char('e') => Action::Evidence,
        KeyCode::Char('f') => Action::Force,
        KeyCode::Char('h') => Action::Handover,
        KeyCode::Char('C') => Action::Close,
        KeyCode::Char('y') => Action::Copy,
        KeyCode::Char('R') => Action::Retry,
        KeyCode::Char('c') => Action::Call,
        KeyCode::Char('A') => Action::Ack,
        KeyCode::Char('P') => Action::Pause,
        KeyCode::Char('N') => Action::NextInject,
        KeyCode::Char('I') => Action::ShowInject,
        KeyCode::Char('V') => Action::Review,
        KeyCode::Char('?') => Action::Help,
        KeyCode::Char('q') => Action::Quit,
        KeyCode::Char(c @ '1'..='9') => Action::Toggle(c as usize - '1' as usize),
        _ => return None,
    })
}
