use serde_json::json;

use super::{fresh_window, invoke};

#[test]
fn the_counter_answers_an_unknown_code_with_its_refusal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let webview = fresh_window(&dir);
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
    let log = invoke(
        &webview,
        "redemption_list",
        json!({"page": {"page": 1, "perPage": 10}}),
    )
    .expect("log");
    assert_eq!(log["total"], 0);
}
