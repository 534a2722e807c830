//! The engine's rules through the library: readiness, deviations, decisions and branches,
//! approvals, monitors, reopening, closing, and derived times on a simulated clock.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use chrono::TimeDelta;
use common::engine::{START, at, decide, done, start};
use hikeshi::incident::{Command, Field, Refusal, Remedy, StepStatus};

fn status(h: &common::engine::Harness, id: &str) -> StepStatus {
    let pb = h.incident.playbook();
    h.incident.state().status_of(pb.graph.find(id).unwrap())
}

#[test]
fn only_ready_steps_can_be_done_unless_forced_with_a_reason() {
    let mut h = start();
    assert_eq!(status(&h, "detect"), StepStatus::Ready);
    assert_eq!(status(&h, "report"), StepStatus::Pending);
    let refused = h.run(done("report")).unwrap_err();
    assert_eq!(
        refused,
        Refusal::NotReady {
            step: "report".into(),
            waiting_for: vec!["detect".into()],
            forceable: true,
        }
    );
    // Forcing is offered as a remedy, as data: each face says it its own way.
    assert!(refused.remedies().contains(&Remedy::Force));
    h.ok(Command::Complete {
        step: "report".into(),
        note: None,
        force: Some("電話で先に報告済み".into()),
        statement: None,
    });
    let pb = h.incident.playbook();
    let record = h
        .incident
        .state()
        .step(pb.graph.find("report").unwrap())
        .unwrap();
    assert_eq!(record.forced.as_deref(), Some("電話で先に報告済み"));
    let record_done_by = record.done.as_ref().unwrap().by.clone();
    let record_done_at = record.done.as_ref().map(|d| d.at);
    assert_eq!(status(&h, "report"), StepStatus::Done);
    // Refused, naming who completed it and when.
    match h.run(done("report")) {
        Err(Refusal::AlreadyDone { step, by: Some(by) }) => {
            assert_eq!(
                (step.as_str(), by.by.as_str()),
                ("report", record_done_by.as_str())
            );
            assert_eq!(Some(by.at), record_done_at);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn unknown_steps_get_a_suggestion() {
    let mut h = start();
    assert_eq!(
        h.run(done("detcet")),
        Err(Refusal::UnknownStep {
            step: "detcet".into(),
            suggestion: Some("detect".into())
        })
    );
}

#[test]
fn skipping_needs_a_reason_and_settles_the_step() {
    let mut h = start();
    assert_eq!(
        h.run(Command::Skip {
            step: "detect".into(),
            reason: "  ".into()
        }),
        Err(Refusal::Empty {
            what: Field::Reason
        })
    );
    h.ok(Command::Skip {
        step: "detect".into(),
        reason: "通報で確認済み".into(),
    });
    assert_eq!(status(&h, "detect"), StepStatus::Skipped);
    assert_eq!(status(&h, "report"), StepStatus::Ready);
}

#[test]
fn decisions_pick_branches_and_can_be_changed_with_a_reason() {
    let mut h = start();
    h.ok(done("detect"));
    assert_eq!(
        h.run(done("severity")),
        Err(Refusal::UseDecide {
            step: "severity".into()
        })
    );
    assert!(matches!(
        h.run(decide("severity", "medium", None)),
        Err(Refusal::UnknownOption { .. })
    ));
    h.ok(decide("severity", "low", None));
    assert_eq!(status(&h, "press"), StepStatus::NotApplicable);
    assert_eq!(
        h.incident.state().severity(h.incident.playbook()),
        Some("low")
    );
    // The join after both branches stays reachable: press is n/a, report is not done yet.
    assert_eq!(status(&h, "sign-off"), StepStatus::Pending);
    assert_eq!(
        h.run(decide("severity", "high", None)),
        Err(Refusal::AlreadyDecided {
            step: "severity".into(),
            current: "low".into()
        })
    );
    h.ok(decide("severity", "high", Some("報道機関から問合せあり")));
    assert_eq!(status(&h, "press"), StepStatus::Ready);
    assert_eq!(
        h.incident.state().severity(h.incident.playbook()),
        Some("high")
    );
    let pb = h.incident.playbook();
    let record = h
        .incident
        .state()
        .step(pb.graph.find("severity").unwrap())
        .unwrap();
    assert_eq!(record.answers.len(), 2);
    assert_eq!(record.answers[1].text, "報道機関から問合せあり");
}

#[test]
fn a_post_counts_as_posted_only_after_approval() {
    let mut h = start();
    h.ok(done("detect"));
    h.ok(decide("severity", "high", None));
    let refused = h.run(done("press")).unwrap_err();
    assert_eq!(
        refused,
        Refusal::NeedsApproval {
            step: "press".into(),
            approver: "発信管理者".into()
        }
    );
    h.ok(Command::Reject {
        step: "press".into(),
        by: "広報課長".into(),
        reason: "表現を修正".into(),
    });
    assert_eq!(h.run(done("press")).unwrap_err(), refused);
    h.ok(Command::Approve {
        step: "press".into(),
        by: "広報課長".into(),
        statements: None,
    });
    h.ok(done("press"));
    assert_eq!(status(&h, "press"), StepStatus::Done);
}

#[test]
fn an_approval_step_is_completed_by_approving_it() {
    let mut h = start();
    h.ok(done("detect"));
    h.notified("report");
    h.ok(decide("severity", "low", None));
    assert_eq!(status(&h, "sign-off"), StepStatus::Ready);
    assert!(matches!(
        h.run(done("sign-off")),
        Err(Refusal::UseApprove { .. })
    ));
    assert_eq!(
        h.run(Command::Approve {
            step: "detect".into(),
            by: "課長".into(),
            statements: None,
        }),
        Err(Refusal::NotApprovable {
            step: "detect".into()
        })
    );
    h.ok(Command::Approve {
        step: "sign-off".into(),
        by: "課長".into(),
        statements: None,
    });
    assert_eq!(status(&h, "sign-off"), StepStatus::Done);
}

#[test]
fn deadlines_count_from_ready_or_start_and_turn_overdue() {
    let mut h = start();
    let pb = h.incident.playbook().clone();
    let detect = pb.graph.find("detect").unwrap();
    let report = pb.graph.find("report").unwrap();
    let now = h.incident.now();
    let v = h.incident.state().view(&pb, detect, now);
    assert_eq!(v.ready_since, Some(at(START)));
    assert_eq!(v.due_at, Some(at("2026-11-22T14:18:00+09:00")));
    // report is due one hour from the start even while it waits.
    let v = h.incident.state().view(&pb, report, now);
    assert_eq!(v.due_at, Some(at("2026-11-22T15:03:00+09:00")));
    h.advance(20);
    let v = h.incident.state().view(&pb, detect, h.incident.now());
    assert!(v.overdue);
    assert_eq!(v.time_left, Some(TimeDelta::minutes(-5)));
    assert_eq!(
        h.incident.state().overdue(&pb, h.incident.now()),
        vec![detect]
    );
    h.ok(done("detect"));
    // Once done, a step is no longer overdue; the ones it freed are ready from now.
    assert!(h.incident.state().overdue(&pb, h.incident.now()).is_empty());
    let sev = pb.graph.find("severity").unwrap();
    let v = h.incident.state().view(&pb, sev, h.incident.now());
    assert_eq!(v.ready_since, Some(at("2026-11-22T14:23:00+09:00")));
}

#[test]
fn a_monitor_records_observations_and_schedules_its_next_check() {
    let mut h = start();
    h.ok(done("detect"));
    let pb = h.incident.playbook().clone();
    let watch = pb.graph.find("watch").unwrap();
    let v = h.incident.state().view(&pb, watch, h.incident.now());
    assert_eq!(v.next_check, Some(at("2026-11-22T14:33:00+09:00")));
    assert_eq!(
        h.run(Command::Observe {
            step: "detect".into(),
            text: "x".into()
        }),
        Err(Refusal::NotAMonitor {
            step: "detect".into()
        })
    );
    h.advance(10);
    h.ok(Command::Observe {
        step: "watch".into(),
        text: "言及 120件/時".into(),
    });
    let v = h.incident.state().view(&pb, watch, h.incident.now());
    assert_eq!(v.next_check, Some(at("2026-11-22T14:43:00+09:00")));
    h.advance(45);
    assert!(
        h.incident
            .state()
            .view(&pb, watch, h.incident.now())
            .overdue
    );
}

#[test]
fn reopening_keeps_the_history_and_makes_the_step_ready_again() {
    let mut h = start();
    assert_eq!(
        h.run(Command::Reopen {
            step: "detect".into(),
            reason: "再確認".into()
        }),
        Err(Refusal::NotReopenable {
            step: "detect".into()
        })
    );
    h.ok(done("detect"));
    h.ok(decide("severity", "high", None));
    h.ok(Command::Reopen {
        step: "severity".into(),
        reason: "事実関係を再確認".into(),
    });
    assert_eq!(status(&h, "severity"), StepStatus::Ready);
    // Its answer is withdrawn, so the branch waits again.
    assert_eq!(status(&h, "press"), StepStatus::Pending);
    let pb = h.incident.playbook();
    let record = h
        .incident
        .state()
        .step(pb.graph.find("severity").unwrap())
        .unwrap();
    assert_eq!(record.reopened.len(), 1);
    assert_eq!(record.answers.len(), 1);
}

#[test]
fn closing_with_open_steps_needs_a_reason_and_then_nothing_more_is_accepted() {
    let mut h = start();
    h.ok(done("detect"));
    match h.run(Command::Close { force: None }) {
        Err(Refusal::OpenSteps { steps }) => assert!(steps.contains(&"report".to_string())),
        other => panic!("{other:?}"),
    }
    h.ok(Command::Close {
        force: Some("訓練のため打ち切り".into()),
    });
    assert!(h.incident.state().is_closed());
    assert_eq!(h.run(done("report")), Err(Refusal::Closed));
    assert_eq!(
        h.run(Command::Note {
            text: "追記".into(),
            step: None
        }),
        Err(Refusal::Closed)
    );
}

#[test]
fn handover_changes_the_operator_and_is_refused_to_oneself() {
    let mut h = start();
    assert_eq!(
        h.run(Command::Handover {
            to: "田中".into(),
            summary: String::new()
        }),
        Err(Refusal::SameOperator {
            name: "田中".into()
        })
    );
    h.ok(Command::Handover {
        to: "佐藤".into(),
        summary: "引き継ぎ".into(),
    });
    assert_eq!(h.incident.state().operator, "佐藤");
    assert_eq!(h.incident.state().operators, ["田中", "佐藤"]);
}

#[test]
fn remaining_critical_path_shrinks_as_steps_are_done() {
    let mut h = start();
    let pb = h.incident.playbook().clone();
    let before = h
        .incident
        .state()
        .remaining_critical_path(&pb, h.incident.now());
    // detect 15m → severity → press 2h, or report by 1h from start: 2h15m.
    assert_eq!(before, TimeDelta::minutes(135));
    h.ok(done("detect"));
    h.ok(decide("severity", "low", None));
    let after = h
        .incident
        .state()
        .remaining_critical_path(&pb, h.incident.now());
    assert_eq!(after, TimeDelta::minutes(60));
    let p = h.incident.state().progress();
    assert_eq!((p.done, p.not_applicable, p.total), (2, 1, 7));
}

#[test]
fn the_incident_folder_holds_the_frozen_playbook_and_a_verified_journal() {
    let h = start();
    let dir = h.incident.dir().to_path_buf();
    assert_eq!(
        dir.file_name().unwrap().to_string_lossy(),
        "20261122-1403-engine-test"
    );
    for name in [
        "journal.jsonl",
        "playbook.yaml",
        "divisions.yaml",
        "outbox",
        "evidence",
    ] {
        assert!(dir.join(name).exists(), "{name} missing");
    }
    let frozen = std::fs::read_to_string(dir.join("playbook.yaml")).unwrap();
    let original = std::fs::read_to_string(common::fixture("engine/playbook.yaml")).unwrap();
    assert_eq!(frozen, original);
}

#[test]
fn a_decision_cannot_be_skipped_because_its_branches_would_wait_forever() {
    let mut h = start();
    h.ok(done("detect"));
    assert_eq!(
        h.run(Command::Skip {
            step: "severity".into(),
            reason: "不要".into()
        }),
        Err(Refusal::UseDecide {
            step: "severity".into()
        })
    );
}

#[test]
fn a_reopened_step_is_due_again_from_its_reopening() {
    let mut h = start();
    h.advance(5);
    h.ok(done("detect"));
    h.advance(55);
    h.ok(Command::Reopen {
        step: "detect".into(),
        reason: "再確認".into(),
    });
    let pb = h.incident.playbook().clone();
    let detect = pb.graph.find("detect").unwrap();
    let v = h.incident.state().view(&pb, detect, h.incident.now());
    assert_eq!(v.ready_since, Some(at("2026-11-22T15:03:00+09:00")));
    assert_eq!(v.time_left, Some(TimeDelta::minutes(15)));
    assert!(!v.overdue);
}

#[test]
fn refusals_suggest_force_only_where_the_command_takes_it() {
    let mut h = start();
    let refused = h
        .run(Command::Approve {
            step: "sign-off".into(),
            by: "課長".into(),
            statements: None,
        })
        .unwrap_err();
    assert!(
        matches!(
            refused,
            Refusal::NotReady {
                forceable: false,
                ..
            }
        ),
        "{refused:?}"
    );
    assert!(!refused.remedies().contains(&Remedy::Force));
    let refused = h.run(done("report")).unwrap_err();
    assert!(refused.remedies().contains(&Remedy::Force));
}

fn queued(to: &str, n: u32) -> hikeshi::incident::Letter {
    common::engine::letter(to, n, "report")
}

#[test]
fn a_notify_step_is_done_when_every_message_is_delivered() {
    let mut h = start();
    let queue = Command::QueueNotifications {
        step: "report".into(),
        messages: vec![queued("広報広聴課", 1), queued("発信管理者", 2)],
    };
    assert!(matches!(
        h.run(queue.clone()),
        Err(Refusal::NotReady { .. })
    ));
    h.ok(done("detect"));
    assert_eq!(
        h.run(done("report")),
        Err(Refusal::UseNotify {
            step: "report".into()
        })
    );
    h.ok(queue.clone());
    assert_eq!(h.incident.state().messages.len(), 2);
    assert!(matches!(
        h.run(queue),
        Err(Refusal::AlreadyQueued { messages, .. }) if messages == vec![1, 2]
    ));
    let deliver = |message| Command::RecordDelivery {
        message,
        transport: "smtp".into(),
        reply: "250 OK".into(),
    };
    h.ok(Command::RecordFailure {
        message: 2,
        error: "451 later".into(),
        permanent: false,
        next_retry: Some(at("2026-11-22T14:04:00+09:00")),
    });
    h.ok(deliver(1));
    assert_eq!(
        status(&h, "report"),
        StepStatus::Ready,
        "one is not delivered"
    );
    assert_eq!(
        h.run(deliver(1)),
        Err(Refusal::AlreadyDelivered { message: 1 })
    );
    assert!(matches!(
        h.run(Command::Acknowledge {
            message: 2,
            by: "佐藤".into(),
            note: None
        }),
        Err(Refusal::NotDelivered { message: 2, .. })
    ));
    h.ok(deliver(2));
    assert_eq!(status(&h, "report"), StepStatus::Done);
    let m = h.incident.state().message(2).unwrap();
    assert_eq!(m.attempts(), 1);
    assert!(h.incident.state().undelivered().next().is_none());
    assert!(matches!(
        h.run(deliver(9)),
        Err(Refusal::UnknownMessage { .. })
    ));
}

#[test]
fn a_call_settles_the_messages_that_could_not_be_delivered() {
    let mut h = start();
    h.ok(done("detect"));
    h.ok(Command::QueueNotifications {
        step: "report".into(),
        messages: vec![queued("広報広聴課", 1)],
    });
    h.ok(Command::RecordFailure {
        message: 1,
        error: "550 no such user".into(),
        permanent: true,
        next_retry: Some(at("2026-11-22T14:04:00+09:00")),
    });
    let m = h.incident.state().message(1).unwrap();
    assert!(
        matches!(
            m.delivery,
            hikeshi::incident::state::Delivery::Failed {
                permanent: true,
                next_retry: None,
                attempt: 1,
                ..
            }
        ),
        "a permanent failure is not scheduled for a retry: {:?}",
        m.delivery
    );
    assert_eq!(status(&h, "report"), StepStatus::Ready);
    h.ok(Command::Call {
        division: "広報広聴課".into(),
        number: Some("0836-00-1111".into()),
        note: "課長に電話で伝えた".into(),
    });
    assert_eq!(status(&h, "report"), StepStatus::Done);
    assert!(h.incident.state().undelivered().next().is_none());
    assert_eq!(h.incident.state().calls.len(), 1);
}

#[test]
fn one_line_values_refuse_line_breaks() {
    let mut h = start();
    assert_eq!(
        h.run(Command::Handover {
            to: "佐藤\r\nBcc: x@example.com".into(),
            summary: String::new(),
        }),
        Err(Refusal::ControlCharacter { what: Field::To })
    );
}

#[test]
fn a_reopened_notify_step_sends_a_new_round() {
    let mut h = start();
    h.ok(done("detect"));
    h.ok(Command::QueueNotifications {
        step: "report".into(),
        messages: vec![queued("広報広聴課", 1)],
    });
    // Told by phone instead: the step is forced and its message is not sent any more.
    h.ok(Command::Complete {
        step: "report".into(),
        note: None,
        force: Some("電話で伝えた".into()),
        statement: None,
    });
    assert!(h.incident.state().message(1).unwrap().cancelled.is_some());
    h.ok(Command::Reopen {
        step: "report".into(),
        reason: "続報".into(),
    });
    // The new round is not blocked by the old message, nor completed by it.
    h.ok(Command::QueueNotifications {
        step: "report".into(),
        messages: vec![queued("広報広聴課", 2)],
    });
    assert!(matches!(
        h.run(Command::RecordDelivery {
            message: 1,
            transport: "smtp".into(),
            reply: "250".into()
        }),
        Ok(())
    ));
    assert_eq!(
        status(&h, "report"),
        StepStatus::Ready,
        "the old round does not count"
    );
    h.ok(Command::RecordDelivery {
        message: 2,
        transport: "smtp".into(),
        reply: "250".into(),
    });
    assert_eq!(status(&h, "report"), StepStatus::Done);
}

#[test]
fn executing_returns_the_events_written_and_reopening_keeps_the_latest_at_hand() {
    let mut h = start();
    let written = h.incident.execute("田中", &done("detect")).unwrap();
    assert_eq!(written.len(), 1);
    assert!(matches!(
        &written[0].event,
        hikeshi::incident::Event::StepCompleted { step, .. } if step == "detect"
    ));
    // The entry is the very line on disk, and holds the same event.
    let entry = &written[0].entry;
    assert_eq!(entry.seq, 2);
    assert_eq!(
        hikeshi::incident::Event::decode(&entry.kind, &entry.payload).unwrap(),
        written[0].event
    );
    let kept: Vec<_> = h.incident.recent().cloned().collect();
    assert_eq!(kept.len(), 2);
    assert_eq!(kept[1], written[0]);
    // Reopened, the incident has the same events at hand without anyone reading the journal.
    let dir = h.incident.dir().to_path_buf();
    drop(h.incident);
    let reopened =
        hikeshi::incident::Incident::open(&dir, std::sync::Arc::new(hikeshi::clock::SystemClock))
            .unwrap();
    assert_eq!(reopened.recent().cloned().collect::<Vec<_>>(), kept);
}

#[test]
fn evidence_given_as_text_is_a_url_or_a_file_to_copy() {
    use hikeshi::incident::{Event, EvidenceRecord};
    let mut h = start();
    let url = h
        .incident
        .attach("田中", "detect", "https://x.example/status/1", None)
        .unwrap();
    assert!(matches!(
        &url[0].event,
        Event::EvidenceAttached { evidence: EvidenceRecord::Url { url }, .. }
            if url == "https://x.example/status/1"
    ));
    let file = h.dir.path().join("screenshot.png");
    std::fs::write(&file, b"png").unwrap();
    let copied = h
        .incident
        .attach("田中", "detect", file.to_str().unwrap(), None)
        .unwrap();
    let Event::EvidenceAttached {
        evidence: EvidenceRecord::File { name, bytes, .. },
        ..
    } = &copied[0].event
    else {
        panic!("not a file: {:?}", copied[0].event);
    };
    assert_eq!(*bytes, 3);
    assert!(h.incident.dir().join("evidence").join(name).is_file());
    // A path that merely mentions http is a file, and a missing one is refused as such.
    assert!(
        h.incident
            .attach("田中", "detect", "http-notes.txt", None)
            .is_err()
    );
}

/// `due` and `owner` by a decision's answer: the deadline and the owner follow the option
/// chosen, the `default` covers the others, and a changed answer changes them.
#[test]
fn due_and_owner_follow_the_decision_they_are_written_for() {
    let mut h = common::engine::start_with("engine/branches.yaml");
    h.ok(done("detect"));
    h.ok(decide("assess-impact", "safety", None));
    let pb = h.incident.playbook().clone();
    let ix = pb.graph.find("correct").unwrap();
    let step = pb.graph.step(ix).unwrap();
    let state = h.incident.state().clone();
    let view = state.view(&pb, ix, at(START));
    assert_eq!(view.due_at, Some(at(START) + TimeDelta::minutes(4)));
    assert_eq!(state.owner_of(step), Some("発信管理者"));
    // The critical path counts the longest branch.
    assert_eq!(step.due.unwrap().within, TimeDelta::hours(2));
    h.ok(decide(
        "assess-impact",
        "daily-life",
        Some("生活情報だった"),
    ));
    let state = h.incident.state().clone();
    let view = state.view(&pb, ix, at(START));
    assert_eq!(view.due_at, Some(at(START) + TimeDelta::minutes(30)));
    assert_eq!(state.owner_of(step), Some("広報広聴課"));
    h.ok(decide("assess-impact", "minor", Some("影響は小さい")));
    let view = h.incident.state().view(&pb, ix, at(START));
    assert_eq!(view.due_at, Some(at(START) + TimeDelta::hours(2)));
}

/// A post's statement saved for editing keeps what is there (the operator's edit), however
/// often `y` is pressed; another step's draft is replaced. No temporary file is left.
#[test]
fn a_saved_statement_keeps_the_operators_edit() {
    use hikeshi::incident::statement::Saved;
    let h = start();
    let file = h.incident.dir().join("statements/notice.txt");
    assert_eq!(
        h.incident
            .save_statement("notice", "テンプレート", true)
            .unwrap(),
        Saved::Written
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "テンプレート");
    std::fs::write(&file, "編集した文面").unwrap();
    assert_eq!(
        h.incident
            .save_statement("notice", "テンプレート", true)
            .unwrap(),
        Saved::Kept
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "編集した文面");
    assert_eq!(
        h.incident
            .save_statement("notice", "下書き", false)
            .unwrap(),
        Saved::Written
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "下書き");
    let names: Vec<_> = std::fs::read_dir(file.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["notice.txt"], "no temporary file is left");
}

/// A call settles every message to the division not settled yet, of any step: the engine
/// says which before it is recorded (the screen lists them), and the call does what it said.
#[test]
fn a_call_settles_what_it_says_it_will_of_every_step() {
    let mut h = common::engine::start_with("engine/two-reports.yaml");
    h.ok(done("detect"));
    for (step, n) in [("report", 1), ("report-pr", 2)] {
        h.ok(Command::QueueNotifications {
            step: step.into(),
            messages: vec![queued("広報広聴課", n)],
        });
        h.ok(Command::RecordFailure {
            message: n,
            error: "550 no such user".into(),
            permanent: true,
            next_retry: None,
        });
    }
    let settled = |h: &common::engine::Harness| {
        let state = h.incident.state();
        hikeshi::incident::settled_by_call(state, h.incident.playbook(), "広報広聴課")
            .iter()
            .map(|m| (m.number, m.step.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        settled(&h),
        [(1, "report".to_string()), (2, "report-pr".to_string())]
    );
    h.ok(Command::Call {
        division: "広報広聴課".into(),
        number: None,
        note: "二件とも電話で伝えた".into(),
    });
    assert_eq!(status(&h, "report"), StepStatus::Done);
    assert_eq!(status(&h, "report-pr"), StepStatus::Done);
    assert!(settled(&h).is_empty());
}
