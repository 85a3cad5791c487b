/**
 * A small seeded PRNG for fault injection, so a seed replays the same drops, delays and
 * duplicates. Not cryptographic; fast and well distributed (mulberry32).
 */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}

/**
 * Derives an independent 32-bit seed from a base seed and some small integers (e.g. a
 * direction and a peer id), by splitmix32-style mixing. Independent streams per link keep
 * each link's decisions reproducible whatever traffic the other links carry.
 */
export function deriveSeed(seed: number, ...parts: number[]): number {
  let h = (Math.trunc(seed) ^ 0x9e3779b9) >>> 0;
  for (const part of [...parts, parts.length]) {
    h = (h + Math.imul(Math.trunc(part) >>> 0, 0x85ebca6b) + 0x9e3779b9) >>> 0;
    h = Math.imul(h ^ (h >>> 16), 0x21f0aaad) >>> 0;
    h = Math.imul(h ^ (h >>> 15), 0x735a2d97) >>> 0;
    h = (h ^ (h >>> 15)) >>> 0;
  }
  return h;
}
