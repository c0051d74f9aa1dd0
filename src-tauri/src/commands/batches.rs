//! Batches and their codes: create, list, import, generate, export. The long ones run as
//! jobs under an id the UI chose, so `job_cancel` can stop them, with progress through a
//! Channel.

use std::path::PathBuf;
use std::time::Duration;

use coupondesk_core::desk::BatchQuery;
use coupondesk_core::domain::{Batch, Page};
use coupondesk_core::export::{ExportProgress, ExportReport};
use coupondesk_core::generate::{GenerateProgress, GenerateReport, GenerateRequest};
use coupondesk_core::import::{
    ImportOptions, ImportPreview, ImportProgress, ImportReport, ImportTarget,
};
use coupondesk_core::progress::CancelToken;
use coupondesk_core::store::codes::{CodeQuery, CodeRow};
use coupondesk_core::{Desk, DeskError};
use tauri::ipc::Channel;
use tauri::State;

use super::Answer;
use crate::jobs::Throttled;
use crate::AppState;

const PROGRESS_EVERY: Duration = Duration::from_millis(100);

#[tauri::command]
pub async fn batch_create(
    state: State<'_, AppState>,
    ticket_type: String,
    name: String,
) -> Answer<Batch> {
    Ok(state.desk()?.create_batch(&ticket_type, &name)?)
}

#[tauri::command]
pub async fn batch_list(state: State<'_, AppState>, query: BatchQuery) -> Answer<Page<Batch>> {
    Ok(state.desk()?.list_batches(&query)?)
}

#[tauri::command]
pub async fn batch_get(state: State<'_, AppState>, ticket_type: String) -> Answer<Batch> {
    Ok(state.desk()?.get_batch(&ticket_type)?)
}

#[tauri::command]
pub async fn codes_list(state: State<'_, AppState>, query: CodeQuery) -> Answer<Page<CodeRow>> {
    Ok(state.desk()?.list_codes(&query)?)
}

#[tauri::command]
pub async fn import_preview(
    state: State<'_, AppState>,
    path: PathBuf,
    options: ImportOptions,
) -> Answer<ImportPreview> {
    Ok(state.desk()?.preview_import(&path, &options)?)
}

/// Runs long work through `AppState::blocking` under `job_id`, so `job_cancel` can stop
/// it. Progress goes out at most ten times a second, and the last message always does.
async fn run_job<T, P>(
    state: &AppState,
    job_id: &str,
    on_progress: Channel<P>,
    work: impl FnOnce(&Desk, &CancelToken, &mut dyn FnMut(P)) -> Result<T, DeskError> + Send + 'static,
) -> Answer<T>
where
    T: Send + 'static,
    P: tauri::ipc::IpcResponse + Send + 'static,
{
    let cancel = state.jobs.start(job_id);
    let result = state
        .blocking(move |desk| {
            // A closed window only means nobody is watching: the work goes on.
            let mut progress = Throttled::new(PROGRESS_EVERY, |p| {
                let _ = on_progress.send(p);
            });
            let done = work(desk, &cancel, &mut |p| progress.offer(p));
            progress.finish();
            done
        })
        .await;
    state.jobs.finish(job_id);
    result
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
        move |desk, cancel, progress| desk.import_codes(&path, &target, &options, cancel, progress),
    )
    .await;
    // Whatever the outcome: indexing only adds what is not indexed yet, and is cheap
    // when there is nothing to add.
    state.index_in_background();
    report
}

#[tauri::command]
pub async fn codes_generate(
    state: State<'_, AppState>,
    job_id: String,
    request: GenerateRequest,
    on_progress: Channel<GenerateProgress>,
) -> Answer<GenerateReport> {
    let report = run_job(
        &state,
        &job_id,
        on_progress,
        move |desk, cancel, progress| desk.generate_codes(&request, cancel, progress),
    )
    .await;
    // Whatever the outcome: indexing only adds what is not indexed yet, and is cheap
    // when there is nothing to add.
    state.index_in_background();
    report
}

#[tauri::command]
pub async fn codes_export(
    state: State<'_, AppState>,
    job_id: String,
    ticket_type: String,
    path: PathBuf,
    on_progress: Channel<ExportProgress>,
) -> Answer<ExportReport> {
    run_job(
        &state,
        &job_id,
        on_progress,
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
    use serde_json::json;

    use crate::commands::tests::{fresh_window, invoke};

    #[test]
    fn commands_reach_the_core_and_errors_carry_codes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let webview = fresh_window(&dir);
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
    }

    #[test]
    fn an_import_runs_as_a_job_and_reports_its_counts() {
        let dir = tempfile::tempdir().expect("tempdir");
        let csv = dir.path().join("codes.csv");
        std::fs::write(&csv, "code\nAAAA0001\nAAAA0002\nAAAA0001\nx\n").expect("csv");
        let webview = fresh_window(&dir);
        let report = invoke(
            &webview,
            "codes_import",
            json!({
                "jobId": "job-1",
                "path": csv,
                "target": {"new": {"ticketType": "IMP1", "name": "导入"}},
                "options": {"encoding": "auto", "header": "auto", "column": null},
                "onProgress": "__CHANNEL__:7",
            }),
        )
        .expect("imported");
        assert_eq!(
            (
                &report["imported"],
                &report["skippedDuplicate"],
                &report["skippedInvalid"]
            ),
            (&json!(2), &json!(1), &json!(1))
        );
        // The job is over: there is nothing left to cancel under its id.
        let cancelled = invoke(&webview, "job_cancel", json!({"jobId": "job-1"}));
        assert_eq!(cancelled.expect("answered"), json!(false));
    }
}
