//! The report's timeline picture: an inline SVG Gantt chart of the steps (from ready to done),
//! with markers where mail was delivered and decisions were taken. No script, no external
//! asset: it prints with the page.

use std::fmt::Write as _;

use chrono::{DateTime, FixedOffset, TimeDelta};

use super::model::Report;
use crate::clock::jst;
use crate::incident::state::StepStatus;

const WIDTH: f64 = 960.0;
const LABEL: f64 = 300.0;
const ROW: f64 = 22.0;
const TOP: f64 = 28.0;

/// XML text escaping.
fn esc(text: &str) -> String {
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
fn fit(text: &str, width: usize) -> String {
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

/// The Gantt chart of a report, or `None` when nothing has happened yet.
pub fn gantt(report: &Report) -> Option<String> {
    let start = report.overview.started_at?;
    // To the close, or to the time of the report while the incident is open (open steps run
    // to the right edge, as the deadlines in the report are judged then too).
    let end = report
        .overview
        .closed_at
        .unwrap_or(report.generated_at)
        .max(start + TimeDelta::minutes(10));
    let span = end - start;
    let x = |t: DateTime<FixedOffset>| -> f64 {
        let f = (t - start).num_seconds() as f64 / span.num_seconds().max(1) as f64;
        LABEL + f.clamp(0.0, 1.0) * (WIDTH - LABEL - 10.0)
    };
    let rows: Vec<&super::model::StepRow> = report
        .steps
        .iter()
        .filter(|s| s.status != StepStatus::NotApplicable)
        .collect();
    let height = TOP + ROW * rows.len() as f64 + 24.0;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" aria-label="timeline" font-size="14">"#
    );
    // Time axis with ticks.
    let step = tick(span);
    let multi_day = span > TimeDelta::hours(20);
    // Ticks on round times (14:10, 14:20 …), counted from midnight in Japan.
    let local = start.with_timezone(&jst());
    let midnight = local
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .and_then(|m| m.and_local_timezone(jst()).single())
        .map_or(start, |m| m.fixed_offset());
    let since = (start - midnight).num_seconds();
    let every = step.num_seconds().max(1);
    let mut t = midnight + TimeDelta::seconds((since + every - 1) / every * every);
    while t <= end {
        let px = x(t);
        let label = if multi_day {
            t.with_timezone(&jst()).format("%m/%d %H:%M").to_string()
        } else {
            t.with_timezone(&jst()).format("%H:%M").to_string()
        };
        let _ = write!(
            svg,
            r##"<line x1="{px:.1}" y1="{y1}" x2="{px:.1}" y2="{y2:.1}" stroke="#ddd"/><text x="{px:.1}" y="16" text-anchor="middle" fill="#555">{label}</text>"##,
            y1 = TOP - 8.0,
            y2 = height - 20.0,
        );
        t += step;
    }
    for (i, s) in rows.iter().enumerate() {
        let y = TOP + ROW * i as f64;
        let _ = write!(
            svg,
            r##"<text x="4" y="{ty:.1}" fill="#222">{}</text>"##,
            esc(&fit(&s.title, 36)),
            ty = y + 16.0,
        );
        if s.status == StepStatus::Skipped {
            // A skipped step: a grey cross where it could have been done.
            let at = s.ready_at.unwrap_or(start);
            let _ = write!(
                svg,
                r##"<text x="{:.1}" y="{:.1}" fill="#888">×<title>{}</title></text>"##,
                x(at),
                y + 16.0,
                esc(&format!("{} ({})", s.title, s.status_text)),
            );
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
            r#"<rect x="{x1:.1}" y="{ry:.1}" width="{w:.1}" height="{h}" rx="2" fill="{colour}"><title>{}</title></rect>"#,
            esc(&format!("{} ({})", s.title, s.status_text)),
            ry = y + 3.0,
            h = ROW - 6.0,
        );
    }
    // Markers: mail delivered (circles), decisions (diamonds), on their step's row.
    let row_of = |id: &str| rows.iter().position(|s| s.id == id);
    for n in &report.notifications {
        if let (Some(at), Some(i)) = (n.delivered_at, row_of(&n.step)) {
            let _ = write!(
                svg,
                r##"<circle cx="{:.1}" cy="{:.1}" r="3.5" fill="#2b6cb0" stroke="#fff"><title>#{} {}</title></circle>"##,
                x(at),
                TOP + ROW * i as f64 + ROW / 2.0,
                n.number,
                esc(&n.to),
            );
        }
    }
    for d in &report.overview.decisions {
        if let Some(i) = row_of(&d.step) {
            let (cx, cy) = (x(d.at), TOP + ROW * i as f64 + ROW / 2.0);
            let _ = write!(
                svg,
                r##"<path d="M{:.1} {:.1} l5 5 l-5 5 l-5 -5 z" fill="#6b46c1"><title>{}</title></path>"##,
                cx,
                cy - 5.0,
                esc(&d.answer),
            );
        }
    }
    let _ = write!(svg, "</svg>");
    Some(svg)
}
