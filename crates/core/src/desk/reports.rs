//! Use cases of the manager's view: the redemption report, the uses behind it, and the
//! dashboard. Reads: a logged-in staff member needs `Permission::Reports` (a cashier sees
//! none of the shop's takings); days are the shop's (its zone in the settings).

use std::path::Path;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Utc};
use rusqlite::Connection;

use super::bonuses::table_file;
use super::{Desk, DeskResult};
use crate::domain::money::format_yuan;
use crate::domain::report::{
    self, Alert, Dashboard, DashboardQuery, DashboardWindow, DayFigures, Figures, GroupBy, Report,
    ReportQuery, ReportRow, ReportRowsQuery, UseKind, ENDING_DAYS,
};
use crate::domain::staff::Permission;
use crate::domain::Page;
use crate::export::{col, Column, ExportOptions, ExportReport, Kind, Word};
use crate::store;
use crate::store::reports::{self, Filter};
use crate::store::settings;

/// The report file's columns: a group, its figures; the total last.
const REPORT_COLUMNS: [Column; 5] = [
    col(Word::GroupKey, Kind::Text),
    col(Word::Group, Kind::Text),
    col(Word::Uses, Kind::Number),
    col(Word::DiscountYuan, Kind::Money),
    col(Word::OrderYuan, Kind::Money),
];

/// The dashboard's head: today, 7 and 30 days. Its trend covers the longest.
const WINDOWS: [u32; 3] = [1, 7, 30];

impl Desk {
    /// The shop's redemptions (coupons, bonuses, vouchers) over its days `from..=to`,
    /// filtered and grouped as asked, with totals.
    pub fn report_redemptions(&self, q: &ReportQuery) -> DeskResult<Report> {
        self.read_as_viewer(Permission::Reports)?;
        let conn = self.conn();
        let f = filter(&conn, q)?;
        let (groups, total) = reports::report(&conn, &f, q.group_by)?;
        Ok(Report {
            query: q.clone(),
            groups,
            total,
        })
    }

    /// The report's groups and its total (the last line, labelled 合计 / Total) as a CSV
    /// or XLSX file in `opts`' language; money in yuan. The same figures as
    /// `report_redemptions` (it is asked for here), so a file never says other than the page.
    pub fn export_report(
        &self,
        q: &ReportQuery,
        out: &Path,
        opts: &ExportOptions,
    ) -> DeskResult<ExportReport> {
        let _who = self.act(Permission::Export)?;
        let r = self.report_redemptions(q)?;
        let conn = store::open(&self.path)?;
        let (mut file, _zone) = table_file(&conn, out, opts, &REPORT_COLUMNS)?;
        let total = (
            String::new(),
            Word::Total.text(opts.lang).to_owned(),
            r.total,
        );
        for (key, label, f) in r
            .groups
            .iter()
            .map(|g| (g.key.clone(), g.label.clone(), g.figures))
            .chain(std::iter::once(total))
        {
            file.row(&[
                &key,
                &label,
                &f.count.to_string(),
                &format_yuan(f.discount_fen),
                &format_yuan(f.order_fen),
            ])?;
        }
        let report = file.finish()?;
        self.audited_export("report.export", "redemptions", report)
    }

    /// One page of the uses a report (or one of its groups) counts, newest first.
    pub fn report_rows(&self, q: &ReportRowsQuery) -> DeskResult<Page<ReportRow>> {
        self.read_as_viewer(Permission::Reports)?;
        let page = q.page.validated()?;
        let narrowed = match &q.group {
            Some(key) => narrow(&q.report, key),
            None => q.report.clone(),
        };
        if narrowed.from > narrowed.to {
            // A day group outside the report's days: nothing behind it.
            return Ok(Page::new(Vec::new(), page, 0));
        }
        let conn = self.conn();
        let f = filter(&conn, &narrowed)?;
        let (items, total) = reports::rows(&conn, &f, page)?;
        Ok(Page::new(items, page, total))
    }

    /// The dashboard as of now.
    pub fn dashboard(&self, q: &DashboardQuery) -> DeskResult<Dashboard> {
        self.dashboard_at(q, Utc::now())
    }

    /// The dashboard as of `now` (tests and the benchmark set the clock).
    pub fn dashboard_at(&self, q: &DashboardQuery, now: DateTime<Utc>) -> DeskResult<Dashboard> {
        self.read_as_viewer(Permission::Reports)?;
        let days = q.days.clamp(1, 30);
        let conn = self.conn();
        let zone = zone(&conn)?;
        let today = now.with_timezone(&zone).date_naive();
        let longest = WINDOWS[WINDOWS.len() - 1];
        let first = days_before(today, longest);
        let per_day = reports::by_day_and_kind(&conn, &filter(&conn, &range(first, today))?)?;
        let windows = WINDOWS
            .iter()
            .map(|&n| window(&per_day, n, today))
            .collect();
        let trend = (0..longest)
            .map(|i| {
                let day = first + Duration::days(i64::from(i));
                let mut figures = Figures::default();
                for (_, _, f) in per_day.iter().filter(|(d, _, _)| *d == day) {
                    figures.add(*f);
                }
                DayFigures { day, figures }
            })
            .collect();
        let span = filter(&conn, &range(days_before(today, days), today))?;
        let by = |g| reports::report(&conn, &span, g).map(|(groups, _)| groups);
        Ok(Dashboard {
            today,
            windows,
            trend,
            days,
            by_template: by(GroupBy::Template)?,
            by_batch: by(GroupBy::Batch)?,
            by_staff: by(GroupBy::Staff)?,
            by_terminal: by(GroupBy::Terminal)?,
            by_hour: reports::by_hour(&conn, &span)?,
            alerts: alerts(&conn, now)?,
        })
    }
}

pub(super) fn zone(conn: &Connection) -> DeskResult<FixedOffset> {
    Ok(settings::clock(&settings::get(conn)?).offset)
}

pub(super) fn filter(conn: &Connection, q: &ReportQuery) -> DeskResult<Filter> {
    let zone = zone(conn)?;
    let days = report::days(q.from, q.to)?;
    Ok(Filter::new(conn, q, days, zone)?)
}

/// Every use over the days `from..=to`.
pub(super) fn range(from: NaiveDate, to: NaiveDate) -> ReportQuery {
    ReportQuery {
        from,
        to,
        group_by: GroupBy::Kind,
        staff: None,
        terminal: None,
        template_id: None,
        batch: None,
        kind: None,
    }
}

/// The first of the `n` days ending with `today`.
fn days_before(today: NaiveDate, n: u32) -> NaiveDate {
    today - Duration::days(i64::from(n.max(1)) - 1)
}

fn window(per_day: &[(NaiveDate, UseKind, Figures)], n: u32, today: NaiveDate) -> DashboardWindow {
    let from = days_before(today, n);
    let mut w = DashboardWindow {
        days: n,
        from,
        all: Figures::default(),
        coupons: Figures::default(),
        bonuses: Figures::default(),
        vouchers: Figures::default(),
    };
    for (_, kind, f) in per_day.iter().filter(|(d, _, _)| *d >= from && *d <= today) {
        w.all.add(*f);
        match kind {
            UseKind::Coupon => w.coupons.add(*f),
            UseKind::Bonus => w.bonuses.add(*f),
            UseKind::Voucher => w.vouchers.add(*f),
        }
    }
    w
}

/// The report narrowed to one of its groups (`key` as the report gave it).
fn narrow(q: &ReportQuery, key: &str) -> ReportQuery {
    let mut n = q.clone();
    let kind = key
        .strip_prefix("kind:")
        .and_then(|k| UseKind::ALL.into_iter().find(|u| u.as_str() == k));
    match (q.group_by, kind) {
        (GroupBy::Template | GroupBy::Batch, Some(kind)) => n.kind = Some(kind),
        (GroupBy::Template, None) => n.template_id = Some(key.parse().unwrap_or(-1)),
        (GroupBy::Batch, None) => n.batch = Some(key.to_owned()),
        (GroupBy::Day, _) => {
            if let Ok(day) = NaiveDate::parse_from_str(key, "%Y-%m-%d") {
                n.from = day.max(q.from);
                n.to = day.min(q.to);
            }
        }
        (GroupBy::Staff, _) => n.staff = Some(key.to_owned()),
        (GroupBy::Terminal, _) => n.terminal = Some(key.to_owned()),
        (GroupBy::Kind, _) => {
            n.kind = UseKind::ALL.into_iter().find(|u| u.as_str() == key);
        }
    }
    n
}

fn alerts(conn: &Connection, now: DateTime<Utc>) -> DeskResult<Vec<Alert>> {
    let mut out = Vec::new();
    for (template_id, title, left, quantity) in reports::stock_low(conn, now)? {
        out.push(Alert::StockLow {
            template_id,
            title,
            left,
            quantity,
        });
    }
    for (template_id, title, ends_at) in
        reports::ending(conn, now, now + Duration::days(ENDING_DAYS))?
    {
        out.push(Alert::TemplateEnding {
            template_id,
            title,
            ends_at,
        });
    }
    let count = reports::conflicts_waiting(conn)?;
    if count > 0 {
        out.push(Alert::SyncConflicts { count });
    }
    Ok(out)
}
