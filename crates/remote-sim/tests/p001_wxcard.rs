//! Spec 001 over loopback HTTP.

mod common;
use common::{keys, sorted, start};
use coupondesk_remote_sim::Faults;
use serde_json::{json, Value};

const AUTH: (&str, &str) = ("Authorization", "Bearer wxcard-token-001");

fn info(title: &str) -> Value {
    json!({
        "base_info": {
            "title": title, "color": "Color010", "brand_name": "海底捞",
            "logo_url": "http://mmbiz.qpic.cn/mmbiz/iaL1LJM1mF9aRKPZ/0",
            "code_type": "CODE_TYPE_TEXT", "sku": {"quantity": 500},
            "date_info": {"type": "DATE_TYPE_FIX_TIME_RANGE"}
        },
        "deal_detail": "双人套餐",
        "background_pic_url": "https://mmbiz.qlogo.cn/mmbiz/"
    })
}

#[test]
fn four_creates_list_search_and_update() {
    let (sim, c) = start();
    for (kind, card_type) in [
        ("discount", "discount_card"),
        ("coupon", "coupon_card"),
        ("groupon", "groupon_card"),
        ("gift", "gift_card"),
    ] {
        let body = json!({"ticket_info": info(&format!("{kind} title")), "sync": false,
                          "begin_at": "2018-01-10", "end_at": "2019-12-10 00:00:00"});
        let r = c.ok(
            "POST",
            &format!("/p001/{kind}/ticket"),
            &[AUTH],
            Some(&body),
        );
        assert_eq!(r.status, 200, "{}", r.text);
        let v = r.json();
        assert_eq!(keys(&v), sorted(&["data"]));
        let info_key = format!("{kind}_info");
        assert_eq!(
            keys(&v["data"]),
            sorted(&[
                "id",
                "card_type",
                &info_key,
                "app_id",
                "wechat_app_id",
                "status",
                "sync",
                "created_at",
                "updated_at"
            ])
        );
        assert_eq!(v["data"]["card_type"], card_type);
        assert_eq!(v["data"][&info_key]["base_info"]["sku"]["quantity"], 500);
        assert_eq!(
            keys(&v["data"]["created_at"]),
            sorted(&["date", "timezone_type", "timezone"])
        );
        assert_eq!(v["data"]["created_at"]["timezone_type"], 3);
        assert_eq!(v["data"]["updated_at"], Value::Null);
    }

    let all = c.ok("GET", "/p001/tickets", &[AUTH], None).json();
    assert_eq!(keys(&all), sorted(&["data", "meta"]));
    assert_eq!(
        all["meta"]["pagination"],
        json!({"total": 4, "count": 4, "per_page": 15, "current_page": 1, "total_pages": 1, "links": []})
    );
    let item = &all["data"][1];
    assert_eq!(
        keys(item),
        sorted(&[
            "id",
            "color",
            "background_pic_url",
            "logo_url",
            "card_type",
            "brand_name",
            "code_type",
            "title",
            "sku",
            "app_id",
            "wechat_app_id",
            "ali_app_id",
            "status",
            "sync",
            "begin_at",
            "end_at",
            "created_at",
            "updated_at"
        ])
    );
    assert_eq!(
        item["begin_at"],
        json!({"date": "2018-01-10 00:00:00.000000", "timezone_type": 3, "timezone": "UTC"})
    );
    assert_eq!(item["ali_app_id"], Value::Null);

    let q = "/p001/tickets?search=ticket_type,%3D;begin_at,%3E%3D;&ticket_type=coupon_card&begin_at=2018-01-01";
    let hits = c.ok("GET", q, &[AUTH], None).json();
    assert_eq!(hits["data"].as_array().unwrap().len(), 1, "{hits}");
    assert_eq!(hits["data"][0]["card_type"], "coupon_card");
    let hits = c
        .ok(
            "GET",
            "/p001/tickets?search=end_at,%3C;&end_at=2019-01-01",
            &[AUTH],
            None,
        )
        .json();
    assert_eq!(hits["data"], json!([]));
    let page = c
        .ok("GET", "/p001/tickets?per_page=3&page=2", &[AUTH], None)
        .json();
    assert_eq!(page["meta"]["pagination"]["count"], 1);
    assert_eq!(page["meta"]["pagination"]["total_pages"], 2);

    let upd = json!({"ticket_type": "gift_card", "ticket_info": info("renamed"), "sync": true,
                     "begin_at": "2018-02-01", "end_at": "2018-03-01"});
    let r = c.ok("PUT", "/p001/ticket/2", &[AUTH], Some(&upd)).json();
    assert_eq!(r["data"]["id"], 2);
    assert_eq!(r["data"]["card_type"], "gift_card");
    assert_eq!(r["data"]["sync"], 1);
    assert!(r["data"]["updated_at"].is_object());
    let hits = c
        .ok(
            "GET",
            "/p001/tickets?search=title,like;&title=%25renamed%25",
            &[AUTH],
            None,
        )
        .json();
    assert_eq!(hits["data"][0]["id"], 2);

    let n = sim.counters();
    assert_eq!(
        n.applied("p001.create_ticket", "coupon_card:coupon title"),
        1
    );
    assert_eq!(n.applied("p001.update_ticket", "2"), 1);
    assert_eq!(n.request_count("POST /p001/gift/ticket"), 1);
    assert_eq!(n.request_count("PUT /p001/ticket/{id}"), 1);
}

#[test]
fn errors() {
    let (sim, c) = start();
    let r = c.ok("GET", "/p001/tickets", &[], None);
    assert_eq!(
        (r.status, r.json()),
        (
            401,
            json!({"message": "Unauthenticated.", "status_code": 401})
        )
    );
    let r = c.ok(
        "GET",
        "/p001/tickets",
        &[("Authorization", "Bearer nope")],
        None,
    );
    assert_eq!(r.status, 401);
    let upd = json!({"ticket_type": "gift_card", "ticket_info": info("x"), "sync": true, "begin_at": "2018-02-01", "end_at": "2018-03-01"});
    let r = c.ok("PUT", "/p001/ticket/99", &[AUTH], Some(&upd));
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["status_code"], 404);
    let bad = json!({"ticket_info": {"base_info": {}}, "sync": false, "begin_at": "2018-01-10", "end_at": "2019-12-10"});
    assert_eq!(
        c.ok("POST", "/p001/coupon/ticket", &[AUTH], Some(&bad))
            .status,
        422
    );
    let bad = json!({"ticket_info": info("t"), "sync": false, "begin_at": "10/01/2018", "end_at": "2019-12-10"});
    assert_eq!(
        c.ok("POST", "/p001/coupon/ticket", &[AUTH], Some(&bad))
            .status,
        422
    );
    assert_eq!(
        c.ok(
            "GET",
            "/p001/tickets?search=bogus,%3D;&bogus=1",
            &[AUTH],
            None
        )
        .status,
        422
    );
    assert_eq!(
        c.ok("GET", "/p001/tickets?search=title,%3D;", &[AUTH], None)
            .status,
        422
    );
    assert_eq!(
        c.ok("POST", "/p001/member/ticket", &[AUTH], Some(&json!({})))
            .status,
        404
    );
    sim.set_faults(Faults {
        expired_token: true,
        ..Faults::default()
    });
    let r = c.ok("GET", "/p001/tickets", &[AUTH], None);
    assert_eq!(
        (r.status, r.json()["message"].clone()),
        (401, json!("Token has expired"))
    );
    sim.set_faults(Faults {
        rate_limit_per_sec: Some(1),
        retry_after_secs: Some(7),
        ..Faults::default()
    });
    c.ok("GET", "/p001/tickets", &[AUTH], None);
    let r = c.ok("GET", "/p001/tickets", &[AUTH], None);
    assert_eq!((r.status, r.retry_after.as_deref()), (429, Some("7")));
    assert_eq!(r.json()["status_code"], 429);
}
