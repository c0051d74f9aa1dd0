//! A voucher's use at a joined desk is claimed at a real PostgreSQL hub first
//! (docs/chain-mode.md, "Vouchers"): a voucher sold at A and pulled by B is used at B
//! online, and A's use is then refused with B's who/where/when; with the hub cut, a use
//! is refused by default; allowed by a manager, two offline uses make one conflict.

mod common;

use common::hub::{same_voucher, sell, sql_i64, Chain, CODES};
use coupondesk_core::store::hub_offline_uses::HubUseKind;
use coupondesk_core::store::vouchers::VoucherError;
use coupondesk_core::DeskError;

#[test]
fn a_voucher_used_online_at_one_desk_is_refused_at_the_other_with_who_where_and_when() {
    let chain = Chain::new("vclaim", CODES);
    let a = chain.join(1, CODES, 1000);
    let b = chain.join(2, CODES, 1000);
    let sold = sell(&a, "全屋打扫");
    a.f.desk.hub_pull().expect("pull a");
    b.f.desk.hub_pull().expect("pull b");
    let at_b = same_voucher(&a, sold, &b);

    let used = b.f.desk.use_voucher(at_b).expect("use at b, online");
    assert!(!used.valid);
    assert_eq!(
        chain.scalar(
            "SELECT count(*) FROM coupondesk.vouchers v JOIN coupondesk.terminals t
               ON t.id = v.used_terminal WHERE t.name = '前台2'"
        ),
        1,
        "claimed at the hub by B before B's pull"
    );

    // A has not pulled since: its own rules find the voucher unused; the hub refuses.
    match a.f.desk.use_voucher(sold) {
        Err(DeskError::Voucher(VoucherError::UsedElsewhere {
            by,
            terminal,
            store,
            at,
            ..
        })) => {
            assert_eq!((terminal.as_str(), store.as_str()), ("前台2", "淮海路店"));
            assert!(!by.is_empty());
            assert_eq!(
                Some(at.timestamp_millis()),
                used.used_at.map(|t| t.timestamp_millis())
            );
        }
        other => panic!("expected used elsewhere, got {other:?}"),
    }
    assert!(
        a.f.desk.get_voucher(sold).expect("at a").valid,
        "nothing written at A"
    );

    // B's upload finds the claim its own: no conflict with itself, none anywhere.
    let pb = b.f.desk.hub_pull().expect("pull b");
    assert_eq!(
        (pb.voucher_uses_uploaded, pb.voucher_conflicts),
        (1, 0),
        "{pb:?}"
    );
    assert_eq!(
        chain.scalar("SELECT count(*) FROM coupondesk.voucher_conflicts"),
        0
    );
    // A voucher sold at B and not pushed yet is sent with the claim.
    let fresh = sell(&b, "洗车");
    b.f.desk
        .use_voucher(fresh)
        .expect("sold here, used at once");
    assert_eq!(
        chain.scalar("SELECT count(*) FROM coupondesk.vouchers WHERE used_at IS NOT NULL"),
        2
    );
}

#[test]
fn offline_a_voucher_is_refused_unless_a_manager_allows_it_and_then_a_double_is_one_conflict() {
    let chain = Chain::new("voffline", CODES);
    let a = chain.join(1, CODES, 1000);
    let b = chain.join(2, CODES, 500);
    let sold = sell(&a, "全屋打扫");
    a.f.desk.hub_pull().expect("pull a");
    b.f.desk.hub_pull().expect("pull b");
    let at_b = same_voucher(&a, sold, &b);

    a.proxy.cut();
    b.proxy.cut();
    assert!(!b.f.desk.hub_vouchers_offline().expect("setting"));
    match b.f.desk.use_voucher(at_b) {
        Err(DeskError::Voucher(VoucherError::OfflineNotAllowed { id })) => assert_eq!(id, at_b),
        other => panic!("expected offline refusal, got {other:?}"),
    }
    assert!(b.f.desk.get_voucher(at_b).expect("at b").valid);

    for d in [&a, &b] {
        assert!(d.f.desk.hub_set_vouchers_offline(true).expect("allow"));
    }
    assert_eq!(
        sql_i64(
            &b.f,
            "SELECT count(*) FROM audit_log WHERE action = ?1",
            "hub.vouchers_offline"
        ),
        1,
        "audited"
    );
    a.f.desk.use_voucher(sold).expect("offline at a");
    b.f.desk.use_voucher(at_b).expect("offline at b");
    a.proxy.restore();
    b.proxy.restore();
    a.f.desk.hub_pull().expect("pull a");
    let pb = b.f.desk.hub_pull().expect("pull b");
    assert_eq!(
        (pb.voucher_uses_uploaded, pb.voucher_conflicts),
        (0, 1),
        "{pb:?}"
    );
    assert_eq!(
        chain.scalar("SELECT count(*) FROM coupondesk.voucher_conflicts"),
        1
    );

    // The window's list: the voucher, B's use, the one the hub kept; settled once, with
    // a note, audited.
    let listed = b.f.desk.hub_use_conflicts().expect("list");
    assert_eq!(listed.len(), 1, "{listed:?}");
    let c = &listed[0];
    assert_eq!(
        (c.kind, c.id, c.name.as_str()),
        (HubUseKind::Voucher, at_b, "全屋打扫")
    );
    assert_eq!(
        (c.kept_terminal.as_str(), c.kept_store.as_str()),
        ("前台1", "南京路店")
    );
    assert!(c.settled_at.is_none());
    assert!(
        b.f.desk
            .hub_use_conflict_settle(HubUseKind::Voucher, at_b, "  ")
            .is_err(),
        "a note is required"
    );
    assert!(b
        .f
        .desk
        .hub_use_conflict_settle(HubUseKind::Voucher, at_b, "customer paid again")
        .expect("settle"));
    assert!(!b
        .f
        .desk
        .hub_use_conflict_settle(HubUseKind::Voucher, at_b, "twice")
        .expect("settled already"));
    let listed = b.f.desk.hub_use_conflicts().expect("list");
    assert_eq!(listed[0].settlement.as_deref(), Some("customer paid again"));
    assert_eq!(
        sql_i64(
            &b.f,
            "SELECT count(*) FROM audit_log WHERE action = ?1",
            "voucher.hub_conflict_settle"
        ),
        1
    );
}
