//! The only IMAP code: reading new mail from the `[imap]` mailbox, where replies to hikeshi's
//! messages arrive (async-imap on tokio, rustls for TLS and STARTTLS, as lettre for SMTP).

use std::fmt::Debug;
use std::sync::Arc;
use std::time::Duration;

use async_imap::{Client, Session};
use futures_util::TryStreamExt;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::{self, RootCertStore, pki_types::ServerName};

use crate::config::{ImapConfig, TlsMode};
use crate::lang::Lang;
use crate::tr;

/// A connection, plain or TLS.
trait Io: AsyncRead + AsyncWrite + Unpin + Send + Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + Debug> Io for T {}
type Stream = Box<dyn Io>;

/// The mailbox could not be read. Never holds the password.
#[derive(Debug, thiserror::Error)]
pub enum ImapError {
    /// There is no `[imap]` table in hikeshi.toml.
    #[error("no [imap] in hikeshi.toml: replies cannot be read")]
    NotConfigured,
    /// The variable `password_env` names is not set.
    #[error("the IMAP password is not set: set the environment variable {variable}")]
    Password {
        /// The variable.
        variable: String,
    },
    /// A login in clear text to another machine.
    #[error("[imap] tls = \"none\" with {host}: the password would cross the network unencrypted")]
    PlaintextLogin {
        /// The server.
        host: String,
    },
    /// The server cannot be reached, or the connection broke.
    #[error("IMAP server {server}: {reason}")]
    Unreachable {
        /// host:port.
        server: String,
        /// Why.
        reason: String,
    },
    /// The server refused the login.
    #[error("IMAP login refused for {user}")]
    Login {
        /// The user name.
        user: String,
    },
}

impl ImapError {
    /// In words, in the chosen language.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            ImapError::NotConfigured => tr!(
                lang,
                "hikeshi.toml に [imap] がないため、返信メールを読めません",
                "no [imap] in hikeshi.toml: replies cannot be read"
            ),
            ImapError::Password { variable } => tr!(
                lang,
                "IMAP のパスワードがありません。環境変数 {variable} に設定してください",
                "the IMAP password is not set: set the environment variable {variable}"
            ),
            ImapError::PlaintextLogin { host } => tr!(
                lang,
                "[imap] の tls = \"none\" で {host} にログインするとパスワードが暗号化されずに流れます",
                "[imap] tls = \"none\" with {host}: the password would cross the network unencrypted"
            ),
            ImapError::Unreachable { server, reason } => tr!(
                lang,
                "IMAP サーバー {server} に接続できません: {reason}",
                "IMAP server {server} cannot be reached: {reason}"
            ),
            ImapError::Login { user } => tr!(
                lang,
                "IMAP サーバーが {user} のログインを拒否しました",
                "the IMAP server refused the login of {user}"
            ),
        }
    }
}

/// One new mail: its UID, size, and its bytes unless it is bigger than `max`.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// Its UID in the mailbox.
    pub uid: u32,
    /// Its size as the server gives it.
    pub size: u32,
    /// The whole message (`None`: too large, left unread).
    pub bytes: Option<Vec<u8>>,
}

/// What one look at the mailbox found.
#[derive(Debug, Clone)]
pub struct Batch {
    /// The mailbox's UIDVALIDITY (UIDs are compared only within one).
    pub validity: u32,
    /// Mail with a UID above the one given, in UID order.
    pub mails: Vec<Fetched>,
    /// Whether the server offers IDLE.
    pub idle: bool,
}

/// A logged-in connection to the mailbox.
pub struct Mailbox {
    session: Session<Stream>,
    validity: u32,
    idle: bool,
    timeout: Duration,
    server: String,
}

fn unreachable(server: &str, e: impl std::fmt::Display) -> ImapError {
    ImapError::Unreachable {
        server: server.to_string(),
        reason: e.to_string(),
    }
}

fn tls_connector(config: &ImapConfig, server: &str) -> Result<TlsConnector, ImapError> {
    let mut roots = RootCertStore::empty();
    for cert in rustls_native_certs::load_native_certs().certs {
        let _ = roots.add(cert);
    }
    if let Some(path) = &config.ca_file {
        use rustls::pki_types::{CertificateDer, pem::PemObject};
        let certs = CertificateDer::pem_file_iter(path)
            .map_err(|e| unreachable(server, format!("{}: {e}", path.display())))?;
        for cert in certs {
            let cert = cert.map_err(|e| unreachable(server, format!("{}: {e}", path.display())))?;
            roots
                .add(cert)
                .map_err(|e| unreachable(server, format!("{}: {e}", path.display())))?;
        }
    }
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| unreachable(server, e))?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(TlsConnector::from(Arc::new(tls)))
}

async fn secure(config: &ImapConfig, server: &str, tcp: Stream) -> Result<Stream, ImapError> {
    let name = ServerName::try_from(config.host.clone()).map_err(|e| unreachable(server, e))?;
    let tls = tls_connector(config, server)?
        .connect(name, tcp)
        .await
        .map_err(|e| unreachable(server, e))?;
    Ok(Box::new(tls))
}

impl Mailbox {
    /// Connects, logs in (the password from the variable `password_env` names) and selects
    /// the mailbox, all within the configured timeout.
    pub async fn open(config: &ImapConfig) -> Result<Mailbox, ImapError> {
        let server = format!("{}:{}", config.host, config.port());
        let loopback = matches!(config.host.as_str(), "localhost" | "127.0.0.1" | "::1");
        if config.tls == TlsMode::None && !loopback {
            return Err(ImapError::PlaintextLogin {
                host: config.host.clone(),
            });
        }
        let variable = config.password_env().to_string();
        let password = std::env::var(&variable)
            .ok()
            .filter(|p| !p.is_empty())
            .ok_or(ImapError::Password { variable })?;
        let timeout = Duration::from_secs(config.timeout_secs.unwrap_or(30));
        let opened = tokio::time::timeout(timeout, Self::login(config, &server, &password))
            .await
            .map_err(|_| unreachable(&server, "timed out"))??;
        let (session, idle, validity) = opened;
        Ok(Mailbox {
            session,
            validity,
            idle,
            timeout,
            server,
        })
    }

    async fn login(
        config: &ImapConfig,
        server: &str,
        password: &str,
    ) -> Result<(Session<Stream>, bool, u32), ImapError> {
        let tcp: Stream = Box::new(
            TcpStream::connect((config.host.as_str(), config.port()))
                .await
                .map_err(|e| unreachable(server, e))?,
        );
        let stream = match config.tls {
            TlsMode::Tls => secure(config, server, tcp).await?,
            TlsMode::None => tcp,
            TlsMode::Starttls => {
                let mut client = Client::new(tcp);
                client
                    .read_response()
                    .await
                    .map_err(|e| unreachable(server, e))?;
                client
                    .run_command_and_check_ok("STARTTLS", None)
                    .await
                    .map_err(|e| unreachable(server, e))?;
                secure(config, server, client.into_inner()).await?
            }
        };
        let mut client = Client::new(stream);
        if config.tls != TlsMode::Starttls {
            client
                .read_response()
                .await
                .map_err(|e| unreachable(server, e))?;
        }
        let mut session = client
            .login(&config.username, password)
            .await
            .map_err(|_| ImapError::Login {
                user: config.username.clone(),
            })?;
        let idle = session
            .capabilities()
            .await
            .map_err(|e| unreachable(server, e))?
            .has_str("IDLE");
        let mailbox = session
            .select(config.mailbox())
            .await
            .map_err(|e| unreachable(server, e))?;
        Ok((session, idle, mailbox.uid_validity.unwrap_or(0)))
    }

    /// Mail with a UID above `after` (all of it when `validity` differs from the mailbox's),
    /// each read whole unless it is bigger than `max` bytes. Nothing is marked or changed.
    pub async fn fetch_new(
        &mut self,
        after: u32,
        validity: Option<u32>,
        max: u32,
    ) -> Result<Batch, ImapError> {
        let after = if validity == Some(self.validity) {
            after
        } else {
            0
        };
        let server = self.server.clone();
        let fetched = tokio::time::timeout(self.timeout, self.fetch(after, max))
            .await
            .map_err(|_| unreachable(&server, "timed out"))??;
        Ok(Batch {
            validity: self.validity,
            mails: fetched,
            idle: self.idle,
        })
    }

    async fn fetch(&mut self, after: u32, max: u32) -> Result<Vec<Fetched>, ImapError> {
        let server = self.server.clone();
        let sizes: Vec<(u32, u32)> = self
            .session
            .uid_fetch(format!("{}:*", after + 1), "(UID RFC822.SIZE)")
            .await
            .map_err(|e| unreachable(&server, e))?
            .try_collect::<Vec<_>>()
            .await
            .map_err(|e| unreachable(&server, e))?
            .iter()
            .filter_map(|f| Some((f.uid?, f.size.unwrap_or(0))))
            // `N:*` always names the last message, even when it is below N.
            .filter(|(uid, _)| *uid > after)
            .collect();
        let mut out = Vec::new();
        for (uid, size) in sizes {
            let bytes = if size > max {
                None
            } else {
                let fetches: Vec<_> = self
                    .session
                    .uid_fetch(uid.to_string(), "BODY.PEEK[]")
                    .await
                    .map_err(|e| unreachable(&server, e))?
                    .try_collect()
                    .await
                    .map_err(|e| unreachable(&server, e))?;
                fetches.iter().find_map(|f| f.body().map(<[u8]>::to_vec))
            };
            out.push(Fetched { uid, size, bytes });
        }
        out.sort_by_key(|f| f.uid);
        Ok(out)
    }

    /// Waits up to `up_to` for new mail: with IDLE where the server offers it (returns as
    /// soon as something arrives), else by sleeping. Gives the mailbox back.
    pub async fn wait(self, up_to: Duration) -> Result<Mailbox, ImapError> {
        if !self.idle {
            tokio::time::sleep(up_to).await;
            return Ok(self);
        }
        let Mailbox {
            session,
            validity,
            idle,
            timeout,
            server,
        } = self;
        let mut handle = session.idle();
        handle.init().await.map_err(|e| unreachable(&server, e))?;
        let (wait, _stop) = handle.wait_with_timeout(up_to);
        wait.await.map_err(|e| unreachable(&server, e))?;
        let session = handle.done().await.map_err(|e| unreachable(&server, e))?;
        Ok(Mailbox {
            session,
            validity,
            idle,
            timeout,
            server,
        })
    }

    /// Logs out (best effort).
    pub async fn close(mut self) {
        let _ = self.session.logout().await;
    }
}
