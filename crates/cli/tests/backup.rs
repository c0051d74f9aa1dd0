//! `coupondesk backup` and `coupondesk restore` (issue 14 item 9, docs/backups.md): a
//! backup taken while another process imports restores into a consistent database;
//! restore checks the file first, refuses a database in use, keeps the old one, and is
//! audited; backups never overwrite a file unless asked and are private.

mod support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use support::{add_staff, run_as, Who};

const OWNER: Who<'static> = Who {
    name: "老板",
    pin: "9137",
};
const MANAGER: Who<'static> = Who {
    name: "王经理",
    pin: "4826",
};

fn ok(db: &Path, who: Who<'_>, args: &[&str]) -> String {
    let out = run_as(db, Some(who), args, "");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Exit 1 with a message containing `says`.
fn refused(db: &Path, who: Who<'_>, args: &[&str], says: &str) {
    let out = run_as(db, Some(who), args, "");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{args:?} should fail: {err}");
    assert!(err.contains(says), "{args:?}: {err:?} should say {says:?}");
}

fn shop(dir: &Path) -> PathBuf {
    let db = dir.join("shop.sqlite3");
    add_staff(&db, None, OWNER, "owner");
    add_staff(&db, Some(OWNER), MANAGER, "manager");
    ok(
        &db,
        OWNER,
        &["batch", "create", "--type", "T1", "--name", "春季"],
    );
    db
}

/// `rows` realistic codes: 12 random characters of A-Z and 0-9.
fn codes_csv(path: &Path, rows: usize) {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut rng = rand::rngs::StdRng::seed_from_u64(14);
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).expect("csv"));
    writeln!(f, "code").expect("header");
    for _ in 0..rows {
        let code: String = (0..12)
            .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
            .collect();
        writeln!(f, "{code}").expect("row");
    }
    f.flush().expect("flush");
}

fn query_i64(db: &Path, sql: &str) -> i64 {
    let conn = rusqlite::Connection::open(db).expect("open");
    conn.query_row(sql, [], |r| r.get(0)).expect(sql)
}

/// The invariants a consistent database keeps: SQLite's own check, and the batch
/// counters equal to the codes there are.
/// Codes below their batch's next_seq: the rows of an undone run above it are deleted in
/// the background and counted nowhere (docs/codes-and-imports.md).
const LIVE_CODES: &str = "SELECT count(*) FROM codes c JOIN batches b ON b.id = (c.id >> 32)
     WHERE (c.id & 0xFFFFFFFF) < b.next_seq";

fn assert_consistent(db: &Path) -> i64 {
    let conn = rusqlite::Connection::open(db).expect("open");
    let verdict: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity");
    assert_eq!(verdict, "ok", "{}", db.display());
    let codes = query_i64(db, LIVE_CODES);
    let counted = query_i64(db, "SELECT coalesce(sum(n), 0) FROM batch_counts");
    assert_eq!(
        codes,
        counted,
        "batch_counts against the codes in {}",
        db.display()
    );
    codes
}

#[test]
fn a_backup_taken_during_an_import_restores_a_consistent_database() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = shop(dir.path());
    let csv = dir.path().join("codes.csv");
    let rows = 1_000_000;
    codes_csv(&csv, rows);
    let mut import = Command::new(env!("CARGO_BIN_EXE_coupondesk"))
        .arg("--db")
        .arg(&db)
        .args(["--staff", OWNER.name])
        .env(support::PIN_ENV, OWNER.pin)
        .args(["codes", "import", "--batch", "T1"])
        .arg(&csv)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("import");
    // The first chunk committed: the backup starts while the import goes on writing.
    let start = Instant::now();
    while query_i64(&db, "SELECT count(*) FROM codes") == 0 {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "no chunk committed"
        );
        assert!(
            import.try_wait().expect("wait").is_none(),
            "the import ended early"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let backup = dir.path().join("during.sqlite3");
    let said = ok(
        &db,
        MANAGER,
        &["backup", "--out", backup.to_str().expect("utf-8")],
    );
    assert!(said.contains("backed up to"), "{said}");
    assert!(
        import.try_wait().expect("wait").is_none(),
        "the import must still run when the backup is done, or this test shows nothing"
    );
    let done = import.wait_with_output().expect("import ends");
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    assert_eq!(query_i64(&db, "SELECT count(*) FROM codes"), rows as i64);

    // The backup holds whole chunks only, consistent, fewer than the whole import.
    let in_backup = assert_consistent(&backup);
    assert!(
        in_backup > 0 && in_backup < rows as i64,
        "{in_backup} codes in the backup"
    );
    let running = query_i64(
        &backup,
        "SELECT count(*) FROM code_runs WHERE state = 'running'",
    );
    assert_eq!(
        running, 1,
        "the import was running when the backup was taken"
    );

    ok(&db, OWNER, &["restore", backup.to_str().expect("utf-8")]);
    assert_consistent(&db);
    // The first open after the restore finds the run's owner gone and undoes it.
    let shown = ok(&db, OWNER, &["--json", "batch", "show", "--type", "T1"]);
    let batch: serde_json::Value = serde_json::from_str(&shown).expect("json");
    assert_eq!(
        batch["total_codes"].as_i64(),
        Some(query_i64(&db, LIVE_CODES)),
        "{batch}"
    );
    assert_consistent(&db);
    let verified = ok(&db, OWNER, &["audit", "verify"]);
    assert!(verified.contains("intact"), "{verified}");
    let by = query_i64(
        &db,
        "SELECT count(*) FROM audit_log WHERE action = 'db.restore' AND actor = '老板'",
    );
    assert_eq!(
        by, 1,
        "the restore is in the restored database's audit trail"
    );
    let before = dir.path().join("shop.sqlite3.before-restore");
    assert_eq!(
        query_i64(&before, "SELECT count(*) FROM codes"),
        rows as i64
    );
}

#[test]
fn backups_are_private_and_never_overwrite_unless_asked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = shop(dir.path());
    let out = dir.path().join("b.sqlite3");
    let out_arg = out.to_str().expect("utf-8");
    ok(&db, MANAGER, &["backup", "--out", out_arg]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }
    refused(
        &db,
        MANAGER,
        &["backup", "--out", out_arg],
        "already exists",
    );
    ok(&db, MANAGER, &["backup", "--out", out_arg, "--overwrite"]);
    refused(
        &db,
        MANAGER,
        &[
            "backup",
            "--out",
            db.to_str().expect("utf-8"),
            "--overwrite",
        ],
        "database itself",
    );
    assert_eq!(
        query_i64(
            &db,
            "SELECT count(*) FROM audit_log WHERE action = 'db.backup'"
        ),
        2
    );
    // Restoring is the owner's.
    refused(
        &db,
        MANAGER,
        &["restore", out_arg],
        "may not restore a backup",
    );
}

#[test]
fn restore_checks_the_file_and_refuses_a_database_in_use() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = shop(dir.path());
    let good = dir.path().join("good.sqlite3");
    ok(
        &db,
        OWNER,
        &["backup", "--out", good.to_str().expect("utf-8")],
    );
    ok(
        &db,
        OWNER,
        &["batch", "create", "--type", "T2", "--name", "after"],
    );
    let batches = || query_i64(&db, "SELECT count(*) FROM batches");
    assert_eq!(batches(), 2);

    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "not a database at all").expect("write");
    refused(
        &db,
        OWNER,
        &["restore", text.to_str().expect("utf-8")],
        "not an SQLite database",
    );
    for (version, says) in [
        (99, "newer CouponDesk"),
        (-1, "negative"),
        (0, "no CouponDesk data"),
    ] {
        let bad = dir.path().join(format!("v{version}.sqlite3"));
        std::fs::copy(&good, &bad).expect("copy");
        let conn = rusqlite::Connection::open(&bad).expect("open");
        conn.pragma_update(None, "user_version", version)
            .expect("version");
        drop(conn);
        refused(&db, OWNER, &["restore", bad.to_str().expect("utf-8")], says);
    }
    let damaged = dir.path().join("damaged.sqlite3");
    let mut bytes = std::fs::read(&good).expect("read");
    let page = 4096;
    for b in bytes.iter_mut().skip(page).take(page * 2) {
        *b = 0x5A;
    }
    std::fs::write(&damaged, bytes).expect("write");
    refused(
        &db,
        OWNER,
        &["restore", damaged.to_str().expect("utf-8")],
        "not a CouponDesk backup",
    );

    // Another process with the database open (here: this test's connection).
    let other = rusqlite::Connection::open(&db).expect("open");
    let _: i64 = other
        .query_row("SELECT count(*) FROM batches", [], |r| r.get(0))
        .expect("read");
    refused(
        &db,
        OWNER,
        &["restore", good.to_str().expect("utf-8")],
        "open in another CouponDesk",
    );
    drop(other);
    assert_eq!(batches(), 2, "every refusal left the database as it was");
    assert!(!dir.path().join("shop.sqlite3.restore-tmp").exists());

    let said = ok(&db, OWNER, &["restore", good.to_str().expect("utf-8")]);
    assert!(said.contains("before-restore"), "{said}");
    assert_eq!(batches(), 1, "the backup's state is back");
    let before = dir.path().join("shop.sqlite3.before-restore");
    assert_eq!(query_i64(&before, "SELECT count(*) FROM batches"), 2);
}
