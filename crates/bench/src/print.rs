//! `coupondesk-bench print`: N codes (12 random A-Z0-9 characters, a batch linked to a
//! template with a Chinese title) as a PDF of 3 × 8 QR labels, beside the CSV export of
//! the same codes in the same run. Issue 15's target: 10,000 codes under 5 s.

use std::path::PathBuf;
use std::time::Instant;

use coupondesk_core::domain::print::{LabelLayout, LabelSymbol, PrintLang, PrintRequest};
use coupondesk_core::export::ExportOptions;
use coupondesk_core::progress::CancelToken;
use coupondesk_core::{ApiError, Desk};
use serde_json::json;

use crate::bench::{bench_batch, desk_err, fail, peak_rss_mib, reset_peak_rss, secs, workdir};
use crate::out::Out;

pub fn run(codes: u64, dir: Option<PathBuf>, out: &Out) -> Result<(), ApiError> {
    let (dir, _keep) = workdir(dir)?;
    let db = dir.join("print.sqlite3");
    let _ = std::fs::remove_file(&db);
    let desk = Desk::open(&db).map_err(desk_err)?;
    bench_batch(&desk, codes)?;
    let mut draft = crate::redeem::bench_template();
    draft.title = "双十二满100减20".into();
    let id = desk.create_template(draft).map_err(desk_err)?.id;
    desk.link_batch(id, "BENCH").map_err(desk_err)?;

    let csv = dir.join("codes.csv");
    let start = Instant::now();
    let exported = desk
        .export_codes(
            "BENCH",
            &csv,
            &ExportOptions::default(),
            &CancelToken::new(),
            &mut |_| {},
        )
        .map_err(desk_err)?;
    let csv_time = start.elapsed();

    let mut timed = Vec::new();
    for symbol in [LabelSymbol::Qr, LabelSymbol::Code128] {
        let pdf = dir.join(format!("labels-{}.pdf", symbol.as_str()));
        let req = PrintRequest {
            ticket_type: "BENCH".into(),
            layout: LabelLayout::L3x8,
            symbol,
            codes: None,
            lang: PrintLang::ZhCn,
        };
        reset_peak_rss();
        let start = Instant::now();
        let r = desk
            .print_codes(&req, &pdf, &CancelToken::new(), &mut |_| {})
            .map_err(desk_err)?;
        let took = start.elapsed();
        if r.rows != codes || exported.rows != codes {
            return Err(fail(
                "bench_wrong",
                "not every code was printed and exported",
            ));
        }
        let bytes = std::fs::metadata(&pdf).map(|m| m.len()).unwrap_or(0);
        timed.push((symbol, took, bytes, peak_rss_mib().unwrap_or(0.0)));
    }
    let pages = codes.div_ceil(LabelLayout::L3x8.per_page() as u64);
    let v = json!({
        "codes": codes,
        "pages": pages,
        "csv_export_s": secs(csv_time),
        "pdf": timed.iter().map(|(s, d, b, m)| json!({
            "symbol": s.as_str(),
            "seconds": secs(*d),
            "bytes": b,
            "peak_rss_mib": m.round(),
            "ratio_vs_csv": (d.as_secs_f64() / csv_time.as_secs_f64().max(1e-9) * 10.0).round() / 10.0,
        })).collect::<Vec<_>>(),
    });
    let mut text = format!(
        "print {codes} codes on {pages} A4 pages (3x8)\n  csv export (baseline) {:>8.3} s",
        csv_time.as_secs_f64()
    );
    for (s, d, b, m) in &timed {
        text.push_str(&format!(
            "\n  pdf {:<8}          {:>8.3} s  {:>6.1} MB  peak RSS {:.0} MiB  ratio {:.1}x",
            s.as_str(),
            d.as_secs_f64(),
            *b as f64 / 1e6,
            m,
            d.as_secs_f64() / csv_time.as_secs_f64().max(1e-9)
        ));
    }
    out.value(&v, &text)
}
