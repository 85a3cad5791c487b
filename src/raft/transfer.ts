/**
 * Leadership transfer (thesis §3.10): the leader stops taking proposals, brings the target's
 * log up to date, then sends TimeoutNow so the target campaigns at once. If that does not
 * happen within an election timeout, the leader gives up and resumes.
 */
import { campaign } from './election';
import { maybeSendAppend } from './replication';
import type { RaftState } from './state';
import type { NodeId, RequestId, TimeoutNow } from './types';

export function handleTransferLeader(s: RaftState, id: RequestId, to: NodeId): void {
  if (s.role !== 'leader') {
    s.fail(id, 'admin', { code: 'not_leader', leader: s.leader });
    return;
  }
  if (!Number.isSafeInteger(to) || to <= 0) {
    s.fail(id, 'admin', { code: 'invalid_request', message: `transfer target must be a node id (got ${String(to)})` });
    return;
  }
  if (to === s.id) {
    s.fail(id, 'admin', { code: 'invalid_request', message: `node ${to} is already the leader` });
    return;
  }
  if (!s.configs.current.voters.includes(to)) {
    s.fail(id, 'admin', { code: 'invalid_request', message: `node ${to} is not a voter, so it cannot lead` });
    return;
  }
  if (s.transferTarget !== null) {
    if (s.transferTarget === to) s.result({ type: 'admin', id });
    else s.fail(id, 'admin', { code: 'transfer_in_progress', leader: s.id });
    return;
  }
  s.transferTarget = to;
  s.transferElapsed = 0;
  s.emit({ type: 'transferStarted', to });
  s.result({ type: 'admin', id });
  const pr = s.tracker.get(to);
  if (pr === undefined) return;
  if (pr.match === s.log.lastIndex()) sendTimeoutNow(s, to);
  else maybeSendAppend(s, to, pr, true);
}

export function sendTimeoutNow(s: RaftState, to: NodeId): void {
  const m: TimeoutNow = { type: 'timeoutNow', from: s.id, to, term: s.term };
  s.send(m);
}

export function abortTransfer(s: RaftState, reason: string): void {
  if (s.transferTarget === null) return;
  const to = s.transferTarget;
  s.transferTarget = null;
  s.transferElapsed = 0;
  s.emit({ type: 'transferAborted', to, reason });
}

/** Leader tick: give up on a transfer that did not complete within an election timeout. */
export function tickTransfer(s: RaftState): void {
  if (s.transferTarget === null) return;
  s.transferElapsed++;
  if (s.transferElapsed >= s.cfg.electionTicksMin) abortTransfer(s, 'timeout');
}

/** Follower: the leader hands over; campaign now, skipping PreVote and any lease. */
export function handleTimeoutNow(s: RaftState): void {
  if (!s.promotable()) return;
  campaign(s, 'transfer');
}
