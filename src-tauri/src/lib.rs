//! The CouponDesk window: a thin Tauri shell. Each command is one call into
//! `coupondesk_core::Desk`; this crate adds only what a window needs (state, progress
//! channels, cancel, native dialogs through the dialog plugin).

mod commands;
mod state;

use std::path::PathBuf;

pub use commands::app_builder;
pub use state::AppState;

/// Whether the window syncs on its own in the background: yes, unless the command line
/// says `--no-background-sync` (the end-to-end tests, which must see that a click on
/// "Sync now" is what sent the queue).
pub fn background_sync_from_args(args: impl IntoIterator<Item = String>) -> bool {
    !args.into_iter().any(|a| a == "--no-background-sync")
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

pub fn run() {
    let state = AppState::open(db_path_from_args(std::env::args().skip(1)));
    state.index_in_background();
    if background_sync_from_args(std::env::args().skip(1)) {
        state.sync_in_background();
    }
    let app = app_builder(tauri::Builder::default(), state)
        .plugin(tauri_plugin_dialog::init())
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
