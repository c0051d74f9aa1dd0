import { afterEach, describe, expect, it, vi } from 'vitest';

import { CHECK_MS, IdleClock, KEEP_ALIVE_MS, startAutoLock } from './autoLock';

describe('IdleClock', () => {
  it('asks for a keep-alive at most once per 30 s of input', () => {
    const c = new IdleClock(0);
    expect(c.input(1_000)).toBe(false);
    expect(c.input(KEEP_ALIVE_MS - 1)).toBe(false);
    expect(c.input(KEEP_ALIVE_MS)).toBe(true);
    expect(c.input(KEEP_ALIVE_MS + 10_000)).toBe(false);
    expect(c.input(2 * KEEP_ALIVE_MS)).toBe(true);
  });

  it('is idle once the limit has passed since the last input, and not before', () => {
    const c = new IdleClock(0);
    c.input(60_000);
    expect(c.idle(60_000 + 2 * 60_000 - 1, 2)).toBe(false);
    expect(c.idle(60_000 + 2 * 60_000, 2)).toBe(true);
    c.reset(500_000);
    expect(c.idle(500_000 + 60_000, 2)).toBe(false);
  });
});

describe('startAutoLock', () => {
  afterEach(() => vi.useRealTimers());

  it('locks after the limit without input, only while someone is logged in', () => {
    vi.useFakeTimers();
    let now = 0;
    let limit: number | null = 1;
    const calls: string[] = [];
    const target = new EventTarget();
    const watch = startAutoLock(target, {
      idleLimitMinutes: () => limit,
      keepAlive: () => calls.push('keepAlive'),
      lock: () => calls.push('lock'),
      now: () => now,
    });
    now = 40_000;
    target.dispatchEvent(new Event('keydown'));
    expect(calls).toEqual(['keepAlive']);
    now = 40_000 + 59_000;
    vi.advanceTimersByTime(CHECK_MS);
    expect(calls).toEqual(['keepAlive']);
    now = 40_000 + 60_000;
    vi.advanceTimersByTime(CHECK_MS);
    expect(calls).toEqual(['keepAlive', 'lock']);
    limit = null;
    now += 10 * 60_000;
    vi.advanceTimersByTime(CHECK_MS);
    target.dispatchEvent(new Event('pointerdown'));
    expect(calls).toEqual(['keepAlive', 'lock']);
    watch.stop();
  });
});
