/**
 * Coalesces redraw requests into at most one call per animation frame, and optionally at
 * most one per `minIntervalMs`: telemetry arrives in bursts (up to ~20 batches a second,
 * several stores at once), and a chart needs to redraw once for all of them. Frames also
 * pause in a hidden window, so a background tab costs nothing.
 *
 * The interval matters for charts: a full ECharts setOption with a few thousand points
 * costs milliseconds, and six charts redrawn on every batch kept the page's main thread
 * ~98% busy with a 5-node cluster (measured in the e2e tests: clicks and reads then took
 * seconds). The last request is never dropped: it is drawn once the interval has passed.
 */
import { onBeforeUnmount } from 'vue';

export function useFrameScheduler(draw: () => void, minIntervalMs: number | (() => number) = 0): () => void {
  const interval = typeof minIntervalMs === 'function' ? minIntervalMs : () => minIntervalMs;
  let frame: number | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let lastDrawAt = Number.NEGATIVE_INFINITY;
  onBeforeUnmount(() => {
    if (frame !== null) cancelAnimationFrame(frame);
    if (timer !== null) clearTimeout(timer);
    frame = null;
    timer = null;
  });
  const drawInFrame = () => {
    frame = requestAnimationFrame(() => {
      frame = null;
      lastDrawAt = performance.now();
      draw();
    });
  };
  return () => {
    if (frame !== null || timer !== null) return;
    const wait = lastDrawAt + interval() - performance.now();
    if (wait <= 0) {
      drawInFrame();
      return;
    }
    timer = setTimeout(() => {
      timer = null;
      drawInFrame();
    }, wait);
  };
}
