//! Replies to hikeshi's mail: new mail read from the `[imap]` mailbox, matched to the
//! incident's messages (`reply::match_reply`), saved under `inbox/` and recorded as the
//! repliers' own acts (`Command::RecordReply`). The UIDs already read are kept in
//! `inbox/seen.json`, so nothing is read twice after a restart; the engine also refuses a
//! reply whose Message-ID is on record, so a crash between the two counts nothing twice.

use std::io::Write as _;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::NotifyError;
use super::imap::{Fetched, Mailbox};
use super::reply::{self, MAX_REPLY_BYTES, Unmatched};
use crate::incident::event::Verdict;
use crate::incident::{Command, Incident, IncidentError};
use crate::lang::Lang;
use crate::tr;

/// The folder replies are saved in.
pub const INBOX: &str = "inbox";
/// Where the UIDs already read are remembered.
const SEEN: &str = "seen.json";

/// The mailbox's UIDVALIDITY and the highest UID read in it.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
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

/// Writes a file whole (temporary name, fsync, rename), never through a link.
fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), NotifyError> {
    let tmp = path.with_extension("tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
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

/// Reads the mail that arrived since the last look and records the replies that count.
/// Every new mail is reported, counted or not.
pub async fn check(
    incident: &mut Incident,
    mailbox: &mut Mailbox,
    lang: Lang,
) -> Result<Vec<Found>, NotifyError> {
    let dir = incident.dir().to_path_buf();
    let inbox = dir.join(INBOX);
    match std::fs::create_dir(&inbox) {
        Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => return Err(io(&inbox, e)),
        _ => crate::platform::real_dir(&inbox).map_err(|e| io(&inbox, e))?,
    }
    let mut seen = read_seen(&dir);
    let batch = mailbox
        .fetch_new(seen.last_uid, seen.validity, MAX_REPLY_BYTES)
        .await?;
    let mut found = Vec::new();
    for mail in &batch.mails {
        found.push(take(incident, batch.validity, mail, lang)?);
        seen = Seen {
            validity: Some(batch.validity),
            last_uid: mail.uid,
        };
        let bytes = serde_json::to_vec(&seen).unwrap_or_default();
        write_synced(&inbox.join(SEEN), &bytes)?;
    }
    Ok(found)
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
        statements: None,
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

/// How long to wait before trying a server that could not be reached again; a mailbox
/// without IDLE is looked at this often, one with IDLE is woken by new mail at once.
pub const RETRY: std::time::Duration = std::time::Duration::from_secs(5);

/// Reads the replies to the incident's mail and records those that count: once, or
/// (`watch`) until `report` says to stop, waiting on the server (IMAP IDLE where it offers it)
/// between looks. Every new mail and, when watching, every fault (the server down, a refused
/// login) is reported in words; a watch tries again after [`RETRY`], a single look fails.
/// `report` returns whether to go on.
pub async fn watch(
    incident: &mut Incident,
    imap: &crate::config::ImapConfig,
    lang: Lang,
    watch: bool,
    mut report: impl FnMut(String) -> bool,
) -> Result<(), NotifyError> {
    let mut mailbox: Option<Mailbox> = None;
    loop {
        let looked = async {
            let mut mb = match mailbox.take() {
                Some(mb) => mb,
                None => Mailbox::open(imap).await?,
            };
            let found = check(incident, &mut mb, lang).await;
            Ok::<_, NotifyError>((mb, found?))
        }
        .await;
        match looked {
            Ok((mb, found)) => {
                for f in &found {
                    if !report(f.render(lang)) {
                        mb.close().await;
                        return Ok(());
                    }
                }
                if !watch {
                    if found.is_empty() {
                        report(tr!(lang, "新しいメールはありません", "no new mail"));
                    }
                    mb.close().await;
                    return Ok(());
                }
                match mb.wait(RETRY * 12).await {
                    Ok(mb) => mailbox = Some(mb),
                    Err(e) => {
                        if !report(e.message(lang)) {
                            return Ok(());
                        }
                    }
                }
            }
            Err(e) if watch => {
                let trouble = tr!(
                    lang,
                    "{}（{} 秒後に再試行）",
                    "{} (trying again in {} s)",
                    e.message(lang),
                    RETRY.as_secs()
                );
                if !report(trouble) {
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
