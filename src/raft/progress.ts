/**
 * The leader's view of each follower's log (Figure 2 nextIndex/matchIndex), with etcd's flow
 * control states:
 * - probe: we do not know where the follower's log matches; send one AppendEntries and wait
 *   for its answer (or a heartbeat response) before sending another.
 * - replicate: the follower is in sync; send optimistically, advancing `next` on send, up to
 *   `maxInflight` unacknowledged messages (pipelining).
 * - snapshot: the entries it needs are compacted; a snapshot is on its way (§7).
 */
import { Inflights } from './inflights';
import { majorityValue } from './quorum';
import type { ConfigPoint } from './membership';
import type { NodeId, PeerProgress } from './types';

export type ProgressState = PeerProgress['state'];

export class Progress {
  match = 0;
  next: number;
  state: ProgressState = 'probe';
  /** Probe state: a message is out, wait for its answer. */
  probeSent = false;
  /** Snapshot state: index of the snapshot sent. */
  pendingSnapshot = 0;
  /** Ticks spent in snapshot state: a lost snapshot is retried after an election timeout. */
  snapshotTicks = 0;
  /** Heard from since the last CheckQuorum round (thesis §6.2). */
  recentActive = true;
  /** Highest heartbeat round it acknowledged (ReadIndex, §8). */
  ackedSeq = 0;
  /** The commit index last sent to it, so commit news goes out once. */
  sentCommit = 0;
  /**
   * The leader's AppendEntries stamp (`RaftState.appendSeq`) when `match` last rose: a
   * rejection of a message stamped at or below it may predate the acknowledgement (stale).
   */
  matchSeq = 0;
  readonly inflights: Inflights;

  constructor(next: number, maxInflight: number) {
    this.next = next;
    this.inflights = new Inflights(maxInflight);
  }

  /** Can nothing be sent right now? */
  isPaused(): boolean {
    switch (this.state) {
      case 'probe':
        return this.probeSent;
      case 'replicate':
        return this.inflights.full();
      case 'snapshot':
        return true;
    }
  }

  becomeProbe(): void {
    // After a snapshot the follower holds at least the snapshot: resume right after it.
    this.next = this.state === 'snapshot' ? Math.max(this.match + 1, this.pendingSnapshot + 1) : this.match + 1;
    this.state = 'probe';
    this.probeSent = false;
    this.pendingSnapshot = 0;
    this.inflights.reset();
  }

  becomeReplicate(): void {
    this.next = this.match + 1;
    this.state = 'replicate';
    this.probeSent = false;
    this.pendingSnapshot = 0;
    this.inflights.reset();
  }

  becomeSnapshot(index: number): void {
    this.state = 'snapshot';
    this.pendingSnapshot = index;
    this.snapshotTicks = 0;
    this.probeSent = false;
    this.inflights.reset();
  }

  /** An acknowledgement up to `index`: returns true when it raised `match`. */
  maybeUpdate(index: number): boolean {
    let updated = false;
    if (this.match < index) {
      this.match = index;
      this.probeSent = false;
      updated = true;
    }
    if (this.next < index + 1) this.next = index + 1;
    return updated;
  }

  /** Bookkeeping after sending AppendEntries carrying `count` entries ending at `lastIndex`. */
  sentAppend(lastIndex: number, count: number): void {
    if (this.state === 'replicate') {
      if (count > 0) {
        this.next = lastIndex + 1;
        this.inflights.add(lastIndex);
      }
    } else if (this.state === 'probe') {
      this.probeSent = true;
    }
  }

  toPeerProgress(): PeerProgress {
    return {
      match: this.match,
      next: this.next,
      state: this.state,
      inflight: this.inflights.count,
      recentActive: this.recentActive,
    };
  }
}

/** Progress of every peer, plus quorum questions over the leader's configuration. */
export class ProgressTracker {
  readonly peers = new Map<NodeId, Progress>();
  /** The tracked peers' ids, ascending (hot loops iterate this instead of the map). */
  ids: NodeId[] = [];
  private readonly scratch: number[] = [];

  constructor(
    private readonly self: NodeId,
    private readonly maxInflight: number,
  ) {}

  get(id: NodeId): Progress | undefined {
    return this.peers.get(id);
  }

  /** Fresh progress for every target (a new leader knows nothing, Figure 2). */
  reset(targets: readonly NodeId[], lastIndex: number): void {
    this.peers.clear();
    this.sync(targets, lastIndex);
  }

  /** Follow a configuration change: track new targets, forget the others. */
  sync(targets: readonly NodeId[], lastIndex: number): void {
    for (const id of [...this.peers.keys()]) {
      if (!targets.includes(id)) this.peers.delete(id);
    }
    for (const id of targets) {
      if (id !== this.self && !this.peers.has(id)) this.peers.set(id, new Progress(lastIndex + 1, this.maxInflight));
    }
    this.ids = [...this.peers.keys()].sort((a, b) => a - b);
  }

  clear(): void {
    this.peers.clear();
    this.ids = [];
  }

  /**
   * The joint-majority value of a per-node number (§6): the largest v such that a majority of
   * `voters` and a majority of `outgoing` each have a value >= v. `selfValue` stands for us.
   */
  private quorumOf(config: ConfigPoint, selfValue: number, valueOf: (p: Progress) => number): number {
    const a = this.majorityOf(config.voters, selfValue, valueOf);
    if (!config.joint) return a;
    return Math.min(a, this.majorityOf(config.outgoing, selfValue, valueOf));
  }

  private majorityOf(ids: readonly NodeId[], selfValue: number, valueOf: (p: Progress) => number): number {
    const s = this.scratch;
    const n = ids.length;
    for (let i = 0; i < n; i++) {
      const id = ids[i];
      if (id === this.self) {
        s[i] = selfValue;
      } else {
        const p = this.peers.get(id);
        s[i] = p === undefined ? 0 : valueOf(p);
      }
    }
    return majorityValue(s, n);
  }

  /** Highest index replicated on a quorum (§5.3); `selfMatch` is our durable last index. */
  committed(config: ConfigPoint, selfMatch: number): number {
    return this.quorumOf(config, selfMatch, matchOf);
  }

  /** Highest heartbeat round a quorum acknowledged (§8); we always acknowledge our own. */
  ackedSeq(config: ConfigPoint, selfSeq: number): number {
    return this.quorumOf(config, selfSeq, ackedSeqOf);
  }

  /** Did a quorum talk to us since the last check? (CheckQuorum, thesis §6.2) */
  quorumActive(config: ConfigPoint): boolean {
    return this.quorumOf(config, 1, activeOf) >= 1;
  }

  resetRecentActive(): void {
    for (const p of this.peers.values()) p.recentActive = false;
  }
}

const matchOf = (p: Progress): number => p.match;
const ackedSeqOf = (p: Progress): number => p.ackedSeq;
const activeOf = (p: Progress): number => (p.recentActive ? 1 : 0);
