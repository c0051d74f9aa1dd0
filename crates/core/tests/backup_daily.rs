//! The app's daily backups (store/backup/daily.rs): one per day in `backups/` next to the
//! database, the newest seven kept, files that are not ours left alone, and each one a
//! complete database.

use chrono::NaiveDate;
use coupondesk_core::store::{self, backup};
use coupondesk_core::Desk;

#[test]
fn rotation_keeps_the_last_seven_days() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("shop.sqlite3");
    let desk = Desk::open(&db).expect("open");
    desk.create_batch("T1", "春季").expect("batch");
    let conn = store::open(&db).expect("conn");
    let folder = dir.path().join("backups");
    std::fs::create_dir_all(&folder).expect("folder");
    std::fs::write(folder.join("mine.sqlite3"), "staff's own file").expect("write");

    let first = NaiveDate::from_ymd_opt(2026, 11, 25).expect("date");
    for day in first.iter_days().take(10) {
        let made = backup::daily(&conn, &db, day).expect("daily");
        assert!(made.is_some(), "{day}: made");
        assert!(
            backup::daily(&conn, &db, day).expect("again").is_none(),
            "{day}: a second call the same day makes nothing"
        );
    }
    let kept = backup::list_daily(&db).expect("list");
    let dates: Vec<&str> = kept.iter().map(|b| b.date.as_str()).collect();
    assert_eq!(
        dates,
        [
            "2026-12-04",
            "2026-12-03",
            "2026-12-02",
            "2026-12-01",
            "2026-11-30",
            "2026-11-29",
            "2026-11-28"
        ],
        "the newest {} days, newest first",
        backup::KEEP_DAILY
    );
    let mut on_disk: Vec<String> = std::fs::read_dir(&folder)
        .expect("read")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    assert_eq!(
        on_disk.len(),
        8,
        "seven backups and staff's own file: {on_disk:?}"
    );
    assert!(on_disk.contains(&"mine.sqlite3".to_owned()));

    let newest = rusqlite::Connection::open(&kept[0].path).expect("backup");
    let batches: i64 = newest
        .query_row("SELECT count(*) FROM batches", [], |r| r.get(0))
        .expect("batches");
    assert_eq!(batches, 1);
    assert_eq!(desk.backup_list().expect("desk list"), kept);
}
