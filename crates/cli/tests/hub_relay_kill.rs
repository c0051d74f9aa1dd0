//! The platform desk killed between its local route and the hub's confirm
//! (docs/chain-mode.md, "The platform desk"): real `coupondesk` processes on their own
//! files, a real PostgreSQL hub and the platforms' simulator. Desk B, the platform desk,
//! runs `hub push`, is held at the core's test pause point after its local transaction
//! (`COUPONDESK_TEST_PAUSE`, debug builds only) and killed with SIGKILL. The next push
//! only confirms; the simulator gets each of A's bonuses once.

mod support;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use coupondesk_remote_sim::{Sim, SimConfig};
use serde_json::Value;
use support::pause::kill_at_pause;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_coupondesk"))
}

fn json(db: &Path, args: &[&str], stdin: &str) -> Value {
    let mut child = bin()
        .arg("--db")
        .arg(db)
        .arg("--json")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run coupondesk");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("stdin");
    let out = child.wait_with_output().expect("wait");
    assert!(out.status.success(), "{args:?}: {out:?}");
    serde_json::from_slice(&out.stdout).expect("json")
}

fn bonus_ops(db: &Path) -> usize {
    json(db, &["sync", "queue", "--platform", "p002"], "")["items"]
        .as_array()
        .map(Vec::len)
        .unwrap_or(0)
}

fn at_sim(sim: &coupondesk_remote_sim::SimHandle) -> usize {
    sim.state()["p002"]["bonuses"]
        .as_array()
        .map(Vec::len)
        .unwrap_or(0)
}

#[test]
fn a_platform_desk_killed_after_its_route_confirms_at_the_restart_and_sends_once() {
    let pg = pgtest::PgCluster::start().expect("cluster");
    pg.create_db("relaykill").expect("db");
    let admin = pg.url("relaykill");
    let sim = Sim::start(SimConfig::default()).expect("sim");
    let dir = tempfile::tempdir().expect("dir");
    let (a, b) = (dir.path().join("a.sqlite3"), dir.path().join("b.sqlite3"));
    json(&a, &["hub", "init", "--url", &admin], "");
    for (db, t) in [(&a, "T-a"), (&b, "T-b")] {
        json(
            db,
            &[
                "hub",
                "join",
                "--url",
                &admin,
                "--store",
                "S1",
                "--terminal",
                t,
            ],
            "",
        );
    }
    let url = format!("{}/p002", sim.base_url());
    json(
        &b,
        &[
            "sync",
            "config",
            "--platform",
            "p002",
            "--url",
            &url,
            "--secret-stdin",
        ],
        "bonus-token-002\n",
    );
    let p = json(&b, &["hub", "platform-desk"], "");
    assert_eq!(
        (p["desk"].as_str(), p["this_desk"].as_bool()),
        (Some("S1 / T-b"), Some(true))
    );
    json(&a, &["hub", "push"], "");

    json(
        &a,
        &["bonus", "create", "--amount", "2.50", "--quantity", "2"],
        "",
    );
    assert_eq!(bonus_ops(&a), 0, "A relays");
    let r = json(&a, &["hub", "push"], "");
    assert_eq!(r["relay"]["relayed"], 2, "{r}");

    let mark = kill_at_pause(&b, &["hub", "push"], &dir.path().join("pause"));
    assert_eq!(mark, "relay_confirm yes");

    // Routed and committed before the kill; taken and not confirmed at the hub.
    assert_eq!(bonus_ops(&b), 2);
    let st = json(&a, &["hub", "status"], "");
    assert_eq!(st["platform"]["taken_by_others"], 2, "{st}");

    let r = json(&b, &["hub", "push"], "");
    assert_eq!(
        (&r["relay"]["routed"], &r["relay"]["confirmed"]),
        (&Value::from(0), &Value::from(2)),
        "{r}"
    );
    assert_eq!(bonus_ops(&b), 2, "nothing routed twice");
    json(&b, &["sync", "run", "--platform", "p002"], "");
    assert_eq!(at_sim(&sim), 2, "{:#}", sim.state());
    json(&b, &["hub", "push"], "");
    json(&b, &["sync", "run", "--platform", "p002"], "");
    assert_eq!(at_sim(&sim), 2);
    let st = json(&a, &["hub", "status"], "");
    assert_eq!(
        (
            &st["platform"]["taken_by_others"],
            &st["platform"]["untaken"]
        ),
        (&Value::from(0), &Value::from(0)),
        "{st}"
    );
}
