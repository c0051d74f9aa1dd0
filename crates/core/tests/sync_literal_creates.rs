//! Creates that may have been applied (docs/sync.md), against servers that answer exactly
//! as specs 001, 002 and 003 document: no voucher, bonus or card is created twice when an
//! answer is lost, when the platform applies after our timeout (a late apply), or when
//! a buy's answer has no id; what cannot be decided goes to the inbox.

mod literal;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use coupondesk_core::domain::bonus::BonusDraft;
use coupondesk_core::domain::template::TemplateDraft;
use coupondesk_core::domain::voucher::VoucherDraft;
use coupondesk_core::sync::{OutboxState, Platform};
use coupondesk_core::Desk;
use coupondesk_wire::wxcard::PhpDateTime;
use literal::{
    beijing_minute, configure, db, now_ms, open, opts, outbox, remote_ref, Literal, Req,
};
use serde_json::{json, Value};

// ---------------------------------------------------------------- 003 vouchers

fn sell(desk: &Desk, name: &str, price_fen: i64) -> i64 {
    let d: VoucherDraft = serde_json::from_value(json!({
        "customer": "13800000000", "name": name, "priceFen": price_fen
    }))
    .unwrap();
    desk.sell_voucher(d).unwrap().id
}

/// Spec 003's Coupon, as its JSON example shows it: no `id`.
fn coupon(name: &str, price: f64, created: &str) -> Value {
    json!({"customer": "13800000000", "name": name, "createdAt": created,
           "updatedAt": created, "usedAt": null, "price": price, "valid": true})
}

/// What the server does with a buy: answer it, apply and drop the answer, apply after
/// the client's timeout, or drop without applying.
#[derive(Clone, Copy, PartialEq)]
enum Buy {
    Answer,
    ApplyThenDrop,
    ApplyLate(u64),
    DropUnapplied,
}

/// A spec-literal 003: `POST /api/v1/coupons` and `GET /api/v1/coupons[?name=]`.
fn voucher_server(buy: Buy) -> (Literal, Arc<Mutex<Vec<Value>>>) {
    let store: Arc<Mutex<Vec<Value>>> = Arc::default();
    let held = store.clone();
    let server = Literal::start(move |r: &Req| match (r.method.as_str(), r.bare()) {
        ("POST", "/api/v1/coupons") => {
            let c = coupon(
                r.body["name"].as_str().unwrap_or(""),
                r.body["price"].as_f64().unwrap_or(0.0),
                &beijing_minute(now_ms()),
            );
            match buy {
                Buy::DropUnapplied => return None,
                Buy::ApplyLate(ms) => std::thread::sleep(Duration::from_millis(ms)),
                _ => {}
            }
            held.lock().unwrap().push(c.clone());
            (buy != Buy::ApplyThenDrop).then(|| (200, json!({ "data": c })))
        }
        ("GET", "/api/v1/coupons") => {
            let name = r.query("name");
            let list: Vec<Value> = held
                .lock()
                .unwrap()
                .iter()
                .filter(|c| name.as_deref().is_none_or(|n| c["name"] == n))
                .cloned()
                .collect();
            Some((200, json!({ "data": list })))
        }
        _ => Some((
            404,
            json!({"code": "API.ENTITY_NOT_FOUND", "message": "not found"}),
        )),
    });
    (server, store)
}

#[test]
fn a_buy_answered_without_an_id_is_done_after_one_request_and_known_by_its_fingerprint() {
    let dir = tempfile::tempdir().unwrap();
    let desk = open(dir.path());
    let (server, store) = voucher_server(Buy::Answer);
    configure(&desk, Platform::Voucher, &server.url, "");
    let a = sell(&desk, "CarWash", 2880);
    let b = sell(&desk, "CarWash", 2880);
    let r = desk
        .sync_run(Some(Platform::Voucher), &opts(2000, 300))
        .unwrap();
    assert_eq!((r.platforms[0].done, r.remaining()), (2, 0), "{r:?}");
    assert_eq!(
        server.seen(),
        vec!["POST /api/v1/coupons", "POST /api/v1/coupons"],
        "one request per sale, no read-back, no re-buy"
    );
    assert_eq!(store.lock().unwrap().len(), 2);
    // Two vouchers of one name and price bought in the same minute share the fingerprint;
    // the second local one claims it with an ordinal.
    let created = store.lock().unwrap()[0]["createdAt"]
        .as_str()
        .unwrap()
        .to_owned();
    let fp = format!("CarWash|2880|{created}");
    let refs = [
        remote_ref(&desk, Platform::Voucher, "voucher", &a.to_string()),
        remote_ref(&desk, Platform::Voucher, "voucher", &b.to_string()),
    ];
    let second = store.lock().unwrap()[1]["createdAt"]
        .as_str()
        .unwrap()
        .to_owned();
    if second == created {
        assert_eq!(refs, [Some(fp.clone()), Some(format!("{fp}#2"))]);
    } else {
        // The two buys straddled a minute: each has its own fingerprint.
        assert_eq!(refs, [Some(fp), Some(format!("CarWash|2880|{second}"))]);
    }
    assert!(outbox(&desk, Platform::Voucher)
        .iter()
        .all(|i| i.state == OutboxState::Done));
}

#[test]
fn a_buy_whose_answer_is_dropped_is_adopted_by_read_back_and_never_bought_twice() {
    let dir = tempfile::tempdir().unwrap();
    let desk = open(dir.path());
    let (server, store) = voucher_server(Buy::ApplyThenDrop);
    configure(&desk, Platform::Voucher, &server.url, "");
    let id = sell(&desk, "CarWash", 2880);
    let r = desk
        .sync_run(Some(Platform::Voucher), &opts(2000, 300))
        .unwrap();
    assert_eq!((r.platforms[0].done, r.remaining()), (1, 0), "{r:?}");
    assert_eq!(server.count("POST", "/api/v1/coupons"), 1, "bought once");
    assert_eq!(
        server.seen(),
        vec!["POST /api/v1/coupons", "GET /api/v1/coupons?name=CarWash"]
    );
    assert_eq!(store.lock().unwrap().len(), 1);
    let created = store.lock().unwrap()[0]["createdAt"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        remote_ref(&desk, Platform::Voucher, "voucher", &id.to_string()),
        Some(format!("CarWash|2880|{created}"))
    );
    let item = &outbox(&desk, Platform::Voucher)[0];
    assert_eq!(item.state, OutboxState::Done);
    assert_eq!(
        item.result_message.as_deref(),
        Some(format!("found (bought by an earlier try) on the platform as voucher CarWash|2880|{created}").as_str())
    );
}

#[test]
fn a_buy_the_platform_applies_after_our_timeout_is_found_after_the_settle_time() {
    let dir = tempfile::tempdir().unwrap();
    let desk = open(dir.path());
    // The client gives up after 500 ms; the platform applies at 1,200 ms; settle 2 s.
    let (server, store) = voucher_server(Buy::ApplyLate(1200));
    configure(&desk, Platform::Voucher, &server.url, "");
    sell(&desk, "CarWash", 2880);
    let r = desk
        .sync_run(Some(Platform::Voucher), &opts(500, 2000))
        .unwrap();
    assert_eq!((r.platforms[0].done, r.remaining()), (1, 0), "{r:?}");
    assert_eq!(server.count("POST", "/api/v1/coupons"), 1);
    assert_eq!(
        server.count("GET", "/api/v1/coupons"),
        1,
        "one read-back, after the settle time"
    );
    assert_eq!(store.lock().unwrap().len(), 1);
}

#[test]
fn a_paid_buy_that_read_back_twice_finds_nothing_waits_in_the_inbox_not_bought_again() {
    let dir = tempfile::tempdir().unwrap();
    let desk = open(dir.path());
    let (server, store) = voucher_server(Buy::DropUnapplied);
    configure(&desk, Platform::Voucher, &server.url, "");
    sell(&desk, "CarWash", 2880);
    let r = desk
        .sync_run(Some(Platform::Voucher), &opts(2000, 300))
        .unwrap();
    assert_eq!((r.platforms[0].conflicts, r.remaining()), (1, 0), "{r:?}");
    assert_eq!(
        server.seen(),
        vec![
            "POST /api/v1/coupons",
            "GET /api/v1/coupons?name=CarWash",
            "GET /api/v1/coupons?name=CarWash"
        ]
    );
    assert!(store.lock().unwrap().is_empty());
    let item = &outbox(&desk, Platform::Voucher)[0];
    let sent_at: i64 = db(&desk)
        .query_row("SELECT sent_at FROM outbox WHERE id = ?1", [item.id], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(item.state, OutboxState::Conflict);
    assert_eq!(item.result_code.as_deref(), Some("NOT_ON_PLATFORM"));
    assert_eq!(
        item.result_message.as_deref(),
        Some(
            format!(
                "the platform shows no vouchers named \"CarWash\" at 28.8 yuan bought at {} \
                 (Beijing time); check its console: Retry buys again, Discard drops it",
                literal::beijing_hhmm(sent_at)
            )
            .as_str()
        )
    );
}

#[test]
fn several_unclaimed_vouchers_of_that_name_and_price_go_to_the_inbox() {
    let dir = tempfile::tempdir().unwrap();
    let desk = open(dir.path());
    let (server, store) = voucher_server(Buy::ApplyThenDrop);
    configure(&desk, Platform::Voucher, &server.url, "");
    // Someone bought one of the same name and price in the platform's console just now.
    store
        .lock()
        .unwrap()
        .push(coupon("CarWash", 28.8, &beijing_minute(now_ms())));
    sell(&desk, "CarWash", 2880);
    let r = desk
        .sync_run(Some(Platform::Voucher), &opts(2000, 300))
        .unwrap();
    assert_eq!(r.platforms[0].conflicts, 1, "{r:?}");
    assert_eq!(server.count("POST", "/api/v1/coupons"), 1);
    let item = &outbox(&desk, Platform::Voucher)[0];
    assert_eq!(item.result_code.as_deref(), Some("AMBIGUOUS"));
    assert_eq!(
        item.result_message.as_deref(),
        Some(
            "the platform holds 2 vouchers named \"CarWash\" at 28.8 yuan that no other local \
             item claims; confirm in its console which is ours: Discard this if one is, Retry \
             sends it again"
        )
    );
}

#[test]
fn a_voucher_the_platform_no_longer_has_becomes_a_conflict_once() {
    let dir = tempfile::tempdir().unwrap();
    let desk = open(dir.path());
    let server = Literal::start(|r: &Req| match r.bare() {
        "/api/v1/coupons" => Some((200, json!({"data": []}))),
        _ => Some((
            404,
            json!({"code": "API.ENTITY_NOT_FOUND", "message": "未找到指定ID的兑换券"}),
        )),
    });
    configure(&desk, Platform::Voucher, &server.url, "");
    let id = sell(&desk, "CarWash", 2880);
    let conn = db(&desk);
    conn.execute(
        "INSERT INTO remote_refs (platform, kind, local_id, remote_id) VALUES ('p003', 'voucher', ?1, '77')",
        [id.to_string()],
    )
    .unwrap();
    conn.execute(
        "UPDATE outbox SET state = 'done' WHERE platform = 'p003'",
        [],
    )
    .unwrap();
    let pull = literal::opts(2000, 300);
    let pull = coupondesk_core::sync::engine::RunOptions { pull: true, ..pull };
    desk.sync_run(Some(Platform::Voucher), &pull).unwrap();
    desk.sync_run(Some(Platform::Voucher), &pull).unwrap();
    assert_eq!(
        server.seen(),
        vec![
            "GET /api/v1/coupons",
            "GET /api/v1/coupons/77",
            "GET /api/v1/coupons"
        ],
        "the detail is asked once: the gone voucher is no longer mapped"
    );
    let items = outbox(&desk, Platform::Voucher);
    assert_eq!(items.len(), 2);
    let gone = &items[1];
    assert_eq!(
        (gone.state, gone.op.as_str(), gone.subject.clone()),
        (OutboxState::Conflict, "voucher.buy", id.to_string())
    );
    assert_eq!(gone.result_code.as_deref(), Some("API.ENTITY_NOT_FOUND"));
    assert_eq!(
        gone.result_message.as_deref(),
        Some(
            format!(
                "the platform no longer has voucher 77 (sold here as voucher {id}); Retry buys \
                 it again, Discard keeps it only here"
            )
            .as_str()
        )
    );
    assert_eq!(gone.payload, json!({"name": "CarWash", "priceFen": 2880}));
    assert_eq!(
        remote_ref(&desk, Platform::Voucher, "voucher", &id.to_string()),
        None
    );
}

// ---------------------------------------------------------------- 002 bonus

fn bonus_json(code: &str, xname: &str, user_id: Option<i64>) -> Value {
    json!({"amount": 2.5, "code": code, "created_at": 1520181397, "expired_at": 0,
           "is_used": false, "limit_products": "", "reach_amount": 0, "min_amount": 10,
           "status": 0, "type": 2, "user_id": user_id, "xname": xname})
}

/// A spec-literal 002: create (201 "All created."), the three lists, the detail.
/// `apply(n)`: whether the n-th create (from 1) is applied; `late_ms`: it is applied
/// (and answered) that late; a create not applied is dropped.
fn bonus_server(
    apply: impl Fn(usize) -> bool + Send + Sync + 'static,
    late_ms: u64,
) -> (Literal, Arc<Mutex<Vec<Value>>>) {
    let store: Arc<Mutex<Vec<Value>>> = Arc::default();
    let held = store.clone();
    let creates = Arc::new(Mutex::new(0usize));
    let ok = |data: Value| json!({"data": data, "status": {"code": 200, "message": "Ok all right."}, "success": true});
    let server = Literal::start(move |r: &Req| match (r.method.as_str(), r.bare()) {
        ("POST", "/market/bonus/create") => {
            let n = {
                let mut c = creates.lock().unwrap();
                *c += 1;
                *c
            };
            if !apply(n) {
                return None;
            }
            std::thread::sleep(Duration::from_millis(late_ms));
            let b = bonus_json(
                &format!("BZAF{n:07}"),
                r.body["xname"].as_str().unwrap_or(""),
                None,
            );
            held.lock().unwrap().push(b.clone());
            Some((
                201,
                json!({"data": b, "status": {"code": 201, "message": "All created."}, "success": true}),
            ))
        }
        ("GET", "/market/bonus") => {
            let list = if r.query("status").as_deref() == Some("N01") {
                held.lock().unwrap().clone()
            } else {
                Vec::new()
            };
            Some((200, ok(Value::Array(list))))
        }
        ("GET", p) if p.starts_with("/market/bonus/") => {
            let code = &p["/market/bonus/".len()..];
            Some((200, ok(bonus_json(code, "", Some(2)))))
        }
        _ => Some((
            404,
            json!({"status": {"code": 404, "message": "Not found."}, "success": false}),
        )),
    });
    (server, store)
}

fn bonus(desk: &Desk) -> String {
    let draft: BonusDraft = serde_json::from_value(json!({
        "amountFen": 250, "quantity": 1, "xname": "spring", "minAmountFen": 1000, "enabled": true
    }))
    .unwrap();
    desk.create_bonuses(draft).unwrap().codes.remove(0)
}

#[test]
fn a_bonus_the_platform_creates_after_our_timeout_is_found_not_created_twice() {
    let dir = tempfile::tempdir().unwrap();
    let desk = open(dir.path());
    let (server, store) = bonus_server(|_| true, 1200);
    configure(&desk, Platform::Bonus, &server.url, "");
    let code = bonus(&desk);
    let r = desk
        .sync_run(Some(Platform::Bonus), &opts(500, 2000))
        .unwrap();
    assert_eq!((r.platforms[0].done, r.remaining()), (1, 0), "{r:?}");
    assert_eq!(server.count("POST", "/market/bonus/create"), 1);
    assert_eq!(store.lock().unwrap().len(), 1);
    assert_eq!(
        remote_ref(&desk, Platform::Bonus, "bonus", &code).as_deref(),
        Some("BZAF0000001")
    );
}

#[test]
fn a_bonus_create_is_sent_again_only_after_two_empty_read_backs_and_parked_after_four() {
    let dir = tempfile::tempdir().unwrap();
    let desk = open(dir.path());
    // Every create is lost before the platform applies it.
    let (server, store) = bonus_server(|_| false, 0);
    configure(&desk, Platform::Bonus, &server.url, "");
    bonus(&desk);
    let r = desk
        .sync_run(Some(Platform::Bonus), &opts(2000, 200))
        .unwrap();
    assert_eq!((r.platforms[0].conflicts, r.remaining()), (1, 0), "{r:?}");
    // Sent, two empty read-backs (three lists each), sent again, two more: parked.
    assert_eq!(server.count("POST", "/market/bonus/create"), 2);
    assert_eq!(server.count("GET", "/market/bonus"), 4 * 3);
    assert!(store.lock().unwrap().is_empty());
    let item = &outbox(&desk, Platform::Bonus)[0];
    assert_eq!(item.result_code.as_deref(), Some("NOT_ON_PLATFORM"));
    let readbacks: i64 = db(&desk)
        .query_row(
            "SELECT readbacks FROM outbox WHERE id = ?1",
            [item.id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        readbacks, 3,
        "the fourth empty read-back parks it instead of counting"
    );
}

#[test]
fn a_grant_that_may_have_been_applied_is_read_back_by_its_detail_not_sent_again() {
    let dir = tempfile::tempdir().unwrap();
    let desk = open(dir.path());
    let (server, _store) = bonus_server(|_| true, 0);
    configure(&desk, Platform::Bonus, &server.url, "");
    let code = bonus(&desk);
    desk.sync_run(Some(Platform::Bonus), &opts(2000, 200))
        .unwrap();
    desk.grant_bonus(
        coupondesk_core::store::bonuses::BonusRef::parse(&code),
        "13800000001",
        Some("王"),
    )
    .unwrap();
    // The grant left once and its answer was lost (long ago).
    db(&desk)
        .execute(
            "UPDATE outbox SET sent = 1, maybe_applied = 1, sent_at = 0 WHERE op = 'bonus.grant'",
            [],
        )
        .unwrap();
    let r = desk
        .sync_run(Some(Platform::Bonus), &opts(2000, 200))
        .unwrap();
    assert_eq!(r.platforms[0].done, 1, "{r:?}");
    assert_eq!(server.count("POST", "/market/bonus/grant"), 0);
    assert_eq!(server.count("GET", "/market/bonus/BZAF0000001"), 1);
    let grant = outbox(&desk, Platform::Bonus)
        .into_iter()
        .find(|i| i.op == "bonus.grant")
        .unwrap();
    assert_eq!(
        (grant.state, grant.result_message.as_deref()),
        (
            OutboxState::Done,
            Some("was already granted on the platform")
        )
    );
}

// ---------------------------------------------------------------- 001 cards

fn cash(title: &str) -> TemplateDraft {
    serde_json::from_value(json!({
        "offer": {"cash": {"reduceFen": 2000, "leastFen": 10000}},
        "title": title, "brandName": "Brand", "color": "Color010",
        "logoUrl": "https://example.com/logo.png", "notice": "show it",
        "description": "one per table", "servicePhone": "020-88888888",
        "quantity": 1000, "getLimit": 1, "codeType": "CODE_TYPE_TEXT",
        "beginAt": "2026-01-01T00:00:00+08:00", "endAt": "2027-01-01T00:00:00+08:00",
        "term": null, "timeLimits": [], "acceptCategory": "", "rejectCategory": "",
        "canUseWithOtherDiscount": false
    }))
    .unwrap()
}

#[test]
fn a_card_the_platform_creates_after_our_timeout_is_found_not_created_twice() {
    let dir = tempfile::tempdir().unwrap();
    let desk = open(dir.path());
    let store: Arc<Mutex<Vec<Value>>> = Arc::default();
    let held = store.clone();
    let server = Literal::start(move |r: &Req| match (r.method.as_str(), r.bare()) {
        ("POST", "/coupon/ticket") => {
            std::thread::sleep(Duration::from_millis(1200));
            let mut cards = held.lock().unwrap();
            let id = 100 + cards.len() as u64;
            let at = |k: &str| {
                serde_json::to_value(PhpDateTime::utc(r.body[k].as_str().unwrap_or(""))).unwrap()
            };
            let card = json!({
                "id": id, "color": "Color010", "background_pic_url": null,
                "logo_url": "https://example.com/logo.png", "card_type": "coupon_card",
                "brand_name": "Brand", "code_type": "CODE_TYPE_TEXT",
                "title": r.body["ticket_info"]["base_info"]["title"], "sku": {"quantity": 1000},
                "app_id": "123456", "wechat_app_id": "wx1", "ali_app_id": null, "status": 0,
                "sync": 1, "begin_at": at("begin_at"), "end_at": at("end_at"),
                "created_at": null, "updated_at": null
            });
            cards.push(card.clone());
            Some((200, json!({"data": card})))
        }
        ("GET", "/tickets") => {
            let cards = held.lock().unwrap().clone();
            let n = cards.len() as u64;
            Some((
                200,
                json!({"data": cards, "meta": {"pagination": {"total": n, "count": n,
                "per_page": 100, "current_page": 1, "total_pages": 1, "links": []}}}),
            ))
        }
        _ => Some((404, json!({"message": "404 Not Found", "status_code": 404}))),
    });
    configure(&desk, Platform::WxCard, &server.url, "");
    let t = desk.create_template(cash("Lunch20")).unwrap();
    let r = desk
        .sync_run(Some(Platform::WxCard), &opts(500, 2000))
        .unwrap();
    assert_eq!((r.platforms[0].done, r.remaining()), (1, 0), "{r:?}");
    assert_eq!(server.count("POST", "/coupon/ticket"), 1);
    assert_eq!(server.count("GET", "/tickets"), 1);
    assert_eq!(store.lock().unwrap().len(), 1);
    assert_eq!(
        remote_ref(&desk, Platform::WxCard, "template", &t.id.to_string()).as_deref(),
        Some("100")
    );
}

#[test]
fn the_pull_marks_customers_used_bonuses_from_user_bonus_and_counts_each_once() {
    let dir = tempfile::tempdir().unwrap();
    let desk = open(dir.path());
    let server = Literal::start(|r: &Req| {
        let ok = |data: Value, total: u64| {
            json!({"data": data, "meta": {"pagination": {"total": total, "count": total,
                   "per_page": 100, "current_page": 1, "total_pages": 1, "links": []}},
                   "status": {"code": 200, "message": "Ok all right."}, "success": true})
        };
        let used = |code: &str| {
            let mut b = bonus_json(code, "", Some(2));
            b["is_used"] = json!(true);
            b
        };
        Some(match (r.bare(), r.query("status").as_deref()) {
            ("/market/bonus", Some("N02")) => (200, ok(json!([used("RB1")]), 1)),
            ("/market/user_bonus", Some("N02")) => (200, ok(json!([used("RB1"), used("RB2")]), 2)),
            ("/market/bonus", Some("N01")) => (200, ok(json!([bonus_json("RB9", "", None)]), 7)),
            ("/market/bonus", Some("N03")) => (200, ok(json!([]), 0)),
            _ => (
                404,
                json!({"status": {"code": 404, "message": "Not found."}, "success": false}),
            ),
        })
    });
    configure(&desk, Platform::Bonus, &server.url, "");
    let (a, b) = (bonus(&desk), bonus(&desk));
    let conn = db(&desk);
    for (local, remote) in [(&a, "RB1"), (&b, "RB2")] {
        conn.execute(
            "INSERT INTO remote_refs (platform, kind, local_id, remote_id) VALUES ('p002', 'bonus', ?1, ?2)",
            [local.as_str(), remote],
        )
        .unwrap();
    }
    conn.execute(
        "UPDATE outbox SET state = 'done' WHERE platform = 'p002'",
        [],
    )
    .unwrap();
    let pull = coupondesk_core::sync::engine::RunOptions {
        pull: true,
        ..opts(2000, 200)
    };
    desk.sync_run(Some(Platform::Bonus), &pull).unwrap();
    assert_eq!(
        server.seen(),
        vec![
            "GET /market/bonus?status=N02&page=1&per_page=100",
            "GET /market/user_bonus?status=N02&page=1&per_page=100",
            "GET /market/bonus?status=N01&page=1&per_page=1",
            "GET /market/bonus?status=N03&page=1&per_page=1",
        ]
    );
    let status = desk.sync_status().unwrap();
    let p2 = status
        .platforms
        .iter()
        .find(|p| p.platform == Platform::Bonus)
        .unwrap();
    let remote = p2.remote.as_ref().expect("pulled");
    assert_eq!((remote.items, remote.used, remote.refreshed), (9, 2, 2));
    let used: Vec<i64> = [&a, &b]
        .iter()
        .map(|c| {
            conn.query_row(
                "SELECT status FROM bonuses WHERE code = ?1",
                [c.as_str()],
                |r| r.get(0),
            )
            .unwrap()
        })
        .collect();
    assert_eq!(
        used,
        vec![2, 2],
        "both used on the platform, both used here"
    );
}
