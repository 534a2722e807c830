//! What every command uses: the [`Context`] of the command line, the clock, opening an
//! incident, printing, and the terminal.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

use super::Error;
use super::error::render_diagnostics;
use crate::catalog::LoadFailure;
use crate::clock::{Clock, SimulatedClock, SystemClock};
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
    pub allow_earlier_time: bool,
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

/// Today in Japan on the command's clock (`HIKESHI_TIME` if set).
pub(super) fn today() -> NaiveDate {
    clock()
        .now()
        .with_timezone(&crate::clock::jst())
        .date_naive()
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

/// Renders diagnostics to stderr, each with the source line it points into.
pub(super) fn print_diagnostics(
    diagnostics: &[Diagnostic],
    sources: &[SourceFile],
    lang: Lang,
) -> Result<(), Error> {
    let mut err = std::io::stderr().lock();
    for line in render_diagnostics(diagnostics, sources, lang) {
        writeln!(err, "{line}")?;
    }
    Ok(())
}

/// Prints why a playbook or scenario could not be loaded, for commands that go on to the
/// next one (`list`).
pub(super) fn print_failure(failure: &LoadFailure, lang: Lang) -> Result<(), Error> {
    print_diagnostics(&failure.diagnostics, &failure.sources, lang)
}

/// The loud warning for a real (non-exercise) incident whose directory still holds example
/// addresses or the example organisation (docs/incidents.md, "Example contacts"); `None`
/// for an exercise or a directory of the city's own. `long`: the full text for the terminal,
/// else one line for the screen.
pub(super) fn example_contacts_warning(
    state: &IncidentState,
    directory: &crate::directory::Directory,
    long: bool,
    lang: Lang,
) -> Option<String> {
    if state.exercise {
        return None;
    }
    let example = directory.example_contacts()?;
    let file = state
        .origin
        .as_ref()
        .map_or("divisions.yaml", |o| o.divisions.as_str());
    Some(if long {
        example.warning(file, lang)
    } else {
        example.short(lang)
    })
}

/// Prints a warning on standard error, prefixed `hikeshi: ` as errors are.
pub(super) fn warn(text: &str) -> Result<(), Error> {
    let mut err = std::io::stderr().lock();
    writeln!(err, "hikeshi: {text}")?;
    Ok(())
}

/// Prints a line on standard output.
pub(super) fn say(text: &str) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}")?;
    Ok(())
}

/// Opens an incident for writing, on its clock (an exercise's simulated one), and says so if
/// a crash left a torn line at the end of its journal.
pub(super) fn open(ctx: &Context, name: &str) -> Result<Incident, IncidentError> {
    let dir = incident::resolve(name, &ctx.incidents)?;
    let mut incident = Incident::open(&dir, clock())?;
    incident.allow_earlier_time(ctx.allow_earlier_time);
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

/// Fails unless both ends are a terminal the screen can use; `resume` is the incident to
/// suggest resuming later.
pub(super) fn require_terminal(resume: Option<&str>) -> Result<(), Error> {
    use std::io::IsTerminal as _;
    if std::io::stdin().is_terminal() && std::io::stdout().is_terminal() {
        return Ok(());
    }
    Err(Error::NoTerminal {
        resume: resume.map(str::to_string),
    })
}

/// Runs a screen until it is done.
pub(super) fn show<S: crate::tui::Screen>(screen: &mut S) -> Result<(), Error> {
    Ok(crate::tui::run(screen)?)
}
