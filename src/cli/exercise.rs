//! `hikeshi exercise`: a tabletop exercise on the screen, or played by the autopilot.

use std::time::Instant;

use super::incident::{Context, fail, fail_message, has_terminal, open, say, show};
use super::playbooks::{compile_options, report};
use super::{CliError, ExerciseArgs, Outcome};
use crate::exercise::{self, ExerciseError, ScenarioRef, Session};
use crate::lang::Lang;
use crate::notify::{Config, Transport};
use crate::playbook::duration::format_duration;

fn fail_exercise(ctx: &Context, e: &ExerciseError) -> Result<Outcome, CliError> {
    match e {
        ExerciseError::Incident(i) => fail(ctx, i),
        other => fail_message(&other.message(ctx.lang)),
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

/// The default speed of an exercise on the screen.
pub(super) const DEFAULT_SPEED: f64 = 10.0;

/// Shows an exercise on the screen until the operator quits, then prints the score.
fn run_screen(
    ctx: &Context,
    session: Session,
    incident: crate::incident::Incident,
    mail: crate::tui::app::Mail,
) -> Result<Outcome, CliError> {
    let lang = ctx.lang;
    let dir = incident.dir().to_path_buf();
    let mut app = crate::tui::App::with_mail(incident, ctx.operator.clone(), lang, mail)
        .with_exercise(session);
    if !show(ctx, &mut app)? {
        return Ok(Outcome::Problems);
    }
    let state = app.incident.state();
    if let Some(score) = exercise::score(state, app.incident.playbook(), app.incident.now()) {
        for line in score.lines(lang) {
            say(&line)?;
        }
    }
    super::mail::remind_undelivered(ctx, app.incident.record())?;
    if !state.is_closed() {
        say(&match lang {
            Lang::Ja => format!(
                "訓練を再開するには: hikeshi exercise --resume {}",
                app.incident.record().id
            ),
            Lang::En => format!(
                "to resume the exercise: hikeshi exercise --resume {}",
                app.incident.record().id
            ),
        })?;
    }
    say(&format!(
        "{}: {}",
        lang.pick("記録は保存されています", "everything is saved in"),
        dir.display()
    ))?;
    Ok(Outcome::Success)
}

/// Resumes an exercise on the screen at `speed`×; its mail goes where it went before.
pub(super) fn resume(ctx: &Context, name: &str, speed: f64) -> Result<Outcome, CliError> {
    if !has_terminal(ctx, Some(name))? {
        return Ok(Outcome::Problems);
    }
    match open(ctx, name) {
        Ok(incident) => resume_screen(ctx, incident, speed),
        Err(e) => fail(ctx, &e),
    }
}

/// Resumes an open exercise on the screen at `speed`×; its mail goes where it went before.
pub(super) fn resume_screen(
    ctx: &Context,
    incident: crate::incident::Incident,
    speed: f64,
) -> Result<Outcome, CliError> {
    let (session, incident) = match Session::resume_opened(incident, speed) {
        Ok(s) => s,
        Err(e) => return fail_exercise(ctx, &e),
    };
    let mail = super::mail::screen_mail(ctx, incident.state())?;
    run_screen(ctx, session, incident, mail)
}

pub(super) fn exercise(ctx: &Context, args: &ExerciseArgs) -> Result<Outcome, CliError> {
    let lang = ctx.lang;
    if let Some(name) = &args.resume {
        return resume(ctx, name, args.speed);
    }
    let Some(spec) = args.scenario.as_deref() else {
        return fail_message(lang.pick("シナリオを指定してください", "name a scenario"));
    };
    let scenario = ScenarioRef::resolve(spec)?;
    let loaded = match exercise::load(&scenario, &compile_options()) {
        Ok(l) => l,
        Err(failure) => {
            report(&failure.diagnostics, &failure.sources, lang)?;
            return Ok(Outcome::Problems);
        }
    };
    let config = match Config::load(ctx.config.as_deref()) {
        Ok(c) => c,
        Err(e) => return fail_message(&e.to_string()),
    };
    // Exercise mail stays in the outbox unless asked for: a drill must not reach real
    // inboxes by accident, even with [smtp] set up for real incidents.
    let transport = if args.live_mail {
        if config.smtp.is_none() {
            return fail_message(lang.pick(
                "--live-mail には hikeshi.toml の [smtp] の設定が必要です",
                "--live-mail needs an [smtp] table in hikeshi.toml",
            ));
        }
        match Transport::from_config(&config) {
            Ok(t) => t,
            Err(e) => return fail_message(&e.message(lang)),
        }
    } else {
        Transport::File
    };
    if !args.autopilot && !has_terminal(ctx, None)? {
        return Ok(Outcome::Problems);
    }
    let speed = if args.autopilot { 0.0 } else { args.speed };
    let (mut session, mut incident) = match Session::begin(
        &ctx.incidents,
        &loaded,
        &ctx.operator,
        speed,
        args.live_mail,
    ) {
        Ok(s) => s,
        Err(e) => return fail_exercise(ctx, &e),
    };
    let dir = incident.dir().to_path_buf();

    if args.autopilot {
        let real = Instant::now();
        let run = match exercise::autopilot(
            &mut session,
            &mut incident,
            &config,
            &transport,
            &ctx.operator,
        ) {
            Ok(r) => r,
            Err(e) => return fail_exercise(ctx, &e),
        };
        let real = real.elapsed();
        if args.json {
            let json = AutopilotJson {
                incident: dir.display().to_string(),
                scenario: &loaded.scenario.id,
                simulated_seconds: run.simulated.num_seconds(),
                injects: run.injects,
                messages: run.messages,
                transport: transport.kind(),
                score: run.score.as_ref(),
                refused: run.refused.iter().map(|r| r.message(lang)).collect(),
            };
            let text = serde_json::to_string_pretty(&json).map_err(std::io::Error::other)?;
            say(&text)?;
            return Ok(Outcome::Success);
        }
        say(&match lang {
            Lang::Ja => format!(
                "【訓練】{} — 自動進行で終了（模擬時間 {}、実時間 {:.2} 秒）",
                loaded.scenario.title,
                format_duration(run.simulated, lang),
                real.as_secs_f64()
            ),
            Lang::En => format!(
                "[EXERCISE] {} — finished by autopilot ({} simulated, {:.2} s real)",
                loaded.scenario.title,
                format_duration(run.simulated, lang),
                real.as_secs_f64()
            ),
        })?;
        say(&match lang {
            Lang::Ja => format!(
                "状況付与 {} 件、通知 {} 通（{}）",
                run.injects,
                run.messages,
                transport.describe()
            ),
            Lang::En => format!(
                "{} inject(s), {} message(s) ({})",
                run.injects,
                run.messages,
                transport.describe()
            ),
        })?;
        if let Some(score) = &run.score {
            for line in score.lines(lang) {
                say(&line)?;
            }
        }
        // What the scripted participant could not do: a scenario to look at again.
        let mut refused: Vec<String> = run.refused.iter().map(|r| r.message(lang)).collect();
        refused.dedup();
        for r in &refused {
            say(&format!(
                "{}: {r}",
                lang.pick("実施できなかった操作", "refused")
            ))?;
        }
        say(&dir.display().to_string())?;
        return Ok(Outcome::Success);
    }

    run_screen(
        ctx,
        session,
        incident,
        crate::tui::app::Mail::new(config, transport),
    )
}
