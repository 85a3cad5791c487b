/** Each node's term over time, as steps (a term only changes at an event, §5.1). */
import type { NodeId } from '../../../../src/analysis/ids';
import type { FaultPeriod } from '../../model/runModel';
import { BASE_OPTION, GRID_TOP_UNDER_LEGEND, extendTo, faultSeries, oneLineLegend, seconds, timeAxis, toSeconds } from './common';
import { nodeColor } from './palette';
import type { Palette } from './palette';
import type { ChartOption } from './types';

export interface TermInput {
  nodes: Array<{ node: NodeId; points: Array<[number, number]> }>;
  faults: readonly FaultPeriod[];
  now: number;
  palette: Palette;
}

export function termOption({ nodes, faults, now, palette: p }: TermInput): ChartOption {
  return {
    ...BASE_OPTION,
    grid: { left: 48, right: 16, top: GRID_TOP_UNDER_LEGEND, bottom: 40 },
    legend: oneLineLegend(nodes.map(({ node }) => `Node ${node}`), p),
    tooltip: { trigger: 'axis', confine: true },
    xAxis: timeAxis(now, p),
    yAxis: { type: 'value', name: 'term', minInterval: 1, axisLabel: { color: p.muted } },
    dataZoom: [{ type: 'inside', xAxisIndex: 0, filterMode: 'none' }],
    series: [
      faultSeries(faults, now, p, 0),
      ...nodes.map(({ node, points }) => ({
        id: `term-${node}`,
        name: `Node ${node}`,
        type: 'line' as const,
        step: 'end' as const,
        showSymbol: false,
        color: nodeColor(p, node),
        data: extendTo(toSeconds(points), seconds(now)),
      })),
    ],
  };
}
