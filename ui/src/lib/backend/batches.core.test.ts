// Batches, import, codes, generation and export, through the browser's backend (http.ts)
// against the real core (`coupondesk serve` on a database of this file's own).
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';

import { AUTO, fieldsOf, freshCore, page, readText, rejection, tempDir, tempFile } from '../../test/core';
import type { Backend } from './backend';
import type { ImportProgress } from './bindings/ImportProgress';
import { createHttpBackend } from './http';

/** The CSV of the e2e test (tests/e2e.rs): 20 good codes, 2 duplicates, 2 invalid rows. */
function e2eCsv(prefix = 'E2E'): string {
  let text = 'code,note\n';
  for (let i = 0; i < 20; i++) text += `${prefix}${String(i).padStart(5, '0')},ok\n`;
  text += `${prefix}00003,again\n`; // line 22
  text += 'bad code,x\n'; // line 23
  text += `${prefix}00007,again\n`; // line 24
  text += 'ab,short\n'; // line 25
  return text;
}

/** Enough rows that a job is still running when its first progress arrives. */
function bigCsv(prefix: string, rows: number): string {
  const lines = ['code'];
  for (let i = 1; i <= rows; i++) lines.push(`${prefix}${String(i).padStart(7, '0')}`);
  return `${lines.join('\n')}\n`;
}

let b: Backend;
beforeAll(async () => {
  b = await freshCore();
});

describe('batches', () => {
  it('creates, lists newest first, and gets batches', async () => {
    await b.batchCreate(' L1 ', '列表一');
    await b.batchCreate('L2', 'List two');
    const list = await b.batchList({ ticketType: null, name: null, page: page() });
    expect(list.items.slice(0, 2).map((x) => x.ticketType)).toEqual(['L2', 'L1']);
    expect((await b.batchGet('L1')).name).toBe('列表一');
    expect((await b.batchList({ ticketType: 'L1', name: null, page: page() })).total).toBe(1);
  });

  it('refuses bad or taken types and names with their codes', async () => {
    await b.batchCreate('R1', 'Taken name');
    expect(await rejection(b.batchCreate('R2', 'Taken name'))).toMatchObject({ code: 'batch_name_taken' });
    expect(await rejection(b.batchCreate('R1', 'Other'))).toMatchObject({ code: 'batch_type_taken' });
    expect(await rejection(b.batchCreate('a b', 'x'))).toMatchObject({ code: 'invalid_batch_type' });
    expect(await rejection(b.batchCreate('', 'x'))).toMatchObject({ code: 'invalid_batch_type' });
    expect(await rejection(b.batchCreate('R3', '  '))).toMatchObject({ code: 'invalid_batch_name' });
    expect(await rejection(b.batchCreate('R3', '名'.repeat(101)))).toMatchObject({ code: 'invalid_batch_name' });
    expect(await rejection(b.batchGet('NOPE'))).toMatchObject({ code: 'batch_not_found' });
  });

  it('filters by fuzzy name and exact type, and pages', async () => {
    for (let i = 1; i <= 25; i++) await b.batchCreate(`S${i}`, `Store ${i} weekend`);
    await b.batchCreate('X1', '春节满100减20');
    const byName = await b.batchList({ ticketType: null, name: 'WEEKEND', page: page(2, 20) });
    expect([byName.total, byName.totalPages, byName.items.length]).toEqual([25, 2, 5]);
    const exact = await b.batchList({ ticketType: 'S7', name: null, page: page() });
    expect(exact.items.map((x) => x.name)).toEqual(['Store 7 weekend']);
    expect((await b.batchList({ ticketType: 'S', name: null, page: page() })).total).toBe(0);
    expect((await b.batchList({ ticketType: null, name: '满100', page: page() })).total).toBe(1);
    expect(await rejection(b.batchList({ ticketType: null, name: null, page: page(0) }))).toMatchObject({
      code: 'invalid_page',
    });
    expect(await rejection(b.batchList({ ticketType: null, name: null, page: page(1, 101) }))).toMatchObject({
      code: 'invalid_page',
    });
  });
});

describe('import', () => {
  let csv = '';
  beforeAll(() => {
    csv = tempFile('e2e-codes.csv', e2eCsv());
  });

  it('previews encoding, header, code column and the first rows', async () => {
    const p = await b.importPreview(csv, AUTO);
    expect(p.encoding).toBe('utf-8');
    expect(p.hasHeader).toBe(true);
    expect(p.columns).toEqual(['code', 'note']);
    expect(p.codeColumn).toBe(1);
    expect(p.rows).toHaveLength(10);
    expect(p.rows[0]).toEqual({ line: 2, cells: ['E2E00000', 'ok'] });
    const noHeader = await b.importPreview(csv, { ...AUTO, header: 'absent' });
    expect(noHeader.columns).toEqual(['1', '2']);
    expect(noHeader.rows[0]?.line).toBe(1);
  });

  it('finds the code column without a header, and by a chosen index', async () => {
    const n = tempFile('n.csv', '1,AAAA1111\n2,BBBB2222\n');
    const p = await b.importPreview(n, AUTO);
    expect(p.hasHeader).toBe(false);
    expect(p.codeColumn).toBe(2);
    expect((await b.importPreview(n, { ...AUTO, column: { index: 1 } })).codeColumn).toBe(1);
    expect(await rejection(b.importPreview(n, { ...AUTO, column: { index: 3 } }))).toMatchObject({
      code: 'column_not_found',
    });
  });

  it('reports missing and empty files with their codes', async () => {
    expect(await rejection(b.importPreview(join(tempDir(), 'nope.csv'), AUTO))).toMatchObject({ code: 'file_not_found' });
    expect(await rejection(b.importPreview(tempFile('empty.csv', '\n\n'), AUTO))).toMatchObject({ code: 'no_data_rows' });
  });

  it('imports the e2e file: 20 imported, 2 duplicates, 2 invalid with their lines', async () => {
    await b.batchCreate('E2E1', '端到端测试');
    const seen: ImportProgress[] = [];
    const r = await b.codesImport('j1', csv, { existing: 'E2E1' }, AUTO, (p) => seen.push(p));
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

    const codes = await b.codesList({ ticketType: 'E2E1', status: null, search: '00013', page: page(1, 50) });
    expect(codes.items.map((c) => [c.position, c.code, c.status])).toEqual([[14, 'E2E00013', 'issued']]);

    const again = await b.codesImport('j2', csv, { existing: 'E2E1' }, AUTO, () => {});
    expect([again.imported, again.skippedDuplicate]).toEqual([0, 22]);
    expect(again.duplicates[0]?.kind).toBe('duplicate_in_database');
  });

  it('limits the listed issues to 1,000 of a kind but counts them all', async () => {
    // The core lists at most REPORT_LIMIT (1,000) issues of each kind (import/run.rs).
    const bad = ['code', 'GOOD0001', ...Array.from({ length: 1005 }, (_, i) => `bad ${i}`)].join('\n');
    const r = await b.codesImport('lim', tempFile('bad.csv', `${bad}\n`), { new: { ticketType: 'LIM', name: '上限' } }, AUTO, () => {});
    expect([r.imported, r.skippedInvalid, r.errors.length]).toEqual([1, 1005, 1000]);
  });

  it('leaves the batch as it was when cancelled', async () => {
    await b.batchCreate('CAN1', '取消');
    const big = tempFile('big.csv', bigCsv('CAN', 200_000));
    const r = await b.codesImport('job-c', big, { existing: 'CAN1' }, AUTO, () => void b.jobCancel('job-c'));
    expect(r.state).toBe('cancelled');
    expect(r.batch?.totalCodes).toBe(0);
    expect((await b.batchGet('CAN1')).totalCodes).toBe(0);
    expect(await b.jobCancel('job-c')).toBe(false);
  });

  it('creates a batch for ImportTarget new, and removes it again on cancel', async () => {
    const r = await b.codesImport('jn', tempFile('n.csv', e2eCsv('NEW')), { new: { ticketType: 'NEW1', name: '新批次' } }, AUTO, () => {});
    expect([r.batch?.ticketType, r.batch?.totalCodes]).toEqual(['NEW1', 20]);
    expect((await b.batchGet('NEW1')).name).toBe('新批次');

    const big = tempFile('big.csv', bigCsv('NWC', 200_000));
    const target = { new: { ticketType: 'NEW2', name: 'n2' } };
    const cancelled = await b.codesImport('c', big, target, AUTO, () => void b.jobCancel('c'));
    expect([cancelled.state, cancelled.batch]).toEqual(['cancelled', null]);
    expect(await rejection(b.batchGet('NEW2'))).toMatchObject({ code: 'batch_not_found' });
  });

  it('refuses a second import into a batch that is busy', async () => {
    await b.batchCreate('BUSY', '忙');
    const big = tempFile('big.csv', bigCsv('BSY', 200_000));
    let started: () => void = () => {};
    const running = new Promise<void>((r) => (started = r));
    const first = b.codesImport('a', big, { existing: 'BUSY' }, AUTO, () => started());
    await running;
    expect(await rejection(b.codesImport('b', big, { existing: 'BUSY' }, AUTO, () => {}))).toMatchObject({
      code: 'import_busy',
    });
    expect((await first).imported).toBe(200_000);
  });
});

describe('CSV reading (the core parses; the preview shows its rows)', () => {
  const cells = async (text: string, header: 'absent' | 'auto' = 'absent'): Promise<[number, string[]][]> =>
    (await b.importPreview(tempFile('p.csv', text), { ...AUTO, header })).rows.map((r) => [r.line, r.cells]);

  it('reads plain rows with their lines, LF or CRLF, with or without a final newline', async () => {
    expect(await cells('code,note\nA1234,x\r\nB1234,y')).toEqual([
      [1, ['code', 'note']],
      [2, ['A1234', 'x']],
      [3, ['B1234', 'y']],
    ]);
  });

  it('skips blank lines without renumbering the rest', async () => {
    expect(await cells('a\n\n  ,  \nb\n')).toEqual([
      [1, ['a']],
      [4, ['b']],
    ]);
  });

  it('handles quotes, escaped quotes, commas and line breaks inside quotes', async () => {
    expect(await cells('"x,y","say ""hi"""\n"multi\nline",z\nlast,1\n')).toEqual([
      [1, ['x,y', 'say "hi"']],
      [2, ['multi\nline', 'z']],
      [4, ['last', '1']],
    ]);
  });

  it('drops a UTF-8 BOM and keeps empty trailing cells', async () => {
    const p = await b.importPreview(tempFile('bom.csv', '\uFEFFcode,\nA1234,\n'), AUTO);
    expect(p.columns[0]).toBe('code');
    expect(p.rows.map((r) => [r.line, r.cells])).toEqual([[2, ['A1234', '']]]);
  });
});

describe('codes list', () => {
  it('searches case-sensitively, filters by status and pages by 50', async () => {
    await b.batchCreate('G1', 'gen one');
    await b.codesGenerate('g', { ticketType: 'G1', count: 120, length: 10, prefix: 'Ab' }, () => {});
    const all = await b.codesList({ ticketType: 'G1', status: null, search: null, page: page(3, 50) });
    expect([all.total, all.totalPages, all.items.length, all.items[0]?.position]).toEqual([120, 3, 20, 101]);
    expect((await b.codesList({ ticketType: 'G1', status: null, search: 'Ab', page: page(1, 50) })).total).toBe(120);
    expect((await b.codesList({ ticketType: 'G1', status: null, search: 'ab', page: page(1, 50) })).total).toBe(0);
    expect((await b.codesList({ ticketType: 'G1', status: 'redeemed', search: null, page: page() })).total).toBe(0);
    expect(await rejection(b.codesList({ ticketType: 'NOPE', status: null, search: null, page: page() }))).toMatchObject({
      code: 'batch_not_found',
    });
  });
});

describe('generate', () => {
  it('generates unique codes of the asked shape with progress', async () => {
    await b.batchCreate('G2', 'gen two');
    let last = 0;
    const r = await b.codesGenerate('g2', { ticketType: 'G2', count: 700, length: null, prefix: 'CNY' }, (p) => {
      last = p.generated;
    });
    expect([r.state, r.generated, r.batch.totalCodes, last]).toEqual(['done', 700, 700, 700]);
    const codes = await b.codesList({ ticketType: 'G2', status: null, search: null, page: page(1, 100) });
    expect(new Set(codes.items.map((c) => c.code)).size).toBe(100);
    for (const c of codes.items) expect(c.code).toMatch(/^CNY[2-9A-HJ-NP-Z]{9}$/);
  });

  it('refuses what cannot fit, and bad requests', async () => {
    await b.batchCreate('G3', 'gen three');
    // 2 random characters: 32^2 = 1024 codes, at most 512 drawn.
    const fits = await b.codesGenerate('a', { ticketType: 'G3', count: 512, length: 6, prefix: 'ABCD' }, () => {});
    expect(fits.generated).toBe(512);
    const req = (count: number, length: number | null, prefix: string | null) => ({ ticketType: 'G3', count, length, prefix });
    expect(await rejection(b.codesGenerate('b', req(513, 6, 'WXYZ'), () => {}))).toMatchObject({
      code: 'generate_space_too_small',
    });
    expect(await rejection(b.codesGenerate('c', req(0, null, null), () => {}))).toMatchObject({ code: 'invalid_generate' });
    expect(await rejection(b.codesGenerate('d', req(1, 4, 'ABCD'), () => {}))).toMatchObject({ code: 'invalid_generate' });
    expect(await rejection(b.codesGenerate('e', req(1, null, '-X'), () => {}))).toMatchObject({ code: 'invalid_generate' });
  });
});

describe('export', () => {
  it('writes a CSV with BOM and localized header, and nothing when cancelled', async () => {
    await b.batchCreate('EXP', 'export');
    await b.codesImport('i', tempFile('in.csv', 'code\n=SUM1234\nABCD1234\n'), { existing: 'EXP' }, AUTO, () => {});
    const out = join(tempDir(), 'EXP.csv');
    const r = await b.codesExport('x', 'EXP', out, { lang: 'en', format: null }, () => {});
    expect([r.rows, r.cancelled]).toEqual([1, false]);
    expect(readText(out).startsWith('\uFEFFCode,Status,No.,Created (UTC+08:00),Updated (UTC+08:00)\nABCD1234,issued,1,')).toBe(true);
    // No options: zh-CN, the format by the extension.
    await b.codesExport('x2', 'EXP', out, null, () => {});
    expect(readText(out).startsWith('\uFEFF券码,状态,序号,创建时间 (UTC+08:00),更新时间 (UTC+08:00)\nABCD1234,已发行,1,')).toBe(true);
    // Excel: a zip (PK) whatever the name says, when chosen.
    await b.codesExport('x3', 'EXP', out, { lang: 'zh-CN', format: 'xlsx' }, () => {});
    expect(readText(out).startsWith('PK')).toBe(true);
    // ...and that workbook previews as the import dialog shows it (chosen format, header).
    const p = await b.importPreview(out, { ...AUTO, format: 'xlsx' });
    expect([p.format, p.hasHeader, p.columns[0], p.rows[0]?.line, p.rows[0]?.cells[0]]).toEqual(['xlsx', true, '券码', 2, 'ABCD1234']);

    await b.codesImport('bi', tempFile('big.csv', bigCsv('EXB', 200_000)), { new: { ticketType: 'EXB', name: 'big export' } }, AUTO, () => {});
    const big = join(tempDir(), 'EXB.csv');
    const cancelled = await b.codesExport('xc', 'EXB', big, null, () => void b.jobCancel('xc'));
    expect(cancelled.cancelled).toBe(true);
    expect(existsSync(big)).toBe(false);

    // The print dialog's request: the ticked code only, as A4 QR labels in a PDF.
    const pdf = join(tempDir(), 'EXP.pdf');
    const printed = await b.codesPrint('p', { ticketType: 'EXP', layout: '3x8', symbol: 'qr', codes: ['ABCD1234'], lang: 'zh-CN' }, pdf, () => {});
    expect([printed.rows, printed.cancelled]).toEqual([1, false]);
    expect(readText(pdf).startsWith('%PDF-')).toBe(true);
  });
});

describe('path "dialogs" in the browser', () => {
  it('returns the typed path, or null when staff cancel or leave it empty', async () => {
    const answers: (string | null)[] = [' /data/codes.csv ', null, '  '];
    const asked: [string, string][] = [];
    const http = createHttpBackend({
      baseUrl: 'http://127.0.0.1:1',
      token: null,
      ask: (title, proposal) => {
        asked.push([title, proposal]);
        return answers.shift() ?? null;
      },
      exportDir: '/exports/',
    });
    const text = { title: '选择文件', filterName: 'CSV' };
    expect(await http.chooseImportFile(text)).toBe('/data/codes.csv');
    expect(await http.chooseImportFile(text)).toBeNull();
    expect(await http.chooseExportPath('T1.csv', text)).toBeNull();
    expect(asked).toEqual([
      ['选择文件', ''],
      ['选择文件', ''],
      ['选择文件', '/exports/T1.csv'],
    ]);
    // A server that is not there is an ApiError, like every other failure.
    expect(fieldsOf(await rejection(http.appInfo()))).toEqual([]);
    expect(await rejection(http.appInfo())).toMatchObject({ code: 'internal' });
  });
});
