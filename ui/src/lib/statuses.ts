import type { CodeStatus } from './backend/bindings/CodeStatus';

/** In lifecycle order, for filters and legends (domain/lifecycle.rs). */
export const CODE_STATUSES: readonly CodeStatus[] = ['issued', 'active', 'redeemed', 'disabled', 'expired'];

/**
 * The status staff see for a code: its stored status, except that an unused code (issued
 * or active) of a template whose period has ended shows as expired. Derived for display
 * only; the stored status is not rewritten (the counter refuses such a code as `expired`
 * on its own, from the same end time).
 */
export function shownStatus(status: CodeStatus, templateEndAt: string | null, now: number = Date.now()): CodeStatus {
  const ended = templateEndAt !== null && Date.parse(templateEndAt) <= now;
  return ended && (status === 'issued' || status === 'active') ? 'expired' : status;
}
