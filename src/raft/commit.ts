/**
 * Commitment (§5.3, §5.4.2): the leader commits an index once a quorum (both halves of a
 * joint configuration, §6) stores it AND it belongs to the leader's current term; earlier
 * entries then commit indirectly (the Figure 8 rule). Followers learn the index from the leader.
 */
import { maybeLeaveJoint, maybeStepDownRemoved, syncProgress } from './configChange';
import { releaseReadsAwaitingCommit } from './readIndex';
import { maybeSendAppend, sendCommitIfIdle } from './replication';
import type { RaftState } from './state';

/** Leader: advance commit to the quorum's match index if it is of our term. Returns true when it moved. */
export function maybeCommit(s: RaftState): boolean {
  const q = s.tracker.committed(s.configs.current, s.persistedIndex);
  if (q <= s.commit || !Number.isFinite(q)) return false;
  // §5.4.2: "Raft never commits log entries from previous terms by counting replicas."
  if (s.log.term(q) !== s.term) return false;
  s.commit = q;
  afterLeaderCommit(s);
  return true;
}

/** Follower: adopt a commit index the leader vouches for (never backwards). */
export function commitTo(s: RaftState, index: number): void {
  if (index > s.commit) s.commit = Math.min(index, s.log.lastIndex());
}

/** Everything that waits on the leader's commit index. */
function afterLeaderCommit(s: RaftState): void {
  releaseReadsAwaitingCommit(s);
  maybeLeaveJoint(s);
  propagateCommit(s);
  // Servers removed by a now-committed configuration no longer need our messages.
  if (s.role === 'leader' && s.configs.current.index <= s.commit) syncProgress(s);
  maybeStepDownRemoved(s);
}

/** Tell peers the new commit index: with their next entries, or alone when they have everything. */
function propagateCommit(s: RaftState): void {
  if (s.role !== 'leader') return;
  const peers = s.tracker.ids;
  const last = s.log.lastIndex();
  for (let i = 0; i < peers.length; i++) {
    const pr = s.tracker.get(peers[i]);
    if (pr === undefined) continue;
    if (pr.next <= last) {
      while (maybeSendAppend(s, peers[i], pr, false)) {
        // fill the pipeline window; each message carries the new commit index
      }
    } else {
      sendCommitIfIdle(s, peers[i], pr);
    }
  }
}
