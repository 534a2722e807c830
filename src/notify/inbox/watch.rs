//! The watch on an incident's mailbox, as steps: the incident's part ([`Watch::step`], on
//! the caller's `Incident`) and the IMAP round trips ([`Connection::run`], a future owning the
//! connection). `hikeshi inbox` runs the two in turn ([`watch`]); a screen runs the round
//! trips in its event loop.

use super::{
    BATCH, Found, INBOX, RETRY, Reader, Seen, claim_reader, io, read_seen, retrying, take,
    take_held, wanted, write_seen,
};
use crate::config::Config;
use crate::incident::{Incident, Refusal, Written};
use crate::lang::Lang;
use crate::notify;
use crate::notify::NotifyError;
use crate::notify::imap::{self, Fetched, Mailbox, Wanted};
use crate::notify::reply::MAX_REPLY_BYTES;
use crate::tr;

/// A round trip a watch asks of the mailbox next; [`Connection::run`] makes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ask {
    /// Wait this long, disconnected (after a fault, or while another process reads).
    Pause(std::time::Duration),
    /// Look at the mailbox (connecting first when not connected).
    Look,
    /// Search the UIDs `from..=to` for the incident's mail.
    Search {
        /// The first UID.
        from: u32,
        /// The last UID.
        to: u32,
        /// What marks the incident's mail.
        wanted: Wanted,
    },
    /// Fetch a batch of mails (at most [`BATCH`]).
    Fetch(Vec<u32>),
    /// Wait for new mail (IDLE where the server offers it) up to [`RETRY`].
    Wait,
    /// Nothing of the mailbox: let the caller's other work run before the next mail of a
    /// batch is recorded (a screen draws and reads keys between two mails).
    Yield,
}

/// What the mailbox answered to an [`Ask`].
#[derive(Debug)]
pub enum Answer {
    /// The pause is over.
    Paused,
    /// The mailbox as it is now.
    Looked(imap::Snapshot),
    /// The UIDs of the incident's mail in the range searched.
    Searched(Vec<u32>),
    /// The mails of a batch.
    Fetched(Vec<Fetched>),
    /// New mail may have arrived (or the wait is over).
    Waited,
    /// The caller's other work had its turn.
    Yielded,
}

/// The IMAP side of a watch: the connection to the mailbox, moved into the future that makes
/// one round trip and handed back with its answer (a screen runs that future in its event
/// loop, beside the deliveries).
pub struct Connection {
    imap: crate::config::ImapConfig,
    mailbox: Option<Mailbox>,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("connected", &self.mailbox.is_some())
            .finish_non_exhaustive()
    }
}

impl Connection {
    /// Makes one round trip; a fault drops the connection (the next ask connects again).
    pub async fn run(mut self, ask: Ask) -> (Connection, Result<Answer, imap::ImapError>) {
        let answer = self.answer(ask).await;
        if answer.is_err() {
            self.mailbox = None;
        }
        (self, answer)
    }

    async fn connected(&mut self) -> Result<&mut Mailbox, imap::ImapError> {
        if self.mailbox.is_none() {
            self.mailbox = Some(Mailbox::open(&self.imap).await?);
        }
        self.mailbox.as_mut().ok_or(imap::ImapError::NotConfigured)
    }

    async fn answer(&mut self, ask: Ask) -> Result<Answer, imap::ImapError> {
        Ok(match ask {
            Ask::Pause(pause) => {
                self.mailbox = None;
                tokio::time::sleep(pause).await;
                Answer::Paused
            }
            Ask::Look => Answer::Looked(self.connected().await?.look().await?),
            Ask::Search { from, to, wanted } => {
                Answer::Searched(self.connected().await?.search(from, to, &wanted).await?)
            }
            Ask::Fetch(uids) => Answer::Fetched(
                self.connected()
                    .await?
                    .fetch(&uids, MAX_REPLY_BYTES)
                    .await?,
            ),
            Ask::Wait => {
                if let Some(mailbox) = self.mailbox.take() {
                    self.mailbox = Some(mailbox.wait(RETRY).await?);
                }
                Answer::Waited
            }
            Ask::Yield => {
                tokio::task::yield_now().await;
                Answer::Yielded
            }
        })
    }

    /// Logs out, if connected.
    pub async fn close(self) {
        if let Some(mailbox) = self.mailbox {
            mailbox.close().await;
        }
    }
}

/// Where a watch is between round trips.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// About to begin a look (claim the reader, check the incident is open).
    Begin,
    /// Waiting for the mailbox's state.
    Looking,
    /// Waiting for the search.
    Searching,
    /// Waiting for a batch.
    Fetching,
    /// Recording a batch's mails, one per step.
    Recording,
    /// Ended.
    Ended,
}

/// One look under way: the mailbox's state, the batches left to fetch, and whether any of
/// the incident's mail was found.
#[derive(Debug, Default)]
struct Round {
    validity: u32,
    last: u32,
    batches: std::collections::VecDeque<Vec<u32>>,
    /// The mails of the batch fetched, not yet recorded.
    fetched: std::collections::VecDeque<Fetched>,
    any: bool,
}

/// What a watch does next.
#[derive(Debug)]
pub enum Next {
    /// This round trip, then [`Watch::step`] again with its answer.
    Ask(Ask),
    /// The watch is over.
    Done,
    /// The watch is over with this fault (a single look, or a fault a watch cannot outlast).
    Failed(NotifyError),
}

/// What one step of a watch did.
#[derive(Debug)]
pub struct Step {
    /// What to say, in order: every mail read, and the server's faults and recoveries.
    pub lines: Vec<String>,
    /// The mail read in this step (also among `lines`).
    pub found: Vec<Found>,
    /// The events this step journalled (the repliers' acts, answers queued).
    pub written: Vec<Written>,
    /// An answer to a reply that counted nothing was queued: mail to send.
    pub answered: bool,
    /// What comes next.
    pub next: Next,
}

/// A watch on the incident's mailbox as steps: [`Watch::step`] does the incident's part on
/// the caller's [`Incident`] (a screen's own: the engine runs once per reply, on the state
/// the screen shows), then says which round trip comes next; [`Connection::run`] makes it.
/// `hikeshi inbox` runs the two in turn ([`watch`]); a screen runs the round trips as
/// futures in its event loop. One process reads an incident's mailbox at a time
/// (`claims/inbox.lock`): another says so, and a watch takes over when the reader is gone.
#[derive(Debug)]
pub struct Watch {
    config: Config,
    lang: Lang,
    /// Until the incident is closed (else: one look).
    keep_watching: bool,
    server: String,
    reader: Option<Reader>,
    other_reader: bool,
    /// A fault was said, and its end is still to be said.
    trouble: bool,
    phase: Phase,
    round: Round,
}

impl Watch {
    /// A watch (`keep_watching`) or a single look at the mailbox `[imap]` names, with its
    /// connection (not connected yet).
    pub fn new(
        config: Config,
        lang: Lang,
        keep_watching: bool,
    ) -> Result<(Watch, Connection), NotifyError> {
        let imap = config.imap.clone().ok_or(imap::ImapError::NotConfigured)?;
        let server = format!("{}:{}", imap.host, imap.port());
        let watch = Watch {
            config,
            lang,
            keep_watching,
            server,
            reader: None,
            other_reader: false,
            trouble: false,
            phase: Phase::Begin,
            round: Round::default(),
        };
        Ok((
            watch,
            Connection {
                imap,
                mailbox: None,
            },
        ))
    }

    /// Takes the answer to the last round trip (`None` at the start): the mail read is
    /// matched and recorded on `incident`, `inbox/seen.json` follows each mail; says what
    /// comes next.
    pub fn step(
        &mut self,
        incident: &mut Incident,
        answer: Option<Result<Answer, imap::ImapError>>,
    ) -> Step {
        let mut step = Step {
            lines: Vec::new(),
            found: Vec::new(),
            written: Vec::new(),
            answered: false,
            next: Next::Done,
        };
        let phase = std::mem::replace(&mut self.phase, Phase::Ended);
        let next = match (phase, answer) {
            (Phase::Ended, _) => Ok(Next::Done),
            (Phase::Looking, Some(Ok(Answer::Looked(now)))) => {
                self.looked(incident, now, &mut step)
            }
            (Phase::Searching, Some(Ok(Answer::Searched(uids)))) => {
                self.round.batches = uids.chunks(BATCH).map(<[u32]>::to_vec).collect();
                self.next_batch(incident, &mut step)
            }
            (Phase::Fetching, Some(Ok(Answer::Fetched(mails)))) => {
                self.round.fetched = mails.into();
                self.record_next(incident, &mut step)
            }
            (Phase::Recording, Some(Ok(Answer::Yielded))) => self.record_next(incident, &mut step),
            (Phase::Looking | Phase::Searching | Phase::Fetching, Some(Err(e))) => Err(e.into()),
            // The wait for new mail failed: said, and looked again at once (connecting anew).
            (Phase::Begin, Some(Err(e))) => {
                self.trouble = true;
                step.lines.push(e.message(self.lang));
                self.begin(incident, &mut step)
            }
            _ => self.begin(incident, &mut step),
        };
        step.next = match next {
            Ok(next) => next,
            Err(e) => self.fault(e, &mut step),
        };
        step
    }

    /// What a fault during a look becomes: the end of a single look; a watch says it and
    /// tries again after [`RETRY`].
    fn fault(&mut self, e: NotifyError, step: &mut Step) -> Next {
        if !self.keep_watching {
            return Next::Failed(e);
        }
        self.trouble = true;
        step.lines.push(retrying(&e.message(self.lang), self.lang));
        self.phase = Phase::Begin;
        Next::Ask(Ask::Pause(RETRY))
    }

    /// The start of a look: the journal read, the incident still open, this process the
    /// mailbox's one reader.
    fn begin(&mut self, incident: &mut Incident, step: &mut Step) -> Result<Next, NotifyError> {
        let lang = self.lang;
        // A journal on a share may be out of reach for a moment: a watch says so and tries
        // again, as for the server (and says when all is well again).
        incident.refresh()?;
        if incident.state().is_closed() {
            if !self.keep_watching {
                return Ok(Next::Failed(NotifyError::Refused(Refusal::Closed)));
            }
            step.lines.push(tr!(
                lang,
                "事案は終了しました。返信メールはもう読みません",
                "the incident is closed: replies are no longer read"
            ));
            return Ok(Next::Done);
        }
        if self.reader.is_none() {
            self.reader = match claim_reader(incident.dir()) {
                Ok(reader) => reader,
                Err(e) => return Ok(Next::Failed(e)),
            };
            match (&self.reader, self.other_reader) {
                (None, false) => {
                    self.other_reader = true;
                    step.lines.push(tr!(
                        lang,
                        "この事案のメールボックスは別の画面（または hikeshi inbox）が読んでいます。記録されたものは記録簿とすべての画面に表示されます",
                        "another screen (or hikeshi inbox) reads the mailbox of this incident: what it records shows in the journal and on every screen"
                    ));
                    if !self.keep_watching {
                        return Ok(Next::Done);
                    }
                }
                (Some(_), true) => {
                    self.other_reader = false;
                    step.lines.push(tr!(
                        lang,
                        "この事案のメールボックスは、これからこの画面が読みます",
                        "this screen reads the mailbox of this incident from now on"
                    ));
                }
                _ => {}
            }
            if self.reader.is_none() {
                self.phase = Phase::Begin;
                return Ok(Next::Ask(Ask::Pause(RETRY)));
            }
        }
        let inbox = incident.dir().join(INBOX);
        match std::fs::create_dir(&inbox) {
            Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => return Err(io(&inbox, e)),
            _ => crate::platform::real_dir(&inbox).map_err(|e| io(&inbox, e))?,
        }
        self.phase = Phase::Looking;
        Ok(Next::Ask(Ask::Look))
    }

    /// The mailbox's state is known: held replies taken up again, and the range to search
    /// (from where `inbox/seen.json` says the last look ended).
    fn looked(
        &mut self,
        incident: &mut Incident,
        now: imap::Snapshot,
        step: &mut Step,
    ) -> Result<Next, NotifyError> {
        if self.trouble {
            self.trouble = false;
            let server = &self.server;
            step.lines.push(tr!(
                self.lang,
                "IMAP サーバー {server} に再び接続しました",
                "connected to IMAP server {server} again"
            ));
        }
        // Read after the look: a reply in the mailbox now answers a message queued
        // (journalled) before it was sent, so its code is known here.
        incident.refresh()?;
        // Replies held for a step that was not ready may count now.
        let held = take_held(incident, &self.config, self.lang, &mut step.written)?;
        self.round = Round {
            validity: now.validity,
            last: now.next.saturating_sub(1),
            batches: Default::default(),
            fetched: Default::default(),
            any: false,
        };
        for found in held {
            self.say(found, step);
        }
        let last = self.round.last;
        let seen = read_seen(incident.dir());
        let after = match seen.validity {
            Some(v) if v == now.validity && seen.last_uid <= last => Some(seen.last_uid),
            Some(v) if v == now.validity => {
                let reset = Found::Reset {
                    seen: seen.last_uid,
                    last,
                };
                self.say(reset, step);
                None
            }
            _ => None,
        };
        let first = after.unwrap_or(0);
        if first >= last {
            return self.finish(incident, step);
        }
        self.phase = Phase::Searching;
        Ok(Next::Ask(Ask::Search {
            from: first + 1,
            to: last,
            wanted: wanted(incident.state(), after.is_none()),
        }))
    }

    /// The next mail of the batch fetched, matched, recorded and marked as read: one per
    /// step, so a screen stays live while a busy mailbox is read (each record is fsync'd).
    fn record_next(
        &mut self,
        incident: &mut Incident,
        step: &mut Step,
    ) -> Result<Next, NotifyError> {
        let Some(mail) = self.round.fetched.pop_front() else {
            return self.next_batch(incident, step);
        };
        let validity = self.round.validity;
        // A fault ends the look; what was read before it is said all the same.
        let found = take(
            incident,
            validity,
            &mail,
            &self.config,
            self.lang,
            &mut step.written,
        )?;
        self.say(found, step);
        write_seen(
            &incident.dir().join(INBOX),
            Seen {
                validity: Some(validity),
                last_uid: mail.uid,
            },
        )?;
        if self.round.fetched.is_empty() {
            return self.next_batch(incident, step);
        }
        self.phase = Phase::Recording;
        Ok(Next::Ask(Ask::Yield))
    }

    fn next_batch(
        &mut self,
        incident: &mut Incident,
        step: &mut Step,
    ) -> Result<Next, NotifyError> {
        match self.round.batches.pop_front() {
            Some(batch) => {
                self.phase = Phase::Fetching;
                Ok(Next::Ask(Ask::Fetch(batch)))
            }
            None => self.finish(incident, step),
        }
    }

    /// The whole range is searched: `inbox/seen.json` says so; a single look ends, a watch
    /// waits for new mail.
    fn finish(&mut self, incident: &mut Incident, step: &mut Step) -> Result<Next, NotifyError> {
        let done = Seen {
            validity: Some(self.round.validity),
            last_uid: self.round.last,
        };
        let dir = incident.dir();
        if read_seen(dir) != done {
            write_seen(&dir.join(INBOX), done)?;
        }
        if !self.keep_watching {
            if !self.round.any {
                step.lines
                    .push(tr!(self.lang, "新しいメールはありません", "no new mail"));
            }
            return Ok(Next::Done);
        }
        self.phase = Phase::Begin;
        Ok(Next::Ask(Ask::Wait))
    }

    /// A mail read (or a reply held before taken up): one line.
    fn say(&mut self, found: Found, step: &mut Step) {
        self.round.any = true;
        step.answered |= matches!(found, Found::NotCounted { answer: Ok(_), .. });
        step.lines.push(found.render(self.lang));
        step.found.push(found);
    }
}

/// Reads the replies to the incident's mail and records those that count: once, or
/// (`watch`) until `report` says to stop or the incident is closed, waiting on the server
/// (IMAP IDLE where it offers it) between looks ([`Watch`] runs on `incident`, its round
/// trips are made here in turn). Every mail of the incident and, when watching, every fault
/// (the server down or slow, a refused login) is reported in words, and so is the connection
/// coming back after a fault; a watch tries again after [`RETRY`], a single look fails. A
/// single look at a closed incident is refused. `report` returns whether to go on. The
/// answers to replies that counted nothing are sent at once through `deliver`.
pub async fn watch(
    incident: &mut Incident,
    config: &Config,
    lang: Lang,
    watch: bool,
    deliver: Option<&notify::Transport>,
    mut report: impl FnMut(String) -> bool,
) -> Result<(), NotifyError> {
    let (mut machine, mut connection) = Watch::new(config.clone(), lang, watch)?;
    let mut answer = None;
    loop {
        let step = machine.step(incident, answer.take());
        let mut lines = step.lines;
        if let Some(transport) = deliver.filter(|_| step.answered) {
            match deliver_due(incident, transport, lang).await {
                Ok(said) => lines.extend(said),
                Err(e) => lines.push(e.message(lang)),
            }
        }
        for line in lines {
            if !report(line) {
                connection.close().await;
                return Ok(());
            }
        }
        match step.next {
            Next::Ask(ask) => {
                let (back, answered) = connection.run(ask).await;
                connection = back;
                answer = Some(answered);
            }
            Next::Done => {
                connection.close().await;
                return Ok(());
            }
            Next::Failed(e) => {
                connection.close().await;
                return Err(e);
            }
        }
    }
}

/// Sends the messages due now (the answers just queued among them) and journals each
/// outcome; one line per outcome.
async fn deliver_due(
    incident: &mut Incident,
    transport: &notify::Transport,
    lang: Lang,
) -> Result<Vec<String>, NotifyError> {
    // Only the answers: the rest of the incident's mail is sent by whoever queued it.
    let others: std::collections::HashSet<u32> = incident
        .state()
        .undelivered()
        .filter(|m| m.letter.answers.is_none())
        .map(|m| m.number)
        .collect();
    let claimed = notify::claim_due(incident, &others, false, usize::MAX)?;
    let mut lines = Vec::new();
    let mut failure = None;
    notify::deliver_each(transport, claimed, |outcome, claim| {
        if failure.is_none()
            && let Err(e) = notify::record(incident, &outcome)
        {
            failure = Some(e);
        }
        drop(claim);
        lines.push(match &outcome {
            notify::Outcome::Sent { message, reply, .. } => tr!(
                lang,
                "返答 #{message} を送信しました（{reply}）",
                "answer #{message} sent ({reply})"
            ),
            notify::Outcome::Failed { message, error, .. } => tr!(
                lang,
                "返答 #{message} を送信できません（再送します）: {error}",
                "answer #{message} not sent (it is retried): {error}"
            ),
        });
    })
    .await;
    match failure {
        Some(e) => Err(e),
        None => Ok(lines),
    }
}
