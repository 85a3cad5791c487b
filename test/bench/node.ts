/**
 * End-to-end figures for real node processes: a 3-node cluster on loopback TCP, run by the
 * lab's Cluster class (telemetry, recording and safety monitoring included, as in the app),
 * on whatever machine runs it (the project's is 2 cores, shared by the 3 nodes, the lab
 * and the load generator).
 *
 *   - single-request load, etcd's benchmark shape (test/bench/loadShape.ts): closed loops of
 *     1, 16, 64 and 256 clients with one put each in flight, one request per frame, and an
 *     open loop of 1,000 puts/s; writes/s, p50, p99 and RSS per node, fsync always and never;
 *   - pipelined throughput: several client connections to the leader, each keeping several
 *     large batches of puts in flight; ok answers per second, fsync always/never;
 *   - failover: kill -9 of the leader to the first 'role' leader event of a higher term
 *     from another node (event timestamps), 30 times, restarting the killed node between;
 *   - RSS per node process, idle and under load (the nodes' 'metrics' telemetry, every 100 ms);
 *   - the floor: a raw ZeroMQ round trip between two processes;
 *   - the cost of CURVE: throughput and latency (fsync never) with CURVE on (the default:
 *     encryption, ZAP allow-lists, sealed frames) and off, back to back in one run.
 *
 * Also reported: CPU µs per committed write for each process (from /proc), which is what
 * decides throughput on two cores, and the ZeroMQ round trip when the two processes idle
 * 1 ms between messages (the pacing of the latency phase: idle threads take longer to wake
 * than the hot ping-pong of the plain floor figure).
 *
 * The latency client runs in a worker thread of this process when the bench runs bundled,
 * so the lab's own work here (telemetry, recording, safety checks) cannot delay its timers.
 *
 * `npm run bench -- node [--phase=closed-1,open-1000,...] [--fsync=always|never]
 * [--variants=before=/tmp/base/out/node/main.mjs,after] (or name=exec:<wrapper> for the current build
 * under another executable, e.g. one adding V8 flags)
 * [--duration=MS] [--kills=N] [--connections=N] [--inflight=N] [--batch=N]` (see
 * parseNodeBenchArgs; phases: pipelined, closed-1, closed-16, closed-64, closed-256,
 * open-1000, failover, curve, zmq). Alone: `node scripts/run-ts.mjs test/bench/node.ts` with
 * the same options.
 * Environment: RAFTLAB_BENCH_CPU_PROF=<dir> runs each node under `node --cpu-prof` (through
 * a small wrapper script: NODE_OPTIONS does not allow --cpu-prof) and stops the nodes
 * gracefully so the profiles get written; RAFTLAB_BENCH_EXEC=<executable> runs the nodes
 * with another executable (e.g. a wrapper adding V8 flags); RAFTLAB_BENCH_KEEP=1 keeps each
 * cluster's run directory and logs; RAFTLAB_NODE_SCRIPT=<main.mjs> benchmarks another build.
 */
import { fork } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { Dealer } from 'zeromq';
import { KvClientConnection } from '../../src/lab/sockets/kvClientConnection';
import type { CurveClient } from '../../src/wire/curveOptions';
import type { ClientRequest, ClientResponse } from '../../src/contract/client';
import type { RunEvent } from '../../src/contract/runEvents';
import type { NodeId } from '../../src/raft/types';
import { TestCluster } from '../integration/helpers/testCluster';
import { delay, waitFor } from '../integration/helpers/waitFor';
import { percentile } from '../../src/analysis/percentile';
import { LOAD_VALUE, loadKey, runClosedLoop, runOpenLoop, type LoadResult, type PutFn } from './loadShape';
import { benchZmqRoundTrip } from './zmqRoundTrip';

export interface NodeBenchOptions {
  /** Measured time of each throughput and load phase (default 3000 ms). */
  durationMs?: number;
  /** Leader kills for the failover figure (default 30). */
  kills?: number;
  /** Client connections for throughput (default 4). */
  connections?: number;
  /** Puts per request batch (default 256). */
  batch?: number;
  /** Batches in flight per connection (default 4). */
  inFlightBatches?: number;
  /** Rate of the latency phase, writes/s (default 1000). */
  latencyRate?: number;
  /** Only these phases (default all; see phaseIds()). */
  phases?: string[];
  /** The fsync policies of the cluster phases (default always, then never). */
  fsync?: Array<'always' | 'never'>;
  /** Phases or fsync policies to leave out. */
  skip?: string[];
  /**
   * Node builds to compare side by side in this run, `name=path/to/main.mjs` each (default:
   * the current build alone). Each runs the cluster phases on its own fresh cluster, one
   * after the other for each fsync policy, so a lever is measured against its absence under
   * the same machine load (a variant built from another commit: see docs/performance.md).
   */
  variants?: Array<{ name: string; script?: string; exec?: string }>;
}

const MAX_FRAME_BYTES = 16 << 20;
const VALUE = 'v'.repeat(16);

/** Only what the bench reads: per-entry events would hold hundreds of MB. */
const retain = (ev: RunEvent) => ev.type === 'role' || ev.type === 'metrics' || ev.type === 'process' || ev.type === 'ready';

/** The shared nearest-rank percentile (src/analysis/percentile.ts); NaN for no samples. */
const pct = (sorted: number[], p: number): number => percentile(sorted, p) ?? Number.NaN;

function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

function describeFailure(r: ClientResponse): string {
  return r.status === 'ok' ? 'ok' : `${r.status}/${r.error}${'message' in r && r.message ? `: ${r.message.slice(0, 80)}` : ''}`;
}

/** With RAFTLAB_BENCH_CPU_PROF=<dir>: an executable that runs node with --cpu-prof into <dir>. */
function profilingExecPath(): string | undefined {
  const dir = process.env.RAFTLAB_BENCH_CPU_PROF;
  if (!dir) return undefined;
  mkdirSync(dir, { recursive: true });
  const wrapper = join(dir, 'node-cpu-prof.sh');
  writeFileSync(wrapper, `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} --cpu-prof --cpu-prof-dir=${JSON.stringify(dir)} "$@"\n`);
  chmodSync(wrapper, 0o755);
  return wrapper;
}

/** Graceful stops when profiling (a SIGKILLed node writes no --cpu-prof profile), then teardown. */
async function shutdown(tc: TestCluster): Promise<void> {
  if (profilingExecPath()) await Promise.all(tc.liveIds().map((id) => tc.cluster.stopNode(id)));
  await tc.dispose({ keep: process.env.RAFTLAB_BENCH_KEEP === '1' });
}

async function startCluster(fsync: 'never' | 'always', label: string, curve = true, recording: 'off' | 'messages' | 'full' = 'full'): Promise<TestCluster> {
  const tc = await TestCluster.start({ options: { nodes: 3, transport: 'tcp', fsync, recording }, label, retain, curve, execPath: profilingExecPath() ?? (process.env.RAFTLAB_BENCH_EXEC || undefined) });
  await tc.waitForAgreedLeader({ timeoutMs: 15_000 });
  return tc;
}

function connect(tc: TestCluster, node: NodeId, onResponses: (r: ClientResponse[]) => void): KvClientConnection {
  return new KvClientConnection({
    clusterId: tc.clusterId,
    address: tc.clientAddress(node),
    maxFrameBytes: MAX_FRAME_BYTES,
    sendTimeoutMs: 5000,
    curve: tc.cluster.curveKeys?.clientOf(node),
    onResponses,
    onError: (err, context) => console.error(`[bench] ${context}: ${String(err)}`),
  });
}

/** Max RSS (MB) any node reported in metrics at or after run time `fromT`. */
function maxRssMb(tc: TestCluster, fromT: number): number {
  let max = 0;
  for (const ev of tc.eventsOf('metrics')) if (ev.t >= fromT) max = Math.max(max, ev.rssBytes);
  return round(max / (1 << 20), 1);
}

/**
 * Max V8 heap in use and max external memory (MB) any node reported at or after `fromT`:
 * what of the RSS is JavaScript objects and what is Buffers. Undefined for node builds
 * that do not report them (a --variants build from before the fields).
 */
function maxHeapMb(tc: TestCluster, fromT: number): { heapMb?: number; externalMb?: number } {
  let heap: number | undefined;
  let ext: number | undefined;
  for (const ev of tc.eventsOf('metrics')) {
    if (ev.t < fromT) continue;
    if (ev.heapUsedBytes !== undefined) heap = Math.max(heap ?? 0, ev.heapUsedBytes);
    if (ev.externalBytes !== undefined) ext = Math.max(ext ?? 0, ev.externalBytes);
  }
  const mb = (b: number | undefined) => (b === undefined ? undefined : round(b / (1 << 20), 1));
  return { heapMb: mb(heap), externalMb: mb(ext) };
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
function processCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch (err) {
    console.error(`[bench] cannot read CPU time of ${pid}: ${(err as Error).message}`);
    return null;
  }
}

/** USER_HZ on Linux; 100 on every common configuration. */
const CLOCK_TICKS = 100;

/** CPU time per process (node ids, and 'lab' for this process) between two samples. */
class CpuMeter {
  private readonly start = new Map<string, number>();
  constructor(private readonly pids: Map<string, number>) {
    for (const [name, pid] of pids) this.start.set(name, processCpuSeconds(pid) ?? Number.NaN);
    const lab = process.cpuUsage();
    this.start.set('lab', (lab.user + lab.system) / 1e6);
  }

  /** CPU µs per unit of work (e.g. per committed write) for each process since construction. */
  perUnitUs(units: number): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, pid] of this.pids) out[name] = round((((processCpuSeconds(pid) ?? Number.NaN) - this.start.get(name)!) * 1e6) / units, 1);
    const lab = process.cpuUsage();
    out.lab = round((((lab.user + lab.system) / 1e6 - this.start.get('lab')!) * 1e6) / units, 1);
    return out;
  }
}

interface ThroughputResult {
  /** CPU µs per committed write, by process: leader, follower(s), lab (this process, clients included). */
  cpuUsPerWrite: Record<string, number>;
  writesPerSec: number;
  ok: number;
  failed: number;
  /** Leader changes the writers followed (an election during the run). */
  leaderChanges: number;
  rssMb: number;
  maxLoopLagMs: number;
}

/**
 * One pipelined writer: a connection to the leader with up to `window` puts in flight,
 * sent in batches. When the leader changes (not_leader with a hint), it abandons what is
 * in flight there and reconnects to the new leader, so a run survives an election.
 */
class PipelinedWriter {
  private conn: KvClientConnection | null = null;
  private outstanding = 0;
  private seq = 0;
  private running = true;
  /** Bumped on reconnect: answers from an abandoned connection are ignored. */
  private epoch = 0;
  ok = 0;
  failed = 0;
  leaderChanges = 0;
  readonly failures = new Map<string, number>();

  constructor(
    private readonly tc: TestCluster,
    private readonly client: string,
    private readonly batch: number,
    private readonly window: number,
    private readonly counting: () => boolean,
  ) {}

  start(leader: NodeId): void {
    const epoch = ++this.epoch;
    this.outstanding = 0;
    const old = this.conn;
    this.conn = connect(this.tc, leader, (responses) => this.onResponses(epoch, responses));
    if (old) void old.close();
    this.refill();
  }

  get inFlight(): number {
    return this.outstanding;
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.conn?.close();
  }

  /** Stops sending; answers to what is in flight still count. */
  pause(): void {
    this.running = false;
  }

  private onResponses(epoch: number, responses: ClientResponse[]): void {
    if (epoch !== this.epoch) return;
    this.outstanding -= responses.length;
    let newLeader: NodeId | null = null;
    for (const r of responses) {
      if (r.status === 'ok') {
        if (this.counting()) this.ok++;
        continue;
      }
      if (this.counting()) this.failed++;
      const why = describeFailure(r);
      this.failures.set(why, (this.failures.get(why) ?? 0) + 1);
      if (r.status === 'fail' && r.error === 'not_leader' && typeof r.leader === 'number') newLeader = r.leader;
    }
    if (newLeader !== null && this.running) {
      this.leaderChanges++;
      this.start(newLeader);
    } else {
      this.refill();
    }
  }

  private refill(): void {
    const conn = this.conn;
    while (this.running && conn && this.outstanding + this.batch <= this.window) {
      const requests: ClientRequest[] = new Array(this.batch);
      for (let i = 0; i < this.batch; i++) {
        const seq = ++this.seq;
        requests[i] = { client: this.client, seq, op: { op: 'put', key: `k${seq % 4096}`, value: VALUE } };
      }
      this.outstanding += this.batch;
      const epoch = this.epoch;
      conn.send(requests).then(
        (sent) => {
          if (!sent && epoch === this.epoch) {
            this.outstanding -= this.batch;
            this.failed += this.batch;
          }
        },
        (err: Error) => console.error(`[bench] send: ${err.message}`),
      );
    }
  }
}

/** Pipelined puts to the leader from several connections; ok answers per second. */
async function measureThroughput(tc: TestCluster, opts: Required<Pick<NodeBenchOptions, 'durationMs' | 'connections' | 'batch' | 'inFlightBatches'>>): Promise<ThroughputResult> {
  const leader = tc.cluster.leader();
  if (leader === null) throw new Error('no leader for the throughput phase');
  const warmupMs = 1000;
  let measuring = false;
  const writers = Array.from(
    { length: opts.connections },
    (_, i) => new PipelinedWriter(tc, `bench-${process.pid}-${i}`, opts.batch, opts.batch * opts.inFlightBatches, () => measuring),
  );
  for (const w of writers) w.start(leader);
  await delay(warmupMs);
  const fromT = tc.cluster.now();
  const pids = new Map<string, number>();
  for (const v of tc.cluster.nodes()) if (v.pid !== null) pids.set(v.id === leader ? 'leader' : `follower${v.id}`, v.pid);
  const cpu = new CpuMeter(pids);
  measuring = true;
  const start = performance.now();
  await delay(opts.durationMs);
  measuring = false;
  const seconds = (performance.now() - start) / 1000;
  const ok = writers.reduce((n, w) => n + w.ok, 0);
  const cpuUsPerWrite = cpu.perUnitUs(Math.max(1, ok));
  for (const w of writers) w.pause();
  await waitFor(() => writers.every((w) => w.inFlight <= 0), { timeoutMs: 10_000, what: 'the pipelined writes to drain' }).catch((err: Error) =>
    console.error(`[bench] ${err.message}`),
  );
  await Promise.all(writers.map((w) => w.stop()));
  let lag = 0;
  for (const ev of tc.eventsOf('metrics')) if (ev.t >= fromT && ev.t <= tc.cluster.now()) lag = Math.max(lag, ev.loopLagMs);
  const failures = new Map<string, number>();
  for (const w of writers) for (const [k, v] of w.failures) failures.set(k, (failures.get(k) ?? 0) + v);
  if (failures.size > 0) console.error(`[bench] refused writes: ${[...failures].map(([k, v]) => `${k} x${v}`).join(', ')}`);
  return {
    writesPerSec: Math.round(ok / seconds),
    ok,
    failed: writers.reduce((n, w) => n + w.failed, 0),
    leaderChanges: Math.max(...writers.map((w) => w.leaderChanges)),
    rssMb: maxRssMb(tc, fromT),
    maxLoopLagMs: lag,
    cpuUsPerWrite,
  };
}

/** A load phase for the worker thread: plain data, so it can cross into it. */
interface LoadJob {
  clusterId: string;
  address: string;
  /** The lab's CURVE credentials for the leader (plain strings), when CURVE is on. */
  curve?: CurveClient;
  shape: { kind: 'closed'; clients: number } | { kind: 'open'; rate: number };
  durationMs: number;
  warmupMs: number;
}

/** Client connections for a closed-loop phase of `clients` (etcd's benchmark shares connections among clients too). */
function connectionsFor(clients: number): number {
  return Math.min(clients, 16);
}

/**
 * Puts over KvClientConnections, one request per frame: client c uses connection
 * c % connections and its own client id and sequence numbers (the node's sessions
 * dedupe by them). Resolves each put with its answer.
 */
class FramePerRequestClient {
  private readonly conns: KvClientConnection[];
  private readonly seqs: number[] = [];
  private readonly pending = new Map<string, (ok: boolean) => void>();
  private readonly prefix = `load-${process.pid}-${Date.now()}`;

  constructor(job: LoadJob, connections: number) {
    this.conns = Array.from(
      { length: connections },
      () =>
        new KvClientConnection({
          clusterId: job.clusterId,
          address: job.address,
          maxFrameBytes: MAX_FRAME_BYTES,
          sendTimeoutMs: 5000,
          curve: job.curve,
          onResponses: (responses) => {
            for (const r of responses) {
              const key = `${r.client}:${r.seq}`;
              const resolve = this.pending.get(key);
              if (!resolve) continue;
              this.pending.delete(key);
              resolve(r.status === 'ok');
            }
          },
          onError: (err, context) => console.error(`[bench] ${context}: ${String(err)}`),
        }),
    );
  }

  readonly put: PutFn = (c, key, value) => {
    const client = `${this.prefix}-${c}`;
    const seq = (this.seqs[c] = (this.seqs[c] ?? 0) + 1);
    return new Promise<boolean>((resolve) => {
      this.pending.set(`${client}:${seq}`, resolve);
      this.conns[c % this.conns.length].send([{ client, seq, op: { op: 'put', key, value } }]).then(
        (sent) => {
          if (!sent && this.pending.delete(`${client}:${seq}`)) resolve(false);
        },
        () => {
          if (this.pending.delete(`${client}:${seq}`)) resolve(false);
        },
      );
    });
  };

  async close(): Promise<void> {
    for (const resolve of this.pending.values()) resolve(false);
    this.pending.clear();
    await Promise.all(this.conns.map((c) => c.close()));
  }
}

async function runLoadJob(job: LoadJob): Promise<LoadResult> {
  const client = new FramePerRequestClient(job, job.shape.kind === 'closed' ? connectionsFor(job.shape.clients) : 1);
  try {
    // Connect and warm the JIT with a few answered puts before the phase's own warm-up.
    for (let i = 0; i < 20; i++) await client.put(0, loadKey(i), LOAD_VALUE);
    return job.shape.kind === 'closed'
      ? await runClosedLoop(client.put, { clients: job.shape.clients, durationMs: job.durationMs, warmupMs: job.warmupMs })
      : await runOpenLoop(client.put, { rate: job.shape.rate, durationMs: job.durationMs, warmupMs: job.warmupMs });
  } finally {
    await client.close();
  }
}

const LOAD_WORKER = 'raftlab-bench-load-client';

/**
 * A single-request load phase against the current leader, from a worker thread when this
 * code runs bundled (.mjs), so the lab's own work in this process (telemetry, recording,
 * safety checks) cannot delay the client's timers and receives.
 */
async function runLoad(tc: TestCluster, shape: LoadJob['shape'], durationMs: number, warmupMs = 500): Promise<LoadResult & { inWorker: boolean }> {
  const leader = tc.cluster.leader();
  if (leader === null) throw new Error('no leader for the load phase');
  const job: LoadJob = { clusterId: tc.clusterId, address: tc.clientAddress(leader), curve: tc.cluster.curveKeys?.clientOf(leader), shape, durationMs, warmupMs };
  const self = new URL(import.meta.url);
  if (!self.pathname.endsWith('.mjs') && !self.pathname.endsWith('.js')) return { ...(await runLoadJob(job)), inWorker: false };
  const worker = new Worker(self, { workerData: { kind: LOAD_WORKER, job } });
  try {
    const result = await new Promise<LoadResult>((resolve, reject) => {
      worker.once('message', (m: LoadResult) => resolve(m));
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the load worker exited (code ${code}) without a result`)));
    });
    return { ...result, inWorker: true };
  } finally {
    await worker.terminate();
  }
}

if (!isMainThread && (workerData as { kind?: string } | null)?.kind === LOAD_WORKER) {
  parentPort!.postMessage(await runLoadJob((workerData as { job: LoadJob }).job));
}

interface FailoverResult {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  samples: number[];
}

/** Kills the leader `kills` times; time from the kill to the first higher-term leader elsewhere. */
async function measureFailover(tc: TestCluster, kills: number): Promise<FailoverResult> {
  const samples: number[] = [];
  for (let i = 0; i < kills; i++) {
    const { leader, term } = await tc.waitForAgreedLeader({ timeoutMs: 15_000, among: () => tc.ids() });
    const mark = tc.mark();
    const killedAt = tc.cluster.now();
    await tc.cluster.kill(leader);
    const next = await waitFor(() => tc.eventsOf('role', undefined, mark).find((e) => e.role === 'leader' && e.term > term && e.node !== leader), {
      timeoutMs: 10_000,
      what: `a new leader after killing node ${leader}`,
      describe: () => tc.describe(),
    });
    samples.push(round(next.t - killedAt, 1));
    await tc.cluster.restart(leader);
  }
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50Ms: pct(sorted, 50), p99Ms: pct(sorted, 99), maxMs: sorted[sorted.length - 1], samples };
}

/** Options every phase of one cluster sees. */
type PhaseOptions = Required<Omit<NodeBenchOptions, 'skip' | 'phases' | 'fsync' | 'variants'>>;

/** One row of the printed table: a phase on one cluster. */
export interface PhaseRow {
  phase: string;
  /** The node build measured (see NodeBenchOptions.variants); absent for the current build alone. */
  variant?: string;
  fsync: 'always' | 'never';
  writesPerSec: number;
  p50Ms?: number;
  p99Ms?: number;
  /** Highest RSS any node reported during the phase, MB. */
  rssMb: number;
  /** Highest V8 heap in use and external memory any node reported, MB (each its own max). */
  heapMb?: number;
  externalMb?: number;
  failed: number;
}

/**
 * A phase run on a fresh cluster of each fsync policy, in table order. To add one (for
 * example a journal on/off comparison), append an entry: it gets its own id for
 * `--phase=`, a row in the table and its figures in the key list.
 */
export interface ClusterPhase {
  id: string;
  run: (tc: TestCluster, fsync: 'always' | 'never', o: PhaseOptions, out: Record<string, number | string>) => Promise<PhaseRow>;
}

/** Client counts of the closed-loop phases (etcd benchmark `--clients`). */
export const CLOSED_LOOP_CLIENTS = [1, 16, 64, 256] as const;

function singleRequestPhase(id: string, shape: LoadJob['shape']): ClusterPhase {
  return {
    id,
    run: async (tc, fsync, o, out) => {
      const fromT = tc.cluster.now();
      const r = await runLoad(tc, shape, o.durationMs);
      const row: PhaseRow = {
        phase: id, fsync, writesPerSec: r.writesPerSec, p50Ms: r.p50Ms, p99Ms: r.p99Ms, rssMb: maxRssMb(tc, fromT), ...maxHeapMb(tc, fromT), failed: r.failed,
      };
      const key = `${id}.fsync-${fsync}`;
      out[`${key}.writesPerSec`] = r.writesPerSec;
      out[`${key}.p50Ms`] = r.p50Ms;
      out[`${key}.p99Ms`] = r.p99Ms;
      out[`${key}.maxMs`] = r.maxMs;
      out[`${key}.failed`] = r.failed;
      out[`${key}.rssMB`] = row.rssMb;
      if (row.heapMb !== undefined) out[`${key}.heapMB`] = row.heapMb;
      if (row.externalMb !== undefined) out[`${key}.externalMB`] = row.externalMb;
      if (!r.inWorker) out[`${key}.client`] = 'lab thread';
      return row;
    },
  };
}

export const CLUSTER_PHASES: ClusterPhase[] = [
  {
    // The pipelined batch figure, unchanged: several connections, several 256-put batches in flight each.
    id: 'pipelined',
    run: async (tc, fsync, o, out) => {
      const fromT = tc.cluster.now();
      const tp = await measureThroughput(tc, o);
      const mem = maxHeapMb(tc, fromT);
      if (mem.heapMb !== undefined) out[`throughput.fsync-${fsync}.heapMB`] = mem.heapMb;
      if (mem.externalMb !== undefined) out[`throughput.fsync-${fsync}.externalMB`] = mem.externalMb;
      out[`throughput.fsync-${fsync}.writesPerSec`] = tp.writesPerSec;
      out[`throughput.fsync-${fsync}.failed`] = tp.failed;
      out[`throughput.fsync-${fsync}.leaderChanges`] = tp.leaderChanges;
      out[`throughput.fsync-${fsync}.maxLoopLagMs`] = tp.maxLoopLagMs;
      out[`throughput.fsync-${fsync}.rssMB`] = tp.rssMb;
      for (const [name, us] of Object.entries(tp.cpuUsPerWrite)) out[`throughput.fsync-${fsync}.cpuUsPerWrite.${name}`] = us;
      return { phase: 'pipelined', fsync, writesPerSec: tp.writesPerSec, rssMb: tp.rssMb, ...mem, failed: tp.failed };
    },
  },
  ...CLOSED_LOOP_CLIENTS.map((n) => singleRequestPhase(`closed-${n}`, { kind: 'closed', clients: n })),
  singleRequestPhase('open-1000', { kind: 'open', rate: 1000 }),
];

/** Phases that need a cluster of their own (or none). */
const OTHER_PHASES = ['failover', 'curve', 'journal', 'zmq'] as const;

/** Every phase id `--phase=` accepts. */
export function phaseIds(): string[] {
  return [...CLUSTER_PHASES.map((p) => p.id), ...OTHER_PHASES];
}

/**
 * Runs the chosen cluster phases for each chosen fsync policy on one fresh cluster per
 * policy, in table order; returns the table rows (figures go into `out` too).
 */
export async function runClusterPhases(
  out: Record<string, number | string>,
  o: PhaseOptions & { phases: Set<string>; fsync: Array<'always' | 'never'>; variants?: NodeBenchOptions['variants'] },
): Promise<PhaseRow[]> {
  const rows: PhaseRow[] = [];
  const chosen = CLUSTER_PHASES.filter((p) => o.phases.has(p.id));
  if (chosen.length === 0) return rows;
  const variants = o.variants ?? [{ name: '' }];
  const saved = process.env.RAFTLAB_NODE_SCRIPT;
  const savedExec = process.env.RAFTLAB_BENCH_EXEC;
  const restore = (name: string, value: string | undefined) => {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  };
  try {
    for (const fsync of o.fsync) {
      for (const v of variants) {
        // nodeScript() (test/integration/helpers/nodeBuild.ts) reads this for every cluster.
        if (v.script) process.env.RAFTLAB_NODE_SCRIPT = v.script;
        else if (saved === undefined) delete process.env.RAFTLAB_NODE_SCRIPT;
        else process.env.RAFTLAB_NODE_SCRIPT = saved;
        // An exec variant: the same build under another executable (e.g. a wrapper adding V8 flags).
        if (v.exec) process.env.RAFTLAB_BENCH_EXEC = v.exec;
        else restore('RAFTLAB_BENCH_EXEC', savedExec);
        const tag = v.name === '' ? '' : `${v.name}.`;
        const tc = await startCluster(fsync, `bench-${fsync}`);
        try {
          if (fsync === o.fsync[0]) {
            // Idle: a few metrics samples after the election settled.
            const idleFrom = tc.cluster.now();
            await delay(1000);
            out[`${tag}rss.idle.maxMB`] = maxRssMb(tc, idleFrom);
          }
          const mine: PhaseRow[] = [];
          for (const phase of chosen) {
            const figures: Record<string, number | string> = {};
            const row = await phase.run(tc, fsync, o, figures);
            for (const [k, val] of Object.entries(figures)) out[`${tag}${k}`] = val;
            if (v.name !== '') row.variant = v.name;
            mine.push(row);
          }
          rows.push(...mine);
          out[`${tag}rss.load.fsync-${fsync}.maxMB`] = Math.max(...mine.map((r) => r.rssMb));
        } finally {
          await shutdown(tc);
        }
      }
    }
  } finally {
    restore('RAFTLAB_NODE_SCRIPT', saved);
    restore('RAFTLAB_BENCH_EXEC', savedExec);
  }
  return rows;
}

/** The table of phases: one line per phase and fsync policy. */
export function formatPhaseTable(rows: PhaseRow[]): string {
  const variants = rows.some((r) => r.variant !== undefined);
  const head = ['phase', variants ? 'variant' : '', 'fsync', 'writes/s', 'p50 ms', 'p99 ms', 'RSS/node MB', 'heap MB', 'ext MB', 'failed'];
  // Variants of one phase next to each other (a stable sort keeps their run order).
  const fsyncs = [...new Set(rows.map((r) => r.fsync))];
  const order = (r: PhaseRow) => fsyncs.indexOf(r.fsync) * 1000 + CLUSTER_PHASES.findIndex((p) => p.id === r.phase);
  const sorted = variants ? [...rows].sort((a, b) => order(a) - order(b)) : rows;
  const body = sorted.map((r) => [r.phase, r.variant ?? '', r.fsync, fmtInt(r.writesPerSec), fmtMs(r.p50Ms), fmtMs(r.p99Ms), r.rssMb.toFixed(1), fmtMb(r.heapMb), fmtMb(r.externalMb), String(r.failed)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  return [head, ...body].map((cells) => cells.map((c, i) => (i < 3 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')).join('\n');
}

const fmtInt = (n: number) => Math.round(n).toLocaleString('en');
const fmtMs = (n: number | undefined) => (n === undefined ? '—' : n.toFixed(2));
const fmtMb = (n: number | undefined) => (n === undefined ? '—' : n.toFixed(1));

/** Runs the chosen phases (default all) and returns the figures (also printed). */
export async function benchNode(options: NodeBenchOptions = {}): Promise<Record<string, number | string>> {
  const o = {
    durationMs: options.durationMs ?? 3000,
    kills: options.kills ?? 30,
    connections: options.connections ?? 4,
    batch: options.batch ?? 256,
    inFlightBatches: options.inFlightBatches ?? 4,
    latencyRate: options.latencyRate ?? 1000,
  };
  const skip = new Set(options.skip ?? []);
  const phases = new Set((options.phases ?? phaseIds()).filter((p) => !skip.has(p)));
  const unknown = [...phases].filter((p) => !phaseIds().includes(p));
  if (unknown.length > 0) throw new Error(`unknown phase ${unknown.join(', ')}; phases: ${phaseIds().join(', ')}`);
  const fsync = (options.fsync ?? ['always', 'never']).filter((f) => !skip.has(f));
  const out: Record<string, number | string> = {};

  const rows = await runClusterPhases(out, { ...o, phases, fsync, variants: options.variants });
  if (rows.length > 0) console.log(`${formatPhaseTable(rows)}\n`);

  if (phases.has('failover')) {
    const tc = await startCluster('always', 'bench-failover');
    try {
      const f = await measureFailover(tc, o.kills);
      out['failover.p50Ms'] = f.p50Ms;
      out['failover.p99Ms'] = f.p99Ms;
      out['failover.maxMs'] = f.maxMs;
      out['failover.samples'] = f.samples.join(' ');
    } finally {
      await shutdown(tc);
    }
  }

  if (phases.has('curve')) await measureCurveCost(out, o);
  if (phases.has('journal')) await measureJournalCost(out, o);

  if (phases.has('zmq')) {
    const z = await benchZmqRoundTrip({ count: 5000 });
    out['zmq.roundTrip.p50Us'] = round(z.p50Us, 1);
    out['zmq.roundTrip.p99Us'] = round(z.p99Us, 1);
    const idle = await zmqRoundTripWithGaps(1, 1500);
    out['zmq.roundTrip.1msGaps.p50Us'] = round(idle.p50Us, 1);
    out['zmq.roundTrip.1msGaps.p99Us'] = round(idle.p99Us, 1);
  }
  printFigures(out);
  return out;
}

/**
 * Options from command-line words: `--phase=closed-1,open-1000` (default every phase),
 * `--fsync=always|never` (default both), `--skip=…`, `--duration=MS`, `--kills=N`,
 * `--connections=N`, `--inflight=N`, `--batch=N`.
 */
export function parseNodeBenchArgs(argv: readonly string[]): NodeBenchOptions {
  const value = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const list = (name: string) => value(name)?.split(',').filter((w) => w !== '');
  const num = (name: string) => {
    const v = value(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} needs a positive number, got ${JSON.stringify(v)}`);
    return n;
  };
  const known = ['phase', 'fsync', 'skip', 'duration', 'kills', 'connections', 'inflight', 'batch', 'variants'];
  for (const a of argv) if (!known.some((k) => a.startsWith(`--${k}=`))) throw new Error(`unknown option ${JSON.stringify(a)} (options: ${known.map((k) => `--${k}=`).join(' ')})`);
  const fsync = list('fsync');
  if (fsync?.some((f) => f !== 'always' && f !== 'never')) throw new Error(`--fsync takes always and/or never, got ${JSON.stringify(value('fsync'))}`);
  const variants = list('variants')?.map((v) => {
    const eq = v.indexOf('=');
    const name = eq < 0 ? v : v.slice(0, eq);
    const target = eq < 0 ? undefined : v.slice(eq + 1);
    if (!/^[\w-]+$/.test(name)) throw new Error(`--variants takes name=path/to/main.mjs, name=exec:path/to/executable, or a bare name for the current build, got ${JSON.stringify(v)}`);
    const exec = target?.startsWith('exec:') ? resolve(target.slice('exec:'.length)) : undefined;
    const script = target === undefined || exec !== undefined ? undefined : resolve(target);
    for (const path of [script, exec]) if (path !== undefined && !existsSync(path)) throw new Error(`--variants: ${path} does not exist`);
    return { name, script, exec };
  });
  return {
    variants,
    phases: list('phase'),
    fsync: fsync as Array<'always' | 'never'> | undefined,
    skip: list('skip'),
    durationMs: num('duration'),
    kills: num('kills'),
    connections: num('connections'),
    inFlightBatches: num('inflight'),
    batch: num('batch'),
  };
}

/**
 * CURVE on versus off, back to back on fresh fsync-never clusters: throughput, latency and
 * CPU per write of each, and the on/off ratios. On is the default everywhere else.
 */
async function measureCurveCost(
  out: Record<string, number | string>,
  o: Required<Pick<NodeBenchOptions, 'durationMs' | 'connections' | 'batch' | 'inFlightBatches' | 'latencyRate'>>,
): Promise<void> {
  const figures: Record<'on' | 'off', { writesPerSec: number; p50Ms: number; p99Ms: number }> = {
    on: { writesPerSec: 0, p50Ms: 0, p99Ms: 0 },
    off: { writesPerSec: 0, p50Ms: 0, p99Ms: 0 },
  };
  for (const mode of ['on', 'off'] as const) {
    const tc = await startCluster('never', `bench-curve-${mode}`, mode === 'on');
    try {
      const tp = await measureThroughput(tc, o);
      const lat = await runLoad(tc, { kind: 'open', rate: o.latencyRate }, o.durationMs);
      figures[mode] = { writesPerSec: tp.writesPerSec, p50Ms: lat.p50Ms, p99Ms: lat.p99Ms };
      out[`curve.${mode}.throughput.writesPerSec`] = tp.writesPerSec;
      out[`curve.${mode}.throughput.failed`] = tp.failed;
      for (const [name, us] of Object.entries(tp.cpuUsPerWrite)) out[`curve.${mode}.cpuUsPerWrite.${name}`] = us;
      out[`curve.${mode}.latency@${o.latencyRate}.p50Ms`] = lat.p50Ms;
      out[`curve.${mode}.latency@${o.latencyRate}.p99Ms`] = lat.p99Ms;
    } finally {
      await shutdown(tc);
    }
  }
  if (figures.off.writesPerSec > 0) out['curve.throughputOnOverOff'] = round(figures.on.writesPerSec / figures.off.writesPerSec, 3);
  if (figures.off.p50Ms > 0) out['curve.latencyP50OnOverOff'] = round(figures.on.p50Ms / figures.off.p50Ms, 3);
}

/**
 * The flight recorder's cost (src/node/journal): recording 'full' versus 'off', back to back
 * on fresh fsync-never clusters, throughput and CPU per write of each, the full/off ratio
 * (target: at most 10% loss), and the journal bytes written per committed write (all three
 * nodes' journals over the leader's commit index).
 */
async function measureJournalCost(
  out: Record<string, number | string>,
  o: Required<Pick<NodeBenchOptions, 'durationMs' | 'connections' | 'batch' | 'inFlightBatches'>>,
): Promise<void> {
  const writes: Record<'full' | 'off', number> = { full: 0, off: 0 };
  for (const mode of ['full', 'off'] as const) {
    const tc = await startCluster('never', `bench-journal-${mode}`, true, mode);
    try {
      const tp = await measureThroughput(tc, o);
      writes[mode] = tp.writesPerSec;
      out[`journal.${mode}.throughput.writesPerSec`] = tp.writesPerSec;
      for (const [name, us] of Object.entries(tp.cpuUsPerWrite)) out[`journal.${mode}.cpuUsPerWrite.${name}`] = us;
      if (mode === 'full') {
        const commit = Math.max(...tc.cluster.nodes().map((v) => v.commit));
        await Promise.all(tc.liveIds().map((id) => tc.cluster.stopNode(id))); // journals flushed and closed
        const bytes = journalBytes(join(tc.runDir, 'journal'));
        out['journal.full.bytes'] = bytes;
        if (commit > 0) out['journal.full.bytesPerCommittedWrite'] = round(bytes / commit, 1);
      }
    } finally {
      await shutdown(tc);
    }
  }
  if (writes.off > 0) out['journal.throughputFullOverOff'] = round(writes.full / writes.off, 3);
}

/** Bytes of every file under `dir`, recursively. */
function journalBytes(dir: string): number {
  if (!existsSync(dir)) return 0;
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    total += e.isDirectory() ? journalBytes(p) : statSync(p).size;
  }
  return total;
}

/**
 * A DEALER/ROUTER round trip to the echo child of zmqRoundTrip.ts, with `gapMs` of idle
 * time before each message: the cost of waking idle processes and ZeroMQ I/O threads,
 * which a paced workload pays on every hop.
 */
async function zmqRoundTripWithGaps(gapMs: number, count: number): Promise<{ p50Us: number; p99Us: number }> {
  const script = [fileURLToPath(new URL('./fixtures/zmqEcho.mjs', import.meta.url)), resolve('test/bench/fixtures/zmqEcho.mjs')].find((p) => existsSync(p));
  if (!script) throw new Error('test/bench/fixtures/zmqEcho.mjs not found');
  const child = fork(script, ['tcp://127.0.0.1:0'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const dealer = new Dealer({ linger: 0 });
  try {
    const endpoint = await new Promise<string>((res, rej) => {
      const timer = setTimeout(() => rej(new Error('the zmq echo child did not report its endpoint within 10 s')), 10_000);
      child.once('message', (m: { endpoint?: string }) => {
        clearTimeout(timer);
        if (typeof m.endpoint === 'string') res(m.endpoint);
        else rej(new Error(`unexpected message from the echo child: ${JSON.stringify(m)}`));
      });
    });
    dealer.connect(endpoint);
    const payload = new Uint8Array(64).fill(7);
    const samples: number[] = [];
    for (let i = 0; i < count + 200; i++) {
      await delay(gapMs);
      const start = performance.now();
      await dealer.send(payload);
      await dealer.receive();
      if (i >= 200) samples.push((performance.now() - start) * 1000);
    }
    samples.sort((a, b) => a - b);
    return { p50Us: pct(samples, 50), p99Us: pct(samples, 99) };
  } finally {
    dealer.close();
    if (child.connected) child.disconnect();
    const killTimer = setTimeout(() => child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(killTimer);
  }
}

/** The targets of issue 12 (docs/performance.md), fsync always unless the key says never. */
const TARGETS: Record<string, { max?: number; min?: number }> = {
  'closed-1.fsync-always.p50Ms': { max: 1.0 },
  'open-1000.fsync-always.p50Ms': { max: 1.5 },
  'open-1000.fsync-always.p99Ms': { max: 10 },
  'closed-256.fsync-always.writesPerSec': { min: 20_000 },
  'throughput.fsync-always.writesPerSec': { min: 60_000 },
  'failover.p50Ms': { max: 160 },
  'failover.maxMs': { max: 350 },
  'rss.idle.maxMB': { max: 80 },
  'rss.load.fsync-always.maxMB': { max: 80 },
  'journal.throughputFullOverOff': { min: 0.9 },
};

function printFigures(out: Record<string, number | string>): void {
  const width = Math.max(...Object.keys(out).map((k) => k.length));
  for (const [key, value] of Object.entries(out)) {
    const t = TARGETS[key];
    let verdict = '';
    if (t && typeof value === 'number') {
      const okMin = t.min === undefined || value >= t.min;
      const okMax = t.max === undefined || value <= t.max;
      verdict = `${okMin && okMax ? 'ok  ' : 'MISS'} (target ${t.min !== undefined ? `>= ${t.min}` : `<= ${t.max}`})`;
    }
    console.log(`${key.padEnd(width)}  ${String(value).padStart(10)}  ${verdict}`);
  }
}

if (isMainThread && process.argv[1]?.replace(/\\/g, '/').endsWith('test/bench/node.ts')) {
  await benchNode(parseNodeBenchArgs(process.argv.slice(2)));
}
