import { describe, expect, it } from 'vitest';

import { ALL_OFFSETS, formatShopTime, hhmmToMinutes, isoToLocalInput, localInputToIso, minutesToHhmm, offsetLabel } from './zone';

describe('shop zone', () => {
  it('labels offsets', () => {
    expect(offsetLabel(480)).toBe('UTC+08:00');
    expect(offsetLabel(-570)).toBe('UTC-09:30');
    expect(offsetLabel(0)).toBe('UTC+00:00');
    expect(ALL_OFFSETS[0]).toBe(-720);
    expect(ALL_OFFSETS.at(-1)).toBe(840);
    expect(ALL_OFFSETS).toContain(480);
  });

  it('converts shop wall time to UTC and back', () => {
    expect(localInputToIso('2026-11-23T16:00', 480)).toBe('2026-11-23T08:00:00Z');
    expect(localInputToIso('2026-11-23', 480)).toBe('2026-11-22T16:00:00Z');
    expect(localInputToIso('2026-02-30T10:00', 480)).toBeNull();
    expect(localInputToIso('', 480)).toBeNull();
    expect(isoToLocalInput('2026-11-23T08:00:00Z', 480)).toBe('2026-11-23T16:00');
    expect(isoToLocalInput('2026-11-23T08:00:00.000Z', -300)).toBe('2026-11-23T03:00');
    expect(formatShopTime('2026-12-31T20:30:00Z', 480)).toBe('2027-01-01 04:30');
    // An end of day keeps its seconds in the input, not in lists.
    expect(formatShopTime('2026-12-31T15:59:59Z', 480)).toBe('2026-12-31 23:59');
  });

  it('reads and writes times of day', () => {
    expect(minutesToHhmm(0)).toBe('00:00');
    expect(minutesToHhmm(1439)).toBe('23:59');
    expect(hhmmToMinutes('10:59')).toBe(659);
    expect(hhmmToMinutes('9:05')).toBe(545);
    expect(hhmmToMinutes('24:00')).toBeNull();
    expect(hhmmToMinutes('')).toBeNull();
  });
});
