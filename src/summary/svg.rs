//! The summary's pictures, in the report's house style (inline SVG, no script, no external
//! asset, the same palette and label column): one horizontal bar chart per measure, a bar per
//! incident from its start to the milestone (beyond 40 incidents, a dot each on one row), with
//! the median as a dashed line and the worst in orange; and the exercise scores over time.

use std::fmt::Write as _;

use super::model::{IncidentRow, Measure, ScoreRow, Stats};
use crate::clock::jst;
use crate::lang::{Lang, Text};
use crate::playbook::duration::format_duration;
use crate::report::svg::{esc, fit};

const WIDTH: f64 = 960.0;
const LABEL: f64 = 300.0;
const ROW: f64 = 22.0;
const TOP: f64 = 28.0;
const BAR: &str = "#2b6cb0";
const WORST: &str = "#d9822b";
const MEDIAN: &str = "#6b46c1";
/// The most incidents drawn as a bar each.
const MAX_BARS: usize = 40;

/// A round axis step (in minutes) that gives at most about eight ticks up to `max` seconds.
fn tick(max: i64) -> i64 {
    STEPS
        .iter()
        .map(|m| m * 60)
        .find(|t| max / t <= 8)
        .unwrap_or_else(|| (max / 8 / 86_400 + 1) * 86_400)
}

/// The minute steps an axis may take, smallest first.
const STEPS: [i64; 14] = [
    1, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080, 43200,
];

/// A label's width in the chart's 14-pixel font: a wide (CJK) character 14, another 8.
fn text_px(text: &str) -> f64 {
    use unicode_width::UnicodeWidthChar as _;
    text.chars()
        .map(|c| if c.width() == Some(2) { 14.0 } else { 8.0 })
        .sum()
}

/// The axis step for `max` seconds: [`tick`]'s, made longer until the labels (「1時間30分」)
/// stand apart with room between them, so they never run into each other.
fn axis_step(max: i64, lang: Lang) -> i64 {
    let plot = WIDTH - LABEL - 10.0;
    let mut step = tick(max);
    loop {
        let top = (max + step - 1) / step * step;
        let n = (top / step).max(1);
        let widest = (0..=n)
            .map(|i| text_px(&duration(i * step, lang)))
            .fold(0.0, f64::max);
        if plot / n as f64 >= widest + 16.0 || n == 1 {
            return step;
        }
        step = STEPS
            .iter()
            .map(|m| m * 60)
            .find(|t| *t > step)
            .unwrap_or(step * 2);
    }
}

fn duration(seconds: i64, lang: Lang) -> String {
    chrono::TimeDelta::try_seconds(seconds)
        .map_or_else(|| "-".to_string(), |d| format_duration(d, lang))
}

/// A row's label: its start date (JST) and title.
fn row_label(row: &IncidentRow) -> String {
    let day = row
        .started_at
        .map(|t| t.with_timezone(&jst()).format("%m/%d ").to_string())
        .unwrap_or_default();
    fit(&format!("{day}{}", row.title), 36)
}

/// The chart of one measure over the rows of one group, or `None` when none reached it.
pub(super) fn measure(
    rows: &[&IncidentRow],
    measure: Measure,
    stats: &Stats,
    lang: Lang,
) -> Option<String> {
    let bars: Vec<(&IncidentRow, i64)> = rows
        .iter()
        .filter_map(|r| {
            let t = r.times.iter().find(|t| t.measure == measure)?;
            Some((*r, t.seconds?))
        })
        .collect();
    let max = bars.iter().map(|(_, s)| *s).max()?.max(60);
    let step = axis_step(max, lang);
    let top = (max + step - 1) / step * step;
    let x = |s: i64| LABEL + (s as f64 / top as f64).clamp(0.0, 1.0) * (WIDTH - LABEL - 10.0);
    // Beyond a page of bars, one row of dots: every incident still shown, the chart still small.
    let strip = bars.len() > MAX_BARS;
    let rows = if strip { 2 } else { bars.len() };
    let height = TOP + ROW * rows as f64 + 8.0;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" aria-label="{}" font-size="14">"#,
        esc(measure.id()),
    );
    let mut t = 0;
    while t <= top {
        let px = x(t);
        // The last label ends at the right edge rather than running past it.
        let anchor = if t + step > top { "end" } else { "middle" };
        let _ = write!(
            svg,
            r##"<line x1="{px:.1}" y1="{y1}" x2="{px:.1}" y2="{y2:.1}" stroke="#ddd"/><text x="{px:.1}" y="16" text-anchor="{anchor}" fill="#555">{}</text>"##,
            esc(&duration(t, lang)),
            y1 = TOP - 8.0,
            y2 = height - 4.0,
        );
        t += step;
    }
    if strip {
        let cy = TOP + ROW;
        let _ = write!(
            svg,
            r##"<text x="4" y="{ty:.1}" fill="#222">{}</text>"##,
            esc(&crate::tr!(lang, "{} 件", "{} incidents", bars.len())),
            ty = cy + 5.0,
        );
        for (row, seconds) in &bars {
            let worst = stats.worst_incident.as_deref() == Some(row.id.as_str());
            let _ = write!(
                svg,
                r##"<circle cx="{cx:.1}" cy="{cy:.1}" r="{r}" fill="{fill}" fill-opacity="{o}"><title>{}</title></circle>"##,
                esc(&format!(
                    "{} {}: {}",
                    row.id,
                    row.title,
                    duration(*seconds, lang)
                )),
                cx = x(*seconds),
                r = if worst { 6 } else { 4 },
                fill = if worst { WORST } else { BAR },
                o = if worst { "1" } else { "0.4" },
            );
        }
    }
    for (i, (row, seconds)) in bars.iter().enumerate().filter(|_| !strip) {
        let y = TOP + ROW * i as f64;
        let worst = stats.worst_incident.as_deref() == Some(row.id.as_str());
        let _ = write!(
            svg,
            r##"<text x="4" y="{ty:.1}" fill="#222">{}</text><rect x="{LABEL}" y="{ry:.1}" width="{w:.1}" height="{h}" rx="2" fill="{fill}"><title>{}</title></rect>"##,
            esc(&row_label(row)),
            esc(&format!(
                "{} {}: {}",
                row.id,
                row.title,
                duration(*seconds, lang)
            )),
            ty = y + 16.0,
            ry = y + 3.0,
            w = (x(*seconds) - LABEL).max(3.0),
            h = ROW - 6.0,
            fill = if worst { WORST } else { BAR },
        );
    }
    if let Some(m) = stats.median_seconds {
        let px = x(m);
        let _ = write!(
            svg,
            r##"<line x1="{px:.1}" y1="{y1}" x2="{px:.1}" y2="{y2:.1}" stroke="{MEDIAN}" stroke-width="2" stroke-dasharray="6 4"><title>{}</title></line>"##,
            esc(&format!(
                "{} {}",
                Text::new("中央値", "median").get(lang),
                duration(m, lang)
            )),
            y1 = TOP - 6.0,
            y2 = height - 4.0,
        );
    }
    svg.push_str("</svg>");
    Some(svg)
}

/// The exercise scores in the order the exercises started, 0–100, with the median; `None`
/// without any.
pub(super) fn scores(scores: &[ScoreRow], median: Option<u32>, lang: Lang) -> Option<String> {
    if scores.is_empty() {
        return None;
    }
    let (height, bottom) = (220.0, 190.0);
    let plot = bottom - TOP;
    let y = |score: f64| bottom - score.clamp(0.0, 100.0) / 100.0 * plot;
    let left = 60.0;
    let span = (WIDTH - left - 40.0) / scores.len().max(2).saturating_sub(1) as f64;
    let x = |i: usize| {
        if scores.len() == 1 {
            (left + WIDTH - 40.0) / 2.0
        } else {
            left + span * i as f64
        }
    };
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" aria-label="scores" font-size="14">"#
    );
    for s in [0, 20, 40, 60, 80, 100] {
        let py = y(f64::from(s));
        let _ = write!(
            svg,
            r##"<line x1="{left}" y1="{py:.1}" x2="{x2}" y2="{py:.1}" stroke="#ddd"/><text x="{tx}" y="{ty:.1}" text-anchor="end" fill="#555">{s}</text>"##,
            x2 = WIDTH - 20.0,
            tx = left - 8.0,
            ty = py + 5.0,
        );
    }
    if let Some(m) = median {
        let py = y(f64::from(m));
        let _ = write!(
            svg,
            r##"<line x1="{left}" y1="{py:.1}" x2="{x2}" y2="{py:.1}" stroke="{MEDIAN}" stroke-width="2" stroke-dasharray="6 4"><title>{} {m}</title></line>"##,
            Text::new("中央値", "median").get(lang),
            x2 = WIDTH - 20.0,
        );
    }
    let points: Vec<String> = scores
        .iter()
        .enumerate()
        .map(|(i, s)| format!("{:.1},{:.1}", x(i), y(f64::from(s.score))))
        .collect();
    let _ = write!(
        svg,
        r##"<polyline points="{}" fill="none" stroke="{BAR}" stroke-width="2"/>"##,
        points.join(" ")
    );
    // At most about ten date labels under the axis; every point keeps its tooltip.
    let every = scores.len().div_ceil(10);
    for (i, s) in scores.iter().enumerate() {
        let day = s
            .started_at
            .map(|t| t.with_timezone(&jst()).format("%Y/%m/%d").to_string())
            .unwrap_or_default();
        let _ = write!(
            svg,
            r##"<circle cx="{cx:.1}" cy="{cy:.1}" r="4" fill="{BAR}" stroke="#fff"><title>{}</title></circle><text x="{cx:.1}" y="{ly}" text-anchor="middle" fill="#555">{}</text>"##,
            esc(&format!("{day} {}: {}", s.title, s.score)),
            if i % every == 0 {
                esc(&day)
            } else {
                String::new()
            },
            cx = x(i),
            cy = y(f64::from(s.score)),
            ly = height - 8.0,
        );
    }
    svg.push_str("</svg>");
    Some(svg)
}

#[cfg(test)]
mod tests {
    use super::super::model::{IncidentRow, Measure, MilestoneTime, Reached, Stats};
    use super::{MAX_BARS, measure, tick};
    use crate::Lang;

    fn row(i: usize) -> IncidentRow {
        IncidentRow {
            id: format!("2026010{}-0900-x-{i}", i % 9 + 1),
            title: format!("事案 {i}"),
            exercise: false,
            scenario: None,
            playbook: "x".into(),
            playbook_title: "X".into(),
            severity: None,
            started_at: None,
            closed_at: None,
            verified: true,
            problems: Vec::new(),
            times: vec![MilestoneTime {
                measure: Measure::Close,
                step: None,
                reached: Reached::Reached,
                seconds: Some(600 + 60 * i as i64),
                text: String::new(),
            }],
            forced: 0,
            skipped: 0,
            steps_open: 0,
            messages: 0,
            mail_late: 0,
            mail_undelivered: 0,
            score: None,
        }
    }

    /// A bar each up to a page of them; beyond, a dot each on one row, the worst in orange.
    #[test]
    fn many_incidents_are_dots_on_one_row() {
        let stats = |rows: &[IncidentRow]| Stats {
            worst_incident: rows.last().map(|r| r.id.clone()),
            ..Stats::default()
        };
        let few: Vec<IncidentRow> = (0..MAX_BARS).map(row).collect();
        let refs: Vec<&IncidentRow> = few.iter().collect();
        let svg = measure(&refs, Measure::Close, &stats(&few), Lang::Ja).unwrap();
        assert_eq!(svg.matches("<rect ").count(), MAX_BARS);
        assert_eq!(svg.matches("<circle ").count(), 0);
        let many: Vec<IncidentRow> = (0..=MAX_BARS).map(row).collect();
        let refs: Vec<&IncidentRow> = many.iter().collect();
        let svg = measure(&refs, Measure::Close, &stats(&many), Lang::Ja).unwrap();
        assert_eq!(svg.matches("<rect ").count(), 0);
        assert_eq!(svg.matches("<circle ").count(), MAX_BARS + 1);
        assert_eq!(svg.matches(r##"fill="#d9822b""##).count(), 1);
        assert!(svg.contains(&format!(">{} 件</text>", MAX_BARS + 1)));
        assert!(svg.contains(r#"viewBox="0 0 960 80""#), "{svg}");
        // Nothing reached: no chart.
        assert!(measure(&[], Measure::Close, &Stats::default(), Lang::Ja).is_none());
    }

    #[test]
    fn axis_labels_never_run_into_each_other() {
        use super::{LABEL, WIDTH, axis_step, duration, text_px};
        use crate::lang::Lang;
        for lang in [Lang::Ja, Lang::En] {
            for max in (1..400)
                .map(|i| i * 397)
                .chain([6600, 86_400, 40 * 86_400, 200 * 86_400])
            {
                let step = axis_step(max, lang);
                let top = (max + step - 1) / step * step;
                let n = top / step;
                let spacing = (WIDTH - LABEL - 10.0) / n as f64;
                for i in 0..n {
                    let (a, b) = (duration(i * step, lang), duration((i + 1) * step, lang));
                    // Two neighbours' half-widths fit in the space between their ticks.
                    assert!(
                        spacing >= (text_px(&a) + text_px(&b)) / 2.0 + 8.0,
                        "{max}s: step {step}s puts {a} and {b} {spacing:.0}px apart"
                    );
                }
            }
        }
        // The case seen in a summary: 1時間30分 and 1時間45分 side by side.
        assert_eq!(axis_step(6600, Lang::Ja), 1800);
    }

    #[test]
    fn ticks_are_round_and_few() {
        assert_eq!(tick(600), 300);
        assert_eq!(tick(3600), 600);
        assert_eq!(tick(86_400), 3 * 3600);
        assert_eq!(tick(40 * 86_400), 7 * 86_400);
    }
}
