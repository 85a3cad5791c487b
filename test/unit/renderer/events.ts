/** Builders of run events for renderer tests (the shapes the lab records). */
import type { Role } from '../../../src/raft/types';
import type { ProcessState, RunEvent } from '../../../src/contract/runEvents';

export const run = (t: number, phase: 'started' | 'stopped' = 'started'): RunEvent => ({ type: 'run', phase, t, node: null, runId: 'r1' });

export const role = (t: number, node: number, r: Role, term: number, leader: number | null = r === 'leader' ? node : null): RunEvent =>
  ({ type: 'role', t, node, role: r, term, leader }) as unknown as RunEvent;

export const election = (t: number, node: number, term: number, preVote = false): RunEvent =>
  ({ type: 'election', t, node, phase: 'started', term, preVote }) as unknown as RunEvent;

export const proc = (t: number, node: number, state: ProcessState): RunEvent => ({ type: 'process', t, node, state });

export const fault = (
  t: number, action: 'apply' | 'heal', kind: 'partition' | 'kill' | 'pause' | 'all' = 'partition', description = 'isolate node 1',
  nodes: number[] = [], blocked?: Array<[number, number]>,
): RunEvent => ({ type: 'fault', t, node: null, action, fault: { kind } as never, description, nodes, ...(blocked ? { blocked } : {}) });

/** Both directions of every link between `node` and `others`. */
export const isolating = (node: number, others: number[]): Array<[number, number]> => others.flatMap((o) => [[node, o], [o, node]] as Array<[number, number]>);

export const workload = (t: number, opsPerSec: number, p50Ms: number | null, p99Ms: number | null): RunEvent => ({
  type: 'workload', t, node: null, intervalMs: 200, ok: Math.round(opsPerSec / 5), fail: 0, info: 0, opsPerSec, p50Ms, p99Ms,
});

/** A metrics snapshot; `sent` maps peer id -> cumulative messages sent to it. */
export function metrics(
  t: number, node: number,
  o: { role?: Role; term?: number; commit?: number; applied?: number; lastIndex?: number; sent?: Record<number, number>; progress?: Record<string, { match: number; next: number }> } = {},
): RunEvent {
  const traffic: Record<string, Record<string, { sent: number; received: number; bytesSent: number; bytesReceived: number }>> = {};
  for (const [peer, sent] of Object.entries(o.sent ?? {})) {
    // Split over two message types so the sum is what counts.
    traffic[peer] = {
      append: { sent: Math.floor(sent / 2), received: 0, bytesSent: 0, bytesReceived: 0 },
      heartbeat: { sent: sent - Math.floor(sent / 2), received: 0, bytesSent: 0, bytesReceived: 0 },
    };
  }
  return {
    type: 'metrics', t, node,
    term: o.term ?? 1, role: o.role ?? 'follower', leader: null,
    commit: o.commit ?? 0, applied: o.applied ?? 0, lastIndex: o.lastIndex ?? 0, snapshotIndex: 0,
    progress: o.progress ?? {}, loopLagMs: 0, rssBytes: 0, electionsStarted: 0, electionsWon: 0, votesGranted: 0,
    heartbeatsSent: 0, heartbeatsReceived: 0, stateChanges: 0, leaderStalenessMs: 0, traffic,
    fsync: { count: 0, p50Ms: 0, p99Ms: 0, maxMs: 0 }, rejectedFrames: {}, telemetryDropped: 0,
  } as unknown as RunEvent;
}
