// Who is at this desk: the core's Session (staff_session), kept for the whole window.
// The window shows the owner setup while `needsOwner`, the login screen while nobody is
// logged in, else the pages; what they offer follows `may` (the core's list, never a copy
// of the role matrix here).
//
// What must stay true: the core decides. A command refused with `unauthenticated` or
// `locked_out` (the core's own idle lock, a disabled account) locks the window too; the
// page under the login screen stays as it was, so after the PIN staff are back on it.
import { backend, onCommandFailure } from './backend';
import type { ApiError } from './backend/bindings/ApiError';
import type { Permission } from './backend/bindings/Permission';
import type { Session } from './backend/bindings/Session';
import { reportError } from './errors.svelte';

export const session = $state<{ current: Session | null }>({ current: null });

/** The codes that mean "nobody (valid) is logged in here any more". */
const SIGNED_OUT = new Set(['unauthenticated', 'locked_out']);

export function setSession(s: Session): void {
  session.current = s;
}

/** True when the one at the desk may do `p` (false before the session is known). */
export function may(p: Permission): boolean {
  return session.current?.may.includes(p) ?? false;
}

/** The logged-in staff member's name, or null. */
export function staffName(): string | null {
  return session.current?.staff?.name ?? null;
}

/** The window's view while nobody is logged in (the core has already forgotten them). */
function lockedLocally(): void {
  const s = session.current;
  if (s === null || s.needsOwner || s.staff === null) return;
  session.current = { ...s, staff: null, may: [] };
}

/** A failed command anywhere: a refused session locks the window. */
export function onFailure(error: ApiError): void {
  if (SIGNED_OUT.has(error.code)) lockedLocally();
}

export async function loadSession(): Promise<void> {
  try {
    setSession(await backend.staffSession());
  } catch (e) {
    reportError(e);
  }
}

/** Locks the desk ("switch staff", the auto-lock): the login screen comes up. */
export async function lock(): Promise<void> {
  try {
    setSession(await backend.staffLock());
  } catch (e) {
    // Locked here anyway: the core refuses the next command without a session.
    lockedLocally();
    reportError(e);
  }
}

/** Subscribes the window to every command's failures; returns the unsubscribe. */
export function watchFailures(): () => void {
  return onCommandFailure(onFailure);
}

/** Tells the core the staff member is still here (the auto-lock's keep-alive). */
export async function keepAlive(): Promise<void> {
  try {
    setSession(await backend.staffKeepAlive());
  } catch (e) {
    reportError(e);
  }
}
