/**
 * The simulator's seeded randomness, built on the core's generator (src/raft/rng.ts: one
 * mulberry32, one splitmix32 mixer and one seed derivation in the repository). Everything random in a simulated
 * run comes from one of these, seeded from the run's seed, so a seed replays a run exactly.
 * The sequences are the same as the simulator's earlier copy of both algorithms, so seeds
 * keep their meaning.
 */
import { SeededRng as CoreRng, deriveSeedWith, mix32, SEED_MIX } from '../raft/rng';

/**
 * Derives an independent seed for a named purpose (e.g. one node's RaftConfig.seed): the
 * repository's one derivation at the simulator's version (SEED_MIX.sim1 in src/raft/rng.ts),
 * so every recorded `npm run sim` seed replays the run it always did
 * (test/unit/sim/seedReplay.test.ts pins a few).
 */
export function deriveSeed(seed: number, salt: number): number {
  return deriveSeedWith(SEED_MIX.sim1, seed, salt);
}

/** The core's generator plus the draws a fault schedule needs (floats, picks, shuffles). */
export class SeededRng extends CoreRng {
  /** Mixes `seed` first, so that consecutive seeds start unrelated streams. */
  constructor(seed: number) {
    super(mix32(seed) || 1);
  }

  /** Uniform float in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Uniform integer in [min, max] (both inclusive). */
  range(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  chance(p: number): boolean {
    return p > 0 && this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('SeededRng.pick: empty list');
    return items[this.int(items.length)];
  }

  /** Fisher–Yates in place; returns the same array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }
}
