//! The undo of a run whose process died, on a real SQLite file: the run's codes leave
//! every count and read in one short transaction, then go in chunks (store/run_undo.rs);
//! a crash between chunks loses nothing.

mod common;

use common::{cash, check_index_complete, check_invariants, codes, fixture, Fixture};
use coupondesk_core::domain::redeem::RedeemRequest;
use coupondesk_core::import::{ImportOptions, ImportTarget};
use coupondesk_core::progress::CancelToken;
use coupondesk_core::search_index;
use coupondesk_core::store::locks::NamedLock;
use coupondesk_core::store::runs::{self, RunKind};
use coupondesk_core::store::{self, run_undo};
use coupondesk_core::{Desk, ErrorCode};
use rusqlite::Connection;

/// Codes a dead run wrote: more than a few chunks, so the cleanup is in the background.
const DOOMED: i64 = 4 * run_undo::CHUNK + 123;
/// How many of them the dead run had indexed for search.
const DOOMED_INDEXED: i64 = run_undo::CHUNK + 7;

fn doomed_code(i: i64) -> String {
    format!("DOOM{i:08}")
}

/// A run into `t` (new batch when `new`) that wrote `DOOMED` codes, indexed the first
/// `DOOMED_INDEXED`, redeemed three, and died (its claim, so its lock, is dropped).
fn dead_run(db: &std::path::Path, t: &str, new: bool) {
    let mut conn = store::open(db).expect("conn");
    let claim = if new {
        runs::claim_new(
            &mut conn,
            db,
            &coupondesk_core::domain::TicketType::parse(t).expect("type"),
            &coupondesk_core::domain::BatchName::parse(&format!("made by {t}")).expect("name"),
            RunKind::Generate,
            None,
        )
    } else {
        runs::claim_existing(&mut conn, db, t, RunKind::Import, None)
    }
    .expect("claim");
    let tx = conn.transaction().expect("tx");
    for i in 0..DOOMED {
        tx.execute(
            "INSERT INTO codes (id, code, run_id) VALUES (?1, ?2, ?3)",
            rusqlite::params![
                store::code_id(claim.batch_id, claim.first_seq + i),
                doomed_code(i),
                claim.run_id
            ],
        )
        .expect("insert");
    }
    let next_seq = claim.first_seq + DOOMED;
    runs::save_chunk(
        &tx,
        claim.run_id,
        claim.batch_id,
        next_seq,
        DOOMED as u64,
        Default::default(),
    )
    .expect("chunk");
    let indexed_to = claim.first_seq + DOOMED_INDEXED;
    search_index::add_range(&tx, claim.batch_id, claim.first_seq, indexed_to).expect("add");
    search_index::mark_indexed(&tx, claim.batch_id, indexed_to).expect("mark");
    // Three doomed codes were redeemed meanwhile: the undo must count them per status.
    tx.execute(
        "UPDATE codes SET status = 2 WHERE id BETWEEN ?1 AND ?2",
        [
            store::code_id(claim.batch_id, claim.first_seq + 10),
            store::code_id(claim.batch_id, claim.first_seq + 12),
        ],
    )
    .expect("redeem");
    tx.execute(
        "UPDATE batch_counts SET n = n - 3 WHERE batch_id = ?1 AND status = 0",
        [claim.batch_id],
    )
    .expect("count");
    tx.execute(
        "INSERT INTO batch_counts (batch_id, status, n) VALUES (?1, 2, 3)
         ON CONFLICT (batch_id, status) DO UPDATE SET n = n + 3",
        [claim.batch_id],
    )
    .expect("count");
    tx.commit().expect("commit");
}

/// A batch `t` of 50 imported codes `{t}x000000..`, indexed, linked to a cash template.
fn live_batch(f: &Fixture, t: &str) -> Vec<String> {
    f.desk
        .create_batch(t, &format!("batch {t}"))
        .expect("batch");
    let live = codes(&format!("{t}x"), 50);
    let file = f.file(&format!("{t}.csv"), live.join("\n").as_bytes());
    f.desk
        .import_codes(
            &file,
            &ImportTarget::Existing(t.into()),
            &ImportOptions::default(),
            &CancelToken::new(),
            &mut |_| {},
        )
        .expect("import");
    let tpl = f.desk.create_template(cash("满100减20")).expect("template");
    f.desk.link_batch(tpl.id, t).expect("link");
    live
}

/// Takes the undo lock (a Desk's thread may hold it for an instant when it looks).
fn hold_undo_lock(db: &std::path::Path) -> NamedLock {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        if let Some(l) = NamedLock::try_acquire(db, "undo").expect("lock") {
            return l;
        }
        assert!(std::time::Instant::now() < deadline, "the undo lock frees");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

/// Rows left in the file at or above the batch's next_seq.
fn doomed_rows(db: &std::path::Path) -> i64 {
    Connection::open(db)
        .expect("open")
        .query_row(
            "SELECT count(*) FROM codes c JOIN batches b ON b.id = (c.id >> 32)
              WHERE (c.id & 0xFFFFFFFF) >= b.next_seq",
            [],
            |r| r.get(0),
        )
        .expect("count")
}

/// What every reader sees of batch `t` must be its 50 live codes and nothing doomed.
fn sees_only_live(f: &Fixture, t: &str, live: &[String]) {
    let b = f.desk.get_batch(t).expect("batch");
    assert_eq!((b.total_codes, b.used_codes), (50, 0), "counts");
    assert_eq!(f.codes(t, None), live, "the list");
    for search in ["DOOM", "DOOM0000000", "OOM00004", "DOOM00000011"] {
        assert!(f.codes(t, Some(search)).is_empty(), "search {search}");
    }
    assert_eq!(f.codes(t, Some(&format!("{t}x00004"))).len(), 10);
    let check = f
        .desk
        .redeem_check(&RedeemRequest {
            code: doomed_code(5),
            order_fen: Some(10000),
            customer: None,
        })
        .expect("check");
    assert_eq!(check.refusal.map(|r| r.reason()), Some("unknown"));
    let used = f
        .desk
        .redeem_use(&RedeemRequest {
            code: doomed_code(DOOMED - 1),
            order_fen: Some(10000),
            customer: None,
        })
        .expect("use");
    assert!(used.redemption.is_none(), "a doomed code is never redeemed");
    assert_eq!(used.check.refusal.map(|r| r.reason()), Some("unknown"));
    let out = f.dir.path().join(format!("{t}-export.csv"));
    let r = f
        .desk
        .export_codes(
            t,
            &out,
            &Default::default(),
            &CancelToken::new(),
            &mut |_| {},
        )
        .expect("export");
    assert_eq!(r.rows, 50, "export");
}

#[test]
fn a_dead_runs_codes_leave_every_read_at_once_and_go_in_chunks() {
    let f = fixture();
    let live = live_batch(&f, "K");
    // The test deletes the chunks itself: no Desk's thread may meanwhile.
    let hold = hold_undo_lock(&f.db);
    dead_run(&f.db, "K", false);
    assert_eq!(
        f.desk.get_batch("K").expect("batch").total_codes,
        50 + DOOMED as u64,
        "before the undo the run's codes count, as a running run's do"
    );
    let mut conn = store::open(&f.db).expect("conn");
    runs::recover_interrupted(&mut conn, &f.db).expect("recover");
    assert_eq!(doomed_rows(&f.db), DOOMED, "no row deleted yet");
    let left = f.desk.get_batch("K").expect("batch").cleanup_left;
    assert_eq!(left, DOOMED as u64);
    sees_only_live(&f, "K", &live);
    // A new run into the batch waits while another process deletes, then is refused.
    let refused = f
        .desk
        .import_codes(
            &f.file("more.csv", b"NEWCODE0001\n"),
            &ImportTarget::Existing("K".into()),
            &ImportOptions::default(),
            &CancelToken::new(),
            &mut |_| {},
        )
        .map(|_| ())
        .map_err(|e| e.code());
    assert_eq!(refused, Err("batch_cleaning_up"));
    let mut chunks = 0;
    let mut last_left = left;
    while run_undo::chunk(&mut conn, None).expect("chunk") {
        chunks += 1;
        let now_left = f.desk.get_batch("K").expect("batch").cleanup_left;
        assert!(now_left < last_left, "each chunk makes progress");
        last_left = now_left;
        sees_only_live(&f, "K", &live);
        check_invariants(&f.db);
    }
    assert_eq!(chunks, (DOOMED + run_undo::CHUNK - 1) / run_undo::CHUNK);
    assert_eq!(doomed_rows(&f.db), 0);
    assert_eq!(last_left, 0);
    drop(hold);
    check_index_complete(&f.desk, &f.db);
    // Now the batch takes new runs again, from where the live codes end.
    f.import(
        "K",
        &f.file("after.csv", b"NEWCODE0001\n"),
        &ImportOptions::default(),
    );
    assert_eq!(f.desk.get_batch("K").expect("batch").total_codes, 51);
    f.check_invariants();
}

#[test]
fn a_crash_between_chunks_resumes_and_a_desk_finishes_in_the_background() {
    let f = fixture();
    let live = live_batch(&f, "K");
    let hold = hold_undo_lock(&f.db);
    dead_run(&f.db, "K", false);
    {
        let mut conn = store::open(&f.db).expect("conn");
        runs::recover_interrupted(&mut conn, &f.db).expect("recover");
        assert!(run_undo::chunk(&mut conn, None).expect("chunk"));
        assert!(run_undo::chunk(&mut conn, None).expect("chunk"));
        // A chunk that dies before its commit changes nothing.
        let tx = conn.transaction().expect("tx");
        tx.execute(
            "DELETE FROM codes WHERE id = (SELECT max(id) FROM codes)",
            [],
        )
        .expect("half a chunk");
        drop(tx);
    }
    assert_eq!(doomed_rows(&f.db), DOOMED - 2 * run_undo::CHUNK);
    sees_only_live(&f, "K", &live);
    drop(hold);
    // The next process to open the database continues, in its Desk's thread.
    let next = Desk::open(&f.db).expect("open");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while next.get_batch("K").expect("batch").cleanup_left > 0 {
        assert!(std::time::Instant::now() < deadline, "the cleanup ends");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(doomed_rows(&f.db), 0);
    sees_only_live(&f, "K", &live);
    check_index_complete(&f.desk, &f.db);
    f.check_invariants();
}

#[test]
fn a_run_that_made_its_batch_removes_it_once_its_codes_are_gone() {
    let f = fixture();
    let hold = hold_undo_lock(&f.db);
    dead_run(&f.db, "NEWB", true);
    let mut conn = store::open(&f.db).expect("conn");
    runs::recover_interrupted(&mut conn, &f.db).expect("recover");
    let b = f
        .desk
        .get_batch("NEWB")
        .expect("still there while cleaned up");
    assert_eq!((b.total_codes, b.cleanup_left), (0, DOOMED as u64));
    assert!(f.codes("NEWB", Some("DOOM")).is_empty());
    run_undo::drain(&mut conn, &f.db, None, None).expect("drain");
    let gone = f.desk.get_batch("NEWB").map(|_| ()).map_err(|e| e.code());
    assert_eq!(gone, Err("batch_not_found"));
    assert_eq!(doomed_rows(&f.db), 0);
    let left: i64 = conn
        .query_row("SELECT count(*) FROM codes", [], |r| r.get(0))
        .expect("count");
    assert_eq!(left, 0);
    drop(hold);
    check_index_complete(&f.desk, &f.db);
    f.check_invariants();
}

#[test]
fn a_code_only_a_doomed_run_holds_imports_into_another_batch() {
    let f = fixture();
    live_batch(&f, "K");
    f.desk.create_batch("L", "batch L").expect("batch");
    let hold = hold_undo_lock(&f.db);
    dead_run(&f.db, "K", false);
    let mut conn = store::open(&f.db).expect("conn");
    runs::recover_interrupted(&mut conn, &f.db).expect("recover");
    // One indexed doomed code, one not, one redeemed, and one live code of K.
    let taken = [
        doomed_code(3),
        doomed_code(DOOMED - 5),
        doomed_code(11),
        "Kx000007".to_owned(),
    ];
    let file = f.file("l.csv", taken.join("\n").as_bytes());
    let r = f.import("L", &file, &ImportOptions::default());
    assert_eq!((r.imported, r.skipped_duplicate), (3, 1));
    assert_eq!(r.duplicates[0].value, "Kx000007");
    assert_eq!(f.codes("L", Some("DOOM")), taken[..3].to_vec());
    run_undo::drain(&mut conn, &f.db, None, None).expect("drain");
    drop(hold);
    assert_eq!(f.codes("L", None).len(), 3);
    check_index_complete(&f.desk, &f.db);
    f.check_invariants();
}
