//! The transport over real sockets: HTTPS with a CA made in the test (trusted through a
//! platform's CA file, refused without it, refused for a certificate of another name),
//! redirects that would carry a token elsewhere, plain HTTP to other machines, and the
//! "Test connection" verdicts against the simulator.

mod common;
#[path = "common/loopback.rs"]
mod loopback;

use std::path::Path;
use std::time::Duration;

use coupondesk_core::api_error::ErrorCode;
use coupondesk_core::domain::bonus::BonusDraft;
use coupondesk_core::domain::PageRequest;
use coupondesk_core::sync::engine::RunOptions;
use coupondesk_core::sync::http::CallErrorKind;
use coupondesk_core::sync::http::Http;
use coupondesk_core::sync::{
    ConnectionVerdict, OutboxQuery, OutboxState, Platform, PlatformSettingsInput, PlatformStatus,
};
use coupondesk_core::Desk;
use coupondesk_remote_sim::{Sim, SimConfig};
use loopback::{closed_port, front, json_response, pki, recorder, redirect_response};

fn input(p: Platform, url: &str, secret: &str) -> PlatformSettingsInput {
    common::enabled_platform(p, url, secret)
}

fn quick() -> RunOptions {
    RunOptions {
        max_duration: Duration::from_secs(20),
        wait: false,
        backoff_base: Duration::from_millis(10),
        timeout: Duration::from_secs(3),
        ..RunOptions::default()
    }
}

fn one_bonus(desk: &Desk) {
    let draft: BonusDraft = serde_json::from_value(serde_json::json!({
        "amountFen": 250, "quantity": 1, "xname": "tls", "minAmountFen": 1000, "enabled": true
    }))
    .unwrap();
    desk.create_bonuses(draft).unwrap();
}

fn status(desk: &Desk, p: Platform) -> PlatformStatus {
    desk.sync_status()
        .unwrap()
        .platforms
        .into_iter()
        .find(|s| s.platform == p)
        .unwrap()
}

fn queued(desk: &Desk) -> Vec<(String, Option<String>)> {
    desk.sync_outbox(&OutboxQuery {
        state: Some(OutboxState::Queued),
        page: PageRequest {
            page: 1,
            per_page: 50,
        },
        ..OutboxQuery::default()
    })
    .unwrap()
    .items
    .into_iter()
    .map(|i| (i.op, i.result_code))
    .collect()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn https_with_a_private_ca_syncs_and_without_it_the_op_stays_queued_and_not_online() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::start(SimConfig::default()).unwrap();
    let pki = pki();
    let tls = front(pki.good.clone(), sim.port());
    let desk = Desk::open(&dir.path().join("shop.sqlite3")).unwrap();
    let url = format!("https://127.0.0.1:{}/p002", tls.port);
    let mut s = input(Platform::Bonus, &url, "bonus-token-002");
    desk.sync_save_settings(&s).unwrap();
    one_bonus(&desk);

    // Without the CA: refused before anything is sent, the op stays queued.
    let r = desk.sync_run(Some(Platform::Bonus), &quick()).unwrap();
    let run = &r.platforms[0];
    assert_eq!((run.done, run.remaining), (0, 1));
    let why = run.stopped.clone().unwrap_or_default();
    assert!(
        why.starts_with("the platform's certificate is not trusted (")
            && why.ends_with(
                "); if it uses a private CA, give its certificate file in Settings \
                 (CA certificate) or SSL_CERT_FILE"
            ),
        "{why}"
    );
    assert_eq!(queued(&desk), [("bonus.create".into(), Some("tls".into()))]);
    assert_eq!(*tls.requests.lock().unwrap(), 0, "no request got through");
    let st = status(&desk, Platform::Bonus);
    assert_eq!(st.online, Some(false));
    assert_eq!(st.last_error.as_deref(), Some(why.as_str()));

    // With the CA file: the same op goes through, over TLS.
    s.ca_file = write(dir.path(), "ca.pem", &pki.ca_pem);
    s.secret = None;
    desk.sync_save_settings(&s).unwrap();
    let r = desk.sync_run(Some(Platform::Bonus), &quick()).unwrap();
    assert_eq!((r.platforms[0].done, r.remaining()), (1, 0), "{r:?}");
    assert!(*tls.requests.lock().unwrap() >= 1);
    assert_eq!(sim.counters().applied_total("p002.create_bonus"), 1);
    assert_eq!(status(&desk, Platform::Bonus).online, Some(true));
}

#[test]
fn a_certificate_for_another_name_is_refused_even_from_a_trusted_ca() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::start(SimConfig::default()).unwrap();
    let pki = pki();
    let tls = front(pki.wrong_name.clone(), sim.port());
    let desk = Desk::open(&dir.path().join("shop.sqlite3")).unwrap();
    let mut s = input(
        Platform::Bonus,
        &format!("https://127.0.0.1:{}/p002", tls.port),
        "bonus-token-002",
    );
    s.ca_file = write(dir.path(), "ca.pem", &pki.ca_pem);
    desk.sync_save_settings(&s).unwrap();
    let t = desk
        .sync_test(Platform::Bonus, Duration::from_secs(3))
        .unwrap();
    assert_eq!(t.verdict, ConnectionVerdict::TlsError);
    assert!(
        t.message
            .starts_with("红包 (002): the platform's certificate is not valid for this address (")
            && t.message.contains("wrong.example")
            && t.message.ends_with(
                "check the address in Settings: its host must be a name the certificate gives"
            ),
        "{}",
        t.message
    );
    assert_eq!(*tls.requests.lock().unwrap(), 0);
    let st = status(&desk, Platform::Bonus);
    assert_eq!(st.online, Some(false));
    assert_eq!(st.last_test, Some(t));
}

#[test]
fn a_redirect_to_another_origin_never_carries_the_token_there() {
    let elsewhere = recorder(|_| json_response(200, "{}"));
    let target = format!("http://127.0.0.1:{}/stolen", elsewhere.port);
    let moved = recorder(move |_| redirect_response(307, &target));
    for header in ["Authorization", "X-Le-Sense-AT"] {
        let mut http = Http::new(Duration::from_secs(3));
        let err = http
            .call(
                "POST",
                &format!("http://127.0.0.1:{}/market/bonus/create", moved.port),
                &[(header, "secret-token")],
                Some(b"{}"),
            )
            .unwrap_err();
        assert_eq!(err.kind, CallErrorKind::Setup, "{header}");
        assert_eq!(
            err.message,
            format!(
                "the platform sent us to another address (HTTP 307 to http://127.0.0.1:{}); \
                 we do not send your token there; if the platform moved, put its new \
                 address in Settings",
                elsewhere.port
            )
        );
    }
    assert_eq!(moved.heads().len(), 2);
    assert!(elsewhere.heads().is_empty(), "{:?}", elsewhere.heads());
}

#[test]
fn a_same_origin_307_is_followed_with_its_token_and_a_loop_stops_after_five() {
    let server = recorder(|head| {
        if head.starts_with("GET /new ") {
            json_response(200, r#"{"data":[]}"#)
        } else if head.starts_with("GET /loop ") {
            redirect_response(307, "/loop")
        } else {
            redirect_response(307, "/new")
        }
    });
    let mut http = Http::new(Duration::from_secs(3));
    let base = format!("http://127.0.0.1:{}", server.port);
    let a = http
        .call(
            "GET",
            &format!("{base}/old"),
            &[("Authorization", "Bearer t")],
            None,
        )
        .unwrap();
    assert_eq!((a.status, a.body.as_slice()), (200, &br#"{"data":[]}"#[..]));
    let heads = server.heads();
    assert_eq!(heads.len(), 2);
    assert!(
        heads[1].starts_with("GET /new HTTP/1.1\r\n"),
        "{}",
        heads[1]
    );
    assert!(heads[1]
        .to_ascii_lowercase()
        .contains("\r\nauthorization: bearer t"));

    let err = http
        .call("GET", &format!("{base}/loop"), &[], None)
        .unwrap_err();
    assert_eq!(err.kind, CallErrorKind::Setup);
    assert!(err
        .message
        .starts_with("the platform redirected us more than 5 times"));
    // The first request and five followed redirects.
    assert_eq!(server.heads().len(), 2 + 6);
}

#[test]
fn plain_http_to_another_machine_needs_allow_http_in_settings_and_in_the_engine() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.sqlite3");
    let desk = Desk::open(&db).unwrap();
    let mut s = input(Platform::Bonus, "http://example.com/p002", "t");
    let e = desk.sync_save_settings(&s).unwrap_err();
    let f = &e.fields()[0];
    assert_eq!((f.field.as_str(), f.code.as_str()), ("baseUrl", "invalid"));
    assert_eq!(
        f.message,
        "the address http://example.com is plain http:// to another machine: the token \
         would travel in clear text; use https:// or tick \"allow plain HTTP\" in Settings"
    );
    s.allow_http = true;
    assert!(desk.sync_save_settings(&s).unwrap().allow_http);
    assert!(status(&desk, Platform::Bonus).allow_http);
    let local = input(Platform::Voucher, "http://127.0.0.1:9/p003", "t");
    desk.sync_save_settings(&local).unwrap();

    // Settings saved before the rule (allow_http off under a remote http URL): the
    // engine refuses to send, says why, and keeps the op.
    one_bonus(&desk);
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute(
        "UPDATE sync_platforms SET allow_http = 0, base_url = 'http://platform.test/p002'
          WHERE platform = 'p002'",
        [],
    )
    .unwrap();
    let r = desk.sync_run(Some(Platform::Bonus), &quick()).unwrap();
    assert_eq!((r.platforms[0].requests, r.remaining()), (0, 1));
    assert_eq!(r.not_set_up, 0, "p002 is set up, only refused");
    assert!(r.platforms[0]
        .stopped
        .as_deref()
        .unwrap_or_default()
        .starts_with("the address http://platform.test is plain http://"));
    assert_eq!(status(&desk, Platform::Bonus).online, Some(false));
}

#[test]
fn a_ca_file_that_cannot_be_used_is_a_field_error_on_ca_file() {
    let dir = tempfile::tempdir().unwrap();
    let desk = Desk::open(&dir.path().join("shop.sqlite3")).unwrap();
    let mut s = input(Platform::Bonus, "https://api.example.com", "t");
    s.ca_file = write(
        dir.path(),
        "key.pem",
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
    );
    let e = desk.sync_save_settings(&s).unwrap_err();
    assert_eq!(e.fields()[0].field, "caFile");
    assert!(e.fields()[0].message.starts_with(&format!(
        "the CA certificate file {} holds no PEM certificate",
        s.ca_file
    )));
    s.ca_file = dir.path().join("none.pem").to_string_lossy().into_owned();
    assert_eq!(
        desk.sync_save_settings(&s).unwrap_err().fields()[0].field,
        "caFile"
    );
}

#[test]
fn test_connection_gives_each_verdict_and_marks_only_a_success_online() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::start(SimConfig::default()).unwrap();
    let pki = pki();
    let tls = front(pki.good.clone(), sim.port());
    let desk = Desk::open(&dir.path().join("shop.sqlite3")).unwrap();
    let url = |p: &str| format!("{}/{p}", sim.base_url());
    let timeout = Duration::from_secs(3);
    let test = |p: Platform, s: &PlatformSettingsInput| {
        desk.sync_save_settings(s).unwrap();
        let t = desk.sync_test(p, timeout).unwrap();
        (t.verdict, t.message)
    };

    assert_eq!(
        desk.sync_test(Platform::WxCard, timeout).unwrap().verdict,
        ConnectionVerdict::NotConfigured
    );
    let good: [(Platform, &str, &str); 4] = [
        (Platform::Sense, "p000", "sense-token-000"),
        (Platform::WxCard, "p001", "wxcard-token-001"),
        (Platform::Bonus, "p002", "bonus-token-002"),
        (Platform::Voucher, "p003", "voucher-token-003"),
    ];
    for (p, id, token) in good {
        let (v, m) = test(p, &input(p, &url(id), token));
        assert_eq!(v, ConnectionVerdict::Authorised, "{m}");
        assert!(m.starts_with(&format!(
            "{}: reachable and authorised (GET /",
            p.display_name()
        )));
        assert_eq!(status(&desk, p).online, Some(true));
        let (v, m) = test(p, &input(p, &url(id), "wrong-token"));
        assert_eq!(v, ConnectionVerdict::TokenRefused, "{m}");
        assert!(
            m.contains(&format!("refused our {}", p.secret_name())),
            "{m}"
        );
        assert_eq!(status(&desk, p).online, Some(false));
    }
    let (v, m) = test(
        Platform::Ebuy,
        &input(Platform::Ebuy, &url("p004"), "ebuy-secret-004"),
    );
    assert_eq!(v, ConnectionVerdict::Reachable, "{m}");
    assert!(m.starts_with("e-Buy 电子券 (004): reachable (GET of the address answered HTTP "));

    let closed = format!("http://127.0.0.1:{}/p002", closed_port());
    let (v, m) = test(Platform::Bonus, &input(Platform::Bonus, &closed, "t"));
    assert_eq!(v, ConnectionVerdict::Unreachable, "{m}");
    assert_eq!(
        m,
        "红包 (002): the platform refused the connection (is the address in Settings right?)"
    );
    let https = format!("https://127.0.0.1:{}/p002", tls.port);
    let (v, m) = test(
        Platform::Bonus,
        &input(Platform::Bonus, &https, "bonus-token-002"),
    );
    assert_eq!(v, ConnectionVerdict::TlsError, "{m}");
    assert!(m.contains("UnknownIssuer"), "{m}");
    let st = status(&desk, Platform::Bonus);
    assert_eq!(st.online, Some(false));
    assert_eq!(
        st.last_test.map(|t| t.verdict),
        Some(ConnectionVerdict::TlsError)
    );
    assert!(st.last_test_at.is_some());
    // The wrong address on a live platform is not "authorised".
    let (v, m) = test(
        Platform::Bonus,
        &input(Platform::Bonus, &url("nowhere"), "bonus-token-002"),
    );
    assert_eq!(v, ConnectionVerdict::Unreachable, "{m}");
}

#[test]
fn field_errors_name_their_code() {
    // `ErrorCode` is what the UI branches on: a refused plain-HTTP address is one.
    let dir = tempfile::tempdir().unwrap();
    let desk = Desk::open(&dir.path().join("shop.sqlite3")).unwrap();
    let e = desk
        .sync_save_settings(&input(Platform::Bonus, "http://10.1.2.3/p002", "t"))
        .unwrap_err();
    assert_eq!(e.code(), "invalid_fields");
}

#[test]
fn no_answer_in_time_is_a_timeout_and_a_closed_connection_is_lost_both_maybe_applied() {
    use std::io::Read;
    // Accepts, reads the request, and then either holds the connection open without a
    // word (timeout) or closes it (lost).
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_port = silent.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for mut s in silent.incoming().flatten() {
            let mut buf = [0u8; 1024];
            let _ = s.read(&mut buf);
            held.push(s);
        }
    });
    let closing = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closing_port = closing.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut s in closing.incoming().flatten() {
            let mut buf = [0u8; 1024];
            let _ = s.read(&mut buf);
        }
    });
    let mut http = Http::new(Duration::from_secs(1));
    let e = http
        .call(
            "POST",
            &format!("http://127.0.0.1:{silent_port}/x"),
            &[],
            Some(b"{}"),
        )
        .unwrap_err();
    assert_eq!(
        (e.kind, e.may_have_applied()),
        (CallErrorKind::Timeout, true),
        "{e:?}"
    );
    let e = http
        .call(
            "POST",
            &format!("http://127.0.0.1:{closing_port}/x"),
            &[],
            Some(b"{}"),
        )
        .unwrap_err();
    assert_eq!(
        (e.kind, e.may_have_applied()),
        (CallErrorKind::Lost, true),
        "{e:?}"
    );
    let e = http
        .call(
            "GET",
            &format!("http://127.0.0.1:{}/x", closed_port()),
            &[],
            None,
        )
        .unwrap_err();
    assert_eq!(
        (e.kind, e.may_have_applied()),
        (CallErrorKind::Offline, false),
        "{e:?}"
    );
}

/// A cash template draft (spec 001's coupon kind).
fn template() -> coupondesk_core::domain::template::TemplateDraft {
    serde_json::from_value(serde_json::json!({
        "offer": {"cash": {"reduceFen": 2000, "leastFen": 10000}},
        "title": "https card", "brandName": "海底捞", "color": "Color010",
        "logoUrl": "https://example.com/logo.png", "notice": "使用时向服务员出示此券",
        "description": "不可与其他优惠同享", "servicePhone": "020-88888888",
        "quantity": 1000, "getLimit": 1, "codeType": "CODE_TYPE_TEXT",
        "beginAt": "2026-01-01T00:00:00+08:00", "endAt": "2027-01-01T00:00:00+08:00",
        "term": null, "timeLimits": [],
        "acceptCategory": "", "rejectCategory": "", "canUseWithOtherDiscount": false
    }))
    .unwrap()
}

#[test]
fn every_platform_is_reached_over_https_with_the_ca_file() {
    use coupondesk_core::generate::GenerateRequest;
    use coupondesk_core::progress::CancelToken;
    use coupondesk_core::sync::ActivationRequest;

    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::start(SimConfig::default()).unwrap();
    let pki = pki();
    let tls = front(pki.good.clone(), sim.port());
    let desk = Desk::open(&dir.path().join("shop.sqlite3")).unwrap();
    let ca = write(dir.path(), "ca.pem", &pki.ca_pem);
    let tokens = [
        "sense-token-000",
        "wxcard-token-001",
        "bonus-token-002",
        "voucher-token-003",
        "ebuy-secret-004",
    ];
    for (p, token) in Platform::ALL.into_iter().zip(tokens) {
        let mut s = input(
            p,
            &format!("https://127.0.0.1:{}/{}", tls.port, p.id()),
            token,
        );
        s.ca_file = ca.clone();
        desk.sync_save_settings(&s).unwrap();
    }
    // One action of each kind the connectors send: codes activated on e-Buy, a bonus, a
    // voucher sold, a card template. (000's batch link is H3's flow; its endpoint is
    // proven here by Test connection over the same TLS.)
    desk.create_batch("E1", "e-Buy batch").unwrap();
    desk.generate_codes(
        &GenerateRequest {
            ticket_type: "E1".into(),
            count: 3,
            length: None,
            prefix: None,
        },
        &CancelToken::new(),
        &mut |_| {},
    )
    .unwrap();
    desk.codes_activate(&ActivationRequest {
        ticket_type: "E1".into(),
        codes: None,
        activate: true,
        make_funds_channel: None,
    })
    .unwrap();
    one_bonus(&desk);
    let voucher = serde_json::from_value(serde_json::json!({
        "customer": "13700000001", "name": "https service", "priceFen": 1990
    }))
    .unwrap();
    desk.sell_voucher(voucher).unwrap();
    desk.create_template(template()).unwrap();

    let r = desk.sync_run(None, &quick()).unwrap();
    let done: Vec<(Platform, u64, u64)> = r
        .platforms
        .iter()
        .filter_map(|p| p.platform.map(|x| (x, p.done, p.remaining)))
        .collect();
    assert_eq!(
        done,
        [
            (Platform::Sense, 0, 0),
            (Platform::WxCard, 1, 0),
            (Platform::Bonus, 1, 0),
            (Platform::Voucher, 1, 0),
            (Platform::Ebuy, 3, 0),
        ],
        "{r:?}"
    );
    let t = desk
        .sync_test(Platform::Sense, Duration::from_secs(3))
        .unwrap();
    assert_eq!(t.verdict, ConnectionVerdict::Authorised, "{}", t.message);
    for p in Platform::ALL {
        assert_eq!(status(&desk, p).online, Some(true), "{p}");
    }
    let c = sim.counters();
    assert_eq!(c.applied_total("p004.activate"), 3);
    assert_eq!(c.applied_total("p002.create_bonus"), 1);
    assert!(*tls.requests.lock().unwrap() >= 6);
}

#[test]
fn a_run_counts_what_waits_for_platforms_that_are_not_set_up() {
    let dir = tempfile::tempdir().unwrap();
    let desk = Desk::open(&dir.path().join("shop.sqlite3")).unwrap();
    one_bonus(&desk);
    one_bonus(&desk);
    let r = desk.sync_run(None, &quick()).unwrap();
    assert_eq!((r.not_set_up, r.remaining()), (2, 0));
    let p2 = r
        .platforms
        .iter()
        .find(|p| p.platform == Some(Platform::Bonus))
        .unwrap();
    assert!(p2.skipped);
    assert_eq!(p2.remaining, 2);
}
