/**
 * The one in-process harness of the Raft core tests: the unit tests drive it directly, and
 * the interaction scripts (interaction/harness.ts) drive it through their commands.
 *
 * Each node runs on the simulator's own host (src/sim: `SimHost` with its durable `SimDisk`
 * and `SimStateMachine`, `HostSink` for the effects), and a step's outputs are carried out
 * by the core's one executor (`carryOutNow`, src/raft/execute.ts), so these tests run the
 * order and the storage the simulator's seeds run. The simulator's `SafetyChecker` watches
 * every effect (Election Safety, Leader Append-Only, Log Matching, Leader Completeness,
 * State Machine Safety: Figure 3 of the paper) and throws on a violation, so every test also
 * checks those properties.
 *
 * What the harness adds is the control a test wants: messages wait in a FIFO queue until a
 * test delivers them (or drops, cuts, rewrites them); storage acknowledgements are fed back
 * right after the step, or held for a slow disk (`deferPersist`); a crash can strike
 * between steps or just before one effect of a coming step (`crash(id, { before })`).
 */
import { RaftNode } from '../../../src/raft';
import { carryOutNow, firstEffectOf, persists, type EffectKind } from '../../../src/raft/execute';
import type { Entry, Input, Message, NodeId, Outputs, PersistedState, RaftConfig, RaftEvent, Result } from '../../../src/raft';
import { SimHost } from '../../../src/sim/cluster';
import type { SimDisk } from '../../../src/sim/disk';
import { HostSink, type SinkContext } from '../../../src/sim/hostSink';
import { SeededRng } from '../../../src/sim/rng';
import { SafetyChecker } from '../../../src/sim/safetyChecker';
import { SimStateMachine } from '../../../src/sim/stateMachine';
import { TraceRecorder } from '../../../src/sim/trace';
import { ViolationError } from '../../../src/sim/violations';

export const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
export const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

export function makeConfig(id: NodeId, voters: NodeId[], overrides: Partial<RaftConfig> = {}): RaftConfig {
  return {
    id,
    initialVoters: voters,
    electionTicksMin: 10,
    electionTicksMax: 20,
    heartbeatTicks: 2,
    preVote: false,
    checkQuorum: false,
    maxEntriesPerMsg: 64,
    maxBytesPerMsg: 1 << 20,
    maxInflight: 8,
    snapshotThreshold: 0,
    seed: 42,
    ...overrides,
  };
}

export interface NetworkOptions {
  /** Answer snapshotWanted at once with the state machine's state. */
  autoSnapshot?: boolean;
  /** Nodes whose storage acknowledgements wait for `ackPersisted` (a slow disk). */
  deferPersist?: NodeId[];
  /** Told of every step, after its outputs were carried out (or up to the crash that ended it). */
  onStep?(node: NodeId, input: Input, outputs: Outputs, crashed: boolean): void;
}

/** An entry for hand-built logs and messages. */
export function ent(index: number, term: number, text = `e${index}`): Entry {
  return { index, term, kind: 'command', data: enc(text) };
}

/** A restarted process draws fresh timeouts: each start of a node gets a seed of its own (as in src/sim/cluster.ts). */
function seedOfStart(seed: number, start: number): number {
  return (seed + start * 0x9e3779b1) >>> 0;
}

export class Network {
  readonly nodes = new Map<NodeId, RaftNode>();
  readonly configs = new Map<NodeId, RaftConfig>();
  readonly events = new Map<NodeId, RaftEvent[]>();
  readonly results = new Map<NodeId, Result[]>();
  /** Every step's outputs per node, in order (for determinism checks). */
  readonly trace: { id: NodeId; out: Outputs }[] = [];
  /** Every message handed to the network (delivered or not), for assertions. */
  readonly sent: Message[] = [];
  readonly checker = new SafetyChecker((v) => {
    throw new ViolationError(v);
  });
  private readonly hosts = new Map<NodeId, SimHost>();
  private readonly sinkContext: SinkContext;
  private steps = 0;
  private queue: Message[] = [];
  private head = 0;
  private readonly down = new Set<NodeId>();
  private readonly cuts = new Set<string>();
  private dropFilter: ((m: Message) => boolean) | null = null;
  private rewrite: ((m: Message) => Message) | null = null;
  /** Crashes armed to strike just before an effect of a coming step. */
  private readonly armed = new Map<NodeId, EffectKind>();
  private requestSeq = 0;

  constructor(
    ids: NodeId[],
    overrides: Partial<RaftConfig> = {},
    readonly options: NetworkOptions = {},
  ) {
    const steps = (): number => this.steps;
    this.sinkContext = {
      get now() {
        return steps();
      },
      checker: this.checker,
      trace: new TraceRecorder(false, 0),
      rng: new SeededRng(1),
      ackDelayMax: 0,
      checkStorageAgreement: true,
      send: (m) => {
        this.sent.push(m);
        this.queue.push(m);
      },
      onResult: (id, r) => this.results.get(id)!.push(r),
      onEvent: (id, ev) => this.events.get(id)!.push(ev),
    };
    for (const id of ids) this.add(makeConfig(id, ids, overrides));
  }

  /**
   * Start a node: fresh, or on a disk holding `persisted` (written as the node's own durable
   * state, so the safety checker knows its log). A node added again keeps its disk.
   */
  add(config: RaftConfig, persisted?: PersistedState): RaftNode {
    let host = this.hosts.get(config.id);
    if (!host) {
      host = new SimHost(config, true);
      host.sink = new HostSink(this.sinkContext, host);
      this.hosts.set(config.id, host);
      this.events.set(config.id, []);
      this.results.set(config.id, []);
    }
    if (persisted) this.writeDisk(host, persisted);
    this.configs.set(config.id, config);
    return this.start(host);
  }

  private writeDisk(host: SimHost, persisted: PersistedState): void {
    const disk = host.disk;
    if (persisted.snapshot) {
      disk.saveSnapshot(persisted.snapshot);
      this.checker.observeSnapshotInstalled(host.id, persisted.snapshot.meta.index, persisted.snapshot.meta.term);
    }
    disk.append(persisted.entries);
    this.checker.observeAppend(host.id, persisted.entries);
    disk.saveHardState(persisted.hardState);
  }

  /** Boots the node from its disk, with a state machine restored from the disk's snapshot. */
  private start(host: SimHost): RaftNode {
    const id = host.id;
    const config = this.configs.get(id)!;
    const sm = new SimStateMachine({ voters: config.initialVoters }, true);
    if (host.disk.snapshot) sm.restore(host.disk.snapshot.data);
    host.stateMachine = sm;
    const node = new RaftNode({ ...config, seed: seedOfStart(config.seed, host.starts) }, host.disk.written ? host.disk.load() : undefined);
    host.starts++;
    host.acks = [];
    host.local = [];
    this.nodes.set(id, node);
    this.down.delete(id);
    this.armed.delete(id);
    this.checker.observeStart(id, sm.applied);
    return node;
  }

  node(id: NodeId): RaftNode {
    const n = this.nodes.get(id);
    if (n === undefined) throw new Error(`no node ${id}`);
    return n;
  }

  /** The node's durable storage (what a restart recovers). */
  disk(id: NodeId): SimDisk {
    return this.host(id).disk;
  }

  /** The node's state machine: applied index, commands as text, configuration. */
  machine(id: NodeId): SimStateMachine {
    return this.host(id).stateMachine;
  }

  private host(id: NodeId): SimHost {
    const h = this.hosts.get(id);
    if (h === undefined) throw new Error(`no node ${id}`);
    return h;
  }

  /** Every node ever added, in id order. */
  ids(): NodeId[] {
    return [...this.hosts.keys()].sort((a, b) => a - b);
  }

  /** Running nodes, in id order. */
  upIds(): NodeId[] {
    return this.ids().filter((id) => !this.down.has(id));
  }

  /**
   * Feed one input and carry out its outputs as a well-behaved caller would; then feed what
   * the host owes the node for them (a snapshot taken, the storage acknowledgements), as the
   * simulator does (src/sim/cluster.ts `step`).
   */
  step(id: NodeId, input: Input): Outputs {
    const host = this.host(id);
    const out = this.stepOnce(host, input);
    this.settle(host);
    return out;
  }

  private settle(host: SimHost): void {
    const deferred = this.options.deferPersist?.includes(host.id) ?? false;
    while (!this.down.has(host.id) && (host.local.length > 0 || (!deferred && host.acks.length > 0))) {
      if (host.local.length > 0) this.stepOnce(host, host.local.shift()!);
      else {
        const ack = host.acks.shift()!;
        this.stepOnce(host, { type: 'persisted', index: ack.index, term: ack.term });
      }
    }
  }

  private stepOnce(host: SimHost, input: Input): Outputs {
    const id = host.id;
    const node = this.node(id);
    this.steps++;
    this.checker.now = this.steps;
    const out = node.step(input);
    this.trace.push({ id, out });
    for (const e of out.events) if (e.type === 'role') this.checker.observeRole(id, e.role, e.term);
    // The sink compares the core's view with the disk at the barrier when it has the status.
    host.sink.status = persists(out) ? node.status() : undefined;
    const effect = this.armed.get(id);
    const stopBefore = effect === undefined ? -1 : firstEffectOf(out, effect);
    carryOutNow(out, host.sink, stopBefore < 0 ? undefined : stopBefore);
    // Without autoSnapshot a snapshotWanted goes unanswered (the host never takes one).
    if (!this.options.autoSnapshot) host.local = host.local.filter((i) => i.type !== 'snapshotTaken');
    const crashed = stopBefore >= 0;
    if (crashed) this.crash(id);
    this.options.onStep?.(id, input, out, crashed);
    return out;
  }

  /** Feed every held storage acknowledgement (see `deferPersist`); the last one's outputs. */
  ackPersisted(id: NodeId): Outputs | null {
    const host = this.host(id);
    let out: Outputs | null = null;
    while (!this.down.has(id) && host.acks.length > 0) {
      const ack = host.acks.shift()!;
      out = this.stepOnce(host, { type: 'persisted', index: ack.index, term: ack.term });
      while (host.local.length > 0 && !this.down.has(id)) this.stepOnce(host, host.local.shift()!);
    }
    return out;
  }

  tick(id: NodeId, times = 1): void {
    for (let i = 0; i < times; i++) if (!this.down.has(id)) this.step(id, { type: 'tick' });
  }

  /** One tick on every live node, then deliver until quiet. */
  tickAll(times = 1): void {
    for (let i = 0; i < times; i++) {
      for (const id of this.ids()) this.tick(id);
      this.deliverAll();
    }
  }

  private blocked(m: Message): boolean {
    if (this.down.has(m.to) || this.down.has(m.from)) return true;
    if (this.cuts.has(`${m.from}>${m.to}`)) return true;
    return this.dropFilter !== null && this.dropFilter(m);
  }

  /** Deliver queued messages (and the ones they cause) until none are left. */
  deliverAll(limit = 1_000_000): number {
    let n = 0;
    while (this.head < this.queue.length) {
      if (++n > limit) throw new Error('message storm: delivery limit reached');
      const m = this.queue[this.head++];
      if (this.blocked(m) || !this.nodes.has(m.to)) continue;
      this.step(m.to, { type: 'message', message: this.rewrite ? this.rewrite(m) : m });
    }
    this.queue = [];
    this.head = 0;
    return n;
  }

  /** Take the queued messages without delivering them (for reordering, duplicating or scripting). */
  takeQueued(): Message[] {
    const q = this.queue.slice(this.head);
    this.queue = [];
    this.head = 0;
    return q;
  }

  /** Deliver one specific message now. */
  deliver(m: Message): void {
    if (!this.blocked(m)) this.step(m.to, { type: 'message', message: this.rewrite ? this.rewrite(m) : m });
  }

  /** Alter messages in transit (e.g. strip entries) until cleared (null). */
  setRewrite(f: ((m: Message) => Message) | null): void {
    this.rewrite = f;
  }

  /** Drop every message matching `f` until cleared (null). */
  setDropFilter(f: ((m: Message) => boolean) | null): void {
    this.dropFilter = f;
  }

  /** Cut both directions between `a` and every node in `others`. */
  cut(a: NodeId, others: NodeId[]): void {
    for (const b of others) {
      this.cuts.add(`${a}>${b}`);
      this.cuts.add(`${b}>${a}`);
    }
  }

  /** Split the cluster into groups that cannot talk to each other. */
  partition(...groups: NodeId[][]): void {
    this.heal();
    for (const g of groups) {
      for (const h of groups) {
        if (g === h) continue;
        for (const a of g) for (const b of h) this.cuts.add(`${a}>${b}`);
      }
    }
  }

  isolate(id: NodeId): void {
    this.cut(
      id,
      this.ids().filter((x) => x !== id),
    );
  }

  heal(): void {
    this.cuts.clear();
  }

  isDown(id: NodeId): boolean {
    return this.down.has(id);
  }

  /**
   * Crash a node: it stops ticking, messages to or from it are lost, and what was not
   * durable (acknowledgements owed, the state machine) is gone. With `before`, the crash is
   * armed instead and strikes in the node's next step that has that effect, just before it
   * (what came before it in the step was carried out: src/raft/execute.ts).
   */
  crash(id: NodeId, plan?: { before: EffectKind }): void {
    const host = this.host(id);
    if (plan) {
      this.armed.set(id, plan.before);
      return;
    }
    if (this.down.has(id)) return;
    this.down.add(id);
    this.armed.delete(id);
    host.acks = [];
    host.local = [];
    this.checker.observeDown(id);
  }

  /** Restart a crashed node from what its disk holds (its state machine restarts from the snapshot). */
  restart(id: NodeId, overrides: Partial<RaftConfig> = {}): RaftNode {
    const host = this.host(id);
    this.configs.set(id, { ...this.configs.get(id)!, ...overrides });
    return this.start(host);
  }

  /** The live leader with the highest term, if any. */
  leader(): NodeId | null {
    let best: NodeId | null = null;
    let bestTerm = -1;
    for (const [id, n] of this.nodes) {
      if (this.down.has(id)) continue;
      const st = n.status();
      if (st.role === 'leader' && st.term > bestTerm) {
        best = id;
        bestTerm = st.term;
      }
    }
    return best;
  }

  /** Tick everyone until `cond` holds; fail after `maxTicks` (no wall-clock waiting). */
  runUntil(cond: () => boolean, maxTicks = 1000, what = 'condition'): void {
    for (let i = 0; i < maxTicks; i++) {
      if (cond()) return;
      this.tickAll();
    }
    if (!cond()) throw new Error(`${what} not reached within ${maxTicks} ticks`);
  }

  /** Let node `id` time out first and win; returns the term it leads. */
  elect(id: NodeId): number {
    const max = this.configs.get(id)!.electionTicksMax * 5;
    for (let i = 0; i < max && this.node(id).status().role !== 'leader'; i++) {
      this.tick(id);
      this.deliverAll();
    }
    this.deliverAll();
    const st = this.node(id).status();
    if (st.role !== 'leader') throw new Error(`node ${id} did not become leader (role ${st.role}, term ${st.term})`);
    return st.term;
  }

  /** Propose commands on `id` and deliver until quiet; returns the 'proposed' or 'error' result. */
  propose(id: NodeId, ...texts: string[]): Result {
    const reqId = this.nextRequestId();
    const out = this.step(id, { type: 'propose', id: reqId, commands: texts.map(enc) });
    this.deliverAll();
    const r = out.results.find((x) => x.id === reqId);
    if (r === undefined) throw new Error('no result for proposal');
    return r;
  }

  nextRequestId(): number {
    return ++this.requestSeq;
  }

  /** The client commands a node's state machine holds, as text, in the order applied. */
  appliedCommands(id: NodeId): string[] {
    return [...(this.machine(id).log ?? [])];
  }

  eventsOf<T extends RaftEvent['type']>(id: NodeId, type: T): Extract<RaftEvent, { type: T }>[] {
    return this.events.get(id)!.filter((e): e is Extract<RaftEvent, { type: T }> => e.type === type);
  }

  clearRecords(): void {
    for (const v of this.events.values()) v.length = 0;
    for (const v of this.results.values()) v.length = 0;
    this.sent.length = 0;
  }
}
