/** One replication index (commit, applied or last log index) per node over time. */
import type { NodeId } from '../../../../src/analysis/ids';
import type { IndexColumn } from '../../model/metricsModel';
import type { FaultPeriod } from '../../model/runModel';
import { BASE_OPTION, GRID_TOP_UNDER_LEGEND, faultSeries, oneLineLegend, timeAxis, toSeconds } from './common';
import { nodeColor } from './palette';
import type { Palette } from './palette';
import type { ChartOption } from './types';

export const INDEX_LABELS: Record<IndexColumn, string> = { commit: 'commit index', applied: 'applied index', lastIndex: 'last log index' };

export interface ReplicationInput {
  column: IndexColumn;
  nodes: Array<{ node: NodeId; points: Array<[number, number | null]> }>;
  faults: readonly FaultPeriod[];
  now: number;
  palette: Palette;
}

export function replicationOption({ column, nodes, faults, now, palette: p }: ReplicationInput): ChartOption {
  return {
    ...BASE_OPTION,
    grid: { left: 64, right: 16, top: GRID_TOP_UNDER_LEGEND, bottom: 40 },
    legend: oneLineLegend(nodes.map(({ node }) => `Node ${node}`), p),
    tooltip: { trigger: 'axis', confine: true },
    xAxis: timeAxis(now, p),
    yAxis: { type: 'value', name: INDEX_LABELS[column], scale: true, minInterval: 1, axisLabel: { color: p.muted } },
    dataZoom: [{ type: 'inside', xAxisIndex: 0, filterMode: 'none' }],
    series: [
      faultSeries(faults, now, p, 0),
      ...nodes.map(({ node, points }) => ({
        id: `index-${node}`,
        name: `Node ${node}`,
        type: 'line' as const,
        showSymbol: false,
        sampling: 'lttb' as const,
        color: nodeColor(p, node),
        data: toSeconds(points),
      })),
    ],
  };
}
