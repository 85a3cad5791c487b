/**
 * `raftlab figure16`: both panels of the Raft paper's Figure 16 (§9.3), on real processes
 * and in the simulator, written to one folder:
 *   trials-real.json, trials-sim.json   the samples (format in src/analysis/figure16.ts)
 *   figure16-top.svg, figure16-bottom.svg, figure16.html   the report (./trialReport.ts)
 *   runs/                                one recorded run per real range
 * A range in both panels (150–300) is measured once per mode.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIGURE16_RANGES, FIGURE16_SETTING, trialSetProblem, type Figure16Panel, type TimeoutRange, type TrialSet, type TrialVariant } from '../../analysis/figure16';
import { runSimElectionTrials } from '../../sim/electionTrials';
import { writeFileAtomic } from '../export/atomicWrite';
import { runRealElectionTrials } from './electionTrials';
import { panelSvg, trialReportHtml, type PanelData } from './trialReport';

export type TrialMode = TrialSet['mode'];

export interface Figure16Options {
  panels: Figure16Panel[];
  modes: TrialMode[];
  trialsReal: number;
  trialsSim: number;
  outDir: string;
  seed: number;
  nodes: number;
  tickMs: number;
  networkDelay: { delayMs: number; jitterMs: number };
  /** The simulator's model of event-loop lag (SimTrialOptions.timerLagMs); default 0. */
  simTimerLagMs?: number;
  /** After every trial: where the experiment is, for a progress line. */
  onProgress?: (p: Figure16Progress) => void;
  signal?: AbortSignal;
}

export interface Figure16Progress {
  mode: TrialMode;
  range: string;
  trial: number;
  trialsInRange: number;
  /** Trials done and to do in this mode over every range. */
  done: number;
  total: number;
  elapsedMs: number;
  /** Estimated time left in this mode, from the mean time per trial so far. */
  etaMs: number;
}

export const DEFAULT_FIGURE16: Omit<Figure16Options, 'outDir'> = {
  panels: ['top', 'bottom'],
  modes: ['sim', 'real'],
  trialsReal: FIGURE16_SETTING.trialsReal,
  trialsSim: FIGURE16_SETTING.trialsSim,
  seed: 16,
  nodes: FIGURE16_SETTING.nodes,
  tickMs: FIGURE16_SETTING.tickMs,
  networkDelay: { ...FIGURE16_SETTING.networkDelay },
};

/** The ranges of the chosen panels, each once, in panel order. */
export function rangesOf(panels: readonly Figure16Panel[]): TimeoutRange[] {
  const seen = new Map<string, TimeoutRange>();
  for (const p of panels) for (const r of FIGURE16_RANGES[p]) if (!seen.has(r.label)) seen.set(r.label, r);
  return [...seen.values()];
}

export const trialsFile = (mode: TrialMode): string => `trials-${mode}.json`;

/** Runs the experiment, writing each mode's trials file after every range (a stopped run keeps what it measured), then the report. */
export async function runFigure16(o: Figure16Options): Promise<{ sets: TrialSet[]; files: string[] }> {
  mkdirSync(o.outDir, { recursive: true });
  const ranges = rangesOf(o.panels);
  const sets: TrialSet[] = [];
  for (const mode of o.modes) {
    const trials = mode === 'sim' ? o.trialsSim : o.trialsReal;
    const set: TrialSet = {
      format: 'raftlab-election-trials',
      version: 1,
      mode,
      name: 'figure16',
      nodes: o.nodes,
      networkDelay: { ...o.networkDelay },
      seed: o.seed,
      ...(mode === 'sim' && o.simTimerLagMs ? { timerLagMs: o.simTimerLagMs } : {}),
      trialsPerVariant: trials,
      finishedAt: '',
      variants: [],
    };
    const started = performance.now();
    const total = trials * ranges.length;
    for (const [i, range] of ranges.entries()) {
      if (o.signal?.aborted) break;
      const progress = (trial: number) => {
        const done = i * trials + trial;
        const elapsedMs = performance.now() - started;
        o.onProgress?.({ mode, range: range.label, trial, trialsInRange: trials, done, total, elapsedMs, etaMs: done > 0 ? (elapsedMs / done) * (total - done) : 0 });
      };
      const seed = (o.seed * 131 + i) >>> 0;
      let variant: TrialVariant;
      if (mode === 'sim') {
        variant = runSimElectionTrials({ nodes: o.nodes, range, trials, tickMs: o.tickMs, networkDelay: o.networkDelay, seed, timerLagMs: o.simTimerLagMs, onProgress: progress });
      } else {
        const r = await runRealElectionTrials({
          range,
          trials,
          nodes: o.nodes,
          tickMs: o.tickMs,
          networkDelay: o.networkDelay,
          seed,
          runsDir: join(o.outDir, 'runs'),
          onProgress: (done) => progress(done),
          signal: o.signal,
        });
        variant = r.variant;
      }
      set.variants.push(variant);
      set.finishedAt = new Date().toISOString();
      writeFileAtomic(join(o.outDir, trialsFile(mode)), trialSetJson(set));
    }
    sets.push(set);
  }
  const files = writeTrialReport(o.outDir, o.panels);
  return { sets, files: [...o.modes.map((m) => join(o.outDir, trialsFile(m))), ...files] };
}

/** A trial set as JSON, one field per line but each list of samples on one line (diffable, compact). */
export function trialSetJson(set: TrialSet): string {
  return JSON.stringify(set, null, 1).replace(/\[\s*(-?[\d.e+-]+(?:,\s*-?[\d.e+-]+)*)\s*\]/g, (_m, list: string) => `[${list.split(/,\s*/).join(',')}]`) + '\n';
}

/** Reads a trials file; throws an Error naming the file and the problem. */
export function readTrialSet(path: string): TrialSet {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`${path}: cannot read a trial set (${(err as Error).message})`);
  }
  const problem = trialSetProblem(parsed);
  if (problem) throw new Error(`${path}: not a trial set: ${problem}`);
  return parsed as TrialSet;
}

/** (Re)writes the SVG figures and the HTML page from the trials files in `dir`; returns the files written. */
export function writeTrialReport(dir: string, panels: readonly Figure16Panel[] = ['top', 'bottom']): string[] {
  const sets = (['real', 'sim'] as const).map((m) => join(dir, trialsFile(m))).filter((p) => existsSync(p)).map(readTrialSet);
  if (sets.length === 0) throw new Error(`${dir}: no ${trialsFile('real')} or ${trialsFile('sim')} to report on`);
  const written: string[] = [];
  const figures = new Map<string, string>();
  const data: PanelData[] = [];
  for (const panel of panels) {
    const labels = new Set(FIGURE16_RANGES[panel].map((r) => r.label));
    const panelSets = sets
      .map((s) => ({ ...s, variants: s.variants.filter((v) => labels.has(v.label)) }))
      .filter((s) => s.variants.length > 0);
    if (panelSets.length === 0) continue;
    const p: PanelData = { panel, sets: panelSets };
    const file = `figure16-${panel}.svg`;
    writeFileAtomic(join(dir, file), panelSvg(p));
    written.push(join(dir, file));
    figures.set(panel, file);
    data.push(p);
  }
  writeFileAtomic(join(dir, 'figure16.html'), trialReportHtml(data, figures));
  written.push(join(dir, 'figure16.html'));
  return written;
}
