//! Benchmarks: each prints our rate beside a baseline measured in the same run on the
//! same machine (sqlite3's own CLI doing the plain version of the same work), so the
//! numbers in docs/benchmarks.md can be compared and re-measured. Speed is shown here,
//! never by a timed unit test.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use clap::Subcommand;
use coupondesk_core::domain::PageRequest;
use coupondesk_core::generate::GenerateRequest;
use coupondesk_core::import::{ImportOptions, ImportTarget};
use coupondesk_core::progress::CancelToken;
use coupondesk_core::store::codes::CodeQuery;
use coupondesk_core::{ApiError, Desk};
use serde_json::json;

use crate::out::Out;

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Import N unique codes from CSV into an empty database, against sqlite3 `.import`.
    Import {
        #[arg(long, default_value_t = 1_000_000)]
        rows: u64,
        /// Where to put the files (default: a temporary folder, removed afterwards).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Export a batch of N codes as CSV, then as XLSX (target: within 3x), with peak RSS.
    Export {
        #[arg(long, default_value_t = 1_000_000)]
        rows: u64,
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Import the same N codes (searchable) from CSV, then from XLSX (target: within 3x).
    ImportXlsx {
        #[arg(long, default_value_t = 1_000_000)]
        rows: u64,
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Generate N codes into a batch, against sqlite3 inserting N random codes.
    Generate {
        #[arg(long, default_value_t = 1_000_000)]
        count: u64,
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Pages of 50 of a batch of N codes, by position and by substring, against a
    /// LIKE '%q%' scan of the same table.
    Search {
        #[arg(long, default_value_t = 10_000_000)]
        codes: u64,
        #[arg(long, default_value_t = 200)]
        queries: usize,
        /// Reuse (or create and keep) this database; its batch BENCH is built once.
        #[arg(long)]
        db: Option<PathBuf>,
    },
    /// Check + redeem of codes spread over a batch of N codes linked to a cash template,
    /// against a bare SELECT + UPDATE transaction on the same table.
    Redeem {
        #[arg(long, default_value_t = 10_000_000)]
        codes: u64,
        #[arg(long, default_value_t = 1000)]
        ops: usize,
        /// Reuse (or create and keep) this database; its batch BENCH is built once.
        #[arg(long)]
        db: Option<PathBuf>,
        /// Instead: check + redeem one code every 5 ms with no load, then during an import
        /// of --import-rows codes in this process, then in another process.
        #[arg(long)]
        during_import: bool,
        #[arg(long, default_value_t = 1_000_000)]
        import_rows: u64,
        /// With --during-import: the imports' minimum run between two turns of the
        /// counter, in ms; several (comma-separated) are compared in one run.
        #[arg(long, value_delimiter = ',', default_values_t = [10u64])]
        min_run_ms: Vec<u64>,
        /// With --during-import: the counter's pause between two customers, in ms.
        #[arg(long, default_value_t = 5)]
        pause_ms: u64,
    },
    /// One import, searchable when it returns (run by `redeem --during-import` as its
    /// other process).
    #[command(hide = true)]
    ImportWorker {
        #[arg(long)]
        db: PathBuf,
        #[arg(long)]
        csv: PathBuf,
        #[arg(long)]
        ticket_type: String,
        #[arg(long, default_value_t = 10)]
        min_run_ms: u64,
    },
    /// The manager's dashboard and redemption report over N redemptions (each query
    /// under 300 ms for 1M), beside a GROUP BY over the redemption rows in the same run.
    Report {
        #[arg(long, default_value_t = 1_000_000)]
        redemptions: u64,
        /// Reuse (or create and keep) this database; its shop is built once.
        #[arg(long)]
        db: Option<PathBuf>,
    },
    /// N codes as a PDF of 3 x 8 QR (and Code 128) labels, beside the CSV export of the
    /// same codes (issue 15: 10,000 codes under 5 s).
    Print {
        #[arg(long, default_value_t = 10_000)]
        codes: u64,
        /// Work here (kept) instead of a temporary folder.
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Check + redeem one code every 5 ms while the undo of an import killed after N
    /// codes runs in the background, beside the same counter with no undo.
    Undo {
        #[arg(long, default_value_t = 3_000_000)]
        rows: u64,
        /// Codes of the batch the counter redeems from.
        #[arg(long, default_value_t = 1_000_000)]
        shop_codes: u64,
        /// Where to put the files (default: a temporary folder, removed afterwards).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// N queued e-Buy code activations synced to the simulator over loopback, against a
    /// bare client sending the same envelopes without the outbox.
    Sync {
        #[arg(long, default_value_t = 100_000)]
        codes: u64,
    },
    /// The release window launched cold under Xvfb on a shop-sized database: time to the
    /// first table drawn and the process tree's memory idle on the batches page, beside a
    /// build of the previous settings and WebKitGTK's own floor (docs/benchmarks.md).
    Startup(crate::startup::StartupArgs),
    /// A new desk joining a PostgreSQL hub (a throwaway cluster) that holds N codes,
    /// until they are redeemable offline (searchable), beside importing the same codes
    /// from a CSV.
    /// Chain mode: claim + local commit at one desk, and several desks at once, against a
    /// throwaway PostgreSQL hub (with its durability on) on loopback.
    HubClaims {
        #[arg(long, default_value_t = 4)]
        desks: usize,
        #[arg(long, default_value_t = 1000)]
        redemptions: usize,
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    HubJoin {
        #[arg(long, default_value_t = 1_000_000)]
        codes: u64,
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Chain mode: codes added to a batch of N at one desk, timed until another desk's
    /// pull has them searchable, beside the whole-batch download (its mark forgotten).
    HubBatchAdd {
        #[arg(long, default_value_t = 1_000_000)]
        codes: u64,
        #[arg(long, default_value_t = 2000)]
        added: u64,
        #[arg(long)]
        dir: Option<PathBuf>,
    },
}

pub(crate) fn fail(code: &str, message: impl Into<String>) -> ApiError {
    ApiError::new(code, message)
}

fn io(e: std::io::Error) -> ApiError {
    fail("bench_io", e.to_string())
}

/// One import with the defaults, searchable when it returns: what `coupondesk codes
/// import` and the window's import job do, and so what every benchmark times.
pub(crate) fn import_csv(
    desk: &Desk,
    csv: &Path,
    target: &ImportTarget,
) -> Result<coupondesk_core::import::ImportReport, ApiError> {
    desk.import_codes(
        csv,
        target,
        &ImportOptions::default(),
        &CancelToken::new(),
        &mut |_| {},
    )
    .map_err(desk_err)
}

pub(crate) fn desk_err(e: coupondesk_core::DeskError) -> ApiError {
    ApiError::from(&e)
}

pub fn run(cmd: BenchCommand, out: &Out) -> Result<(), ApiError> {
    match cmd {
        BenchCommand::Import { rows, dir } => import(rows, dir, out),
        BenchCommand::Generate { count, dir } => generate(count, dir, out),
        BenchCommand::Export { rows, dir } => crate::excel::export_bench(rows, dir, out),
        BenchCommand::ImportXlsx { rows, dir } => crate::excel::import_xlsx_bench(rows, dir, out),
        BenchCommand::Search { codes, queries, db } => search(codes, queries, db, out),
        BenchCommand::Redeem {
            codes,
            db,
            during_import: true,
            import_rows,
            min_run_ms,
            pause_ms,
            ..
        } => crate::redeem_load::run(
            crate::redeem_load::LoadArgs {
                codes,
                import_rows,
                db,
                min_runs: min_run_ms.into_iter().map(Duration::from_millis).collect(),
                pause: Duration::from_millis(pause_ms),
            },
            out,
        ),
        BenchCommand::Redeem { codes, ops, db, .. } => crate::redeem::run(codes, ops, db, out),
        BenchCommand::ImportWorker {
            db,
            csv,
            ticket_type,
            min_run_ms,
        } => crate::redeem_load::import_worker(
            &db,
            &csv,
            &ticket_type,
            Duration::from_millis(min_run_ms),
        ),
        BenchCommand::Undo {
            rows,
            shop_codes,
            dir,
        } => crate::undo::run(rows, shop_codes, dir, out),
        BenchCommand::Sync { codes } => crate::sync::run(codes, out),
        BenchCommand::Report { redemptions, db } => crate::report::run(redemptions, db, out),
        BenchCommand::Print { codes, dir } => crate::print::run(codes, dir, out),
        BenchCommand::Startup(args) => crate::startup::run(args, out),
        BenchCommand::HubJoin { codes, dir } => crate::hub::run(codes, dir, out),
        BenchCommand::HubBatchAdd { codes, added, dir } => {
            crate::hub_batch_add::run(codes, added, dir, out)
        }
        BenchCommand::HubClaims {
            desks,
            redemptions,
            dir,
        } => crate::hub_claims::run(desks, redemptions, dir, out),
    }
}

/// A work folder: the one given, or a temporary one removed when dropped.
pub(crate) fn workdir(
    dir: Option<PathBuf>,
) -> Result<(PathBuf, Option<tempfile::TempDir>), ApiError> {
    match dir {
        Some(d) => {
            std::fs::create_dir_all(&d).map_err(io)?;
            Ok((d, None))
        }
        None => {
            let t = tempfile::tempdir().map_err(io)?;
            Ok((t.path().to_owned(), Some(t)))
        }
    }
}

/// Writes a CSV (header `code`) of realistic codes, as shops receive them from a
/// platform: 12 random characters of A-Z and 0-9 (46,656 possible trigrams, which is
/// what the search index pays for). Drawn from a fixed seed (splitmix64), so runs
/// compare (`seed`); repeats are dropped, so every row is unique and the import must take them all.
pub(crate) fn write_csv(path: &Path, rows: u64, seed: u64) -> Result<(), ApiError> {
    const ALPHABET: &[u8; 36] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    const HALF: u64 = 36 * 36 * 36 * 36 * 36 * 36; // 6 characters: under 2^32
    let mut state: u64 = seed;
    let mut next = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % HALF
    };
    let mut w = BufWriter::new(std::fs::File::create(path).map_err(io)?);
    writeln!(w, "code").map_err(io)?;
    // A code is its two halves' numbers: 8 bytes a row to tell repeats.
    let mut seen = std::collections::HashSet::with_capacity(rows as usize);
    let mut line = [b'\n'; 13];
    while (seen.len() as u64) < rows {
        let (a, b) = (next(), next());
        if !seen.insert((a << 32) | b) {
            continue;
        }
        let (mut a, mut b) = (a, b);
        for i in 0..6 {
            line[i] = ALPHABET[(a % 36) as usize];
            line[6 + i] = ALPHABET[(b % 36) as usize];
            a /= 36;
            b /= 36;
        }
        w.write_all(&line).map_err(io)?;
    }
    w.flush().map_err(io)
}

/// Forgets the peak resident memory so far (Linux: `clear_refs` 5), so the peak read
/// afterwards is the measured work's, not the CSV writer's.
pub(crate) fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Runs sqlite3's CLI on a fresh database with `sql`, timing the whole process.
fn sqlite3(db: &Path, args: &[&str]) -> Result<Duration, ApiError> {
    let _ = std::fs::remove_file(db);
    let start = Instant::now();
    let status = Command::new("sqlite3")
        .arg(db)
        .args(args)
        .stdout(std::process::Stdio::null())
        .status()
        .map_err(|e| {
            fail(
                "bench_baseline",
                format!("could not run sqlite3 ({e}); install it"),
            )
        })?;
    let took = start.elapsed();
    if !status.success() {
        return Err(fail("bench_baseline", format!("sqlite3 failed: {status}")));
    }
    Ok(took)
}

/// Peak resident memory of this process so far, in MiB (Linux).
pub(crate) fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

pub(crate) fn rate(n: u64, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64().max(1e-9)
}

/// Creates the batch BENCH with `codes` generated codes (12 characters, no prefix), in
/// runs of at most `generate::MAX_PER_RUN` (10M codes take ten runs, as a shop would).
pub(crate) fn bench_batch(desk: &Desk, codes: u64) -> Result<(), ApiError> {
    desk.create_batch("BENCH", "bench").map_err(desk_err)?;
    let mut left = codes;
    while left > 0 {
        let count = left.min(coupondesk_core::generate::MAX_PER_RUN);
        let req = GenerateRequest {
            ticket_type: "BENCH".into(),
            count,
            length: None,
            prefix: None,
        };
        desk.generate_codes(&req, &CancelToken::new(), &mut |_| {})
            .map_err(desk_err)?;
        left -= count;
    }
    Ok(())
}

pub(crate) fn secs(d: Duration) -> f64 {
    (d.as_secs_f64() * 1000.0).round() / 1000.0
}

fn import(rows: u64, dir: Option<PathBuf>, out: &Out) -> Result<(), ApiError> {
    let (dir, _keep) = workdir(dir)?;
    let csv = dir.join("codes.csv");
    write_csv(&csv, rows, 0x5EED_C0DE_2026_1207)?;
    reset_peak_rss();
    let csv_s = csv.display().to_string();
    let import_cmd = format!(".import --csv --skip 1 {csv_s} codes");
    let base_default = sqlite3(
        &dir.join("baseline.sqlite3"),
        &[
            "PRAGMA journal_mode=WAL;",
            "CREATE TABLE codes (code TEXT NOT NULL UNIQUE);",
            &import_cmd,
        ],
    )?;
    let base_tuned = sqlite3(
        &dir.join("baseline.sqlite3"),
        &[
            "PRAGMA journal_mode=WAL; PRAGMA cache_size=-65536;",
            "CREATE TABLE codes (code TEXT NOT NULL UNIQUE);",
            &import_cmd,
        ],
    )?;
    let target = ImportTarget::New {
        ticket_type: "BENCH".into(),
        name: "bench".into(),
    };
    let fresh = |name: &str| -> Result<Desk, ApiError> {
        let db = dir.join(name);
        let _ = std::fs::remove_file(&db);
        Desk::open(&db).map_err(desk_err)
    };
    // The import alone, the index left behind, then the index's catch-up.
    let desk = fresh("import-only.sqlite3")?;
    let start = Instant::now();
    let report = desk
        .import_codes_unindexed(
            &csv,
            &target,
            &ImportOptions::default(),
            &CancelToken::new(),
            &mut |_| {},
        )
        .map_err(desk_err)?;
    let ours = start.elapsed();
    let start = Instant::now();
    desk.build_search_index(&CancelToken::new())
        .map_err(desk_err)?;
    let index = start.elapsed();
    drop(desk);
    check_imported(report.imported, rows)?;
    // What `coupondesk codes import` and the app's job do: searchable when it returns.
    let desk = fresh("searchable.sqlite3")?;
    let start = Instant::now();
    let report = import_csv(&desk, &csv, &target)?;
    let searchable = start.elapsed();
    check_imported(report.imported, rows)?;
    let peak = peak_rss_mib();
    let ratio = |d: Duration, base: Duration| {
        (d.as_secs_f64() / base.as_secs_f64() * 100.0).round() / 100.0
    };
    let v = json!({
        "rows": rows,
        "coupondesk_import_s": secs(ours),
        "coupondesk_rows_per_s": rate(rows, ours).round(),
        "search_index_catch_up_s": secs(index),
        "coupondesk_searchable_s": secs(searchable),
        "sqlite3_import_default_s": secs(base_default),
        "sqlite3_import_same_cache_s": secs(base_tuned),
        "ratio_vs_sqlite3_default": ratio(ours, base_default),
        "ratio_vs_sqlite3_same_cache": ratio(ours, base_tuned),
        "searchable_ratio_vs_sqlite3_default": ratio(searchable, base_default),
        "searchable_ratio_vs_sqlite3_same_cache": ratio(searchable, base_tuned),
        "peak_rss_mib": peak.map(|p| p.round()),
    });
    let text = format!(
        "import of {rows} unique codes (12 random A-Z0-9)\n  \
         sqlite3 .import           {:>8.3} s  (CLI defaults)\n  \
         sqlite3 .import           {:>8.3} s  (same 64 MiB cache)\n  \
         coupondesk import only    {:>8.3} s  {:>10.0} rows/s  ratio {:.2}x / {:.2}x\n  \
         (then index catch-up      {:>8.3} s)\n  \
         coupondesk searchable     {:>8.3} s  (codes import as shipped)  ratio {:.2}x / {:.2}x\n  \
         peak RSS {} MiB; ratios against CLI defaults / same cache",
        base_default.as_secs_f64(),
        base_tuned.as_secs_f64(),
        ours.as_secs_f64(),
        rate(rows, ours),
        ratio(ours, base_default),
        ratio(ours, base_tuned),
        index.as_secs_f64(),
        searchable.as_secs_f64(),
        ratio(searchable, base_default),
        ratio(searchable, base_tuned),
        peak.map(|p| format!("{p:.0}"))
            .unwrap_or_else(|| "n/a".into()),
    );
    out.value(&v, &text)
}

fn check_imported(imported: u64, rows: u64) -> Result<(), ApiError> {
    if imported == rows {
        return Ok(());
    }
    Err(fail(
        "bench_wrong",
        format!("imported {imported} of {rows} rows"),
    ))
}

fn generate(count: u64, dir: Option<PathBuf>, out: &Out) -> Result<(), ApiError> {
    let (dir, _keep) = workdir(dir)?;
    let fill = format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count}) \
         INSERT OR IGNORE INTO codes SELECT hex(randomblob(6)) FROM n;"
    );
    let base = sqlite3(
        &dir.join("baseline.sqlite3"),
        &[
            "PRAGMA journal_mode=WAL; PRAGMA cache_size=-65536;",
            "CREATE TABLE codes (code TEXT NOT NULL UNIQUE);",
            &fill,
        ],
    )?;
    let db = dir.join("coupondesk.sqlite3");
    let _ = std::fs::remove_file(&db);
    let desk = Desk::open(&db).map_err(desk_err)?;
    desk.create_batch("BENCH", "bench").map_err(desk_err)?;
    let req = GenerateRequest {
        ticket_type: "BENCH".into(),
        count,
        length: None,
        prefix: None,
    };
    let start = Instant::now();
    let report = desk
        .generate_codes_unindexed(&req, &CancelToken::new(), &mut |_| {})
        .map_err(desk_err)?;
    let ours = start.elapsed();
    if report.batch.total_codes != count {
        return Err(fail(
            "bench_wrong",
            "the batch does not hold every generated code",
        ));
    }
    let v = json!({
        "count": count,
        "coupondesk_generate_s": secs(ours),
        "coupondesk_codes_per_s": rate(count, ours).round(),
        "sqlite3_random_insert_s": secs(base),
        "ratio_vs_sqlite3": (ours.as_secs_f64() / base.as_secs_f64() * 100.0).round() / 100.0,
    });
    let text = format!(
        "generate {count} codes\n  coupondesk          {:>8.3} s  {:>10.0} codes/s\n  sqlite3 random hex  {:>8.3} s  ratio {:.2}x",
        ours.as_secs_f64(),
        rate(count, ours),
        base.as_secs_f64(),
        ours.as_secs_f64() / base.as_secs_f64()
    );
    out.value(&v, &text)
}

/// p50, p99 and max of a set of durations, in milliseconds.
pub(crate) fn percentiles(mut v: Vec<Duration>) -> (f64, f64, f64) {
    v.sort();
    let at = |q: f64| {
        let i = ((v.len() as f64 - 1.0) * q).round() as usize;
        v.get(i).map(|d| d.as_secs_f64() * 1000.0).unwrap_or(0.0)
    };
    (at(0.5), at(0.99), at(1.0))
}

fn search(codes: u64, queries: usize, db: Option<PathBuf>, out: &Out) -> Result<(), ApiError> {
    let (dir, _keep) = workdir(None)?;
    let db = db.unwrap_or_else(|| dir.join("search.sqlite3"));
    let desk = Desk::open(&db).map_err(desk_err)?;
    let mut built = Duration::ZERO;
    if desk.get_batch("BENCH").is_err() {
        let start = Instant::now();
        bench_batch(&desk, codes)?;
        desk.build_search_index(&CancelToken::new())
            .map_err(desk_err)?;
        built = start.elapsed();
    }
    let total = desk.get_batch("BENCH").map_err(desk_err)?.total_codes;
    let pages = total.div_ceil(50).max(1);
    // Deterministic spread of pages and sample codes across the whole batch.
    let pick = |i: usize, n: u64| (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) % n;
    let query = |page: u64, search: Option<String>| CodeQuery {
        ticket_type: "BENCH".into(),
        status: None,
        search,
        page: PageRequest {
            page: page as u32,
            per_page: 50,
        },
    };
    let mut by_position = Vec::new();
    let mut samples = Vec::new();
    for i in 0..queries {
        let page = 1 + pick(i, pages);
        let start = Instant::now();
        let p = desk.list_codes(&query(page, None)).map_err(desk_err)?;
        by_position.push(start.elapsed());
        if let Some(c) = p.items.get(i % p.items.len().max(1)) {
            samples.push(c.code.clone());
        }
    }
    let mut by_substring = Vec::new();
    let mut cases = Vec::new();
    for (i, code) in samples.iter().enumerate() {
        let len = [3usize, 4, 6][i % 3];
        let from = i % (code.len() - len + 1);
        let needle = code[from..from + len].to_owned();
        let start = Instant::now();
        let p = desk
            .list_codes(&query(1, Some(needle.clone())))
            .map_err(desk_err)?;
        by_substring.push(start.elapsed());
        if !p.items.iter().any(|c| c.code.contains(&needle)) {
            return Err(fail(
                "bench_wrong",
                format!("search {needle} found nothing"),
            ));
        }
        cases.push(needle);
    }
    // Baseline: the naive full scan of the same table for a few of the same substrings.
    let conn_path = db.display().to_string();
    let mut naive = Vec::new();
    for needle in cases.iter().take(5) {
        let sql = format!(
            "SELECT id, code FROM codes WHERE code LIKE '%{needle}%' LIMIT 50; \
             SELECT count(*) FROM codes WHERE code LIKE '%{needle}%';"
        );
        let start = Instant::now();
        let st = Command::new("sqlite3")
            .arg(&conn_path)
            .arg(&sql)
            .stdout(std::process::Stdio::null())
            .status()
            .map_err(|e| fail("bench_baseline", e.to_string()))?;
        naive.push(start.elapsed());
        if !st.success() {
            return Err(fail("bench_baseline", "sqlite3 scan failed"));
        }
    }
    let (pp50, pp99, pmax) = percentiles(by_position);
    let (sp50, sp99, smax) = percentiles(by_substring);
    let (np50, _, nmax) = percentiles(naive);
    let v = json!({
        "codes": total,
        "build_s": secs(built),
        "position_page_ms": {"p50": pp50, "p99": pp99, "max": pmax},
        "substring_page_ms": {"p50": sp50, "p99": sp99, "max": smax},
        "naive_like_scan_ms": {"p50": np50, "max": nmax},
    });
    let text = format!(
        "pages of 50 among {total} codes ({queries} queries each{})\n  by position          p50 {pp50:.2} ms  p99 {pp99:.2} ms  max {pmax:.2} ms\n  by substring (3-6)   p50 {sp50:.2} ms  p99 {sp99:.2} ms  max {smax:.2} ms  (page + total count)\n  baseline LIKE scan   p50 {np50:.0} ms  max {nmax:.0} ms  (sqlite3, same table)",
        if built.is_zero() { String::new() } else { format!("; built in {:.1} s", built.as_secs_f64()) }
    );
    out.value(&v, &text)
}
