import { describe, expect, it } from 'vitest';

import { formatBytes, formatCount, formatDateTime, formatSeconds, percent } from './format';

describe('formatCount', () => {
  it('groups thousands in both languages', () => {
    expect(formatCount(0, 'en')).toBe('0');
    expect(formatCount(1234567, 'en')).toBe('1,234,567');
    expect(formatCount(1234567, 'zh-CN')).toBe('1,234,567');
    expect(formatCount(4294967295, 'zh-CN')).toBe('4,294,967,295');
  });
});

describe('formatBytes', () => {
  it('uses 1024 steps with one decimal from KB on', () => {
    expect(formatBytes(0, 'en')).toBe('0 B');
    expect(formatBytes(1023, 'en')).toBe('1,023 B');
    expect(formatBytes(1536, 'en')).toBe('1.5 KB');
    expect(formatBytes(5 * 1024 * 1024, 'zh-CN')).toBe('5.0 MB');
  });
});

describe('formatDateTime', () => {
  const iso = '2026-01-05T02:37:09.123Z';

  it('shows UTC times in the given zone, 24-hour', () => {
    expect(formatDateTime(iso, 'zh-CN', 'Asia/Shanghai')).toBe('2026-01-05 10:37');
    expect(formatDateTime(iso, 'en', 'Asia/Shanghai')).toBe('2026-01-05 10:37');
    expect(formatDateTime(iso, 'en', 'UTC')).toBe('2026-01-05 02:37');
    expect(formatDateTime('2026-01-05T23:30:00Z', 'en', 'America/New_York')).toBe('2026-01-05 18:30');
  });

  it('crosses midnight into the next day where the zone is ahead', () => {
    expect(formatDateTime('2026-12-31T20:00:00Z', 'zh-CN', 'Asia/Shanghai')).toBe('2027-01-01 04:00');
  });

  it('leaves text that is not a time alone', () => {
    expect(formatDateTime('not a time', 'en')).toBe('not a time');
  });
});

describe('formatSeconds and percent', () => {
  it('formats elapsed time and bounds progress', () => {
    expect(formatSeconds(1234, 'en')).toBe('1.2');
    expect(formatSeconds(0, 'zh-CN')).toBe('0.0');
    expect(percent(5, 10)).toBe(50);
    expect(percent(5, 0)).toBe(0);
    expect(percent(12, 10)).toBe(100);
  });
});
