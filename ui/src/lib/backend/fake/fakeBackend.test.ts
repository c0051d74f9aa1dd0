import { beforeEach, describe, expect, it } from 'vitest';

import type { ImportOptions } from '../bindings/ImportOptions';
import type { ImportProgress } from '../bindings/ImportProgress';
import { createFakeBackend, type FakeBackend } from './fakeBackend';

const AUTO: ImportOptions = { encoding: 'auto', header: 'auto', column: null };
const page = (p = 1, perPage = 20): { page: number; perPage: number } => ({ page: p, perPage });

/** The CSV of the e2e test (tests/e2e.rs): 20 good codes, 2 duplicates, 2 invalid rows. */
function e2eCsv(): string {
  let text = 'code,note\n';
  for (let i = 0; i < 20; i++) text += `E2E${String(i).padStart(5, '0')},ok\n`;
  text += 'E2E00003,again\n'; // line 22
  text += 'bad code,x\n'; // line 23
  text += 'E2E00007,again\n'; // line 24
  text += 'ab,short\n'; // line 25
  return text;
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected the command to fail');
}

let fake: FakeBackend;
let tick = 0;

beforeEach(() => {
  tick = 0;
  // A clock that moves one second per call, so "most recently updated" is well defined.
  fake = createFakeBackend({ now: () => new Date(Date.UTC(2026, 0, 1) + 1000 * tick++) });
});

describe('batches', () => {
  it('creates, lists newest first, and gets batches', async () => {
    await fake.batchCreate(' T1 ', '春节');
    await fake.batchCreate('T2', 'Spring sale');
    const list = await fake.batchList({ ticketType: null, name: null, page: page() });
    expect(list.items.map((b) => b.ticketType)).toEqual(['T2', 'T1']);
    expect(list.total).toBe(2);
    expect(list.totalPages).toBe(1);
    expect((await fake.batchGet('T1')).name).toBe('春节');
  });

  it('refuses bad or taken types and names with their codes', async () => {
    await fake.batchCreate('T1', 'Spring sale');
    expect(await rejection(fake.batchCreate('T2', 'Spring sale'))).toMatchObject({ code: 'batch_name_taken' });
    expect(await rejection(fake.batchCreate('T1', 'Other'))).toMatchObject({ code: 'batch_type_taken' });
    expect(await rejection(fake.batchCreate('a b', 'x'))).toMatchObject({ code: 'invalid_batch_type' });
    expect(await rejection(fake.batchCreate('', 'x'))).toMatchObject({ code: 'invalid_batch_type' });
    expect(await rejection(fake.batchCreate('T3', '  '))).toMatchObject({ code: 'invalid_batch_name' });
    expect(await rejection(fake.batchCreate('T3', '名'.repeat(101)))).toMatchObject({ code: 'invalid_batch_name' });
    expect(await rejection(fake.batchGet('NOPE'))).toMatchObject({ code: 'batch_not_found' });
  });

  it('filters by fuzzy name and exact type, and pages', async () => {
    for (let i = 1; i <= 25; i++) await fake.batchCreate(`S${i}`, `Store ${i} weekend`);
    await fake.batchCreate('X1', '春节满100减20');
    const byName = await fake.batchList({ ticketType: null, name: 'WEEKEND', page: page(2, 20) });
    expect(byName.total).toBe(25);
    expect(byName.totalPages).toBe(2);
    expect(byName.items).toHaveLength(5);
    expect((await fake.batchList({ ticketType: 'S7', name: null, page: page() })).items.map((b) => b.name)).toEqual([
      'Store 7 weekend',
    ]);
    expect((await fake.batchList({ ticketType: 'S', name: null, page: page() })).total).toBe(0);
    expect((await fake.batchList({ ticketType: null, name: '满100', page: page() })).total).toBe(1);
    expect(await rejection(fake.batchList({ ticketType: null, name: null, page: page(0) }))).toMatchObject({
      code: 'invalid_page',
    });
    expect(await rejection(fake.batchList({ ticketType: null, name: null, page: page(1, 101) }))).toMatchObject({
      code: 'invalid_page',
    });
  });
});

describe('import', () => {
  beforeEach(async () => {
    await fake.batchCreate('E2E1', '端到端测试');
    fake.addFile('/tmp/e2e-codes.csv', e2eCsv());
  });

  it('previews encoding, header, code column and the first rows', async () => {
    const p = await fake.importPreview('/tmp/e2e-codes.csv', AUTO);
    expect(p.encoding).toBe('utf-8');
    expect(p.hasHeader).toBe(true);
    expect(p.columns).toEqual(['code', 'note']);
    expect(p.codeColumn).toBe(1);
    expect(p.rows).toHaveLength(10);
    expect(p.rows[0]).toEqual({ line: 2, cells: ['E2E00000', 'ok'] });
    const noHeader = await fake.importPreview('/tmp/e2e-codes.csv', { ...AUTO, header: 'absent' });
    expect(noHeader.columns).toEqual(['1', '2']);
    expect(noHeader.rows[0]?.line).toBe(1);
  });

  it('finds the code column without a header, and by a chosen index', async () => {
    fake.addFile('/n.csv', '1,AAAA1111\n2,BBBB2222\n');
    const p = await fake.importPreview('/n.csv', AUTO);
    expect(p.hasHeader).toBe(false);
    expect(p.codeColumn).toBe(2);
    expect((await fake.importPreview('/n.csv', { ...AUTO, column: { index: 1 } })).codeColumn).toBe(1);
    expect(await rejection(fake.importPreview('/n.csv', { ...AUTO, column: { index: 3 } }))).toMatchObject({
      code: 'column_not_found',
    });
  });

  it('reports missing and empty files with their codes', async () => {
    expect(await rejection(fake.importPreview('/nope.csv', AUTO))).toMatchObject({ code: 'file_not_found' });
    fake.addFile('/empty.csv', '\n\n');
    expect(await rejection(fake.importPreview('/empty.csv', AUTO))).toMatchObject({ code: 'no_data_rows' });
  });

  it('imports the e2e file: 20 imported, 2 duplicates, 2 invalid with their lines', async () => {
    const seen: ImportProgress[] = [];
    const r = await fake.codesImport('j1', '/tmp/e2e-codes.csv', { existing: 'E2E1' }, AUTO, (p) => seen.push(p));
    expect(r.state).toBe('done');
    expect([r.imported, r.skippedDuplicate, r.skippedInvalid, r.rowsRead]).toEqual([20, 2, 2, 24]);
    expect(r.errors.map((e) => [e.line, e.kind, e.value])).toEqual([
      [23, 'bad_character', 'bad code'],
      [25, 'too_short', 'ab'],
    ]);
    expect(r.duplicates.map((e) => [e.line, e.kind])).toEqual([
      [22, 'duplicate_in_file'],
      [24, 'duplicate_in_file'],
    ]);
    expect(r.batch?.totalCodes).toBe(20);
    expect(seen.at(-1)).toMatchObject({ imported: 20, bytesRead: seen.at(-1)?.bytesTotal });

    const codes = await fake.codesList({ ticketType: 'E2E1', status: null, search: '00013', page: page(1, 50) });
    expect(codes.items.map((c) => [c.position, c.code, c.status])).toEqual([[14, 'E2E00013', 'issued']]);

    const again = await fake.codesImport('j2', '/tmp/e2e-codes.csv', { existing: 'E2E1' }, AUTO, () => {});
    expect([again.imported, again.skippedDuplicate]).toEqual([0, 22]);
    expect(again.duplicates[0]?.kind).toBe('duplicate_in_database');
  });

  it('limits the listed issues but counts them all', async () => {
    const limited = createFakeBackend({ reportLimit: 1 });
    await limited.batchCreate('E2E1', 'x');
    limited.addFile('/f.csv', e2eCsv());
    const r = await limited.codesImport('j', '/f.csv', { existing: 'E2E1' }, AUTO, () => {});
    expect(r.skippedInvalid).toBe(2);
    expect(r.errors).toHaveLength(1);
  });

  it('leaves the batch as it was when cancelled', async () => {
    const slow = createFakeBackend({ chunkRows: 5, latencyMs: 5 });
    await slow.batchCreate('E2E1', 'x');
    slow.addFile('/f.csv', e2eCsv());
    const run = slow.codesImport('job-c', '/f.csv', { existing: 'E2E1' }, AUTO, () => {
      void slow.jobCancel('job-c');
    });
    const r = await run;
    expect(r.state).toBe('cancelled');
    expect(r.batch?.totalCodes).toBe(0);
    expect((await slow.batchGet('E2E1')).totalCodes).toBe(0);
    expect(await slow.jobCancel('job-c')).toBe(false);
  });

  it('creates a batch for ImportTarget new, and removes it again on cancel', async () => {
    const r = await fake.codesImport('j', '/tmp/e2e-codes.csv', { new: { ticketType: 'NEW1', name: '新批次' } }, AUTO, () => {});
    expect([r.batch?.ticketType, r.batch?.totalCodes]).toEqual(['NEW1', 20]);
    expect((await fake.batchGet('NEW1')).name).toBe('新批次');

    const slow = createFakeBackend({ chunkRows: 5, latencyMs: 5 });
    slow.addFile('/f.csv', e2eCsv());
    const target = { new: { ticketType: 'NEW2', name: 'n' } };
    const cancelled = await slow.codesImport('c', '/f.csv', target, AUTO, () => void slow.jobCancel('c'));
    expect([cancelled.state, cancelled.batch]).toEqual(['cancelled', null]);
    expect(await rejection(slow.batchGet('NEW2'))).toMatchObject({ code: 'batch_not_found' });
  });

  it('refuses a second import into a batch that is busy', async () => {
    const slow = createFakeBackend({ chunkRows: 5, latencyMs: 5 });
    await slow.batchCreate('E2E1', 'x');
    slow.addFile('/f.csv', e2eCsv());
    const first = slow.codesImport('a', '/f.csv', { existing: 'E2E1' }, AUTO, () => {});
    await new Promise((r) => setTimeout(r, 8));
    expect(await rejection(slow.codesImport('b', '/f.csv', { existing: 'E2E1' }, AUTO, () => {}))).toMatchObject({
      code: 'import_busy',
    });
    expect((await first).imported).toBe(20);
  });
});

describe('codes list', () => {
  it('searches case-sensitively, filters by status and pages by 50', async () => {
    await fake.batchCreate('G', 'gen');
    await fake.codesGenerate('g', { ticketType: 'G', count: 120, length: 10, prefix: 'Ab' }, () => {});
    const all = await fake.codesList({ ticketType: 'G', status: null, search: null, page: page(3, 50) });
    expect([all.total, all.totalPages, all.items.length, all.items[0]?.position]).toEqual([120, 3, 20, 101]);
    expect((await fake.codesList({ ticketType: 'G', status: null, search: 'Ab', page: page(1, 50) })).total).toBe(120);
    expect((await fake.codesList({ ticketType: 'G', status: null, search: 'ab', page: page(1, 50) })).total).toBe(0);
    expect((await fake.codesList({ ticketType: 'G', status: 'redeemed', search: null, page: page() })).total).toBe(0);
    expect(await rejection(fake.codesList({ ticketType: 'NOPE', status: null, search: null, page: page() }))).toMatchObject({
      code: 'batch_not_found',
    });
  });
});

describe('generate', () => {
  beforeEach(async () => {
    await fake.batchCreate('G', 'gen');
  });

  it('generates unique codes of the asked shape with progress', async () => {
    let last = 0;
    const r = await fake.codesGenerate('g', { ticketType: 'G', count: 700, length: null, prefix: 'CNY' }, (p) => {
      last = p.generated;
    });
    expect([r.state, r.generated, r.batch.totalCodes, last]).toEqual(['done', 700, 700, 700]);
    const codes = await fake.codesList({ ticketType: 'G', status: null, search: null, page: page(1, 100) });
    for (const c of codes.items) expect(c.code).toMatch(/^CNY[2-9A-HJ-NP-Z]{9}$/);
  });

  it('refuses what cannot fit, and bad requests', async () => {
    // 2 random characters: 32^2 = 1024 codes, at most 512 drawn.
    expect((await fake.codesGenerate('a', { ticketType: 'G', count: 512, length: 6, prefix: 'ABCD' }, () => {})).generated).toBe(512);
    expect(
      await rejection(fake.codesGenerate('b', { ticketType: 'G', count: 513, length: 6, prefix: 'WXYZ' }, () => {})),
    ).toMatchObject({ code: 'generate_space_too_small' });
    expect(await rejection(fake.codesGenerate('c', { ticketType: 'G', count: 0, length: null, prefix: null }, () => {}))).toMatchObject({
      code: 'invalid_generate',
    });
    expect(await rejection(fake.codesGenerate('d', { ticketType: 'G', count: 1, length: 4, prefix: 'ABCD' }, () => {}))).toMatchObject({
      code: 'invalid_generate',
    });
    expect(await rejection(fake.codesGenerate('e', { ticketType: 'G', count: 1, length: null, prefix: '-X' }, () => {}))).toMatchObject({
      code: 'invalid_generate',
    });
  });
});

describe('export', () => {
  it('writes a CSV with BOM and header, and nothing when cancelled', async () => {
    await fake.batchCreate('E', 'export');
    fake.addFile('/in.csv', 'code\n=SUM1234\nABCD1234\n');
    await fake.codesImport('i', '/in.csv', { existing: 'E' }, AUTO, () => {});
    const r = await fake.codesExport('x', 'E', '/out/E.csv', () => {});
    expect([r.rows, r.cancelled]).toEqual([1, false]);
    const text = fake.readFile('/out/E.csv') ?? '';
    expect(text.startsWith('\uFEFFcode,status,position,created_at,updated_at\nABCD1234,issued,1,')).toBe(true);

    const slow = createFakeBackend({ chunkRows: 1, latencyMs: 5 });
    await slow.batchCreate('E', 'export');
    slow.addFile('/in.csv', 'code\nAAAA1111\nBBBB2222\nCCCC3333\n');
    await slow.codesImport('i', '/in.csv', { existing: 'E' }, AUTO, () => {});
    const cancelled = await slow.codesExport('x', 'E', '/out/E.csv', () => void slow.jobCancel('x'));
    expect(cancelled.cancelled).toBe(true);
    expect(slow.readFile('/out/E.csv')).toBeUndefined();
  });
});

describe('dialogs', () => {
  it('returns the chosen paths, or null when staff close the dialog', async () => {
    const text = { title: 't', filterName: 'CSV' };
    expect(await fake.chooseImportFile(text)).toBeNull();
    fake.addFile('/a.csv', 'code\nAAAA1111\n');
    expect(await fake.chooseImportFile(text)).toBe('/a.csv');
    fake.nextOpen = null;
    expect(await fake.chooseImportFile(text)).toBeNull();
    expect(await fake.chooseExportPath('T1.csv', text)).toBe('/exports/T1.csv');
  });
});
