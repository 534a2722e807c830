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
use crate::config::Config;
use crate::incident::event::{Event, Verdict};
use crate::incident::{Command, Incident, IncidentError, Refusal};
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

/// What became of one new mail (or of a held reply taken up again).
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
    config: &Config,
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
    // Replies held for a step that was not ready may count now.
    let mut found = take_held(incident, config, lang)?;
    for mail in &batch.mails {
        found.push(take(incident, batch.validity, mail, config, lang)?);
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
    config: &Config,
    lang: Lang,
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
    settle(recorded, lang).map(|f| f.unwrap_or_else(unmatched))
}

/// Takes up the held replies again: those whose step can now be approved are counted (or
/// counted as nothing, and answered); the others keep waiting, silently.
fn take_held(
    incident: &mut Incident,
    config: &Config,
    lang: Lang,
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
        };
        let recorded =
            super::outbox::record_reply(incident, &name, command, |_| Ok(()), config, lang);
        match recorded {
            Err(NotifyError::Refused(Refusal::ReplyStillHeld { .. }))
            | Err(NotifyError::Incident(IncidentError::Refused(Refusal::ReplyStillHeld {
                ..
            }))) => {}
            other => {
                if let Ok(f) = settle(other, lang)? {
                    found.push(f);
                }
            }
        }
    }
    Ok(found)
}

/// What a recorded reply became, from the events written; a refusal as its words (`Err`
/// inside). A refusal that may pass (the clock behind the journal's) is an error, so that
/// the mail is read again at the next look rather than marked as read.
fn settle(
    recorded: Result<super::outbox::RecordedReply, NotifyError>,
    lang: Lang,
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
    config: &Config,
    lang: Lang,
    watch: bool,
    deliver: Option<&super::Transport>,
    mut report: impl FnMut(String) -> bool,
) -> Result<(), NotifyError> {
    let imap = config
        .imap
        .as_ref()
        .ok_or(super::imap::ImapError::NotConfigured)?;
    let mut mailbox: Option<Mailbox> = None;
    loop {
        let looked = async {
            let mut mb = match mailbox.take() {
                Some(mb) => mb,
                None => Mailbox::open(imap).await?,
            };
            let found = check(incident, &mut mb, config, lang).await;
            Ok::<_, NotifyError>((mb, found?))
        }
        .await;
        match looked {
            Ok((mb, found)) => {
                let mut lines: Vec<String> = found.iter().map(|f| f.render(lang)).collect();
                // The answers to replies that counted nothing go out at once (a screen's own
                // mail worker sends them there).
                let answered = found
                    .iter()
                    .any(|f| matches!(f, Found::NotCounted { answer: Ok(_), .. }));
                if let Some(transport) = deliver.filter(|_| answered) {
                    lines.extend(deliver_due(incident, transport, lang).await?);
                }
                for line in lines {
                    if !report(line) {
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

/// Sends the messages due now (the answers just queued among them) and journals each
/// outcome; one line per outcome.
async fn deliver_due(
    incident: &mut Incident,
    transport: &super::Transport,
    lang: Lang,
) -> Result<Vec<String>, NotifyError> {
    let claimed = super::claim_due(
        incident,
        &std::collections::HashSet::new(),
        false,
        usize::MAX,
    )?;
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

/// Watches the mailbox for an open screen, on a thread of its own with its own hold on the
/// incident (the journal takes several writers: the screen shows the replies recorded as it
/// shows anyone else's acts). The lines it reports arrive on the receiver; the watch ends
/// when the receiver is dropped (at the latest at its next report).
pub fn watch_in_background(
    dir: &Path,
    config: Config,
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
            let looked =
                runtime.block_on(watch(&mut incident, &config, lang, true, None, |line| {
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
