/**
 * The one percentile of raftlab: every p50/p99 the lab, the node, the report and the app
 * show comes from here, so the live figure and the summary's figure of the same samples
 * are the same number.
 *
 * Definition: NEAREST RANK. The p-th percentile of n sorted samples is the sample at rank
 * ceil(p/100 * n) (1-based, at least 1): the smallest sample with at least p% of the
 * samples at or below it. Chosen over linear interpolation because
 * - it is always a value that was observed: election times are bimodal (a few hundred ms
 *   after a crash, tens of seconds while a partition leaves no majority), and
 *   interpolating between the two modes reports a leaderless time that never happened;
 * - for small sample sets (a run has a handful of elections) p99 is the maximum, the
 *   conservative answer, rather than a value just under it;
 * - it needs no choice among the nine interpolation variants (Hyndman & Fan), so anyone
 *   can recompute it from summary.json's `samples` by hand.
 */

/**
 * The p-th percentile (0 < p ≤ 100; p = 0 gives the minimum) of samples sorted ascending,
 * by nearest rank; null for no samples.
 * @throws RangeError when p is outside [0, 100] or not a number
 */
export function percentile(sorted: ArrayLike<number>, p: number): number | null {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile: p must be within [0, 100], got ${p}`);
  const n = sorted.length;
  if (n === 0) return null;
  const rank = Math.min(n, Math.max(1, Math.ceil((p / 100) * n)));
  return sorted[rank - 1];
}

/** A sorted copy, ascending (numeric order, not Array.prototype.sort's string order). */
export function sortedNumbers(values: Iterable<number>): number[] {
  return Array.from(values).sort((a, b) => a - b);
}

/** Several percentiles of unsorted samples at once (one sort). */
export function percentiles<P extends number>(values: Iterable<number>, ps: readonly P[]): Record<P, number | null> {
  const sorted = sortedNumbers(values);
  const out = {} as Record<P, number | null>;
  for (const p of ps) out[p] = percentile(sorted, p);
  return out;
}

/** Rounds to `digits` decimals (keeps JSON and CSV readable). */
export function round(v: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
