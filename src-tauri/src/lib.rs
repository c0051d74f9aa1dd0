//! The CouponDesk window: a thin Tauri shell. Each command is one call into
//! `coupondesk_core::Desk`; this crate adds only what a window needs (state, progress
//! channels, cancel, native dialogs through the dialog plugin).

mod commands;
mod jobs;
mod state;

use std::path::PathBuf;

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

/// Writes the one list of commands twice: as the invoke handler, and as the names it
/// answers to, so a test can hold the UI's `call('…')` names against it.
macro_rules! command_list {
    ($($area:ident::$name:ident),* $(,)?) => {
        /// Every command name the window answers to.
        #[cfg(test)]
        const COMMAND_NAMES: &[&str] = &[$(stringify!($name)),*];

        /// Registers state and commands on any runtime, so tests can use the mock runtime.
        pub fn app_builder<R: tauri::Runtime>(
            builder: tauri::Builder<R>,
            state: AppState,
        ) -> tauri::Builder<R> {
            builder
                .manage(state)
                .invoke_handler(tauri::generate_handler![$(commands::$area::$name),*])
        }
    };
}

command_list![
    app::app_info,
    app::settings_get,
    app::settings_save,
    batches::batch_create,
    batches::batch_list,
    batches::batch_get,
    batches::codes_list,
    batches::import_preview,
    batches::codes_import,
    batches::codes_generate,
    batches::codes_export,
    batches::job_cancel,
    templates::template_create,
    templates::template_update,
    templates::template_get,
    templates::template_list,
    templates::template_link_batch,
    templates::template_unlink_batch,
    counter::counter_check,
    counter::counter_use,
    counter::redeem_undo,
    counter::redemption_list,
    counter::code_disable,
    wallet::bonus_create,
    wallet::bonus_list,
    wallet::bonus_get,
    wallet::bonus_grant,
    wallet::bonus_disable,
    wallet::bonus_export,
    wallet::voucher_sell,
    wallet::voucher_list,
    wallet::voucher_get,
    wallet::voucher_use,
    wallet::voucher_export,
    wallet::customer_add,
    wallet::customer_list,
    sync::sync_status,
    sync::sync_settings_get,
    sync::sync_settings_save,
    sync::sync_now,
    sync::sync_test,
    sync::sync_outbox,
    sync::sync_conflict_retry,
    sync::sync_conflict_edit,
    sync::sync_conflict_discard,
    sync::codes_activate,
];

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
    use std::collections::BTreeSet;

    use super::*;

    /// The names the real backend invokes (`call('name'` in ui/src/lib/backend/tauri.ts).
    fn ui_command_names() -> BTreeSet<&'static str> {
        const TAURI_TS: &str = include_str!("../../ui/src/lib/backend/tauri.ts");
        TAURI_TS
            .split("call('")
            .skip(1)
            .filter_map(|rest| rest.split('\'').next())
            .collect()
    }

    /// Declared by the UI's `Backend` interface (the fake backend still implements them)
    /// but no longer commands: the Redeem page uses `counter_check` / `counter_use`.
    /// They leave tauri.ts when backend.ts drops them (issue #11, the UI's part).
    const REMOVED_COMMANDS: [&str; 2] = ["redeem_check", "redeem_use"];

    #[test]
    fn every_command_the_ui_invokes_is_registered_and_every_registered_one_is_used() {
        let ui = ui_command_names();
        let registered: BTreeSet<&str> = COMMAND_NAMES.iter().copied().collect();
        assert_eq!(
            registered.len(),
            COMMAND_NAMES.len(),
            "a command is listed twice"
        );
        let missing: Vec<&str> = ui
            .difference(&registered)
            .copied()
            .filter(|n| !REMOVED_COMMANDS.contains(n))
            .collect();
        assert_eq!(
            missing,
            Vec::<&str>::new(),
            "invoked by the UI, not registered"
        );
        let unused: Vec<&str> = registered.difference(&ui).copied().collect();
        assert_eq!(
            unused,
            Vec::<&str>::new(),
            "registered, never invoked by the UI"
        );
        for removed in REMOVED_COMMANDS {
            assert!(!registered.contains(removed), "{removed} is back");
        }
        // The parse itself: a sample of names, so an empty scan cannot pass.
        assert!(ui.contains("app_info") && ui.contains("codes_activate"));
        assert_eq!(ui.len(), COMMAND_NAMES.len() + REMOVED_COMMANDS.len());
    }

    #[test]
    fn a_removed_command_is_refused_by_the_window() {
        let dir = tempfile::tempdir().expect("tempdir");
        let webview = commands::tests::fresh_window(&dir);
        let request = serde_json::json!({"request": {"code": "NOPE1234", "orderFen": 100}});
        for removed in REMOVED_COMMANDS {
            let err = commands::tests::invoke(&webview, removed, request.clone());
            let expected = format!("Command {removed} not found");
            assert_eq!(err, Err(serde_json::json!(expected)));
        }
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
