//! `coupondesk codes print` and `coupondesk report close` as scripts use them: real
//! processes on a real database file; the PDFs checked with pdfinfo (poppler-utils).

mod support;

use std::path::Path;
use std::process::Command;

use serde_json::Value;
use support::{add_staff, run_as, Who};

const ANN: Who<'static> = Who {
    name: "安娜",
    pin: "482916",
};
const WANG: Who<'static> = Who {
    name: "小王",
    pin: "735120",
};

fn ok(db: &Path, who: Option<Who<'_>>, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = run_as(db, who, &all, "");
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON object")
}

/// The error code of a refused `--json` run (exit 1, one JSON line on stderr).
fn refused(db: &Path, who: Option<Who<'_>>, args: &[&str]) -> String {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = run_as(db, who, &all, "");
    assert_eq!(out.status.code(), Some(1), "{args:?} is refused");
    let e: Value = serde_json::from_slice(&out.stderr).expect("a JSON error");
    e["code"].as_str().expect("code").to_owned()
}

fn pages(pdf: &Path) -> usize {
    let out = Command::new("pdfinfo").arg(pdf).output().expect("pdfinfo");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("a page count")
}

fn codes_of(db: &Path, batch: &str) -> Vec<String> {
    let list = ok(db, None, &["codes", "list", "--batch", batch]);
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["code"].as_str().expect("code").to_owned())
        .collect()
}

#[test]
fn a_batch_prints_in_each_layout_and_symbol_and_only_its_own_codes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("d.sqlite3");
    ok(
        &db,
        None,
        &["batch", "create", "--type", "T1", "--name", "双十二"],
    );
    ok(
        &db,
        None,
        &["batch", "create", "--type", "T2", "--name", "other"],
    );
    ok(
        &db,
        None,
        &["codes", "generate", "--batch", "T1", "--count", "50"],
    );
    ok(
        &db,
        None,
        &["codes", "generate", "--batch", "T2", "--count", "1"],
    );
    let pdf = dir.path().join("a.pdf");
    let p = pdf.to_str().expect("utf-8");
    let r = ok(&db, None, &["codes", "print", "--batch", "T1", "--out", p]);
    assert_eq!(r["rows"], 50);
    assert_eq!(pages(&pdf), 3, "3x8 QR by default: 24 + 24 + 2");
    for (layout, n) in [("4x10", 2), ("cards", 5), ("3x8", 3)] {
        let args = ["codes", "print", "--batch", "T1", "--layout", layout];
        let mut args = args.to_vec();
        args.extend(["--symbol", "code128", "--out", p]);
        ok(&db, None, &args);
        assert_eq!(pages(&pdf), n, "{layout}");
    }
    let mine = codes_of(&db, "T1");
    let chosen = format!("{},{}", mine[0], mine[1]);
    let r = ok(
        &db,
        None,
        &[
            "codes", "print", "--batch", "T1", "--codes", &chosen, "--out", p,
        ],
    );
    assert_eq!(r["rows"], 2);
    assert_eq!(pages(&pdf), 1);
    let theirs = codes_of(&db, "T2");
    let mixed = format!("{},{}", mine[0], theirs[0]);
    let args = [
        "codes", "print", "--batch", "T1", "--codes", &mixed, "--out", p,
    ];
    assert_eq!(refused(&db, None, &args), "print_code_not_in_batch");
    let args = ["codes", "print", "--batch", "NOPE", "--out", p];
    assert_eq!(refused(&db, None, &args), "batch_not_found");
    // clap refuses a layout it does not know (exit 2, before any work).
    let out = run_as(
        &db,
        None,
        &[
            "codes", "print", "--batch", "T1", "--layout", "5x5", "--out", p,
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn printing_codes_needs_the_export_permission_and_a_quiet_day_closes_on_one_page() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("d.sqlite3");
    add_staff(&db, None, ANN, "owner");
    add_staff(&db, Some(ANN), WANG, "cashier");
    ok(
        &db,
        Some(ANN),
        &["batch", "create", "--type", "T1", "--name", "b"],
    );
    ok(
        &db,
        Some(ANN),
        &["codes", "generate", "--batch", "T1", "--count", "3"],
    );
    let pdf = dir.path().join("a.pdf");
    let p = pdf.to_str().expect("utf-8");
    let print = ["codes", "print", "--batch", "T1", "--out", p];
    assert_eq!(refused(&db, Some(WANG), &print), "forbidden");
    assert_eq!(refused(&db, None, &print), "unauthenticated");
    ok(&db, Some(ANN), &print);
    assert_eq!(pages(&pdf), 1);

    // A quiet day still closes on one page: this desk's terminal, all zero.
    let close = ["report", "close", "--date", "2026-12-07", "--out", p];
    let r = ok(&db, None, &close);
    assert_eq!(r["pages"], 1);
    assert_eq!(pages(&pdf), 1);
    let mut two = close.to_vec();
    two.extend(["--terminal", "收银台2", "--lang", "en"]);
    assert_eq!(ok(&db, None, &two)["pages"], 1);
    let bad = ["report", "close", "--date", "7.12.2026", "--out", p];
    let out = run_as(&db, None, &bad, "");
    assert_eq!(out.status.code(), Some(2), "not a day");
}
