//! `hikeshi report`: the 事案報告書 and the evidence pack.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use clap::{Subcommand, ValueEnum};

use super::context::{Context, clock, now_for, say};
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
    /// for print), Markdown, CSV, JSON, Excel or Word. It goes to INCIDENT/report.<ext> unless -o
    /// says otherwise (-o - prints it). A journal that fails verification is reported, with a
    /// warning at the top, and exit 1.
    Report {
        /// Incident folder or id.
        incident: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ReportFormat::Html)]
        format: ReportFormat,
        /// Where to write it (`-` for standard output). Inside an incident folder only the
        /// report's own names (report.html, .md, .csv, .json, .xlsx, .docx) are allowed.
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
        /// Replace an existing file that is not an earlier report.
        #[arg(long, requires = "output")]
        force: bool,
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
    /// Excel workbook: overview, timeline, steps, mail, evidence, decisions.
    Xlsx,
    /// Word document (A4) to edit, stamp and file; letterhead and fonts from [report].
    Docx,
}

impl Cmd {
    /// Runs the command.
    pub(super) fn run(self, ctx: &Context) -> Result<Outcome, Error> {
        let Cmd::Report {
            incident,
            format,
            output,
            force,
            evidence_pack,
        } = self;
        report(
            ctx,
            &incident,
            format,
            output.as_deref().map(|o| (o, force)),
            evidence_pack.as_deref(),
        )
    }
}

fn report(
    ctx: &Context,
    name: &str,
    format: ReportFormat,
    output: Option<(&Path, bool)>,
    evidence_pack: Option<&Path>,
) -> Result<Outcome, Error> {
    let lang = ctx.lang;
    let dir = incident::resolve(name, &ctx.incidents)?;
    let audited = IncidentRecord::audit(&dir)?;
    let config = Config::load(ctx.config.as_deref())?;
    // An exercise is judged on its own (simulated) clock; the report is made today.
    let built = report::build_at(
        &audited,
        lang,
        now_for(&audited.record.state),
        clock().now(),
    );
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
        ReportFormat::Xlsx => Format::Xlsx,
        ReportFormat::Docx => Format::Docx,
    };
    let bytes = report::render_with(&built, format, &config.report)?;
    match output {
        Some((p, _)) if p == Path::new("-") => {
            std::io::stdout().lock().write_all(&bytes)?;
        }
        _ => {
            let path = match output {
                Some((p, force)) => {
                    check_output(p, force)?;
                    p.to_path_buf()
                }
                None => dir.join(format!("report.{}", format.extension())),
            };
            // Written beside and renamed, so a reader never sees half a report.
            let tmp = path.with_extension(format!("{}.tmp", format.extension()));
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create(true).truncate(true);
            if let Err(source) = crate::platform::open_no_follow(&options, &tmp)
                .and_then(|mut f| f.write_all(&bytes))
                .and_then(|()| std::fs::rename(&tmp, &path))
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

/// The names a report has inside an incident folder.
const REPORT_NAMES: [&str; 6] = [
    "report.html",
    "report.md",
    "report.csv",
    "report.json",
    "report.xlsx",
    "report.docx",
];

/// Refuses an output path inside an incident folder (any folder above it holds a journal)
/// unless it is one of the report's own names directly in it, and an existing file that is
/// not an earlier report (it has no witness line) unless `force`: a report never overwrites
/// the record it reports on, nor someone's file.
fn check_output(path: &Path, force: bool) -> Result<(), Error> {
    let refused = |in_incident| Error::ReportOutput {
        path: path.to_path_buf(),
        in_incident,
    };
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    // Resolved, so `..` and links cannot hide an incident folder.
    if let Ok(parent) = std::fs::canonicalize(&parent) {
        for (depth, folder) in parent.ancestors().enumerate() {
            if folder.join(incident::files::JOURNAL).exists() {
                let own = depth == 0 && name.as_deref().is_some_and(|n| REPORT_NAMES.contains(&n));
                if !own {
                    return Err(refused(true));
                }
                // One of the report's own names: replacing it is what the default does.
                return Ok(());
            }
        }
    }
    if force || std::fs::symlink_metadata(path).is_err() {
        return Ok(());
    }
    if crate::incident::witness::file_is_report(path) {
        Ok(())
    } else {
        Err(refused(false))
    }
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
