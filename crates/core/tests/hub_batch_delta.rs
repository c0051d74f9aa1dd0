//! A `batch` change downloads only the codes the hub numbered after the desk's mark of
//! the batch (hub schema 11, local migration 29; docs/chain-mode.md, "Changes between
//! desks"), against a real PostgreSQL hub: desks on their own SQLite files
//! (`common::hub::Chain`). The rows the hub's COPY sent are counted in the pull's
//! report (`codes_read`).

mod common;

use common::hub::{Chain, ChainDesk, CODES};
use coupondesk_core::desk::hub_pull::HubPullReport;
use coupondesk_core::hub::{schema, transfer, HubError};

/// `n` codes of 12 characters, distinct per `tag` (one letter) and from `CODES`.
fn codes(tag: char, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{tag}X{i:010}")).collect()
}

/// Imports `codes` into TT1 at the desk (a second import into a batch the hub has).
fn add(d: &ChainDesk, name: &str, codes: &[String]) {
    let file =
        d.f.file(name, format!("code\n{}\n", codes.join("\n")).as_bytes());
    let done = d.f.import("TT1", &file, &Default::default());
    assert_eq!(done.imported, codes.len() as u64, "{done:?}");
}

fn pull(d: &ChainDesk) -> HubPullReport {
    let r = d.f.desk.hub_pull().expect("pull");
    assert_eq!(r.stopped, None, "{r:?}");
    r
}

fn total(d: &ChainDesk) -> u64 {
    d.f.desk.get_batch("TT1").expect("TT1").total_codes
}

fn mark(d: &ChainDesk) -> Option<i64> {
    let conn = rusqlite::Connection::open(&d.f.db).expect("open");
    coupondesk_core::store::hub_batch_got::mark(&conn, "TT1").expect("mark")
}

#[test]
fn codes_added_at_one_desk_reach_the_others_reading_only_those_rows() {
    let chain = Chain::new("deltaadd", CODES);
    let a = chain.join(1, CODES, 1000);
    let b = chain.join(2, CODES, 1000);
    let c = chain.join(3, CODES, 1000);
    // A first addition: B and C have no mark yet, so they read TT1 whole, once.
    let first = codes('F', 50);
    add(&a, "first.csv", &first);
    assert_eq!(pull(&a).codes_uploaded, 50);
    for d in [&b, &c] {
        let r = pull(d);
        assert_eq!((r.codes_downloaded, r.codes_read), (50, 56), "{r:?}");
        assert!(mark(d).is_some());
    }
    // 2,000 more at A: each other desk reads those 2,000 rows, not the 2,056.
    let more = codes('M', 2000);
    add(&a, "more.csv", &more);
    assert_eq!(pull(&a).codes_uploaded, 2000);
    for d in [&b, &c] {
        let r = pull(d);
        assert_eq!((r.codes_downloaded, r.codes_read), (2000, 2000), "{r:?}");
        assert_eq!(total(d), 2056);
        assert_eq!(
            d.f.codes("TT1", Some(&more[1999])),
            vec![more[1999].clone()]
        );
        // Nothing is sent back, nothing read again.
        let r = pull(d);
        assert_eq!((r.codes_uploaded, r.codes_read), (0, 0), "{r:?}");
        d.f.check_invariants();
    }
}

#[test]
fn a_desk_that_missed_several_batch_changes_gets_every_added_code_once() {
    let chain = Chain::new("deltamissed", CODES);
    let a = chain.join(1, CODES, 1000);
    let b = chain.join(2, CODES, 1000);
    add(&a, "first.csv", &codes('F', 10));
    pull(&a);
    assert_eq!(pull(&b).codes_downloaded, 10);
    let before = mark(&b).expect("a mark");
    // Three additions, each uploaded (one `batch` change each) before B pulls again.
    let mut added = Vec::new();
    for (tag, n) in [('P', 300), ('Q', 400), ('R', 500)] {
        let these = codes(tag, n);
        add(&a, &format!("{tag}.csv"), &these);
        assert_eq!(pull(&a).codes_uploaded, n as u64);
        added.extend(these);
    }
    let r = pull(&b);
    // The first change's download takes all 1,200; the two after it find nothing new.
    assert_eq!((r.codes_downloaded, r.codes_read), (1200, 1200), "{r:?}");
    assert_eq!(total(&b), 16 + 1200);
    assert!(mark(&b).expect("a mark") > before);
    for code in [&added[0], &added[299], &added[300], &added[1199]] {
        assert_eq!(b.f.codes("TT1", Some(code)), vec![code.clone()]);
    }
    b.f.check_invariants();
}

#[test]
fn a_download_repeated_without_its_mark_doubles_nothing() {
    // What a crash between the import's commit and the mark leaves: the codes here, the
    // mark behind them and the change not yet marked pulled. The repeat reads them
    // again and the import skips them. (The kill itself: crates/cli/tests/hub_batch_kill.rs.)
    let chain = Chain::new("deltarepeat", CODES);
    let a = chain.join(1, CODES, 1000);
    let b = chain.join(2, CODES, 1000);
    add(&a, "first.csv", &codes('F', 10));
    pull(&a);
    pull(&b);
    let (link_seq, old_mark) = {
        let conn = rusqlite::Connection::open(&b.f.db).expect("open");
        let seq: i64 = conn
            .query_row("SELECT pulled_seq FROM hub_link", [], |r| r.get(0))
            .expect("seq");
        (seq, mark(&b).expect("mark"))
    };
    add(&a, "more.csv", &codes('M', 700));
    pull(&a);
    assert_eq!(pull(&b).codes_downloaded, 700);
    {
        let conn = rusqlite::Connection::open(&b.f.db).expect("open");
        conn.execute("UPDATE hub_link SET pulled_seq = ?1", [link_seq])
            .expect("seq back");
        conn.execute("UPDATE hub_batch_got SET upto_ord = ?1", [old_mark])
            .expect("mark back");
    }
    let r = pull(&b);
    assert_eq!((r.codes_read, r.codes_downloaded), (700, 0), "{r:?}");
    assert_eq!(total(&b), 16 + 700);
    b.f.check_invariants();
}

#[test]
fn a_join_sets_each_mark_to_what_it_read_even_below_a_mark_of_another_hub() {
    // A desk that held marks of another hub (higher ords) joins this one: its whole
    // download sets the marks to this hub's ords, so later additions are not passed over.
    let chain = Chain::new("deltarejoin", CODES);
    let a = chain.join(1, CODES, 1000);
    let b = chain.join(2, CODES, 1000);
    add(&a, "first.csv", &codes('F', 10));
    pull(&a);
    pull(&b);
    {
        let conn = rusqlite::Connection::open(&b.f.db).expect("open");
        conn.execute("UPDATE hub_batch_got SET upto_ord = 1000000000", [])
            .expect("another hub's mark");
    }
    // The chain's terminals were made with their ids given: the new one's comes after.
    assert_eq!(
        chain.scalar("SELECT setval('coupondesk.terminals_id_seq', 100)"),
        100
    );
    let j =
        b.f.desk
            .hub_join(&chain.url.display(), "淮海路店", "前台9")
            .expect("join");
    assert_eq!(j.moved.codes_read, 16, "{j:?}");
    assert!(mark(&b).expect("a mark") < 1_000_000_000);
    let more = codes('M', 25);
    add(&a, "more.csv", &more);
    pull(&a);
    let r = pull(&b);
    assert_eq!((r.codes_downloaded, r.codes_read), (25, 25), "{r:?}");
    assert_eq!(total(&b), 16 + 25);
}

#[test]
fn a_hub_migrated_from_10_with_codes_is_read_whole_once_then_by_deltas() {
    let chain = Chain::at_schema("deltafrom10", CODES, Some(10));
    let a = chain.join(1, CODES, 1000);
    let b = chain.join(2, CODES, 1000);
    // At schema 10 (not migrated yet): whole downloads, and no mark is kept.
    add(&a, "p.csv", &codes('P', 20));
    pull(&a);
    let r = pull(&b);
    assert_eq!((r.codes_downloaded, r.codes_read), (20, 26), "{r:?}");
    assert_eq!(mark(&b), None);
    // `hub init` with this build: the 26 rows keep no order.
    let m = chain
        .admin
        .call(async |c| schema::migrate(c, None).await)
        .expect("migrate");
    assert_eq!((m.from, m.to), (10, 11));
    assert_eq!(
        chain.scalar("SELECT count(*) FROM coupondesk.codes WHERE ord IS NULL"),
        26
    );
    // The first addition after it: B reads TT1 whole once (it has no mark) ...
    add(&a, "q.csv", &codes('Q', 30));
    pull(&a);
    let r = pull(&b);
    assert_eq!((r.codes_downloaded, r.codes_read), (30, 56), "{r:?}");
    assert!(mark(&b).is_some());
    // ... then only what is added.
    add(&a, "r.csv", &codes('R', 40));
    pull(&a);
    let r = pull(&b);
    assert_eq!((r.codes_downloaded, r.codes_read), (40, 40), "{r:?}");
    assert_eq!(total(&b), 6 + 20 + 30 + 40);
    b.f.check_invariants();
}

#[test]
fn an_upload_committed_after_a_later_numbered_one_is_not_skipped() {
    // Upload X takes its ords and holds its transaction open; upload Y starts after it.
    // Were Y to commit first (a higher ord), B would mark above X's codes and never read
    // them. The upload lock makes Y wait for X's commit.
    let chain = Chain::new("deltaorder", CODES);
    let a = chain.join(1, CODES, 1000);
    let b = chain.join(2, CODES, 1000);
    add(&a, "first.csv", &codes('F', 10));
    pull(&a);
    pull(&b);
    let x_codes = codes('X', 100);
    let y_codes = codes('Y', 100);
    let (locked_tx, locked_rx) = std::sync::mpsc::channel();
    let (go_tx, go_rx) = std::sync::mpsc::channel::<()>();
    let (y_done_tx, y_done_rx) = std::sync::mpsc::channel();
    let y_early = std::thread::scope(|s| {
        let x_hub = chain.desk(3);
        let x_codes = &x_codes;
        s.spawn(move || {
            x_hub
                .call(async |c| {
                    let pg = |e: coupondesk_core::hub::tokio_postgres::Error| HubError::from_pg(&e);
                    let tx = c.transaction().await.map_err(pg)?;
                    tx.execute(
                        "SELECT pg_advisory_xact_lock($1)",
                        &[&transfer::UPLOAD_LOCK],
                    )
                    .await
                    .map_err(pg)?;
                    for code in x_codes {
                        tx.execute(
                            "INSERT INTO coupondesk.codes (code, ticket_type) VALUES ($1, 'TT1')",
                            &[code],
                        )
                        .await
                        .map_err(pg)?;
                    }
                    let _ = locked_tx.send(());
                    let _ = go_rx.recv();
                    tx.execute(
                        "SELECT coupondesk.log_change('batch', 'TT1', '{\"name\": \"Spring\"}', 3)",
                        &[],
                    )
                    .await
                    .map_err(pg)?;
                    tx.commit().await.map_err(pg)
                })
                .expect("upload X");
        });
        locked_rx.recv().expect("X holds its ords");
        let y_hub = chain.desk(1);
        let y_codes = &y_codes;
        s.spawn(move || {
            let mut rows = Vec::new();
            for code in y_codes {
                transfer::copy_row(&mut rows, code, "issued");
            }
            let up = y_hub
                .call(async |c| transfer::upload_batch(c, 1, ("TT1", "Spring"), rows).await)
                .expect("upload Y");
            let _ = y_done_tx.send(up.codes_added);
        });
        // Y waits for X: not done while X is open.
        let y_early = y_done_rx
            .recv_timeout(std::time::Duration::from_secs(2))
            .ok();
        // B pulls meanwhile (the moment a mark could pass over X's codes).
        pull(&b);
        go_tx.send(()).expect("go");
        let y_added = y_early.or_else(|| y_done_rx.recv().ok());
        assert_eq!(y_added, Some(100));
        y_early
    });
    pull(&b);
    for code in [&x_codes[0], &x_codes[99], &y_codes[0], &y_codes[99]] {
        assert_eq!(b.f.codes("TT1", Some(code)), vec![code.clone()]);
    }
    assert_eq!(total(&b), 16 + 200);
    assert_eq!(y_early, None, "Y committed while X held the upload lock");
}
