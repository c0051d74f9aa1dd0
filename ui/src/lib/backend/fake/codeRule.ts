// The code rule of DESIGN.md, mirrored from crates/core/src/domain/code.rs so the fake
// backend accepts and rejects exactly what the real one does: 4-64 characters of
// A-Z a-z 0-9 - _, starting with a letter or digit, trimmed.
import type { CodeRejection } from '../bindings/CodeRejection';

export const MIN_LEN = 4;
export const MAX_LEN = 64;

const ALLOWED = /^[A-Za-z0-9_-]*$/;
const FIRST = /^[A-Za-z0-9]/;

export type CodeCheck = { ok: true; code: string } | { ok: false; rejection: CodeRejection };

export function checkCode(raw: string): CodeCheck {
  const t = raw.trim();
  if (t === '') return { ok: false, rejection: 'empty' };
  if (!ALLOWED.test(t)) return { ok: false, rejection: 'bad_character' };
  if (t.length < MIN_LEN) return { ok: false, rejection: 'too_short' };
  if (t.length > MAX_LEN) return { ok: false, rejection: 'too_long' };
  if (!FIRST.test(t)) return { ok: false, rejection: 'bad_first_character' };
  return { ok: true, code: t };
}

export function isCode(raw: string | undefined): boolean {
  return raw !== undefined && checkCode(raw).ok;
}
