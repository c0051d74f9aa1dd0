// The fake backend's sync with the five platforms, mirroring crates/core/src/sync:
// settings.rs (the settings form's checks, field names and codes; no secret ever leaves,
// only hasSecret), outbox.rs (list orders and filters, the conflict inbox's retry / edit /
// discard), activation.rs (bulk activation on e-Buy: issued <-> active, one queued row per
// code, the skip reasons, the optional makeFundsChannel in each row's payload) and engine.rs's report. The "platforms" are make-believe: a base
// URL whose host contains "offline" cannot be reached; otherwise every queued row is
// confirmed, except subjects a test told to be refused (`refuse`).
import type { ConnectionTest } from '../bindings/ConnectionTest';
import type { ActivationReport } from '../bindings/ActivationReport';
import type { ActivationRequest } from '../bindings/ActivationRequest';
import type { ActivationSkip } from '../bindings/ActivationSkip';
import type { CodeRow } from '../bindings/CodeRow';
import type { CodeStatus } from '../bindings/CodeStatus';
import type { FundsChannel } from '../bindings/FundsChannel';
import type { OutboxItem } from '../bindings/OutboxItem';
import type { OutboxQuery } from '../bindings/OutboxQuery';
import type { OutboxState } from '../bindings/OutboxState';
import type { Page } from '../bindings/Page';
import type { Platform } from '../bindings/Platform';
import type { PlatformRun } from '../bindings/PlatformRun';
import type { PlatformSettings } from '../bindings/PlatformSettings';
import type { PlatformSettingsInput } from '../bindings/PlatformSettingsInput';
import type { PlatformStatus } from '../bindings/PlatformStatus';
import type { RemoteSummary } from '../bindings/RemoteSummary';
import type { SyncReport } from '../bindings/SyncReport';
import type { SyncStatus } from '../bindings/SyncStatus';
import { apiError } from '../apiError';
import type { FakeStore } from './fakeStore';

export const PLATFORMS: readonly Platform[] = ['p000', 'p001', 'p002', 'p003', 'p004'];

/** activation::MAX_NAMED and the number of skips a report lists. */
const MAX_NAMED = 100_000;
const SKIPS_SHOWN = 100;
/** How long a platform that could not be reached waits before the next try. */
const OFFLINE_PAUSE_MS = 30_000;

/** Platform::secret_name. */
export function secretName(p: Platform): string {
  if (p === 'p000') return 'access token (X-Le-Sense-AT)';
  if (p === 'p004') return 'signing key';
  return 'bearer token';
}

interface Stored {
  settings: PlatformSettings;
  /** Kept here only: nothing returned carries it. */
  secret: string | null;
  online: boolean | null;
  lastSuccessAt: string | null;
  lastError: string | null;
  lastErrorKind: string | null;
  lastErrorAt: string | null;
  pausedUntilMs: number;
  lastPullAt: string | null;
  remote: RemoteSummary | null;
  lastTest: ConnectionTest | null;
  lastTestAt: string | null;
}

interface Row {
  item: OutboxItem;
  /** The batch of a code operation (the batch page's "sync results"). */
  ticketType: string | null;
}

export interface NewOp {
  platform: Platform;
  op: string;
  subject: string;
  payload: Record<string, unknown>;
  ticketType?: string | null;
  actor?: string;
}

/** SyncError::Field as an ApiError: the form puts `message` beside `field`. */
function fieldError(field: string, message: string): never {
  throw apiError('invalid_fields', `${field}: ${message}`, [{ field, code: 'invalid', message }]);
}

const FINAL: readonly CodeStatus[] = ['redeemed', 'disabled', 'expired'];

/** FundsChannel::amounts: e-Buy's order. */
const FUNDS_FIELDS = [
  'merchantRealAmount',
  'benefitAmount',
  'merchantCustomBenefit',
  'merchantCustomRealAmount',
  'channelBenefit',
  'merchantBenefit',
  'discountAmount',
  'userRealAmount',
] as const satisfies readonly (keyof FundsChannel)[];

/**
 * activation::run's payload of a row: `{makeFundsChannel}` with the amounts given (an
 * activation only), refusing a negative amount as the core does.
 */
function activationPayload(req: ActivationRequest): Record<string, unknown> {
  const f = req.makeFundsChannel;
  if (f === undefined || f === null || !req.activate) return {};
  const given: FundsChannel = {};
  for (const name of FUNDS_FIELDS) {
    const a = f[name];
    if (a === undefined || a === null) continue;
    if (a < 0) {
      const message = `${name} cannot be negative; amounts are in fen`;
      throw apiError('invalid_fields', message, [{ field: 'makeFundsChannel', code: 'out_of_range', message }]);
    }
    given[name] = a;
  }
  return { makeFundsChannel: given };
}

export class FakeSync {
  private readonly platforms = new Map<Platform, Stored>();
  private readonly rows: Row[] = [];
  private nextId = 1;
  /** Subjects the make-believe platforms refuse, with their answer. */
  private readonly refusals = new Map<string, { code: string; message: string }>();

  constructor(
    private readonly store: FakeStore,
    private readonly actor: () => string,
  ) {
    for (const p of PLATFORMS) {
      this.platforms.set(p, {
        settings: {
          platform: p,
          enabled: false,
          baseUrl: '',
          appId: '',
          brandId: '',
          signType: 'HMAC-SHA256',
          shopNo: '',
          org: '',
          caFile: '',
          allowHttp: false,
          uploadPath: '',
          hasSecret: false,
        },
        secret: null,
        online: null,
        lastSuccessAt: null,
        lastError: null,
        lastErrorKind: null,
        lastErrorAt: null,
        pausedUntilMs: 0,
        lastPullAt: null,
        remote: null,
        lastTest: null,
        lastTestAt: null,
      });
    }
  }

  private stored(p: Platform): Stored {
    const s = this.platforms.get(p);
    if (s === undefined) throw apiError('unknown_platform', `unknown platform "${p}"; use p000, p001, p002, p003 or p004`);
    return s;
  }

  private nowMs(): number {
    return this.store.now().getTime();
  }

  settingsAll(): PlatformSettings[] {
    return PLATFORMS.map((p) => ({ ...this.stored(p).settings }));
  }

  /** settings::save: checks in the core's order; the secret is kept, never returned. */
  saveSettings(input: PlatformSettingsInput): PlatformSettings {
    const s = this.stored(input.platform);
    const url = input.baseUrl.trim().replace(/\/+$/, '');
    if (url !== '' && !/^https?:\/\//.test(url)) {
      fieldError('baseUrl', 'the address must start with http:// or https://, e.g. https://api.example.com');
    }
    if (input.enabled && url === '') fieldError('baseUrl', 'enter the platform\'s address before turning sync on');
    const signType = input.signType.trim() === '' ? 'HMAC-SHA256' : input.signType.trim();
    if (input.platform === 'p004') {
      if (signType !== 'HMAC-SHA256') fieldError('signType', 'the signing algorithm must be HMAC-SHA256');
      if (input.enabled && input.appId.trim() === '') {
        fieldError('appId', 'enter the appId e-Buy gave you before turning sync on');
      }
      if (input.enabled && input.brandId.trim() === '') {
        fieldError('brandId', 'enter the brandId: e-Buy needs it to deactivate codes');
      }
    }
    if (input.secret !== null && input.secret.trim() === '') {
      fieldError('secret', 'the secret is empty; leave the box alone to keep the stored one, or use "clear"');
    }
    const hasSecret = input.secret !== null ? true : input.clearSecret ? false : s.secret !== null;
    if (input.enabled && !hasSecret) fieldError('secret', `enter the ${secretName(input.platform)} before turning sync on`);
    if (input.secret !== null) s.secret = input.secret.trim();
    else if (input.clearSecret) s.secret = null;
    s.settings = {
      platform: input.platform,
      enabled: input.enabled,
      baseUrl: url,
      appId: input.appId.trim(),
      brandId: input.brandId.trim(),
      signType,
      shopNo: input.shopNo.trim(),
      org: input.org.trim(),
      caFile: input.caFile.trim(),
      allowHttp: input.allowHttp,
      uploadPath: input.uploadPath.trim(),
      hasSecret: s.secret !== null,
    };
    s.pausedUntilMs = 0;
    return { ...s.settings };
  }

  private counts(p: Platform): { queued: number; conflicts: number } {
    let queued = 0;
    let conflicts = 0;
    for (const r of this.rows) {
      if (r.item.platform !== p) continue;
      if (r.item.state === 'queued') queued++;
      else if (r.item.state === 'conflict') conflicts++;
    }
    return { queued, conflicts };
  }

  status(): SyncStatus {
    const now = this.nowMs();
    const platforms: PlatformStatus[] = PLATFORMS.map((p) => {
      const s = this.stored(p);
      const { queued, conflicts } = this.counts(p);
      return {
        platform: p,
        enabled: s.settings.enabled,
        configured: s.settings.enabled && s.settings.hasSecret && s.settings.baseUrl !== '',
        online: s.online,
        queued,
        conflicts,
        lastSuccessAt: s.lastSuccessAt,
        lastError: s.lastError,
        lastErrorKind: s.lastErrorKind,
        lastErrorAt: s.lastErrorAt,
        pausedUntil: s.pausedUntilMs > now ? new Date(s.pausedUntilMs).toISOString() : null,
        lastPullAt: s.lastPullAt,
        remote: s.remote === null ? null : { ...s.remote },
        allowHttp: s.settings.allowHttp,
        lastTest: s.lastTest,
        lastTestAt: s.lastTestAt,
      };
    });
    return {
      platforms,
      queued: platforms.reduce((n, p) => n + p.queued, 0),
      conflicts: platforms.reduce((n, p) => n + p.conflicts, 0),
    };
  }

  /**
   * "Test connection" in the browser demo: there is no platform behind it, so a complete
   * setup is "reachable" at most (the real verdicts come from the core in the app).
   */
  test(platform: Platform): ConnectionTest {
    const s = this.stored(platform);
    const ready = s.settings.enabled && s.secret !== null && s.settings.baseUrl !== '';
    const result: ConnectionTest = ready
      ? { platform, verdict: 'reachable', message: 'demo data: no platform is behind the browser mode' }
      : { platform, verdict: 'not_configured', message: 'sync with this platform is off or not set up; nothing was sent' };
    s.lastTest = result;
    s.lastTestAt = this.store.stamp();
    return { ...result };
  }

  /** outbox::enqueue; returns the new row's id. */
  enqueue(op: NewOp): number {
    const at = this.store.stamp();
    const id = this.nextId++;
    this.rows.push({
      ticketType: op.ticketType ?? null,
      item: {
        id,
        platform: op.platform,
        op: op.op,
        subject: op.subject,
        payload: structuredClone(op.payload),
        state: 'queued',
        attempts: 0,
        resultCode: null,
        resultMessage: null,
        actor: op.actor ?? this.actor(),
        createdAt: at,
        updatedAt: at,
      },
    });
    return id;
  }

  /** Sets a row's outcome directly (the demo seed's history and conflicts). */
  settle(id: number, state: OutboxState, resultCode: string | null, resultMessage: string | null): void {
    const r = this.row(id);
    r.item.state = state;
    r.item.attempts = Math.max(1, r.item.attempts);
    r.item.resultCode = resultCode;
    r.item.resultMessage = resultMessage;
    r.item.updatedAt = this.store.stamp();
  }

  /** The make-believe platform will answer this subject with a final "no". */
  refuse(subject: string, code: string, message: string): void {
    this.refusals.set(subject, { code, message });
  }

  /** Records what a real run would have noted (the demo seed's offline platform). */
  noteFailure(p: Platform, online: boolean, message: string, pauseMs: number): void {
    const s = this.stored(p);
    s.online = online;
    s.lastError = message;
    // The fake's only failure is an unreachable platform.
    s.lastErrorKind = 'offline';
    s.lastErrorAt = this.store.stamp();
    s.pausedUntilMs = pauseMs > 0 ? this.nowMs() + pauseMs : 0;
  }

  list(q: OutboxQuery): Page<OutboxItem> {
    if (q.ticketType !== null && !this.store.batches.has(q.ticketType)) {
      throw apiError('batch_not_found', `no batch has the ticket type ${q.ticketType}; check the type`);
    }
    const matching = this.rows
      .filter(
        (r) =>
          (q.platform === null || r.item.platform === q.platform) &&
          (q.state === null || r.item.state === q.state) &&
          (q.ticketType === null || r.ticketType === q.ticketType),
      )
      .map((r) => structuredClone(r.item));
    if (q.state !== 'queued') matching.reverse();
    const start = (q.page.page - 1) * q.page.perPage;
    return {
      items: matching.slice(start, start + q.page.perPage),
      page: q.page.page,
      perPage: q.page.perPage,
      total: matching.length,
      totalPages: Math.ceil(matching.length / q.page.perPage),
    };
  }

  private row(id: number): Row {
    const r = this.rows.find((x) => x.item.id === id);
    if (r === undefined) throw apiError('outbox_item_not_found', `no outbox item ${id}; reload the Sync page`);
    return r;
  }

  private conflict(id: number): Row {
    const r = this.row(id);
    if (r.item.state !== 'conflict') {
      throw apiError(
        'not_a_conflict',
        `outbox item ${id} is ${r.item.state}, not a conflict; only conflicts can be retried, edited or discarded`,
      );
    }
    return r;
  }

  private requeue(r: Row): OutboxItem {
    r.item.state = 'queued';
    r.item.attempts = 0;
    r.item.updatedAt = this.store.stamp();
    this.refusals.delete(r.item.subject);
    return structuredClone(r.item);
  }

  retry(id: number): OutboxItem {
    const r = this.conflict(id);
    // A retry as it is: the platform may well refuse it again.
    return this.requeue(r);
  }

  /** connectors::check_payload, for the ops the fake knows; others take any object. */
  edit(id: number, payload: Record<string, unknown>): OutboxItem {
    const r = this.conflict(id);
    const bad = checkPayload(r.item.op, payload);
    if (bad !== null) {
      throw apiError('bad_payload', `the edited data does not fit a ${r.item.op} operation: ${bad}`);
    }
    r.item.payload = structuredClone(payload);
    return this.requeue(r);
  }

  discard(id: number, reason: string): OutboxItem {
    void reason.trim();
    const r = this.conflict(id);
    r.item.state = 'discarded';
    r.item.updatedAt = this.store.stamp();
    return structuredClone(r.item);
  }

  /** activation::run. */
  activate(req: ActivationRequest): ActivationReport {
    const [from, to, op]: [CodeStatus, CodeStatus, string] = req.activate
      ? ['issued', 'active', 'ebuy.activate']
      : ['active', 'issued', 'ebuy.unactivate'];
    if (req.codes !== null && req.codes.length > MAX_NAMED) {
      throw apiError('too_many_codes', 'give at most 100000 codes at once, or leave them out to take the whole batch');
    }
    // Activation data travels in each row's payload.
    const payload = activationPayload(req);
    const ticketType = req.ticketType.trim();
    const entry = this.store.batches.get(ticketType);
    if (entry === undefined) throw apiError('batch_not_found', `no batch has the ticket type ${req.ticketType}; check the type`);
    const at = this.store.stamp();
    const changed: CodeRow[] = [];
    const skipped: ActivationSkip[] = [];
    let skippedTotal = 0;
    const skip = (code: string, reason: string): void => {
      skippedTotal++;
      if (skipped.length < SKIPS_SHOWN) skipped.push({ code, reason });
    };
    if (req.codes === null) {
      for (const c of entry.codes) if (c.status === from) changed.push(c);
    } else {
      const where = new Map<string, { row: CodeRow; ticketType: string }>();
      for (const [tt, e] of this.store.batches) for (const row of e.codes) where.set(row.code, { row, ticketType: tt });
      const seen = new Set<string>();
      for (const code of req.codes.map((c) => c.trim()).filter((c) => c !== '')) {
        if (seen.has(code)) continue;
        seen.add(code);
        const found = where.get(code);
        if (found === undefined) skip(code, 'unknown');
        else if (found.ticketType !== ticketType) skip(code, 'not_in_batch');
        else if (found.row.status === from) changed.push(found.row);
        else if (FINAL.includes(found.row.status)) skip(code, 'final');
        else skip(code, req.activate ? 'already_active' : 'not_active');
      }
    }
    for (const row of changed) {
      row.status = to;
      row.updatedAt = at;
      this.enqueue({ platform: 'p004', op, subject: row.code, payload, ticketType });
    }
    return { queued: changed.length, skipped, skippedTotal };
  }

  /** engine::run: every platform (or one), in order; see the file's head for the rules. */
  run(only: Platform | null): SyncReport {
    const platforms: PlatformRun[] = [];
    for (const p of PLATFORMS) {
      if (only !== null && only !== p) continue;
      platforms.push(this.runPlatform(p));
    }
    const notSetUp = platforms.filter((r) => r.skipped).reduce((n, r) => n + r.remaining, 0);
    return { platforms, notSetUp };
  }

  private runPlatform(p: Platform): PlatformRun {
    const s = this.stored(p);
    const out: PlatformRun = {
      platform: p,
      requests: 0,
      done: 0,
      conflicts: 0,
      retries: 0,
      remaining: 0,
      stopped: null,
      busy: false,
      skipped: false,
    };
    const queued = this.rows.filter((r) => r.item.platform === p && r.item.state === 'queued');
    if (!s.settings.enabled || s.secret === null) {
      out.remaining = queued.length;
      out.stopped = !s.settings.enabled
        ? 'sync with this platform is off; turn it on in Settings'
        : `no ${secretName(p)} stored; enter it in Settings`;
      out.skipped = true;
      return out;
    }
    const now = this.nowMs();
    if (s.pausedUntilMs > now) {
      out.remaining = queued.length;
      out.stopped = 'waiting before the next try (backoff or the platform\'s Retry-After)';
      return out;
    }
    out.requests = 1;
    if (/offline/i.test(s.settings.baseUrl)) {
      for (const r of queued) r.item.attempts++;
      out.retries = queued.length;
      out.remaining = queued.length;
      this.noteFailure(p, false, `could not reach ${p} at ${s.settings.baseUrl}: connection refused; check the address and the network`, OFFLINE_PAUSE_MS);
      return out;
    }
    const at = this.store.stamp();
    for (const r of queued) {
      const refusal = this.refusals.get(r.item.subject);
      r.item.attempts++;
      r.item.updatedAt = at;
      if (refusal !== undefined) {
        r.item.state = 'conflict';
        r.item.resultCode = refusal.code;
        r.item.resultMessage = refusal.message;
        out.conflicts++;
      } else {
        r.item.state = 'done';
        r.item.resultCode = 'SUCCESS';
        r.item.resultMessage = null;
        out.done++;
      }
    }
    out.requests += queued.length > 0 ? 1 : 0;
    s.online = true;
    s.lastSuccessAt = at;
    s.lastError = null;
    s.lastErrorKind = null;
    s.lastErrorAt = null;
    s.pausedUntilMs = 0;
    s.lastPullAt = at;
    const done = this.rows.filter((r) => r.item.platform === p && r.item.state === 'done').length;
    s.remote = { items: done, used: 0, refreshed: 0 };
    return out;
  }
}

/** The checks of the ops' edited data the fake knows (connectors/*::check_payload). */
export function checkPayload(op: string, payload: Record<string, unknown>): string | null {
  if (op === 'bonus.create') {
    const amount = payload['amountFen'];
    const min = payload['minAmountFen'] ?? 0;
    if (typeof amount !== 'number' || !Number.isInteger(amount)) return 'amountFen must be a whole number of fen';
    if (amount <= 0) return 'amountFen must be more than 0';
    if (typeof min !== 'number' || !Number.isInteger(min) || min < 0) return 'minAmountFen cannot be negative';
    return null;
  }
  if (op === 'ebuy.status') {
    const s = payload['codeStatus'];
    return typeof s === 'string' && ['0', '1', '2', '3'].includes(s) ? null : 'codeStatus must be "0", "1", "2" or "3"';
  }
  return null;
}
