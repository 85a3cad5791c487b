/**
 * The lab's clock sampling of a remote node (src/lab/hosts/clockSampler.ts) against a node
 * whose clock is off by a known amount (a namespace cannot skew the clock, so the offset is
 * injected here): with one-way delays that differ per round trip, the estimate is within its
 * stated bound of the true offset, and it is the minimum-round-trip sample's.
 */
import { describe, expect, it } from 'vitest';
import { sampleClock } from '../../../../src/lab/hosts/clockSampler';

/** A simulated lab clock and a node `offsetMs` ahead, with per-trip delays (there, back) in ms. */
function simulated(offsetMs: number, trips: Array<[number, number]>) {
  let labNow = 1_000_000;
  let trip = 0;
  let last: [number, number] = [0, 0];
  return {
    now: () => labNow,
    read: async () => {
      last = trips[trip++ % trips.length];
      labNow += last[0];
      const receivedMs = labNow + offsetMs;
      labNow += 0.05; // the node's own work
      const repliedMs = labNow + offsetMs;
      labNow += last[1];
      return { receivedMs, repliedMs };
    },
  };
}

describe('sampleClock', () => {
  it('keeps the minimum round trip, and the true offset is within the bound', async () => {
    const trips: Array<[number, number]> = [[3, 0.2], [0.4, 0.3], [0.1, 5], [2, 2], [0.6, 0.1], [1, 9], [0.3, 0.35], [4, 4]];
    for (const offset of [0, 250.5, -1234.25]) {
      const sim = simulated(offset, trips);
      const e = await sampleClock(sim.read, trips.length, sim.now);
      expect(e.samples).toBe(trips.length);
      expect(e.delayMs).toBeCloseTo(0.65, 9);
      expect(Math.abs(e.offsetMs - offset)).toBeLessThanOrEqual(e.boundMs);
      expect(e.boundMs).toBeLessThan(0.33 + 0.01);
    }
  });

  it('rejects, saying why, when the node cannot be read', async () => {
    await expect(sampleClock(() => Promise.reject(new Error('node 2 is paused')), 3)).rejects.toThrow('node 2 is paused');
  });
});
