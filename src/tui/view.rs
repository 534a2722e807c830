//! Drawing: a pure function of the app state onto a frame. Nothing here changes anything.

use chrono::TimeDelta;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Borders, Clear, Gauge, List, ListItem, ListState, Paragraph};

use super::app::{Action, App, Dialog, DialogKind, Mode};
use super::keys::{Binding, NORMAL, REVIEW, dialog_table, hint_line, keys_for};
use super::strings::{label, status as st};
use crate::clock::format_jst;
use crate::incident::StepStatus;
use crate::lang::{Lang, Text as Words};
use crate::playbook::duration::format_duration;
use crate::playbook::{DueFrom, StepIx, StepKind};
use crate::tr;

/// Draws the whole screen.
pub fn draw(app: &App, frame: &mut Frame) {
    let area = frame.area();
    let log_height = if area.height >= 40 { 8 } else { 4 };
    let [header, gauge, body, log, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(6),
        Constraint::Length(log_height),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_header(app, frame, header);
    draw_gauge(app, frame, gauge);
    let list_width = if area.width >= 120 {
        48
    } else {
        area.width * 2 / 5
    };
    let [list, detail] =
        Layout::horizontal([Constraint::Length(list_width), Constraint::Min(20)]).areas(body);
    draw_steps(app, frame, list);
    draw_detail(app, frame, detail);
    draw_log(app, frame, log);
    draw_footer(app, frame, footer);
    match &app.mode {
        Mode::Help => draw_help(app.lang, frame, area),
        Mode::Dialog(d) => draw_dialog(app, d, frame, area),
        Mode::Inject(card) => draw_inject(app.lang, card, frame, area),
        Mode::Review(form) => draw_review(app.lang, form, frame, area),
        Mode::Score(lines) => draw_score(app.lang, lines, frame, area),
        Mode::Normal => {}
    }
}

/// The width of a pop-up: a margin on each side, at most 90 cells.
fn popup_width(area: Rect) -> u16 {
    area.width.saturating_sub(8).clamp(20, 90)
}

/// A pop-up with a border and wrapped text (wrapped here, as the detail pane is, so its height
/// is exact and no line overruns the border).
fn draw_popup(
    frame: &mut Frame,
    area: Rect,
    width: u16,
    title: String,
    lines: Vec<Line<'static>>,
    style: Style,
) {
    let width = width.min(area.width);
    let inner = usize::from(width.saturating_sub(2));
    let lines: Vec<Line<'static>> = lines
        .into_iter()
        .flat_map(|l| wrap_line(l, inner))
        .collect();
    let height = u16::try_from(lines.len() + 2)
        .unwrap_or(u16::MAX)
        .min(area.height)
        .max(5);
    let popup = centered(area, width, height);
    blank_straddling(frame, popup);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(title).border_style(style)),
        popup,
    );
}

fn draw_inject(lang: Lang, card: &super::app::InjectCard, frame: &mut Frame, area: Rect) {
    let mut lines = vec![
        Line::from(Span::styled(
            card.title.clone(),
            Style::new().add_modifier(Modifier::BOLD),
        )),
        Line::from({
            let at = format_jst(card.at, false);
            if card.early {
                tr!(lang, "{at} JST（前倒し）", "{at} JST (early)")
            } else {
                format!("{at} JST")
            }
        }),
        Line::from(""),
    ];
    lines.extend(card.text.lines().map(|l| Line::from(l.to_string())));
    for r in &card.refused {
        lines.push(Line::from(Span::styled(
            r.clone(),
            Style::new().fg(Color::Red),
        )));
    }
    lines.push(Line::from(Span::styled(
        tr!(
            lang,
            "何かキーを押すと閉じます（I でもう一度表示）",
            "press any key to close (I shows it again)"
        ),
        Style::new().fg(Color::DarkGray),
    )));
    draw_popup(
        frame,
        area,
        popup_width(area),
        tr!(lang, " 【訓練】状況付与 ", " [EXERCISE] inject "),
        lines,
        Style::new().fg(Color::Magenta).add_modifier(Modifier::BOLD),
    );
}

/// The three questions of the review.
const REVIEW_FIELDS: [Words; 3] = [
    Words::new("良かった点", "what went well"),
    Words::new("課題", "what was difficult"),
    Words::new("改善策", "what to change"),
];

fn draw_review(lang: Lang, form: &super::app::ReviewForm, frame: &mut Frame, area: Rect) {
    let mut lines = vec![Line::from(tr!(
        lang,
        "訓練が終わりました。振り返りを記録します",
        "The exercise is over. Record the review"
    ))];
    for (i, (question, answer)) in REVIEW_FIELDS.iter().zip(&form.answers).enumerate() {
        let label = question.get(lang);
        let style = if i == form.field {
            Style::new().add_modifier(Modifier::BOLD)
        } else {
            Style::new().fg(Color::Gray)
        };
        let cursor = if i == form.field { "_" } else { "" };
        lines.push(Line::from(Span::styled(
            format!("{}. {label}: {answer}{cursor}", i + 1),
            style,
        )));
    }
    lines.push(footer_line(REVIEW, lang));
    draw_popup(
        frame,
        area,
        popup_width(area),
        tr!(lang, " 振り返り ", " review "),
        lines,
        Style::new().fg(Color::Cyan),
    );
}

fn draw_score(lang: Lang, lines: &[String], frame: &mut Frame, area: Rect) {
    let mut shown: Vec<Line> = lines.iter().map(|l| Line::from(l.clone())).collect();
    if let Some(first) = shown.first_mut() {
        *first = Line::from(Span::styled(
            lines.first().cloned().unwrap_or_default(),
            Style::new().add_modifier(Modifier::BOLD),
        ));
    }
    shown.push(Line::from(Span::styled(
        tr!(
            lang,
            "何かキーを押すと閉じます。`hikeshi report` の報告書にも載ります",
            "press any key to close; `hikeshi report` includes this"
        ),
        Style::new().fg(Color::DarkGray),
    )));
    draw_popup(
        frame,
        area,
        popup_width(area),
        tr!(lang, " 【訓練】得点 ", " [EXERCISE] score "),
        shown,
        Style::new().fg(Color::Magenta),
    );
}

fn status_style(status: StepStatus, overdue: bool) -> Style {
    if overdue {
        return Style::new().fg(Color::Red).add_modifier(Modifier::BOLD);
    }
    match status {
        StepStatus::Ready => Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
        StepStatus::Done => Style::new().fg(Color::Green),
        StepStatus::Skipped => Style::new().fg(Color::Gray),
        StepStatus::NotApplicable => Style::new().fg(Color::DarkGray).add_modifier(Modifier::DIM),
        StepStatus::Pending => Style::new(),
    }
}

/// ASCII marks: no ambiguous-width symbols in the chrome.
fn mark(status: StepStatus, overdue: bool) -> &'static str {
    match (status, overdue) {
        (_, true) => "[!]",
        (StepStatus::Done, _) => "[x]",
        (StepStatus::Ready, _) => "[>]",
        (StepStatus::Pending, _) => "[ ]",
        (StepStatus::Skipped, _) => "[-]",
        (StepStatus::NotApplicable, _) => "[~]",
    }
}

fn status_word(status: StepStatus, lang: Lang) -> &'static str {
    match status {
        StepStatus::Done => st::DONE.get(lang),
        StepStatus::Ready => st::READY.get(lang),
        StepStatus::Pending => st::PENDING.get(lang),
        StepStatus::Skipped => st::SKIPPED.get(lang),
        StepStatus::NotApplicable => st::NOT_APPLICABLE.get(lang),
    }
}

/// "15分" left, or "超過 5分".
fn time_left(left: TimeDelta, lang: Lang) -> String {
    if left < TimeDelta::zero() {
        format!("{} {}", label::LATE.get(lang), format_duration(-left, lang))
    } else {
        format!("{} {}", label::LEFT.get(lang), format_duration(left, lang))
    }
}

fn draw_header(app: &App, frame: &mut Frame, area: Rect) {
    let lang = app.lang;
    let state = app.incident.state();
    let elapsed = state
        .started_at
        .map(|s| format_duration(app.now - s, lang))
        .unwrap_or_default();
    let mut spans = vec![Span::styled(
        format!(" {} ", state.title),
        Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED),
    )];
    // The exercise clock comes first: a facilitator must see at once whether it runs.
    if let Some(session) = &app.exercise {
        // ASCII and full-width text only: no ambiguous-width symbols in the chrome.
        let clock = if session.is_paused() {
            tr!(lang, "一時停止中", "PAUSED")
        } else {
            tr!(lang, "進行中", "running")
        };
        let next = session
            .next_inject_at(&app.incident)
            .map(|t| {
                let left = format_duration((t - app.now).max(TimeDelta::zero()), lang);
                tr!(lang, "  次の状況付与まで {left}", "  next inject in {left}")
            })
            .unwrap_or_default();
        let speed = session.speed();
        spans.push(Span::styled(
            tr!(
                lang,
                "  訓練 {clock} x{speed}{next}",
                "  EXERCISE {clock} x{speed}{next}"
            ),
            Style::new().fg(Color::Magenta).add_modifier(Modifier::BOLD),
        ));
    }
    spans.extend([Span::raw(format!(
        "  {} {elapsed}  {} {}  {} {}",
        label::ELAPSED.get(lang),
        format_jst(app.now, true),
        "JST",
        label::OPERATOR.get(lang),
        state.operator,
    ))]);
    if app.mail.transport.is_none() {
        spans.push(Span::styled(
            format!("  {}", label::MAIL_DOWN.get(lang)),
            Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
        ));
    }
    let undelivered = state.undelivered().count();
    if undelivered > 0 {
        spans.push(Span::styled(
            format!("  {} {undelivered}", label::UNDELIVERED.get(lang)),
            Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
        ));
    }
    let needs_call = state.needs_call(app.incident.playbook(), app.now).count();
    if needs_call > 0 {
        spans.push(Span::styled(
            format!("  {} {needs_call}", label::NEEDS_CALL.get(lang)),
            Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
        ));
    }
    if state.is_closed() {
        spans.push(Span::styled(
            format!("  [{}]", label::CLOSED.get(lang)),
            Style::new().fg(Color::Gray),
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn draw_gauge(app: &App, frame: &mut Frame, area: Rect) {
    let lang = app.lang;
    let state = app.incident.state();
    let playbook = app.incident.playbook();
    let p = state.progress();
    let overdue = state.overdue(playbook, app.now).len();
    let settled = p.settled();
    let severity = state.severity_title(playbook).unwrap_or("-");
    let text = format!(
        "{} {settled}/{}  {} {}  {} {overdue}  {} {severity}",
        label::PROGRESS.get(lang),
        p.total,
        label::READY.get(lang),
        p.ready,
        label::OVERDUE.get(lang),
        label::SEVERITY.get(lang),
    );
    let style = if overdue > 0 {
        Style::new().fg(Color::Red)
    } else {
        Style::new().fg(Color::Green)
    };
    frame.render_widget(
        Gauge::default()
            .ratio(p.ratio().clamp(0.0, 1.0))
            .label(text)
            .gauge_style(style),
        area,
    );
}

fn draw_steps(app: &App, frame: &mut Frame, area: Rect) {
    let lang = app.lang;
    let state = app.incident.state();
    let playbook = app.incident.playbook();
    let wide = area.width >= 48;
    let items: Vec<ListItem> = app
        .order()
        .iter()
        .filter_map(|&ix| {
            let step = playbook.graph.step(ix)?;
            let view = state.view(playbook, ix, app.now);
            let style = status_style(view.status, view.overdue);
            let mut spans = vec![Span::styled(
                format!("{} ", mark(view.status, view.overdue)),
                style,
            )];
            if let Some(left) = view.time_left {
                spans.push(Span::styled(format!("{} ", time_left(left, lang)), style));
            }
            spans.push(Span::styled(step.title.clone(), style));
            if wide && let Some(owner) = &step.owner {
                spans.push(Span::styled(
                    format!("  {owner}"),
                    Style::new().fg(Color::DarkGray),
                ));
            }
            Some(ListItem::new(Line::from(spans)))
        })
        .collect();
    let list = List::new(items)
        .block(Block::bordered().title(label::STEPS.get(lang)))
        .highlight_style(Style::new().add_modifier(Modifier::REVERSED));
    let mut list_state = ListState::default().with_selected(Some(app.selected));
    frame.render_stateful_widget(list, area, &mut list_state);
}

fn heading(text: &str) -> Line<'static> {
    Line::from(Span::styled(
        text.to_string(),
        Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
    ))
}

fn party_lines(app: &App, name: &str, lines: &mut Vec<Line<'static>>) {
    let Some(party) = app.incident.record().directory.party(name) else {
        lines.push(Line::from(format!("  {name}")));
        return;
    };
    let mut text = format!("  {}", party.id());
    if let Some(h) = party.held_by() {
        text.push_str(&format!("（{h}）"));
    }
    text.push_str(&format!("  {}", party.email()));
    if let Some(p) = party.phone() {
        text.push_str(&format!("  {p}"));
    }
    lines.push(Line::from(text));
    if let Some(ah) = party.after_hours() {
        lines.push(Line::from(format!(
            "    {}: {} {}",
            label::AFTER_HOURS.get(app.lang),
            ah.phone.as_deref().unwrap_or(""),
            ah.note.as_deref().unwrap_or("")
        )));
    }
}

/// The messages of a notify step and where each stands.
fn message_lines(app: &App, step: &str, lines: &mut Vec<Line<'static>>) {
    use crate::incident::state::{Delivery, Phase};
    let lang = app.lang;
    let state = app.incident.state();
    let needing: std::collections::HashSet<u32> = state
        .needs_call(app.incident.playbook(), app.now)
        .map(|m| m.number)
        .collect();
    let messages: Vec<_> = state.messages.iter().filter(|m| m.step == step).collect();
    if messages.is_empty() {
        return;
    }
    lines.push(Line::default());
    lines.push(heading(label::MESSAGES.get(lang)));
    for m in messages {
        let sending = app.mail.in_flight.contains(&m.number);
        let (text, style) = match (m.phase(), &m.delivery) {
            (Phase::Sent, _) => (
                format!(
                    "{} {}",
                    label::DELIVERED.get(lang),
                    m.sent_at().map(|t| format_jst(t, true)).unwrap_or_default()
                ),
                Style::new().fg(Color::Green),
            ),
            (Phase::Called, _) => (
                format!(
                    "{} {}",
                    label::CALLED.get(lang),
                    m.called
                        .as_ref()
                        .map(|c| format_jst(c.at, true))
                        .unwrap_or_default()
                ),
                Style::new().fg(Color::Green),
            ),
            (Phase::Cancelled, _) => (
                format!(
                    "{}: {}",
                    label::CANCELLED.get(lang),
                    m.cancelled
                        .as_ref()
                        .map(|c| c.text.as_str())
                        .unwrap_or_default()
                ),
                Style::new().fg(Color::Gray),
            ),
            _ if sending => (
                label::SENDING.get(lang).to_string(),
                Style::new().fg(Color::Cyan),
            ),
            (
                Phase::Failed | Phase::FailedPermanent,
                Delivery::Failed {
                    attempt,
                    error,
                    permanent,
                    next_retry,
                    ..
                },
            ) => (
                match (permanent, next_retry) {
                    (false, Some(t)) => format!(
                        "{} ({attempt}) {} {}: {error}",
                        label::FAILED.get(lang),
                        label::RETRY_AT.get(lang),
                        format_jst(*t, true)
                    ),
                    _ => format!(
                        "{} ({attempt}) {}: {error}",
                        label::FAILED.get(lang),
                        label::NOT_RETRIED.get(lang)
                    ),
                },
                Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
            ),
            _ => (
                label::QUEUED.get(lang).to_string(),
                Style::new().fg(Color::Cyan),
            ),
        };
        let mut spans = vec![
            Span::raw(format!("  #{} {}  ", m.number, m.letter.to)),
            Span::styled(text, style),
        ];
        if let Some(ack) = &m.acknowledged {
            spans.push(Span::styled(
                format!("  {}: {}", label::ACKNOWLEDGED.get(lang), ack.by),
                Style::new().fg(Color::Green),
            ));
        } else if needing.contains(&m.number) {
            spans.push(Span::styled(
                format!("  {}", label::NEEDS_CALL.get(lang)),
                Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
            ));
        }
        lines.push(Line::from(spans));
    }
}

/// A step's condition in words: the decision and the options it needs.
fn condition_text(
    playbook: &crate::playbook::Playbook,
    step: &crate::playbook::Step,
    lang: Lang,
) -> Option<String> {
    let cond = step.when.as_ref()?;
    let decision = playbook.graph.step(cond.decision)?;
    let StepKind::Decision(d) = &decision.kind else {
        return None;
    };
    let names: Vec<&str> = cond
        .options
        .iter()
        .filter_map(|o| d.options.get(*o).map(|c| c.title.as_str()))
        .collect();
    let title = &decision.title;
    let options = names.join(&tr!(lang, "・", " or "));
    Some(if cond.negated {
        tr!(
            lang,
            "{title} = {options} 以外",
            "{title} = other than {options}"
        )
    } else {
        format!("{title} = {options}")
    })
}

/// The lines of the detail pane for a step.
pub fn detail_lines(app: &App, ix: StepIx) -> Vec<Line<'static>> {
    let lang = app.lang;
    let state = app.incident.state();
    let playbook = app.incident.playbook();
    let mut lines: Vec<Line<'static>> = Vec::new();
    let (Some(step), Some(record)) = (playbook.graph.step(ix), state.step(ix)) else {
        return lines;
    };
    let view = state.view(playbook, ix, app.now);
    lines.push(Line::from(Span::styled(
        step.title.clone(),
        Style::new().add_modifier(Modifier::BOLD),
    )));
    let mut facts = vec![
        Span::styled(
            status_word(view.status, lang).to_string(),
            status_style(view.status, view.overdue),
        ),
        Span::raw(format!("  {} ({})", step.id, step.kind.name())),
    ];
    if let Some(owner) = &step.owner {
        facts.push(Span::raw(format!("  {}: {owner}", label::OWNER.get(lang))));
    }
    lines.push(Line::from(facts));
    if let Some(due) = &step.due {
        let mut text = format!(
            "{}: {}",
            label::DUE.get(lang),
            format_duration(due.within, lang)
        );
        if due.from == DueFrom::Start {
            text.push_str(&tr!(lang, "（開始から）", " (from start)"));
        }
        if let Some(at) = view.due_at {
            text.push_str(&format!("  = {}", format_jst(at, false)));
        }
        if let Some(left) = view.time_left {
            text.push_str(&format!("  {}", time_left(left, lang)));
        }
        lines.push(Line::from(Span::styled(
            text,
            if view.overdue {
                Style::new().fg(Color::Red)
            } else {
                Style::new()
            },
        )));
    }
    if let Some(text) = condition_text(playbook, step, lang) {
        lines.push(Line::from(format!("{}: {text}", label::WHEN.get(lang))));
    }
    if !step.sources.is_empty() {
        let cites: Vec<String> = step
            .sources
            .iter()
            .map(|c| {
                let doc = playbook
                    .sources
                    .iter()
                    .find(|s| s.id == c.source)
                    .map_or(c.source.as_str(), |s| s.title.as_str());
                format!("{doc} {}", c.clause)
            })
            .collect();
        lines.push(Line::from(Span::styled(
            format!("{}: {}", label::SOURCE.get(lang), cites.join(" / ")),
            Style::new().fg(Color::Cyan),
        )));
    }
    let guidance = step.guidance_for(state.platform);
    if !guidance.trim().is_empty() {
        lines.push(Line::default());
        lines.push(heading(label::GUIDANCE.get(lang)));
        lines.extend(reflow(&guidance).into_iter().map(Line::from));
    }
    if !step.checklist.is_empty() {
        lines.push(Line::default());
        lines.push(heading(label::CHECKLIST.get(lang)));
        for (i, item) in step.checklist.iter().enumerate() {
            let checked = record.checked.contains(&i);
            lines.push(Line::from(Span::styled(
                format!("{}. [{}] {item}", i + 1, if checked { "x" } else { " " }),
                if checked {
                    Style::new().fg(Color::Green)
                } else {
                    Style::new()
                },
            )));
        }
    }
    match &step.kind {
        StepKind::Notify(n) => {
            lines.push(Line::default());
            lines.push(heading(label::RECIPIENTS.get(lang)));
            for to in &n.to {
                party_lines(app, to, &mut lines);
            }
            message_lines(app, &step.id, &mut lines);
        }
        StepKind::Decision(d) => {
            lines.push(Line::default());
            lines.push(heading(&format!(
                "{}: {}",
                label::OPTIONS.get(lang),
                d.question
            )));
            option_lines(
                &d.options,
                record.answer,
                Style::new().add_modifier(Modifier::BOLD),
                &mut lines,
            );
        }
        StepKind::Approval { approver } => {
            lines.push(Line::from(format!(
                "{}: {approver}",
                label::APPROVER.get(lang)
            )));
        }
        StepKind::Post(p) => {
            lines.push(Line::from(format!(
                "{}: {}",
                label::APPROVER.get(lang),
                p.approver
            )));
            lines.push(Line::default());
            lines.push(heading(label::STATEMENT.get(lang)));
            if let Some(text) = app.copy_text(ix) {
                lines.extend(text.lines().map(|l| Line::from(l.to_string())));
            }
        }
        StepKind::Monitor(m) => {
            let mut text = format!(
                "{}: {}",
                label::EVERY.get(lang),
                format_duration(m.every, lang)
            );
            if let Some(next) = view.next_check {
                text.push_str(&format!(
                    "  {}: {}",
                    label::NEXT_CHECK.get(lang),
                    format_jst(next, false)
                ));
            }
            lines.push(Line::from(text));
            if !record.observations.is_empty() {
                lines.push(heading(label::OBSERVATIONS.get(lang)));
                for o in record.observations.iter().rev().take(5) {
                    lines.push(Line::from(format!(
                        "  {} {}",
                        format_jst(o.at, false),
                        o.text
                    )));
                }
            }
        }
        StepKind::Action => {
            if step.draft.is_some() {
                lines.push(Line::default());
                lines.push(heading(label::DRAFT.get(lang)));
                if let Some(text) = app.copy_text(ix) {
                    lines.extend(text.lines().map(|l| Line::from(l.to_string())));
                }
            }
        }
    }
    if let Some(approval) = &record.approval {
        lines.push(Line::from(Span::styled(
            format!(
                "{}: {} ({})",
                label::APPROVED_BY.get(lang),
                approval.by,
                format_jst(approval.at, false)
            ),
            Style::new().fg(Color::Green),
        )));
    }
    if !step.contacts.is_empty() {
        lines.push(Line::default());
        lines.push(heading(label::CONTACTS.get(lang)));
        for c in &step.contacts {
            party_lines(app, c, &mut lines);
        }
    }
    if !step.evidence.is_empty() {
        lines.push(Line::default());
        lines.push(heading(label::EVIDENCE.get(lang)));
        for e in &step.evidence {
            lines.push(Line::from(format!("  - {}", e.label)));
        }
    }
    if !record.evidence.is_empty() {
        lines.push(heading(label::RECORDED.get(lang)));
        for (remark, ev) in &record.evidence {
            let what = match ev {
                crate::incident::EvidenceRecord::File { name, .. } => format!("evidence/{name}"),
                crate::incident::EvidenceRecord::Url { url } => url.clone(),
            };
            lines.push(Line::from(format!(
                "  {} {what}",
                format_jst(remark.at, false)
            )));
        }
    }
    lines
}

/// Joins the hard line breaks YAML authors put inside sentences, so the pane's own wrapping
/// decides the width; keeps breaks before list items and after full stops.
pub fn reflow(text: &str) -> Vec<String> {
    let starts_item = |l: &str| {
        let t = l.trim_start();
        t.is_empty()
            || [
                "・", "-", "- ", "※", "（", "(", "■", "①", "②", "③", "④", "⑤",
            ]
            .iter()
            .any(|p| t.starts_with(p))
            || t.chars().next().is_some_and(|c| c.is_ascii_digit())
    };
    let ends_sentence = |l: &str| {
        let t = l.trim_end();
        t.is_empty() || ["。", "：", ":", "）", ")"].iter().any(|e| t.ends_with(e))
    };
    let mut out: Vec<String> = Vec::new();
    for line in text.lines() {
        let joinable = out
            .last()
            .is_some_and(|prev| !ends_sentence(prev) && !starts_item(line));
        match out.last_mut() {
            Some(prev) if joinable => prev.push_str(line.trim_start()),
            _ => out.push(line.trim_end().to_string()),
        }
    }
    out
}

/// Wraps a styled line to `width` cells, breaking between characters (as Japanese text is
/// broken). Done here rather than by ratatui's word wrapper, which can let a line ending in
/// full-width text overrun the border. A line that starts with spaces keeps them as a hanging
/// indent on its continuation lines (up to half the width), so an indented item stays one.
pub fn wrap_line(line: Line<'static>, width: usize) -> Vec<Line<'static>> {
    use unicode_width::UnicodeWidthChar;
    let width = width.max(2);
    let indent = line
        .spans
        .first()
        .map_or(0, |s| s.content.chars().take_while(|c| *c == ' ').count())
        .min(width / 2);
    let mut out: Vec<Line<'static>> = Vec::new();
    let mut current: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    for span in line.spans {
        let mut piece = String::new();
        for c in span.content.chars() {
            let w = c.width().unwrap_or(0);
            if used + w > width {
                if !piece.is_empty() {
                    current.push(Span::styled(std::mem::take(&mut piece), span.style));
                }
                out.push(Line::from(std::mem::take(&mut current)));
                if indent > 0 {
                    current.push(Span::raw(" ".repeat(indent)));
                }
                used = indent;
            }
            piece.push(c);
            used += w;
        }
        if !piece.is_empty() {
            current.push(Span::styled(piece, span.style));
        }
    }
    out.push(Line::from(current));
    out
}

fn draw_detail(app: &App, frame: &mut Frame, area: Rect) {
    let inner_width = usize::from(area.width.saturating_sub(2));
    let lines: Vec<Line<'static>> = app
        .selected_step()
        .map(|ix| detail_lines(app, ix))
        .unwrap_or_default()
        .into_iter()
        .flat_map(|l| wrap_line(l, inner_width))
        .collect();
    // Keep the scroll within the text, so a long step can be paged to its end.
    let visible = usize::from(area.height.saturating_sub(2));
    let max_scroll = lines.len().saturating_sub(visible);
    let scroll = u16::try_from(app.detail_scroll.min(max_scroll)).unwrap_or(u16::MAX);
    let mut title = label::DETAIL.get(app.lang).to_string();
    if max_scroll > 0 {
        let keys = keys_for(NORMAL, &Action::PageDown);
        title.push_str(&tr!(app.lang, " ({keys} で続き)", " ({keys} for more)"));
    }
    frame.render_widget(
        Paragraph::new(Text::from(lines))
            .block(Block::bordered().title(title))
            .scroll((scroll, 0)),
        area,
    );
}

fn draw_log(app: &App, frame: &mut Frame, area: Rect) {
    let rows = usize::from(area.height.saturating_sub(1));
    let start = app.log.len().saturating_sub(rows);
    let lines: Vec<Line> = app.log[start..]
        .iter()
        .map(|l| {
            Line::from(vec![
                Span::styled(
                    format!("{} ", l.at.format("%H:%M")),
                    Style::new().fg(Color::DarkGray),
                ),
                Span::styled(format!("{} ", l.actor), Style::new().fg(Color::Cyan)),
                Span::raw(l.text.clone()),
            ])
        })
        .collect();
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::TOP)
                .title(label::LOG.get(app.lang)),
        ),
        area,
    );
}

fn draw_footer(app: &App, frame: &mut Frame, area: Rect) {
    let line = match &app.flash {
        Some(f) if f.error => Line::from(Span::styled(
            f.text.clone(),
            Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
        )),
        Some(f) => Line::from(Span::styled(f.text.clone(), Style::new().fg(Color::Green))),
        None => footer_line(NORMAL, app.lang),
    };
    frame.render_widget(Paragraph::new(line), area);
}

/// Blanks a wide character that straddles the left edge of a pop-up: the terminal would
/// otherwise draw it over the pop-up's border (the cell under its second half is skipped).
fn blank_straddling(frame: &mut Frame, popup: Rect) {
    use unicode_width::UnicodeWidthStr as _;
    let Some(left) = popup.x.checked_sub(1) else {
        return;
    };
    let buf = frame.buffer_mut();
    for y in popup.y..popup.y.saturating_add(popup.height) {
        if let Some(cell) = buf.cell_mut((left, y))
            && cell.symbol().width() > 1
        {
            cell.set_symbol(" ");
        }
    }
}

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

fn draw_help(lang: Lang, frame: &mut Frame, area: Rect) {
    let width = NORMAL.iter().map(|b| b.keys().len()).max().unwrap_or(0);
    let lines: Vec<Line<'static>> = NORMAL
        .iter()
        .map(|b| {
            Line::from(vec![
                Span::styled(
                    format!("{:>width$}  ", b.keys()),
                    Style::new().add_modifier(Modifier::BOLD),
                ),
                Span::raw(b.help.get(lang)),
            ])
        })
        .collect();
    draw_popup(
        frame,
        area,
        // Wider than the others: one row per key, unwrapped, on an 80-column screen.
        area.width.saturating_sub(2),
        label::HELP.get(lang).to_string(),
        lines,
        Style::new(),
    );
}

/// The key hints of a table as a dim footer line.
fn footer_line(table: &[Binding], lang: Lang) -> Line<'static> {
    Line::from(Span::styled(
        hint_line(table, lang),
        Style::new().fg(Color::DarkGray),
    ))
}

fn draw_dialog(app: &App, dialog: &Dialog, frame: &mut Frame, area: Rect) {
    let lang = app.lang;
    let playbook = app.incident.playbook();
    let step = playbook.graph.step(dialog.step);
    let mut lines: Vec<Line<'static>> = Vec::new();
    if !matches!(dialog.kind, DialogKind::Handover | DialogKind::Close) {
        lines.push(Line::from(Span::styled(
            step.map(|s| s.title.clone()).unwrap_or_default(),
            Style::new().add_modifier(Modifier::BOLD),
        )));
    }
    if dialog.kind == DialogKind::Decide
        && let Some(StepKind::Decision(d)) = step.map(|s| &s.kind)
    {
        lines.push(Line::from(d.question.clone()));
        option_lines(
            &d.options,
            Some(dialog.choice),
            Style::new().add_modifier(Modifier::REVERSED),
            &mut lines,
        );
        if dialog.needs_reason {
            lines.push(Line::from(tr!(
                lang,
                "判断を変更する理由:",
                "reason for changing the answer:"
            )));
        }
    }
    if dialog.takes_text {
        lines.push(input_line(dialog, lang));
    }
    lines.push(footer_line(dialog_table(dialog), lang));
    draw_popup(
        frame,
        area,
        popup_width(area),
        dialog.prompt(lang),
        lines,
        Style::new().fg(Color::Yellow),
    );
}

/// The text field: what is typed, or the suggestion (dim) while nothing is.
fn input_line(dialog: &Dialog, lang: Lang) -> Line<'static> {
    match &dialog.suggestion {
        Some(s) if dialog.input.is_empty() => Line::from(vec![
            Span::raw("> _"),
            Span::styled(
                tr!(lang, "{s}（候補）", "{s} (suggested)"),
                Style::new().fg(Color::DarkGray),
            ),
        ]),
        _ => Line::from(format!("> {}_", dialog.input)),
    }
}

/// A decision's options, numbered, each with its description below it; `marked` is drawn
/// in `style` (the selection in the dialog, the answer in the pane).
fn option_lines(
    options: &[crate::playbook::Choice],
    marked: Option<usize>,
    style: Style,
    lines: &mut Vec<Line<'static>>,
) {
    for (i, o) in options.iter().enumerate() {
        let on = marked == Some(i);
        lines.push(Line::from(Span::styled(
            format!(
                "{}{}. {} ({})",
                if on { "> " } else { "  " },
                i + 1,
                o.title,
                o.id
            ),
            if on { style } else { Style::new() },
        )));
        if let Some(text) = &o.description {
            lines.extend(reflow(text).into_iter().map(|l| {
                Line::from(Span::styled(
                    format!("     {l}"),
                    Style::new().fg(Color::Gray),
                ))
            }));
        }
    }
}
