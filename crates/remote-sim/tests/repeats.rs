//! `counters.repeats`: every request that would have changed state had it been the first is
//! counted, separately from `applied`, on 000, 001 and 002 (004 is in p004_ebuy.rs).

mod common;
use common::start;
use serde_json::json;

const AT: (&str, &str) = ("X-Le-Sense-AT", "sense-token-000");
const WX: (&str, &str) = ("Authorization", "Bearer wxcard-token-001");
const BONUS: (&str, &str) = ("Authorization", "Bearer bonus-token-002");

#[test]
fn p000_second_create_reimport_and_reupload_are_repeats() {
    let (sim, c) = start();
    let batch = json!({"batch_no": "B1", "codes": ["A", "B"]});
    c.ok("POST", "/p000/ext/batches", &[AT], Some(&batch));
    c.ok("POST", "/p000/ext/batches", &[AT], Some(&batch));
    let create = json!({"ticket_name": "T", "batch_no": "B1"});
    let first = c.ok("POST", "/p000/tickets", &[AT], Some(&create)).json();
    assert_eq!(first["head"]["ret"], 0);
    let n = sim.counters();
    assert_eq!(n.all_repeats(), 1, "{:?}", n.repeats);
    assert_eq!(n.repeats("p000.upload_batch", "B1"), 1);

    let again = c.ok("POST", "/p000/tickets", &[AT], Some(&create)).json();
    assert_eq!(again["head"]["ret"], 103);
    let sup = json!({"ticket_name": "T", "batch_no": "B1"});
    let r = c.ok("PUT", "/p000/tickets", &[AT], Some(&sup)).json();
    assert_eq!(r["head"]["ret"], 104);
    // an unknown batch is not a repeat: nothing was ever applied for it
    let unknown = json!({"ticket_name": "T", "batch_no": "NOPE"});
    let r = c.ok("PUT", "/p000/tickets", &[AT], Some(&unknown)).json();
    assert_eq!(r["head"]["ret"], 104);
    let n = sim.counters();
    assert_eq!(n.repeats("p000.create_ticket", "T"), 1);
    assert_eq!(n.repeats("p000.import_batch", "B1"), 1);
    assert_eq!(n.repeats("p000.import_batch", "NOPE"), 0);
    assert_eq!(n.all_repeats(), 3);
    assert_eq!(n.max_applied(), 1);
}

#[test]
fn p001_an_identical_put_is_a_repeat_a_changed_one_is_applied() {
    let (sim, c) = start();
    let info = |t: &str| json!({"base_info": {"title": t, "sku": {"quantity": 5}}});
    let body = json!({"ticket_info": info("t"), "sync": false,
                      "begin_at": "2018-01-10", "end_at": "2019-12-10"});
    c.ok("POST", "/p001/coupon/ticket", &[WX], Some(&body));
    let put = json!({"ticket_type": "coupon_card", "ticket_info": info("t2"), "sync": false,
                     "begin_at": "2018-01-10", "end_at": "2019-12-10"});
    for _ in 0..3 {
        assert_eq!(c.ok("PUT", "/p001/ticket/1", &[WX], Some(&put)).status, 200);
    }
    let n = sim.counters();
    assert_eq!(n.applied("p001.update_ticket", "1"), 1);
    assert_eq!(n.repeats("p001.update_ticket", "1"), 2);
}

#[test]
fn p002_second_grant_and_second_disable_are_repeats() {
    let (sim, c) = start();
    let created = c
        .ok(
            "POST",
            "/p002/market/bonus/create",
            &[BONUS],
            Some(&json!({"amount": 2, "xname": "k1"})),
        )
        .json();
    let code = created["data"]["code"].as_str().unwrap().to_string();
    let grant = json!({"rid": code});
    assert_eq!(
        c.ok("POST", "/p002/market/bonus/grant", &[BONUS], Some(&grant))
            .status,
        200
    );
    let again = c.ok("POST", "/p002/market/bonus/grant", &[BONUS], Some(&grant));
    assert_eq!(again.status, 400);
    let disable = format!("/p002/market/bonus/{code}/disabled");
    assert_eq!(c.ok("POST", &disable, &[BONUS], None).status, 200);
    assert_eq!(c.ok("POST", &disable, &[BONUS], None).status, 200);
    let n = sim.counters();
    assert_eq!(n.applied("p002.grant_bonus", &code), 1);
    assert_eq!(n.repeats("p002.grant_bonus", &code), 1);
    assert_eq!(n.applied("p002.disable_bonus", &code), 1);
    assert_eq!(n.repeats("p002.disable_bonus", &code), 1);
    assert_eq!(n.all_repeats(), 2);
    // the counters travel over the control API too
    let over_http = c.ok("GET", "/__sim/counters", &[], None).json();
    assert_eq!(over_http["repeats"]["p002.grant_bonus"][&code], 1);
    assert_eq!(over_http["in_flight"], 0);
}
