//! The screen's side of the outbox: which messages to send now, the deliveries handed to the
//! screen loop, and their outcomes journalled as they come back ([`Action::Delivered`]).

use std::collections::{HashMap, HashSet};
use std::pin::Pin;

use super::{Action, App};
use crate::notify::{self, Claim, Config, Job, Outcome, Transport};
use crate::playbook::StepIx;
use crate::tr;
use crate::tui::keys::Screen;

/// The screen's side of the outbox: the config, the transport, and the deliveries under way.
#[derive(Debug)]
pub struct Mail {
    /// The mail settings (`None`: the config file could not be read, so nothing is queued).
    pub config: Option<Config>,
    /// Where messages go; `None` when the mail settings are unusable (nothing is sent, and
    /// the screen says why, but the incident can still be worked).
    pub transport: Option<Transport>,
    /// Why mail cannot be sent, if it cannot.
    pub problem: Option<String>,
    /// Messages being sent now.
    pub in_flight: HashSet<u32>,
    /// The claims of the messages being sent, held until each outcome is journalled (no
    /// other process sends them meanwhile).
    claims: HashMap<u32, Claim>,
    /// Messages sent whose outcome could not be journalled: never sent again by this screen.
    unrecorded: HashSet<u32>,
    /// This computer's clock is too far behind the journal to record a delivery, and the
    /// screen has said so: nothing is sent until it is not.
    clock_behind: bool,
    /// Deliveries to start (taken by the screen loop).
    queue: Vec<Job>,
}

impl Default for Mail {
    fn default() -> Mail {
        Mail::new(Config::default(), Transport::File)
    }
}

impl Mail {
    /// Mail as `config` says.
    pub fn new(config: Config, transport: Transport) -> Mail {
        Mail {
            config: Some(config),
            transport: Some(transport),
            problem: None,
            in_flight: HashSet::new(),
            claims: HashMap::new(),
            unrecorded: HashSet::new(),
            clock_behind: false,
            queue: Vec::new(),
        }
    }

    /// Mail settings that cannot be used: with the config read but no transport (e.g. the
    /// SMTP password is not set), messages are queued and shown but not sent until the screen
    /// is opened with working settings; without a readable config, nothing is queued.
    pub fn unavailable(config: Option<Config>, problem: String) -> Mail {
        Mail {
            config,
            transport: None,
            problem: Some(problem),
            in_flight: HashSet::new(),
            claims: HashMap::new(),
            unrecorded: HashSet::new(),
            clock_behind: false,
            queue: Vec::new(),
        }
    }

    /// Where messages go, for people.
    pub fn describe(&self) -> String {
        self.transport
            .as_ref()
            .map_or_else(|| "-".to_string(), Transport::describe)
    }
}

/// A delivery under way, as the screen loop polls it.
pub type Work = Pin<Box<dyn Future<Output = Action>>>;

impl App {
    /// Queues for delivery every message that is due (with `everything`, every undelivered
    /// message), leaving out those being sent now, by this screen or by another process.
    pub(super) fn schedule(&mut self, everything: bool) -> usize {
        if self.mail.transport.is_none() {
            return 0;
        }
        let room = notify::CONCURRENT_SENDS.saturating_sub(self.mail.in_flight.len());
        if room == 0 {
            return 0;
        }
        let mut skip = self.mail.in_flight.clone();
        skip.extend(&self.mail.unrecorded);
        let claimed = match notify::claim_due(&mut self.incident, &skip, everything, room) {
            Ok(claimed) => claimed,
            Err(e @ notify::NotifyError::ClockBehind { .. }) => {
                // Nothing is sent from a clock the journal would refuse. Said once (and on
                // each retry asked for), not on every tick over whatever else is shown.
                if everything || !self.mail.clock_behind {
                    self.error(e.message(self.lang));
                }
                self.mail.clock_behind = true;
                return 0;
            }
            Err(e) => {
                self.error(e.message(self.lang));
                return 0;
            }
        };
        self.mail.clock_behind = false;
        let n = claimed.len();
        for notify::Claimed { job, claim } in claimed {
            self.mail.in_flight.insert(job.message);
            self.mail.claims.insert(job.message, claim);
            self.mail.queue.push(job);
        }
        n
    }

    /// The deliveries to start now; each ends in an [`Action::Delivered`].
    pub fn take_work(&mut self) -> Vec<Work> {
        let Some(transport) = self.mail.transport.clone() else {
            return Vec::new();
        };
        self.mail
            .queue
            .drain(..)
            .map(|job| {
                let transport = transport.clone();
                Box::pin(async move { Action::Delivered(transport.deliver(&job).await) }) as Work
            })
            .collect()
    }

    pub(super) fn delivered(&mut self, outcome: &Outcome) {
        self.mail.in_flight.remove(&outcome.message());
        // Sent by this screen: what it completes is the person's at the keyboard.
        let operator = self.operator.clone();
        let recorded = notify::record_as(&mut self.incident, &operator, outcome);
        // Once the outcome is on record another process may take the message. A delivery
        // that could not be recorded keeps its claim while this screen is open, so that
        // nobody sends it again meanwhile.
        if recorded.is_ok() || !matches!(outcome, Outcome::Sent { .. }) {
            self.mail.claims.remove(&outcome.message());
        }
        match recorded {
            Ok(entries) => {
                self.push_log(&entries);
                if let Outcome::Failed { message, error, .. } = outcome {
                    let text = tr!(
                        self.lang,
                        "通知 #{message} の送信に失敗: {error}",
                        "message #{message} failed: {error}"
                    );
                    self.error(text);
                } else if !entries.is_empty() {
                    self.say_recorded();
                }
                // The screen moves on as after the person's own key, and holds keys for a moment: one
                // on its way was meant for the step that was selected.
                self.select_next_ready();
                self.hold_if_changed();
            }
            Err(e) => {
                // The outcome is not on record: a delivered message must not go out again,
                // so this screen does not retry it (the next start, reading the journal, will).
                if matches!(outcome, Outcome::Sent { .. }) {
                    self.mail.unrecorded.insert(outcome.message());
                }
                self.error(e.message(self.lang));
            }
        }
    }

    /// The mail settings, or (said on the message line) why there are none.
    fn mail_settings(&mut self) -> Option<Config> {
        let config = self.mail.config.clone();
        if config.is_none() {
            let problem = self.mail.problem.clone().unwrap_or_default();
            self.error(problem);
        }
        config
    }

    /// Mails the selected approval or post step's approver the text to approve, and starts
    /// sending it; a reply 承認 then records the approval (read by the inbox watch).
    pub(super) fn request_approval(&mut self, ix: StepIx) {
        let step = self.step_id(ix);
        let operator = self.operator.clone();
        let Some(config) = self.mail_settings() else {
            return;
        };
        match notify::request_approval(&mut self.incident, &operator, &step, &config, self.lang) {
            Ok(queued) => {
                self.push_log(&queued.written);
                let via = self.mail.describe();
                let text = tr!(
                    self.lang,
                    "承認依頼を送信します（{via}）。返信の「承認」で記録されます",
                    "sending the approval request via {via}; a reply 承認 records the approval"
                );
                self.info(text);
                self.schedule(false);
            }
            Err(e) => self.error(Screen::error(e.refusal(), |l| e.message(l), self.lang)),
        }
    }

    /// Queues the selected notify step's messages and starts sending them. If the engine
    /// refuses because they are queued already, says where they stand: the worker retries
    /// them by itself, R retries now, c records a call.
    pub(super) fn notify(&mut self, ix: StepIx) {
        let step = self.step_id(ix);
        let operator = self.operator.clone();
        let Some(config) = self.mail_settings() else {
            return;
        };
        match notify::queue(&mut self.incident, &operator, &step, &config) {
            Ok(queued) => {
                self.push_log(&queued.written);
                let n = queued.numbers.len();
                let via = self.mail.describe();
                let text = tr!(
                    self.lang,
                    "{n} 通を送信します（{via}）",
                    "sending {n} message(s) via {via}"
                );
                self.info(text);
                self.schedule(false);
            }
            // Queued already: the refusal says where they stand and the keys that help.
            Err(e) => self.error(Screen::error(e.refusal(), |l| e.message(l), self.lang)),
        }
    }
}
