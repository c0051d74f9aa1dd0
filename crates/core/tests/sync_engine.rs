//! The sync engine against the simulator over loopback, on a real SQLite file: lost
//! answers, rate limits, refused tokens, an unreachable platform, and the conflict
//! inbox's choices.

mod common;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use coupondesk_core::api_error::ErrorCode;
use coupondesk_core::domain::bonus::BonusDraft;
use coupondesk_core::domain::PageRequest;
use coupondesk_core::generate::GenerateRequest;
use coupondesk_core::progress::CancelToken;
use coupondesk_core::sync::engine::{Clock, RunOptions};
use coupondesk_core::sync::{
    ActivationRequest, OutboxItem, OutboxQuery, OutboxState, Platform, PlatformSettingsInput,
};
use coupondesk_core::Desk;
use coupondesk_remote_sim::{Faults, Sim, SimConfig, SimHandle};

fn quick() -> RunOptions {
    RunOptions {
        max_duration: Duration::from_secs(30),
        backoff_base: Duration::from_millis(10),
        timeout: Duration::from_secs(3),
        // A lost create is read back after the settle time (docs/sync.md): short here.
        settle: Duration::from_millis(300),
        ..RunOptions::default()
    }
}

/// The engine's time in tests that must not depend on how busy the machine is: it
/// stands still unless the engine sleeps, and a sleep returns at once, having moved it on
/// by exactly the time asked. `on_sleep` sees the time after each sleep (a test uses it
/// to let the simulated platform's rate window open when the pause is over).
struct VirtualClock {
    now: Mutex<i64>,
    slept: Mutex<Vec<Duration>>,
    on_sleep: Box<dyn Fn(i64) + Send + Sync>,
}

impl std::fmt::Debug for VirtualClock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VirtualClock")
            .field("now", &self.now_ms())
            .field("slept", &self.sleeps())
            .finish()
    }
}

impl VirtualClock {
    fn at(now: i64, on_sleep: impl Fn(i64) + Send + Sync + 'static) -> Arc<VirtualClock> {
        Arc::new(VirtualClock {
            now: Mutex::new(now),
            slept: Mutex::new(Vec::new()),
            on_sleep: Box::new(on_sleep),
        })
    }
    fn sleeps(&self) -> Vec<Duration> {
        self.slept.lock().unwrap().clone()
    }
}

impl Clock for VirtualClock {
    fn now_ms(&self) -> i64 {
        *self.now.lock().unwrap()
    }
    fn sleep(&self, d: Duration) {
        let now = {
            let mut now = self.now.lock().unwrap();
            *now += d.as_millis() as i64;
            *now
        };
        self.slept.lock().unwrap().push(d);
        (self.on_sleep)(now);
    }
}

fn settings(p: Platform, url: String, secret: &str) -> PlatformSettingsInput {
    common::enabled_platform(p, &url, secret)
}

fn setup(dir: &Path, sim: &SimHandle, codes: u64) -> Desk {
    let desk = Desk::open(&dir.join("shop.sqlite3")).unwrap();
    desk.create_batch("E1", "e-Buy batch").unwrap();
    if codes > 0 {
        desk.generate_codes(
            &GenerateRequest {
                ticket_type: "E1".into(),
                count: codes,
                length: None,
                prefix: None,
            },
            &CancelToken::new(),
            &mut |_| {},
        )
        .unwrap();
    }
    let url = |p: &str| format!("{}/{p}", sim.base_url());
    desk.sync_save_settings(&settings(Platform::Ebuy, url("p004"), "ebuy-secret-004"))
        .unwrap();
    desk.sync_save_settings(&settings(Platform::Bonus, url("p002"), "bonus-token-002"))
        .unwrap();
    desk
}

fn activate_all(desk: &Desk) -> u64 {
    desk.codes_activate(&ActivationRequest {
        ticket_type: "E1".into(),
        codes: None,
        activate: true,
        make_funds_channel: None,
    })
    .unwrap()
    .queued
}

fn items(desk: &Desk, state: OutboxState) -> Vec<OutboxItem> {
    desk.sync_outbox(&OutboxQuery {
        state: Some(state),
        page: PageRequest {
            page: 1,
            per_page: 100,
        },
        ..OutboxQuery::default()
    })
    .unwrap()
    .items
}

fn bonus(desk: &Desk, n: u32) -> Vec<String> {
    let draft: BonusDraft = serde_json::from_value(serde_json::json!({
        "amountFen": 250, "quantity": n, "xname": "spring", "minAmountFen": 1000, "enabled": true
    }))
    .unwrap();
    desk.create_bonuses(draft).unwrap().codes
}

#[test]
fn a_lost_e_buy_answer_is_replayed_by_its_uuid_not_applied_again() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::start(SimConfig::default()).unwrap();
    let desk = setup(dir.path(), &sim, 1200);
    assert_eq!(activate_all(&desk), 1200);
    sim.set_faults(Faults {
        drop_after_apply_rate: 1.0,
        ..Faults::default()
    });
    let r = desk
        .sync_run(
            Some(Platform::Ebuy),
            &RunOptions {
                wait: false,
                ..quick()
            },
        )
        .unwrap();
    assert_eq!(r.platforms[0].done, 0);
    assert_eq!(r.remaining(), 1200, "nothing is done without an answer");
    // The server applied the first envelope (1000 codes) though nobody heard it; the
    // second (200 codes), marked while the first was in flight, never left.
    assert_eq!(sim.counters().applied["p004.activate"].len(), 1000);
    // Every request carried the first envelope: re-sends (when a jittered backoff was
    // short enough to fit in this run) are replays of its uuid.
    let c = sim.counters();
    assert!(c.replays.len() <= 1, "{:?}", c.replays);
    assert_eq!(
        c.requests.values().sum::<u64>(),
        1 + c.replays.values().sum::<u64>()
    );
    let status = desk.sync_status().unwrap();
    let p4 = status
        .platforms
        .iter()
        .find(|p| p.platform == Platform::Ebuy)
        .unwrap();
    // The server was reached, but no call got a usable answer: not "online".
    assert_eq!(p4.online, Some(false));
    assert!(
        p4.last_error
            .as_deref()
            .unwrap_or("")
            .contains("connection"),
        "{:?}",
        p4.last_error
    );

    sim.set_faults(Faults::default());
    let r = desk.sync_run(Some(Platform::Ebuy), &quick()).unwrap();
    assert_eq!(r.platforms[0].done, 1200);
    assert_eq!(r.remaining(), 0);
    let c = sim.counters();
    assert_eq!(c.max_applied(), 1);
    assert_eq!(c.applied["p004.activate"].len(), 1200);
    // The lost envelope (re-sent within the first run too, when its jittered backoff was
    // short) was answered from the platform's store each time.
    assert!(c.replays.values().sum::<u64>() >= 1, "{:?}", c.replays);
    assert_eq!(c.replays.len(), 1, "one envelope was lost: {:?}", c.replays);
    assert!(items(&desk, OutboxState::Done)
        .iter()
        .all(|i| i.result_code.as_deref() == Some("SUCCESS")));
}

/// Codes per envelope of each p004 envelope, in the order they were made.
fn envelope_sizes(dir: &Path) -> Vec<i64> {
    let conn = rusqlite::Connection::open(dir.join("shop.sqlite3")).unwrap();
    let mut st = conn
        .prepare(
            "SELECT COUNT(*) FROM outbox WHERE platform = 'p004'
              GROUP BY envelope_uuid ORDER BY MIN(id)",
        )
        .unwrap();
    let sizes = st.query_map([], |r| r.get(0)).unwrap();
    sizes.collect::<Result<_, _>>().unwrap()
}

#[test]
fn e_buy_envelopes_carry_up_to_the_platforms_1000_codes() {
    for (codes, sizes, requests) in [(1000, vec![1000], 1), (1001, vec![1000, 1], 2)] {
        let dir = tempfile::tempdir().unwrap();
        let sim = Sim::start(SimConfig::default()).unwrap();
        let desk = setup(dir.path(), &sim, codes);
        assert_eq!(activate_all(&desk), codes);
        let r = desk.sync_run(Some(Platform::Ebuy), &quick()).unwrap();
        assert_eq!(r.platforms[0].done, codes);
        assert_eq!(r.platforms[0].conflicts, 0);
        assert_eq!(r.platforms[0].requests, requests);
        assert_eq!(r.remaining(), 0);
        assert_eq!(envelope_sizes(dir.path()), sizes);
        let c = sim.counters();
        assert_eq!(c.applied["p004.activate"].len() as u64, codes);
        assert_eq!(c.max_applied(), 1);
        assert!(c.replays.is_empty(), "{:?}", c.replays);
        let conn = rusqlite::Connection::open(dir.path().join("shop.sqlite3")).unwrap();
        let success: u64 = conn
            .query_row(
                "SELECT COUNT(*) FROM outbox WHERE platform = 'p004' AND state = 'done'
                   AND result_code = 'SUCCESS' AND attempts = 1 AND done_at IS NOT NULL",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(success, codes);
    }
}

#[test]
fn a_bonus_whose_create_answer_was_lost_is_found_by_its_key_before_sending_again() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::start(SimConfig::default()).unwrap();
    let desk = setup(dir.path(), &sim, 0);
    let codes = bonus(&desk, 3);
    sim.set_faults(Faults {
        drop_after_apply_rate: 1.0,
        ..Faults::default()
    });
    let r = desk
        .sync_run(
            Some(Platform::Bonus),
            &RunOptions {
                wait: false,
                ..quick()
            },
        )
        .unwrap();
    assert_eq!(r.remaining(), 3);
    sim.set_faults(Faults::default());
    let r = desk.sync_run(Some(Platform::Bonus), &quick()).unwrap();
    assert_eq!(r.remaining(), 0);
    let c = sim.counters();
    assert_eq!(c.max_applied(), 1);
    assert_eq!(c.applied["p002.create_bonus"].len(), 3);
    assert!(
        c.requests
            .get("GET /p002/market/bonus")
            .copied()
            .unwrap_or(0)
            > 0,
        "read back first"
    );
    // Each local bonus knows its platform code, and the platform's remark carries the key.
    let done = items(&desk, OutboxState::Done);
    assert_eq!(done.len(), 3);
    for code in &codes {
        assert!(done.iter().any(|i| &i.subject == code));
    }
    let state = sim.state();
    let remarks: Vec<&str> = state["p002"]["bonuses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["xname"].as_str().unwrap())
        .collect();
    assert!(
        remarks.iter().all(|x| x.starts_with("spring [")),
        "{remarks:?}"
    );
    // A grant and a disable go to the mapped platform codes.
    desk.grant_bonus(
        coupondesk_core::store::bonuses::BonusRef::Code(&codes[0]),
        "13912345678",
        None,
    )
    .unwrap();
    desk.disable_bonus(coupondesk_core::store::bonuses::BonusRef::Code(&codes[1]))
        .unwrap();
    let r = desk.sync_run(Some(Platform::Bonus), &quick()).unwrap();
    assert_eq!((r.platforms[0].done, r.remaining()), (2, 0));
    let c = sim.counters();
    assert_eq!(c.applied["p002.grant_bonus"].len(), 1);
    assert_eq!(c.applied["p002.disable_bonus"].len(), 1);
}

#[test]
fn rate_limits_wait_for_retry_after_and_refused_tokens_keep_the_queue() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Arc::new(Sim::start(SimConfig::default()).unwrap());
    let desk = setup(dir.path(), &sim, 0);
    bonus(&desk, 3);
    // The engine's time stands still unless the engine sleeps, so nothing below depends
    // on how long a step takes on a busy machine. It starts a minute ahead of the wall
    // clock because the status compares the stored pause with the wall clock: it must
    // still show the pause however slowly this test runs.
    let t0 = coupondesk_core::store::now_ms() + 60_000;
    let pause_end = t0 + 7_000;
    // The platform's window is full (it refuses every request, Retry-After: 7) until the
    // engine's time reaches the end of the pause; the simulator's own window is real
    // time, which a virtual clock does not move.
    let clock = {
        let sim = Arc::clone(&sim);
        VirtualClock::at(t0, move |now| {
            if now >= pause_end {
                sim.set_faults(Faults::default());
            }
        })
    };
    sim.set_faults(Faults {
        rate_limit_per_sec: Some(0),
        retry_after_secs: Some(7),
        ..Faults::default()
    });
    let opts = RunOptions {
        clock: clock.clone(),
        ..quick()
    };
    let no_wait = RunOptions {
        wait: false,
        ..opts.clone()
    };
    let refused = |sim: &SimHandle| sim.counters().injected.get("rate_limited").copied();
    let r = desk.sync_run(Some(Platform::Bonus), &no_wait).unwrap();
    assert_eq!(
        (r.platforms[0].requests, r.platforms[0].done, r.remaining()),
        (1, 0, 3)
    );
    assert_eq!(refused(&sim), Some(1));
    // The pause is the platform's Retry-After from the engine's time of the refusal.
    let conn = rusqlite::Connection::open(dir.path().join("shop.sqlite3")).unwrap();
    let stored: i64 = conn
        .query_row(
            "SELECT paused_until FROM sync_platforms WHERE platform = 'p002'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        stored, pause_end,
        "the stored pause is not Retry-After (7 s) from the engine's time {t0}"
    );
    let s = desk.sync_status().unwrap();
    let p2 = s
        .platforms
        .iter()
        .find(|p| p.platform == Platform::Bonus)
        .unwrap();
    assert_eq!(
        p2.paused_until.map(|t| t.timestamp_millis()),
        Some(pause_end),
        "paused by Retry-After"
    );
    // A run started meanwhile does not send before the pause ends.
    let before = sim.counters().requests.values().sum::<u64>();
    let r = desk.sync_run(Some(Platform::Bonus), &no_wait).unwrap();
    assert_eq!(r.platforms[0].requests, 0);
    assert_eq!(sim.counters().requests.values().sum::<u64>(), before);
    assert!(clock.sleeps().is_empty(), "{clock:?}");
    // A run that waits sleeps exactly to the end of the pause, then sends the queue. A
    // request sent before the end would have been refused again.
    let r = desk.sync_run(Some(Platform::Bonus), &opts).unwrap();
    assert_eq!((r.platforms[0].done, r.remaining()), (3, 0));
    assert_eq!(clock.sleeps(), [Duration::from_secs(7)]);
    assert_eq!(refused(&sim), Some(1));
    assert_eq!(sim.counters().applied["p002.create_bonus"].len(), 3);

    // An expired token: nothing is lost, staff are told where to fix it.
    bonus(&desk, 2);
    sim.set_faults(Faults {
        expired_token: true,
        ..Faults::default()
    });
    let mut s = settings(
        Platform::Bonus,
        format!("{}/p002", sim.base_url()),
        "bonus-token-002",
    );
    s.secret = None; // keep the stored one; saving clears the pause
    desk.sync_save_settings(&s).unwrap();
    let r = desk
        .sync_run(
            Some(Platform::Bonus),
            &RunOptions {
                wait: false,
                ..quick()
            },
        )
        .unwrap();
    assert_eq!(r.remaining(), 2);
    let s = desk.sync_status().unwrap();
    let p2 = s
        .platforms
        .iter()
        .find(|p| p.platform == Platform::Bonus)
        .unwrap();
    assert!(
        p2.last_error.as_deref().unwrap().contains("Settings"),
        "{:?}",
        p2.last_error
    );
    assert!(
        items(&desk, OutboxState::Conflict).is_empty(),
        "a token problem is not a conflict"
    );
}

#[test]
fn an_unreachable_platform_is_offline_and_keeps_everything_queued() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::start(SimConfig::default()).unwrap();
    let desk = setup(dir.path(), &sim, 10);
    activate_all(&desk);
    // A port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    desk.sync_save_settings(&settings(
        Platform::Ebuy,
        format!("http://127.0.0.1:{closed}/p004"),
        "k",
    ))
    .unwrap();
    let r = desk
        .sync_run(
            Some(Platform::Ebuy),
            &RunOptions {
                wait: false,
                ..quick()
            },
        )
        .unwrap();
    assert_eq!(r.remaining(), 10);
    let s = desk.sync_status().unwrap();
    let p4 = s
        .platforms
        .iter()
        .find(|p| p.platform == Platform::Ebuy)
        .unwrap();
    assert_eq!(p4.online, Some(false));
    assert!(
        p4.last_error.as_deref().unwrap().contains("Settings"),
        "{:?}",
        p4.last_error
    );
}

#[test]
fn conflicts_can_be_retried_edited_or_discarded_with_audit() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::start(SimConfig::default()).unwrap();
    let desk = setup(dir.path(), &sim, 4);
    activate_all(&desk);
    let all = desk
        .sync_outbox(&OutboxQuery {
            platform: Some(Platform::Ebuy),
            ..OutboxQuery::default()
        })
        .unwrap()
        .items;
    let elsewhere: std::collections::BTreeSet<String> =
        all.iter().take(2).map(|i| i.subject.clone()).collect();
    sim.set_faults(Faults {
        used_elsewhere_codes: elsewhere.clone(),
        ..Faults::default()
    });
    let r = desk.sync_run(Some(Platform::Ebuy), &quick()).unwrap();
    assert_eq!(
        (r.platforms[0].done, r.platforms[0].conflicts, r.remaining()),
        (2, 2, 0)
    );
    let conflicts = items(&desk, OutboxState::Conflict);
    assert_eq!(conflicts.len(), 2);
    assert!(conflicts[0]
        .result_message
        .as_deref()
        .unwrap()
        .contains("another channel"));
    // The batch page sees its per-code results.
    let batch = desk
        .sync_outbox(&OutboxQuery {
            ticket_type: Some("E1".into()),
            ..OutboxQuery::default()
        })
        .unwrap();
    assert_eq!(batch.total, 4);

    let discarded = desk
        .sync_conflict_discard(conflicts[0].id, "sold at the other shop")
        .unwrap();
    assert_eq!(discarded.state, OutboxState::Discarded);
    let again = desk.sync_conflict_discard(conflicts[0].id, "twice");
    assert_eq!(again.unwrap_err().code(), "not_a_conflict");
    let retried = desk.sync_conflict_retry(conflicts[1].id).unwrap();
    assert_eq!(retried.state, OutboxState::Queued);
    sim.set_faults(Faults::default());
    // Still used elsewhere on the platform: a retry comes back as the same conflict.
    let r = desk.sync_run(Some(Platform::Ebuy), &quick()).unwrap();
    assert_eq!(r.platforms[0].conflicts, 1);

    // Edit checks the new data against the operation.
    let codes = bonus(&desk, 1);
    sim.set_faults(Faults::default());
    let bad = serde_json::json!({"amountFen": -5});
    let id = desk
        .sync_outbox(&OutboxQuery {
            platform: Some(Platform::Bonus),
            ..OutboxQuery::default()
        })
        .unwrap()
        .items[0]
        .id;
    // Only conflicts can be edited.
    assert_eq!(
        desk.sync_conflict_edit(id, bad.clone()).unwrap_err().code(),
        "not_a_conflict"
    );
    let conn = rusqlite::Connection::open(dir.path().join("shop.sqlite3")).unwrap();
    conn.execute("UPDATE outbox SET state = 'conflict' WHERE id = ?1", [id])
        .unwrap();
    assert_eq!(
        desk.sync_conflict_edit(id, bad).unwrap_err().code(),
        "bad_payload"
    );
    let good = serde_json::json!({"amountFen": 300, "remark": "edited"});
    let edited = desk.sync_conflict_edit(id, good).unwrap();
    assert_eq!(edited.state, OutboxState::Queued);
    let r = desk.sync_run(Some(Platform::Bonus), &quick()).unwrap();
    assert_eq!(r.remaining(), 0);
    assert_eq!(codes.len(), 1);
    let audit: i64 = conn
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action IN ('sync.conflict_discard', 'sync.conflict_retry', 'sync.conflict_edit')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audit, 3);
}

#[test]
fn settings_check_their_fields_and_never_show_the_secret() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.sqlite3");
    let desk = Desk::open(&db).unwrap();
    let mut s = settings(Platform::Ebuy, String::new(), "top-secret-key");
    let e = desk.sync_save_settings(&s).unwrap_err();
    assert_eq!(e.fields()[0].field, "baseUrl");
    s.base_url = "ftp://x".into();
    assert_eq!(
        desk.sync_save_settings(&s).unwrap_err().fields()[0].field,
        "baseUrl"
    );
    s.base_url = "https://ebuy.example.com/".into();
    s.app_id = String::new();
    assert_eq!(
        desk.sync_save_settings(&s).unwrap_err().fields()[0].field,
        "appId"
    );
    s.app_id = "app".into();
    let saved = desk.sync_save_settings(&s).unwrap();
    assert!(saved.has_secret);
    assert_eq!(saved.base_url, "https://ebuy.example.com");
    let shown =
        serde_json::to_string(&(desk.sync_settings().unwrap(), desk.sync_status().unwrap()))
            .unwrap();
    assert!(!shown.contains("top-secret-key"));
    // Not in the SQLite file either.
    drop(desk);
    let bytes = std::fs::read(&db).unwrap();
    let wal = std::fs::read(dir.path().join("shop.sqlite3-wal")).unwrap_or_default();
    for b in [bytes, wal] {
        assert!(!b.windows(14).any(|w| w == b"top-secret-key"));
    }
}

#[test]
fn a_code_active_on_e_buy_and_disabled_at_the_counter_is_reported_to_e_buy() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::start(SimConfig::default()).unwrap();
    let desk = setup(dir.path(), &sim, 3);
    activate_all(&desk);
    desk.sync_run(Some(Platform::Ebuy), &quick()).unwrap();
    let code = items(&desk, OutboxState::Done)[0].subject.clone();
    desk.disable_code(&code).unwrap();
    let queued = items(&desk, OutboxState::Queued);
    assert_eq!(queued.len(), 1);
    assert_eq!(
        (queued[0].op.as_str(), &queued[0].payload),
        ("ebuy.status", &serde_json::json!({"codeStatus": "3"}))
    );
    let r = desk.sync_run(Some(Platform::Ebuy), &quick()).unwrap();
    assert_eq!(r.remaining(), 0);
    assert_eq!(sim.counters().applied["p004.update_status"][&code], 1);
    assert_eq!(
        sim.state()["p004"]["codes"][&code]["status"],
        "3",
        "{}",
        sim.state()["p004"]
    );
}

#[test]
fn an_activation_carries_its_funds_and_the_shop_to_e_buy() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::start(SimConfig::default()).unwrap();
    let desk = setup(dir.path(), &sim, 3);
    let mut s = settings(
        Platform::Ebuy,
        format!("{}/p004", sim.base_url()),
        "ebuy-secret-004",
    );
    s.shop_no = "S-017".into();
    s.org = "ORG-9".into();
    desk.sync_save_settings(&s).unwrap();
    let funds: coupondesk_core::sync::FundsChannel = serde_json::from_value(
        serde_json::json!({"merchantRealAmount": 1000, "userRealAmount": 800}),
    )
    .unwrap();
    let bad = coupondesk_core::sync::FundsChannel {
        benefit_amount: Some(-1),
        ..funds.clone()
    };
    let req = |f: coupondesk_core::sync::FundsChannel| ActivationRequest {
        ticket_type: "E1".into(),
        codes: None,
        activate: true,
        make_funds_channel: Some(f),
    };
    let e = desk.codes_activate(&req(bad)).unwrap_err();
    assert_eq!(e.fields()[0].field, "makeFundsChannel");
    assert_eq!(desk.codes_activate(&req(funds)).unwrap().queued, 3);
    assert_eq!(
        desk.sync_run(Some(Platform::Ebuy), &quick())
            .unwrap()
            .remaining(),
        0
    );
    let state = sim.state();
    let codes = state["p004"]["codes"].as_object().unwrap();
    assert_eq!(codes.len(), 3);
    for c in codes.values() {
        assert_eq!(
            c["funds"],
            serde_json::json!({"merchantRealAmount": 1000, "userRealAmount": 800})
        );
        assert_eq!(
            c["activate_info"],
            serde_json::json!({"optShopNo": "S-017", "optOrg": "ORG-9"})
        );
    }
}
