// charts.ts - the IOC page's charts with Apache ECharts, only the parts used (line and bar
// charts, grid, tooltip, legend, aria, the SVG renderer). Imported dynamically by ioc.tsx, so
// ECharts is its own chunk that loads after the figures are on the screen.
import * as echarts from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { AriaComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';

echarts.use([LineChart, BarChart, GridComponent, TooltipComponent, LegendComponent, AriaComponent, SVGRenderer]);

export interface Chart {
  set(option: Record<string, unknown>): void;
  dispose(): void;
}

const FONT = { fontFamily: 'system-ui, sans-serif', fontSize: 14, color: '#1a1a1a' };

/** A chart in el that follows the element's size. */
export function chart(el: HTMLElement): Chart {
  const c = echarts.init(el, undefined, { renderer: 'svg' });
  const ro = new ResizeObserver(() => c.resize());
  ro.observe(el);
  return {
    set: (o) => c.setOption({ textStyle: FONT, aria: { enabled: true }, animation: false, ...o }, { notMerge: true }),
    dispose: () => {
      ro.disconnect();
      c.dispose();
    },
  };
}

export interface TrendPoint {
  label: string;
  received: number;
  resolved: number;
  late: number;
}

export function trendOption(points: TrendPoint[], names: { received: string; resolved: string; late: string }) {
  return {
    grid: { left: 40, right: 16, top: 40, bottom: 28 },
    tooltip: { trigger: 'axis' },
    legend: { top: 0, textStyle: FONT },
    xAxis: { type: 'category', data: points.map((p) => p.label), axisLabel: { color: '#333' } },
    yAxis: { type: 'value', minInterval: 1, axisLabel: { color: '#333' } },
    series: [
      { name: names.received, type: 'line', data: points.map((p) => p.received), color: '#0b4fa8', symbolSize: 6 },
      { name: names.resolved, type: 'line', data: points.map((p) => p.resolved), color: '#0d7a2c', symbolSize: 6 },
      { name: names.late, type: 'bar', data: points.map((p) => p.late), color: '#b3261e', barMaxWidth: 10 },
    ],
  };
}

export function lateBarsOption(rows: { name: string; late: number }[], seriesName: string) {
  const r = [...rows].reverse(); // largest on top
  return {
    grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    xAxis: { type: 'value', minInterval: 1, axisLabel: { color: '#333' } },
    yAxis: {
      type: 'category',
      data: r.map((x) => (x.name.length > 42 ? x.name.slice(0, 40) + '…' : x.name)),
      axisLabel: { color: '#1a1a1a', width: 260, overflow: 'truncate' },
    },
    series: [{ name: seriesName, type: 'bar', data: r.map((x) => x.late), color: '#b3261e', label: { show: true, position: 'right' } }],
  };
}
