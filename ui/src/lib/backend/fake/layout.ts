// Header and code-column decisions for the fake backend, mirrored from
// crates/core/src/import/reader.rs (`layout_with`), so previews in a plain browser
// behave like the real app's.
import type { ImportOptions } from '../bindings/ImportOptions';
import { apiError } from '../apiError';
import { isCode } from './codeRule';
import type { CsvRecord } from './csv';

const CODE_HEADERS = new Set([
  'code', 'codes', 'coupon code', 'coupon_code', 'couponcode', 'ticket_code', 'ticket code',
  'code_secret', 'codesecret', 'voucher code', 'voucher_code', '券码', '券号', '券码号',
  '兑换码', '卡密', '优惠码', '电子码', '码', '编码', '核销码', '券码编号',
]);

export function isCodeHeader(cell: string): boolean {
  return CODE_HEADERS.has(cell.trim().toLowerCase());
}

export interface Layout {
  hasHeader: boolean;
  /** Header names, or "1", "2", ... without a header. */
  columns: string[];
  /** 0-based. */
  codeColumn: number;
}

function decideHeader(first: CsvRecord[], head: string[], options: ImportOptions): boolean {
  if (options.header === 'present') return true;
  if (options.header === 'absent') return false;
  if (head.some(isCodeHeader)) return true;
  const column = options.column;
  if (column !== null && 'name' in column) return true;
  const invalid = (row: string[], i: number): boolean => !isCode(row[i]);
  if (column !== null && column.index >= 1) return invalid(head, column.index - 1);
  const second = first[1]?.cells;
  if (second !== undefined) return head.some((_, i) => invalid(head, i) && !invalid(second, i));
  return head.every((_, i) => invalid(head, i));
}

export function decideLayout(first: CsvRecord[], options: ImportOptions): Layout {
  const headRecord = first[0];
  if (headRecord === undefined) {
    throw apiError('no_data_rows', 'the file has no data rows; check that you chose the right file');
  }
  const head = headRecord.cells;
  const width = Math.max(...first.map((r) => r.cells.length));
  const hasHeader = decideHeader(first, head, options);
  const columns = hasHeader
    ? Array.from({ length: Math.max(width, head.length) }, (_, i) => {
        const name = (head[i] ?? '').trim();
        return name === '' ? String(i + 1) : name;
      })
    : Array.from({ length: width }, (_, i) => String(i + 1));

  let codeColumn: number;
  const column = options.column;
  if (column !== null && 'index' in column) {
    if (column.index === 0) {
      throw apiError('column_not_found', 'columns are counted from 1; choose column 1 or later');
    }
    if (column.index > columns.length) {
      throw apiError(
        'column_not_found',
        `column ${column.index} (the file has ${columns.length} columns)`,
      );
    }
    codeColumn = column.index - 1;
  } else if (column !== null) {
    if (!hasHeader) {
      throw apiError('column_not_found', `"${column.name}" (the file has no header row)`);
    }
    const want = column.name.trim().toLowerCase();
    codeColumn = columns.findIndex((c) => c.toLowerCase() === want);
    if (codeColumn < 0) {
      throw apiError('column_not_found', `"${column.name}" (the header has: ${columns.join(', ')})`);
    }
  } else {
    const named = head.findIndex(isCodeHeader);
    const data = first[hasHeader ? 1 : 0]?.cells ?? [];
    const firstCode = data.findIndex((c) => isCode(c));
    codeColumn = named >= 0 ? named : firstCode >= 0 ? firstCode : 0;
  }
  if (hasHeader && first.length === 1) {
    throw apiError('no_data_rows', 'the file has a header but no data rows');
  }
  return { hasHeader, columns, codeColumn };
}
