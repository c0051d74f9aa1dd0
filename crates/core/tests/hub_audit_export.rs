//! The export of every desk's audit trail at the hub, through a real PostgreSQL cluster
//! (docs/chain-mode.md, "The audit trail at the hub"): the file holds exactly the hub
//! list's rows in its order, across pages and ties; filters apply; it is audited; a
//! cashier is refused; a hub that does not answer gives the clear error and no file.

mod common;

use common::hub::{
    csv_rows, hub_audit_list_all, owner_manager_cashier, redeem, Chain, ChainDesk, CODES,
};
use coupondesk_core::desk::hub_audit::HubAuditQuery;
use coupondesk_core::domain::audit::AuditQuery;
use coupondesk_core::export::{ExportOptions, Lang};
use coupondesk_core::hub::audit::HubAuditEntry;
use coupondesk_core::ErrorCode;

fn pull(d: &ChainDesk) {
    let r = d.f.desk.hub_pull().expect("pull");
    assert_eq!(r.stopped, None, "{r:?}");
    assert_eq!(r.audit.refused, None, "{r:?}");
}

/// What identifies a row in the file and in the list: store, hub terminal, id, hash.
fn keys_of_list(rows: &[HubAuditEntry]) -> Vec<[String; 4]> {
    rows.iter()
        .map(|e| {
            [
                e.store.clone(),
                e.terminal_name.clone(),
                e.entry.id.to_string(),
                e.entry.hash.clone(),
            ]
        })
        .collect()
}

fn keys_of_file(rows: &[Vec<String>]) -> Vec<[String; 4]> {
    rows.iter()
        .map(|r| [r[0].clone(), r[1].clone(), r[2].clone(), r[9].clone()])
        .collect()
}

/// Two desks' real trails, and 2,345 seeded entries of terminal 3 and as many more of
/// terminal 1 at the same milliseconds, seven of each to a millisecond (the last at
/// terminal 2's first): more than four of the export's pages, with ties of one terminal
/// and of two inside a page and across its edges.
fn two_desks_and_a_long_trail(prefix: &str) -> (Chain, ChainDesk, ChainDesk) {
    let chain = Chain::new(prefix, CODES);
    let a = chain.join(1, CODES, 2000);
    let b = chain.join(2, CODES, 2000);
    redeem(&a, CODES[0]);
    redeem(&b, CODES[1]);
    redeem(&a, CODES[2]);
    pull(&a);
    pull(&b);
    let at0 = chain.hub_audit(2)[0].1;
    let from = at0 - 2344 / 7;
    chain.seed_hub_audit(3, 1, 2345, from);
    chain.seed_hub_audit(1, 10_001, 2345, from);
    (chain, a, b)
}

#[test]
fn the_export_holds_exactly_the_hub_lists_rows_in_order_and_its_filters_apply() {
    let (chain, a, b) = two_desks_and_a_long_trail("auditexport");
    let out = a.f.dir.path().join("hub-audit.csv");
    let r =
        a.f.desk
            .export_hub_audit(&HubAuditQuery::default(), &out, &ExportOptions::default())
            .expect("export");
    let rows = csv_rows(&out);
    let (header, body) = rows.split_first().expect("a header");
    assert_eq!(
        header,
        &[
            "门店",
            "总部终端",
            "编号",
            "时间 (UTC+08:00)",
            "操作人",
            "终端",
            "操作",
            "对象",
            "详情",
            "哈希"
        ]
    );
    let list = hub_audit_list_all(&b, &HubAuditQuery::default());
    let expected = chain.hub_audit(1).len() + chain.hub_audit(2).len() + 2345;
    assert_eq!(list.len(), expected);
    assert_eq!(r.rows as usize, expected);
    assert_eq!(
        keys_of_file(body),
        keys_of_list(&list),
        "the list's rows, in order"
    );
    // The cells of one real entry are the local export's: the action, subject, detail.
    let first_redeem = list
        .iter()
        .position(|e| e.entry.subject == CODES[0] && e.entry.action == "code.redeem")
        .expect("a's first redemption");
    let row = &body[first_redeem];
    assert_eq!(row[6], "code.redeem");
    assert_eq!(row[7], CODES[0]);
    assert_eq!(row[8], list[first_redeem].entry.detail.to_string());

    // Filters: a store and an action; then a terminal and a time range.
    let q = HubAuditQuery {
        query: AuditQuery {
            action: Some("code.redeem".into()),
            ..AuditQuery::default()
        },
        store: Some("南京路店".into()),
        terminal: None,
    };
    let out2 = a.f.dir.path().join("redeems.xlsx");
    let r2 =
        a.f.desk
            .export_hub_audit(
                &q,
                &out2,
                &ExportOptions {
                    lang: Lang::En,
                    format: None,
                },
            )
            .expect("xlsx");
    assert_eq!(r2.rows, 2, "a's two redemptions");
    let out3 = a.f.dir.path().join("redeems.csv");
    a.f.desk
        .export_hub_audit(
            &q,
            &out3,
            &ExportOptions {
                lang: Lang::En,
                format: None,
            },
        )
        .expect("csv");
    let rows3 = csv_rows(&out3);
    assert_eq!(rows3[0][0], "Store");
    assert_eq!(
        keys_of_file(&rows3[1..]),
        keys_of_list(&hub_audit_list_all(&a, &q))
    );
    let subjects: Vec<&str> = rows3[1..].iter().map(|r| r[7].as_str()).collect();
    assert_eq!(subjects, [CODES[2], CODES[0]], "newest first");

    let seeded = hub_audit_list_all(
        &a,
        &HubAuditQuery {
            terminal: Some("前台3".into()),
            ..HubAuditQuery::default()
        },
    );
    let since = seeded[1500].entry.at;
    let until = seeded[200].entry.at;
    let q4 = HubAuditQuery {
        query: AuditQuery {
            since: Some(since),
            until: Some(until),
            ..AuditQuery::default()
        },
        store: None,
        terminal: Some("前台3".into()),
    };
    let out4 = a.f.dir.path().join("range.csv");
    a.f.desk
        .export_hub_audit(&q4, &out4, &ExportOptions::default())
        .expect("range");
    let rows4 = csv_rows(&out4);
    let listed4 = hub_audit_list_all(&a, &q4);
    assert!(listed4.len() > 1000, "{}", listed4.len());
    assert_eq!(keys_of_file(&rows4[1..]), keys_of_list(&listed4));

    // Audited at the desk that exported, like the local export.
    let audit =
        a.f.desk
            .list_audit(&AuditQuery {
                action: Some("hub_audit.export".into()),
                ..AuditQuery::default()
            })
            .expect("audit");
    assert_eq!(audit.total, 4);
    let newest = &audit.items[0].detail;
    assert_eq!(newest["rows"], listed4.len() as u64);
    assert_eq!(newest["cancelled"], false);
}

#[test]
fn a_cashier_is_refused_and_an_offline_hub_says_the_local_export_still_works() {
    let chain = Chain::new("auditexportno", CODES);
    let a = chain.join(1, CODES, 1000);
    redeem(&a, CODES[0]);
    pull(&a);
    owner_manager_cashier(&a.f.desk);
    let out = a.f.dir.path().join("hub-audit.csv");
    let q = HubAuditQuery::default();
    a.f.desk.login("小张", "3333").expect("cashier in");
    let e =
        a.f.desk
            .export_hub_audit(&q, &out, &ExportOptions::default())
            .expect_err("cashier");
    assert_eq!(e.code(), "forbidden");
    assert!(!out.exists());

    a.f.desk.login("李店长", "2222").expect("manager in");
    a.proxy.cut();
    let e =
        a.f.desk
            .export_hub_audit(&q, &out, &ExportOptions::default())
            .expect_err("offline");
    assert_eq!(e.code(), "hub_audit_export_unreachable", "{e}");
    let words = e.to_string();
    assert!(words.contains("the hub cannot be reached"), "{words}");
    assert!(words.contains("`coupondesk audit export`"), "{words}");
    assert!(!out.exists(), "no file, not even a part of one");
    let leftovers: Vec<_> = std::fs::read_dir(a.f.dir.path())
        .expect("dir")
        .filter_map(Result::ok)
        .map(|d| d.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("hub-audit"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // The local trail's export still works meanwhile.
    let local = a.f.dir.path().join("local.csv");
    let r =
        a.f.desk
            .export_audit(&AuditQuery::default(), &local, &ExportOptions::default())
            .expect("local export");
    assert!(r.rows > 0);
    a.proxy.restore();
    let r =
        a.f.desk
            .export_hub_audit(&q, &out, &ExportOptions::default())
            .expect("a manager exports once the hub answers");
    assert_eq!(r.rows as usize, chain.hub_audit(1).len());
}
