/// <reference types="node" />
// (Node types for the test helpers only: the page itself never runs in Node.)
// What the `*.core.test.ts` files share: the HTTP backend (the browser's own, http.ts)
// on the seeded server of the global setup, or on a fresh empty database of their own.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, inject } from 'vitest';

import { startServe } from '../../scripts/coreServer.mjs';
import type { Backend } from '../lib/backend/backend';
import { createHttpBackend } from '../lib/backend/http';
import type { ApiError } from '../lib/backend/bindings/ApiError';
import type { ImportOptions } from '../lib/backend/bindings/ImportOptions';
import type { Role } from '../lib/backend/bindings/Role';
import type { Session } from '../lib/backend/bindings/Session';

declare module 'vitest' {
  export interface ProvidedContext {
    core: { url: string; token: string; sim: string; dir: string };
  }
}

export const AUTO: ImportOptions = { encoding: 'auto', header: 'auto', column: null };

export function backendAt(url: string, token: string): Backend {
  return createHttpBackend({ baseUrl: url, token, ask: null, exportDir: '' });
}

/** The demo shop of the global setup (shared by every file: add, do not assume empty). */
export function seededCore(): Backend {
  const c = inject('core');
  return backendAt(c.url, c.token);
}

/** The simulator's base URL (remote-sim's default credentials). */
export function simUrl(): string {
  return inject('core').sim;
}

/** The demo seed's staff (crates/cli/src/demo_seed.rs): name and PIN. */
export const DEMO_STAFF = {
  owner: { name: '王老板', pin: '1234' },
  manager: { name: '李店长', pin: '2345' },
  cashier: { name: '小张', pin: '3456' },
  cashier2: { name: '小陈', pin: '4567' },
} as const;

/** Logs `name` in at the server's desk (one session per server, shared by its callers). */
export async function loginAs(b: Backend, name: string, pin: string): Promise<Session> {
  const s = await b.staffLogin(name, pin);
  if (s.staff?.name !== name) throw new Error(`${name} is not logged in after staff_login`);
  return s;
}

/**
 * Ends the setup mode of a fresh database: creates its owner (logged in) and, for each
 * of `others`, an account (PIN 4321 + index). Returns the owner's name.
 */
export async function withStaff(b: Backend, others: [string, Role][] = []): Promise<string> {
  const owner = '店主';
  await b.staffSetupOwner({ name: owner, role: 'owner', pin: '9876' });
  for (const [i, [name, role]] of others.entries()) await b.staffAdd({ name, role, pin: `432${i}` });
  return owner;
}

/** The servers this test file started (hooks cannot be added from inside a test). */
const servers: { stop: () => void }[] = [];
afterAll(() => {
  for (const s of servers.splice(0)) s.stop();
});

/** A server on a new empty database, stopped (its folder removed) when the file's tests end. */
export async function freshCore(): Promise<Backend> {
  const s = await startServe({ seed: false });
  servers.push(s);
  return backendAt(s.url, s.token);
}

/** The temporary folders of this test file, removed when its tests end. */
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A new temporary folder on this machine (the server's disk too). */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'coupondesk-ui-test-'));
  dirs.push(dir);
  return dir;
}

/** Writes `text` to `name` in a new temporary folder and returns the path. */
export function tempFile(name: string, text: string): string {
  const path = join(tempDir(), name);
  writeFileSync(path, text);
  return path;
}

export function readText(path: string): string {
  return readFileSync(path, 'utf8');
}

export async function rejection(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    return e as ApiError;
  }
  throw new Error('expected the command to fail');
}

export const fieldsOf = (e: ApiError): string[] => e.fields.map((f) => f.field);

export const page = (p = 1, perPage = 20): { page: number; perPage: number } => ({ page: p, perPage });

/** A name no other test of the run uses (the seeded database is shared). */
let counter = 0;
export function unique(prefix: string): string {
  counter += 1;
  return `${prefix}${process.pid % 1000}X${counter}`;
}
