//! A use case that reads before it writes waits for another connection's write instead
//! of failing with "database is locked". In WAL mode SQLite cannot wait to upgrade a
//! transaction that has already read (it could deadlock), so every transaction must take
//! the write lock at its BEGIN, where the busy handler waits. The fresh-clone CI met this
//! once: a settings save lost the race with the Desk's own undo thread.

mod common;

use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::fixture;
use coupondesk_core::store;

/// How long the other connection holds the write lock: far below the busy handler's
/// ~10 s, far above the time a save takes.
const HELD: Duration = Duration::from_millis(300);

#[test]
fn a_settings_save_waits_for_another_writer_instead_of_failing() {
    let f = fixture();
    let other = store::open(&f.db).expect("open");
    other
        .execute_batch("BEGIN IMMEDIATE; INSERT INTO settings (key, value) VALUES ('probe', '1');")
        .expect("hold the write lock");
    let (started, start) = mpsc::channel();
    let holder = std::thread::spawn(move || {
        start.recv().expect("start");
        std::thread::sleep(HELD);
        other.execute_batch("COMMIT").expect("commit");
    });
    let mut s = f.desk.settings().expect("settings");
    s.shop_utc_offset_minutes = 480;
    let t = Instant::now();
    started.send(()).expect("go");
    let saved = f.desk.save_settings(s);
    holder.join().expect("holder");
    let saved = saved.expect("the save waits for the lock, then succeeds");
    assert_eq!(saved.shop_utc_offset_minutes, 480);
    assert!(
        t.elapsed() >= HELD / 2,
        "the save ran while the other connection held the lock: {:?}",
        t.elapsed()
    );
    assert_eq!(
        f.desk.settings().expect("settings").shop_utc_offset_minutes,
        480
    );
}
