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
use crate::incident::event::Verdict;
use crate::incident::{Command, Incident, IncidentError, IncidentState, Refusal};
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
                };
                tr!(
                    lang,
                    "記録: 通知 #{message} — {name} <{from}> が返信で{what}",
                    "recorded: message #{message} — {name} <{from}> {what} by reply"
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
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            io(path, e)
        })
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

/// Reads the incident's mail that arrived since the last look and records the replies that
/// count; each is put in `found` as it is read, so what was read before a fault is reported
/// too. Every mail that carries one of the incident's codes or answers one of its messages
/// is reported, counted or not; other mail is never downloaded. `inbox/seen.json` follows
/// each mail read, then the whole range searched.
pub async fn check(
    incident: &mut Incident,
    mailbox: &mut Mailbox,
    lang: Lang,
    found: &mut Vec<Found>,
) -> Result<(), NotifyError> {
    let dir = incident.dir().to_path_buf();
    let inbox = dir.join(INBOX);
    match std::fs::create_dir(&inbox) {
        Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => return Err(io(&inbox, e)),
        _ => crate::platform::real_dir(&inbox).map_err(|e| io(&inbox, e))?,
    }
    let now = mailbox.look().await?;
    // Read after the look: a reply in the mailbox now answers a message queued (journalled)
    // before it was sent, so its code is known here.
    incident.refresh()?;
    let validity = now.validity;
    let last = now.next.saturating_sub(1);
    let seen = read_seen(&dir);
    let after = match seen.validity {
        Some(v) if v == validity && seen.last_uid <= last => Some(seen.last_uid),
        Some(v) if v == validity => {
            found.push(Found::Reset {
                seen: seen.last_uid,
                last,
            });
            None
        }
        _ => None,
    };
    let first = after.unwrap_or(0);
    if first < last {
        let wanted = wanted(incident.state(), after.is_none());
        let uids = mailbox.search(first + 1, last, &wanted).await?;
        for batch in uids.chunks(BATCH) {
            for mail in &mailbox.fetch(batch, MAX_REPLY_BYTES).await? {
                found.push(take(incident, validity, mail, lang)?);
                write_seen(
                    &inbox,
                    Seen {
                        validity: Some(validity),
                        last_uid: mail.uid,
                    },
                )?;
            }
        }
    }
    let done = Seen {
        validity: Some(validity),
        last_uid: last,
    };
    if read_seen(&dir) != done {
        write_seen(&inbox, done)?;
    }
    Ok(())
}

fn take(
    incident: &mut Incident,
    validity: u32,
    mail: &Fetched,
    lang: Lang,
) -> Result<Found, NotifyError> {
    let unmatched = |why: String| Found::Unmatched { uid: mail.uid, why };
    let Some(bytes) = &mail.bytes else {
        return Ok(unmatched(Unmatched::TooLarge(mail.size).message(lang)));
    };
    incident.refresh()?;
    let matched = match reply::match_reply(incident.state(), bytes) {
        Ok(m) => m,
        Err(why) => return Ok(unmatched(why.message(lang))),
    };
    let mut r = matched.reply;
    r.file = format!("{INBOX}/{validity}-{:06}.eml", mail.uid);
    let actor = r.name.clone();
    let command = Command::RecordReply {
        message: matched.message,
        reply: r.clone(),
    };
    let path = incident.dir().join(&r.file);
    let result = incident.execute_with(&actor, |inc| {
        inc.check(&command).map_err(NotifyError::Refused)?;
        write_synced(&path, bytes)?;
        Ok::<_, NotifyError>(command.clone())
    });
    match result {
        Ok(_) => Ok(Found::Recorded {
            message: matched.message,
            name: r.name,
            from: r.from,
            verdict: r.verdict,
        }),
        Err(NotifyError::Refused(refusal))
        | Err(NotifyError::Incident(IncidentError::Refused(refusal))) => {
            Ok(unmatched(refusal.message(lang)))
        }
        Err(e) => Err(e),
    }
}

/// How long to wait before trying a server that could not be reached again, or a mailbox
/// another process reads; how long one wait for new mail lasts (IMAP IDLE returns as soon as
/// something arrives) before the watch looks whether the incident was closed meanwhile; and
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
/// (IMAP IDLE where it offers it) between looks. One process reads an incident's mailbox at a
/// time: another says so (and a watch takes over when the reader is gone). Every mail of the
/// incident and, when watching, every fault (the server down or slow, a refused login) is
/// reported in words, and so is the connection coming back after a fault; a watch tries again
/// after [`RETRY`], a single look fails. A single look at a closed incident is refused.
/// `report` returns whether to go on.
pub async fn watch(
    incident: &mut Incident,
    imap: &crate::config::ImapConfig,
    lang: Lang,
    watch: bool,
    mut report: impl FnMut(String) -> bool,
) -> Result<(), NotifyError> {
    let server = format!("{}:{}", imap.host, imap.port());
    let mut reader: Option<Reader> = None;
    let mut mailbox: Option<Mailbox> = None;
    let mut other_reader = false;
    let mut trouble = false;
    loop {
        if let Err(e) = incident.refresh() {
            // A journal on a share may be out of reach for a moment: a watch says so and
            // tries again, as for the server.
            if !watch {
                return Err(e.into());
            }
            let said = tr!(
                lang,
                "{}（{} 秒後に再試行）",
                "{} (trying again in {} s)",
                e.message(lang),
                RETRY.as_secs()
            );
            if !report(said) {
                return Ok(());
            }
            tokio::time::sleep(RETRY).await;
            continue;
        }
        if incident.state().is_closed() {
            if let Some(mb) = mailbox.take() {
                mb.close().await;
            }
            if !watch {
                return Err(NotifyError::Refused(Refusal::Closed));
            }
            report(tr!(
                lang,
                "事案は終了しました。返信メールはもう読みません",
                "the incident is closed: replies are no longer read"
            ));
            return Ok(());
        }
        if reader.is_none() {
            reader = claim_reader(incident.dir())?;
            match (&reader, other_reader) {
                (None, false) => {
                    other_reader = true;
                    let go_on = report(tr!(
                        lang,
                        "この事案のメールボックスは別の画面（または hikeshi inbox）が読んでいます。記録されたものは記録簿とすべての画面に表示されます",
                        "another screen (or hikeshi inbox) reads the mailbox of this incident: what it records shows in the journal and on every screen"
                    ));
                    if !go_on || !watch {
                        return Ok(());
                    }
                }
                (Some(_), true) => {
                    other_reader = false;
                    if !report(tr!(
                        lang,
                        "この事案のメールボックスは、これからこの画面が読みます",
                        "this screen reads the mailbox of this incident from now on"
                    )) {
                        return Ok(());
                    }
                }
                _ => {}
            }
            if reader.is_none() {
                tokio::time::sleep(RETRY).await;
                continue;
            }
        }
        let mut found = Vec::new();
        let looked = async {
            let mut mb = match mailbox.take() {
                Some(mb) => mb,
                None => Mailbox::open(imap).await?,
            };
            check(incident, &mut mb, lang, &mut found).await?;
            Ok::<_, NotifyError>(mb)
        }
        .await;
        if looked.is_ok() && trouble {
            trouble = false;
            if !report(tr!(
                lang,
                "IMAP サーバー {server} に再び接続しました",
                "connected to IMAP server {server} again"
            )) {
                return Ok(());
            }
        }
        for f in &found {
            if !report(f.render(lang)) {
                if let Ok(mb) = looked {
                    mb.close().await;
                }
                return Ok(());
            }
        }
        match looked {
            Ok(mb) => {
                if !watch {
                    if found.is_empty() {
                        report(tr!(lang, "新しいメールはありません", "no new mail"));
                    }
                    mb.close().await;
                    return Ok(());
                }
                match mb.wait(RETRY).await {
                    Ok(mb) => mailbox = Some(mb),
                    Err(e) => {
                        trouble = true;
                        if !report(e.message(lang)) {
                            return Ok(());
                        }
                    }
                }
            }
            Err(e) if watch => {
                trouble = true;
                let said = tr!(
                    lang,
                    "{}（{} 秒後に再試行）",
                    "{} (trying again in {} s)",
                    e.message(lang),
                    RETRY.as_secs()
                );
                if !report(said) {
                    return Ok(());
                }
                tokio::time::sleep(RETRY).await;
            }
            Err(e) => return Err(e),
        }
    }
}

/// Watches the mailbox for an open screen, on a thread of its own with its own hold on the
/// incident (the journal takes several writers: the screen shows the replies recorded as it
/// shows anyone else's acts). The lines it reports arrive on the receiver; the watch ends
/// when the receiver is dropped (at the latest at its next report).
pub fn watch_in_background(
    dir: &Path,
    imap: crate::config::ImapConfig,
    lang: Lang,
) -> std::sync::mpsc::Receiver<String> {
    let (tx, rx) = std::sync::mpsc::channel();
    let dir = dir.to_path_buf();
    let spawned = std::thread::Builder::new()
        .name("hikeshi-inbox".into())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(r) => r,
                Err(e) => {
                    let _ = tx.send(e.to_string());
                    return;
                }
            };
            let clock = std::sync::Arc::new(crate::clock::SystemClock);
            let mut incident = match Incident::open(&dir, clock) {
                Ok(i) => i,
                Err(e) => {
                    let _ = tx.send(e.message(lang));
                    return;
                }
            };
            let looked = runtime.block_on(watch(&mut incident, &imap, lang, true, |line| {
                tx.send(line).is_ok()
            }));
            if let Err(e) = looked {
                let _ = tx.send(e.message(lang));
            }
        });
    if let Err(e) = spawned {
        let (tx, rx) = std::sync::mpsc::channel();
        let _ = tx.send(e.to_string());
        return rx;
    }
    rx
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
