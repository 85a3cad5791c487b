/**
 * Each node's term over time, as steps (a term only changes at an event, §5.1). Nodes that
 * agree on the term would draw on top of each other and only the last colour would show, so
 * each node's line is lifted by a small fixed offset (at most ±0.3 of a term; the tooltip
 * shows the true term). A node that is down or removed has no line over that stretch.
 */
import type { NodeId } from '../../../../src/analysis/ids';
import type { FaultPeriod } from '../../model/runModel';
import { BASE_OPTION, GRID_TOP_NO_LEGEND, extendTo, faultSeries, seconds, timeAxis, toSeconds, withGaps, type Gap } from './common';
import { termOffset } from '../../../../src/analysis/seriesGaps';
import { nodeColor, nodeDash } from './palette';
import type { Palette } from './palette';
import type { ChartOption } from './types';

export interface TermInput {
  nodes: Array<{ node: NodeId; points: Array<[number, number]>; gaps?: readonly Gap[] }>;
  faults: readonly FaultPeriod[];
  now: number;
  palette: Palette;
}

/** A term axis label: the term, or nothing below 0 (terms start at 0, §5.1). */
export function termTick(value: number): string {
  return value < 0 ? '' : String(value);
}

export function termOption({ nodes, faults, now, palette: p }: TermInput): ChartOption {
  return {
    ...BASE_OPTION,
    grid: { left: 48, right: 16, top: GRID_TOP_NO_LEGEND, bottom: 40 },
    legend: { show: false },
    tooltip: { trigger: 'axis', confine: true, valueFormatter: (v) => (typeof v === 'number' ? `term ${Math.round(v)}` : '–') },
    xAxis: timeAxis(now, p),
    // Lines of term 0 are lifted below 0, so the axis may reach -1: no term is negative, so that tick has no label.
    yAxis: { type: 'value', name: 'term', minInterval: 1, axisLabel: { color: p.muted, formatter: termTick } },
    dataZoom: [{ type: 'inside', xAxisIndex: 0, filterMode: 'none' }],
    series: [
      faultSeries(faults, now, p, 0),
      ...nodes.map(({ node, points, gaps }, i) => {
        const offset = termOffset(i, nodes.length);
        const lifted: Array<[number, number | null]> = withGaps(points, gaps ?? [], true).map(([t, v]) => [t, v === null ? null : v + offset]);
        const data = toSeconds(lifted);
        // Extend to now only when the node is up at the end.
        if (data.length > 0 && data[data.length - 1][1] !== null) extendTo(data, seconds(now));
        return {
          id: `term-${node}`,
          name: `Node ${node}`,
          type: 'line' as const,
          step: 'end' as const,
          showSymbol: false,
          connectNulls: false,
          color: nodeColor(p, node),
          lineStyle: { type: nodeDash(node), width: 1.5 },
          data,
        };
      }),
    ],
  };
}
