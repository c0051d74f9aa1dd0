// The window's backend: the command table's methods over Tauri's invoke, job progress
// through Channels, and the dialog plugin's native pickers. The only module (with
// index.ts) that knows Tauri.
import { Channel, invoke, type InvokeArgs } from '@tauri-apps/api/core';
import { open, save } from '@tauri-apps/plugin-dialog';

import type { Backend, FileDialogText, OnProgress } from './backend';
import { toApiError } from './apiError';
import { commandMethods } from './bindings/commands';

const CSV_EXTENSIONS = ['csv', 'txt'];

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

async function dialog<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    throw toApiError(e);
  }
}

export const tauriBackend: Backend = {
  native: true,
  ...commandMethods(call, job),
  chooseImportFile: (text: FileDialogText) =>
    dialog(() =>
      open({
        title: text.title,
        multiple: false,
        directory: false,
        filters: [{ name: text.filterName, extensions: CSV_EXTENSIONS }],
      }),
    ),
  chooseExportPath: (defaultName: string, text: FileDialogText) =>
    dialog(() =>
      save({
        title: text.title,
        defaultPath: defaultName,
        filters: [{ name: text.filterName, extensions: ['csv'] }],
      }),
    ),
};
