//! The operator's screen, shared by several groups: starting an incident (`start`, `run` and
//! the launcher), opening an incident or an exercise on the screen (`run`, `tui`, `exercise`),
//! the screen's mail, and `hikeshi` alone (the launcher).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::context::{
    Context, clock, compile_options, example_contacts_warning, ids, open, require_terminal, say,
    show, warn, with_status,
};
use super::{Error, Outcome};
use crate::catalog::{self, PlaybookRef};
use crate::exercise::{self, Session};
use crate::incident::{self, Incident, IncidentRecord, StartParams, StepStatus};
use crate::notify::{Config, Transport};
use crate::playbook::Platform;
use crate::tr;
use crate::tui::app::Mail;

/// What a new incident is about (`start` and `run`).
#[derive(Debug, Clone, clap::Args)]
pub struct StartArgs {
    /// A playbook file, or an id: the city's ./playbooks/ID.yaml (or the file there with that
    /// id, as `list` shows it), else the stock playbook.
    pub playbook: String,
    /// Incident title [default: the playbook's title].
    #[arg(long)]
    pub title: Option<String>,
    /// The affected account, e.g. @city_official: for impersonation, the city's genuine
    /// account that the fake one imitates (statements present it as official).
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
    /// A fact the playbook declares, as NAME=VALUE (repeatable), e.g.
    /// `--fact fake_account=@city_0fficial`; `hikeshi show PLAYBOOK` lists the facts it declares.
    #[arg(long, value_name = "NAME=VALUE", value_parser = parse_fact)]
    pub fact: Vec<(String, String)>,
}

/// `NAME=VALUE` of `--fact`.
pub(super) fn parse_fact(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() => {
            Ok((name.trim().to_string(), value.to_string()))
        }
        _ => Err(format!("expected NAME=VALUE, got `{text}`")),
    }
}

/// What the account register knows of the incident's account, into the facts the playbook
/// takes from it (`register:`), unless given; said on the terminal. A register that cannot
/// be read never stops a start: it is named, and the start goes on without it.
fn register_facts(
    loaded: &catalog::LoadedPlaybook,
    params: &mut StartParams,
    lang: crate::Lang,
) -> Result<(), Error> {
    let account = params.account.clone();
    match crate::register::add_known_facts(
        loaded,
        account.as_deref(),
        params.platform,
        &mut params.facts,
    ) {
        Ok(taken) if taken.is_empty() => {}
        Ok(taken) => {
            let names = taken.join(", ");
            say(&tr!(
                lang,
                "アカウント管理者一覧表から記録: {names}",
                "recorded from the account register: {names}"
            ))?;
        }
        Err(_) => warn(&tr!(
            lang,
            "アカウント管理者一覧表に問題があるため、一覧表の事実は記録しませんでした（hikeshi register check で確認できます）",
            "the account register has problems, so nothing was taken from it (hikeshi register check shows them)"
        ))?,
    }
    Ok(())
}

/// The default speed of an exercise on the screen.
pub(super) const DEFAULT_SPEED: f64 = 10.0;

/// Starts an incident and prints what it is; gives its folder.
pub(super) fn start_incident(ctx: &Context, args: &StartArgs) -> Result<PathBuf, Error> {
    let playbook = PlaybookRef::resolve(&args.playbook)?;
    let divisions = playbook.divisions_source(args.divisions.as_deref());
    let loaded = catalog::load_playbook(&playbook, &divisions, &compile_options())?;
    let title = args
        .title
        .clone()
        .unwrap_or_else(|| loaded.compiled.playbook.title.clone());
    let params = StartParams {
        // A drill is marked 【訓練】 as a scenario's is.
        title: if args.exercise {
            exercise::drill_title(&title)
        } else {
            title
        },
        account: args.account.clone(),
        platform: args.platform,
        operator: ctx.operator.clone(),
        severity: args.severity.clone(),
        exercise: args.exercise,
        facts: args.fact.iter().cloned().collect(),
        origin: None,
    };
    let lang = ctx.lang;
    if let (false, Some(example)) = (args.exercise, loaded.directory.example_contacts()) {
        warn(&example.warning(&loaded.origin.divisions, lang))?;
    }
    let mut params = params;
    register_facts(&loaded, &mut params, lang)?;
    let incident = Incident::start(&ctx.incidents, &loaded, params, clock())?;
    let title = &incident.state().title;
    say(&tr!(
        lang,
        "事案を開始しました: {title}",
        "incident started: {title}"
    ))?;
    let ready = ids(
        incident.playbook(),
        &with_status(&incident, StepStatus::Ready),
    );
    say(&tr!(
        lang,
        "実施可能な手順: {ready}",
        "ready steps: {ready}"
    ))?;
    Ok(incident.dir().to_path_buf())
}

/// Opens an incident on the operator's screen.
pub(super) fn screen(ctx: &Context, name: &str) -> Result<Outcome, Error> {
    require_terminal(Some(name))?;
    let incident = open(ctx, name)?;
    // An exercise resumes on its simulated clock, with its injects.
    if incident.state().run.is_some() {
        return resume_exercise_opened(ctx, incident, DEFAULT_SPEED);
    }
    let mail = screen_mail(ctx, incident.state())?;
    let dir = incident.dir().to_path_buf();
    // Replies count while the screen is open: with an [imap] mailbox, the screen reads them
    // and records them as the repliers' acts.
    let config = mail.config.clone().filter(|c| c.imap.is_some());
    let config = config.filter(|_| incident.state().closed.is_none());
    let warning = {
        let record = incident.record();
        example_contacts_warning(&record.state, &record.directory, false, ctx.lang)
    };
    let mut app = crate::tui::App::with_mail(incident, ctx.operator.clone(), ctx.lang, mail);
    if let Some(warning) = warning {
        app.warn(warning);
    }
    if let Some(config) = config {
        app.read_replies(config);
    }
    show(&mut app)?;
    remind_undelivered(ctx, app.incident.record())?;
    say_saved(ctx, &dir)?;
    Ok(Outcome::Success)
}

fn say_saved(ctx: &Context, dir: &Path) -> Result<(), Error> {
    let dir = dir.display();
    say(&tr!(
        ctx.lang,
        "記録は保存されています: {dir}",
        "everything is saved in: {dir}"
    ))
}

/// Shows an exercise on the screen until the operator quits, then prints the score.
pub(super) fn exercise_screen(
    ctx: &Context,
    session: Session,
    incident: Incident,
    mail: Mail,
) -> Result<Outcome, Error> {
    let lang = ctx.lang;
    let dir = incident.dir().to_path_buf();
    let mut app = crate::tui::App::with_mail(incident, ctx.operator.clone(), lang, mail)
        .with_exercise(session);
    show(&mut app)?;
    let state = app.incident.state();
    if let Some(score) = exercise::score(state, app.incident.playbook(), app.incident.now()) {
        for line in score.lines(lang) {
            say(&line)?;
        }
    }
    remind_undelivered(ctx, app.incident.record())?;
    if !state.is_closed() {
        let id = &app.incident.record().id;
        say(&tr!(
            lang,
            "訓練を再開するには: hikeshi exercise --resume {id}",
            "to resume the exercise: hikeshi exercise --resume {id}"
        ))?;
    }
    say_saved(ctx, &dir)?;
    Ok(Outcome::Success)
}

/// Resumes an exercise on the screen at `speed`×; its mail goes where it went before.
pub(super) fn resume_exercise(ctx: &Context, name: &str, speed: f64) -> Result<Outcome, Error> {
    require_terminal(Some(name))?;
    resume_exercise_opened(ctx, open(ctx, name)?, speed)
}

/// Resumes an open exercise on the screen at `speed`×.
fn resume_exercise_opened(ctx: &Context, incident: Incident, speed: f64) -> Result<Outcome, Error> {
    let (session, incident) = Session::resume_opened(incident, speed)?;
    let mail = screen_mail(ctx, incident.state())?;
    exercise_screen(ctx, session, incident, mail)
}

/// The screen's mail: the config and transport. Unusable settings do not keep the screen
/// from opening (the incident must still be workable): nothing is sent, messages stay
/// queued, and both the terminal and the screen say why.
fn screen_mail(ctx: &Context, state: &incident::IncidentState) -> Result<Mail, Error> {
    let (config, result) = match Config::load(ctx.config.as_deref()) {
        Ok(config) => {
            let transport = Transport::for_incident(state, &config);
            (Some(config), transport)
        }
        Err(e) => (None, Err(e.into())),
    };
    match result {
        Ok(transport) => Ok(Mail::new(config.unwrap_or_default(), transport)),
        Err(e) => {
            let problem = e.message(ctx.lang);
            let mut err = std::io::stderr().lock();
            writeln!(
                err,
                "hikeshi: {}",
                tr!(
                    ctx.lang,
                    "メールを送信できません（通知は送信待ちのまま残ります）: {problem}",
                    "mail cannot be sent (messages stay queued): {problem}"
                )
            )?;
            Ok(Mail::unavailable(config, problem))
        }
    }
}

/// After the screen: a reminder of messages still undelivered.
fn remind_undelivered(ctx: &Context, record: &IncidentRecord) -> Result<(), Error> {
    let n = record.state.undelivered().count();
    if n > 0 {
        let id = &record.id;
        say(&tr!(
            ctx.lang,
            "未送達の通知が {n} 通あります: 画面を再び開くと再送します（`hikeshi outbox {id} --retry` でも再送できます）",
            "{n} message(s) not delivered: they are sent again when the screen reopens (or by `hikeshi outbox {id} --retry`)"
        ))?;
    }
    Ok(())
}

/// `hikeshi` alone: choose a playbook to start or an incident to resume.
pub(super) fn launcher(ctx: &Context) -> Result<Outcome, Error> {
    use crate::tui::launcher::{Choice, IncidentChoice, Launcher, PlaybookChoice};
    let options = compile_options();
    let refs: Vec<PlaybookRef> = if Path::new("playbooks").is_dir() {
        catalog::yaml_files_in(Path::new("playbooks"))?
            .into_iter()
            .filter(|p| !catalog::is_not_a_playbook(p))
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
    require_terminal(None)?;
    let mut launcher = Launcher::new(ctx.lang, playbooks, incidents);
    show(&mut launcher)?;
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
                fact: Vec::new(),
            };
            let dir = start_incident(ctx, &args)?;
            screen(ctx, &dir.display().to_string())
        }
    }
}
