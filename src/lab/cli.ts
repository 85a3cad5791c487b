/**
 * `raftlab`: the lab from the command line.
 *
 *   raftlab run [scenario.yaml] [--nodes N] [--duration D] [--faults PRESET] [--workload SPEC]
 *               [--seed S] [--out DIR] [--transport tcp|ipc] [--fsync always|never]
 *   raftlab check DIR
 *   raftlab export DIR --format F
 *   raftlab serve [--port P] [--runs DIR]
 *
 * Exit codes: 0 expectations held and nothing was violated; 1 a check failed; 2 bad usage
 * or bad input (the message says what and where).
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { ClusterOptions, WorkloadOptions } from '../contract/clusterOptions';
import { DEFAULT_CLUSTER_OPTIONS, validateClusterOptions, withDefaults } from '../contract/clusterOptions';
import type { ScenarioExpectations, ScenarioStep } from '../contract/scenario';
import type { Summary } from '../contract/runEvents';
import { Lab } from './lab';
import { ClusterError } from './cluster';
import { runPlan, type RunOutcome } from './scenarioRunner';
import { loadScenarioFile, plannedRuns } from './scenario/loadScenario';
import { ScenarioError } from './scenario/parseScenario';
import { parseDuration } from './scenario/values';
import { FAULT_PRESETS, isFaultPreset, presetSteps } from './faultPresets';
import { exportRun, EXPORT_FORMATS, type ExportFormat } from './export/exportRun';
import { readRun, RunReadError } from './recorder/readRun';
import { computeSummary } from './export/summary';
import { startLabServer } from './server/labServer';
import { StatusLine, summaryTable } from './cliOutput';

class UsageError extends Error {}

const USAGE = `usage:
  raftlab run [scenario.yaml] [--nodes N] [--duration D] [--faults PRESET] [--workload SPEC]
              [--seed S] [--out DIR] [--transport tcp|ipc] [--fsync always|never]
  raftlab check DIR
  raftlab export DIR --format ${[...EXPORT_FORMATS, 'all'].join('|')}
  raftlab serve [--port P] [--runs DIR]

  --faults   ${FAULT_PRESETS.join(', ')} (default none)
  --workload "clients=4,rate=200,mix=get:1/put:1/cas:1/append:1,keys=8,timeout=1000" or "none"
  --duration 30s, 1500ms, 2m (default 20s)
exit codes: 0 ok, 1 a check failed, 2 bad usage or input`;

/** Parses --workload "clients=4,rate=200,mix=get:1/put:1,keys=8,timeout=1000". */
export function parseWorkloadSpec(spec: string, base: WorkloadOptions): WorkloadOptions {
  if (spec === 'none') return { ...base, clients: 0 };
  const out: WorkloadOptions = { ...base, mix: { ...base.mix } };
  for (const part of spec.split(',').filter(Boolean)) {
    const [k, v] = part.split('=');
    if (v === undefined) throw new UsageError(`--workload: "${part}" is not key=value`);
    const num = () => {
      const n = Number(v);
      if (!Number.isFinite(n)) throw new UsageError(`--workload: ${k} must be a number, got "${v}"`);
      return n;
    };
    switch (k) {
      case 'clients':
        out.clients = num();
        break;
      case 'rate':
        out.rate = num();
        break;
      case 'keys':
        out.keys = num();
        break;
      case 'timeout':
      case 'timeoutMs':
        out.timeoutMs = num();
        break;
      case 'mix': {
        out.mix = { get: 0, put: 0, cas: 0, append: 0 };
        for (const w of v.split('/')) {
          const [op, weight] = w.split(':');
          if (!(op in out.mix)) throw new UsageError(`--workload: unknown op "${op}" in mix (get, put, cas, append)`);
          const n = Number(weight);
          if (!Number.isFinite(n) || n < 0) throw new UsageError(`--workload: weight of ${op} must be a number >= 0`);
          out.mix[op as keyof WorkloadOptions['mix']] = n;
        }
        break;
      }
      default:
        throw new UsageError(`--workload: unknown key "${k}" (clients, rate, mix, keys, timeout)`);
    }
  }
  return out;
}

function rendererDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return [join(here, '../renderer'), resolve('out/renderer')].find((p) => existsSync(join(p, 'index.html'))) ?? join(here, '../renderer');
}

interface RunArgs {
  scenario?: string;
  nodes?: string;
  duration?: string;
  faults?: string;
  workload?: string;
  seed?: string;
  out?: string;
  transport?: string;
  fsync?: string;
}

interface Plan {
  label: string;
  cluster: ClusterOptions;
  durationMs: number;
  steps: ScenarioStep[];
  expect: ScenarioExpectations;
}

/** Builds the runs to do from a scenario file and/or flags (flags override the file). */
function plansFrom(a: RunArgs): Plan[] {
  const overrides: Partial<ClusterOptions> = {};
  const int = (flag: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n)) throw new UsageError(`--${flag} must be a whole number, got "${v}"`);
    return n;
  };
  const nodes = int('nodes', a.nodes);
  if (nodes !== undefined) overrides.nodes = nodes;
  const seed = int('seed', a.seed);
  if (seed !== undefined) overrides.seed = seed;
  if (a.transport !== undefined) overrides.transport = a.transport as ClusterOptions['transport'];
  if (a.fsync !== undefined) overrides.fsync = a.fsync as ClusterOptions['fsync'];
  let durationMs: number | undefined;
  if (a.duration !== undefined) {
    durationMs = parseDuration(a.duration);
    if (durationMs === undefined || durationMs <= 0) throw new UsageError(`--duration must be like 30s, 1500ms or 2m, got "${a.duration}"`);
  }
  if (a.faults !== undefined && !isFaultPreset(a.faults)) throw new UsageError(`--faults must be one of ${FAULT_PRESETS.join(', ')}`);

  const base: Plan[] = a.scenario
    ? (() => {
        const s = loadScenarioFile(a.scenario);
        return plannedRuns(s).map((r) => ({ label: r.label, cluster: r.cluster, durationMs: s.durationMs, steps: s.steps, expect: s.expect }));
      })()
    : [{ label: 'run', cluster: DEFAULT_CLUSTER_OPTIONS, durationMs: 20_000, steps: [], expect: { noViolations: true, linearizable: true, leaderWithinMs: 5000 } }];

  return base.map((p) => {
    let cluster: ClusterOptions = withDefaults({ ...p.cluster, ...overrides });
    if (a.workload !== undefined) cluster = { ...cluster, workload: parseWorkloadSpec(a.workload, cluster.workload) };
    const errors = validateClusterOptions(cluster);
    if (Object.keys(errors).length > 0) throw new UsageError(Object.values(errors).join('\n'));
    const d = durationMs ?? p.durationMs;
    const steps = a.faults !== undefined ? presetSteps(a.faults as (typeof FAULT_PRESETS)[number], d) : p.steps;
    return { ...p, cluster, durationMs: d, steps };
  });
}

async function cmdRun(a: RunArgs): Promise<number> {
  const plans = plansFrom(a);
  const lab = Lab.create({ runsDir: resolve(a.out ?? 'runs') });
  const abort = new AbortController();
  const onSignal = () => {
    process.stderr.write('\ninterrupted: stopping the cluster and saving the run...\n');
    abort.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const outcomes: Array<{ label: string; outcome: RunOutcome }> = [];
  try {
    for (const [i, plan] of plans.entries()) {
      if (abort.signal.aborted) break;
      const status = new StatusLine(process.stderr, `${plan.label}${plans.length > 1 ? ` (${i + 1}/${plans.length})` : ''}`, plan.durationMs);
      const outcome = await runPlan(lab, plan, {
        signal: abort.signal,
        onTick: (c, elapsed) => status.update(c, elapsed),
        onStep: (step, d) => status.note(`${(step.atMs / 1000).toFixed(1)}s ${d}`),
        onSkip: (step, reason) => status.note(`${(step.atMs / 1000).toFixed(1)}s skipped: ${reason}`),
      });
      status.done();
      outcomes.push({ label: plan.label, outcome });
      process.stdout.write(summaryTable(plan.label, outcome.summary, outcome.runDir) + '\n');
    }
  } finally {
    await lab.shutdown();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (outcomes.length > 1) {
    process.stdout.write('\nruns:\n');
    for (const { label, outcome } of outcomes) {
      const e = outcome.summary.electionMs;
      process.stdout.write(`  ${outcome.passed ? 'ok  ' : 'FAIL'} ${label}: elections ${e.count}, p50 ${e.p50 ?? '-'} ms, p99 ${e.p99 ?? '-'} ms, max ${e.max ?? '-'} ms\n`);
    }
  }
  if (abort.signal.aborted) return 1;
  return outcomes.every((o) => o.outcome.passed) ? 0 : 1;
}

async function cmdCheck(dir: string): Promise<number> {
  const run = readRun(resolve(dir));
  for (const w of run.warnings) process.stderr.write(`warning: ${w}\n`);
  const summary: Summary = await computeSummary(run.events, run.history, { checkBudgetMs: 30_000 });
  process.stdout.write(summaryTable(dir, summary, resolve(dir)) + '\n');
  return summary.violations.length === 0 && summary.linearizable !== false ? 0 : 1;
}

async function cmdExport(dir: string, format: string | undefined): Promise<number> {
  if (!format) throw new UsageError('export needs --format');
  if (format !== 'all' && !(EXPORT_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format must be one of ${[...EXPORT_FORMATS, 'all'].join(', ')}`);
  }
  const result = await exportRun(resolve(dir), format as ExportFormat | 'all');
  for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`);
  for (const f of result.files) process.stdout.write(`${join(resolve(dir), f.name)} (${f.bytes} bytes)\n`);
  return 0;
}

async function cmdServe(port: string | undefined, runs: string | undefined): Promise<number> {
  const p = port === undefined ? 0 : Number(port);
  if (!Number.isInteger(p) || p < 0 || p > 65535) throw new UsageError(`--port must be a port number, got "${port}"`);
  const lab = Lab.create({ runsDir: resolve(runs ?? 'runs') });
  const server = await startLabServer({ lab, staticDir: rendererDir(), port: p });
  process.stdout.write(`raftlab is serving the lab at ${server.url}\n(only this machine can reach it; the address works once: it signs one browser in)\n`);
  await new Promise<void>((done) => {
    const stop = () => done();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  await lab.shutdown();
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'run': {
        const { values, positionals } = parseArgs({
          args: rest,
          allowPositionals: true,
          options: {
            nodes: { type: 'string' },
            duration: { type: 'string' },
            faults: { type: 'string' },
            workload: { type: 'string' },
            seed: { type: 'string' },
            out: { type: 'string' },
            transport: { type: 'string' },
            fsync: { type: 'string' },
          },
        });
        if (positionals.length > 1) throw new UsageError('run takes at most one scenario file');
        return await cmdRun({ ...values, scenario: positionals[0] });
      }
      case 'check': {
        const { positionals } = parseArgs({ args: rest, allowPositionals: true, options: {} });
        if (positionals.length !== 1) throw new UsageError('check takes one run directory');
        return await cmdCheck(positionals[0]);
      }
      case 'export': {
        const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { format: { type: 'string' } } });
        if (positionals.length !== 1) throw new UsageError('export takes one run directory');
        return await cmdExport(positionals[0], values.format);
      }
      case 'serve': {
        const { values } = parseArgs({ args: rest, options: { port: { type: 'string' }, runs: { type: 'string' } } });
        return await cmdServe(values.port, values.runs);
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(USAGE + '\n');
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (err) {
    if (err instanceof UsageError || (err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`raftlab: ${(err as Error).message}\n\n${USAGE}\n`);
      return 2;
    }
    // instanceof, not the name: these classes do not set `name` (it reads "Error").
    if (err instanceof ScenarioError || err instanceof RunReadError || err instanceof ClusterError) {
      process.stderr.write(`raftlab: ${(err as Error).message}\n`);
      return 2;
    }
    throw err;
  }
}

// Run when executed directly (out/lab/cli.mjs), not when imported by tests.
const invoked = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invoked) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: Error) => {
      process.stderr.write(`raftlab: ${err.stack ?? err.message}\n`);
      process.exit(1);
    },
  );
}
