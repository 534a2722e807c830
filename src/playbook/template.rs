//! Templates for mail subjects, bodies and public statements: text with `{{placeholder}}`s
//! (built in, or the playbook's declared facts), each optionally followed by a filter
//! (`{{started_at|datetime}}`), checked at compile time and filled when a message is composed.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Timelike};

use crate::clock::{format_jst, jst};

/// Every built-in placeholder a template may use.
pub const PLACEHOLDERS: [&str; 17] = [
    "title",
    "incident_id",
    "account",
    "platform",
    "started_at",
    "now",
    "operator",
    "organization",
    "org_kind",
    "head",
    "deputy_head",
    "residents",
    "website",
    "step",
    "division",
    "severity",
    "claims",
];

/// The built-in placeholders that are the organisation's words (its kind's, or given in
/// divisions.yaml `words:`).
pub const WORD_PLACEHOLDERS: [&str; 4] = ["org_kind", "head", "deputy_head", "residents"];

/// The built-in placeholders that stand for a date and time (the date filters apply).
pub const TIME_PLACEHOLDERS: [&str; 2] = ["started_at", "now"];

/// How a placeholder's value is written out: `{{name|filter}}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    /// `11月27日（金）`.
    Date,
    /// `午後10時`, `午前9時30分`.
    Time,
    /// `11月27日（金）午後10時`: a date and time as a public notice writes it (公用文).
    Datetime,
    /// `令和8年11月27日（金）`: the date with the Japanese era (和暦).
    Wareki,
    /// `令和8年11月27日（金）午後10時`.
    WarekiDatetime,
    /// An account or address that must not become a link or mention: `@` and `:`/`.`
    /// written full-width (`＠fake_account`).
    Unlinked,
}

impl Filter {
    /// Every filter with its name as written after `|`.
    pub const ALL: [(&'static str, Filter); 6] = [
        ("date", Filter::Date),
        ("time", Filter::Time),
        ("datetime", Filter::Datetime),
        ("wareki", Filter::Wareki),
        ("wareki_datetime", Filter::WarekiDatetime),
        ("unlinked", Filter::Unlinked),
    ];

    /// The filter's name as written.
    pub fn name(self) -> &'static str {
        Filter::ALL
            .iter()
            .find(|(_, f)| *f == self)
            .map_or("", |(n, _)| n)
    }

    /// Whether the filter formats a date and time (and so needs a placeholder that is one).
    pub fn needs_time(self) -> bool {
        self != Filter::Unlinked
    }

    fn apply(self, value: Value) -> String {
        let time = match value {
            Value::Time(t) => t,
            Value::Text(text) => match self {
                Filter::Unlinked => return unlinked(&text),
                // A date-time fact is stored as RFC 3339; any other text is left as it is.
                _ => match DateTime::parse_from_rfc3339(&text) {
                    Ok(t) => t,
                    Err(_) => return text,
                },
            },
        };
        let t = time.with_timezone(&jst());
        match self {
            Filter::Date => public_date(t.date_naive()),
            Filter::Time => public_time(t.hour(), t.minute()),
            Filter::Datetime => public_date(t.date_naive()) + &public_time(t.hour(), t.minute()),
            Filter::Wareki => wareki(t.date_naive()),
            Filter::WarekiDatetime => wareki(t.date_naive()) + &public_time(t.hour(), t.minute()),
            Filter::Unlinked => unlinked(&format_jst(time, false)),
        }
    }
}

/// What a placeholder stands for when a template is filled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// Text, written as it is.
    Text(String),
    /// A date and time, written as `2026-11-27 22:00` (JST) unless a filter says otherwise.
    Time(DateTime<FixedOffset>),
}

impl Value {
    fn plain(self) -> String {
        match self {
            Value::Text(t) => t,
            Value::Time(t) => format_jst(t, false),
        }
    }
}

const WEEKDAYS: [&str; 7] = ["月", "火", "水", "木", "金", "土", "日"];

/// `11月27日（金）`.
fn public_date(date: NaiveDate) -> String {
    let weekday = WEEKDAYS[date.weekday().num_days_from_monday() as usize];
    format!("{}月{}日（{weekday}）", date.month(), date.day())
}

/// `午後10時`, `午前9時30分`, `午前0時` (midnight), `午後0時` (noon), as 公用文 writes them.
fn public_time(hour: u32, minute: u32) -> String {
    let (half, h) = if hour < 12 {
        ("午前", hour)
    } else {
        ("午後", hour - 12)
    };
    if minute == 0 {
        format!("{half}{h}時")
    } else {
        format!("{half}{h}時{minute}分")
    }
}

/// `令和8年11月27日（金）`; 元年 for the first year of an era. Dates before 平成 keep the
/// Western year (no public notice of an incident is dated so).
fn wareki(date: NaiveDate) -> String {
    const ERAS: [(&str, i32, u32, u32); 2] = [("令和", 2019, 5, 1), ("平成", 1989, 1, 8)];
    let era = ERAS.iter().find(|(_, y, m, d)| {
        NaiveDate::from_ymd_opt(*y, *m, *d).is_some_and(|first| date >= first)
    });
    let Some((name, first_year, ..)) = era else {
        return format!("{}年{}", date.year(), public_date(date));
    };
    let year = date.year() - first_year + 1;
    let year = if year == 1 {
        "元".to_string()
    } else {
        year.to_string()
    };
    format!("{name}{year}年{}", public_date(date))
}

/// `@`, `:` and `.` full-width, so that no platform turns the text into a mention or a link.
fn unlinked(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '@' => '＠',
            ':' => '：',
            '.' => '．',
            '/' => '／',
            other => other,
        })
        .collect()
}

/// A piece of a parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Literal text.
    Text(String),
    /// A placeholder, by name, with its filter.
    Placeholder {
        /// The name (a built-in placeholder or a declared fact).
        name: String,
        /// How it is written out.
        filter: Option<Filter>,
    },
}

/// A checked template: every placeholder is a built-in one or a name it was parsed with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    source: String,
    pieces: Vec<Piece>,
}

/// A problem found while parsing a template, with its character offset in the template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateError {
    /// `{{name}}` where `name` is not a known placeholder.
    Unknown {
        /// The name.
        name: String,
        /// Character offset of the `{{`.
        offset: usize,
    },
    /// `{{name|filter}}` where `filter` is not a known filter.
    UnknownFilter {
        /// The filter as written.
        filter: String,
        /// Character offset of the `{{`.
        offset: usize,
    },
    /// `{{` with no `}}`.
    Unclosed {
        /// Character offset of the `{{`.
        offset: usize,
    },
}

impl Template {
    /// Parses a template with the built-in placeholders only.
    pub fn parse(source: &str) -> Result<Template, Vec<TemplateError>> {
        Self::parse_with(source, &[])
    }

    /// Parses a template whose placeholders are the built-in ones and `names` (the
    /// playbook's facts), reporting every unknown or unclosed placeholder.
    pub fn parse_with(source: &str, names: &[&str]) -> Result<Template, Vec<TemplateError>> {
        let mut pieces = Vec::new();
        let mut errors = Vec::new();
        let mut rest = source;
        let mut consumed_chars = 0;
        while let Some(open) = rest.find("{{") {
            if open > 0 {
                pieces.push(Piece::Text(rest[..open].to_string()));
            }
            let offset = consumed_chars + rest[..open].chars().count();
            let after_open = &rest[open + 2..];
            let Some(close) = after_open.find("}}") else {
                errors.push(TemplateError::Unclosed { offset });
                rest = "";
                break;
            };
            let inner = &after_open[..close];
            let (name, filter) = match inner.split_once('|') {
                Some((n, f)) => (n.trim(), Some(f.trim())),
                None => (inner.trim(), None),
            };
            let filter = match filter {
                None => Ok(None),
                Some(f) => Filter::ALL
                    .iter()
                    .find(|(n, _)| *n == f)
                    .map(|(_, k)| Some(*k))
                    .ok_or_else(|| TemplateError::UnknownFilter {
                        filter: f.to_string(),
                        offset,
                    }),
            };
            if !PLACEHOLDERS.contains(&name) && !names.contains(&name) {
                errors.push(TemplateError::Unknown {
                    name: name.to_string(),
                    offset,
                });
            } else {
                match filter {
                    Ok(filter) => pieces.push(Piece::Placeholder {
                        name: name.to_string(),
                        filter,
                    }),
                    Err(e) => errors.push(e),
                }
            }
            let used = open + 2 + close + 2;
            consumed_chars += rest[..used].chars().count();
            rest = &rest[used..];
        }
        if !rest.is_empty() {
            pieces.push(Piece::Text(rest.to_string()));
        }
        if errors.is_empty() {
            Ok(Template {
                source: source.to_string(),
                pieces,
            })
        } else {
            Err(errors)
        }
    }

    /// The template as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether the template uses a placeholder.
    pub fn uses(&self, name: &str) -> bool {
        self.placeholders().any(|(n, _)| n == name)
    }

    /// The placeholders it uses, in order, with their filters.
    pub fn placeholders(&self) -> impl Iterator<Item = (&str, Option<Filter>)> {
        self.pieces.iter().filter_map(|p| match p {
            Piece::Placeholder { name, filter } => Some((name.as_str(), *filter)),
            Piece::Text(_) => None,
        })
    }

    /// The parsed pieces.
    pub fn pieces(&self) -> &[Piece] {
        &self.pieces
    }

    /// Fills the placeholders; `value` returns the value for a name (unknown → left empty).
    pub fn render(&self, value: impl Fn(&str) -> Option<Value>) -> String {
        let mut out = String::with_capacity(self.source.len());
        for piece in &self.pieces {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Placeholder { name, filter } => {
                    if let Some(v) = value(name) {
                        match filter {
                            Some(f) => out.push_str(&f.apply(v)),
                            None => out.push_str(&v.plain()),
                        }
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_known_placeholders() {
        let t = Template::parse("{{organization}}公式{{ platform }}の件（{{title}}）").unwrap();
        let out = t.render(|name| match name {
            "organization" => Some(Value::Text("例示市".into())),
            "platform" => Some(Value::Text("X".into())),
            _ => None,
        });
        assert_eq!(out, "例示市公式Xの件（）");
    }

    #[test]
    fn reports_every_unknown_and_unclosed_placeholder_with_char_offsets() {
        let errors = Template::parse("市長{{mayor}}と{{titel}}と{{now").unwrap_err();
        assert_eq!(
            errors,
            vec![
                TemplateError::Unknown {
                    name: "mayor".into(),
                    offset: 2
                },
                TemplateError::Unknown {
                    name: "titel".into(),
                    offset: 12
                },
                TemplateError::Unclosed { offset: 22 },
            ]
        );
    }

    #[test]
    fn declared_names_are_placeholders_and_filters_are_checked() {
        let t = Template::parse_with("{{fake_account|unlinked}}", &["fake_account"]).unwrap();
        assert_eq!(
            t.render(|_| Some(Value::Text("@mayor_fake.jp".into()))),
            "＠mayor_fake．jp"
        );
        assert!(Template::parse("{{fake_account}}").is_err());
        assert_eq!(
            Template::parse("{{now|kanji}}").unwrap_err(),
            vec![TemplateError::UnknownFilter {
                filter: "kanji".into(),
                offset: 0
            }]
        );
    }

    #[test]
    fn public_notices_write_dates_as_koyobun() {
        let at = |s: &str| Value::Time(DateTime::parse_from_rfc3339(s).unwrap());
        let t = Template::parse("{{started_at|datetime}}頃").unwrap();
        assert_eq!(
            t.render(|_| Some(at("2026-11-27T22:00:00+09:00"))),
            "11月27日（金）午後10時頃"
        );
        let t = Template::parse("{{now|wareki_datetime}}／{{now|time}}／{{now}}").unwrap();
        assert_eq!(
            t.render(|_| Some(at("2026-11-27T00:30:00Z"))),
            "令和8年11月27日（金）午前9時30分／午前9時30分／2026-11-27 09:30"
        );
        let t = Template::parse("{{now|wareki}} {{now|time}}").unwrap();
        assert_eq!(
            t.render(|_| Some(at("2019-05-01T12:00:00+09:00"))),
            "令和元年5月1日（水） 午後0時"
        );
    }
}
