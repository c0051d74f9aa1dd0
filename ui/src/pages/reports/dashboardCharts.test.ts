import { describe, expect, it } from 'vitest';

import type { ReportGroup } from '$lib/backend/bindings/ReportGroup';
import { hourStripOption, TOP_TEMPLATES, topTemplateAt, topTemplatesOption, trendOption } from './dashboardCharts';

const group = (i: number): ReportGroup => ({ key: String(i), label: `T${i}`, count: 100 - i, discountFen: 0, orderFen: 0 });

type Series = { data: unknown[] }[];

describe('dashboard charts', () => {
  it('draws the trend from the core figures, discount in yuan', () => {
    const o = trendOption(
      [
        { day: '2026-12-06', count: 3, discountFen: 2050, orderFen: 0 },
        { day: '2026-12-07', count: 0, discountFen: 0, orderFen: 0 },
      ],
      { count: 'n', discount: 'd' },
    );
    const series = o['series'] as Series;
    expect(series.map((s) => s.data)).toEqual([
      [3, 0],
      [20.5, 0],
    ]);
    expect((o['xAxis'] as { data: string[] }).data).toEqual(['12-06', '12-07']);
  });

  it('shows the top templates largest on top and maps a click back', () => {
    const groups = Array.from({ length: 12 }, (_, i) => group(i));
    const o = topTemplatesOption(groups, 'n');
    const labels = (o['yAxis'] as { data: string[] }).data;
    expect(labels).toHaveLength(TOP_TEMPLATES);
    expect(labels.at(-1)).toBe('T0');
    expect(topTemplateAt(groups, labels.length - 1)?.key).toBe('0');
    expect(topTemplateAt(groups, 0)?.key).toBe('9');
    expect(topTemplateAt(groups.slice(0, 2), 0)?.key).toBe('1');
  });

  it('puts each hour in its cell', () => {
    const hours = Array.from({ length: 24 }, (_, h) => (h === 12 ? 7 : 0));
    const o = hourStripOption(hours, 'n');
    const data = (o['series'] as Series)[0]?.data as number[][];
    expect(data[12]).toEqual([12, 0, 7]);
    expect((o['visualMap'] as { max: number }).max).toBe(7);
    expect((hourStripOption(new Array<number>(24).fill(0), 'n')['visualMap'] as { max: number }).max).toBe(1);
  });
});
