//! The app's automatic backups: one a day, in `backups/` next to the database, named by
//! the local date (`coupondesk-2026-12-07.sqlite3`), the newest `KEEP_DAILY` kept.
//!
//! The app makes one at start-up and checks again every hour while it runs (src-tauri);
//! CLI one-shot runs do not (a script running many commands would otherwise pay for a
//! copy of the whole database on its first command of each day, and the app is where
//! staff work). Only files named like ours are counted or removed: a file staff put in
//! the folder stays.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rusqlite::Connection;
use serde::Serialize;
use ts_rs::TS;

use super::{write, BackupError};

/// How many daily backups stay.
pub const KEEP_DAILY: usize = 7;

const PREFIX: &str = "coupondesk-";
const SUFFIX: &str = ".sqlite3";

/// One backup in the folder, as Settings lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct BackupFile {
    pub path: String,
    /// The day it was made (local date), from its name.
    pub date: String,
    #[ts(type = "number")]
    pub bytes: u64,
}

/// `backups/` next to the database.
pub fn folder(db: &Path) -> PathBuf {
    db.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .join("backups")
}

fn name_for(day: NaiveDate) -> String {
    format!("{PREFIX}{}{SUFFIX}", day.format("%Y-%m-%d"))
}

/// The date in a daily backup's name; None for any other file.
fn date_of(name: &str) -> Option<NaiveDate> {
    let day = name.strip_prefix(PREFIX)?.strip_suffix(SUFFIX)?;
    NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()
}

/// Makes `day`'s backup unless it exists, then removes all but the newest `KEEP_DAILY`.
/// Returns the backup made, if one was.
pub fn daily(src: &Connection, db: &Path, day: NaiveDate) -> Result<Option<PathBuf>, BackupError> {
    let dir = folder(db);
    create_folder(&dir)?;
    let out = dir.join(name_for(day));
    let made = if out.exists() {
        None
    } else {
        write(src, db, &out, false)?;
        Some(out)
    };
    for old in list_daily(db)?.into_iter().skip(KEEP_DAILY) {
        std::fs::remove_file(&old.path).map_err(|source| BackupError::Folder {
            path: PathBuf::from(&old.path),
            source,
        })?;
    }
    Ok(made)
}

/// The daily backups, newest first; none when the folder does not exist yet.
pub fn list_daily(db: &Path) -> Result<Vec<BackupFile>, BackupError> {
    let dir = folder(db);
    let failed = |source| BackupError::Folder {
        path: dir.clone(),
        source,
    };
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(failed(e)),
    };
    let mut found = Vec::new();
    for entry in entries {
        let entry = entry.map_err(failed)?;
        let Some(day) = entry.file_name().to_str().and_then(date_of) else {
            continue;
        };
        let meta = entry.metadata().map_err(failed)?;
        if meta.is_file() {
            found.push((day, entry.path(), meta.len()));
        }
    }
    found.sort_by_key(|f| std::cmp::Reverse(f.0));
    Ok(found
        .into_iter()
        .map(|(day, path, bytes)| BackupFile {
            path: path.display().to_string(),
            date: day.format("%Y-%m-%d").to_string(),
            bytes,
        })
        .collect())
}

/// The folder holds copies of customers' data: its owner's only (0700 on Unix).
fn create_folder(dir: &Path) -> Result<(), BackupError> {
    let failed = |source| BackupError::Folder {
        path: dir.to_owned(),
        source,
    };
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir).map_err(failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_others_are_ignored() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 7).expect("date");
        assert_eq!(name_for(day), "coupondesk-2026-12-07.sqlite3");
        assert_eq!(date_of(&name_for(day)), Some(day));
        assert_eq!(date_of("coupondesk-2026-13-07.sqlite3"), None);
        assert_eq!(date_of("coupondesk-2026-12-07.sqlite3.partial"), None);
        assert_eq!(date_of("mine.sqlite3"), None);
    }
}
