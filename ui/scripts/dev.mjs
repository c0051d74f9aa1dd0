// `npm run dev`: the UI in a browser against the real core. Starts `coupondesk serve
// --seed-demo` on a temporary database (and the platform simulator, so the Sync page
// has platforms to talk to), then Vite with a proxy that forwards /api to the server
// and adds its token. Stops both when Vite stops (Ctrl-C).
//
// Needs the binaries: `cargo build -p coupondesk -p coupondesk-remote-sim`
// (CARGO_TARGET_DIR if the workspace builds elsewhere). DEV_NO_SIM=1 leaves the
// simulator out (002/004 then point at its default address, 127.0.0.1:8765).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { createServer } from 'vite';

import { apiProxy, startServe, startSim } from './coreServer.mjs';

const sim = process.env.DEV_NO_SIM ? null : await startSim();
const core = await startServe({ seed: true, sim: sim?.url ?? null });
const stop = () => {
  core.stop();
  sim?.stop();
};

// Files to try the import dialog with: they are on this machine, as the server reads them.
const small = join(core.dir, '券码-示例.csv');
const lines = ['券码,备注'];
for (let i = 1; i <= 30; i++) lines.push(`DEMO${String(i).padStart(5, '0')},第${i}张`);
writeFileSync(small, `${[...lines, 'DEMO00003,重复', 'bad code,含空格', 'ab,太短'].join('\n')}\n`);
const big = join(core.dir, 'big-20000.csv');
writeFileSync(big, `code\n${Array.from({ length: 20000 }, (_, i) => `BIG${String(i + 1).padStart(7, '0')}`).join('\n')}\n`);

// The export "dialog" proposes the server's temporary folder (Vite passes VITE_* on).
process.env.VITE_COUPONDESK_EXPORT_DIR = core.dir;
try {
  const vite = await createServer({ server: { proxy: apiProxy(core) } });
  await vite.listen();
  vite.printUrls();
  console.log(`\n  core: ${core.url} (database ${core.db})`);
  console.log(`  simulator: ${sim ? sim.url : 'not started (DEV_NO_SIM)'}`);
  console.log(`  files to import: ${small}\n                  ${big}`);
  console.log(`  exports go to: ${core.dir}`);
  // The demo seed's accounts (crates/cli/src/demo_seed.rs); the window starts locked.
  console.log('  staff (name / PIN): 王老板 (owner) 1234, 李店长 (manager) 2345, 小张 (cashier) 3456, 小陈 (cashier) 4567\n');
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      stop();
      void vite.close().then(() => process.exit(0));
    });
  }
} catch (e) {
  stop();
  throw e;
}
