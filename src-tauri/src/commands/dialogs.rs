//! The native open and save dialogs, opened by the shell rather than by the webview's
//! JavaScript, so the shell knows which paths staff chose in this run: every path a dialog
//! returns is remembered (`AppState::remember_chosen`), and the commands that take a path
//! accept those (and paths under Documents) only (core's `api::path_rules`). Not part of
//! the command table: the dev server has no dialogs (a browser asks for a path instead).

use std::path::PathBuf;

use coupondesk_core::error_codes::INTERNAL;
use coupondesk_core::ApiError;
use serde::Deserialize;
use tauri::{Runtime, State, WebviewWindow};
use tauri_plugin_dialog::{DialogExt, FileDialogBuilder, FilePath};

use super::Answer;
use crate::AppState;

/// One filter of a dialog: its label (translated by the UI) and extensions without dots.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FileFilter {
    pub name: String,
    pub extensions: Vec<String>,
}

/// Open dialog for one existing file; null when staff close it.
#[tauri::command]
pub async fn pick_open_path<R: Runtime>(
    window: WebviewWindow<R>,
    state: State<'_, AppState>,
    title: String,
    filter: FileFilter,
) -> Answer<Option<String>> {
    let dialog = builder(&window, title, &filter);
    let picked = run(move || dialog.blocking_pick_file()).await?;
    answer(&state, picked)
}

/// Save dialog proposing `default_name`; null when staff close it.
#[tauri::command]
pub async fn pick_save_path<R: Runtime>(
    window: WebviewWindow<R>,
    state: State<'_, AppState>,
    title: String,
    default_name: String,
    filter: FileFilter,
) -> Answer<Option<String>> {
    let dialog = builder(&window, title, &filter).set_file_name(default_name);
    let picked = run(move || dialog.blocking_save_file()).await?;
    answer(&state, picked)
}

fn builder<R: Runtime>(
    window: &WebviewWindow<R>,
    title: String,
    filter: &FileFilter,
) -> FileDialogBuilder<R> {
    let extensions: Vec<&str> = filter.extensions.iter().map(String::as_str).collect();
    window
        .dialog()
        .file()
        .set_parent(window)
        .set_title(title)
        .add_filter(&filter.name, &extensions)
}

/// The blocking dialog calls must not run on the main thread (they wait for it): a
/// blocking thread of the async runtime waits instead.
async fn run(show: impl FnOnce() -> Option<FilePath> + Send + 'static) -> Answer<Option<FilePath>> {
    tauri::async_runtime::spawn_blocking(show)
        .await
        .map_err(|e| {
            ApiError::new(
                INTERNAL,
                format!("the file dialog stopped unexpectedly: {e}"),
            )
        })
}

fn answer(state: &AppState, picked: Option<FilePath>) -> Answer<Option<String>> {
    let Some(picked) = picked else {
        return Ok(None);
    };
    let path: PathBuf = picked.into_path().map_err(|e| {
        ApiError::new(
            INTERNAL,
            format!("the file dialog returned no local file ({e}); choose a file on this computer"),
        )
    })?;
    state.remember_chosen(path).map(Some)
}
