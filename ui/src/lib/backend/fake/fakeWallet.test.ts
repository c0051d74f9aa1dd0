import { beforeEach, describe, expect, it } from 'vitest';

import type { BonusDraft } from '../bindings/BonusDraft';
import type { CounterRequest } from '../bindings/CounterRequest';
import type { VoucherDraft } from '../bindings/VoucherDraft';
import { createFakeBackend, type FakeBackend } from './fakeBackend';
import { parsePhone } from './phone';

async function rejection(p: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await p;
  } catch (e) {
    return e as Record<string, unknown>;
  }
  throw new Error('expected the command to fail');
}

const fieldsOf = (e: Record<string, unknown>): string[] => (e['fields'] as { field: string }[]).map((f) => f.field);
const page = { page: 1, perPage: 20 };

function bonusDraft(over: Partial<BonusDraft> = {}): BonusDraft {
  return {
    amountFen: 200,
    quantity: 1,
    expiredAt: null,
    minAmountFen: 3000,
    xname: 'FB',
    productSku: null,
    enabled: true,
    ...over,
  };
}

function voucherDraft(over: Partial<VoucherDraft> = {}): VoucherDraft {
  return {
    customer: '+86 138 1234 5678',
    customerName: ' 王 ',
    name: ' 全屋打扫 ',
    priceFen: 28800,
    pkg: null,
    introduction: '',
    paid: true,
    ...over,
  };
}

const req = (code: string, orderFen: number | null, over: Partial<CounterRequest> = {}): CounterRequest => ({
  code,
  orderFen,
  customer: null,
  productSku: null,
  ...over,
});

let fake: FakeBackend;
let now = Date.UTC(2026, 5, 1, 4, 0, 0);

beforeEach(() => {
  now = Date.UTC(2026, 5, 1, 4, 0, 0);
  fake = createFakeBackend({ now: () => new Date(now) });
});

describe('phones, as the core reads them', () => {
  it('accepts mobiles the ways people type them', () => {
    for (const ok of [
      '13812345678',
      ' 138 1234 5678 ',
      '138-1234-5678',
      '+86 138 1234 5678',
      '+8613812345678',
      '8613812345678',
      '0086 13812345678',
      '19912345678',
    ]) {
      expect(parsePhone(ok), ok).toEqual({ ok: true, phone: expect.stringMatching(/^1[3-9]\d{9}$/) as unknown });
    }
    expect(parsePhone('+86 138-1234-5678')).toEqual({ ok: true, phone: '13812345678' });
  });

  it('refuses landlines, short, long and foreign numbers', () => {
    expect(parsePhone('')).toEqual({ ok: false, error: 'empty' });
    expect(parsePhone(' - ')).toEqual({ ok: false, error: 'empty' });
    for (const bad of [
      '010-12345678',
      '02112345678',
      '12812345678',
      '1381234567',
      '138123456789',
      '+1 4155552671',
      '1381234567a',
      '８6１３８１２３４５６７８',
      '86 1381234567',
    ]) {
      expect(parsePhone(bad), bad).toEqual({ ok: false, error: 'invalid' });
    }
  });

  it('customers: add, rename, search by phone part or name, field errors', async () => {
    const c = await fake.customerAdd({ phone: '138 1234 5678', name: ' 王小明 ' });
    expect([c.phone, c.name]).toEqual(['13812345678', '王小明']);
    expect((await fake.customerAdd({ phone: '13812345678', name: '' })).name).toBe('王小明');
    expect((await fake.customerAdd({ phone: '13812345678', name: '王大明' })).name).toBe('王大明');
    await fake.customerAdd({ phone: '13900001111', name: 'Li' });
    expect((await fake.customerList('138 1234', page)).items.map((x) => x.phone)).toEqual(['13812345678']);
    expect((await fake.customerList('li', page)).items.map((x) => x.phone)).toEqual(['13900001111']);
    expect((await fake.customerList(null, page)).total).toBe(2);
    const e = await rejection(fake.customerAdd({ phone: '010-12345678', name: '名'.repeat(33) }));
    expect(e['code']).toBe('invalid_fields');
    expect(fieldsOf(e)).toEqual(['phone', 'name']);
  });
});

describe('bonuses', () => {
  it('creates many with 11-letter codes and reports every broken field', async () => {
    const made = await fake.bonusCreate(bonusDraft({ quantity: 5 }));
    expect(made.created).toBe(5);
    expect(new Set(made.codes).size).toBe(5);
    for (const c of made.codes) expect(c).toMatch(/^[A-Z]{11}$/);
    const list = await fake.bonusList({ status: 'N01', customer: null, page });
    expect(list.total).toBe(5);
    expect(list.items[0]?.id).toBeGreaterThan(list.items[4]?.id ?? 0);
    const e = await rejection(
      fake.bonusCreate(bonusDraft({ amountFen: 0, quantity: 0, minAmountFen: -1, xname: 'x'.repeat(65), productSku: '  ' })),
    );
    expect(fieldsOf(e)).toEqual(['amountFen', 'quantity', 'minAmountFen', 'xname']);
  });

  it('computes N03 from the expiry without writing anything', async () => {
    const { firstId } = await fake.bonusCreate(bonusDraft({ expiredAt: '2026-06-01T05:00:00.000Z' }));
    const before = JSON.stringify(fake.wallet.bonuses);
    expect((await fake.bonusGet(firstId)).status).toBe('N01');
    now = Date.UTC(2026, 5, 1, 5, 0, 0);
    expect((await fake.bonusGet(firstId)).status).toBe('N01'); // usable up to and including the instant
    now += 1;
    expect((await fake.bonusGet(firstId)).status).toBe('N03');
    expect((await fake.bonusList({ status: 'N03', customer: null, page })).total).toBe(1);
    expect((await fake.bonusList({ status: 'N01', customer: null, page })).total).toBe(0);
    expect(JSON.stringify(fake.wallet.bonuses)).toBe(before);
    // Expired bonuses can still be disabled, then list as disabled.
    expect((await fake.bonusDisable(firstId)).status).toBe('disabled');
  });

  it('grants once, to a valid phone, and lists one customer\'s bonuses', async () => {
    const { firstId } = await fake.bonusCreate(bonusDraft({ quantity: 2 }));
    const e1 = await rejection(fake.bonusGrant(firstId, '010-12345678', null));
    expect(fieldsOf(e1)).toEqual(['customer']);
    const b = await fake.bonusGrant(firstId, '138 0013 8000', '王');
    expect([b.customer, b.customerName]).toEqual(['13800138000', '王']);
    expect(b.grantedAt).not.toBeNull();
    const e2 = await rejection(fake.bonusGrant(firstId, '13900001111', null));
    expect(e2['code']).toBe('bonus_already_granted');
    expect((await fake.bonusList({ status: null, customer: '+86 13800138000', page })).items.map((x) => x.id)).toEqual([
      firstId,
    ]);
    expect((await fake.bonusList({ status: null, customer: '13900009999', page })).total).toBe(0);
    expect((await fake.customerList('13800138000', page)).total).toBe(1);
    await fake.bonusDisable(firstId + 1);
    expect((await rejection(fake.bonusGrant(firstId + 1, '13800138000', null)))['code']).toBe('bonus_not_grantable');
    expect((await rejection(fake.bonusGrant(999, '13800138000', null)))['code']).toBe('bonus_not_found');
  });

  it('a disabled bonus never redeems, and cannot be disabled again', async () => {
    const off = await fake.bonusCreate(bonusDraft({ enabled: false, minAmountFen: 0 }));
    expect((await fake.bonusGet(off.firstId)).status).toBe('disabled');
    const code = off.codes[0] ?? '';
    const out = await fake.counterUse(req(code, 5000));
    expect(out.kind).toBe('bonus');
    if (out.kind !== 'bonus') return;
    expect(out.check.refusal).toEqual({ reason: 'disabled' });
    expect(out.redeemed).toBeNull();
    expect((await rejection(fake.bonusDisable(off.firstId)))['code']).toBe('bonus_not_disableable');
  });

  it('the minimum is inclusive; the reduction never exceeds the order', async () => {
    const { codes } = await fake.bonusCreate(bonusDraft({ amountFen: 500, minAmountFen: 3000 }));
    const code = codes[0] ?? '';
    const below = await fake.counterCheck(req(code, 2999));
    expect(below.kind === 'bonus' && below.refusal).toEqual({ reason: 'below_min_amount', minFen: 3000 });
    const at = await fake.counterCheck(req(code, 3000));
    expect(at.kind === 'bonus' && [at.refusal, at.reductionFen]).toEqual([null, 500]);
    const small = await fake.bonusCreate(bonusDraft({ amountFen: 500, minAmountFen: 0 }));
    const c2 = await fake.counterCheck(req(small.codes[0] ?? '', 200));
    expect(c2.kind === 'bonus' && c2.reductionFen).toBe(200);
    const neg = await fake.counterCheck(req(small.codes[0] ?? '', -1));
    expect(neg.kind === 'bonus' && neg.refusal).toEqual({ reason: 'negative_amount' });
    const none = await fake.counterCheck(req(small.codes[0] ?? '', null));
    expect(none.kind === 'bonus' && none.refusal).toEqual({ reason: 'amount_required' });
  });

  it('a product-limited bonus needs that product', async () => {
    const { codes } = await fake.bonusCreate(bonusDraft({ minAmountFen: 0, productSku: ' SKU-1 ' }));
    const code = codes[0] ?? '';
    const missing = await fake.counterCheck(req(code, 500));
    expect(missing.kind === 'bonus' && missing.refusal).toEqual({ reason: 'product_required', sku: 'SKU-1' });
    const wrong = await fake.counterCheck(req(code, 500, { productSku: 'SKU-2' }));
    expect(wrong.kind === 'bonus' && wrong.refusal).toEqual({ reason: 'wrong_product', sku: 'SKU-1' });
    const out = await fake.counterUse(req(code, 500, { productSku: ' SKU-1 ' }));
    expect(out.kind === 'bonus' && out.redeemed?.usedProductSku).toBe('SKU-1');
  });

  it('redeems once; the second time is already_used; another customer is refused', async () => {
    const { codes, firstId } = await fake.bonusCreate(bonusDraft({ quantity: 2 }));
    const code = codes[0] ?? '';
    const out = await fake.counterUse(req(code, 3000));
    expect(out.kind).toBe('bonus');
    if (out.kind !== 'bonus') return;
    expect(out.redeemed?.status).toBe('N02');
    expect([out.redeemed?.usedBy, out.redeemed?.usedTerminal, out.redeemed?.usedOrderFen]).toEqual(['demo', 'counter-1', 3000]);
    const again = await fake.counterUse(req(code, 3000));
    expect(again.kind === 'bonus' && again.check.refusal?.reason).toBe('already_used');
    await fake.bonusGrant(firstId + 1, '13800138000', null);
    const other = await fake.counterCheck(req(codes[1] ?? '', 3000, { customer: '13900001111' }));
    expect(other.kind === 'bonus' && other.refusal).toEqual({ reason: 'other_customer' });
    const owner = await fake.counterCheck(req(codes[1] ?? '', 3000, { customer: '138 0013 8000' }));
    expect(owner.kind === 'bonus' && owner.refusal).toBeNull();
    const bearer = await fake.counterCheck(req(codes[1] ?? '', 3000));
    expect(bearer.kind === 'bonus' && bearer.refusal).toBeNull();
    const bad = await rejection(fake.counterCheck(req(codes[1] ?? '', 3000, { customer: '010-1234567' })));
    expect(fieldsOf(bad)).toEqual(['customer']);
  });

  it('exports the current filter as CSV in yuan', async () => {
    await fake.bonusCreate(bonusDraft({ quantity: 3, amountFen: 250 }));
    const report = await fake.bonusExport({ status: 'N01', customer: null, page }, '/out/b.csv');
    expect([report.rows, report.cancelled]).toEqual([3, false]);
    const text = fake.readFile('/out/b.csv') ?? '';
    expect(text.startsWith('\uFEFFid,code,status,amount_yuan,min_amount_yuan')).toBe(true);
    expect(text).toContain(',N01,2.50,30.00,');
  });
});

describe('the counter box', () => {
  it('routes coupon codes to coupons and bonus codes (any case) to bonuses', async () => {
    await fake.batchCreate('T1', 'batch one');
    fake.addFile('/c.csv', 'code\nAAAA0001\n');
    await fake.codesImport('j', '/c.csv', { existing: 'T1' }, { encoding: 'auto', header: 'auto', column: null }, () => {});
    const coupon = await fake.counterCheck(req('AAAA0001', 1000));
    expect(coupon.kind).toBe('coupon');
    expect(coupon.kind === 'coupon' && coupon.refusal).toEqual({ reason: 'not_linked', ticketType: 'T1' });

    const { codes } = await fake.bonusCreate(bonusDraft({ minAmountFen: 0 }));
    const code = codes[0] ?? '';
    const lower = await fake.counterCheck(req(` ${code.toLowerCase()} `, 1000));
    expect(lower.kind).toBe('bonus');
    expect(lower.kind === 'bonus' && [lower.code, lower.refusal, lower.reductionFen]).toEqual([code, null, 200]);

    // 11 letters that no bonus has: the coupon's answer (unknown).
    const unknown = await fake.counterCheck(req('ABCDEFGHIJK', 1000));
    expect(unknown.kind === 'coupon' && unknown.refusal).toEqual({ reason: 'unknown' });
    const malformed = await fake.counterCheck(req('a b', 1000));
    expect(malformed.kind === 'coupon' && malformed.refusal).toEqual({ reason: 'malformed' });
  });
});

describe('vouchers', () => {
  it('sells to a normalised phone, adds the customer, and uses once', async () => {
    const v = await fake.voucherSell(voucherDraft());
    expect([v.customer, v.customerName, v.name, v.valid, v.paid]).toEqual(['13812345678', '王', '全屋打扫', true, true]);
    expect((await fake.customerList(null, page)).items.map((c) => c.phone)).toEqual(['13812345678']);
    const used = await fake.voucherUse(v.id);
    expect([used.valid, used.usedBy, used.usedTerminal]).toEqual([false, 'demo', 'counter-1']);
    expect(used.usedAt).not.toBeNull();
    const e = await rejection(fake.voucherUse(v.id));
    expect(e['code']).toBe('voucher_already_used');
    expect((await rejection(fake.voucherUse(999)))['code']).toBe('voucher_not_found');
  });

  it('reports every broken field in the core\'s order', async () => {
    const e = await rejection(fake.voucherSell(voucherDraft({ customer: '010-12345678', name: ' ', priceFen: -1, pkg: 0 })));
    expect(fieldsOf(e)).toEqual(['customer', 'name', 'priceFen', 'pkg']);
  });

  it('filters by name, nopkg, customer and valid', async () => {
    const a = await fake.voucherSell(voucherDraft());
    await fake.voucherSell(voucherDraft({ name: '空调清洗', pkg: 7, customer: '13900001111' }));
    await fake.voucherUse(a.id);
    const q = { name: null, nopkg: false, customer: null, valid: null, page };
    expect((await fake.voucherList(q)).total).toBe(2);
    expect((await fake.voucherList({ ...q, nopkg: true })).items.map((v) => v.name)).toEqual(['全屋打扫']);
    expect((await fake.voucherList({ ...q, name: '清洗' })).items.map((v) => v.name)).toEqual(['空调清洗']);
    expect((await fake.voucherList({ ...q, valid: true })).items.map((v) => v.name)).toEqual(['空调清洗']);
    expect((await fake.voucherList({ ...q, valid: false })).items.map((v) => v.name)).toEqual(['全屋打扫']);
    expect((await fake.voucherList({ ...q, customer: '139-0000-1111' })).total).toBe(1);
    expect((await fake.voucherList({ ...q, customer: '13700000000' })).total).toBe(0);
    expect(fieldsOf(await rejection(fake.voucherList({ ...q, customer: '12345' })))).toEqual(['customer']);
    const report = await fake.voucherExport({ ...q, nopkg: true }, '/out/v.csv');
    expect(report.rows).toBe(1);
    expect(fake.readFile('/out/v.csv')).toContain('13812345678,王,全屋打扫,288.00,,');
  });
});
