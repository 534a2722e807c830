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
    /// account, reason and 人事異動 (what falls due after a division's reminder is mailed on
    /// the next run), through SMTP if hikeshi.toml has [smtp], else saved in the
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
    /// What an incident showed the register should now say of its account (the review done
    /// in it, two-factor authentication set up again, the account closed), and with --apply
    /// write it into the register and record it in the incident's journal.
    Update {
        /// The incident (its id, or its folder).
        incident: String,
        /// The two-factor method set up in the incident (the record does not say which).
        #[arg(long, value_enum, value_name = "METHOD")]
        two_factor: Option<TwoFactorArg>,
        /// Write the changes into the register and record them in the incident.
        #[arg(long)]
        apply: bool,
        /// The register [default: ./playbooks/accounts.yaml].
        #[arg(long, value_name = "FILE")]
        accounts: Option<PathBuf>,
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
    // --- The 一覧表 as filed: export and import (issue 29 item 3) ---
    /// Write the ソーシャルメディア アカウント管理者一覧表 (宇部 4(5)) for submission to the 広報
    /// division: Word or Excel, one row per account, with the 決裁欄 (the [report] stamps,
    /// document_number and date of hikeshi.toml, as the report has them).
    ///
    /// The Excel file is also the template of `register import`: one row per account, several
    /// administrators or editors in one cell, one a line as 氏名（所属課）.
    #[command(after_help = LEDGER_COLUMNS)]
    Export {
        /// docx (Word) or xlsx (Excel).
        #[arg(long, value_enum)]
        format: LedgerFormat,
        /// Where to write it [default: アカウント管理者一覧表.docx or .xlsx; with --lang en,
        /// account-register.docx or .xlsx].
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// The register [default: ./playbooks/accounts.yaml, else the example city's].
        #[arg(long, value_name = "FILE")]
        accounts: Option<PathBuf>,
        /// The directory [default: divisions.yaml beside the register, else
        /// ./playbooks/divisions.yaml, else the example city's].
        #[arg(long, value_name = "FILE")]
        divisions: Option<PathBuf>,
        /// Replace an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Read the city's 一覧表 (.xlsx, .xls, .ods or .csv in UTF-8 or Shift_JIS) into
    /// accounts.yaml.
    ///
    /// Every row that cannot be read is named with its row number as the spreadsheet shows
    /// it, the column (letter and header) and why; then nothing is written (exit 1) unless
    /// --skip-bad. A sheet with a column for passwords or recovery codes themselves is
    /// refused whole. The file made must load against the directory (checked before writing)
    /// and replaces the old one atomically, keeping its personnel_change,
    /// dormant_after_months and domains; an existing file is replaced only with --force.
    #[command(after_help = LEDGER_COLUMNS)]
    Import {
        /// The spreadsheet: .xlsx, .xls, .ods or .csv.
        file: PathBuf,
        /// The register to write.
        #[arg(long, value_name = "FILE", default_value = "playbooks/accounts.yaml")]
        out: PathBuf,
        /// The directory the accounts are checked against [default: divisions.yaml beside
        /// --out, else ./playbooks/divisions.yaml, else the example city's].
        #[arg(long, value_name = "FILE")]
        divisions: Option<PathBuf>,
        /// The sheet to read [default: the first sheet with a header row].
        #[arg(long, value_name = "NAME")]
        sheet: Option<String>,
        /// Write the rows that were read although some could not be (they are listed).
        #[arg(long)]
        skip_bad: bool,
        /// Print what would be written; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Replace an existing --out (its settings are kept).
        #[arg(long)]
        force: bool,
    },
}

/// A two-factor method on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TwoFactorArg {
    /// Codes by SMS.
    Sms,
    /// An authenticator app.
    App,
    /// A security key or passkey.
    SecurityKey,
}

impl TwoFactorArg {
    fn method(self) -> register::TwoFactor {
        match self {
            TwoFactorArg::Sms => register::TwoFactor::Sms,
            TwoFactorArg::App => register::TwoFactor::App,
            TwoFactorArg::SecurityKey => register::TwoFactor::SecurityKey,
        }
    }
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
            Action::Update {
                incident,
                two_factor,
                apply,
                accounts,
            } => update(
                ctx,
                &incident,
                two_factor.map(TwoFactorArg::method),
                apply,
                accounts.as_deref(),
            ),
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
            Action::Export {
                format,
                out,
                accounts,
                divisions,
                force,
            } => ledger::export(
                ctx,
                format,
                out,
                accounts.as_deref(),
                divisions.as_deref(),
                force,
            ),
            Action::Import {
                file,
                out,
                divisions,
                sheet,
                skip_bad,
                dry_run,
                force,
            } => ledger::import(
                ctx,
                &file,
                &out,
                divisions.as_deref(),
                sheet.as_deref(),
                ledger::Options {
                    skip_bad,
                    dry_run,
                    force,
                },
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
    // The example register goes with the example directory unless one is named.
    let divisions = match (divisions, &folder) {
        (None, None) => DivisionsRef::Stock,
        (explicit, folder) => DivisionsRef::find(explicit, folder.as_deref()),
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
    let today = super::context::today();
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
    let source = DivisionsRef::find(divisions, None);
    let (_, directory) = source.load(&Limits::default()).map_err(|diagnostics| {
        Error::Load(LoadFailure {
            diagnostics,
            sources: Vec::new(),
        })
    })?;
    let today = super::context::today();
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
    for account in &due.accounts {
        body.push_str(&format!("\n■ {}\n", account.handle));
        for s in &account.shortfalls {
            body.push_str(&format!("  ・{}\n", s.words(lang)));
        }
    }
    body.push_str(&tr!(
        lang,
        "\n見直したら、一覧表の reviewed（日付と見直した人）を更新してください。\n（{organization} hikeshi による自動送信）\n",
        "\nOnce reviewed, update `reviewed` (date and reviewer) in the register.\n(Sent automatically by hikeshi, {organization})\n"
    ));
    ReminderLetter {
        keys: due.keys(),
        to: due.division.clone(),
        address: due.address.clone(),
        subject,
        body,
    }
}

/// `register remind`: the divisions with an account due for review that no reminder since
/// the 人事異動 told them of (a new account, an administrator gone since), mailed.
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
            ReminderOutcome::Interrupted(r) => {
                failed = true;
                let (to, file) = (&r.to, &r.file);
                warn(&tr!(
                    lang,
                    "{to}: 前回の送信が途中で止まりました。届いたか確かめてください（{file}）。二重に送らないため、再送しません",
                    "{to}: the last run stopped while sending it; check whether it arrived ({file}); it is not sent twice"
                ))?;
            }
            ReminderOutcome::Tried(r) if r.sent == Some(true) => {
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

/// A change in words.
fn change_words(change: &register::update::Change, lang: Lang) -> String {
    use register::update::Change;
    match change {
        Change::Reviewed { on, by, step } => tr!(
            lang,
            "見直しの記録（reviewed）を {on}（{by}）にする — 手順 {step} の完了",
            "reviewed: {on} by {by} — step {step} done"
        ),
        Change::TwoFactor {
            method: Some(m),
            step,
        } => {
            let m = m.as_str();
            tr!(
                lang,
                "二段階認証（two_factor）を {m} にする — 手順 {step} の完了",
                "two_factor: {m} — step {step} done"
            )
        }
        Change::TwoFactor { method: None, step } => tr!(
            lang,
            "二段階認証（two_factor）を設定した方法にする — 手順 {step} の完了（--two-factor で方法を指定）",
            "two_factor: the method set up — step {step} done (give it with --two-factor)"
        ),
        Change::Closed { step } => tr!(
            lang,
            "状態（status）を closed にする — 判断 {step}",
            "status: closed — decision {step}"
        ),
    }
}

/// `register update`: the register's changes an incident showed, said, and with --apply
/// written and journalled.
fn update(
    ctx: &Context,
    name: &str,
    two_factor: Option<register::TwoFactor>,
    apply: bool,
    accounts: Option<&Path>,
) -> Result<Outcome, Error> {
    let lang = ctx.lang;
    let mut incident = super::context::open(ctx, name)?;
    // A drill's steps are no review of the real account: its register is never changed.
    if incident.state().exercise {
        return Err(Error::RegisterFromExercise);
    }
    let loaded = load(accounts, None)?;
    let Some(handle) = incident.state().account.clone() else {
        say(&tr!(
            lang,
            "この事案には対象のアカウントがありません",
            "this incident names no account"
        ))?;
        return Ok(Outcome::Success);
    };
    let platform = incident.state().platform;
    let Some(account) = loaded.register.account(&handle, platform).cloned() else {
        let origin = &loaded.origin;
        say(&tr!(
            lang,
            "{handle} は一覧表 {origin} にありません（同じ名前が複数の媒体にあるなら、事案の媒体で区別します）",
            "{handle} is not in the register {origin} (a name on several platforms is told apart by the incident's platform)"
        ))?;
        return Ok(Outcome::Success);
    };
    let changes =
        register::update::changes(incident.state(), incident.playbook(), &account, two_factor);
    if changes.is_empty() {
        say(&tr!(
            lang,
            "{handle}: 一覧表に反映する変更はありません",
            "{handle}: nothing for the register"
        ))?;
        return Ok(Outcome::Success);
    }
    for c in &changes {
        say(&format!("{handle}: {}", change_words(c, lang)))?;
    }
    if !apply {
        say(&tr!(
            lang,
            "（--apply で一覧表に書き込み、事案に記録します）",
            "(--apply writes them into the register and records them in the incident)"
        ))?;
        return Ok(Outcome::Success);
    }
    let path = PathBuf::from(&loaded.origin);
    // The register's text as loaded (verbatim: CRLF and comments), not read a second time.
    let (false, Some(register_source)) = (
        loaded.origin.starts_with("<embedded>") || !path.is_file(),
        loaded.sources.first(),
    ) else {
        return Err(Error::NoRegister {
            path: Path::new("playbooks").join(register::FILE_NAME),
        });
    };
    let text = &register_source.text;
    let line = account.line;
    let new = match register::update::apply(text, line, &changes) {
        Ok(new) => new,
        Err(register::update::ApplyError::NeedsMethod) => {
            return Err(Error::RegisterNeedsValue {
                option: "--two-factor".into(),
            });
        }
        Err(register::update::ApplyError::Layout) => {
            return Err(Error::RegisterLayout { path, line });
        }
    };
    // The register as it will be must load, and say what was meant, before it replaces the
    // old one.
    let source = SourceFile::new(path.display().to_string(), new.clone());
    let (written, _) =
        Register::load(&source, &loaded.directory, &Limits::default()).map_err(|diagnostics| {
            Error::Load(LoadFailure {
                diagnostics,
                sources: vec![source.clone()],
            })
        })?;
    let landed = written.account(&handle, platform).is_some_and(|a| {
        changes.iter().all(|c| match c {
            register::update::Change::Reviewed { on, .. } => {
                a.reviewed.as_ref().is_some_and(|r| r.on == *on)
            }
            register::update::Change::TwoFactor { method, .. } => a.two_factor == *method,
            register::update::Change::Closed { .. } => a.status == register::AccountStatus::Closed,
        })
    });
    if !landed {
        return Err(Error::RegisterLayout { path, line });
    }
    crate::directory::import::write(&path, &new)?;
    let words: Vec<String> = changes.iter().map(|c| change_words(c, lang)).collect();
    let (file, list) = (path.display(), words.join("、"));
    let note = tr!(
        lang,
        "アカウント管理者一覧表 {file} の {handle} を更新: {list}",
        "updated {handle} in the account register {file}: {list}"
    );
    incident.execute(
        &ctx.operator,
        &crate::incident::Command::Note {
            text: note,
            step: None,
        },
    )?;
    say(&tr!(
        lang,
        "一覧表を更新し、事案に記録しました",
        "the register is updated and the incident records it"
    ))?;
    Ok(Outcome::Success)
}

// --- The 一覧表 as filed: `register export` and `register import` (issue 29 item 3) ---

/// The columns of the 一覧表, for `--help`.
const LEDGER_COLUMNS: &str = "\
Columns (the header row names them, in Japanese or English; the header may come below the \
title and the 決裁欄; other columns are ignored with a warning):
  媒体 / platform — X, Instagram, Facebook, LINE, YouTube, TikTok, Threads (required)
  アカウント / account / handle — the user name, or the page's URL (required)
  数値ID / numeric ID — the permanent numeric ID (as text: a number loses digits)
  URL — the account's address
  所管課 / owning division — a division of divisions.yaml (required)
  管理者 / administrators, 編集者 / editors — one a line as 氏名（所属課）; a name alone belongs \
to the owning division
  二段階認証 / two-factor — なし, SMS, 認証アプリ, セキュリティキー (none, SMS, authenticator app, \
security key)
  リカバリーコードの保管場所 / recovery codes kept, パスワードの保管場所 / password kept — where, \
never the secret (a value that reads as a password is refused, unshown)
  復旧用メールアドレス / recovery email, 復旧用電話 / recovery phone
  連携アプリ / linked apps — one a line
  利用端末 / devices — 庁内端末, 公用携帯端末, 私物端末 (city terminal, city mobile, private device)
  状態 / status — 運用中, 休眠, 閉鎖手続中, 閉鎖済み (active, dormant, closing, closed)
  最終確認日 / reviewed on, 最終確認者 / reviewed by — both or neither
  最終投稿日 / last post — 2026-04-10 or 2026/4/10
A column named パスワード / password (or リカバリーコード / recovery codes) is refused with the \
whole sheet: the register never holds a secret. docs/register.md has an example.";

/// The formats of `register export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LedgerFormat {
    /// Word.
    Docx,
    /// Excel (also the template of `register import`).
    Xlsx,
}

mod ledger {
    use std::path::{Path, PathBuf};

    use super::super::context::{Context, clock, print_diagnostics, say, warn};
    use super::super::{Error, Outcome};
    use super::{LedgerFormat, load};
    use crate::catalog::{DivisionsRef, LoadFailure};
    use crate::clock::jst;
    use crate::config::Config;
    use crate::directory::import::write_bytes;
    use crate::register::ledger::{Heading, LedgerError, import::Settings, to_xlsx};
    use crate::source::{Limits, SourceFile};
    use crate::tr;

    /// The switches of `register import`.
    pub(super) struct Options {
        pub skip_bad: bool,
        pub dry_run: bool,
        pub force: bool,
    }

    /// `register export`: the 一覧表 as Word or Excel.
    pub(super) fn export(
        ctx: &Context,
        format: LedgerFormat,
        out: Option<PathBuf>,
        accounts: Option<&Path>,
        divisions: Option<&Path>,
        force: bool,
    ) -> Result<Outcome, Error> {
        let lang = ctx.lang;
        let ext = match format {
            LedgerFormat::Docx => "docx",
            LedgerFormat::Xlsx => "xlsx",
        };
        let out = out.unwrap_or_else(|| {
            PathBuf::from(tr!(
                lang,
                "アカウント管理者一覧表.{ext}",
                "account-register.{ext}"
            ))
        });
        if !force && std::fs::symlink_metadata(&out).is_ok() {
            return Err(LedgerError::OutputExists { path: out }.into());
        }
        let config = Config::load(ctx.config.as_deref())?;
        let loaded = load(accounts, divisions)?;
        print_diagnostics(&loaded.warnings, &loaded.sources, lang)?;
        let now = clock().now();
        let organization = config
            .report
            .organization
            .clone()
            .unwrap_or_else(|| loaded.directory.organization.clone());
        let heading = Heading {
            organization: &organization,
            as_of: now.with_timezone(&jst()).date_naive(),
            config: &config.report,
            lang,
        };
        let bytes = match format {
            LedgerFormat::Docx => crate::report::ledger_docx(&loaded.register, &heading, now)?,
            LedgerFormat::Xlsx => to_xlsx(&loaded.register, &heading)?,
        };
        write_bytes(&out, &bytes).map_err(LedgerError::from)?;
        let (from, count, shown) = (
            &loaded.origin,
            loaded.register.accounts.len(),
            out.display(),
        );
        say(&match format {
            LedgerFormat::Docx => tr!(
                lang,
                "{from} のアカウント {count} 件の一覧表を {shown} に書き出しました",
                "wrote the register of {from} ({count} accounts) to {shown}"
            ),
            LedgerFormat::Xlsx => tr!(
                lang,
                "{from} のアカウント {count} 件の一覧表を {shown} に書き出しました。表を直したら `hikeshi register import {shown} --force` で取り込んでください",
                "wrote the register of {from} ({count} accounts) to {shown}; after editing the sheet, import it with `hikeshi register import {shown} --force`"
            ),
        })?;
        Ok(Outcome::Success)
    }

    /// `register import`: the city's 一覧表 into accounts.yaml.
    pub(super) fn import(
        ctx: &Context,
        file: &Path,
        out: &Path,
        divisions: Option<&Path>,
        sheet: Option<&str>,
        options: Options,
    ) -> Result<Outcome, Error> {
        let lang = ctx.lang;
        let exists = std::fs::symlink_metadata(out).is_ok();
        if exists && !options.force && !options.dry_run {
            return Err(LedgerError::Exists {
                path: out.to_path_buf(),
            }
            .into());
        }
        let settings = if exists {
            Settings::of_file(out)?
        } else {
            Settings::new_file()
        };
        let source = DivisionsRef::find(divisions, out.parent());
        let (_, directory) = source.load(&Limits::default()).map_err(|diagnostics| {
            Error::Load(LoadFailure {
                diagnostics,
                sources: Vec::new(),
            })
        })?;
        let out_name = out.display().to_string();
        let imported = crate::register::ledger::import::import(
            file,
            sheet,
            &settings,
            &directory,
            clock().now(),
            &out_name,
            options.skip_bad,
        )?;
        for line in imported.report_lines(lang) {
            warn(&line)?;
        }
        let summary = imported.summary(lang);
        let (text, _, warnings) = imported.file?;
        print_diagnostics(&warnings, &[SourceFile::new(&out_name, text.clone())], lang)?;
        if options.dry_run {
            say(&summary)?;
            for a in &imported.accounts {
                let (handle, platform, division, admins) = (
                    &a.handle,
                    a.platform.display_name(),
                    &a.division,
                    a.administrators.len(),
                );
                say(&tr!(
                    lang,
                    "  {handle}（{platform}、{division}、管理者 {admins} 名）",
                    "  {handle} ({platform}, {division}, {admins} administrator(s))"
                ))?;
            }
            say(&tr!(
                lang,
                "（--dry-run: {out_name} には何も書き込んでいません）",
                "(--dry-run: nothing written to {out_name})"
            ))?;
            return Ok(Outcome::Success);
        }
        crate::directory::import::write(out, &text).map_err(LedgerError::from)?;
        let from = source.origin();
        say(&tr!(
            lang,
            "{out_name} に書き込みました（{summary}。連絡先: {from}）。`hikeshi register check` で点検してください",
            "written to {out_name} ({summary}; directory: {from}); run `hikeshi register check`"
        ))?;
        Ok(Outcome::Success)
    }
}
