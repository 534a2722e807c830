//! Templates for mail subjects, bodies and public statements: text with `{{placeholder}}`s
//! from a fixed set, checked at compile time and filled when a message is composed.

/// Every placeholder a template may use, with what it stands for.
pub const PLACEHOLDERS: [&str; 12] = [
    "title",
    "incident_id",
    "account",
    "platform",
    "started_at",
    "now",
    "operator",
    "organization",
    "website",
    "step",
    "division",
    "severity",
];

/// A piece of a parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Literal text.
    Text(String),
    /// A placeholder, by name.
    Placeholder(String),
}

/// A checked template: every placeholder is one of [`PLACEHOLDERS`].
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
    /// `{{` with no `}}`.
    Unclosed {
        /// Character offset of the `{{`.
        offset: usize,
    },
}

impl Template {
    /// Parses a template, reporting every unknown or unclosed placeholder.
    pub fn parse(source: &str) -> Result<Template, Vec<TemplateError>> {
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
            let name = after_open[..close].trim();
            if PLACEHOLDERS.contains(&name) {
                pieces.push(Piece::Placeholder(name.to_string()));
            } else {
                errors.push(TemplateError::Unknown {
                    name: name.to_string(),
                    offset,
                });
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
        self.pieces
            .iter()
            .any(|p| matches!(p, Piece::Placeholder(n) if n == name))
    }

    /// The parsed pieces.
    pub fn pieces(&self) -> &[Piece] {
        &self.pieces
    }

    /// Fills the placeholders; `value` returns the text for a name (unknown → left empty).
    pub fn render(&self, value: impl Fn(&str) -> Option<String>) -> String {
        let mut out = String::with_capacity(self.source.len());
        for piece in &self.pieces {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Placeholder(name) => out.push_str(&value(name).unwrap_or_default()),
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
            "organization" => Some("例示市".into()),
            "platform" => Some("X".into()),
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
}
