//! Text left to fill in by hand. A public statement is written with marks where the operator
//! must put what only the incident knows (「○月○日の「○○」」, 「（補足する内容を記載）」,
//! ＿＿); posted as they are, they tell the public the city did not finish its own text. A
//! post is refused while its text holds one, and `check` warns of a statement that does.

use std::sync::LazyLock;

use regex::Regex;

/// The marks: runs of ○ or ◯ (one is a mark where a date, a time or a count is left open:
/// ○月, ○時, ○件), runs of × or ＿ (three ASCII underscores: two are too common in
/// addresses), a placeholder left as written (`{{name}}`), and a bracketed instruction to
/// write something (「（…を記載）」「【…を入力】」).
static MARKS: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(concat!(
        r"[○◯]{2,}|[○◯][年月日時分秒件名人回号]|",
        r"[×✕]{2,}|＿{2,}|_{3,}|",
        r"\{\{[^{}\n]*\}\}|",
        r"[（(【\[［][^）)】\]］\n]{0,40}(?:記載|記入|入力)(?:する|して(?:ください)?|のこと)?[）)】\]］]",
    ))
    .ok()
});

/// Where a text still holds a mark to fill in: the first one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unfinished {
    /// The line (from 1).
    pub line: usize,
    /// The column in characters (from 1).
    pub column: usize,
    /// The mark as written.
    pub mark: String,
}

/// The first mark `text` still holds, if any.
pub fn unfinished(text: &str) -> Option<Unfinished> {
    let found = MARKS.as_ref()?.find(text)?;
    let before = &text[..found.start()];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Some(Unfinished {
        line: before.matches('\n').count() + 1,
        column: text[line_start..found.start()].chars().count() + 1,
        mark: found.as_str().to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mark(text: &str) -> Option<String> {
        unfinished(text).map(|u| u.mark)
    }

    #[test]
    fn the_marks_of_a_stock_text_are_found_where_they_are() {
        let found = unfinished("【訂正とおわび】\n本日の投稿（誤）○○／（正）○○").unwrap();
        assert_eq!((found.line, found.column), (2, 9));
        assert_eq!(found.mark, "○○");
        assert_eq!(mark("○月○日の投稿について").as_deref(), Some("○月"));
        assert_eq!(
            mark("次のとおり補足します。\n（補足する内容を記載）").as_deref(),
            Some("（補足する内容を記載）")
        );
        assert_eq!(
            mark("【日時を入力】に再開します").as_deref(),
            Some("【日時を入力】")
        );
        assert_eq!(mark("氏名：＿＿＿＿").as_deref(), Some("＿＿＿＿"));
        assert_eq!(mark("担当：____").as_deref(), Some("____"));
        assert_eq!(mark("××課").as_deref(), Some("××"));
        assert_eq!(mark("詳細：{{website}}").as_deref(), Some("{{website}}"));
    }

    #[test]
    fn finished_text_has_no_mark() {
        for text in [
            "12月5日の「年末年始のごみ収集」に関する投稿の内容に誤りがありました。",
            "○ 対象：市内在住の方", // a bullet, not a blank
            "二〇二六年十二月七日", // kanji numerals
            "https://www.city.example.jp/a_b/c__d",
            "（詳細は公式ウェブサイトに記載しています）", // tells where, asks for nothing
            "本日の件（担当：広報課）",
            "【追記】17時に再開しました（追記）", // an addendum's label, not a blank
        ] {
            assert_eq!(mark(text), None, "{text}");
        }
    }
}
