import { beforeEach, describe, expect, it } from 'vitest';

import type { TemplateDraft } from '../bindings/TemplateDraft';
import { createFakeBackend, type FakeBackend } from './fakeBackend';

async function rejection(p: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await p;
  } catch (e) {
    return e as Record<string, unknown>;
  }
  throw new Error('expected the command to fail');
}

const fieldsOf = (e: Record<string, unknown>): string[] =>
  (e['fields'] as { field: string }[]).map((f) => f.field).sort();

function cashDraft(): TemplateDraft {
  return {
    offer: { cash: { reduceFen: 2000, leastFen: 10000 } },
    title: '满100减20',
    brandName: '海底捞',
    color: 'Color010',
    logoUrl: 'https://example.com/logo.png',
    notice: '使用时向服务员出示此券',
    description: '不可与其他优惠同享',
    servicePhone: '020-88888888',
    quantity: 1000,
    getLimit: 1,
    codeType: 'CODE_TYPE_TEXT',
    beginAt: '2026-01-01T00:00:00Z',
    endAt: '2027-01-01T00:00:00Z',
    term: null,
    timeLimits: [],
    acceptCategory: '',
    rejectCategory: '',
    canUseWithOtherDiscount: false,
  };
}

let fake: FakeBackend;
let now = Date.UTC(2026, 5, 1, 4, 0, 0);

beforeEach(async () => {
  now = Date.UTC(2026, 5, 1, 4, 0, 0); // 2026-06-01 12:00 in the shop (a Monday)
  fake = createFakeBackend({ now: () => new Date(now) });
  await fake.batchCreate('T1', 'batch one');
  fake.addFile('/c.csv', 'code\nAAAA0001\nAAAA0002\nAAAA0003\n');
  await fake.codesImport('j', '/c.csv', { existing: 'T1' }, { encoding: 'auto', header: 'auto', column: null }, () => {});
});

describe('templates', () => {
  it('creates, trims, gets and lists a page like every other list', async () => {
    const t = await fake.templateCreate({ ...cashDraft(), title: '  满100减20 ' });
    expect([t.kind, t.fields.title, t.codeCount, t.batches]).toEqual(['cash', '满100减20', 0, []]);
    expect((await fake.templateGet(t.id)).id).toBe(t.id);
    await fake.templateCreate({ ...cashDraft(), offer: { discount: { percentOff: 30 } }, title: '7折' });
    const all = await fake.templateList({ kind: null, beginFrom: null, endBefore: null, title: null, page: { page: 1, perPage: 1 } });
    expect(all).toMatchObject({ total: 2, page: 1, perPage: 1, totalPages: 2 });
    expect(all.items).toHaveLength(1);
    expect(all.items[0]?.fields.title).toBe('7折');
    const cash = await fake.templateList({ kind: 'cash', beginFrom: null, endBefore: null, title: null, page: { page: 1, perPage: 20 } });
    expect(cash.items.map((x) => x.fields.title)).toEqual(['满100减20']);
    const none = await fake.templateList({
      kind: null,
      beginFrom: '2026-01-01T00:00:01Z',
      endBefore: null,
      title: null,
      page: { page: 1, perPage: 20 },
    });
    expect(none.total).toBe(0);
    const ends = await fake.templateList({ kind: null, beginFrom: null, endBefore: '2027-01-01T00:00:00Z', title: null, page: { page: 1, perPage: 20 } });
    expect(ends.total).toBe(0);
    expect(await rejection(fake.templateGet(99))).toMatchObject({ code: 'template_not_found' });
  });

  it('reports every broken field at once, with the core field names', async () => {
    const bad: TemplateDraft = {
      ...cashDraft(),
      title: ' ',
      brandName: '',
      notice: '',
      description: '',
      logoUrl: '',
      color: 'Red',
      quantity: 0,
      getLimit: 5,
      endAt: '2025-01-01T00:00:00Z',
      offer: { cash: { reduceFen: 0, leastFen: -1 } },
      timeLimits: [{ day: 'MONDAY', begin: 600, end: null }],
    };
    const e = await rejection(fake.templateCreate(bad));
    expect(e['code']).toBe('invalid_fields');
    expect(fieldsOf(e)).toEqual(
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
    const order = await rejection(fake.templateCreate({ ...cashDraft(), offer: { cash: { reduceFen: 3000, leastFen: 2000 } } }));
    expect(order['fields']).toEqual([expect.objectContaining({ field: 'offer.leastFen', code: 'order' })]);
    expect(fieldsOf(await rejection(fake.templateCreate({ ...cashDraft(), offer: { discount: { percentOff: 100 } } })))).toEqual([
      'offer.percentOff',
    ]);
    expect(fieldsOf(await rejection(fake.templateCreate({ ...cashDraft(), title: '一二三四五六七八九十' })))).toEqual(['title']);
    const free = await fake.templateCreate({ ...cashDraft(), offer: { cash: { reduceFen: 500, leastFen: 0 } } });
    expect(free.kind).toBe('cash');
  });

  it('links batches within stock, once, and unlinks them', async () => {
    const t = await fake.templateCreate({ ...cashDraft(), quantity: 3 });
    const linked = await fake.templateLinkBatch(t.id, 'T1', null);
    expect([linked.batches, linked.codeCount]).toEqual([['T1'], 3]);
    expect((await fake.batchGet('T1')).templateId).toBe(t.id);
    expect((await fake.templateLinkBatch(t.id, 'T1', null)).codeCount).toBe(3);
    const other = await fake.templateCreate(cashDraft());
    expect(await rejection(fake.templateLinkBatch(other.id, 'T1', null))).toMatchObject({ code: 'batch_linked_elsewhere' });
    expect(await rejection(fake.templateLinkBatch(other.id, 'NOPE', null))).toMatchObject({ code: 'batch_not_found' });
    await fake.templateUnlinkBatch(t.id, 'T1');
    const small = await fake.templateCreate({ ...cashDraft(), quantity: 2, getLimit: 1 });
    expect(await rejection(fake.templateLinkBatch(small.id, 'T1', null))).toMatchObject({ code: 'template_over_stock' });
    expect(await rejection(fake.templateUpdate(t.id, { ...cashDraft(), title: '' }))).toMatchObject({ code: 'invalid_fields' });
  });
});

describe('counter', () => {
  let templateId = 0;
  beforeEach(async () => {
    templateId = (await fake.templateCreate({ ...cashDraft(), getLimit: 1 })).id;
    await fake.templateLinkBatch(templateId, 'T1', null);
  });

  const req = (code: string, orderFen: number | null, customer: string | null = null) => ({ code, orderFen, customer });

  it('refuses in the order of decide()', async () => {
    const reason = async (r: ReturnType<typeof req>): Promise<string | undefined> =>
      (await fake.redeemCheck(r)).refusal?.reason;
    expect(await reason(req('a b', 10000))).toBe('malformed');
    expect(await reason(req('ZZZZ9999', 10000))).toBe('unknown');
    await fake.batchCreate('T2', 'unlinked');
    fake.addFile('/d.csv', 'code\nBBBB0001\n');
    await fake.codesImport('k', '/d.csv', { existing: 'T2' }, { encoding: 'auto', header: 'auto', column: null }, () => {});
    expect(await fake.redeemCheck(req('BBBB0001', 10000))).toMatchObject({ refusal: { reason: 'not_linked', ticketType: 'T2' } });
    expect(await reason(req('AAAA0001', null))).toBe('amount_required');
    expect(await reason(req('AAAA0001', -1))).toBe('negative_amount');
    expect((await fake.redeemCheck(req('AAAA0001', 9999))).refusal).toEqual({ reason: 'below_least_spend', leastFen: 10000 });
    const ok = await fake.redeemCheck(req(' AAAA0001 ', 12000));
    expect([ok.refusal, ok.code, ok.reductionFen, ok.template?.title, ok.validFrom, ok.validUntil]).toEqual([
      null,
      'AAAA0001',
      2000,
      '满100减20',
      '2026-01-01T00:00:00Z',
      '2027-01-01T00:00:00Z',
    ]);
    now = Date.UTC(2027, 0, 1);
    expect((await fake.redeemCheck(req('AAAA0001', 12000))).refusal).toEqual({ reason: 'expired', at: '2027-01-01T00:00:00Z' });
    now = Date.UTC(2025, 0, 1);
    expect(await reason(req('AAAA0001', 12000))).toBe('not_yet_valid');
    now = Date.UTC(2026, 5, 1, 4);
    expect(await fake.codeDisable('AAAA0003')).toBe('disabled');
    expect(await reason(req('AAAA0003', 12000))).toBe('disabled');
    expect(await rejection(fake.codeDisable('AAAA0003'))).toMatchObject({ code: 'illegal_transition' });
  });

  it('honours time windows in the shop zone', async () => {
    const t = await fake.templateUpdate(templateId, {
      ...cashDraft(),
      timeLimits: [{ day: 'MONDAY', begin: 600, end: 659 }],
    });
    expect(t.fields.timeLimits).toHaveLength(1);
    now = Date.UTC(2026, 5, 1, 2, 30); // Monday 10:30 in the shop
    expect((await fake.redeemCheck(req('AAAA0001', 12000))).refusal).toBeNull();
    now = Date.UTC(2026, 5, 1, 3, 0); // Monday 11:00
    expect((await fake.redeemCheck(req('AAAA0001', 12000))).refusal?.reason).toBe('outside_time_window');
  });

  it('redeems once, refuses a second time, and undoes within the window', async () => {
    const out = await fake.redeemUse(req('AAAA0001', 12000, 'alice'));
    expect(out.redemption).toMatchObject({ code: 'AAAA0001', reductionFen: 2000, customer: 'alice', operator: 'demo' });
    expect((await fake.batchGet('T1')).usedCodes).toBe(1);
    expect((await fake.templateGet(templateId)).redeemedCount).toBe(1);
    const again = await fake.redeemUse(req('AAAA0001', 12000));
    expect([again.redemption, again.check.refusal?.reason, again.check.redemption?.id]).toEqual([null, 'already_used', out.redemption?.id]);
    expect((await fake.redeemCheck(req('AAAA0002', 12000, 'alice'))).refusal).toEqual({
      reason: 'customer_limit_reached',
      limit: 1,
    });
    expect(await rejection(fake.templateUnlinkBatch(templateId, 'T1'))).toMatchObject({ code: 'batch_has_redemptions' });

    const id = out.redemption?.id ?? 0;
    const undone = await fake.redeemUndo(id);
    expect(undone.undoneAt).not.toBeNull();
    expect(await rejection(fake.redeemUndo(id))).toMatchObject({ code: 'redemption_already_undone' });
    expect((await fake.batchGet('T1')).usedCodes).toBe(0);
    expect((await fake.redeemCheck(req('AAAA0001', 12000))).refusal).toBeNull();

    const second = await fake.redeemUse(req('AAAA0001', 12000));
    now += 11 * 60_000;
    expect(await rejection(fake.redeemUndo(second.redemption?.id ?? 0))).toMatchObject({ code: 'undo_window_passed' });
    expect(await rejection(fake.redeemUndo(999))).toMatchObject({ code: 'redemption_not_found' });
    const list = await fake.redemptionList({ page: 1, perPage: 10 });
    expect(list.items.map((r) => r.id)).toEqual([second.redemption?.id, id]);
  });
});

describe('settings', () => {
  it('has defaults, validates and saves', async () => {
    const s = await fake.settingsGet();
    expect(s.shopUtcOffsetMinutes).toBe(480);
    const e = await rejection(fake.settingsSave({ ...s, terminal: ' ', undoWindowMinutes: 2000, shopUtcOffsetMinutes: 7 }));
    expect(fieldsOf(e)).toEqual(['shopUtcOffsetMinutes', 'terminal', 'undoWindowMinutes']);
    const saved = await fake.settingsSave({ ...s, operator: ' 小王 ', holidays: ['2026-10-02', '2026-10-01', '2026-10-01'] });
    expect([saved.operator, saved.holidays]).toEqual(['小王', ['2026-10-01', '2026-10-02']]);
    expect((await fake.settingsGet()).operator).toBe('小王');
  });
});

describe('seed', () => {
  it('links a cash template to a seeded batch, so its issued codes redeem', async () => {
    const seeded = createFakeBackend({ seed: true });
    const codes = await seeded.codesList({ ticketType: 'SPRING2026', status: 'issued', search: null, page: { page: 1, perPage: 1 } });
    const code = codes.items[0]?.code ?? '';
    const check = await seeded.redeemCheck({ code, orderFen: 15000, customer: null });
    expect([check.refusal, check.reductionFen, check.template?.kind]).toEqual([null, 2000, 'cash']);
  });
});
