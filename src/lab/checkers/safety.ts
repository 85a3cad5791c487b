/**
 * Live safety checks over the run's event stream: the properties of Figure 3 of the Raft
 * paper that the lab can see from the outside, plus two monotonicity invariants.
 *
 * - Election Safety (§5.2): at most one leader per term, across all nodes. Seen from
 *   'role' events with role 'leader' and from 'metrics' samples (so a dropped role event
 *   does not hide a second leader).
 * - State Machine Safety (§5.4.3) and Log Matching (§5.3) as applied entries show them:
 *   see appliedEntries.ts, which also says which applied entries could not be checked
 *   (lost telemetry, the memory bound) and keeps entries until every member applied them.
 * - Leader Completeness (§5.4) as metrics samples show it: see leaderCompleteness.ts.
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
 * Not visible at all: entries in logs that are not applied yet (telemetry carries applied
 * entries and log lengths, not logs), so Log Matching on uncommitted suffixes and the
 * Leader Append-Only property are not checked here; the simulator checks them on whole
 * logs (src/sim).
 *
 * The monitor is fed events in arrival order. Telemetry of different nodes interleaves
 * arbitrarily, but each node's own events arrive in order, which is all the per-node checks
 * need; the cross-node checks are order-independent. Leaders per term are kept for the
 * last `maxTrackedTerms` terms.
 */
import type { NodeId } from '../../raft/types';
import type { ProcessState, RunEvent } from '../../contract/runEvents';
import { AppliedEntries, type UncheckedRange } from './appliedEntries';
import { LeaderCompleteness } from './leaderCompleteness';

/** A violation as recorded in the run (a 'violation' RunEvent). */
export type Violation = Extract<RunEvent, { type: 'violation' }>;

export const SAFETY_PROPERTIES = {
  electionSafety: 'election-safety',
  stateMachineSafety: 'state-machine-safety',
  logMatching: 'log-matching',
  leaderCompleteness: 'leader-completeness',
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
   * Applied indices kept below the slowest member's (default 1024): a margin for a node
   * the monitor has not heard of yet, whose applies would otherwise be compared against
   * nothing.
   */
  retainBehind?: number;
}

interface NodeTrack {
  /** Highest term ever seen from this node (durable: survives restarts). */
  term: number;
  /** Highest commit index seen in the current incarnation, or -1 before any. */
  commit: number;
  /** Run time at which the current incarnation began; older events are stale. */
  incarnationStart: number;
  /** Highest applied index the node's metrics ever reported (any incarnation). */
  reportedApplied: number;
}

/** Process states that begin a new incarnation. */
const START_STATES: ReadonlySet<ProcessState> = new Set(['starting', 'started', 'restarted']);

export class SafetyMonitor {
  private readonly maxTrackedTerms: number;
  private readonly nodes = new Map<NodeId, NodeTrack>();
  /** term -> nodes seen leading it (more than one is a violation). */
  private readonly leaders = new Map<number, NodeId[]>();
  private readonly appliedEntries: AppliedEntries;
  private readonly completeness: LeaderCompleteness;

  constructor(options: SafetyMonitorOptions = {}) {
    this.maxTrackedTerms = options.maxTrackedTerms ?? 100_000;
    this.appliedEntries = new AppliedEntries({ maxTrackedIndices: options.maxTrackedIndices, retainBehind: options.retainBehind });
    this.completeness = new LeaderCompleteness(this.maxTrackedTerms);
    for (const n of options.nodes ?? []) this.join(n);
  }

  /** Checks one event; returns the violations it reveals (usually none). */
  observe(ev: RunEvent): Violation[] {
    const out: Violation[] = [];
    switch (ev.type) {
      case 'run':
        if (ev.phase === 'started' && ev.options) for (let n = 1; n <= ev.options.nodes; n++) this.join(n);
        break;
      case 'config':
        // Config entries are replayed from logs after restarts: learn nodes, never re-add a removed one.
        for (const n of [...ev.config.voters, ...(ev.config.outgoing ?? []), ...(ev.config.learners ?? [])]) this.appliedEntries.heardFrom(n);
        break;
      case 'process':
        if (ev.node !== null) this.onProcess(ev.node, ev.state, ev.t);
        break;
      case 'membership':
        // A learner promoted to voter (thesis §4.2.1) is the same process with the same log.
        if (ev.action === 'promote') break;
        // A re-added node may come with fresh storage: its history starts over.
        this.nodes.delete(ev.target);
        if (ev.action === 'add') this.join(ev.target);
        else this.appliedEntries.leave(ev.target);
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
        this.noteReportedApplied(ev.node, ev.applied);
        for (const v of this.completeness.sample(ev.node, ev.term, ev.role, ev.commit, ev.lastIndex)) {
          out.push({ type: 'violation', t: ev.t, node: v.node, property: SAFETY_PROPERTIES.leaderCompleteness, message: v.message, term: v.term, nodes: [v.node] });
        }
        break;
      case 'snapshot':
        if (ev.node !== null && ev.phase === 'installed') this.appliedEntries.snapshotInstalled(ev.node, ev.index);
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
    return this.appliedEntries.trackedIndices;
  }

  /**
   * Applied entries the monitor could not compare with anyone's: apply events lost in
   * telemetry (a gap in a node's applied indices, or applies its metrics reported and no
   * event ever showed), and entries forgotten under the memory bound before a member
   * applied them.
   */
  unchecked(): UncheckedRange[] {
    // A node's metrics come after its apply events in its own stream: applies it reported
    // beyond what it covered are apply events (or a snapshot event) that never arrived.
    const lostAtEnd: UncheckedRange[] = [];
    for (const [node, n] of this.nodes) {
      const covered = this.appliedEntries.coveredBy(node);
      if (n.reportedApplied > covered) lostAtEnd.push({ node, from: covered + 1, to: n.reportedApplied, reason: 'telemetry' });
    }
    return [...this.appliedEntries.unchecked(), ...lostAtEnd].sort((a, b) => a.node - b.node || a.from - b.from);
  }

  /** Applied entries compared (or kept as the first of their index). */
  get checkedApplies(): number {
    return this.appliedEntries.checked;
  }

  /** What the run's record should say about coverage at its end (one line each; none when all was checked). */
  closingNotes(): string[] {
    const gaps = this.unchecked();
    if (gaps.length === 0) return [];
    const count = gaps.reduce((s, g) => s + g.to - g.from + 1, 0);
    const why = {
      telemetry: 'no apply event seen: lost in telemetry, or applied before the run began',
      memory: 'forgotten under the memory bound before this node applied them',
    };
    const list = gaps.slice(0, 20).map((g) => `node ${g.node} ${g.from === g.to ? `index ${g.from}` : `indices ${g.from}-${g.to}`} (${why[g.reason]})`);
    const more = gaps.length > 20 ? `, and ${gaps.length - 20} more ranges` : '';
    return [`safety: ${count} applied entries were unchecked by the State Machine Safety check: ${list.join('; ')}${more}`];
  }

  private join(node: NodeId): void {
    this.track(node);
    this.appliedEntries.join(node);
  }

  private track(node: NodeId): NodeTrack {
    let n = this.nodes.get(node);
    if (!n) {
      n = { term: 0, commit: -1, incarnationStart: -Infinity, reportedApplied: 0 };
      this.nodes.set(node, n);
    }
    return n;
  }

  private onProcess(node: NodeId, state: ProcessState, t: number): void {
    if (START_STATES.has(state)) this.newIncarnation(node, t);
  }

  private newIncarnation(node: NodeId, t: number): void {
    const n = this.track(node);
    n.commit = -1;
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

  private noteReportedApplied(node: NodeId, applied: number): void {
    const n = this.track(node);
    n.reportedApplied = Math.max(n.reportedApplied, applied);
  }

  private checkApply(node: NodeId, index: number, term: number, digest: string, t: number, out: Violation[]): void {
    this.track(node);
    for (const c of this.appliedEntries.apply(node, index, term, digest)) {
      const property = c.kind === 'state-machine-safety' ? SAFETY_PROPERTIES.stateMachineSafety : SAFETY_PROPERTIES.logMatching;
      out.push({ type: 'violation', t, node, property, message: c.message, index, term, nodes: c.nodes });
    }
  }
}
