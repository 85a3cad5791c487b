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
  /**
   * Shading of lasting faults (partitions, link, clock and disk faults: a pale, translucent
   * red band) and marks of instant ones (kill, pause, ...: near-black or near-white dashed
   * lines), from src/analysis/legend.ts, so no fault mark can be taken for a node's series
   * (kill marks used to share node 2's red).
   */
  fault: string;
  faultInstant: string;
  /** A node removed from the configuration: hatched, unlike "down" (which may come back). */
  removed: string;
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
    removed: dark ? '#3a414b' : '#d4d8de',
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

/**
 * The line style that, with the colour, tells nodes apart beyond ten: nodes 1-10 solid,
 * 11-20 dashed, 21-25 dotted (ten colours repeat; colour and dash together do not).
 */
export function nodeDash(node: NodeId): 'solid' | 'dashed' | 'dotted' {
  const round = Math.floor((node - 1) / 10);
  return round === 0 ? 'solid' : round === 1 ? 'dashed' : 'dotted';
}

/** SVG stroke-dasharray for nodeDash, for the HTML legend. */
export function dashArray(dash: 'solid' | 'dashed' | 'dotted'): string | undefined {
  return dash === 'dashed' ? '5 3' : dash === 'dotted' ? '1.5 2.5' : undefined;
}
