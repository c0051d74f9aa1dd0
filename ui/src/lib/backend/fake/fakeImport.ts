// Preview and import for the fake backend, following crates/core/src/import: every data
// row ends in exactly one of imported / duplicate / invalid, issues carry their file
// line, and a cancelled import leaves the batch exactly as it was.
import type { OnProgress } from '../backend';
import type { ImportOptions } from '../bindings/ImportOptions';
import type { ImportPreview } from '../bindings/ImportPreview';
import type { ImportProgress } from '../bindings/ImportProgress';
import type { ImportReport } from '../bindings/ImportReport';
import type { ImportTarget } from '../bindings/ImportTarget';
import type { RowIssue } from '../bindings/RowIssue';
import type { RowIssueKind } from '../bindings/RowIssueKind';
import type { DetectedEncoding } from '../bindings/DetectedEncoding';
import { checkCode } from './codeRule';
import { parseCsv, type CsvRecord } from './csv';
import type { BatchEntry, FakeStore } from './fakeStore';
import { decideLayout } from './layout';

export const PREVIEW_ROWS = 10;
const VALUE_CHARS = 100;

const REASONS: Record<RowIssueKind, string> = {
  empty: 'the code cell is empty',
  too_short: 'the code is shorter than 4 characters',
  too_long: 'the code is longer than 64 characters',
  bad_character: "the code has a character other than A-Z, a-z, 0-9, '-' or '_'",
  bad_first_character: 'the code must start with a letter or a digit',
  missing_column: 'the row has no cell in the code column',
  unreadable: 'the row is not valid CSV text in the chosen encoding',
  duplicate_in_file: 'the code appears earlier in this file',
  duplicate_in_database: 'the code is already in the database',
};

function encodingOf(text: string, options: ImportOptions): DetectedEncoding {
  if (options.encoding === 'gbk') return 'gb18030';
  return text.startsWith('\uFEFF') ? 'utf-8-bom' : 'utf-8';
}

function byteLength(text: string): number {
  return new TextEncoder().encode(text).length;
}

export function preview(text: string, options: ImportOptions): ImportPreview {
  const first = parseCsv(text).slice(0, PREVIEW_ROWS + 1);
  const layout = decideLayout(first, options);
  return {
    encoding: encodingOf(text, options),
    hasHeader: layout.hasHeader,
    columns: layout.columns,
    codeColumn: layout.codeColumn + 1,
    rows: first
      .slice(layout.hasHeader ? 1 : 0)
      .slice(0, PREVIEW_ROWS)
      .map((r) => ({ line: r.line, cells: r.cells })),
    fileBytes: byteLength(text),
  };
}

export interface ImportJob {
  store: FakeStore;
  text: string;
  target: ImportTarget;
  options: ImportOptions;
  chunkRows: number;
  reportLimit: number;
  pause: () => Promise<void>;
  isCancelled: () => boolean;
  onProgress: OnProgress<ImportProgress>;
}

/** Finds or creates the target batch; `created` says whether a cancel must remove it. */
function claimTarget(store: FakeStore, target: ImportTarget): { entry: BatchEntry; created: boolean } {
  if ('existing' in target) return { entry: store.entry(target.existing), created: false };
  const batch = store.createBatch(target.new.ticketType, target.new.name);
  return { entry: store.entry(batch.ticketType), created: true };
}

export async function runImport(job: ImportJob): Promise<ImportReport> {
  const started = Date.now();
  const { store } = job;
  const records = parseCsv(job.text);
  const layout = decideLayout(records.slice(0, 2), job.options);
  const { entry, created } = claimTarget(store, job.target);
  const ticketType = entry.batch.ticketType;
  store.claim(ticketType);
  try {
    const runId = store.newRunId();
    const startedAt = store.stamp();
    const bytesTotal = byteLength(job.text);
    const data: CsvRecord[] = records.slice(layout.hasHeader ? 1 : 0);
    const staged: string[] = [];
    const seen = new Set<string>();
    const errors: RowIssue[] = [];
    const duplicates: RowIssue[] = [];
    const counts = { rowsRead: 0, imported: 0, skippedDuplicate: 0, skippedInvalid: 0 };

    const issue = (list: RowIssue[], line: number, kind: RowIssueKind, value: string): void => {
      if (list.length < job.reportLimit) {
        list.push({ line, kind, value: [...value].slice(0, VALUE_CHARS).join(''), reason: REASONS[kind] });
      }
    };

    let state: ImportReport['state'] = 'done';
    for (let start = 0; start < data.length; start += job.chunkRows) {
      const chunk = data.slice(start, start + job.chunkRows);
      for (const row of chunk) {
        counts.rowsRead += 1;
        const cell = row.cells[layout.codeColumn];
        if (cell === undefined) {
          counts.skippedInvalid += 1;
          issue(errors, row.line, 'missing_column', '');
          continue;
        }
        const check = checkCode(cell);
        if (!check.ok) {
          counts.skippedInvalid += 1;
          issue(errors, row.line, check.rejection, cell);
        } else if (seen.has(check.code)) {
          counts.skippedDuplicate += 1;
          issue(duplicates, row.line, 'duplicate_in_file', check.code);
        } else if (store.allCodes.has(check.code)) {
          seen.add(check.code);
          counts.skippedDuplicate += 1;
          issue(duplicates, row.line, 'duplicate_in_database', check.code);
        } else {
          seen.add(check.code);
          staged.push(check.code);
          counts.imported += 1;
        }
      }
      const last = chunk[chunk.length - 1];
      const bytesRead =
        last === undefined ? bytesTotal : Math.round((last.end / job.text.length) * bytesTotal);
      job.onProgress({ runId, ...counts, bytesRead, bytesTotal });
      await job.pause();
      if (job.isCancelled()) {
        state = 'cancelled';
        break;
      }
    }

    let batch: ImportReport['batch'];
    if (state === 'cancelled') {
      if (created) store.removeBatch(ticketType);
      batch = created ? null : { ...entry.batch };
    } else {
      store.addCodes(entry, staged, startedAt);
      batch = { ...entry.batch };
    }
    return {
      runId,
      state,
      batch,
      encoding: encodingOf(job.text, job.options),
      hasHeader: layout.hasHeader,
      codeColumn: layout.codeColumn + 1,
      ...counts,
      errors,
      duplicates,
      elapsedMs: Date.now() - started,
    };
  } finally {
    store.release(ticketType);
  }
}
