/**
 * A follower's successful AppendEntries reply (§5.3): it holds the leader's log up to
 * `matchIndex`. Sent after appending entries and after installing a snapshot (§7).
 */
import type { RaftState } from './state';
import type { AppendResponse, NodeId } from './types';

export function replyAppend(s: RaftState, to: NodeId, matchIndex: number): void {
  const m: AppendResponse = {
    type: 'appendResp',
    from: s.id,
    to,
    term: s.term,
    success: true,
    matchIndex,
    rejectIndex: 0,
    hintTerm: 0,
    hintIndex: 0,
  };
  s.send(m);
}
