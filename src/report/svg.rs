//! The report's timeline picture: an inline SVG Gantt chart of the steps (from ready to done),
//! with markers where mail was delivered and decisions were taken. No script, no external
//! asset: it prints with the page. A second form without any text ([`plain`]) is rasterised
//! for the Word report, whose table beside it names the rows and the ticks instead.

use std::fmt::Write as _;

use chrono::{DateTime, FixedOffset, TimeDelta};

use super::model::{Report, StepRow};
use crate::clock::jst;
use crate::incident::state::StepStatus;

const WIDTH: f64 = 960.0;
const LABEL: f64 = 300.0;
/// The left margin of the picture without labels.
const PLAIN_LEFT: f64 = 10.0;
const ROW: f64 = 22.0;
const TOP: f64 = 28.0;
/// The space below the last row.
const BOTTOM: f64 = 24.0;

/// XML text escaping.
pub(crate) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A tick interval that gives at most about ten ticks over `span`: a round one (10 min, 1 h,
/// 1 day …), or whole days beyond a week.
fn tick(span: TimeDelta) -> TimeDelta {
    const MINUTES: [i64; 12] = [5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080];
    MINUTES
        .iter()
        .map(|m| TimeDelta::minutes(*m))
        .find(|t| span.num_seconds() / t.num_seconds().max(1) <= 10)
        .unwrap_or_else(|| TimeDelta::days(span.num_days() / 10 + 1))
}

/// Shortens a label to fit the label column (full-width characters count double).
pub(crate) fn fit(text: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthChar as _;
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(1);
        if used + w > width {
            out.push('…');
            return out;
        }
        used += w;
        out.push(c);
    }
    out
}

/// Where things go in the chart: its time span, its rows and its ticks. Both forms of the
/// picture are drawn from one layout, so the table that explains the plain one matches it.
pub struct Layout<'a> {
    /// The left edge of the chart (the start of the incident).
    pub start: DateTime<FixedOffset>,
    /// The right edge: the close, or the time of the report while the incident is open.
    pub end: DateTime<FixedOffset>,
    /// The rows, top to bottom: every step that applies.
    pub rows: Vec<&'a StepRow>,
    /// The vertical lines: round times (14:10, 14:20 …) counted from midnight in Japan.
    pub ticks: Vec<DateTime<FixedOffset>>,
    /// The time between two ticks.
    pub every: TimeDelta,
    /// The chart spans more than 20 hours (ticks are labelled with their date).
    pub multi_day: bool,
}

impl<'a> Layout<'a> {
    /// The layout of a report's chart, or `None` when nothing has happened yet.
    pub fn of(report: &'a Report) -> Option<Layout<'a>> {
        let start = report.overview.started_at?;
        // To the close, or to the time of the report while the incident is open (open steps
        // run to the right edge, as the deadlines in the report are judged then too).
        // (The time it was judged at: an exercise's simulated now, not when it was made.)
        let judged = start + TimeDelta::seconds(report.overview.duration_seconds);
        let end = report
            .overview
            .closed_at
            .unwrap_or(judged)
            .max(start + TimeDelta::minutes(10));
        let span = end - start;
        let rows = report
            .steps
            .iter()
            .filter(|s| s.status != StepStatus::NotApplicable)
            .collect();
        let every = tick(span);
        let local = start.with_timezone(&jst());
        let midnight = local
            .date_naive()
            .and_hms_opt(0, 0, 0)
            .and_then(|m| m.and_local_timezone(jst()).single())
            .map_or(start, |m| m.fixed_offset());
        let since = (start - midnight).num_seconds();
        let seconds = every.num_seconds().max(1);
        let mut t = midnight + TimeDelta::seconds((since + seconds - 1) / seconds * seconds);
        let mut ticks = Vec::new();
        while t <= end {
            ticks.push(t);
            t += every;
        }
        Some(Layout {
            start,
            end,
            rows,
            ticks,
            every,
            multi_day: span > TimeDelta::hours(20),
        })
    }

    /// A tick's label: `14:10`, or `11/22 14:10` over more than a day.
    pub fn tick_label(&self, t: DateTime<FixedOffset>) -> String {
        let format = if self.multi_day {
            "%m/%d %H:%M"
        } else {
            "%H:%M"
        };
        t.with_timezone(&jst()).format(format).to_string()
    }

    /// The height of the picture, in its own units.
    pub fn height(&self) -> f64 {
        TOP + ROW * self.rows.len() as f64 + BOTTOM
    }

    /// The width of the picture, in its own units.
    pub fn width(&self) -> f64 {
        WIDTH
    }
}

/// The Gantt chart of a report, or `None` when nothing has happened yet.
pub fn gantt(report: &Report) -> Option<String> {
    Layout::of(report).map(|layout| draw(report, &layout, true))
}

/// The chart without a single character of text, for a picture made where no fonts can be
/// assumed: the row labels and tick times are left to the table printed beside it. Rows are
/// striped so the eye can follow one across.
pub fn plain(report: &Report, layout: &Layout<'_>) -> String {
    draw(report, layout, false)
}

fn draw(report: &Report, layout: &Layout<'_>, labelled: bool) -> String {
    let (start, end) = (layout.start, layout.end);
    let span = end - start;
    let left = if labelled { LABEL } else { PLAIN_LEFT };
    let x = |t: DateTime<FixedOffset>| -> f64 {
        let f = (t - start).num_seconds() as f64 / span.num_seconds().max(1) as f64;
        left + f.clamp(0.0, 1.0) * (WIDTH - left - 10.0)
    };
    let rows = &layout.rows;
    let height = layout.height();
    let mut svg = String::new();
    if labelled {
        let _ = write!(
            svg,
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" aria-label="timeline" font-size="14">"#
        );
    } else {
        let _ = write!(
            svg,
            r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}"><rect width="{WIDTH}" height="{height}" fill="#fff"/>"##
        );
        for i in (0..rows.len()).step_by(2) {
            let _ = write!(
                svg,
                r##"<rect x="0" y="{:.1}" width="{WIDTH}" height="{ROW}" fill="#f2f2f2"/>"##,
                TOP + ROW * i as f64,
            );
        }
    }
    // Time axis with ticks.
    for &t in &layout.ticks {
        let px = x(t);
        let _ = write!(
            svg,
            r##"<line x1="{px:.1}" y1="{y1}" x2="{px:.1}" y2="{y2:.1}" stroke="#ddd"/>"##,
            y1 = TOP - 8.0,
            y2 = height - 20.0,
        );
        if labelled {
            let _ = write!(
                svg,
                r##"<text x="{px:.1}" y="16" text-anchor="middle" fill="#555">{}</text>"##,
                layout.tick_label(t)
            );
        }
    }
    for (i, s) in rows.iter().enumerate() {
        let y = TOP + ROW * i as f64;
        if labelled {
            let _ = write!(
                svg,
                r##"<text x="4" y="{ty:.1}" fill="#222">{}</text>"##,
                esc(&fit(&s.title, 36)),
                ty = y + 16.0,
            );
        }
        if s.status == StepStatus::Skipped {
            // A skipped step: a grey cross where it could have been done.
            let at = s.ready_at.unwrap_or(start);
            if labelled {
                let _ = write!(
                    svg,
                    r##"<text x="{:.1}" y="{:.1}" fill="#888">×<title>{}</title></text>"##,
                    x(at),
                    y + 16.0,
                    esc(&format!("{} ({})", s.title, s.status_text)),
                );
            } else {
                let _ = write!(
                    svg,
                    r##"<path d="M{:.1} {:.1} l8 8 m0 -8 l-8 8" stroke="#888" stroke-width="2"/>"##,
                    x(at),
                    y + 7.0,
                );
            }
            continue;
        }
        let (from, to, colour) = match (s.ready_at, s.done_at, s.status) {
            (Some(r), Some(d), _) => (
                r,
                d,
                if s.due_met == Some(false) {
                    "#d9822b"
                } else {
                    "#3c9a5f"
                },
            ),
            (None, Some(d), _) => (d, d, "#3c9a5f"),
            (Some(r), None, StepStatus::Ready) => (r, end, "#c23b3b"),
            _ => continue,
        };
        let x1 = x(from);
        let w = (x(to) - x1).max(3.0);
        let _ = write!(
            svg,
            r#"<rect x="{x1:.1}" y="{ry:.1}" width="{w:.1}" height="{h}" rx="2" fill="{colour}">"#,
            ry = y + 3.0,
            h = ROW - 6.0,
        );
        if labelled {
            let _ = write!(
                svg,
                "<title>{}</title>",
                esc(&format!("{} ({})", s.title, s.status_text))
            );
        }
        svg.push_str("</rect>");
    }
    // Markers: mail delivered (circles), decisions (diamonds), on their step's row.
    let row_of = |id: &str| rows.iter().position(|s| s.id == id);
    for n in &report.notifications {
        if let (Some(at), Some(i)) = (n.delivered_at, row_of(&n.step)) {
            let _ = write!(
                svg,
                r##"<circle cx="{:.1}" cy="{:.1}" r="3.5" fill="#2b6cb0" stroke="#fff">"##,
                x(at),
                TOP + ROW * i as f64 + ROW / 2.0,
            );
            if labelled {
                let _ = write!(svg, "<title>#{} {}</title>", n.number, esc(&n.to));
            }
            svg.push_str("</circle>");
        }
    }
    for d in &report.overview.decisions {
        if let Some(i) = row_of(&d.step) {
            let (cx, cy) = (x(d.at), TOP + ROW * i as f64 + ROW / 2.0);
            let _ = write!(
                svg,
                r##"<path d="M{:.1} {:.1} l5 5 l-5 5 l-5 -5 z" fill="#6b46c1">"##,
                cx,
                cy - 5.0,
            );
            if labelled {
                let _ = write!(svg, "<title>{}</title>", esc(&d.answer));
            }
            svg.push_str("</path>");
        }
    }
    let _ = write!(svg, "</svg>");
    svg
}
