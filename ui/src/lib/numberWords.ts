// A count in words, for the confirmation of large bulk actions (issue 13): a slip such as
// 1000100000 for 100000 is easy to miss in digits and hard to miss in words
// (「十亿零一十万」 against 「十万」). Whole numbers from 0 to Number.MAX_SAFE_INTEGER.
import type { Lang } from './i18n/translate';

const ZH_DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
const ZH_PLACES = ['', '十', '百', '千'];
/** Groups of four digits: 个, 万, 亿, 万亿 (10^12). */
const ZH_GROUPS = ['', '万', '亿', '万亿'];

/** One group of four digits (1-9999), with 零 for inner zeros: 1010 -> 一千零一十. */
function zhGroup(n: number): string {
  let out = '';
  let zero = false;
  for (let place = 3; place >= 0; place -= 1) {
    const d = Math.floor(n / 10 ** place) % 10;
    if (d === 0) {
      zero = out !== '';
      continue;
    }
    if (zero) out += '零';
    zero = false;
    out += (ZH_DIGITS[d] ?? '') + (ZH_PLACES[place] ?? '');
  }
  return out;
}

function zh(n: number): string {
  if (n === 0) return '零';
  const groups: number[] = [];
  for (let rest = n; rest > 0; rest = Math.floor(rest / 10000)) groups.push(rest % 10000);
  let out = '';
  let zeroBefore = false;
  for (let i = groups.length - 1; i >= 0; i -= 1) {
    const g = groups[i] ?? 0;
    if (g === 0) {
      zeroBefore = out !== '';
      continue;
    }
    // A group under 1000 after a higher one reads with 零 (十亿零一十万).
    if (out !== '' && (zeroBefore || g < 1000)) out += '零';
    zeroBefore = false;
    out += zhGroup(g) + (ZH_GROUPS[i] ?? '');
  }
  // 一十 at the very start is said 十 (十万, 十二); inside it stays (一百一十).
  return out.startsWith('一十') ? out.slice(1) : out;
}

const EN_SMALL = [
  'zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten',
  'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen',
  'nineteen',
];
const EN_TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
const EN_SCALES = ['', 'thousand', 'million', 'billion', 'trillion', 'quadrillion'];

/** 1-999: 110 -> "one hundred ten". */
function enGroup(n: number): string {
  const words: string[] = [];
  const hundreds = Math.floor(n / 100);
  const rest = n % 100;
  if (hundreds > 0) words.push(`${EN_SMALL[hundreds]} hundred`);
  if (rest >= 20) {
    const ones = rest % 10;
    words.push(ones === 0 ? (EN_TENS[rest / 10] ?? '') : `${EN_TENS[Math.floor(rest / 10)]}-${EN_SMALL[ones]}`);
  } else if (rest > 0) {
    words.push(EN_SMALL[rest] ?? '');
  }
  return words.join(' ');
}

function en(n: number): string {
  if (n === 0) return 'zero';
  const words: string[] = [];
  let scale = 0;
  for (let rest = n; rest > 0; rest = Math.floor(rest / 1000), scale += 1) {
    const g = rest % 1000;
    if (g > 0) words.unshift(EN_SCALES[scale] ? `${enGroup(g)} ${EN_SCALES[scale]}` : enGroup(g));
  }
  return words.join(' ');
}

/** `n` in words in `lang`: 100000 -> 「十万」 / "one hundred thousand". */
export function numberWords(n: number, lang: Lang): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`not a whole count: ${n}`);
  return lang === 'en' ? en(n) : zh(n);
}
