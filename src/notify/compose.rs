//! Composing messages: one per division or role of a notify step, from the playbook's
//! templates, as complete RFC 5322 messages (the exact bytes that are saved and sent).

use chrono::{DateTime, FixedOffset};
use lettre::Message;
use lettre::message::header::{
    ContentTransferEncoding, ContentType, HeaderName, HeaderValue, MIME_VERSION_1_0,
};
use lettre::message::{Body, Mailbox};

use super::{NotifyError, reply};
use crate::clock::jst;
use crate::config::{Charset, Config};
use crate::digest::sha256_hex;
use crate::incident::describe::fill;
use crate::incident::witness::{self, id_token as atom};
use crate::incident::{IncidentRecord, Letter, PostStatement, Refusal, files};
use crate::playbook::StepKind;
use crate::tr;

/// The subject prefix of every message of a drill.
pub const EXERCISE_PREFIX: &str = "【訓練】";
/// The header that marks a drill's messages for filters.
pub const EXERCISE_HEADER: &str = "X-Hikeshi-Exercise";
/// The header naming the incident a message belongs to.
pub const INCIDENT_HEADER: &str = witness::INCIDENT_HEADER;

/// A composed message, ready to be saved to the outbox and queued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Composed {
    /// Its number in the incident.
    pub number: u32,
    /// Who it is for, its subject, and where it is saved (`letter.sha256` is that of `bytes`).
    pub letter: Letter,
    /// The body text.
    pub body: String,
    /// The message as saved and sent.
    pub bytes: Vec<u8>,
}

/// Rejects a value that goes into a header if it holds a line break or another control
/// character: such a value could add headers of its own (header injection).
pub(super) fn header_safe(what: &str, value: &str) -> Result<(), NotifyError> {
    match value.chars().find(|c| c.is_control()) {
        Some(c) => Err(NotifyError::ControlCharacter {
            what: what.to_string(),
            value: value.escape_debug().to_string(),
            character: c.escape_unicode().to_string(),
        }),
        None => Ok(()),
    }
}

/// A body may have line breaks and tabs, but no other control character.
pub(super) fn body_safe(what: &str, value: &str) -> Result<(), NotifyError> {
    match value
        .chars()
        .find(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        Some(c) => Err(NotifyError::ControlCharacter {
            what: what.to_string(),
            value: value.escape_debug().to_string(),
            character: c.escape_unicode().to_string(),
        }),
        None => Ok(()),
    }
}

pub(super) fn mailbox(what: &str, name: &str, address: &str) -> Result<Mailbox, NotifyError> {
    header_safe(what, name)?;
    header_safe(what, address)?;
    let parsed = address
        .parse::<lettre::Address>()
        .map_err(|e| NotifyError::BadAddress {
            what: what.to_string(),
            address: address.to_string(),
            reason: e.to_string(),
        })?;
    Ok(Mailbox::new(Some(name.to_string()), parsed))
}

/// Composes the messages of notify step `step_id` at `now`: one per recipient, numbered from
/// the incident's next message number. Nothing is written.
pub fn compose_step(
    record: &IncidentRecord,
    step_id: &str,
    config: &Config,
    now: DateTime<FixedOffset>,
) -> Result<Vec<Composed>, NotifyError> {
    let playbook = &record.playbook;
    let state = &record.state;
    let ix = playbook.graph.find(step_id).ok_or_else(|| {
        NotifyError::Refused(Refusal::UnknownStep {
            step: step_id.to_string(),
            suggestion: crate::playbook::diagnostic::suggest(
                step_id,
                playbook.graph.steps().iter().map(|s| s.id.as_str()),
            ),
        })
    })?;
    let Some(StepKind::Notify(notify)) = playbook.graph.step(ix).map(|s| &s.kind) else {
        return Err(NotifyError::Refused(Refusal::NotANotify {
            step: step_id.to_string(),
        }));
    };
    let mut sender = Sender::new(record, config)?;
    let mut out = Vec::new();
    let recipients = state.recipients(notify, ix);
    for ((name, also), number) in by_address(record, &recipients)?
        .into_iter()
        .zip(state.next_message()..)
    {
        // One person holding several roles is addressed by all of them; a division playing
        // several parts, by its own name once (「総務課 御中」).
        let mut addressed: Vec<&str> = Vec::new();
        for n in std::iter::once(&name).chain(&also) {
            let holder = record.directory.party(n).map_or(n.as_str(), |p| p.id());
            if !addressed.contains(&holder) {
                addressed.push(holder);
            }
        }
        let addressed = addressed.join("・");
        let subject = fill(&notify.subject, record, ix, now, Some(&addressed));
        let body = fill(&notify.body, record, ix, now, Some(&addressed));
        out.push(sender.mail(
            record,
            config,
            Envelope {
                number,
                step_id,
                name,
                also,
                subject,
                body,
                answering: None,
            },
            now,
        )?);
    }
    // Then a post to each chat channel the recipients have, numbered after the mail.
    let first = state.next_message() + u32::try_from(out.len()).unwrap_or(u32::MAX);
    let posts = super::channel::compose_posts(record, ix, notify, &recipients, config, now, first)?;
    out.extend(posts);
    Ok(out)
}

/// Composes the approval request of approval or post step `step_id`: one mail to its
/// approver with the text to approve (the post's statement as it would be published now,
/// or the statements an approval step approves) and how to answer by reply; with the
/// statements as shown, for the request's command (its hashes are of exactly these). Nothing
/// is written.
pub fn compose_approval_request(
    record: &IncidentRecord,
    step_id: &str,
    config: &Config,
    now: DateTime<FixedOffset>,
    lang: crate::Lang,
) -> Result<(Composed, Vec<PostStatement>), NotifyError> {
    let playbook = &record.playbook;
    let unknown = || {
        NotifyError::Refused(Refusal::UnknownStep {
            step: step_id.to_string(),
            suggestion: crate::playbook::diagnostic::suggest(
                step_id,
                playbook.graph.steps().iter().map(|s| s.id.as_str()),
            ),
        })
    };
    let ix = playbook.graph.find(step_id).ok_or_else(unknown)?;
    let step = playbook.graph.step(ix).ok_or_else(unknown)?;
    let approver = match &step.kind {
        StepKind::Post(post) => post.approver.clone(),
        StepKind::Approval { approver } => approver.clone(),
        _ => {
            return Err(NotifyError::Refused(Refusal::NotApprovable {
                step: step_id.to_string(),
            }));
        }
    };
    // The statements exactly as the request shows them: the request records their hashes.
    let statements = crate::incident::statement::covered(record, ix, now)?;
    let mut texts = String::new();
    for s in &statements {
        let title = playbook
            .graph
            .find(&s.step)
            .and_then(|p| playbook.graph.step(p))
            .map_or("", |p| p.title.as_str());
        let text = &s.statement.text;
        texts.push_str(&format!("■ {title}\n----\n{text}\n----\n\n"));
    }
    if texts.is_empty() {
        texts = tr!(
            lang,
            "（この手順に公表文はありません。手順「{}」の実施について承認を求めます）\n\n",
            "(this step has no statement: approval is asked for “{}” itself)\n\n",
            step.title
        );
    }
    let title = &record.state.title;
    let subject = tr!(
        lang,
        "【承認依頼】{}（{title}）",
        "[Approval request] {} ({title})",
        step.title
    );
    // A part is greeted with who plays it: 「発信管理者（総務課） 様」.
    let greeted = record.directory.label(&approver, lang);
    let body = tr!(
        lang,
        "{greeted} 様\n\n事案「{title}」について、次の内容の承認をお願いします。\n\n{texts}\
承認する場合は、このメールに返信し、本文の1行目に「承認」と書いてください。\n\
承認しない場合は、1行目に「却下」と理由を書いてください（例: 却下 日付の表記を確認のこと）。\n\
件名の [HK-…] は消さずに返信してください。返信は、このメールのあて先のアドレスから送られたものだけを記録します。\n\
この依頼の後に文面が変わった場合（担当者の編集を含む。掲載日時の表記は除く）、返信は承認として記録されません。その場合は改めて依頼します。\n",
        "Dear {greeted},\n\nplease approve the following for the incident “{title}”.\n\n{texts}\
To approve, reply to this mail with 承認 on the first line of your reply.\n\
To refuse, write 却下 and your reason on the first line (e.g. 却下 check the date).\n\
Keep the [HK-…] code in the subject. Only a reply from the address this mail went to is recorded.\n\
If the text changes after this request (an edit included; the date and time of posting aside), the reply is not recorded as an approval; you will then be asked again.\n"
    );
    let mut sender = Sender::new(record, config)?;
    let also = Vec::new();
    let mut composed = sender.mail(
        record,
        config,
        Envelope {
            number: record.state.next_message(),
            step_id,
            name: approver,
            also,
            subject,
            body,
            answering: None,
        },
        now,
    )?;
    composed.letter.file = format!(
        "{}/{:04}-{step_id}-approval.eml",
        files::OUTBOX,
        composed.number
    );
    Ok((composed, statements))
}

/// Composes the answer to a reply that counts as nothing: to the replier, in the thread of
/// the message it answers (its code in the subject), saying why and what to reply. Nothing
/// is written.
pub fn compose_answer(
    record: &IncidentRecord,
    message: u32,
    reply: &crate::incident::event::Reply,
    issue: crate::incident::event::ReplyIssue,
    config: &Config,
    now: DateTime<FixedOffset>,
    lang: crate::Lang,
) -> Result<Composed, NotifyError> {
    use crate::incident::event::ReplyIssue;
    let answered = record.state.message(message).ok_or_else(|| {
        NotifyError::Refused(Refusal::UnknownMessage {
            message: format!("#{message}"),
        })
    })?;
    let code = answered.letter.reply_code.clone().unwrap_or_default();
    let original = answered
        .letter
        .subject
        .strip_prefix(EXERCISE_PREFIX)
        .unwrap_or(&answered.letter.subject);
    let subject = tr!(lang, "Re: {original}", "Re: {original}");
    let approval = answered.letter.approval.is_some();
    let why = crate::incident::describe::reply_issue(issue, reply, lang);
    let what = match issue {
        ReplyIssue::TextChanged => tr!(
            lang,
            "承認をお願いした後に文面が変わったため、このご返信は承認として記録していません。\
担当者が新しい文面で改めて承認をお願いしますので、そちらにご返信ください。",
            "The text changed after approval was asked, so your reply is not recorded as an \
approval. The person on duty will ask again with the new text: please answer that request."
        ),
        ReplyIssue::Superseded => tr!(
            lang,
            "この依頼への回答はすでに記録されたか、新しい依頼に置き換わっています。新しい依頼のメールがある場合は、そちらに返信してください。",
            "This request was answered already or replaced by a newer one. If there is a newer request, please answer that one."
        ),
        ReplyIssue::StepSettled | ReplyIssue::NotApplicable | ReplyIssue::Replaced => tr!(
            lang,
            "ご返信は受け取りましたが、記録には数えていません。ご不明な点は担当者に電話でお問い合わせください。",
            "Your reply was received but does not count. Please phone the person on duty with any question."
        ),
        _ if approval => tr!(
            lang,
            "承認する場合は、このメールに返信し、本文の1行目に「承認」とだけ書いてください。\n\
承認しない場合は、1行目に「却下」と理由を書いてください（例: 却下 日付の表記を確認のこと）。\n\
条件付きの承認や質問は記録できません。担当者に電話でお伝えください。",
            "To approve, reply to this mail with only 承認 (or OK) on the first line.\n\
To refuse, write 却下 and your reason on the first line (e.g. 却下 check the date).\n\
A conditional approval or a question cannot be recorded: please phone the person on duty."
        ),
        _ => tr!(
            lang,
            "内容を確認した場合は、このメールに返信し、本文の1行目に「了解」とだけ書いてください。\n\
ご質問は担当者に電話でお伝えください。",
            "If you have read the message, reply to this mail with only 了解 (acknowledged) on the \
first line.\nPlease phone the person on duty with any question."
        ),
    };
    let title = &record.state.title;
    // Greeted as the answered mail greeted them: whoever plays the part.
    let name = record
        .directory
        .party(&answered.letter.to)
        .map_or(answered.letter.to.as_str(), |p| p.id());
    let body = tr!(
        lang,
        "{name} 様\n\n事案「{title}」の通知 #{message} へのご返信を受け取りましたが、記録に数えていません。\n\
理由: {why}\n\n{what}\n\n件名の [{code}] は消さずに返信してください。\n",
        "Dear {name},\n\nyour reply to message #{message} of the incident “{title}” was received \
but does not count.\nWhy: {why}\n\n{what}\n\nKeep [{code}] in the subject when you reply.\n"
    );
    let mut sender = Sender::new(record, config)?;
    let mut composed = sender.mail(
        record,
        config,
        Envelope {
            number: record.state.next_message(),
            step_id: &answered.step,
            name: answered.letter.to.clone(),
            also: Vec::new(),
            subject,
            body,
            answering: Some(Answering {
                reply_id: &reply.reply_id,
                message_id: &answered.letter.message_id,
            }),
        },
        now,
    )?;
    composed.letter.file = format!(
        "{}/{:04}-{}-answer.eml",
        files::OUTBOX,
        composed.number,
        answered.step
    );
    Ok(composed)
}

/// Who sends an incident's mail, and the thread it goes in.
struct Sender {
    from: Mailbox,
    domain: String,
    token: String,
    /// The incident's first mail: later ones thread under it (a chat post has no Message-ID).
    root: Option<String>,
}

/// One message to compose: its number, step, recipient (and the roles it also stands for),
/// subject and body as filled in.
struct Envelope<'a> {
    number: u32,
    step_id: &'a str,
    name: String,
    also: Vec<String>,
    subject: String,
    body: String,
    /// An answer to a reply: the subject already carries the answered message's code.
    answering: Option<Answering<'a>>,
}

/// The reply an answer is about, and the message that reply answered.
#[derive(Clone, Copy)]
struct Answering<'a> {
    /// The reply's Message-ID.
    reply_id: &'a str,
    /// The answered message's Message-ID.
    message_id: &'a str,
}

impl Sender {
    fn new(record: &IncidentRecord, config: &Config) -> Result<Sender, NotifyError> {
        let from_address = config.from_address();
        let from_name = config
            .mail
            .from_name
            .clone()
            .unwrap_or_else(|| format!("{}（hikeshi）", record.directory.organization));
        Ok(Sender {
            from: mailbox("the sender", &from_name, from_address)?,
            domain: from_address
                .rsplit_once('@')
                .map_or("localhost", |(_, d)| d)
                .to_string(),
            token: incident_token(record),
            root: record
                .state
                .messages
                .iter()
                .find(|m| m.letter.channel.is_none())
                .map(|m| m.letter.message_id.clone()),
        })
    }

    /// The message as saved and sent: the reply code in its subject, the drill's marks, the
    /// journal's head as a witness at the end of the body.
    fn mail(
        &mut self,
        record: &IncidentRecord,
        config: &Config,
        envelope: Envelope<'_>,
        now: DateTime<FixedOffset>,
    ) -> Result<Composed, NotifyError> {
        let Envelope {
            number,
            step_id,
            name,
            also,
            mut subject,
            mut body,
            answering,
        } = envelope;
        let state = &record.state;
        let party = record
            .directory
            .party(&name)
            .ok_or_else(|| NotifyError::UnknownRecipient { name: name.clone() })?;
        // The letter keeps the name the playbook uses (a part, 広報担当課); the mail shows
        // whoever plays it (総務課).
        let to = mailbox(&name, party.id(), party.email())?;
        header_safe("the subject", &subject)?;
        // An answer keeps the answered message's code (one code per subject); any other
        // message gets a code of its own.
        let code = match answering {
            Some(_) => None,
            None => {
                let code = reply::new_code()?;
                subject = reply::tag_subject(&subject, &code);
                Some(code)
            }
        };
        body_safe("the body", &body)?;
        if state.exercise {
            if !subject.starts_with(EXERCISE_PREFIX) {
                subject = format!("{EXERCISE_PREFIX}{subject}");
            }
            body = format!(
                "【訓練】これは訓練（机上訓練）のメールです。実際の事案ではありません。\n\n{body}"
            );
        }
        // The journal's head as it stands now: each recipient's mailbox keeps a witness that
        // shows if the journal is later cut back (see `incident::witness`).
        body = format!(
            "{body}\n\n-- \n{}\n",
            witness::footer(record.entries, &record.head)
        );
        let message_id = format!(
            "hikeshi.{}.{number}.{}@{}",
            atom(&record.id),
            self.token,
            self.domain
        );
        let bytes = build(BuildParts {
            from: &self.from,
            to: &to,
            subject: &subject,
            body: &body,
            message_id: &message_id,
            root: answering.map_or(self.root.as_deref(), |a| Some(a.message_id)),
            answering: answering.map(|a| a.reply_id),
            now,
            incident: &record.id,
            head: (record.entries, &record.head),
            exercise: state.exercise,
            charset: config.mail.charset,
        })?;
        if self.root.is_none() {
            self.root = Some(message_id.clone());
        }
        let file = format!("{}/{number:04}-{step_id}.eml", files::OUTBOX);
        Ok(Composed {
            number,
            letter: Letter {
                to: name,
                address: party.email().to_string(),
                subject,
                file,
                sha256: sha256_hex(&bytes),
                message_id,
                reply_code: code,
                channel: None,
                also,
                approval: None,
                answers: answering.map(|a| a.reply_id.to_string()),
            },
            body,
            bytes,
        })
    }
}

/// The recipients grouped by mail address (compared without case), in order: each group's
/// first name gets the message, the others are told by it.
fn by_address(
    record: &IncidentRecord,
    recipients: &[String],
) -> Result<Vec<(String, Vec<String>)>, NotifyError> {
    let mut groups: Vec<(String, String, Vec<String>)> = Vec::new();
    for name in recipients {
        let address = record
            .directory
            .party(name)
            .ok_or_else(|| NotifyError::UnknownRecipient { name: name.clone() })?
            .email()
            .to_lowercase();
        match groups.iter_mut().find(|(a, _, _)| *a == address) {
            Some((_, _, also)) => also.push(name.clone()),
            None => groups.push((address, name.clone(), Vec::new())),
        }
    }
    Ok(groups.into_iter().map(|(_, n, also)| (n, also)).collect())
}

/// The first hash of the journal is unique to this incident: with the message number it
/// makes a Message-ID (or a post's idempotency key) no other incident or machine produces.
pub(super) fn incident_token(record: &IncidentRecord) -> String {
    record
        .first_hash
        .as_deref()
        .unwrap_or_default()
        .chars()
        .take(12)
        .collect()
}

#[derive(Clone, Copy)]
struct BuildParts<'a> {
    from: &'a Mailbox,
    to: &'a Mailbox,
    subject: &'a str,
    body: &'a str,
    message_id: &'a str,
    root: Option<&'a str>,
    /// The reply this message answers (its Message-ID), after `root` in the thread.
    answering: Option<&'a str>,
    now: DateTime<FixedOffset>,
    incident: &'a str,
    /// The journal's last seq and hash when the message is composed.
    head: (u64, &'a str),
    exercise: bool,
    charset: Charset,
}

fn build(p: BuildParts<'_>) -> Result<Vec<u8>, NotifyError> {
    let mut builder = Message::builder()
        // RFC 2045 §4: a message with MIME headers MUST say so, or a receiver may ignore its
        // Content-Type and charset (lettre adds it for multipart messages only).
        .header(MIME_VERSION_1_0)
        .from(p.from.clone())
        .to(p.to.clone())
        .subject(p.subject)
        .message_id(Some(format!("<{}>", p.message_id)))
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str(INCIDENT_HEADER),
            atom(p.incident),
        ))
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str(witness::HEADER),
            witness::header_value(p.head.0, p.head.1),
        ));
    match (p.root, p.answering) {
        (Some(root), Some(reply)) => {
            // An automatic answer (RFC 3834): auto-responders do not answer it in turn.
            builder = builder
                .in_reply_to(format!("<{reply}>"))
                .references(format!("<{root}> <{reply}>"))
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("Auto-Submitted"),
                    "auto-replied".to_string(),
                ));
        }
        (Some(root), None) => {
            builder = builder
                .in_reply_to(format!("<{root}>"))
                .references(format!("<{root}>"));
        }
        (None, _) => {}
    }
    if p.exercise {
        builder = builder.raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str(EXERCISE_HEADER),
            "yes".to_string(),
        ));
    }
    let jis = match p.charset {
        Charset::Iso2022Jp => iso_2022_jp(p),
        Charset::Utf8 => None,
    };
    let mut message = match &jis {
        Some(jis) => {
            // ISO-2022-JP is 7-bit with escape sequences, which lettre's 7-bit check refuses
            // as control characters; `iso_2022_jp` has made sure the lines are short.
            let body =
                Body::dangerous_pre_encoded(jis.body.clone(), ContentTransferEncoding::SevenBit);
            builder
                .header(
                    ContentType::parse("text/plain; charset=ISO-2022-JP")
                        .map_err(|e| NotifyError::Compose(e.to_string()))?,
                )
                .body(body)
        }
        None => builder
            .header(ContentType::TEXT_PLAIN)
            .body(p.body.to_string()),
    }
    .map_err(|e| NotifyError::Compose(e.to_string()))?;
    // lettre writes Date in UTC; the recipients read Japan time.
    message.headers_mut().insert_raw(HeaderValue::new(
        HeaderName::new_from_ascii_str("Date"),
        p.now.with_timezone(&jst()).to_rfc2822(),
    ));
    if let Some(jis) = jis {
        for (name, raw, encoded) in [
            ("Subject", p.subject.to_string(), jis.subject),
            ("From", p.from.to_string(), jis.from),
            ("To", p.to.to_string(), jis.to),
        ] {
            message
                .headers_mut()
                .insert_raw(HeaderValue::dangerous_new_pre_encoded(
                    HeaderName::new_from_ascii_str(name),
                    raw,
                    encoded,
                ));
        }
    }
    Ok(message.formatted())
}

/// A message's text in ISO-2022-JP: encoded words for the headers, 7-bit bytes for the body.
struct Jis {
    subject: String,
    from: String,
    to: String,
    body: Vec<u8>,
}

/// Encodes the parts in ISO-2022-JP, or `None` when a character has no JIS code (an emoji,
/// for one): such a message is sent in UTF-8 rather than with the character lost.
fn iso_2022_jp(p: BuildParts<'_>) -> Option<Jis> {
    let body_text = p.body.replace("\r\n", "\n").replace('\n', "\r\n");
    let (body, _, lossy) = encoding_rs::ISO_2022_JP.encode(&body_text);
    // SMTP limits a line to 998 bytes; a longer one goes in UTF-8 (base64) instead.
    if lossy || body.split(|b| *b == b'\n').any(|line| line.len() > 900) {
        return None;
    }
    let mailbox = |m: &Mailbox| -> Option<String> {
        Some(match &m.name {
            // lettre quotes an ASCII name with specials (`Sales, Tokyo`) as RFC 5322 asks.
            Some(name) if name.is_ascii() => m.to_string(),
            Some(name) => format!("{} <{}>", encoded_words(name)?, m.email),
            None => format!("<{}>", m.email),
        })
    };
    Some(Jis {
        subject: encoded_words(p.subject)?,
        from: mailbox(p.from)?,
        to: mailbox(p.to)?,
        body: body.into_owned(),
    })
}

/// RFC 2047 encoded words in ISO-2022-JP, each chunk closed back in ASCII so it stands alone,
/// folded one per line.
fn encoded_words(text: &str) -> Option<String> {
    use base64::Engine as _;
    if text.is_ascii() && !text.contains("=?") {
        return Some(text.to_string());
    }
    let chars: Vec<char> = text.chars().collect();
    let mut words = Vec::new();
    for chunk in chars.chunks(10) {
        let chunk: String = chunk.iter().collect();
        let (bytes, _, lossy) = encoding_rs::ISO_2022_JP.encode(&chunk);
        if lossy {
            return None;
        }
        words.push(format!(
            "=?ISO-2022-JP?B?{}?=",
            base64::engine::general_purpose::STANDARD.encode(&bytes)
        ));
    }
    Some(words.join("\r\n "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts<'a>(from: &'a Mailbox, to: &'a Mailbox, subject: &'a str) -> BuildParts<'a> {
        BuildParts {
            from,
            to,
            subject,
            body: "本文です。\n二行目。",
            message_id: "m@city.example.jp",
            root: None,
            answering: None,
            now: chrono::DateTime::parse_from_rfc3339("2026-11-20T22:05:00+09:00")
                .unwrap_or_default(),
            incident: "20261120-2205-x",
            head: (1, "00"),
            exercise: false,
            charset: Charset::Iso2022Jp,
        }
    }

    #[test]
    fn iso_2022_jp_quotes_ascii_names_so_they_stay_one_address() {
        let from = mailbox("from", "Sales, Tokyo", "koho@city.example.jp").unwrap_or_else(|e| {
            unreachable!("{e}");
        });
        let to = mailbox("to", "広報広聴課", "koho@city.example.jp").unwrap_or_else(|e| {
            unreachable!("{e}");
        });
        let jis = iso_2022_jp(parts(&from, &to, "件名")).unwrap_or_else(|| unreachable!());
        assert_eq!(jis.from, "\"Sales, Tokyo\" <koho@city.example.jp>");
        assert!(jis.to.starts_with("=?ISO-2022-JP?B?"), "{}", jis.to);
        // A character JIS lacks: the message goes in UTF-8 instead.
        assert!(iso_2022_jp(parts(&from, &to, "🚒の件")).is_none());
    }

    #[test]
    fn the_message_id_survives_a_renamed_folder() {
        assert_eq!(atom("20261120-2205 コピー"), "20261120-2205----");
        assert_eq!(atom("20261120-2205-x.2"), "20261120-2205-x.2");
    }
}
