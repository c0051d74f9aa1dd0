// Vitest's global setup: the real core for the `*.core.test.ts` files. Starts the
// platform simulator and `coupondesk serve --seed-demo` on a temporary database pointing
// at it, and hands both addresses to the tests (`inject('core')`). Files that need a
// database of their own start one with `freshCore()` (./core.ts).
import type { TestProject } from 'vitest/node';

import { startServe, startSim } from '../../scripts/coreServer.mjs';

export default async function setup(project: TestProject): Promise<() => void> {
  const sim = await startSim();
  try {
    const seeded = await startServe({ seed: true, sim: sim.url });
    project.provide('core', { url: seeded.url, token: seeded.token, sim: sim.url, dir: seeded.dir });
    return () => {
      seeded.stop();
      sim.stop();
    };
  } catch (e) {
    sim.stop();
    throw e;
  }
}
