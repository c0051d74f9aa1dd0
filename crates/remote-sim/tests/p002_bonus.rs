//! Spec 002 over loopback HTTP.

mod common;
use common::{keys, sorted, start};
use coupondesk_remote_sim::Faults;
use serde_json::json;

const AUTH: (&str, &str) = ("Authorization", "Bearer bonus-token-002");

const BONUS_KEYS: &[&str] = &[
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

#[test]
fn create_detail_list_grant_disable() {
    let (sim, c) = start();
    let body =
        json!({"amount": 2.00, "xname": "FB", "quantity": 5, "expired_at": 0, "min_amount": 30.00});
    let r = c.ok("POST", "/p002/market/bonus/create", &[AUTH], Some(&body));
    assert_eq!(r.status, 201, "{}", r.text);
    let v = r.json();
    assert_eq!(keys(&v), sorted(&["data", "status", "success"]));
    assert_eq!(v["status"], json!({"code": 201, "message": "All created."}));
    assert_eq!(v["success"], true);
    assert_eq!(keys(&v["data"]), sorted(BONUS_KEYS));
    assert_eq!(
        (v["data"]["amount"].clone(), v["data"]["min_amount"].clone()),
        (json!(2), json!(30))
    );
    assert_eq!(v["data"]["xname"], "FB");
    assert_eq!(v["data"]["status"], 0);
    let code = v["data"]["code"].as_str().unwrap().to_string();
    assert_eq!(code.len(), 11);

    // fractional yuan travel as numbers
    let r = c
        .ok(
            "POST",
            "/p002/market/bonus/create",
            &[AUTH],
            Some(&json!({"amount": 0.29, "xname": "odd"})),
        )
        .json();
    assert_eq!(r["data"]["amount"], json!(0.29));

    let d = c
        .ok("GET", &format!("/p002/market/bonus/{code}"), &[AUTH], None)
        .json();
    assert_eq!(
        d["status"],
        json!({"code": 200, "message": "Ok all right."})
    );
    assert_eq!(d["data"]["code"], code.as_str());

    let list = c
        .ok("GET", "/p002/market/bonus?per_page=4", &[AUTH], None)
        .json();
    assert_eq!(keys(&list), sorted(&["data", "meta", "status", "success"]));
    assert_eq!(list["data"].as_array().unwrap().len(), 4);
    assert_eq!(list["meta"]["pagination"]["total"], 6);
    assert_eq!(
        c.ok("GET", "/p002/market/bonus?status=N02", &[AUTH], None)
            .json()["data"],
        json!([])
    );
    assert_eq!(
        c.ok("GET", "/p002/market/user_bonus", &[AUTH], None).json()["data"],
        json!([])
    );

    let g = c.ok(
        "POST",
        "/p002/market/bonus/grant",
        &[AUTH],
        Some(&json!({"rid": code})),
    );
    assert_eq!(g.status, 200);
    let g = g.json();
    assert_eq!(g["data"]["user_id"], 2);
    assert_eq!(g["data"]["status_label"], "通用红包");
    let again = c.ok(
        "POST",
        "/p002/market/bonus/grant",
        &[AUTH],
        Some(&json!({"rid": code})),
    );
    assert_eq!(again.status, 400);
    assert_eq!(
        again.json(),
        json!({"status": {"code": 400, "message": "Bonus already granted."}, "success": false})
    );
    assert_eq!(
        c.ok("GET", "/p002/market/user_bonus", &[AUTH], None).json()["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let dis = c.ok(
        "POST",
        &format!("/p002/market/bonus/{code}/disabled"),
        &[AUTH],
        None,
    );
    assert_eq!(
        dis.json(),
        json!({"status": {"code": 200, "message": "Ok all right."}, "success": true})
    );
    c.ok(
        "POST",
        &format!("/p002/market/bonus/{code}/disabled"),
        &[AUTH],
        None,
    );
    assert_eq!(
        c.ok("GET", &format!("/p002/market/bonus/{code}"), &[AUTH], None)
            .json()["data"]["status"],
        1
    );

    let n = sim.counters();
    assert_eq!(n.applied("p002.create_bonus", "FB"), 1);
    assert_eq!(n.applied("p002.grant_bonus", &code), 1);
    assert_eq!(n.applied("p002.disable_bonus", &code), 1);
    assert_eq!(n.request_count("POST /p002/market/bonus/<rid>/disabled"), 2);
    assert_eq!(n.max_applied(), 1);
}

#[test]
fn errors() {
    let (sim, c) = start();
    let r = c.ok("GET", "/p002/market/bonus", &[], None);
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["success"], false);
    let r = c.ok("GET", "/p002/market/bonus/NOPE", &[AUTH], None);
    assert_eq!(
        (r.status, r.json()["status"]["code"].clone()),
        (404, json!(404))
    );
    assert_eq!(
        c.ok("POST", "/p002/market/bonus/NOPE/disabled", &[AUTH], None)
            .status,
        404
    );
    assert_eq!(
        c.ok(
            "POST",
            "/p002/market/bonus/grant",
            &[AUTH],
            Some(&json!({"rid": "NOPE"}))
        )
        .status,
        404
    );
    assert_eq!(
        c.ok(
            "POST",
            "/p002/market/bonus/create",
            &[AUTH],
            Some(&json!({"amount": 0.001}))
        )
        .status,
        400
    );
    assert_eq!(
        c.ok("GET", "/p002/market/bonus?status=N09", &[AUTH], None)
            .status,
        400
    );
    sim.set_faults(Faults {
        rate_limit_per_sec: Some(1),
        ..Faults::default()
    });
    c.ok("GET", "/p002/market/bonus", &[AUTH], None);
    let r = c.ok("GET", "/p002/market/bonus", &[AUTH], None);
    assert_eq!(r.status, 429);
    assert_eq!(r.retry_after.as_deref(), Some("1"));
    assert_eq!(r.json()["status"]["code"], 429);
    // the limit is per platform
    assert_eq!(
        c.ok(
            "GET",
            "/p003/api/v1/coupons",
            &[("Authorization", "Bearer voucher-token-003")],
            None
        )
        .status,
        200
    );
    sim.set_faults(Faults {
        expired_token: true,
        ..Faults::default()
    });
    assert_eq!(c.ok("GET", "/p002/market/bonus", &[AUTH], None).status, 401);
}
