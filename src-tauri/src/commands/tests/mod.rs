//! The commands through the mock runtime with the real context (config and capabilities):
//! the same `invoke` path the window takes, arguments as the UI sends them.

mod app;
mod batches;
mod counter;
mod paths;
mod sync;
mod table;
mod templates;
mod wallet;

use coupondesk_core::api::path_rules::DialogPaths;
use serde_json::Value;
use tauri::test::{get_ipc_response, mock_builder, MockRuntime, INVOKE_KEY};

use crate::{app_builder, AppState};

/// The app on the mock runtime with the real context (config and capabilities).
pub(crate) fn window(state: AppState) -> tauri::WebviewWindow<MockRuntime> {
    let app = app_builder(mock_builder(), state)
        .build(tauri::generate_context!())
        .expect("app");
    match tauri::Manager::get_webview_window(&app, "main") {
        Some(w) => w,
        None => tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .expect("webview"),
    }
}

/// A window over a fresh database in `dir`, which also stands for the user's Documents
/// (so the tests' files there may be imported and exported to).
pub(crate) fn fresh_window(dir: &tempfile::TempDir) -> tauri::WebviewWindow<MockRuntime> {
    window(AppState::open_with(
        Some(dir.path().join("app.sqlite3")),
        DialogPaths::with_documents(Some(dir.path().to_owned())),
    ))
}

pub(crate) fn invoke(
    webview: &tauri::WebviewWindow<MockRuntime>,
    cmd: &str,
    body: Value,
) -> Result<Value, Value> {
    get_ipc_response(
        webview,
        tauri::webview::InvokeRequest {
            cmd: cmd.into(),
            callback: tauri::ipc::CallbackFn(0),
            error: tauri::ipc::CallbackFn(1),
            // The app's own origin on Linux with the custom protocol.
            url: "tauri://localhost".parse().expect("url"),
            body: tauri::ipc::InvokeBody::Json(body),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|r| r.deserialize::<Value>().expect("json"))
}
