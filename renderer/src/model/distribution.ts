/**
 * Histogram and CDF of a sample set (election times). Percentiles are the one definition
 * of src/analysis/percentile.ts.
 */

export interface Bin {
  /** Inclusive lower bound. */
  from: number;
  /** Exclusive upper bound (inclusive for the last bin). */
  to: number;
  count: number;
}

/** Equal-width bins over [min, max] of the samples; "nice" widths so labels read well. */
export function histogram(samples: readonly number[], maxBins = 20): Bin[] {
  if (samples.length === 0) return [];
  let min = Infinity;
  let max = -Infinity;
  for (const s of samples) {
    if (s < min) min = s;
    if (s > max) max = s;
  }
  const width = niceWidth((max - min) / maxBins);
  const start = Math.floor(min / width) * width;
  const count = Math.max(1, Math.floor((max - start) / width) + 1);
  const bins: Bin[] = Array.from({ length: count }, (_, i) => ({ from: start + i * width, to: start + (i + 1) * width, count: 0 }));
  for (const s of samples) bins[Math.min(count - 1, Math.floor((s - start) / width))].count++;
  return bins;
}

/** Empirical CDF as [value, fraction ≤ value] steps, sorted by value. */
export function cdf(samples: readonly number[]): Array<[number, number]> {
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  const out: Array<[number, number]> = [];
  for (let i = 0; i < n; i++) {
    // Keep the last of equal values only, so each step is one point.
    if (i + 1 < n && sorted[i + 1] === sorted[i]) continue;
    out.push([sorted[i], (i + 1) / n]);
  }
  return out;
}

/** Smallest of 1, 2, 5 × 10^k at least `raw` (and at least 1 ms). */
function niceWidth(raw: number): number {
  if (!(raw > 1)) return 1;
  const exp = Math.pow(10, Math.floor(Math.log10(raw)));
  for (const m of [1, 2, 5, 10]) if (m * exp >= raw) return m * exp;
  return 10 * exp;
}
