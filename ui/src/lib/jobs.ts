// Long work runs under a job id the UI chooses, so it can cancel it (job_cancel).
// Unique per window; randomUUID is not available in every webview context.
let counter = 0;

export function newJobId(kind: 'import' | 'generate' | 'export'): string {
  counter += 1;
  return `${kind}-${Date.now().toString(36)}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
}
