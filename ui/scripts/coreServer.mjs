// Starts the real core for the UI's development and tests: `coupondesk serve` on a
// temporary database (crates/cli/src/serve.rs) and, when asked, the platform simulator
// `remote-sim` (crates/remote-sim). Used by dev.mjs, browser-check.mjs and the vitest
// global setup (src/test/globalSetup.ts).
//
// The binaries come from the cargo target dir: $CARGO_TARGET_DIR, else ../target (the
// workspace's). Build them first: `cargo build -p coupondesk -p coupondesk-remote-sim`
// (the Makefile's test-ui does).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const UI = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Every child started here; none outlives this process (a failed check, a test worker). */
const children = new Set();
process.once('exit', () => {
  for (const child of children) child.kill();
});

/**
 * The path of a workspace binary, or an error that says how to build it.
 * @param {string} name
 * @returns {string}
 */
export function binary(name) {
  const target = process.env.CARGO_TARGET_DIR ? resolve(process.env.CARGO_TARGET_DIR) : join(UI, '..', 'target');
  const path = join(target, 'debug', name);
  if (!existsSync(path)) {
    throw new Error(
      `${path} is missing: build it with \`cargo build -p coupondesk -p coupondesk-remote-sim\` ` +
        '(set CARGO_TARGET_DIR if the workspace builds elsewhere)',
    );
  }
  return path;
}

/**
 * Spawns `bin args…` and resolves with its first stdout line once it prints one; the
 * child is killed if it exits first or says nothing within `timeoutMs`.
 * @param {string} bin
 * @param {string[]} args
 * @param {number} timeoutMs
 * @returns {Promise<{child: import('node:child_process').ChildProcess, line: string}>}
 */
function firstLine(bin, args, timeoutMs) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    child.once('exit', () => children.delete(child));
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    const lines = createInterface({ input: child.stdout });
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`${bin} ${args.join(' ')} printed nothing in ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${bin} ${args.join(' ')} exited (${code}) before it started: ${stderr}`));
    });
    lines.once('line', (line) => {
      clearTimeout(timer);
      child.removeAllListeners('exit');
      // Keep reading, so a full pipe never blocks the child.
      child.stdout.resume();
      resolvePromise({ child, line });
    });
  });
}

/**
 * `coupondesk serve` on a new temporary database, seeded with the demo shop unless
 * `seed` is false. `sim`: the simulator's URL for the demo's platform settings.
 * @param {{seed?: boolean, sim?: string | null}} [options]
 * @returns {Promise<{url: string, token: string, db: string, dir: string, stop: () => void}>}
 */
export async function startServe(options = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'coupondesk-serve-'));
  const db = join(dir, 'shop.sqlite3');
  const args = ['--json', '--db', db, 'serve'];
  if (options.seed !== false) args.push('--seed-demo');
  if (options.sim) args.push('--demo-sim', options.sim);
  const { child, line } = await firstLine(binary('coupondesk'), args, 120_000);
  /** @type {{url: string, token: string}} */
  const started = JSON.parse(line);
  return {
    url: started.url,
    token: started.token,
    db,
    dir,
    stop: () => {
      child.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * `remote-sim` on a free loopback port, with the default credentials the demo seed uses.
 * @returns {Promise<{url: string, stop: () => void}>}
 */
export async function startSim() {
  const { child, line } = await firstLine(binary('remote-sim'), ['--port', '0'], 30_000);
  const url = /listening on (\S+)/.exec(line)?.[1];
  if (!url) {
    child.kill();
    throw new Error(`remote-sim said "${line}", not where it listens`);
  }
  return { url, stop: () => child.kill() };
}

/**
 * One command of the table, from Node (setup code; the UI goes through http.ts).
 * @param {{url: string, token: string}} server
 * @param {string} command
 * @param {Record<string, unknown>} args
 * @returns {Promise<any>}
 */
export async function command(server, command, args) {
  const r = await fetch(`${server.url}/api/${command}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${server.token}` },
    body: JSON.stringify(args),
  });
  const body = await r.json();
  if (!r.ok) throw new Error(`${command}: ${JSON.stringify(body)}`);
  return body;
}

/**
 * Vite's proxy entry: /api to the server, with its token added (the page holds none).
 * @param {{url: string, token: string}} server
 */
export function apiProxy(server) {
  return {
    '/api': {
      target: server.url,
      changeOrigin: true,
      headers: { Authorization: `Bearer ${server.token}` },
    },
  };
}
