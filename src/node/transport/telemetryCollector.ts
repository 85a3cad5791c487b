/**
 * The lab's telemetry intake: one PULL socket bound by the lab, fair-queuing the PUSH
 * streams of every node (see telemetryPublisher.ts). Each valid batch goes to `onBatch`;
 * invalid frames are dropped and counted. Sequence gaps per node are counted too (a gap
 * means batches the node dropped under back-pressure or that were lost in a reconnect);
 * a batch with seq 0 marks a restarted node.
 */
import { Pull } from 'zeromq';
import type { TelemetryBatch } from '../../contract/telemetry';
import type { NodeId } from '../../raft/types';
import { RejectCounters, reportToStderr, type ErrorReporter } from './counters';
import { bindChecked, decodeSinglePart } from './sockets';
import { receiveLoop } from './receiveLoop';
import { socketMessageLimit } from './socketLimits';

export interface TelemetryCollectorOptions {
  clusterId: string;
  bindAddress: string;
  maxFrameBytes: number;
  onBatch: (batch: TelemetryBatch) => void;
  allowNonLoopback?: boolean;
  onError?: ErrorReporter;
}

export interface TelemetryCollectorStats {
  rejectedFrames: Record<string, number>;
  batches: number;
  events: number;
  /** Batches missing from a node's sequence. */
  seqGaps: number;
}

export class TelemetryCollector {
  private readonly socket: Pull;
  private readonly rejected = new RejectCounters();
  private readonly reportErrorFn: ErrorReporter;
  private readonly lastSeq = new Map<NodeId, number>();
  private readonly counts = { batches: 0, events: 0, seqGaps: 0 };
  private loop: Promise<void> | null = null;
  private boundAddress = '';
  private closed = false;

  static async open(options: TelemetryCollectorOptions): Promise<TelemetryCollector> {
    const collector = new TelemetryCollector(options);
    collector.boundAddress = await bindChecked(collector.socket, options.bindAddress, options);
    collector.loop = receiveLoop(
      collector.socket,
      (parts) => collector.receive(parts),
      (error, context) => collector.reportErrorFn(error, `telemetry collector: ${context}`),
    );
    return collector;
  }

  private constructor(private readonly options: TelemetryCollectorOptions) {
    this.reportErrorFn = options.onError ?? reportToStderr;
    this.socket = new Pull({ linger: 0, maxMessageSize: socketMessageLimit(options.maxFrameBytes) });
  }

  /** The bound endpoint (real port when bound to port 0): give it to the nodes. */
  get address(): string {
    return this.boundAddress;
  }

  stats(): TelemetryCollectorStats {
    return { rejectedFrames: this.rejected.snapshot(), ...this.counts };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.socket.close();
    await this.loop;
  }

  private receive(parts: Buffer[]): void {
    const body = decodeSinglePart(parts, 'telemetry', this.options, this.rejected);
    if (body === null) return;
    const batch = body;
    const last = this.lastSeq.get(batch.node);
    if (last !== undefined && batch.seq !== 0 && batch.seq > last + 1) this.counts.seqGaps += batch.seq - last - 1;
    this.lastSeq.set(batch.node, batch.seq);
    this.counts.batches++;
    this.counts.events += batch.events.length;
    this.options.onBatch(batch);
  }
}
