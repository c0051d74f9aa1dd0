// Picks the backend once, at start: the real one inside the Tauri window, the dev server
// (`coupondesk serve`, the same core over HTTP) in a plain browser. `npm run dev` and the
// browser checks serve the page with a proxy that forwards /api to the server and adds
// its token, so the page itself needs no address and holds no token
// (VITE_COUPONDESK_URL / VITE_COUPONDESK_TOKEN point elsewhere when set).
import type { Backend } from './backend';
import { toApiError } from './apiError';
import type { ApiError } from './bindings/ApiError';
import { createHttpBackend } from './http';
import { tauriBackend } from './tauri';

export type { Backend, FileDialogText, OnProgress } from './backend';
export { toApiError, isApiError } from './apiError';

type FailureListener = (error: ApiError) => void;
const failureListeners = new Set<FailureListener>();

/**
 * Hears every failed command of `backend`, whichever page sent it (the session store
 * sends the window to the login screen on `unauthenticated`). Returns the unsubscribe.
 */
export function onCommandFailure(listener: FailureListener): () => void {
  failureListeners.add(listener);
  return () => failureListeners.delete(listener);
}

let inFlight = 0;

/**
 * Commands sent and not answered yet (a job counts until it ends, a file picker while it
 * is open). The window's renewal waits for 0: a page loaded afresh would drop their
 * answers and a job's progress (lib/windowRenew.ts).
 */
export function commandsInFlight(): number {
  return inFlight;
}

/**
 * `b` with every method's rejection told to the listeners first, and its calls counted
 * while they run (`commandsInFlight`). What must stay true: the caller still gets the
 * same ApiError (listeners only watch), and non-methods (`native`) pass through as they
 * are.
 */
export function watched(b: Backend): Backend {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(b)) {
    if (typeof value !== 'function') {
      out[name] = value;
      continue;
    }
    const method = value as (...args: unknown[]) => Promise<unknown>;
    out[name] = async (...args: unknown[]): Promise<unknown> => {
      inFlight += 1;
      try {
        return await method(...args);
      } catch (e) {
        const error = toApiError(e);
        for (const listener of failureListeners) listener(error);
        throw error;
      } finally {
        inFlight -= 1;
      }
    };
  }
  return out as Backend;
}

function select(): Backend {
  if (typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window) return tauriBackend;
  const env = import.meta.env;
  return createHttpBackend({
    baseUrl: env.VITE_COUPONDESK_URL ?? '',
    token: env.VITE_COUPONDESK_TOKEN ?? null,
    ask: typeof window !== 'undefined' ? (title, proposal) => window.prompt(title, proposal) : null,
    exportDir: env.VITE_COUPONDESK_EXPORT_DIR ?? '',
  });
}

export const backend: Backend = watched(select());
