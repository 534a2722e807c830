//! The sections of the Word report, in the order of the HTML one: the letterhead, the
//! overview, the exercise, decisions, guideline clauses, the timeline (chart and events),
//! steps, deviations, mail, statements, evidence and the record's integrity.

use std::fmt::Write as _;

use docx_rs::{
    AlignmentType, BorderType, HeightRule, Paragraph, Pic, Run, Table, TableAlignmentType,
    TableCell, TableCellBorder, TableCellBorderPosition, TableCellBorders, TableLayoutType,
    TableRow, WidthType,
};

use super::{
    Cell, Doc, EMU_PER_TWIP, SMALL_SIZE, TEXT_HEIGHT, TEXT_WIDTH, Tone, chart_png, duration, jst,
    paragraph, run,
};
use crate::clock::format_jst;
use crate::config::ReportConfig;
use crate::playbook::duration::format_duration;
use crate::report::label;
use crate::report::model::{Report, StatementRow, StepRow};
use crate::report::svg::Layout;
use crate::tr;

/// The top of the first page: the 決裁欄, 文書番号 and 日付 (filled in from the config or left
/// as lines to write on), the issuing office, the title, and the warnings.
pub(super) fn letterhead(doc: &mut Doc, report: &Report, config: &ReportConfig) {
    let lang = doc.lang;
    approval(doc, config);
    let organization = config
        .organization
        .as_deref()
        .unwrap_or(&report.overview.organization);
    doc.add(Paragraph::new().align(AlignmentType::Right).add_run(run(
        organization,
        Tone::Plain,
        None,
    )));
    doc.add(
        Paragraph::new()
            .style("Title")
            .add_run(run(label("report", lang), Tone::Plain, None)),
    );
    doc.add(Paragraph::new().align(AlignmentType::Center).add_run(run(
        &report.overview.title,
        Tone::Strong,
        Some(24),
    )));
    if !report.integrity.verified {
        let mut warning = Cell::toned(label("broken", lang), Tone::Bad);
        for p in &report.integrity.problems {
            warning = warning.and(p.line_text(), Tone::Plain);
        }
        doc.boxed(warning, "B00000", "FDECEC");
    }
    if report.exercise {
        doc.boxed(
            Cell::toned(label("exercise", lang), Tone::Strong),
            "AA6600",
            "FFF4E0",
        );
    }
}

/// The 決裁欄 (a box to stamp under each configured title) and the 文書番号 and 日付 (as
/// configured, or lines to write on), at the right: the top of every document filed.
pub(super) fn approval(doc: &mut Doc, config: &ReportConfig) {
    let lang = doc.lang;
    let stamps = config.stamps(lang);
    if !stamps.is_empty() {
        // One box per title, 18 mm square below it (narrower if many), at the right.
        let width = 1020.min(doc.width / stamps.len());
        let titles = stamps
            .iter()
            .map(|t| {
                TableCell::new().width(width, WidthType::Dxa).add_paragraph(
                    Paragraph::new().align(AlignmentType::Center).add_run(run(
                        t,
                        Tone::Plain,
                        Some(SMALL_SIZE),
                    )),
                )
            })
            .collect();
        let boxes = stamps
            .iter()
            .map(|_| {
                TableCell::new()
                    .width(width, WidthType::Dxa)
                    .add_paragraph(Paragraph::new())
            })
            .collect();
        doc.add_table(
            Table::new(vec![
                TableRow::new(titles),
                TableRow::new(boxes)
                    .row_height(width as f32)
                    .height_rule(HeightRule::Exact),
            ])
            .set_grid(vec![width; stamps.len()])
            .width(width * stamps.len(), WidthType::Dxa)
            .layout(TableLayoutType::Fixed)
            .align(TableAlignmentType::Right),
        );
    }
    // 文書番号 and 日付: as configured, or a line to write on.
    let (label_width, value_width) = (1134, 3402);
    let rows = [
        ("document_number", config.document_number.as_deref()),
        ("date", config.date.as_deref()),
    ]
    .into_iter()
    .map(|(key, value)| {
        let blank = value.is_none();
        let name = TableCell::new()
            .width(label_width, WidthType::Dxa)
            .add_paragraph(paragraph(label(key, lang), Tone::Plain));
        let value = TableCell::new()
            .width(value_width, WidthType::Dxa)
            .add_paragraph(paragraph(value.unwrap_or_default(), Tone::Plain));
        let value = if blank {
            value.set_borders(
                TableCellBorders::with_empty().set(
                    TableCellBorder::new(TableCellBorderPosition::Bottom)
                        .border_type(BorderType::Single)
                        .size(6)
                        .color("000000"),
                ),
            )
        } else {
            value
        };
        TableRow::new(vec![name, value])
            .row_height(454.0)
            .height_rule(HeightRule::AtLeast)
    })
    .collect();
    doc.add_table(
        Table::without_borders(rows)
            .set_grid(vec![label_width, value_width])
            .width(label_width + value_width, WidthType::Dxa)
            .layout(TableLayoutType::Fixed)
            .align(TableAlignmentType::Right),
    );
}

pub(super) fn overview(doc: &mut Doc, report: &Report) {
    let lang = doc.lang;
    let o = &report.overview;
    doc.heading(label("overview", lang), 1);
    let playbook = match &o.playbook.version {
        Some(v) => format!(
            "{} ({}, {} {v})",
            o.playbook.title,
            o.playbook.id,
            label("version", lang)
        ),
        None => format!("{} ({})", o.playbook.title, o.playbook.id),
    };
    let account = match (&o.account, &o.platform) {
        (Some(a), Some(p)) => format!("{a} ({p})"),
        (Some(a), None) => a.clone(),
        (None, Some(p)) => format!("- ({p})"),
        (None, None) => "-".into(),
    };
    let progress = &o.progress;
    let mut rows = vec![
        (label("title", lang), Cell::new(o.title.clone())),
        (
            label("incident_id", lang),
            Cell::new(report.incident.clone()),
        ),
        (
            label("organization", lang),
            Cell::new(o.organization.clone()),
        ),
        (
            label("playbook", lang),
            Cell::new(playbook).and(format!("SHA-256 {}", o.playbook.sha256), Tone::Mono),
        ),
        (label("account", lang), Cell::new(account)),
        (label("started", lang), Cell::new(jst(o.started_at))),
        (
            label("closed", lang),
            Cell::new(match o.closed_at {
                Some(t) => format_jst(t, false),
                None => label("open", lang).to_string(),
            }),
        ),
        (
            label("duration", lang),
            Cell::new(duration(o.duration_seconds, lang)),
        ),
        (label("operators", lang), Cell::new(o.operators.join("、"))),
    ];
    if !o.handovers.is_empty() {
        let text = o
            .handovers
            .iter()
            .map(|h| format!("{} {} → {}", format_jst(h.at, false), h.from, h.to))
            .collect::<Vec<_>>()
            .join("\n");
        rows.push((label("handovers", lang), Cell::new(text)));
    }
    rows.push((
        label("severity", lang),
        Cell::new(o.severity.clone().unwrap_or_else(|| "-".into())),
    ));
    rows.push((
        label("progress", lang),
        Cell::new(format!(
            "{} {} / {} {} / {} {} / {} {} ({})",
            label("done", lang),
            progress.done,
            label("skipped", lang),
            progress.skipped,
            label("not_applicable", lang),
            progress.not_applicable,
            label("still_open", lang),
            progress.open,
            progress.total
        )),
    ));
    if let Some(reason) = &o.close_reason {
        rows.push((label("close_reason", lang), Cell::new(reason.clone())));
    }
    doc.facts(rows);
}

pub(super) fn drill(doc: &mut Doc, report: &Report) {
    let lang = doc.lang;
    let Some(d) = &report.drill else { return };
    doc.heading(label("drill", lang), 1);
    let mut scenario = Cell::new(format!("{} ({})", d.title, d.scenario));
    if !d.scenario_verified {
        scenario = scenario.and(label("unverified", lang), Tone::Bad);
    }
    let mut rows = vec![
        (label("scenario", lang), scenario),
        (
            label("mail_mode", lang),
            Cell::new(if d.live_mail {
                label("live_mail", lang)
            } else {
                label("outbox_only", lang)
            }),
        ),
        (
            label("score", lang),
            Cell::toned(format!("{} / 100", d.score), Tone::Strong),
        ),
        (label("formula", lang), Cell::new(d.formula.clone())),
    ];
    if !d.participants.is_empty() {
        rows.push((
            label("participants", lang),
            Cell::new(d.participants.join("\n")),
        ));
    }
    doc.facts(rows);
    if let Some(n) = &d.narrative {
        doc.heading(label("narrative", lang), 2);
        doc.text(n, Tone::Plain);
    }
    doc.heading(label("injects", lang), 2);
    if d.injects.is_empty() {
        doc.none();
    } else {
        let rows = d
            .injects
            .iter()
            .map(|i| {
                let at = format_jst(i.at, false);
                vec![
                    Cell::new(if i.early {
                        format!("{at} ({})", label("early", lang))
                    } else {
                        at
                    }),
                    Cell::new(duration(i.scheduled_seconds, lang)),
                    Cell::toned(i.title.clone(), Tone::Strong).and(i.text.clone(), Tone::Plain),
                ]
            })
            .collect();
        doc.table(
            &[
                label("time", lang),
                label("scheduled", lang),
                label("inject", lang),
            ],
            &[20, 14, 66],
            rows,
        );
    }
    doc.heading(label("against_targets", lang), 2);
    if d.targets.is_empty() {
        doc.none();
    } else {
        let rows = d
            .targets
            .iter()
            .map(|g| {
                let ok = matches!(g.verdict.as_str(), "on_time" | "done" | "not_applicable")
                    && !g.forced;
                let verdict = if g.forced {
                    format!("{} ({})", g.verdict_text, label("deviation", lang))
                } else {
                    g.verdict_text.clone()
                };
                vec![
                    Cell::new(g.title.clone()).and(g.step.clone(), Tone::Muted),
                    Cell::new(g.target_seconds.map_or("-".into(), |s| duration(s, lang))),
                    Cell::new(g.actual_seconds.map_or("-".into(), |s| duration(s, lang))),
                    Cell::toned(verdict, if ok { Tone::Good } else { Tone::Bad }),
                ]
            })
            .collect();
        doc.table(
            &[
                label("step", lang),
                label("target", lang),
                label("actual", lang),
                label("verdict", lang),
            ],
            &[40, 18, 18, 24],
            rows,
        );
    }
    doc.heading(label("late_notices", lang), 2);
    if d.notices.is_empty() {
        doc.none();
    } else {
        let rows = d
            .notices
            .iter()
            .map(|n| {
                vec![
                    Cell::new(n.step.clone()),
                    Cell::new(n.to.clone()),
                    Cell::new(jst(n.deadline)),
                    Cell::new(jst(n.reached)),
                    Cell::toned(n.verdict_text.clone(), Tone::Bad),
                ]
            })
            .collect();
        doc.table(
            &[
                label("step", lang),
                label("to", lang),
                label("due", lang),
                label("delivered", lang),
                label("verdict", lang),
            ],
            &[20, 20, 20, 20, 20],
            rows,
        );
    }
    doc.heading(label("review", lang), 2);
    match d.reviews.last() {
        Some(v) => doc.facts(vec![
            (label("good", lang), Cell::new(v.good.clone())),
            (label("issues", lang), Cell::new(v.issues.clone())),
            (
                label("improvements", lang),
                Cell::new(v.improvements.clone()),
            ),
            (
                label("actor", lang),
                Cell::new(format!("{} ({})", v.by, format_jst(v.at, false))),
            ),
        ]),
        None => doc.text(label("no_review", lang), Tone::Muted),
    }
}

pub(super) fn decisions(doc: &mut Doc, report: &Report) {
    let lang = doc.lang;
    doc.heading(label("decisions", lang), 1);
    if report.overview.decisions.is_empty() {
        doc.none();
        return;
    }
    let rows = report
        .overview
        .decisions
        .iter()
        .map(|d| {
            let answer = if d.verified {
                Cell::new(d.answer.clone())
            } else {
                Cell::toned(
                    format!("{}{}", d.answer, label("unverified", lang)),
                    Tone::Bad,
                )
            };
            vec![
                Cell::new(format_jst(d.at, false)),
                Cell::new(d.question.clone()),
                answer,
                Cell::new(d.previous.clone().unwrap_or_default()),
                Cell::new(d.by.clone()),
                Cell::new(d.reason.clone().unwrap_or_default()),
            ]
        })
        .collect();
    doc.table(
        &[
            label("time", lang),
            label("question", lang),
            label("answer", lang),
            label("previous", lang),
            label("actor", lang),
            label("reason", lang),
        ],
        &[16, 22, 16, 12, 12, 22],
        rows,
    );
}

pub(super) fn clauses(doc: &mut Doc, report: &Report) {
    let lang = doc.lang;
    doc.heading(label("clauses", lang), 1);
    if report.overview.clauses.is_empty() {
        doc.none();
    }
    for c in &report.overview.clauses {
        let issuer = c
            .issuer
            .as_ref()
            .map(|i| format!("（{i}）"))
            .unwrap_or_default();
        doc.text(
            &format!("・{}{issuer}: {}", c.title, c.clauses.join("、")),
            Tone::Plain,
        );
        for q in &c.quoted {
            doc.add(
                Paragraph::new()
                    .indent(Some(567), None, None, None)
                    .add_run(run(
                        &format!("{}「{}」", q.clause, q.text),
                        Tone::Muted,
                        None,
                    )),
            );
        }
    }
    if !report.overview.practice.is_empty() {
        doc.heading(label("practice", lang), 2);
        for p in &report.overview.practice {
            doc.text(&format!("・{}: {}", p.title, p.reason), Tone::Plain);
        }
    }
    if !report.overview.departures.is_empty() {
        doc.heading(label("departures", lang), 2);
        for d in &report.overview.departures {
            doc.text(
                &format!("・{}: {} {} — {}", d.title, d.document, d.clause, d.reason),
                Tone::Plain,
            );
            if let Some(text) = &d.text {
                doc.add(
                    Paragraph::new()
                        .indent(Some(567), None, None, None)
                        .add_run(run(&format!("{}「{text}」", d.clause), Tone::Muted, None)),
                );
            }
        }
    }
}

pub(super) fn timeline(doc: &mut Doc, report: &Report) -> Result<(), String> {
    let lang = doc.lang;
    doc.heading(label("timeline", lang), 1);
    if let Some(layout) = Layout::of(report) {
        let (png, w, h) = chart_png(report, &layout)?;
        // As wide as the text, and never taller than a page.
        let mut width = TEXT_WIDTH as u64;
        let mut height = width * u64::from(h) / u64::from(w.max(1));
        let most = (TEXT_HEIGHT * 9 / 10) as u64;
        if height > most {
            width = width * most / height;
            height = most;
        }
        let pic = Pic::new_with_dimensions(png, w, h).id("rIdChart").size(
            (width as u32) * EMU_PER_TWIP,
            (height as u32) * EMU_PER_TWIP,
        );
        doc.add(
            Paragraph::new()
                .align(AlignmentType::Center)
                .add_run(Run::new().add_image(pic)),
        );
        doc.text(label("chart", lang), Tone::Muted);
        let (first, every) = (
            layout.ticks.first().map(|t| layout.tick_label(*t)),
            format_duration(layout.every, lang),
        );
        let (from, to) = (
            format_jst(layout.start, false),
            format_jst(layout.end, false),
        );
        let ticks = match first {
            Some(first) => tr!(
                lang,
                "横軸は {from} から {to} まで。縦線は {every}ごと（最初の線が {first}）。図の行は上から次の表の順です。",
                "The chart runs from {from} to {to}; a vertical line every {every} (the first at {first}). Its rows, top to bottom, are those of this table."
            ),
            None => tr!(
                lang,
                "横軸は {from} から {to} まで。図の行は上から次の表の順です。",
                "The chart runs from {from} to {to}. Its rows, top to bottom, are those of this table."
            ),
        };
        doc.text(&ticks, Tone::Muted);
        let rows = layout
            .rows
            .iter()
            .enumerate()
            .map(|(i, s)| chart_row(i + 1, s))
            .collect();
        doc.table(
            &[
                label("chart_row", lang),
                label("step", lang),
                label("ready_at", lang),
                label("done_at", lang),
                label("status", lang),
            ],
            &[9, 39, 19, 19, 14],
            rows,
        );
    }
    let rows = report
        .timeline
        .iter()
        .map(|e| {
            let mut what = if e.verified {
                Cell::new(e.text.clone())
            } else {
                Cell::toned(
                    format!("{}{}", e.text, label("unverified", lang)),
                    Tone::Bad,
                )
            };
            if let Some(s) = &e.statement {
                what = what.and(s.clone(), Tone::Plain);
            }
            vec![
                Cell::new(e.time_text.clone()),
                Cell::new(e.actor.clone()),
                what,
            ]
        })
        .collect();
    doc.table(
        &[
            label("time", lang),
            label("actor", lang),
            label("what", lang),
        ],
        &[22, 13, 65],
        rows,
    );
    Ok(())
}

fn chart_row(number: usize, s: &StepRow) -> Vec<Cell> {
    vec![
        Cell::new(number.to_string()),
        Cell::new(s.title.clone()),
        Cell::new(jst(s.ready_at)),
        Cell::new(jst(s.done_at)),
        Cell::new(s.status_text.clone()),
    ]
}

pub(super) fn steps(doc: &mut Doc, report: &Report) {
    let lang = doc.lang;
    doc.heading(label("steps", lang), 1);
    let rows = report
        .steps
        .iter()
        .map(|s| {
            let id = match &s.owner {
                Some(o) => format!("{} / {o}", s.id),
                None => s.id.clone(),
            };
            let mut done = Cell::new(jst(s.done_at));
            if let Some(by) = &s.done_by {
                done = done.and(by.clone(), Tone::Plain);
            }
            let mut due = Cell::new(jst(s.due_at));
            if s.due_at.is_some() {
                due = match s.due_met {
                    Some(true) => due.and(label("met", lang), Tone::Good),
                    Some(false) => due.and(label("missed", lang), Tone::Bad),
                    None => due,
                };
            }
            let mut notes = Cell::default();
            if let Some(r) = &s.skipped_reason {
                let by = s.skipped_by.as_deref().unwrap_or_default();
                notes = notes.and(
                    format!("{}: {r} ({by})", label("skipped", lang)),
                    Tone::Plain,
                );
            }
            if let Some(r) = &s.forced_reason {
                notes = notes.and(format!("{}: {r}", label("deviation", lang)), Tone::Bad);
            }
            if let Some(by) = &s.approved_by {
                notes = notes.and(
                    format!("{}: {by} ({})", label("approved", lang), jst(s.approved_at)),
                    Tone::Plain,
                );
            }
            for j in &s.rejections {
                notes = notes.and(format!("{}: {j}", label("rejected", lang)), Tone::Plain);
            }
            if s.reopened > 0 {
                notes = notes.and(
                    format!("{}: {}", label("reopened", lang), s.reopened),
                    Tone::Plain,
                );
            }
            for p in &s.pending {
                notes = notes.and(p.clone(), Tone::Bad);
            }
            vec![
                Cell::new(s.title.clone()).and(id, Tone::Muted),
                Cell::new(s.status_text.clone()),
                Cell::new(jst(s.ready_at)),
                done,
                Cell::new(
                    s.taken_seconds
                        .map(|t| duration(t, lang))
                        .unwrap_or_default(),
                ),
                due,
                notes,
            ]
        })
        .collect();
    doc.table(
        &[
            label("step", lang),
            label("status", lang),
            label("ready_at", lang),
            label("done_at", lang),
            label("taken", lang),
            label("due", lang),
            label("reason", lang),
        ],
        &[20, 8, 14, 15, 8, 14, 21],
        rows,
    );
}

/// Where the procedure was left: steps done by force (逸脱), steps skipped, and a close with
/// steps still open.
pub(super) fn deviations(doc: &mut Doc, report: &Report) {
    let lang = doc.lang;
    doc.heading(label("deviations", lang), 1);
    let mut rows = Vec::new();
    for s in &report.steps {
        if let Some(r) = &s.forced_reason {
            rows.push(vec![
                Cell::new(s.title.clone()).and(s.id.clone(), Tone::Muted),
                Cell::toned(label("deviation", lang), Tone::Bad),
                Cell::new(r.clone()),
                Cell::new(jst(s.done_at)).and(s.done_by.clone().unwrap_or_default(), Tone::Plain),
            ]);
        }
        if let Some(r) = &s.skipped_reason {
            rows.push(vec![
                Cell::new(s.title.clone()).and(s.id.clone(), Tone::Muted),
                Cell::new(label("skipped", lang)),
                Cell::new(r.clone()),
                Cell::new(s.skipped_by.clone().unwrap_or_default()),
            ]);
        }
    }
    if let Some(r) = &report.overview.close_reason {
        rows.push(vec![
            Cell::new(label("closed", lang)),
            Cell::toned(label("close_reason", lang), Tone::Bad),
            Cell::new(r.clone()),
            Cell::new(jst(report.overview.closed_at)),
        ]);
    }
    if rows.is_empty() {
        doc.none();
        return;
    }
    doc.table(
        &[
            label("step", lang),
            label("status", lang),
            label("reason", lang),
            label("time", lang),
        ],
        &[28, 16, 38, 18],
        rows,
    );
}

pub(super) fn notifications(doc: &mut Doc, report: &Report) {
    let lang = doc.lang;
    doc.heading(label("notifications", lang), 1);
    if report.notifications.is_empty() {
        doc.none();
    } else {
        let rows = report
            .notifications
            .iter()
            .map(|n| {
                let to = Cell::new(n.to.clone());
                let to = match &n.channel {
                    Some(_) => to.and(
                        format!("{} {}", label("chat_post", lang), n.address),
                        Tone::Mono,
                    ),
                    None => to.and(n.address.clone(), Tone::Mono),
                };
                let delivered = match (n.delivered_at, n.called_at) {
                    (Some(at), _) => Cell::new(format!(
                        "{} ({})",
                        format_jst(at, false),
                        n.transport.clone().unwrap_or_default()
                    )),
                    (None, Some(at)) => Cell::new(format!(
                        "{} {}",
                        label("called", lang),
                        format_jst(at, false)
                    )),
                    (None, None) => Cell::toned(
                        match &n.cancelled_reason {
                            Some(r) => format!("{}: {r}", n.state),
                            None => n.state.clone(),
                        },
                        Tone::Bad,
                    ),
                };
                let ack = match &n.acknowledged_by {
                    Some(by) => Cell::new(format!("{by} ({})", jst(n.acknowledged_at))),
                    None => Cell::default(),
                };
                vec![
                    Cell::new(n.number.to_string()),
                    to,
                    Cell::new(n.subject.clone()),
                    Cell::new(format_jst(n.queued_at, false)),
                    delivered,
                    ack,
                    Cell::new(n.failures.join("\n")),
                ]
            })
            .collect();
        doc.table(
            &[
                "#",
                label("to", lang),
                label("subject", lang),
                label("queued", lang),
                label("delivered", lang),
                label("acknowledged", lang),
                label("failures", lang),
            ],
            &[5, 20, 22, 12, 13, 12, 16],
            rows,
        );
    }
    if !report.calls.is_empty() {
        doc.heading(label("calls", lang), 2);
        let rows = report
            .calls
            .iter()
            .map(|c| {
                vec![
                    Cell::new(format_jst(c.at, false)),
                    Cell::new(c.division.clone()),
                    Cell::new(c.number.clone().unwrap_or_default()),
                    Cell::new(c.by.clone()),
                    Cell::new(c.note.clone()),
                ]
            })
            .collect();
        doc.table(
            &[
                label("time", lang),
                label("calls", lang),
                label("number", lang),
                label("actor", lang),
                label("what", lang),
            ],
            &[18, 20, 16, 14, 32],
            rows,
        );
    }
}

pub(super) fn statements(doc: &mut Doc, report: &Report) {
    let lang = doc.lang;
    doc.heading(label("statements", lang), 1);
    if report.statements.is_empty() {
        doc.none();
    }
    for s in &report.statements {
        statement(doc, s);
    }
}

fn statement(doc: &mut Doc, s: &StatementRow) {
    let lang = doc.lang;
    doc.heading(&s.title, 2);
    let mut line = match s.posted_at {
        Some(at) => format!("{}: {}", label("posted", lang), format_jst(at, false)),
        None => s.status_text.clone(),
    };
    if let Some(by) = &s.approved_by {
        let _ = write!(
            line,
            " / {}: {by} ({})",
            label("approved", lang),
            jst(s.approved_at)
        );
    }
    doc.text(
        &line,
        if s.posted_at.is_some() {
            Tone::Plain
        } else {
            Tone::Muted
        },
    );
    let Some(text) = &s.text else { return };
    if s.posted_at.is_none() {
        doc.text(label("draft", lang), Tone::Muted);
    }
    doc.boxed(Cell::new(text.clone()), "999999", "FFFFFF");
    if s.as_posted {
        let mut hash = Cell::toned(label("posted_hash", lang), Tone::Muted)
            .and(s.sha256.clone().unwrap_or_default(), Tone::Mono);
        if let Some(f) = &s.file {
            hash = hash.and(format!("({} {f})", label("edited_in", lang)), Tone::Muted);
        }
        for line in hash.0 {
            doc.text(&line.text, line.tone);
        }
    } else if s.posted_at.is_some() {
        doc.text(label("not_recorded", lang), Tone::Muted);
    }
}

pub(super) fn evidence(doc: &mut Doc, report: &Report) {
    let lang = doc.lang;
    doc.heading(label("evidence", lang), 1);
    if report.evidence.is_empty() {
        doc.none();
        return;
    }
    let rows = report
        .evidence
        .iter()
        .map(|e| {
            vec![
                Cell::new(format_jst(e.at, false)).and(e.by.clone(), Tone::Plain),
                Cell::new(e.step.clone()),
                Cell::toned(e.what.clone(), Tone::Mono),
                Cell::toned(e.sha256.clone().unwrap_or_default(), Tone::Mono),
                Cell::new(e.note.clone().unwrap_or_default()),
            ]
        })
        .collect();
    doc.table(
        &[
            label("time", lang),
            label("step", lang),
            label("evidence", lang),
            "SHA-256",
            label("shows", lang),
        ],
        &[16, 14, 26, 24, 20],
        rows,
    );
}

pub(super) fn integrity(doc: &mut Doc, report: &Report) {
    let lang = doc.lang;
    let i = &report.integrity;
    doc.heading(label("integrity", lang), 1);
    let mut rows = vec![
        (
            label("integrity", lang),
            if i.verified {
                Cell::toned(label("verified", lang), Tone::Good)
            } else {
                Cell::toned(label("not_verified", lang), Tone::Bad)
            },
        ),
        (label("entries", lang), Cell::new(i.entries.to_string())),
        (
            label("first_hash", lang),
            Cell::toned(
                i.first_hash.clone().unwrap_or_else(|| "-".into()),
                Tone::Mono,
            ),
        ),
        (
            label("last_hash", lang),
            Cell::toned(i.last_hash.clone(), Tone::Mono),
        ),
        (
            label("playbook_hash", lang),
            Cell::toned(i.playbook_sha256.clone(), Tone::Mono),
        ),
        // One run, so `hikeshi verify --witness` reads it back from the file (docx-rs stores
        // the document uncompressed).
        (
            label("witness", lang),
            Cell::toned(i.witness.clone(), Tone::Mono),
        ),
    ];
    if !i.out_of_order.is_empty() {
        let text = i
            .out_of_order
            .iter()
            .map(|p| {
                let line = p.line.map(|l| format!("line {l} ")).unwrap_or_default();
                let seq = p.seq.map(|s| s.to_string()).unwrap_or_default();
                format!("{line}(seq {seq}): {}", p.description)
            })
            .collect::<Vec<_>>()
            .join("\n");
        rows.push((label("out_of_order", lang), Cell::new(text)));
    }
    doc.facts(rows);
    doc.text(
        &format!(
            "{}: {} (hikeshi)",
            label("generated", lang),
            format_jst(report.generated_at, false)
        ),
        Tone::Muted,
    );
}
