// CSV export for the fake backend, in the core's format (crates/core/src/export): UTF-8
// with BOM, header code,status,position,created_at,updated_at, formula-like cells
// neutralised, and nothing written when cancelled.
import type { OnProgress } from '../backend';
import type { ExportProgress } from '../bindings/ExportProgress';
import type { ExportReport } from '../bindings/ExportReport';
import type { FakeStore } from './fakeStore';

export const HEADER = 'code,status,position,created_at,updated_at';

/** A leading apostrophe stops spreadsheets from running a cell as a formula. */
export function neutralise(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

export function quote(cell: string): string {
  return /[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell;
}

export interface ExportJob {
  store: FakeStore;
  ticketType: string;
  path: string;
  chunk: number;
  pause: () => Promise<void>;
  isCancelled: () => boolean;
  onProgress: OnProgress<ExportProgress>;
  write: (path: string, text: string) => void;
}

export async function runExport(job: ExportJob): Promise<ExportReport> {
  const started = Date.now();
  const { codes } = job.store.entry(job.ticketType);
  const total = codes.length;
  const lines = [HEADER];
  for (let start = 0; start < total; start += job.chunk) {
    for (const c of codes.slice(start, start + job.chunk)) {
      lines.push(
        [neutralise(c.code), c.status, String(c.position), c.createdAt, c.updatedAt ?? '']
          .map(quote)
          .join(','),
      );
    }
    const written = Math.min(start + job.chunk, total);
    if (job.isCancelled()) {
      return { path: job.path, rows: written, cancelled: true, elapsedMs: Date.now() - started };
    }
    job.onProgress({ written, total });
    await job.pause();
  }
  job.write(job.path, `\uFEFF${lines.join('\n')}\n`);
  job.onProgress({ written: total, total });
  return { path: job.path, rows: total, cancelled: false, elapsedMs: Date.now() - started };
}
