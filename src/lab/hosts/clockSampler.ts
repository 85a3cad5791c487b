/**
 * Takes a remote node's clock samples over the control channel and estimates its offset
 * (src/analysis/clockOffset.ts; docs/multi-host.md, "The clock model"): several `clock`
 * round trips one after the other, each stamped on the lab's wall clock when sent (t0) and
 * when answered (t3), and the one with the smallest round trip kept (its bound is the
 * tightest). A node on the lab's machine shares the lab's clock (docs/platform-facts.md):
 * offset 0, bound 0, and it is never sampled.
 */
import type { ClockReading } from '../../contract/control';
import { estimateOffset, type ClockEstimate, type ClockSample } from '../../analysis/clockOffset';

/** Round trips per estimate: enough that one usually meets no queueing on either side. */
export const CLOCK_SAMPLES = 8;
/** How often a remote node's offset is estimated again (crystal drift: ~1 ms per 10 s at worst). */
export const CLOCK_REESTIMATE_MS = 10_000;

/** The lab's wall clock in ms, on the same footing as the nodes' (performance.timeOrigin-based). */
export function labWallNow(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * `count` samples through `read` (one `clock` control command), then the min-RTT estimate.
 * Rejects only when no sample could be taken or none was valid, saying why.
 */
export async function sampleClock(read: () => Promise<ClockReading>, count = CLOCK_SAMPLES, now: () => number = labWallNow): Promise<ClockEstimate> {
  const samples: ClockSample[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = now();
    const r = await read();
    const t3 = now();
    samples.push({ t0, t1: r.receivedMs, t2: r.repliedMs, t3 });
  }
  const estimate = estimateOffset(samples);
  if (!estimate) throw new Error(`none of ${count} clock samples was valid (a clock jumped during every round trip)`);
  return estimate;
}
