/** Election times: a histogram and the empirical CDF side by side. */
import { cdf, histogram } from '../../model/distribution';
import { BASE_OPTION } from './common';
import type { Palette } from './palette';
import type { ChartOption } from './types';

export interface ElectionInput {
  /** Leaderless times in ms. */
  samples: readonly number[];
  /** Elections in the run (may exceed samples.length once old samples were evicted). */
  total: number;
  palette: Palette;
}

export function electionCountText(total: number): string {
  return `${total} ${total === 1 ? 'election' : 'elections'}`;
}

/** The CDF as steps that rise from 0 at the first sample (ECharts draws from the first point). */
function cdfSteps(samples: readonly number[]): Array<[number, number]> {
  const points = cdf(samples);
  return points.length === 0 ? [] : [[points[0][0], 0], ...points];
}

export function electionOption({ samples, total, palette: p }: ElectionInput): ChartOption {
  const bins = histogram(samples);
  return {
    ...BASE_OPTION,
    title: { text: electionCountText(total), left: 0, top: 0, textStyle: { fontSize: 13, color: p.text } },
    tooltip: { trigger: 'axis', confine: true },
    grid: [
      { left: 44, right: '54%', top: 56, bottom: 44 },
      // Room on the right for half of the last x label ("1,500" was cut at the canvas edge).
      { left: '56%', right: 28, top: 56, bottom: 44 },
    ],
    xAxis: [
      {
        type: 'category',
        gridIndex: 0,
        name: 'leaderless time (ms)',
        nameLocation: 'middle',
        nameGap: 28,
        data: bins.map((b) => `${b.from}–${b.to}`),
        axisLabel: { color: p.muted, hideOverlap: true },
      },
      // hideOverlap: at 9 and more nodes the panel is narrow and "900" ran into "1,200".
      { type: 'value', gridIndex: 1, name: 'ms', nameLocation: 'middle', nameGap: 28, min: 0, axisLabel: { color: p.muted, hideOverlap: true } },
    ],
    yAxis: [
      { type: 'value', gridIndex: 0, name: 'count', minInterval: 1, axisLabel: { color: p.muted } },
      { type: 'value', gridIndex: 1, name: 'CDF', min: 0, max: 1, axisLabel: { color: p.muted, formatter: (v: number) => `${Math.round(v * 100)}%` } },
    ],
    series: [
      { id: 'histogram', name: 'elections', type: 'bar', xAxisIndex: 0, yAxisIndex: 0, color: p.roles.candidate, data: bins.map((b) => b.count) },
      { id: 'cdf', name: 'CDF', type: 'line', xAxisIndex: 1, yAxisIndex: 1, step: 'end', showSymbol: false, color: p.roles.leader, data: cdfSteps(samples) },
    ],
  };
}
