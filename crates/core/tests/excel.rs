//! Excel both ways (issue 15): XLSX exports read back with calamine (text cells, localized
//! bold headers, the shop's zone), an exported XLSX imported into a new batch (the same
//! codes, leading zeros kept), XLSX and XLS imports through the CSV pipeline (numbers as
//! typed, spreadsheet row numbers, duplicates, cancel), and the clear errors of bad files.

mod common;

use std::path::Path;

use calamine::{open_workbook, Data, Reader, Xlsx};
use common::fixture;
use coupondesk_core::export::{ExportFormat, ExportOptions, Lang};
use coupondesk_core::import::{ImportFormat, ImportOptions, ImportTarget, RowIssueKind, RunState};
use coupondesk_core::progress::CancelToken;
use coupondesk_core::{Desk, ErrorCode};
use rust_xlsxwriter::Workbook;

/// Codes staff care about: leading zeros, all digits, and ordinary ones.
const CODES: [&str; 6] = [
    "000123456789",
    "0000ABCD",
    "123456789012",
    "Q7XK2M9PL4TZ",
    "00-LEAD_99",
    "ZZZZ0000ZZZZ",
];

fn rows_of(path: &Path) -> Vec<Vec<Data>> {
    let mut book: Xlsx<_> = open_workbook(path).expect("open the xlsx");
    let name = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&name).expect("sheet");
    range.rows().map(|r| r.to_vec()).collect()
}

fn new_batch(t: &str) -> ImportTarget {
    ImportTarget::New {
        ticket_type: t.into(),
        name: format!("batch {t}"),
    }
}

fn import(
    desk: &Desk,
    file: &Path,
    target: &ImportTarget,
) -> coupondesk_core::import::ImportReport {
    desk.import_codes(
        file,
        target,
        &ImportOptions::default(),
        &CancelToken::new(),
        &mut |_| {},
    )
    .expect("import")
}

fn export(desk: &Desk, t: &str, out: &Path, opts: &ExportOptions) {
    let r = desk
        .export_codes(t, out, opts, &CancelToken::new(), &mut |_| {})
        .expect("export");
    assert!(!r.cancelled);
}

#[test]
fn an_xlsx_export_imports_back_with_the_same_codes_and_leading_zeros() {
    let f = fixture();
    let csv = f.file("in.csv", format!("券码\n{}\n", CODES.join("\n")).as_bytes());
    assert_eq!(import(&f.desk, &csv, &new_batch("SRC")).imported, 6);
    let out = f.dir.path().join("春节满减_2026-12-07.xlsx");
    export(&f.desk, "SRC", &out, &ExportOptions::default());

    // Every code is a text cell (not a number that lost its zeros), under zh-CN headers.
    let rows = rows_of(&out);
    assert_eq!(
        rows[0],
        [
            "券码",
            "状态",
            "序号",
            "创建时间 (UTC+08:00)",
            "更新时间 (UTC+08:00)"
        ]
        .map(|h| Data::String(h.into()))
    );
    let cells: Vec<&Data> = rows[1..].iter().map(|r| &r[0]).collect();
    let want: Vec<Data> = CODES.iter().map(|c| Data::String((*c).into())).collect();
    assert_eq!(cells, want.iter().collect::<Vec<_>>());
    assert_eq!(rows[1][1], Data::String("已发行".into()));
    assert_eq!(rows[1][2], Data::Float(1.0), "positions are numbers");

    // Imported into a new batch of another database: the same codes, in order.
    let g = fixture();
    let r = import(&g.desk, &out, &new_batch("BACK"));
    assert_eq!(
        (r.imported, r.skipped_invalid, r.has_header, r.code_column),
        (6, 0, true, 1)
    );
    assert_eq!(g.codes("BACK", None), CODES);
}

#[test]
fn xlsx_headers_follow_the_language_and_times_the_shops_zone() {
    let f = fixture();
    let mut s = f.desk.settings().expect("settings");
    s.shop_utc_offset_minutes = -5 * 60;
    f.desk.save_settings(s).expect("save");
    let csv = f.file("in.csv", b"code\nEN000001\n");
    import(&f.desk, &csv, &new_batch("EN"));
    let out = f.dir.path().join("en-export");
    let en = ExportOptions {
        lang: Lang::En,
        format: Some(ExportFormat::Xlsx),
    };
    export(&f.desk, "EN", &out, &en);
    let rows = rows_of(&out);
    assert_eq!(
        rows[0],
        [
            "Code",
            "Status",
            "No.",
            "Created (UTC-05:00)",
            "Updated (UTC-05:00)"
        ]
        .map(|h| Data::String(h.into()))
    );
    assert_eq!(rows[1][1], Data::String("issued".into()));
    // The created time is now in UTC-5: five hours behind UTC.
    let Data::String(created) = &rows[1][3] else {
        panic!("a time is a text cell: {:?}", rows[1][3])
    };
    let local = chrono::NaiveDateTime::parse_from_str(created, "%Y-%m-%d %H:%M:%S")
        .expect("YYYY-MM-DD HH:MM:SS");
    let behind = chrono::Utc::now().naive_utc() - local;
    assert!(
        (behind - chrono::Duration::hours(5)).num_minutes().abs() < 5,
        "{created} is not UTC-5"
    );

    // The same export as CSV says the same words.
    let csv_out = f.dir.path().join("en.csv");
    export(
        &f.desk,
        "EN",
        &csv_out,
        &ExportOptions { format: None, ..en },
    );
    let text = std::fs::read_to_string(&csv_out).expect("csv");
    assert!(
        text.starts_with(
            "\u{FEFF}Code,Status,No.,Created (UTC-05:00),Updated (UTC-05:00)\nEN000001,issued,1,"
        ),
        "{text}"
    );
}

/// A workbook as staff make it in Excel: a header, a code typed as a number, text codes,
/// a blank row, an invalid code and a duplicate.
fn typed_workbook(path: &Path) {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.write_string(0, 0, "序号").expect("w");
    ws.write_string(0, 1, "券码").expect("w");
    ws.write_number(1, 0, 1.0).expect("w");
    ws.write_number(1, 1, 123456789012.0).expect("w");
    ws.write_number(2, 0, 2.0).expect("w");
    ws.write_string(2, 1, "000987654321").expect("w");
    // Row 4 is blank; row 5 holds a code too short, row 6 a duplicate of row 3.
    ws.write_string(4, 1, "ab").expect("w");
    ws.write_string(5, 1, "000987654321").expect("w");
    ws.write_string(6, 1, "XL-0007").expect("w");
    book.save(path).expect("save");
}

#[test]
fn an_xlsx_import_reads_numbers_as_typed_and_reports_spreadsheet_rows() {
    let f = fixture();
    let file = f.dir.path().join("typed.xlsx");
    typed_workbook(&file);

    let p = f
        .desk
        .preview_import(&file, &ImportOptions::default())
        .expect("preview");
    assert_eq!(p.format, ImportFormat::Xlsx);
    assert!(p.has_header);
    assert_eq!(p.columns, ["序号", "券码"]);
    assert_eq!(p.code_column, 2, "the column named 券码");
    assert_eq!(p.rows[0].line, 2);
    assert_eq!(p.rows[0].cells, ["1", "123456789012"], "no .0, no exponent");

    f.desk.create_batch("XL", "excel").expect("batch");
    let r = f.import("XL", &file, &ImportOptions::default());
    assert_eq!(
        (
            r.rows_read,
            r.imported,
            r.skipped_invalid,
            r.skipped_duplicate
        ),
        (5, 3, 1, 1)
    );
    assert_eq!(
        f.codes("XL", None),
        ["123456789012", "000987654321", "XL-0007"]
    );
    // Row numbers are the spreadsheet's (blank row 4 counted, as Excel shows it).
    assert_eq!(
        (r.errors[0].line, r.errors[0].kind),
        (5, RowIssueKind::TooShort)
    );
    assert_eq!(
        (r.duplicates[0].line, r.duplicates[0].kind),
        (6, RowIssueKind::DuplicateInFile)
    );

    // The rejected rows download as XLSX too, row numbers and all.
    let issues = f.dir.path().join("issues.xlsx");
    let en = ExportOptions {
        lang: Lang::En,
        format: None,
    };
    f.desk
        .export_run_issues(r.run_id, &issues, &en)
        .expect("issues");
    let rows = rows_of(&issues);
    assert_eq!(rows[0][0], Data::String("Row".into()));
    assert_eq!(rows[1][0], Data::Float(5.0));
    assert_eq!(rows[1][1], Data::String("ab".into()));
    assert_eq!(rows[2][0], Data::Float(6.0));
}

#[test]
fn an_xls_workbook_imports_its_first_sheet() {
    let f = fixture();
    let fixture_file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/codes.xls");
    let file = f.dir.path().join("codes.xls");
    std::fs::copy(&fixture_file, &file).expect("copy");
    f.desk.create_batch("OLD", "xls").expect("batch");
    let r = f.import("OLD", &file, &ImportOptions::default());
    assert_eq!(
        (r.imported, r.skipped_invalid, r.skipped_duplicate),
        (4, 1, 1)
    );
    assert_eq!(
        f.codes("OLD", None),
        ["123456789012", "000123456789", "XLS-0003", "XLS_0007"]
    );
    assert_eq!((r.errors[0].line, r.duplicates[0].line), (6, 7));
}

#[test]
fn a_cancelled_xlsx_import_leaves_the_batch_as_it_was() {
    let f = fixture();
    let file = f.dir.path().join("typed.xlsx");
    typed_workbook(&file);
    f.desk.create_batch("C", "cancel").expect("batch");
    let cancel = CancelToken::new();
    cancel.cancel();
    let r = f
        .desk
        .import_codes(
            &file,
            &ImportTarget::Existing("C".into()),
            &ImportOptions::default(),
            &cancel,
            &mut |_| {},
        )
        .expect("import");
    assert_eq!(r.state, RunState::Cancelled);
    assert!(f.codes("C", None).is_empty());
}

#[test]
fn bad_workbooks_get_one_clear_error() {
    let f = fixture();
    let code = |path: &Path, opts: &ImportOptions| {
        let e = f.desk.preview_import(path, opts).expect_err("refused");
        let message = e.to_string();
        assert!(!message.contains('\n'), "one line: {message}");
        (e.code().to_owned(), message)
    };
    // Text named .xlsx, or CSV read as a workbook by choice.
    let text = f.file("codes.xlsx", b"code\nABCD1234\n");
    let (c, m) = code(&text, &ImportOptions::default());
    assert_eq!(c, "workbook_unreadable", "{m}");
    assert!(m.contains("save it again as .xlsx"), "{m}");
    let csv = f.file("codes.csv", b"code\nABCD1234\n");
    let as_xls = ImportOptions {
        format: Some(ImportFormat::Xls),
        ..Default::default()
    };
    assert_eq!(code(&csv, &as_xls).0, "workbook_unreadable");

    // A workbook whose first sheet is empty.
    let empty = f.dir.path().join("empty.xlsx");
    let mut book = Workbook::new();
    book.add_worksheet();
    book.add_worksheet()
        .write_string(0, 0, "ABCD1234")
        .expect("w");
    book.save(&empty).expect("save");
    let (c, m) = code(&empty, &ImportOptions::default());
    assert_eq!(c, "sheet_empty", "{m}");
    assert!(m.contains("Sheet1"), "{m}");

    // An .xls over the bound is refused before it is read (a sparse file: no disk used).
    let big = f.dir.path().join("big.xls");
    let file = std::fs::File::create(&big).expect("create");
    file.set_len(65 * 1024 * 1024).expect("size");
    let (c, m) = code(&big, &ImportOptions::default());
    assert_eq!(c, "xls_too_large", "{m}");
    assert!(m.contains("65 MB"), "{m}");

    // An encrypted workbook is a compound file holding an `EncryptedPackage` stream.
    let locked = f.dir.path().join("locked.xlsx");
    std::fs::write(&locked, encrypted_package_cfb()).expect("write");
    let (c, m) = code(&locked, &ImportOptions::default());
    assert_eq!(c, "workbook_password", "{m}");
}

/// The smallest compound file (CFB v3, 512-byte sectors) whose root holds one stream
/// named `EncryptedPackage`: what Excel writes for a password-protected workbook (with
/// the real encrypted package inside, which no reader gets past without the password).
fn encrypted_package_cfb() -> Vec<u8> {
    let mut f = vec![0u8; 512 * 4];
    let put16 =
        |f: &mut Vec<u8>, at: usize, v: u16| f[at..at + 2].copy_from_slice(&v.to_le_bytes());
    let put32 =
        |f: &mut Vec<u8>, at: usize, v: u32| f[at..at + 4].copy_from_slice(&v.to_le_bytes());
    // Header.
    f[..8].copy_from_slice(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
    put16(&mut f, 0x18, 0x3E); // minor version
    put16(&mut f, 0x1A, 3); // major version 3
    put16(&mut f, 0x1C, 0xFFFE); // little-endian
    put16(&mut f, 0x1E, 9); // 512-byte sectors
    put16(&mut f, 0x20, 6); // 64-byte mini sectors
    put32(&mut f, 0x2C, 1); // one FAT sector
    put32(&mut f, 0x30, 1); // directory starts at sector 1
    put32(&mut f, 0x38, 0x1000); // mini stream cutoff
    put32(&mut f, 0x3C, 0xFFFF_FFFE); // no mini FAT
    put32(&mut f, 0x44, 0xFFFF_FFFE); // no DIFAT sectors
    for i in 0..109 {
        put32(&mut f, 0x4C + 4 * i, 0xFFFF_FFFF);
    }
    put32(&mut f, 0x4C, 0); // the FAT is sector 0
                            // FAT (sector 0, at 512): sector 0 FAT, 1 directory (end), 2 the stream (end).
    let fat = 512;
    for i in 0..128 {
        put32(&mut f, fat + 4 * i, 0xFFFF_FFFF);
    }
    put32(&mut f, fat, 0xFFFF_FFFD);
    put32(&mut f, fat + 4, 0xFFFF_FFFE);
    put32(&mut f, fat + 8, 0xFFFF_FFFE);
    // Directory (sector 1, at 1024): the root and the stream.
    let entry =
        |f: &mut Vec<u8>, at: usize, name: &str, kind: u8, start: u32, size: u32, child: u32| {
            let utf16: Vec<u16> = name.encode_utf16().collect();
            for (i, u) in utf16.iter().enumerate() {
                f[at + 2 * i..at + 2 * i + 2].copy_from_slice(&u.to_le_bytes());
            }
            f[at + 0x40..at + 0x42]
                .copy_from_slice(&(((utf16.len() + 1) * 2) as u16).to_le_bytes());
            f[at + 0x42] = kind;
            f[at + 0x43] = 1; // black
            f[at + 0x44..at + 0x48].copy_from_slice(&0xFFFF_FFFFu32.to_le_bytes());
            f[at + 0x48..at + 0x4C].copy_from_slice(&0xFFFF_FFFFu32.to_le_bytes());
            f[at + 0x4C..at + 0x50].copy_from_slice(&child.to_le_bytes());
            f[at + 0x74..at + 0x78].copy_from_slice(&start.to_le_bytes());
            f[at + 0x78..at + 0x7C].copy_from_slice(&size.to_le_bytes());
        };
    entry(&mut f, 1024, "Root Entry", 5, 0xFFFF_FFFE, 0, 1);
    entry(&mut f, 1024 + 128, "EncryptedPackage", 2, 2, 8, 0xFFFF_FFFF);
    for at in [1024 + 256, 1024 + 384] {
        for o in [0x44, 0x48, 0x4C] {
            put32(&mut f, at + o, 0xFFFF_FFFF);
        }
    }
    // The stream's sector (2, at 1536) holds eight bytes of "package".
    f[1536..1544].copy_from_slice(b"\x08\0\0\0\0\0\0\0");
    f.truncate(512 * 4);
    f
}
