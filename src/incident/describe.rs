//! Events in plain words, and templates filled with an incident's facts: what the screen's
//! timeline, the handover and (later) the report show.

use chrono::{DateTime, FixedOffset};

use super::IncidentRecord;
use super::event::{Event, EvidenceRecord};
use crate::clock::format_jst;
use crate::lang::Lang;
use crate::playbook::{Playbook, StepIx, StepKind, Template};

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

/// One sentence saying what happened (without time and actor).
pub fn describe(event: &Event, playbook: &Playbook, lang: Lang) -> String {
    use Lang::{En, Ja};
    match (event, lang) {
        (Event::IncidentStarted { params, .. }, Ja) => format!("事案「{}」を開始", params.title),
        (Event::IncidentStarted { params, .. }, En) => {
            format!("started the incident “{}”", params.title)
        }
        (
            Event::StepCompleted {
                step,
                forced: Some(r),
                ..
            },
            Ja,
        ) => {
            format!("「{}」を完了（逸脱: {r}）", title(playbook, step))
        }
        (
            Event::StepCompleted {
                step,
                forced: Some(r),
                ..
            },
            En,
        ) => {
            format!("completed “{}” (deviation: {r})", title(playbook, step))
        }
        (Event::StepCompleted { step, note, .. }, Ja) => match note {
            Some(n) => format!("「{}」を完了: {n}", title(playbook, step)),
            None => format!("「{}」を完了", title(playbook, step)),
        },
        (Event::StepCompleted { step, note, .. }, En) => match note {
            Some(n) => format!("completed “{}”: {n}", title(playbook, step)),
            None => format!("completed “{}”", title(playbook, step)),
        },
        (Event::StepSkipped { step, reason }, Ja) => {
            format!("「{}」を省略（理由: {reason}）", title(playbook, step))
        }
        (Event::StepSkipped { step, reason }, En) => {
            format!("skipped “{}” ({reason})", title(playbook, step))
        }
        (
            Event::DecisionMade {
                step,
                option,
                reason,
                previous,
                ..
            },
            Ja,
        ) => {
            let chosen = option_title(playbook, step, option);
            match (previous, reason) {
                (Some(p), Some(r)) => format!(
                    "「{}」を「{}」から「{chosen}」に変更（理由: {r}）",
                    title(playbook, step),
                    option_title(playbook, step, p)
                ),
                (_, Some(r)) => format!("「{}」で「{chosen}」と判断（{r}）", title(playbook, step)),
                _ => format!("「{}」で「{chosen}」と判断", title(playbook, step)),
            }
        }
        (
            Event::DecisionMade {
                step,
                option,
                reason,
                previous,
                ..
            },
            En,
        ) => {
            let chosen = option_title(playbook, step, option);
            match (previous, reason) {
                (Some(p), Some(r)) => format!(
                    "changed “{}” from “{}” to “{chosen}” ({r})",
                    title(playbook, step),
                    option_title(playbook, step, p)
                ),
                (_, Some(r)) => format!("decided “{}”: “{chosen}” ({r})", title(playbook, step)),
                _ => format!("decided “{}”: “{chosen}”", title(playbook, step)),
            }
        }
        (Event::ApprovalGiven { step, by }, Ja) => {
            format!("「{}」を{by}が承認", title(playbook, step))
        }
        (Event::ApprovalGiven { step, by }, En) => {
            format!("{by} approved “{}”", title(playbook, step))
        }
        (Event::ApprovalRejected { step, by, reason }, Ja) => {
            format!("「{}」を{by}が差戻し（{reason}）", title(playbook, step))
        }
        (Event::ApprovalRejected { step, by, reason }, En) => {
            format!("{by} rejected “{}” ({reason})", title(playbook, step))
        }
        (
            Event::ChecklistChecked {
                step,
                item,
                checked,
            },
            _,
        ) => {
            let text = playbook
                .graph
                .find(step)
                .and_then(|ix| playbook.graph.step(ix))
                .and_then(|s| s.checklist.get(*item))
                .cloned()
                .unwrap_or_default();
            match (checked, lang) {
                (true, Ja) => format!("チェック: {text}"),
                (false, Ja) => format!("チェックを外す: {text}"),
                (true, En) => format!("checked: {text}"),
                (false, En) => format!("unchecked: {text}"),
            }
        }
        (Event::ObservationRecorded { step, text }, Ja) => {
            format!("「{}」の観測: {text}", title(playbook, step))
        }
        (Event::ObservationRecorded { step, text }, En) => {
            format!("observed for “{}”: {text}", title(playbook, step))
        }
        (Event::StepReopened { step, reason }, Ja) => {
            format!("「{}」を再開（理由: {reason}）", title(playbook, step))
        }
        (Event::StepReopened { step, reason }, En) => {
            format!("reopened “{}” ({reason})", title(playbook, step))
        }
        (Event::NoteAdded { text, .. }, Ja) => format!("メモ: {text}"),
        (Event::NoteAdded { text, .. }, En) => format!("note: {text}"),
        (Event::EvidenceAttached { step, evidence, .. }, _) => {
            let what = match evidence {
                EvidenceRecord::File { name, .. } => format!("evidence/{name}"),
                EvidenceRecord::Url { url } => url.clone(),
            };
            match lang {
                Ja => format!("「{}」の証拠を記録: {what}", title(playbook, step)),
                En => format!("evidence for “{}”: {what}", title(playbook, step)),
            }
        }
        (Event::AccountIdentified { account, platform }, _) => {
            let what = [
                account.clone(),
                platform.map(|p| p.display_name().to_string()),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" / ");
            match lang {
                Ja => format!("対象アカウントを特定: {what}"),
                En => format!("affected account identified: {what}"),
            }
        }
        (Event::ExerciseBegan { title, .. }, Ja) => format!("【訓練】シナリオ「{title}」を開始"),
        (Event::ExerciseBegan { title, .. }, En) => {
            format!("[EXERCISE] scenario “{title}” began")
        }
        (Event::InjectFired { title, early, .. }, Ja) => format!(
            "【状況付与】{title}{}",
            if *early { "（前倒し）" } else { "" }
        ),
        (Event::InjectFired { title, early, .. }, En) => {
            format!("[inject] {title}{}", if *early { " (early)" } else { "" })
        }
        (Event::ReviewRecorded { .. }, Ja) => "振り返りを記録".into(),
        (Event::ReviewRecorded { .. }, En) => "review recorded".into(),
        (Event::HandedOver { from, to, .. }, Ja) => format!("{from} から {to} に交代"),
        (Event::HandedOver { from, to, .. }, En) => format!("handed over from {from} to {to}"),
        (
            Event::NotificationQueued {
                message,
                letter,
                step,
            },
            Ja,
        ) => format!(
            "通知 #{message}（{}宛て、「{}」）を送信待ちに登録",
            letter.to,
            title(playbook, step)
        ),
        (
            Event::NotificationQueued {
                message,
                letter,
                step,
            },
            En,
        ) => format!(
            "queued message #{message} to {} (“{}”)",
            letter.to,
            title(playbook, step)
        ),
        (
            Event::NotificationSent {
                message, transport, ..
            },
            Ja,
        ) => match transport.as_str() {
            "file" => format!("通知 #{message} を送信箱（outbox）に保存"),
            _ => format!("通知 #{message} がメールサーバーに受け付けられた"),
        },
        (
            Event::NotificationSent {
                message, transport, ..
            },
            En,
        ) => match transport.as_str() {
            "file" => format!("message #{message} written to the outbox"),
            _ => format!("message #{message} accepted by the mail server"),
        },
        (
            Event::NotificationFailed {
                message,
                attempt,
                error,
                permanent,
                ..
            },
            Ja,
        ) => format!(
            "通知 #{message} の送信に失敗（{attempt} 回目{}）: {error}",
            if *permanent {
                "、再送しない"
            } else {
                "、自動で再送"
            }
        ),
        (
            Event::NotificationFailed {
                message,
                attempt,
                error,
                permanent,
                ..
            },
            En,
        ) => format!(
            "message #{message} failed (attempt {attempt}{}): {error}",
            if *permanent {
                ", not retried"
            } else {
                ", will retry"
            }
        ),
        (Event::NotificationAcknowledged { message, by, .. }, Ja) => {
            format!("通知 #{message} を {by} が確認")
        }
        (Event::NotificationAcknowledged { message, by, .. }, En) => {
            format!("{by} acknowledged message #{message}")
        }
        (Event::DivisionCalled { division, note, .. }, Ja) => {
            format!("{division} に電話で連絡: {note}")
        }
        (Event::DivisionCalled { division, note, .. }, En) => {
            format!("phoned {division}: {note}")
        }
        (Event::IncidentClosed { reason, .. }, Ja) => match reason {
            Some(r) => format!("事案を終了（未完了の手順あり: {r}）"),
            None => "事案を終了".into(),
        },
        (Event::IncidentClosed { reason, .. }, En) => match reason {
            Some(r) => format!("closed the incident (steps still open: {r})"),
            None => "closed the incident".into(),
        },
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
    let state = &record.state;
    let playbook = &record.playbook;
    template.render(|name| match name {
        "title" => Some(state.title.clone()),
        "incident_id" => Some(record.id.clone()),
        "account" => state.account.clone(),
        "platform" => state.platform.map(|p| p.display_name().to_string()),
        "started_at" => state.started_at.map(|t| format_jst(t, false)),
        "now" => Some(format_jst(now, false)),
        "operator" => Some(state.operator.clone()),
        "organization" => Some(record.directory.organization.clone()),
        "website" => record.directory.website.clone(),
        "step" => playbook.graph.step(step).map(|s| s.title.clone()),
        "severity" => state.severity_title(playbook).map(str::to_string),
        "division" => division.map(str::to_string),
        _ => None,
    })
}
