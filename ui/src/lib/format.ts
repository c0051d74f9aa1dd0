// Number, size and duration formatting for tables and progress. Pure functions of the
// language, so they are testable; components pass locale.lang.
import { translate, type Lang } from './i18n/translate';

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
 * How long a run took, with enough precision to mean something: whole milliseconds
 * below a second ("380 毫秒", never "0.0 秒"), seconds with one decimal from 1 s on. A
 * run faster than the core's whole milliseconds can count (a few rows on a quiet
 * machine: `elapsed_ms` 0) reads "不到 1 毫秒", never "0 毫秒".
 * Times of day are not formatted here: they go through shopTime (shop.svelte.ts), so
 * every page reads the shop's zone, never the computer's.
 */
export function formatDuration(ms: number, lang: Lang): string {
  if (ms < 1) {
    return translate(lang, 'common.underOneMillisecond');
  }
  if (ms < 1000) {
    return translate(lang, 'common.milliseconds', { ms: formatCount(Math.max(0, Math.round(ms)), lang) });
  }
  const s = new Intl.NumberFormat(lang, {
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  }).format(ms / 1000);
  return translate(lang, 'common.seconds', { s });
}

/** 0..100 for a progress bar; 0 when the total is not known yet. */
export function percent(done: number, total: number): number {
  if (total <= 0) return 0;
  return Math.min(100, Math.max(0, (done / total) * 100));
}
