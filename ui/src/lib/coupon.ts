// Staff's words for coupon things: an offer ("满100减20", "7折"), a refusal at the
// counter, a field error beside a form field. Pure functions of the language.
import type { FieldError } from './backend/bindings/FieldError';
import type { Offer } from './backend/bindings/Offer';
import type { Refusal } from './backend/bindings/Refusal';
import { fenToInput, formatYuan, type YuanError } from './money';
import { isMessageKey, translate, type Lang } from './i18n/translate';
import { zheText } from './templateForm';
import { formatShopTime } from './zone';

/** What a coupon gives, e.g. "满100减20" / "¥20.00 off orders of ¥100.00 or more", "7折" / "30% off". */
export function offerText(offer: Offer, lang: Lang): string {
  const yuan = (fen: number): string => (lang === 'zh-CN' ? fenToInput(fen) : formatYuan(fen));
  if ('discount' in offer) {
    const p = offer.discount.percentOff;
    const value = lang === 'zh-CN' ? zheText(100 - p) : String(p);
    return translate(lang, 'offer.discount', { value });
  }
  if ('cash' in offer) {
    const { reduceFen, leastFen } = offer.cash;
    return leastFen > 0
      ? translate(lang, 'offer.cash', { least: yuan(leastFen), reduce: yuan(reduceFen) })
      : translate(lang, 'offer.cashAny', { reduce: yuan(reduceFen) });
  }
  if ('groupon' in offer) return translate(lang, 'offer.groupon', { text: offer.groupon.dealDetail });
  if ('gift' in offer) return translate(lang, 'offer.gift', { text: offer.gift.gift });
  return translate(lang, 'offer.general', { text: offer.general.defaultDetail });
}

/** Why a code cannot be used, in plain words; times in the shop's zone. */
export function refusalText(r: Refusal, lang: Lang, offset: number): string {
  const time = (iso: string): string => formatShopTime(iso, offset);
  switch (r.reason) {
    case 'not_linked':
      return translate(lang, 'refusal.not_linked', { type: r.ticketType });
    case 'already_used':
      // Redeemed elsewhere (a platform said so): no local row to show.
      if (r.operator === '' && r.terminal === '') return translate(lang, 'refusal.already_used_elsewhere');
      return translate(lang, 'refusal.already_used', { at: time(r.at), operator: r.operator, terminal: r.terminal });
    case 'not_yet_valid':
      return translate(lang, 'refusal.not_yet_valid', { from: time(r.from) });
    case 'expired':
      return translate(lang, 'refusal.expired', { at: time(r.at) });
    case 'below_least_spend':
      return translate(lang, 'refusal.below_least_spend', { least: formatYuan(r.leastFen) });
    case 'wrong_case':
      return translate(lang, 'refusal.wrong_case', { suggestion: r.suggestion });
    case 'customer_limit_reached':
      return translate(lang, 'refusal.customer_limit_reached', { limit: r.limit });
    case 'used_elsewhere':
      return translate(lang, 'refusal.used_elsewhere', {
        at: time(r.at),
        operator: r.operator,
        terminal: r.terminal,
        store: r.store,
      });
    case 'offline_limit_reached':
      return translate(lang, 'refusal.offline_limit_reached', { limit: r.limit });
    case 'offline_value_reached':
      return translate(lang, 'refusal.offline_value_reached', { max: formatYuan(r.maxFen) });
    case 'leased_elsewhere':
      return translate(lang, 'refusal.leased_elsewhere', { terminal: r.terminal, store: r.store });
    default:
      return translate(lang, `refusal.${r.reason}`);
  }
}

/**
 * A field error beside its field: the field's own words (first as named in `scope`, for
 * field names that mean different things in different forms, e.g. `bonus:quantity`),
 * else the code's, else the core's English.
 */
export function fieldErrorText(e: FieldError, lang: Lang, scope?: string): string {
  if (scope !== undefined) {
    const scoped = `fieldError.${scope}:${e.field}.${e.code}`;
    if (isMessageKey(scoped)) return translate(lang, scoped);
  }
  const specific = `fieldError.${e.field}.${e.code}`;
  if (isMessageKey(specific)) return translate(lang, specific);
  if (e.field.startsWith('timeLimits.')) return translate(lang, 'fieldError.timeLimit');
  if (e.field.startsWith('holidays.')) return translate(lang, 'fieldError.holiday');
  if (lang === 'en' && e.message.trim() !== '') return e.message;
  const generic = `fieldError.${e.code}`;
  if (isMessageKey(generic)) return translate(lang, generic);
  return e.message;
}

export function yuanErrorText(e: YuanError, lang: Lang): string {
  return translate(lang, `money.${e}`);
}
