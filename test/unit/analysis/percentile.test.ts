/** The one percentile (src/analysis/percentile.ts): nearest rank, used live and in summaries alike. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { percentile, percentiles, sortedNumbers } from '../../../src/analysis/percentile';
import { LatencyWindow } from '../../../src/node/storage/latencyStats';

describe('percentile (nearest rank)', () => {
  it('is the smallest sample with at least p% of the samples at or below it', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([5], 99)).toBe(5);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4], 99)).toBe(4);
    expect(percentile([1, 2, 3, 4], 0)).toBe(1);
    // 100 samples 1..100: p99 is 99. The live workload figure used floor(p·n) and said 100.
    expect(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 99)).toBe(99);
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => percentile([1], Number.NaN)).toThrow(RangeError);
  });

  it('always returns an observed sample, never between two (bimodal election times)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 50 }), fc.integer({ min: 0, max: 100 }), (xs, p) => {
        const sorted = sortedNumbers(xs);
        const v = percentile(sorted, p) as number;
        expect(xs).toContain(v);
        expect(sorted.filter((x) => x <= v).length / sorted.length).toBeGreaterThanOrEqual(p / 100);
      }),
    );
  });

  it('the node\'s fsync window (live metrics) and a summary over the same samples agree', () => {
    const w = new LatencyWindow(1024);
    const samples = Array.from({ length: 300 }, (_, i) => ((i * 7919) % 300) / 10);
    for (const s of samples) w.record(s);
    const stats = w.stats();
    const both = percentiles(samples, [50, 99]);
    expect([stats.p50Ms, stats.p99Ms]).toEqual([both[50], both[99]]);
  });
});
