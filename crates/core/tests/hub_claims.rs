//! The hub's claim functions (hub schema 2) against a real PostgreSQL cluster, each test
//! in its own database, each terminal connected as its own login role: one code goes to
//! one claim however many desks race for it, a repeated claim is the same claim, offline
//! uploads of a double become exactly one conflict, leases, releases, and the rights.

mod common;

use chrono::{TimeZone, Utc};
use common::hub::Chain;
use coupondesk_core::hub::claims::{self, ClaimAnswer, ClaimRequest};
use coupondesk_core::hub::{Hub, HubError};

fn req<'a>(code: &'a str, claim: &'a str, staff: &'a str, online: bool) -> ClaimRequest<'a> {
    ClaimRequest {
        code,
        claim_id: claim,
        staff,
        at: Utc
            .with_ymd_and_hms(2026, 12, 7, 4, 3, 0)
            .single()
            .expect("time"),
        order_fen: Some(10_000),
        reduction_fen: 2_000,
        online,
    }
}

#[test]
fn one_code_goes_to_one_claim_and_the_other_desk_learns_who_where_when() {
    let chain = Chain::new("claim", &["AAAA11112222"]);
    let (a, b) = (chain.desk(1), chain.desk(2));
    let (ca, cb) = (claims::new_claim_id(), claims::new_claim_id());
    assert_eq!(
        claims::claim(&a, &req("AAAA11112222", &ca, "小王", true)).expect("a"),
        ClaimAnswer::Claimed
    );
    match claims::claim(&b, &req("AAAA11112222", &cb, "小李", true)).expect("b") {
        ClaimAnswer::Taken(h) => {
            assert_eq!(h.staff.as_deref(), Some("小王"));
            assert_eq!(h.terminal.as_deref(), Some("前台1"));
            assert_eq!(h.store.as_deref(), Some("南京路店"));
            assert_eq!(h.at, Some(req("", "", "", true).at));
        }
        other => panic!("expected taken, got {other:?}"),
    }
    // A claim repeated after a lost answer is the same claim.
    assert_eq!(
        claims::claim(&a, &req("AAAA11112222", &ca, "小王", true)).expect("again"),
        ClaimAnswer::Claimed
    );
    assert_eq!(
        chain.scalar("SELECT count(*) FROM coupondesk.redemptions"),
        1
    );
    assert_eq!(
        chain.scalar("SELECT count(*) FROM coupondesk.changes WHERE kind = 'code'"),
        1
    );
    assert_eq!(
        claims::claim(
            &a,
            &req("NOSUCHCODE00", &claims::new_claim_id(), "小王", true)
        )
        .expect("unknown"),
        ClaimAnswer::Unknown
    );
}

#[test]
fn desks_racing_for_the_same_codes_get_each_code_once() {
    let codes: Vec<String> = (0..40).map(|i| format!("RACE{i:08}")).collect();
    let refs: Vec<&str> = codes.iter().map(String::as_str).collect();
    let chain = Chain::new("race", &refs);
    let desks: Vec<Hub> = (1..=3).map(|t| chain.desk(t)).collect();
    let won: Vec<Vec<String>> = std::thread::scope(|s| {
        let runs: Vec<_> = desks
            .iter()
            .map(|d| {
                let codes = &codes;
                s.spawn(move || {
                    codes
                        .iter()
                        .filter(|code| {
                            let id = claims::new_claim_id();
                            matches!(
                                claims::claim(d, &req(code, &id, "s", true)),
                                Ok(ClaimAnswer::Claimed)
                            )
                        })
                        .cloned()
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        runs.into_iter().map(|r| r.join().expect("join")).collect()
    });
    let mut all: Vec<&String> = won.iter().flatten().collect();
    all.sort();
    let total = all.len();
    all.dedup();
    assert_eq!(total, all.len(), "a code was claimed twice");
    assert_eq!(total, codes.len(), "every code was claimed once");
    assert_eq!(
        chain.scalar("SELECT count(*) FROM coupondesk.redemptions"),
        codes.len() as i64
    );
}

#[test]
fn an_offline_double_becomes_exactly_one_conflict_and_a_repeat_adds_none() {
    let chain = Chain::new("conflict", &["DOUBLE000001", "FREECODE0001"]);
    let (a, b) = (chain.desk(1), chain.desk(2));
    let first = claims::new_claim_id();
    assert_eq!(
        claims::claim(&a, &req("DOUBLE000001", &first, "小王", true)).expect("a"),
        ClaimAnswer::Claimed
    );
    let later = claims::new_claim_id();
    for _ in 0..2 {
        match claims::claim(&b, &req("DOUBLE000001", &later, "小李", false)).expect("upload") {
            ClaimAnswer::Conflict { reason, holder } => {
                assert_eq!(reason, "redeemed");
                assert_eq!(holder.terminal.as_deref(), Some("前台1"));
                assert_eq!(holder.store.as_deref(), Some("南京路店"));
            }
            other => panic!("expected a conflict, got {other:?}"),
        }
    }
    assert_eq!(chain.scalar("SELECT count(*) FROM coupondesk.conflicts"), 1);
    assert_eq!(
        chain.scalar("SELECT count(*) FROM coupondesk.redemptions"),
        2
    );
    // An offline redemption of a free code is simply claimed.
    assert_eq!(
        claims::claim(
            &b,
            &req("FREECODE0001", &claims::new_claim_id(), "小李", false)
        )
        .expect("free"),
        ClaimAnswer::Claimed
    );
    assert_eq!(
        chain.scalar("SELECT count(*) FROM coupondesk.redemptions WHERE NOT online"),
        2
    );
}

#[test]
fn a_released_claim_gives_the_code_back_and_only_its_own_terminal_may_release_it() {
    let chain = Chain::new("release", &["UNDOCODE0001"]);
    let (a, b) = (chain.desk(1), chain.desk(2));
    let id = claims::new_claim_id();
    assert_eq!(
        claims::claim(&a, &req("UNDOCODE0001", &id, "小王", true)).expect("a"),
        ClaimAnswer::Claimed
    );
    assert!(!claims::release(&b, &id).expect("b may not"));
    assert!(claims::release(&a, &id).expect("release"));
    assert!(claims::release(&a, &id).expect("twice is the same"));
    assert_eq!(
        claims::claim(
            &b,
            &req("UNDOCODE0001", &claims::new_claim_id(), "小李", true)
        )
        .expect("b"),
        ClaimAnswer::Claimed
    );
}

#[test]
fn a_leased_code_is_refused_to_every_other_terminal_and_a_returned_lease_frees_it() {
    let chain = Chain::new("lease", &["LEASED000001", "LEASED000002"]);
    chain
        .admin
        .call(async |c| {
            c.batch_execute(
                "INSERT INTO coupondesk.leases (id, ticket_type, terminal_id, codes, created_by)
                 VALUES (1, 'TT1', 2, 2, 'manager');
                 UPDATE coupondesk.codes SET lease_id = 1;",
            )
            .await
            .map_err(|e| HubError::from_pg(&e))
        })
        .expect("lease");
    let (a, b) = (chain.desk(1), chain.desk(2));
    match claims::claim(
        &a,
        &req("LEASED000001", &claims::new_claim_id(), "小王", true),
    )
    .expect("a")
    {
        ClaimAnswer::Leased(h) => {
            assert_eq!(h.terminal.as_deref(), Some("前台2"));
            assert_eq!(h.store.as_deref(), Some("淮海路店"));
        }
        other => panic!("expected leased, got {other:?}"),
    }
    // Uploaded from offline, the same is a conflict with no claim kept.
    match claims::claim(
        &a,
        &req("LEASED000001", &claims::new_claim_id(), "小王", false),
    )
    .expect("upload")
    {
        ClaimAnswer::Conflict { reason, .. } => assert_eq!(reason, "leased"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(
        claims::claim(
            &b,
            &req("LEASED000001", &claims::new_claim_id(), "小李", true)
        )
        .expect("holder"),
        ClaimAnswer::Claimed
    );
    chain
        .admin
        .call(async |c| {
            c.batch_execute("UPDATE coupondesk.leases SET returned_at = now() WHERE id = 1")
                .await
                .map_err(|e| HubError::from_pg(&e))
        })
        .expect("return");
    assert_eq!(
        claims::claim(
            &a,
            &req("LEASED000002", &claims::new_claim_id(), "小王", true)
        )
        .expect("returned"),
        ClaimAnswer::Claimed
    );
}

#[test]
fn a_terminal_cannot_change_a_code_but_through_the_claim() {
    let chain = Chain::new("rights", &["RIGHTS000001"]);
    let a = chain.desk(1);
    let direct = a.call(async |c| {
        c.execute(
            "UPDATE coupondesk.codes SET status = 'redeemed' WHERE code = 'RIGHTS000001'",
            &[],
        )
        .await
        .map_err(|e| HubError::from_pg(&e))
    });
    assert!(
        matches!(&direct, Err(HubError::Denied(_))),
        "a terminal updated a code directly: {direct:?}"
    );
    // The admin role is no terminal: the claim refuses it rather than guess one.
    let admin = claims::claim(
        &chain.admin,
        &req("RIGHTS000001", &claims::new_claim_id(), "x", true),
    );
    assert!(admin.is_err(), "{admin:?}");
}
