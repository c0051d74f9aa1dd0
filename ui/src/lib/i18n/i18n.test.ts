import { describe, expect, it } from 'vitest';

import type { CodeStatus } from '../backend/bindings/CodeStatus';
import type { DetectedEncoding } from '../backend/bindings/DetectedEncoding';
import type { RowIssueKind } from '../backend/bindings/RowIssueKind';
import { fill, LANGS, TABLES, translate, translateError, translateIssue } from './translate';
import { zhCN, type MessageKey } from './zh-CN';

const ISSUE_KINDS = [
  'empty',
  'too_short',
  'too_long',
  'bad_character',
  'bad_first_character',
  'missing_column',
  'unreadable',
  'duplicate_in_file',
  'duplicate_in_database',
] as const satisfies readonly RowIssueKind[];
const STATUSES = ['issued', 'active', 'redeemed', 'disabled', 'expired'] as const satisfies readonly CodeStatus[];
const ENCODINGS = ['utf-8', 'utf-8-bom', 'gb18030', 'utf-16le', 'utf-16be'] as const satisfies readonly DetectedEncoding[];

// Compile-time: the lists above name every variant of the generated unions.
type Exhaustive<Union, Listed> = [Exclude<Union, Listed>] extends [never] ? true : false;
const listsAreExhaustive: [
  Exhaustive<RowIssueKind, (typeof ISSUE_KINDS)[number]>,
  Exhaustive<CodeStatus, (typeof STATUSES)[number]>,
  Exhaustive<DetectedEncoding, (typeof ENCODINGS)[number]>,
] = [true, true, true];

const placeholders = (s: string): string[] => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '').sort();

describe('message tables', () => {
  const keys = Object.keys(zhCN).sort();

  it.each(LANGS)('%s has exactly the keys of zh-CN, none empty', (lang) => {
    expect(listsAreExhaustive).toEqual([true, true, true]);
    expect(Object.keys(TABLES[lang]).sort()).toEqual(keys);
    for (const key of keys) expect(TABLES[lang][key as MessageKey].trim(), key).not.toBe('');
  });

  it.each(LANGS)('%s uses the same placeholders as zh-CN', (lang) => {
    for (const key of keys) {
      const k = key as MessageKey;
      expect(placeholders(TABLES[lang][k]), key).toEqual(placeholders(zhCN[k]));
    }
  });

  it.each(LANGS)('%s translates every row issue, status and encoding', (lang) => {
    const table: Record<string, string> = TABLES[lang];
    for (const kind of ISSUE_KINDS) expect(table[`issue.${kind}`], kind).toBeTruthy();
    for (const s of STATUSES) expect(table[`status.${s}`], s).toBeTruthy();
    for (const e of ENCODINGS) expect(table[`encoding.${e}`], e).toBeTruthy();
  });

  it('English strings have no Chinese characters except the language names, app subtitle and the 折 unit', () => {
    for (const [key, text] of Object.entries(TABLES.en)) {
      if (key === 'lang.zh-CN' || key === 'app.subtitle') continue;
      // The discount box is typed in 折 in either language (issue #13: "8.8折 (12% off)").
      const zhe = key.startsWith('form.zhe') || key === 'fieldError.offer.percentOff.out_of_range';
      const checked = zhe ? text.replaceAll('折', '') : text;
      expect(/[\u4e00-\u9fff]/.test(checked), key).toBe(false);
    }
  });

  it('the English create button label is plain ASCII (the e2e test relies on it)', () => {
    expect(/^[\x20-\x7e]+$/.test(translate('en', 'batches.create'))).toBe(true);
  });
});

describe('translate', () => {
  it('fills placeholders and keeps unknown ones visible', () => {
    expect(fill('第 {page} / {pages} 页', { page: 2, pages: 9 })).toBe('第 2 / 9 页');
    expect(fill('Hello {who}', {})).toBe('Hello {who}');
    expect(translate('en', 'pager.info', { page: 1, pages: 3, total: '1,234' })).toBe('Page 1 of 3, 1,234 total');
  });
});

describe('translateError', () => {
  it('translates a known code in each language', () => {
    const e = { code: 'batch_name_taken', message: 'a batch named "x" already exists; choose another name', fields: [] };
    expect(translateError('zh-CN', e)).toBe(zhCN['error.batch_name_taken']);
    expect(translateError('en', e)).toContain('name');
  });

  it('falls back to the English message for a code it does not know', () => {
    const e = { code: 'sync_conflict', message: 'the platform says the code was used elsewhere', fields: [] };
    expect(translateError('zh-CN', e)).toBe(e.message);
    expect(translateError('en', e)).toBe(e.message);
  });

  it('says something useful when an unknown error has no message', () => {
    expect(translateError('en', { code: 'weird', message: ' ', fields: [] })).toBe(TABLES.en['error.internal']);
  });
});

describe('translateIssue', () => {
  it('translates row issue kinds and falls back to the English reason', () => {
    expect(translateIssue('zh-CN', 'too_short')).toBe('券码少于 4 个字符');
    expect(translateIssue('en', 'duplicate_in_file')).toBe('The code appears earlier in this file');
    expect(translateIssue('en', 'future_kind' as RowIssueKind, 'a new reason')).toBe('a new reason');
  });
});

describe('error details from the core\'s message', () => {
  const err = (code: string, message: string) => ({ code, message, fields: [] });

  it('fills tries left, seconds and the role to ask; else the code\'s words', () => {
    const wrong = err('unauthenticated', 'wrong PIN for 小张; 3 more wrong PIN(s) lock the account for 60 s');
    expect(translateError('zh-CN', wrong)).toBe('PIN 不对。再输错 3 次，账号将锁定 60 秒。');
    expect(translateError('en', wrong)).toBe('Wrong PIN. 3 more wrong PIN(s) lock the account for 60 s.');
    const locked = err('locked_out', '小张 is locked after 5 wrong PINs; try again in 42 s');
    expect(translateError('zh-CN', locked)).toBe('PIN 输错太多次，账号已锁定。请 42 秒后再试。');
    const forbidden = err('forbidden', 'a cashier may not change the settings; ask a owner to do it');
    expect(translateError('zh-CN', forbidden)).toBe('你的角色不能做这个操作，请让老板来做。');
    const plain = err('unauthenticated', 'log in with your name and PIN first');
    expect(translateError('en', plain)).toBe(translate('en', 'error.unauthenticated'));
  });
});

