/**
 * A tiny in-process network for the Raft core tests: wires several RaftNodes, carries out
 * their outputs with the core's one executor (`carryOutNow`, src/raft/execute.ts) against
 * "storage" in memory, acknowledges persistence right after the step, delivers messages in
 * FIFO order, and lets a test drop or partition traffic. It checks Election Safety and State
 * Machine Safety on every step, so every test also exercises those invariants.
 * (The randomized simulator lives in src/sim; this stays small on purpose.)
 */
import { RaftNode } from '../../../src/raft';
import { carryOutNow, type OutputSink } from '../../../src/raft/execute';
import type {
  Entry,
  HardState,
  Input,
  Message,
  NodeId,
  Outputs,
  PersistedState,
  RaftConfig,
  RaftEvent,
  Result,
  Snapshot,
} from '../../../src/raft';

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

/** What a node's disk holds. */
interface Storage {
  hardState: HardState;
  snapshot?: Snapshot;
  entries: Entry[];
}

/** The toy state machine: the commands applied, in order, as "index:text". */
interface Machine {
  applied: string[];
  lastIndex: number;
}

export interface NetworkOptions {
  /** Answer snapshotWanted at once with the machine's state. */
  autoSnapshot?: boolean;
  /** Nodes whose storage acknowledgements wait for `ackPersisted` (a slow disk). */
  deferPersist?: NodeId[];
}

/** An entry for hand-built logs and messages. */
export function ent(index: number, term: number, text = `e${index}`): Entry {
  return { index, term, kind: 'command', data: enc(text) };
}

export class Network {
  readonly nodes = new Map<NodeId, RaftNode>();
  readonly configs = new Map<NodeId, RaftConfig>();
  readonly storage = new Map<NodeId, Storage>();
  readonly machines = new Map<NodeId, Machine>();
  readonly events = new Map<NodeId, RaftEvent[]>();
  readonly results = new Map<NodeId, Result[]>();
  /** Every step's outputs per node, in order (for determinism checks). */
  readonly trace: { id: NodeId; out: Outputs }[] = [];
  /** Every message handed to the network (delivered or not), for assertions. */
  readonly sent: Message[] = [];
  private queue: Message[] = [];
  private head = 0;
  private readonly down = new Set<NodeId>();
  private readonly cuts = new Set<string>();
  private dropFilter: ((m: Message) => boolean) | null = null;
  /** Election Safety: term -> leader. */
  private readonly leaders = new Map<number, NodeId>();
  /** State Machine Safety: index -> "term:kind:text" of what was applied there. */
  private readonly appliedAt = new Map<number, string>();

  constructor(
    ids: NodeId[],
    overrides: Partial<RaftConfig> = {},
    readonly options: NetworkOptions = {},
  ) {
    for (const id of ids) this.add(makeConfig(id, ids, overrides));
  }

  /** Start a node (fresh, or from `persisted`). */
  add(config: RaftConfig, persisted?: PersistedState): RaftNode {
    const node = new RaftNode(config, persisted);
    this.nodes.set(config.id, node);
    this.configs.set(config.id, config);
    if (!this.storage.has(config.id)) {
      this.storage.set(config.id, { hardState: { term: 0, vote: 0, commit: 0 }, entries: [] });
    }
    if (!this.machines.has(config.id)) this.machines.set(config.id, { applied: [], lastIndex: 0 });
    if (!this.events.has(config.id)) this.events.set(config.id, []);
    if (!this.results.has(config.id)) this.results.set(config.id, []);
    this.down.delete(config.id);
    return node;
  }

  node(id: NodeId): RaftNode {
    const n = this.nodes.get(id);
    if (n === undefined) throw new Error(`no node ${id}`);
    return n;
  }

  /**
   * Feed one input and carry out its outputs as a well-behaved caller would; then feed what
   * the host owes the node for them (the storage acknowledgement, a snapshot taken).
   */
  step(id: NodeId, input: Input): Outputs {
    const out = this.node(id).step(input);
    this.trace.push({ id, out });
    const owed: Input[] = [];
    carryOutNow(out, this.sinkFor(id, owed));
    for (const next of owed) this.step(id, next);
    return out;
  }

  /** How this network carries out each effect for node `id`; inputs it owes go to `owed`. */
  private sinkFor(id: NodeId, owed: Input[]): OutputSink {
    const disk = this.storage.get(id)!;
    const machine = this.machines.get(id)!;
    return {
      saveSnapshot: (snapshot) => {
        disk.snapshot = snapshot;
      },
      truncateLog: (from) => {
        disk.entries = disk.entries.filter((e) => e.index < from);
      },
      appendEntries: (entries) => {
        const first = entries[0].index;
        disk.entries = disk.entries.filter((x) => x.index < first).concat(entries);
      },
      saveHardState: (hardState) => {
        disk.hardState = { ...hardState };
      },
      sync: () => undefined, // every write above was durable at once
      restoreStateMachine: (snapshot) => {
        const state = JSON.parse(dec(snapshot.data)) as Machine;
        machine.applied = state.applied;
        machine.lastIndex = state.lastIndex;
      },
      // As fsync returned, unless this disk is slow (then the test calls ackPersisted).
      acknowledge: (index, term) => {
        if (this.options.deferPersist?.includes(id)) this.pendingAcks.set(id, { index, term });
        else owed.push({ type: 'persisted', index, term });
      },
      send: (m) => {
        this.sent.push(m);
        this.queue.push(m);
      },
      apply: (entries) => {
        for (const e of entries) this.applyEntry(id, machine, e);
      },
      result: (r) => {
        this.results.get(id)!.push(r);
      },
      saveTakenSnapshot: (snapshot) => {
        disk.snapshot = snapshot;
      },
      compactLog: (to) => {
        disk.entries = disk.entries.filter((e) => e.index > to);
      },
      takeSnapshot: () => {
        if (!this.options.autoSnapshot) return;
        const data = enc(JSON.stringify({ applied: machine.applied, lastIndex: machine.lastIndex }));
        owed.push({ type: 'snapshotTaken', index: machine.lastIndex, data });
      },
      event: (ev) => {
        this.events.get(id)!.push(ev);
        if (ev.type === 'role' && ev.role === 'leader') {
          const prev = this.leaders.get(ev.term);
          if (prev !== undefined && prev !== id) {
            throw new Error(`Election Safety violated: ${prev} and ${id} both lead term ${ev.term}`);
          }
          this.leaders.set(ev.term, id);
        }
      },
    };
  }

  /** Applies one committed entry, checking State Machine Safety across the nodes. */
  private applyEntry(id: NodeId, machine: Machine, e: Entry): void {
    if (e.index !== machine.lastIndex + 1) {
      throw new Error(`node ${id} applies ${e.index} after ${machine.lastIndex}`);
    }
    machine.lastIndex = e.index;
    const text = e.kind === 'command' ? dec(e.data) : e.kind;
    machine.applied.push(`${e.index}:${text}`);
    const key = `${e.term}:${e.kind}:${text}`;
    const seen = this.appliedAt.get(e.index);
    if (seen !== undefined && seen !== key) {
      throw new Error(`State Machine Safety violated at ${e.index}: ${seen} vs ${key} (node ${id})`);
    }
    this.appliedAt.set(e.index, key);
  }

  private readonly pendingAcks = new Map<NodeId, { index: number; term: number }>();

  /** Deliver a deferred storage acknowledgement (see `deferPersist`). */
  ackPersisted(id: NodeId): Outputs | null {
    const ack = this.pendingAcks.get(id);
    if (ack === undefined) return null;
    this.pendingAcks.delete(id);
    return this.step(id, { type: 'persisted', ...ack });
  }

  tick(id: NodeId, times = 1): void {
    for (let i = 0; i < times; i++) if (!this.down.has(id)) this.step(id, { type: 'tick' });
  }

  /** One tick on every live node, then deliver until quiet. */
  tickAll(times = 1): void {
    for (let i = 0; i < times; i++) {
      for (const id of this.nodes.keys()) this.tick(id);
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

  /** Take the queued messages without delivering them (for reordering or duplicating). */
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

  private rewrite: ((m: Message) => Message) | null = null;

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
      [...this.nodes.keys()].filter((x) => x !== id),
    );
  }

  heal(): void {
    this.cuts.clear();
  }

  isDown(id: NodeId): boolean {
    return this.down.has(id);
  }

  /** Crash a node: it stops ticking and messages to or from it are lost. */
  crash(id: NodeId): void {
    this.down.add(id);
  }

  /** Restart a crashed node from what its storage holds (its state machine restarts from the snapshot). */
  restart(id: NodeId, overrides: Partial<RaftConfig> = {}): RaftNode {
    const disk = this.storage.get(id)!;
    const config = { ...this.configs.get(id)!, ...overrides };
    const persisted: PersistedState = {
      hardState: { ...disk.hardState },
      snapshot: disk.snapshot,
      entries: [...disk.entries],
    };
    const machine: Machine = disk.snapshot
      ? (JSON.parse(dec(disk.snapshot.data)) as Machine)
      : { applied: [], lastIndex: 0 };
    this.machines.set(id, machine);
    return this.add(config, persisted);
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
    const reqId = ++this.requestSeq;
    const out = this.step(id, { type: 'propose', id: reqId, commands: texts.map(enc) });
    this.deliverAll();
    const r = out.results.find((x) => x.id === reqId);
    if (r === undefined) throw new Error('no result for proposal');
    return r;
  }

  private requestSeq = 0;

  nextRequestId(): number {
    return ++this.requestSeq;
  }

  /** Commands applied by a node, as "index:text" (noops and configs included by kind). */
  applied(id: NodeId): string[] {
    return this.machines.get(id)!.applied;
  }

  /** Only the applied client commands' text. */
  appliedCommands(id: NodeId): string[] {
    return this.applied(id)
      .map((s) => s.slice(s.indexOf(':') + 1))
      .filter((t) => t !== 'noop' && t !== 'config');
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
