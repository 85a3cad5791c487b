/**
 * Figure 16's election trials (§9.3) in the simulator, on virtual time in milliseconds: the
 * real core (SimCluster) with the same delay model as the real-process runs, so that a
 * simulated curve beside a real one shows what the machine adds.
 *
 * The model, one line per part of the real setup it stands for:
 * - Timers: each node ticks every `tickMs` with its own phase, drawn anew at every (re)start,
 *   as each process's interval timer starts at its own moment (src/node/runtime.ts startClock).
 * - Network: every peer message takes `delayMs + U[0, jitterMs)` plus loopback's own
 *   `localLatencyMs`, as the emulated network delay at the node's transport
 *   (docs/network-emulation.md) does on top of ZeroMQ.
 * - Disk: a write is durable at once (fdatasync here costs about 0.2 ms,
 *   docs/platform-facts.md), and processes take no CPU time: no event-loop lag.
 * - Trials: the same loop as src/lab/experiments/electionTrials.ts. Wait until every node
 *   follows one leader, wait U[0, heartbeat) so the kill falls uniformly within the leader's
 *   heartbeat interval (as in the paper), crash the leader, measure until another node wins
 *   an election, restart the crashed node at once, repeat.
 */
import { clusterTimingFor, type TimeoutRange, type TrialVariant } from '../analysis/figure16';
import { effectiveTimeoutRange } from '../contract/clusterOptions';
import type { Message, NodeId, RaftConfig } from '../raft/types';
import { SimCluster } from './cluster';
import { deriveSeed, SeededRng } from './rng';
import { SafetyChecker } from './safetyChecker';
import { TraceRecorder } from './trace';
import { ViolationError } from './violations';

export interface SimTrialOptions {
  nodes: number;
  range: TimeoutRange;
  trials: number;
  tickMs: number;
  networkDelay: { delayMs: number; jitterMs: number };
  seed: number;
  /** Loopback's own one-way latency under the emulated delay (default 0.15 ms: half a ZeroMQ round trip, docs/platform-facts.md). */
  localLatencyMs?: number;
  /**
   * Mean of an exponentially distributed lateness added to every timer tick and every message
   * delivery (default 0: exact timers). Stands for a real process's event-loop lag: the
   * nodes' recorded loopLagMs (docs/experiments/figure16.md) is such noise, and it acts as
   * extra timeout randomness. Lateness does not accumulate: ticks keep their nominal schedule,
   * as the node runtime counts ticks against the monotonic clock.
   */
  timerLagMs?: number;
  /** A trial with no new leader after this long is given up (counted unresolved); default 100 s. */
  maxTrialMs?: number;
  /** Waiting for every node to follow one leader before a trial fails the run after this long; default 1,000 s. */
  maxSettleMs?: number;
  /** Called after every trial. */
  onProgress?: (done: number) => void;
}

type SimEvent = { t: number; seq: number } & ({ kind: 'tick'; node: NodeId; epoch: number; nominal: number } | { kind: 'message'; message: Message });

/** A binary min-heap on (t, seq): the event queue. */
class EventQueue {
  private readonly items: SimEvent[] = [];

  get size(): number {
    return this.items.length;
  }

  push(e: SimEvent): void {
    const a = this.items;
    a.push(e);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(a[i], a[p])) break;
      [a[i], a[p]] = [a[p], a[i]];
      i = p;
    }
  }

  peek(): SimEvent | undefined {
    return this.items[0];
  }

  pop(): SimEvent | undefined {
    const a = this.items;
    if (a.length === 0) return undefined;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && before(a[l], a[m])) m = l;
        if (r < a.length && before(a[r], a[m])) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m], a[i]];
        i = m;
      }
    }
    return top;
  }
}

const before = (x: SimEvent, y: SimEvent): boolean => x.t < y.t || (x.t === y.t && x.seq < y.seq);

/** Runs one range's trials; the result has the trials.json variant shape (src/analysis/figure16.ts). */
export function runSimElectionTrials(o: SimTrialOptions): TrialVariant {
  const started = performance.now();
  const timing = clusterTimingFor(o.range);
  const tickMs = o.tickMs;
  const localLatency = o.localLatencyMs ?? 0.15;
  const maxTrialMs = o.maxTrialMs ?? 100_000;
  const maxSettleMs = o.maxSettleMs ?? 1_000_000;
  const timerLag = o.timerLagMs ?? 0;
  const rng = new SeededRng(deriveSeed(o.seed, 0xf16));
  const queue = new EventQueue();
  /** Exponential lateness of mean timerLagMs (0: none). */
  const lag = (): number => (timerLag > 0 ? -Math.log(1 - rng.next()) * timerLag : 0);
  let seq = 0;
  /** A node's tick events belong to one life; a restart starts a new epoch and the old ticks lapse. */
  const epoch = new Map<NodeId, number>();
  const won: Array<{ node: NodeId; term: number; t: number }> = [];
  const ticks = (ms: number) => Math.max(1, Math.round(ms / tickMs));
  const minTicks = ticks(timing.electionTimeoutMinMs);
  const checker = new SafetyChecker((v) => {
    throw new ViolationError(v);
  });
  const cluster: SimCluster = new SimCluster(
    {
      send: (message) => {
        const delay = o.networkDelay.delayMs + (o.networkDelay.jitterMs > 0 ? rng.next() * o.networkDelay.jitterMs : 0) + localLatency + lag();
        queue.push({ t: cluster.now + delay, seq: seq++, kind: 'message', message });
      },
      onEvent: (node, event) => {
        if (event.type === 'electionWon') won.push({ node, term: event.term, t: cluster.now });
      },
    },
    { checker, trace: new TraceRecorder(false), rng: new SeededRng(deriveSeed(o.seed, 0xac4)), ackDelayMax: 0 },
  );

  const scheduleTicks = (id: NodeId) => {
    const e = (epoch.get(id) ?? 0) + 1;
    epoch.set(id, e);
    const nominal = cluster.now + rng.next() * tickMs;
    queue.push({ t: nominal + lag(), seq: seq++, kind: 'tick', node: id, epoch: e, nominal });
  };
  const voters = Array.from({ length: o.nodes }, (_, i) => i + 1);
  for (const id of voters) {
    const config: RaftConfig = {
      id,
      initialVoters: voters,
      electionTicksMin: minTicks,
      electionTicksMax: Math.max(minTicks + 1, ticks(timing.electionTimeoutMaxMs)),
      heartbeatTicks: Math.min(ticks(timing.heartbeatMs), Math.max(1, Math.floor(minTicks / 2))),
      preVote: false,
      checkQuorum: false,
      maxEntriesPerMsg: 64,
      maxBytesPerMsg: 1 << 20,
      maxInflight: 16,
      snapshotThreshold: 0,
      seed: deriveSeed(o.seed, id),
    };
    cluster.addNode(config);
    scheduleTicks(id);
  }

  /** Processes events up to virtual time `until`, or until `stop` says so. */
  const runUntil = (until: number, stop?: () => boolean): void => {
    for (;;) {
      if (stop?.()) return;
      const next = queue.peek();
      if (!next || next.t > until) {
        cluster.now = Math.max(cluster.now, until);
        return;
      }
      queue.pop();
      cluster.now = next.t;
      if (next.kind === 'tick') {
        if (epoch.get(next.node) !== next.epoch || !cluster.host(next.node).up) continue;
        cluster.tick(next.node);
        const nominal = next.nominal + tickMs;
        queue.push({ t: Math.max(next.t, nominal + lag()), seq: seq++, kind: 'tick', node: next.node, epoch: next.epoch, nominal });
      } else {
        cluster.deliver(next.message);
      }
    }
  };

  /** The leader every up node follows in one term, if there is one. */
  const settledLeader = (): { id: NodeId; term: number } | null => {
    let leader: { id: NodeId; term: number } | null = null;
    for (const id of cluster.upIds()) {
      const s = cluster.status(id)!;
      if (s.role === 'leader') leader = { id, term: s.term };
    }
    if (!leader) return null;
    for (const id of cluster.upIds()) {
      const s = cluster.status(id)!;
      if (s.term !== leader.term || s.leader !== leader.id) return null;
    }
    return leader;
  };

  const samples: number[] = [];
  let unresolved = 0;
  const settleStep = Math.max(1, timing.heartbeatMs);
  for (let trial = 0; trial < o.trials; trial++) {
    // Settle: every node (the one restarted last trial included) follows one leader.
    let leader = settledLeader();
    const settleDeadline = cluster.now + maxSettleMs;
    while (!leader && cluster.now < settleDeadline) {
      runUntil(cluster.now + settleStep);
      leader = settledLeader();
    }
    if (!leader) throw new Error(`simulated trials ${o.range.label}: the cluster did not settle on a leader within ${maxSettleMs} ms`);
    // Uniformly within the heartbeat interval (§9.3: "crashed uniformly randomly within its heartbeat interval").
    runUntil(cluster.now + rng.next() * timing.heartbeatMs);
    leader = settledLeader() ?? leader;
    const killedAt = cluster.now;
    const killed = leader.id;
    const oldTerm = cluster.status(killed)?.term ?? leader.term;
    cluster.crash(killed);
    won.length = 0;
    const newLeader = () => won.some((w) => w.node !== killed && w.term > oldTerm);
    runUntil(killedAt + maxTrialMs, newLeader);
    const w = won.find((x) => x.node !== killed && x.term > oldTerm);
    if (w) samples.push(w.t - killedAt);
    else unresolved++;
    cluster.restart(killed);
    scheduleTicks(killed);
    o.onProgress?.(trial + 1);
  }
  const randomness = effectiveTimeoutRange({ ...timing, tickMs });
  return {
    label: o.range.label,
    ...timing,
    tickMs,
    timeoutRandomness: randomness.text,
    samples: samples.map((s) => Math.round(s * 1000) / 1000),
    unresolved,
    wallMs: Math.round(performance.now() - started),
  };
}
