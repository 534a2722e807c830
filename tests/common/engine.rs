//! An incident on the small engine-test playbook, driven through the library on a
//! simulated clock.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use chrono::{DateTime, FixedOffset, TimeDelta};
use hikeshi::catalog::{self, PlaybookRef};
use hikeshi::clock::SimulatedClock;
use hikeshi::incident::{Command, Incident, IncidentError, Refusal, StartParams};
use hikeshi::playbook::CompileOptions;

pub const START: &str = "2026-11-22T14:03:00+09:00";

pub fn at(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap()
}

pub struct Harness {
    pub dir: tempfile::TempDir,
    pub clock: Arc<SimulatedClock>,
    pub incident: Incident,
}

pub fn loaded(playbook: &str) -> catalog::LoadedPlaybook {
    let pb = PlaybookRef::File(super::fixture(playbook));
    let divisions = pb.divisions_source(None);
    catalog::load_playbook(&pb, &divisions, &CompileOptions::default())
        .map_err(|f| f.diagnostics)
        .unwrap()
}

pub fn start_with(playbook: &str) -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(SimulatedClock::fixed(at(START)));
    let incident = Incident::start(
        dir.path(),
        &loaded(playbook),
        StartParams {
            title: "テスト事案".into(),
            account: Some("@city_official".into()),
            platform: Some(hikeshi::playbook::Platform::X),
            operator: "田中".into(),
            severity: None,
            exercise: false,
            facts: Default::default(),
            origin: None,
        },
        clock.clone(),
    )
    .unwrap();
    Harness {
        dir,
        clock,
        incident,
    }
}

pub fn start() -> Harness {
    start_with("engine/playbook.yaml")
}

impl Harness {
    pub fn run(&mut self, command: Command) -> Result<(), Refusal> {
        match self.incident.execute("田中", &command) {
            Ok(_) => Ok(()),
            Err(IncidentError::Refused(r)) => Err(r),
            Err(other) => panic!("unexpected error: {other}"),
        }
    }

    pub fn ok(&mut self, command: Command) {
        if let Err(r) = self.run(command.clone()) {
            panic!("{command:?} refused: {r:?}");
        }
    }

    /// Queues one message for a notify step and records its delivery, as the outbox worker
    /// does (the engine completes the step once all its messages are delivered).
    pub fn notified(&mut self, step: &str) {
        let message = self.incident.state().next_message();
        self.ok(Command::QueueNotifications {
            step: step.into(),
            messages: vec![letter("広報広聴課", message, step)],
        });
        self.ok(Command::RecordDelivery {
            message,
            transport: "file".into(),
            reply: "outbox".into(),
        });
    }

    pub fn advance(&self, minutes: i64) {
        self.clock.advance(TimeDelta::minutes(minutes));
    }
}

/// Message `n` of `step` to `to`: [`super::given::message`], numbered so that several to
/// one recipient in one step are told apart.
pub fn letter(to: &str, n: u32, step: &str) -> hikeshi::incident::Letter {
    hikeshi::incident::Letter {
        address: format!("{n}@city.example.jp"),
        file: format!("outbox/{n:04}-{step}.eml"),
        message_id: format!("{n}@city.example.jp"),
        ..super::given::message(step, to)
    }
}

pub fn done(step: &str) -> Command {
    Command::Complete {
        step: step.into(),
        note: None,
        force: None,
        statement: None,
    }
}

pub fn decide(step: &str, option: &str, reason: Option<&str>) -> Command {
    Command::Decide {
        step: step.into(),
        option: option.into(),
        reason: reason.map(str::to_string),
        force: None,
    }
}
