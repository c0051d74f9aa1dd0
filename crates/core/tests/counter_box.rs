//! The counter's one box as staff really type into it (issue 13): full-width characters
//! and spaces from a Chinese input method, a code in the wrong letter case, and bonus
//! redemptions in the log with their undo.

mod common;

use common::{bonus_draft, cash, fixture, Fixture};
use coupondesk_core::desk::counter_any::{CounterCheck, CounterOutcome, CounterRequest};
use coupondesk_core::domain::bonus::BonusStatus;
use coupondesk_core::domain::redeem::{RedemptionKind, Refusal};
use coupondesk_core::domain::PageRequest;
use coupondesk_core::store::bonuses::BonusRef;
use coupondesk_core::store::redemptions::UndoTarget;
use coupondesk_core::ApiError;
use rusqlite::Connection;

fn linked(f: &Fixture, t: &str, n: u64) -> Vec<String> {
    f.generated(t, n);
    let tpl = f.desk.create_template(cash("满100减20")).expect("template");
    f.desk.link_batch(tpl.id, t).expect("link");
    f.codes(t, None)
}

fn req(code: &str, order_fen: i64) -> CounterRequest {
    CounterRequest {
        code: code.into(),
        order_fen: Some(order_fen),
        customer: None,
        product_sku: None,
    }
}

/// ASCII to its full-width form (what a Chinese IME in full-width mode types).
fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| char::from_u32(u32::from(c) + 0xFEE0).expect("full-width"))
        .collect()
}

fn swap_case(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_uppercase() {
                c.to_ascii_lowercase()
            } else {
                c.to_ascii_uppercase()
            }
        })
        .collect()
}

fn audit_count(f: &Fixture, action: &str) -> i64 {
    Connection::open(&f.db)
        .expect("open")
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = ?1",
            [action],
            |r| r.get(0),
        )
        .expect("count")
}

fn changes(f: &Fixture) -> i64 {
    Connection::open(&f.db)
        .expect("open")
        .query_row("SELECT count(*) FROM changes", [], |r| r.get(0))
        .expect("count")
}

#[test]
fn full_width_and_padded_codes_are_checked_and_redeemed_as_the_code() {
    let f = fixture();
    let codes = linked(&f, "T1", 3);
    let typed = format!("\u{3000} {}\t", full_width(&codes[0]));
    let CounterCheck::Coupon(c) = f.desk.counter_check(&req(&typed, 10000)).expect("check") else {
        panic!("a coupon");
    };
    assert_eq!(
        (c.code.as_str(), c.refusal),
        (codes[0].as_str(), None),
        "the answer names the code that was used"
    );
    let CounterOutcome::Coupon(o) = f.desk.counter_use(&req(&typed, 10000)).expect("use") else {
        panic!("a coupon");
    };
    assert_eq!(
        o.redemption.map(|r| r.code),
        Some(codes[0].clone()),
        "redeemed"
    );
    // Undo by code takes the same forms.
    let undone = f
        .desk
        .redeem_undo(UndoTarget::Code(&full_width(&codes[0])))
        .expect("undo");
    assert!(undone.undone_at.is_some());
}

#[test]
fn a_code_in_the_wrong_case_is_refused_with_the_code_meant() {
    let f = fixture();
    let codes = linked(&f, "T1", 50);
    let code = codes
        .iter()
        .find(|c| c.chars().any(|ch| ch.is_ascii_alphabetic()))
        .expect("a code with letters");
    let wrong = swap_case(code);
    let CounterCheck::Coupon(c) = f.desk.counter_check(&req(&wrong, 10000)).expect("check") else {
        panic!("a coupon");
    };
    assert_eq!(
        c.refusal,
        Some(Refusal::WrongCase {
            suggestion: code.clone()
        })
    );
    assert_eq!(
        c.refusal.map(|r| r.to_string()),
        Some(format!("codes are case-sensitive; did you mean {code}?"))
    );
    // Redeeming the wrong case redeems nothing.
    let CounterOutcome::Coupon(o) = f.desk.counter_use(&req(&wrong, 10000)).expect("use") else {
        panic!("a coupon");
    };
    assert!(o.redemption.is_none());
    // A code no case of which exists stays unknown.
    let CounterCheck::Coupon(c) = f
        .desk
        .counter_check(&req("ZZ-none-9", 10000))
        .expect("check")
    else {
        panic!("a coupon");
    };
    assert_eq!(c.refusal, Some(Refusal::Unknown));
}

#[test]
fn a_bonus_redemption_is_logged_and_undone_back_to_unused() {
    let f = fixture();
    let coupon = linked(&f, "T1", 1);
    let bonus = f
        .desk
        .create_bonuses(bonus_draft(500, 1))
        .expect("bonus")
        .codes
        .remove(0);
    f.desk.counter_use(&req(&coupon[0], 10000)).expect("coupon");
    // Newest first by time: the bonus a few milliseconds later.
    std::thread::sleep(std::time::Duration::from_millis(5));
    // Typed in lower case and full width: bonus codes are any case.
    let CounterOutcome::Bonus(b) = f
        .desk
        .counter_use(&req(&full_width(&bonus.to_ascii_lowercase()), 3000))
        .expect("bonus")
    else {
        panic!("a bonus");
    };
    assert!(b.redeemed.is_some());

    let log = f
        .desk
        .list_redemptions(PageRequest {
            page: 1,
            per_page: 10,
        })
        .expect("log");
    assert_eq!(log.total, 2);
    let kinds: Vec<_> = log.items.iter().map(|r| (r.kind, r.code.clone())).collect();
    assert_eq!(
        kinds,
        vec![
            (RedemptionKind::Bonus, bonus.clone()),
            (RedemptionKind::Coupon, coupon[0].clone())
        ],
        "both kinds, newest first"
    );
    let row = &log.items[0];
    assert_eq!(row.reduction_fen, 500);

    let queued = changes(&f);
    let undone = f
        .desk
        .bonus_redeem_undo(UndoTarget::Id(row.id))
        .expect("undo");
    assert_eq!(
        changes(&f),
        queued,
        "spec 002 has no unuse: nothing is queued"
    );
    assert!(undone.undone_at.is_some());
    assert_eq!(
        f.desk
            .get_bonus(BonusRef::Code(&bonus))
            .expect("bonus")
            .status,
        BonusStatus::Unused,
        "the bonus can be used again"
    );
    assert_eq!(audit_count(&f, "bonus.redeem_undo"), 1);
    let again = f
        .desk
        .bonus_redeem_undo(UndoTarget::Id(row.id))
        .expect_err("twice");
    assert_eq!(ApiError::from(&again).code, "redemption_already_undone");
    // It can be redeemed again, and the log keeps the undone row.
    f.desk
        .counter_use(&req(&bonus, 3000))
        .expect("redeem again");
    let log = f
        .desk
        .list_redemptions(PageRequest {
            page: 1,
            per_page: 10,
        })
        .expect("log");
    assert_eq!(log.total, 3);
    assert_eq!(
        log.items
            .iter()
            .filter(|r| r.kind == RedemptionKind::Bonus && r.undone_at.is_some())
            .count(),
        1
    );
}

#[test]
fn a_bonus_redemption_past_its_window_stays() {
    let f = fixture();
    let mut s = f.desk.settings().expect("settings");
    s.undo_window_minutes = 0;
    f.desk.save_settings(s).expect("save");
    let bonus = f
        .desk
        .create_bonuses(bonus_draft(500, 1))
        .expect("bonus")
        .codes
        .remove(0);
    f.desk.counter_use(&req(&bonus, 3000)).expect("bonus");
    std::thread::sleep(std::time::Duration::from_millis(5));
    let log = f
        .desk
        .list_redemptions(PageRequest {
            page: 1,
            per_page: 10,
        })
        .expect("log");
    let e = f
        .desk
        .bonus_redeem_undo(UndoTarget::Id(log.items[0].id))
        .expect_err("too late");
    assert_eq!(ApiError::from(&e).code, "undo_window_passed");
    assert_eq!(
        f.desk
            .get_bonus(BonusRef::Code(&bonus))
            .expect("bonus")
            .status,
        BonusStatus::Used
    );
}
