/**
 * The core's only source of randomness: a small seeded generator, so that the same
 * config, seed and inputs replay to exactly the same outputs. The global random source is banned in
 * src/raft by lint.
 */

/**
 * Mixes a 32-bit value through the splitmix32 finalizer. Used to derive a per-node seed
 * from (seed, id) so that nodes handed the same cluster seed still draw different election
 * timeouts (identical timeouts would split every vote, §5.2).
 */
export function mix32(value: number): number {
  let z = (value + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** A mulberry32 generator: 32 bits of state, fast, good enough for election jitter. */
export class SeededRng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** The next uniformly distributed unsigned 32-bit integer. */
  nextUint32(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A uniformly distributed number in [0, 1) (the lab's fault picks, workload, link faults). */
  nextFloat(): number {
    return this.nextUint32() / 4294967296;
  }

  /** A uniformly distributed integer in [min, maxExclusive). */
  nextInt(min: number, maxExclusive: number): number {
    const span = maxExclusive - min;
    if (!(span > 0)) throw new RangeError(`empty range [${min}, ${maxExclusive})`);
    return min + (this.nextUint32() % span);
  }
}

/**
 * The ways seeds have been derived, each kept because recorded seeds depend on it: a
 * version is `part → mix32(h ^ (part + offset)·multiplier)` folded over the parts, starting
 * from h = mix32(seed), optionally with the count of parts folded in last. Adding a version
 * never changes what an existing one gives; a new stream should use `current`.
 */
export const SEED_MIX = {
  /** The simulator's from its first version (every stream of `npm run sim` and its election trials). */
  sim1: { multiplier: 0x27d4eb2d, offset: 1, countParts: false },
  /** A node's election-timeout generator (`rngForNode`), as journals replay it. */
  node1: { multiplier: 0x27d4eb2f, offset: 0, countParts: false },
  /** `deriveSeed`: the node's fault streams; the count of parts keeps (s, 1) and (s, 1, 0) apart. */
  current: { multiplier: 0x27d4eb2f, offset: 0, countParts: true },
} as const;
export type SeedMix = (typeof SEED_MIX)[keyof typeof SEED_MIX];

/**
 * The repository's one seed derivation: an independent 32-bit seed from a base seed and some
 * small integers (a direction and a peer id, say), each part giving its own reproducible
 * stream whatever the other streams draw. `mix` chooses the version (SEED_MIX).
 */
export function deriveSeedWith(mix: SeedMix, seed: number, ...parts: number[]): number {
  let h = mix32(seed >>> 0);
  for (const part of mix.countParts ? [...parts, parts.length] : parts) h = mix32(h ^ Math.imul((part + mix.offset) >>> 0, mix.multiplier));
  return h;
}

/** `deriveSeedWith` at the current version. */
export function deriveSeed(seed: number, ...parts: number[]): number {
  return deriveSeedWith(SEED_MIX.current, seed, ...parts);
}

/** The generator a node uses: seeded from the configured seed and the node's id. */
export function rngForNode(seed: number, id: number): SeededRng {
  return new SeededRng(deriveSeedWith(SEED_MIX.node1, seed, id));
}
