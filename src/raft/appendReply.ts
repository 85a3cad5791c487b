/**
 * A follower's AppendEntries replies (§5.3): success with the index it now matches (also sent
 * after installing a snapshot, §7), rejection with the conflict hint, and the answer to a
 * leader of an older term (Figure 2: "reply false if term < currentTerm").
 */
import type { RaftState } from './state';
import type { AppendResponse, NodeId } from './types';

/** Success: the follower holds the leader's log up to `matchIndex`. `seq` echoes the request's. */
export function replyAppend(s: RaftState, to: NodeId, matchIndex: number, seq = 0): void {
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
    seq,
  };
  s.send(m);
}

/** Refuse an AppendEntries whose prevIndex/prevTerm we do not hold, with a hint (§5.3). */
export function rejectAppend(s: RaftState, to: NodeId, rejectIndex: number, seq: number): void {
  const last = s.log.lastIndex();
  let hintTerm = 0;
  let hintIndex = last + 1;
  if (rejectIndex <= last) {
    hintTerm = s.log.term(rejectIndex);
    hintIndex = s.log.firstIndexOfTermAt(rejectIndex);
  }
  const m: AppendResponse = { type: 'appendResp', from: s.id, to, term: s.term, success: false, matchIndex: 0, rejectIndex, hintTerm, hintIndex, seq };
  s.send(m);
}

/** A leader of an older term spoke: refuse, carrying our term so it learns it is stale. */
export function rejectStaleLeader(s: RaftState, to: NodeId): void {
  const m: AppendResponse = {
    type: 'appendResp',
    from: s.id,
    to,
    term: s.term,
    success: false,
    matchIndex: 0,
    rejectIndex: 0,
    hintTerm: 0,
    hintIndex: 0,
    seq: 0,
  };
  s.send(m);
}
