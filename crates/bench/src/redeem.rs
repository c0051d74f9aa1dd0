//! `bench redeem`: what staff wait for at the counter. A check and a redemption of codes
//! spread over a large batch, each timed alone, beside the bare minimum SQLite work of a
//! redemption (look the code up, flip its status, in one write transaction) measured in
//! the same run on the same file. The redemptions are undone afterwards, so the database
//! can be reused.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use coupondesk_core::domain::offer::Offer;
use coupondesk_core::domain::redeem::RedeemRequest;
use coupondesk_core::domain::template::{CodeType, TemplateDraft, MAX_QUANTITY};
use coupondesk_core::domain::{Batch, PageRequest};
use coupondesk_core::store::codes::CodeQuery;
use coupondesk_core::store::redemptions::UndoTarget;
use coupondesk_core::store::templates::TemplateQuery;
use coupondesk_core::{ApiError, Desk};
use rusqlite::params;
use serde_json::json;

use crate::bench::{desk_err, fail, percentiles, secs, workdir};
use crate::out::Out;

pub(crate) fn bench_template() -> TemplateDraft {
    TemplateDraft {
        offer: Offer::Cash {
            reduce_fen: 2000,
            least_fen: 10000,
        },
        title: "BENCH".into(),
        brand_name: "bench".into(),
        color: "Color010".into(),
        logo_url: "https://example.com/logo.png".into(),
        logo_image: None,
        notice: "bench".into(),
        description: "bench".into(),
        service_phone: String::new(),
        quantity: MAX_QUANTITY,
        get_limit: 1,
        code_type: CodeType::CodeTypeText,
        begin_at: Utc.timestamp_opt(0, 0).single().unwrap_or_default(),
        end_at: Utc
            .with_ymd_and_hms(2999, 1, 1, 0, 0, 0)
            .single()
            .unwrap_or_default(),
        term: None,
        time_limits: vec![],
        accept_category: String::new(),
        reject_category: String::new(),
        can_use_with_other_discount: true,
    }
}

/// `n` distinct codes of the batch BENCH (of `total`), whole pages of 100 spread over the
/// batch (page j is `1 + (salt + j * STRIDE) mod pages`, distinct while j < pages since
/// the stride is a prime larger than any page count here), read by position (cheap).
pub(crate) fn sample(
    desk: &Desk,
    total: u64,
    n: usize,
    salt: u64,
) -> Result<Vec<String>, ApiError> {
    const STRIDE: u64 = 1_000_003;
    let pages = total.div_ceil(100).max(1);
    let mut out = Vec::with_capacity(n);
    for j in 0..pages {
        if out.len() >= n {
            break;
        }
        let page = 1 + (salt % pages + j * (STRIDE % pages)) % pages;
        let p = desk
            .list_codes(&CodeQuery {
                ticket_type: "BENCH".into(),
                status: None,
                search: None,
                page: PageRequest {
                    page: page as u32,
                    per_page: 100,
                },
            })
            .map_err(desk_err)?;
        out.extend(p.items.into_iter().map(|c| c.code));
    }
    out.truncate(n);
    out.sort();
    out.dedup();
    Ok(out)
}

/// The batch BENCH of `codes` generated codes, linked to a cash template (built once per
/// database); returns it and how long building took (zero when it existed).
pub(crate) fn prepare(desk: &Desk, codes: u64) -> Result<(Batch, Duration), ApiError> {
    let mut built = Duration::ZERO;
    if desk.get_batch("BENCH").is_err() {
        let start = Instant::now();
        crate::bench::bench_batch(desk, codes)?;
        built = start.elapsed();
    }
    let batch = desk.get_batch("BENCH").map_err(desk_err)?;
    if batch.template_id.is_none() {
        let found = desk
            .list_templates(&TemplateQuery {
                title: Some("BENCH".into()),
                ..TemplateQuery::default()
            })
            .map_err(desk_err)?;
        let id = match found.items.first() {
            Some(t) => t.id,
            None => desk.create_template(bench_template()).map_err(desk_err)?.id,
        };
        desk.link_batch(id, "BENCH").map_err(desk_err)?;
    }
    Ok((batch, built))
}

pub fn run(codes: u64, ops: usize, db: Option<PathBuf>, out: &Out) -> Result<(), ApiError> {
    let (dir, _keep) = workdir(None)?;
    let db = db.unwrap_or_else(|| dir.join("search.sqlite3"));
    let desk = Desk::open(&db).map_err(desk_err)?;
    let (batch, built) = prepare(&desk, codes)?;
    let salt = Utc::now().timestamp_millis() as u64;
    let ours_codes = sample(&desk, batch.total_codes, ops, salt)?;
    let base_codes = sample(&desk, batch.total_codes, ops, !salt)?;

    let (mut check_t, mut use_t, mut both_t) = (Vec::new(), Vec::new(), Vec::new());
    let mut redeemed = Vec::new();
    for code in &ours_codes {
        let req = RedeemRequest {
            code: code.clone(),
            order_fen: Some(10000),
            customer: None,
        };
        let start = Instant::now();
        let c = desk.redeem_check(&req).map_err(desk_err)?;
        let checked = start.elapsed();
        if c.refusal.is_some() {
            continue; // used by an earlier run that was killed before its undo
        }
        let start = Instant::now();
        let o = desk.redeem_use(&req).map_err(desk_err)?;
        let used = start.elapsed();
        if o.redemption.is_none() {
            return Err(fail(
                "bench_wrong",
                format!("{code} was checked ok but refused"),
            ));
        }
        redeemed.push(code.clone());
        check_t.push(checked);
        use_t.push(used);
        both_t.push(checked + used);
    }

    // Baseline: the least a redemption must do, on other codes of the same table.
    let mut conn = rusqlite::Connection::open(&db).map_err(|e| fail("bench_io", e.to_string()))?;
    let sql = |e: rusqlite::Error| fail("bench_baseline", e.to_string());
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(sql)?;
    let mut base_t = Vec::new();
    let mut flipped = Vec::new();
    for code in &base_codes {
        let start = Instant::now();
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(sql)?;
        let (id, status): (i64, i64) = tx
            .prepare_cached("SELECT id, status FROM codes WHERE code = ?1")
            .and_then(|mut s| s.query_row([code], |r| Ok((r.get(0)?, r.get(1)?))))
            .map_err(sql)?;
        tx.prepare_cached("UPDATE codes SET status = 2 WHERE id = ?1 AND status = ?2")
            .and_then(|mut s| s.execute(params![id, status]))
            .map_err(sql)?;
        tx.commit().map_err(sql)?;
        base_t.push(start.elapsed());
        flipped.push((id, status));
    }
    for (id, status) in &flipped {
        conn.execute(
            "UPDATE codes SET status = ?2 WHERE id = ?1",
            params![id, status],
        )
        .map_err(sql)?;
    }
    for code in &redeemed {
        desk.redeem_undo(UndoTarget::Code(code)).map_err(desk_err)?;
    }

    let n = redeemed.len();
    let (c50, c99, cmax) = percentiles(check_t);
    let (u50, u99, umax) = percentiles(use_t);
    let (b50, b99, bmax) = percentiles(both_t);
    let (s50, s99, smax) = percentiles(base_t);
    let v = json!({
        "codes": batch.total_codes,
        "redemptions": n,
        "build_s": secs(built),
        "check_ms": {"p50": c50, "p99": c99, "max": cmax},
        "redeem_ms": {"p50": u50, "p99": u99, "max": umax},
        "check_plus_redeem_ms": {"p50": b50, "p99": b99, "max": bmax},
        "bare_select_update_ms": {"p50": s50, "p99": s99, "max": smax},
    });
    let text = format!(
        "check + redeem of {n} codes among {} ({})\n  check                p50 {c50:.3} ms  p99 {c99:.3} ms  max {cmax:.3} ms\n  redeem               p50 {u50:.3} ms  p99 {u99:.3} ms  max {umax:.3} ms\n  check + redeem       p50 {b50:.3} ms  p99 {b99:.3} ms  max {bmax:.3} ms\n  baseline bare tx     p50 {s50:.3} ms  p99 {s99:.3} ms  max {smax:.3} ms  (SELECT + UPDATE, same file)",
        batch.total_codes,
        if built.is_zero() { "existing database".to_owned() } else { format!("built in {:.1} s", built.as_secs_f64()) }
    );
    out.value(&v, &text)
}
