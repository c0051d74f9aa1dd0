// The UI's whole view of the backend: one method per command of the core's command table
// (generated into bindings/commands.ts, see docs/architecture.md), plus the two file
// dialogs (open a CSV or an image, save a file). Pages depend on this interface only, so they run the same in the window
// (tauri.ts) and in a browser against the dev server (http.ts).
import type { CommandMethods } from './bindings/commands';

export type OnProgress<T> = (progress: T) => void;

/** Texts of a native file dialog, already translated by the caller. */
export interface FileDialogText {
  title: string;
  /** Label of the file filter, e.g. "CSV files". */
  filterName: string;
}

export type Backend = CommandMethods & {
  /** `true` in the app's window, `false` in a browser on the dev server. */
  readonly native: boolean;
  /** Open dialog for *.csv / *.txt / *.xlsx / *.xls; null when staff close it. */
  chooseImportFile(text: FileDialogText): Promise<string | null>;
  /** Open dialog for a PNG or JPEG image (a template's logo); null when staff close it. */
  chooseImageFile(text: FileDialogText): Promise<string | null>;
  /** Save dialog proposing `defaultName`, filtered to `extensions` (default csv); null when staff close it. */
  chooseExportPath(defaultName: string, text: FileDialogText, extensions?: readonly string[]): Promise<string | null>;
  /** Save dialog for a database backup (*.sqlite3) proposing `defaultName`; null when closed. */
  chooseBackupPath(defaultName: string, text: FileDialogText): Promise<string | null>;
};
