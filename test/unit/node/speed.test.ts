import { describe, expect, it } from 'vitest';
import { tickIntervalMs } from '../../../src/node/faults/speed';

describe('tickIntervalMs (slow motion composes with the clock-rate fault)', () => {
  it('divides the tick by timerRate × speed', () => {
    expect(tickIntervalMs(1, 1, 1)).toBe(1);
    expect(tickIntervalMs(1, 1, 0.1)).toBeCloseTo(10);
    expect(tickIntervalMs(2, 2, 0.01)).toBeCloseTo(100);
    // a fast clock (2x) in a cluster at 0.1x: 5x slower than real time
    expect(tickIntervalMs(1, 2, 0.1)).toBeCloseTo(5);
  });
});
