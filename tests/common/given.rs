//! States for the pure engine, built without a disk: a small playbook compiled from a string,
//! and commands folded into an [`IncidentState`] with the state's own fold — as replay does,
//! but with no journal, folder or [`Incident`](hikeshi::incident::Incident) in between.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::LazyLock;

use chrono::{DateTime, FixedOffset};
use hikeshi::directory::Directory;
use hikeshi::incident::{Command, Event, EvidenceRecord, IncidentState, Refusal, apply};
use hikeshi::incident::{Letter, StartParams};
use hikeshi::playbook::{CompileOptions, Limits, Playbook, SourceFile, compile_source};

/// The engine-test playbook (`tests/fixtures/engine/playbook.yaml`) with a checklist on
/// `detect`: an action, a notify, a severity decision with a post under it, a monitor, an
/// approval and a last action.
pub const PLAYBOOK: &str = r#"
id: engine-test
title: エンジン検査用
severities:
  - id: low
    title: 軽微
  - id: high
    title: 重大
facts:
  - id: genuine_account
    label: 本物の公式アカウント
    kind: account
    official: true
  - id: fake_account
    label: 偽アカウント
    kind: account
    differs_from: genuine_account
    list: true
  - id: topic
    label: 誤情報の分野
    kind: choice
    options: [防災, 健康]
steps:
  - id: detect
    title: 確認する
    kind: action
    due: 15m
    checklist: [スクリーンショットを保存する, URL を控える]
  - id: report
    title: 報告する
    kind: notify
    after: [detect]
    to: [広報広聴課]
    add_to: [情報政策課]
    subject: "{{title}}"
    body: 本文
    due: 1h
  - id: severity
    title: 重大度を判断する
    kind: decision
    severity: true
    question: 重大か
    after: [detect]
  - id: press
    title: 報道発表する
    kind: post
    purpose: warning
    channel: press
    approver: 発信管理者
    statement: "{{organization}}からのお知らせ"
    after: [severity]
    when: severity == high
    due: 2h
  - id: watch
    title: 反応を監視する
    kind: monitor
    every: 30m
    after: [detect]
  - id: sign-off
    title: 決裁を得る
    kind: approval
    approver: 発信管理者
    after: [report, press]
  - id: close-out
    title: 終結する
    kind: action
    after: [sign-off, watch]
  - id: announce
    title: 偽アカウントを周知する
    kind: post
    purpose: warning
    channel: official
    approved_in: sign-off
    statement: "偽アカウント（{{fake_account|unlinked}}）に御注意ください"
    after: [sign-off]
  - id: name-fake
    title: 偽アカウントを通報する
    kind: action
    after: [severity]
    when: severity == high
    announces: [偽アカウントを通報しました]
    draft: "偽アカウント {{fake_account}} を通報します"
"#;

const DIVISIONS: &str = "\
organization: 例示市
divisions:
  - id: 広報広聴課
    email: koho@city.example.jp
    accounts: ['@city_official']
  - id: 情報政策課
    email: joho@city.example.jp
roles:
  - id: 発信管理者
    division: 広報広聴課
    email: hasshin@city.example.jp
";

/// The duty officer every started state has.
pub const OPERATOR: &str = "田中";

/// The time every folded event carries (the engine never reads it).
pub const AT: &str = "2026-11-22T14:03:00+09:00";

/// Who did what in a [`given`] state, and when: [`OPERATOR`] at [`AT`].
pub fn stamp() -> Option<hikeshi::incident::state::Stamp> {
    Some(hikeshi::incident::state::Stamp {
        at: DateTime::parse_from_rfc3339(AT).unwrap(),
        by: OPERATOR.to_string(),
    })
}

/// The compiled [`PLAYBOOK`], compiled once.
pub fn playbook() -> &'static Playbook {
    static PLAYBOOK_COMPILED: LazyLock<Playbook> = LazyLock::new(|| {
        let limits = Limits::default();
        let directory = Directory::load(&SourceFile::new("divisions.yaml", DIVISIONS), &limits)
            .expect("the divisions load");
        compile_source(
            &SourceFile::new("playbook.yaml", PLAYBOOK),
            &directory,
            &CompileOptions::default(),
        )
        .expect("the playbook compiles")
        .playbook
    });
    &PLAYBOOK_COMPILED
}

/// A state: the commands given so far, each accepted by the engine and folded in.
#[derive(Debug, Clone)]
pub struct Given {
    /// The state after the commands.
    pub state: IncidentState,
}

/// The state after `commands`; panics if the engine refuses one of them (the case is wrong,
/// not the engine under test).
pub fn given(commands: &[Command]) -> Given {
    let playbook = playbook();
    let time: DateTime<FixedOffset> = DateTime::parse_from_rfc3339(AT).unwrap();
    let mut state = IncidentState::new(playbook);
    for command in commands {
        let events = apply(&state, playbook, command)
            .unwrap_or_else(|r| panic!("setup command {command:?} refused: {r:?}"));
        for event in &events {
            state.apply(playbook, time, OPERATOR, event);
        }
    }
    Given { state }
}

impl Given {
    /// What the engine makes of `command` in this state.
    pub fn apply(&self, command: &Command) -> Result<Vec<Event>, Refusal> {
        apply(&self.state, playbook(), command)
    }

    /// The engine's answer to `command` journalled at `at` (see `engine::apply_at`).
    pub fn apply_at(
        &self,
        command: &Command,
        at: DateTime<FixedOffset>,
    ) -> Result<Vec<Event>, Refusal> {
        hikeshi::incident::apply_at(&self.state, playbook(), command, at, false)
    }
}

fn s(text: &str) -> String {
    text.to_string()
}

/// Opens the incident (title `テスト事案`, operator [`OPERATOR`]).
pub fn start() -> Command {
    starting(false, None)
}

/// Opens the incident on the official account's X (its posts count as X counts them).
pub fn start_on_x() -> Command {
    let mut start = starting(false, None);
    if let Command::Start { params, .. } = &mut start {
        params.platform = Some(hikeshi::playbook::Platform::X);
    }
    start
}

/// Opens the incident as an exercise.
pub fn start_exercise() -> Command {
    starting(true, None)
}

/// Opens the incident with a severity known from the start.
pub fn start_with_severity(severity: &str) -> Command {
    starting(false, Some(severity))
}

fn starting(exercise: bool, severity: Option<&str>) -> Command {
    Command::Start {
        params: StartParams {
            title: s("テスト事案"),
            account: Some(s("@city_official")),
            platform: None,
            operator: s(OPERATOR),
            severity: severity.map(s),
            exercise,
            facts: Default::default(),
            origin: None,
        },
        playbook_sha256: "a".repeat(64),
        divisions_sha256: "b".repeat(64),
    }
}

/// Adds recipients to a notify step.
pub fn add_to(step: &str, to: &[&str]) -> Command {
    Command::AddRecipients {
        step: s(step),
        to: to.iter().map(|t| s(t)).collect(),
    }
}

/// Records a declared fact.
pub fn set_fact(fact: &str, value: &str) -> Command {
    Command::SetFact {
        fact: s(fact),
        value: s(value),
    }
}

/// Completes a step.
pub fn done(step: &str) -> Command {
    Command::Complete {
        step: s(step),
        note: None,
        force: None,
        statement: None,
    }
}

/// A post's statement as edited in `statements/<step>.txt`, as a face reads and passes it.
pub fn edited(step: &str, text: &str) -> hikeshi::incident::PostStatement {
    hikeshi::incident::PostStatement {
        step: s(step),
        statement: hikeshi::incident::Statement {
            text: s(text),
            file: Some(format!("statements/{step}.txt")),
            timeless: None,
            unfilled: Vec::new(),
        },
    }
}

/// Completes post `step` publishing its edited statement `text`.
pub fn post_edited(step: &str, text: &str) -> Command {
    Command::Complete {
        step: s(step),
        note: None,
        force: None,
        statement: Some(edited(step, text).statement),
    }
}

/// Completes post `step` publishing the playbook's statement filled in as `text` (what a face
/// passes without an edited file; `timeless` stands for it with the time left open).
pub fn post_filled(step: &str, text: &str) -> Command {
    Command::Complete {
        step: s(step),
        note: None,
        force: None,
        statement: Some(hikeshi::incident::Statement {
            text: s(text),
            file: None,
            timeless: Some(format!("{text}（時刻未定）")),
            unfilled: Vec::new(),
        }),
    }
}

/// Approves `step` as 佐藤 with the statements reading as `statements`.
pub fn approve_reading(step: &str, statements: Vec<hikeshi::incident::PostStatement>) -> Command {
    Command::Approve {
        step: s(step),
        by: s("佐藤"),
        statements: Some(statements),
    }
}

/// `command` (an approval request or a reply) with the statements reading as `statements`.
pub fn reading(mut command: Command, with: Vec<hikeshi::incident::PostStatement>) -> Command {
    match &mut command {
        Command::RequestApproval { statements, .. } | Command::RecordReply { statements, .. } => {
            *statements = Some(with);
        }
        other => panic!("{other:?} carries no statements"),
    }
    command
}

/// Completes a step although it is not ready, with a reason.
pub fn forced(step: &str) -> Command {
    Command::Complete {
        step: s(step),
        note: None,
        force: Some(s("電話で対応済み")),
        statement: None,
    }
}

/// Skips a step.
pub fn skip(step: &str) -> Command {
    Command::Skip {
        step: s(step),
        reason: s("対象外"),
    }
}

/// Answers a decision.
pub fn decide(step: &str, option: &str) -> Command {
    Command::Decide {
        step: s(step),
        option: s(option),
        reason: None,
        force: None,
    }
}

/// Changes the answer of a decision, with a reason.
pub fn redecide(step: &str, option: &str) -> Command {
    Command::Decide {
        step: s(step),
        option: s(option),
        reason: Some(s("拡散が続いている")),
        force: None,
    }
}

/// Approves a step as 佐藤.
pub fn approve(step: &str) -> Command {
    Command::Approve {
        step: s(step),
        by: s("佐藤"),
        statements: None,
    }
}

/// Refuses a step as 佐藤.
pub fn reject(step: &str) -> Command {
    Command::Reject {
        step: s(step),
        by: s("佐藤"),
        reason: s("表現を直す"),
    }
}

/// Ticks a checklist item (from 0).
pub fn check(step: &str, item: usize) -> Command {
    Command::Check {
        step: s(step),
        item,
        checked: true,
    }
}

/// Records a monitor check.
pub fn observe(step: &str) -> Command {
    Command::Observe {
        step: s(step),
        text: s("新たな投稿なし"),
    }
}

/// Reopens a step.
pub fn reopen(step: &str) -> Command {
    Command::Reopen {
        step: s(step),
        reason: s("やり直す"),
    }
}

/// A note on a step.
pub fn note(step: &str) -> Command {
    Command::Note {
        text: s("記者から問い合わせ"),
        step: Some(s(step)),
    }
}

/// A URL as evidence for a step.
pub fn evidence_url(step: &str) -> Command {
    Command::AttachEvidence {
        step: s(step),
        evidence: EvidenceRecord::Url {
            url: s("https://x.com/city_official/status/1"),
        },
        note: Some(s("なりすまし投稿")),
    }
}

/// A file in `evidence/` as evidence for a step.
pub fn evidence_file(step: &str, name: &str) -> Command {
    Command::AttachEvidence {
        step: s(step),
        evidence: EvidenceRecord::File {
            name: s(name),
            original: s("/tmp/screenshot.png"),
            sha256: "c".repeat(64),
            bytes: 1024,
        },
        note: None,
    }
}

/// Hands the duty over.
pub fn handover(to: &str) -> Command {
    Command::Handover {
        to: s(to),
        summary: s("引き継ぎ事項"),
    }
}

/// The message to `to` that [`queue`] queues, as the outbox composes it.
pub fn message(step: &str, to: &str) -> Letter {
    Letter {
        to: s(to),
        address: format!("{to}@city.example.jp"),
        subject: s("【報告】テスト事案"),
        file: format!("outbox/{step}-{to}.eml"),
        sha256: "d".repeat(64),
        message_id: format!("{step}.{to}@city.example.jp"),
        reply_code: None,
        channel: None,
        also: Vec::new(),
        approval: None,
        answers: None,
    }
}

/// Queues one message per recipient for a notify step.
pub fn queue(step: &str, to: &[&str]) -> Command {
    Command::QueueNotifications {
        step: s(step),
        messages: to.iter().map(|t| message(step, t)).collect(),
    }
}

/// Asks `to` for the approval of `step` by mail.
pub fn request(step: &str, to: &str) -> Command {
    Command::RequestApproval {
        step: s(step),
        letter: message(step, to),
        statements: None,
    }
}

/// A state in which `sign-off` can be approved (its prerequisites done, the fact its post
/// uses known).
pub fn signable() -> Vec<Command> {
    vec![
        start(),
        done("detect"),
        queue("report", &["広報広聴課"]),
        deliver(1),
        decide("severity", "low"),
        set_fact("fake_account", "@fake"),
    ]
}

/// What `sign-off` approves in [`signable`]: its post's text and hash.
pub fn signable_texts() -> Vec<hikeshi::incident::event::ApprovedText> {
    approval_texts(&signable(), "sign-off")
}

/// What an approval of `step` covers after `events`: each statement's step and hash now.
pub fn approval_texts(
    events: &[Command],
    step: &str,
) -> Vec<hikeshi::incident::event::ApprovedText> {
    match given(events).apply(&approve(step)).unwrap().as_slice() {
        [Event::ApprovalGiven { texts, .. }] => texts.clone(),
        other => panic!("{other:?}"),
    }
}

/// Records the delivery of a message to the outbox.
pub fn deliver(message: u32) -> Command {
    Command::RecordDelivery {
        message,
        transport: s("file"),
        reply: s("outbox"),
    }
}

/// Records a transient delivery failure.
pub fn fail(message: u32) -> Command {
    Command::RecordFailure {
        message,
        error: s("421 try again later"),
        permanent: false,
        next_retry: Some(DateTime::parse_from_rfc3339("2026-11-22T14:05:00+09:00").unwrap()),
    }
}

/// Records an acknowledgement by 鈴木.
pub fn acknowledge(message: u32) -> Command {
    Command::Acknowledge {
        message,
        by: s("鈴木"),
        note: None,
    }
}

/// A reply mail from `from` to message 1 saying `verdict`.
pub fn reply_mail(
    from: &str,
    verdict: hikeshi::incident::event::Verdict,
) -> hikeshi::incident::event::Reply {
    hikeshi::incident::event::Reply {
        from: s(from),
        name: s("佐藤課長"),
        reply_id: s("r1@city.example.jp"),
        file: s("inbox/0001.eml"),
        sha256: "e".repeat(64),
        verdict,
        reason: None,
        line: None,
    }
}

/// The answer to reply `r1@city.example.jp`, to `address`, as the outbox composes it.
pub fn answer_to(address: &str) -> Letter {
    Letter {
        address: s(address),
        file: s("outbox/answer.eml"),
        message_id: s("answer@city.example.jp"),
        answers: Some(s("r1@city.example.jp")),
        ..message("report", "広報広聴課")
    }
}

/// Records reply `reply` to message `message`.
pub fn reply(message: u32, reply: hikeshi::incident::event::Reply) -> Command {
    Command::RecordReply {
        message,
        reply,
        answer: None,
        statements: None,
    }
}

/// Records a phone call to a division.
pub fn call(division: &str) -> Command {
    Command::Call {
        division: s(division),
        number: Some(s("0836-00-0000")),
        note: s("電話で伝えた"),
    }
}

/// Begins the exercise `drill` with a target for `detect`.
pub fn begin() -> Command {
    Command::BeginExercise {
        scenario: s("drill"),
        title: s("なりすまし訓練"),
        scenario_sha256: "e".repeat(64),
        live_mail: false,
        targets: vec![hikeshi::incident::event::TargetTime {
            step: s("detect"),
            seconds: 900,
        }],
    }
}

/// Gives an inject.
pub fn fire(inject: &str) -> Command {
    Command::FireInject {
        inject: s(inject),
        title: s("報道から問い合わせ"),
        text: s("新聞社から電話があった"),
        at_seconds: 600,
        early: false,
    }
}

/// Records the review.
pub fn review() -> Command {
    Command::RecordReview {
        good: s("初動が早かった"),
        issues: s("連絡先が古かった"),
        improvements: s("名簿を更新する"),
    }
}

/// Closes the incident, with steps still open, for a reason.
pub fn close_forced() -> Command {
    Command::Close {
        force: Some(s("訓練終了")),
    }
}

/// The variant names of `pub enum NAME` in the library's sources under `src/incident/`, read
/// from the source text, so a variant added there is seen here without anyone listing it.
pub fn variants_of(name: &str) -> Vec<String> {
    let dir = super::root().join("src").join("incident");
    let header = format!("pub enum {name} {{");
    let mut files: Vec<_> = walk(&dir);
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let Some(at) = text.find(&header) else {
            continue;
        };
        let mut depth = 0usize;
        let mut out = Vec::new();
        for line in text[at..].lines() {
            let trimmed = line.trim();
            if trimmed.starts_with("//") {
                continue;
            }
            let before = depth;
            depth += trimmed.matches('{').count();
            depth = depth.saturating_sub(trimmed.matches('}').count());
            if before == 1
                && !trimmed.starts_with('#')
                && trimmed.starts_with(|c: char| c.is_ascii_uppercase())
            {
                let ident: String = trimmed
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                out.push(ident);
            }
            if depth == 0 && before > 0 {
                break;
            }
        }
        return out;
    }
    panic!("no `pub enum {name}` under {}", dir.display());
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

/// The variant name of a value, from its `Debug` form (`NotReady { .. }` → `NotReady`).
pub fn variant_name(value: &impl std::fmt::Debug) -> String {
    format!("{value:?}")
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}
