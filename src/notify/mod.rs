//! Notifications: every division told, every message accounted for.
//!
//! A notify step's messages are composed ([`compose`]), saved as .eml files in the incident's
//! `outbox/` and journalled as `notification_queued`; a worker delivers them through a
//! [`Transport`] (the outbox itself by default, SMTP with `[smtp]` in `hikeshi.toml`) and each
//! outcome is journalled as `notification_sent` or `notification_failed`. The engine
//! completes the step once every message is delivered. Nothing here changes state except
//! through [`crate::incident::Incident::execute`].

pub mod channel;
pub mod claim;
pub mod compose;
pub mod imap;
pub mod inbox;
pub mod outbox;
pub mod reading;
pub mod reminder;
pub mod reply;
pub mod tls;
pub mod transport;

pub use crate::config::{Charset, Config, MailConfig, SmtpConfig, TlsMode};
pub use claim::{Claim, Claimed, claim_due};
pub use compose::{
    Composed, EXERCISE_HEADER, EXERCISE_PREFIX, compose_approval_request, compose_step,
};
pub use outbox::{
    OutboxReport, Queued, due, queue, record, record_as, request_approval, retry_delay,
};
pub use transport::{Job, Outcome, Transport};

use crate::incident::{IncidentError, Refusal};
use crate::lang::Lang;
use crate::tr;

/// The actor recorded for what the delivery worker journals.
pub const WORKER: &str = "hikeshi";

/// Something went wrong composing, queueing or configuring mail. A failed delivery is not an
/// error: it is an [`Outcome::Failed`], journalled and retried.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    /// The engine refused (e.g. the step is not ready, or not a notify step).
    Refused(Refusal),
    /// The incident could not be read or written.
    #[error(transparent)]
    Incident(IncidentError),
    /// The `[imap]` mailbox could not be read.
    #[error(transparent)]
    Imap(#[from] imap::ImapError),
    /// `hikeshi.toml` cannot be read or does not parse.
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    /// A file could not be read or written.
    Io(#[from] crate::lang::io::FileError),
    /// A login over an unencrypted connection to another machine would send the password in
    /// clear text.
    PlaintextLogin {
        /// The server.
        host: String,
    },
    /// The variable that should hold the SMTP password is not set.
    Password {
        /// The variable named by `password_env`.
        variable: String,
    },
    /// The TLS settings (CA file) are unusable.
    Tls {
        /// Why.
        reason: String,
    },
    /// A value that goes into a header holds a line break or control character.
    ControlCharacter {
        /// Which value.
        what: String,
        /// The value, escaped.
        value: String,
        /// The character.
        character: String,
    },
    /// An address that does not parse.
    BadAddress {
        /// Whose address.
        what: String,
        /// The address.
        address: String,
        /// Why.
        reason: String,
    },
    /// A recipient missing from the frozen divisions file.
    UnknownRecipient {
        /// The name.
        name: String,
    },
    /// divisions.yaml names a channel that hikeshi.toml does not define.
    UnknownChannel {
        /// The channel's name.
        channel: String,
        /// The division or role that names it.
        division: String,
    },
    /// lettre could not build the message.
    Compose(String),
    /// This computer's clock is behind the journal's last event by more than the journal
    /// allows: a delivery's outcome could not be recorded, so nothing is sent.
    ClockBehind {
        /// The journal's last event's time.
        last: chrono::DateTime<chrono::FixedOffset>,
        /// The time on this computer.
        at: chrono::DateTime<chrono::FixedOffset>,
    },
}

/// The English of [`NotifyError::message`]: each failure's text is written once.
impl std::fmt::Display for NotifyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(crate::Lang::En))
    }
}

/// A refusal arrives one way only, as [`NotifyError::Refused`], whether the engine refused
/// directly or through the incident that applied the command.
impl From<IncidentError> for NotifyError {
    fn from(error: IncidentError) -> Self {
        match error {
            IncidentError::Refused(refusal) => NotifyError::Refused(refusal),
            other => NotifyError::Incident(other),
        }
    }
}

/// How far `at` is behind `last`, in words ("10 分", "1 h 5 min").
fn behind(
    last: chrono::DateTime<chrono::FixedOffset>,
    at: chrono::DateTime<chrono::FixedOffset>,
    lang: Lang,
) -> String {
    let seconds = (last - at).num_seconds().max(0);
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    let mut parts = Vec::new();
    if h > 0 {
        parts.push(tr!(lang, "{h} 時間", "{h} h"));
    }
    if m > 0 {
        parts.push(tr!(lang, "{m} 分", "{m} min"));
    }
    if s > 0 || parts.is_empty() {
        parts.push(tr!(lang, "{s} 秒", "{s} s"));
    }
    parts.join(" ")
}

impl NotifyError {
    /// The refusal it is, however wrapped: a face renders it with its own fixes.
    pub fn refusal(&self) -> Option<&Refusal> {
        match self {
            NotifyError::Refused(r) => Some(r),
            NotifyError::Incident(e) => e.refusal(),
            _ => None,
        }
    }

    /// The message in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            NotifyError::Refused(r) => r.message(lang),
            NotifyError::Incident(e) => e.message(lang),
            NotifyError::Config(e) => e.message(lang),
            NotifyError::Io(e) => e.message(lang),
            NotifyError::PlaintextLogin { host } => tr!(
                lang,
                "[smtp] で tls = \"none\" のまま username が設定されています（{host}）。パスワードが暗号化されずに送られるため、starttls か tls を使ってください（none は同じ機械の中継サーバー用です）",
                "[smtp] username is set with tls = \"none\" for {host}: the password would cross the network unencrypted; use starttls or tls (none is only for a relay on this machine)"
            ),
            NotifyError::Password { variable } => tr!(
                lang,
                "SMTP のパスワードが設定されていません。環境変数 {variable} に設定してください（hikeshi.toml にパスワードは書きません）",
                "the SMTP password is not set: put it in the environment variable {variable}"
            ),
            NotifyError::Tls { reason } => {
                tr!(lang, "TLS の設定が使えません: {reason}", "TLS: {reason}")
            }
            NotifyError::ControlCharacter {
                what,
                value,
                character,
            } => tr!(
                lang,
                "{what} に改行などの制御文字（{character}）が含まれるため、メールのヘッダーに使えません: \"{value}\"",
                "{what} contains a control character ({character}) and cannot go into a mail header: \"{value}\""
            ),
            NotifyError::BadAddress {
                what,
                address,
                reason,
            } => {
                // Never echoed raw: a value from hikeshi.toml may hold a CR, LF or escape.
                let (what, address, reason) = (
                    crate::text::shown(what),
                    crate::text::shown(address),
                    crate::text::shown(reason),
                );
                tr!(
                    lang,
                    "{what}: `{address}` はメールアドレスとして正しくありません",
                    "{what}: `{address}` is not a valid mail address ({reason})"
                )
            }
            NotifyError::UnknownRecipient { name } => tr!(
                lang,
                "`{name}` は事案の divisions.yaml にありません",
                "`{name}` is not in the incident's divisions.yaml"
            ),
            NotifyError::Imap(e) => e.message(lang),
            NotifyError::UnknownChannel { channel, division } => tr!(
                lang,
                "divisions.yaml で {division} にチャンネル {channel} が指定されていますが、hikeshi.toml に [channels.{channel}] がありません",
                "{division} is to get posts in the channel {channel}, but hikeshi.toml has no [channels.{channel}]"
            ),
            NotifyError::Compose(reason) => tr!(
                lang,
                "メールを作成できません: {reason}",
                "cannot compose the message: {reason}"
            ),
            NotifyError::ClockBehind { last, at } => {
                let (diff, last, at) = (
                    behind(*last, *at, lang),
                    crate::clock::format_jst(*last, true),
                    crate::clock::format_jst(*at, true),
                );
                tr!(
                    lang,
                    "この PC の時計が記録より {diff} 遅れているため送信しません（この PC {at}、記録の最後 {last}）。送信しても結果を記録できず、後で何度も送り直されるためです。この PC の時計を合わせるか、時計の正しい PC から送信してください（時刻の逆行として記録してよければ --allow-earlier-time）",
                    "this computer's clock is {diff} behind the journal, so nothing is sent (here {at}, the journal's last event {last}): the outcome could not be recorded, and the message would be sent again and again; set this computer's clock or send from a computer whose clock is right (or give --allow-earlier-time to record the time running backwards)"
                )
            }
        }
    }
}

/// At most this many messages are sent at once: the size of the SMTP connection pool, and
/// the number of deliveries the screen keeps under way.
pub const CONCURRENT_SENDS: usize = 8;

/// Delivers claimed jobs, up to [`CONCURRENT_SENDS`] at a time over the transport's pooled
/// connections, handing each outcome to `each` with its claim as soon as it is known: `each`
/// journals it and then lets the claim go (so it is journalled before the next one finishes,
/// and an interruption repeats as few messages as possible).
pub async fn deliver_each(
    transport: &Transport,
    claimed: Vec<Claimed>,
    mut each: impl FnMut(Outcome, Claim),
) {
    use futures_util::StreamExt as _;
    let mut outcomes = futures_util::stream::iter(claimed)
        .map(|Claimed { job, claim }| async move { (transport.deliver(&job).await, claim) })
        .buffer_unordered(CONCURRENT_SENDS);
    while let Some((outcome, claim)) = outcomes.next().await {
        each(outcome, claim);
    }
}
