//! Paths from the webview (issue 12): through the real `invoke` path, every command with
//! a path argument refuses a path that no dialog returned and that lies outside Documents,
//! and the desk's own files whichever way they came; a path the dialog returned is
//! accepted wherever it is.

use coupondesk_core::api::path_rules::DialogPaths;
use serde_json::{json, Value};
use tauri::Manager;

use super::{invoke, window};
use crate::AppState;

struct Setup {
    _dir: tempfile::TempDir,
    docs: std::path::PathBuf,
    elsewhere: std::path::PathBuf,
    db: std::path::PathBuf,
    webview: tauri::WebviewWindow<tauri::test::MockRuntime>,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().expect("tempdir");
    let docs = dir.path().join("Documents");
    let elsewhere = dir.path().join("elsewhere");
    for d in [&docs, &elsewhere] {
        std::fs::create_dir(d).expect("dir");
    }
    let db = dir.path().join("app.sqlite3");
    let state = AppState::open_with(
        Some(db.clone()),
        DialogPaths::with_documents(Some(docs.clone())),
    );
    let webview = window(state);
    invoke(
        &webview,
        "batch_create",
        json!({"ticketType": "P1", "name": "路径"}),
    )
    .expect("batch");
    Setup {
        _dir: dir,
        docs,
        elsewhere,
        db,
        webview,
    }
}

/// Each command that takes a path, with its other arguments, for `path`.
fn calls(path: &std::path::Path) -> Vec<(&'static str, Value)> {
    let options = json!({"encoding": "auto", "header": "auto", "column": null});
    let page = json!({"page": 1, "perPage": 20});
    let bonuses = json!({"status": null, "customer": null, "page": page});
    let vouchers =
        json!({"name": null, "nopkg": false, "customer": null, "valid": null, "page": page});
    vec![
        ("import_preview", json!({"path": path, "options": options})),
        (
            "codes_import",
            json!({"jobId": "j1", "path": path, "target": {"existing": "P1"},
                   "options": options, "onProgress": "__CHANNEL__:7"}),
        ),
        (
            "codes_export",
            json!({"jobId": "j2", "ticketType": "P1", "path": path,
                   "onProgress": "__CHANNEL__:8"}),
        ),
        ("bonus_export", json!({"query": bonuses, "path": path})),
        ("voucher_export", json!({"query": vouchers, "path": path})),
        ("audit_export", json!({"query": {}, "path": path})),
    ]
}

fn code_of(r: Result<Value, Value>) -> Option<String> {
    r.err().and_then(|e| e["code"].as_str().map(str::to_owned))
}

#[test]
fn every_path_command_refuses_what_the_dialog_did_not_return_outside_documents() {
    let s = setup();
    let outside = s.elsewhere.join("codes.csv");
    std::fs::write(&outside, "code\nAAAA0001\n").expect("csv");
    for (cmd, args) in calls(&outside) {
        let err = invoke(&s.webview, cmd, args).expect_err(cmd);
        assert_eq!(err["code"], "path_not_allowed", "{cmd}: {err}");
        assert!(
            err["message"]
                .as_str()
                .is_some_and(|m| m.contains("dialog")),
            "{cmd}: {err}"
        );
    }
    // Refused before the core ran: the file outside is still the same, nothing imported.
    assert_eq!(
        std::fs::read_to_string(&outside).expect("csv"),
        "code\nAAAA0001\n"
    );
    let batch = invoke(&s.webview, "batch_get", json!({"ticketType": "P1"})).expect("batch");
    assert_eq!(batch["totalCodes"], 0);
    // Under Documents, every one of them runs.
    let inside = s.docs.join("codes.csv");
    std::fs::write(&inside, "code\nAAAA0001\n").expect("csv");
    for (cmd, args) in calls(&inside) {
        let out = if cmd.ends_with("_export") {
            s.docs.join(format!("{cmd}.csv"))
        } else {
            inside.clone()
        };
        let args = with_path(args, &out);
        assert_eq!(code_of(invoke(&s.webview, cmd, args)), None, "{cmd}");
    }
}

#[test]
fn a_path_the_dialog_returned_is_accepted_but_never_the_desks_own_files() {
    let s = setup();
    let out = s.elsewhere.join("audit.csv");
    let state = s.webview.state::<AppState>();
    let text = state.remember_chosen(out.clone()).expect("unicode");
    assert_eq!(std::path::Path::new(&text), out);
    let done = invoke(
        &s.webview,
        "audit_export",
        json!({"query": {}, "path": text}),
    )
    .expect("exported where the dialog said");
    assert!(out.exists(), "{done}");
    // The database, its WAL and its credentials: refused even when the dialog chose them.
    for own in [
        s.db.clone(),
        s.db.with_extension("sqlite3-wal"),
        s.db.with_extension("sqlite3.credentials"),
    ] {
        state.remember_chosen(own.clone()).expect("unicode");
        for (cmd, args) in calls(&own) {
            let err = code_of(invoke(&s.webview, cmd, args));
            assert_eq!(
                err.as_deref(),
                Some("path_own_file"),
                "{cmd} {}",
                own.display()
            );
        }
    }
}

fn with_path(mut args: Value, path: &std::path::Path) -> Value {
    args["path"] = json!(path);
    args
}

/// The hub's audit export takes a path like every export: one outside Documents that the
/// dialog did not return is refused before the core runs; under Documents the core
/// answers (here: this desk never joined a hub).
#[test]
fn the_hub_audit_export_is_held_to_the_same_path_rule() {
    let s = setup();
    let outside = s.elsewhere.join("hub-audit.csv");
    let err = invoke(
        &s.webview,
        "hub_audit_export",
        json!({"query": {}, "path": outside}),
    )
    .expect_err("outside");
    assert_eq!(err["code"], "path_not_allowed", "{err}");
    assert!(!outside.exists());
    let inside = s.docs.join("hub-audit.csv");
    let err = invoke(
        &s.webview,
        "hub_audit_export",
        json!({"query": {}, "path": inside}),
    )
    .expect_err("not joined");
    assert_eq!(err["code"], "hub_not_joined", "{err}");
}
