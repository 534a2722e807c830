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
use super::imap::{Fetched, Wanted};
use super::reply::{self, Unmatched};
use crate::config::Config;
use crate::incident::event::{Event, Verdict};
use crate::incident::{Command, Incident, IncidentState, Refusal, Written};
use crate::lang::Lang;
use crate::tr;

mod watch;

pub use watch::{Answer, Ask, Connection, Next, Step, Watch, watch};

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
    NotifyError::Io(crate::lang::io::FileError::new(
        crate::lang::io::SAVE_MESSAGE,
        path.to_path_buf(),
        e,
    ))
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
/// the bodies of those within [`reply::MAX_REPLY_BYTES`]); at most this many bodies are in memory.
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
            Err(NotifyError::Refused(Refusal::ReplyStillHeld { .. })) => {}
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
        Err(NotifyError::Refused(refusal)) => {
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
    let lock_error = |path: &Path, e| {
        NotifyError::Io(crate::lang::io::FileError::new(
            crate::lang::io::LOCK,
            path.to_path_buf(),
            e,
        ))
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

/// A fault a watch tries again after, in words.
fn retrying(fault: &str, lang: Lang) -> String {
    tr!(
        lang,
        "{fault}（{} 秒後に再試行）",
        "{fault} (trying again in {} s)",
        RETRY.as_secs()
    )
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
