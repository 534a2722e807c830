//! Claims: each message is sent by one process at a time, whichever process sends it (two
//! screens, an `outbox --retry` and a `notify` may all be running on one incident).
//!
//! A claim is a lock on a small file per message (`claims/message-0003.lock` in the incident
//! folder), held from just before the message is sent until its outcome is journalled. The
//! operating system releases it when the process dies, so a killed sender never blocks a
//! message. After taking a claim the sender reads the journal again: a message another process
//! delivered (and journalled) before letting its claim go is then no longer due, and is not
//! sent a second time.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::path::Path;

use super::NotifyError;
use super::outbox::due;
use super::transport::Job;
use crate::incident::{Incident, Refusal};
use crate::lang::io;

/// The folder of the claim files, in the incident folder.
pub const CLAIMS: &str = "claims";

/// This process's right to send one message, until dropped (drop it only once the outcome is
/// journalled, or a second sender could find the message still due).
#[derive(Debug)]
pub struct Claim {
    file: File,
    message: u32,
}

impl Claim {
    /// The message claimed.
    pub fn message(&self) -> u32 {
        self.message
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        let _ = self.file.unlock();
    }
}

/// A message to send, and the claim that lets this process send it.
#[derive(Debug)]
pub struct Claimed {
    /// What to send.
    pub job: Job,
    /// Held until the outcome is journalled.
    pub claim: Claim,
}

/// The messages due now (see [`due`]) that no other process is sending, claimed for this one:
/// a message another process holds is left out (it is being sent), and after claiming, the
/// journal is read again so that a message delivered meanwhile is left out too.
pub fn claim_due(
    incident: &mut Incident,
    in_flight: &HashSet<u32>,
    everything: bool,
    limit: usize,
) -> Result<Vec<Claimed>, NotifyError> {
    let jobs = due(incident, in_flight, everything);
    if jobs.is_empty() {
        return Ok(Vec::new());
    }
    let folder = incident.dir().join(CLAIMS);
    std::fs::create_dir_all(&folder)
        .and_then(|()| crate::platform::real_dir(&folder))
        .map_err(|e| io_error(io::CREATE, &folder, e))?;
    let mut claimed = Vec::new();
    for job in jobs {
        if claimed.len() == limit {
            break;
        }
        if let Some(claim) = try_claim(&folder, job.message)? {
            claimed.push(Claimed { job, claim });
        }
    }
    if claimed.is_empty() {
        return Ok(claimed);
    }
    incident.refresh()?;
    // The claims are let go with `claimed` if nothing may be sent.
    recordable(incident)?;
    let still: HashSet<u32> = due(incident, in_flight, everything)
        .iter()
        .map(|j| j.message)
        .collect();
    claimed.retain(|c| still.contains(&c.job.message));
    Ok(claimed)
}

/// Whether a delivery's outcome could be journalled now, as far as time goes (on the state as
/// last read): an outcome that cannot be journalled leaves its message due, and every later
/// attempt (each retry, each screen opened) would deliver it again, so nothing is sent from a
/// clock the journal would refuse ([`NotifyError::ClockBehind`]).
pub fn recordable(incident: &Incident) -> Result<(), NotifyError> {
    incident.journal_time_ok().map_err(|refusal| match refusal {
        Refusal::EarlierThanJournal { last, at } => NotifyError::ClockBehind { last, at },
        other => NotifyError::Refused(other),
    })
}

/// Waits, up to `wait`, until no other process is sending any of `messages` that is still
/// undelivered, then reads the journal again (what they delivered is on record by then).
/// Returns the messages still being sent elsewhere when the wait ran out. `waiting` is told
/// how many there are before the wait begins, if any.
pub fn wait_for_senders(
    incident: &mut Incident,
    messages: &[u32],
    wait: std::time::Duration,
    waiting: impl FnOnce(usize),
) -> Result<Vec<u32>, NotifyError> {
    let folder = incident.dir().join(CLAIMS);
    let open: Vec<u32> = incident
        .state()
        .undelivered()
        .map(|m| m.number)
        .filter(|n| messages.contains(n))
        .collect();
    if open.is_empty() || !folder.is_dir() {
        return Ok(Vec::new());
    }
    let mut busy = Vec::new();
    for n in open {
        if try_claim(&folder, n)?.is_none() {
            busy.push(n);
        }
    }
    if busy.is_empty() {
        return Ok(busy);
    }
    waiting(busy.len());
    let deadline = std::time::Instant::now() + wait;
    while !busy.is_empty() && std::time::Instant::now() < deadline {
        // A send takes as long as the server does: checking ten times a second is plenty.
        std::thread::sleep(std::time::Duration::from_millis(100));
        let mut still = Vec::new();
        for n in busy {
            if try_claim(&folder, n)?.is_none() {
                still.push(n);
            }
        }
        busy = still;
    }
    incident.refresh()?;
    Ok(busy)
}

/// Claims one message, or `None` if another process holds it.
fn try_claim(folder: &Path, message: u32) -> Result<Option<Claim>, NotifyError> {
    let path = folder.join(format!("message-{message:04}.lock"));
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    let file = crate::platform::open_no_follow(&options, &path)
        .map_err(|e| io_error(io::LOCK, &path, e))?;
    match file.try_lock() {
        Ok(()) => Ok(Some(Claim { file, message })),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(e)) => Err(io_error(io::LOCK, &path, e)),
    }
}

fn io_error(action: crate::lang::Text, path: &Path, source: std::io::Error) -> NotifyError {
    NotifyError::Io(crate::lang::io::FileError::new(
        action,
        path.to_path_buf(),
        source,
    ))
}
