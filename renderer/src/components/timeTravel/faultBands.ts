/**
 * Lasting faults as bands on the space-time diagram's lanes (issue 10 part 3: "faults ...
 * marked on the lanes"): the charts' fault periods (RunModel.faults, opened and closed as the
 * lab's FaultController changes its plan) and each node's paused and down spans (the role
 * timeline's lanes), as one list the canvas draws and the page also lists in words.
 */
import { parseFaultKey } from '../../../../src/contract/faultKeys';
import type { HistoryOp, LinearizabilityWitness } from '../../../../src/contract/runEvents';
import type { FaultPeriod } from '../../model/runModel';
import type { Segment } from '../../model/roleTimeline';

export interface FaultBand {
  start: number;
  /** null while it lasts (drawn to the window's end). */
  end: number | null;
  /** Lanes it covers; null for the whole cluster (a partition, flaky links). */
  nodes: number[] | null;
  kind: 'partition' | 'flaky' | 'link' | 'clock' | 'disk' | 'bandwidth' | 'aimed' | 'paused' | 'down';
  label: string;
}

export function faultBands(periods: readonly FaultPeriod[], lanes: ReadonlyMap<number, readonly Segment[]>): FaultBand[] {
  const bands: FaultBand[] = [];
  for (const p of periods) {
    if (p.instant || p.key === null) continue;
    const k = parseFaultKey(p.key);
    if (k === null) continue;
    const nodes = k.kind === 'link' ? [k.a, k.b] : k.kind === 'aimed' ? [k.from, k.to] : k.kind === 'clock' || k.kind === 'disk' || k.kind === 'bandwidth' ? [k.node] : null;
    bands.push({ start: p.start, end: p.end, nodes, kind: k.kind, label: p.description });
  }
  for (const [node, segments] of lanes) {
    for (const s of segments) {
      if (s.state !== 'paused' && s.state !== 'down') continue;
      bands.push({ start: s.start, end: s.end, nodes: [node], kind: s.state, label: `node ${node} ${s.state}` });
    }
  }
  return bands.sort((a, b) => a.start - b.start);
}

/** Bands that overlap [fromMs, toMs]. */
export function bandsInWindow(bands: readonly FaultBand[], fromMs: number, toMs: number): FaultBand[] {
  return bands.filter((b) => b.start <= toMs && (b.end === null || b.end >= fromMs));
}

/** One operation of a linearizability witness, as the timeline draws it (call to return). */
export interface WitnessBar {
  call: number;
  return: number;
  /** The operation no linearization can place (the others were linearized before it). */
  unplaceable: boolean;
  label: string;
}

export function opText(o: HistoryOp): string {
  const args = o.op === 'get' ? `→ ${o.output ?? 'nil'}` : o.op === 'cas' ? `${o.expect ?? 'nil'}→${o.value ?? 'nil'}` : o.op === 'delete' ? '' : (o.value ?? 'nil');
  return `client ${o.client} ${o.op} ${o.key} ${args}`.trim();
}

/** The checker's witness as bars: the linearized tail of the key, then the operation that cannot follow it. */
export function witnessBars(w: LinearizabilityWitness | undefined): WitnessBar[] {
  if (!w) return [];
  return [
    ...w.linearizedTail.map((o) => ({ call: o.call, return: o.return, unplaceable: false, label: opText(o) })),
    { call: w.op.call, return: w.op.return, unplaceable: true, label: `${opText(w.op)} (cannot be ordered)` },
  ];
}
