//! A process killed while it routes change records into the outbox (docs/sync.md, "From
//! a change to an outbox row"): held at the core's test pause point between writing the
//! outbox rows and removing the records (`COUPONDESK_TEST_PAUSE`, debug builds only),
//! then killed. The action it did stays; its outbox rows are routed once, by the next
//! process that reads the outbox, and never again.

mod support;

use std::path::Path;
use std::process::Command;

use serde_json::Value;
use support::pause::kill_at_pause;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_coupondesk"))
}

fn json(db: &Path, args: &[&str]) -> Value {
    let out = bin()
        .arg("--db")
        .arg(db)
        .arg("--json")
        .args(args)
        .output()
        .expect("run coupondesk");
    assert!(out.status.success(), "{args:?}: {:?}", out);
    serde_json::from_slice(&out.stdout).expect("json")
}

fn queued_bonus_ops(db: &Path) -> Vec<String> {
    let page = json(db, &["sync", "queue", "--platform", "p002"]);
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| format!("{} {}", i["op"], i["subject"]))
        .collect()
}

#[test]
fn a_kill_while_routing_queues_the_change_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("d.sqlite3");
    let pause = dir.path().join("pause");
    // The database exists (and is migrated) before the racer starts.
    json(&db, &["sync", "queue"]);

    let mark = kill_at_pause(
        &db,
        &["bonus", "create", "--amount", "2.50", "--quantity", "2"],
        &pause,
    );
    assert_eq!(mark, "route yes");

    // The bonuses were committed before routing began; the outbox rows died with the
    // router's transaction, the records did not.
    let bonuses = json(&db, &["bonus", "list"]);
    assert_eq!(bonuses["total"], 2);
    let first = queued_bonus_ops(&db);
    assert_eq!(first.len(), 2, "{first:?}");
    assert!(
        first.iter().all(|o| o.starts_with("\"bonus.create\"")),
        "{first:?}"
    );
    // Routed once: reading again, or a sync run's start, adds nothing.
    assert_eq!(queued_bonus_ops(&db), first);
}
