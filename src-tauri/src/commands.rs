//! The commands of docs/architecture.md. Each is one call into `Desk`; errors cross as
//! `ApiError {code, message}`. Long ones run on a blocking thread so the window stays
//! responsive, and can be cancelled by job id.

use std::path::PathBuf;

use coupondesk_core::desk::{AppInfo, BatchQuery};
use coupondesk_core::domain::{Batch, Page};
use coupondesk_core::export::{ExportProgress, ExportReport};
use coupondesk_core::generate::{GenerateProgress, GenerateReport, GenerateRequest};
use coupondesk_core::import::{
    ImportOptions, ImportPreview, ImportProgress, ImportReport, ImportTarget,
};
use coupondesk_core::progress::CancelToken;
use coupondesk_core::store::codes::{CodeQuery, CodeRow};
use coupondesk_core::{ApiError, Desk, DeskError};
use tauri::ipc::Channel;
use tauri::State;

use crate::jobs::Throttle;
use crate::AppState;

type Answer<T> = Result<T, ApiError>;

fn api(e: DeskError) -> ApiError {
    ApiError::from(&e)
}

fn crashed(e: tauri::Error) -> ApiError {
    ApiError {
        code: "internal".into(),
        message: format!("the work stopped unexpectedly: {e}"),
    }
}

#[tauri::command]
pub async fn app_info(state: State<'_, AppState>) -> Answer<AppInfo> {
    state.desk()?.info().map_err(api)
}

#[tauri::command]
pub async fn batch_create(
    state: State<'_, AppState>,
    ticket_type: String,
    name: String,
) -> Answer<Batch> {
    state.desk()?.create_batch(&ticket_type, &name).map_err(api)
}

#[tauri::command]
pub async fn batch_list(state: State<'_, AppState>, query: BatchQuery) -> Answer<Page<Batch>> {
    state.desk()?.list_batches(&query).map_err(api)
}

#[tauri::command]
pub async fn batch_get(state: State<'_, AppState>, ticket_type: String) -> Answer<Batch> {
    state.desk()?.get_batch(&ticket_type).map_err(api)
}

#[tauri::command]
pub async fn codes_list(state: State<'_, AppState>, query: CodeQuery) -> Answer<Page<CodeRow>> {
    state.desk()?.list_codes(&query).map_err(api)
}

#[tauri::command]
pub async fn import_preview(
    state: State<'_, AppState>,
    path: PathBuf,
    options: ImportOptions,
) -> Answer<ImportPreview> {
    state.desk()?.preview_import(&path, &options).map_err(api)
}

/// Runs long work on a blocking thread under `job_id`, so `job_cancel` can stop it and
/// the window stays responsive. Progress goes out at most ten times a second, and always
/// when `is_last` says it is the final one.
async fn run_job<T, P>(
    state: &AppState,
    job_id: &str,
    on_progress: Channel<P>,
    is_last: fn(&P) -> bool,
    work: impl FnOnce(&Desk, &CancelToken, &mut dyn FnMut(P)) -> Result<T, DeskError> + Send + 'static,
) -> Answer<T>
where
    T: Send + 'static,
    P: tauri::ipc::IpcResponse + Send + 'static,
{
    let desk = state.desk()?;
    let cancel = state.jobs.start(job_id);
    let mut throttle = Throttle::new();
    let result = tauri::async_runtime::spawn_blocking(move || {
        work(&desk, &cancel, &mut |p| {
            if throttle.ready() || is_last(&p) {
                let _ = on_progress.send(p);
            }
        })
    })
    .await;
    state.jobs.finish(job_id);
    result.map_err(crashed)?.map_err(api)
}

#[tauri::command]
pub async fn codes_import(
    state: State<'_, AppState>,
    job_id: String,
    path: PathBuf,
    target: ImportTarget,
    options: ImportOptions,
    on_progress: Channel<ImportProgress>,
) -> Answer<ImportReport> {
    let report = run_job(
        &state,
        &job_id,
        on_progress,
        |_| false,
        move |desk, cancel, progress| desk.import_codes(&path, &target, &options, cancel, progress),
    )
    .await?;
    state.index_in_background();
    Ok(report)
}

#[tauri::command]
pub async fn codes_generate(
    state: State<'_, AppState>,
    job_id: String,
    request: GenerateRequest,
    on_progress: Channel<GenerateProgress>,
) -> Answer<GenerateReport> {
    let is_last = |p: &GenerateProgress| p.generated == p.total;
    let report = run_job(
        &state,
        &job_id,
        on_progress,
        is_last,
        move |desk, cancel, progress| desk.generate_codes(&request, cancel, progress),
    )
    .await?;
    state.index_in_background();
    Ok(report)
}

#[tauri::command]
pub async fn codes_export(
    state: State<'_, AppState>,
    job_id: String,
    ticket_type: String,
    path: PathBuf,
    on_progress: Channel<ExportProgress>,
) -> Answer<ExportReport> {
    let is_last = |p: &ExportProgress| p.written == p.total;
    run_job(
        &state,
        &job_id,
        on_progress,
        is_last,
        move |desk, cancel, progress| desk.export_codes(&ticket_type, &path, cancel, progress),
    )
    .await
}

#[tauri::command]
pub async fn job_cancel(state: State<'_, AppState>, job_id: String) -> Answer<bool> {
    Ok(state.jobs.cancel(&job_id))
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};
    use tauri::test::{get_ipc_response, mock_builder, MockRuntime, INVOKE_KEY};

    use crate::{app_builder, AppState};

    /// The app on the mock runtime with the real context (config and capabilities).
    fn window(state: AppState) -> tauri::WebviewWindow<MockRuntime> {
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

    fn invoke(
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

    #[test]
    fn commands_reach_the_core_and_errors_carry_codes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let webview = window(AppState::open(Some(dir.path().join("app.sqlite3"))));
        let b = invoke(
            &webview,
            "batch_create",
            json!({"ticketType": "T1", "name": "春节"}),
        )
        .expect("created");
        assert_eq!(b["ticketType"], "T1");
        let again = invoke(
            &webview,
            "batch_create",
            json!({"ticketType": "T2", "name": "春节"}),
        );
        assert_eq!(again.expect_err("taken")["code"], "batch_name_taken");
        let page = invoke(
            &webview,
            "batch_list",
            json!({"query": {"name": "春", "page": {"page": 1, "perPage": 20}}}),
        )
        .expect("list");
        assert_eq!(page["total"], 1);
        let info = invoke(&webview, "app_info", json!({})).expect("info");
        assert!(info["dbPath"]
            .as_str()
            .is_some_and(|p| p.ends_with("app.sqlite3")));
    }

    #[test]
    fn a_database_that_cannot_open_is_reported_by_every_command() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("newer.sqlite3");
        // A database from a newer version: schema version above what this build knows.
        let made = std::process::Command::new("sqlite3")
            .arg(&path)
            .arg("PRAGMA user_version = 999;")
            .status();
        assert!(
            made.is_ok_and(|s| s.success()),
            "this test needs the sqlite3 CLI (scripts/setup.sh installs it)"
        );
        let webview = window(AppState::open(Some(path)));
        let err = invoke(&webview, "app_info", json!({})).expect_err("refused");
        assert_eq!(err["code"], "db_newer_version");
    }
}
