// The audit history of a code and of a redemption (the detail views' AuditHistory)
// through http.ts against the real core: exactly the code's entries, newest first, with
// the redemption's id in the entries that belong to it; a longer code that contains this
// one does not leak into its history.
import { beforeAll, describe, expect, it } from 'vitest';

import { AUTO, freshCore, tempFile } from '../../test/core';
import { historyQuery, redemptionOf } from '../audit';
import type { Backend } from './backend';

const DAY = 86_400_000;
const iso = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

const CODE = 'HIST0001';
/** Contains CODE: a substring filter would mix its entries in. */
const LONGER = 'HIST00012';

let b: Backend;
let first = 0;
let second = 0;
beforeAll(async () => {
  b = await freshCore();
  const file = tempFile('h.csv', `code\n${CODE}\n${LONGER}\n`);
  await b.codesImport('h1', file, { new: { ticketType: 'HIST', name: '历史' } }, AUTO, () => {});
  const template = await b.templateCreate({
    offer: { cash: { reduceFen: 1000, leastFen: 5000 } },
    title: '满50减10',
    brandName: '店',
    color: 'Color010',
    logoUrl: 'https://example.com/logo.png',
    logoImage: null,
    notice: '出示此券',
    description: '说明',
    servicePhone: '020-88888888',
    quantity: 100,
    getLimit: 10,
    codeType: 'CODE_TYPE_TEXT',
    beginAt: iso(Date.now() - DAY),
    endAt: iso(Date.now() + 30 * DAY),
    term: null,
    timeLimits: [],
    acceptCategory: '',
    rejectCategory: '',
    canUseWithOtherDiscount: false,
  });
  await b.templateLinkBatch(template.id, 'HIST', null);
  const use = async (code: string): Promise<number> => {
    const out = await b.counterUse({ code, orderFen: 8000, customer: null, productSku: null });
    if (out.kind !== 'coupon' || out.redemption === null) throw new Error(`not redeemed: ${JSON.stringify(out)}`);
    return out.redemption.id;
  };
  first = await use(CODE);
  await b.redeemUndo(first);
  second = await use(CODE);
  await use(LONGER);
  await b.redeemUndo(second);
  await b.codeDisable(CODE);
});

describe("a code's and a redemption's audit history", () => {
  it("lists exactly the code's entries, newest first", async () => {
    const h = await b.auditList(historyQuery(CODE, 1, 20));
    expect(h.items.map((e) => [e.action, e.subject])).toEqual([
      ['code.disable', CODE],
      ['code.redeem_undo', CODE],
      ['code.redeem', CODE],
      ['code.redeem_undo', CODE],
      ['code.redeem', CODE],
    ]);
    expect(h.total).toBe(5);
    for (const e of h.items) expect(e.terminal).not.toBe('');
    const ids = h.items.map((e) => e.id);
    expect([...ids].sort((x, y) => y - x)).toEqual(ids);
    // The same filter as a substring would mix in the longer code's redemption.
    const loose = await b.auditList({ ...historyQuery(CODE, 1, 20), exactSubject: false });
    expect(loose.total).toBe(6);
    expect((await b.auditList(historyQuery(LONGER, 1, 20))).items.map((e) => e.action)).toEqual(['code.redeem']);
  });

  it("marks a redemption's own entries among its code's", async () => {
    const h = await b.auditList(historyQuery(CODE, 1, 20));
    const of = (id: number): string[] => h.items.filter((e) => redemptionOf(e) === id).map((e) => e.action);
    expect(of(first)).toEqual(['code.redeem_undo', 'code.redeem']);
    expect(of(second)).toEqual(['code.redeem_undo', 'code.redeem']);
    expect(h.items[0]?.detail).toMatchObject({ from: 'issued' });
  });

  it('pages like every other list', async () => {
    const p2 = await b.auditList(historyQuery(CODE, 2, 2));
    expect([p2.total, p2.totalPages, p2.items.map((e) => e.action)]).toEqual([5, 3, ['code.redeem', 'code.redeem_undo']]);
  });
});
