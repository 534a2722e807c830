//! An exercise on the screen: injects popped up as they fall due, the facilitator's keys
//! (pause, next inject, show it again, review) and the review and score at the end.

use chrono::{DateTime, FixedOffset};

use super::{Action, App, Mode};
use crate::incident::Command;
use crate::tr;
use crate::tui::keys::Screen;

/// An inject as the screen pops it up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InjectCard {
    /// Headline.
    pub title: String,
    /// What the participants are told.
    pub text: String,
    /// When it was given (simulated time).
    pub at: DateTime<FixedOffset>,
    /// Given early by the facilitator.
    pub early: bool,
    /// Effects the engine refused, in words.
    pub refused: Vec<String>,
    /// The scenario's opening narrative (the situation the exercise begins with), not an
    /// inject: its title is the scenario's, its time the start.
    pub opening: bool,
}

/// The review (振り返り) being typed: three answers, one at a time.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReviewForm {
    /// Which answer is being typed (0 良かった点, 1 課題, 2 改善策).
    pub field: usize,
    /// The answers.
    pub answers: [String; 3],
}

impl App {
    /// Runs an exercise on this screen: injects arrive on the session's clock as it ticks,
    /// and the facilitator's keys (P, N, I) work. The injects already due are given now.
    pub fn with_exercise(mut self, session: crate::exercise::Session) -> App {
        // The situation the exercise begins with is the first thing the participants see
        // (again when it is resumed), before the injects due; I shows it again until an
        // inject replaces it.
        let scenario = session.scenario();
        let state = self.incident.state();
        if !scenario.narrative.trim().is_empty() && !state.is_closed() {
            self.cards.push(InjectCard {
                title: scenario.title.clone(),
                text: scenario.narrative.trim_end().to_string(),
                at: state.started_at.unwrap_or(scenario.starts_at),
                early: false,
                refused: Vec::new(),
                opening: true,
            });
        }
        self.exercise = Some(session);
        self.give_due_injects();
        self.show_next_card();
        // A closed exercise resumed without its review asks for it again.
        if self.mode == Mode::Normal {
            self.ask_review();
        }
        self
    }

    /// Gives the injects whose time has come and queues their pop-ups.
    pub(super) fn give_due_injects(&mut self) {
        let Some(session) = self.exercise.as_mut() else {
            return;
        };
        match session.fire_due(&mut self.incident) {
            Ok(fired) => {
                for f in fired {
                    self.inject_given(f);
                }
            }
            Err(e) => self.error(Screen::error(e.refusal(), |l| e.message(l), self.lang)),
        }
    }

    pub(super) fn inject_given(&mut self, fired: crate::exercise::Fired) {
        self.push_log(&fired.written);
        let at = fired
            .written
            .first()
            .map_or_else(|| self.incident.now(), |w| w.entry.time);
        self.cards.push(InjectCard {
            title: fired.inject.title.clone(),
            text: fired.inject.text.clone(),
            at,
            early: fired.early,
            refused: fired
                .refused
                .iter()
                .map(|r| Screen::refused(r, self.lang))
                .collect(),
            opening: false,
        });
        self.now = self.incident.now();
        // The screen moves on as after the person's own key, and holds keys for a moment: one
        // on its way was meant for the step that was selected.
        self.select_next_ready();
        self.hold_if_changed();
    }

    /// Pops up the next queued inject when nothing else is on screen.
    pub(super) fn show_next_card(&mut self) {
        if self.mode == Mode::Normal && !self.cards.is_empty() {
            let card = self.cards.remove(0);
            self.last_card = Some(card.clone());
            self.mode = Mode::Inject(card);
        }
    }

    /// After the exercise closes, asks for the review once.
    pub(super) fn ask_review(&mut self) {
        let Some(run) = self.incident.state().run.as_ref() else {
            return;
        };
        if self.incident.state().is_closed() && run.reviews.is_empty() {
            self.mode = Mode::Review(ReviewForm::default());
        }
    }

    /// A key while the review is typed.
    pub(super) fn review_action(&mut self, action: Action) {
        let Mode::Review(form) = &mut self.mode else {
            return;
        };
        let answer = form.answers.get_mut(form.field);
        match action {
            Action::Cancel => self.mode = Mode::Normal,
            Action::Char(c) => {
                let mut buffer = [0; 4];
                let typed =
                    answer.map(|a| App::type_into(a, c.encode_utf8(&mut buffer), self.lang));
                if let Some(Err(e)) = typed {
                    self.error(e);
                }
            }
            Action::Paste(text) => {
                if let Some(Err(e)) = answer.map(|a| App::type_into(a, &text, self.lang)) {
                    self.error(e);
                }
            }
            Action::Backspace => {
                answer.and_then(String::pop);
            }
            Action::Clear => answer.into_iter().for_each(String::clear),
            Action::Up => form.field = form.field.saturating_sub(1),
            Action::Submit if form.field + 1 < form.answers.len() => form.field += 1,
            Action::Submit => {
                if let Mode::Review(form) = std::mem::replace(&mut self.mode, Mode::Normal) {
                    self.submit_review(form);
                }
            }
            _ => {}
        }
    }

    pub(super) fn submit_review(&mut self, form: ReviewForm) {
        let [good, issues, improvements] = form.answers.clone();
        let command = Command::RecordReview {
            good,
            issues,
            improvements,
        };
        match self.incident.execute(&self.operator, &command) {
            Ok(entries) => {
                self.push_log(&entries);
                self.show_score();
            }
            Err(e) => {
                // Nothing typed is lost: the form stays open at its first answer.
                self.error(Screen::error(e.refusal(), |l| e.message(l), self.lang));
                self.mode = Mode::Review(ReviewForm { field: 0, ..form });
            }
        }
    }

    pub(super) fn show_score(&mut self) {
        let now = self.incident.now();
        if let Some(score) =
            crate::exercise::score(self.incident.state(), self.incident.playbook(), now)
        {
            self.mode = Mode::Score(score.lines(self.lang));
        }
    }

    pub(super) fn facilitator(&mut self, action: Action) {
        let lang = self.lang;
        let Some(session) = self.exercise.as_mut() else {
            self.error(tr!(
                lang,
                "訓練ではないため使えません",
                "only in an exercise (hikeshi exercise)"
            ));
            return;
        };
        match action {
            Action::Pause => {
                let paused = session.toggle_pause();
                self.info(if paused {
                    tr!(
                        lang,
                        "訓練の時計を一時停止しました（P で再開）",
                        "exercise clock paused (P resumes)"
                    )
                } else {
                    tr!(lang, "訓練の時計を再開しました", "exercise clock resumed")
                });
            }
            Action::NextInject => match session.fire_next(&mut self.incident) {
                Ok(Some(fired)) => {
                    self.inject_given(fired);
                    self.show_next_card();
                }
                Ok(None) => self.info(tr!(
                    lang,
                    "これ以上の状況付与はありません",
                    "no more injects"
                )),
                Err(e) => self.error(Screen::error(e.refusal(), |l| e.message(l), lang)),
            },
            Action::ShowInject => match self.last_card.clone() {
                Some(card) => self.mode = Mode::Inject(card),
                None => self.info(tr!(lang, "状況付与はまだありません", "no inject yet")),
            },
            Action::Review => self.mode = Mode::Review(ReviewForm::default()),
            _ => {}
        }
    }
}
