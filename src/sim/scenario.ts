/**
 * Everything a simulated run varies, drawn from its seed: cluster size, core options, and
 * the fault mix. Printing a scenario tells a reader what a failing seed was exercising.
 */
import { type NetworkFaults } from './network';
import { SeededRng, deriveSeed } from './rng';

export interface Scenario {
  seed: number;
  nodes: number;
  /** Virtual ticks of faults before everything heals and liveness is checked. */
  chaosTicks: number;
  preVote: boolean;
  checkQuorum: boolean;
  electionTicksMin: number;
  electionTicksMax: number;
  heartbeatTicks: number;
  maxEntriesPerMsg: number;
  maxBytesPerMsg: number;
  maxInflight: number;
  /** 0 disables automatic snapshots. */
  snapshotThreshold: number;
  /** 'persisted' acknowledgements lag the write by up to this many ticks. */
  ackDelayMax: number;
  /** The calm network; storms temporarily raise the loss and delay rates. */
  network: NetworkFaults;
  /** Per-tick probabilities of starting a fault or a client operation. */
  partitionRate: number;
  crashRate: number;
  stormRate: number;
  proposalRate: number;
  readRate: number;
  /** Membership changes (add, remove or replace a voter) to run during the chaos, one at a time. */
  membershipChanges: number;
  /** Per-tick probability of pausing a node (a GC pause or SIGSTOP: no ticks, inbound traffic waits). */
  pauseRate: number;
  /** Number of leader transfers to request during the chaos. */
  leaderTransfers: number;
  /** Number of forced snapshots (admin 'snapshot') to request. */
  adminSnapshots: number;
}

export interface ScenarioOverrides {
  nodes?: number;
  chaosTicks?: number;
}

export const DEFAULT_CHAOS_TICKS = 2000;

/** Draws the scenario for a seed (the same seed always draws the same scenario). */
export function drawScenario(seed: number, overrides: ScenarioOverrides = {}): Scenario {
  const rng = new SeededRng(deriveSeed(seed, 0x5ce0));
  const electionTicksMin = rng.range(8, 14);
  const snapshots = rng.chance(0.4);
  return {
    seed,
    nodes: overrides.nodes ?? rng.range(3, 7),
    chaosTicks: overrides.chaosTicks ?? DEFAULT_CHAOS_TICKS,
    preVote: rng.chance(0.5),
    checkQuorum: rng.chance(0.5),
    electionTicksMin,
    electionTicksMax: electionTicksMin * 2,
    heartbeatTicks: rng.range(1, 3),
    maxEntriesPerMsg: rng.pick([1, 4, 64]),
    maxBytesPerMsg: rng.pick([256, 64 * 1024]),
    maxInflight: rng.pick([1, 4, 256]),
    snapshotThreshold: snapshots ? rng.range(3, 30) : 0,
    ackDelayMax: rng.pick([0, 0, 1, 3]),
    network: {
      dropRate: rng.pick([0, 0.01, 0.05, 0.1]),
      duplicateRate: rng.pick([0, 0.01, 0.05]),
      delayRate: rng.pick([0, 0.05, 0.2]),
      maxExtraDelay: rng.range(2, 15),
      maxLatency: rng.range(0, 2),
      reorder: rng.pick(['none', 'some', 'some'] as const),
    },
    partitionRate: rng.pick([0, 0.005, 0.01, 0.02]),
    crashRate: rng.pick([0, 0.003, 0.008, 0.015]),
    stormRate: rng.pick([0, 0.002, 0.005]),
    proposalRate: rng.pick([0.1, 0.3, 0.6]),
    readRate: rng.pick([0, 0.05, 0.2]),
    membershipChanges: rng.chance(0.4) ? rng.range(1, 3) : 0,
    pauseRate: rng.pick([0, 0, 0.003, 0.01]),
    leaderTransfers: rng.chance(0.4) ? rng.range(1, 3) : 0,
    adminSnapshots: rng.chance(0.2) ? rng.range(1, 3) : 0,
  };
}

/** One line per aspect, for verbose output and failure reports. */
export function describeScenario(s: Scenario): string[] {
  const n = s.network;
  return [
    `nodes=${s.nodes} chaosTicks=${s.chaosTicks} preVote=${s.preVote} checkQuorum=${s.checkQuorum}`,
    `election=[${s.electionTicksMin},${s.electionTicksMax}) heartbeat=${s.heartbeatTicks} maxEntries=${s.maxEntriesPerMsg} maxBytes=${s.maxBytesPerMsg} inflight=${s.maxInflight} snapshotThreshold=${s.snapshotThreshold} ackDelay<=${s.ackDelayMax}`,
    `network: drop=${n.dropRate} dup=${n.duplicateRate} delay=${n.delayRate}(+1..${n.maxExtraDelay}) latency=0..${n.maxLatency} reorder=${n.reorder}`,
    `faults: partition=${s.partitionRate}/tick crash=${s.crashRate}/tick storm=${s.stormRate}/tick pause=${s.pauseRate}/tick membershipChanges=${s.membershipChanges} transfers=${s.leaderTransfers} adminSnapshots=${s.adminSnapshots}`,
    `client: propose=${s.proposalRate}/tick read=${s.readRate}/tick`,
  ];
}
