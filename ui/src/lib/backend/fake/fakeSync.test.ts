import { beforeEach, describe, expect, it } from 'vitest';

import type { ImportOptions } from '../bindings/ImportOptions';
import type { OutboxQuery } from '../bindings/OutboxQuery';
import type { PlatformSettingsInput } from '../bindings/PlatformSettingsInput';
import { createFakeBackend, type FakeBackend } from './fakeBackend';

async function rejection(p: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await p;
  } catch (e) {
    return e as Record<string, unknown>;
  }
  throw new Error('expected the command to fail');
}

const fieldsOf = (e: Record<string, unknown>): string[] => (e['fields'] as { field: string }[]).map((f) => f.field);
const page = { page: 1, perPage: 20 };
const AUTO: ImportOptions = { encoding: 'auto', header: 'auto', column: null };

function input(over: Partial<PlatformSettingsInput> = {}): PlatformSettingsInput {
  return {
    platform: 'p002',
    enabled: true,
    baseUrl: 'http://127.0.0.1:8765/p002/',
    appId: '',
    brandId: '',
    signType: '',
    shopNo: '',
    caFile: '',
    allowHttp: false,
    uploadPath: '',
    org: '',
    secret: 'tok-123',
    clearSecret: false,
    ...over,
  };
}

function query(over: Partial<OutboxQuery> = {}): OutboxQuery {
  return { platform: null, state: null, ticketType: null, page, ...over };
}

describe('fake sync: settings', () => {
  let b: FakeBackend;
  beforeEach(() => {
    b = createFakeBackend();
  });

  it('lists the five platforms, none set up', async () => {
    const all = await b.syncSettingsGet();
    expect(all.map((s) => s.platform)).toEqual(['p000', 'p001', 'p002', 'p003', 'p004']);
    expect(all.every((s) => !s.enabled && !s.hasSecret && s.signType === 'HMAC-SHA256')).toBe(true);
    const st = await b.syncStatus();
    expect(st.platforms).toHaveLength(5);
    expect(st.platforms.every((p) => !p.configured && p.online === null)).toBe(true);
  });

  it('refuses an enabled platform without an address, beside baseUrl', async () => {
    const e = await rejection(b.syncSettingsSave(input({ baseUrl: '  ' })));
    expect(e['code']).toBe('invalid_fields');
    expect(fieldsOf(e)).toEqual(['baseUrl']);
    const scheme = await rejection(b.syncSettingsSave(input({ baseUrl: 'ftp://x' })));
    expect(fieldsOf(scheme)).toEqual(['baseUrl']);
  });

  it('e-Buy needs appId and brandId when enabled, and HMAC-SHA256', async () => {
    const p4 = { platform: 'p004' as const };
    expect(fieldsOf(await rejection(b.syncSettingsSave(input({ ...p4 }))))).toEqual(['appId']);
    expect(fieldsOf(await rejection(b.syncSettingsSave(input({ ...p4, appId: 'a' }))))).toEqual(['brandId']);
    expect(fieldsOf(await rejection(b.syncSettingsSave(input({ ...p4, signType: 'MD5' }))))).toEqual(['signType']);
    const ok = await b.syncSettingsSave(input({ ...p4, appId: ' a ', brandId: 'B' }));
    expect(ok.appId).toBe('a');
    expect(ok.signType).toBe('HMAC-SHA256');
  });

  it('keeps the secret to itself; None keeps it, clear removes it', async () => {
    const saved = await b.syncSettingsSave(input());
    expect(saved.hasSecret).toBe(true);
    expect(saved.baseUrl).toBe('http://127.0.0.1:8765/p002');
    expect(JSON.stringify(await b.syncSettingsGet())).not.toContain('tok-123');
    expect((await b.syncSettingsSave(input({ secret: null }))).hasSecret).toBe(true);
    expect(fieldsOf(await rejection(b.syncSettingsSave(input({ secret: ' ' }))))).toEqual(['secret']);
    expect(fieldsOf(await rejection(b.syncSettingsSave(input({ secret: null, clearSecret: true }))))).toEqual(['secret']);
    const off = await b.syncSettingsSave(input({ enabled: false, secret: null, clearSecret: true }));
    expect(off.hasSecret).toBe(false);
  });
});

describe('fake sync: activation and runs', () => {
  let b: FakeBackend;
  const codes = ['ACT0001', 'ACT0002', 'ACT0003', 'ACT0004'];
  beforeEach(async () => {
    b = createFakeBackend();
    await b.batchCreate('ACT', 'activation');
    await b.batchCreate('OTHER', 'other');
    b.addFile('/a.csv', `code\n${codes.join('\n')}\n`);
    await b.codesImport('j1', '/a.csv', { existing: 'ACT' }, AUTO, () => {});
    b.addFile('/o.csv', 'code\nOTH0001\n');
    await b.codesImport('j2', '/o.csv', { existing: 'OTHER' }, AUTO, () => {});
    await b.codeDisable('ACT0004');
  });

  it('activates named codes and says why others were skipped', async () => {
    const r = await b.codesActivate({ ticketType: 'ACT', codes: ['ACT0001', 'ACT0001', 'NOPE', 'OTH0001', 'ACT0004', ' '], activate: true });
    expect(r.queued).toBe(1);
    expect(r.skipped).toEqual([
      { code: 'NOPE', reason: 'unknown' },
      { code: 'OTH0001', reason: 'not_in_batch' },
      { code: 'ACT0004', reason: 'final' },
    ]);
    expect(r.skippedTotal).toBe(3);
    const again = await b.codesActivate({ ticketType: 'ACT', codes: ['ACT0001'], activate: true });
    expect(again.skipped).toEqual([{ code: 'ACT0001', reason: 'already_active' }]);
    const row = (await b.codesList({ ticketType: 'ACT', status: 'active', search: null, page })).items;
    expect(row.map((c) => c.code)).toEqual(['ACT0001']);
  });

  it('the whole batch: every issued code, one queued row each, listed by batch', async () => {
    const r = await b.codesActivate({ ticketType: 'ACT', codes: null, activate: true });
    expect(r).toEqual({ queued: 3, skipped: [], skippedTotal: 0 });
    const results = await b.syncOutbox(query({ ticketType: 'ACT' }));
    expect(results.total).toBe(3);
    expect(results.items.every((i) => i.op === 'ebuy.activate' && i.state === 'queued' && i.platform === 'p004')).toBe(true);
    expect((await b.syncOutbox(query({ ticketType: 'OTHER' }))).total).toBe(0);
    expect((await rejection(b.syncOutbox(query({ ticketType: 'NONE' }))))['code']).toBe('batch_not_found');
    // The queue drains oldest first; other lists show the newest first.
    const queue = await b.syncOutbox(query({ state: 'queued' }));
    expect(queue.items.map((i) => i.subject)).toEqual(['ACT0001', 'ACT0002', 'ACT0003']);
    expect(results.items.map((i) => i.subject)).toEqual(['ACT0003', 'ACT0002', 'ACT0001']);
    const back = await b.codesActivate({ ticketType: 'ACT', codes: null, activate: false });
    expect(back.queued).toBe(3);
    expect((await b.syncStatus()).platforms[4]?.queued).toBe(6);
  });

  it('an activation carries makeFundsChannel in each queued row; a negative amount is refused', async () => {
    const bad = await rejection(
      b.codesActivate({ ticketType: 'ACT', codes: null, activate: true, makeFundsChannel: { merchantRealAmount: 1000, benefitAmount: -1 } }),
    );
    expect(bad['code']).toBe('invalid_fields');
    expect(bad['fields']).toEqual([
      { field: 'makeFundsChannel', code: 'out_of_range', message: 'benefitAmount cannot be negative; amounts are in fen' },
    ]);
    // Nothing changed, nothing queued.
    expect((await b.codesList({ ticketType: 'ACT', status: 'active', search: null, page })).total).toBe(0);
    expect((await b.syncOutbox(query({ ticketType: 'ACT' }))).total).toBe(0);

    const r = await b.codesActivate({
      ticketType: 'ACT',
      codes: ['ACT0001', 'ACT0002'],
      activate: true,
      makeFundsChannel: { merchantRealAmount: 1000, userRealAmount: 800, discountAmount: null },
    });
    expect(r.queued).toBe(2);
    const rows = (await b.syncOutbox(query({ ticketType: 'ACT' }))).items;
    expect(rows.map((i) => i.payload)).toEqual([
      { makeFundsChannel: { merchantRealAmount: 1000, userRealAmount: 800 } },
      { makeFundsChannel: { merchantRealAmount: 1000, userRealAmount: 800 } },
    ]);
    // A deactivation never carries the amounts (nor checks them).
    const back = await b.codesActivate({ ticketType: 'ACT', codes: ['ACT0001'], activate: false, makeFundsChannel: { benefitAmount: -1 } });
    expect(back.queued).toBe(1);
    const unactivate = (await b.syncOutbox(query({ ticketType: 'ACT' }))).items[0];
    expect(unactivate).toMatchObject({ op: 'ebuy.unactivate', subject: 'ACT0001', payload: {} });
  });

  it('a run skips a platform that is off and drains one that is on', async () => {
    await b.codesActivate({ ticketType: 'ACT', codes: null, activate: true });
    const off = await b.syncNow(null);
    expect(off.platforms).toHaveLength(5);
    expect(off.platforms[4]?.stopped).toContain('off');
    expect(off.platforms[4]).toMatchObject({ remaining: 3, skipped: true });
    await b.syncSettingsSave(input({ platform: 'p004', appId: 'a', brandId: 'b' }));
    b.sync.refuse('ACT0002', 'CODE_USED_ELSEWHERE', 'used in another shop');
    const run = await b.syncNow('p004');
    expect(run.platforms).toHaveLength(1);
    expect(run.platforms[0]).toMatchObject({ platform: 'p004', done: 2, conflicts: 1, remaining: 0, skipped: false });
    const st = (await b.syncStatus()).platforms[4];
    expect(st).toMatchObject({ configured: true, online: true, queued: 0, conflicts: 1, lastError: null });
    expect(st?.lastSuccessAt).not.toBeNull();
  });

  it('an unreachable platform keeps its queue, says why and pauses', async () => {
    await b.codesActivate({ ticketType: 'ACT', codes: null, activate: true });
    await b.syncSettingsSave(input({ platform: 'p004', appId: 'a', brandId: 'b', baseUrl: 'https://offline.example' }));
    const run = await b.syncNow('p004');
    expect(run.platforms[0]).toMatchObject({ retries: 3, remaining: 3 });
    const st = (await b.syncStatus()).platforms[4];
    expect(st?.online).toBe(false);
    expect(st?.lastError).toContain('could not reach');
    expect(st?.pausedUntil).not.toBeNull();
    const again = await b.syncNow('p004');
    expect(again.platforms[0]?.requests).toBe(0);
  });
});

describe('fake sync: the conflict inbox', () => {
  let b: FakeBackend;
  let id: number;
  beforeEach(() => {
    b = createFakeBackend();
    id = b.sync.enqueue({
      platform: 'p002',
      op: 'bonus.create',
      subject: 'B1',
      payload: { amountFen: 200000, minAmountFen: 0, remark: 'x', enabled: true },
    });
    b.sync.settle(id, 'conflict', '400', 'too much');
  });

  it('retry puts it back in the queue as it is', async () => {
    const it1 = await b.syncConflictRetry(id);
    expect(it1).toMatchObject({ state: 'queued', attempts: 0, payload: { amountFen: 200000 } });
    expect((await rejection(b.syncConflictRetry(id)))['code']).toBe('not_a_conflict');
  });

  it('edit checks the data, then queues it with the new data', async () => {
    const bad = await rejection(b.syncConflictEdit(id, { amountFen: 0, minAmountFen: 0 }));
    expect(bad['code']).toBe('bad_payload');
    const ok = await b.syncConflictEdit(id, { amountFen: 50000, minAmountFen: 0, remark: 'x', enabled: true });
    expect(ok.state).toBe('queued');
    expect(ok.payload['amountFen']).toBe(50000);
  });

  it('discard keeps the row as discarded; unknown ids are reported', async () => {
    const d = await b.syncConflictDiscard(id, 'made by mistake');
    expect(d.state).toBe('discarded');
    expect((await b.syncStatus()).conflicts).toBe(0);
    expect((await b.syncOutbox(query({ state: 'discarded' }))).total).toBe(1);
    expect((await rejection(b.syncConflictDiscard(999, 'x')))['code']).toBe('outbox_item_not_found');
  });
});

describe('fake sync: the demo seed', () => {
  it('has five platforms in every state the page shows', async () => {
    const b = createFakeBackend({ seed: true });
    const st = await b.syncStatus();
    expect(st.platforms.map((p) => [p.platform, p.configured, p.online])).toEqual([
      ['p000', true, false],
      ['p001', false, null],
      ['p002', true, true],
      ['p003', false, null],
      ['p004', true, true],
    ]);
    expect(st.conflicts).toBe(2);
    // A bonus grant for 002, and a voucher sold before 003 was set up.
    expect(st.queued).toBe(2);
    const results = await b.syncOutbox(query({ ticketType: 'AVD1KYBW8001' }));
    expect(results.items.map((i) => i.state)).toEqual(['conflict', 'done', 'done']);
  });
});
