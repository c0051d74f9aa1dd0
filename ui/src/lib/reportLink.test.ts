import { describe, expect, it } from 'vitest';

import { addDays, EMPTY_LINK, parseReportLink, reportLinkQuery, reportQueryOf, shopToday, type ReportLink } from './reportLink';
import { hrefOf, parseRoute, sectionOf } from './route.svelte';

describe('report links', () => {
  const full: ReportLink = {
    from: '2026-12-01',
    to: '2026-12-07',
    groupBy: 'staff',
    staff: '李 店长',
    terminal: '前台&1',
    templateId: 12,
    batch: 'SPRING2026',
    kind: 'coupon',
    group: 'kind:bonus',
  };

  it('round-trips every field through the address', () => {
    expect(parseReportLink(reportLinkQuery(full))).toEqual(full);
    expect(reportLinkQuery(EMPTY_LINK)).toBe('');
    expect(parseReportLink('')).toEqual(EMPTY_LINK);
    const route = { page: 'report' as const, link: full };
    expect(parseRoute(hrefOf(route))).toEqual(route);
    expect(sectionOf(route)).toBe('reports');
  });

  it('drops what is not a day, a grouping, a kind or an id', () => {
    expect(parseReportLink('from=2026-02-30&to=yesterday&by=month&kind=cash&template=0&staff=%20')).toEqual(EMPTY_LINK);
    expect(parseReportLink('template=007').templateId).toBeNull();
  });

  it('fills the days the link leaves open', () => {
    const q = reportQueryOf({ ...EMPTY_LINK, to: '2026-12-07' }, '2026-11-01', '2026-11-30');
    expect([q.from, q.to, q.groupBy, q.kind]).toEqual(['2026-11-01', '2026-12-07', 'day', null]);
  });

  it('counts days across months and in the shop zone', () => {
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDays('2026-12-25', 7)).toBe('2027-01-01');
    // 2026-12-06 16:30 UTC is already the 7th in China (UTC+8), still the 6th in UTC.
    const t = Date.UTC(2026, 11, 6, 16, 30);
    expect([shopToday(480, t), shopToday(0, t)]).toEqual(['2026-12-07', '2026-12-06']);
  });

  it('addresses the dashboard and the daily close', () => {
    expect(parseRoute('#/dashboard')).toEqual({ page: 'dashboard' });
    const close = { page: 'close' as const, day: '2026-12-07', terminal: '收银台 1' };
    expect(parseRoute(hrefOf(close))).toEqual(close);
    expect(parseRoute('#/close?day=bad')).toEqual({ page: 'close', day: null, terminal: null });
    expect(hrefOf({ page: 'close', day: null, terminal: null })).toBe('#/close');
  });
});
