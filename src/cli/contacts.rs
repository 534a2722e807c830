//! `hikeshi contacts import | export`: the contact list (連絡先一覧) between the city's
//! spreadsheet and `divisions.yaml`. The reading, checking and writing are the library's
//! (`directory::import`, `directory::export`); this is the options and what is printed.

use std::path::{Path, PathBuf};

use clap::Subcommand;

use super::context::{Context, clock, say, warn};
use super::{Error, Outcome};
use crate::catalog::{DivisionsRef, LoadFailure};
use crate::directory::Directory;
use crate::directory::import::{self, ContactsError, Settings};
use crate::playbook::load::{Limits, SourceFile};
use crate::stock;
use crate::tr;

/// The columns, for `--help`.
const COLUMNS: &str = "\
Columns (the header row names them, in Japanese or English, common variants accepted; the header \
may come below a title row or blank rows; other columns are ignored with a warning):
  名称 / 部署名 / 課名 / id — the division's or role's name (required)
  種別 / 区分 / kind — 部署 (division), 外部 (outside contact) or 役割 (role); left empty: a role \
if 担当者 or 所属 is filled, else a division
  メールアドレス / メール / email — mail address (required)
  電話番号 / 電話 / phone — office-hours phone
  夜間・休日電話 / 時間外電話 / after_hours_phone — night and holiday phone
  夜間・休日メール / 夜間メール / after_hours_email — night and holiday mail address
  夜間・休日連絡方法 / 夜間連絡方法 / after_hours_note — how to reach them out of hours
  担当者 / 氏名 / held_by — who holds a role (roles only)
  所属 / division — the division a role belongs to (a 名称 of the sheet)
  公式アカウント / アカウント / accounts — official accounts the division owns (divisions only)
  職員 / 所属職員 / staff — the people who belong to the division now (divisions only; names part \
at line breaks and commas): the account register's administrators must be among them
  担う役割 / parts — the parts the row plays (e.g. 広報担当課, 運用管理者)
  通知チャンネル / channels — chat channels ([channels.NAME] in hikeshi.toml)
  備考 / note — notes
Several accounts, parts or channels go in one cell, separated by line breaks, 、 , or spaces. \
Merged cells (.xlsx, .xls) count in every row they cover. A phone number typed as a number has \
lost its leading 0: the row is written as read, with a warning. docs/contacts.md has an example.";

/// The contacts commands.
#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// The contact list (連絡先一覧) as a spreadsheet: import it into divisions.yaml, or
    /// export divisions.yaml as the template to fill in.
    Contacts {
        /// import or export.
        #[command(subcommand)]
        action: Action,
    },
}

/// What to do with the contact list.
#[derive(Debug, Subcommand)]
pub enum Action {
    /// Read the city's contact list (.xlsx, .xls, .ods or .csv) into divisions.yaml.
    ///
    /// Every row that cannot be read is named with its row number as the spreadsheet shows
    /// it, the column (letter and header) and why: no or unparsable mail address, a name
    /// used twice, an unknown 種別, a part named twice, a 所属 that is no division of the
    /// sheet, a date or formula error where text belongs. Then nothing is written (exit 1)
    /// unless --skip-bad, which writes the rows that were read and still lists the bad ones.
    /// Empty rows are skipped. A CSV file may be UTF-8 (with or without BOM) or Shift_JIS
    /// (cp932) as Japanese Excel saves it.
    ///
    /// The file written loads as a directory (checked before writing) and replaces the old
    /// one atomically; its organization, website and other settings are kept, its
    /// divisions, roles and parts replaced. An existing file is replaced only with --force.
    #[command(after_help = COLUMNS)]
    Import {
        /// The spreadsheet: .xlsx, .xls, .ods or .csv.
        file: PathBuf,
        /// The directory file to write.
        #[arg(long, value_name = "PATH", default_value = "playbooks/divisions.yaml")]
        out: PathBuf,
        /// The sheet to read [default: the first sheet with a header row].
        #[arg(long, value_name = "NAME")]
        sheet: Option<String>,
        /// Write the rows that were read although some rows could not be (they are listed).
        #[arg(long)]
        skip_bad: bool,
        /// Print what would be written (counts, names, bad rows); write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Replace an existing --out (its organization and website are kept).
        #[arg(long)]
        force: bool,
        /// The organisation's name (needed when --out is new; replaces the kept one).
        #[arg(long, value_name = "NAME")]
        organization: Option<String>,
        /// The organisation's website (replaces the kept one).
        #[arg(long, value_name = "URL")]
        website: Option<String>,
    },
    /// Write divisions.yaml as a spreadsheet with exactly the columns `contacts import`
    /// reads (Japanese headers, one sheet, header frozen): the template a city fills in.
    #[command(after_help = COLUMNS)]
    Export {
        /// Where to write the .xlsx file.
        #[arg(long, value_name = "FILE", default_value = "連絡先一覧.xlsx")]
        out: PathBuf,
        /// The directory to export [default: ./playbooks/divisions.yaml, else the stock
        /// example].
        #[arg(long, value_name = "FILE")]
        divisions: Option<PathBuf>,
        /// Replace an existing file.
        #[arg(long)]
        force: bool,
    },
}

impl Cmd {
    /// Runs the command.
    pub(super) fn run(self, ctx: &Context) -> Result<Outcome, Error> {
        let Cmd::Contacts { action } = self;
        match action {
            Action::Import {
                file,
                out,
                sheet,
                skip_bad,
                dry_run,
                force,
                organization,
                website,
            } => {
                let exists = std::fs::symlink_metadata(&out).is_ok();
                if exists && !force && !dry_run {
                    return Err(ContactsError::Exists { path: out }.into());
                }
                let mut settings = if exists {
                    Settings::of_file(&out)?
                } else {
                    // A dry run shows the rows without the name; a file needs it.
                    let name = match (&organization, dry_run) {
                        (Some(name), _) => name.clone(),
                        (None, true) => "-".to_string(),
                        (None, false) => {
                            return Err(ContactsError::NeedOrganization { path: out }.into());
                        }
                    };
                    let mut settings = Settings {
                        organization: name,
                        ..Settings::default()
                    };
                    if organization.is_none() {
                        // Nothing is written: any kind lets the rows be checked.
                        settings
                            .kept
                            .insert("organization_kind".into(), serde_json::json!("市"));
                    }
                    settings
                };
                if let Some(name) = organization {
                    settings.organization = name;
                }
                if website.is_some() {
                    settings.website = website;
                }
                run_import(
                    ctx,
                    &file,
                    sheet.as_deref(),
                    &settings,
                    &out,
                    skip_bad,
                    dry_run,
                )
            }
            Action::Export {
                out,
                divisions,
                force,
            } => export(ctx, &out, divisions.as_deref(), force),
        }
    }
}

/// Imports into `out` (or only says what it would write), printing bad rows and warnings.
fn run_import(
    ctx: &Context,
    file: &Path,
    sheet: Option<&str>,
    settings: &Settings,
    out: &Path,
    skip_bad: bool,
    dry_run: bool,
) -> Result<Outcome, Error> {
    let lang = ctx.lang;
    let out_name = out.display().to_string();
    let imported = import::import(file, sheet, settings, clock().now(), &out_name, skip_bad)?;
    for line in imported.contacts.report_lines(lang) {
        warn(&line)?;
    }
    let (text, _) = imported.file?;
    if dry_run {
        for line in imported.contacts.listing(lang) {
            say(&line)?;
        }
        say(&tr!(
            lang,
            "（--dry-run: {out_name} には何も書き込んでいません）",
            "(--dry-run: nothing written to {out_name})"
        ))?;
        return Ok(Outcome::Success);
    }
    import::write(out, &text)?;
    let summary = imported.contacts.summary(lang);
    say(&tr!(
        lang,
        "{out_name} に書き込みました（{summary}）。`hikeshi check` で手順書と照合してください",
        "written to {out_name} ({summary}); run `hikeshi check` to check the playbooks against it"
    ))?;
    Ok(Outcome::Success)
}

fn export(
    ctx: &Context,
    out: &Path,
    divisions: Option<&Path>,
    force: bool,
) -> Result<Outcome, Error> {
    let lang = ctx.lang;
    if !force && std::fs::symlink_metadata(out).is_ok() {
        return Err(ContactsError::Exists {
            path: out.to_path_buf(),
        }
        .into());
    }
    let source = DivisionsRef::find(divisions, None);
    let limits = Limits::default();
    let failure = |diagnostics, sources| {
        Error::Load(LoadFailure {
            diagnostics,
            sources,
        })
    };
    let text = match &source {
        DivisionsRef::File(p) => {
            SourceFile::read(p, &limits).map_err(|d| failure(vec![*d], Vec::new()))?
        }
        DivisionsRef::Stock => SourceFile::new(
            stock::display_name(&stock::DIVISIONS),
            stock::DIVISIONS.text,
        ),
    };
    let directory = Directory::load(&text, &limits)
        .map_err(|diagnostics| failure(diagnostics, vec![text.clone()]))?;
    let bytes = crate::directory::export::to_xlsx(&directory)?;
    import::write_bytes(out, &bytes)?;
    let (from, out) = (source.origin(), out.display());
    say(&tr!(
        lang,
        "{from} の連絡先を {out} に書き出しました。表を直したら `hikeshi contacts import {out} --force` で取り込んでください",
        "exported the contacts of {from} to {out}; after editing the sheet, import it with `hikeshi contacts import {out} --force`"
    ))?;
    Ok(Outcome::Success)
}
