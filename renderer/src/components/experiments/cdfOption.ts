/**
 * The chart of one experiment panel, as Figure 16 of the Raft paper draws it (§9.3): the
 * cumulative percent of trials against the election time on a log x-axis, one line per
 * timeout range (real processes solid, the simulator dashed), and the paper's reported
 * values as diamonds. The curves come from the lab (experiment:open's CurveView, already the
 * empirical CDF); this module only styles them and says in words what it drew.
 */
import { BASE_OPTION } from '../../charts/options/common';
import type { Palette } from '../../charts/options/palette';
import type { LineSeriesOption } from 'echarts/charts';
import type { ChartOption } from '../../charts/options/types';
import type { CurveView, PaperPointView } from '../../../../src/contract/labApiExperiments';

/** A log axis cannot place 0 ms: a sample that small is drawn at this many ms. */
const LOG_FLOOR_MS = 0.1;

/**
 * The colour of a curve's key (a timeout range, or run A/B/C...): its place among every key
 * of the experiment, so a range keeps its colour in both panels. Ten colours per scheme
 * (src/analysis/legend.ts), chosen for contrast on light and on dark backgrounds.
 */
export function keyColour(p: Palette, keys: readonly string[], key: string): string {
  const i = Math.max(0, keys.indexOf(key));
  return p.nodes[i % p.nodes.length];
}

/** The legend name and data ECharts is handed for one curve: a step line that rises from 0. */
export function curveData(c: CurveView): Array<[number, number]> {
  if (c.points.length === 0) return [];
  const pts = c.points.map(([x, f]): [number, number] => [Math.max(x, LOG_FLOOR_MS), f]);
  return [[pts[0][0], 0], ...pts];
}

/** Decades that hold every point: a log axis from 10^a to 10^b. */
function logBounds(xs: readonly number[]): { min: number; max: number } {
  const finite = xs.filter((x) => Number.isFinite(x) && x > 0);
  if (finite.length === 0) return { min: 10, max: 1000 };
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  const min = 10 ** Math.floor(Math.log10(lo));
  const max = 10 ** Math.ceil(Math.log10(hi));
  return { min, max: max > min ? max : min * 10 };
}

/** Height of one line of the legend, and about how many entries fit on one (a panel is 900–1,200 px wide). */
export const LEGEND_LINE_PX = 22;
const LEGEND_PER_LINE = 8;
export const legendLines = (entries: number): number => Math.max(1, Math.ceil(entries / LEGEND_PER_LINE));

export interface CdfInput {
  curves: readonly CurveView[];
  paper: readonly PaperPointView[];
  /** Every key of the experiment, in order (for stable colours across panels). */
  keys: readonly string[];
  palette: Palette;
  /** The x-axis name; Figure 16's by default. */
  xName?: string;
  /** Times are drawn on a log axis (Figure 16); counts (throughput) on a linear one. */
  logAxis?: boolean;
}

export function cdfOption({ curves, paper, keys, palette: p, xName = 'election time (ms, log scale)', logAxis = true }: CdfInput): ChartOption {
  const series: LineSeriesOption[] = curves.map((c): LineSeriesOption => {
    const colour = keyColour(p, keys, c.key);
    return {
      id: `curve:${c.name}`,
      name: c.name,
      type: 'line',
      step: 'end',
      showSymbol: false,
      color: colour,
      lineStyle: { color: colour, width: c.dashed ? 1.5 : 2, type: c.dashed ? 'dashed' : 'solid' },
      data: curveData(c),
    };
  });
  if (paper.length > 0) {
    // Markers only: a line series with its line hidden (the app registers no scatter chart,
    // charts/echarts.ts). Each diamond has its range's colour inside and the text colour
    // around it, so it stays visible on either scheme.
    series.push({
      id: 'paper',
      name: 'paper (§9.3)',
      type: 'line',
      symbol: 'diamond',
      symbolSize: 11,
      showSymbol: true,
      lineStyle: { opacity: 0 },
      color: p.text,
      itemStyle: { color: p.text, borderColor: p.text },
      data: paper.map((pt) => ({ value: [pt.ms, pt.percent], name: `${pt.label} paper ${pt.what}`, itemStyle: { color: keyColour(p, keys, pt.label), borderColor: p.text, borderWidth: 1 } })),
    });
  }
  const xs = [...curves.flatMap((c) => curveData(c).map(([x]) => x)), ...paper.map((pt) => pt.ms)];
  const bounds = logAxis ? logBounds(xs) : undefined;
  return {
    ...BASE_OPTION,
    tooltip: { trigger: 'item', confine: true },
    // A plain legend wraps onto more lines: with both panels' modes a scrolling one hid half the ranges behind "1/2".
    legend: { type: 'plain', bottom: 0, textStyle: { color: p.text } },
    grid: { left: 56, right: 24, top: 28, bottom: 50 + LEGEND_LINE_PX * legendLines(series.length) },
    xAxis: {
      type: logAxis ? 'log' : 'value',
      ...(bounds ?? {}),
      name: xName,
      nameLocation: 'middle',
      nameGap: 26,
      axisLabel: { color: p.muted, hideOverlap: true },
      splitLine: { show: true, lineStyle: { color: p.scheme === 'dark' ? '#2c3642' : '#e5e7eb' } },
    },
    yAxis: {
      type: 'value',
      min: 0,
      max: 100,
      name: 'cumulative percent',
      nameLocation: 'middle',
      nameGap: 40,
      axisLabel: { color: p.muted },
      splitLine: { lineStyle: { color: p.scheme === 'dark' ? '#2c3642' : '#e5e7eb' } },
    },
    series,
  };
}

const ms = (v: number): string => `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ms`;

/**
 * The chart's text alternative (WCAG 1.1.1), one sentence per curve, read from the data the
 * chart was given: its name, how many trials it steps through and the times it spans.
 */
export function cdfDescription(curves: readonly CurveView[], paper: readonly PaperPointView[]): string {
  if (curves.length === 0) return 'No curve: no variant has a resolved trial.';
  const lines = curves.map((c) => {
    const first = c.points[0]?.[0];
    const last = c.points.at(-1)?.[0];
    return `${c.name}${c.dashed ? ' (dashed)' : ''}: ${c.points.length} steps from ${first === undefined ? '–' : ms(first)} to ${last === undefined ? '–' : ms(last)}.`;
  });
  const refs = paper.map((pt) => `paper's ${pt.what} for ${pt.label}: ${ms(pt.ms)}`);
  return [...lines, ...(refs.length > 0 ? [`Diamonds: ${refs.join('; ')}.`] : [])].join(' ');
}
