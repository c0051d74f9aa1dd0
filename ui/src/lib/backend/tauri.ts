// The real backend: Tauri commands through invoke, progress through Channels, and the
// dialog plugin's native pickers. The only module (with index.ts) that knows Tauri.
import { Channel, invoke, type InvokeArgs } from '@tauri-apps/api/core';
import { open, save } from '@tauri-apps/plugin-dialog';

import type { Backend, FileDialogText, OnProgress } from './backend';
import { toApiError } from './apiError';

const CSV_EXTENSIONS = ['csv', 'txt'];

/** invoke, with every rejection turned into an ApiError. */
async function call<T>(cmd: string, args?: InvokeArgs): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw toApiError(e);
  }
}

function channel<T>(onProgress: OnProgress<T>): Channel<T> {
  const ch = new Channel<T>();
  ch.onmessage = onProgress;
  return ch;
}

async function dialog<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    throw toApiError(e);
  }
}

export const tauriBackend: Backend = {
  native: true,
  appInfo: () => call('app_info'),
  batchCreate: (ticketType, name) => call('batch_create', { ticketType, name }),
  batchList: (query) => call('batch_list', { query }),
  batchGet: (ticketType) => call('batch_get', { ticketType }),
  codesList: (query) => call('codes_list', { query }),
  importPreview: (path, options) => call('import_preview', { path, options }),
  codesImport: (jobId, path, target, options, onProgress) =>
    call('codes_import', { jobId, path, target, options, onProgress: channel(onProgress) }),
  codesGenerate: (jobId, request, onProgress) =>
    call('codes_generate', { jobId, request, onProgress: channel(onProgress) }),
  codesExport: (jobId, ticketType, path, onProgress) =>
    call('codes_export', { jobId, ticketType, path, onProgress: channel(onProgress) }),
  jobCancel: (jobId) => call('job_cancel', { jobId }),
  chooseImportFile: (text: FileDialogText) =>
    dialog(() =>
      open({
        title: text.title,
        multiple: false,
        directory: false,
        filters: [{ name: text.filterName, extensions: CSV_EXTENSIONS }],
      }),
    ),
  chooseExportPath: (defaultName: string, text: FileDialogText) =>
    dialog(() =>
      save({
        title: text.title,
        defaultPath: defaultName,
        filters: [{ name: text.filterName, extensions: ['csv'] }],
      }),
    ),
  templateCreate: (draft) => call('template_create', { draft }),
  templateUpdate: (id, draft) => call('template_update', { id, draft }),
  templateGet: (id) => call('template_get', { id }),
  templateList: (query) => call('template_list', { query }),
  templateLinkBatch: (id, ticketType, platformBatch) =>
    call('template_link_batch', { id, ticketType, platformBatch }),
  templateUnlinkBatch: (id, ticketType) => call('template_unlink_batch', { id, ticketType }),
  redeemCheck: (request) => call('redeem_check', { request }),
  redeemUse: (request) => call('redeem_use', { request }),
  redeemUndo: (redemptionId) => call('redeem_undo', { redemptionId }),
  redemptionList: (page) => call('redemption_list', { page }),
  codeDisable: (code) => call('code_disable', { code }),
  settingsGet: () => call('settings_get'),
  settingsSave: (settings) => call('settings_save', { settings }),
  counterCheck: (request) => call('counter_check', { request }),
  counterUse: (request) => call('counter_use', { request }),
  bonusCreate: (draft) => call('bonus_create', { draft }),
  bonusList: (query) => call('bonus_list', { query }),
  bonusGet: (id) => call('bonus_get', { id }),
  bonusGrant: (id, customer, customerName) => call('bonus_grant', { id, customer, customerName }),
  bonusDisable: (id) => call('bonus_disable', { id }),
  bonusExport: (query, path) => call('bonus_export', { query, path }),
  voucherSell: (draft) => call('voucher_sell', { draft }),
  voucherList: (query) => call('voucher_list', { query }),
  voucherGet: (id) => call('voucher_get', { id }),
  voucherUse: (id) => call('voucher_use', { id }),
  voucherExport: (query, path) => call('voucher_export', { query, path }),
  customerAdd: (draft) => call('customer_add', { draft }),
  customerList: (search, page) => call('customer_list', { search, page }),
  syncStatus: () => call('sync_status'),
  syncSettingsGet: () => call('sync_settings_get'),
  syncSettingsSave: (settings) => call('sync_settings_save', { settings }),
  syncTest: (platform) => call('sync_test', { platform }),
  syncNow: (platform) => call('sync_now', { platform }),
  syncOutbox: (query) => call('sync_outbox', { query }),
  syncConflictRetry: (id) => call('sync_conflict_retry', { id }),
  syncConflictEdit: (id, payload) => call('sync_conflict_edit', { id, payload }),
  syncConflictDiscard: (id, reason) => call('sync_conflict_discard', { id, reason }),
  codesActivate: (request) => call('codes_activate', { request }),
};
