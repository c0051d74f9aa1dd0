import { describe, expect, it } from 'vitest';

import type { BonusRefusal } from './backend/bindings/BonusRefusal';
import { bonusRefusalText, parseWhole } from './wallet';

describe('whole numbers', () => {
  it('reads digits only', () => {
    expect(parseWhole(' 5 ')).toBe(5);
    expect(parseWhole('2.5')).toBeNull();
    expect(parseWhole('-1')).toBeNull();
    expect(parseWhole('')).toBeNull();
  });
});

describe('bonus refusals in staff words', () => {
  it('words every reason in both languages, with its details', () => {
    const all: BonusRefusal[] = [
      { reason: 'malformed' },
      { reason: 'unknown' },
      { reason: 'disabled' },
      { reason: 'already_used', at: '2026-06-01T04:00:00Z' },
      { reason: 'expired', at: '2026-06-01T04:00:00Z' },
      { reason: 'other_customer' },
      { reason: 'amount_required' },
      { reason: 'negative_amount' },
      { reason: 'below_min_amount', minFen: 3000 },
      { reason: 'product_required', sku: 'SKU-1' },
      { reason: 'wrong_product', sku: 'SKU-1' },
    ];
    for (const lang of ['zh-CN', 'en'] as const) {
      for (const r of all) {
        const text = bonusRefusalText(r, lang, 480);
        expect(text, r.reason).not.toMatch(/\{\w+\}/);
        expect(text.length, r.reason).toBeGreaterThan(5);
      }
    }
    expect(bonusRefusalText({ reason: 'already_used', at: '2026-06-01T04:00:00Z' }, 'zh-CN', 480)).toContain('2026-06-01 12:00');
    expect(bonusRefusalText({ reason: 'below_min_amount', minFen: 3000 }, 'en', 480)).toContain('¥30.00');
    expect(bonusRefusalText({ reason: 'wrong_product', sku: 'SKU-1' }, 'zh-CN', 480)).toContain('SKU-1');
  });
});
