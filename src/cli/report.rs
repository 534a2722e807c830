//! `hikeshi report`: the 事案報告書 and the evidence pack.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use clap::{Subcommand, ValueEnum};

use super::context::{Context, now_for, say};
use super::{Error, Outcome};
use crate::config::Config;
use crate::incident::{self, IncidentRecord};
use crate::report::{self, Format};
use crate::tr;

/// The report command.
#[derive(Debug, Subcommand)]
pub enum Cmd {
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

impl Cmd {
    /// Runs the command.
    pub(super) fn run(self, ctx: &Context) -> Result<Outcome, Error> {
        let Cmd::Report {
            incident,
            format,
            output,
            evidence_pack,
        } = self;
        report(
            ctx,
            &incident,
            format,
            output.as_deref(),
            evidence_pack.as_deref(),
        )
    }
}

fn report(
    ctx: &Context,
    name: &str,
    format: ReportFormat,
    output: Option<&Path>,
    evidence_pack: Option<&Path>,
) -> Result<Outcome, Error> {
    let lang = ctx.lang;
    let dir = incident::resolve(name, &ctx.incidents)?;
    let audited = IncidentRecord::audit(&dir)?;
    let config = Config::load(ctx.config.as_deref())?;
    let built = report::build(&audited, lang, now_for(&audited.record.state));
    if let Some(pack) = evidence_pack {
        let manifest = report::pack::write(&built, &dir, pack, lang)?;
        let (folder, count) = (pack.display(), manifest.evidence.len());
        say(&tr!(
            lang,
            "証拠資料を作成しました: {folder}（{count} 件、manifest.csv・manifest.json・summary.md）",
            "evidence pack written: {folder} ({count} item(s), manifest.csv, manifest.json, summary.md)"
        ))?;
        return verified(&built);
    }
    let format = match format {
        ReportFormat::Html => Format::Html,
        ReportFormat::Md => Format::Markdown,
        ReportFormat::Csv => Format::Csv,
        ReportFormat::Json => Format::Json,
    };
    let bytes = report::render(&built, format, config.report.templates.as_deref())?;
    match output {
        Some(p) if p == Path::new("-") => {
            std::io::stdout().lock().write_all(&bytes)?;
        }
        _ => {
            let path = output.map_or_else(
                || dir.join(format!("report.{}", format.extension())),
                Path::to_path_buf,
            );
            // Written beside and renamed, so a reader never sees half a report.
            let tmp = path.with_extension(format!("{}.tmp", format.extension()));
            if let Err(source) =
                std::fs::write(&tmp, &bytes).and_then(|()| std::fs::rename(&tmp, &path))
            {
                let _ = std::fs::remove_file(&tmp);
                return Err(Error::Write { path, source });
            }
            let path = path.display();
            say(&tr!(
                lang,
                "報告書を作成しました: {path}",
                "report written: {path}"
            ))?;
        }
    }
    verified(&built)
}

/// A report of a journal that fails verification is written, says so at its top, and the
/// command fails so scripts notice.
fn verified(built: &report::Report) -> Result<Outcome, Error> {
    if built.integrity.verified {
        Ok(Outcome::Success)
    } else {
        Err(Error::Unverified)
    }
}
