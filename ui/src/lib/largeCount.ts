// Bulk actions above these counts ask for confirmation with the number in words (issue
// 13); the CLI needs --yes above the same numbers (crates/cli/src/large_count.rs), and the
// core refuses more than its maximum whatever is confirmed.
import type { Lang } from './i18n/translate';
import { formatCount } from './format';
import { numberWords } from './numberWords';

/** Codes in one generation run above which the window asks first. */
export const LARGE_CODES = 100_000;
/** Bonuses in one creation above which the window asks first. */
export const LARGE_BONUSES = 100;

/** The count as digits and as words, for a confirmation sentence's {count} and {words}. */
export function countParams(n: number, lang: Lang): { count: string; words: string } {
  return { count: formatCount(n, lang), words: numberWords(n, lang) };
}
