//! Spec 004 over loopback HTTP: signed envelopes, uuid idempotency, per-code results.

mod common;
use common::{keys, sorted, start, Client};
use coupondesk_remote_sim::{Faults, Sim, SimConfig};
use coupondesk_wire::ebuy::{self, RequestEnvelope, ResponseEnvelope};
use serde_json::{json, Value};
use std::collections::BTreeSet;

const SECRET: &[u8] = b"ebuy-secret-004";

fn envelope(action: &str, uuid: &str, content: Value) -> RequestEnvelope {
    let mut r = RequestEnvelope {
        app_id: "ebuy-app-004".into(),
        action: action.into(),
        sign_type: "HMAC-SHA256".into(),
        lang: "zh_CN".into(),
        uuid: uuid.into(),
        content,
        timestamp: 1_700_000_000_000,
        sign: String::new(),
    };
    r.sign(SECRET).unwrap();
    r
}

fn post(c: &Client, path: &str, env: &RequestEnvelope) -> (u16, ResponseEnvelope, Value) {
    let r = c.ok(
        "POST",
        &format!("/p004{path}"),
        &[],
        Some(&serde_json::to_value(env).unwrap()),
    );
    let v = r.json();
    assert_eq!(
        keys(&v),
        sorted(&[
            "success",
            "errorCode",
            "errorMessage",
            "sign",
            "signType",
            "action",
            "uuid",
            "content",
            "timestamp"
        ])
    );
    let resp: ResponseEnvelope = serde_json::from_value(v.clone()).unwrap();
    assert_eq!(resp.verify(SECRET), Ok(()), "every answer is signed: {v}");
    (r.status, resp, v)
}

#[test]
fn activate_unactivate_and_update_status() {
    let (sim, c) = start();
    let act = envelope(
        "batchActivateCode",
        "u-1",
        json!({
            "codeArray": ["E1", "E2"], "brandId": "BR",
            "makeFundsChannel": {"merchantRealAmount": 1990, "merchantBenefit": 10},
            "activateInfo": {"optShopNo": "S1", "optOrg": "ORG"}, "codeValidDays": 30
        }),
    );
    let (status, resp, raw) = post(&c, ebuy::PATH_ACTIVATE, &act);
    assert_eq!(status, 200);
    assert!(resp.success);
    assert_eq!(
        (
            resp.error_code.as_str(),
            resp.uuid.as_str(),
            resp.action.as_str()
        ),
        ("SUCCESS", "u-1", "batchActivateCode")
    );
    assert_eq!(
        keys(&raw["content"]),
        sorted(&["codeNum", "createDate", "activeCodeDetails"])
    );
    let d = &raw["content"]["activeCodeDetails"][0];
    assert_eq!(
        keys(d),
        sorted(&[
            "codeSecret",
            "codeSearch",
            "resultCode",
            "resultMessage",
            "codeStatus",
            "codeStatusDesc",
            "useTimes",
            "ticketId",
            "ticketName",
            "outerOrderId"
        ])
    );
    assert_eq!(
        (
            d["codeSecret"].clone(),
            d["resultCode"].clone(),
            d["codeStatus"].clone()
        ),
        (json!("E1"), json!("SUCCESS"), json!("1"))
    );
    assert_eq!(raw["content"]["codeNum"], 2);

    // a new uuid activating E1 again: nothing to change
    let (_, _, raw) = post(
        &c,
        ebuy::PATH_ACTIVATE,
        &envelope("batchActivateCode", "u-2", json!({"codeArray": ["E1"]})),
    );
    assert_eq!(
        raw["content"]["activeCodeDetails"][0]["resultCode"],
        "CODE_ALREADY_ACTIVE"
    );
    assert_eq!(raw["content"]["codeNum"], 0);

    let (_, resp, raw) = post(
        &c,
        ebuy::PATH_UNACTIVATE,
        &envelope(
            "batchUnActivateCode",
            "u-3",
            json!({"codeArray": ["E1"], "brandId": "BR"}),
        ),
    );
    assert!(resp.success);
    assert_eq!(raw["content"]["activeCodeDetails"][0]["codeStatus"], "0");
    assert_eq!(
        raw["content"]["activeCodeDetails"][0]["codeStatusDesc"],
        "未激活"
    );

    let (_, _, raw) = post(
        &c,
        ebuy::PATH_UPDATE_STATUS,
        &envelope(
            "batchUpdateCodeStatus",
            "u-4",
            json!({"codeArray": ["E2"], "brandId": "BR", "codeStatus": "2"}),
        ),
    );
    let d = &raw["content"]["activeCodeDetails"][0];
    assert_eq!(
        (
            d["resultCode"].clone(),
            d["codeStatus"].clone(),
            d["useTimes"].clone()
        ),
        (json!("SUCCESS"), json!("2"), json!("1"))
    );
    let (_, _, raw) = post(
        &c,
        ebuy::PATH_UNACTIVATE,
        &envelope(
            "batchUnActivateCode",
            "u-5",
            json!({"codeArray": ["E2"], "brandId": "BR"}),
        ),
    );
    assert_eq!(
        raw["content"]["activeCodeDetails"][0]["resultCode"],
        "CODE_ALREADY_USED"
    );

    // unactivate without the required brandId
    let (_, resp, _) = post(
        &c,
        ebuy::PATH_UNACTIVATE,
        &envelope("batchUnActivateCode", "u-6", json!({"codeArray": ["E2"]})),
    );
    assert_eq!(
        (resp.success, resp.error_code.as_str()),
        (false, "INVALID_PARAM")
    );

    let n = sim.counters();
    assert_eq!(n.applied("p004.activate", "E1"), 1);
    assert_eq!(n.applied("p004.unactivate", "E1"), 1);
    assert_eq!(n.applied("p004.update_status", "E2"), 1);
    assert_eq!(n.max_applied(), 1);
}

#[test]
fn repeated_uuid_returns_the_original_answer_once_applied() {
    let (sim, c) = start();
    let env = envelope(
        "batchActivateCode",
        "same-uuid",
        json!({"codeArray": ["R1"]}),
    );
    let first = c.ok(
        "POST",
        "/p004/paas/micro/ecoupon/batchActivateCode",
        &[],
        Some(&serde_json::to_value(&env).unwrap()),
    );
    let second = c.ok(
        "POST",
        "/p004/paas/micro/ecoupon/batchActivateCode",
        &[],
        Some(&serde_json::to_value(&env).unwrap()),
    );
    assert_eq!(first.text, second.text, "byte-identical replay");
    assert_eq!(
        second.json()["content"]["activeCodeDetails"][0]["resultCode"],
        "SUCCESS"
    );
    let n = sim.counters();
    assert_eq!(n.applied("p004.activate", "R1"), 1);
    assert_eq!(n.applied("p004.request", "same-uuid"), 1);
    assert_eq!(n.replays["same-uuid"], 1);
}

#[test]
fn bad_signature_wrong_app_and_expiry() {
    let (sim, c) = start();
    let mut env = envelope("batchActivateCode", "u-bad", json!({"codeArray": ["S1"]}));
    env.content = json!({"codeArray": ["S1", "S2"]}); // tampered after signing
    let (status, resp, _) = post(&c, ebuy::PATH_ACTIVATE, &env);
    assert_eq!(
        (status, resp.success, resp.error_code.as_str()),
        (200, false, "INVALID_SIGN")
    );
    assert_eq!(resp.content, Value::Null);
    let mut env = envelope("batchActivateCode", "u-bad2", json!({"codeArray": ["S1"]}));
    env.sign_type = "MD5".into();
    assert_eq!(
        post(&c, ebuy::PATH_ACTIVATE, &env).1.error_code,
        "INVALID_SIGN"
    );

    let mut other = envelope("batchActivateCode", "u-app", json!({"codeArray": ["S1"]}));
    other.app_id = "someone-else".into();
    other.sign(SECRET).unwrap();
    assert_eq!(
        post(&c, ebuy::PATH_ACTIVATE, &other).1.error_code,
        "INVALID_APP_ID"
    );

    sim.set_faults(Faults {
        expired_token: true,
        ..Faults::default()
    });
    let env = envelope("batchActivateCode", "u-exp", json!({"codeArray": ["S1"]}));
    assert_eq!(
        post(&c, ebuy::PATH_ACTIVATE, &env).1.error_code,
        "AUTH_EXPIRED"
    );
    sim.set_faults(Faults::default());
    // the failed attempts did not store an answer under the uuid: it applies now
    assert_eq!(post(&c, ebuy::PATH_ACTIVATE, &env).1.error_code, "SUCCESS");
    assert_eq!(sim.counters().applied_total("p004.activate"), 1);
}

#[test]
fn used_elsewhere_is_a_final_per_code_failure() {
    let (sim, c) = start();
    sim.set_faults(Faults {
        used_elsewhere_codes: BTreeSet::from(["X2".to_string()]),
        ..Faults::default()
    });
    let (_, resp, raw) = post(
        &c,
        ebuy::PATH_ACTIVATE,
        &envelope(
            "batchActivateCode",
            "u-1",
            json!({"codeArray": ["X1", "X2"]}),
        ),
    );
    assert!(resp.success, "the envelope succeeds; the code fails");
    let d = &raw["content"]["activeCodeDetails"];
    assert_eq!(d[0]["resultCode"], "SUCCESS");
    assert_eq!(
        (d[1]["resultCode"].clone(), d[1]["codeStatus"].clone()),
        (json!("CODE_USED_ELSEWHERE"), json!("2"))
    );
    assert_eq!(raw["content"]["codeNum"], 1);
    sim.set_faults(Faults::default());
    let (_, _, raw) = post(
        &c,
        ebuy::PATH_ACTIVATE,
        &envelope("batchActivateCode", "u-2", json!({"codeArray": ["X2"]})),
    );
    assert_eq!(
        raw["content"]["activeCodeDetails"][0]["resultCode"], "CODE_USED_ELSEWHERE",
        "stays final"
    );
    assert_eq!(sim.counters().applied("p004.activate", "X2"), 0);
    assert_eq!(sim.counters().injected_count("used_elsewhere"), 1);
}

#[test]
fn rate_limit_is_http_429_signed() {
    let cfg = SimConfig {
        faults: Faults {
            rate_limit_per_sec: Some(1),
            ..Faults::default()
        },
        ..SimConfig::default()
    };
    let sim = Sim::start(cfg).unwrap();
    let c = Client::new(&sim, std::time::Duration::from_secs(10));
    post(
        &c,
        ebuy::PATH_ACTIVATE,
        &envelope("batchActivateCode", "r-1", json!({"codeArray": ["L1"]})),
    );
    let env = envelope("batchActivateCode", "r-2", json!({"codeArray": ["L2"]}));
    let r = c.ok(
        "POST",
        "/p004/paas/micro/ecoupon/batchActivateCode",
        &[],
        Some(&serde_json::to_value(&env).unwrap()),
    );
    assert_eq!((r.status, r.retry_after.as_deref()), (429, Some("1")));
    let resp: ResponseEnvelope = serde_json::from_str(&r.text).unwrap();
    assert_eq!(
        (resp.error_code.as_str(), resp.uuid.as_str()),
        ("RATE_LIMITED", "r-2")
    );
    assert_eq!(resp.verify(SECRET), Ok(()));
    assert_eq!(sim.counters().applied("p004.activate", "L2"), 0);
}

#[test]
fn repeats_under_new_uuids_are_counted_and_same_uuid_replays_are_not() {
    let (sim, c) = start();
    let act = |uuid: &str| {
        envelope(
            "batchActivateCode",
            uuid,
            json!({"codeArray": ["R1", "R2"], "brandId": "BR"}),
        )
    };
    post(&c, ebuy::PATH_ACTIVATE, &act("r-1"));
    // the same uuid again: answered from the stored answer, a replay, not a repeat
    post(&c, ebuy::PATH_ACTIVATE, &act("r-1"));
    let n = sim.counters();
    assert_eq!(n.replays.get("r-1"), Some(&1));
    assert_eq!(n.all_repeats(), 0);
    // the same change under a new uuid: a repeat per code
    post(&c, ebuy::PATH_ACTIVATE, &act("r-2"));
    let used = |uuid: &str| {
        envelope(
            "batchUpdateCodeStatus",
            uuid,
            json!({"codeArray": ["R1"], "brandId": "BR", "codeStatus": "2"}),
        )
    };
    post(&c, ebuy::PATH_UPDATE_STATUS, &used("r-3"));
    post(&c, ebuy::PATH_UPDATE_STATUS, &used("r-4"));
    let unact = envelope(
        "batchUnActivateCode",
        "r-5",
        json!({"codeArray": ["NEVER"], "brandId": "BR"}),
    );
    post(&c, ebuy::PATH_UNACTIVATE, &unact);
    let n = sim.counters();
    assert_eq!(n.applied("p004.activate", "R1"), 1);
    assert_eq!(n.repeats("p004.activate", "R1"), 1);
    assert_eq!(n.repeats("p004.activate", "R2"), 1);
    assert_eq!(n.applied("p004.update_status", "R1"), 1);
    assert_eq!(n.repeats("p004.update_status", "R1"), 1);
    assert_eq!(n.repeats("p004.unactivate", "NEVER"), 1);
    assert_eq!(n.all_repeats(), 4);
}
