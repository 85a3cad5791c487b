/**
 * Raft traffic between nodes over ZeroMQ.
 *
 * Socket pattern: each node binds ONE PULL socket for all inbound Raft traffic and keeps one
 * PUSH socket per peer, connected to that peer's PULL.
 *   - PUSH/PULL rather than DEALER/ROUTER: Raft messages are one-way datagrams (a reply is
 *     just another message the other way), and every message names its sender in `from`,
 *     so routing ids would add a frame part and buy nothing.
 *   - One PUSH per peer, not one shared socket: each link gets its own queue and high-water
 *     mark, so a dead or paused peer cannot hold up messages to the others.
 *   - `immediate: true` + `sendTimeout: 0`: a message to a peer that is down (not connected)
 *     or not reading (at its high-water mark) is dropped at once, never queued to be
 *     delivered stale when the peer returns. Raft tolerates message loss (§5.3: the leader
 *     retries AppendEntries; elections time out and restart), so dropping is correct and
 *     keeps memory bounded.
 *   - `sendHighWaterMark` 256 frames: enough for bursts (each frame is a batch), small
 *     enough that a paused (SIGSTOPped) peer receives at most a bounded stale backlog on
 *     SIGCONT.
 *   - `linger: 0`: close() discards unsent messages; a closing node owes nobody delivery.
 *   - No ZMTP heartbeats: libzmq asserted on SIGCONT of a paused peer with heartbeats on
 *     (docs/platform-facts.md#zeromq); Raft's own heartbeats detect dead peers.
 *
 * Batching: messages for one peer wait in a ring until that peer's socket is free (a
 * microtask at the latest), then all of them travel as one frame whose body is a
 * `Message[]`. Batching is the lever on per-message cost (10 per frame: ~7x throughput).
 *
 * Faults: with a FaultInjector, outbound messages pass its 'out' rules before queueing and
 * inbound ones its 'in' rules before reaching `onMessage`.
 *
 * CURVE (with `curve` keys, the lab's default): the PULL is a CURVE server whose ZAP
 * allow-list is exactly the peers' public keys (setPeer adds and removes them), each PUSH
 * pins its peer's public key, and every frame is sealed for its receiver (frameSeal.ts).
 * A received frame counts only if its seal verifies for the sender it names, and each of
 * its messages must have that sender as `from`: an admitted member cannot speak for
 * another ('impersonation', counted per message), a stranger cannot even connect
 * ('handshake').
 *
 * Structure bounds: frames are checked by the codec's pre-scan before decoding
 * (FRAME_LIMITS.raft), and the batcher keeps every frame it sends under the same value
 * budget (`raftMessageValues`), so a refusal always means a sender outside the contract.
 */
import { Pull, Push } from 'zeromq';
import { decodeFrame, encodeFrame, FRAME_LIMITS, type FrameSealer } from '../../contract/codec';
import { raftBatchIdsSize, raftIdSize, raftMessageWireSize } from '../../contract/codecRaftWire';
import type { MessageIds } from './messageIds';
import type { Message, NodeId } from '../../raft/types';
import type { FaultCounters, FaultInjector } from '../faults/faultInjector';
import { RejectCounters, reportToStderr, TrafficTable, type ErrorReporter } from '../../wire/counters';
import { checkEndpoint } from '../../wire/endpoint';
import { receiveLoop } from '../../wire/receiveLoop';
import { Ring } from '../../wire/ring';
import { SendPump, type Outgoing, type SendOutcome } from '../../wire/sendPump';
import { curveClientSocketOptions, curveServerSocketOptions, sealedSender, withHandshakes } from '../../wire/curveOptions';
import { isZ85Key, SealKeys, type CurveKeyPair } from '../../wire/frameSeal';
import { frameByteLimit, receiveLimits } from '../../wire/socketLimits';
import { registerZapDomain, type ZapRegistration } from '../../wire/zapHandler';

export interface PeerTransportOptions {
  clusterId: string;
  /** This node's id: inbound messages addressed to another id are refused. */
  self: NodeId;
  /** Where to bind the inbound PULL socket (tcp://127.0.0.1:0 picks a free port). */
  bindAddress: string;
  /** Initial peers: id -> their peer address. More can be added with setPeer. */
  peers?: Record<string, string>;
  /**
   * CURVE: this node's key pair and every initial peer's public key (id -> key). Without
   * it the sockets are plaintext and frames unsealed.
   */
  curve?: { keys: CurveKeyPair; peerKeys: Record<string, string> };
  /** Frames larger than this are neither sent nor accepted. */
  maxFrameBytes: number;
  /** Every accepted inbound message (after inbound fault rules). */
  onMessage: (message: Message) => void;
  faults?: FaultInjector<Message>;
  /**
   * Message ids (messageIds.ts): outbound messages are sent with the numbers found here, and
   * inbound ones are keyed here with the ids their frames carried. Absent: frames carry no ids.
   */
  ids?: MessageIds;
  /** Told of every outbound message the transport itself dropped, with the reason (the flight recorder journals it). */
  onDrop?: (message: Message, reason: keyof PeerDropCounters) => void;
  /** Permit non-loopback tcp endpoints (default false). */
  allowNonLoopback?: boolean;
  /** Per-peer ZeroMQ send high-water mark, in frames (default 256). */
  sendHighWaterMark?: number;
  /** Most messages in one frame (default 1024). */
  maxMessagesPerFrame?: number;
  /** Messages waiting for one peer beyond this evict the oldest (default 10 000). */
  maxQueuedPerPeer?: number;
  onError?: ErrorReporter;
}

export interface PeerDropCounters {
  /** Messages ZeroMQ refused because the peer was down or not reading. */
  unreachable: number;
  /** Messages evicted from a full per-peer queue. */
  queueOverflow: number;
  /** Single messages that cannot fit in a frame of maxFrameBytes. */
  oversized: number;
  /** Messages for a peer with no known address. */
  unknownPeer: number;
}

export interface PeerTransportStats {
  /** Keyed by peer id then message type (NodeMetrics.traffic). Bytes are each message's encoded size. */
  traffic: Record<string, Record<string, { sent: number; received: number; bytesSent: number; bytesReceived: number }>>;
  /** Refused inbound frames by reason; 'misrouted' counts messages. */
  rejectedFrames: Record<string, number>;
  dropped: PeerDropCounters;
  faults: Record<'in' | 'out', FaultCounters> | null;
}

const DEFAULT_SEND_HWM = 256;
const DEFAULT_MAX_MESSAGES_PER_FRAME = 1024;
const DEFAULT_MAX_QUEUED = 10_000;

interface Batch {
  messages: Message[];
  sizes: number[];
}

/**
 * An upper bound on the msgpack values one message adds to a frame (codecRaftWire.ts's
 * layout: a tuple of at most 9 fields, entries of at most 5 plus a config of three id lists),
 * so the batcher can keep frames within FRAME_LIMITS.raft.maxItems without scanning them.
 */
export function raftMessageValues(m: Message): number {
  const configValues = (c: { voters: readonly number[]; outgoing?: readonly number[]; learners?: readonly number[] } | undefined) =>
    c ? 4 + c.voters.length + (c.outgoing?.length ?? 0) + (c.learners?.length ?? 0) : 0;
  let n = 10;
  if (m.type === 'append') for (const e of m.entries) n += 6 + configValues(e.config);
  else if (m.type === 'snapshot') n += configValues(m.snapshot.meta.config);
  return n;
}

/** Values of a frame's envelope around its batch: header, version, cluster, kind, batch header, seal. */
const ENVELOPE_VALUES = 6;

/** The outbound half of one link: a PUSH socket, its queue and its pump. */
class PeerLink {
  readonly socket: Push;
  private readonly queue: Ring<Message>;
  private readonly pump: SendPump<Batch>;

  constructor(
    readonly peer: NodeId,
    readonly address: string,
    private readonly owner: PeerTransport,
    private readonly limits: { hwm: number; maxPerFrame: number; maxQueued: number; maxFrameBytes: number; envelopeBytes: number },
    private readonly sealer: FrameSealer | undefined,
    curve: { keys: CurveKeyPair; serverKey: string } | undefined,
  ) {
    this.socket = new Push({
      immediate: true,
      sendTimeout: 0,
      linger: 0,
      sendHighWaterMark: limits.hwm,
      ...(curve ? curveClientSocketOptions(curve) : {}),
    });
    this.queue = new Ring<Message>(limits.maxQueued);
    this.pump = new SendPump<Batch>(this.socket, {
      next: () => this.nextBatch(),
      settled: (item, outcome) => this.owner.settled(this.peer, item.context, outcome),
      onError: (error, context) => this.owner.reportError(error, `peer ${peer}: ${context}`),
    });
    this.socket.connect(address);
  }

  enqueue(message: Message): void {
    const evicted = this.queue.push(message);
    if (evicted !== undefined) this.owner.drop(evicted, 'queueOverflow');
    this.pump.kick();
  }

  idle(): Promise<void> {
    return this.pump.idle();
  }

  close(): void {
    this.queue.clear();
    this.socket.close();
  }

  /** Takes as many queued messages as fit in one frame and encodes them. */
  private nextBatch(): Outgoing<Batch> | undefined {
    const { maxPerFrame, maxFrameBytes, envelopeBytes } = this.limits;
    const messages: Message[] = [];
    const sizes: number[] = [];
    const ids = this.owner.ids;
    const ns: number[] = [];
    // The ids' outer header, incarnation and list header (at their widest), then one number per message.
    let bytes = envelopeBytes + (ids ? raftBatchIdsSize(ids.incarnation, []) + 4 : 0);
    let values = ENVELOPE_VALUES + (ids ? 3 : 0);
    while (this.queue.length > 0 && messages.length < maxPerFrame) {
      const message = this.queue.peek()!;
      const n = ids ? ids.sentNumber(message) : 0;
      const size = raftMessageWireSize(message) + (ids ? raftIdSize(n) : 0);
      const messageValues = raftMessageValues(message);
      if (bytes + size > maxFrameBytes || values + messageValues > FRAME_LIMITS.raft.maxItems) {
        if (messages.length > 0) break; // the next frame takes it
        this.queue.shift();
        this.owner.drop(message, 'oversized');
        this.owner.reportError(
          new RangeError(`${message.type} of ${size} bytes (${messageValues} values) exceeds maxFrameBytes ${maxFrameBytes} or ${FRAME_LIMITS.raft.maxItems} values`),
          `peer ${this.peer}: dropping a message`,
        );
        continue;
      }
      this.queue.shift();
      messages.push(message);
      ns.push(n);
      sizes.push(size);
      bytes += size;
      values += messageValues + (ids ? 1 : 0);
    }
    if (messages.length === 0) return undefined;
    const body = ids ? { messages, ids: { incarnation: ids.incarnation, ns } } : messages;
    return { message: encodeFrame('raft', this.owner.clusterId, body, this.sealer), context: { messages, sizes } };
  }
}

export class PeerTransport {
  readonly clusterId: string;
  readonly self: NodeId;
  readonly dropped: PeerDropCounters = { unreachable: 0, queueOverflow: 0, oversized: 0, unknownPeer: 0 };
  private readonly inbound: Pull;
  private readonly links = new Map<NodeId, PeerLink>();
  private readonly traffic = new TrafficTable();
  private readonly rejected = new RejectCounters();
  private readonly reportErrorFn: ErrorReporter;
  private readonly linkLimits: ConstructorParameters<typeof PeerLink>[3];
  private readonly maxFrameBytes: number;
  /** CURVE: own seal keys, the peers' public keys (also the ZAP allow-list), the ZAP domain. */
  private readonly seals: SealKeys | null;
  private readonly peerKeys = new Map<NodeId, string>();
  private zap: ZapRegistration | null = null;
  private loop: Promise<void> | null = null;
  private boundAddress = '';
  private closed = false;
  /** @internal message ids (PeerTransportOptions.ids), read by the links when they build frames. */
  readonly ids: MessageIds | undefined;

  /** Binds the inbound socket and connects to the initial peers. */
  static async open(options: PeerTransportOptions): Promise<PeerTransport> {
    let created: PeerTransport | null = null;
    const zap = options.curve ? await registerZapDomain(`peer-${options.self}`, (key: string): boolean => created?.isPeerKey(key) ?? false) : null;
    const transport: PeerTransport = new PeerTransport(options, zap);
    created = transport;
    await transport.bind(options.bindAddress);
    try {
      for (const [id, address] of Object.entries(options.peers ?? {})) transport.setPeer(Number(id), address, options.curve?.peerKeys[id]);
    } catch (error) {
      await transport.close();
      throw error;
    }
    return transport;
  }

  private constructor(
    private readonly options: PeerTransportOptions,
    zap: ZapRegistration | null,
  ) {
    this.zap = zap;
    this.ids = options.ids;
    this.seals = options.curve ? new SealKeys(options.curve.keys) : null;
    for (const [id, key] of Object.entries(options.curve?.peerKeys ?? {})) {
      if (!isZ85Key(key)) throw new RangeError(`peer ${id} has no valid public key: CURVE sockets need a Z85 key for every peer`);
      this.peerKeys.set(Number(id), key);
    }
    this.maxFrameBytes = frameByteLimit('raft', options.maxFrameBytes);
    this.clusterId = options.clusterId;
    this.self = options.self;
    this.reportErrorFn = options.onError ?? reportToStderr;
    this.linkLimits = {
      hwm: options.sendHighWaterMark ?? DEFAULT_SEND_HWM,
      maxPerFrame: options.maxMessagesPerFrame ?? DEFAULT_MAX_MESSAGES_PER_FRAME,
      maxQueued: options.maxQueuedPerPeer ?? DEFAULT_MAX_QUEUED,
      maxFrameBytes: this.maxFrameBytes,
      // An empty batch's frame, plus 4 bytes in case the batch needs a wider array header,
      // plus the seal's 22 bytes.
      envelopeBytes: encodeFrame('raft', options.clusterId, []).byteLength + 4 + 22,
    };
    this.inbound = new Pull({
      linger: 0,
      ...receiveLimits('raft', options.maxFrameBytes),
      ...(options.curve && zap ? curveServerSocketOptions(options.curve.keys, zap) : {}),
    });
  }

  /** @internal the ZAP allow-list: the public keys of the current peers. */
  isPeerKey(key: string): boolean {
    for (const k of this.peerKeys.values()) if (k === key) return true;
    return false;
  }

  /** The bound endpoint, with the real port when bound to port 0. */
  get address(): string {
    return this.boundAddress;
  }

  private async bind(address: string): Promise<void> {
    checkEndpoint(address, this.options);
    try {
      await this.inbound.bind(address);
    } catch (error) {
      this.inbound.close();
      this.zap?.release();
      throw error;
    }
    this.boundAddress = this.inbound.lastEndpoint ?? address;
    this.loop = receiveLoop(this.inbound, (parts) => this.receive(parts), (error, context) => this.reportError(error, context));
  }

  /**
   * Learns, changes or (with null) forgets a peer's address and, on CURVE sockets, its
   * public key (required then: it is the peer's only way in). Changing either replaces the
   * link; messages still queued for the old one are discarded. Forgetting a peer also
   * takes its key off the allow-list.
   */
  setPeer(id: NodeId, address: string | null, publicKey?: string | null): void {
    if (this.closed) return;
    if (id === this.self) throw new RangeError(`node ${id} cannot be its own peer`);
    const current = this.links.get(id);
    const key = address === null ? undefined : (publicKey ?? undefined);
    if (this.seals && address !== null && !isZ85Key(key)) {
      throw new RangeError(`peer ${id} has no valid public key: CURVE sockets need a Z85 key for every peer`);
    }
    if (current && current.address === address && this.peerKeys.get(id) === key) return;
    if (address !== null) checkEndpoint(address, this.options);
    if (current) {
      current.close();
      this.links.delete(id);
    }
    if (key === undefined) this.peerKeys.delete(id);
    else this.peerKeys.set(id, key);
    if (address !== null) {
      const curve = this.seals && key !== undefined ? { keys: this.seals.keys, serverKey: key } : undefined;
      const sealer = curve ? this.seals!.sealer(this.self, curve.serverKey) : undefined;
      this.links.set(id, new PeerLink(id, address, this, this.linkLimits, sealer, curve));
    }
  }

  /** True when this transport has an address for `peer` (from its config or setPeer). */
  knows(peer: NodeId): boolean {
    return this.links.has(peer);
  }

  /** Queues `message` for `message.to`; never blocks, drops rather than queue without bound. */
  send(message: Message): void {
    if (this.closed) return;
    const faults = this.options.faults;
    if (faults) faults.apply('out', message.to, message, this.enqueue);
    else this.enqueue(message);
  }

  /** Queues `message` past the outbound fault rules: a message the debugger held at its sender and now releases. */
  sendPastFaults(message: Message): void {
    if (this.closed) return;
    this.enqueue(message);
  }

  private readonly enqueue = (message: Message): void => {
    if (this.closed) return; // a delayed message released after close
    const link = this.links.get(message.to);
    if (!link) {
      this.drop(message, 'unknownPeer');
      return;
    }
    link.enqueue(message);
  };

  /** @internal called by links when a frame's fate is known. */
  settled(peer: NodeId, batch: Batch, outcome: SendOutcome): void {
    if (outcome === 'sent') {
      for (let i = 0; i < batch.messages.length; i++) this.traffic.recordSent(peer, batch.messages[i].type, batch.sizes[i]);
    } else if (outcome === 'dropped') {
      for (const m of batch.messages) this.drop(m, 'unreachable');
    }
  }

  /** @internal counts a message the transport dropped and tells `onDrop`. */
  drop(message: Message, reason: keyof PeerDropCounters): void {
    this.dropped[reason]++;
    this.options.onDrop?.(message, reason);
  }

  /** @internal */
  reportError(error: unknown, context: string): void {
    this.reportErrorFn(error, `peer transport (node ${this.self}): ${context}`);
  }

  private receive(parts: Buffer[]): void {
    if (parts.length !== 1) {
      this.rejected.add('parts');
      return;
    }
    const frame = decodeFrame(parts[0], { clusterId: this.clusterId, kinds: ['raft'], maxBytes: this.maxFrameBytes });
    if (!frame.ok) {
      this.rejected.add(frame.reason);
      return;
    }
    // Messages for another node are refused first (they would be whoever sent them).
    const { messages, ids } = frame.body;
    const addressed = messages.filter((message) => message.to === this.self);
    if (addressed.length < messages.length) this.rejected.add('misrouted', messages.length - addressed.length);
    if (addressed.length === 0) return;
    if (this.seals) {
      const sender = sealedSender(frame.seal, this.seals, (id) => this.peerKeys.get(id), this.self);
      if (typeof sender !== 'number') {
        this.rejected.add(sender);
        return;
      }
      let impostors = 0;
      for (const message of addressed) if (message.from !== sender) impostors++;
      if (impostors > 0) {
        // One frame, one sender: a frame that speaks for another node is refused whole.
        this.rejected.add('impersonation', impostors);
        return;
      }
    }
    if (ids && this.ids) for (let i = 0; i < messages.length; i++) this.ids.received(messages[i], ids.incarnation, ids.ns[i]);
    const faults = this.options.faults;
    for (const message of addressed) {
      this.traffic.recordReceived(message.from, message.type, raftMessageWireSize(message));
      if (faults) faults.apply('in', message.from, message, this.deliver);
      else this.deliver(message);
    }
  }

  private readonly deliver = (message: Message): void => {
    if (this.closed) return;
    try {
      this.options.onMessage(message);
    } catch (error) {
      this.reportError(error, `handling ${message.type} from ${message.from}`);
    }
  };

  /** Resolves when every queued outbound message has been handed to ZeroMQ (or dropped). */
  async flush(): Promise<void> {
    await Promise.all([...this.links.values()].map((link) => link.idle()));
  }

  stats(): PeerTransportStats {
    return {
      traffic: this.traffic.snapshot(),
      rejectedFrames: withHandshakes(this.rejected.snapshot(), this.zap),
      dropped: { ...this.dropped },
      faults: this.options.faults?.counters() ?? null,
    };
  }

  /** Closes every socket at once (linger 0) and ends the receive loop. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const link of this.links.values()) link.close();
    this.links.clear();
    this.inbound.close();
    await this.loop;
    this.zap?.release();
  }
}
