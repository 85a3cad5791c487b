/**
 * Slow motion in the workload (src/lab/workload.ts, docs/aimed-faults.md): at speed s the
 * open-loop rate is rate × s and an op's timeout is timeoutMs / s, so the workload asks as
 * much per unit of lab time as at 1x.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ClientRequest } from '../../../src/contract/client';
import type { HistoryOp } from '../../../src/contract/runEvents';
import { DEFAULT_CLUSTER_OPTIONS } from '../../../src/contract/clusterOptions';
import { Workload } from '../../../src/lab/workload';

function workload(speed: number) {
  const sent: ClientRequest[] = [];
  const history: HistoryOp[] = [];
  const t0 = Date.now();
  const w = new Workload(
    { send: (_node, requests) => sent.push(...requests), nodes: () => [1] },
    { now: () => Date.now() - t0, record: (op) => history.push(op), random: () => 0.5 },
    { ...DEFAULT_CLUSTER_OPTIONS.workload, clients: 8, rate: 100, mix: { get: 0, put: 1, cas: 0, append: 0 }, timeoutMs: 1000 },
    'c',
  );
  w.setSpeed(speed);
  return { w, sent, history };
}

/** Stops them: stop() waits (on timers) for ops in flight, so the fake clock must run meanwhile. */
async function stopped(...ws: Workload[]): Promise<void> {
  const done = Promise.all(ws.map((w) => w.stop()));
  await vi.advanceTimersByTimeAsync(20_000);
  await done;
}

describe('the workload in slow motion', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('issues rate × speed operations per second', async () => {
    const fast = workload(1);
    const slow = workload(0.1);
    fast.w.start();
    slow.w.start();
    // Nobody answers: each client issues once, so count the first attempt of each op (seq 1 per client).
    await vi.advanceTimersByTimeAsync(60);
    const firsts = (sent: ClientRequest[]) => new Set(sent.map((r) => `${r.client}:${r.seq}`)).size;
    // 100/s for 60 ms: about 6 (capped by 8 clients); 10/s for 60 ms: at most 1.
    expect(firsts(fast.sent)).toBeGreaterThanOrEqual(5);
    expect(firsts(slow.sent)).toBeLessThanOrEqual(1);
    await stopped(fast.w, slow.w);
  });

  it('waits timeoutMs / speed before giving an unanswered op up', async () => {
    const slow = workload(0.1);
    slow.w.start();
    await vi.advanceTimersByTimeAsync(2000);
    expect(slow.history, 'nothing timed out after 2 s: the timeout is 10 s at 0.1x').toEqual([]);
    await vi.advanceTimersByTimeAsync(9000);
    expect(slow.history.length).toBeGreaterThan(0);
    expect(slow.history.every((op) => op.return - op.call >= 10_000 - 10)).toBe(true);
    await stopped(slow.w);
  });
});
