use serde_json::json;

use super::{fresh_window, invoke};

#[test]
fn bonuses_are_created_listed_and_exported_through_the_shell() {
    let dir = tempfile::tempdir().expect("tempdir");
    let webview = fresh_window(&dir);
    let bonuses = invoke(
        &webview,
        "bonus_create",
        json!({"draft": {"amountFen": 200, "quantity": 3, "expiredAt": null, "minAmountFen": 0,
                          "xname": "FB", "productSku": null, "enabled": true}}),
    )
    .expect("bonuses");
    assert_eq!(bonuses["created"], 3);
    let query = json!({"status": "N01", "customer": null, "page": {"page": 1, "perPage": 10}});
    let listed = invoke(&webview, "bonus_list", json!({ "query": query })).expect("list");
    assert_eq!(listed["total"], 3);
    // The export runs on a blocking thread and still answers with the core's report.
    let csv = dir.path().join("bonuses.csv");
    let report = invoke(
        &webview,
        "bonus_export",
        json!({"query": query, "path": csv}),
    )
    .expect("exported");
    assert_eq!(report["rows"], 3);
}
