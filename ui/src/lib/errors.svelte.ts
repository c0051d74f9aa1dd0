// The error banner's state: the last failed command's ApiError. The banner translates it
// when it renders, so switching language re-translates a visible error.
import type { ApiError } from './backend/bindings/ApiError';
import { toApiError } from './backend/apiError';

export const banner = $state<{ error: ApiError | null }>({ error: null });

/** Shows a failed command in the banner; returns the ApiError for callers that branch. */
export function reportError(e: unknown): ApiError {
  const error = toApiError(e);
  banner.error = error;
  return error;
}

export function clearError(): void {
  banner.error = null;
}
