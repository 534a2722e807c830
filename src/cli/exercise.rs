//! `hikeshi exercise`: a tabletop exercise on the screen, or played by the autopilot.

use std::time::Instant;

use clap::Subcommand;

use super::context::{Context, compile_options, require_terminal, say};
use super::screen::{DEFAULT_SPEED, exercise_screen, resume_exercise};
use super::{Error, Outcome};
use crate::exercise::{self, ScenarioRef, Session};
use crate::notify::{Config, Transport};
use crate::playbook::duration::format_duration;
use crate::tr;

/// The exercise command.
#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Run a tabletop exercise (机上訓練) from a scenario on a simulated clock.
    ///
    /// Opens a new incident marked as an exercise at the scenario's start time and runs the
    /// real playbook on the operator's screen while the scenario's injects (状況付与) arrive.
    /// The facilitator pauses and resumes the clock with P and gives the next inject early
    /// with N. Every message and chat post is marked 【訓練】 (subject) and mail has
    /// `X-Hikeshi-Exercise: yes`; both are only written to the incident's outbox/ unless
    /// --live is given. At the end the
    /// screen asks for the review (振り返り) and shows the score; `hikeshi report` includes
    /// both.
    ///
    /// SCENARIO is a scenario file or an id: the city's ./playbooks/exercises/ID.yaml (or the
    /// file there with that `scenario:` id), else a stock scenario (`hikeshi list --exercises`
    /// lists them).
    Exercise(ExerciseArgs),
}

/// How to run an exercise.
#[derive(Debug, Clone, clap::Args)]
pub struct ExerciseArgs {
    /// A scenario file, or an id (the city's ./playbooks/exercises/ID.yaml, else the stock one).
    #[arg(required_unless_present = "resume")]
    pub scenario: Option<String>,
    /// Resume an exercise left off (its folder or id) on the screen, from the time of its
    /// last event (`hikeshi tui` does the same at the default speed).
    #[arg(long, value_name = "INCIDENT", conflicts_with_all = ["scenario", "autopilot", "live"])]
    pub resume: Option<String>,
    /// Simulated seconds per real second (10 = ten minutes of story per real minute).
    #[arg(long, default_value_t = DEFAULT_SPEED, value_parser = parse_speed)]
    pub speed: f64,
    /// Send the (marked) mail over SMTP and the posts to the chat channels as hikeshi.toml's
    /// [smtp] and [channels.NAME] say, instead of only to the outbox (--live-mail is the old
    /// name).
    #[arg(long, alias = "live-mail")]
    pub live: bool,
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

impl Cmd {
    /// Runs the command.
    pub(super) fn run(self, ctx: &Context) -> Result<Outcome, Error> {
        let Cmd::Exercise(args) = self;
        exercise(ctx, &args)
    }
}

/// The JSON `--autopilot --json` prints.
#[derive(serde::Serialize)]
struct AutopilotJson<'a> {
    incident: String,
    scenario: &'a str,
    simulated_seconds: i64,
    injects: usize,
    messages: usize,
    transport: &'static str,
    score: Option<&'a exercise::Score>,
    /// What the engine refused along the way, in words.
    refused: Vec<String>,
}

fn exercise(ctx: &Context, args: &ExerciseArgs) -> Result<Outcome, Error> {
    if let Some(name) = &args.resume {
        return resume_exercise(ctx, name, args.speed);
    }
    let spec = args.scenario.as_deref().ok_or(Error::NoScenario)?;
    let loaded = exercise::load(&ScenarioRef::resolve(spec)?, &compile_options())?;
    let config = Config::load(ctx.config.as_deref())?;
    // Exercise mail stays in the outbox unless asked for: a drill must not reach real
    // inboxes by accident, even with [smtp] set up for real incidents.
    let transport = if args.live {
        if config.smtp.is_none() && config.channels.is_empty() {
            return Err(Error::LiveNeedsDestination);
        }
        Transport::from_config(&config)?
    } else {
        Transport::File
    };
    if !args.autopilot {
        require_terminal(None)?;
    }
    let speed = if args.autopilot { 0.0 } else { args.speed };
    let (session, incident) =
        Session::begin(&ctx.incidents, &loaded, &ctx.operator, speed, args.live)?;
    if args.autopilot {
        let run = Autopilot {
            loaded: &loaded,
            config: &config,
            transport: &transport,
            json: args.json,
        };
        return run.play(ctx, session, incident);
    }
    exercise_screen(
        ctx,
        session,
        incident,
        crate::tui::app::Mail::new(config, transport),
    )
}

/// A scripted participant playing an exercise to the end.
struct Autopilot<'a> {
    loaded: &'a exercise::LoadedScenario,
    config: &'a Config,
    transport: &'a Transport,
    json: bool,
}

impl Autopilot<'_> {
    /// Plays the exercise and prints the result.
    fn play(
        &self,
        ctx: &Context,
        mut session: Session,
        mut incident: crate::incident::Incident,
    ) -> Result<Outcome, Error> {
        let lang = ctx.lang;
        let dir = incident.dir().display().to_string();
        let real = Instant::now();
        let run = exercise::autopilot(
            &mut session,
            &mut incident,
            self.config,
            self.transport,
            &ctx.operator,
        )?;
        let real = real.elapsed().as_secs_f64();
        let scenario = &self.loaded.scenario;
        if self.json {
            let json = AutopilotJson {
                incident: dir,
                scenario: &scenario.id,
                simulated_seconds: run.simulated.num_seconds(),
                injects: run.injects,
                messages: run.messages,
                transport: self.transport.kind(),
                score: run.score.as_ref(),
                refused: run
                    .refused
                    .iter()
                    .map(|r| super::refusal::refused(r, lang))
                    .collect(),
            };
            let text = serde_json::to_string_pretty(&json).map_err(std::io::Error::other)?;
            say(&text)?;
            return Ok(Outcome::Success);
        }
        let (title, simulated) = (&scenario.title, format_duration(run.simulated, lang));
        say(&tr!(
            lang,
            "【訓練】{title} — 自動進行で終了（模擬時間 {simulated}、実時間 {real:.2} 秒）",
            "[EXERCISE] {title} — finished by autopilot ({simulated} simulated, {real:.2} s real)"
        ))?;
        let (injects, messages, via) = (run.injects, run.messages, self.transport.describe());
        say(&tr!(
            lang,
            "状況付与 {injects} 件、通知 {messages} 通（{via}）",
            "{injects} inject(s), {messages} message(s) ({via})"
        ))?;
        for line in run.score.iter().flat_map(|score| score.lines(lang)) {
            say(&line)?;
        }
        // What the scripted participant could not do: a scenario to look at again.
        let mut refused: Vec<String> = run
            .refused
            .iter()
            .map(|r| super::refusal::refused(r, lang))
            .collect();
        refused.dedup();
        for r in &refused {
            say(&tr!(lang, "実施できなかった操作: {r}", "refused: {r}"))?;
        }
        say(&dir)?;
        Ok(Outcome::Success)
    }
}
