//! The pure core, one line per case: `engine::apply` on a state built in memory (a playbook
//! compiled from a string, commands folded with the state's own fold) — no folder, journal or
//! `Incident`. Every refusal the engine can give, and the events of every command.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeSet;

use common::given::*;
use hikeshi::Lang;
use hikeshi::incident::event::{Reply, ReplyIssue, TargetTime, Unclear, Verdict};
use hikeshi::incident::{Command, Event, EvidenceRecord, Field, Letter, Refusal};
use hikeshi::playbook::Platform;

fn s(text: &str) -> String {
    text.to_string()
}

fn withdraw(message: u32, reason: &str) -> Command {
    Command::WithdrawAcknowledgement {
        message,
        reason: s(reason),
        seen: None,
    }
}

/// A withdrawn acknowledgement leaves the message unacknowledged (要電話 again once overdue),
/// with the withdrawal on the message's record.
#[test]
fn a_withdrawn_acknowledgement_makes_the_message_unacknowledged_again() {
    let acked = given(&[
        start(),
        done("detect"),
        queue("report", &["広報広聴課"]),
        deliver(1),
        acknowledge(1),
    ]);
    assert!(acked.state.message(1).unwrap().acknowledged.is_some());
    let withdrawn = given(&[
        start(),
        done("detect"),
        queue("report", &["広報広聴課"]),
        deliver(1),
        acknowledge(1),
        withdraw(1, "別の課の確認だった"),
    ]);
    let m = withdrawn.state.message(1).unwrap();
    assert_eq!(m.acknowledged, None);
    assert_eq!(m.withdrawn.len(), 1);
    assert_eq!(m.withdrawn[0].text, "別の課の確認だった");
}

fn ids(ids: &[&str]) -> Vec<String> {
    ids.iter().map(|id| s(id)).collect()
}

/// The commands that build the state, the command under test, and what the engine must
/// answer.
struct Case<T> {
    given: Vec<Command>,
    command: Command,
    /// The time it would be journalled at, where the case is about time.
    at: Option<chrono::DateTime<chrono::FixedOffset>>,
    expected: T,
}

fn refuses(given: &[Command], command: Command, refusal: Refusal) -> Case<Refusal> {
    Case {
        given: given.to_vec(),
        command,
        at: None,
        expected: refusal,
    }
}

fn time(text: &str) -> chrono::DateTime<chrono::FixedOffset> {
    chrono::DateTime::parse_from_rfc3339(text).unwrap()
}

/// A refusal at a time: the command journalled at `at`.
fn refuses_at(given: &[Command], command: Command, at: &str, refusal: Refusal) -> Case<Refusal> {
    Case {
        at: Some(time(at)),
        ..refuses(given, command, refusal)
    }
}

/// Events at a time: the command journalled at `at`.
fn yields_at(
    given: &[Command],
    command: Command,
    at: &str,
    events: Vec<Event>,
) -> Case<Vec<Event>> {
    Case {
        at: Some(time(at)),
        ..yields(given, command, events)
    }
}

fn yields(given: &[Command], command: Command, events: Vec<Event>) -> Case<Vec<Event>> {
    Case {
        given: given.to_vec(),
        command,
        at: None,
        expected: events,
    }
}

/// Every step of the playbook, in order: what a close without --force finds open at start.
const ALL_STEPS: &[&str] = &[
    "detect",
    "report",
    "severity",
    "press",
    "watch",
    "sign-off",
    "close-out",
    "announce",
    "name-fake",
];

fn refusal_cases() -> Vec<Case<Refusal>> {
    use Refusal::*;
    let requested = [
        signable(),
        vec![request("sign-off", "発信管理者"), deliver(2)],
    ]
    .concat();
    let started = [start()];
    let detected = [start(), done("detect")];
    let low = [start(), done("detect"), decide("severity", "low")];
    let high = [start(), done("detect"), decide("severity", "high")];
    let queued = [start(), done("detect"), queue("report", &["広報広聴課"])];
    let delivered = [
        start(),
        done("detect"),
        queue("report", &["広報広聴課"]),
        deliver(1),
    ];
    let exercise = [start_exercise()];
    let begun = [start_exercise(), begin()];
    let fired = [start_exercise(), begin(), fire("press-call")];
    #[rustfmt::skip]
    let cases = vec![
        refuses(&[], done("detect"), NotStarted),
        refuses(&[], review(), NotStarted),
        refuses(&started, start(), AlreadyStarted),
        refuses(&started, set_fact("fake_acount", "@x"), UnknownFact { name: s("fake_acount"), suggestion: Some(s("fake_account")), known: ids(&["genuine_account", "fake_account", "topic"]) }),
        refuses(&started, set_fact("fake_account", "@city fake"), BadFactValue { fact: s("fake_account"), kind: hikeshi::playbook::FactKind::Account, options: vec![] }),
        refuses(&started, set_fact("topic", "教育"), BadFactValue { fact: s("topic"), kind: hikeshi::playbook::FactKind::Choice, options: ids(&["防災", "健康"]) }),
        refuses(&[start(), set_fact("topic", "防災")], set_fact("topic", "防災"), FactUnchanged { fact: s("topic"), value: s("防災") }),
        refuses(&[start(), done("detect"), queue("report", &["広報広聴課"]), deliver(1), decide("severity", "low"), set_fact("fake_account", "@fake"), approve("sign-off"), set_fact("fake_account", "@other")], done("announce"), ApprovalOutdated { step: s("announce"), approval: s("sign-off"), approver: s("発信管理者") }),
        // An approval covers the text the approver saw: a post's own approval, an approval
        // step's, a reply to a request (each read from statements/<step>.txt by the face).
        refuses(&[high.as_slice(), &[approve_reading("press", vec![edited("press", "案A")])]].concat(), post_edited("press", "案B"), ApprovalOutdated { step: s("press"), approval: s("press"), approver: s("発信管理者") }),
        refuses(&[signable(), vec![approve_reading("sign-off", vec![edited("announce", "案A")])]].concat(), post_edited("announce", "案B"), ApprovalOutdated { step: s("announce"), approval: s("sign-off"), approver: s("発信管理者") }),
        refuses(&[signable(), vec![approve_reading("sign-off", vec![edited("announce", "案A")])]].concat(), done("announce"), ApprovalOutdated { step: s("announce"), approval: s("sign-off"), approver: s("発信管理者") }),
        // An approval journalled before the faces passed statements (the template's
        // fingerprint) covers the unedited statement only.
        refuses(&[signable(), vec![approve("sign-off")]].concat(), post_edited("announce", "案B"), ApprovalOutdated { step: s("announce"), approval: s("sign-off"), approver: s("発信管理者") }),
        refuses(&started, add_to("report", &["広報広聴課"]), AlreadyRecipient { step: s("report"), name: s("広報広聴課") }),
        refuses(&started, add_to("report", &["発信管理者"]), NotACandidate { step: s("report"), name: s("発信管理者"), candidates: ids(&["情報政策課"]) }),
        refuses(&high, done("name-fake"), FactsNeeded { step: Some(s("name-fake")), facts: vec![(s("fake_account"), s("偽アカウント"))] }),
        refuses(&[start(), close_forced()], done("detect"), Closed),
        refuses(&[start(), close_forced()], note("detect"), Closed),
        refuses(&started, done("detcet"), UnknownStep { step: s("detcet"), suggestion: Some(s("detect")) }),
        refuses(&started, note("zzzzzz"), UnknownStep { step: s("zzzzzz"), suggestion: None }),
        refuses(&started, done("report"), NotReady { step: s("report"), waiting_for: ids(&["detect"]), forceable: true }),
        refuses(&started, observe("watch"), NotReady { step: s("watch"), waiting_for: ids(&["detect"]), forceable: false }),
        refuses(&detected, done("press"), NotReady { step: s("press"), waiting_for: ids(&["severity"]), forceable: true }),
        refuses(&low, done("press"), NotApplicable { step: s("press"), forceable: true }),
        refuses(&low, approve("press"), NotApplicable { step: s("press"), forceable: false }),
        refuses(&detected, done("detect"), AlreadyDone { step: s("detect"), by: stamp() }),
        refuses(&detected, skip("detect"), AlreadyDone { step: s("detect"), by: stamp() }),
        refuses(&[start(), skip("detect")], done("detect"), AlreadySkipped { step: s("detect"), by: stamp() }),
        refuses(&[start(), skip("watch")], skip("watch"), AlreadySkipped { step: s("watch"), by: stamp() }),
        refuses(&detected, done("severity"), UseDecide { step: s("severity") }),
        refuses(&detected, skip("severity"), UseDecide { step: s("severity") }),
        refuses(&started, done("sign-off"), UseApprove { step: s("sign-off"), approver: s("発信管理者") }),
        refuses(&started, decide("detect", "low"), NotADecision { step: s("detect") }),
        refuses(&detected, decide("severity", "medium"), UnknownOption { step: s("severity"), option: s("medium"), options: ids(&["low", "high"]) }),
        refuses(&low, decide("severity", "high"), AlreadyDecided { step: s("severity"), current: s("low") }),
        refuses(&low, redecide("severity", "low"), SameAnswer { step: s("severity") }),
        refuses(&started, approve("detect"), NotApprovable { step: s("detect") }),
        refuses(&started, reject("watch"), NotApprovable { step: s("watch") }),
        refuses(&high, done("press"), NeedsApproval { step: s("press"), approver: s("発信管理者") }),
        // An approval or refusal typed in names the person, never a part or a division.
        refuses(&high, Command::Approve { step: s("press"), by: s(" 発信管理者 "), statements: None }, NotAPerson { step: s("press"), name: s("発信管理者") }),
        refuses(&high, Command::Reject { step: s("press"), by: s("広報広聴課"), reason: s("表現") }, NotAPerson { step: s("press"), name: s("広報広聴課") }),
        // Issue 28 (4): facts that cannot contradict each other.
        refuses(&started, set_fact("genuine_account", "@city_0fficial"), NotAnOwnAccount { fact: s("genuine_account"), value: s("@city_0fficial"), lookalike: Some(s("city_official")) }),
        refuses(&[start(), set_fact("genuine_account", "@city_official")], set_fact("fake_account", "＠City_Official"), SameAccount { fact: s("fake_account"), other: s("genuine_account"), value: s("＠City_Official") }),
        // Issue 28 (1): a text claims only acts done when it is posted.
        refuses(&[signable(), vec![approve_reading("sign-off", vec![edited("announce", "偽アカウントを通報しました")])]].concat(), post_edited("announce", "偽アカウントを通報しました"), ClaimNotDone { step: s("announce"), act: s("name-fake"), phrase: s("偽アカウントを通報しました") }),
        refuses(&[start(), set_fact("fake_account", "@a")], Command::RemoveFactValue { fact: s("fake_account"), value: s("@b") }, NotAFactValue { fact: s("fake_account"), value: s("@b") }),
        refuses(&[start(), set_fact("topic", "防災")], Command::RemoveFactValue { fact: s("topic"), value: s("防災") }, NotAFactValue { fact: s("topic"), value: s("防災") }),
        refuses(&[start(), set_fact("fake_account", "@a")], Command::RemoveFactValue { fact: s("fake_account"), value: s("@A") }, LastFactValue { fact: s("fake_account") }),
        // Issue 28 (2): nothing unfinished is published, approved or forced.
        refuses(&[high.as_slice(), &[approve_reading("press", vec![edited("press", "訂正\n（誤）○○")])]].concat(), post_edited("press", "訂正\n（誤）○○"), UnfinishedText { step: s("press"), line: 2, column: 4, mark: s("○○") }),
        refuses(&[start_on_x(), done("detect"), queue("report", &["広報広聴課"]), deliver(1), decide("severity", "low"), set_fact("fake_account", "@fake"), approve_reading("sign-off", vec![edited("announce", &"注".repeat(141))])], post_edited("announce", &"注".repeat(141)), TooLong { step: s("announce"), platform: s("X"), count: 282, max: 280 }),
        refuses(&high, Command::Complete { step: s("press"), note: None, force: Some(s("電話で承認を得た")), statement: Some(hikeshi::incident::Statement { text: s("詳細："), file: None, timeless: None, unfilled: vec![s("website")] }) }, UnfilledValues { step: s("press"), names: vec![s("website")] }),
        refuses(&started, check("detect", 2), NoChecklistItem { step: s("detect"), item: 3, count: 2 }),
        refuses(&started, check("watch", 0), NoChecklistItem { step: s("watch"), item: 1, count: 0 }),
        refuses(&detected, observe("detect"), NotAMonitor { step: s("detect") }),
        refuses(&started, reopen("detect"), NotReopenable { step: s("detect") }),
        refuses(&started, Command::Skip { step: s("watch"), reason: s(" ") }, Empty { what: Field::Reason }),
        refuses(&started, Command::Note { text: s(""), step: None }, Empty { what: Field::Text }),
        refuses(&started, Command::Approve { step: s("sign-off"), by: s("  "), statements: None }, Empty { what: Field::By }),
        refuses(&started, Command::IdentifyAccount { account: None, platform: None }, Empty { what: Field::Account }),
        refuses(&[start_exercise(), begin(), close_forced()], Command::RecordReview { good: s(""), issues: s(" "), improvements: s("\n") }, Empty { what: Field::Review }),
        refuses(&started, Command::Close { force: None }, OpenSteps { steps: ids(ALL_STEPS) }),
        refuses(&started, handover(OPERATOR), SameOperator { name: s(OPERATOR) }),
        refuses(&started, handover("佐藤\r\nBcc: x@example.jp"), ControlCharacter { what: Field::To }),
        refuses(&started, Command::IdentifyAccount { account: Some(s("@a\n@b")), platform: None }, ControlCharacter { what: Field::Account }),
        refuses(&delivered, Command::Acknowledge { message: 1, by: s("鈴\u{7}木"), note: None }, ControlCharacter { what: Field::By }),
        // Issue 18 (2, 11): one rule for every typed name and text.
        refuses(&high, Command::Approve { step: s("press"), by: s("a\nb"), statements: None }, ControlCharacter { what: Field::By }),
        refuses(&high, Command::Approve { step: s("press"), by: s("x\u{1b}]0;T\u{7}"), statements: None }, ControlCharacter { what: Field::By }),
        refuses(&high, Command::Reject { step: s("press"), by: s("佐藤\r\n"), reason: s("表現") }, ControlCharacter { what: Field::By }),
        refuses(&[], Command::Start { params: hikeshi::incident::StartParams { title: s("乗っ取り\u{202e}txt.exe"), account: None, platform: None, operator: s(OPERATOR), severity: None, exercise: false, facts: Default::default(), origin: None }, playbook_sha256: "a".repeat(64), divisions_sha256: "b".repeat(64) }, ControlCharacter { what: Field::Title }),
        refuses(&started, evidence_file("detect", "000004-\u{202e}gnp.exe"), ControlCharacter { what: Field::File }),
        refuses(&started, evidence_file("detect", "a\u{2028}b.png"), ControlCharacter { what: Field::File }),
        refuses(&started, done("det\u{1b}[2Ject"), ControlCharacter { what: Field::Step }),
        refuses(&started, Command::Note { text: s("画面を消す\u{1b}[2J"), step: None }, ControlInText { what: Field::Text }),
        refuses(&high, Command::Reject { step: s("press"), by: s("佐藤"), reason: s("理由\u{2029}") }, ControlInText { what: Field::Reason }),
        refuses(&started, Command::AttachEvidence { step: s("detect"), evidence: EvidenceRecord::Url { url: s("https://") }, note: None }, BadUrl { url: s("https://") }),
        refuses(&started, Command::AttachEvidence { step: s("detect"), evidence: EvidenceRecord::Url { url: s("javascript:alert(1)") }, note: None }, BadUrl { url: s("javascript:alert(1)") }),
        refuses(&detected, done("report"), UseNotify { step: s("report") }),
        refuses(&started, queue("detect", &["広報広聴課"]), NotANotify { step: s("detect") }),
        refuses(&queued, queue("report", &["広報広聴課"]), AlreadyQueued { step: s("report"), messages: vec![1] }),
        refuses(&started, deliver(9), UnknownMessage { message: s("#9") }),
        refuses(&queued, acknowledge(2), UnknownMessage { message: s("#2") }),
        refuses(&delivered, deliver(1), AlreadyDelivered { message: 1 }),
        refuses(&delivered, fail(1), AlreadyDelivered { message: 1 }),
        refuses(&queued, acknowledge(1), NotDelivered { message: 1, to: s("広報広聴課") }),
        // Issue 25 (11): one acknowledgement in force; a wrong one is withdrawn with a reason.
        refuses(&[delivered.as_slice(), &[acknowledge(1)]].concat(), acknowledge(1), AlreadyAcknowledged { message: 1, to: s("広報広聴課"), by: s("鈴木") }),
        refuses(&delivered, withdraw(1, "別の課だった"), NotAcknowledged { message: 1, to: s("広報広聴課") }),
        refuses(&[delivered.as_slice(), &[acknowledge(1)]].concat(), withdraw(1, " "), Empty { what: Field::Reason }),
        refuses(&delivered, withdraw(7, "x"), UnknownMessage { message: s("#7") }),
        refuses(&[delivered.as_slice(), &[acknowledge(1)]].concat(), Command::WithdrawAcknowledgement { message: 1, reason: s("別の課だった"), seen: Some(chrono::DateTime::parse_from_rfc3339("2026-11-22T13:00:00+09:00").unwrap()) }, AcknowledgementChanged { message: 1, to: s("広報広聴課"), by: s("鈴木") }),
        refuses(&delivered, reply(1, reply_mail("x@evil.example", Verdict::Acknowledged)), ReplyFromElsewhere { message: 1, from: s("x@evil.example") }),
        refuses(&[start(), done("detect"), queue("report", &["広報広聴課"]), deliver(1), reply(1, reply_mail("広報広聴課@city.example.jp", Verdict::Acknowledged))], reply(1, reply_mail("広報広聴課@city.example.jp", Verdict::Acknowledged)), ReplyAlreadyRecorded { reply_id: s("r1@city.example.jp") }),
        refuses(&delivered, Command::RecordReply { message: 1, reply: reply_mail("広報広聴課@city.example.jp", Verdict::Acknowledged), answer: Some(answer_to("広報広聴課@city.example.jp")), statements: None }, AnswerNotNeeded { reply_id: s("r1@city.example.jp") }),
        refuses(&delivered, Command::RecordReply { message: 1, reply: reply_mail("広報広聴課@city.example.jp", Verdict::Unclear(Unclear::Qualified)), answer: Some(answer_to("x@evil.example")), statements: None }, AnswerMismatch { reply_id: s("r1@city.example.jp") }),
        refuses(&delivered, Command::ApplyHeldReply { reply_id: s("r1@city.example.jp"), answer: None, statements: None }, NoHeldReply { reply_id: s("r1@city.example.jp") }),
        refuses(&[requested.as_slice(), &[reopen("report"), reply(2, reply_mail("発信管理者@city.example.jp", Verdict::Approved))]].concat(), Command::ApplyHeldReply { reply_id: s("r1@city.example.jp"), answer: None, statements: None }, ReplyStillHeld { message: 2, step: s("sign-off") }),
        refuses(&signable(), request("sign-off", "広報広聴課"), NotTheApprover { step: s("sign-off"), approver: s("発信管理者"), to: s("広報広聴課") }),
        refuses(&started, evidence_file("detect", "../journal.jsonl"), BadEvidenceName { name: s("../journal.jsonl") }),
        refuses(&started, evidence_file("detect", ".."), BadEvidenceName { name: s("..") }),
        refuses(&started, call("広報課"), UnknownParty { name: s("広報課"), suggestion: Some(s("広報広聴課")) }),
        refuses(&started, call("総務部"), UnknownParty { name: s("総務部"), suggestion: None }),
        refuses(&detected, queue("report", &[]), NoRecipients { step: s("report") }),
        refuses(&[], start_with_severity("medium"), UnknownSeverity { severity: s("medium"), options: ids(&["low", "high"]) }),
        refuses(&started, begin(), NotAnExercise),
        refuses(&[start(), close_forced()], review(), NotAnExercise),
        refuses(&begun, begin(), ExerciseBegun { begun: true }),
        refuses(&exercise, fire("press-call"), ExerciseBegun { begun: false }),
        refuses(&fired, fire("press-call"), InjectAlreadyFired { inject: s("press-call") }),
        // Issue 18 (10): the record's time never runs backwards unnoticed.
        // Two minutes is the skew allowed between PCs; beyond it, the time ran backwards.
        refuses_at(&started, done("detect"), "2026-11-22T14:00:59+09:00", EarlierThanJournal { last: time(AT), at: time("2026-11-22T14:00:59+09:00") }),
    ];
    cases
}

/// Runs every case and lists each one whose answer is not `expected(case)`.
fn failures<T: std::fmt::Debug>(
    cases: &[Case<T>],
    expected: impl for<'a> Fn(&'a T) -> Result<&'a Vec<Event>, &'a Refusal>,
) -> Vec<String> {
    let mut failures = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let state = given(&case.given);
        let got = match case.at {
            Some(at) => state.apply_at(&case.command, at),
            None => state.apply(&case.command),
        };
        if got.as_ref() != expected(&case.expected) {
            failures.push(format!(
                "case {i}: {:?}\n  expected {:?}\n  got      {got:?}",
                case.command, case.expected
            ));
        }
    }
    failures
}

/// The variants of `pub enum NAME` (read from its source) that no case covers.
fn uncovered(name: &str, covered: BTreeSet<String>) -> Vec<String> {
    let variants = variants_of(name);
    assert!(variants.len() > 20, "the enum was not read: {variants:?}");
    variants
        .into_iter()
        .filter(|v| !covered.contains(v))
        .collect()
}

#[test]
fn every_refusal_case_is_refused_as_expected() {
    let failures = failures(&refusal_cases(), |r| Err(r));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Reads the variants from `pub enum Refusal` itself: a variant added without a case here
/// fails this test, with no list to keep in step by hand.
#[test]
fn every_refusal_variant_has_a_case() {
    let covered = refusal_cases()
        .iter()
        .map(|c| variant_name(&c.expected))
        .collect();
    let missing = uncovered("Refusal", covered);
    assert!(
        missing.is_empty(),
        "refusals with no case in tests/apply.rs: {missing:?}"
    );
}

/// The core speaks no command line: no refusal's words name a `hikeshi` command, a flag or
/// a key; what would fix it is data ([`Refusal::remedies`]), worded by each face.
#[test]
fn no_refusal_names_a_command_or_a_flag() {
    for case in refusal_cases() {
        let refusal = &case.expected;
        for lang in [Lang::Ja, Lang::En] {
            let text = refusal.message(lang);
            assert!(
                !text.contains("hikeshi ") && !text.contains("--"),
                "{refusal:?}: {text}"
            );
        }
    }
}

/// Each refusal reads as one line in each language, and the two differ (a missing
/// translation would repeat one language or leave the text empty).
#[test]
fn every_refusal_has_a_japanese_and_an_english_message() {
    let mut seen_ja = BTreeSet::new();
    let mut seen_en = BTreeSet::new();
    for case in refusal_cases() {
        let refusal = &case.expected;
        let ja = refusal.message(Lang::Ja);
        let en = refusal.message(Lang::En);
        assert!(!ja.trim().is_empty(), "{refusal:?}: empty Japanese message");
        assert!(!en.trim().is_empty(), "{refusal:?}: empty English message");
        assert_ne!(ja, en, "{refusal:?}: the same text in both languages");
        assert!(
            ja.chars().any(|c| ('\u{3040}'..='\u{30ff}').contains(&c)),
            "{refusal:?}: the Japanese message has no kana: {ja}"
        );
        assert!(
            en.is_ascii() || refusal_names_non_ascii(refusal),
            "{refusal:?}: the English message is not English: {en}"
        );
        assert!(
            !ja.contains('\n') && !en.contains('\n'),
            "{refusal:?}: not one line"
        );
        // What is wrong, and what would fix it (a face words the fixes).
        seen_ja.insert(format!("{ja} {:?}", refusal.remedies()));
        seen_en.insert(format!("{en} {:?}", refusal.remedies()));
    }
    // Different refusals never read the same (the cases that repeat a refusal are few).
    let distinct: BTreeSet<String> = refusal_cases()
        .iter()
        .map(|c| format!("{:?}", c.expected))
        .collect();
    assert_eq!(
        seen_ja.len(),
        distinct.len(),
        "two refusals share a Japanese message"
    );
    assert_eq!(
        seen_en.len(),
        distinct.len(),
        "two refusals share an English message"
    );
}

/// English messages quote what was given, which may be Japanese (a division, an approver).
fn refusal_names_non_ascii(refusal: &Refusal) -> bool {
    !format!("{refusal:?}").is_ascii()
}

fn started_event(exercise: bool) -> Event {
    Event::IncidentStarted {
        playbook: s("engine-test"),
        playbook_title: s("エンジン検査用"),
        playbook_version: None,
        playbook_sha256: "a".repeat(64),
        divisions_sha256: "b".repeat(64),
        params: hikeshi::incident::StartParams {
            title: s("テスト事案"),
            account: Some(s("@city_official")),
            platform: None,
            operator: s(OPERATOR),
            severity: None,
            exercise,
            facts: Default::default(),
            origin: None,
        },
    }
}

fn completed(step: &str) -> Event {
    Event::StepCompleted {
        step: s(step),
        note: None,
        forced: None,
        posted: None,
    }
}

fn queued_event(number: u32, to: &str) -> Event {
    Event::NotificationQueued {
        message: number,
        step: s("report"),
        letter: message("report", to),
    }
}

fn sent(message: u32) -> Event {
    Event::NotificationSent {
        message,
        transport: s("file"),
        reply: s("outbox"),
    }
}

fn command_cases() -> Vec<Case<Vec<Event>>> {
    let requested = [
        signable(),
        vec![request("sign-off", "発信管理者"), deliver(2)],
    ]
    .concat();
    let started = [start()];
    let detected = [start(), done("detect")];
    let low = [start(), done("detect"), decide("severity", "low")];
    let high = [start(), done("detect"), decide("severity", "high")];
    let queued = [start(), done("detect"), queue("report", &["広報広聴課"])];
    let queued_two = [
        start(),
        done("detect"),
        queue("report", &["広報広聴課", "情報政策課"]),
    ];
    let delivered = [
        start(),
        done("detect"),
        queue("report", &["広報広聴課"]),
        deliver(1),
    ];
    let exercise = [start_exercise()];
    let begun = [start_exercise(), begin()];
    let retry = chrono::DateTime::parse_from_rfc3339("2026-11-22T14:05:00+09:00").unwrap();
    #[rustfmt::skip]
    let cases = vec![
        yields(&[], start(), vec![started_event(false)]),
        yields(&[], start_exercise(), vec![started_event(true)]),
        yields(&started, done("detect"), vec![completed("detect")]),
        // Another PC's clock a minute behind is within the skew allowed.
        yields_at(&started, done("detect"), "2026-11-22T14:02:00+09:00", vec![completed("detect")]),
        yields(&started, Command::Complete { step: s("detect"), note: Some(s(" ")), force: None, statement: None }, vec![completed("detect")]),
        yields(&started, forced("report"), vec![Event::StepCompleted { step: s("report"), note: None, forced: Some(s("電話で対応済み")), posted: None }]),
        yields(&high, forced("press"), vec![Event::StepCompleted { step: s("press"), note: None, forced: Some(s("電話で対応済み")), posted: None }]),
        yields(&[start(), done("detect"), decide("severity", "high"), approve("press")], done("press"), vec![completed("press")]),
        yields(&started, skip("watch"), vec![Event::StepSkipped { step: s("watch"), reason: s("対象外") }]),
        yields(&detected, decide("severity", "high"), vec![Event::DecisionMade { step: s("severity"), option: s("high"), reason: None, previous: None, forced: None }]),
        yields(&low, redecide("severity", "high"), vec![Event::DecisionMade { step: s("severity"), option: s("high"), reason: Some(s("拡散が続いている")), previous: Some(s("low")), forced: None }]),
        yields(&started, Command::Decide { step: s("severity"), option: s("low"), reason: None, force: Some(s("先に判断")) }, vec![Event::DecisionMade { step: s("severity"), option: s("low"), reason: None, previous: None, forced: Some(s("先に判断")) }]),
        yields(&high, approve("press"), vec![Event::ApprovalGiven { step: s("press"), by: s("佐藤"), texts: approval_texts(&high, "press"), reply: None }]),
        yields(&[high.as_slice(), &[approve_reading("press", vec![edited("press", "案A")])]].concat(), post_edited("press", "案A"), vec![Event::StepCompleted { step: s("press"), note: None, forced: None, posted: Some(hikeshi::incident::PostedText { text: s("案A"), sha256: hikeshi::digest::sha256_hex("案A".as_bytes()), file: Some(s("statements/press.txt")) }) }]),
        yields(&[signable(), vec![approve("sign-off")]].concat(), post_filled("announce", "偽アカウントに御注意ください"), vec![Event::StepCompleted { step: s("announce"), note: None, forced: None, posted: Some(hikeshi::incident::PostedText { text: s("偽アカウントに御注意ください"), sha256: hikeshi::digest::sha256_hex("偽アカウントに御注意ください".as_bytes()), file: None }) }]),
        yields(&high, approve_reading("press", vec![edited("press", "案A")]), vec![Event::ApprovalGiven { step: s("press"), by: s("佐藤"), texts: vec![hikeshi::incident::event::ApprovedText { step: s("press"), sha256: hikeshi::digest::sha256_hex("案A".as_bytes()) }], reply: None }]),
        yields(&high, reject("press"), vec![Event::ApprovalRejected { step: s("press"), by: s("佐藤"), reason: s("表現を直す"), reply: None }]),
        yields(&started, check("detect", 1), vec![Event::ChecklistChecked { step: s("detect"), item: 1, checked: true }]),
        yields(&detected, observe("watch"), vec![Event::ObservationRecorded { step: s("watch"), text: s("新たな投稿なし") }]),
        yields(&detected, reopen("detect"), vec![Event::StepReopened { step: s("detect"), reason: s("やり直す") }]),
        yields(&started, note("detect"), vec![Event::NoteAdded { text: s("記者から問い合わせ"), step: Some(s("detect")) }]),
        yields(&started, evidence_url("detect"), vec![Event::EvidenceAttached { step: s("detect"), evidence: EvidenceRecord::Url { url: s("https://x.com/city_official/status/1") }, note: Some(s("なりすまし投稿")) }]),
        yields(&started, evidence_file("detect", "0003-shot.png"), vec![Event::EvidenceAttached { step: s("detect"), evidence: EvidenceRecord::File { name: s("0003-shot.png"), original: s("/tmp/screenshot.png"), sha256: "c".repeat(64), bytes: 1024 }, note: None }]),
        yields(&started, handover("佐藤"), vec![Event::HandedOver { from: s(OPERATOR), to: s("佐藤"), summary: s("引き継ぎ事項") }]),
        yields(&detected, queue("report", &["広報広聴課", "情報政策課"]), vec![queued_event(1, "広報広聴課"), queued_event(2, "情報政策課")]),
        yields(&queued, deliver(1), vec![sent(1), completed("report")]),
        yields(&queued_two, deliver(2), vec![sent(2)]),
        yields(&queued, fail(1), vec![Event::NotificationFailed { message: 1, attempt: 1, error: s("421 try again later"), permanent: false, next_retry: Some(retry) }]),
        yields(&[start(), done("detect"), queue("report", &["広報広聴課"]), fail(1)], Command::RecordFailure { message: 1, error: s("550 no such user"), permanent: true, next_retry: Some(retry) }, vec![Event::NotificationFailed { message: 1, attempt: 2, error: s("550 no such user"), permanent: true, next_retry: None }]),
        yields(&delivered, reply(1, reply_mail("広報広聴課@CITY.example.jp", Verdict::Acknowledged)), vec![Event::ReplyRecorded { message: 1, reply: reply_mail("広報広聴課@CITY.example.jp", Verdict::Acknowledged) }]),
        yields(&queued, reply(1, reply_mail("広報広聴課@city.example.jp", Verdict::Acknowledged)), vec![Event::ReplyHeld { message: 1, reply: reply_mail("広報広聴課@city.example.jp", Verdict::Acknowledged) }]),
        yields(&delivered, reply(1, reply_mail("広報広聴課@city.example.jp", Verdict::Approved)), vec![Event::ReplyNotCounted { message: 1, issue: ReplyIssue::NotAnApprovalRequest, reply: reply_mail("広報広聴課@city.example.jp", Verdict::Approved) }]),
        yields(&delivered, Command::RecordReply { message: 1, reply: reply_mail("広報広聴課@city.example.jp", Verdict::Unclear(Unclear::Qualified)), answer: Some(answer_to("広報広聴課@city.example.jp")), statements: None }, vec![Event::ReplyNotCounted { message: 1, issue: ReplyIssue::Unclear, reply: reply_mail("広報広聴課@city.example.jp", Verdict::Unclear(Unclear::Qualified)) }, Event::NotificationQueued { message: 2, step: s("report"), letter: answer_to("広報広聴課@city.example.jp") }]),
        yields(&requested, reply(2, reply_mail("発信管理者@city.example.jp", Verdict::Acknowledged)), vec![Event::ReplyNotCounted { message: 2, issue: ReplyIssue::NeedsAnswer, reply: reply_mail("発信管理者@city.example.jp", Verdict::Acknowledged) }]),
        yields(&[requested.as_slice(), &[set_fact("fake_account", "@other")]].concat(), reply(2, reply_mail("発信管理者@city.example.jp", Verdict::Approved)), vec![Event::ReplyNotCounted { message: 2, issue: ReplyIssue::TextChanged, reply: reply_mail("発信管理者@city.example.jp", Verdict::Approved) }]),
        yields(&[requested.as_slice(), &[reopen("report")]].concat(), reply(2, reply_mail("発信管理者@city.example.jp", Verdict::Approved)), vec![Event::ReplyHeld { message: 2, reply: reply_mail("発信管理者@city.example.jp", Verdict::Approved) }]),
        // A later reply from the same approver replaces a held one: their last words count.
        yields(&[requested.as_slice(), &[reopen("report"), reply(2, reply_mail("発信管理者@city.example.jp", Verdict::Approved))]].concat(), reply(2, Reply { reply_id: s("r2@city.example.jp"), reason: Some(s("日付誤り")), ..reply_mail("発信管理者@city.example.jp", Verdict::Rejected) }), vec![Event::ReplyNotCounted { message: 2, issue: ReplyIssue::Replaced, reply: reply_mail("発信管理者@city.example.jp", Verdict::Approved) }, Event::ReplyHeld { message: 2, reply: Reply { reply_id: s("r2@city.example.jp"), reason: Some(s("日付誤り")), ..reply_mail("発信管理者@city.example.jp", Verdict::Rejected) } }]),
        yields(&[requested.as_slice(), &[reopen("report"), reply(2, reply_mail("発信管理者@city.example.jp", Verdict::Approved)), queue("report", &["広報広聴課"]), deliver(3)]].concat(), Command::ApplyHeldReply { reply_id: s("r1@city.example.jp"), answer: None, statements: None }, vec![Event::ReplyRecorded { message: 2, reply: reply_mail("発信管理者@city.example.jp", Verdict::Approved) }, Event::ApprovalGiven { step: s("sign-off"), by: s("佐藤課長 <発信管理者@city.example.jp>"), texts: signable_texts(), reply: Some(2) }]),
        yields(&[requested.as_slice(), &[reopen("report"), reply(2, reply_mail("発信管理者@city.example.jp", Verdict::Approved)), queue("report", &["広報広聴課"]), deliver(3), set_fact("fake_account", "@other")]].concat(), Command::ApplyHeldReply { reply_id: s("r1@city.example.jp"), answer: None, statements: None }, vec![Event::ReplyNotCounted { message: 2, issue: ReplyIssue::TextChanged, reply: reply_mail("発信管理者@city.example.jp", Verdict::Approved) }]),
        yields(&[signable(), vec![reading(request("sign-off", "発信管理者"), vec![edited("announce", "案A")]), deliver(2)]].concat(), reading(reply(2, reply_mail("発信管理者@city.example.jp", Verdict::Approved)), vec![edited("announce", "案B")]), vec![Event::ReplyNotCounted { message: 2, issue: ReplyIssue::TextChanged, reply: reply_mail("発信管理者@city.example.jp", Verdict::Approved) }]),
        yields(&[requested.as_slice(), &[reject("sign-off")]].concat(), reply(2, reply_mail("発信管理者@city.example.jp", Verdict::Approved)), vec![Event::ReplyNotCounted { message: 2, issue: ReplyIssue::Superseded, reply: reply_mail("発信管理者@city.example.jp", Verdict::Approved) }]),
        yields(&delivered, acknowledge(1), vec![Event::NotificationAcknowledged { message: 1, by: s("鈴木"), note: None }]),
        yields(&[delivered.as_slice(), &[acknowledge(1)]].concat(), withdraw(1, "別の課だった"), vec![Event::AcknowledgementWithdrawn { message: 1, reason: s("別の課だった") }]),
        yields(&[delivered.as_slice(), &[acknowledge(1), withdraw(1, "別の課だった")]].concat(), acknowledge(1), vec![Event::NotificationAcknowledged { message: 1, by: s("鈴木"), note: None }]),
        yields(&signable(), request("sign-off", "発信管理者"), vec![Event::NotificationQueued { message: 2, step: s("sign-off"), letter: Letter { approval: Some(signable_texts()), ..message("sign-off", "発信管理者") } }]),
        yields(&requested, reply(2, reply_mail("発信管理者@city.example.jp", Verdict::Approved)), vec![Event::ReplyRecorded { message: 2, reply: reply_mail("発信管理者@city.example.jp", Verdict::Approved) }, Event::ApprovalGiven { step: s("sign-off"), by: s("佐藤課長 <発信管理者@city.example.jp>"), texts: signable_texts(), reply: Some(2) }]),
        yields(&requested, reply(2, Reply { reason: Some(s("表現を直す")), ..reply_mail("発信管理者@city.example.jp", Verdict::Rejected) }), vec![Event::ReplyRecorded { message: 2, reply: Reply { reason: Some(s("表現を直す")), ..reply_mail("発信管理者@city.example.jp", Verdict::Rejected) } }, Event::ApprovalRejected { step: s("sign-off"), by: s("佐藤課長 <発信管理者@city.example.jp>"), reason: s("表現を直す"), reply: Some(2) }]),
        yields(&queued, call("広報広聴課"), vec![Event::DivisionCalled { division: s("広報広聴課"), number: Some(s("0836-00-0000")), note: s("電話で伝えた"), covers: vec![] }, completed("report")]),
        yields(&queued_two, call("広報広聴課"), vec![Event::DivisionCalled { division: s("広報広聴課"), number: Some(s("0836-00-0000")), note: s("電話で伝えた"), covers: vec![] }]),
        yields(&started, Command::IdentifyAccount { account: Some(s("@city_fake")), platform: Some(Platform::X) }, vec![Event::AccountIdentified { account: Some(s("@city_fake")), platform: Some(Platform::X) }]),
        yields(&exercise, begin(), vec![Event::ExerciseBegan { scenario: s("drill"), title: s("なりすまし訓練"), scenario_sha256: "e".repeat(64), live_mail: false, targets: vec![TargetTime { step: s("detect"), seconds: 900 }] }]),
        yields(&begun, fire("press-call"), vec![Event::InjectFired { inject: s("press-call"), title: s("報道から問い合わせ"), text: s("新聞社から電話があった"), at_seconds: 600, early: false }]),
        yields(&[start_exercise(), begin(), close_forced()], review(), vec![Event::ReviewRecorded { good: s("初動が早かった"), issues: s("連絡先が古かった"), improvements: s("名簿を更新する") }]),
        yields(&started, close_forced(), vec![Event::IncidentClosed { reason: Some(s("訓練終了")), open_steps: ids(ALL_STEPS), undelivered: vec![] }]),
        yields(&queued, close_forced(), vec![Event::IncidentClosed { reason: Some(s("訓練終了")), open_steps: ids(&["report", "severity", "press", "watch", "sign-off", "close-out", "announce", "name-fake"]), undelivered: vec![1] }]),
        yields(&[start(), done("detect"), queue("report", &["広報広聴課"]), deliver(1), decide("severity", "low"), set_fact("fake_account", "@fake"), approve("sign-off")], done("announce"), vec![completed("announce")]),
        yields(&started, add_to("report", &["情報政策課"]), vec![Event::RecipientsAdded { step: s("report"), to: ids(&["情報政策課"]) }]),
        yields(&started, set_fact("fake_account", " @city_0fficial "), vec![Event::FactSet { fact: s("fake_account"), value: s("@city_0fficial"), previous: None }]),
        yields(&[start(), set_fact("topic", "防災")], set_fact("topic", "健康"), vec![Event::FactSet { fact: s("topic"), value: s("健康"), previous: Some(s("防災")) }]),
        // Issue 28 (4): a list gains a value, and gives one back.
        yields(&[start(), set_fact("fake_account", "@a")], set_fact("fake_account", "@b"), vec![Event::FactSet { fact: s("fake_account"), value: s("@a\n@b"), previous: Some(s("@a")) }]),
        yields(&[start(), set_fact("fake_account", "@a"), set_fact("fake_account", "@b")], Command::RemoveFactValue { fact: s("fake_account"), value: s("＠A") }, vec![Event::FactSet { fact: s("fake_account"), value: s("@b"), previous: Some(s("@a\n@b")) }]),
        yields(&[start(), done("detect"), decide("severity", "high"), set_fact("fake_account", "@fake")], done("name-fake"), vec![completed("name-fake")]),
    ];
    cases
}

#[test]
fn every_command_case_yields_its_events() {
    let failures = failures(&command_cases(), |e| Ok(e));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_command_variant_has_a_case() {
    let covered = command_cases()
        .iter()
        .map(|c| variant_name(&c.command))
        .collect();
    let missing = uncovered("Command", covered);
    assert!(
        missing.is_empty(),
        "commands with no case in tests/apply.rs: {missing:?}"
    );
}

/// An approval step journals the texts it approves (the posts naming it in `approved_in`),
/// each by the hash of its text: the same text hashes the same, a changed fact changes it.
#[test]
fn an_approval_step_journals_the_hash_of_each_text_it_covers() {
    let before = [
        start(),
        done("detect"),
        queue("report", &["広報広聴課"]),
        deliver(1),
        decide("severity", "low"),
    ];
    let texts = |facts: &[Command]| {
        let mut g = before.to_vec();
        g.extend_from_slice(facts);
        match given(&g).apply(&approve("sign-off")).unwrap().as_slice() {
            [Event::ApprovalGiven { texts, .. }] => texts.clone(),
            other => panic!("{other:?}"),
        }
    };
    let one = texts(&[set_fact("fake_account", "@fake")]);
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].step, "announce");
    assert_eq!(one[0].sha256.len(), 64);
    assert_eq!(texts(&[set_fact("fake_account", "@fake")]), one);
    assert_ne!(texts(&[set_fact("fake_account", "@other")]), one);
}

/// Issue 25 (13): a reopened step's checklist is worked through again: its ticks go with
/// the reopen.
#[test]
fn a_reopen_clears_the_checklist() {
    let ix = playbook().graph.find("detect").unwrap();
    let ticked = given(&[
        start(),
        check("detect", 0),
        check("detect", 1),
        done("detect"),
    ]);
    assert_eq!(ticked.state.step(ix).unwrap().checked.len(), 2);
    let reopened = given(&[
        start(),
        check("detect", 0),
        check("detect", 1),
        done("detect"),
        reopen("detect"),
    ]);
    assert!(reopened.state.step(ix).unwrap().checked.is_empty());
}
