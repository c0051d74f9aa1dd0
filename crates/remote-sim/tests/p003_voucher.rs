//! Spec 003 over loopback HTTP.

mod common;
use common::{keys, sorted, start};
use serde_json::json;

const AUTH: (&str, &str) = ("Authorization", "Bearer voucher-token-003");

#[test]
fn buy_query_detail() {
    let (sim, c) = start();
    let r = c.ok(
        "POST",
        "/p003/api/v1/coupons",
        &[AUTH],
        Some(&json!({"name": "全屋打扫", "price": 288.0})),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let v = r.json();
    assert_eq!(keys(&v), sorted(&["data"]));
    assert_eq!(
        keys(&v["data"]),
        sorted(&[
            "id",
            "customer",
            "name",
            "createdAt",
            "updatedAt",
            "usedAt",
            "price",
            "valid",
            "paid"
        ])
    );
    assert_eq!(v["data"]["price"], json!(288));
    assert_eq!(v["data"]["customer"], "13800000000");
    assert_eq!(v["data"]["usedAt"], serde_json::Value::Null);
    let created = v["data"]["createdAt"].as_str().unwrap();
    let (date, time) = created.split_once(' ').unwrap();
    assert_eq!(date.split('-').count(), 3, "{created}");
    assert_eq!(time.split(':').nth(1).unwrap().len(), 2, "{created}");
    c.ok(
        "POST",
        "/p003/api/v1/coupons",
        &[AUTH],
        Some(&json!({"name": "擦窗", "price": 19.9})),
    );

    let all = c.ok("GET", "/p003/api/v1/coupons", &[AUTH], None).json();
    assert_eq!(all["data"].as_array().unwrap().len(), 2);
    assert_eq!(all["data"][1]["price"], json!(19.9));
    let some = c
        .ok(
            "GET",
            "/p003/api/v1/coupons?name=%E6%93%A6%E7%AA%97&nopkg=true",
            &[AUTH],
            None,
        )
        .json();
    assert_eq!(some["data"].as_array().unwrap().len(), 1);
    let one = c.ok("GET", "/p003/api/v1/coupons/2", &[AUTH], None).json();
    assert_eq!(one["data"]["name"], "擦窗");

    let r = c.ok("GET", "/p003/api/v1/coupons/99", &[AUTH], None);
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["code"], "API.ENTITY_NOT_FOUND");
    assert_eq!(sim.counters().applied("p003.buy_coupon", "全屋打扫"), 1);
}

#[test]
fn errors() {
    let (_sim, c) = start();
    let r = c.ok("GET", "/p003/api/v1/coupons", &[], None);
    assert_eq!(
        (r.status, r.json()["code"].clone()),
        (401, json!("API.UNAUTHORIZED"))
    );
    let r = c.ok(
        "POST",
        "/p003/api/v1/coupons",
        &[AUTH],
        Some(&json!({"name": "x"})),
    );
    assert_eq!(
        (r.status, r.json()["code"].clone()),
        (400, json!("API.BAD_REQUEST"))
    );
    let r = c.ok("GET", "/p003/api/v1/coupons?nopkg=maybe", &[AUTH], None);
    assert_eq!(r.status, 400);
    let r = c.ok("GET", "/p003/api/v1/nothing", &[AUTH], None);
    assert_eq!(r.status, 404);
}
