/**
 * How far a node's clock is from the lab's, and how sure we can be (issue 13, "clocks,
 * honestly"; docs/multi-host.md#the-clock-model). Nodes on other machines stamp their events
 * with their own wall clock; before the lab puts those events on its time line it estimates
 * each node's offset the way NTP does (RFC 5905 §8), from round trips over the control
 * channel:
 *
 *     t0  lab sends the request        (lab clock)
 *     t1  node receives it             (node clock)
 *     t2  node sends the reply         (node clock)
 *     t3  lab receives the reply       (lab clock)
 *
 *     offset θ̂ = ((t1 − t0) + (t2 − t3)) / 2        node clock − lab clock
 *     delay  δ = (t3 − t0) − (t2 − t1)              time on the wire, both ways
 *
 * With a true offset θ and one-way delays d1 (there) and d2 (back), both ≥ 0,
 * t1 = t0 + d1 + θ and t3 = t2 − θ + d2, so θ̂ = θ + (d1 − d2) / 2 and δ = d1 + d2. The
 * error |θ̂ − θ| = |d1 − d2| / 2 is at most δ / 2 whatever the asymmetry: that is the bound
 * we state, and it is a bound, not a guess (unlike NTP's jitter statistics). The sample with
 * the smallest δ has the tightest bound, so a window keeps that one.
 *
 * The bound assumes neither clock jumps during a round trip; a sample with δ < 0 or
 * t2 < t1 proves one did, and is refused. Between estimates the clocks drift apart (crystal
 * drift is ~10–100 ppm, i.e. up to 1 ms per 10 s), which is why the lab re-estimates
 * periodically and why `at` says when an estimate was made.
 *
 * Pure: the lab takes the readings, this only computes.
 */

export interface ClockSample {
  /** Lab clock when the request left (ms). */
  t0: number;
  /** Node clock when the request arrived (ms). */
  t1: number;
  /** Node clock when the reply left (ms). */
  t2: number;
  /** Lab clock when the reply arrived (ms). */
  t3: number;
}

export interface ClockEstimate {
  /** Node clock minus lab clock (ms): a node time t is lab time t − offsetMs. */
  offsetMs: number;
  /** The true offset is within offsetMs ± boundMs. */
  boundMs: number;
  /** The chosen sample's round-trip delay δ (ms). */
  delayMs: number;
  /** How many valid samples it was chosen from. */
  samples: number;
  /** Lab clock at the end of the chosen sample (t3): when the estimate was true. */
  at: number;
}

/**
 * Added to every bound: the arithmetic is in doubles on wall-clock milliseconds (~1.7e12),
 * where one ulp is ~0.00024 ms, and a few operations add up to less than this.
 */
export const ROUNDING_MS = 0.001;

/** Why a sample cannot be used, or null if it can. */
export function sampleProblem(s: ClockSample): string | null {
  if (![s.t0, s.t1, s.t2, s.t3].every(Number.isFinite)) return 'a reading is not a finite number';
  if (s.t2 < s.t1) return `the node's clock went back while it answered (t2 ${s.t2} < t1 ${s.t1})`;
  if (s.t3 < s.t0) return `the lab's clock went back during the round trip (t3 ${s.t3} < t0 ${s.t0})`;
  if (s.t3 - s.t0 < s.t2 - s.t1) return 'the node took longer to answer than the whole round trip (a clock jumped)';
  return null;
}

/** The estimate from one sample (throws on a sample sampleProblem refuses). */
export function estimateFromSample(s: ClockSample): ClockEstimate {
  const problem = sampleProblem(s);
  if (problem) throw new Error(`clock sample refused: ${problem}`);
  const delayMs = s.t3 - s.t0 - (s.t2 - s.t1);
  return {
    offsetMs: (s.t1 - s.t0 + (s.t2 - s.t3)) / 2,
    boundMs: delayMs / 2 + ROUNDING_MS,
    delayMs,
    samples: 1,
    at: s.t3,
  };
}

/**
 * The estimate from a window of samples: the valid one with the smallest round-trip delay
 * (the tightest bound). Null when no sample is valid.
 */
export function estimateOffset(samples: readonly ClockSample[]): ClockEstimate | null {
  let best: ClockEstimate | null = null;
  let valid = 0;
  for (const s of samples) {
    if (sampleProblem(s) !== null) continue;
    valid++;
    const e = estimateFromSample(s);
    if (best === null || e.delayMs < best.delayMs) best = e;
  }
  return best === null ? null : { ...best, samples: valid };
}

/** A node time on the lab's clock, with the uncertainty of the estimate it used. */
export function toLabTime(nodeTimeMs: number, estimate: Pick<ClockEstimate, 'offsetMs' | 'boundMs'>): { t: number; boundMs: number } {
  return { t: nodeTimeMs - estimate.offsetMs, boundMs: estimate.boundMs };
}
