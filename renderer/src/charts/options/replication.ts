/**
 * One replication index (commit, applied or last log index) per node over time. Nodes in
 * step draw on top of each other, so lines get thinner from the first node to the last:
 * where they agree, each colour shows as a stripe around the next. A node that is down or
 * removed has no line over that stretch (its last sample is not a live value).
 */
import type { NodeId } from '../../../../src/analysis/ids';
import type { IndexColumn } from '../../model/metricsModel';
import type { FaultPeriod } from '../../model/runModel';
import { BASE_OPTION, GRID_TOP_NO_LEGEND, faultSeries, timeAxis, toSeconds, withGaps, type Gap } from './common';
import { nodeColor, nodeDash } from './palette';
import type { Palette } from './palette';
import type { ChartOption } from './types';

export const INDEX_LABELS: Record<IndexColumn, string> = { commit: 'commit index', applied: 'applied index', lastIndex: 'last log index' };

export interface ReplicationInput {
  column: IndexColumn;
  nodes: Array<{ node: NodeId; points: Array<[number, number | null]>; gaps?: readonly Gap[] }>;
  faults: readonly FaultPeriod[];
  now: number;
  palette: Palette;
}

/** Line width of the i-th of n series: 6 px for the first down to 1.5 px for the last (fewer steps when many nodes). */
export function stripeWidth(i: number, n: number): number {
  if (n <= 1) return 2;
  return Math.round((1.5 + (4.5 * (n - 1 - i)) / (n - 1)) * 10) / 10;
}

export function replicationOption({ column, nodes, faults, now, palette: p }: ReplicationInput): ChartOption {
  return {
    ...BASE_OPTION,
    grid: { left: 64, right: 16, top: GRID_TOP_NO_LEGEND, bottom: 40 },
    legend: { show: false },
    tooltip: { trigger: 'axis', confine: true },
    xAxis: timeAxis(now, p),
    yAxis: { type: 'value', name: INDEX_LABELS[column], scale: true, minInterval: 1, axisLabel: { color: p.muted } },
    dataZoom: [{ type: 'inside', xAxisIndex: 0, filterMode: 'none' }],
    series: [
      faultSeries(faults, now, p, 0),
      ...nodes.map(({ node, points, gaps }, i) => ({
        id: `index-${node}`,
        name: `Node ${node}`,
        type: 'line' as const,
        showSymbol: false,
        connectNulls: false,
        // lttb keeps a null's neighbours, so gaps survive sampling.
        sampling: 'lttb' as const,
        color: nodeColor(p, node),
        lineStyle: { width: stripeWidth(i, nodes.length), type: nodeDash(node) },
        data: toSeconds(withGaps(points, gaps ?? [], false)),
      })),
    ],
  };
}
