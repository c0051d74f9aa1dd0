import { describe, expect, it } from 'vitest';

import { numberWords } from './numberWords';

describe('numberWords in Chinese', () => {
  it.each([
    [0, '零'],
    [7, '七'],
    [10, '十'],
    [12, '十二'],
    [101, '一百零一'],
    [110, '一百一十'],
    [1000, '一千'],
    [1010, '一千零一十'],
    [10000, '一万'],
    [10001, '一万零一'],
    [100000, '十万'],
    [100001, '十万零一'],
    [110000, '十一万'],
    [1000000, '一百万'],
    [1050000, '一百零五万'],
    [10000000, '一千万'],
    [100000000, '一亿'],
    [1000100000, '十亿零一十万'],
    [1000000000000, '一万亿'],
  ])('%i is %s', (n, words) => {
    expect(numberWords(n, 'zh-CN')).toBe(words);
  });
});

describe('numberWords in English', () => {
  it.each([
    [0, 'zero'],
    [15, 'fifteen'],
    [40, 'forty'],
    [42, 'forty-two'],
    [110, 'one hundred ten'],
    [100000, 'one hundred thousand'],
    [100001, 'one hundred thousand one'],
    [1000000, 'one million'],
    [1000100000, 'one billion one hundred thousand'],
    [2500300, 'two million five hundred thousand three hundred'],
  ])('%i is %s', (n, words) => {
    expect(numberWords(n, 'en')).toBe(words);
  });
});

it('refuses what is not a whole count', () => {
  expect(() => numberWords(-1, 'en')).toThrow(RangeError);
  expect(() => numberWords(1.5, 'zh-CN')).toThrow(RangeError);
});
