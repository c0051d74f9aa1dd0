//! Red-packet bonuses, exchange vouchers and customers (issue #4).

use std::path::PathBuf;

use coupondesk_core::domain::bonus::{Bonus, BonusCreation, BonusDraft, BonusQuery};
use coupondesk_core::domain::customer::{Customer, CustomerDraft};
use coupondesk_core::domain::voucher::{Voucher, VoucherDraft, VoucherQuery};
use coupondesk_core::domain::{Page, PageRequest};
use coupondesk_core::export::ExportReport;
use coupondesk_core::store::bonuses::BonusRef;
use tauri::State;

use super::Answer;
use crate::AppState;

#[tauri::command]
pub async fn bonus_create(state: State<'_, AppState>, draft: BonusDraft) -> Answer<BonusCreation> {
    Ok(state.desk()?.create_bonuses(draft)?)
}

#[tauri::command]
pub async fn bonus_list(state: State<'_, AppState>, query: BonusQuery) -> Answer<Page<Bonus>> {
    Ok(state.desk()?.list_bonuses(&query)?)
}

#[tauri::command]
pub async fn bonus_get(state: State<'_, AppState>, id: i64) -> Answer<Bonus> {
    Ok(state.desk()?.get_bonus(BonusRef::Id(id))?)
}

#[tauri::command]
pub async fn bonus_grant(
    state: State<'_, AppState>,
    id: i64,
    customer: String,
    customer_name: Option<String>,
) -> Answer<Bonus> {
    let desk = state.desk()?;
    Ok(desk.grant_bonus(BonusRef::Id(id), &customer, customer_name.as_deref())?)
}

#[tauri::command]
pub async fn bonus_disable(state: State<'_, AppState>, id: i64) -> Answer<Bonus> {
    Ok(state.desk()?.disable_bonus(BonusRef::Id(id), None)?)
}

#[tauri::command]
pub async fn bonus_export(
    state: State<'_, AppState>,
    query: BonusQuery,
    path: PathBuf,
) -> Answer<ExportReport> {
    state
        .blocking(move |desk| desk.export_bonuses(&query, &path))
        .await
}

#[tauri::command]
pub async fn voucher_sell(state: State<'_, AppState>, draft: VoucherDraft) -> Answer<Voucher> {
    Ok(state.desk()?.sell_voucher(draft, None)?)
}

#[tauri::command]
pub async fn voucher_list(
    state: State<'_, AppState>,
    query: VoucherQuery,
) -> Answer<Page<Voucher>> {
    Ok(state.desk()?.list_vouchers(&query)?)
}

#[tauri::command]
pub async fn voucher_get(state: State<'_, AppState>, id: i64) -> Answer<Voucher> {
    Ok(state.desk()?.get_voucher(id)?)
}

#[tauri::command]
pub async fn voucher_use(state: State<'_, AppState>, id: i64) -> Answer<Voucher> {
    Ok(state.desk()?.use_voucher(id, None)?)
}

#[tauri::command]
pub async fn voucher_export(
    state: State<'_, AppState>,
    query: VoucherQuery,
    path: PathBuf,
) -> Answer<ExportReport> {
    state
        .blocking(move |desk| desk.export_vouchers(&query, &path))
        .await
}

#[tauri::command]
pub async fn customer_add(state: State<'_, AppState>, draft: CustomerDraft) -> Answer<Customer> {
    Ok(state.desk()?.add_customer(&draft)?)
}

#[tauri::command]
pub async fn customer_list(
    state: State<'_, AppState>,
    search: Option<String>,
    page: PageRequest,
) -> Answer<Page<Customer>> {
    Ok(state.desk()?.list_customers(search.as_deref(), page)?)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::commands::tests::{fresh_window, invoke};

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
}
