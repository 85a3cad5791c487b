/**
 * One running cluster, as the Lab (Electron main, browser mode), the CLI and the tests see
 * it. It wires four parts and the run's event stream:
 *   - the node fleet (cluster/nodeFleet.ts): processes, addresses, sockets, readiness;
 *   - the fault controller (cluster/faultController.ts): the one door to every fault, which
 *     records each alike, whoever asked (UI, scenario, preset);
 *   - membership (cluster/membership.ts): voters, add and remove (§6);
 *   - the workload and its statistics (cluster/workloadStats.ts).
 * Every event passes through one pipeline (cluster/eventPipeline.ts): recorded, folded into
 * the node views, checked by the live safety monitor. How the parts reach each other is
 * cluster/assembleParts.ts; this class owns the run's lifecycle (boot, recording, stop) and
 * is the one face the Lab, the CLI and the tests talk to.
 */
import { mkdirSync } from 'node:fs';
import type { NodeId } from '../raft/types';
import { validateClusterOptions, type ClusterOptions, type WorkloadOptions } from '../contract/clusterOptions';
import type { ControlCommand, ControlReply } from '../contract/control';
import type { FaultSpec } from '../contract/faults';
import type { NodeView } from '../contract/labApi';
import type { Summary } from '../contract/runEvents';
import { ClusterError } from './clusterError';
import { ClusterState } from './clusterState';
import type { FaultPlan } from './faultPlan';
import type { PartitionRequest } from './partitions';
import { RunRecorder } from './recorder/runRecorder';
import { finishRun } from './finishRun';
import { writeJournalClock } from './export/messageExports';
import type { ClusterKeys } from './keys';
import { assembleParts, type ClusterParts } from './cluster/assembleParts';
import type { ClusterDeps } from './cluster/clusterDeps';
import { setClusterSpeed } from './cluster/slowMotion';

export { ClusterError };
export type { ClusterDeps };

export class Cluster {
  readonly state = new ClusterState();
  readonly options: ClusterOptions;
  private readonly fleet: ClusterParts['fleet'];
  private readonly faultCtl: ClusterParts['faults'];
  private readonly membership: ClusterParts['membership'];
  private readonly work: ClusterParts['work'];
  private readonly events: ClusterParts['events'];
  /** The debugger's lab half (src/lab/debug, docs/debugger.md). */
  readonly debug: ClusterParts['debug'];
  /** Null when recording is off (ClusterDeps.record: false) or before boot. */
  private recorder: RunRecorder | null = null;
  private stopped = false;

  private constructor(options: ClusterOptions, private readonly deps: ClusterDeps) {
    this.options = options;
    const parts = assembleParts(options, deps, this.state, (reason) => this.fatal(reason));
    this.events = parts.events;
    this.fleet = parts.fleet;
    this.faultCtl = parts.faults;
    this.membership = parts.membership;
    this.work = parts.work;
    this.debug = parts.debug;
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
    return this.events.now();
  }

  private async boot(): Promise<void> {
    mkdirSync(this.deps.runDir, { recursive: true });
    if (this.deps.record !== false) {
      this.recorder = new RunRecorder(this.deps.runDir, { onFatal: (err) => this.fatal(err.message) });
      this.recorder.start();
    }
    this.events.begin(this.recorder);
    if (this.recorder && (this.options.recording ?? 'full') !== 'off') writeJournalClock(this.deps.runDir, this.events.startWallMs);
    await this.fleet.open();
    this.events.emit({ t: 0, node: null, type: 'run', phase: 'started', options: this.options, runId: this.deps.runId });
    if (this.fleet.speed !== 1) this.events.labEvent({ node: null, type: 'speed', speed: this.fleet.speed });
    const ids = await this.membership.bootstrap(this.options.nodes);
    for (const id of ids) this.fleet.spawn(id, ids, false);
    await Promise.all(ids.map((id) => this.fleet.waitReady(id)));
    this.work.setSpeed(this.fleet.speed);
    if (this.options.workload.clients > 0) this.setWorkload(this.options.workload);
  }

  private fatalReported = false;

  /** The run cannot go on (deps.onFatal): say why in the event stream, once, and ask to stop. */
  private fatal(reason: string): void {
    if (this.fatalReported || this.stopped) return;
    this.fatalReported = true;
    this.events.emit({ t: this.now(), node: null, type: 'log', level: 'error', message: `lab: stopping the run: ${reason}` });
    this.deps.onFatal?.(reason);
  }

  control(node: NodeId, command: ControlCommand, timeoutMs?: number): Promise<ControlReply> {
    return this.fleet.control(node, command, timeoutMs);
  }

  /** A concrete node for a scenario target: whoever leads now, or a seeded-random (live) node. */
  resolveTarget(target: NodeId | 'leader' | 'random', alive = true): NodeId {
    return this.faultCtl.resolveTarget(target, alive);
  }

  // Process actions are faults: they go through the fault controller, so a Kill clicked in
  // the UI (node:kill) is recorded like a scenario's or a preset's kill (fault:apply).

  async kill(node: NodeId): Promise<void> {
    await this.faultCtl.apply({ kind: 'kill', node });
  }

  async stopNode(node: NodeId): Promise<void> {
    await this.faultCtl.apply({ kind: 'stop', node });
  }

  pause(node: NodeId): void {
    this.faultCtl.pause(node);
  }

  resume(node: NodeId): void {
    this.faultCtl.resume(node);
  }

  /** Crash recovery: kill if running, then start again from the same data directory. */
  async restart(node: NodeId): Promise<void> {
    await this.faultCtl.apply({ kind: 'restart', node });
  }

  async transferLeader(to: NodeId): Promise<void> {
    if (!this.state.has(to)) throw new ClusterError(`there is no node ${to} in this cluster`);
    const leader = this.state.leader();
    if (leader === null) throw new ClusterError('there is no leader to transfer from');
    if (leader === to) return;
    await this.fleet.control(leader, { cmd: 'transferLeader', to });
  }

  addNode(): Promise<NodeId> {
    return this.membership.add();
  }

  async removeNode(node: NodeId): Promise<void> {
    await this.membership.remove(node);
    this.deps.onChange?.();
  }

  /** The network, clock and disk rules in force. */
  get faults(): FaultPlan {
    return this.faultCtl.plan;
  }

  partition(req: PartitionRequest): Promise<string> {
    return this.faultCtl.partition(req);
  }

  heal(): Promise<void> {
    return this.faultCtl.heal();
  }

  /** Applies any fault spec (the scenario timeline and the renderer's fault controls use this). */
  applyFault(f: FaultSpec): Promise<string> {
    return this.faultCtl.apply(f);
  }

  /** Undoes one fault in force, named by its key (src/contract/faultKeys.ts). */
  removeFault(id: string): Promise<string> {
    return this.faultCtl.remove(id);
  }

  /** Records the scenario step the runner just played (a `step` run event, with its note). */
  recordStep(step: { index: number; line: number; description: string; skipped?: boolean; note?: string }): void {
    this.events.labEvent({ node: null, type: 'step', ...step });
  }

  /** Writes the recording's buffered events now, so a reader of events.jsonl sees every event emitted so far. */
  flushRecording(): void {
    this.recorder?.flush();
  }

  /** Nodes killed or stopped by faults and not restarted since (for "restart: killed"). */
  killedNodes(): NodeId[] {
    return this.faultCtl.killedNodes();
  }

  faultsApplied(): number {
    return this.faultCtl.faultsApplied();
  }

  /** Slow motion: the whole cluster at `speed` (0.01 to 1; src/lab/cluster/slowMotion.ts). */
  setSpeed(speed: number): Promise<void> {
    return setClusterSpeed({ fleet: this.fleet, work: this.work, nodes: () => this.state.ids(), record: (ev) => this.events.labEvent(ev) }, speed);
  }

  /** The cluster's speed now (1: real time). */
  get speed(): number {
    return this.fleet.speed;
  }

  setWorkload(opts: WorkloadOptions): void {
    this.work.set(opts);
  }

  /** Stops issuing operations; resolves once those in flight have finished. */
  stopWorkload(): Promise<void> {
    return this.work.stop();
  }

  workloadOptions(): WorkloadOptions | null {
    return this.work.options();
  }

  /** Operations that completed ok so far (for live ops/s). */
  opsOk(): number {
    return this.work.opsOk();
  }

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
    return this.fleet.curveKeys;
  }

  get dataDirectory(): string {
    return this.fleet.dataDirectory;
  }

  isAlive(node: NodeId): boolean {
    return this.fleet.isAlive(node);
  }

  /**
   * Stops the workload, every process and every socket, then finishes the recording
   * (checkers, summary, exports). Safe to call twice.
   */
  async stop(opts: { linearizabilityBudgetMs?: number; expectations?: Summary['expectations'] } = {}): Promise<Summary | null> {
    if (this.stopped) return null;
    this.stopped = true;
    await this.work.finish();
    await this.fleet.stopAll((id, err) => this.events.warn(id, `graceful stop failed: ${err.message}`));
    this.events.finish();
    this.events.emit({ t: this.now(), node: null, type: 'run', phase: 'stopped' });
    await this.fleet.close();
    if (!this.recorder) return null;
    const result = await finishRun(this.recorder, { runId: this.deps.runId, checkBudgetMs: opts.linearizabilityBudgetMs ?? 10_000, expectations: opts.expectations });
    return result.summary;
  }
}
