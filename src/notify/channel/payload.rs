//! The JSON each service renders, from one [`Post`]. Pure: the bytes saved in the outbox
//! and sent are exactly these.
//!
//! - LINE WORKS (Incoming Webhook app): `{"title", "body": {"text"}}`.
//! - Teams (Workflows "when a webhook request is received"): a `message` whose one attachment
//!   is an Adaptive Card (`application/vnd.microsoft.card.adaptive`).
//! - Slack (incoming webhook): `text` (the notification's fallback) and `blocks`.
//! - webhook: hikeshi's own JSON (format 1, docs/notifications.md) with an idempotency key.

use serde_json::{Value, json};

use super::Post;
use crate::config::ChannelKind;

/// Slack's limits on a header block's and a section's text (characters).
const SLACK_HEADER_MAX: usize = 150;
const SLACK_SECTION_MAX: usize = 3000;

/// The payload of `post` for a channel of `kind`, as bytes (compact JSON, UTF-8).
pub fn render(kind: ChannelKind, post: &Post) -> Vec<u8> {
    let value = match kind {
        ChannelKind::LineWorks => line_works(post),
        ChannelKind::Teams => teams(post),
        ChannelKind::Slack => slack(post),
        ChannelKind::Webhook => webhook(post),
    };
    // A Value with string keys always serializes.
    serde_json::to_vec(&value).unwrap_or_default()
}

/// The lines under the text that say where the post comes from.
fn facts(post: &Post) -> [(&'static str, String); 3] {
    let ((incident, title), (step, step_title)) = (&post.incident, &post.step);
    [
        ("お願い", post.asked.clone()),
        ("事案", format!("{title}（{incident}）")),
        ("手順", format!("{step_title}（{step}）")),
    ]
}

/// The whole text with its facts, for services that show one block of text.
fn plain(post: &Post) -> String {
    let mut text = post.text.clone();
    text.push('\n');
    for (label, value) in facts(post) {
        text.push_str(&format!("\n{label}: {value}"));
    }
    text
}

fn line_works(post: &Post) -> Value {
    json!({ "title": post.title, "body": { "text": plain(post) } })
}

fn teams(post: &Post) -> Value {
    let facts: Vec<Value> = facts(post)
        .into_iter()
        .map(|(title, value)| json!({ "title": title, "value": value }))
        .collect();
    let card = json!({
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
            {
                "type": "TextBlock",
                "text": post.title,
                "weight": "Bolder",
                "size": "Medium",
                "wrap": true,
                "color": if post.exercise { "Warning" } else { "Attention" },
            },
            { "type": "TextBlock", "text": post.text, "wrap": true },
            { "type": "FactSet", "facts": facts },
        ],
    });
    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": card,
        }],
    })
}

/// At most `max` characters, the last one `…` when cut.
fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

fn slack(post: &Post) -> Value {
    // plain_text everywhere: nothing in the text is read as Slack markup or a mention.
    let plain_text = |text: String| json!({ "type": "plain_text", "text": text });
    let context: Vec<Value> = facts(post)
        .into_iter()
        .skip(1)
        .map(|(label, value)| plain_text(cut(&format!("{label}: {value}"), SLACK_SECTION_MAX)))
        .collect();
    json!({
        "text": cut(&post.title, SLACK_SECTION_MAX),
        "blocks": [
            { "type": "header", "text": plain_text(cut(&post.title, SLACK_HEADER_MAX)) },
            { "type": "section", "text": plain_text(cut(&post.text, SLACK_SECTION_MAX)) },
            { "type": "section", "text": plain_text(cut(&format!("お願い: {}", post.asked), SLACK_SECTION_MAX)) },
            { "type": "context", "elements": context },
        ],
    })
}

fn webhook(post: &Post) -> Value {
    let ((incident, title), (step, step_title)) = (&post.incident, &post.step);
    json!({
        "format": 1,
        "idempotency_key": post.key,
        "message": post.message,
        "created_at": post.at.to_rfc3339(),
        "exercise": post.exercise,
        "incident": { "id": incident, "title": title },
        "step": { "id": step, "title": step_title },
        "to": post.to,
        "channel": post.channel,
        "title": post.title,
        "text": post.text,
        "asked": post.asked,
        "journal": { "seq": post.journal.0, "sha256": post.journal.1 },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slack_cuts_to_its_limits_by_characters() {
        let long = "火".repeat(200);
        let cut_title = cut(&long, SLACK_HEADER_MAX);
        assert_eq!(cut_title.chars().count(), SLACK_HEADER_MAX);
        assert!(cut_title.ends_with('…'));
        assert_eq!(cut("短い", SLACK_HEADER_MAX), "短い");
    }
}
