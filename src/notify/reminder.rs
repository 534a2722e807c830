//! Reminders outside an incident (the account register's review after a 人事異動): each is
//! composed once, saved in `reminders/outbox/`, delivered like an incident's message (SMTP,
//! else the saved file is the delivery) and recorded in `reminders/sent.jsonl`, fsync'd. A
//! reminder carries one key per thing it asks about; it goes when one of them was in no
//! reminder sent, and never again for the same keys; one that failed is tried again on the
//! next run. Each attempt is recorded before it is made: a run cut off inside one leaves it
//! marked, and the next run reports it rather than send it a second time.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};
use lettre::Message;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use serde::{Deserialize, Serialize};

use super::NotifyError;
use super::compose::{body_safe, header_safe, mailbox};
use super::transport::{Job, Outcome, Transport};
use crate::clock::jst;
use crate::config::Config;
use crate::digest::sha256_hex;

/// The record of reminders, in the reminders folder.
pub const RECORD: &str = "sent.jsonl";
/// The outbox of reminders, in the reminders folder.
pub const OUTBOX: &str = "outbox";

/// A reminder to send: to whom, what, and the keys that make it once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderLetter {
    /// What it asks about, a key each (e.g. an account due after a 人事異動): it is sent
    /// when one of them was in no reminder sent.
    pub keys: Vec<String>,
    /// The recipient's name (a division).
    pub to: String,
    /// Its address.
    pub address: String,
    /// The subject.
    pub subject: String,
    /// The body.
    pub body: String,
}

/// One line of `sent.jsonl`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReminderRecord {
    /// The reminder's keys.
    pub keys: Vec<String>,
    /// The recipient.
    pub to: String,
    /// Its address.
    pub address: String,
    /// The saved message, relative to the reminders folder.
    pub file: String,
    /// Its SHA-256.
    pub sha256: String,
    /// When it was tried.
    pub at: DateTime<FixedOffset>,
    /// Whether it left: `Some(true)` sent (or saved, with no SMTP), `Some(false)` failed,
    /// `None` about to be delivered (recorded before the attempt, so that a crash during it
    /// never sends it twice).
    pub sent: Option<bool>,
    /// `smtp` or `file`.
    pub transport: Option<String>,
    /// The server's answer, or why it failed.
    pub detail: String,
}

/// What became of one reminder on this run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReminderOutcome {
    /// Sent before: not sent again.
    AlreadySent(ReminderRecord),
    /// A run stopped while delivering it (a crash, a power cut): it may have left, so it is
    /// not sent again; its saved message is named for someone to check.
    Interrupted(ReminderRecord),
    /// Tried now.
    Tried(ReminderRecord),
}

/// The reminders recorded in `dir`, in order (a line that cannot be read is skipped: the
/// file is appended only by this module).
pub fn recorded(dir: &Path) -> Result<Vec<ReminderRecord>, NotifyError> {
    read_record(dir).map(|(records, _)| records)
}

/// The records, and whether the file's last line is torn (a crash inside an append).
fn read_record(dir: &Path) -> Result<(Vec<ReminderRecord>, bool), NotifyError> {
    let path = dir.join(RECORD);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), false)),
        Err(e) => return Err(io(crate::lang::io::READ, &path, e)),
    };
    let torn = !text.is_empty() && !text.ends_with('\n');
    let records = text
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    Ok((records, torn))
}

fn io(action: crate::lang::Text, path: &Path, e: std::io::Error) -> NotifyError {
    NotifyError::Io(crate::lang::io::FileError::new(action, path, e))
}

/// Sends each reminder not sent before, in order; records every attempt.
pub async fn send(
    dir: &Path,
    letters: &[ReminderLetter],
    transport: &Transport,
    config: &Config,
    organization: &str,
    now: DateTime<FixedOffset>,
) -> Result<Vec<ReminderOutcome>, NotifyError> {
    let outbox = dir.join(OUTBOX);
    std::fs::create_dir_all(&outbox).map_err(|e| io(crate::lang::io::CREATE, &outbox, e))?;
    let (mut records, mut torn) = read_record(dir)?;
    let mut out = Vec::new();
    for letter in letters {
        let sent_with = |key: &String| {
            records
                .iter()
                .rev()
                .find(|r| r.sent == Some(true) && r.keys.contains(key))
        };
        let new: Vec<&String> = letter
            .keys
            .iter()
            .filter(|k| sent_with(k).is_none())
            .collect();
        if new.is_empty() {
            if let Some(done) = letter.keys.iter().find_map(sent_with) {
                out.push(ReminderOutcome::AlreadySent(done.clone()));
            }
            continue;
        }
        // A key whose last record is an attempt with no outcome: a run stopped inside it,
        // and it may have arrived. Only when every new key is such is the letter held back:
        // something else new (an account due since) still goes.
        let interrupted = |key: &&String| {
            records
                .iter()
                .rev()
                .find(|r| r.keys.contains(*key))
                .filter(|r| r.sent.is_none())
        };
        if new.iter().all(|k| interrupted(k).is_some())
            && let Some(last) = new.iter().find_map(interrupted)
        {
            out.push(ReminderOutcome::Interrupted(last.clone()));
            continue;
        }
        let number = next_number(&outbox)?;
        let (bytes, message_id) = compose(letter, config, organization, number, now)?;
        let date = now.with_timezone(&jst()).format("%Y%m%d");
        let file = format!("{OUTBOX}/{date}-{number:04}.eml");
        let path = dir.join(&file);
        write_new(&path, &bytes)?;
        let sha256 = sha256_hex(&bytes);
        let attempt = ReminderRecord {
            keys: letter.keys.clone(),
            to: letter.to.clone(),
            address: letter.address.clone(),
            file: file.clone(),
            sha256: sha256.clone(),
            at: now,
            sent: None,
            transport: None,
            detail: String::new(),
        };
        append(dir, &attempt, std::mem::take(&mut torn))?;
        records.push(attempt);
        let job = Job {
            message: number,
            address: letter.address.clone(),
            path: path.clone(),
            file: file.clone(),
            sha256: sha256.clone(),
            channel: None,
            key: message_id,
        };
        let (sent, transport_kind, detail) = match transport.deliver(&job).await {
            Outcome::Sent {
                transport, reply, ..
            } => (Some(true), Some(transport.to_string()), reply),
            Outcome::Failed { error, .. } => (Some(false), None, error),
        };
        let record = ReminderRecord {
            keys: letter.keys.clone(),
            to: letter.to.clone(),
            address: letter.address.clone(),
            file,
            sha256,
            at: now,
            sent,
            transport: transport_kind,
            detail,
        };
        append(dir, &record, false)?;
        records.push(record.clone());
        out.push(ReminderOutcome::Tried(record));
    }
    Ok(out)
}

/// The next message number: one past the highest saved in the outbox (numbers are never
/// reused, whatever the record says).
fn next_number(outbox: &Path) -> Result<u32, NotifyError> {
    let entries = std::fs::read_dir(outbox).map_err(|e| io(crate::lang::io::READ, outbox, e))?;
    let highest = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().to_string();
            let stem = name.strip_suffix(".eml")?;
            stem.rsplit('-').next()?.parse::<u32>().ok()
        })
        .max()
        .unwrap_or(0);
    Ok(highest.saturating_add(1))
}

/// Writes a new file and fsyncs it (a reminder's message is never overwritten).
fn write_new(path: &Path, bytes: &[u8]) -> Result<(), NotifyError> {
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| io(crate::lang::io::SAVE_MESSAGE, path, e))?;
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .map_err(|e| io(crate::lang::io::SAVE_MESSAGE, path, e))
}

/// Appends one record and fsyncs it; a line `torn` by a crash (as read at the start) is
/// ended first, so this record stands on a line of its own.
fn append(dir: &Path, record: &ReminderRecord, torn: bool) -> Result<(), NotifyError> {
    let path: PathBuf = dir.join(RECORD);
    let line = serde_json::to_string(record).map_err(|e| NotifyError::Compose(e.to_string()))?;
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(|e| io(crate::lang::io::OPEN, &path, e))?;
    let lead = if torn { "\n" } else { "" };
    f.write_all(format!("{lead}{line}\n").as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(|e| io(crate::lang::io::WRITE, &path, e))
}

/// The message as saved and sent, and its Message-ID.
fn compose(
    letter: &ReminderLetter,
    config: &Config,
    organization: &str,
    number: u32,
    now: DateTime<FixedOffset>,
) -> Result<(Vec<u8>, String), NotifyError> {
    header_safe("the subject", &letter.subject)?;
    body_safe("the body", &letter.body)?;
    let from_address = config.from_address();
    let from_name = config
        .mail
        .from_name
        .clone()
        .unwrap_or_else(|| format!("{organization}（hikeshi）"));
    let domain = from_address
        .rsplit_once('@')
        .map_or("localhost", |(_, d)| d);
    let message_id = format!(
        "hikeshi.reminder.{}.{number}@{domain}",
        now.with_timezone(&jst()).format("%Y%m%d%H%M%S")
    );
    let mut message = Message::builder()
        .from(mailbox("the sender", &from_name, from_address)?)
        .to(mailbox("the recipient", &letter.to, &letter.address)?)
        .subject(letter.subject.as_str())
        .message_id(Some(format!("<{message_id}>")))
        .header(ContentType::TEXT_PLAIN)
        .body(letter.body.clone())
        .map_err(|e| NotifyError::Compose(e.to_string()))?;
    let headers = message.headers_mut();
    headers.insert_raw(HeaderValue::new(
        HeaderName::new_from_ascii_str("Date"),
        now.with_timezone(&jst()).to_rfc2822(),
    ));
    // RFC 2045 §4: without it a receiver may ignore the MIME headers.
    headers.insert_raw(HeaderValue::new(
        HeaderName::new_from_ascii_str("MIME-Version"),
        "1.0".to_string(),
    ));
    headers.insert_raw(HeaderValue::new(
        HeaderName::new_from_ascii_str("Auto-Submitted"),
        "auto-generated".to_string(),
    ));
    Ok((message.formatted(), message_id))
}
