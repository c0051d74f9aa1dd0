//! `bench redeem --during-import`: what staff wait for at the counter while a large
//! import runs. Check + redeem of codes of the batch BENCH, one every few milliseconds
//! (a busy counter, not a flood), timed each, in three conditions measured in the same
//! run on the same file:
//! - no load;
//! - while an import of `import_rows` realistic codes runs in this process on a thread
//!   of its own (the app: the Desk and the import job share the process);
//! - while the same size of import runs in another process (the CLI's `codes import`
//!   beside the app, or `redeem use` beside a CLI import): this program started again
//!   as `import-worker`.
//!
//! The redemptions are undone afterwards; the imported batches stay (use a fresh --db).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use coupondesk_core::domain::redeem::RedeemRequest;
use coupondesk_core::import::{ImportOptions, ImportTarget};
use coupondesk_core::progress::CancelToken;
use coupondesk_core::store::redemptions::UndoTarget;
use coupondesk_core::{ApiError, Desk};
use serde_json::json;

use crate::bench::{desk_err, fail, percentiles, workdir, write_csv};
use crate::out::Out;
use crate::redeem::{prepare, sample};

/// The pause between two customers at the counter.
const PAUSE: Duration = Duration::from_millis(5);

/// Check + redeem of `codes` in turn until `done()`, or all when it never is; returns the
/// time of each and the codes redeemed.
pub(crate) fn counter(
    desk: &Desk,
    codes: &[String],
    done: &dyn Fn() -> bool,
) -> Result<(Vec<Duration>, Vec<String>), ApiError> {
    let (mut times, mut used) = (Vec::new(), Vec::new());
    for code in codes {
        if done() {
            break;
        }
        let req = RedeemRequest {
            code: code.clone(),
            order_fen: Some(10000),
            customer: None,
        };
        let start = Instant::now();
        let c = desk.redeem_check(&req).map_err(desk_err)?;
        if c.refusal.is_some() {
            continue; // used by an earlier run that was killed before its undo
        }
        let o = desk.redeem_use(&req).map_err(desk_err)?;
        times.push(start.elapsed());
        if o.redemption.is_none() {
            return Err(fail(
                "bench_wrong",
                format!("{code} was checked ok but refused"),
            ));
        }
        used.push(code.clone());
        std::thread::sleep(PAUSE);
    }
    Ok((times, used))
}

fn import_into(db: &Path, csv: &Path, ticket_type: &str) -> Result<u64, ApiError> {
    let desk = Desk::open(db).map_err(desk_err)?;
    let target = ImportTarget::New {
        ticket_type: ticket_type.into(),
        name: ticket_type.into(),
    };
    let report = desk
        .import_codes(
            csv,
            &target,
            &ImportOptions::default(),
            &CancelToken::new(),
            &mut |_| {},
        )
        .map_err(desk_err)?;
    Ok(report.imported)
}

/// The other process's side: one import, searchable when it returns.
pub fn import_worker(db: &Path, csv: &Path, ticket_type: &str) -> Result<(), ApiError> {
    import_into(db, csv, ticket_type).map(|_| ())
}

type Figures = (f64, f64, f64);

fn figures(label: &str, (p50, p99, max): Figures, n: usize, during: Option<Duration>) -> String {
    let during = during
        .map(|d| format!("  (import took {:.2} s)", d.as_secs_f64()))
        .unwrap_or_default();
    format!("  {label:<28} p50 {p50:>7.3} ms  p99 {p99:>7.3} ms  max {max:>8.3} ms  n={n}{during}")
}

pub fn run(codes: u64, import_rows: u64, db: Option<PathBuf>, out: &Out) -> Result<(), ApiError> {
    let (dir, _keep) = workdir(None)?;
    let db = db.unwrap_or_else(|| dir.join("redeem-load.sqlite3"));
    let desk = Desk::open(&db).map_err(desk_err)?;
    let (batch, _) = prepare(&desk, codes)?;
    let salt = chrono::Utc::now().timestamp_millis() as u64;
    // Disjoint codes for the three conditions: 1000 without load, and for each import
    // enough for one every 5 ms while it runs at 15,000 rows/s (a loaded machine's;
    // 1M rows: a minute and a half).
    let wanted = 1000 + 2 * (import_rows / 75).max(1000) as usize;
    let pool = sample(&desk, batch.total_codes, wanted, salt)?;
    let (quiet_codes, rest) = pool.split_at((pool.len() / 3).min(1000));
    let (same_codes, other_codes) = rest.split_at(rest.len() / 2);
    let run_no = salt % 1_000_000;
    let csv_a = dir.join("load-a.csv");
    let csv_b = dir.join("load-b.csv");
    write_csv(&csv_a, import_rows, salt)?;
    write_csv(&csv_b, import_rows, !salt)?;

    let (quiet_t, mut redeemed) = counter(&desk, quiet_codes, &|| false)?;

    // Same process: the import on a thread, the counter on this one.
    let finished = AtomicBool::new(false);
    let (same_t, same_import) = std::thread::scope(|s| -> Result<_, ApiError> {
        let job = s.spawn(|| {
            let start = Instant::now();
            let r = import_into(&db, &csv_a, &format!("LOADA{run_no}"));
            finished.store(true, Ordering::SeqCst);
            r.map(|_| start.elapsed())
        });
        let got = counter(&desk, same_codes, &|| finished.load(Ordering::SeqCst));
        let took = job
            .join()
            .map_err(|_| fail("bench_wrong", "the import thread panicked"))??;
        let (t, used) = got?;
        redeemed.extend(used);
        Ok((t, took))
    })?;

    // Another process: this program again, as `import-worker`.
    let exe = std::env::current_exe().map_err(|e| fail("bench_io", e.to_string()))?;
    let start = Instant::now();
    let mut child = Command::new(exe)
        .arg("import-worker")
        .arg("--db")
        .arg(&db)
        .arg("--csv")
        .arg(&csv_b)
        .arg("--ticket-type")
        .arg(format!("LOADB{run_no}"))
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| fail("bench_io", e.to_string()))?;
    let exited = AtomicBool::new(false);
    let (other_t, status) = std::thread::scope(|s| -> Result<_, ApiError> {
        let waiter = s.spawn(|| {
            let st = child.wait();
            exited.store(true, Ordering::SeqCst);
            st
        });
        let got = counter(&desk, other_codes, &|| exited.load(Ordering::SeqCst));
        let status = waiter
            .join()
            .map_err(|_| fail("bench_wrong", "the waiting thread panicked"))?
            .map_err(|e| fail("bench_io", e.to_string()))?;
        let (t, used) = got?;
        redeemed.extend(used);
        Ok((t, status))
    })?;
    let other_import = start.elapsed();
    if !status.success() {
        return Err(fail(
            "bench_wrong",
            format!("the import process failed: {status}"),
        ));
    }
    for code in &redeemed {
        desk.redeem_undo(UndoTarget::Code(code)).map_err(desk_err)?;
    }

    let (nq, ns, no) = (quiet_t.len(), same_t.len(), other_t.len());
    let quiet = percentiles(quiet_t);
    let same = percentiles(same_t);
    let other = percentiles(other_t);
    let ms = |(p50, p99, max): Figures| json!({"p50": p50, "p99": p99, "max": max});
    let v = json!({
        "codes": batch.total_codes,
        "import_rows": import_rows,
        "no_load_ms": ms(quiet),
        "no_load_n": nq,
        "same_process_import_ms": ms(same),
        "same_process_import_n": ns,
        "same_process_import_s": crate::bench::secs(same_import),
        "other_process_import_ms": ms(other),
        "other_process_import_n": no,
        "other_process_import_s": crate::bench::secs(other_import),
    });
    let text = [
        format!(
            "check + redeem among {} codes, one every {} ms, during an import of {import_rows} codes",
            batch.total_codes,
            PAUSE.as_millis()
        ),
        figures("no load", quiet, nq, None),
        figures("import in this process", same, ns, Some(same_import)),
        figures("import in another process", other, no, Some(other_import)),
    ]
    .join("\n");
    out.value(&v, &text)
}
