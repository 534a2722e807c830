//! The evidence pack: the incident's evidence files, a manifest with their hashes, and a
//! summary of the account, URLs and times — what a platform report form or a police
//! consultation (警察への相談) asks for, in one folder.

use std::io::Write as _;
use std::path::Path;

use serde::Serialize;

use super::ReportError;
use super::model::Report;
use crate::clock::format_jst;
use crate::digest::sha256_hex;
use crate::lang::{Lang, Text, io};
use crate::tr;

/// One file of the pack's manifest.
#[derive(Debug, Clone, Serialize)]
pub struct ManifestEntry {
    /// The file in the pack (`files/...`), or the URL.
    pub what: String,
    /// `file` or `url`.
    pub kind: String,
    /// SHA-256 recorded when it was attached.
    pub sha256: Option<String>,
    /// Whether the copy in the pack still has that hash.
    pub intact: Option<bool>,
    /// Its size.
    pub bytes: Option<u64>,
    /// When it was recorded.
    pub recorded_at: chrono::DateTime<chrono::FixedOffset>,
    /// By whom.
    pub recorded_by: String,
    /// The step.
    pub step: String,
    /// What it shows.
    pub note: Option<String>,
}

/// What a pack holds.
#[derive(Debug, Clone, Serialize)]
pub struct Manifest {
    /// The incident id.
    pub incident: String,
    /// The account.
    pub account: Option<String>,
    /// The platform.
    pub platform: Option<String>,
    /// Every piece of evidence.
    pub evidence: Vec<ManifestEntry>,
}

fn io<'a>(action: Text, path: &'a Path) -> impl FnOnce(std::io::Error) -> ReportError + 'a {
    move |e| {
        ReportError::Io(crate::lang::io::FileError::new(
            action,
            path.to_path_buf(),
            e,
        ))
    }
}

/// Writes the evidence pack of `report` (an incident in `incident_dir`) into `out`, which
/// must not exist or be empty. The pack is made in a staging folder beside `out` and renamed
/// at the end, so a failure leaves nothing half-made. A file that is missing, changed, a
/// symbolic link or oddly named is listed as not intact, not copied, and the pack is still
/// made: that is what its reader needs to know. Returns the manifest.
pub fn write(
    report: &Report,
    incident_dir: &Path,
    out: &Path,
    lang: Lang,
) -> Result<Manifest, ReportError> {
    if out.exists()
        && std::fs::read_dir(out)
            .map_err(io(io::READ, out))?
            .next()
            .is_some()
    {
        return Err(ReportError::NotEmpty(out.to_path_buf()));
    }
    let name = out
        .file_name()
        .map_or_else(|| "pack".into(), |n| n.to_string_lossy().into_owned());
    let staging = out.with_file_name(format!(".{name}.partial-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    let result = fill_pack(report, incident_dir, &staging, lang).and_then(|manifest| {
        if out.exists() {
            std::fs::remove_dir(out).map_err(io(io::REPLACE, out))?;
        }
        std::fs::rename(&staging, out).map_err(io(io::CREATE, out))?;
        Ok(manifest)
    });
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    result
}

/// The evidence file a report row names, if it is a plain name inside `evidence/`.
fn evidence_file(what: &str) -> Option<&str> {
    let name = what.strip_prefix("evidence/")?;
    let plain = !name.is_empty()
        && name != "."
        && name != ".."
        && !name.contains(['/', '\\'])
        && !name.chars().any(char::is_control);
    plain.then_some(name)
}

/// The columns of manifest.csv.
const MANIFEST_HEADER: [Text; 9] = [
    Text::new("ファイル又はURL", "file or URL"),
    Text::new("種別", "kind"),
    Text::new("SHA-256", "SHA-256"),
    Text::new("一致", "intact"),
    Text::new("バイト", "bytes"),
    Text::new("記録日時", "recorded"),
    Text::new("記録者", "by"),
    Text::new("手順", "step"),
    Text::new("内容", "what it shows"),
];

fn fill_pack(
    report: &Report,
    incident_dir: &Path,
    out: &Path,
    lang: Lang,
) -> Result<Manifest, ReportError> {
    let files = out.join("files");
    std::fs::create_dir_all(&files).map_err(io(io::CREATE, &files))?;
    let mut evidence = Vec::new();
    let mut used = std::collections::HashSet::new();
    for e in &report.evidence {
        let entry = if e.kind == "file" {
            let copied = evidence_file(&e.what).and_then(|name| {
                let folder = incident_dir.join("evidence");
                // Only a regular file inside a real `evidence/` is copied: never a link out of
                // the incident folder (neither the file nor the folder), nor a pipe or device.
                crate::platform::real_dir(&folder).ok()?;
                let mut bytes = Vec::new();
                crate::platform::open_regular(&folder.join(name), false)
                    .and_then(|mut f| std::io::Read::read_to_end(&mut f, &mut bytes))
                    .ok()?;
                let mut target = name.to_string();
                let mut n = 2;
                while !used.insert(target.clone()) {
                    target = format!("{n}-{name}");
                    n += 1;
                }
                Some((target, bytes))
            });
            let recorded = ManifestEntry {
                what: String::new(),
                kind: "file".into(),
                intact: Some(false),
                sha256: e.sha256.clone(),
                bytes: e.bytes,
                recorded_at: e.at,
                recorded_by: e.by.clone(),
                step: e.step.clone(),
                note: e.note.clone(),
            };
            match copied {
                Some((target, bytes)) => {
                    let path = files.join(&target);
                    std::fs::write(&path, &bytes).map_err(io(io::WRITE, &path))?;
                    ManifestEntry {
                        what: format!("files/{target}"),
                        intact: e.sha256.as_ref().map(|h| *h == sha256_hex(&bytes)),
                        ..recorded
                    }
                }
                None => ManifestEntry {
                    what: tr!(
                        lang,
                        "{} (見つからないため写していません)",
                        "{} (missing, not copied)",
                        e.what
                    ),
                    ..recorded
                },
            }
        } else {
            ManifestEntry {
                what: e.what.clone(),
                kind: "url".into(),
                sha256: None,
                intact: None,
                bytes: None,
                recorded_at: e.at,
                recorded_by: e.by.clone(),
                step: e.step.clone(),
                note: e.note.clone(),
            }
        };
        evidence.push(entry);
    }
    let manifest = Manifest {
        incident: report.incident.clone(),
        account: report.overview.account.clone(),
        platform: report.overview.platform.clone(),
        evidence,
    };
    let json = out.join("manifest.json");
    let mut text =
        serde_json::to_vec_pretty(&manifest).map_err(|e| ReportError::Csv(e.to_string()))?;
    text.push(b'\n');
    std::fs::write(&json, text).map_err(io(io::WRITE, &json))?;
    let csv_path = out.join("manifest.csv");
    let header = MANIFEST_HEADER.map(|h| h.get(lang));
    let rows = manifest.evidence.iter().map(|m| {
        [
            m.what.clone(),
            m.kind.clone(),
            m.sha256.clone().unwrap_or_default(),
            match m.intact {
                Some(true) => "OK",
                Some(false) => "NG",
                None => "",
            }
            .to_string(),
            m.bytes.map(|b| b.to_string()).unwrap_or_default(),
            format_jst(m.recorded_at, true),
            m.recorded_by.clone(),
            m.step.clone(),
            m.note.clone().unwrap_or_default(),
        ]
    });
    let csv_bytes = super::excel_csv(header, rows)?;
    std::fs::write(&csv_path, csv_bytes).map_err(io(io::WRITE, &csv_path))?;
    let summary_path = out.join("summary.md");
    let mut summary = Vec::new();
    write_summary(&mut summary, report, &manifest, lang).map_err(io(io::WRITE, &summary_path))?;
    std::fs::write(&summary_path, summary).map_err(io(io::WRITE, &summary_path))?;
    Ok(manifest)
}

fn write_summary(
    out: &mut Vec<u8>,
    report: &Report,
    manifest: &Manifest,
    lang: Lang,
) -> std::io::Result<()> {
    // Everything that came from people or files is escaped: a note, title or file name must
    // not become a link, markup or HTML in whatever renders the summary.
    use super::md_text as md;
    let o = &report.overview;
    let (title, organization, incident) = (md(&o.title), md(&o.organization), md(&report.incident));
    writeln!(
        out,
        "{}",
        tr!(lang, "# 証拠資料: {title}", "# Evidence: {title}")
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "{}",
        tr!(
            lang,
            "- 団体: {organization}",
            "- Organisation: {organization}"
        )
    )?;
    writeln!(
        out,
        "{}",
        tr!(lang, "- 事案番号: {incident}", "- Incident: {incident}")
    )?;
    let platform = md(o.platform.as_deref().unwrap_or("-"));
    let account = md(o.account.as_deref().unwrap_or("-"));
    writeln!(
        out,
        "{}",
        tr!(
            lang,
            "- 対象アカウント: {platform} {account}",
            "- Account: {platform} {account}"
        )
    )?;
    let started = o
        .started_at
        .map(|t| format_jst(t, false))
        .unwrap_or_default();
    writeln!(
        out,
        "{}",
        tr!(
            lang,
            "- 発生（対応開始）: {started}",
            "- Started: {started}"
        )
    )?;
    if let Some(c) = o.closed_at {
        let closed = format_jst(c, false);
        writeln!(
            out,
            "{}",
            tr!(lang, "- 終了: {closed}", "- Closed: {closed}")
        )?;
    }
    if !report.integrity.verified {
        writeln!(
            out,
            "{}",
            tr!(
                lang,
                "- **注意: 事案の記録は検証に失敗しています**",
                "- **WARNING: the incident's record failed verification**"
            )
        )?;
    }
    let none = tr!(lang, "- なし", "- none");
    writeln!(out)?;
    writeln!(out, "## URL")?;
    writeln!(out)?;
    let mut any = false;
    for m in manifest.evidence.iter().filter(|m| m.kind == "url") {
        any = true;
        writeln!(
            out,
            "- {} — {} ({})",
            md(&m.what),
            md(m.note.as_deref().unwrap_or("")),
            format_jst(m.recorded_at, false)
        )?;
    }
    if !any {
        writeln!(out, "{none}")?;
    }
    writeln!(out)?;
    writeln!(out, "{}", tr!(lang, "## ファイル", "## Files"))?;
    writeln!(out)?;
    let mut any = false;
    for m in manifest.evidence.iter().filter(|m| m.kind == "file") {
        any = true;
        let changed = if m.intact == Some(false) {
            tr!(
                lang,
                "、記録時から変更あり",
                ", CHANGED since it was recorded"
            )
        } else {
            String::new()
        };
        writeln!(
            out,
            "- {} — {} ({}, SHA-256 `{}`{changed})",
            md(&m.what),
            md(m.note.as_deref().unwrap_or("")),
            format_jst(m.recorded_at, false),
            m.sha256.as_deref().unwrap_or(""),
        )?;
    }
    if !any {
        writeln!(out, "{none}")?;
    }
    Ok(())
}
