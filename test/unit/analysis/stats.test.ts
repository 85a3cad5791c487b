import { describe, expect, it } from 'vitest';
import { bootstrapMedianCi, bootstrapPercentileDiff, ecdf, mannWhitney, normalCdf, summarize } from '../../../src/analysis/stats';
import { SeededRng } from '../../../src/raft/rng';

/** Uniform samples in [lo, hi) from a fixed seed. */
function uniform(n: number, lo: number, hi: number, seed: number): number[] {
  const rng = new SeededRng(seed);
  return Array.from({ length: n }, () => lo + rng.nextFloat() * (hi - lo));
}

describe('summarize', () => {
  it('gives n, mean and nearest-rank percentiles', () => {
    const s = summarize([5, 1, 4, 2, 3, 10, 6, 7, 9, 8]);
    expect(s).toEqual({ n: 10, mean: 5.5, min: 1, p50: 5, p90: 9, p99: 10, max: 10 });
    expect(summarize([])).toEqual({ n: 0, mean: null, min: null, p50: null, p90: null, p99: null, max: null });
  });
});

describe('ecdf', () => {
  it('steps to the fraction at or below each distinct value', () => {
    expect(ecdf([3, 1, 2, 2])).toEqual([
      [1, 0.25],
      [2, 0.75],
      [3, 1],
    ]);
    expect(ecdf([])).toEqual([]);
  });
});

describe('bootstrapMedianCi (percentile bootstrap, seeded)', () => {
  it('is reproducible from its seed', () => {
    const xs = uniform(200, 0, 100, 3);
    expect(bootstrapMedianCi(xs, { seed: 9 })).toEqual(bootstrapMedianCi(xs, { seed: 9 }));
    // The median's replicates are sample values, so another seed often lands on the same
    // ends; a few tries tell the seeds apart.
    const ends = new Set(Array.from({ length: 8 }, (_, s) => JSON.stringify(bootstrapMedianCi(xs, { seed: s, resamples: 200 }))));
    expect(ends.size).toBeGreaterThan(1);
  });

  it('covers the true median about 95% of the time', () => {
    // 200 experiments of 101 uniform samples: the true median is 50.
    let covered = 0;
    for (let e = 0; e < 200; e++) {
      const ci = bootstrapMedianCi(uniform(101, 0, 100, 1000 + e), { seed: e, resamples: 400 })!;
      expect(ci.low).toBeLessThanOrEqual(ci.estimate);
      expect(ci.high).toBeGreaterThanOrEqual(ci.estimate);
      if (ci.low <= 50 && ci.high >= 50) covered++;
    }
    expect(covered / 200).toBeGreaterThan(0.88);
    expect(covered / 200).toBeLessThan(0.995);
  });

  it('narrows as samples grow', () => {
    const small = bootstrapMedianCi(uniform(50, 0, 100, 1))!;
    const large = bootstrapMedianCi(uniform(2000, 0, 100, 1))!;
    expect(large.high - large.low).toBeLessThan((small.high - small.low) / 3);
  });

  it('refuses nonsense options and returns null for no samples', () => {
    expect(bootstrapMedianCi([])).toBeNull();
    expect(() => bootstrapMedianCi([1], { resamples: 0 })).toThrow(RangeError);
    expect(() => bootstrapMedianCi([1], { confidence: 1 })).toThrow(RangeError);
  });
});

describe('bootstrapPercentileDiff', () => {
  it('finds a shift of 10 and excludes no difference', () => {
    const a = uniform(400, 100, 200, 1);
    const b = uniform(400, 110, 210, 2);
    const r = bootstrapPercentileDiff(a, b, 50)!;
    expect(r.diff.low).toBeGreaterThan(0);
    expect(r.diff.low).toBeLessThan(10);
    expect(r.diff.high).toBeGreaterThan(10);
    expect(r.relative!.estimate).toBeCloseTo(r.diff.estimate / 150, 1);
  });

  it('includes 0 for two samples of the same distribution', () => {
    const r = bootstrapPercentileDiff(uniform(300, 0, 100, 5), uniform(300, 0, 100, 6), 50)!;
    expect(r.diff.low).toBeLessThan(0);
    expect(r.diff.high).toBeGreaterThan(0);
  });
});

describe('mannWhitney', () => {
  it('matches the textbook values for separated groups', () => {
    // scipy.stats.mannwhitneyu([6..10], [1..5], method="asymptotic"): U = 25, p = 0.01219.
    const r = mannWhitney([1, 2, 3, 4, 5], [6, 7, 8, 9, 10])!;
    expect(r.u).toBe(25);
    expect(r.probabilityBGreater).toBe(1);
    expect(r.pTwoSided).toBeCloseTo(0.01219, 4);
    expect(r.pBGreater).toBeCloseTo(0.006093, 4);
  });

  it('counts ties as halves and corrects the variance for them', () => {
    const r = mannWhitney([1, 2, 2, 3], [2, 2, 3, 4])!;
    // Pairs with b > a: 1<2,2,3,4 (4) + 2<3,4 twice (4) + 3<4 (1) = 9; ties: 2=2 four times, 3=3 once: 2.5.
    expect(r.u).toBe(11.5);
    const allTied = mannWhitney([7, 7], [7, 7])!;
    expect(allTied.u).toBe(2);
    expect(allTied.z).toBe(0);
    expect(allTied.pTwoSided).toBeCloseTo(1, 6);
  });

  it('sees no difference between samples of one distribution', () => {
    const r = mannWhitney(uniform(500, 0, 1, 1), uniform(500, 0, 1, 2))!;
    expect(r.pTwoSided).toBeGreaterThan(0.05);
    expect(mannWhitney([], [1])).toBeNull();
  });
});

describe('normalCdf', () => {
  it('agrees with known values', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-1)).toBeCloseTo(0.158655, 6);
  });
});
