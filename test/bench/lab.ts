/**
 * Benchmarks of the lab (src/lab) with real processes:
 *
 *   1. Time to first leader: from Cluster.start (spawning the node processes) until the lab
 *      sees a node become leader, for 3, 5 and 9 nodes; also until every node reported
 *      ready. Median of a few runs.
 *   2. Telemetry intake: events per second the lab ingests without dropping any, along the
 *      real path (node TelemetryPublisher -> ZeroMQ -> TelemetryCollector (decode, validate)
 *      -> Cluster.ingest -> ClusterState, SafetyMonitor, RunRecorder). The "nodes" are
 *      stand-in processes (fixtures/telemetryNode.ts) started by the lab's own Supervisor
 *      that push synthetic but consistent telemetry at a paced rate. A rate is kept up with
 *      when nothing is lost (no publisher drop, no sequence gap, every event recorded) and
 *      the lab ingests at (nearly) the rate the nodes publish, rather than draining a backlog
 *      from the sockets' queues afterwards. Plus the same stages
 *      in-process (decode, safety monitor, recorder), as per-event costs.
 *   3. What recording costs: closed-loop commit throughput of a 3-node cluster (the lab's
 *      own workload) with recording on and off (ClusterDeps.record: false).
 *
 * Run alone: `node scripts/build-node.mjs && node scripts/run-ts.mjs test/bench/lab.ts`.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { nodeBundle } from '../../scripts/esbuildConfig.mjs';
import { decodeFrame, encodeFrame } from '../../src/contract/codec';
import type { ClusterOptions } from '../../src/contract/clusterOptions';
import { DEFAULT_WORKLOAD, withDefaults } from '../../src/contract/clusterOptions';
import type { RunEvent } from '../../src/contract/runEvents';
import type { TelemetryEvent } from '../../src/contract/telemetry';
import { SafetyMonitor } from '../../src/lab/checkers/safety';
import { Cluster, type ClusterDeps } from '../../src/lab/cluster';
import { defaultNodeScript } from '../../src/lab/lab';
import { RunRecorder } from '../../src/lab/recorder/runRecorder';
import { waitFor } from '../integration/helpers/waitFor';
import { percentile, sortedNumbers } from '../../src/analysis/percentile';

export interface LabBenchOptions {
  /** Cluster sizes for time-to-first-leader (default 3, 5, 9). */
  clusterSizes?: number[];
  /** Runs per size (default 3). */
  electionRuns?: number;
  /** Total offered telemetry rates, events/s across all stand-in nodes (default 50k, 100k, 150k). */
  telemetryRates?: number[];
  /** Stand-in nodes pushing telemetry (default 3). */
  telemetryNodes?: number;
  /** How long each rate is pushed (default 3000 ms). */
  telemetryMs?: number;
  /** Measured window of each commit-throughput run (default 4000 ms). */
  throughputMs?: number;
  /** Runs of each recording setting, alternated (default 3). */
  throughputRuns?: number;
}

export interface ElectionFigure {
  nodes: number;
  runs: number;
  readyMsMedian: number;
  firstLeaderMsMedian: number;
  firstLeaderMs: number[];
}

export interface TelemetryFigure {
  offeredPerSec: number;
  /** Events the stand-in nodes published (commit, apply, metrics), and at what rate they managed. */
  published: number;
  publishedPerSec: number;
  ingested: number;
  /** From the go signal to the last event ingested. */
  ingestedPerSec: number;
  /** How long after the pushing ended the last event was ingested (the lab's backlog). */
  backlogMs: number;
  /** Published but never ingested (dropped by a publisher under back-pressure, or lost). */
  lost: number;
  gaps: number;
  recorded: number;
  /** Share of the lab process's event loop that was busy while the telemetry came in. */
  labLoopBusy: number;
  stopMs: number;
  sustained: boolean;
}

export interface StageFigure {
  stage: string;
  eventsPerSec: number;
}

export interface RecordingFigure {
  record: boolean;
  opsPerSec: number[];
  median: number;
  /** The lab process's CPU time per ok op (median of the runs), µs. */
  cpuUsPerOpMedian: number;
}

export interface LabBenchResult {
  elections: ElectionFigure[];
  telemetry: TelemetryFigure[];
  /** Highest offered rate ingested in step, without loss (0: none). */
  telemetrySustainedPerSec: number;
  stages: StageFigure[];
  recording: RecordingFigure[];
  /** (off - on) / off of the medians. */
  recordingOverhead: number;
}

/** The shared nearest-rank p50 (src/analysis/percentile.ts); NaN for no samples. */
const median = (xs: number[]): number => percentile(sortedNumbers(xs), 50) ?? Number.NaN;

/** Polls `cond` every few ms until true; throws after `timeoutMs` naming `what`. */
async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  await waitFor(cond, { timeoutMs, what: `bench: ${what}`, intervalMs: 5 });
}

/** Starts a cluster in a fresh temp directory, runs `fn`, and always stops and cleans up. */
async function withCluster<T>(
  label: string,
  options: ClusterOptions,
  deps: Partial<ClusterDeps>,
  fn: (c: Cluster, dir: string) => Promise<T>,
  stopBudgetMs = 500,
): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), `raftlab-bench-${label}-`));
  let cluster: Cluster | null = null;
  try {
    cluster = await Cluster.start(
      { ...options, dataDir: join(dir, 'data') },
      {
        runDir: join(dir, 'run'),
        runId: `bench-${label}`,
        nodeScript: deps.nodeScript ?? defaultNodeScript(),
        execPath: process.execPath,
        readyTimeoutMs: 30_000,
        ...deps,
      },
    );
    return await fn(cluster, dir);
  } finally {
    await cluster?.stop({ linearizabilityBudgetMs: stopBudgetMs });
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------
// 1. Time to first leader
// ---------------------------------------------------------------------------

async function timeToFirstLeader(nodes: number, run: number): Promise<{ readyMs: number; leaderMs: number }> {
  let leaderAt: number | null = null;
  const t0 = performance.now();
  const options = withDefaults({ nodes, seed: 100 + run, workload: { ...DEFAULT_WORKLOAD, clients: 0 } });
  return withCluster(
    `leader${nodes}`,
    options,
    {
      onEvent: (ev) => {
        if (leaderAt === null && ev.type === 'role' && ev.role === 'leader') leaderAt = performance.now();
      },
    },
    async () => {
      const readyMs = performance.now() - t0;
      await until(() => leaderAt !== null, 30_000, `a leader among ${nodes} nodes`);
      return { readyMs, leaderMs: leaderAt! - t0 };
    },
  );
}

// ---------------------------------------------------------------------------
// 2. Telemetry intake
// ---------------------------------------------------------------------------

/** Bundles the stand-in node next to the repo's node_modules (its imports stay external). */
async function telemetryNodeScript(): Promise<string> {
  const candidates = [resolve('test/bench/fixtures/telemetryNode.ts'), fileURLToPath(new URL('./fixtures/telemetryNode.ts', import.meta.url))];
  const entry = candidates.find((p) => existsSync(p));
  if (!entry) throw new Error(`bench: fixtures/telemetryNode.ts not found (looked in ${candidates.join(', ')})`);
  const outDir = resolve('node_modules/.cache/raftlab-bench');
  mkdirSync(outDir, { recursive: true });
  const outfile = join(outDir, 'telemetryNode.mjs');
  await build(nodeBundle({ entryPoints: [entry], outfile }));
  return outfile;
}

async function telemetryRun(script: string, nodes: number, totalRate: number, pushMs: number): Promise<TelemetryFigure> {
  let ingested = 0;
  let gaps = 0;
  let last = 0;
  const done = new Map<number, { published: number; dropped: number; elapsedMs: number }>();
  let elu0: ReturnType<typeof performance.eventLoopUtilization> | null = null;
  let elu: ReturnType<typeof performance.eventLoopUtilization> | null = null;
  const onEvent = (ev: RunEvent) => {
    if (ev.node === null) return;
    if (ev.type === 'commit' || ev.type === 'apply' || ev.type === 'metrics') {
      last = performance.now();
      ingested++;
    } else if (ev.type === 'telemetryGap') {
      gaps += ev.missed;
    } else if (ev.type === 'log' && ev.message.startsWith('bench-done ')) {
      done.set(ev.node, JSON.parse(ev.message.slice('bench-done '.length)) as { published: number; dropped: number; elapsedMs: number });
      if (done.size === nodes && elu0) elu = performance.eventLoopUtilization(elu0);
    }
  };
  const options = withDefaults({ nodes, seed: 1, workload: { ...DEFAULT_WORKLOAD, clients: 0 } });
  let runDir = '';
  let stopMs = 0;
  const dir = mkdtempSync(join(tmpdir(), 'raftlab-bench-telemetry-'));
  const cluster = await Cluster.start(
    { ...options, dataDir: join(dir, 'data') },
    {
      runDir: join(dir, 'run'),
      runId: `bench-telemetry-${totalRate}`,
      nodeScript: script,
      execPath: process.execPath,
      env: { RAFTLAB_BENCH_RATE: String(Math.ceil(totalRate / nodes)), RAFTLAB_BENCH_MS: String(pushMs), RAFTLAB_BENCH_GO: join(dir, 'run', 'bench-go') },
      readyTimeoutMs: 30_000,
      onEvent,
    },
  );
  let goAt = 0;
  try {
    runDir = cluster.runDir;
    // Every node is ready: tell the stand-ins to start pushing (they watch for this file).
    elu0 = performance.eventLoopUtilization();
    goAt = performance.now();
    writeFileSync(join(runDir, 'bench-go'), '');
    await until(() => done.size === nodes, pushMs + 30_000, 'every stand-in node to finish pushing');
  } finally {
    const t = performance.now();
    await cluster.stop({ linearizabilityBudgetMs: 100 });
    stopMs = performance.now() - t;
  }
  const recorded = readFileSync(join(runDir, 'events.jsonl'), 'utf8').split('\n').filter((l) => l.includes('"type":"commit"') || l.includes('"type":"apply"') || l.includes('"type":"metrics"')).length;
  rmSync(dir, { recursive: true, force: true });
  const published = [...done.values()].reduce((s, d) => s + d.published, 0);
  const dropped = [...done.values()].reduce((s, d) => s + d.dropped, 0);
  const seconds = Math.max(1e-3, (last - goAt) / 1000);
  const pushedMs = Math.max(...[...done.values()].map((d) => d.elapsedMs));
  const busy = elu ? (elu as { utilization: number }).utilization : NaN;
  const ingestedPerSec = Math.round(ingested / seconds);
  const publishedPerSec = Math.round(published / (pushedMs / 1000));
  return {
    offeredPerSec: totalRate,
    published,
    publishedPerSec,
    ingested,
    ingestedPerSec,
    backlogMs: Math.max(0, Math.round(last - goAt - pushedMs)),
    lost: Math.max(dropped, published - ingested),
    gaps,
    recorded,
    labLoopBusy: busy,
    stopMs: Math.round(stopMs),
    // Kept up: nothing lost, everything recorded, and ingestion ran at (nearly) the rate the
    // nodes published, not merely drained a backlog from the sockets' queues afterwards.
    sustained: dropped === 0 && gaps === 0 && ingested === published && recorded === ingested && ingestedPerSec >= 0.9 * publishedPerSec,
  };
}

/** The intake stages in-process, to see where the time per event goes. */
function stageCosts(): StageFigure[] {
  const nodes = 3;
  const perNode = 60_000;
  const batchEvents = 500;
  const t0 = performance.timeOrigin + performance.now();
  const eventsOf = (node: number): TelemetryEvent[] => {
    const out: TelemetryEvent[] = [];
    for (let i = 1; out.length < perNode; i++) {
      out.push({ t: t0 + i * 0.01, type: 'commit', index: i });
      out.push({ t: t0 + i * 0.01, type: 'apply', index: i, term: 1, digest: `d${i.toString(16)}` });
    }
    void node;
    return out;
  };
  const frames: Uint8Array[] = [];
  for (let n = 1; n <= nodes; n++) {
    const evs = eventsOf(n);
    for (let i = 0, seq = 0; i < evs.length; i += batchEvents, seq++) frames.push(encodeFrame('telemetry', 'bench', { node: n, seq, events: evs.slice(i, i + batchEvents) }));
  }
  const total = nodes * perNode;
  const rate = (ms: number) => Math.round(total / (ms / 1000));

  let t = performance.now();
  const runEvents: RunEvent[] = [];
  for (const f of frames) {
    const d = decodeFrame(f, { clusterId: 'bench', kinds: ['telemetry'], maxBytes: 16 << 20 });
    if (!d.ok) throw new Error(`bench: frame rejected: ${d.reason}`);
    for (const ev of d.body.events) {
      const { t: wall, ...body } = ev;
      runEvents.push({ ...body, t: wall - t0, node: d.body.node } as RunEvent);
    }
  }
  const decodeMs = performance.now() - t;

  const monitor = new SafetyMonitor({ nodes: [1, 2, 3] });
  t = performance.now();
  let violations = 0;
  for (const ev of runEvents) violations += monitor.observe(ev).length;
  const safetyMs = performance.now() - t;
  if (violations > 0) throw new Error(`bench: the synthetic telemetry broke ${violations} safety checks`);

  const dir = mkdtempSync(join(tmpdir(), 'raftlab-bench-recorder-'));
  const recorder = new RunRecorder(dir, { flushIntervalMs: 1_000_000 });
  recorder.start();
  t = performance.now();
  for (let i = 0; i < runEvents.length; i++) {
    recorder.record(runEvents[i]);
    // The recorder flushes every 250 ms; at 100k events/s that is ~25k events a flush.
    if (i % 25_000 === 24_999) recorder.flush();
  }
  recorder.flush();
  const recordMs = performance.now() - t;
  recorder.close();
  rmSync(dir, { recursive: true, force: true });

  return [
    { stage: 'decode + validate + re-stamp', eventsPerSec: rate(decodeMs) },
    { stage: 'safety monitor', eventsPerSec: rate(safetyMs) },
    { stage: 'recorder (buffer + JSON + append)', eventsPerSec: rate(recordMs) },
    { stage: 'all three, in sequence', eventsPerSec: rate(decodeMs + safetyMs + recordMs) },
  ];
}

// ---------------------------------------------------------------------------
// 3. Recording overhead on commit throughput
// ---------------------------------------------------------------------------

/** One run: ok ops/s, and the lab process's CPU time (user + system) per ok op, in µs. */
async function commitThroughput(record: boolean, windowMs: number, run: number): Promise<{ opsPerSec: number; cpuUsPerOp: number }> {
  const options = withDefaults({
    nodes: 3,
    seed: 200 + run,
    fsync: 'never',
    workload: { clients: 32, rate: 0, mix: { get: 1, put: 2, cas: 0, append: 1 }, keys: 64, timeoutMs: 2000 },
  });
  return withCluster(`record-${record ? 'on' : 'off'}`, options, { record }, async (c) => {
    await until(() => c.leader() !== null, 30_000, 'a leader');
    // Warm up: the first second includes connection set-up and JIT.
    const warm = c.now() + 1000;
    await until(() => c.now() >= warm, 5000, 'the warm-up');
    const ok0 = c.opsOk();
    const t0 = c.now();
    const cpu0 = process.cpuUsage();
    await until(() => c.now() - t0 >= windowMs, windowMs + 5000, 'the measured window');
    const cpu = process.cpuUsage(cpu0);
    const ops = c.opsOk() - ok0;
    // The recorder's periodic flush runs on this thread too, so CPU per op includes it:
    // a figure that contention from other processes on the machine hardly moves.
    return { opsPerSec: (ops * 1000) / (c.now() - t0), cpuUsPerOp: ops > 0 ? (cpu.user + cpu.system) / ops : NaN };
  });
}

// ---------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------

function table(headers: string[], rows: Array<Array<string | number>>): string {
  const cells = rows.map((r) => r.map((c) => (typeof c === 'number' ? c.toLocaleString('en') : c)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

const fmtMs = (ms: number) => `${Math.round(ms)} ms`;

/** Runs every lab benchmark, prints the figures as tables and returns them. */
export async function benchLab(opts: LabBenchOptions = {}): Promise<LabBenchResult> {
  const sizes = opts.clusterSizes ?? [3, 5, 9];
  const electionRuns = opts.electionRuns ?? 3;
  const rates = opts.telemetryRates ?? [50_000, 100_000, 150_000];
  const telemetryNodes = opts.telemetryNodes ?? 3;
  const telemetryMs = opts.telemetryMs ?? 3000;
  const throughputMs = opts.throughputMs ?? 4000;
  const throughputRuns = opts.throughputRuns ?? 3;

  // 1.
  const elections: ElectionFigure[] = [];
  for (const nodes of sizes) {
    const samples: Array<{ readyMs: number; leaderMs: number }> = [];
    for (let run = 0; run < electionRuns; run++) samples.push(await timeToFirstLeader(nodes, run));
    elections.push({
      nodes,
      runs: electionRuns,
      readyMsMedian: median(samples.map((s) => s.readyMs)),
      firstLeaderMsMedian: median(samples.map((s) => s.leaderMs)),
      firstLeaderMs: samples.map((s) => Math.round(s.leaderMs)),
    });
  }
  console.log('time from Cluster.start to first leader (processes spawned by the lab; election timeouts 150-300 ms)');
  console.log(
    table(
      ['nodes', 'runs', 'all ready (median)', 'first leader (median)', 'first leader, each run'],
      elections.map((e) => [String(e.nodes), String(e.runs), fmtMs(e.readyMsMedian), fmtMs(e.firstLeaderMsMedian), e.firstLeaderMs.join(', ')]),
    ),
  );

  // 2.
  const script = await telemetryNodeScript();
  const telemetry: TelemetryFigure[] = [];
  for (const rate of rates) telemetry.push(await telemetryRun(script, telemetryNodes, rate, telemetryMs));
  const sustained = telemetry.filter((f) => f.sustained).map((f) => f.offeredPerSec);
  const telemetrySustainedPerSec = sustained.length > 0 ? Math.max(...sustained) : 0;
  console.log(`\ntelemetry intake along the real lab path (${telemetryNodes} stand-in node processes, ${telemetryMs} ms per rate)`);
  console.log(
    table(
      ['offered ev/s', 'published ev/s', 'ingested ev/s', 'backlog', 'published', 'ingested', 'lost', 'seq gaps', 'recorded', 'lab loop busy', 'stop+export', 'kept up'],
      telemetry.map((f) => [
        f.offeredPerSec,
        f.publishedPerSec,
        f.ingestedPerSec,
        fmtMs(f.backlogMs),
        f.published,
        f.ingested,
        f.lost,
        f.gaps,
        f.recorded,
        Number.isFinite(f.labLoopBusy) ? `${Math.round(f.labLoopBusy * 100)}%` : '-',
        fmtMs(f.stopMs),
        f.sustained ? 'yes' : 'NO',
      ]),
    ),
  );
  console.log(`highest offered rate ingested in step with no loss: ${telemetrySustainedPerSec.toLocaleString('en')} events/s`);
  const stages = stageCosts();
  console.log('\nintake stages in-process (180,000 commit/apply events)');
  console.log(table(['stage', 'events/s', 'µs/event'], stages.map((s) => [s.stage, s.eventsPerSec, (1e6 / s.eventsPerSec).toFixed(2)])));

  // 3.
  const runsOn: Array<{ opsPerSec: number; cpuUsPerOp: number }> = [];
  const runsOff: Array<{ opsPerSec: number; cpuUsPerOp: number }> = [];
  // Alternate which setting goes first, so a drift in the machine's load favours neither.
  for (let run = 0; run < throughputRuns; run++) {
    const order = run % 2 === 0 ? [true, false] : [false, true];
    for (const record of order) (record ? runsOn : runsOff).push(await commitThroughput(record, throughputMs, run));
  }
  const figure = (record: boolean, runs: typeof runsOn): RecordingFigure => ({
    record,
    opsPerSec: runs.map((r) => Math.round(r.opsPerSec)),
    median: Math.round(median(runs.map((r) => r.opsPerSec))),
    cpuUsPerOpMedian: Math.round(median(runs.map((r) => r.cpuUsPerOp))),
  });
  const recording: RecordingFigure[] = [figure(true, runsOn), figure(false, runsOff)];
  const recordingOverhead = (recording[1].median - recording[0].median) / recording[1].median;
  console.log(`\ncommit throughput with and without recording (3 nodes, fsync never, 32 closed-loop clients, ${throughputMs} ms windows)`);
  console.log(
    table(
      ['recording', 'ok ops/s (median)', 'each run', 'lab CPU per op (median)'],
      recording.map((r) => [r.record ? 'on' : 'off', r.median, r.opsPerSec.join(', '), `${r.cpuUsPerOpMedian} µs`]),
    ),
  );
  console.log(
    `recording overhead: throughput ${(recordingOverhead * 100).toFixed(1)}% lower with recording (negative: within noise), ` +
      `lab CPU per op ${recording[0].cpuUsPerOpMedian - recording[1].cpuUsPerOpMedian} µs more`,
  );

  return { elections, telemetry, telemetrySustainedPerSec, stages, recording, recordingOverhead };
}

if (process.argv[1]?.replace(/\\/g, '/').endsWith('test/bench/lab.ts')) {
  await benchLab();
}
