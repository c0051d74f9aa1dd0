use serde_json::json;

use super::{fresh_window, invoke, window};
use crate::AppState;

#[test]
fn app_info_names_the_database_and_settings_have_the_shop_zone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let webview = fresh_window(&dir);
    let info = invoke(&webview, "app_info", json!({})).expect("info");
    assert!(info["dbPath"]
        .as_str()
        .is_some_and(|p| p.ends_with("app.sqlite3")));
    let s = invoke(&webview, "settings_get", json!({})).expect("settings");
    assert_eq!(s["shopUtcOffsetMinutes"], 480);
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
    // The slow path reports it the same way.
    let err = invoke(&webview, "sync_now", json!({"platform": null})).expect_err("refused");
    assert_eq!(err["code"], "db_newer_version");
}
