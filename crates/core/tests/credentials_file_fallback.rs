//! Where no OS keyring is reachable (here: the D-Bus session bus address points at a socket
//! that does not exist, as on a kiosk session without a desktop keyring), the platforms'
//! secrets go to the 0600 credentials file beside the database, and Settings says so.
//!
//! One test in this file on purpose: the bus address must be in the environment before
//! the first keyring call, and the keyring probe is decided once per process.
#![cfg(target_os = "linux")]

mod common;

use common::{fixture, secret_only};
use coupondesk_core::sync::credentials;
use coupondesk_core::sync::{CredentialStoreKind, Platform};

#[test]
fn without_a_keyring_the_secrets_go_to_the_private_file_and_settings_says_file() {
    let nowhere = tempfile::tempdir().expect("tempdir");
    // Safe here: set before any thread of this test binary talks to D-Bus, and this file
    // has this one test.
    std::env::set_var(
        "DBUS_SESSION_BUS_ADDRESS",
        format!("unix:path={}", nowhere.path().join("no-bus").display()),
    );
    let f = fixture();
    let store = f.desk.credentials_store().expect("store");
    assert_eq!(store.kind, CredentialStoreKind::File, "{store:?}");
    let file = credentials::path_for(&f.db);
    assert_eq!(store.label, file.display().to_string());
    let why = store.keyring_unreachable.expect("the probe's answer");
    assert!(!why.is_empty());

    let input = secret_only(Platform::Ebuy, Some("EBUY-FILE-SECRET"), false);
    let saved = f.desk.sync_save_settings(&input).expect("save");
    assert!(saved.has_secret);
    let text = std::fs::read_to_string(&file).expect("the file holds the secret");
    assert!(text.contains("EBUY-FILE-SECRET"));
    assert!(credentials::is_credentials_text(text.as_bytes()));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).expect("stat").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert_eq!(
        credentials::get(&f.db, Platform::Ebuy)
            .expect("get")
            .map(|s| s.expose().to_owned())
            .as_deref(),
        Some("EBUY-FILE-SECRET")
    );
    // Still the file on the next look (decided once), and the answer carries no secret.
    let again = f.desk.credentials_store().expect("store");
    assert_eq!(again.kind, CredentialStoreKind::File);
    assert!(!format!("{again:?}").contains("EBUY-FILE-SECRET"));
}
