/** Small statistics helpers shared by the summary and the report. */

/**
 * The p-th percentile (0..100) by the nearest-rank method: the smallest sample with at
 * least p% of the samples at or below it. Null for no samples.
 */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1];
}

/** Sorted copy, ascending. */
export function sortedNumbers(values: Iterable<number>): number[] {
  return Array.from(values).sort((a, b) => a - b);
}

/** Rounds to `digits` decimals (keeps JSON and CSV readable). */
export function round(v: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
