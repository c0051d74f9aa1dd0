//! Starting the real app under tauri-driver for one test, and stopping everything after.
//! tauri-driver is stopped with SIGTERM: SIGKILL would leave WebKitWebDriver holding its
//! port and hang later runs.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::{Duration, Instant};

use crate::webdriver::{Session, WdResult};

/// The debug build of the app that the Makefile builds before the e2e tests.
pub fn app_binary() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    root.join("target/debug/coupondesk-app")
}

pub fn artifacts() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/e2e-artifacts")
}

/// A config folder whose `user-dirs.dirs` names `<profile>/Documents` as the Documents
/// folder (created), as xdg-user-dirs writes it; returns both.
fn documents_folder(profile: &Path) -> WdResult<(PathBuf, PathBuf)> {
    let config = profile.join("config");
    let documents = profile.join("Documents");
    let made = std::fs::create_dir_all(&config)
        .and_then(|_| std::fs::create_dir_all(&documents))
        .and_then(|_| {
            std::fs::write(
                config.join("user-dirs.dirs"),
                format!("XDG_DOCUMENTS_DIR=\"{}\"\n", documents.display()),
            )
        });
    made.map_err(|e| format!("could not make the test's Documents folder: {e}"))?;
    Ok((config, documents))
}

static NEXT_PORT: AtomicU16 = AtomicU16::new(0);

pub struct Driver {
    child: Child,
    pub port: u16,
    /// The app's web profile (local storage, caches): fresh for each test, so a test
    /// starts from the app's defaults and never touches the user's own profile.
    _profile: tempfile::TempDir,
    /// The app's "Documents" folder (inside the profile): files the tests type the path
    /// of must be here, as the window accepts typed paths only under Documents.
    documents: PathBuf,
}

impl Driver {
    pub fn start() -> WdResult<Driver> {
        Self::start_with_env(&[])
    }

    /// `start`, with `env` set for tauri-driver and so for the app it starts (the app
    /// inherits it through WebKitWebDriver), without touching this process's environment.
    pub fn start_with_env(env: &[(&str, &str)]) -> WdResult<Driver> {
        if std::env::var_os("DISPLAY").is_none() {
            return Err(
                "DISPLAY is not set: run the e2e tests through scripts/e2e.sh (Xvfb)".into(),
            );
        }
        // Each test gets its own pair of ports (tests may run one after another quickly).
        let n = NEXT_PORT.fetch_add(2, Ordering::SeqCst);
        let port = 4444 + n + (std::process::id() % 200) as u16 * 32;
        let profile = tempfile::tempdir().map_err(|e| format!("no temp dir: {e}"))?;
        let (config, documents) = documents_folder(profile.path())?;
        let child = Command::new("tauri-driver")
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &(port + 1).to_string(),
            ])
            // Inherited by WebKitWebDriver and the app, whose web data lives there.
            .env("XDG_DATA_HOME", profile.path())
            // Where the app finds the user's Documents (XDG user-dirs.dirs).
            .env("XDG_CONFIG_HOME", &config)
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("could not start tauri-driver ({e}); run scripts/setup.sh"))?;
        let driver = Driver {
            child,
            port,
            _profile: profile,
            documents,
        };
        // tauri-driver forwards to WebKitWebDriver on the native port, which it starts
        // itself and which comes up later on a busy machine: wait for both.
        let deadline = Instant::now() + Duration::from_secs(30);
        for p in [port, port + 1] {
            while TcpStream::connect(("127.0.0.1", p)).is_err() {
                if Instant::now() > deadline {
                    return Err(format!(
                        "tauri-driver (port {port}) did not listen within 30 s"
                    ));
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        Ok(driver)
    }

    /// The app's Documents folder for this test.
    pub fn documents(&self) -> &Path {
        &self.documents
    }

    /// Opens the app on the database `db`.
    pub fn open_app(&self, db: &Path) -> WdResult<Session> {
        let binary = app_binary();
        if !binary.exists() {
            return Err(format!(
                "{} is missing: build it with `make app`",
                binary.display()
            ));
        }
        // No background sync: a test that clicks "Sync now" must know the click sent it.
        let args = [
            "--db".to_owned(),
            db.display().to_string(),
            "--no-background-sync".to_owned(),
        ];
        self.open_binary(&binary, &args)
    }

    /// Starts `binary` (an app build: the e2e tests' debug one, the start-up benchmark's
    /// release one) with `args` as the session's application.
    pub fn open_binary(&self, binary: &Path, args: &[String]) -> WdResult<Session> {
        // A session request that dies in transport (the driver still settling) is tried
        // again; an answer from the driver, even an error, is final.
        let mut tries = 0;
        loop {
            match Session::start(self.port, binary, args) {
                Err(e) if e.starts_with("webdriver request failed") && tries < 3 => {
                    tries += 1;
                    std::thread::sleep(Duration::from_secs(1));
                }
                other => return other,
            }
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // SIGTERM, then wait: tauri-driver shuts WebKitWebDriver down on its way out.
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
