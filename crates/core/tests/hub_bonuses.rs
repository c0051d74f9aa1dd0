//! Bonuses between desks (docs/chain-mode.md, "Bonuses"): made, granted, used and
//! disabled at one desk, seen so at the others after a pull; never moved back; never
//! sent back. A real throwaway PostgreSQL cluster and real SQLite files.

mod common;

use common::hub::{
    bonus_status as status, make_bonuses as make, refusal_at, use_bonus_at as use_at,
};
use common::hub::{Chain, CODES};
use common::Fixture;
use coupondesk_core::domain::bonus::{BonusDraft, BonusRedeemRequest, BonusRefusal, BonusStatus};
use coupondesk_core::store::bonuses::BonusRef;
use coupondesk_core::store::redemptions::UndoTarget;

fn hub_count(chain: &Chain, sql: &'static str) -> i64 {
    chain.scalar(sql)
}

#[test]
fn a_bonus_made_at_one_desk_is_granted_used_and_disabled_everywhere_and_never_sent_back() {
    let chain = Chain::new("bonustravel", CODES);
    let a = chain.join(1, CODES, 1000);
    let b = chain.join(2, CODES, 1000);
    // A bonus run bigger than one chunk.
    let codes = make(&a, 2_500);
    let phone = "13800138000";
    a.f.desk
        .grant_bonus(BonusRef::Code(&codes[0]), phone, Some("李四"))
        .expect("grant at a");
    let pa = a.f.desk.hub_pull().expect("pull a");
    assert_eq!(
        (pa.bonuses_uploaded, pa.bonus_states_uploaded),
        (2_500, 1),
        "{pa:?}"
    );
    assert_eq!(
        hub_count(&chain, "SELECT count(*) FROM coupondesk.bonuses"),
        2_500
    );

    let pb = b.f.desk.hub_pull().expect("pull b");
    assert_eq!(pb.bonuses_downloaded, 2_500, "{pb:?}");
    let granted = b.f.desk.get_bonus(BonusRef::Code(&codes[0])).expect("at b");
    assert_eq!(granted.customer.as_deref(), Some(phone));
    assert_eq!(granted.amount_fen, 500);
    // Nothing of A's goes back up from B.
    let pb = b.f.desk.hub_pull().expect("pull b again");
    assert_eq!(
        (
            pb.bonuses_uploaded,
            pb.bonus_states_uploaded,
            pb.customers_uploaded
        ),
        (0, 0, 0),
        "{pb:?}"
    );

    // Used at B: A sees it used, and refuses it.
    assert!(use_at(&b, &codes[1]));
    let pb = b.f.desk.hub_pull().expect("pull b");
    assert_eq!(pb.bonus_states_uploaded, 1, "{pb:?}");
    let pa = a.f.desk.hub_pull().expect("pull a");
    assert_eq!(pa.bonuses_downloaded, 1, "{pa:?}");
    assert_eq!(status(&a.f, &codes[1]), BonusStatus::Used);
    let used = a.f.desk.get_bonus(BonusRef::Code(&codes[1])).expect("at a");
    assert!(!use_at(&a, &codes[1]), "used at B: refused at A: {used:?}");
    let pa = a.f.desk.hub_pull().expect("pull a again");
    assert_eq!(
        (pa.bonuses_uploaded, pa.bonus_states_uploaded),
        (0, 0),
        "B's use is not sent back as A's: {pa:?}"
    );
    // Not A's counter's work.
    let conn = rusqlite::Connection::open(&a.f.db).expect("open");
    let counted: i64 = conn
        .query_row("SELECT count(*) FROM bonus_redemptions", [], |r| r.get(0))
        .expect("count");
    assert_eq!(counted, 0);

    // Disabled at A: disabled at B.
    a.f.desk
        .disable_bonus(BonusRef::Code(&codes[2]))
        .expect("disable at a");
    a.f.desk.hub_pull().expect("pull a");
    b.f.desk.hub_pull().expect("pull b");
    assert_eq!(status(&b.f, &codes[2]), BonusStatus::Disabled);

    // The hub never moves a final status back: a disable after a use keeps the use.
    let answer = chain
        .desk(1)
        .call(async |c| coupondesk_core::hub::bonuses::disable_bonus(c, &codes[1]).await)
        .expect("disable at hub");
    assert_eq!(answer, "redeemed");
}

#[test]
fn joining_desks_bring_their_bonuses_and_take_the_hubs() {
    let cluster = pgtest::shared().expect("cluster");
    let url = cluster.fresh_db("bonusjoin").expect("db");
    let a = common::fixture();
    let b = common::fixture();
    let make_at = |f: &Fixture, n: u32| -> Vec<String> {
        f.desk
            .create_bonuses(BonusDraft {
                amount_fen: 800,
                quantity: n,
                expired_at: None,
                expires_on: None,
                min_amount_fen: 0,
                xname: String::new(),
                product_sku: None,
                enabled: true,
            })
            .expect("create")
            .codes
    };
    let a_codes = make_at(&a, 3);
    a.desk
        .grant_bonus(BonusRef::Code(&a_codes[0]), "13900139000", None)
        .expect("grant");
    let b_codes = make_at(&b, 2);
    a.desk.hub_init(&url, None).expect("init");
    let ja = a.desk.hub_join(&url, "S", "T1").expect("join a");
    assert_eq!(
        (ja.moved.bonuses_uploaded, ja.moved.bonuses_downloaded),
        (3, 0),
        "{ja:?}"
    );
    let jb = b.desk.hub_join(&url, "S", "T2").expect("join b");
    assert_eq!(
        (jb.moved.bonuses_uploaded, jb.moved.bonuses_downloaded),
        (2, 3),
        "{jb:?}"
    );
    let at_b = b.desk.get_bonus(BonusRef::Code(&a_codes[0])).expect("at b");
    assert_eq!(at_b.customer.as_deref(), Some("13900139000"));
    let pa = a.desk.hub_pull().expect("pull a");
    assert_eq!(pa.bonuses_downloaded, 2, "{pa:?}");
    assert_eq!(status(&a, &b_codes[1]), BonusStatus::Unused);
    let pb = b.desk.hub_pull().expect("pull b");
    assert_eq!(
        (
            pb.bonuses_uploaded,
            pb.bonus_states_uploaded,
            pb.bonuses_downloaded
        ),
        (0, 0, 0),
        "{pb:?}"
    );
}

#[test]
fn a_bonus_use_is_claimed_at_the_hub_first_refused_offline_and_given_back_by_an_undo() {
    let chain = Chain::new("bonusclaim", CODES);
    let a = chain.join(1, CODES, 1000);
    let b = chain.join(2, CODES, 500);
    let codes = make(&a, 3);
    a.f.desk.hub_pull().expect("pull a");
    b.f.desk.hub_pull().expect("pull b");

    // Used at B; A has not pulled since, yet the hub refuses it with B's who/where/when,
    // at A's check and at its use.
    assert!(use_at(&b, &codes[0]));
    let checked =
        a.f.desk
            .check_bonus(&BonusRedeemRequest {
                code: codes[0].clone(),
                order_fen: 10_000,
                product_sku: None,
                customer: None,
            })
            .expect("check at a");
    assert!(
        matches!(&checked.refusal, Some(BonusRefusal::UsedElsewhere { terminal, .. }) if terminal == "前台2"),
        "{checked:?}"
    );
    match refusal_at(&a, &codes[0]) {
        Some(BonusRefusal::UsedElsewhere {
            terminal, store, ..
        }) => assert_eq!((terminal.as_str(), store.as_str()), ("前台2", "淮海路店")),
        other => panic!("expected used elsewhere, got {other:?}"),
    }
    assert_eq!(
        status(&a.f, &codes[0]),
        BonusStatus::Unused,
        "nothing written at A"
    );

    // Disabled at A and pushed: B, not pulled since, is refused by the hub.
    a.f.desk
        .disable_bonus(BonusRef::Code(&codes[1]))
        .expect("disable at a");
    a.f.desk.hub_pull().expect("pull a");
    assert_eq!(refusal_at(&b, &codes[1]), Some(BonusRefusal::Disabled));

    // No answer within the deadline: refused (a bonus is not used offline), nothing
    // written.
    b.proxy.cut();
    assert_eq!(
        refusal_at(&b, &codes[2]),
        Some(BonusRefusal::OfflineNotAllowed)
    );
    assert_eq!(status(&b.f, &codes[2]), BonusStatus::Unused);
    b.proxy.restore();
    // A desk rests a few seconds after a missed deadline (desk/hub_session.rs).
    std::thread::sleep(std::time::Duration::from_secs(4));

    // Undo at B gives it back at the hub at once (queued too, for a hub that is gone).
    b.f.desk
        .bonus_redeem_undo(UndoTarget::Code(&codes[0]))
        .expect("undo at b");
    assert_eq!(
        hub_count(
            &chain,
            "SELECT count(*) FROM coupondesk.bonuses WHERE status = 'redeemed'"
        ),
        0,
        "released at once"
    );
    // A knew it used at B (its pull brought B's use); its next pull brings it back.
    let pa = a.f.desk.hub_pull().expect("pull a");
    assert_eq!(pa.bonuses_downloaded, 1, "the release: {pa:?}");
    assert_eq!(refusal_at(&a, &codes[0]), None, "given back by B's undo");
    assert_eq!(
        hub_count(
            &chain,
            "SELECT count(*) FROM coupondesk.bonuses WHERE status = 'redeemed' \
             AND used_terminal = 1"
        ),
        1
    );

    // An undo while the hub is gone: queued, sent by the next pull.
    a.proxy.cut();
    a.f.desk
        .bonus_redeem_undo(UndoTarget::Code(&codes[0]))
        .expect("undo at a, offline");
    a.proxy.restore();
    std::thread::sleep(std::time::Duration::from_secs(4));
    let pa = a.f.desk.hub_pull().expect("pull a");
    assert_eq!(pa.bonus_states_uploaded, 1, "the queued release: {pa:?}");
    assert_eq!(
        hub_count(
            &chain,
            "SELECT count(*) FROM coupondesk.bonuses WHERE status = 'redeemed'"
        ),
        0
    );
}
