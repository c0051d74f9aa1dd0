//! Secrets of the platforms (access tokens, bearer tokens, e-Buy's signing key).
//!
//! They live in `<database>.credentials`, a JSON file created with mode 0600 and
//! replaced atomically, never in the SQLite file (which staff copy, back up and send
//! along with bug reports) and never in logs: `Secret`'s Debug and Display print
//! `***`. The OS keyring is not used: on the Linux shop PCs we target there is often no
//! Secret Service running, and a keyring that silently fails would lose the secret
//! (docs/sync.md).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::types::Platform;
use super::{SyncError, SyncResult};

/// A secret value. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }
    /// The value, for the one place that puts it on the wire.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

pub fn path_for(db: &Path) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push(".credentials");
    PathBuf::from(p)
}

/// True when the text has the credentials file's shape: a JSON object whose keys are all
/// platform ids and whose values are strings. Import uses it to refuse a copy of the file
/// wherever it was moved (import/own_files.rs); keep it in step with `set`'s format.
pub fn is_credentials_text(bytes: &[u8]) -> bool {
    serde_json::from_slice::<BTreeMap<String, String>>(bytes).is_ok_and(|all| {
        all.keys()
            .all(|k| Platform::ALL.iter().any(|p| p.id() == k.as_str()))
    })
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> SyncError + '_ {
    move |source| SyncError::Credentials {
        path: path.to_owned(),
        source,
    }
}

fn read_all(path: &Path) -> SyncResult<BTreeMap<String, String>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(e) => return Err(io_err(path)(e)),
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .map_err(io_err(path))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            return Err(SyncError::CredentialsOpen(path.to_owned()));
        }
    }
    serde_json::from_str(&text).map_err(|e| {
        io_err(path)(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("not a credentials file ({e}); delete it and enter the secrets again"),
        ))
    })
}

/// The platform's secret, if one was entered.
pub fn get(db: &Path, p: Platform) -> SyncResult<Option<Secret>> {
    Ok(read_all(&path_for(db))?.remove(p.id()).map(Secret))
}

pub fn has(db: &Path, p: Platform) -> bool {
    matches!(get(db, p), Ok(Some(_)))
}

/// Stores (`Some`) or removes (`None`) the platform's secret.
pub fn set(db: &Path, p: Platform, secret: Option<&str>) -> SyncResult<()> {
    let path = path_for(db);
    let mut all = read_all(&path)?;
    match secret {
        Some(s) => all.insert(p.id().to_owned(), s.to_owned()),
        None => all.remove(p.id()),
    };
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let text = serde_json::to_string_pretty(&all)
        .map_err(|e| io_err(&path)(std::io::Error::other(e.to_string())))?;
    // A temp file in the same folder, 0600 from its creation (tempfile's default), then
    // renamed over the old one: a crash leaves either the old or the new file.
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io_err(&path))?;
    tmp.write_all(text.as_bytes()).map_err(io_err(&path))?;
    tmp.as_file().sync_all().map_err(io_err(&path))?;
    tmp.persist(&path).map_err(|e| io_err(&path)(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_round_trip_in_a_private_file_and_never_print() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("d.sqlite3");
        assert_eq!(get(&db, Platform::Ebuy).unwrap(), None);
        set(&db, Platform::Ebuy, Some("k-1")).unwrap();
        set(&db, Platform::Bonus, Some("t-2")).unwrap();
        assert_eq!(get(&db, Platform::Ebuy).unwrap().unwrap().expose(), "k-1");
        let s = get(&db, Platform::Bonus).unwrap().unwrap();
        assert_eq!(format!("{s} {s:?}"), "*** Secret(***)");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path_for(&db))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
            std::fs::set_permissions(path_for(&db), std::fs::Permissions::from_mode(0o644))
                .unwrap();
            assert!(matches!(
                get(&db, Platform::Ebuy),
                Err(SyncError::CredentialsOpen(_))
            ));
            std::fs::set_permissions(path_for(&db), std::fs::Permissions::from_mode(0o600))
                .unwrap();
        }
        let text = std::fs::read(path_for(&db)).unwrap();
        assert!(is_credentials_text(&text));
        assert!(!is_credentials_text(b"{\"code\": \"AB12CD34\"}"));
        assert!(!is_credentials_text(b"code\nAB12CD34\n"));
        set(&db, Platform::Ebuy, None).unwrap();
        assert_eq!(get(&db, Platform::Ebuy).unwrap(), None);
        assert!(has(&db, Platform::Bonus));
    }
}
