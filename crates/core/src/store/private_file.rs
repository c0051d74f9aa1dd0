//! The database holds customers' phone numbers, so it and its WAL files are readable by
//! their owner only (mode 0600) on Unix.
//!
//! A new database file is created 0600 before SQLite opens it; SQLite's unix VFS creates
//! the `-wal` and `-shm` files with the database file's mode (tests check this), so they
//! follow. A database made by an older version (0644 from the umask) is tightened, with
//! its `-wal`/`-shm`, each time it is opened. On other systems nothing changes: their
//! files inherit the folder's access rules.

use std::path::{Path, PathBuf};

use super::StoreError;

/// The database file and the two files SQLite keeps next to it in WAL mode.
pub fn with_wal_files(db: &Path) -> [PathBuf; 3] {
    let suffixed = |suffix: &str| {
        let mut p = db.as_os_str().to_owned();
        p.push(suffix);
        PathBuf::from(p)
    };
    [db.to_owned(), suffixed("-wal"), suffixed("-shm")]
}

/// Creates the database file 0600 when missing and makes an existing one (and its
/// `-wal`/`-shm`) 0600. Must run before SQLite opens the file.
#[cfg(unix)]
pub fn make_private(db: &Path) -> Result<(), StoreError> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let failed = |path: &Path| {
        let path = path.to_owned();
        move |source| StoreError::Permissions { path, source }
    };
    // create_new: an existing file is never truncated; a file that appears between the
    // check and here is tightened below like any existing one.
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(db)
    {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(failed(db)(e)),
    }
    for path in with_wal_files(db) {
        let mode = match std::fs::metadata(&path) {
            // Only regular files: a `--db` naming a folder by mistake must fail in SQLite's
            // open with its own message, never have the folder's modes changed.
            Ok(m) if !m.is_file() => continue,
            Ok(m) => m.permissions().mode(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(failed(&path)(e)),
        };
        if mode & 0o077 != 0 {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
                .map_err(failed(&path))?;
        }
    }
    Ok(())
}

#[cfg(not(unix))]
pub fn make_private(_db: &Path) -> Result<(), StoreError> {
    Ok(())
}
