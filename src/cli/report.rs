//! `hikeshi report`: the 事案報告書 and the evidence pack.

use std::io::Write as _;
use std::path::Path;

use super::incident::{Context, fail, fail_message, now_for, say};
use super::{CliError, Outcome, ReportFormat};
use crate::config::Config;
use crate::incident::{self, IncidentRecord};
use crate::lang::Lang;
use crate::report::{self, Format, ReportError};

pub(super) fn report(
    ctx: &Context,
    name: &str,
    format: ReportFormat,
    output: Option<&Path>,
    evidence_pack: Option<&Path>,
) -> Result<Outcome, CliError> {
    let lang = ctx.lang;
    let dir = match incident::resolve(name, &ctx.incidents) {
        Ok(d) => d,
        Err(e) => return fail(ctx, &e),
    };
    let audited = match IncidentRecord::audit(&dir) {
        Ok(a) => a,
        Err(e) => return fail(ctx, &e),
    };
    let config = match Config::load(ctx.config.as_deref()) {
        Ok(c) => c,
        Err(e) => return fail_message(&e.to_string()),
    };
    let built = report::build(&audited, lang, now_for(&audited.record.state));
    if let Some(pack) = evidence_pack {
        return match report::pack::write(&built, &dir, pack, lang) {
            Ok(manifest) => {
                say(&match lang {
                    Lang::Ja => format!(
                        "証拠資料を作成しました: {}（{} 件、manifest.csv・manifest.json・summary.md）",
                        pack.display(),
                        manifest.evidence.len()
                    ),
                    Lang::En => format!(
                        "evidence pack written: {} ({} item(s), manifest.csv, manifest.json, summary.md)",
                        pack.display(),
                        manifest.evidence.len()
                    ),
                })?;
                warn_unverified(ctx, &built)
            }
            Err(e) => fail_message(&report_message(&e, lang)),
        };
    }
    let format = match format {
        ReportFormat::Html => Format::Html,
        ReportFormat::Md => Format::Markdown,
        ReportFormat::Csv => Format::Csv,
        ReportFormat::Json => Format::Json,
    };
    let bytes = match report::render(&built, format, config.report.templates.as_deref()) {
        Ok(b) => b,
        Err(e) => return fail_message(&report_message(&e, lang)),
    };
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
            if let Err(e) = std::fs::write(&tmp, &bytes).and_then(|()| std::fs::rename(&tmp, &path))
            {
                let _ = std::fs::remove_file(&tmp);
                return fail_message(&format!("{}: {e}", path.display()));
            }
            say(&format!(
                "{}: {}",
                lang.pick("報告書を作成しました", "report written"),
                path.display()
            ))?;
        }
    }
    warn_unverified(ctx, &built)
}

fn report_message(e: &ReportError, lang: Lang) -> String {
    match (e, lang) {
        (ReportError::NotEmpty(dir), Lang::Ja) => format!(
            "{} は既にあり、空ではありません。新しいフォルダを指定してください",
            dir.display()
        ),
        (other, _) => other.to_string(),
    }
}

/// A report of a journal that fails verification is written, says so at its top, and the
/// command exits 1 so scripts notice.
fn warn_unverified(ctx: &Context, built: &report::Report) -> Result<Outcome, CliError> {
    if built.integrity.verified {
        return Ok(Outcome::Success);
    }
    fail_message(
        ctx.lang.pick(
            "この事案の記録は検証に失敗しました（改ざん又は破損の可能性）。報告書の冒頭にその旨と箇所を記載しています",
            "this incident's record failed verification (altered or damaged); the report says so at its top, with where",
        ),
    )
}
