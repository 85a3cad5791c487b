/**
 * Hosts RaftNodes of the real core and carries out their Outputs in the documented order
 * (persist, acknowledge, send, apply, then results / snapshots / events), with a simulated
 * durable disk per node. Crashes can strike between steps or part-way through carrying out a
 * step's outputs; a restarted node is rebuilt from its durable disk only.
 *
 * The cluster does not decide when things happen: the simulator (or the interaction-test
 * harness) drives it, and a transport hook decides what happens to sent messages.
 */
import { RaftNode } from '../raft';
import type { Entry, Input, Message, NodeId, Outputs, RaftConfig, RaftEvent, Result, Snapshot, Status } from '../raft/types';
import { SimDisk, StorageContractError } from './disk';
import { formatEntries, formatEvent, formatMessage, formatResult } from './format';
import type { SeededRng } from './rng';
import type { SafetyChecker } from './safetyChecker';
import { SimStateMachine } from './stateMachine';
import type { TraceRecorder } from './trace';
import { ViolationError } from './violations';

/** Where in carrying out a step's outputs a crash strikes. */
export type CrashPoint = 'beforePersist' | 'afterPersist' | 'midSend' | 'afterApply';

export const CRASH_POINTS: readonly CrashPoint[] = ['beforePersist', 'afterPersist', 'midSend', 'afterApply'];

export interface ClusterHooks {
  /** A node sent a message (after its step's persistence, §5.1). */
  send(message: Message): void;
  /** Every step, with what it produced (after it was carried out, or up to the crash). */
  onStep?(node: NodeId, input: Input, outputs: Outputs, crashed: boolean): void;
  onResult?(node: NodeId, result: Result): void;
  onApply?(node: NodeId, entry: Entry, stateMachine: SimStateMachine): void;
  onEvent?(node: NodeId, event: RaftEvent): void;
}

export interface ClusterOptions {
  checker: SafetyChecker;
  trace: TraceRecorder;
  /** Chooses acknowledgement delays and where a mid-send crash strikes. */
  rng: SeededRng;
  /** 'persisted' acknowledgements arrive 0..ackDelayMax ticks after the write (0: at once). */
  ackDelayMax: number;
  /** Keep applied commands as text in each state machine (interaction tests). */
  keepCommands?: boolean;
  /** Compare the core's status with the durable disk after every step. */
  checkStorageAgreement?: boolean;
}

/** Read the core's status at least every this many steps of a node. */
const STATUS_SAMPLE = 8;

interface PendingAck {
  due: number;
  index: number;
  term: number;
}

/** One simulated machine: its disk survives crashes, everything else does not. */
export class SimHost {
  readonly disk = new SimDisk();
  raft: RaftNode | null = null;
  stateMachine: SimStateMachine;
  /** Storage acknowledgements not yet fed back, in order. */
  acks: PendingAck[] = [];
  /** Inputs the host itself owes the node (snapshotTaken), fed after the current step. */
  local: Input[] = [];
  /** Armed crash: strikes during the next step's outputs. */
  crashPoint: CrashPoint | null = null;
  /** Removed from the cluster for good (its removal committed); never restarts. */
  removed = false;
  starts = 0;
  /** Steps since start that neither persisted nor changed role (for status sampling). */
  quietSteps = 0;
  /** Paused (a GC pause, SIGSTOP) until this tick, or -1: no ticks, inbound messages wait. */
  pausedUntil = -1;
  /** Messages that arrived while paused, handed over on resume. */
  held: Message[] = [];

  constructor(
    readonly config: RaftConfig,
    keepCommands: boolean,
  ) {
    this.stateMachine = new SimStateMachine({ voters: config.initialVoters }, keepCommands);
  }

  get id(): NodeId {
    return this.config.id;
  }

  get up(): boolean {
    return this.raft !== null;
  }

  /** Up and not paused: able to take input now. */
  get available(): boolean {
    return this.raft !== null && this.pausedUntil < 0;
  }
}

export class SimCluster {
  /** Virtual time. */
  now = 0;
  /** Core steps taken (every input to every node). */
  steps = 0;
  private readonly hosts = new Map<NodeId, SimHost>();
  private sortedIds: NodeId[] = [];
  private readonly checker: SafetyChecker;
  private readonly trace: TraceRecorder;

  constructor(
    private readonly hooks: ClusterHooks,
    private readonly options: ClusterOptions,
  ) {
    this.checker = options.checker;
    this.trace = options.trace;
  }

  /** Creates a node with an empty disk and starts it. */
  addNode(config: RaftConfig): SimHost {
    if (this.hosts.has(config.id)) throw new Error(`node ${config.id} already exists`);
    const host = new SimHost(config, this.options.keepCommands ?? false);
    this.hosts.set(config.id, host);
    this.sortedIds = [...this.hosts.keys()].sort((a, b) => a - b);
    this.start(host);
    return host;
  }

  host(id: NodeId): SimHost {
    const host = this.hosts.get(id);
    if (!host) throw new Error(`no node ${id}`);
    return host;
  }

  has(id: NodeId): boolean {
    return this.hosts.has(id);
  }

  /** Every node ever added, in id order. */
  ids(): NodeId[] {
    return this.sortedIds.slice();
  }

  /** Running nodes, in id order. */
  upIds(): NodeId[] {
    const up: NodeId[] = [];
    for (const id of this.sortedIds) if (this.hosts.get(id)!.up) up.push(id);
    return up;
  }

  status(id: NodeId): Status | undefined {
    return this.hosts.get(id)?.raft?.status();
  }

  /**
   * Crashes a node. With a crash point, the crash is armed and strikes part-way through the
   * node's next step instead; without one it happens now, between steps.
   */
  crash(id: NodeId, point?: CrashPoint): void {
    const host = this.host(id);
    if (!host.up) return;
    if (point) {
      host.crashPoint = point;
      return;
    }
    this.down(host, 'crash');
  }

  /** Restarts a crashed node from its durable disk. */
  restart(id: NodeId): void {
    const host = this.host(id);
    if (host.up || host.removed) return;
    this.start(host);
  }

  /** Takes a node out for good (after its removal from the configuration committed, §6). */
  stop(id: NodeId): void {
    const host = this.host(id);
    host.removed = true;
    if (host.up) this.down(host, 'stopped (removed from the cluster)');
  }

  tick(id: NodeId): void {
    this.step(id, { type: 'tick' });
  }

  /** Hands a message to its recipient, or drops it if the recipient is down. */
  deliver(message: Message): void {
    const host = this.hosts.get(message.to);
    if (!host || !host.up) {
      if (this.trace.enabled) this.trace.record(this.now, `drop (node down) ${formatMessage(message)}`);
      return;
    }
    if (host.pausedUntil >= 0) {
      host.held.push(message);
      return;
    }
    if (this.trace.enabled) this.trace.record(this.now, `deliver ${formatMessage(message)}`);
    this.step(message.to, { type: 'message', message });
  }

  /** Feeds back every storage acknowledgement that is due by now. */
  deliverDueAcks(): void {
    for (const host of this.hosts.values()) {
      while (host.available && host.acks.length > 0 && host.acks[0].due <= this.now) {
        const ack = host.acks.shift()!;
        this.step(host.id, { type: 'persisted', index: ack.index, term: ack.term });
      }
    }
  }

  /** True when some available node has an acknowledgement due by now. */
  get acksDue(): boolean {
    for (const host of this.hosts.values()) if (host.available && host.acks.length > 0 && host.acks[0].due <= this.now) return true;
    return false;
  }

  /** Pauses a node until `until`: it neither ticks nor receives (messages wait for it). */
  pause(id: NodeId, until: number): void {
    const host = this.host(id);
    if (host.up) host.pausedUntil = until;
  }

  /** Ends a pause; returns the messages that arrived meanwhile, for redelivery. */
  resume(id: NodeId): Message[] {
    const host = this.host(id);
    host.pausedUntil = -1;
    const held = host.held;
    host.held = [];
    return held;
  }

  /**
   * Steps one node and carries out its outputs, then feeds back whatever the host owes it
   * at once (acknowledgements due now, snapshotTaken). Returns undefined if the node is down.
   */
  step(id: NodeId, input: Input): Outputs | undefined {
    const host = this.host(id);
    const outputs = this.stepOnce(host, input);
    while (host.up && (host.local.length > 0 || (host.acks.length > 0 && host.acks[0].due <= this.now))) {
      if (host.local.length > 0) this.stepOnce(host, host.local.shift()!);
      else {
        const ack = host.acks.shift()!;
        this.stepOnce(host, { type: 'persisted', index: ack.index, term: ack.term });
      }
    }
    return outputs;
  }

  private stepOnce(host: SimHost, input: Input): Outputs | undefined {
    const raft = host.raft;
    if (!raft) return undefined;
    this.steps++;
    this.checker.now = this.now;
    let outputs: Outputs;
    try {
      outputs = raft.step(input);
    } catch (error) {
      if (error instanceof ViolationError) throw error;
      const e = error as Error;
      throw new ViolationError({
        property: 'Crash',
        tick: this.now,
        message: `node ${host.id} threw on ${input.type}: ${e.stack ?? e.message}`,
      });
    }
    const crashed = this.carryOut(host, raft, outputs);
    this.hooks.onStep?.(host.id, input, outputs, crashed);
    return outputs;
  }

  /** Carries out one step's outputs in the documented order; returns true if it crashed. */
  private carryOut(host: SimHost, raft: RaftNode, out: Outputs): boolean {
    const id = host.id;
    // Roles first: they describe the node as the step left it, before its writes.
    let roleEvent = false;
    for (const e of out.events) {
      if (e.type === 'role') {
        if (this.trace.enabled) this.trace.record(this.now, `${id} ${formatEvent(e)}`);
        this.checker.observeRole(id, e.role, e.term);
        roleEvent = true;
      }
    }
    // status() allocates; read it whenever this step changed roles or storage, and on every
    // STATUS_SAMPLE-th step otherwise, so a change the outputs failed to report is still seen.
    const persists = out.entries.length > 0 || out.hardState !== undefined || out.truncateFrom !== undefined || out.snapshot !== undefined;
    const status = roleEvent || persists || ++host.quietSteps % STATUS_SAMPLE === 0 ? raft.status() : undefined;
    if (status) this.checker.observeRole(id, status.role, status.term);

    if (host.crashPoint === 'beforePersist') return this.crashNow(host);

    // 1. PERSIST: snapshot, log change, hard state, as one atomic write.
    try {
      if (out.snapshot) this.installSnapshot(host, out.snapshot);
      if (out.truncateFrom !== undefined) {
        this.checker.observeTruncate(id, out.truncateFrom);
        host.disk.truncateFrom(out.truncateFrom);
        if (this.trace.enabled) this.trace.record(this.now, `${id} truncate log from ${out.truncateFrom}`);
      }
      if (out.entries.length > 0) {
        this.checker.observeAppend(id, out.entries);
        host.disk.append(out.entries);
        if (this.trace.enabled) this.trace.record(this.now, `${id} append ${formatEntries(out.entries)}`);
      }
      if (out.hardState) host.disk.saveHardState(out.hardState);
    } catch (error) {
      throw this.contractError(host, error);
    }
    if (status && this.options.checkStorageAgreement !== false) this.checkAgreement(host, status);

    // 2. ACKNOWLEDGE the entries now durable (a leader counts itself only then).
    if (out.entries.length > 0) {
      const last = out.entries[out.entries.length - 1];
      const delay = this.options.ackDelayMax > 0 ? this.options.rng.int(this.options.ackDelayMax + 1) : 0;
      const previousDue = host.acks.length > 0 ? host.acks[host.acks.length - 1].due : 0;
      host.acks.push({ due: Math.max(this.now + delay, previousDue), index: last.index, term: last.term });
    }
    if (host.crashPoint === 'afterPersist') return this.crashNow(host);

    // 3. SEND.
    const sendCount = host.crashPoint === 'midSend' ? this.options.rng.int(out.messages.length + 1) : out.messages.length;
    for (let i = 0; i < sendCount; i++) this.hooks.send(out.messages[i]);
    if (host.crashPoint === 'midSend') return this.crashNow(host);

    // 4. APPLY committed entries in order.
    for (const entry of out.committed) {
      this.checker.observeApply(id, entry);
      host.stateMachine.apply(entry);
      this.hooks.onApply?.(id, entry, host.stateMachine);
    }
    if (this.trace.enabled && out.committed.length > 0) {
      this.trace.record(this.now, `${id} apply ${formatEntries(out.committed)}`);
    }
    if (host.crashPoint === 'afterApply') return this.crashNow(host);

    // 5. Results, snapshots, compaction, events.
    for (const result of out.results) {
      if (this.trace.enabled) this.trace.record(this.now, `${id} ${formatResult(result)}`);
      this.hooks.onResult?.(id, result);
    }
    if (out.snapshotWanted !== undefined) this.takeSnapshot(host, out.snapshotWanted);
    if (out.compactTo !== undefined) {
      try {
        host.disk.compactTo(out.compactTo);
      } catch (error) {
        throw this.contractError(host, error);
      }
      this.checker.observeCompact(id, out.compactTo);
    }
    for (const event of out.events) {
      if (this.trace.enabled && event.type !== 'voteGranted' && event.type !== 'commit' && event.type !== 'role') {
        this.trace.record(this.now, `${id} ${formatEvent(event)}`);
      }
      this.hooks.onEvent?.(id, event);
    }
    return false;
  }

  private installSnapshot(host: SimHost, snapshot: Snapshot): void {
    const { index, term } = snapshot.meta;
    this.checker.observeSnapshotInstalled(host.id, index, term);
    host.disk.saveSnapshot(snapshot);
    host.stateMachine.restore(snapshot.data);
    if (host.stateMachine.applied !== index) {
      throw new StorageContractError(`snapshot ${index}/${term} holds a state machine at index ${host.stateMachine.applied}`);
    }
    if (this.trace.enabled) this.trace.record(this.now, `${host.id} install snapshot ${index}/${term}`);
  }

  /** Answers snapshotWanted: serialize the state machine, store it durably, tell the core. */
  private takeSnapshot(host: SimHost, index: number): void {
    const sm = host.stateMachine;
    if (index !== sm.applied) {
      throw this.contractError(host, new StorageContractError(`snapshotWanted at ${index} but the state machine has applied ${sm.applied}`));
    }
    const term = host.disk.termAt(index);
    if (term === undefined) {
      throw this.contractError(host, new StorageContractError(`snapshotWanted at ${index}, which is not in the durable log`));
    }
    const data = sm.serialize();
    try {
      host.disk.saveLocalSnapshot({ meta: { index, term, config: sm.config }, data });
    } catch (error) {
      throw this.contractError(host, error);
    }
    if (this.trace.enabled) this.trace.record(this.now, `${host.id} snapshot taken at ${index}/${term}`);
    host.local.push({ type: 'snapshotTaken', index, data });
  }

  /** The core's view of its log and vote must be exactly what is durable (§5.1). */
  private checkAgreement(host: SimHost, status: Status): void {
    const disk = host.disk;
    const problems: string[] = [];
    if (status.lastIndex !== disk.lastIndex || status.lastTerm !== disk.lastTerm) {
      problems.push(`status says last entry ${status.lastIndex}/${status.lastTerm}, disk holds ${disk.lastIndex}/${disk.lastTerm}`);
    }
    if (status.term !== disk.hardState.term || status.vote !== disk.hardState.vote) {
      problems.push(`status says term ${status.term} vote ${status.vote}, disk holds term ${disk.hardState.term} vote ${disk.hardState.vote}`);
    }
    if (problems.length > 0) {
      throw new ViolationError({
        property: 'Storage Contract',
        tick: this.now,
        message: `node ${host.id} after its outputs were persisted: ${problems.join('; ')}`,
      });
    }
  }

  private contractError(host: SimHost, error: unknown): Error {
    if (error instanceof ViolationError) return error;
    if (error instanceof StorageContractError || error instanceof Error) {
      return new ViolationError({ property: 'Storage Contract', tick: this.now, message: `node ${host.id}: ${error.message}` });
    }
    return new ViolationError({ property: 'Storage Contract', tick: this.now, message: `node ${host.id}: ${String(error)}` });
  }

  private crashNow(host: SimHost): true {
    this.down(host, `crash (${host.crashPoint ?? 'between steps'})`);
    return true;
  }

  private down(host: SimHost, why: string): void {
    host.raft = null;
    host.acks = [];
    host.local = [];
    host.crashPoint = null;
    host.pausedUntil = -1;
    host.held = [];
    this.checker.observeDown(host.id);
    if (this.trace.enabled) this.trace.record(this.now, `${host.id} DOWN: ${why}`);
  }

  private start(host: SimHost): void {
    const disk = host.disk;
    const sm = new SimStateMachine({ voters: host.config.initialVoters }, this.options.keepCommands ?? false);
    if (disk.snapshot) sm.restore(disk.snapshot.data);
    host.stateMachine = sm;
    const config: RaftConfig = { ...host.config, seed: (host.config.seed + host.starts * 0x9e3779b1) >>> 0 };
    host.starts++;
    try {
      host.raft = new RaftNode(config, disk.written ? disk.load() : undefined);
    } catch (error) {
      const e = error as Error;
      throw new ViolationError({ property: 'Crash', tick: this.now, message: `node ${host.id} failed to start: ${e.stack ?? e.message}` });
    }
    this.checker.observeStart(host.id, sm.applied);
    if (this.trace.enabled) {
      const s = host.raft.status();
      this.trace.record(this.now, `${host.id} UP (start #${host.starts}) term=${s.term} last=${s.lastIndex}/${s.lastTerm} snapshot=${s.snapshotIndex}`);
    }
  }
}
