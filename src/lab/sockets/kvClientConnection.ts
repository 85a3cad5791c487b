/**
 * A client's connection to one node's key-value socket (used by the lab's workload and by
 * tests): a DEALER connected to the node's ROUTER. It only moves batches; retries, leader
 * redirection and timeouts belong to the caller.
 *
 *   - `immediate: true`: requests are never queued for a node that is not connected, so a
 *     request cannot reach a restarted node seconds later, long after the caller gave up
 *     on it (stale client requests are not what a user expects, docs/platform-facts.md#zeromq).
 *   - `sendTimeout` (default 1000 ms): a send waits that long for the connection (the first
 *     handshake after connect takes a moment) or for room under the high-water mark, then
 *     reports the node unreachable. The caller knows such a request was never sent.
 *   - `linger: 0`: close() discards what is unsent.
 *   - CURVE (with `curve`): the DEALER pins the node's public key, so replies come from
 *     that node or from nobody.
 */
import { Dealer } from 'zeromq';
import type { ClientRequest, ClientResponse } from '../../contract/client';
import { encodeFrame } from '../../contract/codec';
import { decodeSinglePart } from '../../wire/sockets';
import { RejectCounters, reportToStderr, type ErrorReporter } from '../../wire/counters';
import { checkEndpoint } from '../../wire/endpoint';
import { receiveLoop } from '../../wire/receiveLoop';
import { Ring } from '../../wire/ring';
import { SendPump, type Outgoing } from '../../wire/sendPump';
import { curveClientSocketOptions, type CurveClient } from '../../wire/curveOptions';
import { frameByteLimit, receiveLimits } from '../../wire/socketLimits';

export interface KvClientOptions {
  clusterId: string;
  /** The node's client address. */
  address: string;
  maxFrameBytes: number;
  /** Every valid response batch from the node. */
  onResponses: (responses: ClientResponse[]) => void;
  /** How long a send may wait for the connection or queue room (default 1000 ms). */
  sendTimeoutMs?: number;
  allowNonLoopback?: boolean;
  /** CURVE: this client's key pair and the node's public key. */
  curve?: CurveClient;
  onError?: ErrorReporter;
}

export interface KvClientStats {
  rejectedFrames: Record<string, number>;
  sentBatches: number;
  /** Batches not sent because the node was unreachable or the connection closed. */
  unsentBatches: number;
  receivedBatches: number;
}

type SendResolver = (sent: boolean) => void;

export class KvClientConnection {
  readonly address: string;
  private readonly socket: Dealer;
  private readonly queue = new Ring<Outgoing<SendResolver>>();
  private readonly pump: SendPump<SendResolver>;
  private readonly rejected = new RejectCounters();
  private readonly reportErrorFn: ErrorReporter;
  private readonly counts = { sentBatches: 0, unsentBatches: 0, receivedBatches: 0 };
  private readonly loop: Promise<void>;
  private closed = false;

  constructor(private readonly options: KvClientOptions) {
    this.address = checkEndpoint(options.address, options);
    this.reportErrorFn = options.onError ?? reportToStderr;
    this.socket = new Dealer({
      immediate: true,
      sendTimeout: options.sendTimeoutMs ?? 1000,
      linger: 0,
      ...receiveLimits('clientReply', options.maxFrameBytes),
      ...(options.curve ? curveClientSocketOptions(options.curve) : {}),
    });
    this.pump = new SendPump<SendResolver>(this.socket, {
      next: () => this.queue.shift(),
      settled: (item, outcome) => {
        const sent = outcome === 'sent';
        if (sent) this.counts.sentBatches++;
        else this.counts.unsentBatches++;
        item.context(sent);
      },
      onError: (error, context) => this.reportErrorFn(error, `kv client ${this.address}: ${context}`),
    });
    this.socket.connect(this.address);
    this.loop = receiveLoop(this.socket, (parts) => this.receive(parts), (error, context) =>
      this.reportErrorFn(error, `kv client ${this.address}: ${context}`),
    );
  }

  /**
   * Sends one batch of requests. Resolves true once handed to ZeroMQ, false if the node was
   * unreachable within the send timeout (or the connection closed): then it was not sent.
   * Throws RangeError if the batch does not fit in maxFrameBytes (split it).
   */
  send(requests: ClientRequest[]): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    const frame = encodeFrame('client', this.options.clusterId, { requests });
    if (frame.byteLength > frameByteLimit('client', this.options.maxFrameBytes)) {
      throw new RangeError(`a batch of ${requests.length} requests encodes to ${frame.byteLength} bytes, over maxFrameBytes`);
    }
    return new Promise<boolean>((resolve) => {
      this.queue.push({ message: frame, context: resolve });
      this.pump.kick();
    });
  }

  stats(): KvClientStats {
    return { rejectedFrames: this.rejected.snapshot(), ...this.counts };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (let item = this.queue.shift(); item; item = this.queue.shift()) {
      this.counts.unsentBatches++;
      item.context(false);
    }
    this.socket.close();
    await this.loop;
  }

  private receive(parts: Buffer[]): void {
    const frame = decodeSinglePart(parts, 'clientReply', this.options, this.rejected);
    if (frame === null) return;
    this.counts.receivedBatches++;
    this.options.onResponses(frame.body.responses);
  }
}
