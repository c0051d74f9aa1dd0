//! The Redeem page: one box for coupon and bonus codes (`counter_*`), the redemption log
//! and its undo, and disabling a code.

use coupondesk_core::desk::counter_any::{CounterCheck, CounterOutcome, CounterRequest};
use coupondesk_core::domain::lifecycle::CodeStatus;
use coupondesk_core::domain::redeem::Redemption;
use coupondesk_core::domain::{Page, PageRequest};
use coupondesk_core::store::redemptions::UndoTarget;
use tauri::State;

use super::Answer;
use crate::AppState;

#[tauri::command]
pub async fn counter_check(
    state: State<'_, AppState>,
    request: CounterRequest,
) -> Answer<CounterCheck> {
    Ok(state.desk()?.counter_check(&request)?)
}

#[tauri::command]
pub async fn counter_use(
    state: State<'_, AppState>,
    request: CounterRequest,
) -> Answer<CounterOutcome> {
    Ok(state.desk()?.counter_use(&request, None)?)
}

#[tauri::command]
pub async fn redeem_undo(state: State<'_, AppState>, redemption_id: i64) -> Answer<Redemption> {
    let desk = state.desk()?;
    Ok(desk.redeem_undo(UndoTarget::Id(redemption_id), None)?)
}

#[tauri::command]
pub async fn redemption_list(
    state: State<'_, AppState>,
    page: PageRequest,
) -> Answer<Page<Redemption>> {
    Ok(state.desk()?.list_redemptions(page)?)
}

#[tauri::command]
pub async fn code_disable(state: State<'_, AppState>, code: String) -> Answer<CodeStatus> {
    Ok(state.desk()?.disable_code(&code, None)?)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::commands::tests::{fresh_window, invoke};

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
}
