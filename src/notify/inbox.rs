//! Replies to hikeshi's mail: the incident's mail found in the `[imap]` mailbox (searched on
//! the server by its reply codes and Message-IDs, fetched in bounded batches), matched to its
//! messages (`reply::match_reply`), saved under `inbox/` and recorded as the repliers' own
//! acts (`Command::RecordReply`). How far the mailbox was searched is kept in
//! `inbox/seen.json`, so nothing is read twice after a restart; the engine also refuses a
//! reply whose Message-ID is on record, so a crash between the two counts nothing twice. One
//! process reads an incident's mailbox at a time (`claims/inbox.lock`); the others say so.

use std::io::Write as _;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::NotifyError;
use super::claim::CLAIMS;
use super::imap::{Fetched, Mailbox, Wanted};
use super::reply::{self, MAX_REPLY_BYTES, Unmatched};
use crate::config::Config;
use crate::incident::event::{Event, Verdict};
use crate::incident::{Command, Incident, IncidentError, IncidentState, Refusal, Written};
use crate::lang::Lang;
use crate::tr;

/// The folder replies are saved in.
pub const INBOX: &str = "inbox";
/// Where the UIDs already read are remembered.
const SEEN: &str = "seen.json";

/// The mailbox's UIDVALIDITY and the highest UID searched in it: every mail up to it that is
/// the incident's has been read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Seen {
    validity: Option<u32>,
    last_uid: u32,
}

/// What became of one new mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// Counted: the replier's act is on record.
    Recorded {
        /// The message answered.
        message: u32,
        /// Who replied (name and address).
        name: String,
        /// Their address.
        from: String,
        /// What they said.
        verdict: Verdict,
    },
    /// An answer to an approval request whose step cannot be approved yet: kept, and counted
    /// when it can be.
    Held {
        /// The approval request answered.
        message: u32,
        /// Who replied.
        name: String,
        /// Their address.
        from: String,
    },
    /// From the addressee, in the thread, but counting as nothing: kept, and the replier
    /// told why in an answer (unless it could not be composed).
    NotCounted {
        /// The message answered.
        message: u32,
        /// Who replied.
        name: String,
        /// Their address.
        from: String,
        /// Why it counts as nothing, in words.
        why: String,
        /// The answer's message number, or why there is none.
        answer: Result<u32, String>,
    },
    /// Not counted, and why (in words).
    Unmatched {
        /// Its UID.
        uid: u32,
        /// Why not.
        why: String,
    },
    /// `inbox/seen.json` names a UID the mailbox has not reached (a damaged file, or a
    /// mailbox restored without a new UIDVALIDITY): the mailbox is searched again from the
    /// incident's start (a reply already on record is not recorded twice).
    Reset {
        /// The UID `seen.json` gave.
        seen: u32,
        /// The mailbox's last UID now.
        last: u32,
    },
}

impl Found {
    /// One line for the listing.
    pub fn render(&self, lang: Lang) -> String {
        match self {
            Found::Recorded {
                message,
                name,
                from,
                verdict,
            } => {
                let what = match verdict {
                    Verdict::Acknowledged => tr!(lang, "確認", "acknowledged"),
                    Verdict::Approved => tr!(lang, "承認", "approved"),
                    Verdict::Rejected => tr!(lang, "却下", "rejected"),
                    Verdict::Unclear(_) => tr!(lang, "不明", "unclear"),
                };
                tr!(
                    lang,
                    "記録: 通知 #{message} — {name} <{from}> が返信で{what}",
                    "recorded: message #{message} — {name} <{from}> {what} by reply"
                )
            }
            Found::Held {
                message,
                name,
                from,
            } => tr!(
                lang,
                "保留: 承認依頼 #{message} への {name} <{from}> の返信（手順が承認できるようになったら記録）",
                "held: {name} <{from}>'s reply to approval request #{message} (recorded when the step can be approved)"
            ),
            Found::NotCounted {
                message,
                name,
                from,
                why,
                answer,
            } => {
                let told = match answer {
                    Ok(n) => tr!(
                        lang,
                        "返信者に理由を返送します（通知 #{n}）",
                        "the replier is told why (message #{n})"
                    ),
                    Err(e) => tr!(
                        lang,
                        "返信者に返送できません: {e}",
                        "the replier cannot be told: {e}"
                    ),
                };
                tr!(
                    lang,
                    "記録に数えず: 通知 #{message} — {name} <{from}>: {why}。{told}",
                    "not counted: message #{message} — {name} <{from}>: {why}; {told}"
                )
            }
            Found::Unmatched { uid, why } => tr!(
                lang,
                "記録せず（UID {uid}）: {why}",
                "not recorded (UID {uid}): {why}"
            ),
            Found::Reset { seen, last } => tr!(
                lang,
                "inbox/seen.json は UID {seen} まで読んだとしていますが、メールボックスの最後は UID {last} です。事案の開始から読み直します",
                "inbox/seen.json says UID {seen} was read, but the mailbox's last UID is {last}: reading again from the incident's start"
            ),
        }
    }
}

fn io(path: &Path, e: std::io::Error) -> NotifyError {
    NotifyError::Io {
        action: crate::lang::io::SAVE_MESSAGE,
        path: path.to_path_buf(),
        source: e,
    }
}

/// A temporary name beside `path` that no other writer uses: this process's id and a
/// counter (two screens, or a screen and `hikeshi inbox`, may write one folder at once).
fn temporary(path: &Path) -> std::path::PathBuf {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.{}-{n}.tmp", std::process::id()))
}

/// Writes a file whole (temporary name of its own, fsync, rename), never through a link.
fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), NotifyError> {
    let tmp = temporary(path);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    crate::platform::open_no_follow(&options, &tmp)
        .and_then(|mut f| f.write_all(bytes).and_then(|()| f.sync_all()))
        .and_then(|()| replace(&tmp, path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            io(path, e)
        })
}

/// Renames `from` over `to`. Windows refuses a rename onto a file another process is
/// replacing or has open at that moment ("access denied"), for a moment only: tried again a
/// few times before it counts as a failure.
fn replace(from: &Path, to: &Path) -> std::io::Result<()> {
    let mut attempt = 0;
    loop {
        match std::fs::rename(from, to) {
            Err(e)
                if cfg!(windows)
                    && e.kind() == std::io::ErrorKind::PermissionDenied
                    && attempt < 50 =>
            {
                attempt += 1;
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            other => return other,
        }
    }
}

fn read_seen(dir: &Path) -> Seen {
    std::fs::read(dir.join(INBOX).join(SEEN))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

fn write_seen(inbox: &Path, seen: Seen) -> Result<(), NotifyError> {
    let bytes = serde_json::to_vec(&seen).unwrap_or_default();
    write_synced(&inbox.join(SEEN), &bytes)
}

/// How many of the incident's mails are fetched in one batch (two round trips: sizes, then
/// the bodies of those within [`MAX_REPLY_BYTES`]); at most this many bodies are in memory.
pub const BATCH: usize = 20;

/// What marks this incident's mail in the mailbox: its messages' reply codes and
/// Message-IDs, and (`from_start`) the day before it started, so that a first look at a
/// mailbox of years searches only what arrived since (the earlier of the start and today,
/// by this computer's clock: an exercise dated ahead searches from today).
fn wanted(state: &IncidentState, from_start: bool) -> Wanted {
    let since = state
        .started_at
        .filter(|_| from_start)
        .map(|t| t.date_naive().min(chrono::Utc::now().date_naive()))
        .and_then(|d| d.pred_opt());
    Wanted {
        codes: state
            .messages
            .iter()
            .filter_map(|m| m.letter.reply_code.clone())
            .collect(),
        message_ids: state
            .messages
            .iter()
            .filter(|m| m.letter.channel.is_none())
            .map(|m| m.letter.message_id.clone())
            .collect(),
        since,
    }
}

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
}

/// What the mailbox answered to an [`Ask`].
#[derive(Debug)]
pub enum Answer {
    /// The pause is over.
    Paused,
    /// The mailbox as it is now.
    Looked(super::imap::Snapshot),
    /// The UIDs of the incident's mail in the range searched.
    Searched(Vec<u32>),
    /// The mails of a batch.
    Fetched(Vec<Fetched>),
    /// New mail may have arrived (or the wait is over).
    Waited,
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
    pub async fn run(mut self, ask: Ask) -> (Connection, Result<Answer, super::imap::ImapError>) {
        let answer = self.answer(ask).await;
        if answer.is_err() {
            self.mailbox = None;
        }
        (self, answer)
    }

    async fn connected(&mut self) -> Result<&mut Mailbox, super::imap::ImapError> {
        if self.mailbox.is_none() {
            self.mailbox = Some(Mailbox::open(&self.imap).await?);
        }
        self.mailbox
            .as_mut()
            .ok_or(super::imap::ImapError::NotConfigured)
    }

    async fn answer(&mut self, ask: Ask) -> Result<Answer, super::imap::ImapError> {
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
        let imap = config
            .imap
            .clone()
            .ok_or(super::imap::ImapError::NotConfigured)?;
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
        answer: Option<Result<Answer, super::imap::ImapError>>,
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
                self.fetched(incident, &mails, &mut step)
            }
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
        now: super::imap::Snapshot,
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

    /// A batch arrived: each mail matched, recorded and marked as read in turn.
    fn fetched(
        &mut self,
        incident: &mut Incident,
        mails: &[Fetched],
        step: &mut Step,
    ) -> Result<Next, NotifyError> {
        let inbox = incident.dir().join(INBOX);
        let validity = self.round.validity;
        for mail in mails {
            // A fault ends the look; what was read before it is said all the same.
            let found = take(
                incident,
                validity,
                mail,
                &self.config,
                self.lang,
                &mut step.written,
            )?;
            self.say(found, step);
            write_seen(
                &inbox,
                Seen {
                    validity: Some(validity),
                    last_uid: mail.uid,
                },
            )?;
        }
        self.next_batch(incident, step)
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

fn take(
    incident: &mut Incident,
    validity: u32,
    mail: &Fetched,
    config: &Config,
    lang: Lang,
    written: &mut Vec<Written>,
) -> Result<Found, NotifyError> {
    let unmatched = |why: String| Found::Unmatched { uid: mail.uid, why };
    let Some(bytes) = &mail.bytes else {
        return Ok(unmatched(Unmatched::TooLarge(mail.size).message(lang)));
    };
    incident.refresh()?;
    let authserv_id = config.imap.as_ref().and_then(|i| i.authserv_id.as_deref());
    let matched = match reply::match_reply(incident.state(), bytes, authserv_id) {
        Ok(m) => m,
        Err(why) => return Ok(unmatched(why.message(lang))),
    };
    let mut r = matched.reply;
    r.file = format!("{INBOX}/{validity}-{:06}.eml", mail.uid);
    let command = Command::RecordReply {
        message: matched.message,
        reply: r.clone(),
        answer: None,
        statements: None,
    };
    let path = incident.dir().join(&r.file);
    let recorded = super::outbox::record_reply(
        incident,
        &r.name.clone(),
        command,
        |_| write_synced(&path, bytes),
        config,
        lang,
    );
    settle(recorded, lang, written).map(|f| f.unwrap_or_else(unmatched))
}

/// Takes up the held replies again: those whose step can now be approved are counted (or
/// counted as nothing, and answered); the others keep waiting, silently.
fn take_held(
    incident: &mut Incident,
    config: &Config,
    lang: Lang,
    written: &mut Vec<Written>,
) -> Result<Vec<Found>, NotifyError> {
    incident.refresh()?;
    let held: Vec<(String, String)> = incident
        .state()
        .messages
        .iter()
        .flat_map(|m| m.held.iter().map(|r| (r.reply_id.clone(), r.name.clone())))
        .collect();
    let mut found = Vec::new();
    for (reply_id, name) in held {
        let command = Command::ApplyHeldReply {
            reply_id,
            answer: None,
            statements: None,
        };
        let recorded =
            super::outbox::record_reply(incident, &name, command, |_| Ok(()), config, lang);
        match recorded {
            Err(NotifyError::Refused(Refusal::ReplyStillHeld { .. }))
            | Err(NotifyError::Incident(IncidentError::Refused(Refusal::ReplyStillHeld {
                ..
            }))) => {}
            other => {
                if let Ok(f) = settle(other, lang, written)? {
                    found.push(f);
                }
            }
        }
    }
    Ok(found)
}

/// What a recorded reply became, from the events written (added to `written`); a refusal as
/// its words (`Err` inside). A refusal that may pass (the clock behind the journal's) is an
/// error, so that the mail is read again at the next look rather than marked as read.
fn settle(
    recorded: Result<super::outbox::RecordedReply, NotifyError>,
    lang: Lang,
    written: &mut Vec<Written>,
) -> Result<Result<Found, String>, NotifyError> {
    let recorded = match recorded {
        Ok(r) => r,
        Err(NotifyError::Refused(refusal))
        | Err(NotifyError::Incident(IncidentError::Refused(refusal))) => {
            if matches!(refusal, Refusal::EarlierThanJournal { .. }) {
                return Err(NotifyError::Refused(refusal));
            }
            return Ok(Err(refusal.message(lang)));
        }
        Err(e) => return Err(e),
    };
    let mut answer = recorded
        .unanswered
        .map_or_else(|| Err(tr!(lang, "返答なし", "no answer")), Err);
    for w in &recorded.written {
        if let Event::NotificationQueued { message, .. } = &w.event {
            answer = Ok(*message);
        }
    }
    written.extend(recorded.written.iter().cloned());
    for w in recorded.written {
        match w.event {
            Event::ReplyRecorded { message, reply } => {
                return Ok(Ok(Found::Recorded {
                    message,
                    name: reply.name,
                    from: reply.from,
                    verdict: reply.verdict,
                }));
            }
            Event::ReplyHeld { message, reply } => {
                return Ok(Ok(Found::Held {
                    message,
                    name: reply.name,
                    from: reply.from,
                }));
            }
            Event::ReplyNotCounted {
                message,
                issue,
                reply,
            } => {
                let why = crate::incident::describe::reply_issue(issue, &reply, lang);
                return Ok(Ok(Found::NotCounted {
                    message,
                    name: reply.name,
                    from: reply.from,
                    why,
                    answer,
                }));
            }
            _ => {}
        }
    }
    Ok(Err(tr!(lang, "記録なし", "nothing recorded")))
}

/// how often a mailbox without IDLE is looked at.
pub const RETRY: std::time::Duration = std::time::Duration::from_secs(5);

/// The file whose lock makes a process the one reader of an incident's mailbox.
const READER: &str = "inbox.lock";

/// This process's right to read the incident's mailbox, until dropped (the operating system
/// releases it with the process).
#[derive(Debug)]
struct Reader {
    file: std::fs::File,
}

impl Drop for Reader {
    fn drop(&mut self) {
        let _ = self.file.unlock();
    }
}

/// Becomes the incident's one mailbox reader, or `None` if another process is.
fn claim_reader(dir: &Path) -> Result<Option<Reader>, NotifyError> {
    let folder = dir.join(CLAIMS);
    let lock_error = |path: &Path, e| NotifyError::Io {
        action: crate::lang::io::LOCK,
        path: path.to_path_buf(),
        source: e,
    };
    std::fs::create_dir_all(&folder)
        .and_then(|()| crate::platform::real_dir(&folder))
        .map_err(|e| lock_error(&folder, e))?;
    let path = folder.join(READER);
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    let file =
        crate::platform::open_no_follow(&options, &path).map_err(|e| lock_error(&path, e))?;
    match file.try_lock() {
        Ok(()) => Ok(Some(Reader { file })),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(e)) => Err(lock_error(&path, e)),
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
    deliver: Option<&super::Transport>,
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

/// A fault a watch tries again after, in words.
fn retrying(fault: &str, lang: Lang) -> String {
    tr!(
        lang,
        "{fault}（{} 秒後に再試行）",
        "{fault} (trying again in {} s)",
        RETRY.as_secs()
    )
}

/// Sends the messages due now (the answers just queued among them) and journals each
/// outcome; one line per outcome.
async fn deliver_due(
    incident: &mut Incident,
    transport: &super::Transport,
    lang: Lang,
) -> Result<Vec<String>, NotifyError> {
    // Only the answers: the rest of the incident's mail is sent by whoever queued it.
    let others: std::collections::HashSet<u32> = incident
        .state()
        .undelivered()
        .filter(|m| m.letter.answers.is_none())
        .map(|m| m.number)
        .collect();
    let claimed = super::claim_due(incident, &others, false, usize::MAX)?;
    let mut lines = Vec::new();
    let mut failure = None;
    super::deliver_each(transport, claimed, |outcome, claim| {
        if failure.is_none()
            && let Err(e) = super::record(incident, &outcome)
        {
            failure = Some(e);
        }
        drop(claim);
        lines.push(match &outcome {
            super::Outcome::Sent { message, reply, .. } => tr!(
                lang,
                "返答 #{message} を送信しました（{reply}）",
                "answer #{message} sent ({reply})"
            ),
            super::Outcome::Failed { message, error, .. } => tr!(
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// Two writers of one file (two screens writing `seen.json`) never trip over each other's
    /// temporary file: every write succeeds and the file is always one of the writes whole.
    #[test]
    fn writers_of_one_file_each_use_a_temporary_of_their_own() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(SEEN);
        let barrier = std::sync::Barrier::new(2);
        std::thread::scope(|scope| {
            for writer in [b'a', b'b'] {
                let (path, barrier) = (&path, &barrier);
                scope.spawn(move || {
                    barrier.wait();
                    for _ in 0..100 {
                        write_synced(path, &[writer; 64]).unwrap();
                    }
                });
            }
        });
        let last = std::fs::read(&path).unwrap();
        assert!(last == [b'a'; 64] || last == [b'b'; 64]);
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "no temporary file is left behind");
    }
}
