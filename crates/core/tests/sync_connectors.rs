//! The 000 (Sense), 001 (WeChat card) and 003 (voucher) connectors against the simulator
//! over loopback, on a real SQLite file: each local action reaches its platform exactly
//! once, also when the platform's answers are lost, remote ids are kept, refusals
//! become conflicts in plain words, and pulls refresh local state.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::time::Duration;

use coupondesk_core::domain::template::TemplateDraft;
use coupondesk_core::domain::voucher::VoucherDraft;
use coupondesk_core::domain::PageRequest;
use coupondesk_core::generate::GenerateRequest;
use coupondesk_core::progress::CancelToken;
use coupondesk_core::sync::engine::RunOptions;
use coupondesk_core::sync::http::Http;
use coupondesk_core::sync::{
    OutboxItem, OutboxQuery, OutboxState, Platform, PlatformSettingsInput,
};
use coupondesk_core::Desk;
use coupondesk_remote_sim::{Faults, Sim, SimConfig, SimHandle};
use rusqlite::Connection;
use serde_json::{json, Value};

fn quick() -> RunOptions {
    RunOptions {
        max_duration: Duration::from_secs(60),
        backoff_base: Duration::from_millis(5),
        backoff_cap: Duration::from_millis(50),
        timeout: Duration::from_secs(5),
        // Long enough for the simulator's late applies below, short enough for a test.
        settle: Duration::from_millis(300),
        ..RunOptions::default()
    }
}

/// One run that stops at the first failure (nothing is slept through).
fn once() -> RunOptions {
    RunOptions {
        wait: false,
        ..quick()
    }
}

fn token(p: Platform) -> &'static str {
    match p {
        Platform::Sense => "sense-token-000",
        Platform::WxCard => "wxcard-token-001",
        Platform::Voucher => "voucher-token-003",
        _ => unreachable!("not tested here"),
    }
}

fn configure(desk: &Desk, p: Platform, base_url: &str) {
    desk.sync_save_settings(&PlatformSettingsInput {
        platform: p,
        enabled: true,
        base_url: format!("{base_url}/{}", p.id()),
        app_id: String::new(),
        brand_id: String::new(),
        sign_type: String::new(),
        shop_no: String::new(),
        org: String::new(),
        ca_file: String::new(),
        allow_http: false,
        // The simulator accepts code uploads (outside spec 000): these tests use them.
        upload_path: if p == Platform::Sense {
            "/ext/batches".into()
        } else {
            String::new()
        },
        secret: Some(token(p).into()),
        clear_secret: false,
    })
    .unwrap();
}

fn open(dir: &Path) -> Desk {
    Desk::open(&dir.join("shop.sqlite3")).unwrap()
}

fn db(desk: &Desk) -> Connection {
    Connection::open(desk.db_path()).unwrap()
}

fn outbox(desk: &Desk, p: Platform) -> Vec<OutboxItem> {
    let mut items = desk
        .sync_outbox(&OutboxQuery {
            platform: Some(p),
            page: PageRequest {
                page: 1,
                per_page: 100,
            },
            ..OutboxQuery::default()
        })
        .unwrap()
        .items;
    items.sort_by_key(|i| i.id);
    items
}

fn remote_ref(desk: &Desk, p: Platform, kind: &str, local: &str) -> Option<String> {
    db(desk)
        .query_row(
            "SELECT remote_id FROM remote_refs WHERE platform = ?1 AND kind = ?2 AND local_id = ?3",
            [p.id(), kind, local],
            |r| r.get(0),
        )
        .ok()
}

fn draft(title: &str, offer: Value) -> TemplateDraft {
    serde_json::from_value(json!({
        "offer": offer,
        "title": title, "brandName": "海底捞", "color": "Color010",
        "logoUrl": "https://example.com/logo.png", "notice": "使用时向服务员出示此券",
        "description": "不可与其他优惠同享", "servicePhone": "020-88888888",
        "quantity": 1000, "getLimit": 1, "codeType": "CODE_TYPE_TEXT",
        "beginAt": "2026-01-01T00:00:00+08:00", "endAt": "2027-01-01T00:00:00+08:00",
        "term": null, "timeLimits": [{"day": "MONDAY", "begin": 10, "end": 659}],
        "acceptCategory": "", "rejectCategory": "", "canUseWithOtherDiscount": false
    }))
    .unwrap()
}

fn cash(title: &str) -> TemplateDraft {
    draft(
        title,
        json!({"cash": {"reduceFen": 2000, "leastFen": 10000}}),
    )
}

fn batch(desk: &Desk, ticket_type: &str, codes: u64) {
    desk.create_batch(ticket_type, &format!("batch {ticket_type}"))
        .unwrap();
    desk.generate_codes(
        &GenerateRequest {
            ticket_type: ticket_type.into(),
            count: codes,
            length: None,
            prefix: None,
        },
        &CancelToken::new(),
        &mut |_| {},
    )
    .unwrap();
}

fn sell(desk: &Desk, name: &str, price_fen: i64) -> i64 {
    let d: VoucherDraft = serde_json::from_value(json!({
        "customer": "13800000000", "name": name, "priceFen": price_fen
    }))
    .unwrap();
    desk.sell_voucher(d).unwrap().id
}

fn drop_all(sim: &SimHandle, p: Platform) {
    sim.set_faults(Faults {
        drop_after_apply_rate: 1.0,
        platforms: vec![p],
        ..Faults::default()
    });
}

fn applied(sim: &SimHandle, op: &str) -> Vec<(String, u64)> {
    sim.counters()
        .applied
        .get(op)
        .map(|m| m.iter().map(|(k, v)| (k.clone(), *v)).collect())
        .unwrap_or_default()
}

// ---------------------------------------------------------------- 000 Sense

#[test]
fn a_linked_batch_becomes_a_ticket_type_once_and_a_second_batch_supplements_it() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::start(SimConfig::default()).unwrap();
    let desk = open(dir.path());
    configure(&desk, Platform::Sense, &sim.base_url());
    batch(&desk, "S1", 30);
    batch(&desk, "S2", 20);
    let t = desk.create_template(cash("满100减20")).unwrap();
    desk.link_batch(t.id, "S1").unwrap();
    desk.link_batch(t.id, "S2").unwrap();
    // Linking again changes nothing and queues nothing; nor does a re-link after an
    // unlink (the platform cannot take codes back, so they go once).
    desk.link_batch(t.id, "S1").unwrap();
    desk.unlink_batch(t.id, "S1").unwrap();
    desk.link_batch(t.id, "S1").unwrap();
    let queued = outbox(&desk, Platform::Sense);
    assert_eq!(queued.len(), 2);
    assert_eq!(queued[0].op, "sense.import");
    assert_eq!(queued[0].subject, "S1");
    assert_eq!(queued[0].payload["ticketName"], "满100减20");
    assert_eq!(queued[0].payload["codeCount"], 30);
    let batch_nos: Vec<String> = queued
        .iter()
        .map(|i| i.payload["batchNo"].as_str().unwrap().to_owned())
        .collect();
    assert!(batch_nos[0].starts_with("S1-"));
    assert_ne!(batch_nos[0], batch_nos[1]);

    let r = desk.sync_run(Some(Platform::Sense), &quick()).unwrap();
    assert_eq!(r.platforms[0].done, 2, "{r:?}");
    let items = outbox(&desk, Platform::Sense);
    assert!(
        items.iter().all(|i| i.state == OutboxState::Done),
        "{items:?}"
    );
    assert_eq!(
        applied(&sim, "p000.create_ticket"),
        vec![("满100减20".into(), 1)]
    );
    let mut imported = applied(&sim, "p000.import_batch");
    imported.sort();
    let mut want: Vec<(String, u64)> = batch_nos.iter().map(|b| (b.clone(), 1)).collect();
    want.sort();
    assert_eq!(
        imported, want,
        "the second batch supplemented the type (PUT)"
    );
    assert_eq!(sim.counters().request_count("PUT /p000/tickets"), 1);
    assert_eq!(
        remote_ref(&desk, Platform::Sense, "ticket", "满100减20").as_deref(),
        Some("SIMT00000001")
    );
    let state = sim.state();
    let tickets = state["p000"]["tickets"].as_array().unwrap();
    assert_eq!(tickets.len(), 1);
    assert_eq!(tickets[0]["codes"].as_array().unwrap().len(), 50);
    let status = desk.sync_status().unwrap();
    let p0 = status
        .platforms
        .iter()
        .find(|p| p.platform == Platform::Sense)
        .unwrap();
    let remote = p0.remote.as_ref().expect("pulled");
    assert_eq!((remote.items, remote.used), (1, 0));
}

#[test]
fn a_lost_sense_answer_does_not_import_twice() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::start(SimConfig::default()).unwrap();
    let desk = open(dir.path());
    configure(&desk, Platform::Sense, &sim.base_url());
    batch(&desk, "S1", 10);
    let t = desk.create_template(cash("满50减5")).unwrap();
    desk.link_batch(t.id, "S1").unwrap();
    drop_all(&sim, Platform::Sense);
    let r = desk.sync_run(Some(Platform::Sense), &once()).unwrap();
    assert_eq!(r.platforms[0].done, 0);
    assert_eq!(r.remaining(), 1, "nothing is done without an answer");
    assert!(sim.counters().injected_count("dropped") >= 1);
    sim.set_faults(Faults::default());
    let r = desk.sync_run(Some(Platform::Sense), &quick()).unwrap();
    assert_eq!(r.platforms[0].done, 1, "{r:?}");
    let items = outbox(&desk, Platform::Sense);
    assert_eq!(items[0].state, OutboxState::Done);
    let c = sim.counters();
    assert_eq!(c.max_applied(), 1, "{:?}", c.applied);
    assert_eq!(c.applied_total("p000.create_ticket"), 1);
    assert_eq!(c.applied_total("p000.import_batch"), 1);
    assert_eq!(c.applied_total("p000.upload_batch"), 1);
    assert_eq!(
        remote_ref(&desk, Platform::Sense, "ticket", "满50减5").as_deref(),
        Some("SIMT00000001")
    );
    assert_eq!(
        sim.state()["p000"]["tickets"][0]["codes"]
            .as_array()
            .unwrap()
            .len(),
        10
    );
}

#[test]
fn an_import_whose_answer_was_lost_is_recognised_by_its_batch_number() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::start(SimConfig::default()).unwrap();
    let desk = open(dir.path());
    configure(&desk, Platform::Sense, &sim.base_url());
    batch(&desk, "S1", 4);
    let t = desk.create_template(cash("满60减6")).unwrap();
    desk.link_batch(t.id, "S1").unwrap();
    let item = outbox(&desk, Platform::Sense)[0].clone();
    let batch_no = item.payload["batchNo"].as_str().unwrap().to_owned();
    let codes: Vec<String> = db(&desk)
        .prepare("SELECT code FROM codes ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    // What an earlier try did before its answer was lost: upload and create with import.
    let mut http = Http::new(Duration::from_secs(5));
    let base = format!("{}/p000", sim.base_url());
    let auth = [("X-Le-Sense-AT", "sense-token-000")];
    for (path, body) in [
        (
            "/ext/batches",
            json!({"batch_no": batch_no, "codes": codes}),
        ),
        (
            "/tickets",
            json!({"ticket_name": "满60减6", "batch_no": batch_no}),
        ),
    ] {
        let a = http
            .call(
                "POST",
                &format!("{base}{path}"),
                &auth,
                Some(body.to_string().as_bytes()),
            )
            .unwrap();
        assert_eq!(a.status, 200);
    }
    db(&desk)
        .execute(
            "UPDATE outbox SET sent = 1, maybe_applied = 1, sent_at = 0 WHERE id = ?1",
            [item.id],
        )
        .unwrap();
    let r = desk.sync_run(Some(Platform::Sense), &quick()).unwrap();
    assert_eq!(r.platforms[0].done, 1, "{r:?}");
    let c = sim.counters();
    assert_eq!(c.max_applied(), 1, "{:?}", c.applied);
    assert_eq!(c.applied_total("p000.import_batch"), 1);
    assert_eq!(
        remote_ref(&desk, Platform::Sense, "ticket", "满60减6").as_deref(),
        Some("SIMT00000001")
    );
    assert_eq!(outbox(&desk, Platform::Sense)[0].state, OutboxState::Done);
}

#[test]
fn a_batch_number_the_platform_holds_with_other_codes_is_a_conflict() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::start(SimConfig::default()).unwrap();
    let desk = open(dir.path());
    configure(&desk, Platform::Sense, &sim.base_url());
    batch(&desk, "S1", 5);
    let t = desk.create_template(cash("满30减3")).unwrap();
    desk.link_batch(t.id, "S1").unwrap();
    let batch_no = outbox(&desk, Platform::Sense)[0].payload["batchNo"]
        .as_str()
        .unwrap()
        .to_owned();
    // Someone else already uploaded other codes under that number.
    let mut http = Http::new(Duration::from_secs(5));
    let a = http
        .call(
            "POST",
            &format!("{}/p000/ext/batches", sim.base_url()),
            &[("X-Le-Sense-AT", "sense-token-000")],
            Some(
                json!({"batch_no": batch_no, "codes": ["OTHER-1"]})
                    .to_string()
                    .as_bytes(),
            ),
        )
        .unwrap();
    assert_eq!(a.status, 200);
    let r = desk.sync_run(Some(Platform::Sense), &quick()).unwrap();
    assert_eq!(r.platforms[0].conflicts, 1, "{r:?}");
    let item = &outbox(&desk, Platform::Sense)[0];
    assert_eq!(item.state, OutboxState::Conflict);
    assert_eq!(item.result_code.as_deref(), Some("RET_3"));
    let msg = item.result_message.as_deref().unwrap();
    assert!(msg.contains("refused the codes of batch number"), "{msg}");
    assert!(msg.contains("edit the batchNo"), "{msg}");
    assert_eq!(applied(&sim, "p000.create_ticket"), vec![]);

    // Edited to a fresh number, it goes through.
    let mut payload = item.payload.clone();
    payload["batchNo"] = json!(format!("{batch_no}-b"));
    desk.sync_conflict_edit(item.id, payload).unwrap();
    let r = desk.sync_run(Some(Platform::Sense), &quick()).unwrap();
    assert_eq!(r.platforms[0].done, 1, "{r:?}");
    assert_eq!(
        applied(&sim, "p000.create_ticket"),
        vec![("满30减3".into(), 1)]
    );
}

// ---------------------------------------------------------------- 001 WeChat card

#[test]
fn a_template_is_created_once_then_updated_by_its_card_id() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::start(SimConfig::default()).unwrap();
    let desk = open(dir.path());
    configure(&desk, Platform::WxCard, &sim.base_url());
    let t = desk.create_template(cash("满100减20")).unwrap();
    let mut changed = cash("满100减30");
    changed.offer =
        serde_json::from_value(json!({"cash": {"reduceFen": 3000, "leastFen": 10000}})).unwrap();
    desk.update_template(t.id, changed).unwrap();
    // A general template has no kind on 001: nothing is queued for it.
    desk.create_template(draft(
        "通用券",
        json!({"general": {"defaultDetail": "随便用"}}),
    ))
    .unwrap();
    let queued = outbox(&desk, Platform::WxCard);
    let ops: Vec<&str> = queued.iter().map(|i| i.op.as_str()).collect();
    assert_eq!(ops, ["wxcard.create", "wxcard.update"]);
    assert_eq!(queued[0].subject, t.id.to_string());
    assert_eq!(queued[0].payload["ticket_type"], "coupon_card");
    assert_eq!(
        queued[0].payload["ticket_info"]["base_info"]["title"],
        "满100减20"
    );
    assert_eq!(queued[0].payload["begin_at"], "2025-12-31 16:00:00");

    let r = desk.sync_run(Some(Platform::WxCard), &quick()).unwrap();
    assert_eq!(r.platforms[0].done, 2, "{r:?}");
    assert!(outbox(&desk, Platform::WxCard)
        .iter()
        .all(|i| i.state == OutboxState::Done));
    assert_eq!(
        applied(&sim, "p001.create_ticket"),
        vec![("coupon_card:满100减20".into(), 1)]
    );
    assert_eq!(applied(&sim, "p001.update_ticket"), vec![("1".into(), 1)]);
    assert_eq!(
        remote_ref(&desk, Platform::WxCard, "template", &t.id.to_string()).as_deref(),
        Some("1")
    );
    let card = &sim.state()["p001"]["cards"][0];
    let info = &card["info"];
    assert_eq!(info["base_info"]["title"], "满100减30");
    assert_eq!(info["reduce_cost"], 3000);
    assert_eq!(info["least_cost"], 10000);
    assert_eq!(info["base_info"]["sku"]["quantity"], 1000);
    assert_eq!(
        info["base_info"]["date_info"]["type"],
        "DATE_TYPE_FIX_TIME_RANGE"
    );
    assert_eq!(
        info["advanced_info"]["time_limit"][0],
        json!({"type": "MONDAY", "begin_hour": 0, "begin_minute": 10, "end_hour": 10, "end_minute": 59})
    );
    let status = desk.sync_status().unwrap();
    let p1 = status
        .platforms
        .iter()
        .find(|p| p.platform == Platform::WxCard)
        .unwrap();
    assert_eq!(p1.remote.as_ref().map(|r| r.items), Some(1));
}

/// Issue 13: a logo picked from a file. The template saves with it and no address; WeChat
/// needs the address (no upload in spec 001), so its create waits in the inbox, nothing
/// is sent, and once staff put the address in, it goes through once.
#[test]
fn a_template_whose_logo_is_only_a_file_waits_for_its_address() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::start(SimConfig::default()).unwrap();
    let desk = open(dir.path());
    configure(&desk, Platform::WxCard, &sim.base_url());
    let png = dir.path().join("店标.png");
    std::fs::write(&png, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR a small logo").unwrap();
    let logo = desk.add_template_logo(&png).unwrap();
    assert_eq!(logo.mime, "image/png");
    assert_eq!(logo.file_name, "店标.png");
    assert!(
        logo.data_url
            .starts_with("data:image/png;base64,iVBORw0KGgo"),
        "{}",
        logo.data_url
    );
    assert_eq!(
        desk.add_template_logo(&png).unwrap().sha256,
        logo.sha256,
        "kept once"
    );
    assert_eq!(
        desk.template_logo(&logo.sha256).unwrap(),
        Some(logo.clone())
    );

    let not_png = dir.path().join("logo.png");
    std::fs::write(&not_png, b"GIF89a...").unwrap();
    let e = coupondesk_core::ApiError::from(desk.add_template_logo(&not_png).unwrap_err());
    assert_eq!(e.code, "logo_invalid");
    assert!(e.message.contains("not a PNG or JPEG"), "{}", e.message);

    let mut d = cash("满100减20");
    d.logo_url = String::new();
    let e = coupondesk_core::ApiError::from(desk.create_template(d.clone()).unwrap_err());
    assert_eq!(e.fields[0].field, "logoUrl", "{e:?}");
    assert!(
        e.fields[0].message.contains("choose the logo's image file"),
        "{e:?}"
    );
    d.logo_image = Some("ab".repeat(32));
    let e = coupondesk_core::ApiError::from(desk.create_template(d.clone()).unwrap_err());
    assert_eq!(
        (e.fields[0].field.as_str(), e.fields[0].code.as_str()),
        ("logoImage", "not_found")
    );
    d.logo_image = Some(logo.sha256.clone());
    let t = desk.create_template(d).unwrap();
    assert_eq!(t.fields.logo_image.as_deref(), Some(logo.sha256.as_str()));

    let r = desk.sync_run(Some(Platform::WxCard), &quick()).unwrap();
    assert_eq!(r.platforms[0].conflicts, 1, "{r:?}");
    let item = &outbox(&desk, Platform::WxCard)[0];
    assert_eq!(item.result_code.as_deref(), Some("NEEDS_LOGO_URL"));
    assert!(
        item.result_message
            .as_deref()
            .unwrap()
            .contains("upload the logo in the WeChat console"),
        "{item:?}"
    );
    assert_eq!(applied(&sim, "p001.create_ticket"), vec![]);

    let mut payload = item.payload.clone();
    payload["ticket_info"]["base_info"]["logo_url"] = json!("http://mmbiz.qpic.cn/mmbiz/logo/0");
    desk.sync_conflict_edit(item.id, payload).unwrap();
    let r = desk.sync_run(Some(Platform::WxCard), &quick()).unwrap();
    assert_eq!(r.platforms[0].done, 1, "{r:?}");
    assert_eq!(
        applied(&sim, "p001.create_ticket"),
        vec![("coupon_card:满100减20".into(), 1)]
    );
    assert_eq!(
        sim.state()["p001"]["cards"][0]["info"]["base_info"]["logo_url"],
        "http://mmbiz.qpic.cn/mmbiz/logo/0"
    );
}

#[test]
fn a_lost_template_create_is_read_back_not_created_twice() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::start(SimConfig::default()).unwrap();
    let desk = open(dir.path());
    configure(&desk, Platform::WxCard, &sim.base_url());
    // Someone else's card of the same kind and title, for another period, is on the
    // platform already: it must not be taken for ours.
    let mut http = Http::new(Duration::from_secs(5));
    let a = http
        .call(
            "POST",
            &format!("{}/p001/discount/ticket", sim.base_url()),
            &[("Authorization", "Bearer wxcard-token-001")],
            Some(
                json!({"ticket_info": {"base_info": {"title": "八折券"}}, "sync": false,
                       "begin_at": "2025-01-01", "end_at": "2025-12-31"})
                .to_string()
                .as_bytes(),
            ),
        )
        .unwrap();
    assert_eq!(a.status, 200);
    let t = desk
        .create_template(draft("八折券", json!({"discount": {"percentOff": 20}})))
        .unwrap();
    drop_all(&sim, Platform::WxCard);
    let r = desk.sync_run(Some(Platform::WxCard), &once()).unwrap();
    assert_eq!(r.platforms[0].done, 0);
    assert_eq!(
        applied(&sim, "p001.create_ticket"),
        vec![("discount_card:八折券".into(), 2)],
        "theirs and our lost one"
    );
    sim.set_faults(Faults::default());
    let r = desk.sync_run(Some(Platform::WxCard), &quick()).unwrap();
    assert_eq!(r.platforms[0].done, 1, "{r:?}");
    assert_eq!(
        applied(&sim, "p001.create_ticket"),
        vec![("discount_card:八折券".into(), 2)],
        "not created again"
    );
    assert_eq!(
        remote_ref(&desk, Platform::WxCard, "template", &t.id.to_string()).as_deref(),
        Some("2")
    );
    let item = outbox(&desk, Platform::WxCard).pop().unwrap();
    assert_eq!(item.state, OutboxState::Done);
    assert!(item
        .result_message
        .as_deref()
        .unwrap()
        .contains("earlier try"));
    // A later update goes to that card.
    desk.update_template(
        t.id,
        draft("八折券", json!({"discount": {"percentOff": 25}})),
    )
    .unwrap();
    desk.sync_run(Some(Platform::WxCard), &quick()).unwrap();
    assert_eq!(applied(&sim, "p001.update_ticket"), vec![("2".into(), 1)]);
    assert_eq!(sim.state()["p001"]["cards"][1]["info"]["discount"], 25);
}

#[test]
fn an_update_of_a_card_the_platform_no_longer_has_is_a_conflict() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::start(SimConfig::default()).unwrap();
    let desk = open(dir.path());
    configure(&desk, Platform::WxCard, &sim.base_url());
    let t = desk.create_template(cash("满100减20")).unwrap();
    desk.sync_run(Some(Platform::WxCard), &quick()).unwrap();
    sim.reset(); // the platform forgets every card
    desk.update_template(t.id, cash("满100减25")).unwrap();
    let r = desk.sync_run(Some(Platform::WxCard), &quick()).unwrap();
    assert_eq!(r.platforms[0].conflicts, 1, "{r:?}");
    let item = outbox(&desk, Platform::WxCard).pop().unwrap();
    assert_eq!(item.op, "wxcard.update");
    assert_eq!(item.state, OutboxState::Conflict);
    assert_eq!(item.result_code.as_deref(), Some("NOT_FOUND"));
    let msg = item.result_message.as_deref().unwrap();
    assert!(msg.contains("no longer has card 1"), "{msg}");
}

// ---------------------------------------------------------------- 003 voucher

#[test]
fn a_sold_voucher_is_bought_once_with_its_remote_id() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::start(SimConfig::default()).unwrap();
    let desk = open(dir.path());
    configure(&desk, Platform::Voucher, &sim.base_url());
    let a = sell(&desk, "洗车", 2880);
    let b = sell(&desk, "洗车", 2880);
    let queued = outbox(&desk, Platform::Voucher);
    assert_eq!(queued.len(), 2);
    assert_eq!(queued[0].op, "voucher.buy");
    assert_eq!(queued[0].subject, a.to_string());
    assert_eq!(queued[0].payload, json!({"name": "洗车", "priceFen": 2880}));
    let r = desk.sync_run(Some(Platform::Voucher), &quick()).unwrap();
    assert_eq!(r.platforms[0].done, 2, "{r:?}");
    assert_eq!(applied(&sim, "p003.buy_coupon"), vec![("洗车".into(), 2)]);
    assert_eq!(
        remote_ref(&desk, Platform::Voucher, "voucher", &a.to_string()).as_deref(),
        Some("1")
    );
    assert_eq!(
        remote_ref(&desk, Platform::Voucher, "voucher", &b.to_string()).as_deref(),
        Some("2")
    );
    let coupons = &sim.state()["p003"]["coupons"];
    assert_eq!(coupons[0]["price_fen"], 2880);
    let status = desk.sync_status().unwrap();
    let p3 = status
        .platforms
        .iter()
        .find(|p| p.platform == Platform::Voucher)
        .unwrap();
    let remote = p3.remote.as_ref().expect("pulled");
    assert_eq!((remote.items, remote.used, remote.refreshed), (2, 0, 0));
}

#[test]
fn a_lost_voucher_buy_is_read_back_not_bought_twice() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::start(SimConfig::default()).unwrap();
    let desk = open(dir.path());
    configure(&desk, Platform::Voucher, &sim.base_url());
    let a = sell(&desk, "洗车", 2880);
    drop_all(&sim, Platform::Voucher);
    desk.sync_run(Some(Platform::Voucher), &once()).unwrap();
    assert_eq!(applied(&sim, "p003.buy_coupon"), vec![("洗车".into(), 1)]);
    sim.set_faults(Faults::default());
    let b = sell(&desk, "洗车", 2880);
    let r = desk.sync_run(Some(Platform::Voucher), &quick()).unwrap();
    assert_eq!(r.platforms[0].done, 2, "{r:?}");
    // The lost one was found, the second bought: two on the platform, not three.
    assert_eq!(applied(&sim, "p003.buy_coupon"), vec![("洗车".into(), 2)]);
    assert_eq!(
        remote_ref(&desk, Platform::Voucher, "voucher", &a.to_string()).as_deref(),
        Some("1")
    );
    assert_eq!(
        remote_ref(&desk, Platform::Voucher, "voucher", &b.to_string()).as_deref(),
        Some("2")
    );
}

#[test]
fn a_voucher_the_platform_refuses_is_a_conflict() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::start(SimConfig::default()).unwrap();
    let desk = open(dir.path());
    configure(&desk, Platform::Voucher, &sim.base_url());
    let id = sell(&desk, "洗车", 2880);
    // The platform takes no negative price (the desk does not sell one; edited here to
    // get the platform's refusal).
    db(&desk)
        .execute(
            "UPDATE outbox SET payload = ?2 WHERE platform = 'p003' AND subject = ?1",
            rusqlite::params![
                id.to_string(),
                json!({"name": "洗车", "priceFen": -1}).to_string()
            ],
        )
        .unwrap();
    let r = desk.sync_run(Some(Platform::Voucher), &quick()).unwrap();
    assert_eq!(r.platforms[0].conflicts, 1, "{r:?}");
    let item = &outbox(&desk, Platform::Voucher)[0];
    assert_eq!(item.state, OutboxState::Conflict);
    assert_eq!(item.result_code.as_deref(), Some("HTTP_400"));
    let msg = item.result_message.as_deref().unwrap();
    assert!(msg.contains("refused the voucher \"洗车\""), "{msg}");
    assert!(remote_ref(&desk, Platform::Voucher, "voucher", &id.to_string()).is_none());
}

/// A one-file HTTP server answering every request with `body` (the simulator cannot
/// mark a voucher used, the platform's cashier can).
fn fixed_server(body: String) -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    std::thread::spawn(move || {
        for s in l.incoming() {
            let Ok(mut s) = s else { continue };
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    url
}

#[test]
fn a_voucher_used_on_the_platform_is_marked_used_here_once() {
    let dir = tempfile::tempdir().unwrap();
    let desk = open(dir.path());
    let a = sell(&desk, "洗车", 2880);
    let b = sell(&desk, "洗车", 2880);
    let c = sell(&desk, "打蜡", 5000);
    desk.use_voucher(b).unwrap();
    let conn = db(&desk);
    for (local, remote) in [(a, "11"), (b, "12"), (c, "13")] {
        conn.execute(
            "INSERT INTO remote_refs (platform, kind, local_id, remote_id) VALUES ('p003', 'voucher', ?1, ?2)",
            [local.to_string(), remote.to_owned()],
        )
        .unwrap();
    }
    conn.execute(
        "UPDATE outbox SET state = 'done' WHERE platform = 'p003'",
        [],
    )
    .unwrap();
    let coupon = |id: i64, name: &str, used: Option<&str>| {
        json!({"id": id, "customer": "13800000000", "name": name, "createdAt": "2026-3-1 9:00",
               "updatedAt": "2026-3-1 9:00", "usedAt": used, "price": 28.8, "valid": used.is_none()})
    };
    let body = json!({"data": [
        coupon(11, "洗车", Some("2026-3-2 10:05")),
        coupon(12, "洗车", Some("2026-3-2 11:00")),
        coupon(13, "打蜡", None),
    ]})
    .to_string();
    let url = fixed_server(body);
    desk.sync_save_settings(&PlatformSettingsInput {
        platform: Platform::Voucher,
        enabled: true,
        base_url: url,
        app_id: String::new(),
        brand_id: String::new(),
        sign_type: String::new(),
        shop_no: String::new(),
        org: String::new(),
        ca_file: String::new(),
        allow_http: false,
        upload_path: String::new(),
        secret: Some("t".into()),
        clear_secret: false,
    })
    .unwrap();
    desk.sync_run(Some(Platform::Voucher), &quick()).unwrap();
    let status = desk.sync_status().unwrap();
    let p3 = status
        .platforms
        .iter()
        .find(|p| p.platform == Platform::Voucher)
        .unwrap();
    assert_eq!(p3.last_error, None);
    let remote = p3.remote.as_ref().expect("pulled");
    // b was already used here: the used-once trigger is never hit, it stays as it was.
    assert_eq!((remote.items, remote.used, remote.refreshed), (3, 2, 1));
    let va = desk.get_voucher(a).unwrap();
    assert_eq!(
        va.used_at.map(|t| t.to_rfc3339()),
        Some("2026-03-02T02:05:00+00:00".into())
    );
    assert_eq!(va.used_by.as_deref(), Some("p003"));
    assert_ne!(
        desk.get_voucher(b).unwrap().used_by.as_deref(),
        Some("p003")
    );
    assert!(desk.get_voucher(c).unwrap().used_at.is_none());
    // Pulled again: nothing changes.
    let again = desk.sync_run(Some(Platform::Voucher), &quick()).unwrap();
    assert!(again.platforms[0].stopped.is_none(), "{again:?}");
    let status = desk.sync_status().unwrap();
    let p3 = status
        .platforms
        .iter()
        .find(|p| p.platform == Platform::Voucher)
        .unwrap();
    assert_eq!(p3.remote.as_ref().map(|r| r.refreshed), Some(0));
}

// ---------------------------------------------------------------- all three, chaos

#[test]
fn with_half_the_answers_lost_everything_is_applied_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::start(SimConfig {
        seed: 7,
        ..SimConfig::default()
    })
    .unwrap();
    let desk = open(dir.path());
    for p in [Platform::Sense, Platform::WxCard, Platform::Voucher] {
        configure(&desk, p, &sim.base_url());
    }
    for i in 0..6 {
        let t = desk
            .create_template(cash(&format!("满{}减5", 10 + i)))
            .unwrap();
        batch(&desk, &format!("B{i}a"), 7);
        batch(&desk, &format!("B{i}b"), 3);
        desk.link_batch(t.id, &format!("B{i}a")).unwrap();
        // The title stays (it names the ticket type on 000); the offer changes.
        let mut changed = cash(&format!("满{}减5", 10 + i));
        changed.offer =
            serde_json::from_value(json!({"cash": {"reduceFen": 600, "leastFen": 10000}})).unwrap();
        desk.update_template(t.id, changed).unwrap();
        desk.link_batch(t.id, &format!("B{i}b")).unwrap();
        sell(&desk, &format!("服务{i}"), 100 * (i + 1));
    }
    sim.set_faults(Faults {
        drop_after_apply_rate: 0.5,
        ..Faults::default()
    });
    for _ in 0..100 {
        let r = desk.sync_run(None, &quick()).unwrap();
        if r.remaining() == 0 {
            break;
        }
    }
    sim.set_faults(Faults::default());
    for p in [Platform::Sense, Platform::WxCard, Platform::Voucher] {
        let items = outbox(&desk, p);
        assert!(
            items.iter().all(|i| i.state == OutboxState::Done),
            "{p}: {items:#?}"
        );
    }
    let c = sim.counters();
    assert!(c.injected_count("dropped") > 10, "{:?}", c.injected);
    for op in [
        "p000.create_ticket",
        "p000.upload_batch",
        "p000.import_batch",
        "p001.create_ticket",
        "p003.buy_coupon",
    ] {
        let m = c.applied.get(op).unwrap();
        assert!(m.values().all(|n| *n == 1), "{op}: {m:?}");
    }
    assert_eq!(c.applied_total("p000.create_ticket"), 6);
    assert_eq!(c.applied_total("p000.import_batch"), 12);
    assert_eq!(c.applied_total("p001.create_ticket"), 6);
    assert_eq!(c.applied_total("p003.buy_coupon"), 6);
    // Every template maps to its own card, every voucher to its own coupon.
    let conn = db(&desk);
    let distinct = |p: &str, kind: &str| -> (i64, i64) {
        conn.query_row(
            "SELECT count(*), count(DISTINCT remote_id) FROM remote_refs WHERE platform = ?1 AND kind = ?2",
            [p, kind],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
    };
    assert_eq!(distinct("p000", "ticket"), (6, 6));
    assert_eq!(distinct("p001", "template"), (6, 6));
    assert_eq!(distinct("p003", "voucher"), (6, 6));
    // Each card carries its template's last state.
    let state = sim.state();
    let reduce: Vec<&Value> = state["p001"]["cards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["info"]["reduce_cost"])
        .collect();
    assert!(reduce.iter().all(|r| **r == 600), "{reduce:?}");
    for t in state["p000"]["tickets"].as_array().unwrap() {
        assert_eq!(t["codes"].as_array().unwrap().len(), 10, "{t}");
    }
}
