//! The `coupondesk` binary as scripts use it: real processes on a real database file.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_coupondesk"))
}

fn run(db: &Path, args: &[&str]) -> Output {
    bin()
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .expect("run coupondesk")
}

fn json(db: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = run(db, &all);
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON object")
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write");
    p
}

#[test]
fn batches_import_list_generate_export() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("d.sqlite3");
    let b = json(
        &db,
        &[
            "batch",
            "create",
            "--type",
            "AVD1KYBW8001",
            "--name",
            "919送乐2",
        ],
    );
    assert_eq!(b["ticket_type"], "AVD1KYBW8001");
    assert_eq!(b["total_codes"], 0);

    let dup = run(
        &db,
        &["batch", "create", "--type", "OTHER", "--name", "919送乐2"],
    );
    assert_eq!(dup.status.code(), Some(1));
    let err = String::from_utf8_lossy(&dup.stderr);
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.contains("already exists"), "{err}");
    let dup = run(
        &db,
        &[
            "--json",
            "batch",
            "create",
            "--type",
            "OTHER",
            "--name",
            "919送乐2",
        ],
    );
    let e: Value = serde_json::from_slice(&dup.stderr).expect("json error");
    assert_eq!(e["code"], "batch_name_taken");

    let csv = write(
        dir.path(),
        "codes.csv",
        "序号,券码\n1,CODE0001\n2,CODE0002\n3,CODE0001\n4,bad!\n\n5,CODE0003\n",
    );
    let r = json(
        &db,
        &[
            "codes",
            "import",
            "--batch",
            "AVD1KYBW8001",
            csv.to_str().expect("path"),
            "--column",
            "券码",
        ],
    );
    assert_eq!(r["imported"], 3);
    assert_eq!(r["skipped_duplicate"], 1);
    assert_eq!(r["skipped_invalid"], 1);
    assert_eq!(r["errors"][0]["line"], 5);
    assert!(r["errors"][0]["reason"]
        .as_str()
        .is_some_and(|s| s.contains("character")));

    let by_index = write(dir.path(), "i.csv", "x,IDX00001\ny,IDX00002\n");
    let r = json(
        &db,
        &[
            "codes",
            "import",
            "--batch",
            "AVD1KYBW8001",
            by_index.to_str().expect("path"),
            "--column",
            "2",
            "--no-header",
        ],
    );
    assert_eq!(r["imported"], 2);

    let g = json(
        &db,
        &[
            "codes",
            "generate",
            "--batch",
            "AVD1KYBW8001",
            "--count",
            "500",
            "--length",
            "10",
            "--prefix",
            "G",
        ],
    );
    assert_eq!(g["generated"], 500);
    assert_eq!(g["batch"]["total_codes"], 505);

    let p = json(
        &db,
        &[
            "codes",
            "list",
            "--batch",
            "AVD1KYBW8001",
            "--search",
            "E000",
            "--per-page",
            "100",
        ],
    );
    assert_eq!(p["total"], 3);
    let found: Vec<&str> = p["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|c| c["code"].as_str())
        .collect();
    assert_eq!(found, vec!["CODE0001", "CODE0002", "CODE0003"]);
    let p = json(
        &db,
        &[
            "codes",
            "list",
            "--batch",
            "AVD1KYBW8001",
            "--page",
            "2",
            "--per-page",
            "2",
            "--status",
            "issued",
        ],
    );
    assert_eq!(p["items"][0]["position"], 3);
    let bad = run(
        &db,
        &[
            "codes",
            "list",
            "--batch",
            "AVD1KYBW8001",
            "--per-page",
            "500",
        ],
    );
    assert_eq!(bad.status.code(), Some(1));

    let l = json(
        &db,
        &["batch", "list", "--name", "送乐", "--per-page", "100"],
    );
    assert_eq!(l["total"], 1);
    assert_eq!(l["items"][0]["total_codes"], 505);

    let out = dir.path().join("out.csv");
    let x = json(
        &db,
        &[
            "codes",
            "export",
            "--batch",
            "AVD1KYBW8001",
            "--out",
            out.to_str().expect("path"),
        ],
    );
    assert_eq!(x["rows"], 505);
    let bytes = std::fs::read(&out).expect("export");
    assert!(
        bytes.starts_with("\u{FEFF}券码,状态,".as_bytes()),
        "zh-CN by default"
    );
    json(
        &db,
        &[
            "codes",
            "export",
            "--batch",
            "AVD1KYBW8001",
            "--lang",
            "en",
            "--out",
            out.to_str().expect("path"),
        ],
    );
    let text = std::fs::read_to_string(&out).expect("export");
    assert!(
        text.starts_with("\u{FEFF}Code,Status,No.,Created (UTC+08:00),"),
        "{text:.80}"
    );
    let bad = run(
        &db,
        &[
            "codes",
            "export",
            "--batch",
            "AVD1KYBW8001",
            "--lang",
            "fr",
            "--out",
            "x.csv",
        ],
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("write zh-CN or en"));

    let missing = run(
        &db,
        &[
            "codes",
            "import",
            "--batch",
            "AVD1KYBW8001",
            "/nonexistent/x.csv",
        ],
    );
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("does not exist"));
}

/// kill -9 during an import, again and again: the database stays consistent, counts stay
/// right, the interrupted run is undone on the next open, and the import then succeeds.
#[test]
fn killing_an_import_leaves_the_database_consistent() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("k.sqlite3");
    json(&db, &["batch", "create", "--type", "K", "--name", "kill"]);
    let small = write(dir.path(), "small.csv", "code\nKEEP0001\nKEEP0002\n");
    json(
        &db,
        &[
            "codes",
            "import",
            "--batch",
            "K",
            small.to_str().expect("path"),
        ],
    );
    let rows = 400_000u64;
    let mut text = String::from("code\n");
    for i in 0..rows {
        text.push_str(&format!("KILL{i:08}\n"));
    }
    let big = write(dir.path(), "big.csv", &text);
    let mut killed_mid_import = 0;
    let mut completed = false;
    for round in 0..4 {
        let mut child = bin()
            .arg("--db")
            .arg(&db)
            .args(["codes", "import", "--batch", "K"])
            .arg(&big)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn");
        // Wait until some chunks are committed, then kill at a varying moment.
        let conn = rusqlite::Connection::open(&db).expect("open");
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .expect("timeout");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        loop {
            let n: i64 = conn
                .query_row("SELECT coalesce(sum(n), 0) FROM batch_counts", [], |r| {
                    r.get(0)
                })
                .unwrap_or(0);
            if n > 2 + 100_000 * round || std::time::Instant::now() > deadline {
                break;
            }
            if child.try_wait().expect("wait").is_some() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        let finished = child.try_wait().expect("wait").is_some();
        child.kill().expect("kill -9");
        child.wait().expect("reap");
        drop(conn);

        // Straight after the kill, before anyone recovers: consistent and counted right.
        let conn = rusqlite::Connection::open(&db).expect("open");
        let ok: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .expect("check");
        assert_eq!(ok, "ok");
        let (codes, counted, next): (i64, i64, i64) = conn
            .query_row(
                "SELECT (SELECT count(*) FROM codes), (SELECT sum(n) FROM batch_counts),
                        (SELECT next_seq - 1 FROM batches WHERE ticket_type = 'K')",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .expect("counts");
        assert_eq!((codes, counted), (next, next), "counts right after kill -9");
        drop(conn);

        // The next process undoes the interrupted run: the batch is as before it began.
        // A run that was marked complete stays, even when the kill then landed while the
        // process brought the search index up to date (the import does before it returns).
        let b = json(&db, &["batch", "show", "--type", "K"]);
        if b["total_codes"] == rows + 2 {
            completed = true;
            break;
        }
        assert!(!finished, "a finished import is never undone");
        assert_eq!(b["total_codes"], 2, "round {round}");
        if codes > 2 {
            killed_mid_import += 1;
        }
        // Its rows go in the background (docs/codes-and-imports.md); until they are gone
        // a new import into the batch may be refused with batch_cleaning_up. Each process
        // deletes some while it lives.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(300);
        while json(&db, &["batch", "show", "--type", "K"])["cleanup_left"] != 0 {
            assert!(std::time::Instant::now() < deadline, "the cleanup ends");
        }
    }
    assert!(
        killed_mid_import >= 1,
        "at least one kill landed mid-import"
    );
    let r = json(
        &db,
        &[
            "codes",
            "import",
            "--batch",
            "K",
            big.to_str().expect("path"),
        ],
    );
    // After undone runs every code goes in; after a completed one, every code is there.
    let expected = if completed { (0, rows) } else { (rows, 0) };
    assert_eq!(
        (r["imported"].clone(), r["skipped_duplicate"].clone()),
        (expected.0.into(), expected.1.into())
    );
    let b = json(&db, &["batch", "show", "--type", "K"]);
    assert_eq!(b["total_codes"], rows + 2);
}

/// A database the CLI creates is private to its owner (0600), under the usual umask:
/// it holds customers' phone numbers.
#[cfg(unix)]
#[test]
fn a_new_database_is_created_0600() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("new.sqlite3");
    let out = Command::new("sh")
        .arg("-c")
        .arg("umask 022 && exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_coupondesk"))
        .arg("--db")
        .arg(&db)
        .args(["batch", "create", "--type", "T1", "--name", "first"])
        .output()
        .expect("run coupondesk");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mode = std::fs::metadata(&db).expect("db").permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
}

/// `codes import` of CouponDesk's own credentials file is refused with its code, and
/// no secret reaches the output or the database file.
#[test]
fn importing_the_credentials_file_is_refused() {
    use coupondesk_core::sync::credentials;
    use coupondesk_core::sync::types::Platform;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("d.sqlite3");
    json(&db, &["batch", "create", "--type", "T1", "--name", "first"]);
    let secrets = [
        (Platform::Sense, "SENSE-SECRET-7f3a9c"),
        (Platform::Bonus, "BONUS-SECRET-2b8d1e"),
        (Platform::Voucher, "VOUCHER-SECRET-5c0f44"),
        (Platform::Ebuy, "EBUY-SECRET-9e6a21"),
    ];
    for (p, s) in secrets {
        credentials::set(&db, p, Some(s)).expect("secret");
    }
    let creds = credentials::path_for(&db);
    let import = |file: &Path, json_out: bool| {
        let mut args = vec!["codes", "import", "--batch", "T1"];
        if json_out {
            args.insert(0, "--json");
        }
        args.push(file.to_str().expect("path"));
        run(&db, &args)
    };
    let mut printed = String::new();
    for json_out in [true, false] {
        let out = import(&creds, json_out);
        assert_eq!(out.status.code(), Some(1));
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        if json_out {
            let e: Value = serde_json::from_str(&err).expect("json error");
            assert_eq!(e["code"], "import_refused_secret_file");
        } else {
            assert!(err.contains("choose the CSV of codes"), "{err}");
        }
        printed.push_str(&err);
        printed.push_str(&String::from_utf8_lossy(&out.stdout));
    }
    let db_out = import(&db, true);
    let e: Value = serde_json::from_slice(&db_out.stderr).expect("json error");
    assert_eq!(e["code"], "import_refused_database_file");

    let csv = write(dir.path(), "codes.csv", "code\nAB12CD34\n");
    assert_eq!(
        json(
            &db,
            &[
                "codes",
                "import",
                "--batch",
                "T1",
                csv.to_str().expect("path")
            ]
        )["imported"],
        1
    );
    let conn = rusqlite::Connection::open(&db).expect("open");
    let issues: i64 = conn
        .query_row("SELECT count(*) FROM code_run_issues", [], |r| r.get(0))
        .expect("count");
    assert_eq!(issues, 0);
    drop(conn);
    for (_, s) in secrets {
        assert!(!printed.contains(s), "{s} was printed");
        for suffix in ["", "-wal"] {
            let file = PathBuf::from(format!("{}{suffix}", db.display()));
            let bytes = std::fs::read(&file).unwrap_or_default();
            let found = bytes.windows(s.len()).any(|w| w == s.as_bytes());
            assert!(!found, "{s} is in {}", file.display());
        }
    }
}

/// `codes export` to `.xlsx` (by extension) and `codes import` of that workbook into a new
/// batch: the same codes, leading zeros kept; `--format` overrides the extension.
#[test]
fn xlsx_export_then_import_by_extension() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("x.sqlite3");
    let codes = ["000123456789", "0000ABCD", "123456789012"];
    let csv = write(
        dir.path(),
        "in.csv",
        &format!("code\n{}\n", codes.join("\n")),
    );
    let src = [
        "codes",
        "import",
        "--batch",
        "SRC",
        "--new-batch-name",
        "源",
    ];
    let r = json(&db, &[&src[..], &[csv.to_str().expect("p")]].concat());
    assert_eq!(r["imported"], 3);
    let xlsx = dir.path().join("春节满减_2026-12-07.xlsx");
    let x = json(
        &db,
        &[
            "codes",
            "export",
            "--batch",
            "SRC",
            "--out",
            xlsx.to_str().expect("p"),
        ],
    );
    assert_eq!(x["rows"], 3);
    assert!(
        std::fs::read(&xlsx).expect("xlsx").starts_with(b"PK"),
        "a zip"
    );
    let back = [
        "codes",
        "import",
        "--batch",
        "BACK",
        "--new-batch-name",
        "回",
    ];
    let r = json(&db, &[&back[..], &[xlsx.to_str().expect("p")]].concat());
    // Every code is already in the database: all three rows are duplicates, at rows 2-4.
    assert_eq!(
        (r["imported"].as_u64(), r["skipped_duplicate"].as_u64()),
        (Some(0), Some(3))
    );
    assert_eq!(r["duplicates"][0]["line"], 2);
    // Into another database: imported, the same codes.
    let other = dir.path().join("other.sqlite3");
    let r = json(&other, &[&back[..], &[xlsx.to_str().expect("p")]].concat());
    assert_eq!(r["imported"], 3);
    let p = json(&other, &["codes", "list", "--batch", "BACK"]);
    let found: Vec<&str> = p["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|c| c["code"].as_str())
        .collect();
    assert_eq!(found, codes);
    // A CSV file read as a workbook by --format: one clear line, exit 1.
    let bad = run(
        &other,
        &[
            "codes",
            "import",
            "--batch",
            "BACK",
            "--format",
            "xlsx",
            csv.to_str().expect("p"),
        ],
    );
    assert_eq!(bad.status.code(), Some(1));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("not a readable Excel workbook"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}
