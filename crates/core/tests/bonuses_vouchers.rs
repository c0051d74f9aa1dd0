//! Red-packet bonuses (spec 002), exchange vouchers (spec 003) and the customer register,
//! on real SQLite files.

mod common;

use common::bonus_draft as draft;

use std::collections::HashSet;

use chrono::{Duration, Utc};
use coupondesk_core::domain::bonus::{
    self, BonusDraft, BonusQuery, BonusRedeemRequest, BonusRefusal, BonusStatus,
};
use coupondesk_core::domain::customer::CustomerDraft;
use coupondesk_core::domain::voucher::{VoucherDraft, VoucherQuery};
use coupondesk_core::domain::PageRequest;
use coupondesk_core::export::{ExportOptions, Lang};
use coupondesk_core::store::bonuses::{self as bonus_store, BonusRef};
use coupondesk_core::{ApiError, Desk, DeskError};
use rusqlite::Connection;

fn code_of(e: DeskError) -> String {
    ApiError::from(&e).code
}

fn one(desk: &Desk, d: BonusDraft) -> String {
    desk.create_bonuses(d).expect("create").codes.remove(0)
}

fn req(code: &str, order_fen: i64) -> BonusRedeemRequest {
    BonusRedeemRequest {
        code: code.into(),
        order_fen,
        product_sku: None,
        customer: None,
    }
}

fn listed(desk: &Desk, status: Option<BonusStatus>, customer: Option<&str>) -> Vec<String> {
    desk.list_bonuses(&BonusQuery {
        status,
        customer: customer.map(str::to_owned),
        run: None,
        page: PageRequest {
            page: 1,
            per_page: 100,
        },
    })
    .expect("list")
    .items
    .into_iter()
    .map(|b| b.code)
    .collect()
}

fn audit_count(db: &std::path::Path, action: &str) -> i64 {
    Connection::open(db)
        .expect("open")
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = ?1",
            [action],
            |r| r.get(0),
        )
        .expect("count")
}

#[test]
fn a_thousand_bonuses_in_one_go_all_with_their_own_code() {
    let f = common::fixture();
    let c = f.desk.create_bonuses(draft(200, 1000)).expect("create");
    assert_eq!(c.created, 1000);
    assert_eq!(c.codes.len(), 1000);
    let unique: HashSet<_> = c.codes.iter().collect();
    assert_eq!(unique.len(), 1000, "every code is unique");
    assert!(
        c.codes.iter().all(|c| bonus::is_code(c)),
        "11 capital letters"
    );
    let page = f
        .desk
        .list_bonuses(&BonusQuery {
            status: Some(BonusStatus::Unused),
            ..BonusQuery::default()
        })
        .expect("list");
    assert_eq!(page.total, 1000);
    assert_eq!(page.items.len(), 10);
    assert_eq!(page.items[0].id, c.first_id + 999, "newest first");
    // One user action, one audit entry.
    assert_eq!(audit_count(&f.db, "bonus.create"), 1);
    // A second creation never reuses a code.
    let more = f.desk.create_bonuses(draft(200, 1000)).expect("create");
    // Each creation's bonuses can be listed on their own, to look them over before
    // disabling the run.
    for (run, first) in [(c.run, c.first_id), (more.run, more.first_id)] {
        let page = f
            .desk
            .list_bonuses(&BonusQuery {
                status: None,
                run: Some(run),
                ..BonusQuery::default()
            })
            .expect("list a run");
        assert_eq!(page.total, 1000, "run {run}");
        assert!(page.items.iter().all(|b| b.create_run == run));
        assert_eq!(page.items[0].id, first + 999);
    }
    assert_ne!(c.run, more.run);
    let all: HashSet<_> = c.codes.iter().chain(more.codes.iter()).collect();
    assert_eq!(all.len(), 2000);
    f.check_invariants();
}

#[test]
fn invalid_drafts_name_their_fields() {
    let f = common::fixture();
    let mut d = draft(0, 0);
    d.min_amount_fen = -5;
    let e = ApiError::from(&f.desk.create_bonuses(d).unwrap_err());
    assert_eq!(e.code, "invalid_fields");
    let fields: Vec<_> = e.fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, ["amountFen", "quantity", "minAmountFen"]);
}

#[test]
fn a_bonus_is_granted_once_and_an_unknown_phone_joins_the_register() {
    let f = common::fixture();
    let code = one(&f.desk, draft(200, 1));
    let b = f
        .desk
        .grant_bonus(BonusRef::Code(&code), "+86 138 1234 5678", Some("王"))
        .expect("grant");
    assert_eq!(b.customer.as_deref(), Some("13812345678"));
    assert_eq!(b.customer_name.as_deref(), Some("王"));
    assert!(b.granted_at.is_some());
    for phone in ["13812345678", "13912345678"] {
        let e = f
            .desk
            .grant_bonus(BonusRef::Id(b.id), phone, None)
            .unwrap_err();
        assert_eq!(code_of(e), "bonus_already_granted");
    }
    let e = f
        .desk
        .grant_bonus(BonusRef::Id(b.id), "010-12345678", None)
        .unwrap_err();
    assert_eq!(code_of(e), "invalid_fields");
    assert_eq!(
        f.desk.get_customer("13812345678").expect("customer").name,
        "王"
    );
    assert_eq!(audit_count(&f.db, "bonus.grant"), 1);
    assert_eq!(audit_count(&f.db, "customer.create"), 1);
    // The customer's own list (spec 002's user_bonus).
    let other = one(&f.desk, draft(100, 1));
    assert_eq!(
        listed(&f.desk, Some(BonusStatus::Unused), Some("138-1234-5678")),
        [code.as_str()]
    );
    assert_eq!(listed(&f.desk, Some(BonusStatus::Unused), None).len(), 2);
    assert!(listed(&f.desk, None, Some("13700000000")).is_empty());
    // Granted: the customer given at the counter must be the one it was granted to.
    let mut r = req(&code, 500);
    r.customer = Some("13912345678".into());
    assert_eq!(
        f.desk.check_bonus(&r).expect("check").refusal,
        Some(BonusRefusal::OtherCustomer)
    );
    r.customer = None;
    assert_eq!(f.desk.check_bonus(&r).expect("check").refusal, None);
    // Ungranted bonuses are bearer codes.
    let mut r = req(&other, 500);
    r.customer = Some("13912345678".into());
    assert_eq!(f.desk.check_bonus(&r).expect("check").refusal, None);
    // Granting a used bonus is refused.
    f.desk.redeem_bonus(&req(&other, 500)).expect("redeem");
    let e = f
        .desk
        .grant_bonus(BonusRef::Code(&other), "13912345678", None)
        .unwrap_err();
    assert_eq!(code_of(e), "bonus_not_grantable");
}

#[test]
fn a_disabled_bonus_is_never_redeemed_and_lists_apart() {
    let f = common::fixture();
    let code = one(&f.desk, draft(200, 1));
    let b = f
        .desk
        .disable_bonus(BonusRef::Code(&code.to_lowercase()))
        .expect("disable");
    assert_eq!(b.status, BonusStatus::Disabled);
    let o = f.desk.redeem_bonus(&req(&code, 5000)).expect("redeem");
    assert_eq!(o.check.refusal, Some(BonusRefusal::Disabled));
    assert!(o.redeemed.is_none());
    assert!(listed(&f.desk, Some(BonusStatus::Unused), None).is_empty());
    assert_eq!(
        listed(&f.desk, Some(BonusStatus::Disabled), None),
        [code.as_str()]
    );
    let e = f.desk.disable_bonus(BonusRef::Id(b.id)).unwrap_err();
    assert_eq!(code_of(e), "bonus_not_disableable");
    // Created disabled (spec 002's status false): the same.
    let mut d = draft(200, 1);
    d.enabled = false;
    let off = one(&f.desk, d);
    assert_eq!(
        f.desk.check_bonus(&req(&off, 5000)).expect("check").refusal,
        Some(BonusRefusal::Disabled)
    );
    // Nothing, not even a hand-written UPDATE, brings a disabled bonus back.
    let conn = Connection::open(&f.db).expect("open");
    assert!(conn
        .execute("UPDATE bonuses SET status = 1 WHERE code = ?1", [&code])
        .is_err());
    assert_eq!(audit_count(&f.db, "bonus.disable"), 1);
}

#[test]
fn minimum_amount_is_inclusive_and_the_reduction_never_exceeds_the_order() {
    let f = common::fixture();
    let mut d = draft(500, 1);
    d.min_amount_fen = 3000;
    let code = one(&f.desk, d);
    assert_eq!(
        f.desk
            .check_bonus(&req(&code, 2999))
            .expect("check")
            .refusal,
        Some(BonusRefusal::BelowMinAmount { min_fen: 3000 })
    );
    let o = f.desk.redeem_bonus(&req(&code, 2999)).expect("redeem");
    assert!(o.redeemed.is_none(), "a refused redemption changes nothing");
    let o = f.desk.redeem_bonus(&req(&code, 3000)).expect("redeem");
    assert_eq!(o.check.reduction_fen, Some(500));
    let b = o.redeemed.expect("redeemed");
    assert_eq!(b.status, BonusStatus::Used);
    assert_eq!(b.used_order_fen, Some(3000));
    let small = one(&f.desk, draft(500, 1));
    let o = f.desk.redeem_bonus(&req(&small, 200)).expect("redeem");
    assert_eq!(o.check.reduction_fen, Some(200));
}

#[test]
fn product_restriction() {
    let f = common::fixture();
    let mut d = draft(200, 1);
    d.product_sku = Some(" SKU-1 ".into());
    let code = one(&f.desk, d);
    let mut r = req(&code, 1000);
    assert_eq!(
        f.desk.check_bonus(&r).expect("check").refusal,
        Some(BonusRefusal::ProductRequired {
            sku: "SKU-1".into()
        })
    );
    r.product_sku = Some("SKU-2".into());
    assert_eq!(
        f.desk.check_bonus(&r).expect("check").refusal,
        Some(BonusRefusal::WrongProduct {
            sku: "SKU-1".into()
        })
    );
    r.product_sku = Some("SKU-1".into());
    let b = f
        .desk
        .redeem_bonus(&r)
        .expect("redeem")
        .redeemed
        .expect("redeemed");
    assert_eq!(b.used_product_sku.as_deref(), Some("SKU-1"));
}

#[test]
fn expiry_is_computed_never_stale() {
    let f = common::fixture();
    let mut d = draft(200, 1);
    d.expired_at = Some(Utc::now() - Duration::days(1));
    let old = one(&f.desk, d);
    assert_eq!(
        listed(&f.desk, Some(BonusStatus::Expired), None),
        [old.as_str()]
    );
    assert!(listed(&f.desk, Some(BonusStatus::Unused), None).is_empty());
    assert!(matches!(
        f.desk.check_bonus(&req(&old, 1000)).expect("check").refusal,
        Some(BonusRefusal::Expired { .. })
    ));
    // A bonus that expires in an hour: unused now, expired an hour later, with nothing
    // written in between.
    let expires = Utc::now() + Duration::hours(1);
    let mut d = draft(200, 1);
    d.expired_at = Some(expires);
    let soon = one(&f.desk, d);
    assert_eq!(
        listed(&f.desk, Some(BonusStatus::Unused), None),
        [soon.as_str()]
    );
    let conn = coupondesk_core::store::open(&f.db).expect("open");
    let later = expires + Duration::seconds(1);
    let q = BonusQuery {
        status: Some(BonusStatus::Expired),
        ..BonusQuery::default()
    };
    let codes: Vec<_> = bonus_store::list(&conn, &q, later)
        .expect("list")
        .items
        .into_iter()
        .map(|b| b.code)
        .collect();
    assert_eq!(codes, [soon.clone(), old.clone()]);
    assert!(matches!(
        bonus_store::check(&conn, &req(&soon, 1000), later)
            .expect("check")
            .refusal,
        Some(BonusRefusal::Expired { .. })
    ));
    // Used stays used (N02) after its expiry.
    f.desk.redeem_bonus(&req(&soon, 1000)).expect("redeem");
    let used = bonus_store::get(&conn, BonusRef::Code(&soon), later).expect("get");
    assert_eq!(used.status, BonusStatus::Used);
}

#[test]
fn a_bonus_is_redeemed_once_even_from_four_desks() {
    // Four desks (connections) in threads, released together by a barrier once all are
    // open. Separate processes held at the pause point: cli/tests/races.rs.
    let f = common::fixture();
    let code = one(&f.desk, draft(200, 1));
    let db = f.db.clone();
    let start = std::sync::Barrier::new(4);
    let wins: usize = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let db = db.clone();
                let code = code.clone();
                let start = &start;
                s.spawn(move || {
                    let desk = Desk::open(&db).expect("open");
                    start.wait();
                    desk.redeem_bonus(&req(&code, 1000))
                        .expect("redeem")
                        .redeemed
                        .is_some() as usize
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("join")).sum()
    });
    assert_eq!(wins, 1);
    let again = f.desk.redeem_bonus(&req(&code, 1000)).expect("redeem");
    assert!(matches!(
        again.check.refusal,
        Some(BonusRefusal::AlreadyUsed { .. })
    ));
    assert_eq!(audit_count(&f.db, "bonus.redeem"), 1);
    let conn = Connection::open(&f.db).expect("open");
    assert!(
        conn.execute(
            "UPDATE bonuses SET status = 1, used_at = NULL WHERE code = ?1",
            [&code]
        )
        .is_err(),
        "the trigger keeps a used bonus used"
    );
    assert_eq!(listed(&f.desk, Some(BonusStatus::Used), None), [code]);
}

#[test]
fn unknown_and_malformed_codes_are_refused_not_errors() {
    let f = common::fixture();
    assert_eq!(
        f.desk.check_bonus(&req("ABC", 100)).expect("check").refusal,
        Some(BonusRefusal::Malformed)
    );
    assert_eq!(
        f.desk
            .check_bonus(&req("ABCDEFGHIJK", 100))
            .expect("check")
            .refusal,
        Some(BonusRefusal::Unknown)
    );
    let e = f.desk.get_bonus(BonusRef::Id(42)).unwrap_err();
    assert_eq!(code_of(e), "bonus_not_found");
}

fn sell(desk: &Desk, phone: &str, name: &str, pkg: Option<i64>) -> i64 {
    desk.sell_voucher(VoucherDraft {
        customer: phone.into(),
        customer_name: String::new(),
        name: name.into(),
        price_fen: 28800,
        pkg,
        introduction: "三室两厅".into(),
        paid: true,
    })
    .expect("sell")
    .id
}

fn vouchers(desk: &Desk, q: VoucherQuery) -> Vec<i64> {
    desk.list_vouchers(&q)
        .expect("list")
        .items
        .into_iter()
        .map(|v| v.id)
        .collect()
}

#[test]
fn vouchers_sell_query_and_use_once() {
    let f = common::fixture();
    let a = sell(&f.desk, "138 1234 5678", "全屋打扫", None);
    let b = sell(&f.desk, "13912345678", "全屋打扫", Some(7));
    let c = sell(&f.desk, "13812345678", "空调清洗", None);
    let v = f.desk.get_voucher(a).expect("get");
    assert_eq!(v.customer, "13812345678");
    assert!(v.valid && v.paid);
    assert_eq!(v.price_fen, 28800);
    assert_eq!(vouchers(&f.desk, VoucherQuery::default()), [c, b, a]);
    let by_name = VoucherQuery {
        name: Some("打扫".into()),
        ..VoucherQuery::default()
    };
    assert_eq!(vouchers(&f.desk, by_name.clone()), [b, a]);
    assert_eq!(
        vouchers(
            &f.desk,
            VoucherQuery {
                nopkg: true,
                ..by_name
            }
        ),
        [a]
    );
    assert_eq!(
        vouchers(
            &f.desk,
            VoucherQuery {
                customer: Some("+8613812345678".into()),
                ..VoucherQuery::default()
            }
        ),
        [c, a]
    );
    let used = f.desk.use_voucher(a).expect("use");
    assert!(!used.valid);
    assert!(used.used_at.is_some());
    let e = f.desk.use_voucher(a).unwrap_err();
    assert_eq!(code_of(e), "voucher_already_used");
    assert_eq!(audit_count(&f.db, "voucher.use"), 1);
    assert_eq!(audit_count(&f.db, "voucher.sell"), 3);
    assert_eq!(
        vouchers(
            &f.desk,
            VoucherQuery {
                valid: Some(true),
                ..VoucherQuery::default()
            }
        ),
        [c, b]
    );
    let e = f.desk.get_voucher(999).unwrap_err();
    assert_eq!(code_of(e), "voucher_not_found");
    let e = f
        .desk
        .sell_voucher(VoucherDraft {
            customer: "010-12345678".into(),
            customer_name: String::new(),
            name: "x".into(),
            price_fen: 1,
            pkg: None,
            introduction: String::new(),
            paid: true,
        })
        .unwrap_err();
    let e = ApiError::from(&e);
    assert_eq!(e.code, "invalid_fields");
    assert_eq!(e.fields[0].field, "customer");
}

#[test]
fn customers_are_one_per_phone_and_searchable() {
    let f = common::fixture();
    let add = |phone: &str, name: &str| {
        f.desk
            .add_customer(&CustomerDraft {
                phone: phone.into(),
                name: name.into(),
            })
            .expect("add")
    };
    let a = add("13812345678", "王小明");
    add("13912345678", "李雷");
    // The same phone, written another way, is the same customer (renamed).
    let again = add("+86 138-1234-5678", "王明");
    assert_eq!(again.id, a.id);
    assert_eq!(again.name, "王明");
    let search = |s: &str| -> Vec<String> {
        f.desk
            .list_customers(Some(s), PageRequest::default())
            .expect("list")
            .items
            .into_iter()
            .map(|c| c.phone)
            .collect()
    };
    assert_eq!(search("王"), ["13812345678"]);
    assert_eq!(search("1234 5678"), ["13912345678", "13812345678"]);
    assert_eq!(search("139"), ["13912345678"]);
    assert!(search("%").is_empty());
    let e = f
        .desk
        .add_customer(&CustomerDraft {
            phone: "12345".into(),
            name: String::new(),
        })
        .unwrap_err();
    assert_eq!(ApiError::from(&e).fields[0].field, "phone");
    assert_eq!(audit_count(&f.db, "customer.create"), 2);
    assert_eq!(audit_count(&f.db, "customer.rename"), 1);
}

#[test]
fn exports_are_bom_csv_with_formulas_neutralised() {
    let f = common::fixture();
    let mut d = draft(250, 3);
    d.xname = "=HYPERLINK(\"x\")".into();
    f.desk.create_bonuses(d).expect("create");
    let out = f.dir.path().join("bonuses.csv");
    let en = ExportOptions {
        lang: Lang::En,
        format: None,
    };
    let r = f
        .desk
        .export_bonuses(&BonusQuery::default(), &out, &en)
        .expect("export");
    assert_eq!(r.rows, 3);
    let bytes = std::fs::read(&out).expect("read");
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let text = String::from_utf8(bytes[3..].to_vec()).expect("utf-8");
    assert!(text.starts_with("ID,Code,Status,Amount (yuan)"), "{text}");
    assert!(text.contains(",unused,2.50,0.00,,"), "{text}");
    assert!(text.contains("'=HYPERLINK"), "{text}");
    // The default: zh-CN words.
    let r = f
        .desk
        .export_bonuses(&BonusQuery::default(), &out, &ExportOptions::default())
        .expect("export");
    assert_eq!(r.rows, 3);
    let text = std::fs::read_to_string(&out).expect("read");
    assert!(
        text.starts_with("\u{FEFF}编号,券码,状态,面额(元)"),
        "{text}"
    );
    assert!(text.contains(",未使用,2.50,0.00,,"), "{text}");
    sell(&f.desk, "13812345678", "+1 清洗", None);
    let out = f.dir.path().join("vouchers.csv");
    let r = f
        .desk
        .export_vouchers(&VoucherQuery::default(), &out, &en)
        .expect("export");
    assert_eq!(r.rows, 1);
    let text = std::fs::read_to_string(&out).expect("read");
    assert!(text.contains(",'+1 清洗,288.00,"), "{text}");
    assert!(text.contains(",yes,"), "{text}");
}

#[test]
fn an_import_cannot_take_a_bonus_s_code() {
    let f = common::fixture();
    let code = f
        .desk
        .create_bonuses(draft(200, 1))
        .expect("bonus")
        .codes
        .remove(0);
    f.desk.create_batch("T1", "one").expect("batch");
    let csv = f.file(
        "c.csv",
        format!("code\nFIRST0001\n{code}\nLAST0001\n").as_bytes(),
    );
    let report = f.import("T1", &csv, &Default::default());
    assert_eq!((report.imported, report.skipped_duplicate), (2, 1));
    assert_eq!(report.duplicates[0].line, 3);
    assert_eq!(f.codes("T1", None), vec!["FIRST0001", "LAST0001"]);
    common::check_invariants(&f.db);
}

/// "Expires on 2026-12-31" is decided by the core, in the shop's zone (default UTC+8),
/// whichever front end sent the date.
#[test]
fn an_expiry_date_ends_with_that_day_in_the_shops_zone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let desk = Desk::open(&dir.path().join("d.sqlite3")).expect("desk");
    let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 31).expect("date");
    let made = desk
        .create_bonuses(BonusDraft {
            expires_on: Some(day),
            ..draft(100, 1)
        })
        .expect("created");
    let b = desk
        .get_bonus(BonusRef::Code(&made.codes[0]))
        .expect("bonus");
    assert_eq!(
        b.expired_at.map(|t| t.to_rfc3339()),
        Some("2026-12-31T15:59:59.999+00:00".to_owned())
    );
    let both = desk.create_bonuses(BonusDraft {
        expires_on: Some(day),
        expired_at: Some(Utc::now()),
        ..draft(100, 1)
    });
    let e = ApiError::from(&both.expect_err("one or the other"));
    assert_eq!(
        (e.code.as_str(), e.fields[0].field.as_str()),
        ("invalid_fields", "expiresOn")
    );
}
