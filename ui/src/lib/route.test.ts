import { describe, expect, it } from 'vitest';

import { hrefOf, parseRoute, sectionOf, type Route } from './route.svelte';

describe('routes', () => {
  it('parses every page', () => {
    expect(parseRoute('')).toEqual({ page: 'batches' });
    expect(parseRoute('#/')).toEqual({ page: 'batches' });
    expect(parseRoute('#/batch/A%20B')).toEqual({ page: 'batch', ticketType: 'A B' });
    expect(parseRoute('#/batch/%E0%A4%A')).toEqual({ page: 'batches' });
    expect(parseRoute('#/templates')).toEqual({ page: 'templates' });
    expect(parseRoute('#/template/new')).toEqual({ page: 'templateNew' });
    expect(parseRoute('#/template/12')).toEqual({ page: 'template', id: 12 });
    expect(parseRoute('#/template/12/edit')).toEqual({ page: 'templateEdit', id: 12 });
    expect(parseRoute('#/template/0')).toEqual({ page: 'batches' });
    expect(parseRoute('#/template/abc')).toEqual({ page: 'batches' });
    expect(parseRoute('#/redeem')).toEqual({ page: 'redeem' });
    expect(parseRoute('#/settings')).toEqual({ page: 'settings' });
    expect(parseRoute('#/nowhere')).toEqual({ page: 'batches' });
  });

  it('parses the bonus, voucher and customer pages', () => {
    expect(parseRoute('#/bonuses')).toEqual({ page: 'bonuses' });
    expect(parseRoute('#/bonus/3')).toEqual({ page: 'bonus', id: 3 });
    expect(parseRoute('#/vouchers')).toEqual({ page: 'vouchers' });
    expect(parseRoute('#/voucher/42')).toEqual({ page: 'voucher', id: 42 });
    expect(parseRoute('#/customers')).toEqual({ page: 'customers' });
    expect(parseRoute('#/customers/7')).toEqual({ page: 'customer', id: 7 });
    expect(parseRoute('#/customers/13800138000x')).toEqual({ page: 'batches' });
    expect(hrefOf({ page: 'customer', id: 7 })).toBe('#/customers/7');
    expect(sectionOf({ page: 'customer', id: 7 })).toBe('customers');
    expect(parseRoute('#/sync')).toEqual({ page: 'sync' });
    expect(sectionOf({ page: 'sync' })).toBe('sync');
    expect(parseRoute('#/audit')).toEqual({ page: 'audit' });
    expect(sectionOf({ page: 'audit' })).toBe('audit');
    expect(parseRoute('#/bonus/0')).toEqual({ page: 'batches' });
    expect(parseRoute('#/bonus/BEVTGKODUNM')).toEqual({ page: 'batches' });
    expect(parseRoute('#/voucher/-1')).toEqual({ page: 'batches' });
    expect(parseRoute('#/voucher/1/edit')).toEqual({ page: 'batches' });
    expect(sectionOf({ page: 'bonus', id: 1 })).toBe('bonuses');
    expect(sectionOf({ page: 'voucher', id: 1 })).toBe('vouchers');
  });

  it('round-trips through hrefOf and knows each section', () => {
    const routes: Route[] = [
      { page: 'batches' },
      { page: 'batch', ticketType: 'SPRING 2026/x' },
      { page: 'templates' },
      { page: 'templateNew' },
      { page: 'template', id: 7 },
      { page: 'templateEdit', id: 7 },
      { page: 'redeem' },
      { page: 'settings' },
      { page: 'bonuses' },
      { page: 'bonus', id: 5 },
      { page: 'vouchers' },
      { page: 'voucher', id: 6 },
      { page: 'customers' },
      { page: 'sync' },
      { page: 'audit' },
      { page: 'staff' },
      { page: 'dashboard' },
      { page: 'reconcile' },
    ];
    for (const r of routes) expect(parseRoute(hrefOf(r))).toEqual(r);
    expect(routes.map(sectionOf)).toEqual([
      'batches',
      'batches',
      'templates',
      'templates',
      'templates',
      'templates',
      'redeem',
      'settings',
      'bonuses',
      'bonuses',
      'vouchers',
      'vouchers',
      'customers',
      'sync',
      'audit',
      'staff',
      'reports',
      'reports',
    ]);
  });
});
