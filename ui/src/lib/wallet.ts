// Staff's words and form helpers for red-packet bonuses, exchange vouchers and
// customers: a bonus refusal at the counter, whole numbers typed in a form, a customer
// filter's error. Pure functions of the language and the shop's zone.
import { toApiError } from './backend/apiError';
import type { BonusRefusal } from './backend/bindings/BonusRefusal';
import type { BonusStatus } from './backend/bindings/BonusStatus';
import { fieldErrorText } from './coupon';
import { formatYuan } from './money';
import { translate, type Lang } from './i18n/translate';
import { formatShopTime } from './zone';

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
    case 'used_elsewhere':
      return translate(lang, 'bonusRefusal.used_elsewhere', {
        at: formatShopTime(r.at, offset),
        operator: r.operator,
        terminal: r.terminal,
        store: r.store,
      });
    default:
      return translate(lang, `bonusRefusal.${r.reason}`);
  }
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
