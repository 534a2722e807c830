//! The command line. Command names, flags and exit codes are a contract that scripts depend
//! on: 0 = success (warnings allowed), 1 = errors found or the command failed, 2 = usage error.
//!
//! Each group of commands is one module holding its clap definitions and its `run`, as in
//! atuin's `command/`: [`playbooks`] (check, graph, show, schema, list, init), [`incident`]
//! (start, run, tui, status, done, fact, …, close, incidents), [`mail`] (notify, outbox, ack,
//! call),
//! [`report`], [`summary`], [`exercise`] and [`contacts`] (contacts import, export). The groups are flattened into one command list, so every
//! command stays at the top level (`hikeshi done`, not `hikeshi incident done`). Groups use
//! the helpers in [`context`] and the screen in [`screen`], never each other.

mod contacts;
mod context;
mod error;
mod exercise;
mod incident;
mod mail;
mod playbooks;
mod refusal;
mod register;
mod report;
mod screen;
mod summary;

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub use error::Error;

use crate::lang::Lang;

/// hikeshi (火消し): incident-response runbooks for social-media crises at municipalities.
#[derive(Debug, Parser)]
#[command(name = "hikeshi", version, about, long_about = None)]
#[command(
    after_help = "Exit codes: 0 success (warnings allowed), 1 errors found, 2 usage error.\n\
Playbooks: a file path, or an id: the city's ./playbooks/ID.yaml, else a stock playbook \
(unauthorized-access, impersonation, flaming, correction, staff-conduct, rumor, comments, \
contractor, deepfake, account-lost). \
`hikeshi list` shows every id and its file; `hikeshi list --exercises` every scenario."
)]
pub struct Cli {
    /// Language of messages: ja (default) or en.
    #[arg(long, global = true, env = "HIKESHI_LANG", default_value = "ja")]
    pub lang: Lang,

    /// The folder that holds incidents.
    #[arg(
        long,
        global = true,
        env = "HIKESHI_INCIDENTS",
        default_value = "incidents",
        value_name = "DIR"
    )]
    pub incidents: PathBuf,

    /// Who is acting (recorded with every event) [default: the login name].
    #[arg(long, global = true, env = "HIKESHI_OPERATOR", value_name = "NAME")]
    pub operator: Option<String>,

    /// Mail settings (hikeshi.toml) [default: $HIKESHI_CONFIG, else ./hikeshi.toml, else
    /// mail goes to the incident's outbox/ only].
    #[arg(long, global = true, env = "HIKESHI_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Record although this computer's clock is behind the journal's last event (the time
    /// then runs backwards in the record, which verify and the report show).
    #[arg(long, global = true)]
    pub allow_earlier_time: bool,

    /// What to do [default: a launcher to start or resume an incident].
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands, by group; every one of them is a top-level command.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// check, graph, show, schema, list, init.
    #[command(flatten)]
    Playbooks(playbooks::Cmd),
    /// start, run, tui, status, the step commands, verify, close, incidents.
    #[command(flatten)]
    Incident(incident::Cmd),
    /// notify, outbox, ack, call.
    #[command(flatten)]
    Mail(mail::Cmd),
    /// report.
    #[command(flatten)]
    Report(report::Cmd),
    /// summary.
    #[command(flatten)]
    Summary(summary::Cmd),
    /// exercise.
    #[command(flatten)]
    Exercise(exercise::Cmd),
    /// contacts import, contacts export.
    #[command(flatten)]
    Contacts(contacts::Cmd),
    /// register check.
    #[command(flatten)]
    Register(register::Cmd),
}

/// What a command ended with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Exit 0.
    Success,
    /// Exit 1: problems were found and reported.
    Problems,
}

impl From<Outcome> for ExitCode {
    fn from(o: Outcome) -> Self {
        match o {
            Outcome::Success => ExitCode::SUCCESS,
            Outcome::Problems => ExitCode::from(1),
        }
    }
}

/// The login name, for `--operator`'s default.
fn login_name() -> String {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.trim().is_empty()))
        .unwrap_or_else(|| "operator".to_string())
}

/// Runs a parsed command line and gives its exit code: 0 success (warnings allowed), 1 problems
/// found or a failure (printed here, once, in the language asked for). Usage errors (2) are
/// clap's, while parsing.
pub fn run(cli: Cli) -> ExitCode {
    crate::platform::handle_file_size_limit();
    let lang = cli.lang;
    match dispatch(cli) {
        Ok(outcome) => outcome.into(),
        Err(error) => {
            // If even stderr is gone there is no one left to tell.
            let _ = writeln!(std::io::stderr().lock(), "{}", error.render(lang));
            ExitCode::from(error.exit_code())
        }
    }
}

/// The one place every command is dispatched from.
fn dispatch(cli: Cli) -> Result<Outcome, Error> {
    let operator = cli.operator.unwrap_or_else(login_name);
    // The actor goes into every event written: the same rule as every other typed name.
    if crate::text::bad_in_name(&operator).is_some() {
        return Err(crate::incident::Refusal::ControlCharacter {
            what: crate::incident::Field::Operator,
        }
        .into());
    }
    let ctx = context::Context {
        lang: cli.lang,
        incidents: cli.incidents,
        operator,
        config: cli.config,
        allow_earlier_time: cli.allow_earlier_time,
    };
    match cli.command {
        None => screen::launcher(&ctx),
        Some(Command::Playbooks(cmd)) => cmd.run(&ctx),
        Some(Command::Incident(cmd)) => cmd.run(&ctx),
        Some(Command::Mail(cmd)) => cmd.run(&ctx),
        Some(Command::Report(cmd)) => cmd.run(&ctx),
        Some(Command::Summary(cmd)) => cmd.run(&ctx),
        Some(Command::Exercise(cmd)) => cmd.run(&ctx),
        Some(Command::Contacts(cmd)) => cmd.run(&ctx),
        Some(Command::Register(cmd)) => cmd.run(&ctx),
    }
}
