/**
 * A real cluster for integration tests: the lab's `Cluster` (real node processes, real
 * ZeroMQ sockets, real files) plus what tests need around it:
 *   - every RunEvent kept in order, with typed queries (`eventsOf`) and subscriptions;
 *   - a private temporary directory per cluster (run recording and node data), removed on
 *     success and kept (its path printed) when a test failed;
 *   - waits with deadlines for the facts tests care about (a stable leader, applied
 *     indexes), each failing with a picture of the cluster;
 *   - a registry so `stopAllClusters()` in afterEach leaves no process behind.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { ClusterOptions, WorkloadOptions } from '../../../src/contract/clusterOptions';
import { DEFAULT_WORKLOAD, withDefaults } from '../../../src/contract/clusterOptions';
import type { NodeView } from '../../../src/contract/labApi';
import type { NodeProcessConfig } from '../../../src/contract/nodeConfig';
import type { RunEvent, Summary } from '../../../src/contract/runEvents';
import { Cluster } from '../../../src/lab/cluster';
import type { ClusterDeps } from '../../../src/lab/cluster/clusterDeps';
import type { NodeId } from '../../../src/raft/types';
import { nodeScript } from './nodeBuild';
import { expectExactReplay } from './replay';
import { waitFor } from './waitFor';

export type ClusterOptionsInput = Partial<Omit<ClusterOptions, 'workload'>> & { workload?: Partial<WorkloadOptions> };

export interface TestClusterStartOptions {
  /**
   * Cluster options; unset fields take the lab defaults except: 3 nodes, no workload
   * (tests drive their own clients), and data under this cluster's temp directory.
   */
  options?: ClusterOptionsInput;
  /** Extra environment for the node processes. */
  env?: Record<string, string>;
  /**
   * The executable that runs the node script (default: this Node). A wrapper script can
   * add flags NODE_OPTIONS does not allow, e.g. `exec node --cpu-prof "$@"`.
   */
  execPath?: string;
  /** How long to wait for every node to report ready (default 20 s: the CI machine is shared). */
  readyTimeoutMs?: number;
  /** A word for the temp directory name, to find a kept run. */
  label?: string;
  /**
   * Which events to keep in `events` (default: all). Listeners still see every event;
   * benchmarks drop the per-entry ones ('apply', 'commit') to keep memory flat.
   */
  retain?: (ev: RunEvent) => boolean;
  /** CURVE on every socket (default true, as in the app); the node benchmark compares off. */
  curve?: boolean;
  /** How remote hosts are reached when options name `hosts` (the netns suites pass their ssh config). */
  hosts?: ClusterDeps['hosts'];
}

/** An event of one type, narrowed. */
export type EventOf<T extends RunEvent['type']> = Extract<RunEvent, { type: T }>;

/** One entry as a node applied it ('apply' telemetry). */
export interface AppliedEntry {
  index: number;
  term: number;
  digest: string;
}

const LIVE_STATES = new Set(['started', 'restarted', 'resumed']);
/** Clusters created and not yet disposed (stopAllClusters disposes them). */
const active = new Set<TestCluster>();

export class TestCluster {
  /** Every event, in the order the lab saw it. */
  readonly events: RunEvent[] = [];
  private readonly listeners = new Set<(ev: RunEvent) => void>();
  private inner: Cluster | null = null;
  private stopped = false;
  private summary: Summary | null = null;

  private constructor(
    /** This cluster's private temp directory (run recording in run/, node data in data/). */
    readonly baseDir: string,
    private readonly retain: (ev: RunEvent) => boolean,
  ) {}

  /** Spawns the nodes and waits until every one reported ready. */
  static async start(opts: TestClusterStartOptions = {}): Promise<TestCluster> {
    const baseDir = mkdtempSync(join(tmpdir(), `raftlab-it-${opts.label ?? 'cluster'}-`));
    const tc = new TestCluster(baseDir, opts.retain ?? (() => true));
    active.add(tc);
    const input = opts.options ?? {};
    const options = withDefaults({
      nodes: 3,
      dataDir: join(baseDir, 'data'),
      ...input,
      workload: { ...DEFAULT_WORKLOAD, clients: 0, ...(input.workload ?? {}) },
    });
    const runId = `it-${basename(baseDir)}`;
    try {
      tc.inner = await Cluster.start(options, {
        runDir: join(baseDir, 'run'),
        runId,
        nodeScript: await nodeScript(),
        execPath: opts.execPath ?? process.execPath,
        env: opts.env,
        readyTimeoutMs: opts.readyTimeoutMs ?? 20_000,
        curve: opts.curve,
        hosts: opts.hosts,
        onEvent: (ev) => tc.record(ev),
      });
    } catch (err) {
      // Cluster.start already stopped whatever it had spawned.
      tc.stopped = true;
      active.delete(tc);
      throw new Error(`cluster did not start (artifacts kept in ${baseDir}): ${(err as Error).message}`, { cause: err });
    }
    return tc;
  }

  /** The lab's Cluster: kill, restart, partition, control... */
  get cluster(): Cluster {
    if (!this.inner) throw new Error('the cluster has not started');
    return this.inner;
  }

  get runDir(): string {
    return this.cluster.runDir;
  }

  /** The cluster id every frame carries (the lab uses the run id). */
  get clusterId(): string {
    return this.nodeConfig(this.ids()[0]).clusterId;
  }

  ids(): NodeId[] {
    return this.cluster.nodes().map((v) => v.id);
  }

  view(id: NodeId): NodeView {
    const v = this.cluster.nodes().find((n) => n.id === id);
    if (!v) throw new Error(`no node ${id}`);
    return v;
  }

  /** Nodes whose process is running and has reported ready (not paused, not dead). */
  liveIds(): NodeId[] {
    return this.cluster
      .nodes()
      .filter((v) => LIVE_STATES.has(v.process))
      .map((v) => v.id);
  }

  /** The config file the lab wrote for a node (<runDir>/node-N.json). */
  nodeConfig(id: NodeId): NodeProcessConfig {
    return JSON.parse(readFileSync(join(this.runDir, `node-${id}.json`), 'utf8')) as NodeProcessConfig;
  }

  /**
   * The endpoints node `id` bound, as its latest 'ready' reported them: a tcp node binds a
   * wildcard port (src/lab/addresses.ts), so its config holds `tcp://127.0.0.1:*`, not these.
   */
  boundEndpoints(id: NodeId): { peerAddress: string; clientAddress: string } {
    const ready = this.eventsOf('ready', id).at(-1);
    if (!ready) throw new Error(`node ${id} has not reported ready: ${this.describe()}`);
    return { peerAddress: ready.peerAddress, clientAddress: ready.clientAddress };
  }

  peerAddress(id: NodeId): string {
    return this.boundEndpoints(id).peerAddress;
  }

  clientAddress(id: NodeId): string {
    return this.boundEndpoints(id).clientAddress;
  }

  /** The node's data directory (wal/, hardstate, snapshot/). */
  dataDir(id: NodeId): string {
    return this.nodeConfig(id).dataDir;
  }

  /** The node's log file (stdout and stderr of every incarnation). */
  logPath(id: NodeId): string {
    return join(this.runDir, 'logs', `node-${id}.log`);
  }

  logText(id: NodeId): string {
    const path = this.logPath(id);
    return existsSync(path) ? readFileSync(path, 'utf8') : '';
  }

  // ---------------------------------------------------------------------------
  // Events
  // ---------------------------------------------------------------------------

  private record(ev: RunEvent): void {
    if (this.retain(ev)) this.events.push(ev);
    for (const fn of this.listeners) fn(ev);
  }

  /** Calls `fn` for every later event; returns the unsubscribe function. */
  onEvent(fn: (ev: RunEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Events of one type (optionally one node's, optionally from index `from` of `events`). */
  eventsOf<T extends RunEvent['type']>(type: T, node?: NodeId, from = 0): Array<EventOf<T>> {
    const out: Array<EventOf<T>> = [];
    for (let i = from; i < this.events.length; i++) {
      const ev = this.events[i];
      if (ev.type === type && (node === undefined || ev.node === node)) out.push(ev as EventOf<T>);
    }
    return out;
  }

  /** The node's latest metrics snapshot, if any. */
  latestMetrics(id: NodeId): EventOf<'metrics'> | undefined {
    for (let i = this.events.length - 1; i >= 0; i--) {
      const ev = this.events[i];
      if (ev.type === 'metrics' && ev.node === id) return ev;
    }
    return undefined;
  }

  /** Position in `events` now: pass it as `from` to look only at what happens later. */
  mark(): number {
    return this.events.length;
  }

  /**
   * What a node applied, by index, from its 'apply' events (a restarted node applies its
   * committed log again from the start; those repeats must agree with what it applied
   * before). Throws if the node applied two different entries at one index.
   */
  appliedLog(id: NodeId): Map<number, AppliedEntry> {
    const log = new Map<number, AppliedEntry>();
    for (const ev of this.eventsOf('apply', id)) {
      const prev = log.get(ev.index);
      if (prev && (prev.digest !== ev.digest || prev.term !== ev.term)) {
        throw new Error(`node ${id} applied two different entries at index ${ev.index}: ${prev.term}/${prev.digest} then ${ev.term}/${ev.digest}`);
      }
      log.set(ev.index, { index: ev.index, term: ev.term, digest: ev.digest });
    }
    return log;
  }

  /** Highest index a node has applied according to its telemetry (0 if none). */
  appliedIndex(id: NodeId): number {
    let max = 0;
    for (const ev of this.eventsOf('apply', id)) max = Math.max(max, ev.index);
    return max;
  }

  /** Violations the lab's safety monitor reported (election safety, state machine safety...). */
  violations(): Array<EventOf<'violation'>> {
    return this.eventsOf('violation');
  }

  /**
   * Election Safety (§5.2) over every role event seen: at most one leader per term.
   * Returns a description of each breach (empty when safe).
   */
  electionSafetyBreaches(): string[] {
    const leaders = new Map<number, Set<NodeId>>();
    for (const ev of this.eventsOf('role')) {
      if (ev.role !== 'leader' || ev.node === null) continue;
      const set = leaders.get(ev.term) ?? new Set<NodeId>();
      set.add(ev.node);
      leaders.set(ev.term, set);
    }
    return [...leaders].filter(([, s]) => s.size > 1).map(([term, s]) => `term ${term} had leaders ${[...s].join(', ')}`);
  }

  // ---------------------------------------------------------------------------
  // Waits
  // ---------------------------------------------------------------------------

  /** One line per node: process, role, term, leader, commit, applied. */
  describe(): string {
    return this.cluster
      .nodes()
      .map((v) => `n${v.id}:${v.process}/${v.role}/t${v.term}/L${v.leader ?? '-'}/c${v.commit}/a${this.appliedIndex(v.id)}`)
      .join(' ');
  }

  /**
   * Waits until exactly one of `among` (default: the live nodes) leads, and every one of
   * them names it as leader in the same term. Returns the leader and its term.
   */
  async waitForAgreedLeader(opts: { timeoutMs: number; among?: () => NodeId[] }): Promise<{ leader: NodeId; term: number }> {
    return waitFor(() => this.agreedLeader(opts.among?.() ?? this.liveIds()), {
      timeoutMs: opts.timeoutMs,
      what: 'one leader that every live node agrees on',
      describe: () => this.describe(),
    });
  }

  /** The leader `nodes` agree on right now, or null. */
  agreedLeader(nodes: NodeId[]): { leader: NodeId; term: number } | null {
    if (nodes.length === 0) return null;
    const views = this.cluster.nodes().filter((v) => nodes.includes(v.id));
    if (views.length !== nodes.length || views.some((v) => !LIVE_STATES.has(v.process))) return null;
    const leaders = views.filter((v) => v.role === 'leader');
    if (leaders.length !== 1) return null;
    const { id: leader, term } = leaders[0];
    return views.every((v) => v.leader === leader && v.term === term) ? { leader, term } : null;
  }

  /** Waits until each of `nodes` (default all) has applied at least `index`. */
  async waitForApplied(index: number, opts: { timeoutMs: number; nodes?: NodeId[] }): Promise<void> {
    const nodes = opts.nodes ?? this.ids();
    await waitFor(() => nodes.every((id) => this.appliedIndex(id) >= index), {
      timeoutMs: opts.timeoutMs,
      what: `nodes ${nodes.join(',')} to apply index ${index}`,
      describe: () => this.describe(),
    });
  }

  // ---------------------------------------------------------------------------
  // Teardown
  // ---------------------------------------------------------------------------

  /**
   * Stops every process and socket and finishes the recording; returns the run summary.
   * Safe to call more than once (later calls return the first summary).
   * `linearizabilityBudgetMs` (default 2000) bounds the history check of the summary.
   */
  async stop(opts: { linearizabilityBudgetMs?: number } = {}): Promise<Summary | null> {
    if (this.stopped) return this.summary;
    this.stopped = true;
    this.summary = (await this.inner?.stop({ linearizabilityBudgetMs: opts.linearizabilityBudgetMs ?? 2000 })) ?? null;
    return this.summary;
  }

  /**
   * Stops, replays the run's journals (0 mismatches, or this throws and the artifacts are
   * kept), then deletes the temp directory unless `keep` (then its path is printed).
   */
  async dispose(opts: { keep: boolean }): Promise<void> {
    const ipcDir = this.ipcDirectory();
    let keep = opts.keep;
    try {
      await this.stop();
      if (this.inner) {
        try {
          expectExactReplay(this.runDir, (this.inner.options.recording ?? 'full') === 'full');
        } catch (err) {
          keep = true;
          throw err;
        }
      }
    } finally {
      active.delete(this);
      if (ipcDir) rmSync(ipcDir, { recursive: true, force: true });
      if (keep) console.error(`[integration] kept cluster artifacts in ${this.baseDir}`);
      else rmSync(this.baseDir, { recursive: true, force: true });
    }
  }

  /** The lab's per-cluster ipc socket directory (tmp/rl-XXXXXX), if the transport is ipc. */
  private ipcDirectory(): string | null {
    if (!this.inner || this.inner.options.transport !== 'ipc') return null;
    try {
      const address = this.nodeConfig(this.ids()[0]).controlAddress;
      const dir = dirname(address.replace(/^ipc:\/\//, ''));
      return basename(dir).startsWith('rl-') && dirname(dir) === tmpdir() ? dir : null;
    } catch (err) {
      console.error(`[integration] could not find the ipc directory: ${(err as Error).message}`);
      return null;
    }
  }
}

/**
 * Stops and disposes every cluster not yet disposed (call in afterEach). Artifacts are
 * kept when the test failed, so the run directory and node logs can be read.
 */
export async function stopAllClusters(opts: { keepArtifacts: boolean }): Promise<void> {
  const clusters = [...active];
  const results = await Promise.allSettled(clusters.map((c) => c.dispose({ keep: opts.keepArtifacts })));
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failures.length > 0) throw new Error(`teardown failed: ${failures.map((f) => String(f.reason)).join('; ')}`);
}

/** Clusters started and not yet disposed. */
export function undisposedClusters(): number {
  return active.size;
}
