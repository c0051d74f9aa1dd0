//! The platforms' secrets in a real OS keyring: gnome-keyring's Secret Service on a private
//! D-Bus session bus that this test starts (scripts/setup.sh installs both), so nothing
//! touches the keyring of the person running the tests.
//!
//! One test in this file on purpose: the bus address must be in the environment before
//! the first keyring call, and the keyring probe is decided once per process.
#![cfg(target_os = "linux")]

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{fixture, secret_only};
use coupondesk_core::sync::credentials;
use coupondesk_core::sync::os_keyring::{database_key, SERVICE};
use coupondesk_core::sync::{CredentialStoreKind, Platform};
use coupondesk_core::ErrorCode;

const PASSWORD: &str = "login-keyring-password";

/// A private session bus (no service activation: nothing starts behind the test's back)
/// with gnome-keyring's Secret Service on it, which can be stopped and started again over
/// the same keyring files.
struct SecretService {
    dir: tempfile::TempDir,
    bus: Child,
    daemon: Option<Child>,
}

fn need(program: &str) {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        found,
        "{program} is missing: run scripts/setup.sh (it installs gnome-keyring and dbus)"
    );
}

fn wait_for(what: &str, mut ready: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ready() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "{what} did not come up in 20 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

impl SecretService {
    fn start() -> SecretService {
        for p in ["dbus-daemon", "dbus-send", "gnome-keyring-daemon"] {
            need(p);
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let socket = dir.path().join("bus");
        let config = dir.path().join("bus.conf");
        std::fs::write(
            &config,
            format!(
                r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={}</listen>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
                socket.display()
            ),
        )
        .expect("bus config");
        let bus = Command::new("dbus-daemon")
            .arg(format!("--config-file={}", config.display()))
            .arg("--nofork")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start dbus-daemon");
        wait_for("the D-Bus socket", || socket.exists());
        // Safe here: set before any thread of this test binary talks to D-Bus, and this
        // file has this one test.
        std::env::set_var(
            "DBUS_SESSION_BUS_ADDRESS",
            format!("unix:path={}", socket.display()),
        );
        let mut s = SecretService {
            dir,
            bus,
            daemon: None,
        };
        s.start_daemon();
        s
    }

    fn secrets_on_bus() -> bool {
        Command::new("dbus-send")
            .args([
                "--session",
                "--print-reply",
                "--dest=org.freedesktop.DBus",
                "/",
                "org.freedesktop.DBus.NameHasOwner",
                "string:org.freedesktop.secrets",
            ])
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("boolean true"))
    }

    /// gnome-keyring with its "login" keyring unlocked by the password on stdin (created
    /// on the first start), kept under the test's folder.
    fn start_daemon(&mut self) {
        let home = self.dir.path();
        let runtime = home.join("run");
        std::fs::create_dir_all(&runtime).expect("runtime dir");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700))
                .expect("chmod");
        }
        let mut daemon = Command::new("gnome-keyring-daemon")
            .args(["--foreground", "--components=secrets", "--unlock"])
            .env("HOME", home)
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_RUNTIME_DIR", &runtime)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start gnome-keyring-daemon");
        let mut stdin = daemon.stdin.take().expect("stdin");
        stdin.write_all(PASSWORD.as_bytes()).expect("password");
        drop(stdin);
        self.daemon = Some(daemon);
        wait_for("gnome-keyring's Secret Service", Self::secrets_on_bus);
    }

    fn stop_daemon(&mut self) {
        if let Some(mut d) = self.daemon.take() {
            let _ = d.kill();
            let _ = d.wait();
        }
        wait_for("the Secret Service to leave the bus", || {
            !Self::secrets_on_bus()
        });
    }
}

impl Drop for SecretService {
    fn drop(&mut self) {
        if let Some(mut d) = self.daemon.take() {
            let _ = d.kill();
            let _ = d.wait();
        }
        let _ = self.bus.kill();
        let _ = self.bus.wait();
    }
}

/// What the OS keyring holds for this database and platform, read with the keyring crate
/// itself (service `CouponDesk`, user `<canonical path>#<platform id>`).
fn entry(db: &Path, p: Platform) -> Option<String> {
    let user = format!("{}#{}", database_key(db).display(), p.id());
    match keyring::Entry::new(SERVICE, &user)
        .expect("entry")
        .get_password()
    {
        Ok(s) => Some(s),
        Err(keyring::Error::NoEntry) => None,
        Err(e) => panic!("reading {user}: {e}"),
    }
}

/// A credentials file as CouponDesk wrote it before the keyring: JSON, mode 0600.
fn old_file(db: &Path, secrets: &[(Platform, &str)]) -> PathBuf {
    let all: std::collections::BTreeMap<&str, &str> =
        secrets.iter().map(|(p, s)| (p.id(), *s)).collect();
    let path = credentials::path_for(db);
    std::fs::write(&path, serde_json::to_string(&all).expect("json")).expect("write");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    }
    path
}

#[test]
fn secrets_live_in_the_os_keyring_per_database_and_an_old_file_moves_in() {
    let mut service = SecretService::start();
    let f = fixture();

    // An existing credentials file moves into the keyring on first use, then is gone.
    let file = old_file(
        &f.db,
        &[
            (Platform::Sense, "SENSE-OLD-1"),
            (Platform::Ebuy, "EBUY-OLD-4"),
        ],
    );
    let store = f.desk.credentials_store().expect("store");
    assert_eq!(store.kind, CredentialStoreKind::Keyring, "{store:?}");
    assert_eq!(store.label, "Secret Service");
    assert_eq!(store.keyring_unreachable, None);
    assert!(
        !file.exists(),
        "the file was removed once its secrets were in"
    );
    assert_eq!(
        entry(&f.db, Platform::Sense).as_deref(),
        Some("SENSE-OLD-1")
    );
    assert_eq!(entry(&f.db, Platform::Ebuy).as_deref(), Some("EBUY-OLD-4"));
    let settings = f.desk.sync_settings().expect("settings");
    let has: Vec<bool> = settings.iter().map(|s| s.has_secret).collect();
    assert_eq!(has, [true, false, false, false, true]);

    // Settings writes go to the keyring; no file appears.
    f.desk
        .sync_save_settings(&secret_only(Platform::Bonus, Some(" BONUS-2 "), false))
        .expect("save");
    assert_eq!(entry(&f.db, Platform::Bonus).as_deref(), Some("BONUS-2"));
    assert!(!file.exists());

    // A second database on the same PC has its own entries.
    let other = f.dir.path().join("other.sqlite3");
    let desk2 = coupondesk_core::Desk::open(&other).expect("open");
    assert_eq!(credentials::get(&other, Platform::Ebuy).expect("get"), None);
    desk2
        .sync_save_settings(&secret_only(Platform::Ebuy, Some("EBUY-OTHER"), false))
        .expect("save");
    assert_eq!(entry(&other, Platform::Ebuy).as_deref(), Some("EBUY-OTHER"));
    assert_eq!(entry(&f.db, Platform::Ebuy).as_deref(), Some("EBUY-OLD-4"));

    // "Clear" deletes the entry.
    desk2
        .sync_save_settings(&secret_only(Platform::Ebuy, None, true))
        .expect("clear");
    assert_eq!(entry(&other, Platform::Ebuy), None);

    // The keyring fails (its service is gone): a write is an error and changes nothing,
    // and a file waiting to move in stays whole.
    service.stop_daemon();
    let e = f
        .desk
        .sync_save_settings(&secret_only(Platform::Ebuy, Some("EBUY-NEW"), false))
        .expect_err("no keyring to write to");
    assert_eq!(e.code(), "credentials_keyring", "{e}");
    assert!(!e.to_string().contains("EBUY-NEW"), "{e}");
    let third = f.dir.path().join("third.sqlite3");
    let waiting = old_file(&third, &[(Platform::Voucher, "VOUCHER-3")]);
    let before = std::fs::read(&waiting).expect("read");
    let e = credentials::get(&third, Platform::Voucher).expect_err("cannot move");
    assert_eq!(e.code(), "credentials_migration", "{e}");
    assert!(!e.to_string().contains("VOUCHER-3"), "{e}");
    assert_eq!(std::fs::read(&waiting).expect("read"), before);

    // Back again (same keyring files): the old value is there, the file moves in now.
    service.start_daemon();
    assert_eq!(
        credentials::get(&f.db, Platform::Ebuy)
            .expect("get")
            .map(|s| s.expose().to_owned())
            .as_deref(),
        Some("EBUY-OLD-4")
    );
    assert_eq!(
        credentials::get(&third, Platform::Voucher)
            .expect("get")
            .map(|s| s.expose().to_owned())
            .as_deref(),
        Some("VOUCHER-3")
    );
    assert!(!waiting.exists());
}
