/**
 * The NTP-style offset estimator (src/analysis/clockOffset.ts): with any true offset and any
 * asymmetric delays, the true offset lies within the stated bound (docs/multi-host.md#the-clock-model).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { estimateFromSample, estimateOffset, sampleProblem, toLabTime, type ClockSample } from '../../../src/analysis/clockOffset';

/** A round trip as it happens: the node's clock is the lab's plus `offset`. */
function roundTrip(o: { t0: number; offset: number; there: number; answer: number; back: number }): ClockSample {
  const t1 = o.t0 + o.there + o.offset;
  const t2 = t1 + o.answer;
  const t3 = t2 - o.offset + o.back;
  return { t0: o.t0, t1, t2, t3 };
}

const trip = fc.record({
  // Wall-clock ms around now, as the lab reads them.
  t0: fc.double({ min: 1.6e12, max: 1.9e12, noNaN: true }),
  offset: fc.double({ min: -3_600_000, max: 3_600_000, noNaN: true }),
  there: fc.double({ min: 0, max: 2000, noNaN: true }),
  answer: fc.double({ min: 0, max: 50, noNaN: true }),
  back: fc.double({ min: 0, max: 2000, noNaN: true }),
});

describe('estimateFromSample', () => {
  it('is exact with symmetric delays', () => {
    const e = estimateFromSample(roundTrip({ t0: 1_700_000_000_000, offset: 250, there: 3, answer: 1, back: 3 }));
    expect(e.offsetMs).toBeCloseTo(250, 6);
    expect(e.delayMs).toBeCloseTo(6, 6);
    expect(e.boundMs).toBeCloseTo(3.001, 6);
  });

  it('is off by half the asymmetry with asymmetric delays, and the bound covers it', () => {
    // 9 ms there, 1 ms back: the estimate is 4 ms high, the bound 5 ms.
    const e = estimateFromSample(roundTrip({ t0: 1_700_000_000_000, offset: -40, there: 9, answer: 0, back: 1 }));
    expect(e.offsetMs).toBeCloseTo(-36, 6);
    expect(e.boundMs).toBeCloseTo(5.001, 6);
    expect(Math.abs(e.offsetMs - -40)).toBeLessThanOrEqual(e.boundMs);
  });

  it('always holds the true offset within the bound (property)', () => {
    fc.assert(
      fc.property(trip, (o) => {
        const e = estimateFromSample(roundTrip(o));
        expect(Math.abs(e.offsetMs - o.offset)).toBeLessThanOrEqual(e.boundMs);
        expect(e.boundMs).toBeLessThanOrEqual((o.there + o.back) / 2 + 0.002);
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses samples that show a clock jump', () => {
    expect(sampleProblem({ t0: 10, t1: 5, t2: 4, t3: 12 })).toMatch(/node's clock went back/);
    expect(sampleProblem({ t0: 10, t1: 5, t2: 6, t3: 9 })).toMatch(/lab's clock went back/);
    expect(sampleProblem({ t0: 10, t1: 0, t2: 20, t3: 12 })).toMatch(/longer to answer/);
    expect(sampleProblem({ t0: 10, t1: Number.NaN, t2: 6, t3: 12 })).toMatch(/finite/);
    expect(() => estimateFromSample({ t0: 10, t1: 5, t2: 4, t3: 12 })).toThrow(/refused/);
  });
});

describe('estimateOffset', () => {
  it('keeps the minimum-delay sample of a window', () => {
    const samples = [
      roundTrip({ t0: 1e12, offset: 100, there: 30, answer: 1, back: 2 }),
      roundTrip({ t0: 1e12 + 50, offset: 100, there: 1, answer: 1, back: 1.5 }),
      roundTrip({ t0: 1e12 + 90, offset: 100, there: 10, answer: 1, back: 10 }),
      { t0: 5, t1: 1, t2: 0, t3: 6 }, // a jumped clock: ignored
    ];
    const e = estimateOffset(samples)!;
    expect(e.samples).toBe(3);
    expect(e.delayMs).toBeCloseTo(2.5, 6);
    expect(e.at).toBe(samples[1].t3);
    expect(Math.abs(e.offsetMs - 100)).toBeLessThanOrEqual(e.boundMs);
    expect(estimateOffset([])).toBeNull();
    expect(estimateOffset([{ t0: 5, t1: 1, t2: 0, t3: 6 }])).toBeNull();
  });

  it('holds the true offset within the bound for any window (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.array(trip, { minLength: 1, maxLength: 12 }), (offset, trips) => {
        const e = estimateOffset(trips.map((o) => roundTrip({ ...o, offset })))!;
        expect(Math.abs(e.offsetMs - offset)).toBeLessThanOrEqual(e.boundMs);
        // The chosen bound is the tightest of the window's.
        const tightest = Math.min(...trips.map((o) => (o.there + o.back) / 2));
        expect(e.boundMs).toBeLessThanOrEqual(tightest + 0.002);
      }),
      { numRuns: 500 },
    );
  });

  it('re-bases a node time onto the lab clock', () => {
    expect(toLabTime(1_000_250, { offsetMs: 250, boundMs: 2 })).toEqual({ t: 1_000_000, boundMs: 2 });
  });
});
