/**
 * Slow motion (issue 11 item 3, docs/aimed-faults.md): the node's side is its tick interval
 * (here) and its injected delays (FaultInjector.setSpeed).
 */

/**
 * The tick timer's interval: a clock-rate fault (timerRate, ticks factor× as often) and slow
 * motion (speed, ticks speed× as often) compose by multiplying, so a node whose clock runs 2x
 * in a cluster at 0.1x ticks every tickMs / 0.2.
 */
export function tickIntervalMs(tickMs: number, timerRate: number, speed: number): number {
  return tickMs / (timerRate * speed);
}
