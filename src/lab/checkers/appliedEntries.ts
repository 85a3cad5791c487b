/**
 * State Machine Safety (§5.4.3) and the part of Log Matching (§5.3) that applied entries
 * show, with an account of what could not be checked.
 *
 * Every 'apply' event names (node, index, term, digest). The first application of an index
 * is remembered; every later one, by any node, is compared with it:
 *  - a different entry at the index is a State Machine Safety violation;
 *  - the same term with a different digest is also a Log Matching violation: a leader
 *    creates at most one entry per index in its term, so (index, term) names one entry;
 *  - per node, entry terms never go down as the index goes up (a log's terms are
 *    non-decreasing: each leader appends in its own term after a matching prefix, §5.3).
 *
 * Memory: an index is remembered until every member has covered it, a member being a node
 * of the cluster now (started with it, or added and not removed), killed or not. A node
 * covers an index by applying it, by installing a snapshot that includes it, or when the
 * index is declared unchecked for it (below). A killed member thus holds the window open,
 * so when it restarts and catches up its applies are compared, not waved through. The
 * window is capped at `maxTrackedIndices` indices (default 200,000, about 30 MB of small
 * records): past the cap the oldest are forgotten, and a member that applies one of them
 * later has it counted as unchecked ('memory'). `retainBehind` extra indices below the
 * slowest member are kept for a node the monitor has not heard of yet.
 *
 * Unchecked: a node that applies index i beyond i' + 1, where i' is the highest index it
 * covered, skipped i'+1..i-1 without an apply event or a snapshot: those apply events were
 * lost (telemetry dropped under back-pressure, or never sent before a SIGKILL). They are
 * recorded as unchecked ranges ('telemetry'), never as checked. A re-application after a
 * restart (an index the node covered before) is compared while the index is remembered.
 */
import type { NodeId } from '../../raft/types';

export type UncheckedReason = 'telemetry' | 'memory';

/** Indices [from, to] a node applied whose entries were not compared with anyone's. */
export interface UncheckedRange {
  node: NodeId;
  from: number;
  to: number;
  reason: UncheckedReason;
}

export interface ApplyConflict {
  kind: 'state-machine-safety' | 'log-matching' | 'log-terms';
  message: string;
  nodes: NodeId[];
}

interface FirstApply {
  term: number;
  digest: string;
  node: NodeId;
}

interface Coverage {
  /** Highest index applied, installed by snapshot, or given up on. */
  covered: number;
  /** Term of the entry applied at the highest applied index (log-terms check). */
  lastTerm: number;
  lastTermIndex: number;
}

export interface AppliedEntriesOptions {
  maxTrackedIndices?: number;
  retainBehind?: number;
}

export class AppliedEntries {
  private readonly maxTracked: number;
  private readonly retainBehind: number;
  private readonly first = new Map<number, FirstApply>();
  /** Every index below this has been forgotten. */
  private floor = 0;
  private readonly coverage = new Map<NodeId, Coverage>();
  private readonly members = new Set<NodeId>();
  private readonly removed = new Set<NodeId>();
  private readonly uncheckedRanges: UncheckedRange[] = [];
  /** (index, node) pairs already reported, so one conflict is reported once. */
  private readonly reported = new Set<string>();
  private compared = 0;

  constructor(options: AppliedEntriesOptions = {}) {
    this.maxTracked = options.maxTrackedIndices ?? 200_000;
    this.retainBehind = options.retainBehind ?? 1024;
  }

  /** A node of the cluster (announced, or heard from and never removed). */
  join(node: NodeId): void {
    this.removed.delete(node);
    this.members.add(node);
  }

  /** A node heard from: a member unless it was removed (late telemetry of a removed node). */
  heardFrom(node: NodeId): void {
    if (!this.removed.has(node)) this.members.add(node);
  }

  /** The node left the cluster: it no longer holds the window open. */
  leave(node: NodeId): void {
    this.members.delete(node);
    this.removed.add(node);
    this.advanceFloor();
  }

  /** The node installed a snapshot up to `index`: it never applies those entries one by one. */
  snapshotInstalled(node: NodeId, index: number): void {
    const c = this.cov(node);
    if (index > c.covered) {
      c.covered = index;
      this.advanceFloor();
    }
  }

  /** Compares one applied entry; returns the conflicts it reveals. */
  apply(node: NodeId, index: number, term: number, digest: string): ApplyConflict[] {
    this.heardFrom(node);
    const c = this.cov(node);
    const out: ApplyConflict[] = [];
    const firstTime = index > c.covered;
    if (firstTime && index > c.covered + 1) this.addUnchecked(node, c.covered + 1, index - 1, 'telemetry');
    if (firstTime && index > c.lastTermIndex && term < c.lastTerm && this.once(`terms:${index}:${node}`)) {
      out.push({
        kind: 'log-terms',
        nodes: [node],
        message: `node ${node} applied term ${term} at index ${index} after term ${c.lastTerm} at index ${c.lastTermIndex}: a log's terms never go down (§5.3)`,
      });
    }
    if (index >= c.lastTermIndex) {
      c.lastTermIndex = index;
      c.lastTerm = term;
    }
    if (index < this.floor) {
      if (firstTime) this.addUnchecked(node, index, index, 'memory');
    } else {
      this.compare(node, index, term, digest, out);
    }
    if (firstTime) {
      c.covered = index;
      this.advanceFloor();
    }
    return out;
  }

  /** Highest index the node applied, installed by snapshot, or was given up on. */
  coveredBy(node: NodeId): number {
    return this.coverage.get(node)?.covered ?? 0;
  }

  /** Applied entries compared with another node's (or remembered as the first). */
  get checked(): number {
    return this.compared;
  }

  get trackedIndices(): number {
    return this.first.size;
  }

  /** Unchecked ranges so far, adjacent ones of one node and reason merged. */
  unchecked(): UncheckedRange[] {
    return [...this.uncheckedRanges];
  }

  private compare(node: NodeId, index: number, term: number, digest: string, out: ApplyConflict[]): void {
    this.compared++;
    const prev = this.first.get(index);
    if (!prev) {
      this.first.set(index, { term, digest, node });
      if (this.first.size > this.maxTracked) this.raiseFloor(this.floor + (this.first.size - this.maxTracked));
      return;
    }
    if (prev.term === term && prev.digest === digest) return;
    if (!this.once(`${index}:${node}`)) return;
    const both = `term ${prev.term} digest ${prev.digest} vs term ${term} digest ${digest}`;
    out.push({
      kind: 'state-machine-safety',
      nodes: [prev.node, node],
      message: `nodes ${prev.node} and ${node} applied different entries at index ${index}: ${both} (§5.4.3)`,
    });
    if (prev.term === term) {
      out.push({
        kind: 'log-matching',
        nodes: [prev.node, node],
        message: `nodes ${prev.node} and ${node} hold two entries with index ${index} and term ${term}: ${both} (§5.3: one entry per index and term)`,
      });
    }
  }

  private once(key: string): boolean {
    if (this.reported.has(key)) return false;
    this.reported.add(key);
    return true;
  }

  private cov(node: NodeId): Coverage {
    let c = this.coverage.get(node);
    if (!c) this.coverage.set(node, (c = { covered: 0, lastTerm: 0, lastTermIndex: 0 }));
    return c;
  }

  private addUnchecked(node: NodeId, from: number, to: number, reason: UncheckedReason): void {
    const last = this.uncheckedRanges.findLast((r) => r.node === node && r.reason === reason);
    if (last && last.to + 1 === from) last.to = to;
    else this.uncheckedRanges.push({ node, from, to, reason });
  }

  /** Forgets indices every member has covered: none of them will apply those for the first time. */
  private advanceFloor(): void {
    let min = Infinity;
    for (const n of this.members) min = Math.min(min, this.coverage.get(n)?.covered ?? 0);
    if (min !== Infinity) this.raiseFloor(min + 1 - this.retainBehind);
  }

  private raiseFloor(floor: number): void {
    if (floor <= this.floor) return;
    if (floor - this.floor > this.first.size * 2) {
      // A big jump (a snapshot): scanning the map is cheaper than walking the index range.
      for (const index of this.first.keys()) if (index < floor) this.first.delete(index);
    } else {
      for (let i = this.floor; i < floor; i++) this.first.delete(i);
    }
    for (const key of this.reported) {
      const index = Number(key.startsWith('terms:') ? key.split(':')[1] : key.split(':')[0]);
      if (index < floor) this.reported.delete(key);
    }
    this.floor = floor;
  }
}
