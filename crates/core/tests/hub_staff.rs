//! Staff accounts between desks (docs/chain-mode.md, "Staff"): made, changed, disabled
//! at one desk, they reach the hub and every other desk at its next pull; rights follow
//! at once; a name clash sets the local account aside; the join brings and sends them.
//! A real throwaway PostgreSQL cluster, real SQLite files.

mod common;

use common::fixture;
use common::hub::{code_of, pull, staff_draft, staff_row, Chain, CODES};
use coupondesk_core::domain::staff::Role;
use coupondesk_core::hub::HubUrl;
use coupondesk_core::store::hub_staff::{self, StaffRow};

fn local_i64(db: &std::path::Path, sql: &str) -> i64 {
    let conn = rusqlite::Connection::open(db).expect("open");
    conn.query_row(sql, [], |r| r.get(0)).expect("query")
}

#[test]
fn an_account_made_at_one_desk_logs_in_at_the_other_and_its_pin_and_rights_follow() {
    let chain = Chain::new("staffgo", CODES);
    let a = chain.join(1, CODES, 1000);
    let b = chain.join(2, CODES, 1000);

    // A's owner and manager, made after the join: queued, sent at A's pull.
    a.f.desk
        .setup_owner(&staff_draft("老板", Role::Owner, "11112222"))
        .expect("owner");
    a.f.desk
        .staff_add(&staff_draft("小王", Role::Manager, "1234"))
        .expect("add");
    let pa = pull(&a);
    assert_eq!(pa.staff_uploaded, 2, "{pa:?}");
    let hashes = chain.scalar("SELECT count(*) FROM coupondesk.staff WHERE pin_hash LIKE '$argon2id$%' AND pin_hash NOT LIKE '%1234%'");
    assert_eq!(hashes, 2, "the hub keeps PHC strings, never a PIN");

    // B, a desk without accounts yet, gets both; 小王 logs in there with A's PIN.
    let changes_before = local_i64(&b.f.db, "SELECT count(*) FROM changes");
    let pb = pull(&b);
    assert_eq!(pb.staff_downloaded, 2, "{pb:?}");
    b.f.desk.login("小王", "1234").expect("login at b");
    b.f.desk
        .hub_set_deadline(1500)
        .expect("a manager sets the deadline at b");
    // The apply records no platform change and queues nothing to send back.
    assert_eq!(
        local_i64(&b.f.db, "SELECT count(*) FROM changes"),
        changes_before
    );
    assert_eq!(local_i64(&b.f.db, "SELECT count(*) FROM hub_staff_out"), 0);
    let seq = chain.scalar("SELECT count(*) FROM coupondesk.changes WHERE kind = 'staff'");
    let again = pull(&b);
    assert_eq!(again.staff_uploaded, 0, "{again:?}");
    assert_eq!(
        chain.scalar("SELECT count(*) FROM coupondesk.changes WHERE kind = 'staff'"),
        seq,
        "B's apply never bounces back to the hub"
    );
    assert_eq!(pull(&a).staff_downloaded, 0, "A gets nothing back");

    // A new PIN at A: the old one is refused at B after B's pull, the new one works.
    a.f.desk.staff_reset_pin("小王", "5678").expect("reset");
    assert_eq!(pull(&a).staff_uploaded, 1);
    assert_eq!(pull(&b).staff_downloaded, 1);
    assert_eq!(code_of(b.f.desk.login("小王", "1234")), "unauthenticated");
    b.f.desk.login("小王", "5678").expect("new pin at b");

    // Demoted at A while logged in at B: B's next manager action is refused after B's
    // pull (the gate reads the account as it is now).
    a.f.desk
        .staff_set_role("小王", Role::Cashier)
        .expect("demote");
    pull(&a);
    b.f.desk
        .hub_set_deadline(1600)
        .expect("still a manager before the pull");
    assert_eq!(pull(&b).staff_downloaded, 1);
    assert_eq!(
        local_i64(&b.f.db, "SELECT count(*) FROM hub_staff_out"),
        0,
        "the hub's version is not queued to go back"
    );
    assert_eq!(code_of(b.f.desk.hub_set_deadline(1700)), "forbidden");
    assert_eq!(staff_row(&b.f.db, "小王").1, "cashier");

    // Disabled at A: refused at B mid-session, and at the next login.
    a.f.desk.staff_disable("小王").expect("disable");
    pull(&a);
    b.f.desk.hub_pull().expect("a cashier may still pull");
    assert!(staff_row(&b.f.db, "小王").2, "disabled at b");
    assert_eq!(code_of(b.f.desk.hub_pull()), "unauthenticated");
    assert_eq!(code_of(b.f.desk.login("小王", "5678")), "unauthenticated");

    // Enabled again at A: B lets them in again.
    a.f.desk.staff_enable("小王").expect("enable");
    pull(&a);
    pull(&b);
    b.f.desk.login("小王", "5678").expect("enabled at b");
}

#[test]
fn a_lockout_stays_at_its_desk_and_a_local_edit_not_yet_sent_wins() {
    let chain = Chain::new("stafflock", CODES);
    let a = chain.join(1, CODES, 1000);
    let b = chain.join(2, CODES, 1000);
    a.f.desk
        .setup_owner(&staff_draft("老板", Role::Owner, "11112222"))
        .expect("owner");
    a.f.desk
        .staff_add(&staff_draft("小王", Role::Cashier, "1234"))
        .expect("add");
    pull(&a);
    pull(&b);

    // Five wrong PINs lock 小王 at B only: nothing goes up, A still lets them in.
    for _ in 0..5 {
        let _ = b.f.desk.login("小王", "0000");
    }
    assert_eq!(code_of(b.f.desk.login("小王", "1234")), "locked_out");
    assert_eq!(
        local_i64(&b.f.db, "SELECT count(*) FROM hub_staff_out"),
        0,
        "a lockout is not queued"
    );
    assert_eq!(pull(&b).staff_uploaded, 0);
    pull(&a);
    a.f.desk.login("小王", "1234").expect("not locked at a");

    // B makes 小王 a manager and, before B sends it, A disables them and sends that.
    // B's pull sends its edit first (the last upload wins) and does not take A's older
    // version; A then gets B's.
    b.f.desk.login("老板", "11112222").expect("owner at b");
    b.f.desk
        .staff_set_role("小王", Role::Manager)
        .expect("promote at b");
    // An older version applied while B's edit waits (a pull whose upload was cut) does
    // not overwrite it.
    let uid = staff_row(&b.f.db, "小王").3.expect("uid");
    let hash: String = {
        let conn = rusqlite::Connection::open(&b.f.db).expect("open");
        conn.query_row(
            "SELECT pin_hash FROM staff WHERE hub_uid = ?1",
            [&uid],
            |r| r.get(0),
        )
        .expect("hash")
    };
    let mut conn = rusqlite::Connection::open(&b.f.db).expect("open");
    let done = hub_staff::apply(
        &mut conn,
        &[StaffRow {
            uid,
            name: "小王".into(),
            role: "cashier".into(),
            pin_hash: hash,
            disabled: true,
        }],
        "前台2",
    )
    .expect("apply");
    assert_eq!((done.applied, done.kept), (0, 1), "{done:?}");
    drop(conn);
    let row = staff_row(&b.f.db, "小王");
    assert_eq!((row.1.as_str(), row.2), ("manager", false));
    a.f.desk.login("老板", "11112222").expect("owner at a");
    a.f.desk.staff_disable("小王").expect("disable at a");
    let pa = pull(&a);
    assert_eq!(pa.staff_uploaded, 1, "{pa:?}");
    let pb = pull(&b);
    assert_eq!(pb.staff_uploaded, 1, "{pb:?}");
    let row = staff_row(&b.f.db, "小王");
    assert_eq!(
        (row.1.as_str(), row.2),
        ("manager", false),
        "B's unsent edit wins"
    );
    pull(&a);
    let row = staff_row(&a.f.db, "小王");
    assert_eq!((row.1.as_str(), row.2), ("manager", false), "and reaches A");
}

#[test]
fn the_join_sends_this_desks_staff_brings_the_hubs_and_a_name_clash_sets_the_local_one_aside() {
    let cluster = pgtest::shared().expect("cluster");
    let url = cluster.fresh_db("staffjoin").expect("db");
    let name = HubUrl::parse(&url).expect("url").database().to_owned();

    let a = fixture();
    a.desk
        .setup_owner(&staff_draft("老板", Role::Owner, "11112222"))
        .expect("owner a");
    a.desk
        .staff_add(&staff_draft("小王", Role::Cashier, "1234"))
        .expect("add a");
    a.desk.hub_init(&url, None).expect("init");
    let ja = a
        .desk
        .hub_join(&url, "Shop 1", "counter 1")
        .expect("join a");
    assert_eq!(
        (ja.moved.staff_uploaded, ja.moved.staff_downloaded),
        (2, 0),
        "{ja:?}"
    );

    // B made its own 老板 (another PIN) and 小李 before joining.
    let b = fixture();
    b.desk
        .setup_owner(&staff_draft("老板", Role::Owner, "33334444"))
        .expect("owner b");
    b.desk
        .staff_add(&staff_draft("小李", Role::Cashier, "4321"))
        .expect("add b");
    let own_id = staff_row(&b.db, "老板").0;
    let jb = b
        .desk
        .hub_join(&url, "Shop 2", "counter 2")
        .expect("join b");
    // 小李 and B's 老板 under its new name go up; A's 老板 and 小王 come down.
    assert_eq!(
        (jb.moved.staff_uploaded, jb.moved.staff_downloaded),
        (2, 2),
        "{jb:?}"
    );
    assert!(
        jb.moved
            .skipped
            .iter()
            .any(|s| s.contains("老板 (counter 2)")),
        "{jb:?}"
    );
    // B's own owner keeps its id, renamed and disabled; the name is A's account now.
    let (id, role, disabled, _) = staff_row(&b.db, "老板 (counter 2)");
    assert_eq!((id, role.as_str(), disabled), (own_id, "owner", true));
    assert_ne!(staff_row(&b.db, "老板").0, own_id);
    assert_eq!(
        local_i64(
            &b.db,
            "SELECT count(*) FROM audit_log WHERE action = 'staff.hub_clash'"
        ),
        1
    );
    // B's session (its own owner) ends at its next action; its PIN opens nothing.
    assert_eq!(code_of(b.desk.hub_pull()), "unauthenticated");
    assert_eq!(code_of(b.desk.login("老板", "33334444")), "unauthenticated");
    assert_eq!(
        code_of(b.desk.login("老板 (counter 2)", "33334444")),
        "unauthenticated"
    );
    // A's owner (A's PIN) enables B's account; it travels.
    b.desk.login("老板", "11112222").expect("a's owner at b");
    b.desk.staff_enable("老板 (counter 2)").expect("enable");
    assert_eq!(b.desk.hub_pull().expect("pull b").staff_uploaded, 1);
    b.desk
        .login("老板 (counter 2)", "33334444")
        .expect("b's owner again");
    let pa = a.desk.hub_pull().expect("pull a");
    assert_eq!(pa.staff_downloaded, 2, "{pa:?}");
    a.desk.login("小李", "4321").expect("b's cashier at a");
    assert!(!staff_row(&a.db, "老板 (counter 2)").2);
    assert_eq!(
        cluster
            .psql(&name, "SELECT count(*) FROM coupondesk.staff")
            .expect("psql"),
        "4"
    );
}

#[test]
fn two_desks_making_one_name_offline_keep_the_hubs_and_set_the_later_one_aside() {
    let chain = Chain::new("staffclash", CODES);
    let a = chain.join(1, CODES, 1000);
    let b = chain.join(2, CODES, 1000);
    a.f.desk
        .setup_owner(&staff_draft("老板", Role::Owner, "11112222"))
        .expect("owner");
    pull(&a);
    pull(&b);
    b.f.desk.login("老板", "11112222").expect("owner at b");
    // Both make a 小张 before either pulls: A's reaches the hub first.
    a.f.desk
        .staff_add(&staff_draft("小张", Role::Manager, "1111"))
        .expect("a");
    b.f.desk
        .staff_add(&staff_draft("小张", Role::Cashier, "2222"))
        .expect("b");
    let b_id = staff_row(&b.f.db, "小张").0;
    pull(&a);
    let pb = pull(&b);
    assert_eq!((pb.staff_uploaded, pb.staff_downloaded), (1, 1), "{pb:?}");
    let (id, role, disabled, _) = staff_row(&b.f.db, "小张 (前台2)");
    assert_eq!((id, role.as_str(), disabled), (b_id, "cashier", true));
    b.f.desk.login("小张", "1111").expect("A's 小张 at b");
    assert_eq!(staff_row(&b.f.db, "小张").1, "manager");
    let pa = pull(&a);
    assert_eq!(pa.staff_downloaded, 1, "{pa:?}");
    assert!(staff_row(&a.f.db, "小张 (前台2)").2, "disabled at a too");
}

#[test]
fn two_desks_sending_one_name_at_the_same_moment_make_one_account_and_one_refusal() {
    use coupondesk_core::hub::staff::{self, HubStaff, StaffPut};
    use coupondesk_core::hub::HubError;
    use std::time::{Duration, Instant};

    let chain = Chain::new("staffrace", CODES);
    let (t1, t2) = (chain.desk(1), chain.desk(2));
    let account = |uid: &str| HubStaff {
        uid: uid.into(),
        name: "小张".into(),
        role: "cashier".into(),
        pin_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        disabled: false,
    };
    let (first_in, go) = std::sync::mpsc::channel();
    let b = account("b");
    let second = std::thread::spawn(move || {
        go.recv().expect("the first is in");
        let started = Instant::now();
        let put = t2.call(async |c| staff::put_staff(c, &b).await);
        (put, started.elapsed())
    });
    // The first upload holds its insert uncommitted while the second one's check finds
    // no 小张 and its insert waits on the name's unique index.
    let a = account("a");
    let first = t1
        .call(async |c| {
            let pg = |e: coupondesk_core::hub::tokio_postgres::Error| HubError::from_pg(&e);
            let tx = c.transaction().await.map_err(pg)?;
            let put = staff::put_staff(&tx, &a).await?;
            first_in.send(()).ok();
            std::thread::sleep(Duration::from_millis(500));
            tx.commit().await.map_err(pg)?;
            Ok(put)
        })
        .expect("first");
    assert_eq!(first, StaffPut::Changed);
    let (put, waited) = second.join().expect("second thread");
    assert_eq!(
        put.expect("the second is answered, not failed"),
        StaffPut::Taken("a".into())
    );
    assert!(
        waited >= Duration::from_millis(200),
        "it waited on the first: {waited:?}"
    );
    assert_eq!(chain.scalar("SELECT count(*) FROM coupondesk.staff"), 1);
    assert_eq!(
        chain.scalar("SELECT count(*) FROM coupondesk.changes WHERE kind = 'staff'"),
        1
    );
}
