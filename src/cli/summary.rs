//! `hikeshi summary`: every incident and exercise of a period in one document.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use clap::{Subcommand, ValueEnum};

use super::context::{Context, clock, say};
use super::{Error, Outcome};
use crate::config::Config;
use crate::incident::files;
use crate::summary::{self, Format, Period};
use crate::tr;

/// The summary command.
#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Summarise every incident and exercise in the incidents folder (the yearly report).
    ///
    /// Reads every incident folder in --incidents (default ./incidents) that started between
    /// --from and --to (dates in Japan, both included; e.g. a fiscal year: --from 2026-04-01
    /// --to 2027-03-31) and writes: how many incidents and exercises there were by playbook
    /// and by severity; for each, the time from its start to the first report to 所属長, to
    /// containment and to the public notice (the steps its playbook marks with `milestone:`;
    /// "—" where the playbook marks none) and to the close, with medians and worst cases (real
    /// incidents and exercises apart); steps forced or skipped; mail delivered after its
    /// step's deadline or not at all; exercise scores over time; and the lessons (振り返り)
    /// still open. HTML (default, with a chart per measure; prints on A4), Markdown, JSON
    /// (docs/summary.schema.json) or an Excel workbook. An exercise runs on simulated time: it
    /// is dated and measured by its story (its scenario's starts_at). See docs/summary.md.
    ///
    /// It goes to ./summary.<ext> unless -o says otherwise (-o - prints it); an existing file
    /// is replaced only with --force, and never inside an incident folder. A folder in the
    /// incidents folder that is not an incident is named in a warning and left out (exit 0).
    /// An incident whose record fails verification is counted and marked at the top of the
    /// summary, and the command exits 1 once the summary is written, so scripts notice.
    /// --lang en writes it in English.
    Summary {
        /// The first start date to include (YYYY-MM-DD, Japan) [default: the earliest].
        #[arg(long, value_name = "DATE")]
        from: Option<NaiveDate>,
        /// The last start date to include (YYYY-MM-DD, Japan) [default: the latest].
        #[arg(long, value_name = "DATE")]
        to: Option<NaiveDate>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = SummaryFormat::Html)]
        format: SummaryFormat,
        /// Where to write it (`-` for standard output) [default: summary.<ext>].
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
        /// Replace an existing file.
        #[arg(long)]
        force: bool,
        /// The account register whose readiness the summary shows [default:
        /// ./playbooks/accounts.yaml if there is one; none otherwise].
        #[arg(long, value_name = "FILE")]
        accounts: Option<PathBuf>,
    },
}

/// Formats of `hikeshi summary`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SummaryFormat {
    /// One self-contained HTML file with an SVG chart per measure; prints on A4.
    Html,
    /// Markdown, for wikis.
    Md,
    /// JSON (docs/summary.schema.json).
    Json,
    /// Excel workbook: overview, times, counts, every incident, deviations, mail, scores,
    /// lessons, folders left out.
    Xlsx,
}

impl Cmd {
    /// Runs the command.
    pub(super) fn run(self, ctx: &Context) -> Result<Outcome, Error> {
        let Cmd::Summary {
            from,
            to,
            format,
            output,
            force,
            accounts,
        } = self;
        if let (Some(from), Some(to)) = (from, to)
            && from > to
        {
            return Err(Error::SummaryPeriod { from, to });
        }
        let format = match format {
            SummaryFormat::Html => Format::Html,
            SummaryFormat::Md => Format::Markdown,
            SummaryFormat::Json => Format::Json,
            SummaryFormat::Xlsx => Format::Xlsx,
        };
        run(
            ctx,
            Period { from, to },
            format,
            output.as_deref(),
            force,
            accounts.as_deref(),
        )
    }
}

fn run(
    ctx: &Context,
    period: Period,
    format: Format,
    output: Option<&Path>,
    force: bool,
    accounts: Option<&Path>,
) -> Result<Outcome, Error> {
    let lang = ctx.lang;
    let config = Config::load(ctx.config.as_deref())?;
    let mut built = summary::summarize(&ctx.incidents, period, lang, clock().now())?;
    built.readiness = readiness(accounts, lang)?;
    // Warnings on standard error: the summary itself may be going to standard output.
    {
        let mut err = std::io::stderr().lock();
        for skipped in &built.skipped_folders {
            let (folder, reason) = (&skipped.folder, &skipped.reason);
            writeln!(
                err,
                "{}",
                tr!(
                    lang,
                    "注意: {folder} を集計から除きました: {reason}",
                    "warning: {folder} left out: {reason}"
                )
            )?;
        }
    }
    let bytes = summary::render(&built, format, config.report.templates.as_deref())?;
    match output {
        Some(p) if p == Path::new("-") => std::io::stdout().lock().write_all(&bytes)?,
        _ => {
            let path = output.map_or_else(
                || PathBuf::from(format!("summary.{}", format.extension())),
                Path::to_path_buf,
            );
            check_output(&path, force)?;
            write(&path, &bytes)?;
            let path = path.display();
            say(&tr!(
                lang,
                "集計を作成しました: {path}",
                "summary written: {path}"
            ))?;
        }
    }
    match built.totals.unverified {
        0 => Ok(Outcome::Success),
        count => Err(Error::SummaryUnverified { count }),
    }
}

/// Refuses a path inside an incident folder (a summary never lands among the records), and an
/// existing file unless `force`.
fn check_output(path: &Path, force: bool) -> Result<(), Error> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    // Resolved, so `..` and links cannot hide an incident folder.
    if let Ok(parent) = std::fs::canonicalize(&parent)
        && parent
            .ancestors()
            .any(|folder| folder.join(files::JOURNAL).exists())
    {
        return Err(Error::SummaryOutput {
            path: path.to_path_buf(),
            in_incident: true,
        });
    }
    if !force && std::fs::symlink_metadata(path).is_ok() {
        return Err(Error::SummaryOutput {
            path: path.to_path_buf(),
            in_incident: false,
        });
    }
    Ok(())
}

/// Written beside and renamed, so a reader never sees half a summary.
fn write(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".tmp");
    let tmp = path.with_file_name(name);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    if let Err(source) = crate::platform::open_no_follow(&options, &tmp)
        .and_then(|mut f| f.write_all(bytes))
        .and_then(|()| std::fs::rename(&tmp, path))
    {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::Write {
            path: path.to_path_buf(),
            source,
        });
    }
    Ok(())
}

/// The register's readiness for the summary: `--accounts`, else the city's register if there
/// is one (never the example city's).
fn readiness(
    accounts: Option<&Path>,
    lang: crate::Lang,
) -> Result<Option<summary::ReadinessSummary>, Error> {
    use crate::register::readiness::Severity;
    let city = Path::new("playbooks").join(crate::register::FILE_NAME);
    let path = match accounts {
        Some(p) => p.to_path_buf(),
        None if city.is_file() => city,
        None => return Ok(None),
    };
    // The summary of incidents never fails for the city's register: it goes without the
    // section, saying why (a register named with --accounts must load).
    let loaded = match super::register::load(Some(&path), None) {
        Ok(loaded) => loaded,
        Err(_) if accounts.is_none() => {
            let shown = path.display();
            super::context::warn(&crate::tr!(
                lang,
                "注意: 一覧表 {shown} に問題があるため、アカウントの準備は集計に含めません（hikeshi register check で確認できます）",
                "warning: the register {shown} has problems, so the summary leaves out the accounts' readiness (hikeshi register check shows them)"
            ))?;
            return Ok(None);
        }
        Err(e) => return Err(e),
    };
    let today = super::context::today();
    let findings = crate::register::readiness::assess(&loaded.register, &loaded.directory, today);
    let count = |s| findings.iter().filter(|f| f.severity == s).count();
    let ready = loaded
        .register
        .accounts
        .iter()
        .filter(|a| {
            a.status != crate::register::AccountStatus::Closed
                && !findings
                    .iter()
                    .any(|f| f.account == a.handle && f.line == a.line)
        })
        .count();
    Ok(Some(summary::ReadinessSummary {
        register: loaded.origin.clone(),
        today,
        last_personnel_change: crate::register::readiness::last_personnel_change(
            loaded.register.personnel_change,
            today,
        ),
        accounts: loaded.register.accounts.len(),
        ready,
        high: count(Severity::High),
        medium: count(Severity::Medium),
        low: count(Severity::Low),
        findings: findings
            .iter()
            .map(|f| summary::ReadinessRow {
                account: f.account.clone(),
                division: loaded
                    .register
                    .accounts
                    .iter()
                    .find(|a| a.handle == f.account && a.line == f.line)
                    .map(|a| a.division.clone())
                    .unwrap_or_default(),
                severity: f.severity.as_str().to_string(),
                severity_text: f.severity.words(lang).to_string(),
                text: f.shortfall.words(lang),
                clauses: f.clauses.iter().map(|c| c.words(lang)).collect(),
            })
            .collect(),
    }))
}
