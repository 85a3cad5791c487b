/**
 * `raftlab`: the lab from the command line. `raftlab --help` lists the commands,
 * `raftlab COMMAND --help` explains one with examples (cliHelp.ts, which also holds the
 * exit codes: 0 ok, 1 a check failed, 2 bad usage or input, 3 check: linearizability unknown).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Summary } from '../contract/runEvents';
import { JournalCorruptionError, JournalFormatError } from '../contract/journalFormat';
import { Lab } from './lab';
import { ClusterError } from './clusterError';
import { runPlan, EXPECTATIONS_FILE, type RecordedExpectations, type RunOutcome } from './scenarioRunner';
import { ScenarioError } from './scenario/parseScenario';
import { evaluateExpectations } from './scenario/expectations';
import { exportRun, EXPORT_FORMATS, type ExportFormat } from './export/exportRun';
import { readRun, RunReadError } from './recorder/readRun';
import { computeSummary } from './export/summary';
import { startLabServer } from './server/labServer';
import { breakReport, StatusLine, summaryTable } from './cliOutput';
import { commandHelp, EXIT, isCommand, USAGE, version } from './cliHelp';
import { plansFrom, UsageError, type RunArgs } from './cliPlans';
import { cmdCompare, cmdFigure16, COMPARE_OPTIONS, FIGURE16_OPTIONS } from './cliExperiments';
import { writeSweepReport } from './experiments/sweepReport';
import { checkReplay, cmdMessages, cmdReplay } from './cliReplay';

export { parseWorkloadSpec } from './cliPlans';

function rendererDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return [join(here, '../renderer'), resolve('out/renderer')].find((p) => existsSync(join(p, 'index.html'))) ?? join(here, '../renderer');
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
        stopOnBreak: plan.stopOnBreak,
      });
      status.done();
      process.stdout.write(summaryTable(plan.label, outcome.summary, outcome.runDir) + '\n');
      // --break: a break ends the command (exit 0), having printed where and saved the session.
      if (outcome.broke) {
        process.stdout.write(breakReport(outcome.broke) + '\n');
        return EXIT.ok;
      }
      outcomes.push({ label: plan.label, outcome });
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
  if (outcomes.length > 1) {
    // One page with every variant's election times (src/lab/experiments/sweepReport.ts).
    const name = plans[0].label.split('/')[0];
    const page = writeSweepReport(resolve(a.out ?? 'runs'), name, outcomes.map((o, i) => ({ label: o.label, cluster: plans[i].cluster, summary: o.outcome.summary })));
    process.stdout.write(`sweep report: ${page}\n`);
  }
  if (abort.signal.aborted) return EXIT.checkFailed;
  return outcomes.every((o) => o.outcome.passed) ? EXIT.ok : EXIT.checkFailed;
}

async function cmdCheck(dir: string): Promise<number> {
  const runDir = resolve(dir);
  const run = readRun(runDir);
  for (const w of run.warnings) process.stderr.write(`warning: ${w}\n`);
  const summary: Summary = await computeSummary(run.events, run.history, { checkBudgetMs: 30_000 });
  // The run's own expectations (a scenario's expect: section, or a flag run's defaults), judged again.
  const recorded = readExpectations(runDir);
  if (recorded) summary.expectations = evaluateExpectations(recorded.expect, summary, run.events);
  process.stdout.write(summaryTable(recorded?.label || dir, summary, runDir) + '\n');
  // Exact replay of the journals: a mismatch is a determinism bug and fails the check.
  const replay = checkReplay(runDir);
  if (replay) process.stdout.write(replay.lines.join('\n') + '\n');
  if (replay && !replay.ok) return EXIT.checkFailed;
  if (summary.violations.length > 0 || summary.linearizable === false) return EXIT.checkFailed;
  // "linearizable" cannot hold when it is undecided; that is the unknown exit, not a failure.
  if (summary.expectations?.some((e) => !e.ok && !(e.name === 'linearizable' && summary.linearizable === 'unknown'))) return EXIT.checkFailed;
  return summary.linearizable === 'unknown' ? EXIT.unknown : EXIT.ok;
}

function readExpectations(runDir: string): RecordedExpectations | null {
  const path = join(runDir, EXPECTATIONS_FILE);
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as RecordedExpectations;
  } catch (err) {
    throw new RunReadError(`${path} is not valid JSON: ${(err as Error).message}`);
  }
}

async function cmdExport(dir: string, format: string | undefined): Promise<number> {
  const f = format ?? 'all';
  if (f !== 'all' && !(EXPORT_FORMATS as readonly string[]).includes(f)) {
    throw new UsageError(`--format must be one of ${[...EXPORT_FORMATS, 'all'].join(', ')}`);
  }
  const result = await exportRun(resolve(dir), f as ExportFormat | 'all');
  for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`);
  for (const file of result.files) process.stdout.write(`${join(resolve(dir), file.name)} (${file.bytes} bytes)\n`);
  return EXIT.ok;
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
  return EXIT.ok;
}

const RUN_OPTIONS = {
  nodes: { type: 'string' },
  duration: { type: 'string' },
  faults: { type: 'string' },
  workload: { type: 'string' },
  seed: { type: 'string' },
  out: { type: 'string' },
  transport: { type: 'string' },
  hosts: { type: 'string' },
  partitions: { type: 'string' },
  fsync: { type: 'string' },
  recording: { type: 'string' },
  'election-timeout-min': { type: 'string' },
  'election-timeout-max': { type: 'string' },
  heartbeat: { type: 'string' },
  'tick-ms': { type: 'string' },
  'network-delay': { type: 'string' },
  'network-jitter': { type: 'string' },
  prevote: { type: 'boolean' },
  'no-prevote': { type: 'boolean' },
  'check-quorum': { type: 'boolean' },
  'no-check-quorum': { type: 'boolean' },
  speed: { type: 'string' },
  aim: { type: 'string', multiple: true },
  break: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const HELP = { help: { type: 'boolean', short: 'h' } } as const;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const help = (text: string) => {
    process.stdout.write(text + '\n');
    return EXIT.ok;
  };
  try {
    switch (command) {
      case 'run': {
        const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: RUN_OPTIONS });
        if (values.help) return help(commandHelp('run'));
        if (positionals.length > 1) throw new UsageError('run takes at most one scenario file');
        const { help: _help, ...args } = values;
        return await cmdRun({ ...(args as RunArgs), scenario: positionals[0] });
      }
      case 'check': {
        const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: HELP });
        if (values.help) return help(commandHelp('check'));
        if (positionals.length !== 1) throw new UsageError('check takes one run directory');
        return await cmdCheck(positionals[0]);
      }
      case 'export': {
        const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { ...HELP, format: { type: 'string' } } });
        if (values.help) return help(commandHelp('export'));
        if (positionals.length !== 1) throw new UsageError('export takes one run directory');
        return await cmdExport(positionals[0], values.format);
      }
      case 'replay': {
        const { values, positionals } = parseArgs({
          args: rest,
          allowPositionals: true,
          options: { ...HELP, node: { type: 'string' }, at: { type: 'string' }, step: { type: 'string' }, json: { type: 'boolean' } },
        });
        if (values.help) return help(commandHelp('replay'));
        if (positionals.length !== 1) throw new UsageError('replay takes one run directory');
        return cmdReplay(resolve(positionals[0]), values, (line) => process.stdout.write(line + '\n'));
      }
      case 'messages': {
        const { values, positionals } = parseArgs({
          args: rest,
          allowPositionals: true,
          options: { ...HELP, from: { type: 'string' }, to: { type: 'string' }, type: { type: 'string' }, between: { type: 'string' }, json: { type: 'boolean' } },
        });
        if (values.help) return help(commandHelp('messages'));
        // --between takes two times: the second is the positional after the run directory.
        const expected = values.between === undefined ? 1 : 2;
        if (positionals.length !== expected) throw new UsageError(values.between === undefined ? 'messages takes one run directory' : 'messages takes one run directory and --between FROM TO');
        const { between, ...rest2 } = values;
        return cmdMessages(resolve(positionals[0]), { ...rest2, between: between === undefined ? undefined : [between, positionals[1]] }, (line) => process.stdout.write(line + '\n'));
      }
      case 'serve': {
        const { values } = parseArgs({ args: rest, options: { ...HELP, port: { type: 'string' }, runs: { type: 'string' } } });
        if (values.help) return help(commandHelp('serve'));
        return await cmdServe(values.port, values.runs);
      }
      case 'figure16': {
        const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: FIGURE16_OPTIONS });
        if (values.help) return help(commandHelp('figure16'));
        if (positionals.length > 0) throw new UsageError('figure16 takes no positional arguments (use --out DIR)');
        return await cmdFigure16(values);
      }
      case 'compare': {
        const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: COMPARE_OPTIONS });
        if (values.help) return help(commandHelp('compare'));
        return cmdCompare(positionals, values);
      }
      case 'help': {
        const [topic, ...extra] = rest;
        if (extra.length > 0) throw new UsageError('help takes at most one command');
        if (topic === undefined) return help(USAGE);
        if (!isCommand(topic)) throw new UsageError(`unknown command "${topic}"`);
        return help(commandHelp(topic));
      }
      case '--help':
      case '-h':
        return help(USAGE);
      case '--version':
      case '-v':
        return help(version());
      case undefined:
        process.stderr.write(USAGE + '\n');
        return EXIT.usage;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (err) {
    if (err instanceof UsageError || (err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      const usage = command && isCommand(command) ? commandHelp(command) : USAGE;
      process.stderr.write(`raftlab: ${(err as Error).message}\n\n${usage}\n`);
      return EXIT.usage;
    }
    // instanceof, not the name: these classes do not set `name` (it reads "Error").
    if (err instanceof ScenarioError || err instanceof RunReadError || err instanceof ClusterError || err instanceof JournalCorruptionError || err instanceof JournalFormatError) {
      process.stderr.write(`raftlab: ${(err as Error).message}\n`);
      return EXIT.usage;
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
