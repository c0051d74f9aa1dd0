// Pure translation functions (no UI state), so they are easy to test. The reactive
// `t` that pages use lives in locale.svelte.ts.
import type { ApiError } from '../backend/bindings/ApiError';
import type { RowIssueKind } from '../backend/bindings/RowIssueKind';
import { en } from './en';
import { zhCN, type MessageKey, type Messages } from './zh-CN';

export const LANGS = ['zh-CN', 'en'] as const;
export type Lang = (typeof LANGS)[number];
export const DEFAULT_LANG: Lang = 'zh-CN';

export const TABLES: Record<Lang, Messages> = { 'zh-CN': zhCN, en };

export type Params = Record<string, string | number>;

export function isLang(v: unknown): v is Lang {
  return typeof v === 'string' && (LANGS as readonly string[]).includes(v);
}

export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(zhCN, key);
}

/** Fills {name} placeholders; an unknown placeholder stays visible so it gets noticed. */
export function fill(template: string, params: Params = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(params, name) ? String(params[name]) : whole,
  );
}

export function translate(lang: Lang, key: MessageKey, params?: Params): string {
  return fill(TABLES[lang][key], params);
}

/**
 * Codes whose core message carries what staff need to act on (tries left, seconds to
 * wait, the role to ask): the message is matched in the core's English (its texts are in
 * crates/core/src/store/staff.rs) and the named groups fill this UI's own sentence. A
 * message that no longer matches falls back to the code's plain translation.
 */
const DETAILS: readonly { code: string; pattern: RegExp; key: MessageKey }[] = [
  { code: 'unauthenticated', pattern: /(?<left>\d+) more wrong PIN\(s\) lock the account for (?<seconds>\d+) s/, key: 'errorDetail.wrongPin' },
  { code: 'unauthenticated', pattern: /^no active staff member is called/, key: 'errorDetail.unknownName' },
  { code: 'unauthenticated', pattern: /locked after (?<minutes>\d+) idle minutes/, key: 'errorDetail.idleLocked' },
  { code: 'locked_out', pattern: /try again in (?<seconds>\d+) s/, key: 'errorDetail.lockedOut' },
  { code: 'forbidden', pattern: /ask an? (?<needs>cashier|manager|owner) to do it/, key: 'errorDetail.forbidden' },
];

const ROLE_PARAMS = new Set(['needs']);

function detailOf(lang: Lang, error: ApiError): string | null {
  for (const d of DETAILS) {
    if (d.code !== error.code) continue;
    const m = d.pattern.exec(error.message);
    if (m === null) continue;
    const params: Params = {};
    for (const [name, value] of Object.entries(m.groups ?? {})) {
      params[name] = ROLE_PARAMS.has(name) ? translate(lang, `role.${value as 'cashier' | 'manager' | 'owner'}`) : value;
    }
    return translate(lang, d.key, params);
  }
  return null;
}

/**
 * What staff read for a failed command: the translation of its code (with the details
 * above), else the core's English message (a code this UI does not know yet), else the
 * generic internal one.
 */
export function translateError(lang: Lang, error: ApiError): string {
  const detail = detailOf(lang, error);
  if (detail !== null) return detail;
  const key = `error.${error.code}`;
  if (isMessageKey(key)) return translate(lang, key);
  return error.message.trim() !== '' ? error.message : translate(lang, 'error.internal');
}

export function translateIssue(lang: Lang, kind: RowIssueKind, englishReason?: string): string {
  const key = `issue.${kind}`;
  if (isMessageKey(key)) return translate(lang, key);
  return englishReason ?? kind;
}
