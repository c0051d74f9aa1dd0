//! Every command of the command table × every role (cashier, manager, owner) and no one
//! logged in, against the documented matrix in docs/staff-and-audit.md (read from the
//! file: the table there IS the expectation, and a command missing from it fails).
//!
//! Each cell runs on its own copy of one base database (made by real commands: a
//! template, batches, imported codes, redemptions by two cashiers, a bonus, a voucher, a
//! customer, four staff accounts), through `api::call_json` / `api::call_job_json`, the
//! entry points the window's dev server uses. A cell passes when:
//! - `yes`: the answer is not `forbidden` / `unauthenticated` / `locked_out` (the
//!   arguments are real, so most answer Ok; a few answer a domain error such as
//!   `owner_exists`, which is still "allowed");
//! - `no`: `forbidden`; `login`: `unauthenticated`;
//! - `own` (a cashier's undo): their own redemption is undone, another's is `forbidden`.
//!
//! And every audit entry a logged-in staff member's command wrote names them (or `sync`,
//! or a platform), never the OS user: the proof that the use case entered `acting`.
//!
//! Every action and top-level detail key written in all those databases must be one the
//! window has words for: the lists `AUDIT_ACTIONS` and `AUDIT_DETAIL_KEYS` in
//! ui/src/lib/audit.ts (read from the file; its vitest checks each has words in both
//! languages), so staff never read an internal name in the audit views.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use coupondesk_core::api::{self, COMMANDS};
use coupondesk_core::{ApiError, Desk};
use serde_json::{json, Value};

const DRAFT: &str = r#"{"offer":{"cash":{"reduceFen":2000,"leastFen":10000}},
 "title":"满100减20","brandName":"海底捞","color":"Color010",
 "logoUrl":"https://example.com/l.png","notice":"出示此券","description":"不可与其他优惠同享",
 "servicePhone":"020-88888888","quantity":1000,"getLimit":1,"codeType":"CODE_TYPE_TEXT",
 "beginAt":"2020-01-01T00:00:00Z","endAt":"2099-01-01T00:00:00Z","term":null,
 "timeLimits":[],"acceptCategory":"","rejectCategory":"","canUseWithOtherDiscount":false}"#;

/// The report over the last week, by day, unfiltered.
fn report_query() -> Value {
    let today = chrono::Utc::now().date_naive();
    json!({ "from": (today - chrono::Duration::days(7)).to_string(), "to": today.to_string(),
            "groupBy": "day", "staff": null, "terminal": null, "templateId": null,
            "batch": null, "kind": null })
}

/// Twelve A-Z0-9 characters each, like real codes.
const CODES: [&str; 8] = [
    "K7Q2M9XW4TZA",
    "P3VN8R2LQ6DE",
    "B9HT4WY7C2KM",
    "Z5RX1QJ8N3GS",
    "M2LD7VK4P9QT",
    "W8CE3NZ6H1RY",
    "T4JG9BX2M7UF",
    "Q6SA5KD8R3VN",
];

const STAFF: [(&str, &str, &str); 4] = [
    ("王老板", "owner", "11112222"),
    ("李店长", "manager", "2222"),
    ("小张", "cashier", "3333"),
    ("小陈", "cashier", "4444"),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Yes,
    No,
    Login,
    Own,
}

/// Who runs a cell: the column of the matrix.
const WHO: [(&str, Option<(&str, &str)>); 4] = [
    ("cashier", Some(("小张", "3333"))),
    ("manager", Some(("李店长", "2222"))),
    ("owner", Some(("王老板", "11112222"))),
    ("no one", None),
];

fn docs_matrix() -> BTreeMap<String, [Expect; 4]> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/staff-and-audit.md");
    let text = std::fs::read_to_string(&path).expect("docs/staff-and-audit.md");
    let start = text
        .find("<!-- permission-matrix:start -->")
        .expect("the matrix's start marker");
    let end = text
        .find("<!-- permission-matrix:end -->")
        .expect("the matrix's end marker");
    let mut out = BTreeMap::new();
    for line in text[start..end].lines().filter(|l| l.starts_with("| ")) {
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        if cells[0] == "command" {
            continue;
        }
        assert_eq!(cells.len(), 6, "a matrix row has 6 cells: {line}");
        let parse = |c: &str| match c {
            "yes" => Expect::Yes,
            "no" => Expect::No,
            "login" => Expect::Login,
            "own" => Expect::Own,
            other => panic!("unknown cell {other:?} in {line}"),
        };
        let row = [
            parse(cells[2]),
            parse(cells[3]),
            parse(cells[4]),
            parse(cells[5]),
        ];
        assert!(
            out.insert(cells[0].to_owned(), row).is_none(),
            "{} twice in the matrix",
            cells[0]
        );
    }
    out
}

fn call(desk: &Desk, name: &str, args: Value) -> Result<Value, ApiError> {
    let info = api::command(name).unwrap_or_else(|| panic!("no command {name}"));
    if info.job {
        api::call_job_json(desk, name, "job-1", args, &mut |_| {})
    } else {
        api::call_json(desk, name, args)
    }
}

fn ok(desk: &Desk, name: &str, args: Value) -> Value {
    call(desk, name, args).unwrap_or_else(|e| panic!("{name}: {e:?}"))
}

fn page() -> Value {
    json!({ "page": 1, "perPage": 20 })
}

fn import_options() -> Value {
    json!({ "encoding": "auto", "header": "auto", "column": null })
}

struct Base {
    dir: tempfile::TempDir,
    db: PathBuf,
    csv: PathBuf,
}

/// The base database, made through the command table (setup mode first, then as staff).
fn base() -> Base {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("base.sqlite3");
    let csv = dir.path().join("codes.csv");
    std::fs::write(&csv, format!("code\n{}\n", CODES.join("\n"))).expect("csv");
    let desk = Desk::open(&db).expect("open");
    let draft: Value = serde_json::from_str(DRAFT).expect("draft");
    ok(&desk, "template_create", json!({ "draft": draft }));
    ok(
        &desk,
        "batch_create",
        json!({ "ticketType": "T1", "name": "一期" }),
    );
    ok(
        &desk,
        "batch_create",
        json!({ "ticketType": "T2", "name": "二期" }),
    );
    ok(
        &desk,
        "codes_import",
        json!({ "path": csv, "target": { "existing": "T1" }, "options": import_options() }),
    );
    ok(
        &desk,
        "template_link_batch",
        json!({ "id": 1, "ticketType": "T1", "platformBatch": null }),
    );
    ok(
        &desk,
        "customer_add",
        json!({ "draft": { "phone": "13800138000", "name": "王小明" } }),
    );
    ok(
        &desk,
        "bonus_create",
        json!({ "draft": { "amountFen": 500, "quantity": 5, "expiredAt": null,
                           "minAmountFen": 0, "xname": "", "productSku": null,
                           "enabled": true } }),
    );
    ok(
        &desk,
        "voucher_sell",
        json!({ "draft": { "customer": "13800138000", "customerName": "", "name": "全屋打扫",
                           "priceFen": 28800, "pkg": null, "introduction": "", "paid": true } }),
    );
    let (owner, _, pin) = STAFF[0];
    ok(
        &desk,
        "staff_setup_owner",
        json!({ "draft": { "name": owner, "role": "owner", "pin": pin } }),
    );
    for (name, role, pin) in &STAFF[1..] {
        ok(
            &desk,
            "staff_add",
            json!({ "draft": { "name": name, "role": role, "pin": pin } }),
        );
    }
    // Redemption 1 by 小张, redemption 2 by 小陈.
    for (i, (name, pin)) in [("小张", "3333"), ("小陈", "4444")].into_iter().enumerate() {
        ok(&desk, "staff_login", json!({ "name": name, "pin": pin }));
        let used = ok(
            &desk,
            "counter_use",
            json!({ "request": { "code": CODES[i], "orderFen": 15000, "customer": null,
                                 "productSku": null } }),
        );
        assert_eq!(used["redemption"]["operator"], name, "{used}");
        // Bonus redemption 1 by 小张, 2 by 小陈 (bonuses 4 and 5; 1-3 stay unused).
        let bonus = ok(&desk, "bonus_get", json!({ "id": 4 + i }));
        let used = ok(
            &desk,
            "counter_use",
            json!({ "request": { "code": bonus["code"], "orderFen": 15000, "customer": null,
                                 "productSku": null } }),
        );
        assert_eq!(used["kind"], "bonus", "{used}");
    }
    ok(&desk, "staff_lock", json!({}));
    drop(desk);
    Base { dir, db, csv }
}

/// The arguments each command gets: real ones, on the base database's content.
fn args_for(name: &str, desk: &Desk, out: &Path, csv: &Path) -> Value {
    let draft: Value = serde_json::from_str(DRAFT).expect("draft");
    let out = out.join(format!("{name}.csv"));
    match name {
        "app_info" | "settings_get" | "staff_session" | "staff_keep_alive" | "staff_lock"
        | "staff_list" | "audit_verify" | "sync_status" | "sync_settings_get"
        | "credentials_store" => json!({}),
        "window_memory" => json!({ "pageAgeMs": 0 }),
        "settings_save" => json!({ "settings": ok(desk, "settings_get", json!({})) }),
        "batch_create" => json!({ "ticketType": "T9", "name": "九期" }),
        "batch_list" => json!({ "query": { "ticketType": null, "name": null, "page": page() } }),
        "batch_get" => json!({ "ticketType": "T1" }),
        "codes_list" => json!({ "query": { "ticketType": "T1", "status": null, "search": null,
                                           "page": page() } }),
        "import_preview" => json!({ "path": csv, "options": import_options() }),
        "job_cancel" => json!({ "jobId": "not-running" }),
        "staff_setup_owner" => {
            json!({ "draft": { "name": "又一个老板", "role": "owner", "pin": "9999" } })
        }
        "staff_login" => json!({ "name": "小陈", "pin": "4444" }),
        "staff_add" => json!({ "draft": { "name": "新人", "role": "cashier", "pin": "5555" } }),
        "staff_disable" => json!({ "name": "小陈" }),
        "staff_reset_pin" => json!({ "name": "小陈", "pin": "5555" }),
        "staff_enable" => json!({ "name": "小陈" }),
        "staff_set_role" => json!({ "name": "小陈", "role": "manager" }),
        "template_create" | "template_check" => json!({ "draft": draft }),
        "template_update" => json!({ "id": 1, "draft": draft }),
        "template_get" => json!({ "id": 1 }),
        "template_logo_add" => {
            let png = out.with_file_name("logo.png");
            std::fs::write(&png, b"\x89PNG\r\n\x1a\n a logo").expect("png");
            json!({ "path": png })
        }
        "template_logo_get" => json!({ "sha256": "0".repeat(64) }),
        "template_list" => json!({ "query": { "kind": null, "beginFrom": null, "endBefore": null,
                                              "title": null, "page": page() } }),
        "template_link_batch" => json!({ "id": 1, "ticketType": "T2", "platformBatch": null }),
        "template_unlink_batch" => json!({ "id": 1, "ticketType": "T1" }),
        "redeem_undo" | "bonus_redeem_undo" => json!({ "redemptionId": 1 }),
        "redemption_list" => json!({ "page": page() }),
        "code_disable" => json!({ "code": CODES[2] }),
        "counter_check" | "counter_use" => {
            json!({ "request": { "code": CODES[3], "orderFen": 15000, "customer": null,
                                 "productSku": null } })
        }
        "bonus_create" => json!({ "draft": { "amountFen": 300, "quantity": 1, "expiredAt": null,
                                             "minAmountFen": 0, "xname": "", "productSku": null,
                                             "enabled": true } }),
        "bonus_list" => json!({ "query": { "status": null, "customer": null, "page": page() } }),
        "bonus_get" => json!({ "id": 1 }),
        "bonus_grant" => json!({ "id": 1, "customer": "13900139000", "customerName": null }),
        "bonus_disable" => json!({ "id": 2 }),
        "bonus_disable_run" => json!({ "run": 1 }),
        "bonus_export" => json!({ "query": { "status": null, "customer": null, "page": page() },
                                  "path": out }),
        "voucher_sell" => json!({ "draft": { "customer": "13900139001", "customerName": "李华",
                                             "name": "空调清洗", "priceFen": 9900, "pkg": null,
                                             "introduction": "", "paid": true } }),
        "voucher_list" | "voucher_export" => {
            let q = json!({ "name": null, "nopkg": false, "customer": null, "valid": null,
                            "page": page() });
            if name == "voucher_list" {
                json!({ "query": q })
            } else {
                json!({ "query": q, "path": out })
            }
        }
        "voucher_get" | "voucher_use" => json!({ "id": 1 }),
        "customer_add" => json!({ "draft": { "phone": "13700001111", "name": "李华" } }),
        "customer_list" => json!({ "search": null, "page": page() }),
        "customer_profile" => json!({ "id": 1 }),
        "audit_list" | "audit_export" => {
            let q = json!({ "actor": null, "action": null, "subject": null, "since": null,
                            "until": null, "page": page() });
            if name == "audit_list" {
                json!({ "query": q })
            } else {
                json!({ "query": q, "path": out })
            }
        }
        "report_redemptions" => json!({ "query": report_query() }),
        "report_export" => json!({ "query": report_query(), "path": out }),
        "report_rows" => json!({ "query": { "report": report_query(), "group": null,
                                            "page": page() } }),
        "dashboard_get" => json!({ "query": { "days": 7 } }),
        "reconcile_get" => json!({}),
        "reconcile_items" => {
            json!({ "query": { "platform": "p003", "key": null, "page": page() } })
        }
        "reconcile_export" => {
            json!({ "query": { "platform": "p003", "key": null, "page": page() }, "path": out })
        }
        "report_close" => json!({ "query": { "day": "2026-12-01", "terminal": null } }),
        "sync_settings_save" => json!({ "settings": {
            "platform": "p004", "enabled": false, "baseUrl": "http://127.0.0.1:9/p004",
            "appId": "", "brandId": "", "signType": "", "shopNo": "", "org": "", "caFile": "",
            "allowHttp": true, "uploadPath": "", "secret": null, "clearSecret": false } }),
        "sync_test" => json!({ "platform": "p004" }),
        "sync_now" => json!({ "platform": null }),
        "sync_outbox" => json!({ "query": { "platform": null, "state": null, "ticketType": null,
                                            "page": page() } }),
        "sync_conflict_retry" => json!({ "id": 1 }),
        "sync_conflict_edit" => json!({ "id": 1, "payload": {} }),
        "sync_conflict_discard" => json!({ "id": 1, "reason": "done in the console" }),
        "codes_activate" => json!({ "request": { "ticketType": "T1", "codes": [CODES[4]],
                                                 "activate": true } }),
        "codes_import" => {
            json!({ "path": csv, "target": { "existing": "T2" }, "options": import_options() })
        }
        "codes_generate" => json!({ "request": { "ticketType": "T2", "count": 5, "length": null,
                                                 "prefix": null } }),
        "codes_export" => json!({ "ticketType": "T1", "path": out }),
        "codes_print" => json!({ "request": { "ticketType": "T1" }, "path": out }),
        "import_issues_export" => json!({ "runId": 1, "path": out }),
        "backup_now" => json!({ "path": out, "overwrite": true }),
        "backup_list" => json!({}),
        // Chain mode: the base desk never joined a hub, so the hub's commands answer
        // `hub_not_joined` once the right is checked (an allowed answer).
        "hub_status"
        | "hub_push"
        | "hub_conflicts"
        | "hub_use_conflicts"
        | "hub_vouchers_offline"
        | "hub_bonuses_offline"
        | "hub_audit_verify" => json!({}),
        "hub_audit_list" => json!({ "query": {} }),
        "hub_audit_export" => json!({ "query": {}, "path": out }),
        "hub_use_conflict_settle" => {
            json!({ "kind": "voucher", "id": 1, "settlement": "paid again" })
        }
        "hub_vouchers_offline_set" | "hub_bonuses_offline_set" => json!({ "allowed": true }),
        "hub_deadline_set" => json!({ "deadlineMs": 1500 }),
        "hub_platform_desk_set" => json!({ "store": null, "terminal": null }),
        "hub_conflict_settle" => json!({ "id": 1, "settlement": "customer paid" }),
        "template_offline_policy" => json!({ "template": 1 }),
        "template_offline_policy_set" => json!({ "template": 1, "policy": { "mode": "allowed" } }),
        other => panic!("no arguments for {other}: add them here and a row to the matrix"),
    }
}

/// A fresh copy of the base database (`VACUUM INTO`: one consistent file).
fn copy_of(base: &Base, name: &str) -> PathBuf {
    let to = base.dir.path().join(format!("{name}.sqlite3"));
    let conn = rusqlite::Connection::open(&base.db).expect("base");
    conn.execute("VACUUM INTO ?1", [to.to_string_lossy()])
        .expect("vacuum into");
    to
}

fn refusal(r: &Result<Value, ApiError>) -> Option<&str> {
    match r {
        Err(e) if ["forbidden", "unauthenticated", "locked_out"].contains(&e.code.as_str()) => {
            Some(e.code.as_str())
        }
        _ => None,
    }
}

fn last_audit_id(db: &Path) -> i64 {
    let conn = rusqlite::Connection::open(db).expect("open");
    conn.query_row("SELECT coalesce(max(id), 0) FROM audit_log", [], |r| {
        r.get(0)
    })
    .expect("max id")
}

/// The string literals of `export const NAME ... = [ ... ];` in ui/src/lib/audit.ts.
fn ui_list(name: &str) -> BTreeSet<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/lib/audit.ts");
    let text = std::fs::read_to_string(&path).expect("ui/src/lib/audit.ts");
    let start = text
        .find(&format!("export const {name}"))
        .unwrap_or_else(|| panic!("{name} is not in {}", path.display()));
    let body = &text[start..];
    let body = &body[body.find('[').expect("[")..body.find("];").expect("];")];
    body.split('\'')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

/// Every (action, top-level detail key) in the database's audit trail.
fn audit_words(db: &Path, into: &mut BTreeSet<(String, String)>) {
    let conn = rusqlite::Connection::open(db).expect("open");
    let mut st = conn
        .prepare("SELECT action, detail FROM audit_log")
        .expect("prepare");
    let rows = st
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .expect("query");
    for row in rows {
        let (action, detail) = row.expect("row");
        let detail: Value = serde_json::from_str(&detail).expect("detail is JSON");
        into.insert((action.clone(), String::new()));
        if let Value::Object(map) = detail {
            into.extend(map.keys().map(|k| (action.clone(), k.clone())));
        }
    }
}

fn actors_since(db: &Path, id: i64) -> Vec<(String, String)> {
    let conn = rusqlite::Connection::open(db).expect("open");
    let mut st = conn
        .prepare("SELECT actor, action FROM audit_log WHERE id > ?1")
        .expect("prepare");
    let rows = st
        .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query");
    rows.collect::<Result<_, _>>().expect("rows")
}

#[test]
fn every_command_for_every_role_matches_the_documented_matrix() {
    let matrix = docs_matrix();
    let names: Vec<&str> = COMMANDS.iter().map(|c| c.name).collect();
    for name in &names {
        assert!(
            matrix.contains_key(*name),
            "{name} is in the command table but not in the matrix of docs/staff-and-audit.md"
        );
    }
    for name in matrix.keys() {
        assert!(
            names.contains(&name.as_str()),
            "{name} is in the matrix but not in the command table"
        );
    }
    let base = base();
    let out = base.dir.path().join("out");
    std::fs::create_dir_all(&out).expect("out dir");
    let os_user = std::env::var("USER").unwrap_or_else(|_| "staff".into());
    let mut failures = Vec::new();
    let mut cells = 0;
    let mut written_words = BTreeSet::new();
    audit_words(&base.db, &mut written_words);
    for name in &names {
        for (col, (who, login)) in WHO.iter().enumerate() {
            let expect = matrix[*name][col];
            let db = copy_of(&base, &format!("{name}-{col}"));
            let desk = Desk::open(&db).expect("open copy");
            if let Some((staff, pin)) = login {
                ok(&desk, "staff_login", json!({ "name": staff, "pin": pin }));
            }
            let before = last_audit_id(&db);
            let args = args_for(name, &desk, &out, &base.csv);
            let got = call(&desk, name, args);
            cells += 1;
            let fine = match expect {
                Expect::Yes => refusal(&got).is_none(),
                Expect::No => refusal(&got) == Some("forbidden"),
                Expect::Login => refusal(&got) == Some("unauthenticated"),
                Expect::Own => {
                    // Redemption 1 is 小张's own; 2 is 小陈's.
                    let other = call(&desk, name, json!({ "redemptionId": 2 }));
                    got.is_ok() && refusal(&other) == Some("forbidden")
                }
            };
            if !fine {
                failures.push(format!("{name} as {who}: expected {expect:?}, got {got:?}"));
            }
            audit_words(&db, &mut written_words);
            if login.is_some() && got.is_ok() {
                let written = actors_since(&db, before);
                // An export carries customers' data out: it is audited, by its staff member.
                if name.ends_with("_export")
                    && !written
                        .iter()
                        .any(|(a, act)| act.ends_with(".export") && a == login.map_or("", |l| l.0))
                {
                    failures.push(format!("{name} as {who}: no .export entry in {written:?}"));
                }
                for (actor, action) in written {
                    if actor == os_user {
                        failures.push(format!(
                            "{name} as {who}: {action} recorded under the OS user {actor}"
                        ));
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {cells} cells differ from docs/staff-and-audit.md:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(cells, names.len() * 4);
    let (actions, keys) = (ui_list("AUDIT_ACTIONS"), ui_list("AUDIT_DETAIL_KEYS"));
    let unworded: Vec<String> = written_words
        .iter()
        .filter(|(a, k)| !actions.contains(a) || !(k.is_empty() || keys.contains(k)))
        .map(|(a, k)| format!("{a} {k}"))
        .collect();
    assert!(
        unworded.is_empty(),
        "the audit trail holds actions or detail keys ui/src/lib/audit.ts has no words for \
         (add them to AUDIT_ACTIONS / AUDIT_DETAIL_KEYS and the i18n tables): {unworded:?}"
    );
    assert!(written_words.len() > 40, "{written_words:?}");
}

#[test]
fn a_refused_command_changes_nothing() {
    let base = base();
    let out = base.dir.path().join("out");
    std::fs::create_dir_all(&out).expect("out dir");
    let db = copy_of(&base, "refused");
    let desk = Desk::open(&db).expect("open");
    ok(
        &desk,
        "staff_login",
        json!({ "name": "小张", "pin": "3333" }),
    );
    let before = last_audit_id(&db);
    for name in [
        "settings_save",
        "staff_add",
        "codes_generate",
        "code_disable",
        "bonus_create",
    ] {
        let args = args_for(name, &desk, &out, &base.csv);
        let got = call(&desk, name, args);
        assert_eq!(refusal(&got), Some("forbidden"), "{name}: {got:?}");
    }
    // No entry: nothing was done, so nothing is recorded (the refusal is the answer).
    assert_eq!(last_audit_id(&db), before);
    let codes = ok(
        &desk,
        "codes_list",
        json!({ "query": { "ticketType": "T2", "status": null, "search": null, "page": page() } }),
    );
    assert_eq!(codes["total"], 0, "nothing generated into T2: {codes}");
    let still = ok(
        &desk,
        "codes_list",
        json!({ "query": { "ticketType": "T1", "status": null, "search": CODES[2],
                           "page": page() } }),
    );
    assert_ne!(still["items"][0]["status"], "disabled", "{still}");
}
