// The audit trail through http.ts against the real core (a database of this file's own):
// actions write entries, the list filters them newest first, verify says intact.
import { beforeAll, describe, expect, it } from 'vitest';

import { freshCore, page } from '../../test/core';
import type { Backend } from './backend';
import type { AuditQuery } from './bindings/AuditQuery';

const all = (over: Partial<AuditQuery> = {}): AuditQuery => ({
  actor: null,
  action: null,
  subject: null,
  exactSubject: false,
  since: null,
  until: null,
  page: page(1, 100),
  ...over,
});

let b: Backend;
beforeAll(async () => {
  b = await freshCore();
  await b.batchCreate('AUD1', '审计一');
  await b.batchCreate('AUD2', '审计二');
  await b.customerAdd({ phone: '13812345678', name: '王' });
});

describe('the audit trail', () => {
  it('lists every action newest first, with its terminal and hash', async () => {
    const p = await b.auditList(all());
    expect(p.total).toBe(3);
    expect(p.items.map((e) => [e.id, e.action, e.subject])).toEqual([
      [3, 'customer.create', '13812345678'],
      [2, 'batch.create', 'AUD2'],
      [1, 'batch.create', 'AUD1'],
    ]);
    expect(p.items[2]?.detail).toEqual({ name: '审计一' });
    for (const e of p.items) {
      expect(e.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(e.terminal).not.toBe('');
    }
  });

  it('filters by action, subject substring and time range', async () => {
    expect((await b.auditList(all({ action: 'batch.create' }))).total).toBe(2);
    const sub = await b.auditList(all({ subject: 'UD2' }));
    expect(sub.items.map((e) => e.subject)).toEqual(['AUD2']);
    expect((await b.auditList(all({ since: '2999-01-01T00:00:00Z' }))).total).toBe(0);
    expect((await b.auditList(all({ until: '2000-01-01T00:00:00Z' }))).total).toBe(0);
    expect((await b.auditList(all({ actor: 'nobody at all' }))).total).toBe(0);
    const paged = await b.auditList(all({ page: page(2, 2) }));
    expect(paged.items.map((e) => e.id)).toEqual([1]);
    expect(paged.totalPages).toBe(2);
  });

  it('verifies the chain: intact with the exact number of entries', async () => {
    expect(await b.auditVerify()).toEqual({ verdict: 'intact', entries: 3 });
  });
});
