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
//! The two imports with a counter run once per `--min-run-ms` value (how long an import
//! works after giving way before it gives way again, `store::counter_lane`), so values
//! are compared in one run; and one import runs alone first, the import's own baseline:
//! what a busy counter costs the import is its time beside that one.
//!
//! The redemptions are undone afterwards; the imported batches stay (use a fresh --db).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use coupondesk_core::domain::redeem::RedeemRequest;
use coupondesk_core::import::ImportTarget;
use coupondesk_core::store::counter_lane;
use coupondesk_core::store::redemptions::UndoTarget;
use coupondesk_core::{ApiError, Desk};
use serde_json::json;

use crate::bench::{desk_err, fail, import_csv, percentiles, workdir, write_csv};
use crate::out::Out;
use crate::redeem::{prepare, sample};

/// The pause between two customers at the counter in `bench undo`.
pub(crate) const PAUSE: Duration = Duration::from_millis(5);

/// Check + redeem of `codes` in turn, `pause` apart, until `done()`, or all when it never
/// is; returns the time of each and the codes redeemed.
pub(crate) fn counter(
    desk: &Desk,
    (codes, pause): (&[String], Duration),
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
        std::thread::sleep(pause);
    }
    Ok((times, used))
}

fn import_into(db: &Path, csv: &Path, ticket_type: &str) -> Result<u64, ApiError> {
    let desk = Desk::open(db).map_err(desk_err)?;
    let target = ImportTarget::New {
        ticket_type: ticket_type.into(),
        name: ticket_type.into(),
    };
    let report = import_csv(&desk, csv, &target)?;
    Ok(report.imported)
}

/// The other process's side: one import, searchable when it returns, giving way to the
/// counter after runs of at least `min_run`.
pub fn import_worker(
    db: &Path,
    csv: &Path,
    ticket_type: &str,
    min_run: Duration,
) -> Result<(), ApiError> {
    counter_lane::set_min_run(min_run);
    import_into(db, csv, ticket_type).map(|_| ())
}

type Figures = (f64, f64, f64);

fn figures(label: &str, (p50, p99, max): Figures, n: usize, during: Option<Duration>) -> String {
    let during = during
        .map(|d| format!("  (import took {:.2} s)", d.as_secs_f64()))
        .unwrap_or_default();
    format!("  {label:<28} p50 {p50:>7.3} ms  p99 {p99:>7.3} ms  max {max:>8.3} ms  n={n}{during}")
}

/// What `bench redeem --during-import` is asked.
pub struct LoadArgs {
    pub codes: u64,
    pub import_rows: u64,
    pub db: Option<PathBuf>,
    pub min_runs: Vec<Duration>,
    pub pause: Duration,
}

/// The counter's times during one import, and how long the import took.
struct During {
    times: Vec<Duration>,
    import: Duration,
}

/// One import in this process (the app's import job) while the counter redeems `codes`.
fn during_same_process(
    desk: &Desk,
    (db, csv, ticket_type): (&Path, &Path, &str),
    counter_codes: (&[String], Duration),
    redeemed: &mut Vec<String>,
) -> Result<During, ApiError> {
    let finished = AtomicBool::new(false);
    std::thread::scope(|s| -> Result<_, ApiError> {
        let job = s.spawn(|| {
            let start = Instant::now();
            let r = import_into(db, csv, ticket_type);
            finished.store(true, Ordering::SeqCst);
            r.map(|_| start.elapsed())
        });
        let got = counter(desk, counter_codes, &|| finished.load(Ordering::SeqCst));
        let import = job
            .join()
            .map_err(|_| fail("bench_wrong", "the import thread panicked"))??;
        let (times, used) = got?;
        redeemed.extend(used);
        Ok(During { times, import })
    })
}

/// One import in another process (this program again, as `import-worker`) while the
/// counter redeems `codes`.
fn during_other_process(
    desk: &Desk,
    (db, csv, ticket_type, min_run): (&Path, &Path, &str, Duration),
    counter_codes: (&[String], Duration),
    redeemed: &mut Vec<String>,
) -> Result<During, ApiError> {
    let exe = std::env::current_exe().map_err(|e| fail("bench_io", e.to_string()))?;
    let start = Instant::now();
    let mut child = Command::new(exe)
        .arg("import-worker")
        .arg("--db")
        .arg(db)
        .arg("--csv")
        .arg(csv)
        .arg("--ticket-type")
        .arg(ticket_type)
        .arg("--min-run-ms")
        .arg(min_run.as_millis().to_string())
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| fail("bench_io", e.to_string()))?;
    let exited = AtomicBool::new(false);
    let (times, status) = std::thread::scope(|s| -> Result<_, ApiError> {
        let waiter = s.spawn(|| {
            let st = child.wait();
            exited.store(true, Ordering::SeqCst);
            st
        });
        let got = counter(desk, counter_codes, &|| exited.load(Ordering::SeqCst));
        let status = waiter
            .join()
            .map_err(|_| fail("bench_wrong", "the waiting thread panicked"))?
            .map_err(|e| fail("bench_io", e.to_string()))?;
        let (times, used) = got?;
        redeemed.extend(used);
        Ok((times, status))
    })?;
    let import = start.elapsed();
    if !status.success() {
        return Err(fail(
            "bench_wrong",
            format!("the import process failed: {status}"),
        ));
    }
    Ok(During { times, import })
}

pub fn run(args: LoadArgs, out: &Out) -> Result<(), ApiError> {
    let LoadArgs {
        codes,
        import_rows,
        db,
        min_runs,
        pause,
    } = args;
    let (dir, _keep) = workdir(None)?;
    let db = db.unwrap_or_else(|| dir.join("redeem-load.sqlite3"));
    let desk = Desk::open(&db).map_err(desk_err)?;
    let (batch, _) = prepare(&desk, codes)?;
    let salt = chrono::Utc::now().timestamp_millis() as u64;
    // Disjoint codes for each condition: 1000 without load, and for each import with a
    // counter enough for one every `pause` while it runs at 15,000 rows/s (a loaded
    // machine's; 1M rows: a minute and a half).
    let per_import =
        ((import_rows / 15_000).max(1) * 1000 / pause.as_millis().max(1) as u64).max(1000) as usize;
    let imports = 2 * min_runs.len();
    let pool = sample(&desk, batch.total_codes, 1000 + imports * per_import, salt)?;
    let (quiet_codes, mut rest) = pool.split_at(1000.min(pool.len()));
    let run_no = salt % 1_000_000;
    let csv_of = |i: u64| dir.join(format!("load-{i}.csv"));

    let (quiet_t, mut redeemed) = counter(&desk, (quiet_codes, pause), &|| false)?;

    // The import's baseline: the same size alone, in this process.
    write_csv(&csv_of(0), import_rows, salt)?;
    let start = Instant::now();
    import_into(&db, &csv_of(0), &format!("ALONE{run_no}"))?;
    let alone = start.elapsed();

    let mut rows = Vec::new();
    let mut lines = vec![
        format!(
            "check + redeem among {} codes, one every {} ms, during an import of {import_rows} codes",
            batch.total_codes,
            pause.as_millis()
        ),
        figures("no load", percentiles(quiet_t.clone()), quiet_t.len(), None),
        format!(
            "  {:<28} {:.2} s (the import's baseline)",
            "import alone, no counter",
            alone.as_secs_f64()
        ),
    ];
    for (i, min_run) in min_runs.iter().enumerate() {
        counter_lane::set_min_run(*min_run);
        let take = |rest: &mut &[String]| {
            let (now, later) = rest.split_at(per_import.min(rest.len()));
            *rest = later;
            now.to_vec()
        };
        let (same_codes, other_codes) = (take(&mut rest), take(&mut rest));
        let (csv_a, csv_b) = (csv_of(2 * i as u64 + 1), csv_of(2 * i as u64 + 2));
        write_csv(&csv_a, import_rows, salt.wrapping_add(2 * i as u64 + 1))?;
        write_csv(&csv_b, import_rows, !salt.wrapping_add(2 * i as u64 + 2))?;
        let same = during_same_process(
            &desk,
            (&db, &csv_a, &format!("LOADA{run_no}R{i}")),
            (&same_codes, pause),
            &mut redeemed,
        )?;
        let other = during_other_process(
            &desk,
            (&db, &csv_b, &format!("LOADB{run_no}R{i}"), *min_run),
            (&other_codes, pause),
            &mut redeemed,
        )?;
        let ms = min_run.as_millis();
        lines.push(format!("  an import's minimum run between turns: {ms} ms"));
        for (label, d) in [
            ("import in this process", &same),
            ("import in another process", &other),
        ] {
            lines.push(figures(
                label,
                percentiles(d.times.clone()),
                d.times.len(),
                Some(d.import),
            ));
        }
        let ms_of = |d: &During| {
            let (p50, p99, max) = percentiles(d.times.clone());
            json!({"p50": p50, "p99": p99, "max": max, "n": d.times.len(),
                   "import_s": crate::bench::secs(d.import)})
        };
        rows.push(json!({
            "min_run_ms": ms,
            "same_process_import": ms_of(&same),
            "other_process_import": ms_of(&other),
        }));
    }
    for code in &redeemed {
        desk.redeem_undo(UndoTarget::Code(code)).map_err(desk_err)?;
    }
    let (p50, p99, max) = percentiles(quiet_t.clone());
    let v = json!({
        "codes": batch.total_codes,
        "import_rows": import_rows,
        "pause_ms": pause.as_millis() as u64,
        "no_load_ms": {"p50": p50, "p99": p99, "max": max, "n": quiet_t.len()},
        "import_alone_s": crate::bench::secs(alone),
        "runs": rows,
    });
    out.value(&v, &lines.join("\n"))
}
