//! `hub-batch-add`: codes added to a big batch at one desk reaching another desk's pull
//! (issue 16, scale; docs/chain-mode.md, "Changes between desks"). Desk A holds a batch
//! of N codes at the hub and desk B has it (both joined); A imports M more into it and
//! pulls (its upload logs one `batch` change); B's pull is timed until it returns with
//! the M codes in its SQLite, counted and searchable.
//!
//! The baseline, in the same run: the same again with B's mark of the batch forgotten
//! (`store::hub_batch_got::clear`), so B's pull reads the whole batch as every pull did
//! before local migration 29 (the COPY of all N + 2M rows and a look-up of each).
//!
//! The hub is a throwaway PostgreSQL cluster on loopback (crates/pgtest), as `hub-join`
//! starts it.

use std::path::{Path, PathBuf};
use std::time::Instant;

use coupondesk_core::desk::hub_pull::HubPullReport;
use coupondesk_core::import::ImportTarget;
use coupondesk_core::store::codes::CodeQuery;
use coupondesk_core::{ApiError, Desk};
use serde_json::json;

use crate::bench::{desk_err, fail, import_csv, workdir, write_csv};
use crate::out::Out;

const BATCH: &str = "HUB1";

pub fn run(codes: u64, added: u64, dir: Option<PathBuf>, out: &Out) -> Result<(), ApiError> {
    let (dir, _keep) = workdir(dir)?;
    // One file of N + 2M distinct codes, cut in three: the batch, the measured addition
    // and the baseline's.
    let all = dir.join("all.csv");
    write_csv(&all, codes + 2 * added, 0x4841_4444_2026_1208)?;
    let text = std::fs::read_to_string(&all).map_err(|e| fail("bench_io", e.to_string()))?;
    let lines: Vec<&str> = text.lines().skip(1).collect();
    let (n, m) = (codes as usize, added as usize);
    let part = |name: &str, rows: &[&str]| -> Result<PathBuf, ApiError> {
        let p = dir.join(name);
        std::fs::write(&p, format!("code\n{}\n", rows.join("\n")))
            .map_err(|e| fail("bench_io", e.to_string()))?;
        Ok(p)
    };
    let base = part("batch.csv", &lines[..n])?;
    let delta = part("added.csv", &lines[n..n + m])?;
    let whole = part("added_baseline.csv", &lines[n + m..])?;

    let pg = pgtest::PgCluster::start().map_err(|e| fail("bench_pg", e))?;
    pg.create_db("hub").map_err(|e| fail("bench_pg", e))?;
    let url = pg.url("hub");
    let open = |name: &str| -> Result<Desk, ApiError> {
        let db = dir.join(name);
        let _ = std::fs::remove_file(&db);
        Desk::open(&db).map_err(desk_err)
    };

    // A holds the batch at the hub, B has it (its join reads it whole and marks it).
    let a = open("a.sqlite3")?;
    let target = ImportTarget::New {
        ticket_type: BATCH.into(),
        name: "hub bench".into(),
    };
    check(
        "imported at A",
        import_csv(&a, &base, &target)?.imported,
        codes,
    )?;
    a.hub_init(&url, Some("bench")).map_err(desk_err)?;
    let up = a.hub_join(&url, "store 1", "counter 1").map_err(desk_err)?;
    check("uploaded by A's join", up.moved.codes_uploaded, codes)?;
    let b_db = dir.join("b.sqlite3");
    let b = open("b.sqlite3")?;
    let down = b.hub_join(&url, "store 2", "counter 1").map_err(desk_err)?;
    check("downloaded by B's join", down.moved.codes_downloaded, codes)?;
    b.hub_pull().map_err(desk_err)?;

    // Measured: M codes added at A, B's pull reads only those.
    let (delta_s, r) = add_and_pull(&a, &b, &delta, added)?;
    check("rows B's pull read", r.codes_read, added)?;
    searchable(&b, lines[n + m - 1])?;

    // Baseline: M more, B's mark forgotten: its pull reads the whole batch.
    {
        let conn =
            rusqlite::Connection::open(&b_db).map_err(|e| fail("bench_db", e.to_string()))?;
        coupondesk_core::store::hub_batch_got::clear(&conn, BATCH)
            .map_err(|e| fail("bench_db", e.to_string()))?;
    }
    let (whole_s, r) = add_and_pull(&a, &b, &whole, added)?;
    check("rows B's whole pull read", r.codes_read, codes + 2 * added)?;
    searchable(&b, lines[n + 2 * m - 1])?;

    let v = json!({
        "codes": codes,
        "added": added,
        "pull_delta_s": delta_s,
        "pull_whole_s": whole_s,
        "delta_codes_per_s": added as f64 / delta_s,
        "whole_codes_per_s": added as f64 / whole_s,
        "whole_per_delta": whole_s / delta_s,
    });
    let text = format!(
        "hub-batch-add {added} codes added to a batch of {codes}: the other desk's pull \
         has them searchable in {delta_s:.3} s ({:.0} codes/s, {added} rows read); \
         baseline whole-batch download {whole_s:.3} s ({:.0} codes/s, {} rows read; x{:.1})",
        added as f64 / delta_s,
        added as f64 / whole_s,
        codes + 2 * added,
        whole_s / delta_s
    );
    out.value(&v, &text)
}

/// A imports `file` (`added` codes) into the batch and pulls (its upload logs the
/// `batch` change); B's pull is timed. Checks B got exactly those codes.
fn add_and_pull(
    a: &Desk,
    b: &Desk,
    file: &Path,
    added: u64,
) -> Result<(f64, HubPullReport), ApiError> {
    let target = ImportTarget::Existing(BATCH.into());
    check("added at A", import_csv(a, file, &target)?.imported, added)?;
    check(
        "uploaded by A's pull",
        a.hub_pull().map_err(desk_err)?.codes_uploaded,
        added,
    )?;
    let start = Instant::now();
    let r = b.hub_pull().map_err(desk_err)?;
    let s = start.elapsed().as_secs_f64();
    if let Some(why) = &r.stopped {
        return Err(fail("bench_check", format!("B's pull stopped: {why}")));
    }
    check("downloaded by B's pull", r.codes_downloaded, added)?;
    Ok((s, r))
}

/// Redeemable offline means found locally, search included: `code` by a piece of it.
fn searchable(desk: &Desk, code: &str) -> Result<(), ApiError> {
    let piece = code.get(3..9).unwrap_or(code);
    let found = desk
        .list_codes(&CodeQuery {
            ticket_type: BATCH.into(),
            status: None,
            search: Some(piece.to_owned()),
            page: coupondesk_core::domain::PageRequest {
                page: 1,
                per_page: 50,
            },
        })
        .map_err(desk_err)?;
    if found.items.iter().any(|c| c.code == code) {
        Ok(())
    } else {
        Err(fail("bench_check", format!("{code} is not found at B")))
    }
}

fn check(what: &str, got: u64, want: u64) -> Result<(), ApiError> {
    if got == want {
        Ok(())
    } else {
        Err(fail("bench_check", format!("{what}: {got}, not {want}")))
    }
}
