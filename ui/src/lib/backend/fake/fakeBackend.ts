// An in-memory backend with the real one's contract: the same commands, validation,
// error codes, progress and cancel. UI tests use it, and so does the UI in a plain
// browser. Files are a map of path -> text that tests (or the demo seed) fill in.
import type { Backend, FileDialogText, OnProgress } from '../backend';
import type { Batch } from '../bindings/Batch';
import type { BonusCheck } from '../bindings/BonusCheck';
import type { BonusRedeemRequest } from '../bindings/BonusRedeemRequest';
import type { CounterCheck } from '../bindings/CounterCheck';
import type { CounterOutcome } from '../bindings/CounterOutcome';
import type { CounterRequest } from '../bindings/CounterRequest';
import type { BatchQuery } from '../bindings/BatchQuery';
import type { CodeQuery } from '../bindings/CodeQuery';
import type { CodeRow } from '../bindings/CodeRow';
import type { ExportProgress } from '../bindings/ExportProgress';
import type { ExportReport } from '../bindings/ExportReport';
import type { GenerateProgress } from '../bindings/GenerateProgress';
import type { GenerateReport } from '../bindings/GenerateReport';
import type { GenerateRequest } from '../bindings/GenerateRequest';
import type { ImportOptions } from '../bindings/ImportOptions';
import type { ImportPreview } from '../bindings/ImportPreview';
import type { ImportProgress } from '../bindings/ImportProgress';
import type { ImportReport } from '../bindings/ImportReport';
import type { ImportTarget } from '../bindings/ImportTarget';
import type { Page } from '../bindings/Page';
import type { PageRequest } from '../bindings/PageRequest';
import type { RedeemCheck } from '../bindings/RedeemCheck';
import type { RedeemOutcome } from '../bindings/RedeemOutcome';
import type { RedeemRequest } from '../bindings/RedeemRequest';
import { apiError } from '../apiError';
import { FakeCounter } from './fakeCounter';
import { FakeStore } from './fakeStore';
import { runExport } from './fakeExport';
import { runGenerate } from './fakeGenerate';
import { runImport, preview } from './fakeImport';
import { FakeSync } from './fakeSync';
import { FakeWallet, isBonusCode, normaliseBonusCode } from './fakeWallet';
import { seedCounter, seedDemo, seedSync, seedWallet } from './seed';

export interface FakeOptions {
  /** Delay of every command and of every chunk of long work, in ms. */
  latencyMs?: number;
  /** Rows (or codes) per chunk of long work; progress is reported once per chunk. */
  chunkRows?: number;
  /** How many invalid (and duplicate) rows a report lists, like the core's 1,000. */
  reportLimit?: number;
  /** Fill in demo batches, codes and CSV files. */
  seed?: boolean;
  now?: () => Date;
}

export type FakeBackend = Backend & FakeExtras;

/** What the fake adds; it goes with the fake (issue #11). */
interface FakeExtras {
  /** The single-kind counter calls its own tests still use. */
  redeemCheck(request: RedeemRequest): Promise<RedeemCheck>;
  redeemUse(request: RedeemRequest): Promise<RedeemOutcome>;
  /** The templates, redemptions and settings, for tests that set the scene. */
  readonly counter: FakeCounter;
  /** The bonuses, vouchers and customers. */
  readonly wallet: FakeWallet;
  /** The platforms' settings and state, the outbox and its conflicts. */
  readonly sync: FakeSync;
  /** Puts a file where the import dialog can read it. */
  addFile(path: string, text: string): void;
  readFile(path: string): string | undefined;
  /** What the next open dialog returns (default: the first file added). */
  nextOpen: string | null | undefined;
  /** What the next save dialog returns (default: /exports/<defaultName>). */
  nextSave: string | null | undefined;
}

const REPORT_LIMIT = 1000;

export function validatePage(p: PageRequest): void {
  if (p.page < 1) throw apiError('invalid_page', 'page numbers start at 1; ask for page 1 or later');
  if (p.perPage < 1 || p.perPage > 100) {
    throw apiError('invalid_page', `per_page must be between 1 and 100; you asked for ${p.perPage}`);
  }
}

export function pageOf<T>(all: T[], req: PageRequest): Page<T> {
  const start = (req.page - 1) * req.perPage;
  return {
    items: all.slice(start, start + req.perPage),
    page: req.page,
    perPage: req.perPage,
    total: all.length,
    totalPages: Math.ceil(all.length / req.perPage),
  };
}

function bonusRequest(req: CounterRequest): BonusRedeemRequest {
  return { code: req.code, orderFen: req.orderFen ?? 0, productSku: req.productSku, customer: req.customer };
}

/** counter_any::amount_needed: without an order amount a bonus's worth is unknown. */
function amountNeeded(req: CounterRequest, check: BonusCheck): BonusCheck {
  const r = check.refusal?.reason;
  if (req.orderFen === null && check.bonus !== null && (r === undefined || r === 'below_min_amount')) {
    return { ...check, refusal: { reason: 'amount_required' }, reductionFen: null };
  }
  return check;
}

/**
 * Desk::counter_check: coupon codes first (exact); a code no coupon has, with the shape
 * of a bonus code (11 letters, any case), is then looked up among bonuses.
 */
export function counterCheckWith(counter: FakeCounter, wallet: FakeWallet, req: CounterRequest): CounterCheck {
  const coupon = counter.check({ code: req.code, orderFen: req.orderFen, customer: req.customer });
  const reason = coupon.refusal?.reason;
  const mayBeBonus = (reason === 'unknown' || reason === 'malformed') && isBonusCode(normaliseBonusCode(coupon.code));
  if (!mayBeBonus) return { kind: 'coupon', ...coupon };
  const bonus = wallet.checkBonus(bonusRequest(req));
  if (bonus.refusal?.reason === 'unknown') return { kind: 'coupon', ...coupon };
  return { kind: 'bonus', ...amountNeeded(req, bonus) };
}

export function counterUseWith(counter: FakeCounter, wallet: FakeWallet, req: CounterRequest): CounterOutcome {
  const check = counterCheckWith(counter, wallet, req);
  if (check.kind === 'coupon') {
    return { kind: 'coupon', ...counter.redeem({ code: req.code, orderFen: req.orderFen, customer: req.customer }) };
  }
  const { kind, ...bonusCheck } = check;
  void kind;
  if (bonusCheck.refusal !== null) return { kind: 'bonus', check: bonusCheck, redeemed: null };
  return { kind: 'bonus', ...wallet.redeemBonus(bonusRequest(req)) };
}

export function createFakeBackend(options: FakeOptions = {}): FakeBackend {
  const latency = options.latencyMs ?? 0;
  const store = new FakeStore(options.now ?? (() => new Date()));
  const files = new Map<string, string>();
  const counter = new FakeCounter(store);
  const wallet = new FakeWallet(store, () => ({ operator: counter.settings.operator, terminal: counter.settings.terminal }));
  const sync = new FakeSync(store, () => counter.settings.operator);
  const cancelled = new Map<string, boolean>();
  const settings = {
    chunkRows: options.chunkRows ?? 500,
    reportLimit: options.reportLimit ?? REPORT_LIMIT,
  };

  const pause = (): Promise<void> =>
    new Promise((resolve) => setTimeout(resolve, latency));

  /** Runs `work` like a command: after the latency, with thrown ApiErrors as rejections. */
  async function command<T>(work: () => T): Promise<T> {
    await pause();
    return work();
  }

  function readText(path: string): string {
    const text = files.get(path.trim());
    if (text === undefined) {
      throw apiError('file_not_found', `${path} does not exist; check the path or choose the file again`);
    }
    return text;
  }

  /** Registers a job; the returned function tells whether it has been cancelled. */
  function startJob(jobId: string): () => boolean {
    cancelled.set(jobId, false);
    return () => cancelled.get(jobId) === true;
  }

  async function job<T>(jobId: string, run: (isCancelled: () => boolean) => Promise<T>): Promise<T> {
    const isCancelled = startJob(jobId);
    try {
      await pause();
      return await run(isCancelled);
    } finally {
      cancelled.delete(jobId);
    }
  }

  if (options.seed === true) {
    seedDemo(store, files);
    seedCounter(store, counter);
    seedWallet(store, wallet);
    seedSync(store, sync);
  }

  const fake: FakeBackend = {
    native: false,
    counter,
    wallet,
    sync,
    nextOpen: undefined,
    nextSave: undefined,
    addFile(path, text) {
      files.set(path, text);
    },
    readFile(path) {
      return files.get(path);
    },

    appInfo: () =>
      command(() => ({ dbPath: '(in-memory demo data)', version: '0.1.0', schemaVersion: 1 })),

    batchCreate: (ticketType: string, name: string): Promise<Batch> =>
      command(() => store.createBatch(ticketType, name)),

    batchList: (query: BatchQuery): Promise<Page<Batch>> =>
      command(() => {
        validatePage(query.page);
        return pageOf(store.listBatches(query.ticketType, query.name), query.page);
      }),

    batchGet: (ticketType: string): Promise<Batch> =>
      command(() => ({ ...store.entry(ticketType).batch })),

    codesList: (query: CodeQuery): Promise<Page<CodeRow>> =>
      command(() => {
        validatePage(query.page);
        const { codes } = store.entry(query.ticketType);
        const search = query.search;
        const matching = codes.filter(
          (c) =>
            (query.status === null || c.status === query.status) &&
            (search === null || c.code.includes(search)),
        );
        return pageOf(matching, query.page);
      }),

    importPreview: (path: string, opts: ImportOptions): Promise<ImportPreview> =>
      command(() => preview(readText(path), opts)),

    codesImport: (
      jobId: string,
      path: string,
      target: ImportTarget,
      opts: ImportOptions,
      onProgress: OnProgress<ImportProgress>,
    ): Promise<ImportReport> =>
      job(jobId, (isCancelled) =>
        runImport({
          store,
          text: readText(path),
          target,
          options: opts,
          chunkRows: settings.chunkRows,
          reportLimit: settings.reportLimit,
          pause,
          isCancelled,
          onProgress,
        }),
      ),

    codesGenerate: (
      jobId: string,
      request: GenerateRequest,
      onProgress: OnProgress<GenerateProgress>,
    ): Promise<GenerateReport> =>
      job(jobId, (isCancelled) =>
        runGenerate({ store, request, chunk: settings.chunkRows, pause, isCancelled, onProgress }),
      ),

    codesExport: (
      jobId: string,
      ticketType: string,
      path: string,
      onProgress: OnProgress<ExportProgress>,
    ): Promise<ExportReport> =>
      job(jobId, (isCancelled) =>
        runExport({
          store,
          ticketType,
          path,
          chunk: settings.chunkRows,
          pause,
          isCancelled,
          onProgress,
          write: (p, text) => files.set(p, text),
        }),
      ),

    jobCancel: (jobId: string): Promise<boolean> =>
      command(() => {
        if (!cancelled.has(jobId)) return false;
        cancelled.set(jobId, true);
        return true;
      }),

    chooseImportFile: (text: FileDialogText): Promise<string | null> =>
      command(() => {
        void text;
        if (fake.nextOpen !== undefined) return fake.nextOpen;
        return files.keys().next().value ?? null;
      }),

    chooseExportPath: (defaultName: string, text: FileDialogText): Promise<string | null> =>
      command(() => {
        void text;
        if (fake.nextSave !== undefined) return fake.nextSave;
        return `/exports/${defaultName}`;
      }),

    templateCreate: (draft) => command(() => counter.create(draft)),
    templateUpdate: (id, draft) => command(() => counter.update(id, draft)),
    templateGet: (id) => command(() => counter.get(id)),
    templateList: (query) =>
      command(() => {
        validatePage(query.page);
        return counter.list(query);
      }),
    templateLinkBatch: (id, ticketType) => command(() => counter.link(id, ticketType)),
    templateUnlinkBatch: (id, ticketType) => command(() => counter.unlink(id, ticketType)),
    redeemCheck: (request) => command(() => counter.check(request)),
    redeemUse: (request) => command(() => counter.redeem(request)),
    redeemUndo: (redemptionId) => command(() => counter.undo(redemptionId)),
    redemptionList: (page) =>
      command(() => {
        validatePage(page);
        return counter.listRedemptions(page);
      }),
    codeDisable: (code) => command(() => counter.disable(code)),
    settingsGet: () => command(() => structuredClone(counter.settings)),
    settingsSave: (s) => command(() => counter.saveSettings(s)),

    counterCheck: (request) => command(() => counterCheckWith(counter, wallet, request)),
    counterUse: (request) => command(() => counterUseWith(counter, wallet, request)),

    bonusCreate: (draft) => command(() => wallet.createBonuses(draft)),
    bonusList: (query) =>
      command(() => {
        validatePage(query.page);
        return wallet.listBonuses(query);
      }),
    bonusGet: (id) => command(() => wallet.getBonus(id)),
    bonusGrant: (id, customer, customerName) => command(() => wallet.grantBonus(id, customer, customerName)),
    bonusDisable: (id) => command(() => wallet.disableBonus(id)),
    bonusExport: (query, path) =>
      command(() => {
        const started = Date.now();
        const { text, rows } = wallet.exportBonuses(query);
        files.set(path, text);
        return FakeWallet.report(path, rows, started);
      }),

    voucherSell: (draft) => command(() => wallet.sellVoucher(draft)),
    voucherList: (query) =>
      command(() => {
        validatePage(query.page);
        return wallet.listVouchers(query);
      }),
    voucherGet: (id) => command(() => wallet.getVoucher(id)),
    voucherUse: (id) => command(() => wallet.useVoucher(id)),
    voucherExport: (query, path) =>
      command(() => {
        const started = Date.now();
        const { text, rows } = wallet.exportVouchers(query);
        files.set(path, text);
        return FakeWallet.report(path, rows, started);
      }),

    customerAdd: (draft) => command(() => wallet.addCustomer(draft)),
    customerList: (search, page) =>
      command(() => {
        validatePage(page);
        return wallet.listCustomers(search, page);
      }),

    syncStatus: () => command(() => sync.status()),
    syncSettingsGet: () => command(() => sync.settingsAll()),
    syncSettingsSave: (input) => command(() => sync.saveSettings(input)),
    syncTest: (platform) => command(() => sync.test(platform)),
    syncNow: (platform) => command(() => sync.run(platform)),
    syncOutbox: (query) =>
      command(() => {
        validatePage(query.page);
        return sync.list(query);
      }),
    syncConflictRetry: (id) => command(() => sync.retry(id)),
    syncConflictEdit: (id, payload) => command(() => sync.edit(id, payload)),
    syncConflictDiscard: (id, reason) => command(() => sync.discard(id, reason)),
    codesActivate: (request) => command(() => sync.activate(request)),
  };
  return fake;
}
