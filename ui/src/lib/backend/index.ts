// Picks the backend once, at start: the real one inside the Tauri window, the dev server
// (`coupondesk serve`, the same core over HTTP) in a plain browser. `npm run dev` and the
// browser checks serve the page with a proxy that forwards /api to the server and adds
// its token, so the page itself needs no address and holds no token
// (VITE_COUPONDESK_URL / VITE_COUPONDESK_TOKEN point elsewhere when set).
import type { Backend } from './backend';
import { createHttpBackend } from './http';
import { tauriBackend } from './tauri';

export type { Backend, FileDialogText, OnProgress } from './backend';
export { toApiError, isApiError } from './apiError';

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

export const backend: Backend = select();
