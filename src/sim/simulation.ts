/**
 * One simulated cluster, wired together: the real core in SimCluster, the faulty network,
 * the client, the safety checker, and the bookkeeping that stops a node once its removal
 * from the configuration has committed (§6: a removed server is shut down).
 */
import type { ClusterConfig, Entry, NodeId, RaftConfig, Status } from '../raft/types';
import { SimCluster } from './cluster';
import { SimClient } from './client';
import { formatConfig, formatMessage } from './format';
import { SimNetwork } from './network';
import { SeededRng, deriveSeed } from './rng';
import { SafetyChecker } from './safetyChecker';
import type { Scenario } from './scenario';
import type { TraceRecorder } from './trace';
import { ViolationError } from './violations';

/** What a run exercised, so a passing seed can be told apart from an idle one. */
export interface SimCounters {
  crashes: number;
  restarts: number;
  pauses: number;
  partitions: number;
  storms: number;
  electionsWon: number;
  transfers: number;
  snapshotsTaken: number;
  snapshotsInstalled: number;
  configsCommitted: number;
  /** Nodes added as learners (thesis §4.2.1), and learners promoted to voters. */
  learnersAdded: number;
  learnersPromoted: number;
}

/**
 * The network's capacity: messages beyond this many in one tick wait for the next tick.
 * Without it, zero-latency traffic could cascade without bound inside one tick (a pipeline
 * of single-entry appends under loss and reordering resends whole windows); with it, such
 * a cascade just takes more virtual time, and a loop that never ends shows up as a
 * liveness failure.
 */
const DELIVERIES_PER_TICK = 20_000;

export class Simulation {
  readonly rng: SeededRng;
  readonly checker: SafetyChecker;
  readonly network: SimNetwork;
  readonly cluster: SimCluster;
  readonly client: SimClient;
  /** The latest configuration known committed (applied somewhere), and its index. */
  committedConfig: ClusterConfig;
  committedConfigIndex = 0;
  readonly counters: SimCounters = {
    crashes: 0,
    restarts: 0,
    pauses: 0,
    partitions: 0,
    storms: 0,
    electionsWon: 0,
    transfers: 0,
    snapshotsTaken: 0,
    snapshotsInstalled: 0,
    configsCommitted: 0,
    learnersAdded: 0,
    learnersPromoted: 0,
  };
  private readonly toStop: NodeId[] = [];

  constructor(
    readonly scenario: Scenario,
    readonly trace: TraceRecorder,
  ) {
    this.rng = new SeededRng(deriveSeed(scenario.seed, 0xfa17));
    this.checker = new SafetyChecker((violation) => {
      throw new ViolationError(violation);
    });
    this.network = new SimNetwork(new SeededRng(deriveSeed(scenario.seed, 0x0e7)), trace);
    this.network.faults = scenario.network;
    this.cluster = new SimCluster(
      {
        send: (message) => this.network.send(message, this.cluster.now),
        onResult: (node, result) => this.client.onResult(node, result),
        onApply: (node, entry) => this.onApply(node, entry),
        onEvent: (_node, event) => {
          if (event.type === 'electionWon') this.counters.electionsWon++;
          else if (event.type === 'snapshotInstalled') this.counters.snapshotsInstalled++;
          else if (event.type === 'compacted') this.counters.snapshotsTaken++;
          else if (event.type === 'transferStarted') this.counters.transfers++;
        },
      },
      {
        checker: this.checker,
        trace,
        rng: new SeededRng(deriveSeed(scenario.seed, 0xac4)),
        ackDelayMax: scenario.ackDelayMax,
      },
    );
    this.client = new SimClient(this.cluster, this.checker, new SeededRng(deriveSeed(scenario.seed, 0xc11e)), trace, scenario.seed);
    const voters = Array.from({ length: scenario.nodes }, (_, i) => i + 1);
    this.committedConfig = { voters };
    for (const id of voters) this.cluster.addNode(this.nodeConfig(id, voters));
  }

  get now(): number {
    return this.cluster.now;
  }

  /** A RaftConfig for a node of this scenario (joining nodes pass initialVoters []). */
  nodeConfig(id: NodeId, initialVoters: NodeId[]): RaftConfig {
    const s = this.scenario;
    return {
      id,
      initialVoters,
      electionTicksMin: s.electionTicksMin,
      electionTicksMax: s.electionTicksMax,
      heartbeatTicks: s.heartbeatTicks,
      preVote: s.preVote,
      checkQuorum: s.checkQuorum,
      maxEntriesPerMsg: s.maxEntriesPerMsg,
      maxBytesPerMsg: s.maxBytesPerMsg,
      maxInflight: s.maxInflight,
      snapshotThreshold: s.snapshotThreshold,
      seed: deriveSeed(s.seed, id),
    };
  }

  /** Adds a brand-new node that will join through a membership change. */
  addJoiningNode(): NodeId {
    const id = Math.max(...this.cluster.ids()) + 1;
    this.cluster.addNode(this.nodeConfig(id, []));
    if (this.trace.enabled) this.trace.record(this.now, `node ${id} created (joining, initialVoters=())`);
    return id;
  }

  /** Advances virtual time by one tick: every running node ticks, then due traffic flows. */
  advance(): void {
    this.cluster.now++;
    const order = this.rng.shuffle(this.cluster.upIds());
    for (const id of order) {
      if (this.isPaused(id)) continue;
      this.cluster.tick(id);
      this.stopRemoved();
    }
    this.deliverDue();
  }

  /** Delivers messages and acknowledgements due now, including ones they cause. */
  deliverDue(): void {
    const now = this.cluster.now;
    let deliveries = 0;
    for (;;) {
      const batch = this.network.takeDue(now);
      if (batch) {
        for (let i = 0; i < batch.length; i++) {
          const message = batch[i];
          if (deliveries >= DELIVERIES_PER_TICK) {
            this.network.redeliver(message, now + 1);
            continue;
          }
          if (!this.network.canReach(message.from, message.to)) {
            this.network.stats.dropped++;
            if (this.trace.enabled) this.trace.record(now, `drop (partition) ${formatMessage(message)}`);
            continue;
          }
          deliveries++;
          this.network.stats.delivered++;
          this.cluster.deliver(message);
          this.stopRemoved();
        }
        if (deliveries >= DELIVERIES_PER_TICK) {
          // Whatever was sent meanwhile for this tick waits too.
          const rest = this.network.takeDue(now);
          if (rest) for (const message of rest) this.network.redeliver(message, now + 1);
          this.network.stats.congested++;
          return;
        }
        continue;
      }
      if (this.cluster.acksDue) {
        this.cluster.deliverDueAcks();
        this.stopRemoved();
        continue;
      }
      return;
    }
  }

  isPaused(id: NodeId): boolean {
    return this.cluster.host(id).pausedUntil >= 0;
  }

  pausedUntil(id: NodeId): number {
    return this.cluster.host(id).pausedUntil;
  }

  pause(id: NodeId, until: number): void {
    this.cluster.pause(id, until);
  }

  /** Ends a pause: what arrived meanwhile is delivered now, in arrival order. */
  resume(id: NodeId): void {
    for (const message of this.cluster.resume(id)) this.network.redeliver(message, this.now);
  }

  /** The leader everyone up should follow: the up leader with the highest term, if any. */
  leader(): { id: NodeId; status: Status } | undefined {
    let best: { id: NodeId; status: Status } | undefined;
    for (const id of this.cluster.upIds()) {
      const status = this.cluster.status(id)!;
      if (status.role === 'leader' && (!best || status.term > best.status.term)) best = { id, status };
    }
    return best;
  }

  private onApply(node: NodeId, entry: Entry): void {
    this.client.onApplied(entry);
    if (entry.kind !== 'config' || !entry.config || entry.index <= this.committedConfigIndex) return;
    const previous = this.committedConfig;
    this.committedConfig = entry.config;
    this.committedConfigIndex = entry.index;
    this.counters.configsCommitted++;
    if (this.trace.enabled) this.trace.record(this.now, `config committed at ${entry.index} (applied by ${node}): ${formatConfig(entry.config)}`);
    if (entry.config.outgoing && entry.config.outgoing.length > 0) return;
    // C_new is committed: servers not in it are shut down (§6). Learners (thesis §4.2.1) stay.
    const members = new Set([...entry.config.voters, ...(entry.config.learners ?? [])]);
    for (const id of [...previous.voters, ...(previous.outgoing ?? []), ...(previous.learners ?? [])]) {
      if (!members.has(id) && this.cluster.has(id) && !this.cluster.host(id).removed) this.toStop.push(id);
    }
  }

  private stopRemoved(): void {
    while (this.toStop.length > 0) {
      const id = this.toStop.shift()!;
      if (!this.cluster.host(id).removed) this.cluster.stop(id);
    }
  }
}
