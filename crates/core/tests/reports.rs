//! The manager's figures on a real SQLite file: the report's groups and totals against the
//! redemption tables themselves, the shop's days in a zone half an hour off the hour,
//! undo, bonuses and vouchers, the rows behind each group, and the dashboard.

mod common;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, TimeZone, Utc};
use common::{bonus_draft, cash, fixture, Fixture};
use coupondesk_core::domain::bonus::BonusRedeemRequest;
use coupondesk_core::domain::redeem::RedeemRequest;
use coupondesk_core::domain::report::{
    Alert, DashboardQuery, Figures, GroupBy, ReportQuery, ReportRowsQuery, UseKind,
};
use coupondesk_core::domain::staff::{Role, StaffDraft};
use coupondesk_core::domain::voucher::VoucherDraft;
use coupondesk_core::domain::PageRequest;
use coupondesk_core::export::{ExportOptions, Lang};
use coupondesk_core::store::redemptions::{self, UndoTarget};
use coupondesk_core::{store, ErrorCode};

/// UTC+09:30: a shop day starts at 14:30 UTC, so a day and a UTC day never coincide.
const OFFSET_MINUTES: i32 = 570;

fn zone() -> FixedOffset {
    FixedOffset::east_opt(OFFSET_MINUTES * 60).expect("zone")
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("day")
}

/// The shop's local time `h:m` on `d`, as an instant.
fn local(d: &str, h: u32, m: u32) -> DateTime<Utc> {
    zone()
        .from_local_datetime(&day(d).and_hms_opt(h, m, 0).expect("time"))
        .single()
        .expect("one instant")
        .with_timezone(&Utc)
}

fn shop(f: &Fixture) {
    let mut s = f.desk.settings().expect("settings");
    s.shop_utc_offset_minutes = OFFSET_MINUTES;
    f.desk.save_settings(s).expect("save");
}

/// A batch `t` of `n` codes linked to a new cash template titled `title`.
fn linked(f: &Fixture, t: &str, title: &str, n: u64) -> (i64, Vec<String>) {
    f.generated(t, n);
    let tpl = f.desk.create_template(cash(title)).expect("template");
    f.desk.link_batch(tpl.id, t).expect("link");
    (tpl.id, f.codes(t, None))
}

fn query(from: &str, to: &str, group_by: GroupBy) -> ReportQuery {
    ReportQuery {
        from: day(from),
        to: day(to),
        group_by,
        staff: None,
        terminal: None,
        template_id: None,
        batch: None,
        kind: None,
    }
}

fn redeem_at(f: &Fixture, code: &str, order_fen: i64, at: DateTime<Utc>) -> i64 {
    let mut conn = store::open(&f.db).expect("open");
    let req = RedeemRequest {
        code: code.into(),
        order_fen: Some(order_fen),
        customer: None,
    };
    redemptions::redeem(&mut conn, &req, at)
        .expect("redeem")
        .redemption
        .expect("redeemed")
        .id
}

/// The figures straight from the redemption tables, for the shop's days `from..=to`.
fn truth(f: &Fixture, from: &str, to: &str) -> Figures {
    let conn = store::open(&f.db).expect("open");
    let lo = local(from, 0, 0).timestamp_millis();
    let hi = (local(to, 0, 0) + Duration::days(1)).timestamp_millis();
    let (count, discount_fen, order_fen) = conn
        .query_row(
            "SELECT count(*), coalesce(sum(d), 0), coalesce(sum(o), 0) FROM (
               SELECT reduction_fen d, coalesce(order_fen, 0) o, redeemed_at t FROM redemptions
                WHERE undone_at IS NULL
               UNION ALL
               SELECT reduction_fen, coalesce(order_fen, 0), redeemed_at FROM bonus_redemptions
                WHERE undone_at IS NULL
               UNION ALL
               SELECT 0, price_fen, used_at FROM vouchers WHERE used_at IS NOT NULL)
             WHERE t >= ?1 AND t < ?2",
            [lo, hi],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("truth");
    Figures {
        count,
        discount_fen,
        order_fen,
    }
}

#[test]
fn the_report_counts_each_use_once_on_the_shops_day_and_forgets_an_undo() {
    let f = fixture();
    shop(&f);
    let (ta, a) = linked(&f, "TA", "满100减20 A", 6);
    let (tb, b) = linked(&f, "TB", "满100减20 B", 6);
    // Late on the 6th and early on the 7th, shop time: the same UTC day (14:20 and 14:40).
    redeem_at(&f, &a[0], 10_000, local("2026-12-06", 23, 50));
    redeem_at(&f, &a[1], 12_000, local("2026-12-07", 0, 10));
    redeem_at(&f, &b[0], 15_000, local("2026-12-07", 9, 0));
    let undone = redeem_at(&f, &b[1], 20_000, local("2026-12-07", 9, 5));
    redeem_at(&f, &b[2], 30_000, local("2026-12-08", 0, 0));

    let by_day = f
        .desk
        .report_redemptions(&query("2026-12-06", "2026-12-07", GroupBy::Day))
        .expect("report");
    let days: Vec<(String, i64)> = by_day
        .groups
        .iter()
        .map(|g| (g.key.clone(), g.figures.count))
        .collect();
    assert_eq!(
        days,
        vec![("2026-12-06".into(), 1), ("2026-12-07".into(), 3)]
    );
    assert_eq!(by_day.total, truth(&f, "2026-12-06", "2026-12-07"));
    assert_eq!(by_day.total.discount_fen, 4 * 2000);
    assert_eq!(by_day.total.order_fen, 10_000 + 12_000 + 15_000 + 20_000);

    // The undo takes it back from the figures (within the undo window).
    let mut conn = store::open(&f.db).expect("open");
    redemptions::undo(
        &mut conn,
        UndoTarget::Id(undone),
        None,
        local("2026-12-07", 9, 6),
    )
    .expect("undo");
    let by_template = f
        .desk
        .report_redemptions(&query("2026-12-06", "2026-12-08", GroupBy::Template))
        .expect("report");
    let groups: Vec<(String, String, i64)> = by_template
        .groups
        .iter()
        .map(|g| (g.key.clone(), g.label.clone(), g.figures.count))
        .collect();
    assert_eq!(
        groups,
        vec![
            (ta.to_string(), "满100减20 A".into(), 2),
            (tb.to_string(), "满100减20 B".into(), 2),
        ]
    );
    assert_eq!(by_template.total, truth(&f, "2026-12-06", "2026-12-08"));

    // Filters: a template, a batch (by ticket type), a staff member, a terminal.
    let mut q = query("2026-12-06", "2026-12-08", GroupBy::Batch);
    q.template_id = Some(tb);
    let only_b = f.desk.report_redemptions(&q).expect("report");
    assert_eq!(only_b.total.count, 2);
    assert_eq!(only_b.groups[0].key, "TB");
    assert_eq!(only_b.groups[0].label, "batch TB");
    q.template_id = None;
    q.batch = Some("TA".into());
    assert_eq!(
        f.desk.report_redemptions(&q).expect("report").total.count,
        2
    );
    q.batch = Some("NOPE".into());
    let e = f.desk.report_redemptions(&q).expect_err("no such batch");
    assert_eq!(e.code(), "batch_not_found");
    q.batch = None;
    q.terminal = Some("no such counter".into());
    assert_eq!(
        f.desk.report_redemptions(&q).expect("report").total.count,
        0
    );

    // The rows behind each group are exactly the group's count, newest first.
    for g in &by_template.groups {
        let rows = f
            .desk
            .report_rows(&ReportRowsQuery {
                report: by_template.query.clone(),
                group: Some(g.key.clone()),
                page: PageRequest {
                    page: 1,
                    per_page: 100,
                },
            })
            .expect("rows");
        assert_eq!(rows.total, g.figures.count as u64);
        assert_eq!(rows.items.len(), g.figures.count as usize);
        assert!(rows.items.windows(2).all(|w| w[0].at >= w[1].at));
        assert!(rows
            .items
            .iter()
            .all(|r| r.template_id.map(|t| t.to_string()) == Some(g.key.clone())));
    }
    // Paged: two pages of one.
    let mut seen = Vec::new();
    for page in 1..=3 {
        let p = f
            .desk
            .report_rows(&ReportRowsQuery {
                report: query("2026-12-07", "2026-12-07", GroupBy::Day),
                group: None,
                page: PageRequest { page, per_page: 1 },
            })
            .expect("rows");
        assert_eq!(p.total, 2);
        seen.extend(p.items.into_iter().map(|r| r.what));
    }
    assert_eq!(seen, vec![b[0].clone(), a[1].clone()]);
    // A day key outside the report's days has nothing behind it.
    let outside = f
        .desk
        .report_rows(&ReportRowsQuery {
            report: query("2026-12-07", "2026-12-07", GroupBy::Day),
            group: Some("2026-12-09".into()),
            page: PageRequest::default(),
        })
        .expect("rows");
    assert_eq!((outside.total, outside.items.len()), (0, 0));

    let e = f
        .desk
        .report_redemptions(&query("2026-12-08", "2026-12-07", GroupBy::Day))
        .expect_err("reversed");
    assert_eq!(e.code(), "report_days_reversed");

    // The shop's zone changes to UTC: the same uses, counted on UTC days now
    // (14:20, 14:40 and 23:30 UTC on the 6th; 14:30 UTC on the 7th).
    let mut s = f.desk.settings().expect("settings");
    s.shop_utc_offset_minutes = 0;
    f.desk.save_settings(s).expect("save");
    let utc = f
        .desk
        .report_redemptions(&query("2026-12-06", "2026-12-08", GroupBy::Day))
        .expect("report");
    let days: Vec<(String, i64)> = utc
        .groups
        .iter()
        .map(|g| (g.key.clone(), g.figures.count))
        .collect();
    assert_eq!(
        days,
        vec![("2026-12-06".into(), 3), ("2026-12-07".into(), 1)]
    );
    assert_eq!(utc.total, by_template.total);
}

#[test]
fn bonuses_and_vouchers_count_under_their_kind_and_the_dashboard_adds_up() {
    let f = fixture();
    shop(&f);
    // A stock of 10, all linked: with 9 used, one is left (a tenth: an alert).
    f.generated("TA", 10);
    let mut small = cash("满100减20");
    small.quantity = 10;
    let tid = f.desk.create_template(small).expect("template").id;
    f.desk.link_batch(tid, "TA").expect("link");
    let codes = f.codes("TA", None);
    // Another ends in three days.
    let mut ending = cash("周末券");
    ending.end_at = Utc::now() + Duration::days(3);
    let ending_id = f.desk.create_template(ending).expect("ending").id;
    let bonus = f
        .desk
        .create_bonuses(bonus_draft(500, 1))
        .expect("bonus")
        .codes
        .remove(0);
    f.desk
        .redeem_bonus(&BonusRedeemRequest {
            code: bonus,
            order_fen: 8_000,
            product_sku: None,
            customer: None,
        })
        .expect("bonus used");
    let v = f
        .desk
        .sell_voucher(VoucherDraft {
            customer: "13800138000".into(),
            customer_name: String::new(),
            name: "洗车".into(),
            price_fen: 3_000,
            pkg: None,
            introduction: String::new(),
            paid: true,
        })
        .expect("sold");
    f.desk.use_voucher(v.id).expect("voucher used");
    let now = Utc::now();
    let today = now.with_timezone(&zone()).date_naive();
    // Nine of the template's ten are used: today, yesterday and 20 days ago.
    for (i, code) in codes.iter().take(9).enumerate() {
        let when = match i {
            // Today, whatever the hour: never before the shop's midnight.
            0..=4 => (now - Duration::seconds(i as i64)).max(local(&today.to_string(), 0, 0)),
            5..=7 => now - Duration::days(1),
            _ => now - Duration::days(20),
        };
        redeem_at(&f, code, 10_000, when);
    }

    let t = today.to_string();
    let kinds = f
        .desk
        .report_redemptions(&query(&t, &t, GroupBy::Kind))
        .expect("report");
    let k: Vec<(String, i64)> = kinds
        .groups
        .iter()
        .map(|g| (g.key.clone(), g.figures.count))
        .collect();
    assert_eq!(
        k,
        vec![
            ("coupon".into(), 5),
            ("bonus".into(), 1),
            ("voucher".into(), 1)
        ]
    );
    assert_eq!(kinds.total, truth(&f, &t, &t));
    let mut only_vouchers = query(&t, &t, GroupBy::Template);
    only_vouchers.kind = Some(UseKind::Voucher);
    let v = f.desk.report_redemptions(&only_vouchers).expect("report");
    assert_eq!(v.groups.len(), 1);
    assert_eq!(v.groups[0].key, "kind:voucher");
    assert_eq!(
        v.total,
        Figures {
            count: 1,
            discount_fen: 0,
            order_fen: 3_000
        }
    );

    let d = f
        .desk
        .dashboard_at(&DashboardQuery { days: 7 }, now)
        .expect("dashboard");
    assert_eq!(d.today, today);
    let counts: Vec<(u32, i64, i64, i64, i64)> = d
        .windows
        .iter()
        .map(|w| {
            (
                w.days,
                w.all.count,
                w.coupons.count,
                w.bonuses.count,
                w.vouchers.count,
            )
        })
        .collect();
    assert_eq!(
        counts,
        vec![(1, 7, 5, 1, 1), (7, 10, 8, 1, 1), (30, 11, 9, 1, 1)]
    );
    assert_eq!(d.trend.len(), 30);
    assert_eq!(
        d.trend.last().map(|x| (x.day, x.figures.count)),
        Some((today, 7))
    );
    assert_eq!(d.trend.iter().map(|x| x.figures.count).sum::<i64>(), 11);
    assert_eq!(d.by_hour.len(), 24);
    assert_eq!(d.by_hour.iter().sum::<i64>(), 10, "the last 7 days");
    assert_eq!(d.by_template[0].key, tid.to_string());
    assert_eq!(d.by_template[0].figures.count, 8);
    assert!(
        d.alerts.iter().any(|a| matches!(
            a,
            Alert::StockLow { template_id, left: 1, quantity: 10, .. } if *template_id == tid
        )),
        "{:?}",
        d.alerts
    );
    assert!(
        d.alerts.iter().any(|a| matches!(
            a,
            Alert::TemplateEnding { template_id, .. } if *template_id == ending_id
        )),
        "{:?}",
        d.alerts
    );
}

#[test]
fn a_cashier_sees_no_figures() {
    let f = fixture();
    let draft = |name: &str, role, pin: &str| StaffDraft {
        name: name.into(),
        role,
        pin: pin.into(),
    };
    f.desk
        .setup_owner(&draft("王老板", Role::Owner, "11112222"))
        .expect("owner");
    f.desk
        .staff_add(&draft("李店长", Role::Manager, "2222"))
        .expect("manager");
    f.desk
        .staff_add(&draft("小张", Role::Cashier, "3333"))
        .expect("cashier");
    f.desk.login("李店长", "2222").expect("manager in");
    f.desk
        .report_redemptions(&query("2026-12-01", "2026-12-07", GroupBy::Day))
        .expect("a manager sees them");
    f.desk.login("小张", "3333").expect("cashier in");
    let e = f
        .desk
        .report_redemptions(&query("2026-12-01", "2026-12-07", GroupBy::Day))
        .expect_err("cashier");
    assert_eq!(e.code(), "forbidden");
}

/// The report as a file: one line per group as the page shows it, then the total, in the
/// asked language; money in yuan.
#[test]
fn the_report_exports_its_groups_and_total() {
    let f = fixture();
    shop(&f);
    let (ta, a) = linked(&f, "TA", "满100减20 A", 3);
    let (tb, b) = linked(&f, "TB", "满100减20 B", 3);
    redeem_at(&f, &a[0], 10_000, local("2026-12-06", 12, 0));
    redeem_at(&f, &a[1], 12_050, local("2026-12-07", 0, 10));
    redeem_at(&f, &b[0], 15_000, local("2026-12-07", 9, 0));
    let q = query("2026-12-06", "2026-12-07", GroupBy::Template);
    let out = f.dir.path().join("report.csv");
    let options = ExportOptions {
        lang: Lang::En,
        format: None,
    };
    let report = f.desk.export_report(&q, &out, &options).expect("export");
    assert_eq!(report.rows, 3, "two groups and the total");
    let text = std::fs::read_to_string(&out).expect("read");
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(
        lines,
        vec![
            "Group key,Group,Uses,Discount (yuan),Order value (yuan)".to_owned(),
            format!("{ta},满100减20 A,2,40.00,220.50"),
            format!("{tb},满100减20 B,1,20.00,150.00"),
            ",Total,3,60.00,370.50".to_owned(),
        ]
    );
    // A cashier may neither read the figures nor export them.
    let draft = |name: &str, role, pin: &str| StaffDraft {
        name: name.into(),
        role,
        pin: pin.into(),
    };
    f.desk
        .setup_owner(&draft("王老板", Role::Owner, "11112222"))
        .expect("owner");
    f.desk
        .staff_add(&draft("小张", Role::Cashier, "3333"))
        .expect("cashier");
    f.desk.login("小张", "3333").expect("cashier in");
    let e = f
        .desk
        .export_report(&q, &out, &options)
        .expect_err("a cashier exports nothing");
    assert_eq!(e.code(), "forbidden");
}
