//! Transports: the outbox folder (the embedded default) and SMTP (lettre on tokio, rustls,
//! one pooled connection shared by every send). The only module that knows SMTP.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::transport::smtp::{AsyncSmtpTransport, AsyncSmtpTransportBuilder, PoolConfig};
use lettre::{AsyncTransport as _, Tokio1Executor};

use super::NotifyError;
use crate::config::{Config, SmtpConfig, TlsMode};
use crate::journal::sha256_hex;

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
}

/// What a delivery attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Delivered, with the server's reply (or where the file is).
    Sent {
        /// The message number.
        message: u32,
        /// `smtp` or `file`.
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

/// How messages leave: written to the outbox only, or sent over SMTP.
#[derive(Clone, Default)]
pub enum Transport {
    /// The .eml in `outbox/` is the delivery (no setup, nothing to lose).
    #[default]
    File,
    /// Sent over SMTP.
    Smtp(Box<Smtp>),
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Transport::File => f.write_str("Transport::File"),
            Transport::Smtp(s) => write!(f, "Transport::Smtp({}:{})", s.host, s.port),
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
        match &config.smtp {
            None => Ok(Transport::File),
            Some(smtp) => Ok(Transport::Smtp(Box::new(Smtp::new(smtp)?))),
        }
    }

    /// Where an incident's mail goes: as `config` says, except that a scenario exercise begun
    /// without `--live-mail` only ever writes to its outbox (a drill must not reach real
    /// inboxes because someone ran `notify` or `outbox --retry` on it).
    pub fn for_incident(
        state: &crate::incident::IncidentState,
        config: &Config,
    ) -> Result<Transport, NotifyError> {
        if state.run.as_ref().is_some_and(|r| !r.live_mail) {
            return Ok(Transport::File);
        }
        Transport::from_config(config)
    }

    /// `smtp` or `file`.
    pub fn kind(&self) -> &'static str {
        match self {
            Transport::File => "file",
            Transport::Smtp(_) => "smtp",
        }
    }

    /// Where messages go, for people: `outbox/` or `smtp.example.jp:587`.
    pub fn describe(&self) -> String {
        match self {
            Transport::File => crate::incident::files::outbox_shown(),
            Transport::Smtp(s) => format!("{}:{}", s.host, s.port),
        }
    }

    /// Delivers one message. The .eml must still have the SHA-256 recorded when it was
    /// queued: the message sent is exactly the message saved.
    pub async fn deliver(&self, job: &Job) -> Outcome {
        let failed = |error: String, permanent: bool| Outcome::Failed {
            message: job.message,
            error,
            permanent,
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
        match self {
            Transport::File => Outcome::Sent {
                message: job.message,
                transport: "file",
                reply: crate::incident::files::shown(&job.file),
            },
            Transport::Smtp(smtp) => match smtp.send(&job.address, &bytes).await {
                Ok(reply) => Outcome::Sent {
                    message: job.message,
                    transport: "smtp",
                    reply,
                },
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
fn describe_error(error: &(dyn std::error::Error + 'static)) -> String {
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
    let pem = std::fs::read(path).map_err(|e| NotifyError::Io {
        action: crate::lang::io::READ_CA_FILE,
        path: path.to_path_buf(),
        source: e,
    })?;
    Certificate::from_pem(&pem).map_err(|e| NotifyError::Tls {
        reason: format!("{}: {e}", path.display()),
    })
}
