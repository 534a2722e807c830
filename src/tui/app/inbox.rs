//! The reply mailbox read while the screen is open: the watch's steps run on the screen's
//! own incident (each reply matched and recorded once, on the state the screen shows), its
//! round trips to the server are futures in the screen loop beside the deliveries. Every
//! mail it reads and every fault it meets reaches the screen: the message line says the last
//! (with how many came with it), the timeline keeps each.

use std::sync::{Arc, Mutex};

use super::{Action, App, LogLine, Work};
use crate::config::Config;
use crate::notify::imap::ImapError;
use crate::notify::inbox::{Answer, Ask, Connection, Found, Next, Watch};
use crate::tr;

/// The watch on the reply mailbox, between its round trips.
#[derive(Debug)]
pub struct Replies {
    watch: Watch,
    /// The connection, when no round trip is under way.
    connection: Option<Connection>,
    /// The round trip to start next.
    ask: Option<Ask>,
    /// The watch is over.
    ended: bool,
    /// The last notice put on the timeline (a fault said again on each retry goes there
    /// once).
    last_notice: Option<String>,
}

type Returned = (Connection, Result<Answer, ImapError>);

/// A round trip to the mailbox that has come back, handed to [`App::update`]: the connection
/// and the answer, taken once.
#[derive(Clone)]
pub struct Answered(Arc<Mutex<Option<Returned>>>);

impl Answered {
    fn new(returned: Returned) -> Answered {
        Answered(Arc::new(Mutex::new(Some(returned))))
    }

    fn take(&self) -> Option<Returned> {
        self.0.lock().ok().and_then(|mut r| r.take())
    }
}

impl PartialEq for Answered {
    fn eq(&self, other: &Answered) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for Answered {}

impl std::fmt::Debug for Answered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Answered")
    }
}

impl App {
    /// Reads the replies to the incident's mail while the screen is open (`config` names the
    /// `[imap]` mailbox): the repliers' acts are recorded through this screen's incident.
    pub fn read_replies(&mut self, config: Config) {
        match Watch::new(config, self.lang, true) {
            Ok((watch, connection)) => {
                self.replies = Some(Replies {
                    watch,
                    connection: Some(connection),
                    ask: None,
                    ended: false,
                    last_notice: None,
                });
                self.replies_step(None);
            }
            Err(e) => self.error(e.message(self.lang)),
        }
    }

    /// The round trip to the mailbox to start now, if one is due.
    /// Once the watch is over, the connection is closed (logged out) and the watch let go.
    pub fn take_reply_work(&mut self) -> Option<Work> {
        let replies = self.replies.as_mut()?;
        if replies.ended {
            let connection = replies.connection.take();
            self.replies = None;
            let connection = connection?;
            return Some(Box::pin(async move {
                connection.close().await;
                Action::Tick
            }));
        }
        let ask = replies.ask.take()?;
        let connection = replies.connection.take()?;
        Some(Box::pin(async move {
            Action::Replies(Answered::new(connection.run(ask).await))
        }))
    }

    /// A round trip came back: the watch takes its answer.
    pub(super) fn replies_answered(&mut self, answered: &Answered) {
        let Some((connection, answer)) = answered.take() else {
            return;
        };
        let Some(replies) = self.replies.as_mut() else {
            return;
        };
        replies.connection = Some(connection);
        self.replies_step(Some(answer));
    }

    fn replies_step(&mut self, answer: Option<Result<Answer, ImapError>>) {
        let Some(mut replies) = self.replies.take() else {
            return;
        };
        let step = replies.watch.step(&mut self.incident, answer);
        let lang = self.lang;
        // The repliers' acts, as others' acts are shown (nobody at this screen did them).
        if !step.written.is_empty() {
            self.show_arrivals();
            self.log_lines(&step.written, true);
            self.highlight_until = Some(std::time::Instant::now() + super::HIGHLIGHT);
        }
        // Each line that no journalled event says already goes on the timeline.
        let actor = tr!(lang, "返信メール", "reply mail");
        let journalled: Vec<String> = step
            .found
            .iter()
            .filter(|f| {
                matches!(
                    f,
                    Found::Recorded { .. } | Found::Held { .. } | Found::NotCounted { .. }
                )
            })
            .map(|f| f.render(lang))
            .collect();
        for line in &step.lines {
            if journalled.contains(line) || replies.last_notice.as_ref() == Some(line) {
                continue;
            }
            replies.last_notice = Some(line.clone());
            self.log.push(LogLine {
                at: self.incident.now(),
                actor: actor.clone(),
                text: line.clone(),
                highlight: false,
            });
        }
        let excess = self.log.len().saturating_sub(super::LOG_KEEP);
        self.log.drain(..excess);
        if let Some(last) = step.lines.last() {
            let n = step.lines.len();
            self.info(if n > 1 {
                tr!(
                    lang,
                    "返信メール（{n} 件、経過欄に記載）: {last}",
                    "reply mail ({n} notices, on the timeline): {last}"
                )
            } else {
                tr!(lang, "返信メール: {last}", "reply mail: {last}")
            });
        }
        match step.next {
            Next::Ask(ask) => replies.ask = Some(ask),
            Next::Done => replies.ended = true,
            Next::Failed(e) => {
                replies.ended = true;
                self.error(tr!(
                    lang,
                    "返信メール: {}",
                    "reply mail: {}",
                    e.message(lang)
                ));
            }
        }
        if step.answered {
            // The answers to replies that counted nothing go out with the screen's mail.
            self.schedule(false);
        }
        self.hold_if_changed();
        self.replies = Some(replies);
    }
}
