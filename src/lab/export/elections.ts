/**
 * Leaderless intervals: how long the cluster went without a working leader after losing
 * one, the measure of Figure 16 of the Raft paper (§9.3) and of the summary's electionMs.
 *
 * An interval STARTS, while a leader L of term T is known, at the first of:
 * - L's process being killed, paused, stopped, crashing or exiting (the 'process' event, or
 *   the 'fault' apply event naming L if that comes first);
 * - L stepping down (a 'role' or 'metrics' event from L with another role);
 * - a partition leaving L unable to reach a majority of the voters (a 'fault' apply event
 *   whose blocked pairs cut L off from all but a minority);
 * - a majority of the voters reporting a term above T (a fallback for when L's own events
 *   are missing); the interval then starts at the first of those reports.
 * It ENDS at the next 'role' (or 'metrics') event showing a leader of a term above T; or,
 * if no term above T was seen meanwhile, when L itself comes back (its process resumed, or
 * the partition healed so that it reaches a majority again), since it then still leads.
 *
 * The initial election (from the start of the run to the first leader) is not a sample: it
 * includes process start-up. Intervals still open at the end of the run are reported but
 * not sampled.
 */
import type { NodeId } from '../../raft/types';
import type { RunEvent } from '../../contract/runEvents';
import { asKnown, type EventOf, type KnownRunEvent } from '../recorder/knownEvents';

export type IntervalCause = 'killed' | 'paused' | 'stopped' | 'crashed' | 'exited' | 'stepped-down' | 'partitioned' | 'new-term';

export interface LeaderlessInterval {
  start: number;
  /** null: still open at the end of the run. */
  end: number | null;
  cause: IntervalCause;
  /** The leader that was lost, and its term. */
  from: NodeId;
  fromTerm: number;
  /** The next leader and its term, when the interval ended with a new one. */
  to?: NodeId;
  toTerm?: number;
}

export interface ElectionAnalysis {
  intervals: LeaderlessInterval[];
  /** Lengths of the closed intervals in ms, in time order. */
  samples: number[];
  /** Distinct (leader, term) pairs seen, the first election included. */
  leaderChanges: number;
  /** When the first leader appeared (ms since the run started), or null. */
  firstLeaderAt: number | null;
  /** Every leadership (node, term) with the time it was first seen. */
  leaders: Array<{ t: number; node: NodeId; term: number }>;
}

const DOWN: Record<string, IntervalCause | undefined> = {
  killed: 'killed',
  paused: 'paused',
  stopped: 'stopped',
  crashed: 'crashed',
  exited: 'exited',
};

const pairKey = (a: NodeId, b: NodeId): string => `${a}>${b}`;

/** Events in time order (stable: arrival order among equal times). */
export function byTime(events: readonly RunEvent[]): KnownRunEvent[] {
  return events
    .map((e, i) => ({ e: asKnown(e), i }))
    .sort((a, b) => a.e.t - b.e.t || a.i - b.i)
    .map((x) => x.e);
}

class ElectionTracker {
  readonly intervals: LeaderlessInterval[] = [];
  readonly leaders: ElectionAnalysis['leaders'] = [];
  private readonly seenLeaderships = new Set<string>();
  private leader: { node: NodeId; term: number } | null = null;
  private open: LeaderlessInterval | null = null;
  /** Whether a term above the lost leader's was seen since the open interval began. */
  private higherTermSeen = false;
  private voters: NodeId[] = [];
  private readonly seenNodes = new Set<NodeId>();
  private readonly blocked = new Set<string>();
  /** Voters' first report of a term above the current leader's, for the fallback. */
  private higherTerm = new Map<NodeId, number>();

  observe(ev: KnownRunEvent): void {
    if (ev.node !== null) this.seenNodes.add(ev.node);
    switch (ev.type) {
      case 'run':
        if (ev.phase === 'started' && ev.options && this.voters.length === 0) {
          this.voters = Array.from({ length: ev.options.nodes }, (_, i) => i + 1);
        }
        break;
      case 'config':
        this.voters = [...new Set([...ev.config.voters, ...(ev.config.outgoing ?? [])])];
        break;
      case 'membership':
        this.voters = ev.voters;
        break;
      case 'role':
      case 'metrics':
        if (ev.node === null) break;
        if (ev.role === 'leader') this.sawLeader(ev.t, ev.node, ev.term);
        else {
          if (this.leader && ev.node === this.leader.node && ev.term >= this.leader.term) this.openInterval(ev.t, 'stepped-down');
          this.sawTerm(ev.t, ev.node, ev.term);
        }
        break;
      case 'process':
        this.onProcess(ev);
        break;
      case 'fault':
        this.onFault(ev);
        break;
      default:
        break;
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

  private openInterval(t: number, cause: IntervalCause): void {
    if (this.open || !this.leader) return;
    this.open = { start: t, end: null, cause, from: this.leader.node, fromTerm: this.leader.term };
    this.higherTermSeen = false;
    this.intervals.push(this.open);
  }

  private closeInterval(t: number, to?: { node: NodeId; term: number }): void {
    if (!this.open) return;
    this.open.end = t;
    if (to) {
      this.open.to = to.node;
      this.open.toTerm = to.term;
    }
    this.open = null;
  }

  private sawLeader(t: number, node: NodeId, term: number): void {
    const key = `${node}@${term}`;
    if (!this.seenLeaderships.has(key)) {
      this.seenLeaderships.add(key);
      this.leaders.push({ t, node, term });
    }
    if (this.leader && term < this.leader.term) return; // a stale report
    if (this.open && term > this.open.fromTerm) this.closeInterval(t, { node, term });
    if (!this.leader || this.leader.node !== node || this.leader.term !== term) this.higherTerm = new Map();
    this.leader = { node, term };
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
      this.openInterval(first, 'new-term');
    }
  }

  private onProcess(ev: EventOf<'process'>): void {
    const cause = DOWN[ev.state];
    if (cause && this.leader && ev.node === this.leader.node) this.openInterval(ev.t, cause);
    const o = this.open;
    if (ev.state === 'resumed' && o && o.cause === 'paused' && ev.node === o.from && !this.higherTermSeen) this.closeInterval(ev.t);
  }

  private onFault(ev: EventOf<'fault'>): void {
    const f = ev.fault;
    if (ev.action === 'apply') {
      for (const [a, b] of ev.blocked ?? []) this.blocked.add(pairKey(a, b));
      if (!this.leader) return;
      if ((f.kind === 'kill' || f.kind === 'pause' || f.kind === 'stop' || f.kind === 'restart') && ev.nodes.includes(this.leader.node)) {
        this.openInterval(ev.t, f.kind === 'pause' ? 'paused' : f.kind === 'stop' ? 'stopped' : 'killed');
      } else if (ev.blocked && !this.reachesMajority(this.leader.node)) {
        this.openInterval(ev.t, 'partitioned');
      }
      return;
    }
    if (f.kind === 'all') this.blocked.clear();
    else for (const [a, b] of ev.blocked ?? []) this.blocked.delete(pairKey(a, b));
    const o = this.open;
    if (o && o.cause === 'partitioned' && !this.higherTermSeen && this.reachesMajority(o.from)) this.closeInterval(ev.t);
  }
}

export function analyzeElections(events: readonly RunEvent[]): ElectionAnalysis {
  const tracker = new ElectionTracker();
  for (const ev of byTime(events)) tracker.observe(ev);
  const samples = tracker.intervals.filter((i) => i.end !== null).map((i) => (i.end as number) - i.start);
  return {
    intervals: tracker.intervals,
    samples,
    leaderChanges: tracker.leaders.length,
    firstLeaderAt: tracker.leaders.length > 0 ? tracker.leaders[0].t : null,
    leaders: tracker.leaders,
  };
}
