//! One fixture per diagnostic: the code, line, column, offending text, message and hint of
//! each, through the real CLI (`hikeshi check --json`), as a playbook author would see them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{check_json, fixture, hikeshi};
use predicates::prelude::*;

struct Case {
    file: &'static str,
    code: &'static str,
    line: u64,
    column: u64,
    text: &'static str,
    message: &'static str,
    hint: &'static str,
}

const fn case(
    file: &'static str,
    code: &'static str,
    (line, column): (u64, u64),
    text: &'static str,
    message: &'static str,
    hint: &'static str,
) -> Case {
    Case {
        file,
        code,
        line,
        column,
        text,
        message,
        hint,
    }
}

const CASES: &[Case] = &[
    case(
        "syntax.yaml",
        "syntax",
        (5, 12),
        "",
        "YAML syntax error: unclosed quote",
        "unclosed quotes",
    ),
    case(
        "unknown-field.yaml",
        "unknown_field",
        (5, 5),
        "titel",
        "unknown field `titel`",
        "did you mean `title`?",
    ),
    case(
        "wrong-type.yaml",
        "wrong_type",
        (7, 12),
        "",
        "wrong type: expected a list",
        "a list is `[a, b]`",
    ),
    case(
        "unknown-kind.yaml",
        "unknown_variant",
        (6, 11),
        "notfy",
        "unknown value `notfy`",
        "did you mean `notify`?",
    ),
    case(
        "unknown-platform.yaml",
        "unknown_variant",
        (3, 16),
        "twiter",
        "unknown value `twiter`",
        "allowed values: `x`, `instagram`",
    ),
    case(
        "missing-field.yaml",
        "missing_field",
        (5, 5),
        "",
        "missing field `title`",
        "add `title:`",
    ),
    case(
        "duplicate-key.yaml",
        "duplicate_key",
        (6, 5),
        "title",
        "duplicate key `title`",
        "remove one of them",
    ),
    case(
        "duplicate-step.yaml",
        "duplicate_step",
        (7, 9),
        "check",
        "duplicate step id `check` (first defined on line 4)",
        "rename one of them",
    ),
    case(
        "unknown-after.yaml",
        "unknown_step",
        (10, 13),
        "detcet",
        "unknown step `detcet`",
        "did you mean `detect`?",
    ),
    case(
        "cycle.yaml",
        "cycle",
        (7, 13),
        "c",
        "the steps form a cycle: a -> b -> c -> a",
        "remove one of these prerequisites",
    ),
    case(
        "self-cycle.yaml",
        "cycle",
        (7, 13),
        "a",
        "the steps form a cycle: a -> a",
        "remove one of these prerequisites",
    ),
    case(
        "unknown-division.yaml",
        "unknown_recipient",
        (7, 17),
        "広報課",
        "unknown division or role `広報課`",
        "did you mean `広報広聴課`?",
    ),
    case(
        "full-width.yaml",
        "unknown_recipient",
        (7, 26),
        "総務課",
        "unknown division or role `総務課`",
        "add it to `divisions` or `roles` in divisions.yaml",
    ),
    case(
        "unknown-role.yaml",
        "unknown_role",
        (8, 15),
        "発信責任者",
        "unknown role or division `発信責任者`",
        "did you mean `発信管理者`?",
    ),
    case(
        "when-not-decision.yaml",
        "when_not_decision",
        (11, 11),
        "detect",
        "`when` refers to `detect`, which is not a decision",
        "`when` must name a step of `kind: decision`",
    ),
    case(
        "when-unknown-decision.yaml",
        "when_unknown_decision",
        (15, 11),
        "scop",
        "`when` refers to an unknown decision `scop`",
        "did you mean `scope`?",
    ),
    case(
        "when-unknown-option.yaml",
        "when_unknown_option",
        (17, 20),
        "broad",
        "decision `scope` has no option `broad`",
        "options: `narrow`, `wide`",
    ),
    case(
        "when-undecidable.yaml",
        "when_undecidable",
        (16, 11),
        "scope",
        "step `press` depends on decision `scope`, which is not among its prerequisites",
        "add `scope` (or a step after it) to `after`",
    ),
    case(
        "when-syntax.yaml",
        "condition_syntax",
        (15, 11),
        "scope = wide",
        "cannot parse the condition `scope = wide`",
        "write `decision == option`",
    ),
    case(
        "unreachable.yaml",
        "unreachable",
        (18, 9),
        "press-followup",
        "step `press-followup` is not applicable under any decision outcome",
        "contradicts the conditions of its prerequisites",
    ),
    case(
        "bad-duration.yaml",
        "bad_duration",
        (7, 10),
        "15分",
        "invalid duration `15分`",
        "`15m`, `2h`, `1d`, `1h30m`",
    ),
    case(
        "empty.yaml",
        "empty_playbook",
        (1, 1),
        "",
        "the playbook has no steps",
        "add at least one step under `steps:`",
    ),
    case(
        "no-steps.yaml",
        "empty_playbook",
        (3, 1),
        "",
        "the playbook has no steps",
        "add at least one step under `steps:`",
    ),
    case(
        "unknown-placeholder.yaml",
        "unknown_placeholder",
        (8, 32),
        "{{titel}}",
        "unknown placeholder `{{titel}}`",
        "did you mean `title`?",
    ),
    case(
        "unknown-placeholder.yaml",
        "unknown_placeholder",
        (11, 13),
        "{{acount}}",
        "unknown placeholder `{{acount}}`",
        "did you mean `account`?",
    ),
    case(
        "unclosed-placeholder.yaml",
        "unclosed_placeholder",
        (8, 15),
        "{{",
        "`{{` without a closing `}}`",
        "close it like `{{title}}`",
    ),
    case(
        "field-not-for-kind.yaml",
        "field_not_for_kind",
        (7, 5),
        "to",
        "field `to` does not apply to `kind: action`",
        "check the step's `kind`",
    ),
    case(
        "missing-for-kind.yaml",
        "missing_for_kind",
        (6, 11),
        "notify",
        "`kind: notify` needs the field `to`",
        "add `to:`",
    ),
    case(
        "unknown-source.yaml",
        "unknown_source",
        (10, 14),
        "ueb",
        "source document `ueb` is not listed in `sources`",
        "did you mean `ube`?",
    ),
    case(
        "platform-not-listed.yaml",
        "platform_not_listed",
        (9, 7),
        "instagram",
        "platform `instagram` is not listed in `platforms`",
        "add `instagram` to `platforms`",
    ),
    case(
        "invalid-id.yaml",
        "invalid_id",
        (4, 9),
        "パスワード変更",
        "invalid step id",
        "lower-case ASCII letters",
    ),
    case(
        "division-facts.yaml",
        "fact_not_of_kind",
        (7, 19),
        "poster",
        "the fact `poster` in `from_account` must be of kind `account`",
        "give `poster` `kind: account` under `facts:`",
    ),
    case(
        "division-facts.yaml",
        "field_not_for_kind",
        (12, 5),
        "from_account",
        "field `from_account` does not apply to `kind: fact`",
        "remove the field",
    ),
    case(
        "division-facts.yaml",
        "fact_not_of_kind",
        (17, 17),
        "{{poster}}",
        "the fact `poster` in `to` must be of kind `division`",
        "`kind: division`",
    ),
    case(
        "division-facts.yaml",
        "unknown_fact",
        (17, 31),
        "{{ownr}}",
        "the playbook declares no fact `ownr` under `facts:`",
        "did you mean `owner`?",
    ),
    case(
        "facts.yaml",
        "fact_is_built_in",
        (4, 9),
        "account",
        "the fact `account` has the name of a built-in placeholder",
        "choose another name",
    ),
    case(
        "facts.yaml",
        "filter_needs_time",
        (16, 50),
        "{{title|date}}",
        "the filter `|date` applies to dates and times only",
        "`kind: datetime` fact",
    ),
    case(
        "facts.yaml",
        "unknown_filter",
        (24, 22),
        "kanji",
        "unknown filter `|kanji`",
        "filters: `date`, `time`, `datetime`",
    ),
    case(
        "facts.yaml",
        "unknown_placeholder",
        (24, 31),
        "{{xyz_info}}",
        "unknown placeholder `{{xyz_info}}`",
        "{{posted_at}} (declare the incident's own facts under `facts:`)",
    ),
    case(
        "when-title.yaml",
        "when_unknown_option",
        (17, 28),
        "市民生活に影響",
        "decision `assess-impact` has no option `市民生活に影響`",
        "did you mean `daily-life`? (conditions name an option's id)",
    ),
    case(
        "wrong-type-text.yaml",
        "wrong_type",
        (5, 12),
        "",
        "wrong type: expected text (one value)",
        "write one value",
    ),
    case(
        "basis.yaml",
        "practice_needs_reason",
        (7, 12),
        "practice",
        "a step with `basis: practice` needs a one-line `basis_reason`",
        "e.g. `basis_reason:",
    ),
    case(
        "basis.yaml",
        "reason_without_practice",
        (11, 5),
        "basis_reason",
        "`basis_reason` belongs to steps with `basis: practice`",
        "add `basis: practice`, or remove `basis_reason`",
    ),
    case(
        "shows.yaml",
        "unknown_fact",
        (14, 29),
        "acount_numeric_id",
        "the playbook declares no fact `acount_numeric_id` under `facts:`",
        "account_admins",
    ),
    case(
        "departure.yaml",
        "departure_needs_reason",
        (13, 20),
        "departure_reason",
        "a step with `departs_from` needs a one-line `departure_reason`",
        "e.g. `departure_reason:",
    ),
    case(
        "departure.yaml",
        "reason_without_departure",
        (18, 5),
        "departure_reason",
        "`departure_reason` belongs to steps with `departs_from`",
        "list the clauses in `departs_from`",
    ),
    case(
        "departure.yaml",
        "followed_and_departed",
        (23, 20),
        "ube 4(3)",
        "`ube 4(3)` is both followed (`source`) and departed from (`departs_from`)",
        "remove it from `departs_from`",
    ),
    case(
        "branches.yaml",
        "branch_unknown_option",
        (17, 10),
        "safty",
        "`safty` in `due` is not an option of a decision among the step's prerequisites",
        "did you mean `safety`?",
    ),
    case(
        "branches.yaml",
        "branch_not_covered",
        (22, 12),
        "owner",
        "`owner` gives no value for `daily-life` of decision `assess-impact`, and no `default`",
        "add `default:`",
    ),
    case(
        "approved-in.yaml",
        "approved_in_not_an_approval",
        (13, 18),
        "draft",
        "`approved_in` names `draft`, which is not an approval step among this step's prerequisites",
        "name a `kind: approval` step",
    ),
    case(
        "no-severities.yaml",
        "no_severities",
        (8, 15),
        "true",
        "`severity: true`, but the playbook defines no `severities`",
        "define `severities:`",
    ),
    case(
        "duplicate-milestone.yaml",
        "duplicate_milestone",
        (11, 16),
        "containment",
        "`milestone: containment` is already on step `change-password` (one step per milestone)",
        "remove it from `change-password` or from this step",
    ),
    case(
        "unknown-milestone.yaml",
        "unknown_variant",
        (7, 16),
        "containmnet",
        "unknown value `containmnet`",
        "did you mean `containment`?",
    ),
];

#[test]
fn every_diagnostic_has_its_position_text_message_and_hint() {
    for case in CASES {
        let path = fixture(&format!("diagnostics/{}", case.file));
        let (diagnostics, code) = check_json(&path);
        assert_eq!(code, 1, "{}: an error must exit 1", case.file);
        let found = diagnostics.iter().find(|d| {
            d["problem"]["code"] == case.code
                && d["position"]["line"] == case.line
                && d["position"]["column"] == case.column
        });
        let Some(d) = found else {
            panic!(
                "{}: no `{}` at {}:{}; got {:#?}",
                case.file, case.code, case.line, case.column, diagnostics
            );
        };
        assert_eq!(d["severity"], "error", "{}", case.file);
        assert_eq!(d["text"], case.text, "{}: offending text", case.file);
        let message = d["message"].as_str().unwrap_or_default();
        assert!(
            message.contains(case.message),
            "{}: message {message:?}",
            case.file
        );
        let hint = d["hint"].as_str().unwrap_or_default();
        assert!(hint.contains(case.hint), "{}: hint {hint:?}", case.file);
        assert!(
            d["file"].as_str().unwrap_or_default().ends_with(case.file),
            "{}: file name in the diagnostic",
            case.file
        );
    }
}

#[test]
fn several_problems_in_one_file_are_all_reported() {
    let (diagnostics, code) = check_json(&fixture("diagnostics/unknown-placeholder.yaml"));
    assert_eq!(code, 1);
    let placeholders = diagnostics
        .iter()
        .filter(|d| d["problem"]["code"] == "unknown_placeholder")
        .count();
    assert_eq!(placeholders, 2);
}

#[test]
fn a_valid_playbook_has_no_diagnostics_and_exits_zero() {
    let (diagnostics, code) = check_json(&fixture("diagnostics/valid.yaml"));
    assert_eq!(code, 0);
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
}

#[test]
fn an_overdue_review_is_a_warning_and_still_exits_zero() {
    let (diagnostics, code) = check_json(&fixture("diagnostics/review-overdue.yaml"));
    assert_eq!(code, 0);
    let d = diagnostics
        .iter()
        .find(|d| d["problem"]["code"] == "review_overdue")
        .expect("a review_overdue warning");
    assert_eq!(d["severity"], "warning");
    assert_eq!(
        (
            d["position"]["line"].as_u64(),
            d["position"]["column"].as_u64()
        ),
        (Some(3), Some(11))
    );
    assert!(
        d["message"]
            .as_str()
            .unwrap_or_default()
            .contains("due for review on 2020-09-28")
    );
}

#[test]
fn the_human_rendering_underlines_full_width_text_by_display_width() {
    let out = hikeshi()
        .args(["--lang", "en", "check"])
        .arg(fixture("diagnostics/full-width.yaml"))
        .assert()
        .code(1)
        .get_output()
        .stderr
        .clone();
    let text = String::from_utf8(out).unwrap();
    // `    to: [広報広聴課, デジタル推進課, ` is 9 + 2*5 + 2 + 2*7 + 2 = 37 cells wide.
    let expected = format!(
        " 7 |     to: [広報広聴課, デジタル推進課, 総務課]\n   | {}{}\n",
        " ".repeat(37),
        "^".repeat(6)
    );
    assert!(text.contains(&expected), "{text}");
    assert!(text.contains("full-width.yaml:7:26"), "{text}");
}

#[test]
fn messages_are_japanese_by_default() {
    hikeshi()
        .arg("check")
        .arg(fixture("diagnostics/unknown-after.yaml"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "エラー: 手順 `detcet` は存在しません",
        ))
        .stderr(predicate::str::contains("ヒント: `detect` のことですか？"))
        .stderr(predicate::str::contains("エラー 1 件"));
}

/// The hint of an unknown placeholder lists only what may be used where it is written: a
/// statement gets no `{{division}}` (the recipient of mail), and the declared facts are there.
#[test]
fn an_unknown_placeholder_in_a_statement_is_not_offered_the_mail_only_one() {
    let (diagnostics, _) = check_json(&fixture("diagnostics/facts.yaml"));
    let hint = diagnostics
        .iter()
        .find(|d| d["problem"]["code"] == "unknown_placeholder")
        .and_then(|d| d["hint"].as_str())
        .unwrap()
        .to_string();
    assert!(!hint.contains("division"), "{hint}");
    assert!(hint.contains("{{posted_at}}"), "{hint}");
}

/// The warning on a deadline from the start that its prerequisites cannot meet gives the
/// numbers (the chain before it sums to 18m) and says to tighten the chain, not to loosen the
/// duty.
#[test]
fn the_deadline_chain_warning_gives_the_numbers_and_says_to_tighten() {
    let (diagnostics, _) = check_json(&fixture("diagnostics/deadline-chain.yaml"));
    let d = diagnostics
        .iter()
        .find(|d| d["problem"]["code"] == "deadline_before_prerequisites")
        .unwrap();
    assert_eq!(d["severity"], "warning");
    let message = d["message"].as_str().unwrap();
    assert!(message.contains("due 15m after the start"), "{message}");
    assert!(message.contains("add up to 18m"), "{message}");
    let hint = d["hint"].as_str().unwrap();
    assert!(
        hint.contains("shorten the prerequisites' deadlines by 3m"),
        "{hint}"
    );
    assert!(!hint.contains("later deadline"), "{hint}");
}

/// Japanese diagnostics are Japanese throughout: outside quoted names (`…`, {{…}}) no
/// English word of the parser or of serde leaks into a message or a hint.
#[test]
fn japanese_diagnostics_have_no_english_in_them() {
    let dir = fixture("diagnostics");
    let mut checked = 0;
    let mut leaks = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().unwrap() == "divisions.yaml" {
            continue;
        }
        let output = hikeshi()
            .args(["--lang", "ja", "check", "--json"])
            .arg(&path)
            .output()
            .unwrap();
        let diagnostics: Vec<serde_json::Value> =
            serde_json::from_slice(&output.stdout).unwrap_or_default();
        for d in &diagnostics {
            for field in ["message", "hint"] {
                let text = d[field].as_str().unwrap_or_default();
                let english = english_words(text);
                if !english.is_empty() {
                    leaks.push(format!("{}: {field} {text:?}: {english:?}", path.display()));
                }
                checked += 1;
            }
        }
    }
    assert!(leaks.is_empty(), "{}", leaks.join("\n"));
    assert!(checked > 40, "{checked}");
}

/// ASCII words of four letters or more outside `…` and {{…}}: English in a Japanese text.
fn english_words(text: &str) -> Vec<String> {
    let mut plain = String::new();
    let mut quoted = false;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if rest.starts_with("{{") {
            match rest.find("}}") {
                Some(end) => rest = &rest[end + 2..],
                None => rest = "",
            }
            continue;
        }
        if c == '`' {
            quoted = !quoted;
        } else if !quoted {
            plain.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    // File names and the name of the format are the same in both languages.
    let plain = plain.replace("divisions.yaml", "").replace("YAML", "");
    plain
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() >= 4)
        .map(str::to_string)
        .collect()
}

/// A statement written with a mark to fill in by hand (○月○日) is a warning at `check`: every
/// post of it would be refused until edited, and the hint says to declare a fact instead. The
/// stock playbooks hold none.
#[test]
fn a_statement_with_a_mark_to_fill_in_is_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let stock = hikeshi::stock::playbook("flaming").unwrap();
    let marked = stock.replacen(
        "{{target_post}}に関する投稿について、多くの御意見をいただいております。",
        "○月○日の投稿について、多くの御意見をいただいております。",
        1,
    );
    assert_ne!(stock, marked);
    let path = dir.path().join("flaming.yaml");
    std::fs::write(&path, marked).unwrap();
    let (diagnostics, code) = check_json(&path);
    assert_eq!(code, 0, "a warning: {diagnostics:#?}");
    let d = diagnostics
        .iter()
        .find(|d| d["problem"]["code"] == "unfinished_statement")
        .unwrap_or_else(|| panic!("{diagnostics:#?}"));
    assert_eq!(d["severity"], "warning");
    assert_eq!(d["problem"]["step"], "in-progress-post");
    assert_eq!(d["problem"]["mark"], "○月");
    assert!(d["hint"].as_str().unwrap().contains("facts:"), "{d}");
    for id in hikeshi::stock::ids() {
        let path = dir.path().join(format!("{id}.yaml"));
        std::fs::write(&path, hikeshi::stock::playbook(id).unwrap()).unwrap();
        let (diagnostics, _) = check_json(&path);
        assert!(
            !diagnostics
                .iter()
                .any(|d| d["problem"]["code"] == "unfinished_statement"),
            "{id}: {diagnostics:#?}"
        );
    }
}

/// `official` and `differs_from` belong to `account` facts, and `differs_from` names another
/// one: misplaced or misnamed, `check` says where.
#[test]
fn account_rules_on_the_wrong_fact_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let stock = hikeshi::stock::playbook("impersonation").unwrap();
    let wrong = stock
        .replacen(
            "    differs_from: genuine_account",
            "    differs_from: owner_division",
            1,
        )
        .replacen(
            "    kind: division\n",
            "    kind: division\n    official: true\n",
            1,
        );
    assert_ne!(stock, wrong);
    let path = dir.path().join("impersonation.yaml");
    std::fs::write(&path, wrong).unwrap();
    let (diagnostics, code) = check_json(&path);
    assert_eq!(code, 1);
    let codes: Vec<(&str, &str)> = diagnostics
        .iter()
        .map(|d| {
            (
                d["problem"]["code"].as_str().unwrap(),
                d["text"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert!(
        codes.contains(&("fact_not_of_kind", "owner_division")),
        "{codes:?}"
    );
    assert!(
        codes.contains(&("field_not_for_kind", "official")),
        "{codes:?}"
    );
}

/// A statement that says a step's act is done (one of its `announces:` phrases) without
/// waiting for that step or saying it among its `claims:` is an error: posted before the act,
/// the public would read a claim that is not true. A claim's `done:` names a step.
#[test]
fn a_statement_claiming_an_act_it_does_not_wait_for_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let stock = hikeshi::stock::playbook("unauthorized-access").unwrap();
    let claiming = stock
        .replacen(
            "      {{claims}}\n      アカウントの復旧と原因の調査を進めています。",
            "      管理者のパスワードを変更しました。\n      {{claims}}\n      アカウントの復旧と原因の調査を進めています。",
            1,
        )
        .replacen("      - done: remove-suspect-admins", "      - done: remove-suspect-admin", 1)
        .replacen(
            "      - done: takeover-notice",
            "      - done: takeover-notice\n        when: assess-severity == high",
            1,
        );
    assert_ne!(stock, claiming);
    let path = dir.path().join("unauthorized-access.yaml");
    std::fs::write(&path, &claiming).unwrap();
    let (diagnostics, code) = check_json(&path);
    assert_eq!(code, 1);
    let d = diagnostics
        .iter()
        .find(|d| d["problem"]["code"] == "claim_without_dependency")
        .unwrap_or_else(|| panic!("{diagnostics:#?}"));
    assert_eq!(d["problem"]["step"], "website-notice");
    assert_eq!(d["problem"]["act"], "change-password");
    assert_eq!(d["text"], "管理者のパスワードを変更しました");
    // At the phrase itself.
    let line = claiming
        .lines()
        .position(|l| l == "      管理者のパスワードを変更しました。")
        .unwrap()
        + 1;
    assert_eq!(d["position"]["line"], line, "{d}");
    assert_eq!(d["position"]["column"], 7, "{d}");
    assert!(
        d["hint"]
            .as_str()
            .unwrap()
            .contains("done: change-password"),
        "{d}"
    );
    assert!(
        diagnostics
            .iter()
            .any(|d| d["problem"]["code"] == "unknown_step" && d["text"] == "remove-suspect-admin"),
        "{diagnostics:#?}"
    );
    assert!(
        diagnostics
            .iter()
            .any(|d| d["problem"]["code"] == "claim_needs_one_of"),
        "{diagnostics:#?}"
    );
}
