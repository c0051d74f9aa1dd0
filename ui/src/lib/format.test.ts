import { describe, expect, it } from 'vitest';

import { formatBytes, formatCount, formatDuration, percent } from './format';

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

describe('formatDuration', () => {
  it('shows whole milliseconds below a second, never 0.0 s nor 0 ms', () => {
    expect(formatDuration(0, 'zh-CN')).toBe('不到 1 毫秒');
    expect(formatDuration(0, 'en')).toBe('under 1 ms');
    expect(formatDuration(1, 'zh-CN')).toBe('1 毫秒');
    expect(formatDuration(24, 'zh-CN')).toBe('24 毫秒');
    expect(formatDuration(380, 'en')).toBe('380 ms');
    expect(formatDuration(999, 'en')).toBe('999 ms');
  });

  it('shows seconds with one decimal from one second on', () => {
    expect(formatDuration(1000, 'zh-CN')).toBe('1.0 秒');
    expect(formatDuration(1234, 'en')).toBe('1.2 s');
    expect(formatDuration(61_250, 'zh-CN')).toBe('61.3 秒');
  });
});

describe('percent', () => {
  it('bounds progress', () => {
    expect(percent(5, 10)).toBe(50);
    expect(percent(5, 0)).toBe(0);
    expect(percent(12, 10)).toBe(100);
  });
});
