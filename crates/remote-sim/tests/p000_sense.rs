//! Spec 000 over loopback HTTP.

mod common;
use common::{keys, sorted, start};
use coupondesk_remote_sim::Faults;
use serde_json::json;

const AT: (&str, &str) = ("X-Le-Sense-AT", "sense-token-000");

#[test]
fn create_import_list_and_supplement() {
    let (sim, c) = start();
    let r = c.ok(
        "POST",
        "/p000/ext/batches",
        &[AT],
        Some(&json!({"batch_no": "B1", "codes": ["C1", "C2", "C3"]})),
    );
    assert_eq!(
        r.json(),
        json!({"head": {"ret": 0, "msg": "OK"}, "body": {"batch_no": "B1", "code_count": 3}})
    );
    // repeating the same upload is accepted and not applied again
    c.ok(
        "POST",
        "/p000/ext/batches",
        &[AT],
        Some(&json!({"batch_no": "B1", "codes": ["C1", "C2", "C3"]})),
    );
    c.ok(
        "POST",
        "/p000/ext/batches",
        &[AT],
        Some(&json!({"batch_no": "B2", "codes": ["C4"]})),
    );

    let r = c.ok(
        "POST",
        "/p000/tickets",
        &[AT],
        Some(&json!({"batch_no": "B1", "ticket_name": "919送乐2"})),
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.json(), json!({"head": {"ret": 0, "msg": "OK"}}));
    let r = c.ok(
        "POST",
        "/p000/tickets",
        &[AT],
        Some(&json!({"ticket_name": "乐次元撩妹送礼包"})),
    );
    assert_eq!(r.json()["head"]["ret"], 0);

    let list = c
        .ok("GET", "/p000/tickets?ticket_name=%E9%80%81", &[AT], None)
        .json();
    assert_eq!(keys(&list), sorted(&["head", "body"]));
    let tickets = list["body"]["tickets"].as_array().unwrap();
    assert_eq!(tickets.len(), 2, "fuzzy match on 送: {list}");
    let t = &tickets[0];
    assert_eq!(
        keys(t),
        sorted(&[
            "ticket_type",
            "ticket_name",
            "ticket_total",
            "ticket_used",
            "create_time",
            "update_time"
        ])
    );
    assert_eq!(t["ticket_name"], "919送乐2");
    assert_eq!(t["ticket_total"], 3);
    assert!(t["update_time"].as_str().unwrap().parse::<u64>().unwrap() > 1_600_000_000_000);

    // supplement 919送乐2 with B2
    let r = c.ok(
        "PUT",
        "/p000/tickets",
        &[AT],
        Some(&json!({"batch_no": "B2", "ticket_name": "919送乐2"})),
    );
    assert_eq!(r.json(), json!({"head": {"ret": 0, "msg": "OK"}}));
    let ty = t["ticket_type"].as_str().unwrap().to_string();
    let one = c
        .ok(
            "GET",
            &format!("/p000/tickets?ticket_type={ty}"),
            &[AT],
            None,
        )
        .json();
    assert_eq!(one["body"]["tickets"][0]["ticket_total"], 4);

    // paging
    let p = c
        .ok("GET", "/p000/tickets?to_page=2&per_page=1", &[AT], None)
        .json();
    assert_eq!(p["body"]["tickets"][0]["ticket_name"], "乐次元撩妹送礼包");
    let p = c
        .ok("GET", "/p000/tickets?to_page=3&per_page=1", &[AT], None)
        .json();
    assert_eq!(p["body"]["tickets"], json!([]));

    let n = sim.counters();
    assert_eq!(n.applied("p000.create_ticket", "919送乐2"), 1);
    assert_eq!(n.applied("p000.upload_batch", "B1"), 1);
    assert_eq!(n.applied("p000.import_batch", "B1"), 1);
    assert_eq!(n.applied("p000.import_batch", "B2"), 1);
    assert_eq!(n.request_count("POST /p000/ext/batches"), 3);
    assert_eq!(n.max_applied(), 1);
}

#[test]
fn return_codes_103_104_105_and_3() {
    let (_sim, c) = start();
    c.ok(
        "POST",
        "/p000/tickets",
        &[AT],
        Some(&json!({"ticket_name": "A"})),
    );
    let r = c
        .ok(
            "POST",
            "/p000/tickets",
            &[AT],
            Some(&json!({"ticket_name": "A"})),
        )
        .json();
    assert_eq!(r, json!({"head": {"ret": 103, "msg": "券码名称重复"}}));
    let r = c
        .ok(
            "POST",
            "/p000/tickets",
            &[AT],
            Some(&json!({"ticket_name": "B", "batch_no": "nope"})),
        )
        .json();
    assert_eq!(r["head"]["ret"], 104);
    let r = c
        .ok(
            "PUT",
            "/p000/tickets",
            &[AT],
            Some(&json!({"ticket_name": "A", "batch_no": "nope"})),
        )
        .json();
    assert_eq!(r["head"]["ret"], 104);
    let r = c
        .ok(
            "PUT",
            "/p000/tickets",
            &[AT],
            Some(&json!({"ticket_name": "Z", "batch_no": "nope"})),
        )
        .json();
    assert_eq!(r["head"]["ret"], 105);
    let r = c
        .ok("GET", "/p000/tickets?ticket_type=NOPE", &[AT], None)
        .json();
    assert_eq!(r, json!({"head": {"ret": 105, "msg": "券码类型不存在"}}));
    let r = c
        .ok("GET", "/p000/tickets?per_page=101", &[AT], None)
        .json();
    assert_eq!(r["head"]["ret"], 3);
    let r = c
        .ok(
            "POST",
            "/p000/tickets",
            &[AT],
            Some(&json!({"batch_no": "x"})),
        )
        .json();
    assert_eq!(r["head"]["ret"], 3);
    // a consumed batch cannot be imported twice
    c.ok(
        "POST",
        "/p000/ext/batches",
        &[AT],
        Some(&json!({"batch_no": "B", "codes": ["1"]})),
    );
    assert_eq!(
        c.ok(
            "POST",
            "/p000/tickets",
            &[AT],
            Some(&json!({"ticket_name": "C", "batch_no": "B"}))
        )
        .json()["head"]["ret"],
        0
    );
    assert_eq!(
        c.ok(
            "PUT",
            "/p000/tickets",
            &[AT],
            Some(&json!({"ticket_name": "C", "batch_no": "B"}))
        )
        .json()["head"]["ret"],
        104
    );
}

#[test]
fn auth_errors_are_ret_2() {
    let (sim, c) = start();
    let r = c.ok("GET", "/p000/tickets", &[("X-Le-Sense-AT", "wrong")], None);
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["head"]["ret"], 2);
    assert_eq!(
        c.ok("GET", "/p000/tickets", &[], None).json()["head"]["ret"],
        2
    );
    sim.set_faults(Faults {
        expired_token: true,
        ..Faults::default()
    });
    let r = c
        .ok(
            "POST",
            "/p000/tickets",
            &[AT],
            Some(&json!({"ticket_name": "A"})),
        )
        .json();
    assert_eq!(r["head"]["ret"], 2);
    assert_eq!(sim.counters().applied_total("p000.create_ticket"), 0);
    assert_eq!(
        c.ok("GET", "/p000/test", &[], None).json()["head"]["ret"],
        2
    );
}

#[test]
fn rate_limit_is_ret_4_with_retry_after() {
    let (sim, c) = start();
    sim.set_faults(Faults {
        rate_limit_per_sec: Some(2),
        ..Faults::default()
    });
    // Asks until the limit bites (at once on any sane machine: 2 per rolling second), so
    // a slow request on a busy machine cannot make the test pass or fail by luck.
    let mut passed = 0;
    let limited = loop {
        let r = c.ok("GET", "/p000/tickets", &[AT], None);
        if r.json()["head"]["ret"] == json!(0) {
            passed += 1;
            assert!(passed < 20, "the rate limit never answered");
            continue;
        }
        break r;
    };
    assert!(passed >= 2, "the first two requests of a second pass");
    assert_eq!(limited.status, 200);
    assert_eq!(limited.json()["head"]["ret"], 4);
    assert_eq!(limited.retry_after.as_deref(), Some("1"));
    assert_eq!(sim.counters().injected_count("rate_limited"), 1);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    assert_eq!(
        c.ok("GET", "/p000/tickets", &[AT], None).json()["head"]["ret"],
        0
    );
}
