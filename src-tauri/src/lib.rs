//! The CouponDesk window: a thin Tauri shell. Each command is one call into
//! `coupondesk_core::Desk`; this crate adds only what a window needs (state, progress
//! channels, cancel, native dialogs through the dialog plugin).

mod commands;
mod counter_commands;
mod jobs;
mod state;
mod sync_commands;
mod wallet_commands;

use std::path::PathBuf;

pub use state::AppState;

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

/// Registers state and commands on any runtime, so tests can use the mock runtime.
pub fn app_builder<R: tauri::Runtime>(
    builder: tauri::Builder<R>,
    state: AppState,
) -> tauri::Builder<R> {
    builder
        .manage(state)
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::batch_create,
            commands::batch_list,
            commands::batch_get,
            commands::codes_list,
            commands::import_preview,
            commands::codes_import,
            commands::codes_generate,
            commands::codes_export,
            commands::job_cancel,
            counter_commands::template_create,
            counter_commands::template_update,
            counter_commands::template_get,
            counter_commands::template_list,
            counter_commands::template_link_batch,
            counter_commands::template_unlink_batch,
            counter_commands::redeem_check,
            counter_commands::redeem_use,
            counter_commands::redeem_undo,
            counter_commands::redemption_list,
            counter_commands::code_disable,
            counter_commands::settings_get,
            counter_commands::settings_save,
            wallet_commands::counter_check,
            wallet_commands::counter_use,
            wallet_commands::bonus_create,
            wallet_commands::bonus_list,
            wallet_commands::bonus_get,
            wallet_commands::bonus_grant,
            wallet_commands::bonus_disable,
            wallet_commands::bonus_export,
            wallet_commands::voucher_sell,
            wallet_commands::voucher_list,
            wallet_commands::voucher_get,
            wallet_commands::voucher_use,
            wallet_commands::voucher_export,
            wallet_commands::customer_add,
            wallet_commands::customer_list,
            sync_commands::sync_status,
            sync_commands::sync_settings_get,
            sync_commands::sync_settings_save,
            sync_commands::sync_now,
            sync_commands::sync_test,
            sync_commands::sync_outbox,
            sync_commands::sync_conflict_retry,
            sync_commands::sync_conflict_edit,
            sync_commands::sync_conflict_discard,
            sync_commands::codes_activate,
        ])
}

pub fn run() {
    let state = AppState::open(db_path_from_args(std::env::args().skip(1)));
    state.index_in_background();
    state.sync_in_background();
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
