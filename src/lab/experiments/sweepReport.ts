/**
 * The report of a scenario sweep (`raftlab run scenario.yaml` with a `sweep:` or `repeat:`):
 * the election times of every variant as CDFs on a log time axis, with the statistics table of
 * the Figure 16 report (./trialReport.ts), written beside the runs as
 *   sweep-<name>-<time>/trials-real.json, sweep.svg, sweep.html
 * Repeats of one variant are pooled.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TrialSet, TrialVariant } from '../../analysis/figure16';
import { effectiveTickMs, effectiveTimeoutRange, type ClusterOptions } from '../../contract/clusterOptions';
import type { Summary } from '../../contract/runEvents';
import { writeFileAtomic } from '../export/atomicWrite';
import { trialSetJson, trialsFile } from './figure16';
import { panelSvg, trialReportHtml } from './trialReport';

export interface SweepRun {
  /** The variant's label (repeats share it). */
  label: string;
  cluster: ClusterOptions;
  summary: Summary;
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Pools repeats of each variant into a trial set of election times. */
export function sweepTrialSet(name: string, runs: readonly SweepRun[], seed: number): TrialSet {
  const variants = new Map<string, TrialVariant>();
  for (const r of runs) {
    // "name/variant/2" is the second repeat of "name/variant"; the name is the page's title.
    const label = r.label.replace(/\/\d+$/, '').replace(new RegExp(`^${escapeRegExp(name)}/?`), '') || 'base';
    const v = variants.get(label) ?? {
      label,
      electionTimeoutMinMs: r.cluster.electionTimeoutMinMs,
      electionTimeoutMaxMs: r.cluster.electionTimeoutMaxMs,
      heartbeatMs: r.cluster.heartbeatMs,
      tickMs: effectiveTickMs(r.cluster),
      timeoutRandomness: effectiveTimeoutRange(r.cluster).text,
      samples: [],
      unresolved: 0,
      wallMs: 0,
    };
    v.samples.push(...r.summary.electionMs.samples);
    v.wallMs += r.summary.durationMs;
    variants.set(label, v);
  }
  const first = runs[0]?.cluster;
  return {
    format: 'raftlab-election-trials',
    version: 1,
    mode: 'real',
    name,
    nodes: first?.nodes ?? 0,
    networkDelay: first?.networkDelay ?? { delayMs: 0, jitterMs: 0 },
    seed,
    trialsPerVariant: Math.max(0, ...[...variants.values()].map((v) => v.samples.length)),
    finishedAt: new Date().toISOString(),
    variants: [...variants.values()],
  };
}

/** Writes the sweep's report into a new folder under `runsDir`; returns the page's path. */
export function writeSweepReport(runsDir: string, name: string, runs: readonly SweepRun[], seed = 1): string {
  const dir = join(runsDir, `sweep-${name.replace(/[^\w.-]+/g, '_')}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(dir, { recursive: true });
  const set = sweepTrialSet(name, runs, seed);
  writeFileAtomic(join(dir, trialsFile('real')), trialSetJson(set));
  const panel = { panel: `sweep ${name}`, sets: [set] };
  writeFileAtomic(join(dir, 'sweep.svg'), panelSvg(panel, 820, 440, `${name}: time without a leader after losing one`));
  const setting = `${set.variants.length} variants of ${name}, ${runs.length} runs; election times as in summary.json (electionMs.samples), repeats pooled.`;
  const page = join(dir, 'sweep.html');
  writeFileAtomic(page, trialReportHtml([panel], new Map([[panel.panel, 'sweep.svg']]), `Sweep: ${name}`, setting));
  return page;
}
