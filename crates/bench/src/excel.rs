//! Excel both ways (issue 15), each beside CSV measured in the same run on the same codes:
//! - `export`: a batch of N realistic codes exported as CSV, then as XLSX (target: XLSX
//!   within 3x CSV), each with the process's peak RSS during that export alone;
//! - `import-xlsx`: the same N codes imported searchable from CSV, then from an XLSX
//!   holding them (target: within 3x), each into a fresh database, with peak RSS.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use coupondesk_core::export::{ExportFormat, ExportOptions, Lang};
use coupondesk_core::import::ImportTarget;
use coupondesk_core::progress::CancelToken;
use coupondesk_core::{ApiError, Desk};
use serde_json::json;

use crate::bench::{
    desk_err, fail, import_csv, peak_rss_mib, reset_peak_rss, secs, workdir, write_csv,
};
use crate::out::Out;

const SEED: u64 = 0x5EED_C0DE_2026_1207;

/// One timed step and the peak RSS (MiB) it reached.
struct Step {
    took: Duration,
    peak_mib: Option<f64>,
}

fn measured(work: impl FnOnce() -> Result<u64, ApiError>, rows: u64) -> Result<Step, ApiError> {
    reset_peak_rss();
    let start = Instant::now();
    let done = work()?;
    let took = start.elapsed();
    if done != rows {
        return Err(fail("bench_wrong", format!("{done} rows of {rows}")));
    }
    Ok(Step {
        took,
        peak_mib: peak_rss_mib(),
    })
}

fn fresh(dir: &Path, name: &str) -> Result<Desk, ApiError> {
    let db = dir.join(name);
    let _ = std::fs::remove_file(&db);
    Desk::open(&db).map_err(desk_err)
}

fn import(desk: &Desk, file: &Path) -> Result<u64, ApiError> {
    let target = ImportTarget::New {
        ticket_type: "BENCH".into(),
        name: "bench".into(),
    };
    let r = import_csv(desk, file, &target)?;
    Ok(r.imported)
}

fn export(desk: &Desk, out: &Path, format: ExportFormat) -> Result<u64, ApiError> {
    let opts = ExportOptions {
        lang: Lang::ZhCn,
        format: Some(format),
    };
    let r = desk
        .export_codes("BENCH", out, &opts, &CancelToken::new(), &mut |_| {})
        .map_err(desk_err)?;
    Ok(r.rows)
}

fn ratio(d: Duration, base: Duration) -> f64 {
    (d.as_secs_f64() / base.as_secs_f64().max(1e-9) * 100.0).round() / 100.0
}

fn mib(p: Option<f64>) -> serde_json::Value {
    json!(p.map(|p| p.round()))
}

fn mib_text(p: Option<f64>) -> String {
    p.map(|p| format!("{p:.0} MiB"))
        .unwrap_or_else(|| "n/a".into())
}

fn file_mib(p: &Path) -> f64 {
    std::fs::metadata(p).map(|m| m.len()).unwrap_or(0) as f64 / (1024.0 * 1024.0)
}

/// A batch of `rows` codes, exported as CSV then as XLSX.
pub fn export_bench(rows: u64, dir: Option<PathBuf>, out: &Out) -> Result<(), ApiError> {
    let (dir, _keep) = workdir(dir)?;
    let csv_in = dir.join("codes.csv");
    write_csv(&csv_in, rows, SEED)?;
    let desk = fresh(&dir, "export.sqlite3")?;
    if import(&desk, &csv_in)? != rows {
        return Err(fail("bench_wrong", "the batch is not complete"));
    }
    let (csv_out, xlsx_out) = (dir.join("export.csv"), dir.join("export.xlsx"));
    let csv = measured(|| export(&desk, &csv_out, ExportFormat::Csv), rows)?;
    let xlsx = measured(|| export(&desk, &xlsx_out, ExportFormat::Xlsx), rows)?;
    let v = json!({
        "rows": rows,
        "csv_export_s": secs(csv.took),
        "xlsx_export_s": secs(xlsx.took),
        "xlsx_ratio_vs_csv": ratio(xlsx.took, csv.took),
        "csv_peak_rss_mib": mib(csv.peak_mib),
        "xlsx_peak_rss_mib": mib(xlsx.peak_mib),
        "csv_file_mib": (file_mib(&csv_out) * 10.0).round() / 10.0,
        "xlsx_file_mib": (file_mib(&xlsx_out) * 10.0).round() / 10.0,
    });
    let text = format!(
        "export of a batch of {rows} codes (12 random A-Z0-9), zh-CN headers\n  \
         CSV   {:>8.3} s  peak RSS {}  file {:.1} MiB\n  \
         XLSX  {:>8.3} s  peak RSS {}  file {:.1} MiB  ratio {:.2}x CSV (target 3x)",
        csv.took.as_secs_f64(),
        mib_text(csv.peak_mib),
        file_mib(&csv_out),
        xlsx.took.as_secs_f64(),
        mib_text(xlsx.peak_mib),
        file_mib(&xlsx_out),
        ratio(xlsx.took, csv.took),
    );
    out.value(&v, &text)
}

/// The same `rows` codes imported searchable from CSV, then from XLSX.
pub fn import_xlsx_bench(rows: u64, dir: Option<PathBuf>, out: &Out) -> Result<(), ApiError> {
    let (dir, _keep) = workdir(dir)?;
    let csv_in = dir.join("codes.csv");
    write_csv(&csv_in, rows, SEED)?;
    // The XLSX of the same codes, as CouponDesk writes it (one sheet, a header row).
    let xlsx_in = dir.join("codes.xlsx");
    {
        let desk = fresh(&dir, "source.sqlite3")?;
        import(&desk, &csv_in)?;
        export(&desk, &xlsx_in, ExportFormat::Xlsx)?;
    }
    let from_csv = fresh(&dir, "from-csv.sqlite3")?;
    let csv = measured(|| import(&from_csv, &csv_in), rows)?;
    drop(from_csv);
    let from_xlsx = fresh(&dir, "from-xlsx.sqlite3")?;
    let xlsx = measured(|| import(&from_xlsx, &xlsx_in), rows)?;
    let v = json!({
        "rows": rows,
        "csv_import_searchable_s": secs(csv.took),
        "xlsx_import_searchable_s": secs(xlsx.took),
        "xlsx_ratio_vs_csv": ratio(xlsx.took, csv.took),
        "csv_peak_rss_mib": mib(csv.peak_mib),
        "xlsx_peak_rss_mib": mib(xlsx.peak_mib),
        "xlsx_file_mib": (file_mib(&xlsx_in) * 10.0).round() / 10.0,
    });
    let text = format!(
        "import of {rows} codes (12 random A-Z0-9), searchable when it returns\n  \
         from CSV   {:>8.3} s  peak RSS {}\n  \
         from XLSX  {:>8.3} s  peak RSS {}  file {:.1} MiB  ratio {:.2}x CSV (target 3x)",
        csv.took.as_secs_f64(),
        mib_text(csv.peak_mib),
        xlsx.took.as_secs_f64(),
        mib_text(xlsx.peak_mib),
        file_mib(&xlsx_in),
        ratio(xlsx.took, csv.took),
    );
    out.value(&v, &text)
}
