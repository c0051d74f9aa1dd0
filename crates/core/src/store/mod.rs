//! The one SQLite file: WAL, foreign keys on, busy timeout on every connection,
//! versioned migrations, one file per table.
//!
//! Invariants every writer keeps (tests check them):
//! - a code's row id is `(batch id << 32) | seq`, seq counting from 1 in the order codes
//!   were added, with no gaps below the batch's `next_seq`: a batch's codes are one
//!   contiguous range, so a page by position is a range read;
//! - `batch_counts` holds, per batch and status, exactly how many codes there are, and is
//!   changed in the same transaction as the codes;
//! - codes with seq < the batch's `indexed_seq` are in the trigram index
//!   (`code_trigrams`, see `store::code_trigrams` and `search_index`), the rest are not (yet).

pub mod acting;
pub mod audit;
pub mod audit_list;
pub mod audit_verify;
pub mod backup;
pub mod batches;
pub mod bonus_undo;
pub mod bonuses;
pub mod changes;
pub mod checkpointer;
pub mod code_trigrams;
pub mod code_writes;
pub mod codes;
pub mod codes_types;
pub mod counter_lane;
pub mod customers;
pub mod db_file;
pub mod hub_audit;
pub mod hub_batch_got;
pub mod hub_batch_sent;
pub mod hub_bonuses;
pub mod hub_claims;
pub mod hub_disables;
pub mod hub_keys;
pub mod hub_link;
pub mod hub_offline_uses;
pub mod hub_records;
pub mod hub_relay;
pub mod hub_staff;
pub mod hub_use_conflicts;
pub mod locks;
pub mod logos;
pub mod migrations;
pub mod private_file;
pub mod reconcile;
pub mod redemptions;
pub mod reports;
pub mod run_undo;
pub mod runs;
pub mod settings;
pub mod staff;
pub mod templates;
pub mod vouchers;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, ErrorCode as SqliteCode};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no batch has the ticket type {0}; check the type or create the batch first")]
    BatchNotFound(String),
    #[error("no import run has the number {0}; it may have been undone with its batch")]
    RunNotFound(i64),
    #[error("a batch named \"{0}\" already exists; choose another name")]
    BatchNameTaken(String),
    #[error("a batch with the ticket type {0} already exists; choose another type")]
    BatchTypeTaken(String),
    /// Also a negative version: no CouponDesk wrote it, so it is refused the same way.
    #[error(
        "this database was made by a newer CouponDesk (schema version {found}); this version \
         knows up to version {known}. Update CouponDesk to open it"
    )]
    NewerSchema { found: i64, known: u32 },
    #[error(
        "another import or generation into batch {0} is still running; wait for it to \
         finish or cancel it, then try again"
    )]
    BatchBusy(String),
    #[error("batch {0} is still being cleaned up after an interrupted run; try again in a minute")]
    BatchCleaningUp(String),
    #[error("batch {0} is full: a batch holds at most 4,294,967,295 codes; start a new batch")]
    BatchFull(String),
    #[error(
        "there is no database {path}: the folder {dir} does not exist. Check the path; to \
         start a new database there, run `coupondesk init --db {path}`"
    )]
    NoFolder { path: PathBuf, dir: PathBuf },
    #[error(
        "the database file {0} is empty (0 bytes), so it holds no CouponDesk data. If it \
         should, restore a backup; to start a new database there, run `coupondesk init --db \
         {0}`"
    )]
    EmptyFile(PathBuf),
    #[error("{0} is a folder or a device, not a database file; name the database file")]
    NotAFile(PathBuf),
    #[error("the file {0} is damaged or is not a CouponDesk database; restore a backup")]
    Damaged(PathBuf),
    #[error(
        "the database {path} cannot be written: {what} is read-only for this user. Give \
         this user write access to {what}, or copy the database to a folder you can write"
    )]
    ReadOnly { path: PathBuf, what: PathBuf },
    #[error(
        "this user may not open {0}; give this user access to it (and to its folder), or \
         run CouponDesk as the user who owns it"
    )]
    NoAccess(PathBuf),
    /// Creating the folder or the file (or reading what is there) failed otherwise.
    #[error(
        "could not create or check {path}: {source}; check the path and that you may write there"
    )]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "could not open the database {path}: {source}; check the path and that this user may \
         read and write it and its folder"
    )]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error(
        "could not make the database file {path} private to this user (mode 0600): \
         {source}; run CouponDesk as the file's owner, or run `chmod 600` on it"
    )]
    Permissions {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "could not use the lock file {path}: {source}; check that this user may write in the \
         database's folder"
    )]
    Lock {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("database error: {}{}", .0, damage_hint(.0))]
    Sqlite(#[from] rusqlite::Error),
}

crate::error_codes::impl_error_code! {
    StoreError {
        codes {
            StoreError::BatchNotFound(_) => "batch_not_found",
            StoreError::RunNotFound(_) => "run_not_found",
            StoreError::BatchNameTaken(_) => "batch_name_taken",
            StoreError::BatchTypeTaken(_) => "batch_type_taken",
            StoreError::NewerSchema { .. } => "db_newer_version",
            StoreError::BatchBusy(_) => "import_busy",
            StoreError::BatchCleaningUp(_) => "batch_cleaning_up",
            StoreError::BatchFull(_) => "batch_full",
            StoreError::NoFolder { .. } => "db_no_folder",
            StoreError::EmptyFile(_) => "db_empty_file",
            StoreError::NotAFile(_) => "db_not_a_file",
            StoreError::Damaged(_) => "db_damaged",
            StoreError::ReadOnly { .. } => "db_read_only",
            StoreError::NoAccess(_) => "db_no_access",
            StoreError::CreateDir { .. }
            | StoreError::Open { .. }
            | StoreError::Permissions { .. }
            | StoreError::Lock { .. } => "db_error",
            StoreError::Sqlite(e) if is_busy(e) => "db_locked",
            StoreError::Sqlite(e) if db_file::is_damage(e) => "db_damaged",
            StoreError::Sqlite(_) => "db_error",
        }
    }
}

/// Damage found after the database opened (a page past the header) says what to do too.
fn damage_hint(e: &rusqlite::Error) -> &'static str {
    if db_file::is_damage(e) {
        "; the database file is damaged: restore a backup"
    } else {
        ""
    }
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(SqliteCode::DatabaseBusy | SqliteCode::DatabaseLocked)
    )
}

/// Opens a connection with the pragmas every connection must have, and brings the schema
/// up to date. A missing database is created (mode 0600 on Unix, see `private_file`) only
/// in a folder that exists: see `db_file` for what else is refused before SQLite opens it.
pub fn open(path: &Path) -> Result<Connection, StoreError> {
    open_creating(path, db_file::Creating::InExistingFolder)
}

/// As `open`, creating what `creating` allows (the app's data folder, `coupondesk init`).
pub fn open_creating(path: &Path, creating: db_file::Creating) -> Result<Connection, StoreError> {
    db_file::prepare(path, creating)?;
    private_file::make_private(path)?;
    let mut conn = Connection::open(path).map_err(|source| StoreError::Open {
        path: path.to_owned(),
        source,
    })?;
    db_file::opened_by_sqlite(path);
    configure(&mut conn)
        .and_then(|()| migrations::migrate(&mut conn))
        .map_err(|e| db_file::explain(path, e))?;
    Ok(conn)
}

fn configure(conn: &mut Connection) -> Result<(), StoreError> {
    // Every transaction takes the write lock at its BEGIN, where the busy handler below
    // waits for it. A deferred one that reads first and then writes cannot wait: SQLite
    // refuses the upgrade at once with "database is locked" when another connection (the
    // undo thread, an import, another process) writes meanwhile, since waiting could
    // deadlock. Reads outside a transaction are not affected.
    conn.set_transaction_behavior(rusqlite::TransactionBehavior::Immediate);
    // Waits up to about 10 s for another writer, looking again every millisecond: a
    // redemption must take the lock as soon as an import's chunk gives way
    // (`counter_lane`), not at SQLite's next back-off step (up to 100 ms apart).
    conn.busy_handler(Some(retry_every_ms))?;
    // WAL lets the window read while an import writes; NORMAL is durable across app
    // crashes (not OS crashes), the usual choice with WAL.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // 64 MiB of page cache keeps the unique-code index of a large import in memory.
    conn.pragma_update(None, "cache_size", -65536)?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    Ok(())
}

/// SQLite's busy handler: `tries` is how often it was called for this wait.
fn retry_every_ms(tries: i32) -> bool {
    if tries >= BUSY_TRIES {
        return false;
    }
    std::thread::sleep(std::time::Duration::from_millis(1));
    true
}

/// About 10 s of 1 ms waits (a sleep lasts a little longer than asked).
const BUSY_TRIES: i32 = 9_000;

/// Milliseconds since the Unix epoch, UTC: how every time is stored.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

pub fn from_ms(ms: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

/// Who is acting, as the audit log records it (see `acting`).
pub fn actor() -> String {
    acting::name()
}

/// The id range of a batch's codes: `(batch << 32) | seq`.
pub fn code_id(batch_id: i64, seq: i64) -> i64 {
    (batch_id << 32) | seq
}

pub fn seq_of(code_id: i64) -> i64 {
    code_id & 0xFFFF_FFFF
}

/// Each variant's code, exactly, and listed (`crate::all_error_codes` is built from the lists).
#[cfg(test)]
mod error_code_tests {
    use super::*;
    use crate::error_codes::assert_codes;
    use rusqlite::ffi;

    #[test]
    fn every_variant_has_its_code() {
        let busy = rusqlite::Error::SqliteFailure(ffi::Error::new(ffi::SQLITE_BUSY), None);
        let path = || PathBuf::from("x.db");
        assert_codes(vec![
            (StoreError::BatchNotFound("T1".into()), "batch_not_found"),
            (StoreError::BatchNameTaken("n".into()), "batch_name_taken"),
            (StoreError::BatchTypeTaken("T1".into()), "batch_type_taken"),
            (
                StoreError::NewerSchema { found: 9, known: 1 },
                "db_newer_version",
            ),
            (StoreError::BatchBusy("T1".into()), "import_busy"),
            (StoreError::BatchFull("T1".into()), "batch_full"),
            (
                StoreError::BatchCleaningUp("T1".into()),
                "batch_cleaning_up",
            ),
            (
                StoreError::NoFolder {
                    path: path(),
                    dir: path(),
                },
                "db_no_folder",
            ),
            (StoreError::EmptyFile(path()), "db_empty_file"),
            (StoreError::NotAFile(path()), "db_not_a_file"),
            (StoreError::Damaged(path()), "db_damaged"),
            (
                StoreError::ReadOnly {
                    path: path(),
                    what: path(),
                },
                "db_read_only",
            ),
            (StoreError::NoAccess(path()), "db_no_access"),
            (
                StoreError::Sqlite(rusqlite::Error::SqliteFailure(
                    ffi::Error::new(ffi::SQLITE_CORRUPT),
                    None,
                )),
                "db_damaged",
            ),
            (
                StoreError::CreateDir {
                    path: path(),
                    source: std::io::Error::other("x"),
                },
                "db_error",
            ),
            (
                StoreError::Open {
                    path: path(),
                    source: rusqlite::Error::InvalidQuery,
                },
                "db_error",
            ),
            (
                StoreError::Permissions {
                    path: path(),
                    source: std::io::Error::other("x"),
                },
                "db_error",
            ),
            (
                StoreError::Lock {
                    path: path(),
                    source: std::io::Error::other("x"),
                },
                "db_error",
            ),
            (StoreError::Sqlite(busy), "db_locked"),
            (
                StoreError::Sqlite(rusqlite::Error::QueryReturnedNoRows),
                "db_error",
            ),
        ]);
    }
}
