// The window's backend: the command table's methods over Tauri's invoke, job progress
// through Channels, and the native pickers. The pickers are the shell's own commands
// (src-tauri/src/commands/dialogs.rs), not the dialog plugin's JavaScript: the shell
// remembers the paths they return, and commands with a path accept only those or paths
// under Documents (docs/staff-and-audit.md). The only module (with index.ts) that knows
// Tauri.
import { Channel, invoke, type InvokeArgs } from '@tauri-apps/api/core';

import type { Backend, FileDialogText, OnProgress } from './backend';
import { toApiError } from './apiError';
import { commandMethods } from './bindings/commands';

// What an import reads: CSV (and text), Excel workbooks new and old.
const IMPORT_EXTENSIONS = ['csv', 'txt', 'xlsx', 'xls'];

/** invoke, with every rejection turned into an ApiError. */
async function call<T>(cmd: string, args?: InvokeArgs): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw toApiError(e);
  }
}

function channel<T>(onProgress: OnProgress<T>): Channel<T> {
  const ch = new Channel<T>();
  ch.onmessage = onProgress;
  return ch;
}

/** A job: its id and a Channel for its progress, beside its arguments. */
function job<T, P>(
  command: string,
  jobId: string,
  args: Record<string, unknown>,
  onProgress: OnProgress<P>,
): Promise<T> {
  return call<T>(command, { jobId, ...args, onProgress: channel(onProgress) });
}

export const tauriBackend: Backend = {
  native: true,
  ...commandMethods(call, job),
  chooseImportFile: (text: FileDialogText) =>
    call<string | null>('pick_open_path', {
      title: text.title,
      filter: { name: text.filterName, extensions: IMPORT_EXTENSIONS },
    }),
  chooseImageFile: (text: FileDialogText) =>
    call<string | null>('pick_open_path', {
      title: text.title,
      filter: { name: text.filterName, extensions: ['png', 'jpg', 'jpeg'] },
    }),
  chooseExportPath: (defaultName: string, text: FileDialogText, extensions: readonly string[] = ['csv']) =>
    call<string | null>('pick_save_path', {
      title: text.title,
      defaultName,
      filter: { name: text.filterName, extensions },
    }),
  chooseBackupPath: (defaultName: string, text: FileDialogText) =>
    call<string | null>('pick_save_path', {
      title: text.title,
      defaultName,
      filter: { name: text.filterName, extensions: ['sqlite3'] },
    }),
};
