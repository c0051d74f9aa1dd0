use serde_json::json;

use super::{invoke, window};
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
