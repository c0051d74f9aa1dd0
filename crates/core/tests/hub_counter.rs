//! The counter in chain mode: desks on their own SQLite files joined to one real
//! PostgreSQL hub, each through a relay the test cuts to take that desk offline. A code
//! redeemed at one desk is refused at the other with who, where and when; offline, the
//! template's policy decides; an offline double becomes one conflict at the push; an
//! undo gives the code back.

mod common;

use std::time::{Duration, Instant};

use common::hub::{order, redeem, Chain, ChainDesk, CODES};
use coupondesk_core::domain::offline::OfflinePolicy;
use coupondesk_core::domain::redeem::Refusal;
use coupondesk_core::domain::CodeStatus;
use coupondesk_core::store::redemptions::UndoTarget;

fn status(d: &ChainDesk, code: &str) -> Option<CodeStatus> {
    d.f.desk.redeem_check(&order(code)).expect("check").status
}

#[test]
fn a_code_redeemed_at_one_desk_is_refused_at_the_other_with_who_where_when() {
    let chain = Chain::new("counter", CODES);
    let a = chain.join(1, CODES, 1000);
    let b = chain.join(2, CODES, 1000);
    let used = redeem(&a, CODES[0]);
    let r = used.redemption.expect("redeemed at A");
    let again = redeem(&b, CODES[0]);
    assert!(again.redemption.is_none());
    match again.check.refusal {
        Some(Refusal::UsedElsewhere {
            at,
            operator,
            terminal,
            store,
        }) => {
            assert_eq!(operator, r.operator);
            assert_eq!(terminal, "前台1");
            assert_eq!(store, "南京路店");
            assert_eq!(at.timestamp_millis(), r.redeemed_at.timestamp_millis());
        }
        other => panic!("expected used_elsewhere, got {other:?}"),
    }
    // Nothing was written at B: the code is still usable there as far as B knows.
    assert_eq!(status(&b, CODES[0]), Some(CodeStatus::Issued));
    assert_eq!(
        chain.scalar("SELECT count(*) FROM coupondesk.redemptions WHERE online"),
        1
    );
    a.f.check_invariants();
    b.f.check_invariants();
}

#[test]
fn offline_the_template_decides_and_a_double_becomes_one_conflict_at_the_push() {
    let chain = Chain::new("offline", CODES);
    let a = chain.join(1, CODES, 1000);
    let b = chain.join(2, CODES, 500);
    b.proxy.cut();

    // The default policy: not without the hub. Answered at the deadline, not later.
    let t0 = Instant::now();
    let refused = redeem(&b, CODES[1]);
    let waited = t0.elapsed();
    assert_eq!(refused.check.refusal, Some(Refusal::OfflineNotAllowed));
    assert!(
        waited >= Duration::from_millis(450) && waited < Duration::from_millis(2000),
        "the offline answer took {waited:?} with a 500 ms deadline"
    );

    b.f.desk
        .set_template_offline_policy(b.template, OfflinePolicy::Allowed)
        .expect("policy");
    let made = redeem(&b, CODES[1]).redemption.expect("redeemed offline");
    let free = redeem(&b, CODES[2]).redemption.expect("redeemed offline");
    // Meanwhile A, online, takes CODES[1] at the hub first.
    let first = redeem(&a, CODES[1]).redemption.expect("A online");

    // Still cut: the push keeps everything queued.
    let stuck = b.f.desk.hub_push().expect("push offline");
    assert_eq!((stuck.uploaded, stuck.conflicts, stuck.left), (0, 0, 2));
    assert!(stuck.stopped.is_some());

    b.proxy.restore();
    let pushed = b.f.desk.hub_push().expect("push");
    assert_eq!(
        (pushed.uploaded, pushed.conflicts, pushed.left),
        (1, 1, 0),
        "{pushed:?}"
    );
    let again = b.f.desk.hub_push().expect("push again");
    assert_eq!((again.uploaded, again.conflicts, again.left), (0, 0, 0));
    assert_eq!(chain.scalar("SELECT count(*) FROM coupondesk.conflicts"), 1);

    let inbox = b.f.desk.hub_conflicts().expect("inbox");
    assert_eq!(inbox.len(), 1);
    let c = &inbox[0];
    assert_eq!((c.code.as_str(), c.reason.as_str()), (CODES[1], "redeemed"));
    assert_eq!(c.redemption_id, made.id);
    assert_eq!(c.kept_terminal.as_deref(), Some("前台1"));
    assert_eq!(c.kept_store.as_deref(), Some("南京路店"));
    assert_eq!(c.kept_staff.as_deref(), Some(first.operator.as_str()));
    assert!(b
        .f
        .desk
        .hub_conflict_settle(c.id, "顾客补付 20 元")
        .expect("settle"));
    assert!(!b.f.desk.hub_conflict_settle(c.id, "again").expect("twice"));
    let settled = b.f.desk.hub_conflicts().expect("inbox");
    assert_eq!(settled[0].settlement.as_deref(), Some("顾客补付 20 元"));

    // The free code's upload is an ordinary claim: A is now refused it.
    assert_eq!(free.code, CODES[2]);
    assert!(matches!(
        redeem(&a, CODES[2]).check.refusal,
        Some(Refusal::UsedElsewhere { .. })
    ));
    a.f.check_invariants();
    b.f.check_invariants();
}

#[test]
fn a_limited_policy_counts_this_counters_offline_redemptions_and_their_value() {
    let chain = Chain::new("limited", CODES);
    let b = chain.join(2, CODES, 300);
    b.proxy.cut();
    b.f.desk
        .set_template_offline_policy(
            b.template,
            OfflinePolicy::Limited {
                per_terminal_per_day: 2,
                max_value_fen: 3000,
            },
        )
        .expect("policy");
    // 20.00 off each: the first fits in 30.00, the second would make 40.00.
    assert!(redeem(&b, CODES[0]).redemption.is_some());
    assert_eq!(
        redeem(&b, CODES[1]).check.refusal,
        Some(Refusal::OfflineValueReached { max_fen: 3000 })
    );
    b.f.desk
        .set_template_offline_policy(
            b.template,
            OfflinePolicy::Limited {
                per_terminal_per_day: 1,
                max_value_fen: 100_000,
            },
        )
        .expect("policy");
    assert_eq!(
        redeem(&b, CODES[1]).check.refusal,
        Some(Refusal::OfflineLimitReached { limit: 1 })
    );
    // An undone offline redemption no longer counts, and its upload is dropped.
    b.f.desk
        .redeem_undo(UndoTarget::Code(CODES[0]))
        .expect("undo");
    assert!(redeem(&b, CODES[1]).redemption.is_some());
    b.proxy.restore();
    let pushed = b.f.desk.hub_push().expect("push");
    assert_eq!((pushed.uploaded, pushed.left), (1, 0), "{pushed:?}");
    assert_eq!(
        chain.scalar("SELECT count(*) FROM coupondesk.redemptions"),
        1,
        "the undone redemption never reached the hub"
    );
}

#[test]
fn an_undo_releases_the_claim_so_another_desk_may_redeem_the_code() {
    let chain = Chain::new("undo", CODES);
    let a = chain.join(1, CODES, 1000);
    let b = chain.join(3, CODES, 1000);
    redeem(&a, CODES[3]).redemption.expect("A");
    a.f.desk
        .redeem_undo(UndoTarget::Code(CODES[3]))
        .expect("undo");
    let pushed = a.f.desk.hub_push().expect("push");
    assert_eq!((pushed.released, pushed.left), (1, 0), "{pushed:?}");
    let r = redeem(&b, CODES[3]);
    assert!(r.redemption.is_some(), "{:?}", r.check.refusal);
    assert_eq!(
        chain.scalar("SELECT count(*) FROM coupondesk.redemptions WHERE released_at IS NOT NULL"),
        1
    );
    assert_eq!(
        chain.scalar(
            "SELECT count(*) FROM coupondesk.codes c JOIN coupondesk.terminals t
               ON t.id = c.claim_terminal WHERE c.status = 'redeemed' AND t.name = '前台3'"
        ),
        1,
        "the code is B's at the hub now"
    );
}

/// A claim the hub committed for a desk process that died before its own commit.
fn orphan(chain: &Chain, terminal: i64, code: &str) -> String {
    use coupondesk_core::hub::claims::{self, ClaimAnswer, ClaimRequest};
    let id = claims::new_claim_id();
    let answer = claims::claim(
        &chain.desk(terminal),
        &ClaimRequest {
            code,
            claim_id: &id,
            staff: "小王",
            at: chrono::Utc::now(),
            order_fen: Some(10_000),
            reduction_fen: 2_000,
            online: true,
        },
    )
    .expect("claim");
    assert_eq!(answer, ClaimAnswer::Claimed);
    id
}

#[test]
fn a_claim_a_crash_left_is_adopted_by_the_next_scan_or_released_by_the_push() {
    let chain = Chain::new("orphan", CODES);
    let a = chain.join(1, CODES, 1000);
    let b = chain.join(2, CODES, 1000);
    // Scanned again at the same counter: the claim is this redemption's.
    let first = orphan(&chain, 1, CODES[4]);
    let r = redeem(&a, CODES[4]);
    assert!(r.redemption.is_some(), "{:?}", r.check.refusal);
    let conn = rusqlite::Connection::open(&a.f.db).expect("open");
    let kept: String = conn
        .query_row(
            "SELECT claim_id FROM redemptions WHERE undone_at IS NULL",
            [],
            |r| r.get(0),
        )
        .expect("claim id");
    assert_eq!(kept, first);
    // Never scanned again: the push finds it and gives the code back.
    orphan(&chain, 1, CODES[5]);
    assert!(matches!(
        redeem(&b, CODES[5]).check.refusal,
        Some(Refusal::UsedElsewhere { .. })
    ));
    let pushed = a.f.desk.hub_push().expect("push");
    assert_eq!(pushed.orphans_released, 1, "{pushed:?}");
    assert!(redeem(&b, CODES[5]).redemption.is_some());
    // The adopted claim stayed.
    assert_eq!(
        chain.scalar("SELECT count(*) FROM coupondesk.codes WHERE status = 'redeemed'"),
        2
    );
}

#[test]
fn a_leased_stack_redeems_offline_at_its_counter_only() {
    let chain = Chain::new("leases", CODES);
    let a = chain.join(1, CODES, 1000);
    let b = chain.join(2, CODES, 300);
    let lease =
        a.f.desk
            .hub_lease("TT1", "淮海路店", "前台2", 2, "stack for counter 2")
            .expect("lease");
    assert_eq!(lease.codes.len(), 2);
    let mut sorted: Vec<&str> = CODES.to_vec();
    sorted.sort();
    assert_eq!(
        lease.codes,
        sorted[..2],
        "the batch's first free codes in code order"
    );
    match redeem(&a, &lease.codes[0]).check.refusal {
        Some(Refusal::LeasedElsewhere { terminal, store }) => {
            assert_eq!((terminal.as_str(), store.as_str()), ("前台2", "淮海路店"));
        }
        other => panic!("expected leased_elsewhere, got {other:?}"),
    }
    // The lease reaches B with its next pull (the window's wake-up runs one at once).
    assert_eq!(b.f.desk.hub_pull().expect("pull").leased, Some(2));
    assert_eq!(b.f.desk.hub_push().expect("push").leased, 2);
    // Offline, with the default policy: the leased code passes, another does not.
    b.proxy.cut();
    let free = sorted[2];
    assert!(redeem(&b, &lease.codes[0]).redemption.is_some());
    assert_eq!(
        redeem(&b, free).check.refusal,
        Some(Refusal::OfflineNotAllowed)
    );
    b.proxy.restore();
    let pushed = b.f.desk.hub_push().expect("push");
    assert_eq!(
        (pushed.uploaded, pushed.conflicts, pushed.leased),
        (1, 0, 1),
        "{pushed:?}"
    );
    assert_eq!(a.f.desk.hub_lease_return(lease.id).expect("return"), 1);
    assert_eq!(a.f.desk.hub_lease_return(lease.id).expect("twice"), 0);
    assert!(redeem(&a, &lease.codes[1]).redemption.is_some());
}

#[test]
fn a_check_asks_the_hub_so_it_says_what_the_redemption_would() {
    let chain = Chain::new("check", CODES);
    let a = chain.join(1, CODES, 1000);
    let b = chain.join(2, CODES, 300);
    let check = |d: &ChainDesk, code: &str| d.f.desk.redeem_check(&order(code)).expect("check");
    // Used at A; B has not pulled: its own rules pass, the hub's word refuses.
    let r = redeem(&a, CODES[0]).redemption.expect("redeemed at A");
    match check(&b, CODES[0]).refusal {
        Some(Refusal::UsedElsewhere {
            terminal,
            store,
            at,
            ..
        }) => {
            assert_eq!((terminal.as_str(), store.as_str()), ("前台1", "南京路店"));
            assert_eq!(at.timestamp_millis(), r.redeemed_at.timestamp_millis());
        }
        other => panic!("expected used_elsewhere, got {other:?}"),
    }
    // Leased to B: refused at A's check, fine at B's.
    let lease =
        a.f.desk
            .hub_lease("TT1", "淮海路店", "前台2", 1, "one for counter 2")
            .expect("lease");
    let leased = lease.codes[0].as_str();
    assert!(matches!(
        check(&a, leased).refusal,
        Some(Refusal::LeasedElsewhere { .. })
    ));
    assert_eq!(check(&b, leased).refusal, None);
    // Disabled at the hub.
    let free: Vec<&str> = CODES
        .iter()
        .copied()
        .filter(|c| *c != CODES[0] && *c != leased)
        .collect();
    let disabled = free[0].to_owned();
    chain
        .admin
        .call(async move |c| {
            c.execute(
                "UPDATE coupondesk.codes SET status = 'disabled' WHERE code = $1",
                &[&disabled],
            )
            .await
            .map_err(|e| coupondesk_core::hub::HubError::from_pg(&e))
        })
        .expect("disable");
    assert_eq!(check(&a, free[0]).refusal, Some(Refusal::Disabled));
    // A free code is fine; offline, the check stands on the desk's own rules, at once
    // after the first miss (the counter rests).
    assert_eq!(check(&a, free[1]).refusal, None);
    b.proxy.cut();
    assert_eq!(check(&b, free[1]).refusal, None);
    let t = Instant::now();
    assert_eq!(check(&b, free[2]).refusal, None);
    assert!(
        t.elapsed() < Duration::from_millis(200),
        "{:?}",
        t.elapsed()
    );
}

#[test]
fn a_disable_reaches_the_hub_at_once_or_at_the_push_and_never_undoes_a_redemption() {
    let chain = Chain::new("disable", CODES);
    let a = chain.join(1, CODES, 1000);
    let b = chain.join(2, CODES, 1000);
    let hub_disabled =
        || chain.scalar("SELECT count(*) FROM coupondesk.codes WHERE status = 'disabled'");
    // Online: sent with the disable itself; B's check and redemption refuse the code,
    // and B's pull brings the status.
    assert_eq!(
        a.f.desk.disable_code(CODES[1]).expect("disable"),
        CodeStatus::Disabled
    );
    assert_eq!(hub_disabled(), 1);
    assert_eq!(
        b.f.desk
            .redeem_check(&order(CODES[1]))
            .expect("check")
            .refusal,
        Some(Refusal::Disabled)
    );
    assert_eq!(redeem(&b, CODES[1]).check.refusal, Some(Refusal::Disabled));
    b.f.desk.hub_pull().expect("pull");
    assert_eq!(status(&b, CODES[1]), Some(CodeStatus::Disabled));
    // Offline: queued, sent by the push.
    a.proxy.cut();
    a.f.desk.disable_code(CODES[2]).expect("disable offline");
    assert_eq!(hub_disabled(), 1);
    a.proxy.restore();
    let pushed = a.f.desk.hub_push().expect("push");
    assert_eq!((pushed.disabled, pushed.left), (1, 0), "{pushed:?}");
    assert_eq!(hub_disabled(), 2);
    // Redeemed at B before A's disable reached the hub: the hub keeps the redemption,
    // A its disable.
    assert!(redeem(&b, CODES[3]).redemption.is_some());
    a.proxy.cut();
    a.f.desk.disable_code(CODES[3]).expect("disable");
    a.proxy.restore();
    let pushed = a.f.desk.hub_push().expect("push");
    assert_eq!(
        (pushed.disabled, pushed.disabled_too_late, pushed.left),
        (0, 1, 0),
        "{pushed:?}"
    );
    assert_eq!(hub_disabled(), 2);
    assert_eq!(
        chain.scalar("SELECT count(*) FROM coupondesk.disables"),
        2,
        "who disabled what, for the two codes the hub disabled"
    );
    assert_eq!(status(&a, CODES[3]), Some(CodeStatus::Disabled));
    a.f.check_invariants();
    b.f.check_invariants();
}

#[test]
fn when_the_network_drops_the_pools_connections_the_next_scan_still_claims_online() {
    let chain = Chain::new("dropped", CODES);
    let a = chain.join(1, CODES, 1000);
    // Warm pool: its connections are the ones the cut drops.
    assert!(redeem(&a, CODES[0]).redemption.is_some());
    assert_eq!(
        a.f.desk
            .redeem_check(&order(CODES[1]))
            .expect("check")
            .refusal,
        None
    );
    // The network drops the pool's connections silently: each is found dead only when
    // used, and fails at once.
    a.proxy.sever();
    // The template allows no offline use: only an online claim redeems it.
    let t = Instant::now();
    let r = redeem(&a, CODES[1]);
    assert!(r.redemption.is_some(), "{:?}", r.check.refusal);
    assert!(
        t.elapsed() < Duration::from_millis(900),
        "{:?}",
        t.elapsed()
    );
    a.proxy.sever();
    let pushed = a.f.desk.hub_push().expect("push");
    assert_eq!(pushed.stopped, None, "{pushed:?}");
}
