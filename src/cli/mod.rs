//! The command line: clap definitions and what each command does. Command names, flags and
//! exit codes are a contract that scripts depend on:
//! 0 = success (warnings allowed), 1 = errors found or the command failed, 2 = usage error.

mod exercise;
mod incident;
mod mail;
mod playbooks;
mod report;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::catalog;
use crate::lang::Lang;
use crate::playbook::Platform;
use crate::playbook::export::{divisions_schema, playbook_schema};

/// hikeshi (火消し): incident-response runbooks for social-media crises at municipalities.
#[derive(Debug, Parser)]
#[command(name = "hikeshi", version, about, long_about = None)]
#[command(
    after_help = "Exit codes: 0 success (warnings allowed), 1 errors found, 2 usage error.\n\
Playbooks: a file path, or a stock playbook id (unauthorized-access, impersonation, flaming)."
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

    /// What to do [default: a launcher to start or resume an incident].
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check playbooks and divisions files; report every problem with file, line and column.
    ///
    /// PATHs are files or folders (the YAML files directly inside). Without PATH: ./playbooks
    /// if it exists, else the stock playbooks embedded in hikeshi. Playbooks are checked
    /// against --divisions FILE if given, else the divisions.yaml beside them, else the
    /// stock example directory.
    Check {
        /// Playbook or divisions files, or folders of them.
        paths: Vec<PathBuf>,
        /// The divisions file to check playbooks against.
        #[arg(long, value_name = "FILE")]
        divisions: Option<PathBuf>,
        /// Print diagnostics as JSON on stdout instead of text on stderr.
        #[arg(long)]
        json: bool,
    },
    /// Print a playbook's step graph (decisions and the critical path marked).
    Graph {
        /// A playbook file, or a stock playbook id.
        playbook: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
        format: GraphFormat,
        /// The divisions file to check the playbook against.
        #[arg(long, value_name = "FILE")]
        divisions: Option<PathBuf>,
    },
    /// Print the JSON Schema of the playbook format (or of divisions.yaml).
    Schema {
        /// The schema of divisions.yaml instead.
        #[arg(long, conflicts_with_all = ["report", "exercise"])]
        divisions: bool,
        /// The schema of `hikeshi report --format json` instead.
        #[arg(long, conflicts_with = "exercise")]
        report: bool,
        /// The schema of exercise scenarios (playbooks/exercises/*.yaml) instead.
        #[arg(long)]
        exercise: bool,
    },
    /// List playbooks with their step counts and critical-path durations.
    List {
        /// A folder of playbooks (default ./playbooks, else the stock playbooks).
        path: Option<PathBuf>,
        /// List the exercise scenarios instead (the folder's exercises/, else the stock ones).
        #[arg(long)]
        exercises: bool,
    },
    /// Write the stock playbooks, divisions.yaml, schemas and a commented hikeshi.toml into
    /// DIR, for a municipality to adapt.
    Init {
        /// The folder to create or fill.
        dir: PathBuf,
        /// Overwrite files that already exist.
        #[arg(long)]
        force: bool,
    },
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
    Status {
        /// Incident folder or id.
        incident: String,
        /// Print the status as JSON (see docs/incident-status.md).
        #[arg(long)]
        json: bool,
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
        /// Who approved.
        #[arg(long)]
        by: String,
    },
    /// Record that an approval or post was refused.
    Reject {
        /// Incident folder or id.
        incident: String,
        /// Step id.
        step: String,
        /// Who refused.
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
    /// Send a notify step's mail to its divisions (saved in outbox/, sent over SMTP if set up).
    ///
    /// One message per division or role, saved in outbox/ and delivered (over SMTP with [smtp]
    /// in hikeshi.toml). The step is done once every message is delivered. Exit 1 if any is
    /// not: it stays queued (see `outbox --retry`).
    Notify {
        /// Incident folder or id.
        incident: String,
        /// The notify step.
        step: String,
        /// Print the exact messages (as .eml) and send nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// List every message of an incident and its state: delivered, pending, failed, called.
    Outbox {
        /// Incident folder or id.
        incident: String,
        /// Print as JSON (see docs/notifications.md).
        #[arg(long)]
        json: bool,
        /// Send every undelivered message now, permanent failures included.
        #[arg(long)]
        retry: bool,
    },
    /// Record that a division acknowledged a message (its number from `outbox`).
    Ack {
        /// Incident folder or id.
        incident: String,
        /// The message number (e.g. 3 or #3).
        message: String,
        /// Who acknowledged.
        #[arg(long)]
        by: String,
        /// What they said.
        #[arg(long)]
        note: Option<String>,
    },
    /// Show a division's phone numbers; with --note, record that they were phoned.
    ///
    /// Out of office hours (weekdays 8:30–17:15 JST) the night/holiday number comes first.
    /// With --note the call is recorded: the division's undelivered messages then count as
    /// reached, and a notify step whose recipients are all reached is done.
    Call {
        /// Incident folder or id.
        incident: String,
        /// The division or role.
        division: String,
        /// What was said (records the call).
        #[arg(long)]
        note: Option<String>,
    },
    /// Write the post-incident report (事案報告書), or the evidence pack.
    ///
    /// Made from the journal and the frozen playbook: HTML (default, one self-contained file
    /// for print), Markdown, CSV (Excel) or JSON. It goes to INCIDENT/report.<ext> unless -o
    /// says otherwise (-o - prints it). A journal that fails verification is reported, with a
    /// warning at the top, and exit 1.
    Report {
        /// Incident folder or id.
        incident: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ReportFormat::Html)]
        format: ReportFormat,
        /// Where to write it (`-` for standard output).
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
        /// Instead of the report, write the evidence files, a manifest with their hashes and a
        /// summary (for a platform report or the police) into DIR (new or empty).
        #[arg(long, value_name = "DIR", conflicts_with_all = ["output", "format"])]
        evidence_pack: Option<PathBuf>,
    },
    /// Verify the journal's hash chain.
    Verify {
        /// Incident folder or id.
        incident: String,
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
    /// Run a tabletop exercise (机上訓練) from a scenario on a simulated clock.
    ///
    /// Opens a new incident marked as an exercise at the scenario's start time and runs the
    /// real playbook on the operator's screen while the scenario's injects (状況付与) arrive.
    /// The facilitator pauses and resumes the clock with P and gives the next inject early
    /// with N. Every message is marked 【訓練】 (subject) and `X-Hikeshi-Exercise: yes`, and
    /// is only written to the incident's outbox/ unless --live-mail is given. At the end the
    /// screen asks for the review (振り返り) and shows the score; `hikeshi report` includes
    /// both.
    ///
    /// SCENARIO is a scenario file or a stock scenario id: takeover-friday-night,
    /// fake-mayor-gift-campaign, shelter-post-backlash.
    Exercise(ExerciseArgs),
}

/// How to run an exercise.
#[derive(Debug, Clone, clap::Args)]
pub struct ExerciseArgs {
    /// A scenario file, or a stock scenario id.
    #[arg(required_unless_present = "resume")]
    pub scenario: Option<String>,
    /// Resume an exercise left off (its folder or id) on the screen, from the time of its
    /// last event (`hikeshi tui` does the same at the default speed).
    #[arg(long, value_name = "INCIDENT", conflicts_with_all = ["scenario", "autopilot", "live_mail"])]
    pub resume: Option<String>,
    /// Simulated seconds per real second (10 = ten minutes of story per real minute).
    #[arg(long, default_value_t = exercise::DEFAULT_SPEED, value_parser = parse_speed)]
    pub speed: f64,
    /// Send the (marked) mail over SMTP as hikeshi.toml's [smtp] says, instead of only to
    /// the outbox.
    #[arg(long)]
    pub live_mail: bool,
    /// Play a scripted participant to the end without a terminal (for demonstrations, tests
    /// and sample journals); prints the score and the incident folder.
    #[arg(long)]
    pub autopilot: bool,
    /// With --autopilot: print the result as JSON.
    #[arg(long, requires = "autopilot")]
    pub json: bool,
}

fn parse_speed(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v <= 3600.0 => Ok(v),
        _ => Err("a number of simulated seconds per real second, above 0 and at most 3600".into()),
    }
}

/// What a new incident is about (`start` and `run`).
#[derive(Debug, Clone, clap::Args)]
pub struct StartArgs {
    /// A playbook file, or a stock playbook id.
    pub playbook: String,
    /// Incident title [default: the playbook's title].
    #[arg(long)]
    pub title: Option<String>,
    /// The affected account, e.g. @city_official.
    #[arg(long)]
    pub account: Option<String>,
    /// The affected platform: x, instagram, facebook, line, youtube, tiktok, threads.
    #[arg(long)]
    pub platform: Option<Platform>,
    /// Severity, if already known (one of the playbook's severities).
    #[arg(long)]
    pub severity: Option<String>,
    /// The divisions file to use [default: divisions.yaml beside the playbook, else the stock one].
    #[arg(long, value_name = "FILE")]
    pub divisions: Option<PathBuf>,
    /// A drill (訓練): every message gets the subject prefix 【訓練】 and the header
    /// `X-Hikeshi-Exercise: yes`.
    #[arg(long)]
    pub exercise: bool,
}

/// Formats of `hikeshi report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// One self-contained HTML file with a timeline chart; prints on A4.
    Html,
    /// Markdown, for wikis.
    Md,
    /// CSV (UTF-8 with BOM, CRLF), one row per event; opens in Excel.
    Csv,
    /// JSON (docs/report.md, docs/report.schema.json).
    Json,
}

/// Formats of `hikeshi graph`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// Graphviz DOT (`dot -Tsvg`).
    Dot,
    /// Mermaid flowchart (renders in GitLab, GitHub and many wikis).
    Mermaid,
}

/// A failure that is not a diagnostic in a file.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// A playbook or folder could not be found.
    #[error(transparent)]
    Catalog(#[from] catalog::CatalogError),
    /// Writing a file failed.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// `init` would overwrite files.
    #[error("{count} file(s) already exist in {dir} (first: {first}); use --force to overwrite")]
    WouldOverwrite {
        /// The folder.
        dir: PathBuf,
        /// How many.
        count: usize,
        /// The first one.
        first: PathBuf,
    },
    /// Writing to stdout or stderr failed.
    #[error("cannot write output: {0}")]
    Output(#[from] std::io::Error),
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

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<Outcome, CliError> {
    let lang = cli.lang;
    let context = incident::Context {
        lang,
        incidents: cli.incidents.clone(),
        operator: cli.operator.clone().unwrap_or_else(login_name),
        config: cli.config.clone(),
    };
    let Some(command) = cli.command else {
        return incident::launcher(&context);
    };
    match command {
        Command::Check {
            paths,
            divisions,
            json,
        } => playbooks::check(&paths, divisions.as_deref(), json, lang),
        Command::Graph {
            playbook,
            format,
            divisions,
        } => playbooks::graph(&playbook, format, divisions.as_deref(), lang),
        Command::Schema {
            divisions,
            report,
            exercise,
        } => {
            let text = if divisions {
                divisions_schema()
            } else if exercise {
                crate::exercise::scenario::schema()
            } else if report {
                crate::report::schema()
            } else {
                playbook_schema()
            };
            std::io::stdout().write_all(text.as_bytes())?;
            Ok(Outcome::Success)
        }
        Command::List {
            path,
            exercises: true,
        } => playbooks::list_exercises(path.as_deref(), lang),
        Command::List {
            path,
            exercises: false,
        } => playbooks::list(path.as_deref(), lang),
        Command::Init { dir, force } => playbooks::init(&dir, force, lang),
        other => incident::run(&context, other),
    }
}
