/**
 * A remote node's events on the lab's time line (src/lab/cluster/eventPipeline.ts;
 * docs/multi-host.md, "The clock model"): held until its clock offset is estimated, then
 * re-based by it, so a node whose clock runs ahead by a known (injected) offset lands where
 * the lab saw it, within the estimate's bound. A node on the lab's machine is neither held
 * nor shifted.
 */
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../src/contract/runEvents';
import type { TelemetryBatch } from '../../../src/contract/telemetry';
import { estimateFromSample } from '../../../src/analysis/clockOffset';
import { ClusterState } from '../../../src/lab/clusterState';
import { EventPipeline } from '../../../src/lab/cluster/eventPipeline';
import { FaultPlan } from '../../../src/lab/faultPlan';

function pipeline() {
  const state = new ClusterState();
  for (const n of [1, 2]) state.add(n, true);
  const seen: RunEvent[] = [];
  const p = new EventPipeline({ state, onEvent: (ev) => seen.push(ev) });
  p.begin(null);
  return { p, seen };
}

const logAt = (node: number, seq: number, wallMs: number): TelemetryBatch => ({ node, seq, events: [{ t: wallMs, type: 'log', level: 'info', message: `at ${wallMs}` }] });

describe('EventPipeline clock re-basing', () => {
  it('holds a remote node until its estimate, then places its events by the offset', () => {
    const { p, seen } = pipeline();
    const offset = 5_000.25; // node 2's clock is 5 s ahead of the lab's
    const labT = 40; // the lab's run time of the node's event
    p.holdForClock(2);
    p.ingest(logAt(2, 1, p.startWallMs + labT + offset), () => undefined);
    p.ingest(logAt(1, 1, p.startWallMs + labT), () => undefined);
    // Node 1 runs here: on the lab's clock at once. Node 2 waits.
    expect(seen.map((e) => [e.node, e.type])).toEqual([[1, 'log']]);
    // An estimate from one round trip of 0.4 ms with asymmetric legs (0.3 there, 0.1 back).
    const t0 = p.startWallMs + 10;
    const estimate = estimateFromSample({ t0, t1: t0 + 0.3 + offset, t2: t0 + 0.3 + offset, t3: t0 + 0.4 });
    p.setClock(2, 'h2', estimate);
    const clock = seen.find((e) => e.type === 'clock');
    expect(clock).toMatchObject({ node: 2, host: 'h2', samples: 1 });
    const placed = seen.find((e) => e.node === 2 && e.type === 'log')!;
    expect(Math.abs(placed.t - labT)).toBeLessThanOrEqual(estimate.boundMs);
    expect(Math.abs(placed.t - labT)).toBeGreaterThan(0); // the asymmetry shows, within the bound
    // Later batches are re-based at once.
    p.ingest(logAt(2, 2, p.startWallMs + 50 + offset), () => undefined);
    expect(Math.abs(seen.at(-1)!.t - 50)).toBeLessThanOrEqual(estimate.boundMs);
  });

  it('releases held events at the end of the run when no estimate came, saying so', () => {
    const { p, seen } = pipeline();
    p.holdForClock(2);
    p.ingest(logAt(2, 1, p.startWallMs + 7), () => undefined);
    p.finish();
    expect(seen.some((e) => e.type === 'log' && e.node === 2 && e.level === 'warn' && /no clock offset/.test(e.message))).toBe(true);
    expect(seen.find((e) => e.type === 'log' && e.node === 2 && e.level === 'info')?.t).toBeCloseTo(7, 6);
  });
});

describe('FaultPlan with kernel partitions', () => {
  it('sends no in-node block for a pair the hosts kernels drop, and still blocks the rest', () => {
    const plan = new FaultPlan();
    plan.blocked = [[1, 2], [2, 1], [1, 3], [3, 1]];
    plan.kernelBlocked = new Set(['1>2', '2>1']);
    expect(plan.rulesFor(2)).toEqual([]);
    expect(plan.rulesFor(1)).toEqual([{ peer: 3, direction: 'out', block: true }, { peer: 3, direction: 'in', block: true }]);
    plan.clearNetwork();
    expect(plan.kernelBlocked.size).toBe(0);
  });
});
