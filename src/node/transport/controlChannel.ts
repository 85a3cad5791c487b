/**
 * The node's end of the control link: the lab binds a ROUTER, each node connects a DEALER
 * whose routing id is `node-<id>`, so the lab addresses a node by name and knows who
 * replied.
 *
 *   - `probeRouter: true`: on every (re)connection the DEALER sends an empty message, which
 *     tells the lab's ROUTER that this node is reachable before any request is made.
 *   - Requests are handled one at a time in arrival order: "set rules, then status" must
 *     observe the rules. Each gets exactly one reply with its id, `ok: false` with the
 *     error message if the handler throws.
 *   - `sendTimeout` 2000 ms: replies are small and rare; if the lab stops reading for that
 *     long the reply is dropped (the lab's request times out) rather than stalling forever.
 *   - `linger` 200 ms by default (not 0): the reply to `stop` must still leave after the
 *     node closes its sockets; `flush()` then `close()` delivers it without holding up exit
 *     for more than that.
 *   - CURVE (with `curve`): the DEALER pins the lab's public key, so requests come from
 *     the lab or from nobody; every reply is sealed for the lab as this node (frameSeal.ts),
 *     so another member that took this node's routing id cannot answer in its name.
 */
import { Dealer } from 'zeromq';
import { encodeFrame } from '../../contract/codec';
import type { NodeDebugState } from '../../contract/debug';
import { decodeSinglePart } from '../../wire/sockets';
import type { ClockReading, ControlReply, ControlRequest, NodeStatusReport } from '../../contract/control';
import { LIMITS } from '../../contract/limits';
import { describeError } from '../../contract/validateCore';
import type { NodeId } from '../../raft/types';
import { RejectCounters, reportToStderr, type ErrorReporter } from '../../wire/counters';
import { checkEndpoint } from '../../wire/endpoint';
import { receiveLoop } from '../../wire/receiveLoop';
import { Ring } from '../../wire/ring';
import { SendPump, type Outgoing } from '../../wire/sendPump';
import { curveClientSocketOptions, type CurveClient } from '../../wire/curveOptions';
import { SealKeys } from '../../wire/frameSeal';
import { receiveLimits } from '../../wire/socketLimits';
import { controlRoutingId } from '../../wire/controlRouting';
import type { FrameSealer } from '../../contract/codec';

/** What a handler returns: a status report for "status", a clock reading for "clock", nothing for the others. */
export type ControlResult = NodeStatusReport | NodeDebugState | ClockReading | null | undefined | void;

export type ControlHandler = (request: ControlRequest) => ControlResult | Promise<ControlResult>;

export interface ControlChannelOptions {
  clusterId: string;
  nodeId: NodeId;
  /** The lab's control ROUTER endpoint. */
  address: string;
  maxFrameBytes: number;
  handler: ControlHandler;
  lingerMs?: number;
  allowNonLoopback?: boolean;
  /** CURVE: this node's key pair and the lab's public key. */
  curve?: CurveClient;
  onError?: ErrorReporter;
}

export interface ControlChannelStats {
  rejectedFrames: Record<string, number>;
  requests: number;
  replies: number;
  /** Replies ZeroMQ refused (the lab was gone or not reading). */
  unsentReplies: number;
}

export class ControlChannel {
  private readonly socket: Dealer;
  private readonly pump: SendPump<null>;
  private readonly outbox = new Ring<Outgoing<null>>();
  private readonly rejected = new RejectCounters();
  private readonly reportErrorFn: ErrorReporter;
  private readonly counts = { requests: 0, replies: 0, unsentReplies: 0 };
  private readonly loop: Promise<void>;
  /** Requests run one after another on this chain. */
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly sealer: FrameSealer | undefined;

  constructor(private readonly options: ControlChannelOptions) {
    checkEndpoint(options.address, options);
    this.reportErrorFn = options.onError ?? reportToStderr;
    this.socket = new Dealer({
      routingId: controlRoutingId(options.nodeId),
      probeRouter: true,
      sendTimeout: 2000,
      linger: options.lingerMs ?? 200,
      ...receiveLimits('control', options.maxFrameBytes),
      ...(options.curve ? curveClientSocketOptions(options.curve) : {}),
    });
    this.sealer = options.curve ? new SealKeys(options.curve.keys).sealer(options.nodeId, options.curve.serverKey) : undefined;
    this.pump = new SendPump<null>(this.socket, {
      next: () => this.outbox.shift(),
      settled: (_item, outcome) => {
        if (outcome === 'sent') this.counts.replies++;
        else this.counts.unsentReplies++;
      },
      onError: (error, context) => this.reportError(error, context),
    });
    this.socket.connect(options.address);
    this.loop = receiveLoop(this.socket, (parts) => this.receive(parts), (error, context) => this.reportError(error, context));
  }

  stats(): ControlChannelStats {
    return { rejectedFrames: this.rejected.snapshot(), ...this.counts };
  }

  /** Resolves once every request received so far is answered and its reply handed to ZeroMQ. */
  async flush(): Promise<void> {
    await this.chain;
    await this.pump.idle();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.socket.close();
    await this.loop;
  }

  private receive(parts: Buffer[]): void {
    const frame = decodeSinglePart(parts, 'control', this.options, this.rejected);
    if (frame === null) return;
    this.counts.requests++;
    const request = frame.body;
    // handle() catches the handler's failures itself; the catch here only keeps one
    // unexpected failure from breaking the chain for every later request.
    this.chain = this.chain
      .then(() => this.handle(request))
      .catch((error: unknown) => this.reportError(error, `handling ${request.command.cmd}`));
  }

  private async handle(request: ControlRequest): Promise<void> {
    let reply: ControlReply;
    try {
      const result = await this.options.handler(request);
      reply = result === undefined ? { id: request.id, ok: true } : { id: request.id, ok: true, result };
    } catch (error) {
      const message = error instanceof Error ? error.message : describeError(error);
      // Longer texts would make the whole reply invalid at the lab.
      reply = { id: request.id, ok: false, error: message.slice(0, LIMITS.textLength) };
    }
    if (this.closed) return;
    let frame: Uint8Array;
    try {
      frame = encodeFrame('controlReply', this.options.clusterId, reply, this.sealer);
    } catch (error) {
      this.reportError(error, `encoding the reply to ${request.command.cmd}`);
      frame = encodeFrame('controlReply', this.options.clusterId, { id: request.id, ok: false, error: 'reply could not be encoded' }, this.sealer);
    }
    this.outbox.push({ message: frame, context: null });
    this.pump.kick();
  }

  private reportError(error: unknown, context: string): void {
    this.reportErrorFn(error, `control channel (node ${this.options.nodeId}): ${context}`);
  }
}
