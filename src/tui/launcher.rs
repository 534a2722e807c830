//! `hikeshi` with no arguments: pick a playbook to start (and the platform it is about) or an
//! open incident to resume.

use std::path::PathBuf;

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, List, ListItem, ListState, Paragraph};

use super::keys::{GLOBAL, LAUNCHER, hint_line, lookup};
use super::{Action, Screen};
use crate::catalog::PlaybookRef;
use crate::lang::Lang;
use crate::playbook::Platform;
use crate::tr;

/// A playbook that can be started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaybookChoice {
    /// Where it comes from.
    pub playbook: PlaybookRef,
    /// Its title.
    pub title: String,
    /// The platforms it covers.
    pub platforms: Vec<Platform>,
}

/// An incident that can be resumed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentChoice {
    /// Its folder.
    pub dir: PathBuf,
    /// One line about it.
    pub summary: String,
}

/// What the operator chose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// Start this playbook, about this platform.
    Start(PlaybookRef, Option<Platform>),
    /// Resume this incident.
    Resume(PathBuf),
}

/// The launcher's state.
#[derive(Debug)]
pub struct Launcher {
    lang: Lang,
    playbooks: Vec<PlaybookChoice>,
    incidents: Vec<IncidentChoice>,
    selected: usize,
    /// Picking the platform for this playbook.
    platform_for: Option<usize>,
    /// The result, once chosen.
    pub choice: Option<Choice>,
    quit: bool,
}

impl Launcher {
    /// A launcher over these playbooks and incidents.
    pub fn new(lang: Lang, playbooks: Vec<PlaybookChoice>, incidents: Vec<IncidentChoice>) -> Self {
        Launcher {
            lang,
            playbooks,
            incidents,
            selected: 0,
            platform_for: None,
            choice: None,
            quit: false,
        }
    }

    fn count(&self) -> usize {
        self.playbooks.len() + self.incidents.len()
    }
}

impl Screen for Launcher {
    fn draw(&self, frame: &mut Frame) {
        let lang = self.lang;
        let [title, body, footer] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(3),
            Constraint::Length(1),
        ])
        .areas(frame.area());
        frame.render_widget(
            Paragraph::new(Line::from(Span::styled(
                tr!(
                    lang,
                    " hikeshi（火消し）: 手順書から事案を開始するか、対応中の事案を再開します",
                    " hikeshi: start an incident from a playbook, or resume one"
                ),
                Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED),
            ))),
            title,
        );
        let mut items: Vec<ListItem> = Vec::new();
        for (i, p) in self.playbooks.iter().enumerate() {
            let (n, title) = (i + 1, &p.title);
            items.push(ListItem::new(tr!(
                lang,
                "{n}. 開始: {title}",
                "{n}. start: {title}"
            )));
        }
        for (i, inc) in self.incidents.iter().enumerate() {
            let (n, summary) = (self.playbooks.len() + i + 1, &inc.summary);
            items.push(ListItem::new(tr!(
                lang,
                "{n}. 再開: {summary}",
                "{n}. resume: {summary}"
            )));
        }
        let list = List::new(items)
            .block(Block::bordered())
            .highlight_style(Style::new().add_modifier(Modifier::REVERSED));
        let mut state = ListState::default().with_selected(Some(self.selected));
        frame.render_stateful_widget(list, body, &mut state);
        let hint = match self.platform_for.and_then(|i| self.playbooks.get(i)) {
            Some(p) => {
                let names: Vec<String> = p
                    .platforms
                    .iter()
                    .enumerate()
                    .map(|(i, pf)| format!("{} {}", i + 1, pf.display_name()))
                    .collect();
                let names = names.join("  ");
                tr!(
                    lang,
                    "対象のプラットフォーム: {names}  0 指定しない",
                    "platform: {names}  0 none"
                )
            }
            None => hint_line(LAUNCHER, lang),
        };
        frame.render_widget(Paragraph::new(hint), footer);
    }

    fn key(&self, key: KeyEvent) -> Option<Action> {
        lookup(&[GLOBAL, LAUNCHER], key)
    }

    fn update(&mut self, action: Action) -> Option<Action> {
        if let Some(p) = self.platform_for {
            match action {
                Action::Choose(n) => {
                    let platforms = &self.playbooks[p].platforms;
                    let platform = n.checked_sub(1).and_then(|i| platforms.get(i)).copied();
                    if n == 0 || platform.is_some() {
                        self.choice =
                            Some(Choice::Start(self.playbooks[p].playbook.clone(), platform));
                    }
                }
                Action::Cancel => self.platform_for = None,
                Action::Quit => self.quit = true,
                _ => {}
            }
            return None;
        }
        match action {
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Down => self.selected = (self.selected + 1).min(self.count().saturating_sub(1)),
            Action::Choose(n) if n >= 1 && n <= self.count() => {
                self.selected = n - 1;
                return Some(Action::Submit);
            }
            Action::Submit => {
                if self.selected < self.playbooks.len() {
                    if self.playbooks[self.selected].platforms.is_empty() {
                        self.choice = Some(Choice::Start(
                            self.playbooks[self.selected].playbook.clone(),
                            None,
                        ));
                    } else {
                        self.platform_for = Some(self.selected);
                    }
                } else if let Some(inc) = self.incidents.get(self.selected - self.playbooks.len()) {
                    self.choice = Some(Choice::Resume(inc.dir.clone()));
                }
            }
            Action::Quit | Action::Cancel => self.quit = true,
            _ => {}
        }
        None
    }

    fn done(&self) -> bool {
        self.quit || self.choice.is_some()
    }
}
