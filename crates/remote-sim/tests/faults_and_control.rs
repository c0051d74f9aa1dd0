//! Fault switches and the control API over loopback HTTP.

mod common;
use common::{start, Client};
use coupondesk_remote_sim::{Counters, Faults, Platform, Sim, SimConfig};
use serde_json::json;
use std::time::{Duration, Instant};

const AT: (&str, &str) = ("X-Le-Sense-AT", "sense-token-000");
const BONUS: (&str, &str) = ("Authorization", "Bearer bonus-token-002");

#[test]
fn drop_after_apply_applies_once_and_the_client_sees_an_error() {
    let (sim, c) = start();
    sim.set_faults(Faults {
        drop_after_apply_rate: 1.0,
        ..Faults::default()
    });
    let r = c.send(
        "POST",
        "/p000/tickets",
        &[AT],
        Some(&json!({"ticket_name": "dropped"})),
    );
    assert!(r.is_err(), "no answer expected, got {r:?}");
    sim.set_faults(Faults::default());
    // the client retries: the platform says the name is taken, nothing applied twice
    let again = c.ok(
        "POST",
        "/p000/tickets",
        &[AT],
        Some(&json!({"ticket_name": "dropped"})),
    );
    assert_eq!(again.json()["head"]["ret"], 103);
    let n = sim.counters();
    assert_eq!(n.applied("p000.create_ticket", "dropped"), 1);
    assert_eq!(n.injected_count("dropped"), 1);
    assert_eq!(n.request_count("POST /p000/tickets"), 2);
    // and a read-back shows it
    let list = c
        .ok("GET", "/p000/tickets?ticket_name=dropped", &[AT], None)
        .json();
    assert_eq!(list["body"]["tickets"].as_array().unwrap().len(), 1);
}

#[test]
fn error_rate_answers_5xx_without_applying() {
    let (sim, c) = start();
    sim.set_faults(Faults {
        error_rate: 1.0,
        ..Faults::default()
    });
    let mut statuses = std::collections::BTreeSet::new();
    for i in 0..12 {
        let r = c.ok(
            "POST",
            "/p002/market/bonus/create",
            &[BONUS],
            Some(&json!({"amount": 1, "xname": format!("k{i}")})),
        );
        statuses.insert(r.status);
        assert_eq!(r.json()["success"], false);
    }
    assert_eq!(statuses, [500, 503].into_iter().collect());
    let r = c.ok(
        "POST",
        "/p000/tickets",
        &[AT],
        Some(&json!({"ticket_name": "x"})),
    );
    assert!(r.status >= 500);
    assert_eq!(r.json()["head"]["ret"], 1);
    let n = sim.counters();
    assert_eq!(n.applied_total("p002.create_bonus"), 0);
    assert_eq!(n.injected_count("error"), 13);
}

#[test]
fn faults_can_target_one_platform() {
    let (sim, c) = start();
    sim.set_faults(Faults {
        error_rate: 1.0,
        platforms: vec![Platform::Bonus],
        ..Faults::default()
    });
    assert_eq!(
        c.ok("GET", "/p000/tickets", &[AT], None).json()["head"]["ret"],
        0
    );
    assert!(c.ok("GET", "/p002/market/bonus", &[BONUS], None).status >= 500);
}

#[test]
fn timeout_sleeps_past_the_client_then_applies() {
    let (sim, _) = start();
    let impatient = Client::new(&sim, Duration::from_millis(300));
    sim.set_faults(Faults {
        timeout_rate: 1.0,
        timeout_ms: 800,
        ..Faults::default()
    });
    let r = impatient.send(
        "POST",
        "/p000/tickets",
        &[AT],
        Some(&json!({"ticket_name": "slow"})),
    );
    assert!(r.is_err(), "client timed out: {r:?}");
    // the server still applies after its sleep
    let deadline = Instant::now() + Duration::from_secs(5);
    while sim.counters().applied("p000.create_ticket", "slow") == 0 {
        assert!(Instant::now() < deadline, "never applied");
        std::thread::sleep(Duration::from_millis(50));
    }
    // timeout_applies = false: 504, nothing applied
    sim.set_faults(Faults {
        timeout_rate: 1.0,
        timeout_ms: 10,
        timeout_applies: false,
        ..Faults::default()
    });
    let c = Client::new(&sim, Duration::from_secs(5));
    let r = c.ok(
        "POST",
        "/p000/tickets",
        &[AT],
        Some(&json!({"ticket_name": "never"})),
    );
    assert_eq!(r.status, 504);
    assert_eq!(sim.counters().applied("p000.create_ticket", "never"), 0);
}

#[test]
fn latency_delays_answers() {
    let (sim, c) = start();
    sim.set_faults(Faults {
        latency_ms: 150,
        latency_jitter_ms: 50,
        ..Faults::default()
    });
    let t = Instant::now();
    c.ok("GET", "/p000/tickets", &[AT], None);
    let took = t.elapsed();
    assert!(took >= Duration::from_millis(150), "{took:?}");
}

#[test]
fn control_api_over_http() {
    let (sim, c) = start();
    let faults = c.ok("GET", "/__sim/faults", &[], None).json();
    assert_eq!(faults["error_rate"], 0.0);
    let set = c.ok(
        "POST",
        "/__sim/faults",
        &[],
        Some(&json!({"expired_token": true, "platforms": ["p003"]})),
    );
    assert_eq!(set.status, 200);
    assert!(sim.faults().expired_token);
    assert_eq!(sim.faults().platforms, vec![Platform::Voucher]);
    assert_eq!(
        c.ok(
            "POST",
            "/__sim/faults",
            &[],
            Some(&json!({"error_rate": "lots"}))
        )
        .status,
        400
    );
    c.ok("POST", "/__sim/faults", &[], Some(&json!({})));

    c.ok(
        "POST",
        "/p000/tickets",
        &[AT],
        Some(&json!({"ticket_name": "T"})),
    );
    let counters: Counters =
        serde_json::from_str(&c.ok("GET", "/__sim/counters", &[], None).text).unwrap();
    assert_eq!(counters, sim.counters());
    assert_eq!(counters.applied("p000.create_ticket", "T"), 1);

    let state = c.ok("GET", "/__sim/state", &[], None).json();
    assert_eq!(state["p000"]["tickets"][0]["ticket_name"], "T");
    assert_eq!(state, sim.state());
    let cfg = c.ok("GET", "/__sim/config", &[], None).json();
    assert_eq!(cfg["sense_token"], "sense-token-000");
    assert_eq!(cfg["ebuy_app_id"], "ebuy-app-004");

    assert_eq!(
        c.ok("POST", "/__sim/reset", &[], None).json(),
        json!({"ok": true})
    );
    assert_eq!(sim.counters(), Counters::default());
    assert_eq!(
        c.ok("GET", "/p000/tickets", &[AT], None).json()["body"]["tickets"],
        json!([])
    );
    assert_eq!(c.ok("GET", "/__sim/nothing", &[], None).status, 404);
    assert_eq!(c.ok("GET", "/p999/x", &[], None).status, 404);
}

#[test]
fn seeded_runs_are_reproducible_and_drop_stops_the_server() {
    let run = |seed: u64| {
        let sim = Sim::start(SimConfig {
            seed,
            ..SimConfig::default()
        })
        .unwrap();
        sim.set_faults(Faults {
            error_rate: 0.5,
            ..Faults::default()
        });
        let c = Client::new(&sim, Duration::from_secs(5));
        let statuses: Vec<u16> = (0..16)
            .map(|_| c.ok("GET", "/p000/tickets", &[AT], None).status)
            .collect();
        let url = sim.base_url();
        drop(sim);
        (statuses, url)
    };
    let (a, url) = run(7);
    let (b, _) = run(7);
    assert_eq!(a, b);
    assert!(a.contains(&200) && a.iter().any(|s| *s >= 500), "{a:?}");
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(2)))
        .build()
        .into();
    assert!(
        agent.get(&format!("{url}/__sim/counters")).call().is_err(),
        "stopped"
    );
}

#[test]
fn describe_names_every_platform_and_the_given_port_is_used() {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = probe.local_addr().unwrap().port();
    drop(probe);
    let sim = Sim::start(SimConfig {
        port,
        ..SimConfig::default()
    })
    .unwrap();
    assert_eq!(sim.port(), port);
    assert_eq!(
        sim.platform_url(Platform::Ebuy),
        format!("http://127.0.0.1:{port}/p004")
    );
    let text = sim.describe();
    for p in [
        "/p000",
        "/p001",
        "/p002",
        "/p003",
        "/p004",
        "sense-token-000",
        "ebuy-secret-004",
        "/__sim/",
    ] {
        assert!(text.contains(p), "{p} missing from {text}");
    }
}
