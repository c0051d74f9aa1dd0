// "Export to a file staff choose": the format (CSV or Excel .xlsx), the save dialog (a
// path prompt in a browser), then the export itself, in the UI's language (the core
// writes the headers and statuses in it); a closed dialog is no export and no error.
// Shared by the batch page, the wallet lists, the Audit page and an import's result.
import { backend } from '$lib/backend';
import type { ExportFormat } from '$lib/backend/bindings/ExportFormat';
import type { ExportOptions } from '$lib/backend/bindings/ExportOptions';
import type { ExportReport } from '$lib/backend/bindings/ExportReport';
import { clearError, reportError } from '$lib/errors.svelte';
import { locale, t } from '$lib/i18n/locale.svelte';
import { withFormat } from '$lib/exportName';

/** What every export command takes: the UI's language, the chosen format. */
export function exportOptions(format: ExportFormat): ExportOptions {
  return { lang: locale.lang, format };
}

/** The save dialog for an export in `format`; null when staff close it. */
export function chooseExportFile(defaultName: string, format: ExportFormat, title: string): Promise<string | null> {
  return backend.chooseExportPath(
    withFormat(defaultName, format),
    { title, filterName: t(format === 'xlsx' ? 'export.filterXlsx' : 'export.filterName') },
    [format],
  );
}

/** The export's report, or null when staff closed the dialog or it failed (reported). */
export async function exportToChosenFile(
  defaultName: string,
  format: ExportFormat,
  title: string,
  run: (path: string, options: ExportOptions) => Promise<ExportReport>,
): Promise<ExportReport | null> {
  try {
    const path = await chooseExportFile(defaultName, format, title);
    if (path === null) return null;
    const report = await run(path, exportOptions(format));
    clearError();
    return report;
  } catch (e) {
    reportError(e);
    return null;
  }
}
