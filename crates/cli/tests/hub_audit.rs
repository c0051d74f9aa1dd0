//! `coupondesk hub audit verify|list` with the real binary against a real PostgreSQL
//! cluster: the join sends the desk's trail, `verify` exits 0 while every chain is intact
//! and 1 (`hub_audit_broken`, the report on stdout) once the admin changed an entry at
//! the hub; `list` reads the hub's entries of one terminal; `export` writes the list's
//! rows, in its order, to a file.

mod support;

use serde_json::Value;
use support::run_as;

#[test]
fn verify_and_list_the_trail_at_the_hub() {
    let pg = pgtest::PgCluster::start().expect("cluster");
    pg.create_db("auditcli").expect("db");
    let admin = pg.url("auditcli");
    let dir = tempfile::tempdir().expect("dir");
    let a = dir.path().join("a.sqlite3");
    let csv = dir.path().join("codes.csv");
    std::fs::write(&csv, "code\nAUDITCODE01\nAUDITCODE02\n").expect("csv");
    let csv = csv.to_str().expect("utf8");
    support::json_ok(
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
    support::json_ok(&a, &["hub", "init", "--url", &admin]);
    let join = support::json_ok(
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
    let sent = join["audit"]["sent_up_to"].as_i64().expect("sent_up_to");
    assert!(sent >= 2, "{join}");
    assert_eq!(join["audit"]["refused"], Value::Null);

    let v = support::json_ok(&a, &["hub", "audit", "verify"]);
    assert_eq!(v["intact"], true, "{v}");
    assert_eq!(v["terminals"][0]["entries"], sent);
    assert_eq!(v["terminals"][0]["terminal"], "T-a");

    let list = support::json_ok(
        &a,
        &[
            "hub",
            "audit",
            "list",
            "--terminal",
            "T-a",
            "--action",
            "codes.import",
        ],
    );
    assert_eq!(list["total"], 1, "{list}");
    assert_eq!(list["items"][0]["store"], "S1");
    let text = run_as(&a, None, &["hub", "audit", "list", "--store", "S1"], "");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("S1 / T-a"), "{text}");

    // The export: every entry of the filters, in the file, the list's order.
    let file = dir.path().join("hub-audit.csv");
    let file_arg = file.to_str().expect("utf8");
    let all = support::json_ok(&a, &["hub", "audit", "list", "--per-page", "100"]);
    let r = support::json_ok(
        &a,
        &[
            "hub", "audit", "export", "--out", file_arg, "--lang", "en", "--store", "S1",
        ],
    );
    assert_eq!(r["rows"], all["total"], "{r}");
    let text = std::fs::read_to_string(&file).expect("the file");
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
    assert!(
        lines[0].starts_with("Store,Hub terminal,ID,Time (UTC+08:00),Staff,"),
        "{}",
        lines[0]
    );
    let ids: Vec<String> = lines[1..]
        .iter()
        .map(|l| l.split(',').nth(2).unwrap_or("").to_owned())
        .collect();
    let listed: Vec<String> = all["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["id"].to_string())
        .collect();
    assert_eq!(ids, listed);
    let xlsx = dir.path().join("imports.xlsx");
    let r = support::json_ok(
        &a,
        &[
            "hub",
            "audit",
            "export",
            "--out",
            xlsx.to_str().expect("utf8"),
            "--action",
            "codes.import",
        ],
    );
    assert_eq!(r["rows"], 1, "{r}");
    assert!(xlsx.exists());

    pg.psql(
        "auditcli",
        "UPDATE coupondesk.audit SET actor = 'someone' WHERE id = 2",
    )
    .expect("tamper");
    let out = run_as(&a, None, &["--json", "hub", "audit", "verify"], "");
    assert_eq!(out.status.code(), Some(1));
    let report: Value =
        serde_json::from_str(String::from_utf8_lossy(&out.stdout).trim()).expect("report");
    assert_eq!(report["terminals"][0]["broken_id"], 2, "{report}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("hub_audit_broken") && err.contains("S1 / T-a at entry 2"),
        "{err}"
    );
}
