/**
 * Cluster start (issue 12, target: 5 nodes <= 1.0 s, 25 nodes <= 3 s to the first leader,
 * process start included): the time from `Lab.startCluster` (what the app's Start button and
 * `raftlab run` call) to the first node that becomes leader, and to every node ready, for
 * 5 and 25 nodes, median of several runs, each on a fresh cluster with recording on.
 *
 * Where the time goes, per run (every mark is taken in this process when the lab emits the
 * event, on one clock, performance.now()):
 *
 *   setup       start called -> the run's 'started' event: run folder, recorder, the lab's
 *               sockets, CURVE keys of the lab;
 *   spawned     -> the last node's 'starting' process event (all spawned; the spawns are
 *               issued back to back, each child_process.spawn is synchronous in the lab);
 *   ready       -> the first and the last node's 'ready' telemetry (module load, config on
 *               stdin, storage open, socket binds and CURVE setup inside each node);
 *   campaign    -> the first 'role' candidate event (the first election timeout: drawn from
 *               [electionTimeoutMinMs, electionTimeoutMaxMs), counted from when that node
 *               started its timer, §5.2);
 *   leader      -> the first 'role' leader event.
 *
 * And, outside any cluster, the floors these are made of, measured in the same run:
 *
 *   - `node -e 0`: a bare Node process, spawned and exited (spawn + Node's own bootstrap);
 *   - `node out/node/main.mjs` with no arguments: the same plus loading and evaluating the
 *     node bundle and its native zeromq addon (main.ts prints its usage and exits 2);
 *   - N of each at once, as the lab starts them (2 cores: what N processes cost together);
 *   - CPU ms each node process had used by its 'ready' (utime + stime from /proc/<pid>/stat),
 *     which on 2 cores bounds how fast N of them can get ready at all;
 *   - the CURVE key pairs the lab makes (one per node and one for the lab).
 *
 * RAFTLAB_BENCH_KEEP=1 keeps each start's run folder (events.jsonl, node logs) and prints it.
 *
 * `npm run bench -- start [--nodes=5,25] [--runs=5] [--variants=before=<main.mjs>,after|t10=tick:10,t1=tick:1]`. Starts go through Cluster.start, which is
 * what Lab.startCluster calls, with an event hook of the bench's own.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_WORKLOAD, withDefaults } from '../../src/contract/clusterOptions';
import type { RunEvent } from '../../src/contract/runEvents';
import { Cluster } from '../../src/lab/cluster';
import { defaultNodeScript } from '../../src/lab/lab';
import { newCurveKeyPair } from '../../src/wire/frameSeal';
import { percentile, sortedNumbers } from '../../src/analysis/percentile';
import { waitFor } from '../integration/helpers/waitFor';

export interface StartBenchOptions {
  /** Cluster sizes (default 5 and 25). */
  nodes?: number[];
  /** Runs per size (default 5). */
  runs?: number;
  /**
   * Node builds to compare in one run (default: the current build alone). Their starts are
   * interleaved, the order swapped every run, so the shared machine's drift hits both alike.
   */
  variants?: Array<{ name: string; script?: string; tickMs?: number }>;
}

/** The marks of one start, ms after start was called. */
export interface StartMarks {
  setupMs: number;
  spawnedMs: number;
  firstReadyMs: number;
  allReadyMs: number;
  firstCandidateMs: number;
  leaderMs: number;
  /** When startCluster resolved (every node ready, the workload, if any, set). */
  resolvedMs: number;
  /** CPU ms (user + system) each node process had used by its 'ready', median over the nodes. */
  nodeCpuAtReadyMsMedian: number;
  /** The first leader's term, and how many campaigns (candidate role events) came before it. */
  leaderTerm: number;
  campaigns: number;
}

export interface StartFigure {
  variant: string;
  nodes: number;
  runs: StartMarks[];
  median: StartMarks;
}

export interface FloorFigure {
  what: string;
  /** One process at a time: median wall ms from spawn to exit. */
  oneMsMedian: number;
  /** N at once: wall ms from the first spawn to the last exit, per N. */
  together: Array<{ n: number; ms: number }>;
}

export interface StartBenchResult {
  starts: StartFigure[];
  floors: FloorFigure[];
  curveKeyPairUs: number;
}

const median = (xs: number[]): number => percentile(sortedNumbers(xs), 50) ?? Number.NaN;

/** utime + stime of a live process in ms (/proc/<pid>/stat fields 14 and 15, in clock ticks of 10 ms). */
function cpuMsOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count from after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null; // Linux only; the figure is left out elsewhere
  }
}

async function oneStart(nodes: number, run: number, nodeScript: string, tickMs?: number): Promise<StartMarks> {
  const dir = mkdtempSync(join(tmpdir(), `raftlab-bench-start${nodes}-`));
  const marks: Partial<Record<'setup' | 'candidate' | 'leader', number>> = {};
  const spawnedAt: number[] = [];
  const readyAt: number[] = [];
  const cpuAtReady: number[] = [];
  let leaderTerm = 0;
  let campaigns = 0;
  let t0 = 0;
  // Every event as the cluster emits it (the Lab's pushes to the UI are batched per 50 ms).
  const onEvent = (ev: RunEvent) => {
    const now = performance.now() - t0;
    if (ev.type === 'run' && ev.phase === 'started') marks.setup ??= now;
    else if (ev.type === 'process' && ev.state === 'starting') spawnedAt.push(now);
    else if (ev.type === 'ready') {
      readyAt.push(now);
      const cpu = cpuMsOf(ev.pid);
      if (cpu !== null) cpuAtReady.push(cpu);
    } else if (ev.type === 'role' && ev.role === 'candidate' && marks.leader === undefined) {
      marks.candidate ??= now;
      campaigns++;
    } else if (ev.type === 'role' && ev.role === 'leader' && marks.leader === undefined) {
      marks.leader = now;
      leaderTerm = ev.term;
    }
  };
  let cluster: Cluster | null = null;
  try {
    t0 = performance.now();
    // What Lab.startCluster does (src/lab/lab.ts), with the bench's event hook.
    cluster = await Cluster.start(withDefaults({ nodes, seed: 500 + run, ...(tickMs === undefined ? {} : { tickMs }), workload: { ...DEFAULT_WORKLOAD, clients: 0 } }), {
      runDir: join(dir, 'run'),
      runId: `bench-start-${nodes}-${run}`,
      nodeScript,
      execPath: profilingExecPath() ?? process.execPath,
      readyTimeoutMs: 30_000,
      onEvent,
    });
    const resolvedMs = performance.now() - t0;
    await waitFor(() => marks.leader !== undefined, { timeoutMs: 30_000, what: `bench: a leader among ${nodes} nodes`, intervalMs: 2 });
    return {
      setupMs: marks.setup ?? Number.NaN,
      spawnedMs: Math.max(...spawnedAt),
      firstReadyMs: Math.min(...readyAt),
      allReadyMs: Math.max(...readyAt),
      firstCandidateMs: marks.candidate ?? Number.NaN,
      leaderMs: marks.leader!,
      resolvedMs,
      nodeCpuAtReadyMsMedian: median(cpuAtReady),
      leaderTerm,
      campaigns,
    };
  } finally {
    await cluster?.stop({ linearizabilityBudgetMs: 200 });
    if (process.env.RAFTLAB_BENCH_KEEP === '1') console.log(`  (kept ${dir})`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * RAFTLAB_BENCH_CPU_PROF=<dir>: every node runs under `node --cpu-prof` (a wrapper script:
 * NODE_OPTIONS does not allow --cpu-prof), as in test/bench/node.ts. The cluster is stopped
 * gracefully right after its leader, so each profile is mostly the node's start.
 */
function profilingExecPath(): string | undefined {
  const dir = process.env.RAFTLAB_BENCH_CPU_PROF;
  if (!dir) return undefined;
  mkdirSync(dir, { recursive: true });
  const wrapper = join(dir, 'node-cpu-prof.sh');
  writeFileSync(wrapper, `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} --cpu-prof --cpu-prof-dir=${JSON.stringify(dir)} "$@"\n`);
  chmodSync(wrapper, 0o755);
  return wrapper;
}

/** Wall ms from spawning `args` to its exit. */
function timeProcess(args: string[]): Promise<number> {
  const t = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', () => resolve(performance.now() - t));
  });
}

async function floor(what: string, args: string[], sizes: number[], runs: number): Promise<FloorFigure> {
  const one: number[] = [];
  for (let i = 0; i < Math.max(runs, 10); i++) one.push(await timeProcess(args));
  const together: FloorFigure['together'] = [];
  for (const n of sizes) {
    const walls: number[] = [];
    for (let i = 0; i < Math.min(runs, 3); i++) {
      const t = performance.now();
      await Promise.all(Array.from({ length: n }, () => timeProcess(args)));
      walls.push(performance.now() - t);
    }
    together.push({ n, ms: median(walls) });
  }
  return { what, oneMsMedian: median(one), together };
}

function curveKeyPairUs(): number {
  const n = 200;
  const t = performance.now();
  for (let i = 0; i < n; i++) newCurveKeyPair();
  return ((performance.now() - t) * 1000) / n;
}

const KEYS: Array<keyof StartMarks> = ['setupMs', 'spawnedMs', 'firstReadyMs', 'allReadyMs', 'firstCandidateMs', 'leaderMs', 'resolvedMs', 'nodeCpuAtReadyMsMedian', 'leaderTerm', 'campaigns'];

/** Width of the row label: 'median <variant>/<nodes>' when variants are compared. */
const variants0Width = (opts: StartBenchOptions) => (opts.variants && opts.variants.length > 1 ? 8 + Math.max(...opts.variants.map((v) => v.name.length)) + 3 : 6);

const ms = (n: number) => (Number.isFinite(n) ? n.toFixed(0).padStart(6) : '     -');

export async function benchStart(opts: StartBenchOptions = {}): Promise<StartBenchResult> {
  const sizes = opts.nodes ?? [5, 25];
  const runs = opts.runs ?? 5;
  const starts: StartFigure[] = [];
  console.log('ms after start was called; each row one start, the last row of a size its median');
  console.log(`${'nodes'.padEnd(variants0Width(opts))} ${'setup'.padStart(6)} ${'spawn'.padStart(6)} ${'ready1'.padStart(6)} ${'readyN'.padStart(6)} ${'campgn'.padStart(6)} ${'leader'.padStart(6)} ${'start()'.padStart(7)} ${'cpu/node'.padStart(8)} ${'term'.padStart(4)} ${'campaigns'.padStart(9)}`);
  const row = (label: string, m: StartMarks) =>
    console.log(`${label.padEnd(variants0Width(opts))} ${ms(m.setupMs)} ${ms(m.spawnedMs)} ${ms(m.firstReadyMs)} ${ms(m.allReadyMs)} ${ms(m.firstCandidateMs)} ${ms(m.leaderMs)} ${ms(m.resolvedMs)} ${'  '}${ms(m.nodeCpuAtReadyMsMedian)} ${String(m.leaderTerm).padStart(4)} ${String(m.campaigns).padStart(9)}`);
  const variants = (opts.variants ?? [{ name: 'current' }]).map((v) => ({ name: v.name, script: v.script ?? defaultNodeScript(), tickMs: v.tickMs }));
  const label = (v: string, n: number) => (variants.length > 1 ? `${v}/${n}` : String(n));
  for (const nodes of sizes) {
    const lists = new Map(variants.map((v) => [v.name, [] as StartMarks[]]));
    for (let r = 0; r < runs; r++) {
      for (const v of r % 2 === 0 ? variants : [...variants].reverse()) {
        const m = await oneStart(nodes, r, v.script, v.tickMs);
        lists.get(v.name)!.push(m);
        row(label(v.name, nodes), m);
      }
    }
    for (const v of variants) {
      const list = lists.get(v.name)!;
      const med = Object.fromEntries(KEYS.map((k) => [k, median(list.map((m) => m[k]))])) as unknown as StartMarks;
      row(variants.length > 1 ? `median ${v.name}/${nodes}` : 'median', med);
      starts.push({ variant: v.name, nodes, runs: list, median: med });
    }
  }
  const floors = [await floor('node -e 0', ['-e', '0'], sizes, runs)];
  for (const v of variants) floors.push(await floor(`node main.mjs${variants.length > 1 ? ` (${v.name})` : ''}: load, usage, exit`, [v.script], sizes, runs));
  console.log('\nfloors (no cluster): wall ms from spawn to exit');
  for (const f of floors) console.log(`  ${f.what.padEnd(34)} one: ${f.oneMsMedian.toFixed(0)} ms; ${f.together.map((t) => `${t.n} at once: ${t.ms.toFixed(0)} ms`).join('; ')}`);
  const keyUs = curveKeyPairUs();
  console.log(`  CURVE key pair: ${keyUs.toFixed(0)} µs each (${sizes.map((n) => `${n + 1} pairs: ${(((n + 1) * keyUs) / 1000).toFixed(1)} ms`).join(', ')})`);
  return { starts, floors, curveKeyPairUs: keyUs };
}

export function parseStartBenchArgs(argv: readonly string[]): StartBenchOptions {
  const value = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  for (const a of argv) if (!/^--(nodes|runs|variants)=/.test(a)) throw new Error(`unknown option ${JSON.stringify(a)} (options: --nodes=5,25 --runs=5 --variants=before=path/to/main.mjs,after or --variants=t10=tick:10,t1=tick:1)`);
  const positive = (name: string, v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} needs positive whole numbers, got ${JSON.stringify(v)}`);
    return n;
  };
  const nodes = value('nodes')?.split(',').filter((w) => w !== '').map((v) => positive('nodes', v));
  const runs = value('runs');
  const variants = value('variants')
    ?.split(',')
    .filter((w) => w !== '')
    .map((v) => {
      const eq = v.indexOf('=');
      const name = eq < 0 ? v : v.slice(0, eq);
      if (!/^[\w-]+$/.test(name)) throw new Error(`--variants takes name=path/to/main.mjs, name=tick:MS (the current build with that timer tick) or a bare name for the current build, got ${JSON.stringify(v)}`);
      const tick = /^tick:(\d+)$/.exec(v.slice(eq + 1));
      if (eq >= 0 && tick) return { name, tickMs: positive('variants tick', tick[1]) };
      const script = eq < 0 ? undefined : resolve(v.slice(eq + 1));
      if (script !== undefined && !existsSync(script)) throw new Error(`--variants: ${script} does not exist`);
      return { name, script };
    });
  return { nodes, runs: runs === undefined ? undefined : positive('runs', runs), variants };
}
