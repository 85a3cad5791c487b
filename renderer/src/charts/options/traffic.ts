/**
 * The message-rate matrix: row = sender, column = receiver, colour = messages per second.
 * Blocked links are marked "blocked" and links with drop/delay rules show the rule, so the
 * matrix is also the map of network faults in force.
 */
import type { CustomSeriesRenderItemAPI, CustomSeriesRenderItemParams, CustomSeriesRenderItemReturn } from 'echarts';
import type { NodeId } from '../../../../src/analysis/ids';
import { BASE_OPTION } from './common';
import type { Palette } from './palette';
import type { ChartOption } from './types';

export interface LinkRuleView {
  from: NodeId;
  to: NodeId;
  drop: number;
  delayMs: number;
}

export interface TrafficInput {
  nodes: readonly NodeId[];
  /** rates[i][j]: messages per second from nodes[i] to nodes[j]. */
  rates: number[][];
  blocked: ReadonlyArray<readonly [NodeId, NodeId]>;
  links: readonly LinkRuleView[];
  palette: Palette;
}

/** Short text for a link rule: "drop 20%", "+50 ms" or both. */
export function linkRuleText(rule: { drop: number; delayMs: number }): string {
  const parts: string[] = [];
  if (rule.drop > 0) parts.push(`drop ${Math.round(rule.drop * 100)}%`);
  if (rule.delayMs > 0) parts.push(`+${rule.delayMs} ms`);
  return parts.join(' ');
}

/**
 * Blocked and degraded links counted the one way the whole app counts them: per pair of
 * nodes, whatever the directions (the graph, the matrix caption and the faults panel agree).
 */
export function linkPairCounts(blocked: ReadonlyArray<readonly [NodeId, NodeId]>, links: readonly LinkRuleView[]): { blocked: number; degraded: number } {
  const key = (a: NodeId, b: NodeId) => `${Math.min(a, b)}-${Math.max(a, b)}`;
  const blockedPairs = new Set(blocked.map(([a, b]) => key(a, b)));
  const degradedPairs = new Set(links.map((l) => key(l.from, l.to)).filter((k) => !blockedPairs.has(k)));
  return { blocked: blockedPairs.size, degraded: degradedPairs.size };
}

export function trafficOption({ nodes, rates, blocked, links, palette: p }: TrafficInput): ChartOption {
  const index = new Map(nodes.map((n, i) => [n, i]));
  const many = nodes.length >= 8;
  const marks: Array<[number, number, string, number]> = [];
  for (const [from, to] of blocked) {
    const i = index.get(from);
    const j = index.get(to);
    if (i !== undefined && j !== undefined) marks.push([j, i, 'blocked', 1]);
  }
  for (const rule of links) {
    const i = index.get(rule.from);
    const j = index.get(rule.to);
    const text = linkRuleText(rule);
    if (i !== undefined && j !== undefined && text) marks.push([j, i, text, 0]);
  }
  // Marked cells show the fault instead of the rate (the tooltip still has the rate).
  const marked = new Set(marks.map(([j, i]) => `${j},${i}`));
  const cells: Array<{ value: [number, number, number]; label?: { show: false } }> = [];
  let max = 1;
  rates.forEach((row, i) => row.forEach((rate, j) => {
    if (i === j) return;
    const r = Math.round(rate * 10) / 10;
    cells.push(marked.has(`${j},${i}`) ? { value: [j, i, r], label: { show: false } } : { value: [j, i, r] });
    max = Math.max(max, r);
  }));
  const renderMark = (_params: CustomSeriesRenderItemParams, api: CustomSeriesRenderItemAPI): CustomSeriesRenderItemReturn => {
    const center = api.coord([api.value(0), api.value(1)]);
    const size = api.size?.([1, 1]) as number[] | undefined;
    const w = (size?.[0] ?? 20) - 4;
    const h = (size?.[1] ?? 20) - 4;
    const isBlock = api.value(3) === 1;
    return {
      type: 'group',
      children: [
        { type: 'rect', shape: { x: center[0] - w / 2, y: center[1] - h / 2, width: w, height: h }, style: { fill: 'transparent', stroke: isBlock ? p.blocked : p.degraded, lineWidth: 2, lineDash: isBlock ? [4, 3] : undefined } },
        // In small cells (many nodes) the outline alone marks the fault; the tooltip names it.
        ...(many ? [] : [{ type: 'text' as const, x: center[0], y: center[1], style: { text: String(api.value(2)), fill: isBlock ? p.blocked : p.degraded, align: 'center' as const, verticalAlign: 'middle' as const, fontSize: 11, fontWeight: 'bold' as const } }]),
      ],
    };
  };
  return {
    ...BASE_OPTION,
    tooltip: {
      confine: true,
      formatter: (item: unknown) => {
        const v = (item as { value: [number, number, number | string] }).value;
        return `Node ${nodes[v[1]]} → Node ${nodes[v[0]]}: ${typeof v[2] === 'number' ? `${v[2]} msg/s` : v[2]}`;
      },
    },
    grid: { left: many ? 44 : 72, right: 16, top: many ? 28 : 16, bottom: 64 },
    // Rows are senders, columns receivers: the arrows say so on every label. From 8 nodes
    // on, "→ Node 12" labels overprint; plain numbers under named axes stay legible at 25.
    xAxis: {
      type: 'category', data: nodes.map((n) => (many ? String(n) : `→ Node ${n}`)), axisLabel: { color: p.text, interval: 0, fontSize: many ? 10 : 12 },
      splitArea: { show: false }, ...(many ? { name: 'to node', nameLocation: 'middle' as const, nameGap: 22, position: 'bottom' as const } : {}),
    },
    yAxis: {
      type: 'category', data: nodes.map((n) => (many ? String(n) : `Node ${n} →`)), inverse: true, axisLabel: { color: p.text, interval: 0, fontSize: many ? 10 : 12 },
      splitArea: { show: false }, ...(many ? { name: 'from node', nameLocation: 'middle' as const, nameGap: 26 } : {}),
    },
    visualMap: {
      seriesIndex: 0,
      min: 0,
      max,
      calculable: false,
      orient: 'horizontal',
      left: 'center',
      bottom: 0,
      itemHeight: 120,
      text: [`${Math.round(max)} msg/s`, '0'],
      textStyle: { color: p.muted },
      inRange: { color: p.heat },
    },
    series: [
      { id: 'rates', name: 'messages per second', type: 'heatmap', data: cells, label: { show: nodes.length <= 7, fontSize: 10 } },
      { id: 'marks', name: 'link faults', type: 'custom', renderItem: renderMark, data: marks, z: 3 },
    ],
  };
}
