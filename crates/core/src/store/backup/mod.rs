//! Backups of the one database file, with SQLite's online backup API, so they work while
//! the app runs and while an import writes (docs/backups.md):
//! - `write`: one consistent copy (a snapshot of committed transactions only) to a new
//!   private file, never over an existing one unless asked;
//! - `daily`: the app's automatic copy, one per day in `backups/` next to the database,
//!   the last `KEEP_DAILY` kept;
//! - `restore`: a checked copy put in place of the database (see `restore.rs`).
//!
//! What must stay true: a backup file is complete or absent (it is written under a
//! temporary name and renamed), mode 0600 like the database, and in rollback-journal mode,
//! so it is one self-contained file.

mod daily;
mod restore;

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};

use rusqlite::backup::Backup;
use rusqlite::{Connection, OpenFlags};
use serde::Serialize;
use ts_rs::TS;

pub use daily::{daily, list_daily, BackupFile, KEEP_DAILY};
pub use restore::{restore, RestoreReport};

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0} already exists; choose another file name, or allow replacing it")]
    Exists(PathBuf),
    #[error(
        "{0} is CouponDesk's database itself (or one of its -wal/-shm files); choose another \
         file for the backup"
    )]
    OwnDatabase(PathBuf),
    #[error("could not write the backup {path}: {source}; check the folder and the free space")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("could not read the backup folder {path}: {source}")]
    Folder {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a CouponDesk backup: {reason}")]
    NotABackup { path: PathBuf, reason: String },
    #[error(
        "{path} comes from a newer CouponDesk (schema version {found}); this version knows up \
         to version {known}. Update CouponDesk to restore it"
    )]
    Newer {
        path: PathBuf,
        found: i64,
        known: u32,
    },
    #[error(
        "the database {0} is open in another CouponDesk (the app or a running command); close \
         it and try again"
    )]
    InUse(PathBuf),
    #[error("could not put the backup in place of {path}: {source}; the database is unchanged")]
    Replace {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("backup failed: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error(transparent)]
    Store(#[from] super::StoreError),
}

crate::error_codes::impl_error_code! {
    BackupError {
        codes {
            BackupError::Exists(_) => "backup_exists",
            BackupError::OwnDatabase(_) => "path_own_file",
            BackupError::Write { .. }
            | BackupError::Folder { .. }
            | BackupError::Replace { .. }
            | BackupError::Sqlite(_) => "backup_failed",
            BackupError::NotABackup { .. } => "backup_invalid",
            BackupError::Newer { .. } => "db_newer_version",
            BackupError::InUse(_) => "db_in_use",
        }
        wraps { Store(super::StoreError) }
    }
}

/// What a backup wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct BackupReport {
    pub path: String,
    #[ts(type = "number")]
    pub bytes: u64,
    pub schema_version: u32,
}

/// Copies the database `src` is connected to into `out` (a new file unless `overwrite`).
///
/// The copy is one backup step over all pages: it holds one read transaction for the
/// whole copy, so it is a snapshot of what was committed when it began. In WAL mode
/// writers go on meanwhile (an import's chunks commit into the WAL). A copy in several
/// steps would start over each time another connection commits, and might never end
/// while an import runs.
pub fn write(
    src: &Connection,
    db: &Path,
    out: &Path,
    overwrite: bool,
) -> Result<BackupReport, BackupError> {
    refuse_own_database(db, out)?;
    if !overwrite && out.exists() {
        return Err(BackupError::Exists(out.to_owned()));
    }
    let tmp = partial_name(out);
    let written = write_new(src, &tmp);
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    let failed = |source| BackupError::Write {
        path: out.to_owned(),
        source,
    };
    if !overwrite && out.exists() {
        let _ = std::fs::remove_file(&tmp);
        return Err(BackupError::Exists(out.to_owned()));
    }
    std::fs::rename(&tmp, out).map_err(failed)?;
    let bytes = std::fs::metadata(out).map_err(failed)?.len();
    Ok(BackupReport {
        path: out.display().to_string(),
        bytes,
        schema_version: super::migrations::schema_version(src)?,
    })
}

/// `out` with `.partial` appended: where a backup is written before it is complete.
fn partial_name(out: &Path) -> PathBuf {
    let mut p = out.as_os_str().to_owned();
    p.push(".partial");
    PathBuf::from(p)
}

fn write_new(src: &Connection, tmp: &Path) -> Result<(), BackupError> {
    let failed = |source| BackupError::Write {
        path: tmp.to_owned(),
        source,
    };
    // A leftover of an interrupted backup is ours to replace.
    match std::fs::remove_file(tmp) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(failed(e)),
        _ => {}
    }
    create_private(tmp).map_err(failed)?;
    let mut dst = Connection::open_with_flags(
        tmp,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    {
        let backup = Backup::new(src, &mut dst)?;
        // -1: every page in one step, one read transaction (see `write`).
        match backup.step(-1)? {
            rusqlite::backup::StepResult::Done => {}
            other => {
                return Err(BackupError::Write {
                    path: tmp.to_owned(),
                    source: std::io::Error::other(format!("the copy stopped early ({other:?})")),
                })
            }
        }
    }
    // One self-contained file: no -wal beside it to lose when it is copied away.
    dst.pragma_update(None, "journal_mode", "DELETE")?;
    drop(dst);
    OpenOptions::new()
        .read(true)
        .open(tmp)
        .and_then(|f| f.sync_all())
        .map_err(failed)?;
    Ok(())
}

/// Creates `path` empty, readable by its owner only (on Unix), failing if it exists.
fn create_private(path: &Path) -> std::io::Result<()> {
    let mut o = OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path).map(drop)
}

/// A backup must never land on the database or its WAL files (compared resolved, so a
/// relative path or a symlink to it is caught too).
fn refuse_own_database(db: &Path, out: &Path) -> Result<(), BackupError> {
    let resolve = |p: &Path| match (p.parent(), p.file_name()) {
        (Some(dir), Some(name)) => {
            let dir = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            };
            std::fs::canonicalize(p)
                .or_else(|_| std::fs::canonicalize(dir).map(|d| d.join(name)))
                .unwrap_or_else(|_| p.to_owned())
        }
        _ => p.to_owned(),
    };
    let out_resolved = resolve(out);
    if super::private_file::with_wal_files(db)
        .iter()
        .any(|own| resolve(own) == out_resolved)
    {
        return Err(BackupError::OwnDatabase(out.to_owned()));
    }
    Ok(())
}
