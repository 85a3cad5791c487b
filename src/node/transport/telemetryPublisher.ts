/**
 * The node's telemetry stream to the lab: a PUSH connected to the lab's PULL.
 *
 * Telemetry must never slow consensus down, so nothing here ever waits:
 *   - `publish()` only appends to a bounded ring; when the ring is full the OLDEST event is
 *     evicted and counted (`dropped`), which the node reports in its metrics.
 *   - Every `flushIntervalMs` (default 50 ms), or as soon as a full batch is waiting, the
 *     pending events leave as TelemetryBatch frames of up to `maxBatchEvents`.
 *   - `sendTimeout: 0`: if ZeroMQ cannot take a batch now (the lab stopped reading and the
 *     high-water mark is reached), that batch, the oldest pending events, is dropped and
 *     counted instead of waiting.
 *   - `immediate: false` (the default): before the first connection completes, frames wait
 *     in ZeroMQ's queue (up to the high-water mark) so the startup events ('ready') are not
 *     lost to the connection handshake.
 *   - `linger` 200 ms by default: a node's last events (why it stopped) can still leave
 *     after close() without holding up exit for long.
 * Batches carry a sequence number so the lab can notice batches lost on the way.
 *
 * CURVE (with `curve`): the PUSH pins the lab's public key and every batch is sealed as this
 * node (frameSeal.ts). Batches also stay within the telemetry frame's structure budget
 * (FRAME_LIMITS.telemetry, checked with the receiver's own scan), halving like oversized ones.
 */
import { Push } from 'zeromq';
import { encodeFrame, FRAME_LIMITS, type FrameSealer } from '../../contract/codec';
import { scanMsgpack } from '../../contract/codecScan';
import { curveClientSocketOptions, type CurveClient } from '../../wire/curveOptions';
import { SealKeys } from '../../wire/frameSeal';
import { frameByteLimit } from '../../wire/socketLimits';
import type { TelemetryEvent } from '../../contract/telemetry';
import { LIMITS } from '../../contract/limits';
import type { NodeId } from '../../raft/types';
import { reportToStderr, type ErrorReporter } from '../../wire/counters';
import { checkEndpoint } from '../../wire/endpoint';
import { Ring } from '../../wire/ring';
import { SendPump, type Outgoing } from '../../wire/sendPump';

export interface TelemetryPublisherOptions {
  clusterId: string;
  nodeId: NodeId;
  /** The lab's telemetry PULL endpoint. */
  address: string;
  maxFrameBytes: number;
  flushIntervalMs?: number;
  /** Events kept while waiting to be sent (default 10 000); beyond, the oldest go. */
  maxPendingEvents?: number;
  /** Events per batch (default 500). */
  maxBatchEvents?: number;
  /** ZeroMQ queue for the lab, in batches (default 100). */
  sendHighWaterMark?: number;
  lingerMs?: number;
  allowNonLoopback?: boolean;
  /** CURVE: this node's key pair and the lab's public key. */
  curve?: CurveClient;
  onError?: ErrorReporter;
}

export interface TelemetryPublisherStats {
  pending: number;
  /** Events dropped: evicted from the full ring, in refused batches, or too big to send. */
  dropped: number;
  batchesSent: number;
  eventsSent: number;
}

export class TelemetryPublisher {
  private readonly socket: Push;
  private readonly ring: Ring<TelemetryEvent>;
  private readonly pump: SendPump<number>;
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly reportErrorFn: ErrorReporter;
  private readonly maxBatchEvents: number;
  private readonly counts = { dropped: 0, batchesSent: 0, eventsSent: 0 };
  private seq = 0;
  private closed = false;
  private readonly sealer: FrameSealer | undefined;
  private readonly maxFrameBytes: number;

  constructor(private readonly options: TelemetryPublisherOptions) {
    checkEndpoint(options.address, options);
    this.reportErrorFn = options.onError ?? reportToStderr;
    this.maxBatchEvents = Math.min(options.maxBatchEvents ?? 500, LIMITS.telemetryEventsPerBatch);
    this.ring = new Ring<TelemetryEvent>(options.maxPendingEvents ?? 10_000, 256);
    this.socket = new Push({
      sendTimeout: 0,
      sendHighWaterMark: options.sendHighWaterMark ?? 100,
      linger: options.lingerMs ?? 200,
      ...(options.curve ? curveClientSocketOptions(options.curve) : {}),
    });
    this.sealer = options.curve ? new SealKeys(options.curve.keys).sealer(options.nodeId, options.curve.serverKey) : undefined;
    this.maxFrameBytes = frameByteLimit('telemetry', options.maxFrameBytes);
    this.pump = new SendPump<number>(this.socket, {
      next: () => this.nextBatch(),
      settled: (item, outcome) => {
        if (outcome === 'sent') {
          this.counts.batchesSent++;
          this.counts.eventsSent += item.context;
        } else {
          this.counts.dropped += item.context;
        }
      },
      onError: (error, context) => this.reportErrorFn(error, `telemetry (node ${options.nodeId}): ${context}`),
    });
    this.socket.connect(options.address);
    this.timer = setInterval(() => this.flush(), options.flushIntervalMs ?? 50);
    // Telemetry alone must not keep a node process alive.
    this.timer.unref();
  }

  /** Events dropped since start (NodeMetrics.telemetryDropped). */
  get dropped(): number {
    return this.counts.dropped;
  }

  /** Queues an event; never blocks. */
  publish(event: TelemetryEvent): void {
    if (this.closed) return;
    if (this.ring.push(event) !== undefined) this.counts.dropped++;
    if (this.ring.length >= this.maxBatchEvents) this.pump.kick();
  }

  /** Sends what is pending now rather than at the next interval. */
  flush(): void {
    if (!this.closed && this.ring.length > 0) this.pump.kick();
  }

  /** Flushes and resolves once everything pending has been handed to ZeroMQ (or dropped). */
  async drain(): Promise<void> {
    this.flush();
    await this.pump.idle();
  }

  stats(): TelemetryPublisherStats {
    return { pending: this.ring.length, ...this.counts };
  }

  /** Stops the timer and closes the socket (frames already handed over get `lingerMs`). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.counts.dropped += this.ring.length;
    this.ring.clear();
    this.socket.close();
  }

  /** Takes up to maxBatchEvents events (fewer if the frame would be too big). */
  private nextBatch(): Outgoing<number> | undefined {
    let count = Math.min(this.ring.length, this.maxBatchEvents);
    while (count > 0) {
      const events: TelemetryEvent[] = new Array<TelemetryEvent>(count);
      for (let i = 0; i < count; i++) events[i] = this.ring.peek(i)!;
      const frame = encodeFrame('telemetry', this.options.clusterId, { node: this.options.nodeId, seq: this.seq, events }, this.sealer);
      if (frame.byteLength <= this.maxFrameBytes && scanMsgpack(frame, FRAME_LIMITS.telemetry) === null) {
        for (let i = 0; i < count; i++) this.ring.shift();
        this.seq++;
        return { message: frame, context: count };
      }
      if (count === 1) {
        this.ring.shift();
        this.counts.dropped++;
        this.reportErrorFn(new RangeError(`a ${events[0].type} event of ${frame.byteLength} bytes exceeds the telemetry frame limits`), 'telemetry');
        count = Math.min(this.ring.length, this.maxBatchEvents);
        continue;
      }
      count >>= 1;
    }
    return undefined;
  }
}
