//! The directory file written from the contacts: rendered, checked to load, replaced
//! atomically.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};
use serde::Serialize;

use super::*;
use crate::directory::{AfterHours, Directory, DivisionKind};
use crate::lang::Lang;
use crate::source::{Limits, SourceFile};
use crate::tr;

/// The parts map of a directory, as the export writes it into the 担う役割 column. The one
/// place that reads parts from a [`Directory`].
pub fn parts_of(directory: &Directory) -> Vec<(String, String)> {
    directory
        .parts
        .iter()
        .map(|p| (p.part.clone(), p.played_by.clone()))
        .collect()
}

/// The `parts:` map as written: part → id, in row order.
#[derive(Debug, Default)]
struct PartsMap<'a>(&'a [(String, String)]);

impl Serialize for PartsMap<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (part, id) in self.0 {
            map.serialize_entry(part, id)?;
        }
        map.end()
    }
}

#[derive(Serialize)]
struct FileOut<'a> {
    organization: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    website: Option<&'a str>,
    #[serde(flatten)]
    kept: &'a BTreeMap<String, serde_json::Value>,
    divisions: Vec<DivisionOut<'a>>,
    roles: Vec<RoleOut<'a>>,
    #[serde(skip_serializing_if = "PartsMap::is_empty")]
    parts: PartsMap<'a>,
}

impl PartsMap<'_> {
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[derive(Serialize)]
struct AfterHoursOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    phone: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
}

impl<'a> From<&'a AfterHours> for AfterHoursOut<'a> {
    fn from(a: &'a AfterHours) -> Self {
        AfterHoursOut {
            phone: a.phone.as_deref(),
            email: a.email.as_deref(),
            note: a.note.as_deref(),
        }
    }
}

#[derive(Serialize)]
struct DivisionOut<'a> {
    id: &'a str,
    kind: DivisionKind,
    email: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    phone: Option<&'a str>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    accounts: &'a [String],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    staff: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    after_hours: Option<AfterHoursOut<'a>>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    channels: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
}

#[derive(Serialize)]
struct RoleOut<'a> {
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    held_by: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    division: Option<&'a str>,
    email: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    phone: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    after_hours: Option<AfterHoursOut<'a>>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    channels: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
}

/// What the directory file keeps besides the contacts: the organisation, its website, and
/// every other top-level setting of an existing file (the organisation's kind and words,
/// for instance), as they were.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Settings {
    /// The organisation's name.
    pub organization: String,
    /// Its website.
    pub website: Option<String>,
    /// Every other top-level key of the existing file except `divisions`, `roles` and
    /// `parts`, which the import replaces.
    pub kept: BTreeMap<String, serde_json::Value>,
    /// The existing file's parts map, kept when the sheet has no parts column.
    pub parts: Vec<(String, String)>,
}

impl Settings {
    /// The settings of an existing directory file.
    pub fn of_file(path: &Path) -> Result<Settings, ContactsError> {
        let existing = |message: String| ContactsError::Existing {
            path: path.to_path_buf(),
            message,
        };
        let source = SourceFile::read(path, &Limits::default())
            .map_err(|d| existing(d.render(None, Lang::En)))?;
        Settings::of_text(&source).map_err(existing)
    }

    /// The settings of a directory file's text.
    pub fn of_text(source: &SourceFile) -> Result<Settings, String> {
        let mut map: BTreeMap<String, serde_json::Value> =
            crate::source::parse_yaml(source, &Limits::default())
                .map_err(|d| d.render(Some(&source.text), Lang::En))?;
        let parts = match map.remove("parts") {
            Some(serde_json::Value::Object(parts)) => parts
                .into_iter()
                .filter_map(|(part, holder)| Some((part, holder.as_str()?.to_string())))
                .collect(),
            _ => Vec::new(),
        };
        for key in ["divisions", "roles"] {
            map.remove(key);
        }
        let organization = match map.remove("organization") {
            Some(serde_json::Value::String(s)) => s,
            _ => String::new(),
        };
        let website = match map.remove("website") {
            Some(serde_json::Value::String(s)) => Some(s),
            _ => None,
        };
        Ok(Settings {
            organization,
            website,
            kept: map,
            parts,
        })
    }
}

/// Where the contacts came from, for the file's header comment.
#[derive(Debug, Clone)]
pub struct Origin<'a> {
    /// The spreadsheet's file name as given.
    pub file: &'a str,
    /// The time of the import.
    pub at: DateTime<FixedOffset>,
}

/// The directory file's text: a header comment (imported from which file and sheet, when,
/// and that edits belong in the sheet), the settings kept, the contacts and, when there are
/// any and `with_parts`, the parts map.
pub(super) fn render_text(
    contacts: &Contacts,
    settings: &Settings,
    origin: &Origin<'_>,
    with_parts: bool,
) -> Result<String, ContactsError> {
    let file = FileOut {
        organization: &settings.organization,
        website: settings.website.as_deref(),
        kept: &settings.kept,
        divisions: contacts
            .divisions
            .iter()
            .map(|d| DivisionOut {
                id: &d.id,
                kind: d.kind,
                email: &d.email,
                phone: d.phone.as_deref(),
                accounts: &d.accounts,
                staff: &d.staff,
                after_hours: d.after_hours.as_ref().map(AfterHoursOut::from),
                channels: &d.channels,
                note: d.note.as_deref(),
            })
            .collect(),
        roles: contacts
            .roles
            .iter()
            .map(|r| RoleOut {
                id: &r.id,
                held_by: r.held_by.as_deref(),
                division: r.division.as_deref(),
                email: &r.email,
                phone: r.phone.as_deref(),
                after_hours: r.after_hours.as_ref().map(AfterHoursOut::from),
                channels: &r.channels,
                note: r.note.as_deref(),
            })
            .collect(),
        parts: PartsMap(if with_parts { &contacts.parts } else { &[] }),
    };
    let body =
        serde_saphyr::to_string(&file).map_err(|e| ContactsError::Invalid(vec![e.to_string()]))?;
    let at = crate::clock::format_jst(origin.at, false);
    let name = Path::new(origin.file)
        .file_name()
        .map_or(origin.file.to_string(), |n| {
            n.to_string_lossy().into_owned()
        });
    let name = name.replace(['\n', '\r'], " ");
    let (sheet_ja, sheet_en) = match &contacts.sheet {
        Some(s) => (format!("（シート「{s}」）"), format!(" (sheet {s})")),
        None => (String::new(), String::new()),
    };
    let (sheet_ja, sheet_en) = (
        sheet_ja.replace(['\n', '\r'], " "),
        sheet_en.replace(['\n', '\r'], " "),
    );
    Ok(format!(
        "# yaml-language-server: $schema=../docs/divisions.schema.json\n\
#\n\
# {organization} SNS事案対応の連絡先（部署・役割）\n\
# {name}{sheet_ja}から {at}（日本時間）に `hikeshi contacts import` で取り込んだもの。\n\
# 連絡先を直すときは表の方を直し、もう一度取り込むこと（このファイルへの直接の修正は次の取り込みで失われる）。\n\
# Imported from {name}{sheet_en} at {at} JST by `hikeshi contacts import`.\n\
# Edit the spreadsheet and import it again: edits made here are lost at the next import.\n\
\n{body}",
        organization = settings.organization.replace(['\n', '\r'], " "),
    ))
}

/// The directory file for `contacts`, checked to load with [`Directory::load`], and the
/// directory it loads as.
pub fn render(
    contacts: &Contacts,
    settings: &Settings,
    origin: &Origin<'_>,
    out_name: &str,
) -> Result<(String, Directory), ContactsError> {
    let text = render_text(contacts, settings, origin, true)?;
    let source = SourceFile::new(out_name, text.clone());
    let directory = Directory::load(&source, &Limits::default()).map_err(|diagnostics| {
        ContactsError::Invalid(
            diagnostics
                .iter()
                .map(|d| d.render(Some(&source.text), Lang::En))
                .collect(),
        )
    })?;
    Ok((text, directory))
}

/// What an import made of a spreadsheet: the contacts read (with every bad row and
/// warning), and the directory file's text when it can be written.
#[derive(Debug)]
pub struct Imported {
    /// What the sheet gave.
    pub contacts: Contacts,
    /// The file to write and the directory it loads as; an error when rows were bad (without
    /// `skip_bad`), when no row could be read, or when the result does not load.
    pub file: Result<(String, Directory), ContactsError>,
}

/// Reads `file` (its `sheet`, or the first sheet with a header row) and makes the directory
/// file: `settings` kept, the contacts replaced. Bad rows stop it unless `skip_bad`.
pub fn import(
    file: &Path,
    sheet: Option<&str>,
    settings: &Settings,
    at: DateTime<FixedOffset>,
    out_name: &str,
    skip_bad: bool,
) -> Result<Imported, ContactsError> {
    let grids = read_file(file)?;
    let mut contacts = read_contacts(&grids, sheet)?;
    // A sheet that says nothing of parts leaves the town's map as it was (and says so).
    if !contacts.parts_column && !settings.parts.is_empty() {
        contacts.parts = settings.parts.clone();
        contacts.warnings.push(Warning::PartsKept {
            count: settings.parts.len(),
        });
    }
    let file_name = file.to_string_lossy();
    let origin = Origin {
        file: &file_name,
        at,
    };
    let made = if !contacts.problems.is_empty() && !skip_bad {
        Err(ContactsError::BadRows {
            count: contacts.bad_rows(),
        })
    } else if contacts.divisions.is_empty() && contacts.roles.is_empty() {
        Err(ContactsError::NothingRead)
    } else {
        render(&contacts, settings, &origin, out_name)
    };
    Ok(Imported {
        contacts,
        file: made,
    })
}

impl Contacts {
    /// Every bad row and warning, one line each, in `lang`: the bad rows first.
    pub fn report_lines(&self, lang: Lang) -> Vec<String> {
        let bad = self.problems.iter().map(|p| {
            let m = p.message(lang);
            tr!(lang, "読めない行: {m}", "bad row: {m}")
        });
        let warnings = self.warnings.iter().map(|w| {
            let m = w.message(lang);
            tr!(lang, "注意: {m}", "warning: {m}")
        });
        bad.chain(warnings).collect()
    }

    /// What would be written, in `lang`: the counts, then the names of each kind.
    pub fn listing(&self, lang: Lang) -> Vec<String> {
        let mut lines = vec![self.summary(lang)];
        let join = |names: Vec<String>| names.join("、");
        if !self.divisions.is_empty() {
            let names = join(self.divisions.iter().map(|d| d.id.clone()).collect());
            lines.push(tr!(lang, "  部署: {names}", "  divisions: {names}"));
        }
        if !self.roles.is_empty() {
            let names = join(self.roles.iter().map(|r| r.id.clone()).collect());
            lines.push(tr!(lang, "  役割: {names}", "  roles: {names}"));
        }
        if !self.parts.is_empty() {
            let names = join(
                self.parts
                    .iter()
                    .map(|(part, id)| format!("{part} → {id}"))
                    .collect(),
            );
            lines.push(tr!(lang, "  担う役割: {names}", "  parts: {names}"));
        }
        lines
    }
}

/// Writes `text` to `path` atomically: beside it, synced, renamed over it, the folder synced;
/// a reader sees the old file or the new one, never half of one.
pub fn write(path: &Path, text: &str) -> Result<(), ContactsError> {
    write_bytes(path, text.as_bytes())
}

/// Writes `bytes` to `path` atomically, as [`write`] does.
pub fn write_bytes(path: &Path, bytes: &[u8]) -> Result<(), ContactsError> {
    let failed = |source| ContactsError::Write {
        path: path.to_path_buf(),
        source,
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).map_err(failed)?;
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".tmp");
    let tmp = path.with_file_name(name);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    let result = crate::platform::open_no_follow(&options, &tmp)
        .and_then(|mut f| f.write_all(bytes).and_then(|()| f.sync_all()))
        .and_then(|()| std::fs::rename(&tmp, path));
    if let Err(source) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(failed(source));
    }
    crate::platform::sync_dir(&dir).map_err(failed)
}
