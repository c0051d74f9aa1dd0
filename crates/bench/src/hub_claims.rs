//! `hub-claims`: what a cashier waits for at a chain-mode desk (issue 16: claim + local
//! commit p99 under 10 ms on loopback), and 4 desks × 1,000 redemptions at once.
//!
//! A throwaway PostgreSQL cluster on loopback with the server's own durability (fsync and
//! synchronous commit on: a claim is acknowledged only once it is on disk, as on a real
//! hub), a batch of codes of 12 random A-Z0-9 characters uploaded by the first desk's
//! join and downloaded by the others'. Each redemption is `Desk::redeem_use` timed alone
//! (the local check, the claim at the hub, the local commit). Baseline in the same run:
//! the same redemptions on a desk with no hub (the local commit alone), and the hub's
//! claim function called alone from one connection.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use coupondesk_core::domain::redeem::RedeemRequest;
use coupondesk_core::hub::claims::{self, ClaimAnswer, ClaimRequest};
use coupondesk_core::hub::{Hub, HubUrl};
use coupondesk_core::import::ImportTarget;
use coupondesk_core::sync::credentials;
use coupondesk_core::{ApiError, Desk};
use serde_json::json;

use crate::bench::{desk_err, fail, import_csv, percentiles, rate, workdir, write_csv};
use crate::out::Out;

const TICKET_TYPE: &str = "HUBC";

fn pg_err(e: String) -> ApiError {
    fail("bench_pg", e)
}

/// A desk holding the batch, linked to a template (20 off 100).
fn open_desk(dir: &std::path::Path, name: &str) -> Result<Desk, ApiError> {
    let db = dir.join(name);
    let _ = std::fs::remove_file(&db);
    Desk::open(&db).map_err(desk_err)
}

fn link_template(desk: &Desk) -> Result<(), ApiError> {
    let t = desk
        .create_template(crate::redeem::bench_template())
        .map_err(desk_err)?;
    desk.link_batch(t.id, TICKET_TYPE).map_err(desk_err)?;
    Ok(())
}

fn order(code: &str) -> RedeemRequest {
    RedeemRequest {
        code: code.to_owned(),
        order_fen: Some(10_000),
        customer: None,
    }
}

/// Redeems each code, timing each; fails on any refusal (the codes are fresh).
fn redeem_all(desk: &Desk, codes: &[String]) -> Result<Vec<Duration>, ApiError> {
    let mut times = Vec::with_capacity(codes.len());
    for c in codes {
        let start = Instant::now();
        let o = desk.redeem_use(&order(c)).map_err(desk_err)?;
        times.push(start.elapsed());
        if o.redemption.is_none() {
            return Err(fail(
                "bench_check",
                format!("{c} was refused: {:?}", o.check.refusal),
            ));
        }
    }
    Ok(times)
}

pub fn run(desks: usize, per_desk: usize, dir: Option<PathBuf>, out: &Out) -> Result<(), ApiError> {
    if desks == 0 || per_desk == 0 {
        return Err(fail(
            "bench_args",
            "--desks and --redemptions must be at least 1",
        ));
    }
    let (dir, _keep) = workdir(dir)?;
    // One desk alone first, then every desk at once, then the baseline: all fresh codes.
    // Chunks of `per_desk`: the warm-up, one desk alone, each desk at once, the local
    // baseline, the claim alone.
    let needed = per_desk * (desks + 4);
    if per_desk < desks {
        return Err(fail("bench_args", "--redemptions must be at least --desks"));
    }
    let csv = dir.join("codes.csv");
    write_csv(&csv, needed as u64, 0x4855_4243_2026_1207)?;
    let codes: Vec<String> = std::fs::read_to_string(&csv)
        .map_err(|e| fail("bench_io", e.to_string()))?
        .lines()
        .skip(1)
        .map(str::to_owned)
        .collect();
    let mut chunks = codes.chunks(per_desk).map(<[String]>::to_vec);
    let mut next = || chunks.next().unwrap_or_default();

    let pg = pgtest::PgCluster::start_durable().map_err(pg_err)?;
    pg.create_db("hub").map_err(pg_err)?;
    let url = pg.url("hub");
    let target = ImportTarget::New {
        ticket_type: TICKET_TYPE.into(),
        name: "hub claims bench".into(),
    };
    let all: Vec<Desk> = (0..desks)
        .map(|i| open_desk(&dir, &format!("desk{i}.sqlite3")))
        .collect::<Result<_, _>>()?;
    import_csv(&all[0], &csv, &target)?;
    all[0].hub_init(&url, Some("bench")).map_err(desk_err)?;
    let mut first_role = String::new();
    for (i, d) in all.iter().enumerate() {
        let joined = d
            .hub_join(&url, &format!("store{}", i / 2), &format!("counter{i}"))
            .map_err(desk_err)?;
        if i == 0 {
            first_role = joined.role;
        }
        link_template(d)?;
    }
    let plain = open_desk(&dir, "plain.sqlite3")?;
    import_csv(&plain, &csv, &target)?;
    link_template(&plain)?;

    // Warm each desk's pool (its first claim connects) on a code of its own.
    let warm = next();
    for (i, d) in all.iter().enumerate() {
        redeem_all(d, &warm[i..=i])?;
    }

    let one = redeem_all(&all[0], &next())?;
    let started = Instant::now();
    let together: Vec<Vec<Duration>> = std::thread::scope(|s| {
        let runs: Vec<_> = all
            .iter()
            .map(|d| {
                let mine = next();
                s.spawn(move || redeem_all(d, &mine))
            })
            .collect();
        runs.into_iter()
            .map(|r| {
                r.join()
                    .unwrap_or_else(|_| Err(fail("bench_panic", "a desk panicked")))
            })
            .collect::<Result<Vec<_>, _>>()
    })?;
    let together_wall = started.elapsed();
    let local = redeem_all(&plain, &next())?;

    // The claim alone, from one connection as the first desk's terminal role.
    let hub_url = HubUrl::parse(&url).map_err(|e| fail("bench_pg", e.to_string()))?;
    let password = credentials::get_hub(all[0].db_path())
        .map_err(|e| fail("bench_pg", e.to_string()))?
        .ok_or_else(|| fail("bench_pg", "the first desk kept no hub password"))?;
    let bare_hub = Hub::open(
        &hub_url.as_user(&first_role, Some(password.expose())),
        Duration::from_secs(5),
    )
    .map_err(|e| fail("bench_pg", e.to_string()))?;
    let mut bare = Vec::with_capacity(per_desk);
    for c in next() {
        let id = claims::new_claim_id();
        let start = Instant::now();
        let a = claims::claim(
            &bare_hub,
            &ClaimRequest {
                code: &c,
                claim_id: &id,
                staff: "bench",
                at: chrono::Utc::now(),
                order_fen: Some(10_000),
                reduction_fen: 2_000,
                online: true,
            },
        )
        .map_err(|e| fail("bench_pg", e.to_string()))?;
        bare.push(start.elapsed());
        if a != ClaimAnswer::Claimed {
            return Err(fail("bench_check", format!("{c}: {a:?}")));
        }
    }

    let n_together: usize = together.iter().map(Vec::len).sum();
    let (o50, o99, omax) = percentiles(one);
    let (t50, t99, tmax) = percentiles(together.into_iter().flatten().collect());
    let (l50, l99, lmax) = percentiles(local);
    let (b50, b99, bmax) = percentiles(bare);
    let together_rate = rate(n_together as u64, together_wall);
    let v = json!({
        "desks": desks,
        "redemptions_per_desk": per_desk,
        "one_desk_ms": {"p50": o50, "p99": o99, "max": omax},
        "all_desks_ms": {"p50": t50, "p99": t99, "max": tmax},
        "all_desks_per_s": together_rate,
        "all_desks_wall_s": together_wall.as_secs_f64(),
        "baseline_local_ms": {"p50": l50, "p99": l99, "max": lmax},
        "baseline_claim_alone_ms": {"p50": b50, "p99": b99, "max": bmax},
    });
    let text = format!(
        "claim + local commit, one desk: p50 {o50:.2} ms, p99 {o99:.2} ms, max {omax:.2} ms \
         ({per_desk} redemptions)\n\
         {desks} desks x {per_desk} at once: p50 {t50:.2} ms, p99 {t99:.2} ms, max {tmax:.2} \
         ms; {together_rate:.0} redemptions/s over {:.2} s\n\
         baseline, the local commit alone (no hub): p50 {l50:.2} ms, p99 {l99:.2} ms, max \
         {lmax:.2} ms\n\
         baseline, the hub's claim alone (one connection): p50 {b50:.2} ms, p99 {b99:.2} ms, \
         max {bmax:.2} ms",
        together_wall.as_secs_f64()
    );
    out.value(&v, &text)
}
