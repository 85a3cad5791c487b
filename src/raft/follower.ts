/** The follower's role: obey the leader of the current term (§5.2, §5.3, §7, thesis §3.10). */
import { handleAppendRequest, handleHeartbeat } from './appendEntries';
import { campaign } from './campaign';
import { handleSnapshotRequest } from './installSnapshot';
import { emitRoleIfChanged } from './roles';
import type { RaftState } from './state';
import type { Message, NodeId } from './types';

/** A message for a follower, after the term rules (node.ts). */
export function stepFollower(s: RaftState, m: Message): void {
  switch (m.type) {
    case 'append':
      heardFromLeader(s, m.from);
      handleAppendRequest(s, m);
      return;
    case 'heartbeat':
      heardFromLeader(s, m.from);
      handleHeartbeat(s, m);
      return;
    case 'snapshot':
      heardFromLeader(s, m.from);
      handleSnapshotRequest(s, m);
      return;
    case 'timeoutNow':
      handleTimeoutNow(s);
      return;
    default:
      // Replies to a role we no longer have.
      return;
  }
}

/** The leader of our term spoke: restart the election timer and note who leads. */
function heardFromLeader(s: RaftState, from: NodeId): void {
  s.electionElapsed = 0;
  s.leaderContactElapsed = 0;
  if (s.leader !== from) {
    s.leader = from;
    emitRoleIfChanged(s);
  }
}

/**
 * The leader hands over (thesis §3.10): campaign now, skipping PreVote and any lease.
 * validateInput.ts lets TimeoutNow through only from the current leader of the current term.
 */
function handleTimeoutNow(s: RaftState): void {
  if (!s.promotable()) return;
  campaign(s, 'transfer');
}
