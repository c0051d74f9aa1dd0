import { describe, expect, it } from 'vitest';

import { chainLines, hubQuery, refusalLine, rowKey } from './hubAudit';
import { en } from './i18n/en';
import { zhCN } from './i18n/zh-CN';

describe('the hub view of the audit page', () => {
  it('adds the store and terminal filters, blank ones as none', () => {
    const q = hubQuery(
      { actor: null, action: 'code.redeem', subject: null, exactSubject: false, since: null, until: null, page: { page: 2, perPage: 20 } },
      ' 南京路店 ',
      '  ',
    );
    expect(q.store).toBe('南京路店');
    expect(q.terminal).toBeNull();
    expect(q.action).toBe('code.redeem');
    expect(q.page).toEqual({ page: 2, perPage: 20 });
  });

  it('keys the hub rows by terminal and id, the local ones by id', () => {
    expect(rowKey({ id: 7 })).toBe('7');
    expect(rowKey({ id: 7, terminalId: 2, store: 'S', terminalName: 'T' })).toBe('2:7');
    expect(rowKey({ id: 7, terminalId: 3 })).not.toBe(rowKey({ id: 7, terminalId: 2 }));
  });

  it('says per terminal intact, empty or where it broke, in both languages', () => {
    const lines = chainLines({
      intact: false,
      thisTerminalId: 1,
      unsentHere: 0,
      refusalHere: null,
      terminals: [
        { terminalId: 1, store: 'S1', terminal: 'A', entries: 12, firstId: 1, lastId: 12, firstAt: null, lastAt: null, brokenId: null, brokenReason: null },
        { terminalId: 2, store: 'S2', terminal: 'B', entries: 5, firstId: 1, lastId: 5, firstAt: null, lastAt: null, brokenId: 3, brokenReason: 'changed' },
        { terminalId: 3, store: 'S2', terminal: 'C', entries: 0, firstId: null, lastId: null, firstAt: null, lastAt: null, brokenId: null, brokenReason: null },
      ],
    });
    expect(lines.map((l) => [l.key, l.broken])).toEqual([
      ['audit.hub.chainIntact', false],
      ['audit.hub.chainBroken', true],
      ['audit.hub.chainEmpty', false],
    ]);
    expect(lines[1]?.params).toMatchObject({ store: 'S2', terminal: 'B', id: 3, reason: 'changed' });
    for (const l of lines) {
      expect(en[l.key]).toBeTruthy();
      expect(zhCN[l.key]).toBeTruthy();
    }
  });
});

describe("the last audit upload's refusal", () => {
  const base = { entryId: 7, lastId: null, hubUpTo: 6, detail: null, message: 'm', atMs: 0 };

  it('names the entry, how far the hub holds the trail and why, for every reason, in both languages', () => {
    const reasons = ['brokenHere', 'differs', 'notNext', 'prevHash', 'hubError'] as const;
    for (const reason of reasons) {
      const line = refusalLine({ ...base, reason, detail: 'why', lastId: reason === 'hubError' ? 9 : null });
      expect(line.key).toBe(`audit.hub.refusal.${reason}`);
      for (const table of [en, zhCN]) {
        const words = table[line.key];
        expect(words, `${reason}`).toContain('{id}');
        if (reason === 'hubError') expect(words).toContain('{last}');
        if (reason === 'brokenHere' || reason === 'hubError') expect(words).toContain('{detail}');
        if (reason === 'brokenHere' || reason === 'notNext' || reason === 'prevHash') expect(words).toContain('{upTo}');
      }
    }
    expect(refusalLine({ ...base, reason: 'brokenHere', detail: 'changed' }).params).toEqual({
      id: 7,
      last: 7,
      upTo: 6,
      detail: 'changed',
    });
    expect(refusalLine({ ...base, reason: 'hubError', lastId: 40 }).params).toMatchObject({ id: 7, last: 40 });
  });
});
