//! `coupondesk bonus|voucher|customer` as scripts use it: the real binary on a real file.

mod support;

use std::path::Path;
use std::process::Output;

use serde_json::Value;
use support::{add_staff, run_as, Who};

const OWNER: Who = Who {
    name: "Ann",
    pin: "4821",
};
const AMY: Who = Who {
    name: "amy",
    pin: "55102",
};
const BOB: Who = Who {
    name: "bob",
    pin: "60913",
};

fn run(db: &Path, who: Option<Who>, args: &[&str]) -> Output {
    run_as(db, who, args, "")
}

fn json(db: &Path, args: &[&str]) -> (i32, Value) {
    json_as(db, None, args)
}

fn json_as(db: &Path, who: Option<Who>, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = run(db, who, &all);
    let code = out.status.code().unwrap_or(-1);
    let body = if code == 0 || code == 3 {
        &out.stdout
    } else {
        &out.stderr
    };
    let v = serde_json::from_slice(body).unwrap_or_else(|e| {
        panic!(
            "{args:?}: not one JSON object ({e}): {}",
            String::from_utf8_lossy(body)
        )
    });
    (code, v)
}

#[test]
fn bonus_create_list_and_redeem() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("d.sqlite3");
    let (rc, created) = json(
        &db,
        &[
            "bonus",
            "create",
            "--amount",
            "2.50",
            "--quantity",
            "3",
            "--min-amount",
            "30",
            "--note",
            "FB",
        ],
    );
    assert_eq!(rc, 0);
    assert_eq!(created["created"], 3);
    let codes: Vec<String> = created["codes"]
        .as_array()
        .expect("codes")
        .iter()
        .map(|c| c.as_str().expect("code").to_owned())
        .collect();
    assert_eq!(codes.len(), 3);

    let (rc, list) = json(&db, &["bonus", "list", "--status", "N01"]);
    assert_eq!(rc, 0);
    assert_eq!(list["total"], 3);
    let first = &list["items"][0];
    assert_eq!(first["status"], "N01");
    assert_eq!(first["amount_fen"], 250);
    assert_eq!(first["min_amount_fen"], 3000);
    assert_eq!(first["xname"], "FB");
    assert!(first.get("amountFen").is_none(), "snake_case keys");

    // From the first account on, redeeming needs a logged-in staff member.
    add_staff(&db, None, OWNER, "owner");
    add_staff(&db, Some(OWNER), AMY, "cashier");
    let code = codes[0].as_str();
    let (rc, refused) = json_as(
        &db,
        Some(AMY),
        &["bonus", "redeem", code, "--amount", "29.99"],
    );
    assert_eq!(rc, 3, "refused at the counter");
    assert_eq!(refused["check"]["refusal"]["reason"], "below_min_amount");
    assert_eq!(refused["check"]["refusal"]["min_fen"], 3000);

    let (rc, done) = json_as(
        &db,
        Some(AMY),
        &["bonus", "redeem", &code.to_lowercase(), "--amount", "30"],
    );
    assert_eq!(rc, 0);
    assert_eq!(done["check"]["reduction_fen"], 250);
    assert_eq!(done["redeemed"]["status"], "N02");
    assert_eq!(
        done["redeemed"]["used_by"], "amy",
        "the logged-in staff member"
    );

    let (rc, again) = json_as(&db, Some(AMY), &["bonus", "redeem", code, "--amount", "30"]);
    assert_eq!(rc, 3);
    assert_eq!(again["check"]["refusal"]["reason"], "already_used");

    let (_, used) = json(&db, &["bonus", "list", "--status", "N02"]);
    assert_eq!(used["total"], 1);
    assert_eq!(used["items"][0]["code"], code);
    let (_, unused) = json(&db, &["bonus", "list"]);
    assert_eq!(unused["total"], 2, "N01 is the default, as in spec 002");

    // Undo from the command line, as the window's 最近核销 does: another cashier may not,
    // the one who redeemed may; the bonus is usable again and a second undo finds nothing.
    add_staff(&db, Some(OWNER), BOB, "cashier");
    let (rc, theirs) = json_as(&db, Some(BOB), &["bonus", "undo", code]);
    assert_eq!(rc, 1, "{theirs}");
    assert_eq!(theirs["code"], "forbidden");
    let (rc, undone) = json_as(&db, Some(AMY), &["bonus", "undo", &code.to_lowercase()]);
    assert_eq!(rc, 0, "{undone}");
    assert_eq!(undone["kind"], "bonus");
    assert_eq!(undone["code"], code);
    assert!(undone["undone_at"].is_string(), "{undone}");
    let (_, unused) = json(&db, &["bonus", "list"]);
    assert_eq!(unused["total"], 3, "the bonus is unused again");
    let (rc, twice) = json_as(&db, Some(AMY), &["bonus", "undo", code]);
    assert_eq!(rc, 1);
    assert_eq!(twice["code"], "code_not_redeemed");
    let (rc, none) = json_as(&db, Some(AMY), &["bonus", "undo", "NOSUCHBONUS"]);
    assert_eq!(rc, 1);
    assert_eq!(none["code"], "bonus_not_found");

    let bad = run(&db, Some(OWNER), &["bonus", "create", "--amount", "2.555"]);
    assert_eq!(bad.status.code(), Some(1));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("two decimals"), "{err}");
}

#[test]
fn voucher_sell_use_once_and_customers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("d.sqlite3");
    let (rc, v) = json(
        &db,
        &[
            "voucher",
            "sell",
            "--customer",
            "+86 138 1234 5678",
            "--name",
            "全屋打扫",
            "--price",
            "288",
        ],
    );
    assert_eq!(rc, 0);
    assert_eq!(v["customer"], "13812345678");
    assert_eq!(v["price_fen"], 28800);
    assert_eq!(v["valid"], true);
    let id = v["id"].to_string();
    let (rc, _) = json(&db, &["voucher", "use", &id]);
    assert_eq!(rc, 0);
    let (rc, e) = json(&db, &["voucher", "use", &id]);
    assert_eq!(rc, 1);
    assert_eq!(e["code"], "voucher_already_used");
    let (_, customers) = json(&db, &["customer", "list", "--search", "1234"]);
    assert_eq!(customers["total"], 1);
    let (rc, e) = json(&db, &["customer", "add", "010-12345678"]);
    assert_eq!(rc, 1);
    assert_eq!(e["fields"][0]["field"], "phone");
}
