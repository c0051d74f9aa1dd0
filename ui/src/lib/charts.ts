// ECharts, tree-shaken: only the three charts the dashboard draws (a line, bars, a
// heat strip), the components they use and the canvas renderer are registered, so the
// bundle carries those and not the whole library (docs/reports.md gives the size).
// What must stay true: a chart type or component a page's option names must be
// registered here, or ECharts draws nothing for it (and says so only in the console).
import { BarChart, HeatmapChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([LineChart, BarChart, HeatmapChart, GridComponent, LegendComponent, TooltipComponent, VisualMapComponent, CanvasRenderer]);

export type ChartOption = echarts.EChartsCoreOption;
export type Chart = echarts.ECharts;
/** What a click on a bar, a point or a cell names: its index in the series' data. */
export interface ChartClick {
  dataIndex: number;
}

/** A chart drawn into `el`, sized to it. */
export function createChart(el: HTMLElement): Chart {
  return echarts.init(el, null, { renderer: 'canvas' });
}
