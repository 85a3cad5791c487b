/**
 * A bounded time series that keeps recent points at full resolution and older points
 * progressively coarser. When it fills up, the older half is merged pairwise into half as
 * many points; repeated compactions make the oldest data coarsest (log-structured), so a
 * 10-minute run at 10 samples a second per node still fits in `capacity` points while the
 * last stretch stays exact. Compaction touches each point O(log n) times: amortized O(1).
 */

/** How two adjacent points of one column merge into one. */
export type MergeRule = 'last' | 'max' | 'min' | 'mean';

/** A chart-ready point: [t, value]; null where the value was unknown (a gap). */
export type SeriesPoint = [number, number | null];

export class CompactingSeries {
  private times: number[] = [];
  private readonly columns: number[][];
  private compactions = 0;

  /**
   * @param rules one merge rule per value column
   * @param capacity most points held; must be at least 8 (a multiple of 4 works best)
   */
  constructor(
    readonly rules: readonly MergeRule[],
    readonly capacity = 2048,
  ) {
    if (!Number.isInteger(capacity) || capacity < 8) throw new RangeError(`CompactingSeries capacity must be an integer >= 8, got ${capacity}`);
    this.columns = rules.map(() => []);
  }

  get length(): number {
    return this.times.length;
  }

  /** How many times older points were merged (0 while everything is full resolution). */
  get compactionCount(): number {
    return this.compactions;
  }

  /** Time of the newest point, or null when empty. */
  lastTime(): number | null {
    return this.times.length === 0 ? null : this.times[this.times.length - 1];
  }

  /** Newest value of a column (null when empty or unknown). */
  lastValue(column: number): number | null {
    const col = this.columns[column];
    if (!col || col.length === 0) return null;
    const v = col[col.length - 1];
    return Number.isNaN(v) ? null : v;
  }

  /** Appends a point; `values` in column order, null for unknown. Times should not go backwards. */
  push(t: number, values: ReadonlyArray<number | null>): void {
    if (values.length !== this.columns.length) throw new RangeError(`expected ${this.columns.length} values, got ${values.length}`);
    this.times.push(t);
    for (let c = 0; c < this.columns.length; c++) {
      const v = values[c];
      this.columns[c].push(v === null || !Number.isFinite(v) ? Number.NaN : v);
    }
    if (this.times.length >= this.capacity) this.compact();
  }

  /** Points of one column for a chart, oldest first. */
  points(column: number): SeriesPoint[] {
    const col = this.columns[column];
    const out = new Array<SeriesPoint>(this.times.length);
    for (let i = 0; i < this.times.length; i++) {
      const v = col[i];
      out[i] = [this.times[i], Number.isNaN(v) ? null : v];
    }
    return out;
  }

  clear(): void {
    this.times = [];
    for (const col of this.columns) col.length = 0;
    this.compactions = 0;
  }

  /** Merges the older half pairwise; the newer half stays untouched. */
  private compact(): void {
    const half = Math.floor(this.times.length / 2) & ~1;
    const merged = half / 2;
    const times: number[] = new Array<number>(merged);
    for (let i = 0; i < merged; i++) times[i] = this.times[2 * i + 1];
    this.times = times.concat(this.times.slice(half));
    for (let c = 0; c < this.columns.length; c++) {
      const col = this.columns[c];
      const rule = this.rules[c];
      const out = new Array<number>(merged);
      for (let i = 0; i < merged; i++) out[i] = mergePair(rule, col[2 * i], col[2 * i + 1]);
      this.columns[c] = out.concat(col.slice(half));
    }
    this.compactions++;
  }
}

function mergePair(rule: MergeRule, a: number, b: number): number {
  // NaN marks "unknown": a merged point is unknown only when both halves were.
  if (Number.isNaN(a)) return b;
  if (Number.isNaN(b)) return a;
  switch (rule) {
    case 'last':
      return b;
    case 'max':
      return Math.max(a, b);
    case 'min':
      return Math.min(a, b);
    case 'mean':
      return (a + b) / 2;
  }
}
