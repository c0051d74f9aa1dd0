// The UI's whole view of the backend: one method per Tauri command of
// docs/architecture.md, plus the two native file dialogs. Pages depend on this
// interface only, so they run the same against the real app and the in-memory fake.
import type { ConnectionTest } from './bindings/ConnectionTest';
import type { ActivationReport } from './bindings/ActivationReport';
import type { ActivationRequest } from './bindings/ActivationRequest';
import type { AppInfo } from './bindings/AppInfo';
import type { Batch } from './bindings/Batch';
import type { Bonus } from './bindings/Bonus';
import type { BonusCreation } from './bindings/BonusCreation';
import type { BonusDraft } from './bindings/BonusDraft';
import type { BonusQuery } from './bindings/BonusQuery';
import type { CounterCheck } from './bindings/CounterCheck';
import type { CounterOutcome } from './bindings/CounterOutcome';
import type { CounterRequest } from './bindings/CounterRequest';
import type { Customer } from './bindings/Customer';
import type { CustomerDraft } from './bindings/CustomerDraft';
import type { BatchQuery } from './bindings/BatchQuery';
import type { CodeQuery } from './bindings/CodeQuery';
import type { CodeRow } from './bindings/CodeRow';
import type { ExportProgress } from './bindings/ExportProgress';
import type { ExportReport } from './bindings/ExportReport';
import type { GenerateProgress } from './bindings/GenerateProgress';
import type { GenerateReport } from './bindings/GenerateReport';
import type { GenerateRequest } from './bindings/GenerateRequest';
import type { ImportOptions } from './bindings/ImportOptions';
import type { ImportPreview } from './bindings/ImportPreview';
import type { ImportProgress } from './bindings/ImportProgress';
import type { ImportReport } from './bindings/ImportReport';
import type { ImportTarget } from './bindings/ImportTarget';
import type { OutboxItem } from './bindings/OutboxItem';
import type { OutboxQuery } from './bindings/OutboxQuery';
import type { Page } from './bindings/Page';
import type { PageRequest } from './bindings/PageRequest';
import type { CodeStatus } from './bindings/CodeStatus';
import type { RedeemCheck } from './bindings/RedeemCheck';
import type { RedeemOutcome } from './bindings/RedeemOutcome';
import type { RedeemRequest } from './bindings/RedeemRequest';
import type { Redemption } from './bindings/Redemption';
import type { Platform } from './bindings/Platform';
import type { PlatformSettings } from './bindings/PlatformSettings';
import type { PlatformSettingsInput } from './bindings/PlatformSettingsInput';
import type { Settings } from './bindings/Settings';
import type { SyncReport } from './bindings/SyncReport';
import type { SyncStatus } from './bindings/SyncStatus';
import type { Template } from './bindings/Template';
import type { TemplateDraft } from './bindings/TemplateDraft';
import type { TemplatePage } from './bindings/TemplatePage';
import type { TemplateQuery } from './bindings/TemplateQuery';
import type { Voucher } from './bindings/Voucher';
import type { VoucherDraft } from './bindings/VoucherDraft';
import type { VoucherQuery } from './bindings/VoucherQuery';

export type OnProgress<T> = (progress: T) => void;

/** Texts of a native file dialog, already translated by the caller. */
export interface FileDialogText {
  title: string;
  /** Label of the CSV filter, e.g. "CSV files". */
  filterName: string;
}

export interface Backend {
  /** `true` for the real app, `false` for the in-memory fake. */
  readonly native: boolean;
  appInfo(): Promise<AppInfo>;
  batchCreate(ticketType: string, name: string): Promise<Batch>;
  batchList(query: BatchQuery): Promise<Page<Batch>>;
  batchGet(ticketType: string): Promise<Batch>;
  codesList(query: CodeQuery): Promise<Page<CodeRow>>;
  importPreview(path: string, options: ImportOptions): Promise<ImportPreview>;
  codesImport(
    jobId: string,
    path: string,
    target: ImportTarget,
    options: ImportOptions,
    onProgress: OnProgress<ImportProgress>,
  ): Promise<ImportReport>;
  codesGenerate(
    jobId: string,
    request: GenerateRequest,
    onProgress: OnProgress<GenerateProgress>,
  ): Promise<GenerateReport>;
  codesExport(
    jobId: string,
    ticketType: string,
    path: string,
    onProgress: OnProgress<ExportProgress>,
  ): Promise<ExportReport>;
  /** True when the job was running (it stops at its next safe point). */
  jobCancel(jobId: string): Promise<boolean>;
  /** Native open dialog for *.csv / *.txt; null when staff close it. */
  chooseImportFile(text: FileDialogText): Promise<string | null>;
  /** Native save dialog proposing `defaultName`; null when staff close it. */
  chooseExportPath(defaultName: string, text: FileDialogText): Promise<string | null>;

  // Coupon templates (spec 001) and the batches linked to them.
  templateCreate(draft: TemplateDraft): Promise<Template>;
  templateUpdate(id: number, draft: TemplateDraft): Promise<Template>;
  templateGet(id: number): Promise<Template>;
  templateList(query: TemplateQuery): Promise<TemplatePage>;
  /**
   * Links a batch; `platformBatch`: Sense (000)'s own batch number for its codes (from its
   * console), needed when the platform has no code upload path.
   */
  templateLinkBatch(id: number, ticketType: string, platformBatch: string | null): Promise<Template>;
  templateUnlinkBatch(id: number, ticketType: string): Promise<Template>;

  // The counter: check, redeem, undo, disable; the shop's settings.
  redeemCheck(request: RedeemRequest): Promise<RedeemCheck>;
  redeemUse(request: RedeemRequest): Promise<RedeemOutcome>;
  redeemUndo(redemptionId: number): Promise<Redemption>;
  /** Newest first. */
  redemptionList(page: PageRequest): Promise<Page<Redemption>>;
  codeDisable(code: string): Promise<CodeStatus>;
  settingsGet(): Promise<Settings>;
  settingsSave(settings: Settings): Promise<Settings>;

  // The Redeem page's one box: a coupon code or a bonus code (desk/counter_any.rs).
  counterCheck(request: CounterRequest): Promise<CounterCheck>;
  counterUse(request: CounterRequest): Promise<CounterOutcome>;

  // Red-packet bonuses (spec 002).
  bonusCreate(draft: BonusDraft): Promise<BonusCreation>;
  bonusList(query: BonusQuery): Promise<Page<Bonus>>;
  bonusGet(id: number): Promise<Bonus>;
  /** Once; an unknown phone joins the customer register. */
  bonusGrant(id: number, customer: string, customerName: string | null): Promise<Bonus>;
  bonusDisable(id: number): Promise<Bonus>;
  /** Every bonus the query matches (its page ignored), as CSV at `path`. */
  bonusExport(query: BonusQuery, path: string): Promise<ExportReport>;

  // Exchange vouchers (spec 003).
  voucherSell(draft: VoucherDraft): Promise<Voucher>;
  voucherList(query: VoucherQuery): Promise<Page<Voucher>>;
  voucherGet(id: number): Promise<Voucher>;
  voucherUse(id: number): Promise<Voucher>;
  voucherExport(query: VoucherQuery, path: string): Promise<ExportReport>;

  // The customer register bonuses and vouchers share.
  /** Adds a customer, or renames the one with this phone. */
  customerAdd(draft: CustomerDraft): Promise<Customer>;
  /** Newest first; `search` is a substring of the phone or the name. */
  customerList(search: string | null, page: PageRequest): Promise<Page<Customer>>;

  // Sync with the five remote platforms (issue #5). No answer ever carries a secret.
  syncStatus(): Promise<SyncStatus>;
  /** The five platforms' settings, p000 to p004. */
  syncSettingsGet(): Promise<PlatformSettings[]>;
  syncSettingsSave(settings: PlatformSettingsInput): Promise<PlatformSettings>;
  /** "Test connection": one cheap authenticated read; nothing on the platform changes. */
  syncTest(platform: Platform): Promise<ConnectionTest>;
  /** A short run (about 15 s at most); `null` = every enabled platform. */
  syncNow(platform: Platform | null): Promise<SyncReport>;
  syncOutbox(query: OutboxQuery): Promise<Page<OutboxItem>>;
  /** A conflict back in the queue as it is. */
  syncConflictRetry(id: number): Promise<OutboxItem>;
  /** A conflict back in the queue with new data. */
  syncConflictEdit(id: number, payload: Record<string, unknown>): Promise<OutboxItem>;
  /** A conflict the platform will never hear of; the local change stays. */
  syncConflictDiscard(id: number, reason: string): Promise<OutboxItem>;
  /** Bulk activation (or deactivation) of a batch's codes on e-Buy, queued. */
  codesActivate(request: ActivationRequest): Promise<ActivationReport>;
}
