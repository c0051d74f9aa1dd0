//! Sync with the five remote platforms (issue #5): the Sync page's status, settings,
//! "sync now", the outbox and its conflict inbox, and the batch page's bulk activation on
//! e-Buy. Secrets go in (settings) but never come back out: no type here carries one.

use std::time::Duration;

use coupondesk_core::domain::Page;
use coupondesk_core::sync::engine::RunOptions;
use coupondesk_core::sync::{
    ActivationReport, ActivationRequest, ConnectionTest, OutboxItem, OutboxQuery, Platform,
    PlatformSettings, PlatformSettingsInput, SyncReport, SyncStatus,
};
use tauri::State;

use super::Answer;
use crate::AppState;

/// How long "Test connection" waits for each platform request.
const TEST_TIMEOUT: Duration = Duration::from_secs(10);

#[tauri::command]
pub async fn sync_status(state: State<'_, AppState>) -> Answer<SyncStatus> {
    Ok(state.desk()?.sync_status()?)
}

#[tauri::command]
pub async fn sync_settings_get(state: State<'_, AppState>) -> Answer<Vec<PlatformSettings>> {
    Ok(state.desk()?.sync_settings()?)
}

#[tauri::command]
pub async fn sync_settings_save(
    state: State<'_, AppState>,
    settings: PlatformSettingsInput,
) -> Answer<PlatformSettings> {
    Ok(state.desk()?.sync_save_settings(&settings)?)
}

/// A short run (about 15 s at most) off the async runtime, so the window stays responsive
/// while it talks to the platforms.
#[tauri::command]
pub async fn sync_now(
    state: State<'_, AppState>,
    platform: Option<Platform>,
) -> Answer<SyncReport> {
    state
        .blocking(move |desk| desk.sync_run(platform, &RunOptions::interactive()))
        .await
}

/// "Test connection" on a platform card or in Settings: read-only requests (at most
/// about 20 s) off the async runtime; the verdict is also kept for the card.
#[tauri::command]
pub async fn sync_test(state: State<'_, AppState>, platform: Platform) -> Answer<ConnectionTest> {
    state
        .blocking(move |desk| desk.sync_test(platform, TEST_TIMEOUT))
        .await
}

#[tauri::command]
pub async fn sync_outbox(
    state: State<'_, AppState>,
    query: OutboxQuery,
) -> Answer<Page<OutboxItem>> {
    Ok(state.desk()?.sync_outbox(&query)?)
}

#[tauri::command]
pub async fn sync_conflict_retry(state: State<'_, AppState>, id: i64) -> Answer<OutboxItem> {
    Ok(state.desk()?.sync_conflict_retry(id)?)
}

#[tauri::command]
pub async fn sync_conflict_edit(
    state: State<'_, AppState>,
    id: i64,
    payload: serde_json::Value,
) -> Answer<OutboxItem> {
    Ok(state.desk()?.sync_conflict_edit(id, payload)?)
}

#[tauri::command]
pub async fn sync_conflict_discard(
    state: State<'_, AppState>,
    id: i64,
    reason: String,
) -> Answer<OutboxItem> {
    Ok(state.desk()?.sync_conflict_discard(id, &reason)?)
}

#[tauri::command]
pub async fn codes_activate(
    state: State<'_, AppState>,
    request: ActivationRequest,
) -> Answer<ActivationReport> {
    Ok(state.desk()?.codes_activate(&request)?)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::commands::tests::{invoke, window};
    use crate::AppState;

    #[test]
    fn sync_status_lists_the_five_platforms() {
        let dir = tempfile::tempdir().expect("tempdir");
        let webview = window(AppState::open(Some(dir.path().join("app.sqlite3"))));
        let status = invoke(&webview, "sync_status", json!({})).expect("status");
        let ids: Vec<&str> = status["platforms"]
            .as_array()
            .expect("platforms")
            .iter()
            .filter_map(|p| p["platform"].as_str())
            .collect();
        assert_eq!(ids, ["p000", "p001", "p002", "p003", "p004"]);
        assert_eq!(status["queued"], 0);
        let settings = invoke(&webview, "sync_settings_get", json!({})).expect("settings");
        assert_eq!(settings.as_array().map(Vec::len), Some(5));
        assert_eq!(settings[4]["hasSecret"], false);
        // Nothing is enabled: "sync now" answers at once with nothing done.
        let report = invoke(&webview, "sync_now", json!({"platform": null})).expect("run");
        assert!(report["platforms"].as_array().is_some());
    }

    #[test]
    fn enabling_a_platform_without_an_address_is_a_field_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let webview = window(AppState::open(Some(dir.path().join("app.sqlite3"))));
        let err = invoke(
            &webview,
            "sync_settings_save",
            json!({"settings": {"platform": "p002", "enabled": true, "baseUrl": "",
                                "secret": "s3cret-token", "clearSecret": false}}),
        )
        .expect_err("refused");
        assert_eq!(err["fields"][0]["field"], "baseUrl");
        assert!(!err.to_string().contains("s3cret-token"));
        let saved = invoke(
            &webview,
            "sync_settings_save",
            json!({"settings": {"platform": "p002", "enabled": true,
                                "baseUrl": "http://127.0.0.1:9/p002",
                                "secret": "s3cret-token", "clearSecret": false}}),
        )
        .expect("saved");
        assert_eq!(saved["hasSecret"], true);
        assert!(!saved.to_string().contains("s3cret-token"));
    }

    #[test]
    fn test_connection_of_a_platform_not_set_up_says_so_and_is_kept_for_the_card() {
        let dir = tempfile::tempdir().expect("tempdir");
        let webview = window(AppState::open(Some(dir.path().join("app.sqlite3"))));
        let t = invoke(&webview, "sync_test", json!({"platform": "p003"})).expect("test");
        assert_eq!(
            t,
            json!({"platform": "p003", "verdict": "not_configured",
                   "message": "兑换券 (003): no address; enter the platform's address in Settings"})
        );
        let status = invoke(&webview, "sync_status", json!({})).expect("status");
        assert_eq!(status["platforms"][3]["lastTest"], t);
        assert_eq!(status["platforms"][3]["allowHttp"], false);
        let err = invoke(&webview, "sync_test", json!({"platform": "p009"})).expect_err("bad");
        assert!(err.to_string().contains("p009"), "{err}");
    }

    #[test]
    fn a_conflict_action_on_an_unknown_item_is_reported() {
        let dir = tempfile::tempdir().expect("tempdir");
        let webview = window(AppState::open(Some(dir.path().join("app.sqlite3"))));
        let err = invoke(
            &webview,
            "sync_conflict_discard",
            json!({"id": 99, "reason": "test"}),
        )
        .expect_err("no such item");
        assert_eq!(err["code"], "outbox_item_not_found");
        let page = invoke(
            &webview,
            "sync_outbox",
            json!({"query": {"state": "conflict", "page": {"page": 1, "perPage": 20}}}),
        )
        .expect("outbox");
        assert_eq!(page["total"], 0);
    }
}
