// How an audit entry reads on the detail views (AuditHistory): the action's label and a
// one-line summary of its detail, in the staff's language. Actions and detail keys this
// UI has no words for are shown as the core wrote them, so nothing is ever hidden.
import type { AuditEntry } from './backend/bindings/AuditEntry';
import type { AuditQuery } from './backend/bindings/AuditQuery';
import { isMessageKey } from './i18n/translate';
import { t } from './i18n/locale.svelte';
import { formatYuan } from './money';

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
    if (SHOWN_ELSEWHERE.has(k) || v === null) continue;
    const key = `auditDetail.${k}`;
    const label = isMessageKey(key) ? t(key) : k;
    parts.push(`${label} ${valueText(k, v)}`);
  }
  return parts.join(' · ');
}

function valueText(key: string, v: unknown): string {
  if (key.endsWith('_fen') && typeof v === 'number') return formatYuan(v);
  if (key === 'from' && typeof v === 'string') {
    const status = `status.${v}`;
    if (isMessageKey(status)) return t(status);
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
