//! Templates and the counter on a real SQLite file: linking batches, every refusal, undo
//! and its window, the per-customer limit, and two Desks racing for one code.

mod common;

use chrono::{DateTime, Duration, TimeZone, Utc};
use common::{cash, check_invariants, fixture, Fixture};
use coupondesk_core::domain::customer::CustomerDraft;
use coupondesk_core::domain::offer::Offer;
use coupondesk_core::domain::redeem::{RedeemRequest, Refusal};
use coupondesk_core::domain::template::{FixedTerm, TemplateDraft, TemplateKind};
use coupondesk_core::domain::validity::{DayKind, TimeLimit};
use coupondesk_core::domain::{CodeStatus, PageRequest};
use coupondesk_core::generate::GenerateRequest;
use coupondesk_core::progress::CancelToken;
use coupondesk_core::store::redemptions::{self, RedeemError, UndoTarget};
use coupondesk_core::store::templates::TemplateQuery;
use coupondesk_core::{store, Desk, DeskError, ErrorCode};

/// A batch `t` of `n` generated codes linked to a new template; returns (template id, codes).
fn linked(f: &Fixture, t: &str, draft: TemplateDraft, n: u64) -> (i64, Vec<String>) {
    f.generated(t, n);
    let tpl = f.desk.create_template(draft).expect("template");
    f.desk.link_batch(tpl.id, t).expect("link");
    (tpl.id, f.codes(t, None))
}

fn req(code: &str, order_fen: Option<i64>, customer: Option<&str>) -> RedeemRequest {
    RedeemRequest {
        code: code.into(),
        order_fen,
        customer: customer.map(str::to_owned),
    }
}

fn reason(d: &Desk, r: &RedeemRequest) -> String {
    d.redeem_check(r)
        .expect("check")
        .refusal
        .map(|r| r.reason().to_owned())
        .unwrap_or_else(|| "ok".into())
}

#[test]
fn a_cash_code_is_redeemed_once_and_refused_after() {
    let f = fixture();
    let (tid, codes) = linked(&f, "T1", cash("满100减20"), 5);
    let code = &codes[0];
    assert_eq!(reason(&f.desk, &req(code, None, None)), "amount_required");
    assert_eq!(
        reason(&f.desk, &req(code, Some(9999), None)),
        "below_least_spend"
    );
    let ok = f
        .desk
        .redeem_check(&req(code, Some(10000), None))
        .expect("check");
    assert_eq!((ok.refusal, ok.reduction_fen), (None, Some(2000)));

    let used = f
        .desk
        .redeem_use(&req(code, Some(10000), None))
        .expect("use");
    let r = used.redemption.expect("redeemed");
    assert_eq!((r.reduction_fen, r.order_fen), (2000, Some(10000)));

    let again = f
        .desk
        .redeem_use(&req(code, Some(10000), None))
        .expect("use again");
    assert!(again.redemption.is_none());
    match again.check.refusal {
        Some(Refusal::AlreadyUsed { at, .. }) => assert_eq!(at, r.redeemed_at),
        other => panic!("expected already_used, got {other:?}"),
    }
    assert_eq!(again.check.redemption.map(|x| x.id), Some(r.id));

    let b = f.desk.get_batch("T1").expect("batch");
    assert_eq!(
        (b.total_codes, b.used_codes, b.template_id),
        (5, 1, Some(tid))
    );
    assert_eq!(f.desk.get_template(tid).expect("t").redeemed_count, 1);
    check_invariants(&f.db);
    // The audit log names who, where and the amount.
    let conn = rusqlite::Connection::open(&f.db).expect("open");
    let detail: String = conn
        .query_row(
            "SELECT detail FROM audit_log WHERE action = 'code.redeem' AND subject = ?1",
            [code],
            |r| r.get(0),
        )
        .expect("audit entry");
    let detail: serde_json::Value = serde_json::from_str(&detail).expect("json");
    assert_eq!(detail["order_fen"], 10000);
    assert!(detail["terminal"].is_string());
}

#[test]
fn refusals_in_staff_terms() {
    let f = fixture();
    let (_, codes) = linked(&f, "T1", cash("满100减20"), 3);
    assert_eq!(reason(&f.desk, &req("a b", Some(1), None)), "malformed");
    assert_eq!(
        reason(&f.desk, &req("NOSUCHCODE", Some(1), None)),
        "unknown"
    );
    f.desk.create_batch("LOOSE", "no template").expect("batch");
    f.desk
        .generate_codes(
            &GenerateRequest {
                ticket_type: "LOOSE".into(),
                count: 1,
                length: None,
                prefix: Some("LZ".into()),
            },
            &CancelToken::new(),
            &mut |_| {},
        )
        .expect("generate");
    let loose = f.codes("LOOSE", None);
    assert_eq!(
        reason(&f.desk, &req(&loose[0], Some(1), None)),
        "not_linked"
    );
    assert_eq!(
        f.desk.disable_code(&codes[1]).expect("disable"),
        CodeStatus::Disabled
    );
    assert_eq!(
        reason(&f.desk, &req(&codes[1], Some(10000), None)),
        "disabled"
    );
    assert_eq!(
        reason(&f.desk, &req(&codes[2], Some(-1), None)),
        "negative_amount"
    );
    check_invariants(&f.db);
}

#[test]
fn undo_restores_the_code_within_its_window_only() {
    let f = fixture();
    let (_, codes) = linked(&f, "T1", cash("满100减20"), 2);
    let mut conn = store::open(&f.db).expect("open");
    // Stored times are whole milliseconds.
    let t0 = DateTime::from_timestamp_millis(Utc::now().timestamp_millis()).expect("now");
    let r = redemptions::redeem(&mut conn, &req(&codes[0], Some(10000), None), t0)
        .expect("redeem")
        .redemption
        .expect("redeemed");
    assert_eq!(r.undo_until, t0 + Duration::minutes(10), "default window");
    let undone = redemptions::undo(
        &mut conn,
        UndoTarget::Id(r.id),
        None,
        t0 + Duration::minutes(9),
    )
    .expect("undo");
    assert!(undone.undone_at.is_some());
    assert!(matches!(
        redemptions::undo(&mut conn, UndoTarget::Id(r.id), None, t0),
        Err(RedeemError::AlreadyUndone(_))
    ));
    assert_eq!(f.desk.get_batch("T1").expect("b").used_codes, 0);
    assert_eq!(reason(&f.desk, &req(&codes[0], Some(10000), None)), "ok");

    let r2 = redemptions::redeem(&mut conn, &req(&codes[0], Some(20000), None), t0)
        .expect("redeem again")
        .redemption
        .expect("redeemed again");
    let late = redemptions::undo(
        &mut conn,
        UndoTarget::Code(&codes[0]),
        None,
        t0 + Duration::minutes(10) + Duration::milliseconds(1),
    );
    match late {
        Err(e @ RedeemError::UndoWindowPassed(_)) => assert_eq!(e.code(), "undo_window_passed"),
        other => panic!("expected undo_window_passed, got {other:?}"),
    }
    assert_eq!(
        f.desk
            .list_redemptions(PageRequest::default())
            .expect("list")
            .total,
        2
    );
    assert!(r2.undone_at.is_none());

    // The window is configurable: 0 turns undo off.
    let mut s = f.desk.settings().expect("settings");
    s.undo_window_minutes = 0;
    f.desk.save_settings(s).expect("save");
    let r3 = redemptions::redeem(&mut conn, &req(&codes[1], Some(10000), None), t0)
        .expect("redeem")
        .redemption
        .expect("redeemed");
    assert!(redemptions::undo(
        &mut conn,
        UndoTarget::Id(r3.id),
        None,
        t0 + Duration::seconds(1)
    )
    .is_err());
    check_invariants(&f.db);
}

#[test]
fn one_customer_may_use_get_limit_codes_of_a_template() {
    let f = fixture();
    let mut d = cash("满100减20");
    d.get_limit = 2;
    let (_, codes) = linked(&f, "T1", d, 4);
    for c in &codes[..2] {
        let o = f
            .desk
            .redeem_use(&req(c, Some(10000), Some("13800138000")))
            .expect("use");
        assert!(o.redemption.is_some());
    }
    assert_eq!(
        reason(&f.desk, &req(&codes[2], Some(10000), Some("13800138000"))),
        "customer_limit_reached"
    );
    assert_eq!(
        reason(&f.desk, &req(&codes[2], Some(10000), Some("13900139000"))),
        "ok"
    );
    // Their page lists exactly their redemptions, newest first (issue #13).
    let them = f
        .desk
        .add_customer(&CustomerDraft {
            phone: "13800138000".into(),
            name: "王".into(),
        })
        .expect("customer");
    let profile = f.desk.customer_profile(them.id).expect("profile");
    let got: Vec<&str> = profile
        .redemptions
        .items
        .iter()
        .map(|r| r.code.as_str())
        .collect();
    assert_eq!(got, vec![codes[1].as_str(), codes[0].as_str()]);
    assert_eq!(profile.redemptions.total, 2);
}

fn shanghai(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    chrono::FixedOffset::east_opt(8 * 3600)
        .unwrap()
        .with_ymd_and_hms(y, mo, d, h, mi, 0)
        .unwrap()
        .with_timezone(&Utc)
}

#[test]
fn weekday_windows_and_holidays_follow_the_shops_zone() {
    let f = fixture();
    let mut d = cash("周一早餐券");
    d.time_limits = vec![
        TimeLimit {
            day: DayKind::Monday,
            begin: Some(7 * 60),
            end: Some(10 * 60 + 59),
        },
        TimeLimit {
            day: DayKind::Holiday,
            begin: None,
            end: None,
        },
    ];
    let (_, codes) = linked(&f, "T1", d, 1);
    let conn = store::open(&f.db).expect("open");
    let at = |now| {
        redemptions::check(&conn, &req(&codes[0], Some(10000), None), now)
            .expect("check")
            .refusal
            .map(|r| r.reason())
    };
    // 2026-11-23 is a Monday in Shanghai; 07:00 there is 23:00 Sunday in UTC.
    assert_eq!(at(shanghai(2026, 11, 23, 7, 0)), None);
    assert_eq!(at(shanghai(2026, 11, 23, 10, 59)), None);
    assert_eq!(
        at(shanghai(2026, 11, 23, 11, 0)),
        Some("outside_time_window")
    );
    assert_eq!(
        at(shanghai(2026, 11, 24, 8, 0)),
        Some("outside_time_window")
    );
    let mut s = f.desk.settings().expect("settings");
    s.holidays = vec![chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()];
    f.desk.save_settings(s.clone()).expect("save");
    assert_eq!(
        at(shanghai(2026, 11, 24, 22, 0)),
        None,
        "a holiday, all day"
    );
    // Moving the shop to UTC moves the window with it.
    s.shop_utc_offset_minutes = 0;
    s.holidays.clear();
    f.desk.save_settings(s).expect("save");
    assert_eq!(
        at(shanghai(2026, 11, 23, 7, 0)),
        Some("outside_time_window")
    );
    assert_eq!(
        at(shanghai(2026, 11, 23, 15, 0)),
        None,
        "07:00 UTC on Monday"
    );
}

#[test]
fn a_term_after_issue_counts_from_the_code_s_import() {
    let f = fixture();
    let mut d = cash("次日起用");
    d.term = Some(FixedTerm {
        start_after_days: 1,
        valid_days: 7,
    });
    let (_, codes) = linked(&f, "T1", d, 1);
    let c = f
        .desk
        .redeem_check(&req(&codes[0], Some(10000), None))
        .expect("check");
    assert_eq!(
        c.refusal.as_ref().map(|r| r.reason()),
        Some("not_yet_valid")
    );
    let until = c.valid_until.expect("until");
    assert!(until - c.valid_from.expect("from") == Duration::days(7));
}

#[test]
fn templates_validate_filter_and_keep_their_stock() {
    let f = fixture();
    let mut bad = cash("");
    bad.quantity = 0;
    match f.desk.create_template(bad) {
        Err(e @ DeskError::Template(_)) => {
            assert_eq!(e.code(), "invalid_fields");
            let fields: Vec<_> = e.fields().into_iter().map(|x| x.field).collect();
            assert_eq!(fields, vec!["title", "quantity"]);
        }
        other => panic!("expected invalid_fields, got {:?}", other.map(|t| t.id)),
    }
    let mut small = cash("小库存");
    small.quantity = 3;
    let t = f.desk.create_template(small.clone()).expect("create");
    f.desk.create_batch("BIG", "big").expect("batch");
    f.desk
        .generate_codes(
            &GenerateRequest {
                ticket_type: "BIG".into(),
                count: 4,
                length: None,
                prefix: None,
            },
            &CancelToken::new(),
            &mut |_| {},
        )
        .expect("generate");
    let over = f
        .desk
        .link_batch(t.id, "BIG")
        .map(|_| ())
        .expect_err("over stock");
    assert_eq!(over.code(), "template_over_stock");
    small.quantity = 4;
    f.desk
        .update_template(t.id, small.clone())
        .expect("raise stock");
    f.desk.link_batch(t.id, "BIG").expect("now fits");
    small.quantity = 3;
    assert_eq!(
        f.desk
            .update_template(t.id, small)
            .map(|_| ())
            .expect_err("below codes")
            .code(),
        "invalid_fields"
    );
    let other = f.desk.create_template(cash("另一个")).expect("create");
    assert_eq!(
        f.desk
            .link_batch(other.id, "BIG")
            .map(|_| ())
            .expect_err("linked")
            .code(),
        "batch_linked_elsewhere"
    );

    let mut disc = cash("七折");
    disc.offer = Offer::Discount { percent_off: 30 };
    disc.begin_at = Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap();
    f.desk.create_template(disc).expect("discount");
    let q = |kind, begin_from, end_before| {
        f.desk
            .list_templates(&TemplateQuery {
                kind,
                begin_from,
                end_before,
                title: None,
                page: PageRequest {
                    page: 1,
                    per_page: 2,
                },
            })
            .expect("list")
    };
    let all = q(None, None, None);
    assert_eq!((all.total, all.items.len(), all.total_pages), (3, 2, 2));
    assert_eq!(q(Some(TemplateKind::Discount), None, None).total, 1);
    let from_2027 = Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).single();
    assert_eq!(
        q(None, from_2027, None).total,
        1,
        "begin_at >= is inclusive"
    );
    let end = Utc.with_ymd_and_hms(2099, 1, 1, 0, 0, 0).single();
    assert_eq!(q(None, None, end).total, 0, "end_at < is exclusive");
}

#[test]
fn two_desks_racing_for_the_same_codes_redeem_each_once() {
    let f = fixture();
    let (_, codes) = linked(&f, "T1", cash("满100减20"), 50);
    // Every desk is open before any redeems: the barrier lets them start together, so
    // they really contend. (Processes held at the pause point: cli/tests/races.rs.)
    let start = std::sync::Barrier::new(4);
    let wins: Vec<usize> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let (db, codes, start) = (&f.db, &codes, &start);
                s.spawn(move || {
                    let desk = Desk::open(db).expect("open");
                    start.wait();
                    codes
                        .iter()
                        .filter(|c| {
                            desk.redeem_use(&req(c, Some(10000), None))
                                .expect("use")
                                .redemption
                                .is_some()
                        })
                        .count()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    });
    assert_eq!(
        wins.iter().sum::<usize>(),
        50,
        "each code exactly once: {wins:?}"
    );
    assert_eq!(f.desk.get_batch("T1").expect("b").used_codes, 50);
    check_invariants(&f.db);
}

#[test]
fn the_counter_s_one_box_takes_coupon_and_bonus_codes() {
    use coupondesk_core::desk::counter_any::{CounterCheck, CounterOutcome, CounterRequest};
    use coupondesk_core::domain::bonus::BonusDraft;
    let f = fixture();
    let (_, codes) = linked(&f, "T1", cash("满100减20"), 1);
    let bonus = f
        .desk
        .create_bonuses(BonusDraft {
            amount_fen: 500,
            quantity: 1,
            expired_at: None,
            expires_on: None,
            min_amount_fen: 3000,
            xname: "FB".into(),
            product_sku: None,
            enabled: true,
        })
        .expect("bonus")
        .codes
        .remove(0);
    let ask = |code: &str, order_fen| CounterRequest {
        code: code.into(),
        order_fen,
        customer: None,
        product_sku: None,
    };
    let reason = |c: &CounterCheck| c.refusal_reason().unwrap_or_else(|| "ok".into());

    let c = f
        .desk
        .counter_check(&ask(&codes[0], Some(10000)))
        .expect("check");
    assert!(matches!(c, CounterCheck::Coupon(_)));
    assert_eq!(reason(&c), "ok");
    // Typed in lower case, without an amount: it is the bonus, and it needs the amount.
    let c = f
        .desk
        .counter_check(&ask(&bonus.to_lowercase(), None))
        .expect("check");
    assert!(matches!(c, CounterCheck::Bonus(_)), "{c:?}");
    assert_eq!(reason(&c), "amount_required");
    assert_eq!(
        reason(
            &f.desk
                .counter_check(&ask(&bonus, Some(2999)))
                .expect("check")
        ),
        "below_min_amount"
    );
    match f.desk.counter_use(&ask(&bonus, Some(3000))).expect("use") {
        CounterOutcome::Bonus(o) => {
            assert!(o.redeemed.is_some());
            assert_eq!(o.check.reduction_fen, Some(500));
        }
        other => panic!("expected a bonus outcome, got {other:?}"),
    }
    assert_eq!(
        reason(
            &f.desk
                .counter_check(&ask(&bonus, Some(3000)))
                .expect("check")
        ),
        "already_used"
    );
    // A code neither a coupon nor a bonus has is unknown, as a coupon code.
    let c = f
        .desk
        .counter_check(&ask("ABCDEFGHIJK", Some(3000)))
        .expect("check");
    assert!(matches!(c, CounterCheck::Coupon(_)));
    assert_eq!(reason(&c), "unknown");
}
