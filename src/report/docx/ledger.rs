//! The account register (ソーシャルメディア アカウント管理者一覧表, 宇部市ガイドライン4(5)) as a
//! Word document for submission to the 広報 division: A4 on its side for the table, the
//! 決裁欄 with the 文書番号 and 日付 as the report has them, the organisation, the title and
//! the day it is as of, then one row per account. Never a secret: where the password and
//! codes are kept, not what they are.

use chrono::{DateTime, FixedOffset};
use docx_rs::{AlignmentType, Footer, InstrNUMPAGES, InstrPAGE, InstrText, Paragraph};

use super::{Cell, Doc, Paper, SMALL_SIZE, Tone, core_props_of, field, new_document, run};
use crate::register::Register;
use crate::register::ledger::{
    Heading, TITLE, day_words, device_words, status_words, two_factor_words,
};
use crate::report::ReportError;
use crate::tr;

/// The document's bytes, made at `at`.
pub(crate) fn ledger_docx(
    register: &Register,
    heading: &Heading<'_>,
    at: DateTime<FixedOffset>,
) -> Result<Vec<u8>, ReportError> {
    let lang = heading.lang;
    let title = TITLE.get(lang);
    let docx = new_document(heading.config, Paper::Landscape, &at.to_rfc3339())
        .footer(footer(title, heading.organization));
    let mut doc = Doc {
        docx,
        lang,
        width: Paper::Landscape.text_width(),
    };
    super::sections::approval(&mut doc, heading.config);
    doc.add(Paragraph::new().align(AlignmentType::Right).add_run(run(
        heading.organization,
        Tone::Plain,
        None,
    )));
    doc.add(
        Paragraph::new()
            .style("Title")
            .add_run(run(title, Tone::Plain, None)),
    );
    let day = day_words(heading.as_of, lang);
    let count = register.accounts.len();
    doc.add(Paragraph::new().align(AlignmentType::Center).add_run(run(
        &tr!(
            lang,
            "{day}現在　公式アカウント {count} 件",
            "as of {day}: {count} official account(s)"
        ),
        Tone::Plain,
        None,
    )));
    doc.add(Paragraph::new());
    let header = [
        tr!(lang, "番号", "No."),
        tr!(lang, "媒体・アカウント", "Platform and account"),
        tr!(lang, "所管課", "Owning division"),
        tr!(lang, "管理者", "Administrators"),
        tr!(lang, "編集者", "Editors"),
        tr!(lang, "二段階認証・保管場所", "Two-factor; where kept"),
        tr!(lang, "復旧用連絡先", "Recovery mail and phone"),
        tr!(lang, "連携アプリ・利用端末", "Linked apps; devices"),
        tr!(lang, "状態・最終投稿", "Status; last post"),
        tr!(lang, "最終確認", "Last reviewed"),
    ];
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let rows = register
        .accounts
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let people = |list: &[crate::register::Person]| {
                list.iter().fold(Cell::default(), |c, p| {
                    c.and(format!("{}（{}）", p.name, p.division), Tone::Plain)
                })
            };
            let mut account = Cell::toned(a.platform.display_name(), Tone::Strong)
                .and(a.handle.clone(), Tone::Plain);
            if let Some(id) = &a.numeric_id {
                account = account.and(format!("ID {id}"), Tone::Mono);
            }
            if let Some(url) = a.url.as_ref().filter(|u| **u != a.handle) {
                account = account.and(url.clone(), Tone::Muted);
            }
            let unknown = tr!(lang, "未記入", "not recorded");
            let protection = Cell::default()
                .and(
                    a.two_factor
                        .map(|t| two_factor_words(t, lang).to_string())
                        .unwrap_or_else(|| unknown.clone()),
                    Tone::Strong,
                )
                .and(
                    a.recovery_codes_kept
                        .as_ref()
                        .map(|p| tr!(lang, "コード: {p}", "codes: {p}"))
                        .unwrap_or_default(),
                    Tone::Plain,
                )
                .and(
                    a.password_kept
                        .as_ref()
                        .map(|p| tr!(lang, "パスワード: {p}", "password: {p}"))
                        .unwrap_or_default(),
                    Tone::Plain,
                );
            let recovery = Cell::default()
                .and(a.recovery_email.clone().unwrap_or_default(), Tone::Mono)
                .and(a.recovery_phone.clone().unwrap_or_default(), Tone::Plain);
            let devices = a
                .devices
                .iter()
                .map(|d| device_words(*d, lang))
                .collect::<Vec<_>>()
                .join("、");
            let apps = a
                .linked_apps
                .iter()
                .fold(Cell::default(), |c, app| c.and(app.clone(), Tone::Plain))
                .and(devices, Tone::Muted);
            let status = Cell::toned(status_words(a.status, lang), Tone::Plain).and(
                a.last_post
                    .map(|d| tr!(lang, "最終投稿 {d}", "last post {d}"))
                    .unwrap_or_default(),
                Tone::Muted,
            );
            let reviewed = match &a.reviewed {
                Some(r) => Cell::new(r.on.to_string()).and(r.by.clone(), Tone::Plain),
                None => Cell::toned(tr!(lang, "未確認", "never"), Tone::Bad),
            };
            let admins = if a.administrators.is_empty() {
                Cell::toned(tr!(lang, "なし", "none"), Tone::Bad)
            } else {
                people(&a.administrators)
            };
            vec![
                Cell::new((i + 1).to_string()),
                account,
                Cell::new(a.division.clone()),
                admins,
                people(&a.editors),
                protection,
                recovery,
                apps,
                status,
                reviewed,
            ]
        })
        .collect();
    doc.table(&header, &[3, 16, 9, 12, 10, 15, 14, 11, 8, 8], rows);
    doc.text(
        &tr!(
            lang,
            "パスワード及びリカバリーコードそのものは記載しない（保管場所のみ）。管理者は原則2名（宇部市ガイドライン4(1)）。人事異動及び担当者の変更のたびに見直し、提出する（同4(4)(5)）。",
            "Passwords and recovery codes themselves are never written here, only where they are kept. Two administrators in principle (Ube guideline 4(1)); reviewed and submitted again at every personnel change (4(4)(5))."
        ),
        Tone::Muted,
    );
    let core = core_props_of(&format!("{title}: {}", heading.organization), at, lang);
    super::package(doc.docx, heading.config, core)
}

/// The footer of every page: the title, the organisation and the page number.
fn footer(title: &str, organization: &str) -> Footer {
    let small = |text: &str| run(text, Tone::Muted, Some(SMALL_SIZE));
    Footer::new().add_paragraph(
        Paragraph::new()
            .align(AlignmentType::Center)
            .add_run(small(&format!("{organization} {title}　")))
            .add_run(field(small(""), InstrText::PAGE(InstrPAGE::new())))
            .add_run(small(" / "))
            .add_run(field(small(""), InstrText::NUMPAGES(InstrNUMPAGES::new()))),
    )
}
