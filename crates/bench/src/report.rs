//! `bench report`: the manager's figures over N redemptions (issue 15: each query under
//! 300 ms over 1,000,000), beside the same figures computed straight from the redemption
//! table (a GROUP BY over its rows through its time index), in the same run.
//!
//! The shop (built once per --db): 20 cash templates, each linked to a batch of N/20
//! generated codes (12 characters, what the app makes), and one redemption of every code
//! over the last 90 days, in shop hours (10:00-22:00 in the shop's zone, UTC+08:00), by six
//! staff at three counters, orders of 50-500 yuan; one in fifty undone. The redemption rows
//! are written in bulk with SQL (the counter's own transaction, one by one, would take an
//! hour for a million); the rollup's triggers fire for each row as they do at the counter.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::{Duration as Days, Utc};
use coupondesk_core::domain::report::{DashboardQuery, GroupBy, ReportQuery, ReportRowsQuery};
use coupondesk_core::domain::PageRequest;
use coupondesk_core::generate::GenerateRequest;
use coupondesk_core::progress::CancelToken;
use coupondesk_core::{ApiError, Desk};
use rusqlite::params;
use serde_json::json;

use crate::bench::{desk_err, fail, percentiles, secs, workdir};
use crate::out::Out;

const TEMPLATES: u64 = 20;
const STAFF: [&str; 6] = ["王老板", "李店长", "小张", "小陈", "小刘", "小周"];
const TERMINALS: [&str; 3] = ["POS-1", "POS-2", "POS-3"];
const DAYS: i64 = 90;
/// Each query is timed this many times.
const RUNS: usize = 10;

fn sqlite(e: rusqlite::Error) -> ApiError {
    fail("bench_sqlite", e.to_string())
}

/// xorshift64*: the same shop from the same seed, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n.max(1)
    }
}

/// Builds the shop unless the database has it; returns how long that took.
fn build(desk: &Desk, db: &std::path::Path, n: u64, now_ms: i64) -> Result<Duration, ApiError> {
    if desk.get_batch("R0").is_ok() {
        return Ok(Duration::ZERO);
    }
    let start = Instant::now();
    let per = n.div_ceil(TEMPLATES);
    for t in 0..TEMPLATES {
        let ticket = format!("R{t}");
        desk.create_batch(&ticket, &format!("报表批次 {t}"))
            .map_err(desk_err)?;
        let req = GenerateRequest {
            ticket_type: ticket.clone(),
            count: per,
            length: None,
            prefix: None,
        };
        desk.generate_codes(&req, &CancelToken::new(), &mut |_| {})
            .map_err(desk_err)?;
        let mut draft = crate::redeem::bench_template();
        draft.title = format!("满100减20 第{t}号");
        let id = desk.create_template(draft).map_err(desk_err)?.id;
        desk.link_batch(id, &ticket).map_err(desk_err)?;
    }
    let mut conn = rusqlite::Connection::open(db).map_err(sqlite)?;
    conn.busy_timeout(Duration::from_secs(10)).map_err(sqlite)?;
    let tx = conn.transaction().map_err(sqlite)?;
    {
        let mut ins = tx
            .prepare(
                "INSERT INTO redemptions (code_id, template_id, prev_status, order_fen,
                   reduction_fen, operator, terminal, redeemed_at, undo_until)
                 SELECT c.id, b.template_id, 0, ?2, 2000, ?3, ?4, ?5, ?5 + 600000
                   FROM codes c JOIN batches b ON b.id = c.id >> 32 WHERE c.id = ?1",
            )
            .map_err(sqlite)?;
        let mut undo = tx
            .prepare("UPDATE redemptions SET undone_at = ?2, undone_by = ?3 WHERE id = ?1")
            .map_err(sqlite)?;
        let mut ids = tx
            .prepare("SELECT id FROM codes WHERE id >> 32 IN (SELECT id FROM batches WHERE ticket_type LIKE 'R%')")
            .map_err(sqlite)?;
        let code_ids: Vec<i64> = ids
            .query_map([], |r| r.get(0))
            .map_err(sqlite)?
            .collect::<Result<_, _>>()
            .map_err(sqlite)?;
        let mut rng = Rng(0x5EED_2026_1207_0015);
        let day_ms = 86_400_000_i64;
        // The shop's day starts at 16:00 UTC (UTC+08:00); its hours are 10:00-22:00.
        let today_start = (now_ms + 8 * 3_600_000).div_euclid(day_ms) * day_ms - 8 * 3_600_000;
        for id in code_ids {
            let day = rng.next(DAYS as u64) as i64;
            let at = today_start - day * day_ms + 10 * 3_600_000 + rng.next(12 * 3_600_000) as i64;
            let at = at.min(now_ms - 1000);
            let staff = STAFF[rng.next(STAFF.len() as u64) as usize];
            let terminal = TERMINALS[rng.next(TERMINALS.len() as u64) as usize];
            let order = 5_000 + rng.next(45_001) as i64;
            ins.execute(params![id, order, staff, terminal, at])
                .map_err(sqlite)?;
            if rng.next(50) == 0 {
                undo.execute(params![tx.last_insert_rowid(), at + 60_000, staff])
                    .map_err(sqlite)?;
            }
        }
    }
    tx.commit().map_err(sqlite)?;
    Ok(start.elapsed())
}

/// Runs `f` `RUNS` times: p50 and max in ms, and the last answer.
fn time<T>(mut f: impl FnMut() -> Result<T, ApiError>) -> Result<(f64, f64, T), ApiError> {
    let mut times = Vec::with_capacity(RUNS);
    let mut last = None;
    for _ in 0..RUNS {
        let start = Instant::now();
        last = Some(f()?);
        times.push(start.elapsed());
    }
    let (p50, _, max) = percentiles(times);
    last.map(|v| (p50, max, v))
        .ok_or_else(|| fail("bench_wrong", "no run"))
}

fn query(days: i64, by: GroupBy) -> ReportQuery {
    let today = (Utc::now() + Days::hours(8)).date_naive();
    ReportQuery {
        from: today - Days::days(days - 1),
        to: today,
        group_by: by,
        staff: None,
        terminal: None,
        template_id: None,
        batch: None,
        kind: None,
    }
}

pub fn run(n: u64, db: Option<PathBuf>, out: &Out) -> Result<(), ApiError> {
    let (dir, _keep) = workdir(None)?;
    let db = db.unwrap_or_else(|| dir.join("report.sqlite3"));
    let desk = Desk::open(&db).map_err(desk_err)?;
    let mut s = desk.settings().map_err(desk_err)?;
    s.shop_utc_offset_minutes = 480;
    desk.save_settings(s).map_err(desk_err)?;
    let now = Utc::now();
    let built = build(&desk, &db, n, now.timestamp_millis())?;
    let raw = rusqlite::Connection::open(&db).map_err(sqlite)?;
    let live: i64 = raw
        .query_row(
            "SELECT count(*) FROM redemptions WHERE undone_at IS NULL",
            [],
            |r| r.get(0),
        )
        .map_err(sqlite)?;

    let mut lines = vec![format!(
        "{live} live redemptions over {DAYS} days (built in {:.1} s); each query {RUNS} times, p50 / max",
    built.as_secs_f64()
    )];
    let mut rows = Vec::new();
    let mut record = |label: &str, ours: (f64, f64), base: Option<(f64, f64)>| {
        let base_text = base
            .map(|(p50, max)| {
                format!("   baseline (GROUP BY over the rows) {p50:>9.1} / {max:>9.1} ms")
            })
            .unwrap_or_default();
        lines.push(format!(
            "  {label:<44} {:>7.1} / {:>7.1} ms{base_text}",
            ours.0, ours.1
        ));
        rows.push(json!({"query": label, "p50_ms": ours.0, "max_ms": ours.1,
                         "baseline_p50_ms": base.map(|b| b.0), "baseline_max_ms": base.map(|b| b.1)}));
    };

    let (p50, max, d) = time(|| {
        desk.dashboard_at(&DashboardQuery { days: 30 }, now)
            .map_err(desk_err)
    })?;
    let dash_count = d.windows.last().map(|w| w.all.count).unwrap_or(0);
    record(
        "dashboard (30 days: windows, trend, 4 breakdowns, hours, alerts)",
        (p50, max),
        None,
    );

    // The same figures straight from the rows, through the time index.
    let base = |sql: &str, days: i64| -> Result<(f64, f64), ApiError> {
        let from = (now - Days::days(days)).timestamp_millis();
        let (p50, max, _) = time(|| {
            let mut st = raw.prepare_cached(sql).map_err(sqlite)?;
            let n: Vec<i64> = st
                .query_map(params![from, 8 * 3_600_000], |r| r.get(1))
                .map_err(sqlite)?
                .collect::<Result<_, _>>()
                .map_err(sqlite)?;
            Ok(n.len())
        })?;
        Ok((p50, max))
    };
    for (label, days, by, sql) in [
        (
            "report by day, 30 days",
            30,
            GroupBy::Day,
            "SELECT (redeemed_at + ?2) / 86400000, count(*), sum(reduction_fen), sum(order_fen)
               FROM redemptions WHERE undone_at IS NULL AND redeemed_at >= ?1 GROUP BY 1",
        ),
        (
            "report by template, 90 days",
            90,
            GroupBy::Template,
            "SELECT template_id, count(*), sum(reduction_fen), sum(order_fen) + ?2 * 0
               FROM redemptions WHERE undone_at IS NULL AND redeemed_at >= ?1 GROUP BY 1",
        ),
        (
            "report by staff, 90 days",
            90,
            GroupBy::Staff,
            "SELECT operator, count(*), sum(reduction_fen), sum(order_fen) + ?2 * 0
               FROM redemptions WHERE undone_at IS NULL AND redeemed_at >= ?1 GROUP BY 1",
        ),
    ] {
        let q = query(days, by);
        let (p50, max, r) = time(|| desk.report_redemptions(&q).map_err(desk_err))?;
        if by != GroupBy::Day && r.total.count != live {
            return Err(fail(
                "bench_wrong",
                format!(
                    "{label}: {} uses counted, {live} in the table",
                    r.total.count
                ),
            ));
        }
        record(label, (p50, max), Some(base(sql, days + 1)?));
    }
    let mut by_staff = query(90, GroupBy::Day);
    by_staff.staff = Some(STAFF[2].into());
    by_staff.terminal = Some(TERMINALS[1].into());
    let (p50, max, _) = time(|| desk.report_redemptions(&by_staff).map_err(desk_err))?;
    record(
        "report by day, 90 days, one staff at one counter",
        (p50, max),
        None,
    );
    for (label, group, page) in [
        ("rows, 90 days, page 1 of 50", None, 1),
        ("rows, 90 days, page 200 of 50", None, 200),
        (
            "rows of one staff member, page 1 of 50",
            Some(STAFF[3].to_string()),
            1,
        ),
    ] {
        let q = ReportRowsQuery {
            report: query(90, GroupBy::Staff),
            group,
            page: PageRequest { page, per_page: 50 },
        };
        let (p50, max, _) = time(|| desk.report_rows(&q).map_err(desk_err))?;
        record(label, (p50, max), None);
    }
    let v = json!({
        "live_redemptions": live,
        "dashboard_30_day_count": dash_count,
        "built_s": secs(built),
        "queries": rows,
    });
    out.value(&v, &lines.join("\n"))
}
