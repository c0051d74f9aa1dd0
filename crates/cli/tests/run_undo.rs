//! A real kill -9 of a large `codes generate`: the next process takes the run's codes
//! out of every count at once, other codes are redeemed meanwhile by concurrent
//! processes, and the doomed rows go in the background, chunk by chunk, each process
//! continuing where the last one stopped (docs/codes-and-imports.md).

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_coupondesk"));
    c.env_remove("COUPONDESK_PIN");
    c
}

fn run(db: &Path, args: &[&str]) -> Output {
    bin()
        .arg("--db")
        .arg(db)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run coupondesk")
}

fn json(db: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = run(db, &all);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

const DRAFT: &str = r#"{"offer":{"cash":{"reduceFen":2000,"leastFen":10000}},
 "title":"满100减20","brandName":"海底捞","color":"Color010",
 "logoUrl":"https://example.com/l.png","notice":"出示此券","description":"不可与其他优惠同享",
 "servicePhone":"020-88888888","quantity":1000,"getLimit":1,"codeType":"CODE_TYPE_TEXT",
 "beginAt":"2020-01-01T00:00:00Z","endAt":"2099-01-01T00:00:00Z","term":null,
 "timeLimits":[],"acceptCategory":"","rejectCategory":"","canUseWithOtherDiscount":false}"#;

/// Rows of batch `t` in the file, counted or not.
fn rows_of(db: &Path, t: &str) -> i64 {
    let conn = rusqlite::Connection::open(db).expect("open");
    conn.busy_timeout(Duration::from_secs(10)).expect("timeout");
    conn.query_row(
        "SELECT count(*) FROM codes WHERE id >> 32 = (SELECT id FROM batches WHERE ticket_type = ?1)",
        [t],
        |r| r.get(0),
    )
    .expect("count")
}

#[test]
fn a_killed_generation_is_undone_in_the_background_while_the_counter_works() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("u.sqlite3");
    let draft = dir.path().join("draft.json");
    std::fs::write(&draft, DRAFT).expect("draft");
    let t = json(
        &db,
        &[
            "template",
            "create",
            "--file",
            draft.to_str().expect("path"),
        ],
    );
    json(
        &db,
        &["batch", "create", "--type", "SHOP", "--name", "counter"],
    );
    json(
        &db,
        &["codes", "generate", "--batch", "SHOP", "--count", "20"],
    );
    json(
        &db,
        &["template", "link", &t["id"].to_string(), "--batch", "SHOP"],
    );
    let export = dir.path().join("shop.csv");
    json(
        &db,
        &[
            "codes",
            "export",
            "--batch",
            "SHOP",
            "--out",
            export.to_str().expect("p"),
        ],
    );
    let shop: Vec<String> = std::fs::read_to_string(&export)
        .expect("export")
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').next().map(str::to_owned))
        .collect();
    assert_eq!(shop.len(), 20);
    json(
        &db,
        &["batch", "create", "--type", "BIG", "--name", "killed"],
    );

    let mut child = bin()
        .arg("--db")
        .arg(&db)
        .args([
            "codes", "generate", "--batch", "BIG", "--count", "1000000", "--yes",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    // Kill -9 once a good part is committed (the run shows progress), well before the end.
    let conn = rusqlite::Connection::open(&db).expect("open");
    conn.busy_timeout(Duration::from_secs(10)).expect("timeout");
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let n: i64 = conn
            .query_row(
                "SELECT coalesce(max(imported), 0) FROM code_runs WHERE state = 'running'",
                [],
                |r| r.get(0),
            )
            .unwrap_or(0);
        if n >= 200_000 {
            break;
        }
        assert!(
            child.try_wait().expect("wait").is_none(),
            "killed before the end"
        );
        assert!(Instant::now() < deadline, "the generation makes progress");
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().expect("kill -9");
    child.wait().expect("reap");
    drop(conn);
    let written = rows_of(&db, "BIG");
    assert!((200_000..1_000_000).contains(&written), "{written}");

    // The next process counts nothing of the run, at once, and says it is cleaning up.
    let b = json(&db, &["batch", "show", "--type", "BIG"]);
    assert_eq!(b["total_codes"], 0, "{b}");
    let left = b["cleanup_left"].as_i64().expect("cleanup_left");
    assert!(left > 0 && left <= written, "{b}");
    let text = run(&db, &["batch", "show", "--type", "BIG"]);
    assert!(
        String::from_utf8_lossy(&text.stdout).contains("cleaning up an interrupted run"),
        "{}",
        String::from_utf8_lossy(&text.stdout)
    );
    // Three cashiers' processes at once, while processes delete doomed rows: all redeem.
    let racers: Vec<_> = shop[..3]
        .iter()
        .map(|code| {
            bin()
                .arg("--db")
                .arg(&db)
                .args(["--json", "redeem", "use", code, "--amount", "10000"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    for r in racers {
        let out = r.wait_with_output().expect("redeem ends");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{} {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(
        json(&db, &["batch", "show", "--type", "SHOP"])["used_codes"],
        3
    );

    // Each process deletes chunks while it lives; the next one continues.
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let b = json(&db, &["batch", "show", "--type", "BIG"]);
        assert_eq!(b["total_codes"], 0);
        if b["cleanup_left"] == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "the cleanup ends: {b}");
    }
    assert_eq!(rows_of(&db, "BIG"), 0, "every doomed row is gone");
    // The batch takes a new run again.
    json(
        &db,
        &["codes", "generate", "--batch", "BIG", "--count", "10"],
    );
    assert_eq!(
        json(&db, &["batch", "show", "--type", "BIG"])["total_codes"],
        10
    );
}
