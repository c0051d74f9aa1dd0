//! Issue #5's proof: 10,205 queued operations on all five platforms (e-Buy activations and
//! deactivations, bonus creates, grants and disables, voucher sales, card templates and
//! their edits, batches linked to ticket types) synced to the simulator over loopback by
//! `coupondesk sync run` processes that are killed with SIGKILL at random moments, while
//! the simulator injects 5% 500/503 errors, 429 rate limiting with Retry-After, and drops
//! 2% of its answers after applying the change. Afterwards the simulator's counters show
//! every operation applied exactly once, and the outbox holds nothing but the real
//! conflicts (codes the platform says were used elsewhere).

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use coupondesk_core::domain::bonus::BonusDraft;
use coupondesk_core::store::bonuses::BonusRef;
use coupondesk_core::sync::{OutboxQuery, OutboxState, Platform};
use coupondesk_core::Desk;
use coupondesk_remote_sim::{Faults, Sim, SimConfig};

const ACTIVATIONS: usize = 8_000;
const DEACTIVATIONS: usize = 1_000;
const BONUSES: usize = 600;
const GRANTS: usize = 250;
const DISABLES: usize = 150;
const USED_ELSEWHERE: usize = 5;
const VOUCHERS: usize = 150;
const TEMPLATES: usize = 40;
const TEMPLATE_UPDATES: usize = 10;
/// Batches linked to a template: each goes to 000 as one ticket type import.
const LINKED_BATCHES: usize = 5;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_coupondesk"))
}

fn configure(db: &Path, p: Platform, url: &str, secret: &str) {
    let mut child = bin()
        .args(["--db"])
        .arg(db)
        .args([
            "sync",
            "config",
            "--platform",
            p.id(),
            "--url",
            url,
            "--secret-stdin",
        ])
        .args(if p == Platform::Ebuy {
            vec![
                "--app-id",
                "ebuy-app-004",
                "--brand-id",
                "BRAND-1",
                "--shop-no",
                "S-01",
            ]
        } else {
            vec![]
        })
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn config");
    writeln!(child.stdin.take().expect("stdin"), "{secret}").expect("secret");
    assert!(child.wait().expect("config").success(), "sync config {p}");
}

/// A cash template draft (spec 001's coupon kind) with this title.
fn template(title: &str) -> coupondesk_core::domain::template::TemplateDraft {
    serde_json::from_value(serde_json::json!({
        "offer": {"cash": {"reduceFen": 2000, "leastFen": 10000}},
        "title": title, "brandName": "海底捞", "color": "Color010",
        "logoUrl": "https://example.com/logo.png", "notice": "使用时向服务员出示此券",
        "description": "不可与其他优惠同享", "servicePhone": "020-88888888",
        "quantity": 1000, "getLimit": 1, "codeType": "CODE_TYPE_TEXT",
        "beginAt": "2026-01-01T00:00:00+08:00", "endAt": "2027-01-01T00:00:00+08:00",
        "term": null, "timeLimits": [],
        "acceptCategory": "", "rejectCategory": "", "canUseWithOtherDiscount": false
    }))
    .expect("template draft")
}

/// A tiny xorshift, so the kill times are reproducible from the seed in the message.
struct Rng(u64);
impl Rng {
    fn next(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

#[test]
fn ten_thousand_operations_survive_kill_9_and_faults_and_apply_exactly_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("shop.sqlite3");
    let faults = Faults {
        error_rate: 0.05,
        drop_after_apply_rate: 0.02,
        rate_limit_per_sec: Some(40),
        retry_after_secs: Some(1),
        ..Faults::default()
    };
    let sim = Sim::start(SimConfig {
        faults: faults.clone(),
        ..SimConfig::default()
    })
    .expect("sim starts");

    // The shop's actions, each writing its outbox row with the change.
    let desk = Desk::open(&db).expect("open");
    desk.create_batch("CHAOS", "Chaos batch").expect("batch");
    desk.generate_codes(
        &coupondesk_core::generate::GenerateRequest {
            ticket_type: "CHAOS".into(),
            count: ACTIVATIONS as u64,
            length: Some(12),
            prefix: None,
        },
        &coupondesk_core::progress::CancelToken::new(),
        &mut |_| {},
    )
    .expect("generate");
    let r = desk
        .codes_activate(&coupondesk_core::sync::ActivationRequest {
            ticket_type: "CHAOS".into(),
            codes: None,
            activate: true,
            make_funds_channel: None,
        })
        .expect("activate");
    assert_eq!(r.queued, ACTIVATIONS as u64);
    let codes: Vec<String> = {
        let conn = rusqlite::Connection::open(&db).expect("conn");
        let mut st = conn
            .prepare("SELECT code FROM codes ORDER BY id")
            .expect("sql");
        let rows = st.query_map([], |r| r.get(0)).expect("q");
        rows.collect::<Result<_, _>>().expect("codes")
    };
    let deactivated: Vec<String> = codes[..DEACTIVATIONS].to_vec();
    let r = desk
        .codes_activate(&coupondesk_core::sync::ActivationRequest {
            ticket_type: "CHAOS".into(),
            codes: Some(deactivated.clone()),
            activate: false,
            make_funds_channel: None,
        })
        .expect("deactivate");
    assert_eq!(r.queued, DEACTIVATIONS as u64);
    // The platform will say these were used on another channel: real conflicts.
    let elsewhere: BTreeSet<String> = codes[ACTIVATIONS - USED_ELSEWHERE..]
        .iter()
        .cloned()
        .collect();
    sim.set_faults(Faults {
        used_elsewhere_codes: elsewhere.clone(),
        ..faults.clone()
    });

    let mut bonus_codes = Vec::new();
    for i in 0..BONUSES {
        let draft: BonusDraft = serde_json::from_value(serde_json::json!({
            "amountFen": 100 + i as i64, "quantity": 1, "xname": format!("chaos {i}"),
            "minAmountFen": 0, "enabled": true
        }))
        .expect("draft");
        bonus_codes.extend(desk.create_bonuses(draft).expect("bonus").codes);
    }
    for (i, code) in bonus_codes[..GRANTS].iter().enumerate() {
        desk.grant_bonus(BonusRef::Code(code), &format!("139{:08}", i), None)
            .expect("grant");
    }
    for code in &bonus_codes[GRANTS..GRANTS + DISABLES] {
        desk.disable_bonus(BonusRef::Code(code), None)
            .expect("disable");
    }
    // 150 vouchers (003), 40 card templates (001) of which 10 are then edited, and 5
    // small batches linked to templates (000 ticket types).
    for i in 0..VOUCHERS {
        let d = serde_json::from_value(serde_json::json!({
            "customer": format!("137{:08}", i), "name": format!("chaos service {i}"),
            "priceFen": 1000 + i as i64
        }))
        .expect("voucher draft");
        desk.sell_voucher(d, None).expect("sell");
    }
    let mut templates = Vec::new();
    for i in 0..TEMPLATES {
        templates.push(
            desk.create_template(template(&format!("chaos card {i}")))
                .expect("template")
                .id,
        );
    }
    for id in &templates[..TEMPLATE_UPDATES] {
        desk.update_template(*id, template(&format!("chaos card {id} v2")))
            .expect("update");
    }
    for (i, id) in templates[..LINKED_BATCHES].iter().enumerate() {
        let tt = format!("LINK{i}");
        desk.create_batch(&tt, &format!("linked {i}"))
            .expect("batch");
        desk.generate_codes(
            &coupondesk_core::generate::GenerateRequest {
                ticket_type: tt.clone(),
                count: 20,
                length: Some(12),
                prefix: None,
            },
            &coupondesk_core::progress::CancelToken::new(),
            &mut |_| {},
        )
        .expect("generate");
        desk.link_batch(*id, &tt).expect("link");
    }
    let total = ACTIVATIONS
        + DEACTIVATIONS
        + BONUSES
        + GRANTS
        + DISABLES
        + VOUCHERS
        + TEMPLATES
        + TEMPLATE_UPDATES
        + LINKED_BATCHES;
    assert!(total >= 10_000);
    let queued = desk.sync_status().expect("status").queued;
    assert_eq!(queued, total as u64);

    configure(
        &db,
        Platform::Ebuy,
        &format!("{}/p004", sim.base_url()),
        "ebuy-secret-004",
    );
    for (p, secret) in [
        (Platform::Sense, "sense-token-000"),
        (Platform::WxCard, "wxcard-token-001"),
        (Platform::Voucher, "voucher-token-003"),
    ] {
        configure(&db, p, &format!("{}/{}", sim.base_url(), p.id()), secret);
    }
    configure(
        &db,
        Platform::Bonus,
        &format!("{}/p002", sim.base_url()),
        "bonus-token-002",
    );
    // The simulator accepts 000 code uploads (outside spec 000): a per-platform option,
    // off by default (`sync config --upload-path`); on here so linked batches carry codes.
    rusqlite::Connection::open(&db)
        .expect("db")
        .execute(
            "UPDATE sync_platforms SET upload_path = '/ext/batches' WHERE platform = 'p000'",
            [],
        )
        .expect("upload path");

    // Sync processes, killed with SIGKILL at random moments, until one finishes: first
    // e-Buy alone (its envelopes are few and quick, so kills must land on them), then
    // every platform.
    let seed = 0x5eed_c0de_u64;
    let mut rng = Rng(seed);
    let started = Instant::now();
    let mut kills = 0;
    for (platform, max_kills, window_ms) in [(Some("p004"), 6, 250), (None, 12, 650)] {
        let mut finished = false;
        let mut phase_kills = 0;
        while started.elapsed() < Duration::from_secs(240) {
            let mut cmd = bin();
            cmd.arg("--db").arg(&db).args([
                "sync",
                "run",
                "--backoff-ms",
                "50",
                "--timeout",
                "3",
                "--max-seconds",
                "60",
            ]);
            if let Some(p) = platform {
                cmd.args(["--platform", p]);
            }
            let mut child = cmd
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("spawn sync");
            let kill_at = Instant::now() + Duration::from_millis(50 + rng.next(window_ms));
            let status = loop {
                if let Some(s) = child.try_wait().expect("wait") {
                    break Some(s);
                }
                if phase_kills < max_kills && Instant::now() >= kill_at {
                    child.kill().expect("kill -9"); // SIGKILL on Unix
                    child.wait().expect("reap");
                    phase_kills += 1;
                    break None;
                }
                std::thread::sleep(Duration::from_millis(5));
            };
            if status.is_some_and(|s| s.success()) {
                finished = true;
                break;
            }
        }
        kills += phase_kills;
        assert!(
            finished,
            "sync {platform:?} never finished (seed {seed:#x}, {kills} kills)"
        );
    }
    assert!(kills >= 5, "only {kills} kills: the test proved little");

    // The server's counters: every operation applied exactly once.
    let c = sim.counters();
    assert_eq!(
        c.max_applied(),
        1,
        "something was applied twice: {:?}",
        c.applied
            .iter()
            .map(|(k, v)| (k, v.values().max()))
            .collect::<Vec<_>>()
    );
    let applied = |op: &str| c.applied.get(op).map(|m| m.len()).unwrap_or(0);
    assert_eq!(applied("p004.activate"), ACTIVATIONS - USED_ELSEWHERE);
    assert_eq!(applied("p004.unactivate"), DEACTIVATIONS);
    assert_eq!(applied("p002.create_bonus"), BONUSES);
    assert_eq!(applied("p002.grant_bonus"), GRANTS);
    assert_eq!(applied("p002.disable_bonus"), DISABLES);
    assert_eq!(applied("p003.buy_coupon"), VOUCHERS);
    assert_eq!(applied("p001.create_ticket"), TEMPLATES);
    assert_eq!(applied("p001.update_ticket"), TEMPLATE_UPDATES);
    assert_eq!(applied("p000.import_batch"), LINKED_BATCHES);
    assert_eq!(applied("p000.create_ticket"), LINKED_BATCHES);
    // The faults really happened.
    for kind in ["error", "dropped", "rate_limited"] {
        assert!(
            c.injected.get(kind).copied().unwrap_or(0) > 0,
            "no {kind} injected: {:?}",
            c.injected
        );
    }

    // The outbox: nothing queued; the conflicts are exactly the used-elsewhere codes.
    let desk = Desk::open(&db).expect("reopen");
    let s = desk.sync_status().expect("status");
    assert_eq!(s.queued, 0);
    let conflicts = desk
        .sync_outbox(&OutboxQuery {
            state: Some(OutboxState::Conflict),
            page: coupondesk_core::domain::PageRequest {
                page: 1,
                per_page: 100,
            },
            ..OutboxQuery::default()
        })
        .expect("conflicts");
    let subjects: BTreeSet<String> = conflicts.items.iter().map(|i| i.subject.clone()).collect();
    assert_eq!(subjects, elsewhere);
    assert!(conflicts
        .items
        .iter()
        .all(|i| i.result_code.as_deref() == Some("CODE_USED_ELSEWHERE")));
    // Every bonus knows its platform code.
    let conn = rusqlite::Connection::open(&db).expect("conn");
    let refs: i64 = conn
        .query_row(
            "SELECT count(*) FROM remote_refs WHERE platform = 'p002'",
            [],
            |r| r.get(0),
        )
        .expect("refs");
    assert_eq!(refs, BONUSES as i64);
    let refs: i64 = conn
        .query_row(
            "SELECT count(*) FROM remote_refs WHERE platform IN ('p001', 'p003')",
            [],
            |r| r.get(0),
        )
        .expect("refs");
    assert_eq!(refs, (TEMPLATES + VOUCHERS) as i64);
    eprintln!(
        "chaos: {total} ops, {kills} kills, {:?} injected, {} replays, {:.1} s",
        c.injected,
        c.replays.values().sum::<u64>(),
        started.elapsed().as_secs_f64()
    );
}
