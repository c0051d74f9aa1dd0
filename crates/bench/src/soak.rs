//! `bench startup --soak-minutes N`: the window in use for N minutes, as a shop uses it,
//! with its tree's memory read once a minute (idle on the batches page each time), so
//! growth shows as a trend. Each round, logged in as the demo's owner: every list page in
//! turn, an import of 2,000 new codes through the batch page's import dialog (the CSV
//! under the window's Documents folder), and two redemptions of SPRING2026 codes (满100减20,
//! a ¥150 order) at the counter page: check, then redeem.

use std::path::Path;
use std::time::{Duration, Instant};

use acceptance::app::Driver;
use acceptance::staff::log_in;
use acceptance::webdriver::{Session, WdResult};
use coupondesk_core::domain::lifecycle::CodeStatus;
use coupondesk_core::domain::PageRequest;
use coupondesk_core::store::codes::CodeQuery;
use coupondesk_core::{ApiError, Desk};
use serde_json::{json, Value};

use crate::bench::{desk_err, fail};
use crate::startup::{app_tree, first_table};
use crate::startup_db::{write_codes, OWNER};

const WAIT: Duration = Duration::from_secs(60);
const ENTER: &str = "\u{E007}";
/// The list pages each round visits (the top bar's links).
const PAGES: [&str; 8] = [
    "templates",
    "bonuses",
    "vouchers",
    "customers",
    "sync",
    "audit",
    "redeem",
    "batches",
];
/// The demo's empty batch: every round's import goes into it.
const IMPORT_BATCH: &str = "AVD1KYBW8002";

pub fn run(app: &Path, db: &Path, minutes: u64) -> Result<Value, ApiError> {
    let mut codes = redeemable(db)?.into_iter();
    let driver = Driver::start().map_err(|e| fail("bench_driver", e))?;
    let session = driver
        .open_binary(app, &["--db".to_owned(), db.display().to_string()])
        .map_err(|e| fail("bench_driver", e))?;
    let result = drive(&session, &driver, db, minutes, &mut codes);
    session.close();
    result
}

fn drive(
    s: &Session,
    driver: &Driver,
    db: &Path,
    minutes: u64,
    codes: &mut impl Iterator<Item = String>,
) -> Result<Value, ApiError> {
    let wd = |e: String| fail("bench_driver", e);
    first_table(s, WAIT)?;
    log_in(s, OWNER.0, OWNER.1).map_err(wd)?;
    let mut samples = vec![sample(s, db, 0, 0)?];
    let start = Instant::now();
    let mut rounds = 0u64;
    for minute in 1..=minutes {
        while start.elapsed() < Duration::from_secs(60 * minute) {
            rounds += 1;
            round(s, driver, rounds, codes).map_err(wd)?;
        }
        samples.push(sample(s, db, minute, rounds)?);
        eprintln!("startup soak: {}", samples.last().unwrap_or(&Value::Null));
    }
    let first = &samples[0];
    let last = &samples[samples.len() - 1];
    Ok(json!({
        "minutes": minutes,
        "rounds": rounds,
        "codes_imported": rounds * 2000,
        "redemptions": rounds * 2,
        "pss_mib_start": first["pss_mib"],
        "pss_mib_end": last["pss_mib"],
        "anon_mib_start": first["anon_mib"],
        "anon_mib_end": last["anon_mib"],
        // "No growth" (issue 14's target): the last 10 minutes' slope under 0.5 MiB/min.
        "pss_slope_last10_mib_per_min": slope(&samples, "pss_mib", 10),
        "anon_slope_last10_mib_per_min": slope(&samples, "anon_mib", 10),
        "samples": samples,
    }))
}

/// The least-squares slope (MiB per minute) of `key` over the last `n` minutes' samples
/// (n + 1 samples, or all of them in a shorter run), rounded to 0.01; None with under two.
fn slope(samples: &[Value], key: &str, n: usize) -> Option<f64> {
    let points: Vec<(f64, f64)> = samples[samples.len().saturating_sub(n + 1)..]
        .iter()
        .filter_map(|s| Some((s["minute"].as_f64()?, s[key].as_f64()?)))
        .collect();
    if points.len() < 2 {
        return None;
    }
    let count = points.len() as f64;
    let (mx, my) = points
        .iter()
        .fold((0.0, 0.0), |(x, y), p| (x + p.0 / count, y + p.1 / count));
    let (num, den) = points.iter().fold((0.0, 0.0), |(n, d), p| {
        (n + (p.0 - mx) * (p.1 - my), d + (p.0 - mx) * (p.0 - mx))
    });
    Some((num / den * 100.0).round() / 100.0)
}

/// The tree's memory after 3 s idle on the batches page.
fn sample(s: &Session, db: &Path, minute: u64, rounds: u64) -> Result<Value, ApiError> {
    click(s, "nav-batches").map_err(|e| fail("bench_driver", e))?;
    std::thread::sleep(Duration::from_secs(3));
    // The live DOM's size: a page that leaves nodes behind shows here, apart from memory.
    let dom_nodes = s
        .execute(
            "return document.getElementsByTagName('*').length;",
            json!([]),
        )
        .map_err(|e| fail("bench_driver", e))?;
    let tree = app_tree(db)?;
    let (pss, anon) = crate::proc_mem::totals(&tree);
    let each: Vec<Value> = tree
        .iter()
        .map(|m| json!([m.name, m.pss_kib / 1024, m.anon_kib / 1024]))
        .collect();
    Ok(json!({
        "minute": minute,
        "rounds": rounds,
        "pss_mib": pss / 1024,
        "anon_mib": anon / 1024,
        "dom_nodes": dom_nodes,
        "processes": each,
    }))
}

fn round(
    s: &Session,
    driver: &Driver,
    n: u64,
    codes: &mut impl Iterator<Item = String>,
) -> WdResult<()> {
    for page in PAGES {
        click(s, &format!("nav-{page}"))?;
        std::thread::sleep(Duration::from_millis(300));
    }
    import(s, driver, n)?;
    click(s, "nav-redeem")?;
    for _ in 0..2 {
        let code = codes
            .next()
            .ok_or("no SPRING2026 code left to redeem: run fewer minutes")?;
        set(s, "redeem-amount", "150")?;
        set(s, "redeem-code", &format!("{code}{ENTER}"))?;
        verdict(s, "ok")?;
        s.type_text(&s.testid("redeem-code")?, ENTER)?;
        verdict(s, "redeemed")?;
    }
    Ok(())
}

/// 2,000 new codes into IMPORT_BATCH through its import dialog.
fn import(s: &Session, driver: &Driver, n: u64) -> WdResult<()> {
    let csv = driver.documents().join(format!("soak-{n}.csv"));
    write_codes(&csv, 2000, 0xC0DE_0000 + n).map_err(|e| e.message)?;
    s.execute(
        "location.hash = arguments[0];",
        json!([format!("#/batch/{IMPORT_BATCH}")]),
    )?;
    click(s, "import-open")?;
    set(s, "import-path", &csv.display().to_string())?;
    click(s, "import-preview-load")?;
    s.wait_for("[data-testid=\"import-preview-table\"]", WAIT)?;
    click(s, "import-start")?;
    s.wait_for("[data-testid=\"import-result\"]", WAIT)?;
    click(s, "import-close")?;
    let _ = std::fs::remove_file(&csv);
    Ok(())
}

fn click(s: &Session, id: &str) -> WdResult<()> {
    let e = s.wait_for(&format!("[data-testid=\"{id}\"]"), WAIT)?;
    s.click(&e)
}

fn set(s: &Session, id: &str, text: &str) -> WdResult<()> {
    let e = s.wait_for(&format!("[data-testid=\"{id}\"]"), WAIT)?;
    s.clear(&e)?;
    s.type_text(&e, text)
}

fn verdict(s: &Session, want: &str) -> WdResult<()> {
    s.wait_until(&format!("verdict {want}"), WAIT, |s| {
        match s.find_all("[data-testid=\"redeem-verdict\"]")?.first() {
            Some(e) => Ok((s.attribute(e, "data-reason")?.as_deref() == Some(want)).then_some(())),
            None => Ok(None),
        }
    })
}

/// SPRING2026's codes that are not used or disabled, read before the window opens.
fn redeemable(db: &Path) -> Result<Vec<String>, ApiError> {
    let desk = Desk::open(db).map_err(desk_err)?;
    let mut out = Vec::new();
    for status in [CodeStatus::Issued, CodeStatus::Active] {
        for page in 1.. {
            let q = CodeQuery {
                ticket_type: "SPRING2026".into(),
                status: Some(status),
                search: None,
                page: PageRequest {
                    page,
                    per_page: 100,
                },
            };
            let got = desk.list_codes(&q).map_err(desk_err)?;
            if got.items.is_empty() {
                break;
            }
            out.extend(got.items.into_iter().map(|r| r.code));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slope_is_over_the_last_minutes_only() {
        // Growth of 10 MiB/min for 5 minutes, then flat for 10.
        let samples: Vec<Value> = (0..=15u64)
            .map(|m| json!({"minute": m, "anon_mib": 100 + 10 * m.min(5)}))
            .collect();
        assert_eq!(slope(&samples, "anon_mib", 10), Some(0.0));
        assert_eq!(slope(&samples[..6], "anon_mib", 10), Some(10.0));
        assert_eq!(slope(&samples[..1], "anon_mib", 10), None);
    }
}
