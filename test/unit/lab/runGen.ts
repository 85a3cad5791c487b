/**
 * A synthetic recorded run for exporter tests: 3 nodes, a leader killed and restarted, a
 * partition isolating the next leader and its heal, a paused leader that comes back, a
 * violation, metrics every 100 ms, and a linearizable client history.
 */
import type { HistoryOp, RunEvent } from '../../../src/contract/runEvents';
import { DEFAULT_CLUSTER_OPTIONS } from '../../../src/contract/clusterOptions';
import { linearizableHistory } from './historyGen';

type Loose = Record<string, unknown> & { type: string; t: number; node: number | null };
const ev = (e: Loose): RunEvent => e as unknown as RunEvent;

export interface SyntheticRun {
  events: RunEvent[];
  history: HistoryOp[];
  /** Leaderless intervals planted, in ms. */
  expectedElectionMs: number[];
}

export function syntheticRun(): SyntheticRun {
  const events: RunEvent[] = [];
  const push = (e: Loose) => events.push(ev(e));
  push({ type: 'run', t: 0, node: null, phase: 'started', runId: 'synthetic-1', options: { ...DEFAULT_CLUSTER_OPTIONS, nodes: 3 } });
  for (const n of [1, 2, 3]) push({ type: 'process', t: 10, node: n, state: 'started', pid: 100 + n });
  // Node roles over time: [t, node, role, term]
  const roles: Array<[number, number, string, number]> = [
    [100, 1, 'follower', 0], [100, 2, 'follower', 0], [100, 3, 'follower', 0],
    [400, 1, 'candidate', 1], [420, 1, 'leader', 1], [420, 2, 'follower', 1], [420, 3, 'follower', 1],
    // 2000: node 1 killed; 2300 node 2 wins term 2.
    [2250, 2, 'candidate', 2], [2300, 2, 'leader', 2], [2300, 3, 'follower', 2],
    [3050, 1, 'follower', 2],
    // 4000: node 2 isolated; 4400 node 3 wins term 3; 5000 heal; node 2 steps down.
    [4350, 3, 'candidate', 3], [4400, 3, 'leader', 3], [4400, 1, 'follower', 3], [5010, 2, 'follower', 3],
  ];
  const roleAt = new Map<number, { role: string; term: number }>();
  const down = new Set<number>();
  let ri = 0;
  let commit = 0;
  for (let t = 100; t <= 8000; t += 100) {
    while (ri < roles.length && roles[ri][0] <= t) {
      const [rt, node, role, term] = roles[ri++];
      push({ type: 'role', t: rt, node, role, term, leader: role === 'leader' ? node : null });
      roleAt.set(node, { role, term });
    }
    if (t === 2000) {
      push({ type: 'fault', t: 1999, node: null, action: 'apply', fault: { kind: 'kill', node: 'leader' }, description: 'kill leader (node 1)', nodes: [1] });
      push({ type: 'process', t: 2000, node: 1, state: 'killed', signal: 'SIGKILL' });
      down.add(1);
    }
    if (t === 3000) {
      push({ type: 'fault', t: 3000, node: null, action: 'apply', fault: { kind: 'restart', node: 1 }, description: 'restart node 1', nodes: [1] });
      push({ type: 'process', t: 3001, node: 1, state: 'restarted', pid: 201 });
      down.delete(1);
    }
    if (t === 4000) {
      push({
        type: 'fault', t: 4000, node: null, action: 'apply', fault: { kind: 'partition', preset: 'isolate-leader' },
        description: 'isolate leader (node 2)', nodes: [2], blocked: [[2, 1], [1, 2], [2, 3], [3, 2]],
      });
    }
    if (t === 5000) push({ type: 'fault', t: 5000, node: null, action: 'heal', fault: { kind: 'all' }, description: 'heal all', nodes: [] });
    if (t === 6000) {
      // The leader (node 3) is paused briefly and resumed before anyone times out.
      push({ type: 'fault', t: 6000, node: null, action: 'apply', fault: { kind: 'pause', node: 3 }, description: 'pause node 3', nodes: [3] });
      push({ type: 'process', t: 6000, node: 3, state: 'paused' });
      down.add(3);
    }
    if (t === 6100) {
      push({ type: 'process', t: 6120, node: 3, state: 'resumed' });
      down.delete(3);
    }
    if (t === 7000) push({ type: 'violation', t: 7000, node: 2, property: 'commit-monotonic', message: 'planted, with "quotes", commas, and <html>' });
    commit += 7;
    for (const n of [1, 2, 3]) {
      if (down.has(n)) continue;
      const r = roleAt.get(n) ?? { role: 'follower', term: 0 };
      push({ type: 'commit', t: t + 1, node: n, index: commit });
      push({
        type: 'metrics', t: t + 2, node: n, term: r.term, role: r.role, leader: null, commit, applied: commit, lastIndex: commit,
        snapshotIndex: 0, progress: {}, loopLagMs: 1.5, rssBytes: 50_000_000, electionsStarted: 1, electionsWon: 0, votesGranted: 1,
        heartbeatsSent: 10, heartbeatsReceived: 20, stateChanges: 2, leaderStalenessMs: n === 1 ? null : 12.5, traffic: {},
        fsync: { count: 5, p50Ms: 0.2, p99Ms: 1.1, maxMs: 2 }, rejectedFrames: {}, telemetryDropped: 0,
      });
    }
    if (t % 1000 === 0) push({ type: 'workload', t, node: null, intervalMs: 1000, ok: 100, fail: 1, info: 0, opsPerSec: 100, p50Ms: 2, p99Ms: 9 });
  }
  push({ type: 'run', t: 8100, node: null, phase: 'stopped' });
  const history = linearizableHistory({ ops: 600, keys: 4, clients: 4, seed: 3, infoRate: 0.05, latencyMs: 5 }).map((o) => ({
    ...o,
    call: o.call * 2 + 100,
    return: o.return * 2 + 100,
  }));
  // Kill at 1999 -> leader at 2300; isolate at 4000 -> leader at 4400; pause 6000 -> resume 6120.
  return { events, history, expectedElectionMs: [301, 400, 120] };
}
