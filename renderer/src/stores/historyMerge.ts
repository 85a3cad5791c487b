/**
 * Joining a run's recorded history with the live events that arrived while it loaded.
 *
 * A page that connects to a running lab subscribes to live pushes first, then asks for the
 * history (run:history). The lab flushes its recording and reads it in one synchronous step
 * (src/lab/lab.ts), so every event is in the history, or pushed after it, or both. "Both"
 * is the overlap: events pushed around the request. Those are exact copies of recorded lines
 * (the lab writes the same objects it pushes), so they are recognised by their JSON text.
 * Which transport delivered first does not matter, so this holds over Electron IPC as well
 * as over the ordered WebSocket.
 */
import type { RunEvent } from '../../../src/contract/runEvents';

/**
 * Recorded events older than this before the earliest live one cannot be copies of it; the
 * window only bounds the work (node clocks stamp events, so arrival order is not time order).
 */
const OVERLAP_WINDOW_MS = 10_000;

/** The live events that are not already in `recorded`, in their order (a multiset difference). */
export function eventsNotRecorded(live: readonly RunEvent[], recorded: readonly RunEvent[]): RunEvent[] {
  if (live.length === 0) return [];
  let earliest = Infinity;
  for (const e of live) earliest = Math.min(earliest, e.t);
  const copies = new Map<string, number>();
  for (const e of recorded) {
    if (e.t < earliest - OVERLAP_WINDOW_MS) continue;
    const key = JSON.stringify(e);
    copies.set(key, (copies.get(key) ?? 0) + 1);
  }
  const out: RunEvent[] = [];
  for (const e of live) {
    const key = JSON.stringify(e);
    const n = copies.get(key) ?? 0;
    if (n > 0) copies.set(key, n - 1);
    else out.push(e);
  }
  return out;
}
