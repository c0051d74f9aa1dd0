//! Uses made while the hub does not answer, beside codes (docs/chain-mode.md, "Bonuses"
//! and "Vouchers"), against a real PostgreSQL hub through relays the tests cut: a bonus
//! is refused offline by default; allowed by a manager, it is used and uploaded at the
//! next push; two desks using one bonus offline make one use conflict, listed and
//! settled; a voucher claim's release the hub did not take waits in the hub outbox and
//! reaches the hub at the next push, after which another desk can use the voucher.

mod common;

use std::time::{Duration, Instant};

use common::hub::{
    bonus_status, make_bonuses, refusal_at, same_voucher, sell, sql_i64, use_bonus_for, Chain,
    CODES,
};
use coupondesk_core::domain::bonus::{BonusRefusal, BonusStatus};
use coupondesk_core::hub::HubError;
use coupondesk_core::store::hub_offline_uses::HubUseKind;
use coupondesk_core::store::vouchers::VoucherError;
use coupondesk_core::DeskError;

/// A desk rests a few seconds after a missed deadline (desk/hub_session.rs): the tests
/// wait it out before asking the hub again.
fn rest() {
    std::thread::sleep(Duration::from_secs(4));
}

#[test]
fn a_bonus_is_refused_offline_by_default_and_when_allowed_is_used_and_uploaded_at_the_push() {
    let chain = Chain::new("bonusoff", CODES);
    let a = chain.join(1, CODES, 1000);
    let b = chain.join(2, CODES, 500);
    let codes = make_bonuses(&a, 2);
    a.f.desk.hub_pull().expect("pull a");
    b.f.desk.hub_pull().expect("pull b");

    b.proxy.cut();
    assert!(!b.f.desk.hub_bonuses_offline().expect("setting"));
    assert_eq!(
        refusal_at(&b, &codes[0]),
        Some(BonusRefusal::OfflineNotAllowed),
        "refused by default"
    );
    assert_eq!(bonus_status(&b.f, &codes[0]), BonusStatus::Unused);

    assert!(b.f.desk.hub_set_bonuses_offline(true).expect("allow"));
    assert!(b.f.desk.hub_bonuses_offline().expect("setting"));
    assert!(
        !b.f.desk.hub_vouchers_offline().expect("vouchers"),
        "the other switch"
    );
    assert_eq!(
        sql_i64(
            &b.f,
            "SELECT count(*) FROM audit_log WHERE action = ?1",
            "hub.bonuses_offline"
        ),
        1,
        "audited"
    );
    let used = use_bonus_for(&b, &codes[0], 12_300);
    assert_eq!(used.check.refusal, None, "{used:?}");
    assert!(used.redeemed.is_some(), "used offline");
    assert_eq!(bonus_status(&b.f, &codes[0]), BonusStatus::Used);
    assert_eq!(
        chain.scalar("SELECT count(*) FROM coupondesk.bonuses WHERE status = 'redeemed'"),
        0,
        "the hub has not heard of it yet"
    );

    b.proxy.restore();
    rest();
    let pb = b.f.desk.hub_pull().expect("pull b");
    assert_eq!(
        (pb.bonus_states_uploaded, pb.bonus_conflicts),
        (1, 0),
        "{pb:?}"
    );
    assert_eq!(
        chain.scalar(
            "SELECT count(*) FROM coupondesk.bonuses WHERE status = 'redeemed'
                AND used_terminal = 2 AND used_order_fen = 12300"
        ),
        1,
        "uploaded as B's use, with its order"
    );
    // A hears of it at its pull, and the hub refuses it there.
    a.f.desk.hub_pull().expect("pull a");
    assert_eq!(bonus_status(&a.f, &codes[0]), BonusStatus::Used);
    assert!(a.f.desk.hub_use_conflicts().expect("list").is_empty());
}

#[test]
fn two_desks_using_one_bonus_offline_make_one_conflict_listed_with_both_uses_and_settled() {
    let chain = Chain::new("bonusdouble", CODES);
    let a = chain.join(1, CODES, 500);
    let b = chain.join(2, CODES, 500);
    let codes = make_bonuses(&a, 1);
    let code = &codes[0];
    a.f.desk.hub_pull().expect("pull a");
    b.f.desk.hub_pull().expect("pull b");

    a.proxy.cut();
    b.proxy.cut();
    for d in [&a, &b] {
        assert!(d.f.desk.hub_set_bonuses_offline(true).expect("allow"));
    }
    assert!(use_bonus_for(&a, code, 10_000).redeemed.is_some());
    assert!(use_bonus_for(&b, code, 25_000).redeemed.is_some());
    a.proxy.restore();
    b.proxy.restore();
    rest();

    let pa = a.f.desk.hub_pull().expect("pull a");
    assert_eq!(
        (pa.bonus_states_uploaded, pa.bonus_conflicts),
        (1, 0),
        "{pa:?}"
    );
    let pb = b.f.desk.hub_pull().expect("pull b");
    assert_eq!(
        (pb.bonus_states_uploaded, pb.bonus_conflicts),
        (0, 1),
        "{pb:?}"
    );
    assert_eq!(
        chain.scalar(
            "SELECT count(*) FROM coupondesk.bonuses WHERE status = 'redeemed'
                AND used_terminal = 1"
        ),
        1,
        "the hub keeps the first use it heard of"
    );
    // Nothing more goes up, and the conflict is not recorded twice.
    let pb = b.f.desk.hub_pull().expect("pull b again");
    assert_eq!(
        (pb.bonus_states_uploaded, pb.bonus_conflicts),
        (0, 0),
        "{pb:?}"
    );
    assert!(
        a.f.desk.hub_use_conflicts().expect("list a").is_empty(),
        "A's use was kept"
    );

    // The Sync page's list: the bonus, B's use and the one the hub kept, both with
    // who, where, when and the order.
    let listed = b.f.desk.hub_use_conflicts().expect("list b");
    assert_eq!(listed.len(), 1, "{listed:?}");
    let c = &listed[0];
    assert_eq!(
        (c.kind, c.name.as_str(), c.value_fen),
        (HubUseKind::Bonus, code.as_str(), 500)
    );
    // This desk's own terminal name (the machine's), as its redemptions record it.
    assert_eq!(c.used_amount_fen, Some(25_000));
    assert!(
        !c.used_by.is_empty() && !c.used_terminal.is_empty() && c.used_at.is_some(),
        "{c:?}"
    );
    assert_eq!(
        (
            c.kept_terminal.as_str(),
            c.kept_store.as_str(),
            c.kept_amount_fen
        ),
        ("前台1", "南京路店", Some(10_000))
    );
    assert!(!c.kept_by.is_empty(), "{c:?}");
    assert!(c.settled_at.is_none());
    assert_eq!(
        sql_i64(
            &b.f,
            "SELECT count(*) FROM audit_log WHERE action = ?1",
            "bonus.hub_conflict"
        ),
        1
    );

    assert!(
        b.f.desk
            .hub_use_conflict_settle(HubUseKind::Bonus, c.id, " ")
            .is_err(),
        "a note is required"
    );
    assert!(
        !b.f.desk
            .hub_use_conflict_settle(HubUseKind::Voucher, c.id, "wrong kind")
            .expect("no voucher conflict"),
        "settled by kind and id"
    );
    assert!(b
        .f
        .desk
        .hub_use_conflict_settle(HubUseKind::Bonus, c.id, "customer paid 5.00 back")
        .expect("settle"));
    assert!(!b
        .f
        .desk
        .hub_use_conflict_settle(HubUseKind::Bonus, c.id, "twice")
        .expect("settled already"));
    let listed = b.f.desk.hub_use_conflicts().expect("list b");
    assert_eq!(
        listed[0].settlement.as_deref(),
        Some("customer paid 5.00 back")
    );
    assert_eq!(
        sql_i64(
            &b.f,
            "SELECT count(*) FROM audit_log WHERE action = ?1",
            "bonus.hub_conflict_settle"
        ),
        1
    );
}

fn admin_sql(chain: &Chain, sql: &'static str) {
    chain
        .admin
        .call(async move |c| {
            c.batch_execute(sql)
                .await
                .map_err(|e| HubError::from_pg(&e))
        })
        .expect(sql);
}

#[test]
fn a_voucher_release_the_hub_did_not_take_is_queued_and_sent_at_the_next_push() {
    let chain = Chain::new("vrelease", CODES);
    let a = chain.join(1, CODES, 3000);
    let b = chain.join(2, CODES, 1000);
    let sold = sell(&a, "全屋打扫");
    a.f.desk.hub_pull().expect("pull a");
    b.f.desk.hub_pull().expect("pull b");
    let at_b = same_voucher(&a, sold, &b);

    // A's write of the use fails after the hub took the claim (a trigger stands in for a
    // full disk), and the release it then sends never comes back: the hub's function
    // hangs, and A's network is cut while it waits.
    rusqlite::Connection::open(&a.f.db)
        .expect("open a")
        .execute_batch(
            "CREATE TRIGGER test_disk_full BEFORE UPDATE OF used_at ON vouchers
               WHEN NEW.used_at IS NOT NULL
             BEGIN SELECT RAISE(ABORT, 'disk I/O error (test)'); END;",
        )
        .expect("trigger");
    admin_sql(
        &chain,
        "ALTER FUNCTION coupondesk.release_voucher(text, timestamptz)
           RENAME TO release_voucher_real;
         CREATE FUNCTION coupondesk.release_voucher(p_uid text, p_used_at timestamptz)
         RETURNS boolean LANGUAGE plpgsql AS $$
         BEGIN
           PERFORM pg_sleep(20);
           RAISE EXCEPTION 'the release never arrived (test)';
         END $$;",
    );
    let used = std::thread::scope(|s| {
        let using = s.spawn(|| a.f.desk.use_voucher(sold));
        let since = Instant::now();
        let in_flight = || {
            chain.scalar(
                "SELECT count(*) FROM pg_stat_activity
                  WHERE state = 'active' AND query LIKE '%release_voucher(%'
                    AND pid <> pg_backend_pid()",
            ) > 0
        };
        while !in_flight() && since.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(in_flight(), "A's release reached the hub and hangs there");
        a.proxy.cut();
        using.join().expect("the use's thread")
    });
    assert!(used.is_err(), "the write failed: {used:?}");
    assert!(a.f.desk.get_voucher(sold).expect("at a").valid);
    assert_eq!(
        sql_i64(
            &a.f,
            "SELECT count(*) FROM hub_outbox WHERE op = ?1",
            "voucher_release"
        ),
        1,
        "queued"
    );
    assert_eq!(
        chain.scalar("SELECT count(*) FROM coupondesk.vouchers WHERE used_terminal = 1"),
        1,
        "the claim stays at the hub"
    );
    // Meanwhile B is refused: the hub holds A's claim.
    match b.f.desk.use_voucher(at_b) {
        Err(DeskError::Voucher(VoucherError::UsedElsewhere { terminal, .. })) => {
            assert_eq!(terminal, "前台1")
        }
        other => panic!("expected used elsewhere, got {other:?}"),
    }
    admin_sql(
        &chain,
        "DROP FUNCTION coupondesk.release_voucher(text, timestamptz);
         ALTER FUNCTION coupondesk.release_voucher_real(text, timestamptz)
           RENAME TO release_voucher;",
    );

    // Still cut: the push keeps it.
    let pushed = a.f.desk.hub_push().expect("push a, cut");
    assert!(pushed.stopped.is_some(), "{pushed:?}");
    assert_eq!(pushed.left, 1, "{pushed:?}");

    let (uid, claimed_ms): (String, i64) = rusqlite::Connection::open(&a.f.db)
        .expect("open a")
        .query_row(
            "SELECT claim_id, used_at FROM hub_outbox WHERE op = 'voucher_release'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("the queued release");

    a.proxy.restore();
    let pushed = a.f.desk.hub_push().expect("push a");
    assert_eq!((pushed.released, pushed.left), (1, 0), "{pushed:?}");
    assert_eq!(
        chain.scalar("SELECT count(*) FROM coupondesk.vouchers WHERE used_at IS NOT NULL"),
        0,
        "released at the hub"
    );
    let used = b.f.desk.use_voucher(at_b).expect("B uses it now");
    assert!(!used.valid);
    // A release that already landed finds nothing: the same one sent again leaves B's
    // use alone.
    rusqlite::Connection::open(&a.f.db)
        .expect("open a")
        .execute(
            "INSERT INTO hub_outbox (op, claim_id, created_at, used_at)
             VALUES ('voucher_release', ?1, 0, ?2)",
            rusqlite::params![uid, claimed_ms],
        )
        .expect("queue again");
    let pushed = a.f.desk.hub_push().expect("push a again");
    assert_eq!((pushed.released, pushed.left), (1, 0), "{pushed:?}");
    assert_eq!(
        chain.scalar(
            "SELECT count(*) FROM coupondesk.vouchers v JOIN coupondesk.terminals t
               ON t.id = v.used_terminal WHERE t.name = '前台2'"
        ),
        1
    );
}
