/**
 * Colours shared by charts and components (the CSS in App.vue uses the same values for
 * node cards), one set per colour scheme. Role, node and fault-mark colours come from
 * src/analysis/legend.ts, which report.html uses too, so the app and the report agree.
 * Roles are also always spelled out in words: colour is never the only signal.
 */
import type { NodeId } from '../../../../src/analysis/ids';
import { markColours, nodeColours, roleColours, type ColorScheme, type LaneState } from '../../../../src/analysis/legend';

export type { ColorScheme } from '../../../../src/analysis/legend';

export interface Palette {
  scheme: ColorScheme;
  roles: Record<LaneState, string>;
  /** Shading of lasting faults (partitions, link faults). */
  fault: string;
  /** Marks of instant faults (kill, pause, ...). */
  faultInstant: string;
  blocked: string;
  degraded: string;
  text: string;
  muted: string;
  /** Low and high end of the heatmap scale. */
  heat: [string, string];
  nodes: readonly string[];
}

export function palette(scheme: ColorScheme): Palette {
  const dark = scheme === 'dark';
  return {
    scheme,
    roles: { ...roleColours(scheme) },
    fault: markColours(scheme).fault,
    faultInstant: markColours(scheme).faultInstant,
    blocked: dark ? '#ff6b6b' : '#dc2626',
    degraded: dark ? '#f0b429' : '#c27c0e',
    text: dark ? '#e5e7eb' : '#1f2937',
    muted: dark ? '#9ca3af' : '#6b7280',
    heat: dark ? ['#1e293b', '#38bdf8'] : ['#f1f5f9', '#1d4ed8'],
    nodes: nodeColours(scheme),
  };
}

/** A stable colour per node id, so node 3 has the same colour in every chart. */
export function nodeColor(p: Palette, node: NodeId): string {
  return p.nodes[(node - 1) % p.nodes.length];
}
