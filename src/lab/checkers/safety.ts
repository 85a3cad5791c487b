/**
 * Live safety checks over the run's event stream: the properties of Figure 3 of the Raft
 * paper that the lab can see from the outside, plus two monotonicity invariants.
 *
 * - Election Safety (§5.2): at most one leader per term, across all nodes. Seen from
 *   'role' events with role 'leader' and from 'metrics' samples (so a dropped role event
 *   does not hide a second leader).
 * - State Machine Safety (§5.4.3): no two nodes apply different entries at one index. An
 *   entry is identified by (term, digest) from 'apply' events.
 * - Commit monotonicity (per incarnation): a node's commit index never decreases while its
 *   process lives. Raft persists commit lazily (HardState.commit, as in etcd), so a
 *   restarted node may legitimately come back with a lower commit than it had before the
 *   crash; the check therefore restarts with every new incarnation of the node, which
 *   begins at a 'process' event with state 'starting' / 'started' / 'restarted' or at the
 *   node's own 'ready' event. Events stamped before the incarnation began (telemetry of the
 *   old process still in flight) are ignored by this check.
 * - Term monotonicity (across incarnations): currentTerm is durable hard state (Figure 2,
 *   "updated on stable storage before responding to RPCs"), so a node's term must never
 *   decrease, not even across a crash and restart. Only a node re-added to the cluster
 *   (a 'membership' add, which may bring fresh storage) starts over.
 *
 * The monitor is fed events in arrival order. Telemetry of different nodes interleaves
 * arbitrarily, but each node's own events arrive in order, which is all the per-node checks
 * need; the cross-node checks are order-independent.
 *
 * Memory stays bounded: applied entries are forgotten once every live node has applied
 * past them (nobody can apply them again in this incarnation), and in any case beyond
 * `maxTrackedIndices`; leaders per term are kept for the last `maxTrackedTerms` terms.
 */
import type { NodeId } from '../../raft/types';
import type { ProcessState, RunEvent } from '../../contract/runEvents';

/** A violation as recorded in the run (a 'violation' RunEvent). */
export type Violation = Extract<RunEvent, { type: 'violation' }>;

export const SAFETY_PROPERTIES = {
  electionSafety: 'election-safety',
  stateMachineSafety: 'state-machine-safety',
  commitMonotonic: 'commit-monotonic',
  termMonotonic: 'term-monotonic',
} as const;

export interface SafetyMonitorOptions {
  /** Upper bound on applied indices remembered for State Machine Safety. */
  maxTrackedIndices?: number;
  /** Upper bound on terms remembered for Election Safety. */
  maxTrackedTerms?: number;
  /**
   * Cluster members known up front. Nodes are also learned from the 'run' started event
   * (ids 1..options.nodes), 'config' and 'membership' events, and any event a node sends.
   */
  nodes?: NodeId[];
  /**
   * Applied indices kept below the slowest live node's applied index (default 1024): a
   * margin for a member the monitor has not heard of yet, whose applies would otherwise
   * be compared against nothing.
   */
  retainBehind?: number;
}

interface AppliedEntry {
  term: number;
  digest: string;
  node: NodeId;
}

interface NodeTrack {
  /** Highest term ever seen from this node (durable: survives restarts). */
  term: number;
  /** Highest commit index seen in the current incarnation, or -1 before any. */
  commit: number;
  /** Run time at which the current incarnation began; older events are stale. */
  incarnationStart: number;
  /** Highest index this node reported applied in its current incarnation. */
  applied: number;
  live: boolean;
}

/** Process states after which a node no longer applies anything until it starts again. */
const DOWN_STATES: ReadonlySet<ProcessState> = new Set(['exited', 'killed', 'stopped', 'crashed']);
/** Process states that begin a new incarnation. */
const START_STATES: ReadonlySet<ProcessState> = new Set(['starting', 'started', 'restarted']);

export class SafetyMonitor {
  private readonly maxTrackedIndices: number;
  private readonly maxTrackedTerms: number;
  private readonly retainBehind: number;
  private readonly nodes = new Map<NodeId, NodeTrack>();
  /** term -> nodes seen leading it (more than one is a violation). */
  private readonly leaders = new Map<number, NodeId[]>();
  private readonly applied = new Map<number, AppliedEntry>();
  /** Every index below this has been forgotten. */
  private appliedFloor = 0;
  /** (index, node) pairs already reported, so one conflict is reported once. */
  private readonly reportedApply = new Set<string>();

  constructor(options: SafetyMonitorOptions = {}) {
    this.maxTrackedIndices = options.maxTrackedIndices ?? 200_000;
    this.maxTrackedTerms = options.maxTrackedTerms ?? 100_000;
    this.retainBehind = options.retainBehind ?? 1024;
    for (const n of options.nodes ?? []) this.track(n);
  }

  /** Checks one event; returns the violations it reveals (usually none). */
  observe(ev: RunEvent): Violation[] {
    const out: Violation[] = [];
    switch (ev.type) {
      case 'run':
        if (ev.phase === 'started' && ev.options) for (let n = 1; n <= ev.options.nodes; n++) this.track(n);
        break;
      case 'config':
        for (const n of [...ev.config.voters, ...(ev.config.outgoing ?? [])]) this.track(n);
        break;
      case 'process':
        if (ev.node !== null) this.onProcess(ev.node, ev.state, ev.t);
        break;
      case 'membership':
        // A re-added node may come with fresh storage: its history starts over.
        this.nodes.delete(ev.target);
        if (ev.action === 'add') this.track(ev.target);
        this.advanceFloor();
        break;
      case 'ready':
        if (ev.node !== null) this.newIncarnation(ev.node, ev.t);
        break;
      case 'role':
        if (ev.node === null) break;
        this.checkTerm(ev.node, ev.term, ev.t, out);
        if (ev.role === 'leader') this.checkLeader(ev.node, ev.term, ev.t, out);
        break;
      case 'metrics':
        if (ev.node === null) break;
        this.checkTerm(ev.node, ev.term, ev.t, out);
        if (ev.role === 'leader') this.checkLeader(ev.node, ev.term, ev.t, out);
        this.checkCommit(ev.node, ev.commit, ev.t, out);
        this.noteApplied(ev.node, ev.applied, ev.t);
        break;
      case 'commit':
        if (ev.node !== null) this.checkCommit(ev.node, ev.index, ev.t, out);
        break;
      case 'apply':
        if (ev.node !== null) this.checkApply(ev.node, ev.index, ev.term, ev.digest, ev.t, out);
        break;
      default:
        break;
    }
    return out;
  }

  /** Number of applied indices currently remembered (for tests and diagnostics). */
  get trackedIndices(): number {
    return this.applied.size;
  }

  private track(node: NodeId): NodeTrack {
    let n = this.nodes.get(node);
    if (!n) {
      n = { term: 0, commit: -1, incarnationStart: -Infinity, applied: 0, live: true };
      this.nodes.set(node, n);
    }
    return n;
  }

  private onProcess(node: NodeId, state: ProcessState, t: number): void {
    if (START_STATES.has(state)) {
      this.newIncarnation(node, t);
    } else if (DOWN_STATES.has(state)) {
      this.track(node).live = false;
      this.advanceFloor();
    }
  }

  private newIncarnation(node: NodeId, t: number): void {
    const n = this.track(node);
    n.commit = -1;
    n.applied = 0;
    n.live = true;
    n.incarnationStart = Math.max(n.incarnationStart, t);
  }

  private checkTerm(node: NodeId, term: number, t: number, out: Violation[]): void {
    const n = this.track(node);
    // An event of the previous process still in flight may carry an older term than the
    // new incarnation has already reported: it says nothing about the new process.
    if (t < n.incarnationStart) return;
    if (term < n.term) {
      out.push({
        type: 'violation',
        t,
        node,
        property: SAFETY_PROPERTIES.termMonotonic,
        message: `node ${node}'s term went down from ${n.term} to ${term} (currentTerm is durable, Figure 2)`,
        term,
        nodes: [node],
      });
    }
    // Follow the new value so one decrease is reported once, not on every later sample.
    n.term = term;
  }

  private checkLeader(node: NodeId, term: number, t: number, out: Violation[]): void {
    let seen = this.leaders.get(term);
    if (!seen) {
      seen = [];
      this.leaders.set(term, seen);
      if (this.leaders.size > this.maxTrackedTerms) {
        // Maps iterate in insertion order, which is close to term order.
        const oldest = this.leaders.keys().next().value as number;
        this.leaders.delete(oldest);
      }
    }
    if (seen.includes(node)) return;
    seen.push(node);
    if (seen.length > 1) {
      out.push({
        type: 'violation',
        t,
        node,
        property: SAFETY_PROPERTIES.electionSafety,
        message: `two leaders in term ${term}: nodes ${seen.join(' and ')} (§5.2: at most one leader per term)`,
        term,
        nodes: [...seen],
      });
    }
  }

  private checkCommit(node: NodeId, commit: number, t: number, out: Violation[]): void {
    const n = this.track(node);
    if (t < n.incarnationStart) return; // the previous process, still in flight
    if (n.commit >= 0 && commit < n.commit) {
      out.push({
        type: 'violation',
        t,
        node,
        property: SAFETY_PROPERTIES.commitMonotonic,
        message: `node ${node}'s commit index went down from ${n.commit} to ${commit} without a restart`,
        index: commit,
        nodes: [node],
      });
    }
    n.commit = commit;
  }

  private noteApplied(node: NodeId, applied: number, t: number): void {
    const n = this.track(node);
    if (t < n.incarnationStart) return;
    if (applied > n.applied) {
      n.applied = applied;
      this.advanceFloor();
    }
  }

  private checkApply(node: NodeId, index: number, term: number, digest: string, t: number, out: Violation[]): void {
    this.compareApplied(node, index, term, digest, t, out);
    // Only after the comparison: noting the node's progress may forget this very index.
    this.noteApplied(node, index, t);
  }

  private compareApplied(node: NodeId, index: number, term: number, digest: string, t: number, out: Violation[]): void {
    if (index < this.appliedFloor) return;
    const prev = this.applied.get(index);
    if (!prev) {
      this.applied.set(index, { term, digest, node });
      if (this.applied.size > this.maxTrackedIndices) this.raiseFloorTo(this.appliedFloor + (this.applied.size - this.maxTrackedIndices));
      return;
    }
    if (prev.term === term && prev.digest === digest) return;
    const key = `${index}:${node}`;
    if (this.reportedApply.has(key)) return;
    this.reportedApply.add(key);
    out.push({
      type: 'violation',
      t,
      node,
      property: SAFETY_PROPERTIES.stateMachineSafety,
      message:
        `nodes ${prev.node} and ${node} applied different entries at index ${index}: ` +
        `term ${prev.term} digest ${prev.digest} vs term ${term} digest ${digest} (§5.4.3)`,
      index,
      term,
      nodes: [prev.node, node],
    });
  }

  /** Forgets indices every live node has applied: no live node will apply them again. */
  private advanceFloor(): void {
    let min = Infinity;
    for (const n of this.nodes.values()) if (n.live) min = Math.min(min, n.applied);
    if (min !== Infinity) this.raiseFloorTo(min + 1 - this.retainBehind);
  }

  private raiseFloorTo(floor: number): void {
    if (floor <= this.appliedFloor) return;
    if (floor - this.appliedFloor > this.applied.size * 2) {
      // A big jump (a snapshot): scanning the map is cheaper than walking the index range.
      for (const index of this.applied.keys()) if (index < floor) this.applied.delete(index);
      for (const key of this.reportedApply) if (Number(key.split(':')[0]) < floor) this.reportedApply.delete(key);
    } else {
      for (let i = this.appliedFloor; i < floor; i++) this.applied.delete(i);
      if (this.reportedApply.size > 0) {
        for (const key of this.reportedApply) if (Number(key.split(':')[0]) < floor) this.reportedApply.delete(key);
      }
    }
    this.appliedFloor = floor;
  }
}
