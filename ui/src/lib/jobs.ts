// Long work runs under a job id the UI chooses, so it can cancel it (job_cancel).
import { backend } from './backend';
import { reportError } from './errors.svelte';

// Unique per window; randomUUID is not available in every webview context.
let counter = 0;

export function newJobId(kind: 'import' | 'generate' | 'export' | 'print'): string {
  counter += 1;
  return `${kind}-${Date.now().toString(36)}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Asks the backend to stop a job at its next safe point; a failure goes to the banner. */
export async function cancelJob(jobId: string): Promise<void> {
  try {
    await backend.jobCancel(jobId);
  } catch (e) {
    reportError(e);
  }
}
