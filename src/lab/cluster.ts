/**
 * One running cluster: its node processes, the sockets to them, the faults in force, the
 * workload and the recording. The Lab (Electron main, browser mode), the CLI and the tests
 * all drive clusters through this class.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NodeId } from '../raft/types';
import type { ClusterOptions, WorkloadOptions } from '../contract/clusterOptions';
import { validateClusterOptions } from '../contract/clusterOptions';
import type { ControlCommand, ControlReply } from '../contract/control';
import type { FaultSpec } from '../contract/faults';
import type { NodeProcessConfig } from '../contract/nodeConfig';
import type { HistoryOp, LabRunEvent, RunEvent, Summary } from '../contract/runEvents';
import type { TelemetryBatch } from '../contract/telemetry';
import type { NodeView } from '../contract/labApi';
import { AddressAllocator } from './addresses';
import { ClusterState } from './clusterState';
import { FaultPlan } from './faultPlan';
import { resolvePartition, type PartitionRequest } from './partitions';
import { Supervisor, type ProcessEvent } from './supervisor';
import { Workload } from './workload';
import type { ClusterKeys } from './keys';
import { LabSockets } from './sockets';
import { RunRecorder } from './recorder/runRecorder';
import { SafetyMonitor } from './checkers/safety';
import { seededRandom } from './random';

export class ClusterError extends Error {}

/** A lab event without its time (stamped with now() unless given). */
type LabEventInput = LabRunEvent extends infer E ? (E extends unknown ? Omit<E, 't'> & { t?: number } : never) : never;

export interface ClusterDeps {
  /** Directory of this run's recording (events.jsonl, logs, ...). */
  runDir: string;
  runId: string;
  nodeScript: string;
  execPath: string;
  env?: Record<string, string>;
  /** Every run event, as it happens (for pushes and the CLI status line). */
  onEvent?: (ev: RunEvent) => void;
  /** Called when node views changed in a way worth showing. */
  onChange?: () => void;
  /** How long to wait for every node to report ready. */
  readyTimeoutMs?: number;
  /**
   * Record the run (default true). Internal: benchmarks turn it off to measure what
   * recording costs; without a recording, stop() returns no summary.
   */
  record?: boolean;
  /** CURVE on every socket (default true). Internal: the node benchmark turns it off to measure its cost. */
  curve?: boolean;
}

interface NodeAddresses {
  peerAddress: string;
  clientAddress: string;
}

const CONTROL_TIMEOUT_MS = 3000;
/** How long a node gets to stop on request before it is killed. */
const STOP_GRACE_MS = 1500;

export class Cluster {
  readonly state = new ClusterState();
  readonly faults = new FaultPlan();
  readonly options: ClusterOptions;
  private readonly clusterId: string;
  private supervisor!: Supervisor;
  private sockets!: LabSockets;
  /** Null when recording is off (ClusterDeps.record: false) or before boot. */
  private recorder: RunRecorder | null = null;
  private readonly safety = new SafetyMonitor();
  private workload: Workload | null = null;
  private workloadSetting: WorkloadOptions | null = null;
  private readonly addresses = new Map<NodeId, NodeAddresses>();
  private readonly allocator: AddressAllocator;
  private readonly random: () => number;
  private dataDir = '';
  /** The data directory is a temporary one of ours (no dataDir given): removed on stop. */
  private ownsDataDir = false;
  /** Wall-clock ms (performance.timeOrigin-based) when the run started: t = 0. */
  private startWall = 0;
  private startMono = 0;
  /** Waiters for a node's 'ready'; called with an error when it exits first. */
  private readonly readyWaiters = new Map<NodeId, Array<(err?: Error) => void>>();
  private readonly restarting = new Set<NodeId>();
  private voters: NodeId[] = [];
  private killedByFault: NodeId[] = [];
  private lastTelemetrySeq = new Map<NodeId, number>();
  private stopped = false;
  private faultCount = 0;

  private constructor(options: ClusterOptions, private readonly deps: ClusterDeps) {
    this.options = options;
    this.clusterId = deps.runId;
    this.allocator = new AddressAllocator(options.transport);
    this.random = seededRandom(options.seed);
  }

  /** Validates the options, spawns every node and waits until all are ready. */
  static async start(options: ClusterOptions, deps: ClusterDeps): Promise<Cluster> {
    const errors = validateClusterOptions(options);
    if (Object.keys(errors).length > 0) {
      throw new ClusterError(`invalid cluster options: ${Object.values(errors).join('; ')}`);
    }
    const c = new Cluster(options, deps);
    try {
      await c.boot();
    } catch (err) {
      await c.stop().catch((stopErr: Error) => console.error(`[lab] cleanup after failed start: ${stopErr.message}`));
      throw err;
    }
    return c;
  }

  /** ms since the run started, on the monotonic clock. */
  now(): number {
    return performance.now() - this.startMono;
  }

  private async boot(): Promise<void> {
    const { runDir } = this.deps;
    mkdirSync(runDir, { recursive: true });
    this.ownsDataDir = !this.options.dataDir;
    this.dataDir = this.options.dataDir || mkdtempSync(join(tmpdir(), 'raftlab-data-'));
    this.startMono = performance.now();
    this.startWall = performance.timeOrigin + this.startMono;
    if (this.deps.record !== false) {
      this.recorder = new RunRecorder(runDir);
      this.recorder.start();
    }
    this.sockets = await LabSockets.open({
      curve: this.deps.curve,
      clusterId: this.clusterId,
      controlAddress: await this.allocator.next('control'),
      telemetryAddress: await this.allocator.next('telemetry'),
      onTelemetry: (batch) => this.ingest(batch),
      onClientResponse: (node, res) => this.workload?.onResponse(node, res),
    });
    this.supervisor = new Supervisor({
      runDir,
      nodeScript: this.deps.nodeScript,
      execPath: this.deps.execPath,
      env: this.deps.env,
      onProcessEvent: (ev) => this.onProcessEvent(ev),
    });
    this.emit({ t: 0, node: null, type: 'run', phase: 'started', options: this.options, runId: this.deps.runId });
    const ids = Array.from({ length: this.options.nodes }, (_, i) => i + 1);
    this.voters = ids;
    for (const id of ids) this.addresses.set(id, { peerAddress: await this.allocator.next(`peer${id}`), clientAddress: await this.allocator.next(`client${id}`) });
    for (const id of ids) {
      this.state.add(id, true);
      this.spawn(id, ids, false);
    }
    await Promise.all(ids.map((id) => this.waitReady(id)));
    if (this.options.workload.clients > 0) this.setWorkload(this.options.workload);
  }

  private nodeConfig(id: NodeId, initialVoters: NodeId[]): NodeProcessConfig {
    const o = this.options;
    const own = this.addresses.get(id)!;
    const peers: NodeProcessConfig['peers'] = {};
    for (const [pid, a] of this.addresses) if (pid !== id) peers[String(pid)] = { ...a, publicKey: this.sockets.publicKeyOf(pid) };
    return {
      clusterId: this.clusterId,
      id,
      dataDir: join(this.dataDir, `node-${id}`),
      peerAddress: own.peerAddress,
      clientAddress: own.clientAddress,
      peers,
      controlAddress: this.sockets.controlAddress,
      telemetryAddress: this.sockets.telemetryAddress,
      initialVoters,
      tickMs: Math.max(1, Math.min(10, Math.floor(o.heartbeatMs / 5))),
      electionTimeoutMinMs: o.electionTimeoutMinMs,
      electionTimeoutMaxMs: o.electionTimeoutMaxMs,
      heartbeatMs: o.heartbeatMs,
      preVote: o.preVote,
      checkQuorum: o.checkQuorum,
      fsync: o.fsync,
      maxEntriesPerMsg: 256,
      maxBytesPerMsg: 1 << 20,
      maxInflight: 16,
      snapshotThreshold: o.snapshotThreshold,
      seed: (o.seed * 1000 + id) >>> 0,
      metricsIntervalMs: 100,
      maxFrameBytes: 16 << 20,
      security: this.sockets.nodeSecurity(id),
    };
  }

  private spawn(id: NodeId, initialVoters: NodeId[], restart: boolean): void {
    const existing = this.supervisor.config(id);
    // A restart reuses the node's config: same data directory, same bootstrap voters
    // (ignored by the node once its storage holds state).
    const cfg = existing && restart ? { ...existing, peers: this.nodeConfig(id, initialVoters).peers } : this.nodeConfig(id, initialVoters);
    this.sockets.connectClient(id, cfg.clientAddress);
    if (restart) this.restarting.add(id);
    this.supervisor.start(cfg, restart);
  }

  private waitReady(id: NodeId, timeoutMs = this.deps.readyTimeoutMs ?? 15_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const list = this.readyWaiters.get(id) ?? [];
        this.readyWaiters.set(id, list.filter((f) => f !== done));
        reject(new ClusterError(`node ${id} did not report ready within ${timeoutMs} ms (see logs/node-${id}.log)`));
      }, timeoutMs);
      const done = (err?: Error) => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      };
      const list = this.readyWaiters.get(id) ?? [];
      list.push(done);
      this.readyWaiters.set(id, list);
    });
  }

  private settleReady(id: NodeId, err?: Error): void {
    const list = this.readyWaiters.get(id) ?? [];
    this.readyWaiters.delete(id);
    for (const f of list) f(err);
  }

  // ---------------------------------------------------------------------------
  // Events
  // ---------------------------------------------------------------------------

  private emit(ev: RunEvent): void {
    this.recorder?.record(ev);
    if (this.state.apply(ev)) this.deps.onChange?.();
    for (const v of this.safety.observe(ev)) {
      this.recorder?.record(v);
      this.deps.onEvent?.(v);
    }
    this.deps.onEvent?.(ev);
  }

  /** A lab-side problem concerning a node, recorded as a warning in its log stream. */
  private warn(node: NodeId, message: string): void {
    this.emit({ t: this.now(), node, type: 'log', level: 'warn', message: `lab: ${message}` });
  }

  private labEvent(ev: LabEventInput): void {
    this.emit({ ...ev, t: ev.t ?? this.now() } as RunEvent);
  }

  private ingest(batch: TelemetryBatch): void {
    const node = batch.node;
    if (!this.state.has(node)) return; // telemetry from a node this cluster no longer has
    const last = this.lastTelemetrySeq.get(node);
    if (last !== undefined && batch.seq > last + 1) this.labEvent({ node, type: 'telemetryGap', missed: batch.seq - last - 1 });
    this.lastTelemetrySeq.set(node, batch.seq);
    for (const ev of batch.events) {
      if (ev.type === 'ready') {
        const restart = this.restarting.delete(node);
        this.lastTelemetrySeq.set(node, batch.seq);
        this.supervisor.markReady(node, restart);
        this.resendRules(node);
        this.settleReady(node);
      }
      const { t, ...body } = ev;
      this.emit({ ...body, t: t - this.startWall, node } as RunEvent);
    }
  }

  private onProcessEvent(ev: ProcessEvent): void {
    if (ev.state === 'starting') this.lastTelemetrySeq.delete(ev.node);
    if (ev.state === 'crashed' || ev.state === 'stopped' || ev.state === 'killed') {
      // A node that dies while starting (corrupt data, a port taken) fails its start at
      // once instead of leaving the caller to wait out the ready timeout.
      const how = ev.code !== undefined && ev.code !== null ? `exit code ${ev.code}` : `signal ${ev.signal ?? 'unknown'}`;
      this.settleReady(ev.node, new ClusterError(`node ${ev.node} exited (${how}) before it was ready (see logs/node-${ev.node}.log)`));
    }
    this.labEvent({ node: ev.node, type: 'process', state: ev.state, pid: ev.pid, code: ev.code, signal: ev.signal, message: ev.message });
  }

  /** A (re)started node has no rules: give it those in force. */
  private resendRules(node: NodeId): void {
    const rules = this.faults.rulesFor(node);
    const rate = this.faults.timerRates.get(node);
    const delay = this.faults.fsyncDelays.get(node);
    const sends: Promise<unknown>[] = [];
    if (rules.length > 0) sends.push(this.control(node, { cmd: 'setLinkRules', rules }));
    if (rate !== undefined) sends.push(this.control(node, { cmd: 'setTimerRate', factor: rate }));
    if (delay !== undefined) sends.push(this.control(node, { cmd: 'setFsyncDelay', ms: delay }));
    Promise.all(sends).catch((err: Error) => this.warn(node, `could not restore fault rules: ${err.message}`));
  }

  // ---------------------------------------------------------------------------
  // Node controls
  // ---------------------------------------------------------------------------

  async control(node: NodeId, command: ControlCommand, timeoutMs = CONTROL_TIMEOUT_MS): Promise<ControlReply> {
    const reply = await this.sockets.request(node, command, timeoutMs);
    if (!reply.ok) throw new ClusterError(`node ${node} refused ${command.cmd}: ${reply.error}`);
    return reply;
  }

  private requireNode(node: NodeId): void {
    if (!this.state.has(node)) throw new ClusterError(`there is no node ${node} in this cluster`);
  }

  /** A concrete node for a scenario target: whoever leads now, or a seeded-random (live) node. */
  resolveTarget(target: NodeId | 'leader' | 'random', alive = true): NodeId {
    if (target === 'leader') {
      const l = this.state.leader();
      if (l === null) throw new ClusterError('there is no leader right now');
      return l;
    }
    if (target === 'random') {
      const ids = this.state.ids().filter((id) => !alive || this.supervisor.isAlive(id));
      if (ids.length === 0) throw new ClusterError('no node to pick');
      return ids[Math.floor(this.random() * ids.length)];
    }
    this.requireNode(target);
    return target;
  }

  async kill(node: NodeId): Promise<void> {
    this.requireNode(node);
    await this.supervisor.kill(node);
  }

  async stopNode(node: NodeId): Promise<void> {
    this.requireNode(node);
    await this.supervisor.stop(node, () => this.sockets.request(node, { cmd: 'stop' }, CONTROL_TIMEOUT_MS));
  }

  pause(node: NodeId): void {
    this.requireNode(node);
    this.supervisor.pause(node);
  }

  resume(node: NodeId): void {
    this.requireNode(node);
    this.supervisor.resume(node);
    // Rules that changed while it was stopped never reached it (pushNetworkRules skips paused
    // nodes): a heal in the meantime would leave it cut off for good. Send what is in force.
    const sends = [
      this.control(node, { cmd: 'setLinkRules', rules: this.faults.rulesFor(node) }),
      this.control(node, { cmd: 'setTimerRate', factor: this.faults.timerRates.get(node) ?? 1 }),
      this.control(node, { cmd: 'setFsyncDelay', ms: this.faults.fsyncDelays.get(node) ?? 0 }),
    ];
    // Reported as a warning, not a process event: the node may be gone by then.
    Promise.all(sends).catch((err: Error) =>
      this.warn(node, `could not restore fault rules after resume: ${err.message}`),
    );
  }

  /** Crash recovery: kill if running, then start again from the same data directory. */
  async restart(node: NodeId): Promise<void> {
    this.requireNode(node);
    if (this.supervisor.isAlive(node)) await this.supervisor.kill(node);
    this.spawn(node, this.voters, true);
    await this.waitReady(node);
  }

  async transferLeader(to: NodeId): Promise<void> {
    this.requireNode(to);
    const leader = this.state.leader();
    if (leader === null) throw new ClusterError('there is no leader to transfer from');
    if (leader === to) return;
    await this.control(leader, { cmd: 'transferLeader', to });
  }

  /** Adds a node: start it empty (it joins, not bootstraps), then change membership through the leader (§6). */
  async addNode(): Promise<NodeId> {
    const leader = this.state.leader();
    if (leader === null) throw new ClusterError('a membership change needs a leader');
    const id = Math.max(0, ...this.state.ids()) + 1;
    if (id > 25) throw new ClusterError('a cluster has at most 25 nodes');
    const addr = { peerAddress: await this.allocator.next(`peer${id}`), clientAddress: await this.allocator.next(`client${id}`) };
    this.addresses.set(id, addr);
    for (const other of this.state.ids()) {
      if (this.supervisor.isAlive(other)) await this.control(other, { cmd: 'setPeer', id, address: addr.peerAddress, clientAddress: addr.clientAddress, publicKey: this.sockets.publicKeyOf(id) });
    }
    this.state.add(id, false);
    this.spawn(id, [], false);
    await this.waitReady(id);
    const voters = [...this.voters, id].sort((a, b) => a - b);
    await this.control(leader, { cmd: 'changeMembership', voters });
    this.voters = voters;
    this.labEvent({ node: null, type: 'membership', action: 'add', target: id, voters });
    return id;
  }

  /** Removes a voter through joint consensus (§6), then stops its process. */
  async removeNode(node: NodeId): Promise<void> {
    this.requireNode(node);
    const leader = this.state.leader();
    if (leader === null) throw new ClusterError('a membership change needs a leader');
    const voters = this.voters.filter((v) => v !== node);
    if (voters.length === 0) throw new ClusterError('cannot remove the last voter');
    await this.control(leader, { cmd: 'changeMembership', voters });
    this.voters = voters;
    this.labEvent({ node: null, type: 'membership', action: 'remove', target: node, voters });
    // Let the removal commit before the process goes away; the leader itself steps down
    // once C_new commits (§6), so wait until the node no longer leads, bounded.
    const until = this.now() + 5000;
    while (this.now() < until && this.state.get(node)?.voter) await new Promise((r) => setTimeout(r, 20));
    if (this.supervisor.isAlive(node)) await this.stopNode(node);
    for (const other of this.state.ids()) {
      if (other !== node && this.supervisor.isAlive(other)) {
        await this.control(other, { cmd: 'setPeer', id: node, address: null }).catch((err: Error) =>
          this.warn(other, `could not forget node ${node}: ${err.message}`),
        );
      }
    }
    this.sockets.disconnectClient(node);
    this.state.remove(node);
    this.addresses.delete(node);
    this.deps.onChange?.();
  }

  // ---------------------------------------------------------------------------
  // Faults
  // ---------------------------------------------------------------------------

  /** Sends each live node its rules; the fault takes effect when every node has acked. */
  private async pushNetworkRules(): Promise<void> {
    const sends = this.state.ids().filter((id) => this.supervisor.isAlive(id) && this.supervisor.state(id) !== 'paused');
    await Promise.all(sends.map((id) => this.control(id, { cmd: 'setLinkRules', rules: this.faults.rulesFor(id) })));
  }

  async partition(req: PartitionRequest): Promise<string> {
    const p = resolvePartition(req, this.state.ids(), this.state.leader(), this.random);
    this.faults.blocked = p.blocked;
    await this.pushNetworkRules();
    this.faultCount++;
    const nodes = [...new Set(p.blocked.flat())].sort((a, b) => a - b);
    this.labEvent({ node: null, type: 'fault', action: 'apply', fault: { kind: 'partition', ...req }, description: p.description, nodes, blocked: p.blocked });
    return p.description;
  }

  async heal(): Promise<void> {
    this.faults.clearNetwork();
    await this.pushNetworkRules();
    for (const [node] of this.faults.timerRates) await this.control(node, { cmd: 'setTimerRate', factor: 1 }).catch(() => undefined);
    for (const [node] of this.faults.fsyncDelays) await this.control(node, { cmd: 'setFsyncDelay', ms: 0 }).catch(() => undefined);
    this.faults.timerRates.clear();
    this.faults.fsyncDelays.clear();
    this.labEvent({ node: null, type: 'fault', action: 'heal', fault: { kind: 'all' }, description: 'heal network, clocks and disks', nodes: this.state.ids() });
  }

  /** Applies any fault spec (the scenario timeline and the renderer's fault controls use this). */
  async applyFault(f: FaultSpec): Promise<string> {
    switch (f.kind) {
      case 'partition':
        return this.partition(f);
      case 'link': {
        const set = (from: NodeId, to: NodeId) =>
          this.faults.setLink({ from, to, drop: f.drop ?? 0, delayMs: f.delayMs ?? 0, jitterMs: f.jitterMs ?? 0, duplicate: f.duplicate ?? 0 });
        this.requireNode(f.from);
        this.requireNode(f.to);
        set(f.from, f.to);
        if (f.symmetric) set(f.to, f.from);
        await this.pushNetworkRules();
        const d = `link ${f.from}${f.symmetric ? '<->' : '->'}${f.to}: drop ${f.drop ?? 0}, delay ${f.delayMs ?? 0}ms`;
        return this.recordFault(f, d, [f.from, f.to]);
      }
      case 'flaky': {
        const ids = this.state.ids();
        for (const a of ids) for (const b of ids) if (a !== b) this.faults.setLink({ from: a, to: b, drop: f.drop ?? 0, delayMs: f.delayMs ?? 0, jitterMs: f.jitterMs ?? 0, duplicate: f.duplicate ?? 0 });
        await this.pushNetworkRules();
        return this.recordFault(f, `flaky network: drop ${f.drop ?? 0}, delay ${f.delayMs ?? 0}±${f.jitterMs ?? 0}ms, dup ${f.duplicate ?? 0}`, ids);
      }
      case 'clock':
        this.requireNode(f.node);
        await this.control(f.node, { cmd: 'setTimerRate', factor: f.rate });
        this.faults.timerRates.set(f.node, f.rate);
        return this.recordFault(f, `node ${f.node} clock runs at ${f.rate}x`, [f.node]);
      case 'disk':
        this.requireNode(f.node);
        await this.control(f.node, { cmd: 'setFsyncDelay', ms: f.fsyncDelayMs });
        this.faults.fsyncDelays.set(f.node, f.fsyncDelayMs);
        return this.recordFault(f, `node ${f.node} fsync +${f.fsyncDelayMs}ms`, [f.node]);
      case 'kill': {
        const n = this.resolveTarget(f.node);
        await this.kill(n);
        this.killedByFault.push(n);
        return this.recordFault({ kind: 'kill', node: n }, `kill node ${n}`, [n]);
      }
      case 'stop': {
        const n = this.resolveTarget(f.node);
        await this.stopNode(n);
        this.killedByFault.push(n);
        return this.recordFault({ kind: 'stop', node: n }, `stop node ${n}`, [n]);
      }
      case 'pause': {
        const n = this.resolveTarget(f.node);
        this.pause(n);
        return this.recordFault({ kind: 'pause', node: n }, `pause node ${n}`, [n]);
      }
      case 'resume':
        this.resume(f.node);
        return this.recordFault(f, `resume node ${f.node}`, [f.node], 'heal');
      case 'restart': {
        const n = this.resolveTarget(f.node, false);
        await this.restart(n);
        this.killedByFault = this.killedByFault.filter((k) => k !== n);
        return this.recordFault({ kind: 'restart', node: n }, `restart node ${n}`, [n], 'heal');
      }
    }
  }

  /** Nodes killed or stopped by faults and not restarted since (for "restart: killed"). */
  killedNodes(): NodeId[] {
    return [...this.killedByFault];
  }

  private recordFault(f: FaultSpec, description: string, nodes: NodeId[], action: 'apply' | 'heal' = 'apply'): string {
    if (action === 'apply') this.faultCount++;
    this.labEvent({ node: null, type: 'fault', action, fault: f, description, nodes });
    return description;
  }

  faultsApplied(): number {
    return this.faultCount;
  }

  // ---------------------------------------------------------------------------
  // Workload
  // ---------------------------------------------------------------------------

  setWorkload(opts: WorkloadOptions): void {
    // Remembered here: a stopped Workload keeps its last running options, and the lab state
    // (what the renderer's workload form shows) must say clients: 0 once it was switched off.
    this.workloadSetting = opts;
    if (!this.workload) {
      this.workload = new Workload(
        {
          send: (node, requests) => this.sockets.sendClient(node, requests),
          nodes: () => this.state.ids().filter((id) => this.supervisor.isAlive(id)),
        },
        { now: () => this.now(), record: (op) => this.recordOp(op), random: this.random },
        opts,
        `${this.deps.runId}-c`,
      );
    }
    if (opts.clients === 0) {
      void this.workload.stop();
      return;
    }
    this.workload.start(opts);
  }

  /**
   * Stops issuing operations and resolves once those in flight have finished (each is
   * bounded by its timeout), so nothing the workload sent can still change the data.
   */
  async stopWorkload(): Promise<void> {
    await this.workload?.stop();
  }

  workloadOptions(): WorkloadOptions | null {
    return this.workloadSetting;
  }

  private readonly windowOps: HistoryOp[] = [];
  private okOps = 0;

  /** Operations that completed ok so far (for live ops/s). */
  opsOk(): number {
    return this.okOps;
  }
  private lastWorkloadEvent = 0;

  private recordOp(op: HistoryOp): void {
    this.recorder?.recordOp(op);
    if (op.status === 'ok') this.okOps++;
    this.windowOps.push(op);
    const now = this.now();
    if (now - this.lastWorkloadEvent >= 500) this.flushWorkloadWindow(now);
  }

  private flushWorkloadWindow(now: number): void {
    const ops = this.windowOps.splice(0);
    const interval = now - this.lastWorkloadEvent;
    this.lastWorkloadEvent = now;
    const lat = ops.filter((o) => o.status === 'ok').map((o) => o.return - o.call).sort((a, b) => a - b);
    const q = (p: number) => (lat.length === 0 ? null : lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]);
    this.labEvent({
      node: null,
      type: 'workload',
      intervalMs: interval,
      ok: ops.filter((o) => o.status === 'ok').length,
      fail: ops.filter((o) => o.status === 'fail').length,
      info: ops.filter((o) => o.status === 'info').length,
      opsPerSec: (lat.length * 1000) / Math.max(1, interval),
      p50Ms: q(0.5),
      p99Ms: q(0.99),
    });
  }

  // ---------------------------------------------------------------------------
  // Views and shutdown
  // ---------------------------------------------------------------------------

  nodes(): NodeView[] {
    return this.state.list();
  }

  leader(): NodeId | null {
    return this.state.leader();
  }

  get runDir(): string {
    return this.deps.runDir;
  }

  /** The run's CURVE keys (null when off): for in-process clients of the nodes (tests, benchmarks). */
  get curveKeys(): ClusterKeys | null {
    return this.sockets.keys;
  }

  get dataDirectory(): string {
    return this.dataDir;
  }

  isAlive(node: NodeId): boolean {
    return this.supervisor.isAlive(node);
  }

  /**
   * Stops the workload, every process and every socket, then finishes the recording
   * (checkers, summary, exports). Safe to call twice.
   */
  async stop(opts: { linearizabilityBudgetMs?: number; expectations?: Summary['expectations'] } = {}): Promise<Summary | null> {
    if (this.stopped) return null;
    this.stopped = true;
    await this.workload?.stop();
    if (this.workload) this.flushWorkloadWindow(this.now());
    if (this.supervisor) {
      // Stopping a cluster stops its nodes gracefully (recorded as 'stopped', not as
      // crashes); anything that does not exit within the grace period is killed.
      const alive = this.supervisor.ids().filter((id) => this.supervisor.isAlive(id));
      await Promise.all(
        alive.map((id) =>
          this.supervisor.stop(id, () => this.sockets.request(id, { cmd: 'stop' }, STOP_GRACE_MS), STOP_GRACE_MS).catch((err: Error) =>
            this.warn(id, `graceful stop failed: ${err.message}`),
          ),
        ),
      );
      await this.supervisor.teardown();
    }
    this.emit({ t: this.now(), node: null, type: 'run', phase: 'stopped' });
    await this.sockets?.close();
    this.allocator.dispose();
    if (this.ownsDataDir) rmSync(this.dataDir, { recursive: true, force: true });
    if (!this.recorder) return null;
    const result = await this.recorder.finish({ runId: this.deps.runId, checkBudgetMs: opts.linearizabilityBudgetMs ?? 10_000, expectations: opts.expectations });
    return result.summary;
  }
}
