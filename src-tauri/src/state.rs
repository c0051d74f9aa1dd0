//! What the window keeps: the opened `Desk` (or why it could not be opened, which every
//! command then reports instead of the app failing to start), and the paths the native
//! dialogs returned in this run, which (with the user's Documents) are the only paths the
//! webview may hand to a command (`check_paths`, core's `api::path_rules`). The running
//! jobs are the Desk's (`Desk::jobs`).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use coupondesk_core::api::path_rules::DialogPaths;
use coupondesk_core::progress::CancelToken;
use coupondesk_core::store::db_file::Creating;
use coupondesk_core::sync::engine::RunOptions;
use coupondesk_core::{ApiError, Desk, DeskError};

pub struct AppState {
    desk: Result<Arc<Desk>, ApiError>,
    paths: DialogPaths,
}

impl AppState {
    /// The desk at `path` (else the default database); the user's Documents folder.
    pub fn open(path: Option<PathBuf>) -> AppState {
        AppState::open_with(path, DialogPaths::for_user())
    }

    /// As `open`, with the set of dialog paths (and the Documents folder) given: tests.
    pub fn open_with(path: Option<PathBuf>, paths: DialogPaths) -> AppState {
        // The app's own data folder is made on first start; a path it was given must be in a
        // folder that exists (a typo must not start an empty database elsewhere).
        let desk = match path {
            Some(p) => Desk::open(&p),
            None => Desk::default_db_path()
                .and_then(|p| Desk::open_creating(&p, Creating::OwnDataFolder)),
        }
        .map(Arc::new)
        .map_err(|e| ApiError::from(&e));
        AppState { desk, paths }
    }

    pub fn desk(&self) -> Result<Arc<Desk>, ApiError> {
        self.desk.clone()
    }

    /// A path a native dialog returned: from now on the webview may use it. Gives back
    /// the text the webview gets.
    pub fn remember_chosen(&self, path: PathBuf) -> Result<String, ApiError> {
        self.paths.remember(path).map_err(|e| ApiError::from(&e))
    }

    /// Err unless the webview may hand every one of `paths` to a command: each was
    /// returned by a dialog in this run or lies under Documents, and none is this desk's
    /// database or credentials file. Every command with a path argument calls it first.
    pub fn check_paths(&self, paths: &[&Path]) -> Result<(), ApiError> {
        if paths.is_empty() {
            return Ok(());
        }
        let desk = self.desk()?;
        for p in paths {
            self.paths
                .check(p, desk.db_path())
                .map_err(|e| ApiError::from(&e))?;
        }
        Ok(())
    }

    /// Runs `work` on a blocking thread, so a slow call into the core (files, the
    /// platforms' networks) never holds up the window. The one place the shell leaves the
    /// async runtime: every such command goes through here.
    pub async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Desk) -> Result<T, DeskError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let desk = self.desk()?;
        let done = tauri::async_runtime::spawn_blocking(move || work(&desk)).await;
        // A join error means the work panicked: the core's state is as its last
        // transaction left it, so say so rather than take the window down.
        let result = done.map_err(|e| {
            ApiError::new("internal", format!("the work stopped unexpectedly: {e}"))
        })?;
        Ok(result?)
    }

    /// At start, brings the substring search index up to date (a run killed before its
    /// index caught up) without holding anything up; searches are complete meanwhile (the
    /// unindexed tail is scanned). After an import or a generation, `Desk` does it.
    pub fn index_in_background(&self) {
        if let Ok(desk) = self.desk.clone() {
            std::thread::spawn(move || {
                if let Err(e) = desk.build_search_index(&CancelToken::new()) {
                    eprintln!("search index: {e}");
                }
            });
        }
    }

    /// The automatic daily backup (docs/backups.md): at start-up, then checked every hour
    /// so an app left open over midnight makes the next day's; the core does nothing when
    /// today's exists. On a thread of its own: a large database takes a while to copy.
    pub fn backup_daily_in_background(&self) {
        const EVERY: Duration = Duration::from_secs(3600);
        if let Ok(desk) = self.desk.clone() {
            let spawned = std::thread::Builder::new()
                .name("daily-backup".into())
                .spawn(move || loop {
                    if let Err(e) = desk.daily_backup() {
                        eprintln!("daily backup: {}", ApiError::from(&e).message);
                    }
                    std::thread::sleep(EVERY);
                });
            if let Err(e) = spawned {
                eprintln!("daily backup: could not start: {e}");
            }
        }
    }

    /// Every 30 s (the first time shortly after start-up), drains the outbox and pulls the
    /// platforms' state on a thread of its own, so the window never waits for it. A run is
    /// short (`RunOptions::background`) and skips platforms that are paused. Errors go to
    /// stderr once per change of wording; the core's messages never carry a secret.
    pub fn sync_in_background(&self) {
        const FIRST: Duration = Duration::from_secs(5);
        const EVERY: Duration = Duration::from_secs(30);
        if let Ok(desk) = self.desk.clone() {
            let spawned = std::thread::Builder::new()
                .name("sync".into())
                .spawn(move || {
                    let mut last: Option<String> = None;
                    std::thread::sleep(FIRST);
                    loop {
                        match desk.sync_background(&RunOptions::background()) {
                            Ok(_) => last = None,
                            Err(e) => {
                                let e = ApiError::from(&e);
                                let line = format!("sync: {} ({})", e.message, e.code);
                                if last.as_deref() != Some(line.as_str()) {
                                    eprintln!("{line}");
                                    last = Some(line);
                                }
                            }
                        }
                        std::thread::sleep(EVERY);
                    }
                });
            if let Err(e) = spawned {
                eprintln!("sync: could not start the background sync: {e}");
            }
        }
    }

    /// Chain mode's wake-up: a thread that holds one LISTEN connection to the hub
    /// (`Desk::hub_listener`) and pulls when another desk's change is committed (200 ms
    /// debounce). Not joined, hub unreachable or connection lost: it tries again after
    /// 30 s, and the periodic sync's pull covers the gap.
    pub fn hub_wake_in_background(&self) {
        use coupondesk_core::hub::listen::Wake;
        const RETRY: Duration = Duration::from_secs(30);
        const DEBOUNCE: Duration = Duration::from_millis(200);
        if let Ok(desk) = self.desk.clone() {
            let spawned = std::thread::Builder::new()
                .name("hub-wake".into())
                .spawn(move || loop {
                    if let Ok(Some(listener)) = desk.hub_listener() {
                        loop {
                            match listener.wait(RETRY, DEBOUNCE) {
                                // A failed pull stays on the link's last error; the
                                // next notice or the periodic sync tries again.
                                Wake::Change(_) => {
                                    let _ = desk.hub_pull_background();
                                }
                                Wake::Quiet => {}
                                Wake::Lost => break,
                            }
                        }
                    }
                    std::thread::sleep(RETRY);
                });
            if let Err(e) = spawned {
                eprintln!("hub: could not start the wake-up thread: {e}");
            }
        }
    }
}
