//! `when:` conditions: `decision == option`, `decision != option`, `decision in [a, b]`.

/// A name in a condition with its character offset inside the condition text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The name.
    pub text: String,
    /// Character offset from the start of the condition.
    pub offset: usize,
}

/// A parsed, not yet resolved, condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionSyntax {
    /// The decision step named.
    pub decision: Word,
    /// The options named.
    pub options: Vec<Word>,
    /// `!=`: the condition holds when the answer is *not* one of `options`.
    pub negated: bool,
}

/// Any character but spaces and the condition's own punctuation: a name written wrongly (an
/// option's title in Japanese, say) is still read as a name, so the compiler can say which
/// id was meant instead of "cannot parse".
fn is_name_char(c: char) -> bool {
    !c.is_whitespace() && !matches!(c, '=' | '!' | '[' | ']' | ',')
}

struct Scanner {
    chars: Vec<char>,
    pos: usize,
}

impl Scanner {
    fn new(src: &str) -> Self {
        Self {
            chars: src.chars().collect(),
            pos: 0,
        }
    }

    fn skip_ws(&mut self) {
        while self.chars.get(self.pos).is_some_and(|c| c.is_whitespace()) {
            self.pos += 1;
        }
    }

    fn name(&mut self) -> Option<Word> {
        self.skip_ws();
        let start = self.pos;
        while self.chars.get(self.pos).copied().is_some_and(is_name_char) {
            self.pos += 1;
        }
        (self.pos > start).then(|| Word {
            text: self.chars[start..self.pos].iter().collect(),
            offset: start,
        })
    }

    fn eat(&mut self, token: &str) -> bool {
        self.skip_ws();
        let token: Vec<char> = token.chars().collect();
        if self.chars.get(self.pos..self.pos + token.len()) == Some(token.as_slice()) {
            self.pos += token.len();
            true
        } else {
            false
        }
    }

    fn at_end(&mut self) -> bool {
        self.skip_ws();
        self.pos >= self.chars.len()
    }
}

/// Parses a condition; `None` if it is not one of the three forms.
pub fn parse_condition(text: &str) -> Option<ConditionSyntax> {
    let mut s = Scanner::new(text);
    let decision = s.name()?;
    let (negated, options) = if s.eat("==") {
        (false, vec![s.name()?])
    } else if s.eat("!=") {
        (true, vec![s.name()?])
    } else if s.eat("in") {
        if !s.eat("[") {
            return None;
        }
        let mut options = vec![s.name()?];
        while s.eat(",") {
            options.push(s.name()?);
        }
        if !s.eat("]") {
            return None;
        }
        (false, options)
    } else {
        return None;
    };
    s.at_end().then_some(ConditionSyntax {
        decision,
        options,
        negated,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(text: &str, offset: usize) -> Word {
        Word {
            text: text.into(),
            offset,
        }
    }

    #[test]
    fn parses_the_three_forms() {
        assert_eq!(
            parse_condition("severity == high"),
            Some(ConditionSyntax {
                decision: w("severity", 0),
                options: vec![w("high", 12)],
                negated: false
            })
        );
        assert_eq!(
            parse_condition("fraud!=none"),
            Some(ConditionSyntax {
                decision: w("fraud", 0),
                options: vec![w("none", 7)],
                negated: true
            })
        );
        assert_eq!(
            parse_condition("severity in [medium, high]"),
            Some(ConditionSyntax {
                decision: w("severity", 0),
                options: vec![w("medium", 13), w("high", 21)],
                negated: false
            })
        );
    }

    #[test]
    fn rejects_other_text() {
        for bad in [
            "",
            "severity",
            "severity = high",
            "severity == ",
            "a == b c",
            "a in [b",
            "a in []",
            "重大度 高",
        ] {
            assert_eq!(parse_condition(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_title_written_for_an_id_is_still_a_name() {
        assert_eq!(
            parse_condition("assess-impact == 市民生活に影響"),
            Some(ConditionSyntax {
                decision: w("assess-impact", 0),
                options: vec![w("市民生活に影響", 17)],
                negated: false
            })
        );
    }
}
