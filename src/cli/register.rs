//! `hikeshi register check`: the account register (アカウント管理者一覧表) checked as a file and
//! against the directory, then each account's readiness before a crisis, with the clause
//! that asks for what falls short. The checks and findings are the library's
//! (`register`, `register::readiness`); this is the options and the words printed.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use serde::Serialize;

use super::context::{Context, clock, print_diagnostics, say, warn};
use super::{Error, Outcome};
use crate::catalog::{DivisionsRef, LoadFailure};
use crate::clock::jst;
use crate::directory::Directory;
use crate::lang::Lang;
use crate::notify::reminder::{ReminderLetter, ReminderOutcome};
use crate::register::readiness::{self, Finding, Severity};
use crate::register::{self, Register};
use crate::source::{Limits, SourceFile};
use crate::stock;
use crate::tr;

/// What the register looks at, for `--help`.
const FINDINGS: &str = "\
Readiness findings, each with the clause that asks for it:
  重大 (high): no or one administrator (宇部 4(1)); an administrator not in the directory, \
i.e. their division is gone or its staff list no longer names them (宇部 4(4)); no two-factor \
authentication (宇部 4(2)); a recovery address outside the organisation's domains (流山 \
メールアドレス・利用者ID); never reviewed (宇部 4(4)(5)).
  要対応 (medium): two-factor unknown; recovery codes without a place; no recovery address; \
where the password is kept unknown (宇部 4(3), 流山 パスワード, 美祢 4(4)); not reviewed since \
the last 人事異動 (personnel_change, 04-01 by default: at most a year ago); open with no post \
for dormant_after_months (6); posted from a private device (流山 利用媒体).
  軽微 (low): more than two administrators; SMS codes only; numeric ID unknown.
Closed accounts are records and are not judged. docs/register.md describes the file.";

/// The register commands.
#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// The account register (アカウント管理者一覧表, accounts.yaml): check it and each
    /// account's readiness.
    Register {
        /// What to do.
        #[command(subcommand)]
        action: Action,
    },
}

/// What to do with the register.
#[derive(Debug, Subcommand)]
pub enum Action {
    /// Check the register against the directory, then say account by account what falls
    /// short of the guidelines before a crisis, and which clause asks for it.
    ///
    /// Problems in the file (an unknown division, an owner the directory disagrees with, a
    /// bad date or address, a password written into it) are printed like `hikeshi check`
    /// prints a playbook's, with file, line and column, and stop the check (exit 1).
    /// Findings do not change the exit code unless --strict.
    #[command(after_help = FINDINGS)]
    Check {
        /// The register [default: ./playbooks/accounts.yaml, else the example city's].
        #[arg(long, value_name = "FILE")]
        accounts: Option<PathBuf>,
        /// The directory [default: divisions.yaml beside the register, else
        /// ./playbooks/divisions.yaml, else the example city's].
        #[arg(long, value_name = "FILE")]
        divisions: Option<PathBuf>,
        /// Print the findings as JSON (for other tools).
        #[arg(long)]
        json: bool,
        /// Exit 1 when any finding is 重大 (high), for a scheduled check.
        #[arg(long)]
        strict: bool,
    },
    /// Mail each division whose accounts are due for review (after the 人事異動, never
    /// reviewed, or an administrator gone from the directory) what to review: once per
    /// division and 人事異動, through SMTP if hikeshi.toml has [smtp], else saved in the
    /// reminders outbox; every attempt recorded in REMINDERS/sent.jsonl. Run it from a
    /// scheduler (Windows Task Scheduler, cron): a failed one is tried again on the next run.
    Remind {
        /// The register [default: ./playbooks/accounts.yaml, else the example city's].
        #[arg(long, value_name = "FILE")]
        accounts: Option<PathBuf>,
        /// The directory [default: as for check].
        #[arg(long, value_name = "FILE")]
        divisions: Option<PathBuf>,
        /// The reminders folder (its outbox and record).
        #[arg(long, value_name = "DIR", default_value = "reminders")]
        dir: PathBuf,
        /// Print the reminders that would go, and send nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Write a first register from the directory: every official account its divisions
    /// list under `accounts:`, with its owner; the rest is left for each division to fill in.
    /// `register check` then lists what is missing.
    Init {
        /// Where to write it.
        #[arg(long, value_name = "FILE", default_value = "playbooks/accounts.yaml")]
        out: PathBuf,
        /// The directory [default: ./playbooks/divisions.yaml, else the example city's].
        #[arg(long, value_name = "FILE")]
        divisions: Option<PathBuf>,
        /// Replace an existing register.
        #[arg(long)]
        force: bool,
    },
}

impl Cmd {
    /// Runs the command.
    pub(super) fn run(self, ctx: &Context) -> Result<Outcome, Error> {
        let Cmd::Register { action } = self;
        match action {
            Action::Check {
                accounts,
                divisions,
                json,
                strict,
            } => check(ctx, accounts.as_deref(), divisions.as_deref(), json, strict),
            Action::Init {
                out,
                divisions,
                force,
            } => init(ctx, &out, divisions.as_deref(), force),
            Action::Remind {
                accounts,
                divisions,
                dir,
                dry_run,
            } => remind(
                ctx,
                accounts.as_deref(),
                divisions.as_deref(),
                &dir,
                dry_run,
            ),
        }
    }
}

/// The register and its directory, loaded and checked.
pub(super) struct Loaded {
    pub register: Register,
    pub directory: Directory,
    pub origin: String,
    pub divisions_origin: String,
    pub warnings: Vec<crate::diagnostic::Diagnostic>,
    pub sources: Vec<SourceFile>,
}

/// Loads the register (`--accounts`, else the city's, else the example) and its directory.
pub(super) fn load(accounts: Option<&Path>, divisions: Option<&Path>) -> Result<Loaded, Error> {
    let limits = Limits::default();
    let city = Path::new("playbooks").join(register::FILE_NAME);
    let failure = |diagnostics, sources| {
        Error::Load(LoadFailure {
            diagnostics,
            sources,
        })
    };
    let (source, folder) = match accounts {
        Some(p) => (
            SourceFile::read(p, &limits).map_err(|d| failure(vec![*d], Vec::new()))?,
            p.parent().map(Path::to_path_buf),
        ),
        None if city.is_file() => (
            SourceFile::read(&city, &limits).map_err(|d| failure(vec![*d], Vec::new()))?,
            Some(PathBuf::from("playbooks")),
        ),
        // A city folder of its own is never judged by the example city's register.
        None if Path::new("playbooks/divisions.yaml").is_file() => {
            return Err(Error::NoRegister { path: city });
        }
        None => (
            SourceFile::new(stock::display_name(&stock::ACCOUNTS), stock::ACCOUNTS.text),
            None,
        ),
    };
    let divisions = match (divisions, &folder) {
        (Some(p), _) => DivisionsRef::File(p.to_path_buf()),
        (None, Some(folder)) if folder.join("divisions.yaml").is_file() => {
            DivisionsRef::File(folder.join("divisions.yaml"))
        }
        (None, _) if Path::new("playbooks/divisions.yaml").is_file() && folder.is_some() => {
            DivisionsRef::File(PathBuf::from("playbooks/divisions.yaml"))
        }
        (None, _) => DivisionsRef::Stock,
    };
    let (divisions_source, directory) = divisions
        .load(&limits)
        .map_err(|d| failure(d, Vec::new()))?;
    let (register, warnings) = register::Register::load(&source, &directory, &limits)
        .map_err(|d| failure(d, vec![source.clone()]))?;
    Ok(Loaded {
        register,
        directory,
        origin: source.name.clone(),
        divisions_origin: divisions.origin(),
        warnings,
        sources: vec![source, divisions_source],
    })
}

/// The findings as `--json` prints them.
#[derive(Serialize)]
struct Json<'a> {
    register: &'a str,
    divisions: &'a str,
    today: String,
    last_personnel_change: String,
    accounts: usize,
    findings: Vec<JsonFinding<'a>>,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    #[serde(flatten)]
    finding: &'a Finding,
    text: String,
}

fn check(
    ctx: &Context,
    accounts: Option<&Path>,
    divisions: Option<&Path>,
    json: bool,
    strict: bool,
) -> Result<Outcome, Error> {
    let lang = ctx.lang;
    let loaded = load(accounts, divisions)?;
    print_diagnostics(&loaded.warnings, &loaded.sources, lang)?;
    let today = clock().now().with_timezone(&jst()).date_naive();
    let findings = readiness::assess(&loaded.register, &loaded.directory, today);
    let last_change = readiness::last_personnel_change(loaded.register.personnel_change, today);
    if json {
        let out = Json {
            register: &loaded.origin,
            divisions: &loaded.divisions_origin,
            today: today.to_string(),
            last_personnel_change: last_change.to_string(),
            accounts: loaded.register.accounts.len(),
            findings: findings
                .iter()
                .map(|finding| JsonFinding {
                    finding,
                    text: finding.shortfall.words(lang),
                })
                .collect(),
        };
        say(&serde_json::to_string_pretty(&out).map_err(std::io::Error::other)?)?;
    } else {
        for line in listing(&loaded, &findings, last_change, lang) {
            say(&line)?;
        }
    }
    let high = findings.iter().any(|f| f.severity == Severity::High);
    Ok(if strict && high {
        Outcome::Problems
    } else {
        Outcome::Success
    })
}

/// The readiness account by account, as the terminal shows it.
fn listing(
    loaded: &Loaded,
    findings: &[Finding],
    last_change: chrono::NaiveDate,
    lang: Lang,
) -> Vec<String> {
    let mut out = Vec::new();
    let (origin, divisions, count) = (
        &loaded.origin,
        &loaded.divisions_origin,
        loaded.register.accounts.len(),
    );
    out.push(tr!(
        lang,
        "一覧表: {origin}（アカウント {count} 件。連絡先: {divisions}。直近の人事異動: {last_change}）",
        "register: {origin} ({count} accounts; directory: {divisions}; last personnel change: {last_change})"
    ));
    for account in &loaded.register.accounts {
        let (handle, platform, division) = (
            &account.handle,
            account.platform.display_name(),
            &account.division,
        );
        let own: Vec<&Finding> = findings
            .iter()
            .filter(|f| f.account == account.handle && f.line == account.line)
            .collect();
        let head = format!("{handle}（{platform}、{division}）");
        if account.status == register::AccountStatus::Closed {
            out.push(tr!(lang, "{head}: 閉鎖済み", "{head}: closed"));
            continue;
        }
        if own.is_empty() {
            out.push(tr!(lang, "{head}: 不足なし", "{head}: ready"));
            continue;
        }
        let n = own.len();
        out.push(tr!(lang, "{head}: {n} 件", "{head}: {n} findings"));
        for f in own {
            let (severity, text) = (f.severity.words(lang), f.shortfall.words(lang));
            out.push(format!("  {severity}  {text}"));
            for clause in &f.clauses {
                out.push(format!("        {}", clause.words(lang)));
            }
        }
    }
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    let (high, medium, low) = (
        count(Severity::High),
        count(Severity::Medium),
        count(Severity::Low),
    );
    out.push(tr!(
        lang,
        "合計: 重大 {high}、要対応 {medium}、軽微 {low}",
        "total: high {high}, medium {medium}, low {low}"
    ));
    out
}

/// `register init`: the first register, from the directory.
fn init(
    ctx: &Context,
    out: &Path,
    divisions: Option<&Path>,
    force: bool,
) -> Result<Outcome, Error> {
    let lang = ctx.lang;
    if !force && std::fs::symlink_metadata(out).is_ok() {
        return Err(Error::RegisterExists {
            path: out.to_path_buf(),
        });
    }
    let source = match divisions {
        Some(p) => DivisionsRef::File(p.to_path_buf()),
        None if Path::new("playbooks/divisions.yaml").is_file() => {
            DivisionsRef::File(PathBuf::from("playbooks/divisions.yaml"))
        }
        None => DivisionsRef::Stock,
    };
    let (_, directory) = source.load(&Limits::default()).map_err(|diagnostics| {
        Error::Load(LoadFailure {
            diagnostics,
            sources: Vec::new(),
        })
    })?;
    let today = clock().now().with_timezone(&jst()).date_naive();
    let text = register::skeleton(&directory, today);
    crate::directory::import::write(out, &text)?;
    let (from, out) = (source.origin(), out.display());
    say(&tr!(
        lang,
        "{from} の公式アカウントから {out} を作成しました。空欄を埋め、`hikeshi register check` で点検してください",
        "wrote {out} from the official accounts of {from}; fill it in and run `hikeshi register check`"
    ))?;
    Ok(Outcome::Success)
}

/// The reminder mail for a division, in `lang`.
fn reminder_letter(due: &readiness::ReviewDue, organization: &str, lang: Lang) -> ReminderLetter {
    let (division, change) = (&due.division, due.personnel_change);
    let subject = tr!(
        lang,
        "【依頼】SNS公式アカウントの管理者の見直し（{change} の人事異動後）",
        "[Request] Review of the official SNS accounts' administrators (after the personnel change of {change})"
    );
    let mut body = tr!(
        lang,
        "{division} 御中\n\n{change} の人事異動の後、次の公式アカウントの管理者等の見直しが記録されていません。\n宇部市ガイドライン4(4)「人事異動及び担当者変更時は、アカウント管理者等の見直しを行うこと。」により、\n管理者（原則2名）、二段階認証、復旧用メールアドレス、パスワードの保管を確認し、\nアカウント管理者一覧表（accounts.yaml）を更新して提出してください（同4(5)）。\n",
        "To {division}\n\nNo review of the following official accounts has been recorded since the personnel change of {change}.\nPlease check the administrators (two, in principle), two-factor authentication, the recovery address and where the password is kept,\nand update and submit the account register (accounts.yaml).\n"
    );
    for (account, shortfalls) in &due.accounts {
        body.push_str(&format!("\n■ {account}\n"));
        for s in shortfalls {
            body.push_str(&format!("  ・{}\n", s.words(lang)));
        }
    }
    body.push_str(&tr!(
        lang,
        "\n見直したら、一覧表の reviewed（日付と見直した人）を更新してください。\n（{organization} hikeshi による自動送信）\n",
        "\nOnce reviewed, update `reviewed` (date and reviewer) in the register.\n(Sent automatically by hikeshi, {organization})\n"
    ));
    ReminderLetter {
        key: due.key(),
        to: due.division.clone(),
        address: due.address.clone(),
        subject,
        body,
    }
}

/// `register remind`: the divisions due for review, mailed once each.
fn remind(
    ctx: &Context,
    accounts: Option<&Path>,
    divisions: Option<&Path>,
    dir: &Path,
    dry_run: bool,
) -> Result<Outcome, Error> {
    let lang = ctx.lang;
    let loaded = load(accounts, divisions)?;
    print_diagnostics(&loaded.warnings, &loaded.sources, lang)?;
    let now = clock().now();
    let today = now.with_timezone(&jst()).date_naive();
    let findings = readiness::assess(&loaded.register, &loaded.directory, today);
    let due = readiness::reviews_due(&loaded.register, &loaded.directory, &findings, today);
    let organization = &loaded.directory.organization;
    let letters: Vec<ReminderLetter> = due
        .iter()
        .map(|d| reminder_letter(d, organization, lang))
        .collect();
    if letters.is_empty() {
        say(&tr!(
            lang,
            "見直しの時期を過ぎたアカウントはありません",
            "no account is due for review"
        ))?;
        return Ok(Outcome::Success);
    }
    if dry_run {
        for l in &letters {
            let (to, address, subject, body) = (&l.to, &l.address, &l.subject, &l.body);
            say(&format!(
                "To: {to} <{address}>\nSubject: {subject}\n\n{body}"
            ))?;
        }
        say(&tr!(
            lang,
            "（--dry-run: 送信していません）",
            "(--dry-run: nothing sent)"
        ))?;
        return Ok(Outcome::Success);
    }
    let config = crate::config::Config::load(ctx.config.as_deref())?;
    let transport = crate::notify::transport::Transport::from_config(&config)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let outcomes = runtime.block_on(crate::notify::reminder::send(
        dir,
        &letters,
        &transport,
        &config,
        organization,
        now,
    ))?;
    let mut failed = false;
    for outcome in outcomes {
        match outcome {
            ReminderOutcome::AlreadySent(r) => {
                let (to, at) = (&r.to, r.at.with_timezone(&jst()).format("%Y-%m-%d %H:%M"));
                say(&tr!(
                    lang,
                    "{to}: 送信済み（{at}）のため送りません",
                    "{to}: sent before ({at}), not again"
                ))?;
            }
            ReminderOutcome::Tried(r) if r.sent => {
                let (to, detail) = (&r.to, &r.detail);
                say(&tr!(
                    lang,
                    "{to}: 送信しました（{detail}）",
                    "{to}: sent ({detail})"
                ))?;
            }
            ReminderOutcome::Tried(r) => {
                failed = true;
                let (to, detail) = (&r.to, &r.detail);
                warn(&tr!(
                    lang,
                    "{to}: 送信できませんでした（{detail}）。次の実行で再送します",
                    "{to}: not sent ({detail}); the next run tries again"
                ))?;
            }
        }
    }
    Ok(if failed {
        Outcome::Problems
    } else {
        Outcome::Success
    })
}
