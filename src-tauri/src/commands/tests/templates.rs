use serde_json::json;

use super::{fresh_window, invoke};

#[test]
fn templates_are_checked_created_linked_and_listed_through_the_shell() {
    let dir = tempfile::tempdir().expect("tempdir");
    let webview = fresh_window(&dir);
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
    let bad =
        invoke(&webview, "template_create", json!({ "draft": draft })).expect_err("title required");
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
    let list = invoke(
        &webview,
        "template_list",
        json!({"query": {"kind": "cash", "page": {"page": 1, "perPage": 10}}}),
    )
    .expect("list");
    // The same page shape as every other list.
    assert_eq!(
        (&list["total"], &list["page"], &list["totalPages"]),
        (&json!(1), &json!(1), &json!(1))
    );
    assert_eq!(list["items"][0]["id"], t["id"]);
}
