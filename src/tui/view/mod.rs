//! Drawing: a pure function of the app state onto a frame. Nothing here changes anything.
//! The frame is the header, the gauge, the step list, the detail pane (`detail`), the
//! timeline and the bottom line; pop-ups (`popup`) go over it by mode.

mod detail;
mod popup;

use chrono::TimeDelta;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Gauge, List, ListItem, ListState, Paragraph};

pub use detail::{detail_lines, reflow, wrap_line};

use super::app::{App, Mode};
use super::keys::{Binding, NORMAL, hint_line};
use crate::clock::format_jst;
use crate::incident::StepStatus;
use crate::lang::Lang;
use crate::playbook::duration::format_duration;
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
    detail::draw_detail(app, frame, detail);
    draw_log(app, frame, log);
    draw_footer(app, frame, footer);
    match &app.mode {
        Mode::Help => popup::draw_help(app.lang, frame, area),
        Mode::Dialog(d) => popup::draw_dialog(app, d, frame, area),
        Mode::Inject(card) => popup::draw_inject(app.lang, card, frame, area),
        Mode::Review(form) => popup::draw_review(app.lang, form, frame, area),
        Mode::Score(lines) => popup::draw_score(app.lang, lines, frame, area),
        Mode::Normal => {}
    }
}

pub(super) fn status_style(status: StepStatus, overdue: bool) -> Style {
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

/// "15分" left, or "超過 5分".
pub(super) fn time_left(left: TimeDelta, lang: Lang) -> String {
    if left < TimeDelta::zero() {
        let late = format_duration(-left, lang);
        tr!(lang, "超過 {late}", "late {late}")
    } else {
        let left = format_duration(left, lang);
        tr!(lang, "残り {left}", "left {left}")
    }
}

fn draw_header(app: &App, frame: &mut Frame, area: Rect) {
    let lang = app.lang;
    let state = app.incident.state();
    // Elapsed time stops at the close.
    let elapsed = state
        .started_at
        .map(|s| format_duration(state.clock_at(app.now) - s, lang))
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
    let (now, operator) = (format_jst(app.now, true), &state.operator);
    spans.push(Span::raw(tr!(
        lang,
        "  経過 {elapsed}  {now} JST  担当 {operator}",
        "  elapsed {elapsed}  {now} JST  operator {operator}"
    )));
    // Someone else is on duty: what this screen records is recorded under its own name.
    if app.operator != state.operator {
        let me = &app.operator;
        spans.push(Span::styled(
            tr!(
                lang,
                "  この画面の記録者 {me}",
                "  this screen records as {me}"
            ),
            Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
        ));
    }
    if app.mail.transport.is_none() {
        spans.push(Span::styled(
            tr!(
                lang,
                "  メール送信不可（設定を確認）",
                "  mail off (check settings)"
            ),
            Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
        ));
    }
    let undelivered = state.undelivered().count();
    if undelivered > 0 {
        spans.push(Span::styled(
            tr!(
                lang,
                "  未送達 {undelivered}",
                "  undelivered {undelivered}"
            ),
            Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
        ));
    }
    let needs_call = state.needs_call(app.incident.playbook(), app.now).count();
    if needs_call > 0 {
        spans.push(Span::styled(
            format!("  {} {needs_call}", detail::needs_call_word(lang)),
            Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
        ));
    }
    if state.is_closed() {
        spans.push(Span::styled(
            tr!(lang, "  [終了]", "  [closed]"),
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
    let (total, ready) = (p.total, p.ready);
    let text = tr!(
        lang,
        "進捗 {settled}/{total}  実施可 {ready}  期限超過 {overdue}  重大度 {severity}",
        "progress {settled}/{total}  ready {ready}  overdue {overdue}  severity {severity}"
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
            if wide && let Some(owner) = state.owner_of(step) {
                spans.push(Span::styled(
                    format!("  {owner}"),
                    Style::new().fg(Color::DarkGray),
                ));
            }
            Some(ListItem::new(Line::from(spans)))
        })
        .collect();
    let list = List::new(items)
        .block(Block::bordered().title(tr!(lang, "手順", "Steps")))
        .highlight_style(Style::new().add_modifier(Modifier::REVERSED));
    let mut list_state = ListState::default().with_selected(Some(app.selected));
    frame.render_stateful_widget(list, area, &mut list_state);
}

fn draw_log(app: &App, frame: &mut Frame, area: Rect) {
    let rows = usize::from(area.height.saturating_sub(1));
    let start = app.log.len().saturating_sub(rows);
    let lines: Vec<Line> = app.log[start..]
        .iter()
        .map(|l| {
            let line = Line::from(vec![
                Span::styled(
                    format!("{} ", l.at.format("%H:%M")),
                    Style::new().fg(Color::DarkGray),
                ),
                Span::styled(format!("{} ", l.actor), Style::new().fg(Color::Cyan)),
                Span::raw(l.text.clone()),
            ]);
            // What someone else just recorded stands out for a moment.
            if l.highlight {
                line.style(Style::new().add_modifier(Modifier::BOLD).bg(Color::Blue))
            } else {
                line
            }
        })
        .collect();
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::TOP)
                .title(tr!(app.lang, "経過", "Timeline")),
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

/// The key hints of a table as a dim footer line.
pub(super) fn footer_line(table: &[Binding], lang: Lang) -> Line<'static> {
    Line::from(Span::styled(
        hint_line(table, lang),
        Style::new().fg(Color::DarkGray),
    ))
}
