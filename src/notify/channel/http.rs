//! The only HTTP code: posting a saved payload to a channel's webhook (reqwest on tokio,
//! rustls with the ring provider, the system's roots plus `[proxy] ca_file`, the proxy from
//! `[proxy]` or else the environment and the system's settings, a timeout per channel).
//!
//! A channel's URL and secret are read from the environment or the file hikeshi.toml names
//! when the transport is built, and live only in memory: errors are told without the URL
//! (reqwest's own errors quote it, so it is taken out of them), and the journal records
//! `kind:name` only.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{CONTENT_TYPE, HeaderValue, RETRY_AFTER};

use crate::config::{ChannelConfig, ChannelKind, Config, ProxyConfig};
use crate::notify::transport::describe_error as describe;

/// The header with the Unix time a `webhook` post was signed at.
pub const TIMESTAMP_HEADER: &str = "X-Hikeshi-Timestamp";
/// The header with `sha256=` and the hex HMAC-SHA256 of the timestamp, `.` and the body.
pub const SIGNATURE_HEADER: &str = "X-Hikeshi-Signature";
/// The header repeating the payload's idempotency key (`webhook`).
pub const IDEMPOTENCY_HEADER: &str = "Idempotency-Key";
/// `[proxy] url` that means no proxy at all, not even the system's.
pub const DIRECT: &str = "direct";
/// The longest wait a `Retry-After` can ask for; a longer one is cut to this.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);

/// How long to wait for a connection before an attempt counts as failed.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The default of `timeout_secs`.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The client could not be built (the CA file, the proxy setting).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetupError(pub String);

/// Why a post failed: the text (never the URL), whether it is permanent, and how long the
/// service asked to wait (`Retry-After` of a 429 or 503).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostError {
    /// What went wrong.
    pub text: String,
    /// A refusal that will not change by itself (4xx but 408/429, a redirect, a certificate).
    pub permanent: bool,
    /// The service's `Retry-After`.
    pub retry_after: Option<Duration>,
}

impl PostError {
    fn permanent(text: String) -> PostError {
        PostError {
            text,
            permanent: true,
            retry_after: None,
        }
    }
}

/// One channel, ready to post: its URL and secret as read, or why they could not be.
struct Endpoint {
    kind: ChannelKind,
    url: Result<reqwest::Url, String>,
    secret: Result<Option<Vec<u8>>, String>,
    timeout: Duration,
}

/// Every channel of hikeshi.toml and one HTTP client shared by their posts.
#[derive(Clone)]
pub struct Channels {
    client: reqwest::Client,
    endpoints: Arc<BTreeMap<String, Endpoint>>,
}

impl std::fmt::Debug for Channels {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Names only: the URLs are secrets.
        f.debug_list().entries(self.endpoints.keys()).finish()
    }
}

fn is_loopback(url: &reqwest::Url) -> bool {
    matches!(
        url.host_str(),
        Some("localhost" | "127.0.0.1" | "[::1]" | "::1")
    )
}

/// The URL from the variable or file the channel names: https, or http only to this machine
/// (a webhook URL carries its own secret, which must not cross the network in clear text).
fn read_url(channel: &ChannelConfig) -> Result<reqwest::Url, String> {
    let text = match (&channel.url_env, &channel.url_file) {
        (Some(var), _) => std::env::var(var)
            .ok()
            .filter(|v| !v.trim().is_empty())
            .ok_or_else(|| format!("the environment variable {var} (url_env) is not set"))?,
        (None, Some(file)) => std::fs::read_to_string(file)
            .map_err(|e| format!("cannot read url_file {}: {e}", file.display()))?,
        (None, None) => return Err("no url_env or url_file".into()),
    };
    // Never quote the text: it is the secret, or what should have been it.
    let url = reqwest::Url::parse(text.trim())
        .map_err(|e| format!("the URL of the channel does not parse ({e})"))?;
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        _ => Err("the URL of the channel must be https (http only to this machine)".into()),
    }
}

fn read_secret(channel: &ChannelConfig) -> Result<Option<Vec<u8>>, String> {
    match &channel.secret_env {
        None => Ok(None),
        Some(var) => std::env::var(var)
            .ok()
            .filter(|v| !v.is_empty())
            .map(|v| Some(v.into_bytes()))
            .ok_or_else(|| format!("the environment variable {var} (secret_env) is not set")),
    }
}

fn client(proxy: Option<&ProxyConfig>) -> Result<reqwest::Client, SetupError> {
    let tls = crate::notify::tls::client_config(proxy.and_then(|p| p.ca_file.as_deref()))
        .map_err(SetupError)?;
    let mut builder = reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .connect_timeout(CONNECT_TIMEOUT)
        // A webhook that redirects is misconfigured; a POST must not turn into a GET.
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("hikeshi/", env!("CARGO_PKG_VERSION")));
    match proxy.and_then(|p| p.url.as_deref()) {
        Some(DIRECT) => builder = builder.no_proxy(),
        Some(url) => {
            let mut proxy_setting = reqwest::Proxy::all(url)
                .map_err(|e| SetupError(format!("[proxy] url: {}", e.without_url())))?;
            if let Some(list) = proxy.and_then(|p| p.no_proxy.as_deref()) {
                proxy_setting = proxy_setting.no_proxy(reqwest::NoProxy::from_string(list));
            }
            builder = builder.proxy(proxy_setting);
        }
        // https_proxy / no_proxy from the environment, and the system's settings.
        None => {}
    }
    builder
        .build()
        .map_err(|e| SetupError(describe(&e.without_url())))
}

impl Channels {
    /// The channels of `config`, or `None` when it has none. A channel whose URL or secret
    /// cannot be read is kept: its posts fail (permanently, visibly) while mail and the other
    /// channels go on.
    pub fn new(config: &Config) -> Result<Option<Channels>, SetupError> {
        if config.channels.is_empty() {
            return Ok(None);
        }
        let endpoints = config
            .channels
            .iter()
            .map(|(name, c)| {
                let endpoint = Endpoint {
                    kind: c.kind,
                    url: read_url(c),
                    secret: read_secret(c),
                    timeout: c
                        .timeout_secs
                        .map_or(DEFAULT_TIMEOUT, |s| Duration::from_secs(s.max(1))),
                };
                (name.clone(), endpoint)
            })
            .collect();
        Ok(Some(Channels {
            client: client(config.proxy.as_ref())?,
            endpoints: Arc::new(endpoints),
        }))
    }

    /// The channels' names.
    pub fn names(&self) -> impl Iterator<Item = &String> {
        self.endpoints.keys()
    }

    /// Posts `body` (the saved payload, unchanged) to channel `name`, which it was composed
    /// for as a `kind` channel. The reply on success is `HTTP 200 OK` and the like.
    pub async fn post(
        &self,
        name: &str,
        kind: Option<ChannelKind>,
        key: &str,
        body: Vec<u8>,
    ) -> Result<String, PostError> {
        let endpoint = self.endpoints.get(name).ok_or_else(|| {
            PostError::permanent(format!("hikeshi.toml has no [channels.{name}]"))
        })?;
        if kind.is_some_and(|k| k != endpoint.kind) {
            return Err(PostError::permanent(format!(
                "[channels.{name}] is now kind = \"{}\", not the kind this post was composed for",
                endpoint.kind.as_str()
            )));
        }
        let url = endpoint.url.clone().map_err(PostError::permanent)?;
        let secret = endpoint.secret.clone().map_err(PostError::permanent)?;
        let mut request = self
            .client
            .post(url.clone())
            .timeout(endpoint.timeout)
            .header(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if endpoint.kind == ChannelKind::Webhook {
            request = request.header(IDEMPOTENCY_HEADER, key);
            if let Some(secret) = &secret {
                let timestamp = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs());
                request = request
                    .header(TIMESTAMP_HEADER, timestamp.to_string())
                    .header(SIGNATURE_HEADER, signature(secret, timestamp, &body));
            }
        }
        let scrub = |text: String| text.replace(url.as_str(), "<URL>");
        let response = match request.body(body).send().await {
            Ok(r) => r,
            Err(e) => {
                let timed_out = e.is_timeout();
                let e = e.without_url();
                let mut text = scrub(describe(&e));
                if timed_out {
                    text = format!("no answer within {} s: {text}", endpoint.timeout.as_secs());
                }
                // A certificate that does not verify will not change by itself.
                let permanent = text.contains("certificate");
                return Err(PostError {
                    text,
                    permanent,
                    retry_after: None,
                });
            }
        };
        let status = response.status();
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(|s| Duration::from_secs(s).min(MAX_RETRY_AFTER));
        let said = read_capped(response).await;
        let said: String = said.split_whitespace().collect::<Vec<_>>().join(" ");
        let said: String = said.chars().take(200).collect();
        let reply = scrub(format!("HTTP {status} {said}").trim_end().to_string());
        if status.is_success() {
            return Ok(reply);
        }
        // 408, 429 and 5xx may pass; any other refusal (a deleted webhook, a bad payload, a
        // wrong signature, a redirect) will not.
        let transient =
            status.as_u16() == 408 || status.as_u16() == 429 || status.is_server_error();
        Err(PostError {
            text: reply,
            permanent: !transient,
            retry_after: retry_after.filter(|_| transient),
        })
    }
}

/// The most of a service's answer that is read: its first words say what happened (only 200
/// characters are kept), and a service that answers with gigabytes, or without end, must
/// neither fill the memory nor hold the post until its timeout.
pub const MAX_ANSWER_BYTES: usize = 4 * 1024;

/// The start of `response`'s body, at most [`MAX_ANSWER_BYTES`], as text; the rest is never
/// read (the connection is dropped with it).
async fn read_capped(mut response: reqwest::Response) -> String {
    let mut body: Vec<u8> = Vec::new();
    while body.len() < MAX_ANSWER_BYTES {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                let room = MAX_ANSWER_BYTES - body.len();
                body.extend_from_slice(&chunk[..chunk.len().min(room)]);
            }
            Ok(None) | Err(_) => break,
        }
    }
    String::from_utf8_lossy(&body).into_owned()
}

/// `sha256=` and the hex HMAC-SHA256, under `secret`, of the timestamp, a `.`, and the body.
pub fn signature(secret: &[u8], timestamp: u64, body: &[u8]) -> String {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret);
    let mut context = ring::hmac::Context::with_key(&key);
    context.update(timestamp.to_string().as_bytes());
    context.update(b".");
    context.update(body);
    let tag = context.sign();
    let hex: String = tag.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}
