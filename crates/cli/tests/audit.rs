//! The audit trail from the command line: a database made by real commands, then
//! tampered with by the `sqlite3` tool (triggers dropped) on fresh copies; `audit verify`
//! must name the exact first broken entry each time, and pass the untouched trail.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use support::{add_staff, run_as, Who};

fn run(db: &Path, args: &[&str]) -> Output {
    run_as(db, None, args, "")
}

fn ok_json(db: &Path, args: &[&str]) -> Value {
    ok_json_as(db, None, args)
}

fn ok_json_as(db: &Path, who: Option<Who>, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = run_as(db, who, &all, "");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON object")
}

fn sqlite3(db: &Path, sql: &str) -> Output {
    Command::new("sqlite3")
        .arg(db)
        .arg(sql)
        .output()
        .expect("the sqlite3 tool (scripts/setup.sh installs it)")
}

const DRAFT: &str = r#"{"offer":{"cash":{"reduceFen":2000,"leastFen":10000}},
 "title":"满100减20","brandName":"海底捞","color":"Color010",
 "logoUrl":"https://example.com/l.png","notice":"出示此券","description":"不可与其他优惠同享",
 "servicePhone":"020-88888888","quantity":1000,"getLimit":1,"codeType":"CODE_TYPE_TEXT",
 "beginAt":"2020-01-01T00:00:00Z","endAt":"2099-01-01T00:00:00Z","term":null,
 "timeLimits":[],"acceptCategory":"","rejectCategory":"","canUseWithOtherDiscount":false}"#;

/// The owner, and two cashiers (one named "=cmd|", a formula start for the export).
const OWNER: Who = Who {
    name: "老板",
    pin: "2468",
};
const WANG: Who = Who {
    name: "小王",
    pin: "1357",
};
const CMD: Who = Who {
    name: "=cmd|",
    pin: "9090",
};

/// The actions the base database's commands audit, oldest first: the stock is set up
/// before the first staff account (the OS user acts), then each command run with
/// `--staff` logs in first.
const ACTIONS: [&str; 19] = [
    "template.create",
    "batch.create",
    "codes.import",
    "template.link_batch",
    "staff.add",
    "staff.login",
    "staff.add",
    "staff.login",
    "staff.add",
    "staff.login",
    "code.redeem",
    "staff.login",
    "code.redeem",
    "staff.login",
    "code.redeem_undo",
    "staff.login",
    "bonus.create",
    "staff.login",
    "bonus.redeem",
];

/// A database made by real commands: a template, an import, the owner and two cashiers,
/// two redemptions at POS-2 (小王's, and "=cmd|"'s which they undo), a bonus and its use.
fn base(dir: &Path) -> PathBuf {
    let db = dir.join("base.sqlite3");
    let draft = dir.join("draft.json");
    std::fs::write(&draft, DRAFT).expect("draft");
    let csv = dir.join("codes.csv");
    std::fs::write(&csv, "code\nAUDITCODE01\nAUDITCODE02\nAUDITCODE03\n").expect("csv");
    let t = ok_json(
        &db,
        &["template", "create", "--file", &draft.to_string_lossy()],
    );
    ok_json(&db, &["batch", "create", "--type", "T1", "--name", "一"]);
    ok_json(
        &db,
        &["codes", "import", "--batch", "T1", &csv.to_string_lossy()],
    );
    ok_json(
        &db,
        &["template", "link", &t["id"].to_string(), "--batch", "T1"],
    );
    add_staff(&db, None, OWNER, "owner");
    add_staff(&db, Some(OWNER), WANG, "cashier");
    add_staff(&db, Some(OWNER), CMD, "cashier");
    let redeem = |code: &str, who: Who| {
        ok_json_as(
            &db,
            Some(who),
            &[
                "redeem",
                "use",
                code,
                "--amount",
                "15000",
                "--terminal",
                "POS-2",
            ],
        )
    };
    redeem("AUDITCODE01", WANG);
    redeem("AUDITCODE02", CMD);
    ok_json_as(&db, Some(CMD), &["redeem", "undo", "AUDITCODE02"]);
    let bonus = ok_json_as(&db, Some(OWNER), &["bonus", "create", "--amount", "3"]);
    let code = bonus["codes"][0].as_str().expect("bonus code").to_owned();
    ok_json_as(
        &db,
        Some(OWNER),
        &["bonus", "redeem", &code, "--amount", "10"],
    );
    db
}

/// A fresh copy of the database (and its WAL, if the last writer left one).
fn copy(db: &Path, name: &str) -> PathBuf {
    let to = db.with_file_name(name);
    for suffix in ["", "-wal", "-shm"] {
        let from = PathBuf::from(format!("{}{suffix}", db.display()));
        if from.exists() {
            std::fs::copy(&from, format!("{}{suffix}", to.display())).expect("copy");
        }
    }
    to
}

/// Drops the triggers on a fresh copy, runs `sql`, and returns `audit verify`'s exit
/// code, its JSON verdict (stdout) and its one-line error (stderr).
fn tamper(db: &Path, name: &str, sql: &str) -> (Option<i32>, Value, String) {
    let copy = copy(db, name);
    let out = sqlite3(
        &copy,
        &format!("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete; {sql}"),
    );
    assert!(
        out.status.success(),
        "{sql}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(&copy, &["--json", "audit", "verify"]);
    let verdict = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (
        out.status.code(),
        verdict,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn id_of(db: &Path, action: &str, nth: usize) -> i64 {
    let list = ok_json(
        db,
        &["audit", "list", "--action", action, "--per-page", "100"],
    );
    let mut ids: Vec<i64> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["id"].as_i64().expect("id"))
        .collect();
    ids.sort();
    ids[nth]
}

fn assert_broken_at(found: &(Option<i32>, Value, String), id: i64, why: &str) {
    let (code, verdict, err) = found;
    assert_eq!(*code, Some(1), "{verdict} {err}");
    assert_eq!(verdict["verdict"], "broken", "{verdict}");
    assert_eq!(verdict["first_id"], id, "{verdict}");
    assert!(
        verdict["reason"].as_str().unwrap_or("").contains(why),
        "{verdict}"
    );
    let err: Value = serde_json::from_str(err.trim()).expect("error object");
    assert_eq!(err["code"], "audit_broken");
    assert!(
        err["message"]
            .as_str()
            .unwrap_or("")
            .contains(&format!("broken at entry {id}:")),
        "{err}"
    );
}

#[test]
fn verify_passes_the_untouched_trail_and_names_the_first_tampered_entry() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = base(dir.path());

    let list = ok_json(&db, &["audit", "list", "--per-page", "100"]);
    let mut actions: Vec<&str> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["action"].as_str().expect("action"))
        .collect();
    actions.reverse();
    assert_eq!(actions, ACTIONS, "newest first, one entry per action");
    assert_eq!(list["total"], ACTIONS.len());

    let out = run(&db, &["audit", "verify"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("intact, {} entries", ACTIONS.len())
    );

    // (a) one entry's detail edited: that entry is the first broken one.
    let redeemed = id_of(&db, "code.redeem", 1);
    let edited = tamper(
        &db,
        "edited.sqlite3",
        &format!("UPDATE audit_log SET detail = '{{\"order_fen\":1}}' WHERE id = {redeemed};"),
    );
    assert_broken_at(&edited, redeemed, "changed after it was written");

    // (b) one entry deleted: the entry after it is named.
    let undo = id_of(&db, "code.redeem_undo", 0);
    let deleted = tamper(
        &db,
        "deleted.sqlite3",
        &format!("DELETE FROM audit_log WHERE id = {};", undo - 1),
    );
    assert_broken_at(&deleted, undo, "an entry before it is missing or changed");

    // (c) two entries' contents swapped (hashes too), ids kept: the earlier one is named.
    let (i, j) = (id_of(&db, "codes.import", 0), id_of(&db, "bonus.create", 0));
    let swapped = tamper(
        &db,
        "swapped.sqlite3",
        &format!(
            "CREATE TEMP TABLE t AS SELECT * FROM audit_log WHERE id IN ({i}, {j});
             UPDATE audit_log SET (at, actor, terminal, action, subject, detail, hash) =
               (SELECT at, actor, terminal, action, subject, detail, hash FROM t
                WHERE t.id = {i} + {j} - audit_log.id)
             WHERE id IN ({i}, {j});"
        ),
    );
    assert_broken_at(&swapped, i, "changed after it was written");

    // The base file was never touched.
    assert_eq!(run(&db, &["audit", "verify"]).status.code(), Some(0));
}

#[test]
fn the_triggers_refuse_update_and_delete() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("d.sqlite3");
    ok_json(&db, &["batch", "create", "--type", "T1", "--name", "一"]);
    for sql in [
        "UPDATE audit_log SET actor = 'someone else';",
        "DELETE FROM audit_log;",
    ] {
        let out = sqlite3(&db, sql);
        assert!(!out.status.success(), "{sql} was allowed");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("audit_log is append-only"),
            "{sql}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let out = run(&db, &["audit", "verify"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "intact, 1 entries"
    );
}

#[test]
fn list_filters_and_the_csv_export() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = base(dir.path());

    // 小王 logged in once and redeemed once; `--staff` filters, it does not log in.
    let mine = ok_json(&db, &["audit", "list", "--staff", "小王"]);
    assert_eq!(mine["total"], 2, "{mine}");
    assert_eq!(mine["items"][0]["action"], "code.redeem");
    assert_eq!(mine["items"][0]["actor"], "小王");
    assert_eq!(mine["items"][0]["subject"], "AUDITCODE01");
    assert_eq!(mine["items"][0]["terminal"], "POS-2");
    assert_eq!(mine["items"][1]["action"], "staff.login");
    assert_eq!(mine["items"][1]["subject"], "小王");
    let undone = ok_json(&db, &["audit", "list", "--actor", "=cmd|"]);
    let actions: Vec<&str> = undone["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["action"].as_str().expect("action"))
        .collect();
    assert_eq!(
        actions,
        [
            "code.redeem_undo",
            "staff.login",
            "code.redeem",
            "staff.login"
        ]
    );

    let by_code = ok_json(&db, &["audit", "list", "--subject", "CODE02"]);
    let actions: Vec<&str> = by_code["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["action"].as_str().expect("action"))
        .collect();
    assert_eq!(actions, ["code.redeem_undo", "code.redeem"]);

    let future = ok_json(&db, &["audit", "list", "--since", "2999-01-01T00:00:00Z"]);
    assert_eq!(future["total"], 0);
    let past = ok_json(
        &db,
        &["audit", "list", "--until", "2000-01-01T00:00:00+08:00"],
    );
    assert_eq!(past["total"], 0);
    let all = ok_json(&db, &["audit", "list", "--since", "2000-01-01T00:00:00Z"]);
    assert_eq!(all["total"], ACTIONS.len());
    let bad = run(&db, &["audit", "list", "--since", "yesterday"]);
    assert_eq!(
        bad.status.code(),
        Some(2),
        "a malformed time is a command-line error"
    );

    let file = dir.path().join("audit.csv");
    let report = ok_json_as(
        &db,
        Some(OWNER),
        &[
            "audit",
            "export",
            "--lang",
            "en",
            "--out",
            &file.to_string_lossy(),
        ],
    );
    // Exporting is a manager's: the owner's login is the newest entry exported.
    let rows = ACTIONS.len() + 1;
    assert_eq!(report["rows"], rows);
    let text = std::fs::read_to_string(&file).expect("csv");
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    assert_eq!(
        lines.next(),
        Some("ID,Time (UTC+08:00),Staff,Terminal,Action,Subject,Detail,Hash")
    );
    let newest = lines.next().expect("a row");
    assert!(newest.starts_with(&format!("{rows},")), "{newest}");
    assert!(newest.contains(",老板,"), "{newest}");
    assert!(newest.contains(",staff.login,"), "{newest}");
    // Times in the shop's zone (UTC+8 by default, named in the header), as
    // `YYYY-MM-DD HH:MM:SS`.
    let at = newest.split(',').nth(1).unwrap_or("");
    assert!(
        chrono::NaiveDateTime::parse_from_str(at, "%Y-%m-%d %H:%M:%S").is_ok(),
        "{newest}"
    );
    let neutralised = text
        .lines()
        .find(|l| l.contains("AUDITCODE02") && l.contains(",code.redeem,"))
        .expect("the =cmd| redemption");
    assert!(neutralised.contains(",'=cmd|,POS-2,"), "{neutralised}");
}
