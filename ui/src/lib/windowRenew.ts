// The window's renewal (docs/benchmarks.md, "The window's renewal"). WebKitGTK's web
// process grows with use while the page's own JavaScript heap stays flat, and a fresh
// page gives that memory back. So when the core says the web process is past its ceiling
// (`window_memory`, crates/core/src/desk/window.rs: the rule is the core's), the next
// navigation loads the page afresh instead of swapping it in place.
//
// What must stay true: nothing is lost. A navigation unmounts the page left anyway; the
// staff session and every record are the core's; the new route is already in the URL.
// Only commands still running would lose their answer (a job its progress), so the
// renewal waits for none in flight. Outside the window (`backend.native` false) it never
// runs.
import { backend, commandsInFlight } from './backend';

/** How often the window asks the core about its memory. */
export const RENEW_CHECK_MS = 30_000;

interface RenewDeps {
  inFlight: () => number;
  reload: () => void;
}

let due = false;
let renewing = false;
const live: RenewDeps = {
  inFlight: commandsInFlight,
  reload: () => location.reload(),
};

/** Asks the core now and then whether a renewal is due; returns the stopper. */
export function startRenewWatch(every = RENEW_CHECK_MS): () => void {
  if (!backend.native) return () => {};
  const check = async (): Promise<void> => {
    try {
      // The page's age: ms since this document began (the core never renews a young
      // page, so a fresh page past the ceiling cannot reload at every navigation).
      due = (await backend.windowMemory(Math.round(performance.now()))).renewDue;
    } catch {
      // A failed reading keeps the last answer: the renewal is an economy, not a duty.
    }
  };
  void check();
  const timer = setInterval(() => void check(), every);
  return () => clearInterval(timer);
}

/**
 * Called at a navigation whose route is already in the URL: loads the page afresh when
 * a renewal is due and no command runs, and says so (the caller then leaves the page as
 * it is: the load replaces it).
 */
export function renewAtNavigation(deps: RenewDeps = live): boolean {
  if (renewing) return true;
  if (!due || deps.inFlight() > 0) return false;
  renewing = true;
  deps.reload();
  return true;
}

/** Tests only: the state a fresh page starts with, and a renewal due or not. */
export function resetRenewForTest(isDue: boolean): void {
  due = isDue;
  renewing = false;
}
