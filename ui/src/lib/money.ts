// Money at the counter: the core counts integer fen; staff type and read yuan. Parsing
// is exact (string arithmetic, no floating point), so "20.50" is 2050 fen, always.

export type YuanError = 'empty' | 'negative' | 'too_many_decimals' | 'invalid' | 'too_large';
export type YuanParse = { ok: true; fen: number } | { ok: false; error: YuanError };

const YUAN = /^(\d+)(?:\.(\d*))?$/;

/** "20" -> 2000, "20.5" -> 2050, "20.50" -> 2050; refuses "", "-1", "2.555", "abc". */
export function parseYuan(text: string): YuanParse {
  const s = text.trim().replace(/^[¥￥]\s*/, '').replaceAll(',', '');
  if (s === '') return { ok: false, error: 'empty' };
  if (/^-/.test(s)) return { ok: false, error: 'negative' };
  const m = YUAN.exec(s);
  if (m === null) return { ok: false, error: 'invalid' };
  const whole = m[1] ?? '0';
  const frac = m[2] ?? '';
  if (m[2] !== undefined && frac === '') return { ok: false, error: 'invalid' };
  if (frac.length > 2) return { ok: false, error: 'too_many_decimals' };
  const fen = Number(whole) * 100 + Number(frac.padEnd(2, '0'));
  if (!Number.isSafeInteger(fen)) return { ok: false, error: 'too_large' };
  return { ok: true, fen };
}

function parts(fen: number): { sign: string; yuan: string; cents: string } {
  const abs = Math.abs(Math.trunc(fen));
  return {
    sign: fen < 0 ? '-' : '',
    yuan: String(Math.floor(abs / 100)),
    cents: String(abs % 100).padStart(2, '0'),
  };
}

/** 2000 -> "¥20.00", 2050 -> "¥20.50", -5 -> "-¥0.05". */
export function formatYuan(fen: number): string {
  const p = parts(fen);
  return `${p.sign}¥${p.yuan}.${p.cents}`;
}

/** Yuan as a form shows it for editing: 2000 -> "20", 2050 -> "20.50". */
export function fenToInput(fen: number): string {
  const p = parts(fen);
  return p.cents === '00' ? `${p.sign}${p.yuan}` : `${p.sign}${p.yuan}.${p.cents}`;
}
