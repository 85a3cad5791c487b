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
 */
import { Pull, Push } from 'zeromq';
import { decodeFrame, encodeFrame } from '../../contract/codec';
import { raftMessageWireSize } from '../../contract/codecRaftWire';
import type { Message, NodeId } from '../../raft/types';
import type { FaultCounters, FaultInjector } from '../faults/faultInjector';
import { RejectCounters, reportToStderr, TrafficTable, type ErrorReporter } from './counters';
import { checkEndpoint } from './endpoint';
import { receiveLoop } from './receiveLoop';
import { Ring } from './ring';
import { SendPump, type Outgoing, type SendOutcome } from './sendPump';
import { socketMessageLimit } from './socketLimits';

export interface PeerTransportOptions {
  clusterId: string;
  /** This node's id: inbound messages addressed to another id are refused. */
  self: NodeId;
  /** Where to bind the inbound PULL socket (tcp://127.0.0.1:0 picks a free port). */
  bindAddress: string;
  /** Initial peers: id -> their peer address. More can be added with setPeer. */
  peers?: Record<string, string>;
  /** Frames larger than this are neither sent nor accepted. */
  maxFrameBytes: number;
  /** Every accepted inbound message (after inbound fault rules). */
  onMessage: (message: Message) => void;
  faults?: FaultInjector<Message>;
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
  ) {
    this.socket = new Push({
      immediate: true,
      sendTimeout: 0,
      linger: 0,
      sendHighWaterMark: limits.hwm,
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
    if (this.queue.push(message) !== undefined) this.owner.dropped.queueOverflow++;
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
    let bytes = envelopeBytes;
    while (this.queue.length > 0 && messages.length < maxPerFrame) {
      const message = this.queue.peek()!;
      const size = raftMessageWireSize(message);
      if (bytes + size > maxFrameBytes) {
        if (messages.length > 0) break; // the next frame takes it
        this.queue.shift();
        this.owner.dropped.oversized++;
        this.owner.reportError(
          new RangeError(`${message.type} of ${size} bytes exceeds maxFrameBytes ${maxFrameBytes}`),
          `peer ${this.peer}: dropping a message`,
        );
        continue;
      }
      this.queue.shift();
      messages.push(message);
      sizes.push(size);
      bytes += size;
    }
    if (messages.length === 0) return undefined;
    return { message: encodeFrame('raft', this.owner.clusterId, messages), context: { messages, sizes } };
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
  private loop: Promise<void> | null = null;
  private boundAddress = '';
  private closed = false;

  /** Binds the inbound socket and connects to the initial peers. */
  static async open(options: PeerTransportOptions): Promise<PeerTransport> {
    const transport = new PeerTransport(options);
    await transport.bind(options.bindAddress);
    try {
      for (const [id, address] of Object.entries(options.peers ?? {})) transport.setPeer(Number(id), address);
    } catch (error) {
      await transport.close();
      throw error;
    }
    return transport;
  }

  private constructor(private readonly options: PeerTransportOptions) {
    this.clusterId = options.clusterId;
    this.self = options.self;
    this.reportErrorFn = options.onError ?? reportToStderr;
    this.linkLimits = {
      hwm: options.sendHighWaterMark ?? DEFAULT_SEND_HWM,
      maxPerFrame: options.maxMessagesPerFrame ?? DEFAULT_MAX_MESSAGES_PER_FRAME,
      maxQueued: options.maxQueuedPerPeer ?? DEFAULT_MAX_QUEUED,
      maxFrameBytes: options.maxFrameBytes,
      // An empty batch's frame, plus 4 bytes in case the batch needs a wider array header.
      envelopeBytes: encodeFrame('raft', options.clusterId, []).byteLength + 4,
    };
    this.inbound = new Pull({ linger: 0, maxMessageSize: socketMessageLimit(options.maxFrameBytes) });
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
      throw error;
    }
    this.boundAddress = this.inbound.lastEndpoint ?? address;
    this.loop = receiveLoop(this.inbound, (parts) => this.receive(parts), (error, context) => this.reportError(error, context));
  }

  /**
   * Learns, changes or (with null) forgets a peer's address. Changing an address replaces
   * the link; messages still queued for the old address are discarded.
   */
  setPeer(id: NodeId, address: string | null): void {
    if (this.closed) return;
    const current = this.links.get(id);
    if (current && current.address === address) return;
    if (address !== null) checkEndpoint(address, this.options);
    if (current) {
      current.close();
      this.links.delete(id);
    }
    if (address !== null) this.links.set(id, new PeerLink(id, address, this, this.linkLimits));
  }

  /** Queues `message` for `message.to`; never blocks, drops rather than queue without bound. */
  send(message: Message): void {
    if (this.closed) return;
    const faults = this.options.faults;
    if (faults) faults.apply('out', message.to, message, this.enqueue);
    else this.enqueue(message);
  }

  private readonly enqueue = (message: Message): void => {
    if (this.closed) return; // a delayed message released after close
    const link = this.links.get(message.to);
    if (!link) {
      this.dropped.unknownPeer++;
      return;
    }
    link.enqueue(message);
  };

  /** @internal called by links when a frame's fate is known. */
  settled(peer: NodeId, batch: Batch, outcome: SendOutcome): void {
    if (outcome === 'sent') {
      for (let i = 0; i < batch.messages.length; i++) this.traffic.recordSent(peer, batch.messages[i].type, batch.sizes[i]);
    } else if (outcome === 'dropped') {
      this.dropped.unreachable += batch.messages.length;
    }
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
    const frame = decodeFrame(parts[0], { clusterId: this.clusterId, kinds: ['raft'], maxBytes: this.options.maxFrameBytes });
    if (!frame.ok) {
      this.rejected.add(frame.reason);
      return;
    }
    const faults = this.options.faults;
    for (const message of frame.body) {
      if (message.to !== this.self) {
        this.rejected.add('misrouted');
        continue;
      }
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
      rejectedFrames: this.rejected.snapshot(),
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
  }
}
