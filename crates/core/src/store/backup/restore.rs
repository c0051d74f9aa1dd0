//! Putting a backup in place of the database.
//!
//! Order, so that a failure at any step leaves the database as it was:
//! 1. the backup is copied to `<db>.restore-tmp` (0600) and checked there: an SQLite file,
//!    `PRAGMA integrity_check` ok, a CouponDesk schema (version 1 up to this build's;
//!    negative or newer refused), the audit trail's table present;
//! 2. the database is taken for this process alone: a connection in exclusive locking mode
//!    switches it out of WAL (which checkpoints the WAL into it and removes `-wal`/`-shm`).
//!    SQLite allows that only when no other connection, in any process, has the database
//!    open, so it is also how a running app or command is detected: then `InUse`, nothing
//!    changed;
//! 3. the old file is kept as `<db>.before-restore` (a hard link, else a copy), then the
//!    checked copy is renamed over the database (atomic on one file system).
//!
//! The caller opens the restored database afterwards (`store::open` migrates an older
//! schema) and records the restore in its audit trail.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};
use serde::Serialize;
use ts_rs::TS;

use super::{create_private, refuse_own_database, BackupError};
use crate::store::migrations;
use crate::store::private_file::with_wal_files;

const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RestoreReport {
    /// The backup restored.
    pub from: String,
    /// The database replaced.
    pub db: String,
    /// The database as it was before, kept; none when there was no database.
    pub before_restore: Option<String>,
    /// The backup's schema version (the database is migrated from it when opened).
    pub backup_schema_version: u32,
}

fn suffixed(db: &Path, suffix: &str) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push(suffix);
    PathBuf::from(p)
}

/// Replaces the database at `db` with the backup `file` (see the module doc).
pub fn restore(db: &Path, file: &Path) -> Result<RestoreReport, BackupError> {
    refuse_own_database(db, file)?;
    let tmp = suffixed(db, ".restore-tmp");
    let checked = copy_and_check(file, &tmp);
    let version = match checked {
        Ok(v) => v,
        Err(e) => {
            remove_copy(&tmp);
            return Err(e);
        }
    };
    let swapped = swap_in(db, &tmp);
    if swapped.is_err() {
        remove_copy(&tmp);
    }
    Ok(RestoreReport {
        from: file.display().to_string(),
        db: db.display().to_string(),
        before_restore: swapped?.map(|p| p.display().to_string()),
        backup_schema_version: version,
    })
}

fn remove_copy(tmp: &Path) {
    for p in with_wal_files(tmp) {
        let _ = std::fs::remove_file(p);
    }
}

/// Copies `file` to `tmp` and checks the copy; returns its schema version.
fn copy_and_check(file: &Path, tmp: &Path) -> Result<u32, BackupError> {
    let not = |reason: String| BackupError::NotABackup {
        path: file.to_owned(),
        reason,
    };
    let mut src = File::open(file).map_err(|e| not(format!("it cannot be read ({e})")))?;
    if !src.metadata().map(|m| m.is_file()).unwrap_or(false) {
        return Err(not("it is not a regular file".into()));
    }
    let mut head = [0u8; 16];
    if src.read_exact(&mut head).is_err() || &head != SQLITE_HEADER {
        return Err(not("it is not an SQLite database".into()));
    }
    remove_copy(tmp);
    let write_failed = |source| BackupError::Write {
        path: tmp.to_owned(),
        source,
    };
    create_private(tmp).map_err(write_failed)?;
    let mut src = File::open(file).map_err(|e| not(format!("it cannot be read ({e})")))?;
    let mut dst = std::fs::OpenOptions::new()
        .write(true)
        .open(tmp)
        .map_err(write_failed)?;
    std::io::copy(&mut src, &mut dst).map_err(write_failed)?;
    dst.sync_all().map_err(write_failed)?;
    drop(dst);
    let conn = Connection::open_with_flags(tmp, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
    let version = check(&conn).map_err(|e| match e {
        Check::Not(reason) => not(reason),
        Check::Newer(found) => BackupError::Newer {
            path: file.to_owned(),
            found,
            known: migrations::latest(),
        },
    })?;
    // One self-contained file to rename into place.
    conn.pragma_update(None, "journal_mode", "DELETE")
        .map_err(|e| not(format!("it cannot be used ({e})")))?;
    drop(conn);
    Ok(version)
}

enum Check {
    Not(String),
    Newer(i64),
}

fn check(conn: &Connection) -> Result<u32, Check> {
    let damaged = |e: rusqlite::Error| Check::Not(format!("it is damaged ({e})"));
    let verdict: Vec<String> = conn
        .prepare("PRAGMA integrity_check")
        .and_then(|mut s| {
            s.query_map([], |r| r.get::<_, String>(0))?
                .collect::<Result<_, _>>()
        })
        .map_err(damaged)?;
    if verdict != ["ok"] {
        let first = verdict.first().cloned().unwrap_or_default();
        return Err(Check::Not(format!("its integrity check failed ({first})")));
    }
    // user_version is a signed 32-bit number in the file: read it as such.
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(damaged)?;
    if version < 0 {
        return Err(Check::Not(format!(
            "its schema version is negative ({version})"
        )));
    }
    if version > i64::from(migrations::latest()) {
        return Err(Check::Newer(version));
    }
    let tables: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('batches', 'audit_log')",
            [],
            |r| r.get(0),
        )
        .map_err(damaged)?;
    if version == 0 || tables != 2 {
        return Err(Check::Not("it holds no CouponDesk data".into()));
    }
    u32::try_from(version).map_err(|_| Check::Newer(version))
}

/// Steps 2 and 3 of the module doc; returns the kept old database, if there was one.
fn swap_in(db: &Path, tmp: &Path) -> Result<Option<PathBuf>, BackupError> {
    let replace_failed = |source| BackupError::Replace {
        path: db.to_owned(),
        source,
    };
    let lock = if db.exists() {
        Some(take_alone(db)?)
    } else {
        None
    };
    let before = match lock {
        Some(_) => {
            let before = suffixed(db, ".before-restore");
            match std::fs::remove_file(&before) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(replace_failed(e))
                }
                _ => {}
            }
            if std::fs::hard_link(db, &before).is_err() {
                std::fs::copy(db, &before).map_err(replace_failed)?;
            }
            Some(before)
        }
        None => None,
    };
    // Out of WAL mode they are gone already; a stale pair must not be read with the new file.
    for stale in with_wal_files(db).iter().skip(1) {
        match std::fs::remove_file(stale) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(replace_failed(e)),
            _ => {}
        }
    }
    std::fs::rename(tmp, db).map_err(replace_failed)?;
    if let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty()) {
        // The rename is durable once the folder is synced (best effort: not every OS can).
        let _ = File::open(dir).and_then(|d| d.sync_all());
    }
    drop(lock);
    Ok(before)
}

/// A connection holding the database for this process alone, out of WAL mode (see the
/// module doc); `InUse` when another connection has it open.
fn take_alone(db: &Path) -> Result<Connection, BackupError> {
    let in_use = || BackupError::InUse(db.to_owned());
    let conn = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
    conn.busy_timeout(std::time::Duration::from_millis(0))?;
    conn.pragma_update(None, "locking_mode", "EXCLUSIVE")?;
    let mode: String = conn
        .pragma_update_and_check(None, "journal_mode", "DELETE", |r| r.get(0))
        .map_err(|e| match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                in_use()
            }
            _ => BackupError::Sqlite(e),
        })?;
    if !mode.eq_ignore_ascii_case("delete") {
        return Err(in_use());
    }
    // Holds the exclusive lock until the connection closes: nobody opens it meanwhile.
    conn.execute_batch("BEGIN EXCLUSIVE")
        .map_err(|_| in_use())?;
    Ok(conn)
}
