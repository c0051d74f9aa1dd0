// The window's idle timer: after the session's `autoLockMinutes` without a key, the mouse
// or a touch, the desk locks (staff_lock) and the login screen comes up. Input tells the
// core (staff_keep_alive) at most once per KEEP_ALIVE_MS, so the core's own idle limit
// (desk/session.rs, which refuses commands past it) stays in step with the window's.
//
// What must stay true: this only runs while someone is logged in (`isLoggedIn`); the core
// decides in the end (a keep-alive answer without staff locks the window too).

export const KEEP_ALIVE_MS = 30_000;
/** How often the idle time is looked at; the lock comes at most this late. */
export const CHECK_MS = 5_000;
const INPUT_EVENTS = ['keydown', 'pointerdown', 'pointermove', 'wheel', 'touchstart'] as const;

export interface AutoLockHooks {
  /** Minutes of idle time before the lock, or null while nobody is logged in. */
  idleLimitMinutes: () => number | null;
  keepAlive: () => void;
  lock: () => void;
  now?: () => number;
}

/** Decides, from the times of the last input and keep-alive, what is due now. */
export class IdleClock {
  private lastInput: number;
  private lastKeepAlive: number;

  constructor(now: number) {
    this.lastInput = now;
    this.lastKeepAlive = now;
  }

  /** An input at `now`: true when the core should hear of it (a keep-alive is due). */
  input(now: number): boolean {
    this.lastInput = now;
    if (now - this.lastKeepAlive < KEEP_ALIVE_MS) return false;
    this.lastKeepAlive = now;
    return true;
  }

  /** True when `limitMinutes` have passed since the last input. */
  idle(now: number, limitMinutes: number): boolean {
    return now - this.lastInput >= limitMinutes * 60_000;
  }

  /** Someone logged in at `now`: the idle time starts from there. */
  reset(now: number): void {
    this.lastInput = now;
    this.lastKeepAlive = now;
  }
}

/** Starts watching `target` (the window); returns the stop. */
export function startAutoLock(target: EventTarget, hooks: AutoLockHooks): { stop: () => void; reset: () => void } {
  const now = hooks.now ?? Date.now;
  const clock = new IdleClock(now());
  const onInput = (): void => {
    if (hooks.idleLimitMinutes() === null) return;
    if (clock.input(now())) hooks.keepAlive();
  };
  for (const name of INPUT_EVENTS) target.addEventListener(name, onInput, { passive: true });
  const timer = setInterval(() => {
    const limit = hooks.idleLimitMinutes();
    if (limit !== null && clock.idle(now(), limit)) {
      clock.reset(now());
      hooks.lock();
    }
  }, CHECK_MS);
  return {
    stop: () => {
      clearInterval(timer);
      for (const name of INPUT_EVENTS) target.removeEventListener(name, onInput);
    },
    reset: () => clock.reset(now()),
  };
}
