/**
 * Leaderless intervals: how long the cluster went without a working leader after losing
 * one, the measure of Figure 16 of the Raft paper (§9.3). This is the ONE rule set behind
 * both the summary's electionMs (src/lab/export/elections.ts, over a recorded run) and the
 * renderer's live election chart (renderer/src/model/electionTracker.ts, as events stream
 * in). It lives in the contract because the renderer may import nothing else, so it must
 * stay free of Node and UI dependencies.
 *
 * An interval STARTS, while a leader L of term T is known, at the first of:
 * - L's process being killed, paused, stopped, crashing or exiting (the 'process' event, or
 *   the 'fault' apply event naming L if that comes first);
 * - L stepping down (a 'role' or 'metrics' event from L with another role, at term >= T);
 * - a partition leaving L unable to reach a majority of the voters (a 'fault' apply event
 *   whose blocked pairs cut L off from all but a minority);
 * - a majority of the voters reporting a term above T (a fallback for when L's own events
 *   are missing; a term only rises through an election, §5.1); the interval then starts at
 *   the first of those reports.
 * It ENDS at the next 'role' (or 'metrics') event showing a leader of a term above T; or,
 * if no term above T was seen meanwhile, when L itself comes back (its process resumed, or
 * the partition healed so that it reaches a majority again), since it then still leads.
 *
 * The initial election (from the start of the run to the first leader) is not an interval:
 * it includes process start-up. It is reported separately as `firstLeaderAt`.
 */
import type { NodeId } from '../raft/types';
import type { RunEvent } from './runEvents';

export type LeaderlessCause = 'killed' | 'paused' | 'stopped' | 'crashed' | 'exited' | 'stepped-down' | 'partitioned' | 'new-term';

/** One leaderless interval, in ms since the run started. */
export interface LeaderlessInterval {
  start: number;
  /** null: still open. */
  end: number | null;
  cause: LeaderlessCause;
  /** The leader that was lost, and its term. */
  from: NodeId;
  fromTerm: number;
  /** The next leader and its term, when the interval ended with a new one (absent when the old one came back). */
  to?: NodeId;
  toTerm?: number;
}

/** A (leader, term) pair with the time it was first seen. */
export interface Leadership {
  t: number;
  node: NodeId;
  term: number;
}

type FaultEvent = Extract<RunEvent, { type: 'fault' }>;
type ProcessEvent = Extract<RunEvent, { type: 'process' }>;

const DOWN: Record<string, LeaderlessCause | undefined> = {
  killed: 'killed',
  paused: 'paused',
  stopped: 'stopped',
  crashed: 'crashed',
  exited: 'exited',
};

const pairKey = (a: NodeId, b: NodeId): string => `${a}>${b}`;

/**
 * Applies the rules above one event at a time. Feed events in time order: the batch
 * analysis sorts them first; a live stream arrives (close to) in order.
 */
export class ElectionTracker {
  private leader: { node: NodeId; term: number } | null = null;
  private open: LeaderlessInterval | null = null;
  /** Whether a term above the lost leader's was seen since the open interval began. */
  private higherTermSeen = false;
  private voters: NodeId[] = [];
  private readonly seenNodes = new Set<NodeId>();
  private readonly blocked = new Set<string>();
  /** Voters' first report of a term above the current leader's, for the fallback. */
  private higherTerm = new Map<NodeId, number>();
  /** Every leadership by `node@term`, in the order first seen. */
  private readonly leaderships = new Map<string, Leadership>();
  private firstLeader: number | null = null;

  /** Distinct (leader, term) pairs seen, the first election included. */
  get leaderChanges(): number {
    return this.leaderships.size;
  }

  /** When the first leader appeared (ms since the run started), or null. */
  get firstLeaderAt(): number | null {
    return this.firstLeader;
  }

  /** The current leader as far as events tell, or null while leaderless. */
  get currentLeader(): { node: NodeId; term: number } | null {
    return this.open ? null : this.leader;
  }

  /** The interval open now (its `end` is null), or null. */
  get openInterval(): Readonly<LeaderlessInterval> | null {
    return this.open;
  }

  /** Every leadership (node, term) with the time it was first seen, in that order. */
  leadershipsSeen(): Leadership[] {
    return [...this.leaderships.values()];
  }

  /** Takes in one event; returns the interval it closed, if any (at most one closes per event). */
  observe(ev: RunEvent): LeaderlessInterval | null {
    if (ev.node !== null) this.seenNodes.add(ev.node);
    switch (ev.type) {
      case 'run':
        if (ev.phase === 'started' && ev.options && this.voters.length === 0) {
          this.voters = Array.from({ length: ev.options.nodes }, (_, i) => i + 1);
        }
        return null;
      case 'config':
        // A joint configuration (§6) counts both sides as voters.
        this.voters = [...new Set([...ev.config.voters, ...(ev.config.outgoing ?? [])])];
        return null;
      case 'membership':
        this.voters = ev.voters;
        return null;
      case 'role':
      case 'metrics':
        if (ev.node === null) return null;
        if (ev.role === 'leader') return this.sawLeader(ev.t, ev.node, ev.term);
        if (this.leader && ev.node === this.leader.node && ev.term >= this.leader.term) this.startInterval(ev.t, 'stepped-down');
        this.sawTerm(ev.t, ev.node, ev.term);
        return null;
      case 'process':
        return this.onProcess(ev);
      case 'fault':
        return this.onFault(ev);
      default:
        return null;
    }
  }

  private votersNow(): NodeId[] {
    return this.voters.length > 0 ? this.voters : [...this.seenNodes];
  }

  private reachesMajority(n: NodeId): boolean {
    const vs = this.votersNow();
    const reach = vs.filter((v) => v === n || (!this.blocked.has(pairKey(n, v)) && !this.blocked.has(pairKey(v, n)))).length;
    return reach * 2 > vs.length;
  }

  private startInterval(t: number, cause: LeaderlessCause): void {
    if (this.open || !this.leader) return;
    this.open = { start: t, end: null, cause, from: this.leader.node, fromTerm: this.leader.term };
    this.higherTermSeen = false;
  }

  private endInterval(t: number, to?: { node: NodeId; term: number }): LeaderlessInterval | null {
    const o = this.open;
    if (!o) return null;
    o.end = t;
    if (to) {
      o.to = to.node;
      o.toTerm = to.term;
    }
    this.open = null;
    return o;
  }

  private sawLeader(t: number, node: NodeId, term: number): LeaderlessInterval | null {
    const key = `${node}@${term}`;
    if (!this.leaderships.has(key)) {
      this.leaderships.set(key, { t, node, term });
      this.firstLeader ??= t;
    }
    if (this.leader && term < this.leader.term) return null; // a stale report from an old term
    const closed = this.open && term > this.open.fromTerm ? this.endInterval(t, { node, term }) : null;
    if (!this.leader || this.leader.node !== node || this.leader.term !== term) this.higherTerm = new Map();
    this.leader = { node, term };
    return closed;
  }

  private sawTerm(t: number, node: NodeId, term: number): void {
    if (this.open && term > this.open.fromTerm) this.higherTermSeen = true;
    if (!this.leader || this.open || term <= this.leader.term) return;
    if (!this.higherTerm.has(node)) this.higherTerm.set(node, t);
    const vs = this.votersNow();
    const count = vs.filter((v) => this.higherTerm.has(v)).length;
    if (count * 2 > vs.length) {
      let first = Infinity;
      for (const at of this.higherTerm.values()) first = Math.min(first, at);
      this.startInterval(first, 'new-term');
    }
  }

  private onProcess(ev: ProcessEvent): LeaderlessInterval | null {
    const cause = DOWN[ev.state];
    if (cause && this.leader && ev.node === this.leader.node) this.startInterval(ev.t, cause);
    const o = this.open;
    if (ev.state === 'resumed' && o && o.cause === 'paused' && ev.node === o.from && !this.higherTermSeen) return this.endInterval(ev.t);
    return null;
  }

  private onFault(ev: FaultEvent): LeaderlessInterval | null {
    const f = ev.fault;
    if (ev.action === 'apply') {
      for (const [a, b] of ev.blocked ?? []) this.blocked.add(pairKey(a, b));
      if (!this.leader) return null;
      if ((f.kind === 'kill' || f.kind === 'pause' || f.kind === 'stop' || f.kind === 'restart') && ev.nodes.includes(this.leader.node)) {
        this.startInterval(ev.t, f.kind === 'pause' ? 'paused' : f.kind === 'stop' ? 'stopped' : 'killed');
      } else if (ev.blocked && !this.reachesMajority(this.leader.node)) {
        this.startInterval(ev.t, 'partitioned');
      }
      return null;
    }
    if (f.kind === 'all') this.blocked.clear();
    else for (const [a, b] of ev.blocked ?? []) this.blocked.delete(pairKey(a, b));
    const o = this.open;
    if (o && o.cause === 'partitioned' && !this.higherTermSeen && this.reachesMajority(o.from)) return this.endInterval(ev.t);
    return null;
  }
}
