//! Commands about incidents: start, status, done, skip, decide, approve, reject, observe,
//! reopen, note, evidence, handover, verify, close, incidents. Every refusal is one line that
//! says why and what to do, exit 1, and nothing written.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::DateTime;

use super::{CliError, Command, Outcome, StartArgs};
use crate::catalog::{self, PlaybookRef};
use crate::clock::{Clock, SimulatedClock, SystemClock, format_jst};
use crate::incident::status::{StatusReport, render};
use crate::incident::{
    self, Command as Act, EvidenceRecord, Incident, IncidentError, IncidentRecord, StartParams,
    StepStatus, handover_summary,
};
use crate::lang::Lang;
use crate::playbook::{Playbook, StepIx};

/// What every incident command needs.
#[derive(Debug, Clone)]
pub(super) struct Context {
    pub lang: Lang,
    pub incidents: PathBuf,
    pub operator: String,
    pub config: Option<PathBuf>,
}

/// The clock: the computer's, unless `HIKESHI_TIME` fixes it (for tests and demonstrations;
/// documented in docs/incident-status.md).
pub(super) fn clock() -> Arc<dyn Clock> {
    match std::env::var("HIKESHI_TIME")
        .ok()
        .and_then(|t| DateTime::parse_from_rfc3339(t.trim()).ok())
    {
        Some(t) => Arc::new(SimulatedClock::fixed(t)),
        None => Arc::new(SystemClock),
    }
}

/// The time for an incident's commands: an exercise runs on simulated time, so commands
/// outside its screen are recorded at its current simulated time (that of its last event),
/// never at the computer's (which may be days before the story); anything else uses
/// [`clock`].
pub(super) fn now_for(
    state: &crate::incident::IncidentState,
) -> chrono::DateTime<chrono::FixedOffset> {
    clock_for(state).now()
}

/// The clock for an incident (see [`now_for`]).
pub(super) fn clock_for(state: &crate::incident::IncidentState) -> Arc<dyn Clock> {
    match (&state.run, state.last_event_at) {
        (Some(_), Some(last)) if std::env::var_os("HIKESHI_TIME").is_none() => {
            Arc::new(SimulatedClock::fixed(last))
        }
        _ => clock(),
    }
}

/// Prints one error line (`hikeshi: …`) and ends with exit 1.
pub(super) fn fail_message(message: &str) -> Result<Outcome, CliError> {
    let mut err = std::io::stderr().lock();
    writeln!(err, "hikeshi: {message}")?;
    Ok(Outcome::Problems)
}

pub(super) fn fail(ctx: &Context, error: &IncidentError) -> Result<Outcome, CliError> {
    let mut err = std::io::stderr().lock();
    writeln!(err, "hikeshi: {}", error.message(ctx.lang))?;
    if let IncidentError::FrozenPlaybook(diagnostics) = error {
        for d in diagnostics {
            writeln!(err, "{}", d.render(None, ctx.lang))?;
        }
    }
    Ok(Outcome::Problems)
}

pub(super) fn say(text: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}")?;
    Ok(())
}

pub(super) fn open(ctx: &Context, name: &str) -> Result<Incident, IncidentError> {
    let dir = incident::resolve(name, &ctx.incidents)?;
    let mut incident = Incident::open(&dir, clock())?;
    if incident.state().run.is_some() {
        let clock = clock_for(incident.state());
        incident.set_clock(clock);
    }
    if let Some(torn) = &incident.record().torn {
        let mut err = std::io::stderr().lock();
        let moved = torn
            .moved_to
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        let _ = writeln!(
            err,
            "{}",
            match ctx.lang {
                Lang::Ja => format!(
                    "注意: 記録の末尾に書きかけの {} バイトがありました（前回の異常終了の跡）。{moved} に移し、完全な記録から再開します",
                    torn.bytes
                ),
                Lang::En => format!(
                    "note: the journal ended in {} torn bytes (an earlier crash); moved to {moved}, continuing from the intact record",
                    torn.bytes
                ),
            }
        );
    }
    Ok(incident)
}

pub(super) fn step_title(playbook: &Playbook, id: &str) -> String {
    playbook
        .graph
        .find(id)
        .and_then(|ix| playbook.graph.step(ix))
        .map(|s| s.title.clone())
        .unwrap_or_default()
}

fn ids(playbook: &Playbook, steps: &[StepIx]) -> String {
    steps
        .iter()
        .filter_map(|ix| playbook.graph.step(*ix).map(|s| s.id.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn with_status(incident: &Incident, status: StepStatus) -> Vec<StepIx> {
    incident
        .playbook()
        .graph
        .order()
        .iter()
        .copied()
        .filter(|ix| incident.state().status_of(*ix) == status)
        .collect()
}

/// Runs `act` and reports what changed: steps that became ready or not applicable.
fn act(
    ctx: &Context,
    name: &str,
    act: &Act,
    done: impl Fn(&Incident) -> String,
) -> Result<Outcome, CliError> {
    let mut incident = match open(ctx, name) {
        Ok(i) => i,
        Err(e) => return fail(ctx, &e),
    };
    let ready_before = with_status(&incident, StepStatus::Ready);
    let na_before = with_status(&incident, StepStatus::NotApplicable);
    if let Err(e) = incident.execute(&ctx.operator, act) {
        return fail(ctx, &e);
    }
    say(&done(&incident))?;
    report_changes(ctx, &incident, &ready_before, &na_before)?;
    Ok(Outcome::Success)
}

fn report_changes(
    ctx: &Context,
    incident: &Incident,
    ready_before: &[StepIx],
    na_before: &[StepIx],
) -> Result<(), CliError> {
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
        say(&format!(
            "{}: {}",
            ctx.lang.pick("次に実施可能", "now ready"),
            ids(playbook, &new_ready)
        ))?;
    }
    if !new_na.is_empty() {
        say(&format!(
            "{}: {}",
            ctx.lang.pick("対象外になった手順", "no longer applicable"),
            ids(playbook, &new_na)
        ))?;
    }
    Ok(())
}

pub(super) fn run(ctx: &Context, command: Command) -> Result<Outcome, CliError> {
    let lang = ctx.lang;
    match command {
        Command::Start(args) => start(ctx, &args),
        Command::Run(args) => {
            let dir = match start_incident(ctx, &args)? {
                Ok(dir) => dir,
                Err(outcome) => return Ok(outcome),
            };
            screen(ctx, &dir.display().to_string())
        }
        Command::Tui { incident } => screen(ctx, &incident),
        Command::Exercise(args) => super::exercise::exercise(ctx, &args),
        Command::Status { incident, json } => status(ctx, &incident, json),
        Command::Done {
            incident,
            step,
            note,
            force,
            reason,
        } => {
            let command = Act::Complete {
                step: step.clone(),
                note,
                force: if force { reason } else { None },
            };
            act(ctx, &incident, &command, |i| {
                format!(
                    "{}: {step} {} ({})",
                    lang.pick("完了", "done"),
                    step_title(i.playbook(), &step),
                    format_jst(i.now(), false)
                )
            })
        }
        Command::Skip {
            incident,
            step,
            reason,
        } => {
            let command = Act::Skip {
                step: step.clone(),
                reason,
            };
            act(ctx, &incident, &command, |i| {
                format!(
                    "{}: {step} {}",
                    lang.pick("省略", "skipped"),
                    step_title(i.playbook(), &step)
                )
            })
        }
        Command::Decide {
            incident,
            step,
            option,
            reason,
            force,
        } => {
            let command = Act::Decide {
                step: step.clone(),
                option: option.clone(),
                force: if force { reason.clone() } else { None },
                reason,
            };
            act(ctx, &incident, &command, |i| {
                format!(
                    "{}: {step} = {option} ({})",
                    lang.pick("判断", "decided"),
                    step_title(i.playbook(), &step)
                )
            })
        }
        Command::Approve { incident, step, by } => {
            let command = Act::Approve {
                step: step.clone(),
                by: by.clone(),
            };
            act(ctx, &incident, &command, |i| {
                format!(
                    "{}: {step} {} ({by})",
                    lang.pick("承認", "approved"),
                    step_title(i.playbook(), &step)
                )
            })
        }
        Command::Reject {
            incident,
            step,
            by,
            reason,
        } => {
            let command = Act::Reject {
                step: step.clone(),
                by: by.clone(),
                reason,
            };
            act(ctx, &incident, &command, |i| {
                format!(
                    "{}: {step} {} ({by})",
                    lang.pick("差戻し", "rejected"),
                    step_title(i.playbook(), &step)
                )
            })
        }
        Command::Observe {
            incident,
            step,
            text,
        } => {
            let command = Act::Observe {
                step: step.clone(),
                text,
            };
            act(ctx, &incident, &command, |i| {
                let next = i
                    .playbook()
                    .graph
                    .find(&step)
                    .and_then(|ix| i.state().view(i.playbook(), ix, i.now()).next_check)
                    .map(|t| format_jst(t, false))
                    .unwrap_or_default();
                format!(
                    "{}: {step} ({} {next})",
                    lang.pick("観測を記録", "observation recorded"),
                    lang.pick("次回確認", "next check")
                )
            })
        }
        Command::Reopen {
            incident,
            step,
            reason,
        } => {
            let command = Act::Reopen {
                step: step.clone(),
                reason,
            };
            act(ctx, &incident, &command, |i| {
                format!(
                    "{}: {step} {}",
                    lang.pick("再開", "reopened"),
                    step_title(i.playbook(), &step)
                )
            })
        }
        Command::Note {
            incident,
            text,
            step,
        } => {
            let command = Act::Note { text, step };
            act(ctx, &incident, &command, |_| {
                lang.pick("メモを記録しました", "note recorded").to_string()
            })
        }
        Command::Evidence {
            incident,
            step,
            target,
            note,
        } => evidence(ctx, &incident, &step, &target, note),
        Command::Handover { incident, to } => handover(ctx, &incident, &to),
        Command::Verify { incident } => verify(ctx, &incident),
        Command::Report {
            incident,
            format,
            output,
            evidence_pack,
        } => super::report::report(
            ctx,
            &incident,
            format,
            output.as_deref(),
            evidence_pack.as_deref(),
        ),
        Command::Notify {
            incident,
            step,
            dry_run,
        } => super::mail::notify(ctx, &incident, &step, dry_run),
        Command::Outbox {
            incident,
            json,
            retry,
        } => super::mail::outbox(ctx, &incident, json, retry),
        Command::Ack {
            incident,
            message,
            by,
            note,
        } => super::mail::ack(ctx, &incident, &message, &by, note),
        Command::Call {
            incident,
            division,
            note,
        } => super::mail::call(ctx, &incident, &division, note),
        Command::Close {
            incident,
            force,
            reason,
        } => {
            let command = Act::Close {
                force: if force { reason } else { None },
            };
            act(ctx, &incident, &command, |i| {
                format!(
                    "{} ({})",
                    lang.pick("事案を終了しました", "incident closed"),
                    format_jst(i.now(), false)
                )
            })
        }
        Command::Incidents => list(ctx),
        Command::Check { .. }
        | Command::Graph { .. }
        | Command::Schema { .. }
        | Command::List { .. }
        | Command::Init { .. } => Ok(Outcome::Problems),
    }
}

fn start(ctx: &Context, args: &StartArgs) -> Result<Outcome, CliError> {
    let dir = match start_incident(ctx, args)? {
        Ok(dir) => dir,
        Err(outcome) => return Ok(outcome),
    };
    // The folder path is the last line: scripts take it with `tail -n 1`.
    say(&dir.display().to_string())?;
    Ok(Outcome::Success)
}

/// Starts an incident and prints what it is; the folder, or the outcome of a failure.
fn start_incident(ctx: &Context, args: &StartArgs) -> Result<Result<PathBuf, Outcome>, CliError> {
    let playbook = PlaybookRef::resolve(&args.playbook)?;
    let divisions = playbook.divisions_source(args.divisions.as_deref());
    let loaded =
        match catalog::load_playbook(&playbook, &divisions, &super::playbooks::compile_options()) {
            Ok(l) => l,
            Err(failure) => return Ok(Err(super::playbooks::report_failure(&failure, ctx.lang)?)),
        };
    let params = StartParams {
        title: args
            .title
            .clone()
            .unwrap_or_else(|| loaded.compiled.playbook.title.clone()),
        account: args.account.clone(),
        platform: args.platform,
        operator: ctx.operator.clone(),
        severity: args.severity.clone(),
        exercise: args.exercise,
    };
    let incident = match Incident::start(&ctx.incidents, &loaded, params, clock()) {
        Ok(i) => i,
        Err(e) => return Ok(Err(fail(ctx, &e)?)),
    };
    let lang = ctx.lang;
    let ready = with_status(&incident, StepStatus::Ready);
    say(&format!(
        "{}: {}",
        lang.pick("事案を開始しました", "incident started"),
        incident.state().title
    ))?;
    say(&format!(
        "{}: {}",
        lang.pick("実施可能な手順", "ready steps"),
        ids(incident.playbook(), &ready)
    ))?;
    Ok(Ok(incident.dir().to_path_buf()))
}

/// Whether both ends are a terminal the screen can use; says why not otherwise.
pub(super) fn has_terminal(ctx: &Context, resume: Option<&str>) -> Result<bool, CliError> {
    use std::io::IsTerminal as _;
    if std::io::stdin().is_terminal() && std::io::stdout().is_terminal() {
        return Ok(true);
    }
    let mut err = std::io::stderr().lock();
    writeln!(
        err,
        "hikeshi: {}",
        ctx.lang.pick(
            "端末（ターミナル）ではないため画面を表示できません。`hikeshi status` などのコマンドを使うか、端末から実行してください",
            "not a terminal, so the screen cannot be shown; use commands such as `hikeshi status`, or run this in a terminal",
        )
    )?;
    if let Some(name) = resume {
        writeln!(
            err,
            "hikeshi: {} `hikeshi tui {name}`",
            ctx.lang.pick(
                "事案は保存されています。端末から再開するには",
                "the incident is saved; to resume it in a terminal:"
            )
        )?;
    }
    Ok(false)
}

pub(super) fn show<S: crate::tui::Screen>(ctx: &Context, screen: &mut S) -> Result<bool, CliError> {
    if let Err(e) = crate::tui::run(screen) {
        let mut err = std::io::stderr().lock();
        writeln!(
            err,
            "hikeshi: {}: {e}",
            ctx.lang
                .pick("画面を表示できません", "cannot show the screen")
        )?;
        return Ok(false);
    }
    Ok(true)
}

/// Opens an incident on the operator's screen.
fn screen(ctx: &Context, name: &str) -> Result<Outcome, CliError> {
    if !has_terminal(ctx, Some(name))? {
        return Ok(Outcome::Problems);
    }
    let incident = match open(ctx, name) {
        Ok(i) => i,
        Err(e) => return fail(ctx, &e),
    };
    // An exercise resumes on its simulated clock, with its injects.
    if incident.state().run.is_some() {
        return super::exercise::resume_screen(ctx, incident, super::exercise::DEFAULT_SPEED);
    }
    let mail = super::mail::screen_mail(ctx, incident.state())?;
    let dir = incident.dir().to_path_buf();
    let mut app = crate::tui::App::with_mail(incident, ctx.operator.clone(), ctx.lang, mail);
    if !show(ctx, &mut app)? {
        return Ok(Outcome::Problems);
    }
    super::mail::remind_undelivered(ctx, app.incident.record())?;
    say(&format!(
        "{}: {}",
        ctx.lang
            .pick("記録は保存されています", "everything is saved in"),
        dir.display()
    ))?;
    Ok(Outcome::Success)
}

/// `hikeshi` alone: choose a playbook to start or an incident to resume.
pub(super) fn launcher(ctx: &Context) -> Result<Outcome, CliError> {
    use crate::tui::launcher::{Choice, IncidentChoice, Launcher, PlaybookChoice};
    let options = super::playbooks::compile_options();
    let refs: Vec<PlaybookRef> = if Path::new("playbooks").is_dir() {
        catalog::yaml_files_in(Path::new("playbooks"))?
            .into_iter()
            .filter(|p| !catalog::is_divisions_file(p))
            .map(PlaybookRef::File)
            .collect()
    } else {
        catalog::stock_ids()
            .into_iter()
            .map(|id| PlaybookRef::Stock(id.to_string()))
            .collect()
    };
    let playbooks: Vec<PlaybookChoice> = refs
        .into_iter()
        .filter_map(|r| {
            let divisions = r.divisions_source(None);
            let loaded = catalog::load_playbook(&r, &divisions, &options).ok()?;
            let p = &loaded.compiled.playbook;
            Some(PlaybookChoice {
                title: p.title.clone(),
                platforms: p.platforms.clone(),
                playbook: r,
            })
        })
        .collect();
    let incidents: Vec<IncidentChoice> = incident::list(&ctx.incidents)
        .into_iter()
        .filter_map(|dir| {
            let record = IncidentRecord::load(&dir).ok()?;
            if record.state.is_closed() {
                return None;
            }
            let p = record.state.progress();
            Some(IncidentChoice {
                summary: format!(
                    "{}  {}  {}/{}",
                    record.id,
                    record.state.title,
                    p.settled(),
                    p.total
                ),
                dir,
            })
        })
        .collect();
    if !has_terminal(ctx, None)? {
        return Ok(Outcome::Problems);
    }
    let mut launcher = Launcher::new(ctx.lang, playbooks, incidents);
    if !show(ctx, &mut launcher)? {
        return Ok(Outcome::Problems);
    }
    match launcher.choice {
        None => Ok(Outcome::Success),
        Some(Choice::Resume(dir)) => screen(ctx, &dir.display().to_string()),
        Some(Choice::Start(playbook, platform)) => {
            let spec = match &playbook {
                PlaybookRef::File(p) => p.display().to_string(),
                PlaybookRef::Stock(id) => id.clone(),
            };
            let args = StartArgs {
                playbook: spec,
                title: None,
                account: None,
                platform,
                severity: None,
                divisions: None,
                exercise: false,
            };
            match start_incident(ctx, &args)? {
                Ok(dir) => screen(ctx, &dir.display().to_string()),
                Err(outcome) => Ok(outcome),
            }
        }
    }
}

fn status(ctx: &Context, name: &str, json: bool) -> Result<Outcome, CliError> {
    let record =
        match incident::resolve(name, &ctx.incidents).and_then(|d| IncidentRecord::load(&d)) {
            Ok(r) => r,
            Err(e) => return fail(ctx, &e),
        };
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

fn evidence(
    ctx: &Context,
    name: &str,
    step: &str,
    target: &str,
    note: Option<String>,
) -> Result<Outcome, CliError> {
    let mut incident = match open(ctx, name) {
        Ok(i) => i,
        Err(e) => return fail(ctx, &e),
    };
    let written = match incident.attach(&ctx.operator, step, target, note) {
        Ok(w) => w,
        Err(e) => return fail(ctx, &e),
    };
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
        }) => format!(
            "{}: evidence/{name} ({bytes} {}, SHA-256 {sha256})",
            ctx.lang.pick("証拠を保存", "evidence saved"),
            ctx.lang.pick("バイト", "bytes"),
        ),
        _ => format!(
            "{}: {target}",
            ctx.lang.pick("証拠を記録", "evidence recorded")
        ),
    };
    say(&text)?;
    Ok(Outcome::Success)
}

fn handover(ctx: &Context, name: &str, to: &str) -> Result<Outcome, CliError> {
    let mut incident = match open(ctx, name) {
        Ok(i) => i,
        Err(e) => return fail(ctx, &e),
    };
    let summary = handover_summary(incident.record(), incident.now(), ctx.lang);
    let from = incident.state().operator.clone();
    let command = Act::Handover {
        to: to.to_string(),
        summary: summary.clone(),
    };
    if let Err(e) = incident.execute(&ctx.operator, &command) {
        return fail(ctx, &e);
    }
    let mut out = std::io::stdout().lock();
    write!(out, "{summary}")?;
    writeln!(
        out,
        "{}: {from} → {to}",
        ctx.lang.pick("交代しました", "handed over")
    )?;
    Ok(Outcome::Success)
}

fn verify(ctx: &Context, name: &str) -> Result<Outcome, CliError> {
    let dir = match incident::resolve(name, &ctx.incidents) {
        Ok(d) => d,
        Err(e) => return fail(ctx, &e),
    };
    // Loading checks the hash chain, that every entry is a known event, and that the frozen
    // playbook and divisions files are the ones the start recorded: one read of the journal.
    let record = match IncidentRecord::load(&dir) {
        Ok(r) => r,
        Err(e) => return fail(ctx, &e),
    };
    let lang = ctx.lang;
    // An exercise's frozen scenario must still be the one it began with.
    if let Some(scenario) = record.frozen_scenario() {
        let path = &scenario.path;
        if !scenario.verified {
            let mut err = std::io::stderr().lock();
            writeln!(
                err,
                "hikeshi: {}",
                match lang {
                    Lang::Ja => format!(
                        "{} が無いか、訓練の開始時の内容と異なります（SHA-256 が一致しません）",
                        path.display()
                    ),
                    Lang::En => format!(
                        "{} is missing or differs from the scenario the exercise began with (SHA-256 mismatch)",
                        path.display()
                    ),
                }
            )?;
            return Ok(Outcome::Problems);
        }
    }
    let first = record.first_hash.as_deref().unwrap_or("-");
    let last = &record.head;
    let entries = record.entries;
    say(&match lang {
        Lang::Ja => format!(
            "OK: {entries} 件の記録のハッシュ連鎖を確認しました（最初 {first}、最後 {last}）"
        ),
        Lang::En => format!(
            "ok: the hash chain of {entries} entries is intact (first {first}, last {last})"
        ),
    })?;
    if let Some(torn) = &record.torn {
        say(&match lang {
            Lang::Ja => format!(
                "注意: 末尾に書きかけの {} バイトがあります（異常終了の跡。次の書き込み時に journal.torn へ移します）",
                torn.bytes
            ),
            Lang::En => format!(
                "note: {} torn bytes at the end (from a crash; moved to journal.torn on the next write)",
                torn.bytes
            ),
        })?;
    }
    Ok(Outcome::Success)
}

fn list(ctx: &Context) -> Result<Outcome, CliError> {
    let lang = ctx.lang;
    let dirs = incident::list(&ctx.incidents);
    if dirs.is_empty() {
        say(&format!(
            "{} ({})",
            lang.pick("事案はありません", "no incidents"),
            ctx.incidents.display()
        ))?;
        return Ok(Outcome::Success);
    }
    let now = clock().now();
    for dir in dirs {
        match IncidentRecord::load(&dir) {
            Ok(record) => {
                let p = record.state.progress();
                let state = if record.state.is_closed() {
                    lang.pick("終了", "closed")
                } else {
                    lang.pick("対応中", "open")
                };
                let overdue = record
                    .state
                    .overdue(
                        &record.playbook,
                        if record.state.run.is_some() {
                            now_for(&record.state)
                        } else {
                            now
                        },
                    )
                    .len();
                say(&format!(
                    "{}  {state}  {}/{}  {} {overdue}  {}",
                    record.id,
                    p.settled(),
                    p.total,
                    lang.pick("期限超過", "overdue"),
                    record.state.title
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
