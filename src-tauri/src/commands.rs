//! The commands of docs/architecture.md. Each is one call into `Desk`; errors cross as
//! `ApiError {code, message}`. Long ones run on a blocking thread so the window stays
//! responsive, and can be cancelled by job id.

use std::path::PathBuf;
use std::time::Duration;

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

use crate::jobs::Throttled;
use crate::AppState;

type Answer<T> = Result<T, ApiError>;

const PROGRESS_EVERY: Duration = Duration::from_millis(100);

fn api(e: DeskError) -> ApiError {
    ApiError::from(&e)
}

fn crashed(e: tauri::Error) -> ApiError {
    ApiError::new("internal", format!("the work stopped unexpectedly: {e}"))
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
/// the window stays responsive. Progress goes out at most ten times a second, and the
/// last message always does.
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
    let desk = state.desk()?;
    let cancel = state.jobs.start(job_id);
    let result = tauri::async_runtime::spawn_blocking(move || {
        // A closed window only means nobody is watching: the work goes on.
        let mut progress = Throttled::new(PROGRESS_EVERY, |p| {
            let _ = on_progress.send(p);
        });
        let done = work(&desk, &cancel, &mut |p| progress.offer(p));
        progress.finish();
        done
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
pub(crate) mod tests {
    use serde_json::{json, Value};
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
    fn templates_and_the_counter_answer_through_the_shell() {
        let dir = tempfile::tempdir().expect("tempdir");
        let webview = window(AppState::open(Some(dir.path().join("app.sqlite3"))));
        let mut draft = json!({
            "offer": {"cash": {"reduceFen": 2000, "leastFen": 10000}},
            "title": "", "brandName": "海底捞", "color": "Color010",
            "logoUrl": "https://example.com/l.png", "notice": "出示此券",
            "description": "不可与其他优惠同享", "servicePhone": "",
            "quantity": 100, "getLimit": 1, "codeType": "CODE_TYPE_TEXT",
            "beginAt": "2020-01-01T00:00:00Z", "endAt": "2099-01-01T00:00:00Z",
            "term": null, "timeLimits": [], "acceptCategory": "", "rejectCategory": "",
            "canUseWithOtherDiscount": false
        });
        let bad = invoke(&webview, "template_create", json!({ "draft": draft }))
            .expect_err("title required");
        assert_eq!(bad["code"], "invalid_fields");
        assert_eq!(bad["fields"][0]["field"], "title");
        draft["title"] = json!("满100减20");
        let t = invoke(&webview, "template_create", json!({ "draft": draft })).expect("created");
        assert_eq!(t["kind"], "cash");
        invoke(
            &webview,
            "batch_create",
            json!({"ticketType": "T1", "name": "一"}),
        )
        .expect("batch");
        let linked = invoke(
            &webview,
            "template_link_batch",
            json!({"id": t["id"], "ticketType": "T1"}),
        )
        .expect("linked");
        assert_eq!(linked["batches"][0], "T1");
        let check = invoke(
            &webview,
            "redeem_check",
            json!({"request": {"code": "NOPE1234", "orderFen": 10000}}),
        )
        .expect("checked");
        assert_eq!(check["refusal"]["reason"], "unknown");
        let any = invoke(
            &webview,
            "counter_check",
            json!({"request": {"code": "NOPE1234", "orderFen": 100}}),
        )
        .expect("counter");
        assert_eq!(
            (&any["kind"], &any["refusal"]["reason"]),
            (&json!("coupon"), &json!("unknown"))
        );
        let bonuses = invoke(
            &webview,
            "bonus_create",
            json!({"draft": {"amountFen": 200, "quantity": 3, "expiredAt": null, "minAmountFen": 0,
                              "xname": "FB", "productSku": null, "enabled": true}}),
        )
        .expect("bonuses");
        assert_eq!(bonuses["created"], 3);
        let listed = invoke(
            &webview,
            "bonus_list",
            json!({"query": {"status": "N01", "customer": null, "page": {"page": 1, "perPage": 10}}}),
        )
        .expect("bonus list");
        assert_eq!(listed["total"], 3);
        let list = invoke(
            &webview,
            "template_list",
            json!({"query": {"kind": "cash", "page": {"page": 1, "perPage": 10}}}),
        )
        .expect("list");
        assert_eq!(list["pagination"]["total"], 1);
        let s = invoke(&webview, "settings_get", json!({})).expect("settings");
        assert_eq!(s["shopUtcOffsetMinutes"], 480);
    }

    #[test]
    fn an_import_runs_as_a_job_and_reports_its_counts() {
        let dir = tempfile::tempdir().expect("tempdir");
        let csv = dir.path().join("codes.csv");
        std::fs::write(&csv, "code\nAAAA0001\nAAAA0002\nAAAA0001\nx\n").expect("csv");
        let webview = window(AppState::open(Some(dir.path().join("app.sqlite3"))));
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
