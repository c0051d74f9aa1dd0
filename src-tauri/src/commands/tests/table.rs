//! The window answers to exactly the command table: every entry is registered, and
//! a name the table lacks (the removed `redeem_check` / `redeem_use`) is refused.

use serde_json::json;

use super::{fresh_window, invoke};

#[test]
fn every_entry_of_the_table_is_a_registered_command() {
    let dir = tempfile::tempdir().expect("tempdir");
    let webview = fresh_window(&dir);
    assert_eq!(
        coupondesk_core::api::COMMANDS.len(),
        97,
        "as many as the window had before the table (46), plus audit_list, audit_verify, \
         audit_export, credentials_store, the eleven staff_* commands, bonus_disable_run, \
         import_issues_export, bonus_redeem_undo, template_check, customer_profile, \
         template_logo_add, template_logo_get, backup_now, backup_list, report_redemptions, \
         report_export, report_rows, dashboard_get, reconcile_get, reconcile_items, reconcile_export, \
         report_close, codes_print, and chain mode's hub_status, hub_push, hub_deadline_set, \
         hub_platform_desk_set, hub_conflicts, hub_conflict_settle, template_offline_policy, \
         template_offline_policy_set, hub_use_conflicts, hub_use_conflict_settle, \
         hub_vouchers_offline, hub_vouchers_offline_set, hub_bonuses_offline, \
         hub_bonuses_offline_set, hub_audit_list, hub_audit_verify and hub_audit_export, \
         and the window's window_memory"
    );
    for c in coupondesk_core::api::COMMANDS {
        // Arguments that cannot fit any command (but are valid JSON): a registered command
        // answers with the core's refusal or its result, an unregistered one with
        // "Command … not found" from Tauri itself.
        let answer = invoke(
            &webview,
            c.name,
            json!({"jobId": "j", "onProgress": "__CHANNEL__:1"}),
        );
        let not_found = json!(format!("Command {} not found", c.name));
        assert_ne!(
            answer.as_ref().err(),
            Some(&not_found),
            "{} is not registered",
            c.name
        );
    }
}

#[test]
fn a_removed_command_is_refused_by_the_window() {
    let dir = tempfile::tempdir().expect("tempdir");
    let webview = fresh_window(&dir);
    let request = json!({"request": {"code": "NOPE1234", "orderFen": 100}});
    for removed in ["redeem_check", "redeem_use"] {
        let err = invoke(&webview, removed, request.clone());
        let expected = format!("Command {removed} not found");
        assert_eq!(err, Err(json!(expected)));
    }
}

#[test]
fn arguments_that_do_not_fit_are_refused_with_the_code_invalid_request() {
    let dir = tempfile::tempdir().expect("tempdir");
    let webview = fresh_window(&dir);
    let err = invoke(&webview, "batch_get", json!({"ticketType": 7})).expect_err("refused");
    assert_eq!(err["code"], "invalid_request");
}
