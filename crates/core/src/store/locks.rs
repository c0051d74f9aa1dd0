//! One lock file per batch, held by the process running an import or generation into
//! it. The OS releases it when that process dies (even by kill -9), which is how a later
//! process tells an interrupted run from one still going.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use super::StoreError;

#[derive(Debug)]
pub struct BatchLock {
    _file: File,
}

fn lock_path(db: &Path, batch_id: i64) -> PathBuf {
    let mut dir = db.as_os_str().to_owned();
    dir.push(".locks");
    PathBuf::from(dir).join(format!("batch-{batch_id}.lock"))
}

impl BatchLock {
    /// Takes the batch's lock if no live process holds it.
    pub fn try_acquire(db: &Path, batch_id: i64) -> Result<Option<BatchLock>, StoreError> {
        let path = lock_path(db, batch_id);
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
        match file.try_lock() {
            Ok(()) => Ok(Some(BatchLock { _file: file })),
            Err(TryLockError::WouldBlock) => Ok(None),
            Err(TryLockError::Error(e)) => Err(err(e)),
        }
    }
}
