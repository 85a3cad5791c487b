/**
 * Hosts RaftNodes of the real core and carries out their Outputs with the core's one
 * executor (`carryOut` in src/raft/execute.ts, as the node process does), against a
 * simulated durable disk per node whose writes are durable one by one. Crashes strike
 * between steps, or part-way through a step: before any effect of it, including between
 * the writes of one save; a restarted node is rebuilt from its durable disk only.
 *
 * The cluster does not decide when things happen: the simulator (or the interaction-test
 * harness) drives it, and a transport hook decides what happens to sent messages.
 */
import { RaftNode } from '../raft';
import { carryOutNow, effectCount, effectKindAt, type EffectKind, firstEffectOf, persists } from '../raft/execute';
import type { Entry, Input, Message, NodeId, Outputs, RaftConfig, RaftEvent, Result, Status } from '../raft/types';
import { SimDisk } from './disk';
import { formatEvent, formatMessage } from './format';
import { HostSink, type SinkContext } from './hostSink';
import type { SeededRng } from './rng';
import type { SafetyChecker } from './safetyChecker';
import { SimStateMachine } from './stateMachine';
import type { TraceRecorder } from './trace';
import { ViolationError } from './violations';

/**
 * Where an armed crash strikes in the node's next step that has effects of the kind asked:
 * - `anyEffect`: before a random one of its effects;
 * - `inSave`: in the next step that makes two writes or more, between two of them (so a
 *   save is left half done: the state a SIGKILL inside `DiskStorage.save()` leaves);
 * - `before`: before the first effect of the given kind (interaction scripts).
 */
export type CrashPlan = { at: 'anyEffect' } | { at: 'inSave' } | { at: 'before'; effect: EffectKind };

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
  /** Chooses acknowledgement delays and where an armed crash strikes. */
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

export interface PendingAck {
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
  /** Armed crash: strikes part-way through a coming step (see CrashPlan). */
  crashPlan: CrashPlan | null = null;
  /** Carries out this host's effects (set when the cluster adds the host). */
  sink!: HostSink;
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
  /** Where crashes struck: "before <effect kind>" (or "between steps") -> count. */
  readonly crashPoints: Record<string, number> = {};
  private readonly checker: SafetyChecker;
  private readonly trace: TraceRecorder;
  private readonly sinkContext: SinkContext;

  constructor(
    private readonly hooks: ClusterHooks,
    private readonly options: ClusterOptions,
  ) {
    this.checker = options.checker;
    this.trace = options.trace;
    const now = (): number => this.now;
    this.sinkContext = {
      get now() {
        return now();
      },
      checker: options.checker,
      trace: options.trace,
      rng: options.rng,
      ackDelayMax: options.ackDelayMax,
      checkStorageAgreement: options.checkStorageAgreement !== false,
      send: (message) => hooks.send(message),
      onResult: hooks.onResult?.bind(hooks),
      onApply: hooks.onApply?.bind(hooks),
      onEvent: hooks.onEvent?.bind(hooks),
    };
  }

  /** Creates a node with an empty disk and starts it. */
  addNode(config: RaftConfig): SimHost {
    if (this.hosts.has(config.id)) throw new Error(`node ${config.id} already exists`);
    const host = new SimHost(config, this.options.keepCommands ?? false);
    host.sink = new HostSink(this.sinkContext, host);
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
   * Crashes a node. With a plan, the crash is armed and strikes part-way through a coming
   * step instead (see CrashPlan); without one it happens now, between steps.
   */
  crash(id: NodeId, plan?: CrashPlan): void {
    const host = this.host(id);
    if (!host.up) return;
    if (plan) {
      host.crashPlan = plan;
      return;
    }
    this.countCrash('between steps');
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

  /** Carries out one step's outputs with the core's executor; returns true if it crashed. */
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
    const status = roleEvent || persists(out) || ++host.quietSteps % STATUS_SAMPLE === 0 ? raft.status() : undefined;
    if (status) this.checker.observeRole(id, status.role, status.term);
    host.sink.status = status;

    const stopBefore = host.crashPlan ? this.crashPoint(host.crashPlan, out) : -1;
    if (stopBefore < 0) {
      carryOutNow(out, host.sink);
      return false;
    }
    carryOutNow(out, host.sink, stopBefore);
    this.countCrash(`before ${effectKindAt(out, stopBefore)}`);
    this.down(host, `crash (before effect ${stopBefore}: ${effectKindAt(out, stopBefore)})`);
    return true;
  }

  /** The effect an armed crash strikes before in this step, or -1 when it waits for a later step. */
  private crashPoint(plan: CrashPlan, out: Outputs): number {
    switch (plan.at) {
      case 'anyEffect': {
        const n = effectCount(out);
        return n === 0 ? -1 : this.options.rng.int(n);
      }
      case 'inSave': {
        // The writes are the effects before the barrier; strike between two of them.
        const writes = firstEffectOf(out, 'sync');
        return writes < 2 ? -1 : 1 + this.options.rng.int(writes - 1);
      }
      case 'before':
        return firstEffectOf(out, plan.effect);
    }
  }

  private countCrash(where: string): void {
    this.crashPoints[where] = (this.crashPoints[where] ?? 0) + 1;
  }

  private down(host: SimHost, why: string): void {
    host.raft = null;
    host.acks = [];
    host.local = [];
    host.crashPlan = null;
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
