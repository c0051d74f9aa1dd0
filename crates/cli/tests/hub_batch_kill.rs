//! A desk killed in a `batch` download between the import's commit and the move of its
//! mark (local migration 29; docs/chain-mode.md, "Changes between desks"): real
//! `coupondesk` processes on their own files and a real PostgreSQL hub. Desk B's
//! `hub pull` is held at the core's test pause point `batch_got`
//! (`COUPONDESK_TEST_PAUSE`, debug builds only) and killed with SIGKILL. Its next pull
//! reads the same codes again and the import skips them: nothing lost, nothing twice.

mod support;

use std::path::Path;

use serde_json::Value;
use support::pause::kill_at_pause;

fn run(db: &Path, args: &[&str]) -> Value {
    support::json_ok(db, args)
}

fn csv(dir: &Path, name: &str, tag: char, n: usize) -> String {
    let p = dir.join(name);
    let rows: Vec<String> = (0..n).map(|i| format!("{tag}K{i:010}")).collect();
    std::fs::write(&p, format!("code\n{}\n", rows.join("\n"))).expect("csv");
    p.to_str().expect("utf8").to_owned()
}

fn total(db: &Path) -> i64 {
    let conn = rusqlite::Connection::open(db).expect("open");
    // T1 is the desks' only batch.
    conn.query_row("SELECT count(*) FROM codes", [], |r| r.get(0))
        .expect("count")
}

#[test]
fn a_desk_killed_between_the_import_and_its_mark_loses_nothing_and_doubles_nothing() {
    let pg = pgtest::PgCluster::start().expect("cluster");
    pg.create_db("batchkill").expect("db");
    let admin = pg.url("batchkill");
    let dir = tempfile::tempdir().expect("dir");
    let (a, b) = (dir.path().join("a.sqlite3"), dir.path().join("b.sqlite3"));
    let first = csv(dir.path(), "first.csv", 'F', 10);
    run(
        &a,
        &[
            "codes",
            "import",
            "--batch",
            "T1",
            "--new-batch-name",
            "first",
            &first,
        ],
    );
    run(&a, &["hub", "init", "--url", &admin]);
    for (db, t) in [(&a, "T-a"), (&b, "T-b")] {
        run(
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
        );
    }
    assert_eq!(total(&b), 10);
    // 500 codes added at A, uploaded by its pull (one `batch` change).
    let more = csv(dir.path(), "more.csv", 'M', 500);
    run(&a, &["codes", "import", "--batch", "T1", &more]);
    let r = run(&a, &["hub", "pull"]);
    assert_eq!(r["codes_uploaded"], 500, "{r}");

    let mark = kill_at_pause(&b, &["hub", "pull"], &dir.path().join("pause"));
    assert_eq!(mark, "batch_got yes");

    // The change is not marked pulled: the next pull reads the 500 again; the import
    // had committed them before the kill, so it adds none.
    let r = run(&b, &["hub", "pull"]);
    assert_eq!(total(&b), 510, "nothing lost, nothing twice: {r}");
    assert_eq!(
        (&r["codes_read"], &r["codes_downloaded"]),
        (&Value::from(500), &Value::from(0)),
        "{r}"
    );
    let found = run(
        &b,
        &["codes", "list", "--batch", "T1", "--search", "K0000000499"],
    );
    assert!(found.to_string().contains("MK0000000499"), "{found}");
    // The mark moved: nothing is read again.
    let r = run(&b, &["hub", "pull"]);
    assert_eq!(r["codes_read"], 0, "{r}");
}
