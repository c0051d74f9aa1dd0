// The dashboard's three charts as ECharts options, from the core's figures (no figure is
// computed here: counts and fen are the core's, only turned into yuan for the axis).
// Pure, so a test can read what each chart is given.
import type { DayFigures } from '$lib/backend/bindings/DayFigures';
import type { ReportGroup } from '$lib/backend/bindings/ReportGroup';
import type { ChartOption } from '$lib/charts';
import { formatYuan } from '$lib/money';

/** The app's palette for charts (app.css: --accent and its lighter steps). */
const CHART_COLORS = ['#0f6e6a', '#d08a2c', '#5470c6', '#91a7b5'] as const;
const HEAT_COLORS = ['#eef4f3', '#7fbab5', '#0f6e6a'] as const;

/** How many templates the "top templates" bars show. */
export const TOP_TEMPLATES = 10;

export interface TrendText {
  count: string;
  discount: string;
}

const axisLabel = { color: '#5d6676' };

/** Uses per day (line, left axis) and the discount given per day (bars, right axis, yuan). */
export function trendOption(trend: readonly DayFigures[], text: TrendText): ChartOption {
  return {
    color: [...CHART_COLORS],
    tooltip: { trigger: 'axis' },
    legend: { data: [text.count, text.discount], top: 0 },
    grid: { left: 48, right: 64, top: 32, bottom: 28 },
    xAxis: { type: 'category', data: trend.map((d) => d.day.slice(5)), axisLabel },
    yAxis: [
      { type: 'value', minInterval: 1, axisLabel },
      { type: 'value', axisLabel: { ...axisLabel, formatter: (v: number) => formatYuan(v * 100) } },
    ],
    series: [
      { name: text.count, type: 'line', smooth: true, data: trend.map((d) => d.count) },
      {
        name: text.discount,
        type: 'bar',
        yAxisIndex: 1,
        barMaxWidth: 10,
        data: trend.map((d) => d.discountFen / 100),
        tooltip: { valueFormatter: (v: number) => formatYuan(Math.round(v * 100)) },
      },
    ],
  };
}

/** The templates with most uses, largest on top. */
export function topTemplatesOption(groups: readonly ReportGroup[], countName: string): ChartOption {
  const top = groups.slice(0, TOP_TEMPLATES).reverse();
  return {
    color: [CHART_COLORS[0]],
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    grid: { left: 8, right: 24, top: 8, bottom: 24, containLabel: true },
    xAxis: { type: 'value', minInterval: 1, axisLabel },
    yAxis: { type: 'category', data: top.map((g) => g.label), axisLabel: { ...axisLabel, width: 120, overflow: 'truncate' } },
    series: [{ name: countName, type: 'bar', barMaxWidth: 18, data: top.map((g) => g.count) }],
  };
}

/** The index into `groups` of the bar `index` of `topTemplatesOption` (drawn reversed). */
export function topTemplateAt(groups: readonly ReportGroup[], index: number): ReportGroup | undefined {
  const shown = Math.min(groups.length, TOP_TEMPLATES);
  return groups[shown - 1 - index];
}

/** One row of 24 cells, an hour of the shop's day each, darker for more uses. */
export function hourStripOption(byHour: readonly number[], countName: string): ChartOption {
  const max = Math.max(1, ...byHour);
  return {
    tooltip: { formatter: (p: { data: [number, number, number] }) => `${String(p.data[0]).padStart(2, '0')}:00 · ${countName} ${p.data[2]}` },
    grid: { left: 8, right: 8, top: 4, bottom: 24, containLabel: true },
    xAxis: { type: 'category', data: byHour.map((_, h) => String(h).padStart(2, '0')), axisLabel, splitArea: { show: true } },
    yAxis: { type: 'category', data: [''], axisLabel: { show: false }, axisTick: { show: false } },
    visualMap: { min: 0, max, show: false, inRange: { color: [...HEAT_COLORS] } },
    series: [
      {
        name: countName,
        type: 'heatmap',
        data: byHour.map((n, h) => [h, 0, n]),
        itemStyle: { borderColor: '#fff', borderWidth: 2 },
      },
    ],
  };
}
