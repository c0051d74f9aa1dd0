//! Races that really race: two `coupondesk` processes on one database, held together at
//! the core's test pause point (`COUPONDESK_TEST_PAUSE`, debug builds only) and let go
//! together.
//!
//! What each race proves: the first racer sits between its decision ("yes") and its
//! write, holding the write lock, while the second has already asked for that lock and
//! waits (its `.blocked` mark). Only after `go` does the second decide, and it decides
//! "no": exactly one wins, the other is refused. Were the lock not taken before the
//! read, both would reach the pause with "yes" and the race would fail at its first
//! assertion.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_coupondesk"))
}

fn json(db: &Path, args: &[&str]) -> (Option<i32>, Value) {
    let out = bin()
        .arg("--db")
        .arg(db)
        .arg("--json")
        .args(args)
        .output()
        .expect("run coupondesk");
    let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!(
            "{args:?}: not JSON: {} / {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code(), v)
}

/// The marks of the racers: pid -> (arrived decision, blocked on the write lock).
fn marks(pause: &Path) -> BTreeMap<u32, (Option<String>, bool)> {
    let mut m: BTreeMap<u32, (Option<String>, bool)> = BTreeMap::new();
    for e in std::fs::read_dir(pause).expect("read pause dir") {
        let name = e.expect("entry").file_name().to_string_lossy().into_owned();
        let Some((pid, kind)) = name.split_once('.') else {
            continue;
        };
        let Ok(pid) = pid.parse::<u32>() else {
            continue;
        };
        match kind {
            "arrived" => {
                let text = std::fs::read_to_string(pause.join(&name)).expect("read mark");
                m.entry(pid).or_default().0 = Some(text);
            }
            "blocked" => m.entry(pid).or_default().1 = true,
            _ => {}
        }
    }
    m
}

struct Race {
    outs: Vec<Output>,
    /// The racers' decisions after the race, in the order they were spawned.
    decisions: Vec<Option<String>>,
}

/// Starts two racers with `args`, waits until one sits at the pause and the other waits
/// for the write lock (or both sit at the pause: the guard is broken), checks it is the
/// former, lets them go and collects them.
fn race(db: &Path, pause: &Path, args: [&[&str]; 2], what: &str) -> Race {
    std::fs::create_dir_all(pause).expect("pause dir");
    let children: Vec<Child> = args
        .iter()
        .map(|a| {
            bin()
                .env("COUPONDESK_TEST_PAUSE", pause)
                .arg("--db")
                .arg(db)
                .arg("--json")
                .args(*a)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    let pids: Vec<u32> = children.iter().map(Child::id).collect();
    let start = Instant::now();
    let held = loop {
        let m = marks(pause);
        let arrived: Vec<u32> = pids
            .iter()
            .copied()
            .filter(|p| m.get(p).is_some_and(|x| x.0.is_some()))
            .collect();
        let blocked: Vec<u32> = pids
            .iter()
            .copied()
            .filter(|p| m.get(p).is_some_and(|x| x.0.is_none() && x.1))
            .collect();
        if arrived.len() == 2 || (arrived.len() == 1 && blocked.len() == 1) {
            break m;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "{what}: racers never met at the pause: {m:?}"
        );
        std::thread::sleep(Duration::from_millis(5));
    };
    // Exactly one racer has decided, and it decided yes; the other waits for the lock
    // and has not decided yet. Both at the pause would mean both read before either wrote.
    let decided: Vec<&String> = held.values().filter_map(|x| x.0.as_ref()).collect();
    assert_eq!(
        decided,
        vec![&format!("{what} yes")],
        "{what}: while the first racer holds its decision, the second must not decide: {held:?}"
    );
    assert_eq!(
        held.values().filter(|x| x.0.is_none() && x.1).count(),
        1,
        "{what}: the second racer waits at the write lock: {held:?}"
    );
    std::fs::write(pause.join("go"), "").expect("go");
    let outs: Vec<Output> = children
        .into_iter()
        .map(|c| c.wait_with_output().expect("wait"))
        .collect();
    let after = marks(pause);
    let decisions = pids
        .iter()
        .map(|p| after.get(p).and_then(|x| x.0.clone()))
        .collect();
    Race { outs, decisions }
}

fn stdout(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|_| {
        panic!(
            "not JSON: {} / {}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

/// The winner's and the loser's output: exactly one exit 0, the other `loser_exit`; and
/// the loser decided "no" after the winner's write.
fn one_wins<'a>(r: &'a Race, what: &str, loser_exit: i32) -> (&'a Output, &'a Output) {
    let codes: Vec<Option<i32>> = r.outs.iter().map(|o| o.status.code()).collect();
    let (w, l) = match codes.as_slice() {
        [Some(0), Some(x)] if *x == loser_exit => (0, 1),
        [Some(x), Some(0)] if *x == loser_exit => (1, 0),
        _ => panic!(
            "{what}: exit codes {codes:?}: {:?}",
            r.outs
                .iter()
                .map(|o| String::from_utf8_lossy(&o.stderr).into_owned())
                .collect::<Vec<_>>()
        ),
    };
    assert_eq!(r.decisions[w], Some(format!("{what} yes")));
    assert_eq!(r.decisions[l], Some(format!("{what} no")));
    (&r.outs[w], &r.outs[l])
}

/// The error a refused command prints (JSON, on stderr).
fn stderr(o: &Output) -> Value {
    serde_json::from_slice(&o.stderr)
        .unwrap_or_else(|_| panic!("not JSON on stderr: {}", String::from_utf8_lossy(&o.stderr)))
}

const DRAFT: &str = r#"{"offer":{"cash":{"reduceFen":2000,"leastFen":10000}},
 "title":"满100减20","brandName":"海底捞","color":"Color010",
 "logoUrl":"https://example.com/l.png","notice":"出示此券","description":"不可与其他优惠同享",
 "servicePhone":"020-88888888","quantity":1000,"getLimit":1,"codeType":"CODE_TYPE_TEXT",
 "beginAt":"2020-01-01T00:00:00Z","endAt":"2099-01-01T00:00:00Z","term":null,
 "timeLimits":[],"acceptCategory":"","rejectCategory":"","canUseWithOtherDiscount":false}"#;

/// A database with one linked coupon code.
fn coupon(dir: &Path) -> (PathBuf, String) {
    let db = dir.join("d.sqlite3");
    let draft = dir.join("draft.json");
    std::fs::write(&draft, DRAFT).expect("write draft");
    let draft = draft.to_string_lossy().into_owned();
    let (rc, t) = json(&db, &["template", "create", "--file", &draft]);
    assert_eq!(rc, Some(0));
    let (rc, _) = json(&db, &["batch", "create", "--type", "T1", "--name", "一"]);
    assert_eq!(rc, Some(0));
    let (rc, _) = json(&db, &["codes", "generate", "--batch", "T1", "--count", "1"]);
    assert_eq!(rc, Some(0));
    let (rc, _) = json(
        &db,
        &["template", "link", &t["id"].to_string(), "--batch", "T1"],
    );
    assert_eq!(rc, Some(0));
    let (_, page) = json(&db, &["codes", "list", "--batch", "T1"]);
    let code = page["items"][0]["code"].as_str().expect("code").to_owned();
    (db, code)
}

#[test]
fn two_processes_redeem_a_coupon_code_exactly_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (db, code) = coupon(dir.path());
    let a: &[&str] = &[
        "redeem",
        "use",
        &code,
        "--amount",
        "10000",
        "--terminal",
        "POS-1",
    ];
    let b: &[&str] = &[
        "redeem",
        "use",
        &code,
        "--amount",
        "10000",
        "--terminal",
        "POS-2",
    ];
    let r = race(&db, &dir.path().join("pause"), [a, b], "redeem");
    let (w, l) = one_wins(&r, "redeem", 3);
    let won = stdout(w);
    let lost = stdout(l);
    assert_eq!(lost["check"]["refusal"]["reason"], "already_used");
    assert_eq!(
        lost["check"]["refusal"]["terminal"],
        won["redemption"]["terminal"]
    );
    let (_, list) = json(&db, &["redeem", "list"]);
    assert_eq!(list["total"], 1);
    let (_, b) = json(&db, &["batch", "show", "--type", "T1"]);
    assert_eq!(b["used_codes"], 1);
}

#[test]
fn two_processes_undo_one_redemption_exactly_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (db, code) = coupon(dir.path());
    let (rc, _) = json(&db, &["redeem", "use", &code, "--amount", "10000"]);
    assert_eq!(rc, Some(0));
    let undo: &[&str] = &["redeem", "undo", &code];
    let r = race(&db, &dir.path().join("pause"), [undo, undo], "undo");
    let (w, l) = one_wins(&r, "undo", 1);
    assert!(stdout(w)["undone_at"].is_string());
    assert_eq!(stderr(l)["code"], "code_not_redeemed");
    let (_, b) = json(&db, &["batch", "show", "--type", "T1"]);
    assert_eq!(b["used_codes"], 0, "undone once, not twice");
    let (rc, _) = json(&db, &["redeem", "check", &code, "--amount", "10000"]);
    assert_eq!(rc, Some(0), "usable again");
}

#[test]
fn two_processes_redeem_a_bonus_exactly_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("d.sqlite3");
    let (rc, created) = json(&db, &["bonus", "create", "--amount", "2.50"]);
    assert_eq!(rc, Some(0));
    let code = created["codes"][0].as_str().expect("code").to_owned();
    let a: &[&str] = &[
        "bonus",
        "redeem",
        &code,
        "--amount",
        "30",
        "--terminal",
        "POS-1",
    ];
    let b: &[&str] = &[
        "bonus",
        "redeem",
        &code,
        "--amount",
        "30",
        "--terminal",
        "POS-2",
    ];
    let r = race(&db, &dir.path().join("pause"), [a, b], "bonus");
    let (w, l) = one_wins(&r, "bonus", 3);
    assert_eq!(stdout(w)["redeemed"]["status"], "N02");
    assert_eq!(stdout(l)["check"]["refusal"]["reason"], "already_used");
    let (_, used) = json(&db, &["bonus", "list", "--status", "N02"]);
    assert_eq!(used["total"], 1);
}

#[test]
fn two_processes_use_a_voucher_exactly_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("d.sqlite3");
    let (rc, v) = json(
        &db,
        &[
            "voucher",
            "sell",
            "--customer",
            "13812345678",
            "--name",
            "全屋打扫",
            "--price",
            "288",
        ],
    );
    assert_eq!(rc, Some(0));
    let id = v["id"].to_string();
    let use_it: &[&str] = &["voucher", "use", &id];
    let r = race(&db, &dir.path().join("pause"), [use_it, use_it], "voucher");
    let (w, l) = one_wins(&r, "voucher", 1);
    assert!(stdout(w)["used_at"].is_string());
    assert_eq!(stderr(l)["code"], "voucher_already_used");
}
