/**
 * Figure 16's election trials (§9.3) on real node processes: one cluster per timeout range,
 * and in it, trial after trial,
 * 1. wait until every node follows one leader in one term (the node restarted by the last
 *    trial included);
 * 2. wait U[0, heartbeat) ms, so the kill falls uniformly within the leader's heartbeat
 *    interval (the lab does not see heartbeats, but a uniform wait makes the phase uniform
 *    whatever the moment the wait began), as the paper crashed its leaders;
 * 3. SIGKILL the leader, note the time, and wait for another node to report itself leader in
 *    a higher term: the sample is that report's time (the node's own clock; one monotonic
 *    clock for every process, docs/platform-facts.md) minus the kill's;
 * 4. restart the killed node without waiting, and go on.
 * The simulator runs the same loop on virtual time (src/sim/electionTrials.ts).
 *
 * Each range is a recorded run (events.jsonl, summary.json) in its own run directory, so
 * `raftlab check` and `raftlab compare` work on it like on any run.
 */
import { join } from 'node:path';
import { clusterTimingFor, type TimeoutRange, type TrialVariant } from '../../analysis/figure16';
import { effectiveTimeoutRange, withDefaults, type ClusterOptions } from '../../contract/clusterOptions';
import type { RunEvent } from '../../contract/runEvents';
import type { NodeId } from '../../raft/types';
import { SeededRng } from '../../raft/rng';
import { Cluster } from '../cluster';
import { defaultNodeScript } from '../lab';

export interface RealTrialOptions {
  range: TimeoutRange;
  trials: number;
  nodes: number;
  tickMs: number;
  networkDelay: { delayMs: number; jitterMs: number };
  seed: number;
  /** Where this range's run directory is made. */
  runsDir: string;
  /** Give a trial up (counted unresolved) after this long without a new leader; default 30 s. */
  maxTrialMs?: number;
  /** Give up waiting for the cluster to settle after this long; default 30 s. */
  maxSettleMs?: number;
  /** Called after every trial with the samples so far. */
  onProgress?: (done: number, samples: readonly number[]) => void;
  signal?: AbortSignal;
  nodeScript?: string;
}

export interface RealTrialResult {
  variant: TrialVariant;
  runDir: string;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The cluster options of one range's run: the paper's setting (basic Raft: no PreVote, no CheckQuorum). */
export function trialClusterOptions(o: Pick<RealTrialOptions, 'range' | 'nodes' | 'tickMs' | 'networkDelay' | 'seed'>): ClusterOptions {
  return withDefaults({
    nodes: o.nodes,
    ...clusterTimingFor(o.range),
    tickMs: o.tickMs,
    networkDelay: { ...o.networkDelay },
    preVote: false,
    checkQuorum: false,
    seed: o.seed,
    workload: { clients: 0 },
  });
}

/** Runs one range's trials on a fresh cluster of real processes. */
export async function runRealElectionTrials(o: RealTrialOptions): Promise<RealTrialResult> {
  const started = performance.now();
  const options = trialClusterOptions(o);
  const rng = new SeededRng(o.seed ^ 0xf16);
  const maxTrialMs = o.maxTrialMs ?? 30_000;
  const maxSettleMs = o.maxSettleMs ?? 30_000;
  const slug = o.range.label.replace(/[^0-9]+/g, '-');
  const runId = `${new Date().toISOString().replace(/[:.]/g, '-')}-fig16-${slug}-s${o.seed}`;
  const runDir = join(o.runsDir, runId);
  /** Leader reports since the current kill: (node, term, t). */
  let leaderReports: Array<{ node: NodeId; term: number; t: number }> = [];
  let wake: (() => void) | null = null;
  const onEvent = (ev: RunEvent) => {
    if (ev.type === 'role' && ev.role === 'leader' && ev.node !== null) {
      leaderReports.push({ node: ev.node, term: ev.term, t: ev.t });
      wake?.();
    }
  };
  const cluster = await Cluster.start(options, {
    runDir,
    runId,
    nodeScript: o.nodeScript ?? defaultNodeScript(),
    execPath: process.execPath,
    onEvent,
  });
  const samples: number[] = [];
  let unresolved = 0;
  try {
    for (let trial = 0; trial < o.trials; trial++) {
      if (o.signal?.aborted) break;
      const leader = await settle(cluster, maxSettleMs, options.heartbeatMs);
      await sleep(rng.nextFloat() * options.heartbeatMs);
      const term = cluster.nodes().find((n) => n.id === leader)?.term ?? 0;
      leaderReports = [];
      const killedAt = cluster.now();
      await cluster.kill(leader);
      const elected = await waitForNewLeader(leader, term, killedAt + maxTrialMs, cluster, () => leaderReports, (w) => (wake = w));
      wake = null;
      if (elected) samples.push(Math.round((elected.t - killedAt) * 1000) / 1000);
      else unresolved++;
      await cluster.restart(leader);
      o.onProgress?.(trial + 1, samples);
    }
  } finally {
    await cluster.stop({ linearizabilityBudgetMs: 1000 });
  }
  return {
    runDir,
    variant: {
      label: o.range.label,
      electionTimeoutMinMs: options.electionTimeoutMinMs,
      electionTimeoutMaxMs: options.electionTimeoutMaxMs,
      heartbeatMs: options.heartbeatMs,
      tickMs: o.tickMs,
      timeoutRandomness: effectiveTimeoutRange(options).text,
      samples,
      unresolved,
      wallMs: Math.round(performance.now() - started),
    },
  };
}

/** Waits until every running node reports the same leader and term; returns the leader. */
async function settle(cluster: Cluster, maxMs: number, heartbeatMs: number): Promise<NodeId> {
  const deadline = performance.now() + maxMs;
  for (;;) {
    const views = cluster.nodes().filter((n) => n.voter);
    const leaders = views.filter((n) => n.role === 'leader');
    if (leaders.length === 1 && views.every((n) => cluster.isAlive(n.id))) {
      const l = leaders[0];
      if (views.every((n) => n.term === l.term && (n.id === l.id || (n.role === 'follower' && n.leader === l.id)))) return l.id;
    }
    if (performance.now() > deadline) {
      const state = views.map((n) => `${n.id}:${n.role}/t${n.term}/leader ${n.leader ?? '-'}`).join(', ');
      throw new Error(`the cluster did not settle on one leader within ${maxMs} ms (${state})`);
    }
    await sleep(Math.max(2, Math.min(20, heartbeatMs)));
  }
}

/** The first leader report after the kill from another node in a higher term, or null at the deadline. */
async function waitForNewLeader(
  killed: NodeId,
  oldTerm: number,
  deadline: number,
  cluster: Cluster,
  reports: () => ReadonlyArray<{ node: NodeId; term: number; t: number }>,
  setWake: (wake: () => void) => void,
): Promise<{ node: NodeId; term: number; t: number } | null> {
  for (;;) {
    const found = reports().find((r) => r.node !== killed && r.term > oldTerm);
    if (found) return found;
    const left = deadline - cluster.now();
    if (left <= 0) return null;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.min(left, 1000));
      setWake(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
