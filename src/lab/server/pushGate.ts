/**
 * Back-pressure for pushes to one WebSocket client. The lab already batches its pushes
 * (at most ~20 a second), but a client that stops reading (a frozen tab, a suspended
 * laptop lid, a slow remote debugger) would otherwise make the socket's send buffer grow
 * without bound. Above a high-water mark the gate stops sending and coalesces instead:
 *
 * - `lab:state` is a full snapshot, so only the latest one is kept (likewise for any other
 *   non-event channel: the latest message per channel);
 * - `lab:events` batches are dropped and counted; when the client catches up it receives
 *   one `telemetryGap` event saying how many events it missed, then the latest state.
 *
 * So memory per client is bounded by the high-water mark plus one state snapshot, and a
 * lagging client sees an explicit gap instead of silently incomplete charts. The recorded
 * run (events.jsonl) is unaffected: this only concerns the live view.
 *
 * Replies to the client's own requests go through the same gate (`reply`): they cannot be
 * dropped or coalesced (each answers one invocation), so while the client lags they queue
 * in order and the gate stops reading the client's requests (`pauseInput`), which bounds
 * what can queue to the requests already in flight. A client whose queued replies still
 * exceed the high-water mark is cut off (`terminate`) rather than allowed to grow memory.
 * On drain, replies go first (a caller is waiting on each), then the gap, then snapshots.
 */
import type { LabPush, LabPushChannel } from '../../contract/labApi';
import { encodePush } from './wireMessages';

/** What the gate needs from a socket (a `ws` WebSocket in production, a fake in tests). */
export interface PushSink {
  send(data: string): void;
  /** Bytes queued but not yet written to the network. */
  bufferedAmount(): number;
  /** Stop / restart reading the client's frames (back-pressure on its requests). */
  pauseInput?(): void;
  resumeInput?(): void;
  /** Cut the client off: it is not reading its replies. */
  terminate?(reason: string): void;
}

export interface PushGateLimits {
  /** Stop sending when this many bytes are queued. */
  highWaterBytes: number;
  /** Resume once the queue has drained to this many bytes. */
  lowWaterBytes: number;
  /** How often to check whether a lagging client has drained. */
  retryMs: number;
}

export const DEFAULT_PUSH_GATE_LIMITS: PushGateLimits = {
  highWaterBytes: 4 * 1024 * 1024,
  lowWaterBytes: 1024 * 1024,
  retryMs: 100,
};

export class PushGate {
  private lagging = false;
  /** Latest held message per snapshot channel (everything but lab:events), in arrival order. */
  private readonly pendingLatest = new Map<LabPushChannel, string>();
  private missedEvents = 0;
  private lastMissedT = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;
  /** Replies held while lagging, in the order they were produced. */
  private readonly pendingReplies: string[] = [];
  private pendingReplyBytes = 0;
  /** Events dropped for this client since it connected (for diagnostics and tests). */
  droppedEvents = 0;

  constructor(
    private readonly sink: PushSink,
    private readonly limits: PushGateLimits = DEFAULT_PUSH_GATE_LIMITS,
  ) {}

  /** Sends one push now, or holds/coalesces it while the client is lagging. */
  offer<P extends LabPushChannel>(channel: P, payload: LabPush[P], encoded: string): void {
    if (this.closed) return;
    if (!this.lagging && this.sink.bufferedAmount() <= this.limits.highWaterBytes) {
      this.sink.send(encoded);
      return;
    }
    this.startLagging();
    if (channel === 'lab:events') {
      const { events } = payload as LabPush['lab:events'];
      this.missedEvents += events.length;
      this.droppedEvents += events.length;
      const last = events[events.length - 1];
      if (last !== undefined) this.lastMissedT = Math.max(this.lastMissedT, last.t);
    } else {
      // Delete first so the re-inserted entry moves to the end: delivery follows recency.
      this.pendingLatest.delete(channel);
      this.pendingLatest.set(channel, encoded);
    }
    this.scheduleRetry();
  }

  /**
   * Sends one reply now, or queues it (never drops it) while the client is lagging; see the
   * module comment for why input pauses meanwhile.
   */
  reply(encoded: string): void {
    if (this.closed) return;
    if (!this.lagging && this.sink.bufferedAmount() <= this.limits.highWaterBytes) {
      this.sink.send(encoded);
      return;
    }
    this.startLagging();
    this.pendingReplies.push(encoded);
    this.pendingReplyBytes += encoded.length;
    if (this.pendingReplyBytes > this.limits.highWaterBytes) {
      const reason = `client is not reading its replies (${this.pendingReplies.length} queued, ${this.pendingReplyBytes} bytes)`;
      this.close();
      this.sink.terminate?.(reason);
      return;
    }
    this.scheduleRetry();
  }

  /** Replies waiting for the client to catch up (diagnostics and tests). */
  get queuedReplies(): number {
    return this.pendingReplies.length;
  }

  /** Stops the retry timer; later offers are ignored. */
  close(): void {
    this.closed = true;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  /** True while pushes are being held back for this client. */
  get isLagging(): boolean {
    return this.lagging;
  }

  private startLagging(): void {
    if (this.lagging) return;
    this.lagging = true;
    this.sink.pauseInput?.();
  }

  private scheduleRetry(): void {
    if (this.retryTimer !== null || this.closed) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.drain();
    }, this.limits.retryMs);
    // The retry must never be what keeps a process alive.
    this.retryTimer.unref?.();
  }

  private drain(): void {
    if (this.closed || !this.lagging) return;
    if (this.sink.bufferedAmount() > this.limits.lowWaterBytes) {
      this.scheduleRetry();
      return;
    }
    for (const encoded of this.pendingReplies) this.sink.send(encoded);
    this.pendingReplies.length = 0;
    this.pendingReplyBytes = 0;
    if (this.missedEvents > 0) {
      this.sink.send(encodePush('lab:events', {
        events: [{ type: 'telemetryGap', missed: this.missedEvents, t: this.lastMissedT, node: null }],
      }));
      this.missedEvents = 0;
    }
    for (const encoded of this.pendingLatest.values()) this.sink.send(encoded);
    this.pendingLatest.clear();
    this.lagging = false;
    this.sink.resumeInput?.();
  }
}
