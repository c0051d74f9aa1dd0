// Generated from the command table (crates/core/src/api/table.rs) by crates/core/src/api/ts.rs.
// Do not edit: `cargo test -p coupondesk-core` rewrites it.
import type { ActivationReport } from './ActivationReport';
import type { ActivationRequest } from './ActivationRequest';
import type { AppInfo } from './AppInfo';
import type { AuditEntry } from './AuditEntry';
import type { AuditQuery } from './AuditQuery';
import type { AuditVerdict } from './AuditVerdict';
import type { BackupFile } from './BackupFile';
import type { BackupReport } from './BackupReport';
import type { Batch } from './Batch';
import type { BatchQuery } from './BatchQuery';
import type { Bonus } from './Bonus';
import type { BonusCreation } from './BonusCreation';
import type { BonusDraft } from './BonusDraft';
import type { BonusQuery } from './BonusQuery';
import type { BonusRunDisabled } from './BonusRunDisabled';
import type { CloseQuery } from './CloseQuery';
import type { CodeQuery } from './CodeQuery';
import type { CodeRow } from './CodeRow';
import type { CodeStatus } from './CodeStatus';
import type { ConnectionTest } from './ConnectionTest';
import type { CounterCheck } from './CounterCheck';
import type { CounterOutcome } from './CounterOutcome';
import type { CounterRequest } from './CounterRequest';
import type { CredentialStore } from './CredentialStore';
import type { Customer } from './Customer';
import type { CustomerDraft } from './CustomerDraft';
import type { CustomerProfile } from './CustomerProfile';
import type { DailyClose } from './DailyClose';
import type { Dashboard } from './Dashboard';
import type { DashboardQuery } from './DashboardQuery';
import type { ExportOptions } from './ExportOptions';
import type { ExportProgress } from './ExportProgress';
import type { ExportReport } from './ExportReport';
import type { FieldError } from './FieldError';
import type { GenerateProgress } from './GenerateProgress';
import type { GenerateReport } from './GenerateReport';
import type { GenerateRequest } from './GenerateRequest';
import type { HubAuditEntry } from './HubAuditEntry';
import type { HubAuditQuery } from './HubAuditQuery';
import type { HubAuditReport } from './HubAuditReport';
import type { HubConflict } from './HubConflict';
import type { HubPushReport } from './HubPushReport';
import type { HubStatus } from './HubStatus';
import type { HubUseConflict } from './HubUseConflict';
import type { HubUseKind } from './HubUseKind';
import type { ImportOptions } from './ImportOptions';
import type { ImportPreview } from './ImportPreview';
import type { ImportProgress } from './ImportProgress';
import type { ImportReport } from './ImportReport';
import type { ImportTarget } from './ImportTarget';
import type { LogoImage } from './LogoImage';
import type { OfflinePolicy } from './OfflinePolicy';
import type { OutboxItem } from './OutboxItem';
import type { OutboxQuery } from './OutboxQuery';
import type { Page } from './Page';
import type { PageRequest } from './PageRequest';
import type { Platform } from './Platform';
import type { PlatformDeskStatus } from './PlatformDeskStatus';
import type { PlatformSettings } from './PlatformSettings';
import type { PlatformSettingsInput } from './PlatformSettingsInput';
import type { PrintRequest } from './PrintRequest';
import type { ReconItem } from './ReconItem';
import type { ReconItemsQuery } from './ReconItemsQuery';
import type { Reconciliation } from './Reconciliation';
import type { Redemption } from './Redemption';
import type { Report } from './Report';
import type { ReportQuery } from './ReportQuery';
import type { ReportRow } from './ReportRow';
import type { ReportRowsQuery } from './ReportRowsQuery';
import type { Role } from './Role';
import type { Session } from './Session';
import type { Settings } from './Settings';
import type { StaffDraft } from './StaffDraft';
import type { StaffMember } from './StaffMember';
import type { SyncReport } from './SyncReport';
import type { SyncStatus } from './SyncStatus';
import type { Template } from './Template';
import type { TemplateDraft } from './TemplateDraft';
import type { TemplateQuery } from './TemplateQuery';
import type { Voucher } from './Voucher';
import type { VoucherDraft } from './VoucherDraft';
import type { VoucherQuery } from './VoucherQuery';
import type { WindowMemory } from './WindowMemory';

/** Sends one command; rejects with the backend's error. */
export type CommandCall = <T>(command: string, args: Record<string, unknown>) => Promise<T>;
/** Runs one job under `jobId` (cancel: `jobCancel(jobId)`), with its progress. */
export type JobCall = <T, P>(
  command: string,
  jobId: string,
  args: Record<string, unknown>,
  onProgress: (progress: P) => void,
) => Promise<T>;

export type AppInfoArgs = Record<string, never>;
export type WindowMemoryArgs = { pageAgeMs: number, };
export type SettingsGetArgs = Record<string, never>;
export type SettingsSaveArgs = { settings: Settings, };
export type BatchCreateArgs = { ticketType: string, name: string, };
export type BatchListArgs = { query: BatchQuery, };
export type BatchGetArgs = { ticketType: string, };
export type CodesListArgs = { query: CodeQuery, };
export type ImportPreviewArgs = { path: string, options: ImportOptions, };
export type ImportIssuesExportArgs = { runId: number, path: string, options: ExportOptions | null, };
export type BackupNowArgs = { path: string, overwrite: boolean, };
export type BackupListArgs = Record<string, never>;
export type JobCancelArgs = { jobId: string, };
export type StaffSessionArgs = Record<string, never>;
export type StaffSetupOwnerArgs = { draft: StaffDraft, };
export type StaffLoginArgs = { name: string, pin: string, };
export type StaffKeepAliveArgs = Record<string, never>;
export type StaffLockArgs = Record<string, never>;
export type StaffListArgs = Record<string, never>;
export type StaffAddArgs = { draft: StaffDraft, };
export type StaffDisableArgs = { name: string, };
export type StaffResetPinArgs = { name: string, pin: string, };
export type StaffEnableArgs = { name: string, };
export type StaffSetRoleArgs = { name: string, role: Role, };
export type TemplateCreateArgs = { draft: TemplateDraft, };
export type TemplateUpdateArgs = { id: number, draft: TemplateDraft, };
export type TemplateCheckArgs = { draft: TemplateDraft, };
export type TemplateGetArgs = { id: number, };
export type TemplateLogoAddArgs = { path: string, };
export type TemplateLogoGetArgs = { sha256: string, };
export type TemplateListArgs = { query: TemplateQuery, };
export type TemplateLinkBatchArgs = { id: number, ticketType: string, platformBatch: string | null, };
export type TemplateUnlinkBatchArgs = { id: number, ticketType: string, };
export type RedeemUndoArgs = { redemptionId: number, };
export type BonusRedeemUndoArgs = { redemptionId: number, };
export type RedemptionListArgs = { page: PageRequest, };
export type CodeDisableArgs = { code: string, };
export type CounterCheckArgs = { request: CounterRequest, };
export type CounterUseArgs = { request: CounterRequest, };
export type BonusCreateArgs = { draft: BonusDraft, };
export type BonusListArgs = { query: BonusQuery, };
export type BonusGetArgs = { id: number, };
export type BonusGrantArgs = { id: number, customer: string, customerName: string | null, };
export type BonusDisableArgs = { id: number, };
export type BonusDisableRunArgs = { run: number, };
export type BonusExportArgs = { query: BonusQuery, path: string, options: ExportOptions | null, };
export type VoucherSellArgs = { draft: VoucherDraft, };
export type VoucherListArgs = { query: VoucherQuery, };
export type VoucherGetArgs = { id: number, };
export type VoucherUseArgs = { id: number, };
export type VoucherExportArgs = { query: VoucherQuery, path: string, options: ExportOptions | null, };
export type CustomerAddArgs = { draft: CustomerDraft, };
export type CustomerListArgs = { search: string | null, page: PageRequest, };
export type CustomerProfileArgs = { id: number, };
export type AuditListArgs = { query: AuditQuery, };
export type AuditVerifyArgs = Record<string, never>;
export type AuditExportArgs = { query: AuditQuery, path: string, options: ExportOptions | null, };
export type ReportRedemptionsArgs = { query: ReportQuery, };
export type ReportExportArgs = { query: ReportQuery, path: string, options: ExportOptions | null, };
export type ReportRowsArgs = { query: ReportRowsQuery, };
export type DashboardGetArgs = { query: DashboardQuery, };
export type ReconcileGetArgs = Record<string, never>;
export type ReconcileItemsArgs = { query: ReconItemsQuery, };
export type ReconcileExportArgs = { query: ReconItemsQuery, path: string, options: ExportOptions | null, };
export type ReportCloseArgs = { query: CloseQuery, };
export type SyncStatusArgs = Record<string, never>;
export type SyncSettingsGetArgs = Record<string, never>;
export type SyncSettingsSaveArgs = { settings: PlatformSettingsInput, };
export type CredentialsStoreArgs = Record<string, never>;
export type SyncTestArgs = { platform: Platform, };
export type SyncNowArgs = { platform: Platform | null, };
export type SyncOutboxArgs = { query: OutboxQuery, };
export type SyncConflictRetryArgs = { id: number, };
export type SyncConflictEditArgs = { id: number, payload: Record<string, unknown>, };
export type SyncConflictDiscardArgs = { id: number, reason: string, };
export type CodesActivateArgs = { request: ActivationRequest, };
export type HubStatusArgs = Record<string, never>;
export type HubPushArgs = Record<string, never>;
export type HubAuditListArgs = { query: HubAuditQuery, };
export type HubAuditVerifyArgs = Record<string, never>;
export type HubAuditExportArgs = { query: HubAuditQuery, path: string, options: ExportOptions | null, };
export type HubDeadlineSetArgs = { deadlineMs: number, };
export type HubPlatformDeskSetArgs = { store: string | null, terminal: string | null, };
export type HubConflictsArgs = Record<string, never>;
export type HubConflictSettleArgs = { id: number, settlement: string, };
export type HubUseConflictsArgs = Record<string, never>;
export type HubUseConflictSettleArgs = { kind: HubUseKind, id: number, settlement: string, };
export type HubVouchersOfflineArgs = Record<string, never>;
export type HubVouchersOfflineSetArgs = { allowed: boolean, };
export type HubBonusesOfflineArgs = Record<string, never>;
export type HubBonusesOfflineSetArgs = { allowed: boolean, };
export type TemplateOfflinePolicyArgs = { template: number, };
export type TemplateOfflinePolicySetArgs = { template: number, policy: OfflinePolicy, };
export type CodesImportArgs = { path: string, target: ImportTarget, options: ImportOptions, };
export type CodesGenerateArgs = { request: GenerateRequest, };
export type CodesExportArgs = { ticketType: string, path: string, options: ExportOptions | null, };
export type CodesPrintArgs = { request: PrintRequest, path: string, };

/** One method per command of the table, over a transport. */
export function commandMethods(call: CommandCall, job: JobCall) {
  return {
    appInfo: (): Promise<AppInfo> =>
      call<AppInfo>('app_info', {}),
    windowMemory: (pageAgeMs: WindowMemoryArgs['pageAgeMs']): Promise<WindowMemory> =>
      call<WindowMemory>('window_memory', { pageAgeMs }),
    settingsGet: (): Promise<Settings> =>
      call<Settings>('settings_get', {}),
    settingsSave: (settings: SettingsSaveArgs['settings']): Promise<Settings> =>
      call<Settings>('settings_save', { settings }),
    batchCreate: (ticketType: BatchCreateArgs['ticketType'], name: BatchCreateArgs['name']): Promise<Batch> =>
      call<Batch>('batch_create', { ticketType, name }),
    batchList: (query: BatchListArgs['query']): Promise<Page<Batch>> =>
      call<Page<Batch>>('batch_list', { query }),
    batchGet: (ticketType: BatchGetArgs['ticketType']): Promise<Batch> =>
      call<Batch>('batch_get', { ticketType }),
    codesList: (query: CodesListArgs['query']): Promise<Page<CodeRow>> =>
      call<Page<CodeRow>>('codes_list', { query }),
    importPreview: (path: ImportPreviewArgs['path'], options: ImportPreviewArgs['options']): Promise<ImportPreview> =>
      call<ImportPreview>('import_preview', { path, options }),
    importIssuesExport: (runId: ImportIssuesExportArgs['runId'], path: ImportIssuesExportArgs['path'], options: ImportIssuesExportArgs['options']): Promise<ExportReport> =>
      call<ExportReport>('import_issues_export', { runId, path, options }),
    backupNow: (path: BackupNowArgs['path'], overwrite: BackupNowArgs['overwrite']): Promise<BackupReport> =>
      call<BackupReport>('backup_now', { path, overwrite }),
    backupList: (): Promise<Array<BackupFile>> =>
      call<Array<BackupFile>>('backup_list', {}),
    jobCancel: (jobId: JobCancelArgs['jobId']): Promise<boolean> =>
      call<boolean>('job_cancel', { jobId }),
    staffSession: (): Promise<Session> =>
      call<Session>('staff_session', {}),
    staffSetupOwner: (draft: StaffSetupOwnerArgs['draft']): Promise<Session> =>
      call<Session>('staff_setup_owner', { draft }),
    staffLogin: (name: StaffLoginArgs['name'], pin: StaffLoginArgs['pin']): Promise<Session> =>
      call<Session>('staff_login', { name, pin }),
    staffKeepAlive: (): Promise<Session> =>
      call<Session>('staff_keep_alive', {}),
    staffLock: (): Promise<Session> =>
      call<Session>('staff_lock', {}),
    staffList: (): Promise<Array<StaffMember>> =>
      call<Array<StaffMember>>('staff_list', {}),
    staffAdd: (draft: StaffAddArgs['draft']): Promise<StaffMember> =>
      call<StaffMember>('staff_add', { draft }),
    staffDisable: (name: StaffDisableArgs['name']): Promise<StaffMember> =>
      call<StaffMember>('staff_disable', { name }),
    staffResetPin: (name: StaffResetPinArgs['name'], pin: StaffResetPinArgs['pin']): Promise<StaffMember> =>
      call<StaffMember>('staff_reset_pin', { name, pin }),
    staffEnable: (name: StaffEnableArgs['name']): Promise<StaffMember> =>
      call<StaffMember>('staff_enable', { name }),
    staffSetRole: (name: StaffSetRoleArgs['name'], role: StaffSetRoleArgs['role']): Promise<StaffMember> =>
      call<StaffMember>('staff_set_role', { name, role }),
    templateCreate: (draft: TemplateCreateArgs['draft']): Promise<Template> =>
      call<Template>('template_create', { draft }),
    templateUpdate: (id: TemplateUpdateArgs['id'], draft: TemplateUpdateArgs['draft']): Promise<Template> =>
      call<Template>('template_update', { id, draft }),
    templateCheck: (draft: TemplateCheckArgs['draft']): Promise<Array<FieldError>> =>
      call<Array<FieldError>>('template_check', { draft }),
    templateGet: (id: TemplateGetArgs['id']): Promise<Template> =>
      call<Template>('template_get', { id }),
    templateLogoAdd: (path: TemplateLogoAddArgs['path']): Promise<LogoImage> =>
      call<LogoImage>('template_logo_add', { path }),
    templateLogoGet: (sha256: TemplateLogoGetArgs['sha256']): Promise<LogoImage | null> =>
      call<LogoImage | null>('template_logo_get', { sha256 }),
    templateList: (query: TemplateListArgs['query']): Promise<Page<Template>> =>
      call<Page<Template>>('template_list', { query }),
    templateLinkBatch: (id: TemplateLinkBatchArgs['id'], ticketType: TemplateLinkBatchArgs['ticketType'], platformBatch: TemplateLinkBatchArgs['platformBatch']): Promise<Template> =>
      call<Template>('template_link_batch', { id, ticketType, platformBatch }),
    templateUnlinkBatch: (id: TemplateUnlinkBatchArgs['id'], ticketType: TemplateUnlinkBatchArgs['ticketType']): Promise<Template> =>
      call<Template>('template_unlink_batch', { id, ticketType }),
    redeemUndo: (redemptionId: RedeemUndoArgs['redemptionId']): Promise<Redemption> =>
      call<Redemption>('redeem_undo', { redemptionId }),
    bonusRedeemUndo: (redemptionId: BonusRedeemUndoArgs['redemptionId']): Promise<Redemption> =>
      call<Redemption>('bonus_redeem_undo', { redemptionId }),
    redemptionList: (page: RedemptionListArgs['page']): Promise<Page<Redemption>> =>
      call<Page<Redemption>>('redemption_list', { page }),
    codeDisable: (code: CodeDisableArgs['code']): Promise<CodeStatus> =>
      call<CodeStatus>('code_disable', { code }),
    counterCheck: (request: CounterCheckArgs['request']): Promise<CounterCheck> =>
      call<CounterCheck>('counter_check', { request }),
    counterUse: (request: CounterUseArgs['request']): Promise<CounterOutcome> =>
      call<CounterOutcome>('counter_use', { request }),
    bonusCreate: (draft: BonusCreateArgs['draft']): Promise<BonusCreation> =>
      call<BonusCreation>('bonus_create', { draft }),
    bonusList: (query: BonusListArgs['query']): Promise<Page<Bonus>> =>
      call<Page<Bonus>>('bonus_list', { query }),
    bonusGet: (id: BonusGetArgs['id']): Promise<Bonus> =>
      call<Bonus>('bonus_get', { id }),
    bonusGrant: (id: BonusGrantArgs['id'], customer: BonusGrantArgs['customer'], customerName: BonusGrantArgs['customerName']): Promise<Bonus> =>
      call<Bonus>('bonus_grant', { id, customer, customerName }),
    bonusDisable: (id: BonusDisableArgs['id']): Promise<Bonus> =>
      call<Bonus>('bonus_disable', { id }),
    bonusDisableRun: (run: BonusDisableRunArgs['run']): Promise<BonusRunDisabled> =>
      call<BonusRunDisabled>('bonus_disable_run', { run }),
    bonusExport: (query: BonusExportArgs['query'], path: BonusExportArgs['path'], options: BonusExportArgs['options']): Promise<ExportReport> =>
      call<ExportReport>('bonus_export', { query, path, options }),
    voucherSell: (draft: VoucherSellArgs['draft']): Promise<Voucher> =>
      call<Voucher>('voucher_sell', { draft }),
    voucherList: (query: VoucherListArgs['query']): Promise<Page<Voucher>> =>
      call<Page<Voucher>>('voucher_list', { query }),
    voucherGet: (id: VoucherGetArgs['id']): Promise<Voucher> =>
      call<Voucher>('voucher_get', { id }),
    voucherUse: (id: VoucherUseArgs['id']): Promise<Voucher> =>
      call<Voucher>('voucher_use', { id }),
    voucherExport: (query: VoucherExportArgs['query'], path: VoucherExportArgs['path'], options: VoucherExportArgs['options']): Promise<ExportReport> =>
      call<ExportReport>('voucher_export', { query, path, options }),
    customerAdd: (draft: CustomerAddArgs['draft']): Promise<Customer> =>
      call<Customer>('customer_add', { draft }),
    customerList: (search: CustomerListArgs['search'], page: CustomerListArgs['page']): Promise<Page<Customer>> =>
      call<Page<Customer>>('customer_list', { search, page }),
    customerProfile: (id: CustomerProfileArgs['id']): Promise<CustomerProfile> =>
      call<CustomerProfile>('customer_profile', { id }),
    auditList: (query: AuditListArgs['query']): Promise<Page<AuditEntry>> =>
      call<Page<AuditEntry>>('audit_list', { query }),
    auditVerify: (): Promise<AuditVerdict> =>
      call<AuditVerdict>('audit_verify', {}),
    auditExport: (query: AuditExportArgs['query'], path: AuditExportArgs['path'], options: AuditExportArgs['options']): Promise<ExportReport> =>
      call<ExportReport>('audit_export', { query, path, options }),
    reportRedemptions: (query: ReportRedemptionsArgs['query']): Promise<Report> =>
      call<Report>('report_redemptions', { query }),
    reportExport: (query: ReportExportArgs['query'], path: ReportExportArgs['path'], options: ReportExportArgs['options']): Promise<ExportReport> =>
      call<ExportReport>('report_export', { query, path, options }),
    reportRows: (query: ReportRowsArgs['query']): Promise<Page<ReportRow>> =>
      call<Page<ReportRow>>('report_rows', { query }),
    dashboardGet: (query: DashboardGetArgs['query']): Promise<Dashboard> =>
      call<Dashboard>('dashboard_get', { query }),
    reconcileGet: (): Promise<Reconciliation> =>
      call<Reconciliation>('reconcile_get', {}),
    reconcileItems: (query: ReconcileItemsArgs['query']): Promise<Page<ReconItem>> =>
      call<Page<ReconItem>>('reconcile_items', { query }),
    reconcileExport: (query: ReconcileExportArgs['query'], path: ReconcileExportArgs['path'], options: ReconcileExportArgs['options']): Promise<ExportReport> =>
      call<ExportReport>('reconcile_export', { query, path, options }),
    reportClose: (query: ReportCloseArgs['query']): Promise<DailyClose> =>
      call<DailyClose>('report_close', { query }),
    syncStatus: (): Promise<SyncStatus> =>
      call<SyncStatus>('sync_status', {}),
    syncSettingsGet: (): Promise<Array<PlatformSettings>> =>
      call<Array<PlatformSettings>>('sync_settings_get', {}),
    syncSettingsSave: (settings: SyncSettingsSaveArgs['settings']): Promise<PlatformSettings> =>
      call<PlatformSettings>('sync_settings_save', { settings }),
    credentialsStore: (): Promise<CredentialStore> =>
      call<CredentialStore>('credentials_store', {}),
    syncTest: (platform: SyncTestArgs['platform']): Promise<ConnectionTest> =>
      call<ConnectionTest>('sync_test', { platform }),
    syncNow: (platform: SyncNowArgs['platform']): Promise<SyncReport> =>
      call<SyncReport>('sync_now', { platform }),
    syncOutbox: (query: SyncOutboxArgs['query']): Promise<Page<OutboxItem>> =>
      call<Page<OutboxItem>>('sync_outbox', { query }),
    syncConflictRetry: (id: SyncConflictRetryArgs['id']): Promise<OutboxItem> =>
      call<OutboxItem>('sync_conflict_retry', { id }),
    syncConflictEdit: (id: SyncConflictEditArgs['id'], payload: SyncConflictEditArgs['payload']): Promise<OutboxItem> =>
      call<OutboxItem>('sync_conflict_edit', { id, payload }),
    syncConflictDiscard: (id: SyncConflictDiscardArgs['id'], reason: SyncConflictDiscardArgs['reason']): Promise<OutboxItem> =>
      call<OutboxItem>('sync_conflict_discard', { id, reason }),
    codesActivate: (request: CodesActivateArgs['request']): Promise<ActivationReport> =>
      call<ActivationReport>('codes_activate', { request }),
    hubStatus: (): Promise<HubStatus> =>
      call<HubStatus>('hub_status', {}),
    hubPush: (): Promise<HubPushReport> =>
      call<HubPushReport>('hub_push', {}),
    hubAuditList: (query: HubAuditListArgs['query']): Promise<Page<HubAuditEntry>> =>
      call<Page<HubAuditEntry>>('hub_audit_list', { query }),
    hubAuditVerify: (): Promise<HubAuditReport> =>
      call<HubAuditReport>('hub_audit_verify', {}),
    hubAuditExport: (query: HubAuditExportArgs['query'], path: HubAuditExportArgs['path'], options: HubAuditExportArgs['options']): Promise<ExportReport> =>
      call<ExportReport>('hub_audit_export', { query, path, options }),
    hubDeadlineSet: (deadlineMs: HubDeadlineSetArgs['deadlineMs']): Promise<number> =>
      call<number>('hub_deadline_set', { deadlineMs }),
    hubPlatformDeskSet: (store: HubPlatformDeskSetArgs['store'], terminal: HubPlatformDeskSetArgs['terminal']): Promise<PlatformDeskStatus> =>
      call<PlatformDeskStatus>('hub_platform_desk_set', { store, terminal }),
    hubConflicts: (): Promise<Array<HubConflict>> =>
      call<Array<HubConflict>>('hub_conflicts', {}),
    hubConflictSettle: (id: HubConflictSettleArgs['id'], settlement: HubConflictSettleArgs['settlement']): Promise<boolean> =>
      call<boolean>('hub_conflict_settle', { id, settlement }),
    hubUseConflicts: (): Promise<Array<HubUseConflict>> =>
      call<Array<HubUseConflict>>('hub_use_conflicts', {}),
    hubUseConflictSettle: (kind: HubUseConflictSettleArgs['kind'], id: HubUseConflictSettleArgs['id'], settlement: HubUseConflictSettleArgs['settlement']): Promise<boolean> =>
      call<boolean>('hub_use_conflict_settle', { kind, id, settlement }),
    hubVouchersOffline: (): Promise<boolean> =>
      call<boolean>('hub_vouchers_offline', {}),
    hubVouchersOfflineSet: (allowed: HubVouchersOfflineSetArgs['allowed']): Promise<boolean> =>
      call<boolean>('hub_vouchers_offline_set', { allowed }),
    hubBonusesOffline: (): Promise<boolean> =>
      call<boolean>('hub_bonuses_offline', {}),
    hubBonusesOfflineSet: (allowed: HubBonusesOfflineSetArgs['allowed']): Promise<boolean> =>
      call<boolean>('hub_bonuses_offline_set', { allowed }),
    templateOfflinePolicy: (template: TemplateOfflinePolicyArgs['template']): Promise<OfflinePolicy> =>
      call<OfflinePolicy>('template_offline_policy', { template }),
    templateOfflinePolicySet: (template: TemplateOfflinePolicySetArgs['template'], policy: TemplateOfflinePolicySetArgs['policy']): Promise<OfflinePolicy> =>
      call<OfflinePolicy>('template_offline_policy_set', { template, policy }),
    codesImport: (jobId: string, path: CodesImportArgs['path'], target: CodesImportArgs['target'], options: CodesImportArgs['options'], onProgress: (progress: ImportProgress) => void): Promise<ImportReport> =>
      job<ImportReport, ImportProgress>('codes_import', jobId, { path, target, options }, onProgress),
    codesGenerate: (jobId: string, request: CodesGenerateArgs['request'], onProgress: (progress: GenerateProgress) => void): Promise<GenerateReport> =>
      job<GenerateReport, GenerateProgress>('codes_generate', jobId, { request }, onProgress),
    codesExport: (jobId: string, ticketType: CodesExportArgs['ticketType'], path: CodesExportArgs['path'], options: CodesExportArgs['options'], onProgress: (progress: ExportProgress) => void): Promise<ExportReport> =>
      job<ExportReport, ExportProgress>('codes_export', jobId, { ticketType, path, options }, onProgress),
    codesPrint: (jobId: string, request: CodesPrintArgs['request'], path: CodesPrintArgs['path'], onProgress: (progress: ExportProgress) => void): Promise<ExportReport> =>
      job<ExportReport, ExportProgress>('codes_print', jobId, { request, path }, onProgress),
  };
}

export type CommandMethods = ReturnType<typeof commandMethods>;

export const COMMAND_NAMES = [
  'app_info',
  'window_memory',
  'settings_get',
  'settings_save',
  'batch_create',
  'batch_list',
  'batch_get',
  'codes_list',
  'import_preview',
  'import_issues_export',
  'backup_now',
  'backup_list',
  'job_cancel',
  'staff_session',
  'staff_setup_owner',
  'staff_login',
  'staff_keep_alive',
  'staff_lock',
  'staff_list',
  'staff_add',
  'staff_disable',
  'staff_reset_pin',
  'staff_enable',
  'staff_set_role',
  'template_create',
  'template_update',
  'template_check',
  'template_get',
  'template_logo_add',
  'template_logo_get',
  'template_list',
  'template_link_batch',
  'template_unlink_batch',
  'redeem_undo',
  'bonus_redeem_undo',
  'redemption_list',
  'code_disable',
  'counter_check',
  'counter_use',
  'bonus_create',
  'bonus_list',
  'bonus_get',
  'bonus_grant',
  'bonus_disable',
  'bonus_disable_run',
  'bonus_export',
  'voucher_sell',
  'voucher_list',
  'voucher_get',
  'voucher_use',
  'voucher_export',
  'customer_add',
  'customer_list',
  'customer_profile',
  'audit_list',
  'audit_verify',
  'audit_export',
  'report_redemptions',
  'report_export',
  'report_rows',
  'dashboard_get',
  'reconcile_get',
  'reconcile_items',
  'reconcile_export',
  'report_close',
  'sync_status',
  'sync_settings_get',
  'sync_settings_save',
  'credentials_store',
  'sync_test',
  'sync_now',
  'sync_outbox',
  'sync_conflict_retry',
  'sync_conflict_edit',
  'sync_conflict_discard',
  'codes_activate',
  'hub_status',
  'hub_push',
  'hub_audit_list',
  'hub_audit_verify',
  'hub_audit_export',
  'hub_deadline_set',
  'hub_platform_desk_set',
  'hub_conflicts',
  'hub_conflict_settle',
  'hub_use_conflicts',
  'hub_use_conflict_settle',
  'hub_vouchers_offline',
  'hub_vouchers_offline_set',
  'hub_bonuses_offline',
  'hub_bonuses_offline_set',
  'template_offline_policy',
  'template_offline_policy_set',
] as const;

export const JOB_NAMES = [
  'codes_import',
  'codes_generate',
  'codes_export',
  'codes_print',
] as const;
