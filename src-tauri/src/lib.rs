//! The CouponDesk window: a thin Tauri shell. Each command is one call into
//! `coupondesk_core::Desk`; this crate adds only what a window needs (state, progress
//! channels, cancel, native dialogs through the dialog plugin, the window's remembered
//! size and position).

mod commands;
pub mod memory;
mod state;
pub mod window_state;

use std::path::PathBuf;

use tauri::{Manager, WindowEvent};

pub use commands::app_builder;
pub use state::AppState;

/// Whether the window syncs on its own in the background: yes, unless the command line
/// says `--no-background-sync` (the end-to-end tests, which must see that a click on
/// "Sync now" is what sent the queue).
pub fn background_sync_from_args(args: impl IntoIterator<Item = String>) -> bool {
    !args.into_iter().any(|a| a == "--no-background-sync")
}

/// "coupondesk-app 0.1.0" when the command line asks for the version (`--version` or
/// `-V`, as the CLI `coupondesk` takes them), else None.
pub fn version_from_args(args: impl IntoIterator<Item = String>) -> Option<String> {
    args.into_iter()
        .any(|a| a == "--version" || a == "-V")
        .then(|| format!("coupondesk-app {}", env!("CARGO_PKG_VERSION")))
}

/// The database named on the command line (`--db PATH` or `--db=PATH`), else in
/// `COUPONDESK_DB`, else the default one in the OS data folder.
pub fn db_path_from_args(args: impl IntoIterator<Item = String>) -> Option<PathBuf> {
    let mut args = args.into_iter();
    while let Some(a) = args.next() {
        if a == "--db" {
            return args.next().map(PathBuf::from);
        }
        if let Some(p) = a.strip_prefix("--db=") {
            return Some(PathBuf::from(p));
        }
    }
    std::env::var_os("COUPONDESK_DB").map(PathBuf::from)
}

/// Asks whether an OS keyring answers, on a thread of its own, while WebKit starts. The
/// answer is kept for the life of the process (`os_keyring::reachable`), and the first
/// page's sync indicator needs it (`sync_status` reads whether each platform has a
/// secret) while holding the database connection the batches list waits for. The probe
/// is a D-Bus round trip, and without a session bus libdbus's attempts to start one
/// took 500-800 ms, which the first table waited for (docs/benchmarks.md).
fn probe_keyring_in_background() {
    let spawned = std::thread::Builder::new()
        .name("keyring-probe".into())
        .spawn(|| {
            let _ = coupondesk_core::sync::os_keyring::reachable();
        });
    if let Err(e) = spawned {
        eprintln!("keyring probe: could not start: {e}");
    }
}

pub fn run() {
    probe_keyring_in_background();
    let state = AppState::open(db_path_from_args(std::env::args().skip(1)));
    state.index_in_background();
    state.backup_daily_in_background();
    if background_sync_from_args(std::env::args().skip(1)) {
        state.sync_in_background();
        state.hub_wake_in_background();
    }
    // Beside the database, so each database (and each e2e test's) has its own.
    let placement = state
        .desk()
        .ok()
        .map(|desk| window_state::file_for(desk.db_path()));
    let restore_from = placement.clone();
    let app = app_builder(tauri::Builder::default(), state)
        .plugin(tauri_plugin_dialog::init())
        .setup(move |app| {
            if let (Some(file), Some(main)) = (&restore_from, app.get_webview_window("main")) {
                window_state::restore(&main.as_ref().window(), file);
            }
            Ok(())
        })
        .on_window_event(move |window, event| {
            if let (Some(file), WindowEvent::CloseRequested { .. }) = (&placement, event) {
                window_state::remember(window, file);
            }
        })
        .run(tauri::generate_context!());
    if let Err(e) = app {
        eprintln!("CouponDesk could not start its window: {e}");
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_is_asked_for_by_flag_only() {
        let args = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            version_from_args(args(&["--version"])),
            Some(format!("coupondesk-app {}", env!("CARGO_PKG_VERSION")))
        );
        assert!(version_from_args(args(&["-V"])).is_some());
        assert_eq!(version_from_args(args(&["--db", "/x/a.db"])), None);
    }

    #[test]
    fn db_argument_forms() {
        let args = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(background_sync_from_args(args(&["--db", "/x/a.db"])));
        assert!(!background_sync_from_args(args(&[
            "--db",
            "/x/a.db",
            "--no-background-sync"
        ])));
        assert_eq!(
            db_path_from_args(args(&["--db", "/x/a.db"])),
            Some("/x/a.db".into())
        );
        assert_eq!(
            db_path_from_args(args(&["--db=/x/b.db"])),
            Some("/x/b.db".into())
        );
    }
}
