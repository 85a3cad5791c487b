/**
 * Leadership transfer on the leader (thesis §3.10): it stops taking proposals, brings the
 * target's log up to date, then sends TimeoutNow so the target campaigns at once. If that does
 * not happen within an election timeout, the leader gives up and resumes. (The target's side
 * is in follower.ts; "the target caught up" is followed up at the end of a step, reactions.ts.)
 */
import { maybeSendAppend, sendTimeoutNow } from './send';
import type { RaftState } from './state';
import type { NodeId, RequestId } from './types';

/** Admin request: hand leadership to `to`. */
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

/** Give up a transfer in progress (timeout, target removed, quorum lost). */
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
