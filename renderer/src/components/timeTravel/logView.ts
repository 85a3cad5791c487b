/**
 * Pure helpers of the time-travel log view (NodeLogView.vue): timers as time counting down,
 * and the entries of a node's log that conflict with the leader's (issue 10 part 3).
 */
import type { CoreStateView, NodeAt } from '../../../../src/contract/labApiTimeTravel';

export interface TimerCountdown {
  /** What the timer leads to when it runs out. */
  what: 'election' | 'heartbeat';
  leftTicks: number;
  totalTicks: number;
  /** null when the run's tick is unknown (then only ticks can be shown). */
  leftMs: number | null;
  text: string;
  /** Tooltip: the raw tick counts. */
  title: string;
}

/**
 * The timers that matter for the node's role: a follower or candidate waits for its election
 * timeout (§5.2, randomized per term); a leader sends a heartbeat when its heartbeat interval
 * runs out (§5.2: "periodic heartbeats ... to maintain their authority").
 */
export function timerCountdowns(s: CoreStateView, tickMs: number | null): TimerCountdown[] {
  const one = (what: TimerCountdown['what'], elapsed: number, total: number): TimerCountdown => {
    const leftTicks = Math.max(0, total - elapsed);
    const leftMs = tickMs === null ? null : leftTicks * tickMs;
    const label = what === 'election' ? 'election timeout in' : 'next heartbeat in';
    return {
      what,
      leftTicks,
      totalTicks: total,
      leftMs,
      text: leftMs === null ? `${label} ${leftTicks} ticks` : `${label} ${leftMs} ms`,
      title: `${elapsed} of ${total} ticks elapsed${tickMs === null ? ' (tick length not recorded)' : `, ${tickMs} ms per tick`}`,
    };
  };
  if (s.role === 'leader') return [one('heartbeat', s.timers.heartbeatElapsed, s.timers.heartbeatTimeout)];
  return [one('election', s.timers.electionElapsed, s.timers.electionTimeout)];
}

export type ConflictKind = 'differs' | 'beyond';

/** The leader the cursor shows: a running node in the leader role, the highest term if several (a deposed one may not know yet, §5.1). */
export function leaderAt(nodes: readonly NodeAt[]): CoreStateView | null {
  let best: CoreStateView | null = null;
  for (const n of nodes) {
    if (!n.ok || n.down) continue;
    if (n.state.role === 'leader' && (best === null || n.state.term > best.term)) best = n.state;
  }
  return best;
}

/**
 * Entries of `s` that the leader's log does not share, by index: `differs` when the leader
 * holds another term at that index (the Log Matching property, §5.3, says the suffix from
 * there on is not the leader's and will be overwritten); `beyond` when the entry lies past the
 * leader's last index and is not committed (older-term leftovers the leader will truncate, §5.3
 * Figure 7). Indices inside the leader's snapshot cannot be compared and are left unmarked
 * (they are committed, so they match, §5.4). Nothing is marked on the leader itself.
 */
export function conflictMarks(s: CoreStateView, leader: CoreStateView | null): Map<number, ConflictKind> {
  const marks = new Map<number, ConflictKind>();
  if (leader === null || leader.node === s.node) return marks;
  const first = leader.log.entries.length > 0 ? leader.log.entries[0].index : leader.log.lastIndex + 1;
  for (const e of s.log.entries) {
    if (e.index <= leader.log.snapshotIndex) continue;
    if (e.index > leader.log.lastIndex) {
      if (e.index > s.commit) marks.set(e.index, 'beyond');
      continue;
    }
    const other = leader.log.entries[e.index - first];
    if (other !== undefined && other.index === e.index && other.term !== e.term) marks.set(e.index, 'differs');
  }
  return marks;
}
