/**
 * Swimlanes: one row per node, coloured by what the node was doing (follower,
 * pre-candidate, candidate, leader, paused, down: src/analysis/legend.ts), with fault
 * periods shaded behind.
 */
import type { CustomSeriesRenderItemAPI, CustomSeriesRenderItemParams, CustomSeriesRenderItemReturn } from 'echarts';
import type { NodeId } from '../../../../src/analysis/ids';
import type { FaultPeriod } from '../../model/runModel';
import { LANE_LABELS, LANE_STATES } from '../../../../src/analysis/legend';
import type { Segment } from '../../model/roleTimeline';
import { BASE_OPTION, clip, escapeHtml, faultSeries, gridBox, seconds, timeAxis } from './common';
import type { Palette } from './palette';
import type { ChartOption } from './types';

export interface RoleTimelineInput {
  /**
   * removedAt: when the node left the configuration (ms); its lane shows "removed" from then on.
   * clock: for a node on a remote host, the widest bound of its clock offset (ms) and the host:
   * its times are re-based to the lab's clock within that bound (docs/multi-host.md, "Clocks"),
   * so the lane's label and tooltip carry it; local nodes share the lab's clock and have none.
   */
  lanes: Array<{ node: NodeId; segments: Segment[]; removedAt?: number; clock?: { boundMs: number; host: string } }>;
  faults: readonly FaultPeriod[];
  now: number;
  palette: Palette;
}

/** The state index of "removed", after the lane states: drawn hatched, unlike "down". */
export const REMOVED_STATE = LANE_STATES.length;

/** One data row per segment: [lane, start s, end s, state index, term]; a removal cuts the lane's segments and adds one "removed" row. */
export function roleTimelineData(lanes: RoleTimelineInput['lanes'], now: number): number[][] {
  const rows: number[][] = [];
  lanes.forEach(({ segments, removedAt }, lane) => {
    const cut = removedAt ?? Infinity;
    let term = 0;
    for (const s of segments) {
      if (s.start >= cut) continue;
      term = s.term;
      rows.push([lane, seconds(s.start), seconds(Math.min(s.end ?? now, cut)), LANE_STATES.indexOf(s.state), s.term]);
    }
    if (removedAt !== undefined) rows.push([lane, seconds(removedAt), seconds(Math.max(now, removedAt)), REMOVED_STATE, term]);
  });
  return rows;
}

const stateName = (i: number) => (i === REMOVED_STATE ? 'removed' : LANE_LABELS[LANE_STATES[i]]);

export function roleTimelineOption({ lanes, faults, now, palette: p }: RoleTimelineInput): ChartOption {
  const colors = LANE_STATES.map((s) => p.roles[s]);
  const renderSegment = (params: CustomSeriesRenderItemParams, api: CustomSeriesRenderItemAPI): CustomSeriesRenderItemReturn => {
    const lane = api.value(0);
    const start = api.coord([api.value(1), lane]);
    const end = api.coord([api.value(2), lane]);
    const laneHeight = (api.size?.([0, 1]) as number[] | undefined)?.[1] ?? 20;
    const height = laneHeight * 0.6;
    const shape = clip({ x: start[0], y: start[1] - height / 2, width: Math.max(1, end[0] - start[0]), height }, gridBox(params));
    if (!shape) return null;
    const state = api.value(3) as number;
    if (state === REMOVED_STATE) return { type: 'rect', shape, style: { fill: p.removed, stroke: p.muted, lineWidth: 1, lineDash: [3, 2] } };
    return { type: 'rect', shape, style: { fill: colors[state] } };
  };
  return {
    ...BASE_OPTION,
    grid: { left: lanes.some((l) => l.clock) ? 100 : 70, right: 16, top: 28, bottom: 40 },
    legend: { show: false },
    tooltip: { trigger: 'item', confine: true },
    xAxis: timeAxis(now, p),
    yAxis: {
      type: 'category',
      inverse: true,
      data: lanes.map((l) => (l.clock ? `Node ${l.node} ±${l.clock.boundMs.toFixed(1)}` : `Node ${l.node}`)),
      axisLabel: { color: p.text },
      axisTick: { show: false },
    },
    dataZoom: [{ type: 'inside', xAxisIndex: 0, filterMode: 'none' }],
    series: [
      faultSeries(faults, now, p, 0, true),
      {
        id: 'roles',
        name: 'roles',
        type: 'custom',
        z: 2,
        encode: { x: [1, 2], y: 0 },
        renderItem: renderSegment,
        tooltip: {
          formatter: (item: unknown) => {
            const [lane, start, end, state, term] = (item as { value: number[] }).value;
            const clock = lanes[lane]?.clock;
            const within = clock ? `<br/>times ± ${clock.boundMs.toFixed(2)} ms: this node's clock (${escapeHtml(clock.host)}) is re-based to the lab's` : '';
            return `Node ${lanes[lane]?.node}: ${stateName(state)}${state === REMOVED_STATE ? '' : `, term ${term}`}<br/>${start} s – ${end} s${within}`;
          },
        },
        data: roleTimelineData(lanes, now),
      },
    ],
  };
}
