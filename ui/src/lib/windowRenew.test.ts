import { afterEach, describe, expect, it } from 'vitest';

import { commandsInFlight, watched, type Backend } from './backend';
import { renewAtNavigation, resetRenewForTest } from './windowRenew';

function deps(inFlight: number): { inFlight: () => number; reload: () => void; reloads: number } {
  const d = {
    reloads: 0,
    inFlight: () => inFlight,
    reload: () => {
      d.reloads += 1;
    },
  };
  return d;
}

describe('renewAtNavigation', () => {
  afterEach(() => resetRenewForTest(false));

  it('leaves the navigation alone while no renewal is due', () => {
    resetRenewForTest(false);
    const d = deps(0);
    expect(renewAtNavigation(d)).toBe(false);
    expect(d.reloads).toBe(0);
  });

  it('loads the page afresh when one is due and nothing runs', () => {
    resetRenewForTest(true);
    const d = deps(0);
    expect(renewAtNavigation(d)).toBe(true);
    expect(d.reloads).toBe(1);
    // The hash change that follows the same navigation does not reload twice.
    expect(renewAtNavigation(d)).toBe(true);
    expect(d.reloads).toBe(1);
  });

  it('waits while a command (a job, a picker) is still running', () => {
    resetRenewForTest(true);
    const d = deps(1);
    expect(renewAtNavigation(d)).toBe(false);
    expect(d.reloads).toBe(0);
  });
});

describe('commandsInFlight', () => {
  it('counts a call from its start to its answer, failed or not', async () => {
    let finish: (ok: boolean) => void = () => {};
    const slow = (): Promise<number> =>
      new Promise((resolve, reject) => {
        finish = (ok) => (ok ? resolve(1) : reject(new Error('no')));
      });
    const b = watched({ native: false, appInfo: slow, settingsGet: slow } as unknown as Backend);
    const before = commandsInFlight();
    const one = b.appInfo();
    expect(commandsInFlight()).toBe(before + 1);
    finish(true);
    await one;
    expect(commandsInFlight()).toBe(before);
    const two = b.settingsGet();
    expect(commandsInFlight()).toBe(before + 1);
    finish(false);
    await expect(two).rejects.toBeTruthy();
    expect(commandsInFlight()).toBe(before);
  });
});
