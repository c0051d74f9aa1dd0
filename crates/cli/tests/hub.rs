//! `coupondesk hub init|join|status` with the real binary against a real PostgreSQL
//! cluster started here: the URL's password never printed nor in the desk's file, the
//! join's codes searchable, and `hub status` an answer (not a failure) within about the
//! deadline once the server is stopped. `hub offline-uses`: shown to anyone, set by a
//! manager only, audited.

mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;
use support::{add_staff, run_as, Who};

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

/// `--json` run as `who`: (exit code, stdout, stderr).
fn call(db: &Path, who: Option<Who<'_>>, args: &[&str]) -> (Option<i32>, String, String) {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = run_as(db, who, &all, "");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn offline_uses_are_shown_to_anyone_set_by_a_manager_only_and_audited() {
    const ANN: Who = Who {
        name: "Ann",
        pin: "4821",
    };
    const MEI: Who = Who {
        name: "美",
        pin: "7305",
    };
    const WANG: Who = Who {
        name: "小王",
        pin: "9146",
    };
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("desk.sqlite3");
    let shown = run(&db, &["hub", "offline-uses"]);
    assert_eq!(
        (&shown["vouchers"], &shown["bonuses"]),
        (&Value::Bool(false), &Value::Bool(false)),
        "both refused by default: {shown}"
    );
    add_staff(&db, None, ANN, "owner");
    add_staff(&db, Some(ANN), MEI, "manager");
    add_staff(&db, Some(ANN), WANG, "cashier");

    let (code, out, err) = call(&db, Some(WANG), &["hub", "offline-uses", "--bonuses", "on"]);
    assert_eq!(code, Some(1), "a cashier may not: {out}");
    assert!(err.contains("\"forbidden\""), "{err}");

    let (code, out, err) = call(
        &db,
        Some(MEI),
        &[
            "hub",
            "offline-uses",
            "--bonuses",
            "on",
            "--vouchers",
            "off",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    let set: Value = serde_json::from_str(out.trim()).expect("json");
    assert_eq!(
        (&set["vouchers"], &set["bonuses"]),
        (&Value::Bool(false), &Value::Bool(true)),
        "{set}"
    );
    let text = run_as(&db, None, &["hub", "offline-uses"], "");
    assert!(
        String::from_utf8_lossy(&text.stdout)
            .contains("when the hub does not answer: vouchers refused, bonuses allowed"),
        "{}",
        String::from_utf8_lossy(&text.stdout)
    );
    let conn = rusqlite::Connection::open(&db).expect("open");
    let audited: Vec<(String, String)> = conn
        .prepare(
            "SELECT action, actor FROM audit_log WHERE action LIKE 'hub.%_offline' ORDER BY id",
        )
        .expect("prepare")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(audited.len(), 2, "{audited:?}");
    assert_eq!(audited[0].0, "hub.vouchers_offline");
    assert_eq!(audited[1].0, "hub.bonuses_offline");
    assert!(
        audited.iter().all(|(_, actor)| actor.contains("美")),
        "{audited:?}"
    );
}
