//! `coupondesk-bench sync`: N queued code activations synced to the simulator (e-Buy,
//! over loopback HTTP), from "sync now" until every op's answer is committed, against a
//! bare client sending the same codes in the same envelopes (the engine's size, 1000)
//! with no outbox, no SQLite and no bookkeeping, in the same run: once sending only, once
//! also checking each answer as the engine does. The ratios are what durability (outbox
//! rows, committed state before and after each request, per-code results) costs.

use std::time::{Duration, Instant};

use coupondesk_core::sync::engine::RunOptions;
use coupondesk_core::sync::http::Http;
use coupondesk_core::sync::{ActivationRequest, Platform, PlatformSettingsInput};
use coupondesk_core::{ApiError, Desk};
use coupondesk_remote_sim::wire::ebuy::{self, RequestEnvelope};
use coupondesk_remote_sim::{Sim, SimConfig};
use serde_json::json;

use crate::bench::{desk_err, fail, secs, workdir};
use crate::out::Out;

/// Operations per second, whole.
fn rate(n: u64, d: Duration) -> f64 {
    crate::bench::rate(n, d).round()
}

/// How fast sync runs beside a baseline, to two decimals.
fn ratio(baseline: Duration, synced: Duration) -> f64 {
    (baseline.as_secs_f64() / synced.as_secs_f64().max(1e-9) * 100.0).round() / 100.0
}

/// The bare client: `codes` in the engine's envelopes (same size, same signing, same HTTP
/// client) straight from memory, one after the other. `check`: also verify each answer's
/// signature and read its per-code results, as the engine does, and require every code
/// to have succeeded; otherwise the answer is only required to be HTTP 200.
fn bare_client(
    codes: &[String],
    app_id: &str,
    secret: &[u8],
    url: &str,
    check: bool,
) -> Result<(Duration, u64), ApiError> {
    let mut http = Http::new(Duration::from_secs(20));
    let start = Instant::now();
    for (i, chunk) in codes
        .chunks(coupondesk_core::sync::connectors::ebuy::BATCH)
        .enumerate()
    {
        let mut env = RequestEnvelope {
            app_id: app_id.to_owned(),
            action: "batchActivateCode".into(),
            sign_type: "HMAC-SHA256".into(),
            lang: "zh_CN".into(),
            uuid: format!("bare-{i}"),
            content: json!({ "codeArray": chunk, "brandId": "BENCH-BRAND" }),
            timestamp: 0,
            sign: String::new(),
        };
        env.sign(secret)
            .map_err(|e| fail("bench_sign", format!("{e:?}")))?;
        let body = serde_json::to_vec(&env).map_err(|e| fail("bench_json", e.to_string()))?;
        let a = http
            .call("POST", url, &[], Some(&body))
            .map_err(|e| fail("bench_http", e.message))?;
        if a.status != 200 {
            return Err(fail(
                "bench_http",
                format!("baseline got HTTP {}", a.status),
            ));
        }
        if check {
            let ok = check_answer(&a.body, secret)?;
            if ok != chunk.len() {
                return Err(fail(
                    "bench_answer",
                    format!("{ok} of {} codes succeeded", chunk.len()),
                ));
            }
        }
    }
    Ok((start.elapsed(), http.sent))
}

/// Verifies an answer's signature and counts its codes that succeeded.
fn check_answer(body: &[u8], secret: &[u8]) -> Result<usize, ApiError> {
    let bad = |e: String| fail("bench_answer", e);
    let raw: serde_json::Value = serde_json::from_slice(body).map_err(|e| bad(e.to_string()))?;
    ebuy::verify_value(&raw, secret).map_err(|e| bad(e.to_string()))?;
    let resp: ebuy::ResponseEnvelope =
        serde_json::from_value(raw).map_err(|e| bad(e.to_string()))?;
    if !resp.success {
        return Err(bad(format!("{} {}", resp.error_code, resp.error_message)));
    }
    let results: ebuy::CodeResults =
        serde_json::from_value(resp.content).map_err(|e| bad(e.to_string()))?;
    let by_code: std::collections::HashMap<&str, &str> = results
        .active_code_details
        .iter()
        .map(|d| (d.code_secret.as_str(), d.result_code.as_str()))
        .collect();
    Ok(by_code
        .values()
        .filter(|c| **c == ebuy::result_code::SUCCESS)
        .count())
}

pub fn run(codes: u64, out: &Out) -> Result<(), ApiError> {
    let (dir, _keep) = workdir(None)?;
    let sim = Sim::start(SimConfig::default()).map_err(|e| fail("bench_sim", e.to_string()))?;
    let cfg = sim.config();
    let db = dir.join("sync.sqlite3");
    let desk = Desk::open(&db).map_err(desk_err)?;
    crate::bench::bench_batch(&desk, codes)?;

    // Bulk activation needs e-Buy set up (issue 13); the queue is drained after.
    desk.sync_save_settings(&PlatformSettingsInput {
        platform: Platform::Ebuy,
        enabled: true,
        base_url: format!("{}/p004", sim.base_url()),
        app_id: cfg.ebuy_app_id.clone(),
        brand_id: "BENCH-BRAND".into(),
        sign_type: String::new(),
        shop_no: String::new(),
        org: String::new(),
        ca_file: String::new(),
        allow_http: false,
        upload_path: String::new(),
        secret: Some(cfg.ebuy_secret.clone()),
        clear_secret: false,
    })
    .map_err(desk_err)?;

    // Queue: every code's status change and its outbox row, one transaction.
    let start = Instant::now();
    let queued = desk
        .codes_activate(&ActivationRequest {
            ticket_type: "BENCH".into(),
            codes: None,
            activate: true,
            make_funds_channel: None,
        })
        .map_err(desk_err)?
        .queued;
    let enqueue = start.elapsed();

    let opts = RunOptions {
        max_duration: Duration::from_secs(3600),
        pull: false,
        ..RunOptions::default()
    };
    let start = Instant::now();
    let report = desk
        .sync_run(Some(Platform::Ebuy), &opts)
        .map_err(desk_err)?;
    let synced = start.elapsed();
    let run = report.platforms.first().cloned().unwrap_or_default();
    let applied = sim
        .counters()
        .applied
        .get("p004.activate")
        .map(|m| m.len() as u64)
        .unwrap_or(0);
    if run.done != codes || applied != codes {
        return Err(fail(
            "bench_sync",
            format!(
                "{} done and {applied} applied of {codes}: {:?}",
                run.done, run.stopped
            ),
        ));
    }

    // Baseline: the same codes in the same envelopes, straight from memory.
    sim.reset();
    let all: Vec<String> = {
        let conn = rusqlite::Connection::open(&db).map_err(|e| fail("bench_db", e.to_string()))?;
        let mut st = conn
            .prepare("SELECT code FROM codes ORDER BY id")
            .map_err(|e| fail("bench_db", e.to_string()))?;
        let rows = st
            .query_map([], |r| r.get(0))
            .map_err(|e| fail("bench_db", e.to_string()))?;
        rows.collect::<Result<_, _>>()
            .map_err(|e| fail("bench_db", e.to_string()))?
    };
    let url = format!("{}/p004{}", sim.base_url(), ebuy::PATH_ACTIVATE);
    let secret = cfg.ebuy_secret.as_bytes();
    let (bare, bare_requests) = bare_client(&all, &cfg.ebuy_app_id, secret, &url, false)?;
    sim.reset();
    let (checked, checked_requests) = bare_client(&all, &cfg.ebuy_app_id, secret, &url, true)?;

    // snake_case keys, as every --json answer of the CLI has (README).
    let v = json!({
        "codes": codes,
        "enqueue": { "seconds": secs(enqueue), "ops_per_sec": rate(queued, enqueue) },
        "sync": { "seconds": secs(synced), "ops_per_sec": rate(codes, synced), "requests": run.requests },
        "bare_client": { "seconds": secs(bare), "ops_per_sec": rate(codes, bare), "requests": bare_requests },
        "sync_vs_bare": ratio(bare, synced),
        "bare_client_checking_answers": { "seconds": secs(checked), "ops_per_sec": rate(codes, checked), "requests": checked_requests },
        "sync_vs_bare_checking_answers": ratio(checked, synced),
    });
    let text = format!(
        "sync {codes} activations: queued in {:.2} s ({} ops/s); synced in {:.2} s = {} ops/s with {} requests; \
         bare client (no outbox): {:.2} s = {} ops/s with {} requests; sync runs at {:.2}x the bare rate; \
         bare client also checking the answers: {:.2} s = {} ops/s; sync runs at {:.2}x that rate",
        enqueue.as_secs_f64(),
        rate(queued, enqueue),
        synced.as_secs_f64(),
        rate(codes, synced),
        run.requests,
        bare.as_secs_f64(),
        rate(codes, bare),
        bare_requests,
        ratio(bare, synced),
        checked.as_secs_f64(),
        rate(codes, checked),
        ratio(checked, synced),
    );
    out.value(&v, &text)
}
