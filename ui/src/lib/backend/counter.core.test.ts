// Templates, the counter's decisions, undo and settings, through http.ts against the real
// core. The core reads the real clock, so dates are set relative to now (the shop's zone
// is UTC+08:00 by default).
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { AUTO, fieldsOf, freshCore, page, rejection, seededCore, tempFile, withStaff } from '../../test/core';
import type { Backend } from './backend';
import type { CounterCheck } from './bindings/CounterCheck';
import type { CounterRequest } from './bindings/CounterRequest';
import type { TemplateDraft } from './bindings/TemplateDraft';

const DAY = 86_400_000;
/** An instant as the core writes it: whole seconds, `Z`. */
const iso = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
const BEGIN = iso(today - 30 * DAY);
const END = iso(today + 365 * DAY);

function cashDraft(over: Partial<TemplateDraft> = {}): TemplateDraft {
  return {
    offer: { cash: { reduceFen: 2000, leastFen: 10000 } },
    title: '满100减20',
    brandName: '海底捞',
    color: 'Color010',
    logoUrl: 'https://example.com/logo.png',
    logoImage: null,
    notice: '使用时向服务员出示此券',
    description: '不可与其他优惠同享',
    servicePhone: '020-88888888',
    quantity: 1000,
    getLimit: 1,
    codeType: 'CODE_TYPE_TEXT',
    beginAt: BEGIN,
    endAt: END,
    term: null,
    timeLimits: [],
    acceptCategory: '',
    rejectCategory: '',
    canUseWithOtherDiscount: false,
    ...over,
  };
}

const req = (code: string, orderFen: number | null, customer: string | null = null): CounterRequest => ({
  code,
  orderFen,
  customer,
  productSku: null,
});

/** The coupon half of a counter check (these codes are never bonuses). */
function coupon(c: CounterCheck): Extract<CounterCheck, { kind: 'coupon' }> {
  if (c.kind !== 'coupon') throw new Error(`expected a coupon answer, got ${JSON.stringify(c)}`);
  return c;
}

let b: Backend;
let batchNo = 0;
let serial = 0;
/** A code no other test of this file uses. */
const fresh = (head: string): string => `${head}${++serial}X0001`;
/** A new batch of `codes` (imported), its ticket type returned. */
async function batchWith(codes: string[]): Promise<string> {
  batchNo += 1;
  const type = `T${batchNo}`;
  const file = tempFile('c.csv', `code\n${codes.join('\n')}\n`);
  await b.codesImport(`j${batchNo}`, file, { new: { ticketType: type, name: `batch ${batchNo}` } }, AUTO, () => {});
  return type;
}

// Everything here is done by the shop's owner, logged in: redemptions name them.
let owner = '';
beforeAll(async () => {
  b = await freshCore();
  owner = await withStaff(b);
});

describe('templates', () => {
  it('creates, trims, gets and lists a page like every other list', async () => {
    const t = await b.templateCreate(cashDraft({ title: '  满100减20 ' }));
    expect([t.kind, t.fields.title, t.codeCount, t.batches]).toEqual(['cash', '满100减20', 0, []]);
    expect((await b.templateGet(t.id)).id).toBe(t.id);
    await b.templateCreate(cashDraft({ offer: { discount: { percentOff: 30 } }, title: '7折' }));
    const q = { kind: null, beginFrom: null, endBefore: null, title: null, page: { page: 1, perPage: 20 } };
    const all = await b.templateList(q);
    const total = all.total;
    expect(total).toBeGreaterThanOrEqual(2);
    const one = await b.templateList({ ...q, page: { page: 1, perPage: 1 } });
    expect([one.total, one.items.length, one.page, one.perPage, one.totalPages]).toEqual([total, 1, 1, 1, total]);
    expect(one.items[0]?.fields.title).toBe('7折');
    const discount = await b.templateList({ ...q, kind: 'discount', title: '7折' });
    expect(discount.items.map((x) => x.fields.title)).toEqual(['7折']);
    const later = await b.templateList({ ...q, beginFrom: iso(today - 30 * DAY + 1000) });
    expect(later.items.filter((x) => x.id === t.id)).toEqual([]);
    const ends = await b.templateList({ ...q, endBefore: END });
    expect(ends.items.filter((x) => x.id === t.id)).toEqual([]);
    expect(await rejection(b.templateGet(99_999))).toMatchObject({ code: 'template_not_found' });
  });

  it('reports every broken field at once, with the core field names', async () => {
    const bad = cashDraft({
      title: ' ',
      brandName: '',
      notice: '',
      description: '',
      logoUrl: '',
      color: 'Red',
      quantity: 0,
      getLimit: 5,
      endAt: iso(today - 60 * DAY),
      offer: { cash: { reduceFen: 0, leastFen: -1 } },
      timeLimits: [{ day: 'MONDAY', begin: 600, end: null }],
    });
    const e = await rejection(b.templateCreate(bad));
    expect(e.code).toBe('invalid_fields');
    expect([...fieldsOf(e)].sort()).toEqual(
      [
        'brandName',
        'color',
        'description',
        'endAt',
        'getLimit',
        'logoUrl',
        'notice',
        'offer.leastFen',
        'offer.reduceFen',
        'quantity',
        'timeLimits.0',
        'title',
      ].sort(),
    );
    const order = await rejection(b.templateCreate(cashDraft({ offer: { cash: { reduceFen: 3000, leastFen: 2000 } } })));
    expect(order.fields).toEqual([expect.objectContaining({ field: 'offer.leastFen', code: 'order' })]);
    expect(fieldsOf(await rejection(b.templateCreate(cashDraft({ offer: { discount: { percentOff: 100 } } }))))).toEqual([
      'offer.percentOff',
    ]);
    expect(fieldsOf(await rejection(b.templateCreate(cashDraft({ title: '一二三四五六七八九十' }))))).toEqual(['title']);
    const free = await b.templateCreate(cashDraft({ offer: { cash: { reduceFen: 500, leastFen: 0 } } }));
    expect(free.kind).toBe('cash');
  });

  it('links batches within stock, once, and unlinks them', async () => {
    const type = await batchWith(['LNKA0001', 'LNKA0002', 'LNKA0003']);
    const t = await b.templateCreate(cashDraft({ quantity: 3 }));
    const linked = await b.templateLinkBatch(t.id, type, null);
    expect([linked.batches, linked.codeCount]).toEqual([[type], 3]);
    expect((await b.batchGet(type)).templateId).toBe(t.id);
    expect((await b.templateLinkBatch(t.id, type, null)).codeCount).toBe(3);
    const other = await b.templateCreate(cashDraft());
    expect(await rejection(b.templateLinkBatch(other.id, type, null))).toMatchObject({ code: 'batch_linked_elsewhere' });
    expect(await rejection(b.templateLinkBatch(other.id, 'NOPE', null))).toMatchObject({ code: 'batch_not_found' });
    await b.templateUnlinkBatch(t.id, type);
    const small = await b.templateCreate(cashDraft({ quantity: 2, getLimit: 1 }));
    const over = await rejection(b.templateLinkBatch(small.id, type, null));
    expect(over).toMatchObject({
      code: 'template_over_stock',
      fields: [{ field: 'quantity', code: 'over_stock', message: 'the stock is 2; linking would give 3 codes' }],
    });
    expect(over.message).toContain('3 codes but its stock is 2');
    expect(await rejection(b.templateUpdate(t.id, cashDraft({ title: '' })))).toMatchObject({ code: 'invalid_fields' });
    // The check gives every field error of a draft at once and saves nothing.
    const listed = (await b.templateList({ kind: null, beginFrom: null, endBefore: null, title: null, page: { page: 1, perPage: 1 } })).total;
    expect((await b.templateCheck(cashDraft({ title: '', notice: '', quantity: 0, getLimit: 2 }))).map((f) => f.field)).toEqual([
      'title',
      'notice',
      'quantity',
      'getLimit',
    ]);
    expect(await b.templateCheck(cashDraft())).toEqual([]);
    expect((await b.templateList({ kind: null, beginFrom: null, endBefore: null, title: null, page: { page: 1, perPage: 1 } })).total).toBe(listed);
  });
});

describe('counter', () => {
  let templateId = 0;
  let codes: string[] = [];
  let type = '';
  beforeEach(async () => {
    const head = fresh('C');
    codes = [1, 2, 3].map((i) => `${head}${i}`);
    type = await batchWith(codes);
    templateId = (await b.templateCreate(cashDraft({ getLimit: 1 }))).id;
    await b.templateLinkBatch(templateId, type, null);
  });

  const reason = async (r: CounterRequest): Promise<string | undefined> =>
    coupon(await b.counterCheck(r)).refusal?.reason;

  it('refuses in the order of decide()', async () => {
    const [a = '', , c = ''] = codes;
    expect(await reason(req('a b', 10000))).toBe('malformed');
    expect(await reason(req('ZZZZ9999', 10000))).toBe('unknown');
    const lone = fresh('U');
    const unlinked = await batchWith([lone]);
    expect(coupon(await b.counterCheck(req(lone, 10000)))).toMatchObject({
      refusal: { reason: 'not_linked', ticketType: unlinked },
    });
    expect(await reason(req(a, null))).toBe('amount_required');
    expect(await reason(req(a, -1))).toBe('negative_amount');
    expect(coupon(await b.counterCheck(req(a, 9999))).refusal).toEqual({ reason: 'below_least_spend', leastFen: 10000 });
    const ok = coupon(await b.counterCheck(req(` ${a} `, 12000)));
    expect([ok.refusal, ok.code, ok.reductionFen, ok.template?.title, ok.validFrom, ok.validUntil]).toEqual([
      null,
      a,
      2000,
      '满100减20',
      BEGIN,
      END,
    ]);
    // Dates: a template that ended, and one that has not begun (the clock is the core's).
    const ended = await b.templateCreate(cashDraft({ beginAt: '2020-01-01T00:00:00Z', endAt: '2021-01-01T00:00:00Z' }));
    const oldCode = fresh('OLD');
    await b.templateLinkBatch(ended.id, await batchWith([oldCode]), null);
    expect(coupon(await b.counterCheck(req(oldCode, 12000))).refusal).toEqual({
      reason: 'expired',
      at: '2021-01-01T00:00:00Z',
    });
    const future = await b.templateCreate(cashDraft({ beginAt: '2098-01-01T00:00:00Z', endAt: '2099-01-01T00:00:00Z' }));
    // The list's 未开始/进行中/已结束 comes from the core (domain/template.rs TemplateStatus).
    expect([ended.status, future.status, (await b.templateGet(templateId)).status]).toEqual([
      'ended',
      'not_started',
      'running',
    ]);
    const soonCode = fresh('SOON');
    await b.templateLinkBatch(future.id, await batchWith([soonCode]), null);
    expect(await reason(req(soonCode, 12000))).toBe('not_yet_valid');
    expect(await b.codeDisable(c)).toBe('disabled');
    expect(await reason(req(c, 12000))).toBe('disabled');
    expect(await rejection(b.codeDisable(c))).toMatchObject({ code: 'illegal_transition' });
  });

  it('honours time windows in the shop zone', async () => {
    const [a = ''] = codes;
    const settings = await b.settingsGet();
    const shopNow = new Date(Date.now() + settings.shopUtcOffsetMinutes * 60_000);
    const days = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'] as const;
    const todayInShop = days[shopNow.getUTCDay()] ?? 'MONDAY';
    const otherDay = days[(shopNow.getUTCDay() + 3) % 7] ?? 'MONDAY';
    const t = await b.templateUpdate(templateId, cashDraft({ timeLimits: [{ day: todayInShop, begin: 0, end: 1439 }] }));
    expect(t.fields.timeLimits).toHaveLength(1);
    expect(coupon(await b.counterCheck(req(a, 12000))).refusal).toBeNull();
    await b.templateUpdate(templateId, cashDraft({ timeLimits: [{ day: otherDay, begin: null, end: null }] }));
    expect(await reason(req(a, 12000))).toBe('outside_time_window');
  });

  it('redeems once, refuses a second time, and undoes within the window', async () => {
    const [a = '', bCode = ''] = codes;
    const out = await b.counterUse(req(a, 12000, 'alice'));
    if (out.kind !== 'coupon') throw new Error('a coupon code');
    const settings = await b.settingsGet();
    expect(out.redemption).toMatchObject({ code: a, reductionFen: 2000, customer: 'alice', operator: owner });
    expect((await b.batchGet(type)).usedCodes).toBe(1);
    expect((await b.templateGet(templateId)).redeemedCount).toBe(1);
    const again = await b.counterUse(req(a, 12000));
    if (again.kind !== 'coupon') throw new Error('a coupon code');
    expect([again.redemption, again.check.refusal?.reason, again.check.redemption?.id]).toEqual([
      null,
      'already_used',
      out.redemption?.id,
    ]);
    expect(coupon(await b.counterCheck(req(bCode, 12000, 'alice'))).refusal).toEqual({
      reason: 'customer_limit_reached',
      limit: 1,
    });
    expect(await rejection(b.templateUnlinkBatch(templateId, type))).toMatchObject({ code: 'batch_has_redemptions' });

    const id = out.redemption?.id ?? 0;
    const undone = await b.redeemUndo(id);
    expect(undone.undoneAt).not.toBeNull();
    expect(await rejection(b.redeemUndo(id))).toMatchObject({ code: 'redemption_already_undone' });
    expect((await b.batchGet(type)).usedCodes).toBe(0);
    expect(coupon(await b.counterCheck(req(a, 12000))).refusal).toBeNull();

    // With the window at 0 minutes undo is off: the real clock needs no waiting.
    await b.settingsSave({ ...settings, undoWindowMinutes: 0 });
    const second = await b.counterUse(req(a, 12000));
    const secondId = second.kind === 'coupon' ? (second.redemption?.id ?? 0) : 0;
    expect(await rejection(b.redeemUndo(secondId))).toMatchObject({ code: 'undo_window_passed' });
    await b.settingsSave(settings);
    expect(await rejection(b.redeemUndo(999_999))).toMatchObject({ code: 'redemption_not_found' });
    const list = await b.redemptionList({ page: 1, perPage: 2 });
    expect(list.items.map((r) => r.id)).toEqual([secondId, id]);
  });
});

describe('settings', () => {
  it('has defaults, validates and saves', async () => {
    const s = await b.settingsGet();
    expect(s.shopUtcOffsetMinutes).toBe(480);
    const e = await rejection(b.settingsSave({ ...s, terminal: ' ', undoWindowMinutes: 2000, shopUtcOffsetMinutes: 7 }));
    expect([...fieldsOf(e)].sort()).toEqual(['shopUtcOffsetMinutes', 'terminal', 'undoWindowMinutes']);
    expect(s.autoLockMinutes).toBe(10);
    expect(fieldsOf(await rejection(b.settingsSave({ ...s, autoLockMinutes: 0 })))).toEqual(['autoLockMinutes']);
    expect(fieldsOf(await rejection(b.settingsSave({ ...s, autoLockMinutes: 241 })))).toEqual(['autoLockMinutes']);
    const saved = await b.settingsSave({ ...s, autoLockMinutes: 240, holidays: ['2026-10-02', '2026-10-01', '2026-10-01'] });
    expect([saved.autoLockMinutes, saved.holidays]).toEqual([240, ['2026-10-01', '2026-10-02']]);
    expect((await b.settingsGet()).autoLockMinutes).toBe(240);
    expect((await b.staffSession()).autoLockMinutes).toBe(240);
    await b.settingsSave(s);
  });
});

describe('the demo seed', () => {
  it('links a cash template to SPRING2026, so its issued codes redeem', async () => {
    const seeded = seededCore();
    const codes = await seeded.codesList({ ticketType: 'SPRING2026', status: 'issued', search: null, page: page(1, 1) });
    const check = coupon(await seeded.counterCheck(req(codes.items[0]?.code ?? '', 15000)));
    expect([check.refusal, check.reductionFen, check.template?.kind]).toEqual([null, 2000, 'cash']);
  });
});
