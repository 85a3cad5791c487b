/**
 * `npm run bench -- core|node|peer|zmq|lab|all [options]` (default all): runs the benchmarks
 * and prints their figures under one header each. Words after the name are that
 * benchmark's options (node: `--phase=closed-1 --fsync=always`, see test/bench/node.ts).
 *
 *   core  the pure Raft core in one process (test/bench/core.ts, benchCore)
 *   node  a node process with real storage and transport (test/bench/node.ts, benchNode),
 *         then the raw ZeroMQ round trip it is built on (zmq)
 *   peer  the node bench's single-request load against raftlab and a 3-member etcd side by
 *         side, when etcd is on PATH (test/bench/peer.ts, benchPeer); not in `all`
 *   zmq   raw ZeroMQ round-trip latency between two processes (test/bench/zmqRoundTrip.ts)
 *   start cluster start: to first leader and every node ready, 5 and 25 nodes, with the floors (test/bench/start.ts)
 *   lab   the lab: time to first leader, telemetry intake, recording overhead (test/bench/lab.ts)
 *   schema  decode cost and bundle size of the schema-library candidates (test/bench/schema.ts)
 *   ticks CPU cost per node of 10, 5, 2 and 1 ms timer ticks (test/bench/ticks.ts)
 *   replay  exact replay of a recorded 45 s chaos run: steps/s, whole run, seeks (test/bench/replay.ts)
 *
 * Each benchmark module is loaded only when asked for, bundled on the spot with esbuild
 * (as scripts/run-ts.mjs does for this file), so a module that does not exist yet or does
 * not build is reported by name and the others still run. Exit code: 0 when every
 * requested benchmark ran; 1 when one failed (or, asked for by name, is missing); 2 for
 * bad arguments.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { nodeBundle } from '../../scripts/esbuildConfig.mjs';

interface BenchSpec {
  /** File under test/bench. */
  file: string;
  /** The async function it exports. */
  fn: string;
  title: string;
  /** Formats what the function returned, for benchmarks that print nothing themselves. */
  format?: (result: unknown) => string;
  /**
   * The exported function that turns the words after the benchmark's name into its options
   * (e.g. `npm run bench -- node --phase=closed-1`); benchmarks without one take no words.
   */
  parseArgs?: string;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en');

const BENCHES: Record<string, BenchSpec> = {
  core: {
    file: 'core.ts',
    fn: 'benchCore',
    title: 'core: commit throughput of the pure Raft core (3 nodes, one process, no I/O)',
    format: (r) => {
      const c = r as { batchedEntriesPerSec: number; unbatchedEntriesPerSec: number; batchSize: number };
      return [
        `entries committed per second, one command per proposal:   ${fmt(c.unbatchedEntriesPerSec)}`,
        `entries committed per second, ${c.batchSize} commands per proposal: ${fmt(c.batchedEntriesPerSec)}`,
      ].join('\n');
    },
  },
  node: {
    file: 'node.ts',
    fn: 'benchNode',
    title: 'node: a node process with real storage and transport',
    parseArgs: 'parseNodeBenchArgs',
    // It prints its own table and figures.
    format: () => '',
  },
  peer: {
    file: 'peer.ts',
    fn: 'benchPeer',
    title: 'peer: raftlab beside a 3-member etcd (when etcd is on PATH), the same single-request load',
    parseArgs: 'parsePeerBenchArgs',
    format: () => '',
  },
  zmq: {
    file: 'zmqRoundTrip.ts',
    fn: 'benchZmqRoundTrip',
    title: 'zmq: raw ZeroMQ round trip between two processes (DEALER -> ROUTER echo, tcp, 64 bytes)',
    format: (r) => {
      const z = r as { p50Us: number; p99Us: number; count: number };
      return `round trip over ${fmt(z.count)} pings: p50 ${z.p50Us.toFixed(0)} µs, p99 ${z.p99Us.toFixed(0)} µs`;
    },
  },
  start: {
    file: 'start.ts',
    fn: 'benchStart',
    title: 'start: cluster start to first leader and to every node ready (5 and 25 nodes), and where the time goes',
    parseArgs: 'parseStartBenchArgs',
    format: () => '',
  },
  lab: {
    file: 'lab.ts',
    fn: 'benchLab',
    title: 'lab: time to first leader, telemetry intake, cost of recording',
  },
  ticks: { file: 'ticks.ts', fn: 'benchTicks', title: 'ticks: CPU cost per node of the timer resolution (tickMs 10, 5, 2, 1)' },
  replay: {
    file: 'replay.ts',
    fn: 'benchReplay',
    title: 'replay: exact replay of a 45 s 5-node chaos run (steps/s, whole run, seek to a random time)',
  },
  fuzz: { file: 'fuzz.ts', fn: 'benchFuzz', title: 'fuzz: random and mutated frames of every type from an admitted member against a live 3-node cluster' },
  schema: { file: 'schema.ts', fn: 'benchSchema', title: 'schema: decode cost and bundle size of valibot, zod 4 and TypeBox on the contract\'s inputs' },
  renderer: {
    file: 'renderer.ts',
    fn: 'benchRenderer',
    title: 'renderer: the live page watching 9 nodes under ~1,000 ops/s (heap and frame delay over time)',
  },
};

const GROUPS: Record<string, string[]> = {
  core: ['core'],
  node: ['node', 'zmq'],
  peer: ['peer'],
  zmq: ['zmq'],
  lab: ['lab'],
  start: ['start'],
  renderer: ['renderer'],
  fuzz: ['fuzz'],
  schema: ['schema'],
  ticks: ['ticks'],
  replay: ['replay'],
  all: ['core', 'node', 'zmq', 'lab', 'renderer'],
};

const USAGE = `usage: npm run bench -- [${Object.keys(GROUPS).join('|')}] [options of that benchmark]   (default all)`;

/** The directory holding raftlab's package.json, upwards from the working directory. */
function repoRoot(): string {
  for (let dir = process.cwd(); ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'raftlab') return dir;
    if (dirname(dir) === dir) throw new Error('run the benchmarks from the raftlab directory (no raftlab package.json found above the working directory)');
  }
}

class MissingBench extends Error {}

/** Bundles one benchmark module and returns its exported function. */
async function load(root: string, spec: BenchSpec): Promise<{ run: (...args: unknown[]) => Promise<unknown>; parseArgs?: (argv: string[]) => unknown }> {
  const entry = join(root, 'test/bench', spec.file);
  if (!existsSync(entry)) throw new MissingBench(`test/bench/${spec.file} does not exist yet`);
  // Inside node_modules so the bundle's external packages resolve from the repo.
  const cache = join(root, 'node_modules/.cache/run-ts');
  mkdirSync(cache, { recursive: true });
  const outdir = mkdtempSync(join(cache, `bench-${spec.file.replace(/\W/g, '_')}-`));
  const outfile = join(outdir, 'bench.mjs');
  try {
    await build(nodeBundle({ entryPoints: [entry], outfile, sourcemap: 'inline', logLevel: 'silent' }));
    const mod = (await import(pathToFileURL(outfile).href)) as Record<string, unknown>;
    const fn = mod[spec.fn];
    if (typeof fn !== 'function') throw new Error(`test/bench/${spec.file} does not export a function ${spec.fn}`);
    const parse = spec.parseArgs === undefined ? undefined : mod[spec.parseArgs];
    if (spec.parseArgs !== undefined && typeof parse !== 'function') throw new Error(`test/bench/${spec.file} does not export a function ${spec.parseArgs}`);
    return { run: fn as (...args: unknown[]) => Promise<unknown>, parseArgs: parse as ((argv: string[]) => unknown) | undefined };
  } finally {
    // Kept until every bench is done: a bench may start a worker thread from its own
    // bundle (the node bench's latency client does), long after the import.
    bundles.push(outdir);
  }
}

const bundles: string[] = [];

function removeBundles(): void {
  for (const dir of bundles.splice(0)) rmSync(dir, { recursive: true, force: true });
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] !== undefined && !(argv[0] in GROUPS)) {
    console.error(argv[0] === '--help' || argv[0] === '-h' ? USAGE : `unknown benchmark ${JSON.stringify(argv.join(' '))}\n${USAGE}`);
    return argv[0] === '--help' || argv[0] === '-h' ? 0 : 2;
  }
  const group = argv[0] ?? 'all';
  const words = argv.slice(1);
  // Options go to the one benchmark named (a group of several would not know whose they are).
  if (words.length > 0 && (!(group in BENCHES) || BENCHES[group].parseArgs === undefined)) {
    console.error(`${group} takes no options, got ${JSON.stringify(words.join(' '))}\n${USAGE}`);
    return 2;
  }
  const names = words.length > 0 ? [group] : GROUPS[group];
  const root = repoRoot();
  process.chdir(root);
  const failures: string[] = [];
  const skipped: string[] = [];
  for (const name of names) {
    const spec = BENCHES[name];
    console.log(`\n=== ${spec.title} ===`);
    const t0 = performance.now();
    try {
      const { run, parseArgs } = await load(root, spec);
      const result = await (name === group && parseArgs && words.length > 0 ? run(parseArgs(words)) : run());
      if (spec.format) console.log(spec.format(result));
      else if (result !== undefined && name !== 'lab') console.log(JSON.stringify(result, null, 2));
      console.log(`(${name}: ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    } catch (err) {
      // Named on the command line: missing is an error. As part of a group: a note.
      if (err instanceof MissingBench && names.length > 1 && group !== name) {
        console.log(`skipped: ${err.message}`);
        skipped.push(name);
        continue;
      }
      console.error(`${name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      failures.push(name);
    }
  }
  console.log(
    `\n${names.length - failures.length - skipped.length} of ${names.length} benchmarks ran` +
      (skipped.length > 0 ? `; skipped (not written yet): ${skipped.join(', ')}` : '') +
      (failures.length > 0 ? `; FAILED: ${failures.join(', ')}` : ''),
  );
  return failures.length > 0 ? 1 : 0;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} finally {
  removeBundles();
}
