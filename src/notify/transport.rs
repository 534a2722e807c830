//! Transports: the outbox folder (the embedded default), SMTP (lettre on tokio, rustls, one
//! pooled connection shared by every send) and chat channels (`channel::http`). The only
//! module that knows SMTP.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::transport::smtp::{AsyncSmtpTransport, AsyncSmtpTransportBuilder, PoolConfig};
use lettre::{AsyncTransport as _, Tokio1Executor};

use super::NotifyError;
use super::channel::Channels;
use crate::config::{Config, SmtpConfig, TlsMode};
use crate::digest::sha256_hex;

/// One message to deliver: its number, recipient and saved .eml file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// The message number.
    pub message: u32,
    /// The recipient's address.
    pub address: String,
    /// The .eml file (absolute, or relative to where hikeshi runs).
    pub path: PathBuf,
    /// The .eml file relative to the incident folder, as recorded.
    pub file: String,
    /// The SHA-256 recorded when it was queued.
    pub sha256: String,
    /// A chat post: the channel's name (`address` is then `kind:name`).
    pub channel: Option<String>,
    /// Its `Message-ID`, or a post's idempotency key.
    pub key: String,
}

/// What a delivery attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Delivered, with the server's reply (or where the file is).
    Sent {
        /// The message number.
        message: u32,
        /// `smtp`, `file`, or a channel's kind (`teams`).
        transport: &'static str,
        /// The server's reply.
        reply: String,
    },
    /// Not delivered.
    Failed {
        /// The message number.
        message: u32,
        /// Why.
        error: String,
        /// A permanent refusal (5xx, a rejected login, a certificate that does not verify, a
        /// changed file): retried only when the operator asks.
        permanent: bool,
        /// How long the service asked to wait before the next attempt (`Retry-After`).
        retry_after: Option<Duration>,
    },
}

impl Outcome {
    /// The message it is about.
    pub fn message(&self) -> u32 {
        match self {
            Outcome::Sent { message, .. } | Outcome::Failed { message, .. } => *message,
        }
    }
}

/// How messages leave: written to the outbox only, or sent over SMTP and to chat channels.
#[derive(Clone, Default)]
pub enum Transport {
    /// The file in `outbox/` is the delivery (no setup, nothing to lose).
    #[default]
    File,
    /// Mail over SMTP (else to the outbox) and posts to the channels (else to the outbox).
    Live(Box<Live>),
}

/// Where messages leave the machine for.
#[derive(Clone, Debug)]
pub struct Live {
    smtp: Option<Smtp>,
    channels: Option<Channels>,
}

impl std::fmt::Debug for Smtp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Smtp({}:{})", self.host, self.port)
    }
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Transport::File => f.write_str("Transport::File"),
            Transport::Live(live) => write!(f, "Transport::{live:?}"),
        }
    }
}

/// An SMTP server and a pool of connections to it. Cloning shares the pool.
#[derive(Clone)]
pub struct Smtp {
    builder: AsyncSmtpTransportBuilder,
    pool: Arc<Pool>,
    from: lettre::Address,
    host: String,
    port: u16,
}

/// lettre's pooled transport spawns tokio tasks when it is built and when it is dropped, so
/// it is built on first use (inside the runtime that sends) and, if dropped outside any
/// runtime (the screen's runtime ends before the screen's state does), dropped inside a
/// throwaway one.
#[derive(Default)]
struct Pool(OnceLock<AsyncSmtpTransport<Tokio1Executor>>);

impl Drop for Pool {
    fn drop(&mut self) {
        let Some(transport) = self.0.take() else {
            return;
        };
        if tokio::runtime::Handle::try_current().is_ok() {
            drop(transport);
        } else if let Ok(runtime) = tokio::runtime::Builder::new_current_thread().build() {
            let _context = runtime.enter();
            drop(transport);
        } else {
            // No runtime can be made: let the process close the sockets.
            std::mem::forget(transport);
        }
    }
}

impl Transport {
    /// The transport the config asks for: SMTP with an `[smtp]` table, else the outbox.
    /// Reads the password from the variable `password_env` names and the CA file now, so a
    /// mistake is reported before any message is queued.
    pub fn from_config(config: &Config) -> Result<Transport, NotifyError> {
        let smtp = config.smtp.as_ref().map(Smtp::new).transpose()?;
        let channels = Channels::new(config).map_err(|e| NotifyError::Tls { reason: e.0 })?;
        if smtp.is_none() && channels.is_none() {
            return Ok(Transport::File);
        }
        Ok(Transport::Live(Box::new(Live { smtp, channels })))
    }

    /// The same, with every chat post kept in the outbox.
    fn without_channels(self) -> Transport {
        match self {
            Transport::Live(live) if live.smtp.is_some() => Transport::Live(Box::new(Live {
                smtp: live.smtp,
                channels: None,
            })),
            _ => Transport::File,
        }
    }

    /// Where an incident's messages go: as `config` says, except that a scenario exercise
    /// begun without `--live` only ever writes to its outbox (a drill must not reach real
    /// inboxes because someone ran `notify` or `outbox --retry` on it), and a drill's chat
    /// posts stay in the outbox unless its exercise was begun with `--live`.
    pub fn for_incident(
        state: &crate::incident::IncidentState,
        config: &Config,
    ) -> Result<Transport, NotifyError> {
        let live = state.run.as_ref().map(|r| r.live_mail);
        if live == Some(false) {
            return Ok(Transport::File);
        }
        let transport = Transport::from_config(config)?;
        Ok(if state.exercise && live != Some(true) {
            transport.without_channels()
        } else {
            transport
        })
    }

    fn smtp(&self) -> Option<&Smtp> {
        match self {
            Transport::File => None,
            Transport::Live(live) => live.smtp.as_ref(),
        }
    }

    fn channels(&self) -> Option<&Channels> {
        match self {
            Transport::File => None,
            Transport::Live(live) => live.channels.as_ref(),
        }
    }

    /// How mail leaves: `smtp` or `file`.
    pub fn kind(&self) -> &'static str {
        match self.smtp() {
            Some(_) => "smtp",
            None => "file",
        }
    }

    /// Where messages go, for people: `outbox/` or `smtp.example.jp:587`, and the channels
    /// posts go to (`+ koho-teams, bousai-lw`).
    pub fn describe(&self) -> String {
        let mail = match self.smtp() {
            None => crate::incident::files::outbox_shown(),
            Some(s) => format!("{}:{}", s.host, s.port),
        };
        let names: Vec<String> = self
            .channels()
            .map(|c| c.names().cloned().collect())
            .unwrap_or_default();
        crate::config::with_channels(mail, names.iter())
    }

    /// Delivers one message. The .eml must still have the SHA-256 recorded when it was
    /// queued: the message sent is exactly the message saved.
    pub async fn deliver(&self, job: &Job) -> Outcome {
        let failed = |error: String, permanent: bool| Outcome::Failed {
            message: job.message,
            error,
            permanent,
            retry_after: None,
        };
        let bytes = match std::fs::read(&job.path) {
            Ok(b) => b,
            Err(e) => return failed(format!("cannot read {}: {e}", job.file), true),
        };
        if sha256_hex(&bytes) != job.sha256 {
            return failed(
                format!(
                    "{} was changed after it was queued (its SHA-256 differs from the record)",
                    job.file
                ),
                true,
            );
        }
        let sent = |transport: &'static str, reply: String| Outcome::Sent {
            message: job.message,
            transport,
            reply,
        };
        let in_outbox = || sent("file", crate::incident::files::shown(&job.file));
        match (&job.channel, self.smtp(), self.channels()) {
            (Some(name), _, Some(channels)) => {
                let kind = super::channel::kind_of(&job.address);
                match channels.post(name, kind, &job.key, bytes).await {
                    Ok(reply) => sent(kind.map_or("http", |k| k.as_str()), reply),
                    Err(e) => Outcome::Failed {
                        message: job.message,
                        error: e.text,
                        permanent: e.permanent,
                        retry_after: e.retry_after,
                    },
                }
            }
            (Some(_), _, None) | (None, None, _) => in_outbox(),
            (None, Some(smtp), _) => match smtp.send(&job.address, &bytes).await {
                Ok(reply) => sent("smtp", reply),
                Err(e) => failed(e.0, e.1),
            },
        }
    }
}

/// Why a send failed, and whether it is permanent.
struct SendError(String, bool);

impl Smtp {
    fn new(config: &SmtpConfig) -> Result<Smtp, NotifyError> {
        let port = config.port();
        let tls = match config.tls {
            TlsMode::None => Tls::None,
            mode => {
                let mut params = TlsParameters::builder(config.host.clone());
                if let Some(ca) = &config.ca_file {
                    params = params.add_root_certificate(read_ca(ca)?);
                }
                let params = params.build_rustls().map_err(|e| NotifyError::Tls {
                    reason: e.to_string(),
                })?;
                match mode {
                    TlsMode::Tls => Tls::Wrapper(params),
                    _ => Tls::Required(params),
                }
            }
        };
        let from = config
            .from
            .parse::<lettre::Address>()
            .map_err(|e| NotifyError::BadAddress {
                what: "[smtp] from".into(),
                address: config.from.clone(),
                reason: e.to_string(),
            })?;
        let timeout = Duration::from_secs(config.timeout_secs.unwrap_or(30).max(1));
        // The host is checked against the certificate (rustls) unless tls = "none".
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host)
            .port(port)
            .tls(tls)
            .timeout(Some(timeout))
            .pool_config(PoolConfig::new().max_size(super::CONCURRENT_SENDS as u32));
        let loopback = matches!(config.host.as_str(), "localhost" | "127.0.0.1" | "::1");
        if config.username.is_some() && config.tls == TlsMode::None && !loopback {
            return Err(NotifyError::PlaintextLogin {
                host: config.host.clone(),
            });
        }
        if let Some(user) = &config.username {
            let var = config
                .password_env
                .clone()
                .unwrap_or_else(|| "HIKESHI_SMTP_PASSWORD".into());
            let password = std::env::var(&var)
                .ok()
                .filter(|p| !p.is_empty())
                .ok_or(NotifyError::Password { variable: var })?;
            builder = builder.credentials(Credentials::new(user.clone(), password));
        }
        Ok(Smtp {
            builder,
            pool: Arc::new(Pool::default()),
            from,
            host: config.host.clone(),
            port,
        })
    }

    async fn send(&self, to: &str, bytes: &[u8]) -> Result<String, SendError> {
        let to = to
            .parse::<lettre::Address>()
            .map_err(|e| SendError(format!("bad address {to}: {e}"), true))?;
        let envelope = Envelope::new(Some(self.from.clone()), vec![to])
            .map_err(|e| SendError(e.to_string(), true))?;
        let transport = self.pool.0.get_or_init(|| self.builder.clone().build());
        match transport.send_raw(&envelope, bytes).await {
            Ok(response) => {
                let text: Vec<&str> = response.message().collect();
                Ok(format!("{} {}", response.code(), text.join(" ")))
            }
            // 4xx, a refused connection, a timeout: the server may take it later. 5xx or a
            // certificate that does not verify will not change by itself.
            Err(e) => {
                let permanent = e.is_permanent() || e.is_tls() || certificate_refused(&e);
                Err(SendError(describe_error(&e), permanent))
            }
        }
    }
}

/// lettre reports a failed TLS handshake as a connection error; the certificate problem is
/// further down the chain of causes (rustls has no stable error type to match here).
fn certificate_refused(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = cause {
        if e.to_string().contains("certificate") {
            return true;
        }
        cause = e.source();
    }
    false
}

/// The error with its causes, so the operator sees "invalid peer certificate: UnknownIssuer"
/// rather than only "Connection error".
pub(crate) fn describe_error(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(e) = cause {
        let more = e.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        cause = e.source();
    }
    text
}

fn read_ca(path: &Path) -> Result<Certificate, NotifyError> {
    let pem = std::fs::read(path).map_err(|e| {
        NotifyError::Io(crate::lang::io::FileError::new(
            crate::lang::io::READ_CA_FILE,
            path.to_path_buf(),
            e,
        ))
    })?;
    Certificate::from_pem(&pem).map_err(|e| NotifyError::Tls {
        reason: format!("{}: {e}", path.display()),
    })
}
