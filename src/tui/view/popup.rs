//! Pop-ups over the screen: dialogs, the help, an exercise's injects, review and score.
//! Their text is wrapped here (as the detail pane's is), so a pop-up's height is exact.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::detail::{option_lines, wrap_line};
use super::footer_line;
use crate::clock::format_jst;
use crate::lang::{Lang, Text};
use crate::playbook::StepKind;
use crate::tr;
use crate::tui::app::{App, Dialog, DialogKind, InjectCard, ReviewForm};
use crate::tui::keys::{NORMAL, REVIEW, dialog_table};

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

pub(super) fn draw_inject(lang: Lang, card: &InjectCard, frame: &mut Frame, area: Rect) {
    let mut lines = vec![
        Line::from(Span::styled(
            card.title.clone(),
            Style::new().add_modifier(Modifier::BOLD),
        )),
        Line::from({
            let at = format_jst(card.at, false);
            if card.opening {
                tr!(lang, "{at} JST 訓練開始", "{at} JST, the exercise begins")
            } else if card.early {
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
        if card.opening {
            tr!(
                lang,
                " 【訓練】状況付与（開始時） ",
                " [EXERCISE] the situation at the start "
            )
        } else {
            tr!(lang, " 【訓練】状況付与 ", " [EXERCISE] inject ")
        },
        lines,
        Style::new().fg(Color::Magenta).add_modifier(Modifier::BOLD),
    );
}

/// The three questions of the review.
const REVIEW_FIELDS: [Text; 3] = [
    Text::new("良かった点", "what went well"),
    Text::new("課題", "what was difficult"),
    Text::new("改善策", "what to change"),
];

pub(super) fn draw_review(lang: Lang, form: &ReviewForm, frame: &mut Frame, area: Rect) {
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

pub(super) fn draw_score(lang: Lang, lines: &[String], frame: &mut Frame, area: Rect) {
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

pub(super) fn draw_help(lang: Lang, frame: &mut Frame, area: Rect) {
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
        tr!(lang, "キー操作", "Keys"),
        lines,
        Style::new(),
    );
}

pub(super) fn draw_dialog(app: &App, dialog: &Dialog, frame: &mut Frame, area: Rect) {
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
    // The fact asked for, by its label (the id is what `hikeshi fact` takes), and the values
    // it may take when they are few.
    if dialog.kind == DialogKind::Fact
        && let Some(fact) = dialog
            .fact
            .as_ref()
            .and_then(|id| playbook.facts.iter().find(|f| &f.id == id))
    {
        lines.push(Line::from(Span::styled(
            format!("{}（{}）", fact.label, fact.id),
            Style::new().fg(Color::Cyan),
        )));
        if !fact.options.is_empty() {
            let options = fact.options.join("、");
            lines.push(Line::from(tr!(
                lang,
                "候補: {options}",
                "one of: {options}"
            )));
        }
        // A division may be named by the part it plays.
        if !fact.parts.is_empty() {
            let parts = fact
                .parts
                .iter()
                .map(|(part, division)| format!("{part}（{division}）"))
                .collect::<Vec<_>>()
                .join("、");
            lines.push(Line::from(tr!(
                lang,
                "担当の名でも: {parts}",
                "or by part: {parts}"
            )));
        }
    }
    // Without a fact asked for, the lists recorded so far, each by its name, so that a value
    // can be taken back (`name-=value`).
    if dialog.kind == DialogKind::Fact && dialog.fact.is_none() {
        let facts = &app.incident.state().facts;
        for fact in playbook.facts.iter().filter(|f| f.list) {
            if let Some(recorded) = facts.get(&fact.id) {
                let values = fact.entries(recorded).join("、");
                lines.push(Line::from(Span::styled(
                    format!("{}: {values}", fact.id),
                    Style::new().fg(Color::Cyan),
                )));
            }
        }
    }
    // Whose approval: the part that gives it, and that the person's own name is asked for.
    let approver = match step.map(|s| &s.kind) {
        Some(StepKind::Approval { approver }) => Some(approver),
        Some(StepKind::Post(p)) => Some(&p.approver),
        _ => None,
    };
    if dialog.kind == DialogKind::Approve
        && let Some(role) = approver
    {
        lines.push(Line::from(Span::styled(
            tr!(
                lang,
                "承認者: {role}（承認した本人の氏名を入力）",
                "approver: {role} (type the name of the person who approved)"
            ),
            Style::new().fg(Color::Cyan),
        )));
    }
    // Whose message: an acknowledgement or a call names its recipient, and a choice lists
    // them all.
    match dialog.kind {
        DialogKind::AckPick => {
            let marked = Style::new().add_modifier(Modifier::REVERSED);
            for (i, number) in dialog.messages.iter().enumerate() {
                let text = format!("{}. {}", i + 1, message_line(app, *number));
                lines.push(Line::from(Span::styled(
                    format!("{}{text}", if i == dialog.choice { "> " } else { "  " }),
                    if i == dialog.choice {
                        marked
                    } else {
                        Style::new()
                    },
                )));
            }
        }
        DialogKind::Ack | DialogKind::AckWithdraw | DialogKind::Call => {
            if let Some(number) = dialog.message {
                lines.push(Line::from(Span::styled(
                    message_line(app, number),
                    Style::new().fg(Color::Cyan),
                )));
            }
            // A call settles every message to them not settled yet, of any step: say which,
            // so that each is told on the phone.
            if dialog.kind == DialogKind::Call
                && let Some(to) = dialog
                    .message
                    .and_then(|n| app.incident.state().message(n))
                    .map(|m| m.letter.to.clone())
            {
                let others: Vec<String> =
                    crate::incident::settled_by_call(app.incident.state(), playbook, &to)
                        .into_iter()
                        .filter(|m| Some(m.number) != dialog.message)
                        .map(|m| {
                            let title = playbook
                                .graph
                                .find(&m.step)
                                .and_then(|ix| playbook.graph.step(ix))
                                .map_or(m.step.as_str(), |s| s.title.as_str());
                            let (number, to) = (m.number, &m.letter.to);
                            tr!(
                                lang,
                                "  #{number} {to}宛て: {title}",
                                "  #{number} to {to}: {title}"
                            )
                        })
                        .collect();
                if !others.is_empty() {
                    lines.push(Line::from(tr!(
                        lang,
                        "この電話で、次の通知も伝えたことになります:",
                        "this call also counts for these messages:"
                    )));
                    lines.extend(others.into_iter().map(Line::from));
                }
            }
        }
        _ => {}
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

/// A message as a dialog names it: number, recipient (and who else it tells), and its
/// acknowledgement.
fn message_line(app: &App, number: u32) -> String {
    let lang = app.lang;
    let Some(m) = app.incident.state().message(number) else {
        return format!("#{number}");
    };
    let mut to = m.letter.to.clone();
    if !m.letter.also.is_empty() {
        to.push_str(&format!("・{}", m.letter.also.join("・")));
    }
    let address = &m.letter.address;
    let ack = match &m.acknowledged {
        Some(a) => {
            let (by, at) = (&a.by, format_jst(a.at, true));
            tr!(
                lang,
                "受領確認: {by}（{at}）",
                "acknowledged by {by} ({at})"
            )
        }
        None => tr!(lang, "未確認", "not acknowledged"),
    };
    tr!(
        lang,
        "通知 #{number} {to}宛て <{address}>  {ack}",
        "message #{number} to {to} <{address}>  {ack}"
    )
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
