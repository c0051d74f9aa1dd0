// The current language as reactive state: templates that call t() re-render when it
// changes. The choice is remembered in localStorage.
import type { ApiError } from '../backend/bindings/ApiError';
import type { RowIssueKind } from '../backend/bindings/RowIssueKind';
import {
  DEFAULT_LANG,
  isLang,
  translate,
  translateError,
  translateIssue,
  type Lang,
  type Params,
} from './translate';
import type { MessageKey } from './zh-CN';

const STORAGE_KEY = 'coupondesk.lang';

function stored(): Lang {
  try {
    const v = globalThis.localStorage?.getItem(STORAGE_KEY);
    return isLang(v) ? v : DEFAULT_LANG;
  } catch {
    // Storage can be disabled; the default language is fine then.
    return DEFAULT_LANG;
  }
}

export const locale = $state<{ lang: Lang }>({ lang: stored() });

export function setLang(lang: Lang): void {
  locale.lang = lang;
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, lang);
  } catch {
    // Not remembered, but switched for this session.
  }
  // The document language picks the right CJK glyphs and helps screen readers.
  if (typeof document !== 'undefined') document.documentElement.lang = lang;
}

export function t(key: MessageKey, params?: Params): string {
  return translate(locale.lang, key, params);
}

export function tError(error: ApiError): string {
  return translateError(locale.lang, error);
}

export function tIssue(kind: RowIssueKind, englishReason?: string): string {
  return translateIssue(locale.lang, kind, englishReason);
}
