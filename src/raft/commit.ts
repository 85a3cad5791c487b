/**
 * Commitment (§5.3, §5.4.2): the leader commits an index once a quorum (both halves of a
 * joint configuration, §6) stores it AND it belongs to the leader's current term; earlier
 * entries then commit indirectly (the Figure 8 rule). Followers learn the index from the leader.
 *
 * Only the index moves here. What waits on it (reads released, joint configuration left,
 * commit news to peers, a removed leader stepping down) runs once at the end of the step
 * (reactions.ts), flagged by `commitAdvanced`.
 */
import type { RaftState } from './state';

/** Leader: advance commit to the quorum's match index if it is of our term. Returns true when it moved. */
export function advanceCommit(s: RaftState): boolean {
  const q = s.tracker.committed(s.configs.current, s.persistedIndex);
  if (q <= s.commit || !Number.isFinite(q)) return false;
  // §5.4.2: "Raft never commits log entries from previous terms by counting replicas."
  if (s.log.term(q) !== s.term) return false;
  s.commit = q;
  s.commitAdvanced = true;
  return true;
}

/** Follower: adopt a commit index the leader vouches for (never backwards). */
export function commitTo(s: RaftState, index: number): void {
  if (index > s.commit) s.commit = Math.min(index, s.log.lastIndex());
}
