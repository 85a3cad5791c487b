/** Pieces every time-based chart shares: the time axis, fault shading, text helpers. */
import type { CustomSeriesOption } from 'echarts/charts';
import type { CustomSeriesRenderItemAPI, CustomSeriesRenderItemParams, CustomSeriesRenderItemReturn } from 'echarts';
import type { FaultPeriod } from '../../model/runModel';
import type { Palette } from './palette';

/** Escapes text for ECharts tooltips, which render HTML. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

export function seconds(ms: number): number {
  return Math.round(ms) / 1000;
}

/** [t ms, v] points to [t s, v], the unit every time axis uses. */
export function toSeconds<V>(points: ReadonlyArray<readonly [number, V]>): Array<[number, V]> {
  return points.map(([t, v]) => [seconds(t), v]);
}

/** Extends a step series to `now` so the current value is drawn up to the right edge. */
export function extendTo<V>(points: Array<[number, V]>, nowSec: number): Array<[number, V]> {
  const last = points[points.length - 1];
  if (last && last[0] < nowSec) points.push([nowSec, last[1]]);
  return points;
}

export function timeAxis(nowMs: number, p: Palette) {
  return {
    type: 'value' as const,
    min: 0,
    max: Math.max(1, Math.ceil(nowMs / 1000)),
    name: 'time (s)',
    nameLocation: 'middle' as const,
    nameGap: 24,
    // The max is the current second, usually next to a round tick: without this the two
    // labels overprint ("2526").
    axisLabel: { color: p.muted, hideOverlap: true },
    splitLine: { show: false },
  };
}

interface RectBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The plot area of a cartesian coordinate system as ECharts hands it to renderItem. */
export function gridBox(params: CustomSeriesRenderItemParams): RectBox {
  return params.coordSys as unknown as RectBox;
}

/** Clips a rectangle to the plot area; null when nothing is left. */
export function clip(r: RectBox, box: RectBox): RectBox | null {
  const x0 = Math.max(r.x, box.x);
  const x1 = Math.min(r.x + r.width, box.x + box.width);
  const y0 = Math.max(r.y, box.y);
  const y1 = Math.min(r.y + r.height, box.y + box.height);
  return x1 > x0 && y1 > y0 ? { x: x0, y: y0, width: x1 - x0, height: y1 - y0 } : null;
}

/**
 * A custom series that shades fault periods across the whole plot height (instant faults
 * as thin marks). `yAny` is any valid value of the y axis, needed to convert x to pixels.
 * `withTooltip`: describe the fault on hover (item-tooltip charts); axis-tooltip charts
 * leave it off, or every line's tooltip would list the fault rows too.
 */
export function faultSeries(faults: readonly FaultPeriod[], nowMs: number, p: Palette, yAny: number | string = 0, withTooltip = false): CustomSeriesOption {
  const data = faults.map((f) => [seconds(f.start), seconds(f.end ?? nowMs), f.instant ? 1 : 0, f.description]);
  return {
    id: 'faults',
    name: 'faults',
    type: 'custom',
    silent: !withTooltip,
    z: 1,
    encode: { x: [0, 1] },
    tooltip: {
      show: withTooltip,
      formatter: (item: unknown) => {
        const v = (item as { value: [number, number, number, string] }).value;
        return v[2] ? `${escapeHtml(v[3])}<br/>at ${v[0]} s` : `${escapeHtml(v[3])}<br/>${v[0]} s – ${v[1]} s`;
      },
    },
    renderItem: (params: CustomSeriesRenderItemParams, api: CustomSeriesRenderItemAPI): CustomSeriesRenderItemReturn => {
      const box = gridBox(params);
      const x0 = api.coord([api.value(0), yAny])[0];
      const x1 = api.coord([api.value(1), yAny])[0];
      const instant = api.value(2) === 1;
      const width = instant ? 2 : Math.max(2, x1 - x0);
      const shape = clip({ x: instant ? x0 - 1 : x0, y: box.y, width, height: box.height }, box);
      if (!shape) return null;
      if (instant) {
        const x = Math.min(Math.max(x0, box.x), box.x + box.width);
        return { type: 'line', shape: { x1: x, y1: box.y, x2: x, y2: box.y + box.height }, style: { stroke: p.faultInstant, lineWidth: 1.5, lineDash: [4, 3] } };
      }
      return { type: 'rect', shape, style: { fill: p.fault } };
    },
    data,
  };
}

/**
 * Top margin of a plot under a one-line legend: the legend takes the first ~24 px and the
 * y-axis name sits just above the plot, so the two no longer overlap (at 36 px the centred
 * five-node legend covered "commit index").
 */
export const GRID_TOP_UNDER_LEGEND = 56;

/** A legend that stays on one line (scrolling) however many nodes there are, up to 25. */
export function oneLineLegend(names: string[], p: Palette) {
  return { type: 'scroll' as const, top: 0, data: names, textStyle: { color: p.text }, pageTextStyle: { color: p.muted } };
}

/** Top margin of a plot whose legend is HTML under the chart (NodeLegend.vue): room for the axis name only. */
export const GRID_TOP_NO_LEGEND = 28;

export { withGaps, type Gap } from '../../../../src/analysis/seriesGaps';

export const BASE_OPTION = {
  animation: false,
  backgroundColor: 'transparent',
  // ECharts writes a text description of each chart into the container's aria-label.
  aria: { enabled: true },
} as const;
