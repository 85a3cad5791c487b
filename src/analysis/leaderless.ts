/**
 * Leaderless intervals: how long the cluster went without a working leader after losing
 * one, the measure of Figure 16 of the Raft paper (§9.3). This is the ONE rule set behind
 * the summary's electionMs (CLI and summary.json), the report's election table and the
 * app's live election chart; docs/formats.md ("Leaderless intervals") states it for users.
 * Pure: no Node, DOM or I/O, so the renderer imports it as the lab does.
 *
 * While a leader L of term T is established, an interval OPENS at the first of:
 * - L's process going down: a 'process' event for L (killed, paused, stopped, crashed,
 *   exited), or a 'fault' apply event killing, pausing, stopping or restarting L if that is
 *   recorded first;
 * - a partition leaving L unable to reach a majority of the voters (a 'fault' apply event
 *   whose `blocked` pairs cut L off from all but a minority);
 * - L stopping to lead: its 'quorumLost' event (CheckQuorum, thesis §6.2), or a 'role' or
 *   'metrics' event from L with another role at a term ≥ T;
 * - a majority of the voters reporting a term above T (a fallback when L's own events are
 *   missing; a term only rises through an election, §5.1); the interval then opens at the
 *   first of those reports.
 * It CLOSES at the first 'role' or 'metrics' event showing a leader of a term above T
 * (§5.2: a new leader is established). One exception: when L is paused or partitioned and
 * comes back (its process resumed, or a heal lets it reach a majority again) while it
 * never stopped leading (no step-down, no quorumLost) and no node reported a term above T,
 * L still leads its term, so the interval closes then, "the same leader came back".
 *
 * A PLANNED TRANSFER (thesis §3.10) is not an outage: when L announced a transfer to X
 * ('transfer' started, not aborted) and then stops leading or a majority moves to a higher
 * term, the gap is a transfer; if X is the next leader it is reported as such (kind
 * 'transfer', kept apart from the election samples), otherwise the transfer failed and the
 * gap is an outage with cause 'transfer-failed'.
 *
 * The first election (from the start of the run to the first leader) is not an interval:
 * it includes process start-up. It is reported as `firstLeaderAt`.
 *
 * Pre-candidates (PreVote, thesis §9.6) do not raise their term, so a partition that
 * leaves no majority anywhere shows no higher term until it heals: the rules above
 * therefore never treat "no higher term seen" alone as "the old leader still leads".
 */
import type { NodeId } from '../raft/types';
import type { RunEvent } from '../contract/runEvents';

export type LeaderlessCause =
  | 'killed'
  | 'paused'
  | 'stopped'
  | 'crashed'
  | 'exited'
  | 'partitioned'
  | 'quorum-lost'
  | 'stepped-down'
  | 'new-term'
  | 'transfer-failed';

/** One gap without a working leader, in ms since the run started. */
export interface LeaderlessInterval {
  /** 'outage': the cluster lost its leader; 'transfer': a planned leadership transfer. */
  kind: 'outage' | 'transfer';
  start: number;
  /** null: still open. */
  end: number | null;
  cause: LeaderlessCause | 'transfer';
  /** The leader that was lost, and its term. */
  from: NodeId;
  fromTerm: number;
  /** When the lost leader itself stopped leading (quorumLost or a role change), if it told. */
  steppedDownAt?: number;
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

const DOWN: Partial<Record<string, LeaderlessCause>> = {
  killed: 'killed',
  paused: 'paused',
  stopped: 'stopped',
  crashed: 'crashed',
  exited: 'exited',
};

const FAULT_DOWN: Partial<Record<string, LeaderlessCause>> = { kill: 'killed', pause: 'paused', stop: 'stopped', restart: 'killed' };

const pairKey = (a: NodeId, b: NodeId): string => `${a}>${b}`;

interface Open {
  interval: LeaderlessInterval;
  /** A node reported a term above the lost leader's since the interval opened. */
  higherTermSeen: boolean;
  /** The lost leader said it no longer leads (quorumLost, or another role). */
  stoppedLeading: boolean;
  /** The planned transfer's target, when the gap is (so far) a transfer. */
  transferTo: NodeId | null;
}

/**
 * Applies the rules above one event at a time. Feed events in time order: the batch
 * analysis (src/analysis/elections.ts) sorts them first; a live stream arrives (close to)
 * in order.
 */
export class ElectionTracker {
  private leader: { node: NodeId; term: number } | null = null;
  private open: Open | null = null;
  /** A transfer the current leader announced and has not aborted: its target. */
  private pendingTransfer: NodeId | null = null;
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
    return this.open?.interval ?? null;
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
        if (this.leader && ev.node === this.leader.node && ev.term >= this.leader.term) this.leaderStopped(ev.t, 'stepped-down');
        this.sawTerm(ev.t, ev.node, ev.term);
        return null;
      case 'quorumLost':
        if (this.leader && ev.node === this.leader.node && ev.term === this.leader.term) this.leaderStopped(ev.t, 'quorum-lost');
        return null;
      case 'transfer':
        if (this.leader && ev.node === this.leader.node && !this.open) this.pendingTransfer = ev.phase === 'started' ? ev.to : null;
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

  /** Opens an interval unless one is open; a step-down or a new term during a planned transfer opens a transfer. */
  private startInterval(t: number, cause: LeaderlessCause): Open | null {
    if (this.open || !this.leader) return this.open;
    const planned = this.pendingTransfer !== null && (cause === 'stepped-down' || cause === 'new-term');
    this.open = {
      interval: { kind: planned ? 'transfer' : 'outage', start: t, end: null, cause: planned ? 'transfer' : cause, from: this.leader.node, fromTerm: this.leader.term },
      higherTermSeen: false,
      stoppedLeading: false,
      transferTo: planned ? this.pendingTransfer : null,
    };
    this.pendingTransfer = null;
    return this.open;
  }

  /** The lost leader told it no longer leads: opens an interval if none is, and remembers it cannot "come back". */
  private leaderStopped(t: number, cause: 'quorum-lost' | 'stepped-down'): void {
    const o = this.startInterval(t, cause);
    if (!o || o.stoppedLeading) return;
    o.stoppedLeading = true;
    o.interval.steppedDownAt = t;
  }

  private endInterval(t: number, to?: { node: NodeId; term: number }): LeaderlessInterval | null {
    const o = this.open;
    if (!o) return null;
    const i = o.interval;
    i.end = t;
    if (to) {
      i.to = to.node;
      i.toTerm = to.term;
    }
    if (i.kind === 'transfer' && to?.node !== o.transferTo) {
      // The announced target did not take over: the cluster lost its leader after all.
      i.kind = 'outage';
      i.cause = 'transfer-failed';
    }
    this.open = null;
    return i;
  }

  private sawLeader(t: number, node: NodeId, term: number): LeaderlessInterval | null {
    const key = `${node}@${term}`;
    if (!this.leaderships.has(key)) {
      this.leaderships.set(key, { t, node, term });
      this.firstLeader ??= t;
    }
    if (this.leader && term < this.leader.term) return null; // a stale report from an old term
    const closed = this.open && term > this.open.interval.fromTerm ? this.endInterval(t, { node, term }) : null;
    if (!this.leader || this.leader.node !== node || this.leader.term !== term) {
      this.higherTerm = new Map();
      this.pendingTransfer = null;
    }
    this.leader = { node, term };
    return closed;
  }

  private sawTerm(t: number, node: NodeId, term: number): void {
    if (this.open && term > this.open.interval.fromTerm) this.open.higherTermSeen = true;
    if (!this.leader || this.open || term <= this.leader.term) return;
    if (!this.higherTerm.has(node)) this.higherTerm.set(node, t);
    const vs = this.votersNow();
    const count = vs.filter((v) => this.higherTerm.has(v)).length;
    if (count * 2 > vs.length) {
      let first = Infinity;
      for (const at of this.higherTerm.values()) first = Math.min(first, at);
      const o = this.startInterval(first, 'new-term');
      if (o) o.higherTermSeen = true;
    }
  }

  /** Whether the open interval may close because its lost leader is back and still leads its term. */
  private canComeBack(o: Open, cause: LeaderlessCause): boolean {
    return o.interval.kind === 'outage' && o.interval.cause === cause && !o.higherTermSeen && !o.stoppedLeading;
  }

  private onProcess(ev: ProcessEvent): LeaderlessInterval | null {
    const cause = DOWN[ev.state];
    if (cause && this.leader && ev.node === this.leader.node) this.startInterval(ev.t, cause);
    const o = this.open;
    if (ev.state === 'resumed' && o && ev.node === o.interval.from && this.canComeBack(o, 'paused')) return this.endInterval(ev.t);
    return null;
  }

  private onFault(ev: FaultEvent): LeaderlessInterval | null {
    const f = ev.fault;
    if (ev.action === 'apply') {
      for (const [a, b] of ev.blocked ?? []) this.blocked.add(pairKey(a, b));
      if (!this.leader) return null;
      const down = FAULT_DOWN[f.kind];
      if (down && ev.nodes.includes(this.leader.node)) this.startInterval(ev.t, down);
      else if (ev.blocked && !this.reachesMajority(this.leader.node)) this.startInterval(ev.t, 'partitioned');
      return null;
    }
    if (f.kind === 'all') this.blocked.clear();
    else for (const [a, b] of ev.blocked ?? []) this.blocked.delete(pairKey(a, b));
    const o = this.open;
    if (o && this.canComeBack(o, 'partitioned') && this.reachesMajority(o.interval.from)) return this.endInterval(ev.t);
    return null;
  }
}

const CAUSE_TEXT: Readonly<Record<LeaderlessInterval['cause'], string>> = {
  killed: 'leader killed',
  paused: 'leader paused',
  stopped: 'leader stopped',
  crashed: 'leader crashed',
  exited: 'leader exited',
  partitioned: 'leader partitioned away from a majority',
  'quorum-lost': 'leader lost its quorum (CheckQuorum)',
  'stepped-down': 'leader stepped down',
  'new-term': 'a majority moved to a new term',
  'transfer-failed': 'leadership transfer did not reach its target',
  transfer: 'planned leadership transfer',
};

/** Why the cluster was without a leader, in the words the app and the report both use. */
export function causeText(cause: LeaderlessInterval['cause']): string {
  return CAUSE_TEXT[cause];
}

/** How an interval ended, in the words the app and the report both use. */
export function outcomeText(i: Readonly<LeaderlessInterval>): string {
  if (i.to !== undefined) return `node ${i.to} leads term ${i.toTerm}`;
  if (i.end === null) return 'no leader by the end';
  return `node ${i.from} came back, still leading term ${i.fromTerm}`;
}
