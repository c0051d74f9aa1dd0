//! Commands of red-packet bonuses, exchange vouchers, customers (issue #4) and the
//! Redeem page's one box for coupon and bonus codes. Each is one call into `Desk`.

use std::path::PathBuf;

use coupondesk_core::desk::counter_any::{CounterCheck, CounterOutcome, CounterRequest};
use coupondesk_core::domain::bonus::{Bonus, BonusCreation, BonusDraft, BonusQuery};
use coupondesk_core::domain::customer::{Customer, CustomerDraft};
use coupondesk_core::domain::voucher::{Voucher, VoucherDraft, VoucherQuery};
use coupondesk_core::domain::{Page, PageRequest};
use coupondesk_core::export::ExportReport;
use coupondesk_core::store::bonuses::BonusRef;
use coupondesk_core::{ApiError, DeskError};
use tauri::State;

use crate::AppState;

type Answer<T> = Result<T, ApiError>;

fn api(e: DeskError) -> ApiError {
    ApiError::from(&e)
}

#[tauri::command]
pub async fn counter_check(
    state: State<'_, AppState>,
    request: CounterRequest,
) -> Answer<CounterCheck> {
    state.desk()?.counter_check(&request).map_err(api)
}

#[tauri::command]
pub async fn counter_use(
    state: State<'_, AppState>,
    request: CounterRequest,
) -> Answer<CounterOutcome> {
    state.desk()?.counter_use(&request, None).map_err(api)
}

#[tauri::command]
pub async fn bonus_create(state: State<'_, AppState>, draft: BonusDraft) -> Answer<BonusCreation> {
    state.desk()?.create_bonuses(draft).map_err(api)
}

#[tauri::command]
pub async fn bonus_list(state: State<'_, AppState>, query: BonusQuery) -> Answer<Page<Bonus>> {
    state.desk()?.list_bonuses(&query).map_err(api)
}

#[tauri::command]
pub async fn bonus_get(state: State<'_, AppState>, id: i64) -> Answer<Bonus> {
    state.desk()?.get_bonus(BonusRef::Id(id)).map_err(api)
}

#[tauri::command]
pub async fn bonus_grant(
    state: State<'_, AppState>,
    id: i64,
    customer: String,
    customer_name: Option<String>,
) -> Answer<Bonus> {
    state
        .desk()?
        .grant_bonus(BonusRef::Id(id), &customer, customer_name.as_deref())
        .map_err(api)
}

#[tauri::command]
pub async fn bonus_disable(state: State<'_, AppState>, id: i64) -> Answer<Bonus> {
    state
        .desk()?
        .disable_bonus(BonusRef::Id(id), None)
        .map_err(api)
}

#[tauri::command]
pub async fn bonus_export(
    state: State<'_, AppState>,
    query: BonusQuery,
    path: PathBuf,
) -> Answer<ExportReport> {
    let desk = state.desk()?;
    tauri::async_runtime::spawn_blocking(move || desk.export_bonuses(&query, &path))
        .await
        .map_err(|e| ApiError::new("internal", format!("the export stopped unexpectedly: {e}")))?
        .map_err(api)
}

#[tauri::command]
pub async fn voucher_sell(state: State<'_, AppState>, draft: VoucherDraft) -> Answer<Voucher> {
    state.desk()?.sell_voucher(draft, None).map_err(api)
}

#[tauri::command]
pub async fn voucher_list(
    state: State<'_, AppState>,
    query: VoucherQuery,
) -> Answer<Page<Voucher>> {
    state.desk()?.list_vouchers(&query).map_err(api)
}

#[tauri::command]
pub async fn voucher_get(state: State<'_, AppState>, id: i64) -> Answer<Voucher> {
    state.desk()?.get_voucher(id).map_err(api)
}

#[tauri::command]
pub async fn voucher_use(state: State<'_, AppState>, id: i64) -> Answer<Voucher> {
    state.desk()?.use_voucher(id, None).map_err(api)
}

#[tauri::command]
pub async fn voucher_export(
    state: State<'_, AppState>,
    query: VoucherQuery,
    path: PathBuf,
) -> Answer<ExportReport> {
    let desk = state.desk()?;
    tauri::async_runtime::spawn_blocking(move || desk.export_vouchers(&query, &path))
        .await
        .map_err(|e| ApiError::new("internal", format!("the export stopped unexpectedly: {e}")))?
        .map_err(api)
}

#[tauri::command]
pub async fn customer_add(state: State<'_, AppState>, draft: CustomerDraft) -> Answer<Customer> {
    state.desk()?.add_customer(&draft).map_err(api)
}

#[tauri::command]
pub async fn customer_list(
    state: State<'_, AppState>,
    search: Option<String>,
    page: PageRequest,
) -> Answer<Page<Customer>> {
    state
        .desk()?
        .list_customers(search.as_deref(), page)
        .map_err(api)
}
