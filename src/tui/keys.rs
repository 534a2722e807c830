//! The keys: one table per mode of (keys, what they do, what the help says). The key handling
//! and every text that names a key (the `?` help, the bottom line, the dialogs' footers) are
//! read from these tables, so they cannot disagree. A new key is one row here.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::app::{Action, Dialog, DialogKind, Mode};
use crate::incident::{Face, Field, Refusal, Remedy};
use crate::lang::{Lang, Text};
use crate::tr;

/// One key, with or without Ctrl.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    code: KeyCode,
    ctrl: bool,
}

impl Key {
    /// A key pressed alone (Shift is part of the character: `G` is Shift-g).
    pub const fn plain(code: KeyCode) -> Key {
        Key { code, ctrl: false }
    }

    /// A character key pressed alone.
    pub const fn ch(c: char) -> Key {
        Key::plain(KeyCode::Char(c))
    }

    /// A character key pressed with Ctrl.
    pub const fn ctrl(c: char) -> Key {
        Key {
            code: KeyCode::Char(c),
            ctrl: true,
        }
    }

    /// The event a terminal sends for this key.
    pub fn event(self) -> KeyEvent {
        let modifiers = if self.ctrl {
            KeyModifiers::CONTROL
        } else {
            KeyModifiers::NONE
        };
        KeyEvent::new(self.code, modifiers)
    }

    fn matches(self, key: &KeyEvent) -> bool {
        self.code == key.code && self.ctrl == key.modifiers.contains(KeyModifiers::CONTROL)
    }

    /// The key as the help writes it.
    pub fn name(self) -> String {
        let name = match self.code {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) if self.ctrl => c.to_ascii_uppercase().to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Up => "Up".into(),
            KeyCode::Down => "Down".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::Backspace => "Backspace".into(),
            other => other.to_string(),
        };
        if self.ctrl {
            format!("Ctrl-{name}")
        } else {
            name
        }
    }
}

/// A key (or a run of digit keys) and what it does.
#[derive(Debug, Clone)]
pub enum Bind {
    /// This key does this.
    Key(Key, Action),
    /// The digits from the given one up to 9; the action gets the digit's distance from the
    /// first (from `'1'`, the key 1 gives 0).
    Digits(char, fn(usize) -> Action),
}

impl Bind {
    fn action(&self, key: &KeyEvent) -> Option<Action> {
        match self {
            Bind::Key(k, action) => k.matches(key).then(|| action.clone()),
            Bind::Digits(first, to_action) => match key.code {
                KeyCode::Char(c)
                    if (*first..='9').contains(&c)
                        && !key.modifiers.contains(KeyModifiers::CONTROL) =>
                {
                    Some(to_action(c as usize - *first as usize))
                }
                _ => None,
            },
        }
    }

    fn name(&self) -> String {
        match self {
            Bind::Key(k, _) => k.name(),
            Bind::Digits(first, _) => format!("{first}-9"),
        }
    }
}

/// A row of a key table: keys, what the `?` help says about them, and the short word the
/// bottom line (or a dialog's footer) shows for them, if it shows them.
#[derive(Debug, Clone)]
pub struct Binding {
    /// The keys and their actions.
    pub binds: &'static [Bind],
    /// What they do, for the help.
    pub help: Text,
    /// The short word for the bottom line.
    pub hint: Option<Text>,
}

impl Binding {
    /// The keys as the help writes them: `Up Down j k`.
    pub fn keys(&self) -> String {
        let names: Vec<String> = self.binds.iter().map(Bind::name).collect();
        names.join(" ")
    }
}

// Macros rather than functions: a borrowed array in a struct literal lives for the whole
// constant, one passed to a function would not.
macro_rules! row {
    ([$($bind:expr),+ $(,)?], $help:expr $(,)?) => {
        Binding { binds: &[$($bind),+], help: $help, hint: None }
    };
}

macro_rules! hinted {
    ([$($bind:expr),+ $(,)?], $help:expr, $hint:expr $(,)?) => {
        Binding { binds: &[$($bind),+], help: $help, hint: Some($hint) }
    };
}

const fn key(code: KeyCode, action: Action) -> Bind {
    Bind::Key(Key::plain(code), action)
}

const fn ch(c: char, action: Action) -> Bind {
    Bind::Key(Key::ch(c), action)
}

const fn t(ja: &'static str, en: &'static str) -> Text {
    Text::new(ja, en)
}

/// Keys that work everywhere, before the mode's own.
pub const GLOBAL: &[Binding] = &[row!(
    [Bind::Key(Key::ctrl('c'), Action::Quit)],
    t("終了（記録は保存済み）", "quit (everything is saved)"),
)];

/// Browsing the steps: the `?` help lists these rows, in this order.
pub const NORMAL: &[Binding] = &[
    row!(
        [
            key(KeyCode::Up, Action::Up),
            key(KeyCode::Down, Action::Down),
            ch('j', Action::Down),
            ch('k', Action::Up),
        ],
        t("手順を選ぶ", "select a step"),
    ),
    row!(
        [
            ch('g', Action::Top),
            ch('G', Action::Bottom),
            key(KeyCode::Home, Action::Top),
            key(KeyCode::End, Action::Bottom),
        ],
        t("先頭・末尾の手順へ", "first, last step"),
    ),
    row!(
        [
            key(KeyCode::PageUp, Action::PageUp),
            key(KeyCode::PageDown, Action::PageDown),
            ch(' ', Action::PageDown),
        ],
        t(
            "詳細を上下に送る（Space は下へ）",
            "scroll the detail (Space: down)",
        ),
    ),
    hinted!(
        [key(KeyCode::Enter, Action::Primary)],
        t(
            "選んだ手順を進める（完了・送信・判断・承認・観測）",
            "do the step (complete, send, decide, approve, observe)",
        ),
        t("進める", "do"),
    ),
    hinted!(
        [ch('d', Action::Done)],
        t("完了", "complete"),
        t("完了", "done")
    ),
    hinted!(
        [ch('s', Action::Skip)],
        t("省略（理由）", "skip (reason)"),
        t("省略", "skip"),
    ),
    hinted!(
        [ch('x', Action::Decide)],
        t("判断", "decide"),
        t("判断", "decide"),
    ),
    hinted!(
        [ch('a', Action::Approve)],
        t("承認（決裁・公表文）", "approve (approval, post)"),
        t("承認", "approve"),
    ),
    row!(
        [ch('r', Action::Reject), ch('m', Action::RequestApproval)],
        t(
            "差戻し（理由と差し戻した人）・承認をメールで依頼",
            "reject (reason, who refused); ask for approval by mail",
        ),
    ),
    row!(
        [ch('o', Action::Observe)],
        t("観測を記録（監視）", "record an observation (monitor)"),
    ),
    row!(
        [Bind::Digits('1', Action::Toggle)],
        t(
            "チェック項目を切り替える・判断に答える",
            "toggle a checklist item, or answer a decision",
        ),
    ),
    row!(
        [ch('y', Action::Copy)],
        t(
            "公表文・下書きをファイルとクリップボードへ",
            "copy the statement or draft to a file and the clipboard",
        ),
    ),
    row!(
        [
            ch('R', Action::Retry),
            ch('c', Action::Call),
            ch('A', Action::Ack),
            ch('t', Action::AddRecipient),
        ],
        t(
            "通知: 再送・電話連絡・受領確認を記録・通知先を追加",
            "mail: retry now, record a call, an acknowledgement; add a recipient",
        ),
    ),
    row!(
        [
            ch('P', Action::Pause),
            ch('N', Action::NextInject),
            ch('I', Action::ShowInject),
            ch('V', Action::Review),
        ],
        t(
            "訓練: 時計の停止と再開・次の状況付与・再表示・振り返り",
            "exercise: pause/resume the clock, next inject, show it again, review",
        ),
    ),
    hinted!(
        [ch('n', Action::Note)],
        t("メモ", "note"),
        t("メモ", "note")
    ),
    row!(
        [ch('e', Action::Evidence), ch('i', Action::Fact)],
        t(
            "証拠（ファイル又はURL）・事実（名前=値: 偽アカウント等）",
            "evidence (file or URL), a fact (name=value: the fake account …)",
        ),
    ),
    row!(
        [ch('f', Action::Force)],
        t("強制完了（理由を記録）", "force-complete (reason recorded)"),
    ),
    row!([ch('h', Action::Handover)], t("交代", "hand over")),
    row!(
        [ch('C', Action::Close)],
        t("事案を終了", "close the incident")
    ),
    row!(
        [key(KeyCode::Esc, Action::Cancel)],
        t("メッセージを消す", "clear the message line"),
    ),
    hinted!(
        [ch('?', Action::Help)],
        t("このヘルプ", "this help"),
        t("ヘルプ", "help"),
    ),
    hinted!(
        [ch('q', Action::Quit)],
        t("終了（記録は保存済み）", "quit (everything is saved)"),
        t("終了", "quit"),
    ),
];

const CONFIRM: Binding = hinted!(
    [key(KeyCode::Enter, Action::Submit)],
    t("確定する", "confirm"),
    t("確定", "confirm"),
);
const CANCEL: Binding = hinted!(
    [key(KeyCode::Esc, Action::Cancel)],
    t("取り消す", "cancel"),
    t("取消", "cancel"),
);
const CLEAR: Binding = hinted!(
    [Bind::Key(Key::ctrl('u'), Action::Clear)],
    t("入力を全部消す", "clear the field"),
    t("消去", "clear"),
);
const BACKSPACE: Binding = row!(
    [key(KeyCode::Backspace, Action::Backspace)],
    t("1文字消す", "delete a character"),
);
const SELECT: Binding = hinted!(
    [
        key(KeyCode::Up, Action::Up),
        key(KeyCode::Down, Action::Down)
    ],
    t("選択肢を選ぶ", "select an option"),
    t("選択", "select"),
);

/// A dialog that only asks for confirmation (closing with every step settled).
pub const DIALOG_CONFIRM: &[Binding] = &[CONFIRM, CANCEL];

/// A dialog with a text field.
pub const DIALOG_TEXT: &[Binding] = &[CONFIRM, CANCEL, CLEAR, BACKSPACE];

/// A text field with a suggestion (an approver's name): shown while the field is empty.
pub const DIALOG_SUGGESTED: &[Binding] = &[
    hinted!(
        [key(KeyCode::Enter, Action::Submit)],
        t(
            "確定する（空欄なら候補で）",
            "confirm (an empty field takes the suggestion)"
        ),
        t("確定（空欄なら候補）", "confirm (empty: suggestion)"),
    ),
    hinted!(
        [key(KeyCode::Tab, Action::TakeSuggestion)],
        t(
            "候補を入力欄に入れて直す",
            "put the suggestion in the field to edit it"
        ),
        t("候補を入力", "edit suggestion"),
    ),
    CANCEL,
    CLEAR,
    BACKSPACE,
];

/// Answering a decision: a digit or j/k only selects; Enter answers.
pub const DIALOG_PICK: &[Binding] = &[
    hinted!(
        [
            Bind::Digits('1', Action::Choose),
            ch('j', Action::Down),
            ch('k', Action::Up),
            key(KeyCode::Up, Action::Up),
            key(KeyCode::Down, Action::Down),
        ],
        t(
            "選択肢を選ぶ（まだ記録しない）",
            "select an option (not recorded yet)"
        ),
        t("選択", "select"),
    ),
    hinted!(
        [key(KeyCode::Enter, Action::Submit)],
        t("選んだ選択肢で回答する", "answer with the selected option"),
        t("回答", "answer"),
    ),
    CANCEL,
];

/// Choosing one of a step's messages (whose acknowledgement): a digit or j/k selects, Enter
/// goes on with it.
pub const DIALOG_MESSAGE: &[Binding] = &[
    hinted!(
        [
            Bind::Digits('1', Action::Choose),
            ch('j', Action::Down),
            ch('k', Action::Up),
            key(KeyCode::Up, Action::Up),
            key(KeyCode::Down, Action::Down),
        ],
        t(
            "通知を選ぶ（まだ記録しない）",
            "select a message (not recorded yet)"
        ),
        t("選択", "select"),
    ),
    hinted!(
        [key(KeyCode::Enter, Action::Submit)],
        t("選んだ通知で進む", "go on with the selected message"),
        t("次へ", "next"),
    ),
    CANCEL,
];

/// Changing a decision's answer: arrows select, and the reason is typed (digits are text).
pub const DIALOG_REDECIDE: &[Binding] = &[SELECT, CONFIRM, CANCEL, CLEAR, BACKSPACE];

/// The review after an exercise: three answers, one at a time.
pub const REVIEW: &[Binding] = &[
    hinted!(
        [key(KeyCode::Enter, Action::Submit)],
        t(
            "次の問いへ（最後は記録）",
            "next question (the last one records)"
        ),
        t("次へ", "next"),
    ),
    hinted!(
        [key(KeyCode::Up, Action::Up)],
        t("前の問いへ", "previous question"),
        t("前へ", "back"),
    ),
    hinted!(
        [key(KeyCode::Esc, Action::Cancel)],
        t("後で記録する（V で再開）", "record it later (V)"),
        t("後回し", "later"),
    ),
    CLEAR,
    BACKSPACE,
];

/// An inject, the score or the help on screen: q quits, any other key closes it.
pub const OVERLAY: &[Binding] = &[row!(
    [ch('q', Action::Quit)],
    t("終了（記録は保存済み）", "quit (everything is saved)"),
)];

/// The launcher (`hikeshi` alone).
pub const LAUNCHER: &[Binding] = &[
    hinted!(
        [key(KeyCode::Enter, Action::Submit)],
        t(
            "選んだものを開始・再開する",
            "start or resume the selection"
        ),
        t("選択", "choose"),
    ),
    hinted!(
        [
            key(KeyCode::Up, Action::Up),
            key(KeyCode::Down, Action::Down),
            ch('j', Action::Down),
            ch('k', Action::Up),
        ],
        t("選ぶ", "move"),
        t("移動", "move"),
    ),
    row!(
        [Bind::Digits('0', Action::Choose)],
        t("番号で選ぶ", "choose by number"),
    ),
    row!([key(KeyCode::Esc, Action::Cancel)], t("戻る", "back")),
    hinted!(
        [ch('q', Action::Quit)],
        t("終了", "quit"),
        t("終了", "quit"),
    ),
];

/// The table for a dialog: which keys it takes depends on what it asks.
pub fn dialog_table(dialog: &Dialog) -> &'static [Binding] {
    match dialog.kind {
        DialogKind::Decide if dialog.needs_reason => DIALOG_REDECIDE,
        DialogKind::Decide => DIALOG_PICK,
        DialogKind::AckPick => DIALOG_MESSAGE,
        _ if !dialog.takes_text => DIALOG_CONFIRM,
        _ if dialog.suggestion.is_some() => DIALOG_SUGGESTED,
        _ => DIALOG_TEXT,
    }
}

/// The table in force in `mode`.
pub fn table(mode: &Mode) -> &'static [Binding] {
    match mode {
        Mode::Normal => NORMAL,
        Mode::Dialog(d) => dialog_table(d),
        Mode::Review(_) => REVIEW,
        Mode::Help | Mode::Inject(_) | Mode::Score(_) => OVERLAY,
    }
}

/// The action a table gives a key, if any (key releases give none).
pub fn lookup(tables: &[&[Binding]], key: KeyEvent) -> Option<Action> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    tables
        .iter()
        .flat_map(|t| t.iter())
        .flat_map(|b| b.binds.iter())
        .find_map(|b| b.action(&key))
}

/// The action for a key in `mode`, if any.
pub fn action(mode: &Mode, key: KeyEvent) -> Option<Action> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    // Then the table of the mode, then typing.
    if let Some(action) = lookup(&[GLOBAL, table(mode)], key) {
        return Some(action);
    }
    let typed = match key.code {
        KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => Some(c),
        _ => None,
    };
    match mode {
        Mode::Dialog(d) if d.takes_text => typed.map(Action::Char),
        Mode::Review(_) => typed.map(Action::Char),
        // Any other key closes what is shown over the screen.
        Mode::Help | Mode::Inject(_) | Mode::Score(_) => Some(Action::Cancel),
        Mode::Dialog(_) | Mode::Normal => None,
    }
}

/// The name of the first key that does `action` while browsing, for texts that tell the
/// operator which key to press (so they follow the table).
pub fn name_of(action: &Action) -> String {
    NORMAL
        .iter()
        .flat_map(|b| b.binds.iter())
        .find_map(|b| match b {
            Bind::Key(k, a) if a == action => Some(k.name()),
            _ => None,
        })
        .unwrap_or_default()
}

/// The screen's words for a refusal: each value by its plain words, each fix as the key that
/// does it (from the table above); a fix the screen has no key for is left unsaid.
#[derive(Debug, Clone, Copy, Default)]
pub struct Screen;

impl Screen {
    /// A refusal as the screen says it.
    pub fn refused(refusal: &Refusal, lang: Lang) -> String {
        refusal.render(lang, &Screen)
    }

    /// An error as the screen says it: a refusal, however wrapped, with the keys that fix
    /// it; anything else in its own words.
    pub fn error(
        refusal: Option<&Refusal>,
        message: impl FnOnce(Lang) -> String,
        lang: Lang,
    ) -> String {
        match refusal {
            Some(r) => Screen::refused(r, lang),
            None => message(lang),
        }
    }
}

impl Face for Screen {
    fn field(&self, field: Field, lang: Lang) -> String {
        field.words(lang).to_string()
    }

    fn remedy(&self, remedy: &Remedy, lang: Lang) -> Option<String> {
        let key = |action: Action| name_of(&action);
        Some(match remedy {
            Remedy::DoFirst => tr!(lang, "先に実施してください", "do those first"),
            Remedy::Force => {
                let force = key(Action::Force);
                tr!(
                    lang,
                    "{force} で理由を記録して強制完了",
                    "{force} completes it with a recorded reason"
                )
            }
            Remedy::ForceClose => {
                let close = key(Action::Close);
                tr!(
                    lang,
                    "{close} で理由を記録して終了",
                    "{close} closes it with a recorded reason"
                )
            }
            Remedy::Decide { .. } => {
                let decide = key(Action::Decide);
                tr!(lang, "{decide} で判断", "{decide} decides it")
            }
            Remedy::Reason => {
                let decide = key(Action::Decide);
                tr!(
                    lang,
                    "{decide} で理由を添えて判断し直せます",
                    "{decide} changes it with a reason"
                )
            }
            Remedy::Approve { .. } => {
                let approve = key(Action::Approve);
                tr!(
                    lang,
                    "対面・電話で得た承認は {approve} で記録",
                    "{approve} records an approval given in person or by phone"
                )
            }
            Remedy::RequestApproval { .. } => {
                let request = key(Action::RequestApproval);
                tr!(
                    lang,
                    "{request} でメールで承認を依頼",
                    "{request} asks for it by mail"
                )
            }
            Remedy::Note => {
                let note = key(Action::Note);
                tr!(lang, "記録は {note} でメモに", "{note} records a note")
            }
            Remedy::Notify { .. } => {
                let primary = key(Action::Primary);
                tr!(lang, "{primary} で送信", "{primary} sends it")
            }
            Remedy::Retry => {
                let retry = key(Action::Retry);
                tr!(lang, "{retry} で今すぐ再送", "{retry} retries now")
            }
            // `c` records a call to the selected step's recipient: a refusal about another
            // recipient (a reply's sender, a name typed) would have it land on the wrong one.
            Remedy::Call { to: Some(_) } => return None,
            Remedy::Call { to: None } => {
                let call = key(Action::Call);
                tr!(lang, "{call} で電話連絡を記録", "{call} records a call")
            }
            Remedy::WithdrawAcknowledgement { .. } => {
                let ack = key(Action::Ack);
                tr!(
                    lang,
                    "誤りなら {ack} で取り消し",
                    "if that is wrong, {ack} withdraws it"
                )
            }
            Remedy::EditStatement { step } => {
                let copy = key(Action::Copy);
                tr!(
                    lang,
                    "{copy} で文面を事案フォルダの statements/{step}.txt に保存し、直してから完了してください",
                    "{copy} saves the text to statements/{step}.txt of the incident folder: correct it there, then complete the step"
                )
            }
            Remedy::Facts { .. } => {
                let fact = key(Action::Fact);
                tr!(lang, "{fact} で事実を記録", "{fact} records a fact")
            }
            // The screen shows the record, the steps and the messages already; it works on
            // one started incident, reopens nothing and keeps the time it was opened with.
            Remedy::Start
            | Remedy::ShowRecord
            | Remedy::ListSteps
            | Remedy::ListMessages
            | Remedy::Reopen { .. }
            | Remedy::FactsAtStart { .. }
            | Remedy::AllowEarlierTime
            | Remedy::StartExercise => return None,
        })
    }
}

/// The keys of the row that does `action`, as the help writes them (for texts that name
/// them); empty if no row does.
pub fn keys_for(table: &[Binding], action: &Action) -> String {
    table
        .iter()
        .find(|b| {
            b.binds
                .iter()
                .any(|bind| matches!(bind, Bind::Key(_, a) if a == action))
        })
        .map(Binding::keys)
        .unwrap_or_default()
}

/// The bottom line for a table: the rows that have a hint, as `keys hint`.
pub fn hint_line(table: &[Binding], lang: Lang) -> String {
    let parts: Vec<String> = table
        .iter()
        .filter_map(|b| Some(format!("{} {}", b.keys(), b.hint?.get(lang))))
        .collect();
    parts.join("  ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `c` records a call to the selected step's recipient, so the screen never offers it as
    /// the fix for a refusal about someone else (an undelivered message picked by number, a
    /// name typed): it would record the call against the wrong division.
    #[test]
    fn a_call_to_someone_named_is_not_offered_as_the_c_key() {
        let refusal = Refusal::NotDelivered {
            message: 3,
            to: "人事課".to_string(),
        };
        let call = name_of(&Action::Call);
        for lang in [Lang::Ja, Lang::En] {
            let said = Screen::refused(&refusal, lang);
            assert!(!said.contains(&format!("{call} ")), "{said}");
        }
        let queued = Refusal::AlreadyQueued {
            step: "first-report".to_string(),
            messages: vec![1],
        };
        assert!(
            Screen::refused(&queued, Lang::En).contains(&format!("{call} records a call")),
            "a call about the selected step's own messages is offered"
        );
    }
}
