/** Workload commit latency (p50, p99) and throughput over time. */
import type { FaultPeriod } from '../../model/runModel';
import { BASE_OPTION, GRID_TOP_UNDER_LEGEND, faultSeries, oneLineLegend, timeAxis, toSeconds } from './common';
import type { Palette } from './palette';
import type { ChartOption } from './types';

export interface LatencyInput {
  p50: Array<[number, number | null]>;
  p99: Array<[number, number | null]>;
  throughput: Array<[number, number | null]>;
  faults: readonly FaultPeriod[];
  now: number;
  palette: Palette;
}

export function latencyOption({ p50, p99, throughput, faults, now, palette: p }: LatencyInput): ChartOption {
  return {
    ...BASE_OPTION,
    grid: { left: 56, right: 64, top: GRID_TOP_UNDER_LEGEND, bottom: 40 },
    legend: oneLineLegend(['p50 latency', 'p99 latency', 'throughput'], p),
    tooltip: { trigger: 'axis', confine: true },
    xAxis: timeAxis(now, p),
    yAxis: [
      { type: 'value', name: 'latency (ms)', min: 0, axisLabel: { color: p.muted } },
      { type: 'value', name: 'ops/s', min: 0, axisLabel: { color: p.muted }, splitLine: { show: false } },
    ],
    dataZoom: [{ type: 'inside', xAxisIndex: 0, filterMode: 'none' }],
    series: [
      faultSeries(faults, now, p, 0),
      { id: 'p50', name: 'p50 latency', type: 'line', yAxisIndex: 0, showSymbol: false, sampling: 'lttb', color: p.roles.follower, data: toSeconds(p50) },
      { id: 'p99', name: 'p99 latency', type: 'line', yAxisIndex: 0, showSymbol: false, sampling: 'lttb', color: p.roles.candidate, data: toSeconds(p99) },
      {
        id: 'throughput', name: 'throughput', type: 'line', yAxisIndex: 1, showSymbol: false, sampling: 'lttb',
        color: p.roles.leader, lineStyle: { type: 'dashed' }, data: toSeconds(throughput),
      },
    ],
  };
}
