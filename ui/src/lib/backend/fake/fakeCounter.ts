// The fake backend's coupon templates, counter and settings, mirroring crates/core:
// domain/template.rs (validation, field names), domain/redeem.rs (decide() and the order
// of its refusals), store/templates.rs (links, stock), store/redemptions.rs (one live
// redemption per code, undo within the window) and store/settings.rs.
import type { CodeRow } from '../bindings/CodeRow';
import type { CodeStatus } from '../bindings/CodeStatus';
import type { FieldError } from '../bindings/FieldError';
import type { Offer } from '../bindings/Offer';
import type { Page } from '../bindings/Page';
import type { PageRequest } from '../bindings/PageRequest';
import type { RedeemCheck } from '../bindings/RedeemCheck';
import type { RedeemOutcome } from '../bindings/RedeemOutcome';
import type { RedeemRequest } from '../bindings/RedeemRequest';
import type { Redemption } from '../bindings/Redemption';
import type { Refusal } from '../bindings/Refusal';
import type { Settings } from '../bindings/Settings';
import type { Template } from '../bindings/Template';
import type { TemplateDraft } from '../bindings/TemplateDraft';
import type { TemplateKind } from '../bindings/TemplateKind';
import type { TemplateQuery } from '../bindings/TemplateQuery';
import { apiError } from '../apiError';
import { checkCode } from './codeRule';
import type { BatchEntry, FakeStore } from './fakeStore';

export const COLORS = [
  'Color010',
  'Color020',
  'Color030',
  'Color040',
  'Color050',
  'Color060',
  'Color070',
  'Color080',
  'Color081',
  'Color082',
  'Color090',
  'Color100',
  'Color101',
  'Color102',
] as const;

export const MAX_QUANTITY = 100_000_000;
export const MAX_MONEY_FEN = 100_000_000;

const bytes = (s: string): number => new TextEncoder().encode(s).length;

function fieldError(field: string, code: string, message: string): FieldError {
  return { field, code, message };
}

function bytesMax(e: FieldError[], field: string, value: string, max: number, required: boolean): void {
  const v = value.trim();
  if (required && v === '') e.push(fieldError(field, 'required', 'this field is required'));
  else if (bytes(v) > max) {
    e.push(
      fieldError(field, 'too_long', `at most ${max} bytes (about ${Math.floor(max / 3)} Chinese characters); this has ${bytes(v)}`),
    );
  }
}

export function kindOf(offer: Offer): TemplateKind {
  if ('discount' in offer) return 'discount';
  if ('cash' in offer) return 'cash';
  if ('groupon' in offer) return 'groupon';
  if ('gift' in offer) return 'gift';
  return 'general';
}

const isInt = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n);

/** TemplateDraft::normalise_and_validate: a trimmed copy, or every broken rule. */
export function validateDraft(input: TemplateDraft): { draft: TemplateDraft; errors: FieldError[] } {
  const d: TemplateDraft = structuredClone(input);
  d.title = d.title.trim();
  d.brandName = d.brandName.trim();
  d.color = d.color.trim();
  d.logoUrl = d.logoUrl.trim();
  d.notice = d.notice.trim();
  d.description = d.description.trim();
  d.servicePhone = d.servicePhone.trim();
  d.acceptCategory = d.acceptCategory.trim();
  d.rejectCategory = d.rejectCategory.trim();
  const e: FieldError[] = [];
  bytesMax(e, 'title', d.title, 27, true);
  bytesMax(e, 'brandName', d.brandName, 36, true);
  bytesMax(e, 'notice', d.notice, 48, true);
  bytesMax(e, 'description', d.description, 3072, true);
  bytesMax(e, 'acceptCategory', d.acceptCategory, 512, false);
  bytesMax(e, 'rejectCategory', d.rejectCategory, 512, false);
  if (!(COLORS as readonly string[]).includes(d.color)) {
    e.push(fieldError('color', 'invalid', "choose one of WeChat's card colours (Color010 to Color102)"));
  }
  if (d.logoUrl === '') e.push(fieldError('logoUrl', 'required', 'this field is required'));
  else if (!/^https?:\/\//.test(d.logoUrl) || /\s/.test(d.logoUrl)) {
    e.push(fieldError('logoUrl', 'invalid', 'enter a web address starting with https:// or http://'));
  } else bytesMax(e, 'logoUrl', d.logoUrl, 128, true);
  const phone = d.servicePhone;
  if (phone !== '' && (phone.length > 24 || !/\d/.test(phone) || !/^[0-9+\- ]+$/.test(phone))) {
    e.push(
      fieldError(
        'servicePhone',
        'invalid',
        "a phone number has digits, '-', '+' and spaces, at most 24 characters, e.g. 020-88888888",
      ),
    );
  }
  if (!isInt(d.quantity) || d.quantity < 1 || d.quantity > MAX_QUANTITY) {
    e.push(fieldError('quantity', 'out_of_range', `the stock must be between 1 and ${MAX_QUANTITY}`));
  }
  if (!isInt(d.getLimit) || d.getLimit < 1 || d.getLimit > Math.max(1, d.quantity)) {
    e.push(fieldError('getLimit', 'out_of_range', 'the limit per customer must be at least 1 and at most the stock'));
  }
  const begin = Date.parse(d.beginAt);
  const end = Date.parse(d.endAt);
  if (Number.isNaN(begin)) e.push(fieldError('beginAt', 'invalid', 'enter a date and time'));
  if (Number.isNaN(end)) e.push(fieldError('endAt', 'invalid', 'enter a date and time'));
  else if (!Number.isNaN(begin) && begin >= end) {
    e.push(fieldError('endAt', 'order', 'the end must be later than the beginning'));
  }
  if (d.term !== null) {
    if (!isInt(d.term.startAfterDays) || d.term.startAfterDays < 0 || d.term.startAfterDays > 90) {
      e.push(fieldError('term.startAfterDays', 'out_of_range', 'codes can start at most 90 days after they are issued'));
    }
    if (!isInt(d.term.validDays) || d.term.validDays < 1 || d.term.validDays > 3650) {
      e.push(fieldError('term.validDays', 'out_of_range', 'a code is valid for 1 to 3650 days'));
    }
  }
  d.timeLimits.forEach((l, i) => {
    const ok =
      (l.begin === null && l.end === null) ||
      (l.begin !== null && l.end !== null && l.begin >= 0 && l.end >= 0 && l.begin < 1440 && l.end < 1440);
    if (!ok) {
      e.push(
        fieldError(
          `timeLimits.${i}`,
          'invalid',
          'give both a start and an end time between 00:00 and 23:59, or neither for the whole day',
        ),
      );
    }
  });
  const o = d.offer;
  if ('discount' in o) {
    const p = o.discount.percentOff;
    if (!isInt(p) || p < 1 || p > 99) {
      e.push(fieldError('offer.percentOff', 'out_of_range', 'the discount is 1 to 99 percent off (30 means 30% off, i.e. 7折)'));
    }
  } else if ('cash' in o) {
    const { reduceFen, leastFen } = o.cash;
    if (!isInt(reduceFen) || reduceFen < 1 || reduceFen > MAX_MONEY_FEN) {
      e.push(fieldError('offer.reduceFen', 'out_of_range', 'the amount off must be more than 0 and at most 1,000,000.00'));
    }
    if (!isInt(leastFen) || leastFen < 0 || leastFen > MAX_MONEY_FEN) {
      e.push(fieldError('offer.leastFen', 'out_of_range', 'the least spend must be 0 (any order) up to 1,000,000.00'));
    } else if (leastFen > 0 && reduceFen > leastFen) {
      e.push(fieldError('offer.leastFen', 'order', 'the least spend must be at least the amount off, or 0 for any order'));
    }
  } else if ('groupon' in o) {
    o.groupon.dealDetail = o.groupon.dealDetail.trim();
    bytesMax(e, 'offer.dealDetail', o.groupon.dealDetail, 3072, true);
  } else if ('gift' in o) {
    o.gift.gift = o.gift.gift.trim();
    bytesMax(e, 'offer.gift', o.gift.gift, 3072, true);
  } else {
    o.general.defaultDetail = o.general.defaultDetail.trim();
    bytesMax(e, 'offer.defaultDetail', o.general.defaultDetail, 3072, true);
  }
  return { draft: d, errors: e };
}

/** Offer::reduction. */
export function reduction(offer: Offer, orderFen: number): Refusal | number {
  if (orderFen < 0) return { reason: 'negative_amount' };
  if ('discount' in offer) return Math.floor((orderFen * offer.discount.percentOff) / 100);
  if ('cash' in offer) {
    if (orderFen < offer.cash.leastFen) return { reason: 'below_least_spend', leastFen: offer.cash.leastFen };
    return Math.min(offer.cash.reduceFen, orderFen);
  }
  return 0;
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const WEEKDAYS = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'] as const;
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

interface Shop {
  offset: number;
  holidays: Set<string>;
}

/** The shop-local date of an instant, as a count of days since 1970-01-01. */
const shopDay = (ms: number, shop: Shop): number => Math.floor((ms + shop.offset * MINUTE) / DAY);
const midnightUtc = (day: number, shop: Shop): number => day * DAY - shop.offset * MINUTE;
const dayName = (day: number): string => new Date(day * DAY).toISOString().slice(0, 10);

function applies(kind: string, day: number, shop: Shop): boolean {
  if (kind === 'HOLIDAY') return shop.holidays.has(dayName(day));
  return WEEKDAYS[new Date(day * DAY).getUTCDay()] === kind;
}

function inTimeWindow(t: TemplateDraft, now: number, shop: Shop): boolean {
  const today = shopDay(now, shop);
  const m = Math.floor((now + shop.offset * MINUTE - today * DAY) / MINUTE);
  return t.timeLimits.some((l) => {
    const begin = l.begin ?? 0;
    const end = l.end ?? 1439;
    if (begin <= end) return applies(l.day, today, shop) && m >= begin && m <= end;
    return (applies(l.day, today, shop) && m >= begin) || (applies(l.day, today - 1, shop) && m <= end);
  });
}

export interface Facts {
  status: CodeStatus;
  template: TemplateDraft;
  issuedAt: string;
  customerUses: number | null;
}

/** domain::redeem::decide: the date range, and the reduction or the refusal. */
export function decide(
  f: Facts,
  orderFen: number | null,
  now: number,
  shop: Shop,
): { from: string; until: string; verdict: Refusal | number } {
  const t = f.template;
  let from = Date.parse(t.beginAt);
  let until = Date.parse(t.endAt);
  if (t.term !== null) {
    const issued = Date.parse(f.issuedAt);
    const day0 = shopDay(issued, shop);
    const start = day0 + t.term.startAfterDays;
    const termFrom = t.term.startAfterDays === 0 ? issued : midnightUtc(start, shop);
    from = Math.max(from, termFrom);
    until = Math.min(until, midnightUtc(start + t.term.validDays, shop));
  }
  const verdict = ((): Refusal | number => {
    if (f.status === 'disabled') return { reason: 'disabled' };
    if (f.status === 'expired') return { reason: 'expired', at: iso(until) };
    if (now < from) return { reason: 'not_yet_valid', from: iso(from) };
    if (now >= until) return { reason: 'expired', at: iso(until) };
    if (t.timeLimits.length > 0 && !inTimeWindow(t, now, shop)) return { reason: 'outside_time_window' };
    if (f.customerUses !== null && f.customerUses >= t.getLimit) {
      return { reason: 'customer_limit_reached', limit: t.getLimit };
    }
    const needsAmount = 'discount' in t.offer || 'cash' in t.offer;
    if (orderFen === null) return needsAmount ? { reason: 'amount_required' } : 0;
    return reduction(t.offer, orderFen);
  })();
  return { from: iso(from), until: iso(until), verdict };
}

export function validateSettings(input: Settings): { settings: Settings; errors: FieldError[] } {
  const s: Settings = {
    ...input,
    terminal: input.terminal.trim(),
    operator: input.operator.trim(),
    holidays: [...new Set(input.holidays)].sort(),
  };
  const e: FieldError[] = [];
  const off = s.shopUtcOffsetMinutes;
  if (!isInt(off) || off < -720 || off > 840 || off % 15 !== 0) {
    e.push(
      fieldError(
        'shopUtcOffsetMinutes',
        'out_of_range',
        "the shop's zone must be between UTC-12:00 and UTC+14:00, in steps of 15 minutes",
      ),
    );
  }
  for (const [field, v] of [
    ['terminal', s.terminal],
    ['operator', s.operator],
  ] as const) {
    if (v === '') e.push(fieldError(field, 'required', 'this field is required'));
    else if ([...v].length > 64) e.push(fieldError(field, 'too_long', 'at most 64 characters'));
  }
  if (!isInt(s.undoWindowMinutes) || s.undoWindowMinutes < 0 || s.undoWindowMinutes > 1440) {
    e.push(fieldError('undoWindowMinutes', 'out_of_range', 'the undo window is 0 (no undo) to 1440 minutes (one day)'));
  }
  s.holidays.forEach((h, i) => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(h) || Number.isNaN(Date.parse(`${h}T00:00:00Z`))) {
      e.push(fieldError(`holidays.${i}`, 'invalid', 'a holiday is a date like 2026-10-01'));
    }
  });
  if (s.holidays.length > 366 * 5) e.push(fieldError('holidays', 'too_long', 'at most five years of holidays'));
  return { settings: s, errors: e };
}

interface StoredTemplate {
  id: number;
  draft: TemplateDraft;
  createdAt: string;
  updatedAt: string;
}

interface StoredRedemption extends Redemption {
  /** The code's status before, restored by an undo. */
  before: CodeStatus;
}

export const DEFAULT_SETTINGS: Settings = {
  shopUtcOffsetMinutes: 480,
  holidays: [],
  terminal: 'counter-1',
  operator: 'demo',
  undoWindowMinutes: 10,
};

/** The templates, redemptions and settings beside a FakeStore's batches and codes. */
export class FakeCounter {
  readonly templates = new Map<number, StoredTemplate>();
  readonly redemptions: StoredRedemption[] = [];
  settings: Settings = structuredClone(DEFAULT_SETTINGS);
  private nextTemplate = 1;
  private nextRedemption = 1;

  constructor(private readonly store: FakeStore) {}

  private nowMs(): number {
    return this.store.now().getTime();
  }

  private stored(id: number): StoredTemplate {
    const t = this.templates.get(id);
    if (t === undefined) {
      throw apiError('template_not_found', `no coupon template has the id ${id}; it may have been deleted, reload the list`);
    }
    return t;
  }

  private linked(id: number): BatchEntry[] {
    return [...this.store.batches.values()]
      .filter((e) => e.batch.templateId === id)
      .sort((a, b) => a.batch.ticketType.localeCompare(b.batch.ticketType));
  }

  private view(t: StoredTemplate): Template {
    const batches = this.linked(t.id);
    return {
      id: t.id,
      kind: kindOf(t.draft.offer),
      fields: structuredClone(t.draft),
      codeCount: batches.reduce((n, e) => n + e.codes.length, 0),
      redeemedCount: this.redemptions.filter((r) => r.templateId === t.id && r.undoneAt === null).length,
      batches: batches.map((e) => e.batch.ticketType),
      createdAt: t.createdAt,
      updatedAt: t.updatedAt,
    };
  }

  private validated(draft: TemplateDraft): TemplateDraft {
    const { draft: d, errors } = validateDraft(draft);
    if (errors.length > 0) {
      throw apiError(
        'invalid_fields',
        `some fields need attention: ${errors.map((f) => `${f.field}: ${f.message}`).join('; ')}`,
        errors,
      );
    }
    return d;
  }

  create(draft: TemplateDraft): Template {
    const d = this.validated(draft);
    const at = this.store.stamp();
    const t: StoredTemplate = { id: this.nextTemplate++, draft: d, createdAt: at, updatedAt: at };
    this.templates.set(t.id, t);
    return this.view(t);
  }

  update(id: number, draft: TemplateDraft): Template {
    const d = this.validated(draft);
    const t = this.stored(id);
    const codeCount = this.view(t).codeCount;
    if (d.quantity < codeCount) {
      const f = fieldError('quantity', 'out_of_range', `the stock cannot be lower than the ${codeCount} codes already linked`);
      throw apiError('invalid_fields', `some fields need attention: quantity: ${f.message}`, [f]);
    }
    t.draft = d;
    t.updatedAt = this.store.stamp();
    return this.view(t);
  }

  get(id: number): Template {
    return this.view(this.stored(id));
  }

  list(q: TemplateQuery): Page<Template> {
    const title = q.title?.trim().toLowerCase() ?? '';
    const from = q.beginFrom === null ? null : Date.parse(q.beginFrom);
    const before = q.endBefore === null ? null : Date.parse(q.endBefore);
    const all = [...this.templates.values()]
      .filter(
        (t) =>
          (q.kind === null || kindOf(t.draft.offer) === q.kind) &&
          (from === null || Date.parse(t.draft.beginAt) >= from) &&
          (before === null || Date.parse(t.draft.endAt) < before) &&
          (title === '' || t.draft.title.toLowerCase().includes(title)),
      )
      .sort((a, b) => b.id - a.id);
    const { page, perPage } = q.page;
    const items = all.slice((page - 1) * perPage, page * perPage).map((t) => this.view(t));
    return { items, page, perPage, total: all.length, totalPages: Math.ceil(all.length / perPage) };
  }

  link(id: number, rawType: string): Template {
    const t = this.stored(id);
    const ticketType = rawType.trim();
    const entry = this.store.entry(ticketType);
    const other = entry.batch.templateId;
    if (other === id) return this.view(t);
    if (other !== null) {
      const title = this.templates.get(other)?.draft.title ?? '';
      throw apiError(
        'batch_linked_elsewhere',
        `batch ${ticketType} is already linked to the template "${title}"; unlink it there first`,
      );
    }
    const wouldHave = this.view(t).codeCount + entry.codes.length;
    if (wouldHave > t.draft.quantity) {
      throw apiError(
        'template_over_stock',
        `linking would give this template ${wouldHave} codes but its stock is ${t.draft.quantity}; raise the stock or link a smaller batch`,
      );
    }
    entry.batch.templateId = id;
    entry.batch.updatedAt = this.store.stamp();
    return this.view(t);
  }

  unlink(id: number, rawType: string): Template {
    const t = this.stored(id);
    const ticketType = rawType.trim();
    const entry = this.store.entry(ticketType);
    if (entry.batch.templateId !== id) return this.view(t);
    if (this.redemptions.some((r) => r.templateId === id && r.ticketType === ticketType)) {
      throw apiError(
        'batch_has_redemptions',
        `codes of batch ${ticketType} have been redeemed under this template, so the link must stay; undo those redemptions first`,
      );
    }
    entry.batch.templateId = null;
    entry.batch.updatedAt = this.store.stamp();
    return this.view(t);
  }

  private find(code: string): { entry: BatchEntry; row: CodeRow } | null {
    if (!this.store.allCodes.has(code)) return null;
    for (const entry of this.store.batches.values()) {
      const row = entry.codes.find((c) => c.code === code);
      if (row !== undefined) return { entry, row };
    }
    return null;
  }

  private live(code: string): StoredRedemption | undefined {
    return this.redemptions.find((r) => r.code === code && r.undoneAt === null);
  }

  private checkIn(req: RedeemRequest): {
    check: RedeemCheck;
    found?: { entry: BatchEntry; row: CodeRow; template: StoredTemplate; customer: string | null };
  } {
    const code = req.code.trim();
    const check: RedeemCheck = {
      code,
      refusal: null,
      ticketType: null,
      status: null,
      template: null,
      orderFen: req.orderFen,
      reductionFen: null,
      validFrom: null,
      validUntil: null,
      redemption: null,
    };
    const refuse = (r: Refusal): { check: RedeemCheck } => {
      check.refusal = r;
      return { check };
    };
    if (!checkCode(code).ok) return refuse({ reason: 'malformed' });
    const found = this.find(code);
    if (found === null) return refuse({ reason: 'unknown' });
    const { entry, row } = found;
    check.ticketType = entry.batch.ticketType;
    check.status = row.status;
    const templateId = entry.batch.templateId;
    if (templateId === null) return refuse({ reason: 'not_linked', ticketType: entry.batch.ticketType });
    const template = this.stored(templateId);
    const t = template.draft;
    check.template = {
      id: templateId,
      kind: kindOf(t.offer),
      title: t.title,
      brandName: t.brandName,
      offer: structuredClone(t.offer),
      notice: t.notice,
    };
    if (this.store.busy.has(entry.batch.ticketType)) return refuse({ reason: 'still_importing' });
    if (row.status === 'redeemed') {
      const live = this.live(code);
      check.redemption = live === undefined ? null : publicRedemption(live);
      return refuse(
        live === undefined
          ? { reason: 'already_used', at: iso(0), operator: '', terminal: '' }
          : { reason: 'already_used', at: live.redeemedAt, operator: live.operator, terminal: live.terminal },
      );
    }
    const customer = req.customer?.trim() ?? '';
    const who = customer === '' ? null : customer;
    const customerUses =
      who === null
        ? null
        : this.redemptions.filter((r) => r.templateId === templateId && r.customer === who && r.undoneAt === null).length;
    const shop: Shop = { offset: this.settings.shopUtcOffsetMinutes, holidays: new Set(this.settings.holidays) };
    const { from, until, verdict } = decide(
      { status: row.status, template: t, issuedAt: row.createdAt, customerUses },
      req.orderFen,
      this.nowMs(),
      shop,
    );
    check.validFrom = from;
    check.validUntil = until;
    if (typeof verdict !== 'number') return refuse(verdict);
    check.reductionFen = verdict;
    return { check, found: { entry, row, template, customer: who } };
  }

  check(req: RedeemRequest): RedeemCheck {
    return this.checkIn(req).check;
  }

  redeem(req: RedeemRequest): RedeemOutcome {
    const { check, found } = this.checkIn(req);
    if (found === undefined) return { check, redemption: null };
    const now = this.nowMs();
    const r: StoredRedemption = {
      id: this.nextRedemption++,
      code: check.code,
      ticketType: found.entry.batch.ticketType,
      templateId: found.template.id,
      templateTitle: found.template.draft.title,
      orderFen: req.orderFen,
      reductionFen: check.reductionFen ?? 0,
      customer: found.customer,
      operator: this.settings.operator,
      terminal: this.settings.terminal,
      redeemedAt: iso(now),
      undoUntil: iso(now + this.settings.undoWindowMinutes * MINUTE),
      undoneAt: null,
      undoneBy: null,
      before: found.row.status,
    };
    this.redemptions.push(r);
    found.row.status = 'redeemed';
    found.row.updatedAt = iso(now);
    this.store.recount(found.entry);
    return { check: { ...check, status: 'redeemed' }, redemption: publicRedemption(r) };
  }

  undo(id: number): Redemption {
    const r = this.redemptions.find((x) => x.id === id);
    if (r === undefined) throw apiError('redemption_not_found', `no redemption ${id} exists; reload the list`);
    if (r.undoneAt !== null) {
      throw apiError('redemption_already_undone', `this redemption was already undone at ${r.undoneAt}`);
    }
    const now = this.nowMs();
    if (now > Date.parse(r.undoUntil)) {
      throw apiError(
        'undo_window_passed',
        `the time to undo this redemption ended at ${r.undoUntil}; ask a manager to correct it another way`,
      );
    }
    const found = this.find(r.code);
    if (found === null) throw apiError('code_not_found', `no coupon has the code ${r.code}; check the code`);
    if (found.row.status !== 'redeemed') throw apiError('code_not_redeemed', `the code ${r.code} has no redemption to undo`);
    r.undoneAt = iso(now);
    r.undoneBy = this.settings.operator;
    found.row.status = r.before;
    found.row.updatedAt = iso(now);
    this.store.recount(found.entry);
    return publicRedemption(r);
  }

  listRedemptions(req: PageRequest): Page<Redemption> {
    const all = [...this.redemptions].sort((a, b) => b.id - a.id);
    const start = (req.page - 1) * req.perPage;
    return {
      items: all.slice(start, start + req.perPage).map(publicRedemption),
      page: req.page,
      perPage: req.perPage,
      total: all.length,
      totalPages: Math.ceil(all.length / req.perPage),
    };
  }

  disable(raw: string): CodeStatus {
    const code = raw.trim();
    const found = this.find(code);
    if (found === null) throw apiError('code_not_found', `no coupon has the code ${code}; check the code`);
    const from = found.row.status;
    if (from !== 'issued' && from !== 'active') {
      throw apiError('illegal_transition', `a code that is ${from} cannot become disabled`);
    }
    found.row.status = 'disabled';
    found.row.updatedAt = this.store.stamp();
    this.store.recount(found.entry);
    return 'disabled';
  }

  saveSettings(input: Settings): Settings {
    const { settings, errors } = validateSettings(input);
    if (errors.length > 0) {
      throw apiError(
        'invalid_fields',
        `some settings need attention: ${errors.map((f) => `${f.field}: ${f.message}`).join('; ')}`,
        errors,
      );
    }
    this.settings = settings;
    return structuredClone(settings);
  }
}

function publicRedemption(r: StoredRedemption): Redemption {
  const { before, ...rest } = r;
  void before;
  return { ...rest };
}
