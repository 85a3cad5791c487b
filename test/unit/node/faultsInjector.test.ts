import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FaultInjector } from '../../../src/node/faults/faultInjector';

describe('FaultInjector', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('delivers synchronously and in order without rules or delays', () => {
    const faults = new FaultInjector<number>(1);
    const got: number[] = [];
    for (let i = 0; i < 5; i++) faults.apply('out', 2, i, (m) => got.push(m));
    expect(got).toEqual([0, 1, 2, 3, 4]);
    faults.setRules([{ peer: 2, direction: 'out', duplicate: 1 }]);
    faults.apply('out', 2, 9, (m) => got.push(m));
    expect(got.slice(5)).toEqual([9, 9]);
    expect(faults.counters().out.duplicated).toBe(1);
  });

  it('delivers after the delay, reordering under jitter', () => {
    const faults = new FaultInjector<number>(4);
    faults.setRules([{ peer: 2, direction: 'in', delayMs: 20, jitterMs: 30 }]);
    const got: number[] = [];
    for (let i = 0; i < 50; i++) faults.apply('in', 2, i, (m) => got.push(m));
    expect(got).toEqual([]);
    expect(faults.inFlight).toBe(50);
    vi.advanceTimersByTime(19);
    expect(got).toEqual([]);
    vi.advanceTimersByTime(31);
    expect(got).toHaveLength(50);
    expect([...got].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(got).not.toEqual([...got].sort((a, b) => a - b));
    expect(faults.counters().in.delayed).toBe(50);
  });

  it('drops delayed messages whose link is blocked by the time they are due', () => {
    const faults = new FaultInjector<string>(1);
    faults.setRules([
      { peer: 2, direction: 'out', delayMs: 100 },
      { peer: 3, direction: 'out', delayMs: 100 },
    ]);
    const got: string[] = [];
    faults.apply('out', 2, 'to-2', (m) => got.push(m));
    faults.apply('out', 3, 'to-3', (m) => got.push(m));
    vi.advanceTimersByTime(50);
    faults.setRules([{ peer: 2, direction: 'out', block: true }]);
    // New messages on the now-unruled link 3 go at once; the old one keeps its time.
    faults.apply('out', 3, 'to-3-now', (m) => got.push(m));
    expect(got).toEqual(['to-3-now']);
    vi.advanceTimersByTime(50);
    expect(got).toEqual(['to-3-now', 'to-3']);
    expect(faults.counters().out.droppedInFlight).toBe(1);
    faults.apply('out', 2, 'blocked', (m) => got.push(m));
    expect(faults.counters().out.blocked).toBe(1);
  });

  it('still delivers delayed messages when the link heals meanwhile', () => {
    const faults = new FaultInjector<string>(1);
    faults.setRules([{ peer: 2, direction: 'out', delayMs: 100 }]);
    const got: string[] = [];
    faults.apply('out', 2, 'late', (m) => got.push(m));
    faults.setRules([]);
    vi.advanceTimersByTime(99);
    expect(got).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(got).toEqual(['late']);
  });

  it('is reproducible for a seed', () => {
    const trace = (seed: number) => {
      const faults = new FaultInjector<number>(seed);
      faults.setRules([{ peer: 2, direction: 'out', drop: 0.3, duplicate: 0.3, jitterMs: 10 }]);
      const got: number[] = [];
      for (let i = 0; i < 200; i++) faults.apply('out', 2, i, (m) => got.push(m));
      vi.advanceTimersByTime(10);
      return got;
    };
    expect(trace(5)).toEqual(trace(5));
    expect(trace(5)).not.toEqual(trace(6));
  });

  it('reports errors thrown by a delayed delivery instead of crashing', () => {
    const errors: unknown[] = [];
    const faults = new FaultInjector<number>(1, (e) => errors.push(e));
    faults.setRules([{ peer: 2, direction: 'out', delayMs: 5 }]);
    faults.apply('out', 2, 1, () => {
      throw new Error('handler broke');
    });
    vi.advanceTimersByTime(5);
    expect(errors).toHaveLength(1);
  });

  it('cancels pending deliveries on close', () => {
    const faults = new FaultInjector<number>(1);
    faults.setRules([{ peer: 2, direction: 'out', delayMs: 5 }]);
    const got: number[] = [];
    faults.apply('out', 2, 1, (m) => got.push(m));
    faults.close();
    vi.advanceTimersByTime(10);
    faults.apply('out', 2, 2, (m) => got.push(m));
    expect(got).toEqual([]);
    expect(faults.inFlight).toBe(0);
  });
});
