import { describe, expect, it } from 'vitest';

import { pageRule } from './print';
import { loadSlipPaper, saveSlipPaper } from './slipPaper';

describe('printing a sheet', () => {
  it('gives each paper its page size', () => {
    expect(pageRule('a4')).toContain('size: A4');
    expect(pageRule('58mm')).toContain('size: 58mm auto');
    expect(pageRule('80mm')).toContain('size: 80mm auto');
  });

  it('remembers the slip paper, 58 mm unless 80 mm was chosen', () => {
    const kept = new Map<string, string>();
    const storage = { getItem: (k: string) => kept.get(k) ?? null, setItem: (k: string, v: string) => void kept.set(k, v) };
    expect(loadSlipPaper(storage)).toBe('58mm');
    saveSlipPaper('80mm', storage);
    expect(loadSlipPaper(storage)).toBe('80mm');
    kept.set('coupondesk.slipPaper', 'A3');
    expect(loadSlipPaper(storage)).toBe('58mm');
    expect(loadSlipPaper(null)).toBe('58mm');
  });
});
