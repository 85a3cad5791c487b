/**
 * The lab's end of the control link: one ROUTER bound by the lab, one DEALER per node
 * connected with routing id `node-<id>` (see controlChannel.ts).
 *
 *   - `mandatory: true`: a request to a node that is not connected fails at once with
 *     EHOSTUNREACH instead of vanishing. Until the request's deadline the server retries
 *     every 20 ms, so a request made while a node is still starting (or reconnecting after
 *     a restart) goes through as soon as it connects.
 *   - `sendTimeout: 0`: with `mandatory`, a send to a node at its high-water mark would
 *     otherwise wait, and with no node connected at all it hung forever (docs/platform-facts.md#zeromq).
 *   - `handover`: true on plaintext sockets, so a restarted node reusing `node-<id>` takes
 *     the name over at once even if the old connection lingers. On CURVE sockets it is
 *     FALSE: with handover any admitted member could take over another node's name and
 *     silently receive its fault commands. A restarted node whose old connection is not
 *     torn down yet is refused and reconnects (libzmq retries every 100 ms); on loopback the
 *     kernel closes a dead process's connection at once.
 *   - CURVE (with `curve`): the ROUTER admits only member keys (ZAP), and a reply counts
 *     only if it is sealed by the node its routing id names; the node's DEALER pins the
 *     lab's key, so requests reach real nodes only.
 *   - The receive loop always runs, which also keeps reconnected routing ids routable.
 */
import { Router } from 'zeromq';
import { decodeFrame, encodeFrame } from '../../contract/codec';
import type { ControlCommand, ControlReply } from '../../contract/control';
import { checkControlCommand } from '../../contract/control';
import { validate } from '../../contract/validateCore';
import type { NodeId } from '../../raft/types';
import { RejectCounters, reportToStderr, type ErrorReporter } from '../../wire/counters';
import { controlRoutingId } from '../../wire/controlRouting';
import { bindChecked } from '../../wire/sockets';
import { receiveLoop } from '../../wire/receiveLoop';
import { Ring } from '../../wire/ring';
import { SendPump, type Outgoing } from '../../wire/sendPump';
import { curveServerSocketOptions, sealedSender, withHandshakes, type MemberKeys } from '../../wire/curveOptions';
import { SealKeys, type CurveKeyPair } from '../../wire/frameSeal';
import { frameByteLimit, receiveLimits } from '../../wire/socketLimits';
import { registerZapDomain, type ZapRegistration } from '../../wire/zapHandler';

export interface ControlServerOptions {
  clusterId: string;
  bindAddress: string;
  maxFrameBytes: number;
  /** Called when a node's control connection (re)appears. */
  onNodeConnected?: (nodeId: NodeId) => void;
  allowNonLoopback?: boolean;
  /** CURVE: the lab's key pair and the members' keys (the allow-list and the seal keys). */
  curve?: { keys: CurveKeyPair; members: MemberKeys };
  onError?: ErrorReporter;
}

export type ControlFailure = 'timeout' | 'closed';

/** A request that got no reply: the node did not answer in time, or the server closed. */
export class ControlRequestError extends Error {
  constructor(
    readonly failure: ControlFailure,
    readonly nodeId: NodeId,
    readonly command: ControlCommand['cmd'],
    detail: string,
  ) {
    super(`control ${command} to node ${nodeId}: ${detail}`);
    this.name = 'ControlRequestError';
  }
}

export interface ControlServerStats {
  rejectedFrames: Record<string, number>;
  pending: number;
  /** Replies with no pending request (late after a timeout, or from the wrong node). */
  unmatchedReplies: number;
  /** Sends refused because the node was not connected (each retry counts). */
  unreachableSends: number;
}

interface PendingRequest {
  nodeId: NodeId;
  command: ControlCommand['cmd'];
  routingId: Buffer;
  frame: Uint8Array;
  deadline: number;
  timer: ReturnType<typeof setTimeout>;
  retry: ReturnType<typeof setTimeout> | null;
  resolve: (reply: ControlReply) => void;
  reject: (error: ControlRequestError) => void;
}

const RETRY_MS = 20;
const NODE_ROUTING_ID = /^node-([1-9]\d{0,15})$/;

export class ControlServer {
  private readonly socket: Router;
  private readonly pump: SendPump<number>;
  private readonly outbox = new Ring<Outgoing<number>>();
  private readonly pending = new Map<number, PendingRequest>();
  private readonly connected = new Set<NodeId>();
  private readonly rejected = new RejectCounters();
  private readonly reportErrorFn: ErrorReporter;
  private readonly counts = { unmatchedReplies: 0, unreachableSends: 0 };
  private nextId = 1;
  private loop: Promise<void> | null = null;
  private boundAddress = '';
  private closed = false;

  static async open(options: ControlServerOptions): Promise<ControlServer> {
    const members = options.curve?.members;
    const zap = members ? await registerZapDomain('control', (key) => members.isMember(key)) : null;
    const server = new ControlServer(options, zap);
    try {
      server.boundAddress = await bindChecked(server.socket, options.bindAddress, options);
    } catch (error) {
      zap?.release();
      throw error;
    }
    server.loop = receiveLoop(server.socket, (parts) => server.receive(parts), (error, context) => server.reportError(error, context));
    return server;
  }

  private readonly seals: SealKeys | null;

  private constructor(
    private readonly options: ControlServerOptions,
    private readonly zap: ZapRegistration | null,
  ) {
    this.reportErrorFn = options.onError ?? reportToStderr;
    this.seals = options.curve ? new SealKeys(options.curve.keys) : null;
    this.socket = new Router({
      mandatory: true,
      sendTimeout: 0,
      handover: !options.curve,
      linger: 0,
      ...receiveLimits('controlReply', options.maxFrameBytes),
      ...(options.curve && zap ? curveServerSocketOptions(options.curve.keys, zap) : {}),
    });
    this.pump = new SendPump<number>(this.socket, {
      next: () => this.outbox.shift(),
      settled: (item, outcome) => {
        if (outcome !== 'dropped') return;
        this.counts.unreachableSends++;
        this.scheduleRetry(item.context);
      },
      onError: (error, context) => this.reportError(error, context),
    });
  }

  /** The bound endpoint (real port when bound to port 0): give it to the nodes. */
  get address(): string {
    return this.boundAddress;
  }

  /** Nodes whose control connection has been seen since the server started. */
  isConnected(nodeId: NodeId): boolean {
    return this.connected.has(nodeId);
  }

  /**
   * Sends `command` to a node and resolves with its reply (which may be `ok: false`).
   * Rejects with ControlRequestError if no reply arrives within `timeoutMs`, retrying the
   * send meanwhile while the node is not connected.
   *
   * A command the node's validator would refuse (a timer rate of 0, a negative delay) is
   * answered `ok: false` at once with the reason, without sending: the node drops a frame
   * that fails validation without replying (it cannot trust anything in it), which would
   * leave the caller with nothing but a timeout.
   */
  request(nodeId: NodeId, command: ControlCommand, timeoutMs: number): Promise<ControlReply> {
    if (this.closed) return Promise.reject(new ControlRequestError('closed', nodeId, command.cmd, 'server closed'));
    const id = this.nextId++;
    const valid = validate(checkControlCommand, command);
    if (!valid.ok) return Promise.resolve({ id, ok: false, error: `not sent, invalid command: ${valid.error}` });
    const frame = encodeFrame('control', this.options.clusterId, { id, command });
    return new Promise<ControlReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.settle(id)?.reject(new ControlRequestError('timeout', nodeId, command.cmd, `no reply within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        nodeId,
        command: command.cmd,
        routingId: Buffer.from(controlRoutingId(nodeId), 'latin1'),
        frame,
        deadline: Date.now() + timeoutMs,
        timer,
        retry: null,
        resolve,
        reject,
      });
      this.enqueue(id);
    });
  }

  stats(): ControlServerStats {
    return { rejectedFrames: withHandshakes(this.rejected.snapshot(), this.zap), pending: this.pending.size, ...this.counts };
  }

  /** Closes the socket; pending requests reject with failure 'closed'. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const id of [...this.pending.keys()]) {
      const request = this.settle(id)!;
      request.reject(new ControlRequestError('closed', request.nodeId, request.command, 'server closed'));
    }
    this.outbox.clear();
    this.socket.close();
    await this.loop;
    this.zap?.release();
  }

  private enqueue(id: number): void {
    const request = this.pending.get(id);
    if (!request || this.closed) return;
    // Retries resend the same frame: ZeroMQ may hold a sent buffer by reference, which is
    // safe because nothing ever writes to it again.
    this.outbox.push({ message: [request.routingId, request.frame], context: id });
    this.pump.kick();
  }

  private scheduleRetry(id: number): void {
    const request = this.pending.get(id);
    if (!request || request.retry || Date.now() + RETRY_MS >= request.deadline) return;
    request.retry = setTimeout(() => {
      request.retry = null;
      this.enqueue(id);
    }, RETRY_MS);
  }

  /** Removes a pending request and its timers; returns it if it was still pending. */
  private settle(id: number): PendingRequest | undefined {
    const request = this.pending.get(id);
    if (!request) return undefined;
    this.pending.delete(id);
    clearTimeout(request.timer);
    if (request.retry) clearTimeout(request.retry);
    return request;
  }

  private receive(parts: Buffer[]): void {
    if (parts.length !== 2) {
      this.rejected.add('parts');
      return;
    }
    const [routingIdBytes, payload] = parts;
    const match = NODE_ROUTING_ID.exec(routingIdBytes.toString('latin1'));
    if (!match) {
      this.rejected.add('misrouted');
      return;
    }
    const nodeId = Number(match[1]);
    if (payload.byteLength === 0) {
      // probeRouter's hello from a node's DEALER: it is (re)connected.
      this.connected.add(nodeId);
      this.options.onNodeConnected?.(nodeId);
      return;
    }
    const frame = decodeFrame(payload, { clusterId: this.options.clusterId, kinds: ['controlReply'], maxBytes: frameByteLimit('controlReply', this.options.maxFrameBytes) });
    if (!frame.ok) {
      this.rejected.add(frame.reason);
      return;
    }
    if (this.seals && this.options.curve) {
      const sender = sealedSender(frame.seal, this.seals, (id) => this.options.curve!.members.publicKeyOf(id), null);
      if (typeof sender !== 'number') {
        this.rejected.add(sender);
        return;
      }
      if (sender !== nodeId) {
        this.rejected.add('impersonation');
        return;
      }
    }
    this.connected.add(nodeId);
    const pending = this.pending.get(frame.body.id);
    if (!pending || pending.nodeId !== nodeId) {
      this.counts.unmatchedReplies++;
      return;
    }
    this.settle(frame.body.id)!.resolve(frame.body);
  }

  private reportError(error: unknown, context: string): void {
    this.reportErrorFn(error, `control server: ${context}`);
  }
}
