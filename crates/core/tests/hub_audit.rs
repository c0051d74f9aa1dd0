//! Every desk's audit trail at the hub, through a real PostgreSQL cluster
//! (docs/chain-mode.md, "The audit trail at the hub"): entries of two desks arrive in
//! order with intact chains; `hub audit verify` finds an entry the admin changed at the
//! hub; a desk whose own entry was changed cannot upload past it; a crash between the
//! hub's take and the cursor's move sends nothing twice; a desk restored from an older
//! backup cannot fork its trail there; a terminal cannot write another terminal's trail;
//! the join sends the backlog; reading the hub's trail is a manager's.

mod common;

use common::hub::{
    audit_cursor, local_audit, owner_manager_cashier, redeem, tamper_audit_entry, Chain, ChainDesk,
    CODES,
};
use coupondesk_core::desk::hub_audit::{HubAuditQuery, HubAuditReport};
use coupondesk_core::domain::audit::AuditQuery;
use coupondesk_core::domain::PageRequest;
use coupondesk_core::hub::audit::{self, HubEntry, Refusal};
use coupondesk_core::store::audit::GENESIS;
use coupondesk_core::ErrorCode;

fn pull(d: &ChainDesk) -> coupondesk_core::desk::hub_pull::HubPullReport {
    let r = d.f.desk.hub_pull().expect("pull");
    assert_eq!(r.stopped, None, "{r:?}");
    r
}

fn chain_of(r: &HubAuditReport, terminal: i64) -> &coupondesk_core::desk::hub_audit::TerminalChain {
    r.terminals
        .iter()
        .find(|t| t.terminal_id == terminal)
        .expect("terminal listed")
}

/// The entries of `rows` as the hub takes them, each with the hash before it.
fn as_hub_entries(rows: &[common::hub::AuditRow], prev: &str) -> Vec<HubEntry> {
    let mut prev = prev.to_owned();
    rows.iter()
        .map(|(id, at, actor, terminal, action, subject, detail, hash)| {
            let e = HubEntry {
                id: *id,
                at: *at,
                actor: actor.clone(),
                terminal: terminal.clone(),
                action: action.clone(),
                subject: subject.clone(),
                detail: detail.clone(),
                prev_hash: prev.clone(),
                hash: hash.clone(),
            };
            prev = hash.clone();
            e
        })
        .collect()
}

#[test]
fn entries_made_at_two_desks_arrive_in_order_with_intact_chains_and_list_by_terminal() {
    let chain = Chain::new("auditorder", CODES);
    let a = chain.join(1, CODES, 2000);
    let b = chain.join(2, CODES, 2000);
    redeem(&a, CODES[0]);
    redeem(&b, CODES[1]);
    redeem(&a, CODES[2]);
    let ra = pull(&a);
    let rb = pull(&b);
    assert_eq!(ra.audit.refused, None);
    assert_eq!(rb.audit.refused, None);
    assert!(ra.audit.sent >= 4, "{:?}", ra.audit);

    for (t, d) in [(1, &a), (2, &b)] {
        let cursor = audit_cursor(&d.f);
        let local: Vec<_> = local_audit(&d.f)
            .into_iter()
            .filter(|r| r.0 <= cursor)
            .collect();
        assert!(!local.is_empty());
        assert_eq!(local.last().map(|r| r.0), Some(cursor));
        // Every entry, in order, ids 1..=cursor, exactly as the desk holds it.
        assert_eq!(chain.hub_audit(t), local, "terminal {t}");
    }

    // The pull wrote entries of its own (hub.pull); the next pull sends them, and only them.
    redeem(&a, CODES[3]);
    let before = audit_cursor(&a.f);
    let r2 = pull(&a);
    let after_local = local_audit(&a.f);
    assert_eq!(r2.audit.same, 0);
    assert_eq!(
        r2.audit.sent as usize,
        after_local
            .iter()
            .filter(|r| r.0 > before && r.0 <= r2.audit.sent_up_to)
            .count()
    );
    assert_eq!(chain.hub_audit(1).len() as i64, r2.audit.sent_up_to);

    let v = a.f.desk.hub_audit_verify().expect("verify");
    assert!(v.intact, "{v:?}");
    assert_eq!(chain_of(&v, 1).entries as i64, r2.audit.sent_up_to);
    assert_eq!(chain_of(&v, 1).first_id, Some(1));
    assert_eq!(chain_of(&v, 1).last_id, Some(r2.audit.sent_up_to));
    assert_eq!(chain_of(&v, 2).entries, chain.hub_audit(2).len() as u64);
    assert_eq!(chain_of(&v, 3).entries, 0);
    assert_eq!(v.this_terminal_id, 1);

    // The list reads every desk's entries at the hub; filters by terminal and action.
    let all =
        b.f.desk
            .hub_audit_list(&HubAuditQuery::default())
            .expect("list");
    assert_eq!(
        all.total as usize,
        chain.hub_audit(1).len() + chain.hub_audit(2).len()
    );
    let q = HubAuditQuery {
        query: AuditQuery {
            action: Some("code.redeem".into()),
            page: PageRequest {
                page: 1,
                per_page: 50,
            },
            ..AuditQuery::default()
        },
        store: Some("南京路店".into()),
        terminal: Some("前台1".into()),
    };
    let redeems = b.f.desk.hub_audit_list(&q).expect("list a's redemptions");
    let subjects: Vec<&str> = redeems
        .items
        .iter()
        .map(|e| e.entry.subject.as_str())
        .collect();
    assert_eq!(subjects, [CODES[3], CODES[2], CODES[0]], "newest first");
    assert!(redeems
        .items
        .iter()
        .all(|e| e.terminal_id == 1 && e.store == "南京路店"));
}

#[test]
fn verify_at_the_hub_finds_an_entry_the_admin_changed_or_removed() {
    let chain = Chain::new("auditadmin", CODES);
    let a = chain.join(1, CODES, 2000);
    let b = chain.join(2, CODES, 2000);
    redeem(&a, CODES[0]);
    redeem(&a, CODES[1]);
    redeem(&b, CODES[2]);
    pull(&a);
    pull(&b);
    assert!(a.f.desk.hub_audit_verify().expect("verify").intact);

    chain.admin_exec(
        "UPDATE coupondesk.audit SET detail = '{\"orderFen\":1}' WHERE terminal_id = 1 AND id = 3",
    );
    let v = b.f.desk.hub_audit_verify().expect("verify");
    assert!(!v.intact);
    assert_eq!(chain_of(&v, 1).broken_id, Some(3), "{v:?}");
    assert!(chain_of(&v, 1)
        .broken_reason
        .as_deref()
        .is_some_and(|r| r.contains("changed after it was written")));
    assert_eq!(chain_of(&v, 2).broken_id, None);

    // A removed entry: the next one no longer follows.
    chain.admin_exec("DELETE FROM coupondesk.audit WHERE terminal_id = 2 AND id = 2");
    let v = b.f.desk.hub_audit_verify().expect("verify");
    assert_eq!(chain_of(&v, 2).broken_id, Some(3), "{v:?}");
    assert!(chain_of(&v, 2)
        .broken_reason
        .as_deref()
        .is_some_and(|r| r.contains("ids jump from 1 to 3")));
}

#[test]
fn a_desk_whose_own_entry_was_changed_cannot_upload_past_it() {
    let chain = Chain::new("auditlocal", CODES);
    let a = chain.join(1, CODES, 2000);
    redeem(&a, CODES[0]);
    pull(&a);
    let sent = audit_cursor(&a.f);
    redeem(&a, CODES[1]);
    redeem(&a, CODES[2]);
    let bad = sent + 2;
    tamper_audit_entry(&a.f, bad);
    for round in 0..2 {
        let r = pull(&a);
        let why = r.audit.refused.clone().expect("refused");
        assert!(
            why.contains(&format!("audit entry {bad} at this desk is broken")),
            "{why}"
        );
        assert_eq!(
            r.audit.sent,
            if round == 0 { 1 } else { 0 },
            "round {round}"
        );
        // The cursor stays before the changed entry, and the hub holds nothing past it.
        assert_eq!(audit_cursor(&a.f), bad - 1);
        assert_eq!(chain.hub_audit(1).last().map(|e| e.0), Some(bad - 1));
    }
    assert!(a.f.desk.hub_audit_verify().expect("verify").intact);
}

#[test]
fn a_crash_between_the_hubs_take_and_the_cursors_move_sends_nothing_twice() {
    let chain = Chain::new("auditcrash", CODES);
    let a = chain.join(1, CODES, 2000);
    redeem(&a, CODES[0]);
    redeem(&a, CODES[1]);
    let first = pull(&a);
    let held = first.audit.sent_up_to;
    assert_eq!(held, chain.hub_audit(1).len() as i64);
    // What a crash after the hub's commit and before the local write leaves: the hub holds
    // the entries, the cursor has not moved.
    rusqlite::Connection::open(&a.f.db)
        .expect("open")
        .execute("UPDATE hub_link SET audit_sent_id = 0", [])
        .expect("cursor back");
    redeem(&a, CODES[2]);
    let r = pull(&a);
    assert_eq!(r.audit.refused, None);
    assert_eq!(
        r.audit.same as i64, held,
        "the repeats accepted as the same"
    );
    let hub = chain.hub_audit(1);
    let ids: Vec<i64> = hub.iter().map(|e| e.0).collect();
    assert_eq!(
        ids,
        (1..=r.audit.sent_up_to).collect::<Vec<_>>(),
        "each id once"
    );
    assert_eq!(r.audit.sent as i64, r.audit.sent_up_to - held);
    assert_eq!(audit_cursor(&a.f), r.audit.sent_up_to);
    assert!(a.f.desk.hub_audit_verify().expect("verify").intact);
}

#[test]
fn the_hub_takes_a_repeat_when_identical_and_refuses_a_different_one_or_a_gap() {
    let chain = Chain::new("auditrepeat", CODES);
    let a = chain.join(1, CODES, 2000);
    redeem(&a, CODES[0]);
    pull(&a);
    let rows = chain.hub_audit(1);
    let n = rows.len() as i64;
    let t1 = chain.desk(1);
    let entries = as_hub_entries(&rows, GENESIS);

    let put = t1
        .call(async |c| audit::put(c, &entries).await)
        .expect("repeat");
    assert_eq!(
        (put.taken, put.same, put.upto, put.refused),
        (0, n, n, None)
    );

    let mut changed = entries.clone();
    changed[1].actor = "someone else".into();
    let put = t1
        .call(async |c| audit::put(c, &changed).await)
        .expect("different");
    assert_eq!(put.refused, Some((2, Refusal::Differs)));
    assert_eq!((put.same, put.upto), (1, 1));

    // An entry past a gap, and one whose previous hash is not the hub's last.
    let mut next = entries[0].clone();
    next.id = n + 2;
    next.prev_hash = entries[entries.len() - 1].hash.clone();
    let put = t1
        .call(async |c| audit::put(c, std::slice::from_ref(&next)).await)
        .expect("gap");
    assert_eq!(put.refused, Some((n + 2, Refusal::NotNext)));
    next.id = n + 1;
    next.prev_hash = GENESIS.to_owned();
    let put = t1
        .call(async |c| audit::put(c, std::slice::from_ref(&next)).await)
        .expect("prev");
    assert_eq!(put.refused, Some((n + 1, Refusal::PrevHash)));
    assert_eq!(put.hub_last, n);
    assert_eq!(chain.hub_audit(1), rows, "the hub's chain is unchanged");
}

#[test]
fn a_terminal_cannot_write_another_terminals_trail() {
    let chain = Chain::new("auditother", CODES);
    let a = chain.join(1, CODES, 2000);
    redeem(&a, CODES[0]);
    pull(&a);
    let rows = chain.hub_audit(1);
    let t2 = chain.desk(2);
    for sql in [
        "INSERT INTO coupondesk.audit (terminal_id, id, at, actor, terminal, action, subject,
                                       detail, prev_hash, hash)
         VALUES (1, 999, 0, 'x', 'x', 'x', 'x', '{}', 'x', 'x')",
        "UPDATE coupondesk.audit SET actor = 'x' WHERE terminal_id = 1",
        "DELETE FROM coupondesk.audit WHERE terminal_id = 1",
    ] {
        let e = t2
            .call(async move |c| {
                c.batch_execute(sql)
                    .await
                    .map_err(|e| coupondesk_core::hub::HubError::from_pg(&e))
            })
            .expect_err(sql);
        assert_eq!(e.code(), "hub_denied", "{sql}: {e}");
    }
    // Terminal 1's entries sent by terminal 2's role land in terminal 2's own chain: the
    // hub takes the terminal from the login, never from the entries.
    let entries = as_hub_entries(&rows, GENESIS);
    let put = t2
        .call(async |c| audit::put(c, &entries).await)
        .expect("put as terminal 2");
    assert_eq!(put.taken, rows.len() as i64);
    assert_eq!(chain.hub_audit(1), rows, "terminal 1's chain untouched");
    assert_eq!(chain.hub_audit(2).len(), rows.len());
}

#[test]
fn the_hubs_trail_is_a_managers_to_read() {
    let chain = Chain::new("auditright", CODES);
    let a = chain.join(1, CODES, 2000);
    owner_manager_cashier(&a.f.desk);
    a.f.desk.login("小张", "3333").expect("cashier in");
    let e = a.f.desk.hub_audit_verify().expect_err("cashier");
    assert_eq!(e.code(), "forbidden");
    let e =
        a.f.desk
            .hub_audit_list(&HubAuditQuery::default())
            .expect_err("cashier");
    assert_eq!(e.code(), "forbidden");
    a.f.desk.login("李店长", "2222").expect("manager in");
    a.f.desk.hub_audit_verify().expect("a manager verifies");
    a.f.desk
        .hub_audit_list(&HubAuditQuery::default())
        .expect("a manager lists");
}

#[test]
fn a_desk_restored_from_an_older_backup_cannot_fork_its_trail_at_the_hub() {
    let chain = Chain::new("auditfork", CODES);
    let a = chain.join(1, CODES, 2000);
    redeem(&a, CODES[0]);
    // The backup: its cursor is 0 and its trail a prefix of what the hub will hold.
    let copy = a.f.dir.path().join("backup.sqlite3");
    rusqlite::Connection::open(&a.f.db)
        .expect("open")
        .execute("VACUUM INTO ?1", [copy.to_string_lossy()])
        .expect("backup");
    let k = local_audit(&a.f).len() as i64;
    redeem(&a, CODES[1]);
    pull(&a);
    let held = chain.hub_audit(1);
    assert!(held.len() as i64 > k);

    // The desk restored from it goes on (its own entry k+1 differs from the hub's).
    coupondesk_core::sync::credentials::set_hub(&copy, Some("pw")).expect("secret");
    let restored = coupondesk_core::Desk::open(&copy).expect("open the restored copy");
    restored
        .redeem_use(&common::hub::order(CODES[2]))
        .expect("redeem");
    let r = restored.hub_pull().expect("pull");
    let why = r.audit.refused.clone().expect("refused");
    assert!(
        why.contains(&format!("the hub holds a different entry {}", k + 1)),
        "{why}"
    );
    assert_eq!((r.audit.sent, r.audit.same), (0, k as u64));
    // The cursor moves only over what the hub holds identical; the hub keeps its chain.
    assert_eq!(r.audit.sent_up_to, k);
    let conn = rusqlite::Connection::open(&copy).expect("open");
    let cursor: i64 = conn
        .query_row("SELECT audit_sent_id FROM hub_link", [], |r| r.get(0))
        .expect("cursor");
    assert_eq!(cursor, k);
    assert_eq!(chain.hub_audit(1), held);
    assert!(a.f.desk.hub_audit_verify().expect("verify").intact);
}

#[test]
fn the_join_sends_the_backlog_and_a_rejoin_goes_on_where_the_hub_is() {
    let cluster = pgtest::shared().expect("cluster");
    let url = cluster.fresh_db("auditjoin").expect("db");
    let f = common::fixture();
    f.generated("TT9", 3);
    f.desk.hub_init(&url, None).expect("init");
    let r = f.desk.hub_join(&url, "S", "T1").expect("join");
    assert_eq!(r.moved.audit.refused, None);
    assert_eq!(r.moved.audit.same, 0);
    assert!(r.moved.audit.sent >= 2, "{:?}", r.moved.audit);
    assert_eq!(audit_cursor(&f), r.moved.audit.sent_up_to);
    let sent = r.moved.audit.sent_up_to;

    // A rejoin (a new password) starts from the hub's last entry: nothing twice.
    let again = f.desk.hub_join(&url, "S", "T1").expect("rejoin");
    assert_eq!(again.moved.audit.refused, None);
    assert_eq!(again.moved.audit.same, 0);
    assert_eq!(
        again.moved.audit.sent as i64,
        again.moved.audit.sent_up_to - sent,
        "{:?}",
        again.moved.audit
    );
    let v = f.desk.hub_audit_verify().expect("verify");
    assert!(v.intact, "{v:?}");
    assert_eq!(v.terminals.len(), 1);
    assert_eq!(v.terminals[0].entries as i64, again.moved.audit.sent_up_to);

    // Joining another hub sends the whole trail there, from entry 1.
    let other = cluster.fresh_db("auditjoin2").expect("db");
    f.desk.hub_init(&other, None).expect("init other");
    let moved = f.desk.hub_join(&other, "S2", "T9").expect("join other");
    assert_eq!(moved.moved.audit.refused, None, "{:?}", moved.moved.audit);
    assert_eq!(moved.moved.audit.sent as i64, moved.moved.audit.sent_up_to);
    assert!(moved.moved.audit.sent_up_to >= again.moved.audit.sent_up_to);
    assert_eq!(audit_cursor(&f), moved.moved.audit.sent_up_to);
    assert!(f.desk.hub_audit_verify().expect("verify other").intact);
}

/// More than two pages (`AUDIT_PAGE` 500 entries a call): every entry arrives once, in
/// order, and the hub's verify walks them. Figures in docs/chain-mode.md come from this
/// test run with more entries.
#[test]
fn a_long_trail_goes_up_in_pages_and_verifies() {
    let n: i64 = std::env::var("HUB_AUDIT_ENTRIES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1234);
    let chain = Chain::new("auditlong", CODES);
    let a = chain.join(1, CODES, 5000);
    {
        let mut conn = rusqlite::Connection::open(&a.f.db).expect("open");
        let tx = conn.transaction().expect("tx");
        for i in 0..n {
            coupondesk_core::store::audit::record(
                &tx,
                "test.entry",
                &format!("S{i}"),
                &serde_json::json!({ "i": i, "text": "满100减20" }),
            )
            .expect("record");
        }
        tx.commit().expect("commit");
    }
    let total = local_audit(&a.f).len() as i64;
    let started = std::time::Instant::now();
    let r = pull(&a);
    let upload = started.elapsed();
    assert_eq!(r.audit.refused, None);
    assert_eq!(r.audit.sent as i64, total);
    assert_eq!(r.audit.sent_up_to, total);
    let hub = chain.hub_audit(1);
    assert_eq!(hub.len() as i64, total);
    assert_eq!(hub, local_audit(&a.f)[..total as usize].to_vec());
    let started = std::time::Instant::now();
    let v = a.f.desk.hub_audit_verify().expect("verify");
    let verify = started.elapsed();
    assert!(v.intact, "{v:?}");
    assert_eq!(chain_of(&v, 1).entries as i64, total);
    eprintln!("{total} entries: upload (in the pull) {upload:?}, hub verify {verify:?}");
}

/// A hub not migrated to the audit schema yet (its function gone, as on a hub of schema
/// 7): the pull reports it and goes on with everything else; the entries wait, and go up
/// once the hub has the function again.
#[test]
fn a_hub_without_the_audit_schema_does_not_stop_the_pull() {
    let chain = Chain::new("auditold", CODES);
    let a = chain.join(1, CODES, 2000);
    let b = chain.join(2, CODES, 2000);
    chain.admin_exec(
        "ALTER FUNCTION coupondesk.put_audit(bigint[], bigint[], text[], text[], text[], text[],
                                             text[], text[], text[]) RENAME TO put_audit_away",
    );
    redeem(&b, CODES[0]);
    let r = pull(&b);
    let why = r.audit.refused.clone().expect("reported");
    assert!(
        why.contains("the hub did not take audit entries 1-"),
        "{why}"
    );
    assert_eq!(audit_cursor(&b.f), 0);
    // The rest of the pull went on: a's pull brings b's redemption.
    let ra = pull(&a);
    assert!(ra.statuses_applied >= 1, "{ra:?}");
    chain.admin_exec(
        "ALTER FUNCTION coupondesk.put_audit_away(bigint[], bigint[], text[], text[], text[],
                                                  text[], text[], text[], text[]) RENAME TO put_audit",
    );
    let r = pull(&b);
    assert_eq!(r.audit.refused, None);
    assert_eq!(chain.hub_audit(2).len() as i64, r.audit.sent_up_to);
    assert!(r.audit.sent_up_to > 0);
}
