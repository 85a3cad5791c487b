/**
 * Leaderless intervals over a whole recorded run: the batch side of the rules in
 * ./leaderless.ts, behind summary.json's electionMs, the CLI summary and report.html.
 *
 * Outages (kind 'outage') are the election samples; planned leadership transfers are
 * reported apart (`transfers`). The first election is not a sample (it includes process
 * start-up), and an interval still open at the end of the run is listed but not sampled.
 */
import type { RunEvent } from '../contract/runEvents';
import { ElectionTracker, type LeaderlessInterval, type Leadership } from './leaderless';

export interface ElectionAnalysis {
  /** Outages, in time order (the last may be open: `end` null). */
  intervals: LeaderlessInterval[];
  /** Lengths of the closed outages in ms, in time order. */
  samples: number[];
  /** Planned leadership transfers to their announced target, in time order (the last may be open). */
  transfers: LeaderlessInterval[];
  /** Distinct (leader, term) pairs seen, the first election included. */
  leaderChanges: number;
  /** When the first leader appeared (ms since the run started), or null. */
  firstLeaderAt: number | null;
  /** Every leadership (node, term) with the time it was first seen. */
  leaders: Leadership[];
}

/** Events in time order (stable: arrival order among equal times). */
export function byTime<E extends { t: number }>(events: readonly E[]): E[] {
  return events
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.t - b.e.t || a.i - b.i)
    .map((x) => x.e);
}

export function analyzeElections(events: readonly RunEvent[]): ElectionAnalysis {
  const tracker = new ElectionTracker();
  const intervals: LeaderlessInterval[] = [];
  const transfers: LeaderlessInterval[] = [];
  for (const ev of byTime(events)) {
    const closed = tracker.observe(ev);
    if (closed) (closed.kind === 'transfer' ? transfers : intervals).push(closed);
  }
  // At most one interval is open at a time, and it began after every closed one.
  const open = tracker.openInterval;
  if (open) (open.kind === 'transfer' ? transfers : intervals).push({ ...open });
  const samples = intervals.filter((i) => i.end !== null).map((i) => (i.end as number) - i.start);
  return { intervals, samples, transfers, leaderChanges: tracker.leaderChanges, firstLeaderAt: tracker.firstLeaderAt, leaders: tracker.leadershipsSeen() };
}
