/**
 * Whether the machine can sustain a cluster at the chosen timeouts, and what to choose
 * instead. Every node is a process with its own timers; on a small machine they queue for
 * the cores, a heartbeat arrives late, a follower's election timer fires, and the cluster
 * churns through terms without any fault (seen on 2 cores: 9 nodes at the default
 * 150-300 ms reached term 5 in 35 s, 25 nodes term 99 in 72 s).
 *
 * A heuristic, calibrated on those figures, not a model: it asks for an election timeout
 * of at least 60 ms per node per core (5 nodes on 2 cores: 150 ms, the default; 9 nodes:
 * 300 ms; 25 nodes: 750 ms) and at least three times the worst event-loop delay measured,
 * the lab's own (p99 over 5 s) or the nodes' (p99 of their loopLagMs in recent metrics),
 * since a timer cannot fire on time in a loop that runs late. Raft needs
 * broadcastTime ≪ electionTimeout (§5.6); the suggested heartbeat is a fifth of the minimum.
 */
import type { ClusterOptions } from '../../../src/contract/clusterOptions';

export interface MachineLoad {
  cores: number;
  /** The lab's loop delay p99 (ms), null when not measured yet. */
  labLagMs: number | null;
  /** The nodes' loop lag p99 (ms) in the run shown, null without metrics. */
  nodeLagMs: number | null;
}

export interface TimeoutAdvice {
  /** Null when the chosen timeouts should hold. */
  warning: string | null;
  suggested: { electionTimeoutMinMs: number; electionTimeoutMaxMs: number; heartbeatMs: number };
  /** What the advice is based on, in words. */
  basis: string;
}

export const MS_PER_NODE_PER_CORE = 60;
const FLOOR_MS = 150;
const LAG_FACTOR = 3;

const up50 = (ms: number) => Math.ceil(ms / 50) * 50;

export function adviseTimeouts(o: Pick<ClusterOptions, 'nodes' | 'electionTimeoutMinMs' | 'heartbeatMs'>, load: MachineLoad): TimeoutAdvice {
  const cores = Math.max(1, load.cores);
  const perCore = o.nodes / cores;
  const lag = Math.max(load.labLagMs ?? 0, load.nodeLagMs ?? 0);
  const min = up50(Math.max(FLOOR_MS, MS_PER_NODE_PER_CORE * perCore, LAG_FACTOR * lag));
  const suggested = { electionTimeoutMinMs: min, electionTimeoutMaxMs: 2 * min, heartbeatMs: Math.max(50, Math.round(min / 5 / 10) * 10) };
  const measured = [
    load.labLagMs !== null ? `the lab's event loop runs up to ${load.labLagMs} ms late (p99)` : null,
    load.nodeLagMs !== null ? `the nodes' loops up to ${load.nodeLagMs} ms (p99, last run)` : null,
  ].filter((s) => s !== null);
  const basis = `${o.nodes} node${o.nodes === 1 ? '' : 's'} on ${cores} core${cores === 1 ? '' : 's'}${measured.length > 0 ? `; ${measured.join(', ')}` : ''}`;
  const tooShort = o.electionTimeoutMinMs < min;
  const slowBeat = o.heartbeatMs * 2 > o.electionTimeoutMinMs;
  let warning: string | null = null;
  if (tooShort) {
    warning = `${basis}: an election timeout of ${o.electionTimeoutMinMs} ms is likely too short here, and the cluster will hold elections without any fault. Suggested: ${min}–${2 * min} ms, heartbeat ${suggested.heartbeatMs} ms.`;
  } else if (slowBeat) {
    warning = `A heartbeat of ${o.heartbeatMs} ms is more than half the election timeout: followers will time out between heartbeats (§5.2). Suggested heartbeat: ${suggested.heartbeatMs} ms.`;
  }
  return { warning, suggested, basis };
}
