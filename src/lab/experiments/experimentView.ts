/**
 * What the app's experiment channels answer (src/contract/labApiExperiments.ts): a figure16
 * or sweep result folder read back as the report shows it (./trialReport.ts: CDFs, the
 * statistics table with the median's bootstrap interval, the paper's values, real against
 * simulated), and an A/B comparison of recorded runs as `raftlab compare` computes it
 * (./compare.ts). Read-only: nothing is written to the folders opened.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { FIGURE16_RANGES, PAPER_REFERENCE, type TrialSet } from '../../analysis/figure16';
import { bootstrapPercentileDiff, ecdf, mannWhitney } from '../../analysis/stats';
import type { ComparisonView, CurveView, ExperimentPanelView, ExperimentView, MetricComparisonView, StatsRowView } from '../../contract/labApiExperiments';
import { bootstrapMedianCi, summarize } from '../../analysis/stats';
import { compareSubjects, readSubject, splitVariant, verdictText } from './compare';
import { readTrialSet, trialsFile } from './figure16';
import { paperText, variantStats } from './trialReport';

const modeName = (m: TrialSet['mode']): string => (m === 'sim' ? 'simulated' : 'real processes');

function panelView(name: string, title: string, sets: readonly TrialSet[]): ExperimentPanelView {
  const labels = [...new Set(sets.flatMap((s) => s.variants.map((v) => v.label)))];
  const curves: CurveView[] = [];
  const stats: StatsRowView[] = [];
  const agreement: ExperimentPanelView['agreement'] = [];
  for (const label of labels) {
    for (const set of sets) {
      const v = set.variants.find((x) => x.label === label);
      if (!v) continue;
      const st = variantStats(v, set.mode, set.seed);
      const paper = paperText(label);
      stats.push({ ...st, paper: paper === '–' ? null : paper });
      if (v.samples.length > 0) curves.push({ name: `${label} ${set.mode}`, key: label, dashed: set.mode === 'sim', points: ecdf(v.samples).map(([x, f]) => [x, f * 100]) });
    }
    const real = sets.find((s) => s.mode === 'real')?.variants.find((x) => x.label === label);
    const sim = sets.find((s) => s.mode === 'sim')?.variants.find((x) => x.label === label);
    if (real && sim && real.samples.length > 0 && sim.samples.length > 0) {
      const d = bootstrapPercentileDiff(sim.samples, real.samples, 50, { seed: 1 })!;
      const mw = mannWhitney(sim.samples, real.samples)!;
      agreement.push({ label, diff: d.diff, p: mw.pTwoSided, agree: d.diff.low <= 0 && d.diff.high >= 0 });
    }
  }
  const paper: ExperimentPanelView['paper'] = [];
  for (const label of labels) {
    const ref = PAPER_REFERENCE[label];
    if (ref?.p50 !== undefined) paper.push({ label, what: 'p50', ms: ref.p50, percent: 50 });
    if (ref?.max !== undefined) paper.push({ label, what: 'max', ms: ref.max, percent: 100 });
  }
  const counts = sets.map((s) => `${modeName(s.mode)}: ${s.trialsPerVariant} trials per variant`).join('; ');
  return { name, title, counts, curves, stats, agreement, paper };
}

/** Reads a figure16 folder, a sweep folder (sweep-…/trials-real.json) or one trials file. */
export function openExperiment(path: string): ExperimentView {
  const full = resolve(path);
  if (!existsSync(full)) throw new Error(`${full} does not exist`);
  const isDir = statSync(full).isDirectory();
  const files = isDir ? (['real', 'sim'] as const).map((m) => join(full, trialsFile(m))).filter((p) => existsSync(p)) : [full];
  if (files.length === 0) throw new Error(`${full} holds no ${trialsFile('real')} or ${trialsFile('sim')}: not a figure16 or sweep result folder`);
  const sets = files.map(readTrialSet);
  const figure16 = isDir && existsSync(join(full, 'figure16.html'));
  const kind: ExperimentView['kind'] = !isDir ? 'trials' : figure16 ? 'figure16' : 'sweep';
  const panels: ExperimentPanelView[] = [];
  if (kind === 'figure16') {
    for (const panel of ['top', 'bottom'] as const) {
      const labels = new Set(FIGURE16_RANGES[panel].map((r) => r.label));
      const panelSets = sets.map((s) => ({ ...s, variants: s.variants.filter((v) => labels.has(v.label)) })).filter((s) => s.variants.length > 0);
      if (panelSets.length > 0) panels.push(panelView(panel, `Figure 16, ${panel} panel: time without a leader after the leader crashes`, panelSets));
    }
  } else {
    panels.push(panelView(sets[0].name, `${sets[0].name}: time without a leader after losing one`, sets));
  }
  const s = sets[0];
  const setting = `${s.nodes} servers; one-way network delay ${s.networkDelay.delayMs} ms + U[0, ${s.networkDelay.jitterMs}) ms; ${s.variants[0]?.tickMs ?? 1} ms ticks.`;
  return {
    path: full,
    kind,
    sources: sets.map((set, i) => ({ mode: set.mode, path: files[i], variants: set.variants.map((v) => v.label) })),
    title: kind === 'figure16' ? 'Figure 16: leader election performance' : `Sweep: ${s.name || basename(full)}`,
    setting,
    panels,
    randomness: sets.flatMap((set) => set.variants.map((v) => ({ label: v.label, mode: set.mode, text: v.timeoutRandomness }))),
  };
}

/** A legend name for a compared path: a trials file by its folder too ("exp-a/trials-sim.json"), every such file being named alike. */
function subjectName(path: string): string {
  const { file, variant } = splitVariant(path);
  const name = file.endsWith('.json') ? `${basename(dirname(file))}/${basename(file)}` : basename(file);
  return variant === null ? name : `${name} ${variant}`;
}

/** Compares each later run with the first, metric by metric (as `raftlab compare`). */
export function compareRuns(paths: readonly string[], gatePct = 0): ComparisonView {
  const subjects = paths.map((p) => readSubject(p));
  const names = subjects.map((_, i) => String.fromCharCode(65 + i));
  const a = subjects[0];
  const metrics: MetricComparisonView[] = a.metrics.map((m) => {
    const curves: CurveView[] = [];
    const stats: MetricComparisonView['stats'] = [];
    subjects.forEach((s, i) => {
      const sm = s.metrics.find((x) => x.name === m.name);
      if (!sm) return;
      const sum = summarize(sm.samples);
      const ci = bootstrapMedianCi(sm.samples, { seed: 1 });
      stats.push({ run: names[i], n: sum.n, mean: sum.mean, p50: sum.p50, p50Low: ci?.low ?? null, p50High: ci?.high ?? null, p90: sum.p90, p99: sum.p99, max: sum.max });
      if (sm.samples.length > 0) curves.push({ name: `${names[i]}: ${subjectName(s.path)}`, key: names[i], dashed: false, points: ecdf(sm.samples).map(([x, f]) => [x, f * 100]) });
    });
    return { name: m.name, better: m.better, logAxis: m.name.includes('(ms)'), curves, stats, differences: [] };
  });
  subjects.slice(1).forEach((b, k) => {
    for (const r of compareSubjects(a, b, { failIfSlowerPct: gatePct })) {
      const metric = metrics.find((m) => m.name === r.name);
      metric?.differences.push({
        run: names[k + 1],
        medianA: r.medianA,
        medianB: r.medianB,
        diff: r.diff,
        relative: r.relative,
        p: r.p,
        worse: r.worse,
        verdict: r.diff === null ? 'no samples' : r.worse ? `B WORSE${gatePct ? ` by > ${gatePct}%` : ''}` : verdictText(r),
      });
    }
  });
  return { runs: subjects.map((s, i) => ({ name: names[i], path: s.path })), gatePct, metrics };
}
