//! The database and its WAL files are private to their owner (0600), whatever the umask:
//! they hold customers' phone numbers. Unix only.
#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use coupondesk_core::store::db_file::Creating;
use coupondesk_core::store::private_file::with_wal_files;
use coupondesk_core::Desk;

/// The usual umask, under which SQLite alone would create 0644 files. Every test in this
/// binary sets the same value, so running them in parallel threads is safe.
fn usual_umask() {
    // SAFETY: umask only swaps the process's file-creation mask.
    unsafe {
        libc::umask(0o022);
    }
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777
}

#[test]
fn a_new_database_and_its_wal_and_shm_are_0600_after_a_write() {
    usual_umask();
    let dir = tempfile::tempdir().expect("tempdir");
    // As the app's first start: its data folder is made too.
    let db = dir.path().join("new").join("desk.sqlite3");
    let desk = Desk::open_creating(&db, Creating::OwnDataFolder).expect("open");
    desk.create_batch("T1", "first").expect("write");
    // The WAL files exist while a connection is open; SQLite gave them their mode.
    let conn = rusqlite::Connection::open(&db).expect("second connection");
    conn.query_row("SELECT count(*) FROM batches", [], |r| r.get::<_, i64>(0))
        .expect("read");
    for p in with_wal_files(&db) {
        assert!(p.exists(), "{} exists after a write", p.display());
        assert_eq!(mode(&p), 0o600, "{}", p.display());
    }
    // A file the umask would leave 0644, as a check that the umask is in force.
    let plain = dir.path().join("plain");
    std::fs::write(&plain, b"x").expect("write");
    assert_eq!(mode(&plain), 0o644);
}

#[test]
fn an_existing_0644_database_and_its_wal_files_become_0600_on_open() {
    usual_umask();
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("old.sqlite3");
    // As an older CouponDesk left it: made by SQLite under the umask, WAL files present.
    let old = rusqlite::Connection::open(&db).expect("old open");
    old.pragma_update(None, "journal_mode", "WAL").expect("wal");
    old.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1);")
        .expect("write");
    for p in with_wal_files(&db) {
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        assert_eq!(mode(&p), 0o644);
    }
    let _desk = Desk::open(&db).expect("open");
    for p in with_wal_files(&db) {
        assert_eq!(mode(&p), 0o600, "{}", p.display());
    }
    drop(old);
}

#[test]
fn a_folder_given_as_the_database_is_refused_and_keeps_its_modes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let folder = dir.path().join("not-a-database");
    std::fs::create_dir(&folder).expect("mkdir");
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    assert!(Desk::open(&folder).is_err(), "a folder is not a database");
    assert_eq!(mode(&folder), 0o755, "the folder's modes are untouched");
}
