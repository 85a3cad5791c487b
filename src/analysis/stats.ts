/**
 * Statistics for experiments (Figure 16 sweeps, `raftlab compare`): summaries, the empirical
 * CDF, seeded bootstrap confidence intervals and the Mann–Whitney U test. Pure: randomness
 * comes from the core's seeded generator (src/raft/rng.ts), so a report recomputed from the
 * same samples and seed prints the same intervals.
 *
 * Percentiles are the project's one definition, nearest rank (./percentile.ts), in the
 * bootstrap too: a resample's median is a value that was observed.
 *
 * Hand-written because no maintained JavaScript package offers both a seeded bootstrap and
 * a tie-corrected Mann–Whitney test; each function is a few lines of a textbook method
 * (Efron & Tibshirani, "An Introduction to the Bootstrap", ch. 13, percentile interval;
 * Mann & Whitney 1947 with the normal approximation and tie correction).
 */
import { SeededRng } from '../raft/rng';
import { percentile, sortedNumbers } from './percentile';

/** What a report's statistics table shows for one variant. */
export interface SampleSummary {
  n: number;
  mean: number | null;
  min: number | null;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
}

/** n, mean and the nearest-rank percentiles of unsorted samples. */
export function summarize(samples: readonly number[]): SampleSummary {
  const sorted = sortedNumbers(samples);
  const n = sorted.length;
  const mean = n === 0 ? null : sorted.reduce((s, v) => s + v, 0) / n;
  return {
    n,
    mean,
    min: n === 0 ? null : sorted[0],
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: n === 0 ? null : sorted[n - 1],
  };
}

/**
 * The empirical CDF as step points: for each distinct value x (ascending), the fraction of
 * samples ≤ x. Plotting these as a step line ("end" steps) draws the CDF exactly.
 */
export function ecdf(samples: readonly number[]): Array<[number, number]> {
  const sorted = sortedNumbers(samples);
  const n = sorted.length;
  const points: Array<[number, number]> = [];
  for (let i = 0; i < n; i++) {
    if (i + 1 < n && sorted[i + 1] === sorted[i]) continue;
    points.push([sorted[i], (i + 1) / n]);
  }
  return points;
}

export interface Interval {
  estimate: number;
  low: number;
  high: number;
  /** 0.95 for a 95% interval. */
  confidence: number;
}

export interface BootstrapOptions {
  /** Resamples drawn (default 2000). */
  resamples?: number;
  /** Two-sided confidence level (default 0.95). */
  confidence?: number;
  /** Seed of the resampling (default 1): the same samples and seed give the same interval. */
  seed?: number;
}

const DEFAULT_RESAMPLES = 2000;

/** The nearest-rank p-th percentile of a resample of `sorted`, from how often each index was drawn. */
function resampledPercentile(sorted: readonly number[], counts: Uint32Array, p: number): number {
  const n = sorted.length;
  const rank = Math.min(n, Math.max(1, Math.ceil((p / 100) * n)));
  let seen = 0;
  for (let j = 0; j < n; j++) {
    seen += counts[j];
    if (seen >= rank) return sorted[j];
  }
  return sorted[n - 1];
}

/**
 * Bootstrap replicates of a percentile: each resample draws n of the n samples with
 * replacement. Counting the draws per index (the samples are sorted) finds the resample's
 * percentile in O(n) without sorting it.
 */
function percentileReplicates(sorted: readonly number[], p: number, resamples: number, rng: SeededRng): Float64Array {
  const n = sorted.length;
  const counts = new Uint32Array(n);
  const out = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[Math.floor(rng.nextFloat() * n)]++;
    out[r] = resampledPercentile(sorted, counts, p);
  }
  return out;
}

/** The (1 - c)/2 and (1 + c)/2 nearest-rank quantiles of bootstrap replicates: the percentile interval. */
function percentileInterval(replicates: Float64Array, estimate: number, confidence: number): Interval {
  const sorted = Float64Array.from(replicates).sort();
  const alpha = (1 - confidence) / 2;
  return {
    estimate,
    low: percentile(sorted, alpha * 100) ?? estimate,
    high: percentile(sorted, (1 - alpha) * 100) ?? estimate,
    confidence,
  };
}

function checkOptions(o: BootstrapOptions): Required<BootstrapOptions> {
  const resamples = o.resamples ?? DEFAULT_RESAMPLES;
  const confidence = o.confidence ?? 0.95;
  if (!Number.isInteger(resamples) || resamples < 1) throw new RangeError(`bootstrap: resamples must be a whole number >= 1, got ${resamples}`);
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`bootstrap: confidence must be within (0, 1), got ${confidence}`);
  return { resamples, confidence, seed: o.seed ?? 1 };
}

/**
 * A seeded percentile-bootstrap confidence interval of the p-th percentile (p = 50: the
 * median); null for no samples.
 */
export function bootstrapPercentileCi(samples: readonly number[], p: number, options: BootstrapOptions = {}): Interval | null {
  const o = checkOptions(options);
  const sorted = sortedNumbers(samples);
  const estimate = percentile(sorted, p);
  if (estimate === null) return null;
  const replicates = percentileReplicates(sorted, p, o.resamples, new SeededRng(o.seed));
  return percentileInterval(replicates, estimate, o.confidence);
}

/** The bootstrap 95% (by default) confidence interval of the median. */
export function bootstrapMedianCi(samples: readonly number[], options: BootstrapOptions = {}): Interval | null {
  return bootstrapPercentileCi(samples, 50, options);
}

/**
 * A confidence interval of the difference of the p-th percentiles, B minus A, resampling
 * each group independently; null when either is empty. Also the relative difference
 * (B - A) / A of the same replicates, for "B is X% slower".
 */
export function bootstrapPercentileDiff(
  a: readonly number[],
  b: readonly number[],
  p: number,
  options: BootstrapOptions = {},
): { diff: Interval; relative: Interval | null } | null {
  const o = checkOptions(options);
  const sa = sortedNumbers(a);
  const sb = sortedNumbers(b);
  const ea = percentile(sa, p);
  const eb = percentile(sb, p);
  if (ea === null || eb === null) return null;
  const rng = new SeededRng(o.seed);
  const ra = percentileReplicates(sa, p, o.resamples, rng);
  const rb = percentileReplicates(sb, p, o.resamples, rng);
  const diffs = new Float64Array(o.resamples);
  for (let i = 0; i < o.resamples; i++) diffs[i] = rb[i] - ra[i];
  const diff = percentileInterval(diffs, eb - ea, o.confidence);
  if (!(ea > 0) || Array.prototype.some.call(ra, (v: number) => !(v > 0))) return { diff, relative: null };
  const rel = new Float64Array(o.resamples);
  for (let i = 0; i < o.resamples; i++) rel[i] = (rb[i] - ra[i]) / ra[i];
  return { diff, relative: percentileInterval(rel, (eb - ea) / ea, o.confidence) };
}

export interface MannWhitneyResult {
  /** U of B: the number of pairs (a, b) with b > a, ties counting one half. */
  u: number;
  /** P(B > A) + P(B = A) / 2: 0.5 means neither tends to be larger (the common-language effect size). */
  probabilityBGreater: number;
  /** Normal-approximation z of U, tie-corrected (0 when every value ties). */
  z: number;
  /** Two-sided p-value: are the distributions shifted either way? */
  pTwoSided: number;
  /** One-sided p-value of "B tends to be larger than A". */
  pBGreater: number;
}

/**
 * The Mann–Whitney U test (Wilcoxon rank-sum) of A against B, with the normal approximation
 * and the tie correction of the variance; suitable for the tens to thousands of samples of an
 * experiment (for fewer than about 10 per group the exact distribution would be better).
 * Null when either group is empty.
 */
export function mannWhitney(a: readonly number[], b: readonly number[]): MannWhitneyResult | null {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) return null;
  const all = [...a.map((v) => ({ v, g: 0 })), ...b.map((v) => ({ v, g: 1 }))].sort((x, y) => x.v - y.v);
  const n = all.length;
  let rankSumB = 0;
  let tieTerm = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && all[j + 1].v === all[i].v) j++;
    const rank = (i + j) / 2 + 1; // average rank of the tied run, 1-based
    const t = j - i + 1;
    tieTerm += t * t * t - t;
    for (let k = i; k <= j; k++) if (all[k].g === 1) rankSumB += rank;
    i = j + 1;
  }
  const u = rankSumB - (n2 * (n2 + 1)) / 2;
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1) || 1));
  // Continuity correction of one half towards the mean.
  const z = variance > 0 ? (u - mean - Math.sign(u - mean) * 0.5) / Math.sqrt(variance) : 0;
  return {
    u,
    probabilityBGreater: u / (n1 * n2),
    z,
    pTwoSided: Math.min(1, 2 * (1 - normalCdf(Math.abs(z)))),
    pBGreater: 1 - normalCdf(z),
  };
}

/** The standard normal CDF, from erf by Abramowitz & Stegun 7.1.26 (absolute error < 1.5e-7). */
export function normalCdf(x: number): number {
  const t = 1 / (1 + 0.3275911 * (Math.abs(x) / Math.SQRT2));
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-(x * x) / 2);
  return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/** A p-value for people: two significant digits, and "< 1e-6" below what normalCdf resolves. */
export function pText(p: number): string {
  return p < 1e-6 ? '< 1e-6' : p.toPrecision(2);
}
