//! What the database path holds, checked before SQLite opens it, so that a mistyped path
//! or a wrong file gets an error that says what to do instead of a new empty database or
//! SQLite's bare "unable to open database file".
//!
//! The rules (docs/codes-and-imports.md, "The database file"):
//! - a missing database is created only in a folder that exists, except by `coupondesk
//!   init` and in the app's own data folder ([`Creating`]);
//! - a new database file never exists with 0 bytes: it is made under a temporary name
//!   with its header written and then linked into place, so another process that opens
//!   the same path at that moment sees either nothing or a real database;
//! - hence a 0-byte file found at the path was not made by CouponDesk (a `touch`, a copy
//!   that failed): it is refused, and only `init` turns it into a database;
//! - a file that is not an SQLite database, or shorter than its header says, is damaged;
//! - a file or folder this user cannot write is named in the error with what to do;
//! - the header is read with a plain file descriptor only before this process first opens
//!   the file with SQLite ([`opened_by_sqlite`]): POSIX record locks belong to the process,
//!   and closing ANY descriptor of the file drops every lock its SQLite connections hold
//!   on it (sqlite.org/howtocorrupt.html, 2.2). Another process could then think itself
//!   the last connection, checkpoint and delete the WAL under a running writer: readers
//!   saw "database disk image is malformed" during imports until this rule.

use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use rusqlite::ErrorCode as SqliteCode;

use super::private_file::with_wal_files;
use super::StoreError;

/// Whether opening may create what is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Creating {
    /// A missing database is created only in a folder that exists; a 0-byte file is
    /// refused. Every `--db` path and every connection after the first.
    InExistingFolder,
    /// The app's own data folder (no `--db`): created when missing, as on first start.
    OwnDataFolder,
    /// `coupondesk init`: the folder is created, and a 0-byte file becomes a database.
    Init,
}

const HEADER: &[u8; 16] = b"SQLite format 3\0";

/// Checks the path and creates the database file when it is missing and `creating`
/// allows it. Must run before SQLite opens the path.
pub fn prepare(path: &Path, creating: Creating) -> Result<(), StoreError> {
    match std::fs::metadata(path) {
        Ok(m) if !m.is_file() => Err(StoreError::NotAFile(path.to_owned())),
        Ok(m) if m.len() == 0 => {
            if creating == Creating::Init || has_wal(path) {
                check_writable(path)
            } else {
                Err(StoreError::EmptyFile(path.to_owned()))
            }
        }
        Ok(m) => {
            if !seen_by_sqlite(&m) {
                check_header(path, m.len())?;
            }
            check_writable(path)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => create(path, creating),
        Err(source) => Err(no_access(path, source)),
    }
}

/// The files (device, inode) this process has opened with SQLite: their headers are not
/// read again with a plain descriptor (see the module's rules). Never emptied: a file
/// once opened needs no second header check, and the set holds two numbers per database.
static OPENED: Mutex<BTreeSet<(u64, u64)>> = Mutex::new(BTreeSet::new());

#[cfg(unix)]
fn file_id(m: &std::fs::Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((m.dev(), m.ino()))
}

/// Elsewhere locks belong to the handle, not the process: reading the header is safe.
#[cfg(not(unix))]
fn file_id(_: &std::fs::Metadata) -> Option<(u64, u64)> {
    None
}

fn seen_by_sqlite(m: &std::fs::Metadata) -> bool {
    file_id(m).is_some_and(|id| OPENED.lock().is_ok_and(|set| set.contains(&id)))
}

/// Records that SQLite opened `path` in this process (call right after it did).
pub fn opened_by_sqlite(path: &Path) {
    if let Some(id) = std::fs::metadata(path).ok().as_ref().and_then(file_id) {
        if let Ok(mut set) = OPENED.lock() {
            set.insert(id);
        }
    }
}

fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    }
}

fn has_wal(path: &Path) -> bool {
    let [_, wal, _] = with_wal_files(path);
    std::fs::metadata(wal).is_ok_and(|m| m.len() > 0)
}

fn no_access(path: &Path, source: std::io::Error) -> StoreError {
    if source.kind() == std::io::ErrorKind::PermissionDenied {
        StoreError::NoAccess(path.to_owned())
    } else {
        StoreError::CreateDir {
            path: path.to_owned(),
            source,
        }
    }
}

fn create(path: &Path, creating: Creating) -> Result<(), StoreError> {
    let dir = folder_of(path);
    match std::fs::metadata(&dir) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => return Err(StoreError::NotAFile(dir)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if creating == Creating::InExistingFolder {
                return Err(StoreError::NoFolder {
                    path: path.to_owned(),
                    dir,
                });
            }
            std::fs::create_dir_all(&dir).map_err(|source| match source.kind() {
                std::io::ErrorKind::PermissionDenied => StoreError::NoAccess(dir.clone()),
                _ => StoreError::CreateDir {
                    path: dir.clone(),
                    source,
                },
            })?;
        }
        Err(source) => return Err(no_access(&dir, source)),
    }
    if !writable(&dir) {
        return Err(StoreError::ReadOnly {
            path: path.to_owned(),
            what: dir,
        });
    }
    create_whole(path, &dir)
}

/// Makes the database file under a temporary name (0600, header written) and links it
/// to `path`; when another process made `path` meanwhile, theirs stays.
fn create_whole(path: &Path, dir: &Path) -> Result<(), StoreError> {
    // Unique per process and per call: two threads may create the same path at once.
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    let temp = dir.join(format!(
        ".{}.new-{}-{}",
        name.as_deref().unwrap_or("db"),
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| {
        let _ = std::fs::remove_file(&temp);
        super::private_file::make_private(&temp)?;
        let open = |source| StoreError::Open {
            path: path.to_owned(),
            source,
        };
        let conn = rusqlite::Connection::open(&temp).map_err(open)?;
        // Switching to WAL writes the header (page 1), so the file is never empty.
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(open)?;
        conn.close().map_err(|(_, e)| open(e))?;
        match std::fs::hard_link(&temp, path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
            // A file system without hard links: a rename, unless someone made it meanwhile.
            Err(_) if !path.exists() => {
                std::fs::rename(&temp, path).map_err(|source| StoreError::CreateDir {
                    path: path.to_owned(),
                    source,
                })
            }
            Err(_) => Ok(()),
        }
    })();
    for p in with_wal_files(&temp) {
        let _ = std::fs::remove_file(p);
    }
    result
}

/// Refuses a file that is not an SQLite database, or shorter than its header says (a
/// copy cut short) while no WAL holds the rest.
fn check_header(path: &Path, len: u64) -> Result<(), StoreError> {
    let mut head = [0u8; 100];
    let mut file = std::fs::File::open(path).map_err(|e| no_access(path, e))?;
    let n = read_up_to(&mut file, &mut head).map_err(|e| no_access(path, e))?;
    if n < head.len() || &head[..16] != HEADER {
        return Err(StoreError::Damaged(path.to_owned()));
    }
    let be32 = |at: usize| u32::from_be_bytes([head[at], head[at + 1], head[at + 2], head[at + 3]]);
    let page_size = match u16::from_be_bytes([head[16], head[17]]) {
        1 => 65_536u64,
        n => u64::from(n),
    };
    // The page count in the header is valid only when "version-valid-for" matches the
    // change counter (SQLite's file format, section 1.3.7).
    let pages = u64::from(be32(28));
    let valid = be32(92) == be32(24) && pages > 0;
    if valid && len < pages * page_size && !has_wal(path) {
        return Err(StoreError::Damaged(path.to_owned()));
    }
    Ok(())
}

fn read_up_to(file: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match file.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// The database file must be writable, and so must its folder unless the WAL files it
/// needs already exist there.
fn check_writable(path: &Path) -> Result<(), StoreError> {
    let read_only = |what: PathBuf| StoreError::ReadOnly {
        path: path.to_owned(),
        what,
    };
    if !writable(path) {
        return Err(read_only(path.to_owned()));
    }
    let [_, wal, shm] = with_wal_files(path);
    let dir = folder_of(path);
    let wal_files_exist = wal.exists() && shm.exists();
    if !wal_files_exist && !writable(&dir) {
        return Err(read_only(dir));
    }
    Ok(())
}

#[cfg(unix)]
fn writable(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: `c` is a valid NUL-terminated string that outlives the call.
    unsafe { libc::access(c.as_ptr(), libc::W_OK) == 0 }
}

#[cfg(not(unix))]
fn writable(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| !m.permissions().readonly())
}

/// SQLite's own verdict on a file that passed the checks above but is not a database
/// after all (damage past the header), named with its path.
pub fn explain(path: &Path, e: StoreError) -> StoreError {
    match &e {
        StoreError::Sqlite(s) if is_damage(s) => StoreError::Damaged(path.to_owned()),
        StoreError::Sqlite(s) if s.sqlite_error_code() == Some(SqliteCode::ReadOnly) => {
            StoreError::ReadOnly {
                path: path.to_owned(),
                what: path.to_owned(),
            }
        }
        _ => e,
    }
}

pub fn is_damage(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(SqliteCode::NotADatabase | SqliteCode::DatabaseCorrupt)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn processes_creating_the_same_database_at_once_never_see_it_empty() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("new.sqlite3");
        let opened: Vec<_> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|_| s.spawn(|| crate::store::open(&db).map(drop)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("thread"))
                .collect()
        });
        for r in opened {
            assert!(r.is_ok(), "{:?}", r.err().map(|e| e.to_string()));
        }
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(".new-"))
            .collect();
        assert!(left.is_empty(), "temporary files left: {left:?}");
    }

    #[test]
    fn an_empty_file_opens_only_for_init() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("empty.sqlite3");
        std::fs::write(&db, b"").expect("touch");
        for creating in [Creating::InExistingFolder, Creating::OwnDataFolder] {
            assert!(matches!(
                prepare(&db, creating),
                Err(StoreError::EmptyFile(_))
            ));
        }
        assert!(prepare(&db, Creating::Init).is_ok());
        assert_eq!(std::fs::metadata(&db).expect("file").len(), 0, "untouched");
    }
}
