//! The operator's screen, drawn on a test backend and reviewed as text (insta), and driven
//! through its update function like a keyboard would.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;

use chrono::TimeDelta;
use common::engine::{START, at};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use hikeshi::Lang;
use hikeshi::catalog::{self, DivisionsRef, PlaybookRef};
use hikeshi::clock::SimulatedClock;
use hikeshi::incident::{Incident, StartParams, StepStatus};
use hikeshi::playbook::{CompileOptions, Platform};
use hikeshi::tui::app::{Action, Mode};
use hikeshi::tui::keys::{self, Bind};
use hikeshi::tui::{App, view};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

struct Screen {
    _dir: tempfile::TempDir,
    clock: Arc<SimulatedClock>,
    app: App,
}

fn screen(lang: Lang) -> Screen {
    screen_with(lang, hikeshi::tui::app::Mail::default())
}

fn screen_with(lang: Lang, mail: hikeshi::tui::app::Mail) -> Screen {
    start_screen(lang, mail, None)
}

fn start_screen(lang: Lang, mail: hikeshi::tui::app::Mail, severity: Option<&str>) -> Screen {
    start_screen_on(lang, mail, severity, "@city_official")
}

/// A screen on the stock takeover incident whose affected account is `account`.
fn start_screen_on(
    lang: Lang,
    mail: hikeshi::tui::app::Mail,
    severity: Option<&str>,
    account: &str,
) -> Screen {
    let loaded = catalog::load_playbook(
        &PlaybookRef::Stock("unauthorized-access".into()),
        &DivisionsRef::Stock,
        &CompileOptions::default(),
    )
    .unwrap();
    screen_for(&loaded, lang, mail, severity, account)
}

/// A screen on a new incident of `loaded` at START, in Japanese, with mail to the outbox.
fn screen_of(loaded: &catalog::LoadedPlaybook) -> Screen {
    screen_for(
        loaded,
        Lang::Ja,
        hikeshi::tui::app::Mail::default(),
        None,
        "@city_official",
    )
}

/// A screen on a new incident of `loaded` at START, on a fixed simulated clock.
fn screen_for(
    loaded: &catalog::LoadedPlaybook,
    lang: Lang,
    mail: hikeshi::tui::app::Mail,
    severity: Option<&str>,
    account: &str,
) -> Screen {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(SimulatedClock::fixed(at(START)));
    let incident = Incident::start(
        dir.path(),
        loaded,
        StartParams {
            title: "公式Xアカウントの乗っ取り".into(),
            account: Some(account.into()),
            platform: Some(Platform::X),
            operator: "田中".into(),
            severity: severity.map(str::to_string),
            exercise: false,
            facts: Default::default(),
            origin: None,
        },
        clock.clone(),
    )
    .unwrap();
    Screen {
        _dir: dir,
        clock,
        app: App::with_mail(incident, "田中".into(), lang, mail),
    }
}

/// The screen as a person sees it: one line per row, wide characters once.
fn render(app: &App, width: u16, height: u16) -> String {
    use unicode_width::UnicodeWidthStr;
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| view::draw(app, f)).unwrap();
    let buffer = terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..height {
        let mut x = 0;
        let mut line = String::new();
        while x < width {
            let symbol = buffer[(x, y)].symbol();
            line.push_str(symbol);
            x += u16::try_from(symbol.width().max(1)).unwrap_or(1);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

thread_local! {
    /// One runtime per test thread, as the screen has one for its life.
    static RUNTIME: tokio::runtime::Runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
}

/// One key as the screen loop takes it at once: the actions it leads to, but no delivery
/// of the mail it queues (what `press` waits for).
fn at_once(app: &mut App, action: Action) {
    let mut next = app.update(action);
    while let Some(a) = next {
        next = app.update(a);
    }
}

/// Applies an action as the screen loop does, including the deliveries it starts: each is
/// run to its end and its outcome fed back.
fn press(app: &mut App, action: Action) {
    let before = app.selected;
    let mut pending = std::collections::VecDeque::from([action]);
    let mut delivered = false;
    while let Some(action) = pending.pop_front() {
        let mut next = Some(action);
        while let Some(a) = next {
            next = app.update(a);
        }
        for work in app.take_work() {
            delivered = true;
            pending.push_back(RUNTIME.with(|r| r.block_on(work)));
        }
    }
    // The person sees what their key did (the mail it sent, the step the screen moved to)
    // before the next key: the key hold has passed. `a_delivery_moves_on_but_holds_a_key_in_flight`
    // and `a_second_enter_at_once_does_not_act_on_the_step_the_screen_moved_to` press within it.
    if delivered || app.selected != before {
        app.changed_at = None;
    }
}

/// Whether the screen asks who approved (the approval dialog is open).
fn asks_for_approval(app: &App) -> bool {
    matches!(&app.mode, Mode::Dialog(d) if d.kind == hikeshi::tui::app::DialogKind::Approve)
}

/// Position of a step in the screen's list.
fn position(app: &App, id: &str) -> usize {
    let graph = &app.incident.playbook().graph;
    graph
        .order()
        .iter()
        .position(|ix| graph.step(*ix).is_some_and(|s| s.id == id))
        .unwrap()
}

fn selected_id(app: &App) -> String {
    let ix = app.selected_step().unwrap();
    app.incident.playbook().graph.step(ix).unwrap().id.clone()
}

#[test]
fn main_screen_at_80x24_and_160x48() {
    let mut s = screen(Lang::Ja);
    s.clock.advance(TimeDelta::minutes(5));
    press(&mut s.app, Action::Tick);
    insta::assert_snapshot!("start-80x24", render(&s.app, 80, 24));
    press(&mut s.app, Action::Primary);
    press(&mut s.app, Action::Tick);
    insta::assert_snapshot!("after-detect-160x48", render(&s.app, 160, 48));
}

#[test]
fn an_overdue_step_is_marked() {
    let mut s = screen(Lang::Ja);
    s.clock.advance(TimeDelta::minutes(20));
    press(&mut s.app, Action::Tick);
    let text = render(&s.app, 160, 48);
    assert!(text.contains("[!] 超過 5分 不審な状態を確認し"), "{text}");
    insta::assert_snapshot!("overdue-160x48", text);
}

#[test]
fn the_decision_dialog_and_the_help_overlay() {
    let mut s = screen(Lang::Ja);
    press(&mut s.app, Action::Primary); // detect
    press(&mut s.app, Action::Primary); // report-to-supervisor
    assert_eq!(selected_id(&s.app), "login-check");
    press(&mut s.app, Action::Primary);
    assert!(matches!(s.app.mode, Mode::Dialog(_)));
    insta::assert_snapshot!("decision-dialog-80x24", render(&s.app, 80, 24));
    press(&mut s.app, Action::Cancel);
    press(&mut s.app, Action::Help);
    insta::assert_snapshot!("help-80x24", render(&s.app, 80, 24));
}

#[test]
fn english_screen() {
    let s = screen(Lang::En);
    let text = render(&s.app, 80, 24);
    assert!(text.contains("progress 0/26"), "{text}");
    assert!(text.contains("Enter do  d done"), "{text}");
}

#[test]
fn keys_walk_through_a_decision_an_approval_and_a_post() {
    let mut s = screen(Lang::Ja);
    let app = &mut s.app;
    press(app, Action::Primary); // detect
    press(app, Action::Primary); // report-to-supervisor
    // Decision: a digit answers it directly (in the dialog, a digit selects and Enter answers).
    press(app, Action::Toggle(0));
    let pb = app.incident.playbook().clone();
    let login = pb.graph.find("login-check").unwrap();
    assert_eq!(app.incident.state().status_of(login), StepStatus::Done);
    // Not-ready steps are refused with the reason on the message line, nothing written.
    let entries = app.incident.record().entries;
    let change = position(app, "delete-unauthorized-content");
    app.selected = change;
    press(app, Action::Done);
    let flash = app.flash.clone().unwrap();
    assert!(
        flash.error && flash.text.contains("まだ実施できません"),
        "{flash:?}"
    );
    assert_eq!(app.incident.record().entries, entries);
    // A post: Enter opens the approval dialog, which asks for the approver's name (no part's
    // name is offered); the name typed, Enter records it, Enter posts.
    let notice = position(app, "takeover-notice");
    app.selected = notice;
    press(app, Action::Primary);
    match &app.mode {
        Mode::Dialog(d) => {
            assert_eq!(d.input, "");
            assert_eq!(d.suggestion, None);
        }
        other => panic!("{other:?}"),
    }
    type_text(app, "佐藤");
    press(app, Action::Submit);
    press(app, Action::Primary);
    let ix = pb.graph.find("takeover-notice").unwrap();
    assert_eq!(app.incident.state().status_of(ix), StepStatus::Done);
    assert_eq!(
        app.incident
            .state()
            .step(ix)
            .unwrap()
            .approval
            .as_ref()
            .unwrap()
            .by,
        "佐藤"
    );
    // A checklist item toggles with its number.
    let detect = position(app, "detect");
    app.selected = detect;
    press(app, Action::Toggle(0));
    let detect_ix = pb.graph.find("detect").unwrap();
    assert!(
        app.incident
            .state()
            .step(detect_ix)
            .unwrap()
            .checked
            .contains(&0)
    );
    // Skip asks for a reason and refuses an empty one.
    let pos = position(app, "collect-evidence");
    app.selected = pos;
    press(app, Action::Skip);
    press(app, Action::Submit);
    assert!(app.flash.as_ref().unwrap().error);
    for c in "警察に相談しない".chars() {
        press(app, Action::Char(c));
    }
    press(app, Action::Submit);
    let ce = pb.graph.find("collect-evidence").unwrap();
    assert_eq!(app.incident.state().status_of(ce), StepStatus::Skipped);
}

#[test]
fn the_statement_is_filled_and_copied_to_a_file() {
    let mut s = screen(Lang::Ja);
    let notice = position(&s.app, "takeover-notice");
    s.app.selected = notice;
    press(&mut s.app, Action::Copy);
    let path = s.app.dir().join("statements/takeover-notice.txt");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("@city_official"), "{text}");
    assert!(text.contains("X"), "{text}");
    assert!(!text.contains("{{"), "{text}");
    assert!(
        s.app
            .flash
            .as_ref()
            .unwrap()
            .text
            .contains(&common::native("statements/takeover-notice.txt"))
    );
}

#[test]
fn the_statement_edited_in_its_file_is_what_the_screen_posts() {
    let mut s = screen(Lang::Ja);
    s.app.selected = position(&s.app, "takeover-notice");
    press(&mut s.app, Action::Copy);
    let path = s.app.dir().join("statements/takeover-notice.txt");
    let edited = "【重要】本市公式Xアカウントが第三者に乗っ取られました。11月22日14時以降の投稿は本市によるものではありません。";
    std::fs::write(&path, format!("{edited}\n")).unwrap();
    // `y` again copies the edit and never overwrites it.
    press(&mut s.app, Action::Copy);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        format!("{edited}\n")
    );
    let ix = s
        .app
        .incident
        .playbook()
        .graph
        .find("takeover-notice")
        .unwrap();
    assert_eq!(s.app.copy_text(ix).as_deref(), Some(edited));
    // Posted on the screen (forced, with a reason): the edit is journalled with its hash.
    press(&mut s.app, Action::Force);
    for c in "電話で承認を得た".chars() {
        press(&mut s.app, Action::Char(c));
    }
    press(&mut s.app, Action::Submit);
    let record = s.app.incident.state().step(ix).unwrap();
    let posted = record
        .posted
        .as_ref()
        .expect("journalled with the completion");
    assert_eq!(posted.text, edited);
    assert_eq!(
        posted.sha256,
        hikeshi::digest::sha256_hex(edited.as_bytes())
    );
    let journal = std::fs::read_to_string(s.app.dir().join("journal.jsonl")).unwrap();
    assert!(journal.contains(edited));
}

#[test]
fn no_line_overruns_the_panes_borders() {
    let mut s = screen(Lang::Ja);
    for (w, h) in [(80u16, 24u16), (100, 30), (160, 48)] {
        for _ in 0..6 {
            let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
            terminal.draw(|f| view::draw(&s.app, f)).unwrap();
            let buffer = terminal.backend().buffer();
            // Body rows: below the two status lines, above the timeline.
            let log = if h >= 40 { 8 } else { 4 };
            for y in 3..(h - log - 2) {
                assert_eq!(buffer[(w - 1, y)].symbol(), "│", "{w}x{h} row {y}");
            }
            press(&mut s.app, Action::Down);
        }
    }
}

#[test]
fn a_long_detail_pages_down_and_back() {
    let mut s = screen(Lang::Ja);
    let first = render(&s.app, 80, 24);
    assert!(first.contains("PgUp PgDn"), "{first}");
    press(&mut s.app, Action::PageDown);
    let paged = render(&s.app, 80, 24);
    assert_ne!(first, paged);
    press(&mut s.app, Action::PageUp);
    assert_eq!(render(&s.app, 80, 24), first);
    // Moving to another step starts its detail at the top.
    press(&mut s.app, Action::PageDown);
    press(&mut s.app, Action::Down);
    assert_eq!(s.app.detail_scroll, 0);
}

#[test]
fn wrapping_keeps_styles_and_never_exceeds_the_width() {
    use ratatui::style::{Color, Style};
    use ratatui::text::{Line, Span};
    use unicode_width::UnicodeWidthStr;
    let line = Line::from(vec![
        Span::styled("実施可", Style::new().fg(Color::Yellow)),
        Span::raw("  detect (action)  担当: アカウント管理者"),
    ]);
    let wrapped = view::wrap_line(line, 46);
    assert_eq!(wrapped.len(), 2);
    for l in &wrapped {
        let width: usize = l.spans.iter().map(|s| s.content.width()).sum();
        assert!(width <= 46, "{width}");
    }
    assert_eq!(wrapped[0].spans[0].style.fg, Some(Color::Yellow));
    assert_eq!(wrapped[1].spans[0].content, "者");
}

#[test]
fn dialogs_offer_the_roles_last_approver_refuse_missing_options_and_hand_over() {
    let mut s = screen(Lang::Ja);
    let app = &mut s.app;
    press(app, Action::Primary); // detect
    // Approve a post with a typed name; the next post of the same role offers that name.
    app.selected = position(app, "takeover-notice");
    press(app, Action::Primary);
    for c in "山田課長".chars() {
        press(app, Action::Char(c));
    }
    press(app, Action::Submit);
    app.selected = position(app, "approve-deletion");
    press(app, Action::Approve);
    match &app.mode {
        Mode::Dialog(d) => assert_eq!(d.suggestion.as_deref(), Some("山田課長")),
        other => panic!("{other:?}"),
    }
    press(app, Action::Cancel);
    // A number beyond the options is refused, and nothing is recorded.
    press(app, Action::Primary); // report-to-supervisor (the next ready step is selected)
    app.selected = position(app, "login-check");
    let entries = app.incident.record().entries;
    press(app, Action::Decide);
    press(app, Action::Choose(5));
    assert!(app.flash.as_ref().unwrap().error);
    assert_eq!(app.incident.record().entries, entries);
    press(app, Action::Cancel);
    // After a handover on this screen, actions are recorded under the new operator.
    press(app, Action::Handover);
    for c in "佐藤".chars() {
        press(app, Action::Char(c));
    }
    press(app, Action::Submit);
    assert_eq!(app.operator, "佐藤");
    app.selected = position(app, "login-check");
    press(app, Action::Toggle(0));
    let last = app.log.last().unwrap();
    assert_eq!(last.actor, "佐藤");
}

#[test]
fn enter_on_a_post_asks_for_its_approval_only_when_the_engine_wants_one() {
    let mut s = screen(Lang::Ja);
    let app = &mut s.app;
    // Not ready yet: the engine's refusal is shown, no approval is asked for.
    app.selected = position(app, "takeover-notice");
    press(app, Action::Primary);
    assert_eq!(app.mode, Mode::Normal);
    let flash = app.flash.clone().unwrap();
    assert!(flash.error && flash.text.contains("detect"), "{flash:?}");
    // Ready and unapproved: Enter asks who approves.
    app.selected = position(app, "detect");
    press(app, Action::Primary);
    app.selected = position(app, "takeover-notice");
    press(app, Action::Primary);
    assert!(asks_for_approval(app), "{:?}", app.mode);
}

#[test]
fn undelivered_mail_is_shown_until_someone_is_reached() {
    use hikeshi::notify::{Config, Transport};
    use hikeshi::tui::app::Mail;
    let config_dir = tempfile::tempdir().unwrap();
    // An SMTP server that is not there: every attempt is refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let toml = config_dir.path().join("hikeshi.toml");
    std::fs::write(
        &toml,
        format!(
            "[smtp]\nhost = \"127.0.0.1\"\nport = {port}\ntls = \"none\"\nfrom = \"koho@city.example.jp\"\n"
        ),
    )
    .unwrap();
    let config = Config::read(&toml).unwrap();
    let transport = Transport::from_config(&config).unwrap();
    let mut s = screen_with(Lang::Ja, Mail::new(config, transport));
    let app = &mut s.app;
    press(app, Action::Primary); // detect
    // report-to-supervisor: four messages (所属長, 運用管理者, セキュリティ監督者, and
    // 広報広聴課, which owns @city_official), all refused
    press(app, Action::Primary);
    let text = render(app, 160, 48);
    assert!(text.contains("未送達 4"), "{text}");
    assert!(text.contains("送信失敗 (1) 再送"), "{text}");
    let report = app
        .incident
        .playbook()
        .graph
        .find("report-to-supervisor")
        .unwrap();
    assert_eq!(app.incident.state().status_of(report), StepStatus::Ready);
    // Enter again does not queue them twice: it says where they stand.
    app.selected = position(app, "report-to-supervisor");
    press(app, Action::Primary);
    assert_eq!(app.incident.state().messages.len(), 4);
    let flash = app.flash.clone().unwrap();
    assert!(flash.text.contains("未送達"), "{flash:?}");
    // The fixes as keys from the key table: retry now, or record a call.
    let (retry, call) = (keys::name_of(&Action::Retry), keys::name_of(&Action::Call));
    assert!(
        flash.text.contains(&format!("{retry} で今すぐ再送"))
            && flash.text.contains(&format!("{call} で電話連絡を記録")),
        "{flash:?}"
    );
    // The engine refused before anything was saved: no .eml beyond the four queued.
    let saved = std::fs::read_dir(app.incident.dir().join("outbox"))
        .unwrap()
        .count();
    assert_eq!(saved, 4);
    // Phone each recipient instead: the step is done when all are reached.
    for _ in 0..4 {
        press(app, Action::Call);
        assert!(matches!(app.mode, Mode::Dialog(_)), "{:?}", app.flash);
        for c in "電話で伝達".chars() {
            press(app, Action::Char(c));
        }
        press(app, Action::Submit);
    }
    assert_eq!(app.incident.state().status_of(report), StepStatus::Done);
    let text = render(app, 160, 48);
    assert!(!text.contains("未送達"), "{text}");
}

/// The call dialog says every other message the call will count as told, of any step, so
/// that each is said on the phone; recording it settles them all.
#[test]
fn the_call_dialog_lists_every_message_the_call_settles() {
    use hikeshi::incident::Command;
    let loaded = common::engine::loaded("engine/two-reports.yaml");
    let mut s = screen_of(&loaded);
    let app = &mut s.app;
    let run = |app: &mut App, command: Command| {
        app.incident.execute("田中", &command).unwrap();
    };
    run(
        app,
        Command::Complete {
            step: "detect".into(),
            note: None,
            force: None,
            statement: None,
        },
    );
    for (step, n) in [("report", 1u32), ("report-pr", 2)] {
        run(
            app,
            Command::QueueNotifications {
                step: step.into(),
                messages: vec![common::engine::letter("広報広聴課", n, step)],
            },
        );
        run(
            app,
            Command::RecordFailure {
                message: n,
                error: "550 no such user".into(),
                permanent: true,
                next_retry: None,
            },
        );
    }
    app.selected = position(app, "report");
    press(app, Action::Call);
    let text = render(app, 120, 40);
    assert!(
        text.contains("この電話で、次の通知も伝えたことになります:"),
        "{text}"
    );
    assert!(
        text.contains("#2 広報広聴課宛て: 広報担当に知らせる"),
        "{text}"
    );
    type_text(app, "二件とも伝えた");
    press(app, Action::Submit);
    for step in ["report", "report-pr"] {
        let ix = app.incident.playbook().graph.find(step).unwrap();
        assert_eq!(
            app.incident.state().status_of(ix),
            StepStatus::Done,
            "{step}"
        );
    }
}

/// A refusal's fix is data in the core; the screen says it as the key that does it, from its
/// key table, never as a command line. What was typed and refused stays in its dialog.
#[test]
fn a_refusal_s_remedy_is_said_as_a_key() {
    let mut s = screen(Lang::Ja);
    let app = &mut s.app;
    app.selected = position(app, "change-password");
    press(app, Action::Done);
    let flash = app.flash.clone().unwrap();
    let force = keys::name_of(&Action::Force);
    assert!(
        flash.error
            && flash.text.contains("まだ実施できません")
            && flash
                .text
                .contains(&format!("{force} で理由を記録して強制完了")),
        "{flash:?}"
    );
    assert!(
        !flash.text.contains("--") && !flash.text.contains("hikeshi "),
        "{flash:?}"
    );
    // In English too.
    let mut s = screen(Lang::En);
    let app = &mut s.app;
    app.selected = position(app, "change-password");
    press(app, Action::Done);
    let flash = app.flash.clone().unwrap();
    assert!(
        flash.text.contains(&format!(
            "do those first, or {force} completes it with a recorded reason"
        )),
        "{flash:?}"
    );
    // An empty note is the engine's refusal, in the screen's words; the dialog stays open.
    let entries = app.incident.record().entries;
    press(app, Action::Note);
    assert!(matches!(app.mode, Mode::Dialog(_)));
    press(app, Action::Submit);
    let flash = app.flash.clone().unwrap();
    assert!(
        flash.error && flash.text.contains("the text is empty"),
        "{flash:?}"
    );
    assert!(matches!(app.mode, Mode::Dialog(_)), "{flash:?}");
    for c in "見た".chars() {
        press(app, Action::Char(c));
    }
    press(app, Action::Submit);
    assert!(matches!(app.mode, Mode::Normal));
    assert_eq!(app.incident.record().entries, entries + 1);
}

/// A key as the terminal reports it.
fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

/// Presses a key through the key map, as the screen loop does.
fn press_key(app: &mut App, key: KeyEvent) {
    if let Some(action) = keys::action(&app.mode, key) {
        press(app, action);
    }
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        press_key(app, key(KeyCode::Char(c)));
    }
}

#[test]
fn every_key_in_the_tables_does_what_its_row_says_and_the_help_lists_it() {
    let s = screen(Lang::Ja);
    let tables: [(&[keys::Binding], Mode); 2] =
        [(keys::NORMAL, Mode::Normal), (keys::OVERLAY, Mode::Help)];
    for (table, mode) in tables {
        for row in table {
            for bind in row.binds {
                match bind {
                    Bind::Key(k, action) => {
                        assert_eq!(
                            keys::action(&mode, k.event()).as_ref(),
                            Some(action),
                            "{} in {mode:?}",
                            k.name()
                        );
                    }
                    Bind::Digits(first, to_action) => {
                        let event = key(KeyCode::Char(*first));
                        assert_eq!(keys::action(&mode, event), Some(to_action(0)));
                    }
                }
            }
        }
    }
    // Space pages down, and the help says so; every row of the help is on screen.
    assert_eq!(
        keys::action(&Mode::Normal, key(KeyCode::Char(' '))),
        Some(Action::PageDown)
    );
    let mut s = s;
    press(&mut s.app, Action::Help);
    let help = render(&s.app, 80, 24);
    for row in keys::NORMAL {
        let line = format!("{}  {}", row.keys(), row.help.get(Lang::Ja));
        assert!(help.contains(&line), "{line:?} missing:\n{help}");
    }
    assert!(help.contains("PgUp PgDn Space"), "{help}");
}

#[test]
fn a_digit_in_the_decision_dialog_selects_and_enter_answers() {
    let mut s = screen(Lang::Ja);
    let app = &mut s.app;
    press(app, Action::Primary); // detect
    press(app, Action::Primary); // report-to-supervisor
    app.selected = position(app, "login-check");
    press_key(app, key(KeyCode::Char('x')));
    assert!(matches!(app.mode, Mode::Dialog(_)));
    let entries = app.incident.record().entries;
    // A digit moves the selection and records nothing; the footer says Enter answers.
    press_key(app, key(KeyCode::Char('2')));
    assert_eq!(app.incident.record().entries, entries);
    match &app.mode {
        Mode::Dialog(d) => assert_eq!(d.choice, 1),
        other => panic!("{other:?}"),
    }
    let text = render(app, 100, 30);
    assert!(
        text.contains("1-9 j k Up Down 選択  Enter 回答  Esc 取消"),
        "{text}"
    );
    press_key(app, key(KeyCode::Char('k')));
    press_key(app, key(KeyCode::Char('j')));
    press_key(app, key(KeyCode::Enter));
    assert_eq!(app.mode, Mode::Normal);
    let ix = app.incident.playbook().graph.find("login-check").unwrap();
    assert_eq!(app.incident.state().step(ix).unwrap().answer, Some(1));
}

#[test]
fn the_approver_is_a_person_typed_then_offered_and_ctrl_u_clears_a_field() {
    let mut s = screen(Lang::Ja);
    let app = &mut s.app;
    press(app, Action::Primary); // detect
    let approved_by = |app: &App, step: &str| {
        let ix = app.incident.playbook().graph.find(step).unwrap();
        let state = app.incident.state();
        state
            .step(ix)
            .unwrap()
            .approval
            .as_ref()
            .map(|a| a.by.clone())
    };
    app.selected = position(app, "takeover-notice");
    press_key(app, key(KeyCode::Char('a')));
    let text = render(app, 100, 30);
    // The part is said, and offered as no name: Enter on the empty field approves nothing.
    assert!(
        text.contains("承認者: 発信管理者（承認した本人の氏名を入力）"),
        "{text}"
    );
    assert!(!text.contains("（候補）"), "{text}");
    press_key(app, key(KeyCode::Enter));
    assert_eq!(approved_by(app, "takeover-notice"), None);
    // The part's name typed in is refused too: the record must say who.
    type_text(app, "発信管理者");
    press_key(app, key(KeyCode::Enter));
    assert_eq!(approved_by(app, "takeover-notice"), None);
    let text = render(app, 100, 30);
    assert!(
        text.contains("「発信管理者」は部署・役割・担当の名前です"),
        "{text}"
    );
    // Ctrl-U clears the field; the name typed is the name journalled.
    press_key(
        app,
        KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL),
    );
    match &app.mode {
        Mode::Dialog(d) => assert_eq!(d.input, ""),
        other => panic!("{other:?}"),
    }
    type_text(app, "佐藤");
    press_key(app, key(KeyCode::Enter));
    assert_eq!(approved_by(app, "takeover-notice").as_deref(), Some("佐藤"));
    // The next approval by the same part offers that person; Tab puts them in the field.
    app.selected = position(app, "approve-deletion");
    press_key(app, key(KeyCode::Char('a')));
    let text = render(app, 100, 30);
    assert!(text.contains("> _佐藤（候補）"), "{text}");
    press_key(app, key(KeyCode::Tab));
    type_text(app, "課長");
    match &app.mode {
        Mode::Dialog(d) => assert_eq!(d.input, "佐藤課長"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_rejection_is_recorded_under_the_operator_unless_someone_else_is_named() {
    let mut s = screen(Lang::Ja);
    let app = &mut s.app;
    press(app, Action::Primary); // detect
    let rejections = |app: &App| {
        let ix = app
            .incident
            .playbook()
            .graph
            .find("takeover-notice")
            .unwrap();
        app.incident
            .state()
            .step(ix)
            .unwrap()
            .rejections
            .iter()
            .map(|r| r.by.clone())
            .collect::<Vec<_>>()
    };
    app.selected = position(app, "takeover-notice");
    // The reason, then who refused: Enter on the empty field is the operator.
    press_key(app, key(KeyCode::Char('r')));
    type_text(app, "文面を見直す");
    press_key(app, key(KeyCode::Enter));
    let text = render(app, 100, 30);
    assert!(text.contains("差し戻した人の氏名"), "{text}");
    assert!(text.contains("田中（候補）"), "{text}");
    press_key(app, key(KeyCode::Enter));
    assert_eq!(rejections(app), ["田中"]);
    // Someone else refused: their name is typed.
    press_key(app, key(KeyCode::Char('r')));
    type_text(app, "表現が不適切");
    press_key(app, key(KeyCode::Enter));
    type_text(app, "山田課長");
    press_key(app, key(KeyCode::Enter));
    assert_eq!(rejections(app), ["田中", "山田課長"]);
    // A screen whose operator is named after a division: the reason is taken, and the
    // person who refused is asked for, not offered as the division.
    app.operator = "広報広聴課".into();
    press_key(app, key(KeyCode::Char('r')));
    type_text(app, "日付の誤り");
    press_key(app, key(KeyCode::Enter));
    let text = render(app, 100, 30);
    assert!(text.contains("差し戻した人の氏名"), "{text}");
    assert!(!text.contains("（候補）"), "{text}");
    type_text(app, "佐藤");
    press_key(app, key(KeyCode::Enter));
    assert_eq!(rejections(app), ["田中", "山田課長", "佐藤"]);
}

#[test]
fn the_pane_shows_option_descriptions_the_severity_title_and_the_condition_in_full() {
    let mut s = start_screen(Lang::Ja, hikeshi::tui::app::Mail::default(), Some("medium"));
    let app = &mut s.app;
    // The header shows the severity's title, not its id.
    let text = render(app, 160, 48);
    assert!(text.contains("重大度 中程度"), "{text}");
    assert!(!text.contains("重大度 medium"), "{text}");
    // A decision's options with their descriptions.
    app.selected = position(app, "login-check");
    let text = render(app, 160, 48);
    assert!(text.contains("1. ログインできる (accessible)"), "{text}");
    assert!(
        text.contains("正規の管理者がログインでき、パスワードの変更や管理者権限の整理ができる。"),
        "{text}"
    );
    // A conditional step names the decision and the option.
    app.selected = position(app, "platform-recovery");
    let text = render(app, 160, 48);
    assert!(
        text.contains("条件: 管理権限が残っているか確認する = ログインできない"),
        "{text}"
    );
}

/// Windows reports a key's release as well as its press: only the press may act, in every
/// table (or a key would act twice, and a typed letter appear twice).
#[test]
fn key_releases_do_nothing_in_any_table() {
    use crossterm::event::{KeyEventKind, KeyEventState};
    let tables = [
        keys::GLOBAL,
        keys::NORMAL,
        keys::DIALOG_CONFIRM,
        keys::DIALOG_TEXT,
        keys::DIALOG_SUGGESTED,
        keys::DIALOG_PICK,
        keys::DIALOG_REDECIDE,
        keys::REVIEW,
        keys::OVERLAY,
        keys::LAUNCHER,
    ];
    let mut codes: Vec<KeyCode> = ('!'..='~').map(KeyCode::Char).collect();
    codes.extend([
        KeyCode::Enter,
        KeyCode::Esc,
        KeyCode::Tab,
        KeyCode::BackTab,
        KeyCode::Backspace,
        KeyCode::Up,
        KeyCode::Down,
        KeyCode::Left,
        KeyCode::Right,
        KeyCode::PageUp,
        KeyCode::PageDown,
        KeyCode::Home,
        KeyCode::End,
        KeyCode::Char(' '),
    ]);
    let mut pressed = 0;
    for code in codes {
        for modifiers in [
            KeyModifiers::NONE,
            KeyModifiers::CONTROL,
            KeyModifiers::SHIFT,
        ] {
            let press = KeyEvent::new(code, modifiers);
            let release = KeyEvent::new_with_kind_and_state(
                code,
                modifiers,
                KeyEventKind::Release,
                KeyEventState::NONE,
            );
            for table in tables {
                pressed += usize::from(keys::lookup(&[table], press).is_some());
                assert_eq!(keys::lookup(&[table], release), None, "{release:?}");
            }
            for mode in [Mode::Normal, Mode::Help, Mode::Score(Vec::new())] {
                assert_eq!(
                    keys::action(&mode, release),
                    None,
                    "{release:?} in {mode:?}"
                );
            }
        }
    }
    assert!(pressed > 20, "the presses act");
}

/// Two people, two screens on one incident: what one records appears on the other within a
/// refresh, named and highlighted; the quicker one wins a step and the other is told who; a
/// handover taken on one screen shows on both, and each screen keeps recording as its own
/// person.
#[test]
fn two_screens_on_one_incident_see_each_other() {
    let mut a = screen(Lang::Ja);
    let dir = a.app.dir();
    let opened = Incident::open(&dir, a.clock.clone()).unwrap();
    let mut b = App::new(opened, "鈴木".into(), Lang::Ja);
    // 鈴木 completes the first step on their screen.
    let detect = position(&b, "detect");
    b.selected = detect;
    press(&mut b, Action::Done);
    assert_eq!(b.log.last().unwrap().actor, "鈴木");
    // 田中's screen has not looked yet; a refresh shows it, named and highlighted.
    assert_eq!(
        a.app
            .incident
            .state()
            .status_of(a.app.selected_step().unwrap()),
        StepStatus::Ready
    );
    press(&mut a.app, Action::Refresh);
    let last = a.app.log.last().unwrap();
    assert_eq!(last.actor, "鈴木");
    assert!(last.highlight);
    let flash = a.app.flash.clone().unwrap();
    assert!(flash.text.contains("鈴木 が記録"), "{}", flash.text);
    let shown = render(&a.app, 120, 40);
    assert!(shown.contains("鈴木"), "{shown}");
    // Both press "done" on the same next step: 田中 first, 鈴木 is refused and told who.
    let graph = &a.app.incident.playbook().graph;
    let id = graph
        .order()
        .iter()
        .filter(|ix| a.app.incident.state().status_of(**ix) == StepStatus::Ready)
        .filter_map(|ix| graph.step(*ix))
        .find(|s| matches!(s.kind, hikeshi::playbook::StepKind::Action))
        .map(|s| s.id.clone())
        .unwrap();
    a.app.selected = position(&a.app, &id);
    b.selected = position(&b, &id);
    // 鈴木's record came a moment ago: a key of 田中's now is held (it may have been meant
    // for what the screen showed before), and says so.
    press(&mut a.app, Action::Done);
    let held = a.app.flash.clone().unwrap();
    assert!(held.text.contains("鈴木 が今記録したため"), "{}", held.text);
    assert_eq!(
        a.app
            .incident
            .state()
            .status_of(a.app.selected_step().unwrap()),
        StepStatus::Ready
    );
    std::thread::sleep(hikeshi::tui::app::KEY_HOLD);
    press(&mut a.app, Action::Done);
    press(&mut b, Action::Done);
    let refused = b.flash.clone().unwrap();
    assert!(refused.error, "{}", refused.text);
    assert!(refused.text.contains("田中 が"), "{}", refused.text);
    // 鈴木's screen folded 田中's act before refusing: it is on its timeline too.
    assert!(b.log.iter().any(|l| l.actor == "田中" && l.highlight));
    // 鈴木 takes over on their own screen: the name offered is their own.
    press(&mut b, Action::Handover);
    match &b.mode {
        Mode::Dialog(d) => assert_eq!(d.suggestion.as_deref(), Some("鈴木")),
        other => panic!("{other:?}"),
    }
    press(&mut b, Action::TakeSuggestion);
    press(&mut b, Action::Submit);
    assert_eq!(b.incident.state().operator, "鈴木");
    assert_eq!(b.operator, "鈴木");
    press(&mut a.app, Action::Refresh);
    assert_eq!(a.app.incident.state().operator, "鈴木");
    // 田中's screen still records as 田中, and says so.
    assert_eq!(a.app.operator, "田中");
    let flash = a.app.flash.clone().unwrap();
    assert!(flash.text.contains("田中 のまま"), "{}", flash.text);
    let shown = render(&a.app, 120, 40);
    assert!(shown.contains("担当 鈴木"), "{shown}");
    // The header says whom this screen records as, since it is not the person on duty.
    assert!(shown.contains("この画面の記録者 田中"), "{shown}");
    let theirs = render(&b, 120, 40);
    assert!(!theirs.contains("この画面の記録者"), "{theirs}");
    // Both timelines hold the same records.
    let replayed = hikeshi::incident::IncidentRecord::load(&dir).unwrap();
    assert_eq!(a.app.incident.state(), &replayed.state);
    assert_eq!(b.incident.state(), &replayed.state);
}

/// A stock playbook's incident on the fixed clock, with `facts` given at the start.
fn stock_incident(
    dir: &std::path::Path,
    playbook: &str,
    facts: std::collections::BTreeMap<String, String>,
) -> Incident {
    let loaded = catalog::load_playbook(
        &PlaybookRef::Stock(playbook.into()),
        &DivisionsRef::Stock,
        &CompileOptions::default(),
    )
    .unwrap();
    let params = StartParams {
        title: "なりすまし".into(),
        account: Some("@city_official".into()),
        platform: Some(Platform::X),
        operator: "田中".into(),
        severity: None,
        exercise: false,
        facts,
        origin: None,
    };
    let clock = Arc::new(SimulatedClock::fixed(at(START)));
    Incident::start(dir, &loaded, params, clock).unwrap()
}

/// A step whose text uses a fact nobody has recorded asks for it: Enter opens the fact
/// dialog with the missing fact offered, and what is typed is journalled as that fact.
#[test]
fn a_step_that_needs_a_fact_asks_for_it_before_anything_is_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let facts = [("genuine_account".to_string(), "@city_official".to_string())];
    let mut incident = stock_incident(dir.path(), "impersonation", facts.into());
    incident
        .execute(
            "田中",
            &hikeshi::incident::Command::Complete {
                step: "detect-fake".into(),
                note: None,
                force: None,
                statement: None,
            },
        )
        .unwrap();
    let mut app = App::new(incident, "田中".into(), Lang::Ja);
    let target = app
        .incident
        .playbook()
        .graph
        .find("report-to-platform")
        .unwrap();
    while app.selected_step() != Some(target) {
        press(&mut app, Action::Down);
    }
    press(&mut app, Action::Primary);
    let Mode::Dialog(dialog) = &app.mode else {
        panic!("no dialog: {:?}", app.mode);
    };
    // It asks for the missing fact by name: what is typed is its value.
    assert_eq!(dialog.fact.as_deref(), Some("fake_account"));
    let text = render(&app, 110, 34);
    assert!(
        text.contains("なりすましアカウント"),
        "the fact's label is shown: {text}"
    );
    let entries = app.incident.state().events;
    type_text(&mut app, "@city_0fficial");
    press(&mut app, Action::Submit);
    assert_eq!(
        app.incident
            .state()
            .facts
            .get("fake_account")
            .map(String::as_str),
        Some("@city_0fficial")
    );
    assert_eq!(app.incident.state().events, entries + 1, "only the fact");
    press(&mut app, Action::Primary);
    assert_eq!(
        app.incident.state().status_of(target),
        hikeshi::incident::StepStatus::Done
    );
}

/// `t` on a notify step offers the recipients its playbook lets the operator add; Enter
/// records them in the journal before the mail is sent.
#[test]
fn t_on_a_notify_step_adds_the_recipients_it_offers() {
    let dir = tempfile::tempdir().unwrap();
    let incident = stock_incident(dir.path(), "impersonation", Default::default());
    let mut app = App::new(incident, "田中".into(), Lang::Ja);
    let target = app
        .incident
        .playbook()
        .graph
        .find("share-internally")
        .unwrap();
    app.selected = app.order().iter().position(|ix| *ix == target).unwrap();
    press(&mut app, Action::AddRecipient);
    let Mode::Dialog(dialog) = &app.mode else {
        panic!("no dialog: {:?}", app.mode);
    };
    assert_eq!(dialog.suggestion.as_deref(), Some("秘書担当課"));
    press(&mut app, Action::Submit);
    let record = app.incident.state().step(target).unwrap();
    assert_eq!(record.added_to, ["秘書担当課"]);
    assert_eq!(
        app.log.last().unwrap().text,
        "「庁内の関係課に情報を共有する」の通知先に 秘書担当課 を追加"
    );
}

/// Issue 18 (5): a paste is one action, entered in time linear in its length, and a field
/// takes at most `FIELD_LIMIT` characters, saying so; nothing in the paste submits the dialog.
#[test]
fn a_long_paste_is_one_action_with_a_limit() {
    use hikeshi::tui::app::FIELD_LIMIT;
    let mut s = screen(Lang::En);
    let app = &mut s.app;
    press(app, Action::Note);
    let began = std::time::Instant::now();
    let pasted = "長い記録\n".repeat(40_000); // 200,000 characters
    press(app, Action::Paste(pasted));
    render(app, 100, 30);
    assert!(
        began.elapsed() < std::time::Duration::from_secs(5),
        "{:?}",
        began.elapsed()
    );
    let Mode::Dialog(d) = &app.mode else {
        panic!("the paste closed the dialog: {:?}", app.mode);
    };
    assert_eq!(d.input.chars().count(), FIELD_LIMIT);
    let flash = app.flash.clone().unwrap();
    assert!(
        flash.error && flash.text.contains("at most"),
        "{}",
        flash.text
    );
    // Typing on at the limit adds nothing more.
    press(app, Action::Char('x'));
    let Mode::Dialog(d) = &app.mode else {
        panic!("{:?}", app.mode);
    };
    assert_eq!(d.input.chars().count(), FIELD_LIMIT);
}

/// A chat post is listed in the step's messages with its channel, beside the mail to the same
/// division.
#[test]
fn a_chat_post_is_shown_with_its_channel() {
    use hikeshi::notify::{Config, Transport};
    use hikeshi::tui::app::Mail;
    let dir = tempfile::tempdir().unwrap();
    let toml = dir.path().join("hikeshi.toml");
    // The URL's variable is not set: the posts fail, visibly, and stay listed.
    std::fs::write(
        &toml,
        "[channels.koho-lw]\nkind = \"line-works\"\nurl_env = \"HK_TUI_UNSET_URL\"\n\
         [channels.koho-teams]\nkind = \"teams\"\nurl_env = \"HK_TUI_UNSET_URL\"\n\
         [channels.joho-slack]\nkind = \"slack\"\nurl_env = \"HK_TUI_UNSET_URL\"\n",
    )
    .unwrap();
    let config = Config::read(&toml).unwrap();
    let transport = Transport::from_config(&config).unwrap();
    let fixtures = common::root().join("tests/fixtures/chat");
    let loaded = catalog::load_playbook(
        &PlaybookRef::File(fixtures.join("playbook.yaml")),
        &DivisionsRef::File(fixtures.join("divisions.yaml")),
        &CompileOptions::default(),
    )
    .unwrap();
    let mail = Mail::new(config, transport);
    let mut s = screen_for(&loaded, Lang::Ja, mail, None, "@city_official");
    let app = &mut s.app;
    press(app, Action::Primary); // detect
    app.selected = position(app, "first-report");
    press(app, Action::Primary); // three mails (outbox) and three posts
    assert_eq!(app.incident.state().messages.len(), 6);
    app.selected = position(app, "first-report");
    let text = render(app, 160, 48);
    assert!(
        text.contains("#5 広報広聴課 [チャット teams:koho-teams]"),
        "{text}"
    );
    assert!(text.contains("#1 広報広聴課  "), "{text}");
}

/// A first report names the 所属課 it will mail: the division that owns the account once
/// known, and until then the fact still to be given (and the key to give it).
#[test]
fn the_first_report_shows_the_owning_division_or_that_it_is_still_to_be_given() {
    let mut s = start_screen_on(
        Lang::Ja,
        hikeshi::tui::app::Mail::default(),
        None,
        "@not_listed",
    );
    let app = &mut s.app;
    app.selected = position(app, "report-to-supervisor");
    let text = render(app, 160, 48);
    assert!(
        text.contains("対象アカウントを所管する課（所属課）（owner_division）: 未設定（i で入力）"),
        "{text}"
    );
    // `i` asks for it, offering the divisions and the parts they play; a part names its
    // division.
    press(app, Action::Fact);
    let text = render(app, 160, 48);
    assert!(
        text.contains("担当の名でも: ") && text.contains("危機管理担当課（防災危機管理課）"),
        "{text}"
    );
    type_text(app, "危機管理担当課");
    press(app, Action::Submit);
    assert_eq!(
        app.incident
            .state()
            .facts
            .get("owner_division")
            .map(String::as_str),
        Some("防災危機管理課")
    );
    let text = render(app, 160, 48);
    assert!(!text.contains("未設定（i で入力）"), "{text}");
    assert!(text.contains("防災危機管理課"), "{text}");
}

/// `m` on a post step mails its approver the text to approve (journalled as an approval
/// request), and says how the approval comes back.
#[test]
fn m_asks_the_approver_for_approval_by_mail() {
    let mut s = screen_of(&common::engine::loaded("mail/approval.yaml"));
    let app = &mut s.app;
    press(app, Action::Primary); // detect
    app.incident
        .execute(
            "田中",
            &hikeshi::incident::Command::SetFact {
                fact: "fake".into(),
                value: "@city_0fficial".into(),
            },
        )
        .unwrap();
    app.selected = position(app, "notice");
    press(app, Action::RequestApproval);
    let messages = &app.incident.state().messages;
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].letter.to, "発信管理者");
    assert!(
        messages[0]
            .letter
            .subject
            .starts_with("【承認依頼】注意喚起を投稿する")
    );
    assert!(messages[0].letter.approval.is_some());
    assert!(app.incident.dir().join(&messages[0].letter.file).exists());
    // The key is `m`, wherever the screen names it.
    assert_eq!(keys::name_of(&Action::RequestApproval), "m");
    // Issue 25 (12): the request waits for an answer, and the step says so.
    let address = messages[0].letter.address.clone();
    app.selected = position(app, "notice");
    let shown = render(app, 160, 48);
    assert!(
        shown.contains("承認待ち: 承認依頼 #1（発信管理者宛て"),
        "{shown}"
    );
    // The approver replies 承認 (read by another process): one line on the timeline, the
    // approval, not an acknowledgement and an approval.
    let lines_before = app.log.len();
    let mut reader = Incident::open(&app.dir(), s.clock.clone()).unwrap();
    reader
        .execute(
            "佐藤課長",
            &hikeshi::incident::Command::RecordReply {
                message: 1,
                reply: hikeshi::incident::event::Reply {
                    from: address,
                    name: "佐藤課長".into(),
                    reply_id: "r1@city.example.jp".into(),
                    file: "inbox/r1.eml".into(),
                    sha256: "0".repeat(64),
                    verdict: hikeshi::incident::event::Verdict::Approved,
                    reason: None,
                    line: Some("承認します".into()),
                },
                answer: None,
                statements: None,
            },
        )
        .unwrap();
    let app = &mut s.app;
    press(app, Action::Refresh);
    let added: Vec<&str> = app.log[lines_before..]
        .iter()
        .map(|l| l.text.as_str())
        .collect();
    assert_eq!(added.len(), 1, "{added:?}");
    assert!(added[0].contains("返信メールで承認"), "{added:?}");
    let shown = render(app, 160, 48);
    assert!(!shown.contains("承認待ち"), "{shown}");
    // The reply's sender (a name and an address) is no name to offer the next approver.
    assert!(app.approvers.is_empty(), "{:?}", app.approvers);
}

/// Issue 25 (11): `A` names whose message it acknowledges; with several delivered messages
/// the person chooses which; and on an acknowledged one it asks the reason to withdraw it.
#[test]
fn a_asks_whose_message_and_an_acknowledgement_can_be_withdrawn() {
    let mut s = screen(Lang::Ja);
    let app = &mut s.app;
    press(app, Action::Primary); // detect
    press(app, Action::Primary); // report-to-supervisor: four messages, to the outbox
    app.selected = position(app, "report-to-supervisor");
    let messages = app.incident.state().messages.clone();
    assert_eq!(messages.len(), 4);
    assert!(messages.iter().all(|m| m.sent_at().is_some()));
    press(app, Action::Ack);
    let shown = render(app, 160, 48);
    assert!(shown.contains("どの通知の受領確認ですか"), "{shown}");
    for m in &messages {
        let line = format!("通知 #{} {}", m.number, m.letter.to);
        assert!(shown.contains(&line), "{line}\n{shown}");
    }
    // The third: its recipient is named in the next dialog, which asks who acknowledged.
    press(app, Action::Choose(2));
    press(app, Action::Submit);
    let third = &messages[2];
    let shown = render(app, 160, 48);
    assert!(shown.contains("確認した人の氏名"), "{shown}");
    assert!(
        shown.contains(&format!("通知 #3 {}宛て", third.letter.to)),
        "{shown}"
    );
    for c in "山田".chars() {
        press(app, Action::Char(c));
    }
    press(app, Action::Submit);
    let state = app.incident.state();
    assert_eq!(
        state.message(3).unwrap().acknowledged.as_ref().unwrap().by,
        "山田"
    );
    assert!(
        [1, 2, 4]
            .iter()
            .all(|n| state.message(*n).unwrap().acknowledged.is_none())
    );
    // A again: the first unacknowledged is offered; the acknowledged third is withdrawn.
    app.selected = position(app, "report-to-supervisor");
    press(app, Action::Ack);
    match &app.mode {
        Mode::Dialog(d) => assert_eq!(d.choice, 0),
        other => panic!("{other:?}"),
    }
    press(app, Action::Choose(2));
    press(app, Action::Submit);
    let shown = render(app, 160, 48);
    assert!(shown.contains("受領確認を取り消す理由"), "{shown}");
    assert!(shown.contains("受領確認: 山田"), "{shown}");
    for c in "別の課の確認だった".chars() {
        press(app, Action::Char(c));
    }
    press(app, Action::Submit);
    let m = app.incident.state().message(3).unwrap();
    assert!(m.acknowledged.is_none());
    assert_eq!(m.withdrawn[0].text, "別の課の確認だった");
    assert!(
        app.log.last().unwrap().text.contains("受領確認を取消"),
        "{:?}",
        app.log.last()
    );
}

/// Issue 25 (13): once the incident is closed, a dialog that would record something is
/// refused when it is opened (not after the text is typed), and the header's elapsed time
/// and 要電話 count stop at the close.
#[test]
fn a_closed_incident_refuses_dialogs_at_once_and_its_clocks_stop() {
    let mut s = screen(Lang::Ja);
    let app = &mut s.app;
    press(app, Action::Primary); // detect
    press(app, Action::Primary); // report-to-supervisor: four messages, ack within 15 minutes
    s.clock.advance(chrono::TimeDelta::minutes(10));
    let app = &mut s.app;
    press(app, Action::Tick);
    let open = render(app, 160, 48);
    assert!(open.contains("経過 10分"), "{open}");
    assert!(!open.contains("要電話"), "{open}");
    press(app, Action::Close);
    for c in "訓練のため終了".chars() {
        press(app, Action::Char(c));
    }
    press(app, Action::Submit);
    assert!(app.incident.state().is_closed());
    // Two hours later the screen still reads as at the close: nobody calls after it.
    s.clock.advance(chrono::TimeDelta::hours(2));
    let app = &mut s.app;
    press(app, Action::Tick);
    let closed = render(app, 160, 48);
    assert!(closed.contains("経過 10分"), "{closed}");
    assert!(!closed.contains("要電話"), "{closed}");
    for action in [Action::Note, Action::Skip, Action::Ack, Action::Evidence] {
        press(app, action.clone());
        assert_eq!(app.mode, Mode::Normal, "{action:?} opened a dialog");
        let flash = app.flash.clone().unwrap();
        assert!(flash.error && flash.text.contains("終了"), "{}", flash.text);
    }
}

/// An approval dialog is for the text as it read when the dialog opened: an edit a colleague
/// saves while it is open is not what the approval covers, so posting asks for the approval
/// again instead of publishing words the approver never saw.
#[test]
fn an_approval_covers_the_text_its_dialog_opened_for_not_an_edit_saved_since() {
    let mut s = screen(Lang::Ja);
    let app = &mut s.app;
    app.selected = position(app, "detect");
    press(app, Action::Primary);
    app.selected = position(app, "takeover-notice");
    press(app, Action::Copy); // the draft saved, as it reads
    let path = app.dir().join("statements/takeover-notice.txt");
    let drafted = std::fs::read_to_string(&path).unwrap();
    press(app, Action::Primary);
    assert!(asks_for_approval(app), "{:?}", app.mode);
    std::fs::write(&path, format!("{drafted}※DMで連絡します")).unwrap();
    type_text(app, "佐藤");
    press(app, Action::Submit);
    let ix = app
        .incident
        .playbook()
        .graph
        .find("takeover-notice")
        .unwrap();
    assert!(app.incident.state().step(ix).unwrap().approval.is_some());
    let entries = app.incident.record().entries;
    press(app, Action::Primary);
    assert!(
        asks_for_approval(app),
        "the edited text needs its own approval: {:?}",
        app.mode
    );
    assert_eq!(app.incident.record().entries, entries, "nothing posted");
    assert_eq!(app.incident.state().status_of(ix), StepStatus::Ready);
}

/// An approval given on the screen covers the statement as it read then: the draft saved by
/// `y` is the same text, but an edit of it after the approval makes Enter ask for the approval
/// again instead of posting; the approved text back, Enter posts it.
#[test]
fn an_approval_on_the_screen_covers_the_text_as_it_read() {
    let mut s = screen(Lang::Ja);
    let app = &mut s.app;
    app.selected = position(app, "detect");
    press(app, Action::Primary);
    app.selected = position(app, "takeover-notice");
    press(app, Action::Primary);
    type_text(app, "佐藤");
    press(app, Action::Submit); // approved by 佐藤, as the text reads now
    let ix = app
        .incident
        .playbook()
        .graph
        .find("takeover-notice")
        .unwrap();
    assert!(app.incident.state().step(ix).unwrap().approval.is_some());
    press(app, Action::Copy);
    let path = app.dir().join("statements/takeover-notice.txt");
    let drafted = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{drafted}（追記）")).unwrap();
    let entries = app.incident.record().entries;
    press(app, Action::Primary);
    assert!(asks_for_approval(app), "{:?}", app.mode);
    assert_eq!(app.incident.record().entries, entries);
    assert_eq!(app.incident.state().status_of(ix), StepStatus::Ready);
    press(app, Action::Cancel);
    std::fs::write(&path, &drafted).unwrap();
    press(app, Action::Primary);
    assert_eq!(app.incident.state().status_of(ix), StepStatus::Done);
    let posted = app
        .incident
        .state()
        .step(ix)
        .unwrap()
        .posted
        .clone()
        .unwrap();
    assert_eq!(posted.text, drafted.trim_end_matches('\n'));
}

/// Enter pressed twice (or held down) on a step: the first does it and the screen moves to
/// the next ready step; the second, meant for the step before, does nothing but say where the
/// screen moved; pressed again once the person has seen it, it acts. Moving the selection
/// oneself chooses the step at once.
#[test]
fn a_second_enter_at_once_does_not_act_on_the_step_the_screen_moved_to() {
    let mut s = screen(Lang::Ja);
    let app = &mut s.app;
    at_once(app, Action::Primary); // detect
    assert_eq!(selected_id(app), "report-to-supervisor");
    let entries = app.incident.record().entries;
    at_once(app, Action::Primary);
    assert_eq!(app.incident.record().entries, entries, "nothing recorded");
    assert!(app.take_work().is_empty(), "no mail queued");
    let flash = app.flash.clone().unwrap();
    assert!(flash.error);
    assert!(
        flash
            .text
            .contains("このキーは実行しませんでした。記録したので次の手順"),
        "{}",
        flash.text
    );
    // Chosen by the person's own key (down and back up): acts at once.
    at_once(app, Action::Down);
    at_once(app, Action::Up);
    assert_eq!(selected_id(app), "report-to-supervisor");
    at_once(app, Action::Primary);
    assert!(app.incident.record().entries > entries || !app.take_work().is_empty());
}

/// A key held down (or stuck) repeats: each repeat is held for as long as it comes, however
/// long after the change, instead of acting on one step after another once the moment has
/// passed. Released and pressed again once the keyboard was quiet, it acts.
#[test]
fn a_key_held_down_stays_held_while_it_repeats() {
    use hikeshi::tui::app::{KEY_HOLD, KEY_QUIET};
    let mut s = screen(Lang::Ja);
    let app = &mut s.app;
    at_once(app, Action::Primary); // detect, and the screen moves on
    assert_eq!(selected_id(app), "report-to-supervisor");
    let entries = app.incident.record().entries;
    // Enter repeating every 100 ms, for longer than the hold.
    let start = std::time::Instant::now();
    while start.elapsed() < KEY_HOLD + KEY_QUIET {
        at_once(app, Action::Primary);
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(app.incident.record().entries, entries, "nothing recorded");
    assert!(app.take_work().is_empty(), "no mail queued");
    assert_eq!(selected_id(app), "report-to-supervisor");
    // Released; pressed again once the keyboard was quiet: it acts on the step shown.
    std::thread::sleep(KEY_QUIET);
    at_once(app, Action::Primary);
    assert!(app.incident.record().entries > entries || !app.take_work().is_empty());
}

/// This screen's own mail settling a notify step moves the screen on, as the person's own key
/// does, but an Enter on its way (pressed for the step the person saw) does nothing but say so,
/// instead of landing on the step that became selected (issue 25, the drill's 0.3–1 s case).
#[test]
fn a_delivery_moves_on_but_holds_a_key_in_flight() {
    use hikeshi::notify::{Config, Transport};
    use hikeshi::tui::app::Mail;
    let config = Config::default();
    let transport = Transport::from_config(&config).unwrap();
    let mut s = screen_with(Lang::Ja, Mail::new(config, transport));
    let app = &mut s.app;
    press(app, Action::Primary); // detect
    assert_eq!(selected_id(app), "report-to-supervisor");
    // Enter on the first report: its mail is queued and goes out in the background.
    at_once(app, Action::Primary);
    let work = app.take_work();
    assert!(!work.is_empty());
    for w in work {
        let delivered = RUNTIME.with(|r| r.block_on(w));
        app.update(delivered);
    }
    let report = app
        .incident
        .playbook()
        .graph
        .find("report-to-supervisor")
        .unwrap();
    assert_eq!(app.incident.state().status_of(report), StepStatus::Done);
    assert_ne!(selected_id(app), "report-to-supervisor");
    let done_before = app.incident.state().progress();
    app.update(Action::Primary);
    assert_eq!(
        app.incident.state().progress(),
        done_before,
        "the key did nothing"
    );
    let flash = app.flash.as_ref().unwrap().text.clone();
    assert!(flash.contains("このキーは実行しませんでした"), "{flash}");
}

/// Issue 26 (5): Enter on a decision, an approval or a monitor step whose fact is unknown
/// asks for that fact, by its label, as on action and post steps; nothing else is recorded,
/// and once it is known Enter opens the step's own dialog.
#[test]
fn every_kind_of_step_asks_for_the_fact_it_needs() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("facts.yaml");
    std::fs::write(
        &file,
        r#"id: facts-by-kind
title: 事実の確認
sources:
  - id: ube
    title: 宇部市ガイドライン
facts:
  - id: scope
    label: 影響の範囲
    ask_before: judge
  - id: channel
    label: 投稿する媒体
    kind: choice
    options: [X, Instagram]
    ask_before: sign-off
  - id: metric
    label: 監視する指標
    ask_before: watch
steps:
  - id: judge
    title: 判断する
    kind: decision
    question: 対応しますか？
    options:
      - id: yes
        title: 対応する
      - id: no
        title: 対応しない
    source: [ube 7(1)]
  - id: sign-off
    title: 承認を得る
    kind: approval
    approver: 発信管理者
    source: [ube 7(1)]
  - id: watch
    title: 監視する
    kind: monitor
    every: 30m
    observe: [言及数]
    source: [ube 7(1)]
"#,
    )
    .unwrap();
    let loaded = catalog::load_playbook(
        &PlaybookRef::File(file),
        &DivisionsRef::Stock,
        &CompileOptions::default(),
    )
    .unwrap();
    let mut s = screen_of(&loaded);
    let app = &mut s.app;
    for (step, fact, label, value, dialog) in [
        (
            "judge",
            "scope",
            "影響の範囲（scope）",
            "全庁",
            "判断（数字キーで選択）",
        ),
        (
            "sign-off",
            "channel",
            "投稿する媒体（channel）",
            "X",
            "承認した人の氏名",
        ),
        (
            "watch",
            "metric",
            "監視する指標（metric）",
            "言及数",
            "観測した内容",
        ),
    ] {
        app.selected = position(app, step);
        let entries = app.incident.state().events;
        press(app, Action::Primary);
        let Mode::Dialog(d) = &app.mode else {
            panic!("{step}: no dialog: {:?}", app.mode);
        };
        assert_eq!(d.fact.as_deref(), Some(fact), "{step}");
        let text = render(app, 110, 34);
        assert!(text.contains(label), "{step}: {text}");
        if step == "sign-off" {
            assert!(text.contains("候補: X、Instagram"), "{text}");
        }
        type_text(app, value);
        press(app, Action::Submit);
        let state = app.incident.state();
        assert_eq!(state.facts.get(fact).map(String::as_str), Some(value));
        assert_eq!(state.events, entries + 1, "{step}: only the fact");
        press(app, Action::Primary);
        let text = render(app, 110, 34);
        assert!(text.contains(dialog), "{step}: {text}");
        press(app, Action::Cancel);
    }
}

/// `i` asks for the first fact not yet known by its label; `name=value` still records
/// another declared fact instead.
#[test]
fn i_asks_for_a_fact_by_its_label_and_takes_another_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let incident = stock_incident(dir.path(), "impersonation", Default::default());
    let mut app = App::new(incident, "田中".into(), Lang::Ja);
    press(&mut app, Action::Fact);
    let Mode::Dialog(dialog) = &app.mode else {
        panic!("no dialog: {:?}", app.mode);
    };
    let asked = dialog.fact.clone().unwrap();
    let label = app
        .incident
        .playbook()
        .facts
        .iter()
        .find(|f| f.id == asked)
        .unwrap()
        .label
        .clone();
    let text = render(&app, 110, 34);
    assert!(text.contains(&format!("{label}（{asked}）")), "{text}");
    let other = if asked == "fake_account" {
        "genuine_account"
    } else {
        "fake_account"
    };
    type_text(&mut app, &format!("{other}=@city_other"));
    press(&mut app, Action::Submit);
    let facts = &app.incident.state().facts;
    assert_eq!(facts.get(other).map(String::as_str), Some("@city_other"));
    assert!(!facts.contains_key(&asked), "{facts:?}");
}

/// A post's detail shows its count as X counts it against the limit, and turns it red with
/// what is over when the edited text is too long; a mark left to fill in is named with its
/// place. Completing such a post on the screen is refused.
#[test]
fn a_posts_count_and_marks_to_fill_in_are_shown_under_its_text() {
    let mut s = screen(Lang::Ja);
    s.app.selected = position(&s.app, "recovery-post");
    press(&mut s.app, Action::Copy);
    let shown = render(&s.app, 160, 60);
    assert!(shown.contains("X の文字数: "), "{shown}");
    assert!(!shown.contains("超過）"), "{shown}");
    let path = s.app.dir().join("statements/recovery-post.txt");
    std::fs::write(&path, format!("{}\n（誤）○○\n", "乗".repeat(140))).unwrap();
    let shown = render(&s.app, 160, 60);
    assert!(shown.contains("X の文字数: 291／280（11 超過）"), "{shown}");
    assert!(
        shown.contains("書き換える箇所: 2行4文字目「○○」"),
        "{shown}"
    );
    press(&mut s.app, Action::Force);
    for c in "電話で承認を得た".chars() {
        press(&mut s.app, Action::Char(c));
    }
    press(&mut s.app, Action::Submit);
    let ix = s
        .app
        .incident
        .playbook()
        .graph
        .find("recovery-post")
        .unwrap();
    assert!(s.app.incident.state().step(ix).unwrap().posted.is_none());
}

/// A step that departs from a clause on purpose says so under its 根拠, with the words it does
/// not follow and the reason, apart from the clauses it follows.
#[test]
fn a_deliberate_departure_is_shown_under_the_step_s_basis() {
    let mut s = screen(Lang::Ja);
    s.app.selected = position(&s.app, "password-rules");
    let mut seen = String::new();
    // The detail pane pages; read it to its end.
    for _ in 0..12 {
        seen.push_str(&render(&s.app, 200, 60));
        press(&mut s.app, Action::PageDown);
    }
    let flat: String = seen.split_whitespace().collect();
    assert!(
        flat.contains("意図的に従わない規定:流山市職員のソーシャルメディアの利用に関するガイドラインパスワード「…定期的に更新します。」"),
        "{seen}"
    );
    assert!(flat.contains("NISC・NISTSP800-63B"), "{seen}");
}

/// A list fact takes a value back on the screen as on the command line: `-value` where the
/// fact is asked for, `name-=value` otherwise; the dialog shows what the list holds.
#[test]
fn a_value_of_a_list_fact_is_taken_back_on_the_screen() {
    let dir = tempfile::tempdir().unwrap();
    let facts = [
        ("genuine_account".to_string(), "@city_official".to_string()),
        ("fake_account".to_string(), "@city_0fficial".to_string()),
    ];
    let incident = stock_incident(dir.path(), "impersonation", facts.into());
    let mut app = App::new(incident, "田中".into(), Lang::Ja);
    let submit = |app: &mut App, text: &str| {
        press(app, Action::Fact);
        let Mode::Dialog(dialog) = &mut app.mode else {
            panic!("no dialog: {:?}", app.mode);
        };
        // Another fact may be asked for first; this test names its fact.
        dialog.fact = None;
        type_text(app, text);
        press(app, Action::Submit);
    };
    submit(&mut app, "fake_account=@city_officia1");
    assert_eq!(
        app.incident
            .state()
            .facts
            .get("fake_account")
            .map(String::as_str),
        Some("@city_0fficial\n@city_officia1")
    );
    press(&mut app, Action::Fact);
    if let Mode::Dialog(dialog) = &mut app.mode {
        dialog.fact = None;
    }
    let shown = render(&app, 110, 34);
    assert!(
        shown.contains("fake_account: @city_0fficial、@city_officia1"),
        "{shown}"
    );
    assert!(shown.contains("名前-=値"), "{shown}");
    press(&mut app, Action::Cancel);
    submit(&mut app, "fake_account-=@city_0fficial");
    assert_eq!(
        app.incident
            .state()
            .facts
            .get("fake_account")
            .map(String::as_str),
        Some("@city_officia1")
    );
    // The last value is changed, not taken back: the engine's refusal is said.
    submit(&mut app, "fake_account-=@city_officia1");
    assert_eq!(
        app.incident
            .state()
            .facts
            .get("fake_account")
            .map(String::as_str),
        Some("@city_officia1")
    );
    let shown = render(&app, 110, 34);
    assert!(shown.contains("fake_account"), "{shown}");
}

/// What the account register knows is shown at the steps that need it: the administrators
/// and the recovery address at the login check, the linked apps where automation is stopped.
#[test]
fn the_register_s_facts_are_shown_where_the_steps_need_them() {
    let dir = tempfile::tempdir().unwrap();
    let facts = [
        (
            "account_admins".to_string(),
            "広報 一郎（広報広聴課）\n広報 二葉（広報広聴課）".to_string(),
        ),
        (
            "recovery_email".to_string(),
            "sns-koho@city.example.jp".to_string(),
        ),
    ];
    let incident = stock_incident(dir.path(), "unauthorized-access", facts.into());
    let mut app = App::new(incident, "田中".into(), Lang::Ja);
    app.selected = position(&app, "login-check");
    let shown = render(&app, 160, 60);
    assert!(
        shown.contains(
            "登録されている管理者（一覧表）: 広報 一郎（広報広聴課）、広報 二葉（広報広聴課）"
        ),
        "{shown}"
    );
    assert!(
        shown.contains("登録されている復旧用メールアドレス（一覧表）: sns-koho@city.example.jp"),
        "{shown}"
    );
    // What the register did not give is not shown.
    assert!(!shown.contains("登録されている復旧用の電話"), "{shown}");
    app.selected = position(&app, "freeze-automation");
    let shown = render(&app, 160, 60);
    assert!(!shown.contains("連携しているアプリ（一覧表）"), "{shown}");
}
