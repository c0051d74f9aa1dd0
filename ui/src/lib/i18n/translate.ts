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
 * What staff read for a failed command: the translation of its code, else the core's
 * English message (a code this UI does not know yet), else the generic internal one.
 */
export function translateError(lang: Lang, error: ApiError): string {
  const key = `error.${error.code}`;
  if (isMessageKey(key)) return translate(lang, key);
  return error.message.trim() !== '' ? error.message : translate(lang, 'error.internal');
}

export function translateIssue(lang: Lang, kind: RowIssueKind, englishReason?: string): string {
  const key = `issue.${kind}`;
  if (isMessageKey(key)) return translate(lang, key);
  return englishReason ?? kind;
}
