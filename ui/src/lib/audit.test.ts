import { describe, expect, it } from 'vitest';

import { actionText, AUDIT_ACTIONS, AUDIT_DETAIL_KEYS, detailText, historyQuery, redemptionOf } from './audit';
import type { AuditEntry } from './backend/bindings/AuditEntry';
import { setLang } from './i18n/locale.svelte';

const entry = (detail: unknown): AuditEntry => ({
  id: 1,
  at: '2026-12-06T01:00:00Z',
  actor: 'ann',
  terminal: 't1',
  action: 'code.redeem',
  subject: 'ABC123',
  detail,
  hash: '0'.repeat(64),
});

describe('audit history text', () => {
  it('labels known actions and keeps unknown ones as written', () => {
    setLang('en');
    expect(actionText('code.redeem')).toBe('Redeemed');
    expect(actionText('code.redeem_undo')).toBe('Redemption undone');
    expect(actionText('something.new')).toBe('something.new');
    setLang('zh-CN');
    expect(actionText('code.disable')).toBe('停用');
  });

  it('summarises the detail: money in yuan, status words, no terminal, no nulls', () => {
    setLang('en');
    const text = detailText({
      redemption: 7,
      terminal: 't1',
      order_fen: 10000,
      reduction_fen: 1000,
      customer: null,
      novel: { a: 1 },
    });
    expect(text).toBe('Redemption 7 · Order ¥100.00 · Off ¥10.00 · novel {"a":1}');
    expect(detailText({ from: 'active' })).toBe('Was Active');
    expect(detailText({ role: 'manager', firstOwner: false, wrongPins: 3 })).toBe(
      'Role Manager · First owner No · Wrong PINs 3',
    );
    setLang('zh-CN');
    expect(detailText({ run: 4, disabled: 110, left: 0, xname: '' })).toBe('创建批次 4 · 停用 110 · 保持不变 0');
    expect(detailText({ holidays: [], soundOnSuccess: true })).toBe('节假日 — · 成功提示音 是');
    expect(detailText({ holidays: ['2026-10-01', '2026-10-02'] })).toBe('节假日 2026-10-01, 2026-10-02');
    expect(detailText({ imported: 24, skipped_duplicate: 1, skipped_invalid: 2 })).toBe(
      '已导入 24 · 跳过重复 1 · 跳过无效 2',
    );
    setLang('en');
    expect(detailText('plain')).toBe('"plain"');
    expect(detailText(null)).toBe('');
  });

  it('finds the redemption an entry names', () => {
    expect(redemptionOf(entry({ redemption: 7 }))).toBe(7);
    expect(redemptionOf(entry({ from: 'active' }))).toBeNull();
    expect(redemptionOf(entry([1]))).toBeNull();
  });

  it('asks for exactly one subject', () => {
    expect(historyQuery('ABC', 2, 10)).toMatchObject({ subject: 'ABC', exactSubject: true, page: { page: 2, perPage: 10 } });
  });
});

describe('audit actions in words', () => {
  it('has words for every detail key the core writes, in both languages', () => {
    for (const lang of ['zh-CN', 'en'] as const) {
      setLang(lang);
      for (const k of AUDIT_DETAIL_KEYS) expect(detailText({ [k]: 1 }), `${lang} ${k}`).not.toMatch(new RegExp(`^${k} `));
    }
  });

  it('has words for every action the core records, in both languages', () => {
    for (const lang of ['zh-CN', 'en'] as const) {
      setLang(lang);
      for (const a of AUDIT_ACTIONS) expect(actionText(a), `${lang} ${a}`).not.toBe(a);
    }
    setLang('zh-CN');
    expect(actionText('template.link_batch')).toBe('模板关联批次');
    expect(detailText({ platform: 'p002' })).toBe('平台 红包平台');
    expect(detailText({ from: 'N01' })).toBe('原状态 未使用');
  });
});
