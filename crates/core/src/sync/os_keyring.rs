//! The OS keyring as the home of the platforms' secrets (Secret Service on Linux and the
//! BSDs, Credential Manager on Windows, the Keychain on macOS), through the `keyring` crate.
//!
//! One entry per database and platform: service `CouponDesk`, user
//! `<canonical database path>#<platform id>`, so two databases on one PC never share a
//! token. Whether a keyring is reachable is decided once per process (`reachable`), by a
//! harmless read of an entry that is never written; `credentials` falls back to the file
//! when it is not.
//!
//! What must stay true: a failed write or delete is an error (the old value stays where
//! it was), never silently ignored; no error text carries a secret (the crate's messages
//! name entries and platform failures, never values).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use keyring::credential::CredentialPersistence;
use keyring::{Entry, Error};

use super::credentials::SecretOf;

/// The service name of every entry CouponDesk writes.
pub const SERVICE: &str = "CouponDesk";

/// The user of the probe entry: read, never written.
const PROBE_USER: &str = "CouponDesk keyring probe";

/// The keyring this build talks to, as people know it.
pub fn name() -> &'static str {
    if cfg!(target_os = "windows") {
        "Windows Credential Manager"
    } else if cfg!(target_os = "macos") {
        "macOS Keychain"
    } else {
        "Secret Service"
    }
}

/// `Ok` when a keyring answered the probe; `Err(why)` when none is reachable. Decided on
/// the first call and kept for the life of the process, so the store in use does not flip
/// between calls (a probe per call would also cost a D-Bus round trip each time).
pub fn reachable() -> Result<(), String> {
    static ANSWER: OnceLock<Result<(), String>> = OnceLock::new();
    ANSWER.get_or_init(probe).clone()
}

fn probe() -> Result<(), String> {
    // Without a native store for the target, the crate hands out its mock, which keeps
    // nothing past the entry: that is no keyring.
    let builder = keyring::default::default_credential_builder();
    if !matches!(builder.persistence(), CredentialPersistence::UntilDelete) {
        return Err("this build has no OS keyring for this system".into());
    }
    let entry = Entry::new(SERVICE, PROBE_USER).map_err(|e| e.to_string())?;
    match entry.get_password() {
        Err(e @ (Error::NoStorageAccess(_) | Error::PlatformFailure(_))) => Err(e.to_string()),
        // Found, not found, or anything else the keyring itself answered: it is there.
        _ => Ok(()),
    }
}

/// The entry user of a database: its canonical path (links and `..` resolved, so two
/// spellings of one file share entries), or, for a database not created yet, its folder's
/// canonical path joined with its name.
pub fn database_key(db: &Path) -> PathBuf {
    if let Ok(c) = db.canonicalize() {
        return c;
    }
    let absolute = std::path::absolute(db).unwrap_or_else(|_| db.to_owned());
    match (absolute.parent(), absolute.file_name()) {
        (Some(dir), Some(file)) => dir.canonicalize().map(|d| d.join(file)).unwrap_or(absolute),
        _ => absolute,
    }
}

/// The secrets of one database in the OS keyring.
pub struct Keyring {
    db_key: String,
}

impl Keyring {
    pub fn for_database(db: &Path) -> Keyring {
        Keyring {
            db_key: database_key(db).to_string_lossy().into_owned(),
        }
    }

    /// The entry user for a secret: `<canonical db path>#<platform id, or hub>`.
    pub fn user(&self, p: impl Into<SecretOf>) -> String {
        format!("{}#{}", self.db_key, p.into().id())
    }

    fn entry(&self, p: SecretOf) -> Result<Entry, Error> {
        Entry::new(SERVICE, &self.user(p))
    }
}

/// Where the secrets of one database are kept while the keyring is in use. A trait so the
/// migration's failure paths (credentials.rs) can be tested with a store that fails on
/// purpose; `Keyring` is the one used outside tests.
pub trait Vault {
    fn read(&self, p: SecretOf) -> Result<Option<String>, Error>;
    /// Replaces the stored value, or fails and leaves it as it was.
    fn write(&self, p: SecretOf, secret: &str) -> Result<(), Error>;
    /// Removing what is not there is not an error.
    fn remove(&self, p: SecretOf) -> Result<(), Error>;
}

impl Vault for Keyring {
    fn read(&self, p: SecretOf) -> Result<Option<String>, Error> {
        match self.entry(p)?.get_password() {
            Ok(s) => Ok(Some(s)),
            Err(Error::NoEntry) => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn write(&self, p: SecretOf, secret: &str) -> Result<(), Error> {
        self.entry(p)?.set_password(secret)
    }

    fn remove(&self, p: SecretOf) -> Result<(), Error> {
        match self.entry(p)?.delete_credential() {
            Ok(()) | Err(Error::NoEntry) => Ok(()),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::types::Platform;

    #[test]
    fn entries_are_per_canonical_database_and_platform() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("d.sqlite3");
        let canonical_dir = dir.path().canonicalize().unwrap();
        // Not created yet: the folder's canonical path and the name.
        let before = Keyring::for_database(&db).user(Platform::Ebuy);
        assert_eq!(
            before,
            format!("{}#p004", canonical_dir.join("d.sqlite3").display())
        );
        std::fs::write(&db, b"").unwrap();
        let other_spelling = dir.path().join(".").join("d.sqlite3");
        assert_eq!(
            Keyring::for_database(&other_spelling).user(Platform::Ebuy),
            before
        );
        let second = dir.path().join("e.sqlite3");
        assert_ne!(Keyring::for_database(&second).user(Platform::Ebuy), before);
        assert_ne!(Keyring::for_database(&db).user(Platform::Sense), before);
    }
}
