/**
 * How a node reports its aimed rules' hit counts (docs/aimed-faults.md), kept here so
 * src/node/runtime.ts only wires it.
 */

/** How often at most a node republishes its aimed rules' hit counts (a `faultRules` event). */
export const AIMED_REPORT_MS = 200;

/**
 * `fn` run at most once per `ms`: the first call schedules it `ms` later, calls meanwhile join
 * that run. An "every message" rule can hit thousands of times a second; the lab needs the
 * count, not one event per hit.
 */
export function coalesce(ms: number, fn: () => void): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  return () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      fn();
    }, ms);
    // A pending report must not keep a stopping process alive.
    timer.unref?.();
  };
}
