//! The one SQLite file: WAL, foreign keys on, busy timeout on every connection,
//! versioned migrations, one file per table.
//!
//! Invariants every writer keeps (tests check them):
//! - a code's row id is `(batch id << 32) | seq`, seq counting from 1 in the order codes
//!   were added, with no gaps below the batch's `next_seq`: a batch's codes are one
//!   contiguous range, so a page by position is a range read;
//! - `batch_counts` holds, per batch and status, exactly how many codes there are, and is
//!   changed in the same transaction as the codes;
//! - codes with seq < the batch's `indexed_seq` are in the `code_search` index, the rest
//!   are not (yet).

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
pub mod code_writes;
pub mod codes;
pub mod codes_types;
pub mod customers;
pub mod locks;
pub mod migrations;
pub mod private_file;
pub mod redemptions;
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
    #[error(
        "this database was made by a newer CouponDesk (schema version {found}); this version \
         knows up to version {known}. Update CouponDesk to open it"
    )]
    NewerSchema { found: u32, known: u32 },
    #[error(
        "another import or generation into batch {0} is still running; wait for it to \
         finish or cancel it, then try again"
    )]
    BatchBusy(String),
    #[error("batch {0} is full: a batch holds at most 4,294,967,295 codes; start a new batch")]
    BatchFull(String),
    #[error("could not create the folder {path}: {source}; check that you may write there")]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("could not open the database {path}: {source}")]
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
    #[error("could not use the lock file {path}: {source}")]
    Lock {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("database error: {0}")]
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
            StoreError::BatchFull(_) => "batch_full",
            StoreError::CreateDir { .. }
            | StoreError::Open { .. }
            | StoreError::Permissions { .. }
            | StoreError::Lock { .. } => "db_error",
            StoreError::Sqlite(e) if is_busy(e) => "db_locked",
            StoreError::Sqlite(_) => "db_error",
        }
    }
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(SqliteCode::DatabaseBusy | SqliteCode::DatabaseLocked)
    )
}

/// Opens a connection with the pragmas every connection must have, creating the file
/// (mode 0600 on Unix, see `private_file`) and its folder when missing, and brings the
/// schema up to date.
pub fn open(path: &Path) -> Result<Connection, StoreError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
            path: dir.to_owned(),
            source,
        })?;
    }
    private_file::make_private(path)?;
    let mut conn = Connection::open(path).map_err(|source| StoreError::Open {
        path: path.to_owned(),
        source,
    })?;
    configure(&conn)?;
    migrations::migrate(&mut conn)?;
    Ok(conn)
}

fn configure(conn: &Connection) -> Result<(), StoreError> {
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
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
