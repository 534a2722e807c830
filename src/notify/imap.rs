//! The only IMAP code: reading new mail from the `[imap]` mailbox, where replies to hikeshi's
//! messages arrive (async-imap on tokio, rustls for TLS and STARTTLS, as lettre for SMTP).

use std::fmt::{Debug, Display};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use async_imap::{Client, Session};
use chrono::NaiveDate;
use futures_util::TryStreamExt;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::pki_types::ServerName;

use crate::config::{ImapConfig, TlsMode};
use crate::lang::{Lang, Text};
use crate::tr;

/// A connection, plain or TLS.
trait Io: AsyncRead + AsyncWrite + Unpin + Send + Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + Debug> Io for T {}
type Stream = Box<dyn Io>;

/// The mailbox could not be read. Never holds the password.
#[derive(Debug, thiserror::Error)]
pub enum ImapError {
    /// There is no `[imap]` table in hikeshi.toml.
    NotConfigured,
    /// The variable `password_env` names is not set.
    Password {
        /// The variable.
        variable: String,
    },
    /// A login in clear text to another machine.
    PlaintextLogin {
        /// The server.
        host: String,
    },
    /// The server cannot be reached, or the connection broke.
    Unreachable {
        /// host:port.
        server: String,
        /// Why.
        reason: String,
    },
    /// The server refused the login.
    Login {
        /// The user name.
        user: String,
    },
    /// The server did not answer one round trip in time (it may be up, but slow).
    TimedOut {
        /// host:port.
        server: String,
        /// What was awaited.
        waiting: Text,
        /// The timeout, `[imap] timeout_secs`.
        secs: u64,
    },
    /// A command failed after the login (the server refused it, or the connection broke).
    Failed {
        /// host:port.
        server: String,
        /// What was being done.
        doing: Text,
        /// Why.
        reason: String,
    },
}

/// The English of [`ImapError::message`]: each failure's text is written once.
impl std::fmt::Display for ImapError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(crate::Lang::En))
    }
}

/// What a timeout or a failure happened in: one round trip each.
pub mod stage {
    use crate::lang::Text;

    /// The TCP connection.
    pub const CONNECT: Text = Text::new("接続", "the connection");
    /// The TLS handshake (TLS or STARTTLS).
    pub const TLS: Text = Text::new("TLS の確立", "the TLS handshake");
    /// The server's first line.
    pub const GREETING: Text = Text::new("サーバーの最初の応答", "the greeting");
    /// STARTTLS.
    pub const STARTTLS: Text = Text::new("STARTTLS", "STARTTLS");
    /// LOGIN.
    pub const LOGIN: Text = Text::new("ログイン", "the login");
    /// CAPABILITY.
    pub const CAPABILITIES: Text = Text::new("機能の一覧", "the capabilities");
    /// EXAMINE: the mailbox's UIDVALIDITY and UIDNEXT.
    pub const EXAMINE: Text = Text::new("メールボックスの状態", "the mailbox's state");
    /// UID SEARCH for the incident's replies.
    pub const SEARCH: Text = Text::new("返信の検索", "the search for replies");
    /// UID FETCH of sizes.
    pub const SIZES: Text = Text::new("メールの大きさ", "the sizes of mails");
    /// UID FETCH of bodies.
    pub const BODIES: Text = Text::new("メールの本文", "the mails themselves");
    /// IDLE, or DONE after it.
    pub const IDLE: Text = Text::new("新着の待ち受け（IDLE）", "waiting for new mail (IDLE)");
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
            ImapError::TimedOut {
                server,
                waiting,
                secs,
            } => {
                let waiting = waiting.get(lang);
                tr!(
                    lang,
                    "IMAP サーバー {server} から {secs} 秒以内に応答がありません（待っていたもの: {waiting}）。接続はできても遅すぎます。[imap] timeout_secs で待つ時間を変えられます",
                    "IMAP server {server} did not answer within {secs} s (waiting for: {waiting}); it may be up but slow ([imap] timeout_secs sets the wait)"
                )
            }
            ImapError::Failed {
                server,
                doing,
                reason,
            } => {
                let doing = doing.get(lang);
                tr!(
                    lang,
                    "IMAP サーバー {server}: {doing}に失敗しました: {reason}",
                    "IMAP server {server}: {doing} failed: {reason}"
                )
            }
        }
    }
}

/// One mail found: its UID, size, and its bytes unless it is bigger than the cap.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// Its UID in the mailbox.
    pub uid: u32,
    /// Its size as the server gives it (or as far as it was read, if that is more).
    pub size: u32,
    /// The whole message (`None`: too large, left unread).
    pub bytes: Option<Vec<u8>>,
}

/// What the mailbox says of itself at one look (`EXAMINE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Snapshot {
    /// Its UIDVALIDITY (UIDs are compared only within one).
    pub validity: u32,
    /// The UID the next mail will get: every mail below it is in the mailbox now.
    pub next: u32,
}

/// What marks the mail of one incident, searched on the server: the reply codes of its
/// messages (in the subject) and their Message-IDs (in `In-Reply-To`), received since a day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Wanted {
    /// Reply codes (`HK-7H3K9Q2M`).
    pub codes: Vec<String>,
    /// Message-IDs, without angle brackets.
    pub message_ids: Vec<String>,
    /// Only mail received on or after this day (the server's date), if set.
    pub since: Option<NaiveDate>,
}

/// How many criteria go into one `UID SEARCH` (each is about 40 bytes: a few KB a command).
const TERMS_PER_SEARCH: usize = 50;

impl Wanted {
    /// The `UID SEARCH` commands' arguments for the UIDs `from..=to`: one per group of
    /// [`TERMS_PER_SEARCH`] criteria; none when there is nothing to look for.
    pub fn queries(&self, from: u32, to: u32) -> Vec<String> {
        let terms: Vec<String> = self
            .codes
            .iter()
            .filter_map(|c| quoted(c).map(|q| format!("SUBJECT {q}")))
            .chain(
                self.message_ids
                    .iter()
                    .filter_map(|id| quoted(id).map(|q| format!("HEADER In-Reply-To {q}"))),
            )
            .collect();
        let since = self
            .since
            .map(|d| format!(" SINCE {}", d.format("%-d-%b-%Y")))
            .unwrap_or_default();
        terms
            .chunks(TERMS_PER_SEARCH)
            .map(|group| {
                let ors = "OR ".repeat(group.len() - 1);
                format!("UID {from}:{to}{since} {ors}{}", group.join(" "))
            })
            .collect()
    }
}

/// A search string as an IMAP quoted string; `None` for what cannot go in one in US-ASCII
/// (hikeshi's own codes and Message-IDs always can).
fn quoted(text: &str) -> Option<String> {
    if text.is_empty() || !text.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return None;
    }
    Some(format!(
        "\"{}\"",
        text.replace('\\', "\\\\").replace('"', "\\\"")
    ))
}

/// A logged-in connection to the mailbox (examined: read-only).
pub struct Mailbox {
    session: Session<Stream>,
    idle: bool,
    timeout: Duration,
    server: String,
    name: String,
}

fn unreachable(server: &str, e: impl Display) -> ImapError {
    ImapError::Unreachable {
        server: server.to_string(),
        reason: e.to_string(),
    }
}

/// One round trip, within `timeout`: a timeout says what was awaited; a failure says what
/// failed (`fail` words it).
async fn within<T, E>(
    timeout: Duration,
    server: &str,
    waiting: Text,
    round_trip: impl Future<Output = Result<T, E>>,
    fail: impl FnOnce(E) -> ImapError,
) -> Result<T, ImapError> {
    match tokio::time::timeout(timeout, round_trip).await {
        Ok(Ok(t)) => Ok(t),
        Ok(Err(e)) => Err(fail(e)),
        Err(_) => Err(ImapError::TimedOut {
            server: server.to_string(),
            waiting,
            secs: timeout.as_secs(),
        }),
    }
}

fn failed(server: &str, doing: Text) -> impl FnOnce(async_imap::error::Error) -> ImapError {
    move |e| ImapError::Failed {
        server: server.to_string(),
        doing,
        reason: e.to_string(),
    }
}

fn tls_connector(config: &ImapConfig, server: &str) -> Result<TlsConnector, ImapError> {
    let tls = crate::notify::tls::client_config(config.ca_file.as_deref())
        .map_err(|e| unreachable(server, e))?;
    Ok(TlsConnector::from(Arc::new(tls)))
}

async fn secure(
    config: &ImapConfig,
    server: &str,
    timeout: Duration,
    tcp: Stream,
) -> Result<Stream, ImapError> {
    let name = ServerName::try_from(config.host.clone()).map_err(|e| unreachable(server, e))?;
    let connector = tls_connector(config, server)?;
    let tls = within(
        timeout,
        server,
        stage::TLS,
        connector.connect(name, tcp),
        |e| unreachable(server, e),
    )
    .await?;
    Ok(Box::new(tls))
}

impl Mailbox {
    /// Connects and logs in (the password from the variable `password_env` names), each
    /// round trip within the configured timeout; each [`Mailbox::look`] then examines the
    /// mailbox (read-only).
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
        let t = timeout;
        let tcp = within(
            t,
            &server,
            stage::CONNECT,
            TcpStream::connect((config.host.as_str(), config.port())),
            |e| unreachable(&server, e),
        )
        .await?;
        // async-imap writes a command in four pieces (tag, space, command, CRLF): without
        // TCP_NODELAY each piece after the first waits for the server's delayed ACK (40 ms on
        // Linux), a wait per command that a look of five commands would pay five times.
        tcp.set_nodelay(true).map_err(|e| unreachable(&server, e))?;
        let tcp: Stream = Box::new(tcp);
        let greeting = |e: std::io::Error| unreachable(&server, e);
        let stream = match config.tls {
            TlsMode::Tls => secure(config, &server, t, tcp).await?,
            TlsMode::None => tcp,
            TlsMode::Starttls => {
                let mut client = Client::new(tcp);
                within(
                    t,
                    &server,
                    stage::GREETING,
                    client.read_response(),
                    greeting,
                )
                .await?;
                within(
                    t,
                    &server,
                    stage::STARTTLS,
                    client.run_command_and_check_ok("STARTTLS", None),
                    |e| unreachable(&server, e),
                )
                .await?;
                secure(config, &server, t, client.into_inner()).await?
            }
        };
        let mut client = Client::new(stream);
        if config.tls != TlsMode::Starttls {
            within(
                t,
                &server,
                stage::GREETING,
                client.read_response(),
                greeting,
            )
            .await?;
        }
        let mut session = within(
            t,
            &server,
            stage::LOGIN,
            client.login(&config.username, &password),
            |_| ImapError::Login {
                user: config.username.clone(),
            },
        )
        .await?;
        let idle = within(
            t,
            &server,
            stage::CAPABILITIES,
            session.capabilities(),
            failed(&server, stage::CAPABILITIES),
        )
        .await?
        .has_str("IDLE");
        Ok(Mailbox {
            session,
            idle,
            timeout,
            server,
            name: config.mailbox().to_string(),
        })
    }

    /// host:port.
    pub fn server(&self) -> &str {
        &self.server
    }

    /// Examines the mailbox again (read-only): its UIDVALIDITY and the UID the next mail will
    /// get, as of now. One round trip.
    pub async fn look(&mut self) -> Result<Snapshot, ImapError> {
        let server = self.server.clone();
        let examined = within(
            self.timeout,
            &server,
            stage::EXAMINE,
            self.session.examine(&self.name),
            failed(&server, stage::EXAMINE),
        )
        .await?;
        let missing = |what: &str| ImapError::Failed {
            server: server.clone(),
            doing: stage::EXAMINE,
            reason: format!("no {what}"),
        };
        Ok(Snapshot {
            validity: examined
                .uid_validity
                .ok_or_else(|| missing("UIDVALIDITY"))?,
            next: examined.uid_next.ok_or_else(|| missing("UIDNEXT"))?,
        })
    }

    /// The UIDs from `from` to `to` (both included) of the mail `wanted` describes, searched
    /// on the server (one round trip per [`TERMS_PER_SEARCH`] criteria), in UID order.
    pub async fn search(
        &mut self,
        from: u32,
        to: u32,
        wanted: &Wanted,
    ) -> Result<Vec<u32>, ImapError> {
        let server = self.server.clone();
        let mut uids = std::collections::BTreeSet::new();
        for query in wanted.queries(from, to) {
            let found = within(
                self.timeout,
                &server,
                stage::SEARCH,
                self.session.uid_search(&query),
                failed(&server, stage::SEARCH),
            )
            .await?;
            // A UID range `a:b` names the last mail even when it is outside it.
            uids.extend(found.into_iter().filter(|u| (from..=to).contains(u)));
        }
        Ok(uids.into_iter().collect())
    }

    /// The mails `uids` (a batch: two round trips): their sizes first, then the bytes of each
    /// that is at most `max` bytes; a bigger one is never downloaded, and no more than
    /// `max + 1` bytes of any is read even if the server misstated its size. Nothing is marked
    /// or changed. A mail gone meanwhile is left out.
    pub async fn fetch(&mut self, uids: &[u32], max: u32) -> Result<Vec<Fetched>, ImapError> {
        if uids.is_empty() {
            return Ok(Vec::new());
        }
        let server = self.server.clone();
        let set = uid_set(uids);
        let session = &mut self.session;
        let sizes: Vec<(u32, u32)> = within(
            self.timeout,
            &server,
            stage::SIZES,
            async {
                session
                    .uid_fetch(&set, "(UID RFC822.SIZE)")
                    .await?
                    .try_collect::<Vec<_>>()
                    .await
            },
            failed(&server, stage::SIZES),
        )
        .await?
        .iter()
        .filter_map(|f| Some((f.uid?, f.size.unwrap_or(0))))
        .filter(|(uid, _)| uids.contains(uid))
        .collect();
        let small: Vec<u32> = sizes
            .iter()
            .filter(|(_, size)| *size <= max)
            .map(|(uid, _)| *uid)
            .collect();
        let mut bodies = std::collections::HashMap::new();
        if !small.is_empty() {
            let set = uid_set(&small);
            let query = format!("(UID BODY.PEEK[]<0.{}>)", u64::from(max) + 1);
            let fetched = within(
                self.timeout,
                &server,
                stage::BODIES,
                async {
                    session
                        .uid_fetch(&set, &query)
                        .await?
                        .try_collect::<Vec<_>>()
                        .await
                },
                failed(&server, stage::BODIES),
            )
            .await?;
            for f in &fetched {
                if let (Some(uid), Some(body)) = (f.uid, f.body()) {
                    bodies.insert(uid, body.to_vec());
                }
            }
        }
        let mut out: Vec<Fetched> = sizes
            .into_iter()
            .map(|(uid, size)| {
                let bytes = bodies.remove(&uid);
                let read = bytes
                    .as_ref()
                    .map_or(0, |b| u32::try_from(b.len()).unwrap_or(u32::MAX));
                match bytes {
                    Some(b) if read <= max => Fetched {
                        uid,
                        size,
                        bytes: Some(b),
                    },
                    _ => Fetched {
                        uid,
                        size: size.max(read),
                        bytes: None,
                    },
                }
            })
            .collect();
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
            idle,
            timeout,
            server,
            name,
        } = self;
        let mut handle = session.idle();
        within(
            timeout,
            &server,
            stage::IDLE,
            handle.init(),
            failed(&server, stage::IDLE),
        )
        .await?;
        let (wait, _stop) = handle.wait_with_timeout(up_to);
        wait.await.map_err(failed(&server, stage::IDLE))?;
        let session = within(
            timeout,
            &server,
            stage::IDLE,
            handle.done(),
            failed(&server, stage::IDLE),
        )
        .await?;
        Ok(Mailbox {
            session,
            idle,
            timeout,
            server,
            name,
        })
    }

    /// Logs out (best effort, within the timeout).
    pub async fn close(mut self) {
        let _ = tokio::time::timeout(self.timeout, self.session.logout()).await;
    }
}

/// A UID set: `3,7,9` (at most a batch of UIDs).
fn uid_set(uids: &[u32]) -> String {
    uids.iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_names_the_codes_and_message_ids_in_bounded_commands() {
        let wanted = Wanted {
            codes: vec!["HK-7H3K9Q2M".into(), "HK-0000AAAA".into()],
            message_ids: vec!["hikeshi.x.1.t@city.example.jp".into(), "bad\r\nid".into()],
            since: NaiveDate::from_ymd_opt(2026, 11, 19),
        };
        assert_eq!(
            wanted.queries(5, 900),
            vec![
                "UID 5:900 SINCE 19-Nov-2026 OR OR SUBJECT \"HK-7H3K9Q2M\" SUBJECT \"HK-0000AAAA\" HEADER In-Reply-To \"hikeshi.x.1.t@city.example.jp\""
            ]
        );
        assert!(Wanted::default().queries(1, 9).is_empty());
        let many = Wanted {
            codes: (0..120).map(|i| format!("HK-{i:08}")).collect(),
            ..Wanted::default()
        };
        let queries = many.queries(1, 2);
        assert_eq!(queries.len(), 3);
        assert!(queries.iter().all(|q| q.len() < 4_000));
        assert_eq!(quoted("a\"b\\c"), Some("\"a\\\"b\\\\c\"".into()));
    }
}
