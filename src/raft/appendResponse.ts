/**
 * The leader's side of AppendEntries and heartbeat replies (§5.3, §8): progress bookkeeping,
 * the commit index, and the next probe after a rejection (with the conflict hint to skip whole
 * terms). What follows an acknowledgement (commit reactions, transfer finished, pipeline
 * refill) runs at the end of the step (reactions.ts).
 */
import { advanceCommit } from './commit';
import type { Progress } from './progress';
import { confirmReads } from './readIndex';
import { maybeSendAppend } from './send';
import type { RaftState } from './state';
import type { AppendResponse, HeartbeatResponse } from './types';

/** Leader: an AppendEntries reply. */
export function handleAppendResponse(s: RaftState, m: AppendResponse): void {
  const pr = s.tracker.get(m.from);
  if (pr === undefined) return;
  pr.recentActive = true;
  if (!m.success) {
    handleRejection(s, m, pr);
    return;
  }
  if (m.matchIndex > s.log.lastIndex()) return; // cannot match entries we never had
  const raised = pr.maybeUpdate(m.matchIndex);
  // Everything stamped so far was sent before this acknowledgement arrived (see handleRejection).
  if (raised) pr.matchSeq = s.appendSeq;
  let progressed = false;
  if (raised || (pr.match === m.matchIndex && pr.state === 'probe')) {
    if (pr.state === 'probe') {
      pr.becomeReplicate();
    } else if (pr.state === 'snapshot') {
      if (pr.match >= s.log.snapshotIndex) {
        pr.becomeProbe();
        pr.becomeReplicate();
      }
    } else {
      pr.inflights.freeLE(m.matchIndex);
    }
    advanceCommit(s);
    progressed = true;
  }
  s.ackPeer = m.from;
  s.ackProgress = pr;
  s.ackProgressed = progressed;
}

/** Where to probe next after a rejection: skip the follower's conflicting term (§5.3). */
function nextFromHint(s: RaftState, m: AppendResponse): number {
  if (m.hintTerm > 0) {
    const last = s.log.lastIndexOfTerm(m.hintTerm, m.rejectIndex);
    if (last > 0) return last + 1;
  }
  return m.hintIndex;
}

/**
 * A rejection: probe further back. Figure 2: matchIndex only grows, so a rejection at or
 * below `match` is stale unless it answers a message sent AFTER the acknowledgement that
 * raised `match` (its stamp is above `matchSeq`): then the follower did lose acknowledged
 * entries, which only a storage that breaks §5.1's assumption can cause (fsync 'never' and
 * a crash, a torn WAL tail), and `match` is lowered so replication rebuilds its log instead of
 * probing the same index forever. A duplicated or delayed old rejection of the same prevIndex
 * is ignored (the lab's link faults duplicate and delay).
 */
function handleRejection(s: RaftState, m: AppendResponse, pr: Progress): void {
  if (pr.state === 'replicate') {
    if (m.rejectIndex <= pr.match) return; // stale: about entries it has since acknowledged
    pr.becomeProbe();
  } else if (pr.state === 'probe') {
    if (m.rejectIndex !== pr.next - 1) return; // stale: not the probe we are waiting on
    if (m.rejectIndex <= pr.match) {
      if (m.seq <= pr.matchSeq) return; // stale: sent before the acknowledgement of `match`
      pr.match = Math.max(0, Math.min(m.hintIndex, m.rejectIndex) - 1);
    }
  } else {
    return; // snapshot in flight: wait for its answer
  }
  const next = Math.min(nextFromHint(s, m), m.rejectIndex);
  pr.next = Math.max(next, pr.match + 1, 1);
  pr.probeSent = false;
  maybeSendAppend(s, m.from, pr, true);
}

/**
 * Leader: a heartbeat reply proves the follower is alive and still follows us. Unblock a
 * stalled probe or pipeline (the messages may be lost) and confirm pending reads (§8).
 */
export function handleHeartbeatResponse(s: RaftState, m: HeartbeatResponse): void {
  const pr = s.tracker.get(m.from);
  if (pr === undefined) return;
  pr.recentActive = true;
  pr.probeSent = false;
  if (pr.state === 'replicate' && pr.inflights.full()) pr.inflights.freeFirstOne();
  if (pr.match < s.log.lastIndex()) maybeSendAppend(s, m.from, pr, true);
  if (m.seq > pr.ackedSeq) {
    pr.ackedSeq = m.seq;
    confirmReads(s);
  }
}
