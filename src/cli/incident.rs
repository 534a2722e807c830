//! Commands about incidents: start, run, tui, status, done, skip, decide, approve, reject,
//! observe, reopen, note, evidence, handover, verify, close, incidents. Every refusal is one
//! line that says why and what to do, exit 1, and nothing written.

use std::io::Write;
use std::path::Path;

use clap::Subcommand;

mod verify;

use super::context::{Context, clock, ids, now_for, open, say, with_status};
use super::screen::{StartArgs, screen, start_incident};
use super::{Error, Outcome};
use crate::clock::format_jst;
use crate::incident::describe::describe;
use crate::incident::status::{StatusReport, render};
use crate::incident::{
    self, Command as Act, EvidenceRecord, Incident, IncidentRecord, StepStatus, Written,
    handover_summary,
};
use crate::lang::Lang;
use crate::playbook::StepIx;
use crate::tr;

/// The incident commands.
#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Start an incident: make its folder (the path is the last line printed), freeze the
    /// playbook, and journal the start.
    Start(StartArgs),
    /// Start an incident and open it on the operator's screen.
    Run(StartArgs),
    /// Open an incident on the operator's screen (resume it).
    Tui {
        /// Incident folder or id.
        incident: String,
    },
    /// Show an incident: every step with its status, deadline and time left.
    ///
    /// With --watch, then print each thing anyone records (on any PC sharing the incidents
    /// folder) as it happens, naming who did it, until the incident is closed or Ctrl-C.
    Status {
        /// Incident folder or id.
        incident: String,
        /// Print the status as JSON (see docs/incidents.md).
        #[arg(long, conflicts_with = "watch")]
        json: bool,
        /// Keep watching: print each new record as it is made (within a second).
        #[arg(long)]
        watch: bool,
    },
    /// Complete a step.
    Done {
        /// Incident folder or id.
        incident: String,
        /// Step id.
        step: String,
        /// A note on what was done.
        #[arg(long)]
        note: Option<String>,
        /// Complete it although it is not ready (recorded as a deviation; needs --reason).
        #[arg(long, requires = "reason")]
        force: bool,
        /// Why it is forced.
        #[arg(long)]
        reason: Option<String>,
    },
    /// Skip a step, with a reason.
    Skip {
        /// Incident folder or id.
        incident: String,
        /// Step id.
        step: String,
        /// Why it is skipped.
        #[arg(long)]
        reason: String,
    },
    /// Answer a decision (again, with --reason, to change the answer).
    Decide {
        /// Incident folder or id.
        incident: String,
        /// Decision step id.
        step: String,
        /// Option id.
        option: String,
        /// Why (required to change an earlier answer).
        #[arg(long)]
        reason: Option<String>,
        /// Decide although the step is not ready (recorded as a deviation; needs --reason).
        #[arg(long, requires = "reason")]
        force: bool,
    },
    /// Record an approval (決裁) of an approval or post step.
    Approve {
        /// Incident folder or id.
        incident: String,
        /// Step id.
        step: String,
        /// The name of the person who approved (not a part, role or division: `--by 発信管理者`
        /// is refused, since the record must say who).
        #[arg(long)]
        by: String,
    },
    /// Record that an approval or post was refused.
    Reject {
        /// Incident folder or id.
        incident: String,
        /// Step id.
        step: String,
        /// The name of the person who refused (not a part, role or division).
        #[arg(long)]
        by: String,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Record a monitor check (e.g. mention counts, press enquiries).
    Observe {
        /// Incident folder or id.
        incident: String,
        /// Monitor step id.
        step: String,
        /// What was observed.
        text: String,
    },
    /// Open a done or skipped step again, with a reason (the history is kept).
    Reopen {
        /// Incident folder or id.
        incident: String,
        /// Step id.
        step: String,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Set or change one of the facts the playbook declares (journalled), e.g.
    /// `hikeshi fact INCIDENT fake_account=@city_0fficial`.
    Fact {
        /// Incident folder or id.
        incident: String,
        /// NAME=VALUE. A fact with several values (the fake accounts) gains VALUE.
        #[arg(value_parser = super::screen::parse_fact)]
        fact: (String, String),
        /// Take VALUE back from a fact with several values (one recorded by mistake).
        #[arg(long)]
        remove: bool,
    },
    /// Record the review (振り返り) of an exercise, as the screen asks for it at the end:
    /// what went well, what was difficult, what to change.
    ///
    /// For an exercise played by the autopilot or worked from the command line; allowed after
    /// it is closed. Recorded again, the latest is the one `summary` and `report` show.
    #[command(group(
        clap::ArgGroup::new("answers")
            .required(true)
            .multiple(true)
            .args(["good", "issues", "improvements"])
    ))]
    Review {
        /// Incident folder or id (an exercise).
        incident: String,
        /// What went well (良かった点).
        #[arg(long)]
        good: Option<String>,
        /// What was difficult (課題).
        #[arg(long)]
        issues: Option<String>,
        /// What to change (改善策).
        #[arg(long)]
        improvements: Option<String>,
    },
    /// Add a note to the record.
    Note {
        /// Incident folder or id.
        incident: String,
        /// The note.
        text: String,
        /// The step it is about.
        #[arg(long)]
        step: Option<String>,
    },
    /// Record evidence: a file (copied into evidence/ with its SHA-256) or a URL.
    Evidence {
        /// Incident folder or id.
        incident: String,
        /// Step id.
        step: String,
        /// A file path, or a URL (http:// or https://).
        target: String,
        /// What it shows.
        #[arg(long)]
        note: Option<String>,
    },
    /// Hand the duty to another operator (交代); prints the handover summary.
    Handover {
        /// Incident folder or id.
        incident: String,
        /// The next operator.
        #[arg(long)]
        to: String,
    },
    /// Verify the journal's hash chain (and, with --witness, its tail against copies).
    Verify {
        /// Incident folder or id.
        incident: String,
        /// Copies that hold the journal's head as it was: .eml files, mailbox exports (mbox)
        /// or earlier reports. A head the journal does not hold at its seq shows that the
        /// journal was cut back or rewritten after the copy was made.
        #[arg(long, value_name = "PATH", num_args = 1..)]
        witness: Vec<std::path::PathBuf>,
    },
    /// Close the incident.
    Close {
        /// Incident folder or id.
        incident: String,
        /// Close with steps still open (needs --reason).
        #[arg(long, requires = "reason")]
        force: bool,
        /// Why.
        #[arg(long)]
        reason: Option<String>,
    },
    /// List the incidents in the incidents folder, newest first.
    Incidents,
}

impl Cmd {
    /// Runs the command.
    pub(super) fn run(self, ctx: &Context) -> Result<Outcome, Error> {
        let forced = |force: bool, reason: &Option<String>| reason.clone().filter(|_| force);
        match self {
            Cmd::Start(args) => start(ctx, &args),
            Cmd::Run(args) => {
                let dir = start_incident(ctx, &args)?;
                screen(ctx, &dir.display().to_string())
            }
            Cmd::Tui { incident } => screen(ctx, &incident),
            Cmd::Status {
                incident,
                json,
                watch: false,
            } => status(ctx, &incident, json),
            Cmd::Status {
                incident,
                watch: true,
                ..
            } => watch(ctx, &incident),
            Cmd::Evidence {
                incident,
                step,
                target,
                note,
            } => evidence(ctx, &incident, &step, &target, note),
            Cmd::Handover { incident, to } => handover(ctx, &incident, &to),
            Cmd::Verify { incident, witness } => verify::verify(ctx, &incident, &witness),
            Cmd::Incidents => list(ctx),
            Cmd::Done {
                incident,
                step,
                note,
                force,
                reason,
            } => {
                let force = forced(force, &reason);
                let statement = None;
                let done = Act::Complete {
                    step,
                    note,
                    force,
                    statement,
                };
                act(ctx, &incident, done)
            }
            Cmd::Skip {
                incident,
                step,
                reason,
            } => act(ctx, &incident, Act::Skip { step, reason }),
            Cmd::Decide {
                incident,
                step,
                option,
                reason,
                force,
            } => {
                let force = forced(force, &reason);
                let decide = Act::Decide {
                    step,
                    option,
                    force,
                    reason,
                };
                act(ctx, &incident, decide)
            }
            Cmd::Approve { incident, step, by } => act(
                ctx,
                &incident,
                Act::Approve {
                    step,
                    by,
                    statements: None,
                },
            ),
            Cmd::Reject {
                incident,
                step,
                by,
                reason,
            } => act(ctx, &incident, Act::Reject { step, by, reason }),
            Cmd::Observe {
                incident,
                step,
                text,
            } => act(ctx, &incident, Act::Observe { step, text }),
            Cmd::Reopen {
                incident,
                step,
                reason,
            } => act(ctx, &incident, Act::Reopen { step, reason }),
            Cmd::Note {
                incident,
                text,
                step,
            } => act(ctx, &incident, Act::Note { text, step }),
            Cmd::Fact {
                incident,
                fact: (fact, value),
                remove: false,
            } => act(ctx, &incident, Act::SetFact { fact, value }),
            Cmd::Fact {
                incident,
                fact: (fact, value),
                remove: true,
            } => act(ctx, &incident, Act::RemoveFactValue { fact, value }),
            Cmd::Review {
                incident,
                good,
                issues,
                improvements,
            } => act(
                ctx,
                &incident,
                Act::RecordReview {
                    good: good.unwrap_or_default(),
                    issues: issues.unwrap_or_default(),
                    improvements: improvements.unwrap_or_default(),
                },
            ),
            Cmd::Close {
                incident,
                force,
                reason,
            } => {
                let force = forced(force, &reason);
                act(ctx, &incident, Act::Close { force })
            }
        }
    }
}

/// Runs `command` and reports what it did and what changed: steps that became ready or not
/// applicable.
fn act(ctx: &Context, name: &str, command: Act) -> Result<Outcome, Error> {
    let mut incident = open(ctx, name)?;
    let ready_before = with_status(&incident, StepStatus::Ready);
    let na_before = with_status(&incident, StepStatus::NotApplicable);
    let written = incident.execute(&ctx.operator, &command)?;
    say(&confirmation(&command, &written, &incident, ctx.lang))?;
    report_changes(ctx, &incident, &ready_before, &na_before)?;
    Ok(Outcome::Success)
}

/// What a step command recorded: each event in the words the timeline and the screen use
/// ([`describe`]), with its time; an observation adds when to look next, a review the score.
fn confirmation(command: &Act, written: &[Written], i: &Incident, lang: Lang) -> String {
    let mut lines: Vec<String> = written
        .iter()
        .map(|w| {
            let (what, at) = (
                describe(&w.event, i.playbook(), lang),
                format_jst(w.entry.time, false),
            );
            tr!(
                lang,
                "記録しました: {what} ({at})",
                "recorded: {what} ({at})"
            )
        })
        .collect();
    match command {
        Act::Observe { step, .. } => {
            let next = i
                .playbook()
                .graph
                .find(step)
                .and_then(|ix| i.state().view(i.playbook(), ix, i.now()).next_check)
                .map(|t| format_jst(t, false));
            if let Some(next) = next {
                lines.push(tr!(lang, "次回確認 {next}", "next check {next}"));
            }
        }
        // The score as the screen shows it after the review.
        Act::RecordReview { .. } => {
            if let Some(score) = crate::exercise::score(i.state(), i.playbook(), i.now()) {
                let (total, formula) = (score.total, score.formula(lang));
                lines.push(tr!(
                    lang,
                    "得点 {total}（{formula}）",
                    "score {total} ({formula})"
                ));
            }
        }
        _ => {}
    }
    lines.join("\n")
}

fn report_changes(
    ctx: &Context,
    incident: &Incident,
    ready_before: &[StepIx],
    na_before: &[StepIx],
) -> Result<(), Error> {
    let playbook = incident.playbook();
    let new_ready: Vec<StepIx> = with_status(incident, StepStatus::Ready)
        .into_iter()
        .filter(|ix| !ready_before.contains(ix))
        .collect();
    let new_na: Vec<StepIx> = with_status(incident, StepStatus::NotApplicable)
        .into_iter()
        .filter(|ix| !na_before.contains(ix))
        .collect();
    if !new_ready.is_empty() {
        let steps = ids(playbook, &new_ready);
        say(&tr!(
            ctx.lang,
            "次に実施可能: {steps}",
            "now ready: {steps}"
        ))?;
    }
    if !new_na.is_empty() {
        let steps = ids(playbook, &new_na);
        say(&tr!(
            ctx.lang,
            "対象外になった手順: {steps}",
            "no longer applicable: {steps}"
        ))?;
    }
    Ok(())
}

fn start(ctx: &Context, args: &StartArgs) -> Result<Outcome, Error> {
    let dir = start_incident(ctx, args)?;
    // The folder path is the last line: scripts take it with `tail -n 1`.
    say(&dir.display().to_string())?;
    Ok(Outcome::Success)
}

fn status(ctx: &Context, name: &str, json: bool) -> Result<Outcome, Error> {
    let record = IncidentRecord::load(&incident::resolve(name, &ctx.incidents)?)?;
    let report = StatusReport::new(&record, now_for(&record.state));
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, &report).map_err(std::io::Error::other)?;
        writeln!(out)?;
    } else {
        write!(out, "{}", render(&report, ctx.lang))?;
    }
    Ok(Outcome::Success)
}

/// `status --watch`: the status, then every new record as it appears, until the incident is
/// closed.
fn watch(ctx: &Context, name: &str) -> Result<Outcome, Error> {
    status(ctx, name, false)?;
    let mut incident = open(ctx, name)?;
    let lang = ctx.lang;
    say(&tr!(
        lang,
        "── 以後の記録（Ctrl-C で終了） ──",
        "── records from now on (Ctrl-C to stop) ──"
    ))?;
    loop {
        if incident.state().is_closed() {
            return Ok(Outcome::Success);
        }
        std::thread::sleep(crate::incident::REFRESH);
        for w in incident.refresh()? {
            let (at, who, what) = (
                crate::clock::format_jst(w.entry.time, true),
                &w.entry.actor,
                crate::incident::describe::describe(&w.event, incident.playbook(), lang),
            );
            say(&format!("{at}  {who}  {what}"))?;
        }
    }
}

fn evidence(
    ctx: &Context,
    name: &str,
    step: &str,
    target: &str,
    note: Option<String>,
) -> Result<Outcome, Error> {
    let mut incident = open(ctx, name)?;
    let written = incident.attach(&ctx.operator, step, target, note)?;
    let text = match written.first().map(|w| &w.event) {
        Some(crate::incident::Event::EvidenceAttached {
            evidence:
                EvidenceRecord::File {
                    name,
                    sha256,
                    bytes,
                    ..
                },
            ..
        }) => {
            let file = crate::incident::files::evidence_shown(name);
            tr!(
                ctx.lang,
                "証拠を保存: {file} ({bytes} バイト, SHA-256 {sha256})",
                "evidence saved: {file} ({bytes} bytes, SHA-256 {sha256})"
            )
        }
        _ => tr!(
            ctx.lang,
            "証拠を記録: {target}",
            "evidence recorded: {target}"
        ),
    };
    say(&text)?;
    Ok(Outcome::Success)
}

fn handover(ctx: &Context, name: &str, to: &str) -> Result<Outcome, Error> {
    let mut incident = open(ctx, name)?;
    let summary = handover_summary(incident.record(), incident.now(), ctx.lang);
    let from = incident.state().operator.clone();
    let command = Act::Handover {
        to: to.to_string(),
        summary: summary.clone(),
    };
    incident.execute(&ctx.operator, &command)?;
    let mut out = std::io::stdout().lock();
    write!(out, "{summary}")?;
    writeln!(
        out,
        "{}",
        tr!(
            ctx.lang,
            "交代しました: {from} → {to}",
            "handed over: {from} → {to}"
        )
    )?;
    Ok(Outcome::Success)
}

fn list(ctx: &Context) -> Result<Outcome, Error> {
    let lang = ctx.lang;
    let dirs = incident::list(&ctx.incidents);
    if dirs.is_empty() {
        let folder = ctx.incidents.display();
        say(&tr!(
            lang,
            "事案はありません ({folder})",
            "no incidents ({folder})"
        ))?;
        return Ok(Outcome::Success);
    }
    let now = clock().now();
    for dir in dirs {
        match IncidentRecord::load(&dir) {
            Ok(record) => {
                let p = record.state.progress();
                let state = if record.state.is_closed() {
                    tr!(lang, "終了", "closed")
                } else {
                    tr!(lang, "対応中", "open")
                };
                let at = if record.state.run.is_some() {
                    now_for(&record.state)
                } else {
                    now
                };
                let overdue = record.state.overdue(&record.playbook, at).len();
                let (id, settled, total, title) =
                    (&record.id, p.settled(), p.total, &record.state.title);
                say(&tr!(
                    lang,
                    "{id}  {state}  {settled}/{total}  期限超過 {overdue}  {title}",
                    "{id}  {state}  {settled}/{total}  overdue {overdue}  {title}"
                ))?;
            }
            Err(e) => say(&format!("{}  {}", incident_name(&dir), e.message(lang)))?,
        }
    }
    Ok(Outcome::Success)
}

fn incident_name(dir: &Path) -> String {
    dir.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}
