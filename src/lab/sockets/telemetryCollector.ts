/**
 * The lab's telemetry intake: one PULL socket bound by the lab, fair-queuing the PUSH
 * streams of every node (see telemetryPublisher.ts). Each valid batch goes to `onBatch`;
 * invalid frames are dropped and counted. Sequence gaps per node are counted too (a gap
 * means batches the node dropped under back-pressure or that were lost in a reconnect);
 * a batch with seq 0 marks a restarted node.
 *
 * CURVE (with `curve`): the PULL admits only member keys (ZAP), and a batch counts only if
 * it is sealed by the node it names (`batch.node`): a process without a member's key
 * cannot connect ('handshake'), and a member cannot forge another node's telemetry
 * ('forged', 'impersonation'), so the live checkers only judge what nodes really reported.
 */
import { Pull } from 'zeromq';
import type { TelemetryBatch } from '../../contract/telemetry';
import type { NodeId } from '../../raft/types';
import { RejectCounters, reportToStderr, type ErrorReporter } from '../../wire/counters';
import { bindChecked, decodeSinglePart } from '../../wire/sockets';
import { receiveLoop } from '../../wire/receiveLoop';
import { curveServerSocketOptions, sealedSender, withHandshakes, type MemberKeys } from '../../wire/curveOptions';
import { SealKeys, type CurveKeyPair } from '../../wire/frameSeal';
import { receiveLimits } from '../../wire/socketLimits';
import { registerZapDomain, type ZapRegistration } from '../../wire/zapHandler';

export interface TelemetryCollectorOptions {
  clusterId: string;
  bindAddress: string;
  maxFrameBytes: number;
  onBatch: (batch: TelemetryBatch) => void;
  allowNonLoopback?: boolean;
  /** CURVE: the lab's key pair and the members' keys (the allow-list and the seal keys). */
  curve?: { keys: CurveKeyPair; members: MemberKeys };
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
    const members = options.curve?.members;
    const zap = members ? await registerZapDomain('telemetry', (key) => members.isMember(key)) : null;
    const collector = new TelemetryCollector(options, zap);
    try {
      collector.boundAddress = await bindChecked(collector.socket, options.bindAddress, options);
    } catch (error) {
      zap?.release();
      throw error;
    }
    collector.loop = receiveLoop(
      collector.socket,
      (parts) => collector.receive(parts),
      (error, context) => collector.reportErrorFn(error, `telemetry collector: ${context}`),
    );
    return collector;
  }

  private readonly seals: SealKeys | null;

  private constructor(
    private readonly options: TelemetryCollectorOptions,
    private readonly zap: ZapRegistration | null,
  ) {
    this.reportErrorFn = options.onError ?? reportToStderr;
    this.seals = options.curve ? new SealKeys(options.curve.keys) : null;
    this.socket = new Pull({
      linger: 0,
      ...receiveLimits('telemetry', options.maxFrameBytes),
      ...(options.curve && zap ? curveServerSocketOptions(options.curve.keys, zap) : {}),
    });
  }

  /** The bound endpoint (real port when bound to port 0): give it to the nodes. */
  get address(): string {
    return this.boundAddress;
  }

  stats(): TelemetryCollectorStats {
    return { rejectedFrames: withHandshakes(this.rejected.snapshot(), this.zap), ...this.counts };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.socket.close();
    await this.loop;
    this.zap?.release();
  }

  private receive(parts: Buffer[]): void {
    const frame = decodeSinglePart(parts, 'telemetry', this.options, this.rejected);
    if (frame === null) return;
    const batch = frame.body;
    if (this.seals && this.options.curve) {
      const sender = sealedSender(frame.seal, this.seals, (id) => this.options.curve!.members.publicKeyOf(id), null);
      if (typeof sender !== 'number') {
        this.rejected.add(sender);
        return;
      }
      if (sender !== batch.node) {
        this.rejected.add('impersonation');
        return;
      }
    }
    const last = this.lastSeq.get(batch.node);
    if (last !== undefined && batch.seq !== 0 && batch.seq > last + 1) this.counts.seqGaps += batch.seq - last - 1;
    this.lastSeq.set(batch.node, batch.seq);
    this.counts.batches++;
    this.counts.events += batch.events.length;
    this.options.onBatch(batch);
  }
}
