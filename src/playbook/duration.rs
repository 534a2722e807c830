//! Durations in playbooks: `15m`, `2h`, `1d`, `1h30m` (units s, m, h, d, w).

use chrono::TimeDelta;

use crate::lang::{Lang, Text};
use crate::tr;

/// The longest duration a playbook may state (a year), so arithmetic never overflows.
const MAX_SECONDS: i64 = 366 * 24 * 3600;

/// Parses a playbook duration. Returns `None` for anything else, including zero, a missing
/// unit, a repeated unit and values over a year.
pub fn parse_duration(text: &str) -> Option<TimeDelta> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let mut total: i64 = 0;
    let mut number: Option<i64> = None;
    let mut last_unit_rank = usize::MAX;
    for c in text.chars() {
        if let Some(d) = c.to_digit(10) {
            let n = number
                .unwrap_or(0)
                .checked_mul(10)?
                .checked_add(i64::from(d))?;
            number = Some(n);
            continue;
        }
        // Units must come largest first and once each, so `30m1h` or `1h1h` are typos.
        let (rank, seconds) = match c {
            'w' => (0, 7 * 24 * 3600),
            'd' => (1, 24 * 3600),
            'h' => (2, 3600),
            'm' => (3, 60),
            's' => (4, 1),
            _ => return None,
        };
        if last_unit_rank != usize::MAX && rank <= last_unit_rank {
            return None;
        }
        last_unit_rank = rank;
        total = total.checked_add(number.take()?.checked_mul(seconds)?)?;
        if total > MAX_SECONDS {
            return None;
        }
    }
    if number.is_some() || total == 0 {
        return None;
    }
    TimeDelta::try_seconds(total)
}

/// Formats a duration for people: `1時間30分` / `1h 30m`. Negative durations are shown by
/// magnitude; callers say "overdue" themselves.
pub fn format_duration(d: TimeDelta, lang: Lang) -> String {
    let mut secs = d.num_seconds().unsigned_abs();
    let days = secs / 86_400;
    secs %= 86_400;
    let hours = secs / 3600;
    secs %= 3600;
    let minutes = secs / 60;
    let seconds = secs % 60;
    let units = [
        (days, Text::new("日", "d")),
        (hours, Text::new("時間", "h")),
        (minutes, Text::new("分", "m")),
        (seconds, Text::new("秒", "s")),
    ];
    let parts: Vec<String> = units
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, unit)| format!("{n}{}", unit.get(lang)))
        .collect();
    if parts.is_empty() {
        return tr!(lang, "0分", "0m");
    }
    parts.join(&tr!(lang, "", " "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units_and_combinations() {
        assert_eq!(parse_duration("15m"), Some(TimeDelta::minutes(15)));
        assert_eq!(parse_duration("2h"), Some(TimeDelta::hours(2)));
        assert_eq!(parse_duration("1d"), Some(TimeDelta::days(1)));
        assert_eq!(parse_duration("1w"), Some(TimeDelta::weeks(1)));
        assert_eq!(parse_duration("90s"), Some(TimeDelta::seconds(90)));
        assert_eq!(parse_duration("1h30m"), Some(TimeDelta::minutes(90)));
    }

    #[test]
    fn rejects_malformed_durations() {
        for bad in [
            "",
            "15",
            "m",
            "15 m",
            "15min",
            "1.5h",
            "-5m",
            "0m",
            "30m1h",
            "1h1h",
            "400d",
            "99999999999999999999h",
            "１５ｍ",
        ] {
            assert_eq!(parse_duration(bad), None, "{bad:?} should be rejected");
        }
    }

    #[test]
    fn formats_in_both_languages() {
        assert_eq!(
            format_duration(TimeDelta::minutes(90), Lang::Ja),
            "1時間30分"
        );
        assert_eq!(format_duration(TimeDelta::minutes(90), Lang::En), "1h 30m");
        assert_eq!(format_duration(TimeDelta::zero(), Lang::Ja), "0分");
        assert_eq!(format_duration(TimeDelta::days(-2), Lang::En), "2d");
    }
}
