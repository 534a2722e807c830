//! The columns the import reads and the header names each accepts.

/// A column the import reads, with the header names it accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    /// The division's or role's name (its id in playbooks).
    Name,
    /// 部署 (internal), 外部 (external) or 役割 (a role).
    Kind,
    /// Mail address.
    Email,
    /// Phone number in office hours.
    Phone,
    /// Night and holiday phone number.
    AfterHoursPhone,
    /// Night and holiday mail address.
    AfterHoursEmail,
    /// How to reach them out of hours.
    AfterHoursNote,
    /// Who holds a role.
    HeldBy,
    /// The division a role's holder belongs to.
    Division,
    /// The official accounts a division owns.
    Accounts,
    /// The people who belong to a division now.
    Staff,
    /// The parts (担う役割) the row plays.
    Parts,
    /// Chat channels that get a post with every message.
    Channels,
    /// Notes.
    Note,
}

impl Field {
    /// Every column, in the order the template has them.
    pub const ALL: [Field; 14] = [
        Field::Name,
        Field::Kind,
        Field::Email,
        Field::Phone,
        Field::AfterHoursPhone,
        Field::AfterHoursEmail,
        Field::AfterHoursNote,
        Field::HeldBy,
        Field::Division,
        Field::Accounts,
        Field::Staff,
        Field::Parts,
        Field::Channels,
        Field::Note,
    ];

    /// The header the template writes (the first of [`Field::names`]).
    pub fn header(self) -> &'static str {
        self.names()[0]
    }

    /// The header names accepted, Japanese and English, in their usual spellings. Matching
    /// ignores case, full- or half-width letters, spaces, `・`, `_`, `-` and anything in
    /// parentheses (`メールアドレス（必須）`).
    pub fn names(self) -> &'static [&'static str] {
        match self {
            Field::Name => &[
                "名称",
                "部署名",
                "課名",
                "部署・役割名",
                "部署名・役割名",
                "部署",
                "課",
                "部署等",
                "宛先",
                "名前",
                "id",
                "name",
            ],
            Field::Kind => &["種別", "区分", "種類", "kind", "type"],
            Field::Email => &[
                "メールアドレス",
                "メール",
                "電子メール",
                "電子メールアドレス",
                "Eメール",
                "email",
                "e-mail",
                "mail",
                "mail address",
            ],
            Field::Phone => &["電話番号", "電話", "代表電話", "直通電話", "phone", "tel"],
            Field::AfterHoursPhone => &[
                "夜間・休日電話",
                "夜間・休日電話番号",
                "休日・夜間電話",
                "夜間電話",
                "時間外電話",
                "時間外電話番号",
                "after_hours_phone",
                "after-hours phone",
                "night phone",
            ],
            Field::AfterHoursEmail => &[
                "夜間・休日メール",
                "夜間・休日メールアドレス",
                "夜間メール",
                "時間外メール",
                "after_hours_email",
                "after-hours email",
            ],
            Field::AfterHoursNote => &[
                "夜間・休日連絡方法",
                "夜間・休日の連絡方法",
                "夜間連絡方法",
                "時間外連絡方法",
                "after_hours_note",
                "after-hours note",
            ],
            Field::HeldBy => &[
                "担当者",
                "氏名",
                "担当",
                "役職",
                "職名",
                "held_by",
                "held by",
            ],
            Field::Division => &["所属", "所属課", "所属部署", "division"],
            Field::Accounts => &[
                "公式アカウント",
                "アカウント",
                "所管アカウント",
                "accounts",
                "account",
            ],
            Field::Staff => &["職員", "所属職員", "職員名", "staff", "members"],
            Field::Parts => &["担う役割", "担う役割（パート）", "part", "parts"],
            Field::Channels => &["通知チャンネル", "チャンネル", "channels", "channel"],
            Field::Note => &["備考", "説明", "メモ", "note", "notes", "remarks"],
        }
    }

    /// The column a header names, if any.
    pub fn from_header(header: &str) -> Option<Field> {
        let key = header_key(header);
        if key.is_empty() {
            return None;
        }
        Field::ALL
            .into_iter()
            .find(|f| f.names().iter().any(|n| header_key(n) == key))
    }

    /// Whether the column holds one value per line (names, numbers, addresses) rather than
    /// a text.
    pub(super) fn one_line(self) -> bool {
        !matches!(self, Field::Note | Field::AfterHoursNote)
    }

    /// Whether the column holds several values.
    pub(super) fn is_list(self) -> bool {
        matches!(
            self,
            Field::Accounts | Field::Staff | Field::Parts | Field::Channels
        )
    }
}

/// A header as matched: full-width letters made half-width, lower case, without anything in
/// parentheses and without spaces, `・`, `_`, `-`, `/`, `*`, `※` and colons.
pub(crate) fn header_key(header: &str) -> String {
    let mut depth = 0usize;
    let mut out = String::new();
    for c in header.chars().map(half_width) {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth > 0 => {}
            c if c.is_whitespace() => {}
            '・' | '･' | '_' | '-' | '/' | '*' | '※' | ':' | '.' => {}
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// A full-width ASCII character (`Ａ`, `１`, `＠`, `（`) as its half-width one; the
/// ideographic space as a space.
pub(crate) fn half_width(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
        c => c,
    }
}
