/**
 * Log replication (§5.3): appending to the local log, the leader's AppendEntries with
 * batching and pipelining, the follower's consistency check, and the leader's handling of
 * acknowledgements and rejections (with the conflict hint to skip whole terms).
 */
import { maybeCommit, commitTo } from './commit';
import { announceConfig, applyConfigEffects, onConfigChanged } from './configChange';
import { RaftInvariantError } from './errors';
import { confirmReads } from './readIndex';
import { sendSnapshot } from './snapshot';
import { replyAppend } from './appendReply';
import { sendTimeoutNow } from './transfer';
import type { Progress } from './progress';
import type { RaftState } from './state';
import type { AppendRequest, AppendResponse, Entry, Heartbeat, HeartbeatResponse, NodeId } from './types';

/**
 * Appends entries that continue our log, hands them to the caller to persist, and puts any
 * configuration they carry into effect at once (§6: "a server always uses the latest
 * configuration in its log, regardless of whether the entry is committed").
 */
export function appendToLog(s: RaftState, entries: Entry[]): void {
  if (entries.length === 0) return;
  s.log.append(entries);
  const out = s.out;
  if (out.entries.length === 0) {
    // Hand the batch over without copying (the hot path); it may be a message's array, so
    // a second append in the same step copies before adding to it.
    out.entries = entries;
  } else {
    out.entries = out.entries.concat(entries);
  }
  let configChanged = false;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    if (e.kind === 'config' && e.config !== undefined) {
      s.configs.push(e.index, e.config);
      announceConfig(s);
      configChanged = true;
    }
  }
  if (configChanged) applyConfigEffects(s);
}

/** Deletes our entries from `from` on (a conflict, §5.3); a deleted configuration entry stops applying. */
export function truncateLog(s: RaftState, from: number): void {
  if (s.out.entries.length > 0) {
    throw new RaftInvariantError('log truncated after entries were appended in the same step');
  }
  s.log.truncateFrom(from);
  s.out.truncateFrom = s.out.truncateFrom === undefined ? from : Math.min(s.out.truncateFrom, from);
  if (s.persistedIndex >= from) s.persistedIndex = from - 1;
  if (s.configs.truncateFrom(from)) onConfigChanged(s);
}

/**
 * Sends `to` the entries it is missing, if its flow control allows: at most
 * maxEntriesPerMsg entries and about maxBytesPerMsg bytes, starting at `next`. In replicate
 * state `next` advances on send (pipelining); in probe state one message is outstanding at a
 * time. A follower whose `next` was compacted away gets the snapshot instead (§7).
 * Returns true when something was sent.
 */
export function maybeSendAppend(s: RaftState, to: NodeId, pr: Progress, sendIfEmpty: boolean): boolean {
  if (pr.isPaused()) return false;
  const log = s.log;
  const last = log.lastIndex();
  if (pr.next > last + 1) pr.next = last + 1;
  const prevIndex = pr.next - 1;
  if (prevIndex < log.snapshotIndex) {
    sendSnapshot(s, to, pr);
    return true;
  }
  const entries = pr.next <= last ? log.sliceLimited(pr.next, s.cfg.maxEntriesPerMsg, s.cfg.maxBytesPerMsg) : [];
  if (entries.length === 0 && !sendIfEmpty) return false;
  const m: AppendRequest = {
    type: 'append',
    from: s.id,
    to,
    term: s.term,
    prevIndex,
    prevTerm: log.term(prevIndex),
    entries,
    commit: s.commit,
  };
  s.send(m);
  pr.sentAppend(prevIndex + entries.length, entries.length);
  pr.sentCommit = s.commit;
  return true;
}

/**
 * Sends every peer what it is missing, as many messages as its flow control allows (and,
 * with sendIfEmpty, at least an empty append to announce ourselves or the commit index).
 */
export function bcastAppend(s: RaftState, sendIfEmpty: boolean): void {
  const peers = s.tracker.ids;
  for (let i = 0; i < peers.length; i++) {
    const pr = s.tracker.get(peers[i]);
    if (pr === undefined) continue;
    if (!maybeSendAppend(s, peers[i], pr, sendIfEmpty)) continue;
    while (maybeSendAppend(s, peers[i], pr, false)) {
      // fill the pipeline window
    }
  }
}

/**
 * A follower that has everything and nothing in flight still needs to hear about a new
 * commit index: send it one empty append. With messages in flight, their acknowledgement
 * brings us back here, so a busy pipeline is not doubled by commit-only messages.
 */
export function sendCommitIfIdle(s: RaftState, to: NodeId, pr: Progress): void {
  if (
    pr.state === 'replicate' &&
    pr.sentCommit < s.commit &&
    pr.inflights.count === 0 &&
    pr.next > s.log.lastIndex()
  ) {
    maybeSendAppend(s, to, pr, true);
  }
}

/** Heartbeats to every peer (§5.2), stamped with a new round for ReadIndex (§8). */
export function bcastHeartbeat(s: RaftState): void {
  const seq = ++s.heartbeatSeq;
  const peers = s.tracker.ids;
  for (let i = 0; i < peers.length; i++) {
    const to = peers[i];
    const pr = s.tracker.get(to);
    // Never tell a follower a commit index beyond what it is known to hold.
    const commit = pr === undefined ? 0 : Math.min(s.commit, pr.match);
    const m: Heartbeat = { type: 'heartbeat', from: s.id, to, term: s.term, commit, seq };
    s.send(m);
    s.counters.heartbeatsSent++;
  }
}


/** Refuse an AppendEntries whose prevIndex/prevTerm we do not hold, with a hint (§5.3). */
function rejectAppend(s: RaftState, to: NodeId, rejectIndex: number): void {
  const last = s.log.lastIndex();
  let hintTerm = 0;
  let hintIndex = last + 1;
  if (rejectIndex <= last) {
    hintTerm = s.log.term(rejectIndex);
    hintIndex = s.log.firstIndexOfTermAt(rejectIndex);
  }
  s.send({
    type: 'appendResp',
    from: s.id,
    to,
    term: s.term,
    success: false,
    matchIndex: 0,
    rejectIndex,
    hintTerm,
    hintIndex,
  });
}

/**
 * Follower side of AppendEntries (§5.3, Figure 2 receiver rules 2-5):
 * - reply false unless we hold prevIndex with prevTerm (with a hint to skip a term);
 * - delete a conflicting suffix, append only entries we do not already hold, so duplicated
 *   or reordered messages change nothing and never touch committed entries;
 * - commit = min(leaderCommit, index of the last entry this message vouches for).
 */
export function handleAppendRequest(s: RaftState, m: AppendRequest): void {
  let prevIndex = m.prevIndex;
  let prevTerm = m.prevTerm;
  let entries = m.entries;
  const snapIndex = s.log.snapshotIndex;
  if (prevIndex < snapIndex) {
    // Our snapshot already covers the start of this message. Those entries are committed,
    // so they match the leader (Leader Completeness, §5.4): check from the snapshot on.
    const skip = snapIndex - prevIndex;
    if (entries.length <= skip) {
      replyAppend(s, m.from, s.commit);
      return;
    }
    prevTerm = entries[skip - 1].term;
    prevIndex = snapIndex;
    entries = entries.slice(skip);
  }
  if (!s.log.matchTerm(prevIndex, prevTerm)) {
    rejectAppend(s, m.from, m.prevIndex);
    return;
  }
  const lastNew = prevIndex + entries.length;
  if (entries.length > 0) {
    const conflict = s.log.findConflict(entries);
    if (conflict !== 0) {
      if (conflict <= s.commit) {
        throw new RaftInvariantError(
          `leader ${m.from} (term ${m.term}) conflicts with committed entry ${conflict} (commit ${s.commit})`,
        );
      }
      if (conflict <= s.log.lastIndex()) truncateLog(s, conflict);
      const first = entries[0].index;
      appendToLog(s, conflict === first ? entries : entries.slice(conflict - first));
    }
  }
  commitTo(s, Math.min(m.commit, lastNew));
  replyAppend(s, m.from, lastNew);
}

/** Where to probe next after a rejection: skip the follower's conflicting term (§5.3). */
function nextFromHint(s: RaftState, m: AppendResponse): number {
  if (m.hintTerm > 0) {
    const last = s.log.lastIndexOfTerm(m.hintTerm, m.rejectIndex);
    if (last > 0) return last + 1;
  }
  return m.hintIndex;
}

/** Leader side of an AppendEntries reply. */
export function handleAppendResponse(s: RaftState, m: AppendResponse): void {
  const pr = s.tracker.get(m.from);
  if (pr === undefined) return;
  pr.recentActive = true;
  if (!m.success) {
    handleRejection(s, m, pr);
    return;
  }
  if (m.matchIndex > s.log.lastIndex()) return; // cannot match entries we never had
  if (pr.maybeUpdate(m.matchIndex) || (pr.match === m.matchIndex && pr.state === 'probe')) {
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
    if (maybeCommit(s) && s.role !== 'leader') return;
    if (s.transferTarget === m.from && pr.match === s.log.lastIndex()) {
      // The target caught up: tell it to campaign now (thesis §3.10).
      sendTimeoutNow(s, m.from);
    }
  }
  while (maybeSendAppend(s, m.from, pr, false)) {
    // fill the pipeline window
  }
  sendCommitIfIdle(s, m.from, pr);
}

function handleRejection(s: RaftState, m: AppendResponse, pr: Progress): void {
  if (pr.state === 'replicate') {
    if (m.rejectIndex <= pr.match) return; // stale: about entries it has since acknowledged
    pr.becomeProbe();
  } else if (pr.state === 'probe') {
    if (m.rejectIndex !== pr.next - 1) return; // stale: not the probe we are waiting on
    if (m.rejectIndex <= pr.match) {
      // The follower rejects an index it once acknowledged: it lost acknowledged entries
      // (fsync 'never' and a crash, or a torn WAL tail). Raft assumes persisted state
      // survives (§5.1, Figure 2); rather than probe the same index forever, forget the
      // match and let replication rebuild its log from where it really ends.
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

/** Follower: heartbeat from the leader (§5.2): learn the commit index, echo the round. */
export function handleHeartbeat(s: RaftState, m: Heartbeat): void {
  s.counters.heartbeatsReceived++;
  commitTo(s, Math.min(m.commit, s.log.lastIndex()));
  const r: HeartbeatResponse = { type: 'heartbeatResp', from: s.id, to: m.from, term: s.term, seq: m.seq };
  s.send(r);
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
