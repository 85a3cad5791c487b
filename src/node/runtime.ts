/**
 * The node runtime: one Raft node as a real process. It feeds the pure core its inputs
 * (ticks from a timer, messages from ZeroMQ, client requests, control commands, storage
 * acknowledgements) and hands every `Outputs` to the core's one executor (`carryOut` in
 * src/raft/execute.ts), which carries them out in the order written on `Outputs` in
 * src/raft/types.ts: persist, acknowledge, send, apply, answer. This file only says how
 * each effect is done here (`sink`).
 *
 * Outputs are carried out one step at a time through a queue: a step's messages never
 * leave before that step's state is durable, even when storage is slowed by an injected
 * fsync delay, and the core keeps stepping meanwhile (its later outputs queue behind).
 */
import type { ClientRequest, ClientResponse } from '../contract/client';
import type { ClockReading, ControlRequest, NodeStatusReport } from '../contract/control';
import type { NodeDebugState } from '../contract/debug';
import type { LinkRule } from '../contract/control';
import type { NodeProcessConfig } from '../contract/nodeConfig';
import type { TelemetryEvent } from '../contract/telemetry';
import { LIMITS } from '../contract/limits';
import { RaftNode } from '../raft';
import { carryOut, replicatesEarly, type EffectDone, type OutputSink } from '../raft/execute';
import type { AdminRequest, Entry, Input, Message, NodeId, Outputs, PersistedState, RaftConfig, RaftEvent, RequestId, Role } from '../raft/types';
import { ClientService } from './clientService';
import { raftConfigOf } from './config';
import { AIMED_REPORT_MS, coalesce } from './faults/aimedReport';
import { tickIntervalMs } from './faults/speed';
import { FaultInjector } from './faults/faultInjector';
import { JournalWriter } from './journal/journalWriter';
import { LatencyTrace } from './latencyTrace';
import { knowsElectionQuorum } from './electionGate';
import { encodeCommand, entryDigest, KvStateMachine } from './kv';
import { NodeMetricsSampler } from './metrics';
import { RefusalLog } from './refusalLog';
import { DiskStorage, type SaveBatch } from './storage';
import { ClientServer, type ClientRoute } from './transport/clientServer';
import { ControlChannel } from './transport/controlChannel';
import { PeerTransport } from './transport/peerTransport';
import { MessageIds, type MessageId } from './transport/messageIds';
import { NodeDebugger } from './debug/nodeDebugger';
import { nodeSocketsCurve } from './transport/nodeCurve';
import { TelemetryPublisher } from './transport/telemetryPublisher';

/** Longest stretch of output work (persist, send, apply) before timers and sockets get a turn. */
const WORK_SLICE_MS = 10;
/** Steps whose outputs wait to be carried out beyond which client batches are held back. */
const MAX_OUTPUT_BACKLOG = 16;

/** Wall-clock ms with sub-ms resolution; one clock for every process on the machine. */
export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}

interface AdminWaiter {
  resolve: () => void;
  reject: (err: Error) => void;
}

export class NodeRuntime {
  private raft!: RaftNode;
  private storage!: DiskStorage;
  private readonly kv = new KvStateMachine();
  private peers!: PeerTransport;
  private clients!: ClientServer;
  private control!: ControlChannel;
  private telemetry!: TelemetryPublisher;
  private readonly faults: FaultInjector<Message>;
  private readonly service: ClientService<ClientRoute>;
  private metrics!: NodeMetricsSampler;
  /** Refusal warnings, at most one line per reason per second (refusalLog.ts). */
  private readonly refusalLog = new RefusalLog({ write: (m) => this.log('warn', m), now: () => performance.now() });
  /** The flight recorder (src/node/journal): every step's input and output digest; null when off. */
  private journal: JournalWriter | null = null;
  private readonly clientAddresses = new Map<NodeId, string>();
  /** Message ids (messageIds.ts): numbered here at each step, carried by the transport. */
  private ids!: MessageIds;
  /** The debugger's node half (src/node/debug): freeze, hold, step (docs/debugger.md). */
  private debugger!: NodeDebugger;

  private readonly queue: Outputs[] = [];
  private queueHead = 0;
  private draining = false;
  private tickTimer: NodeJS.Timeout | null = null;
  /** Until this node knows a quorum's endpoints its clock stays off (electionGate.ts). */
  private awaitingQuorum = true;
  private tickBase = 0;
  private ticksDone = 0;
  private timerRate = 1;
  /** Slow motion (setSpeed): composes with the clock-rate fault, ticks every tickMs / (timerRate × speed). */
  private speed = 1;
  private stopped = false;
  /** Role, term, leader and commit as published so far (what metrics snapshots report). */
  private shown: { role: Role; term: number; leader: NodeId | null; commit: number } = { role: 'follower', term: 0, leader: null, commit: 0 };
  /** When the current stretch of output work began (see yieldIfBusy). */
  private sliceStart = 0;
  private nextAdminId = 1;
  private readonly adminWaiters = new Map<RequestId, AdminWaiter>();
  private wasLeader = false;
  private fatal: (err: Error) => void;
  /** Opt-in timeline of the write path (latencyTrace.ts); null unless RAFTLAB_LATENCY_TRACE is set. */
  private readonly trace: LatencyTrace | null;
  /** Last entry index of the step being carried out (for the trace's save points). */
  private traceIndex = 0;

  constructor(
    readonly config: NodeProcessConfig,
    opts: { onFatal: (err: Error) => void },
  ) {
    this.fatal = opts.onFatal;
    this.trace = LatencyTrace.fromEnv(config.id);
    this.faults = new FaultInjector<Message>(config.seed ^ 0x5eed, (err) => this.log('error', `delayed delivery failed: ${String(err)}`), (m) => m);
    if (config.networkDelay) this.faults.setNetworkDelay(config.networkDelay);
    if (config.speed !== undefined) {
      this.faults.setSpeed(config.speed);
      this.speed = config.speed;
    }
    for (const [id, p] of Object.entries(config.peers)) if (p.clientAddress) this.clientAddresses.set(Number(id), p.clientAddress);
    this.clientAddresses.set(config.id, config.clientAddress);
    this.service = new ClientService<ClientRoute>({
      reply: (route, responses) => this.reply(route, responses),
      propose: (id, commands) => {
        this.trace?.mark(wallNow(), 'propose', 0);
        this.step({ type: 'propose', id, commands: commands.map(encodeCommand) });
      },
      read: (id) => this.step({ type: 'read', id }),
      isLeader: () => this.raft.status().role === 'leader',
      leader: () => {
        const id = this.raft.status().leader;
        return { id, clientAddress: id === null ? null : (this.clientAddresses.get(id) ?? null) };
      },
      get: (key) => this.kv.get(key),
      appliedIndex: () => this.kv.appliedIndex,
      schedule: (fn) => setImmediate(fn),
      congested: () => this.queue.length - this.queueHead > MAX_OUTPUT_BACKLOG,
    });
  }

  /** Opens storage, recovers, binds sockets, starts the clock, then reports ready. */
  async start(): Promise<void> {
    const c = this.config;
    this.storage = DiskStorage.open(c.dataDir, {
      fsync: c.fsync,
      clusterId: c.clusterId,
      log: (level, message) => this.log(level, `storage: ${message}`),
    });
    const recovery = this.storage.recover();
    const state = recovery.state;
    if (state.snapshot) this.kv.restore(state.snapshot.data);
    const raftConfig = raftConfigOf(c);
    this.openJournal(raftConfig, state);
    this.raft = new RaftNode(raftConfig, state);
    // Without a journal there is no replay to agree with: ids then only name messages for the debugger.
    this.ids = new MessageIds(c.id, this.journal?.incarnation ?? 0);
    this.debugger = this.makeDebugger();
    // An aimed rule's `hold` puts the message in the debugger's hold queue (docs/aimed-faults.md):
    // listed with the rule as its reason, released like any held message (docs/debugger.md).
    this.faults.onHold = (message, direction, reason) => this.debugger.holdByRule(message, direction, reason);
    // Messages a link fault or partition dropped: 'out' ones this node sent, 'in' ones sent to it.
    if (this.journal) this.faults.onDrop = (message, direction, reason) => this.journal?.dropped(wallNow(), message, `${direction === 'out' ? 'fault out' : 'fault in'}: ${reason}`, this.ids.get(message));
    this.metrics = new NodeMetricsSampler(c.tickMs);

    const peers: Record<string, string> = {};
    for (const [id, p] of Object.entries(c.peers)) if (p.peerAddress) peers[id] = p.peerAddress;
    const curve = nodeSocketsCurve(c);
    this.peers = await PeerTransport.open({
      curve: curve.peer,
      clusterId: c.clusterId,
      self: c.id,
      bindAddress: c.peerAddress,
      peers,
      maxFrameBytes: c.maxFrameBytes,
      faults: this.faults,
      ids: this.ids,
      onMessage: (message) => {
        if (this.trace) this.traceMessage('recv', message);
        if (this.debugger.intercept(message)) return;
        this.step({ type: 'message', message }, this.ids.get(message));
      },
      onDrop: (message, reason) => this.journal?.dropped(wallNow(), message, reason, this.ids.get(message)),
      onError: (err, context) => this.log('warn', `peer transport: ${context}: ${String(err)}`),
    });
    this.clients = await ClientServer.open({
      curve: curve.client,
      clusterId: c.clusterId,
      bindAddress: c.clientAddress,
      maxFrameBytes: c.maxFrameBytes,
      onRequests: (requests, route) => this.onClientRequests(requests, route),
      onError: (err, context) => this.log('warn', `client socket: ${context}: ${String(err)}`),
    });
    this.telemetry = new TelemetryPublisher({ clusterId: c.clusterId, nodeId: c.id, address: c.telemetryAddress, maxFrameBytes: c.maxFrameBytes, curve: curve.lab });
    this.control = new ControlChannel({
      curve: curve.lab,
      clusterId: c.clusterId,
      nodeId: c.id,
      address: c.controlAddress,
      maxFrameBytes: c.maxFrameBytes,
      handler: (req) => this.onControl(req),
      onError: (err, context) => this.log('warn', `control: ${context}: ${String(err)}`),
    });
    for (const w of recovery.warnings) this.log('warn', `recovery: ${w}`);
    this.publish({ t: wallNow(), type: 'ready', pid: process.pid, peerAddress: this.peers.address, clientAddress: this.clients.address });
    const s = this.raft.status();
    this.shown = { role: s.role, term: s.term, leader: s.leader, commit: s.commit };
    this.publish({ t: wallNow(), type: 'role', role: s.role, term: s.term, leader: s.leader });
    // Entries committed before a restart are handed out again on the first step (§5.3:
    // the state machine is rebuilt from the snapshot plus the committed log).
    this.startClockOnceQuorumKnown();
    this.metrics.start(c.metricsIntervalMs, () => this.publish({ t: wallNow(), type: 'metrics', ...this.sampleMetrics() }));
  }

  /**
   * Opens the journal and records what this incarnation recovered, before the core exists:
   * replay starts each incarnation from exactly this (docs/formats.md, "journal"). A journal
   * that cannot be opened is reported and the node runs without one.
   */
  private openJournal(config: RaftConfig, recovered: PersistedState): void {
    const c = this.config;
    const level = c.recording ?? 'off';
    if (!c.journalDir || level === 'off') return;
    try {
      this.journal = new JournalWriter(c.journalDir, { level, onError: (err) => this.log('warn', `journal: ${err.message}`) });
      this.journal.start(wallNow(), config, recovered);
    } catch (err) {
      this.journal = null;
      this.log('warn', `journal: cannot open ${c.journalDir}: ${(err as Error).message}; running without a journal`);
    }
  }

  // ---------------------------------------------------------------------------
  // Clock
  // ---------------------------------------------------------------------------

  /**
   * Ticks are counted against the monotonic clock, so a late timer (a busy event loop)
   * catches up instead of stretching timeouts; a node resumed after SIGSTOP catches up
   * at most one election timeout's worth, as a real clock would make it time out.
   *
   * WHY late ticks wait for one I/O turn: when the timer fires late, the messages that
   * arrived during the stall are already waiting in the sockets, and they arrived before
   * now. Stepping the missed ticks first made a leader whose loop had been busy for a few
   * hundred ms step down for lost quorum (checkQuorum) with its followers' acknowledgements
   * sitting unread, and made followers start elections with the leader's heartbeats
   * unread. Deferring the catch-up to setImmediate lets the poll phase deliver those inputs
   * first; timeouts are still never stretched. Timing only affects liveness (§5.2), so
   * the order is safe either way.
   */
  private startClock(): void {
    if (this.tickTimer) clearInterval(this.tickTimer);
    this.tickTimer = null;
    if (this.awaitingQuorum) return;
    // A frozen node ticks only when the lab steps its clock (src/node/debug).
    if (this.debugger?.isFrozen) return;
    this.tickBase = performance.now();
    this.ticksDone = 0;
    const tickMs = tickIntervalMs(this.config.tickMs, this.timerRate, this.speed);
    const maxCatchUp = Math.ceil(this.config.electionTimeoutMaxMs / this.config.tickMs) + 1;
    const tick = (n: number) => {
      for (let i = 0; i < n; i++) this.step({ type: 'tick' });
    };
    this.tickTimer = setInterval(() => {
      const due = Math.floor((performance.now() - this.tickBase) / tickMs);
      let n = due - this.ticksDone;
      if (n > maxCatchUp) {
        this.ticksDone = due - maxCatchUp;
        n = maxCatchUp;
      }
      if (n <= 0) return;
      this.ticksDone += n;
      if (n === 1) tick(1);
      else setImmediate(() => tick(n));
    }, Math.max(1, Math.floor(tickMs)));
  }

  /**
   * Starts the clock the first time this node knows the endpoints of a quorum of voters
   * (electionGate.ts); called at start and after each setPeer. Once started it is never
   * gated again: a peer forgotten later is Raft's ordinary unreachable peer (§5.3).
   */
  private startClockOnceQuorumKnown(): void {
    if (!this.awaitingQuorum) return;
    if (!knowsElectionQuorum(this.raft.status().config, this.config.id, (peer) => this.peers.knows(peer))) return;
    this.awaitingQuorum = false;
    this.startClock();
  }

  // ---------------------------------------------------------------------------
  // Stepping and carrying out outputs
  // ---------------------------------------------------------------------------

  private step(input: Input, msgId?: MessageId): void {
    if (this.stopped) return;
    let out: Outputs;
    try {
      out = this.raft.step(input);
    } catch (err) {
      const e = err as Error;
      if (e.name === 'RaftInputError') {
        // A bad input from outside (a message that passed the codec but makes no sense):
        // refused and counted (the core's counters, carried by the metrics), never fatal.
        // Journaled too: replay must refuse it alike.
        this.journal?.step(wallNow(), input, null, msgId);
        this.refusalLog.refused((e as Error & { reason?: string }).reason ?? 'unknown', `${input.type}: ${e.message}`);
        return;
      }
      this.fatal(e);
      return;
    }
    if (out.messages.length > 0) this.ids.numberSent(out.messages);
    this.journal?.step(wallNow(), input, out, msgId);
    this.queue.push(out);
    this.debugger.afterStep(out);
    if (!this.draining) void this.drain();
  }

  private makeDebugger(): NodeDebugger {
    return new NodeDebugger({
      raft: () => this.raft,
      ids: this.ids,
      step: (input, msgId) => this.step(input, msgId),
      sendHeld: (message) => this.peers.sendPastFaults(message),
      dropped: (message, reason, msgId) => this.journal?.dropped(wallNow(), message, reason, msgId),
      stopClock: () => {
        if (this.tickTimer) clearInterval(this.tickTimer);
        this.tickTimer = null;
      },
      startClock: () => this.startClock(),
      now: wallNow,
      publishHeld: (message) => this.publish({ t: wallNow(), type: 'held', message }),
      publishState: (state) => this.publish({ t: wallNow(), type: 'debugState', state }),
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    this.sliceStart = performance.now();
    try {
      while (this.queueHead < this.queue.length) {
        const out = this.queue[this.queueHead];
        this.queue[this.queueHead++] = undefined as unknown as Outputs;
        this.replicatedEarly = replicatesEarly(out);
        // Steps whose effects all finish at once (no write, no long apply) cost no promise.
        const done = carryOut(out, this.sink, this.halt);
        if (typeof done !== 'number') await done;
        if (this.queue.length - this.queueHead <= MAX_OUTPUT_BACKLOG / 2) this.service.uncongested();
        if (!(await this.yieldIfBusy())) return;
      }
      this.queue.length = 0;
      this.queueHead = 0;
    } catch (err) {
      this.fatal(err as Error);
    } finally {
      this.draining = false;
    }
  }

  /**
   * Yields to the event loop once output work has run for WORK_SLICE_MS without a break;
   * returns false if the node stopped meanwhile (the caller must then do nothing more).
   *
   * WHY: under load one burst of outputs (a proposal of thousands of commands, thousands
   * of entries committing at once, a snapshot) is tens of ms of CPU, and on a machine whose
   * cores are shared by the nodes, the lab and the clients, a process gets only part of a
   * core: a 50 ms burst became a 200+ ms stall of the tick timer and the sockets, and the
   * followers (or the leader's checkQuorum) started elections. Outputs are still carried
   * out strictly in order: later ones wait in the queue while this one is suspended.
   */
  private async yieldIfBusy(): Promise<boolean> {
    if (performance.now() - this.sliceStart < WORK_SLICE_MS) return !this.stopped;
    await new Promise((resolve) => setImmediate(resolve));
    this.sliceStart = performance.now();
    return !this.stopped;
  }

  /** The writes of the step being carried out, saved together at its `sync` (one group commit). */
  private pendingSave: SaveBatch = { entries: [] };
  private readonly halt = { halted: () => this.stopped };
  /** The step being carried out sent its replication messages before its writes (rule 0, types.ts). */
  private replicatedEarly = false;

  /** One step's writes, through DiskStorage.save (with the trace's points when tracing). */
  private save(batch: SaveBatch): Promise<void> {
    if (!this.trace) return this.storage.save(batch);
    const index = this.traceIndex;
    this.traceIndex = 0;
    this.trace.mark(wallNow(), 'save-begin', index);
    const saved = this.storage.save(batch);
    this.trace.mark(wallNow(), 'save-written', index);
    return saved.then(() => this.trace?.mark(wallNow(), 'save-durable', index));
  }

  /**
   * How this process carries out each effect. The four writes of a step are collected and
   * handed to `DiskStorage.save()` at the `sync` barrier, which writes them in the same order
   * (snapshot, log change, hard state) with one fsync per file; the barrier's promise
   * resolves once they are durable (and any injected fsync delay has passed), and only then
   * does the executor go on to acknowledge and send.
   */
  private readonly sink: OutputSink = {
    saveSnapshot: (snapshot) => {
      this.pendingSave.snapshot = snapshot;
    },
    truncateLog: (from) => {
      this.pendingSave.truncateFrom = from;
    },
    appendEntries: (entries) => {
      this.pendingSave.entries = entries;
      this.traceIndex = entries[entries.length - 1].index;
    },
    saveHardState: (hardState) => {
      this.pendingSave.hardState = hardState;
    },
    sync: () => {
      const batch = this.pendingSave;
      this.pendingSave = { entries: [] };
      if (this.replicatedEarly) {
        // The step's AppendEntries were handed to the peer links (rule 0 of the contract,
        // src/raft/types.ts); their send pumps start on a microtask queued at that moment.
        // The save's fdatasync blocks this thread, so it starts one microtask later, after
        // the pumps have put the frames into ZeroMQ, whose I/O thread sends them while the
        // disk works: the leader's write and the followers' overlap (docs/performance.md).
        this.replicatedEarly = false;
        return Promise.resolve().then(() => this.save(batch));
      }
      return this.save(batch);
    },

    restoreStateMachine: (snapshot) => this.kv.restore(snapshot.data),
    // Queued behind this step, not stepped inside it: the leader counts itself only now.
    acknowledge: (index, term) => this.step({ type: 'persisted', index, term }),
    send: (message) => {
      if (this.trace) this.traceMessage('send', message);
      this.peers.send(message);
    },
    apply: (entries) => this.applyFrom(entries, 0),
    result: (result) => this.onResult(result),
    // A snapshot we took must be durable before the log it replaces is discarded.
    saveTakenSnapshot: (snapshot) =>
      this.storage.save({ snapshot, entries: [] }).then(() => {
        this.publish({ t: wallNow(), type: 'snapshot', phase: 'created', index: snapshot.meta.index, term: snapshot.meta.term });
      }),
    compactLog: (index) => {
      this.storage.compact(index);
    },
    takeSnapshot: () => this.takeSnapshot(),
    event: (event) => this.onRaftEvent(event),
  };

  /**
   * Applies committed entries in order from `from`. Thousands can commit in one step: every
   * 64 entries, once the work slice is used up, let timers and sockets in (see yieldIfBusy).
   */
  private applyFrom(entries: readonly Entry[], from: number): EffectDone {
    for (let i = from; i < entries.length; i++) {
      const e = entries[i];
      if (e.index > this.kv.appliedIndex) {
        // (an entry at or below the applied index is covered by a restored snapshot)
        const result = this.kv.apply(e);
        this.trace?.mark(wallNow(), 'apply', e.index);
        this.publish({ t: wallNow(), type: 'apply', index: e.index, term: e.term, digest: result?.digest ?? entryDigest(e) });
        this.service.applied(e, result);
      }
      if ((i & 63) === 63 && performance.now() - this.sliceStart >= WORK_SLICE_MS) {
        return this.yieldIfBusy().then((running) => (running ? this.applyFrom(entries, i + 1) : undefined));
      }
    }
    this.service.serveReads();
  }

  /** Hands the core the state machine's serialized state at the applied index (§7). */
  private takeSnapshot(): void {
    const index = this.kv.appliedIndex;
    if (index === 0) return;
    this.step({ type: 'snapshotTaken', index, data: this.kv.snapshot() });
  }

  private onResult(r: Outputs['results'][number]): void {
    switch (r.type) {
      case 'proposed':
        this.service.proposed(r.id, r.term, r.firstIndex);
        return;
      case 'read':
        this.service.readConfirmed(r.id, r.index);
        return;
      case 'admin':
        this.adminWaiters.get(r.id)?.resolve();
        this.adminWaiters.delete(r.id);
        return;
      case 'error':
        if (r.request === 'admin') {
          const w = this.adminWaiters.get(r.id);
          this.adminWaiters.delete(r.id);
          w?.reject(new Error(describeRaftError(r.error)));
        } else {
          this.service.failed(r.id, r.error);
        }
        return;
    }
  }

  private onRaftEvent(ev: RaftEvent): void {
    const t = wallNow();
    this.metrics.countEvent(ev);
    switch (ev.type) {
      case 'role': {
        const leading = ev.role === 'leader';
        if (this.wasLeader && !leading) this.service.leadershipLost();
        this.wasLeader = leading;
        this.shown.role = ev.role;
        this.shown.term = ev.term;
        this.shown.leader = ev.leader;
        // The core's flag (thesis §9.6) until its RaftEvent type declares it; false when absent.
        return this.publish({ t, type: 'role', role: ev.role, term: ev.term, leader: ev.leader, preCandidate: (ev as { preCandidate?: boolean }).preCandidate === true });
      }
      case 'electionStarted':
        return this.publish({ t, type: 'election', phase: 'started', term: ev.term, preVote: ev.preVote });
      case 'electionWon':
        return this.publish({ t, type: 'election', phase: 'won', term: ev.term, preVote: false });
      case 'electionLost':
        return this.publish({ t, type: 'election', phase: 'lost', term: ev.term, preVote: false, reason: ev.reason });
      case 'voteGranted':
        return this.publish({ t, type: 'vote', to: ev.to, term: ev.term, granted: true, preVote: ev.preVote });
      case 'voteRefused':
        return this.publish({ t, type: 'vote', to: ev.to, term: ev.term, granted: false, preVote: ev.preVote, reason: ev.reason });
      case 'commit':
        this.shown.commit = ev.index;
        return this.publish({ t, type: 'commit', index: ev.index });
      case 'config':
        return this.publish({ t, type: 'config', config: ev.config, index: ev.index });
      case 'snapshotInstalled':
        return this.publish({ t, type: 'snapshot', phase: 'installed', index: ev.index, term: ev.term });
      case 'compacted':
        return this.publish({ t, type: 'snapshot', phase: 'compacted', index: ev.index });
      case 'transferStarted':
        return this.publish({ t, type: 'transfer', phase: 'started', to: ev.to });
      case 'transferAborted':
        return this.publish({ t, type: 'transfer', phase: 'aborted', to: ev.to, reason: ev.reason });
      case 'quorumLost':
        return this.publish({ t, type: 'quorumLost', term: ev.term });
    }
  }

  // ---------------------------------------------------------------------------
  // Clients and control
  // ---------------------------------------------------------------------------

  private onClientRequests(requests: ClientRequest[], route: ClientRoute): void {
    this.trace?.mark(wallNow(), 'client-in', 0);
    this.service.submit(route, requests);
  }

  private reply(route: ClientRoute, responses: ClientResponse[]): void {
    this.clients.reply(route, responses);
    this.trace?.mark(wallNow(), 'client-out', 0);
  }

  private admin(request: AdminRequest): Promise<void> {
    const id = this.nextAdminId++;
    return new Promise<void>((resolve, reject) => {
      this.adminWaiters.set(id, { resolve, reject });
      this.step({ type: 'admin', id, request });
    });
  }

  private async onControl(req: ControlRequest): Promise<NodeStatusReport | NodeDebugState | ClockReading | null> {
    const cmd = req.command;
    switch (cmd.cmd) {
      case 'ping':
        return null;
      case 'clock': {
        // One clock sample for the lab (src/analysis/clockOffset.ts): t1 on arrival, t2 as it answers.
        const receivedMs = wallNow();
        return { receivedMs, repliedMs: wallNow() };
      }
      case 'status':
        return this.statusReport();
      case 'setLinkRules':
        this.faults.setRules(cmd.rules);
        this.publishFaultRules();
        return null;
      case 'setTimerRate':
        // The control socket's declaration already bounds it (LIMITS.timerRate, src/contract/limits.ts).
        if (!(cmd.factor >= LIMITS.timerRate.min && cmd.factor <= LIMITS.timerRate.max)) {
          throw new Error(`timer rate must be in [${LIMITS.timerRate.min}, ${LIMITS.timerRate.max}]`);
        }
        this.timerRate = cmd.factor;
        this.startClock();
        this.publishFaultRules();
        return null;
      case 'setFsyncDelay':
        this.storage.setFsyncDelay(cmd.ms);
        this.publishFaultRules();
        return null;
      case 'setAimedRules':
        this.faults.setAimedRules(cmd.rules);
        // Hit counts go out with the rules, at most every AIMED_REPORT_MS (faults/aimedReport.ts).
        this.faults.onAimedHit ??= coalesce(AIMED_REPORT_MS, () => this.publishFaultRules());
        this.publishFaultRules();
        return null;
      case 'setSpeed':
        this.faults.setSpeed(cmd.speed);
        this.speed = cmd.speed;
        this.startClock();
        this.publishFaultRules();
        return null;
      case 'setPeer':
        this.peers.setPeer(cmd.id, cmd.address, cmd.publicKey);
        if (cmd.address === null) this.clientAddresses.delete(cmd.id);
        else if (cmd.clientAddress) this.clientAddresses.set(cmd.id, cmd.clientAddress);
        this.startClockOnceQuorumKnown();
        return null;
      case 'transferLeader':
        await this.admin({ type: 'transferLeader', to: cmd.to });
        return null;
      case 'changeMembership':
        await this.admin({ type: 'changeMembership', voters: cmd.voters, learners: cmd.learners });
        return null;
      case 'snapshot':
        await this.admin({ type: 'snapshot' });
        return null;
      case 'stop':
        // Answer first, then stop: the lab is waiting for the ack, and then for the exit.
        setImmediate(() => void this.stop().then(() => process.exit(0)));
        return null;
      case 'freeze':
        return this.debugger.freeze();
      case 'thaw':
        return this.debugger.thaw();
      case 'release':
        return this.debugger.release(cmd.holds, cmd.action);
      case 'advanceClock':
        return this.debugger.advanceClock(cmd.ticks, cmd.untilTimer);
      case 'timeoutNow':
        return this.debugger.timeoutNow();
      case 'setBreakpoints':
        return this.debugger.setBreakpoints(cmd.breakpoints);
      case 'debugState':
        return this.debugger.state();
    }
  }

  /** Trace points for AppendEntries with entries and their responses (the write path). */
  private traceMessage(dir: 'send' | 'recv', m: Message): void {
    if (m.type === 'append' && m.entries.length > 0) this.trace!.mark(wallNow(), `${dir}-append`, m.entries[m.entries.length - 1].index);
    else if (m.type === 'appendResp' && m.success) this.trace!.mark(wallNow(), `${dir}-appendResp`, m.matchIndex);
  }

  private publishFaultRules(): void {
    const rules: LinkRule[] = [...this.faults.rules];
    this.publish({ t: wallNow(), type: 'faultRules', rules, timerRate: this.timerRate, fsyncDelayMs: this.storage.fsyncDelay, aimed: this.faults.aimedStates(), speed: this.speed });
  }

  private statusReport(): NodeStatusReport {
    const s = this.raft.status();
    return {
      id: s.id,
      role: s.role,
      term: s.term,
      leader: s.leader,
      commit: s.commit,
      applied: this.kv.appliedIndex,
      lastIndex: s.lastIndex,
      snapshotIndex: s.snapshotIndex,
      config: s.config,
    };
  }

  private sampleMetrics() {
    const s = this.raft.status();
    const counters = this.raft.counters();
    const peerStats = this.peers.stats();
    const progress: Record<string, { match: number; next: number }> = {};
    if (s.role === 'leader') for (const [id, p] of Object.entries(s.progress)) if (Number(id) !== s.id) progress[id] = { match: p.match, next: p.next };
    const rejected: Record<string, number> = { ...peerStats.rejectedFrames };
    for (const [k, v] of Object.entries(this.clients.stats().rejectedFrames)) rejected[`client.${k}`] = v;
    for (const [k, v] of Object.entries(this.control.stats().rejectedFrames)) rejected[`control.${k}`] = v;
    // Role, term, leader and commit as already told in events (this.shown), not as the
    // core has them now: the core runs ahead of its outputs still queued (an fsync delay,
    // a yield in a long apply), and a snapshot taken from it would contradict the events
    // published after it (a commit index or term that seems to go down).
    return {
      term: this.shown.term,
      role: this.shown.role,
      leader: this.shown.leader,
      commit: this.shown.commit,
      applied: this.kv.appliedIndex,
      lastIndex: s.lastIndex,
      snapshotIndex: s.snapshotIndex,
      progress,
      loopLagMs: this.metrics.takeLoopLag(),
      ...memory(),
      electionsStarted: counters.electionsStarted,
      electionsWon: counters.electionsWon,
      votesGranted: counters.votesGranted,
      heartbeatsSent: counters.heartbeatsSent,
      heartbeatsReceived: counters.heartbeatsReceived,
      stateChanges: counters.stateChanges,
      leaderStalenessMs: s.role === 'leader' ? 0 : this.metrics.leaderStalenessMs(counters.ticksSinceLeaderContact, s.leader),
      traffic: peerStats.traffic,
      fsync: this.storage.fsyncStats(),
      rejectedFrames: rejected,
      refused: nonZero(counters.refused),
      telemetryDropped: this.telemetry.dropped,
    };
  }

  private publish(ev: TelemetryEvent): void {
    this.telemetry?.publish(ev);
  }

  log(level: 'info' | 'warn' | 'error', message: string): void {
    const line = `[node ${this.config.id}] ${level}: ${message}`;
    if (level === 'info') console.log(line);
    else console.error(line);
    this.publish({ t: wallNow(), type: 'log', level, message });
  }

  /** Graceful stop: answer clients honestly, flush telemetry, close sockets and storage. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.tickTimer) clearInterval(this.tickTimer);
    this.metrics?.stop();
    this.service.stop();
    for (const w of this.adminWaiters.values()) w.reject(new Error('node stopping'));
    this.adminWaiters.clear();
    this.faults.close();
    await this.clients?.flush().catch((err: Error) => console.error(`[node ${this.config.id}] client flush: ${err.message}`));
    await this.control?.flush().catch((err: Error) => console.error(`[node ${this.config.id}] control flush: ${err.message}`));
    await Promise.all([this.peers?.close(), this.clients?.close(), this.control?.close()]);
    this.telemetry?.close();
    this.storage?.close();
    this.trace?.close();
    this.journal?.close();
  }
}

function describeRaftError(e: import('../raft/types').RaftError): string {
  switch (e.code) {
    case 'invalid_request':
      return e.message;
    default:
      return `${e.code.replace(/_/g, ' ')}${e.leader ? ` (leader is node ${e.leader})` : ''}`;
  }
}

/**
 * RSS and where it goes: the V8 heap in use and external memory (Buffers and the like).
 * process.memoryUsage() walks the heap spaces, a few µs, once per 100 ms metrics sample.
 */
function memory(): { rssBytes: number; heapUsedBytes: number; externalBytes: number } {
  const m = process.memoryUsage();
  return { rssBytes: m.rss, heapUsedBytes: m.heapUsed, externalBytes: m.external };
}

/** The reasons with a count above zero (refusals per reason, since this process started). */
function nonZero(counts: Readonly<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [reason, n] of Object.entries(counts)) if (n > 0) out[reason] = n;
  return out;
}
