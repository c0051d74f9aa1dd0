//! 000 Sense against a server that serves only what spec 000 documents (`GET`/`POST`/`PUT
//! /tickets`, answers in `{"head":{"ret","msg"},"body"}`): a linked batch goes with the
//! platform's own batch number and only documented requests, or waits in the inbox with
//! the instruction; 104 is never success; every import is verified by `ticket_total`; a
//! 404 is a conflict, never an endless retry.

mod literal;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use coupondesk_core::domain::template::TemplateDraft;
use coupondesk_core::generate::GenerateRequest;
use coupondesk_core::progress::CancelToken;
use coupondesk_core::sync::{OutboxState, Platform};
use coupondesk_core::Desk;
use literal::{configure, db, open, opts, outbox, remote_ref, Literal, Req};
use serde_json::{json, Value};

/// The platform's side: batch numbers staff uploaded in its console (number → codes,
/// consumed by the one import that uses it) and its ticket types (name → total).
#[derive(Default)]
struct Console {
    batches: BTreeMap<String, u64>,
    types: BTreeMap<String, u64>,
}

fn head(ret: i64, msg: &str) -> Value {
    json!({"head": {"ret": ret, "msg": msg}})
}

fn sense_server(console: Arc<Mutex<Console>>) -> Literal {
    sense_server_failing(console, 0)
}

/// The same server, whose `fail_get`-th `GET /tickets` (1-based; 0: none) answers 500.
fn sense_server_failing(console: Arc<Mutex<Console>>, fail_get: usize) -> Literal {
    let gets = Arc::new(Mutex::new(0usize));
    Literal::start(move |r: &Req| {
        let mut c = console.lock().unwrap();
        Some(match (r.method.as_str(), r.bare()) {
            ("GET", "/tickets")
                if {
                    let mut n = gets.lock().unwrap();
                    *n += 1;
                    *n == fail_get
                } =>
            {
                (500, json!({"error": "internal"}))
            }
            ("GET", "/tickets") => {
                let name = r.query("ticket_name").unwrap_or_default();
                let tickets: Vec<Value> = c
                    .types
                    .iter()
                    .enumerate()
                    .filter(|(_, (n, _))| n.contains(&name))
                    .map(|(i, (n, total))| {
                        json!({"ticket_type": format!("T{:04}", i + 1), "ticket_name": n,
                               "ticket_total": total, "ticket_used": 0,
                               "update_time": "1473246472121"})
                    })
                    .collect();
                let mut ok = head(0, "成功");
                ok["body"] = json!({ "tickets": tickets });
                (200, ok)
            }
            (m @ ("POST" | "PUT"), "/tickets") => {
                let name = r.body["ticket_name"].as_str().unwrap_or("").to_owned();
                let exists = c.types.contains_key(&name);
                if m == "POST" && exists {
                    (200, head(103, "券名称已存在"))
                } else if m == "PUT" && !exists {
                    (200, head(105, "券类型不存在"))
                } else {
                    let no = r.body["batch_no"].as_str().unwrap_or("").to_owned();
                    match c.batches.remove(&no) {
                        Some(n) => {
                            *c.types.entry(name).or_insert(0) += n;
                            (200, head(0, "成功"))
                        }
                        None => (200, head(104, "导入批次号不存在")),
                    }
                }
            }
            _ => (404, json!({"error": "not found"})),
        })
    })
}

fn cash(title: &str) -> TemplateDraft {
    serde_json::from_value(json!({
        "offer": {"cash": {"reduceFen": 2000, "leastFen": 10000}},
        "title": title, "brandName": "Brand", "color": "Color010",
        "logoUrl": "https://example.com/logo.png", "notice": "show it",
        "description": "one per table", "servicePhone": "020-88888888",
        "quantity": 1000, "getLimit": 1, "codeType": "CODE_TYPE_TEXT",
        "beginAt": "2026-01-01T00:00:00+08:00", "endAt": "2027-01-01T00:00:00+08:00",
        "term": null, "timeLimits": [], "acceptCategory": "", "rejectCategory": "",
        "canUseWithOtherDiscount": false
    }))
    .unwrap()
}

/// A batch of 5 codes and a template "Lunch20"; returns the template id.
fn batch_and_template(desk: &Desk) -> i64 {
    desk.create_batch("S1", "batch S1").unwrap();
    desk.generate_codes(
        &GenerateRequest {
            ticket_type: "S1".into(),
            count: 5,
            length: None,
            prefix: None,
        },
        &CancelToken::new(),
        &mut |_| {},
    )
    .unwrap();
    desk.create_template(cash("Lunch20")).unwrap().id
}

const LIST: &str = "GET /tickets?to_page=1&per_page=100&ticket_name=Lunch20";

#[test]
fn without_an_upload_path_or_a_platform_batch_the_link_waits_in_the_inbox_then_an_edit_sends_it() {
    let dir = tempfile::tempdir().unwrap();
    let desk = open(dir.path());
    let console = Arc::new(Mutex::new(Console::default()));
    let server = sense_server(console.clone());
    configure(&desk, Platform::Sense, &server.url, "");
    let t = batch_and_template(&desk);
    desk.link_batch(t, "S1").unwrap();
    let r = desk
        .sync_run(Some(Platform::Sense), &opts(2000, 200))
        .unwrap();
    assert_eq!((r.platforms[0].conflicts, r.remaining()), (1, 0), "{r:?}");
    assert!(
        server.seen().is_empty(),
        "nothing outside the spec, nothing at all: {:?}",
        server.seen()
    );
    let item = outbox(&desk, Platform::Sense)[0].clone();
    assert_eq!(item.result_code.as_deref(), Some("NEEDS_PLATFORM_BATCH"));
    assert_eq!(
        item.result_message.as_deref(),
        Some(
            "Sense has no code upload in its API: upload the codes of batch S1 in the Sense \
             console, then edit this item's platformBatchNo (the batch number the console \
             gave) and retry"
        )
    );
    // Staff upload the file in the console and get a number; they edit the item.
    console.lock().unwrap().batches.insert("PB-1".into(), 5);
    let mut payload = item.payload.clone();
    payload["platformBatchNo"] = json!("PB-1");
    desk.sync_conflict_edit(item.id, payload).unwrap();
    let r = desk
        .sync_run(Some(Platform::Sense), &opts(2000, 200))
        .unwrap();
    assert_eq!(r.platforms[0].done, 1, "{r:?}");
    assert_eq!(server.seen(), vec![LIST, "POST /tickets", LIST]);
    assert_eq!(console.lock().unwrap().types.get("Lunch20"), Some(&5));
    assert_eq!(
        remote_ref(&desk, Platform::Sense, "ticket", "Lunch20").as_deref(),
        Some("T0001")
    );
}

#[test]
fn a_link_with_the_platform_batch_number_sends_only_documented_requests() {
    let dir = tempfile::tempdir().unwrap();
    let desk = open(dir.path());
    let console = Arc::new(Mutex::new(Console::default()));
    console.lock().unwrap().batches.insert("PB-7".into(), 5);
    console.lock().unwrap().types.insert("Lunch20".into(), 10);
    let server = sense_server(console.clone());
    configure(&desk, Platform::Sense, &server.url, "");
    let t = batch_and_template(&desk);
    desk.link_batch_with(t, "S1", Some(" PB-7 ")).unwrap();
    assert_eq!(
        outbox(&desk, Platform::Sense)[0].payload["platformBatchNo"],
        "PB-7"
    );
    let r = desk
        .sync_run(Some(Platform::Sense), &opts(2000, 200))
        .unwrap();
    assert_eq!(r.platforms[0].done, 1, "{r:?}");
    // The type existed: a supplement (PUT), verified by its total (10 + 5).
    assert_eq!(server.seen(), vec![LIST, "PUT /tickets", LIST]);
    let item = &outbox(&desk, Platform::Sense)[0];
    assert_eq!(item.state, OutboxState::Done);
    assert_eq!(
        item.result_message.as_deref(),
        Some("5 codes imported into the ticket type \"Lunch20\" (it holds 15); T0001")
    );
}

#[test]
fn ret_104_is_a_conflict_naming_the_batch_number() {
    let dir = tempfile::tempdir().unwrap();
    let desk = open(dir.path());
    let console = Arc::new(Mutex::new(Console::default()));
    let server = sense_server(console.clone());
    configure(&desk, Platform::Sense, &server.url, "");
    let t = batch_and_template(&desk);
    desk.link_batch_with(t, "S1", Some("PB-TYPO")).unwrap();
    let r = desk
        .sync_run(Some(Platform::Sense), &opts(2000, 200))
        .unwrap();
    assert_eq!((r.platforms[0].conflicts, r.remaining()), (1, 0), "{r:?}");
    assert_eq!(server.seen(), vec![LIST, "POST /tickets"]);
    let item = &outbox(&desk, Platform::Sense)[0];
    assert_eq!(item.result_code.as_deref(), Some("RET_104"));
    assert_eq!(
        item.result_message.as_deref(),
        Some(
            "the platform does not know batch number PB-TYPO (导入批次号不存在); check it in the \
             Sense console, edit this item's platformBatchNo, then retry"
        )
    );
    assert!(console.lock().unwrap().types.is_empty());
}

#[test]
fn a_104_after_our_own_possibly_applied_import_is_decided_by_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let desk = open(dir.path());
    // Our earlier import of PB-1 went through; its answer was lost.
    let console = Arc::new(Mutex::new(Console::default()));
    console.lock().unwrap().types.insert("Lunch20".into(), 5);
    let server = sense_server(console.clone());
    configure(&desk, Platform::Sense, &server.url, "");
    let t = batch_and_template(&desk);
    desk.link_batch_with(t, "S1", Some("PB-1")).unwrap();
    db(&desk)
        .execute(
            "UPDATE outbox SET sent = 1, maybe_applied = 1, sent_at = 0 WHERE platform = 'p000'",
            [],
        )
        .unwrap();
    let r = desk
        .sync_run(Some(Platform::Sense), &opts(2000, 200))
        .unwrap();
    assert_eq!(r.platforms[0].done, 1, "{r:?}");
    assert_eq!(server.seen(), vec![LIST, "PUT /tickets", LIST]);
    assert_eq!(console.lock().unwrap().types.get("Lunch20"), Some(&5));
}

#[test]
fn a_total_that_did_not_grow_by_the_codes_imported_is_a_conflict_showing_both_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let desk = open(dir.path());
    let console = Arc::new(Mutex::new(Console::default()));
    // The file staff uploaded in the console held 3 codes, the batch 5.
    console.lock().unwrap().batches.insert("PB-3".into(), 3);
    let server = sense_server(console.clone());
    configure(&desk, Platform::Sense, &server.url, "");
    let t = batch_and_template(&desk);
    desk.link_batch_with(t, "S1", Some("PB-3")).unwrap();
    let r = desk
        .sync_run(Some(Platform::Sense), &opts(2000, 200))
        .unwrap();
    assert_eq!(r.platforms[0].conflicts, 1, "{r:?}");
    let item = &outbox(&desk, Platform::Sense)[0];
    assert_eq!(item.result_code.as_deref(), Some("TOTAL_MISMATCH"));
    assert_eq!(
        item.result_message.as_deref(),
        Some(
            "after the import the ticket type \"Lunch20\" holds 3 codes on the platform; \
             expected 5 (0 before + 5 imported). Check the type in the Sense console: Discard \
             this if it is right, or edit and retry"
        )
    );
}

#[test]
fn a_404_at_the_upload_path_is_a_conflict_with_an_instruction_not_a_retry() {
    let dir = tempfile::tempdir().unwrap();
    let desk = open(dir.path());
    let console = Arc::new(Mutex::new(Console::default()));
    let server = sense_server(console.clone());
    configure(&desk, Platform::Sense, &server.url, "/ext/batches");
    let t = batch_and_template(&desk);
    desk.link_batch(t, "S1").unwrap();
    let r = desk
        .sync_run(Some(Platform::Sense), &opts(2000, 200))
        .unwrap();
    assert_eq!((r.platforms[0].conflicts, r.remaining()), (1, 0), "{r:?}");
    let again = desk
        .sync_run(Some(Platform::Sense), &opts(2000, 200))
        .unwrap();
    assert_eq!(again.remaining(), 0);
    assert_eq!(
        server.seen(),
        vec![LIST, "POST /ext/batches"],
        "asked once, never again"
    );
    let item = &outbox(&desk, Platform::Sense)[0];
    assert_eq!(item.state, OutboxState::Conflict);
    assert_eq!(item.result_code.as_deref(), Some("HTTP_404"));
    assert_eq!(
        item.result_message.as_deref(),
        Some(
            "Sense answered 404 to the code upload at /ext/batches: this server has no such \
             endpoint (spec 000 has none). Turn off the code upload in Settings, upload the \
             batch's codes in the Sense console, then edit this item's platformBatchNo and retry"
        )
    );
}

#[test]
fn a_404_at_a_documented_path_says_the_address_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let desk = open(dir.path());
    let console = Arc::new(Mutex::new(Console::default()));
    let server = sense_server(console.clone());
    // The base URL points one level too deep: every documented path is a 404.
    configure(&desk, Platform::Sense, &format!("{}/api", server.url), "");
    let t = batch_and_template(&desk);
    desk.link_batch_with(t, "S1", Some("PB-1")).unwrap();
    let r = desk
        .sync_run(Some(Platform::Sense), &opts(2000, 200))
        .unwrap();
    assert_eq!((r.platforms[0].conflicts, r.remaining()), (1, 0), "{r:?}");
    assert_eq!(server.seen().len(), 1);
    let item = &outbox(&desk, Platform::Sense)[0];
    assert_eq!(
        item.result_message.as_deref(),
        Some(
            "Sense answered 404 to GET /tickets: the address in Settings does not lead to its \
             API. Fix the address, then retry"
        )
    );
}

#[test]
fn an_import_whose_answer_was_lost_is_read_back_against_the_noted_total_and_never_sent_again() {
    let dir = tempfile::tempdir().unwrap();
    let desk = open(dir.path());
    let console = Arc::new(Mutex::new(Console::default()));
    let server = sense_server(console.clone());
    configure(&desk, Platform::Sense, &server.url, "");
    let t = batch_and_template(&desk);
    desk.link_batch_with(t, "S1", Some("PB-1")).unwrap();
    let count = outbox(&desk, Platform::Sense)[0].payload["codeCount"]
        .as_u64()
        .unwrap();
    // Our import went out when the type held 7 codes (noted before it left), and the
    // platform applied it: it holds 7 + count now. The answer never came back.
    console
        .lock()
        .unwrap()
        .types
        .insert("Lunch20".into(), 7 + count);
    db(&desk)
        .execute(
            "UPDATE outbox SET sent = 1, maybe_applied = 1, sent_at = 0,
                    send_note = '{\"beforeTotal\":7}' WHERE platform = 'p000'",
            [],
        )
        .unwrap();
    let r = desk
        .sync_run(Some(Platform::Sense), &opts(2000, 200))
        .unwrap();
    assert_eq!(r.platforms[0].done, 1, "{r:?}");
    // One read-back; no import again.
    assert_eq!(server.seen(), vec![LIST]);
    let item = &outbox(&desk, Platform::Sense)[0];
    assert_eq!(item.result_code.as_deref(), Some("ADOPTED"));
}

#[test]
fn a_server_error_after_an_applied_import_keeps_it_possibly_applied_and_it_is_never_sent_again() {
    let dir = tempfile::tempdir().unwrap();
    let desk = open(dir.path());
    let console = Arc::new(Mutex::new(Console::default()));
    console.lock().unwrap().batches.insert("PB-1".into(), 5);
    console.lock().unwrap().types.insert("Lunch20".into(), 10);
    // The read-back after the import (the second list) fails with a 500: the import went
    // through, but the call as a whole failed with an error that "applied nothing".
    let server = sense_server_failing(console.clone(), 2);
    configure(&desk, Platform::Sense, &server.url, "");
    let t = batch_and_template(&desk);
    desk.link_batch_with(t, "S1", Some("PB-1")).unwrap();
    let r = desk
        .sync_run(Some(Platform::Sense), &opts(2000, 200))
        .unwrap();
    assert_eq!(r.platforms[0].done, 1, "{r:?}");
    // The next try waits the settle time and reads back: 10 + 5, ours; no second import.
    assert_eq!(server.seen(), vec![LIST, "PUT /tickets", LIST, LIST]);
    assert_eq!(console.lock().unwrap().types.get("Lunch20"), Some(&15));
    let item = &outbox(&desk, Platform::Sense)[0];
    assert_eq!(item.result_code.as_deref(), Some("ADOPTED"));
}
