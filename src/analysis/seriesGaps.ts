/**
 * Node lines that stay readable when nodes agree or go away, for the app's charts and the
 * report alike (issue 15 item 7): gaps where a node was down or removed instead of a flat
 * live-looking line, and a small fixed vertical offset per node so equal terms do not hide
 * one another. Pure: the renderer and src/lab/export both import it.
 */

/** [start, end] ms stretches when a node was down or gone: its lines break there instead of running on flat. */
export type Gap = readonly [number, number];

/**
 * Breaks a series over `gaps`: a null point at each gap's start (ECharts draws no line
 * across a null), and, for step series, the last value again at the gap's end, where
 * the node is back. Points inside a gap are dropped (a stale sample is not a live value).
 * Input and output in ms, time-ordered.
 */
export function withGaps(points: ReadonlyArray<readonly [number, number | null]>, gaps: readonly Gap[], resumeStep: boolean): Array<[number, number | null]> {
  if (gaps.length === 0) return points.map(([t, v]) => [t, v]);
  // Sorted and merged: a node can be down and removed at once.
  const sorted: Array<[number, number]> = [];
  for (const [s, e] of [...gaps].sort((a, b) => a[0] - b[0])) {
    const prev = sorted[sorted.length - 1];
    if (prev && s <= prev[1]) prev[1] = Math.max(prev[1], e);
    else sorted.push([s, e]);
  }
  const out: Array<[number, number | null]> = [];
  let g = 0;
  let opened = false;
  let last: number | null = null;
  const open = () => {
    if (!opened) out.push([sorted[g][0], null]);
    opened = true;
  };
  for (const [t, v] of points) {
    // Close every gap that ended by this point (and open it first if no point fell inside).
    while (g < sorted.length && sorted[g][1] <= t) {
      open();
      if (resumeStep && last !== null) out.push([sorted[g][1], last]);
      g++;
      opened = false;
    }
    if (g < sorted.length && t >= sorted[g][0]) {
      open();
      if (v !== null) last = v;
      continue;
    }
    out.push([t, v]);
    if (v !== null) last = v;
  }
  for (; g < sorted.length; g++, opened = false) open();
  return out;
}

/** The vertical offset of the i-th of n lines, in terms: spread evenly over at most 0.6. */
export function termOffset(i: number, n: number): number {
  if (n <= 1) return 0;
  const step = Math.min(0.08, 0.6 / (n - 1));
  return Math.round((i - (n - 1) / 2) * step * 1000) / 1000;
}

