// Staff accounts through http.ts against the real core: the first start's setup mode,
// the owner setup, logins, what each role may do (the core refuses; phones masked for
// cashiers), the PIN lockout, and the demo seed's accounts.
import { beforeAll, describe, expect, it } from 'vitest';

import { DEMO_STAFF, fieldsOf, freshCore, loginAs, page, rejection, seededCore } from '../../test/core';
import type { Backend } from './backend';

describe('a fresh database (setup mode)', () => {
  it('needs its owner, allows everything until then, and takes an owner only once', async () => {
    const b = await freshCore();
    const before = await b.staffSession();
    expect([before.needsOwner, before.staff]).toEqual([true, null]);
    expect(before.may).toContain('settings');
    expect(before.may).toContain('staffAccounts');
    expect(await b.staffList()).toEqual([]);

    expect(await rejection(b.staffSetupOwner({ name: '店员甲', role: 'cashier', pin: '1234' }))).toMatchObject({
      code: 'first_must_be_owner',
    });
    const bad = await rejection(b.staffSetupOwner({ name: ' ', role: 'owner', pin: '12a' }));
    expect(bad.code).toBe('invalid_staff');
    expect(fieldsOf(bad).length).toBeGreaterThan(0);

    const s = await b.staffSetupOwner({ name: '老板甲', role: 'owner', pin: '1234' });
    expect([s.needsOwner, s.staff?.name, s.staff?.role]).toEqual([false, '老板甲', 'owner']);
    expect(await rejection(b.staffSetupOwner({ name: '老板乙', role: 'owner', pin: '1234' }))).toMatchObject({
      code: 'owner_exists',
    });
  });
});

describe('roles', () => {
  let b: Backend;
  beforeAll(async () => {
    b = await freshCore();
    await b.staffSetupOwner({ name: '老板', role: 'owner', pin: '1111' });
    await b.staffAdd({ name: '店长', role: 'manager', pin: '2222' });
    await b.staffAdd({ name: '店员', role: 'cashier', pin: '3333' });
    await b.customerAdd({ phone: '13800138000', name: '顾客' });
  });

  it('lists the accounts; the name is taken without regard to case', async () => {
    const names = (await b.staffList()).map((m) => [m.name, m.role, m.disabled]);
    expect(names).toEqual(
      expect.arrayContaining([
        ['老板', 'owner', false],
        ['店长', 'manager', false],
        ['店员', 'cashier', false],
      ]),
    );
    await loginAs(b, '老板', '1111');
    const taken = await rejection(b.staffAdd({ name: '店员', role: 'cashier', pin: '4444' }));
    expect([taken.code, fieldsOf(taken)]).toEqual(['staff_name_taken', ['name']]);
  });

  it('refuses settings_save to a cashier with forbidden, and their may lacks settings', async () => {
    const s = await loginAs(b, '店员', '3333');
    expect(s.may).toContain('redeem');
    expect(s.may).not.toContain('settings');
    expect(s.may).not.toContain('seePhones');
    const settings = await b.settingsGet();
    expect(await rejection(b.settingsSave(settings))).toMatchObject({ code: 'forbidden' });
    expect(await rejection(b.staffAdd({ name: 'x', role: 'cashier', pin: '1234' }))).toMatchObject({ code: 'forbidden' });
  });

  it('masks phones in customer_list for a cashier, and shows them in full to a manager', async () => {
    await loginAs(b, '店员', '3333');
    const masked = await b.customerList('', page());
    expect(masked.items.map((c) => c.phone)).toEqual(['138****8000']);
    await loginAs(b, '店长', '2222');
    const full = await b.customerList('', page());
    expect(full.items.map((c) => c.phone)).toEqual(['13800138000']);
  });

  it('locks: nobody may act until the next PIN', async () => {
    await loginAs(b, '店长', '2222');
    const locked = await b.staffLock();
    expect([locked.staff, locked.may, locked.needsOwner]).toEqual([null, [], false]);
    expect(await rejection(b.batchCreate('LOCKED1', 'locked'))).toMatchObject({ code: 'unauthenticated' });
    expect((await b.staffKeepAlive()).staff).toBeNull();
  });

  it('locks an account out after 5 wrong PINs, even for the right one then', async () => {
    await loginAs(b, '老板', '1111');
    await b.staffAdd({ name: '试错', role: 'cashier', pin: '5555' });
    for (let left = 4; left >= 1; left--) {
      const wrong = await rejection(b.staffLogin('试错', '0000'));
      expect(wrong.code).toBe('unauthenticated');
      expect(wrong.message).toContain(`${left} more wrong PIN`);
    }
    const fifth = await rejection(b.staffLogin('试错', '0000'));
    expect(fifth.code).toBe('locked_out');
    expect(fifth.message).toMatch(/try again in 60 s/);
    expect(await rejection(b.staffLogin('试错', '5555'))).toMatchObject({ code: 'locked_out' });
  });

  it('lets the owner disable an account and reset a PIN; the last owner stays', async () => {
    await loginAs(b, '老板', '1111');
    expect((await b.staffResetPin('店员', '6666')).name).toBe('店员');
    expect(await rejection(b.staffResetPin('店员', '12'))).toMatchObject({ code: 'invalid_staff' });
    expect(await rejection(b.staffDisable('老板'))).toMatchObject({ code: 'last_owner' });
    expect(await rejection(b.staffDisable('nobody'))).toMatchObject({ code: 'staff_not_found' });
    expect((await b.staffDisable('店员')).disabled).toBe(true);
    expect(await rejection(b.staffLogin('店员', '6666'))).toMatchObject({ code: 'unauthenticated' });
  });

  it('lets the owner enable an account and change a role; the last owner stays an owner', async () => {
    await loginAs(b, '老板', '1111');
    expect((await b.staffEnable('店员')).disabled).toBe(false);
    expect((await b.staffSetRole('店员', 'manager')).role).toBe('manager');
    expect(await rejection(b.staffSetRole('老板', 'cashier'))).toMatchObject({ code: 'last_owner' });
    expect(await rejection(b.staffEnable('nobody'))).toMatchObject({ code: 'staff_not_found' });
    const s = await loginAs(b, '店员', '6666');
    expect(s.staff?.role).toBe('manager');
    expect(s.may).toContain('reports');
  });
});

describe('the demo seed', () => {
  it('has its four accounts and starts locked', async () => {
    const b = seededCore();
    const staff = await b.staffList();
    expect(staff.map((m) => [m.name, m.role])).toEqual(
      expect.arrayContaining([
        [DEMO_STAFF.owner.name, 'owner'],
        [DEMO_STAFF.manager.name, 'manager'],
        [DEMO_STAFF.cashier.name, 'cashier'],
        [DEMO_STAFF.cashier2.name, 'cashier'],
      ]),
    );
    expect(staff).toHaveLength(4);
    const s = await b.staffSession();
    expect([s.needsOwner, s.staff, s.may]).toEqual([false, null, []]);
  });

  it('recorded the counter’s redemptions under the cashier 小张', async () => {
    const list = await seededCore().redemptionList({ page: 1, perPage: 10 });
    expect(list.items.length).toBeGreaterThan(0);
    expect(new Set(list.items.map((r) => r.operator))).toEqual(new Set([DEMO_STAFF.cashier.name]));
  });
});
