//! Staff accounts from the command line (issue 12's CLI acceptance): the real binary on
//! a real SQLite file. The first account is the owner and needs no login; from then on
//! every command that changes data needs `--staff NAME` and the PIN, and refuses
//! (`unauthenticated`, `locked_out`, `forbidden`) without changing anything; reads need
//! no PIN. What "nothing changed" means is checked on the database's rows themselves.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rusqlite::types::Value as Sql;
use rusqlite::{Connection, OpenFlags};
use serde_json::Value;
use support::{add_staff, run_as, Who};

const ANN: Who = Who {
    name: "Ann",
    pin: "4821",
};
const MEI: Who = Who {
    name: "Mei",
    pin: "620315",
};
const WANG: Who = Who {
    name: "小王",
    pin: "7305",
};
const LI: Who = Who {
    name: "小李",
    pin: "19460",
};

/// The customer the shop knows, and how a cashier sees the number.
const PHONE: &str = "13812348000";
const MASKED: &str = "138****8000";

const DRAFT: &str = r#"{"offer":{"cash":{"reduceFen":2000,"leastFen":10000}},
 "title":"满100减20","brandName":"海底捞","color":"Color010",
 "logoUrl":"https://example.com/l.png","notice":"出示此券","description":"不可与其他优惠同享",
 "servicePhone":"020-88888888","quantity":1000,"getLimit":1,"codeType":"CODE_TYPE_TEXT",
 "beginAt":"2020-01-01T00:00:00Z","endAt":"2099-01-01T00:00:00Z","term":null,
 "timeLimits":[],"acceptCategory":"","rejectCategory":"","canUseWithOtherDiscount":false}"#;

/// One run with --json: (exit code, stdout, stderr).
fn call(db: &Path, who: Option<Who>, args: &[&str], stdin: &str) -> (Option<i32>, String, String) {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = run_as(db, who, &all, stdin);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A command that must work: its JSON answer.
fn ok(db: &Path, who: Option<Who>, args: &[&str]) -> Value {
    let (code, out, err) = call(db, who, args, "");
    assert_eq!(code, Some(0), "{args:?}: {err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {out}"))
}

/// A command that must fail with exit 1 and `code`: the error object, which is exactly
/// `{code, message, fields}` on one line of stderr, with nothing on stdout.
fn refused(db: &Path, who: Option<Who>, args: &[&str], stdin: &str, code: &str) -> Value {
    let (exit, out, err) = call(db, who, args, stdin);
    assert_eq!(exit, Some(1), "{args:?} as {who:?}: {out} {err}");
    assert_eq!(out, "", "{args:?}: nothing on stdout");
    assert_eq!(err.lines().count(), 1, "{args:?}: one line: {err}");
    let e: Value = serde_json::from_str(&err).unwrap_or_else(|x| panic!("{args:?}: {x}: {err}"));
    let keys: Vec<&str> = e
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["code", "fields", "message"], "{e}");
    assert!(e["fields"].is_array(), "{e}");
    assert_eq!(e["code"], code, "{args:?} as {who:?}: {e}");
    e
}

fn message(e: &Value) -> &str {
    e["message"].as_str().expect("message")
}

/// Every row of every table but `except`, as text: equal before and after means the
/// command changed none of them.
fn rows(db: &Path, except: &[&str]) -> BTreeMap<String, Vec<String>> {
    let conn = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY).expect("open db");
    let mut st = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .expect("tables");
    let tables: Vec<String> = st
        .query_map([], |r| r.get(0))
        .expect("tables")
        .collect::<Result<_, _>>()
        .expect("names");
    let mut all = BTreeMap::new();
    for t in tables.into_iter().filter(|t| !except.contains(&t.as_str())) {
        let mut st = conn
            .prepare(&format!("SELECT * FROM \"{t}\""))
            .expect("select");
        let n = st.column_count();
        let mut found: Vec<String> = st
            .query_map([], |r| {
                (0..n)
                    .map(|i| r.get::<_, Sql>(i).map(|v| format!("{v:?}")))
                    .collect::<Result<Vec<_>, _>>()
                    .map(|v| v.join("|"))
            })
            .expect("rows")
            .collect::<Result<_, _>>()
            .expect("values");
        found.sort();
        all.insert(t, found);
    }
    assert!(all.contains_key("codes"), "the schema is there");
    all
}

/// (actor, action) of the audit entries after entry `after`, oldest first.
fn audit_since(db: &Path, after: i64) -> Vec<(String, String)> {
    let list = ok(db, None, &["audit", "list", "--per-page", "100"]);
    assert!(
        list["total"].as_u64() <= Some(100),
        "one page holds them all"
    );
    let mut found: Vec<(i64, String, String)> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| {
            (
                e["id"].as_i64().expect("id"),
                e["actor"].as_str().expect("actor").to_owned(),
                e["action"].as_str().expect("action").to_owned(),
            )
        })
        .filter(|(id, ..)| *id > after)
        .collect();
    found.sort();
    found.into_iter().map(|(_, a, b)| (a, b)).collect()
}

fn last_audit_id(db: &Path) -> i64 {
    let list = ok(db, None, &["audit", "list", "--per-page", "1"]);
    list["items"][0]["id"].as_i64().unwrap_or(0)
}

fn count(db: &Path, action: &str) -> u64 {
    let list = ok(db, None, &["audit", "list", "--action", action]);
    list["total"].as_u64().expect("total")
}

/// A shop: a template, batch T1 of 6 codes linked to it and a customer, all made before
/// the first account (the OS user acts); then the owner Ann, the manager Mei and the
/// cashiers 小王 and 小李. Returns the database, the codes and the files a test needs.
struct Shop {
    _dir: tempfile::TempDir,
    db: PathBuf,
    codes: Vec<String>,
    draft: String,
    csv: String,
    template: String,
}

impl Shop {
    fn out(&self, name: &str) -> PathBuf {
        self.db.with_file_name(name)
    }
}

fn shop() -> Shop {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("shop.sqlite3");
    let draft = dir.path().join("draft.json");
    std::fs::write(&draft, DRAFT).expect("draft");
    let draft = draft.to_string_lossy().into_owned();
    let csv = dir.path().join("more.csv");
    std::fs::write(&csv, "code\nSTAFFCODE01\nSTAFFCODE02\n").expect("csv");
    let csv = csv.to_string_lossy().into_owned();
    let t = ok(&db, None, &["template", "create", "--file", &draft]);
    let template = t["id"].to_string();
    ok(
        &db,
        None,
        &["batch", "create", "--type", "T1", "--name", "一"],
    );
    ok(
        &db,
        None,
        &["codes", "generate", "--batch", "T1", "--count", "6"],
    );
    ok(&db, None, &["template", "link", &template, "--batch", "T1"]);
    ok(&db, None, &["customer", "add", PHONE, "--name", "陈女士"]);
    let page = ok(&db, None, &["codes", "list", "--batch", "T1"]);
    let codes = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["code"].as_str().expect("code").to_owned())
        .collect();
    add_staff(&db, None, ANN, "owner");
    add_staff(&db, Some(ANN), MEI, "manager");
    add_staff(&db, Some(ANN), WANG, "cashier");
    add_staff(&db, Some(ANN), LI, "cashier");
    Shop {
        _dir: dir,
        db,
        codes,
        draft,
        csv,
        template,
    }
}

#[test]
fn the_first_account_must_be_the_owner_and_needs_no_login() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("new.sqlite3");
    let add = ["staff", "add", "小王", "--role", "cashier", "--pin-stdin"];
    let e = refused(&db, None, &add, "7305\n", "first_must_be_owner");
    assert!(message(&e).contains("owner"), "{e}");
    // A malformed PIN names the field.
    let owner = ["staff", "add", "Ann", "--role", "owner", "--pin-stdin"];
    let e = refused(&db, None, &owner, "48a1\n", "invalid_staff");
    assert_eq!(e["fields"][0]["field"], "pin", "{e}");
    assert_eq!(ok(&db, None, &["staff", "list"]), Value::Array(Vec::new()));

    let (code, out, err) = call(&db, None, &owner, "4821\n");
    assert_eq!(code, Some(0), "{err}");
    let added: Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(
        (&added["name"], &added["role"]),
        (&"Ann".into(), &"owner".into())
    );
    assert!(added.get("pinHash").is_none() && added.get("pin_hash").is_none());
    let first = ok(&db, None, &["audit", "list", "--action", "staff.add"]);
    assert_eq!(first["total"], 1);
    assert_eq!(
        first["items"][0]["actor"], "Ann",
        "the first owner records themself"
    );

    // The second account is the owner's to add.
    let e = refused(&db, None, &add, "7305\n", "unauthenticated");
    assert!(message(&e).contains("--staff"), "{e}");
    let e = refused(&db, None, &owner, "4821\n", "unauthenticated");
    assert!(message(&e).contains("--staff"), "{e}");
    add_staff(&db, Some(ANN), WANG, "cashier");
    let list = ok(&db, None, &["staff", "list"]);
    let names: Vec<(&str, &str)> = list
        .as_array()
        .expect("array")
        .iter()
        .map(|m| {
            (
                m["name"].as_str().expect("name"),
                m["role"].as_str().expect("role"),
            )
        })
        .collect();
    assert_eq!(names, [("Ann", "owner"), ("小王", "cashier")]);
    let e = refused(&db, Some(ANN), &add, "1111\n", "staff_name_taken");
    assert_eq!(e["fields"][0]["field"], "name", "{e}");
}

#[test]
fn without_a_login_every_change_is_refused_and_reads_need_no_pin() {
    let s = shop();
    let db = &s.db;
    let code = s.codes[0].as_str();
    let exports: Vec<PathBuf> = ["codes.csv", "bonus.csv", "voucher.csv", "audit.csv"]
        .iter()
        .map(|n| s.out(n))
        .collect();
    let out = |i: usize| exports[i].to_string_lossy().into_owned();
    let changes: Vec<(Vec<String>, &str)> = vec![
        (vec!["batch", "create", "--type", "T9", "--name", "九"], ""),
        (vec!["codes", "import", "--batch", "T1", &s.csv], ""),
        (
            vec!["codes", "generate", "--batch", "T1", "--count", "2"],
            "",
        ),
        (
            vec!["codes", "export", "--batch", "T1", "--out", &out(0)],
            "",
        ),
        (vec!["codes", "disable", code], ""),
        (vec!["template", "create", "--file", &s.draft], ""),
        (
            vec!["template", "update", &s.template, "--file", &s.draft],
            "",
        ),
        (vec!["template", "unlink", &s.template, "--batch", "T1"], ""),
        (vec!["redeem", "use", code, "--amount", "10000"], ""),
        (vec!["redeem", "undo", code], ""),
        (vec!["settings", "set", "--lock-minutes", "5"], ""),
        (vec!["bonus", "create", "--amount", "3"], ""),
        (vec!["bonus", "export", "--out", &out(1)], ""),
        (
            vec![
                "voucher",
                "sell",
                "--customer",
                PHONE,
                "--name",
                "洗车",
                "--price",
                "20",
            ],
            "",
        ),
        (vec!["voucher", "export", "--out", &out(2)], ""),
        (vec!["customer", "add", "13900001111"], ""),
        (vec!["audit", "export", "--out", &out(3)], ""),
        (
            vec![
                "sync",
                "config",
                "--platform",
                "p004",
                "--url",
                "http://127.0.0.1:9/p004",
            ],
            "",
        ),
        (vec!["sync", "run", "--no-wait", "--max-seconds", "1"], ""),
        (
            vec!["staff", "add", "Bob", "--role", "cashier", "--pin-stdin"],
            "1111\n",
        ),
        (vec!["staff", "disable", "小王"], ""),
        (vec!["staff", "reset-pin", "小王", "--pin-stdin"], "2222\n"),
    ]
    .into_iter()
    .map(|(args, stdin)| (args.into_iter().map(str::to_owned).collect(), stdin))
    .collect();
    let before = rows(db, &[]);
    for (args, stdin) in &changes {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let e = refused(db, None, &args, stdin, "unauthenticated");
        assert!(message(&e).contains("--staff NAME"), "{args:?}: {e}");
    }
    // --staff without any PIN: the same refusal, telling where the PIN goes.
    let e = refused(
        db,
        None,
        &[
            "--staff", "Mei", "batch", "create", "--type", "T9", "--name", "九",
        ],
        "",
        "unauthenticated",
    );
    assert!(message(&e).contains("COUPONDESK_PIN"), "{e}");
    assert_eq!(rows(db, &[]), before, "no row changed, no entry audited");
    for f in &exports {
        assert!(!f.exists(), "{} was written", f.display());
    }

    // Reads need no PIN (and change nothing either).
    let reads: [&[&str]; 13] = [
        &["batch", "list"],
        &["batch", "show", "--type", "T1"],
        &["codes", "list", "--batch", "T1"],
        &["redeem", "check", code, "--amount", "10000"],
        &["redeem", "list"],
        &["template", "list"],
        &["bonus", "list"],
        &["customer", "list"],
        &["audit", "list"],
        &["audit", "verify"],
        &["staff", "list"],
        &["settings", "show"],
        &["info"],
    ];
    for args in reads {
        ok(db, None, args);
    }
    let verify = ok(db, None, &["audit", "verify"]);
    assert_eq!(verify["verdict"], "intact", "{verify}");
    assert_eq!(rows(db, &[]), before, "reading changed nothing");
}

#[test]
fn five_wrong_pins_lock_the_account_and_every_failure_is_audited() {
    let s = shop();
    let db = &s.db;
    let create = ["batch", "create", "--type", "T9", "--name", "九"];
    let wrong = Who {
        name: "Mei",
        pin: "000000",
    };
    let before = rows(db, &["audit_log", "staff"]);
    for left in (1..=4).rev() {
        let e = refused(db, Some(wrong), &create, "", "unauthenticated");
        assert!(
            message(&e).contains(&format!("{left} more wrong PIN")),
            "{left}: {e}"
        );
    }
    let e = refused(db, Some(wrong), &create, "", "locked_out");
    assert!(message(&e).contains("60 s"), "{e}");
    // The right PIN is refused during the lockout, given either way.
    let e = refused(db, Some(MEI), &create, "", "locked_out");
    assert!(message(&e).contains("try again in"), "{e}");
    let e = refused(
        db,
        None,
        &[
            "--staff",
            "Mei",
            "--pin-stdin",
            "batch",
            "create",
            "--type",
            "T9",
            "--name",
            "九",
        ],
        "620315\n",
        "locked_out",
    );
    assert!(message(&e).contains("Mei"), "{e}");
    assert_eq!(rows(db, &["audit_log", "staff"]), before, "nothing created");
    assert_eq!(count(db, "staff.login_failed"), 5);
    assert_eq!(count(db, "staff.locked_out"), 1);
    assert_eq!(count(db, "staff.login_locked"), 2);
    let failed = ok(
        db,
        None,
        &["audit", "list", "--action", "staff.login_failed"],
    );
    assert_eq!(failed["items"][0]["actor"], "Mei");
    assert_eq!(failed["items"][0]["subject"], "Mei");
    // An unknown name is refused too, without saying more.
    let e = refused(
        db,
        Some(Who {
            name: "Nobody",
            pin: "1234",
        }),
        &create,
        "",
        "unauthenticated",
    );
    assert!(message(&e).contains("Nobody"), "{e}");

    // The owner's new PIN ends the lockout; the old PIN no longer works.
    let (code, _, err) = call(
        db,
        Some(ANN),
        &["staff", "reset-pin", "Mei", "--pin-stdin"],
        "55667788\n",
    );
    assert_eq!(code, Some(0), "{err}");
    refused(db, Some(MEI), &create, "", "unauthenticated");
    let new = Who {
        name: "Mei",
        pin: "55667788",
    };
    let b = ok(db, Some(new), &create);
    assert_eq!(b["ticket_type"], "T9", "{b}");
    assert_eq!(count(db, "staff.reset_pin"), 1);
    // Only the owner resets PINs.
    refused(
        db,
        Some(new),
        &["staff", "reset-pin", "小王", "--pin-stdin"],
        "1234\n",
        "forbidden",
    );
}

#[test]
fn a_cashier_redeems_and_undoes_their_own_and_nothing_more() {
    let s = shop();
    let db = &s.db;
    let export = s.out("codes.csv");
    let export_arg = export.to_string_lossy().into_owned();
    let forbidden: [(&[&str], &str); 7] = [
        (&["settings", "set", "--lock-minutes", "5"], ""),
        (
            &["staff", "add", "Bob", "--role", "cashier", "--pin-stdin"],
            "1111\n",
        ),
        (&["codes", "import", "--batch", "T1", &s.csv], ""),
        (&["codes", "generate", "--batch", "T1", "--count", "2"], ""),
        (
            &["codes", "export", "--batch", "T1", "--out", &export_arg],
            "",
        ),
        (&["bonus", "create", "--amount", "3"], ""),
        (&["template", "create", "--file", &s.draft], ""),
    ];
    let before = rows(db, &["audit_log"]);
    let mark = last_audit_id(db);
    for (args, stdin) in forbidden {
        let e = refused(db, Some(WANG), args, stdin, "forbidden");
        assert!(
            message(&e).starts_with("a cashier may not"),
            "{args:?}: {e}"
        );
    }
    assert_eq!(rows(db, &["audit_log"]), before, "nothing changed");
    assert!(!export.exists(), "the export was written");
    let logins = vec![("小王".to_owned(), "staff.login".to_owned()); forbidden.len()];
    assert_eq!(audit_since(db, mark), logins, "only the logins are audited");

    // The counter is the cashier's: redeem and undo their own.
    let (a, b) = (s.codes[0].as_str(), s.codes[1].as_str());
    let r = ok(db, Some(WANG), &["redeem", "use", a, "--amount", "10000"]);
    assert_eq!(r["redemption"]["operator"], "小王");
    let u = ok(db, Some(WANG), &["redeem", "undo", a]);
    assert!(u["undone_at"].is_string(), "{u}");

    // Another cashier's redemption is not theirs to undo; a manager's it is.
    let r = ok(db, Some(WANG), &["redeem", "use", b, "--amount", "10000"]);
    assert_eq!(r["redemption"]["operator"], "小王");
    let e = refused(db, Some(LI), &["redeem", "undo", b], "", "forbidden");
    assert!(message(&e).contains("manager"), "{e}");
    let (code, check, _) = call(db, None, &["redeem", "check", b, "--amount", "10000"], "");
    assert_eq!(code, Some(3), "still redeemed: {check}");
    let u = ok(db, Some(MEI), &["redeem", "undo", b]);
    assert!(u["undone_at"].is_string(), "{u}");
    let undone = ok(
        db,
        None,
        &[
            "audit",
            "list",
            "--action",
            "code.redeem_undo",
            "--subject",
            b,
        ],
    );
    assert_eq!(undone["total"], 1, "{undone}");
    assert_eq!(undone["items"][0]["actor"], "Mei");
    let (code, _, err) = call(db, None, &["redeem", "check", b, "--amount", "10000"], "");
    assert_eq!(code, Some(0), "usable again: {err}");
}

#[test]
fn disabled_staff_cannot_log_in_and_the_last_owner_stays() {
    let s = shop();
    let db = &s.db;
    let redeem = ["redeem", "use", s.codes[0].as_str(), "--amount", "10000"];
    refused(
        db,
        Some(MEI),
        &["staff", "disable", "小李"],
        "",
        "forbidden",
    );
    let m = ok(db, Some(ANN), &["staff", "disable", "小李"]);
    assert_eq!((&m["name"], &m["disabled"]), (&"小李".into(), &true.into()));
    let e = refused(db, Some(LI), &redeem, "", "unauthenticated");
    assert!(message(&e).contains("小李"), "{e}");
    let list = ok(db, None, &["staff", "list"]);
    let last = list.as_array().and_then(|l| l.last()).expect("a member");
    assert_eq!(
        (&last["name"], &last["disabled"]),
        (&"小李".into(), &true.into())
    );

    let e = refused(
        db,
        Some(ANN),
        &["staff", "disable", "Ann"],
        "",
        "last_owner",
    );
    assert!(message(&e).contains("owner"), "{e}");
    ok(db, Some(ANN), &["staff", "list"]);
    refused(
        db,
        Some(ANN),
        &["staff", "disable", "Nobody"],
        "",
        "staff_not_found",
    );
    // With a second owner, the first may go; then they cannot log in either.
    add_staff(
        db,
        Some(ANN),
        Who {
            name: "Bo",
            pin: "8080",
        },
        "owner",
    );
    ok(db, Some(ANN), &["staff", "disable", "Ann"]);
    refused(db, Some(ANN), &redeem, "", "unauthenticated");
    assert_eq!(count(db, "staff.disable"), 2);
}

#[test]
fn phones_are_masked_for_cashiers_and_full_for_managers() {
    let s = shop();
    let db = &s.db;
    let phones = |who: Option<Who>| -> Vec<String> {
        let list = ok(db, who, &["customer", "list"]);
        list["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|c| c["phone"].as_str().expect("phone").to_owned())
            .collect()
    };
    assert_eq!(phones(Some(WANG)), [MASKED]);
    assert_eq!(phones(None), [MASKED], "nobody logged in sees no more");
    assert_eq!(phones(Some(MEI)), [PHONE]);
    assert_eq!(phones(Some(ANN)), [PHONE]);
    // The text output too.
    let out = run_as(db, Some(WANG), &["customer", "list"], "");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(MASKED) && !text.contains(PHONE), "{text}");
}

#[test]
fn errors_without_json_are_one_line_on_stderr() {
    let s = shop();
    let out = run_as(
        &s.db,
        Some(WANG),
        &["settings", "set", "--lock-minutes", "5"],
        "",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("error: a cashier may not change the settings"),
        "{err}"
    );
}

#[test]
fn the_owner_enables_an_account_and_changes_a_role_but_the_last_owner_stays() {
    let s = shop();
    let db = &s.db;
    let redeem = ["redeem", "use", s.codes[0].as_str(), "--amount", "10000"];
    ok(db, Some(ANN), &["staff", "disable", "小李"]);
    refused(db, Some(LI), &redeem, "", "unauthenticated");
    refused(db, Some(MEI), &["staff", "enable", "小李"], "", "forbidden");
    let m = ok(db, Some(ANN), &["staff", "enable", "小李"]);
    assert_eq!(
        (&m["name"], &m["disabled"]),
        (&"小李".into(), &false.into())
    );
    ok(db, Some(LI), &redeem);
    assert_eq!(count(db, "staff.enable"), 1);

    // A cashier made manager may disable codes; the last owner stays an owner.
    refused(
        db,
        Some(WANG),
        &["codes", "disable", &s.codes[1]],
        "",
        "forbidden",
    );
    let m = ok(
        db,
        Some(ANN),
        &["staff", "role", "小王", "--role", "manager"],
    );
    assert_eq!(m["role"], "manager");
    ok(db, Some(WANG), &["codes", "disable", &s.codes[1]]);
    refused(
        db,
        Some(ANN),
        &["staff", "role", "Ann", "--role", "manager"],
        "",
        "last_owner",
    );
    assert_eq!(count(db, "staff.role"), 1);
}
