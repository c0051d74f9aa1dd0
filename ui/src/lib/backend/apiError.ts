// Every failure reaches the UI as an ApiError {code, message, fields}: the UI branches on
// `code` and shows its own translation; `message` is English, for logs and fallbacks;
// `fields` lists the form fields that break a rule (code `invalid_fields`).
import type { ApiError } from './bindings/ApiError';
import type { ErrorCode } from './bindings/ErrorCode';
import type { FieldError } from './bindings/FieldError';

export function isApiError(e: unknown): e is ApiError {
  if (typeof e !== 'object' || e === null) return false;
  const r = e as Record<string, unknown>;
  return typeof r['code'] === 'string' && typeof r['message'] === 'string';
}

function isFieldError(f: unknown): f is FieldError {
  if (typeof f !== 'object' || f === null) return false;
  const r = f as Record<string, unknown>;
  return typeof r['field'] === 'string' && typeof r['code'] === 'string' && typeof r['message'] === 'string';
}

/** Anything thrown (by invoke, a plugin, or a bug) as an ApiError. */
export function toApiError(e: unknown): ApiError {
  if (isApiError(e)) {
    const raw = (e as { fields?: unknown }).fields;
    const fields = Array.isArray(raw) ? raw.filter(isFieldError).map((f) => ({ ...f })) : [];
    return { code: e.code, message: e.message, fields };
  }
  return { code: 'internal', message: String(e), fields: [] };
}

/** An ApiError with one of the codes the core can send (so a typo fails `npm run check`). */
export function apiError(code: ErrorCode, message: string, fields: FieldError[] = []): ApiError {
  return { code, message, fields };
}
