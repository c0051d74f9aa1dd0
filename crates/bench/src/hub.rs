//! `hub-join`: a new desk joining a chain-mode hub that holds N codes (issue 16: under
//! 30 s for 1,000,000), timed until its codes are redeemable offline (in its SQLite,
//! counted, search index written), beside the same N codes imported from a CSV in the
//! same run (what `coupondesk codes import` does: `Desk::import_codes`, searchable when
//! it returns).
//!
//! The hub is a throwaway PostgreSQL cluster on loopback (crates/pgtest); it is loaded
//! by a first desk's join (its upload is timed too).

use std::path::PathBuf;
use std::time::Instant;

use coupondesk_core::import::ImportTarget;
use coupondesk_core::store::codes::CodeQuery;
use coupondesk_core::{ApiError, Desk};
use serde_json::json;

use crate::bench::{desk_err, fail, import_csv, workdir, write_csv};
use crate::out::Out;

pub fn run(codes: u64, dir: Option<PathBuf>, out: &Out) -> Result<(), ApiError> {
    let (dir, _keep) = workdir(dir)?;
    let csv = dir.join("codes.csv");
    write_csv(&csv, codes, 0x4855_4221_2026_1207)?;
    let pg = pgtest::PgCluster::start().map_err(|e| fail("bench_pg", e))?;
    pg.create_db("hub").map_err(|e| fail("bench_pg", e))?;
    let url = pg.url("hub");
    let open = |name: &str| -> Result<Desk, ApiError> {
        let db = dir.join(name);
        let _ = std::fs::remove_file(&db);
        Desk::open(&db).map_err(desk_err)
    };

    // Baseline: the CSV imported, searchable when it returns.
    let first = open("first.sqlite3")?;
    let target = ImportTarget::New {
        ticket_type: "HUB1".into(),
        name: "hub bench".into(),
    };
    let start = Instant::now();
    let report = import_csv(&first, &csv, &target)?;
    let import_s = start.elapsed().as_secs_f64();
    if report.imported != codes {
        return Err(fail(
            "bench_check",
            format!("imported {} of {codes}", report.imported),
        ));
    }

    first.hub_init(&url, Some("bench")).map_err(desk_err)?;
    let start = Instant::now();
    let up = first
        .hub_join(&url, "store 1", "counter 1")
        .map_err(desk_err)?;
    let upload_s = start.elapsed().as_secs_f64();
    if up.moved.codes_uploaded != codes {
        return Err(fail(
            "bench_check",
            format!("uploaded {} of {codes}", up.moved.codes_uploaded),
        ));
    }
    drop(first);

    // The measured join: a new, empty desk.
    let second = open("second.sqlite3")?;
    let start = Instant::now();
    let down = second
        .hub_join(&url, "store 2", "counter 1")
        .map_err(desk_err)?;
    let join_s = start.elapsed().as_secs_f64();
    if down.moved.codes_downloaded != codes {
        return Err(fail(
            "bench_check",
            format!("downloaded {} of {codes}", down.moved.codes_downloaded),
        ));
    }
    // Redeemable offline means found locally, search included: the last code of the
    // file by a piece of it.
    let text = std::fs::read_to_string(&csv).map_err(|e| fail("bench_io", e.to_string()))?;
    let last = text.lines().last().unwrap_or_default().to_owned();
    let found = second
        .list_codes(&CodeQuery {
            ticket_type: "HUB1".into(),
            status: None,
            search: Some(last[3..9].to_owned()),
            page: coupondesk_core::domain::PageRequest {
                page: 1,
                per_page: 50,
            },
        })
        .map_err(desk_err)?;
    if !found.items.iter().any(|c| c.code == last) {
        return Err(fail(
            "bench_check",
            format!("{last} is not found at the new desk"),
        ));
    }

    let v = json!({
        "codes": codes,
        "join_s": join_s,
        "import_csv_s": import_s,
        "upload_join_s": upload_s,
        "join_per_import": join_s / import_s,
        "target_s": 30,
    });
    let text = format!(
        "hub-join {codes} codes: new desk ready offline (searchable) in {join_s:.2} s; \
         baseline CSV import {import_s:.2} s (x{:.2}); first desk's upload join {upload_s:.2} s; \
         target 30 s",
        join_s / import_s
    );
    out.value(&v, &text)
}
