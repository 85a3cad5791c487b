/**
 * `raftlab compare A B [C ...]`: A/B comparison of recorded runs (or trial sets), each later
 * one against the first. For each metric, the distributions' medians with the bootstrap 95%
 * confidence interval of the difference (B − A, absolute and relative) and the Mann–Whitney
 * test, and a gate for CI jobs: "B is slower than A by more than X% with 95% confidence"
 * means the whole interval of the relative difference of medians lies beyond X% (its lower
 * end above +X% for a time, its upper end below −X% for a throughput).
 *
 * Metrics of a run directory: election times (summary.json's definition,
 * src/analysis/elections.ts), commit latency (ok writes, return − call) and throughput
 * (ok operations per whole second of the run). Of a trials file (`raftlab figure16`): the
 * election times of every range both files share. Of one range of a trials file
 * (`trials-real.json#150–155`, see splitVariant): its election times under a name without the
 * range, so two ranges of one experiment, or of two, can be compared with each other.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeElections } from '../../analysis/elections';
import { bootstrapPercentileDiff, mannWhitney, pText, summarize, type Interval } from '../../analysis/stats';
import type { HistoryOp } from '../../contract/runEvents';
import { readRun } from '../recorder/readRun';
import { readTrialSet } from './figure16';

export interface MetricSamples {
  /** e.g. "election time (ms)" or "election time 150–155 (ms)". */
  name: string;
  /** Larger is worse (times) or better (throughput). */
  better: 'lower' | 'higher';
  samples: number[];
}

export interface Subject {
  /** As given on the command line. */
  path: string;
  metrics: MetricSamples[];
}

const WRITES = new Set<HistoryOp['op']>(['put', 'delete', 'cas', 'append']);

/** Per whole second from the first call to the last return: ok operations completed in it. */
function throughputPerSecond(history: readonly HistoryOp[]): number[] {
  const ok = history.filter((op) => op.status === 'ok');
  if (history.length === 0) return [];
  const start = Math.min(...history.map((op) => op.call));
  const end = Math.max(...history.map((op) => op.return));
  const seconds = Math.floor((end - start) / 1000);
  if (seconds < 1) return [];
  const counts = new Array<number>(seconds).fill(0);
  for (const op of ok) {
    const s = Math.floor((op.return - start) / 1000);
    if (s < seconds) counts[s]++;
  }
  return counts;
}

/** The metric name of one selected range: the same for every range, so any two pair up. */
export const VARIANT_METRIC = 'election time, one range (ms)';

/**
 * `FILE.json#LABEL` names one variant (timeout range) of a trials file; a plain path names
 * the whole file, a run directory or an events file. A hyphen in the label stands for the
 * en dash the labels use ("150-155" is "150–155"), so the selector can be typed.
 */
export function splitVariant(path: string): { file: string; variant: string | null } {
  const at = path.lastIndexOf('#');
  if (at <= 0 || !path.slice(0, at).endsWith('.json')) return { file: path, variant: null };
  return { file: path.slice(0, at), variant: path.slice(at + 1).trim().replace(/-/g, '–') };
}

/** Reads what compare needs from a run directory, its events.jsonl, a trials file, or one range of it (`FILE.json#LABEL`). */
export function readSubject(path: string): Subject {
  const { file, variant } = splitVariant(path);
  if (variant !== null) {
    if (!existsSync(file)) throw new Error(`${file}: no such trials file`);
    const set = readTrialSet(file);
    const v = set.variants.find((x) => x.label === variant);
    if (!v) throw new Error(`${file} has no range "${variant}"; it has ${set.variants.map((x) => x.label).join(', ')}`);
    return { path, metrics: [{ name: VARIANT_METRIC, better: 'lower', samples: v.samples }] };
  }
  if (!existsSync(path)) throw new Error(`${path}: no such run directory or file`);
  const isDir = statSync(path).isDirectory();
  if (!isDir && path.endsWith('.json')) {
    const set = readTrialSet(path);
    return {
      path,
      metrics: set.variants.map((v) => ({ name: `election time ${v.label} (ms)`, better: 'lower', samples: v.samples })),
    };
  }
  if (isDir && existsSync(join(path, 'trials-real.json')) && !existsSync(join(path, 'events.jsonl'))) return readSubject(join(path, 'trials-real.json'));
  const run = readRun(path);
  const elections = analyzeElections(run.events).samples;
  const latency = run.history.filter((op) => op.status === 'ok' && WRITES.has(op.op)).map((op) => op.return - op.call);
  return {
    path,
    metrics: [
      { name: 'election time (ms)', better: 'lower', samples: elections },
      { name: 'commit latency (ms)', better: 'lower', samples: latency },
      { name: 'throughput (ops/s, per second)', better: 'higher', samples: throughputPerSecond(run.history) },
    ],
  };
}

export interface MetricComparison {
  name: string;
  better: 'lower' | 'higher';
  nA: number;
  nB: number;
  medianA: number | null;
  medianB: number | null;
  /** B − A of the medians, with its 95% interval; null when a side has no samples. */
  diff: Interval | null;
  /** (B − A) / A of the medians; null when A's median is 0 or missing. */
  relative: Interval | null;
  /** Two-sided Mann–Whitney p; null when a side has no samples. */
  p: number | null;
  /** B worse than A by more than the gate, with 95% confidence. */
  worse: boolean;
}

export interface CompareOptions {
  /** Gate: B counts as worse when its relative difference is beyond this many percent with 95% confidence (default 0). */
  failIfSlowerPct?: number;
  seed?: number;
}

/** Compares every metric B shares (by name) with A. */
export function compareSubjects(a: Subject, b: Subject, o: CompareOptions = {}): MetricComparison[] {
  const gate = (o.failIfSlowerPct ?? 0) / 100;
  const out: MetricComparison[] = [];
  for (const ma of a.metrics) {
    const mb = b.metrics.find((m) => m.name === ma.name);
    if (!mb) continue;
    const sa = summarize(ma.samples);
    const sb = summarize(mb.samples);
    const d = bootstrapPercentileDiff(ma.samples, mb.samples, 50, { seed: o.seed ?? 1 });
    const mw = mannWhitney(ma.samples, mb.samples);
    const rel = d?.relative ?? null;
    const worse = rel !== null && (ma.better === 'lower' ? rel.low > gate : rel.high < -gate);
    out.push({ name: ma.name, better: ma.better, nA: sa.n, nB: sb.n, medianA: sa.p50, medianB: sb.p50, diff: d?.diff ?? null, relative: rel, p: mw?.pTwoSided ?? null, worse });
  }
  return out;
}

const f1 = (v: number | null | undefined): string => (v === null || v === undefined ? '–' : v.toFixed(1));
const pct = (v: number): string => `${v >= 0 ? '+' : ''}${(v * 100).toFixed(1)}%`;

/** The comparison as a plain-text table. */
export function comparisonText(a: string, b: string, rows: readonly MetricComparison[], gatePct?: number): string {
  const lines = [`A: ${a}`, `B: ${b}`, ''];
  const header = ['metric', 'n A', 'n B', 'median A', 'median B', 'B − A (95% CI)', 'relative (95% CI)', 'Mann–Whitney p', 'verdict'];
  const table = rows.map((r) => [
    r.name,
    String(r.nA),
    String(r.nB),
    f1(r.medianA),
    f1(r.medianB),
    r.diff ? `${f1(r.diff.estimate)} (${f1(r.diff.low)} to ${f1(r.diff.high)})` : '–',
    r.relative ? `${pct(r.relative.estimate)} (${pct(r.relative.low)} to ${pct(r.relative.high)})` : '–',
    r.p === null ? '–' : pText(r.p),
    r.diff === null ? 'no samples' : r.worse ? `B WORSE${gatePct ? ` by > ${gatePct}%` : ''}` : verdictText(r),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
  const fmtRow = (row: string[]) => row.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  lines.push(fmtRow(header), fmtRow(widths.map((w) => '-'.repeat(w))), ...table.map(fmtRow));
  return lines.join('\n');
}

export function verdictText(r: MetricComparison): string {
  if (!r.diff) return 'no samples';
  if (r.diff.low <= 0 && r.diff.high >= 0) return 'no clear difference';
  const bLarger = r.diff.low > 0;
  const better = (r.better === 'lower') !== bLarger;
  return better ? 'B better' : 'B worse (within the gate)';
}
