/**
 * Throughput of the pure Raft core: a 3-node cluster in one process with no I/O (messages
 * delivered from an in-memory queue at once, persistence acknowledged at once, no faults),
 * measuring entries committed on the leader per second for
 *   (a) unbatched proposals: one command per propose input, many proposals in flight;
 *   (b) batched proposals: BATCH commands per propose input.
 * Each mode warms up first, then runs for a fixed wall-clock time.
 *
 * Run alone: `node scripts/run-ts.mjs test/bench/core.ts` (add --cpu-prof to node for a profile).
 */
import { RaftNode } from '../../src/raft';
import { carryOutNow, type OutputSink } from '../../src/raft/execute';
import type { Entry, Input, Message, NodeId, RaftConfig, Result } from '../../src/raft/types';

export interface CoreBenchOptions {
  /** Measured time per mode (default 2500 ms). */
  durationMs?: number;
  /** Warm-up time per mode (default 800 ms). */
  warmupMs?: number;
  /** Commands per propose input in batched mode (default 128). */
  batchSize?: number;
  /** Propose inputs issued before draining the network (default 256). */
  inFlight?: number;
  /** Snapshot threshold of the nodes, keeping the log bounded (default 20000; 0 = never). */
  snapshotEvery?: number;
  /** Command size in bytes (default 16). */
  commandBytes?: number;
}

export interface CoreBenchResult {
  /** Entries committed on the leader per second with BATCH commands per proposal. */
  batchedEntriesPerSec: number;
  /** Entries committed on the leader per second with one command per proposal. */
  unbatchedEntriesPerSec: number;
  batchSize: number;
  inFlight: number;
  commandBytes: number;
  /** Per mode: entries committed on the leader, entries applied by the two followers (they
   * learn the last commits a round later), wall time, core steps, messages delivered. */
  batched: ModeFigures;
  unbatched: ModeFigures;
}

export interface ModeFigures {
  entries: number;
  followerApplied: number;
  ms: number;
  /** CPU time this process used meanwhile: on a shared machine, wall time overstates cost. */
  cpuMs: number;
  /** Entries per CPU second (what the rate would be with a core to itself). */
  entriesPerCpuSec: number;
  coreSteps: number;
  messages: number;
}

const VOTERS: NodeId[] = [1, 2, 3];
const EMPTY = new Uint8Array(0);

function config(id: NodeId, snapshotEvery: number): RaftConfig {
  return {
    id,
    initialVoters: VOTERS,
    electionTicksMin: 10,
    electionTicksMax: 20,
    heartbeatTicks: 1,
    preVote: false,
    checkQuorum: false,
    maxEntriesPerMsg: 256,
    maxBytesPerMsg: 1 << 20,
    maxInflight: 256,
    // Snapshots keep the log (and the heap) bounded, as in a long-running node.
    snapshotThreshold: snapshotEvery,
    seed: id,
  };
}

/**
 * Three cores wired by an in-memory FIFO; persistence is acknowledged at once. Outputs are
 * carried out by the core's executor (src/raft/execute.ts) like every other driver's, so the
 * figures include its cost; the cluster itself is the sink (writes are no-ops in memory).
 */
class BenchCluster implements OutputSink {
  readonly nodes = new Map<NodeId, RaftNode>();
  /** FIFO with a head index (Array.shift is O(n)). */
  private queue: Message[] = [];
  private head = 0;
  private nextId = 1;
  committedOnLeader = 0;
  appliedOnFollowers = 0;
  coreSteps = 0;
  messages = 0;
  snapshots = 0;
  leader: NodeId = 0;
  /** The node whose outputs are being carried out, and the inputs the host owes it. */
  private current: NodeId = 0;
  private pending: Input[] = [];

  constructor(snapshotEvery: number) {
    for (const id of VOTERS) this.nodes.set(id, new RaftNode(config(id, snapshotEvery)));
  }

  /** Steps a node, then feeds back what the host owes it (acks, snapshots) in order. */
  step(id: NodeId, input: Input): void {
    const node = this.nodes.get(id)!;
    const pending: Input[] = [input];
    this.pending = pending;
    this.current = id;
    for (let k = 0; k < pending.length; k++) {
      const out = node.step(pending[k]);
      this.coreSteps++;
      carryOutNow(out, this);
    }
  }

  // The sink: persistence is nothing to do in memory; acknowledge at once.
  saveSnapshot(): void {}
  truncateLog(): void {}
  appendEntries(): void {}
  saveHardState(): void {}
  sync(): void {}
  restoreStateMachine(): void {}
  acknowledge(index: number, term: number): void {
    this.pending.push({ type: 'persisted', index, term });
  }
  send(message: Message): void {
    this.queue.push(message);
  }
  apply(entries: readonly Entry[]): void {
    let commands = 0;
    for (let i = 0; i < entries.length; i++) if (entries[i].kind === 'command') commands++;
    if (this.current === this.leader) this.committedOnLeader += commands;
    else this.appliedOnFollowers += commands;
  }
  result(r: Result): void {
    if (r.type === 'error') throw new Error(`benchmark proposal failed: ${JSON.stringify(r.error)}`);
  }
  saveTakenSnapshot(): void {}
  compactLog(): void {}
  takeSnapshot(index: number): void {
    this.pending.push({ type: 'snapshotTaken', index, data: EMPTY });
    this.snapshots++;
  }
  event(): void {}

  /** Delivers until no message is pending. */
  drain(): void {
    while (this.head < this.queue.length) {
      const m = this.queue[this.head++];
      this.messages++;
      this.step(m.to, { type: 'message', message: m });
      if (this.head > 65536 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
    }
    this.queue.length = 0;
    this.head = 0;
  }

  elect(): void {
    for (let i = 0; i < 1000 && this.leader === 0; i++) {
      this.step(1, { type: 'tick' });
      this.drain();
      if (this.nodes.get(1)!.status().role === 'leader') this.leader = 1;
    }
    if (this.leader === 0) throw new Error('benchmark cluster elected no leader');
  }

  propose(commands: Uint8Array[]): void {
    this.step(this.leader, { type: 'propose', id: this.nextId++, commands });
  }
}

function runMode(commandsPerProposal: number, inFlight: number, command: Uint8Array, warmupMs: number, durationMs: number, snapshotEvery: number) {
  const cluster = new BenchCluster(snapshotEvery);
  cluster.elect();
  const batch = Array.from({ length: commandsPerProposal }, () => command);
  const round = () => {
    for (let i = 0; i < inFlight; i++) cluster.propose(batch);
    cluster.drain();
  };
  const warmEnd = performance.now() + warmupMs;
  while (performance.now() < warmEnd) round();
  const entries0 = cluster.committedOnLeader;
  const followers0 = cluster.appliedOnFollowers;
  const steps0 = cluster.coreSteps;
  const messages0 = cluster.messages;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  let now = start;
  while (now - start < durationMs) {
    round();
    now = performance.now();
  }
  const entries = cluster.committedOnLeader - entries0;
  const ms = now - start;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const figures: ModeFigures = {
    entries,
    followerApplied: cluster.appliedOnFollowers - followers0,
    ms: Math.round(ms),
    cpuMs: Math.round(cpuMs),
    entriesPerCpuSec: Math.round((entries / cpuMs) * 1000),
    coreSteps: cluster.coreSteps - steps0,
    messages: cluster.messages - messages0,
  };
  return { figures, perSec: (entries / ms) * 1000 };
}

/** Measures the core's commit throughput, unbatched then batched. */
export async function benchCore(options: CoreBenchOptions = {}): Promise<CoreBenchResult> {
  const durationMs = options.durationMs ?? 2500;
  const warmupMs = options.warmupMs ?? 800;
  const batchSize = options.batchSize ?? 128;
  const inFlight = options.inFlight ?? 256;
  const commandBytes = options.commandBytes ?? 16;
  const snapshotEvery = options.snapshotEvery ?? 20_000;
  const command = new Uint8Array(commandBytes).fill(7);
  const unbatched = runMode(1, inFlight, command, warmupMs, durationMs, snapshotEvery);
  // Let the event loop breathe between modes (timers, stdout).
  await new Promise((resolve) => setImmediate(resolve));
  const batched = runMode(batchSize, Math.max(1, Math.floor(inFlight / 8)), command, warmupMs, durationMs, snapshotEvery);
  return {
    batchedEntriesPerSec: Math.round(batched.perSec),
    unbatchedEntriesPerSec: Math.round(unbatched.perSec),
    batchSize,
    inFlight,
    commandBytes,
    batched: batched.figures,
    unbatched: unbatched.figures,
  };
}

if (process.argv[1]?.replace(/\\/g, '/').endsWith('test/bench/core.ts')) {
  const result = await benchCore();
  console.log(JSON.stringify(result, null, 2));
  console.log(
    `core: ${result.batchedEntriesPerSec.toLocaleString('en')} entries/s batched (x${result.batchSize}), ${result.unbatchedEntriesPerSec.toLocaleString('en')} entries/s unbatched ` +
      `(per CPU second: ${result.batched.entriesPerCpuSec.toLocaleString('en')} and ${result.unbatched.entriesPerCpuSec.toLocaleString('en')})`,
  );
}
