//! Property: for any sequence of commands, replaying the journal gives exactly the state the
//! live engine had (the journal is the single source of truth).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use chrono::TimeDelta;
use common::engine::start;
use hikeshi::incident::Letter;
use hikeshi::incident::{Command, EvidenceRecord, IncidentRecord};
use proptest::prelude::*;

const STEPS: [&str; 8] = [
    "detect",
    "report",
    "severity",
    "press",
    "watch",
    "sign-off",
    "close-out",
    "nowhere",
];
const OPTIONS: [&str; 3] = ["low", "high", "medium"];

fn command(kind: u8, step: usize, option: usize, with_reason: bool) -> Command {
    let step = STEPS[step % STEPS.len()].to_string();
    let reason = with_reason.then(|| "理由".to_string());
    let message = u32::try_from(option).unwrap() + 1;
    match kind % 18 {
        13 => Command::QueueNotifications {
            step,
            messages: vec![Letter {
                to: "広報広聴課".into(),
                address: "koho@city.example.jp".into(),
                subject: "件名".into(),
                file: "outbox/x.eml".into(),
                sha256: "0".repeat(64),
                message_id: format!("m{option}@city.example.jp"),
                reply_code: None,
                channel: None,
                also: Vec::new(),
                approval: None,
                answers: None,
            }],
        },
        14 => Command::RecordDelivery {
            message,
            transport: "smtp".into(),
            reply: "250 OK".into(),
        },
        15 => Command::RecordFailure {
            message,
            error: "451 later".into(),
            permanent: with_reason,
            next_retry: None,
        },
        16 => Command::Acknowledge {
            message,
            by: "佐藤".into(),
            note: reason,
        },
        17 => Command::Call {
            division: "広報広聴課".into(),
            number: None,
            note: "電話で伝えた".into(),
        },
        12 => Command::Check {
            step,
            item: option,
            checked: with_reason,
        },
        0 | 1 => Command::Complete {
            step,
            note: None,
            force: None,
            statement: None,
        },
        2 => Command::Complete {
            step,
            note: Some("メモ".into()),
            force: Some("逸脱の理由".into()),
            statement: None,
        },
        3 => Command::Skip {
            step,
            reason: "不要".into(),
        },
        4 | 5 => Command::Decide {
            step,
            option: OPTIONS[option % OPTIONS.len()].into(),
            reason,
            force: None,
        },
        6 => Command::Approve {
            step,
            by: "課長".into(),
            statements: None,
        },
        7 => Command::Reject {
            step,
            by: "課長".into(),
            reason: "修正".into(),
        },
        8 => Command::Observe {
            step,
            text: "言及 30件".into(),
        },
        9 => Command::Reopen {
            step,
            reason: "再確認".into(),
        },
        10 => Command::AttachEvidence {
            step,
            evidence: EvidenceRecord::Url {
                url: "https://x.example/1".into(),
            },
            note: None,
        },
        _ => {
            if with_reason {
                Command::Handover {
                    to: format!("担当{option}"),
                    summary: "引継".into(),
                }
            } else {
                Command::Close { force: reason }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    #[test]
    fn replay_equals_the_live_state(
        script in prop::collection::vec((any::<u8>(), 0usize..8, 0usize..3, any::<bool>(), 0i64..40), 1..40)
    ) {
        let mut h = start();
        for (kind, step, option, with_reason, minutes) in script {
            h.clock.advance(TimeDelta::minutes(minutes));
            // Refused commands write nothing; accepted ones must replay identically.
            let _ = h.incident.execute("田中", &command(kind, step, option, with_reason));
        }
        let replayed = IncidentRecord::load(h.incident.dir()).unwrap();
        prop_assert_eq!(&replayed.state, h.incident.state());
        prop_assert_eq!(replayed.entries, h.incident.record().entries);
        prop_assert_eq!(&replayed.head, &h.incident.record().head);
    }
}
