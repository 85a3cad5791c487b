/**
 * Election times as the lab measures them (src/lab/export/elections.ts, the summary's
 * electionMs): leaderless intervals after losing a leader, the measure of Figure 16 of the
 * Raft paper (§9.3). The renderer cannot import the lab, so this is the same rule set,
 * applied incrementally as events stream in.
 *
 * An interval STARTS, while a leader L of term T is known, at the first of:
 * - L's process being killed, paused, stopped, crashing or exiting (the 'process' event, or
 *   the 'fault' apply event naming L if that comes first);
 * - L stepping down (a 'role' or 'metrics' event from L with another role, at term >= T);
 * - a partition leaving L unable to reach a majority of the voters;
 * - a majority of the voters reporting a term above T (a fallback for when L's own events
 *   are missing); the interval then starts at the first of those reports.
 * It ENDS at the next leader of a term above T; or, if no term above T was seen meanwhile,
 * when L itself comes back (resumed after a pause, or the partition healed so that it
 * reaches a majority again), since it then still leads.
 *
 * The initial election (run start to first leader) is not a sample, as in the lab: it
 * includes process start-up. It is reported separately as `firstLeaderAt`.
 */
import type { NodeId } from '../../../src/raft/types';
import type { ShownEvent } from './events';
import { RingBuffer } from './ringBuffer';

export type LeaderlessCause = 'killed' | 'paused' | 'stopped' | 'crashed' | 'exited' | 'stepped-down' | 'partitioned' | 'new-term';

export interface ElectionSample {
  /** When the interval ended (ms since the run started). */
  t: number;
  /** Leaderless time in ms. */
  ms: number;
  cause: LeaderlessCause;
  /** The leader after the interval (the old one when it came back) and its term. */
  leader: NodeId;
  term: number;
  /** The leader that was lost. */
  from: NodeId;
}

interface OpenInterval {
  start: number;
  cause: LeaderlessCause;
  from: NodeId;
  fromTerm: number;
}

const DOWN: Record<string, LeaderlessCause | undefined> = {
  killed: 'killed',
  paused: 'paused',
  stopped: 'stopped',
  crashed: 'crashed',
  exited: 'exited',
};

const pairKey = (a: NodeId, b: NodeId): string => `${a}>${b}`;

export class ElectionTracker {
  private leader: { node: NodeId; term: number } | null = null;
  private open: OpenInterval | null = null;
  /** Whether a term above the lost leader's was seen since the open interval began. */
  private higherTermSeen = false;
  private voters: NodeId[] = [];
  private readonly seenNodes = new Set<NodeId>();
  private readonly blocked = new Set<string>();
  /** Voters' first report of a term above the current leader's, for the fallback. */
  private higherTerm = new Map<NodeId, number>();
  private readonly leaderships = new Set<string>();
  private readonly samples: RingBuffer<ElectionSample>;
  private count = 0;
  private firstLeader: number | null = null;

  constructor(maxSamples = 5000) {
    this.samples = new RingBuffer<ElectionSample>(maxSamples);
  }

  /** Closed leaderless intervals in the run, including any whose samples were evicted. */
  get total(): number {
    return this.count;
  }

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

  /** Start of the open leaderless interval (ms), or null when none is open. */
  get leaderlessStart(): number | null {
    return this.open?.start ?? null;
  }

  /** Kept samples, oldest first. */
  list(): ElectionSample[] {
    return this.samples.toArray();
  }

  last(): ElectionSample | undefined {
    return this.samples.last();
  }

  clear(): void {
    this.leader = null;
    this.open = null;
    this.higherTermSeen = false;
    this.voters = [];
    this.seenNodes.clear();
    this.blocked.clear();
    this.higherTerm = new Map();
    this.leaderships.clear();
    this.samples.clear();
    this.count = 0;
    this.firstLeader = null;
  }

  observe(ev: ShownEvent): void {
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
      case 'process': {
        const cause = DOWN[ev.state];
        if (cause && this.leader && ev.node === this.leader.node) this.openInterval(ev.t, cause);
        const o = this.open;
        if (ev.state === 'resumed' && o && o.cause === 'paused' && ev.node === o.from && !this.higherTermSeen) this.closeInterval(ev.t);
        break;
      }
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

  private openInterval(t: number, cause: LeaderlessCause): void {
    if (this.open || !this.leader) return;
    this.open = { start: t, cause, from: this.leader.node, fromTerm: this.leader.term };
    this.higherTermSeen = false;
  }

  private closeInterval(t: number, to?: { node: NodeId; term: number }): void {
    const o = this.open;
    if (!o) return;
    this.open = null;
    this.count++;
    this.samples.push({ t, ms: Math.max(0, t - o.start), cause: o.cause, leader: to?.node ?? o.from, term: to?.term ?? o.fromTerm, from: o.from });
  }

  private sawLeader(t: number, node: NodeId, term: number): void {
    const key = `${node}@${term}`;
    if (!this.leaderships.has(key)) {
      this.leaderships.add(key);
      this.firstLeader ??= t;
    }
    if (this.leader && term < this.leader.term) return; // a stale report from an old term
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
    if (count * 2 > vs.length) this.openInterval(Math.min(...this.higherTerm.values()), 'new-term');
  }

  private onFault(ev: Extract<ShownEvent, { type: 'fault' }>): void {
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
