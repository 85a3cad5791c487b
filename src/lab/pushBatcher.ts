/**
 * Batches what the lab pushes to its subscribers (renderer windows, the CLI status line):
 * run events at most every `intervalMs` (about 20 a second), and the latest state only,
 * coalesced. High-rate telemetry never becomes one message per event.
 */
import type { LabPush, LabPushChannel, LabState } from '../contract/labApi';
import type { RunEvent } from '../contract/runEvents';

export type PushListener = <P extends LabPushChannel>(channel: P, payload: LabPush[P]) => void;

/** Cap per batch so one burst cannot build a huge message; the rest goes in the next one. */
const MAX_EVENTS_PER_BATCH = 5000;

export class PushBatcher {
  private readonly listeners = new Set<PushListener>();
  private events: RunEvent[] = [];
  private state: LabState | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly intervalMs = 50) {}

  subscribe(listener: PushListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  event(ev: RunEvent): void {
    if (this.listeners.size === 0) return;
    this.events.push(ev);
    this.schedule();
  }

  stateChanged(state: LabState): void {
    this.state = state;
    this.schedule();
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => this.flush(), this.intervalMs);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.state) {
      const state = this.state;
      this.state = null;
      for (const l of this.listeners) this.safely(() => l('lab:state', state));
    }
    if (this.events.length > 0) {
      const batch = this.events.length > MAX_EVENTS_PER_BATCH ? this.events.splice(0, MAX_EVENTS_PER_BATCH) : this.events;
      if (batch === this.events) this.events = [];
      for (const l of this.listeners) this.safely(() => l('lab:events', { events: batch }));
      if (this.events.length > 0) this.schedule();
    }
  }

  /** A subscriber that throws (a closed window) must not stop the others or the lab. */
  private safely(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      console.error(`[lab] push listener failed: ${(err as Error).message}`);
    }
  }

  close(): void {
    this.flush();
    this.listeners.clear();
  }
}
