/**
 * Leaderless intervals over a recorded run, for the summary's electionMs and the report:
 * the batch side of the shared rule set in src/contract/electionRules.ts (which documents
 * when an interval starts and ends; the renderer's live chart applies the same rules).
 *
 * The initial election (from the start of the run to the first leader) is not a sample: it
 * includes process start-up. Intervals still open at the end of the run are reported but
 * not sampled.
 */
import type { RunEvent } from '../../contract/runEvents';
import { ElectionTracker, type LeaderlessCause, type LeaderlessInterval, type Leadership } from '../../contract/electionRules';
import type { KnownRunEvent } from '../recorder/knownEvents';

export type { LeaderlessInterval } from '../../contract/electionRules';
export type IntervalCause = LeaderlessCause;

export interface ElectionAnalysis {
  intervals: LeaderlessInterval[];
  /** Lengths of the closed intervals in ms, in time order. */
  samples: number[];
  /** Distinct (leader, term) pairs seen, the first election included. */
  leaderChanges: number;
  /** When the first leader appeared (ms since the run started), or null. */
  firstLeaderAt: number | null;
  /** Every leadership (node, term) with the time it was first seen. */
  leaders: Leadership[];
}

/** Events in time order (stable: arrival order among equal times). */
export function byTime(events: readonly RunEvent[]): KnownRunEvent[] {
  return events
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.t - b.e.t || a.i - b.i)
    .map((x) => x.e);
}

export function analyzeElections(events: readonly RunEvent[]): ElectionAnalysis {
  const tracker = new ElectionTracker();
  const intervals: LeaderlessInterval[] = [];
  for (const ev of byTime(events)) {
    const closed = tracker.observe(ev);
    if (closed) intervals.push(closed);
  }
  // At most one interval is open at a time, and it began after every closed one.
  const open = tracker.openInterval;
  if (open) intervals.push({ ...open });
  const samples = intervals.filter((i) => i.end !== null).map((i) => (i.end as number) - i.start);
  return { intervals, samples, leaderChanges: tracker.leaderChanges, firstLeaderAt: tracker.firstLeaderAt, leaders: tracker.leadershipsSeen() };
}
