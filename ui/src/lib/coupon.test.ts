import { describe, expect, it } from 'vitest';

import { fieldErrorText, offerText, refusalText } from './coupon';

describe('offerText', () => {
  it('reads like a coupon in each language', () => {
    expect(offerText({ cash: { reduceFen: 2000, leastFen: 10000 } }, 'zh-CN')).toBe('满100减20');
    expect(offerText({ cash: { reduceFen: 2000, leastFen: 10000 } }, 'en')).toBe('¥20.00 off orders of ¥100.00 or more');
    expect(offerText({ cash: { reduceFen: 550, leastFen: 0 } }, 'zh-CN')).toBe('减5.50（无门槛）');
    expect(offerText({ discount: { percentOff: 30 } }, 'zh-CN')).toBe('7折');
    expect(offerText({ discount: { percentOff: 15 } }, 'zh-CN')).toBe('8.5折');
    expect(offerText({ discount: { percentOff: 12 } }, 'zh-CN')).toBe('8.8折');
    expect(offerText({ discount: { percentOff: 99 } }, 'zh-CN')).toBe('0.1折');
    expect(offerText({ discount: { percentOff: 30 } }, 'en')).toBe('30% off');
    expect(offerText({ gift: { gift: '饮品' } }, 'zh-CN')).toBe('礼品：饮品');
  });
});

describe('refusalText', () => {
  it('says every refusal in plain words, times in the shop zone', () => {
    expect(refusalText({ reason: 'below_least_spend', leastFen: 10000 }, 'zh-CN', 480)).toContain('¥100.00');
    expect(
      refusalText({ reason: 'already_used', at: '2026-11-23T08:00:00Z', operator: '小王', terminal: '前台1' }, 'zh-CN', 480),
    ).toBe('这张券已于 2026-11-23 16:00 由 小王 在 前台1 核销过。');
    expect(refusalText({ reason: 'customer_limit_reached', limit: 2 }, 'en', 480)).toContain('2');
    expect(refusalText({ reason: 'wrong_case', suggestion: 'AbC123' }, 'zh-CN', 480)).toBe('券码区分大小写，您是不是要输入 AbC123？');
    expect(refusalText({ reason: 'wrong_case', suggestion: 'AbC123' }, 'en', 480)).toBe('Codes are case-sensitive; did you mean AbC123?');
    for (const reason of ['malformed', 'unknown', 'still_importing', 'disabled', 'outside_time_window', 'amount_required', 'negative_amount'] as const) {
      expect(refusalText({ reason }, 'en', 480)).not.toContain('refusal.');
    }
  });
});

describe('fieldErrorText', () => {
  it('prefers the field, then the code, then the English message', () => {
    expect(fieldErrorText({ field: 'title', code: 'required', message: 'this field is required' }, 'zh-CN')).toBe('必填。');
    expect(fieldErrorText({ field: 'offer.leastFen', code: 'order', message: 'x' }, 'zh-CN')).toContain('最低消费');
    expect(fieldErrorText({ field: 'timeLimits.2', code: 'invalid', message: 'x' }, 'en')).toContain('00:00');
    expect(fieldErrorText({ field: 'weird', code: 'odd', message: 'the core says so' }, 'zh-CN')).toBe('the core says so');
  });
});
