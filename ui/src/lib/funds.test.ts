import { describe, expect, it } from 'vitest';

import { emptyFunds, FUNDS_FIELDS, fundsLabelKey, parseFunds } from './funds';
import { zhCN } from './i18n/zh-CN';

describe('parseFunds', () => {
  it('sends nothing when every box is empty', () => {
    expect(parseFunds(emptyFunds())).toEqual({ ok: true, funds: null });
    expect(parseFunds({ ...emptyFunds(), benefitAmount: '   ' })).toEqual({ ok: true, funds: null });
  });

  it('converts the amounts given from yuan to fen, exactly, and leaves the rest out', () => {
    const r = parseFunds({ ...emptyFunds(), merchantRealAmount: '10', userRealAmount: ' 8.00 ', discountAmount: '1.15' });
    expect(r).toEqual({ ok: true, funds: { merchantRealAmount: 1000, userRealAmount: 800, discountAmount: 115 } });
  });

  it('takes every one of the eight amounts, and zero as an amount', () => {
    const values = emptyFunds();
    FUNDS_FIELDS.forEach((f, i) => (values[f] = String(i)));
    const r = parseFunds(values);
    expect(r.ok && r.funds).toEqual({
      merchantRealAmount: 0,
      benefitAmount: 100,
      merchantCustomBenefit: 200,
      merchantCustomRealAmount: 300,
      channelBenefit: 400,
      merchantBenefit: 500,
      discountAmount: 600,
      userRealAmount: 700,
    });
  });

  it('says why each bad amount is bad, and sends nothing then', () => {
    const r = parseFunds({
      ...emptyFunds(),
      merchantRealAmount: '-1',
      benefitAmount: '2.555',
      channelBenefit: 'abc',
      userRealAmount: '8',
    });
    expect(r).toEqual({
      ok: false,
      errors: { merchantRealAmount: 'negative', benefitAmount: 'too_many_decimals', channelBenefit: 'invalid' },
    });
  });

  it('has a label for every amount', () => {
    for (const f of FUNDS_FIELDS) expect(zhCN[fundsLabelKey(f)]).toBeTruthy();
  });
});
