/**
 * The leader's role: its tick (heartbeats, CheckQuorum, transfer and snapshot timeouts),
 * its message handling and client proposals.
 */
import { becomeFollower } from './roles';
import { appendToLog, bcastAppend, bcastHeartbeat, handleAppendResponse, handleHeartbeatResponse } from './replication';
import { tickSnapshotRetries } from './snapshot';
import { abortTransfer, tickTransfer } from './transfer';
import type { RaftState } from './state';
import type { Entry, Message, RequestId } from './types';

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

/**
 * Client commands: append them all to our log in one batch and replicate (§5.3). They
 * commit later; the result only reports where they went.
 */
export function handlePropose(s: RaftState, id: RequestId, commands: Uint8Array[]): void {
  if (s.role !== 'leader') {
    s.fail(id, 'propose', { code: 'not_leader', leader: s.leader });
    return;
  }
  if (s.transferTarget !== null) {
    s.fail(id, 'propose', { code: 'transfer_in_progress', leader: s.id });
    return;
  }
  if (!Array.isArray(commands) || commands.length === 0) {
    s.fail(id, 'propose', { code: 'invalid_request', message: 'propose needs at least one command' });
    return;
  }
  const n = commands.length;
  const first = s.log.lastIndex() + 1;
  const term = s.term;
  const entries: Entry[] = new Array<Entry>(n);
  for (let i = 0; i < n; i++) {
    const data = commands[i];
    if (!(data instanceof Uint8Array)) {
      s.fail(id, 'propose', { code: 'invalid_request', message: `command ${i} is not a Uint8Array` });
      return;
    }
    entries[i] = { index: first + i, term, kind: 'command', data };
  }
  appendToLog(s, entries);
  s.result({ type: 'proposed', id, term, firstIndex: first, lastIndex: first + n - 1 });
  bcastAppend(s, false);
}
