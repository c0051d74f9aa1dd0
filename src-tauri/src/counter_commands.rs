//! Commands of the coupon templates and the counter (issue #3). Each is one call into
//! `Desk`; errors cross as `ApiError {code, message, fields}`.

use coupondesk_core::domain::lifecycle::CodeStatus;
use coupondesk_core::domain::redeem::{
    RedeemCheck, RedeemOutcome, RedeemRequest, Redemption, Settings,
};
use coupondesk_core::domain::template::{Template, TemplateDraft};
use coupondesk_core::domain::{Page, PageRequest};
use coupondesk_core::store::redemptions::UndoTarget;
use coupondesk_core::store::templates::{TemplatePage, TemplateQuery};
use coupondesk_core::{ApiError, DeskError};
use tauri::State;

use crate::AppState;

type Answer<T> = Result<T, ApiError>;

fn api(e: DeskError) -> ApiError {
    ApiError::from(&e)
}

#[tauri::command]
pub async fn template_create(state: State<'_, AppState>, draft: TemplateDraft) -> Answer<Template> {
    state.desk()?.create_template(draft).map_err(api)
}

#[tauri::command]
pub async fn template_update(
    state: State<'_, AppState>,
    id: i64,
    draft: TemplateDraft,
) -> Answer<Template> {
    state.desk()?.update_template(id, draft).map_err(api)
}

#[tauri::command]
pub async fn template_get(state: State<'_, AppState>, id: i64) -> Answer<Template> {
    state.desk()?.get_template(id).map_err(api)
}

#[tauri::command]
pub async fn template_list(
    state: State<'_, AppState>,
    query: TemplateQuery,
) -> Answer<TemplatePage> {
    state.desk()?.list_templates(&query).map_err(api)
}

#[tauri::command]
pub async fn template_link_batch(
    state: State<'_, AppState>,
    id: i64,
    ticket_type: String,
    // Sense's (000) own batch number for the batch's codes, when staff uploaded them in
    // its console; optional (`platformBatch` in TypeScript).
    platform_batch: Option<String>,
) -> Answer<Template> {
    state
        .desk()?
        .link_batch_with(id, &ticket_type, platform_batch.as_deref())
        .map_err(api)
}

#[tauri::command]
pub async fn template_unlink_batch(
    state: State<'_, AppState>,
    id: i64,
    ticket_type: String,
) -> Answer<Template> {
    state.desk()?.unlink_batch(id, &ticket_type).map_err(api)
}

#[tauri::command]
pub async fn redeem_check(
    state: State<'_, AppState>,
    request: RedeemRequest,
) -> Answer<RedeemCheck> {
    state.desk()?.redeem_check(&request).map_err(api)
}

#[tauri::command]
pub async fn redeem_use(
    state: State<'_, AppState>,
    request: RedeemRequest,
) -> Answer<RedeemOutcome> {
    state.desk()?.redeem_use(&request, None).map_err(api)
}

#[tauri::command]
pub async fn redeem_undo(state: State<'_, AppState>, redemption_id: i64) -> Answer<Redemption> {
    state
        .desk()?
        .redeem_undo(UndoTarget::Id(redemption_id), None)
        .map_err(api)
}

#[tauri::command]
pub async fn redemption_list(
    state: State<'_, AppState>,
    page: PageRequest,
) -> Answer<Page<Redemption>> {
    state.desk()?.list_redemptions(page).map_err(api)
}

#[tauri::command]
pub async fn code_disable(state: State<'_, AppState>, code: String) -> Answer<CodeStatus> {
    state.desk()?.disable_code(&code, None).map_err(api)
}

#[tauri::command]
pub async fn settings_get(state: State<'_, AppState>) -> Answer<Settings> {
    state.desk()?.settings().map_err(api)
}

#[tauri::command]
pub async fn settings_save(state: State<'_, AppState>, settings: Settings) -> Answer<Settings> {
    state.desk()?.save_settings(settings).map_err(api)
}
