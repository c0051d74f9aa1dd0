import { describe, expect, it } from 'vitest';

import { chainLines, hubQuery, rowKey } from './hubAudit';
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
