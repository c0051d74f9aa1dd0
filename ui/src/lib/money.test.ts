import { describe, expect, it } from 'vitest';

import { fenToInput, formatYuan, parseYuan } from './money';

describe('parseYuan', () => {
  it('accepts whole yuan and up to two decimals, exactly', () => {
    expect(parseYuan('2')).toEqual({ ok: true, fen: 200 });
    expect(parseYuan('2.5')).toEqual({ ok: true, fen: 250 });
    expect(parseYuan('2.50')).toEqual({ ok: true, fen: 250 });
    expect(parseYuan(' 20.05 ')).toEqual({ ok: true, fen: 2005 });
    expect(parseYuan('0.01')).toEqual({ ok: true, fen: 1 });
    expect(parseYuan('1,234.56')).toEqual({ ok: true, fen: 123456 });
    expect(parseYuan('¥19.99')).toEqual({ ok: true, fen: 1999 });
    // 0.1 + 0.2 style float errors cannot happen.
    expect(parseYuan('1.15')).toEqual({ ok: true, fen: 115 });
  });

  it('refuses what is not an amount, saying why', () => {
    expect(parseYuan('2.555')).toEqual({ ok: false, error: 'too_many_decimals' });
    expect(parseYuan('-1')).toEqual({ ok: false, error: 'negative' });
    expect(parseYuan('abc')).toEqual({ ok: false, error: 'invalid' });
    expect(parseYuan('')).toEqual({ ok: false, error: 'empty' });
    expect(parseYuan('   ')).toEqual({ ok: false, error: 'empty' });
    expect(parseYuan('2.')).toEqual({ ok: false, error: 'invalid' });
    expect(parseYuan('.5')).toEqual({ ok: false, error: 'invalid' });
    expect(parseYuan('1e3')).toEqual({ ok: false, error: 'invalid' });
    expect(parseYuan('99999999999999999')).toEqual({ ok: false, error: 'too_large' });
  });
});

describe('formatYuan and fenToInput', () => {
  it('show two decimals, and a short form for editing', () => {
    expect(formatYuan(2000)).toBe('¥20.00');
    expect(formatYuan(2050)).toBe('¥20.50');
    expect(formatYuan(5)).toBe('¥0.05');
    expect(formatYuan(-5)).toBe('-¥0.05');
    expect(fenToInput(2000)).toBe('20');
    expect(fenToInput(2050)).toBe('20.50');
    for (const fen of [0, 1, 99, 100, 12345]) expect(parseYuan(fenToInput(fen))).toEqual({ ok: true, fen });
  });
});
