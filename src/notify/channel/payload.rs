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

/// Slack's limits on a header block's and a section's text (characters): Block Kit's
/// reference, api.slack.com/reference/block-kit/blocks (header: 150, section: 3000).
const SLACK_HEADER_MAX: usize = 150;
const SLACK_SECTION_MAX: usize = 3000;
/// LINE WORKS: a bot's text message holds at most 2,000 characters
/// (developers.worksmobile.com/en/docs/bot-send-text, "Maximum length: 2,000 characters"); the
/// Incoming Webhook app posts through its own bot, so its `body.text` is held to the same.
/// Its documentation (developers.worksmobile.com/jp/docs/webhook) names no limit for the
/// title: 200 characters is this code's own bound, a title being one line.
const LINE_WORKS_TEXT_MAX: usize = 2000;
const LINE_WORKS_TITLE_MAX: usize = 200;
/// Teams: "The message size limit is 28 KB" for a webhook's message, the card included
/// (learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors/how-to/add-incoming-webhook;
/// the Workflows connector says "about 28 KB", learn.microsoft.com/connectors/teams). The
/// whole payload is kept under this many bytes; the title under a line's worth of characters.
const TEAMS_MAX_BYTES: usize = 27 * 1024;
const TEAMS_TITLE_MAX: usize = 200;
/// A fact's value on the card (the incident's and step's titles, what is asked): bounded so
/// that the facts alone never fill the card.
const TEAMS_FACT_MAX: usize = 500;

/// The payload of `post` for a channel of `kind`, as bytes (compact JSON, UTF-8).
pub fn render(kind: ChannelKind, post: &Post) -> Vec<u8> {
    let value = match kind {
        ChannelKind::LineWorks => line_works(post),
        ChannelKind::Teams => return teams(post),
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

/// The facts under the text, one `label: value` line each.
fn facts_text(post: &Post) -> String {
    let lines: Vec<String> = facts(post)
        .into_iter()
        .map(|(label, value)| format!("{label}: {value}"))
        .collect();
    lines.join("\n")
}

fn line_works(post: &Post) -> Value {
    // The facts are kept whole; the text gives way to them.
    let facts = facts_text(post);
    let room = LINE_WORKS_TEXT_MAX.saturating_sub(facts.chars().count() + 2);
    let text = format!("{}\n\n{facts}", cut(&post.text, room));
    json!({
        "title": cut(&post.title, LINE_WORKS_TITLE_MAX),
        "body": { "text": cut(&text, LINE_WORKS_TEXT_MAX) },
    })
}

/// A run of text in a card: a `TextRun`, which Adaptive Cards never read as Markdown ("Text
/// to display. Markdown is not supported.", schemas/1.4.0/adaptive-card.json), unlike a
/// `TextBlock` or a `FactSet`, whose `[a](https://…)`, `**` and `- ` Teams renders.
fn run(text: &str) -> Value {
    json!({ "type": "TextRun", "text": text })
}

/// The card for Teams, cut to the service's size: one `RichTextBlock` per line of the text
/// (a `TextBlock` joins single line breaks into one paragraph, microsoft/AdaptiveCards#5538),
/// a blank line kept as space above the next line.
fn teams(post: &Post) -> Vec<u8> {
    let lines: Vec<&str> = post.text.lines().collect();
    let mut budget = post.text.chars().count();
    loop {
        let bytes = teams_card(post, &lines, budget);
        if bytes.len() <= TEAMS_MAX_BYTES || budget == 0 {
            return bytes;
        }
        // Shrink the text in proportion to the excess (UTF-8 and JSON make bytes ≠ chars),
        // at least by one character, until the payload fits.
        let keep = budget * TEAMS_MAX_BYTES / bytes.len();
        budget = keep.min(budget - 1);
    }
}

/// The Teams payload with the text's first `budget` characters (`…` where it was cut).
fn teams_card(post: &Post, lines: &[&str], budget: usize) -> Vec<u8> {
    let mut body = vec![json!({
        "type": "RichTextBlock",
        "inlines": [{
            "type": "TextRun",
            "text": cut(&post.title, TEAMS_TITLE_MAX),
            "weight": "Bolder",
            "size": "Medium",
            "color": if post.exercise { "Warning" } else { "Attention" },
        }],
    })];
    let mut left = budget;
    let mut gap = false;
    for line in lines {
        if left == 0 {
            break;
        }
        if line.trim().is_empty() {
            gap = true;
            continue;
        }
        let count = line.chars().count();
        let shown = if count <= left {
            left -= count;
            (*line).to_string()
        } else {
            let shown = cut(line, left.max(1));
            left = 0;
            if !shown.ends_with('…') {
                format!("{shown}…")
            } else {
                shown
            }
        };
        let mut block = json!({ "type": "RichTextBlock", "inlines": [run(&shown)] });
        // Lines of one paragraph sit together; a blank line leaves space above the next.
        block["spacing"] = json!(if gap { "Medium" } else { "None" });
        gap = false;
        body.push(block);
    }
    for (i, (label, value)) in facts(post).into_iter().enumerate() {
        let mut block = json!({
            "type": "RichTextBlock",
            "inlines": [
                { "type": "TextRun", "text": format!("{label}: "), "weight": "Bolder" },
                run(&cut(&value, TEAMS_FACT_MAX)),
            ],
        });
        block["spacing"] = json!(if i == 0 { "Medium" } else { "None" });
        body.push(block);
    }
    let card = json!({
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    });
    let message = json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": card,
        }],
    });
    serde_json::to_vec(&message).unwrap_or_default()
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

/// `text` as Slack reads it literally: `&`, `<` and `>` are its control characters
/// (`<!channel>`, `<@U123>`, `<https://…|link>`) in every text field, `plain_text` and the
/// top-level `text` included, and are sent as `&amp;`, `&lt;`, `&gt;`
/// (api.slack.com/reference/surfaces/formatting#escaping). Cut to `max` characters as Slack
/// counts them, the entities whole.
fn slack_text(text: &str, max: usize) -> String {
    let escape = |c: char| match c {
        '&' => "&amp;".to_string(),
        '<' => "&lt;".to_string(),
        '>' => "&gt;".to_string(),
        c => c.to_string(),
    };
    let whole: String = text.chars().map(escape).collect();
    if whole.chars().count() <= max {
        return whole;
    }
    let mut out = String::new();
    let mut count = 0;
    for c in text.chars() {
        let piece = escape(c);
        let n = piece.chars().count();
        if count + n > max.saturating_sub(1) {
            break;
        }
        count += n;
        out.push_str(&piece);
    }
    out.push('…');
    out
}

fn slack(post: &Post) -> Value {
    // plain_text everywhere, and &, <, > escaped: nothing in the text is read as Slack
    // markup, a link or a mention.
    let plain_text = |text: String| json!({ "type": "plain_text", "text": text });
    let context: Vec<Value> = facts(post)
        .into_iter()
        .skip(1)
        .map(|(label, value)| {
            plain_text(slack_text(&format!("{label}: {value}"), SLACK_SECTION_MAX))
        })
        .collect();
    json!({
        "text": slack_text(&post.title, SLACK_SECTION_MAX),
        "blocks": [
            { "type": "header", "text": plain_text(slack_text(&post.title, SLACK_HEADER_MAX)) },
            { "type": "section", "text": plain_text(slack_text(&post.text, SLACK_SECTION_MAX)) },
            { "type": "section", "text": plain_text(slack_text(&format!("お願い: {}", post.asked), SLACK_SECTION_MAX)) },
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

    fn post(title: &str, text: &str) -> Post {
        Post {
            key: "k".into(),
            message: 1,
            incident: ("20261120-2205-x".into(), "乗っ取り".into()),
            exercise: false,
            step: ("first-report".into(), "第一報".into()),
            to: "広報広聴課".into(),
            channel: "koho".into(),
            title: title.into(),
            text: text.into(),
            asked: "確認してください。".into(),
            at: chrono::DateTime::parse_from_rfc3339("2026-11-20T22:05:00+09:00")
                .unwrap_or_default(),
            journal: (1, "0".repeat(64)),
        }
    }

    #[test]
    fn line_works_and_teams_are_cut_to_their_limits() {
        // 400 lines of 30 characters: 12,000 characters, some 36 KB in UTF-8.
        let text = vec!["火".repeat(30); 400].join("\n");
        let long = post(&"題".repeat(500), &text);
        let lw: Value =
            serde_json::from_slice(&render(ChannelKind::LineWorks, &long)).unwrap_or_default();
        let lw_text = lw["body"]["text"].as_str().unwrap_or_default();
        assert_eq!(lw_text.chars().count(), LINE_WORKS_TEXT_MAX);
        // The facts stay whole at the end; the text gave way.
        assert!(
            lw_text.ends_with("手順: 第一報（first-report）"),
            "{lw_text}"
        );
        assert!(lw_text.contains('…'));
        let lw_title = lw["title"].as_str().unwrap_or_default();
        assert_eq!(lw_title.chars().count(), LINE_WORKS_TITLE_MAX);

        let teams = render(ChannelKind::Teams, &long);
        assert!(teams.len() <= TEAMS_MAX_BYTES, "{} bytes", teams.len());
        let card: Value = serde_json::from_slice(&teams).unwrap_or_default();
        let body = card["attachments"][0]["content"]["body"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        // Title, the lines that fit (the last one marked as cut), the three facts.
        let texts: Vec<&str> = body
            .iter()
            .map(|b| b["inlines"][0]["text"].as_str().unwrap_or_default())
            .collect();
        assert!(texts.len() > 100, "{}", texts.len());
        assert!(
            texts[texts.len() - 4].ends_with('…'),
            "{:?}",
            &texts[texts.len() - 4]
        );
        assert_eq!(texts[texts.len() - 3], "お願い: ");

        // A short notice is left whole, each line a block of its own.
        let short = render(ChannelKind::Teams, &post("題", "一行目\n二行目\n\n三行目"));
        let card: Value = serde_json::from_slice(&short).unwrap_or_default();
        let body = &card["attachments"][0]["content"]["body"];
        assert_eq!(body[1]["inlines"][0]["text"], "一行目");
        assert_eq!(body[2]["inlines"][0]["text"], "二行目");
        assert_eq!(body[2]["spacing"], "None");
        assert_eq!(body[3]["inlines"][0]["text"], "三行目");
        assert_eq!(body[3]["spacing"], "Medium");
    }

    #[test]
    fn slack_escapes_its_control_characters_and_keeps_entities_whole_when_cut() {
        assert_eq!(
            slack_text("<!channel> & <@U1>", 100),
            "&lt;!channel&gt; &amp; &lt;@U1&gt;"
        );
        let cut_text = slack_text(&"<".repeat(10), 8);
        assert_eq!(cut_text, "&lt;…");
        assert!(cut_text.chars().count() <= 8);
    }
}
