//! What every command uses: the [`Context`] of the command line, the clock, opening an
//! incident, printing, and the terminal.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

use super::{CliError, Outcome};
use crate::catalog::LoadFailure;
use crate::clock::{Clock, SimulatedClock, SystemClock};
use crate::exercise::ExerciseError;
use crate::incident::{self, Incident, IncidentError, IncidentState, StepStatus};
use crate::lang::Lang;
use crate::playbook::{CompileOptions, Diagnostic, Playbook, SourceFile, StepIx};

/// What every command needs: the global options.
#[derive(Debug, Clone)]
pub(super) struct Context {
    pub lang: Lang,
    pub incidents: PathBuf,
    pub operator: String,
    pub config: Option<PathBuf>,
}

/// The clock: the computer's, unless `HIKESHI_TIME` fixes it (for tests and demonstrations;
/// documented in docs/incidents.md).
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
pub(super) fn now_for(state: &IncidentState) -> DateTime<FixedOffset> {
    clock_for(state).now()
}

/// The clock for an incident (see [`now_for`]).
pub(super) fn clock_for(state: &IncidentState) -> Arc<dyn Clock> {
    match (&state.run, state.last_event_at) {
        (Some(_), Some(last)) if std::env::var_os("HIKESHI_TIME").is_none() => {
            Arc::new(SimulatedClock::fixed(last))
        }
        _ => clock(),
    }
}

/// Today's date in Japan (for review-overdue warnings).
fn today_jst() -> Option<NaiveDate> {
    let jst = FixedOffset::east_opt(9 * 3600)?;
    Some(Utc::now().with_timezone(&jst).date_naive())
}

/// How playbooks are compiled on the command line: review dates against today.
pub(super) fn compile_options() -> CompileOptions {
    CompileOptions {
        today: today_jst(),
        ..CompileOptions::default()
    }
}

/// Prints one error line (`hikeshi: …`) and ends with exit 1.
pub(super) fn fail_message(message: &str) -> Result<Outcome, CliError> {
    let mut err = std::io::stderr().lock();
    writeln!(err, "hikeshi: {message}")?;
    Ok(Outcome::Problems)
}

/// Prints an incident error (with a frozen playbook's diagnostics) and ends with exit 1.
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

/// Prints an exercise error and ends with exit 1.
pub(super) fn fail_exercise(ctx: &Context, e: &ExerciseError) -> Result<Outcome, CliError> {
    match e {
        ExerciseError::Incident(i) => fail(ctx, i),
        other => fail_message(&other.message(ctx.lang)),
    }
}

/// Renders diagnostics to stderr, each with the source line it points into.
pub(super) fn print_diagnostics(
    diagnostics: &[Diagnostic],
    sources: &[SourceFile],
    lang: Lang,
) -> std::io::Result<()> {
    let mut err = std::io::stderr().lock();
    for d in diagnostics {
        let text = sources
            .iter()
            .find(|s| s.name == d.file)
            .map(|s| s.text.as_str());
        writeln!(err, "{}", d.render(text, lang))?;
    }
    Ok(())
}

/// Prints why a playbook or scenario could not be loaded; exit 1.
pub(super) fn report_failure(failure: &LoadFailure, lang: Lang) -> Result<Outcome, CliError> {
    print_diagnostics(&failure.diagnostics, &failure.sources, lang)?;
    Ok(Outcome::Problems)
}

/// Prints a line on standard output.
pub(super) fn say(text: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}")?;
    Ok(())
}

/// Opens an incident for writing, on its clock (an exercise's simulated one), and says so if
/// a crash left a torn line at the end of its journal.
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
        let bytes = torn.bytes;
        let _ = writeln!(
            err,
            "{}",
            crate::tr!(
                ctx.lang,
                "注意: 記録の末尾に書きかけの {bytes} バイトがありました（前回の異常終了の跡）。{moved} に移し、完全な記録から再開します",
                "note: the journal ended in {bytes} torn bytes (an earlier crash); moved to {moved}, continuing from the intact record"
            )
        );
    }
    Ok(incident)
}

/// A step's title, or nothing for an unknown id.
pub(super) fn step_title(playbook: &Playbook, id: &str) -> String {
    playbook
        .graph
        .find(id)
        .and_then(|ix| playbook.graph.step(ix))
        .map(|s| s.title.clone())
        .unwrap_or_default()
}

/// Step ids, comma separated.
pub(super) fn ids(playbook: &Playbook, steps: &[StepIx]) -> String {
    steps
        .iter()
        .filter_map(|ix| playbook.graph.step(*ix).map(|s| s.id.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The steps with `status`, in the playbook's order.
pub(super) fn with_status(incident: &Incident, status: StepStatus) -> Vec<StepIx> {
    incident
        .playbook()
        .graph
        .order()
        .iter()
        .copied()
        .filter(|ix| incident.state().status_of(*ix) == status)
        .collect()
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
        crate::tr!(
            ctx.lang,
            "端末（ターミナル）ではないため画面を表示できません。`hikeshi status` などのコマンドを使うか、端末から実行してください",
            "not a terminal, so the screen cannot be shown; use commands such as `hikeshi status`, or run this in a terminal",
        )
    )?;
    if let Some(name) = resume {
        writeln!(
            err,
            "hikeshi: {}",
            crate::tr!(
                ctx.lang,
                "事案は保存されています。端末から再開するには `hikeshi tui {name}`",
                "the incident is saved; to resume it in a terminal: `hikeshi tui {name}`"
            )
        )?;
    }
    Ok(false)
}

/// Runs a screen until it is done; false (having said why) if the terminal cannot be used.
pub(super) fn show<S: crate::tui::Screen>(ctx: &Context, screen: &mut S) -> Result<bool, CliError> {
    if let Err(e) = crate::tui::run(screen) {
        let mut err = std::io::stderr().lock();
        writeln!(
            err,
            "hikeshi: {}",
            crate::tr!(
                ctx.lang,
                "画面を表示できません: {e}",
                "cannot show the screen: {e}"
            )
        )?;
        return Ok(false);
    }
    Ok(true)
}
