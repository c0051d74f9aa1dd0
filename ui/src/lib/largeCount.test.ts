import { expect, it } from 'vitest';

import { countParams, LARGE_BONUSES, LARGE_CODES } from './largeCount';

it('names a count in digits and in words, in both languages', () => {
  expect(countParams(LARGE_CODES, 'zh-CN')).toEqual({ count: '100,000', words: '十万' });
  expect(countParams(1000100000, 'zh-CN')).toEqual({ count: '1,000,100,000', words: '十亿零一十万' });
  expect(countParams(LARGE_BONUSES + 10, 'en')).toEqual({ count: '110', words: 'one hundred ten' });
});
