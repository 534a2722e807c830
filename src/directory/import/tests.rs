#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;

use super::write::render_text;
use super::*;
use crate::directory::Directory;
use crate::source::{Limits, SourceFile};
use chrono::DateTime;

fn text(s: &str) -> Cell {
    Cell::Text(s.to_string())
}

fn grid(rows: &[&[&str]]) -> Grid {
    Grid {
        sheet: Some("連絡先".into()),
        rows: rows
            .iter()
            .map(|r| {
                r.iter()
                    .map(|c| if c.is_empty() { Cell::Empty } else { text(c) })
                    .collect()
            })
            .collect(),
    }
}

#[test]
fn headers_match_in_japanese_and_english_and_their_variants() {
    for (header, field) in [
        ("名称", Field::Name),
        ("課名", Field::Name),
        ("ID", Field::Name),
        ("部署", Field::Name),
        ("部署名", Field::Name),
        ("区分", Field::Kind),
        ("Kind", Field::Kind),
        ("メール", Field::Email),
        ("メールアドレス（必須）", Field::Email),
        ("E-mail", Field::Email),
        ("ｅｍａｉｌ", Field::Email),
        ("電話", Field::Phone),
        ("TEL", Field::Phone),
        ("夜間・休日電話", Field::AfterHoursPhone),
        ("夜間 休日 電話", Field::AfterHoursPhone),
        ("時間外電話", Field::AfterHoursPhone),
        ("after_hours_phone", Field::AfterHoursPhone),
        ("After-hours phone", Field::AfterHoursPhone),
        ("夜間メール", Field::AfterHoursEmail),
        ("夜間連絡方法", Field::AfterHoursNote),
        ("after-hours note", Field::AfterHoursNote),
        ("備考", Field::Note),
        ("氏名", Field::HeldBy),
        ("held_by", Field::HeldBy),
        ("所属", Field::Division),
        ("公式アカウント", Field::Accounts),
        ("担う役割", Field::Parts),
        ("Parts", Field::Parts),
        ("通知チャンネル", Field::Channels),
    ] {
        assert_eq!(Field::from_header(header), Some(field), "{header}");
    }
    for header in ["", "役割", "住所", "（必須）", "No."] {
        assert_eq!(Field::from_header(header), None, "{header}");
    }
    // The template's own headers read back as their fields.
    for f in Field::ALL {
        assert_eq!(Field::from_header(f.header()), Some(f));
    }
}

#[test]
fn column_letters_go_past_z() {
    assert_eq!(column_letter(0), "A");
    assert_eq!(column_letter(25), "Z");
    assert_eq!(column_letter(26), "AA");
    assert_eq!(column_letter(27), "AB");
    assert_eq!(column_letter(701), "ZZ");
    assert_eq!(column_letter(702), "AAA");
}

#[test]
fn cells_from_the_reader_keep_what_was_typed() {
    use calamine::Data;
    assert_eq!(
        Cell::from(&Data::Float(312345678.0)),
        Cell::Number("312345678".into())
    );
    assert_eq!(Cell::from(&Data::Float(1.5)), Cell::Number("1.5".into()));
    assert_eq!(Cell::from(&Data::Int(110)), Cell::Number("110".into()));
    assert_eq!(Cell::from(&Data::Bool(true)), Cell::Text("TRUE".into()));
    assert_eq!(
        Cell::from(&Data::Error(calamine::CellErrorType::NA)),
        Cell::Error("#N/A".into())
    );
    let date = calamine::ExcelDateTime::new(46113.0, calamine::ExcelDateTimeType::DateTime, false);
    assert_eq!(
        Cell::from(&Data::DateTime(date)),
        Cell::Date("2026-04-01".into())
    );
}

#[test]
fn lists_split_on_line_breaks_commas_and_spaces() {
    assert_eq!(
        split_list("@a、@b,@c\n@d　@e ; @f，@g"),
        ["@a", "@b", "@c", "@d", "@e", "@f", "@g"]
    );
    assert!(split_list(" 、 ").is_empty());
}

#[test]
fn phone_numbers_typed_full_width_are_written_half_width() {
    assert_eq!(phone_text("０３－１２３４－５６７８"), "03-1234-5678");
    assert_eq!(phone_text("03ー1234ー5678"), "03-1234-5678");
}

#[test]
fn csv_text_is_utf8_with_or_without_bom_else_cp932() {
    let text = "名称,メール\n総務課,somu@town.kakuu.lg.jp\n";
    assert_eq!(decode_text(text.as_bytes()), text);
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice(text.as_bytes());
    assert_eq!(decode_text(&bom), text);
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(text);
    assert!(std::str::from_utf8(&sjis).is_err());
    assert_eq!(decode_text(&sjis), text);
    // cp932's own characters (NEC special, IBM extension) decode too.
    let (cp932, _, _) = encoding_rs::SHIFT_JIS.encode("①髙");
    assert_eq!(decode_text(&cp932), "①髙");
}

#[test]
fn tab_separated_text_is_read_by_its_tabs() {
    let g = read_csv("名称\tメール\n総務課\ts@t.lg.jp\n".as_bytes()).unwrap();
    assert_eq!(g.rows[1], [text("総務課"), text("s@t.lg.jp")]);
}

#[test]
fn the_header_row_is_the_first_with_a_name_and_a_mail_column() {
    let g = grid(&[
        &["架空町 連絡先一覧"],
        &[],
        &["", "名称", "メール", "住所"],
        &["", "総務課", "somu@town.kakuu.lg.jp", "役場1階"],
    ]);
    let c = read_contacts(&[g], None).unwrap();
    assert_eq!(c.header_row, 3);
    assert_eq!(c.divisions.len(), 1);
    assert_eq!(c.divisions[0].id, "総務課");
    assert_eq!(
        c.warnings,
        [Warning::IgnoredColumn(Column {
            letter: "D".into(),
            header: "住所".into()
        })]
    );
}

#[test]
fn two_columns_meaning_the_same_are_refused() {
    let g = grid(&[&["名称", "メール", "メールアドレス"]]);
    let e = read_contacts(&[g], None).unwrap_err();
    assert!(
        matches!(&e, ContactsError::DuplicateColumn { field: Field::Email, first, second }
            if first == "B「メール」" && second == "C「メールアドレス」"),
        "{e:?}"
    );
}

#[test]
fn a_number_in_a_phone_column_is_kept_with_a_warning_and_a_date_is_a_bad_row() {
    let mut g = grid(&[
        &["名称", "メール", "電話"],
        &["総務課", "somu@town.kakuu.lg.jp", ""],
        &["税務課", "zei@town.kakuu.lg.jp", ""],
    ]);
    g.rows[1][2] = Cell::Number("312345678".into());
    g.rows[2][2] = Cell::Date("2026-01-02".into());
    let c = read_contacts(&[g], None).unwrap();
    assert_eq!(c.divisions.len(), 1);
    assert_eq!(c.divisions[0].phone.as_deref(), Some("312345678"));
    assert!(matches!(
        &c.warnings[..],
        [Warning::PhoneAsNumber { row: 2, .. }]
    ));
    assert_eq!(c.problems.len(), 1);
    assert_eq!(c.problems[0].row, 3);
    assert!(matches!(c.problems[0].reason, Reason::DateCell { .. }));
}

#[test]
fn rows_with_nothing_in_the_columns_read_are_skipped_silently() {
    let g = grid(&[
        &["名称", "メール", "住所"],
        &["", "", "メモだけ"],
        &[],
        &["総務課", "somu@town.kakuu.lg.jp", ""],
    ]);
    let c = read_contacts(&[g], None).unwrap();
    assert!(c.problems.is_empty(), "{:?}", c.problems);
    assert_eq!(c.divisions.len(), 1);
}

#[test]
fn a_role_whose_division_row_is_bad_is_bad_too() {
    let g = grid(&[
        &["名称", "種別", "メール", "所属", "公式アカウント"],
        &["総務課", "部署", "somu@town.kakuu.lg.jp", "", "@town"],
        &["企画課", "部署", "kikaku@town.kakuu.lg.jp", "", "@town"],
        &["運用管理者", "役割", "kacho@town.kakuu.lg.jp", "企画課", ""],
    ]);
    let c = read_contacts(&[g], None).unwrap();
    let rows: Vec<usize> = c.problems.iter().map(|p| p.row).collect();
    assert_eq!(rows, [3, 4], "{:?}", c.problems);
    assert!(matches!(
        c.problems[0].reason,
        Reason::AccountTwice { first_row: 2, .. }
    ));
    assert!(matches!(
        c.problems[1].reason,
        Reason::UnknownDivision {
            bad_row: Some(3),
            ..
        }
    ));
}

#[test]
fn strings_that_yaml_would_read_otherwise_are_quoted() {
    let contacts = Contacts {
        divisions: vec![Division {
            id: "yes".into(),
            kind: DivisionKind::Internal,
            email: "a@b.lg.jp".into(),
            phone: Some("0000-00-1001".into()),
            after_hours: Some(AfterHours {
                phone: Some("0312345678".into()),
                email: None,
                note: Some("夜間は: 当直 # 経由\n二行目".into()),
            }),
            note: Some("- 先頭がダッシュ".into()),
            channels: vec![],
            accounts: vec!["@city".into(), "https://x.com/city".into()],
            staff: vec![],
        }],
        parts: vec![("広報担当課".into(), "yes".into())],
        ..Contacts::default()
    };
    let settings = Settings {
        organization: "架空町".into(),
        website: None,
        kept: BTreeMap::new(),
        parts: Vec::new(),
    };
    let origin = Origin {
        file: "連絡先.xlsx",
        at: DateTime::parse_from_rfc3339("2026-12-07T05:00:00Z").unwrap(),
    };
    let text = render_text(&contacts, &settings, &origin, false).unwrap();
    assert!(text.contains("2026-12-07 14:00"), "{text}");
    assert!(!text.contains("parts"), "{text}");
    let source = SourceFile::new("d.yaml", text.clone());
    let d = Directory::load(&source, &Limits::default()).unwrap_or_else(|e| {
        panic!("{text}\n{e:?}");
    });
    assert_eq!(d.divisions, contacts.divisions);
    let with_parts = render_text(&contacts, &settings, &origin, true).unwrap();
    assert!(
        with_parts.contains("parts:\n  広報担当課: 'yes'")
            || with_parts.contains("parts:\n  広報担当課: \"yes\""),
        "{with_parts}"
    );
}

fn town(organization: &str) -> Settings {
    Settings {
        organization: organization.into(),
        ..Settings::default()
    }
}

fn origin() -> Origin<'static> {
    Origin {
        file: "連絡先.xlsx",
        at: DateTime::parse_from_rfc3339("2026-12-07T05:00:00Z").unwrap(),
    }
}

#[test]
fn any_text_a_cell_can_hold_comes_back_from_the_file_unchanged() {
    let tricky = [
        "yes",
        "No",
        "null",
        "~",
        "true",
        "0123",
        "1e3",
        "0x1F",
        "12:30",
        "- 箇条",
        "? 質問",
        ": 区切り",
        "# 見出し",
        "@city",
        "*強調",
        "&参照",
        "!タグ",
        "%25",
        "'引用'",
        "\"二重\"",
        "[角]",
        "{波}",
        "a: b",
        "a #b",
        "先頭 ",
        " 先頭の空白",
        "タブ\tあり",
        "二行\n目",
        "空行\n\nあり",
        "末尾の改行\n",
        "｜全角｜",
        "<html>",
        "`code`",
    ];
    let divisions: Vec<Division> = tricky
        .iter()
        .enumerate()
        .map(|(i, t)| Division {
            id: format!("課{i}"),
            kind: DivisionKind::Internal,
            email: format!("d{i}@town.kakuu.lg.jp"),
            phone: Some((*t).to_string()),
            after_hours: Some(AfterHours {
                phone: None,
                email: None,
                note: Some((*t).to_string()),
            }),
            note: Some(format!("{t}\n{t}")),
            channels: vec![],
            accounts: vec![format!("@a{i}")],
            staff: vec![],
        })
        .collect();
    let roles: Vec<Role> = tricky
        .iter()
        .enumerate()
        .filter(|(_, t)| !t.contains('\n') && !t.contains('\t'))
        .map(|(i, t)| Role {
            id: (*t).trim().to_string() + "役",
            held_by: Some((*t).to_string()),
            division: Some(format!("課{i}")),
            email: format!("r{i}@town.kakuu.lg.jp"),
            phone: None,
            after_hours: None,
            note: None,
            channels: vec![],
        })
        .collect();
    let contacts = Contacts {
        divisions,
        roles,
        ..Contacts::default()
    };
    let (text, directory) =
        render(&contacts, &town("架空町"), &origin(), "d.yaml").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(directory.divisions, contacts.divisions, "{text}");
    assert_eq!(directory.roles, contacts.roles, "{text}");
}

#[test]
fn an_existing_file_keeps_every_setting_but_its_contacts() {
    let source = SourceFile::new(
        "divisions.yaml",
        "# comment\norganization: 架空町\nwebsite: https://www.town.kakuu.lg.jp/\nkind: 町\nwords:\n  site: 町公式ウェブサイト\ndivisions:\n  - id: 旧課\n    email: old@town.kakuu.lg.jp\nroles: []\nparts:\n  広報担当課: 旧課\n",
    );
    let settings = Settings::of_text(&source).unwrap();
    assert_eq!(settings.organization, "架空町");
    assert_eq!(
        settings.website.as_deref(),
        Some("https://www.town.kakuu.lg.jp/")
    );
    let keys: Vec<&str> = settings.kept.keys().map(String::as_str).collect();
    assert_eq!(keys, ["kind", "words"]);
    let contacts = Contacts {
        divisions: vec![Division {
            id: "総務課".into(),
            kind: DivisionKind::Internal,
            email: "somu@town.kakuu.lg.jp".into(),
            phone: None,
            after_hours: None,
            note: None,
            channels: vec![],
            accounts: vec![],
            staff: vec![],
        }],
        ..Contacts::default()
    };
    let text = render_text(&contacts, &settings, &origin(), true).unwrap();
    assert!(
        text.contains("\nkind: 町\nwords:\n  site: 町公式ウェブサイト\n"),
        "{text}"
    );
    assert!(!text.contains("旧課"), "{text}");
}

#[test]
fn every_error_reads_in_both_languages() {
    let io = || std::io::Error::other("disk full");
    let errors = [
        ContactsError::Read {
            path: "a.xlsx".into(),
            source: io(),
        },
        ContactsError::Workbook {
            path: "a.xlsx".into(),
            message: "zip".into(),
        },
        ContactsError::Csv {
            path: "a.csv".into(),
            message: "bad".into(),
        },
        ContactsError::NoSuchSheet {
            name: "x".into(),
            sheets: vec!["連絡先".into()],
        },
        ContactsError::NoHeader {
            sheets: vec!["連絡先".into()],
        },
        ContactsError::DuplicateColumn {
            field: Field::Email,
            first: "B".into(),
            second: "C".into(),
        },
        ContactsError::BadRows { count: 2 },
        ContactsError::NothingRead,
        ContactsError::Exists {
            path: "d.yaml".into(),
        },
        ContactsError::NeedOrganization {
            path: "d.yaml".into(),
        },
        ContactsError::Existing {
            path: "d.yaml".into(),
            message: "tab".into(),
        },
        ContactsError::Invalid(vec!["x".into()]),
        ContactsError::Write {
            path: "d.yaml".into(),
            source: io(),
        },
        ContactsError::Xlsx("x".into()),
    ];
    for e in errors {
        let (ja, en) = (e.message(Lang::Ja), e.message(Lang::En));
        assert_ne!(ja, en, "{e:?}");
        assert!(!ja.is_empty() && !en.is_empty(), "{e:?}");
    }
}

#[test]
fn the_other_reasons_a_row_is_bad() {
    let mut g = grid(&[
        &[
            "名称",
            "種別",
            "メール",
            "夜間メール",
            "担当者",
            "所属",
            "公式アカウント",
        ],
        &["総務課", "部署", "somu@town.kakuu.lg.jp", "", "", "", ""],
        &[
            "運用管理者",
            "役割",
            "kanri@town.kakuu.lg.jp",
            "",
            "総務課長",
            "総務課",
            "",
        ],
        &[
            "副管理者",
            "役割",
            "fuku@town.kakuu.lg.jp",
            "",
            "",
            "運用管理者",
            "",
        ],
        &[
            "税務課",
            "部署",
            "zei@town.kakuu.lg.jp",
            "",
            "税務課長",
            "",
            "",
        ],
        &[
            "発信管理者",
            "役割",
            "hasshin@town.kakuu.lg.jp",
            "",
            "",
            "",
            "@town",
        ],
        &[
            "住民\n課",
            "部署",
            "juumin@town.kakuu.lg.jp",
            "",
            "",
            "",
            "",
        ],
        &[
            "福祉課",
            "部署",
            "fukushi@town.kakuu.lg.jp",
            "night@town",
            "",
            "",
            "",
        ],
        &["教育課", "部署", "", "", "", "", ""],
    ]);
    g.rows[8][2] = Cell::Error("#REF!".into());
    let c = read_contacts(&[g], None).unwrap();
    let found: Vec<(usize, Option<&str>, &Reason)> = c
        .problems
        .iter()
        .map(|p| {
            (
                p.row,
                p.column.as_ref().map(|c| c.letter.as_str()),
                &p.reason,
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            (
                4,
                Some("F"),
                &Reason::DivisionIsRole {
                    name: "運用管理者".into()
                }
            ),
            (5, Some("E"), &Reason::RoleColumnOnDivision),
            (6, Some("G"), &Reason::AccountsOnRole),
            (7, Some("A"), &Reason::NotOneLine),
            (
                8,
                Some("D"),
                &Reason::BadEmail {
                    address: "night@town".into()
                }
            ),
            (
                9,
                Some("C"),
                &Reason::ErrorCell {
                    value: "#REF!".into()
                }
            ),
        ]
    );
    for p in &c.problems {
        assert_ne!(p.message(Lang::Ja), p.message(Lang::En));
    }
    let ids: Vec<&str> = c
        .divisions
        .iter()
        .map(|d| d.id.as_str())
        .chain(c.roles.iter().map(|r| r.id.as_str()))
        .collect();
    assert_eq!(ids, ["総務課", "運用管理者"]);
}
