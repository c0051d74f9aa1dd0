// The browser's backend: the command table's methods over `fetch` to the dev server
// (`coupondesk serve`, crates/cli/src/serve.rs). A command is `POST /api/<name>` with
// its arguments as JSON; a job answers an event stream (`progress`…, then `done` or
// `error`), and `job_cancel` stops it like in the window.
//
// What must stay true: every failure reaches the caller as an ApiError, as in tauri.ts;
// the files it names are on the server's disk (the dev server runs on this machine), so
// the two "dialogs" only ask for a path.
import type { Backend, FileDialogText, OnProgress } from './backend';
import { apiError, toApiError } from './apiError';
import { commandMethods } from './bindings/commands';

export interface HttpOptions {
  /** The server's origin, e.g. `http://127.0.0.1:4321`; '' = this page's origin (a proxy). */
  baseUrl: string;
  /** The token `serve` printed; null when a proxy adds it (npm run dev). */
  token: string | null;
  /** Asks staff for a path; `window.prompt` in a browser, null elsewhere. */
  ask: ((title: string, proposal: string) => string | null) | null;
  /** Folder proposed for exports (the server's disk); '' = the bare file name. */
  exportDir: string;
}

async function post(o: HttpOptions, command: string, args: Record<string, unknown>): Promise<Response> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (o.token !== null) headers['Authorization'] = `Bearer ${o.token}`;
  let response: Response;
  try {
    response = await fetch(`${o.baseUrl}/api/${command}`, { method: 'POST', headers, body: JSON.stringify(args) });
  } catch (e) {
    throw apiError('internal', `the dev server at ${o.baseUrl || 'this origin'} did not answer: ${String(e)}`);
  }
  if (response.ok) return response;
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    // Not JSON (a proxy's own page): the text itself becomes the message below.
  }
  throw toApiError(body);
}

async function call<T>(o: HttpOptions, command: string, args: Record<string, unknown>): Promise<T> {
  return (await (await post(o, command, args)).json()) as T;
}

/** One `event:`/`data:` block of a stream: its name and its JSON data. */
function parseEvent(block: string): [string, unknown] {
  let name = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('event:')) name = line.slice(6).trim();
    else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
  }
  return [name, JSON.parse(data.join('\n')) as unknown];
}

async function job<T, P>(
  o: HttpOptions,
  command: string,
  jobId: string,
  args: Record<string, unknown>,
  onProgress: OnProgress<P>,
): Promise<T> {
  const response = await post(o, command, { jobId, ...args });
  const reader = response.body?.getReader();
  if (reader === undefined) throw apiError('internal', `${command}: the server sent no stream`);
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { done, value } = await reader.read();
    buffer += decoder.decode(value, { stream: !done }).replace(/\r\n/g, '\n');
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const [name, data] = parseEvent(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
      if (name === 'progress') onProgress(data as P);
      else if (name === 'done') return data as T;
      else if (name === 'error') throw toApiError(data);
      end = buffer.indexOf('\n\n');
    }
    if (done) throw apiError('internal', `${command}: the stream ended without a result`);
  }
}

function askPath(o: HttpOptions, text: FileDialogText, proposal: string): Promise<string | null> {
  const answer = o.ask?.(text.title, proposal) ?? null;
  const path = answer?.trim() ?? '';
  return Promise.resolve(path === '' ? null : path);
}

function inExportDir(o: HttpOptions, name: string): string {
  return o.exportDir === '' ? name : `${o.exportDir.replace(/\/+$/, '')}/${name}`;
}

export function createHttpBackend(o: HttpOptions): Backend {
  return {
    native: false,
    ...commandMethods(
      (command, args) => call(o, command, args),
      (command, jobId, args, onProgress) => job(o, command, jobId, args, onProgress),
    ),
    chooseImportFile: (text: FileDialogText) => askPath(o, text, ''),
    chooseImageFile: (text: FileDialogText) => askPath(o, text, ''),
    chooseExportPath: (defaultName: string, text: FileDialogText) => askPath(o, text, inExportDir(o, defaultName)),
    chooseBackupPath: (defaultName: string, text: FileDialogText) => askPath(o, text, inExportDir(o, defaultName)),
  };
}
