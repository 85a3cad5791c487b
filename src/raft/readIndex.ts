/**
 * Linearizable reads without log writes (§8, thesis §6.4 ReadIndex): the leader records its
 * commit index, confirms it is still leader by a heartbeat round a quorum acknowledges, and
 * then answers with that index; the caller serves the read once it has applied that far.
 */
import { bcastHeartbeat } from './send';
import type { RaftState } from './state';
import type { NodeId, RequestId } from './types';

/** A read request arriving at this node. */
export function handleRead(s: RaftState, id: RequestId): void {
  if (s.role !== 'leader') {
    s.fail(id, 'read', { code: 'not_leader', leader: s.leader });
    return;
  }
  // §8: a new leader does not know its commit index is current until it commits an entry
  // of its own term (its no-op).
  if (s.log.term(s.commit) !== s.term) {
    s.reads.waitForCommit(id);
    return;
  }
  startReadRound(s, [id]);
}

/** Stamp reads with the next heartbeat round and send that round now. */
function startReadRound(s: RaftState, ids: readonly RequestId[]): void {
  const seq = s.heartbeatSeq + 1;
  for (const id of ids) s.reads.add({ id, index: s.commit, seq });
  bcastHeartbeat(s);
  confirmReads(s);
}

/** The leader committed an entry: reads parked for an own-term commit may start. */
export function releaseReadsAwaitingCommit(s: RaftState): void {
  if (s.role !== 'leader' || s.log.term(s.commit) !== s.term) return;
  const waiting = s.reads.takeWaiting();
  if (waiting.length > 0) startReadRound(s, waiting);
}

/** Answer every read whose round a quorum (ourselves included) has acknowledged. */
export function confirmReads(s: RaftState): void {
  if (s.role !== 'leader' || s.reads.size === 0) return;
  const acked = s.tracker.ackedSeq(s.configs.current, s.heartbeatSeq);
  for (const r of s.reads.takeConfirmed(acked)) s.result({ type: 'read', id: r.id, index: r.index });
}

/** Leadership lost: no pending read can be confirmed any more. */
export function failAllReads(s: RaftState, leader: NodeId | null): void {
  for (const id of s.reads.drainAll()) s.fail(id, 'read', { code: 'leadership_lost', leader });
}
