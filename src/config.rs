//! `hikeshi.toml`: a municipality's settings — how mail leaves the machine (`[smtp]`,
//! `[mail]`) and the report's templates (`[report]`). Found at `--config FILE`, else
//! `$HIKESHI_CONFIG`, else `./hikeshi.toml`; with none of them, the embedded defaults (every
//! message goes to the incident's `outbox/` as an .eml file; the built-in report layout).

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// `hikeshi.toml` could not be read or does not parse.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read (a file named by `--config` or `$HIKESHI_CONFIG` must exist).
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file does not parse, or has a setting hikeshi does not know.
    Parse {
        /// The file.
        path: PathBuf,
        /// What is wrong, with line and column.
        message: String,
    },
}

/// The English of [`ConfigError::message`]: each failure's text is written once.
impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(crate::Lang::En))
    }
}

impl ConfigError {
    /// The message in `lang`.
    pub fn message(&self, lang: crate::Lang) -> String {
        match self {
            ConfigError::Read { path, source } => {
                let path = path.display();
                crate::tr!(
                    lang,
                    "{path} を読み込めません: {source}",
                    "cannot read {path}: {source}"
                )
            }
            ConfigError::Parse { path, message } => {
                // The parser quotes the file, which may hold control characters.
                let (path, message) = (path.display(), crate::text::shown_text(message));
                crate::tr!(
                    lang,
                    "{path} の設定に誤りがあります: {message}",
                    "{path}: {message}"
                )
            }
        }
    }
}

/// The environment variable naming the config file.
pub const CONFIG_ENV: &str = "HIKESHI_CONFIG";
/// The config file looked for in the current folder.
pub const CONFIG_FILE: &str = "hikeshi.toml";

/// The whole config file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Mail over SMTP; without it, mail goes to the outbox only.
    #[serde(default)]
    pub smtp: Option<SmtpConfig>,
    /// `[imap]`: where replies to hikeshi's mail are read (see `notify::inbox`).
    #[serde(default)]
    pub imap: Option<ImapConfig>,
    /// How messages are written.
    #[serde(default)]
    pub mail: MailConfig,
    /// The report's layout.
    #[serde(default)]
    pub report: ReportConfig,
    /// `[channels.NAME]`: chat rooms and webhooks that divisions.yaml can name.
    #[serde(default)]
    pub channels: std::collections::BTreeMap<String, ChannelConfig>,
    /// `[proxy]`: how channel posts reach the internet.
    #[serde(default)]
    pub proxy: Option<ProxyConfig>,
    /// The file this came from (none: the embedded defaults).
    #[serde(skip)]
    pub path: Option<PathBuf>,
}

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TlsMode {
    /// Plain connection upgraded with STARTTLS (port 587); refused if the server cannot.
    #[default]
    Starttls,
    /// TLS from the first byte (SMTPS, port 465).
    Tls,
    /// No encryption: only for a relay on the same machine or a closed network.
    None,
}

/// `[smtp]`.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    /// The server's host name (checked against its certificate).
    pub host: String,
    /// The port [default: 587 for starttls, 465 for tls, 25 for none].
    #[serde(default)]
    pub port: Option<u16>,
    /// `starttls` (default), `tls` or `none`.
    #[serde(default)]
    pub tls: TlsMode,
    /// The sender address.
    pub from: String,
    /// The user name, if the server wants a login.
    #[serde(default)]
    pub username: Option<String>,
    /// The environment variable that holds the password (never the password itself).
    #[serde(default)]
    pub password_env: Option<String>,
    /// An extra root certificate (PEM), e.g. a municipal CA; relative to the config file.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// Seconds to wait for the server before an attempt counts as failed [default: 30].
    #[serde(default)]
    pub timeout_secs: Option<u64>,
}

// The config never holds the password, but keep Debug short and free of the login anyway.
impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("from", &self.from)
            .finish_non_exhaustive()
    }
}

impl SmtpConfig {
    /// The port to use.
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(match self.tls {
            TlsMode::Starttls => 587,
            TlsMode::Tls => 465,
            TlsMode::None => 25,
        })
    }
}

/// `[imap]`: the mailbox replies to hikeshi's mail arrive in.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImapConfig {
    /// The server's host name (checked against its certificate).
    pub host: String,
    /// The port [default: 143 for starttls and none, 993 for tls].
    #[serde(default)]
    pub port: Option<u16>,
    /// `starttls` (default), `tls` or `none`.
    #[serde(default)]
    pub tls: TlsMode,
    /// The login.
    pub username: String,
    /// The environment variable that holds the password [default: `HIKESHI_IMAP_PASSWORD`].
    #[serde(default)]
    pub password_env: Option<String>,
    /// The mailbox to read [default: `INBOX`].
    #[serde(default)]
    pub mailbox: Option<String>,
    /// An extra root certificate (PEM); relative to the config file.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// Seconds to wait for each round trip with the server [default: 30].
    #[serde(default)]
    pub timeout_secs: Option<u64>,
    /// The authserv-id of the city's own receiving mail server (the first word of the
    /// `Authentication-Results` headers it adds, e.g. `mx.city.example.jp`). When set, a reply
    /// counts only if that server vouches for its sender (no DMARC/SPF/DKIM failure; a DMARC,
    /// aligned DKIM or login pass). Unset: the From address is taken as it is.
    #[serde(default)]
    pub authserv_id: Option<String>,
}

impl std::fmt::Debug for ImapConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImapConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .finish_non_exhaustive()
    }
}

impl ImapConfig {
    /// The port to use.
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(match self.tls {
            TlsMode::Tls => 993,
            TlsMode::Starttls | TlsMode::None => 143,
        })
    }

    /// The mailbox to read.
    pub fn mailbox(&self) -> &str {
        self.mailbox.as_deref().unwrap_or("INBOX")
    }

    /// The variable holding the password.
    pub fn password_env(&self) -> &str {
        self.password_env
            .as_deref()
            .unwrap_or("HIKESHI_IMAP_PASSWORD")
    }
}

/// `[report]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportConfig {
    /// A folder with the municipality's own `report.html.j2` and/or `report.md.j2`
    /// (minijinja), used instead of the built-in ones; relative to the config file.
    #[serde(default)]
    pub templates: Option<PathBuf>,
    /// The Word report's letterhead: who issues it (e.g. `例示市 総務部 広報広聴課`)
    /// [default: the organisation named in the incident's playbook].
    #[serde(default)]
    pub organization: Option<String>,
    /// The Word report's 文書番号 (e.g. `例広第　　号`); without it, a blank line to fill in
    /// by hand.
    #[serde(default)]
    pub document_number: Option<String>,
    /// The Word report's 日付 as it is to be printed; without it, a blank line to fill in by
    /// hand.
    #[serde(default)]
    pub date: Option<String>,
    /// The Word report's 決裁欄: one box to stamp per title, left to right [default: 課長,
    /// 課長補佐, 係長, 担当]; an empty list leaves the box out.
    #[serde(default)]
    pub stamps: Option<Vec<String>>,
    /// The Word report's body font for Japanese (and Latin) text, then the fonts Word may use
    /// where it is missing [default: ＭＳ 明朝, 游明朝: ＭＳ 明朝 is on every Japanese Windows PC,
    /// and LibreOffice, which ignores the stand-ins, prints it in a Mincho it has].
    #[serde(default)]
    pub body_font: Option<Vec<String>>,
    /// The Word report's heading font, then its stand-ins [default: 游ゴシック, ＭＳ ゴシック].
    #[serde(default)]
    pub heading_font: Option<Vec<String>>,
}

impl ReportConfig {
    /// The 決裁欄's titles in `lang`.
    pub fn stamps(&self, lang: crate::Lang) -> Vec<String> {
        match &self.stamps {
            Some(titles) => titles.clone(),
            None => crate::tr!(lang, "課長 課長補佐 係長 担当", "Head Deputy Chief Officer")
                .split(' ')
                .map(str::to_string)
                .collect(),
        }
    }

    /// The body font and its stand-ins.
    pub fn body_font(&self) -> Vec<String> {
        fonts(self.body_font.as_deref(), &["ＭＳ 明朝", "游明朝"])
    }

    /// The heading font and its stand-ins.
    pub fn heading_font(&self) -> Vec<String> {
        fonts(
            self.heading_font.as_deref(),
            &["游ゴシック", "ＭＳ ゴシック"],
        )
    }

    /// What is wrong with the Word report's settings, if anything.
    fn problem(&self) -> Option<String> {
        let texts = [
            ("organization", self.organization.as_deref()),
            ("document_number", self.document_number.as_deref()),
            ("date", self.date.as_deref()),
        ];
        for (key, value) in texts {
            if let Some(c) = value.and_then(crate::text::bad_in_name) {
                return Some(format!(
                    "[report] {key}: one line without control characters (found {})",
                    c.escape_debug()
                ));
            }
        }
        for name in self.stamps.iter().flatten() {
            if name.trim().is_empty() || crate::text::bad_in_name(name).is_some() {
                return Some(
                    "[report] stamps: each title is one line of text, not empty".to_string(),
                );
            }
        }
        for (key, list) in [
            ("body_font", &self.body_font),
            ("heading_font", &self.heading_font),
        ] {
            if let Some(list) = list
                && (list.is_empty()
                    || list.iter().any(|f| {
                        f.trim().is_empty()
                            || f.contains(',')
                            || crate::text::bad_in_name(f).is_some()
                    }))
            {
                return Some(format!(
                    "[report] {key}: a list of font names, the first the one to use (no commas, \
                     none empty)"
                ));
            }
        }
        None
    }
}

fn fonts(configured: Option<&[String]>, default: &[&str]) -> Vec<String> {
    match configured {
        Some(list) if !list.is_empty() => list.to_vec(),
        _ => default.iter().map(|f| (*f).to_string()).collect(),
    }
}

/// The service a channel posts to; each renders its own payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChannelKind {
    /// LINE WORKS, the free Incoming Webhook app: title and text.
    LineWorks,
    /// Microsoft Teams, a Workflows webhook: an Adaptive Card.
    Teams,
    /// Slack, an incoming webhook: blocks.
    Slack,
    /// Any system that takes hikeshi's own JSON, signed with HMAC-SHA256.
    Webhook,
}

impl ChannelKind {
    /// The word used in hikeshi.toml and in the journal (`teams`).
    pub fn as_str(self) -> &'static str {
        match self {
            ChannelKind::LineWorks => "line-works",
            ChannelKind::Teams => "teams",
            ChannelKind::Slack => "slack",
            ChannelKind::Webhook => "webhook",
        }
    }

    /// The kind named by `word` (`as_str`), by the same derived rule hikeshi.toml is read
    /// with: a new kind needs no list kept here.
    pub fn from_word(word: &str) -> Option<ChannelKind> {
        use serde::de::IntoDeserializer as _;
        let word: serde::de::value::StrDeserializer<'_, serde::de::value::Error> =
            word.into_deserializer();
        ChannelKind::deserialize(word).ok()
    }
}

/// `[channels.NAME]`: where a chat room's webhook URL is found (a URL is a secret: it is never
/// written in the config itself), and for `webhook` the signing secret.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelConfig {
    /// `line-works`, `teams`, `slack` or `webhook`.
    pub kind: ChannelKind,
    /// The environment variable that holds the URL.
    #[serde(default)]
    pub url_env: Option<String>,
    /// A file that holds the URL (one line); relative to the config file.
    #[serde(default)]
    pub url_file: Option<PathBuf>,
    /// `webhook` only: the environment variable that holds the HMAC-SHA256 key.
    #[serde(default)]
    pub secret_env: Option<String>,
    /// Seconds to wait for the service before an attempt counts as failed [default: 30].
    #[serde(default)]
    pub timeout_secs: Option<u64>,
}

// Never the URL: it is not here, but keep Debug to what is safe to show anyway.
impl std::fmt::Debug for ChannelConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChannelConfig")
            .field("kind", &self.kind)
            .field("url_env", &self.url_env)
            .finish_non_exhaustive()
    }
}

/// `[proxy]`: the proxy channel posts go through, and the root of a TLS-inspecting proxy.
/// Without it, the environment (`https_proxy`, `no_proxy`) and the system's settings apply.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProxyConfig {
    /// `http://proxy.city.example.jp:8080`; none: no proxy at all, not even the system's.
    #[serde(default)]
    pub url: Option<String>,
    /// Hosts reached directly (`localhost,.city.example.jp`).
    #[serde(default)]
    pub no_proxy: Option<String>,
    /// An extra root certificate (PEM) for HTTPS, e.g. the proxy's own; relative to this file.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
}

/// The character set of message bodies and headers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub enum Charset {
    /// UTF-8 (default): every current mail system reads it.
    #[default]
    #[serde(rename = "utf-8", alias = "utf8", alias = "UTF-8")]
    Utf8,
    /// ISO-2022-JP (JIS), for old mail systems that garble UTF-8.
    #[serde(rename = "iso-2022-jp", alias = "ISO-2022-JP")]
    Iso2022Jp,
}

/// `[mail]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailConfig {
    /// The sender address when there is no `[smtp]` [default: `hikeshi@localhost`].
    #[serde(default)]
    pub from: Option<String>,
    /// The sender's display name [default: the organisation's name and `（hikeshi）`].
    #[serde(default)]
    pub from_name: Option<String>,
    /// `utf-8` (default) or `iso-2022-jp`.
    #[serde(default)]
    pub charset: Charset,
}

/// A TOML error as "line L, column C: what", without the offending line itself: the line
/// may hold a password typed in the wrong place.
fn parse_message(text: &str, error: &toml::de::Error) -> String {
    // serde quotes the offending value ("invalid type: string \"…\""): leave it out.
    let mut message = String::new();
    for (i, part) in error.message().trim().split('"').enumerate() {
        match i {
            0 => message.push_str(part),
            _ if i % 2 == 1 => message.push_str("\"…\""),
            _ => message.push_str(part),
        }
    }
    if message.contains("unknown field `url`") {
        message = "webhook URLs are secrets and do not go in hikeshi.toml: set url_env to the \
                   name of an environment variable holding it, or url_file to a file"
            .into();
    }
    if message.contains("unknown field `password`") {
        message = "passwords do not go in hikeshi.toml: set password_env to the name of an \
                   environment variable and put the password there"
            .into();
    }
    match error.span() {
        Some(span) => {
            let before = text.get(..span.start).unwrap_or_default();
            let line = before.matches('\n').count() + 1;
            let column = before
                .rsplit('\n')
                .next()
                .unwrap_or_default()
                .chars()
                .count()
                + 1;
            format!("line {line}, column {column}: {message}")
        }
        None => message,
    }
}

fn is_variable_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Where messages go, followed by the channels' names (never their URLs):
/// `smtp.example.jp:587 + koho-teams, bousai-lw`.
pub fn with_channels<'a>(mail: String, names: impl Iterator<Item = &'a String>) -> String {
    let names: Vec<&str> = names.map(String::as_str).collect();
    if names.is_empty() {
        mail
    } else {
        format!("{mail} + {}", names.join(", "))
    }
}

/// The first key (as `[table] key`, escaped) whose name or string value holds a control
/// or invisible character (`text::bad_in_name`), and the character.
fn control_in(table: &toml::Table, at: &str) -> Option<(String, char)> {
    fn value(v: &toml::Value, key: &str) -> Option<(String, char)> {
        match v {
            toml::Value::String(s) => crate::text::bad_in_name(s).map(|c| (key.to_string(), c)),
            toml::Value::Array(items) => items.iter().find_map(|i| value(i, key)),
            toml::Value::Table(t) => control_in(t, key),
            _ => None,
        }
    }
    table.iter().find_map(|(k, v)| {
        let name = crate::text::shown(k);
        let key = match (at.is_empty(), v) {
            (true, toml::Value::Table(_)) => format!("[{name}]"),
            (true, _) => name.into_owned(),
            (false, toml::Value::Table(_)) => format!("{}.{name}]", at.trim_end_matches(']')),
            (false, _) => format!("{at} {name}"),
        };
        crate::text::bad_in_name(k)
            .map(|c| (key.clone(), c))
            .or_else(|| value(v, &key))
    })
}

/// Each channel names its URL once (`url_env` or `url_file`), a secret only for `webhook`,
/// and a name that divisions.yaml can write (letters, digits, `-`, `_`).
fn check_channels(path: &Path, config: &Config) -> Result<(), ConfigError> {
    for (name, channel) in &config.channels {
        let problem = if !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            Some(format!(
                "[channels.{}]: a channel name is letters, digits, - and _",
                name.escape_debug()
            ))
        } else if channel.url_env.is_some() == channel.url_file.is_some() {
            Some(format!(
                "[channels.{name}]: give the URL's place once, as url_env or url_file"
            ))
        } else if channel.secret_env.is_some() && channel.kind != ChannelKind::Webhook {
            Some(format!(
                "[channels.{name}]: secret_env is for kind = \"webhook\" only"
            ))
        } else {
            None
        };
        if let Some(message) = problem {
            return Err(ConfigError::Parse {
                path: path.to_path_buf(),
                message,
            });
        }
    }
    Ok(())
}

impl Config {
    /// Finds and reads the config: `explicit` (from `--config` or `$HIKESHI_CONFIG`, which
    /// must exist), else `./hikeshi.toml` if there is one, else the defaults.
    pub fn load(explicit: Option<&Path>) -> Result<Config, ConfigError> {
        match explicit {
            Some(path) => Config::read(path),
            None => {
                let local = Path::new(CONFIG_FILE);
                if local.is_file() {
                    Config::read(local)
                } else {
                    Ok(Config::default())
                }
            }
        }
    }

    /// Reads one config file.
    pub fn read(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
            path: path.to_path_buf(),
            source: e,
        })?;
        let mut config: Config = toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            message: parse_message(&text, &e),
        })?;
        // Every setting is one line of visible text: a line break in `[imap] username` would
        // go into the login and be printed back raw in its error; an escape sequence would
        // drive the terminal that shows it.
        if let Ok(table) = text.parse::<toml::Table>()
            && let Some((key, c)) = control_in(&table, "")
        {
            let code = format!("U+{:04X}", u32::from(c));
            return Err(ConfigError::Parse {
                path: path.to_path_buf(),
                message: format!(
                    "{key}: a setting may not hold a control character or line break ({code}); \
                     write it on one line"
                ),
            });
        }
        let smtp_var = config.smtp.as_ref().and_then(|s| s.password_env.as_deref());
        let imap_var = config.imap.as_ref().and_then(|s| s.password_env.as_deref());
        let channel_vars = config
            .channels
            .values()
            .flat_map(|c| [c.url_env.as_deref(), c.secret_env.as_deref()]);
        if [smtp_var, imap_var]
            .into_iter()
            .chain(channel_vars)
            .flatten()
            .any(|var| !is_variable_name(var))
        {
            // Never echo it: it may be the password itself, written in the wrong place.
            return Err(ConfigError::Parse {
                path: path.to_path_buf(),
                message: "password_env, url_env and secret_env must be the name of an \
                          environment variable (letters, digits and _), not the secret itself"
                    .into(),
            });
        }
        check_channels(path, &config)?;
        if let Some(message) = config.report.problem() {
            return Err(ConfigError::Parse {
                path: path.to_path_buf(),
                message,
            });
        }
        config.path = Some(path.to_path_buf());
        if let (Some(t), Some(dir)) = (&config.report.templates, path.parent())
            && t.is_relative()
        {
            config.report.templates = Some(dir.join(t));
        }
        if let (Some(imap), Some(dir)) = (&mut config.imap, path.parent())
            && let Some(ca) = imap.ca_file.as_ref().filter(|ca| ca.is_relative())
        {
            imap.ca_file = Some(dir.join(ca));
        }
        for channel in config.channels.values_mut() {
            if let (Some(file), Some(dir)) = (&channel.url_file, path.parent())
                && file.is_relative()
            {
                channel.url_file = Some(dir.join(file));
            }
        }
        if let (Some(proxy), Some(dir)) = (&mut config.proxy, path.parent())
            && let Some(ca) = proxy.ca_file.as_ref().filter(|ca| ca.is_relative())
        {
            proxy.ca_file = Some(dir.join(ca));
        }
        if let Some(smtp) = &mut config.smtp {
            // A relative CA file is next to the config file, wherever hikeshi is run from.
            if let (Some(ca), Some(dir)) = (&smtp.ca_file, path.parent())
                && ca.is_relative()
            {
                smtp.ca_file = Some(dir.join(ca));
            }
        }
        Ok(config)
    }

    /// Where messages go, for people: `host:port`, or `outbox` as the caller shows the
    /// incident's outbox folder.
    pub fn destination(&self, outbox: &str) -> String {
        let mail = match &self.smtp {
            Some(smtp) => format!("{}:{}", smtp.host, smtp.port()),
            None => outbox.to_string(),
        };
        with_channels(mail, self.channels.keys())
    }

    /// The sender address.
    pub fn from_address(&self) -> &str {
        match (&self.smtp, &self.mail.from) {
            (Some(smtp), _) => &smtp.from,
            (None, Some(from)) => from,
            (None, None) => "hikeshi@localhost",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_channel_kind_reads_back_from_its_word() {
        for word in ["line-works", "teams", "slack", "webhook"] {
            assert_eq!(
                ChannelKind::from_word(word).map(ChannelKind::as_str),
                Some(word)
            );
        }
        assert_eq!(ChannelKind::from_word("line_works"), None);
        assert_eq!(ChannelKind::from_word(""), None);
    }

    /// The commented template `hikeshi init` writes must be a valid config once uncommented.
    #[test]
    fn the_example_config_parses_when_uncommented() {
        let text: String = crate::stock::CONFIG
            .text
            .lines()
            .filter_map(|l| {
                let setting = l.strip_prefix("# ")?;
                let key = setting.split(" = ").next().unwrap_or_default();
                (setting.starts_with('[')
                    || (setting.contains(" = ")
                        && key.chars().all(|c| c.is_ascii_lowercase() || c == '_')))
                .then(|| format!("{setting}\n"))
            })
            .collect();
        let config: Config = toml::from_str(&text).unwrap();
        let smtp = config.smtp.unwrap();
        assert_eq!(smtp.port(), 587);
        assert_eq!(smtp.tls, TlsMode::Starttls);
        assert_eq!(config.mail.charset, Charset::Utf8);
        assert!(config.mail.from_name.is_some());
    }

    #[test]
    fn errors_never_show_a_password() {
        let dir = std::env::temp_dir().join(format!("hikeshi-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_default();
        let path = dir.join("hikeshi.toml");
        for text in [
            "[smtp]\nhost = \"h\"\nfrom = \"a@b.jp\"\npassword = \"S3cret-Hunter2\"\n",
            "[smtp]\nhost = \"h\"\nfrom = \"a@b.jp\"\npassword_env = \"S3cret-Hunter2\"\n",
            "[smtp]\nhost = \"h\"\nfrom = \"a@b.jp\"\nport = \"S3cret-Hunter2\"\n",
        ] {
            std::fs::write(&path, text).unwrap_or_default();
            let message = Config::read(&path)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(!message.is_empty(), "{text}");
            assert!(!message.contains("S3cret"), "{message}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_word_report_settings_are_checked_and_default_to_japanese_fonts() {
        let report = |text: &str| -> ReportConfig {
            toml::from_str::<Config>(&format!("[report]\n{text}\n"))
                .map(|c| c.report)
                .unwrap_or_default()
        };
        let plain = report("");
        assert_eq!(plain.body_font(), ["ＭＳ 明朝", "游明朝"]);
        assert_eq!(plain.heading_font(), ["游ゴシック", "ＭＳ ゴシック"]);
        assert_eq!(
            plain.stamps(crate::Lang::Ja),
            ["課長", "課長補佐", "係長", "担当"]
        );
        assert!(plain.problem().is_none());
        let set = report("body_font = [\"BIZ UD明朝\"]\nstamps = []\ndate = \"令和8年11月25日\"");
        assert_eq!(set.body_font(), ["BIZ UD明朝"]);
        assert!(set.stamps(crate::Lang::Ja).is_empty());
        assert!(set.problem().is_none());
        for bad in [
            "body_font = []",
            "heading_font = [\"A, B\"]",
            "document_number = \"第\\n号\"",
            "stamps = [\" \"]",
        ] {
            assert!(report(bad).problem().is_some(), "{bad}");
        }
    }

    #[test]
    fn ports_default_by_tls_mode() {
        let smtp = |tls: &str| -> SmtpConfig {
            let c: Config = toml::from_str(&format!(
                "[smtp]\nhost = \"h\"\nfrom = \"a@b.jp\"\ntls = \"{tls}\"\n"
            ))
            .unwrap();
            c.smtp.unwrap()
        };
        assert_eq!(smtp("starttls").port(), 587);
        assert_eq!(smtp("tls").port(), 465);
        assert_eq!(smtp("none").port(), 25);
    }
}
