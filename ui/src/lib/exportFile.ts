// "Export to a file staff choose": the save dialog (a path prompt in a browser), then the
// export itself; a closed dialog is no export and no error. Shared by the wallet lists
// and the Audit page.
import { backend } from '$lib/backend';
import type { ExportReport } from '$lib/backend/bindings/ExportReport';
import { clearError, reportError } from '$lib/errors.svelte';
import { t } from '$lib/i18n/locale.svelte';

/** The export's report, or null when staff closed the dialog or it failed (reported). */
export async function exportToChosenFile(
  defaultName: string,
  title: string,
  run: (path: string) => Promise<ExportReport>,
): Promise<ExportReport | null> {
  try {
    const path = await backend.chooseExportPath(defaultName, { title, filterName: t('export.filterName') });
    if (path === null) return null;
    const report = await run(path);
    clearError();
    return report;
  } catch (e) {
    reportError(e);
    return null;
  }
}
