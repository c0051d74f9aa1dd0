//! HTTPS: the simulator's own CA is the only thing that makes its certificate trusted, the
//! certificate names 127.0.0.1 and localhost (or only wrong.example), and drop-after-apply
//! still gives the client no answer under TLS.

use coupondesk_remote_sim::{Faults, Sim, SimConfig, SimHandle};
use std::time::Duration;

const AT: &str = "sense-token-000";

fn tls_sim(wrong_name: bool) -> SimHandle {
    Sim::start(SimConfig {
        tls: true,
        tls_wrong_name: wrong_name,
        ..SimConfig::default()
    })
    .expect("sim starts with TLS")
}

/// A client that trusts only `ca_pem` (no OS roots: the test must not pass by accident).
fn client(ca_pem: Option<&str>) -> reqwest::blocking::Client {
    let mut b = reqwest::blocking::Client::builder()
        .tls_built_in_root_certs(false)
        .timeout(Duration::from_secs(10));
    if let Some(pem) = ca_pem {
        b = b.add_root_certificate(reqwest::Certificate::from_pem(pem.as_bytes()).unwrap());
    }
    b.build().unwrap()
}

#[test]
fn https_with_the_sims_ca_succeeds_on_ip_and_localhost() {
    let sim = tls_sim(false);
    let base = sim.base_url();
    assert_eq!(base, format!("https://127.0.0.1:{}", sim.port()));
    let ca = sim.ca_pem().expect("a CA when TLS is on");
    assert!(ca.starts_with("-----BEGIN CERTIFICATE-----"), "{ca}");
    let c = client(Some(&ca));
    for url in [
        format!("{base}/p000/test"),
        format!("https://localhost:{}/p000/test", sim.port()),
    ] {
        let r = c.get(&url).header("X-Le-Sense-AT", AT).send().unwrap();
        assert_eq!(r.status().as_u16(), 200, "{url}");
        assert_eq!(r.text().unwrap(), r#"{"ok":true}"#, "{url}");
    }
    // a write over TLS is applied once and counted
    let r = c
        .post(format!("{base}/p000/tickets"))
        .header("X-Le-Sense-AT", AT)
        .header("Content-Type", "application/json")
        .body(r#"{"ticket_name":"tls-1"}"#)
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(
        r.text().unwrap(),
        r#"{"head":{"ret":0,"msg":"OK"}}"#,
        "the spec's answer"
    );
    let n = sim.counters();
    assert_eq!(n.applied("p000.create_ticket", "tls-1"), 1);
    assert_eq!(
        n.client_gone_total(),
        0,
        "every client waited for its answer"
    );
}

#[test]
fn https_without_the_ca_is_refused_and_reaches_no_handler() {
    let sim = tls_sim(false);
    let err = client(None)
        .get(format!("{}/p000/test", sim.base_url()))
        .send()
        .expect_err("an unknown CA must be refused");
    let chain = format!("{err:?}");
    assert!(
        chain.contains("UnknownIssuer"),
        "a certificate error, got {chain}"
    );
    assert_eq!(sim.counters().request_count("GET /p000/test"), 0);
}

#[test]
fn a_certificate_for_another_name_is_refused_even_with_the_ca() {
    let sim = tls_sim(true);
    let ca = sim.ca_pem().unwrap();
    let err = client(Some(&ca))
        .get(format!("{}/p000/test", sim.base_url()))
        .send()
        .expect_err("a name mismatch must be refused");
    let chain = format!("{err:?}");
    assert!(
        chain.contains("NotValidForName"),
        "a name error, got {chain}"
    );
    assert_eq!(sim.counters().request_count("GET /p000/test"), 0);
}

#[test]
fn drop_after_apply_under_tls_applies_and_sends_no_answer() {
    let sim = tls_sim(false);
    sim.set_faults(Faults {
        drop_after_apply_rate: 1.0,
        ..Faults::default()
    });
    let ca = sim.ca_pem().unwrap();
    let r = client(Some(&ca))
        .post(format!("{}/p000/tickets", sim.base_url()))
        .header("X-Le-Sense-AT", AT)
        .header("Content-Type", "application/json")
        .body(r#"{"ticket_name":"dropped-tls"}"#)
        .send();
    let err = r.expect_err("no answer under drop-after-apply");
    assert!(!err.is_timeout(), "closed, not timed out: {err:?}");
    assert!(err.status().is_none(), "no HTTP status at all: {err:?}");
    let n = sim.counters();
    assert_eq!(n.applied("p000.create_ticket", "dropped-tls"), 1);
    assert_eq!(n.injected_count("dropped"), 1);
}

#[test]
fn plain_http_has_no_ca() {
    let sim = Sim::start(SimConfig::default()).unwrap();
    assert_eq!(sim.ca_pem(), None);
    assert!(sim.base_url().starts_with("http://127.0.0.1:"));
}

#[test]
fn a_tls_client_that_times_out_is_counted_as_gone_and_the_change_still_lands() {
    let sim = tls_sim(false);
    sim.set_faults(Faults {
        late_apply_rate: 1.0,
        late_apply_ms: 1_200,
        ..Faults::default()
    });
    let ca = sim.ca_pem().unwrap();
    let impatient = reqwest::blocking::Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(ca.as_bytes()).unwrap())
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let err = impatient
        .post(format!("{}/p000/tickets", sim.base_url()))
        .header("X-Le-Sense-AT", AT)
        .header("Content-Type", "application/json")
        .body(r#"{"ticket_name":"late-tls"}"#)
        .send()
        .expect_err("the client gives up first");
    assert!(err.is_timeout(), "{err:?}");
    drop(impatient);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while sim.in_flight_now() > 0 {
        assert!(std::time::Instant::now() < deadline, "never finished");
        std::thread::sleep(Duration::from_millis(20));
    }
    let n = sim.counters();
    assert_eq!(n.applied("p000.create_ticket", "late-tls"), 1);
    assert_eq!(n.client_gone_total(), 1, "{:?}", n.client_gone);
}
