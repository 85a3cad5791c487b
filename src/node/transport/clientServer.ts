/**
 * The node's key-value client socket.
 *
 * Socket pattern: the node binds a ROUTER; clients connect DEALERs. The ROUTER tags each
 * request frame with the client connection's routing id, and replies go back by that id:
 * many clients, one socket, no per-client state in the node beyond a pending reply.
 *   - `mandatory: false`: a reply to a client that has gone away is dropped silently;
 *     ROUTER also drops (never blocks) at a client's high-water mark, so a slow client
 *     cannot stall the node. The client sees a timeout, which the workload records as an
 *     indeterminate ('info') outcome.
 *   - `handover: true`: a client reconnecting with the same routing id takes over at once.
 *   - The receive loop always runs: without one, a restarted peer reusing its routing id
 *     stayed unroutable for seconds (docs/platform-facts.md#zeromq).
 *
 * Frames carry ClientRequestBatch in and ClientResponseBatch out. Responses for the same
 * client produced in one step are coalesced into one reply frame.
 *
 * CURVE (with `curve`): the ROUTER is a CURVE server that admits only `clientKeys` (the
 * lab, whose workload is the only legitimate client); no seal is needed, since every admitted
 * connection is that one party.
 */
import { Router } from 'zeromq';
import type { ClientRequest, ClientResponse } from '../../contract/client';
import { decodeFrame, encodeFrame } from '../../contract/codec';
import { RejectCounters, reportToStderr, type ErrorReporter } from '../../wire/counters';
import { bindChecked } from '../../wire/sockets';
import { receiveLoop } from '../../wire/receiveLoop';
import { Ring } from '../../wire/ring';
import { SendPump, type Outgoing } from '../../wire/sendPump';
import { curveServerSocketOptions, withHandshakes } from '../../wire/curveOptions';
import type { CurveKeyPair } from '../../wire/frameSeal';
import { frameByteLimit, receiveLimits } from '../../wire/socketLimits';
import { registerZapDomain, type ZapRegistration } from '../../wire/zapHandler';

/** Identifies the client connection a request came from; pass it back to `reply`. */
export interface ClientRoute {
  /** The ZeroMQ routing id (never mutated: it is sent back as is). */
  readonly routingId: Buffer;
  /** The routing id as a string, for maps. */
  readonly key: string;
}

export interface ClientServerOptions {
  clusterId: string;
  bindAddress: string;
  maxFrameBytes: number;
  /** Every valid request batch, with the route to reply on. */
  onRequests: (requests: ClientRequest[], route: ClientRoute) => void;
  allowNonLoopback?: boolean;
  /** CURVE: this node's key pair and the public keys of the clients it admits. */
  curve?: { keys: CurveKeyPair; clientKeys: readonly string[] };
  /** Most responses in one reply frame (default 1024). */
  maxResponsesPerFrame?: number;
  onError?: ErrorReporter;
}

export interface ClientServerStats {
  rejectedFrames: Record<string, number>;
  requestBatches: number;
  requests: number;
  replyFrames: number;
  responses: number;
  /** Responses that could not be encoded within maxFrameBytes even alone. */
  oversizedResponses: number;
}

interface PendingReplies {
  route: ClientRoute;
  responses: ClientResponse[];
}

export class ClientServer {
  private readonly socket: Router;
  private readonly pump: SendPump<number>;
  private readonly rejected = new RejectCounters();
  private readonly reportErrorFn: ErrorReporter;
  /** Responses per client route not yet encoded, and the order routes became ready. */
  private readonly pending = new Map<string, PendingReplies>();
  private readonly ready = new Ring<string>();
  /** Encoded frames waiting for the socket. */
  private readonly frames = new Ring<Outgoing<number>>();
  private readonly counts = { requestBatches: 0, requests: 0, replyFrames: 0, responses: 0, oversizedResponses: 0 };
  private loop: Promise<void> | null = null;
  private boundAddress = '';
  private closed = false;

  static async open(options: ClientServerOptions): Promise<ClientServer> {
    const allowed = new Set(options.curve?.clientKeys ?? []);
    const zap = options.curve ? await registerZapDomain('client', (key) => allowed.has(key)) : null;
    const server = new ClientServer(options, zap);
    try {
      server.boundAddress = await bindChecked(server.socket, options.bindAddress, options);
    } catch (error) {
      zap?.release();
      throw error;
    }
    server.loop = receiveLoop(server.socket, (parts) => server.receive(parts), (error, context) => server.reportError(error, context));
    return server;
  }

  private readonly maxFrameBytes: number;

  private constructor(
    private readonly options: ClientServerOptions,
    private readonly zap: ZapRegistration | null,
  ) {
    this.reportErrorFn = options.onError ?? reportToStderr;
    this.maxFrameBytes = frameByteLimit('client', options.maxFrameBytes);
    this.socket = new Router({
      linger: 0,
      mandatory: false,
      handover: true,
      ...receiveLimits('client', options.maxFrameBytes),
      ...(options.curve && zap ? curveServerSocketOptions(options.curve.keys, zap) : {}),
    });
    this.pump = new SendPump<number>(this.socket, {
      next: () => this.nextFrame(),
      settled: (item, outcome) => {
        if (outcome === 'sent') {
          this.counts.replyFrames++;
          this.counts.responses += item.context;
        }
      },
      onError: (error, context) => this.reportError(error, context),
    });
  }

  get address(): string {
    return this.boundAddress;
  }

  /** Queues responses for the client behind `route`; they leave in one frame per step. */
  reply(route: ClientRoute, responses: readonly ClientResponse[]): void {
    if (this.closed || responses.length === 0) return;
    let entry = this.pending.get(route.key);
    if (!entry) {
      entry = { route, responses: [] };
      this.pending.set(route.key, entry);
      this.ready.push(route.key);
    }
    for (const response of responses) entry.responses.push(response);
    this.pump.kick();
  }

  stats(): ClientServerStats {
    return { rejectedFrames: withHandshakes(this.rejected.snapshot(), this.zap), ...this.counts };
  }

  /** Resolves when every queued reply has been handed to ZeroMQ. */
  flush(): Promise<void> {
    return this.pump.idle();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.pending.clear();
    this.ready.clear();
    this.frames.clear();
    this.socket.close();
    await this.loop;
    this.zap?.release();
  }

  private receive(parts: Buffer[]): void {
    if (parts.length !== 2) {
      this.rejected.add('parts');
      return;
    }
    const [routingId, payload] = parts;
    const frame = decodeFrame(payload, { clusterId: this.options.clusterId, kinds: ['client'], maxBytes: this.maxFrameBytes });
    if (!frame.ok) {
      this.rejected.add(frame.reason);
      return;
    }
    this.counts.requestBatches++;
    this.counts.requests += frame.body.requests.length;
    if (frame.body.requests.length === 0) return;
    this.options.onRequests(frame.body.requests, { routingId, key: routingId.toString('latin1') });
  }

  private nextFrame(): Outgoing<number> | undefined {
    if (this.frames.length === 0) this.encodeNextRoute();
    return this.frames.shift();
  }

  /** Encodes the oldest ready route's responses into one or more frames within the limits. */
  private encodeNextRoute(): void {
    const key = this.ready.shift();
    if (key === undefined) return;
    const entry = this.pending.get(key);
    this.pending.delete(key);
    if (!entry) return;
    const maxPerFrame = this.options.maxResponsesPerFrame ?? 1024;
    for (let start = 0; start < entry.responses.length; start += maxPerFrame) {
      this.encodeChunk(entry.route, entry.responses.slice(start, start + maxPerFrame));
    }
  }

  /** Encodes a chunk, halving it until each frame fits maxFrameBytes. */
  private encodeChunk(route: ClientRoute, responses: ClientResponse[]): void {
    const frame = encodeFrame('clientReply', this.options.clusterId, { responses });
    if (frame.byteLength <= frameByteLimit('clientReply', this.options.maxFrameBytes)) {
      this.frames.push({ message: [route.routingId, frame], context: responses.length });
      return;
    }
    if (responses.length === 1) {
      this.counts.oversizedResponses++;
      this.reportError(new RangeError(`a response of ${frame.byteLength} bytes exceeds maxFrameBytes`), 'replying');
      return;
    }
    const half = responses.length >> 1;
    this.encodeChunk(route, responses.slice(0, half));
    this.encodeChunk(route, responses.slice(half));
  }

  private reportError(error: unknown, context: string): void {
    this.reportErrorFn(error, `client server: ${context}`);
  }
}
