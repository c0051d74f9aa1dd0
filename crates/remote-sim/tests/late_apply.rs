//! Late applies and the in-flight gauge over loopback HTTP.

mod common;
use common::{start, start_literal, Client};
use coupondesk_remote_sim::{Faults, Platform, SimHandle};
use serde_json::json;
use std::time::{Duration, Instant};

const BONUS: (&str, &str) = ("Authorization", "Bearer bonus-token-002");
const VOUCHER: (&str, &str) = ("Authorization", "Bearer voucher-token-003");
const LATE_MS: u64 = 1_500;

fn late_faults() -> Faults {
    Faults {
        late_apply_rate: 1.0,
        late_apply_ms: LATE_MS,
        ..Faults::default()
    }
}

/// Waits (polling, with a deadline) until the sim handles no request.
fn until_idle(sim: &SimHandle) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while sim.in_flight_now() > 0 {
        assert!(Instant::now() < deadline, "a request never finished");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_late_apply_lands_after_the_client_gave_up_in_both_modes() {
    for (sim, _) in [start(), start_literal()] {
        sim.set_faults(late_faults());
        let impatient = Client::new(&sim, Duration::from_millis(300));
        let sent = Instant::now();
        let r = impatient.send(
            "POST",
            "/p003/api/v1/coupons",
            &[VOUCHER],
            Some(&json!({"name": "late", "price": 1.0})),
        );
        assert!(r.is_err(), "the client timed out: {r:?}");
        // the client has gone; the change is not there yet, and the request is still held
        let early = sim.counters();
        if sent.elapsed() < Duration::from_millis(LATE_MS - 200) {
            assert_eq!(early.applied("p003.buy_coupon", "late"), 0);
            assert_eq!(sim.in_flight_now(), 1);
        }
        until_idle(&sim);
        let n = sim.counters();
        assert!(
            sent.elapsed() >= Duration::from_millis(LATE_MS),
            "applied no earlier than late_apply_ms after arrival"
        );
        assert_eq!(n.applied("p003.buy_coupon", "late"), 1);
        assert_eq!(n.injected_count("late_apply"), 1);
        assert_eq!(n.injected_count("timeout"), 0);
        // the request was in flight when the client went away
        assert_eq!(
            n.client_gone,
            [("POST /p003/api/v1/coupons".to_string(), 1)].into()
        );
    }
}

#[test]
fn a_patient_client_gets_the_late_answer() {
    let (sim, c) = start();
    sim.set_faults(Faults {
        platforms: vec![Platform::Bonus],
        ..late_faults()
    });
    let sent = Instant::now();
    let r = c.ok(
        "POST",
        "/p002/market/bonus/create",
        &[BONUS],
        Some(&json!({"amount": 2, "xname": "late-1"})),
    );
    assert!(sent.elapsed() >= Duration::from_millis(LATE_MS));
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json()["data"]["xname"], "late-1");
    // other platforms are not hit
    let v = c.ok("GET", "/p003/api/v1/coupons", &[VOUCHER], None);
    assert_eq!(v.status, 200);
    until_idle(&sim);
    let n = sim.counters();
    assert_eq!(n.applied("p002.create_bonus", "late-1"), 1);
    assert_eq!(n.injected_count("late_apply"), 1);
    assert_eq!(n.client_gone_total(), 0, "the client waited for its answer");
}

#[test]
fn in_flight_counts_held_requests_and_not_control_calls() {
    let (sim, c) = start();
    assert_eq!(sim.in_flight_now(), 0);
    sim.set_faults(Faults {
        latency_ms: 1_000,
        ..Faults::default()
    });
    let racers: Vec<_> = (0..3)
        .map(|i| {
            let c = Client::new(&sim, Duration::from_secs(10));
            std::thread::spawn(move || {
                c.ok(
                    "POST",
                    "/p002/market/bonus/create",
                    &[BONUS],
                    Some(&json!({"amount": 1, "xname": format!("f{i}")})),
                )
                .status
            })
        })
        .collect();
    // all three are held by the latency: poll until the gauge sees them
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let over_http = c.ok("GET", "/__sim/inflight", &[], None).json();
        if over_http["in_flight"] == 3 {
            break;
        }
        assert!(Instant::now() < deadline, "saw {over_http}");
        std::thread::sleep(Duration::from_millis(20));
    }
    for r in racers {
        assert_eq!(r.join().unwrap(), 201);
    }
    until_idle(&sim);
    assert_eq!(
        c.ok("GET", "/__sim/inflight", &[], None).json(),
        json!({"in_flight": 0})
    );
}
