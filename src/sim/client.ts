/**
 * The simulated client: proposes unique commands and issues ReadIndex reads and admin
 * requests, aiming at the node it believes leads (learned from not_leader hints), and
 * records what the core answered so the runner can check reads and liveness.
 */
import type { AdminRequest, Entry, NodeId, RequestId, Result } from '../raft/types';
import { hashBytes } from './hash';
import type { SimCluster } from './cluster';
import type { SeededRng } from './rng';
import type { SafetyChecker } from './safetyChecker';
import type { TraceRecorder } from './trace';

/** A proposal a leader accepted ('proposed'): it must commit if that leader stays leader. */
export interface AcceptedProposal {
  id: RequestId;
  node: NodeId;
  term: number;
  lastIndex: number;
  /** The leader's commit index when it accepted: the backlog ahead of this proposal. */
  commitAtAcceptance: number;
  /** Virtual time of acceptance. */
  at: number;
}

/**
 * A leader with more uncommitted entries than this gets no new proposals: clients apply
 * backpressure (bounded outstanding requests), so a slow configuration (one entry per
 * message, one message in flight) is not buried under an ever-growing backlog.
 */
export const MAX_UNCOMMITTED = 64;

export type AdminCallback = (result: Result) => void;

const encoder = new TextEncoder();

export class SimClient {
  leaderHint: NodeId | null = null;
  /** Proposals accepted and not yet resolved (see the runner's liveness phase). */
  readonly accepted: AcceptedProposal[] = [];
  /** Whether to remember accepted proposals (only the liveness phase needs them). */
  trackAccepted = false;
  proposals = 0;
  reads = 0;
  readsAnswered = 0;
  private nextId = 1;
  private nextCommand = 1;
  private readonly pendingReads = new Map<RequestId, number>();
  /** Commands of proposals awaiting their result. */
  private readonly proposed = new Map<RequestId, Uint8Array[]>();
  /** What a 'proposed' result promised at each log index: (term, command hash). */
  private readonly promised = new Map<number, { term: number; hash: number; id: RequestId }>();
  private readonly adminCallbacks = new Map<RequestId, AdminCallback>();

  constructor(
    private readonly cluster: SimCluster,
    private readonly checker: SafetyChecker,
    private readonly rng: SeededRng,
    private readonly trace: TraceRecorder,
    private readonly seed: number,
  ) {}

  /** The node to talk to: the believed leader if available, else a random available node. */
  target(): NodeId | undefined {
    if (this.leaderHint !== null && this.cluster.has(this.leaderHint) && this.cluster.host(this.leaderHint).available && !this.rng.chance(0.1)) {
      return this.leaderHint;
    }
    const available = this.cluster.upIds().filter((id) => this.cluster.host(id).available);
    return available.length > 0 ? this.rng.pick(available) : undefined;
  }

  /** Proposes unless `node` is a leader already holding MAX_UNCOMMITTED uncommitted entries. */
  proposeWithBackpressure(node: NodeId, count: number): RequestId | undefined {
    const status = this.cluster.status(node);
    if (status && status.role === 'leader' && status.lastIndex - status.commit >= MAX_UNCOMMITTED) return undefined;
    return this.propose(node, count);
  }

  propose(node: NodeId, count: number): RequestId {
    const commands: Uint8Array[] = [];
    for (let i = 0; i < count; i++) commands.push(encoder.encode(`s${this.seed}c${this.nextCommand++}`));
    const id = this.nextId++;
    this.proposals++;
    this.proposed.set(id, commands);
    if (this.trace.enabled) this.trace.record(this.cluster.now, `client -> ${node} propose id=${id} (${count} commands)`);
    this.cluster.step(node, { type: 'propose', id, commands });
    return id;
  }

  read(node: NodeId): RequestId {
    const id = this.nextId++;
    this.reads++;
    // Linearizability (§8): the answer must reflect everything committed before now.
    this.pendingReads.set(id, this.checker.beginRead());
    if (this.trace.enabled) this.trace.record(this.cluster.now, `client -> ${node} read id=${id} (must see >= ${this.checker.committedIndex})`);
    this.cluster.step(node, { type: 'read', id });
    return id;
  }

  admin(node: NodeId, request: AdminRequest, callback?: AdminCallback): RequestId {
    const id = this.nextId++;
    if (callback) this.adminCallbacks.set(id, callback);
    if (this.trace.enabled) this.trace.record(this.cluster.now, `admin -> ${node} ${JSON.stringify(request)} id=${id}`);
    this.cluster.step(node, { type: 'admin', id, request });
    return id;
  }

  /**
   * Hook for applied entries: an entry applied at a promised index in the promised term
   * must be the promised command (otherwise the client was told a wrong position).
   */
  onApplied(entry: Entry): void {
    const promise = this.promised.get(entry.index);
    if (!promise) return;
    this.promised.delete(entry.index);
    if (promise.term !== entry.term) return; // that proposal was lost to a newer leader
    if (entry.kind !== 'command' || hashBytes(entry.data) !== promise.hash) {
      this.checker.fail('Client Results', `proposal ${promise.id} was reported at ${entry.index}/${entry.term}, but a different ${entry.kind} entry was applied there`);
    }
  }

  /** Hook for SimCluster results. */
  onResult(node: NodeId, result: Result): void {
    const callback = this.adminCallbacks.get(result.id);
    if (callback) {
      this.adminCallbacks.delete(result.id);
      callback(result);
    }
    switch (result.type) {
      case 'proposed': {
        this.leaderHint = node;
        const commands = this.proposed.get(result.id);
        this.proposed.delete(result.id);
        if (commands && commands.length !== result.lastIndex - result.firstIndex + 1) {
          this.checker.fail('Client Results', `proposal ${result.id} of ${commands.length} commands was reported at indexes ${result.firstIndex}..${result.lastIndex}`);
        }
        commands?.forEach((c, k) => this.promised.set(result.firstIndex + k, { term: result.term, hash: hashBytes(c), id: result.id }));
        if (this.trackAccepted) {
          const commit = this.cluster.status(node)?.commit ?? 0;
          this.accepted.push({ id: result.id, node, term: result.term, lastIndex: result.lastIndex, commitAtAcceptance: commit, at: this.cluster.now });
        }
        break;
      }
      case 'read': {
        const required = this.pendingReads.get(result.id);
        if (required !== undefined) {
          this.pendingReads.delete(result.id);
          this.readsAnswered++;
          this.checker.observeReadAnswered(node, result.id, result.index, required);
        }
        break;
      }
      case 'error':
        this.pendingReads.delete(result.id);
        this.proposed.delete(result.id);
        if ('leader' in result.error) this.leaderHint = result.error.leader;
        break;
      case 'admin':
        break;
    }
  }
}
