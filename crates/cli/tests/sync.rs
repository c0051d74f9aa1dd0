//! `coupondesk sync ...` and `codes activate|deactivate` as scripts use them: the real
//! binary on a real file, against the simulator over loopback.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use coupondesk_remote_sim::{Faults, Sim, SimConfig};
use serde_json::Value;

fn run(db: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_coupondesk"))
        .arg("--db")
        .arg(db)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run coupondesk");
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(text.as_bytes())
            .expect("write stdin");
    }
    child.wait_with_output().expect("wait")
}

fn json(db: &Path, args: &[&str], stdin: Option<&str>) -> (i32, Value) {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = run(db, &all, stdin);
    let code = out.status.code().unwrap_or(-1);
    let body = if code == 0 || code == 4 {
        &out.stdout
    } else {
        &out.stderr
    };
    let v = serde_json::from_slice(body).unwrap_or_else(|e| {
        panic!(
            "{args:?}: not JSON ({e}): {}",
            String::from_utf8_lossy(body)
        )
    });
    (code, v)
}

#[test]
fn activate_a_batch_sync_it_and_handle_the_conflict_from_the_command_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("d.sqlite3");
    let sim = Sim::start(SimConfig::default()).expect("sim");
    assert!(run(
        &db,
        &["batch", "create", "--type", "CLI1", "--name", "cli"],
        None
    )
    .status
    .success());
    assert!(run(
        &db,
        &["codes", "generate", "--batch", "CLI1", "--count", "30"],
        None
    )
    .status
    .success());
    let (_, codes) = json(
        &db,
        &["codes", "list", "--batch", "CLI1", "--per-page", "2"],
        None,
    );
    let first = codes["items"][0]["code"]
        .as_str()
        .expect("a code")
        .to_owned();
    let second = codes["items"][1]["code"]
        .as_str()
        .expect("a code")
        .to_owned();

    // e-Buy not set up: activation is refused, nothing queued (issue 13).
    let (rc, e) = json(&db, &["codes", "activate", "--batch", "CLI1"], None);
    assert_eq!(
        (rc, e["code"].as_str()),
        (1, Some("ebuy_not_set_up")),
        "{e}"
    );
    // Not set up: `sync run` has nothing to run, so nothing is "left".
    let (rc, _) = json(&db, &["sync", "run", "--no-wait"], None);
    assert_eq!(rc, 0);
    // Set up, but offline (a closed port): activation queues; the queue stays and the
    // exit status says so.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let url = format!("http://127.0.0.1:{closed}/p004");
    let config = [
        "sync",
        "config",
        "--platform",
        "ebuy",
        "--url",
        &url,
        "--app-id",
        "ebuy-app-004",
        "--brand-id",
        "B",
    ];
    let (rc, e) = json(&db, &config, None);
    assert_eq!(
        (rc, e["code"].as_str()),
        (1, Some("invalid_fields")),
        "no secret yet: {e}"
    );
    let mut with_secret = config.to_vec();
    with_secret.push("--secret-stdin");
    let (rc, s) = json(&db, &with_secret, Some("ebuy-secret-004\n"));
    assert_eq!((rc, s["has_secret"].as_bool()), (0, Some(true)));
    assert!(
        !s.to_string().contains("ebuy-secret-004"),
        "the secret never comes back"
    );

    // Two named codes (one twice, one unknown), then the rest of the batch.
    let (rc, r) = json(
        &db,
        &[
            "codes", "activate", "--batch", "CLI1", &first, &first, "NOPE",
        ],
        None,
    );
    assert_eq!(rc, 0);
    assert_eq!(
        (r["queued"].as_u64(), r["skipped_total"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(r["skipped"][0]["reason"], "unknown");
    let (_, r) = json(
        &db,
        &[
            "codes",
            "activate",
            "--batch",
            "CLI1",
            "--funds",
            "{\"userRealAmount\":800}",
        ],
        None,
    );
    assert_eq!(r["queued"].as_u64(), Some(29));
    let (rc, e) = json(
        &db,
        &["codes", "activate", "--batch", "CLI1", "--funds", "800"],
        None,
    );
    assert_eq!((rc, e["code"].as_str()), (1, Some("bad_funds")));

    let (rc, r) = json(
        &db,
        &["sync", "run", "--platform", "p004", "--no-wait"],
        None,
    );
    assert_eq!(rc, 4, "{r}");
    assert_eq!(r["platforms"][0]["remaining"].as_u64(), Some(30));
    let (_, st) = json(&db, &["sync", "status"], None);
    assert_eq!(st["platforms"][4]["online"], Value::Bool(false));

    // Online, with the second code used elsewhere: 29 done, one conflict.
    sim.set_faults(Faults {
        used_elsewhere_codes: [second.clone()].into(),
        ..Faults::default()
    });
    let url = format!("{}/p004", sim.base_url());
    let config = [
        "sync",
        "config",
        "--platform",
        "p004",
        "--url",
        &url,
        "--app-id",
        "ebuy-app-004",
        "--brand-id",
        "B",
    ];
    assert_eq!(json(&db, &config, None).0, 0, "the stored secret is kept");
    let (rc, r) = json(&db, &["sync", "run", "--platform", "p004"], None);
    assert_eq!(rc, 0, "{r}");
    assert_eq!(
        (
            r["platforms"][0]["done"].as_u64(),
            r["platforms"][0]["conflicts"].as_u64()
        ),
        (Some(29), Some(1))
    );
    let (_, q) = json(&db, &["sync", "queue", "--state", "conflict"], None);
    assert_eq!(q["items"][0]["subject"].as_str(), Some(second.as_str()));
    assert_eq!(
        q["items"][0]["result_code"].as_str(),
        Some("CODE_USED_ELSEWHERE")
    );
    let id = q["items"][0]["id"].as_i64().expect("id").to_string();
    let (rc, d) = json(
        &db,
        &["sync", "discard", &id, "--reason", "sold elsewhere"],
        None,
    );
    assert_eq!((rc, d["state"].as_str()), (0, Some("discarded")));
    let (rc, e) = json(&db, &["sync", "retry", &id], None);
    assert_eq!((rc, e["code"].as_str()), (1, Some("not_a_conflict")));
    let (_, q) = json(
        &db,
        &["sync", "queue", "--batch", "CLI1", "--per-page", "100"],
        None,
    );
    assert_eq!(q["total"].as_u64(), Some(30));
    let c = sim.counters();
    assert_eq!(c.applied["p004.activate"].len(), 29);
    assert_eq!(
        sim.state()["p004"]["codes"][&first]["funds"],
        Value::Null,
        "named activation had no funds"
    );
}

/// `report reconcile` sets this desk's vouchers beside what the last pull saw, and
/// `--items p003` names the one used here that the platform still lists as unused.
#[test]
fn reconcile_from_the_command_line_after_a_pull() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("d.sqlite3");
    let sim = Sim::start(SimConfig::default()).expect("sim");
    let mut ids = Vec::new();
    for _ in 0..2 {
        let sell = [
            "voucher",
            "sell",
            "--customer",
            "13800138000",
            "--name",
            "洗车",
            "--price",
            "30",
        ];
        let (rc, v) = json(&db, &sell, None);
        assert_eq!(rc, 0, "{v}");
        ids.push(v["id"].as_i64().expect("voucher id").to_string());
    }
    let url = format!("{}/p003", sim.base_url());
    let config = [
        "sync",
        "config",
        "--platform",
        "p003",
        "--url",
        &url,
        "--secret-stdin",
    ];
    assert_eq!(json(&db, &config, Some("voucher-token-003\n")).0, 0);
    let (rc, r) = json(&db, &["sync", "run", "--platform", "p003"], None);
    assert_eq!(rc, 0, "{r}");
    let (rc, v) = json(&db, &["voucher", "use", &ids[1]], None);
    assert_eq!(rc, 0, "{v}");
    let (rc, r) = json(&db, &["sync", "run", "--platform", "p003"], None);
    assert_eq!(rc, 0, "{r}");

    let (rc, rec) = json(&db, &["report", "reconcile"], None);
    assert_eq!(rc, 0, "{rec}");
    let wash = rec["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["platform"] == "p003" && r["label"] == "洗车")
        .unwrap_or_else(|| panic!("no 洗车 row: {rec}"));
    assert_eq!(
        wash["local"],
        serde_json::json!({"issued": 2, "active": 1, "used": 1})
    );
    assert_eq!(
        wash["remote"],
        serde_json::json!({"issued": 2, "active": 2, "used": 0})
    );
    assert_eq!(wash["differing"], 1);
    let (rc, items) = json(&db, &["report", "reconcile", "--items", "p003"], None);
    assert_eq!(rc, 0, "{items}");
    assert_eq!(items.as_array().map(Vec::len), Some(1), "{items}");
    assert_eq!(items[0]["local_id"].to_string(), ids[1], "{items}");
    assert_eq!(
        (items[0]["local"].as_str(), items[0]["remote"].as_str()),
        (Some("used"), Some("unused"))
    );
    let text = run(&db, &["report", "reconcile"], None);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("2/1/1 ≠"), "{text}");
    let bad = run(&db, &["report", "reconcile", "--items", "p009"], None);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("write p000, p001, p002, p003 or p004"));
}
