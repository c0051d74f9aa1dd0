//! `bench undo`: the counter while the undo of a large interrupted run goes on. An import
//! of `rows` realistic codes into a new batch runs in another process (this program as
//! `import-worker`) and is killed with SIGKILL once it has written them; then this
//! process opens the database as the app or the next CLI process would: the run leaves
//! every count in one short transaction and its rows are deleted in the background
//! (store/run_undo.rs). Meanwhile the counter checks + redeems a code of the batch BENCH
//! every 5 ms, timed each; the baseline is the same counter in the same run on the same
//! file once the undo is over. Printed: how long the open (with the mark) and the whole
//! undo took, and p50/p99/max of both counters. The redemptions are undone afterwards.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use coupondesk_core::store::redemptions::UndoTarget;
use coupondesk_core::{ApiError, Desk};
use serde_json::json;

use crate::bench::{desk_err, fail, percentiles, secs, workdir, write_csv};
use crate::out::Out;
use crate::redeem::{prepare, sample};
use crate::redeem_load::{counter, PAUSE};

/// How often the watcher looks whether the undo is over.
const WATCH: Duration = Duration::from_millis(20);

pub fn run(rows: u64, shop_codes: u64, dir: Option<PathBuf>, out: &Out) -> Result<(), ApiError> {
    let (dir, _keep) = workdir(dir)?;
    let db = dir.join("undo.sqlite3");
    let sql = |e: rusqlite::Error| fail("bench_io", e.to_string());
    // The counter's codes: enough for one every 5 ms during an undo at 10,000 rows/s (a
    // loaded machine's), at most 20,000 (the counter stops when they run out; the undo's
    // time is still measured to its end), and as many again for the baseline.
    let wanted = 2 * (rows / 50).clamp(1000, 20_000) as usize;
    let pool = {
        let desk = Desk::open(&db).map_err(desk_err)?;
        let (batch, _) = prepare(&desk, shop_codes)?;
        let salt = chrono::Utc::now().timestamp_millis() as u64;
        sample(&desk, batch.total_codes, wanted, salt)?
    };
    let (during_codes, base_codes) = pool.split_at(pool.len() / 2);
    // A few more rows than are waited for, so the kill lands mid-run.
    let csv = dir.join("undo.csv");
    write_csv(&csv, rows + rows / 4 + 1000, 0x5EED)?;

    let exe = std::env::current_exe().map_err(|e| fail("bench_io", e.to_string()))?;
    let mut child = Command::new(exe)
        .arg("import-worker")
        .arg("--db")
        .arg(&db)
        .arg("--csv")
        .arg(&csv)
        .arg("--ticket-type")
        .arg("KILLED")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| fail("bench_io", e.to_string()))?;
    let watch = rusqlite::Connection::open(&db).map_err(sql)?;
    watch.busy_timeout(Duration::from_secs(30)).map_err(sql)?;
    loop {
        let written: i64 = watch
            .query_row(
                "SELECT coalesce(max(imported), 0) FROM code_runs WHERE state = 'running'",
                [],
                |r| r.get(0),
            )
            .map_err(sql)?;
        if written as u64 >= rows {
            break;
        }
        if let Some(st) = child
            .try_wait()
            .map_err(|e| fail("bench_io", e.to_string()))?
        {
            return Err(fail(
                "bench_wrong",
                format!("the import ended before it was killed: {st}"),
            ));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().map_err(|e| fail("bench_io", e.to_string()))?;
    child.wait().map_err(|e| fail("bench_io", e.to_string()))?;
    let killed_rows: i64 = watch
        .query_row("SELECT count(*) FROM codes", [], |r| r.get(0))
        .map_err(sql)?;
    let killed_rows = killed_rows as u64 - shop_codes;
    drop(watch);

    // As the next process: the open marks the run, its Desk's thread deletes the rows.
    let start = Instant::now();
    let desk = Desk::open(&db).map_err(desk_err)?;
    let opened = start.elapsed();
    let counted = desk.get_batch("KILLED").map(|b| b.total_codes).unwrap_or(0);
    let finished = AtomicBool::new(false);
    let (during_t, undo_took, mut redeemed) = std::thread::scope(|s| -> Result<_, ApiError> {
        let watcher = s.spawn(|| -> Result<Duration, ApiError> {
            let watch = rusqlite::Connection::open(&db).map_err(sql)?;
            watch.busy_timeout(Duration::from_secs(30)).map_err(sql)?;
            loop {
                let left: i64 = watch
                    .query_row(
                        "SELECT count(*) FROM code_runs WHERE undo_to_seq IS NOT NULL",
                        [],
                        |r| r.get(0),
                    )
                    .map_err(sql)?;
                if left == 0 {
                    finished.store(true, Ordering::SeqCst);
                    return Ok(start.elapsed());
                }
                std::thread::sleep(WATCH);
            }
        });
        let got = counter(&desk, (during_codes, PAUSE), &|| {
            finished.load(Ordering::SeqCst)
        });
        let took = watcher
            .join()
            .map_err(|_| fail("bench_wrong", "the watching thread panicked"))??;
        let (t, used) = got?;
        Ok((t, took, used))
    })?;
    let n_base = during_t.len().clamp(200, base_codes.len());
    let (base_t, used) = counter(&desk, (&base_codes[..n_base], PAUSE), &|| false)?;
    redeemed.extend(used);
    for code in &redeemed {
        desk.redeem_undo(UndoTarget::Code(code)).map_err(desk_err)?;
    }
    let left: i64 = rusqlite::Connection::open(&db)
        .map_err(sql)?
        .query_row("SELECT count(*) FROM codes", [], |r| r.get(0))
        .map_err(sql)?;
    if left as u64 != shop_codes {
        return Err(fail(
            "bench_wrong",
            format!(
                "{} rows of the killed run are left",
                left as u64 - shop_codes
            ),
        ));
    }

    let (nd, nb) = (during_t.len(), base_t.len());
    let during = percentiles(during_t);
    let base = percentiles(base_t);
    let ms = |(p50, p99, max): (f64, f64, f64)| json!({"p50": p50, "p99": p99, "max": max});
    let v = json!({
        "killed_run_rows": killed_rows,
        "shop_codes": shop_codes,
        "counted_after_open": counted,
        "open_with_mark_ms": opened.as_secs_f64() * 1000.0,
        "undo_s": secs(undo_took),
        "during_undo_ms": ms(during),
        "during_undo_n": nd,
        "baseline_ms": ms(base),
        "baseline_n": nb,
    });
    let line = |label: &str, (p50, p99, max): (f64, f64, f64), n: usize| {
        format!("  {label:<24} p50 {p50:>7.3} ms  p99 {p99:>7.3} ms  max {max:>8.3} ms  n={n}")
    };
    let text = [
        format!(
            "undo of a run killed after {killed_rows} codes (import, searchable), beside a batch of {shop_codes}"
        ),
        format!(
            "  open (marks the run)     {:.1} ms; the batch counts {counted} codes at once",
            opened.as_secs_f64() * 1000.0
        ),
        format!(
            "  whole undo               {:.2} s ({:.0} rows/s), in the background",
            undo_took.as_secs_f64(),
            killed_rows as f64 / undo_took.as_secs_f64().max(1e-9)
        ),
        "check + redeem, one every 5 ms:".to_owned(),
        line("during the undo", during, nd),
        line("baseline (no undo)", base, nb),
    ]
    .join("\n");
    out.value(&v, &text)
}
