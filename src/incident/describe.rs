//! Events in plain words, and templates filled with an incident's facts: what the screen's
//! timeline, the handover and (later) the report show.

use chrono::{DateTime, FixedOffset};

use super::IncidentRecord;
use super::event::{Event, EvidenceRecord, Reply, ReplyIssue, Unclear, Verdict};
use crate::lang::Lang;
use crate::playbook::template::Value;
use crate::playbook::{Playbook, StepIx, StepKind, Template};
use crate::tr;

fn title<'a>(playbook: &'a Playbook, id: &'a str) -> &'a str {
    playbook
        .graph
        .find(id)
        .and_then(|ix| playbook.graph.step(ix))
        .map_or(id, |s| s.title.as_str())
}

fn option_title(playbook: &Playbook, step: &str, option: &str) -> String {
    playbook
        .graph
        .find(step)
        .and_then(|ix| playbook.graph.step(ix))
        .and_then(|s| match &s.kind {
            StepKind::Decision(d) => d.options.iter().find(|o| o.id == option),
            _ => None,
        })
        .map_or_else(|| option.to_string(), |o| o.title.clone())
}

/// The service that took a chat post, from the transport its delivery recorded (`teams`,
/// `slack`, `line-works`, `webhook`; `http` when the kind was unknown).
fn chat_service(transport: &str, lang: Lang) -> String {
    match transport {
        "teams" => "Teams".to_string(),
        "slack" => "Slack".to_string(),
        "line-works" => "LINE WORKS".to_string(),
        "webhook" => tr!(
            lang,
            "連携先システム（webhook）",
            "the receiving system (webhook)"
        ),
        _ => tr!(lang, "チャットサービス", "the chat service"),
    }
}

/// One sentence saying what happened (without time and actor). One arm per event, both
/// languages side by side: a single match is kept whole so that a new event's words are one
/// arm here.
pub fn describe(event: &Event, playbook: &Playbook, lang: Lang) -> String {
    let step_title = |step: &str| title(playbook, step).to_string();
    match event {
        Event::IncidentStarted { params, .. } => {
            let t = &params.title;
            tr!(lang, "事案「{t}」を開始", "started the incident “{t}”")
        }
        Event::StepCompleted {
            step,
            forced: Some(r),
            ..
        } => {
            let t = step_title(step);
            tr!(
                lang,
                "「{t}」を完了（逸脱: {r}）",
                "completed “{t}” (deviation: {r})"
            )
        }
        Event::StepCompleted {
            step,
            note: Some(n),
            ..
        } => {
            let t = step_title(step);
            tr!(lang, "「{t}」を完了: {n}", "completed “{t}”: {n}")
        }
        Event::StepCompleted { step, .. } => {
            let t = step_title(step);
            tr!(lang, "「{t}」を完了", "completed “{t}”")
        }
        Event::StepSkipped { step, reason } => {
            let t = step_title(step);
            tr!(
                lang,
                "「{t}」を省略（理由: {reason}）",
                "skipped “{t}” ({reason})"
            )
        }
        Event::DecisionMade {
            step,
            option,
            reason,
            previous,
            ..
        } => {
            let t = step_title(step);
            let chosen = option_title(playbook, step, option);
            match (previous, reason) {
                (Some(p), Some(r)) => {
                    let p = option_title(playbook, step, p);
                    tr!(
                        lang,
                        "「{t}」を「{p}」から「{chosen}」に変更（理由: {r}）",
                        "changed “{t}” from “{p}” to “{chosen}” ({r})"
                    )
                }
                (_, Some(r)) => tr!(
                    lang,
                    "「{t}」で「{chosen}」と判断（{r}）",
                    "decided “{t}”: “{chosen}” ({r})"
                ),
                _ => tr!(
                    lang,
                    "「{t}」で「{chosen}」と判断",
                    "decided “{t}”: “{chosen}”"
                ),
            }
        }
        Event::ApprovalGiven {
            step,
            by,
            reply: None,
            ..
        } => {
            let t = step_title(step);
            tr!(lang, "「{t}」を{by}が承認", "{by} approved “{t}”")
        }
        Event::ApprovalGiven {
            step,
            by,
            reply: Some(m),
            ..
        } => {
            let t = step_title(step);
            tr!(
                lang,
                "「{t}」を{by}が返信メールで承認（承認依頼 #{m}）",
                "{by} approved “{t}” by reply (approval request #{m})"
            )
        }
        Event::ApprovalRejected {
            step,
            by,
            reason,
            reply,
        } => {
            let t = step_title(step);
            let how = match reply {
                Some(m) => tr!(lang, "返信メールで", "by reply (#{m}) "),
                None => String::new(),
            };
            tr!(
                lang,
                "「{t}」を{by}が{how}差戻し（{reason}）",
                "{by} rejected “{t}” {how}({reason})"
            )
        }
        Event::ChecklistChecked {
            step,
            item,
            checked,
        } => {
            let text = playbook
                .graph
                .find(step)
                .and_then(|ix| playbook.graph.step(ix))
                .and_then(|s| s.checklist.get(*item))
                .cloned()
                .unwrap_or_default();
            if *checked {
                tr!(lang, "チェック: {text}", "checked: {text}")
            } else {
                tr!(lang, "チェックを外す: {text}", "unchecked: {text}")
            }
        }
        Event::ObservationRecorded { step, text } => {
            let t = step_title(step);
            tr!(lang, "「{t}」の観測: {text}", "observed for “{t}”: {text}")
        }
        Event::StepReopened { step, reason } => {
            let t = step_title(step);
            tr!(
                lang,
                "「{t}」を再開（理由: {reason}）",
                "reopened “{t}” ({reason})"
            )
        }
        Event::NoteAdded { text, .. } => tr!(lang, "メモ: {text}", "note: {text}"),
        Event::EvidenceAttached { step, evidence, .. } => {
            let t = step_title(step);
            let what = match evidence {
                EvidenceRecord::File { name, .. } => format!("{}/{name}", super::files::EVIDENCE),
                EvidenceRecord::Url { url } => url.clone(),
            };
            tr!(
                lang,
                "「{t}」の証拠を記録: {what}",
                "evidence for “{t}”: {what}"
            )
        }
        Event::AccountIdentified { account, platform } => {
            let what = [
                account.clone(),
                platform.map(|p| p.display_name().to_string()),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" / ");
            tr!(
                lang,
                "対象アカウントを特定: {what}",
                "affected account identified: {what}"
            )
        }
        Event::RecipientsAdded { step, to } => {
            let t = step_title(step);
            let to = to.join("、");
            tr!(
                lang,
                "「{t}」の通知先に {to} を追加",
                "added {to} to the recipients of “{t}”"
            )
        }
        Event::FactSet {
            fact,
            value,
            previous,
        } => {
            let declared = playbook.facts.iter().find(|f| f.id == *fact);
            let label = declared.map_or(fact.as_str(), |f| f.label.as_str());
            let shown = |v: &str| declared.map_or_else(|| v.to_string(), |f| f.shown(v));
            let (value, previous) = (shown(value), previous.as_deref().map(shown));
            match previous {
                Some(p) => tr!(
                    lang,
                    "{label}を「{p}」から「{value}」に変更",
                    "changed {label} from “{p}” to “{value}”"
                ),
                None => tr!(lang, "{label}: {value}", "{label}: {value}"),
            }
        }
        Event::ExerciseBegan { title, .. } => tr!(
            lang,
            "【訓練】シナリオ「{title}」を開始",
            "[EXERCISE] scenario “{title}” began"
        ),
        Event::InjectFired {
            title, early: true, ..
        } => tr!(
            lang,
            "【状況付与】{title}（前倒し）",
            "[inject] {title} (early)"
        ),
        Event::InjectFired { title, .. } => tr!(lang, "【状況付与】{title}", "[inject] {title}"),
        Event::ReviewRecorded { .. } => tr!(lang, "振り返りを記録", "review recorded"),
        Event::HandedOver { from, to, .. } => {
            tr!(
                lang,
                "{from} から {to} に交代",
                "handed over from {from} to {to}"
            )
        }
        Event::NotificationQueued {
            message,
            letter,
            step,
        } => {
            let (t, to) = (step_title(step), &letter.to);
            tr!(
                lang,
                "通知 #{message}（{to}宛て、「{t}」）を送信待ちに登録",
                "queued message #{message} to {to} (“{t}”)"
            )
        }
        Event::NotificationSent {
            message, transport, ..
        } if transport == "file" => tr!(
            lang,
            "通知 #{message} を送信箱（outbox）に保存",
            "message #{message} written to the outbox"
        ),
        Event::NotificationSent {
            message, transport, ..
        } if transport == "smtp" => tr!(
            lang,
            "通知 #{message} がメールサーバーに受け付けられた",
            "message #{message} accepted by the mail server"
        ),
        // A chat post: the service that took it, as the outbox recorded it (`teams`, …).
        Event::NotificationSent {
            message, transport, ..
        } => {
            let service = chat_service(transport, lang);
            tr!(
                lang,
                "通知 #{message} が {service} に受け付けられた",
                "message #{message} accepted by {service}"
            )
        }
        Event::NotificationFailed {
            message,
            attempt,
            error,
            permanent: true,
            ..
        } => tr!(
            lang,
            "通知 #{message} の送信に失敗（{attempt} 回目、再送しない）: {error}",
            "message #{message} failed (attempt {attempt}, not retried): {error}"
        ),
        Event::NotificationFailed {
            message,
            attempt,
            error,
            ..
        } => tr!(
            lang,
            "通知 #{message} の送信に失敗（{attempt} 回目、自動で再送）: {error}",
            "message #{message} failed (attempt {attempt}, will retry): {error}"
        ),
        Event::NotificationAcknowledged { message, by, .. } => tr!(
            lang,
            "通知 #{message} を {by} が確認",
            "{by} acknowledged message #{message}"
        ),
        Event::AcknowledgementWithdrawn { message, reason } => tr!(
            lang,
            "通知 #{message} の受領確認を取消（理由: {reason}）",
            "withdrew the acknowledgement of message #{message} ({reason})"
        ),
        // What the reply said: an acknowledgement, or the answer to an approval request
        // (whose approval or refusal follows as its own record).
        Event::ReplyRecorded { message, reply } => match reply.verdict {
            Verdict::Acknowledged | Verdict::Unclear(_) => tr!(
                lang,
                "通知 #{message} に {} <{}> が返信で確認",
                "{} <{}> acknowledged message #{message} by reply",
                reply.name,
                reply.from
            ),
            Verdict::Approved => tr!(
                lang,
                "承認依頼 #{message} に {} <{}> が返信（承認）",
                "{} <{}> replied to approval request #{message}: approved",
                reply.name,
                reply.from
            ),
            Verdict::Rejected => tr!(
                lang,
                "承認依頼 #{message} に {} <{}> が返信（差戻し）",
                "{} <{}> replied to approval request #{message}: rejected",
                reply.name,
                reply.from
            ),
        },
        Event::ReplyHeld { message, reply } => tr!(
            lang,
            "承認依頼 #{message} への {} <{}> の返信を受信（手順が承認できるようになるまで保留）",
            "received {} <{}>'s reply to approval request #{message} (held until the step can be approved)",
            reply.name,
            reply.from
        ),
        Event::ReplyNotCounted {
            message,
            issue,
            reply,
        } => tr!(
            lang,
            "通知 #{message} への {} <{}> の返信は記録に数えません: {}",
            "{} <{}>'s reply to message #{message} counts as nothing: {}",
            reply.name,
            reply.from,
            reply_issue(*issue, reply, lang)
        ),
        Event::DivisionCalled { division, note, .. } => tr!(
            lang,
            "{division} に電話で連絡: {note}",
            "phoned {division}: {note}"
        ),
        Event::IncidentClosed {
            reason: Some(r), ..
        } => tr!(
            lang,
            "事案を終了（未完了の手順あり: {r}）",
            "closed the incident (steps still open: {r})"
        ),
        Event::IncidentClosed { .. } => tr!(lang, "事案を終了", "closed the incident"),
    }
}

/// Why a reply counts as nothing, in a sentence (the record, the screen, the answer mail).
pub fn reply_issue(issue: ReplyIssue, reply: &Reply, lang: Lang) -> String {
    match issue {
        ReplyIssue::Unclear => {
            let line = reply.line.as_deref().unwrap_or_default();
            match reply.verdict {
                Verdict::Unclear(Unclear::Empty) => tr!(
                    lang,
                    "返信に本文（引用以外の文）がありません",
                    "the reply has no words of its own (only quoted text)"
                ),
                Verdict::Unclear(Unclear::PartsDisagree) => tr!(
                    lang,
                    "返信のテキスト部分と HTML 部分の内容が一致しません",
                    "the reply's plain-text and HTML parts say different things"
                ),
                Verdict::Unclear(Unclear::HiddenText) => tr!(
                    lang,
                    "返信の HTML に、表示されない文字を作るスタイルがあり、読まれた内容が分かりません",
                    "the reply's HTML hides text by its style sheet, so what was read is not known"
                ),
                Verdict::Unclear(Unclear::NoReason) => tr!(
                    lang,
                    "却下の理由が書かれていません（「{line}」）",
                    "the refusal gives no reason (“{line}”)"
                ),
                Verdict::Unclear(Unclear::Qualified) => tr!(
                    lang,
                    "「{line}」は否定・疑問・条件を含むため、どちらとも判断できません",
                    "“{line}” is negated, questioned or conditional, so it decides nothing"
                ),
                _ => tr!(
                    lang,
                    "「{line}」は確認・承認・却下のどれでもありません",
                    "“{line}” is no acknowledgement, approval or refusal"
                ),
            }
        }
        ReplyIssue::NotAnApprovalRequest => tr!(
            lang,
            "承認依頼ではない通知への承認・却下は記録しません",
            "this message asked for no approval; an approval or refusal of it is not recorded"
        ),
        ReplyIssue::NeedsAnswer => tr!(
            lang,
            "承認依頼には「承認」又は「却下（理由）」で答える必要があります",
            "an approval request needs 承認 (approve) or 却下 with a reason"
        ),
        ReplyIssue::TextChanged => tr!(
            lang,
            "依頼の後に承認をお願いした文面が変わりました",
            "the text to approve changed after the request"
        ),
        ReplyIssue::StepSettled => tr!(
            lang,
            "この手順はすでに完了又はスキップされています",
            "the step is already done or skipped"
        ),
        ReplyIssue::Superseded => tr!(
            lang,
            "この承認依頼はすでに承認・却下されたか、新しい承認依頼に置き換わっています",
            "this approval request was decided already or replaced by a newer request"
        ),
        ReplyIssue::Replaced => tr!(
            lang,
            "同じ方から後に届いた返信に置き換わりました",
            "a later reply from the same person replaced it"
        ),
        ReplyIssue::NotApplicable => tr!(
            lang,
            "この手順は今回の事案では行いません",
            "the step does not apply to this incident"
        ),
    }
}

/// Fills a template with the incident's facts. `division` is the recipient, for mail.
pub fn fill(
    template: &Template,
    record: &IncidentRecord,
    step: StepIx,
    now: DateTime<FixedOffset>,
    division: Option<&str>,
) -> String {
    fill_value(template, record, step, Value::Time(now), division)
}

/// [`fill`] with the time it is filled at left open: `{{now}}` (whatever its filter) becomes
/// `mark`. A post's statement so filled reads the same whenever it is posted: what an
/// approval covers.
pub fn fill_open(template: &Template, record: &IncidentRecord, step: StepIx, mark: &str) -> String {
    fill_value(template, record, step, Value::Text(mark.to_string()), None)
}

/// The placeholders of `template` that have no value for this incident (nothing is written
/// where they stand): the account not given, a website the directory does not list.
pub fn unfilled(template: &Template, record: &IncidentRecord, step: StepIx) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for (name, _) in template.placeholders() {
        let none = value_of(name, record, step, &Value::Text(String::new()), None).is_none();
        if none && !names.iter().any(|n| n == name) {
            names.push(name.to_string());
        }
    }
    names
}

fn fill_value(
    template: &Template,
    record: &IncidentRecord,
    step: StepIx,
    now: Value,
    division: Option<&str>,
) -> String {
    template.render(|name| value_of(name, record, step, &now, division))
}

/// The value of the placeholder `name` for this incident, if it has one.
fn value_of(
    name: &str,
    record: &IncidentRecord,
    step: StepIx,
    now: &Value,
    division: Option<&str>,
) -> Option<Value> {
    let state = &record.state;
    let playbook = &record.playbook;
    let text = |s: &str| Some(Value::Text(s.to_string()));
    match name {
        "title" => text(&state.title),
        "incident_id" => text(&record.id),
        "account" => state.account.as_deref().and_then(text),
        "platform" => state.platform.and_then(|p| text(p.display_name())),
        "started_at" => state.started_at.map(Value::Time),
        "now" => Some(now.clone()),
        "operator" => text(&state.operator),
        "organization" => text(&record.directory.organization),
        "org_kind" | "head" | "deputy_head" | "residents" => {
            let words = record.directory.words.as_ref()?;
            text(match name {
                "org_kind" => &words.org_kind,
                "head" => &words.head,
                "deputy_head" => &words.deputy_head,
                _ => &words.residents,
            })
        }
        "website" => record.directory.website.as_deref().and_then(text),
        "step" => playbook.graph.step(step).and_then(|s| text(&s.title)),
        "severity" => state.severity_title(playbook).and_then(text),
        "division" => division.and_then(text),
        // A post's claims: each sentence whose step is done, else its `otherwise`, a line
        // each (nothing where none is said).
        "claims" => {
            let Some(StepKind::Post(post)) = playbook.graph.step(step).map(|s| &s.kind) else {
                return text("");
            };
            let lines: Vec<String> = post
                .claims
                .iter()
                .filter_map(|c| {
                    let holds = match &c.on {
                        crate::playbook::ClaimOn::Done(s) => {
                            state.status_of(*s) == crate::incident::state::StepStatus::Done
                        }
                        crate::playbook::ClaimOn::When(w) => state
                            .step(w.decision)
                            .and_then(|r| r.answer)
                            .is_some_and(|a| w.holds(a)),
                    };
                    let said = if holds {
                        Some(&c.text)
                    } else {
                        c.otherwise.as_ref()
                    }?;
                    Some(said.render(|name| value_of(name, record, step, now, division)))
                })
                .collect();
            text(&lines.join("\n"))
        }
        // A fact (a date and time fact is a time: `2026-12-10 17:32` JST, or as its filter
        // says), or a division, role or part: written as the division or role that plays it.
        name => match state.facts.get(name) {
            Some(v) => match playbook.facts.iter().find(|f| f.id == name) {
                Some(declared) if declared.list => text(&declared.shown(v)),
                Some(declared) => declared.time(v).map(Value::Time).or_else(|| text(v)),
                None => text(v),
            },
            None => record.directory.party(name).and_then(|p| text(p.id())),
        },
    }
}
