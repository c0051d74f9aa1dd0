// Picks the backend once, at start: the real one inside the Tauri window, the
// in-memory fake in a plain browser (UI development, screenshots, UI tests).
import type { Backend } from './backend';
import { createFakeBackend, type FakeBackend } from './fake/fakeBackend';
import { tauriBackend } from './tauri';

export type { Backend, FileDialogText, OnProgress } from './backend';
export { toApiError, isApiError } from './apiError';

function select(): Backend {
  if (typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window) return tauriBackend;
  const fake: FakeBackend = createFakeBackend({ seed: true, latencyMs: 120 });
  // Lets browser tests drop CSV files into the fake's file system.
  if (typeof window !== 'undefined') {
    (window as unknown as { couponDeskFake?: FakeBackend }).couponDeskFake = fake;
  }
  return fake;
}

export const backend: Backend = select();
