// Default names of exported files (pure, so they are easy to test).
import type { ExportFormat } from '$lib/backend/bindings/ExportFormat';

/** Characters no file system takes in a name (Windows' list, the strictest), and controls. */
// eslint-disable-next-line no-control-regex
const NOT_IN_NAMES = /[\\/:*?"<>|\u0000-\u001f\u007f]/g;

/**
 * `base` + `_` + `day` + the format's extension, e.g. `春节满减_2026-12-07.xlsx`:
 * characters not allowed in file names become `_`, leading and trailing dots and spaces
 * go (Windows drops them), and an empty base falls back to `fallback`.
 */
export function exportFileName(base: string, day: string, format: ExportFormat, fallback = 'export'): string {
  const clean = base
    .replace(NOT_IN_NAMES, '_')
    .replace(/^[\s.]+|[\s.]+$/g, '')
    .slice(0, 120);
  const stem = clean === '' ? fallback : clean;
  return `${stem}${day === '' ? '' : `_${day}`}.${format}`;
}

/** The name `name` with its extension swapped for the format's. */
export function withFormat(name: string, format: ExportFormat): string {
  return `${name.replace(/\.(csv|xlsx)$/i, '')}.${format}`;
}
