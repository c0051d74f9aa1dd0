//! Chain mode's pull against a real PostgreSQL hub: desks on their own SQLite files
//! (`common::hub::Chain`) learn what the others did by the hub's change log: codes
//! redeemed and released elsewhere (with the batch counts), batches created at another
//! desk after the join, in pages that resume where a stopped pull left off.

mod common;

use common::hub::{redeem, Chain, ChainDesk, CODES};
use coupondesk_core::domain::redeem::Refusal;
use coupondesk_core::domain::CodeStatus;
use coupondesk_core::store::redemptions::UndoTarget;

fn status(d: &ChainDesk, code: &str) -> CodeStatus {
    let conn = rusqlite::Connection::open(&d.f.db).expect("open");
    let s: i64 = conn
        .query_row("SELECT status FROM codes WHERE code = ?1", [code], |r| {
            r.get(0)
        })
        .expect(code);
    CodeStatus::from_db(s).expect("status")
}

/// The newest redemption at the desk.
fn redeem_list_first(d: &ChainDesk) -> coupondesk_core::domain::redeem::Redemption {
    d.f.desk
        .list_redemptions(coupondesk_core::domain::PageRequest {
            page: 1,
            per_page: 1,
        })
        .expect("list")
        .items
        .remove(0)
}

fn used(d: &ChainDesk, batch: &str) -> u64 {
    d.f.desk.get_batch(batch).expect("batch").used_codes
}

fn audit_count(d: &ChainDesk, action: &str) -> i64 {
    let conn = rusqlite::Connection::open(&d.f.db).expect("open");
    conn.query_row(
        "SELECT count(*) FROM audit_log WHERE action = ?1",
        [action],
        |r| r.get(0),
    )
    .expect("audit")
}

#[test]
fn a_code_redeemed_at_one_desk_is_redeemed_at_the_other_after_its_pull_and_a_release_gives_it_back()
{
    let chain = Chain::new("pullredeem", CODES);
    let a = chain.join(1, CODES, 1000);
    let b = chain.join(2, CODES, 1000);
    redeem(&a, CODES[0]).redemption.expect("A redeems");
    redeem(&a, CODES[1]).redemption.expect("A redeems");
    assert_eq!(status(&b, CODES[0]), CodeStatus::Issued, "before the pull");

    let p = b.f.desk.hub_pull().expect("pull");
    assert_eq!(p.stopped, None);
    assert_eq!((p.changes, p.statuses_applied), (2, 2), "{p:?}");
    assert_eq!(status(&b, CODES[0]), CodeStatus::Redeemed);
    assert_eq!(status(&b, CODES[1]), CodeStatus::Redeemed);
    assert_eq!(used(&b, "TT1"), 2, "the counts follow");
    assert_eq!(
        audit_count(&b, "hub.pull"),
        1,
        "one entry per page, not per code"
    );
    // B has no redemption of its own for them: they are the hub's word, and B's counter
    // refuses them with A's who, where and when (asked of the hub), check and use alike.
    let a_made = redeem_list_first(&a);
    let check =
        b.f.desk
            .redeem_check(&common::hub::order(CODES[1]))
            .expect("check");
    let used_at_b = redeem(&b, CODES[1]);
    for refusal in [check.refusal, used_at_b.check.refusal] {
        match refusal {
            Some(Refusal::UsedElsewhere {
                operator,
                terminal,
                store,
                at,
            }) => {
                assert_eq!((terminal.as_str(), store.as_str()), ("前台1", "南京路店"));
                assert_eq!(operator, a_made.operator);
                assert!(at.timestamp_millis() > 0);
            }
            other => panic!("expected used_elsewhere with A's details, got {other:?}"),
        }
    }
    let s = b.f.desk.hub_status().expect("status");
    assert_eq!((s.lag, s.pulled_seq), (Some(0), p.pulled_seq));

    // A pull again changes nothing.
    let again = b.f.desk.hub_pull().expect("pull again");
    assert_eq!((again.changes, again.statuses_applied), (0, 0));

    // A undoes one; the release reaches the hub at A's push and B at its pull.
    a.f.desk
        .redeem_undo(UndoTarget::Code(CODES[0]))
        .expect("undo");
    a.f.desk.hub_push().expect("push");
    let p = b.f.desk.hub_pull().expect("pull");
    assert_eq!(p.statuses_applied, 1, "{p:?}");
    assert_eq!(status(&b, CODES[0]), CodeStatus::Issued, "given back");
    assert_eq!(used(&b, "TT1"), 1);
    // And B may redeem it now, online.
    assert!(redeem(&b, CODES[0]).redemption.is_some());

    // A's own redemption and its own undo stay A's: A's pull brings its own changes
    // back and changes nothing it holds.
    let pa = a.f.desk.hub_pull().expect("pull a");
    assert_eq!(status(&a, CODES[1]), CodeStatus::Redeemed);
    assert_eq!(
        status(&a, CODES[0]),
        CodeStatus::Redeemed,
        "B redeemed it after"
    );
    assert_eq!(used(&a, "TT1"), 2, "{pa:?}");
}

#[test]
fn a_release_never_undoes_what_this_desk_redeemed_itself() {
    let chain = Chain::new("pullkeep", CODES);
    let a = chain.join(1, CODES, 1000);
    let b = chain.join(2, CODES, 1000);
    // B redeems offline (its relay cut) a code A then redeems online: B's is a conflict
    // at B's push, its redemption stays. A undoes its own: the hub gives the code back,
    // but B's pull keeps B's redemption.
    let tpl = b.template;
    b.f.desk
        .set_template_offline_policy(
            tpl,
            coupondesk_core::domain::offline::OfflinePolicy::Allowed,
        )
        .expect("policy");
    b.proxy.cut();
    redeem(&b, CODES[2]).redemption.expect("B offline");
    b.proxy.restore();
    redeem(&a, CODES[2]).redemption.expect("A online");
    let pushed = b.f.desk.hub_push().expect("push b");
    assert_eq!(pushed.conflicts, 1, "{pushed:?}");
    a.f.desk
        .redeem_undo(UndoTarget::Code(CODES[2]))
        .expect("undo a");
    a.f.desk.hub_push().expect("push a");
    assert_eq!(
        chain.scalar("SELECT count(*) FROM coupondesk.codes WHERE status = 'redeemed'"),
        0
    );
    b.f.desk.hub_pull().expect("pull b");
    assert_eq!(
        status(&b, CODES[2]),
        CodeStatus::Redeemed,
        "B's own redemption"
    );
    assert_eq!(used(&b, "TT1"), 1);
}

#[test]
fn a_batch_created_at_one_desk_after_the_join_reaches_the_other() {
    let chain = Chain::new("pullbatch", CODES);
    let a = chain.join(1, CODES, 1000);
    let b = chain.join(3, CODES, 1000);
    a.f.generated("NEW1", 120);
    let codes = a.f.codes("NEW1", None);

    let pa = a.f.desk.hub_pull().expect("pull a");
    assert_eq!((pa.batches_uploaded, pa.codes_uploaded), (1, 120), "{pa:?}");
    assert_eq!(
        chain.scalar("SELECT count(*) FROM coupondesk.codes WHERE ticket_type = 'NEW1'"),
        120
    );
    // A's pull brings its own batch change back: nothing to download.
    assert_eq!(pa.batches_downloaded, 0, "{pa:?}");

    // A code of it redeemed at A before B pulls arrives redeemed.
    redeem_new(&a, &codes[5]);
    let pb = b.f.desk.hub_pull().expect("pull b");
    assert_eq!(
        (pb.batches_downloaded, pb.codes_downloaded),
        (1, 120),
        "{pb:?}"
    );
    let got = b.f.desk.get_batch("NEW1").expect("NEW1 at B");
    assert_eq!((got.total_codes, got.used_codes), (120, 1));
    assert_eq!(status(&b, &codes[5]), CodeStatus::Redeemed);
    assert_eq!(status(&b, &codes[6]), CodeStatus::Issued);
    assert_eq!(b.f.desk.hub_status().expect("status").lag, Some(0));
    // A second pull does not upload B's copy back or download again.
    let pb = b.f.desk.hub_pull().expect("pull b again");
    assert_eq!(
        (
            pb.batches_uploaded,
            pb.batches_downloaded,
            pb.codes_downloaded
        ),
        (0, 0, 0)
    );
}

/// Redeems a code of a batch A made after the join (linked to A's template first).
fn redeem_new(a: &ChainDesk, code: &str) {
    a.f.desk.link_batch(a.template, "NEW1").expect("link");
    redeem(a, code).redemption.expect("A redeems the new code");
}

#[test]
fn a_pull_stopped_between_pages_resumes_without_loss() {
    let chain = Chain::new("pullpages", CODES);
    let a = chain.join(1, CODES, 1000);
    let b = chain.join(2, CODES, 1000);
    for c in &CODES[..5] {
        redeem(&a, c).redemption.expect("A redeems");
    }
    a.f.desk
        .redeem_undo(UndoTarget::Code(CODES[4]))
        .expect("undo");
    a.f.desk.hub_push().expect("push");
    let hub_seq = chain.scalar("SELECT max(seq) FROM coupondesk.changes");
    assert_eq!(hub_seq, 6, "5 claims and a release");

    // Pages of 2, stopped after the first: exactly those two applied, the lag shows
    // the rest.
    let p = b.f.desk.hub_pull_pages(2, Some(1)).expect("one page");
    assert_eq!((p.pages, p.changes, p.pulled_seq), (1, 2, 2), "{p:?}");
    assert_eq!(used(&b, "TT1"), 2);
    assert_eq!(b.f.desk.hub_status().expect("status").lag, Some(4));
    // The same page applied again (a pull that died after its commit but before it
    // said so) changes nothing.
    let conn = rusqlite::Connection::open(&b.f.db).expect("open");
    conn.execute("UPDATE hub_link SET pulled_seq = 0", [])
        .expect("rewind");
    let p = b.f.desk.hub_pull_pages(2, Some(1)).expect("again");
    assert_eq!((p.changes, p.statuses_applied, p.pulled_seq), (2, 0, 2));
    assert_eq!(used(&b, "TT1"), 2, "counted once");

    let p = b.f.desk.hub_pull_pages(2, None).expect("the rest");
    assert_eq!((p.pages, p.pulled_seq), (2, 6), "{p:?}");
    for c in &CODES[..4] {
        assert_eq!(status(&b, c), CodeStatus::Redeemed, "{c}");
    }
    assert_eq!(
        status(&b, CODES[4]),
        CodeStatus::Issued,
        "claimed then released"
    );
    assert_eq!(used(&b, "TT1"), 4);
    assert_eq!(b.f.desk.hub_status().expect("status").lag, Some(0));
}

#[test]
fn an_unreachable_hub_stops_the_pull_and_keeps_what_was_applied() {
    let chain = Chain::new("pulloff", CODES);
    let a = chain.join(1, CODES, 1000);
    let b = chain.join(2, CODES, 300);
    redeem(&a, CODES[0]).redemption.expect("A redeems");
    b.proxy.cut();
    let p = b.f.desk.hub_pull().expect("an answer, not an error");
    assert!(p.stopped.is_some(), "{p:?}");
    assert_eq!(p.pulled_seq, 0);
    b.proxy.restore();
    let p = b.f.desk.hub_pull().expect("pull");
    assert_eq!((p.stopped, p.pulled_seq), (None, 1));
    assert_eq!(status(&b, CODES[0]), CodeStatus::Redeemed);
}

#[test]
fn another_desks_claim_wakes_the_listener_within_a_second() {
    use coupondesk_core::hub::listen::Wake;
    use std::time::{Duration, Instant};
    let chain = Chain::new("pulllisten", CODES);
    let a = chain.join(1, CODES, 1000);
    let b = chain.join(2, CODES, 1000);
    let l = b.f.desk.hub_listener().expect("listen").expect("joined");
    assert_eq!(
        l.wait(Duration::from_millis(300), Duration::from_millis(50)),
        Wake::Quiet
    );
    let claimed = Instant::now();
    redeem(&a, CODES[0]).redemption.expect("A redeems");
    let woke = l.wait(Duration::from_secs(5), Duration::from_millis(200));
    let after = claimed.elapsed();
    assert_eq!(woke, Wake::Change(1));
    assert!(after < Duration::from_secs(1), "woken after {after:?}");
    eprintln!("listener woken {after:?} after the claim (200 ms debounce included)");
    // What a woken desk does: pull.
    let p =
        b.f.desk
            .hub_pull_background()
            .expect("pull")
            .expect("joined");
    assert_eq!(p.statuses_applied, 1);
    assert_eq!(status(&b, CODES[0]), CodeStatus::Redeemed);

    // The network cut: the listener says so (the window falls back to its timer).
    b.proxy.cut();
    assert_eq!(
        l.wait(Duration::from_secs(5), Duration::from_millis(50)),
        Wake::Lost
    );
    b.proxy.restore();
    drop(l);
}

#[test]
fn codes_added_to_a_batch_the_hub_has_reach_the_other_desks() {
    let chain = Chain::new("pulladded", CODES);
    let a = chain.join(1, CODES, 1000);
    let b = chain.join(3, CODES, 1000);
    let hub_codes =
        || chain.scalar("SELECT count(*) FROM coupondesk.codes WHERE ticket_type = 'TT1'");
    // The first pulls mark each desk's TT1 as at the hub (it had every code already).
    assert_eq!(a.f.desk.hub_pull().expect("pull a").codes_uploaded, 0);
    assert_eq!(b.f.desk.hub_pull().expect("pull b").codes_uploaded, 0);
    // A second import into TT1 at A.
    let more = ["M3K8Q1W7E2RT", "N4L9P2X6C1VB", "B7H3J8K2L5QW"];
    let file = a.f.file(
        "more.csv",
        format!("code\n{}\n", more.join("\n")).as_bytes(),
    );
    a.f.import("TT1", &file, &Default::default());
    let pa = a.f.desk.hub_pull().expect("pull a");
    assert_eq!((pa.batches_uploaded, pa.codes_uploaded), (0, 3), "{pa:?}");
    assert_eq!(hub_codes(), 9);
    // B gets them with its pull, and does not send them back.
    let pb = b.f.desk.hub_pull().expect("pull b");
    assert_eq!(pb.codes_downloaded, 3, "{pb:?}");
    assert_eq!(b.f.desk.get_batch("TT1").expect("TT1").total_codes, 9);
    assert!(redeem(&b, more[1]).redemption.is_some());
    let pb = b.f.desk.hub_pull().expect("pull b again");
    assert_eq!((pb.codes_uploaded, pb.codes_downloaded), (0, 0), "{pb:?}");
    // A's check refuses the code B redeemed, with B's counter.
    match a
        .f
        .desk
        .redeem_check(&common::hub::order(more[1]))
        .expect("check")
        .refusal
    {
        Some(Refusal::UsedElsewhere { terminal, .. }) => assert_eq!(terminal, "前台3"),
        other => panic!("expected used_elsewhere, got {other:?}"),
    }
    a.f.check_invariants();
    b.f.check_invariants();
}

#[test]
fn status_lists_every_terminal_with_its_last_contact_and_lag_as_the_hub_records_them() {
    let chain = Chain::new("pullcontact", CODES);
    let a = chain.join(1, CODES, 1000);
    let b = chain.join(2, CODES, 1000);
    // Terminal 3 never came: the hub has no contact for it.
    redeem(&a, CODES[0]).redemption.expect("A redeems");
    redeem(&a, CODES[1]).redemption.expect("A redeems");
    let before = chain.scalar("SELECT coalesce(max(seq), 0) FROM coupondesk.changes");
    assert!(before >= 2);

    let s = b.f.desk.hub_status().expect("status");
    let names: Vec<(&str, &str, bool)> = s
        .terminals
        .iter()
        .map(|t| (t.store.as_str(), t.terminal.as_str(), t.this_desk))
        .collect();
    assert_eq!(
        names,
        [
            ("南京路店", "前台1", false),
            ("淮海路店", "前台2", true),
            ("淮海路店", "前台3", false),
        ]
    );
    // B has pulled nothing: its lag is the whole log; its status was a contact.
    assert_eq!(s.terminals[1].lag, before);
    assert!(s.terminals[1].last_contact_ms.is_some());
    assert_eq!(s.terminals[2].last_contact_ms, None);

    // A pulls: the hub records A's contact and that A has applied everything.
    let t0 = chrono::Utc::now().timestamp_millis() - 5_000;
    a.f.desk.hub_pull().expect("pull a");
    let s = b.f.desk.hub_status().expect("status");
    assert_eq!(s.terminals[0].lag, 0, "{:?}", s.terminals);
    assert!(s.terminals[0].last_contact_ms.is_some_and(|ms| ms >= t0));
    // B redeems: A is one change behind until its next pull.
    redeem(&b, CODES[2]).redemption.expect("B redeems");
    let s = b.f.desk.hub_status().expect("status");
    assert_eq!(s.terminals[0].lag, 1, "{:?}", s.terminals);

    // A terminal touches only its own row, whatever it sends: no role of a desk names
    // another terminal, and a smaller seq never moves a terminal's mark back.
    let pulled_before = chain.scalar("SELECT pulled_seq FROM coupondesk.terminals WHERE id = 1");
    chain
        .desk(1)
        .call(async |c| coupondesk_core::hub::terminals::touch(c, 0).await)
        .expect("touch");
    assert_eq!(
        chain.scalar("SELECT pulled_seq FROM coupondesk.terminals WHERE id = 1"),
        pulled_before
    );
    let refused = chain.desk(1).call(async |c| {
        c.execute(
            "UPDATE coupondesk.terminals SET pulled_seq = 0 WHERE id = 2",
            &[],
        )
        .await
        .map_err(|e| coupondesk_core::hub::HubError::from_pg(&e))
    });
    assert!(
        refused.is_err(),
        "a terminal may not update the terminals table"
    );
}
