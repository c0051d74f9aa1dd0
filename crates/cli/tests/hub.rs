//! `coupondesk hub init|join|status` with the real binary against a real PostgreSQL
//! cluster started here: the URL's password never printed nor in the desk's file, the
//! join's codes searchable, and `hub status` an answer (not a failure) within about the
//! deadline once the server is stopped.

mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;
use support::run_as;

fn run(db: &Path, args: &[&str]) -> Value {
    support::json_ok(db, args)
}

#[test]
fn init_join_status_and_offline() {
    let mut pg = pgtest::PgCluster::start().expect("cluster");
    pg.create_db("chain").expect("db");
    // trust auth for the administrator: the password is not checked, only carried.
    let admin = pg
        .url("chain")
        .replace("postgres@", "postgres:adm1n-s3cret@");
    let dir = tempfile::tempdir().expect("dir");
    let a = dir.path().join("a.sqlite3");
    let b = dir.path().join("b.sqlite3");
    let csv = dir.path().join("codes.csv");
    std::fs::write(&csv, "code\nHUBCODE0001\nHUBCODE0002\nHUBCODE0003\n").expect("csv");
    let csv = csv.to_str().expect("utf8");
    run(
        &a,
        &[
            "codes",
            "import",
            "--batch",
            "T1",
            "--new-batch-name",
            "first",
            csv,
        ],
    );

    let init = run(
        &a,
        &["hub", "init", "--url", &admin, "--merchant", "Tea House"],
    );
    assert_eq!(
        init["version"],
        coupondesk_core::hub::schema::SCHEMA_VERSION
    );
    assert_eq!(init["from_version"], 0);
    let again = run(&a, &["hub", "init", "--url", &admin]);
    assert_eq!(
        again["from_version"],
        coupondesk_core::hub::schema::SCHEMA_VERSION,
        "a second init is a no-op"
    );

    let ja = run(
        &a,
        &[
            "hub",
            "join",
            "--url",
            &admin,
            "--store",
            "S1",
            "--terminal",
            "T-a",
        ],
    );
    assert_eq!(ja["codes_uploaded"], 3);
    let jb = run(
        &b,
        &[
            "hub",
            "join",
            "--url",
            &admin,
            "--store",
            "S1",
            "--terminal",
            "T-b",
        ],
    );
    assert_eq!(jb["codes_downloaded"], 3);
    let found = run(
        &b,
        &["codes", "list", "--batch", "T1", "--search", "CODE0002"],
    );
    assert!(found.to_string().contains("HUBCODE0002"), "{found}");

    let st = run(&a, &["hub", "status"]);
    assert_eq!(st["reachable"], true, "{st}");
    assert_eq!(st["lag"], 0, "{st}");
    for v in [&init, &ja, &jb, &st] {
        assert!(!v.to_string().contains("adm1n-s3cret"), "{v}");
    }
    let file = std::fs::read(&a).expect("db file");
    assert!(
        !file.windows(11).any(|w| w == b"adm1n-s3cre"),
        "no password in the database"
    );

    // The platform desk (docs/chain-mode.md): chosen at A for B, shown at both.
    let none = run_as(&a, None, &["hub", "status"], "");
    assert!(String::from_utf8_lossy(&none.stdout).contains("platform desk: none chosen"));
    let p = run(
        &a,
        &["hub", "platform-desk", "--store", "S1", "--terminal", "T-b"],
    );
    assert_eq!(p["desk"], "S1 / T-b", "{p}");
    assert_eq!(
        p["this_desk"].as_bool().or(p["thisDesk"].as_bool()),
        Some(false),
        "{p}"
    );
    let text = run_as(&b, None, &["hub", "status"], "");
    let text = String::from_utf8_lossy(&text.stdout).into_owned();
    assert!(
        text.contains("platform desk: S1 / T-b (this desk), 0 records waiting at the hub"),
        "{text}"
    );

    pg.stop().expect("stop");
    let started = Instant::now();
    let st = run(&a, &["hub", "status"]);
    let took = started.elapsed();
    assert_eq!(st["reachable"], false, "{st}");
    assert_eq!(st["error_code"], "hub_unreachable", "{st}");
    assert!(st["last_contact_ms"].is_i64(), "{st}");
    // The deadline is 1 s; the rest is the binary's start.
    assert!(
        took < Duration::from_millis(2500),
        "answered after {took:?}"
    );

    let text = run_as(&b, None, &["hub", "status"], "");
    assert!(text.status.success());
    assert!(String::from_utf8_lossy(&text.stdout).contains("OFFLINE"));
}
