/**
 * The experiment commands of the CLI: `raftlab figure16` (Figure 16 of the Raft paper on
 * real processes and in the simulator, docs/experiments/figure16.md) and `raftlab compare`
 * (A/B comparison of recorded runs with confidence intervals and a CI gate).
 */
import { resolve } from 'node:path';
import type { Figure16Panel } from '../analysis/figure16';
import { EXIT } from './cliHelp';
import { UsageError } from './cliPlans';
import { compareSubjects, comparisonText, readSubject } from './experiments/compare';
import { DEFAULT_FIGURE16, runFigure16, writeTrialReport, type Figure16Progress, type TrialMode } from './experiments/figure16';

export const FIGURE16_OPTIONS = {
  panel: { type: 'string' },
  mode: { type: 'string' },
  trials: { type: 'string' },
  'sim-trials': { type: 'string' },
  out: { type: 'string' },
  seed: { type: 'string' },
  'tick-ms': { type: 'string' },
  'network-delay': { type: 'string' },
  'network-jitter': { type: 'string' },
  'sim-timer-lag': { type: 'string' },
  'report-only': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface Figure16Args {
  panel?: string;
  mode?: string;
  trials?: string;
  'sim-trials'?: string;
  out?: string;
  seed?: string;
  'tick-ms'?: string;
  'network-delay'?: string;
  'network-jitter'?: string;
  'sim-timer-lag'?: string;
  'report-only'?: boolean;
}

/** Trials per range at most (enough for the paper's 1,000 and then some). */
const MAX_TRIALS = 100_000;

function intArg(flag: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${flag} must be a whole number from ${min} to ${max}, got "${v}"`);
  return n;
}

function msArg(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0 || n > 10_000) throw new UsageError(`--${flag} must be a number of ms from 0 to 10000, got "${v}"`);
  return n;
}

const clock = (ms: number): string => {
  const s = Math.round(ms / 1000);
  return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
};

/** One progress line: on a terminal rewritten in place, elsewhere every 5 s (and at each range's end). */
function progressPrinter(out: NodeJS.WriteStream): (p: Figure16Progress) => void {
  let last = -Infinity;
  return (p) => {
    const line = `${p.mode === 'sim' ? 'simulated' : 'real'} ${p.range}: trial ${p.trial}/${p.trialsInRange}  (${p.done}/${p.total} in all, ${clock(p.elapsedMs)} elapsed, about ${clock(p.etaMs)} left)`;
    if (out.isTTY) out.write(`\r${line.padEnd(100)}`);
    else if (p.elapsedMs - last >= 5000 || p.trial === p.trialsInRange) {
      last = p.elapsedMs;
      out.write(line + '\n');
    }
  };
}

export async function cmdFigure16(a: Figure16Args): Promise<number> {
  const outDir = resolve(a.out ?? 'figure16');
  const panel = a.panel ?? 'both';
  if (!['top', 'bottom', 'both'].includes(panel)) throw new UsageError(`--panel must be top, bottom or both, got "${panel}"`);
  const panels: Figure16Panel[] = panel === 'both' ? ['top', 'bottom'] : [panel as Figure16Panel];
  if (a['report-only']) {
    for (const f of writeTrialReport(outDir, panels)) process.stdout.write(`wrote ${f}\n`);
    return EXIT.ok;
  }
  const mode = a.mode ?? 'both';
  if (!['real', 'sim', 'both'].includes(mode)) throw new UsageError(`--mode must be real, sim or both, got "${mode}"`);
  const modes: TrialMode[] = mode === 'both' ? ['sim', 'real'] : [mode as TrialMode];
  const abort = new AbortController();
  const onSignal = () => {
    process.stderr.write('\ninterrupted: finishing the current range and writing what was measured...\n');
    abort.abort();
  };
  process.once('SIGINT', onSignal);
  try {
    const { sets, files } = await runFigure16({
      ...DEFAULT_FIGURE16,
      panels,
      modes,
      outDir,
      trialsReal: intArg('trials', a.trials, 1, MAX_TRIALS) ?? DEFAULT_FIGURE16.trialsReal,
      trialsSim: intArg('sim-trials', a['sim-trials'], 1, MAX_TRIALS) ?? DEFAULT_FIGURE16.trialsSim,
      seed: intArg('seed', a.seed, 0, 2 ** 32 - 1) ?? DEFAULT_FIGURE16.seed,
      tickMs: intArg('tick-ms', a['tick-ms'], 1, 10) ?? DEFAULT_FIGURE16.tickMs,
      networkDelay: {
        delayMs: msArg('network-delay', a['network-delay']) ?? DEFAULT_FIGURE16.networkDelay.delayMs,
        jitterMs: msArg('network-jitter', a['network-jitter']) ?? DEFAULT_FIGURE16.networkDelay.jitterMs,
      },
      simTimerLagMs: msArg('sim-timer-lag', a['sim-timer-lag']) ?? 0,
      onProgress: progressPrinter(process.stderr),
      signal: abort.signal,
    });
    process.stderr.write('\n');
    for (const s of sets) {
      for (const v of s.variants) {
        const sorted = [...v.samples].sort((x, y) => x - y);
        const p50 = sorted.length > 0 ? sorted[Math.ceil(sorted.length / 2) - 1] : null;
        process.stdout.write(`${s.mode.padEnd(4)} ${v.label.padEnd(8)} n=${v.samples.length}${v.unresolved ? ` (+${v.unresolved} unresolved)` : ''}  p50 ${p50?.toFixed(1) ?? '–'} ms  max ${sorted.at(-1)?.toFixed(1) ?? '–'} ms  (${clock(v.wallMs)})\n`);
      }
    }
    for (const f of files) process.stdout.write(`wrote ${f}\n`);
  } finally {
    process.off('SIGINT', onSignal);
  }
  return EXIT.ok;
}

export const COMPARE_OPTIONS = {
  'fail-if-slower': { type: 'string' },
  seed: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Exit 1 when a gate is given and some B is worse than A beyond it with 95% confidence. */
export function cmdCompare(paths: readonly string[], a: { 'fail-if-slower'?: string; seed?: string }): number {
  if (paths.length < 2) throw new UsageError('compare takes at least two runs: RUN_A RUN_B [...]');
  let gate: number | undefined;
  if (a['fail-if-slower'] !== undefined) {
    gate = Number(a['fail-if-slower'].replace(/%$/, ''));
    if (!Number.isFinite(gate) || gate < 0) throw new UsageError(`--fail-if-slower must be a percentage >= 0, got "${a['fail-if-slower']}"`);
  }
  const seed = intArg('seed', a.seed, 0, 2 ** 32 - 1) ?? 1;
  const subjects = paths.map((p) => {
    try {
      return readSubject(p);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  });
  let worse = false;
  for (const b of subjects.slice(1)) {
    const rows = compareSubjects(subjects[0], b, { failIfSlowerPct: gate ?? 0, seed });
    if (rows.length === 0) throw new UsageError(`${subjects[0].path} and ${b.path} share no metric to compare`);
    process.stdout.write(comparisonText(subjects[0].path, b.path, rows, gate) + '\n\n');
    if (gate !== undefined && rows.some((r) => r.worse)) worse = true;
  }
  if (gate !== undefined) process.stdout.write(worse ? `FAIL: B is worse than A by more than ${gate}% with 95% confidence\n` : `ok: no metric worse by more than ${gate}% with 95% confidence\n`);
  return worse ? EXIT.checkFailed : EXIT.ok;
}
