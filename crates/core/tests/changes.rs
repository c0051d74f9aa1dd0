//! Change records (docs/sync.md, "From a change to an outbox row"): each store use case
//! records its change in its own transaction, the router turns the records into the right
//! platform's outbox rows exactly once (also across a crash while routing), and the
//! writes sync makes to business tables go through store functions that audit them.

mod common;

use chrono::Utc;
use common::{bonus_draft, cash, ebuy_set_up, fixture, Fixture};
use coupondesk_core::domain::change::Change;
use coupondesk_core::domain::redeem::RedeemRequest;
use coupondesk_core::domain::voucher::VoucherDraft;
use coupondesk_core::domain::{CodeStatus, IllegalTransition};
use coupondesk_core::store::bonuses::BonusRef;
use coupondesk_core::store::code_writes::{self, MoveAudit, Selection};
use coupondesk_core::store::redemptions::UndoTarget;
use coupondesk_core::store::{self, changes};
use coupondesk_core::sync::{router, ActivationRequest};
use coupondesk_core::ErrorCode;
use rusqlite::Connection;

fn voucher_draft() -> VoucherDraft {
    VoucherDraft {
        customer: "13800138000".into(),
        customer_name: String::new(),
        name: "豪华套餐".into(),
        price_fen: 28800,
        pkg: None,
        introduction: "三室两厅".into(),
        paid: true,
    }
}

fn batch(f: &Fixture, t: &str, n: u64) -> Vec<String> {
    f.generated(t, n);
    f.codes(t, None)
}

fn redeem(code: &str) -> RedeemRequest {
    RedeemRequest {
        code: code.into(),
        order_fen: Some(20000),
        customer: None,
    }
}

/// (platform, op, subject, payload, batch_id) of every outbox row, oldest first.
type Row = (String, String, String, serde_json::Value, Option<i64>);

fn outbox(db: &std::path::Path) -> Vec<Row> {
    let conn = Connection::open(db).expect("open");
    let mut st = conn
        .prepare("SELECT platform, op, subject, payload, batch_id FROM outbox ORDER BY id")
        .expect("prepare");
    st.query_map([], |r| {
        let payload: String = r.get(3)?;
        Ok((
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            serde_json::from_str(&payload).expect("payload json"),
            r.get(4)?,
        ))
    })
    .expect("query")
    .collect::<Result<_, _>>()
    .expect("rows")
}

fn waiting(db: &std::path::Path) -> Vec<Change> {
    let conn = store::open(db).expect("open");
    changes::pending(&conn)
        .expect("pending")
        .into_iter()
        .map(|p| p.change)
        .collect()
}

fn ops(rows: &[Row]) -> Vec<(&str, &str)> {
    rows.iter().map(|r| (r.0.as_str(), r.1.as_str())).collect()
}

fn audit_count(db: &std::path::Path, action: &str) -> i64 {
    Connection::open(db)
        .expect("open")
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = ?1",
            [action],
            |r| r.get(0),
        )
        .expect("count")
}

#[test]
fn each_use_case_is_routed_to_its_platform_in_order() {
    let f = fixture();
    let tpl = f.desk.create_template(cash("满100减20")).expect("template");
    f.desk
        .update_template(tpl.id, cash("满100减20 新"))
        .expect("update");
    let codes = batch(&f, "T1", 3);
    f.desk.link_batch(tpl.id, "T1").expect("link");
    // A re-link after an unlink sends the codes no second time.
    f.desk.unlink_batch(tpl.id, "T1").expect("unlink");
    f.desk.link_batch(tpl.id, "T1").expect("relink");
    let bonus = f
        .desk
        .create_bonuses(bonus_draft(500, 2))
        .expect("bonuses")
        .codes;
    f.desk
        .grant_bonus(BonusRef::Code(&bonus[0]), "13800138000", None)
        .expect("grant");
    f.desk
        .disable_bonus(BonusRef::Code(&bonus[1]))
        .expect("disable bonus");
    let v = f.desk.sell_voucher(voucher_draft()).expect("sell");
    ebuy_set_up(&f.desk);
    f.desk
        .codes_activate(&ActivationRequest {
            ticket_type: "T1".into(),
            codes: Some(vec![codes[0].clone(), codes[1].clone()]),
            activate: true,
            make_funds_channel: None,
        })
        .expect("activate");
    f.desk.redeem_use(&redeem(&codes[0])).expect("redeem");
    f.desk
        .redeem_undo(UndoTarget::Code(&codes[0]))
        .expect("undo");
    f.desk.disable_code(&codes[1]).expect("disable code");
    // An issued code's redemption is nobody else's business.
    f.desk
        .redeem_use(&redeem(&codes[2]))
        .expect("redeem issued");

    let rows = outbox(&f.db);
    assert_eq!(
        ops(&rows),
        vec![
            ("p001", "wxcard.create"),
            ("p001", "wxcard.update"),
            ("p000", "sense.import"),
            ("p002", "bonus.create"),
            ("p002", "bonus.create"),
            ("p002", "bonus.grant"),
            ("p002", "bonus.disable"),
            ("p003", "voucher.buy"),
            ("p004", "ebuy.activate"),
            ("p004", "ebuy.activate"),
            ("p004", "ebuy.status"),
            ("p004", "ebuy.status"),
            ("p004", "ebuy.status"),
        ]
    );
    assert!(waiting(&f.db).is_empty(), "every record was routed");
    let batch_id = rows[2].4.expect("import has its batch");
    assert_eq!(rows[0].2, tpl.id.to_string());
    assert_eq!(rows[2].2, "T1");
    assert_eq!(rows[2].3["ticketName"], "满100减20 新");
    assert_eq!(rows[2].3["codeCount"], 3);
    assert_eq!(
        (rows[3].2.as_str(), rows[3].3["amountFen"].clone()),
        (bonus[0].as_str(), 500.into())
    );
    assert_eq!(rows[5].3, serde_json::json!({ "customer": "13800138000" }));
    assert_eq!(rows[6].3, serde_json::json!({}));
    assert_eq!(rows[7].2, v.id.to_string());
    assert_eq!(
        rows[7].3,
        serde_json::json!({ "name": "豪华套餐", "priceFen": 28800 })
    );
    let status: Vec<_> = rows[10..]
        .iter()
        .map(|r| (r.2.as_str(), r.3["codeStatus"].as_str().unwrap_or(""), r.4))
        .collect();
    assert_eq!(
        status,
        vec![
            (codes[0].as_str(), "2", Some(batch_id)),
            (codes[0].as_str(), "1", Some(batch_id)),
            (codes[1].as_str(), "3", Some(batch_id)),
        ]
    );
    assert!(rows[3..8].iter().all(|r| r.4.is_none()));
    f.check_invariants();
}

#[test]
fn store_functions_record_and_the_router_routes_once() {
    let f = fixture();
    let codes = batch(&f, "T1", 2);
    // Straight to the store, as another process would: records wait, nothing is queued.
    let mut conn = store::open(&f.db).expect("open");
    assert!(!changes::take_appended(), "no hint before any record");
    let tpl = store::templates::create(&mut conn, cash("A")).expect("template");
    assert!(changes::take_appended(), "the store hints at its record");
    store::templates::link_batch(&mut conn, tpl.id, "T1", Some(" SB-9 ")).expect("link");
    store::bonuses::create(&mut conn, bonus_draft(500, 1), Utc::now()).expect("bonus");
    store::vouchers::sell(&mut conn, voucher_draft(), Utc::now()).expect("sell");
    let issued = store::redemptions::redeem(&mut conn, &redeem(&codes[0]), Utc::now());
    issued.expect("redeem issued");
    let kinds: Vec<_> = waiting(&f.db)
        .iter()
        .map(|c| serde_json::to_value(c).expect("json")["kind"].clone())
        .collect();
    assert_eq!(
        kinds,
        vec![
            "template_saved",
            "batch_linked",
            "bonus_created",
            "voucher_sold"
        ]
    );
    match &waiting(&f.db)[1] {
        Change::BatchLinked {
            template,
            ticket_type,
            codes,
            platform_batch,
            ..
        } => {
            assert_eq!(*template, tpl.id);
            assert_eq!(ticket_type, "T1");
            assert_eq!(*codes, 2);
            assert_eq!(platform_batch.as_deref(), Some("SB-9"));
        }
        other => panic!("expected the link, got {other:?}"),
    }
    assert!(outbox(&f.db).is_empty());

    assert_eq!(router::route_pending(&mut conn).expect("route"), 4);
    assert_eq!(router::route_pending(&mut conn).expect("again"), 0);
    let rows = outbox(&f.db);
    assert_eq!(
        ops(&rows),
        vec![
            ("p001", "wxcard.create"),
            ("p000", "sense.import"),
            ("p002", "bonus.create"),
            ("p003", "voucher.buy"),
        ]
    );
    assert_eq!(rows[1].3["platformBatchNo"], "SB-9");
}

#[test]
fn a_crash_while_routing_loses_nothing_and_queues_nothing_twice() {
    let f = fixture();
    let mut conn = store::open(&f.db).expect("open");
    store::bonuses::create(&mut conn, bonus_draft(500, 3), Utc::now()).expect("bonuses");
    // The router's transaction dies before its commit (a kill between two statements):
    // SQLite rolls back the outbox rows and the deletion together.
    {
        let tx = conn.transaction().expect("tx");
        assert_eq!(router::route(&tx).expect("route"), 3);
        drop(tx);
    }
    assert_eq!(waiting(&f.db).len(), 3);
    assert!(outbox(&f.db).is_empty());
    drop(conn);

    // Killed after the use case committed and before routing: the next reader of the
    // outbox routes them, once.
    let desk = coupondesk_core::Desk::open(&f.db).expect("reopen");
    let status = desk.sync_status().expect("status");
    let bonus = status
        .platforms
        .iter()
        .find(|p| p.platform == coupondesk_core::sync::Platform::Bonus)
        .expect("bonus card");
    assert_eq!(bonus.queued, 3);
    desk.sync_status().expect("status again");
    assert_eq!(outbox(&f.db).len(), 3);
    assert!(waiting(&f.db).is_empty());
}

#[test]
fn bulk_activation_is_refused_until_e_buy_is_set_up() {
    let f = fixture();
    batch(&f, "T1", 3);
    let whole = |activate: bool| ActivationRequest {
        ticket_type: "T1".into(),
        codes: None,
        activate,
        make_funds_channel: None,
    };
    let refused = |why: &str| {
        for activate in [true, false] {
            let e = f.desk.codes_activate(&whole(activate)).unwrap_err();
            assert_eq!(e.code(), "ebuy_not_set_up", "{e}");
            assert!(e.to_string().starts_with(why), "{e}");
        }
        assert!(outbox(&f.db).is_empty(), "nothing queued");
        assert_eq!(audit_count(&f.db, "codes.activate"), 0);
    };
    refused("sync with e-Buy is off");
    // A secret alone (sync off) is not set up either.
    f.desk
        .sync_save_settings(&common::secret_only(
            coupondesk_core::sync::Platform::Ebuy,
            Some("s"),
            false,
        ))
        .expect("secret");
    refused("sync with e-Buy is off");
    ebuy_set_up(&f.desk);
    assert_eq!(
        f.desk.codes_activate(&whole(true)).expect("set up").queued,
        3
    );
}

#[test]
fn activation_routes_earlier_news_first_and_audits_through_the_store() {
    let f = fixture();
    let codes = batch(&f, "T1", 2);
    let tpl = f.desk.create_template(cash("A")).expect("template");
    f.desk.link_batch(tpl.id, "T1").expect("link");
    let activate = |activate: bool| ActivationRequest {
        ticket_type: "T1".into(),
        codes: Some(vec![codes[0].clone()]),
        activate,
        make_funds_channel: None,
    };
    ebuy_set_up(&f.desk);
    f.desk.codes_activate(&activate(true)).expect("activate");
    // Redeemed and undone by another process: its records are not routed yet.
    {
        let mut conn = store::open(&f.db).expect("open");
        store::redemptions::redeem(&mut conn, &redeem(&codes[0]), Utc::now()).expect("redeem");
        store::redemptions::undo(&mut conn, UndoTarget::Code(&codes[0]), None, Utc::now())
            .expect("undo");
    }
    assert_eq!(waiting(&f.db).len(), 2);
    f.desk.codes_activate(&activate(false)).expect("deactivate");
    let rows = outbox(&f.db);
    let tail: Vec<_> = rows[rows.len() - 3..]
        .iter()
        .map(|r| (r.1.as_str(), r.3["codeStatus"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(
        tail,
        vec![
            ("ebuy.status", "2"),
            ("ebuy.status", "1"),
            ("ebuy.unactivate", "")
        ]
    );
    assert_eq!(audit_count(&f.db, "codes.activate"), 1);
    assert_eq!(audit_count(&f.db, "codes.deactivate"), 1);
    f.check_invariants();

    // The store's move refuses what the lifecycle refuses, and writes nothing then.
    let mut conn = store::open(&f.db).expect("open");
    let tx = conn.transaction().expect("tx");
    let illegal = code_writes::move_status::<coupondesk_core::sync::SyncError>(
        &tx,
        "T1",
        Selection::WholeBatch,
        (CodeStatus::Redeemed, CodeStatus::Active),
        10,
        MoveAudit {
            action: "codes.activate",
            detail: serde_json::json!({}),
        },
    );
    assert!(matches!(
        illegal,
        Err(coupondesk_core::sync::SyncError::Transition(
            IllegalTransition {
                from: CodeStatus::Redeemed,
                to: CodeStatus::Active
            }
        ))
    ));
}

#[test]
fn marks_from_a_pull_go_through_the_store_with_an_audit_entry() {
    let f = fixture();
    let bonus = f
        .desk
        .create_bonuses(bonus_draft(500, 1))
        .expect("bonus")
        .codes;
    let v = f.desk.sell_voucher(voucher_draft()).expect("sell");
    let conn = store::open(&f.db).expect("open");
    conn.execute(
        "INSERT INTO remote_refs (platform, kind, local_id, remote_id)
         VALUES ('p002', 'bonus', ?1, 'R-1')",
        [&bonus[0]],
    )
    .expect("ref");
    let at = Utc::now().timestamp_millis();
    assert!(store::bonuses::mark_used_on_platform(&conn, "p002", "R-1", at).expect("mark"));
    assert!(!store::bonuses::mark_used_on_platform(&conn, "p002", "R-1", at).expect("again"));
    assert!(!store::bonuses::mark_used_on_platform(&conn, "p002", "R-2", at).expect("unknown"));
    assert_eq!(audit_count(&f.db, "bonus.use_on_platform"), 1);
    let b = f.desk.get_bonus(BonusRef::Code(&bonus[0])).expect("get");
    assert_eq!(b.status, coupondesk_core::domain::bonus::BonusStatus::Used);

    assert!(store::vouchers::mark_used_on_platform(&conn, v.id, "p003", at).expect("mark"));
    assert!(!store::vouchers::mark_used_on_platform(&conn, v.id, "p003", at).expect("again"));
    assert_eq!(audit_count(&f.db, "voucher.use_on_platform"), 1);
    assert!(f.desk.get_voucher(v.id).expect("get").used_at.is_some());
}
