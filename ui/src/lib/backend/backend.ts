// The UI's whole view of the backend: one method per Tauri command of
// docs/architecture.md, plus the two native file dialogs. Pages depend on this
// interface only, so they run the same against the real app and the in-memory fake.
import type { AppInfo } from './bindings/AppInfo';
import type { Batch } from './bindings/Batch';
import type { BatchQuery } from './bindings/BatchQuery';
import type { CodeQuery } from './bindings/CodeQuery';
import type { CodeRow } from './bindings/CodeRow';
import type { ExportProgress } from './bindings/ExportProgress';
import type { ExportReport } from './bindings/ExportReport';
import type { GenerateProgress } from './bindings/GenerateProgress';
import type { GenerateReport } from './bindings/GenerateReport';
import type { GenerateRequest } from './bindings/GenerateRequest';
import type { ImportOptions } from './bindings/ImportOptions';
import type { ImportPreview } from './bindings/ImportPreview';
import type { ImportProgress } from './bindings/ImportProgress';
import type { ImportReport } from './bindings/ImportReport';
import type { ImportTarget } from './bindings/ImportTarget';
import type { Page } from './bindings/Page';

export type OnProgress<T> = (progress: T) => void;

/** Texts of a native file dialog, already translated by the caller. */
export interface FileDialogText {
  title: string;
  /** Label of the CSV filter, e.g. "CSV files". */
  filterName: string;
}

export interface Backend {
  /** `true` for the real app, `false` for the in-memory fake. */
  readonly native: boolean;
  appInfo(): Promise<AppInfo>;
  batchCreate(ticketType: string, name: string): Promise<Batch>;
  batchList(query: BatchQuery): Promise<Page<Batch>>;
  batchGet(ticketType: string): Promise<Batch>;
  codesList(query: CodeQuery): Promise<Page<CodeRow>>;
  importPreview(path: string, options: ImportOptions): Promise<ImportPreview>;
  codesImport(
    jobId: string,
    path: string,
    target: ImportTarget,
    options: ImportOptions,
    onProgress: OnProgress<ImportProgress>,
  ): Promise<ImportReport>;
  codesGenerate(
    jobId: string,
    request: GenerateRequest,
    onProgress: OnProgress<GenerateProgress>,
  ): Promise<GenerateReport>;
  codesExport(
    jobId: string,
    ticketType: string,
    path: string,
    onProgress: OnProgress<ExportProgress>,
  ): Promise<ExportReport>;
  /** True when the job was running (it stops at its next safe point). */
  jobCancel(jobId: string): Promise<boolean>;
  /** Native open dialog for *.csv / *.txt; null when staff close it. */
  chooseImportFile(text: FileDialogText): Promise<string | null>;
  /** Native save dialog proposing `defaultName`; null when staff close it. */
  chooseExportPath(defaultName: string, text: FileDialogText): Promise<string | null>;
}
