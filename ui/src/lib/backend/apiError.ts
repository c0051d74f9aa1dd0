// Every failure reaches the UI as an ApiError {code, message}: the UI branches on
// `code` and shows its own translation; `message` is English, for logs and fallbacks.
import type { ApiError } from './bindings/ApiError';

export function isApiError(e: unknown): e is ApiError {
  if (typeof e !== 'object' || e === null) return false;
  const r = e as Record<string, unknown>;
  return typeof r['code'] === 'string' && typeof r['message'] === 'string';
}

/** Anything thrown (by invoke, a plugin, or a bug) as an ApiError. */
export function toApiError(e: unknown): ApiError {
  if (isApiError(e)) return { code: e.code, message: e.message };
  return { code: 'internal', message: String(e) };
}

export function apiError(code: string, message: string): ApiError {
  return { code, message };
}
