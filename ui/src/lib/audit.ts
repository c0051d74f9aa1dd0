// How an audit entry reads on the detail views (AuditHistory): the action's label and a
// one-line summary of its detail, in the staff's language. Actions and detail keys this
// UI has no words for are shown as the core wrote them, so nothing is ever hidden.
import type { AuditEntry } from './backend/bindings/AuditEntry';
import type { AuditQuery } from './backend/bindings/AuditQuery';
import { isMessageKey } from './i18n/translate';
import { t } from './i18n/locale.svelte';
import { formatYuan } from './money';
import { shopOffset } from './shop.svelte';
import { opKey } from './sync';
import { formatShopTime } from './zone';

/** The entries of exactly `subject` (a code), newest first: a code's history. */
export function historyQuery(subject: string, page: number, perPage: number): AuditQuery {
  return {
    actor: null,
    action: null,
    subject,
    exactSubject: true,
    since: null,
    until: null,
    page: { page, perPage },
  };
}

/**
 * Every action the core records (grep `audit::record` in crates/core), for the Audit
 * page's filter; each has words in the i18n tables (a test checks), so staff never read
 * the internal name.
 */
export const AUDIT_ACTIONS: readonly string[] = [
  'audit.export',
  'batch.create',
  'bonus.create',
  'bonus.disable',
  'bonus.disable_run',
  'bonus.export',
  'bonus.grant',
  'bonus.hub_conflict',
  'bonus.hub_conflict_settle',
  'bonus.redeem',
  'bonus.redeem_undo',
  'bonus.use_on_platform',
  'code.disable',
  'code.redeem',
  'code.redeem_undo',
  'codes.activate',
  'codes.deactivate',
  'codes.export',
  'codes.generate',
  'codes.generate.cancelled',
  'codes.generate.interrupted',
  'codes.import',
  'codes.import.cancelled',
  'codes.import.interrupted',
  'codes.import_issues.export',
  'codes.print',
  'customer.create',
  'customer.rename',
  'db.backup',
  'db.restore',
  'hub.bonuses_offline',
  'hub.conflict_settle',
  'hub.deadline',
  'hub.lease',
  'hub.lease_return',
  'hub.platform_desk',
  'hub.statuses',
  'hub.vouchers_offline',
  'hub_audit.export',
  'reconciliation.export',
  'report.export',
  'settings.update',
  'staff.add',
  'staff.disable',
  'staff.enable',
  'staff.hub_clash',
  'staff.hub_pull',
  'staff.locked_out',
  'staff.login',
  'staff.login_failed',
  'staff.login_locked',
  'staff.logout',
  'staff.reset_pin',
  'staff.role',
  'sync.conflict_discard',
  'sync.conflict_edit',
  'sync.conflict_retry',
  'sync.settings',
  'template.create',
  'template.link_batch',
  'template.offline_policy',
  'template.unlink_batch',
  'template.update',
  'voucher.export',
  'voucher.hub_conflict',
  'voucher.hub_conflict_settle',
  'voucher.sell',
  'voucher.use',
  'voucher.use_on_platform',
];

/**
 * Every top-level key of an entry's detail the core writes, each with words in the i18n
 * tables (a test checks), so staff read 原状态, not `from`. The core's permission test
 * (crates/core/tests/permissions.rs) reads this list and fails on a key or an action the
 * core wrote that is missing here.
 */
export const AUDIT_DETAIL_KEYS: readonly string[] = [
  'after',
  'allowHttp',
  'amount_fen',
  'appId',
  'autoLockMinutes',
  'backupSchemaVersion',
  'baseUrl',
  'before',
  'beforeRestore',
  'brandId',
  'bytes',
  'caFile',
  'cancelled',
  'changed',
  'codes',
  'conflict',
  'created',
  'customer',
  'deadlineMs',
  'disabled',
  'enabled',
  'expired_at',
  'first',
  'firstOwner',
  'first_id',
  'freed',
  'from',
  'holidays',
  'hubUid',
  'id',
  'imported',
  'last',
  'last_id',
  'lease',
  'left',
  'maxValueFen',
  'message',
  'min_amount_fen',
  'mode',
  'name',
  'note',
  'op',
  'order_fen',
  'paid',
  'path',
  'payload',
  'perTerminalPerDay',
  'pinChanged',
  'pkg',
  'platform',
  'platformDesk',
  'price_fen',
  'product_sku',
  'quantity',
  'queued',
  'reason',
  'redeemOnFirstScan',
  'redemption',
  'reduction_fen',
  'rejected',
  'removed_batch',
  'renamedTo',
  'role',
  'rows',
  'rows_read',
  'run',
  'seconds',
  'secondsLeft',
  'secretChanged',
  'settlement',
  'shopName',
  'shopUtcOffsetMinutes',
  'skipped',
  'skipped_duplicate',
  'skipped_invalid',
  'soundOnRefusal',
  'soundOnSuccess',
  'store',
  'subject',
  'template',
  'terminal',
  'thisDesk',
  'ticket_type',
  'title',
  'uid',
  'undoWindowMinutes',
  'uploadPath',
  'usedAt',
  'was',
  'wasDisabled',
  'wholeBatch',
  'wrongPins',
  'xname',
];

/** `code.redeem` → "Redeemed" (or the action itself when this UI has no words for it). */
export function actionText(action: string): string {
  const key = `auditAction.${action}`;
  return isMessageKey(key) ? t(key) : action;
}

/** Keys the history leaves out: the terminal has its own column. */
const SHOWN_ELSEWHERE = new Set(['terminal']);

/** "Order ¥100.00 · Off ¥10.00 · Redemption 7": the detail's facts, money in yuan. */
export function detailText(detail: unknown): string {
  if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) {
    return detail === null || detail === undefined ? '' : JSON.stringify(detail);
  }
  const parts: string[] = [];
  for (const [k, v] of Object.entries(detail)) {
    if (SHOWN_ELSEWHERE.has(k) || v === null || v === '') continue;
    const key = `auditDetail.${k}`;
    const label = isMessageKey(key) ? t(key) : k;
    parts.push(`${label} ${valueText(k, v)}`);
  }
  return parts.join(' · ');
}

/** Detail keys that hold an instant (RFC 3339), shown in the shop's zone. */
const TIME_KEYS = new Set(['usedAt', 'expired_at']);

function valueText(key: string, v: unknown): string {
  if (key.endsWith('_fen') && typeof v === 'number') return formatYuan(v);
  if (typeof v === 'boolean') return t(v ? 'common.yes' : 'common.no');
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.length === 0 ? t('common.dash') : v.join(', ');
  if (TIME_KEYS.has(key) && typeof v === 'string') return formatShopTime(v, shopOffset());
  if (key === 'role' && typeof v === 'string') {
    const role = `role.${v}`;
    if (isMessageKey(role)) return t(role);
  }
  if (key === 'op' && typeof v === 'string') {
    const op = opKey(v);
    if (op !== null) return t(op);
  }
  if (key === 'platform' && typeof v === 'string') {
    const platform = `platform.${v}`;
    if (isMessageKey(platform)) return t(platform);
  }
  if (key === 'from' && typeof v === 'string') {
    // A code's status (issued, ...) or a bonus's (N01, ...): words, never the code.
    for (const status of [`status.${v}`, `bonusStatus.${v}`]) if (isMessageKey(status)) return t(status);
  }
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** The redemption an entry is about (`detail.redemption`), if it names one. */
export function redemptionOf(entry: AuditEntry): number | null {
  const d = entry.detail;
  if (d === null || typeof d !== 'object' || Array.isArray(d)) return null;
  const r = (d as Record<string, unknown>)['redemption'];
  return typeof r === 'number' ? r : null;
}
