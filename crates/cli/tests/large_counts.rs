//! Issue 13's count traps from the command line: counts above the confirmation threshold
//! need `--yes` (100000 codes, 100 bonuses), generation has a maximum even with `--yes`,
//! and a bonus create run made by mistake is disabled as a whole.

mod support;

use std::path::Path;

use serde_json::Value;
use support::run_as;

/// `--json ARGS` on a fresh database (no staff yet: everyone may act): exit code and the
/// JSON answer (stdout on success, stderr on error).
fn json(db: &Path, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = run_as(db, None, &all, "");
    let code = out.status.code().unwrap_or(-1);
    let body = if code == 0 { &out.stdout } else { &out.stderr };
    let v = serde_json::from_slice(body).unwrap_or_else(|e| {
        panic!(
            "{args:?}: not JSON ({e}): {}",
            String::from_utf8_lossy(body)
        )
    });
    (code, v)
}

fn bonus_create(db: &Path, quantity: &str, yes: bool) -> (i32, Value) {
    let mut args = vec!["bonus", "create", "--amount", "2", "--quantity", quantity];
    if yes {
        args.push("--yes");
    }
    json(db, &args)
}

fn total(db: &Path, status: &str) -> Value {
    json(db, &["bonus", "list", "--status", status]).1["total"].clone()
}

#[test]
fn generating_more_than_the_threshold_needs_yes_and_the_maximum_holds_even_then() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("d.sqlite3");
    let (rc, e) = json(
        &db,
        &[
            "codes",
            "generate",
            "--batch",
            "T1",
            "--count",
            "1000100000",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(e["code"], "large_count_unconfirmed");
    assert_eq!(
        e["message"],
        "1000100000 codes is more than 100000: check the number (a count typed after another \
         is a common slip) and run the command again with --yes to go ahead"
    );
    let (rc, e) = json(
        &db,
        &[
            "codes", "generate", "--batch", "T1", "--count", "1000001", "--yes",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(e["code"], "generate_too_many");
    assert_eq!(
        e["message"],
        "1000001 codes is more than one run may make (at most 1000000); check the number, \
         or generate in several runs"
    );
}

#[test]
fn more_than_100_bonuses_need_yes_and_a_mistaken_run_is_disabled_as_a_whole() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("d.sqlite3");
    let (rc, e) = bonus_create(&db, "110", false);
    assert_eq!(rc, 1);
    assert_eq!(e["code"], "large_count_unconfirmed");
    assert_eq!(total(&db, "N01"), 0, "nothing is created without --yes");

    let (rc, keep) = bonus_create(&db, "2", false);
    assert_eq!(rc, 0);
    let (rc, mistake) = bonus_create(&db, "110", true);
    assert_eq!(rc, 0);
    assert_eq!(mistake["created"], 110);
    let run = mistake["run"].as_i64().expect("run");
    assert_ne!(
        keep["run"].as_i64(),
        Some(run),
        "each creation is its own run"
    );
    let first = mistake["codes"][0].as_str().expect("code");
    let (rc, b) = json(&db, &["bonus", "show", first]);
    assert_eq!((rc, b["create_run"].as_i64()), (0, Some(run)));
    // One of the run is disabled on its own first: it stays, and is counted as left.
    assert_eq!(json(&db, &["bonus", "disable", first]).0, 0);

    let (rc, r) = json(&db, &["bonus", "disable-run", &run.to_string()]);
    assert_eq!(rc, 0, "{r}");
    assert_eq!(
        r,
        serde_json::json!({"run": run, "disabled": 109, "left": 1})
    );
    assert_eq!(total(&db, "disabled"), 110);
    assert_eq!(total(&db, "N01"), 2, "the other run is untouched");

    let (rc, e) = json(&db, &["bonus", "disable-run", "999"]);
    assert_eq!((rc, e["code"].as_str()), (1, Some("bonus_run_not_found")));
    let (rc, audit) = json(&db, &["audit", "list", "--action", "bonus.disable_run"]);
    assert_eq!(rc, 0, "{audit}");
    assert_eq!(audit["total"], 1);
}
