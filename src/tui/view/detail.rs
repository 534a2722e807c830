//! The detail pane: everything about the selected step (what to do, why, for whom, and
//! where it stands), wrapped to the pane by hikeshi itself.

use std::collections::HashSet;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Paragraph};

use super::{status_style, time_left};
use crate::clock::format_jst;
use crate::incident::state::{Delivery, MessageRecord, Phase, StepRecord};
use crate::incident::status::pending_of;
use crate::incident::{EvidenceRecord, StepView};
use crate::lang::Lang;
use crate::playbook::duration::format_duration;
use crate::playbook::{Choice, DueFrom, Playbook, Step, StepIx, StepKind};
use crate::tr;
use crate::tui::app::{Action, App};
use crate::tui::keys::{NORMAL, keys_for, name_of};

pub(super) fn draw_detail(app: &App, frame: &mut Frame, area: Rect) {
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
    let mut title = tr!(app.lang, "詳細", "Detail");
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

/// One step as the pane shows it: the step, what has happened to it, and its times now.
struct Detail<'a> {
    app: &'a App,
    lang: Lang,
    playbook: &'a Playbook,
    ix: StepIx,
    step: &'a Step,
    record: &'a StepRecord,
    view: StepView,
    lines: Vec<Line<'static>>,
}

/// The lines of the detail pane for a step.
pub fn detail_lines(app: &App, ix: StepIx) -> Vec<Line<'static>> {
    let state = app.incident.state();
    let playbook = app.incident.playbook();
    let (Some(step), Some(record)) = (playbook.graph.step(ix), state.step(ix)) else {
        return Vec::new();
    };
    let mut d = Detail {
        app,
        lang: app.lang,
        playbook,
        ix,
        step,
        record,
        view: state.view(playbook, ix, app.now),
        lines: Vec::new(),
    };
    d.facts();
    d.shown();
    d.guidance();
    d.kind();
    d.record();
    d.lines
}

impl Detail<'_> {
    fn push(&mut self, line: impl Into<Line<'static>>) {
        self.lines.push(line.into());
    }

    /// A blank line and an underlined heading.
    fn section(&mut self, title: String) {
        self.push(Line::default());
        self.heading(title);
    }

    fn heading(&mut self, title: String) {
        self.push(Span::styled(
            title,
            Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
        ));
    }

    /// Title, status, owner, deadline, condition and sources.
    fn facts(&mut self) {
        let (lang, step, view) = (self.lang, self.step, self.view);
        self.push(Span::styled(
            step.title.clone(),
            Style::new().add_modifier(Modifier::BOLD),
        ));
        let mut facts = vec![
            Span::styled(
                view.status.words(lang).to_string(),
                status_style(view.status, view.overdue),
            ),
            Span::raw(format!("  {} ({})", step.id, step.kind.name())),
        ];
        let state = self.app.incident.state();
        if let Some(owner) = state.owner_of(step) {
            facts.push(Span::raw(tr!(lang, "  担当: {owner}", "  owner: {owner}")));
        }
        self.push(Line::from(facts));
        if let Some(due) = &state.due_of(step) {
            let within = format_duration(due.within, lang);
            let mut text = match due.from {
                DueFrom::Start => tr!(
                    lang,
                    "期限: {within}（開始から）",
                    "due: {within} (from start)"
                ),
                DueFrom::Ready => tr!(lang, "期限: {within}", "due: {within}"),
            };
            if let Some(at) = view.due_at {
                text.push_str(&format!("  = {}", format_jst(at, false)));
            }
            if let Some(left) = view.time_left {
                text.push_str(&format!("  {}", time_left(left, lang)));
            }
            let style = if view.overdue {
                Style::new().fg(Color::Red)
            } else {
                Style::new()
            };
            self.push(Span::styled(text, style));
        }
        if let Some(text) = condition_text(self.playbook, step, lang) {
            self.push(tr!(lang, "条件: {text}", "when: {text}"));
        }
        if !step.sources.is_empty() {
            let cites: Vec<String> = step
                .sources
                .iter()
                .map(|c| self.playbook.cited(c, false))
                .collect();
            let cites = cites.join(" / ");
            self.push(Span::styled(
                tr!(lang, "根拠: {cites}", "source: {cites}"),
                Style::new().fg(Color::Cyan),
            ));
        }
        if let Some(reason) = &step.practice {
            self.push(Span::styled(
                tr!(
                    lang,
                    "根拠: 実務（ガイドラインに定めなし） — {reason}",
                    "basis: practice (no guideline clause) — {reason}"
                ),
                Style::new().fg(Color::Yellow),
            ));
        }
        if let Some(departure) = &step.departure {
            let clauses: Vec<String> = departure
                .clauses
                .iter()
                .map(|c| self.playbook.cited(c, true))
                .collect();
            let (clauses, reason) = (clauses.join(" / "), &departure.reason);
            self.push(Span::styled(
                tr!(
                    lang,
                    "意図的に従わない規定: {clauses} — {reason}",
                    "departs on purpose from: {clauses} — {reason}"
                ),
                Style::new().fg(Color::Yellow),
            ));
        }
    }

    /// The facts the step shows (`shows:`) that are recorded, each with its value (an
    /// incident on an account the register does not hold shows nothing here).
    fn shown(&mut self) {
        let facts = &self.app.incident.state().facts;
        let mut lines = Vec::new();
        for id in &self.step.shows {
            let Some(fact) = self.playbook.facts.iter().find(|f| &f.id == id) else {
                continue;
            };
            let Some(value) = facts.get(id) else {
                continue;
            };
            // As people read it (a list joined, a time in JST), never driving the terminal.
            let (label, value) = (&fact.label, fact.shown(value));
            let value = crate::text::shown(&value);
            lines.push(Line::from(Span::styled(
                format!("{label}: {value}"),
                Style::new().fg(Color::Cyan),
            )));
        }
        for line in lines {
            self.push(line);
        }
    }

    /// What to do, and the checklist.
    fn guidance(&mut self) {
        let lang = self.lang;
        let guidance = self.step.guidance_for(self.app.incident.state().platform);
        if !guidance.trim().is_empty() {
            self.section(tr!(lang, "手順の内容", "guidance"));
            self.lines
                .extend(reflow(&guidance).into_iter().map(Line::from));
        }
        if !self.step.checklist.is_empty() {
            self.section(tr!(
                lang,
                "チェック項目（数字キーで切替）",
                "checklist (number keys toggle)"
            ));
            for (i, item) in self.step.checklist.iter().enumerate() {
                let checked = self.record.checked.contains(&i);
                self.push(Span::styled(
                    format!("{}. [{}] {item}", i + 1, if checked { "x" } else { " " }),
                    if checked {
                        Style::new().fg(Color::Green)
                    } else {
                        Style::new()
                    },
                ));
            }
        }
    }

    /// What belongs to the step's kind: recipients and messages, options, the approver, the
    /// statement or draft, the monitor's rhythm.
    fn kind(&mut self) {
        let lang = self.lang;
        match &self.step.kind {
            StepKind::Notify(n) => {
                self.section(tr!(lang, "通知先", "recipients"));
                for to in &n.to {
                    self.party(to);
                }
                // The divisions named by facts (the 所属課): the division once known, else
                // what is still to be given.
                let incident = &self.app.incident;
                let by_fact: Vec<Result<String, String>> = n
                    .to_facts
                    .iter()
                    .filter_map(|f| match incident.state().facts.get(f) {
                        Some(division) => (!n.to.contains(division)).then(|| Ok(division.clone())),
                        None => {
                            let label = incident.playbook().facts.iter().find(|d| d.id == *f);
                            let label = label.map_or(f.as_str(), |d| d.label.as_str());
                            Some(Err(tr!(
                                lang,
                                "  {label}（{f}）: 未設定（i で入力）",
                                "  {label} ({f}): not yet given (i to enter)"
                            )))
                        }
                    })
                    .collect();
                for entry in by_fact {
                    match entry {
                        Ok(division) => self.party(&division),
                        Err(line) => self.push(Line::styled(line, Style::new().fg(Color::Yellow))),
                    }
                }
                self.messages();
            }
            StepKind::Decision(d) => {
                let question = &d.question;
                self.section(tr!(lang, "選択肢: {question}", "options: {question}"));
                let bold = Style::new().add_modifier(Modifier::BOLD);
                option_lines(&d.options, self.record.answer, bold, &mut self.lines);
            }
            StepKind::Approval { approver } => {
                self.push(tr!(lang, "承認者: {approver}", "approver: {approver}"));
            }
            StepKind::Post(p) => {
                let approver = &p.approver;
                self.push(tr!(lang, "承認者: {approver}", "approver: {approver}"));
                let copy = name_of(&Action::Copy);
                self.section(tr!(
                    lang,
                    "公表文（{copy} でコピー）",
                    "statement ({copy} copies it)"
                ));
                if let Some(text) = self.filled_text() {
                    self.post_checks(p, &text);
                }
            }
            StepKind::Monitor(m) => {
                let every = format_duration(m.every, lang);
                let mut text = tr!(lang, "確認間隔: {every}", "every: {every}");
                if let Some(next) = self.view.next_check {
                    let next = format_jst(next, false);
                    text.push_str(&tr!(lang, "  次回確認: {next}", "  next check: {next}"));
                }
                self.push(text);
                if !self.record.observations.is_empty() {
                    self.heading(tr!(lang, "観測", "observations"));
                    let latest = self.record.observations.iter().rev().take(5);
                    let shown: Vec<String> = latest
                        .map(|o| format!("  {} {}", format_jst(o.at, false), o.text))
                        .collect();
                    self.lines.extend(shown.into_iter().map(Line::from));
                }
            }
            StepKind::Action => {
                if self.step.draft.is_some() {
                    let copy = name_of(&Action::Copy);
                    self.section(tr!(
                        lang,
                        "下書き（{copy} でコピー）",
                        "draft ({copy} copies it)"
                    ));
                    self.filled_text();
                }
            }
        }
    }

    /// A post's statement or an action's draft, with the incident's facts filled in.
    /// The text is read once per frame (a post's from its edited file) and returned for the
    /// checks under it.
    fn filled_text(&mut self) -> Option<String> {
        let text = self.app.copy_text(self.ix)?;
        self.lines
            .extend(text.lines().map(|l| Line::from(l.to_string())));
        Some(text)
    }

    /// Under a post's text: its count as the affected account's platform counts it, against
    /// the limit, and the first mark left to fill in, each red where the post would be refused.
    fn post_checks(&mut self, post: &crate::playbook::Post, text: &str) {
        let lang = self.lang;
        let red = Style::new().fg(Color::Red).add_modifier(Modifier::BOLD);
        let platform = self.app.incident.state().platform;
        if post.channel == crate::playbook::PostChannel::Official
            && let Some(platform) = platform
            && let Some(limit) = crate::text::length::limit(platform)
        {
            let count = crate::text::length::count(text, limit.unit);
            let (name, max) = (platform.display_name(), limit.max);
            let line = tr!(
                lang,
                "{name} の文字数: {count}／{max}",
                "{name} count: {count} of {max}"
            );
            if count > max {
                let over = count.saturating_sub(max);
                self.push(Span::styled(
                    format!("{line}{}", tr!(lang, "（{over} 超過）", " ({over} over)")),
                    red,
                ));
            } else {
                self.push(line);
            }
        }
        if let Some(u) = crate::text::unfinished::unfinished(text) {
            let (line, column, mark) = (u.line, u.column, u.mark);
            self.push(Span::styled(
                tr!(
                    lang,
                    "書き換える箇所: {line}行{column}文字目「{mark}」",
                    "to fill in: line {line}, column {column}: \"{mark}\""
                ),
                red,
            ));
        }
    }

    /// The approval, contacts, and evidence asked for and recorded.
    fn record(&mut self) {
        let (lang, step, record) = (self.lang, self.step, self.record);
        // What others still owe this step: an approval asked for by mail, acknowledgements.
        let state = self.app.incident.state();
        for line in pending_of(state, self.playbook, self.ix, lang) {
            self.push(Span::styled(
                line,
                Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
            ));
        }
        if let Some(approval) = &record.approval {
            let (by, at) = (&approval.by, format_jst(approval.at, false));
            self.push(Span::styled(
                tr!(lang, "承認済み: {by} ({at})", "approved by: {by} ({at})"),
                Style::new().fg(Color::Green),
            ));
        }
        if !step.contacts.is_empty() {
            self.section(tr!(lang, "連絡先", "contacts"));
            for c in &step.contacts {
                self.party(c);
            }
        }
        if !step.evidence.is_empty() {
            self.section(tr!(lang, "記録する証拠", "evidence to record"));
            for e in &step.evidence {
                self.push(format!("  - {}", e.label));
            }
        }
        if !record.evidence.is_empty() {
            self.heading(tr!(lang, "記録済みの証拠", "evidence recorded"));
            for (remark, ev) in &record.evidence {
                let what = match ev {
                    EvidenceRecord::File { name, .. } => {
                        crate::incident::files::evidence_shown(name)
                    }
                    EvidenceRecord::Url { url } => url.clone(),
                };
                self.push(format!("  {} {what}", format_jst(remark.at, false)));
            }
        }
    }

    /// A division or role: who holds it, mail, phone, and the after-hours number.
    fn party(&mut self, name: &str) {
        let directory = &self.app.incident.record().directory;
        let Some(party) = directory.party(name) else {
            self.push(format!("  {name}"));
            return;
        };
        // A part with whoever plays it: 広報担当課（総務課）.
        let mut text = format!("  {}", directory.label(name, self.lang));
        if let Some(h) = party.held_by() {
            text.push_str(&format!("（{h}）"));
        }
        text.push_str(&format!("  {}", party.email()));
        if let Some(p) = party.phone() {
            text.push_str(&format!("  {p}"));
        }
        self.push(text);
        if let Some(ah) = party.after_hours() {
            let phone = ah.phone.as_deref().unwrap_or("");
            let note = ah.note.as_deref().unwrap_or("");
            self.push(tr!(
                self.lang,
                "    夜間・休日: {phone} {note}",
                "    after hours: {phone} {note}"
            ));
        }
    }

    /// The messages of a notify step and where each stands.
    fn messages(&mut self) {
        let (app, lang) = (self.app, self.lang);
        let state = app.incident.state();
        let needing: HashSet<u32> = state
            .needs_call(app.incident.playbook(), app.now)
            .map(|m| m.number)
            .collect();
        let messages: Vec<&MessageRecord> = state
            .messages
            .iter()
            .filter(|m| m.step == self.step.id)
            .collect();
        if messages.is_empty() {
            return;
        }
        let (retry, call, ack) = (
            name_of(&Action::Retry),
            name_of(&Action::Call),
            name_of(&Action::Ack),
        );
        self.section(tr!(
            lang,
            "送信状況（{retry} 再送  {call} 電話連絡  {ack} 受領確認）",
            "messages ({retry} retry  {call} call  {ack} acknowledged)"
        ));
        for m in messages {
            let sending = app.mail.in_flight.contains(&m.number);
            let (text, style) = message_phase(m, sending, lang);
            // A chat post is told apart from the mail to the same division by its channel.
            let via = match &m.letter.channel {
                Some(_) => {
                    let address = &m.letter.address;
                    tr!(lang, " [チャット {address}]", " [chat {address}]")
                }
                None => String::new(),
            };
            let mut spans = vec![
                Span::raw(format!("  #{} {}{via}  ", m.number, m.letter.to)),
                Span::styled(text, style),
            ];
            if let Some(ack) = &m.acknowledged {
                let by = &ack.by;
                spans.push(Span::styled(
                    tr!(lang, "  受領確認: {by}", "  acknowledged by: {by}"),
                    Style::new().fg(Color::Green),
                ));
            } else if needing.contains(&m.number) {
                spans.push(Span::styled(
                    format!("  {}", needs_call_word(lang)),
                    Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
                ));
            } else if m.sent_at().is_some() {
                spans.push(Span::styled(
                    tr!(lang, "  受領未確認", "  not acknowledged"),
                    Style::new().fg(Color::Yellow),
                ));
            }
            self.push(Line::from(spans));
        }
    }
}

/// "要電話": a message whose acknowledgement is overdue (the header counts them too).
pub(super) fn needs_call_word(lang: Lang) -> String {
    tr!(lang, "要電話", "call needed")
}

/// Where a message stands, in words and colour (`sending`: the worker has it now).
fn message_phase(m: &MessageRecord, sending: bool, lang: Lang) -> (String, Style) {
    let green = Style::new().fg(Color::Green);
    let cyan = Style::new().fg(Color::Cyan);
    let words = m.phase().words(lang);
    match (m.phase(), &m.delivery) {
        (Phase::Sent, _) => {
            let at = m.sent_at().map(|t| format_jst(t, true)).unwrap_or_default();
            (format!("{words} {at}"), green)
        }
        (Phase::Called, _) => {
            let at = m.called.as_ref().map(|c| format_jst(c.at, true));
            (format!("{words} {}", at.unwrap_or_default()), green)
        }
        (Phase::Cancelled, _) => {
            let why = m.cancelled.as_ref().map(|c| c.text.as_str());
            let why = why.unwrap_or_default();
            (format!("{words}: {why}"), Style::new().fg(Color::Gray))
        }
        _ if sending => (tr!(lang, "送信中…", "sending…"), cyan),
        (
            Phase::Failed | Phase::FailedPermanent,
            Delivery::Failed {
                attempt,
                error,
                permanent,
                next_retry,
                ..
            },
        ) => {
            let text = match (permanent, next_retry) {
                (false, Some(t)) => {
                    let at = format_jst(*t, true);
                    tr!(
                        lang,
                        "{words} ({attempt}) 再送 {at}: {error}",
                        "{words} ({attempt}) retry at {at}: {error}"
                    )
                }
                _ => {
                    let retry = name_of(&Action::Retry);
                    tr!(
                        lang,
                        "{words} ({attempt})（{retry} で再送）: {error}",
                        "{words} ({attempt}) ({retry} retries): {error}"
                    )
                }
            };
            (
                text,
                Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
            )
        }
        _ => (words.to_string(), cyan),
    }
}

/// A step's condition in words: the decision and the options it needs.
fn condition_text(playbook: &Playbook, step: &Step, lang: Lang) -> Option<String> {
    let cond = step.when.as_ref()?;
    let (decision, options) = cond.named(playbook)?;
    let names: Vec<&str> = options.iter().map(|c| c.title.as_str()).collect();
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

/// A decision's options, numbered, each with its description below it; `marked` is drawn
/// in `style` (the selection in the dialog, the answer in the pane).
pub(super) fn option_lines(
    options: &[Choice],
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
