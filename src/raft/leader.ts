/**
 * The leader's role: its tick (heartbeats, CheckQuorum, transfer and snapshot timeouts) and
 * its message handling. Proposals, reads and admin requests are in their own modules.
 */
import { handleAppendResponse, handleHeartbeatResponse } from './appendResponse';
import { becomeFollower } from './roles';
import { bcastHeartbeat } from './send';
import { tickSnapshotRetries } from './snapshot';
import type { RaftState } from './state';
import { abortTransfer, tickTransfer } from './transfer';
import type { Message } from './types';

/**
 * Leader tick. Every heartbeatTicks: heartbeats (§5.2). Every electionTicksMin: with
 * CheckQuorum, step down unless a quorum was heard from since the last check (thesis §6.2),
 * so a leader cut off from the majority stops serving and stops holding its lease.
 */
export function tickHeartbeat(s: RaftState): void {
  s.heartbeatElapsed++;
  s.electionElapsed++;
  if (s.electionElapsed >= s.cfg.electionTicksMin) {
    s.electionElapsed = 0;
    if (s.cfg.checkQuorum && !s.tracker.quorumActive(s.configs.current)) {
      s.emit({ type: 'quorumLost', term: s.term });
      abortTransfer(s, 'quorum_lost');
      becomeFollower(s, s.term, null);
      return;
    }
    s.tracker.resetRecentActive();
  }
  tickTransfer(s);
  tickSnapshotRetries(s);
  if (s.heartbeatElapsed >= s.cfg.heartbeatTicks) {
    s.heartbeatElapsed = 0;
    bcastHeartbeat(s);
  }
}

/** A message for the leader, after the term rules (node.ts). */
export function stepLeader(s: RaftState, m: Message): void {
  switch (m.type) {
    case 'appendResp':
      handleAppendResponse(s, m);
      return;
    case 'heartbeatResp':
      handleHeartbeatResponse(s, m);
      return;
    default:
      // Vote replies for a finished election, or another "leader" of our term, which
      // Election Safety (§5.2) rules out: nothing to do.
      return;
  }
}
