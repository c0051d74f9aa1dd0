//! One lock file per batch, held by the process running an import or generation into
//! it. The OS releases it when that process dies (even by kill -9), which is how a later
//! process tells an interrupted run from one still going.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use super::StoreError;

#[derive(Debug)]
pub struct BatchLock {
    _lock: NamedLock,
}

impl BatchLock {
    /// Takes the batch's lock if no live process holds it.
    pub fn try_acquire(db: &Path, batch_id: i64) -> Result<Option<BatchLock>, StoreError> {
        Ok(NamedLock::try_acquire(db, &format!("batch-{batch_id}"))?
            .map(|l| BatchLock { _lock: l }))
    }
}

/// A lock file by name (`<db>.locks/<name>.lock`), e.g. one per platform for the sync
/// engine: held while the holder lives, freed by the OS when it dies, even by kill -9.
#[derive(Debug)]
pub struct NamedLock {
    _file: File,
}

impl NamedLock {
    pub fn try_acquire(db: &Path, name: &str) -> Result<Option<NamedLock>, StoreError> {
        let (file, path) = open_lock_file(db, name)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(NamedLock { _file: file })),
            Err(TryLockError::WouldBlock) => Ok(None),
            Err(TryLockError::Error(source)) => Err(StoreError::Lock { path, source }),
        }
    }
}

/// Opens (creating it and its folder) the lock file `<db>.locks/<name>.lock`, unlocked.
pub fn lock_file(db: &Path, name: &str) -> Result<File, StoreError> {
    Ok(open_lock_file(db, name)?.0)
}

fn open_lock_file(db: &Path, name: &str) -> Result<(File, PathBuf), StoreError> {
    let mut dir = db.as_os_str().to_owned();
    dir.push(".locks");
    let path = PathBuf::from(dir).join(format!("{name}.lock"));
    let err = |source| StoreError::Lock {
        path: path.clone(),
        source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(err)?;
    }
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(err)?;
    Ok((file, path))
}
