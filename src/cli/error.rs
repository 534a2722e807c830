//! The one error of the command line: every command returns it with `?`, and [`super::run`]
//! prints it once, in the language asked for, and turns it into the exit code.

use std::path::PathBuf;

use crate::catalog::{CatalogError, LoadFailure};
use crate::config::ConfigError;
use crate::directory::import::ContactsError;
use crate::exercise::ExerciseError;
use crate::incident::{IncidentError, Refusal};
use crate::journal::JournalError;
use crate::lang::Lang;
use crate::notify::NotifyError;
use crate::playbook::{Diagnostic, SourceFile};
use crate::register::ledger::LedgerError;
use crate::report::ReportError;
use crate::summary::SummaryError;
use crate::tr;
use crate::tui::TuiError;

/// Why a command failed (exit 1). Problems a command reports itself (`check`'s diagnostics)
/// are not errors: the command ends with [`super::Outcome::Problems`].
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An incident could not be opened, read or written, or the engine refused a command.
    #[error(transparent)]
    Incident(#[from] IncidentError),
    /// A journal could not be read or written.
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// Mail could not be composed, queued or set up.
    #[error(transparent)]
    Notify(#[from] NotifyError),
    /// An exercise could not run.
    #[error(transparent)]
    Exercise(#[from] ExerciseError),
    /// `hikeshi.toml` cannot be read or does not parse.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A playbook, scenario or folder could not be found.
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    /// The report or evidence pack could not be made.
    #[error(transparent)]
    Report(#[from] ReportError),
    /// The summary could not be made.
    #[error(transparent)]
    Summary(#[from] SummaryError),
    /// The screen could not be shown.
    #[error(transparent)]
    Tui(#[from] TuiError),
    /// A contact list could not be imported or exported.
    #[error(transparent)]
    Contacts(#[from] ContactsError),
    /// The account register could not be exported as the 一覧表 or imported from it.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// A playbook or scenario does not load: its diagnostics say why.
    Load(LoadFailure),
    /// Standard input and output are not a terminal, so the screen cannot be shown.
    NoTerminal {
        /// The incident to resume later in a terminal, if one was opened.
        resume: Option<String>,
    },
    /// `exercise` without a scenario (or `--resume`).
    NoScenario,
    /// `exercise --live` with neither `[smtp]` nor a `[channels.NAME]`.
    LiveNeedsDestination,
    /// An exercise's frozen scenario is missing or changed.
    ScenarioChanged(PathBuf),
    /// Messages just sent are still undelivered (they stay queued).
    Undelivered {
        /// Undelivered messages of the incident.
        count: usize,
        /// The incident's id.
        id: String,
    },
    /// The report was written, but the journal fails verification.
    Unverified,
    /// The summary was written, but incidents in it failed verification.
    SummaryUnverified {
        /// How many.
        count: usize,
    },
    /// `summary --from` is after `--to`.
    SummaryPeriod {
        /// The first day asked for.
        from: chrono::NaiveDate,
        /// The last day asked for.
        to: chrono::NaiveDate,
    },
    /// A summary's `-o` names a file inside an incident folder, or an existing file (without
    /// `--force`).
    SummaryOutput {
        /// The path given.
        path: PathBuf,
        /// Inside an incident folder (never allowed), rather than an existing file.
        in_incident: bool,
    },
    /// `ack` named a recipient that has several messages in question: name one by number.
    SeveralMessages {
        /// The recipient as named.
        to: String,
        /// Their messages.
        messages: Vec<u32>,
    },
    /// Writing a file failed.
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A city folder without its account register.
    NoRegister {
        /// Where it was looked for.
        path: PathBuf,
    },
    /// `register update` on an exercise.
    RegisterFromExercise,
    /// `register update --apply` cannot follow the account's entry in the file.
    RegisterLayout {
        /// The register.
        path: PathBuf,
        /// The handle's line.
        line: usize,
    },
    /// `register update --apply` needs a value the record does not hold.
    RegisterNeedsValue {
        /// The option that gives it.
        option: String,
    },
    /// `register init` would replace a register.
    RegisterExists {
        /// The register.
        path: PathBuf,
    },
    /// `init` would overwrite files.
    WouldOverwrite {
        /// The folder.
        dir: PathBuf,
        /// How many.
        count: usize,
        /// The first one.
        first: PathBuf,
    },
    /// A report's `-o` names a file inside an incident folder (other than the report's own
    /// names there), or an existing file that is not an earlier report (without `--force`).
    ReportOutput {
        /// The path given.
        path: PathBuf,
        /// Inside an incident folder (never allowed), rather than an existing file.
        in_incident: bool,
    },
    /// A witness file could not be read.
    Witness {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Witnesses hold heads that the journal does not: it was cut back or rewritten.
    WitnessMismatch {
        /// How many.
        count: usize,
    },
    /// No head of this incident in the witnesses given.
    NoWitness {
        /// Heads of other incidents found.
        other: usize,
    },
    /// Writing to standard output or error failed.
    Output(#[from] std::io::Error),
}

/// The English of [`Error::message`]: each failure's text is written once. A playbook that
/// does not load is said by its diagnostics; alone, by their count.
impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self, self.message(Lang::En)) {
            (_, Some(message)) => f.write_str(&message),
            (Error::Load(failure), None) => write!(
                f,
                "{} problem(s) in the playbook or scenario",
                failure.diagnostics.len()
            ),
            (_, None) => Ok(()),
        }
    }
}

impl From<Refusal> for Error {
    fn from(refusal: Refusal) -> Self {
        Error::Incident(IncidentError::Refused(refusal))
    }
}

impl From<LoadFailure> for Error {
    fn from(failure: LoadFailure) -> Self {
        Error::Load(failure)
    }
}

impl Error {
    /// The refusal it is, however wrapped: said with the command line that fixes it.
    fn refusal(&self) -> Option<&Refusal> {
        match self {
            Error::Incident(e) => e.refusal(),
            Error::Notify(e) => e.refusal(),
            Error::Exercise(e) => e.refusal(),
            _ => None,
        }
    }

    /// The exit code: every failure is 1 (2, a usage error, is clap's, before any command).
    pub fn exit_code(&self) -> u8 {
        1
    }

    /// The headline in `lang` (without the `hikeshi: ` prefix), or none when the lines below
    /// say it all (diagnostics).
    pub fn message(&self, lang: Lang) -> Option<String> {
        if let Some(refusal) = self.refusal() {
            return Some(super::refusal::refused(refusal, lang));
        }
        Some(match self {
            Error::Incident(e) => e.message(lang),
            Error::Journal(e) => e.message(lang),
            Error::Notify(e) => e.message(lang),
            Error::Exercise(e) => e.message(lang),
            Error::Config(e) => e.message(lang),
            Error::Catalog(e) => e.message(lang),
            Error::Report(e) => e.message(lang),
            Error::Summary(e) => e.message(lang),
            Error::Tui(e) => e.message(lang),
            Error::Contacts(e) => e.message(lang),
            Error::Ledger(e) => e.message(lang),
            Error::Load(_) => return None,
            Error::NoTerminal { .. } => tr!(
                lang,
                "端末（ターミナル）ではないため画面を表示できません。`hikeshi status` などのコマンドを使うか、端末から実行してください",
                "not a terminal, so the screen cannot be shown; use commands such as `hikeshi status`, or run this in a terminal"
            ),
            Error::NoScenario => tr!(lang, "シナリオを指定してください", "name a scenario"),
            Error::SeveralMessages { to, messages } => {
                let list = messages
                    .iter()
                    .map(|m| format!("#{m}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                tr!(
                    lang,
                    "{to}宛ての通知が複数あります（{list}）。番号で指定してください（`hikeshi outbox INCIDENT` で内容を確認できます）",
                    "{to} has several messages ({list}); name one by its number (`hikeshi outbox INCIDENT` lists them)"
                )
            }
            Error::LiveNeedsDestination => tr!(
                lang,
                "--live には hikeshi.toml の [smtp] か [channels.NAME] の設定が必要です",
                "--live needs an [smtp] table or a [channels.NAME] in hikeshi.toml"
            ),
            Error::ScenarioChanged(path) => {
                let path = path.display();
                tr!(
                    lang,
                    "{path} が無いか、訓練の開始時の内容と異なります（SHA-256 が一致しません）",
                    "{path} is missing or differs from the scenario the exercise began with (SHA-256 mismatch)"
                )
            }
            Error::Undelivered { count, id } => tr!(
                lang,
                "未送達の通知が {count} 通あります。送信待ちのまま残っています: `hikeshi outbox {id} --retry` で再送するか、画面（hikeshi tui）を開いておくと自動で再送します。届かない部署には電話し `hikeshi call` で記録してください",
                "{count} message(s) not delivered; they stay queued: `hikeshi outbox {id} --retry` sends them again, and the screen (hikeshi tui) retries by itself. Phone a division that cannot be reached and record it with `hikeshi call`"
            ),
            Error::Unverified => tr!(
                lang,
                "この事案の記録は検証に失敗しました（改ざん又は破損の可能性）。報告書の冒頭にその旨と箇所を記載しています",
                "this incident's record failed verification (altered or damaged); the report says so at its top, with where"
            ),
            Error::SummaryUnverified { count } => tr!(
                lang,
                "集計に含めた事案のうち {count} 件の記録が検証に失敗しました（改ざん又は破損の可能性）。集計の冒頭にその旨を記載しています",
                "{count} incident(s) in the summary failed verification (altered or damaged); the summary says so at its top"
            ),
            Error::SummaryPeriod { from, to } => tr!(
                lang,
                "--from {from} が --to {to} より後です",
                "--from {from} is after --to {to}"
            ),
            Error::SummaryOutput {
                path,
                in_incident: true,
            } => {
                let path = path.display();
                tr!(
                    lang,
                    "{path} には書き込みません: 事案フォルダーの中には集計を置きません（記録を上書きしないため）",
                    "refusing to write to {path}: a summary never goes inside an incident folder, so that it can never overwrite a record"
                )
            }
            Error::SummaryOutput {
                path,
                in_incident: false,
            } => {
                let path = path.display();
                tr!(
                    lang,
                    "{path} は既にあります。置き換えるには --force を付けてください",
                    "{path} already exists; use --force to replace it"
                )
            }
            Error::Write { path, source } => {
                let path = path.display();
                tr!(
                    lang,
                    "{path} に書き込めません: {source}",
                    "cannot write {path}: {source}"
                )
            }
            Error::RegisterFromExercise => tr!(
                lang,
                "訓練の事案からはアカウント管理者一覧表を変更しません（訓練の手順は実際の見直しではありません）",
                "an exercise never changes the account register (a drill's steps are no real review)"
            ),
            Error::RegisterLayout { path, line } => {
                let path = path.display();
                tr!(
                    lang,
                    "{path} の {line} 行目のアカウントの書き方に従って書き込めません。一覧表を手で直してください（何も書き込んでいません）",
                    "cannot follow the entry of the account on line {line} of {path}; edit the register by hand (nothing was written)"
                )
            }
            Error::RegisterNeedsValue { option } => tr!(
                lang,
                "記録からは分からない値があります。{option} で指定してください",
                "the record does not hold a value this needs; give it with {option}"
            ),
            Error::RegisterExists { path } => {
                let path = path.display();
                tr!(
                    lang,
                    "{path} は既にあります。作り直すには --force を付けてください（記入した内容は失われます）",
                    "{path} already exists; use --force to make it again (what was filled in is lost)"
                )
            }
            Error::NoRegister { path } => {
                let path = path.display();
                tr!(
                    lang,
                    "この市町村のアカウント管理者一覧表 {path} がありません。`hikeshi register init` で連絡先（divisions.yaml）の公式アカウントから作成し、空欄を埋めてください（docs/register.md）",
                    "this organisation has no account register at {path}; `hikeshi register init` makes one from the directory's official accounts for you to fill in (docs/register.md)"
                )
            }
            Error::WouldOverwrite { dir, count, first } => {
                let (dir, first) = (dir.display(), first.display());
                tr!(
                    lang,
                    "{dir} には既に {count} 個のファイルがあります（最初: {first}）。上書きするには --force を付けてください",
                    "{count} file(s) already exist in {dir} (first: {first}); use --force to overwrite"
                )
            }
            Error::ReportOutput {
                path,
                in_incident: true,
            } => {
                let path = path.display();
                tr!(
                    lang,
                    "{path} には書き込みません: 事案フォルダーの中に置けるのは報告書自身の名前（report.html、report.md、report.csv、report.json）だけです。記録（journal.jsonl）などを上書きしないためです",
                    "refusing to write to {path}: inside an incident folder a report goes only under its own names (report.html, report.md, report.csv, report.json), so that it can never overwrite the journal or other records"
                )
            }
            Error::ReportOutput {
                path,
                in_incident: false,
            } => {
                let path = path.display();
                tr!(
                    lang,
                    "{path} は既にあり、以前の報告書ではありません。置き換えるには --force を付けてください",
                    "{path} exists and is not an earlier report; use --force to replace it"
                )
            }
            Error::Witness { path, source } => {
                let path = path.display();
                tr!(
                    lang,
                    "控え {path} を読み込めません: {source}",
                    "cannot read the witness {path}: {source}"
                )
            }
            Error::WitnessMismatch { count } => tr!(
                lang,
                "記録の控え {count} 件が記録と一致しません。記録が削られたか書き換えられた証拠です（上の各行を参照）",
                "{count} witness head(s) contradict the journal: evidence that it was cut back or rewritten (see the lines above)"
            ),
            Error::NoWitness { other } => tr!(
                lang,
                "指定した控えにこの事案の記録の控えがありません（他の事案の控え {other} 件）。事案のフォルダー名が変えられていないかも確認してください",
                "the witnesses hold no head of this incident ({other} of other incidents); check also that the incident folder was not renamed"
            ),
            Error::Output(e) => tr!(lang, "出力できません: {e}", "cannot write output: {e}"),
        })
    }

    /// Everything printed for this error: the headline (`hikeshi: …`) and the lines under it
    /// (a hint to resume, diagnostics with their source lines).
    pub fn render(&self, lang: Lang) -> String {
        let mut lines: Vec<String> = self
            .message(lang)
            .map(|m| format!("hikeshi: {m}"))
            .into_iter()
            .collect();
        match self {
            Error::Load(failure) => {
                lines.extend(render_diagnostics(
                    &failure.diagnostics,
                    &failure.sources,
                    lang,
                ));
            }
            Error::NoTerminal { resume: Some(name) } => lines.push(format!(
                "hikeshi: {}",
                tr!(
                    lang,
                    "事案は保存されています。端末から再開するには `hikeshi tui {name}`",
                    "the incident is saved; to resume it in a terminal: `hikeshi tui {name}`"
                )
            )),
            _ => {}
        }
        if let Some(diagnostics) = self.frozen_playbook() {
            lines.extend(diagnostics.iter().map(|d| d.render(None, lang)));
        }
        lines.join("\n")
    }

    /// The diagnostics of an incident's frozen playbook that no longer compiles, however deep.
    fn frozen_playbook(&self) -> Option<&[Diagnostic]> {
        let incident = match self {
            Error::Incident(e)
            | Error::Exercise(ExerciseError::Incident(e))
            | Error::Notify(NotifyError::Incident(e))
            | Error::Exercise(ExerciseError::Notify(NotifyError::Incident(e))) => e,
            _ => return None,
        };
        match incident {
            IncidentError::FrozenPlaybook(diagnostics) => Some(diagnostics),
            _ => None,
        }
    }
}

/// Diagnostics rendered for the terminal, each with the source line it points into.
pub(super) fn render_diagnostics(
    diagnostics: &[Diagnostic],
    sources: &[SourceFile],
    lang: Lang,
) -> impl Iterator<Item = String> {
    diagnostics.iter().map(move |d| {
        let text = sources
            .iter()
            .find(|s| s.name == d.file)
            .map(|s| s.text.as_str());
        d.render(text, lang)
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::io;
    use std::path::PathBuf;

    use super::*;
    use crate::catalog::{DivisionsRef, PlaybookRef};
    use crate::journal::Corruption;

    fn os() -> io::Error {
        io::Error::other("disk full")
    }

    fn path() -> PathBuf {
        PathBuf::from("incidents/20261122-1403-x/journal.jsonl")
    }

    /// Both languages are there, and they are not the same text.
    fn bilingual(what: &str, ja: &str, en: &str) {
        assert!(!ja.trim().is_empty(), "{what}: no Japanese");
        assert!(!en.trim().is_empty(), "{what}: no English");
        assert_ne!(ja, en, "{what}: the same in both languages");
    }

    /// Checks that `examples` holds one of each variant: `index` is a `match` without a
    /// wildcard, so a new variant does not compile until it has an index, and then this fails
    /// until it has an example.
    fn every_variant<E: std::fmt::Debug>(
        examples: &[E],
        index: fn(&E) -> usize,
        count: usize,
        message: impl Fn(&E, Lang) -> String,
    ) {
        let seen: BTreeSet<usize> = examples.iter().map(index).collect();
        assert_eq!(seen, (0..count).collect(), "{examples:?}");
        for e in examples {
            bilingual(
                &format!("{e:?}"),
                &message(e, Lang::Ja),
                &message(e, Lang::En),
            );
        }
    }

    fn incident_errors() -> Vec<IncidentError> {
        vec![
            IncidentError::Refused(Refusal::Closed),
            IncidentError::Journal(JournalError::Locked { path: path() }),
            IncidentError::Io(crate::lang::io::FileError::new(
                crate::lang::io::CREATE,
                path(),
                os(),
            )),
            IncidentError::NotFound {
                name: "x".into(),
                incidents: "incidents".into(),
            },
            IncidentError::Incomplete { path: path() },
            IncidentError::FrozenPlaybook(Vec::new()),
            IncidentError::FrozenChanged {
                file: "playbook.yaml",
                recorded: "aa".into(),
                found: "bb".into(),
            },
            IncidentError::BadEvent {
                seq: 3,
                reason: "unknown kind".into(),
            },
            IncidentError::AheadOfComputer {
                at: chrono::DateTime::parse_from_rfc3339("9999-01-01T00:00:00+09:00")
                    .unwrap_or_default(),
                computer: chrono::DateTime::parse_from_rfc3339("2026-12-07T09:00:00+09:00")
                    .unwrap_or_default(),
            },
        ]
    }

    #[test]
    fn every_incident_error_is_bilingual() {
        every_variant(
            &incident_errors(),
            |e| match e {
                IncidentError::Refused(_) => 0,
                IncidentError::Journal(_) => 1,
                IncidentError::Io(_) => 2,
                IncidentError::NotFound { .. } => 3,
                IncidentError::Incomplete { .. } => 4,
                IncidentError::FrozenPlaybook(_) => 5,
                IncidentError::FrozenChanged { .. } => 6,
                IncidentError::BadEvent { .. } => 7,
                IncidentError::AheadOfComputer { .. } => 8,
            },
            9,
            IncidentError::message,
        );
    }

    #[test]
    fn every_journal_error_is_bilingual() {
        let corrupt = |problem| JournalError::Corrupt {
            path: path(),
            line: 4,
            seq: 3,
            problem,
        };
        every_variant(
            &[
                JournalError::Io(crate::lang::io::FileError::new(
                    crate::lang::io::WRITE,
                    path(),
                    os(),
                )),
                JournalError::Locked { path: path() },
                corrupt(Corruption::HashMismatch),
                JournalError::Encode("bad".into()),
            ],
            |e| match e {
                JournalError::Io(_) => 0,
                JournalError::Locked { .. } => 1,
                JournalError::Corrupt { .. } => 2,
                JournalError::Encode(_) => 3,
            },
            4,
            JournalError::message,
        );
        every_variant(
            &[
                Corruption::NotUtf8,
                Corruption::NotARecord("expected value".into()),
                Corruption::HashMismatch,
                Corruption::BrokenChain {
                    found: "aa".into(),
                    expected: "bb".into(),
                },
                Corruption::ChainBreaksAfter,
                Corruption::BadSequence {
                    found: 5,
                    expected: 4,
                },
            ],
            |c| match c {
                Corruption::NotUtf8 => 0,
                Corruption::NotARecord(_) => 1,
                Corruption::HashMismatch => 2,
                Corruption::BrokenChain { .. } => 3,
                Corruption::ChainBreaksAfter => 4,
                Corruption::BadSequence { .. } => 5,
            },
            6,
            Corruption::message,
        );
    }

    fn config_errors() -> Vec<ConfigError> {
        vec![
            ConfigError::Read {
                path: "hikeshi.toml".into(),
                source: os(),
            },
            ConfigError::Parse {
                path: "hikeshi.toml".into(),
                message: "unknown field `smpt`".into(),
            },
        ]
    }

    #[test]
    fn every_config_and_catalog_error_is_bilingual() {
        every_variant(
            &config_errors(),
            |e| match e {
                ConfigError::Read { .. } => 0,
                ConfigError::Parse { .. } => 1,
            },
            2,
            ConfigError::message,
        );
        every_variant(
            &[
                CatalogError::NotFound {
                    name: "x".into(),
                    looked: vec!["playbooks/x.yaml".into()],
                    stock: "flaming".into(),
                },
                CatalogError::ScenarioNotFound {
                    name: "x".into(),
                    looked: vec!["playbooks/exercises/x.yaml".into()],
                    stock: "takeover-friday-night".into(),
                },
                CatalogError::Folder {
                    path: "playbooks".into(),
                    source: os(),
                },
            ],
            |e| match e {
                CatalogError::NotFound { .. } => 0,
                CatalogError::ScenarioNotFound { .. } => 1,
                CatalogError::Folder { .. } => 2,
            },
            3,
            CatalogError::message,
        );
    }

    fn notify_errors() -> Vec<NotifyError> {
        let mut errors = vec![
            NotifyError::Refused(Refusal::NotStarted),
            NotifyError::Io(crate::lang::io::FileError::new(
                crate::lang::io::SAVE_MESSAGE,
                path(),
                os(),
            )),
            NotifyError::PlaintextLogin {
                host: "smtp.example.jp".into(),
            },
            NotifyError::Password {
                variable: "HIKESHI_SMTP_PASSWORD".into(),
            },
            NotifyError::Tls {
                reason: "no CA file".into(),
            },
            NotifyError::ControlCharacter {
                what: "subject".into(),
                value: "a\\nb".into(),
                character: "U+000A".into(),
            },
            NotifyError::BadAddress {
                what: "広報広聴課".into(),
                address: "kouhou@".into(),
                reason: "missing domain".into(),
            },
            NotifyError::UnknownRecipient {
                name: "広報".into(),
            },
            NotifyError::Compose("no body".into()),
            NotifyError::Imap(ImapError::NotConfigured),
            NotifyError::UnknownChannel {
                channel: "koho-teams".into(),
                division: "広報広聴課".into(),
            },
            NotifyError::ClockBehind {
                last: chrono::DateTime::parse_from_rfc3339("2026-11-20T22:05:00+09:00")
                    .unwrap_or_default(),
                at: chrono::DateTime::parse_from_rfc3339("2026-11-20T21:54:30+09:00")
                    .unwrap_or_default(),
            },
        ];
        // (A refusal through the incident arrives as `Refused`: an example of the other kind.)
        errors.extend(
            incident_errors()
                .into_iter()
                .filter(|e| e.refusal().is_none())
                .take(1)
                .map(Into::into),
        );
        errors.extend(config_errors().into_iter().take(1).map(Into::into));
        errors
    }

    use crate::notify::imap::ImapError;

    #[test]
    fn every_notify_error_is_bilingual() {
        every_variant(
            &notify_errors(),
            |e| match e {
                NotifyError::Refused(_) => 0,
                NotifyError::Incident(_) => 1,
                NotifyError::Config(_) => 2,
                NotifyError::Io(_) => 3,
                NotifyError::PlaintextLogin { .. } => 4,
                NotifyError::Password { .. } => 5,
                NotifyError::Tls { .. } => 6,
                NotifyError::ControlCharacter { .. } => 7,
                NotifyError::BadAddress { .. } => 8,
                NotifyError::UnknownRecipient { .. } => 9,
                NotifyError::Compose(_) => 10,
                NotifyError::Imap(_) => 11,
                NotifyError::UnknownChannel { .. } => 12,
                NotifyError::ClockBehind { .. } => 13,
            },
            14,
            NotifyError::message,
        );
        every_variant(
            &[
                ImapError::NotConfigured,
                ImapError::Password {
                    variable: "HIKESHI_IMAP_PASSWORD".into(),
                },
                ImapError::PlaintextLogin {
                    host: "imap.example.jp".into(),
                },
                ImapError::Unreachable {
                    server: "imap.example.jp:993".into(),
                    reason: "connection refused".into(),
                },
                ImapError::Login {
                    user: "koho".into(),
                },
                ImapError::TimedOut {
                    server: "imap.example.jp:993".into(),
                    waiting: crate::notify::imap::stage::SEARCH,
                    secs: 30,
                },
                ImapError::Failed {
                    server: "imap.example.jp:993".into(),
                    doing: crate::notify::imap::stage::BODIES,
                    reason: "NO [LIMIT]".into(),
                },
            ],
            |e| match e {
                ImapError::NotConfigured => 0,
                ImapError::Password { .. } => 1,
                ImapError::PlaintextLogin { .. } => 2,
                ImapError::Unreachable { .. } => 3,
                ImapError::Login { .. } => 4,
                ImapError::TimedOut { .. } => 5,
                ImapError::Failed { .. } => 6,
            },
            7,
            ImapError::message,
        );
    }

    #[test]
    fn every_exercise_report_and_screen_error_is_bilingual() {
        every_variant(
            &[
                ExerciseError::Incident(IncidentError::Incomplete { path: path() }),
                ExerciseError::Notify(NotifyError::Compose("x".into())),
                ExerciseError::NotAnExercise("incidents/x".into()),
                ExerciseError::FrozenScenario {
                    path: "scenario.yaml".into(),
                    reason: "SHA-256 mismatch".into(),
                },
                ExerciseError::Runtime(os()),
            ],
            |e| match e {
                ExerciseError::Incident(_) => 0,
                ExerciseError::Notify(_) => 1,
                ExerciseError::NotAnExercise(_) => 2,
                ExerciseError::FrozenScenario { .. } => 3,
                ExerciseError::Runtime(_) => 4,
            },
            5,
            ExerciseError::message,
        );
        every_variant(
            &[
                ReportError::Template {
                    name: "report.html.j2".into(),
                    message: "line 3: unknown filter".into(),
                },
                ReportError::Io(crate::lang::io::FileError::new(
                    crate::lang::io::READ_TEMPLATE,
                    "report.html.j2",
                    os(),
                )),
                ReportError::Csv("bad".into()),
                ReportError::NotEmpty("pack".into()),
                ReportError::Xlsx("bad".into()),
                ReportError::Docx("bad".into()),
            ],
            |e| match e {
                ReportError::Template { .. } => 0,
                ReportError::Io(_) => 1,
                ReportError::Csv(_) => 2,
                ReportError::NotEmpty(_) => 3,
                ReportError::Xlsx(_) => 4,
                ReportError::Docx(_) => 5,
            },
            6,
            ReportError::message,
        );
        let tui = TuiError::from(os());
        bilingual("TuiError", &tui.message(Lang::Ja), &tui.message(Lang::En));
    }

    #[test]
    fn every_ledger_error_is_bilingual() {
        use crate::register::ledger::Field;
        every_variant(
            &[
                LedgerError::File(ContactsError::NothingRead),
                LedgerError::NoSuchSheet {
                    name: "x".into(),
                    sheets: vec!["一覧".into()],
                },
                LedgerError::NoHeader {
                    sheets: vec!["一覧".into()],
                },
                LedgerError::DuplicateColumn {
                    field: Field::Handle,
                    first: "B「アカウント」".into(),
                    second: "C「ユーザー名」".into(),
                },
                LedgerError::SecretColumn {
                    column: "C「パスワード」".into(),
                },
                LedgerError::BadRows { count: 2 },
                LedgerError::NothingRead,
                LedgerError::Exists {
                    path: "playbooks/accounts.yaml".into(),
                },
                LedgerError::Existing {
                    path: "playbooks/accounts.yaml".into(),
                    message: "bad".into(),
                },
                LedgerError::OutputExists {
                    path: "アカウント管理者一覧表.docx".into(),
                },
                LedgerError::Invalid(vec!["x".into()]),
                LedgerError::Xlsx("bad".into()),
            ],
            |e| match e {
                LedgerError::File(_) => 0,
                LedgerError::NoSuchSheet { .. } => 1,
                LedgerError::NoHeader { .. } => 2,
                LedgerError::DuplicateColumn { .. } => 3,
                LedgerError::SecretColumn { .. } => 4,
                LedgerError::BadRows { .. } => 5,
                LedgerError::NothingRead => 6,
                LedgerError::Exists { .. } => 7,
                LedgerError::Existing { .. } => 8,
                LedgerError::Invalid(_) => 9,
                LedgerError::Xlsx(_) => 10,
                LedgerError::OutputExists { .. } => 11,
            },
            12,
            LedgerError::message,
        );
    }

    #[test]
    fn every_cli_error_is_bilingual() {
        let failure = match crate::catalog::load_playbook(
            &PlaybookRef::File("no-such-playbook.yaml".into()),
            &DivisionsRef::Stock,
            &crate::playbook::CompileOptions::default(),
        ) {
            Err(failure) => failure,
            Ok(_) => panic!("a missing playbook loaded"),
        };
        every_variant(
            &[
                Error::Incident(IncidentError::Refused(Refusal::Closed)),
                Error::Journal(JournalError::Locked { path: path() }),
                Error::Notify(NotifyError::Compose("x".into())),
                Error::Exercise(ExerciseError::NotAnExercise("x".into())),
                Error::Config(ConfigError::Read {
                    path: "hikeshi.toml".into(),
                    source: os(),
                }),
                Error::Catalog(CatalogError::NotFound {
                    name: "x".into(),
                    looked: Vec::new(),
                    stock: "flaming".into(),
                }),
                Error::Report(ReportError::NotEmpty("pack".into())),
                Error::Tui(TuiError::from(os())),
                Error::Load(failure),
                Error::NoTerminal {
                    resume: Some("20261122-1403-x".into()),
                },
                Error::NoScenario,
                Error::LiveNeedsDestination,
                Error::ScenarioChanged("scenario.yaml".into()),
                Error::Undelivered {
                    count: 2,
                    id: "20261122-1403-x".into(),
                },
                Error::Unverified,
                Error::Write {
                    path: "report.html".into(),
                    source: os(),
                },
                Error::NoRegister {
                    path: "playbooks/accounts.yaml".into(),
                },
                Error::RegisterExists {
                    path: "playbooks/accounts.yaml".into(),
                },
                Error::RegisterNeedsValue {
                    option: "--two-factor".into(),
                },
                Error::RegisterFromExercise,
                Error::RegisterLayout {
                    path: "playbooks/accounts.yaml".into(),
                    line: 12,
                },
                Error::WouldOverwrite {
                    dir: "city".into(),
                    count: 3,
                    first: "city/hikeshi.toml".into(),
                },
                Error::ReportOutput {
                    path: "journal.jsonl".into(),
                    in_incident: true,
                },
                Error::ReportOutput {
                    path: "notes.csv".into(),
                    in_incident: false,
                },
                Error::Witness {
                    path: "mail.eml".into(),
                    source: os(),
                },
                Error::WitnessMismatch { count: 1 },
                Error::NoWitness { other: 2 },
                Error::Output(os()),
                Error::Summary(SummaryError::Folder {
                    path: "incidents".into(),
                    source: os(),
                }),
                Error::SummaryUnverified { count: 1 },
                Error::SummaryPeriod {
                    from: chrono::NaiveDate::from_ymd_opt(2027, 3, 31).unwrap_or_default(),
                    to: chrono::NaiveDate::from_ymd_opt(2026, 4, 1).unwrap_or_default(),
                },
                Error::SummaryOutput {
                    path: "summary.html".into(),
                    in_incident: true,
                },
                Error::SummaryOutput {
                    path: "summary.html".into(),
                    in_incident: false,
                },
                Error::SeveralMessages {
                    to: "情報政策課".into(),
                    messages: vec![2, 5],
                },
                Error::Contacts(ContactsError::BadRows { count: 2 }),
                Error::Ledger(LedgerError::SecretColumn {
                    column: "C「パスワード」".into(),
                }),
            ],
            |e| match e {
                Error::Incident(_) => 0,
                Error::Journal(_) => 1,
                Error::Notify(_) => 2,
                Error::Exercise(_) => 3,
                Error::Config(_) => 4,
                Error::Catalog(_) => 5,
                Error::Report(_) => 6,
                Error::Tui(_) => 7,
                Error::Load(_) => 8,
                Error::NoTerminal { .. } => 9,
                Error::NoScenario => 10,
                Error::LiveNeedsDestination => 11,
                Error::ScenarioChanged(_) => 12,
                Error::Undelivered { .. } => 13,
                Error::Unverified => 14,
                Error::Write { .. } => 15,
                Error::WouldOverwrite { .. } => 16,
                Error::Output(_) => 17,
                Error::ReportOutput { .. } => 18,
                Error::Witness { .. } => 19,
                Error::WitnessMismatch { .. } => 20,
                Error::NoWitness { .. } => 21,
                Error::Summary(_) => 22,
                Error::SummaryUnverified { .. } => 23,
                Error::SummaryPeriod { .. } => 24,
                Error::SummaryOutput { .. } => 25,
                Error::SeveralMessages { .. } => 26,
                Error::Contacts(_) => 27,
                Error::NoRegister { .. } => 28,
                Error::RegisterExists { .. } => 29,
                Error::Ledger(_) => 30,
                Error::RegisterNeedsValue { .. } => 31,
                Error::RegisterFromExercise => 32,
                Error::RegisterLayout { .. } => 33,
            },
            34,
            Error::render,
        );
    }

    #[test]
    fn a_frozen_playbook_error_is_rendered_with_its_diagnostics_however_deep() {
        let failure = match crate::catalog::load_playbook(
            &PlaybookRef::File("no-such-playbook.yaml".into()),
            &DivisionsRef::Stock,
            &crate::playbook::CompileOptions::default(),
        ) {
            Err(failure) => failure,
            Ok(_) => panic!("a missing playbook loaded"),
        };
        let frozen = || IncidentError::FrozenPlaybook(failure.diagnostics.clone());
        let diagnostic = failure.diagnostics[0].render(None, Lang::En);
        for error in [
            Error::Incident(frozen()),
            Error::Exercise(ExerciseError::Incident(frozen())),
            Error::Notify(NotifyError::Incident(frozen())),
        ] {
            let text = error.render(Lang::En);
            assert!(
                text.starts_with("hikeshi: the frozen playbook of this incident does not compile"),
                "{text}"
            );
            assert!(text.ends_with(&diagnostic), "{text}");
            assert_eq!(text.matches("hikeshi: ").count(), 1, "{text}");
        }
    }
}
