//! Secrets of the platforms (access tokens, bearer tokens, e-Buy's signing key), and the
//! chain-mode hub's terminal password (`SecretOf::Hub`, docs/chain-mode.md).
//!
//! They live in the OS keyring (`os_keyring`: one entry per database and secret) when
//! one is reachable, and otherwise in `<database>.credentials`, a JSON file created with
//! mode 0600 and replaced atomically. Never in the SQLite file (which staff copy, back up
//! and send along with bug reports) and never in logs: `Secret`'s Debug and Display print
//! `***`.
//!
//! While the keyring is in use, a credentials file left from before is moved into it on
//! the first use of the database's secrets: each secret is written, read back and
//! compared, and only then is the file removed; any failure leaves the file as it was and
//! is reported. The file's entries win over the keyring's (it is what was written last:
//! no write reaches the keyring while a file is there). docs/sync.md, "Credentials".

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::os_keyring::{self, Keyring, Vault};
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

/// Whose secret it is: a platform's, or this desk's hub terminal role's password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretOf {
    Platform(Platform),
    Hub,
}

impl SecretOf {
    /// Its key in the file and in the keyring entry's user: the platform's id, or `hub`.
    pub fn id(self) -> &'static str {
        match self {
            SecretOf::Platform(p) => p.id(),
            SecretOf::Hub => "hub",
        }
    }

    fn from_id(id: &str) -> Option<SecretOf> {
        if id == "hub" {
            return Some(SecretOf::Hub);
        }
        Platform::ALL
            .into_iter()
            .find(|p| p.id() == id)
            .map(SecretOf::Platform)
    }
}

impl From<Platform> for SecretOf {
    fn from(p: Platform) -> SecretOf {
        SecretOf::Platform(p)
    }
}

pub fn path_for(db: &Path) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push(".credentials");
    PathBuf::from(p)
}

/// True when the text has the credentials file's shape: a JSON object whose keys are all
/// platform ids (or `hub`) and whose values are strings. Import uses it to refuse a copy of the file
/// wherever it was moved (import/own_files.rs); keep it in step with `set`'s format.
pub fn is_credentials_text(bytes: &[u8]) -> bool {
    serde_json::from_slice::<BTreeMap<String, String>>(bytes)
        .is_ok_and(|all| all.keys().all(|k| SecretOf::from_id(k).is_some()))
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

/// Where this database's secrets are kept, for the Settings page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum CredentialStoreKind {
    /// The OS keyring: Secret Service, Credential Manager or the Keychain.
    Keyring,
    /// `<database>.credentials`, 0600: no keyring was reachable.
    File,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CredentialStore {
    pub kind: CredentialStoreKind,
    /// Which keyring ("Secret Service", "Windows Credential Manager", "macOS Keychain"),
    /// or the file's path. A name, not a sentence: the UI words the rest.
    pub label: String,
    /// For the file: why no keyring is used (the probe's answer).
    pub keyring_unreachable: Option<String>,
}

/// The secrets' home for one database, decided per call from the once-per-process probe.
enum Home {
    File(PathBuf),
    Keyring(Box<dyn Vault>),
}

/// The keyring when reachable (after moving a leftover file into it), else the file.
fn home(db: &Path) -> SyncResult<Home> {
    match os_keyring::reachable() {
        Err(_) => Ok(Home::File(path_for(db))),
        Ok(()) => {
            let keyring = Keyring::for_database(db);
            migrate(&path_for(db), &keyring)?;
            Ok(Home::Keyring(Box::new(keyring)))
        }
    }
}

/// Which store holds this database's secrets; moves a leftover file into the keyring
/// first, so "keyring" is only said once the file is gone.
pub fn store(db: &Path) -> SyncResult<CredentialStore> {
    Ok(match home(db)? {
        Home::Keyring(_) => CredentialStore {
            kind: CredentialStoreKind::Keyring,
            label: os_keyring::name().to_owned(),
            keyring_unreachable: None,
        },
        Home::File(path) => CredentialStore {
            kind: CredentialStoreKind::File,
            label: path.display().to_string(),
            keyring_unreachable: os_keyring::reachable().err(),
        },
    })
}

/// The platform's secret, if one was entered.
pub fn get(db: &Path, p: Platform) -> SyncResult<Option<Secret>> {
    get_in(&home(db)?, p)
}

pub fn has(db: &Path, p: Platform) -> bool {
    matches!(get(db, p), Ok(Some(_)))
}

/// Stores (`Some`) or removes (`None`) the platform's secret. On an error the old value
/// stays.
pub fn set(db: &Path, p: Platform, secret: Option<&str>) -> SyncResult<()> {
    set_in(&home(db)?, p, secret)
}

/// The hub terminal role's password (`hub join` made it), if this desk has joined.
pub fn get_hub(db: &Path) -> SyncResult<Option<Secret>> {
    get_in(&home(db)?, SecretOf::Hub)
}

/// Stores (`Some`) or removes (`None`) the hub terminal role's password.
pub fn set_hub(db: &Path, secret: Option<&str>) -> SyncResult<()> {
    set_in(&home(db)?, SecretOf::Hub, secret)
}

fn get_in(home: &Home, p: impl Into<SecretOf>) -> SyncResult<Option<Secret>> {
    let p = p.into();
    match home {
        Home::File(path) => Ok(read_all(path)?.remove(p.id()).map(Secret)),
        Home::Keyring(vault) => vault
            .read(p)
            .map(|s| s.map(Secret))
            .map_err(keyring_err("read", p)),
    }
}

fn set_in(home: &Home, p: impl Into<SecretOf>, secret: Option<&str>) -> SyncResult<()> {
    let p = p.into();
    match (home, secret) {
        (Home::File(path), _) => {
            let mut all = read_all(path)?;
            match secret {
                Some(s) => all.insert(p.id().to_owned(), s.to_owned()),
                None => all.remove(p.id()),
            };
            write_all(path, &all)
        }
        (Home::Keyring(vault), Some(s)) => vault.write(p, s).map_err(keyring_err("store", p)),
        (Home::Keyring(vault), None) => vault.remove(p).map_err(keyring_err("remove", p)),
    }
}

/// "signing key of e-Buy 电子券 (004)": the secret's name in messages, never its value.
fn which_secret(p: SecretOf) -> String {
    match p {
        SecretOf::Platform(p) => format!("{} of {}", p.secret_name(), p.display_name()),
        SecretOf::Hub => "hub terminal password".to_owned(),
    }
}

fn keyring_err(action: &'static str, p: SecretOf) -> impl Fn(keyring::Error) -> SyncError {
    move |e| SyncError::Keyring {
        keyring: os_keyring::name(),
        action,
        secret: which_secret(p),
        reason: e.to_string(),
    }
}

/// Moves the credentials file's secrets into `vault`: each one written, read back and
/// compared; the file is removed only when all of them are there. Any failure returns
/// before the removal, so the file still holds every secret.
fn migrate(file: &Path, vault: &dyn Vault) -> SyncResult<()> {
    match std::fs::symlink_metadata(file) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io_err(file)(e)),
        Ok(_) => {}
    }
    let failed = |reason: String| SyncError::CredentialsMigration {
        path: file.to_owned(),
        keyring: os_keyring::name(),
        reason,
    };
    let all = read_all(file)?;
    for (id, secret) in &all {
        let p = SecretOf::from_id(id)
            .ok_or_else(|| failed(format!("it names an unknown platform \"{id}\"")))?;
        let what = which_secret(p);
        vault
            .write(p, secret)
            .map_err(|e| failed(format!("storing the {what}: {e}")))?;
        match vault.read(p) {
            Ok(Some(back)) if back == *secret => {}
            Ok(_) => {
                return Err(failed(format!(
                    "the {what} read back from the keyring is not the one written"
                )))
            }
            Err(e) => return Err(failed(format!("reading back the {what}: {e}"))),
        }
    }
    // Another process (one that found no keyring) may have written the file meanwhile:
    // then it stays, and the next use moves the newer values in.
    if read_all(file)? != all {
        return Ok(());
    }
    match std::fs::remove_file(file) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io_err(file)(e)),
        _ => Ok(()),
    }
}

/// Replaces the file with `all`, atomically.
fn write_all(path: &Path, all: &BTreeMap<String, String>) -> SyncResult<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let text = serde_json::to_string_pretty(all)
        .map_err(|e| io_err(path)(std::io::Error::other(e.to_string())))?;
    // A temp file in the same folder, 0600 from its creation (tempfile's default), then
    // renamed over the old one: a crash leaves either the old or the new file.
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io_err(path))?;
    tmp.write_all(text.as_bytes()).map_err(io_err(path))?;
    tmp.as_file().sync_all().map_err(io_err(path))?;
    tmp.persist(path).map_err(|e| io_err(path)(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use super::*;

    fn file_home(dir: &tempfile::TempDir) -> (PathBuf, Home) {
        let db = dir.path().join("d.sqlite3");
        (db.clone(), Home::File(path_for(&db)))
    }

    #[test]
    fn secrets_round_trip_in_a_private_file_and_never_print() {
        let dir = tempfile::tempdir().unwrap();
        let (db, home) = file_home(&dir);
        assert_eq!(get_in(&home, Platform::Ebuy).unwrap(), None);
        set_in(&home, Platform::Ebuy, Some("k-1")).unwrap();
        set_in(&home, Platform::Bonus, Some("t-2")).unwrap();
        assert_eq!(
            get_in(&home, Platform::Ebuy).unwrap().unwrap().expose(),
            "k-1"
        );
        let s = get_in(&home, Platform::Bonus).unwrap().unwrap();
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
                get_in(&home, Platform::Ebuy),
                Err(SyncError::CredentialsOpen(_))
            ));
            std::fs::set_permissions(path_for(&db), std::fs::Permissions::from_mode(0o600))
                .unwrap();
        }
        let text = std::fs::read(path_for(&db)).unwrap();
        assert!(is_credentials_text(&text));
        assert!(!is_credentials_text(b"{\"code\": \"AB12CD34\"}"));
        assert!(!is_credentials_text(b"code\nAB12CD34\n"));
        set_in(&home, Platform::Ebuy, None).unwrap();
        assert_eq!(get_in(&home, Platform::Ebuy).unwrap(), None);
        assert_eq!(
            get_in(&home, Platform::Bonus).unwrap().unwrap().expose(),
            "t-2"
        );
    }

    #[test]
    fn the_hub_password_sits_beside_the_platforms_secrets() {
        let dir = tempfile::tempdir().unwrap();
        let (db, home) = file_home(&dir);
        set_in(&home, Platform::Ebuy, Some("k-1")).unwrap();
        set_in(&home, SecretOf::Hub, Some("terminal-pw")).unwrap();
        assert_eq!(
            get_in(&home, SecretOf::Hub).unwrap().unwrap().expose(),
            "terminal-pw"
        );
        // The file stays recognisable as a credentials file (imports refuse it).
        assert!(is_credentials_text(&std::fs::read(path_for(&db)).unwrap()));
        // And moves into a keyring with the rest.
        let vault = TestVault::default();
        migrate(&path_for(&db), &vault).unwrap();
        assert_eq!(
            vault.read(SecretOf::Hub).unwrap().as_deref(),
            Some("terminal-pw")
        );
        assert!(!path_for(&db).exists());
    }

    /// A keyring in memory that can be told to fail: writing one platform's secret, or
    /// giving back something else than what was written.
    #[derive(Default)]
    struct TestVault {
        stored: RefCell<BTreeMap<&'static str, String>>,
        refuse_write_of: Option<Platform>,
        garble_reads: bool,
        /// Another process writing this credentials file during the move.
        rewrite_during_move: Option<PathBuf>,
    }

    fn refused() -> keyring::Error {
        keyring::Error::NoStorageAccess("the collection is locked".into())
    }

    impl Vault for TestVault {
        fn read(&self, p: SecretOf) -> Result<Option<String>, keyring::Error> {
            let v = self.stored.borrow().get(p.id()).cloned();
            Ok(v.map(|s| {
                if self.garble_reads {
                    format!("{s}?")
                } else {
                    s
                }
            }))
        }
        fn write(&self, p: SecretOf, secret: &str) -> Result<(), keyring::Error> {
            if self.refuse_write_of.map(SecretOf::from) == Some(p) {
                return Err(refused());
            }
            self.stored.borrow_mut().insert(p.id(), secret.to_owned());
            if let Some(file) = &self.rewrite_during_move {
                set_in(&Home::File(file.clone()), Platform::WxCard, Some("w-1")).unwrap();
            }
            Ok(())
        }
        fn remove(&self, p: SecretOf) -> Result<(), keyring::Error> {
            if self.refuse_write_of.map(SecretOf::from) == Some(p) {
                return Err(refused());
            }
            self.stored.borrow_mut().remove(p.id());
            Ok(())
        }
    }

    /// A credentials file as an older CouponDesk left it: three secrets.
    fn old_file(dir: &tempfile::TempDir) -> PathBuf {
        let (db, home) = file_home(dir);
        for (p, s) in [
            (Platform::Sense, "s-0"),
            (Platform::Bonus, "b-2"),
            (Platform::Ebuy, "e-4"),
        ] {
            set_in(&home, p, Some(s)).unwrap();
        }
        path_for(&db)
    }

    #[test]
    fn migration_moves_every_secret_then_removes_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = old_file(&dir);
        let vault = TestVault::default();
        // The file's value wins over an older one in the keyring.
        vault
            .stored
            .borrow_mut()
            .insert(Platform::Ebuy.id(), "old".into());
        migrate(&file, &vault).unwrap();
        assert!(!file.exists());
        let stored = vault.stored.borrow().clone();
        assert_eq!(
            stored.into_iter().collect::<Vec<_>>(),
            [
                ("p000", "s-0".to_owned()),
                ("p002", "b-2".into()),
                ("p004", "e-4".into())
            ]
        );
        // Nothing left to move: a no-op.
        migrate(&file, &vault).unwrap();
    }

    #[test]
    fn a_failure_mid_migration_keeps_the_file_whole() {
        let dir = tempfile::tempdir().unwrap();
        let file = old_file(&dir);
        let before = std::fs::read(&file).unwrap();
        let refusing = TestVault {
            refuse_write_of: Some(Platform::Bonus),
            ..TestVault::default()
        };
        let garbling = TestVault {
            garble_reads: true,
            ..TestVault::default()
        };
        for vault in [refusing, garbling] {
            let e = migrate(&file, &vault).unwrap_err();
            assert!(matches!(e, SyncError::CredentialsMigration { .. }), "{e:?}");
            let words = e.to_string();
            assert!(words.contains("The file is kept"), "{words}");
            for secret in ["s-0", "b-2", "e-4"] {
                assert!(!words.contains(secret), "{words}");
            }
            assert_eq!(std::fs::read(&file).unwrap(), before);
        }
    }

    #[test]
    fn a_file_rewritten_during_the_move_stays_for_the_next_one() {
        let dir = tempfile::tempdir().unwrap();
        let file = old_file(&dir);
        let racing = TestVault {
            rewrite_during_move: Some(file.clone()),
            ..TestVault::default()
        };
        migrate(&file, &racing).unwrap();
        assert!(file.exists(), "the newer file was kept");
        let vault = TestVault::default();
        migrate(&file, &vault).unwrap();
        assert!(!file.exists());
        assert_eq!(
            vault.stored.borrow().get("p001").map(String::as_str),
            Some("w-1")
        );
    }

    #[test]
    fn a_keyring_that_refuses_a_write_reports_it_and_keeps_the_old_value() {
        let vault = TestVault {
            refuse_write_of: Some(Platform::Voucher),
            ..TestVault::default()
        };
        vault
            .stored
            .borrow_mut()
            .insert(Platform::Voucher.id(), "v-old".into());
        let home = Home::Keyring(Box::new(vault));
        for new in [Some("v-new"), None] {
            let e = set_in(&home, Platform::Voucher, new).unwrap_err();
            assert!(matches!(e, SyncError::Keyring { .. }), "{e:?}");
            assert!(!e.to_string().contains("v-"), "{e}");
            assert_eq!(
                get_in(&home, Platform::Voucher).unwrap().unwrap().expose(),
                "v-old"
            );
        }
        set_in(&home, Platform::Sense, Some("s-1")).unwrap();
        assert_eq!(
            get_in(&home, Platform::Sense).unwrap().unwrap().expose(),
            "s-1"
        );
        set_in(&home, Platform::Sense, None).unwrap();
        assert_eq!(get_in(&home, Platform::Sense).unwrap(), None);
    }
}
