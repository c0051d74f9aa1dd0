//! Reconciliation (对账) against the simulator over loopback, on a real SQLite file: the
//! local counts beside what the last pull saw, per platform and group, and the differing
//! items named, paged and exported. Nothing is compared before a platform's first pull.

mod common;

use std::time::Duration;

use calamine::{open_workbook, Reader, Xlsx};
use common::{bonus_draft, cash, fixture, secret_only, Fixture};
use coupondesk_core::domain::bonus::BonusRedeemRequest;
use coupondesk_core::domain::reconcile::{ItemState, ReconItemsQuery, ReconRow, SideCounts};
use coupondesk_core::domain::redeem::RedeemRequest;
use coupondesk_core::domain::voucher::VoucherDraft;
use coupondesk_core::domain::PageRequest;
use coupondesk_core::export::words::Lang;
use coupondesk_core::export::ExportOptions;
use coupondesk_core::sync::engine::RunOptions;
use coupondesk_core::sync::Platform;
use coupondesk_remote_sim::{Sim, SimConfig};

fn quick() -> RunOptions {
    RunOptions {
        max_duration: Duration::from_secs(60),
        backoff_base: Duration::from_millis(5),
        backoff_cap: Duration::from_millis(50),
        timeout: Duration::from_secs(5),
        ..RunOptions::default()
    }
}

fn configure(f: &Fixture, p: Platform, base: &str, secret: &str) {
    let mut s = secret_only(p, Some(secret), false);
    s.enabled = true;
    s.base_url = format!("{base}/{}", p.id());
    if p == Platform::Sense {
        // The simulator accepts code uploads (outside spec 000).
        s.upload_path = "/ext/batches".into();
    }
    f.desk.sync_save_settings(&s).expect("settings");
}

fn sell(f: &Fixture, name: &str) -> i64 {
    f.desk
        .sell_voucher(VoucherDraft {
            customer: "13800138000".into(),
            customer_name: String::new(),
            name: name.into(),
            price_fen: 3_000,
            pkg: None,
            introduction: String::new(),
            paid: true,
        })
        .expect("sell")
        .id
}

fn counts(issued: i64, active: i64, used: i64) -> SideCounts {
    SideCounts {
        issued,
        active,
        used,
    }
}

fn row<'a>(rows: &'a [ReconRow], p: Platform, label: &str) -> &'a ReconRow {
    rows.iter()
        .find(|r| r.platform == p && r.label == label)
        .unwrap_or_else(|| panic!("no row {p:?} {label:?} in {rows:#?}"))
}

fn items(f: &Fixture, p: Platform, key: Option<&str>) -> Vec<(ItemState, ItemState)> {
    f.desk
        .reconciliation_items(&ReconItemsQuery {
            platform: p,
            key: key.map(str::to_owned),
            page: PageRequest::default(),
        })
        .expect("items")
        .items
        .into_iter()
        .map(|i| (i.local, i.remote))
        .collect()
}

#[test]
fn local_counts_stand_beside_the_last_pull_and_the_differing_items_are_named() {
    let f = fixture();
    let sim = Sim::start(SimConfig::default()).expect("sim");
    let base = sim.base_url();
    configure(&f, Platform::Sense, &base, "sense-token-000");
    configure(&f, Platform::Bonus, &base, "bonus-token-002");
    configure(&f, Platform::Voucher, &base, "voucher-token-003");

    // 000: 30 codes sent to one ticket type; 2 redeemed at this counter afterwards.
    f.generated("S1", 30);
    let t = f.desk.create_template(cash("满100减20")).expect("template");
    f.desk.link_batch(t.id, "S1").expect("link");
    // 002: three bonuses; 003: three vouchers of two services.
    let bonuses = f
        .desk
        .create_bonuses(bonus_draft(500, 3))
        .expect("bonuses")
        .codes;
    let (wash1, wash2, wax) = (sell(&f, "洗车"), sell(&f, "洗车"), sell(&f, "打蜡"));

    // Before any pull there is nothing to compare with.
    let before = f.desk.reconciliation().expect("reconciliation");
    assert!(
        before.pulls.iter().all(|p| p.seen_at.is_none()),
        "{before:?}"
    );
    assert!(before.rows.iter().all(|r| r.remote.is_none()));
    assert!(items(&f, Platform::Voucher, None).is_empty());

    let r = f.desk.sync_run(None, &quick()).expect("sync");
    assert!(
        r.platforms.iter().all(|p| p.skipped || p.stopped.is_none()),
        "{r:?}"
    );
    let codes = f.codes("S1", None);
    for code in &codes[..2] {
        f.desk
            .redeem_use(&RedeemRequest {
                code: code.clone(),
                order_fen: Some(20_000),
                customer: None,
            })
            .expect("redeem");
    }
    f.desk
        .redeem_bonus(&BonusRedeemRequest {
            code: bonuses[0].clone(),
            order_fen: 8_000,
            product_sku: None,
            customer: None,
        })
        .expect("bonus used here");
    // The first car wash is used at the platform (its 1st voucher); the second here.
    sim.voucher_mark_used(1).expect("used on the platform");
    f.desk.use_voucher(wash2).expect("used here");
    let again = f.desk.sync_run(None, &quick()).expect("pull");
    assert!(
        again
            .platforms
            .iter()
            .all(|p| p.skipped || p.stopped.is_none()),
        "{again:?}"
    );

    let rec = f.desk.reconciliation().expect("reconciliation");
    for p in [Platform::Sense, Platform::Bonus, Platform::Voucher] {
        assert!(
            rec.pulls
                .iter()
                .any(|x| x.platform == p && x.seen_at.is_some()),
            "{p:?} pulled: {rec:?}"
        );
    }
    // 000 lists counts only: the platform has not heard of the counter's two uses.
    let sense = row(&rec.rows, Platform::Sense, "满100减20");
    assert_eq!(sense.local, counts(30, 28, 2));
    assert_eq!(sense.remote, Some(counts(30, 30, 0)));
    assert!(!sense.items_known && sense.differing == 0 && sense.differs);
    // 002: the bonus used here is still unused there, and is named.
    let bonus = rec
        .rows
        .iter()
        .find(|r| r.platform == Platform::Bonus)
        .expect("bonus row");
    assert_eq!(bonus.local, counts(3, 2, 1));
    assert_eq!(bonus.remote, Some(counts(3, 3, 0)));
    assert_eq!(bonus.differing, 1);
    assert_eq!(
        items(&f, Platform::Bonus, None),
        vec![(ItemState::Used, ItemState::Unused)]
    );
    // 003: the wash used on the platform was marked used here by the pull (not
    // differing); the one used here is still unused there; the wax agrees.
    assert!(f.desk.get_voucher(wash1).expect("wash1").used_at.is_some());
    let wash = row(&rec.rows, Platform::Voucher, "洗车");
    assert_eq!(wash.local, counts(2, 0, 2));
    assert_eq!(wash.remote, Some(counts(2, 1, 1)));
    assert_eq!(wash.differing, 1);
    let listed = f
        .desk
        .reconciliation_items(&ReconItemsQuery {
            platform: Platform::Voucher,
            key: Some("洗车".into()),
            page: PageRequest::default(),
        })
        .expect("items");
    assert_eq!(listed.total, 1);
    assert_eq!(listed.items[0].local_id, Some(wash2));
    assert_eq!(
        (listed.items[0].local, listed.items[0].remote),
        (ItemState::Used, ItemState::Unused)
    );
    let wax_row = row(&rec.rows, Platform::Voucher, "打蜡");
    assert_eq!(wax_row.local, counts(1, 1, 0));
    assert!(!wax_row.differs, "{wax_row:?} ({wax})");
    assert!(items(&f, Platform::Voucher, Some("打蜡")).is_empty());

    // The differing items of a platform as CSV: a header and one line per item.
    let out = f.dir.path().join("对账.csv");
    let report = f
        .desk
        .export_reconciliation(
            &ReconItemsQuery {
                platform: Platform::Voucher,
                key: None,
                page: PageRequest::default(),
            },
            &out,
            &ExportOptions {
                lang: Lang::En,
                format: None,
            },
        )
        .expect("export");
    assert_eq!(report.rows, 1);
    let text = std::fs::read_to_string(&out).expect("read csv");
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert_eq!(
        lines[0], "Platform,Group,Item,Local ID,Here,On the platform",
        "{text}"
    );
    assert!(lines[1].starts_with("p003,洗车,"), "{text}");
    assert!(
        lines[1].ends_with(&format!(",{wash2},used,unused")),
        "{text}"
    );
    // The same items in Chinese, as an Excel file: read back, the words are the table's.
    let xlsx = f.dir.path().join("对账.xlsx");
    let report = f
        .desk
        .export_reconciliation(
            &ReconItemsQuery {
                platform: Platform::Voucher,
                key: None,
                page: PageRequest::default(),
            },
            &xlsx,
            &ExportOptions::default(),
        )
        .expect("export xlsx");
    assert_eq!(report.rows, 1);
    let mut book: Xlsx<_> = open_workbook(&xlsx).expect("open xlsx");
    let sheet = book
        .worksheet_range_at(0)
        .expect("a sheet")
        .expect("readable");
    let cells: Vec<String> = sheet
        .rows()
        .nth(1)
        .expect("one item")
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(
        cells[4..],
        ["已用".to_owned(), "未用".to_owned()],
        "{cells:?}"
    );
}

#[test]
fn a_voucher_the_platform_lists_that_this_desk_does_not_know_differs() {
    let f = fixture();
    let sim = Sim::start(SimConfig::default()).expect("sim");
    configure(&f, Platform::Voucher, &sim.base_url(), "voucher-token-003");
    let known = sell(&f, "洗车");
    f.desk.sync_run(None, &quick()).expect("buy");
    let conn = rusqlite::Connection::open(&f.db).expect("db");
    // The row the platform gave our voucher; then we forget the link, as after a restore
    // of an older backup: the platform lists it, this desk no longer knows it.
    let remote: String = conn
        .query_row(
            "SELECT remote_id FROM remote_refs WHERE platform = 'p003' AND local_id = ?1",
            [known.to_string()],
            |r| r.get(0),
        )
        .expect("mapped");
    conn.execute("DELETE FROM remote_refs WHERE platform = 'p003'", [])
        .expect("forget");
    f.desk.sync_run(None, &quick()).expect("pull");
    let listed = f
        .desk
        .reconciliation_items(&ReconItemsQuery {
            platform: Platform::Voucher,
            key: None,
            page: PageRequest::default(),
        })
        .expect("items");
    assert_eq!(listed.total, 1);
    assert_eq!(listed.items[0].item, remote);
    assert_eq!(
        (listed.items[0].local, listed.items[0].remote),
        (ItemState::Absent, ItemState::Unused)
    );
    // The local side counts only what reached the platform (a link): none now.
    let rec = f.desk.reconciliation().expect("reconciliation");
    let wash = row(&rec.rows, Platform::Voucher, "洗车");
    assert_eq!(wash.local, SideCounts::default());
    assert_eq!(wash.remote, Some(counts(1, 1, 0)));
}
