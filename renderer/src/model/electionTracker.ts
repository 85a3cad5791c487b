/**
 * Election times for the live chart, as the lab measures them (the summary's electionMs):
 * leaderless intervals after losing a leader, the measure of Figure 16 of the Raft paper
 * (§9.3). The rules live in src/analysis/leaderless.ts, shared with the lab, the report
 * and the CLI; this adds what the UI needs: a bounded buffer of recent samples, a running
 * count, planned transfers counted apart, and a reset.
 *
 * The initial election (run start to first leader) is not a sample, as in the lab: it
 * includes process start-up. It is reported separately as `firstLeaderAt`.
 */
import type { NodeId } from '../../../src/analysis/ids';
import { ElectionTracker as ElectionRules, type LeaderlessInterval } from '../../../src/analysis/leaderless';
import type { ShownEvent } from './events';
import { RingBuffer } from './ringBuffer';

export type { LeaderlessCause } from '../../../src/analysis/leaderless';

export interface ElectionSample {
  /** When the interval ended (ms since the run started). */
  t: number;
  /** Leaderless time in ms. */
  ms: number;
  cause: LeaderlessInterval['cause'];
  /** The leader after the interval (the old one when it came back) and its term. */
  leader: NodeId;
  term: number;
  /** The leader that was lost. */
  from: NodeId;
}

/** A closed interval (ending at `end`) as a chart sample; a live stream may be slightly out of order, so never negative. */
function toSample(i: LeaderlessInterval, end: number): ElectionSample {
  return { t: end, ms: Math.max(0, end - i.start), cause: i.cause, leader: i.to ?? i.from, term: i.toTerm ?? i.fromTerm, from: i.from };
}

export class ElectionTracker {
  private rules = new ElectionRules();
  private readonly samples: RingBuffer<ElectionSample>;
  private count = 0;
  private transferCount = 0;

  constructor(maxSamples = 5000) {
    this.samples = new RingBuffer<ElectionSample>(maxSamples);
  }

  /** Closed leaderless intervals in the run, including any whose samples were evicted. */
  get total(): number {
    return this.count;
  }

  /** Planned leadership transfers that reached their target (not election samples). */
  get transfers(): number {
    return this.transferCount;
  }

  /** Distinct (leader, term) pairs seen, the first election included. */
  get leaderChanges(): number {
    return this.rules.leaderChanges;
  }

  /** When the first leader appeared (ms since the run started), or null. */
  get firstLeaderAt(): number | null {
    return this.rules.firstLeaderAt;
  }

  /** The current leader as far as events tell, or null while leaderless. */
  get currentLeader(): { node: NodeId; term: number } | null {
    return this.rules.currentLeader;
  }

  /** Start of the open leaderless interval (ms), or null when none is open. */
  get leaderlessStart(): number | null {
    return this.rules.openInterval?.start ?? null;
  }

  /** The open leaderless interval, or null when none is open. */
  get openInterval(): Readonly<LeaderlessInterval> | null {
    return this.rules.openInterval;
  }

  /** Kept samples, oldest first. */
  list(): ElectionSample[] {
    return this.samples.toArray();
  }

  last(): ElectionSample | undefined {
    return this.samples.last();
  }

  clear(): void {
    this.rules = new ElectionRules();
    this.samples.clear();
    this.count = 0;
    this.transferCount = 0;
  }

  observe(ev: ShownEvent): void {
    const closed = this.rules.observe(ev);
    if (!closed || closed.end === null) return;
    if (closed.kind === 'transfer') {
      this.transferCount++;
      return;
    }
    this.count++;
    this.samples.push(toSample(closed, closed.end));
  }
}
