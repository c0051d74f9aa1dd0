// Customers, bonuses, vouchers and the counter box, through http.ts against the real core
// (a database of this file's own; the real clock).
import { join } from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';

import { AUTO, fieldsOf, freshCore, page, readText, rejection, tempDir, tempFile, withStaff } from '../../test/core';
import type { Backend } from './backend';
import type { BonusDraft } from './bindings/BonusDraft';
import type { CounterCheck } from './bindings/CounterCheck';
import type { CounterRequest } from './bindings/CounterRequest';
import type { VoucherDraft } from './bindings/VoucherDraft';

function bonusDraft(over: Partial<BonusDraft> = {}): BonusDraft {
  return { amountFen: 200, quantity: 1, expiredAt: null, minAmountFen: 3000, xname: 'FB', productSku: null, enabled: true, ...over };
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

function bonus(c: CounterCheck): Extract<CounterCheck, { kind: 'bonus' }> {
  if (c.kind !== 'bonus') throw new Error(`expected a bonus answer, got ${JSON.stringify(c)}`);
  return c;
}

let b: Backend;
// Done by the shop's owner, logged in: uses name them (and they see phones in full).
let owner = '';
beforeAll(async () => {
  b = await freshCore();
  owner = await withStaff(b);
});

describe('phones, as the core reads them', () => {
  it('accepts mobiles the ways people type them', async () => {
    for (const ok of [
      '13812345678',
      ' 138 1234 5678 ',
      '138-1234-5678',
      '+86 138 1234 5678',
      '+8613812345678',
      '8613812345678',
      '0086 13812345678',
      '+86 138-1234-5678',
    ]) {
      expect((await b.customerAdd({ phone: ok, name: '' })).phone, ok).toBe('13812345678');
    }
    expect((await b.customerAdd({ phone: '19912345678', name: '' })).phone).toBe('19912345678');
  });

  it('refuses empty, landline, short, long and foreign numbers', async () => {
    const refused = async (phone: string): Promise<string | undefined> => {
      const e = await rejection(b.customerAdd({ phone, name: '' }));
      expect(fieldsOf(e), phone).toEqual(['phone']);
      return e.fields[0]?.code;
    };
    expect(await refused('')).toBe('required');
    expect(await refused(' - ')).toBe('required');
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
      expect(await refused(bad), bad).toBe('invalid');
    }
  });

  it('customers: add, rename, search by phone part or name, field errors', async () => {
    const c = await b.customerAdd({ phone: '137 1234 5678', name: ' 王小明 ' });
    expect([c.phone, c.name]).toEqual(['13712345678', '王小明']);
    expect((await b.customerAdd({ phone: '13712345678', name: '' })).name).toBe('王小明');
    expect((await b.customerAdd({ phone: '13712345678', name: '王大明' })).name).toBe('王大明');
    await b.customerAdd({ phone: '13600001111', name: 'Li' });
    expect((await b.customerList('137 1234', page())).items.map((x) => x.phone)).toEqual(['13712345678']);
    expect((await b.customerList('li', page())).items.map((x) => x.phone)).toEqual(['13600001111']);
    expect((await b.customerList('1360000', page())).total).toBe(1);
    const e = await rejection(b.customerAdd({ phone: '010-12345678', name: '名'.repeat(33) }));
    expect(e.code).toBe('invalid_fields');
    expect(fieldsOf(e)).toEqual(['phone', 'name']);
  });
});

describe('bonuses', () => {
  it('creates many with 11-letter codes and reports every broken field', async () => {
    const before = (await b.bonusList({ status: 'N01', customer: null, run: null, page: page() })).total;
    const made = await b.bonusCreate(bonusDraft({ quantity: 5 }));
    expect(made.created).toBe(5);
    expect(new Set(made.codes).size).toBe(5);
    for (const c of made.codes) expect(c).toMatch(/^[A-Z]{11}$/);
    const list = await b.bonusList({ status: 'N01', customer: null, run: null, page: page() });
    expect(list.total).toBe(before + 5);
    expect(list.items[0]?.id).toBeGreaterThan(list.items[4]?.id ?? 0);
    const run = await b.bonusList({ status: null, customer: null, run: made.run, page: page() });
    expect([run.total, ...new Set(run.items.map((x) => x.createRun))]).toEqual([5, made.run]);
    const e = await rejection(
      b.bonusCreate(bonusDraft({ amountFen: 0, quantity: 0, minAmountFen: -1, xname: 'x'.repeat(65), productSku: '  ' })),
    );
    expect(fieldsOf(e)).toEqual(['amountFen', 'quantity', 'minAmountFen', 'xname']);
  });

  it('computes N03 from the expiry, and an expired bonus can still be disabled', async () => {
    // The core's clock is real: one expiry a minute ago, one in a year.
    const past = await b.bonusCreate(bonusDraft({ expiredAt: new Date(Date.now() - 60_000).toISOString() }));
    const future = await b.bonusCreate(bonusDraft({ expiredAt: new Date(Date.now() + 365 * 86_400_000).toISOString() }));
    expect((await b.bonusGet(past.firstId)).status).toBe('N03');
    expect((await b.bonusGet(future.firstId)).status).toBe('N01');
    const expired = await b.bonusList({ status: 'N03', customer: null, run: null, page: page(1, 100) });
    expect(expired.items.map((x) => x.id)).toContain(past.firstId);
    const unused = await b.bonusList({ status: 'N01', customer: null, run: null, page: page(1, 100) });
    expect(unused.items.map((x) => x.id)).not.toContain(past.firstId);
    expect((await b.bonusDisable(past.firstId)).status).toBe('disabled');
  });

  it("grants once, to a valid phone, and lists one customer's bonuses", async () => {
    const { firstId } = await b.bonusCreate(bonusDraft({ quantity: 2 }));
    const e1 = await rejection(b.bonusGrant(firstId, '010-12345678', null));
    expect(fieldsOf(e1)).toEqual(['customer']);
    const got = await b.bonusGrant(firstId, '138 0013 8000', '王');
    expect([got.customer, got.customerName]).toEqual(['13800138000', '王']);
    expect(got.grantedAt).not.toBeNull();
    expect((await rejection(b.bonusGrant(firstId, '13900001111', null))).code).toBe('bonus_already_granted');
    const mine = await b.bonusList({ status: null, customer: '+86 13800138000', run: null, page: page() });
    expect(mine.items.map((x) => x.id)).toEqual([firstId]);
    expect((await b.bonusList({ status: null, customer: '13900009999', run: null, page: page() })).total).toBe(0);
    expect((await b.customerList('13800138000', page())).total).toBe(1);
    await b.bonusDisable(firstId + 1);
    expect((await rejection(b.bonusGrant(firstId + 1, '13800138000', null))).code).toBe('bonus_not_grantable');
    expect((await rejection(b.bonusGrant(999_999, '13800138000', null))).code).toBe('bonus_not_found');
  });

  it('a disabled bonus never redeems, and cannot be disabled again', async () => {
    const off = await b.bonusCreate(bonusDraft({ enabled: false, minAmountFen: 0 }));
    expect((await b.bonusGet(off.firstId)).status).toBe('disabled');
    const out = await b.counterUse(req(off.codes[0] ?? '', 5000));
    if (out.kind !== 'bonus') throw new Error('a bonus code');
    expect(out.check.refusal).toEqual({ reason: 'disabled' });
    expect(out.redeemed).toBeNull();
    expect((await rejection(b.bonusDisable(off.firstId))).code).toBe('bonus_not_disableable');
  });

  it('the minimum is inclusive; the reduction never exceeds the order', async () => {
    const { codes } = await b.bonusCreate(bonusDraft({ amountFen: 500, minAmountFen: 3000 }));
    const code = codes[0] ?? '';
    expect(bonus(await b.counterCheck(req(code, 2999))).refusal).toEqual({ reason: 'below_min_amount', minFen: 3000 });
    const at = bonus(await b.counterCheck(req(code, 3000)));
    expect([at.refusal, at.reductionFen]).toEqual([null, 500]);
    const small = (await b.bonusCreate(bonusDraft({ amountFen: 500, minAmountFen: 0 }))).codes[0] ?? '';
    expect(bonus(await b.counterCheck(req(small, 200))).reductionFen).toBe(200);
    expect(bonus(await b.counterCheck(req(small, -1))).refusal).toEqual({ reason: 'negative_amount' });
    expect(bonus(await b.counterCheck(req(small, null))).refusal).toEqual({ reason: 'amount_required' });
  });

  it('a product-limited bonus needs that product', async () => {
    const code = (await b.bonusCreate(bonusDraft({ minAmountFen: 0, productSku: ' SKU-1 ' }))).codes[0] ?? '';
    expect(bonus(await b.counterCheck(req(code, 500))).refusal).toEqual({ reason: 'product_required', sku: 'SKU-1' });
    expect(bonus(await b.counterCheck(req(code, 500, { productSku: 'SKU-2' }))).refusal).toEqual({
      reason: 'wrong_product',
      sku: 'SKU-1',
    });
    const out = await b.counterUse(req(code, 500, { productSku: ' SKU-1 ' }));
    expect(out.kind === 'bonus' && out.redeemed?.usedProductSku).toBe('SKU-1');
  });

  it('redeems once; the second time is already_used; another customer is refused', async () => {
    const { codes, firstId } = await b.bonusCreate(bonusDraft({ quantity: 2 }));
    const [first = '', second = ''] = codes;
    const settings = await b.settingsGet();
    const out = await b.counterUse(req(first, 3000));
    if (out.kind !== 'bonus') throw new Error('a bonus code');
    expect(out.redeemed?.status).toBe('N02');
    expect([out.redeemed?.usedBy, out.redeemed?.usedTerminal, out.redeemed?.usedOrderFen]).toEqual([
      owner,
      settings.terminal,
      3000,
    ]);
    const again = await b.counterUse(req(first, 3000));
    expect(again.kind === 'bonus' && again.check.refusal?.reason).toBe('already_used');
    await b.bonusGrant(firstId + 1, '13800138001', null);
    expect(bonus(await b.counterCheck(req(second, 3000, { customer: '13900001111' }))).refusal).toEqual({
      reason: 'other_customer',
    });
    expect(bonus(await b.counterCheck(req(second, 3000, { customer: '138 0013 8001' }))).refusal).toBeNull();
    expect(bonus(await b.counterCheck(req(second, 3000))).refusal).toBeNull();
    expect(fieldsOf(await rejection(b.counterCheck(req(second, 3000, { customer: '010-1234567' }))))).toEqual(['customer']);
  });

  it('exports the current filter as CSV in yuan', async () => {
    const made = await b.bonusCreate(bonusDraft({ quantity: 3, amountFen: 250, productSku: 'EXPORT-1' }));
    await b.bonusGrant(made.firstId, '13500000001', null);
    const out = join(tempDir(), 'b.csv');
    const query = { status: 'N01' as const, customer: '13500000001', run: null, page: page() };
    const report = await b.bonusExport(query, out, { lang: 'en', format: null });
    expect([report.rows, report.cancelled]).toEqual([1, false]);
    const text = readText(out);
    expect(text.startsWith('\uFEFFID,Code,Status,Amount (yuan),Minimum order (yuan)')).toBe(true);
    expect(text).toContain(`${made.firstId},${made.codes[0]},unused,2.50,30.00,`);
    await b.bonusExport(query, out, null);
    expect(readText(out)).toContain(`${made.firstId},${made.codes[0]},未使用,2.50,30.00,`);
  });
});

describe('the counter box', () => {
  it('routes coupon codes to coupons and bonus codes (any case) to bonuses', async () => {
    const file = tempFile('c.csv', 'code\nBOXA0001\n');
    await b.codesImport('j', file, { new: { ticketType: 'BOX1', name: 'box' } }, AUTO, () => {});
    const c = await b.counterCheck(req('BOXA0001', 1000));
    expect(c.kind === 'coupon' && c.refusal).toEqual({ reason: 'not_linked', ticketType: 'BOX1' });

    const code = (await b.bonusCreate(bonusDraft({ minAmountFen: 0 }))).codes[0] ?? '';
    const lower = bonus(await b.counterCheck(req(` ${code.toLowerCase()} `, 1000)));
    expect([lower.code, lower.refusal, lower.reductionFen]).toEqual([code, null, 200]);

    // 11 letters that no bonus has: the coupon's answer (unknown).
    const unknown = await b.counterCheck(req('ABCDEFGHIJK', 1000));
    expect(unknown.kind === 'coupon' && unknown.refusal).toEqual({ reason: 'unknown' });
    const malformed = await b.counterCheck(req('a b', 1000));
    expect(malformed.kind === 'coupon' && malformed.refusal).toEqual({ reason: 'malformed' });
  });

  it('takes full-width text, hints at the letter case, and logs and undoes bonus redemptions', async () => {
    const file = tempFile('w.csv', 'code\nWideCase01\n');
    await b.codesImport('j', file, { new: { ticketType: 'BOX2', name: 'box 2' } }, AUTO, () => {});
    const wide = await b.counterCheck(req('\u3000ＷｉｄｅＣａｓｅ０１ ', 1000));
    expect([wide.kind, wide.code, wide.kind === 'coupon' && wide.refusal]).toEqual(['coupon', 'WideCase01', { reason: 'not_linked', ticketType: 'BOX2' }]);
    const cased = await b.counterCheck(req('widecase01', 1000));
    expect(cased.kind === 'coupon' && cased.refusal).toEqual({ reason: 'wrong_case', suggestion: 'WideCase01' });

    const made = await b.bonusCreate(bonusDraft({ minAmountFen: 0 }));
    const code = made.codes[0] ?? '';
    const out = await b.counterUse(req(code, 1000));
    expect(out.kind === 'bonus' && out.redeemed?.code).toBe(code);
    const row = (await b.redemptionList(page(1, 10))).items.find((r) => r.kind === 'bonus' && r.code === code);
    expect([row?.reductionFen, row?.operator, row?.undoneAt]).toEqual([200, owner, null]);
    const undone = await b.bonusRedeemUndo(row?.id ?? 0);
    expect([undone.kind, undone.code, undone.undoneBy]).toEqual(['bonus', code, owner]);
    expect(await rejection(b.bonusRedeemUndo(row?.id ?? 0))).toMatchObject({ code: 'redemption_already_undone' });
    expect((await b.bonusGet(made.firstId)).status).toBe('N01');
  });
});

describe("a customer's page", () => {
  it('gathers their bonuses and vouchers; masked for a cashier; unknown ids are not found', async () => {
    const { firstId } = await b.bonusCreate(bonusDraft({ quantity: 2 }));
    await b.bonusGrant(firstId, '139 1111 2222', '周');
    await b.voucherSell(voucherDraft({ customer: '13911112222', name: '擦窗' }));
    const id = (await b.customerList('13911112222', page())).items[0]?.id ?? 0;
    const p = await b.customerProfile(id);
    expect([p.customer.phone, p.customer.name]).toEqual(['13911112222', '周']);
    expect(p.bonuses.items.map((x) => x.id)).toEqual([firstId]);
    expect(p.vouchers.items.map((v) => v.name)).toEqual(['擦窗']);
    expect([p.bonuses.total, p.vouchers.total, p.redemptions.total]).toEqual([1, 1, 0]);
    expect((await rejection(b.customerProfile(999_999))).code).toBe('customer_not_found');
    // A cashier's view: every phone on the page masked by the core.
    await b.staffAdd({ name: '收银员', role: 'cashier', pin: '5511' });
    await b.staffLogin('收银员', '5511');
    try {
      const masked = await b.customerProfile(id);
      expect([masked.customer.phone, masked.bonuses.items[0]?.customer, masked.vouchers.items[0]?.customer]).toEqual([
        '139****2222',
        '139****2222',
        '139****2222',
      ]);
    } finally {
      await b.staffLogin(owner, '9876');
    }
  });
});

describe('vouchers', () => {
  it('sells to a normalised phone, adds the customer, and uses once', async () => {
    const v = await b.voucherSell(voucherDraft({ customer: '+86 131 1234 5678' }));
    expect([v.customer, v.customerName, v.name, v.valid, v.paid]).toEqual(['13112345678', '王', '全屋打扫', true, true]);
    expect((await b.customerList('13112345678', page())).items.map((c) => c.phone)).toEqual(['13112345678']);
    const settings = await b.settingsGet();
    const used = await b.voucherUse(v.id);
    expect([used.valid, used.usedBy, used.usedTerminal]).toEqual([false, owner, settings.terminal]);
    expect(used.usedAt).not.toBeNull();
    expect((await rejection(b.voucherUse(v.id))).code).toBe('voucher_already_used');
    expect((await rejection(b.voucherUse(999_999))).code).toBe('voucher_not_found');
  });

  it("reports every broken field in the core's order", async () => {
    const e = await rejection(b.voucherSell(voucherDraft({ customer: '010-12345678', name: ' ', priceFen: -1, pkg: 0 })));
    expect(fieldsOf(e)).toEqual(['customer', 'name', 'priceFen', 'pkg']);
  });

  it('filters by name, nopkg, customer and valid', async () => {
    const a = await b.voucherSell(voucherDraft({ customer: '13300000001', name: '擦窗' }));
    await b.voucherSell(voucherDraft({ name: '空调清洗', pkg: 7, customer: '13300000001' }));
    await b.voucherUse(a.id);
    const q = { name: null, nopkg: false, customer: '13300000001', valid: null, page: page() };
    expect((await b.voucherList(q)).total).toBe(2);
    expect((await b.voucherList({ ...q, nopkg: true })).items.map((v) => v.name)).toEqual(['擦窗']);
    expect((await b.voucherList({ ...q, name: '清洗' })).items.map((v) => v.name)).toEqual(['空调清洗']);
    expect((await b.voucherList({ ...q, valid: true })).items.map((v) => v.name)).toEqual(['空调清洗']);
    expect((await b.voucherList({ ...q, valid: false })).items.map((v) => v.name)).toEqual(['擦窗']);
    expect((await b.voucherList({ ...q, customer: '133-0000-0001' })).total).toBe(2);
    expect((await b.voucherList({ ...q, customer: '13700000000' })).total).toBe(0);
    expect(fieldsOf(await rejection(b.voucherList({ ...q, customer: '12345' })))).toEqual(['customer']);
    const out = join(tempDir(), 'v.csv');
    const report = await b.voucherExport({ ...q, nopkg: true }, out, null);
    expect(report.rows).toBe(1);
    expect(readText(out)).toContain('13300000001,王,擦窗,288.00,,');
  });
});
