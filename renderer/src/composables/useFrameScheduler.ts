/**
 * Coalesces redraw requests into at most one call per animation frame: telemetry arrives
 * in bursts (up to ~20 batches a second, several stores at once), and a chart needs to
 * redraw once for all of them. Frames also pause in a hidden window, so a background tab
 * costs nothing.
 */
import { onBeforeUnmount } from 'vue';

export function useFrameScheduler(draw: () => void): () => void {
  let handle: number | null = null;
  onBeforeUnmount(() => {
    if (handle !== null) cancelAnimationFrame(handle);
    handle = null;
  });
  return () => {
    if (handle !== null) return;
    handle = requestAnimationFrame(() => {
      handle = null;
      draw();
    });
  };
}
