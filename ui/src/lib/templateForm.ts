// The template form's state, as staff type it (yuan, shop-local times, "HH:MM"), and its
// exact conversion to and from a TemplateDraft. Local mistakes (a bad amount, a missing
// time) are caught here, under the core's field names, before anything is sent.
import type { CodeType } from './backend/bindings/CodeType';
import type { DayKind } from './backend/bindings/DayKind';
import type { FieldError } from './backend/bindings/FieldError';
import type { Offer } from './backend/bindings/Offer';
import type { TemplateDraft } from './backend/bindings/TemplateDraft';
import type { TemplateKind } from './backend/bindings/TemplateKind';
import type { MessageKey } from './i18n/zh-CN';
import { fenToInput, parseYuan } from './money';
import { hhmmToMinutes, isoToLocalInput, localInputToIso, minutesToHhmm } from './zone';

export const KINDS: readonly TemplateKind[] = ['discount', 'cash', 'groupon', 'gift', 'general'];
export const CODE_TYPES: readonly CodeType[] = ['CODE_TYPE_TEXT', 'CODE_TYPE_QRCODE', 'CODE_TYPE_BARCODE'];
export const DAY_KINDS: readonly DayKind[] = [
  'MONDAY',
  'TUESDAY',
  'WEDNESDAY',
  'THURSDAY',
  'FRIDAY',
  'SATURDAY',
  'SUNDAY',
  'HOLIDAY',
];

/** WeChat's card palette. */
export const COLOR_HEX: Readonly<Record<string, string>> = {
  Color010: '#63b359',
  Color020: '#2c9f67',
  Color030: '#509fc9',
  Color040: '#5885cf',
  Color050: '#9062c0',
  Color060: '#d09a45',
  Color070: '#e4b138',
  Color080: '#ee903c',
  Color081: '#f08500',
  Color082: '#a9d92d',
  Color090: '#dd6549',
  Color100: '#cc463d',
  Color101: '#cf3e36',
  Color102: '#5e6671',
};

export interface TimeRow {
  day: DayKind;
  /** "HH:MM" or "" */
  from: string;
  to: string;
}

export interface TemplateForm {
  kind: TemplateKind;
  /** The discount as Chinese merchants write it: 折, 0.1-9.9 with at most one decimal ("8.8"). */
  zhe: string;
  reduce: string;
  least: string;
  dealDetail: string;
  gift: string;
  defaultDetail: string;
  title: string;
  brandName: string;
  color: string;
  logoUrl: string;
  /** A logo picked from a file and kept by the core (its SHA-256), or none. */
  logoImage: string | null;
  notice: string;
  description: string;
  servicePhone: string;
  quantity: string;
  getLimit: string;
  codeType: CodeType;
  /** datetime-local values in the shop's zone */
  begin: string;
  end: string;
  termOn: boolean;
  startAfterDays: string;
  validDays: string;
  timeLimits: TimeRow[];
  acceptCategory: string;
  rejectCategory: string;
  canUseWithOtherDiscount: boolean;
}

/** A mistake found before sending: the core's field name and the message to show. */
export interface LocalError {
  field: string;
  key: MessageKey;
}

/*
 * 折 and the stored percent off are the same information: a one-decimal 折 is a whole
 * number of tenths t (8.8折: t = 88, the customer pays 88%), and the core stores
 * percentOff = 100 - t (12), which is also WeChat's `discount`. Both directions are
 * integer arithmetic on the typed digits, never floats, so 8.8 cannot become 8.799….
 */

/** "8.8" -> 12 (percent off); null for anything but 0.1-9.9 with at most one decimal. */
export function zheToPercentOff(text: string): number | null {
  const m = /^(\d)(?:\.(\d))?$/.exec(text.trim());
  if (m === null) return null;
  const tenths = Number(m[1]) * 10 + Number(m[2] ?? '0');
  return tenths >= 1 && tenths <= 99 ? 100 - tenths : null;
}

/** Tenths of 折 as staff write them: 88 -> "8.8", 70 -> "7", 5 -> "0.5". */
export function zheText(tenths: number): string {
  const whole = Math.floor(tenths / 10);
  const tenth = tenths % 10;
  return tenth === 0 ? String(whole) : `${whole}.${tenth}`;
}

/**
 * A blank form: a cash coupon in force from today's shop midnight to the end of the
 * 90th day after (23:59:59 in the shop's zone: an end "on" a day includes that day).
 */
export function emptyForm(offset: number, now: Date = new Date()): TemplateForm {
  const today = isoToLocalInput(now.toISOString(), offset).slice(0, 10);
  const begin = `${today}T00:00`;
  const endIso = new Date(Date.parse(localInputToIso(begin, offset) ?? now.toISOString()) + 91 * 86_400_000 - 1000);
  return {
    kind: 'cash',
    zhe: '',
    reduce: '',
    least: '0',
    dealDetail: '',
    gift: '',
    defaultDetail: '',
    title: '',
    brandName: '',
    color: 'Color010',
    logoUrl: '',
    logoImage: null,
    notice: '',
    description: '',
    servicePhone: '',
    quantity: '1000',
    getLimit: '1',
    codeType: 'CODE_TYPE_TEXT',
    begin,
    end: isoToLocalInput(endIso.toISOString(), offset),
    termOn: false,
    startAfterDays: '0',
    validDays: '30',
    timeLimits: [],
    acceptCategory: '',
    rejectCategory: '',
    canUseWithOtherDiscount: false,
  };
}

export function formFromDraft(d: TemplateDraft, offset: number): TemplateForm {
  const f = emptyForm(offset);
  const o = d.offer;
  if ('discount' in o) {
    f.kind = 'discount';
    f.zhe = zheText(100 - o.discount.percentOff);
  } else if ('cash' in o) {
    f.kind = 'cash';
    f.reduce = fenToInput(o.cash.reduceFen);
    f.least = fenToInput(o.cash.leastFen);
  } else if ('groupon' in o) {
    f.kind = 'groupon';
    f.dealDetail = o.groupon.dealDetail;
  } else if ('gift' in o) {
    f.kind = 'gift';
    f.gift = o.gift.gift;
  } else {
    f.kind = 'general';
    f.defaultDetail = o.general.defaultDetail;
  }
  return {
    ...f,
    title: d.title,
    brandName: d.brandName,
    color: d.color,
    logoUrl: d.logoUrl,
    logoImage: d.logoImage,
    notice: d.notice,
    description: d.description,
    servicePhone: d.servicePhone,
    quantity: String(d.quantity),
    getLimit: String(d.getLimit),
    codeType: d.codeType,
    begin: isoToLocalInput(d.beginAt, offset),
    end: isoToLocalInput(d.endAt, offset),
    termOn: d.term !== null,
    startAfterDays: String(d.term?.startAfterDays ?? 0),
    validDays: String(d.term?.validDays ?? 30),
    timeLimits: d.timeLimits.map((l) => ({
      day: l.day,
      from: l.begin === null ? '' : minutesToHhmm(l.begin),
      to: l.end === null ? '' : minutesToHhmm(l.end),
    })),
    acceptCategory: d.acceptCategory,
    rejectCategory: d.rejectCategory,
    canUseWithOtherDiscount: d.canUseWithOtherDiscount,
  };
}

/**
 * The draft to send, or the local mistakes (nothing is saved while there are any) with a
 * probe: the draft with stand-ins for the unreadable boxes, for `templateCheck`.
 */
export function formToDraft(
  f: TemplateForm,
  offset: number,
): { draft: TemplateDraft } | { errors: LocalError[]; probe: TemplateDraft } {
  const errors: LocalError[] = [];
  const int = (field: string, text: string): number => {
    const s = text.trim();
    if (!/^\d{1,12}$/.test(s)) {
      errors.push({ field, key: 'form.number' });
      return 0;
    }
    return Number(s);
  };
  const yuan = (field: string, text: string): number => {
    const r = parseYuan(text);
    if (r.ok) return r.fen;
    errors.push({ field, key: `money.${r.error}` });
    return 0;
  };
  const bad = (field: string, key: MessageKey): number => {
    errors.push({ field, key });
    return 0;
  };
  // An unreadable time's stand-in is a valid time (the probe must still parse).
  const time = (field: string, value: string, standIn: string): string => {
    const iso = localInputToIso(value, offset);
    if (iso === null) errors.push({ field, key: 'form.timeRequired' });
    return iso ?? standIn;
  };

  let offer: Offer;
  switch (f.kind) {
    case 'discount':
      offer = { discount: { percentOff: zheToPercentOff(f.zhe) ?? bad('offer.percentOff', 'form.zheInvalid') } };
      break;
    case 'cash':
      offer = { cash: { reduceFen: yuan('offer.reduceFen', f.reduce), leastFen: yuan('offer.leastFen', f.least) } };
      break;
    case 'groupon':
      offer = { groupon: { dealDetail: f.dealDetail } };
      break;
    case 'gift':
      offer = { gift: { gift: f.gift } };
      break;
    case 'general':
      offer = { general: { defaultDetail: f.defaultDetail } };
      break;
  }
  const draft: TemplateDraft = {
    offer,
    title: f.title,
    brandName: f.brandName,
    color: f.color,
    logoUrl: f.logoUrl,
    logoImage: f.logoImage,
    notice: f.notice,
    description: f.description,
    servicePhone: f.servicePhone,
    quantity: int('quantity', f.quantity),
    getLimit: int('getLimit', f.getLimit),
    codeType: f.codeType,
    beginAt: time('beginAt', f.begin, '2000-01-01T00:00:00Z'),
    endAt: time('endAt', f.end, '2999-12-31T00:00:00Z'),
    term: f.termOn
      ? { startAfterDays: int('term.startAfterDays', f.startAfterDays), validDays: int('term.validDays', f.validDays) }
      : null,
    timeLimits: f.timeLimits.map((row, i) => {
      const begin = row.from === '' ? null : hhmmToMinutes(row.from);
      const end = row.to === '' ? null : hhmmToMinutes(row.to);
      if ((row.from !== '' && begin === null) || (row.to !== '' && end === null) || (begin === null) !== (end === null)) {
        errors.push({ field: `timeLimits.${i}`, key: 'fieldError.timeLimit' });
      }
      return { day: row.day, begin, end };
    }),
    acceptCategory: f.acceptCategory,
    rejectCategory: f.rejectCategory,
    canUseWithOtherDiscount: f.canUseWithOtherDiscount,
  };
  return errors.length > 0 ? { errors, probe: draft } : { draft };
}

/** Fields whose core rule reads another field: a local mistake in the key hides them. */
const READS: Readonly<Record<string, readonly string[]>> = {
  quantity: ['getLimit'],
  'offer.reduceFen': ['offer.leastFen'],
  beginAt: ['endAt'],
};

/**
 * The core's errors for a `probe` draft (the form with its unreadable boxes as
 * stand-ins) that are about what staff typed: not about a stand-in, nor about a rule
 * that reads one. With the local errors, that is every mistake at once.
 */
export function probeErrors(fields: FieldError[], local: LocalError[]): FieldError[] {
  const hidden = new Set(local.flatMap((l) => [l.field, ...(READS[l.field] ?? [])]));
  return fields.filter((f) => !hidden.has(f.field));
}

/** The fields a server error names, first one per field (the form shows one message each). */
export function byField(fields: FieldError[]): Record<string, FieldError> {
  const out: Record<string, FieldError> = {};
  for (const f of fields) out[f.field] ??= f;
  return out;
}

/** The offer as typed so far, for the live preview; null while its boxes cannot be read. */
export function typedOffer(f: TemplateForm): Offer | null {
  switch (f.kind) {
    case 'discount': {
      const percentOff = zheToPercentOff(f.zhe);
      return percentOff === null ? null : { discount: { percentOff } };
    }
    case 'cash': {
      const reduce = parseYuan(f.reduce);
      const least = f.least.trim() === '' ? ({ ok: true, fen: 0 } as const) : parseYuan(f.least);
      return reduce.ok && least.ok ? { cash: { reduceFen: reduce.fen, leastFen: least.fen } } : null;
    }
    case 'groupon':
      return f.dealDetail.trim() === '' ? null : { groupon: { dealDetail: f.dealDetail.trim() } };
    case 'gift':
      return f.gift.trim() === '' ? null : { gift: { gift: f.gift.trim() } };
    case 'general':
      return f.defaultDetail.trim() === '' ? null : { general: { defaultDetail: f.defaultDetail.trim() } };
  }
}
