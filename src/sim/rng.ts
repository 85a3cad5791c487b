/**
 * A small seeded PRNG for the simulator's fault schedule. Everything random in a simulated
 * run comes from one of these, seeded from the run's seed, so a seed replays a run exactly.
 */

/** splitmix32: spreads consecutive integers into unrelated 32-bit seeds. */
export function mixSeed(value: number): number {
  let z = (value + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** Derives an independent seed for a named purpose (e.g. one node's RaftConfig.seed). */
export function deriveSeed(seed: number, salt: number): number {
  return mixSeed(mixSeed(seed) ^ Math.imul(salt + 1, 0x27d4eb2d));
}

/** mulberry32: fast, 32 bits of state, good enough for choosing faults. */
export class SeededRng {
  private state: number;

  constructor(seed: number) {
    this.state = mixSeed(seed) || 1;
  }

  /** Uniform float in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
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
