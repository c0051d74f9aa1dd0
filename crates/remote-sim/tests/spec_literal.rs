//! Spec-literal mode over loopback HTTP: only the documented paths, answers shaped like the
//! documents' examples, 000 batches through the console, 003 without `id`.

mod common;
use common::{keys, sorted, start, start_literal, Client};
use coupondesk_remote_sim::SimError;
use serde_json::{json, Value};

const AT: (&str, &str) = ("X-Le-Sense-AT", "sense-token-000");
const BONUS: (&str, &str) = ("Authorization", "Bearer bonus-token-002");
const VOUCHER: (&str, &str) = ("Authorization", "Bearer voucher-token-003");
const WX: (&str, &str) = ("Authorization", "Bearer wxcard-token-001");

fn tickets_named(c: &Client, name: &str) -> Value {
    c.ok(
        "GET",
        &format!("/p000/tickets?ticket_name={name}"),
        &[AT],
        None,
    )
    .json()
}

#[test]
fn p000_test_answers_the_spec_example_in_both_modes() {
    for (sim, c) in [start(), start_literal()] {
        let r = c.ok("GET", "/p000/test", &[AT], None);
        assert_eq!((r.status, r.text.as_str()), (200, r#"{"ok":true}"#));
        drop(sim);
    }
}

#[test]
fn p000_literal_has_no_upload_extension_and_404s_in_its_own_shape() {
    let (sim, c) = start_literal();
    let body = json!({"batch_no": "B1", "codes": ["A1"]});
    for (m, path) in [
        ("POST", "/p000/ext/batches"),
        ("GET", "/p000/nope"),
        ("GET", "/p000/ext/batches"),
    ] {
        let r = c.ok(m, path, &[AT], Some(&body));
        assert_eq!(r.status, 404, "{m} {path}");
        assert_eq!(r.json()["head"]["ret"], 3, "{m} {path}: {}", r.text);
    }
    assert_eq!(sim.counters().applied_total("p000.upload_batch"), 0);
    // the non-literal sim still has the extension
    let (_plain, c) = start();
    let r = c.ok("POST", "/p000/ext/batches", &[AT], Some(&body));
    assert_eq!(r.json()["head"]["ret"], 0, "{}", r.text);
}

#[test]
fn p000_literal_imports_only_console_batches_and_104_means_unknown_batch() {
    let (sim, c) = start_literal();
    let create = json!({"ticket_name": "console-1", "batch_no": "B-CONSOLE"});
    // before staff upload the file, the batch number does not exist: 104, nothing created
    let r = c.ok("POST", "/p000/tickets", &[AT], Some(&create)).json();
    assert_eq!(r, json!({"head": {"ret": 104, "msg": "导入批次号不存在"}}));
    assert_eq!(tickets_named(&c, "console-1")["body"]["tickets"], json!([]));

    // staff upload through the console (the control endpoint)
    let up = c.ok(
        "POST",
        "/__sim/p000/batches",
        &[],
        Some(&json!({"batch_no": "B-CONSOLE", "codes": ["C1", "C2", "C3"]})),
    );
    assert_eq!((up.status, up.json()), (200, json!({"ok": true})));
    let r = c.ok("POST", "/p000/tickets", &[AT], Some(&create)).json();
    assert_eq!(r, json!({"head": {"ret": 0, "msg": "OK"}}));

    let list = tickets_named(&c, "console-1");
    let t = &list["body"]["tickets"][0];
    assert_eq!(list["body"]["tickets"].as_array().unwrap().len(), 1);
    // exactly the example's fields: no create_time
    assert_eq!(
        keys(t),
        sorted(&[
            "ticket_type",
            "ticket_name",
            "ticket_total",
            "ticket_used",
            "update_time"
        ])
    );
    assert_eq!(t["ticket_total"], 3);

    // a consumed batch no longer exists for imports: 104 on PUT and POST
    let again = json!({"ticket_name": "console-1", "batch_no": "B-CONSOLE"});
    let r = c.ok("PUT", "/p000/tickets", &[AT], Some(&again)).json();
    assert_eq!(r["head"]["ret"], 104);
    let other = json!({"ticket_name": "console-2", "batch_no": "B-CONSOLE"});
    let r = c.ok("POST", "/p000/tickets", &[AT], Some(&other)).json();
    assert_eq!(r["head"]["ret"], 104);
    assert_eq!(tickets_named(&c, "console-2")["body"]["tickets"], json!([]));

    // the handle's console upload, then a supplement
    sim.sense_console_upload("B-2", vec!["C4".into()]).unwrap();
    assert_eq!(
        sim.sense_console_upload("B-2", vec!["C5".into()]),
        Err(SimError::BatchConflict("B-2".into()))
    );
    let sup = json!({"ticket_name": "console-1", "batch_no": "B-2"});
    let r = c.ok("PUT", "/p000/tickets", &[AT], Some(&sup)).json();
    assert_eq!(r["head"]["ret"], 0);
    assert_eq!(
        tickets_named(&c, "console-1")["body"]["tickets"][0]["ticket_total"],
        4
    );
    let n = sim.counters();
    assert_eq!(n.applied("p000.import_batch", "B-CONSOLE"), 1);
    assert_eq!(n.applied("p000.import_batch", "B-2"), 1);
    assert_eq!(n.applied("p000.upload_batch", "B-CONSOLE"), 1);
}

#[test]
fn p000_non_literal_104_also_means_unknown_batch() {
    let (_sim, c) = start();
    for m in ["POST", "PUT"] {
        let r = c
            .ok(
                m,
                "/p000/tickets",
                &[AT],
                Some(&json!({"ticket_name": "x", "batch_no": "NOPE"})),
            )
            .json();
        // PUT on an unknown name is 105 before the batch is looked at; create one first
        if m == "POST" {
            assert_eq!(r["head"]["ret"], 104, "{m}");
            c.ok(
                "POST",
                "/p000/tickets",
                &[AT],
                Some(&json!({"ticket_name": "x"})),
            );
        }
    }
    let r = c
        .ok(
            "PUT",
            "/p000/tickets",
            &[AT],
            Some(&json!({"ticket_name": "x", "batch_no": "NOPE"})),
        )
        .json();
    assert_eq!(r["head"]["ret"], 104);
}

const COUPON_FIELDS: [&str; 7] = [
    "customer",
    "name",
    "createdAt",
    "updatedAt",
    "usedAt",
    "price",
    "valid",
];

#[test]
fn p003_literal_coupons_have_no_id_and_detail_works_by_internal_id() {
    let (sim, c) = start_literal();
    for name in ["全屋打扫", "擦窗"] {
        let r = c.ok(
            "POST",
            "/p003/api/v1/coupons",
            &[VOUCHER],
            Some(&json!({"name": name, "price": 288.0})),
        );
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(keys(&r.json()["data"]), sorted(&COUPON_FIELDS));
    }
    let all = c.ok("GET", "/p003/api/v1/coupons", &[VOUCHER], None).json();
    let items = all["data"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    for item in items {
        assert_eq!(keys(item), sorted(&COUPON_FIELDS));
    }
    let second = c
        .ok("GET", "/p003/api/v1/coupons/2", &[VOUCHER], None)
        .json();
    assert_eq!(keys(&second["data"]), sorted(&COUPON_FIELDS));
    assert_eq!(second["data"]["name"], "擦窗");
    for bad in ["3", "0", "abc"] {
        let r = c.ok(
            "GET",
            &format!("/p003/api/v1/coupons/{bad}"),
            &[VOUCHER],
            None,
        );
        assert_eq!(r.status, 404, "{bad}");
        assert_eq!(r.json()["code"], "API.ENTITY_NOT_FOUND", "{bad}");
    }

    // a shop redeems voucher 2 (control endpoint): a pull sees it used
    let r = c.ok("POST", "/__sim/p003/use", &[], Some(&json!({"id": 2})));
    assert_eq!((r.status, r.json()), (200, json!({"ok": true})));
    let used = c
        .ok("GET", "/p003/api/v1/coupons/2", &[VOUCHER], None)
        .json();
    assert_eq!(used["data"]["valid"], false);
    assert!(used["data"]["usedAt"].is_string(), "{used}");
    let r = c.ok("POST", "/__sim/p003/use", &[], Some(&json!({"id": 2})));
    assert_eq!(r.status, 409, "{}", r.text);
    let r = c.ok("POST", "/__sim/p003/use", &[], Some(&json!({"id": 9})));
    assert_eq!(r.status, 404, "{}", r.text);
    drop(sim);
}

#[test]
fn p003_mark_used_works_in_normal_mode_too() {
    let (sim, c) = start();
    c.ok(
        "POST",
        "/p003/api/v1/coupons",
        &[VOUCHER],
        Some(&json!({"name": "擦窗", "price": 19.9})),
    );
    sim.voucher_mark_used(1).unwrap();
    assert_eq!(
        sim.voucher_mark_used(1),
        Err(SimError::VoucherAlreadyUsed(1))
    );
    assert_eq!(sim.voucher_mark_used(5), Err(SimError::NoSuchVoucher(5)));
    let v = c
        .ok("GET", "/p003/api/v1/coupons/1", &[VOUCHER], None)
        .json();
    assert_eq!(
        (v["data"]["id"].clone(), v["data"]["valid"].clone()),
        (json!(1), json!(false))
    );
}

#[test]
fn p002_literal_answers_have_the_examples_fields() {
    let (_sim, c) = start_literal();
    let created = c
        .ok(
            "POST",
            "/p002/market/bonus/create",
            &[BONUS],
            Some(&json!({"amount": 2.00, "xname": "FB", "quantity": 1, "expired_at": 0, "min_amount": 30.00})),
        )
        .json();
    let detail_fields = [
        "amount",
        "code",
        "created_at",
        "expired_at",
        "is_used",
        "limit_products",
        "reach_amount",
        "min_amount",
        "status",
        "type",
        "xname",
    ];
    assert_eq!(keys(&created["data"]), sorted(&detail_fields));
    assert_eq!(created["data"]["limit_products"], Value::Null);
    let code = created["data"]["code"].as_str().unwrap().to_string();
    let granted = c
        .ok(
            "POST",
            "/p002/market/bonus/grant",
            &[BONUS],
            Some(&json!({"rid": code})),
        )
        .json();
    let mut grant_fields = detail_fields.to_vec();
    grant_fields.extend(["status_label", "user_id"]);
    assert_eq!(keys(&granted["data"]), sorted(&grant_fields));
    // the detail example has no user_id, even for a granted bonus
    let detail = c
        .ok("GET", &format!("/p002/market/bonus/{code}"), &[BONUS], None)
        .json();
    assert_eq!(keys(&detail["data"]), sorted(&detail_fields));
    assert_eq!(detail["data"]["limit_products"], "");
}

#[test]
fn p001_literal_create_answers_the_examples_fields() {
    let (_sim, c) = start_literal();
    let body = json!({"ticket_info": {"base_info": {"title": "t", "sku": {"quantity": 5}}},
                      "sync": false, "begin_at": "2018-01-10", "end_at": "2019-12-10"});
    let r = c.ok("POST", "/p001/coupon/ticket", &[WX], Some(&body));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        keys(&r.json()["data"]),
        sorted(&[
            "id",
            "card_type",
            "coupon_info",
            "app_id",
            "wechat_app_id",
            "status",
            "sync",
            "created_at",
            "updated_at"
        ])
    );
}
