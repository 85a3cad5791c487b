/**
 * Latency summary for durable writes, in the shape telemetry reports
 * (`NodeMetrics.fsync`): a total count and percentiles over a recent window, so the lab
 * sees a slow disk appear and, after the fault is removed, disappear again. Percentiles
 * are the one nearest-rank definition of src/analysis/percentile.ts, as everywhere else.
 */
import { percentile } from '../../analysis/percentile';

export interface FsyncStats {
  /** Durable batches since the storage was opened. */
  count: number;
  /** Median, 99th percentile and maximum over the last `window` samples (0 when none). */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export class LatencyWindow {
  private readonly samples: Float64Array;
  private filled = 0;
  private nextSlot = 0;
  private total = 0;

  constructor(readonly window = 1024) {
    if (!Number.isInteger(window) || window < 1) throw new RangeError('latency window must be a positive integer');
    this.samples = new Float64Array(window);
  }

  record(ms: number): void {
    this.samples[this.nextSlot] = ms;
    this.nextSlot = (this.nextSlot + 1) % this.window;
    this.filled = Math.min(this.filled + 1, this.window);
    this.total++;
  }

  stats(): FsyncStats {
    if (this.filled === 0) return { count: this.total, p50Ms: 0, p99Ms: 0, maxMs: 0 };
    // A Float64Array sorts numerically.
    const sorted = this.samples.slice(0, this.filled).sort();
    return { count: this.total, p50Ms: percentile(sorted, 50) as number, p99Ms: percentile(sorted, 99) as number, maxMs: sorted[this.filled - 1] };
  }
}
