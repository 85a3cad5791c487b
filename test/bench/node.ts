/**
 * End-to-end figures for real node processes: a 3-node cluster on loopback TCP, run by the
 * lab's Cluster class (telemetry, recording and safety monitoring included, as in the app),
 * on whatever machine runs it (the project's is 2 cores, shared by the 3 nodes, the lab
 * and the load generator).
 *
 *   - commit throughput: several client connections to the leader, each keeping several
 *     large batches of puts in flight (pipelined); ok answers per second, fsync never/always;
 *   - commit latency at a fixed 1,000 writes/s (open loop): send to ok answer, p50/p99;
 *   - failover: kill -9 of the leader to the first 'role' leader event of a higher term
 *     from another node (event timestamps), 30 times, restarting the killed node between;
 *   - RSS per node process, idle and under load (the nodes' 'metrics' telemetry);
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
 * Run alone: `node scripts/run-ts.mjs test/bench/node.ts [--skip=never,always,throughput,
 * latency,failover,zmq,curve] [--kills=N] [--connections=N] [--inflight=N] [--batch=N]
 * [--duration=MS]`. The node bundle is rebuilt first if it is older than src/.
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
import { KvClientConnection } from '../../src/node/transport/kvClientConnection';
import type { CurveClient } from '../../src/node/transport/curveOptions';
import type { ClientRequest, ClientResponse } from '../../src/contract/client';
import type { RunEvent } from '../../src/contract/runEvents';
import type { NodeId } from '../../src/raft/types';
import { TestCluster } from '../integration/helpers/testCluster';
import { delay, waitFor } from '../integration/helpers/waitFor';
import { benchZmqRoundTrip } from './zmqRoundTrip';

export interface NodeBenchOptions {
  /** Measured time of each throughput and latency phase (default 5000 ms). */
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
  /** Skip phases (for quick runs): any of 'never', 'always', 'throughput', 'latency', 'failover', 'zmq', 'curve'. */
  skip?: string[];
}

const MAX_FRAME_BYTES = 16 << 20;
const VALUE = 'v'.repeat(16);

/** Only what the bench reads: per-entry events would hold hundreds of MB. */
const retain = (ev: RunEvent) => ev.type === 'role' || ev.type === 'metrics' || ev.type === 'process' || ev.type === 'ready';

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1)))];
}

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

interface LatencyResult {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  samples: number;
  failed: number;
}

/** What the latency client needs: plain data, so it can cross into a worker thread. */
interface LatencyJob {
  clusterId: string;
  address: string;
  client: string;
  rate: number;
  durationMs: number;
  /** The lab's CURVE credentials for the leader (plain strings), when CURVE is on. */
  curve?: CurveClient;
}

/**
 * Open-loop puts at a fixed rate to one node; latency from send to ok answer. Runs in a
 * worker thread when it can (see measureLatency), so the lab's own work in this process
 * (telemetry, recording, safety checks) does not delay the client's timers and receives.
 */
async function runLatencyClient(job: LatencyJob): Promise<LatencyResult> {
  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  let failed = 0;
  let measuring = false;
  let wake: (() => void) | null = null;
  const conn = new KvClientConnection({
    clusterId: job.clusterId,
    address: job.address,
    maxFrameBytes: MAX_FRAME_BYTES,
    sendTimeoutMs: 5000,
    curve: job.curve,
    onResponses: (responses) => {
      const now = performance.now();
      for (const r of responses) {
        const t = sentAt.get(r.seq);
        sentAt.delete(r.seq);
        if (t === undefined || !measuring) continue;
        if (r.status === 'ok') latencies.push(now - t);
        else failed++;
      }
      wake?.();
    },
    onError: (err, context) => console.error(`[bench] ${context}: ${String(err)}`),
  });
  const put = (seq: number): ClientRequest => ({ client: job.client, seq, op: { op: 'put', key: `l${seq % 512}`, value: VALUE } });
  // Warm the connection and the JIT with a short closed-loop run first.
  let seq = 0;
  const warm = performance.now();
  while (performance.now() - warm < 500) {
    const s = ++seq;
    sentAt.set(s, performance.now());
    await conn.send([put(s)]);
    while (sentAt.has(s) && performance.now() - warm < 2000) await Promise.race([new Promise<void>((r) => (wake = r)), delay(50)]);
  }
  measuring = true;
  const start = performance.now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const elapsed = performance.now() - start;
      if (elapsed >= job.durationMs) {
        clearInterval(timer);
        resolve();
        return;
      }
      const due = Math.floor((elapsed * job.rate) / 1000) - sent;
      if (due <= 0) return;
      const now = performance.now();
      const requests: ClientRequest[] = [];
      for (let i = 0; i < due; i++) {
        const s = ++seq;
        sentAt.set(s, now);
        requests.push(put(s));
      }
      sent += due;
      void conn.send(requests);
    }, 1);
  });
  await waitFor(() => sentAt.size === 0, { timeoutMs: 5000, what: 'the latency phase writes to be answered' }).catch((err: Error) =>
    console.error(`[bench] ${err.message}`),
  );
  measuring = false;
  failed += sentAt.size;
  await conn.close();
  latencies.sort((a, b) => a - b);
  return {
    p50Ms: round(percentile(latencies, 0.5), 3),
    p99Ms: round(percentile(latencies, 0.99), 3),
    maxMs: round(latencies[latencies.length - 1] ?? Number.NaN, 3),
    samples: latencies.length,
    failed,
  };
}

const LATENCY_WORKER = 'raftlab-bench-latency-client';

/** Latency against the current leader, from a worker thread when this code runs bundled (.mjs). */
async function measureLatency(tc: TestCluster, rate: number, durationMs: number): Promise<LatencyResult & { inWorker: boolean }> {
  const leader = tc.cluster.leader();
  if (leader === null) throw new Error('no leader for the latency phase');
  const job: LatencyJob = {
    clusterId: tc.clusterId,
    address: tc.clientAddress(leader),
    client: `lat-${process.pid}-${rate}-${Date.now()}`,
    rate,
    durationMs,
    curve: tc.cluster.curveKeys?.clientOf(leader),
  };
  const self = new URL(import.meta.url);
  if (!self.pathname.endsWith('.mjs') && !self.pathname.endsWith('.js')) return { ...(await runLatencyClient(job)), inWorker: false };
  const worker = new Worker(self, { workerData: { kind: LATENCY_WORKER, job } });
  try {
    const result = await new Promise<LatencyResult>((resolve, reject) => {
      worker.once('message', (m: LatencyResult) => resolve(m));
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the latency worker exited (code ${code}) without a result`)));
    });
    return { ...result, inWorker: true };
  } finally {
    await worker.terminate();
  }
}

if (!isMainThread && (workerData as { kind?: string } | null)?.kind === LATENCY_WORKER) {
  const job = (workerData as { job: LatencyJob }).job;
  parentPort!.postMessage(await runLatencyClient(job));
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
  return { p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99), maxMs: sorted[sorted.length - 1], samples };
}

async function measureLatencyInto(out: Record<string, number | string>, tc: TestCluster, fsync: string, o: { latencyRate: number; durationMs: number; skip: Set<string> }): Promise<void> {
  if (o.skip.has('latency')) return;
  const lat = await measureLatency(tc, o.latencyRate, o.durationMs);
  out[`latency@${o.latencyRate}.fsync-${fsync}.p50Ms`] = lat.p50Ms;
  out[`latency@${o.latencyRate}.fsync-${fsync}.p99Ms`] = lat.p99Ms;
  out[`latency@${o.latencyRate}.fsync-${fsync}.maxMs`] = lat.maxMs;
  out[`latency@${o.latencyRate}.fsync-${fsync}.samples`] = lat.samples;
  out[`latency@${o.latencyRate}.fsync-${fsync}.failed`] = lat.failed;
  out[`latency@${o.latencyRate}.fsync-${fsync}.client`] = lat.inWorker ? 'worker thread' : 'lab thread';
}

/** Runs every phase and returns the figures (also printed). */
export async function benchNode(options: NodeBenchOptions = {}): Promise<Record<string, number | string>> {
  const o = {
    durationMs: options.durationMs ?? 5000,
    kills: options.kills ?? 30,
    connections: options.connections ?? 4,
    batch: options.batch ?? 256,
    inFlightBatches: options.inFlightBatches ?? 4,
    latencyRate: options.latencyRate ?? 1000,
    skip: new Set(options.skip ?? []),
  };
  const out: Record<string, number | string> = {};

  for (const fsync of ['never', 'always'] as const) {
    if (o.skip.has(fsync)) continue;
    const tc = await startCluster(fsync, `bench-${fsync}`);
    try {
      if (fsync === 'never') {
        // Idle: a few metrics samples after the election settled.
        const idleFrom = tc.cluster.now();
        await delay(1500);
        out['rss.idle.maxMB'] = maxRssMb(tc, idleFrom);
      }
      if (o.skip.has('throughput')) {
        await measureLatencyInto(out, tc, fsync, o);
        continue;
      }
      const tp = await measureThroughput(tc, o);
      out[`throughput.fsync-${fsync}.writesPerSec`] = tp.writesPerSec;
      out[`throughput.fsync-${fsync}.failed`] = tp.failed;
      out[`throughput.fsync-${fsync}.leaderChanges`] = tp.leaderChanges;
      out[`throughput.fsync-${fsync}.maxLoopLagMs`] = tp.maxLoopLagMs;
      for (const [name, us] of Object.entries(tp.cpuUsPerWrite)) out[`throughput.fsync-${fsync}.cpuUsPerWrite.${name}`] = us;
      if (fsync === 'never') out['rss.load.maxMB'] = tp.rssMb;
      await measureLatencyInto(out, tc, fsync, o);
    } finally {
      await shutdown(tc);
    }
  }

  if (!o.skip.has('failover')) {
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

  if (!o.skip.has('curve')) await measureCurveCost(out, o);
  if (!o.skip.has('journal')) await measureJournalCost(out, o);

  if (!o.skip.has('zmq')) {
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
      const lat = await measureLatency(tc, o.latencyRate, o.durationMs);
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
    return { p50Us: percentile(samples, 0.5), p99Us: percentile(samples, 0.99) };
  } finally {
    dealer.close();
    if (child.connected) child.disconnect();
    const killTimer = setTimeout(() => child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(killTimer);
  }
}

const TARGETS: Record<string, { max?: number; min?: number }> = {
  'throughput.fsync-never.writesPerSec': { min: 20_000 },
  'latency@1000.fsync-never.p50Ms': { max: 2 },
  'failover.p50Ms': { max: 300 },
  'failover.p99Ms': { max: 450 },
  'rss.idle.maxMB': { max: 80 },
  'rss.load.maxMB': { max: 80 },
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
  const skip = process.argv.find((a) => a.startsWith('--skip='))?.slice('--skip='.length).split(',') ?? [];
  const num = (name: string) => {
    const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
    return arg ? Number(arg.slice(name.length + 3)) : undefined;
  };
  await benchNode({ skip, kills: num('kills'), connections: num('connections'), batch: num('batch'), inFlightBatches: num('inflight'), durationMs: num('duration') });
}
