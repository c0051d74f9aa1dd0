// Staff's words and form helpers for red-packet bonuses, exchange vouchers and
// customers: a bonus refusal at the counter, a bonus's expiry date, whole numbers typed
// in a form. Pure functions of the language and the shop's zone.
import { toApiError } from './backend/apiError';
import type { BonusRefusal } from './backend/bindings/BonusRefusal';
import type { BonusStatus } from './backend/bindings/BonusStatus';
import { fieldErrorText } from './coupon';
import { formatYuan } from './money';
import { translate, type Lang } from './i18n/translate';
import { formatShopTime, toIso } from './zone';

/** Spec 002's list statuses, N01 (the default) first, then `disabled`. */
export const BONUS_STATUSES: readonly BonusStatus[] = ['N01', 'N02', 'N03', 'disabled'];

export function isBonusStatus(v: string): v is BonusStatus {
  return (BONUS_STATUSES as readonly string[]).includes(v);
}

/** Why a bonus cannot be used, in plain words; times in the shop's zone. */
export function bonusRefusalText(r: BonusRefusal, lang: Lang, offset: number): string {
  switch (r.reason) {
    case 'already_used':
    case 'expired':
      return translate(lang, `bonusRefusal.${r.reason}`, { at: formatShopTime(r.at, offset) });
    case 'below_min_amount':
      return translate(lang, 'bonusRefusal.below_min_amount', { min: formatYuan(r.minFen) });
    case 'product_required':
    case 'wrong_product':
      return translate(lang, `bonusRefusal.${r.reason}`, { sku: r.sku });
    default:
      return translate(lang, `bonusRefusal.${r.reason}`);
  }
}

/**
 * A bonus's expiry date ("2026-12-31") as the instant it ends: through the end of that
 * day in the shop's zone, like the CLI's `--expires 2026-12-31` (23:59:59.999 shop time,
 * the last instant a bonus is usable: usable up to and including `expired_at`).
 * Null when the text is not a date.
 */
export function expiryDateToIso(date: string, offset: number): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date.trim());
  if (m === null) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const day = new Date(Date.UTC(y, mo - 1, d));
  if (day.getUTCFullYear() !== y || day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d) return null;
  const nextMidnight = Date.UTC(y, mo - 1, d + 1) - offset * 60_000;
  return new Date(nextMidnight - 1).toISOString();
}

/** The shop-local date ("2026-12-31") a bonus expires on; the inverse of expiryDateToIso. */
export function expiryDateOf(iso: string, offset: number): string {
  const d = new Date(Date.parse(iso) + offset * 60_000);
  return toIso(d).slice(0, 10);
}

/** A whole number typed in a form ("5", " 12 "); null when it is not one. */
export function parseWhole(text: string): number | null {
  const s = text.trim();
  if (!/^\d{1,15}$/.test(s)) return null;
  return Number(s);
}

/**
 * A list filtered by a customer's phone answers a bad phone with a field error: its
 * message (shown beside the filter), or null when the failure is something else.
 */
export function customerFilterError(e: unknown, lang: Lang): string | null {
  const error = toApiError(e);
  const field = error.code === 'invalid_fields' ? error.fields.find((f) => f.field === 'customer') : undefined;
  return field === undefined ? null : fieldErrorText(field, lang);
}
