use serde_json::json;

use super::{fresh_window, invoke};

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
