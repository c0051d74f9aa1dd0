// Number, size, time and duration formatting for tables and progress. Pure functions
// of the language (and, for times, the zone), so they are testable; components pass
// locale.lang and leave the zone to the user's system.
import type { Lang } from './i18n/translate';

const numberFormats = new Map<Lang, Intl.NumberFormat>();

/** Whole numbers with thousands separators: 1234567 -> "1,234,567". */
export function formatCount(n: number, lang: Lang): string {
  let f = numberFormats.get(lang);
  if (f === undefined) {
    f = new Intl.NumberFormat(lang, { maximumFractionDigits: 0 });
    numberFormats.set(lang, f);
  }
  return f.format(n);
}

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** Bytes in 1024 steps with one decimal from KB on: 1536 -> "1.5 KB". */
export function formatBytes(bytes: number, lang: Lang): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 ? 0 : 1;
  const text = new Intl.NumberFormat(lang, {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(value);
  return `${text} ${UNITS[unit] ?? 'B'}`;
}

/**
 * A UTC timestamp from the core, shown in the user's zone (or `timeZone`, for tests)
 * as "2026-01-05 10:37" style, 24-hour, in both languages: staff compare times in
 * columns, so a fixed-width numeric form reads best.
 */
export function formatDateTime(iso: string, lang: Lang, timeZone?: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const parts = new Intl.DateTimeFormat(lang === 'zh-CN' ? 'zh-CN' : 'en-GB', {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    ...(timeZone === undefined ? {} : { timeZone }),
  }).formatToParts(d);
  const get = (type: Intl.DateTimeFormatPartTypes): string =>
    parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}

/** Elapsed milliseconds as seconds with one decimal: 1234 -> "1.2". */
export function formatSeconds(ms: number, lang: Lang): string {
  return new Intl.NumberFormat(lang, {
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  }).format(ms / 1000);
}

/** 0..100 for a progress bar; 0 when the total is not known yet. */
export function percent(done: number, total: number): number {
  if (total <= 0) return 0;
  return Math.min(100, Math.max(0, (done / total) * 100));
}
