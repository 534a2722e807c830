//! Chat channels: a division's LINE WORKS, Teams or Slack room, or a system that takes a
//! signed JSON POST, told beside its mail.
//!
//! A post is one more message in the same outbox: composed here when a notify step is queued
//! (one per channel that divisions.yaml names for a recipient), saved as the exact JSON posted
//! (`outbox/NNNN-step.json`), journalled as `notification_queued` with `channel` set, claimed,
//! sent, retried and recorded like a mail. [`payload`] renders what each service expects;
//! [`http`] is the only code that speaks HTTP. The URL and the signing secret are read when
//! sending and never written anywhere the incident keeps.

pub mod http;
pub mod payload;

use chrono::{DateTime, FixedOffset};

use super::NotifyError;
use super::compose::{Composed, EXERCISE_PREFIX, incident_token};
use crate::config::{ChannelKind, Config};
use crate::digest::sha256_hex;
use crate::incident::describe::fill;
use crate::incident::witness::id_token;
use crate::incident::{IncidentRecord, Letter, files};
use crate::playbook::{Notify, StepIx};

pub use http::Channels;

/// The first line of a drill's post, after the 【訓練】 title.
pub const EXERCISE_LINE: &str =
    "【訓練】これは訓練（机上訓練）の投稿です。実際の事案ではありません。";

/// What a post says, whichever service renders it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Post {
    /// The key a receiver uses to drop a repeat: the same for every attempt of one message.
    pub key: String,
    /// The message number in the incident.
    pub message: u32,
    /// The incident's id and title.
    pub incident: (String, String),
    /// A drill: marked 【訓練】.
    pub exercise: bool,
    /// The notify step's id and title.
    pub step: (String, String),
    /// The division or role it is for.
    pub to: String,
    /// The channel's name in hikeshi.toml.
    pub channel: String,
    /// The step's subject, filled in (【訓練】 first in a drill).
    pub title: String,
    /// The step's body, filled in (a drill's line first).
    pub text: String,
    /// What the reader is asked to do.
    pub asked: String,
    /// When it was composed.
    pub at: DateTime<FixedOffset>,
    /// The journal's head when it was composed (seq, SHA-256): a witness, as in mail.
    pub journal: (u64, String),
}

/// What the reader is asked: to confirm within the step's time, else to read it; the mail
/// with the same content is named, since a chat room is not where a reply is recorded.
fn asked(notify: &Notify, operator: &str) -> String {
    match notify.ack_within {
        Some(within) => {
            let within = crate::playbook::duration::format_duration(within, crate::Lang::Ja);
            format!(
                "内容を確認し、{within}以内に確認した旨を送信者（{operator}）に連絡してください（同じ内容をメールでも送っています。メールへの返信でも構いません）。"
            )
        }
        None => "内容を確認してください（同じ内容をメールでも送っています）。".to_string(),
    }
}

/// The posts of a notify step for `recipients` (in their order, then their channels' order),
/// numbered from `first`. A channel that hikeshi.toml does not define is an error before
/// anything is queued: its kind, and so the payload, would be unknown.
pub fn compose_posts(
    record: &IncidentRecord,
    ix: StepIx,
    notify: &Notify,
    recipients: &[String],
    config: &Config,
    now: DateTime<FixedOffset>,
    first: u32,
) -> Result<Vec<Composed>, NotifyError> {
    let state = &record.state;
    let step = record.playbook.graph.step(ix);
    let step_id = step.map(|s| s.id.clone()).unwrap_or_default();
    let step_title = step.map(|s| s.title.clone()).unwrap_or_default();
    let token = incident_token(record);
    let mut out = Vec::new();
    let mut number = first;
    let mut holders: Vec<&str> = Vec::new();
    for name in recipients {
        let Some(party) = record.directory.party(name) else {
            return Err(NotifyError::UnknownRecipient { name: name.clone() });
        };
        // A division playing two parts named here gets its channels' posts once.
        if holders.contains(&party.id()) {
            continue;
        }
        holders.push(party.id());
        for channel in party.channels() {
            let kind = config
                .channels
                .get(channel)
                .map(|c| c.kind)
                .ok_or_else(|| NotifyError::UnknownChannel {
                    channel: channel.clone(),
                    division: name.clone(),
                })?;
            let mut title = fill(&notify.subject, record, ix, now, Some(party.id()));
            let mut text = fill(&notify.body, record, ix, now, Some(party.id()));
            // The same rules as a mail's: a title is one line, a text has no control
            // characters but line breaks and tabs.
            super::compose::header_safe("the subject", &title)?;
            super::compose::body_safe("the body", &text)?;
            if state.exercise {
                if !title.starts_with(EXERCISE_PREFIX) {
                    title = format!("{EXERCISE_PREFIX}{title}");
                }
                text = format!("{EXERCISE_LINE}\n\n{text}");
            }
            let post = Post {
                key: format!("hikeshi.{}.{number}.{token}", id_token(&record.id)),
                message: number,
                incident: (record.id.clone(), state.title.clone()),
                exercise: state.exercise,
                step: (step_id.clone(), step_title.clone()),
                to: name.clone(),
                channel: channel.clone(),
                title: title.clone(),
                text: text.trim_end().to_string(),
                asked: asked(notify, &state.operator),
                at: now,
                journal: (record.entries, record.head.clone()),
            };
            let bytes = payload::render(kind, &post);
            out.push(Composed {
                number,
                letter: Letter {
                    to: name.clone(),
                    address: format!("{}:{channel}", kind.as_str()),
                    subject: title,
                    file: format!("{}/{number:04}-{step_id}.json", files::OUTBOX),
                    sha256: sha256_hex(&bytes),
                    message_id: post.key.clone(),
                    reply_code: None,
                    channel: Some(channel.clone()),
                    also: Vec::new(),
                    approval: None,
                    answers: None,
                },
                body: post.text,
                bytes,
            });
            number += 1;
        }
    }
    Ok(out)
}

/// The kind a post was composed for, from its recorded address (`teams:koho-room`).
pub fn kind_of(address: &str) -> Option<ChannelKind> {
    address
        .split_once(':')
        .and_then(|(kind, _)| ChannelKind::from_word(kind))
}
