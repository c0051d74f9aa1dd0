//! The platform desk (docs/chain-mode.md, "The platform desk"; issue 16: the platforms
//! are synced once per merchant, not once per desk), against a real PostgreSQL hub and
//! the platforms' simulator over loopback: desks A and B on their own SQLite files, B
//! the platform desk with 002 (bonuses) pointed at the simulator. A change made at A
//! reaches the simulator once, through B, across a crash between B's route and its
//! confirm, and across a switch of the platform desk while B holds taken rows.

mod common;

use std::time::Duration;

use common::hub::{Chain, ChainDesk, CODES};
use common::{bonus_draft, secret_only};
use coupondesk_core::desk::hub_relay;
use coupondesk_core::hub::HubError;
use coupondesk_core::store::hub_keys::{self, Keyed};
use coupondesk_core::sync::engine::RunOptions;
use coupondesk_core::sync::{ActivationRequest, Platform};
use coupondesk_core::Desk;
use coupondesk_remote_sim::{Sim, SimConfig, SimHandle};

fn quick() -> RunOptions {
    RunOptions {
        max_duration: Duration::from_secs(60),
        backoff_base: Duration::from_millis(5),
        backoff_cap: Duration::from_millis(50),
        timeout: Duration::from_secs(5),
        pull: false,
        ..RunOptions::default()
    }
}

/// Points the desk's 002 (bonuses) at the simulator.
fn bonus_platform(desk: &Desk, sim: &SimHandle) {
    let mut s = secret_only(Platform::Bonus, Some("bonus-token-002"), false);
    s.enabled = true;
    s.base_url = format!("{}/{}", sim.base_url(), Platform::Bonus.id());
    desk.sync_save_settings(&s).expect("002 settings");
}

/// Bonuses the simulator holds with this remark (`xname`; the connector appends its
/// idempotency tag in brackets).
fn at_sim(sim: &SimHandle, xname: &str) -> usize {
    let tagged = format!("{xname} [");
    sim.state()["p002"]["bonuses"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|b| b["xname"].as_str().is_some_and(|x| x.starts_with(&tagged)))
                .count()
        })
        .unwrap_or(0)
}

fn scalar(d: &ChainDesk, sql: &str) -> i64 {
    let conn = rusqlite::Connection::open(&d.f.db).expect("open");
    conn.query_row(sql, [], |r| r.get(0)).expect(sql)
}

/// Outbox rows at the desk for bonus creates.
fn bonus_ops(d: &ChainDesk) -> i64 {
    scalar(
        d,
        "SELECT count(*) FROM outbox WHERE platform = 'p002' AND op = 'bonus.create'",
    )
}

fn bonuses(d: &ChainDesk, xname: &str, n: u32) {
    let mut draft = bonus_draft(500, n);
    draft.xname = xname.into();
    d.f.desk.create_bonuses(draft).expect("bonuses");
}

/// Relayed rows at the hub: (all, confirmed).
fn hub_rows(chain: &Chain) -> (i64, i64) {
    (
        chain.scalar("SELECT count(*) FROM coupondesk.relayed"),
        chain.scalar("SELECT count(*) FROM coupondesk.relayed WHERE confirmed_at IS NOT NULL"),
    )
}

/// A and B joined, B the platform desk with 002 on the simulator; A has heard it.
fn two_desks(prefix: &str, sim: &SimHandle) -> (Chain, ChainDesk, ChainDesk) {
    let chain = Chain::new(prefix, CODES);
    let a = chain.join(1, CODES, 2000);
    let b = chain.join(2, CODES, 2000);
    bonus_platform(&b.f.desk, sim);
    let p = b.f.desk.hub_platform_desk_set(None, None).expect("B");
    assert_eq!(
        (p.desk.as_deref(), p.this_desk),
        (Some("淮海路店 / 前台2"), true)
    );
    // A learns it at its next push; until then it routes its own records, as before.
    let r = a.f.desk.hub_push().expect("A push");
    assert_eq!(r.relay.stopped, None, "{r:?}");
    let s = a.f.desk.hub_status().expect("A status");
    assert_eq!(
        (s.platform.desk.as_deref(), s.platform.this_desk),
        (Some("淮海路店 / 前台2"), false)
    );
    (chain, a, b)
}

#[test]
fn a_change_at_a_desk_reaches_the_platform_once_through_the_platform_desk() {
    let sim = Sim::start(SimConfig::default()).expect("sim");
    let (chain, a, b) = two_desks("relayonce", &sim);

    bonuses(&a, "FB-A", 2);
    // A relays: its records wait for the hub, its outbox has nothing.
    assert_eq!(bonus_ops(&a), 0);
    assert_eq!(scalar(&a, "SELECT count(*) FROM changes"), 2);
    assert_eq!(a.f.desk.sync_status().map(|_| ()).ok(), Some(()));
    assert_eq!(bonus_ops(&a), 0, "the Sync page's read routes nothing");
    let s = a.f.desk.hub_status().expect("status");
    assert_eq!(s.platform.to_relay, 2);

    let r = a.f.desk.hub_push().expect("A push");
    assert_eq!(
        (r.relay.relayed, r.relay.stopped.as_deref()),
        (2, None),
        "{r:?}"
    );
    assert_eq!(scalar(&a, "SELECT count(*) FROM changes"), 0);
    // A push again: nothing new at the hub.
    assert_eq!(a.f.desk.hub_push().expect("again").relay.relayed, 0);
    assert_eq!(hub_rows(&chain), (2, 0));
    assert_eq!(
        a.f.desk.hub_status().expect("status").platform.untaken,
        Some(2)
    );

    // B's background sync: push (takes, routes, confirms), pull, then its engine.
    let report = b.f.desk.sync_background(&quick()).expect("B sync");
    assert!(
        report
            .platforms
            .iter()
            .all(|p| p.skipped || p.stopped.is_none()),
        "{report:?}"
    );
    assert_eq!(at_sim(&sim, "FB-A"), 2, "{:#}", sim.state());
    assert_eq!(hub_rows(&chain), (2, 2));
    assert_eq!(bonus_ops(&b), 2);
    assert_eq!(scalar(&b, "SELECT count(*) FROM hub_relay_routed"), 0);
    // The ops carry A's staff, not B's.
    let actor: String = rusqlite::Connection::open(&b.f.db)
        .expect("open")
        .query_row(
            "SELECT DISTINCT actor FROM outbox WHERE platform = 'p002'",
            [],
            |r| r.get(0),
        )
        .expect("actor");
    assert_eq!(actor, coupondesk_core::store::acting::os_user());

    // A second sync at B sends nothing more; A's outbox never had the ops.
    let creates = sim.counters().applied_total("p002.create_bonus");
    b.f.desk.sync_background(&quick()).expect("B again");
    assert_eq!(sim.counters().applied_total("p002.create_bonus"), creates);
    assert_eq!(at_sim(&sim, "FB-A"), 2);
    assert_eq!(bonus_ops(&a), 0);

    // B's own change goes straight to its outbox.
    bonuses(&b, "FB-B", 1);
    b.f.desk.sync_background(&quick()).expect("B own");
    assert_eq!(at_sim(&sim, "FB-B"), 1);
    assert_eq!(hub_rows(&chain), (2, 2));

    // e-Buy activations are the platform desk's: refused at A, with what to do.
    let e =
        a.f.desk
            .codes_activate(&ActivationRequest {
                ticket_type: "TT1".into(),
                codes: Some(vec![CODES[0].into()]),
                activate: true,
                make_funds_channel: None,
            })
            .expect_err("A is not the platform desk");
    assert_eq!(
        coupondesk_core::ErrorCode::code(&e),
        "hub_not_platform_desk"
    );
    assert!(e.to_string().contains("淮海路店 / 前台2"), "{e}");
}

#[test]
fn a_platform_desk_killed_between_its_route_and_its_confirm_sends_once_after_the_restart() {
    let sim = Sim::start(SimConfig::default()).expect("sim");
    let (chain, a, b) = two_desks("relaycrash", &sim);
    bonuses(&a, "FB-C", 3);
    a.f.desk.hub_push().expect("A push");

    hub_relay::test_stop_before_confirm();
    let r = b.f.desk.hub_push().expect("B push");
    assert!(r.relay.stopped.is_some(), "{r:?}");
    assert_eq!(bonus_ops(&b), 3, "routed here");
    assert_eq!(hub_rows(&chain), (3, 0), "taken, not confirmed");
    assert_eq!(scalar(&b, "SELECT count(*) FROM hub_relay_routed"), 3);

    // The restart: a new Desk on B's file.
    let ChainDesk { f, proxy, template } = b;
    let b = ChainDesk {
        f: common::Fixture {
            desk: Desk::open(&f.db).expect("reopen"),
            dir: f.dir,
            db: f.db,
        },
        proxy,
        template,
    };
    let r = b.f.desk.hub_push().expect("B push after the restart");
    assert_eq!((r.relay.routed, r.relay.confirmed), (0, 3), "{r:?}");
    assert_eq!(bonus_ops(&b), 3, "nothing routed twice");
    assert_eq!(hub_rows(&chain), (3, 3));
    b.f.desk.sync_background(&quick()).expect("B sync");
    assert_eq!(at_sim(&sim, "FB-C"), 3, "{:#}", sim.state());
    b.f.desk.sync_background(&quick()).expect("B again");
    assert_eq!(at_sim(&sim, "FB-C"), 3);
}

#[test]
fn switching_the_platform_desk_while_the_old_one_holds_taken_rows_sends_nothing_twice() {
    let sim = Sim::start(SimConfig::default()).expect("sim");
    let (chain, a, b) = two_desks("relayswitch", &sim);
    bonus_platform(&a.f.desk, &sim);
    bonuses(&a, "FB-1", 1);
    a.f.desk.hub_push().expect("A relays FB-1");
    hub_relay::test_stop_before_confirm();
    b.f.desk
        .hub_push()
        .expect("B takes FB-1, routes, no confirm");
    assert_eq!(hub_rows(&chain), (1, 0));

    // A becomes the platform desk; B's taken row stays B's.
    let p = a.f.desk.hub_platform_desk_set(None, None).expect("A");
    assert!(p.this_desk);
    assert_eq!(p.taken_by_others, Some(1));
    bonuses(&a, "FB-2", 1);
    assert_eq!(bonus_ops(&a), 1, "A's own change: its own outbox now");
    let r = a.f.desk.hub_push().expect("A push");
    assert_eq!(r.relay.routed, 0, "A takes nothing B took: {r:?}");

    // B learns it at its push: it relays from now on, and confirms what it had routed.
    let r = b.f.desk.hub_push().expect("B push");
    assert_eq!((r.relay.routed, r.relay.confirmed), (0, 1), "{r:?}");
    assert!(!b.f.desk.hub_status().expect("B status").platform.this_desk);
    bonuses(&b, "FB-3", 1);
    assert_eq!(bonus_ops(&b), 1, "only FB-1's op, from before the switch");
    b.f.desk
        .sync_background(&quick())
        .expect("B sync: relays FB-3, sends FB-1");
    a.f.desk
        .sync_background(&quick())
        .expect("A sync: takes FB-3, sends FB-2, FB-3");
    b.f.desk.sync_background(&quick()).expect("B again");
    a.f.desk.sync_background(&quick()).expect("A again");
    for x in ["FB-1", "FB-2", "FB-3"] {
        assert_eq!(at_sim(&sim, x), 1, "{x}: {:#}", sim.state());
    }
    assert_eq!(hub_rows(&chain), (2, 2));
}

#[test]
fn a_record_naming_a_row_the_platform_desk_lacks_waits_and_is_routed_once_the_row_is_there() {
    let sim = Sim::start(SimConfig::default()).expect("sim");
    let (chain, a, b) = two_desks("relaywait", &sim);
    // A template made at A: it reaches B at a pull (`hub_push` relays but does not pull),
    // so until then B lacks it.
    let t =
        a.f.desk
            .create_template(common::cash("满200减50"))
            .expect("template");
    a.f.desk.hub_push().expect("A relays");
    let r = b.f.desk.hub_push().expect("B takes");
    assert_eq!((r.relay.routed, r.relay.waiting), (0, 1), "{r:?}");
    let s = b.f.desk.hub_status().expect("status");
    assert_eq!(s.platform.waiting, 1);
    assert!(
        s.platform
            .waiting_why
            .as_deref()
            .unwrap_or("")
            .contains("template"),
        "{s:?}"
    );
    // Still waiting after another exchange: taken by B, never dropped, never confirmed.
    b.f.desk.hub_push().expect("B again");
    assert_eq!(hub_rows(&chain), (1, 0));

    // The row arrives (as a pull would bring it: B's copy takes A's uid).
    let uid = {
        let conn = rusqlite::Connection::open(&a.f.db).expect("A");
        hub_keys::existing_uid(&conn, Keyed::Template, t.id)
            .expect("uid")
            .expect("given when it left A")
    };
    let mine =
        b.f.desk
            .create_template(common::cash("满200减50"))
            .expect("B copy");
    {
        let conn = rusqlite::Connection::open(&b.f.db).expect("B");
        // B's own creation was routed (not relayed) at B; the copy stands for the pull's row.
        assert!(hub_keys::adopt_uid(&conn, Keyed::Template, mine.id, &uid).expect("adopt"));
    }
    let r = b.f.desk.hub_push().expect("B routes it");
    assert_eq!(
        (r.relay.routed, r.relay.waiting, r.relay.confirmed),
        (1, 0, 1),
        "{r:?}"
    );
    assert_eq!(hub_rows(&chain), (1, 1));
    assert_eq!(b.f.desk.hub_status().expect("status").platform.waiting, 0);
}

#[test]
fn a_desk_of_a_hub_with_no_platform_desk_routes_its_own_records_as_before() {
    let chain = Chain::new("relaynone", CODES);
    let a = chain.join(1, CODES, 2000);
    a.f.desk.hub_push().expect("push");
    bonuses(&a, "FB-N", 1);
    assert_eq!(bonus_ops(&a), 1);
    let s = a.f.desk.hub_status().expect("status");
    assert_eq!((s.platform.desk, s.platform.to_relay), (None, 0));
    assert_eq!(hub_rows(&chain), (0, 0));
    // Naming a terminal the hub does not have is refused.
    let e =
        a.f.desk
            .hub_platform_desk_set(Some("南京路店"), Some("前台9"))
            .expect_err("no such terminal");
    assert!(e.to_string().contains("前台9"), "{e}");
    let e = a.f.desk.hub_platform_desk_set(Some("南京路店"), None);
    assert!(matches!(
        e.map_err(|e| coupondesk_core::ErrorCode::code(&e).to_owned()),
        Err(code) if code == coupondesk_core::ErrorCode::code(&HubError::NoName)
    ));
}

#[test]
fn a_template_saved_at_a_desk_is_queued_once_at_the_platform_desk_when_it_has_travelled() {
    let sim = Sim::start(SimConfig::default()).expect("sim");
    let (_chain, a, b) = two_desks("relaytpl", &sim);
    let wxcard = |d: &ChainDesk| scalar(d, "SELECT count(*) FROM outbox WHERE platform = 'p001'");
    // Each desk's own template, made before it joined, was queued at that desk then.
    let (a0, b0) = (wxcard(&a), wxcard(&b));
    let t =
        a.f.desk
            .create_template(common::cash("满200减30"))
            .expect("template");
    // A relays its record and uploads the template (the pull's start).
    assert_eq!(a.f.desk.hub_push().expect("A push").relay.relayed, 1);
    a.f.desk.hub_pull().expect("A pull");
    assert_eq!(wxcard(&a), a0, "A queues nothing for the platforms");
    // B takes it and routes it once the template is here, under B's own id.
    b.f.desk.hub_pull().expect("B pull");
    let here = {
        let conn = rusqlite::Connection::open(&a.f.db).expect("open");
        let uid = hub_keys::existing_uid(&conn, Keyed::Template, t.id)
            .expect("uid")
            .expect("A's template has a uid");
        let conn_b = rusqlite::Connection::open(&b.f.db).expect("open");
        hub_keys::id_of(&conn_b, Keyed::Template, &uid)
            .expect("read")
            .expect("the template reached B")
    };
    let r = b.f.desk.hub_push().expect("B push");
    assert_eq!((r.relay.routed, r.relay.waiting), (1, 0), "{r:?}");
    assert_eq!(wxcard(&b), b0 + 1);
    let subject: String = rusqlite::Connection::open(&b.f.db)
        .expect("open")
        .query_row(
            "SELECT subject FROM outbox WHERE platform = 'p001' ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .expect("subject");
    assert_eq!(subject, here.to_string());
    // Nothing more at the next exchanges, and the download recorded no second save.
    b.f.desk.hub_push().expect("B push again");
    b.f.desk.hub_pull().expect("B pull again");
    b.f.desk.hub_push().expect("B push again");
    assert_eq!(wxcard(&b), b0 + 1);
}
