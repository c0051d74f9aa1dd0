//! The counter from the command line: check, use and undo with their exit codes. The
//! promise that two processes never both redeem a code is proved in `races.rs`, where
//! the racers are really held together.

mod support;

use std::path::Path;
use std::process::Output;

use serde_json::Value;
use support::{add_staff, run_as, Who};

/// The shop's owner and the cashier at the counter.
const ANN: Who = Who {
    name: "Ann",
    pin: "4821",
};
const WANG: Who = Who {
    name: "小王",
    pin: "7305",
};

fn run(db: &Path, who: Option<Who>, args: &[&str]) -> Output {
    run_as(db, who, args, "")
}

fn json(db: &Path, args: &[&str]) -> (Option<i32>, Value) {
    json_as(db, None, args)
}

fn json_as(db: &Path, who: Option<Who>, args: &[&str]) -> (Option<i32>, Value) {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = run(db, who, &all);
    let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!(
            "{args:?}: not JSON: {} / {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code(), v)
}

const DRAFT: &str = r#"{"offer":{"cash":{"reduceFen":2000,"leastFen":10000}},
 "title":"满100减20","brandName":"海底捞","color":"Color010",
 "logoUrl":"https://example.com/l.png","notice":"出示此券","description":"不可与其他优惠同享",
 "servicePhone":"020-88888888","quantity":1000,"getLimit":1,"codeType":"CODE_TYPE_TEXT",
 "beginAt":"2020-01-01T00:00:00Z","endAt":"2099-01-01T00:00:00Z","term":null,
 "timeLimits":[],"acceptCategory":"","rejectCategory":"","canUseWithOtherDiscount":false}"#;

fn setup(dir: &Path, n: &str) -> (std::path::PathBuf, Vec<String>) {
    let db = dir.join("d.sqlite3");
    let draft = dir.join("draft.json");
    std::fs::write(&draft, DRAFT).expect("write draft");
    let draft = draft.to_string_lossy().into_owned();
    let (code, t) = json(&db, &["template", "create", "--file", &draft]);
    assert_eq!(code, Some(0));
    assert_eq!(t["kind"], "cash");
    assert_eq!(
        json(&db, &["batch", "create", "--type", "T1", "--name", "一"]).0,
        Some(0)
    );
    assert_eq!(
        json(&db, &["codes", "generate", "--batch", "T1", "--count", n]).0,
        Some(0)
    );
    let id = t["id"].to_string();
    let (code, linked) = json(&db, &["template", "link", &id, "--batch", "T1"]);
    assert_eq!((code, &linked["batches"][0]), (Some(0), &Value::from("T1")));
    // `template list` prints the same page shape as every other `list --json`.
    let (code, list) = json(&db, &["template", "list", "--per-page", "5"]);
    assert_eq!(code, Some(0));
    assert_eq!(
        (
            &list["items"][0]["id"],
            &list["page"],
            &list["per_page"],
            &list["total"],
            &list["total_pages"]
        ),
        (
            &t["id"],
            &Value::from(1),
            &Value::from(5),
            &Value::from(1),
            &Value::from(1)
        )
    );
    assert!(list.get("pagination").is_none(), "{list}");
    let (_, page) = json(
        &db,
        &["codes", "list", "--batch", "T1", "--per-page", "100"],
    );
    let codes = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["code"].as_str().expect("code").to_owned())
        .collect();
    (db, codes)
}

#[test]
fn check_use_and_undo_with_exit_codes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (db, codes) = setup(dir.path(), "3");
    // From the first account on, the counter needs a logged-in staff member.
    add_staff(&db, None, ANN, "owner");
    add_staff(&db, Some(ANN), WANG, "cashier");
    let c = codes[0].as_str();
    let (code, v) = json(&db, &["redeem", "check", c, "--amount", "9999"]);
    assert_eq!(code, Some(3), "refused");
    assert_eq!(v["refusal"]["reason"], "below_least_spend");
    assert_eq!(v["refusal"]["least_fen"], 10000);
    let (code, v) = json_as(
        &db,
        Some(WANG),
        &[
            "redeem",
            "use",
            c,
            "--amount",
            "10000",
            "--terminal",
            "POS-2",
        ],
    );
    assert_eq!(code, Some(0));
    assert_eq!(
        v["redemption"]["operator"], "小王",
        "the logged-in staff member"
    );
    assert_eq!(v["redemption"]["terminal"], "POS-2");
    assert_eq!(v["redemption"]["reduction_fen"], 2000);
    let (code, v) = json_as(&db, Some(WANG), &["redeem", "use", c, "--amount", "10000"]);
    assert_eq!(code, Some(3));
    assert_eq!(v["check"]["refusal"]["reason"], "already_used");
    assert_eq!(v["check"]["refusal"]["terminal"], "POS-2");
    let (code, v) = json_as(&db, Some(WANG), &["redeem", "undo", c]);
    assert_eq!(code, Some(0));
    assert!(v["undone_at"].is_string());
    let (code, _) = json(&db, &["redeem", "check", c, "--amount", "10000"]);
    assert_eq!(code, Some(0), "usable again after the undo");
    let out = run(&db, Some(WANG), &["redeem", "undo", c]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no redemption to undo"));
}

/// The counter's three window settings can be set from a script too, and only by someone
/// who may change settings; bad words are refused by the command line itself.
#[test]
fn counter_settings_from_the_command_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("s.sqlite3");
    let (code, before) = json(&db, &["settings", "show"]);
    assert_eq!(code, Some(0), "{before}");
    assert_eq!(before["sound_on_success"], true);
    assert_eq!(before["sound_on_refusal"], true);
    assert_eq!(before["redeem_on_first_scan"], false);
    add_staff(&db, None, ANN, "owner");
    add_staff(&db, Some(ANN), WANG, "cashier");
    let args = [
        "settings",
        "set",
        "--sound-on-success",
        "off",
        "--redeem-on-first-scan",
        "on",
    ];
    let mut in_json = vec!["--json"];
    in_json.extend_from_slice(&args);
    let refused = run(&db, Some(WANG), &in_json);
    assert_eq!(refused.status.code(), Some(1));
    let refused: Value = serde_json::from_slice(&refused.stderr).expect("the error as JSON");
    assert_eq!(refused["code"], "forbidden");
    let (code, after) = json_as(&db, Some(ANN), &args);
    assert_eq!(code, Some(0), "{after}");
    assert_eq!(after["sound_on_success"], false);
    assert_eq!(after["sound_on_refusal"], true, "untouched");
    assert_eq!(after["redeem_on_first_scan"], true);
    let text = run(&db, Some(ANN), &["settings", "show"]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.trim_end()
            .ends_with("sound on success off, sound on refusal on, redeem on first scan on"),
        "{text}"
    );
    let bad = run(
        &db,
        Some(ANN),
        &["settings", "set", "--sound-on-refusal", "yes"],
    );
    assert_eq!(bad.status.code(), Some(2), "a bad command line");
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("write on or off"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
}

/// `report redemptions --json` prints exactly issue 15's shape, sums what the counter
/// did per staff member, and `--staff S` filters by S without logging anyone in.
#[test]
fn the_redemption_report_by_staff_in_the_promised_shape() {
    const LI: Who = Who {
        name: "小李",
        pin: "6190",
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let (db, codes) = setup(dir.path(), "3");
    add_staff(&db, None, ANN, "owner");
    add_staff(&db, Some(ANN), WANG, "cashier");
    add_staff(&db, Some(ANN), LI, "cashier");
    for (who, code, amount) in [(WANG, 0, "10000"), (WANG, 1, "25000"), (LI, 2, "12000")] {
        let (status, _) = json_as(
            &db,
            Some(who),
            &["redeem", "use", &codes[code], "--amount", amount],
        );
        assert_eq!(status, Some(0));
    }
    // Any zone's today lies within a day of UTC's.
    let today = chrono::Utc::now().date_naive();
    let from = (today - chrono::Duration::days(1)).to_string();
    let to = (today + chrono::Duration::days(1)).to_string();
    let args = [
        "report",
        "redemptions",
        "--from",
        &from,
        "--to",
        &to,
        "--group-by",
        "staff",
    ];
    let (status, v) = json(&db, &args);
    assert_eq!(status, Some(0), "{v}");
    let keys = |o: &Value| {
        let mut k: Vec<String> = o.as_object().expect("object").keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(&v), vec!["groups", "total"]);
    assert_eq!(
        keys(&v["groups"][0]),
        vec!["count", "discount_fen", "key", "label", "order_fen"]
    );
    assert_eq!(
        keys(&v["total"]),
        vec!["count", "discount_fen", "order_fen"]
    );
    assert_eq!(
        (&v["groups"][0]["key"], &v["groups"][0]["count"]),
        (&Value::from("小王"), &Value::from(2))
    );
    assert_eq!(v["groups"][0]["order_fen"], 35000);
    assert_eq!(v["groups"][1]["key"], "小李");
    assert_eq!(
        (
            &v["total"]["count"],
            &v["total"]["discount_fen"],
            &v["total"]["order_fen"]
        ),
        (&Value::from(3), &Value::from(6000), &Value::from(47000))
    );
    // The global --staff is the filter: no PIN asked, nobody logged in.
    let mut filtered = vec!["--json", "--staff", "小李"];
    filtered.extend_from_slice(&args);
    let out = run(&db, None, &filtered);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["total"]["count"], 1);
    // A mistyped day says how to write it.
    let out = run(
        &db,
        None,
        &["report", "redemptions", "--from", "7/12/2026", "--to", &to],
    );
    assert_ne!(out.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("YYYY-MM-DD"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
