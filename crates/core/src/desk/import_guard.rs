//! Refuses to import CouponDesk's own files as a CSV of codes.
//!
//! The credentials file (`<database>.credentials`) holds the platforms' secrets; read as
//! CSV, each of its lines would be a rejected row, and rejected rows are stored with their
//! values in `code_run_issues`, so an import would copy the secrets into the database.
//! The database and its `-wal`/`-shm` hold customers' phone numbers. Both are refused
//! before any row is read and before a run is claimed, so nothing is written.
//!
//! Desk's import use cases (preview and run) call it first; it lives here rather than in
//! `import/` because it knows the credentials file, which belongs to `sync/`.
//!
//! Recognised by path (this desk's own files, after resolving links and `..`) and, for the
//! credentials, also by content: a copy of the file anywhere else is still refused.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::import::ImportError;
use crate::store::private_file::with_wal_files;
use crate::sync::credentials;

/// A credentials file is a few hundred bytes; anything longer is not one, and only this
/// much of a (possibly huge) CSV is read to tell.
const CREDENTIALS_MAX_BYTES: u64 = 64 * 1024;

/// Every SQLite database file starts with these 16 bytes.
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Err when `file` is this desk's credentials file or database (or a copy of either).
/// A file that cannot be opened passes: the reader reports it with its own error.
pub fn refuse_own_files(file: &Path, db: &Path) -> Result<(), ImportError> {
    let Ok(chosen) = file.canonicalize() else {
        return Ok(());
    };
    // Before anything is read from it (a pipe would block here).
    crate::import::reader::refuse_special(file)?;
    let same = |p: &Path| p.canonicalize().is_ok_and(|c| c == chosen);
    if same(&credentials::path_for(db)) {
        return Err(ImportError::RefusedSecretFile(file.to_owned()));
    }
    if with_wal_files(db).iter().any(|p| same(p)) {
        return Err(ImportError::RefusedDatabaseFile(file.to_owned()));
    }
    let head = read_head(file)?;
    if head.starts_with(SQLITE_MAGIC) {
        return Err(ImportError::RefusedDatabaseFile(file.to_owned()));
    }
    if credentials::is_credentials_text(&head) {
        return Err(ImportError::RefusedSecretFile(file.to_owned()));
    }
    Ok(())
}

/// The first bytes of the file, up to one more than a credentials file can have.
fn read_head(file: &Path) -> Result<Vec<u8>, ImportError> {
    let unreadable = |source| ImportError::FileUnreadable {
        path: PathBuf::from(file),
        source,
    };
    let mut head = Vec::new();
    std::fs::File::open(file)
        .map_err(unreadable)?
        .take(CREDENTIALS_MAX_BYTES + 1)
        .read_to_end(&mut head)
        .map_err(unreadable)?;
    Ok(head)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::types::Platform;
    use crate::ErrorCode;

    fn code(r: Result<(), ImportError>) -> Option<&'static str> {
        r.err().map(|e| e.code())
    }

    #[test]
    fn own_files_and_copies_are_refused_and_csv_passes() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("d.sqlite3");
        drop(crate::store::open(&db).unwrap());
        credentials::set(&db, Platform::Ebuy, Some("k-1")).unwrap();
        let creds = credentials::path_for(&db);
        let refused = Some("import_refused_secret_file");
        assert_eq!(code(refuse_own_files(&creds, &db)), refused);
        // Through a `..` detour: the same file by another spelling.
        let detour = dir
            .path()
            .join("sub")
            .join("..")
            .join(creds.file_name().unwrap());
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        assert_eq!(code(refuse_own_files(&detour, &db)), refused);
        let copy = dir.path().join("codes.csv");
        std::fs::copy(&creds, &copy).unwrap();
        assert_eq!(code(refuse_own_files(&copy, &db)), refused);
        for p in with_wal_files(&db).iter().filter(|p| p.exists()) {
            assert_eq!(
                code(refuse_own_files(p, &db)),
                Some("import_refused_database_file"),
                "{}",
                p.display()
            );
        }
        let db_copy = dir.path().join("backup.csv");
        std::fs::copy(&db, &db_copy).unwrap();
        assert_eq!(
            code(refuse_own_files(&db_copy, &db)),
            Some("import_refused_database_file")
        );
        let csv = dir.path().join("real.csv");
        std::fs::write(&csv, "code\nAB12CD34\n").unwrap();
        assert_eq!(code(refuse_own_files(&csv, &db)), None);
        // JSON that is not the credentials shape is left to the CSV reader.
        std::fs::write(&csv, "{\"code\": \"AB12CD34\"}").unwrap();
        assert_eq!(code(refuse_own_files(&csv, &db)), None);
        assert_eq!(
            code(refuse_own_files(&dir.path().join("none.csv"), &db)),
            None
        );
    }
}
