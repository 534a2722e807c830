//! What a reply says: the text its writer wrote and saw (no quoted original, no signature, no
//! hidden HTML), and the verdict its words give. Only an unambiguous answer counts: the word
//! alone, or with a polite ending and punctuation; any negation, question or condition makes
//! the reply unclear, and an unclear reply counts as nothing. Pure: no I/O.

use mail_parser::{Message, PartType};

use crate::incident::event::{Unclear, Verdict};

/// What a reply's words say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading {
    /// The verdict (`Verdict::Unclear` with its cause when the words decide nothing).
    pub verdict: Verdict,
    /// A rejection's reason.
    pub reason: Option<String>,
    /// The line that decided, as written (cleaned, at most 200 characters): shown in the
    /// record and quoted back to the replier when it counts as nothing.
    pub line: String,
}

impl Reading {
    fn unclear(cause: Unclear, line: &str) -> Reading {
        Reading {
            verdict: Verdict::Unclear(cause),
            reason: None,
            line: clean(line),
        }
    }
}

/// Reads a parsed reply: its text/plain part and the visible text of its HTML part. When a
/// mail has both and they say different things, it is unclear: a client shows one of them,
/// and hikeshi cannot know which the writer saw.
pub fn read_mail(mail: &Message<'_>) -> Reading {
    let plain = mail
        .text_body
        .first()
        .and_then(|id| mail.part(*id))
        .and_then(|p| match &p.body {
            PartType::Text(t) => Some(t.to_string()),
            _ => None,
        });
    let html = mail
        .html_body
        .first()
        .and_then(|id| mail.part(*id))
        .and_then(|p| match &p.body {
            PartType::Html(h) => Some(h),
            _ => None,
        });
    // A style sheet that hides by selectors hikeshi does not follow: what the writer saw is
    // not known.
    if html.is_some_and(|h| hidden_by_style_sheets(h).unreadable) {
        return Reading::unclear(Unclear::HiddenText, "");
    }
    let html = html.map(|h| visible_text(h));
    match (plain, html) {
        (Some(p), Some(h)) => {
            let (a, b) = (read_text(&p), read_text(&h));
            if a.verdict == b.verdict {
                a
            } else {
                Reading::unclear(Unclear::PartsDisagree, &a.line)
            }
        }
        (Some(text), None) | (None, Some(text)) => read_text(&text),
        (None, None) => Reading::unclear(Unclear::Empty, ""),
    }
}

/// Reads the text of a reply (plain text, or an HTML part's visible text).
pub fn read_text(body: &str) -> Reading {
    let written = written_lines(body);
    let mut lines = written.iter().map(|l| l.trim()).filter(|l| !l.is_empty());
    // Greetings and the approver's salutation come first in Japanese business mail.
    let Some(line) = lines.by_ref().find(|l| !is_greeting(l)) else {
        return Reading::unclear(Unclear::Empty, "");
    };
    let rest: Vec<&str> = lines.collect();
    read_line(line, &rest)
}

/// The lines the writer wrote: up to the quoted original (`>` lines, an "On … wrote:" or
/// 「…さんは書きました」 line, an Outlook header block) or the signature. A writer who answers
/// below the quote (`>` lines first) wrote what follows it; an Outlook block is never passed
/// (the original follows it unquoted).
fn written_lines(body: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for raw in body.lines() {
        let line = fold_width(raw.trim_end_matches('\r'));
        let t = line.trim();
        if is_signature_separator(raw) || is_outlook_block(t) || is_client_signature(t) {
            break;
        }
        // Quoted lines are skipped, and what the writer wrote between or after them is
        // theirs (an answer below the quote, or a condition added further down).
        if t.starts_with('>') || is_quote_header(t) {
            continue;
        }
        out.push(line);
    }
    out
}

/// The line a phone or a client adds below what was written (「iPhoneから送信」): a device or
/// an app named in Latin letters, or a phone's word, before 「から送信」. A sentence that ends
/// so (「Xは秘書広報課のアカウントから送信」) is the writer's, and is read.
fn is_client_signature(t: &str) -> bool {
    let lower = t.to_lowercase();
    let device = t.strip_suffix("から送信").is_some_and(|before| {
        let before = before.trim();
        before.chars().count() <= 20
            && !before.contains(['の', 'は', 'を', 'が', 'に', '、', '。'])
            && (before.chars().any(|c| c.is_ascii_alphabetic())
                || ["スマートフォン", "スマホ", "携帯", "ドコモメール"]
                    .iter()
                    .any(|w| before.contains(w)))
    });
    device || lower.starts_with("sent from my") || lower.starts_with("get outlook for")
}

/// Where Outlook and many Japanese clients put the original, unquoted, below.
fn is_outlook_block(t: &str) -> bool {
    let lower = t.to_lowercase();
    t.contains("Original Message")
        || t.contains("元のメッセージ")
        || t.contains("転送されたメッセージ")
        || [
            "from:",
            "差出人:",
            "差出人：",
            "送信者:",
            "送信日時:",
            "sent:",
        ]
        .iter()
        .any(|h| lower.starts_with(h))
}

fn is_quote_header(t: &str) -> bool {
    let lower = t.to_lowercase();
    (lower.starts_with("on ") && lower.ends_with("wrote:"))
        || lower.ends_with(" wrote:")
        || t.ends_with("書きました:")
        || t.ends_with("書きました：")
        || t.ends_with("のメッセージ:")
        || t.ends_with("のメッセージ：")
        || t.ends_with("のメール:")
        || t.ends_with("のメール：")
        || t.ends_with(">:")
        || t.ends_with(">：")
}

/// `-- ` (RFC 3676), or a line drawn of one repeated symbol (`----`, `━━━━`, `＝＝＝`).
fn is_signature_separator(raw: &str) -> bool {
    if raw == "-- " || raw.trim() == "--" {
        return true;
    }
    let t = raw.trim();
    let mut chars = t.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    t.chars().count() >= 3
        // Not 「・・・」: an ellipsis before more words, never a signature's line.
        && "-=_*~─━═＝＿＊～※#+".contains(first)
        && t.chars().all(|c| c == first)
}

/// Greetings and salutations that may precede the answer.
fn is_greeting(line: &str) -> bool {
    let t = line.trim_end_matches(is_trailing_punct).trim();
    // 「不承認 山田様」 is an answer, whatever it ends with.
    if STEMS.iter().any(|s| strip_prefix_ci(t, s.word).is_some()) {
        return false;
    }
    let lower = t.to_lowercase();
    const GREETINGS: [&str; 12] = [
        "お疲れ様です",
        "お疲れさまです",
        "おつかれさまです",
        "お世話になっております",
        "お世話になります",
        "いつもお世話になっております",
        "各位",
        "hi",
        "hello",
        "dear all",
        "good morning",
        "good evening",
    ];
    if GREETINGS.contains(&lower.as_str()) {
        return true;
    }
    // A salutation: 「田中様」「広報広聴課 御中」, "Dear Mr. Tanaka," "Hi Tanaka,".
    let salutation = ["様", "さん", "殿", "御中", "各位"]
        .iter()
        .any(|s| t.ends_with(s))
        || ((lower.starts_with("dear ") || lower.starts_with("hi ")) && line.trim().ends_with(','));
    salutation && t.chars().count() <= 40 && !has_qualifier(t)
}

/// The answers that count. Each stem takes the listed endings, then only punctuation or a
/// courtesy (よろしくお願いします, thanks). A rejection's stem is followed by its reason.
struct Stem {
    word: &'static str,
    verdict: Verdict,
    endings: &'static [&'static str],
}

const POLITE: &[&str] = &[
    "いたしました",
    "致しました",
    "いたします",
    "致します",
    "しました",
    "します",
    "です",
    "とします",
    "済み",
    "済",
    "",
];
const DONE: &[&str] = &["いたしました", "致しました", "しました", "済み", "済"];
const PLAIN: &[&str] = &["です", ""];
const REJECT: &[&str] = &["いたします", "致します", "とします", "します", "です", ""];
const NONE: &[&str] = &[""];

const STEMS: &[Stem] = &[
    Stem {
        word: "承認",
        verdict: Verdict::Approved,
        endings: POLITE,
    },
    Stem {
        word: "了承",
        verdict: Verdict::Approved,
        endings: POLITE,
    },
    Stem {
        word: "okay",
        verdict: Verdict::Approved,
        endings: PLAIN,
    },
    Stem {
        word: "ok",
        verdict: Verdict::Approved,
        endings: PLAIN,
    },
    Stem {
        word: "i approve",
        verdict: Verdict::Approved,
        endings: NONE,
    },
    Stem {
        word: "approved",
        verdict: Verdict::Approved,
        endings: NONE,
    },
    Stem {
        word: "approve",
        verdict: Verdict::Approved,
        endings: NONE,
    },
    Stem {
        word: "了解",
        verdict: Verdict::Acknowledged,
        endings: &["いたしました", "致しました", "しました", "です", ""],
    },
    Stem {
        word: "確認",
        verdict: Verdict::Acknowledged,
        endings: DONE,
    },
    Stem {
        word: "受領",
        verdict: Verdict::Acknowledged,
        endings: &["いたしました", "致しました", "しました", ""],
    },
    Stem {
        word: "承知",
        verdict: Verdict::Acknowledged,
        endings: &["いたしました", "致しました", "しました"],
    },
    Stem {
        word: "かしこまりました",
        verdict: Verdict::Acknowledged,
        endings: NONE,
    },
    Stem {
        word: "acknowledged",
        verdict: Verdict::Acknowledged,
        endings: NONE,
    },
    Stem {
        word: "noted",
        verdict: Verdict::Acknowledged,
        endings: NONE,
    },
    Stem {
        word: "received",
        verdict: Verdict::Acknowledged,
        endings: NONE,
    },
    Stem {
        word: "understood",
        verdict: Verdict::Acknowledged,
        endings: NONE,
    },
    Stem {
        word: "却下",
        verdict: Verdict::Rejected,
        endings: REJECT,
    },
    Stem {
        word: "不承認",
        verdict: Verdict::Rejected,
        endings: REJECT,
    },
    Stem {
        word: "不可",
        verdict: Verdict::Rejected,
        endings: REJECT,
    },
    Stem {
        word: "not approved",
        verdict: Verdict::Rejected,
        endings: NONE,
    },
    Stem {
        word: "rejected",
        verdict: Verdict::Rejected,
        endings: NONE,
    },
    Stem {
        word: "reject",
        verdict: Verdict::Rejected,
        endings: NONE,
    },
    Stem {
        word: "declined",
        verdict: Verdict::Rejected,
        endings: NONE,
    },
];

/// Courtesies that may follow an answer on its line.
const COURTESIES: &[&str] = &[
    "よろしくお願いいたします",
    "よろしくお願い致します",
    "よろしくお願いします",
    "宜しくお願いいたします",
    "宜しくお願いします",
    "お願いいたします",
    "お願いします",
    "ありがとうございます",
    "ありがとうございました",
    "thank you",
    "thanks",
    "regards",
];

fn is_trailing_punct(c: char) -> bool {
    matches!(
        c,
        '。' | '.' | '!' | '！' | '、' | ',' | '，' | '．' | ' ' | '　' | '\t' | '〜' | '~' | '♪'
    )
}

fn is_separator(c: char) -> bool {
    matches!(
        c,
        ' ' | '　'
            | ':'
            | '：'
            | '、'
            | '。'
            | ','
            | '.'
            | '-'
            | '－'
            | '（'
            | '('
            | '「'
            | '\t'
            | '／'
            | '/'
    )
}

/// What remains after an answer, if it is only punctuation and courtesies.
fn only_courtesy(rest: &str) -> bool {
    let mut r = rest.trim_start_matches(is_trailing_punct);
    loop {
        if r.is_empty() {
            return true;
        }
        // Compared in place (no lowercased copy, whose byte offsets may differ).
        let Some(c) = COURTESIES
            .iter()
            .find(|c| r.get(..c.len()).is_some_and(|p| p.eq_ignore_ascii_case(c)))
        else {
            return false;
        };
        let Some(after) = r.get(c.len()..) else {
            return false;
        };
        r = after.trim_start_matches(is_trailing_punct);
    }
}

fn read_line(line: &str, rest: &[&str]) -> Reading {
    let unclear = |cause| Reading::unclear(cause, line);
    // The stems are tried longest first within a verdict's look-alikes (不承認 before 承認 is not
    // needed: 不承認 does not start with 承認); "ok" must be a word of its own.
    for stem in STEMS {
        let Some(after) = strip_prefix_ci(line, stem.word) else {
            continue;
        };
        if after.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            continue;
        }
        if let Verdict::Rejected = stem.verdict {
            return read_rejection(line, after, stem.endings, rest);
        }
        if line.contains(['?', '？']) {
            return unclear(Unclear::Qualified);
        }
        let answered = stem
            .endings
            .iter()
            .any(|ending| after.strip_prefix(ending).is_some_and(only_courtesy));
        if !answered {
            return unclear(Unclear::Qualified);
        }
        // A later line may take the answer back or add a condition ("ただし…", "10時以降に
        //投稿してください", "投稿は課長確認後で"): after the answer, only courtesies, greetings
        // and lines that read as a signature (names, divisions, numbers) may follow.
        if !rest.iter().all(|l| may_follow(l)) {
            return unclear(Unclear::Qualified);
        }
        return Reading {
            verdict: stem.verdict,
            reason: None,
            line: clean(line),
        };
    }
    unclear(Unclear::NotAnAnswer)
}

/// Whether a line after an answer leaves it as it is: empty, a courtesy, a greeting, or a
/// line that reads as a signature — no question, negation or condition, and none of the
/// particles and endings of a sentence (a request, a time, a condition is a sentence).
fn may_follow(line: &str) -> bool {
    let t = line.trim();
    if t.is_empty() || only_courtesy(t) || is_greeting(t) {
        return true;
    }
    const SENTENCE: [&str; 22] = [
        "を",
        "に",
        "は",
        "が",
        "で",
        "て",
        "ください",
        "下さい",
        "ます",
        "です",
        "ません",
        "ない",
        "たい",
        "まで",
        "から",
        "後",
        "前",
        "以降",
        "以後",
        "調整",
        "確認",
        "予定",
    ];
    // A correction or a taking back, however short (「撤回」「日付誤り」「12/8→12/7」).
    const CORRECTION: [&str; 31] = [
        "撤回",
        "取消",
        "取り消",
        "取りやめ",
        "見送",
        "ストップ",
        "停止",
        "待機",
        "相談",
        "誤り",
        "誤字",
        "間違",
        "違い",
        "削除",
        "差し替",
        "差替",
        "直し",
        "追加",
        "要",
        "なし",
        "無し",
        "やっぱり",
        "やはり",
        "いや",
        "→",
        "⇒",
        "->",
        "行目",
        "一旦",
        "いったん",
        "再度",
    ];
    const INSTRUCTION: [&str; 30] = [
        "please",
        "after",
        "until",
        "before",
        "once",
        "when",
        "only",
        "provided",
        "pending",
        "later",
        "tomorrow",
        "first",
        "edit",
        "post",
        "check",
        "should",
        "remove",
        "delete",
        "wrong",
        "typo",
        "error",
        "mistake",
        "correct",
        "replace",
        "instead",
        "line",
        "cancel",
        "retract",
        "withdraw",
        "withdrawn",
    ];
    let lower = t.to_lowercase();
    let english = lower
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '\'')
        .any(|w| INSTRUCTION.contains(&w));
    !has_qualifier(t)
        && !english
        && !SENTENCE.iter().any(|w| t.contains(w))
        && !CORRECTION.iter().any(|w| t.contains(w))
}

/// 却下 / 不可 / rejected, an ending, a separator and the reason (on the line, or the lines
/// after it). 「不可能ではないので…」 or 「却下しません」 is no rejection: unclear.
fn read_rejection(line: &str, after: &str, endings: &[&str], rest: &[&str]) -> Reading {
    // 「却下 ですか？」 asks; it does not refuse.
    if line.contains(['?', '？']) {
        return Reading::unclear(Unclear::Qualified, line);
    }
    for ending in endings {
        let Some(tail) = after.strip_prefix(ending) else {
            continue;
        };
        if !tail.is_empty() && !tail.starts_with(is_separator) {
            continue;
        }
        let reason = clean(tail.trim_start_matches(is_separator));
        let reason = if reason.is_empty() {
            clean(
                &rest
                    .iter()
                    .map(|l| l.trim())
                    .filter(|l| !l.is_empty())
                    .collect::<Vec<_>>()
                    .join(" "),
            )
        } else {
            reason
        };
        let reason = reason
            .strip_prefix("理由")
            .map_or(reason.as_str(), |r| r.trim_start_matches(is_separator))
            .to_string();
        if reason.is_empty() || only_courtesy(&reason) {
            return Reading::unclear(Unclear::NoReason, line);
        }
        // 「not approved yet, checking with 部長」 holds the answer back; it refuses nothing.
        if not_yet(&reason) {
            return Reading::unclear(Unclear::Qualified, line);
        }
        return Reading {
            verdict: Verdict::Rejected,
            reason: Some(reason),
            line: clean(line),
        };
    }
    Reading::unclear(Unclear::Qualified, line)
}

/// Whether a refusal's reason says the answer is still to come (not yet, pending, checking).
fn not_yet(reason: &str) -> bool {
    // Not 「待ってください」 / "wait for the police": that refuses the text until then.
    const JA: [&str; 4] = ["まだ", "確認中", "検討中", "相談中"];
    const EN: [&str; 4] = ["yet", "pending", "waiting", "checking"];
    JA.iter().any(|w| reason.contains(w))
        || reason
            .to_lowercase()
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|w| EN.contains(&w))
}

/// `line` without `word` at its start (ASCII case ignored), if it starts so.
fn strip_prefix_ci<'a>(line: &'a str, word: &str) -> Option<&'a str> {
    line.get(..word.len())
        .filter(|p| p.eq_ignore_ascii_case(word))
        .and_then(|_| line.get(word.len()..))
}

/// Words that negate, question or condition an answer, in Japanese or English.
fn has_qualifier(line: &str) -> bool {
    const JA: [&str; 30] = [
        "?",
        "？",
        "ない",
        "ません",
        "ぬ",
        "不可",
        "却下",
        "待って",
        "待ち",
        "保留",
        "ただし",
        "但し",
        "条件",
        "修正",
        "訂正",
        "直して",
        "変更",
        "次第",
        "だめ",
        "ダメ",
        "駄目",
        "中止",
        "止め",
        "やめ",
        "差し戻",
        "再検討",
        "以外",
        "ＮＧ",
        "しかね",
        "かねます",
    ];
    const EN: [&str; 19] = [
        "not", "no", "don't", "dont", "cannot", "can't", "cant", "but", "however", "unless", "if",
        "wait", "hold", "except", "change", "fix", "reject", "stop", "ng",
    ];
    if JA.iter().any(|w| line.contains(w)) {
        return true;
    }
    line.to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '\'')
        .any(|w| EN.contains(&w))
}

/// Full-width ASCII (ＯＫ, ：) read as ASCII, the ideographic space as a space.
fn fold_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{ff01}'..='\u{ff5e}'
                if !matches!(
                    c,
                    '：' | '？'
                        | '！'
                        | '（'
                        | '／'
                        | '，'
                        | '．'
                        | '～'
                        | '＝'
                        | '＿'
                        | '＊'
                        | '－'
                ) =>
            {
                char::from_u32(u32::from(c) - 0xfee0).unwrap_or(c)
            }
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect()
}

/// A stranger's text made safe to show and record: no control or text-direction characters,
/// at most 200 characters.
pub fn clean(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control() && !matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}'))
        .take(200)
        .collect::<String>()
        .trim()
        .to_string()
}

/// The text an HTML part shows: no `<head>`, `<style>`, `<script>`, no element hidden by
/// `hidden` or its style (display:none, visibility:hidden, zero size or opacity), no
/// `<blockquote>`, and nothing after a client's quoted-original marker (Gmail, Outlook,
/// Thunderbird, Yahoo). Block elements end lines.
pub fn visible_text(html: &str) -> String {
    use html5gum::{DefaultEmitter, Token, Tokenizer};

    let sheet = hidden_by_style_sheets(html);
    let mut emitter = DefaultEmitter::default();
    // <style> and <script> hold raw text, not tags.
    emitter.naively_switch_states(true);
    let mut out = String::new();
    // Open elements: (name, hides its content).
    let mut open: Vec<(Vec<u8>, bool)> = Vec::new();
    for token in Tokenizer::new_with_emitter(html, emitter).flatten() {
        let hidden = open.iter().any(|(_, h)| *h);
        match token {
            Token::StartTag(tag) => {
                let name = tag.name.to_ascii_lowercase();
                let attr = |a: &str| {
                    tag.attributes
                        .get(a.as_bytes())
                        .map(|v| String::from_utf8_lossy(&v.value).to_lowercase())
                };
                let class_or_id = format!(
                    "{} {}",
                    attr("class").unwrap_or_default(),
                    attr("id").unwrap_or_default()
                );
                if QUOTE_MARKERS.iter().any(|m| class_or_id.contains(m)) {
                    break;
                }
                if BLOCK.contains(&name.as_slice()) && !hidden {
                    out.push('\n');
                }
                // A browser ignores `/>` on any element but a void one: `<div …/>` is open.
                if VOID.contains(&name.as_slice()) {
                    continue;
                }
                let hides = SKIPPED.contains(&name.as_slice())
                    || tag.attributes.contains_key(b"hidden".as_slice())
                    || attr("style").is_some_and(|s| hides_by_style(&s))
                    || attr("class")
                        .is_some_and(|c| c.split_whitespace().any(|c| sheet.classes.contains(c)))
                    || attr("id").is_some_and(|i| sheet.ids.contains(&i));
                open.push((name, hides));
            }
            Token::EndTag(tag) => {
                let name = tag.name.to_ascii_lowercase();
                if let Some(at) = open.iter().rposition(|(n, _)| *n == name) {
                    open.truncate(at);
                }
                if BLOCK.contains(&name.as_slice()) && !open.iter().any(|(_, h)| *h) {
                    out.push('\n');
                }
            }
            Token::String(text) if !hidden => {
                let text = String::from_utf8_lossy(&text.value);
                // Source line breaks are spaces in HTML.
                out.push_str(&text.replace(['\r', '\n'], " "));
            }
            _ => {}
        }
    }
    out.replace('\u{a0}', " ")
}

/// The classes and ids a `<style>` sheet hides (`.x{display:none}`, `#y{font-size:0}`);
/// `unreadable` when a rule hides by a selector that is not a plain class or id.
#[derive(Default)]
struct StyleSheetHides {
    classes: std::collections::BTreeSet<String>,
    ids: std::collections::BTreeSet<String>,
    unreadable: bool,
}

fn hidden_by_style_sheets(html: &str) -> StyleSheetHides {
    use html5gum::{DefaultEmitter, Token, Tokenizer};
    let mut emitter = DefaultEmitter::default();
    emitter.naively_switch_states(true);
    let mut out = StyleSheetHides::default();
    let mut in_style = false;
    for token in Tokenizer::new_with_emitter(html, emitter).flatten() {
        match token {
            Token::StartTag(t) => in_style = t.name.eq_ignore_ascii_case(b"style"),
            Token::EndTag(_) => in_style = false,
            Token::String(text) if in_style => {
                let css = String::from_utf8_lossy(&text.value).to_lowercase();
                for rule in css.split('}') {
                    let Some((selectors, declarations)) = rule.split_once('{') else {
                        continue;
                    };
                    if !hides_by_style(declarations) {
                        continue;
                    }
                    for selector in selectors.split(',').map(str::trim) {
                        // `@media …{ .x{…}` leaves the at-rule before the selector.
                        let selector = selector.rsplit('{').next().unwrap_or(selector).trim();
                        let simple = |s: &str| {
                            !s.is_empty()
                                && s.chars()
                                    .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
                        };
                        match selector.split_once(['.', '#']) {
                            Some((tag, name))
                                if simple(name) && (tag.is_empty() || simple(tag)) =>
                            {
                                if selector[tag.len()..].starts_with('.') {
                                    out.classes.insert(name.to_string());
                                } else {
                                    out.ids.insert(name.to_string());
                                }
                            }
                            _ => out.unreadable = true,
                        }
                    }
                }
            }
            _ => {}
        }
    }
    out
}

const BLOCK: &[&[u8]] = &[
    b"p",
    b"div",
    b"br",
    b"tr",
    b"li",
    b"h1",
    b"h2",
    b"h3",
    b"h4",
    b"h5",
    b"h6",
    b"table",
    b"hr",
    b"pre",
    b"ul",
    b"ol",
    b"section",
    b"article",
    b"header",
    b"footer",
    b"center",
    b"dd",
    b"dt",
    b"blockquote",
    b"body",
];
const VOID: &[&[u8]] = &[
    b"br", b"hr", b"img", b"meta", b"link", b"input", b"wbr", b"area", b"base", b"col", b"embed",
    b"source", b"track", b"param",
];
/// Elements whose content is never shown as the writer's words.
const SKIPPED: &[&[u8]] = &[
    b"head",
    b"style",
    b"script",
    b"title",
    b"template",
    b"blockquote",
    b"noscript",
    b"object",
    b"iframe",
    b"svg",
];
/// Where mail clients start the quoted original.
const QUOTE_MARKERS: &[&str] = &[
    "gmail_quote",
    "gmail_attr",
    "moz-cite-prefix",
    "yahoo_quoted",
    "divrplyfwdmsg",
    "appendonsend",
    "olk_src_body_section",
    "reference-message-container",
    "protonmail_quote",
];

fn hides_by_style(style: &str) -> bool {
    let s: String = style.chars().filter(|c| !c.is_whitespace()).collect();
    let zero = |prop: &str| {
        s.split(';').any(|decl| {
            decl.strip_prefix(prop).is_some_and(|v| {
                let v = v.trim_end_matches("!important");
                v.trim_start_matches(['0', '.'])
                    .trim_start_matches(|c: char| c.is_ascii_alphabetic() || c == '%')
                    .is_empty()
                    && v.starts_with(['0', '.'])
                    && !v.chars().any(|c| ('1'..='9').contains(&c))
            })
        })
    };
    s.contains("display:none")
        || s.contains("visibility:hidden")
        || s.contains("visibility:collapse")
        || zero("font-size:")
        || zero("opacity:")
        || zero("max-height:")
        || zero("height:")
        || zero("width:")
        || zero("line-height:") && s.contains("overflow:hidden")
        || s.contains("color:transparent")
        || s.contains("mso-hide:all")
        || ["color:#fff", "color:#ffffff", "color:white"]
            .iter()
            .any(|c| s.split(';').any(|d| d.trim_end_matches("!important") == *c))
}
