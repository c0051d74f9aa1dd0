//! The rows an import did not take, saved as CSV (issue 13: "the failed rows can be
//! downloaded"): every one of them, not just the ones the report lists, with line, value
//! and reason; audited as an export; an unknown run is a clear error.

mod common;

use common::fixture;
use coupondesk_core::domain::audit::AuditQuery;
use coupondesk_core::export::{ExportOptions, Lang};
use coupondesk_core::import::ImportOptions;
use coupondesk_core::ErrorCode;

#[test]
fn every_row_not_imported_is_in_the_file_with_its_line_and_reason() {
    let f = fixture();
    f.desk.create_batch("T1", "first").expect("batch");
    let csv = "code,note\nAB12CD34,x\nbad code,z\nAB12CD34,dup\nabc,short\n\"=1+2\",formula\n";
    let file = f.file("a.csv", csv.as_bytes());
    let r = f.import("T1", &file, &ImportOptions::default());
    assert_eq!(
        (r.imported, r.skipped_duplicate, r.skipped_invalid),
        (1, 1, 3)
    );

    let out = f.dir.path().join("issues.csv");
    let en = ExportOptions {
        lang: Lang::En,
        format: None,
    };
    let report = f
        .desk
        .export_run_issues(r.run_id, &out, &en)
        .expect("export");
    assert_eq!(report.rows, 4);
    let text = std::fs::read_to_string(&out).expect("read");
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(
        lines,
        vec![
            "Row,Value,Reason",
            "3,bad code,\"the code has a character other than A-Z, a-z, 0-9, '-' or '_'\"",
            "4,AB12CD34,the code appears earlier in this file",
            "5,abc,the code is shorter than 4 characters",
            // A cell a spreadsheet would run as a formula is neutralised, as in every export.
            "6,'=1+2,\"the code has a character other than A-Z, a-z, 0-9, '-' or '_'\"",
        ]
    );

    let audit = f
        .desk
        .list_audit(&AuditQuery {
            action: Some("codes.import_issues.export".into()),
            ..Default::default()
        })
        .expect("audit");
    assert_eq!(audit.items.len(), 1, "the export is in the audit trail");
    assert_eq!(audit.items[0].subject, "T1");
    assert_eq!(audit.items[0].detail["rows"], 4);
}

#[test]
fn the_list_in_the_report_is_cut_but_the_file_is_complete() {
    let f = fixture();
    f.desk.create_batch("T", "t").expect("batch");
    let mut csv = String::from("code\n");
    // More than the report lists (import::run::REPORT_LIMIT, 1,000).
    for i in 0..1_200 {
        csv.push_str(&format!("bad code {i}\n"));
    }
    let file = f.file("spaces.csv", csv.as_bytes());
    let r = f.import("T", &file, &ImportOptions::default());
    assert_eq!(r.skipped_invalid, 1_200);
    assert_eq!(
        r.errors.len(),
        1_000,
        "the report lists only the first rows"
    );
    let out = f.dir.path().join("all.csv");
    assert_eq!(
        f.desk
            .export_run_issues(r.run_id, &out, &Default::default())
            .expect("export")
            .rows,
        1_200
    );
    let text = std::fs::read_to_string(&out).expect("read");
    assert_eq!(
        text.lines().last(),
        // zh-CN by default.
        Some("1201,bad code 1199,券码含有A-Z、a-z、0-9、-、_以外的字符")
    );
}

#[test]
fn an_unknown_run_is_refused_and_writes_nothing() {
    let f = fixture();
    let out = f.dir.path().join("none.csv");
    let e = f
        .desk
        .export_run_issues(4711, &out, &Default::default())
        .expect_err("no such run");
    assert_eq!(e.code(), "run_not_found");
    assert!(e.to_string().contains("4711"), "{e}");
    assert!(!out.exists());
}
