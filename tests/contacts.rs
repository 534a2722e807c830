//! The contact list (連絡先一覧) through the command line: real .xlsx files made here with
//! rust_xlsxwriter, real CSV in UTF-8 and in cp932, imported with `hikeshi contacts import`
//! and `init --contacts`, exported with `hikeshi contacts export`, and the result checked.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;

use common::hikeshi;
use hikeshi::directory::Directory;
use hikeshi::playbook::{Limits, SourceFile};
use predicates::prelude::*;
use rust_xlsxwriter::{Format, Workbook};

/// The time of every import here: 2026-12-07 14:00 in Japan.
const TIME: &str = "2026-12-07T05:00:00Z";

fn cmd(dir: &Path) -> common::Hikeshi {
    let mut c = hikeshi();
    c.current_dir(dir)
        .env("HIKESHI_TIME", TIME)
        .args(["--lang", "en"]);
    c
}

/// Writes a workbook: each sheet's rows of text cells (an empty string is no cell).
fn xlsx(path: &Path, sheets: &[(&str, &[&[&str]])]) {
    let mut book = Workbook::new();
    for (name, rows) in sheets {
        let sheet = book.add_worksheet();
        sheet.set_name(*name).unwrap();
        write_rows(sheet, 0, rows);
    }
    book.save(path).unwrap();
}

fn write_rows(sheet: &mut rust_xlsxwriter::Worksheet, first: u32, rows: &[&[&str]]) {
    for (i, row) in rows.iter().enumerate() {
        for (j, value) in row.iter().enumerate() {
            if !value.is_empty() {
                sheet
                    .write_string(first + i as u32, j as u16, *value)
                    .unwrap();
            }
        }
    }
}

/// The town's contact list: divisions, an outside contact, roles, accounts and parts.
const TOWN: &[&[&str]] = &[
    &[
        "名称",
        "種別",
        "メールアドレス",
        "電話番号",
        "夜間・休日電話",
        "夜間連絡方法",
        "担当者",
        "所属",
        "公式アカウント",
        "担う役割",
        "備考",
    ],
    &[
        "総務課",
        "部署",
        "somu@town.kakuu.lg.jp",
        "0120-11-1001",
        "0120-11-1999",
        "宿直室経由",
        "",
        "",
        "@kakuu_town\nhttps://www.facebook.com/kakuu.town",
        "広報担当課、秘書担当課\n運用管理者",
        "町の広報と秘書を兼ねる",
    ],
    &[
        "企画情報課",
        "部署",
        "kikaku@town.kakuu.lg.jp",
        "0120-11-1101",
        "",
        "",
        "",
        "",
        "",
        "情報セキュリティ担当課",
        "",
    ],
    &[
        "警察署",
        "外部",
        "police@pref.kakuu.lg.jp",
        "0120-11-0110",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
    ],
    &[
        "セキュリティ監督者",
        "役割",
        "kikaku-kacho@town.kakuu.lg.jp",
        "",
        "",
        "",
        "企画情報課長",
        "企画情報課",
        "",
        "",
        "",
    ],
];

fn load(path: &Path) -> Directory {
    let text = std::fs::read_to_string(path).unwrap();
    Directory::load(&SourceFile::new("d.yaml", text), &Limits::default())
        .unwrap_or_else(|d| panic!("{d:?}"))
}

#[test]
fn a_good_sheet_becomes_divisions_roles_and_parts() {
    let tmp = tempfile::tempdir().unwrap();
    xlsx(&tmp.path().join("連絡先一覧.xlsx"), &[("連絡先", TOWN)]);
    cmd(tmp.path())
        .args(["contacts", "import", "連絡先一覧.xlsx", "--organization", "架空町"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "written to playbooks/divisions.yaml (3 division(s), 1 role(s), 4 part(s), 0 bad row(s))",
        ));
    let path = tmp.path().join("playbooks/divisions.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("# Imported from 連絡先一覧.xlsx (sheet 連絡先) at 2026-12-07 14:00 JST"),
        "{text}"
    );
    assert!(text.contains("もう一度取り込むこと"), "{text}");
    assert!(
        text.ends_with(
            "parts:\n  広報担当課: 総務課\n  秘書担当課: 総務課\n  運用管理者: 総務課\n  情報セキュリティ担当課: 企画情報課\n"
        ),
        "{text}"
    );
    let d = Directory::load(&SourceFile::new("d.yaml", text.clone()), &Limits::default())
        .unwrap_or_else(|d| panic!("{d:?}"));
    assert_eq!(d.organization, "架空町");
    assert_eq!(d.website, None);
    let ids: Vec<&str> = d.names().collect();
    assert_eq!(
        ids,
        [
            "総務課",
            "企画情報課",
            "警察署",
            "セキュリティ監督者",
            "広報担当課",
            "秘書担当課",
            "運用管理者",
            "情報セキュリティ担当課"
        ]
    );
    let somu = &d.divisions[0];
    assert_eq!(somu.email, "somu@town.kakuu.lg.jp");
    assert_eq!(somu.phone.as_deref(), Some("0120-11-1001"));
    assert_eq!(
        somu.accounts,
        ["@kakuu_town", "https://www.facebook.com/kakuu.town"]
    );
    let night = somu.after_hours.as_ref().unwrap();
    assert_eq!(night.phone.as_deref(), Some("0120-11-1999"));
    assert_eq!(night.note.as_deref(), Some("宿直室経由"));
    assert_eq!(somu.note.as_deref(), Some("町の広報と秘書を兼ねる"));
    assert_eq!(
        d.divisions[2].kind,
        hikeshi::directory::DivisionKind::External
    );
    let role = &d.roles[0];
    assert_eq!(role.held_by.as_deref(), Some("企画情報課長"));
    assert_eq!(role.division.as_deref(), Some("企画情報課"));
    assert!(d.owner_of("@kakuu_town").is_some());
}

#[test]
fn a_title_row_blank_rows_and_merged_cells_above_and_in_the_table() {
    let tmp = tempfile::tempdir().unwrap();
    let mut book = Workbook::new();
    // A first sheet without a header row is passed over.
    let notes = book.add_worksheet();
    notes.set_name("説明").unwrap();
    notes
        .write_string(0, 0, "この表に連絡先を記入する")
        .unwrap();
    let sheet = book.add_worksheet();
    sheet.set_name("一覧").unwrap();
    sheet
        .merge_range(
            0,
            0,
            0,
            4,
            "架空町 SNS事案 連絡先一覧（令和8年12月）",
            &Format::new(),
        )
        .unwrap();
    write_rows(
        sheet,
        3,
        &[
            &["No.", "課名", "E-mail", "区分", "所属", "氏名"],
            &["1", "総務課", "somu@town.kakuu.lg.jp", "課", "", ""],
            &[
                "2",
                "運用管理者",
                "kanri@town.kakuu.lg.jp",
                "役割",
                "",
                "総務課長",
            ],
            &[
                "3",
                "アカウント管理者",
                "admin@town.kakuu.lg.jp",
                "役割",
                "",
                "総務課 係長",
            ],
        ],
    );
    // 所属 merged down the two roles: both belong to 総務課.
    sheet
        .merge_range(5, 4, 6, 4, "総務課", &Format::new())
        .unwrap();
    book.save(tmp.path().join("list.xlsx")).unwrap();
    cmd(tmp.path())
        .args([
            "contacts",
            "import",
            "list.xlsx",
            "--organization",
            "架空町",
        ])
        .args(["--out", "town.yaml"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "warning: column A (No.) is not a column the import reads",
        ));
    let text = std::fs::read_to_string(tmp.path().join("town.yaml")).unwrap();
    assert!(text.contains("(sheet 一覧)"), "{text}");
    let d = load(&tmp.path().join("town.yaml"));
    assert_eq!(d.divisions.len(), 1);
    let roles: Vec<(&str, Option<&str>)> = d
        .roles
        .iter()
        .map(|r| (r.id.as_str(), r.division.as_deref()))
        .collect();
    assert_eq!(
        roles,
        [
            ("運用管理者", Some("総務課")),
            ("アカウント管理者", Some("総務課"))
        ]
    );
    // --sheet names the sheet; one without a header row is said so.
    cmd(tmp.path())
        .args([
            "contacts",
            "import",
            "list.xlsx",
            "--sheet",
            "説明",
            "--dry-run",
        ])
        .args(["--out", "town.yaml"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "no header row found (sheets looked at: 説明)",
        ));
    cmd(tmp.path())
        .args([
            "contacts",
            "import",
            "list.xlsx",
            "--sheet",
            "名簿",
            "--dry-run",
        ])
        .args(["--out", "town.yaml"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "there is no sheet 名簿 (the sheets: 説明、一覧)",
        ));
}

/// A sheet with one bad row for each reason, and two good rows.
fn bad_sheet(path: &Path) {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("連絡先").unwrap();
    write_rows(
        sheet,
        0,
        &[
            &[
                "名称",
                "種別",
                "メール",
                "電話",
                "所属",
                "担う役割",
                "公式アカウント",
            ],
            &[
                "総務課",
                "部署",
                "somu@town.kakuu.lg.jp",
                "",
                "",
                "広報担当課",
                "@town",
            ],
            &["税務課", "部署", "", "", "", "", ""],
            &["住民課", "部署", "juumin@town", "", "", "", ""],
            &["総務課", "部署", "somu2@town.kakuu.lg.jp", "", "", "", ""],
            &["消防本部", "消防", "fire@town.kakuu.lg.jp", "", "", "", ""],
            &[
                "企画課",
                "部署",
                "kikaku@town.kakuu.lg.jp",
                "",
                "",
                "広報担当課",
                "",
            ],
            &[
                "運用管理者",
                "役割",
                "kanri@town.kakuu.lg.jp",
                "",
                "福祉課",
                "",
                "",
            ],
            &["", "部署", "nameless@town.kakuu.lg.jp", "", "", "", ""],
            &[
                "観光課",
                "部署",
                "kanko@town.kakuu.lg.jp",
                "",
                "",
                "",
                "@TOWN",
            ],
            &[
                "防災課",
                "部署",
                "bousai@town.kakuu.lg.jp",
                "",
                "",
                "秘書担当課、秘書担当課",
                "",
            ],
        ],
    );
    // A phone number typed as a number, and a date where a phone belongs.
    write_rows(sheet, 11, &[&["保健課", "部署", "hoken@town.kakuu.lg.jp"]]);
    sheet.write_number(11, 3, 312345678).unwrap();
    let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2026, 1, 2).unwrap();
    let date_format = Format::new().set_num_format("yyyy-mm-dd");
    write_rows(sheet, 12, &[&["教育課", "部署", "kyoiku@town.kakuu.lg.jp"]]);
    sheet
        .write_datetime_with_format(12, 3, &date, &date_format)
        .unwrap();
    book.save(path).unwrap();
}

#[test]
fn every_bad_row_is_named_with_its_row_column_and_reason_and_nothing_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    bad_sheet(&tmp.path().join("bad.xlsx"));
    let assert = cmd(tmp.path())
        .args(["contacts", "import", "bad.xlsx", "--organization", "架空町"])
        .assert()
        .code(1);
    let err = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    for line in [
        "bad row: row 3, column C (メール): no mail address",
        "bad row: row 4, column C (メール): the mail address juumin@town does not parse",
        "bad row: row 5, column A (名称): the name 総務課 is already used in row 2",
        "bad row: row 6, column B (種別): unknown kind 消防",
        "bad row: row 7, column F (担う役割): the part 広報担当課 is also named in row 2",
        "bad row: row 8, column E (所属): there is no division 福祉課 in this sheet",
        "bad row: row 9, column A (名称): no name",
        "bad row: row 10, column G (公式アカウント): the account @TOWN is also owned by the division in row 2",
        "bad row: row 11, column F (担う役割): the part 秘書担当課 is named twice in this row",
        "bad row: row 13, column D (電話): is a date (2026-01-02)",
        "warning: row 12, column D (電話): the phone number is a number (312345678); a leading 0 may be lost",
        "hikeshi: 10 row(s) could not be read, so nothing was written; fix the sheet and import again, or use --skip-bad",
    ] {
        assert!(err.contains(line), "missing {line:?} in:\n{err}");
    }
    assert!(!tmp.path().join("playbooks").exists());
    // The same in Japanese.
    hikeshi()
        .current_dir(tmp.path())
        .args([
            "--lang",
            "ja",
            "contacts",
            "import",
            "bad.xlsx",
            "--organization",
            "架空町",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "読めない行: 3行目 C列「メール」: メールアドレスがありません",
        ))
        .stderr(predicate::str::contains(
            "読めない行: 6行目 B列「種別」: 種別「消防」が分かりません",
        ));
}

#[test]
fn skip_bad_writes_the_good_rows_and_still_lists_the_bad_ones() {
    let tmp = tempfile::tempdir().unwrap();
    bad_sheet(&tmp.path().join("bad.xlsx"));
    cmd(tmp.path())
        .args([
            "contacts",
            "import",
            "bad.xlsx",
            "--organization",
            "架空町",
            "--skip-bad",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "bad row: row 3, column C (メール): no mail address",
        ))
        .stdout(predicate::str::contains(
            "(2 division(s), 0 role(s), 1 part(s), 10 bad row(s))",
        ));
    let text = std::fs::read_to_string(tmp.path().join("playbooks/divisions.yaml")).unwrap();
    let d = Directory::load(&SourceFile::new("d.yaml", text.clone()), &Limits::default()).unwrap();
    let ids: Vec<&str> = d.names().collect();
    assert_eq!(ids, ["総務課", "保健課", "広報担当課"]);
    // Written as read, not guessed.
    assert_eq!(d.divisions[1].phone.as_deref(), Some("312345678"));
    assert!(text.ends_with("parts:\n  広報担当課: 総務課\n"), "{text}");
}

#[test]
fn dry_run_says_what_it_would_write_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    xlsx(&tmp.path().join("c.xlsx"), &[("連絡先", TOWN)]);
    cmd(tmp.path())
        .args(["contacts", "import", "c.xlsx", "--organization", "架空町", "--dry-run"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "3 division(s), 1 role(s), 4 part(s), 0 bad row(s)\n  divisions: 総務課、企画情報課、警察署\n  roles: セキュリティ監督者\n  parts: 広報担当課 → 総務課、秘書担当課 → 総務課、運用管理者 → 総務課、情報セキュリティ担当課 → 企画情報課\n(--dry-run: nothing written to playbooks/divisions.yaml)",
        ));
    assert!(!tmp.path().join("playbooks").exists());
    // A dry run needs no organisation's name: it only shows the rows.
    cmd(tmp.path())
        .args(["contacts", "import", "c.xlsx", "--dry-run"])
        .assert()
        .success()
        .stdout(predicate::str::contains("3 division(s), 1 role(s)"));
    assert!(!tmp.path().join("playbooks").exists());
}

#[test]
fn an_existing_file_is_replaced_only_with_force_keeping_its_organization_and_website() {
    let tmp = tempfile::tempdir().unwrap();
    xlsx(&tmp.path().join("c.xlsx"), &[("連絡先", &TOWN[..3])]);
    std::fs::create_dir(tmp.path().join("playbooks")).unwrap();
    let old = "organization: 架空町\nwebsite: https://www.town.kakuu.lg.jp/\ndivisions:\n  - id: 旧課\n    email: old@town.kakuu.lg.jp\n";
    let path = tmp.path().join("playbooks/divisions.yaml");
    std::fs::write(&path, old).unwrap();
    cmd(tmp.path())
        .args(["contacts", "import", "c.xlsx"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "playbooks/divisions.yaml already exists; use --force to replace it",
        ));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), old);
    cmd(tmp.path())
        .args(["contacts", "import", "c.xlsx", "--force"])
        .assert()
        .success();
    let text = std::fs::read_to_string(&path).unwrap();
    let d = Directory::load(&SourceFile::new("d.yaml", text.clone()), &Limits::default()).unwrap();
    assert_eq!(d.organization, "架空町");
    assert_eq!(d.website.as_deref(), Some("https://www.town.kakuu.lg.jp/"));
    assert_eq!(
        d.names().collect::<Vec<_>>(),
        [
            "総務課",
            "企画情報課",
            "広報担当課",
            "秘書担当課",
            "運用管理者",
            "情報セキュリティ担当課"
        ]
    );
    // No temporary file is left beside it.
    let names: Vec<String> = std::fs::read_dir(tmp.path().join("playbooks"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["divisions.yaml"]);
    // A new file needs the organisation's name.
    cmd(tmp.path())
        .args(["contacts", "import", "c.xlsx", "--out", "new.yaml"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "new.yaml is new: give the organisation's name with --organization",
        ));
}

/// The CSV text of a small contact list, as Excel saves it.
const CSV: &str = "連絡先一覧,,\r\n名称,メールアドレス,電話番号,夜間・休日電話,担当者,所属\r\n総務課,somu@town.kakuu.lg.jp,0120-11-1001,0120-11-1999,,\r\n\"運用管理者\",kanri@town.kakuu.lg.jp,,,\"総務課長\",総務課\r\n,,,,,\r\n";

fn import_csv(bytes: &[u8]) -> Directory {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("c.csv"), bytes).unwrap();
    cmd(tmp.path())
        .args(["contacts", "import", "c.csv", "--organization", "架空町"])
        .assert()
        .success();
    let text = std::fs::read_to_string(tmp.path().join("playbooks/divisions.yaml")).unwrap();
    assert!(
        text.contains("# Imported from c.csv at 2026-12-07 14:00 JST"),
        "{text}"
    );
    load(&tmp.path().join("playbooks/divisions.yaml"))
}

#[test]
fn csv_in_utf8_with_and_without_bom_and_in_cp932_reads_alike() {
    let plain = import_csv(CSV.as_bytes());
    assert_eq!(plain.names().collect::<Vec<_>>(), ["総務課", "運用管理者"]);
    assert_eq!(plain.roles[0].held_by.as_deref(), Some("総務課長"));
    assert_eq!(plain.roles[0].division.as_deref(), Some("総務課"));
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(CSV.as_bytes());
    assert_eq!(import_csv(&bom), plain);
    let (sjis, _, unmappable) = encoding_rs::SHIFT_JIS.encode(CSV);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&sjis).is_err(), "really cp932 bytes");
    assert_eq!(import_csv(&sjis), plain);
}

#[test]
fn a_csv_row_that_cannot_be_read_is_named_too() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = "名称,メール\n総務課,somu@town.kakuu.lg.jp\n税務課,zei＠town.kakuu.lg.jp\n";
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(csv);
    std::fs::write(tmp.path().join("c.csv"), &sjis).unwrap();
    cmd(tmp.path())
        .args(["contacts", "import", "c.csv", "--organization", "架空町"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "bad row: row 3, column B (メール): the mail address zei＠town.kakuu.lg.jp does not parse",
        ));
}

#[test]
fn init_with_contacts_writes_the_city_directory_and_checks_clean() {
    let tmp = tempfile::tempdir().unwrap();
    // The stock names, so that the stock playbooks check against it.
    cmd(tmp.path())
        .args(["contacts", "export", "--out", "stock.xlsx"])
        .assert()
        .success();
    cmd(tmp.path())
        .args([
            "init",
            "city",
            "--contacts",
            "stock.xlsx",
            "--organization",
            "架空町",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "contacts read from stock.xlsx (8 division(s), 6 role(s), 5 part(s), 0 bad row(s))",
        ));
    let d = load(&tmp.path().join("city/playbooks/divisions.yaml"));
    assert_eq!(d.organization, "架空町");
    assert_eq!(d.website, None);
    cmd(&tmp.path().join("city"))
        .arg("check")
        .assert()
        .success()
        .stderr(predicate::str::contains("checked 23 file(s): 0 error(s)"));
    // A list with a bad row leaves the folder unmade.
    bad_sheet(&tmp.path().join("bad.xlsx"));
    cmd(tmp.path())
        .args(["init", "town", "--contacts", "bad.xlsx"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("bad row: row 3"));
    assert!(!tmp.path().join("town").exists());
}

#[test]
fn export_then_import_gives_back_the_stock_directory() {
    let tmp = tempfile::tempdir().unwrap();
    cmd(tmp.path())
        .args(["contacts", "export", "--out", "list.xlsx"])
        .assert()
        .success();
    // Refuses to overwrite the spreadsheet too.
    cmd(tmp.path())
        .args(["contacts", "export", "--out", "list.xlsx"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("list.xlsx already exists"));
    std::fs::create_dir(tmp.path().join("playbooks")).unwrap();
    let stock = common::root().join("playbooks/divisions.yaml");
    std::fs::copy(&stock, tmp.path().join("playbooks/divisions.yaml")).unwrap();
    cmd(tmp.path())
        .args(["contacts", "import", "list.xlsx", "--force"])
        .assert()
        .success()
        .stderr(predicate::str::is_empty());
    let imported = tmp.path().join("playbooks/divisions.yaml");
    assert_eq!(load(&imported), load(&stock));
    cmd(tmp.path())
        .args(["check", "playbooks/divisions.yaml"])
        .assert()
        .success();
}

#[test]
#[cfg(unix)] // Python's openpyxl
fn the_exported_template_has_the_import_columns_a_frozen_header_and_widths() {
    let tmp = tempfile::tempdir().unwrap();
    cmd(tmp.path())
        .args(["contacts", "export", "--out", "t.xlsx"])
        .assert()
        .success();
    let bytes = std::fs::read(tmp.path().join("t.xlsx")).unwrap();
    let script = r#"
import io, sys, json, openpyxl
wb = openpyxl.load_workbook(io.BytesIO(sys.stdin.buffer.read()))
ws = wb.worksheets[0]
print(json.dumps({"sheets": wb.sheetnames, "freeze": ws.freeze_panes,
  "header": [c.value for c in ws[1]],
  "widths": [ws.column_dimensions[c.column_letter].width for c in ws[1]],
  "phone_format": ws["D2"].number_format, "rows": ws.max_row}, ensure_ascii=False))
"#;
    let out: serde_json::Value =
        serde_json::from_str(&common::smtp::run_python(script, &bytes)).unwrap();
    assert_eq!(out["sheets"], serde_json::json!(["連絡先"]));
    assert_eq!(out["freeze"], "A2");
    assert_eq!(
        out["header"],
        serde_json::json!([
            "名称",
            "種別",
            "メールアドレス",
            "電話番号",
            "夜間・休日電話",
            "夜間・休日メール",
            "夜間・休日連絡方法",
            "担当者",
            "所属",
            "公式アカウント",
            "職員",
            "担う役割",
            "通知チャンネル",
            "備考"
        ])
    );
    for w in out["widths"].as_array().unwrap() {
        assert!(w.as_f64().unwrap() >= 8.0, "{out}");
    }
    assert_eq!(out["phone_format"], "@");
    assert_eq!(out["rows"], 15);
}
