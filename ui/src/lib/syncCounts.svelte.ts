// How many operations wait for the platforms (queued, in conflict), shared by the top
// bar's indicator and the Sync page: whichever asked the core last, both show the same
// numbers, so the indicator never contradicts the page beneath it.
import { backend } from './backend';
import type { SyncStatus } from './backend/bindings/SyncStatus';

export const syncCounts = $state({ queued: 0, conflicts: 0 });

/** Takes the counts of a status the caller already has. */
export function noteSyncStatus(s: SyncStatus): void {
  syncCounts.queued = s.queued;
  syncCounts.conflicts = s.conflicts;
}

/** Asks the core; a failure keeps the last counts (the page that failed reports it). */
export async function refreshSyncCounts(): Promise<void> {
  try {
    noteSyncStatus(await backend.syncStatus());
  } catch {
    // The counts are a hint.
  }
}
